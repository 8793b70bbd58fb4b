/*
 * Header rewrite and forwarding of the fast path (BPF_PROG_TEST_RUN, XDP and TC):
 * addresses, ports, payload type, DSCP, lengths and checksums; the egress choice (stack,
 * raw-IP device, Ethernet device through the FIB with the neighbour's MAC, stack when the
 * neighbour is unresolved, drop when there is no route). Runs in a private network
 * namespace with a veth pair whose peer address has a static neighbour entry.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fp_harness.h"

static const uint8_t rtp_in[] = {
	0x80, 0x00, 0x12, 0x34, 0, 0, 0, 160, 0xde, 0xad, 0xbe, 0xef,
	0xd5, 0xd5, 0xd5, 0xd5, 0xd5, 0xd5, 0xd5, 0xd5, 0xd5, 0xd5, 0xd5,
};

static unsigned int veth_a;	/* the egress device; its peer is 10.99.0.2 / fd99::2 */
static const uint8_t peer_mac[6] = { 0x02, 0, 0, 0, 0, 0x99 };

static void fill_rewrite(struct nwit_flow *f, int v6)
{
	memset(f, 0, sizeof(*f));
	if (v6) {
		inet_pton(AF_INET6, "fd99::1", f->out_src);
		inet_pton(AF_INET6, "fd99::2", f->out_dst);
	} else {
		inet_pton(AF_INET, "10.99.0.1", f->out_src);
		inet_pton(AF_INET, "10.99.0.2", f->out_dst);
	}
	f->out_sport = htons(30000);
	f->out_dport = htons(30002);
	f->pt_map[0] = NWIT_PT_MAPPED | 8;	/* PCMU (0) -> PCMA (8) */
	f->flags = NWIT_FLOW_SET_DSCP;
	f->dscp = v6 ? 34 : 46;
}

static void check_rewritten(const uint8_t *o, size_t olen, int v6, int has_l2)
{
	uint8_t exp_src[16], exp_dst[16], pkt[PKT_MAX];
	size_t l3 = has_l2 ? 14 : 0, plen;
	const uint8_t *pay;

	if (!has_l2) {	/* put a dummy L2 header in front for check_headers */
		memset(pkt, 0, 14);
		memcpy(pkt + 14, o, olen);
		o = pkt;
		olen += 14;
		l3 = 14;
	}
	pay = check_headers(o, olen, v6, &plen);
	assert_int_equal(plen, sizeof(rtp_in));
	assert_int_equal(pay[1], 8);
	assert_memory_equal(pay + 2, rtp_in + 2, sizeof(rtp_in) - 2);
	if (v6) {
		inet_pton(AF_INET6, "fd99::1", exp_src);
		inet_pton(AF_INET6, "fd99::2", exp_dst);
		assert_memory_equal(o + l3 + 8, exp_src, 16);
		assert_memory_equal(o + l3 + 24, exp_dst, 16);
		assert_int_equal(((o[l3] & 0x0f) << 2) | (o[l3 + 1] >> 6), 34);
		assert_int_equal(o[l3 + 1] & 0x30, 0x10);	/* ECN bits kept */
		l3 += 40;
	} else {
		inet_pton(AF_INET, "10.99.0.1", exp_src);
		inet_pton(AF_INET, "10.99.0.2", exp_dst);
		assert_memory_equal(o + l3 + 12, exp_src, 4);
		assert_memory_equal(o + l3 + 16, exp_dst, 4);
		assert_int_equal(o[l3 + 1], (46 << 2) | 1);	/* ECN bit kept */
		l3 += 20;
	}
	assert_int_equal(o[l3] << 8 | o[l3 + 1], 30000);
	assert_int_equal(o[l3 + 2] << 8 | o[l3 + 3], 30002);
}

static void rewrite_to_stack(enum hook hook, int v6)
{
	uint8_t pkt[PKT_MAX], out[PKT_MAX];
	struct nwit_flow f;
	struct pkt_spec s;
	size_t n, olen;
	uint64_t fs[5];

	spec_init(&s, v6);
	s.tos = 1;
	fill_rewrite(&f, v6);
	flow_install(&s, 10 + v6, NWIT_ACTION_FORWARD, &f);
	n = pkt_build(&s, rtp_in, sizeof(rtp_in), pkt);
	assert_true(verdict_passed(hook, run_pkt(hook, pkt, n, out, &olen, 1, NULL)));
	check_rewritten(out, olen, v6, 1);
	flow_stat(10 + v6, fs);
	assert_true(fs[0] >= 1 && fs[3] == fs[0]);
	if (!v6) {
		/* an IPv4 datagram without a UDP checksum is forwarded without one */
		pkt[14 + 20 + 6] = pkt[14 + 20 + 7] = 0;
		assert_true(verdict_passed(hook, run_pkt(hook, pkt, n, out, &olen, 1, NULL)));
		assert_int_equal(out[14 + 20 + 6] | out[14 + 20 + 7], 0);
		assert_int_equal(out[14 + 20 + 8], 0x80);
		assert_int_equal(out[14 + 20 + 9], 8);	/* payload type still mapped */
	}
	flow_remove(&s);
}

