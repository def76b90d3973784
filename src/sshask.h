/* sshask.h - the SSH questions (unknown host key, key passphrase) asked
 * from the thread that runs the probe and answered by the UI thread.
 *
 * The probe runs on the wizard's worker; the dialog must be drawn by the
 * UI thread.  sshask_attach() installs callbacks in struct ssh_opts that
 * post the question here and block the worker until the UI answers or
 * *cancel becomes non-zero (checked every 100 ms: Esc unblocks it, the
 * answer is then "no").  The UI polls sshask_pending() between keys
 * (or waits for sshask_fd() to become readable), shows the question,
 * and calls one sshask_answer_*().  A passphrase is copied once into
 * the worker's buffer and zeroed here; it is never kept longer. */
#ifndef AD_SSHASK_H
#define AD_SSHASK_H

#include "ssh.h"
#include "cancel.h"

enum sshask_kind {
	SSHASK_NONE = 0,
	SSHASK_HOSTKEY,       /* host, port, keytype, fingerprint */
	SSHASK_PASSPHRASE     /* path */
};

struct sshask_question {
	enum sshask_kind kind;
	char host[256];
	int port;
	char keytype[32];
	char fingerprint[64];
	char path[512];
};

struct sshask;

/* cancel (may be NULL) is the flag Esc sets.  NULL on no memory. */
struct sshask *sshask_new(ad_cancel_flag *cancel);
void sshask_free(struct sshask *a);
/* Make o ask through a (a must outlive every connection made with o). */
void sshask_attach(struct sshask *a, struct ssh_opts *o);

/* UI thread.  1 and *q filled while a question waits, else 0. */
int sshask_pending(struct sshask *a, struct sshask_question *q);
void sshask_answer_hostkey(struct sshask *a, enum ssh_trust t);
/* pass NULL to skip the key; the caller zeroes its own copy. */
void sshask_answer_passphrase(struct sshask *a, const char *pass);
/* Readable (one byte) each time a question is posted: for a UI loop
 * that sleeps in poll().  The UI reads and drops the byte. */
int sshask_fd(const struct sshask *a);

#endif
