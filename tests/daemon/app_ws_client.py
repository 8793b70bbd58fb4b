#!/usr/bin/env python3
"""A small WebSocket (RFC 6455) + SIP (RFC 7118) client for the app endpoint tests.

Written here on purpose: it must be able to send frames a correct library would refuse to
(unmasked, fragmented control frames, invalid UTF-8) to check how nwitd answers them.

usage: app_ws_client.py HOST PORT PATH ORIGIN STEP...
  PATH is the request target ("/sip?access_token=...");  ORIGIN "-" sends none.
  Options as steps before the others: proto=P (default sip, "-" none), version=V,
  key=K (Sec-WebSocket-Key), tls=CAFILE (WSS, the server certificate checked against it),
  src=ADDR (connect from this local address, e.g. 127.0.0.2).
  Steps: bearer=TOKEN (for the following SIP requests), sip:METHOD[:audio|:video|:file],
  frag:REGISTER, binary:REGISTER, ping, raw:unmasked, raw:big, raw:fragping, raw:badutf8,
  close, wait-close, sleep:SECONDS, trickle:SECONDS (for that long, start a fragmented
  message and send one more continuation frame of it every 0.5 s, never answering a
  close; prints "DROPPED <s>" when the server drops the connection, "STILL-OPEN <s>"
  otherwise).
Prints one line per result: "HTTP <status> <reason>", "SIP <status line>",
"P-Associated-URI <value>", "PONG <payload>", "CLOSE <code> <reason>", "EOF".
"""
import base64
import os
import socket
import struct
import sys
import uuid

TIMEOUT = 5


class Conn:
    def __init__(self, sock):
        self.s = sock
        self.buf = b""

    def read(self, n):
        while len(self.buf) < n:
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def frame(self, opcode, payload, fin=True, mask=True):
        b0 = (0x80 if fin else 0) | opcode
        n = len(payload)
        hdr = bytes([b0])
        mbit = 0x80 if mask else 0
        if n < 126:
            hdr += bytes([mbit | n])
        elif n < 65536:
            hdr += bytes([mbit | 126]) + struct.pack("!H", n)
        else:
            hdr += bytes([mbit | 127]) + struct.pack("!Q", n)
        if mask:
            key = os.urandom(4)
            payload = bytes(c ^ key[i % 4] for i, c in enumerate(payload))
            hdr += key
        self.s.sendall(hdr + payload)

    def recv_frame(self):
        b0, b1 = self.read(2)
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack("!H", self.read(2))[0]
        elif n == 127:
            n = struct.unpack("!Q", self.read(8))[0]
        if b1 & 0x80:
            raise ValueError("server frames must not be masked")
        return b0 & 0x0F, self.read(n)


def sip_request(method, kind, bearer, n):
    body = ""
    if method in ("INVITE",):
        media = {"audio": "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n",
                 "video": "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n",
                 "file": "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"}[kind or "audio"]
        body = ("v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
                + media)
    elif method == "MESSAGE":
        body = "hello"
    lines = [
        f"{method} sip:{'registrar.invalid' if method == 'REGISTER' else 'bob@ims.example'} SIP/2.0",
        f"Via: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bK{uuid.uuid4().hex[:12]}",
        "Max-Forwards: 70",
        "From: <sip:app@nwit.invalid>;tag=t" + uuid.uuid4().hex[:8],
        "To: <sip:app@nwit.invalid>" if method == "REGISTER" else "To: <sip:bob@ims.example>",
        f"Call-ID: {uuid.uuid4().hex}",
        f"CSeq: {n} {method}",
        "Contact: <sip:x7m3@df7jal23ls0d.invalid;transport=ws>;expires=3600",
    ]
    if bearer:
        lines.append(f"Authorization: Bearer {bearer}")
    if method == "INVITE":
        lines.append("Content-Type: application/sdp")
    elif method == "MESSAGE":
        lines.append("Content-Type: text/plain")
    lines.append(f"Content-Length: {len(body.encode())}")
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()


def print_sip(payload):
    text = payload.decode(errors="replace")
    head = text.split("\r\n")
    print("SIP " + head[0])
    for h in head[1:]:
        if h.lower().startswith("p-associated-uri:"):
            print("P-Associated-URI " + h.split(":", 1)[1].strip())


def expect_reply(c):
    while True:
        op, payload = c.recv_frame()
        if op in (1, 2):
            print_sip(payload)
            return
        if op == 8:
            print_close(payload)
            return "closed"


def trickle(c, seconds):
    import select
    import time
    start = last = time.time()
    c.frame(1, b"x", fin=False)  # the first fragment of a message that never ends
    while time.time() - start < seconds:
        try:
            r, _, _ = select.select([c.s], [], [], 0.1)
            if r:
                chunk = c.s.recv(65536)
                if not chunk:
                    print(f"DROPPED {time.time() - start:.1f}")
                    return
                if chunk[0] & 0x0F == 8 and len(chunk) >= 4:
                    print_close(chunk[2:2 + (chunk[1] & 0x7F)])
            if time.time() - last >= 0.5:
                last = time.time()
                c.frame(0, b"x", fin=False)  # a continuation frame, never finished
        except (ConnectionError, BrokenPipeError, OSError):
            print(f"DROPPED {time.time() - start:.1f}")
            return
    print(f"STILL-OPEN {seconds:.1f}")


def print_close(payload):
    code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
    print(f"CLOSE {code} {payload[2:].decode(errors='replace')}")


