/*
 * Kernel lab probe: does this kernel have one BPF feature the fast path can use? Each
 * subcommand first asks the kernel's own BTF (or /proc) whether the feature is there,
 * then uses it for real and checks the result against an outside value:
 *
 *   kfeat [--objdir DIR] [--log FILE] loop          bpf_loop sums 0..999 (499500)
 *   kfeat ... crypto                                bpf_crypto ecb(aes), FIPS-197 C.1
 *   kfeat ... modkfunc                              nf_conntrack's bpf_xdp_ct_lookup
 *   kfeat ... xdp DEV PEER                          native XDP on DEV counts PEER's frames
 *   kfeat ... tc DEV PEER                           TC ingress (clsact) on DEV does too
 *   kfeat ... load OBJ                              every program of OBJ loads
 *   kfeat has-kfunc NAME                            exit 0 when vmlinux's BTF has NAME
 *
 * One line on stdout: "yes DETAIL" (exit 0), "refused REASON" when the kernel lacks the
 * feature (exit 3), "fail DETAIL" when it has it and the use failed (exit 1). libbpf's
 * messages (verifier logs) go to --log FILE.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#define EXIT_YES 0
#define EXIT_FAIL 1
#define EXIT_REFUSED 3

static const char *objdir = ".";
static FILE *log_file;
static char last_err[1024];	/* the last libbpf warning: why a load failed */

static int say(int code, const char *fmt, ...)
{
	va_list ap;

	fputs(code == EXIT_YES ? "yes " : code == EXIT_REFUSED ? "refused " : "fail ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return code;
}

/*
 * libbpf's messages go to --log; of a failed load, the reason kept is libbpf's own line
 * or, for a verifier refusal, the verifier's last words.
 */
static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char *msg = NULL, *end, *p, *line;
	va_list copy;

	va_copy(copy, ap);
	if (log_file)
		vfprintf(log_file, fmt, copy);
	va_end(copy);
	if (level != LIBBPF_WARN || vasprintf(&msg, fmt, ap) < 0)
		return 0;
	end = strstr(msg, "-- END PROG LOAD LOG --");
	if (end) {
		/* the verifier log: keep its last non-empty line before the end marker */
		*end = 0;
		line = NULL;
		for (p = strtok(msg, "\n"); p; p = strtok(NULL, "\n"))
			if (!strstr(p, "-- BEGIN") && !strstr(p, "processed ") && *p)
				line = p;
		if (line)
			snprintf(last_err, sizeof(last_err), "verifier: %s", line);
	} else if (!last_err[0] && !strstr(msg, "-- BEGIN")) {
		for (p = msg + strlen(msg); p > msg && p[-1] == '\n'; p--)
			p[-1] = 0;
		snprintf(last_err, sizeof(last_err), "%s", msg);
	}
	free(msg);
	return 0;
}

static struct btf *vmlinux_btf(void)
{
	struct btf *b = btf__load_vmlinux_btf();

	return libbpf_get_error(b) ? NULL : b;
}

/* 1 when the kernel's BTF (vmlinux, or the module's own) has a function NAME */
static int kernel_has_func(const char *name, const char *module)
{
	struct btf *base = vmlinux_btf(), *m = NULL;
	int found = 0;

	if (!base)
		return 0;
	if (module) {
		m = btf__load_module_btf(module, base);
		if (!libbpf_get_error(m))
			found = btf__find_by_name_kind(m, name, BTF_KIND_FUNC) > 0;
		else
			m = NULL;
	} else {
		found = btf__find_by_name_kind(base, name, BTF_KIND_FUNC) > 0;
	}
	btf__free(m);
	btf__free(base);
	return found;
}

/* 1 when the kernel's enum bpf_func_id has VALUE_NAME (a helper this kernel knows) */
static int kernel_has_helper(const char *value_name)
{
	struct btf *b = vmlinux_btf();
	const struct btf_type *t;
	const struct btf_enum *e;
	int id, i, found = 0;

	if (!b)
		return 0;
	id = btf__find_by_name_kind(b, "bpf_func_id", BTF_KIND_ENUM);
	if (id > 0) {
		t = btf__type_by_id(b, id);
		e = btf_enum(t);
		for (i = 0; i < btf_vlen(t); i++)
			if (!strcmp(btf__name_by_offset(b, e[i].name_off), value_name))
				found = 1;
	}
	btf__free(b);
	return found;
}

