/* screen_pods.c - live AKS: the pods that cannot pull their image, to
 * pick the one to diagnose.  Choosing one sets the context's namespace,
 * pod and image (the registry is then found from the image) and resolves
 * it in the live worker; the tree is walked from the session after. */
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
	struct live_pod pods[LIVEJOB_MAX_PODS];
	size_t n;
	int sel, top, h;
	int busy;            /* the chosen pod is being resolved */
	char cluster[64];    /* copied: the worker owns the world meanwhile */
	char error[1024];
} st;

void ui_pods_set(const char *cluster, const struct live_pod *pods, size_t n)
{
	snprintf(st.cluster, sizeof st.cluster, "%s", cluster);
	if (n > LIVEJOB_MAX_PODS)
		n = LIVEJOB_MAX_PODS;
	memcpy(st.pods, pods, n * sizeof *pods);
	st.n = n;
	st.sel = 0;
	st.top = 0;
	st.busy = 0;
	st.error[0] = '\0';
}

/* Column widths: namespace, pod, reason; the image takes the rest. */
static void widths(int cols, int *wn, int *wp, int *wr)
{
	size_t i;

	*wn = tw_width(_("NAMESPACE"));
	*wp = tw_width(_("POD"));
	*wr = tw_width(_("REASON"));
	for (i = 0; i < st.n; i++) {
		int a = tw_width(st.pods[i].namespace_), b = tw_width(st.pods[i].name),
		    c = tw_width(st.pods[i].reason);

		*wn = a > *wn ? a : *wn;
		*wp = b > *wp ? b : *wp;
		*wr = c > *wr ? c : *wr;
	}
	if (*wn > cols / 6)
		*wn = cols / 6;
	if (*wp > cols / 3)
		*wp = cols / 3;
	if (*wr > 18)      /* ImagePullBackOff fits */
		*wr = 18;
}

/* One row: every field is sanitized and cut to its column by ui_put. */
static void row(int y, int x, int cols, int wn, int wp, int wr,
		const char *a, const char *b, const char *c, const char *d,
		int attr)
{
	int end = x + cols;

	ui_put(y, x, a, wn, attr, 1);
	x += wn + 2;
	if (x < end)
		ui_put(y, x, b, wp < end - x ? wp : end - x, attr, 1);
	x += wp + 2;
	if (x < end)
		ui_put(y, x, d, wr < end - x ? wr : end - x, attr, 1);
	x += wr + 2;
	if (x < end)
		ui_put(y, x, c, end - x, attr, 1);
}

static void draw(struct ui *ui)
{
	const char *parts[3] = { PACKAGE_NAME, _("Live"), _("Failing pods") };
	int wn, wp, wr, y, i, cols = ui->cols - 8;
	char line[600];

	ui_titlebar(ui->cols, parts, 3);
	if (ui->opt->namespace_)
		ui_format1(line, sizeof line,
			   _("Pods in namespace %s that cannot pull their image: pick one."),
			   ui->opt->namespace_);
	else
		ui_format1(line, sizeof line,
			   _("Pods of %s that cannot pull their image (all namespaces): pick one."),
			   st.cluster);
	ui_put(1, 2, line, ui->cols - 4, ui_attr(UI_ROLE_HEADING), 0);
	widths(cols, &wn, &wp, &wr);
	row(3, 6, cols, wn, wp, wr, _("NAMESPACE"), _("POD"), _("IMAGE"),
	    _("REASON"), ui_attr(UI_ROLE_DIM));
	st.h = ui->rows - 2 - 4 - 3;
	if (st.h < 1)
		st.h = 1;
	if (st.sel < st.top)
		st.top = st.sel;
	if (st.sel >= st.top + st.h)
		st.top = st.sel - st.h + 1;
	for (i = st.top, y = 4; i < (int)st.n && y < 4 + st.h; i++, y++) {
		int sel = i == st.sel;
		int attr = ui_attr(sel ? UI_ROLE_SELECTED : UI_ROLE_NORMAL);

		if (sel)
			ui_fill(y, 1, ui->cols - 2, attr);
		snprintf(line, sizeof line, "%s%2d) ", sel ? ">" : " ", i + 1);
		ui_put(y, 1, line, 5, attr, 0);
		row(y, 6, cols, wn, wp, wr, st.pods[i].namespace_,
		    st.pods[i].name, st.pods[i].image, st.pods[i].reason, attr);
	}
	if (st.error[0])
		ui_put(4 + st.h + 1, 2, st.error, ui->cols - 4,
		       ui_attr(UI_ROLE_ERROR), 0);
}

static void copy_field(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src);
}

static int choose(struct ui *ui, int i)
{
	struct world *w = ui->lw;
	const struct live_pod *p;

	if (i < 0 || (size_t)i >= st.n || !w || st.busy)
		return UI_HANDLED;
	st.sel = i;
	p = &st.pods[i];
	/* Sizes: the pod fields fit the context's (64, 254, 512). */
	copy_field(w->ctx.namespace_, sizeof w->ctx.namespace_, p->namespace_);
	copy_field(w->ctx.pod, sizeof w->ctx.pod, p->name);
	copy_field(w->ctx.image, sizeof w->ctx.image, p->image);
	/* The registry is the chosen image's, unless the user named one. */
	if (!ui->opt->registry) {
		w->ctx.registry[0] = '\0';
		w->ctx.registry_group[0] = '\0';
	}
	st.error[0] = '\0';
	if (ui_live_start(ui, LIVEJOB_POD) == 0)
		st.busy = 1;
	return UI_HANDLED | UI_REDRAW;
}

static int handle(struct ui *ui, enum ui_action a, const struct ui_key *k)
{
	int page = st.h > 1 ? st.h - 1 : 1;

	if (st.busy && a != UI_ACT_HELP && a != UI_ACT_QUIT &&
	    a != UI_ACT_TRAINING)
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
		ui_pop(ui);
		break;
	case UI_ACT_NODES:
		ui_nodes_open(ui, 0);
		break;
	default:
		return 0;
	}
	return UI_HANDLED | UI_REDRAW;
}

static int live_done(struct ui *ui)
{
	struct livejob *j = &ui->lj;

	if (j->kind != LIVEJOB_POD)
		return 0;
	st.busy = 0;
	if (j->rc != 0) {
		snprintf(st.error, sizeof st.error, "%s",
			 j->rc == AD_ECANCEL ? _("Cancelled.") : j->err.msg);
		return UI_HANDLED | UI_REDRAW;
	}
	ui_live_ready(ui);
	return UI_HANDLED | UI_REDRAW;
}

static const enum ui_action bar[] = {
	UI_ACT_SELECT, UI_ACT_DOWN, UI_ACT_UP, UI_ACT_BACK, UI_ACT_NODES,
	UI_ACT_TRAINING, UI_ACT_HELP, UI_ACT_QUIT, UI_ACT_NONE
};

const struct ui_screen_ops ui_screen_pods = {
	.name = "pods",
	.draw = draw,
	.handle = handle,
	.live_done = live_done,
	.bar = bar,
};
