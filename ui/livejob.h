/* livejob.h - live work the wizard runs off its drawing thread.
 *
 * Signing in, finding the target and listing its failing pods, and
 * resolving a chosen pod all go to the network; they run in one worker
 * thread that touches only the world (never curses, never the screens'
 * state) and tells the screen what it is doing through the notice queue.
 * While a job runs the screens must not read or change the world; Esc
 * sets w->cancel.  The job's outputs are read after livejob_poll() said
 * DONE (once). */
#ifndef AD_UI_LIVEJOB_H
#define AD_UI_LIVEJOB_H

#include <stddef.h>

#include "err.h"
#include "live.h"

struct notice_queue;
struct world;

enum livejob_kind {
	LIVEJOB_SIGN_IN,   /* get a token: which credential source works */
	LIVEJOB_TARGET,    /* resolve the target; list failing pods (AKS) */
	LIVEJOB_POD,       /* resolve the chosen pod's image and registry */
	LIVEJOB_POD_NODE,  /* the resolved pod's node, for SSH */
	LIVEJOB_NODES      /* list the cluster's nodes */
};

enum livejob_state { LIVEJOB_IDLE, LIVEJOB_BUSY, LIVEJOB_DONE };

#define LIVEJOB_MAX_PODS 100
#define LIVEJOB_MAX_NODES 100

struct livejob {
	enum livejob_kind kind;
	/* outputs */
	int rc;                      /* of the resolve (or sign-in) */
	struct ad_error err;
	int pods_rc;                 /* of the pod list (TARGET, AKS) */
	struct ad_error pods_err;
	struct live_pod pods[LIVEJOB_MAX_PODS];
	size_t npods;
	/* POD_NODE: the pod's node and its InternalIP. */
	char node[254], node_addr[64];
	/* NODES (rc is the list's). */
	struct live_node nodes[LIVEJOB_MAX_NODES];
	size_t nnodes;
	/* private */
	struct world *w;
	struct notice_queue *nq;
	const char *namespace_;      /* for the pod list; NULL: all */
	void *priv;
};

void livejob_init(struct livejob *j);
/* Start a job on w (borrowed until DONE was polled).  0, or AD_EINVAL
 * while one runs, AD_ENOMEM. */
int livejob_start(struct livejob *j, enum livejob_kind kind, struct world *w,
		  const char *namespace_, struct notice_queue *nq);
/* BUSY while it runs; DONE exactly once when it ended; IDLE otherwise. */
enum livejob_state livejob_poll(struct livejob *j);
int livejob_busy(const struct livejob *j);
/* Cancel (the world's flag) and join; then IDLE.  Safe when idle. */
void livejob_stop(struct livejob *j);

#endif
