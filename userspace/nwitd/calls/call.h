/*
 * Inside the calls service (calls/): the call objects and the functions its files share.
 * Only the files of calls/ include this; the rest of nwitd sees calls/b2bua.h.
 *
 *   b2bua.c          entry points from the router, the service (start, stop, status)
 *   call.c           call objects, timeline, sending on legs, INVITE retransmission
 *   call_sdp.c       the offer/answer steps both directions share (SDP translation, media)
 *   call_out.c       calls from the app: app INVITE -> IMS INVITE, the IMS answers
 *   call_in.c        calls from IMS: IMS INVITE -> offered to the apps, their answers
 *   call_dialog.c    in-dialog requests: re-INVITE, UPDATE, BYE, CANCEL, INFO, MESSAGE
 *   session_timer.c  RFC 4028 session refresh on the IMS leg
 */
#ifndef NWITD_CALLS_CALL_H
#define NWITD_CALLS_CALL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>
#include <time.h>

#include <event2/event.h>
#include <jansson.h>

#include "legs.h"
#include "sdp/sdp.h"
#include "sdp/sdp_translate.h"
#include "sip/sip_msg.h"
#include "sip/sip_txn.h"

struct app_ws;
struct b2bua_msrp;
struct media;
struct nwitd;

#define MSG_BUF 16384
#define T1_MS 500
#define TIMER_B_MS (64 * T1_MS)
#define LINGER_MS 5000		/* an ended call waits this long for final responses */
#define MAX_BRANCHES 8		/* apps an incoming call is offered to */
#define TIMELINE_MAX 24
#define ENDED_KEPT 8
#define APP_CONTACT_USER "nwitd"

enum call_state {
	CALL_INVALID = 0,
	CALL_SETUP,		/* INVITE sent, no answer yet */
	CALL_CONFIRMED,
	CALL_ENDED,
};

struct leg {
	int used;
	struct app_ws *ws;		/* app legs */
	char call_id[SIP_MSG_TOKEN_MAX];
	char local[SIP_MSG_HDR_MAX + 160], remote[SIP_MSG_HDR_MAX + 8];	/* From/To values */
	char local_tag[40], remote_tag[SIP_MSG_TOKEN_MAX];
	char target[SIP_MSG_HDR_MAX];	/* remote target (Contact) */
	int n_routes;
	char routes[SIP_MSG_ROUTES_MAX][SIP_MSG_HDR_MAX];
	uint32_t cseq;			/* our last CSeq on this leg */
	/* the INVITE we sent on this leg (UAC) */
	char inv_ruri[SIP_MSG_HDR_MAX], inv_branch[SIP_MSG_TOKEN_MAX];
	uint32_t inv_cseq;
	int provisional, final;		/* responses seen to our INVITE */
	/* the INVITE we received on this leg (UAS) */
	struct sip_msg *inv;
	/* IMS leg: the client transaction of our INVITE (sip/sip_txn.h), until it is over;
	 * inv_in_txn: that transaction ACKs the failures */
	struct sip_txn *inv_txn;
	int inv_in_txn;
	char *last_resp;
	size_t last_resp_len;
	int acked;
};

struct call {
	LIST_ENTRY(call) link;
	struct b2bua *b;
	unsigned id;
	int outgoing;			/* the app called */
	enum call_state state;
	struct leg ims;
	struct leg app[MAX_BRANCHES];	/* outgoing calls use app[0] only */
	int n_app, winner;
	struct media *media;
	struct b2bua_msrp *msrp;	/* file transfer, when the offer has it */
	struct sdp_session *offer;	/* the offer as received, for the answer step */
	struct sdp_xlate x;
	struct sdp_xlate x_offer;	/* x after the offer step: each answer step starts here */
	int early;			/* early media (18x with SDP) passed to the app */
	char lan_addr[64];
	struct event *t_retx, *t_timeout, *t_end, *t_refresh;
	long session_expires;		/* RFC 4028 interval on the IMS leg, 0 = none */
	unsigned retx_ms;
	char *retx_buf;			/* IMS INVITE or IMS 200, retransmitted over UDP */
	size_t retx_len;
	uint64_t sess_id, sess_version;	/* o= of the SDP we write, both sides */
	/* a re-INVITE in progress (hold, resume, codec change): from one leg to the other */
	struct leg *re_from, *re_to;
	struct sip_msg *re_req;
	struct sdp_session *re_offer;
	struct sdp_xlate re_x;
	int re_from_ims;
	struct timespec t0;
	int n_tl;
	struct { long ms, us; char what[96]; } tl[TIMELINE_MAX];
	char end_reason[128];
};

