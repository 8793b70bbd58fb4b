/* Fast path controller side: load, pin/adopt, attach, flows and counters. */
#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <openssl/crypto.h>

#include "fastpath/fastpath.h"
#include "fastpath/fastpath_keys.h"
#include "core/log.h"
#include "nwit_fastpath.skel.h"
#include "nwit_fastpath_plain.skel.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif
#define BPFFS_ROOT "/sys/fs/bpf"

#define TC_HANDLE 0x4e57	/* "NW" */
#define TC_PRIORITY 1

/* The maps and programs of the loaded object: both objects have the same ones. */
struct fp_maps {
	struct bpf_map *nwit_flows, *nwit_srtp, *nwit_aes, *nwit_flow_stats, *nwit_drop_stats,
		*nwit_class_stats, *nwit_devices, *nwit_tx_ports, *nwit_bundle, *nwit_scratch;
};
struct fp_progs {
	struct bpf_program *nwit_xdp, *nwit_tc, *nwit_crypto_setup;
};

struct fastpath {
	/* one of the two: nwit_fastpath (bpf_crypto kfuncs) or nwit_fastpath_plain */
	struct nwit_fastpath *full;
	struct nwit_fastpath_plain *plain;
	struct bpf_object *obj;
	struct fp_maps maps;
	struct fp_progs progs;
	char pin_path[256];
	int adopted;
	enum nwit_aes_impl aes;	/* the AES SSRCs get; NWIT_AES_INVALID: SRTP is relayed */
	char aes_why[160];	/* why there is none */
};

#define FP_BIND(fp, sk)                                                        \
	do {                                                                   \
		(fp)->obj = (sk)->obj;                                         \
		(fp)->maps.nwit_flows = (sk)->maps.nwit_flows;                 \
		(fp)->maps.nwit_srtp = (sk)->maps.nwit_srtp;                   \
		(fp)->maps.nwit_aes = (sk)->maps.nwit_aes;                     \
		(fp)->maps.nwit_flow_stats = (sk)->maps.nwit_flow_stats;       \
		(fp)->maps.nwit_drop_stats = (sk)->maps.nwit_drop_stats;       \
		(fp)->maps.nwit_class_stats = (sk)->maps.nwit_class_stats;     \
		(fp)->maps.nwit_devices = (sk)->maps.nwit_devices;             \
		(fp)->maps.nwit_tx_ports = (sk)->maps.nwit_tx_ports;           \
		(fp)->maps.nwit_bundle = (sk)->maps.nwit_bundle;               \
		(fp)->maps.nwit_scratch = (sk)->maps.nwit_scratch;             \
		(fp)->progs.nwit_xdp = (sk)->progs.nwit_xdp;                   \
		(fp)->progs.nwit_tc = (sk)->progs.nwit_tc;                     \
		(fp)->progs.nwit_crypto_setup = (sk)->progs.nwit_crypto_setup; \
	} while (0)

static const char *const drop_names[NWIT_DROP__COUNT] = {
	[NWIT_DROP_MALFORMED] = "malformed",
	[NWIT_DROP_UNKNOWN_SSRC] = "unknown_ssrc",
	[NWIT_DROP_AUTH_FAIL] = "auth_fail",
	[NWIT_DROP_REPLAY] = "replay",
	[NWIT_DROP_NO_CRYPTO] = "no_crypto",
	[NWIT_DROP_CRYPTO_ERROR] = "crypto_error",
	[NWIT_DROP_TOO_BIG] = "too_big",
	[NWIT_DROP_NO_ROUTE] = "no_route",
	[NWIT_DROP_RESIZE] = "resize",
	[NWIT_DROP_BAD_FLOW] = "bad_flow",
};

static const char *const class_names[NWIT_CLASS__COUNT] = {
	[NWIT_CLASS_NOT_UDP] = "not_udp",
	[NWIT_CLASS_STUN] = "stun",
	[NWIT_CLASS_ZRTP] = "zrtp",
	[NWIT_CLASS_DTLS] = "dtls",
	[NWIT_CLASS_TURN] = "turn",
	[NWIT_CLASS_RTP_RTCP] = "rtp_rtcp",
	[NWIT_CLASS_UNKNOWN] = "unknown",
	[NWIT_CLASS_MALFORMED] = "malformed",
};

