/* screen_node.c - one step of the tree: question, explanation, check,
 * fix or verdict, with the check's result and the equivalent commands. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "curses.h"
#include "err.h"
#include "i18n.h"
#include "screen.h"
#include "session.h"
#include "textw.h"
#include "tree.h"
#include "widgets.h"

#define MAX_CRUMBS 32

static struct {
	const struct tree_node *node;  /* what sel/scroll belong to */
	size_t hpos;
	int sel;
	size_t scroll;
	int show_cmds;
	int to_cmds;                   /* scroll to the panel on next draw */
	int content_h;
	int arrived;                   /* the node changed: not yet ticked */
	int pending;                   /* Enter pressed while a check ran */
} st;

/* The item to highlight first: the suggested choice, else the first. */
static int first_sel(struct ui *ui)
{
	struct session_item items[SESSION_MAX_ITEMS];
	size_t i, n = session_items(ui->s, items, SESSION_MAX_ITEMS);

	for (i = 0; i < n; i++)
		if (items[i].suggested)
			return (int)i;
	return 0;
}

/* Reset selection and scrolling when the node changed. */
static void sync(struct ui *ui)
{
	const struct tree_node *n = session_node(ui->s);
	size_t hpos = session_path_len(ui->s);

	if (n != st.node || hpos != st.hpos) {
		st.node = n;
		st.hpos = hpos;
		st.sel = first_sel(ui);
		st.scroll = 0;
		st.arrived = 1;
		st.pending = 0;
	}
}

static const char *kind_label(enum tree_kind k)
{
	switch (k) {
	/* TRANSLATORS: the kind of a step, shown before its title */
	case TREE_QUESTION: return _("Question");
	case TREE_INFO: return _("Information");
	case TREE_CHECK: return _("Check");
	case TREE_FIX: return _("Fix");
	case TREE_VERDICT: return _("Verdict");
	}
	return "";
}

static void evidence_line(struct ui_text *t, const char *key, const cJSON *v)
{
	char buf[1024], num[64];
	const cJSON *it;
	size_t o = 0;

	buf[0] = '\0';
	if (cJSON_IsString(v)) {
		tw_clip(buf, sizeof buf, v->valuestring);
	} else if (cJSON_IsBool(v)) {
		snprintf(buf, sizeof buf, "%s", cJSON_IsTrue(v) ? "true" : "false");
	} else if (cJSON_IsNumber(v)) {
		snprintf(buf, sizeof buf, "%g", v->valuedouble);
	} else if (cJSON_IsArray(v)) {
		for (it = v->child; it && o + 1 < sizeof buf; it = it->next) {
			const char *s = cJSON_IsString(it) ? it->valuestring : NULL;
			int k;

			if (!s && cJSON_IsNumber(it)) {
				snprintf(num, sizeof num, "%g", it->valuedouble);
				s = num;
			}
			k = snprintf(buf + o, sizeof buf - o, "%s%s",
				     o ? ", " : "", s ? s : "?");
			if (k < 0)
				break;
			o += (size_t)k;
		}
		if (!v->child)
			snprintf(buf, sizeof buf, "%s", _("(none)"));
		tw_utf8_trim(buf);      /* the list may have been cut */
	} else if (cJSON_IsNull(v)) {
		snprintf(buf, sizeof buf, "null");
	} else {
		snprintf(buf, sizeof buf, "%s", "{...}");
	}
	{
		char label[96];

		snprintf(label, sizeof label, "%s:", key);
		ui_text_add_label(t, label, UI_ROLE_DIM, buf, UI_ROLE_NORMAL, 4);
	}
}

/* The result block of a check node. */
static void add_result(struct ui *ui, struct ui_text *t,
		       const struct tree_node *n)
{
	const struct check_result *r = session_result(ui->s, n->check);
	const cJSON *it;
	char label[64];

	ui_text_add(t, "", UI_ROLE_NORMAL, 0);
	if (session_busy(ui->s)) {
		ui_text_add(t, _("Running the check..."), UI_ROLE_DIM, 0);
		if (st.pending)
			ui_text_add(t, _("Enter pressed: the highlighted choice follows when the check is done (Esc cancels both)."),
				    UI_ROLE_DIM, 0);
		return;
	}
	if (!r) {
		ui_text_add(t, _("The check has not run yet."), UI_ROLE_DIM, 0);
		return;
	}
	snprintf(label, sizeof label, "[%s]", ui_verdict_label(r->verdict));
	ui_text_add_label(t, label, ui_verdict_role(r->verdict), r->summary,
			  UI_ROLE_NORMAL, 0);
	if (r->evidence && r->evidence->child) {
		ui_text_add(t, _("Evidence:"), UI_ROLE_HEADING, 2);
		for (it = r->evidence->child; it; it = it->next)
			evidence_line(t, it->string ? it->string : "?", it);
	}
}

