/* perm.c - what the caller may do on a scope, before a write. */
#include "config.h"
#include "perm.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "facts.h"
#include "i18n.h"
#include "jsonu.h"
#include "textw.h"

#define MAX_SEGS 32

int perm_match(const char *pat, const char *s)
{
	if (!*pat)
		return !*s;
	if (*pat == '*') {
		while (*pat == '*')
			pat++;
		if (!*pat)
			return 1;
		for (; *s; s++)
			if (perm_match(pat, s))
				return 1;
		return 0;
	}
	if (!*s || tolower((unsigned char)*pat) != tolower((unsigned char)*s))
		return 0;
	return perm_match(pat + 1, s + 1);
}

static int perm_list_matches(const cJSON *arr, const char *action)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, arr)
		if (cJSON_IsString(it) && strlen(it->valuestring) < 512 &&
		    perm_match(it->valuestring, action))
			return 1;
	return 0;
}

int perm_allows(const cJSON *perms, const char *action)
{
	const cJSON *arr = cJSON_IsArray(perms) ? perms :
			   jsonu_array(perms, "value");
	const cJSON *p;

	cJSON_ArrayForEach(p, arr) {
		if (perm_list_matches(jsonu_array(p, "actions"), action) &&
		    !perm_list_matches(jsonu_array(p, "notActions"), action))
			return 1;
	}
	return 0;
}

/* Append n bytes of s to buf (len), 0 or -1 when it does not fit. */
static int put(char *buf, size_t len, size_t *used, const char *s, size_t n)
{
	if (*used + n + 1 > len)
		return -1;
	memcpy(buf + *used, s, n);
	*used += n;
	buf[*used] = '\0';
	return 0;
}

int perm_action_of(const char *method, const char *path, char *action,
		   size_t alen, char *scope, size_t slen)
{
	const char *seg[MAX_SEGS];
	size_t segl[MAX_SEGS], used = 0;
	const char *p = path, *verb;
	int n = 0, i, prov = -1, first_prov = -1, end, t;

	action[0] = scope[0] = '\0';
	if (!path || path[0] != '/' || !method)
		return -1;
	while (*p && *p != '?') {
		size_t l;

		while (*p == '/')
			p++;
		l = strcspn(p, "/?");
		if (!l)
			break;
		if (n == MAX_SEGS)
			return -1;
		seg[n] = p;
		segl[n++] = l;
		p += l;
	}
	if (n < 2 || segl[0] != 13 || strncasecmp(seg[0], "subscriptions", 13))
		return -1;
	for (i = 0; i < n; i++)
		if (segl[i] == 9 && strncasecmp(seg[i], "providers", 9) == 0) {
			if (first_prov < 0)
				first_prov = i;
			prov = i;
		}
	if (strcasecmp(method, "PUT") == 0 || strcasecmp(method, "PATCH") == 0)
		verb = "write";
	else if (strcasecmp(method, "DELETE") == 0)
		verb = "delete";
	else if (strcasecmp(method, "POST") == 0)
		verb = "action";
	else
		verb = "read";
	/* The action: the provider namespace, then every type segment (the
	 * names between them dropped; a POST's operation is the last). */
	if (prov < 0 || prov + 1 >= n) {
		const char *what = n >= 4 ? "Microsoft.Resources/subscriptions/resourceGroups/" :
				   "Microsoft.Resources/subscriptions/";

		if (put(action, alen, &used, what, strlen(what)) ||
		    put(action, alen, &used, verb, strlen(verb)))
			return -1;
		end = n;
	} else {
		if (put(action, alen, &used, seg[prov + 1], segl[prov + 1]))
			return -1;
		for (t = prov + 2; t < n; t += 2)
			if (put(action, alen, &used, "/", 1) ||
			    put(action, alen, &used, seg[t], segl[t]))
				return -1;
		if (put(action, alen, &used, "/", 1) ||
		    put(action, alen, &used, verb, strlen(verb)))
			return -1;
		/* The scope: what an extension resource is on, else the
		 * top-level resource (a child's permissions come from it). */
		if (prov != first_prov || (prov + 1 < n && segl[prov + 1] == 23 &&
		    strncasecmp(seg[prov + 1], "Microsoft.Authorization", 23) == 0))
			end = prov;
		else
			end = first_prov + 4 <= n ? first_prov + 4 : n;
	}
	used = 0;
	for (i = 0; i < end; i++)
		if (put(scope, slen, &used, "/", 1) ||
		    put(scope, slen, &used, seg[i], segl[i]))
			return -1;
	return 0;
}

