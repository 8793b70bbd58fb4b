#!/usr/bin/env bash
# The video call of test_call_video.sh with the BPF fast path loaded and dave answering
# H.264: after the first packet of each stream and direction the kernel carries the RTP
# (the browser's audio and video share one bundled kernel flow that picks them by SSRC);
# the per-stream kernel counters grow while nwitd's own RTP counters stand still.
NWIT_E2E_FASTPATH=auto NWIT_E2E_VIDEO=${NWIT_E2E_VIDEO:-h264} exec "$(dirname "$0")/test_call_video.sh"
