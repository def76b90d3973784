/* fix.c - the fix table, and sending a planned step. */
#include "config.h"
#include "fix.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "checks/groups.h"
#include "audit.h"
#include "err.h"
#include "facts.h"
#include "i18n.h"
#include "perm.h"
#include "textw.h"

static const struct {
	const struct fix_def *defs;
	const size_t *n;
} groups[] = {
	{ fix_group_aks_auth, &fix_group_aks_auth_n },
	{ fix_group_aks_net, &fix_group_aks_net_n },
	{ fix_group_webapp, &fix_group_webapp_n },
};

#define MAX_FIXES 48
static struct fix_def all[MAX_FIXES];
static size_t nall;

static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void fill_table(void)
{
	size_t g, i;

	for (g = 0; g < sizeof groups / sizeof groups[0]; g++)
		for (i = 0; i < *groups[g].n && nall < MAX_FIXES; i++)
			all[nall++] = groups[g].defs[i];
}

/* Threads running checks may be the first to ask. */
static void build_table(void)
{
	pthread_once(&table_once, fill_table);
}

const struct fix_def *fix_all(size_t *n)
{
	build_table();
	*n = nall;
	return all;
}

const struct fix_def *fix_find(const char *id)
{
	size_t i;

	build_table();
	for (i = 0; id && i < nall; i++)
		if (strcmp(all[i].id, id) == 0)
			return &all[i];
	return NULL;
}

void fix_plan_clear(struct fix_plan *plan)
{
	int i;

	if (!plan)
		return;
	for (i = 0; i < plan->nsteps && i < FIX_MAX_STEPS; i++)
		free(plan->steps[i].body);
	memset(plan, 0, sizeof *plan);
}

int fix_plan_make(const struct fix_def *def, struct facts *f,
		  const struct check_result *failed, struct fix_plan *plan,
		  struct ad_error *err)
{
	int rc, i;

	memset(plan, 0, sizeof *plan);
	plan->fix_id = def->id;
	plan->verify_check = def->verify_check;
	rc = def->plan(f, failed, plan, err);
	if (rc != 0) {
		fix_plan_clear(plan);
		return rc;
	}
	tw_utf8_trim(plan->summary);
	tw_utf8_trim(plan->manual);
	for (i = 0; i < plan->nsteps; i++) {
		tw_utf8_trim(plan->steps[i].title);
		tw_utf8_trim(plan->steps[i].warning);
	}
	return 0;
}

int fix_plan_check(struct facts *f, struct fix_plan *plan, int arm)
{
	int i, denied = 0;

	for (i = 0; i < plan->nsteps; i++) {
		struct fix_step *s = &plan->steps[i];
		struct ad_error err = { 0 };

		s->perm = FIX_PERM_UNASKED;
		s->perm_action[0] = s->perm_scope[0] = s->perm_why[0] = '\0';
		if (!s->kube && !arm)
			continue;
		switch (perm_check(f, s->method, s->url, s->perm_action,
				   sizeof s->perm_action, s->perm_scope,
				   sizeof s->perm_scope, &err)) {
		case PERM_ALLOWED:
			s->perm = FIX_PERM_ALLOWED;
			break;
		case PERM_DENIED:
			s->perm = FIX_PERM_DENIED;
			snprintf(s->perm_why, sizeof s->perm_why, "%s", err.msg);
			denied++;
			break;
		case PERM_UNREAD:
			s->perm = FIX_PERM_UNKNOWN;
			snprintf(s->perm_why, sizeof s->perm_why, "%s", err.msg);
			break;
		case PERM_NOT_ARM:
			break;
		}
	}
	return denied;
}

