/*
 * The forwarding guard in real network namespaces: this process moves into a namespace
 * of its own (the gateway) joined by veth pairs to two others, "lan" (192.0.2.0/24) and
 * "bearer" (198.51.100.0/24), each routing the other's prefix through the gateway.
 * Forwarding switched on by hand lets a ping cross (so the check can fail); with
 * fwd_guard_enable() forwarding is on as well, yet the stack forwards nothing and the
 * guard's counter shows the drops. Writing the guard again keeps one rule; a device that
 * forwarded already is left alone. Needs root (skipped otherwise).
 */
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>

#include <cmocka.h>

#include "fastpath/fwd_guard.h"

static char ns_lan[32], ns_bearer[32];

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* Output of a shell command (at most len - 1 bytes). */
static void sh_out(char *out, size_t len, const char *cmd)
{
	FILE *f = popen(cmd, "r");
	size_t n = 0;

	out[0] = '\0';
	if (!f)
		return;
	n = fread(out, 1, len - 1, f);
	out[n] = '\0';
	pclose(f);
}

static int can_ping_across(void)
{
	return sh("ip netns exec %s ping -c 1 -W 1 -q 198.51.100.2 >/dev/null 2>&1", ns_lan) == 0;
}

static void set_forwarding(const char *dev, int on)
{
	assert_int_equal(sh("sysctl -qw net.ipv4.conf.%s.forwarding=%d", dev, on), 0);
}

static int rules_in_guard(void)
{
	char out[4096];
	int n = 0;

	sh_out(out, sizeof(out), "nft list chain inet " FWD_GUARD_TABLE " " FWD_GUARD_CHAIN);
	for (char *p = out; (p = strstr(p, " drop")); p++)
		n++;
	return n;
}

static int setup(void **state)
{
	(void)state;
	if (geteuid() != 0)
		return 0;
	snprintf(ns_lan, sizeof(ns_lan), "fwg%d-lan", (int)getpid());
	snprintf(ns_bearer, sizeof(ns_bearer), "fwg%d-bearer", (int)getpid());
	if (sh("ip netns add %s && ip netns add %s", ns_lan, ns_bearer) != 0)
		return -1;
	if (unshare(CLONE_NEWNET) < 0)
		return -1;
	/* this process is now the gateway; sysctl/nft/ip run as children in its namespace */
	return sh("ip link set lo up &&"
		  " ip link add lan0 type veth peer name eth0 netns %s &&"
		  " ip link add lte0 type veth peer name eth0 netns %s &&"
		  " ip addr add 192.0.2.1/24 dev lan0 && ip link set lan0 up &&"
		  " ip addr add 198.51.100.1/24 dev lte0 && ip link set lte0 up &&"
		  " ip -n %s addr add 192.0.2.2/24 dev eth0 && ip -n %s link set eth0 up &&"
		  " ip -n %s route add 198.51.100.0/24 via 192.0.2.1 &&"
		  " ip -n %s addr add 198.51.100.2/24 dev eth0 && ip -n %s link set eth0 up &&"
		  " ip -n %s route add 192.0.2.0/24 via 198.51.100.1",
		  ns_lan, ns_bearer, ns_lan, ns_lan, ns_lan, ns_bearer, ns_bearer, ns_bearer) == 0
		       ? 0
		       : -1;
}

static int teardown(void **state)
{
	(void)state;
	if (ns_lan[0])
		sh("ip netns del %s 2>/dev/null; ip netns del %s 2>/dev/null", ns_lan, ns_bearer);
	return 0;
}

static void guard_blocks_what_forwarding_lets_through(void **state)
{
	unsigned int lan = if_nametoindex("lan0"), lte = if_nametoindex("lte0");
	char err[256], out[4096];

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_not_equal(lan, 0);
	assert_int_equal(fwd_forwarding(lan, 0), 0);
	assert_false(can_ping_across());

	/* the check can fail: forwarding alone lets the stack join the sides */
	set_forwarding("lan0", 1);
	set_forwarding("lte0", 1);
	assert_true(can_ping_across());
	set_forwarding("lan0", 0);
	set_forwarding("lte0", 0);

	assert_int_equal(fwd_guard_enable(lan, 0, err, sizeof(err)), 1);
	assert_int_equal(fwd_guard_enable(lte, 0, err, sizeof(err)), 1);
	assert_int_equal(fwd_forwarding(lan, 0), 1);
	assert_int_equal(fwd_forwarding(lte, 0), 1);
	assert_false(can_ping_across());
	sh_out(out, sizeof(out), "nft list table inet " FWD_GUARD_TABLE);
	assert_non_null(strstr(out, "type iface_index"));
	assert_non_null(strstr(out, "\"lan0\""));
	assert_non_null(strstr(out, "\"lte0\""));
	assert_non_null(strstr(out, "iif @" FWD_GUARD_SET " counter packets"));
	assert_null(strstr(out, "counter packets 0 "));	/* the ping was counted */
	assert_int_equal(rules_in_guard(), 1);

	/* already forwarding: left alone, nothing written */
	assert_int_equal(fwd_guard_enable(lan, 0, err, sizeof(err)), 0);
	/* IPv6 on the same device, and a restarted nwitd writing the guard again */
	assert_int_equal(fwd_guard_enable(lan, 1, err, sizeof(err)), 1);
	assert_int_equal(fwd_forwarding(lan, 1), 1);
	set_forwarding("lte0", 0);
	assert_int_equal(fwd_guard_enable(lte, 0, err, sizeof(err)), 1);
	assert_int_equal(rules_in_guard(), 1);
	assert_false(can_ping_across());
}

static void bad_device_says_what_failed(void **state)
{
	char err[256] = "";

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_true(fwd_guard_enable(999999, 0, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "cannot read whether"));
	assert_true(fwd_forwarding(999999, 0) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(guard_blocks_what_forwarding_lets_through),
		cmocka_unit_test(bad_device_says_what_failed),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
