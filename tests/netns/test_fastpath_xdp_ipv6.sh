#!/usr/bin/env bash
# SRTP<->RTP over IPv6 through the gateway's XDP fast path on veth (see fastpath_lib.sh).
HOOK=xdp
FAMILY=6
. "$(dirname "$0")/fastpath_lib.sh"
run_fastpath_test
