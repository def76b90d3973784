/* scenario.c - load scenarios and serve them as a simulated world.
 *
 * The format is documented in data/scenarios/README.md (public, versioned).
 * The sim transport answers requests from the "http" entries and applies
 * writes the way ARM and Kubernetes do, so a fix followed by a re-check
 * sees the change. */
#include "config.h"
#include "scenario.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "builtin.h"
#include "check.h"
#include "err.h"
#include "http.h"
#include "i18n.h"
#include "jsonu.h"
#include "probe.h"
#include "scenario_priv.h"
#include "textw.h"

#define SCENARIO_MAX_FILE (8u << 20)
#define SCENARIO_MAX_DEPTH 4


/* ---------- loading ---------- */

static char *read_file(const char *path, size_t *len, struct ad_error *err)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;

	if (!fp) {
		ad_error_set(err, AD_EIO, _("cannot open scenario %s: %s"),
			     path, strerror(errno));
		return NULL;
	}
	for (;;) {
		size_t got;

		if (n + 4096 + 1 > cap) {
			char *nb;

			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(fp);
				ad_error_set(err, AD_ENOMEM, _("out of memory"));
				return NULL;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n - 1, fp);
		n += got;
		if (n > SCENARIO_MAX_FILE) {
			free(buf);
			fclose(fp);
			ad_error_set(err, AD_EINVAL,
				_("scenario %s is larger than 8 MiB"), path);
			return NULL;
		}
		if (got == 0)
			break;
	}
	if (ferror(fp)) {
		free(buf);
		fclose(fp);
		ad_error_set(err, AD_EIO, _("cannot read scenario %s"), path);
		return NULL;
	}
	fclose(fp);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int is_file_name(const char *s)
{
	size_t n = strlen(s);

	return strchr(s, '/') || (n > 5 && strcmp(s + n - 5, ".json") == 0);
}

static int valid_name(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) ||
		      s[i] == '-'))
			return 0;
	return 1;
}

/* Raw document for a built-in name or a file; caller deletes. */
static cJSON *load_doc(const char *name_or_file, char *origin, size_t olen,
		       struct ad_error *err)
{
	cJSON *doc;

	if (is_file_name(name_or_file)) {
		size_t len = 0;
		char *buf = read_file(name_or_file, &len, err);

		if (!buf)
			return NULL;
		snprintf(origin, olen, "%s", name_or_file);
		doc = jsonu_parse(buf, len);
		free(buf);
	} else {
		char path[128], shown[65];
		const struct builtin_file *bf;

		if (!valid_name(name_or_file)) {
			ad_error_set(err, AD_EINVAL,
				_("'%.64s' is not a scenario name (letters, digits and '-')"),
				tw_clip(shown, sizeof shown, name_or_file));
			return NULL;
		}
		snprintf(path, sizeof path, "scenarios/%s.json", name_or_file);
		bf = builtin_find(path);
		if (!bf) {
			ad_error_set(err, AD_ENOTFOUND,
				_("no built-in scenario named '%s' (see 'acr-doctor scenarios')"),
				name_or_file);
			return NULL;
		}
		snprintf(origin, olen, "%s", name_or_file);
		doc = jsonu_parse((const char *)bf->data, bf->len);
	}
	if (!doc)
		ad_error_set(err, AD_EPARSE,
			_("scenario %s is not valid JSON"), origin);
	else if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		doc = NULL;
		ad_error_set(err, AD_EPARSE,
			_("scenario %s: the top level must be an object"), origin);
	}
	return doc;
}

static const char *methods[] = { "GET", "HEAD", "POST", "PUT", "PATCH",
				 "DELETE" };

static int valid_method(const char *m)
{
	size_t i;

	for (i = 0; i < sizeof methods / sizeof methods[0]; i++)
		if (m && strcmp(m, methods[i]) == 0)
			return 1;
	return 0;
}

