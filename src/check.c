/* check.c - the check table and the helpers check bodies share. */
#include "config.h"
#include "check.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "checks/groups.h"
#include "err.h"
#include "i18n.h"
#include "redact.h"
#include "textw.h"

static const struct {
	const struct check_def *defs;
	const size_t *n;
} groups[] = {
	{ check_group_aks_common, &check_group_aks_common_n },
	{ check_group_aks_auth, &check_group_aks_auth_n },
	{ check_group_aks_net, &check_group_aks_net_n },
	{ check_group_webapp, &check_group_webapp_n },
};

#define MAX_CHECKS 64
static struct check_def all[MAX_CHECKS];
static size_t nall;

static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void fill_table(void)
{
	size_t g, i;

	for (g = 0; g < sizeof groups / sizeof groups[0]; g++)
		for (i = 0; i < *groups[g].n && nall < MAX_CHECKS; i++)
			all[nall++] = groups[g].defs[i];
}

/* Threads running checks may be the first to ask. */
static void build_table(void)
{
	pthread_once(&table_once, fill_table);
}

const struct check_def *check_all(size_t *n)
{
	build_table();
	*n = nall;
	return all;
}

const struct check_def *check_find(const char *id)
{
	size_t i;

	build_table();
	for (i = 0; id && i < nall; i++)
		if (strcmp(all[i].id, id) == 0)
			return &all[i];
	return NULL;
}

static const char *verdicts[] = { "pass", "fail", "unknown", "not-applicable" };

const char *check_verdict_str(enum check_verdict v)
{
	return (unsigned)v < 4 ? verdicts[v] : "unknown";
}

const char *check_verdict_label(enum check_verdict v)
{
	/* TRANSLATORS: check verdicts in diagnose's table and the report */
	static const char *const labels[] = {
		N_("pass"), N_("fail"), N_("unknown"), N_("not applicable")
	};

	return _((unsigned)v < 4 ? labels[v] : labels[CHECK_UNKNOWN]);
}

int check_verdict_parse(const char *s, enum check_verdict *out)
{
	int i;

	for (i = 0; i < 4; i++)
		if (s && strcmp(s, verdicts[i]) == 0) {
			*out = (enum check_verdict)i;
			return 0;
		}
	return AD_EINVAL;
}

void check_result_clear(struct check_result *res)
{
	if (!res)
		return;
	cJSON_Delete(res->evidence);
	cJSON_Delete(res->data);
	memset(res, 0, sizeof *res);
}

/* The shown form of text a check may have copied from a server or a
 * file: valid UTF-8, no control character, no secret.  NULL when out of
 * memory. */
static char *shown_text(const char *s)
{
	char *clean = tw_utf8_clean_dup(s), *masked;

	if (!clean)
		return NULL;
	masked = redact_dup(clean);
	redact_wipe(clean, strlen(clean));
	free(clean);
	return masked;
}

static int clean_buf(char *buf, size_t len)
{
	char *t = shown_text(buf);

	if (!t) {
		buf[0] = '\0';                 /* not shown rather than raw */
		return AD_ENOMEM;
	}
	tw_clip(buf, len, t);
	free(t);
	return 0;
}

/* Every string in the evidence, at any depth. */
static int clean_json(cJSON *v)
{
	int rc = 0;

	for (; v; v = v->next) {
		if (cJSON_IsString(v) && v->valuestring) {
			char *t = shown_text(v->valuestring), *c;

			c = t ? cJSON_malloc(strlen(t) + 1) : NULL;
			if (c)
				memcpy(c, t, strlen(t) + 1);
			free(t);
			if (!c) {
				v->valuestring[0] = '\0';
				rc = AD_ENOMEM;
				continue;
			}
			cJSON_free(v->valuestring);
			v->valuestring = c;
		}
		if (v->child && clean_json(v->child) != 0)
			rc = AD_ENOMEM;
	}
	return rc;
}

/* What a check shows passes here once, whatever the check did: the
 * checks quote servers and files, and the output paths (text, JSON, the
 * wizard, the report) must not each have to remember. */
static int clean_result(struct check_result *res)
{
	int rc = 0;

	if (clean_buf(res->summary, sizeof res->summary) ||
	    clean_buf(res->command, sizeof res->command))
		rc = AD_ENOMEM;
	if (res->evidence && clean_json(res->evidence->child) != 0)
		rc = AD_ENOMEM;
	return rc;
}

int check_run(const struct check_def *def, struct facts *f,
	      struct check_result *res)
{
	int rc;