static struct bpf_object *open_load(const char *file, int *err)
{
	char path[512];
	struct bpf_object *obj;

	if (strchr(file, '/'))
		snprintf(path, sizeof(path), "%s", file);
	else
		snprintf(path, sizeof(path), "%s/%s", objdir, file);
	last_err[0] = 0;
	obj = bpf_object__open_file(path, NULL);
	if (libbpf_get_error(obj)) {
		*err = (int)libbpf_get_error(obj);
		snprintf(last_err, sizeof(last_err), "cannot open %s: %s", path, strerror(-*err));
		return NULL;
	}
	*err = bpf_object__load(obj);
	if (*err) {
		bpf_object__close(obj);
		return NULL;
	}
	return obj;
}

static int prog_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(obj, name);

	return p ? bpf_program__fd(p) : -1;
}

static int map_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);

	return m ? bpf_map__fd(m) : -1;
}

/* run an XDP/TC program once on a small IPv4/UDP frame */
static int run_once(int fd, __u32 *retval)
{
	unsigned char pkt[64] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt), .repeat = 1);

	pkt[12] = 0x08;	/* ETH_P_IP */
	pkt[14] = 0x45;
	pkt[16] = 0;
	pkt[17] = 50;
	pkt[22] = 64;
	pkt[23] = 17;
	if (bpf_prog_test_run_opts(fd, &o))
		return -errno;
	*retval = o.retval;
	return 0;
}

static int feat_loop(void)
{
	struct { __u32 n, calls; __u64 sum; } io = { .n = 1000 };
	struct bpf_object *obj;
	__u32 k = 0, ret;
	int err;

	if (!kernel_has_helper("BPF_FUNC_loop"))
		return say(EXIT_REFUSED, "no bpf_loop helper in this kernel (BPF_FUNC_loop not in its BTF; added in 5.17)");
	obj = open_load("kfeat_loop.bpf.o", &err);
	if (!obj)
		return say(EXIT_FAIL, "the kernel knows bpf_loop but refused a program using it: %s", last_err);
	err = bpf_map_update_elem(map_fd(obj, "io"), &k, &io, BPF_ANY);
	if (!err)
		err = run_once(prog_fd(obj, "kfeat_loop"), &ret);
	if (!err)
		err = bpf_map_lookup_elem(map_fd(obj, "io"), &k, &io) ? -errno : 0;
	bpf_object__close(obj);
	if (err)
		return say(EXIT_FAIL, "running the bpf_loop program failed: %s", strerror(-err));
	if (io.calls != 1000 || io.sum != 499500)
		return say(EXIT_FAIL, "bpf_loop over 1000 indexes made %u calls, sum %llu (expected 1000, 499500)",
			   io.calls, (unsigned long long)io.sum);
	return say(EXIT_YES, "1000 callbacks, sum 0..999 = 499500");
}

