/* screen_fix.c - the fix confirmation dialog.
 *
 * Shows the exact change before anything is sent: for each step the
 * method, the URL, the body (pretty-printed), the equivalent command and
 * any warning.  Steps that must be confirmed on their own come as their
 * own page.  The default answer is No: only 'y' applies; Enter, 'n' and
 * Esc decline. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "curses.h"
#include "err.h"
#include "fix.h"
#include "i18n.h"
#include "screen.h"
#include "session.h"
#include "textw.h"
#include "tree.h"
#include "widgets.h"

static struct {
	size_t scroll;
	int h;
	int groups_done;
} st;

static int count_groups(const struct fix_plan *p, int from)
{
	int k = from, n = 0;

	while (k < p->nsteps) {
		if (p->steps[k].confirm_separately)
			k++;
		else
			while (k < p->nsteps && !p->steps[k].confirm_separately)
				k++;
		n++;
	}
	return n;
}

/* The body pretty-printed (cJSON indents with tabs: two spaces each). */
static void add_body(struct ui_text *t, const char *body)
{
	cJSON *j = body ? cJSON_Parse(body) : NULL;
	char *pretty = j ? cJSON_Print(j) : NULL;
	char *out = NULL;

	if (pretty) {
		size_t n = 0, o = 0;
		const char *p;

		for (p = pretty; *p; p++)
			n += *p == '\t' ? 2 : 1;
		out = malloc(n + 1);
		for (p = pretty; out && *p; p++) {
			if (*p != '\t') {
				out[o++] = *p;
			} else if (p > pretty && p[-1] == ':') {
				out[o++] = ' ';       /* "key":<tab>value */
			} else {
				out[o++] = ' ';       /* indentation */
				out[o++] = ' ';
			}
		}
		if (out)
			out[o] = '\0';
		cJSON_free(pretty);
	}
	ui_text_add(t, out ? out : body, UI_ROLE_CODE, 4);
	free(out);
	cJSON_Delete(j);
}

static void build(struct ui *ui, struct ui_text *t, const struct fix_plan *p)
{
	char line[1200];
	int first, count, i, groups;

	ui_text_add(t, p->summary, UI_ROLE_NORMAL, 0);
	if (p->nsteps == 0) {
		ui_text_add(t, "", UI_ROLE_NORMAL, 0);
		ui_text_add(t, _("This fix is done by hand: acr-doctor sends nothing. "
				 "Run these commands yourself:"), UI_ROLE_WARNING, 0);
		ui_text_add(t, p->manual, UI_ROLE_CODE, 2);
		return;
	}
	if (session_fix_denied(ui->s)) {
		/* Shown with why, not offered: the caller may not. */
		ui_text_add(t, "", UI_ROLE_NORMAL, 0);
		ui_text_add(t, _("You may not make this change: acr-doctor sends nothing."),
			    UI_ROLE_WARNING, 0);
		for (i = 0; i < p->nsteps; i++) {
			char why[1400];

			if (p->steps[i].perm != FIX_PERM_DENIED)
				continue;
			fix_perm_sentence(&p->steps[i], why, sizeof why);
			snprintf(line, sizeof line, _("Step %d of %d: %s"), i + 1,
				 p->nsteps, p->steps[i].title);
			ui_text_add(t, line, UI_ROLE_HEADING, 2);
			ui_text_add(t, why, UI_ROLE_WARNING, 4);
			ui_text_add_label(t, p->steps[i].method, UI_ROLE_HEADING,
					  p->steps[i].url, UI_ROLE_CODE, 4);
			if (p->steps[i].command[0]) {
				ui_text_add(t, _("Equivalent command, for someone who may:"),
					    UI_ROLE_DIM, 4);
				snprintf(line, sizeof line, "$ %s", p->steps[i].command);
				ui_text_add(t, line, UI_ROLE_CODE, 6);
			}
		}
		return;
	}
	if (!session_fix_group(ui->s, &first, &count))
		return;
	groups = st.groups_done + count_groups(p, first);
	if (groups > 1) {
		snprintf(line, sizeof line, _("Change %d of %d"),
			 st.groups_done + 1, groups);
		ui_text_add(t, "", UI_ROLE_NORMAL, 0);
		ui_text_add(t, line, UI_ROLE_HEADING, 0);
	}
	for (i = first; i < first + count; i++) {
		const struct fix_step *s = &p->steps[i];

		ui_text_add(t, "", UI_ROLE_NORMAL, 0);
		snprintf(line, sizeof line, _("Step %d of %d: %s"), i + 1,
			 p->nsteps, s->title);
		ui_text_add(t, line, UI_ROLE_HEADING, 0);
		if (s->confirm_separately)
			ui_text_add(t, _("This step is confirmed on its own."),
				    UI_ROLE_WARNING, 2);
		if (s->warning[0]) {
			snprintf(line, sizeof line, "%s %s", _("Warning:"), s->warning);
			ui_text_add(t, line, UI_ROLE_WARNING, 2);
		}
		if (s->perm == FIX_PERM_UNKNOWN) {
			char why[1100];

			fix_perm_sentence(s, why, sizeof why);
			ui_text_add(t, why, UI_ROLE_WARNING, 2);
		}
		ui_text_add_label(t, s->method, UI_ROLE_HEADING, s->url,
				  UI_ROLE_CODE, 2);
		if (s->body) {
			snprintf(line, sizeof line, "Content-Type: %s",
				 fix_step_content_type(s));
			ui_text_add(t, line, UI_ROLE_CODE, 2);
			ui_text_add(t, _("Body:"), UI_ROLE_DIM, 2);
			add_body(t, s->body);
		}
		if (s->command[0]) {
			ui_text_add(t, _("Equivalent command:"), UI_ROLE_DIM, 2);
			snprintf(line, sizeof line, "$ %s", s->command);
			ui_text_add(t, line, UI_ROLE_CODE, 4);
		}
	}
}

