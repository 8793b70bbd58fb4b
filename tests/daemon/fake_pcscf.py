#!/usr/bin/env python3
"""A minimal P-CSCF on loopback UDP for daemon tests: answers nwitd's REGISTER 200 OK
(echoing Via, From, To, Call-ID and CSeq, with P-Associated-URI), and then runs the
steps given on the command line.

usage: fake_pcscf.py PORT STEP...
  wait:FILE       wait until FILE exists (up to 30 s)
  message:URI     send a MESSAGE for URI to nwitd and print its final status "FINAL n"
Prints "REGISTERED <nwitd host> <nwitd port>" once it answered the REGISTER.
"""
import os
import re
import socket
import sys
import time

port, steps = int(sys.argv[1]), sys.argv[2:]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", port))
s.settimeout(30)


def hdr(msg, name):
    m = re.search(r"^" + name + r":\s*(.*?)\r$", msg, re.M | re.I)
    return m.group(1) if m else ""


while True:
    data, nwitd = s.recvfrom(65536)
    msg = data.decode(errors="replace")
    if msg.startswith("REGISTER "):
        break
reply = ("SIP/2.0 200 OK\r\n"
         + "".join(f"Via: {v}\r\n" for v in re.findall(r"^Via:\s*(.*?)\r$", msg, re.M))
         + f"From: {hdr(msg, 'From')}\r\nTo: {hdr(msg, 'To')};tag=reg1\r\n"
         f"Call-ID: {hdr(msg, 'Call-ID')}\r\nCSeq: {hdr(msg, 'CSeq')}\r\n"
         f"Contact: {hdr(msg, 'Contact')};expires=600\r\n"
         "P-Associated-URI: <sip:alice@ims.example.net>\r\nContent-Length: 0\r\n\r\n")
s.sendto(reply.encode(), nwitd)
print("REGISTERED", nwitd[0], nwitd[1], flush=True)
for step in steps:
    kind, _, arg = step.partition(":")
    if kind == "wait":
        end = time.time() + 30
        while not os.path.exists(arg) and time.time() < end:
            time.sleep(0.05)
    elif kind == "message":
        body = b"hello over ws"
        req = (f"MESSAGE {arg} SIP/2.0\r\n"
               f"Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK{os.urandom(4).hex()}\r\n"
               f"Max-Forwards: 70\r\nFrom: <sip:bob@ims.example.net>;tag=b1\r\n"
               f"To: <{arg}>\r\nCall-ID: m-{os.urandom(4).hex()}@test\r\nCSeq: 1 MESSAGE\r\n"
               f"Content-Type: text/plain\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
        s.sendto(req, nwitd)
        end = time.time() + 20
        while time.time() < end:
            data, _ = s.recvfrom(65536)
            m = re.match(rb"SIP/2.0 (\d+)", data)
            if m and b"CSeq: 1 MESSAGE" in data and int(m.group(1)) >= 200:
                print("FINAL", int(m.group(1)), flush=True)
                break
