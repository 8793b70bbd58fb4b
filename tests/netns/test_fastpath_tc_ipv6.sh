#!/usr/bin/env bash
# SRTP<->RTP over IPv6 through the gateway's TC (clsact ingress) fast path (see fastpath_lib.sh).
HOOK=tc
FAMILY=6
. "$(dirname "$0")/fastpath_lib.sh"
run_fastpath_test
