/* AKA provider interface and the software ISIM (TS 33.102 6.3.3 and Annex C). */
#include "aka/aka.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "aka/milenage.h"

#define STATE_MAGIC "nwit-isim-sqn 1"

void aka_provider_free(struct aka_provider *p)
{
	if (p && p->ops->destroy)
		p->ops->destroy(p);
}

const char *aka_status_name(enum aka_status status)
{
	switch (status) {
	case AKA_STATUS_OK:
		return "ok";
	case AKA_STATUS_SYNC_FAILURE:
		return "synchronisation failure";
	case AKA_STATUS_MAC_FAILURE:
		return "MAC failure";
	case AKA_STATUS_INVALID:
		break;
	}
	return "invalid";
}

static uint64_t sqn_get(const uint8_t b[6])
{
	uint64_t v = 0;

	for (int i = 0; i < 6; i++)
		v = v << 8 | b[i];
	return v;
}

static void sqn_put(uint64_t v, uint8_t b[6])
{
	for (int i = 5; i >= 0; i--) {
		b[i] = (uint8_t)v;
		v >>= 8;
	}
}

int aka_make_autn(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
		  const uint8_t sqn[6], const uint8_t amf[2], uint8_t autn[16])
{
	uint8_t ak[6];
	int rc;

	rc = milenage_f2345(k, opc, rand, NULL, NULL, NULL, ak, NULL);
	if (rc == 0)
		rc = milenage_f1(k, opc, rand, sqn, amf, autn + 8, NULL);
	if (rc < 0)
		return rc;
	for (int i = 0; i < 6; i++)
		autn[i] = sqn[i] ^ ak[i];
	memcpy(autn + 6, amf, 2);
	return 0;
}

int aka_check_auts(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
		   const uint8_t auts[14], uint8_t sqn_ms[6])
{
	static const uint8_t amf_star[2] = { 0, 0 };	/* TS 33.102 6.3.3: dummy AMF */
	uint8_t ak_star[6], mac_s[8];
	int rc;

	rc = milenage_f2345(k, opc, rand, NULL, NULL, NULL, NULL, ak_star);
	if (rc < 0)
		return rc;
	for (int i = 0; i < 6; i++)
		sqn_ms[i] = auts[i] ^ ak_star[i];
	rc = milenage_f1(k, opc, rand, sqn_ms, amf_star, NULL, mac_s);
	if (rc < 0)
		return rc;
	return CRYPTO_memcmp(mac_s, auts + 6, 8) == 0 ? 0 : -EBADMSG;
}

/* --- software ISIM -------------------------------------------------------------- */

struct aka_soft {
	struct aka_provider base;
	uint8_t k[16], opc[16];
	uint64_t sqn[AKA_IND_COUNT];	/* highest accepted SQN for each IND (Annex C.3.2) */
	char *state_path;
};

static uint64_t seq_of(uint64_t sqn)
{
	return sqn >> AKA_IND_BITS;
}

static unsigned int ind_of(uint64_t sqn)
{
	return (unsigned int)(sqn & (AKA_IND_COUNT - 1));
}

/* The SQN whose SEQ is the highest of the array (SQN_MS of Annex C.2.3). */
static uint64_t highest(const struct aka_soft *s)
{
	uint64_t best = s->sqn[0];

	for (unsigned int i = 1; i < AKA_IND_COUNT; i++)
		if (seq_of(s->sqn[i]) > seq_of(best))
			best = s->sqn[i];
	return best;
}

uint64_t aka_soft_highest_sqn(const struct aka_provider *p)
{
	return highest((const struct aka_soft *)p);
}

/* Write the whole array: temp file, fsync, rename over the old one, fsync the folder. */
static int state_save(const struct aka_soft *s)
{
	char tmp[PATH_MAX], dir[PATH_MAX], text[AKA_IND_COUNT * 24 + 64], *slash;
	size_t len = 0;
	int fd, rc = 0;

	if (!s->state_path)
		return 0;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", s->state_path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	len += (size_t)snprintf(text + len, sizeof(text) - len, "%s\n", STATE_MAGIC);
	for (unsigned int i = 0; i < AKA_IND_COUNT; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%u %012llx\n", i,
					(unsigned long long)s->sqn[i]);

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		off += (size_t)n;
	}
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, s->state_path) < 0)
		rc = -errno;
	if (rc < 0) {
		unlink(tmp);
		return rc;
	}
	snprintf(dir, sizeof(dir), "%s", s->state_path);
	slash = strrchr(dir, '/');
	if (slash) {
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			if (fsync(fd) < 0)
				rc = -errno;
			close(fd);
		}
	}
	return rc;
}

