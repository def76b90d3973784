/* screen_start.c - live mode's first screen: which credentials work and
 * what to look at (the kubeconfig context's cluster, another cluster, a
 * Web App), with training one key away.  Signing in and finding the
 * target run in the live worker; this screen only reads its outputs. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "curses.h"
#include "err.h"
#include "i18n.h"
#include "live.h"
#include "screen.h"
#include "textw.h"
#include "widgets.h"
#include "world.h"

#define NAME_MAX_LEN 63

enum phase {
	PH_FAILED,       /* the world could not be opened (bad --cloud...) */
	PH_SIGNING_IN,
	PH_READY,        /* signed in: pick a target */
	PH_NOCRED,       /* no credential source worked */
	PH_RESOLVING
};

enum item_kind {
	IT_PROPOSED,     /* the cluster or web app named or in kubeconfig */
	IT_CLUSTER,      /* type a cluster name */
	IT_WEBAPP,       /* type a web app name */
	IT_DEVICE,       /* sign in with a device code */
	IT_RETRY,        /* look for credentials again */
	IT_TRAINING
};

#define MAX_ITEMS 6

static struct {
	enum phase phase;
	int device;                    /* the world signs in by device code */
	char proposed[128];            /* target name proposed */
	int proposed_webapp;
	int proposed_kube;             /* from the kubeconfig context */
	char tried[2048];
	char error[1024];
	enum item_kind items[MAX_ITEMS];
	size_t nitems;
	int sel;
	/* text input for a name: 0 none, else AD_TARGET_AKS + 1 or
	 * AD_TARGET_WEBAPP + 1 */
	int input;
	char name[NAME_MAX_LEN + 1];
	size_t nlen;
	/* The target being resolved (AD_TARGET_*) and its name: the world
	 * opened for a web app borrows this buffer while it lives. */
	int target;
	char target_name[NAME_MAX_LEN + 1];
	int used;                      /* the world was resolved once */
} st;

static void build_items(void)
{
	st.nitems = 0;
	if (st.phase == PH_READY) {
		if (st.proposed[0])
			st.items[st.nitems++] = IT_PROPOSED;
		st.items[st.nitems++] = IT_CLUSTER;
		st.items[st.nitems++] = IT_WEBAPP;
	} else if (st.phase == PH_NOCRED) {
		if (!st.device)
			st.items[st.nitems++] = IT_DEVICE;
		st.items[st.nitems++] = IT_RETRY;
	}
	st.items[st.nitems++] = IT_TRAINING;
	if (st.sel >= (int)st.nitems)
		st.sel = (int)st.nitems - 1;
	if (st.sel < 0)
		st.sel = 0;
}

static void propose(struct ui *ui)
{
	const struct ui_options *o = ui->opt;

	st.proposed[0] = '\0';
	st.proposed_webapp = 0;
	st.proposed_kube = 0;
	if (o->webapp) {
		snprintf(st.proposed, sizeof st.proposed, "%s", o->webapp);
		st.proposed_webapp = 1;
	} else if (o->cluster) {
		snprintf(st.proposed, sizeof st.proposed, "%s", o->cluster);
	} else if (ui->lw && live_kube_cluster(ui->lw, st.proposed,
					       sizeof st.proposed) == 0) {
		st.proposed_kube = 1;
	}
}

static void sign_in(struct ui *ui)
{
	st.used = 0;
	st.error[0] = '\0';
	st.tried[0] = '\0';
	if (ui_open_live(ui, st.device, -1, NULL) != 0) {
		snprintf(st.error, sizeof st.error, "%s", ui->status);
		ui->status[0] = '\0';
		st.phase = PH_FAILED;
		build_items();
		return;
	}
	propose(ui);
	st.phase = ui_live_start(ui, LIVEJOB_SIGN_IN) == 0 ? PH_SIGNING_IN :
		   PH_FAILED;
	build_items();
}

static void enter(struct ui *ui)
{
	st.input = 0;
	st.sel = 0;
	if (!ui->lw) {
		sign_in(ui);
		return;
	}
	/* Back from the pods or the training list: the world is signed in
	 * (or not) already. */
	propose(ui);
	st.phase = live_cred_source(ui->lw) ? PH_READY : PH_NOCRED;
	build_items();
}

