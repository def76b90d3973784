/* ui.c - the one event loop of the wizard.
 *
 * Keys are read with a 100 ms timeout so that the spinner turns and the
 * worker's results are picked up between keys.  A resize arrives as
 * KEY_RESIZE (ncurses handles SIGWINCH itself); nothing is done in a
 * signal handler. */
#include "config.h"
#include "ui.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "curses.h"
#include "err.h"
#include "i18n.h"
#include "keys.h"
#include "live.h"
#include "livejob.h"
#include "notice.h"
#include "report.h"
#include "screen.h"
#include "screen_ssh.h"
#include "ssh.h"
#include "session.h"
#include "textw.h"
#include "theme.h"
#include "tree.h"
#include "widgets.h"
#include "world.h"

void ui_push(struct ui *ui, const struct ui_screen_ops *sc)
{
	if (ui->depth >= UI_MAX_DEPTH)
		return;
	ui->stack[ui->depth++] = sc;
	if (sc->enter)
		sc->enter(ui);
}

void ui_pop(struct ui *ui)
{
	const struct ui_screen_ops *sc;

	if (ui->depth <= 1)
		return;
	sc = ui->stack[--ui->depth];
	if (sc->leave)
		sc->leave(ui);
}

void ui_reset(struct ui *ui, const struct ui_screen_ops *sc)
{
	while (ui->depth > 0) {
		const struct ui_screen_ops *top = ui->stack[--ui->depth];

		if (top->leave)
			top->leave(ui);
	}
	ui_push(ui, sc);
}

const struct ui_screen_ops *ui_top(const struct ui *ui)
{
	return ui->depth ? ui->stack[ui->depth - 1] : NULL;
}

void ui_status(struct ui *ui, int error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ui->status, sizeof ui->status, fmt, ap);
	va_end(ap);
	ui->status_error = error;
}

int ui_open_scenario(struct ui *ui, const char *name)
{
	struct ad_error err = { 0 };
	struct session *s = ui_ssh_session_new(ui, name, &err);

	if (!s) {
		ui_status(ui, 1, _("Cannot open scenario %s: %s"), name,
			  err.msg[0] ? err.msg : ad_strerror(err.code));
		return -1;
	}
	session_free(ui->s);
	ui->s = s;
	ui->status[0] = '\0';
	return 0;
}

int ui_open_live(struct ui *ui, int device, int target, const char *name)
{
	const struct ui_options *o = ui->opt;
	struct live_opts lo = { 0 };
	struct ad_error err = { 0 };
	struct world *w = NULL;

	ui_live_stop(ui);
	world_free(ui->lw);
	ui->lw = NULL;
	/* A node picked or found belongs to the cluster it came from. */
	ui->ssh_node[0] = ui->ssh_addr[0] = ui->ssh_why[0] = '\0';
	lo.target = o->webapp ? AD_TARGET_WEBAPP : AD_TARGET_AKS;
	lo.cluster = o->cluster;
	lo.webapp = o->webapp;
	lo.resource_group = o->resource_group;
	lo.subscription = o->subscription;
	if (target == AD_TARGET_AKS || target == AD_TARGET_WEBAPP) {
		lo.target = (enum ad_target)target;
		lo.cluster = target == AD_TARGET_AKS ? name : NULL;
		lo.webapp = target == AD_TARGET_WEBAPP ? name : NULL;
		/* The group given was for the target named on the command
		 * line; another one is found. */
		if ((target == AD_TARGET_AKS && !(o->cluster && name &&
						  strcmp(o->cluster, name) == 0)) ||
		    (target == AD_TARGET_WEBAPP && !(o->webapp && name &&
						     strcmp(o->webapp, name) == 0)))
			lo.resource_group = NULL;
	}
	lo.namespace_ = o->namespace_;
	lo.pod = o->pod;
	lo.image = o->image;
	lo.registry = o->registry;
	lo.message = o->message;
	lo.cloud = o->cloud;
	lo.kubeconfig = o->kubeconfig;
	lo.context = o->context;
	lo.ca_file = o->ca_file;
	lo.credential = device ? "device" : o->credential;
	lo.debug = o->debug;
	/* Device-code sign-in only when asked for: without it a user with no
	 * credentials is told what was tried and offered training first. */
	if (device || (o->credential && strncmp(o->credential, "device", 6) == 0)) {
		lo.prompt = notice_on_prompt;
		lo.prompt_arg = ui->nq;
	}
	lo.on_retry = notice_on_retry;
	lo.retry_arg = ui->nq;
	if (world_open_live(&lo, &w, &err) != 0) {
		ui_status(ui, 1, "%s", err.msg[0] ? err.msg : ad_strerror(err.code));
		return -1;
	}
	ui->lw = w;
	return 0;
}

