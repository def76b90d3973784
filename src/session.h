/* session.h - the wizard's model (engine side; no curses).
 *
 * A session walks the troubleshooting tree for one world: it owns the
 * scenario, the transport, the node probe, the facts and the tree, and
 * remembers where the user is (history with back/forward/restart, the
 * breadcrumb), what every check said, which fixes were planned, declined
 * or applied, and an audit log of every change sent.
 *
 * Checks, fix plans and fix steps run in a worker thread that touches
 * only the facts (never curses, never the session's visible state): the
 * front end starts a job, calls session_check_poll() on every tick of its
 * loop and may call session_check_cancel() at any time.  While a job runs,
 * every function that would change the session returns AD_EINVAL
 * ("busy"); the read-only accessors are safe to call.
 *
 * Strings returned by accessors are owned by the session and valid until
 * the next call that changes it.  Tree text and item labels are English:
 * translate them with _() where they are shown. */
#ifndef AD_SESSION_H
#define AD_SESSION_H

#include <stddef.h>

#include "check.h"
#include "context.h"
#include "fix.h"
#include "tree.h"

struct ad_error;
struct scenario;
struct cJSON;

struct session;  /* opaque */
struct world;

/* Load a built-in scenario (or a scenario file) and the built-in tree.
 * NULL on error (err filled). */
struct session *session_new_scenario(const char *name, struct ad_error *err);
/* The same with a tree of the caller's: takes ownership of t (freed even
 * on error). */
struct session *session_new_with_tree(const char *name, struct tree *t,
				      struct ad_error *err);
/* A session over any world (live or simulated); takes ownership of w
 * and t, freed even on error. */
struct session *session_new_world(struct world *w, struct tree *t,
				  struct ad_error *err);
/* Cancels and joins a running job first.  NULL is a no-op. */
void session_free(struct session *s);

const struct tree *session_tree(const struct session *s);
const struct ad_context *session_context(const struct session *s);
const char *session_scenario_name(const struct session *s);
/* The scenario of a training world, NULL when live. */
const struct scenario *session_scenario(const struct session *s);
const struct world *session_world(const struct session *s);

/* ---------- where we are ---------- */

const struct tree_node *session_node(const struct session *s);
/* The breadcrumb: nodes from the root to the current one. */
size_t session_path_len(const struct session *s);
const struct tree_node *session_path_node(const struct session *s, size_t i);
int session_can_back(const struct session *s);
int session_can_forward(const struct session *s);

/* Move to node id (added to the history, forward history dropped).  A
 * node that does not apply to this world (its "applies" against the
 * target and the cluster's auth mode learnt so far) is passed over: a
 * check via on[not-applicable], an info or fix node via next. */
int session_goto(struct session *s, const char *id, struct ad_error *err);
int session_back(struct session *s);      /* 0, or AD_EINVAL at the start */
int session_forward(struct session *s);   /* 0, or AD_EINVAL at the end */
/* Back to the root; check results and any pending plan are dropped, the
 * audit log and the fix outcomes (the world did change) are kept. */
int session_restart(struct session *s);
/* 1 when node applies to this world. */
int session_applies(const struct session *s, const struct tree_node *node);

/* ---------- what the user can do on the current node ---------- */

enum session_item_kind {
	SESSION_ITEM_CHOICE,    /* question: arg = choice index */
	SESSION_ITEM_NEXT,      /* continue along the tree */
	SESSION_ITEM_RUN,       /* run the node's check */
	SESSION_ITEM_RECHECK,   /* run it again */
	SESSION_ITEM_FIX,       /* plan and preview the fix */
	SESSION_ITEM_RESULT,    /* verdict: show the result */
	SESSION_ITEM_RESTART,   /* start again */
	SESSION_ITEM_MESSAGE    /* "I have an error message" */
};

struct session_item {
	enum session_item_kind kind;
	size_t arg;
	/* English printf format with at most one %s, for which detail
	 * (English too, or NULL) is given: translate both with _(). */
	const char *label;
	const char *detail;
	/* 1 on the choice the classified event/log/message names: the
	 * front end preselects it. */
	int suggested;
};

#define SESSION_MAX_ITEMS 16
/* Fill items (up to max); returns the count.  None while a job runs.
 * A node whose id ends in ".message" offers SESSION_ITEM_MESSAGE first;
 * a question preselects the choice leading to the cause the last
 * classification (the pod event, the log line, a pasted message) named. */
size_t session_items(const struct session *s, struct session_item *items,
		     size_t max);
/* Do what an item says.  RUN/RECHECK start the check job, FIX starts the
 * plan job (see below); RESULT, MESSAGE are for the front end (no-op). */
int session_activate(struct session *s, const struct session_item *it,
		     struct ad_error *err);
/* Follow the current node: question choice i, or "next"/on[verdict]. */
int session_choose(struct session *s, size_t i, struct ad_error *err);
int session_next(struct session *s, struct ad_error *err);
/* 1 when the current node asks for an error message (id ends in
 * ".message"). */
int session_wants_message(const struct session *s);
/* 1 when the current node is a check node whose check has not run. */
int session_needs_run(const struct session *s);

/* ---------- checks and other jobs in the worker thread ---------- */

enum session_poll { SESSION_IDLE, SESSION_BUSY, SESSION_DONE };
enum session_job { SESSION_JOB_NONE, SESSION_JOB_CHECK, SESSION_JOB_PLAN,
		   SESSION_JOB_STEPS };

/* Run the check of node (NULL: the current node) in the worker. */
int session_check_start(struct session *s, const struct tree_node *node,
			struct ad_error *err);
/* For any job: BUSY while it runs; DONE exactly once when it finished
 * (its results are then in the session); IDLE otherwise. */