static const char *item_label(struct ui *ui, enum item_kind k, char *buf,
			      size_t len)
{
	(void)ui;
	switch (k) {
	case IT_PROPOSED:
		if (st.proposed_webapp)
			ui_format1(buf, len, _("The Web App %s"), st.proposed);
		else if (st.proposed_kube)
			ui_format1(buf, len, _("The AKS cluster %s (the current kubeconfig context)"),
				   st.proposed);
		else
			ui_format1(buf, len, _("The AKS cluster %s"), st.proposed);
		return buf;
	case IT_CLUSTER:
		return st.proposed[0] && !st.proposed_webapp ?
		       _("Another AKS cluster (type its name)") :
		       _("An AKS cluster (type its name)");
	case IT_WEBAPP:
		return _("An App Service Web App (type its name)");
	case IT_DEVICE:
		return _("Sign in with a device code (in a browser, on any device)");
	case IT_RETRY:
		return _("Look for credentials again");
	case IT_TRAINING:
		return _("Practise on a training scenario instead (t)");
	}
	return "";
}

static void draw(struct ui *ui)
{
	const char *parts[2] = { PACKAGE_NAME, _("Live") };
	struct ui_text t;
	char line[2400], buf[512];
	int w = ui->cols - 4, y, menu_top, h;
	size_t i;
	const char *src = ui->lw ? live_cred_source(ui->lw) : NULL;

	ui_titlebar(ui->cols, parts, 2);
	ui_put(1, 2, _("Live: diagnose a real cluster or Web App"), w,
	       ui_attr(UI_ROLE_HEADING), 0);
	ui_text_init(&t, w);
	switch (st.phase) {
	case PH_FAILED:
		ui_text_add(&t, _("Live mode cannot start:"), UI_ROLE_ERROR, 0);
		ui_text_add(&t, st.error, UI_ROLE_NORMAL, 2);
		break;
	case PH_SIGNING_IN:
		ui_text_add(&t, _("Looking for Azure credentials..."), UI_ROLE_DIM, 0);
		break;
	case PH_NOCRED:
		ui_text_add(&t, _("No Azure credentials could be used."), UI_ROLE_ERROR, 0);
		if (st.tried[0]) {
			snprintf(line, sizeof line, "%s %s", _("Tried:"), st.tried);
			ui_text_add(&t, line, UI_ROLE_NORMAL, 2);
		}
		else if (st.error[0])
			ui_text_add(&t, st.error, UI_ROLE_DIM, 2);
		ui_text_add(&t, _("Sign in with `az login` (then look again), set a service principal's "
				  "AZURE_* variables, sign in with a device code, or practise on a "
				  "training scenario."), UI_ROLE_NORMAL, 0);
		break;
	case PH_READY:
	case PH_RESOLVING:
		ui_format1(line, sizeof line, _("Azure credentials: %s"),
			   src ? src : "?");
		ui_text_add(&t, line, UI_ROLE_PASS, 0);
		if (st.error[0]) {
			ui_text_add(&t, "", UI_ROLE_NORMAL, 0);
			ui_text_add(&t, st.error, UI_ROLE_ERROR, 0);
		}
		ui_text_add(&t, "", UI_ROLE_NORMAL, 0);
		ui_text_add(&t, _("What cannot pull its image?"), UI_ROLE_HEADING, 0);
		if (!st.proposed[0])
			ui_text_add(&t, _("The current kubeconfig context is not an AKS cluster: "
					  "type the cluster's name, or pick a Web App."),
				    UI_ROLE_DIM, 0);
		break;
	}
	menu_top = ui->rows - 2 - (int)st.nitems - 1 - (st.input ? 3 : 0);
	if (menu_top < 6)
		menu_top = 6;
	h = menu_top - 1 - 3;
	ui_text_draw(&t, 3, 2, h, w, 0);
	ui_text_free(&t);

	y = menu_top;
	for (i = 0; i < st.nitems && y < ui->rows - 2; i++, y++) {
		int sel = (int)i == st.sel && !st.input &&
			  st.phase != PH_RESOLVING && st.phase != PH_SIGNING_IN;
		int attr = ui_attr(sel ? UI_ROLE_SELECTED : UI_ROLE_NORMAL);

		if (sel)
			ui_fill(y, 2, w, attr);
		snprintf(line, sizeof line, "%s%zu) %s", sel ? ">" : " ", i + 1,
			 item_label(ui, st.items[i], buf, sizeof buf));
		ui_put(y, 2, line, w, attr, 0);
	}
	if (st.input && y + 2 < ui->rows - 1) {
		snprintf(line, sizeof line, "%s %s%s",
			 st.input == AD_TARGET_WEBAPP + 1 ? _("Web App name:") :
			 _("Cluster name:"), st.name, tw_utf8() ? "\xe2\x96\x8f" : "|");
		ui_put(y + 1, 2, line, w, ui_attr(UI_ROLE_CODE), 0);
		ui_put(y + 2, 2, _("Enter looks it up; Esc goes back."), w,
		       ui_attr(UI_ROLE_DIM), 0);
	}
}

