#!/usr/bin/env python3
"""A scripted web app for pager-mode messaging (SIP MESSAGE over WebSocket to nwitd).

usage: message_app.py HOST PORT TOKEN ORIGIN send TARGET BODYFILE CONTENT-TYPE [binary]
       message_app.py HOST PORT TOKEN ORIGIN recv OUTFILE STATUS [SECONDS]
       message_app.py HOST PORT TOKEN ORIGIN flood TARGET N

send: registers, sends one MESSAGE to TARGET with the bytes of BODYFILE (in a binary
      WebSocket frame with "binary", so that bytes that are not UTF-8 get through) and
      prints the final response: "RESULT status N", "RESULT reason ...",
      "RESULT warning ...", "RESULT accept ...".
recv: registers, prints "RESULT ready", waits for one MESSAGE, writes its body to OUTFILE
      byte for byte, answers STATUS and prints "RESULT got_message True|False",
      "RESULT content_type ...", "RESULT from ...".
flood: sends N MESSAGEs at once, prints "RESULT sent N", then collects their final
      responses (up to 60 s) and prints "RESULT finals 200:X,503:Y,..." (status:count).
"""
import base64
import os
import re
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "daemon"))
from app_ws_client import Conn  # noqa: E402

HOST, PORT, TOKEN, ORIGIN, MODE = sys.argv[1:6]
ARGS = sys.argv[6:]
TAG = os.urandom(4).hex()
ME = "sip:alice@ims.example.net"


def result(name, value):
    print(f"RESULT {name} {value}", flush=True)


def connect():
    s = socket.create_connection((HOST, int(PORT)), timeout=5)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall((f"GET /sip?access_token={TOKEN} HTTP/1.1\r\nHost: {HOST}:{PORT}\r\n"
               f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
               f"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: sip\r\n"
               f"Origin: {ORIGIN}\r\n\r\n").encode())
    c = Conn(s)
    head = b""
    while b"\r\n\r\n" not in head:
        head += c.read(1)
    if b" 101 " not in head.split(b"\r\n")[0]:
        sys.exit("handshake refused: " + head.split(b"\r\n")[0].decode())
    return c


def recv(c, timeout):
    """One SIP message as bytes (ping frames are answered by nobody: nwitd sends none)."""
    c.s.settimeout(timeout)
    b0, b1 = c.read(2)
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack("!H", c.read(2))[0]
    elif n == 127:
        n = struct.unpack("!Q", c.read(8))[0]
    return c.read(n)


def split(msg):
    head, _, body = msg.partition(b"\r\n\r\n")
    return head.decode("utf-8", "replace"), body


def header(head, name):
    m = re.search(r"^" + name + r":\s*(.*?)\r?$", head, re.M | re.I)
    return m.group(1) if m else ""


def status_of(head):
    m = re.match(r"SIP/2.0 (\d+) ?(.*)", head)
    return (int(m.group(1)), m.group(2).split("\r")[0]) if m else (0, "")


def request(method, ruri, to, callid, extra=b"", body=b""):
    branch = "z9hG4bK" + os.urandom(6).hex()
    head = (f"{method} {ruri} SIP/2.0\r\nVia: SIP/2.0/WSS test.invalid;branch={branch}\r\n"
            f"Max-Forwards: 70\r\nFrom: <{ME}>;tag={TAG}\r\nTo: <{to}>\r\n"
            f"Call-ID: {callid}\r\nCSeq: 1 {method}\r\n"
            f"Contact: <sip:t@test.invalid;transport=ws>\r\n").encode()
    return head + extra + f"Content-Length: {len(body)}\r\n\r\n".encode() + body


def final(c, callid, timeout):
    end = time.time() + timeout
    while time.time() < end:
        try:
            head, _ = split(recv(c, max(0.1, end - time.time())))
        except (socket.timeout, TimeoutError):
            break
        st, reason = status_of(head)
        if st >= 200 and header(head, "Call-ID") == callid:
            return st, reason, head
    return 0, "", ""


def register(c):
    cid = "reg-" + TAG
    c.frame(1, request("REGISTER", "sip:ims.example.net", ME, cid))
    return final(c, cid, 5)[0]


def main():
    c = connect()
    result("register", register(c))
    if MODE == "send":
        target, bodyfile, ctype = ARGS[:3]
        body = open(bodyfile, "rb").read()
        cid = "msg-" + os.urandom(6).hex()
        msg = request("MESSAGE", target, target, cid,
                      f"Content-Type: {ctype}\r\n".encode(), body)
        c.frame(2 if len(ARGS) > 3 and ARGS[3] == "binary" else 1, msg)
        st, reason, head = final(c, cid, 45)
        result("status", st)
        result("reason", reason)
        result("warning", header(head, "Warning") or "-")
        result("accept", header(head, "Accept") or "-")
    elif MODE == "flood":
        target, n = ARGS[0], int(ARGS[1])
        ids = set()
        for i in range(n):
            cid = "flood-%d-%s" % (i, TAG)
            ids.add(cid)
            c.frame(1, request("MESSAGE", target, target, cid,
                               b"Content-Type: text/plain\r\n", b"flood %d" % i))
        result("sent", n)
        finals = {}
        end = time.time() + 60
        while ids and time.time() < end:
            try:
                head, _ = split(recv(c, max(0.1, end - time.time())))
            except (socket.timeout, TimeoutError):
                break
            st, _ = status_of(head)
            cid = header(head, "Call-ID")
            if st >= 200 and cid in ids:
                ids.discard(cid)
                finals[st] = finals.get(st, 0) + 1
        result("finals", ",".join("%d:%d" % kv for kv in sorted(finals.items())) or "-")
    elif MODE == "recv":
        outfile, answer = ARGS[0], int(ARGS[1])
        wait = float(ARGS[2]) if len(ARGS) > 2 else 30
        result("ready", True)
        end = time.time() + wait
        got = None
        while time.time() < end and not got:
            try:
                msg = recv(c, max(0.1, end - time.time()))
            except (socket.timeout, TimeoutError):
                break
            if msg.startswith(b"MESSAGE "):
                got = msg
        result("got_message", bool(got))
        if not got:
            return
        head, body = split(got)
        length = int(header(head, "Content-Length") or "0")
        open(outfile, "wb").write(body[:length])
        result("content_type", header(head, "Content-Type"))
        result("from", header(head, "From"))
        result("via", header(head, "Via"))
        vias = "".join(f"Via: {v}\r\n" for v in re.findall(r"^Via:\s*(.*?)\r$", head, re.M))
        reason = {200: "OK", 202: "Accepted", 486: "Busy Here"}.get(answer, "Status")
        c.frame(1, (f"SIP/2.0 {answer} {reason}\r\n{vias}From: {header(head, 'From')}\r\n"
                    f"To: {header(head, 'To')};tag={TAG}\r\nCall-ID: {header(head, 'Call-ID')}\r\n"
                    f"CSeq: {header(head, 'CSeq')}\r\nContent-Length: 0\r\n\r\n").encode())
        time.sleep(0.5)  # let the response go out before the WebSocket closes


main()
