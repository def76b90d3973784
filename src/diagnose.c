#include "config.h"
#include "diagnose.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "facts.h"
#include "fix_offer.h"
#include "jsonu.h"
#include "pool.h"

/* Checks that classify a message rather than test a cause. */
static int is_classifier(const struct check_def *d)
{
	return strcmp(d->id, "aks.events") == 0 ||
	       strcmp(d->id, "webapp.log") == 0;
}

/* The checks and the prefetches run on the pool (pool.h): most of a
 * check's time is spent waiting for answers, and the facts cache lets
 * checks that read the same thing share one request. */
struct run {
	const check_prefetch_fn *pre;   /* jobs 0..npre */
	size_t npre;
	const struct check_def **defs;  /* the applicable ones, table order */
	struct check_result *res;       /* one per def */
	struct fixoffer *off;           /* one per def, or NULL: not asked */
	int arm;
};

static int run_job(struct facts *f, void *arg, size_t i)
{
	struct run *r = arg;

	if (i < r->npre) {
		r->pre[i](f);
		return 0;
	}
	i -= r->npre;
	if (check_run(r->defs[i], f, &r->res[i]) == AD_ENOMEM)
		return AD_ENOMEM;
	if (r->off && r->res[i].verdict == CHECK_FAIL && r->res[i].fix)
		fixoffer_check(f, &r->res[i], r->arm, &r->off[i]);
	return 0;
}

/* Run the applicable checks of defs[0..n) concurrently into d->findings,
 * in table order; the checks a cancel kept from starting are left out. */
static int run_checks(struct facts *f, const struct check_def *defs, size_t n,
		      unsigned want, int offers, int arm, struct diagnosis *d,
		      ad_cancel_flag *cancel)
{
	struct run r = { .arm = arm };
	unsigned char *ran;
	size_t i, nd = 0;
	int rc;

	r.defs = calloc(n ? n : 1, sizeof *r.defs);
	r.res = calloc(n ? n : 1, sizeof *r.res);
	if (r.defs)
		for (i = 0; i < n; i++)
			if (defs[i].applies & want)
				r.defs[nd++] = &defs[i];
	if (nd)
		r.pre = check_prefetch(want, &r.npre);
	ran = calloc(r.npre + nd + 1, 1);
	if (offers) {
		r.off = calloc(n ? n : 1, sizeof *r.off);
		d->offers = calloc(n ? n : 1, sizeof *d->offers);
	}
	if (!r.defs || !r.res || !ran || (offers && (!r.off || !d->offers))) {
		free(r.defs);
		free(r.res);
		free(r.off);
		free(ran);
		return AD_ENOMEM;
	}
	rc = pool_run(f, r.npre + nd, run_job, &r, ran, POOL_KEEP, cancel);
	for (i = 0; i < nd; i++) {
		if (ran[r.npre + i]) {
			if (r.off)
				d->offers[d->n] = r.off[i];
			d->findings[d->n].def = r.defs[i];
			d->findings[d->n++].res = r.res[i];
		} else {
			check_result_clear(&r.res[i]);
		}
	}
	free(r.defs);
	free(r.res);
	free(r.off);
	free(ran);
	return rc;
}

