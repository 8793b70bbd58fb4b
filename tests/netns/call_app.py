#!/usr/bin/env python3
"""A scripted web app for the B2BUA's error paths: SIP over WebSocket to nwitd, sending
what a browser app could send (bad SDP, offers nwitd must refuse, CANCEL races, BYE for
unknown calls) and a STUN check with a wrong password.

usage: call_app.py HOST PORT TOKEN ORIGIN SCENARIO [ARG [TARGET]]
Prints "RESULT <name> <value>" lines.
"""
import base64
import hashlib
import hmac
import os
import re
import socket
import struct
import sys
import time
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "daemon"))
from app_ws_client import Conn  # noqa: E402

HOST, PORT, TOKEN, ORIGIN, SCENARIO = sys.argv[1:6]
ARG = sys.argv[6] if len(sys.argv) > 6 else ""
ARG2 = sys.argv[7] if len(sys.argv) > 7 else "sip:bob@ims.example.net"
TAG = os.urandom(4).hex()


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


def send(c, text):
    c.frame(1, text.encode())


def recv(c, timeout=5):
    c.s.settimeout(timeout)
    b0, b1 = c.read(2)
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack("!H", c.read(2))[0]
    elif n == 127:
        n = struct.unpack("!Q", c.read(8))[0]
    return c.read(n).decode(errors="replace")


def status_of(msg):
    m = re.match(r"SIP/2.0 (\d+)", msg)
    return int(m.group(1)) if m else 0


def header(msg, name):
    m = re.search(r"^" + name + r":\s*(.*?)\r$", msg, re.M | re.I)
    return m.group(1) if m else ""


def request(method, callid, cseq, body="", to_tag="", branch=None, ruri="sip:bob@ims.example.net"):
    branch = branch or "z9hG4bK" + os.urandom(6).hex()
    ctype = "Content-Type: application/sdp\r\n" if body else ""
    to = "<sip:bob@ims.example.net>" + (f";tag={to_tag}" if to_tag else "")
    return (f"{method} {ruri} SIP/2.0\r\n"
            f"Via: SIP/2.0/WSS test.invalid;branch={branch}\r\nMax-Forwards: 70\r\n"
            f"From: <sip:alice@ims.example.net>;tag={TAG}\r\nTo: {to}\r\n"
            f"Call-ID: {callid}\r\nCSeq: {cseq} {method if method != 'ACK' else 'ACK'}\r\n"
            f"Contact: <sip:t@test.invalid;transport=ws>\r\n{ctype}"
            f"Content-Length: {len(body.encode())}\r\n\r\n{body}"), branch


def register(c):
    msg, _ = request("REGISTER", "reg-" + TAG, 1, ruri="sip:ims.example.net")
    msg = msg.replace("To: <sip:bob@ims.example.net>", "To: <sip:alice@ims.example.net>")
    send(c, msg)
    return status_of(recv(c))


def final(c, timeout=10):
    """Responses until a final one: (status, message, provisional statuses)."""
    prov = []
    end = time.time() + timeout
    while time.time() < end:
        m = recv(c, max(0.1, end - time.time()))
        st = status_of(m)
        if 100 <= st < 200:
            prov.append(st)
            continue
        if st:
            return st, m, prov
    return 0, "", prov


def stun_binding(dst, port, ufrag_pair, pwd):
    """A Binding request with MESSAGE-INTEGRITY keyed with pwd; the response's class."""
    tid = os.urandom(12)
    user = ufrag_pair.encode()
    attrs = struct.pack("!HH", 0x0006, len(user)) + user + b"\0" * (-len(user) % 4)
    attrs += struct.pack("!HHI", 0x0024, 4, 0x6e7f00ff)  # PRIORITY
    attrs += struct.pack("!HHQ", 0x802A, 8, 1)  # ICE-CONTROLLING
    hdr = struct.pack("!HHI", 0x0001, len(attrs) + 24, 0x2112A442) + tid
    mac = hmac.new(pwd.encode(), hdr + attrs, hashlib.sha1).digest()
    attrs += struct.pack("!HH", 0x0008, 20) + mac
    hdr = struct.pack("!HHI", 0x0001, len(attrs) + 8, 0x2112A442) + tid
    crc = (zlib.crc32(hdr + attrs) ^ 0x5354554E) & 0xFFFFFFFF
    attrs += struct.pack("!HHI", 0x8028, 4, crc)
    pkt = struct.pack("!HHI", 0x0001, len(attrs), 0x2112A442) + tid + attrs
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    s.sendto(pkt, (dst, port))
    try:
        r = s.recv(1500)
    except socket.timeout:
        return "none"
    t = struct.unpack("!H", r[:2])[0]
    if t == 0x0101:
        return "success"
    if t == 0x0111:
        # ERROR-CODE attribute
        i = 20
        while i + 4 <= len(r):
            at, al = struct.unpack("!HH", r[i:i + 4])
            if at == 0x0009:
                return "error-%d" % (r[i + 6] * 100 + r[i + 7])
            i += 4 + al + (-al % 4)
        return "error"
    return "type-%04x" % t