static int same_entry(const cJSON *a, const cJSON *b)
{
	const char *ma = jsonu_str(a, "method"), *mb = jsonu_str(b, "method");
	const char *ua = jsonu_str(a, "url"), *ub = jsonu_str(b, "url");

	return ma && mb && ua && ub && strcmp(ma, mb) == 0 &&
	       strcasecmp(ua, ub) == 0;
}

/* Apply the derived document d onto the base document b (both owned by
 * the caller; b is changed in place). */
static int merge_onto_base(cJSON *b, const cJSON *d, struct ad_error *err,
			   const char *origin)
{
	const cJSON *it;
	static const char *replace[] = { "name", "summary", "notes", "expect",
					 "latency_ms", "format" };
	size_t i;

	for (i = 0; i < sizeof replace / sizeof replace[0]; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(d, replace[i]);

		if (v) {
			cJSON *copy = cJSON_Duplicate(v, 1);

			if (!copy)
				return ad_error_set(err, AD_ENOMEM, _("out of memory"));
			if (cJSON_HasObjectItem(b, replace[i]))
				cJSON_ReplaceItemInObjectCaseSensitive(b, replace[i], copy);
			else
				cJSON_AddItemToObject(b, replace[i], copy);
		}
	}
	/* Objects merged key by key. */
	{
		static const char *objs[] = { "context", "hosts" };

		for (i = 0; i < 2; i++) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(d, objs[i]);
			cJSON *bv = cJSON_GetObjectItemCaseSensitive(b, objs[i]);

			if (!v)
				continue;
			if (!cJSON_IsObject(v))
				return ad_error_set(err, AD_EPARSE,
					_("scenario %s: '%s' must be an object"),
					origin, objs[i]);
			if (!bv) {
				bv = cJSON_AddObjectToObject(b, objs[i]);
				if (!bv)
					return AD_ENOMEM;
			}
			if (jsonu_merge_patch(bv, v) != 0)
				return ad_error_set(err, AD_ENOMEM, _("out of memory"));
		}
	}
	{
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(d, "node");
		cJSON *bv = cJSON_GetObjectItemCaseSensitive(b, "node");

		if (v) {
			if (!cJSON_IsObject(v))
				return ad_error_set(err, AD_EPARSE,
					_("scenario %s: 'node' must be an object"), origin);
			if (!bv)
				bv = cJSON_AddObjectToObject(b, "node");
			if (!bv || jsonu_merge_patch(bv, v) != 0)
				return ad_error_set(err, AD_ENOMEM, _("out of memory"));
		}
	}
	{
		static const char *arrs[] = { "reactions", "kubeDeny" };

		for (i = 0; i < 2; i++) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(d, arrs[i]);
			cJSON *bv = cJSON_GetObjectItemCaseSensitive(b, arrs[i]);

			if (!v)
				continue;
			if (!cJSON_IsArray(v))
				return ad_error_set(err, AD_EPARSE,
					_("scenario %s: '%s' must be an array"),
					origin, arrs[i]);
			if (!bv)
				bv = cJSON_AddArrayToObject(b, arrs[i]);
			if (!bv)
				return ad_error_set(err, AD_ENOMEM, _("out of memory"));
			cJSON_ArrayForEach(it, v)
				cJSON_AddItemToArray(bv, cJSON_Duplicate(it, 1));
		}
	}
	{
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(d, "http");
		cJSON *bv = cJSON_GetObjectItemCaseSensitive(b, "http");
		int idx = 0;

		if (v && !cJSON_IsArray(v))
			return ad_error_set(err, AD_EPARSE,
				_("scenario %s: 'http' must be an array"), origin);
		if (!bv)
			bv = cJSON_AddArrayToObject(b, "http");
		cJSON_ArrayForEach(it, v) {
			cJSON *match = NULL, *e;
			int pos = 0, mpos = -1;

			idx++;
			cJSON_ArrayForEach(e, bv) {
				if (same_entry(e, it)) {
					match = e;
					mpos = pos;
					break;
				}
				pos++;
			}
			if (jsonu_bool(it, "remove", 0)) {
				if (!match)
					return ad_error_set(err, AD_EPARSE,
						_("scenario %s: http entry %d removes %s %s, which the base does not have"),
						origin, idx, jsonu_str(it, "method"),
						jsonu_str(it, "url"));
				cJSON_DeleteItemFromArray(bv, mpos);
			} else if (cJSON_GetObjectItemCaseSensitive(it, "merge")) {
				const cJSON *patch = cJSON_GetObjectItemCaseSensitive(it, "merge");
				cJSON *body = match ?
					cJSON_GetObjectItemCaseSensitive(match, "body") : NULL;

				if (!body || !cJSON_IsObject(body) ||
				    !cJSON_IsObject(patch))
					return ad_error_set(err, AD_EPARSE,
						_("scenario %s: http entry %d merges into %s %s, which the base has no object body for"),
						origin, idx, jsonu_str(it, "method") ?
						jsonu_str(it, "method") : "?",
						jsonu_str(it, "url") ? jsonu_str(it, "url") : "?");
				if (jsonu_merge_patch(body, patch) != 0)
					return ad_error_set(err, AD_ENOMEM, _("out of memory"));
				/* A merge may also set status or headers. */
				if (cJSON_GetObjectItemCaseSensitive(it, "status")) {
					cJSON_DeleteItemFromObject(match, "status");
					cJSON_AddItemToObject(match, "status",
						cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(it, "status"), 1));
				}
			} else if (match) {
				cJSON_ReplaceItemInArray(bv, mpos, cJSON_Duplicate(it, 1));
			} else {
				cJSON_AddItemToArray(bv, cJSON_Duplicate(it, 1));
			}
		}
	}
	return 0;
}

