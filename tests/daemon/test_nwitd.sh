#!/usr/bin/env bash
# nwitd as a process: config check, control socket, SIGHUP reload, bad input, shutdown.
# asan: yes
. "$(dirname "$0")/../lib.sh"
t_tmpdir

conf="$T/nwit.conf"
sock="$T/nwitd.sock"
write_conf() { # write_conf LOG_LEVEL [extra line]
	cat >"$conf" <<EOC
[general]
log_level = $1
control_socket = $sock
state_dir = $T/state
[fastpath]
mode = off
$2
EOC
}
ctl() { "$NWITCTL" -s "$sock" "$@"; }
json_get() { # json_get KEY.PATH < json
	python3 -c 'import json,sys
v=json.load(sys.stdin)
for k in sys.argv[1].split("."): v=v[k]
print(v)' "$1"
}

# --- configuration check -------------------------------------------------------------
t_check "nwitd -n accepts the sample configuration" "$NWITD" -n -f "$NWIT_TOP/docs/nwit.conf.sample"

write_conf info "bogus_key = 1"
out=$("$NWITD" -n -f "$conf" 2>&1); rc=$?
if [ "$rc" -ne 0 ] && [ "$out" = "nwitd: $conf:7: unknown key 'bogus_key' in section [fastpath]" ]; then
	t_pass "nwitd -n rejects a broken config with file, line and reason"
else
	t_fail "nwitd -n rejects a broken config with file, line and reason" "rc=$rc out=$out"
fi

out=$("$NWITD" -n -f "$T/missing.conf" 2>&1); rc=$?
[ "$rc" -ne 0 ] && [[ "$out" == *"missing.conf: cannot open: No such file or directory" ]] &&
	t_pass "nwitd -n reports a missing file" || t_fail "nwitd -n reports a missing file" "$out"

# --- running daemon ------------------------------------------------------------------
write_conf info
"$NWITD" -f "$conf" 2>"$T/log" &
pid=$!
t_on_exit "kill -9 $pid 2>/dev/null"
if wait_for 5 test -S "$sock"; then t_pass "control socket appears"; else t_fail "control socket appears" "$(cat "$T/log")"; fi

st=$(ctl -j status)
[ "$(json_get pid <<<"$st")" = "$pid" ] && [ "$(json_get config.log_level <<<"$st")" = info ] &&
	t_pass "nwitctl -j status answers with pid and config" || t_fail "nwitctl -j status" "$st"
[ "$(stat -c %a "$sock")" = 600 ] && t_pass "control socket is private (0600)" ||
	t_fail "control socket is private (0600)" "$(stat -c %a "$sock")"

ctl status | grep -qx "config.log_level: info" && t_pass "nwitctl status prints key: value lines" ||
	t_fail "nwitctl status prints key: value lines"

# SIGHUP with a broken file keeps the running configuration.
write_conf debug "this line is not valid"
kill -HUP "$pid"
wait_for 5 grep -q "reload refused" "$T/log"
st=$(ctl -j status)
if [ "$(json_get config.log_level <<<"$st")" = info ] &&
   [ "$(json_get config.last_reload_error <<<"$st")" = "$conf:7: syntax error: expected '[section]' or 'name = value'" ]; then
	t_pass "SIGHUP with a bad config keeps the running one and says why"
else
	t_fail "SIGHUP with a bad config keeps the running one and says why" "$st"
fi
grep -q "reload refused, keeping the running configuration: $conf:" "$T/log" &&
	t_pass "the refused reload is logged with file and line" || t_fail "refused reload logged" "$(cat "$T/log")"

out=$(ctl reload 2>&1); rc=$?
[ "$rc" -ne 0 ] && [[ "$out" == "nwitctl: reload: $conf:"* ]] &&
	t_pass "nwitctl reload reports the refusal" || t_fail "nwitctl reload reports the refusal" "rc=$rc $out"

# SIGHUP with a good file applies it.
write_conf debug
kill -HUP "$pid"
wait_for 5 sh -c "'$NWITCTL' -s '$sock' -j status | grep -q '\"log_level\": \"debug\"'" &&
	t_pass "SIGHUP with a good config applies it" || t_fail "SIGHUP with a good config applies it" "$(ctl -j status)"
