/* theme.h - colors as roles, with a monochrome column.
 *
 * Screens ask for a role (what the text is), never for a color.  With
 * colors, each role has a foreground/background pair plus attributes;
 * without (NO_COLOR, --no-color, or a terminal without colors) the
 * monochrome column's attributes (bold, reverse, underline) are used, so
 * nothing depends on color alone: verdicts are also spelled out. */
#ifndef AD_UI_THEME_H
#define AD_UI_THEME_H

/* X(role, fg, bg, color attrs, monochrome attrs); -1 = terminal default */
#define UI_ROLES(X) \
	X(NORMAL,   -1,            -1,           A_NORMAL, A_NORMAL) \
	X(TITLE,    COLOR_WHITE,   COLOR_BLUE,   A_BOLD,   A_REVERSE) \
	X(CRUMB,    COLOR_CYAN,    -1,           A_NORMAL, A_UNDERLINE) \
	X(HEADING,  COLOR_CYAN,    -1,           A_BOLD,   A_BOLD) \
	X(SELECTED, COLOR_BLACK,   COLOR_CYAN,   A_NORMAL, A_REVERSE) \
	X(PASS,     COLOR_GREEN,   -1,           A_BOLD,   A_BOLD) \
	X(FAIL,     COLOR_RED,     -1,           A_BOLD,   A_BOLD | A_REVERSE) \
	X(UNKNOWN,  COLOR_YELLOW,  -1,           A_BOLD,   A_BOLD | A_UNDERLINE) \
	X(NA,       COLOR_BLUE,    -1,           A_NORMAL, A_DIM) \
	X(CODE,     COLOR_GREEN,   -1,           A_NORMAL, A_NORMAL) \
	X(WARNING,  COLOR_YELLOW,  -1,           A_BOLD,   A_BOLD) \
	X(ERROR,    COLOR_RED,     -1,           A_BOLD,   A_BOLD) \
	X(DIM,      -1,            -1,           A_DIM,    A_DIM) \
	X(KEYBAR,   COLOR_BLACK,   COLOR_WHITE,  A_NORMAL, A_REVERSE) \
	X(KEY,      COLOR_BLUE,    COLOR_WHITE,  A_BOLD,   A_BOLD | A_REVERSE) \
	X(STATUS,   COLOR_CYAN,    -1,           A_BOLD,   A_BOLD) \
	X(DIALOG,   -1,            -1,           A_NORMAL, A_NORMAL) \
	X(FRAME,    COLOR_YELLOW,  -1,           A_BOLD,   A_BOLD)

enum ui_role {
#define UI_ROLE_ENUM(role, fg, bg, cattr, mattr) UI_ROLE_##role,
	UI_ROLES(UI_ROLE_ENUM)
#undef UI_ROLE_ENUM
	UI_ROLE_COUNT
};

/* After initscr(): colors when the terminal has them and mono is 0. */
void ui_theme_init(int mono);
/* The curses attributes of a role (color pair included). */
int ui_attr(enum ui_role r);
/* 1 when colors are in use. */
int ui_theme_colors(void);

#endif