/* Find the target named: the world is reopened for a web app (its
 * target kind is fixed when it opens), a cluster name is set on it. */
static int resolve(struct ui *ui, int target, const char *name)
{
	struct world *w;

	st.error[0] = '\0';
	st.target = target;
	snprintf(st.target_name, sizeof st.target_name, "%s", name);
	w = ui->lw;
	/* A world resolved once holds what it found for that target: a
	 * fresh one looks for the next. */
	if (!w || w->ctx.target != (enum ad_target)target || st.used) {
		if (ui_open_live(ui, st.device, target, st.target_name) != 0) {
			snprintf(st.error, sizeof st.error, "%s", ui->status);
			ui->status[0] = '\0';
			return UI_HANDLED | UI_REDRAW;
		}
		w = ui->lw;
	}
	st.used = 1;
	if (target == AD_TARGET_AKS)
		snprintf(w->ctx.cluster, sizeof w->ctx.cluster, "%s", name);
	else
		snprintf(w->ctx.webapp, sizeof w->ctx.webapp, "%s", name);
	if (ui_live_start(ui, LIVEJOB_TARGET) == 0)
		st.phase = PH_RESOLVING;
	return UI_HANDLED | UI_REDRAW;
}

static int activate(struct ui *ui, size_t i)
{
	if (i >= st.nitems || st.phase == PH_RESOLVING ||
	    st.phase == PH_SIGNING_IN)
		return UI_HANDLED;
	st.sel = (int)i;
	switch (st.items[i]) {
	case IT_PROPOSED:
		return resolve(ui, st.proposed_webapp ? AD_TARGET_WEBAPP :
			       AD_TARGET_AKS, st.proposed);
	case IT_CLUSTER:
		st.input = AD_TARGET_AKS + 1;
		st.nlen = 0;
		st.name[0] = '\0';
		st.error[0] = '\0';
		break;
	case IT_WEBAPP:
		st.input = AD_TARGET_WEBAPP + 1;
		st.nlen = 0;
		st.name[0] = '\0';
		st.error[0] = '\0';
		break;
	case IT_DEVICE:
		st.device = 1;
		sign_in(ui);
		break;
	case IT_RETRY:
		sign_in(ui);
		break;
	case IT_TRAINING:
		ui_live_stop(ui);
		ui_reset(ui, &ui_screen_picker);
		break;
	}
	return UI_HANDLED | UI_REDRAW;
}

/* The name typed: validated before anything is asked. */
static int submit_name(struct ui *ui)
{
	struct ad_error err = { 0 };
	int target = st.input - 1;

	if (ctx_valid_azure_name(target == AD_TARGET_WEBAPP ? "webapp" :
				 "cluster", st.name, &err) != 0) {
		snprintf(st.error, sizeof st.error, "%s", err.msg);
		return UI_HANDLED | UI_REDRAW;
	}
	st.input = 0;
	return resolve(ui, target, st.name);
}

static int key(struct ui *ui, const struct ui_key *k)
{
	if (!st.input)
		return 0;
	if (k->func) {
		if (k->ch == KEY_BACKSPACE) {
			if (st.nlen)
				st.name[--st.nlen] = '\0';
			return UI_HANDLED | UI_REDRAW;
		}
		if (k->ch == KEY_ENTER)
			return submit_name(ui);
		return UI_HANDLED;
	}
	switch (k->ch) {
	case '\n':
	case '\r':
		return submit_name(ui);
	case 27:
		st.input = 0;
		st.error[0] = '\0';
		return UI_HANDLED | UI_REDRAW;
	case 127:
	case 8:
		if (st.nlen)
			st.name[--st.nlen] = '\0';
		return UI_HANDLED | UI_REDRAW;
	default:
		break;
	}
	/* Azure names are ASCII: anything else is refused as typed. */
	if (k->ch < 0x80 && ctx_name_ok((char[]){ (char)k->ch, 0 }, "-_.()", 1)) {
		if (st.nlen < NAME_MAX_LEN) {
			st.name[st.nlen++] = (char)k->ch;
			st.name[st.nlen] = '\0';
		}
		st.error[0] = '\0';
	} else {
		snprintf(st.error, sizeof st.error, "%s",
			 _("Names have letters, digits, '-', '_', '.' and parentheses only."));
	}
	return UI_HANDLED | UI_REDRAW;
}

