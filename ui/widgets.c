#include "config.h"
#include "widgets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "curses.h"
#include "i18n.h"
#include "textw.h"

void ui_text_init(struct ui_text *t, int width)
{
	memset(t, 0, sizeof *t);
	t->width = width < 1 ? 1 : width;
}

void ui_text_free(struct ui_text *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->v[i].text);
		free(t->v[i].label);
	}
	free(t->v);
	memset(t, 0, sizeof *t);
}

static void push_line(struct ui_text *t, char *text, enum ui_role role,
		      int indent)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 32;
		struct ui_line *v = realloc(t->v, cap * sizeof *v);

		if (!v) {
			free(text);
			t->oom = 1;
			return;
		}
		t->v = v;
		t->cap = cap;
	}
	memset(&t->v[t->n], 0, sizeof t->v[t->n]);
	t->v[t->n].text = text;
	t->v[t->n].role = role;
	t->v[t->n].indent = indent;
	t->n++;
}

void ui_text_add(struct ui_text *t, const char *s, enum ui_role role,
		 int indent)
{
	char *clean, **lines;
	size_t n, i;
	int w;

	if (!s)
		return;
	if (indent > t->width - 1)
		indent = t->width - 1;
	if (indent < 0)
		indent = 0;
	w = t->width - indent;
	clean = tw_sanitize_dup(s);
	if (!clean) {
		t->oom = 1;
		return;
	}
	lines = tw_wrap(clean, w, &n);
	free(clean);
	if (!lines) {
		t->oom = 1;
		return;
	}
	for (i = 0; i < n; i++) {
		push_line(t, lines[i], role, indent);
		lines[i] = NULL;
	}
	free(lines);
}

void ui_text_add_label(struct ui_text *t, const char *label,
		       enum ui_role lrole, const char *s, enum ui_role role,
		       int indent)
{
	int lw = tw_width(label) + 1;
	size_t first = t->n;

	if (indent + lw > t->width / 2) {
		ui_text_add(t, label, lrole, indent);
		ui_text_add(t, s, role, indent + 2);
		return;
	}
	/* Wrap the text under itself; the label sits left of line one. */
	ui_text_add(t, s && *s ? s : " ", role, indent + lw);
	if (t->n == first)
		return;
	t->v[first].label = tw_sanitize_dup(label);
	t->v[first].lrole = lrole;
}

void ui_text_draw(const struct ui_text *t, int y, int x, int h, int w,
		  size_t scroll)
{
	int row;

	for (row = 0; row < h; row++) {
		size_t i = scroll + (size_t)row;
		const struct ui_line *l;

		if (i >= t->n)
			break;
		l = &t->v[i];
		if (l->indent >= w)
			continue;
		if (l->label) {
			int lw = tw_width(l->label) + 1;
			int lx = l->indent - lw;

			if (lx < 0)
				lx = 0;
			ui_put(y + row, x + lx, l->label, w - lx,
			       ui_attr(l->lrole), 0);
		}
		ui_put(y + row, x + l->indent, l->text, w - l->indent,
		       ui_attr(l->role), 0);
	}
}

size_t ui_text_clamp(const struct ui_text *t, size_t scroll, int h)
{
	size_t max = t->n > (size_t)(h > 0 ? h : 0) ? t->n - (size_t)h : 0;

	return scroll > max ? max : scroll;
}

int ui_text_scroll(size_t *scroll, int h, enum ui_action a)
{
	size_t page = h > 2 ? (size_t)h - 1 : 1;

	switch (a) {
	case UI_ACT_UP:
		if (*scroll)
			(*scroll)--;
		return 1;
	case UI_ACT_DOWN:
		(*scroll)++;
		return 1;
	case UI_ACT_PGUP:
		*scroll = *scroll > page ? *scroll - page : 0;
		return 1;
	case UI_ACT_PGDN:
		*scroll += page;
		return 1;
	case UI_ACT_HOME:
		*scroll = 0;
		return 1;
	case UI_ACT_END:
		*scroll = (size_t)-1 / 2;  /* clamped when drawn */
		return 1;
	default:
		return 0;
	}
}