static void xdp_rewrite_v4(void **st) { (void)st; rewrite_to_stack(HOOK_XDP, 0); }
static void tc_rewrite_v4(void **st) { (void)st; rewrite_to_stack(HOOK_TC, 0); }
static void xdp_rewrite_v6(void **st) { (void)st; rewrite_to_stack(HOOK_XDP, 1); }
static void tc_rewrite_v6(void **st) { (void)st; rewrite_to_stack(HOOK_TC, 1); }

/* Egress on a raw-IP device: XDP strips the Ethernet header and redirects via the devmap. */
static void raw_ip_egress(void **st)
{
	uint8_t pkt[PKT_MAX], out[PKT_MAX];
	uint32_t ifindex = veth_a, v;
	struct nwit_flow f;
	struct pkt_spec s;
	size_t n, olen;

	(void)st;
	spec_init(&s, 0);
	s.tos = 1;
	fill_rewrite(&f, 0);
	f.out_ifindex = veth_a;
	flow_install(&s, 12, NWIT_ACTION_FORWARD, &f);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.nwit_tx_ports), &ifindex,
					     &ifindex, BPF_ANY), 0);
	n = pkt_build(&s, rtp_in, sizeof(rtp_in), pkt);
	assert_int_equal(run_pkt(HOOK_XDP, pkt, n, out, &olen, 1, NULL), XDP_REDIRECT);
	assert_int_equal(olen, n - 14);
	check_rewritten(out, olen, 0, 0);
	/* TC leaves the header to bpf_redirect, which pulls it for a device without L2 */
	v = (uint32_t)run_pkt(HOOK_TC, pkt, n, out, &olen, 1, NULL);
	assert_int_equal(v, TC_ACT_REDIRECT);
	check_rewritten(out, olen, 0, 1);
	/* not in the devmap: XDP cannot redirect, drops and counts it */
	assert_int_equal(bpf_map_delete_elem(bpf_map__fd(skel->maps.nwit_tx_ports), &ifindex), 0);
	{
		uint64_t before = drop_count(NWIT_DROP_NO_ROUTE);

		assert_int_equal(run_pkt(HOOK_XDP, pkt, n, out, &olen, 1, NULL), XDP_DROP);
		assert_int_equal(drop_count(NWIT_DROP_NO_ROUTE), before + 1);
	}
	flow_remove(&s);
}

/* Ethernet egress: MACs from the FIB; unresolved neighbour -> stack; no route -> drop. */
static void fib_egress(enum hook hook, int v6)
{
	uint8_t pkt[PKT_MAX], out[PKT_MAX], mac_a[6];
	uint32_t ifindex = veth_a;
	struct nwit_flow f;
	struct pkt_spec s;
	size_t n, olen;
	uint64_t before;
	struct ifreq ifr;
	int v, fd;

	/* sysfs still shows the parent namespace: ask the device itself */
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	memset(&ifr, 0, sizeof(ifr));
	assert_non_null(if_indextoname(veth_a, ifr.ifr_name));
	assert_int_equal(ioctl(fd, SIOCGIFHWADDR, &ifr), 0);
	close(fd);
	memcpy(mac_a, ifr.ifr_hwaddr.sa_data, 6);

	spec_init(&s, v6);
	s.tos = 1;
	fill_rewrite(&f, v6);
	f.out_ifindex = veth_a;
	f.flags |= NWIT_FLOW_EGRESS_L2;
	flow_install(&s, 13, NWIT_ACTION_FORWARD, &f);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.nwit_tx_ports), &ifindex,
					     &ifindex, BPF_ANY), 0);
	n = pkt_build(&s, rtp_in, sizeof(rtp_in), pkt);
	v = run_pkt(hook, pkt, n, out, &olen, 1, NULL);
	if (v != (hook == HOOK_XDP ? XDP_REDIRECT : TC_ACT_REDIRECT)) {
		int r;

		for (r = 1; r < NWIT_DROP__COUNT; r++)
			printf("# drop reason %d: %llu\n", r, (unsigned long long)drop_count(r));
		fail_msg("verdict %d", v);
	}
	assert_memory_equal(out, peer_mac, 6);
	assert_memory_equal(out + 6, mac_a, 6);
	check_rewritten(out, olen, v6, 1);

	/* a neighbour without an entry: TC has the kernel resolve it, XDP leaves it to the stack */
	if (v6)
		inet_pton(AF_INET6, "fd99::3", f.out_dst);
	else
		inet_pton(AF_INET, "10.99.0.3", f.out_dst);
	flow_install(&s, 13, NWIT_ACTION_FORWARD, &f);
	v = run_pkt(hook, pkt, n, out, &olen, 1, NULL);
	if (hook == HOOK_XDP)
		assert_true(verdict_passed(hook, v));
	else
		assert_int_equal(v, TC_ACT_REDIRECT);

	/* no route at all */
	if (v6)
		inet_pton(AF_INET6, "2001:db8:ffff::1", f.out_dst);
	else
		inet_pton(AF_INET, "203.0.113.1", f.out_dst);
	flow_install(&s, 13, NWIT_ACTION_FORWARD, &f);
	before = drop_count(NWIT_DROP_NO_ROUTE);
	v = run_pkt(hook, pkt, n, out, &olen, 1, NULL);
	assert_true(verdict_dropped(hook, v));
	assert_int_equal(drop_count(NWIT_DROP_NO_ROUTE), before + 1);
	flow_remove(&s);
}