static int validate_entries(const cJSON *http, const char *origin,
			    struct ad_error *err);

/* The fully merged document of name_or_file; caller deletes. */
static cJSON *resolve(const char *name_or_file, cJSON *doc, int depth,
		      const char *origin, struct ad_error *err)
{
	const char *base;
	cJSON *bdoc;
	char borigin[256];

	base = jsonu_str(doc, "base");
	if (!cJSON_GetObjectItemCaseSensitive(doc, "base"))
		return doc;
	if (!base) {
		ad_error_set(err, AD_EPARSE,
			_("scenario %s: 'base' must be a string"), origin);
		cJSON_Delete(doc);
		return NULL;
	}
	if (depth >= SCENARIO_MAX_DEPTH || is_file_name(base)) {
		ad_error_set(err, AD_EPARSE, is_file_name(base) ?
			_("scenario %s: 'base' must name a built-in scenario") :
			_("scenario %s: bases nest deeper than 4"), origin);
		cJSON_Delete(doc);
		return NULL;
	}
	(void)name_or_file;
	/* The file's own entries, numbered as the file numbers them (after
	 * the merge the base's come first). */
	if (cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(doc, "http")) &&
	    validate_entries(cJSON_GetObjectItemCaseSensitive(doc, "http"),
			     origin, err) != 0) {
		cJSON_Delete(doc);
		return NULL;
	}
	bdoc = load_doc(base, borigin, sizeof borigin, err);
	if (!bdoc) {
		cJSON_Delete(doc);
		return NULL;
	}
	bdoc = resolve(base, bdoc, depth + 1, borigin, err);
	if (!bdoc) {
		cJSON_Delete(doc);
		return NULL;
	}
	if (merge_onto_base(bdoc, doc, err, origin) != 0) {
		cJSON_Delete(bdoc);
		cJSON_Delete(doc);
		return NULL;
	}
	cJSON_DeleteItemFromObject(bdoc, "base");
	cJSON_Delete(doc);
	return bdoc;
}

static int validate_entry(const cJSON *e, int idx, const char *origin,
			  struct ad_error *err)
{
	const char *m = jsonu_str(e, "method"), *u = jsonu_str(e, "url");
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(e, "status");
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(e, "headers");
	const cJSON *it;