static int feat_crypto(void)
{
	/* FIPS-197 Appendix C.1: AES-128 */
	static const unsigned char key[16] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
					       0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f };
	static const unsigned char pt[16] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
					      0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
	static const unsigned char ct[16] = { 0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30,
					      0xd8, 0xcd, 0xb7, 0x80, 0x70, 0xb4, 0xc5, 0x5a };
	struct { unsigned char key[16], in[16], out[16]; int setup_err, enc_err; } b;
	LIBBPF_OPTS(bpf_test_run_opts, so);
	struct bpf_object *obj;
	__u32 k = 0, ret;
	int err;

	if (!kernel_has_func("bpf_crypto_ctx_create", NULL))
		return say(EXIT_REFUSED, "no bpf_crypto kfuncs in this kernel (bpf_crypto_ctx_create not in its BTF; added in 6.10)");
	obj = open_load("kfeat_crypto.bpf.o", &err);
	if (!obj)
		return say(EXIT_FAIL, "the kernel has bpf_crypto kfuncs but refused a program using them: %s", last_err);
	memset(&b, 0, sizeof(b));
	memcpy(b.key, key, 16);
	memcpy(b.in, pt, 16);
	err = bpf_map_update_elem(map_fd(obj, "blocks"), &k, &b, BPF_ANY) ? -errno : 0;
	if (!err)
		err = bpf_prog_test_run_opts(prog_fd(obj, "kfeat_crypto_setup"), &so) ? -errno : 0;
	if (!err)
		err = run_once(prog_fd(obj, "kfeat_crypto_enc"), &ret);
	if (!err)
		err = bpf_map_lookup_elem(map_fd(obj, "blocks"), &k, &b) ? -errno : 0;
	bpf_object__close(obj);
	if (err)
		return say(EXIT_FAIL, "running the bpf_crypto programs failed: %s", strerror(-err));
	if (b.setup_err)
		return say(EXIT_FAIL, "bpf_crypto_ctx_create(skcipher, ecb(aes)) failed: %s", strerror(-b.setup_err));
	if (b.enc_err)
		return say(EXIT_FAIL, "bpf_crypto_encrypt failed: %s", strerror(-b.enc_err));
	if (memcmp(b.out, ct, 16))
		return say(EXIT_FAIL, "ecb(aes) of the FIPS-197 C.1 block is not 69c4e0d8...b4c55a");
	return say(EXIT_YES, "ecb(aes) context from SEC(\"syscall\"), encrypt from TC: FIPS-197 C.1 block matches");
}

/* 1 when modules.dep of the running kernel lists MOD (a module that should be loadable) */
static int module_shipped(const char *mod)
{
	struct utsname u;
	char path[256], line[1024], want[64];
	FILE *f;
	int found = 0;

	if (uname(&u))
		return 0;
	snprintf(path, sizeof(path), "/lib/modules/%s/modules.dep", u.release);
	snprintf(want, sizeof(want), "/%s.ko", mod);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (colon) {
			*colon = 0;
			found = strstr(line, want) != NULL;
		}
	}
	fclose(f);
	return found;
}

static int ct_lookup_run(int *result)
{
	struct bpf_object *obj;
	__u32 k = 0, ret;
	int err;

	obj = open_load("kfeat_ct.bpf.o", &err);
	if (!obj)
		return err ? err : -EINVAL;
	*result = 0;
	err = run_once(prog_fd(obj, "kfeat_ct"), &ret);
	if (!err)
		err = bpf_map_lookup_elem(map_fd(obj, "result"), &k, result) ? -errno : 0;
	bpf_object__close(obj);
	return err;
}

static int feat_modkfunc(void)
{
	int err, r = 0;

	if (access("/proc/modules", F_OK)) {
		const char *builtin = "";

		/* the same kfunc built into vmlinux, to tell the two apart in the report */
		if (kernel_has_func("bpf_xdp_ct_lookup", NULL) && !ct_lookup_run(&r) && r == -ENOENT)
			builtin = "; nf_conntrack is built in and its kfunc bpf_xdp_ct_lookup works from vmlinux";
		return say(EXIT_REFUSED, "kernel without loadable modules (no /proc/modules: CONFIG_MODULES off)%s",
			   builtin);
	}
	if (!kernel_has_func("bpf_xdp_ct_lookup", "nf_conntrack")) {
		if (module_shipped("nf_conntrack"))
			return say(EXIT_FAIL, "nf_conntrack ships as a module but /sys/kernel/btf/nf_conntrack has no bpf_xdp_ct_lookup (not loaded? no module BTF?)");
		return say(EXIT_REFUSED, "no module of this kernel registers bpf_xdp_ct_lookup (nf_conntrack not a module)");
	}
	err = ct_lookup_run(&r);
	if (err)
		return say(EXIT_FAIL, "a program calling nf_conntrack's bpf_xdp_ct_lookup did not load or run: %s",
			   last_err[0] ? last_err : strerror(-err));
	if (r != -ENOENT)
		return say(EXIT_FAIL, "bpf_xdp_ct_lookup of an unknown tuple gave %d, expected NULL with -ENOENT", r);
	return say(EXIT_YES, "nf_conntrack's bpf_xdp_ct_lookup (module BTF) called from XDP: unknown tuple -> -ENOENT");
}

