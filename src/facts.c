/* facts.c - reading the world through the transport, with a GET cache.
 *
 * Every answer is untrusted: statuses are mapped to error codes with the
 * server's own words (bounded, control characters removed) so a check can
 * say exactly why it could not tell. */
#include "config.h"
#include "facts.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "i18n.h"
#include "jsonu.h"

struct cache_entry {
	char *key;
	cJSON *json;
	long status;
	struct cache_entry *next;
};

/* Checks may run in several threads over one facts: the lists are
 * guarded by mu.  Entries are only freed by facts_invalidate(), which
 * runs between jobs (after a write), never during one. */
struct facts_cache {
	pthread_mutex_t mu;
	struct cache_entry *head;
	/* Registry tokens: never logged, never shown. */
	struct cache_entry *tokens;
};

struct facts *facts_new(struct http_transport *http, struct node_probe *probe,
			struct ad_context *ctx)
{
	struct facts *f = calloc(1, sizeof *f);

	if (!f)
		return NULL;
	f->cache = calloc(1, sizeof *f->cache);
	if (!f->cache) {
		free(f);
		return NULL;
	}
	pthread_mutex_init(&f->cache->mu, NULL);
	f->http = http;
	f->probe = probe;
	f->ctx = ctx;
	return f;
}

static void cache_list_free(struct cache_entry *e)
{
	while (e) {
		struct cache_entry *next = e->next;

		free(e->key);
		cJSON_Delete(e->json);
		free(e);
		e = next;
	}
}

void facts_invalidate(struct facts *f)
{
	if (!f)
		return;
	pthread_mutex_lock(&f->cache->mu);
	cache_list_free(f->cache->head);
	f->cache->head = NULL;
	pthread_mutex_unlock(&f->cache->mu);
}

void facts_free(struct facts *f)
{
	if (!f)
		return;
	facts_invalidate(f);
	cache_list_free(f->cache->tokens);
	pthread_mutex_destroy(&f->cache->mu);
	free(f->cache);
	free(f);
}

