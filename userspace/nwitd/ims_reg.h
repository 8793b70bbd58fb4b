/* IMS registration service of nwitd (ims_reg.c). */
#ifndef NWITD_IMS_REG_H
#define NWITD_IMS_REG_H

#include "service.h"

struct ims_reg;

extern const struct nwitd_service ims_reg_service;

#endif
