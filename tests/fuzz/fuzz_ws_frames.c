/*
 * WebSocket frames from an app, as nwitd's app endpoint takes them: a wslay server
 * context reads the input as the byte stream after the handshake (our limits set), and
 * each complete message goes through the UTF-8 check and app_sip_handle.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <wslay/wslay.h>

#include "sip/app_sip.h"
#include "core/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct stream {
	const uint8_t *data;
	size_t size, pos;
	struct app_sip_session sip;
};

static ssize_t recv_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags,
		       void *user)
{
	struct stream *s = user;
	size_t n = s->size - s->pos;

	(void)flags;
	if (n == 0) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	/* small reads, to split frames the way a slow network would */
	if (n > 7 + (size_t)(s->data[s->pos] & 0x3f))
		n = 7 + (size_t)(s->data[s->pos] & 0x3f);
	if (n > len)
		n = len;
	memcpy(buf, s->data + s->pos, n);
	s->pos += n;
	return (ssize_t)n;
}

static ssize_t send_cb(wslay_event_context_ptr ctx, const uint8_t *data, size_t len,
		       int flags, void *user)
{
	(void)ctx;
	(void)data;
	(void)flags;
	(void)user;
	return (ssize_t)len;
}

static void on_msg(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *arg,
		   void *user)
{
	struct stream *s = user;
	struct app_sip_result res;

	if (arg->opcode == WSLAY_TEXT_FRAME && !utf8_valid(arg->msg, arg->msg_length)) {
		wslay_event_queue_close(ctx, WSLAY_CODE_INVALID_FRAME_PAYLOAD_DATA, NULL, 0);
		return;
	}
	if ((arg->opcode == WSLAY_TEXT_FRAME || arg->opcode == WSLAY_BINARY_FRAME) &&
	    app_sip_handle(&s->sip, (const char *)arg->msg, arg->msg_length, &res) == 0) {
		if (res.reply) {
			struct wslay_event_msg m = { WSLAY_TEXT_FRAME, (uint8_t *)res.reply,
						     res.reply_len };

			wslay_event_queue_msg(ctx, &m);
		}
		free(res.reply);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct wslay_event_callbacks cb = {
		.recv_callback = recv_cb, .send_callback = send_cb, .on_msg_recv_callback = on_msg,
	};
	static struct jws_policy policy = { .audience = "dev", .now = 1800000000, .skew = 60 };
	static int ready;
	struct stream s = { .data = data, .size = size };
	wslay_event_context_ptr ctx;

	if (!ready) {
		app_sip_init();
		ready = 1;
	}
	s.sip.policy = &policy;
	s.sip.origin = "https://app.example";
	if (wslay_event_context_server_init(&ctx, &cb, &s) != 0)
		return 0;
	wslay_event_config_set_max_recv_msg_length(ctx, 16384);
	for (int i = 0; i < 10000 && s.pos < s.size && wslay_event_want_read(ctx); i++) {
		if (wslay_event_recv(ctx) != 0)
			break;
		wslay_event_send(ctx);
	}
	wslay_event_send(ctx);
	wslay_event_context_free(ctx);
	return 0;
}
