/* cred_priv.h - shared between the credential chain and its sources.
 * Not for use outside src/cred*.c. */
#ifndef AD_CRED_PRIV_H
#define AD_CRED_PRIV_H

#include <pthread.h>
#include <stddef.h>
#include <time.h>

#include "cloud.h"
#include "cred.h"

struct ad_error;
struct http_response;

/* A source's fetch returns 0 (token in struct got), CRED_UNAVAILABLE
 * (not configured or not reachable: c->why[src] says why, the chain goes
 * on) or a negative AD_E* (configured but failed: the chain stops). */
#define CRED_UNAVAILABLE 1
#define CRED_CACHE_MAX 8
/* Fetched again this many seconds before expiry. */
#define CRED_REFRESH_S 300

struct cred_got {
	char *token;           /* malloc'd secret; the chain takes it */
	time_t expires;        /* absolute */
};

struct cred_tok {
	char *resource;
	char *token;
	time_t expires;
};

/* Two locks: lock serialises token requests (held while a source works,
 * minutes for a device-code sign-in); info guards active, tried, why,
 * held only for moments, so the screen can ask cred_source() and
 * cred_tried() at any time.  Order: lock, then info. */
struct cred {
	pthread_mutex_t lock;
	pthread_mutex_t info;
	struct cloud cloud;
	char authority[CLOUD_URL_MAX];  /* no trailing '/' */
	struct http_transport *http;
	unsigned allowed;               /* bit per enum cred_source */
	enum cred_source active;        /* CRED_SRC_NONE until one worked */
	unsigned tried;                 /* bit per source that was asked */
	char why[CRED_SRC_COUNT][256];  /* why each was not usable */
	char none[512];                 /* "no Azure credentials found..."
					 * once no source worked */
	int is_static;                  /* set at creation, never changes */
	char label[64];                 /* static credential's label */
	char *static_token;

	/* the environment, read once by cred_chain_new */
	char *tenant, *client_id, *client_secret, *cert_path, *cert_pass;
	char *fed_file, *identity_endpoint, *identity_header, *imds_host;
	char *imds_endpoint;            /* IMDS_ENDPOINT: Azure Arc */
	char *arc_key_dir;              /* where Arc's challenge files live */
	char *az;

	cred_prompt_fn prompt;
	void *prompt_arg;
	ad_cancel_flag *cancel;
	int az_timeout_ms, imds_timeout_ms;
	time_t (*now)(void *);
	void (*sleep_ms)(void *, int);
	void *clock_arg;

	char *refresh_token;            /* device code: for other audiences */
	struct cred_tok toks[CRED_CACHE_MAX];
	size_t ntoks;
};

/* A growable string that may hold secrets: wiped when freed.  On
 * allocation failure oom is set and further appends do nothing. */
struct sbuf {
	char *p;
	size_t n, cap;
	int oom;
};
void sb_add(struct sbuf *b, const char *s);
void sb_addn(struct sbuf *b, const char *s, size_t n);
/* Percent-encode s as a form or query value (RFC 3986 unreserved kept). */
void sb_addenc(struct sbuf *b, const char *s);
void sb_free(struct sbuf *b);

time_t cred_now(struct cred *c);
/* Mark src tried and record why it could not be used (printf style);
 * returns CRED_UNAVAILABLE. */
int cred_unavailable(struct cred *c, enum cred_source src, const char *fmt,
		     ...) __attribute__((format(printf, 3, 4)));

/* "https://x/" -> "https://x/.default" (one '/' before .default). */
void cred_scope(struct sbuf *b, const char *resource);

/* Parse an Entra / managed-identity / az token answer: access_token (or
 * accessToken), expires_in (number or digits), else expires_on (epoch,
 * number or digits).  Validates the token's characters and length. */
int cred_parse_token(const char *body, size_t len, time_t now,
		     struct cred_got *g, struct ad_error *err);

/* Turn an Entra error answer into err without echoing secrets: the
 * AADSTS code names the cause where we know it (expired or wrong client
 * secret, unknown application or tenant, federated credential mismatch),
 * else the first line of error_description with every string of
 * secrets[] (NULL-terminated) removed.  what names the source. */
int cred_entra_error(struct cred *c, const struct http_response *r,
		     const char *what, const char *const *secrets,
		     struct ad_error *err);

/* Cut s to its first line, replace control characters, remove each
 * secret and anything that looks like a JWT; into out. */
void cred_sanitize(const char *s, const char *const *secrets, char *out,
		   size_t len);

/* Sources (cred_entra.c, cred_mi.c, cred_az.c). */
int cred_fetch_env(struct cred *c, const char *resource, struct cred_got *g,
		   struct ad_error *err);
int cred_fetch_workload(struct cred *c, const char *resource,
			struct cred_got *g, struct ad_error *err);
int cred_fetch_managed(struct cred *c, const char *resource,
		       struct cred_got *g, struct ad_error *err);
int cred_fetch_cli(struct cred *c, const char *resource, struct cred_got *g,
		   struct ad_error *err);
int cred_fetch_device(struct cred *c, const char *resource,
		      struct cred_got *g, struct ad_error *err);

/* 1 when s is 1..max characters of letters, digits and extra. */
int cred_name_ok(const char *s, const char *extra, size_t max);

#endif
