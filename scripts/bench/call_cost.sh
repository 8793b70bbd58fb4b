#!/usr/bin/env bash
# Call cost in the lab, fast path vs userspace relay, side by side in one run.
#
#   scripts/bench/call_cost.sh [--build DIR] [--calls N] [--seconds S] [--modes "auto off"]
#
# For each [fastpath] mode (auto: BPF fast path; off: userspace relay) a fresh nwitd serves
# headless Chromium running the sample app (JsSIP) in the lab: N calls app -> bob, N calls
# bob -> app (baresip behind Kamailio), then one call app -> bob held for S seconds.
#  1. Setup latency nwitd adds, on the wire: dumpcap in the ue namespace records SIP on
#     lan0 (the app's plain ws:// WebSocket, tcp/8461) and lte0 (SIP to the P-CSCF,
#     port 5060); tshark decodes SIP over WebSocket. Per call: INVITE in -> INVITE out and
#     200 in -> 200 out, both directions; median and p90. nwitd's own call timeline
#     (microseconds, `nwitctl -j status`) gives the time inside its handlers next to it.
#  2. Cost of an established call: over S seconds starting 3 s after the call is
#     established, nwitd's utime+stime (/proc/PID/stat), CPU time in ns
#     (/proc/PID/task/*/schedstat), voluntary and involuntary context switches
#     (/proc/PID/task/*/status; voluntary ones are its wake-ups) and the call's media
#     counters (datagrams nwitd read, RTP it relayed, packets the kernel forwarded).
# Needs root, the lab's packages, tshark and tests/e2e's npm packages. Prints "skipped: ..."
# and exits 0 when something is missing. Measures; never passes or fails on a time.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${NWIT_BUILD:-$top/build}
calls=10 secs=60 modes="auto off"
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$(cd "$2" && pwd); shift 2 ;;
	--calls) calls=$2; shift 2 ;;
	--seconds) secs=$2; shift 2 ;;
	--modes) modes=$2; shift 2 ;;
	*) sed -n '2,4p' "$0" >&2; exit 2 ;;
	esac
done
skip() { echo "skipped: $*"; exit 0; }
[ "$(id -u)" -eq 0 ] || skip "needs root for network namespaces"
for tool in kamailio baresip sox chromium node python3 tshark dumpcap nsenter; do
	command -v "$tool" >/dev/null || skip "$tool is not installed"
done
e2e=$top/tests/e2e
[ -d "$e2e/node_modules/playwright-core" ] && [ -d "$e2e/node_modules/jssip" ] ||
	skip "npm packages missing: (cd tests/e2e && npm ci)"
[ -x "$build/nwitd" ] && [ -x "$build/nwitctl" ] || skip "nwitd/nwitctl not built in $build"