int ui_put(int y, int x, const char *s, int cols, int attr, int pad)
{
	char buf[2048];
	int used;

	if (cols <= 0)
		return 0;
	used = tw_fit(buf, sizeof buf, s ? s : "", cols, 1);
	attrset(attr);
	mvaddstr(y, x, buf);
	if (pad && used < cols)
		mvhline(y, x + used, ' ', cols - used);
	attrset(A_NORMAL);
	return used;
}

void ui_fill(int y, int x, int cols, int attr)
{
	if (cols <= 0)
		return;
	attrset(attr);
	mvhline(y, x, ' ', cols);
	attrset(A_NORMAL);
}

/* The ACS character of a line piece (acs_map is filled at runtime). */
static chtype line_acs(enum ui_box_piece k)
{
	switch (k) {
	case UI_BOX_H: return ACS_HLINE;
	case UI_BOX_V: return ACS_VLINE;
	case UI_BOX_UL: return ACS_ULCORNER;
	case UI_BOX_UR: return ACS_URCORNER;
	case UI_BOX_LL: return ACS_LLCORNER;
	case UI_BOX_LR: return ACS_LRCORNER;
	}
	return '+';
}

/* The same piece as a Unicode character in attr; 0 when the locale is
 * not UTF-8 (then the ACS is used). */
static int line_wide(enum ui_box_piece k, int attr, cchar_t *cc)
{
	static const wchar_t pieces[] = { 0x2500, 0x2502, 0x250C, 0x2510,
					  0x2514, 0x2518 };
	wchar_t w[2];

	if (!tw_utf8() || (unsigned)k >= sizeof pieces / sizeof pieces[0])
		return 0;
	w[0] = pieces[k];
	w[1] = L'\0';
	return setcchar(cc, w, (attr_t)(attr & ~A_COLOR),
			(short)PAIR_NUMBER(attr), NULL) == OK;
}

void ui_hline(int y, int x, int n, int attr)
{
	cchar_t cc;

	if (n <= 0)
		return;
	if (line_wide(UI_BOX_H, attr, &cc)) {
		mvhline_set(y, x, &cc, n);
		return;
	}
	attrset(attr);
	mvhline(y, x, line_acs(UI_BOX_H), n);
	attrset(A_NORMAL);
}

void ui_vline(int y, int x, int n, int attr)
{
	cchar_t cc;

	if (n <= 0)
		return;
	if (line_wide(UI_BOX_V, attr, &cc)) {
		mvvline_set(y, x, &cc, n);
		return;
	}
	attrset(attr);
	mvvline(y, x, line_acs(UI_BOX_V), n);
	attrset(A_NORMAL);
}

void ui_corner(int y, int x, enum ui_box_piece which, int attr)
{
	cchar_t cc;

	if (line_wide(which, attr, &cc)) {
		mvadd_wch(y, x, &cc);
		return;
	}
	attrset(attr);
	mvaddch(y, x, line_acs(which));
	attrset(A_NORMAL);
}

void ui_box(int y, int x, int h, int w, const char *title)
{
	int r, a = ui_attr(UI_ROLE_FRAME);

	if (h < 2 || w < 4)
		return;
	for (r = 0; r < h; r++)
		ui_fill(y + r, x, w, ui_attr(UI_ROLE_DIALOG));
	ui_corner(y, x, UI_BOX_UL, a);
	ui_corner(y, x + w - 1, UI_BOX_UR, a);
	ui_corner(y + h - 1, x, UI_BOX_LL, a);
	ui_corner(y + h - 1, x + w - 1, UI_BOX_LR, a);
	ui_hline(y, x + 1, w - 2, a);
	ui_hline(y + h - 1, x + 1, w - 2, a);
	ui_vline(y + 1, x, h - 2, a);
	ui_vline(y + 1, x + w - 1, h - 2, a);
	if (title && *title) {
		int used = ui_put(y, x + 2, " ", w - 4, ui_attr(UI_ROLE_FRAME), 0);

		used += ui_put(y, x + 2 + used, title, w - 6,
			       ui_attr(UI_ROLE_FRAME), 0);
		ui_put(y, x + 2 + used, " ", 1, ui_attr(UI_ROLE_FRAME), 0);
	}
}

