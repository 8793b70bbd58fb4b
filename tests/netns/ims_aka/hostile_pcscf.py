#!/usr/bin/env python3
"""A hostile P-CSCF on UDP for tests/netns/test_ims_hostile.sh.

Each REGISTER it receives gets the next round of bad answers (see ROUNDS); the last round
ends with a valid 200 OK so the test can see nwitd survived and still registers.
Usage: hostile_pcscf.py ADDR PORT LOGFILE   (stops after the last round or 60 s)
After the last round the socket stays open (silent) for up to 30 s more, so what nwitd sends
once registered (the reg event SUBSCRIBE) meets no ICMP port unreachable, which nwitd would
rightly take as a transport error.
"""
import base64
import re
import socket
import sys
import time


def headers(req):
    text = req.decode(errors="replace")
    out = {}
    for name in ("Via", "From", "To", "Call-ID", "CSeq", "Contact"):
        m = re.search(r"^%s:\s*(.*?)\r$" % name, text, re.M | re.I)
        out[name] = m.group(1) if m else ""
    return out


def response(h, status, extra=""):
    return ("SIP/2.0 %s\r\nVia: %s\r\nFrom: %s\r\nTo: %s;tag=hostile\r\nCall-ID: %s\r\n"
            "CSeq: %s\r\n%sContent-Length: 0\r\n\r\n" %
            (status, h["Via"], h["From"], h["To"], h["Call-ID"], h["CSeq"], extra)).encode()


def aka(nonce):
    return ('WWW-Authenticate: Digest realm="ims.example.net", nonce="%s", '
            'algorithm=AKAv1-MD5, qop="auth"\r\n' % nonce)


def contact_uri(h):
    m = re.search(r"<([^>]*)>", h["Contact"])
    return m.group(1) if m else ""


ROUNDS = [
    # garbage, then a 401 without WWW-Authenticate
    lambda h: [b"\xffTHIS IS NOT SIP\r\n\r\n", response(h, "401 Unauthorized")],
    # two challenges, and a 60 KB header
    lambda h: [response(h, "401 Unauthorized", aka("AAAA") + aka("BBBB") +
                        "X-Junk: " + "j" * 60000 + "\r\n")],
    # a nonce that is not base64
    lambda h: [response(h, "401 Unauthorized", aka("%%%not-base64%%%"))],
    # RAND and only 4 bytes of AUTN
    lambda h: [response(h, "401 Unauthorized", aka(base64.b64encode(b"\x11" * 20).decode()))],
    # absurd expires (ignored), then a valid 200
    lambda h: [response(h, "200 OK", "Contact: <%s>;expires=99999999999\r\n" % contact_uri(h)),
               response(h, "200 OK", "Contact: <%s>;expires=60\r\n" % contact_uri(h))],
]


def main():
    addr, port, log = sys.argv[1], int(sys.argv[2]), open(sys.argv[3], "a", buffering=1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    s.settimeout(1.0)
    deadline = time.time() + 60
    n = 0
    while n < len(ROUNDS) and time.time() < deadline:
        try:
            req, peer = s.recvfrom(70000)
        except socket.timeout:
            continue
        if not req.startswith(b"REGISTER "):
            continue
        h = headers(req)
        log.write("round %d: REGISTER CSeq %s\n" % (n, h["CSeq"]))
        for msg in ROUNDS[n](h):
            s.sendto(msg, peer)
        n += 1
    log.write("done after %d rounds\n" % n)
    linger = time.time() + 30
    while time.time() < linger:
        try:
            s.recvfrom(70000)
        except socket.timeout:
            pass


if __name__ == "__main__":
    main()
