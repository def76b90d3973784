/* screen_result.c - the diagnosis: the cause, the evidence that shows it,
 * what was fixed, and (training) whether it is what the scenario teaches. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "curses.h"
#include "i18n.h"
#include "scenario.h"
#include "screen.h"
#include "session.h"
#include "textw.h"
#include "tree.h"
#include "widgets.h"

static struct {
	size_t scroll;
	int h;
} st;

static void add_evidence(struct ui_text *t, const cJSON *ev)
{
	const cJSON *it;
	char label[96], val[1024];

	for (it = ev ? ev->child : NULL; it; it = it->next) {
		if (cJSON_IsString(it))
			snprintf(val, sizeof val, "%s", it->valuestring);
		else if (cJSON_IsNumber(it))
			snprintf(val, sizeof val, "%g", it->valuedouble);
		else if (cJSON_IsBool(it))
			snprintf(val, sizeof val, "%s", cJSON_IsTrue(it) ? "true" : "false");
		else if (cJSON_IsArray(it)) {
			const cJSON *x;
			size_t o = 0;

			val[0] = '\0';
			for (x = it->child; x && o + 1 < sizeof val; x = x->next) {
				int k = snprintf(val + o, sizeof val - o, "%s%s",
						 o ? ", " : "",
						 cJSON_IsString(x) ? x->valuestring : "?");
				if (k < 0)
					break;
				o += (size_t)k;
			}
		} else
			snprintf(val, sizeof val, "...");
		snprintf(label, sizeof label, "%s:", it->string ? it->string : "?");
		ui_text_add_label(t, label, UI_ROLE_DIM, val, UI_ROLE_NORMAL, 6);
	}
}

static void build(struct ui *ui, struct ui_text *t)
{
	const struct tree_node *v = session_verdict(ui->s);
	const char *cause = session_cause(ui->s);
	const char *expect = scenario_expect_cause(session_scenario(ui->s));
	const char *notes = scenario_notes(session_scenario(ui->s));
	char line[1200], label[64];
	size_t i, n;

	if (v) {
		ui_text_add(t, _(v->title), UI_ROLE_HEADING, 0);
		ui_text_add(t, _(v->body), UI_ROLE_NORMAL, 0);
	} else {
		ui_text_add(t, _("No verdict has been reached yet."), UI_ROLE_HEADING, 0);
	}
	snprintf(line, sizeof line, "%s %s", _("Cause:"),
		 cause ? cause : _("none found"));
	ui_text_add(t, "", UI_ROLE_NORMAL, 0);
	ui_text_add(t, line, UI_ROLE_HEADING, 0);
	/* Training: compare with what the scenario teaches. */
	if (session_scenario(ui->s)) {
		const char *want = expect ? expect : "healthy";
		int ok = cause && strcmp(cause, want) == 0;

		snprintf(line, sizeof line, "%s %s", _("The scenario teaches:"), want);
		ui_text_add_label(t, ok ? _("[MATCH]") : _("[DIFFERENT]"),
				  ok ? UI_ROLE_PASS : UI_ROLE_UNKNOWN, line,
				  UI_ROLE_NORMAL, 0);
	}

	ui_text_add(t, "", UI_ROLE_NORMAL, 0);
	ui_text_add(t, _("Evidence"), UI_ROLE_HEADING, 0);
	n = session_result_count(ui->s);
	if (!n)
		ui_text_add(t, _("No check has run."), UI_ROLE_DIM, 2);
	for (i = 0; i < n; i++) {
		const struct check_def *d;
		const struct check_result *r = session_result_at(ui->s, i, &d);

		snprintf(label, sizeof label, "[%s]", ui_verdict_label(r->verdict));
		snprintf(line, sizeof line, "%s (%s): %s", _(d->title), d->id,
			 r->summary);
		ui_text_add_label(t, label, ui_verdict_role(r->verdict), line,
				  UI_ROLE_NORMAL, 2);
		if (r->verdict == CHECK_FAIL)
			add_evidence(t, r->evidence);
	}

	ui_text_add(t, "", UI_ROLE_NORMAL, 0);
	ui_text_add(t, _("What was fixed"), UI_ROLE_HEADING, 0);
	n = session_fix_count(ui->s);
	if (!n)
		ui_text_add(t, _("Nothing was changed."), UI_ROLE_DIM, 2);
	for (i = 0; i < n; i++) {
		const struct session_fix_outcome *o = session_fix_at(ui->s, i);

		if (o->verified)
			snprintf(line, sizeof line, _("%s (for %s): %s, check run again: %s"),
				 o->fix_id, o->check_id,
				 session_fix_state_label(o->state),
				 ui_verdict_label(o->verify));
		else
			snprintf(line, sizeof line, _("%s (for %s): %s"), o->fix_id,
				 o->check_id, session_fix_state_label(o->state));
		ui_text_add(t, line, o->state == SESSION_FIX_APPLIED ?
			    UI_ROLE_PASS : UI_ROLE_NORMAL, 2);
	}
	n = session_audit_count(ui->s);
	if (n) {
		ui_text_add(t, _("Audit log:"), UI_ROLE_DIM, 2);
		for (i = 0; i < n; i++)
			ui_text_add(t, session_audit_at(ui->s, i), UI_ROLE_CODE, 4);
	}
	if (notes && *notes) {
		ui_text_add(t, "", UI_ROLE_NORMAL, 0);
		ui_text_add(t, _("Trainer notes"), UI_ROLE_HEADING, 0);
		ui_text_add(t, notes, UI_ROLE_NORMAL, 2);
	}
	ui_text_add(t, "", UI_ROLE_NORMAL, 0);
	ui_text_add(t, _("Press e to write this as a Markdown report."), UI_ROLE_DIM, 0);
}

static void draw(struct ui *ui)
{
	const char *parts[2] = { PACKAGE_NAME, _("Result") };
	struct ui_text t;

	ui_titlebar(ui->cols, parts, 2);
	st.h = ui->rows - 4;
	ui_text_init(&t, ui->cols - 4);
	build(ui, &t);
	st.scroll = ui_text_clamp(&t, st.scroll, st.h);
	ui_text_draw(&t, 2, 2, st.h, ui->cols - 4, st.scroll);
	ui_text_free(&t);
}

static int handle(struct ui *ui, enum ui_action a, const struct ui_key *k)
{
	(void)k;
	if (ui_text_scroll(&st.scroll, st.h, a))
		return UI_HANDLED | UI_REDRAW;
	switch (a) {
	case UI_ACT_BACK:
	case UI_ACT_CANCEL:
	case UI_ACT_SELECT:
		ui_pop(ui);
		break;
	case UI_ACT_RESTART:
		ui_pop(ui);
		if (session_restart(ui->s) == 0)
			ui_status(ui, 0, "%s", _("Started again from the first question."));
		break;
	default:
		return 0;
	}
	return UI_HANDLED | UI_REDRAW;
}

static void enter(struct ui *ui)
{
	(void)ui;
	memset(&st, 0, sizeof st);
}

static const enum ui_action bar[] = {
	UI_ACT_BACK, UI_ACT_PGDN, UI_ACT_EXPORT, UI_ACT_RESTART, UI_ACT_HELP,
	UI_ACT_QUIT, UI_ACT_NONE
};

const struct ui_screen_ops ui_screen_result = {
	.name = "result",
	.enter = enter,
	.draw = draw,
	.handle = handle,
	.bar = bar,
};