/* 0 and the array filled, -ENOENT when there is no file, or -EINVAL/-errno with err set. */
static int state_load(struct aka_soft *s, char *err, size_t errlen)
{
	char line[128];
	unsigned int seen[AKA_IND_COUNT] = { 0 };
	int lineno = 0, rc = 0;
	FILE *f;

	f = fopen(s->state_path, "re");
	if (!f) {
		if (errno == ENOENT)
			return -ENOENT;
		rc = -errno;
		snprintf(err, errlen, "%s: cannot open: %s", s->state_path, strerror(errno));
		return rc;
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned int ind;
		unsigned long long v;
		char hex[16];
		int end = 0;

		lineno++;
		if (lineno == 1) {
			if (strcmp(line, STATE_MAGIC "\n") != 0)
				goto bad;
			continue;
		}
		if (sscanf(line, "%u %13s%n", &ind, hex, &end) != 2 || strlen(hex) != 12 ||
		    strcmp(line + end, "\n") != 0 || ind >= AKA_IND_COUNT || seen[ind])
			goto bad;
		v = strtoull(hex, NULL, 16);
		if (strspn(hex, "0123456789abcdefABCDEF") != 12 || (v && ind_of(v) != ind))
			goto bad;
		seen[ind] = 1;
		s->sqn[ind] = v;
	}
	if (ferror(f) || lineno == 0) {
		lineno++;
		goto bad;
	}
	fclose(f);
	return 0;
bad:
	snprintf(err, errlen, "%s:%d: corrupt sequence number state (refusing to reset it; "
		 "restore or remove the file deliberately)", s->state_path, lineno);
	fclose(f);
	return -EINVAL;
}

static int soft_authenticate(struct aka_provider *p, const uint8_t rand[16],
			     const uint8_t autn[16], struct aka_result *r)
{
	static const uint8_t amf_star[2] = { 0, 0 };
	struct aka_soft *s = (struct aka_soft *)p;
	uint8_t ak[6], sqn_b[6], xmac[8], ak_star[6], sqn_ms_b[6];
	uint64_t sqn, sqn_ms, old;
	unsigned int ind;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = milenage_f2345(s->k, s->opc, rand, r->res, r->ck, r->ik, ak, NULL);
	if (rc < 0)
		goto out;
	for (int i = 0; i < 6; i++)
		sqn_b[i] = autn[i] ^ ak[i];
	rc = milenage_f1(s->k, s->opc, rand, sqn_b, autn + 6, xmac, NULL);
	if (rc < 0)
		goto out;
	if (CRYPTO_memcmp(xmac, autn + 8, 8) != 0) {
		r->status = AKA_STATUS_MAC_FAILURE;
		goto out;
	}

	/* Annex C.2.2: fresh if SEQ > SEQ_MS(i) and not too far ahead of the highest. */
	sqn = sqn_get(sqn_b);
	ind = ind_of(sqn);
	sqn_ms = highest(s);
	if (seq_of(sqn) <= seq_of(s->sqn[ind]) ||
	    (seq_of(sqn) > seq_of(sqn_ms) && seq_of(sqn) - seq_of(sqn_ms) > AKA_DELTA)) {
		/* AUTS = (SQN_MS xor f5*(RAND)) || f1*(SQN_MS, RAND, AMF=0) (6.3.3, 6.3.5) */
		sqn_put(sqn_ms, sqn_ms_b);
		rc = milenage_f2345(s->k, s->opc, rand, NULL, NULL, NULL, NULL, ak_star);
		if (rc == 0)
			rc = milenage_f1(s->k, s->opc, rand, sqn_ms_b, amf_star, NULL,
					 r->auts + 6);
		if (rc < 0)
			goto out;
		for (int i = 0; i < 6; i++)
			r->auts[i] = sqn_ms_b[i] ^ ak_star[i];
		r->status = AKA_STATUS_SYNC_FAILURE;
		goto out;
	}

	/* Record the SQN on disk before anyone sees RES: a crash never allows a replay. */
	old = s->sqn[ind];
	s->sqn[ind] = sqn;
	rc = state_save(s);
	if (rc < 0) {
		s->sqn[ind] = old;
		goto out;
	}
	r->res_len = MILENAGE_RES_LEN;
	r->status = AKA_STATUS_OK;
	return 0;
out:
	if (r->status != AKA_STATUS_OK) {
		OPENSSL_cleanse(r->res, sizeof(r->res));
		OPENSSL_cleanse(r->ck, sizeof(r->ck));
		OPENSSL_cleanse(r->ik, sizeof(r->ik));
	}
	return rc;
}

static void soft_destroy(struct aka_provider *p)
{
	struct aka_soft *s = (struct aka_soft *)p;

	free(s->state_path);
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
}

static const struct aka_provider_ops soft_ops = {
	.name = "software-isim",
	.authenticate = soft_authenticate,
	.destroy = soft_destroy,
};

struct aka_provider *aka_soft_new(const struct aka_soft_params *params, char *err,
				  size_t errlen)
{
	struct aka_soft *s = calloc(1, sizeof(*s));
	int rc;

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->base.ops = &soft_ops;
	memcpy(s->k, params->k, 16);
	memcpy(s->opc, params->opc, 16);
	if (params->state_path) {
		s->state_path = strdup(params->state_path);
		if (!s->state_path) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		rc = state_load(s, err, errlen);
		if (rc == 0)
			return &s->base;
		if (rc != -ENOENT)
			goto fail;
	}
	if (params->has_initial_sqn) {
		uint64_t v = sqn_get(params->initial_sqn);

		s->sqn[ind_of(v)] = v;
	}
	if (s->state_path) {
		rc = state_save(s);
		if (rc < 0) {
			snprintf(err, errlen, "%s: cannot write: %s", s->state_path, strerror(-rc));
			goto fail;
		}
	}
	return &s->base;
fail:
	soft_destroy(&s->base);
	return NULL;
}
