# IPsec ESP between network namespaces, for tests that run in a kernel lab guest (this
# machine's kernel has no ESP). Sourced after tests/lib.sh; everything made here is
# removed at exit. Names follow TS 33.203's algorithms:
#   auth  hmac-sha-1-96 (20-byte key), hmac-md5-96 (16-byte key)
#   enc   aes-cbc (16-byte key), null
#
#   esp_ns_pair A B ADDR_A ADDR_B PLEN   namespaces A and B joined by veth "ea" (in A) and
#                                        "eb" (in B), addresses set, links up
#   esp_sa NS SRC DST SPI AUTH AUTHKEY ENC ENCKEY [SELECTOR...]
#                                        one transport-mode ESP SA (keys in hex); SELECTOR is
#                                        ip-xfrm's "sel" arguments, e.g. proto udp dport 5060
#   esp_policy NS DIR SRC DST [SELECTOR...]
#                                        a policy (DIR out, in or fwd) that requires ESP
#                                        transport mode for the selected traffic
#   esp_key BYTES                        a random key, hex
#   esp_tshark_uat SRC DST SPI AUTH AUTHKEY ENC ENCKEY
#                                        one entry of tshark's ESP SA table (uat:esp_sa)
#   esp_udp_recv NS ADDR PORT COUNT SECONDS   datagrams received, one per line
#   esp_udp_server NS ADDR PORT COUNT SECONDS PREFIX
#                                        answers each datagram with PREFIX + its text from
#                                        the same socket; prints what it received
#   esp_udp_client NS SRC SPORT DST DPORT SECONDS TEXT...
#                                        sends each TEXT from SRC:SPORT and waits for its
#                                        answer on the same socket; prints the answers
#   esp_udp_send NS SRC SPORT DST DPORT TEXT...   one datagram per TEXT
#   esp_sa_packets NS SPI                packets the SA has processed (ip -s xfrm state)
#   esp_stat NS FIELD                    a counter of /proc/net/xfrm_stat in NS
#   esp_refusal FILE                     true when FILE holds the kernel's "no such xfrm
#                                        type" answer (a kernel without ESP)
# shellcheck shell=bash

_esp_ns=()
_esp_cleanup() {
	local n
	for n in "${_esp_ns[@]}"; do ip netns del "$n" 2>/dev/null; done
}

esp_ns_pair() {
	local a=$1 b=$2 aa=$3 ba=$4 plen=$5 nodad=""
	ip netns add "$a" || return 1
	_esp_ns+=("$a")
	[ "${#_esp_ns[@]}" = 1 ] && t_on_exit _esp_cleanup
	ip netns add "$b" || return 1
	_esp_ns+=("$b")
	ip -n "$a" link add ea type veth peer name eb netns "$b" || return 1
	case "$aa" in *:*) nodad=nodad ;; esac
	ip -n "$a" addr add "$aa/$plen" dev ea $nodad || return 1
	ip -n "$b" addr add "$ba/$plen" dev eb $nodad || return 1
	ip -n "$a" link set lo up && ip -n "$b" link set lo up &&
		ip -n "$a" link set ea up && ip -n "$b" link set eb up
}

esp_sa() {
	local ns=$1 src=$2 dst=$3 spi=$4 auth=$5 akey=$6 enc=$7 ekey=$8 args
	shift 8
	args=(src "$src" dst "$dst" proto esp spi "$spi" mode transport)
	case "$auth" in
	hmac-sha-1-96) args+=(auth-trunc 'hmac(sha1)' "0x$akey" 96) ;;
	hmac-md5-96) args+=(auth-trunc 'hmac(md5)' "0x$akey" 96) ;;
	*) echo "esp_sa: unknown authentication algorithm $auth" >&2; return 1 ;;
	esac
	case "$enc" in
	aes-cbc) args+=(enc 'cbc(aes)' "0x$ekey") ;;
	null) args+=(enc 'ecb(cipher_null)' "") ;;
	*) echo "esp_sa: unknown encryption algorithm $enc" >&2; return 1 ;;
	esac
	[ $# -gt 0 ] && args+=(sel src "$src" dst "$dst" "$@")
	ip -n "$ns" xfrm state add "${args[@]}"
}

