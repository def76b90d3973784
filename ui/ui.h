/* ui.h - the ncursesw wizard: the one entry point of the front end.
 *
 * main() has already called setlocale(LC_ALL, ""), bindtextdomain() and
 * textdomain(); ui_run() owns the terminal from initscr() to endwin() and
 * restores it on every exit path. */
#ifndef AD_UI_H
#define AD_UI_H

struct ssh_opts;

struct ui_options {
	const char *scenario;   /* NULL: show the training-scenario picker */
	int no_color;           /* 1 when NO_COLOR set or --no-color */
	const char *report_dir; /* where 'e' export writes; NULL = cwd */
	/* The node probe over SSH (screen_ssh.h); NULL: the scenario's. */
	const struct ssh_opts *ssh;
};

int ui_run(const struct ui_options *opt); /* returns process exit code: 0 */

#endif
