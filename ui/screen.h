/* screen.h - the front end's state and the screens' contract.
 *
 * Screens are small ops structs kept on a stack (dialogs on top of the
 * screen they belong to).  The loop in ui.c reads one key at a time
 * (100 ms timeout), turns it into an action with the key table and gives
 * it to the top screen; handlers return UI_HANDLED / UI_REDRAW / UI_QUIT
 * bits.  Each screen keeps its own state in its file (one instance of a
 * screen at a time).  Screens read the session, never the facts: checks
 * and fixes run in the session's worker thread. */
#ifndef AD_UI_SCREEN_H
#define AD_UI_SCREEN_H

#include "keys.h"
#include "livejob.h"
#include "notice.h"
#include "session.h"
#include "ui.h"

#define UI_HANDLED 0x1
#define UI_REDRAW  0x2
#define UI_QUIT    0x4

#define UI_MIN_COLS 80
#define UI_MIN_ROWS 24
#define UI_MAX_DEPTH 8

struct ui;

struct ui_screen_ops {
	const char *name;
	void (*enter)(struct ui *ui);                 /* may be NULL */
	void (*leave)(struct ui *ui);                 /* may be NULL */
	/* Draw into rows 0 .. ui->rows - 3 (the last two rows are the
	 * status line and the key bar, drawn by the loop). */
	void (*draw)(struct ui *ui);
	/* An action (k is the key that produced it, for PICK). */
	int (*handle)(struct ui *ui, enum ui_action a, const struct ui_key *k);
	/* Raw keys before the key table (text input); NULL: none.  Return 0
	 * to let the key go through the table. */
	int (*key)(struct ui *ui, const struct ui_key *k);
	/* A worker job finished (its outputs are in the session). */
	int (*job_done)(struct ui *ui, enum session_job kind);
	/* A live job (sign-in, target, pod) finished: its outputs are in
	 * ui->lj.  Given to the screens top first until one handles it. */
	int (*live_done)(struct ui *ui);
	/* Called on every tick of the loop when on top; may be NULL. */
	int (*tick)(struct ui *ui);
	/* Actions shown in the key bar, ended by UI_ACT_NONE. */
	const enum ui_action *bar;
	/* The same when they depend on the screen's state (a dialog that
	 * only closes, a change being applied); NULL: bar. */
	const enum ui_action *(*bar_now)(struct ui *ui);
	int modal;                                    /* drawn over the one below */
};

struct ui {
	const struct ui_options *opt;
	struct session *s;                /* NULL until a world is open */
	/* Live: the world while it is being signed in and resolved, before
	 * a session owns it (then NULL); the job working on it; the events
	 * the workers post; the sign-in prompt shown. */
	struct world *lw;
	struct livejob lj;
	struct notice_queue *nq;
	struct notice devcode;
	const struct ui_screen_ops *stack[UI_MAX_DEPTH];
	int depth;
	int rows, cols;
	unsigned tick;                    /* spinner frame */
	char status[512];                 /* one-line message, "" = none */
	int status_error;
	int cancelling;                   /* Esc was pressed during a job */
	/* Live: the node the SSH probe goes to (picked, or the pod's with
	 * --ssh-node auto); "" = the --ssh-node given. */
	char ssh_node[254], ssh_addr[64];
	char ssh_why[600];                /* why auto found no node */
	int quit;
};

/* Screens. */
extern const struct ui_screen_ops ui_screen_picker;
extern const struct ui_screen_ops ui_screen_node;
extern const struct ui_screen_ops ui_screen_fix;
extern const struct ui_screen_ops ui_screen_result;
extern const struct ui_screen_ops ui_screen_help;
extern const struct ui_screen_ops ui_screen_message;
extern const struct ui_screen_ops ui_screen_quit;
extern const struct ui_screen_ops ui_screen_start;
extern const struct ui_screen_ops ui_screen_pods;
extern const struct ui_screen_ops ui_screen_devcode;
extern const struct ui_screen_ops ui_screen_nodes;
/* Show the node pick list (lists the nodes in the live worker); the
 * choice goes to ui->ssh_node/ssh_addr, then the session starts when
 * then_session, else the screen below shows again. */
void ui_nodes_open(struct ui *ui, int then_session);
/* Drawn instead of everything while the terminal is too small. */
void ui_small_draw(struct ui *ui);

/* Stack (ui.c). */
void ui_push(struct ui *ui, const struct ui_screen_ops *sc);
void ui_pop(struct ui *ui);
/* Replace the whole stack with sc. */
void ui_reset(struct ui *ui, const struct ui_screen_ops *sc);
const struct ui_screen_ops *ui_top(const struct ui *ui);

/* The status line (printf style; error: shown in the error role). */
void ui_status(struct ui *ui, int error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Open scenario name (closing any open one); 0 or -1 (status says why). */
int ui_open_scenario(struct ui *ui, const char *name);
/* Live: open ui->lw from the options (closing any; no request sent),
 * with device-code sign-in when device; target (AD_TARGET_*) and name
 * (borrowed while the world lives) replace the options' when target is
 * not -1.  0 or -1 (status says why). */
int ui_open_live(struct ui *ui, int device, int target, const char *name);
/* Start a live job on ui->lw; 0 or -1 (status says why). */
int ui_live_start(struct ui *ui, enum livejob_kind kind);
/* The pod is resolved: find the SSH probe's node as the options ask
 * (the pod's with --ssh-node auto, a pick list with pick), then
 * ui_live_session(). */
void ui_live_ready(struct ui *ui);
/* Hand ui->lw to a new session (closing any) and show its first step. */
int ui_live_session(struct ui *ui);
/* Stop a running live job (cancel, join). */
void ui_live_stop(struct ui *ui);
/* "live: azure cli", "training: aks-401-no-acrpull", or "". */
void ui_world_label(const struct ui *ui, char *buf, size_t len);
/* The pods screen's cluster and list (copied). */
void ui_pods_set(const char *cluster, const struct live_pod *pods, size_t n);
/* Export the report, status shows the path or the error. */
void ui_export(struct ui *ui);
/* Start the current node's check if it has not run (status on error). */
void ui_autorun(struct ui *ui);

#endif