static void draw(struct ui *ui)
{
	const struct fix_plan *p = session_plan(ui->s);
	int y = 1, x = 2, h = ui->rows - 3, w = ui->cols - 4;
	struct ui_text t;
	char title[300], q[300];
	int first = 0, count = 0;

	if (!p)
		return;
	{
		const struct fix_def *fd = fix_find(p->fix_id);

		snprintf(title, sizeof title, _("Fix: %s"),
			 fd ? _(fd->title) : p->fix_id);
	}
	ui_box(y, x, h, w, title);
	st.h = h - 4;
	ui_text_init(&t, w - 4);
	build(ui, &t, p);
	st.scroll = ui_text_clamp(&t, st.scroll, st.h);
	ui_text_draw(&t, y + 1, x + 2, st.h, w - 4, st.scroll);
	if (st.scroll + (size_t)st.h < t.n)
		ui_put(y + h - 3, x + w - 3, tw_utf8() ? "\xe2\x96\xbc" : "v", 1,
		       ui_attr(UI_ROLE_DIM), 0);
	ui_text_free(&t);
	if (session_busy(ui->s)) {
		snprintf(q, sizeof q, "%s %s", ui_spinner(ui->tick),
			 _("Applying the change... (Esc cancels)"));
	} else if (p->nsteps == 0 || session_fix_denied(ui->s)) {
		snprintf(q, sizeof q, "%s", _("Press Enter to close."));
	} else {
		session_fix_group(ui->s, &first, &count);
		if (count > 1)
			snprintf(q, sizeof q,
				 _("Send these %d requests? y = yes, n or Enter = no [y/N]"),
				 count);
		else
			snprintf(q, sizeof q, "%s",
				 _("Send this request? y = yes, n or Enter = no [y/N]"));
	}
	ui_put(y + h - 2, x + 2, q, w - 4, ui_attr(UI_ROLE_WARNING), 0);
}

static void decline(struct ui *ui)
{
	const struct fix_plan *p = session_plan(ui->s);
	int manual = p && p->nsteps == 0;
	int denied = p && session_fix_denied(ui->s);

	session_fix_decline(ui->s);
	ui_pop(ui);
	if (denied) {
		ui_status(ui, 1, "%s", _("Not permitted: nothing was sent. Ask for the role shown, or have someone who holds it apply the fix."));
	} else if (manual) {
		ui_status(ui, 0, "%s", _("Nothing was sent: run the commands by hand, then re-run the check (x)."));
	} else if (st.groups_done) {
		struct ad_error err = { 0 };

		ui_status(ui, 0, "%s", _("Declined: nothing more was changed."));
		/* Part of the change was made: the old result is stale. */
		if (session_node(ui->s)->kind == TREE_CHECK)
			session_check_start(ui->s, NULL, &err);
	} else
		ui_status(ui, 0, "%s", _("Declined: nothing was changed."));
}

