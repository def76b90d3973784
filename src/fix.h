/* fix.h - changes the tool can make, and how it makes them safely.
 *
 * Every fix goes plan -> preview -> explicit confirmation -> apply ->
 * verify -> audit.  fix_plan() reads facts and describes the change as
 * steps; each step is one HTTP request shown exactly (method, URL, body)
 * with the az/kubectl command that does the same.  Nothing is sent until
 * fix_apply_step() is called for that step, which callers only do after
 * the user said yes to it.  A step with `confirm_separately` (switching
 * registry public access from Disabled to Selected networks) must get its
 * own yes.  After the last step the caller re-runs fix->verify_check. */
#ifndef AD_FIX_H
#define AD_FIX_H

#include <stddef.h>

struct facts;
struct ad_error;
struct check_result;

#define FIX_MAX_STEPS 8

struct fix_step {
	char title[512];          /* translated, one line */
	char method[8];
	char url[1024];           /* absolute URL with api-version */
	char *body;               /* owned; NULL for none; never a secret */
	char command[1024];       /* equivalent az/kubectl command */
	char warning[1024];       /* translated, "" when none */
	int confirm_separately;
	int kube;                 /* 1: Kubernetes API */
	/* The request's Content-Type; "" for the default: a JSON merge
	 * patch on the Kubernetes API, application/json on ARM.  The
	 * workload fixes send strategic merge patches (smp.h). */
	char content_type[48];
	/* What fix_plan_check() learnt: enum fix_perm, the action and
	 * scope asked about (perm.h: for a Kubernetes step the verb and
	 * resource, and the namespace), and the reason given for a denial
	 * or why the answer is unknown. */
	int perm;
	char perm_action[256];
	char perm_scope[1024];
	char perm_why[512];
};

enum fix_perm {
	FIX_PERM_UNASKED,         /* not checked (nothing to ask) */
	FIX_PERM_ALLOWED,
	FIX_PERM_DENIED,
	FIX_PERM_UNKNOWN          /* the answer could not be read */
};

struct fix_plan {
	const char *fix_id;
	char summary[1024];       /* translated: what will change and why */
	struct fix_step steps[FIX_MAX_STEPS];
	int nsteps;
	const char *verify_check; /* check id to run again afterwards */
	char manual[1024];        /* translated guidance when the fix can
				   * only be shown, not applied (nsteps 0) */
};

struct fix_def {
	const char *id;           /* "attach-acr", "network-rule-add", ... */
	const char *title;        /* N_() */
	const char *verify_check;
	/* Build the plan from the failing check's result (its data object
	 * holds what the check learnt) and facts.  0 or negative AD_E*. */
	int (*plan)(struct facts *f, const struct check_result *failed,
		    struct fix_plan *plan, struct ad_error *err);
};

const struct fix_def *fix_all(size_t *n);
const struct fix_def *fix_find(const char *id);

int fix_plan_make(const struct fix_def *def, struct facts *f,
		  const struct check_result *failed, struct fix_plan *plan,
		  struct ad_error *err);
/* Send step i.  2xx (and 409 RoleAssignmentExists) is success; anything
 * else returns AD_EHTTP with the server's message in err. Invalidates the
 * facts cache. *status gets the HTTP status. */
int fix_apply_step(struct facts *f, const struct fix_plan *plan, int i,
		   long *status, struct ad_error *err);
void fix_plan_clear(struct fix_plan *plan);
/* Before anything is offered, ask whether the caller may send each
 * step (perm_check): a Kubernetes step is asked of the cluster (a
 * SelfSubjectAccessReview), an ARM step of ARM when arm is non-zero.
 * Fills each step's perm fields; returns how many steps are denied. */
int fix_plan_check(struct facts *f, struct fix_plan *plan, int arm);
/* One translated sentence (no step number) saying why step s may not be
 * sent and how to get the right, or why that is not known; "" when it
 * is allowed or was not asked. */
void fix_perm_sentence(const struct fix_step *s, char *buf, size_t len);
/* The Content-Type step s is sent with (shown with the request). */
const char *fix_step_content_type(const struct fix_step *s);
/* Helper for plan bodies: add a step (copies body). 0 or AD_ENOMEM. */
int fix_add_step(struct fix_plan *plan, const char *title,
		 const char *method, const char *url, const char *body,
		 const char *command);

#endif
