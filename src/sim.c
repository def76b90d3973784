/* sim.c - the simulated transport and node probe over a scenario.
 *
 * Requests are matched on method and URL (query ignored).  Writes change
 * the world as ARM and Kubernetes would (see data/scenarios/README.md),
 * then the scenario's reactions run. */
#include "config.h"
#include "scenario.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "http.h"
#include "i18n.h"
#include "jsonu.h"
#include "smp.h"
#include "perm.h"
#include "probe.h"
#include "checks/roles.h"
#include "context.h"
#include "scenario_priv.h"
#include "textw.h"

struct sim {
	struct scenario *s;
	struct http_transport *t;   /* back-pointer: its cancel flag */
	/* Checks ask from several threads; writes change the world. */
	pthread_mutex_t mu;
};

/* Split url into "https://host" and "/path" (query and fragment dropped).
 * Returns 0 or -1 for a URL we cannot serve. */
static int split_url(const char *url, char *origin, size_t olen, char *path,
		     size_t plen)
{
	const char *p, *q;
	size_t n;

	if (strncasecmp(url, "https://", 8) != 0)
		return -1;
	p = strchr(url + 8, '/');
	if (!p)
		p = url + strlen(url);
	n = (size_t)(p - url);
	if (n >= olen)
		return -1;
	memcpy(origin, url, n);
	origin[n] = '\0';
	q = p + strcspn(p, "?#");
	n = (size_t)(q - p);
	if (n >= plen)
		return -1;
	memcpy(path, p, n);
	path[n] = '\0';
	if (!path[0])
		snprintf(path, plen, "/");
	return 0;
}

static void host_of(const char *origin, char *host, size_t len)
{
	const char *h = origin + 8;
	size_t n = strcspn(h, ":/");

	if (n >= len)
		n = len - 1;
	memcpy(host, h, n);
	host[n] = '\0';
}

/* Path match where a pattern segment "*" matches any one segment. */
static int path_match(const char *pat, const char *path)
{
	while (*pat && *path) {
		size_t pn = strcspn(pat, "/"), sn = strcspn(path, "/");

		if (!(pn == 1 && pat[0] == '*') &&
		    (pn != sn || strncmp(pat, path, pn) != 0))
			return 0;
		pat += pn;
		path += sn;
		if (*pat != *path)
			return 0;
		if (*pat == '/') {
			pat++;
			path++;
		}
	}
	return *pat == '\0' && *path == '\0';
}

static int url_match(const char *entry_url, const char *origin,
		     const char *path)
{
	char eo[512], ep[2048];

	if (split_url(entry_url, eo, sizeof eo, ep, sizeof ep) != 0)
		return 0;
	return strcasecmp(eo, origin) == 0 && path_match(ep, path);
}

static cJSON *find_entry(struct scenario *s, const char *method,
			 const char *origin, const char *path)
{
	cJSON *e;

	cJSON_ArrayForEach(e, s->http) {
		const char *m = jsonu_str(e, "method"), *u = jsonu_str(e, "url");

		if (m && u && strcmp(m, method) == 0 && url_match(u, origin, path))
			return e;
	}
	return NULL;
}

static int respond(struct http_response *resp, long status,
		   const cJSON *headers, const cJSON *body, const char *text,
		   int head)
{
	const cJSON *h;

	resp->status = status;
	cJSON_ArrayForEach(h, headers)
		if (cJSON_IsString(h) &&
		    http_response_add_header(resp, h->string, h->valuestring))
			return AD_ENOMEM;
	if (head) {
		resp->body = strdup("");
	} else if (text) {
		resp->body = strdup(text);
	} else if (body) {
		resp->body = cJSON_PrintUnformatted(body);
		if (!http_response_header(resp, "Content-Type") &&
		    http_response_add_header(resp, "Content-Type",
					     "application/json"))
			return AD_ENOMEM;
	} else {
		resp->body = strdup("");
	}
	if (!resp->body)
		return AD_ENOMEM;
	resp->body_len = strlen(resp->body);
	return 0;
}