const char *perm_role_for(const char *a)
{
	static const struct { const char *prefix, *role; } roles[] = {
		{ "Microsoft.Authorization/roleAssignments/", "Role Based Access Control Administrator" },
		{ "Microsoft.Authorization/", "User Access Administrator" },
		{ "Microsoft.ContainerService/", "Azure Kubernetes Service Contributor Role" },
		{ "Microsoft.Network/privateDnsZones/", "Private DNS Zone Contributor" },
		{ "Microsoft.Network/", "Network Contributor" },
		{ "Microsoft.Web/", "Website Contributor" },
		{ "Microsoft.Compute/", "Virtual Machine Contributor" },
		{ "Microsoft.ManagedIdentity/", "Managed Identity Operator" },
	};
	size_t i;

	for (i = 0; i < sizeof roles / sizeof roles[0]; i++)
		if (strncasecmp(a, roles[i].prefix, strlen(roles[i].prefix)) == 0)
			return roles[i].role;
	return "Contributor";
}

const char *perm_role_least(const char *a)
{
	size_t n = a ? strlen(a) : 0;

	if (n >= 5 && strcasecmp(a + n - 5, "/read") == 0)
		return "Reader";
	return perm_role_for(a ? a : "");
}

/* The text between 'key'' and the next quote of m, into dst. */
static int quoted_after(const char *m, const char *key, char *dst,
			size_t len)
{
	const char *p = strstr(m, key), *q;
	char *tmp;

	dst[0] = '\0';
	if (!p)
		return 0;
	p += strlen(key);
	q = strchr(p, '\'');
	if (!q || q == p || (size_t)(q - p) > 4096)
		return 0;
	tmp = strndup(p, (size_t)(q - p));
	if (!tmp)
		return 0;
	tw_clean_copy(dst, len, tmp);
	free(tmp);
	return dst[0] != '\0';
}

int perm_denial_parse(const char *m, char *action, size_t alen,
		      char *scope, size_t slen)
{
	if (alen)
		action[0] = '\0';
	if (slen)
		scope[0] = '\0';
	if (!m || alen == 0 || slen == 0)
		return 0;
	if (quoted_after(m, "perform action '", action, alen) &&
	    quoted_after(m, "over scope '", scope, slen))
		return 1;
	action[0] = scope[0] = '\0';
	return 0;
}

int perm_refusal_sentence(char *buf, size_t len, const char *what,
			  long status, const char *body)
{
	/* Bounded so that what always keeps some room in an error message
	 * (512 bytes); a longer action or scope is cut, never dropped. */
	char action[128], scope[256], w[512];
	const char *code, *msg, *role;
	cJSON *j;
	int n;

	if (!buf || len == 0 || !body)
		return 0;
	j = cJSON_Parse(body);
	code = j ? jsonu_str(j, "error.code") : NULL;
	msg = j ? jsonu_str(j, "error.message") : NULL;
	if (!code || strcmp(code, "AuthorizationFailed") != 0 ||
	    !perm_denial_parse(msg, action, sizeof action, scope,
			       sizeof scope)) {
		cJSON_Delete(j);
		return 0;
	}
	cJSON_Delete(j);
	role = perm_role_least(action);
	/* The sentence without what, to know the room what may take. */
	n = snprintf(buf, len,
		_("%s was refused (HTTP %ld, AuthorizationFailed): the caller may not perform '%s' over scope '%s'; the built-in role %s grants it"),
		"", status, action, scope, role);
	if (n < 0)
		return 0;
	{
		/* room for what, its NUL included */
		size_t room = (size_t)n + 1 >= len ? 1 : len - (size_t)n;

		if (room > sizeof w)
			room = sizeof w;
		what = what ? what : "";
		if (strlen(what) < room)
			snprintf(w, sizeof w, "%s", what);
		else if (room > 4) {     /* cut, marked with U+2026 */
			tw_clip(w, room - 3, what);
			strcat(w, "\xe2\x80\xa6");
		} else
			w[0] = '\0';
	}
	snprintf(buf, len,
		_("%s was refused (HTTP %ld, AuthorizationFailed): the caller may not perform '%s' over scope '%s'; the built-in role %s grants it"),
		w, status, action, scope, role);
	tw_utf8_trim(buf);
	return 1;
}

