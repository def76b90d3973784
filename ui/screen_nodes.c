/* screen_nodes.c - live AKS: the cluster's nodes, to pick the one the
 * SSH checks connect to.  The list is read in the live worker (GET
 * /api/v1/nodes); every field was validated there.  A node without an
 * InternalIP is shown but cannot be chosen. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "curses.h"
#include "i18n.h"
#include "live.h"
#include "screen.h"
#include "textw.h"
#include "widgets.h"
#include "world.h"

static struct {
	struct live_node nodes[LIVEJOB_MAX_NODES];
	size_t n;
	int sel, top, h;
	int busy;            /* the list is being read */
	int then_session;    /* a pod was resolved: the checks come next */
	char error[1024];
} st;

void ui_nodes_open(struct ui *ui, int then_session)
{
	memset(&st, 0, sizeof st);
	st.then_session = then_session;
	if (!ui->lw || ui->lw->ctx.target != AD_TARGET_AKS) {
		ui_status(ui, 1, "%s", _("Only a live cluster has nodes to pick from."));
		if (then_session)
			ui_live_session(ui);
		return;
	}
	if (ui_live_start(ui, LIVEJOB_NODES) != 0) {
		if (then_session)
			ui_live_session(ui);
		return;
	}
	st.busy = 1;
	ui_push(ui, &ui_screen_nodes);
}

static const char *ready_word(int r)
{
	return r == 1 ? _("Ready") : r == 0 ? _("NotReady") : _("Unknown");
}

static void row(int y, int x, int cols, int wn, const char *name,
		const char *addr, const char *ready, const char *osarch,
		int attr)
{
	int end = x + cols;

	ui_put(y, x, name, wn, attr, 1);
	x += wn + 2;
	if (x < end)
		ui_put(y, x, addr, 15 < end - x ? 15 : end - x, attr, 1);
	x += 17;
	if (x < end)
		ui_put(y, x, ready, 10 < end - x ? 10 : end - x, attr, 1);
	x += 12;
	if (x < end)
		ui_put(y, x, osarch, end - x, attr, 1);
}

static void draw(struct ui *ui)
{
	const char *parts[3] = { PACKAGE_NAME, _("Live"), _("Nodes") };
	int wn, y, i, cols = ui->cols - 8;
	char line[600], osarch[80];
	size_t k;

	ui_titlebar(ui->cols, parts, 3);
	ui_put(1, 2, _("The cluster's nodes: pick the one the SSH checks connect to."),
	       ui->cols - 4, ui_attr(UI_ROLE_HEADING), 0);
	wn = tw_width(_("NODE"));
	for (k = 0; k < st.n; k++) {
		int a = tw_width(st.nodes[k].name);

		wn = a > wn ? a : wn;
	}
	if (wn > cols / 2)
		wn = cols / 2;
	row(3, 6, cols, wn, _("NODE"), _("INTERNAL IP"), _("STATUS"),
	    _("OS/ARCH"), ui_attr(UI_ROLE_DIM));
	st.h = ui->rows - 2 - 4 - 3;
	if (st.h < 1)
		st.h = 1;
	if (st.busy)
		ui_put(4, 6, _("Listing the cluster's nodes..."), cols,
		       ui_attr(UI_ROLE_DIM), 0);
	else if (!st.n && !st.error[0])
		ui_put(4, 6, _("The cluster has no nodes."), cols,
		       ui_attr(UI_ROLE_DIM), 0);
	if (st.sel < st.top)
		st.top = st.sel;
	if (st.sel >= st.top + st.h)
		st.top = st.sel - st.h + 1;
	for (i = st.top, y = 4; !st.busy && i < (int)st.n && y < 4 + st.h;
	     i++, y++) {
		const struct live_node *nd = &st.nodes[i];
		int sel = i == st.sel;
		int attr = ui_attr(sel ? UI_ROLE_SELECTED :
				   nd->addr[0] ? UI_ROLE_NORMAL : UI_ROLE_DIM);

		if (sel)
			ui_fill(y, 1, ui->cols - 2, attr);
		snprintf(line, sizeof line, "%s%2d) ", sel ? ">" : " ", i + 1);
		ui_put(y, 1, line, 5, attr, 0);
		snprintf(osarch, sizeof osarch, "%s/%s",
			 nd->os[0] ? nd->os : "?", nd->arch[0] ? nd->arch : "?");
		row(y, 6, cols, wn, nd->name,
		    nd->addr[0] ? nd->addr : _("(none)"), ready_word(nd->ready),
		    osarch, attr);
	}
	if (st.error[0])
		ui_put(4 + st.h + 1, 2, st.error, ui->cols - 4,
		       ui_attr(UI_ROLE_ERROR), 0);
}