const char *fastpath_drop_reason_name(enum nwit_drop_reason r)
{
	return r > NWIT_DROP_INVALID && r < NWIT_DROP__COUNT ? drop_names[r] : "invalid";
}

const char *fastpath_class_name(enum nwit_pkt_class c)
{
	return c > NWIT_CLASS_INVALID && c < NWIT_CLASS__COUNT ? class_names[c] : "invalid";
}

const char *fastpath_action_name(enum nwit_flow_action a)
{
	switch (a) {
	case NWIT_ACTION_SRTP_TO_RTP:
		return "srtp-to-rtp";
	case NWIT_ACTION_RTP_TO_SRTP:
		return "rtp-to-srtp";
	case NWIT_ACTION_FORWARD:
		return "forward";
	default:
		return "invalid";
	}
}

static int ensure_bpffs(const char *pin_path)
{
	struct statfs st;

	if (statfs(BPFFS_ROOT, &st) < 0 || st.f_type != BPF_FS_MAGIC) {
		if (mount("bpf", BPFFS_ROOT, "bpf", 0, NULL) < 0) {
			int err = -errno;

			log_warn("fast path: cannot mount bpffs on %s", BPFFS_ROOT);
			return err;
		}
		log_info("fast path: mounted bpffs on %s", BPFFS_ROOT);
	}
	if (mkdir(pin_path, 0700) < 0 && errno != EEXIST) {
		int err = -errno;

		log_warn("fast path: cannot create the pin directory %s", pin_path);
		return err;
	}
	return 0;
}

/* Set up the AES aes once under a throwaway key, then remove it. 0 or -errno. */
static int probe_aes(struct fastpath *fp, enum nwit_aes_impl aes)
{
	struct nwit_ssrc_key sk = { .flow_id = 0, .ssrc = 0 };
	struct srtp_session_keys k;
	int err;

	memset(&k, 0x5a, sizeof(k));
	err = fastpath_crypto_setup(bpf_program__fd(fp->progs.nwit_crypto_setup), &sk, &k, aes);
	bpf_map_delete_elem(bpf_map__fd(fp->maps.nwit_aes), &sk);
	return err;
}

/*
 * The objects are built with -mcpu=v3 (32-bit jumps, kernels >= 5.1). Every kernel with
 * what else the programs use (bpf_loop, kptrs: >= 5.19) accepts it; a kernel that does
 * not gets a clear reason rather than a verifier log. 0 or -errno.
 */
static int probe_isa_v3(void)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP32 | BPF_JEQ | BPF_K, .dst_reg = BPF_REG_0, .off = 0, .imm = 1 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, NULL, "GPL", insns, 3, NULL);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/*
 * Map flags a pinned map's info does not report as they were created: the kernel adds
 * BPF_F_RDONLY_PROG to devmaps and keeps the access flags only on the creating fd.
 */
#define FLAGS_NOT_KEPT (BPF_F_RDONLY_PROG | BPF_F_RDONLY | BPF_F_WRONLY)