static int run(struct facts *f, struct diagnosis *d, int offers, int arm,
	       ad_cancel_flag *cancel)
{
	const struct check_def *defs;
	size_t n, i, k;
	unsigned want = f->ctx->target == AD_TARGET_WEBAPP ? CHECK_WEBAPP :
			CHECK_AKS;
	const struct finding *first_fail = NULL;

	memset(d, 0, sizeof *d);
	d->target = ctx_target_str(f->ctx->target);
	defs = check_all(&n);
	d->findings = calloc(n ? n : 1, sizeof *d->findings);
	if (!d->findings)
		return AD_ENOMEM;
	/* A new job: what failed before is asked again. */
	facts_forget_errors(f);
	if (run_checks(f, defs, n, want, offers, arm, d, cancel) != 0)
		return AD_ENOMEM;
	for (i = 0; i < d->n; i++) {
		struct finding *fd = &d->findings[i];

		if (fd->res.verdict == CHECK_UNKNOWN)
			d->nunknown++;
		if (fd->res.verdict != CHECK_FAIL)
			continue;
		d->nfail++;
		if (is_classifier(fd->def)) {
			const char *c = jsonu_str(fd->res.data, "classified");
			const cJSON *a;

			if (c)
				snprintf(d->classified, sizeof d->classified, "%s", c);
			d->nalt = 0;
			cJSON_ArrayForEach(a, jsonu_array(fd->res.data,
							  "alternatives")) {
				if (!cJSON_IsString(a) ||
				    d->nalt >= sizeof d->alternatives /
					       sizeof d->alternatives[0])
					continue;
				snprintf(d->alternatives[d->nalt++],
					 sizeof d->alternatives[0], "%s",
					 a->valuestring);
			}
		} else if (!first_fail) {
			first_fail = fd;
		}
	}
	/* Prefer the failing check that explains the error message, then
	 * one that confirms another cause its wording fits. */
	for (i = 0; d->classified[0] && i < d->n; i++) {
		const struct finding *fd = &d->findings[i];

		if (fd->res.verdict == CHECK_FAIL && !is_classifier(fd->def) &&
		    strcmp(fd->def->cause, d->classified) == 0) {
			d->cause = fd->def->cause;
			return 0;
		}
	}
	for (k = 0; k < d->nalt; k++)
		for (i = 0; i < d->n; i++) {
			const struct finding *fd = &d->findings[i];

			if (fd->res.verdict == CHECK_FAIL &&
			    !is_classifier(fd->def) &&
			    strcmp(fd->def->cause, d->alternatives[k]) == 0) {
				d->cause = fd->def->cause;
				return 0;
			}
		}
	if (first_fail)
		d->cause = first_fail->def->cause;
	else if (d->classified[0] && strcmp(d->classified, "other") != 0)
		d->cause = d->classified;
	return 0;
}

int diagnose_run(struct facts *f, struct diagnosis *d, ad_cancel_flag *cancel)
{
	return run(f, d, 0, 0, cancel);
}

int diagnose_run_offers(struct facts *f, struct diagnosis *d, int arm,
			ad_cancel_flag *cancel)
{
	return run(f, d, 1, arm, cancel);
}

void diagnose_clear(struct diagnosis *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n; i++)
		check_result_clear(&d->findings[i].res);
	free(d->findings);
	free(d->offers);
	memset(d, 0, sizeof *d);
}

cJSON *diagnose_json(const struct diagnosis *d)
{
	cJSON *o = cJSON_CreateObject(), *arr;
	size_t i;

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "target", d->target ? d->target : "aks");
	if (d->cause)
		cJSON_AddStringToObject(o, "cause", d->cause);
	else
		cJSON_AddNullToObject(o, "cause");
	arr = cJSON_AddArrayToObject(o, "findings");
	for (i = 0; arr && i < d->n; i++) {
		const struct finding *fd = &d->findings[i];
		cJSON *x = cJSON_CreateObject();

		if (!x)
			break;
		cJSON_AddStringToObject(x, "check", fd->def->id);
		cJSON_AddStringToObject(x, "verdict",
					check_verdict_str(fd->res.verdict));
		cJSON_AddItemToObject(x, "evidence", fd->res.evidence ?
			cJSON_Duplicate(fd->res.evidence, 1) : cJSON_CreateObject());
		if (fd->res.fix)
			cJSON_AddStringToObject(x, "fix", fd->res.fix);
		else
			cJSON_AddNullToObject(x, "fix");
		cJSON_AddStringToObject(x, "summary", fd->res.summary);
		cJSON_AddStringToObject(x, "command", fd->res.command);
		cJSON_AddItemToArray(arr, x);
	}
	return o;
}

int diagnose_exit_code(const struct diagnosis *d)
{
	if (d->nfail)
		return 1;
	return d->nunknown ? 3 : 0;
}