/* Leave the list: to the checks when a pod was resolved, else back. */
static int done(struct ui *ui)
{
	if (st.then_session)
		ui_live_session(ui);
	else
		ui_pop(ui);
	return UI_HANDLED | UI_REDRAW;
}

static int choose(struct ui *ui, int i)
{
	const struct live_node *nd;

	if (i < 0 || (size_t)i >= st.n || st.busy)
		return UI_HANDLED;
	st.sel = i;
	nd = &st.nodes[i];
	if (!nd->addr[0]) {
		snprintf(st.error, sizeof st.error,
			 _("The node %s has no InternalIP address: pick another."),
			 nd->name);
		return UI_HANDLED | UI_REDRAW;
	}
	snprintf(ui->ssh_node, sizeof ui->ssh_node, "%s", nd->name);
	snprintf(ui->ssh_addr, sizeof ui->ssh_addr, "%s", nd->addr);
	ui->ssh_why[0] = '\0';
	if (!st.then_session) {
		ui_pop(ui);
		ui_status(ui, 0, _("The SSH checks will connect to node %s (%s)."),
			  ui->ssh_node, ui->ssh_addr);
		return UI_HANDLED | UI_REDRAW;
	}
	ui_live_session(ui);
	return UI_HANDLED | UI_REDRAW;
}

static int handle(struct ui *ui, enum ui_action a, const struct ui_key *k)
{
	int page = st.h > 1 ? st.h - 1 : 1;

	if (st.busy && a != UI_ACT_HELP && a != UI_ACT_QUIT)
		return UI_HANDLED;
	if (ui_list_move(&st.sel, st.n, page, a))
		return UI_HANDLED | UI_REDRAW;
	switch (a) {
	case UI_ACT_SELECT:
		return choose(ui, st.sel);
	case UI_ACT_PICK:
		if (!k->func && k->ch >= '1' && k->ch <= '9')
			return choose(ui, (int)(k->ch - '1'));
		break;
	case UI_ACT_BACK:
	case UI_ACT_CANCEL:
		return done(ui);
	default:
		return 0;
	}
	return UI_HANDLED | UI_REDRAW;
}

static int live_done(struct ui *ui)
{
	struct livejob *j = &ui->lj;

	if (j->kind != LIVEJOB_NODES)
		return 0;
	st.busy = 0;
	if (j->rc != 0) {
		snprintf(st.error, sizeof st.error,
			 _("The nodes could not be listed: %s"),
			 j->rc == AD_ECANCEL ? _("cancelled") : j->err.msg);
		return UI_HANDLED | UI_REDRAW;
	}
	st.n = j->nnodes < LIVEJOB_MAX_NODES ? j->nnodes : LIVEJOB_MAX_NODES;
	memcpy(st.nodes, j->nodes, st.n * sizeof st.nodes[0]);
	st.sel = 0;
	st.top = 0;
	return UI_HANDLED | UI_REDRAW;
}

static const enum ui_action bar[] = {
	UI_ACT_SELECT, UI_ACT_DOWN, UI_ACT_UP, UI_ACT_BACK, UI_ACT_HELP,
	UI_ACT_QUIT, UI_ACT_NONE
};

const struct ui_screen_ops ui_screen_nodes = {
	.name = "nodes",
	.draw = draw,
	.handle = handle,
	.live_done = live_done,
	.bar = bar,
};