/* The equivalent commands panel. */
static void add_commands(struct ui *ui, struct ui_text *t,
			 const struct tree_node *n, size_t *first_line)
{
	const struct check_result *r = n->kind == TREE_CHECK ?
		session_result(ui->s, n->check) : NULL;
	char line[2048], shown[2100];
	size_t i, count = 0;
	int dup = 0;

	ui_text_add(t, "", UI_ROLE_NORMAL, 0);
	*first_line = t->n;
	ui_text_add(t, _("Equivalent commands:"), UI_ROLE_HEADING, 0);
	for (i = 0; i < n->ncommands; i++) {
		session_expand(ui->s, n->commands[i], line, sizeof line);
		if (r && strcmp(line, r->command) == 0)
			dup = 1;
		snprintf(shown, sizeof shown, "$ %s", line);
		ui_text_add(t, shown, UI_ROLE_CODE, 2);
		count++;
	}
	if (r && r->command[0] && !dup) {
		snprintf(shown, sizeof shown, "$ %s", r->command);
		ui_text_add(t, shown, UI_ROLE_CODE, 2);
		count++;
	}
	if (!count)
		ui_text_add(t, _("(this step has no commands)"), UI_ROLE_DIM, 2);
}

static size_t items_of(struct ui *ui, struct session_item *items)
{
	return session_items(ui->s, items, SESSION_MAX_ITEMS);
}

static void item_text(const struct session_item *it, char *buf, size_t len)
{
	ui_format1(buf, len, it->label[0] == '%' && it->label[1] == 's' &&
		   !it->label[2] ? "%s" : _(it->label),
		   it->detail ? _(it->detail) : "");
}

/* The node is another cause the pasted message's wording fits. */
static int msg_alt_is(struct ui *ui, const char *id)
{
	size_t i;

	for (i = 0; session_message_alternative(ui->s, i); i++)
		if (strcmp(session_message_alternative(ui->s, i), id) == 0)
			return 1;
	return 0;
}