/* ---------- Kubernetes ---------- */

/* 1 when the n bytes of s are 1..max characters of the set: 'a'
 * lowercase letters and digits, plus the characters of extra. */
static int name_ok(const char *s, size_t n, size_t max, const char *extra)
{
	size_t i;

	if (n == 0 || n > max)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      (c && strchr(extra, c))))
			return 0;
	}
	return 1;
}

static void copy_seg(char *dst, size_t len, const char *s, size_t n)
{
	snprintf(dst, len, "%.*s", (int)n, s);
}

int perm_kube_of(const char *method, const char *path, struct perm_kube *k)
{
	const char *seg[8];
	size_t segl[8];
	const char *p = path;
	int n = 0, r;

	memset(k, 0, sizeof *k);
	if (!path || path[0] != '/' || !method)
		return -1;
	while (*p && *p != '?' && *p != '#') {
		size_t l;

		if (*p != '/')
			return -1;
		p++;
		l = strcspn(p, "/?#");
		if (!l) {
			if (*p == '/')
				return -1;          /* "//" */
			break;                      /* a trailing '/' */
		}
		if (n == 8)
			return -1;
		seg[n] = p;
		segl[n++] = l;
		p += l;
	}
	/* /api/VERSION/... or /apis/GROUP/VERSION/... */
	if (n >= 3 && segl[0] == 3 && strncmp(seg[0], "api", 3) == 0) {
		r = 2;
	} else if (n >= 4 && segl[0] == 4 && strncmp(seg[0], "apis", 4) == 0) {
		if (!name_ok(seg[1], segl[1], sizeof k->group - 1, ".-"))
			return -1;
		copy_seg(k->group, sizeof k->group, seg[1], segl[1]);
		r = 3;
	} else {
		return -1;
	}
	if (!name_ok(seg[r - 1], segl[r - 1], 20, ""))
		return -1;
	/* namespaces/NS/RESOURCE...: a namespaced resource.  namespaces/NS
	 * alone (or with its status or finalize) is the namespace itself. */
	if (n - r >= 3 && segl[r] == 10 && strncmp(seg[r], "namespaces", 10) == 0 &&
	    !(n - r == 3 && !k->group[0] &&
	      ((segl[r + 2] == 6 && strncmp(seg[r + 2], "status", 6) == 0) ||
	       (segl[r + 2] == 8 && strncmp(seg[r + 2], "finalize", 8) == 0)))) {
		if (!name_ok(seg[r + 1], segl[r + 1], sizeof k->namespace_ - 1, "-"))
			return -1;
		copy_seg(k->namespace_, sizeof k->namespace_, seg[r + 1],
			 segl[r + 1]);
		r += 2;
	}
	if (n - r < 1 || n - r > 3 ||
	    !name_ok(seg[r], segl[r], sizeof k->resource - 1, ""))
		return -1;
	copy_seg(k->resource, sizeof k->resource, seg[r], segl[r]);
	if (n - r >= 2) {
		if (!name_ok(seg[r + 1], segl[r + 1], sizeof k->name - 1,
			     ".-:@_ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
			return -1;
		copy_seg(k->name, sizeof k->name, seg[r + 1], segl[r + 1]);
	}
	if (n - r == 3) {
		if (!name_ok(seg[r + 2], segl[r + 2], sizeof k->subresource - 1, ""))
			return -1;
		copy_seg(k->subresource, sizeof k->subresource, seg[r + 2],
			 segl[r + 2]);
	}
	if (strcasecmp(method, "GET") == 0 || strcasecmp(method, "HEAD") == 0)
		snprintf(k->verb, sizeof k->verb, "%s", k->name[0] ? "get" : "list");
	else if (strcasecmp(method, "POST") == 0)
		snprintf(k->verb, sizeof k->verb, "create");
	else if (strcasecmp(method, "PUT") == 0)
		snprintf(k->verb, sizeof k->verb, "update");
	else if (strcasecmp(method, "PATCH") == 0)
		snprintf(k->verb, sizeof k->verb, "patch");
	else if (strcasecmp(method, "DELETE") == 0)
		snprintf(k->verb, sizeof k->verb, "%s",
			 k->name[0] ? "delete" : "deletecollection");
	else
		return -1;
	return 0;
}

char *perm_ssar_body(const struct perm_kube *k)
{
	cJSON *o = cJSON_CreateObject(), *spec, *ra;
	char *out = NULL;

	if (!o)
		return NULL;
	spec = cJSON_AddObjectToObject(o, "spec");
	ra = spec ? cJSON_AddObjectToObject(spec, "resourceAttributes") : NULL;
	if (cJSON_AddStringToObject(o, "apiVersion", "authorization.k8s.io/v1") &&
	    cJSON_AddStringToObject(o, "kind", "SelfSubjectAccessReview") && ra &&
	    (!k->namespace_[0] ||
	     cJSON_AddStringToObject(ra, "namespace", k->namespace_)) &&
	    cJSON_AddStringToObject(ra, "verb", k->verb) &&
	    cJSON_AddStringToObject(ra, "group", k->group) &&
	    cJSON_AddStringToObject(ra, "resource", k->resource) &&
	    (!k->subresource[0] ||
	     cJSON_AddStringToObject(ra, "subresource", k->subresource)) &&
	    (!k->name[0] || cJSON_AddStringToObject(ra, "name", k->name)))
		out = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return out;
}

int perm_ssar_answer(const char *body, size_t len, int *allowed,
		     char *reason, size_t rlen, struct ad_error *err)
{
	cJSON *j = jsonu_parse(body ? body : "", body ? len : 0);
	const cJSON *st, *a, *d;
	const char *kind, *why;
	char clip[301];

	*allowed = 0;
	if (rlen)
		reason[0] = '\0';
	if (!j || !cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return ad_error_set(err, AD_EPARSE,
			_("the access review's answer is not a JSON object"));
	}
	kind = jsonu_str(j, "kind");
	st = cJSON_GetObjectItemCaseSensitive(j, "status");
	if (kind && strcmp(kind, "SelfSubjectAccessReview") != 0) {
		cJSON_Delete(j);
		return ad_error_set(err, AD_EPARSE,
			_("the answer to the access review is not a SelfSubjectAccessReview"));
	}
	a = cJSON_GetObjectItemCaseSensitive(st, "allowed");
	d = cJSON_GetObjectItemCaseSensitive(st, "denied");
	if (!cJSON_IsObject(st) || !cJSON_IsBool(a) || (d && !cJSON_IsBool(d))) {
		cJSON_Delete(j);
		return ad_error_set(err, AD_EPARSE,
			_("the access review's answer has no status.allowed"));
	}
	/* The API says denied is never true when allowed is. */
	if (cJSON_IsTrue(a) && cJSON_IsTrue(d)) {
		cJSON_Delete(j);
		return ad_error_set(err, AD_EPARSE,
			_("the access review's answer says both allowed and denied"));
	}
	*allowed = cJSON_IsTrue(a);
	why = jsonu_str(st, "reason");
	if (!why || !why[0])
		why = jsonu_str(st, "evaluationError");
	if (why && rlen) {
		tw_clip(clip, sizeof clip, why);
		tw_sanitize(reason, rlen, clip);
	}
	cJSON_Delete(j);
	return 0;
}

const char *perm_kube_role_for(const struct perm_kube *k)
{
	/* Writer covers most namespaced objects; roles and bindings need
	 * Admin; cluster-scoped objects need Cluster Admin. */
	if (!k->namespace_[0] && strcmp(k->resource, "namespaces") != 0)
		return "Azure Kubernetes Service RBAC Cluster Admin";
	if (strcmp(k->group, "rbac.authorization.k8s.io") == 0 ||
	    strcmp(k->resource, "resourcequotas") == 0)
		return "Azure Kubernetes Service RBAC Admin";
	if (strcmp(k->verb, "get") == 0 || strcmp(k->verb, "list") == 0 ||
	    strcmp(k->verb, "watch") == 0)
		return strcmp(k->resource, "secrets") == 0 ?
		       "Azure Kubernetes Service RBAC Writer" :
		       "Azure Kubernetes Service RBAC Reader";
	return "Azure Kubernetes Service RBAC Writer";
}

void perm_kube_action(const struct perm_kube *k, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s%s%s%s%s", k->verb, k->resource,
		 k->group[0] ? "." : "", k->group, k->subresource[0] ? "/" : "",
		 k->subresource);
}

/* Ask the cluster whether the caller may send method path. */
static enum perm_answer perm_check_kube(struct facts *f, const char *method,
					const char *path, char *action,
					size_t alen, char *scope, size_t slen,
					struct ad_error *err)
{
	struct perm_kube k;
	char *body, *answer = NULL, why[301];
	size_t len = 0;
	int allowed, rc;

	if (perm_kube_of(method, path, &k) != 0)
		return PERM_NOT_ARM;
	perm_kube_action(&k, action, alen);
	snprintf(scope, slen, "%s", k.namespace_);
	body = perm_ssar_body(&k);
	if (!body) {
		ad_error_set(err, AD_ENOMEM, _("out of memory"));
		return PERM_UNREAD;
	}
	rc = kube_post(f, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
		       body, &answer, &len, err);
	free(body);
	if (rc != 0)
		return PERM_UNREAD;
	rc = perm_ssar_answer(answer, len, &allowed, why, sizeof why, err);
	free(answer);
	if (rc != 0)
		return PERM_UNREAD;
	if (allowed)
		return PERM_ALLOWED;
	ad_error_set(err, AD_EDENIED, "%s", why);
	return PERM_DENIED;
}

enum perm_answer perm_check(struct facts *f, const char *method,
			    const char *url, char *action, size_t alen,
			    char *scope, size_t slen, struct ad_error *err)
{
	char path[1024];
	size_t al = strlen(f->ctx->arm);
	cJSON *perms;

	action[0] = scope[0] = '\0';
	{
		size_t kl = strlen(f->ctx->kube_server);

		while (kl && f->ctx->kube_server[kl - 1] == '/')
			kl--;
		/* The cluster's API: the server itself answers. */
		if (kl && strncmp(url, f->ctx->kube_server, kl) == 0 &&
		    url[kl] == '/')
			return perm_check_kube(f, method, url + kl, action,
					       alen, scope, slen, err);
	}
	if (!al || strncmp(url, f->ctx->arm, al) != 0)
		return PERM_NOT_ARM;
	if (perm_action_of(method, url + al, action, alen, scope, slen) != 0)
		return PERM_NOT_ARM;
	if ((size_t)snprintf(path, sizeof path,
			     "%s/providers/Microsoft.Authorization/permissions",
			     scope) >= sizeof path)
		return PERM_NOT_ARM;
	if (arm_list(f, path, API_AUTHZ, &perms, err) != 0)
		return PERM_UNREAD;
	return perm_allows(perms, action) ? PERM_ALLOWED : PERM_DENIED;
}