	if (!cJSON_IsObject(e))
		return ad_error_set(err, AD_EPARSE,
			_("scenario %s: http entry %d is not an object"), origin, idx);
	if (!valid_method(m))
		return ad_error_set(err, AD_EPARSE,
			_("scenario %s: http entry %d: 'method' must be GET, HEAD, POST, PUT, PATCH or DELETE"),
			origin, idx);
	if (!u || strncmp(u, "https://", 8) != 0 || strlen(u) > 2048)
		return ad_error_set(err, AD_EPARSE,
			_("scenario %s: http entry %d: 'url' must be an https:// URL"),
			origin, idx);
	if (strchr(u, '?'))
		return ad_error_set(err, AD_EPARSE,
			_("scenario %s: http entry %d: 'url' must not have a query string"),
			origin, idx);
	if (st && (!cJSON_IsNumber(st) || st->valueint < 100 ||
		   st->valueint > 599))
		return ad_error_set(err, AD_EPARSE,
			_("scenario %s: http entry %d: 'status' must be 100 to 599"),
			origin, idx);
	if (h) {
		if (!cJSON_IsObject(h))
			return ad_error_set(err, AD_EPARSE,
				_("scenario %s: http entry %d: 'headers' must be an object of strings"),
				origin, idx);
		cJSON_ArrayForEach(it, h)
			if (!cJSON_IsString(it))
				return ad_error_set(err, AD_EPARSE,
					_("scenario %s: http entry %d: header '%s' must be a string"),
					origin, idx, it->string);
	}
	if (cJSON_GetObjectItemCaseSensitive(e, "bodyText") &&
	    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(e, "bodyText")))
		return ad_error_set(err, AD_EPARSE,
			_("scenario %s: http entry %d: 'bodyText' must be a string"),
			origin, idx);
	return 0;
}

static int validate_entries(const cJSON *http, const char *origin,
			    struct ad_error *err)
{
	const cJSON *it;
	int idx = 0, rc;

	cJSON_ArrayForEach(it, http)
		if ((rc = validate_entry(it, ++idx, origin, err)) != 0)
			return rc;
	return 0;
}

/* One of the words of a NULL-terminated list. */
static int one_of(const char *s, const char *const *words)
{
	for (; s && *words; words++)
		if (strcmp(s, *words) == 0)
			return 1;
	return 0;
}

/* A cause id the checks know (expect.cause). */
static int known_cause(const char *id)
{
	const struct check_def *defs;
	size_t n, i;

	defs = check_all(&n);
	for (i = 0; id && i < n; i++)
		if (strcmp(defs[i].cause, id) == 0)
			return 1;
	return 0;
}

/* hosts, node.dns, node.tcp and the other fields sim.c reads: a value
 * it would not understand is an error naming the field, not a silent
 * default. */
static int validate_world(const cJSON *doc, const char *origin,
			  struct ad_error *err)
{
	static const char *const host_fail[] = { "timeout", "refused", "dns",
						 NULL };
	static const char *const tcp_states[] = { "open", "refused", "timeout",
						  "unreachable", NULL };
	const cJSON *hosts = cJSON_GetObjectItemCaseSensitive(doc, "hosts");
	const cJSON *node = cJSON_GetObjectItemCaseSensitive(doc, "node");
	const cJSON *it, *a, *v;
	char key[81];

