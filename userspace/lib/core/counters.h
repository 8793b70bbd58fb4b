/*
 * Named event counters of nwitd (errors, refusals, reloads). `nwitctl stats`
 * shows them. Add a counter by adding one line to COUNTER_LIST.
 */
#ifndef NWIT_COUNTERS_H
#define NWIT_COUNTERS_H

#include <stdint.h>

#include <jansson.h>

#define COUNTER_LIST(X)                                                         \
	X(CTL_REQUESTS, "ctl_requests", "control requests answered")             \
	X(CTL_BAD_REQUESTS, "ctl_bad_requests", "malformed control requests")    \
	X(CTL_UNKNOWN_COMMANDS, "ctl_unknown_commands", "unknown control commands") \
	X(CTL_OVERSIZE, "ctl_oversize", "control lines over the size limit")     \
	X(CONFIG_RELOADS, "config_reloads", "configurations reloaded")           \
	X(IMS_REGISTERS_SENT, "ims_registers_sent", "REGISTER requests sent (not retransmissions)") \
	X(IMS_REGISTRATIONS, "ims_registrations", "successful (re-)registrations")  \
	X(IMS_MALFORMED, "ims_malformed_responses", "malformed or unusable SIP responses") \
	X(IMS_AUTH_FAILURES, "ims_auth_failures", "registrations refused or credentials rejected") \
	X(IMS_TRANSPORT_ERRORS, "ims_transport_errors", "P-CSCF transport errors and timeouts") \
	X(IMS_AKA_RESYNCS, "ims_aka_resyncs", "IMS-AKA resynchronisations (AUTS sent)") \
	X(IMS_REGEVENT_NOTIFIES, "ims_regevent_notifies", "reg event NOTIFYs accepted") \
	X(IMS_REGEVENT_BAD_BODY, "ims_regevent_bad_body", "reg event NOTIFYs refused: bad reginfo XML, type or Subscription-State") \
	X(IMS_REGEVENT_WRONG_DIALOG, "ims_regevent_wrong_dialog", "reg event NOTIFYs refused: no such subscription") \
	X(IMS_REGEVENT_NO_EVENT, "ims_regevent_no_event", "NOTIFYs refused: missing or other Event") \
	X(IMS_REGEVENT_VERSION, "ims_regevent_out_of_order", "reg event documents out of version order (older ignored; after a gap full state asked for)") \
	X(CONFIG_RELOAD_FAILURES, "config_reload_failures", "reloads refused") \
	X(XCODE_BAD_RTP, "xcode_bad_rtp", "transcoder: packets that were not RTP or of a payload type not negotiated") \
	X(XCODE_LATE, "xcode_late", "transcoder: duplicate or late packets dropped") \
	X(XCODE_AMR_REFUSED, "xcode_amr_refused", "AMR payloads refused: frame type, truncated, octets after the frames") \
	X(XCODE_AMR_IGNORED, "xcode_amr_ignored", "AMR payloads with a CMR, padding or mode RFC 4867 says to ignore") \
	X(XCODE_CODEC_ERRORS, "xcode_codec_errors", "transcoder: packets the decoder or encoder could not handle") \
	X(APP_HTTP_REQUESTS, "app_http_requests", "HTTP requests from web apps")    \
	X(APP_HTTP_REFUSED, "app_http_refused", "HTTP requests refused (path, method)") \
	X(APP_HTTP_TIMEOUTS, "app_http_timeouts", "HTTP connections closed: no complete request within http_timeout") \
	X(APP_HTTP_TOO_MANY, "app_http_too_many", "HTTP connections closed: over max_per_address") \
	X(APP_WS_HANDSHAKE_REFUSED, "app_ws_handshake_refused", "WebSocket handshakes refused") \
	X(APP_WS_TOO_MANY, "app_ws_too_many", "WebSockets over max_connections")   \
	X(APP_WS_TOO_MANY_UNAUTHORIZED, "app_ws_too_many_unauthorized", "WebSockets without a token refused: over max_unauthorized or max_per_address") \
	X(APP_WS_CLOSE_TIMEOUTS, "app_ws_close_timeouts", "WebSockets dropped: the close handshake did not finish in 5 s") \
	X(APP_WS_PROTOCOL_ERRORS, "app_ws_protocol_errors", "WebSockets closed for framing errors") \
	X(APP_WS_BAD_UTF8, "app_ws_bad_utf8", "text messages that were not UTF-8") \
	X(APP_SIP_MALFORMED, "app_sip_malformed", "app messages that were not SIP") \
	X(SIP_PARSES, "sip_parses", "SIP messages parsed (once per message)") \
	X(APP_AUTH_NO_TOKEN, "app_auth_no_token", "refused: no token")             \
	X(APP_AUTH_MALFORMED, "app_auth_malformed", "refused: malformed token")    \
	X(APP_AUTH_BAD_ALG, "app_auth_bad_alg", "refused: algorithm not accepted") \
	X(APP_AUTH_UNKNOWN_KEY, "app_auth_unknown_key", "refused: unknown kid")    \
	X(APP_AUTH_BAD_SIGNATURE, "app_auth_bad_signature", "refused: bad signature") \
	X(APP_AUTH_WRONG_ISSUER, "app_auth_wrong_issuer", "refused: other issuer") \
	X(APP_AUTH_WRONG_AUDIENCE, "app_auth_wrong_audience", "refused: other device") \
	X(APP_AUTH_EXPIRED, "app_auth_expired", "refused: token expired")         \
	X(APP_AUTH_NOT_YET_VALID, "app_auth_not_yet_valid", "refused: token not yet valid") \
	X(APP_AUTH_REVOKED, "app_auth_revoked", "refused: token revoked")         \
	X(APP_AUTH_WRONG_ORIGIN, "app_auth_wrong_origin", "refused: origin not allowed") \
	X(APP_AUTH_MISSING_SCOPE, "app_auth_missing_scope", "refused: scope missing") \
	X(APP_AUTH_NO_KEYS, "app_auth_no_keys", "refused: no operator keys loaded") \
	X(APP_AUTH_TOO_LONG, "app_auth_lifetime_too_long", "refused: token lifetime over max_token_lifetime") \
	X(APP_SESSIONS_EXPIRED, "app_sessions_expired", "app sessions closed at token expiry") \
	X(APP_WS_AUTH_TIMEOUTS, "app_ws_auth_timeouts", "WebSockets closed for staying unauthorized") \
	X(APP_KEY_LOAD_FAILURES, "app_key_load_failures", "JWK set or revocation list unreadable") \
	X(MSRP_MALFORMED, "msrp_malformed", "MSRP frames with a bad start line, header or URI") \
	X(MSRP_BAD_BYTE_RANGE, "msrp_bad_byte_range", "MSRP chunks with a bad Byte-Range") \
	X(MSRP_BAD_END_LINE, "msrp_bad_end_line", "MSRP frames without a valid end-line") \
	X(MSRP_OVERSIZE, "msrp_oversize", "MSRP frames, chunks or messages over the limits") \
	X(MSRP_WRONG_TO_PATH, "msrp_wrong_to_path", "MSRP requests for no known session") \
	X(MSRP_REASSEMBLY_ERRORS, "msrp_reassembly_errors", "MSRP chunks refused by reassembly") \
	X(DCEP_MALFORMED, "dcep_malformed", "malformed data channel establishment messages") \
	X(DC_MESSAGES_DROPPED, "dc_messages_dropped", "data channel messages dropped (no channel, too large)") \
	X(SMS_RP_MALFORMED, "sms_rp_malformed", "SMS RP messages (TS 24.011) refused as malformed") \
	X(SMS_TPDU_MALFORMED, "sms_tpdu_malformed", "SMS TPDUs (TS 23.040) refused as malformed") \
	X(SMS_REASSEMBLY_ERRORS, "sms_reassembly_errors", "concatenated SMS parts refused (too many parts or messages, not text)") \
	X(SMS_REASSEMBLY_TIMEOUTS, "sms_reassembly_timeouts", "concatenated SMS dropped incomplete after the timeout") \
	X(IMDN_MALFORMED, "imdn_malformed", "IMDN documents (RFC 5438) refused as malformed") \
	X(PAGER_REFUSED, "pager_refused", "pager-mode messages refused (type, size, UTF-8, CPIM)")

enum counter_id {
#define X(id, name, help) COUNTER_##id,
	COUNTER_LIST(X)
#undef X
	COUNTER__COUNT
};

void counter_inc(enum counter_id id);
uint64_t counter_get(enum counter_id id);

/* A service's own statistics as a table, for `nwitctl stats`. */
struct stat_row {
	const char *name;
	uint64_t value;
};
/* {"name": value, ...} for n rows; NULL when out of memory. */
json_t *stat_rows_json(const struct stat_row *rows, size_t n);
#define STAT_ROWS_JSON(rows) stat_rows_json((rows), sizeof(rows) / sizeof((rows)[0]))
void counters_reset(void);

/* {"name": value, ...} for every counter. */
json_t *counters_to_json(void);

#endif
