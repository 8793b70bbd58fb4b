#!/usr/bin/env python3
"""The raw-IP "bearer" side of the fast path TUN test: it holds a TUN device (no L2 header,
like an LTE rmnet device), writes plain RTP/UDP/IPv4 packets into it and reads what the
gateway sends out through it.

  tun_peer.py DEV SSRC_OUT SRC DST SPORT DPORT COUNT  SSRC_IN DPORT_IN TIMEOUT_S

Packet i of a stream is the same as srtp_peer.c builds (seq 1000 + i, timestamp 160 i,
PT 0, 160 + 100 (i % 5) payload bytes derived from i). It first sends COUNT packets
(SSRC_OUT, SRC:SPORT -> DST:DPORT) once the file DEV.go exists, then waits up to TIMEOUT_S
for COUNT packets to DPORT_IN, checks the IPv4 header checksum, the UDP checksum and that
each payload is the expected RTP of SSRC_IN; prints "received N matched M bad B".
"""
import fcntl
import os
import select
import socket
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def rtp(i, ssrc):
    plen = 160 + 100 * (i % 5)
    hdr = struct.pack("!BBHII", 0x80, 0, (1000 + i) & 0xFFFF, (160 * i) & 0xFFFFFFFF, ssrc)
    return hdr + bytes((i * 31 + j) & 0xFF for j in range(plen))


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4_udp(src, dst, sport, dport, payload):
    ulen = 8 + len(payload)
    s, d = socket.inet_aton(src), socket.inet_aton(dst)
    pseudo = s + d + struct.pack("!BBH", 0, 17, ulen)
    udp = struct.pack("!HHHH", sport, dport, ulen, 0) + payload
    c = csum(pseudo + udp) or 0xFFFF
    udp = udp[:6] + struct.pack("!H", c) + udp[8:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + ulen, 0, 0, 64, 17, 0, s, d)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + udp


def main():
    (dev, ssrc_out, src, dst, sport, dport, count, ssrc_in, dport_in,
     timeout) = sys.argv[1:11]
    ssrc_out, ssrc_in = int(ssrc_out, 0), int(ssrc_in, 0)
    sport, dport, count, dport_in = int(sport), int(dport), int(count), int(dport_in)
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", dev.encode(), IFF_TUN | IFF_NO_PI))
    print("ready", flush=True)
    deadline = time.time() + 10
    while not os.path.exists(dev + ".go") and time.time() < deadline:
        time.sleep(0.05)
    for i in range(count):
        os.write(fd, ipv4_udp(src, dst, sport, dport, rtp(i, ssrc_out)))
        time.sleep(0.005)
    print("sent %d" % count, flush=True)
    got = ok = bad = 0
    deadline = time.time() + float(timeout)
    while ok < count and time.time() < deadline:
        r, _, _ = select.select([fd], [], [], max(0.0, deadline - time.time()))
        if not r:
            break
        pkt = os.read(fd, 4096)
        if len(pkt) < 28 or pkt[0] >> 4 != 4 or pkt[9] != 17:
            continue
        ihl = (pkt[0] & 15) * 4
        udp = pkt[ihl:]
        if struct.unpack("!H", udp[2:4])[0] != dport_in:
            continue
        got += 1
        payload = udp[8:]
        pseudo = pkt[12:20] + struct.pack("!BBH", 0, 17, len(udp))
        seq = struct.unpack("!H", payload[2:4])[0] if len(payload) >= 4 else 0
        i = (seq - 1000) & 0xFFFF
        if (csum(pkt[:ihl]) == 0 and csum(pseudo + udp) == 0
                and struct.unpack("!H", pkt[2:4])[0] == len(pkt)
                and payload == rtp(i, ssrc_in)):
            ok += 1
        else:
            bad += 1
    print("received %d matched %d bad %d" % (got, ok, bad), flush=True)
    sys.exit(0 if ok == count else 1)


if __name__ == "__main__":
    main()