/* What a real service answers for something that is not there. */
static int not_found(struct http_response *resp, const char *origin,
		     const char *path, int head)
{
	char host[256], msg[600], shown[401];
	cJSON *b;
	int rc;

	host_of(origin, host, sizeof host);
	if (strncasecmp(host, "management.", 11) == 0) {
		snprintf(msg, sizeof msg, "The Resource '%s' was not found.",
			 tw_clip(shown, sizeof shown, path));
		b = cJSON_Parse("{\"error\":{\"code\":\"ResourceNotFound\"}}");
		cJSON_AddStringToObject(cJSON_GetObjectItem(b, "error"),
					"message", msg);
	} else if (strncasecmp(host, "graph.", 6) == 0 ||
		   strstr(host, "graph.microsoft")) {
		b = cJSON_Parse("{\"error\":{\"code\":\"Request_ResourceNotFound\","
				"\"message\":\"Resource does not exist or one of its "
				"queried reference-property objects are not present.\"}}");
	} else if (strstr(host, ".azurecr.") || strncmp(path, "/v2/", 4) == 0) {
		int manifest = strstr(path, "/manifests/") != NULL;

		b = cJSON_Parse(manifest ?
			"{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest tagged by the reference is not found\",\"detail\":null}]}" :
			"{\"errors\":[{\"code\":\"NAME_UNKNOWN\",\"message\":\"repository name not known to registry\",\"detail\":null}]}");
	} else {
		b = cJSON_Parse("{\"kind\":\"Status\",\"apiVersion\":\"v1\","
				"\"metadata\":{},\"status\":\"Failure\","
				"\"reason\":\"NotFound\",\"code\":404}");
		snprintf(msg, sizeof msg, "the server could not find the requested resource (%s)",
			 tw_clip(shown, sizeof shown, path));
		cJSON_AddStringToObject(b, "message", msg);
	}
	if (!b)
		return AD_ENOMEM;
	rc = respond(resp, 404, NULL, b, NULL, head);
	cJSON_Delete(b);
	return rc;
}

static cJSON *entry_for_url(struct scenario *s, const char *method,
			    const char *url)
{
	char o[512], p[2048];
	cJSON *e;

	if (split_url(url, o, sizeof o, p, sizeof p) != 0)
		return NULL;
	cJSON_ArrayForEach(e, s->http) {
		const char *m = jsonu_str(e, "method"), *u = jsonu_str(e, "url");
		char eo[512], ep[2048];

		if (!m || !u || strcmp(m, method) != 0 ||
		    split_url(u, eo, sizeof eo, ep, sizeof ep) != 0)
			continue;
		if (strcasecmp(eo, o) == 0 && strcmp(ep, p) == 0)
			return e;
	}
	return NULL;
}

/* The array of a collection body: ARM "value", Kubernetes "items". */
static cJSON *collection_items(cJSON *body)
{
	cJSON *a = cJSON_GetObjectItemCaseSensitive(body, "value");

	if (!cJSON_IsArray(a))
		a = cJSON_GetObjectItemCaseSensitive(body, "items");
	return cJSON_IsArray(a) ? a : NULL;
}

static int item_is(const cJSON *item, const char *path, const char *name)
{
	const char *id = jsonu_str(item, "id");

	if (id)
		return jsonu_id_eq(id, path);
	id = jsonu_str(item, "metadata.name");
	return id && strcmp(id, name) == 0;
}

/* Find the parent collection entry of origin+path, and the index of the
 * item named by the last segment (-1 when absent). */
static cJSON *parent_items(struct scenario *s, const char *origin,
			   const char *path, int *index)
{
	char purl[2600];
	const char *slash = strrchr(path, '/');
	cJSON *pe, *items, *it;
	int i = 0;

	*index = -1;
	if (!slash || slash == path)
		return NULL;
	snprintf(purl, sizeof purl, "%s%.*s", origin, (int)(slash - path), path);
	pe = entry_for_url(s, "GET", purl);
	if (!pe)
		return NULL;
	items = collection_items(cJSON_GetObjectItemCaseSensitive(pe, "body"));
	if (!items)
		return NULL;
	cJSON_ArrayForEach(it, items) {
		if (item_is(it, path, slash + 1)) {
			*index = i;
			break;
		}
		i++;
	}
	return items;
}

static int set_body(cJSON *entry, cJSON *body)
{
	if (cJSON_GetObjectItemCaseSensitive(entry, "body"))
		return cJSON_ReplaceItemInObjectCaseSensitive(entry, "body", body) ? 0 : AD_ENOMEM;
	cJSON_AddItemToObject(entry, "body", body);
	return 0;
}

static void run_reactions(struct scenario *s, const char *method,
			  const char *origin, const char *path)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, s->reactions) {
		const char *m = jsonu_str(r, "method"), *u = jsonu_str(r, "url");
		const cJSON *eff;

		if (!m || !u || strcmp(m, method) != 0 || !url_match(u, origin, path))
			continue;
		cJSON_ArrayForEach(eff, cJSON_GetObjectItemCaseSensitive(r, "effects")) {
			const char *eu = jsonu_str(eff, "url");
			cJSON *target = eu ? entry_for_url(s, "GET", eu) : NULL;
			const cJSON *b = cJSON_GetObjectItemCaseSensitive(eff, "body");
			const cJSON *mg = cJSON_GetObjectItemCaseSensitive(eff, "merge");

			if (!eu)
				continue;
			if (!target) {
				target = cJSON_CreateObject();
				if (!target)
					continue;
				cJSON_AddStringToObject(target, "method", "GET");
				cJSON_AddStringToObject(target, "url", eu);
				cJSON_AddItemToArray(s->http, target);
			}
			if (b)
				set_body(target, cJSON_Duplicate(b, 1));
			else if (mg) {
				cJSON *tb = cJSON_GetObjectItemCaseSensitive(target, "body");

				if (!tb) {
					tb = cJSON_CreateObject();
					set_body(target, tb);
				}
				jsonu_merge_patch(tb, mg);
			}
		}
	}
}

