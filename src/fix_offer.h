/* fix_offer.h - may the caller apply a fix that a diagnosis offers?
 *
 * diagnose lists the fixes of the failing checks; live, it also says
 * whether the signed-in caller may apply each one, asking exactly what
 * `fix --dry-run` asks (the fix's plan, then fix_plan_check: ARM's
 * permissions on each step's scope, a SelfSubjectAccessReview for a
 * Kubernetes step).  Nothing is written. */
#ifndef AD_FIX_OFFER_H
#define AD_FIX_OFFER_H

struct facts;
struct check_result;

enum fixoffer_state {
	FIXOFFER_PERMITTED,
	FIXOFFER_DENIED,     /* action, scope, role and say name what lacks */
	FIXOFFER_UNKNOWN,    /* why says why it cannot be told */
	FIXOFFER_GUIDANCE    /* the fix only shows what to do: nothing to ask */
};

struct fixoffer {
	enum fixoffer_state state;
	int step;                 /* the first denied step (1-based), or 0 */
	char action[256];         /* ARM action, or "patch deployments.apps" */
	char scope[1024];         /* ARM scope, or the namespace ("" cluster) */
	char role[128];           /* a built-in role that grants it */
	char say[1400];           /* translated sentence for people */
	char why[512];            /* FIXOFFER_UNKNOWN: translated reason */
};

/* Plan the fix failed->fix calls for and ask whether the caller may send
 * every step; arm: ask ARM too (live only: a scenario records no
 * permissions).  Always fills out. */
void fixoffer_check(struct facts *f, const struct check_result *failed,
		    int arm, struct fixoffer *out);

#endif
