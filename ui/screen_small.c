/* screen_small.c - shown instead of everything while the terminal is
 * smaller than the wizard needs; the loop redraws the wizard as soon as a
 * KEY_RESIZE says it is big enough again. */
#include "config.h"

#include <stdio.h>

#include "curses.h"
#include "i18n.h"
#include "screen.h"
#include "textw.h"
#include "widgets.h"

void ui_small_draw(struct ui *ui)
{
	char line[256];
	const char *lines[3];
	int i, y;

	lines[0] = _("Terminal too small");
	snprintf(line, sizeof line, _("%dx%d: the wizard needs at least %dx%d."),
		 ui->cols, ui->rows, UI_MIN_COLS, UI_MIN_ROWS);
	lines[1] = line;
	lines[2] = _("Make the window larger, or press q to quit.");
	y = ui->rows / 2 - 1;
	if (y < 0)
		y = 0;
	for (i = 0; i < 3 && y + i < ui->rows; i++) {
		int w = tw_width(lines[i]);
		int x = w < ui->cols ? (ui->cols - w) / 2 : 0;

		ui_put(y + i, x, lines[i], ui->cols - x,
		       ui_attr(i == 0 ? UI_ROLE_WARNING : UI_ROLE_NORMAL), 0);
	}
}
