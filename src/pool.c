#include "config.h"
#include "pool.h"

#include <pthread.h>
#include <stdlib.h>

#include "err.h"
#include "facts.h"

struct pool {
	struct facts *f;
	pool_job_fn job;
	void *arg;
	size_t n, next;          /* next job to start */
	unsigned char *ran;      /* one per job, written by its thread */
	void **marks;            /* POOL_MERGE: what each job had read */
	int nomem;
	void *mark;              /* what the caller had read */
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
		if (p->next >= p->n || p->nomem || ad_cancelled(p->cancel)) {
			pthread_mutex_unlock(&p->mu);
			break;
		}
		i = p->next++;
		pthread_mutex_unlock(&p->mu);
		/* A job needs what the caller had found: it starts from
		 * the caller's depth, not from nothing. */
		facts_begin(p->f, p->mark);
		rc = p->job(p->f, p->arg, i);
		if (p->marks)
			p->marks[i] = facts_mark(p->f);
		p->ran[i] = 1;
		if (rc == AD_ENOMEM) {
			pthread_mutex_lock(&p->mu);
			p->nomem = 1;
			pthread_mutex_unlock(&p->mu);
		}
	}
	return NULL;
}

int pool_run(struct facts *f, size_t n, pool_job_fn job, void *arg,
	     unsigned char *ran, enum pool_after after,
	     ad_cancel_flag *cancel)
{
	struct pool p = { .f = f, .job = job, .arg = arg, .n = n,
			  .cancel = cancel };
	pthread_t th[POOL_THREADS];
	size_t i, nth = 0;

	if (n == 0)
		return 0;
	p.ran = calloc(n, 1);
	if (after == POOL_MERGE)
		p.marks = calloc(n, sizeof *p.marks);
	if (!p.ran || (after == POOL_MERGE && !p.marks)) {
		free(p.ran);
		free(p.marks);
		return AD_ENOMEM;
	}
	p.mark = facts_mark(f);
	pthread_mutex_init(&p.mu, NULL);
	while (nth + 1 < POOL_THREADS && nth + 1 < n &&
	       pthread_create(&th[nth], NULL, pool_work, &p) == 0)
		nth++;
	pool_work(&p);
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&p.mu);
	/* The caller's own thread ran jobs too: it has read what it had
	 * before, whichever jobs it happened to run, and with POOL_MERGE
	 * what they all read (its next reads need their answers). */
	facts_begin(f, p.mark);
	for (i = 0; i < n; i++) {
		if (p.marks && p.ran[i])
			facts_add_mark(f, p.marks[i]);
		if (ran)
			ran[i] = p.ran[i];
	}
	free(p.ran);
	free(p.marks);
	return p.nomem ? AD_ENOMEM : 0;
}
