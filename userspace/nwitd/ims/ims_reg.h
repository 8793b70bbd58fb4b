/* IMS registration service of nwitd (ims_reg.c). */
#ifndef NWITD_IMS_REG_H
#define NWITD_IMS_REG_H

#include "service.h"

struct ims_reg;

extern const struct nwitd_service ims_reg_service;

/* What the B2BUA needs of the registration (b2bua.c). */
struct ims_reg_info {
	int registered;
	int tcp;
	char local_host[46];		/* our address toward the P-CSCF */
	unsigned int local_port;
	char impu[256];
	char domain[128];
	int n_routes;
	char routes[8][256];		/* Service-Route, in order */
};

/* Send one SIP message to the P-CSCF on the registration's connection. */
int ims_reg_send(struct ims_reg *r, const char *buf, size_t len);
int ims_reg_get_info(const struct ims_reg *r, struct ims_reg_info *info);

#endif
