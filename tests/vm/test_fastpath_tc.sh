#!/usr/bin/env bash
# The netns fast path test (tests/netns/test_fastpath_tc.sh: SRTP <-> RTP through nwitd's
# TC fast path between veth pairs, libsrtp2 peers on both ends, SIGKILL survival) on a
# kernel of the lab. A skip on a kernel that has bpf_crypto fails (tests/vm/judge.sh).
# vm-kernels: 6.12
exec "$(dirname "$0")/judge.sh" "$(cd "$(dirname "$0")/../netns" && pwd)/test_fastpath_tc.sh"
