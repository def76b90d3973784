/* facts.h - how checks and fixes ask the world for facts.
 *
 * A struct facts bundles the transport, the node probe and the context,
 * plus a cache of GET answers so that several checks reading the same
 * cluster or registry cost one request.  Every helper returns 0 and a
 * parsed cJSON tree the CALLER must NOT free (the cache owns it, until
 * facts_invalidate() or facts_free()), or a negative AD_E* code with err
 * filled with a sentence a check can put in its "unknown, because ..."
 * evidence.  ARM error bodies ({"error":{"code","message"}}) become
 * err->detail = code; 429 becomes AD_ETHROTTLE with Retry-After in
 * detail; 401/403 become AD_EDENIED; 404 becomes AD_ENOTFOUND. */
#ifndef AD_FACTS_H
#define AD_FACTS_H

#include <stddef.h>

#include "context.h"
#include "http.h"
#include "probe.h"

struct cJSON;
struct ad_error;
struct facts_cache;

/* Who a request is for: decides which credential signs it. */
enum facts_aud {
	FACTS_AUD_NONE,     /* anonymous (registry /v2/ ping) */
	FACTS_AUD_ARM,      /* Azure Resource Manager (and the ACR exchange) */
	FACTS_AUD_GRAPH,    /* Microsoft Graph */
	FACTS_AUD_KUBE      /* the cluster's API server */
};

/* Asked at send time, for every request, so tokens can be refreshed
 * and kubeconfig client certificates fit the same seam.  Fills req's
 * bearer / TLS fields / auth_label; a token is copied into buf (len
 * bytes) so the request never points at memory another thread may
 * refresh.  0, or negative AD_E* with err saying which credential
 * failed (never the secret). */
struct facts_auth {
	int (*authorize)(void *arg, enum facts_aud aud,
			 struct http_request *req, char *buf, size_t len,
			 struct ad_error *err);
	/* The service said the token it was given has expired or is no
	 * longer valid (ARM's ExpiredAuthenticationToken, Graph's
	 * InvalidAuthenticationToken, the API server's 401): drop it, so
	 * the next authorize fetches a new one; the request is sent once
	 * more.  token is the bearer that was refused (NULL for a client
	 * certificate): drop it only if it is still the current one.
	 * NULL: tokens are fixed. */
	void (*expired)(void *arg, enum facts_aud aud, const char *token);
	void *arg;
};

#define FACTS_TOKEN_MAX 16384

struct facts {
	struct http_transport *http;  /* borrowed */
	struct node_probe *probe;     /* borrowed, may be NULL */
	struct ad_context *ctx;       /* borrowed */
	struct facts_cache *cache;    /* owned */
	struct facts_auth auth;       /* NULL authorize: the tokens below */
	const char *token_arm;        /* fixed bearers (simulated worlds) */
	const char *token_graph;
	const char *token_kube;
};

struct facts *facts_new(struct http_transport *http, struct node_probe *probe,
			struct ad_context *ctx);
void facts_free(struct facts *f);
/* Forget cached answers (after a fix changed the world).  Between jobs
 * only: answers handed out before are freed. */
void facts_invalidate(struct facts *f);
/* Forget the errors kept so far (at the start of a job), so a read that
 * failed is asked again; answers stay. */
void facts_forget_errors(struct facts *f);

/* Checks may read facts from several threads at once.  A read whose
 * answer another thread is already fetching waits for that answer (or
 * error) instead of sending the request again; within a job an error is
 * shared like an answer.
 *
 * Dependency depth: every request has one, 1 + the largest depth of
 * any answer the thread had read before sending it (a cached answer
 * keeps its own depth, taken over every thread that asked for it, the
 * shallowest winning, so it does not matter which asked first; the
 * requests a credential or the registry token dance sends, and retries,
 * count like any other).  The largest depth is the number of rounds the
 * job would take if every request went out the moment the answers it
 * needs had arrived: what the job costs with unlimited concurrency,
 * whatever the latency (bench/README). */
struct facts_stats {
	unsigned long requests;   /* requests sent */
	unsigned depth;           /* the largest depth of any of them */
	unsigned long merged;     /* reads that waited for a request another
				     thread had already sent */
};
void facts_stats_get(struct facts *f, struct facts_stats *out);
/* What the calling thread has read so far, as a mark another thread can
 * start from (facts_begin): a check run on a pool needs the context its
 * caller found.  Owned by f. */
