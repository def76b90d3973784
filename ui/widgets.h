/* widgets.h - drawing helpers; every string is measured with textw.
 *
 * A ui_text is a list of display lines built by wrapping paragraphs to a
 * width; screens rebuild it on every draw (cheap) so a resize rewraps. */
#ifndef AD_UI_WIDGETS_H
#define AD_UI_WIDGETS_H

#include <stddef.h>

#include "keys.h"
#include "theme.h"

struct ui_line {
	char *text;       /* owned, already sanitized */
	enum ui_role role;
	int indent;
	char *label;      /* owned or NULL: drawn before text in lrole */
	enum ui_role lrole;
};

struct ui_text {
	struct ui_line *v;
	size_t n, cap;
	int width;        /* wrap width of the lines */
	int oom;
};

void ui_text_init(struct ui_text *t, int width);
void ui_text_free(struct ui_text *t);
/* Wrap s (untrusted: sanitized here) at width - indent; "" adds a blank
 * line; NULL adds nothing. */
void ui_text_add(struct ui_text *t, const char *s, enum ui_role role,
		 int indent);
/* Same with a hanging label: "label  text..." wrapped under the text. */
void ui_text_add_label(struct ui_text *t, const char *label,
		       enum ui_role lrole, const char *s, enum ui_role role,
		       int indent);
/* Draw lines [scroll, scroll+h) at y,x within w columns. */
void ui_text_draw(const struct ui_text *t, int y, int x, int h, int w,
		  size_t scroll);
/* Keep scroll within [0, n - h]. */
size_t ui_text_clamp(const struct ui_text *t, size_t scroll, int h);
/* Move *scroll for a scrolling action (line up/down, page of h rows,
 * home, end; the draw clamps it).  Returns 1 when a was one of them. */
int ui_text_scroll(size_t *scroll, int h, enum ui_action a);
/* Move the selection *sel of a list of n rows, page rows a page, for the
 * movement actions (up, down, page up/down, home, end): 1 when a was one
 * of them, 0 otherwise. */
int ui_list_move(int *sel, size_t n, int page, enum ui_action a);

/* Put s at y,x in at most cols columns (cut with the mark), with attr;
 * pad: fill the rest of cols with spaces.  Returns columns drawn. */
int ui_put(int y, int x, const char *s, int cols, int attr, int pad);
/* Fill a row segment with spaces in attr. */
void ui_fill(int y, int x, int cols, int attr);
/* Line drawing: in a UTF-8 locale the Unicode box characters themselves
 * (U+2500...), which every UTF-8 terminal shows; the alternate character
 * set only otherwise (a terminal whose terminfo does not switch it, such
 * as xterm-256color inside tmux, would show "qqqq").  Drawn in attr. */
enum ui_box_piece { UI_BOX_H, UI_BOX_V, UI_BOX_UL, UI_BOX_UR, UI_BOX_LL,
	       UI_BOX_LR };
void ui_hline(int y, int x, int n, int attr);
void ui_vline(int y, int x, int n, int attr);
void ui_corner(int y, int x, enum ui_box_piece which, int attr);
/* A box (frame and cleared inside) at y,x of h rows and w columns with a
 * title in the top border. */
void ui_box(int y, int x, int h, int w, const char *title);
/* Replace the first "%s" of fmt (a translated label: never given to
 * printf) with arg; "%%" becomes "%". */
void ui_format1(char *buf, size_t len, const char *fmt, const char *arg);
/* The top bar: "acr-doctor › a › b" fitted from the end to cols. */
void ui_titlebar(int cols, const char *const *parts, size_t n);
/* The spinner frame for tick n ("⠋" or "|"). */
const char *ui_spinner(unsigned n);
/* The role showing a check verdict, and its label (translated). */
enum ui_role ui_verdict_role(int verdict);
const char *ui_verdict_label(int verdict);

#endif
