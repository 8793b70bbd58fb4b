/*
 * SIP transactions (RFC 3261 section 17, with the Accepted state of RFC 6026) over one
 * transport: client and server, INVITE and non-INVITE, UDP or reliable (TCP, TLS, WS).
 *
 *   client INVITE      Calling --1xx--> Proceeding --2xx--> gone (the TU ACKs 2xx)
 *                      Timer A retransmits (UDP, T1 doubling), Timer B = 64*T1 gives up;
 *                      3xx-6xx: ACK sent here, Completed absorbs retransmissions (Timer D)
 *   client non-INVITE  Trying/Proceeding: Timer E retransmits (UDP, T1 doubling to T2,
 *                      T2 once a 1xx came), Timer F = 64*T1 gives up; final: Completed
 *                      absorbs retransmitted responses for Timer K = T4 (UDP)
 *   server INVITE      Proceeding: retransmitted INVITEs get the last 1xx again;
 *                      2xx: Accepted absorbs them for Timer L = 64*T1 (the TU retransmits
 *                      its 2xx until the ACK, which goes to the TU);
 *                      3xx-6xx: Completed, Timer G retransmits (UDP) until the ACK or
 *                      Timer H = 64*T1; the ACK: Confirmed absorbs ACKs for Timer I = T4
 *   server non-INVITE  Trying/Proceeding: retransmissions get the last 1xx (or nothing);
 *                      final: Completed keeps only the key and the response, to answer
 *                      retransmissions for Timer J = 64*T1 (UDP)
 * On a reliable transport nothing is retransmitted and Timers D, I, J, K are zero: the
 * transaction is gone as soon as it completes.
 *
 * Transactions are matched by the top Via branch and the method (ACK matches its INVITE,
 * RFC 3261 17.1.3 and 17.2.3). Timers run on libevent, or on any timer ops given (tests).
 */
#ifndef NWIT_SIP_TXN_H
#define NWIT_SIP_TXN_H

#include <stddef.h>

struct event_base;
struct sip_msg;
struct sip_txn;
struct sip_txn_layer;

#define SIP_TXN_T1_MS 500
#define SIP_TXN_T2_MS 4000
#define SIP_TXN_T4_MS 5000
#define SIP_TXN_MAX 4096		/* transactions at once on one layer */
#define SIP_TXN_UNANSWERED_MS 600000	/* a server transaction the TU never answers */

/* One-shot timers: start returns a handle (NULL on failure); stop cancels a pending one
 * and frees its handle, and must be called for every handle, also after it fired. */
struct sip_txn_timer_ops {
	void *(*start)(void *ctx, unsigned ms, void (*fire)(void *arg), void *arg);
	void (*stop)(void *ctx, void *timer);
};

/* Send one message on the transport. */
typedef int (*sip_txn_send_fn)(void *ctx, const char *buf, size_t len);
/*
 * A response to a client transaction (provisional ones too, err 0), or none (resp NULL)
 * when it timed out (Timer B or F: err -ETIMEDOUT) or a retransmission could not be sent
 * (err from the transport, RFC 3261 17.1.4): the transaction is then gone. For a final
 * response, a negative return drops it as malformed and the transaction waits on (for a
 * retransmission, or its timeout). It must not abort its own transaction.
 */
typedef int (*sip_txn_response_fn)(void *arg, const struct sip_msg *resp, int err);

struct sip_txn_layer *sip_txn_layer_new(sip_txn_send_fn send, void *send_ctx,
					const struct sip_txn_timer_ops *timers, void *timer_ctx);
/* The same on libevent's timers. */
struct sip_txn_layer *sip_txn_layer_new_event(struct event_base *base, sip_txn_send_fn send,
					      void *send_ctx);
/* Frees every transaction without a callback. */
void sip_txn_layer_free(struct sip_txn_layer *l);
/* For the transactions started from now on: a reliable transport (1) or UDP (0). */
void sip_txn_layer_set_reliable(struct sip_txn_layer *l, int reliable);
/* T1, T2, T4 in milliseconds (0 keeps the RFC value): for tests and [ims] tuning. */
void sip_txn_layer_set_timers(struct sip_txn_layer *l, unsigned t1, unsigned t2, unsigned t4);
unsigned sip_txn_layer_count(const struct sip_txn_layer *l);

/* What a client transaction sends. */
struct sip_txn_request {
	const char *buf;
	size_t len;			/* the request as written */
	const char *method, *branch;	/* its method and top Via branch */
	/* INVITE only: what the ACK to a failure needs besides the response (17.1.1.3) */
	const char *ruri;
	int n_routes;
	const char *const *routes;	/* "<sip:...;lr>" each, in order */
};

/*
 * Send req and keep it until it completes; cb (may be NULL) gets its responses. Returns 0
 * with *out (may be NULL) the transaction, or -errno (nothing kept; -EBUSY when full).
 */
int sip_txn_client_start(struct sip_txn_layer *l, const struct sip_txn_request *req,
			 sip_txn_response_fn cb, void *arg, struct sip_txn **out);
/* The TU gives up on t (e.g. its call is gone): no callback any more; t finishes alone. */
void sip_txn_client_forget(struct sip_txn *t);
/* The TU withdraws t (e.g. its transport was replaced): gone now, nothing more is sent. */
void sip_txn_client_abort(struct sip_txn *t);

/* A response from the transport: 0 when a client transaction took it (delivered or
 * absorbed), -ENOENT when none matches (a stray: 2xx retransmissions go to the TU). */
int sip_txn_response(struct sip_txn_layer *l, const struct sip_msg *m);

/*
 * A request from the transport: 0 when a server transaction absorbed it (a
 * retransmission answered again, or the ACK of a failure), 1 when it is new (a server
 * transaction now waits for the TU's answer through sip_txn_reply; none for ACK).
 */
int sip_txn_request(struct sip_txn_layer *l, const struct sip_msg *m);

/*
 * Send the response buf (status) to the request req. Its server transaction keeps it for
 * retransmissions and moves on (a final response completes it); without one (an ACK'ed
 * 2xx retransmitted by the TU, a layer that was full) it is only sent. 0 or -errno.
 */
int sip_txn_reply(struct sip_txn_layer *l, const struct sip_msg *req, int status,
		  const char *buf, size_t len);

#endif
