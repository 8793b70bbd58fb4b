/* Forwarding behind an nftables guard for the fast path (fwd_guard.h). */
#include "fastpath/fwd_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#define GUARD_SET_ID 1
#define NFT_TYPE_IFINDEX 20	/* nft's "iface_index" data type, so `nft list` reads it */
#define NFT_BYTEORDER_HOST 1	/* nft's key byte order note: ifindexes are host order */
#define BATCH_MSGS 8		/* begin, table, set, chain, flush, rule, element, end */

static int sysctl_path(unsigned int ifindex, int ipv6, char *path, size_t len)
{
	char name[IF_NAMESIZE];

	if (!if_indextoname(ifindex, name))
		return -errno;
	snprintf(path, len, "/proc/sys/net/%s/conf/%s/forwarding", ipv6 ? "ipv6" : "ipv4", name);
	return 0;
}

int fwd_forwarding(unsigned int ifindex, int ipv6)
{
	char path[96], c = '0';
	int fd, rc = sysctl_path(ifindex, ipv6, path, sizeof(path));

	if (rc < 0)
		return rc;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (read(fd, &c, 1) != 1)
		rc = -EIO;
	close(fd);
	return rc < 0 ? rc : c == '1';
}

static int forwarding_on(unsigned int ifindex, int ipv6)
{
	char path[96];
	int fd, rc = sysctl_path(ifindex, ipv6, path, sizeof(path));

	if (rc < 0)
		return rc;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = write(fd, "1\n", 2) == 2 ? 0 : -errno;
	close(fd);
	return rc;
}

/* --- the nftables objects ------------------------------------------------------------ */

static struct nftnl_table *guard_table(void)
{
	struct nftnl_table *t = nftnl_table_alloc();

	if (!t)
		return NULL;
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, FWD_GUARD_TABLE);
	return t;
}

static struct nftnl_set *guard_set(void)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(16);

	if (!s || !ud || !nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_KEYBYTEORDER,
					       NFT_BYTEORDER_HOST)) {
		if (s)
			nftnl_set_free(s);
		if (ud)
			nftnl_udata_buf_free(ud);
		return NULL;
	}
	nftnl_set_set_data(s, NFTNL_SET_USERDATA, nftnl_udata_buf_data(ud),
			   nftnl_udata_buf_len(ud));
	nftnl_udata_buf_free(ud);
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, FWD_GUARD_TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, FWD_GUARD_SET);
	nftnl_set_set_u32(s, NFTNL_SET_ID, GUARD_SET_ID);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, NFT_TYPE_IFINDEX);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, sizeof(uint32_t));
	return s;
}

static struct nftnl_chain *guard_chain(void)
{
	struct nftnl_chain *c = nftnl_chain_alloc();

	if (!c)
		return NULL;
	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, NFPROTO_INET);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, FWD_GUARD_TABLE);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, FWD_GUARD_CHAIN);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, NF_INET_FORWARD);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, 0);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	return c;
}

/* A rule of the guard chain; with_exprs adds "meta iif @guarded counter drop". */
static struct nftnl_rule *guard_rule(int with_exprs)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_expr *e;

	if (!r)
		return NULL;
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, FWD_GUARD_TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, FWD_GUARD_CHAIN);
	if (!with_exprs)
		return r;
	if (!(e = nftnl_expr_alloc("meta")))
		goto fail;
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, NFT_META_IIF);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	nftnl_rule_add_expr(r, e);
	if (!(e = nftnl_expr_alloc("lookup")))
		goto fail;
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, FWD_GUARD_SET);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, GUARD_SET_ID);
	nftnl_rule_add_expr(r, e);
	if (!(e = nftnl_expr_alloc("counter")))
		goto fail;
	nftnl_rule_add_expr(r, e);
	if (!(e = nftnl_expr_alloc("immediate")))
		goto fail;
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, NF_DROP);
	nftnl_rule_add_expr(r, e);
	return r;
fail:
	nftnl_rule_free(r);
	return NULL;
}

/* --- one netlink batch ----------------------------------------------------------------- */

struct batch {
	struct mnl_nlmsg_batch *b;
	uint32_t seq;
	unsigned int acks;	/* messages that ask for an answer */
};

static struct nlmsghdr *batch_msg(struct batch *bt, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(bt->b), type,
						     NFPROTO_INET, flags | NLM_F_ACK, bt->seq++);

	bt->acks++;
	return nlh;
}

