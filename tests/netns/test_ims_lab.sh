#!/usr/bin/env bash
# The lab's IMS side works on its own: Kamailio authenticates and registers two baresip
# phones, routes a call between them, and each hears the other's tone.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" -eq 0 ] || t_skip_all "needs root for network namespaces"
for tool in kamailio baresip sox kamcmd; do
	command -v "$tool" >/dev/null || t_skip_all "$tool is not installed (scripts/install-deps.sh)"
done
t_tmpdir
export NWIT_LAB_PREFIX="nwt$$-" NWIT_LAB_RUN="$T/run"
lab="$NWIT_TOP/scripts/lab.sh"
ims="$NWIT_TOP/scripts/lab/ims.sh"
tone="$NWIT_TOP/scripts/lab/tone.py"
t_on_exit "'$lab' down >/dev/null 2>&1"
t_on_exit "'$ims' stop >/dev/null 2>&1"

"$lab" up >/dev/null || t_bail "the lab builds (scripts/lab.sh up)"
t_check "Kamailio starts as the IMS core" "$ims" core-start
t_check "phone bob registers with digest auth" "$ims" ue-start bob 5070 1000
t_check "phone carol registers with digest auth" "$ims" ue-start carol 5080 440
kam() { nsenter --net="/var/run/netns/${NWIT_LAB_PREFIX}ims" -- kamcmd -s "unix:$T/run/kamailio/kamailio_ctl" "$@"; }
kam ul.lookup location bob | grep -q 'Address: sip:bob[^@]*@198.51.100.10:5070' &&
	t_pass "the registrar holds bob's contact" || t_fail "the registrar holds bob's contact" "$(kam ul.dump)"

# A wrong password is refused by the core.
reply=$(nsenter --net="/var/run/netns/${NWIT_LAB_PREFIX}ims" -- python3 - <<'EOP'
import hashlib, socket, re
def req(extra=""):
    return ("REGISTER sip:ims.example.net SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 198.51.100.10:5099;branch=z9hG4bK-%s\r\n"
            "Max-Forwards: 70\r\nFrom: <sip:bob@ims.example.net>;tag=1\r\n"
            "To: <sip:bob@ims.example.net>\r\nCall-ID: wrongpw\r\nCSeq: %d REGISTER\r\n"
            "Contact: <sip:bob@198.51.100.10:5099>\r\n%sContent-Length: 0\r\n\r\n")
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("198.51.100.10", 5099)); s.settimeout(3)
s.sendto((req() % ("a", 1, "")).encode(), ("198.51.100.10", 5060))
r = s.recv(4096).decode()
nonce = re.search(r'nonce="([^"]+)"', r).group(1)
ha1 = hashlib.md5(b"bob:ims.example.net:wrong").hexdigest()
ha2 = hashlib.md5(b"REGISTER:sip:ims.example.net").hexdigest()
resp = hashlib.md5(f"{ha1}:{nonce}:{ha2}".encode()).hexdigest()
auth = (f'Authorization: Digest username="bob", realm="ims.example.net", nonce="{nonce}", '
        f'uri="sip:ims.example.net", response="{resp}"\r\n')
s.sendto((req() % ("b", 2, auth)).encode(), ("198.51.100.10", 5060))
print(s.recv(4096).decode().split("\r\n")[0])
EOP
)
[[ "$reply" == "SIP/2.0 401"* ]] && t_pass "a wrong digest password is refused" || t_fail "wrong password refused" "$reply"

t_check "carol calls bob" "$ims" ue dial carol sip:bob@ims.example.net
sleep 4
t_check "carol hangs up" "$ims" ue hangup carol
sleep 0.5
heard_bob=$("$tone" "$("$ims" ue-recording bob)")
heard_carol=$("$tone" "$("$ims" ue-recording carol)")
hz() { echo "${1%% *}"; }
near() { [ "$1" -ge $(($2 * 97 / 100)) ] && [ "$1" -le $(($2 * 103 / 100)) ]; }
near "$(hz "$heard_bob")" 440 && t_pass "bob hears carol's 440 Hz ($heard_bob)" || t_fail "bob hears 440 Hz" "measured: $heard_bob"
near "$(hz "$heard_carol")" 1000 && t_pass "carol hears bob's 1000 Hz ($heard_carol)" || t_fail "carol hears 1000 Hz" "measured: $heard_carol"
t_done