void fix_perm_sentence(const struct fix_step *s, char *buf, size_t len)
{
	const char *path = strstr(s->url, "://");
	struct perm_kube k;
	char why[300];

	buf[0] = '\0';
	tw_clip(why, sizeof why, s->perm_why);
	if (s->perm == FIX_PERM_UNKNOWN) {
		snprintf(buf, len, s->kube ?
			 _("whether it is permitted is not known (%s): the cluster decides when it is sent") :
			 _("whether it is permitted is not known (%s): Azure decides when it is sent"),
			 why);
		return;
	}
	if (s->perm != FIX_PERM_DENIED)
		return;
	if (!s->kube) {
		snprintf(buf, len,
			 _("it needs %s on %s, which these credentials may not do; the built-in role %s (or Owner) on that scope grants it"),
			 s->perm_action, s->perm_scope,
			 perm_role_for(s->perm_action));
		return;
	}
	path = path ? strchr(path + 3, '/') : NULL;
	if (!path || perm_kube_of(s->method, path, &k) != 0) {
		snprintf(buf, len, _("you may not %s (RBAC%s%s)"), s->perm_action,
			 why[0] ? ": " : "", why);
		return;
	}
	if (k.namespace_[0])
		snprintf(buf, len,
			 _("you may not %s in namespace %s (RBAC%s%s): ask for a role that grants it, e.g. the %s role, or a Role with %s on %s%s%s in namespace %s (kubectl create role NAME --verb=%s --resource=%s%s%s -n %s, and a RoleBinding to you)"),
			 s->perm_action, k.namespace_, why[0] ? ": " : "", why,
			 perm_kube_role_for(&k), k.verb, k.resource,
			 k.group[0] ? "." : "", k.group, k.namespace_, k.verb,
			 k.resource, k.group[0] ? "." : "", k.group,
			 k.namespace_);
	else
		snprintf(buf, len,
			 _("you may not %s (cluster-wide; RBAC%s%s): ask for a role that grants it, e.g. the %s role, or a ClusterRole with %s on %s%s%s"),
			 s->perm_action, why[0] ? ": " : "", why,
			 perm_kube_role_for(&k), k.verb, k.resource,
			 k.group[0] ? "." : "", k.group);
}

const char *fix_step_content_type(const struct fix_step *s)
{
	if (s->content_type[0])
		return s->content_type;
	return s->kube ? "application/merge-patch+json" : "application/json";
}

int fix_add_step(struct fix_plan *plan, const char *title, const char *method,
		 const char *url, const char *body, const char *command)
{
	struct fix_step *s;

	if (plan->nsteps >= FIX_MAX_STEPS)
		return AD_EINVAL;
	s = &plan->steps[plan->nsteps];
	memset(s, 0, sizeof *s);
	snprintf(s->title, sizeof s->title, "%s", title ? title : "");
	snprintf(s->method, sizeof s->method, "%s", method ? method : "");
	snprintf(s->url, sizeof s->url, "%s", url ? url : "");
	snprintf(s->command, sizeof s->command, "%s", command ? command : "");
	if (body && !(s->body = strdup(body)))
		return AD_ENOMEM;
	plan->nsteps++;
	return 0;
}

/* Sleep seconds, in steps, giving up when the transport is cancelled. */
static int fix_wait(struct facts *f, int seconds)
{
	int ms;

	for (ms = seconds * 1000; ms > 0; ms -= 50) {
		struct timespec ts = { 0, 50 * 1000000L };

		if (ad_cancelled(f->http->cancel))
			return AD_ECANCEL;
		nanosleep(&ts, NULL);
	}
	return 0;
}

/* The 'quoted' word after key in msg (ARM's AuthorizationFailed says
 * "perform action '<action>' over scope '<scope>'"), or 0. */
static int quoted_after(const char *msg, const char *key, char *out,
			size_t len)
{
	const char *a = msg ? strstr(msg, key) : NULL;
	const char *e;

	if (!a)
		return 0;
	a += strlen(key);
	e = strchr(a, '\'');
	if (!e || e == a || (size_t)(e - a) >= len)
		return 0;
	memcpy(out, a, (size_t)(e - a));
	out[e - a] = '\0';
	return 1;
}