int ui_live_start(struct ui *ui, enum livejob_kind kind)
{
	if (!ui->lw)
		return -1;
	if (livejob_start(&ui->lj, kind, ui->lw, ui->opt->namespace_,
			  ui->nq) != 0) {
		ui_status(ui, 1, "%s", _("Cannot start the work in the background."));
		return -1;
	}
	ui->status[0] = '\0';
	return 0;
}

void ui_live_stop(struct ui *ui)
{
	livejob_stop(&ui->lj);
}

static int ssh_node_is(const struct ui *ui, const char *what)
{
	return ui->opt->ssh && strcmp(ui->opt->ssh->node, what) == 0;
}

void ui_live_ready(struct ui *ui)
{
	int aks = ui->lw && ui->lw->ctx.target == AD_TARGET_AKS;

	if (aks && !ui->ssh_addr[0] && !ui->ssh_why[0] &&
	    ssh_node_is(ui, SSH_NODE_AUTO) &&
	    ui_live_start(ui, LIVEJOB_POD_NODE) == 0)
		return;
	if (aks && !ui->ssh_addr[0] && ssh_node_is(ui, SSH_NODE_PICK)) {
		ui_nodes_open(ui, 1);
		return;
	}
	ui_live_session(ui);
}

int ui_live_session(struct ui *ui)
{
	struct ad_error err = { 0 };
	struct tree *t = NULL;
	struct session *s;
	int keep = 0;

	if (!ui->lw)
		return -1;
	if (tree_load_builtin(&t, &err) != 0) {
		ui_status(ui, 1, "%s", err.msg);
		return -1;
	}
	/* The node checks over SSH when asked for (options, or a node
	 * picked); without it they say unknown, and the status says why. */
	if ((ui->opt->ssh || ui->ssh_addr[0]) &&
	    ui->lw->ctx.target == AD_TARGET_AKS &&
	    ui_ssh_attach(ui, ui->lw, ui->ssh_node, ui->ssh_addr, &err) != 0) {
		ui_status(ui, 1, _("The node checks cannot use SSH: %s"),
			  ui->ssh_why[0] ? ui->ssh_why : err.msg);
		keep = 1;
		memset(&err, 0, sizeof err);
	}
	/* The session owns the world from here, even on error. */
	s = session_new_world(ui->lw, t, &err);
	ui->lw = NULL;
	if (!s) {
		ui_status(ui, 1, "%s", err.msg[0] ? err.msg : ad_strerror(err.code));
		return -1;
	}
	session_free(ui->s);
	ui->s = s;
	if (!keep)
		ui->status[0] = '\0';
	ui_reset(ui, &ui_screen_node);
	return 0;
}

void ui_world_label(const struct ui *ui, char *buf, size_t len)
{
	const struct world *w = ui->s ? session_world(ui->s) : ui->lw;
	const char *src;

	if (!len)
		return;
	buf[0] = '\0';
	if (!w)
		return;
	if (!world_is_live(w)) {
		snprintf(buf, len, _("training: %s"), world_name(w));
		return;
	}
	src = live_cred_source(w);
	snprintf(buf, len, _("live: %s"), src ? src : _("not signed in"));
}

void ui_export(struct ui *ui)
{
	struct ad_error err = { 0 };
	char path[1024];

	if (!ui->s) {
		ui_status(ui, 1, "%s", _("Open a scenario first."));
		return;
	}
	if (report_write(ui->s, ui->opt->report_dir, path, sizeof path,
			 &err) != 0) {
		ui_status(ui, 1, _("Cannot write the report: %s"), err.msg);
		return;
	}
	ui_status(ui, 0, _("Report written to %s"), path);
}

void ui_autorun(struct ui *ui)
{
	struct ad_error err = { 0 };

	if (!ui->s || !session_needs_run(ui->s))
		return;
	if (session_check_start(ui->s, NULL, &err) != 0)
		ui_status(ui, 1, "%s", err.msg);
}