static int entry_index(const cJSON *arr, const cJSON *item)
{
	const cJSON *it;
	int i = 0;

	cJSON_ArrayForEach(it, arr) {
		if (it == item)
			return i;
		i++;
	}
	return -1;
}

/* The Kubernetes API server's Status answer. */
static int kube_status(struct http_response *resp, long code,
		       const char *reason, const char *msg)
{
	cJSON *st = cJSON_CreateObject();
	int rc;

	if (!st || !cJSON_AddStringToObject(st, "kind", "Status") ||
	    !cJSON_AddStringToObject(st, "apiVersion", "v1") ||
	    !cJSON_AddObjectToObject(st, "metadata") ||
	    !cJSON_AddStringToObject(st, "status", "Failure") ||
	    !cJSON_AddStringToObject(st, "message", msg) ||
	    !cJSON_AddStringToObject(st, "reason", reason) ||
	    !cJSON_AddNumberToObject(st, "code", (double)code)) {
		cJSON_Delete(st);
		return AD_ENOMEM;
	}
	rc = respond(resp, code, NULL, st, NULL, 0);
	cJSON_Delete(st);
	return rc;
}

static int is_kube(const struct scenario *s, const char *origin);

static int do_write(struct sim *sim, const char *method, const char *origin,
		    const char *path, const struct http_request *req,
		    struct http_response *resp, struct ad_error *err)
{
	struct scenario *s = sim->s;
	char url[2600];
	cJSON *entry, *items, *reqbody = NULL, *stored;
	int idx, rc, created = 0, strategic = 0;
	long status = 200;

	/* The API server takes a JSON merge patch or a strategic merge
	 * patch (JSON patches are not simulated) and refuses any other
	 * type, before reading the body. */
	if (strcmp(method, "PATCH") == 0 && is_kube(s, origin)) {
		const char *ct = req->content_type ? req->content_type : "";
		size_t n = strcspn(ct, "; ");

		if (n == strlen(SMP_CONTENT_TYPE) &&
		    strncmp(ct, SMP_CONTENT_TYPE, n) == 0)
			strategic = 1;
		else if (n && !(n == 28 && strncmp(ct, "application/merge-patch+json", n) == 0) &&
			 !(n == 16 && strncmp(ct, "application/json", n) == 0))
			return kube_status(resp, 415, "UnsupportedMediaType",
				"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json");
	}
	snprintf(url, sizeof url, "%s%s", origin, path);
	entry = entry_for_url(s, "GET", url);
	items = parent_items(s, origin, path, &idx);
	if (strcmp(method, "DELETE") == 0) {
		if (!entry && idx < 0)
			return not_found(resp, origin, path, 0);
		if (entry)
			cJSON_DeleteItemFromArray(s->http,
				entry_index(s->http, entry));
		if (items && idx >= 0)
			cJSON_DeleteItemFromArray(items, idx);
		run_reactions(s, method, origin, path);
		return respond(resp, 200, NULL, NULL, NULL, 0);
	}
	if (req->body) {
		reqbody = cJSON_Parse(req->body);
		if (!reqbody || !cJSON_IsObject(reqbody)) {
			cJSON_Delete(reqbody);
			reqbody = cJSON_Parse("{\"error\":{\"code\":\"InvalidRequestContent\",\"message\":\"The request content was invalid and could not be deserialized.\"}}");
			rc = respond(resp, 400, NULL, reqbody, NULL, 0);
			cJSON_Delete(reqbody);
			return rc;
		}
	} else {
		reqbody = cJSON_CreateObject();
	}
	if (!reqbody)
		return ad_error_set(err, AD_ENOMEM, _("out of memory"));
	if (strcmp(method, "PATCH") == 0) {
		cJSON *body = entry ? cJSON_GetObjectItemCaseSensitive(entry, "body") : NULL;

		if (!body || !cJSON_IsObject(body)) {
			cJSON_Delete(reqbody);
			return not_found(resp, origin, path, 0);
		}
		if (strategic) {
			char why[300];

			rc = smp_apply(body, reqbody, why, sizeof why);
			cJSON_Delete(reqbody);
			if (rc == AD_ENOMEM)
				return ad_error_set(err, AD_ENOMEM, _("out of memory"));
			if (rc != 0)
				return kube_status(resp, 400, "BadRequest", why);
		} else {
			jsonu_merge_patch(body, reqbody);
			cJSON_Delete(reqbody);
		}
		stored = body;
	} else { /* PUT */
		const char *slash = strrchr(path, '/');

		if (!cJSON_HasObjectItem(reqbody, "id") &&
		    !cJSON_HasObjectItem(reqbody, "metadata"))
			cJSON_AddStringToObject(reqbody, "id", path);
		if (!cJSON_HasObjectItem(reqbody, "name") &&
		    !cJSON_HasObjectItem(reqbody, "metadata"))
			cJSON_AddStringToObject(reqbody, "name",
						slash ? slash + 1 : path);
		if (!entry) {
			entry = cJSON_CreateObject();
			if (!entry) {
				cJSON_Delete(reqbody);
				return ad_error_set(err, AD_ENOMEM, _("out of memory"));
			}
			cJSON_AddStringToObject(entry, "method", "GET");
			cJSON_AddStringToObject(entry, "url", url);
			cJSON_AddItemToArray(s->http, entry);
			created = 1;
			status = 201;
		}
		set_body(entry, reqbody);
		stored = reqbody;
	}
	if (items) {
		cJSON *copy = cJSON_Duplicate(stored, 1);

		if (copy) {
			if (idx >= 0)
				cJSON_ReplaceItemInArray(items, idx, copy);
			else
				cJSON_AddItemToArray(items, copy);
		}
	}
	(void)created;
	run_reactions(s, method, origin, path);
	return respond(resp, status, NULL, stored, NULL, 0);
}

