/*
 * Helpers shared by the BPF test binaries: a BPF object that does not load is a failure
 * (a skip only for a process that may load no BPF at all), per-CPU sums.
 */
#ifndef NWIT_TEST_BPF_UTIL_H
#define NWIT_TEST_BPF_UTIL_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

/* Sum the per-CPU slots of a struct of n_u64 counters at key into out. Returns 0 / -errno. */
static inline int percpu_sum_u64(int map_fd, const void *key, size_t n_u64, uint64_t *out)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	size_t j;
	uint64_t *vals;

	if (ncpu <= 0)
		return -EINVAL;
	vals = calloc((size_t)ncpu, n_u64 * sizeof(uint64_t));
	if (!vals)
		return -ENOMEM;
	if (bpf_map_lookup_elem(map_fd, key, vals)) {
		int err = -errno;

		free(vals);
		return err;
	}
	memset(out, 0, n_u64 * sizeof(uint64_t));
	for (i = 0; i < ncpu; i++)
		for (j = 0; j < n_u64; j++)
			out[j] += vals[(size_t)i * n_u64 + j];
	free(vals);
	return 0;
}

/* Print the reason and exit 77 (skipped) for the runner. */
static inline void __attribute__((noreturn)) skip_all(const char *what, int err)
{
	printf("skipped: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(77);
}

/* 1 when this process may load BPF programs: CAP_BPF or CAP_SYS_ADMIN is effective. */
static inline int may_load_bpf(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	unsigned long long eff = 0;
	char line[256];
	int found = 0;

	if (!f)
		return 1;	/* cannot tell: let the load failure count */
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "CapEff: %llx", &eff) == 1;
	fclose(f);
	return !found || (eff >> 39 & 1) || (eff >> 21 & 1);
}

/*
 * what (loading the fast path object) failed with err: skipped when the process lacks
 * the capabilities to load any BPF, a failure otherwise (a program the kernel refuses is
 * a bug to see, not a part missing here).
 */
static inline void __attribute__((noreturn)) load_failed(const char *what, int err)
{
	if (!may_load_bpf())
		skip_all("this process has neither CAP_BPF nor CAP_SYS_ADMIN (run as root)", EPERM);
	printf("not ok 1 - %s: %s\n1..1\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

#endif