struct b2bua {
	struct nwitd *d;
	LIST_HEAD(, call) calls;
	unsigned next_id, n_calls;
	json_t *ended;			/* the last ENDED_KEPT timelines */
	struct {
		uint64_t out, in, answered, failed, malformed, sdp_refused, no_app;
	} st;
};

/* call.c */
void call_end(struct call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void call_tl(struct call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
struct ims_reg_info *call_ims_info(struct b2bua *b, struct ims_reg_info *i);
int call_send_ims(struct call *c, const char *buf, size_t len);
void call_start_ms(struct event *ev, unsigned ms);
void call_ims_via(const struct ims_reg_info *i, const char *branch, char *out, size_t n);
struct sip_msg *call_msg_dup(const struct sip_msg *m);
void leg_clear(struct leg *l);
int leg_respond(struct call *c, struct leg *l, const struct sip_msg *req, int status,
		const char *reason, const char *extra, const char *body, size_t body_len);
int leg_request(struct call *c, struct leg *l, const char *method, const char *branch_in,
		uint32_t cseq, const char *extra, const char *body, size_t body_len,
		char **keep, size_t *keep_len);
void leg_send_bye(struct call *c, struct leg *l);
void leg_send_cancel(struct call *c, struct leg *l);
void leg_send_ack(struct call *c, struct leg *l, int two_xx);
void call_media_failed(void *arg, const char *why);
struct call *call_new(struct b2bua *b, int outgoing);
json_t *call_json(const struct call *c);
void call_free(struct call *c);
/* Retransmit our 2xx on the IMS leg (UDP) until its ACK (RFC 3261 13.3.1.4). */
void call_retx_start(struct call *c, char *buf, size_t len);
/* An outgoing call got no final answer (ring timeout, or Timer B of its INVITE). */
void call_no_answer(struct call *c);
/* A response to the INVITE we sent on the IMS leg (a first one or a retransmission). */
void call_ims_invite_answer(struct call *c, const struct sip_msg *m);
void call_retx_stop(struct call *c);
struct call *find_app_call(struct b2bua *b, const char *call_id, struct leg **leg);
struct call *find_ims_call(struct b2bua *b, const char *call_id);
void app_reply_plain(struct b2bua *b, struct app_ws *ws, const struct sip_msg *req,
		     int status, const char *reason, const char *extra);
void ims_reply_plain(struct b2bua *b, const struct sip_msg *req, int status,
		     const char *reason, const char *extra);

/* session_timer.c */
void call_on_refresh(evutil_socket_t fd, short what, void *arg);
void call_refresh_start(struct call *c, long interval);
int call_unsupported(const char *require);

/* call_sdp.c */
void call_local_sides(struct call *c, struct sdp_webrtc_local *wl, struct sdp_ims_local *il,
		      const struct ims_reg_info *info);
int call_warning_code(int rc, const struct sdp_xlate *x);
char *call_sdp_text(struct sdp_session *s, size_t *len);
void call_answer_unusable(struct call *c, struct leg *from, struct leg *to, const char *side,
			  const char *why);
void leg_take_invite(struct leg *l, const struct sip_msg *m);
int call_take_offer(struct b2bua *b, struct call *c, struct leg *l, const struct sip_msg *m,
		    const struct ims_reg_info *info, const char *side);
int call_start_media(struct call *c, char *err, size_t errlen);
/*
 * The SDP answer in m (from IMS when from_ims, else from the app) translated for the
 * other leg: offer is the offer it answers, x the call's translation state. Returns the
 * text (malloc'ed, its length in *len), or NULL with the reason in err.
 */
char *call_translate_answer(struct call *c, const struct sip_msg *m, int from_ims,
			    const struct sdp_session *offer, struct sdp_xlate *x, size_t *len,
			    char *err, size_t errlen);

/* call_out.c */
void app_invite(struct b2bua *b, struct app_ws *ws, const struct sip_msg *m);
void ims_invite_response(struct call *c, const struct sip_msg *m);

/* call_in.c */
void ims_invite(struct b2bua *b, const struct sip_msg *m);
void app_invite_response(struct call *c, struct leg *a, const struct sip_msg *m);

/* call_dialog.c */
/* The re-INVITE in progress is over (answered, refused or timed out). */
void reinvite_clear(struct call *c);
void reinvite_response(struct call *c, const struct sip_msg *m);
void dialog_request(struct call *c, struct leg *l, const struct sip_msg *m);
void ims_stray_2xx(struct b2bua *b, const struct sip_msg *m);

#endif
