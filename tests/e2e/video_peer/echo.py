#!/usr/bin/env python3
"""The video peer's media: an RTP/AVP endpoint with an audio and a video port pair that
sends every RTP packet back where it came from (symmetric RTP) under its own SSRC (the
received one with its bits flipped), and counts what arrives per port and payload type.

  echo.py ADDR AUDIO_PORT VIDEO_PORT STATS_FILE

STATS_FILE is rewritten every half second as JSON:
  {"audio": {"rtp": n, "rtcp": n, "echoed": n, "pt": {"0": n}, "ssrcs": [..],
             "rtcp_on_rtp_port": n, "rtp_on_rtcp_port": n}, "video": {...}}
"""
import json
import os
import selectors
import socket
import sys
import time

addr, aport, vport, stats_file = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
sel = selectors.DefaultSelector()
stats = {}
for kind, port in (("audio", aport), ("video", vport)):
    stats[kind] = {"rtp": 0, "rtcp": 0, "echoed": 0, "pt": {}, "ssrcs": [],
                   "rtcp_on_rtp_port": 0, "rtp_on_rtcp_port": 0}
    for p, what in ((port, "rtp"), (port + 1, "rtcp")):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((addr, p))
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, (kind, what))

last = 0.0
while True:
    for key, _ in sel.select(0.2):
        kind, what = key.data
        try:
            data, src = key.fileobj.recvfrom(2048)
        except BlockingIOError:
            continue
        st = stats[kind]
        if len(data) < 12 or data[0] >> 6 != 2:
            continue
        if 192 <= data[1] <= 223:
            # RTCP belongs on the RTCP port (RTP/AVP, no rtcp-mux)
            st["rtcp" if what == "rtcp" else "rtcp_on_rtp_port"] += 1
            continue
        if what == "rtcp":
            st["rtp_on_rtcp_port"] += 1
            continue
        st["rtp"] += 1
        pt = str(data[1] & 0x7F)
        st["pt"][pt] = st["pt"].get(pt, 0) + 1
        ssrc = int.from_bytes(data[8:12], "big")
        if ssrc not in st["ssrcs"] and len(st["ssrcs"]) < 8:
            st["ssrcs"].append(ssrc)
        out = bytearray(data)
        out[8:12] = (ssrc ^ 0xFFFFFFFF).to_bytes(4, "big")
        key.fileobj.sendto(bytes(out), src)
        st["echoed"] += 1
    now = time.monotonic()
    if now - last >= 0.5:
        last = now
        tmp = stats_file + ".tmp"
        with open(tmp, "w") as f:
            json.dump(stats, f)
        os.replace(tmp, stats_file)