/* ---------- drawing ---------- */

static void draw_keybar(struct ui *ui)
{
	const struct ui_screen_ops *top = ui_top(ui);
	const enum ui_action *a;
	int x = 0, y = ui->rows - 1;
	char keys[64];

	ui_fill(y, 0, ui->cols, ui_attr(UI_ROLE_KEYBAR));
	a = !top ? NULL : top->bar_now ? top->bar_now(ui) : top->bar;
	for (; a && *a != UI_ACT_NONE; a++) {
		const char *name = _(ui_action_name(*a));
		int need;

		ui_action_keys(*a, keys, sizeof keys, 1);
		need = tw_width(keys) + 1 + tw_width(name) + 2;
		if (x + need > ui->cols)
			break;
		x += ui_put(y, x, keys, ui->cols - x, ui_attr(UI_ROLE_KEY), 0);
		x += ui_put(y, x, " ", 1, ui_attr(UI_ROLE_KEYBAR), 0);
		x += ui_put(y, x, name, ui->cols - x, ui_attr(UI_ROLE_KEYBAR), 0);
		x += ui_put(y, x, "  ", ui->cols - x, ui_attr(UI_ROLE_KEYBAR), 0);
	}
}

static void draw_status(struct ui *ui)
{
	int y = ui->rows - 2, used = 0, lw;
	char line[1200], note[512], label[200];

	ui_fill(y, 0, ui->cols, ui_attr(UI_ROLE_NORMAL));
	notice_latest(ui->nq, note, sizeof note);
	if (livejob_busy(&ui->lj)) {
		const char *what;

		switch (ui->lj.kind) {
		case LIVEJOB_SIGN_IN:
			what = _("Signing in");
			break;
		case LIVEJOB_POD:
		case LIVEJOB_POD_NODE:
			what = _("Reading the pod");
			break;
		case LIVEJOB_NODES:
			what = _("Listing the nodes");
			break;
		default:
			what = _("Finding the target");
			break;
		}
		snprintf(line, sizeof line, "%s %s%s%s  (%s)",
			 ui_spinner(ui->tick), what, note[0] ? ": " : "", note,
			 _("Esc cancels"));
		ui_put(y, 0, line, ui->cols, ui_attr(UI_ROLE_STATUS), 0);
		return;
	}
	if (ui->s && session_busy(ui->s)) {
		const char *what;

		switch (session_job_kind(ui->s)) {
		case SESSION_JOB_PLAN:
			what = _("Preparing the fix");
			break;
		case SESSION_JOB_STEPS:
			what = _("Applying the change");
			break;
		default:
			what = _("Running check");
			break;
		}
		snprintf(line, sizeof line, "%s %s %s%s%s%s  (%s)",
			 ui_spinner(ui->tick), what, session_job_check(ui->s),
			 tw_mark(), note[0] ? " " : "", note, _("Esc cancels"));
		ui_put(y, 0, line, ui->cols, ui_attr(UI_ROLE_STATUS), 0);
		return;
	}
	if (ui->status[0])
		used = ui_put(y, 0, ui->status, ui->cols,
			      ui_attr(ui->status_error ? UI_ROLE_ERROR : UI_ROLE_STATUS), 0);
	/* Which world this is, at the right end when there is room. */
	ui_world_label(ui, label, sizeof label);
	lw = tw_width(label);
	if (label[0] && used + 2 + lw + 1 <= ui->cols)
		ui_put(y, ui->cols - lw - 1, label, lw, ui_attr(UI_ROLE_DIM), 0);
}

static void draw_all(struct ui *ui)
{
	int i, base;

	erase();
	if (ui->cols < UI_MIN_COLS || ui->rows < UI_MIN_ROWS) {
		ui_small_draw(ui);
		refresh();
		return;
	}
	base = ui->depth - 1;
	while (base > 0 && ui->stack[base]->modal)
		base--;
	for (i = base < 0 ? 0 : base; i < ui->depth; i++)
		ui->stack[i]->draw(ui);
	draw_status(ui);
	draw_keybar(ui);
	refresh();
}

/* ---------- events ---------- */