st=$(ctl -j stats)
[ "$(json_get counters.config_reloads <<<"$st")" = 1 ] && [ "$(json_get counters.config_reload_failures <<<"$st")" = 2 ] &&
	t_pass "reload counters" || t_fail "reload counters" "$st"

# Malformed control input: a clear error, a counter, and the daemon keeps serving.
python3 - "$sock" >"$T/raw" 2>&1 <<'EOP'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); f = s.makefile("rwb")
for line in [b"garbage", b"[1]", b"{\"cmd\":\"nope\"}", b"{\"cmd\":\"status\"}"]:
    f.write(line + b"\n"); f.flush(); print(f.readline().decode().strip())
s2 = socket.socket(socket.AF_UNIX); s2.connect(sys.argv[1])
s2.sendall(b"x" * 70000)
print(s2.makefile("rb").readline().decode().strip())
try:
    print("closed" if s2.recv(1) == b"" else "open")
except ConnectionResetError:
    print("closed")
EOP
mapfile -t raw <"$T/raw"
[[ "${raw[0]}" == '{"ok":false,"error":"request is not JSON:'* ]] && t_pass "garbage request gets a JSON error" || t_fail "garbage request" "${raw[0]}"
[ "${raw[1]}" = '{"ok":false,"error":"request is not a JSON object"}' ] && t_pass "non-object request refused" || t_fail "non-object request" "${raw[1]}"
[ "${raw[2]}" = "{\"ok\":false,\"error\":\"unknown command 'nope'\"}" ] && t_pass "unknown command refused" || t_fail "unknown command" "${raw[2]}"
[[ "${raw[3]}" == '{"ok":true,"result":{'* ]] && t_pass "connection still usable after errors" || t_fail "connection still usable" "${raw[3]}"
[ "${raw[4]}" = '{"ok":false,"error":"request longer than 65536 bytes"}' ] && [ "${raw[5]}" = closed ] &&
	t_pass "oversize request refused and the client closed" || t_fail "oversize request" "${raw[*]}"
st=$(ctl -j stats)
[ "$(json_get counters.ctl_bad_requests <<<"$st")" = 2 ] && [ "$(json_get counters.ctl_unknown_commands <<<"$st")" = 1 ] &&
	[ "$(json_get counters.ctl_oversize <<<"$st")" = 1 ] && t_pass "bad control input is counted" || t_fail "bad control input counted" "$st"

# A second daemon must not steal a live socket.
out=$("$NWITD" -f "$conf" 2>&1); rc=$?
[ "$rc" -ne 0 ] && [[ "$out" == *"cannot take over $sock: Address already in use"* ]] &&
	t_pass "a second nwitd refuses a live control socket" || t_fail "second nwitd" "rc=$rc $out"

# SIGTERM: clean exit, socket removed.
kill -TERM "$pid"
wait "$pid"; rc=$?
[ "$rc" -eq 0 ] && [ ! -e "$sock" ] && t_pass "SIGTERM: exit 0 and the socket is removed" || t_fail "SIGTERM" "rc=$rc"

# After a crash the stale socket file is taken over.
"$NWITD" -f "$conf" 2>>"$T/log" & pid=$!
wait_for 5 test -S "$sock"; kill -9 "$pid"; wait "$pid" 2>/dev/null
[ -S "$sock" ] || t_fail "stale socket left by SIGKILL" "no socket file"
"$NWITD" -f "$conf" 2>>"$T/log" & pid=$!
t_on_exit "kill -9 $pid 2>/dev/null"
wait_for 5 sh -c "'$NWITCTL' -s '$sock' status >/dev/null 2>&1" &&
	t_pass "a stale socket after a crash is taken over" || t_fail "stale socket takeover" "$(tail -3 "$T/log")"
kill -TERM "$pid"; wait "$pid"

out=$(ctl status 2>&1); rc=$?
[ "$rc" -ne 0 ] && [[ "$out" == "nwitctl: cannot connect to nwitd at $sock: "* ]] &&
	t_pass "nwitctl says clearly when nwitd is not running" || t_fail "nwitctl without daemon" "$out"
t_done