static int handle(struct ui *ui, enum ui_action a, const struct ui_key *k)
{
	switch (a) {
	case UI_ACT_UP:
		if (st.sel > 0)
			st.sel--;
		break;
	case UI_ACT_DOWN:
		if (st.sel + 1 < (int)st.nitems)
			st.sel++;
		break;
	case UI_ACT_HOME:
		st.sel = 0;
		break;
	case UI_ACT_END:
		st.sel = (int)st.nitems - 1;
		break;
	case UI_ACT_SELECT:
		return activate(ui, (size_t)st.sel);
	case UI_ACT_PICK:
		if (!k->func && k->ch >= '1' && k->ch <= '9')
			return activate(ui, (size_t)(k->ch - '1'));
		break;
	default:
		return 0;
	}
	return UI_HANDLED | UI_REDRAW;
}

static int live_done(struct ui *ui)
{
	struct livejob *j = &ui->lj;

	switch (j->kind) {
	case LIVEJOB_POD_NODE:
	case LIVEJOB_NODES:
		return 0;
	case LIVEJOB_SIGN_IN:
		if (j->rc == 0 && live_cred_source(ui->lw)) {
			st.phase = PH_READY;
			st.error[0] = '\0';
		} else {
			st.phase = PH_NOCRED;
			live_cred_tried(ui->lw, st.tried, sizeof st.tried);
			snprintf(st.error, sizeof st.error, "%s", j->err.msg);
		}
		st.sel = 0;
		build_items();
		return UI_HANDLED | UI_REDRAW;
	case LIVEJOB_TARGET:
		st.phase = PH_READY;
		build_items();
		if (j->rc == AD_ECANCEL || (j->pods_rc == AD_ECANCEL)) {
			snprintf(st.error, sizeof st.error, "%s", _("Cancelled."));
			return UI_HANDLED | UI_REDRAW;
		}
		if (ui->lw->ctx.target == AD_TARGET_WEBAPP ||
		    (ui->opt->pod && j->rc == 0)) {
			if (j->rc != 0) {
				snprintf(st.error, sizeof st.error, "%s", j->err.msg);
				return UI_HANDLED | UI_REDRAW;
			}
			ui_live_ready(ui);
			return UI_HANDLED | UI_REDRAW;
		}
		if (j->pods_rc != 0) {
			snprintf(st.error, sizeof st.error, "%s",
				 j->rc != 0 ? j->err.msg : j->pods_err.msg);
			return UI_HANDLED | UI_REDRAW;
		}
		if (!j->npods) {
			if (ui->opt->namespace_)
				ui_format1(st.error, sizeof st.error,
					   _("No pod in namespace %s is in ImagePullBackOff or ErrImagePull: nothing fails to pull there now."),
					   ui->opt->namespace_);
			else
				ui_format1(st.error, sizeof st.error,
					   _("No pod of %s is in ImagePullBackOff or ErrImagePull: nothing fails to pull now."),
					   ui->lw->ctx.cluster);
			return UI_HANDLED | UI_REDRAW;
		}
		ui_pods_set(ui->lw->ctx.cluster, j->pods, j->npods);
		ui_push(ui, &ui_screen_pods);
		return UI_HANDLED | UI_REDRAW;
	case LIVEJOB_POD:
		return 0;
	}
	return 0;
}

static const enum ui_action bar[] = {
	UI_ACT_SELECT, UI_ACT_DOWN, UI_ACT_UP, UI_ACT_TRAINING, UI_ACT_HELP,
	UI_ACT_QUIT, UI_ACT_NONE
};

const struct ui_screen_ops ui_screen_start = {
	.name = "start",
	.enter = enter,
	.draw = draw,
	.handle = handle,
	.key = key,
	.live_done = live_done,
	.bar = bar,
};