static void draw(struct ui *ui)
{
	const struct tree_node *n = session_node(ui->s);
	const char *parts[MAX_CRUMBS + 1];
	struct session_item items[SESSION_MAX_ITEMS];
	struct ui_text t;
	size_t i, np = session_path_len(ui->s), nitems, k = 0, cmds = 0, a;
	int menu_top, content_top = 3, h, w = ui->cols - 4, y;
	char line[1024], title[512];

	sync(ui);
	/* breadcrumb: the program, then the titles of the path */
	parts[k++] = PACKAGE_NAME;
	for (i = np > MAX_CRUMBS ? np - MAX_CRUMBS : 0; i < np; i++)
		parts[k++] = _(session_path_node(ui->s, i)->title);
	ui_titlebar(ui->cols, parts, k);

	snprintf(title, sizeof title, "%s: %s", kind_label(n->kind), _(n->title));
	ui_put(1, 2, title, ui->cols - 4, ui_attr(UI_ROLE_HEADING), 0);

	nitems = items_of(ui, items);
	if (st.sel >= (int)nitems)
		st.sel = nitems ? (int)nitems - 1 : 0;
	menu_top = ui->rows - 2 - (int)nitems - 1;
	if (menu_top < content_top + 4)
		menu_top = content_top + 4;
	h = menu_top - 1 - content_top;
	st.content_h = h;

	ui_text_init(&t, w);
	if (session_message_cause(ui->s)[0] &&
	    strcmp(session_message_cause(ui->s), n->id) == 0) {
		snprintf(line, sizeof line, _("Your message points here: %s"),
			 session_message_evidence(ui->s));
		ui_text_add(&t, line, UI_ROLE_STATUS, 0);
		for (a = 0; session_message_alternative(ui->s, a); a++) {
			snprintf(line, sizeof line,
				 _("This wording also fits %s; the checks will tell."),
				 session_message_alternative(ui->s, a));
			ui_text_add(&t, line, UI_ROLE_STATUS, 0);
		}
		ui_text_add(&t, "", UI_ROLE_NORMAL, 0);
	} else if (session_message_cause(ui->s)[0] && msg_alt_is(ui, n->id)) {
		snprintf(line, sizeof line,
			 _("Your message may also point here: its wording fits %s and this cause; the checks will tell. %s"),
			 session_message_cause(ui->s),
			 session_message_evidence(ui->s));
		ui_text_add(&t, line, UI_ROLE_STATUS, 0);
		ui_text_add(&t, "", UI_ROLE_NORMAL, 0);
	}
	ui_text_add(&t, _(n->body), UI_ROLE_NORMAL, 0);
	if (n->kind == TREE_VERDICT && n->cause) {
		ui_text_add(&t, "", UI_ROLE_NORMAL, 0);
		snprintf(line, sizeof line, "%s %s", _("Cause:"), n->cause);
		ui_text_add(&t, line, UI_ROLE_HEADING, 0);
	}
	if (n->kind == TREE_CHECK)
		add_result(ui, &t, n);
	if (st.show_cmds)
		add_commands(ui, &t, n, &cmds);
	else if (n->ncommands || (n->kind == TREE_CHECK &&
		 session_result(ui->s, n->check) &&
		 session_result(ui->s, n->check)->command[0])) {
		ui_text_add(&t, "", UI_ROLE_NORMAL, 0);
		ui_text_add(&t, _("Press c to see the equivalent az/kubectl commands."),
			    UI_ROLE_DIM, 0);
	}
	if (st.to_cmds) {
		st.scroll = cmds;
		st.to_cmds = 0;
	}
	st.scroll = ui_text_clamp(&t, st.scroll, h);
	ui_text_draw(&t, content_top, 2, h, w, st.scroll);
	if (st.scroll > 0)
		ui_put(content_top - 1, ui->cols - 3, tw_utf8() ? "\xe2\x96\xb2" : "^",
		       1, ui_attr(UI_ROLE_DIM), 0);
	if (st.scroll + (size_t)h < t.n)
		ui_put(menu_top - 1, ui->cols - 3, tw_utf8() ? "\xe2\x96\xbc" : "v",
		       1, ui_attr(UI_ROLE_DIM), 0);
	ui_text_free(&t);

	ui_hline(menu_top - 1, 2, ui->cols - 6, ui_attr(UI_ROLE_DIM));
	for (i = 0, y = menu_top; i < nitems && y < ui->rows - 2; i++, y++) {
		char text[600];
		int sel = (int)i == st.sel;
		int attr = sel ? ui_attr(UI_ROLE_SELECTED) : ui_attr(UI_ROLE_NORMAL);

		item_text(&items[i], text, sizeof text);
		if (items[i].suggested) {
			size_t tl = strlen(text);

			snprintf(text + tl, sizeof text - tl, "  %s",
				 _("(suggested by the findings)"));
		}
		if (i < 9)
			snprintf(line, sizeof line, "%s%zu) %s", sel ? "> " : "  ",
				 i + 1, text);
		else
			snprintf(line, sizeof line, "%s   %s", sel ? "> " : "  ", text);
		if (sel)
			ui_fill(y, 2, ui->cols - 4, attr);
		ui_put(y, 2, line, ui->cols - 4, attr, 0);
	}
}

static int activate(struct ui *ui, const struct session_item *it)
{
	struct ad_error err = { 0 };

	switch (it->kind) {
	case SESSION_ITEM_RESULT:
		ui_push(ui, &ui_screen_result);
		return UI_HANDLED | UI_REDRAW;
	case SESSION_ITEM_MESSAGE:
		ui_push(ui, &ui_screen_message);
		return UI_HANDLED | UI_REDRAW;
	default:
		break;
	}
	if (session_activate(ui->s, it, &err) != 0)
		ui_status(ui, 1, "%s", err.msg);
	else if (it->kind == SESSION_ITEM_RESTART)
		ui_status(ui, 0, "%s", _("Started again from the first question."));
	return UI_HANDLED | UI_REDRAW;
}

