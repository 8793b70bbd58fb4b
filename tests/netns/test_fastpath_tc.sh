#!/usr/bin/env bash
# SRTP<->RTP through the gateway's TC (clsact ingress) fast path on veth (see fastpath_lib.sh).
HOOK=tc
. "$(dirname "$0")/fastpath_lib.sh"
run_fastpath_test
