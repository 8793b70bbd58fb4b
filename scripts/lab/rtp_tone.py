#!/usr/bin/env python3
"""The tone in the G.711 RTP of a packet capture: what a phone was sent, decoded.

    rtp_tone.py FILE.pcap --port PORT[-LAST] [--after EPOCH_S] [--before EPOCH_S]

Reads a capture (tcpdump -w: Ethernet or Linux cooked v1/v2 framing) of UDP/IPv4 toward PORT
(or any port of PORT-LAST),
keeps the RTP packets with payload type 0 (PCMU) or 8 (PCMA) captured between the two
times (seconds since the epoch), decodes them in sequence order into 8 kHz PCM and
prints what tone.py prints for it: "<frequency in Hz> <seconds of signal> <rms>", and
the packet count. Exits 1 when no packet or no signal is there. It measures what reached
the phone's socket, whatever the phone does with it afterwards.
"""
import array
import os
import struct
import sys
import tempfile
import wave

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tone  # noqa: E402  (scripts/lab/tone.py)


def ulaw(b):
    """ITU-T G.711 mu-law byte -> 16-bit sample."""
    b = ~b & 0xFF
    mag = ((((b & 0x0F) << 3) + 0x84) << ((b >> 4) & 7)) - 0x84
    return -mag if b & 0x80 else mag


def alaw(b):
    """ITU-T G.711 A-law byte -> 16-bit sample."""
    b ^= 0x55
    e, m = (b >> 4) & 7, b & 0x0F
    mag = (m << 4) + 8 if e == 0 else ((m << 4) + 0x108) << (e - 1)
    return mag if b & 0x80 else -mag


ULAW = [ulaw(i) for i in range(256)]
ALAW = [alaw(i) for i in range(256)]


def decode(payload, table):
    pcm = array.array("h", (table[b] for b in payload))
    if sys.byteorder == "big":
        pcm.byteswap()
    return pcm.tobytes()


def packets(path):
    """(time, UDP destination port, UDP payload) of each IPv4/UDP packet of the capture."""
    with open(path, "rb") as f:
        head = f.read(24)
        if len(head) < 24:
            return
        magic = struct.unpack("<I", head[:4])[0]
        if magic in (0xA1B2C3D4, 0xA1B23C4D):
            end = "<"
        elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
            end = ">"
        else:
            raise SystemExit(f"{path}: not a pcap file")
        nano = magic in (0xA1B23C4D, 0x4D3CB2A1)
        link = struct.unpack(end + "I", head[20:24])[0]
        # link header length and where its EtherType is: Ethernet, Linux cooked v1, v2
        l2, proto_at = {1: (14, 12), 113: (16, 14), 276: (20, 0)}.get(link, (None, None))
        if l2 is None:
            raise SystemExit(f"{path}: link type {link} is not Ethernet or Linux cooked")
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return
            sec, frac, caplen, _ = struct.unpack(end + "IIII", rec)
            data = f.read(caplen)
            t = sec + frac / (1e9 if nano else 1e6)
            if len(data) < l2:
                continue
            proto = struct.unpack(">H", data[proto_at:proto_at + 2])[0]
            ip = data[l2:]
            if proto != 0x0800 or len(ip) < 20 or ip[9] != 17:
                continue
            ihl = (ip[0] & 0x0F) * 4
            udp = ip[ihl:]
            if len(udp) < 8:
                continue
            yield t, struct.unpack(">H", udp[2:4])[0], udp[8:]


def main():
    args = sys.argv[1:]
    # one SSRC is assumed: the packets of one sender toward one phone
    if not args or len(args) % 2 != 1:
        raise SystemExit(__doc__)
    opts = {"--port": None, "--after": "0", "--before": "inf"}
    for name, value in zip(args[1::2], args[2::2]):
        if name not in opts:
            raise SystemExit(__doc__)
        opts[name] = value
    if opts["--port"] is None:
        raise SystemExit(__doc__)
    lo, _, hi = opts["--port"].partition("-")
    lo, hi = int(lo), int(hi or lo)
    after, before = float(opts["--after"]), float(opts["--before"])
    frames = {}
    for t, dport, rtp in packets(args[0]):
        if not lo <= dport <= hi or not after <= t <= before:
            continue
        if len(rtp) < 12 or rtp[0] >> 6 != 2:
            continue
        pt, seq = rtp[1] & 0x7F, struct.unpack(">H", rtp[2:4])[0]
        start = 12 + 4 * (rtp[0] & 0x0F)
        if rtp[0] & 0x10 and len(rtp) >= start + 4:
            start += 4 + 4 * struct.unpack(">H", rtp[start + 2:start + 4])[0]
        payload = rtp[start:]
        if rtp[0] & 0x20 and payload:
            payload = payload[:-payload[-1]]
        if pt in (0, 8):
            frames[seq] = decode(payload, ULAW if pt == 0 else ALAW)
    if not frames:
        print(f"{args[0]}: no G.711 RTP toward port {opts['--port']} in that time")
        sys.exit(1)
    # sequence order, across a wrap of the 16-bit number
    order = sorted(frames)
    if order[-1] - order[0] > 32768:
        order = sorted(frames, key=lambda s: (s + 32768) & 0xFFFF)
    with tempfile.NamedTemporaryFile(suffix=".wav") as tmp:
        with wave.open(tmp.name, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(8000)
            w.writeframes(b"".join(frames[s] for s in order))
        result = tone.measure(tmp.name, 0.0)
    if result is None:
        print(f"{args[0]}: {len(frames)} packets, no signal")
        sys.exit(1)
    print("%.0f %.2f %.0f %d" % (result + (len(frames),)))


if __name__ == "__main__":
    main()
