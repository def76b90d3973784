/* roles.c - pull-capable role assignments on a registry, and the AcrPull
 * assignment that attaches a principal to it. */
#include "config.h"
#include "checks/roles.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "perm.h"
#include "context.h"
#include "err.h"
#include "facts.h"
#include "fix.h"
#include "i18n.h"
#include "jsonu.h"
#include "textw.h"

#define PULL_ACTION "Microsoft.ContainerRegistry/registries/pull/read"
#define MAX_ASSIGNMENTS 2000  /* assignments looked at */
#define MAX_SHOWN 20          /* assignments listed in evidence */
#define MAX_ROLE_DEFS 16      /* custom role definitions read per call */

static const struct {
	const char *guid;
	const char *name;
} builtin_pull[] = {
	{ ROLE_ACRPULL, "AcrPull" },
	{ ROLE_ACRPUSH, "AcrPush" },
	{ ROLE_READER, "Reader" },
	{ ROLE_CONTRIBUTOR, "Contributor" },
	{ ROLE_OWNER, "Owner" },
};

/* ---------- time ---------- */

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static long days_from_civil(long y, unsigned m, unsigned d)
{
	long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

static int digits(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int ad_parse_time(const char *s, time_t *out)
{
	int y, mo, d, h = 0, mi = 0, se = 0, oh = 0, om = 0, sign = 0;
	const char *p;
	long long t;

	if (!s || strlen(s) < 10 || strlen(s) > 40)
		return AD_EINVAL;
	if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
	    s[7] != '-' || digits(s + 8, 2, &d))
		return AD_EINVAL;
	p = s + 10;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		if (digits(p + 1, 2, &h) || p[3] != ':' ||
		    digits(p + 4, 2, &mi))
			return AD_EINVAL;
		p += 6;
		if (*p == ':') {
			if (digits(p + 1, 2, &se))
				return AD_EINVAL;
			p += 3;
			if (*p == '.') {
				p++;
				if (!isdigit((unsigned char)*p))
					return AD_EINVAL;
				while (isdigit((unsigned char)*p))
					p++;
			}
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			sign = *p == '-' ? -1 : 1;
			if (digits(p + 1, 2, &oh) || p[3] != ':' ||
			    digits(p + 4, 2, &om))
				return AD_EINVAL;
			p += 6;
		}
	}
	if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || se > 60 || oh > 23 || om > 59)
		return AD_EINVAL;
	t = (long long)days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	    h * 3600 + mi * 60 + se;
	t -= (long long)sign * (oh * 3600 + om * 60);
	*out = (time_t)t;
	return 0;
}

int ad_now(time_t *out)
{
	const char *env = getenv("ACR_DOCTOR_NOW");

	if (env && env[0])
		return ad_parse_time(env, out);
	*out = time(NULL);
	return 0;
}

/* ---------- reading assignments ---------- */

/* Printable, bounded copy of an untrusted string for evidence. */
static void clean(char *dst, size_t len, const char *src)
{
	/* valid UTF-8, cut on a character boundary */
	tw_clean_copy(dst, len, src);
}

/* An ARM id or scope we may put back into a URL path. */
static int path_ok(const char *s)
{
	size_t n = 0;

	if (!s || s[0] != '/')
		return 0;
	for (; *s; s++, n++)
		if (n > 900 || !(isalnum((unsigned char)*s) ||
				 strchr("/._-()", *s)))
			return 0;
	return 1;
}

/* Does assignment scope cover the registry id? */
static int scope_covers(const char *scope, const char *regid)
{
	size_t n;

	if (!scope || !scope[0])
		return 0;
	if (strcmp(scope, "/") == 0)
		return 1;
	/* A management group above the subscription: ARM only lists those
	 * that hold the registry's subscription. */
	if (strncasecmp(scope, "/providers/Microsoft.Management/managementGroups/",
			49) == 0)
		return 1;
	n = strlen(scope);
	while (n > 1 && scope[n - 1] == '/')
		n--;
	if (strncasecmp(scope, regid, n) != 0)
		return 0;
	return regid[n] == '\0' || regid[n] == '/';
}