	if (!cJSON_IsObject(hosts))
		hosts = NULL;           /* build() says it must be an object */
	cJSON_ArrayForEach(it, hosts)
		if (!cJSON_IsString(it) || !one_of(it->valuestring, host_fail))
			return ad_error_set(err, AD_EPARSE,
				_("scenario %s: 'hosts.%s' must be \"timeout\", \"refused\" or \"dns\""),
				origin, tw_clip(key, sizeof key, it->string));
	if ((v = cJSON_GetObjectItemCaseSensitive(doc, "kubeDeny")) &&
	    !cJSON_IsArray(v))
		return ad_error_set(err, AD_EPARSE,
			_("scenario %s: 'kubeDeny' must be an array"), origin);
	{
		static const char *const fields[] = { "verb", "resource", "group",
						      "namespace", "name", "reason" };
		int idx = 0;
		size_t i;

		cJSON_ArrayForEach(it, v) {
			idx++;
			if (!cJSON_IsObject(it))
				return ad_error_set(err, AD_EPARSE,
					_("scenario %s: kubeDeny rule %d is not an object"),
					origin, idx);
			for (i = 0; i < sizeof fields / sizeof fields[0]; i++) {
				const cJSON *fv = cJSON_GetObjectItemCaseSensitive(it, fields[i]);

				if ((fv || i < 2) &&
				    (!cJSON_IsString(fv) || strlen(fv->valuestring) > 253 ||
				     (i < 2 && !fv->valuestring[0])))
					return ad_error_set(err, AD_EPARSE, i < 2 ?
						_("scenario %s: kubeDeny rule %d: '%s' is required, a string of 1 to 253 characters") :
						_("scenario %s: kubeDeny rule %d: '%s' must be a string of at most 253 characters"),
						origin, idx, fields[i]);
			}
		}
	}
	if (!cJSON_IsObject(node))
		return 0;
	v = cJSON_GetObjectItemCaseSensitive(node, "name");
	if (v && !cJSON_IsString(v))
		return ad_error_set(err, AD_EPARSE,
			_("scenario %s: 'node.name' must be a string"), origin);
	v = cJSON_GetObjectItemCaseSensitive(node, "unavailable");
	if (v && !cJSON_IsString(v))
		return ad_error_set(err, AD_EPARSE,
			_("scenario %s: 'node.unavailable' must be a string"), origin);
	v = cJSON_GetObjectItemCaseSensitive(node, "dns");
	if (v && !cJSON_IsObject(v))
		return ad_error_set(err, AD_EPARSE,
			_("scenario %s: 'node.dns' must be an object"), origin);
	cJSON_ArrayForEach(it, v) {
		int good = cJSON_IsArray(it) ||
			   (cJSON_IsObject(it) &&
			    (!cJSON_GetObjectItemCaseSensitive(it, "error") ||
			     cJSON_IsString(cJSON_GetObjectItemCaseSensitive(it, "error"))));

		const cJSON *addrs = cJSON_IsArray(it) ? it : NULL;

		cJSON_ArrayForEach(a, addrs)
			good = good && cJSON_IsString(a);
		if (!good)
			return ad_error_set(err, AD_EPARSE,
				_("scenario %s: 'node.dns.%s' must be an array of addresses or {\"error\": \"...\"}"),
				origin, tw_clip(key, sizeof key, it->string));
	}
	v = cJSON_GetObjectItemCaseSensitive(node, "tcp");
	if (v && !cJSON_IsObject(v))
		return ad_error_set(err, AD_EPARSE,
			_("scenario %s: 'node.tcp' must be an object"), origin);
	cJSON_ArrayForEach(it, v)
		if (!cJSON_IsString(it) || !one_of(it->valuestring, tcp_states))
			return ad_error_set(err, AD_EPARSE,
				_("scenario %s: 'node.tcp.%s' must be \"open\", \"refused\", \"timeout\" or \"unreachable\""),
				origin, tw_clip(key, sizeof key, it->string));
	return 0;
}

static int take(cJSON *doc, const char *key, cJSON **dst, int want_array)
{
	cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(doc, key);

	if (!v)
		v = want_array ? cJSON_CreateArray() : cJSON_CreateObject();
	*dst = v;
	return v ? 0 : AD_ENOMEM;
}

static int build(cJSON *doc, const char *origin, struct scenario **out,
		 struct ad_error *err)
{
	struct scenario *s;
	const char *fmt = jsonu_str(doc, "format");
	const char *name = jsonu_str(doc, "name");
	const char *summary = jsonu_str(doc, "summary");
	const cJSON *ctx = cJSON_GetObjectItemCaseSensitive(doc, "context");
	const cJSON *expect = cJSON_GetObjectItemCaseSensitive(doc, "expect");
	const cJSON *lat = cJSON_GetObjectItemCaseSensitive(doc, "latency_ms");
	const cJSON *it;
	int idx = 0, rc;

