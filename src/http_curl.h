/* http_curl.h - the live implementation of http.h, over libcurl.
 *
 * One transport serves every thread: http_send() may be called from
 * several threads at once.  Each call uses its own easy handle; the
 * handles share connections, DNS answers and TLS sessions through one
 * locked share handle.  TLS verification is always on.
 *
 * Retries: 429, 500, 502, 503 and 504 answers and failed connections are
 * retried with exponential back-off and jitter, honouring Retry-After,
 * bounded by a count and by a total wait.  POST and PATCH are retried
 * only on 429 and 503 or when no connection was ever made.  When the
 * retries are used up the last answer is returned as it is. */
#ifndef AD_HTTP_CURL_H
#define AD_HTTP_CURL_H

#include <stddef.h>
#include <stdio.h>

struct ad_error;
struct http_transport;

struct http_curl_opts {
	/* PEM bundle of trusted CAs; NULL: SSL_CERT_FILE, CURL_CA_BUNDLE,
	 * REQUESTS_CA_BUNDLE (first set), else the system's.  Copied. */
	const char *ca_file;
	long connect_timeout_ms;    /* per attempt */
	long timeout_ms;            /* whole attempt, answer included */
	int max_retries;            /* 0: one attempt only */
	long max_retry_wait_ms;     /* total back-off per request */
	long retry_base_ms;         /* first back-off before jitter */
	size_t max_body;            /* larger answers fail with AD_EIO */
	/* NULL, or where each attempt writes one line (borrowed; must
	 * outlive the transport), URL redacted, no header, no body:
	 * http: METHOD URL status=N ms=N try=N auth=LABEL
	 *       [error=dns|refused|timeout|tls|reset|...] [retry_in_ms=N] */
	FILE *debug;
	/* NULL, or called from the sending thread just before it waits
	 * delay_ms and tries again: attempt is the number of the attempt
	 * about to be made (2 for the first retry); status is the answer
	 * that caused it, 0 when the connection failed.  url is already
	 * redacted.  Must be quick and thread-safe. */
	void (*on_retry)(void *arg, const char *method, const char *url,
			 long status, int attempt, int delay_ms);
	void *on_retry_arg;
	unsigned int seed;          /* jitter; fixed in tests */
};

#define HTTP_CURL_MAX_BODY ((size_t)32 << 20)

/* Defaults: 10 s connect, 60 s per attempt, 3 retries within 60 s of
 * back-off starting at 500 ms, 32 MiB bodies, no debug log. */
void http_curl_opts_init(struct http_curl_opts *o);

/* NULL with err filled when libcurl cannot be set up or the CA file
 * named does not exist.  Set t->cancel to make requests abandonable.
 * Proxies come from the environment as libcurl reads it (https_proxy,
 * HTTPS_PROXY, all_proxy, no_proxy...); a proxy that refuses the tunnel
 * is reported as the failure it names (DNS, refused, timeout). */
struct http_transport *http_curl_new(const struct http_curl_opts *o,
				     struct ad_error *err);

/* Write url into out (always NUL-terminated) with user information,
 * secret-looking query values (sig, code, client_secret, token...) and
 * the fragment replaced by REDACTED, and control bytes by '?'.  A URL
 * too long for out ends in "...". */
void http_redact_url(const char *url, char *out, size_t outlen);

#endif