/* The sign-in prompt closes when the work that asked for it ends. */
static void close_devcode(struct ui *ui)
{
	if (ui_top(ui) == &ui_screen_devcode)
		ui_pop(ui);
}

/* A live job ended: give it to the screens, top first. */
static int live_finished(struct ui *ui)
{
	int i;

	close_devcode(ui);
	if (ui->lj.kind == LIVEJOB_POD_NODE) {
		struct livejob *j = &ui->lj;

		if (j->rc == 0) {
			snprintf(ui->ssh_node, sizeof ui->ssh_node, "%s", j->node);
			snprintf(ui->ssh_addr, sizeof ui->ssh_addr, "%s",
				 j->node_addr);
		} else {
			/* Said on the checks' status line. */
			snprintf(ui->ssh_why, sizeof ui->ssh_why,
				 _("--ssh-node auto: %s"), j->err.msg);
		}
		ui->cancelling = 0;
		notice_clear_latest(ui->nq);
		ui_live_ready(ui);
		return UI_REDRAW;
	}
	for (i = ui->depth - 1; i >= 0; i--)
		if (ui->stack[i]->live_done &&
		    (ui->stack[i]->live_done(ui) & UI_HANDLED))
			break;
	if (ui->cancelling)
		ui_status(ui, 0, "%s", _("Cancelled."));
	ui->cancelling = 0;
	notice_clear_latest(ui->nq);
	return UI_REDRAW;
}

/* Events from the workers: a sign-in prompt opens its dialog; retries
 * and progress are read by the status line. */
static int take_notices(struct ui *ui)
{
	struct notice n;
	int r = 0;

	while (notice_pop(ui->nq, &n)) {
		if (n.kind != NOTICE_DEVICE_CODE)
			continue;
		ui->devcode = n;
		if (ui_top(ui) != &ui_screen_devcode)
			ui_push(ui, &ui_screen_devcode);
		r |= UI_REDRAW;
	}
	return r;
}

/* Give a finished job to the screens, top first, until one takes it. */
static int job_finished(struct ui *ui, enum session_job kind)
{
	int i;

	close_devcode(ui);
	notice_clear_latest(ui->nq);

	for (i = ui->depth - 1; i >= 0; i--)
		if (ui->stack[i]->job_done &&
		    (ui->stack[i]->job_done(ui, kind) & UI_HANDLED))
			break;
	if (ui->cancelling && kind != SESSION_JOB_STEPS)
		ui_status(ui, 0, "%s", _("Cancelled."));
	ui->cancelling = 0;
	return UI_REDRAW;
}

static int global_action(struct ui *ui, enum ui_action a)
{
	const struct ui_screen_ops *top = ui_top(ui);

	switch (a) {
	case UI_ACT_HELP:
		if (top != &ui_screen_help)
			ui_push(ui, &ui_screen_help);
		return UI_REDRAW;
	case UI_ACT_QUIT:
		if (top != &ui_screen_quit)
			ui_push(ui, &ui_screen_quit);
		return UI_REDRAW;
	case UI_ACT_EXPORT:
		ui_export(ui);
		return UI_REDRAW;
	case UI_ACT_TRAINING:
		if (top == &ui_screen_picker)
			return 0;
		/* Live work in progress is dropped: training is one key away. */
		ui_live_stop(ui);
		ui->cancelling = 0;
		ui_reset(ui, &ui_screen_picker);
		return UI_REDRAW;
	case UI_ACT_MESSAGE:
		if (ui->s && top != &ui_screen_message)
			ui_push(ui, &ui_screen_message);
		return UI_REDRAW;
	default:
		return 0;
	}
}

