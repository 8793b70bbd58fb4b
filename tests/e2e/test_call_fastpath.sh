#!/usr/bin/env bash
# The browser <-> IMS calls of test_call_browser.sh with the BPF fast path loaded: after
# the first packet of each direction the kernel carries the RTP (counters prove it).
# This run also signals over TCP toward the P-CSCF (the other one over UDP), and its first
# call lasts longer than 30 s: the app's WebSocket must outlive any idle timeout.
NWIT_E2E_FASTPATH=auto NWIT_E2E_TRANSPORT=${NWIT_E2E_TRANSPORT:-tcp} STEPS=${STEPS:-out,hold,in} \
	CALL_SECONDS=${CALL_SECONDS:-32} exec "$(dirname "$0")/test_call_browser.sh"
