/* Helpers shared by the BPF test binaries: skip when BPF is unavailable, per-CPU sums. */
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

#endif