static struct cache_entry *cache_find_unlocked(struct cache_entry *e,
						const char *key)
{
	for (; e; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

/* Takes ownership of json. */
static int cache_put_unlocked(struct cache_entry **head, const char *key,
			      cJSON *json, long status)
{
	struct cache_entry *e = calloc(1, sizeof *e);

	if (!e || !(e->key = strdup(key))) {
		free(e);
		cJSON_Delete(json);
		return AD_ENOMEM;
	}
	e->json = json;
	e->status = status;
	e->next = *head;
	*head = e;
	return 0;
}

/* The cache's lock is taken here, so callers never hold it while a
 * request is on the wire.  Two threads that miss on the same key both
 * fetch; the second answer is dropped (the first stays, identical). */
static struct cache_entry *cache_get(struct facts *f, struct cache_entry **head,
				     const char *key)
{
	struct cache_entry *e;

	pthread_mutex_lock(&f->cache->mu);
	e = cache_find_unlocked(*head, key);
	pthread_mutex_unlock(&f->cache->mu);
	return e;
}

/* Takes ownership of json; *kept is the cached copy (json, or an equal
 * answer another thread stored first). */
static int cache_add(struct facts *f, struct cache_entry **head,
		     const char *key, cJSON *json, long status, cJSON **kept)
{
	struct cache_entry *e;
	int rc = 0;

	pthread_mutex_lock(&f->cache->mu);
	if ((e = cache_find_unlocked(*head, key))) {
		cJSON_Delete(json);
		*kept = e->json;
	} else {
		rc = cache_put_unlocked(head, key, json, status);
		*kept = rc == 0 ? (*head)->json : NULL;
	}
	pthread_mutex_unlock(&f->cache->mu);
	return rc;
}

/* Copy untrusted text without control characters, bounded. */
static void clean_copy(char *dst, size_t len, const char *src)
{
	size_t i = 0;

	for (; src && *src && i + 1 < len; src++)
		if ((unsigned char)*src >= 0x20 && *src != 0x7f)
			dst[i++] = *src;
	dst[i] = '\0';
}

/* The server's own error code and message from ARM, Graph, registry or
 * Kubernetes error bodies. */
static void server_words(const char *body, char *code, size_t clen,
			 char *msg, size_t mlen)
{
	cJSON *j = body ? cJSON_Parse(body) : NULL;
	const char *c = NULL, *m = NULL;

	code[0] = msg[0] = '\0';
	if (j) {
		c = jsonu_str(j, "error.code");
		m = jsonu_str(j, "error.message");
		if (!c) {
			c = jsonu_str(j, "errors.0.code");
			m = jsonu_str(j, "errors.0.message");
		}
		if (!c) {
			c = jsonu_str(j, "reason");
			m = jsonu_str(j, "message");
		}
		if (!c && jsonu_str(j, "error")) {   /* OAuth style */
			c = jsonu_str(j, "error");
			m = jsonu_str(j, "error_description");
		}
	}
	clean_copy(code, clen, c);
	clean_copy(msg, mlen, m);
	cJSON_Delete(j);
}

/* Map a non-2xx answer to an error; what = "GET <what>". */
static int status_error(const struct http_response *r, const char *what,
			struct ad_error *err)
{
	char code[96], msg[200];
	int rc;

	server_words(r->body, code, sizeof code, msg, sizeof msg);
	switch (r->status) {
	case 401:
	case 403:
		rc = AD_EDENIED;
		ad_error_set(err, rc, _("%s was refused (HTTP %ld%s%s%s%s)"),
			     what, r->status, code[0] ? ", " : "", code,
			     msg[0] ? ": " : "", msg);
		break;
	case 404:
		rc = AD_ENOTFOUND;
		ad_error_set(err, rc, _("%s: not found (HTTP 404%s%s)"), what,
			     code[0] ? ", " : "", code);
		break;
	case 429: {
		const char *ra = http_response_header(r, "Retry-After");
		char s[16];

		clean_copy(s, sizeof s, ra);
		rc = AD_ETHROTTLE;
		ad_error_set(err, rc,
			_("%s was throttled (HTTP 429); Azure asks to retry after %s s"),
			what, s[0] ? s : "?");
		ad_error_detail(err, "retry-after=%s", s[0] ? s : "?");
		return rc;
	}
	default:
		rc = AD_EHTTP;
		ad_error_set(err, rc, _("%s failed with HTTP %ld%s%s%s%s"), what,
			     r->status, code[0] ? " " : "", code,
			     msg[0] ? ": " : "", msg);
	}
	if (code[0])
		ad_error_detail(err, "%s", code);
	return rc;
}

int facts_authorize(struct facts *f, enum facts_aud aud,
		    struct http_request *req, char *buf, size_t len,
		    struct ad_error *err)
{
	const char *fixed = NULL;

	if (aud == FACTS_AUD_NONE)
		return 0;
	if (f->auth.authorize)
		return f->auth.authorize(f->auth.arg, aud, req, buf, len, err);
	switch (aud) {
	case FACTS_AUD_ARM:   fixed = f->token_arm; break;
	case FACTS_AUD_GRAPH: fixed = f->token_graph; break;
	case FACTS_AUD_KUBE:  fixed = f->token_kube; break;
	case FACTS_AUD_NONE:  break;
	}
	req->bearer = fixed;
	return 0;
}

/* 1 when a 401 says the bearer token expired (or is no longer valid)
 * rather than that the caller may not: a new token may be accepted. */
static int token_rejected(const struct http_response *r)
{
	const char *wa = http_response_header(r, "WWW-Authenticate");
	char code[96], msg[200];

	if (r->status != 401)
		return 0;
	server_words(r->body, code, sizeof code, msg, sizeof msg);
	return strcmp(code, "ExpiredAuthenticationToken") == 0 ||
	       strcmp(code, "InvalidAuthenticationToken") == 0 ||
	       (wa && strstr(wa, "error=\"invalid_token\""));
}

/* Send signed for aud; 0 when an answer (any status) arrived.  A token
 * the service says has expired (it may expire early: revoked, clock
 * skew, a long job) is dropped and the request sent once more with a
 * new one. */
static int send_signed(struct facts *f, enum facts_aud aud,
		       struct http_request *req, struct http_response *r,
		       const char *what, struct ad_error *err)
{
	char token[FACTS_TOKEN_MAX];
	int rc, again = aud != FACTS_AUD_NONE && f->auth.expired;

	memset(r, 0, sizeof *r);
	for (;;) {
		token[0] = '\0';
		rc = facts_authorize(f, aud, req, token, sizeof token, err);
		if (rc == 0)
			rc = http_send(f->http, req, r, err);
		memset(token, 0, sizeof token);
		req->bearer = NULL;
		/* The API server says only 401: a credential from an exec
		 * plugin or a token file may have been renewed (kubectl
		 * tries once more too). */
		if (rc != 0 || !again ||
		    !(aud == FACTS_AUD_KUBE ? r->status == 401 : token_rejected(r)))
			break;
		again = 0;
		http_response_clear(r);
		f->auth.expired(f->auth.arg, aud);
	}
	if (rc != 0 && err) {
		char msg[sizeof err->msg];
		enum ad_net net = err->net;

		snprintf(msg, sizeof msg, "%s", err->msg);
		ad_error_set(err, rc, _("%s: %s"), what, msg);
		ad_error_net(err, net);
	}
	return rc;
}

/* Send, demand 2xx and a JSON body; *out owned by the caller. */
static int fetch_json(struct facts *f, enum facts_aud aud,
		      struct http_request *req, const char *what,
		      long *status, cJSON **out, struct ad_error *err)
{
	struct http_response r;
	int rc;

	*out = NULL;
	rc = send_signed(f, aud, req, &r, what, err);
	if (rc != 0)
		return rc;
	if (status)
		*status = r.status;
	if (r.status < 200 || r.status > 299) {
		rc = status_error(&r, what, err);
		http_response_clear(&r);
		return rc;
	}
	if (r.body_len == 0 && (r.status == 204 || r.status == 202)) {
		*out = cJSON_CreateObject();
	} else {
		*out = jsonu_parse(r.body, r.body_len);
		if (!*out) {
			http_response_clear(&r);
			return ad_error_set(err, AD_EPARSE,
				_("%s: the answer is not valid JSON"), what);
		}
	}
	http_response_clear(&r);
	return 0;
}

/* A URL that did not fit is an error, never a request to a cut path. */
static int url_fmt(char *buf, size_t len, struct ad_error *err,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int url_fmt(char *buf, size_t len, struct ad_error *err,
		   const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len)
		return ad_error_set(err, AD_EINVAL,
			_("the request address is too long (%d characters)"), n);
	return 0;
}

static int arm_url(const struct facts *f, const char *path,
		   const char *api_version, char *buf, size_t len,
		   struct ad_error *err)
{
	return url_fmt(buf, len, err, "%s%s%capi-version=%s", f->ctx->arm,
		       path, strchr(path, '?') ? '&' : '?', api_version);
}

static int cached_get(struct facts *f, const char *url, enum facts_aud aud,
		      const char *what, cJSON **out, struct ad_error *err)
{
	struct cache_entry *e = cache_get(f, &f->cache->head, url);
	struct http_request req = { .method = "GET", .url = url,
				    .accept = "application/json" };
	cJSON *j;
	int rc;

	if (e) {
		*out = e->json;
		return 0;
	}
	rc = fetch_json(f, aud, &req, what, NULL, &j, err);
	if (rc != 0)
		return rc;
	if ((rc = cache_add(f, &f->cache->head, url, j, 200, out)) != 0)
		return ad_error_set(err, rc, _("out of memory"));
	return 0;
}

static void what_of(char *what, size_t len, const char *method,
		    const char *path)
{
	snprintf(what, len, "%s %.300s", method, path);
}

int arm_get(struct facts *f, const char *path, const char *api_version,
	    cJSON **out, struct ad_error *err)
{
	char url[2048], what[400];
	int rc;

	if ((rc = arm_url(f, path, api_version, url, sizeof url, err)) != 0)
		return rc;
	what_of(what, sizeof what, "GET", path);
	return cached_get(f, url, FACTS_AUD_ARM, what, out, err);
}

/* A list longer than this is not read to its end: the caller gets an
 * error (the check says unknown), never a cut list it could act on. */
#define ARM_MAX_PAGES 200

int arm_list(struct facts *f, const char *path, const char *api_version,
	     cJSON **out, struct ad_error *err)
{
	char url[2048], key[2100], what[400];
	struct cache_entry *e;
	cJSON *all, *arr;
	int pages = 0, rc;

	if ((rc = arm_url(f, path, api_version, url, sizeof url, err)) != 0)
		return rc;
	snprintf(key, sizeof key, "list:%s", url);
	if ((e = cache_get(f, &f->cache->head, key))) {
		*out = e->json;
		return 0;
	}
	what_of(what, sizeof what, "GET", path);
	all = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(all, "value");
	if (!all || !arr) {
		cJSON_Delete(all);
		return ad_error_set(err, AD_ENOMEM, _("out of memory"));
	}
	for (;;) {
		struct http_request req = { .method = "GET", .url = url,
					    .accept = "application/json" };
		cJSON *page, *v, *it;
		const char *next;

		rc = fetch_json(f, FACTS_AUD_ARM, &req, what, NULL, &page, err);
		if (rc != 0) {
			cJSON_Delete(all);
			return rc;
		}
		v = cJSON_GetObjectItemCaseSensitive(page, "value");
		if (!cJSON_IsArray(v)) {
			cJSON_Delete(page);
			cJSON_Delete(all);
			return ad_error_set(err, AD_EPARSE,
				_("%s: the answer has no 'value' list"), what);
		}
		while ((it = cJSON_DetachItemFromArray(v, 0)))
			cJSON_AddItemToArray(arr, it);
		next = jsonu_str(page, "nextLink");
		if (!next || !next[0]) {
			cJSON_Delete(page);
			break;
		}
		/* Follow nextLink only on the same ARM endpoint, and not
		 * forever: either way the list is incomplete, so say so. */
		if (strncmp(next, f->ctx->arm, strlen(f->ctx->arm)) != 0 ||
		    ++pages >= ARM_MAX_PAGES || strlen(next) >= sizeof url) {
			cJSON_Delete(page);
			cJSON_Delete(all);
			return ad_error_set(err, AD_EPARSE,
				_("%s: the list continues past page %d or on another host; it was not read to its end"),
				what, pages + 1);
		}
		snprintf(url, sizeof url, "%s", next);
		cJSON_Delete(page);
	}
	if ((rc = cache_add(f, &f->cache->head, key, all, 200, out)) != 0)
		return ad_error_set(err, rc, _("out of memory"));
	return 0;
}

int arm_post(struct facts *f, const char *path, const char *api_version,
	     const char *body, cJSON **out, struct ad_error *err)
{
	char url[2048], key[2100], what[400];
	struct cache_entry *e;
	struct http_request req = { .method = "POST",
				    .accept = "application/json" };
	cJSON *j;
	int rc;

	if ((rc = arm_url(f, path, api_version, url, sizeof url, err)) != 0)
		return rc;
	/* POSTs we make are reads (listCredentials, appsettings/list). */
	snprintf(key, sizeof key, "post:%s", url);
	if ((e = cache_get(f, &f->cache->head, key))) {
		*out = e->json;
		return 0;
	}
	what_of(what, sizeof what, "POST", path);
	req.url = url;
	req.body = body ? body : "";
	req.content_type = "application/json";
	rc = fetch_json(f, FACTS_AUD_ARM, &req, what, NULL, &j, err);
	if (rc != 0)
		return rc;
	if ((rc = cache_add(f, &f->cache->head, key, j, 200, out)) != 0)
		return ad_error_set(err, rc, _("out of memory"));
	return 0;
}

int arm_post_secret(struct facts *f, const char *path, const char *query,
		    const char *api_version, struct http_response *resp,
		    struct ad_error *err)
{
	char url[2048], what[400];
	struct http_request req = { .method = "POST", .url = url, .body = "",
				    .content_type = "application/json",
				    .accept = "application/json" };
	int rc;

	memset(resp, 0, sizeof *resp);
	if ((rc = url_fmt(url, sizeof url, err, "%s%s?%s%sapi-version=%s",
			  f->ctx->arm, path, query ? query : "",
			  query && query[0] ? "&" : "", api_version)) != 0)
		return rc;
	what_of(what, sizeof what, "POST", path);
	rc = send_signed(f, FACTS_AUD_ARM, &req, resp, what, err);
	if (rc == 0 && (resp->status < 200 || resp->status > 299))
		rc = status_error(resp, what, err);
	if (rc != 0) {
		if (resp->body)
			memset(resp->body, 0, resp->body_len);
		http_response_clear(resp);
	}
	return rc;
}

/* ---------- writes and long-running operations ---------- */

#define LRO_MAX_POLLS 120
#define LRO_MAX_WAIT_S 10

static int lro_sleep(struct facts *f, long seconds)
{
	long ms = seconds * 1000;

	for (; ms > 0; ms -= 50) {
		struct timespec ts = { 0, 50 * 1000000L };

		if (f->http->cancel && *f->http->cancel)
			return AD_ECANCEL;
		nanosleep(&ts, NULL);
	}
	return 0;
}

/* The URL to poll, when the answer starts a long-running operation. */
static const char *lro_url(const struct http_response *r, int *async)
{
	const char *u;

	*async = 0;
	/* An update of an existing resource (a cluster) may answer 200 with
	 * the operation to follow: the header decides. */
	if (r->status != 200 && r->status != 201 && r->status != 202)
		return NULL;
	if ((u = http_response_header(r, "Azure-AsyncOperation"))) {
		*async = 1;
		return u;
	}
	if (r->status == 202)
		return http_response_header(r, "Location");
	return NULL;
}

/* Azure accepted the write but how its operation ended cannot be read:
 * the change may still complete.  AD_ETIMEOUT, never a plain failure. */
static int lro_lost(const char *write, const char *why, struct ad_error *err)
{
	char w[sizeof err->msg];

	snprintf(w, sizeof w, "%s", why);
	ad_error_set(err, AD_ETIMEOUT,
		_("Azure accepted %s, but how the operation ended could not be read (%s): the change may still complete"),
		write, w);
	ad_error_detail(err, "operation-unknown");
	return AD_ETIMEOUT;
}

int facts_write(struct facts *f, enum facts_aud aud,
		const struct http_request *req0, struct http_response *resp,
		struct ad_error *err)
{
	struct http_request req = *req0;
	char what[400], wrote[400], poll[2048];
	const char *u;
	long write_status;
	int async, rc, i;

	what_of(what, sizeof what, req.method, req.url);
	facts_invalidate(f);
	rc = send_signed(f, aud, &req, resp, what, err);
	if (rc != 0 || aud != FACTS_AUD_ARM)
		return rc;
	u = lro_url(resp, &async);
	if (!u)
		return 0;
	/* Only follow the operation on the same ARM endpoint. */
	if (strncmp(u, f->ctx->arm, strlen(f->ctx->arm)) != 0 ||
	    strlen(u) >= sizeof poll)
		return 0;
	snprintf(poll, sizeof poll, "%s", u);
	write_status = resp->status;
	snprintf(wrote, sizeof wrote, "%s", what);
	for (i = 0; i < LRO_MAX_POLLS; i++) {
		struct http_request pr = { .method = "GET", .url = poll,
					   .accept = "application/json" };
		const char *ra = http_response_header(resp, "Retry-After");
		long wait = ra ? strtol(ra, NULL, 10) : 1;
		const char *st;
		cJSON *j;

		if (wait < 0 || wait > LRO_MAX_WAIT_S)
			wait = wait < 0 ? 1 : LRO_MAX_WAIT_S;
		if (lro_sleep(f, i == 0 && !ra ? 0 : wait) != 0) {
			ad_error_set(err, AD_ECANCEL,
				_("%s: cancelled while Azure was still working on it; the change may still complete"),
				what);
			return ad_error_net(err, AD_NET_CANCELLED);
		}
		http_response_clear(resp);
		what_of(what, sizeof what, "GET", poll);
		rc = send_signed(f, FACTS_AUD_ARM, &pr, resp, what, err);
		if (rc != 0) {
			enum ad_net net = err ? err->net : AD_NET_NONE;

			lro_lost(wrote, err ? err->msg : "", err);
			ad_error_net(err, net);
			return AD_ETIMEOUT;
		}
		if (resp->status < 200 || resp->status > 299) {
			char code[96], msg[200];

			server_words(resp->body, code, sizeof code, msg,
				     sizeof msg);
			snprintf(what, sizeof what, "HTTP %ld%s%s", resp->status,
				 code[0] ? " " : "", code);
			return lro_lost(wrote, what, err);
		}
		if (!async) {
			/* Location polling: 202 while running. */
			if (resp->status == 202)
				continue;
			resp->status = write_status == 202 ? 200 : write_status;
			return 0;
		}
		j = jsonu_parse(resp->body, resp->body_len);
		st = jsonu_str(j, "status");
		if (st && strcmp(st, "Succeeded") == 0) {
			cJSON_Delete(j);
			resp->status = write_status == 202 ? 200 : write_status;
			return 0;
		}
		if (st && (strcmp(st, "Failed") == 0 ||
			   strcmp(st, "Canceled") == 0)) {
			char code[96], msg[200];

			server_words(resp->body, code, sizeof code, msg,
				     sizeof msg);
			cJSON_Delete(j);
			ad_error_set(err, AD_EHTTP,
				_("Azure reports the operation %s%s%s%s%s"),
				st, code[0] ? ": " : "", code,
				msg[0] ? ": " : "", msg);
			if (code[0])
				ad_error_detail(err, "%s", code);
			return AD_EHTTP;
		}
		cJSON_Delete(j);
		/* InProgress, Accepted, Running, Updating...: keep polling. */
		if (!http_response_header(resp, "Retry-After"))
			http_response_add_header(resp, "Retry-After", "1");
	}
	ad_error_set(err, AD_ETIMEOUT,
		_("%s: Azure was still working on it after %d checks; look again later"),
		what, LRO_MAX_POLLS);
	return ad_error_net(err, AD_NET_TIMEOUT);
}

int arm_write(struct facts *f, const char *method, const char *path,
	      const char *api_version, const char *body, long *status,
	      cJSON **out, struct ad_error *err)
{
	char url[2048], what[400];
	struct http_request req = { .method = method, .body = body,
				    .content_type = "application/json",
				    .accept = "application/json" };
	struct http_response r;
	int rc;

	if (out)
		*out = NULL;
	if ((rc = arm_url(f, path, api_version, url, sizeof url, err)) != 0)
		return rc;
	what_of(what, sizeof what, method, path);
	req.url = url;
	rc = facts_write(f, FACTS_AUD_ARM, &req, &r, err);
	if (rc != 0) {
		http_response_clear(&r);
		return rc;
	}
	if (status)
		*status = r.status;
	if (r.status < 200 || r.status > 299) {
		rc = status_error(&r, what, err);
		http_response_clear(&r);
		return rc;
	}
	if (out && r.body_len)
		*out = jsonu_parse(r.body, r.body_len);
	http_response_clear(&r);
	return 0;
}

int graph_get(struct facts *f, const char *path, cJSON **out,
	      struct ad_error *err)
{
	char url[2048], what[400];
	int rc;

	if ((rc = url_fmt(url, sizeof url, err, "%s%s", f->ctx->graph,
			  path)) != 0)
		return rc;
	what_of(what, sizeof what, "GET", path);
	return cached_get(f, url, FACTS_AUD_GRAPH, what, out, err);
}

int kube_get(struct facts *f, const char *path, cJSON **out,
	     struct ad_error *err)
{
	char url[2048], what[400];
	int rc;

	if (!f->ctx->kube_server[0])
		return ad_error_set(err, AD_EUNSUPP,
			_("the cluster's API server address is not known"));
	if ((rc = url_fmt(url, sizeof url, err, "%s%s", f->ctx->kube_server,
			  path)) != 0)
		return rc;
	what_of(what, sizeof what, "GET", path);
	return cached_get(f, url, FACTS_AUD_KUBE, what, out, err);
}

int kube_patch(struct facts *f, const char *path, const char *body,
	       long *status, struct ad_error *err)
{
	char url[2048], what[400];
	struct http_request req = { .method = "PATCH", .url = url,
				    .body = body,
				    .content_type = "application/merge-patch+json",
				    .accept = "application/json" };
	struct http_response r;
	int rc;

	if (!f->ctx->kube_server[0])
		return ad_error_set(err, AD_EUNSUPP,
			_("the cluster's API server address is not known"));
	if ((rc = url_fmt(url, sizeof url, err, "%s%s", f->ctx->kube_server,
			  path)) != 0)
		return rc;
	what_of(what, sizeof what, "PATCH", path);
	rc = facts_write(f, FACTS_AUD_KUBE, &req, &r, err);
	if (rc != 0)
		return rc;
	if (status)
		*status = r.status;
	if (r.status < 200 || r.status > 299)
		rc = status_error(&r, what, err);
	http_response_clear(&r);
	return rc;
}

/* ---------- registry data plane ---------- */

#define ACCEPT_MANIFESTS \
	"application/vnd.oci.image.index.v1+json, " \
	"application/vnd.docker.distribution.manifest.list.v2+json, " \
	"application/vnd.oci.image.manifest.v1+json, " \
	"application/vnd.docker.distribution.manifest.v2+json"

/* Bounded form value: registry names and repositories only. */
static int form_safe(const char *s)
{
	for (; s && *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("._-/:", *s)))
			return 0;
	return s != NULL;
}

/* The Bearer challenge of a registry: realm and service, bounded; 0 when
 * it is one. */
static int parse_challenge(const char *h, char *realm, size_t rlen,
			   char *service, size_t slen)
{
	const char *p;

	realm[0] = service[0] = '\0';
	if (!h || strncasecmp(h, "Bearer ", 7) != 0)
		return -1;
	for (p = h + 7; *p;) {
		const char *k = p, *v;
		size_t kl, vl;
		char *dst = NULL;
		size_t dlen = 0;

		while (*p && *p != '=')
			p++;
		if (*p != '=')
			break;
		kl = (size_t)(p - k);
		p++;
		if (*p == '"') {
			v = ++p;
			while (*p && *p != '"')
				p++;
			vl = (size_t)(p - v);
			if (*p)
				p++;
		} else {
			v = p;
			while (*p && *p != ',')
				p++;
			vl = (size_t)(p - v);
		}
		if (kl == 5 && strncasecmp(k, "realm", 5) == 0)
			dst = realm, dlen = rlen;
		else if (kl == 7 && strncasecmp(k, "service", 7) == 0)
			dst = service, dlen = slen;
		if (dst && vl < dlen) {
			memcpy(dst, v, vl);
			dst[vl] = '\0';
		}
		while (*p == ',' || *p == ' ')
			p++;
	}
	return realm[0] ? 0 : -1;
}

/* The realm must be https on the login server itself: the Entra token
 * is only ever given to the registry it is for. */
static int realm_on_login(const char *realm, const char *login)
{
	size_t n = strlen(login);

	return strncmp(realm, "https://", 8) == 0 &&
	       strncasecmp(realm + 8, login, n) == 0 && realm[8 + n] == '/' &&
	       form_safe(realm + 8);
}

/* An access token for repo (pull), or NULL when the registry needs none;
 * owned by the cache.  ACR's Entra flow: the /v2/ challenge names the
 * realm; POST /oauth2/exchange trades the ARM token for a refresh token,
 * POST <realm> that for a repository-scoped access token. */
static int reg_token(struct facts *f, const char *login, const char *repo,
		     const char **token, struct ad_error *err)
{
	char url[1024], key[1024], what[300], realm[512], service[256];
	struct cache_entry *e;
	struct http_request req = { .method = "GET", .url = url };
	struct http_response r;
	cJSON *j;
	const char *rt, *at;
	long status;
	int rc;

	*token = NULL;
	if (!form_safe(login) || !form_safe(repo))
		return ad_error_set(err, AD_EINVAL,
			_("registry or repository name has unexpected characters"));
	snprintf(key, sizeof key, "%s|%s", login, repo);
	if ((e = cache_get(f, &f->cache->tokens, key))) {
		*token = jsonu_str(e->json, "access_token");
		return 0;
	}
	if ((rc = url_fmt(url, sizeof url, err, "https://%s/v2/", login)) != 0)
		return rc;
	snprintf(what, sizeof what, "GET https://%s/v2/", login);
	rc = send_signed(f, FACTS_AUD_NONE, &req, &r, what, err);
	if (rc != 0)
		return rc;
	status = r.status;
	if (status == 200) {
		http_response_clear(&r);
		return 0;
	}
	if (status != 401 ||
	    parse_challenge(http_response_header(&r, "WWW-Authenticate"),
			    realm, sizeof realm, service, sizeof service) != 0) {
		rc = status_error(&r, what, err);
		http_response_clear(&r);
		return rc;
	}
	http_response_clear(&r);
	if (!realm_on_login(realm, login))
		return ad_error_set(err, AD_EUNSUPP,
			_("the registry %s sends token requests to %.200s, not to itself: not an Azure Container Registry token service"),
			login, realm);
	if (!service[0] || !form_safe(service))
		snprintf(service, sizeof service, "%s", login);

	for (int tries = 0;; tries++) {
		char *tok = malloc(FACTS_TOKEN_MAX), *body;
		long xs = 0;
		size_t n;

		if (!tok)
			return ad_error_set(err, AD_ENOMEM, _("out of memory"));
		tok[0] = '\0';
		rc = facts_authorize(f, FACTS_AUD_ARM, &req, tok,
				     FACTS_TOKEN_MAX, err);
		if (rc == 0 && !tok[0] && req.bearer)
			snprintf(tok, FACTS_TOKEN_MAX, "%s", req.bearer);
		req.bearer = NULL;
		n = strlen(tok) + strlen(service) + 128;
		body = rc == 0 ? malloc(n) : NULL;
		if (rc == 0 && !body)
			rc = ad_error_set(err, AD_ENOMEM, _("out of memory"));
		if (rc == 0) {
			snprintf(body, n,
				 "grant_type=access_token&service=%s&access_token=%s",
				 service, tok);
			snprintf(url, sizeof url, "https://%s/oauth2/exchange", login);
			snprintf(what, sizeof what, "POST https://%s/oauth2/exchange", login);
			req.method = "POST";
			req.body = body;
			req.content_type = "application/x-www-form-urlencoded";
			req.auth_label = "registry exchange";
			rc = fetch_json(f, FACTS_AUD_NONE, &req, what, &xs, &j, err);
			memset(body, 0, n);
			free(body);
		}
		memset(tok, 0, FACTS_TOKEN_MAX);
		free(tok);
		/* The registry found the Entra token expired: once more
		 * with a new one. */
		if (rc == AD_EDENIED && xs == 401 && tries == 0 &&
		    f->auth.expired) {
			f->auth.expired(f->auth.arg, FACTS_AUD_ARM);
			continue;
		}
		break;
	}
	if (rc != 0)
		return rc;
	rt = jsonu_str(j, "refresh_token");
	if (!rt || strlen(rt) > 8192) {
		cJSON_Delete(j);
		return ad_error_set(err, AD_EPARSE,
			_("%s: the answer has no refresh_token"), what);
	}
	{
		size_t n = strlen(service) + strlen(repo) + strlen(rt) + 128;
		char *tb = malloc(n);

		if (!tb) {
			cJSON_Delete(j);
			return ad_error_set(err, AD_ENOMEM, _("out of memory"));
		}
		snprintf(tb, n, "grant_type=refresh_token&service=%s&scope=repository:%s:pull&refresh_token=%s",
			 service, repo, rt);
		cJSON_Delete(j);
		snprintf(url, sizeof url, "%s", realm);
		snprintf(what, sizeof what, "POST %s", realm);
		req.body = tb;
		req.auth_label = "registry refresh token";
		rc = fetch_json(f, FACTS_AUD_NONE, &req, what, NULL, &j, err);
		memset(tb, 0, strlen(tb));
		free(tb);
	}
	if (rc != 0)
		return rc;
	at = jsonu_str(j, "access_token");
	if (!at) {
		cJSON_Delete(j);
		return ad_error_set(err, AD_EPARSE,
			_("%s: the answer has no access_token"), what);
	}
	if ((rc = cache_add(f, &f->cache->tokens, key, j, 200, &j)) != 0)
		return ad_error_set(err, rc, _("out of memory"));
	*token = jsonu_str(j, "access_token");
	return 0;
}

int reg_ping(struct facts *f, const char *login_server, long *status,
	     struct ad_error *err)
{
	char url[512];
	struct http_request req = { .method = "GET", .url = url };
	struct http_response r;
	int rc;

	*status = 0;
	if (!form_safe(login_server))
		return ad_error_set(err, AD_EINVAL,
			_("login server name has unexpected characters"));
	snprintf(url, sizeof url, "https://%s/v2/", login_server);
	rc = http_send(f->http, &req, &r, err);
	if (rc != 0) {
		char msg[sizeof err->msg];

		if (err) {
			enum ad_net net = err->net;

			snprintf(msg, sizeof msg, "%s", err->msg);
			ad_error_set(err, rc, _("GET %s: %s"), url, msg);
			ad_error_net(err, net);
		}
		return rc;
	}
	*status = r.status;
	http_response_clear(&r);
	return 0;
}

/* GET a registry path with the pull token; 404 is not an error here: the
 * status tells the caller, *out stays NULL. */
static int reg_get(struct facts *f, const char *login, const char *repo,
		   const char *kind, const char *ref, const char *accept,
		   long *status, cJSON **out, struct ad_error *err)
{
	char url[1536], what[1600];
	struct cache_entry *e;
	const char *token;
	cJSON *j;
	int rc;

	*out = NULL;
	*status = 0;
	if (!form_safe(ref))
		return ad_error_set(err, AD_EINVAL,
			_("reference has unexpected characters"));
	if ((rc = url_fmt(url, sizeof url, err, "https://%s/v2/%s/%s%s%s",
			  login, repo, kind, ref[0] ? "/" : "", ref)) != 0)
		return rc;
	if ((e = cache_get(f, &f->cache->head, url))) {
		*status = e->status;
		*out = e->json;
		return 0;
	}
	rc = reg_token(f, login, repo, &token, err);
	if (rc != 0)
		return rc;
	{
		struct http_request req = { .method = "GET", .url = url,
					    .bearer = token, .accept = accept,
					    .auth_label = "registry token" };

		snprintf(what, sizeof what, "GET %s", url);
		rc = fetch_json(f, FACTS_AUD_NONE, &req, what, status, &j, err);
	}
	if (rc == AD_ENOTFOUND) {
		*status = 404;
		return 0;
	}
	if (rc != 0)
		return rc;
	*status = 200;
	if ((rc = cache_add(f, &f->cache->head, url, j, 200, out)) != 0)
		return ad_error_set(err, rc, _("out of memory"));
	return 0;
}

int reg_manifest(struct facts *f, const char *login_server, const char *repo,
		 const char *ref, long *status, cJSON **out,
		 struct ad_error *err)
{
	return reg_get(f, login_server, repo, "manifests", ref,
		       ACCEPT_MANIFESTS, status, out, err);
}

int reg_tags(struct facts *f, const char *login_server, const char *repo,
	     long *status, cJSON **out, struct ad_error *err)
{
	return reg_get(f, login_server, repo, "tags/list", "",
		       "application/json", status, out, err);
}

int reg_blob_json(struct facts *f, const char *login_server, const char *repo,
		  const char *digest, long *status, cJSON **out,
		  struct ad_error *err)
{
	return reg_get(f, login_server, repo, "blobs", digest,
		       "application/json", status, out, err);
}

/* ---------- node probe and ids ---------- */

int facts_resolve(struct facts *f, const char *name, struct probe_dns *out,
		  struct ad_error *err)
{
	return probe_resolve(f->probe, name, out, err);
}

int facts_tcp(struct facts *f, const char *host, int port,
	      enum probe_tcp *out, struct ad_error *err)
{
	return probe_tcp(f->probe, host, port, 5000, out, err);
}

void facts_cluster_id(const struct facts *f, char *buf, size_t len)
{
	snprintf(buf, len,
		 "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.ContainerService/managedClusters/%s",
		 f->ctx->subscription, f->ctx->resource_group, f->ctx->cluster);
}

void facts_webapp_id(const struct facts *f, char *buf, size_t len)
{
	snprintf(buf, len,
		 "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Web/sites/%s",
		 f->ctx->subscription, f->ctx->resource_group, f->ctx->webapp);
}

void facts_registry_id(const struct facts *f, char *buf, size_t len)
{
	snprintf(buf, len,
		 "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.ContainerRegistry/registries/%s",
		 f->ctx->subscription,
		 f->ctx->registry_group[0] ? f->ctx->registry_group :
		 f->ctx->resource_group, f->ctx->registry);
}