/* send n IPv4/UDP frames out of PEER towards DEV's MAC address */
static int send_frames(const char *dev, const char *peer, int n)
{
	unsigned char f[60] = { 0 };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	struct ifreq ifr;
	int s, i, err = 0;
	unsigned int sum = 0;

	s = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (s < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	if (ioctl(s, SIOCGIFHWADDR, &ifr)) {
		err = -errno;
		goto out;
	}
	memcpy(f, ifr.ifr_hwaddr.sa_data, 6);
	memset(f + 6, 0x02, 6);
	f[12] = 0x08;
	/* IPv4 192.0.2.1 -> 192.0.2.2, UDP 40000 -> 50000, 18 bytes of payload */
	memcpy(f + 14, (unsigned char[]){ 0x45, 0, 0, 46, 0, 1, 0x40, 0, 64, 17, 0, 0,
					  192, 0, 2, 1, 192, 0, 2, 2 }, 20);
	for (i = 0; i < 20; i += 2)
		sum += (unsigned int)(f[14 + i] << 8 | f[15 + i]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	f[24] = (unsigned char)(~sum >> 8);
	f[25] = (unsigned char)~sum;
	memcpy(f + 34, (unsigned char[]){ 0x9c, 0x40, 0xc3, 0x50, 0, 26, 0, 0 }, 8);
	sll.sll_ifindex = (int)if_nametoindex(peer);
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, f, 6);
	if (!sll.sll_ifindex) {
		err = -ENODEV;
		goto out;
	}
	for (i = 0; i < n; i++)
		if (sendto(s, f, sizeof(f), 0, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
			err = -errno;
			break;
		}
out:
	close(s);
	return err;
}

static __u64 wait_count(int fd, __u64 want)
{
	__u32 k = 0;
	__u64 v = 0;
	int i;

	for (i = 0; i < 100; i++) {
		if (!bpf_map_lookup_elem(fd, &k, &v) && v >= want)
			break;
		usleep(20000);
	}
	return v;
}

static int feat_xdp(const char *dev, const char *peer)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct bpf_object *obj;
	int ifindex = (int)if_nametoindex(dev), err, fd;
	__u64 seen;

	if (!ifindex || !if_nametoindex(peer))
		return say(EXIT_FAIL, "no devices %s and %s (the caller makes the veth pair)", dev, peer);
	obj = open_load("kfeat_count.bpf.o", &err);
	if (!obj)
		return say(EXIT_FAIL, "a packet-counting XDP program did not load: %s", last_err);
	fd = prog_fd(obj, "kfeat_xdp");
	err = bpf_xdp_attach(ifindex, fd, XDP_FLAGS_DRV_MODE, NULL);
	if (err) {
		bpf_object__close(obj);
		return say(EXIT_FAIL, "native (driver mode) XDP attach to veth %s refused: %s", dev, strerror(-err));
	}
	err = bpf_xdp_query(ifindex, 0, &q);
	if (!err)
		err = send_frames(dev, peer, 10);
	seen = err ? 0 : wait_count(map_fd(obj, "seen"), 10);
	bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, NULL);
	bpf_object__close(obj);
	if (err)
		return say(EXIT_FAIL, "query or traffic on %s failed: %s", dev, strerror(-err));
	if (q.attach_mode != XDP_ATTACHED_DRV)
		return say(EXIT_FAIL, "XDP on %s is attached in mode %u, not native (XDP_ATTACHED_DRV)", dev,
			   q.attach_mode);
	if (seen != 10)
		return say(EXIT_FAIL, "native XDP on %s saw %llu of the 10 frames its peer sent", dev,
			   (unsigned long long)seen);
	return say(EXIT_YES, "driver mode on veth, 10 of 10 frames seen");
}

