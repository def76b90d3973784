/* cli_world.c - the world the command line's options name. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "err.h"
#include "i18n.h"
#include "kubecfg.h"
#include "live.h"
#include "probe.h"
#include "probe_ssh.h"
#include "world.h"

/* "throttled, retrying in 4 s": what a user waiting on a prompt sees.
 * attempt is the number of the try about to be made. */
static void cli_on_retry(void *arg, const char *method, const char *url,
			 long status, int attempt, int delay_ms)
{
	char host[256] = "";
	const char *h = url ? strstr(url, "://") : NULL;

	(void)arg;
	if (h) {
		size_t n = strcspn(h + 3, "/?#");

		snprintf(host, sizeof host, "%.*s", (int)(n < 255 ? n : 255), h + 3);
	}
	if (status == 429)
		cli_complain(_("throttled (HTTP 429) by %s on %s; retrying in %d s (try %d)"),
			     host, method, (delay_ms + 999) / 1000, attempt);
	else if (status)
		cli_complain(_("HTTP %ld from %s on %s; retrying in %d s (try %d)"),
			     status, host, method, (delay_ms + 999) / 1000,
			     attempt);
	else
		cli_complain(_("no answer from %s to %s; retrying in %d s (try %d)"),
			     host, method, (delay_ms + 999) / 1000, attempt);
}

/* With --ssh-node the node's answers come from a real node over SSH.
 * The command line never prompts (no callbacks): an unknown host or an
 * encrypted key makes the node checks say unknown, and why. */
static int attach_ssh(const struct opts *o, struct world *w)
{
	struct ad_error err = { 0 };
	struct node_probe *p = NULL;
	struct ssh_opts so;
	char node[254] = "";

	if (!o->use_ssh)
		return 0;
	so = o->ssh;
	if (strcmp(so.node, SSH_NODE_PICK) == 0) {
		cli_complain("%s", _("--ssh-node pick is for the wizard: give the node's address, or auto"));
		return EXIT_USAGE;
	}
	/* --ssh-node auto: the node the failing pod runs on. */
	if (strcmp(so.node, SSH_NODE_AUTO) == 0) {
		char addr[64];

		if (!world_is_live(w)) {
			cli_complain("%s", _("--ssh-node auto needs a live cluster (--cluster NAME): a scenario's nodes are not real"));
			return EXIT_USAGE;
		}
		if (w->ctx.target != AD_TARGET_AKS) {
			cli_complain("%s", _("--ssh-node auto needs a cluster: a web app has no nodes to reach"));
			return EXIT_USAGE;
		}
		if (live_pod_node_address(w, node, sizeof node, addr,
					  sizeof addr, &err) != 0) {
			cli_complain(_("--ssh-node auto: %s"), err.msg);
			return EXIT_USAGE;
		}
		snprintf(so.node, sizeof so.node, "%s", addr);
		if (o->debug)
			cli_complain(_("--ssh-node auto: the pod's node %s at %s"),
				     node, addr);
	}
	if (probe_ssh_new(&so, &p, &err) != 0) {
		cli_complain("%s", err.msg);
		return EXIT_USAGE;
	}
	/* The evidence names the node as Kubernetes does, and its address. */
	if (node[0])
		snprintf(p->node, sizeof p->node, "%.80s (%.40s)", node, so.node);
	p->cancel = &w->cancel;
	world_set_probe(w, p);
	return 0;
}

static int ssh_without_node(const struct opts *o)
{
	return !o->use_ssh && (o->ssh.user[0] || o->ssh.port || o->ssh.nkey ||
			       o->ssh.jump[0] || o->ssh.known_hosts[0] ||
			       o->ssh.config[0]);
}

int cli_check_kubeconfig(const struct opts *o)
{
	struct ad_error err = { 0 };
	struct kubecfg *k = NULL;
	int explicit_ = (o->kubeconfig && o->kubeconfig[0]) ||
			(o->context && o->context[0]);
	int rc;

	if (o->scenario || o->webapp || o->training)
		return 0;
	rc = kubecfg_load(o->kubeconfig, o->context, &k, &err);
	kubecfg_free(k);
	if (rc == 0)
		return 0;
	/* Named on the command line: using something else would answer
	 * for another cluster than the one asked about. */
	if (explicit_) {
		cli_complain(_("the kubeconfig cannot be used: %s"), err.msg);
		return EXIT_USAGE;
	}
	/* No kubeconfig at all is ordinary (the cluster's user credentials
	 * come from Azure); one that is there but broken is said. */
	if (rc != AD_ENOTFOUND)
		cli_complain(_("the kubeconfig cannot be used, so the cluster's user credentials are asked of Azure instead: %s"),
			     err.msg);
	return 0;
}

