#!/usr/bin/env bash
# test_fastpath_relay.sh over IPv6 (fd77:1::/64, fd77:2::/64): the userspace relay with
# [fastpath] mode = off.
FAMILY=6
. "$(dirname "$0")/test_fastpath_relay.sh"