	if (!fmt || strcmp(fmt, SCENARIO_FORMAT) != 0)
		return ad_error_set(err, AD_EPARSE,
			_("scenario %s: 'format' must be \"%s\""), origin,
			SCENARIO_FORMAT);
	if (!name || !valid_name(name))
		return ad_error_set(err, AD_EPARSE,
			_("scenario %s: 'name' must be 1 to 64 of a-z, 0-9 and '-'"),
			origin);
	if (!summary || !summary[0])
		return ad_error_set(err, AD_EPARSE,
			_("scenario %s: 'summary' is missing"), origin);
	if (!cJSON_IsObject(ctx))
		return ad_error_set(err, AD_EPARSE,
			_("scenario %s: 'context' is missing"), origin);
	if (!cJSON_IsObject(expect))
		return ad_error_set(err, AD_EPARSE,
			_("scenario %s: 'expect' is missing"), origin);
	{
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(expect, "cause");
		const cJSON *fl = cJSON_GetObjectItemCaseSensitive(expect, "failing");

		if (!c || !(cJSON_IsNull(c) || cJSON_IsString(c)))
			return ad_error_set(err, AD_EPARSE,
				_("scenario %s: 'expect.cause' must be a cause id or null"),
				origin);
		if (cJSON_IsString(c) && !known_cause(c->valuestring)) {
			char cause[65];

			return ad_error_set(err, AD_EPARSE,
				_("scenario %s: 'expect.cause' names no known cause ('%s')"),
				origin, tw_clip(cause, sizeof cause, c->valuestring));
		}
		if (fl && !cJSON_IsArray(fl))
			return ad_error_set(err, AD_EPARSE,
				_("scenario %s: 'expect.failing' must be an array"), origin);
	}
	if (cJSON_GetObjectItemCaseSensitive(doc, "notes") &&
	    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(doc, "notes")))
		return ad_error_set(err, AD_EPARSE,
			_("scenario %s: 'notes' must be a string"), origin);
	/* an integer: 1.5 would be taken as 1 */
	if (lat && (!cJSON_IsNumber(lat) || lat->valuedouble < 0 ||
		    lat->valuedouble > 5000 ||
		    lat->valuedouble != (double)lat->valueint))
		return ad_error_set(err, AD_EPARSE,
			_("scenario %s: 'latency_ms' must be 0 to 5000"), origin);
	if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(doc, "http")))
		return ad_error_set(err, AD_EPARSE,
			_("scenario %s: 'http' must be an array"), origin);
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(doc, "http")) {
		if ((rc = validate_entry(it, ++idx, origin, err)) != 0)
			return rc;
	}
	if ((rc = validate_world(doc, origin, err)) != 0)
		return rc;

	s = calloc(1, sizeof *s);
	if (!s)
		return ad_error_set(err, AD_ENOMEM, _("out of memory"));
	snprintf(s->name, sizeof s->name, "%s", name);
	s->summary = strdup(summary);
	s->notes = jsonu_str(doc, "notes") ? strdup(jsonu_str(doc, "notes")) : NULL;
	s->origin = strdup(origin);
	s->latency_ms = lat ? lat->valueint : 0;
	{
		const char *t = jsonu_str(ctx, "target");

		ctx_init(&s->ctx, t && strcmp(t, "webapp") == 0 ?
			 AD_TARGET_WEBAPP : AD_TARGET_AKS);
	}
	if ((rc = ctx_from_json(&s->ctx, ctx, err)) != 0 ||
	    (rc = ctx_validate(&s->ctx, err)) != 0) {
		char msg[sizeof err->msg];

		snprintf(msg, sizeof msg, "%s", err->msg);
		ad_error_set(err, rc, _("scenario %s: %s"), origin, msg);
		scenario_free(s);
		return rc;
	}
	if (!s->ctx.registry_group[0])
		snprintf(s->ctx.registry_group, sizeof s->ctx.registry_group,
			 "%s", s->ctx.resource_group);
	if (take(doc, "expect", &s->expect, 0) || take(doc, "http", &s->http, 1) ||
	    take(doc, "hosts", &s->hosts, 0) || take(doc, "node", &s->node, 0) ||
	    take(doc, "reactions", &s->reactions, 1) ||
	    take(doc, "kubeDeny", &s->kube_deny, 1) || !s->summary || !s->origin) {
		scenario_free(s);
		return ad_error_set(err, AD_ENOMEM, _("out of memory"));
	}
	if (!cJSON_IsObject(s->hosts) || !cJSON_IsObject(s->node) ||
	    !cJSON_IsArray(s->reactions)) {
		scenario_free(s);
		return ad_error_set(err, AD_EPARSE,
			_("scenario %s: 'hosts' and 'node' must be objects, 'reactions' an array"),
			origin);
	}
	*out = s;
	return 0;
}