/* Pin the object's maps under the pin path, or adopt the ones pinned there. */
static int prepare_maps(struct fastpath *fp)
{
	struct bpf_map *map;
	char path[512];
	int err;

	bpf_object__for_each_map(map, fp->obj) {
		if (bpf_map__is_internal(map) || map == fp->maps.nwit_scratch)
			continue;
		snprintf(path, sizeof(path), "%s/%s", fp->pin_path, bpf_map__name(map));
		if (access(path, F_OK) == 0) {
			/*
			 * Adopt it by fd: libbpf's own reuse check refuses devmaps, whose flags
			 * the kernel extends with BPF_F_RDONLY_PROG.
			 */
			int mfd = bpf_obj_get(path);
			struct bpf_map_info info;
			__u32 ilen = sizeof(info);

			if (mfd < 0) {
				err = -errno;
				log_warn("fast path: cannot open the pinned map %s", path);
				return err;
			}
			memset(&info, 0, sizeof(info));
			if (bpf_obj_get_info_by_fd(mfd, &info, &ilen) == 0 &&
			    (info.type != bpf_map__type(map) ||
			     info.key_size != bpf_map__key_size(map) ||
			     info.value_size != bpf_map__value_size(map) ||
			     info.max_entries != bpf_map__max_entries(map) ||
			     ((info.map_flags ^ bpf_map__map_flags(map)) & ~FLAGS_NOT_KEPT))) {
				/* another nwit version's layout: its flows cannot be kept */
				log_warnx("fast path: the pinned map %s has another layout; "
					  "replacing it (flows of the earlier version are lost)",
					  path);
				close(mfd);
				if (unlink(path) < 0) {
					err = -errno;
					log_warn("fast path: cannot remove %s", path);
					return err;
				}
				goto pin_new;
			}
			err = bpf_map__reuse_fd(map, mfd);
			close(mfd);
			if (err) {
				log_warnx("fast path: cannot reuse the pinned map %s: %s", path,
					  strerror(-err));
				return err;
			}
			fp->adopted = 1;
			continue;
		}
pin_new:
		err = bpf_map__set_pin_path(map, path);
		if (err) {
			log_warnx("fast path: cannot set the pin path %s: %s", path, strerror(-err));
			return err;
		}
	}
	return 0;
}

static void unload(struct fastpath *fp)
{
	nwit_fastpath__destroy(fp->full);
	nwit_fastpath_plain__destroy(fp->plain);
	fp->full = NULL;
	fp->plain = NULL;
	fp->obj = NULL;
	fp->adopted = 0;
}

/* Open, pin and load nwit_fastpath (plain = 0) or nwit_fastpath_plain. 0 or -errno. */
static int load(struct fastpath *fp, int plain)
{
	int err;

	if (plain) {
		fp->plain = nwit_fastpath_plain__open();
		if (fp->plain)
			FP_BIND(fp, fp->plain);
	} else {
		fp->full = nwit_fastpath__open();
		if (fp->full)
			FP_BIND(fp, fp->full);
	}
	if (!fp->obj) {
		err = -errno;
		log_warnx("fast path: cannot open the BPF object: %s", strerror(-err));
		return err;
	}
	err = prepare_maps(fp);
	if (!err)
		err = plain ? nwit_fastpath_plain__load(fp->plain) : nwit_fastpath__load(fp->full);
	if (err)
		unload(fp);
	return err;
}

int fastpath_open(const char *pin_path, enum nwit_aes_impl aes, struct fastpath **out)
{
	struct fastpath *fp = NULL;
	int err, plain = 0;

	*out = NULL;
	if (strlen(pin_path) + 64 > 512 || strlen(pin_path) >= sizeof(fp->pin_path))
		return -ENAMETOOLONG;
	if (aes <= NWIT_AES_INVALID || aes >= NWIT_AES__COUNT)
		return -EINVAL;
	fp = calloc(1, sizeof(*fp));
	if (!fp)
		return -ENOMEM;
	memcpy(fp->pin_path, pin_path, strlen(pin_path) + 1);
	err = ensure_bpffs(pin_path);
	if (err)
		goto fail;
	err = probe_isa_v3();
	if (err) {
		log_warnx("fast path: the kernel refuses BPF instruction set v3 (32-bit jumps, "
			  "Linux >= 5.1), which the programs are built for: %s", strerror(-err));
		goto fail;
	}
	err = load(fp, 0);
	if (err) {
		/* kernels < 6.10 have no bpf_crypto kfuncs: the object without them */
		log_info("fast path: the programs with bpf_crypto do not load (%s); loading "
			 "those without it (AES in BPF only)", strerror(-err));
		plain = 1;
		err = load(fp, 1);
	}
	if (err) {
		log_warnx("fast path: cannot load the BPF programs (pinned maps under %s "
			  "from an incompatible version?): %s", pin_path, strerror(-err));
		goto fail;
	}
	err = probe_aes(fp, aes);
	if (!err) {
		fp->aes = aes;
	} else {
		fp->aes = NWIT_AES_INVALID;
		snprintf(fp->aes_why, sizeof(fp->aes_why), "%s%s",
			 aes == NWIT_AES_BPF ? "AES in BPF cannot be set up"
			 : aes == NWIT_AES_GENERIC ? "no bpf_crypto ecb(aes-generic)"
						   : "no bpf_crypto ecb(aes)",
			 plain && aes != NWIT_AES_BPF ? " (kernel without bpf_crypto, < 6.10); "
				  "[fastpath] aes = bpf runs SRTP in BPF with table-based AES" : "");
		log_warnx("fast path: %s (%s): SRTP flows cannot be handled in the kernel and go "
			  "to the userspace relay", fp->aes_why, strerror(-err));
	}
	if (fp->adopted)
		log_info("fast path: re-adopted the maps pinned under %s", pin_path);
	*out = fp;
	return 0;
fail:
	fastpath_close(fp);
	return err;
}

