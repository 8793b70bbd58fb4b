#!/usr/bin/env python3
"""Raw MSRP client for test_msrp_relay.sh: connects to the relay from 127.0.0.1:4003,
AUTHs, sends malformed frames toward the endpoint whose path is in argv[1] (one case
per connection, since a relay may drop a connection it cannot parse), then a valid SEND.
Prints "CASE <name> <status codes seen for its transaction>" per case."""
import socket
import sys
import time

RELAY = ("127.0.0.1", 2855)
ME = "msrp://127.0.0.1:4003/raw1;tcp"


def conn():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 4003))
    s.connect(RELAY)
    s.settimeout(0.2)
    return s


def drain(s, secs):
    data = b""
    end = time.time() + secs
    while time.time() < end:
        try:
            d = s.recv(65536)
            if not d:
                break
            data += d
        except socket.timeout:
            pass
    return data.decode("latin-1")


def codes(text, tid):
    out = []
    for line in text.split("\r\n"):
        p = line.split(" ")
        if len(p) >= 3 and p[0] == "MSRP" and p[1] == tid and p[2].isdigit():
            out.append(p[2])
    return ",".join(out) or "none"


def send(tid, to, headers, body=None, end=True, ctype="text/plain"):
    f = "MSRP %s SEND\r\nTo-Path: %s\r\nFrom-Path: %s\r\n" % (tid, to, ME) + headers
    if body is not None:
        f += "Content-Type: %s\r\n\r\n" % ctype + body + "\r\n"
    if end:
        f += "-------%s$\r\n" % tid
    return f.encode("latin-1")


def main():
    path = open(sys.argv[1]).read().split()
    relay_hop, peer = path[0], path[-1]
    to = " ".join(path)
    wrong = relay_hop + " " + peer.replace("/sc;", "/nosuch;")
    cases = [
        ("bad_byte_range", "badrange1", send("badrange1", to, "Message-ID: mbad0001\r\nByte-Range: 1-99/5\r\n", "hello")),
        ("range_mismatch", "badrange2", send("badrange2", to, "Message-ID: mbad0002\r\nByte-Range: 1-3/5\r\n", "hello")),
        ("wrong_to_path", "wrongpath", send("wrongpath", wrong, "Message-ID: mbad0003\r\nByte-Range: 1-5/5\r\n", "hello")),
        ("oversize_chunk", "oversize1", send("oversize1", to, "Message-ID: mbad0004\r\nByte-Range: 1-1500/1500\r\n", "x" * 1500)),
        ("missing_end_line", "noend0001", send("noend0001", to, "Message-ID: mbad0005\r\nByte-Range: 1-5/5\r\n", "hello", end=False)),
        ("garbage", "garbage01", b"\x00\x01GET / HTTP/1.1\r\n\r\n" + bytes(range(256)) + b"\r\n"),
    ]
    for name, tid, frame in cases:
        s = conn()
        s.sendall(b"MSRP rawauth1 AUTH\r\nTo-Path: msrp://127.0.0.1:2855;tcp\r\nFrom-Path: " +
                  ME.encode() + b"\r\n-------rawauth1$\r\n")
        drain(s, 0.3)
        s.sendall(frame)
        print("CASE %s %s" % (name, codes(drain(s, 0.8), tid)), flush=True)
        s.close()
        time.sleep(0.2)
    s = conn()
    s.sendall(send("goodsend1", to, "Message-ID: mgood001\r\nByte-Range: 1-11/11\r\n", "still alive"))
    print("CASE valid %s" % codes(drain(s, 1.0), "goodsend1"), flush=True)
    s.close()


main()