void ui_format1(char *buf, size_t len, const char *fmt, const char *arg)
{
	size_t o = 0;
	int used = 0;

	if (!len)
		return;
	for (; fmt && *fmt && o + 1 < len; fmt++) {
		if (fmt[0] == '%' && fmt[1] == '%') {
			buf[o++] = '%';
			fmt++;
		} else if (fmt[0] == '%' && fmt[1] == 's' && !used) {
			const char *a = arg ? arg : "";

			while (*a && o + 1 < len)
				buf[o++] = *a++;
			used = 1;
			fmt++;
		} else {
			buf[o++] = *fmt;
		}
	}
	buf[o] = '\0';
}

void ui_titlebar(int cols, const char *const *parts, size_t n)
{
	char line[2048], fitted[2048];
	const char *sep = tw_utf8() ? " \xe2\x80\xba " : " > ";
	size_t i, o = 0;

	line[0] = '\0';
	for (i = 0; i < n && o + 1 < sizeof line; i++) {
		int k = snprintf(line + o, sizeof line - o, "%s%s",
				 i ? sep : "", parts[i] ? parts[i] : "");

		if (k < 0)
			break;
		o += (size_t)k;
		if (o >= sizeof line)
			o = sizeof line - 1;
	}
	ui_fill(0, 0, cols, ui_attr(UI_ROLE_TITLE));
	tw_fit_tail(fitted, sizeof fitted, line, cols - 2, 1);
	ui_put(0, 1, fitted, cols - 2, ui_attr(UI_ROLE_TITLE), 0);
}

const char *ui_spinner(unsigned n)
{
	static const char *const braille[] = {
		"\xe2\xa0\x8b", "\xe2\xa0\x99", "\xe2\xa0\xb9", "\xe2\xa0\xb8",
		"\xe2\xa0\xbc", "\xe2\xa0\xb4", "\xe2\xa0\xa6", "\xe2\xa0\xa7",
		"\xe2\xa0\x87", "\xe2\xa0\x8f" };
	static const char *const ascii[] = { "|", "/", "-", "\\" };

	if (tw_utf8())
		return braille[n % 10];
	return ascii[n % 4];
}

enum ui_role ui_verdict_role(int verdict)
{
	switch (verdict) {
	case CHECK_PASS: return UI_ROLE_PASS;
	case CHECK_FAIL: return UI_ROLE_FAIL;
	case CHECK_NA: return UI_ROLE_NA;
	default: return UI_ROLE_UNKNOWN;
	}
}

const char *ui_verdict_label(int verdict)
{
	switch (verdict) {
	/* TRANSLATORS: check verdicts, shown as a label; keep them short */
	case CHECK_PASS: return _("PASS");
	case CHECK_FAIL: return _("FAIL");
	case CHECK_NA: return _("NOT APPLICABLE");
	default: return _("UNKNOWN");
	}
}

int ui_list_move(int *sel, size_t n, int page, enum ui_action a)
{
	int last = n ? (int)n - 1 : 0;

	switch (a) {
	case UI_ACT_UP:
		if (*sel > 0)
			(*sel)--;
		return 1;
	case UI_ACT_DOWN:
		if (*sel < last)
			(*sel)++;
		return 1;
	case UI_ACT_PGUP:
		*sel = *sel > page ? *sel - page : 0;
		return 1;
	case UI_ACT_PGDN:
		*sel = *sel + page < (int)n ? *sel + page : last;
		return 1;
	case UI_ACT_HOME:
		*sel = 0;
		return 1;
	case UI_ACT_END:
		*sel = last;
		return 1;
	default:
		return 0;
	}
}
