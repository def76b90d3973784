/* err.h - error codes and the caller-owned error struct.
 *
 * Engine functions return 0 on success or a negative AD_E* code, and fill
 * a struct ad_error owned by the caller.  The engine never prints; the UI
 * or the CLI decides how to show msg (human sentence) and detail (extra,
 * e.g. the server's error code).  Secrets never go into either field. */
#ifndef AD_ERR_H
#define AD_ERR_H

#include <stddef.h>

#define AD_ERROR_TABLE(X)                                             \
	X(AD_OK,        0,  "success")                                \
	X(AD_ENOMEM,   -1,  "out of memory")                          \
	X(AD_EINVAL,   -2,  "invalid argument")                       \
	X(AD_EPARSE,   -3,  "malformed input")                        \
	X(AD_ENOTFOUND,-4,  "not found")                              \
	X(AD_EHTTP,    -5,  "unexpected HTTP answer")                 \
	X(AD_ETIMEOUT, -6,  "timed out")                              \
	X(AD_ECANCEL,  -7,  "cancelled")                              \
	X(AD_EIO,      -8,  "input/output error")                     \
	X(AD_EDENIED,  -9,  "access denied")                          \
	X(AD_ETHROTTLE,-10, "throttled by the server")                \
	X(AD_EUNSUPP,  -11, "not supported")

enum ad_code {
#define AD_ERR_ENUM(name, val, text) name = val,
	AD_ERROR_TABLE(AD_ERR_ENUM)
#undef AD_ERR_ENUM
};

/* Why a request got no answer: decided by the transport from what the
 * network library reported, never by reading the (translated) message. */
enum ad_net {
	AD_NET_NONE = 0,   /* not a transport failure */
	AD_NET_DNS,        /* the name did not resolve */
	AD_NET_REFUSED,    /* connection refused */
	AD_NET_TIMEOUT,    /* connect or total timeout */
	AD_NET_TLS,        /* certificate did not verify, handshake failed */
	AD_NET_RESET,      /* connection reset or closed mid-answer */
	AD_NET_CANCELLED,  /* the user cancelled */
	AD_NET_OTHER
};

struct ad_error {
	int code;          /* one of enum ad_code */
	enum ad_net net;   /* transport failures: which kind */
	char msg[512];     /* one human sentence, already translated */
	char detail[512];  /* optional: server code, node/field name... */
};

/* Untranslated short text of a code; never NULL. */
const char *ad_strerror(int code);

/* Fill e (may be NULL) and return code, so callers can write
 * `return ad_error_set(e, AD_EPARSE, "...", ...);`. */
int ad_error_set(struct ad_error *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Set detail (printf style); keeps code and msg. */
void ad_error_detail(struct ad_error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ad_error_clear(struct ad_error *e);
/* Set the transport-failure kind; returns e->code. */
int ad_error_net(struct ad_error *e, enum ad_net kind);
const char *ad_net_str(enum ad_net kind);   /* "dns", "refused"... */

#endif