void fastpath_close(struct fastpath *fp)
{
	if (!fp)
		return;
	unload(fp);
	free(fp);
}

int fastpath_adopted(const struct fastpath *fp)
{
	return fp->adopted;
}

int fastpath_crypto_available(const struct fastpath *fp)
{
	return fp->aes != NWIT_AES_INVALID;
}

enum nwit_aes_impl fastpath_aes(const struct fastpath *fp)
{
	return fp->aes;
}

const char *fastpath_aes_unavailable(const struct fastpath *fp)
{
	return fp->aes_why[0] ? fp->aes_why : NULL;
}

int fastpath_has_bpf_crypto(const struct fastpath *fp)
{
	return fp->full != NULL;
}

int fastpath_device_is_raw_ip(unsigned int ifindex)
{
	struct ifreq ifr;
	int fd, err = 0;

	memset(&ifr, 0, sizeof(ifr));
	if (!if_indextoname(ifindex, ifr.ifr_name))
		return -ENODEV;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		err = -errno;
	close(fd);
	if (err)
		return err;
	switch (ifr.ifr_hwaddr.sa_family) {
	case ARPHRD_ETHER:
	case ARPHRD_LOOPBACK:
		return 0;
	default:
		return 1;
	}
}

static int dev_flags_set(struct fastpath *fp, unsigned int ifindex, __u32 set, __u32 clear)
{
	struct nwit_dev_info dev = { 0 };
	int fd = bpf_map__fd(fp->maps.nwit_devices);
	__u32 key = ifindex;

	bpf_map_lookup_elem(fd, &key, &dev);
	dev.flags = (dev.flags & ~clear) | set;
	if (bpf_map_update_elem(fd, &key, &dev, BPF_ANY) < 0)
		return -errno;
	return 0;
}

static int attach_tc(struct fastpath *fp, unsigned int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = (int)ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = TC_HANDLE, .priority = TC_PRIORITY,
		    .flags = BPF_TC_F_REPLACE,
		    .prog_fd = bpf_program__fd(fp->progs.nwit_tc));
	int err;

	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		log_warnx("fast path: cannot create the clsact qdisc on ifindex %u: %s", ifindex,
			  strerror(-err));
		return err;
	}
	err = bpf_tc_attach(&hook, &opts);
	if (err)
		log_warnx("fast path: cannot attach the TC program on ifindex %u: %s", ifindex,
			  strerror(-err));
	return err;
}

static int attach_xdp(struct fastpath *fp, unsigned int ifindex)
{
	int fd = bpf_program__fd(fp->progs.nwit_xdp), err;

	err = bpf_xdp_attach((int)ifindex, fd, XDP_FLAGS_DRV_MODE, NULL);
	if (!err)
		return 0;
	/* e.g. lo refuses native XDP: run it generic there */
	err = bpf_xdp_attach((int)ifindex, fd, XDP_FLAGS_SKB_MODE, NULL);
	if (!err) {
		log_info("fast path: ifindex %u runs XDP in generic mode", ifindex);
		return 0;
	}
	log_warnx("fast path: cannot attach XDP on ifindex %u: %s", ifindex, strerror(-err));
	return err;
}

