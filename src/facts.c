/* facts.c - reading the world through the transport, with a GET cache.
 *
 * Every answer is untrusted: statuses are mapped to error codes with the
 * server's own words (bounded, control characters removed) so a check can
 * say exactly why it could not tell. */
#include "config.h"
#include "facts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "i18n.h"
#include "jsonu.h"
#include "textw.h"

struct cache_entry {
	char *key;
	cJSON *json;
	long status;
	struct cache_entry *next;
};

struct facts_cache {
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
	cache_list_free(f->cache->head);
	f->cache->head = NULL;
}

void facts_free(struct facts *f)
{
	if (!f)
		return;
	facts_invalidate(f);
	cache_list_free(f->cache->tokens);
	free(f->cache);
	free(f);
}

static struct cache_entry *cache_find(struct cache_entry *e, const char *key)
{
	for (; e; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

/* Takes ownership of json. */
static int cache_put(struct cache_entry **head, const char *key, cJSON *json,
		     long status)
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

/* Copy untrusted text without control characters, bounded. */
static void clean_copy(char *dst, size_t len, const char *src)
{
	tw_clean_copy(dst, len, src);   /* cut on a character boundary */
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

/* Send, demand 2xx and a JSON body; *out owned by the caller. */
static int fetch_json(struct facts *f, struct http_request *req,
		      const char *what, long *status, cJSON **out,
		      struct ad_error *err)
{
	struct http_response r;
	int rc;

	*out = NULL;
	rc = http_send(f->http, req, &r, err);
	if (rc != 0) {
		char msg[sizeof err->msg];

		if (err) {
			enum ad_net net = err->net;

			snprintf(msg, sizeof msg, "%s", err->msg);
			ad_error_set(err, rc, _("%s: %s"), what, msg);
			ad_error_net(err, net);
		}
		return rc;
	}
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

static void arm_url(const struct facts *f, const char *path,
		    const char *api_version, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%capi-version=%s", f->ctx->arm, path,
		 strchr(path, '?') ? '&' : '?', api_version);
}

static int cached_get(struct facts *f, const char *url, const char *bearer,
		      const char *what, cJSON **out, struct ad_error *err)
{
	struct cache_entry *e = cache_find(f->cache->head, url);
	struct http_request req = { .method = "GET", .url = url,
				    .bearer = bearer,
				    .accept = "application/json" };
	cJSON *j;
	int rc;

	if (e) {
		*out = e->json;
		return 0;
	}
	rc = fetch_json(f, &req, what, NULL, &j, err);
	if (rc != 0)
		return rc;
	if ((rc = cache_put(&f->cache->head, url, j, 200)) != 0)
		return ad_error_set(err, rc, _("out of memory"));
	*out = j;
	return 0;
}

static void what_of(char *what, size_t len, const char *method,
		    const char *path)
{
	char p[301];

	snprintf(what, len, "%s %s", method, tw_clip(p, sizeof p, path));
}

int arm_get(struct facts *f, const char *path, const char *api_version,
	    cJSON **out, struct ad_error *err)
{
	char url[2048], what[400];

	arm_url(f, path, api_version, url, sizeof url);
	what_of(what, sizeof what, "GET", path);
	return cached_get(f, url, f->token_arm, what, out, err);
}

#define ARM_MAX_PAGES 50

int arm_list(struct facts *f, const char *path, const char *api_version,
	     cJSON **out, struct ad_error *err)
{
	char url[2048], key[2100], what[400];
	struct cache_entry *e;
	cJSON *all, *arr;
	int pages = 0, rc;

	arm_url(f, path, api_version, url, sizeof url);
	snprintf(key, sizeof key, "list:%s", url);
	if ((e = cache_find(f->cache->head, key))) {
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
					    .bearer = f->token_arm,
					    .accept = "application/json" };
		cJSON *page, *v, *it;
		const char *next;

		rc = fetch_json(f, &req, what, NULL, &page, err);
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
		/* Follow nextLink only on the same ARM endpoint. */
		if (!next || !next[0] || ++pages >= ARM_MAX_PAGES ||
		    strncmp(next, f->ctx->arm, strlen(f->ctx->arm)) != 0) {
			cJSON_Delete(page);
			break;
		}
		snprintf(url, sizeof url, "%s", next);
		cJSON_Delete(page);
	}
	if ((rc = cache_put(&f->cache->head, key, all, 200)) != 0)
		return ad_error_set(err, rc, _("out of memory"));
	*out = all;
	return 0;
}

int arm_post(struct facts *f, const char *path, const char *api_version,
	     const char *body, cJSON **out, struct ad_error *err)
{
	char url[2048], key[2100], what[400];
	struct cache_entry *e;
	struct http_request req = { .method = "POST", .bearer = f->token_arm,
				    .accept = "application/json" };
	cJSON *j;
	int rc;

	arm_url(f, path, api_version, url, sizeof url);
	/* POSTs we make are reads (listCredentials, appsettings/list). */
	snprintf(key, sizeof key, "post:%s", url);
	if ((e = cache_find(f->cache->head, key))) {
		*out = e->json;
		return 0;
	}
	what_of(what, sizeof what, "POST", path);
	req.url = url;
	req.body = body ? body : "";
	req.content_type = "application/json";
	rc = fetch_json(f, &req, what, NULL, &j, err);
	if (rc != 0)
		return rc;
	if ((rc = cache_put(&f->cache->head, key, j, 200)) != 0)
		return ad_error_set(err, rc, _("out of memory"));
	*out = j;
	return 0;
}

int arm_write(struct facts *f, const char *method, const char *path,
	      const char *api_version, const char *body, long *status,
	      cJSON **out, struct ad_error *err)
{
	char url[2048], what[400];
	struct http_request req = { .method = method, .bearer = f->token_arm,
				    .body = body,
				    .content_type = "application/json",
				    .accept = "application/json" };
	cJSON *j = NULL;
	int rc;

	arm_url(f, path, api_version, url, sizeof url);
	what_of(what, sizeof what, method, path);
	req.url = url;
	facts_invalidate(f);
	rc = fetch_json(f, &req, what, status, &j, err);
	if (out)
		*out = j;
	else
		cJSON_Delete(j);
	return rc;
}

int graph_get(struct facts *f, const char *path, cJSON **out,
	      struct ad_error *err)
{
	char url[2048], what[400];

	snprintf(url, sizeof url, "%s%s", f->ctx->graph, path);
	what_of(what, sizeof what, "GET", path);
	return cached_get(f, url, f->token_graph, what, out, err);
}

int kube_get(struct facts *f, const char *path, cJSON **out,
	     struct ad_error *err)
{
	char url[2048], what[400];

	if (!f->ctx->kube_server[0])
		return ad_error_set(err, AD_EUNSUPP,
			_("the cluster's API server address is not known"));
	snprintf(url, sizeof url, "%s%s", f->ctx->kube_server, path);
	what_of(what, sizeof what, "GET", path);
	return cached_get(f, url, f->token_kube, what, out, err);
}

int kube_patch(struct facts *f, const char *path, const char *body,
	       long *status, struct ad_error *err)
{
	char url[2048], what[400];
	struct http_request req = { .method = "PATCH", .url = url,
				    .bearer = f->token_kube, .body = body,
				    .content_type = "application/merge-patch+json",
				    .accept = "application/json" };
	cJSON *j = NULL;
	int rc;

	if (!f->ctx->kube_server[0])
		return ad_error_set(err, AD_EUNSUPP,
			_("the cluster's API server address is not known"));
	snprintf(url, sizeof url, "%s%s", f->ctx->kube_server, path);
	what_of(what, sizeof what, "PATCH", path);
	facts_invalidate(f);
	rc = fetch_json(f, &req, what, status, &j, err);
	cJSON_Delete(j);
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

/* An access token for repo (pull), or NULL when the registry needs none;
 * owned by the cache. */
static int reg_token(struct facts *f, const char *login, const char *repo,
		     const char **token, struct ad_error *err)
{
	char url[1024], key[1024], what[300], body[1200];
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
	if ((e = cache_find(f->cache->tokens, key))) {
		*token = jsonu_str(e->json, "access_token");
		return 0;
	}
	snprintf(url, sizeof url, "https://%s/v2/", login);
	rc = http_send(f->http, &req, &r, err);
	if (rc != 0) {
		char msg[sizeof err->msg];

		if (err) {
			enum ad_net net = err->net;

			snprintf(msg, sizeof msg, "%s", err->msg);
			ad_error_set(err, rc, _("GET https://%s/v2/: %s"), login, msg);
			ad_error_net(err, net);
		}
		return rc;
	}
	status = r.status;
	if (status == 200) {
		http_response_clear(&r);
		return 0;
	}
	if (status != 401 || !http_response_header(&r, "WWW-Authenticate")) {
		snprintf(what, sizeof what, "GET https://%s/v2/", login);
		rc = status_error(&r, what, err);
		http_response_clear(&r);
		return rc;
	}
	http_response_clear(&r);

	snprintf(url, sizeof url, "https://%s/oauth2/exchange", login);
	snprintf(what, sizeof what, "POST https://%s/oauth2/exchange", login);
	snprintf(body, sizeof body,
		 "grant_type=access_token&service=%s&access_token=%s", login,
		 f->token_arm ? f->token_arm : "");
	req.method = "POST";
	req.body = body;
	req.content_type = "application/x-www-form-urlencoded";
	rc = fetch_json(f, &req, what, NULL, &j, err);
	memset(body, 0, sizeof body);
	if (rc != 0)
		return rc;
	rt = jsonu_str(j, "refresh_token");
	if (!rt || strlen(rt) > 8192) {
		cJSON_Delete(j);
		return ad_error_set(err, AD_EPARSE,
			_("%s: the answer has no refresh_token"), what);
	}
	{
		size_t n = strlen(login) + strlen(repo) + strlen(rt) + 128;
		char *tb = malloc(n);

		if (!tb) {
			cJSON_Delete(j);
			return ad_error_set(err, AD_ENOMEM, _("out of memory"));
		}
		snprintf(tb, n, "grant_type=refresh_token&service=%s&scope=repository:%s:pull&refresh_token=%s",
			 login, repo, rt);
		cJSON_Delete(j);
		snprintf(url, sizeof url, "https://%s/oauth2/token", login);
		snprintf(what, sizeof what, "POST https://%s/oauth2/token", login);
		req.body = tb;
		rc = fetch_json(f, &req, what, NULL, &j, err);
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
	if ((rc = cache_put(&f->cache->tokens, key, j, 200)) != 0)
		return ad_error_set(err, rc, _("out of memory"));
	*token = at;
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
	snprintf(url, sizeof url, "https://%s/v2/%s/%s%s%s", login, repo, kind,
		 ref[0] ? "/" : "", ref);
	if ((e = cache_find(f->cache->head, url))) {
		*status = e->status;
		*out = e->json;
		return 0;
	}
	rc = reg_token(f, login, repo, &token, err);
	if (rc != 0)
		return rc;
	{
		struct http_request req = { .method = "GET", .url = url,
					    .bearer = token, .accept = accept };

		snprintf(what, sizeof what, "GET %s", url);
		rc = fetch_json(f, &req, what, status, &j, err);
	}
	if (rc == AD_ENOTFOUND) {
		*status = 404;
		return 0;
	}
	if (rc != 0)
		return rc;
	*status = 200;
	if ((rc = cache_put(&f->cache->head, url, j, 200)) != 0)
		return ad_error_set(err, rc, _("out of memory"));
	*out = j;
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
