#!/usr/bin/env python3
"""A scripted P-CSCF on loopback UDP for tests/daemon/test_sip_router.sh.

It answers nwitd's REGISTER with 200 OK, then sends one request of each kind that no
service of nwitd takes (and one that the pager takes), plus garbage and a stray response,
and records what nwitd answers. Responses to nwitd's own requests (a MESSAGE from an app)
get 200 OK. It runs for SECONDS. Usage: sip_peer.py PORT OUTFILE SECONDS
OUTFILE gets one line per event: "sent N" (messages sent to nwitd so far) and
"answer NAME STATUS [Allow: ...]" for each case, "done" once every case is answered.
"""
import re
import socket
import sys
import time
import uuid


def hdr(text, name):
    m = re.search(r"^%s:\s*(.*?)\r$" % name, text, re.M | re.I)
    return m.group(1) if m else ""


def response(req, status, extra=""):
    vias = "".join("Via: %s\r\n" % v for v in re.findall(r"^Via:\s*(.*?)\r$", req, re.M | re.I))
    to = hdr(req, "To")
    if ";tag=" not in to:
        to += ";tag=peer"
    return ("SIP/2.0 %s\r\n%sFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %s\r\n%s"
            "Content-Length: 0\r\n\r\n" % (status, vias, hdr(req, "From"), to,
                                             hdr(req, "Call-ID"), hdr(req, "CSeq"), extra))


def request(method, to_tag=None, extra="", body="", cseq_method=None):
    branch = "z9hG4bK" + uuid.uuid4().hex[:16]
    to = "<sip:alice@ims.example.net>" + (";tag=" + to_tag if to_tag else "")
    return ("%s sip:alice@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=%s\r\n"
            "Max-Forwards: 70\r\nFrom: <sip:bob@ims.example.net>;tag=%s\r\nTo: %s\r\n"
            "Call-ID: %s@peer\r\nCSeq: 7 %s\r\n%sContent-Length: %d\r\n\r\n%s" %
            (method, PORT, branch, uuid.uuid4().hex[:8], to, uuid.uuid4().hex,
             cseq_method or method, extra, len(body), body))


CASES = [
    ("options", lambda: request("OPTIONS")),
    ("bye_unknown_dialog", lambda: request("BYE", to_tag="gone")),
    ("info_no_dialog", lambda: request("INFO")),
    ("subscribe", lambda: request("SUBSCRIBE", extra="Event: presence\r\n")),
    ("unknown_method", lambda: request("FROB")),
    ("notify_other_dialog", lambda: request("NOTIFY", to_tag="other",
                                            extra="Event: presence\r\nSubscription-State: active\r\n")),
    ("message_no_app", lambda: request("MESSAGE", extra="Content-Type: text/plain\r\n",
                                       body="hello")),
]


def main():
    global PORT
    PORT, out = int(sys.argv[1]), open(sys.argv[2], "w", buffering=1)
    deadline = time.time() + float(sys.argv[3])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", PORT))
    s.settimeout(0.2)
    sent, nwitd, pending, names, done = 0, None, list(CASES), {}, False

    def send(data):
        nonlocal sent
        s.sendto(data if isinstance(data, bytes) else data.encode(), nwitd)
        sent += 1
        out.write("sent %d\n" % sent)

    while time.time() < deadline:
        try:
            data, peer = s.recvfrom(70000)
        except socket.timeout:
            data = None
        if data:
            text = data.decode(errors="replace")
            if text.startswith("SIP/2.0 "):
                callid = hdr(text, "Call-ID")
                if callid in names:
                    allow = hdr(text, "Allow")
                    out.write("answer %s %s%s\n" % (names.pop(callid), text.split(" ")[1],
                                                     " Allow: " + allow if allow else ""))
            elif text.startswith("REGISTER "):
                nwitd = peer
                contact = re.search(r"<([^>]*)>", hdr(text, "Contact")).group(1)
                send(response(text, "200 OK", "Contact: <%s>;expires=600\r\n" % contact))
                if not pending:
                    continue
                # the registration is up: the cases, garbage, a stray REGISTER response
                time.sleep(0.3)
                send(b"\xffNOT SIP AT ALL\r\n\r\n")
                stray = request("REGISTER")
                send(response(stray, "200 OK"))
                send(request("ACK"))
                for name, make in pending:
                    msg = make()
                    names[hdr(msg, "Call-ID")] = name
                    send(msg)
                pending = []
            elif not text.startswith("ACK "):
                send(response(text, "200 OK"))
        if nwitd and not pending and not names and not done:
            out.write("done\n")
            done = True
    for name in names.values():
        out.write("answer %s none\n" % name)
    if not done:
        out.write("done\n")


if __name__ == "__main__":
    main()
