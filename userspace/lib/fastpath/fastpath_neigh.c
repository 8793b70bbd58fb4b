/* Neighbour priming over rtnetlink with libmnl (see fastpath_neigh.h). */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "fastpath/fastpath_neigh.h"

struct route_answer {
	uint8_t gw[16];
	int has_gw;
	uint32_t oif;
	size_t alen;
};

static int route_attr_cb(const struct nlattr *attr, void *data)
{
	struct route_answer *r = data;

	switch (mnl_attr_get_type(attr)) {
	case RTA_GATEWAY:
		if (mnl_attr_get_payload_len(attr) == r->alen) {
			memcpy(r->gw, mnl_attr_get_payload(attr), r->alen);
			r->has_gw = 1;
		}
		break;
	case RTA_OIF:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			r->oif = mnl_attr_get_u32(attr);
		break;
	}
	return MNL_CB_OK;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return MNL_CB_OK;
	return mnl_attr_parse(nlh, sizeof(struct rtmsg), route_attr_cb, data);
}

/* Send nlh and run cb over the answers until the ACK / the reply. Returns 0 or -errno. */
static int talk(struct mnl_socket *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned int portid = mnl_socket_get_portid(nl), seq = nlh->nlmsg_seq;
	ssize_t n;
	int rc;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		rc = mnl_cb_run(buf, (size_t)n, seq, portid, cb, data);
	} while (rc > 0);
	return rc < 0 ? -errno : 0;
}

int fastpath_neigh_prime(int family, const uint8_t *dst)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct route_answer r = { .alen = family == AF_INET6 ? 16 : 4 };
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	struct ndmsg *ndm;
	unsigned int seq = (unsigned int)time(NULL);
	int err;

	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto out;
	}

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;	/* the ACK ends the answer */
	nlh->nlmsg_seq = ++seq;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)family;
	rtm->rtm_dst_len = (unsigned char)(r.alen * 8);
	mnl_attr_put(nlh, RTA_DST, r.alen, dst);
	err = talk(nl, nlh, route_cb, &r);
	if (err)
		goto out;
	if (!r.oif) {
		err = -ENETUNREACH;
		goto out;
	}

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK;
	nlh->nlmsg_seq = ++seq;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = (unsigned char)family;
	ndm->ndm_ifindex = (int)r.oif;
	ndm->ndm_flags = NTF_USE;	/* resolve now; the entry's state is the kernel's */
	ndm->ndm_state = NUD_NONE;
	mnl_attr_put(nlh, NDA_DST, r.alen, r.has_gw ? r.gw : dst);
	err = talk(nl, nlh, NULL, NULL);
out:
	mnl_socket_close(nl);
	return err;
}