def invite(c, body, target="sip:bob@ims.example.net", extra=""):
    callid = "t-" + os.urandom(6).hex()
    msg, branch = request("INVITE", callid, 1, body, ruri=target)
    msg = msg.replace("To: <sip:bob@ims.example.net>", f"To: <{target}>")
    msg = msg.replace("Max-Forwards: 70\r\n", "Max-Forwards: 70\r\n" + extra)
    send(c, msg)
    return callid, branch


def wait_request(c, method, timeout):
    end = time.time() + timeout
    while time.time() < end:
        try:
            m = recv(c, max(0.1, end - time.time()))
        except (socket.timeout, TimeoutError):
            return None
        if m.startswith(method + " "):
            return m
    return None


def reply(c, req, status, reason, totag, body=""):
    vias = "".join(f"Via: {v}\r\n" for v in re.findall(r"^Via:\s*(.*?)\r$", req, re.M))
    to = header(req, "To")
    if "tag=" not in to:
        to += f";tag={totag}"
    ctype = "Content-Type: application/sdp\r\n" if body else ""
    send(c, f"SIP/2.0 {status} {reason}\r\n{vias}From: {header(req, 'From')}\r\nTo: {to}\r\n"
            f"Call-ID: {header(req, 'Call-ID')}\r\nCSeq: {header(req, 'CSeq')}\r\n"
            f"Contact: <sip:t@test.invalid;transport=ws>\r\n{ctype}"
            f"Content-Length: {len(body.encode())}\r\n\r\n{body}")


def answer_for(offer):
    mid = re.search(r"^a=mid:(\S+)", offer, re.M).group(1)
    fp = ":".join("%02X" % b for b in os.urandom(32))
    return ("v=0\r\no=- 1 2 IN IP4 192.0.2.10\r\ns=-\r\nt=0 0\r\n"
            f"a=group:BUNDLE {mid}\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 192.0.2.10\r\n"
            "a=ice-ufrag:test\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
            f"a=fingerprint:sha-256 {fp}\r\na=setup:active\r\na=mid:{mid}\r\n"
            "a=sendrecv\r\na=rtcp-mux\r\na=rtpmap:0 PCMU/8000\r\n")