int scenario_parse(const char *json, size_t len, const char *origin,
		   struct scenario **out, struct ad_error *err)
{
	cJSON *doc;
	char org[256];
	int rc;

	*out = NULL;
	snprintf(org, sizeof org, "%s", origin ? origin : "(memory)");
	doc = jsonu_parse(json, len);
	if (!doc || !cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		return ad_error_set(err, AD_EPARSE,
			_("scenario %s is not a JSON object"), org);
	}
	doc = resolve(org, doc, 0, org, err);
	if (!doc)
		return err ? err->code : AD_EPARSE;
	rc = build(doc, org, out, err);
	cJSON_Delete(doc);
	return rc;
}

int scenario_load(const char *name_or_file, struct scenario **out,
		  struct ad_error *err)
{
	char origin[256];
	cJSON *doc;
	int rc;

	*out = NULL;
	if (!name_or_file || !name_or_file[0])
		return ad_error_set(err, AD_EINVAL, _("no scenario given"));
	doc = load_doc(name_or_file, origin, sizeof origin, err);
	if (!doc)
		return err ? err->code : AD_EPARSE;
	doc = resolve(name_or_file, doc, 0, origin, err);
	if (!doc)
		return err ? err->code : AD_EPARSE;
	rc = build(doc, origin, out, err);
	cJSON_Delete(doc);
	return rc;
}

void scenario_free(struct scenario *s)
{
	if (!s)
		return;
	free(s->summary);
	free(s->notes);
	free(s->origin);
	cJSON_Delete(s->expect);
	cJSON_Delete(s->http);
	cJSON_Delete(s->hosts);
	cJSON_Delete(s->node);
	cJSON_Delete(s->reactions);
	cJSON_Delete(s->kube_deny);
	free(s);
}

/* The accessors take NULL (a live world has no scenario). */
const char *scenario_name(const struct scenario *s) { return s ? s->name : NULL; }
/* Built-in scenarios' texts are in the catalogue (src/scenario_strings.c);
 * a user's own file is not and comes back as written.  Never _(""): that
 * is the catalogue's header. */
static const char *text_tr(const char *t)
{
	return t && *t ? _(t) : t;
}

const char *scenario_summary(const struct scenario *s)
{
	return s ? text_tr(s->summary) : NULL;
}

const char *scenario_notes(const struct scenario *s)
{
	return s ? text_tr(s->notes) : NULL;
}
int scenario_container_log(const struct scenario *s, char **text)
{
	const struct ad_context *c = &s->ctx;
	const char *m = c->message, *sp = strchr(m, ' ');
	size_t t = sp ? (size_t)(sp - m) : 0, len;
	int failed = strstr(m, " ERROR - ") != NULL;

	*text = NULL;
	if (!m[0])
		return 0;
	/* The message's time stamps App Service's lines around it. */
	if (t == 0 || t > 40)
		t = 0;
	len = 3 * (t + strlen(c->webapp) + strlen(c->image) + 80) + strlen(m);
	if (!(*text = malloc(len)))
		return AD_ENOMEM;
	(*text)[0] = '\0';
	if (c->image[0])
		snprintf(*text, len, "%.*s%sINFO  - Pulling image: %s\n", (int)t,
			 m, t ? " " : "", c->image);
	snprintf(*text + strlen(*text), len - strlen(*text), "%s\n", m);
	if (failed)
		snprintf(*text + strlen(*text), len - strlen(*text),
			 "%.*s%sINFO  - Stopping site %s because it failed during startup.\n",
			 (int)t, m, t ? " " : "", c->webapp);
	return 0;
}

