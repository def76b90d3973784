#include "config.h"
#include "keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "curses.h"
#include "i18n.h"
#include "textw.h"

static const struct {
	const char *name;
	const char *help;
} actions[UI_ACT_COUNT] = {
	[UI_ACT_NONE] = { "", "" },
#define UI_ACT_ROW(name, shortname, help) [UI_ACT_##name] = { shortname, help },
	UI_ACTIONS(UI_ACT_ROW)
#undef UI_ACT_ROW
};

/* The first binding of an action is the one the key bar shows. */
static const struct ui_binding bindings[] = {
	{ 1, KEY_UP, UI_ACT_UP },
	{ 0, 'k', UI_ACT_UP },
	{ 1, KEY_DOWN, UI_ACT_DOWN },
	{ 0, 'j', UI_ACT_DOWN },
	{ 1, KEY_PPAGE, UI_ACT_PGUP },
	{ 1, KEY_NPAGE, UI_ACT_PGDN },
	{ 0, ' ', UI_ACT_PGDN },
	{ 1, KEY_HOME, UI_ACT_HOME },
	{ 0, 'g', UI_ACT_HOME },
	{ 1, KEY_END, UI_ACT_END },
	{ 0, 'G', UI_ACT_END },
	{ 0, '\n', UI_ACT_SELECT },
	{ 0, '\r', UI_ACT_SELECT },
	{ 1, KEY_ENTER, UI_ACT_SELECT },
	{ 0, '1', UI_ACT_PICK }, { 0, '2', UI_ACT_PICK }, { 0, '3', UI_ACT_PICK },
	{ 0, '4', UI_ACT_PICK }, { 0, '5', UI_ACT_PICK }, { 0, '6', UI_ACT_PICK },
	{ 0, '7', UI_ACT_PICK }, { 0, '8', UI_ACT_PICK }, { 0, '9', UI_ACT_PICK },
	{ 0, 'b', UI_ACT_BACK },
	{ 1, KEY_BACKSPACE, UI_ACT_BACK },
	{ 0, 127, UI_ACT_BACK },
	{ 0, 8, UI_ACT_BACK },
	{ 0, 'f', UI_ACT_FORWARD },
	{ 0, 'r', UI_ACT_RESTART },
	{ 0, 'c', UI_ACT_COMMANDS },
	{ 0, 'x', UI_ACT_RECHECK },
	{ 0, 'e', UI_ACT_EXPORT },
	{ 0, 'm', UI_ACT_MESSAGE },
	{ 0, 't', UI_ACT_TRAINING },
	{ 0, 's', UI_ACT_NODES },
	{ 0, '?', UI_ACT_HELP },
	{ 1, KEY_F(1), UI_ACT_HELP },
	{ 0, 'q', UI_ACT_QUIT },
	{ 0, 27, UI_ACT_CANCEL },
	{ 0, 'y', UI_ACT_YES },
	{ 0, 'Y', UI_ACT_YES },
	{ 0, 'n', UI_ACT_NO },
	{ 0, 'N', UI_ACT_NO },
};

enum ui_action ui_key_action(const struct ui_key *k)
{
	size_t i;

	for (i = 0; i < sizeof bindings / sizeof bindings[0]; i++)
		if (bindings[i].func == k->func && bindings[i].ch == k->ch)
			return bindings[i].action;
	return UI_ACT_NONE;
}

const char *ui_action_name(enum ui_action a)
{
	return (unsigned)a < UI_ACT_COUNT ? actions[a].name : "";
}

const char *ui_action_help(enum ui_action a)
{
	return (unsigned)a < UI_ACT_COUNT ? actions[a].help : "";
}

const struct ui_binding *ui_bindings(size_t *n)
{
	*n = sizeof bindings / sizeof bindings[0];
	return bindings;
}

void ui_key_name(int func, wint_t ch, char *buf, size_t len)
{
	int utf8 = tw_utf8();

	if (func) {
		const char *s = NULL;

		switch (ch) {
		/* TRANSLATORS: key names on the help screen and key bar */
		case KEY_UP: s = utf8 ? "\xe2\x86\x91" : _("Up"); break;
		case KEY_DOWN: s = utf8 ? "\xe2\x86\x93" : _("Down"); break;
		case KEY_LEFT: s = utf8 ? "\xe2\x86\x90" : _("Left"); break;
		case KEY_RIGHT: s = utf8 ? "\xe2\x86\x92" : _("Right"); break;
		case KEY_PPAGE: s = _("PgUp"); break;
		case KEY_NPAGE: s = _("PgDn"); break;
		case KEY_HOME: s = _("Home"); break;
		case KEY_END: s = _("End"); break;
		case KEY_ENTER: s = _("Enter"); break;
		case KEY_BACKSPACE: s = _("Backspace"); break;
		default:
			if (ch >= (wint_t)KEY_F(1) && ch <= (wint_t)KEY_F(12)) {
				snprintf(buf, len, "F%d", (int)(ch - KEY_F0));
				return;
			}
			s = "?";
		}
		snprintf(buf, len, "%s", s);
		return;
	}
	switch (ch) {
	case '\n': snprintf(buf, len, "%s", _("Enter")); return;
	case '\r': snprintf(buf, len, "%s", _("Enter")); return;
	case 27: snprintf(buf, len, "%s", _("Esc")); return;
	case ' ': snprintf(buf, len, "%s", _("Space")); return;
	case 127: case 8: snprintf(buf, len, "%s", _("Backspace")); return;
	default:
		if (ch < 32) {
			snprintf(buf, len, "^%c", (char)(ch + '@'));
			return;
		}
		{
			wchar_t w[2] = { (wchar_t)ch, 0 };
			size_t r = wcstombs(buf, w, len);

			if (r == (size_t)-1)
				snprintf(buf, len, "?");
			else if (len)
				buf[len - 1] = '\0';
		}
	}
}

void ui_action_keys(enum ui_action a, char *buf, size_t len, int max)
{
	size_t i, o = 0;
	int shown = 0;
	char name[32], prev[32] = "";

	if (len)
		buf[0] = '\0';
	for (i = 0; i < sizeof bindings / sizeof bindings[0] && shown < max; i++) {
		int n;

		if (bindings[i].action != a)
			continue;
		ui_key_name(bindings[i].func, bindings[i].ch, name, sizeof name);
		if (strcmp(name, prev) == 0)   /* "\n" and "\r" are both Enter */
			continue;
		snprintf(prev, sizeof prev, "%s", name);
		if (a == UI_ACT_PICK) {
			n = snprintf(buf + o, len - o, "1-9");
			o += n > 0 ? (size_t)n : 0;
			return;
		}
		n = snprintf(buf + o, len - o, "%s%s", shown ? ", " : "", name);
		if (n < 0 || (size_t)n >= len - o)
			break;
		o += (size_t)n;
		shown++;
	}
}