def main():
    host, port, path, origin = sys.argv[1:5]
    steps = sys.argv[5:]
    if steps and steps[0].startswith("cycles="):
        # connect, run the steps, repeat; print only the summary
        n = int(steps[0].split("=", 1)[1])
        import io
        import contextlib
        ok = 0
        for _ in range(n):
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                session(host, port, path, origin, steps[1:])
            ok += "SIP SIP/2.0 200 OK" in out.getvalue() and "EOF" in out.getvalue()
        print(f"CYCLES {ok}/{n}")
        return
    session(host, port, path, origin, steps)


def session(host, port, path, origin, steps):
    steps = list(steps)
    proto, version, cafile, src = "sip", "13", None, None
    key = base64.b64encode(os.urandom(16)).decode()
    while steps and steps[0].split("=")[0] in ("proto", "version", "key", "tls", "src"):
        k, v = steps.pop(0).split("=", 1)
        proto, version, key = (v if k == "proto" else proto, v if k == "version" else version,
                               v if k == "key" else key)
        cafile = v if k == "tls" else cafile
        src = v if k == "src" else src
    s = socket.create_connection((host, int(port)), timeout=TIMEOUT,
                                 source_address=(src, 0) if src else None)
    if cafile:
        import ssl
        ctx = ssl.create_default_context(cafile=cafile)
        s = ctx.wrap_socket(s, server_hostname=host)
    req = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", "Upgrade: websocket",
           "Connection: Upgrade", f"Sec-WebSocket-Key: {key}", f"Sec-WebSocket-Version: {version}"]
    if proto != "-":
        req.append(f"Sec-WebSocket-Protocol: {proto}")
    if origin != "-":
        req.append(f"Origin: {origin}")
    s.sendall(("\r\n".join(req) + "\r\n\r\n").encode())
    c = Conn(s)
    head = b""
    try:
        while b"\r\n\r\n" not in c.buf:
            chunk = s.recv(4096)
            if not chunk:
                break
            c.buf += chunk
    except socket.timeout:
        pass
    head, _, c.buf = c.buf.partition(b"\r\n\r\n")
    lines = head.decode(errors="replace").split("\r\n")
    parts = lines[0].split(" ", 2)
    print("HTTP " + " ".join(parts[1:]))
    if len(parts) < 2 or parts[1] != "101":
        return
    import hashlib
    want = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
                                         .encode()).digest()).decode()
    hdrs = {l.split(":", 1)[0].lower(): l.split(":", 1)[1].strip() for l in lines[1:] if ":" in l}
    if hdrs.get("sec-websocket-accept") != want:
        print("BAD-ACCEPT")
    if hdrs.get("sec-websocket-protocol") != "sip":
        print("BAD-PROTOCOL")
    bearer, n = None, 1
    try:
        _run(c, steps, bearer, n)
    finally:
        s.close()


def _run(c, steps, bearer, n):
    try:
        for step in steps:
            n += 1
            if step.startswith("bearer="):
                bearer = step.split("=", 1)[1]
            elif step.startswith("sip:"):
                p = step.split(":")
                c.frame(1, sip_request(p[1], p[2] if len(p) > 2 else None, bearer, n))
                if expect_reply(c) == "closed":
                    return
            elif step == "frag:REGISTER":
                m = sip_request("REGISTER", None, bearer, n)
                c.frame(1, m[:20], fin=False)
                c.frame(0, m[20:40], fin=False)
                c.frame(0, m[40:], fin=True)
                expect_reply(c)
            elif step == "binary:REGISTER":
                c.frame(2, sip_request("REGISTER", None, bearer, n))
                expect_reply(c)
            elif step.startswith("text:"):
                c.frame(1, step[5:].encode())
            elif step == "ping":
                c.frame(9, b"are-you-there")
                op, payload = c.recv_frame()
                print(("PONG " if op == 10 else f"OPCODE {op} ") + payload.decode())
            elif step == "raw:unmasked":
                c.frame(1, b"REGISTER", mask=False)
            elif step == "raw:big":
                c.frame(1, b"x" * (70 * 1024))
            elif step == "raw:fragping":
                c.frame(9, b"p", fin=False)
            elif step == "raw:badutf8":
                c.frame(1, b"REGISTER \xc0\xaf sip:x SIP/2.0\r\n\r\n")
            elif step == "close":
                c.frame(8, struct.pack("!H", 1000) + b"bye")
            elif step.startswith("sleep:"):
                import time
                time.sleep(float(step.split(":", 1)[1]))
            elif step.startswith("trickle:"):
                trickle(c, float(step.split(":", 1)[1]))
                return
            elif step == "wait-close":
                while True:
                    op, payload = c.recv_frame()
                    if op == 8:
                        print_close(payload)
                        c.frame(8, payload[:2])  # answer the close (RFC 6455 5.5.1)
                        break
            else:
                raise SystemExit(f"unknown step {step}")
        # after a close, the server must close the TCP connection
        if steps and steps[-1] in ("close", "wait-close", "raw:unmasked", "raw:big",
                                   "raw:fragping", "raw:badutf8"):
            try:
                while True:
                    op, payload = c.recv_frame()
                    if op == 8:
                        print_close(payload)
            except EOFError:
                print("EOF")
    except EOFError:
        print("EOF")
    except socket.timeout:
        print("TIMEOUT")


if __name__ == "__main__":
    main()
