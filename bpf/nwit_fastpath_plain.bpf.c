// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fast path without the bpf_crypto kfuncs (kernels < 6.10, where nwit_fastpath cannot
 * load): the same programs and maps, with AES-128 written in BPF as its only AES
 * (NWIT_AES_BPF). The controller loads it when nwit_fastpath fails to load.
 */
#define NWIT_PLAIN_BPF 1
#include "nwit_fastpath.bpf.c"