/* Send the batch and read one answer per message; the first error wins. */
static int batch_run(struct batch *bt, char *err, size_t errlen)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	struct timeval tv = { .tv_sec = 2 };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned int portid, answers = 0;
	int rc = 0;
	ssize_t got;
	int n;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot open a netfilter netlink socket: %s", strerror(-rc));
		goto out;
	}
	/* a kernel that never answers must not hang the event loop */
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	portid = mnl_socket_get_portid(nl);
	if (mnl_socket_sendto(nl, mnl_nlmsg_batch_head(bt->b), mnl_nlmsg_batch_size(bt->b)) < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot send the nftables batch: %s", strerror(-rc));
		goto out;
	}
	while (answers < bt->acks) {
		got = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (got < 0) {
			rc = -errno;
			snprintf(err, errlen, "no answer to the nftables batch: %s", strerror(-rc));
			goto out;
		}
		n = (int)got;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; mnl_nlmsg_ok(h, n);
		     h = mnl_nlmsg_next(h, &n)) {
			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			answers++;
			if (mnl_cb_run(h, h->nlmsg_len, 0, portid, NULL, NULL) < 0) {
				rc = -errno;
				snprintf(err, errlen, "the kernel refused the nftables guard "
					 "(table inet %s): %s", FWD_GUARD_TABLE, strerror(-rc));
				goto out;
			}
		}
	}
out:
	if (nl)
		mnl_socket_close(nl);
	return rc;
}

/* table, set, chain, its one rule (the chain flushed first) and the device in the set */
static int guard_write(unsigned int ifindex, char *err, size_t errlen)
{
	char *buf = calloc(BATCH_MSGS, MNL_SOCKET_BUFFER_SIZE);
	struct nftnl_table *t = guard_table();
	struct nftnl_set *s = guard_set();
	struct nftnl_chain *c = guard_chain();
	struct nftnl_rule *flush = guard_rule(0), *r = guard_rule(1);
	struct nftnl_set_elem *el = nftnl_set_elem_alloc();
	struct batch bt = { .seq = (uint32_t)time(NULL) };
	uint32_t key = ifindex;
	int rc = -ENOMEM;

	if (!buf || !t || !s || !c || !flush || !r || !el) {
		snprintf(err, errlen, "cannot build the nftables guard: out of memory");
		if (el)
			nftnl_set_elem_free(el);
		goto out;
	}
	nftnl_set_elem_set(el, NFTNL_SET_ELEM_KEY, &key, sizeof(key));
	nftnl_set_elem_add(s, el);	/* the set owns it now */
	bt.b = mnl_nlmsg_batch_start(buf, (size_t)BATCH_MSGS * MNL_SOCKET_BUFFER_SIZE);
	nftnl_batch_begin(mnl_nlmsg_batch_current(bt.b), bt.seq++);
	mnl_nlmsg_batch_next(bt.b);
	nftnl_table_nlmsg_build_payload(batch_msg(&bt, NFT_MSG_NEWTABLE, NLM_F_CREATE), t);
	mnl_nlmsg_batch_next(bt.b);
	nftnl_set_nlmsg_build_payload(batch_msg(&bt, NFT_MSG_NEWSET, NLM_F_CREATE), s);
	mnl_nlmsg_batch_next(bt.b);
	nftnl_chain_nlmsg_build_payload(batch_msg(&bt, NFT_MSG_NEWCHAIN, NLM_F_CREATE), c);
	mnl_nlmsg_batch_next(bt.b);
	nftnl_rule_nlmsg_build_payload(batch_msg(&bt, NFT_MSG_DELRULE, 0), flush);
	mnl_nlmsg_batch_next(bt.b);
	nftnl_rule_nlmsg_build_payload(batch_msg(&bt, NFT_MSG_NEWRULE,
						 NLM_F_CREATE | NLM_F_APPEND), r);
	mnl_nlmsg_batch_next(bt.b);
	nftnl_set_elems_nlmsg_build_payload(batch_msg(&bt, NFT_MSG_NEWSETELEM, NLM_F_CREATE), s);
	mnl_nlmsg_batch_next(bt.b);
	nftnl_batch_end(mnl_nlmsg_batch_current(bt.b), bt.seq++);
	mnl_nlmsg_batch_next(bt.b);
	rc = batch_run(&bt, err, errlen);
	mnl_nlmsg_batch_stop(bt.b);
out:
	if (r)
		nftnl_rule_free(r);
	if (flush)
		nftnl_rule_free(flush);
	if (c)
		nftnl_chain_free(c);
	if (s)
		nftnl_set_free(s);
	if (t)
		nftnl_table_free(t);
	free(buf);
	return rc;
}

int fwd_guard_enable(unsigned int ifindex, int ipv6, char *err, size_t errlen)
{
	char name[IF_NAMESIZE] = "?";
	int rc = fwd_forwarding(ifindex, ipv6);

	if_indextoname(ifindex, name);
	if (rc < 0) {
		snprintf(err, errlen, "cannot read whether %s forwards %s: %s", name,
			 ipv6 ? "IPv6" : "IPv4", strerror(-rc));
		return rc;
	}
	if (rc == 1)
		return 0;
	rc = guard_write(ifindex, err, errlen);
	if (rc < 0)
		return rc;
	rc = forwarding_on(ifindex, ipv6);
	if (rc < 0) {
		snprintf(err, errlen, "cannot turn on net.%s.conf.%s.forwarding: %s",
			 ipv6 ? "ipv6" : "ipv4", name, strerror(-rc));
		return rc;
	}
	return 1;
}