void *facts_mark(struct facts *f);
/* The calling thread starts work for f having read what mark says
 * (NULL: nothing). */
void facts_begin(struct facts *f, void *mark);
/* The calling thread has also read what mark says: what a job run for
 * it on another thread read, its next requests needing those answers. */
void facts_add_mark(struct facts *f, void *mark);
/* The depth of what the calling thread has read so far. */
unsigned facts_depth(struct facts *f);

/* ARM: path starts with "/subscriptions/..." (or "/providers/...");
 * api_version is appended as ?api-version=... (or &api-version=). */
int arm_get(struct facts *f, const char *path, const char *api_version,
	    struct cJSON **out, struct ad_error *err);
/* GET a list, following nextLink; *out is the cached merged {"value":[...]}.*/
int arm_list(struct facts *f, const char *path, const char *api_version,
	     struct cJSON **out, struct ad_error *err);
/* POST with optional JSON body (listCredentials, appsettings/list...).
 * Not cached unless cache != 0. Result owned by the cache either way. */
int arm_post(struct facts *f, const char *path, const char *api_version,
	     const char *body, struct cJSON **out, struct ad_error *err);
/* POST whose answer holds secrets (listClusterUserCredential): never
 * cached; on 0 resp holds a 2xx answer the caller wipes (its body) and
 * clears.  Errors as arm_get. */
int arm_post_secret(struct facts *f, const char *path, const char *query,
		    const char *api_version, struct http_response *resp,
		    struct ad_error *err);
/* POST that answers text, not JSON (a web app's container log): not
 * cached, signed and counted like any read.  On 0, *status is the 2xx
 * status and *text holds the end of the body, at most its last max
 * bytes from the first whole line in them (NUL-terminated, *len bytes;
 * the caller frees), or NULL for an empty body (204): nothing to read.
 * Other statuses are errors as arm_get's (AD_EDENIED for 403). */
int arm_post_text(struct facts *f, const char *path, const char *api_version,
		  size_t max, char **text, size_t *len, long *status,
		  struct ad_error *err);
/* Write: PUT/PATCH/DELETE with a JSON body; returns the HTTP status in
 * *status and, if out != NULL, a parsed body the caller frees
 * (cJSON_Delete).  Invalidates the cache. */
int arm_write(struct facts *f, const char *method, const char *path,
	      const char *api_version, const char *body, long *status,
	      struct cJSON **out, struct ad_error *err);

/* Sign req for aud (see struct facts_auth); buf holds the token and
 * must outlive the request: zero it afterwards. */
int facts_authorize(struct facts *f, enum facts_aud aud,
		    struct http_request *req, char *buf, size_t len,
		    struct ad_error *err);
/* A write as Azure and Kubernetes answer it: signed for aud, and when
 * ARM accepts it as a long-running operation (201/202 with
 * Azure-AsyncOperation or Location), followed until it Succeeded,
 * Failed or was Canceled; resp then holds the final answer (status of
 * the write, body of the operation when it failed).  Bounded: gives up
 * with AD_ETIMEOUT saying the operation is still running. */
int facts_write(struct facts *f, enum facts_aud aud,
		const struct http_request *req, struct http_response *resp,
		struct ad_error *err);

/* Microsoft Graph, path like "/v1.0/applications(appId='...')". */
int graph_get(struct facts *f, const char *path, struct cJSON **out,
	      struct ad_error *err);

/* Kubernetes API at ctx->kube_server, path like "/api/v1/nodes". */
int kube_get(struct facts *f, const char *path, struct cJSON **out,
	     struct ad_error *err);
/* POST a JSON body that changes nothing (a SelfSubjectAccessReview):
 * signed, not cached, the cache kept.  On 0, *answer holds the 2xx body
 * (NUL-terminated, *len bytes; the caller frees); otherwise the error as
 * kube_get's (AD_EDENIED for 401/403). */
int kube_post(struct facts *f, const char *path, const char *body,
	      char **answer, size_t *len, struct ad_error *err);

/* Registry data plane at https://<login server>.  Handles the ACR token
 * dance (401 challenge -> /oauth2/exchange -> /oauth2/token) for scope
 * "repository:<repo>:pull".  Manifests: Accept lists OCI index, Docker
 * manifest list, OCI and Docker manifests.  status gets the final HTTP
 * status (404 = manifest unknown) so checks can tell "missing" from
 * "could not ask". */
