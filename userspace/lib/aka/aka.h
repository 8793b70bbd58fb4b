/*
 * UMTS/IMS AKA on the UE side (3GPP TS 33.102 6.3.3), behind a provider interface: the
 * caller hands RAND and AUTN from the challenge and gets what an ISIM's AUTHENTICATE
 * command returns: RES/CK/IK, a synchronisation failure with AUTS, or a MAC failure.
 * The software ISIM below keeps K and OPc in memory and its sequence number state in a
 * file; a modem ISIM (AT+CSIM, QMI UIM) is another provider with the same operations.
 */
#ifndef NWIT_AKA_H
#define NWIT_AKA_H

#include <stddef.h>
#include <stdint.h>

#define AKA_IND_BITS 5			/* TS 33.102 C.3.2: a = 32 array entries */
#define AKA_IND_COUNT (1u << AKA_IND_BITS)
#define AKA_DELTA (1ULL << 28)		/* TS 33.102 C.2.1: wrap-around limit on SEQ */
#define AKA_SQN_MAX ((1ULL << 48) - 1)

enum aka_status {
	AKA_STATUS_INVALID = 0,
	AKA_STATUS_OK,			/* res, ck, ik are set */
	AKA_STATUS_SYNC_FAILURE,	/* SQN not fresh: auts is set */
	AKA_STATUS_MAC_FAILURE,		/* the network failed to authenticate */
};

struct aka_result {
	enum aka_status status;
	uint8_t res[16];
	size_t res_len;
	uint8_t ck[16], ik[16];
	uint8_t auts[14];
};

struct aka_provider;

struct aka_provider_ops {
	const char *name;
	/* Returns 0 with r->status set, or -errno when the provider itself failed. */
	int (*authenticate)(struct aka_provider *p, const uint8_t rand[16],
			    const uint8_t autn[16], struct aka_result *r);
	void (*destroy)(struct aka_provider *p);
};

struct aka_provider {
	const struct aka_provider_ops *ops;
};

static inline int aka_authenticate(struct aka_provider *p, const uint8_t rand[16],
				   const uint8_t autn[16], struct aka_result *r)
{
	return p->ops->authenticate(p, rand, autn, r);
}

void aka_provider_free(struct aka_provider *p);
const char *aka_status_name(enum aka_status status);

/* --- software ISIM ------------------------------------------------------------ */

struct aka_soft_params {
	uint8_t k[16];
	uint8_t opc[16];
	/* Used only when state_path does not exist yet: the highest SQN already accepted. */
	int has_initial_sqn;
	uint8_t initial_sqn[6];
	/* Where the SQN array lives; rewritten atomically (temp, fsync, rename, fsync dir). */
	const char *state_path;
};

/*
 * Read the state file (or start from initial_sqn when it is missing; a corrupt file is an
 * error, never a silent reset). NULL on error with the reason in err.
 */
struct aka_provider *aka_soft_new(const struct aka_soft_params *params, char *err,
				  size_t errlen);

/* The highest SQN accepted so far (48 bits), for status and tests. */
uint64_t aka_soft_highest_sqn(const struct aka_provider *p);

/* TS 33.102 6.3.3 on the network side, for tests: build AUTN from SQN and AMF. */
int aka_make_autn(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
		  const uint8_t sqn[6], const uint8_t amf[2], uint8_t autn[16]);

/* Network side of resynchronisation: check AUTS, recover SQN_MS. 0, -EBADMSG or -EIO. */
int aka_check_auts(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
		   const uint8_t auts[14], uint8_t sqn_ms[6]);

#endif