enum session_poll session_check_poll(struct session *s);
/* Ask the running job to stop (the transport's cancel flag): a check
 * becomes unknown "cancelled", a fix step is recorded as cancelled. */
void session_check_cancel(struct session *s);
/* 1 while a job runs (read-only: does not collect a finished job). */
int session_busy(const struct session *s);
/* Block until the running job is done (tests, quitting); then as poll. */
enum session_poll session_wait(struct session *s);
/* Which job runs (or ran last), and its error when it failed to start
 * or produce anything (plan failed, step refused...). */
enum session_job session_job_kind(const struct session *s);
const struct ad_error *session_job_error(const struct session *s);
/* The check id a running check job is about (for "Running ..."). */
const char *session_job_check(const struct session *s);

/* The latest result of check id, or NULL when it has not run. */
const struct check_result *session_result(const struct session *s,
					  const char *check_id);
/* The result of the current node's check, or NULL. */
const struct check_result *session_node_result(const struct session *s);
/* Results in the order the checks first ran. */
size_t session_result_count(const struct session *s);
const struct check_result *session_result_at(const struct session *s,
					     size_t i,
					     const struct check_def **def);

/* The fix applied while check_id had its previous verdict (*before), or
 * NULL when no fix ran for it. */
const char *session_result_fixed_by(const struct session *s,
				    const char *check_id,
				    enum check_verdict *before);

/* ---------- fixes ---------- */

/* The fix the current node offers (node fix, else the failing check's
 * fix), or NULL. */
const struct fix_def *session_node_fix(const struct session *s);
/* Plan it in the worker (runs its check first if it has not run).
 * When the job is DONE, session_plan() holds the plan (or the job error
 * says why there is none). */
int session_fix_plan_start(struct session *s, struct ad_error *err);
/* The pending plan, or NULL. */
const struct fix_plan *session_plan(const struct session *s);
/* The next steps to confirm together: a step with confirm_separately is
 * a group of its own.  0 when nothing is left. */
int session_fix_group(const struct session *s, int *first, int *count);
/* The user said yes to that group: send its steps in the worker (and run
 * the verify check after the plan's last step). */
int session_fix_apply_group(struct session *s, struct ad_error *err);
/* How many steps of the plan the caller may not send (asked before the
 * plan was shown); such a plan is shown with why, never applied. */
int session_fix_denied(const struct session *s);
/* The user said no (or closed the dialog): nothing more is sent; the
 * outcome and an audit line record it.  A manual plan (no steps) is
 * recorded as shown. */
int session_fix_decline(struct session *s);

enum session_fix_state { SESSION_FIX_APPLIED, SESSION_FIX_DECLINED,
			 SESSION_FIX_FAILED, SESSION_FIX_MANUAL,
			 SESSION_FIX_CANCELLED };

struct session_fix_outcome {
	char fix_id[48];
	char check_id[48];
	enum session_fix_state state;
	int steps_sent;
	int verified;                 /* verify ran */
	enum check_verdict verify;    /* its verdict when verified */
	char message[512];            /* why it failed, "" otherwise */
};
size_t session_fix_count(const struct session *s);
const struct session_fix_outcome *session_fix_at(const struct session *s,
						 size_t i);
const char *session_fix_state_str(enum session_fix_state st);
/* The same in words for people, translated. */
const char *session_fix_state_label(enum session_fix_state st);

/* ---------- audit log ---------- */

/* "2026-11-23T19:40:01Z fix=attach-acr step=1 PUT <url> -> 201; verify
 * aks.401.acrpull: pass".  Never a secret. */
size_t session_audit_count(const struct session *s);
const char *session_audit_at(const struct session *s, size_t i);

/* ---------- text ---------- */

/* Expand {placeholders} of a node command: context fields (subscription,
 * rg, aks, acr, webapp, namespace, pod, image, login_server,
 * registry_id, cluster_id, webapp_id, ...), then facts learnt by the
 * checks (kubelet_client_id, node_rg, registry_id, ...: the check
 * results' data and evidence, snake_case or camelCase).  A value that is
 * not a safe name/id/URL, or an unknown name, stays as <name>. */
void session_expand(const struct session *s, const char *tmpl, char *buf,
		    size_t len);

/* "I have an error message": classify text, remember it as the context's
 * message and go to the tree node named by the cause.  The classifier
 * cannot tell a pod event from a web app log line, so a cause with a twin
 * for this world's target is translated (aks.403 <-> webapp.ip-denied,
 * aks.401 <-> webapp.unauthorized, aks.notfound <->
 * webapp.manifest-unknown).  AD_ENOTFOUND (err says so) when the message
 * is not recognised or no node has that id; AD_EINVAL when the cause does
 * not apply to this target (an AKS-only cause for a web app). */
int session_message(struct session *s, const char *text,
		    struct ad_error *err);
/* What the last classification said ("" before any). */
const char *session_message_cause(const struct session *s);
const char *session_message_evidence(const struct session *s);
/* The i-th other cause the message's wording also fits (translated for
 * this target, only causes of this tree that apply), or NULL past the
 * last.  The wizard goes to session_message_cause(); the checks decide. */
const char *session_message_alternative(const struct session *s, size_t i);

/* The diagnosis so far: the cause of the verdict node reached, else the
 * cause of the first failing check (in run order, the message's cause
 * preferred), else NULL.  "healthy" when a healthy verdict was reached. */
const char *session_cause(const struct session *s);
/* The verdict node reached (current node when it is one), or NULL. */
const struct tree_node *session_verdict(const struct session *s);

/* Auth modes learnt from the cluster (TREE_APPLIES_MSI/SP/SECRET bits, 0
 * while unknown). */
unsigned session_auth(const struct session *s);

#endif