/*
 * Where XDP and TC are both attached (lo, the test-run device, marked so), each flow is
 * handled once: by XDP, or by TC when the flow is TC_ONLY; the other passes it untouched.
 */
static void one_hook_per_flow(void **st)
{
	struct nwit_dev_info dev = { .flags = NWIT_DEV_ATTACHED_XDP | NWIT_DEV_ATTACHED_TC };
	uint8_t pkt[PKT_MAX], out[PKT_MAX];
	uint32_t lo = 1;
	struct nwit_flow f;
	struct pkt_spec s;
	size_t n, olen;

	(void)st;
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.nwit_devices), &lo, &dev,
					     BPF_ANY), 0);
	spec_init(&s, 0);
	s.tos = 1;
	n = pkt_build(&s, rtp_in, sizeof(rtp_in), pkt);

	fill_rewrite(&f, 0);
	flow_install(&s, 14, NWIT_ACTION_FORWARD, &f);
	assert_true(verdict_passed(HOOK_TC, run_pkt(HOOK_TC, pkt, n, out, &olen, 1, NULL)));
	assert_int_equal(olen, n);
	assert_memory_equal(out, pkt, n);	/* TC left it to XDP */
	assert_true(verdict_passed(HOOK_XDP, run_pkt(HOOK_XDP, pkt, n, out, &olen, 1, NULL)));
	check_rewritten(out, olen, 0, 1);

	fill_rewrite(&f, 0);
	f.flags |= NWIT_FLOW_TC_ONLY;
	flow_install(&s, 14, NWIT_ACTION_FORWARD, &f);
	assert_true(verdict_passed(HOOK_XDP, run_pkt(HOOK_XDP, pkt, n, out, &olen, 1, NULL)));
	assert_int_equal(olen, n);
	assert_memory_equal(out, pkt, n);	/* XDP left it to TC */
	assert_true(verdict_passed(HOOK_TC, run_pkt(HOOK_TC, pkt, n, out, &olen, 1, NULL)));
	check_rewritten(out, olen, 0, 1);

	flow_remove(&s);
	assert_int_equal(bpf_map_delete_elem(bpf_map__fd(skel->maps.nwit_devices), &lo), 0);
}

static void xdp_fib_v4(void **st) { (void)st; fib_egress(HOOK_XDP, 0); }
static void tc_fib_v4(void **st) { (void)st; fib_egress(HOOK_TC, 0); }
static void xdp_fib_v6(void **st) { (void)st; fib_egress(HOOK_XDP, 1); }
static void tc_fib_v6(void **st) { (void)st; fib_egress(HOOK_TC, 1); }

static int sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* A private network namespace with veth nwfaN <-> nwfbN, addresses and a neighbour. */
static int netns_setup(void)
{
	int id = (int)getpid() % 10000;
	char name[IFNAMSIZ];

	if (unshare(CLONE_NEWNET))
		return -errno;
	/* the FIB helper answers only for devices that forward, as a gateway's do */
	if (sh("sysctl -qw net.ipv4.conf.all.forwarding=1 net.ipv6.conf.all.forwarding=1 && "
	       "ip link set lo up && ip link add nwfa%d type veth peer name nwfb%d && "
	       "ip link set nwfa%d up && ip link set nwfb%d up && "
	       "ip addr add 10.99.0.1/24 dev nwfa%d && "
	       "ip -6 addr add fd99::1/64 dev nwfa%d nodad && "
	       "ip neigh replace 10.99.0.2 lladdr 02:00:00:00:00:99 dev nwfa%d nud permanent && "
	       "ip -6 neigh replace fd99::2 lladdr 02:00:00:00:00:99 dev nwfa%d nud permanent",
	       id, id, id, id, id, id, id, id))
		return -ENODEV;
	snprintf(name, sizeof(name), "nwfa%d", id);
	veth_a = if_nametoindex(name);
	return veth_a ? 0 : -ENODEV;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(xdp_rewrite_v4),
		cmocka_unit_test(tc_rewrite_v4),
		cmocka_unit_test(xdp_rewrite_v6),
		cmocka_unit_test(tc_rewrite_v6),
		cmocka_unit_test(raw_ip_egress),
		cmocka_unit_test(one_hook_per_flow),
		cmocka_unit_test(xdp_fib_v4),
		cmocka_unit_test(tc_fib_v4),
		cmocka_unit_test(xdp_fib_v6),
		cmocka_unit_test(tc_fib_v6),
	};
	int rc, err;

	err = netns_setup();
	if (err)
		skip_all("cannot build a private network namespace with a veth pair", err);
	skel = nwit_fastpath__open_and_load();
	if (skel)
		fp_bind(skel->obj);
	if (!skel)
		load_failed("the fast path BPF object loads", errno);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	nwit_fastpath__destroy(skel);
	return rc;
}
