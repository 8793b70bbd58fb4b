#!/usr/bin/env bash
# IPsec ESP in transport mode between two network namespaces, with the shape TS 33.203
# gives the UE <-> P-CSCF security associations: one SA per direction bound to the
# protected ports (client 5062 <-> server 5060), policies that require ESP for exactly
# that traffic. IPv4 with hmac-sha-1-96 + aes-cbc, IPv6 with hmac-md5-96 + null
# encryption. Checked from outside: the datagrams arrive intact, the wire (tcpdump on the
# veth) carries only ESP for them, tshark decrypts the capture with the keys and finds the
# ICVs good and the same payloads, the SAs count the packets; a port outside the
# selectors travels in clear; a wrong key and cleartext on a protected port are dropped
# and counted. A kernel without ESP refuses the SA, as expected (this machine's).
# vm-kernels: all
# vm-host: yes
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/vm_lib.sh"
. "$(dirname "$0")/esp_lib.sh"

[ "$(id -u)" = 0 ] || t_skip_all "needs root (network namespaces, XFRM)"
for tool in ip python3 tcpdump tshark; do
	command -v "$tool" >/dev/null || t_skip_all "needs $tool"
done
t_tmpdir
A=nwea$$ B=nweb$$
CPORT=5062 SPORT=5060

capture_start() { # FILE: tcpdump on A's veth
	ip netns exec "$A" tcpdump -i ea -nn -U --immediate-mode -w "$1" 2>"$1.err" &
	CAP_PID=$!
	wait_for 20 grep -q listening "$1.err"
}
capture_stop() { sleep 1; kill -INT "$CAP_PID" 2>/dev/null; wait "$CAP_PID" 2>/dev/null; }
count() { tcpdump -r "$1" -nn "$2" 2>/dev/null | wc -l; }
FAILED_CHECKS=""
t_fail() { FAILED_CHECKS="${FAILED_CHECKS:+$FAILED_CHECKS; }$1"; _t_num=$((_t_num + 1)); _t_failed=1; echo "not ok $_t_num - $1"; [ -n "${2:-}" ] && echo "# $2"; return 0; }

# exchange AA BA COUNT TAG: COUNT requests A:5062 -> B:5060, each answered back
exchange() {
	local aa=$1 ba=$2 n=$3 tag=$4 i req=() rsp=()
	for i in $(seq 1 "$n"); do req+=("REGISTER $tag $i"); rsp+=("SIP/2.0 200 OK for REGISTER $tag $i"); done
	esp_udp_server "$B" "$ba" "$SPORT" "$n" 20 "SIP/2.0 200 OK for " >"$T/b.$tag" &
	local rb=$!
	wait_for 20 grep -q ready "$T/b.$tag" || return 1
	esp_udp_client "$A" "$aa" "$CPORT" "$ba" "$SPORT" 5 "${req[@]}" >"$T/a.$tag"
	wait "$rb"
	[ "$(grep -vx ready "$T/b.$tag")" = "$(printf '%s\n' "${req[@]}")" ] &&
		[ "$(cat "$T/a.$tag")" = "$(printf '%s\n' "${rsp[@]}")" ]
}

