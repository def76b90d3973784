/* http.h - the one HTTP transport interface.
 *
 * Checks and fixes never talk to a network library: they build a
 * struct http_request and call http_send().  Two implementations sit
 * behind it: the simulated one (sim.c, answering from a scenario's
 * recorded world) and, later, the live one (libcurl).  Nothing above this
 * interface may know which one it has. */
#ifndef AD_HTTP_H
#define AD_HTTP_H

#include <stddef.h>
#include "cancel.h"

struct ad_error;

struct http_header {
	char *name;
	char *value;
};

/* Caller owns everything; http_send() copies nothing it keeps. */
struct http_request {
	const char *method;        /* "GET", "HEAD", "PUT", "PATCH", "POST", "DELETE" */
	const char *url;           /* absolute: https://host/path?query */
	const char *body;          /* NULL or NUL-terminated */
	const char *content_type;  /* NULL: application/json when body set */
	const char *accept;        /* NULL: no Accept header */
	const char *bearer;        /* NULL or an access token: never logged */
	const char *basic_user;    /* NULL or HTTP basic credentials (registry) */
	const char *basic_pass;
	/* TLS for servers with their own CA and client certificates (the
	 * Kubernetes API from a kubeconfig): PEM text, NULL for none. */
	const char *ca_pem;        /* replaces the default CA bundle */
	const char *client_cert_pem;
	const char *client_key_pem;  /* secret: never logged */
	/* Which credential signs this request, for --debug ("azure-cli",
	 * "kubeconfig exec"...); never the secret itself. */
	const char *auth_label;
	/* Extra request headers ("Metadata: true" for the instance metadata
	 * service, X-IDENTITY-HEADER for App Service): NULL/0 for none.
	 * Their values may be secrets: never logged. */
	const struct http_header *headers;
	size_t nheaders;
	/* Total time limit for this request in ms; 0: the transport's
	 * default.  The managed-identity probe asks for a short one. */
	long timeout_ms;
};

/* Filled by http_send(); release with http_response_clear(). */
struct http_response {
	long status;               /* 0 when no answer arrived */
	char *body;                /* NUL-terminated, may be "" */
	size_t body_len;
	struct http_header *headers;
	size_t nheaders;
};

struct http_ops {
	const char *name;          /* "sim", "live" */
	int (*send)(void *impl, const struct http_request *req,
		    struct http_response *resp, struct ad_error *err);
	void (*free)(void *impl);
};

struct http_transport {
	const struct http_ops *ops;
	void *impl;
	/* Set to non-zero from another thread to abandon a request; the
	 * implementation returns AD_ECANCEL as soon as it notices. */
	ad_cancel_flag *cancel;
};

/* 0 when a response (any status) arrived; negative AD_E* when none did
 * (timeout, cancelled, connection failure): resp is then empty. */
int http_send(struct http_transport *t, const struct http_request *req,
	      struct http_response *resp, struct ad_error *err);
/* How many requests the calling thread has sent through http_send() so
 * far, each retry counted (any transport): lets a caller tell how many a
 * call it made sent. */
unsigned long http_thread_sent(void);
/* For implementations: one more try of the same request went out. */
void http_thread_count_retry(void);
void http_response_clear(struct http_response *resp);
/* Case-insensitive header lookup; NULL when absent. */
const char *http_response_header(const struct http_response *resp,
				 const char *name);
int http_response_add_header(struct http_response *resp, const char *name,
			     const char *value);
void http_transport_free(struct http_transport *t);

#endif