/* ---------- what the caller may do on the cluster's API ---------- */

#define SSAR_PATH "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"

/* 1 when origin is the scenario's cluster API server. */
static int is_kube(const struct scenario *s, const char *origin)
{
	size_t n = strlen(s->ctx.kube_server);

	while (n && s->ctx.kube_server[n - 1] == '/')
		n--;
	return n && strlen(origin) == n &&
	       strncasecmp(origin, s->ctx.kube_server, n) == 0;
}

/* A rule field matches: absent (any), "*", or equal. */
static int rule_field(const cJSON *rule, const char *key, const char *v)
{
	const char *want = jsonu_str(rule, key);

	return !want || strcmp(want, "*") == 0 || strcmp(want, v) == 0;
}

/* The kubeDeny rule that forbids k, or NULL (allowed). */
static const cJSON *kube_denial(const struct scenario *s,
				const struct perm_kube *k)
{
	const cJSON *r;
	char res[100];

	snprintf(res, sizeof res, "%s%s%s", k->resource,
		 k->subresource[0] ? "/" : "", k->subresource);
	cJSON_ArrayForEach(r, s->kube_deny) {
		if (jsonu_str(r, "verb") && jsonu_str(r, "resource") &&
		    rule_field(r, "verb", k->verb) &&
		    rule_field(r, "resource", res) &&
		    rule_field(r, "group", k->group) &&
		    rule_field(r, "namespace", k->namespace_) &&
		    rule_field(r, "name", k->name))
			return r;
	}
	return NULL;
}

/* The API server's 403 for a request RBAC does not allow. */
static int kube_forbidden(struct http_response *resp,
			  const struct perm_kube *k)
{
	char msg[900];
	cJSON *b, *d;
	int rc;

	/* As the API server words it: the object's name only when there is
	 * one (not for a list), the namespace or the cluster scope. */
	snprintf(msg, sizeof msg,
		 "%s%s%s%s%s%s%s%s is forbidden: User \"scenario-user\" cannot %s resource \"%s%s%s\" in API group \"%s\"%s%s%s",
		 k->resource, k->group[0] ? "." : "", k->group,
		 k->subresource[0] ? "/" : "", k->subresource,
		 k->name[0] ? " \"" : "", k->name, k->name[0] ? "\"" : "",
		 k->verb, k->resource, k->subresource[0] ? "/" : "",
		 k->subresource, k->group,
		 k->namespace_[0] ? " in the namespace \"" : " at the cluster scope",
		 k->namespace_, k->namespace_[0] ? "\"" : "");
	b = cJSON_Parse("{\"kind\":\"Status\",\"apiVersion\":\"v1\","
			"\"metadata\":{},\"status\":\"Failure\","
			"\"reason\":\"Forbidden\",\"code\":403}");
	if (!b)
		return AD_ENOMEM;
	cJSON_AddStringToObject(b, "message", msg);
	d = cJSON_AddObjectToObject(b, "details");
	if (d) {
		cJSON_AddStringToObject(d, "name", k->name);
		if (k->group[0])
			cJSON_AddStringToObject(d, "group", k->group);
		cJSON_AddStringToObject(d, "kind", k->resource);
	}
	rc = respond(resp, 403, NULL, b, NULL, 0);
	cJSON_Delete(b);
	return rc;
}

static int copy_attr(char *dst, size_t len, const cJSON *ra, const char *key)
{
	const char *v = jsonu_str(ra, key);

	if (v && strlen(v) >= len)
		return -1;
	snprintf(dst, len, "%s", v ? v : "");
	return 0;
}

/* POST selfsubjectaccessreviews: the API server's answer (201, the
 * review with its status) from the scenario's kubeDeny rules. */
