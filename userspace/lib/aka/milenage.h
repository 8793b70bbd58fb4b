/*
 * MILENAGE (3GPP TS 35.206): the example algorithm set for the 3GPP authentication and
 * key generation functions f1, f1*, f2, f3, f4, f5 and f5*, on AES-128 (OpenSSL EVP).
 * Constants r1..r5 = 64, 0, 32, 64, 96 and c1..c5 = 0, 1, 2, 4, 8 as in TS 35.206 4.1.
 * All functions return 0, or -EIO when the cipher could not run.
 */
#ifndef NWIT_MILENAGE_H
#define NWIT_MILENAGE_H

#include <stdint.h>

#define MILENAGE_K_LEN 16
#define MILENAGE_OP_LEN 16
#define MILENAGE_RAND_LEN 16
#define MILENAGE_SQN_LEN 6
#define MILENAGE_AMF_LEN 2
#define MILENAGE_MAC_LEN 8
#define MILENAGE_RES_LEN 8
#define MILENAGE_CK_LEN 16
#define MILENAGE_IK_LEN 16
#define MILENAGE_AK_LEN 6
#define MILENAGE_AUTN_LEN 16	/* SQN^AK || AMF || MAC-A */
#define MILENAGE_AUTS_LEN 14	/* SQN_MS^AK* || MAC-S */

/* OPc = E_K(OP) xor OP. */
int milenage_opc(const uint8_t k[16], const uint8_t op[16], uint8_t opc[16]);

/* f1 (MAC-A) and f1* (MAC-S); either output may be NULL. */
int milenage_f1(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
		const uint8_t sqn[6], const uint8_t amf[2], uint8_t mac_a[8], uint8_t mac_s[8]);

/* f2 (RES), f3 (CK), f4 (IK), f5 (AK), f5* (AK for resynchronisation); any output may be NULL. */
int milenage_f2345(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
		   uint8_t res[8], uint8_t ck[16], uint8_t ik[16], uint8_t ak[6],
		   uint8_t ak_star[6]);

#endif
