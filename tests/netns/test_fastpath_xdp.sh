#!/usr/bin/env bash
# SRTP<->RTP through the gateway's XDP fast path on veth (see fastpath_lib.sh).
HOOK=xdp
. "$(dirname "$0")/fastpath_lib.sh"
run_fastpath_test