	check_result_clear(res);
	res->verdict = CHECK_UNKNOWN;
	res->evidence = cJSON_CreateObject();
	res->data = cJSON_CreateObject();
	if (!res->evidence || !res->data)
		return AD_ENOMEM;
	rc = def->run(f, res);
	if (rc != 0 && !res->summary[0])
		check_say(res, CHECK_UNKNOWN, _("the check could not run: %s"),
			  ad_strerror(rc));
	/* A check that forgot to conclude did not pass. */
	if (!res->summary[0])
		check_say(res, CHECK_UNKNOWN, _("the check reached no conclusion"));
	if (res->verdict != CHECK_FAIL)
		res->fix = NULL;
	if (clean_result(res) != 0 && rc == 0)
		rc = AD_ENOMEM;
	return rc;
}

int ev_str(struct check_result *res, const char *key, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	tw_utf8_trim(buf);              /* vsnprintf cuts bytes, not characters */
	cJSON_DeleteItemFromObjectCaseSensitive(res->evidence, key);
	return cJSON_AddStringToObject(res->evidence, key, buf) ? 0 : AD_ENOMEM;
}

int ev_bool(struct check_result *res, const char *key, int value)
{
	cJSON_DeleteItemFromObjectCaseSensitive(res->evidence, key);
	return cJSON_AddBoolToObject(res->evidence, key, value) ? 0 : AD_ENOMEM;
}

int ev_num(struct check_result *res, const char *key, double value)
{
	cJSON_DeleteItemFromObjectCaseSensitive(res->evidence, key);
	return cJSON_AddNumberToObject(res->evidence, key, value) ? 0 : AD_ENOMEM;
}

int ev_list_add(struct check_result *res, const char *key, const char *value)
{
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(res->evidence, key);
	cJSON *s;

	if (!cJSON_IsArray(arr)) {
		cJSON_DeleteItemFromObjectCaseSensitive(res->evidence, key);
		arr = cJSON_AddArrayToObject(res->evidence, key);
		if (!arr)
			return AD_ENOMEM;
	}
	s = cJSON_CreateString(value ? value : "");
	if (!s)
		return AD_ENOMEM;
	cJSON_AddItemToArray(arr, s);
	return 0;
}

int ev_secret_match(struct check_result *res, const char *key,
		    const char *a, const char *b)
{
	/* Only the outcome leaves this function: never either value. */
	const char *v = (!a || !b) ? "missing" :
			strcmp(a, b) == 0 ? "match" : "mismatch";

	return ev_str(res, key, "%s", v);
}

void check_say(struct check_result *res, enum check_verdict v,
	       const char *fmt, ...)
{
	va_list ap;

	res->verdict = v;
	va_start(ap, fmt);
	vsnprintf(res->summary, sizeof res->summary, fmt, ap);
	va_end(ap);
	tw_utf8_trim(res->summary);
}

void check_say_more(struct check_result *res, const char *s)
{
	char cut[400];
	size_t used = strlen(res->summary);

	snprintf(cut, sizeof cut, "%s", s);
	tw_utf8_trim(cut);
	/* A sentence cut in the middle says less than none: the evidence
	 * keeps the facts when there is no room. */
	if (used + 2 + strlen(cut) < sizeof res->summary)
		snprintf(res->summary + used, sizeof res->summary - used,
			 "; %s", cut);
}

void check_unknown(struct check_result *res, const char *what,
		   const struct ad_error *err)
{
	check_say(res, CHECK_UNKNOWN, "%s: %s", what,
		  err && err->msg[0] ? err->msg : _("no answer"));
	if (err && err->detail[0])
		ev_str(res, "error", "%s", err->detail);
}

void check_command(struct check_result *res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(res->command, sizeof res->command, fmt, ap);
	va_end(ap);
	tw_utf8_trim(res->command);
}

int check_data_list_add(struct check_result *res, const char *key,
			const char *value)
{
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(res->data, key), *s;

	if (!cJSON_IsArray(arr)) {
		cJSON_DeleteItemFromObjectCaseSensitive(res->data, key);
		arr = cJSON_AddArrayToObject(res->data, key);
		if (!arr)
			return AD_ENOMEM;
	}
	s = cJSON_CreateString(value ? value : "");
	if (!s)
		return AD_ENOMEM;
	cJSON_AddItemToArray(arr, s);
	return 0;
}

int check_data_str(struct check_result *res, const char *key,
		   const char *value)
{
	cJSON_DeleteItemFromObjectCaseSensitive(res->data, key);
	return cJSON_AddStringToObject(res->data, key, value ? value : "") ?
	       0 : AD_ENOMEM;
}