const struct ad_context *scenario_context(const struct scenario *s)
{
	return s ? &s->ctx : NULL;
}
const cJSON *scenario_expect(const struct scenario *s) { return s ? s->expect : NULL; }
int scenario_latency_ms(const struct scenario *s) { return s ? s->latency_ms : 0; }

void scenario_traffic(const struct scenario *s, int *waiting, int *answered)
{
	if (waiting)
		*waiting = __atomic_load_n(&s->waiting, __ATOMIC_SEQ_CST);
	if (answered)
		*answered = __atomic_load_n(&s->answered, __ATOMIC_SEQ_CST);
}

const char *scenario_expect_cause(const struct scenario *s)
{
	if (!s)
		return NULL;
	return jsonu_str(s->expect, "cause");
}

char *scenario_world_dump(const struct scenario *s)
{
	cJSON *o = cJSON_CreateObject();
	char *out;

	if (!o)
		return NULL;
	cJSON_AddItemToObject(o, "http", cJSON_Duplicate(s->http, 1));
	cJSON_AddItemToObject(o, "node", cJSON_Duplicate(s->node, 1));
	cJSON_AddItemToObject(o, "hosts", cJSON_Duplicate(s->hosts, 1));
	out = cJSON_Print(o);
	cJSON_Delete(o);
	return out;
}

/* ---------- built-in list ---------- */

static const char *builtin_names[256];
static size_t builtin_n = (size_t)-1;

/* Order by scenario name, the ".json" left out: "aks-403-firewall"
 * comes before "aks-403-firewall-disabled", as `ls` users expect. */
static int cmp_name(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	size_t nx = strlen(x) - 5, ny = strlen(y) - 5;
	int c = strncmp(x, y, nx < ny ? nx : ny);

	return c ? c : (nx > ny) - (nx < ny);
}

static void builtin_index(void)
{
	size_t i;

	if (builtin_n != (size_t)-1)
		return;
	builtin_n = 0;
	for (i = 0; i < builtin_nfiles && builtin_n < 256; i++) {
		const char *nm = builtin_files[i].name;
		size_t len = strlen(nm);

		if (strncmp(nm, "scenarios/", 10) == 0 && len > 15 &&
		    strcmp(nm + len - 5, ".json") == 0)
			builtin_names[builtin_n++] = nm;
	}
	qsort(builtin_names, builtin_n, sizeof builtin_names[0], cmp_name);
}

size_t scenario_builtin_count(void)
{
	builtin_index();
	return builtin_n;
}

const char *scenario_builtin_name(size_t i)
{
	static char names[256][65];

	builtin_index();
	if (i >= builtin_n)
		return NULL;
	if (!names[i][0]) {
		const char *nm = builtin_names[i] + 10;
		size_t len = strlen(nm) - 5;

		if (len > 64)
			len = 64;
		memcpy(names[i], nm, len);
		names[i][len] = '\0';
	}
	return names[i];
}

int scenario_builtin_summary(size_t i, char *buf, size_t len)
{
	struct scenario *s = NULL;
	const char *name = scenario_builtin_name(i);

	if (len)
		buf[0] = '\0';
	if (!name || scenario_load(name, &s, NULL) != 0)
		return AD_ENOTFOUND;
	tw_clip(buf, len, scenario_summary(s));
	scenario_free(s);
	return 0;
}

const struct builtin_file *builtin_find(const char *name)
{
	size_t i;

	for (i = 0; i < builtin_nfiles; i++)
		if (strcmp(builtin_files[i].name, name) == 0)
			return &builtin_files[i];
	return NULL;
}