int fix_apply_step(struct facts *f, const struct fix_plan *plan, int i,
		   long *status, struct ad_error *err)
{
	const struct fix_step *s;
	struct http_request req = { 0 };
	struct http_response r;
	const char *where;
	int rc, tries;

	*status = 0;
	if (!plan || i < 0 || i >= plan->nsteps)
		return ad_error_set(err, AD_EINVAL, _("no such step"));
	s = &plan->steps[i];
	/* Asked before and refused: sending it would only be refused. */
	if (s->perm == FIX_PERM_DENIED) {
		char why[sizeof err->msg];

		fix_perm_sentence(s, why, sizeof why);
		return ad_error_set(err, AD_EDENIED, "%s", why);
	}
	req.method = s->method;
	req.url = s->url;
	req.body = s->body;
	req.content_type = fix_step_content_type(s);
	req.accept = "application/json";
	/* The trace goes to disk before the request leaves, so a fix cut
	 * short by a crash or a lost terminal still shows what was sent. */
	where = f->auth.authorize ? "live" : "simulated";
	audit_log("%s fix=%s step=%d pending %s %s", where, plan->fix_id,
		  i + 1, s->method, s->url);
	/* Signed, and followed to its end when Azure answers 201/202 with
	 * an operation to poll: a fix is done when Azure says so. */
	rc = facts_write(f, s->kube ? FACTS_AUD_KUBE : FACTS_AUD_ARM, &req,
			 &r, err);
	/* A principal made a moment ago may not have reached every Entra
	 * replica: ARM answers 400 PrincipalNotFound.  Try again after a
	 * while, as az does, a bounded number of times. */
	for (tries = 0; rc == 0 && r.status == 400 && r.body &&
	     strstr(r.body, "PrincipalNotFound") && tries < 4; tries++) {
		audit_log("%s fix=%s step=%d principal not found yet: retrying in %d s",
			  where, plan->fix_id, i + 1, 2 << tries);
		if (fix_wait(f, 2 << tries) != 0) {
			http_response_clear(&r);
			rc = ad_error_set(err, AD_ECANCEL, _("cancelled"));
			break;
		}
		http_response_clear(&r);
		rc = facts_write(f, s->kube ? FACTS_AUD_KUBE : FACTS_AUD_ARM,
				 &req, &r, err);
	}
	if (rc != 0) {
		*status = r.status;
		audit_log("%s fix=%s step=%d failed %s %s: %s", where,
			  plan->fix_id, i + 1, s->method, s->url,
			  err ? err->msg : "");
		http_response_clear(&r);
		return rc;
	}
	audit_log("%s fix=%s step=%d done %s %s -> %ld", where, plan->fix_id,
		  i + 1, s->method, s->url, r.status);
	*status = r.status;
	if (r.status >= 200 && r.status <= 299) {
		http_response_clear(&r);
		return 0;
	}
	/* Someone (or an earlier try) already made this assignment. */
	if (r.status == 409 && r.body &&
	    strstr(r.body, "RoleAssignmentExists")) {
		http_response_clear(&r);
		return 0;
	}
	{
		cJSON *j = cJSON_Parse(r.body ? r.body : "");
		const char *code = NULL, *msg = NULL;
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");

		if (cJSON_IsObject(e)) {
			const cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "code");
			const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "message");

			code = cJSON_IsString(c) ? c->valuestring : NULL;
			msg = cJSON_IsString(m) ? m->valuestring : NULL;
		} else if (j) {
			const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "message");

			msg = cJSON_IsString(m) ? m->valuestring : NULL;
		}
		char c80[81], m200[201], c100[101], act[200], scope[600];

		/* Azure's sentence is long and would be cut before the
		 * part that matters: name the action and the scope. */
		if (code && strcmp(code, "AuthorizationFailed") == 0 &&
		    quoted_after(msg, "perform action '", act, sizeof act) &&
		    quoted_after(msg, "' over scope '", scope, sizeof scope)) {
			char a2[200], s2[600];

			tw_clip(a2, sizeof a2, act);
			tw_clip(s2, sizeof s2, scope);
			/* The URL is in the plan shown before: the room
			 * goes to what was refused. */
			ad_error_set(err, AD_EHTTP, _("Azure refused the %s (HTTP %ld AuthorizationFailed): these credentials may not do %s on %s; the built-in role %s (or Owner) on that scope grants it"),
				     s->method, r.status, a2, s2,
				     perm_role_for(a2));
		} else {
			ad_error_set(err, AD_EHTTP, _("%s %s was answered with HTTP %ld%s%.80s%s%.200s"),
				     s->method, s->url, r.status,
				     code ? " " : "",
				     tw_clip(c80, sizeof c80, code),
				     msg ? ": " : "",
				     tw_clip(m200, sizeof m200, msg));
		}
		if (code)
			ad_error_detail(err, "%s", tw_clip(c100, sizeof c100, code));
		cJSON_Delete(j);
	}
	http_response_clear(&r);
	return AD_EHTTP;
}