int reg_ping(struct facts *f, const char *login_server, long *status,
	     struct ad_error *err);
/* The anonymous GET https://<login server>/v2/, asked once per job and
 * shared with the token dance: resp gets the status, the body and the
 * WWW-Authenticate and Retry-After headers (the caller clears it); a
 * transport failure is the transport's own error (err->net). */
int reg_v2(struct facts *f, const char *login_server,
	   struct http_response *resp, struct ad_error *err);
int reg_manifest(struct facts *f, const char *login_server, const char *repo,
		 const char *ref, long *status, struct cJSON **out,
		 struct ad_error *err);
int reg_tags(struct facts *f, const char *login_server, const char *repo,
	     long *status, struct cJSON **out, struct ad_error *err);
/* Whether the registry gives a pull token for repo to anyone: *anonymous
 * 1 when the anonymous token attempt (no credential, as kubelet makes it
 * first) was answered with a token, 0 when the exchange was needed or no
 * token is needed at all.  The same token dance the reads share. */
int reg_pull_anonymous(struct facts *f, const char *login_server,
		       const char *repo, int *anonymous,
		       struct ad_error *err);
/* What the registry said to a pull secret's username and password. */
struct reg_login {
	long status;          /* the registry's HTTP status */
	int accepted;         /* 1: a token (or 200), 0: refused (401/403) */
	int open;             /* 1: /v2/ needs no credential at all */
	char endpoint[300];   /* where it was asked, without the query */
	char code[96];        /* the registry's error code ("UNAUTHORIZED") */
};
/* Ask the registry what kubelet asks it with a pull secret: GET /v2/
 * (the shared reg_v2 answer), then, for a Bearer challenge, GET <realm>
 * ?service=S&scope=repository:<repo>:pull (repo NULL: no scope) with
 * HTTP basic user:password (from says whose they are); for a Basic challenge, GET /v2/ with them.
 * The credential only ever goes over TLS to login_server itself (a realm
 * elsewhere is AD_EUNSUPP), is never cached, logged or copied into out or
 * err, and the answer's token is wiped.  0 when the registry answered
 * yes (accepted) or no (401/403); negative AD_E* when it could not be
 * asked (err->net for the transport, AD_EHTTP for another status: out
 * has it). */
/* Where the username and password come from: said in errors and in the
 * --debug line's auth label. */
enum reg_cred_from {
	REG_CRED_PULL_SECRET,   /* a pod's image pull secret */
	REG_CRED_APP_SETTINGS   /* a Web App's DOCKER_REGISTRY_SERVER_* */
};
int reg_basic_login(struct facts *f, const char *login_server,
		    const char *repo, enum reg_cred_from from,
		    const char *user, const char *password,
		    struct reg_login *out, struct ad_error *err);
/* A JSON blob (an image config: {"os","architecture"}) by digest. */
int reg_blob_json(struct facts *f, const char *login_server, const char *repo,
		  const char *digest, long *status, struct cJSON **out,
		  struct ad_error *err);

/* Node probe wrappers: AD_EUNSUPP with a clear message when no probe. */
int facts_resolve(struct facts *f, const char *name, struct probe_dns *out,
		  struct ad_error *err);
int facts_tcp(struct facts *f, const char *host, int port,
	      enum probe_tcp *out, struct ad_error *err);

/* Derived ids from the context (buffers of 512). */
void facts_cluster_id(const struct facts *f, char *buf, size_t len);
void facts_webapp_id(const struct facts *f, char *buf, size_t len);
void facts_registry_id(const struct facts *f, char *buf, size_t len);

/* Well-known api-versions, one place. */
#define API_AKS       "2025-10-01"
#define API_ACR       "2025-04-01"
#define API_ACR_CREDS "2022-12-01"
#define API_ACR_PEC   "2021-09-01"
#define API_AUTHZ     "2022-04-01"
#define API_COMPUTE   "2025-04-01"
#define API_NETWORK   "2025-01-01"
#define API_PEERING   "2024-10-01"
#define API_PRIVDNS   "2024-06-01"
#define API_WEB       "2025-05-01"
#define API_INSIGHTS  "2015-04-01"

#endif