# esp_case FAMILY AUTH ENC: the whole series on one address family
esp_case() {
	local fam=$1 auth=$2 enc=$3 aa ba plen klen ka1 ke1 ka2 ke2 spi1 spi2 label uat1 uat2 n=5
	if [ "$fam" = 6 ]; then aa=fd78:1::1 ba=fd78:1::2 plen=64; else aa=10.78.1.1 ba=10.78.1.2 plen=24; fi
	label="IPv$fam $auth + $enc"
	spi1=$((0x1000 + fam * 16 + 1)) spi2=$((0x2000 + fam * 16 + 2))
	klen=20
	[ "$auth" = hmac-md5-96 ] && klen=16
	ka1=$(esp_key $klen) ka2=$(esp_key $klen)
	ke1="" ke2=""
	[ "$enc" = aes-cbc ] && ke1=$(esp_key 16) ke2=$(esp_key 16)

	A=nwea$fam$$ B=nweb$fam$$
	if ! esp_ns_pair "$A" "$B" "$aa" "$ba" "$plen"; then
		t_fail "$label: two namespaces joined by a veth pair"
		return 1
	fi
	# A -> B: client port to server port; B -> A: back. Both SAs live in both namespaces.
	if ! { esp_sa "$A" "$aa" "$ba" "$spi1" "$auth" "$ka1" "$enc" "$ke1" proto udp sport $CPORT dport $SPORT &&
		esp_sa "$A" "$ba" "$aa" "$spi2" "$auth" "$ka2" "$enc" "$ke2" proto udp sport $SPORT dport $CPORT &&
		esp_sa "$B" "$aa" "$ba" "$spi1" "$auth" "$ka1" "$enc" "$ke1" proto udp sport $CPORT dport $SPORT &&
		esp_sa "$B" "$ba" "$aa" "$spi2" "$auth" "$ka2" "$enc" "$ke2" proto udp sport $SPORT dport $CPORT; } 2>"$T/sa.err"; then
		if esp_refusal "$T/sa.err" && ! vm_module_shipped "esp$([ "$fam" = 6 ] && echo 6 || echo 4)"; then
			t_refused "$label: transport-mode SAs" "kernel without ESP: ip xfrm state add proto esp: $(head -n 1 "$T/sa.err")"
			return 3
		fi
		t_fail "$label: transport-mode SAs" "$(cat "$T/sa.err")"
		return 1
	fi
	if esp_policy "$A" out "$aa" "$ba" proto udp sport $CPORT dport $SPORT &&
		esp_policy "$B" in "$aa" "$ba" proto udp sport $CPORT dport $SPORT &&
		esp_policy "$B" out "$ba" "$aa" proto udp sport $SPORT dport $CPORT &&
		esp_policy "$A" in "$ba" "$aa" proto udp sport $SPORT dport $CPORT; then
		t_pass "$label: two transport-mode SAs and four policies on the protected ports"
	else
		t_fail "$label: policies"
		return 1
	fi

	capture_start "$T/wire$fam.pcap" || { t_fail "$label: tcpdump starts" "$(cat "$T/wire$fam.pcap.err")"; return 1; }
	exchange "$aa" "$ba" $n v$fam
	local ok=$?
	capture_stop
	if [ "$ok" = 0 ]; then
		t_pass "$label: $n requests $CPORT -> $SPORT and $n answers arrive intact"
	else
		t_fail "$label: requests and answers arrive" "B got: $(cat "$T/b.v$fam") A got: $(cat "$T/a.v$fam")"
	fi
	local esp udp
	esp=$(count "$T/wire$fam.pcap" esp) udp=$(count "$T/wire$fam.pcap" udp)
	if [ "$esp" = $((2 * n)) ] && [ "$udp" = 0 ]; then
		t_pass "$label: on the wire $esp ESP packets and no clear UDP"
	else
		t_fail "$label: only ESP on the wire" "$esp ESP, $udp UDP: $(tcpdump -r "$T/wire$fam.pcap" -nn 2>/dev/null | head -n 4)"
	fi
	local pa pb
	pa=$(esp_sa_packets "$A" "$spi1") pb=$(esp_sa_packets "$B" "$spi2")
	if [ "$pa" = $n ] && [ "$pb" = $n ] && [ "$(esp_sa_packets "$B" "$spi1")" = $n ]; then
		t_pass "$label: the SAs counted $n packets each way"
	else
		t_fail "$label: SA packet counters" "A spi1 $pa, B spi2 $pb: $(ip -n "$A" -s xfrm state | head -n 20)"
	fi

	# tshark, with the keys, as the independent decoder
	uat1=$(esp_tshark_uat "$aa" "$ba" "$spi1" "$auth" "$ka1" "$enc" "$ke1")
	uat2=$(esp_tshark_uat "$ba" "$aa" "$spi2" "$auth" "$ka2" "$enc" "$ke2")
	tshark -r "$T/wire$fam.pcap" -Y esp -o esp.enable_encryption_decode:TRUE \
		-o esp.enable_authentication_check:TRUE -o "uat:esp_sa:$uat1" -o "uat:esp_sa:$uat2" \
		-d udp.port==$SPORT,data -d udp.port==$CPORT,data \
		-T fields -e esp.spi -e esp.icv_good -e udp.srcport -e udp.dstport -e data.data \
		>"$T/tshark$fam" 2>"$T/tshark$fam.err"
	local want got
	want=$( (for i in $(seq 1 $n); do printf '%s\t1\t%s\t%s\t%s\n' "$(printf '0x%08x' $spi1)" $CPORT $SPORT \
			"$(printf 'REGISTER v%s %s' "$fam" "$i" | od -An -tx1 | tr -d ' \n')"; done
		for i in $(seq 1 $n); do printf '%s\t1\t%s\t%s\t%s\n' "$(printf '0x%08x' $spi2)" $SPORT $CPORT \
			"$(printf 'SIP/2.0 200 OK for REGISTER v%s %s' "$fam" "$i" | od -An -tx1 | tr -d ' \n')"; done) | sort)
	got=$(sed 's/\tTrue\t/\t1\t/' "$T/tshark$fam" | sort)
	if [ -n "$got" ] && [ "$got" = "$want" ]; then
		t_pass "$label: tshark decrypts every packet with the keys, ICVs good, payloads as sent"
	else
		t_fail "$label: tshark decrypts the capture" "got: $(head -n 3 "$T/tshark$fam") $(head -n 2 "$T/tshark$fam.err")"
		[ -n "$VM_OUT" ] && cp "$T/wire$fam.pcap" "$VM_OUT/"
	fi
	[ "$fam" = 4 ] || return 0

	# a port outside the selectors is not protected
	capture_start "$T/clear.pcap"
	esp_udp_recv "$B" "$ba" 9999 1 10 >"$T/b.clear" &
	local rb=$!
	wait_for 20 grep -q ready "$T/b.clear"
	esp_udp_send "$A" "$aa" 9998 "$ba" 9999 "OPTIONS in clear"
	wait "$rb"
	capture_stop
	if grep -qx "OPTIONS in clear" "$T/b.clear" && [ "$(count "$T/clear.pcap" 'udp port 9999')" = 1 ] &&
		[ "$(count "$T/clear.pcap" esp)" = 0 ]; then
		t_pass "$label: a port outside the selectors travels in clear"
	else
		t_fail "$label: unprotected port in clear" "$(cat "$T/b.clear"; tcpdump -r "$T/clear.pcap" -nn 2>/dev/null)"
	fi

	# B's copy of the A -> B SA with another integrity key: the packet is dropped, counted
	local before after
	before=$(esp_stat "$B" XfrmInStateProtoError)
	ip -n "$B" xfrm state del src "$aa" dst "$ba" proto esp spi "$spi1"
	esp_sa "$B" "$aa" "$ba" "$spi1" "$auth" "$(esp_key $klen)" "$enc" "$ke1" proto udp sport $CPORT dport $SPORT
	esp_udp_recv "$B" "$ba" "$SPORT" 1 3 >"$T/b.badkey" &
	rb=$!
	wait_for 20 grep -q ready "$T/b.badkey"
	esp_udp_send "$A" "$aa" "$CPORT" "$ba" "$SPORT" "REGISTER forged"
	wait "$rb"
	after=$(esp_stat "$B" XfrmInStateProtoError)
	if ! grep -q forged "$T/b.badkey" && [ "$after" -gt "$before" ]; then
		t_pass "$label: an SA with the wrong key drops the packet (XfrmInStateProtoError $before -> $after)"
	else
		t_fail "$label: wrong key drops" "received: $(cat "$T/b.badkey"), XfrmInStateProtoError $before -> $after"
	fi

	# without A's out policy the datagram leaves in clear: B's in policy refuses it
	before=$(esp_stat "$B" XfrmInTmplMismatch)
	[ -n "$before" ] || before=$(esp_stat "$B" XfrmInNoPols)
	ip -n "$A" xfrm policy del src "$aa" dst "$ba" proto udp sport $CPORT dport $SPORT dir out
	esp_udp_recv "$B" "$ba" "$SPORT" 1 3 >"$T/b.plain" &
	rb=$!
	wait_for 20 grep -q ready "$T/b.plain"
	esp_udp_send "$A" "$aa" "$CPORT" "$ba" "$SPORT" "REGISTER unprotected"
	wait "$rb"
	after=$(esp_stat "$B" XfrmInTmplMismatch)
	if ! grep -q unprotected "$T/b.plain" && [ "$after" -gt "$before" ]; then
		t_pass "$label: cleartext to a protected port is refused by the in policy (XfrmInTmplMismatch $before -> $after)"
	else
		t_fail "$label: cleartext to a protected port refused" "received: $(cat "$T/b.plain"), XfrmInTmplMismatch $before -> $after"
	fi
	return 0
}

esp_case 4 hmac-sha-1-96 aes-cbc
r4=$?
[ "$r4" = 3 ] || esp_case 6 hmac-md5-96 null
if [ "$r4" = 3 ]; then
	vm_feature esp no "kernel without ESP: $(head -n 1 "$T/sa.err")"
elif [ "$_t_failed" = 0 ]; then
	vm_feature esp yes "transport mode, IPv4 hmac-sha-1-96+aes-cbc and IPv6 hmac-md5-96+null; port selectors; only ESP on the wire, tshark decrypts"
else
	vm_feature esp fail "failed: $FAILED_CHECKS"
fi
t_done