/* The assignment's scope: properties.scope, or derived from its id. */
static const char *assignment_scope(const cJSON *a, char *buf, size_t len)
{
	const char *scope = jsonu_str(a, "properties.scope");
	const char *id, *p;

	if (scope && scope[0])
		return scope;
	id = jsonu_str(a, "id");
	if (!id)
		return NULL;
	p = strstr(id, "/providers/Microsoft.Authorization/roleAssignments/");
	if (!p)
		return NULL;
	if (p == id)
		return "/";
	snprintf(buf, len, "%.*s", (int)(p - id), id);
	return buf;
}


/* Does a role definition's permissions grant the pull action? */
static int definition_pulls(const cJSON *def)
{
	const cJSON *perms = jsonu_array(def, "properties.permissions");

	return perms && perm_allows(perms, PULL_ACTION);
}

/* Role GUID of a roleDefinitionId (its last segment). */
static const char *role_guid(const char *role_def_id)
{
	return role_def_id ? jsonu_id_name(role_def_id) : NULL;
}

/* Is the assignment's role pull-capable?  name gets the role's name. */
static int role_pulls(struct facts *f, const char *role_def_id, int *pulls,
		      char *name, size_t nlen, int *defs_read,
		      struct ad_error *err)
{
	const char *guid = role_guid(role_def_id);
	const cJSON *def;
	cJSON *j;
	size_t i;
	int rc;

	*pulls = 0;
	snprintf(name, nlen, "%s", "?");
	if (!guid)
		return ad_error_set(err, AD_EPARSE,
			_("a role assignment has no roleDefinitionId"));
	for (i = 0; i < sizeof builtin_pull / sizeof builtin_pull[0]; i++)
		if (strcasecmp(guid, builtin_pull[i].guid) == 0) {
			*pulls = 1;
			snprintf(name, nlen, "%s", builtin_pull[i].name);
			return 0;
		}
	clean(name, nlen, guid);
	if (!path_ok(role_def_id))
		return ad_error_set(err, AD_EPARSE,
			_("a role assignment names an unusable role definition id"));
	if (++*defs_read > MAX_ROLE_DEFS)
		return ad_error_set(err, AD_EINVAL,
			_("too many different roles to read (more than %d)"),
			MAX_ROLE_DEFS);
	rc = arm_get(f, role_def_id, API_AUTHZ, &j, err);
	if (rc != 0)
		return rc;
	def = j;
	if (jsonu_str(def, "properties.roleName"))
		clean(name, nlen, jsonu_str(def, "properties.roleName"));
	*pulls = definition_pulls(def);
	return 0;
}

static int list_assignments(struct facts *f, const char *registry_id,
			    const cJSON **out, struct ad_error *err)
{
	char path[1024];
	cJSON *j;
	int rc;

	if (!path_ok(registry_id))
		return ad_error_set(err, AD_EINVAL, _("invalid registry id"));
	snprintf(path, sizeof path,
		 "%s/providers/Microsoft.Authorization/roleAssignments?$filter=atScope()",
		 registry_id);
	rc = arm_list(f, path, API_AUTHZ, &j, err);
	if (rc != 0)
		return rc;
	*out = jsonu_array(j, "value");
	if (!*out)
		return ad_error_set(err, AD_EPARSE,
			_("the role assignment list has no 'value' array"));
	return 0;
}

/* Short form of a scope for evidence ("registry", "resource group
 * rg-registry", "subscription", or the scope itself). */
static void scope_label(const char *scope, const char *regid, char *buf,
			size_t len)
{
	char part[128], rg[128];

	if (jsonu_id_eq(scope, regid)) {
		snprintf(buf, len, "%s", "registry");
	} else if (!strstr(scope + 1, "/providers/") &&
		   jsonu_id_part(scope, "resourceGroups", part, sizeof part)) {
		clean(rg, sizeof rg, part);
		snprintf(buf, len, "resource group %s", rg);
	} else if (strncasecmp(scope, "/subscriptions/", 15) == 0 &&
		   !strchr(scope + 15, '/')) {
		snprintf(buf, len, "%s", "subscription");
	} else {
		clean(buf, len, scope);
	}
}

/* One line of evidence per assignment at the registry's scopes: role
 * (built-in pull roles by name, others by GUID), scope, principal. */
