/* perm.c - what the caller may do on a scope, before a write. */
#include "config.h"
#include "perm.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "facts.h"
#include "jsonu.h"

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

enum perm_answer perm_check(struct facts *f, const char *method,
			    const char *url, char *action, size_t alen,
			    char *scope, size_t slen, struct ad_error *err)
{
	char path[1024];
	size_t al = strlen(f->ctx->arm);
	cJSON *perms;

	action[0] = scope[0] = '\0';
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