int cli_open_world(const struct opts *o, struct world **out)
{
	struct ad_error err = { 0 };
	struct live_opts lo = { 0 };
	struct world *w = NULL;
	int rc;

	*out = NULL;
	if (ssh_without_node(o)) {
		cli_complain("%s", _("the --ssh-* options need --ssh-node"));
		return EXIT_USAGE;
	}
	if (o->scenario) {
		if (o->cluster || o->webapp) {
			cli_complain("%s", _("--scenario and --cluster/--webapp exclude each other: a scenario is a simulated world"));
			return EXIT_USAGE;
		}
		if (world_open_scenario(o->scenario, &w, &err) != 0) {
			cli_complain("%s", err.msg);
			return EXIT_USAGE;
		}
		if ((rc = attach_ssh(o, w)) != 0) {
			world_free(w);
			return rc;
		}
		*out = w;
		return 0;
	}
	if (o->cluster && o->webapp) {
		cli_complain("%s", _("give --cluster or --webapp, not both"));
		return EXIT_USAGE;
	}
	if ((rc = cli_check_kubeconfig(o)) != 0)
		return rc;
	lo.target = o->webapp ? AD_TARGET_WEBAPP : AD_TARGET_AKS;
	lo.cluster = o->cluster;
	lo.webapp = o->webapp;
	lo.resource_group = o->resource_group;
	lo.subscription = o->subscription;
	lo.namespace_ = o->namespace_;
	lo.pod = o->pod;
	lo.image = o->image;
	lo.registry = o->registry;
	lo.message = o->message;
	lo.cloud = o->cloud;
	lo.kubeconfig = o->kubeconfig;
	lo.context = o->context;
	lo.ca_file = o->ca_file;
	lo.credential = o->credential;
	if (o->timeout) {
		char *end;
		long s = strtol(o->timeout, &end, 10);

		if (end == o->timeout || *end || s < 1 || s > 3600) {
			cli_complain(_("--timeout takes whole seconds from 1 to 3600, not '%s'"),
				     o->timeout);
			return EXIT_USAGE;
		}
		lo.timeout_ms = s * 1000;
	}
	lo.debug = o->debug ? stderr : NULL;
	lo.on_retry = cli_on_retry;
	if (world_open_live(&lo, &w, &err) != 0) {
		cli_complain("%s", err.msg);
		return EXIT_USAGE;
	}
	rc = live_resolve(w, &err);
	/* No pod, image or registry named, and none found: the pods are
	 * what say why (none fails to pull, or they cannot be listed), not
	 * the registry that could not be found without them. */
	if (rc == AD_EINVAL && w->ctx.target == AD_TARGET_AKS && !o->pod &&
	    !o->image && !o->registry && w->ctx.kube_server[0] &&
	    !w->ctx.pod[0]) {
		struct live_pod pod;
		struct ad_error perr = { 0 };
		size_t n = 0;
		const char *ns = o->namespace_;

		if (live_failing_pods(w, ns, &pod, 1, &n, &perr) != 0) {
			cli_complain(_("cannot list the pods of %s that fail to pull: %s"),
				     w->ctx.cluster, perr.msg);
			cli_complain("%s", _("name the pod (-n NAMESPACE --pod POD) or the image (--image REF)"));
			world_free(w);
			return EXIT_INCONCLUSIVE;
		}
		if (n == 0) {
			if (o->json && o->cmd && strcmp(o->cmd, "diagnose") == 0)
				printf("[]\n");
			else if (ns && ns[0])
				printf(_("No pod of cluster %s in namespace %s is in ImagePullBackOff or ErrImagePull: nothing fails to pull. To check an image anyway, give --image REF.\n"),
				       w->ctx.cluster, ns);
			else
				printf(_("No pod of cluster %s is in ImagePullBackOff or ErrImagePull (every namespace): nothing fails to pull. To check an image anyway, give --image REF.\n"),
				       w->ctx.cluster);
			world_free(w);
			return CLI_NOTHING;
		}
	}
	if (rc != 0) {
		char tried[1024];

		live_cred_tried(w, tried, sizeof tried);
		/* No credential at all: the list of what was tried, once. */
		if (rc == AD_ENOTFOUND && tried[0] && !live_cred_source(w)) {
			cli_complain(_("no Azure credentials could be used; tried: %s"),
				     tried);
			cli_complain("%s", _("sign in with `az login`, or practise on a training scenario: acr-doctor --scenario aks-401-no-acrpull"));
		} else {
			cli_complain("%s", err.msg);
		}
		world_free(w);
		return rc == AD_EINVAL || rc == AD_ENOTFOUND ? EXIT_USAGE :
		       EXIT_INCONCLUSIVE;
	}
	if ((rc = attach_ssh(o, w)) != 0) {
		world_free(w);
		return rc;
	}
	*out = w;
	return 0;
}