static int handle(struct ui *ui, enum ui_action a, const struct ui_key *k)
{
	struct session_item items[SESSION_MAX_ITEMS];
	size_t n;

	sync(ui);
	n = items_of(ui, items);
	/* Up and down move in the menu; the page keys scroll the text. */
	if (a != UI_ACT_UP && a != UI_ACT_DOWN &&
	    ui_text_scroll(&st.scroll, st.content_h, a))
		return UI_HANDLED | UI_REDRAW;
	switch (a) {
	case UI_ACT_UP:
		if (st.sel > 0)
			st.sel--;
		break;
	case UI_ACT_DOWN:
		if (st.sel + 1 < (int)n)
			st.sel++;
		break;
	case UI_ACT_SELECT:
		/* While a check runs the menu is not there yet: the key waits
		 * and takes the highlighted choice once the result is in
		 * (job_done), unless Esc cancels the check. */
		if (session_busy(ui->s)) {
			st.pending = 1;
			break;
		}
		if (st.sel < (int)n)
			return activate(ui, &items[st.sel]);
		break;
	case UI_ACT_PICK:
		if (!k->func && k->ch >= '1' && k->ch <= '9' &&
		    (size_t)(k->ch - '1') < n) {
			st.sel = (int)(k->ch - '1');
			return activate(ui, &items[st.sel]);
		}
		break;
	case UI_ACT_BACK:
		if (session_busy(ui->s))
			break;
		if (session_back(ui->s) != 0)
			ui_status(ui, 0, "%s", _("This is the first step."));
		break;
	case UI_ACT_FORWARD:
		if (session_busy(ui->s))
			break;
		if (session_forward(ui->s) != 0)
			ui_status(ui, 0, "%s", _("There is no later step to go forward to."));
		break;
	case UI_ACT_RESTART:
		if (!session_busy(ui->s) && session_restart(ui->s) == 0)
			ui_status(ui, 0, "%s", _("Started again from the first question."));
		break;
	case UI_ACT_COMMANDS:
		st.show_cmds = !st.show_cmds;
		st.to_cmds = st.show_cmds;
		break;
	case UI_ACT_RECHECK: {
		struct ad_error err = { 0 };

		if (session_node(ui->s)->kind != TREE_CHECK)
			ui_status(ui, 0, "%s", _("This step has no check to run."));
		else if (session_check_start(ui->s, NULL, &err) != 0)
			ui_status(ui, 1, "%s", err.msg);
		break;
	}
	case UI_ACT_CANCEL:
	case UI_ACT_YES:
	case UI_ACT_NO:
		break;
	default:
		return 0;
	}
	return UI_HANDLED | UI_REDRAW;
}

static int job_done(struct ui *ui, enum session_job kind)
{
	const struct ad_error *e = session_job_error(ui->s);

	int pending = st.pending;

	st.pending = 0;
	switch (kind) {
	case SESSION_JOB_CHECK: {
		const char *id = session_job_check(ui->s);
		const struct check_result *r = session_result(ui->s, id);
		struct session_item items[SESSION_MAX_ITEMS];
		size_t n;

		st.sel = first_sel(ui);
		if (r)
			ui_status(ui, 0, _("Check %s: %s"), id,
				  ui_verdict_label(r->verdict));
		/* The Enter that waited for the result, unless cancelled. */
		if (pending && !ui->cancelling &&
		    (n = items_of(ui, items)) > 0 && st.sel < (int)n)
			return activate(ui, &items[st.sel]);
		return UI_HANDLED | UI_REDRAW;
	}
	case SESSION_JOB_PLAN:
		if (session_plan(ui->s))
			ui_push(ui, &ui_screen_fix);
		else
			ui_status(ui, 1, _("The fix cannot be prepared: %s"),
				  e ? e->msg : "?");
		st.sel = 0;
		return UI_HANDLED | UI_REDRAW;
	default:
		return 0;
	}
}

static int tick(struct ui *ui)
{
	sync(ui);
	if (st.arrived) {
		st.arrived = 0;
		/* A node that asks for a message opens the box right away. */
		if (session_wants_message(ui->s)) {
			ui_push(ui, &ui_screen_message);
			return UI_REDRAW;
		}
	}
	if (session_needs_run(ui->s)) {
		ui_autorun(ui);
		return UI_REDRAW;
	}
	return 0;
}

static void enter(struct ui *ui)
{
	(void)ui;
	memset(&st, 0, sizeof st);
}

static const enum ui_action bar[] = {
	UI_ACT_SELECT, UI_ACT_BACK, UI_ACT_FORWARD, UI_ACT_COMMANDS,
	UI_ACT_RECHECK, UI_ACT_EXPORT, UI_ACT_MESSAGE, UI_ACT_HELP,
	UI_ACT_QUIT, UI_ACT_NONE
};

const struct ui_screen_ops ui_screen_node = {
	.name = "node",
	.enter = enter,
	.draw = draw,
	.handle = handle,
	.job_done = job_done,
	.tick = tick,
	.bar = bar,
};
