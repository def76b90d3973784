/* diagnose.h - run every applicable check and name the cause.
 *
 * The same engine the wizard uses, without the walk: used by
 * `acr-doctor diagnose` and by the wizard's result screen. */
#ifndef AD_DIAGNOSE_H
#define AD_DIAGNOSE_H

#include <stddef.h>

#include "check.h"
#include "cancel.h"

struct facts;
struct cJSON;
struct fixoffer;

struct finding {
	const struct check_def *def;
	struct check_result res;
};

struct diagnosis {
	const char *target;          /* "aks" / "webapp" */
	const char *cause;           /* tree id, or NULL when healthy */
	char classified[40];         /* what the event/log classifier said */
	char alternatives[3][40];    /* other causes its wording fits */
	size_t nalt;
	struct finding *findings;    /* owned */
	struct fixoffer *offers;     /* owned, one per finding; NULL unless
				      * diagnose_run_offers asked */
	size_t n;
	size_t nfail, nunknown;
};

/* Runs the checks in table order.  The cause is the failing check that
 * confirms the classified message, else one that confirms a cause the
 * message's wording also fits, else the first failing check, else the
 * classification itself (never one of its alternatives alone).  Returns 0 or AD_ENOMEM; a check that
 * cannot read its facts is a finding with verdict unknown, not an error.
 * The checks run concurrently (each reads facts through the shared,
 * locked cache); the findings come out in table order all the same.
 * cancel (may be NULL) keeps checks not yet started from starting. */
int diagnose_run(struct facts *f, struct diagnosis *d,
		 ad_cancel_flag *cancel);
/* diagnose_run, and whether the caller may apply the fix of each failing
 * check (fixoffer_check, arm as there): asked in the check's own job the
 * moment it has failed, so the permission reads go out while the other
 * checks still run.  d->offers[i] is meaningful where findings[i] failed
 * and names a fix. */
int diagnose_run_offers(struct facts *f, struct diagnosis *d, int arm,
			ad_cancel_flag *cancel);
void diagnose_clear(struct diagnosis *d);
/* {"target","cause","findings":[{"check","verdict","evidence","fix",
 *  "summary","command"}]}; caller deletes. */
struct cJSON *diagnose_json(const struct diagnosis *d);
/* 0 healthy, 1 problem found, 3 inconclusive (no failure, some unknown). */
int diagnose_exit_code(const struct diagnosis *d);

#endif
