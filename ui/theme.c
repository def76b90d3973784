#include "config.h"
#include "theme.h"

#include "curses.h"

static const struct {
	short fg, bg;
	int cattr, mattr;
} roles[UI_ROLE_COUNT] = {
#define UI_ROLE_ROW(role, f, b, ca, ma) [UI_ROLE_##role] = { f, b, ca, ma },
	UI_ROLES(UI_ROLE_ROW)
#undef UI_ROLE_ROW
};

static int use_colors;

void ui_theme_init(int mono)
{
	int i;

	use_colors = !mono && has_colors() && start_color() == OK;
	if (!use_colors)
		return;
	if (use_default_colors() != OK) {
		/* No "default" color: fall back to white on black. */
		for (i = 0; i < UI_ROLE_COUNT; i++)
			init_pair((short)(i + 1),
				  roles[i].fg < 0 ? COLOR_WHITE : roles[i].fg,
				  roles[i].bg < 0 ? COLOR_BLACK : roles[i].bg);
		return;
	}
	for (i = 0; i < UI_ROLE_COUNT; i++)
		init_pair((short)(i + 1), roles[i].fg, roles[i].bg);
}

int ui_attr(enum ui_role r)
{
	if ((unsigned)r >= UI_ROLE_COUNT)
		r = UI_ROLE_NORMAL;
	if (!use_colors)
		return roles[r].mattr;
	return roles[r].cattr | (int)COLOR_PAIR(r + 1);
}

int ui_theme_colors(void)
{
	return use_colors;
}