static int assignment_line(const cJSON *a, const char *scope,
			   const char *regid, struct check_result *res)
{
	const char *guid = role_guid(jsonu_str(a, "properties.roleDefinitionId"));
	const char *pid = jsonu_str(a, "properties.principalId");
	const char *type = jsonu_str(a, "properties.principalType");
	char role[64], label[160], who[96], line[400];
	size_t i;

	clean(role, sizeof role, guid ? guid : "?");
	for (i = 0; guid && i < sizeof builtin_pull / sizeof builtin_pull[0]; i++)
		if (strcasecmp(guid, builtin_pull[i].guid) == 0)
			snprintf(role, sizeof role, "%s", builtin_pull[i].name);
	scope_label(scope, regid, label, sizeof label);
	snprintf(line, sizeof line, "%s", type && strlen(type) < 40 ? type : "principal");
	clean(who, sizeof who, line);
	snprintf(line, sizeof line, "%s at %s for %s %.40s", role, label, who,
		 pid && ctx_valid_guid("principalId", pid, NULL) == 0 ? pid : "?");
	return ev_list_add(res, "assignments", line);
}

int roles_principal_can_pull(struct facts *f, const char *registry_id,
			     const char *principal_id, struct check_result *res,
			     int *found, struct ad_error *err)
{
	const cJSON *list, *a;
	char sbuf[1024], name[128], label[160], line[400];
	int rc, seen = 0, mine = 0, defs = 0, shown = 0;
	int pending_rc = 0;
	struct ad_error pending = { 0 };

	*found = 0;
	if (!principal_id || ctx_valid_guid("principalId", principal_id, err))
		return ad_error_set(err, AD_EINVAL, _("invalid principal id"));
	rc = list_assignments(f, registry_id, &list, err);
	if (rc != 0)
		return rc;
	cJSON_ArrayForEach(a, list) {
		const char *scope, *pid, *rid;
		int pulls;

		if (seen >= MAX_ASSIGNMENTS)
			break;
		scope = assignment_scope(a, sbuf, sizeof sbuf);
		if (!scope || !scope_covers(scope, registry_id))
			continue;
		seen++;
		pid = jsonu_str(a, "properties.principalId");
		if (res && seen <= MAX_SHOWN &&
		    assignment_line(a, scope, registry_id, res))
			return ad_error_set(err, AD_ENOMEM, _("out of memory"));
		if (!pid || strcasecmp(pid, principal_id) != 0)
			continue;
		mine++;
		rid = jsonu_str(a, "properties.roleDefinitionId");
		rc = role_pulls(f, rid, &pulls, name, sizeof name, &defs,
				&pending);
		if (rc == AD_ENOMEM)
			return ad_error_set(err, rc, _("out of memory"));
		scope_label(scope, registry_id, label, sizeof label);
		if (rc != 0) {
			/* Remember it; another assignment may still count. */
			if (!pending_rc)
				pending_rc = rc;
			snprintf(line, sizeof line, "%s at %s (role unreadable)",
				 name, label);
		} else {
			snprintf(line, sizeof line, "%s at %s%s", name, label,
				 pulls ? "" : " (cannot pull)");
			if (pulls)
				*found = 1;
		}
		if (res && shown++ < MAX_SHOWN &&
		    ev_list_add(res, "principalAssignments", line))
			return ad_error_set(err, AD_ENOMEM, _("out of memory"));
		if (res && rc == 0 && pulls &&
		    ev_list_add(res, "pullCapable", line))
			return ad_error_set(err, AD_ENOMEM, _("out of memory"));
	}
	if (res && (ev_num(res, "assignmentsSeen", seen) ||
		    ev_num(res, "principalAssignmentCount", mine)))
		return ad_error_set(err, AD_ENOMEM, _("out of memory"));
	if (!*found && pending_rc) {
		if (err)
			*err = pending;
		return pending_rc;
	}
	return 0;
}

