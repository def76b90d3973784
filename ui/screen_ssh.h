/* screen_ssh.h - the wizard's node probe over SSH and its questions.
 *
 * With ui_options.ssh set, the scenario's node answers come from a real
 * node over SSH.  The connection runs on the session's worker; when it
 * must ask (an unknown host key, a key's passphrase) the question waits
 * in sshask (src/sshask.h) and a dialog shows it on the UI thread.
 * Esc answers no (the host is not trusted, the key is skipped): the
 * node checks then say unknown, and why. */
#ifndef AD_UI_SCREEN_SSH_H
#define AD_UI_SCREEN_SSH_H

struct ui;
struct session;
struct ad_error;
struct world;

/* session_new_scenario(), with the SSH probe attached when the options
 * ask for one.  NULL on error (err filled). */
struct session *ui_ssh_session_new(struct ui *ui, const char *name,
				   struct ad_error *err);
/* Live: attach the SSH probe to w (before a session owns it), to addr
 * (node: its Kubernetes name, for the evidence) or, when addr is "", to
 * the --ssh-node given.  0, or AD_E* with err filled (w unchanged). */
int ui_ssh_attach(struct ui *ui, struct world *w, const char *node,
		  const char *addr, struct ad_error *err);
/* Once a loop turn: shows the dialog when the probe asks.  UI_* bits. */
int ui_ssh_tick(struct ui *ui);
/* After the last session is freed: frees what the questions used. */
void ui_ssh_end(void);

#endif
