/* pool.h - a few jobs over one facts, on a small pool of threads.
 *
 * Most of a job's time is spent waiting for answers, and the facts cache
 * lets jobs that read the same thing share one request, so independent
 * reads go out together: the checks of a diagnosis, and the reads that
 * find the cluster, the pod and the registry before them. */
#ifndef AD_POOL_H
#define AD_POOL_H

#include <stddef.h>

#include "cancel.h"

struct facts;

#define POOL_THREADS 8

/* One job: i is its index.  AD_ENOMEM keeps the jobs not yet started
 * from starting; any other return is the job's own business. */
typedef int (*pool_job_fn)(struct facts *f, void *arg, size_t i);

enum pool_after {
	POOL_KEEP,     /* the caller has read what it had before */
	POOL_MERGE     /* ... and what every job that ran read */
};

/* Run job(f, arg, i) for i in [0, n) at once, on up to POOL_THREADS
 * threads (the calling one among them, so the jobs run even when no
 * thread can be started).  Every job starts from what the calling
 * thread had read (facts_mark): its requests need that, no more.
 * Returns when every job has finished; ran (n bytes, may be NULL) says
 * which ran (a cancel or AD_ENOMEM keeps the others from starting).
 * 0, or AD_ENOMEM when a job returned it or the pool could not be
 * made (then no job ran). */
int pool_run(struct facts *f, size_t n, pool_job_fn job, void *arg,
	     unsigned char *ran, enum pool_after after,
	     ad_cancel_flag *cancel);

#endif