static int feat_tc(const char *dev, const char *peer)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, o, .handle = 1, .priority = 1);
	struct bpf_object *obj;
	int err;
	__u64 seen;

	hook.ifindex = (int)if_nametoindex(dev);
	if (!hook.ifindex || !if_nametoindex(peer))
		return say(EXIT_FAIL, "no devices %s and %s (the caller makes the veth pair)", dev, peer);
	obj = open_load("kfeat_count.bpf.o", &err);
	if (!obj)
		return say(EXIT_FAIL, "a packet-counting TC program did not load: %s", last_err);
	o.prog_fd = prog_fd(obj, "kfeat_tc");
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		bpf_object__close(obj);
		return say(EXIT_FAIL, "creating the clsact qdisc on %s failed: %s", dev, strerror(-err));
	}
	err = bpf_tc_attach(&hook, &o);
	if (!err)
		err = send_frames(dev, peer, 10);
	seen = err ? 0 : wait_count(map_fd(obj, "seen"), 10);
	hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
	bpf_tc_hook_destroy(&hook);
	bpf_object__close(obj);
	if (err)
		return say(EXIT_FAIL, "TC ingress attach or traffic on %s failed: %s", dev, strerror(-err));
	if (seen != 10)
		return say(EXIT_FAIL, "TC ingress on %s saw %llu of the 10 frames its peer sent", dev,
			   (unsigned long long)seen);
	return say(EXIT_YES, "clsact ingress (bpf_tc_attach), 10 of 10 frames seen");
}

/* the name of a kfunc libbpf could not find: "extern (func ksym) 'NAME': not found ..." */
static int missing_kfunc(char *name, size_t size)
{
	const char *p = strstr(last_err, "(func ksym) '"), *e;

	if (!p || !strstr(last_err, "not found"))
		return 0;
	p += strlen("(func ksym) '");
	e = strchr(p, '\'');
	if (!e || (size_t)(e - p) >= size)
		return 0;
	memcpy(name, p, (size_t)(e - p));
	name[e - p] = 0;
	return 1;
}

static int feat_load(const char *file)
{
	struct bpf_object *obj;
	struct bpf_program *p;
	char kf[128], progs[512] = "";
	int err;

	obj = open_load(file, &err);
	if (!obj) {
		/* refused as expected only when the kfunc it names is really not in the kernel */
		if (missing_kfunc(kf, sizeof(kf)) && !kernel_has_func(kf, NULL))
			return say(EXIT_REFUSED, "needs kfunc %s, which this kernel does not have (%s)", kf,
				   last_err);
		return say(EXIT_FAIL, "%s did not load: %s", file, last_err[0] ? last_err : strerror(-err));
	}
	bpf_object__for_each_program(p, obj) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		size_t n = strlen(progs);

		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len))
			info.verified_insns = 0;
		snprintf(progs + n, sizeof(progs) - n, "%s%s (%u insns verified)", n ? ", " : "",
			 bpf_program__name(p), info.verified_insns);
	}
	bpf_object__close(obj);
	return say(EXIT_YES, "loads: %s", progs);
}

int main(int argc, char **argv)
{
	int i = 1;

	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (!strcmp(argv[i], "--objdir")) {
			objdir = argv[i + 1];
		} else if (!strcmp(argv[i], "--log")) {
			log_file = fopen(argv[i + 1], "a");
			if (!log_file) {
				fprintf(stderr, "kfeat: cannot open %s: %s\n", argv[i + 1], strerror(errno));
				return 2;
			}
		} else {
			break;
		}
	}
	libbpf_set_print(libbpf_log);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (i < argc && !strcmp(argv[i], "loop"))
		return feat_loop();
	if (i < argc && !strcmp(argv[i], "crypto"))
		return feat_crypto();
	if (i < argc && !strcmp(argv[i], "modkfunc"))
		return feat_modkfunc();
	if (i + 2 < argc && !strcmp(argv[i], "xdp"))
		return feat_xdp(argv[i + 1], argv[i + 2]);
	if (i + 2 < argc && !strcmp(argv[i], "tc"))
		return feat_tc(argv[i + 1], argv[i + 2]);
	if (i + 1 < argc && !strcmp(argv[i], "has-kfunc"))
		return kernel_has_func(argv[i + 1], NULL) ? 0 : 1;
	if (i + 1 < argc && !strcmp(argv[i], "load"))
		return feat_load(argv[i + 1]);
	fprintf(stderr, "usage: kfeat [--objdir DIR] [--log FILE] loop|crypto|modkfunc|xdp DEV PEER|tc DEV PEER|load OBJ|has-kfunc NAME\n");
	return 2;
}