def main():
    c = connect()
    result("register", register(c))
    body = open(ARG).read().replace("\n", "\r\n").replace("\r\r\n", "\r\n") if ARG else ""
    if SCENARIO == "invite":  # one INVITE with the given SDP: the final status and Warning
        callid, branch = invite(c, body)
        st, m, prov = final(c)
        result("status", st)
        result("warning", '"' + header(m, "Warning") + '"')
        if 200 <= st < 300:
            send(c, request("ACK", callid, 1, to_tag=re.search(r"tag=([^;\s>]+)", header(m, "To")).group(1))[0])
            send(c, request("BYE", callid, 2, to_tag=re.search(r"tag=([^;\s>]+)", header(m, "To")).group(1))[0])
            result("bye", final(c)[0])
    elif SCENARIO == "two-calls":  # two calls at once from one app: bob and carol
        calls = {}
        for target in ("sip:bob@ims.example.net", "sip:carol@ims.example.net"):
            calls[invite(c, body, target)[0]] = None
        end = time.time() + 10
        while time.time() < end and None in calls.values():
            m = recv(c, max(0.1, end - time.time()))
            cid, st = header(m, "Call-ID"), status_of(m)
            if cid in calls and st >= 200:
                calls[cid] = (st, re.search(r"tag=([^;\s>]+)", header(m, "To")).group(1))
                send(c, request("ACK", cid, 1, to_tag=calls[cid][1])[0])
        result("statuses", ",".join(str(v[0]) if v else "none" for v in calls.values()))
        time.sleep(3)  # both established: the test looks at nwitctl status now
        byes = []
        for cid, v in calls.items():
            if v:
                send(c, request("BYE", cid, 2, to_tag=v[1])[0])
        end = time.time() + 5
        while time.time() < end and len(byes) < len([v for v in calls.values() if v]):
            m = recv(c, max(0.1, end - time.time()))
            if header(m, "CSeq").endswith("BYE"):
                byes.append(status_of(m))
        result("byes", ",".join(map(str, byes)))
    elif SCENARIO == "require-100rel":  # an extension nwitd does not implement
        invite(c, body, extra="Require: 100rel\r\n")
        st, m, prov = final(c)
        result("status", st)
        result("unsupported", header(m, "Unsupported") or "-")
    elif SCENARIO == "unknown-callee":
        invite(c, body, "sip:nobody@ims.example.net")
        result("status", final(c)[0])
    elif SCENARIO == "cancel":  # CANCEL right behind the INVITE: the callee answers at once
        callid, branch = invite(c, body)
        send(c, request("CANCEL", callid, 1, branch=branch)[0])
        got = []
        end = time.time() + 4
        while time.time() < end:
            try:
                m = recv(c, max(0.1, end - time.time()))
            except (socket.timeout, TimeoutError):
                break
            got.append("%d/%s" % (status_of(m), header(m, "CSeq").split()[-1]))
        result("responses", ",".join(got))
    elif SCENARIO == "stun-wrong-password":  # the call is answered; a check with a bad key
        callid, branch = invite(c, body)
        st, m, prov = final(c)
        result("status", st)
        sdp = m.split("\r\n\r\n", 1)[1]
        port = int(re.search(r"^m=audio (\d+)", sdp, re.M).group(1))
        addr = re.search(r"^c=IN IP4 (\S+)", sdp, re.M).group(1)
        ufrag = re.search(r"^a=ice-ufrag:(\S+)", sdp, re.M).group(1)
        pwd = re.search(r"^a=ice-pwd:(\S+)", sdp, re.M).group(1)
        mine = re.search(r"^a=ice-ufrag:(\S+)", body, re.M).group(1)
        result("stun_wrong_password", stun_binding(addr, port, f"{ufrag}:{mine}", "not-the-password-at-all"))
        result("stun_wrong_ufrag", stun_binding(addr, port, f"zzzz:{mine}", pwd))
        result("stun_right", stun_binding(addr, port, f"{ufrag}:{mine}", pwd))
        totag = re.search(r"tag=([^;\s>]+)", header(m, "To")).group(1)
        send(c, request("ACK", callid, 1, to_tag=totag)[0])
        send(c, request("BYE", callid, 2, to_tag=totag)[0])
        result("bye", final(c)[0])
    elif SCENARIO == "bye-unknown":
        send(c, request("BYE", "no-such-call", 5, to_tag="x")[0])
        result("status", final(c)[0])
    elif SCENARIO in ("fork-answer", "fork-ring"):  # an incoming call offered to two apps
        inv = wait_request(c, "INVITE", 15)
        result("got_invite", bool(inv))
        if not inv:
            return
        totag = os.urandom(4).hex()
        reply(c, inv, 180, "Ringing", totag)
        if SCENARIO == "fork-answer":
            time.sleep(0.5)
            reply(c, inv, 200, "OK", totag, answer_for(inv.split("\r\n\r\n", 1)[1]))
            result("got_ack", bool(wait_request(c, "ACK", 5)))
            bye = wait_request(c, "BYE", 15)
            result("got_bye", bool(bye))
            if bye:
                reply(c, bye, 200, "OK", totag)
        else:
            cancel = wait_request(c, "CANCEL", 10)
            result("got_cancel", bool(cancel))
            if cancel:
                reply(c, cancel, 200, "OK", totag)
                reply(c, inv, 487, "Request Terminated", totag)
                result("got_ack", bool(wait_request(c, "ACK", 5)))
    elif SCENARIO == "no-answer":  # the callee rings and never answers
        invite(c, body, ARG2)
        st, m, prov = final(c, timeout=40)
        result("status", st)
        result("provisional", ",".join(map(str, prov)) or "-")
    elif SCENARIO == "ring-forever":  # an incoming call this app lets ring
        inv = wait_request(c, "INVITE", 15)
        result("got_invite", bool(inv))
        if not inv:
            return
        totag = os.urandom(4).hex()
        reply(c, inv, 180, "Ringing", totag)
        cancel = wait_request(c, "CANCEL", 40)
        result("got_cancel", bool(cancel))
        if cancel:
            reply(c, cancel, 200, "OK", totag)
            reply(c, inv, 487, "Request Terminated", totag)
            result("got_ack", bool(wait_request(c, "ACK", 5)))
    elif SCENARIO == "ice-never":  # answered, ACKed, and no STUN check ever sent
        callid, branch = invite(c, body)
        st, m, prov = final(c)
        result("status", st)
        if st != 200:
            return
        totag = re.search(r"tag=([^;\s>]+)", header(m, "To")).group(1)
        send(c, request("ACK", callid, 1, to_tag=totag)[0])
        started = time.time()
        bye = wait_request(c, "BYE", 40)
        result("got_bye", bool(bye))
        result("bye_after_s", int(time.time() - started))
        if bye:
            reply(c, bye, 200, "OK", totag)
    elif SCENARIO == "garbage":
        c.frame(1, b"this is not SIP\r\n\r\n")
        send(c, request("OPTIONS", "opt-" + TAG, 1)[0])
        result("after_garbage", final(c)[0])


main()