static int handle(struct ui *ui, enum ui_action a, const struct ui_key *k)
{
	struct ad_error err = { 0 };
	(void)k;
	if (session_busy(ui->s)) {
		/* Esc is handled by the loop (cancel); nothing else now. */
		return a == UI_ACT_QUIT || a == UI_ACT_HELP ? 0 :
		       UI_HANDLED | UI_REDRAW;
	}
	if (ui_text_scroll(&st.scroll, st.h, a))
		return UI_HANDLED | UI_REDRAW;
	switch (a) {
	case UI_ACT_YES:
		if (!session_plan(ui->s) || session_plan(ui->s)->nsteps == 0 ||
		    session_fix_denied(ui->s)) {
			decline(ui);
			break;
		}
		if (session_fix_apply_group(ui->s, &err) != 0)
			ui_status(ui, 1, "%s", err.msg);
		break;
	case UI_ACT_NO:
	case UI_ACT_SELECT:
	case UI_ACT_CANCEL:
	case UI_ACT_BACK:
		decline(ui);
		break;
	case UI_ACT_QUIT:
	case UI_ACT_HELP:
		return 0;
	default:
		break;
	}
	return UI_HANDLED | UI_REDRAW;
}

static int job_done(struct ui *ui, enum session_job kind)
{
	size_t n;
	const struct session_fix_outcome *o;

	if (kind != SESSION_JOB_STEPS)
		return 0;
	if (session_plan(ui->s)) {
		/* More to confirm: the next page. */
		st.groups_done++;
		st.scroll = 0;
		return UI_HANDLED | UI_REDRAW;
	}
	ui_pop(ui);
	n = session_fix_count(ui->s);
	o = n ? session_fix_at(ui->s, n - 1) : NULL;
	if (!o)
		return UI_HANDLED | UI_REDRAW;
	switch (o->state) {
	case SESSION_FIX_APPLIED:
		if (o->verified)
			ui_status(ui, o->verify != CHECK_PASS,
				  _("Fix %s applied; check %s run again: %s"),
				  o->fix_id, o->check_id,
				  ui_verdict_label(o->verify));
		else
			ui_status(ui, 0, _("Fix %s applied."), o->fix_id);
		break;
	case SESSION_FIX_CANCELLED:
		ui_status(ui, 1, ngettext("Fix %s cancelled after %d request.",
				  "Fix %s cancelled after %d requests.",
				  (unsigned long)o->steps_sent),
			  o->fix_id, o->steps_sent);
		break;
	default:
		ui_status(ui, 1, _("Fix %s failed: %s"), o->fix_id, o->message);
		break;
	}
	return UI_HANDLED | UI_REDRAW;
}

static void enter(struct ui *ui)
{
	(void)ui;
	memset(&st, 0, sizeof st);
}

static const enum ui_action bar[] = {
	UI_ACT_YES, UI_ACT_NO, UI_ACT_DOWN, UI_ACT_PGDN, UI_ACT_HELP,
	UI_ACT_NONE
};

/* Nothing to say yes to (a fix only shown, or not permitted): the
 * dialog only closes; while a change is applied, only Esc acts. */
static const enum ui_action bar_close[] = {
	UI_ACT_CANCEL, UI_ACT_DOWN, UI_ACT_PGDN, UI_ACT_HELP, UI_ACT_NONE
};
static const enum ui_action bar_busy[] = {
	UI_ACT_CANCEL, UI_ACT_HELP, UI_ACT_NONE
};

static const enum ui_action *bar_now(struct ui *ui)
{
	const struct fix_plan *p = session_plan(ui->s);

	if (session_busy(ui->s))
		return bar_busy;
	if (!p || p->nsteps == 0 || session_fix_denied(ui->s))
		return bar_close;
	return bar;
}

const struct ui_screen_ops ui_screen_fix = {
	.name = "fix",
	.enter = enter,
	.draw = draw,
	.handle = handle,
	.job_done = job_done,
	.bar = bar,
	.bar_now = bar_now,
	.modal = 1,
};
