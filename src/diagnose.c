#include "config.h"
#include "diagnose.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "facts.h"
#include "jsonu.h"

/* Checks that classify a message rather than test a cause. */
static int is_classifier(const struct check_def *d)
{
	return strcmp(d->id, "aks.events") == 0 ||
	       strcmp(d->id, "webapp.log") == 0;
}

/* Checks run on a small pool of threads: most of a check's time is
 * spent waiting for answers, and the facts cache lets checks that read
 * the same thing share one request. */
#define DIAGNOSE_THREADS 8

struct pool {
	struct facts *f;
	const check_prefetch_fn *pre;   /* jobs 0..npre */
	size_t npre;
	const struct check_def **defs;  /* the applicable ones, table order */
	struct check_result *res;       /* one per def */
	unsigned char *ran;
	size_t n, next;                 /* next job: prefetches, then checks */
	int nomem;
	void *mark;                     /* what the caller had read */
	ad_cancel_flag *cancel;
	pthread_mutex_t mu;
};

static void *pool_work(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		size_t i;
		int rc;

		pthread_mutex_lock(&p->mu);
		if (p->next >= p->npre + p->n || p->nomem ||
		    (ad_cancelled(p->cancel))) {
			pthread_mutex_unlock(&p->mu);
			break;
		}
		i = p->next++;
		pthread_mutex_unlock(&p->mu);
		/* A check needs the context the caller found: it starts
		 * from the caller's depth, not from nothing. */
		facts_begin(p->f, p->mark);
		if (i < p->npre) {
			p->pre[i](p->f);
			continue;
		}
		i -= p->npre;
		rc = check_run(p->defs[i], p->f, &p->res[i]);
		pthread_mutex_lock(&p->mu);
		p->ran[i] = 1;
		if (rc == AD_ENOMEM)
			p->nomem = 1;
		pthread_mutex_unlock(&p->mu);
	}
	return NULL;
}

/* Run the applicable checks of defs[0..n) concurrently into d->findings,
 * in table order; the checks a cancel kept from starting are left out. */
static int run_checks(struct facts *f, const struct check_def *defs, size_t n,
		      unsigned want, struct diagnosis *d, ad_cancel_flag *cancel)
{
	struct pool p = { .f = f, .cancel = cancel, .mark = facts_mark(f) };
	pthread_t th[DIAGNOSE_THREADS];
	size_t i, nth = 0;

	p.defs = calloc(n ? n : 1, sizeof *p.defs);
	p.res = calloc(n ? n : 1, sizeof *p.res);
	p.ran = calloc(n ? n : 1, 1);
	if (!p.defs || !p.res || !p.ran) {
		free(p.defs);
		free(p.res);
		free(p.ran);
		return AD_ENOMEM;
	}
	for (i = 0; i < n; i++)
		if (defs[i].applies & want)
			p.defs[p.n++] = &defs[i];
	if (p.n)
		p.pre = check_prefetch(want, &p.npre);
	pthread_mutex_init(&p.mu, NULL);
	/* The calling thread works too, so the checks run even when no
	 * thread can be started. */
	while (nth + 1 < DIAGNOSE_THREADS && nth + 1 < p.npre + p.n &&
	       pthread_create(&th[nth], NULL, pool_work, &p) == 0)
		nth++;
	pool_work(&p);
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	/* The caller has read what it had before, whichever jobs its own
	 * thread happened to run. */
	facts_begin(f, p.mark);
	pthread_mutex_destroy(&p.mu);
	for (i = 0; i < p.n; i++) {
		if (p.ran[i]) {
			d->findings[d->n].def = p.defs[i];
			d->findings[d->n++].res = p.res[i];
		} else {
			check_result_clear(&p.res[i]);
		}
	}
	free(p.defs);
	free(p.res);
	free(p.ran);
	return p.nomem ? AD_ENOMEM : 0;
}

int diagnose_run(struct facts *f, struct diagnosis *d, ad_cancel_flag *cancel)
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
	if (run_checks(f, defs, n, want, d, cancel) != 0)
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

void diagnose_clear(struct diagnosis *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n; i++)
		check_result_clear(&d->findings[i].res);
	free(d->findings);
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