int fastpath_attach(struct fastpath *fp, unsigned int ifindex, enum fastpath_hook hook)
{
	int raw = fastpath_device_is_raw_ip(ifindex), err;

	if (raw < 0) {
		log_warnx("fast path: cannot inspect ifindex %u: %s", ifindex, strerror(-raw));
		return raw;
	}
	if (hook == FASTPATH_HOOK_XDP)
		err = attach_xdp(fp, ifindex);
	else if (hook == FASTPATH_HOOK_TC)
		err = attach_tc(fp, ifindex);
	else
		return -EINVAL;
	if (err)
		return err;
	return dev_flags_set(fp, ifindex,
			     (raw ? NWIT_DEV_RAW_IP : 0) |
				     (hook == FASTPATH_HOOK_XDP ? NWIT_DEV_ATTACHED_XDP
								: NWIT_DEV_ATTACHED_TC),
			     NWIT_DEV_RAW_IP);
}

int fastpath_detach(struct fastpath *fp, unsigned int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = (int)ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = TC_HANDLE, .priority = TC_PRIORITY);
	struct nwit_dev_info dev = { 0 };
	__u32 key = ifindex;
	int fd = bpf_map__fd(fp->maps.nwit_devices);

	if (bpf_map_lookup_elem(fd, &key, &dev) < 0)
		return -ENOENT;
	if (dev.flags & NWIT_DEV_ATTACHED_XDP) {
		bpf_xdp_detach((int)ifindex, XDP_FLAGS_DRV_MODE, NULL);
		bpf_xdp_detach((int)ifindex, XDP_FLAGS_SKB_MODE, NULL);
	}
	if (dev.flags & NWIT_DEV_ATTACHED_TC)
		bpf_tc_detach(&hook, &opts);
	bpf_map_delete_elem(fd, &key);
	return 0;
}

int fastpath_reattach_all(struct fastpath *fp)
{
	int fd = bpf_map__fd(fp->maps.nwit_devices), rc = 0, err;
	__u32 key, next, *prev = NULL;
	struct nwit_dev_info dev;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &dev) < 0)
			continue;
		err = 0;
		if (dev.flags & NWIT_DEV_ATTACHED_XDP)
			err = attach_xdp(fp, key);
		if (!err && (dev.flags & NWIT_DEV_ATTACHED_TC))
			err = attach_tc(fp, key);
		if (err && !rc)
			rc = err;
	}
	return rc;
}

int fastpath_flow_add(struct fastpath *fp, const struct nwit_flow_key *key,
		      const struct nwit_flow *flow)
{
	__u32 ifindex = flow->out_ifindex;

	if (!flow->flow_id || flow->flow_id >= NWIT_MAX_FLOWS || !flow->action ||
	    key->family != flow->out_family)
		return -EINVAL;
	if (ifindex && bpf_map_update_elem(bpf_map__fd(fp->maps.nwit_tx_ports), &ifindex,
					   &ifindex, BPF_ANY) < 0) {
		int err = -errno;

		log_warnx("fast path: cannot add ifindex %u to the XDP devmap: %s", ifindex,
			  strerror(-err));
		return err;
	}
	if (bpf_map_update_elem(bpf_map__fd(fp->maps.nwit_flows), key, flow, BPF_ANY) < 0)
		return -errno;
	return 0;
}

/* Find the key of flow_id in nwit_flows. */
static int flow_find(struct fastpath *fp, uint32_t flow_id, struct nwit_flow_key *key,
		     struct nwit_flow *flow)
{
	int fd = bpf_map__fd(fp->maps.nwit_flows);
	struct nwit_flow_key k, *prev = NULL;
	struct nwit_flow f;

	while (bpf_map_get_next_key(fd, prev, key) == 0) {
		k = *key;
		prev = &k;
		if (bpf_map_lookup_elem(fd, &k, &f) == 0 && f.flow_id == flow_id) {
			if (flow)
				*flow = f;
			return 0;
		}
	}
	return -ENOENT;
}