static int dispatch(struct ui *ui, const struct ui_key *k)
{
	const struct ui_screen_ops *top = ui_top(ui);
	enum ui_action a;
	int r = 0;

	if (ui->cols < UI_MIN_COLS || ui->rows < UI_MIN_ROWS) {
		/* Only quitting and cancelling make sense here. */
		a = ui_key_action(k);
		if (a == UI_ACT_QUIT)
			return UI_QUIT;
		if (a == UI_ACT_CANCEL && ui->s)
			session_check_cancel(ui->s);
		if (a == UI_ACT_CANCEL && livejob_busy(&ui->lj))
			ad_cancel_set(&ui->lw->cancel);
		return UI_REDRAW;
	}
	if (top && top->key) {
		r = top->key(ui, k);
		if (r & (UI_HANDLED | UI_QUIT))
			return r;
	}
	a = ui_key_action(k);
	if (a == UI_ACT_NONE)
		return r;
	if (a == UI_ACT_CANCEL && livejob_busy(&ui->lj)) {
		ad_cancel_set(&ui->lw->cancel);
		ui->cancelling = 1;
		ui_status(ui, 0, "%s", _("Cancelling..."));
		return UI_REDRAW;
	}
	if (a == UI_ACT_CANCEL && ui->s && session_busy(ui->s)) {
		session_check_cancel(ui->s);
		ui->cancelling = 1;
		ui_status(ui, 0, "%s", _("Cancelling..."));
		return UI_REDRAW;
	}
	ui->status[0] = '\0';
	if (top && top->handle)
		r |= top->handle(ui, a, k);
	if (!(r & UI_HANDLED))
		r |= global_action(ui, a);
	return r | UI_REDRAW;
}

int ui_run(const struct ui_options *opt)
{
	struct ui ui;
	SCREEN *scr;
	int redraw = 1, running = 1;

	memset(&ui, 0, sizeof ui);
	ui.opt = opt;
	livejob_init(&ui.lj);
	ui.nq = notice_queue_new();
	if (!ui.nq) {
		fprintf(stderr, "%s\n", _("acr-doctor: out of memory"));
		return 2;
	}
	scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		fprintf(stderr, "%s\n", _("acr-doctor: cannot use this terminal for the wizard"));
		notice_queue_free(ui.nq);
		return 2;
	}
	set_term(scr);
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	wtimeout(stdscr, 100);
	ui_theme_init(opt->no_color);
	getmaxyx(stdscr, ui.rows, ui.cols);

	if (opt->scenario) {
		if (ui_open_scenario(&ui, opt->scenario) != 0) {
			char msg[sizeof ui.status];

			snprintf(msg, sizeof msg, "%s", ui.status);
			endwin();
			delscreen(scr);
			fprintf(stderr, "acr-doctor: %s\n", msg);
			notice_queue_free(ui.nq);
			return 2;
		}
		ui_reset(&ui, &ui_screen_node);
	} else if (opt->training) {
		ui_reset(&ui, &ui_screen_picker);
	} else {
		ui_reset(&ui, &ui_screen_start);
	}

	while (running && !ui.quit) {
		const struct ui_screen_ops *top;
		struct ui_key k;
		wint_t wch;
		int rc, r = 0;

		r |= take_notices(&ui);
		if (livejob_poll(&ui.lj) == LIVEJOB_DONE)
			r |= live_finished(&ui);
		if (ui.s && session_check_poll(ui.s) == SESSION_DONE)
			r |= job_finished(&ui, session_job_kind(ui.s));
		r |= ui_ssh_tick(&ui);
		top = ui_top(&ui);
		if (top && top->tick)
			r |= top->tick(&ui);
		if (r & UI_REDRAW)
			redraw = 1;
		if (r & UI_QUIT)
			break;
		if (redraw) {
			getmaxyx(stdscr, ui.rows, ui.cols);
			draw_all(&ui);
			redraw = 0;
		}
		rc = wget_wch(stdscr, &wch);
		if (rc == ERR) {
			if ((ui.s && session_busy(ui.s)) || livejob_busy(&ui.lj)) {
				ui.tick++;
				redraw = 1;
			}
			continue;
		}
		if (rc == KEY_CODE_YES && wch == KEY_RESIZE) {
			redraw = 1;
			continue;
		}
		k.func = rc == KEY_CODE_YES;
		k.ch = wch;
		r = dispatch(&ui, &k);
		if (r & UI_QUIT)
			running = 0;
		if (r & UI_REDRAW)
			redraw = 1;
	}
	ui_live_stop(&ui);
	if (ui.s) {
		session_check_cancel(ui.s);
		session_wait(ui.s);
	}
	while (ui.depth > 0) {
		const struct ui_screen_ops *sc = ui.stack[--ui.depth];

		if (sc->leave)
			sc->leave(&ui);
	}
	endwin();
	delscreen(scr);
	session_free(ui.s);
	world_free(ui.lw);
	notice_queue_free(ui.nq);
	ui_ssh_end();
	return 0;
}
