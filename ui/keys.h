/* keys.h - the actions of the wizard and the keys bound to them.
 *
 * One X-macro lists every action with a short name (key bar) and a help
 * sentence (help screen); a default binding table maps keys to actions.
 * The help screen and the key bar are generated from these tables, so a
 * new binding shows up everywhere at once. */
#ifndef AD_UI_KEYS_H
#define AD_UI_KEYS_H

#include <stddef.h>
#include <wchar.h>

/* X(name, short name, help sentence): English, marked with N_(). */
#define UI_ACTIONS(X) \
	X(UP,       N_("Up"),       N_("Move the selection up")) \
	X(DOWN,     N_("Down"),     N_("Move the selection down")) \
	X(PGUP,     N_("Page up"),     N_("Scroll the text up a page")) \
	X(PGDN,     N_("Page down"),     N_("Scroll the text down a page")) \
	X(HOME,     N_("Top"),      N_("Go to the top")) \
	X(END,      N_("Bottom"),   N_("Go to the bottom")) \
	X(SELECT,   N_("Select"),   N_("Choose the highlighted item")) \
	X(PICK,     N_("Pick"),     N_("Choose item 1 to 9 directly")) \
	X(BACK,     N_("Back"),     N_("Go back to the previous step")) \
	X(FORWARD,  N_("Forward"),  N_("Go forward again after going back")) \
	X(RESTART,  N_("Restart"),  N_("Start again from the first question")) \
	X(COMMANDS, N_("Commands"), N_("Show or hide the equivalent az and kubectl commands")) \
	X(RECHECK,  N_("Re-run"),   N_("Run the check of this step again")) \
	X(EXPORT,   N_("Export"),   N_("Write a Markdown report of this session")) \
	X(MESSAGE,  N_("Message"),  N_("I have an error message: paste it and go to its cause")) \
	X(TRAINING, N_("Training"), N_("Practise on a training scenario (nothing real is read or changed)")) \
	X(NODES,    N_("SSH node"), N_("Live: pick the cluster node the SSH checks connect to")) \
	X(HELP,     N_("Help"),     N_("Show this help")) \
	X(QUIT,     N_("Quit"),     N_("Quit acr-doctor (asks first)")) \
	X(CANCEL,   N_("Cancel"),   N_("Cancel a running check, or close a dialog")) \
	X(YES,      N_("Yes"),      N_("In a dialog: yes, apply the change (the only key that does)")) \
	X(NO,       N_("No"),       N_("In a dialog: no (the default answer)"))

enum ui_action {
	UI_ACT_NONE = 0,
#define UI_ACT_ENUM(name, shortname, help) UI_ACT_##name,
	UI_ACTIONS(UI_ACT_ENUM)
#undef UI_ACT_ENUM
	UI_ACT_COUNT
};

/* A key as wget_wch() returned it. */
struct ui_key {
	int func;        /* 1: ch is a KEY_* code, 0: a character */
	wint_t ch;
};

struct ui_binding {
	int func;
	wint_t ch;
	enum ui_action action;
};

/* The action bound to k, or UI_ACT_NONE. */
enum ui_action ui_key_action(const struct ui_key *k);
/* English short name and help sentence of an action (translate them). */
const char *ui_action_name(enum ui_action a);
const char *ui_action_help(enum ui_action a);
/* The binding table (default bindings). */
const struct ui_binding *ui_bindings(size_t *n);
/* A key's display name into buf ("Enter", "Esc", "q", "↑"). */
void ui_key_name(int func, wint_t ch, char *buf, size_t len);
/* The keys of action a, "j, Down", at most max keys, into buf. */
void ui_action_keys(enum ui_action a, char *buf, size_t len, int max);

#endif