esp_policy() {
	local ns=$1 dir=$2 src=$3 dst=$4
	shift 4
	ip -n "$ns" xfrm policy add src "$src" dst "$dst" "$@" dir "$dir" \
		tmpl src "$src" dst "$dst" proto esp mode transport
}

esp_key() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }

esp_tshark_uat() {
	local fam=IPv4 ea aa
	case "$1" in *:*) fam=IPv6 ;; esac
	case "$6" in aes-cbc) ea="AES-CBC [RFC3602]" ;; *) ea=NULL ;; esac
	case "$4" in hmac-sha-1-96) aa="HMAC-SHA-1-96 [RFC2404]" ;; hmac-md5-96) aa="HMAC-MD5-96 [RFC2403]" ;; *) aa=NULL ;; esac
	printf '"%s","%s","%s","%s","%s","0x%s","%s","0x%s"' "$fam" "$1" "$2" "$(printf '0x%08x' "$3")" \
		"$ea" "${7:-}" "$aa" "$5"
}

esp_udp_recv() {
	ip netns exec "$1" python3 -c '
import socket, sys
addr, port, count, secs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_DGRAM)
s.bind((addr, port))
s.settimeout(secs)
print("ready", flush=True)
for _ in range(count):
    try:
        data, _src = s.recvfrom(65535)
    except socket.timeout:
        break
    print(data.decode(errors="replace"), flush=True)
' "$2" "$3" "$4" "$5"
}

esp_udp_server() {
	ip netns exec "$1" python3 -c '
import socket, sys
addr, port, count, secs, prefix = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_DGRAM)
s.bind((addr, port))
s.settimeout(secs)
print("ready", flush=True)
for _ in range(count):
    try:
        data, src = s.recvfrom(65535)
    except socket.timeout:
        break
    print(data.decode(errors="replace"), flush=True)
    s.sendto(prefix.encode() + data, src)
' "$2" "$3" "$4" "$5" "$6"
}

esp_udp_client() {
	local ns=$1 src=$2 sport=$3 dst=$4 dport=$5 secs=$6
	shift 6
	ip netns exec "$ns" python3 -c '
import socket, sys
src, sport, dst, dport, secs = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
s = socket.socket(socket.AF_INET6 if ":" in dst else socket.AF_INET, socket.SOCK_DGRAM)
s.bind((src, sport))
s.settimeout(secs)
for text in sys.argv[6:]:
    s.sendto(text.encode(), (dst, dport))
    try:
        data, _src = s.recvfrom(65535)
    except socket.timeout:
        print("(no answer to %s)" % text, flush=True)
        continue
    print(data.decode(errors="replace"), flush=True)
' "$src" "$sport" "$dst" "$dport" "$secs" "$@"
}

esp_udp_send() {
	local ns=$1 src=$2 sport=$3 dst=$4 dport=$5
	shift 5
	ip netns exec "$ns" python3 -c '
import socket, sys, time
src, sport, dst, dport = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
s = socket.socket(socket.AF_INET6 if ":" in dst else socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((src, sport))
for text in sys.argv[5:]:
    s.sendto(text.encode(), (dst, dport))
    time.sleep(0.02)
' "$src" "$sport" "$dst" "$dport" "$@"
}

esp_sa_packets() {
	ip -n "$1" -s xfrm state list spi "$2" 2>/dev/null |
		awk '/lifetime current:/ { getline; print $2; exit }' | sed 's/(packets)//'
}

esp_stat() {
	ip netns exec "$1" awk -v f="$2" '$1 == f { print $2 }' /proc/net/xfrm_stat
}

esp_refusal() { grep -qiE 'Requested type not found|Protocol not supported' "$1"; }
