#include "config.h"
#include "report.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "context.h"
#include "err.h"
#include "fix.h"
#include "i18n.h"
#include "jsonu.h"
#include "redact.h"
#include "scenario.h"
#include "session.h"
#include "textw.h"
#include "tree.h"

struct sbuf {
	char *p;
	size_t n, cap;
	int oom;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;

		while (cap < b->n + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void sb_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	char stack[1024], *heap = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(stack, sizeof stack, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof stack) {
		sb_add(b, stack, (size_t)n);
		return;
	}
	heap = malloc((size_t)n + 1);
	if (!heap) {
		b->oom = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(heap, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb_add(b, heap, (size_t)n);
	free(heap);
}

/* Every string of the report passes here: sanitized for a terminal
 * (a report is read with cat too) and its secrets masked - the pasted
 * message in the Context table as much as evidence.  Owned, or NULL. */
static char *shown(const char *s)
{
	char *clean = tw_sanitize_dup(s ? s : ""), *masked;

	if (!clean)
		return NULL;
	masked = redact_dup(clean);
	redact_wipe(clean, strlen(clean));
	free(clean);
	return masked;
}

/* Untrusted text as Markdown inline text: sanitized, one line, with the
 * characters that would start markup escaped. */
static void sb_text(struct sbuf *b, const char *s)
{
	char *clean = shown(s);
	const char *p;

	if (!clean) {
		b->oom = 1;
		return;
	}
	for (p = clean; *p; p++) {
		if (*p == '\n') {
			sb_add(b, " ", 1);
			continue;
		}
		if (strchr("\\|`*_[]<>#", *p))
			sb_add(b, "\\", 1);
		sb_add(b, p, 1);
	}
	free(clean);
}

/* Untrusted text inside a fenced code block: sanitized, no fence. */
static void sb_code(struct sbuf *b, const char *s)
{
	char *clean = shown(s);
	const char *p;

	if (!clean) {
		b->oom = 1;
		return;
	}
	for (p = clean; *p; p++) {
		/* break any run of backticks that could close the fence */
		if (*p == '`' && p[1] == '`')
			sb_add(b, "'", 1);
		else
			sb_add(b, p, 1);
	}
	free(clean);
}

static void evidence_value(struct sbuf *b, const cJSON *v)
{
	char num[64];
	const cJSON *it;
	int first = 1;

	if (cJSON_IsString(v))
		sb_text(b, v->valuestring);
	else if (cJSON_IsBool(v))
		sb_add(b, cJSON_IsTrue(v) ? "true" : "false",
		       cJSON_IsTrue(v) ? 4 : 5);
	else if (cJSON_IsNumber(v)) {
		snprintf(num, sizeof num, "%g", v->valuedouble);
		sb_add(b, num, strlen(num));
	} else if (cJSON_IsArray(v)) {
		for (it = v->child; it; it = it->next) {
			if (!first)
				sb_add(b, ", ", 2);
			first = 0;
			evidence_value(b, it);
		}
	} else if (cJSON_IsObject(v)) {
		for (it = v->child; it; it = it->next) {
			if (!first)
				sb_add(b, ", ", 2);
			first = 0;
			sb_text(b, it->string);
			sb_add(b, "=", 1);
			evidence_value(b, it);
		}
	} else if (cJSON_IsNull(v)) {
		sb_add(b, "null", 4);
	}
}

static void evidence_table(struct sbuf *b, const cJSON *ev)
{
	const cJSON *it;

	if (!ev || !ev->child)
		return;
	sb_printf(b, "\n| %s | %s |\n|---|---|\n", _("evidence"), _("value"));
	for (it = ev->child; it; it = it->next) {
		sb_add(b, "| ", 2);
		sb_text(b, it->string);
		sb_add(b, " | ", 3);
		evidence_value(b, it);
		sb_add(b, " |\n", 3);
	}
}

/* A check that reads what already happened (the pod's events, the
 * container log) rather than the world as it is now. */
static int reads_history(const struct check_result *r)
{
	return r && cJSON_GetObjectItemCaseSensitive(r->data, "classified");
}

/* A list of `ids` as Markdown code spans. */
static void code_list(struct sbuf *b, const char *const *ids, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		sb_add(b, i ? ", `" : "`", i ? 3 : 1);
		sb_code(b, ids[i]);
		sb_add(b, "`", 1);
	}
}

/* No verdict and no cause: what was fixed, which failures are history
 * and what still fails - never "no check failed" above a failing check. */
static void after_fix(struct sbuf *b, const struct session *s)
{
	const struct session_fix_outcome *fixed[16];
	const char *failing[64], *history[8];
	size_t i, nfixed = 0, nfail = 0, nhist = 0;
	size_t n = session_result_count(s), nf = session_fix_count(s);

	for (i = 0; i < nf && nfixed < 16; i++) {
		const struct session_fix_outcome *o = session_fix_at(s, i);

		if (o->state == SESSION_FIX_APPLIED)
			fixed[nfixed++] = o;
	}
	for (i = 0; i < n; i++) {
		const struct check_def *d;
		const struct check_result *r = session_result_at(s, i, &d);

		if (r->verdict != CHECK_FAIL)
			continue;
		if (reads_history(r) && nhist < 8)
			history[nhist++] = d->id;
		else if (!reads_history(r) && nfail < 64)
			failing[nfail++] = d->id;
	}
	if (!nfixed && !nfail && !nhist) {
		sb_printf(b, "%s\n\n", _("No verdict reached yet and no check failed."));
		return;
	}
	if (nfixed) {
		sb_printf(b, "%s ", ngettext("Fix applied:", "Fixes applied:",
					      (unsigned long)nfixed));
		for (i = 0; i < nfixed; i++) {
			/* `fix` (`check`: its verdict after the fix) */
			sb_add(b, i ? ", `" : "`", i ? 3 : 1);
			sb_code(b, fixed[i]->fix_id);
			sb_add(b, "` (`", 4);
			sb_code(b, fixed[i]->check_id);
			sb_add(b, "`", 1);
			if (fixed[i]->verified)
				sb_printf(b, ": %s",
					  check_verdict_label(fixed[i]->verify));
			sb_add(b, ")", 1);
		}
		sb_add(b, ".\n\n", 3);
	} else {
		sb_printf(b, "%s\n\n", _("No verdict reached yet."));
	}
	for (i = 0; i < nhist; i++) {
		sb_add(b, "`", 1);
		sb_code(b, history[i]);
		sb_add(b, "`: ", 3);
		if (strcmp(history[i], "webapp.log") == 0)
			sb_text(b, nfixed ?
				_("the container log still shows the pull failure: it was written before the fix and stays until App Service pulls the image again (restart the web app to pull now).") :
				_("the container log shows a pull failure."));
		else
			sb_text(b, nfixed ?
				_("the pod's events still show the pull failure: they were written before the fix and stay until the kubelet retries the pull (it backs off up to five minutes; deleting the pod retries at once).") :
				_("the pod's events show a pull failure."));
		sb_add(b, "\n\n", 2);
	}
	if (nfail) {
		sb_printf(b, "%s ", ngettext("This check still fails:",
					      "These checks still fail:",
					      (unsigned long)nfail));
		code_list(b, failing, nfail);
		sb_add(b, ".\n\n", 3);
	} else if (nfixed) {
		sb_printf(b, "%s\n\n", _("No other check fails now."));
	}
}

static void section_diagnosis(struct sbuf *b, const struct session *s)
{
	const struct tree_node *v = session_verdict(s);
	const char *cause = session_cause(s);

	sb_printf(b, "## %s\n\n", _("Diagnosis"));
	if (v) {
		sb_printf(b, "**%s** (`", _(v->title));
		sb_code(b, cause);
		sb_add(b, "`)\n\n", 4);
		sb_text(b, _(v->body));
		sb_add(b, "\n\n", 2);
	} else if (cause) {
		sb_printf(b, "%s `", _("No verdict reached yet; the checks point at"));
		sb_code(b, cause);
		sb_add(b, "`.\n\n", 4);
	} else {
		after_fix(b, s);
	}
}

/* One "| field | value |" row; value is untrusted text. */
static void row(struct sbuf *b, const char *field, const char *value)
{
	sb_printf(b, "| %s | ", field);
	sb_text(b, value);
	sb_add(b, " |\n", 3);
}

/* Nothing pasted: the failure message a check read itself (the pod's
 * newest event or waiting status, the container log's newest pull line)
 * and what it reads as, so a report says what the diagnosis started
 * from.  The evidence is already sanitized and masked. */
static void read_message(struct sbuf *b, const struct session *s)
{
	static const char *const ids[] = { "aks.events", "webapp.log" };
	size_t i;

	for (i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		const struct check_result *r = session_result(s, ids[i]);
		const char *cls, *src, *text;
		const cJSON *a;

		if (!r || r->verdict != CHECK_FAIL || !r->evidence)
			continue;
		cls = jsonu_str(r->evidence, "classified");
		src = jsonu_str(r->evidence, "source");
		text = jsonu_str(r->evidence, "message");
		if (!text)
			text = jsonu_str(r->evidence, "log_text");
		if (!cls || !text || !src || strcmp(src, "message") == 0)
			continue;
		row(b, _("message read from"), src);
		row(b, _("message read"), text);
		row(b, _("message classified as"), cls);
		cJSON_ArrayForEach(a, jsonu_array(r->evidence, "alternatives"))
			if (cJSON_IsString(a))
				row(b, _("its wording also fits"), a->valuestring);
		return;
	}
}

static void section_context(struct sbuf *b, const struct session *s)
{
	cJSON *c = ctx_to_json(session_context(s));
	const cJSON *it;
	size_t i;

	sb_printf(b, "## %s\n\n| %s | %s |\n|---|---|\n", _("Context"),
		  _("field"), _("value"));
	row(b, _("scenario"), session_scenario_name(s));
	for (it = c ? c->child : NULL; it; it = it->next) {
		sb_add(b, "| ", 2);
		sb_text(b, it->string);
		sb_add(b, " | ", 3);
		evidence_value(b, it);
		sb_add(b, " |\n", 3);
	}
	cJSON_Delete(c);
	if (session_message_cause(s)[0]) {
		row(b, _("message classified as"), session_message_cause(s));
		for (i = 0; session_message_alternative(s, i); i++)
			row(b, _("its wording also fits"),
			    session_message_alternative(s, i));
	} else {
		read_message(b, s);
	}
	sb_add(b, "\n", 1);
}

static void section_path(struct sbuf *b, const struct session *s)
{
	size_t i, n = session_path_len(s);

	sb_printf(b, "## %s\n\n", _("Path taken"));
	for (i = 0; i < n; i++) {
		const struct tree_node *nd = session_path_node(s, i);

		sb_printf(b, "%zu. ", i + 1);
		sb_text(b, _(nd->title));
		sb_add(b, " (`", 3);
		sb_code(b, nd->id);
		sb_add(b, "`)\n", 3);
	}
	sb_add(b, "\n", 1);
}

static void section_checks(struct sbuf *b, const struct session *s)
{
	size_t i, n = session_result_count(s);

	sb_printf(b, "## %s\n\n", _("Checks"));
	if (n == 0) {
		sb_printf(b, "%s\n\n", _("No check has run."));
		return;
	}
	sb_printf(b, "| %s | %s | %s |\n|---|---|---|\n", _("check"),
		  _("verdict"), _("summary"));
	for (i = 0; i < n; i++) {
		const struct check_def *d;
		const struct check_result *r = session_result_at(s, i, &d);

		enum check_verdict before;
		const char *fx = session_result_fixed_by(s, d->id, &before);

		sb_add(b, "| `", 3);
		sb_code(b, d->id);
		sb_printf(b, "` | **%s**", check_verdict_label(r->verdict));
		if (fx) {
			sb_printf(b, " (%s %s, ", _("was"), check_verdict_label(before));
			sb_printf(b, "%s `", _("before fix"));
			sb_code(b, fx);
			sb_add(b, "`)", 2);
		}
		sb_add(b, " | ", 3);
		sb_text(b, r->summary);
		sb_add(b, " |\n", 3);
	}
	for (i = 0; i < n; i++) {
		const struct check_def *d;
		const struct check_result *r = session_result_at(s, i, &d);

		sb_printf(b, "\n### %s (`", _(d->title));
		sb_code(b, d->id);
		sb_printf(b, "`): %s\n\n", check_verdict_label(r->verdict));
		sb_text(b, r->summary);
		sb_add(b, "\n", 1);
		evidence_table(b, r->evidence);
		if (r->command[0]) {
			sb_printf(b, "\n%s\n\n```sh\n", _("Equivalent command:"));
			sb_code(b, r->command);
			sb_add(b, "\n```\n", 5);
		}
	}
	sb_add(b, "\n", 1);
}

static void section_commands(struct sbuf *b, const struct session *s)
{
	size_t i, k, n = session_path_len(s), total = 0;
	char line[2048];

	for (i = 0; i < n; i++)
		total += session_path_node(s, i)->ncommands;
	if (!total)
		return;
	sb_printf(b, "## %s\n\n```sh\n", _("Equivalent commands"));
	for (i = 0; i < n; i++) {
		const struct tree_node *nd = session_path_node(s, i);

		if (!nd->ncommands)
			continue;
		sb_add(b, "# ", 2);
		sb_code(b, _(nd->title));
		sb_add(b, "\n", 1);
		for (k = 0; k < nd->ncommands; k++) {
			session_expand(s, nd->commands[k], line, sizeof line);
			sb_code(b, line);
			sb_add(b, "\n", 1);
		}
	}
	sb_add(b, "```\n\n", 5);
}

static void section_fixes(struct sbuf *b, const struct session *s)
{
	size_t i, n = session_fix_count(s), na = session_audit_count(s);

	sb_printf(b, "## %s\n\n", _("Fixes"));
	if (n == 0) {
		sb_printf(b, "%s\n\n", _("No fix was applied."));
	} else {
		sb_printf(b, "| %s | %s | %s | %s | %s |\n|---|---|---|---|---|\n",
			  _("fix"), _("for check"), _("outcome"),
			  _("steps sent"), _("verified"));
		for (i = 0; i < n; i++) {
			const struct session_fix_outcome *o = session_fix_at(s, i);

			sb_add(b, "| `", 3);
			sb_code(b, o->fix_id);
			sb_add(b, "` | `", 5);
			sb_code(b, o->check_id);
			sb_printf(b, "` | %s | %d | %s |\n",
				  session_fix_state_label(o->state), o->steps_sent,
				  o->verified ? check_verdict_label(o->verify) : "-");
		}
		sb_add(b, "\n", 1);
	}
	if (na) {
		sb_printf(b, "### %s\n\n```\n", _("Audit log"));
		for (i = 0; i < na; i++) {
			sb_code(b, session_audit_at(s, i));
			sb_add(b, "\n", 1);
		}
		sb_add(b, "```\n\n", 5);
	}
}

char *report_markdown(const struct session *s)
{
	struct sbuf b = { 0 };
	char ts[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
	sb_printf(&b, "# %s: ", _("acr-doctor report"));
	sb_text(&b, session_scenario_name(s));
	sb_printf(&b, "\n\n%s %s, %s %s.\n\n", _("Written"), ts,
		  PACKAGE_NAME, PACKAGE_VERSION);
	section_diagnosis(&b, s);
	section_context(&b, s);
	section_path(&b, s);
	section_checks(&b, s);
	section_commands(&b, s);
	section_fixes(&b, s);
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

/* A file-name-safe copy of a scenario name. */
static void safe_name(const char *in, char *out, size_t len)
{
	size_t k = 0;

	for (; in && *in && k + 1 < len; in++) {
		unsigned char c = (unsigned char)*in;

		out[k++] = ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '-' || c == '_') ?
			   (char)c : '_';
	}
	out[k] = '\0';
	if (!k)
		snprintf(out, len, "session");
}

int report_write(const struct session *s, const char *dir, char *path,
		 size_t pathlen, struct ad_error *err)
{
	char name[80], ts[32];
	char *md;
	time_t t = time(NULL);
	struct tm tm;
	FILE *fp = NULL;
	int i;

	if (path && pathlen)
		path[0] = '\0';
	if (!path || pathlen < 16)
		return ad_error_set(err, AD_EINVAL, _("no room for the path"));
	md = report_markdown(s);
	if (!md)
		return ad_error_set(err, AD_ENOMEM, _("out of memory"));
	gmtime_r(&t, &tm);
	strftime(ts, sizeof ts, "%Y%m%dT%H%M%SZ", &tm);
	safe_name(session_scenario_name(s), name, sizeof name);
	if (!dir || !*dir)
		dir = ".";
	for (i = 1; i < 100 && !fp; i++) {
		int n;

		if (i == 1)
			n = snprintf(path, pathlen, "%s/acr-doctor-report-%s-%s.md",
				     dir, name, ts);
		else
			n = snprintf(path, pathlen, "%s/acr-doctor-report-%s-%s-%d.md",
				     dir, name, ts, i);
		if (n < 0 || (size_t)n >= pathlen) {
			free(md);
			path[0] = '\0';
			return ad_error_set(err, AD_EINVAL,
					    _("the report directory name is too long"));
		}
		fp = fopen(path, "wx");
		if (!fp && errno != EEXIST) {
			int e = errno;

			free(md);
			ad_error_set(err, AD_EIO, _("cannot write %s: %s"), path,
				     strerror(e));
			path[0] = '\0';
			return AD_EIO;
		}
	}
	if (!fp) {
		free(md);
		path[0] = '\0';
		return ad_error_set(err, AD_EIO, _("cannot find a free report file name"));
	}
	i = fputs(md, fp) == EOF;
	if (fclose(fp) != 0 || i) {
		free(md);
		return ad_error_set(err, AD_EIO, _("cannot write %s"), path);
	}
	free(md);
	return 0;
}