int fastpath_bundle_add(struct fastpath *fp, uint32_t bundle_id, uint32_t ssrc,
			const struct nwit_flow *flow)
{
	struct nwit_ssrc_key k = { .flow_id = bundle_id, .ssrc = htonl(ssrc) };
	__u32 ifindex = flow->out_ifindex;

	if (!bundle_id || bundle_id >= NWIT_MAX_FLOWS || !flow->flow_id ||
	    flow->flow_id >= NWIT_MAX_FLOWS || flow->flow_id == bundle_id || !flow->action ||
	    (flow->flags & NWIT_FLOW_BUNDLE))
		return -EINVAL;
	if (ifindex && bpf_map_update_elem(bpf_map__fd(fp->maps.nwit_tx_ports), &ifindex,
					   &ifindex, BPF_ANY) < 0)
		return -errno;
	if (bpf_map_update_elem(bpf_map__fd(fp->maps.nwit_bundle), &k, flow, BPF_ANY) < 0)
		return -errno;
	return 0;
}

/* Remove the bundle entries of bundled flow flow_id, or those leading to flow flow_id. */
static int bundle_del(struct fastpath *fp, uint32_t flow_id)
{
	int fd = bpf_map__fd(fp->maps.nwit_bundle), found = 0;
	struct nwit_ssrc_key k, next, *prev = NULL, doomed[64];
	struct nwit_flow f;
	size_t n;

	do {
		n = 0;
		prev = NULL;
		while (n < sizeof(doomed) / sizeof(doomed[0]) &&
		       bpf_map_get_next_key(fd, prev, &next) == 0) {
			k = next;
			prev = &k;
			if (k.flow_id == flow_id ||
			    (bpf_map_lookup_elem(fd, &k, &f) == 0 && f.flow_id == flow_id))
				doomed[n++] = k;
		}
		for (size_t i = 0; i < n; i++)
			found += bpf_map_delete_elem(fd, &doomed[i]) == 0;
	} while (n == sizeof(doomed) / sizeof(doomed[0]));
	return found;
}

int fastpath_flow_del(struct fastpath *fp, uint32_t flow_id)
{
	int sfd = bpf_map__fd(fp->maps.nwit_srtp), afd = bpf_map__fd(fp->maps.nwit_aes);
	struct nwit_ssrc_key sk, next, *prev = NULL, *doomed = NULL;
	struct nwit_flow_key key;
	size_t n = 0, cap = 0, i;
	int err, ncpu, bundled;

	err = flow_find(fp, flow_id, &key, NULL);
	if (err == 0 && bpf_map_delete_elem(bpf_map__fd(fp->maps.nwit_flows), &key) < 0)
		return -errno;
	bundled = bundle_del(fp, flow_id);
	if (err && !bundled)
		return err;
	while (bpf_map_get_next_key(sfd, prev, &next) == 0) {
		sk = next;
		prev = &sk;
		if (sk.flow_id != flow_id)
			continue;
		if (n == cap) {
			struct nwit_ssrc_key *bigger = realloc(doomed, (cap + 16) * sizeof(*doomed));

			if (!bigger)
				break;
			doomed = bigger;
			cap += 16;
		}
		doomed[n++] = sk;
	}
	for (i = 0; i < n; i++) {
		bpf_map_delete_elem(sfd, &doomed[i]);
		bpf_map_delete_elem(afd, &doomed[i]);
	}
	free(doomed);
	/* clear the counters for the next user of this flow id */
	ncpu = libbpf_num_possible_cpus();
	if (ncpu > 0) {
		struct nwit_flow_stat *z = calloc((size_t)ncpu, sizeof(*z));

		if (z) {
			bpf_map_update_elem(bpf_map__fd(fp->maps.nwit_flow_stats), &flow_id, z,
					    BPF_ANY);
			free(z);
		}
	}
	return 0;
}

