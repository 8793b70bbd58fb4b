#!/usr/bin/env bash
# The browser <-> IMS calls of test_call_browser.sh with the BPF fast path loaded: after
# the first packet of each direction the kernel carries the RTP (counters prove it).
NWIT_E2E_FASTPATH=auto STEPS=${STEPS:-out,hold,in} exec "$(dirname "$0")/test_call_browser.sh"
