/* livejob.c - the wizard's live worker thread (no curses here). */
#include "config.h"
#include "livejob.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "notice.h"
#include "world.h"

struct livejob_priv {
	pthread_t th;
	pthread_mutex_t mu;
	int running;       /* a thread was started and not joined */
	int finished;      /* the thread's work is over */
};

void livejob_init(struct livejob *j)
{
	memset(j, 0, sizeof *j);
}

static void run_target(struct livejob *j)
{
	struct world *w = j->w;
	const char *what = w->ctx.target == AD_TARGET_AKS ? w->ctx.cluster :
			   w->ctx.webapp;

	notice_progress(j->nq, _("Finding %s in Azure"), what[0] ? what : "?");
	j->rc = live_resolve(w, &j->err);
	if (w->ctx.target != AD_TARGET_AKS || ad_cancelled(&w->cancel))
		return;
	/* Without a failing pod the resolve cannot name a registry; the
	 * list still says which pods there are (none). */
	if (!w->ctx.kube_server[0]) {
		j->pods_rc = j->rc ? j->rc : AD_ENOTFOUND;
		return;
	}
	notice_progress(j->nq, "%s", _("Listing the pods that cannot pull their image"));
	j->pods_rc = live_failing_pods(w, j->namespace_, j->pods,
				       LIVEJOB_MAX_PODS, &j->npods,
				       &j->pods_err);
}

static void *worker(void *arg)
{
	struct livejob *j = arg;
	struct livejob_priv *p = j->priv;

	switch (j->kind) {
	case LIVEJOB_SIGN_IN:
		notice_progress(j->nq, "%s", _("Looking for Azure credentials"));
		j->rc = live_sign_in(j->w, &j->err);
		break;
	case LIVEJOB_TARGET:
		run_target(j);
		break;
	case LIVEJOB_POD:
		notice_progress(j->nq, _("Finding the registry of %s"),
				j->w->ctx.image[0] ? j->w->ctx.image : "?");
		j->rc = live_resolve(j->w, &j->err);
		break;
	case LIVEJOB_POD_NODE:
		notice_progress(j->nq, "%s", _("Finding the pod's node"));
		j->rc = live_pod_node_address(j->w, j->node, sizeof j->node,
					      j->node_addr, sizeof j->node_addr,
					      &j->err);
		break;
	case LIVEJOB_NODES:
		notice_progress(j->nq, "%s", _("Listing the cluster's nodes"));
		j->rc = live_nodes(j->w, j->nodes, LIVEJOB_MAX_NODES,
				   &j->nnodes, &j->err);
		break;
	}
	if (ad_cancelled(&j->w->cancel) && j->rc == 0)
		j->rc = ad_error_set(&j->err, AD_ECANCEL, _("cancelled"));
	pthread_mutex_lock(&p->mu);
	p->finished = 1;
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

int livejob_start(struct livejob *j, enum livejob_kind kind, struct world *w,
		  const char *namespace_, struct notice_queue *nq)
{
	struct livejob_priv *p = j->priv;

	if (p && p->running)
		return AD_EINVAL;
	if (!p) {
		p = calloc(1, sizeof *p);
		if (!p)
			return AD_ENOMEM;
		pthread_mutex_init(&p->mu, NULL);
	}
	memset(j, 0, sizeof *j);
	j->priv = p;
	j->kind = kind;
	j->w = w;
	j->nq = nq;
	j->namespace_ = namespace_;
	ad_cancel_clear(&w->cancel);
	notice_clear_latest(nq);
	p->finished = 0;
	if (pthread_create(&p->th, NULL, worker, j) != 0)
		return AD_ENOMEM;
	p->running = 1;
	return 0;
}

int livejob_busy(const struct livejob *j)
{
	struct livejob_priv *p = j->priv;

	return p && p->running;
}

enum livejob_state livejob_poll(struct livejob *j)
{
	struct livejob_priv *p = j->priv;
	int done;

	if (!p || !p->running)
		return LIVEJOB_IDLE;
	pthread_mutex_lock(&p->mu);
	done = p->finished;
	pthread_mutex_unlock(&p->mu);
	if (!done)
		return LIVEJOB_BUSY;
	pthread_join(p->th, NULL);
	p->running = 0;
	ad_cancel_clear(&j->w->cancel);
	return LIVEJOB_DONE;
}

void livejob_stop(struct livejob *j)
{
	struct livejob_priv *p = j->priv;

	if (p && p->running) {
		ad_cancel_set(&j->w->cancel);
		pthread_join(p->th, NULL);
		p->running = 0;
		ad_cancel_clear(&j->w->cancel);
	}
	if (p) {
		pthread_mutex_destroy(&p->mu);
		free(p);
	}
	j->priv = NULL;
}