prefix="ncc$$-"
run=$(mktemp -d /tmp/nwit-call-cost.XXXXXX)
pin=/sys/fs/bpf/ncc$$
export NWIT_BUILD="$build" NWIT_LAB_PREFIX="$prefix" NWIT_LAB_RUN="$run"
lab="$top/scripts/lab.sh"
ims="$top/scripts/lab/ims.sh"
webapp="$top/scripts/lab/webapp.sh"
nwitd_pid= cap_pid= drv_pid=
cleanup() {
	set +e
	[ -n "$drv_pid" ] && kill "$drv_pid" 2>/dev/null
	[ -n "$cap_pid" ] && kill "$cap_pid" 2>/dev/null
	[ -n "$nwitd_pid" ] && kill "$nwitd_pid" 2>/dev/null && sleep 0.5
	"$webapp" stop >/dev/null 2>&1 || true
	"$ims" stop >/dev/null 2>&1 || true
	"$lab" down >/dev/null 2>&1 || true
	rm -rf "$pin"
	[ -n "${NWIT_BENCH_KEEP:-}" ] && echo "# kept $run" >&2 || rm -rf "$run"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
in_ns() { local ns=$1; shift; nsenter --net="/var/run/netns/$prefix$ns" -- "$@"; }
wait_for() { # wait_for SECONDS COMMAND...
	local deadline=$((SECONDS + $1)); shift
	until "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.1
	done
}

"$lab" up >/dev/null || skip "cannot build the lab"
mkdir -p "$run/state"
"$ims" core-start >/dev/null
"$ims" ue-start bob 5070 1000 >/dev/null
"$webapp" token >/dev/null	# makes the lab operator's key before nwitd reads it
"$webapp" serve >/dev/null
tone=$run/tone440.wav
sox -n -r 48000 -c 1 -b 16 "$tone" synth 600 sine 440 vol 0.5
token=$("$webapp" token)

registered() {
	"$build/nwitctl" -s "$run/nwitd.sock" -j status 2>/dev/null | python3 -c '
import json, sys; sys.exit(json.load(sys.stdin)["ims"]["state"] != "registered")'
}

for mode in $modes; do
	sed -e "s|@RUN@|$run|g" -e "s|@BUILD@|$build|g" -e "s|^mode = .*|mode = $mode|" \
		-e "s|^pin_path = .*|pin_path = $pin|" -e "s|^log_level = .*|log_level = warn|" \
		"$top/scripts/lab/nwit.conf.in" >"$run/nwit.conf"
	rm -f "$run/nwitd.sock"
	nsenter --net="/var/run/netns/${prefix}ue" -- dumpcap -q -i lan0 -f "tcp port 8461" -i lte0 -f "port 5060" \
		-w "$run/sip-$mode.pcapng" 2>"$run/dumpcap-$mode.log" &
	cap_pid=$!
	wait_for 10 grep -q "Capturing on" "$run/dumpcap-$mode.log" ||
		{ cat "$run/dumpcap-$mode.log" >&2; echo "dumpcap did not start" >&2; exit 1; }
	nsenter --net="/var/run/netns/${prefix}ue" -- "$build/nwitd" -f "$run/nwit.conf" 2>"$run/nwitd-$mode.log" &
	nwitd_pid=$!
	wait_for 15 registered || { tail -20 "$run/nwitd-$mode.log" >&2; echo "nwitd did not register" >&2; exit 1; }
	# in the background: a signal to this script is then handled at once (wait returns)
	E2E_DIR="$e2e" TONE_WAV="$tone" IMS_SH="$ims" \
		APP_URL="http://203.0.113.10:8080/index.html?gw=http://192.0.2.1:8461&token=$token" \
		NWITCTL="$build/nwitctl" NWITD_SOCK="$run/nwitd.sock" NWITD_PID="$nwitd_pid" \
		N_OUT="$calls" N_IN="$calls" HOLD_SECONDS="$secs" \
		nsenter --net="/var/run/netns/${prefix}browser" -- timeout $((secs + 60 * calls + 120)) \
		node "$top/scripts/bench/call_cost_driver.js" >"$run/drive-$mode.log" 2>&1 &
	drv_pid=$!
	wait "$drv_pid" || echo "# $mode: the browser driver failed: $(tail -3 "$run/drive-$mode.log")"
	drv_pid=
	sleep 0.5
	kill -INT "$cap_pid"; wait "$cap_pid" 2>/dev/null || true; cap_pid=
	kill -TERM "$nwitd_pid"; wait "$nwitd_pid" 2>/dev/null || true; nwitd_pid=
	# SIP seen on the wire; a TCP segment toward the app may carry several WebSocket
	# messages, so every SIP PDU of a frame is kept (JSON without duplicate keys)
	tshark -r "$run/sip-$mode.pcapng" -d tcp.port==8461,http -Y sip -T json \
		--no-duplicate-keys -j "frame ip sip" >"$run/sip-$mode.json" 2>"$run/tshark-$mode.log" || true
done

echo "# machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')), kernel $(uname -r)"
echo "# $calls calls each way per mode, one ${secs} s call per mode; lab veth, PCMU 20 ms"
python3 - "$run" "$(getconf CLK_TCK)" $modes <<'EOF'
import json, re, sys

run, hz, modes = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
APP, GW_LAN, GW_LTE, PCSCF = "192.0.2.10", "192.0.2.1", "198.51.100.1", "198.51.100.10"
name = {"auto": "fast path", "off": "userspace relay"}

def pct(v, p):
    v = sorted(v)
    if not v:
        return float("nan")
    k = (len(v) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)

coalesced = {}  # TCP segments toward the app that carried more than one SIP message

def wire(mode):
    """Pairs each message arriving at the gateway with the next one it sends for it."""
    kinds = {  # kind: (match of the message in, match of the message out)
        "app->IMS INVITE": (lambda s, m, st, cs: s == APP and m == "INVITE",
                            lambda s, m, st, cs: s == GW_LTE and m == "INVITE"),
        "app->IMS 200": (lambda s, m, st, cs: s == PCSCF and st == "200" and cs == "INVITE",
                         lambda s, m, st, cs: s == GW_LAN and st == "200" and cs == "INVITE"),
        "IMS->app INVITE": (lambda s, m, st, cs: s == PCSCF and m == "INVITE",
                            lambda s, m, st, cs: s == GW_LAN and m == "INVITE"),
        "IMS->app 200": (lambda s, m, st, cs: s == APP and st == "200" and cs == "INVITE",
                         lambda s, m, st, cs: s == GW_LTE and st == "200" and cs == "INVITE"),
    }
    ev = {k: ([], []) for k in kinds}
    seen = set()
    try:
        frames = json.load(open("%s/sip-%s.json" % (run, mode)))
    except (OSError, ValueError):
        frames = []
    msgs = []
    for fr in frames:
        l = fr["_source"]["layers"]
        t, src = float(l["frame"]["frame.time_epoch"]), l["ip"]["ip.src"]
        pdus = l["sip"] if isinstance(l["sip"], list) else [l["sip"]]
        if src == GW_LAN and len(pdus) > 1:
            coalesced[mode] = coalesced.get(mode, 0) + 1
        for p in pdus:
            first = (p.get("sip.Request-Line") or p.get("sip.Status-Line") or "").split()
            hdr = p.get("sip.msg_hdr", "")
            h = lambda name: (re.search(r"^(?:%s):[ \t]*(.*?)\r?$" % name, hdr, re.M | re.I) or [None, ""])[1]
            if len(first) < 2:
                continue
            meth, st = (first[0], "") if "sip.Request-Line" in p else ("", first[1])
            cs = (h("CSeq").split() + ["", ""])[1]
            totag = (re.search(r";\s*tag=([^;>\s]+)", h("To|t")) or [None, ""])[1]
            msgs.append((t, src, meth, st, cs, h("Call-ID|i"), totag))
    for t, src, meth, st, cs, cid, totag in sorted(msgs):
        if meth == "INVITE" and totag:
            continue  # re-INVITE
        for k, (fin, fout) in kinds.items():
            for side, match in ((0, fin), (1, fout)):
                if match(src, meth, st, cs) and (k, side, cid) not in seen:
                    seen.add((k, side, cid))  # first copy only: no retransmissions
                    ev[k][side].append(t)
    out = {}
    for k, (ins, outs) in ev.items():
        d, j = [], 0
        for i, t in enumerate(ins):
            nxt = ins[i + 1] if i + 1 < len(ins) else float("inf")
            while j < len(outs) and outs[j] < t:
                j += 1
            if j < len(outs) and outs[j] < nxt:
                d.append((outs[j] - t) * 1e6)
                j += 1
        out[k] = d
    return out

def driver(mode):
    r = {"out_call": [], "in_call": []}
    try:
        lines = open("%s/drive-%s.log" % (run, mode)).read().splitlines()
    except OSError:
        lines = []
    for line in lines:
        if line.startswith("R "):
            _, k, v = line.split(" ", 2)
            v = json.loads(v)
            if k in r and isinstance(r[k], list):
                r[k].append(v)
            else:
                r[k] = v
    return r

def timeline(calls):
    """Time inside nwitd's handlers, from its call timeline (us)."""
    pairs = {
        "app-to-ims": (("app 200 OK sent", "IMS 200 OK, ACK sent"), ("app ", "IMS INVITE sent")),
        "ims-to-app": (("IMS 200 OK sent", "app "), ("IMS INVITE from", "offered to app")),
    }
    inv, ok = [], []
    for c in calls:
        tl = c.get("timeline", {}).get("tl") or []
        d = c.get("timeline", {}).get("direction")
        if not c.get("ok") or d not in pairs:
            continue
        first = lambda p, after=0: next((u for u, e in tl if e.startswith(p) and u >= after), None)
        (ok_out, ok_in), (inv_in, inv_out) = pairs[d]
        a = first(inv_in) if d == "ims-to-app" else next((u for u, e in tl if e.startswith("app ") and "INVITE" in e), None)
        b = first(inv_out)
        if a is not None and b is not None:
            inv.append(b - a)
        if d == "app-to-ims":
            a, b = first(ok_in), first(ok_out)
        else:
            a = next((u for u, e in tl if e.startswith("app ") and e.endswith("answered")), None)
            b = first(ok_out)
        if a is not None and b is not None:
            ok.append(b - a)
    return inv, ok

res = {}
for mode in modes:
    res[mode] = (wire(mode), driver(mode))

print()
print("Setup latency added by nwitd, µs (wire: capture on lan0+lte0; handler: nwitd's timeline)")
print("%-16s %-16s %5s %8s %8s %8s %10s %10s" % ("media path", "message", "n", "median", "p90", "max",
                                                   "hdl_median", "hdl_p90"))
for mode in modes:
    w, d = res[mode]
    ti, to = timeline(d["out_call"])
    ii, io = timeline(d["in_call"])
    hdl = {"app->IMS INVITE": ti, "app->IMS 200": to, "IMS->app INVITE": ii, "IMS->app 200": io}
    for k in ("app->IMS INVITE", "app->IMS 200", "IMS->app INVITE", "IMS->app 200"):
        v = w[k]
        print("%-16s %-16s %5d %8.0f %8.0f %8.0f %10.0f %10.0f" % (
            name.get(mode, mode), k, len(v), pct(v, 50), pct(v, 90), max(v) if v else float("nan"),
            pct(hdl[k], 50), pct(hdl[k], 90)))
    okc = sum(1 for c in d["out_call"] + d["in_call"] if c.get("ok"))
    print("%-16s (%d of %d short calls established; %d TCP segments toward the app carried"
          " several SIP messages)" % ("", okc, len(d["out_call"]) + len(d["in_call"]), coalesced.get(mode, 0)))

print()
cost = {}
for mode in modes:
    w = res[mode][1].get("long_window")
    if not w:
        print("%s: no measured call (%s)" % (name.get(mode, mode), res[mode][1].get("error", "not established")))
        continue
    p0, p1, m0, m1 = w["p0"], w["p1"], w["media0"] or {}, w["media1"] or {}
    dt = (int(p1["t"]) - int(p0["t"])) / 1e9
    g = lambda m, *ks: (lambda v: v if isinstance(v, (int, float)) else 0)(
        __import__("functools").reduce(lambda a, k: (a or {}).get(k) if isinstance(a, dict) else None, ks, m))
    dd = lambda *ks: g(m1, *ks) - g(m0, *ks)
    c = {
        "seconds": dt,
        "cpu_ms_ticks": (p1["utime"] + p1["stime"] - p0["utime"] - p0["stime"]) * 1000 / hz,
        "cpu_ms": (p1["run_ns"] - p0["run_ns"]) / 1e6,
        "vol": p1["vol"] - p0["vol"],
        "invol": p1["invol"] - p0["invol"],
        "read": dd("rx_browser") + dd("rx_ims"),
        "relayed": dd("rtp_relayed_from_browser") + dd("rtp_relayed_from_ims"),
        "kernel": dd("fastpath", "from_browser", "packets") + dd("fastpath", "from_ims", "packets"),
        "page_rx": g(w["rx1"], "packets") - g(w["rx0"], "packets"),
        "path": m1.get("path"),
    }
    c["wakeups"] = c["vol"] / dt
    cost[mode] = c

if cost:
    print("nwitd during one established call (window of %.0f s, 3 s after the 200)" %
          max(c["seconds"] for c in cost.values()))
    print("%-16s %-16s %9s %9s %7s %7s %9s %9s %9s %10s %9s" % (
        "media path", "path (nwitd)", "cpu_ms", "utime+st", "vol_cs", "inv_cs", "wakeup/s",
        "nwitd_rx", "relayed", "kernel", "page_rx"))
    for mode, c in cost.items():
        print("%-16s %-16s %9.1f %9.0f %7d %7d %9.1f %9d %9d %10d %9d" % (
            name.get(mode, mode), c["path"], c["cpu_ms"], c["cpu_ms_ticks"], c["vol"], c["invol"],
            c["wakeups"], c["read"], c["relayed"], c["kernel"], c["page_rx"]))
    if "auto" in cost and "off" in cost:
        a, o = cost["auto"], cost["off"]
        r = lambda x, y: "%.1f×" % (x / y) if y else "∞ (fast path: 0)"
        print("relay / fast path: CPU %s, context switches %s, wake-ups %s, datagrams read by nwitd %s" % (
            r(o["cpu_ms"], a["cpu_ms"]), r(o["vol"] + o["invol"], a["vol"] + a["invol"]),
            r(o["wakeups"], a["wakeups"]), r(o["read"], a["read"])))
        tot = lambda c: c["relayed"] + c["kernel"]
        print("share of RTP carried in the kernel: fast path %.1f %%, relay %.1f %%" % (
            100 * a["kernel"] / max(tot(a), 1), 100 * o["kernel"] / max(tot(o), 1)))
        print("nwitd CPU per relayed RTP packet (relay): %.1f µs" % (1000 * o["cpu_ms"] / max(o["relayed"], 1)))
EOF