int fastpath_ssrc_add(struct fastpath *fp, uint32_t flow_id, uint32_t ssrc,
		      enum nwit_srtp_profile profile,
		      const uint8_t master_key[SRTP_KDF_MASTER_KEY_LEN],
		      const uint8_t master_salt[SRTP_KDF_MASTER_SALT_LEN], uint32_t roc)
{
	struct nwit_ssrc_key sk = { .flow_id = flow_id, .ssrc = htonl(ssrc) };
	struct srtp_session_keys keys;
	struct nwit_srtp_ctx c;
	int err;

	if (fp->aes == NWIT_AES_INVALID)
		return -EOPNOTSUPP;
	err = srtp_derive_session_keys(master_key, master_salt, &keys);
	if (err)
		return err;
	err = fastpath_srtp_ctx_fill(&c, profile, &keys, roc);
	if (err)
		goto out;
	if (bpf_map_update_elem(bpf_map__fd(fp->maps.nwit_srtp), &sk, &c, BPF_ANY) < 0) {
		err = -errno;
		goto out;
	}
	err = fastpath_crypto_setup(bpf_program__fd(fp->progs.nwit_crypto_setup), &sk,
				    &keys, fp->aes);
	if (err)
		bpf_map_delete_elem(bpf_map__fd(fp->maps.nwit_srtp), &sk);
out:
	OPENSSL_cleanse(&keys, sizeof(keys));
	OPENSSL_cleanse(&c, sizeof(c));
	return err;
}

/* Sum n_u64 per-CPU counters at key of map fd. */
static int percpu_sum(int fd, const void *key, size_t n_u64, uint64_t *out)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	uint64_t *vals;
	size_t j;

	if (ncpu <= 0)
		return -EINVAL;
	vals = calloc((size_t)ncpu, n_u64 * sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, key, vals) < 0) {
		int err = -errno;

		free(vals);
		return err;
	}
	memset(out, 0, n_u64 * sizeof(*out));
	for (i = 0; i < ncpu; i++)
		for (j = 0; j < n_u64; j++)
			out[j] += vals[(size_t)i * n_u64 + j];
	free(vals);
	return 0;
}

int fastpath_flow_stats(struct fastpath *fp, uint32_t flow_id, struct nwit_flow_stat *out)
{
	uint64_t v[sizeof(struct nwit_flow_stat) / sizeof(uint64_t)];
	int err = percpu_sum(bpf_map__fd(fp->maps.nwit_flow_stats), &flow_id,
			     sizeof(v) / sizeof(v[0]), v);

	if (err)
		return err;
	out->packets = v[0];
	out->bytes = v[1];
	out->dropped = v[2];
	out->to_stack = v[3];
	out->unknown_ssrc = v[4];
	return 0;
}

int fastpath_drop_stats(struct fastpath *fp, uint64_t packets[NWIT_DROP__COUNT])
{
	uint64_t v[2];
	uint32_t r;

	packets[0] = 0;
	for (r = 1; r < NWIT_DROP__COUNT; r++) {
		int err = percpu_sum(bpf_map__fd(fp->maps.nwit_drop_stats), &r, 2, v);

		if (err)
			return err;
		packets[r] = v[0];
	}
	return 0;
}

static void addr_text(uint8_t family, const uint8_t *addr, __be16 port, char *out, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (family == NWIT_FAMILY_IPV6) {
		inet_ntop(AF_INET6, addr, a, sizeof(a));
		snprintf(out, len, "[%s]:%u", a, ntohs(port));
	} else {
		inet_ntop(AF_INET, addr, a, sizeof(a));
		snprintf(out, len, "%s:%u", a, ntohs(port));
	}
}