int roles_pull_principals(struct facts *f, const char *registry_id,
			  cJSON **out, struct ad_error *err)
{
	const cJSON *list, *a;
	char sbuf[1024], name[128];
	int rc, seen = 0, defs = 0;
	cJSON *arr;

	*out = NULL;
	rc = list_assignments(f, registry_id, &list, err);
	if (rc != 0)
		return rc;
	arr = cJSON_CreateArray();
	if (!arr)
		return ad_error_set(err, AD_ENOMEM, _("out of memory"));
	cJSON_ArrayForEach(a, list) {
		const char *scope, *pid, *type;
		cJSON *o;
		int pulls;

		if (seen++ >= MAX_ASSIGNMENTS)
			break;
		scope = assignment_scope(a, sbuf, sizeof sbuf);
		if (!scope || !scope_covers(scope, registry_id))
			continue;
		pid = jsonu_str(a, "properties.principalId");
		type = jsonu_str(a, "properties.principalType");
		if (!pid || ctx_valid_guid("principalId", pid, NULL) != 0)
			continue;
		rc = role_pulls(f, jsonu_str(a, "properties.roleDefinitionId"),
				&pulls, name, sizeof name, &defs, err);
		if (rc != 0) {
			cJSON_Delete(arr);
			return rc;
		}
		if (!pulls)
			continue;
		o = cJSON_CreateObject();
		if (!o || !cJSON_AddStringToObject(o, "principalId", pid) ||
		    !cJSON_AddStringToObject(o, "principalType",
					     type && strlen(type) < 40 ? type : "") ||
		    !cJSON_AddStringToObject(o, "role", name)) {
			cJSON_Delete(o);
			cJSON_Delete(arr);
			return ad_error_set(err, AD_ENOMEM, _("out of memory"));
		}
		cJSON_AddItemToArray(arr, o);
	}
	*out = arr;
	return 0;
}

/* ---------- the AcrPull assignment ---------- */

static void new_guid(char *buf, size_t len)
{
	unsigned char b[16];
	FILE *fp = fopen("/dev/urandom", "rb");
	size_t i, got = 0;

	if (fp) {
		got = fread(b, 1, sizeof b, fp);
		fclose(fp);
	}
	if (got != sizeof b) {
		srand((unsigned)time(NULL) ^ (unsigned)(size_t)buf);
		for (i = 0; i < sizeof b; i++)
			b[i] = (unsigned char)(rand() & 0xff);
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(buf, len,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
}

int roles_plan_acrpull(struct fix_plan *plan, struct facts *f,
		       const char *registry_id, const char *principal_id,
		       const char *principal_type, const char *command,
		       struct ad_error *err)
{
	char guid[40], url[1024], roledef[256], title[256];
	cJSON *body, *props;
	char *text;
	int rc;

	if (!path_ok(registry_id))
		return ad_error_set(err, AD_EINVAL, _("invalid registry id"));
	if (!principal_id || ctx_valid_guid("principalId", principal_id, err))
		return ad_error_set(err, AD_EINVAL, _("invalid principal id"));
	if (!principal_type || (strcmp(principal_type, "ServicePrincipal") &&
				strcmp(principal_type, "User") &&
				strcmp(principal_type, "Group")))
		principal_type = "ServicePrincipal";
	new_guid(guid, sizeof guid);
	snprintf(url, sizeof url,
		 "%s%s/providers/Microsoft.Authorization/roleAssignments/%s?api-version=%s",
		 f->ctx->arm, registry_id, guid, API_AUTHZ);
	snprintf(roledef, sizeof roledef,
		 "/subscriptions/%s/providers/Microsoft.Authorization/roleDefinitions/%s",
		 f->ctx->subscription, ROLE_ACRPULL);
	body = cJSON_CreateObject();
	props = cJSON_AddObjectToObject(body, "properties");
	if (!props || !cJSON_AddStringToObject(props, "roleDefinitionId", roledef) ||
	    !cJSON_AddStringToObject(props, "principalId", principal_id) ||
	    !cJSON_AddStringToObject(props, "principalType", principal_type) ||
	    !(text = cJSON_Print(body))) {
		cJSON_Delete(body);
		return ad_error_set(err, AD_ENOMEM, _("out of memory"));
	}
	cJSON_Delete(body);
	snprintf(title, sizeof title,
		 _("Assign the AcrPull role on registry %s to principal %s"),
		 jsonu_id_name(registry_id), principal_id);
	rc = fix_add_step(plan, title, "PUT", url, text, command);
	free(text);
	if (rc != 0)
		return ad_error_set(err, rc, rc == AD_ENOMEM ?
				    _("out of memory") : _("too many steps"));
	return 0;
}
