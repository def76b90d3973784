/* live.h - opening a world on real Azure and a real cluster.
 *
 * world_open_live() builds the transport (libcurl), the credential chain
 * and, for a cluster, the kubeconfig: no request is sent.  live_resolve()
 * then finds what the user did not say (subscription, resource groups,
 * the registry, the failing pod and its image) by asking ARM and the
 * cluster, the way an engineer would with az and kubectl. */
#ifndef AD_LIVE_H
#define AD_LIVE_H

#include <stddef.h>
#include <stdio.h>

#include "context.h"

struct ad_error;
struct world;

struct live_opts {
	enum ad_target target;
	const char *cluster, *webapp;    /* one of them */
	const char *resource_group, *subscription;
	const char *namespace_, *pod, *image, *registry;
	const char *message;             /* a pasted event or log line */
	const char *cloud;               /* NAME|FILE; NULL: AZURE_CLOUD */
	const char *kubeconfig;          /* NULL: KUBECONFIG, ~/.kube/config */
	const char *context;             /* NULL: current-context */
	const char *ca_file;
	const char *credential;          /* restrict the chain to one source */
	long timeout_ms;                 /* per request attempt; 0: default */
	FILE *debug;                     /* --debug: one line per request */
	/* Device-code sign-in (the wizard); NULL: not offered. */
	void (*prompt)(void *arg, const char *message, const char *uri,
		       const char *code);
	void *prompt_arg;
	/* "throttled, retrying in 4 s" */
	void (*on_retry)(void *arg, const char *method, const char *url,
			 long status, int attempt, int delay_ms);
	void *retry_arg;
};

int world_open_live(const struct live_opts *o, struct world **out,
		    struct ad_error *err);

/* Fill in the context from Azure and the cluster.  0, or negative AD_E*
 * with err saying what could not be found and what to pass. */
int live_resolve(struct world *w, struct ad_error *err);

/* A pod whose image cannot be pulled. */
struct live_pod {
	char namespace_[64];
	char name[254];
	char image[512];
	char reason[32];                 /* ImagePullBackOff, ErrImagePull */
	char node[254];
};

/* The pods in ImagePullBackOff/ErrImagePull (namespace_ NULL: all
 * namespaces), up to max; *n gets the count.  0 or AD_E*. */
int live_failing_pods(struct world *w, const char *namespace_,
		      struct live_pod *pods, size_t max, size_t *n,
		      struct ad_error *err);

/* The node the context's pod runs on (spec.nodeName) and its InternalIP
 * (status.addresses), each validated: the node an SSH probe goes to when
 * none is named.  0, or AD_ENOTFOUND (no pod, the pod not scheduled, no
 * InternalIP), AD_EPARSE (a name or address that is not one), or the
 * request's error; err says which. */
int live_pod_node_address(struct world *w, char *node, size_t nodelen,
			  char *addr, size_t addrlen, struct ad_error *err);

/* A node of the cluster, for a pick list: every field validated (a
 * name or address that is not one leaves the node out). */
struct live_node {
	char name[254];
	char addr[64];                   /* InternalIP; "" when none */
	int ready;                       /* 1 Ready, 0 not, -1 unknown */
	char os[32], arch[32];           /* status.nodeInfo; "" when odd */
};

/* The cluster's nodes (GET /api/v1/nodes), up to max; *n gets the
 * count.  0 or AD_E*. */
int live_nodes(struct world *w, struct live_node *nodes, size_t max,
	       size_t *n, struct ad_error *err);

/* The credential source in use ("azure cli"...), or NULL before any. */
const char *live_cred_source(const struct world *w);
/* Which credential sources were tried and why each was not usable. */
void live_cred_tried(const struct world *w, char *buf, size_t len);

/* The AKS cluster the current kubeconfig context names (no request
 * sent): 0 and buf filled, or AD_ENOTFOUND when the context is not an
 * AKS cluster or there is no kubeconfig. */
int live_kube_cluster(const struct world *w, char *buf, size_t len);
/* Get an ARM token from the credential chain (network; the token is
 * dropped at once), so that live_cred_source() says which source works,
 * or live_cred_tried() why none does.  0 or AD_E*. */
int live_sign_in(struct world *w, struct ad_error *err);

#endif