static json_t *flow_json(struct fastpath *fp, const struct nwit_flow_key *k,
			 const struct nwit_flow *f)
{
	char src[64], dst[64], osrc[64], odst[64], ifname[IF_NAMESIZE] = "";
	struct nwit_flow_stat st = { 0 };
	static const uint8_t zero[16];

	addr_text(k->family, k->src, k->sport, src, sizeof(src));
	addr_text(k->family, k->dst, k->dport, dst, sizeof(dst));
	addr_text(f->out_family, f->out_src, f->out_sport, osrc, sizeof(osrc));
	addr_text(f->out_family, f->out_dst, f->out_dport, odst, sizeof(odst));
	if (f->out_ifindex && !if_indextoname(f->out_ifindex, ifname))
		snprintf(ifname, sizeof(ifname), "#%u", f->out_ifindex);
	fastpath_flow_stats(fp, f->flow_id, &st);
	return json_pack("{s:I, s:s, s:s, s:s, s:s?, s:s?, s:s, s:I, s:I, s:I, s:I, s:I, s:I}",
			 "id", (json_int_t)f->flow_id,
			 "action", fastpath_action_name(f->action),
			 "src", src, "dst", dst,
			 "out_src", memcmp(f->out_src, zero, 16) || f->out_sport ? osrc : NULL,
			 "out_dst", memcmp(f->out_dst, zero, 16) || f->out_dport ? odst : NULL,
			 "out", f->out_ifindex ? ifname : "stack",
			 "dscp", (f->flags & NWIT_FLOW_SET_DSCP) ? (json_int_t)f->dscp : (json_int_t)-1,
			 "packets", (json_int_t)st.packets, "bytes", (json_int_t)st.bytes,
			 "dropped", (json_int_t)st.dropped, "to_stack", (json_int_t)st.to_stack,
			 "unknown_ssrc", (json_int_t)st.unknown_ssrc);
}

/* A bundled flow's per-SSRC flows: [{"ssrc": n, flow...}, ...]. */
static json_t *bundle_json(struct fastpath *fp, const struct nwit_flow_key *key,
			   uint32_t bundle_id)
{
	int fd = bpf_map__fd(fp->maps.nwit_bundle);
	struct nwit_ssrc_key k, next, *prev = NULL;
	struct nwit_flow f;
	json_t *arr = json_array(), *one;

	while (arr && bpf_map_get_next_key(fd, prev, &next) == 0) {
		k = next;
		prev = &k;
		if (k.flow_id != bundle_id || bpf_map_lookup_elem(fd, &k, &f) < 0)
			continue;
		one = flow_json(fp, key, &f);
		if (one)
			json_object_set_new(one, "ssrc", json_integer((json_int_t)ntohl(k.ssrc)));
		json_array_append_new(arr, one);
	}
	return arr;
}

json_t *fastpath_flows_json(struct fastpath *fp, uint32_t flow_id)
{
	int fd = bpf_map__fd(fp->maps.nwit_flows);
	struct nwit_flow_key k, next, *prev = NULL;
	struct nwit_flow f;
	json_t *arr = json_array(), *one;

	if (!arr)
		return NULL;
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		k = next;
		prev = &k;
		if (bpf_map_lookup_elem(fd, &k, &f) < 0 || (flow_id && f.flow_id != flow_id))
			continue;
		one = flow_json(fp, &k, &f);
		if (one && (f.flags & NWIT_FLOW_BUNDLE))
			json_object_set_new(one, "bundle", bundle_json(fp, &k, f.flow_id));
		json_array_append_new(arr, one);
	}
	return arr;
}

json_t *fastpath_stats_json(struct fastpath *fp)
{
	uint64_t drops[NWIT_DROP__COUNT], v[2];
	json_t *d = json_object(), *c = json_object();
	uint32_t i;

	if (!d || !c)
		goto fail;
	if (fastpath_drop_stats(fp, drops) == 0)
		for (i = 1; i < NWIT_DROP__COUNT; i++)
			json_object_set_new(d, drop_names[i], json_integer((json_int_t)drops[i]));
	for (i = 1; i < NWIT_CLASS__COUNT; i++)
		if (percpu_sum(bpf_map__fd(fp->maps.nwit_class_stats), &i, 2, v) == 0)
			json_object_set_new(c, class_names[i], json_integer((json_int_t)v[0]));
	return json_pack("{s:o, s:o, s:b, s:b}", "drops", d, "classes", c,
			 "crypto", fp->aes != NWIT_AES_INVALID, "adopted", fp->adopted);
fail:
	json_decref(d);
	json_decref(c);
	return NULL;
}
