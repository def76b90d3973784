/* ui.h - the ncursesw wizard: the one entry point of the front end.
 *
 * main() has already called setlocale(LC_ALL, ""), bindtextdomain() and
 * textdomain(); ui_run() owns the terminal from initscr() to endwin() and
 * restores it on every exit path. */
#ifndef AD_UI_H
#define AD_UI_H

#include <stdio.h>
struct ssh_opts;

struct ui_options {
	const char *scenario;   /* a training scenario; NULL: live */
	int no_color;           /* 1 when NO_COLOR set or --no-color */
	int training;           /* --training: open on the scenario list */
	const char *report_dir; /* where 'e' export writes; NULL = cwd */
	/* Live (no scenario): the command line's target options, as for
	 * `diagnose`; NULL when not given.  Borrowed for the whole run. */
	const char *cluster, *webapp, *resource_group, *subscription;
	const char *namespace_, *pod, *image, *registry, *message;
	const char *cloud, *kubeconfig, *context, *credential, *ca_file;
	FILE *debug;            /* --debug: requests logged here, or NULL */
	/* The node probe over SSH (screen_ssh.h); NULL: the scenario's. */
	const struct ssh_opts *ssh;
};

int ui_run(const struct ui_options *opt); /* returns process exit code: 0 */

#endif