static int ssar_answer(struct sim *sim, const struct http_request *req,
		       struct http_response *resp)
{
	cJSON *j = req->body ? cJSON_Parse(req->body) : NULL;
	const cJSON *ra = jsonu_path(j, "spec.resourceAttributes");
	const cJSON *rule;
	struct perm_kube k;
	cJSON *st, *out;
	int rc;

	memset(&k, 0, sizeof k);
	if (!cJSON_IsObject(ra) ||
	    copy_attr(k.verb, sizeof k.verb, ra, "verb") ||
	    copy_attr(k.group, sizeof k.group, ra, "group") ||
	    copy_attr(k.resource, sizeof k.resource, ra, "resource") ||
	    copy_attr(k.subresource, sizeof k.subresource, ra, "subresource") ||
	    copy_attr(k.namespace_, sizeof k.namespace_, ra, "namespace") ||
	    copy_attr(k.name, sizeof k.name, ra, "name")) {
		cJSON *b = cJSON_Parse("{\"kind\":\"Status\",\"apiVersion\":\"v1\","
			"\"metadata\":{},\"status\":\"Failure\",\"message\":"
			"\"SelfSubjectAccessReview.authorization.k8s.io \\\"\\\" is invalid: "
			"spec.resourceAttributes: Invalid value: exactly one of "
			"nonResourceAttributes or resourceAttributes must be specified\","
			"\"reason\":\"Invalid\",\"code\":422}");

		cJSON_Delete(j);
		rc = respond(resp, 422, NULL, b, NULL, 0);
		cJSON_Delete(b);
		return b ? rc : AD_ENOMEM;
	}
	rule = kube_denial(sim->s, &k);
	out = cJSON_CreateObject();
	st = cJSON_CreateObject();
	if (!out || !st) {
		cJSON_Delete(out);
		cJSON_Delete(st);
		cJSON_Delete(j);
		return AD_ENOMEM;
	}
	cJSON_AddStringToObject(out, "kind", "SelfSubjectAccessReview");
	cJSON_AddStringToObject(out, "apiVersion", "authorization.k8s.io/v1");
	cJSON_AddItemToObject(out, "metadata", cJSON_CreateObject());
	cJSON_AddItemToObject(out, "spec",
		cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(j, "spec"), 1));
	cJSON_AddBoolToObject(st, "allowed", rule == NULL);
	/* RBAC alone has no opinion on what it does not grant (allowed
	 * false); a rule with a reason answers as an authorization webhook
	 * that denies (AKS with Azure RBAC). */
	if (rule && jsonu_str(rule, "reason")) {
		cJSON_AddBoolToObject(st, "denied", 1);
		cJSON_AddStringToObject(st, "reason", jsonu_str(rule, "reason"));
	}
	cJSON_AddItemToObject(out, "status", st);
	rc = respond(resp, 201, NULL, out, NULL, 0);
	cJSON_Delete(out);
	cJSON_Delete(j);
	return rc;
}

static int sim_sleep(struct sim *sim, int ms)
{
	while (ms > 0) {
		struct timespec ts = { 0, 10 * 1000000L };

		if (ad_cancelled(sim->t->cancel))
			return AD_ECANCEL;
		nanosleep(&ts, NULL);
		ms -= 10;
	}
	return 0;
}

/* ---------- a pull secret's credentials at the registry ---------- */

/* The entry for method whose URL path ends with tail (case-insensitive),
 * on any host. */
static const cJSON *entry_by_tail(struct scenario *s, const char *method,
				  const char *tail)
{
	const cJSON *e;
	size_t tn = strlen(tail);

	cJSON_ArrayForEach(e, s->http) {
		const char *m = jsonu_str(e, "method"), *u = jsonu_str(e, "url");
		char o[512], p[2048];
		size_t pn;

		if (!m || !u || strcmp(m, method) != 0 ||
		    split_url(u, o, sizeof o, p, sizeof p) != 0)
			continue;
		pn = strlen(p);
		if (pn >= tn && strcasecmp(p + pn - tn, tail) == 0)
			return e;
	}
	return NULL;
}

static long entry_status(const cJSON *e)
{
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(e, "status");

	return cJSON_IsNumber(st) ? (long)st->valuedouble : 200;
}

/* Whether obj.passwordCredentials has one that ends after now: 1 yes,
 * 0 none, and *total how many there are. */
static int creds_valid(const cJSON *obj, time_t now, int *total)
{
	const cJSON *it;
	int valid = 0;

	cJSON_ArrayForEach(it, jsonu_array(obj, "passwordCredentials")) {
		const char *end = jsonu_str(it, "endDateTime");
		time_t t;

		(*total)++;
		if (end && ad_parse_time(end, &t) == 0 && t > now)
			valid = 1;
	}
	return valid;
}

