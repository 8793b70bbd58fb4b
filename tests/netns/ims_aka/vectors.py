#!/usr/bin/env python3
"""IMS-AKA challenges and checks for tests/netns/test_ims_aka.sh, from TS 35.208 test set 1.

Independent of nwitd's code: the first challenge is assembled from the published SQN, AK
(f5) and MAC-A (f1) alone; where a value is not published (a fresh MAC after
resynchronisation, MAC-S of AUTS) it is computed here with MILENAGE written in Python on
the openssl command line's AES-128, which first checks itself against the published set.

  vectors.py nonces                 print nonce_ok nonce_badmac nonce_resync (one a line)
  vectors.py check-response HDR [empty]   the Authorization value answers with RES (or "")
  vectors.py check-auts HDR SQN_MS  auts= holds SQN_MS, with a valid MAC-S
"""
import base64
import hashlib
import re
import subprocess
import sys

H = bytes.fromhex
K = H("465b5ce8b199b49faa5f0a2ee238a6bc")
OPC = H("cd63cb71954a9f4e48a5994e37a02baf")
RAND = H("23553cbe9637a89d218ae64dae47bf35")
SQN = H("ff9bb4d0b607")
AMF = H("b9b9")
F1 = H("4a9ffac354dfafb3")
F1S = H("01cfaf9ec4e871e9")
RES = H("a54211d5e3ba50bf")
AK = H("aa689c648370")
AKS = H("451e8beca43b")
IMPI = "alice@ims.example.net"
REALM = "ims.example.net"
URI = "sip:ims.example.net"


def xor(a, b):
    return bytes(x ^ y for x, y in zip(a, b))


def aes(block):
    out = subprocess.run(["openssl", "enc", "-aes-128-ecb", "-nopad", "-K", K.hex()],
                         input=block, capture_output=True, check=True).stdout
    assert len(out) == 16
    return out


def f1_both(sqn, amf):
    """MILENAGE f1 and f1* (TS 35.206 4.1): r1 = 64 bits, c1 = 0."""
    temp = aes(xor(RAND, OPC))
    in1 = sqn + amf + sqn + amf
    x = xor(in1, OPC)
    rot = x[8:] + x[:8]
    out1 = xor(aes(xor(temp, rot)), OPC)
    return out1[:8], out1[8:]


def self_check():
    mac_a, mac_s = f1_both(SQN, AMF)
    if (mac_a, mac_s) != (F1, F1S):
        sys.exit("vectors.py: MILENAGE f1 self-check against TS 35.208 set 1 failed")


def autn(sqn, mac):
    return xor(sqn, AK) + AMF + mac


def nonce(autn_bytes):
    return base64.b64encode(RAND + autn_bytes).decode()


def sqn_add(sqn, n):
    return (int.from_bytes(sqn, "big") + n).to_bytes(6, "big")


def params(hdr):
    hdr = hdr.strip()
    assert hdr.startswith("Digest "), hdr
    out = {}
    for m in re.finditer(r'([A-Za-z-]+)=("([^"]*)"|[^,\s]+)', hdr[7:]):
        out[m.group(1).lower()] = m.group(3) if m.group(3) is not None else m.group(2)
    return out


def md5(s):
    return hashlib.md5(s).hexdigest()


def check_response(hdr, password):
    p = params(hdr)
    want = {"username": IMPI, "realm": REALM, "uri": URI, "algorithm": "AKAv1-MD5",
            "qop": "auth"}
    for k, v in want.items():
        if p.get(k) != v:
            sys.exit(f"{k} is {p.get(k)!r}, want {v!r}")
    ha1 = md5(IMPI.encode() + b":" + REALM.encode() + b":" + password)
    ha2 = md5(b"REGISTER:" + URI.encode())
    expect = md5(":".join([ha1, p["nonce"], p["nc"], p["cnonce"], "auth", ha2]).encode())
    if p.get("response") != expect:
        sys.exit(f"response {p.get('response')} != expected {expect}")
    print("response ok (nc %s)" % p["nc"])


def main():
    cmd = sys.argv[1]
    if cmd == "nonces":
        self_check()
        good = autn(SQN, F1)
        bad = good[:15] + bytes([good[15] ^ 1])
        sqn2 = sqn_add(SQN, 64)     # beyond SQN_MS = SQN + 32 of the resync case
        mac2, _ = f1_both(sqn2, AMF)
        print(nonce(good))
        print(nonce(bad))
        print(nonce(autn(sqn2, mac2)))
    elif cmd == "check-response":
        check_response(sys.argv[2], b"" if len(sys.argv) > 3 else RES)
    elif cmd == "check-auts":
        self_check()
        p = params(sys.argv[2])
        auts = base64.b64decode(p["auts"], validate=True)
        sqn_ms = H(sys.argv[3])
        if len(auts) != 14:
            sys.exit(f"AUTS is {len(auts)} bytes")
        if xor(auts[:6], AKS) != sqn_ms:
            sys.exit(f"AUTS carries SQN_MS {xor(auts[:6], AKS).hex()}, want {sqn_ms.hex()}")
        _, mac_s = f1_both(sqn_ms, b"\0\0")
        if auts[6:] != mac_s:
            sys.exit(f"MAC-S {auts[6:].hex()} != expected {mac_s.hex()}")
        print("auts ok")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
