#!/usr/bin/env python3
"""Measure the frequency of a tone in a WAV file (16-bit PCM) by zero crossings.

    tone.py FILE.wav [--skip SECONDS] [--first SECONDS | --last SECONDS]

Prints "<frequency in Hz> <seconds of signal> <rms>" for the part of the file that is not
silent (after skipping the first SECONDS, default 0.5, where codecs and jitter buffers
settle). --first keeps only the SECONDS after the skipped part, --last only the last
SECONDS of the file (what was heard last, e.g. after a resume). Exits 1 if that part holds
no signal.
"""
import sys
import wave
import array
import math


def measure(path, skip, first=None, last=None):
    with wave.open(path, "rb") as w:
        if w.getsampwidth() != 2:
            raise SystemExit(f"{path}: only 16-bit PCM is supported")
        rate, channels = w.getframerate(), w.getnchannels()
        samples = array.array("h", w.readframes(w.getnframes()))
    if sys.byteorder == "big":
        samples.byteswap()
    mono = samples[::channels]
    mono = mono[int(skip * rate):]
    if first is not None:
        mono = mono[:int(first * rate)]
    if last is not None:
        mono = mono[max(0, len(mono) - int(last * rate)):]
    # Measure over runs of 20 ms blocks with signal: silence (before the answer, after the
    # hangup) would otherwise dilute the crossing rate.
    block = max(1, rate // 50)
    runs, current = [], None
    for i in range(0, len(mono) - block + 1, block):
        chunk = mono[i:i + block]
        loud = math.sqrt(sum(s * s for s in chunk) / block) > 300
        if loud and current is None:
            current = i
        elif not loud and current is not None:
            runs.append((current, i))
            current = None
    if current is not None:
        runs.append((current, len(mono) - len(mono) % block))
    crossings, intervals, sq, total = 0, 0, 0.0, 0
    for start, end in runs:
        run = mono[start:end]
        prev = run[0]
        for s in run[1:]:
            if (prev < 0) != (s < 0):
                crossings += 1
            prev = s
        intervals += len(run) - 1
        total += len(run)
        sq += sum(s * s for s in run)
    if total == 0:
        return None
    seconds = intervals / rate
    return crossings / 2 / seconds, total / rate, math.sqrt(sq / total)


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    opts = {"--skip": 0.5, "--first": None, "--last": None}
    args = sys.argv[2:]
    if len(args) % 2 or any(a not in opts for a in args[::2]):
        raise SystemExit(__doc__)
    for name, value in zip(args[::2], args[1::2]):
        opts[name] = float(value)
    if opts["--first"] is not None and opts["--last"] is not None:
        raise SystemExit(__doc__)
    result = measure(sys.argv[1], opts["--skip"], opts["--first"], opts["--last"])
    if result is None:
        print(f"{sys.argv[1]}: no signal")
        sys.exit(1)
    print("%.0f %.2f %.0f" % result)


if __name__ == "__main__":
    main()
