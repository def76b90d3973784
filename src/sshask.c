/* sshask.c - hand SSH questions from the worker to the UI thread. */
#include "config.h"
#include "sshask.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct sshask {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	ad_cancel_flag *cancel;
	struct sshask_question q;   /* kind NONE: nothing asked */
	int answered;
	enum ssh_trust trust;
	int have_pass;
	char pass[512];
	int pipe[2];
};

struct sshask *sshask_new(ad_cancel_flag *cancel)
{
	struct sshask *a = calloc(1, sizeof *a);

	if (!a)
		return NULL;
	if (pipe(a->pipe) != 0) {
		free(a);
		return NULL;
	}
	fcntl(a->pipe[0], F_SETFL, O_NONBLOCK);
	fcntl(a->pipe[1], F_SETFL, O_NONBLOCK);
	fcntl(a->pipe[0], F_SETFD, FD_CLOEXEC);
	fcntl(a->pipe[1], F_SETFD, FD_CLOEXEC);
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->cv, NULL);
	a->cancel = cancel;
	return a;
}

void sshask_free(struct sshask *a)
{
	if (!a)
		return;
	memset(a->pass, 0, sizeof a->pass);
	close(a->pipe[0]);
	close(a->pipe[1]);
	pthread_cond_destroy(&a->cv);
	pthread_mutex_destroy(&a->mu);
	free(a);
}

/* Worker: post q and wait for the answer (mutex held on return).
 * 1 answered, 0 cancelled. */
static int post_and_wait(struct sshask *a, const struct sshask_question *q)
{
	char one = '?';

	a->q = *q;
	a->answered = 0;
	if (write(a->pipe[1], &one, 1) < 0 && errno != EAGAIN)
		(void)0;   /* a full pipe already says "look" */
	while (!a->answered && !(ad_cancelled(a->cancel))) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&a->cv, &a->mu, &ts);
	}
	a->q.kind = SSHASK_NONE;
	return a->answered;
}

static enum ssh_trust ask_hostkey(void *ud, const char *host, int port,
				  const char *keytype, const char *fp)
{
	struct sshask *a = ud;
	struct sshask_question q;
	enum ssh_trust t = SSH_TRUST_NO;

	memset(&q, 0, sizeof q);
	q.kind = SSHASK_HOSTKEY;
	snprintf(q.host, sizeof q.host, "%s", host);
	q.port = port;
	snprintf(q.keytype, sizeof q.keytype, "%s", keytype);
	snprintf(q.fingerprint, sizeof q.fingerprint, "%s", fp);
	pthread_mutex_lock(&a->mu);
	if (post_and_wait(a, &q))
		t = a->trust;
	pthread_mutex_unlock(&a->mu);
	return t;
}

static int ask_passphrase(void *ud, const char *path, char *buf, size_t len)
{
	struct sshask *a = ud;
	struct sshask_question q;
	int rc = -1;

	memset(&q, 0, sizeof q);
	q.kind = SSHASK_PASSPHRASE;
	snprintf(q.path, sizeof q.path, "%s", path);
	pthread_mutex_lock(&a->mu);
	if (post_and_wait(a, &q) && a->have_pass && len > 0) {
		snprintf(buf, len, "%s", a->pass);
		rc = 0;
	}
	memset(a->pass, 0, sizeof a->pass);
	a->have_pass = 0;
	pthread_mutex_unlock(&a->mu);
	return rc;
}

void sshask_attach(struct sshask *a, struct ssh_opts *o)
{
	o->hostkey_ask = ask_hostkey;
	o->hostkey_ud = a;
	o->passphrase = ask_passphrase;
	o->passphrase_ud = a;
}

int sshask_pending(struct sshask *a, struct sshask_question *q)
{
	int yes;

	pthread_mutex_lock(&a->mu);
	yes = a->q.kind != SSHASK_NONE && !a->answered;
	if (yes && q)
		*q = a->q;
	pthread_mutex_unlock(&a->mu);
	return yes;
}

void sshask_answer_hostkey(struct sshask *a, enum ssh_trust t)
{
	pthread_mutex_lock(&a->mu);
	if (a->q.kind == SSHASK_HOSTKEY) {
		a->trust = t;
		a->answered = 1;
		pthread_cond_broadcast(&a->cv);
	}
	pthread_mutex_unlock(&a->mu);
}

void sshask_answer_passphrase(struct sshask *a, const char *pass)
{
	pthread_mutex_lock(&a->mu);
	if (a->q.kind == SSHASK_PASSPHRASE) {
		a->have_pass = pass != NULL;
		if (pass)
			snprintf(a->pass, sizeof a->pass, "%s", pass);
		a->answered = 1;
		pthread_cond_broadcast(&a->cv);
	}
	pthread_mutex_unlock(&a->mu);
}

int sshask_fd(const struct sshask *a)
{
	return a->pipe[0];
}