/* Compare without leaving early on the first difference. */
static int same_secret(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b), i;
	unsigned char d = n != m;

	for (i = 0; i < n && i < m; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

enum login_says { LOGIN_YES, LOGIN_NO, LOGIN_UNTOLD };

/* What the registry host answers user:pass, from the world the scenario
 * describes (data/scenarios/README.md, "Pull secrets"): the admin user
 * (the registry's name) with one of listCredentials' passwords while
 * adminUserEnabled is not false; a service principal (an application id)
 * that Graph shows with a client secret still valid (Graph never shows
 * the secret itself, so its value cannot be compared); nobody else. */
static enum login_says login_says(struct scenario *s, const char *host,
				  const char *user, const char *pass)
{
	char name[64], tail[160];
	size_t n = strcspn(host, ".");
	const cJSON *reg, *lc, *sp, *app, *pw;
	time_t now;
	int total = 0;

	if (n == 0 || n >= sizeof name)
		return LOGIN_NO;
	memcpy(name, host, n);
	name[n] = '\0';
	if (strcasecmp(user, name) == 0) {
		snprintf(tail, sizeof tail,
			 "/providers/Microsoft.ContainerRegistry/registries/%s",
			 name);
		reg = entry_by_tail(s, "GET", tail);
		if (reg && jsonu_bool(cJSON_GetObjectItemCaseSensitive(reg, "body"),
				      "properties.adminUserEnabled", -1) == 0)
			return LOGIN_NO;
		snprintf(tail, sizeof tail,
			 "/providers/Microsoft.ContainerRegistry/registries/%s/listCredentials",
			 name);
		lc = entry_by_tail(s, "POST", tail);
		if (!lc)
			return LOGIN_UNTOLD;
		if (entry_status(lc) == 400)   /* AdminUserDisabled */
			return LOGIN_NO;
		if (entry_status(lc) != 200)
			return LOGIN_UNTOLD;
		cJSON_ArrayForEach(pw, jsonu_array(
				cJSON_GetObjectItemCaseSensitive(lc, "body"),
				"passwords")) {
			const char *v = jsonu_str(pw, "value");

			if (v && same_secret(v, pass))
				return LOGIN_YES;
		}
		return LOGIN_NO;
	}
	if (!ctx_is_guid(user))
		return LOGIN_NO;
	if (ad_now(&now) != 0)
		return LOGIN_UNTOLD;
	snprintf(tail, sizeof tail, "/v1.0/servicePrincipals(appId='%s')", user);
	sp = entry_by_tail(s, "GET", tail);
	if (!sp || entry_status(sp) == 404)
		return LOGIN_NO;
	if (entry_status(sp) != 200)
		return LOGIN_UNTOLD;
	if (creds_valid(cJSON_GetObjectItemCaseSensitive(sp, "body"), now,
			&total))
		return LOGIN_YES;
	if (total)
		return LOGIN_NO;
	/* az ad sp create-for-rbac puts the secret on the application. */
	snprintf(tail, sizeof tail, "/v1.0/applications(appId='%s')", user);
	app = entry_by_tail(s, "GET", tail);
	if (!app || entry_status(app) != 200)
		return app && entry_status(app) == 404 ? LOGIN_NO : LOGIN_UNTOLD;
	return creds_valid(cJSON_GetObjectItemCaseSensitive(app, "body"), now,
			   &total) ? LOGIN_YES : LOGIN_NO;
}

/* The registry's answer to HTTP basic credentials on its token endpoint
 * (or on /v2/ itself), as ACR gives it. */
static int basic_answer(struct scenario *s, const char *host,
			const char *path, const struct http_request *req,
			struct http_response *resp)
{
	enum login_says says = login_says(s, host, req->basic_user,
					  req->basic_pass ? req->basic_pass : "");
	cJSON *b;
	int rc;

	if (says == LOGIN_YES && strcmp(path, "/v2/") == 0)
		b = cJSON_Parse("{}");
	else if (says == LOGIN_YES)
		b = cJSON_Parse("{\"access_token\":\"sim-basic-access-token\"}");
	else if (says == LOGIN_NO)
		b = cJSON_Parse("{\"errors\":[{\"code\":\"UNAUTHORIZED\","
				"\"message\":\"authentication required, visit https://aka.ms/acr/authorization for more information.\","
				"\"detail\":null}]}");
	else
		b = cJSON_Parse("{\"errors\":[{\"code\":\"UNAVAILABLE\","
				"\"message\":\"the scenario does not tell whether these credentials are valid\","
				"\"detail\":null}]}");
	if (!b)
		return AD_ENOMEM;
	rc = respond(resp, says == LOGIN_YES ? 200 : says == LOGIN_NO ? 401 : 503,
		     NULL, b, NULL, 0);
	cJSON_Delete(b);
	return rc;
}

static int sim_answer(struct sim *sim, const struct http_request *req,
		      struct http_response *resp, struct ad_error *err);

static int sim_send(void *impl, const struct http_request *req,
		    struct http_response *resp, struct ad_error *err)
{
	struct sim *sim = impl;
	int rc;

	/* The wait is outside the lock, so concurrent requests overlap as
	 * on the wire; the counters let tests see a request cut short. */
	if (sim->s->latency_ms) {
		__atomic_add_fetch(&sim->s->waiting, 1, __ATOMIC_SEQ_CST);
		rc = sim_sleep(sim, sim->s->latency_ms);
		__atomic_sub_fetch(&sim->s->waiting, 1, __ATOMIC_SEQ_CST);
		if (rc != 0) {
			ad_error_set(err, AD_ECANCEL, _("cancelled"));
			return ad_error_net(err, AD_NET_CANCELLED);
		}
	}
	__atomic_add_fetch(&sim->s->answered, 1, __ATOMIC_SEQ_CST);
	pthread_mutex_lock(&sim->mu);
	rc = sim_answer(sim, req, resp, err);
	pthread_mutex_unlock(&sim->mu);
	return rc;
}

/* POST .../Microsoft.Web/sites/{webapp}/containerlogs of the scenario's
 * web app (its ARM host, subscription and group). */
static int is_containerlogs(const struct scenario *s, const char *origin,
			    const char *path)
{
	const struct ad_context *c = &s->ctx;
	char want[512];

	if (c->target != AD_TARGET_WEBAPP || !c->webapp[0] ||
	    strcasecmp(origin, c->arm) != 0)
		return 0;
	snprintf(want, sizeof want,
		 "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Web/sites/%s/containerlogs",
		 c->subscription, c->resource_group, c->webapp);
	return strcasecmp(path, want) == 0;
}

/* The web app's container log as App Service answers it: the text, or
 * 204 when there is none (data/scenarios/README.md). */
static int containerlogs_answer(const struct scenario *s,
				struct http_response *resp)
{
	char *text = NULL;

	if (scenario_container_log(s, &text) != 0)
		return AD_ENOMEM;
	resp->status = text ? 200 : 204;
	resp->body = text ? text : strdup("");
	if (!resp->body)
		return AD_ENOMEM;
	resp->body_len = strlen(resp->body);
	if (text && http_response_add_header(resp, "Content-Type",
					     "application/octet-stream"))
		return AD_ENOMEM;
	return 0;
}

static int sim_answer(struct sim *sim, const struct http_request *req,
		      struct http_response *resp, struct ad_error *err)
{
	struct scenario *s = sim->s;
	char origin[512], path[2048], host[256], shown[201];
	const char *method = req->method;
	const char *fail;
	cJSON *e;
	int head = strcmp(method, "HEAD") == 0;

	if (split_url(req->url, origin, sizeof origin, path, sizeof path) != 0)
		return ad_error_set(err, AD_EINVAL, _("unsupported URL: %.200s"),
				    tw_clip(shown, sizeof shown, req->url));
	host_of(origin, host, sizeof host);
	{
		const cJSON *hv = jsonu_get_ci(s->hosts, host);

		fail = cJSON_IsString(hv) ? hv->valuestring : NULL;
	}
	if (fail) {
		if (strcmp(fail, "dns") == 0) {
			ad_error_set(err, AD_EIO,
				_("could not resolve host %s"), host);
			return ad_error_net(err, AD_NET_DNS);
		}
		if (strcmp(fail, "refused") == 0) {
			ad_error_set(err, AD_EIO,
				_("connection to %s refused"), host);
			return ad_error_net(err, AD_NET_REFUSED);
		}
		ad_error_set(err, AD_ETIMEOUT,
			_("connection to %s timed out"), host);
		return ad_error_net(err, AD_NET_TIMEOUT);
	}
	/* The caller's rights on the cluster come before the recorded
	 * answers: a forbidden read or write is refused as RBAC refuses it. */
	if (is_kube(s, origin) && cJSON_GetArraySize(s->kube_deny) > 0 &&
	    strcmp(path, SSAR_PATH) != 0) {
		struct perm_kube k;

		if (perm_kube_of(method, path, &k) == 0 && kube_denial(s, &k))
			return kube_forbidden(resp, &k);
	}
	/* A pull secret's username and password: the registry decides
	 * from what the world says of them, not from a recorded answer. */
	if (req->basic_user && strcmp(method, "GET") == 0 &&
	    (strcmp(path, "/oauth2/token") == 0 || strcmp(path, "/v2/") == 0)) {
		if (basic_answer(s, host, path, req, resp) != 0)
			return ad_error_set(err, AD_ENOMEM, _("out of memory"));
		return 0;
	}
	e = find_entry(s, method, origin, path);
	if (!e && head)
		e = find_entry(s, "GET", origin, path);
	if (e) {
		const cJSON *st = cJSON_GetObjectItemCaseSensitive(e, "status");
		const char *text = jsonu_str(e, "bodyText");

		return respond(resp, st ? (long)st->valueint : 200,
			       cJSON_GetObjectItemCaseSensitive(e, "headers"),
			       cJSON_GetObjectItemCaseSensitive(e, "body"), text,
			       head);
	}
	if (strcmp(method, "POST") == 0 && strcmp(path, SSAR_PATH) == 0 &&
	    is_kube(s, origin))
		return ssar_answer(sim, req, resp);
	if (strcmp(method, "POST") == 0 && is_containerlogs(s, origin, path))
		return containerlogs_answer(s, resp) == 0 ? 0 :
		       ad_error_set(err, AD_ENOMEM, _("out of memory"));
	if (strcmp(method, "PUT") == 0 || strcmp(method, "PATCH") == 0 ||
	    strcmp(method, "DELETE") == 0)
		return do_write(sim, method, origin, path, req, resp, err);
	return not_found(resp, origin, path, head);
}

static void sim_free(void *impl)
{
	struct sim *sim = impl;

	if (sim)
		pthread_mutex_destroy(&sim->mu);
	free(impl);
}

static const struct http_ops sim_http_ops = {
	.name = "sim",
	.send = sim_send,
	.free = sim_free,
};

struct http_transport *sim_transport_new(struct scenario *s)
{
	struct http_transport *t = calloc(1, sizeof *t);
	struct sim *sim = calloc(1, sizeof *sim);

	if (!t || !sim) {
		free(t);
		free(sim);
		return NULL;
	}
	pthread_mutex_init(&sim->mu, NULL);
	sim->s = s;
	sim->t = t;
	t->ops = &sim_http_ops;
	t->impl = sim;
	return t;
}

/* ---------- node probe ---------- */

static int probe_unavailable(struct scenario *s, struct ad_error *err)
{
	const char *why = jsonu_str(s->node, "unavailable");
	char shown[201];

	if (why)
		return ad_error_set(err, AD_EUNSUPP, _("node probe unavailable: %.200s"),
				    tw_clip(shown, sizeof shown, why));
	if (!cJSON_GetObjectItemCaseSensitive(s->node, "name"))
		return ad_error_set(err, AD_EUNSUPP,
			_("this world has no node to test from"));
	return 0;
}

static int sim_resolve(void *impl, const char *name, struct probe_dns *out,
		       struct ad_error *err)
{
	struct scenario *s = impl;
	const cJSON *dns, *ans, *a;
	int rc;

	if ((rc = probe_unavailable(s, err)) != 0)
		return rc;
	dns = cJSON_GetObjectItemCaseSensitive(s->node, "dns");
	ans = jsonu_get_ci(dns, name);
	if (!ans) {
		snprintf(out->answer_error, sizeof out->answer_error, "NXDOMAIN");
		return 0;
	}
	if (cJSON_IsObject(ans)) {
		snprintf(out->answer_error, sizeof out->answer_error, "%s",
			 jsonu_str(ans, "error") ? jsonu_str(ans, "error") : "SERVFAIL");
		return 0;
	}
	cJSON_ArrayForEach(a, ans) {
		if (cJSON_IsString(a) && out->naddr < PROBE_MAX_ADDRS)
			snprintf(out->addr[out->naddr++], sizeof out->addr[0],
				 "%s", a->valuestring);
	}
	if (!out->naddr)
		snprintf(out->answer_error, sizeof out->answer_error, "NODATA");
	return 0;
}

static int sim_tcp(void *impl, const char *host, int port, int timeout_ms,
		   enum probe_tcp *out, struct ad_error *err)
{
	struct scenario *s = impl;
	char key[160];
	const char *v;
	int rc;

	(void)timeout_ms;
	if ((rc = probe_unavailable(s, err)) != 0)
		return rc;
	snprintf(key, sizeof key, "%s:%d", host, port);
	{
		const cJSON *tv = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(s->node, "tcp"), key);

		v = cJSON_IsString(tv) ? tv->valuestring : NULL;
	}
	if (!v)
		*out = PROBE_TCP_TIMEOUT;
	else if (strcmp(v, "open") == 0)
		*out = PROBE_TCP_OPEN;
	else if (strcmp(v, "refused") == 0)
		*out = PROBE_TCP_REFUSED;
	else if (strcmp(v, "unreachable") == 0)
		*out = PROBE_TCP_UNREACHABLE;
	else
		*out = PROBE_TCP_TIMEOUT;
	return 0;
}

static const struct probe_ops sim_probe_ops = {
	.name = "sim",
	.resolve = sim_resolve,
	.tcp = sim_tcp,
	.free = NULL,
};

struct node_probe *sim_probe_new(struct scenario *s)
{
	struct node_probe *p = calloc(1, sizeof *p);
	const char *name;

	if (!p)
		return NULL;
	p->ops = &sim_probe_ops;
	p->impl = s;
	name = jsonu_str(s->node, "name");
	snprintf(p->node, sizeof p->node, "%s", name ? name : "");
	return p;
}
