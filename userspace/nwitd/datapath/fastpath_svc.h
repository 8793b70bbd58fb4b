/* nwitd's fast path service and its control commands (flow-add, flow-del, ...). */
#ifndef NWITD_FASTPATH_SVC_H
#define NWITD_FASTPATH_SVC_H

#include <stddef.h>

#include <jansson.h>

#include "service.h"

extern const struct nwitd_service fastpath_service;

json_t *fastpath_cmd_flow_add(struct nwitd *d, json_t *args, char *err, size_t errlen);
json_t *fastpath_cmd_flow_del(struct nwitd *d, json_t *args, char *err, size_t errlen);
json_t *fastpath_cmd_flow_list(struct nwitd *d, json_t *args, char *err, size_t errlen);

struct fastpath;
/* The loaded fast path when it can carry SRTP flows (bpf_crypto), else NULL (calls). */
struct fastpath *fastpath_svc_handle(struct nwitd *d);

#endif
