/* live.c - opening a world on real Azure and a real cluster.
 *
 * Only this file knows that a world is live: it builds the libcurl
 * transport, the credential chain and the kubeconfig, signs every
 * request through the facts' auth seam, and finds the context. */
#include "config.h"
#include "live.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "cloud.h"
#include "cred.h"
#include "err.h"
#include "facts.h"
#include "http.h"
#include "http_curl.h"
#include "i18n.h"
#include "jsonu.h"
#include "kubecfg.h"
#include "pool.h"
#include "probe.h"
#include "world.h"

#define API_SUBSCRIPTIONS "2022-12-01"

struct live {
	struct cloud cloud;
	struct cred *cred;
	struct kubecfg *kube;       /* NULL: none could be loaded */
	char kube_why[512];         /* why not */
	struct live_opts o;         /* strings borrowed from the caller */
};

void live_free(void *p);

void live_free(void *p)
{
	struct live *l = p;

	if (!l)
		return;
	cred_free(l->cred);
	kubecfg_free(l->kube);
	free(l);
}

static void live_expired(void *arg, enum facts_aud aud, const char *token)
{
	struct live *l = arg;

	if (aud == FACTS_AUD_ARM || aud == FACTS_AUD_GRAPH)
		cred_forget(l->cred);
	else if (aud == FACTS_AUD_KUBE && l->kube)
		kubecfg_invalidate_token(l->kube, token);
}

static int live_authorize(void *arg, enum facts_aud aud,
			  struct http_request *req, char *buf, size_t len,
			  struct ad_error *err)
{
	struct live *l = arg;
	int rc;

	switch (aud) {
	case FACTS_AUD_NONE:
		return 0;
	case FACTS_AUD_ARM:
	case FACTS_AUD_GRAPH:
		rc = cred_token(l->cred, aud == FACTS_AUD_ARM ? CRED_AUD_ARM :
				CRED_AUD_GRAPH, buf, len, err);
		if (rc != 0)
			return rc;
		req->bearer = buf;
		req->auth_label = cred_source(l->cred);
		return 0;
	case FACTS_AUD_KUBE:
		if (!l->kube)
			return ad_error_set(err, AD_EUNSUPP,
				_("no credentials for the cluster's API server: %s"),
				l->kube_why);
		return kubecfg_auth(l->kube, req, err);
	}
	return AD_EINVAL;
}

/* Copy a value that must fit whole: -1 (nothing copied) when it does
 * not, never a cut name. */
static int copy(char *dst, size_t len, const char *src)
{
	size_t n;

	if (!src || !src[0])
		return 0;
	n = strlen(src);
	if (n >= len)
		return -1;
	memcpy(dst, src, n + 1);
	return 0;
}

int world_open_live(const struct live_opts *o, struct world **out,
		    struct ad_error *err)
{
	struct world *w;
	struct live *l;
	struct http_curl_opts co = { 0 };
	struct cred_opts cr = { 0 };
	const char *sn;
	int rc;

	*out = NULL;
	w = calloc(1, sizeof *w);
	l = calloc(1, sizeof *l);
	if (!w || !l) {
		free(w);
		free(l);
		return ad_error_set(err, AD_ENOMEM, _("out of memory"));
	}
	w->live = l;
	l->o = *o;
	if ((rc = cloud_select(o->cloud, &l->cloud, err)) != 0)
		goto fail;
	ctx_init(&w->ctx, o->target);
	sn = cloud_short_name(&l->cloud);
	if (sn)
		ctx_cloud_parse(sn, &w->ctx.cloud);
	else
		snprintf(w->ctx.cloud_name, sizeof w->ctx.cloud_name, "%s",
			 l->cloud.name);   /* validated by cloud_load() */
	if (copy(w->ctx.arm, sizeof w->ctx.arm, l->cloud.arm) ||
	    copy(w->ctx.graph, sizeof w->ctx.graph, l->cloud.graph) ||
	    copy(w->ctx.acr_suffix, sizeof w->ctx.acr_suffix,
		 l->cloud.acr_suffix) ||
	    copy(w->ctx.cluster, sizeof w->ctx.cluster, o->cluster) ||
	    copy(w->ctx.webapp, sizeof w->ctx.webapp, o->webapp) ||
	    copy(w->ctx.resource_group, sizeof w->ctx.resource_group,
		 o->resource_group) ||
	    copy(w->ctx.subscription, sizeof w->ctx.subscription,
		 o->subscription) ||
	    copy(w->ctx.namespace_, sizeof w->ctx.namespace_, o->namespace_) ||
	    copy(w->ctx.pod, sizeof w->ctx.pod, o->pod) ||
	    copy(w->ctx.image, sizeof w->ctx.image, o->image) ||
	    copy(w->ctx.registry, sizeof w->ctx.registry, o->registry) ||
	    copy(w->ctx.message, sizeof w->ctx.message, o->message)) {
		rc = ad_error_set(err, AD_EINVAL,
			_("a name or value given is longer than Azure and Kubernetes allow"));
		goto fail;
	}
	if (!l->cloud.graph[0])
		w->ctx.graph[0] = '\0';
	if (!w->ctx.subscription[0])
		copy(w->ctx.subscription, sizeof w->ctx.subscription,
		     getenv("AZURE_SUBSCRIPTION_ID"));

	http_curl_opts_init(&co);
	co.ca_file = o->ca_file;
	if (o->timeout_ms > 0)
		co.timeout_ms = o->timeout_ms;
	co.debug = o->debug;
	co.on_retry = o->on_retry;
	co.on_retry_arg = o->retry_arg;
	w->http = http_curl_new(&co, err);
	if (!w->http) {
		rc = err ? err->code : AD_EINVAL;
		goto fail;
	}
	w->http->cancel = &w->cancel;

	cr.cloud = &l->cloud;
	cr.http = w->http;
	cr.only = o->credential;
	cr.prompt = o->prompt;
	cr.prompt_arg = o->prompt_arg;
	cr.cancel = &w->cancel;
	if ((rc = cred_chain_new(&cr, &l->cred, err)) != 0)
		goto fail;

	if (o->target == AD_TARGET_AKS) {
		struct ad_error kerr = { 0 };

		if (kubecfg_load(o->kubeconfig, o->context, &l->kube,
				 &kerr) != 0) {
			l->kube = NULL;
			snprintf(l->kube_why, sizeof l->kube_why, "%s",
				 kerr.msg);
		} else {
			kubecfg_set_cancel(l->kube, &w->cancel);
		}
	}

	w->facts = facts_new(w->http, NULL, &w->ctx);
	if (!w->facts) {
		rc = ad_error_set(err, AD_ENOMEM, _("out of memory"));
		goto fail;
	}
	w->facts->auth.authorize = live_authorize;
	w->facts->auth.expired = live_expired;
	w->facts->auth.arg = l;
	snprintf(w->name, sizeof w->name, "live");
	snprintf(w->source, sizeof w->source, "%s", _("live"));
	*out = w;
	return 0;
fail:
	world_free(w);
	return rc;
}

const char *live_cred_source(const struct world *w)
{
	struct live *l = w->live;

	return l && l->cred ? cred_source(l->cred) : NULL;
}

void live_cred_tried(const struct world *w, char *buf, size_t len)
{
	struct live *l = w->live;

	buf[0] = '\0';
	if (l && l->cred)
		cred_tried(l->cred, buf, len);
}

/* ---------- finding the context ---------- */

/* The resource group of an ARM id, into buf. */
static int id_group(const char *id, char *buf, size_t len)
{
	const char *p = id ? strcasestr(id, "/resourceGroups/") : NULL;
	size_t n;

	if (!p)
		return -1;
	p += strlen("/resourceGroups/");
	n = strcspn(p, "/");
	if (n == 0 || n >= len)
		return -1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return ctx_name_ok(buf, "-_.()", 90) ? 0 : -1;
}

#define TYPE_CLUSTER  "Microsoft.ContainerService/managedClusters"
#define TYPE_WEBAPP   "Microsoft.Web/sites"
#define TYPE_REGISTRY "Microsoft.ContainerRegistry/registries"

/* A subscription of the listing that resources are looked for in: its
 * id when it is a GUID and enabled, else NULL. */
static const char *sub_usable(const cJSON *it)
{
	const char *sid = jsonu_str(it, "subscriptionId");
	const char *state = jsonu_str(it, "state");

	if (!sid || !ctx_is_guid(sid) ||
	    (state && strcasecmp(state, "Enabled") != 0))
		return NULL;
	return sid;
}

/* What find_resource asked one subscription. */
struct fr_sub {
	const char *sid;
	int rc;
	cJSON *json;      /* the resource (group known) or the list */
	struct ad_error err;
};

struct fr {
	const char *type, *name, *rg, *api;
	int known;        /* the group was given: read, not listed */
	struct fr_sub *s;
};

static int fr_job(struct facts *f, void *arg, size_t i)
{
	struct fr *j = arg;
	struct fr_sub *s = &j->s[i];
	char path[512];

	ad_error_clear(&s->err);
	if (j->known) {
		/* The group is known: read the resource itself. */
		snprintf(path, sizeof path,
			 "/subscriptions/%s/resourceGroups/%s/providers/%s/%s",
			 s->sid, j->rg, j->type, j->name);
		s->rc = arm_get(f, path, j->api, &s->json, &s->err);
	} else {
		snprintf(path, sizeof path, "/subscriptions/%s/providers/%s",
			 s->sid, j->type);
		s->rc = arm_list(f, path, j->api, &s->json, &s->err);
	}
	return s->rc == AD_ENOMEM ? AD_ENOMEM : 0;
}

/* Find the resource named name of provider type (e.g. TYPE_CLUSTER) in
 * the subscription, or in every subscription the caller can see; fills
 * subscription and resource group.  AD_ENOTFOUND when it is nowhere,
 * AD_EINVAL when two match (the user must say which).  The
 * subscriptions are asked at once and their answers weighed in the
 * listing's order, so the outcome is the one asking them in turn would
 * give. */
static int find_resource(struct world *w, const char *type, const char *name,
			 char *sub, size_t sublen, char *rg, size_t rglen,
			 struct ad_error *err)
{
	/* Whether the group was given is decided once: the group a list
	 * found in one subscription does not make the next one read the
	 * resource in that group, missing a second match. */
	struct fr j = { .type = type, .name = name, .rg = rg,
			.known = rg[0] != '\0' };
	const cJSON *subs = NULL, *it;
	cJSON *list;
	char only[64];
	size_t n = 0, i;
	int rc, found = 0;

	snprintf(only, sizeof only, "%s", sub);
	if (!only[0]) {
		rc = arm_list(w->facts, "/subscriptions", API_SUBSCRIPTIONS,
			      &list, err);
		if (rc != 0)
			return rc;
		subs = jsonu_array(list, "value");
		for (it = subs ? subs->child : NULL; it; it = it->next)
			n += sub_usable(it) != NULL;
	} else if (ctx_is_guid(only)) {
		n = 1;
	}
	j.api = strstr(type, "managedClusters") ? API_AKS :
		strstr(type, "Microsoft.Web") ? API_WEB : API_ACR;
	j.s = calloc(n ? n : 1, sizeof *j.s);
	if (!j.s)
		return ad_error_set(err, AD_ENOMEM, _("out of memory"));
	if (only[0] && n) {
		j.s[0].sid = only;
	} else {
		n = 0;
		for (it = subs ? subs->child : NULL; it; it = it->next)
			if (sub_usable(it))
				j.s[n++].sid = sub_usable(it);
	}
	/* A job a cancel kept from starting. */
	for (i = 0; i < n; i++) {
		j.s[i].rc = ad_error_set(&j.s[i].err, AD_ECANCEL,
					 _("cancelled"));
		ad_error_net(&j.s[i].err, AD_NET_CANCELLED);
	}
	if (pool_run(w->facts, n, fr_job, &j, NULL, POOL_MERGE,
		     &w->cancel) != 0) {
		free(j.s);
		return ad_error_set(err, AD_ENOMEM, _("out of memory"));
	}
	rc = 0;
	for (i = 0; i < n && rc == 0; i++) {
		const struct fr_sub *s = &j.s[i];
		const cJSON *res, *r;

		if (s->rc != 0) {
			if (only[0]) {
				if (err)
					*err = s->err;
				rc = s->rc;
			}
			continue;  /* a subscription we may not read */
		}
		if (j.known) {
			snprintf(sub, sublen, "%s", s->sid);
			free(j.s);
			return 0;
		}
		res = jsonu_array(s->json, "value");
		for (r = res ? res->child : NULL; r; r = r->next) {
			const char *nm = jsonu_str(r, "name");
			char g[96];

			if (!nm || strcasecmp(nm, name) != 0 ||
			    id_group(jsonu_str(r, "id"), g, sizeof g) != 0)
				continue;
			if (found && (strcmp(sub, s->sid) != 0 ||
				      strcasecmp(rg, g) != 0)) {
				rc = ad_error_set(err, AD_EINVAL,
					_("more than one %s is named %s (in %s and %s): say which with --subscription and --resource-group"),
					type, name, rg, g);
				break;
			}
			snprintf(sub, sublen, "%s", s->sid);
			snprintf(rg, rglen, "%s", g);
			found = 1;
		}
	}
	free(j.s);
	if (rc != 0)
		return rc;
	if (!found)
		return ad_error_set(err, AD_ENOTFOUND,
			_("no %s named %s was found in the subscriptions these credentials can read"),
			type, name);
	return 0;
}

/* The registry and repository of an image reference on this cloud's
 * registries ("acrshop.azurecr.io/shop/web:1.4.2" -> "acrshop"). */
static int registry_of_image(const struct ad_context *c, const char *image,
			     char *reg, size_t len)
{
	const char *slash = strchr(image, '/');
	const char *suffix = ctx_suffix(c);
	size_t host, sl = strlen(suffix);

	if (!slash)
		return -1;
	host = (size_t)(slash - image);
	if (host <= sl + 1 || image[host - sl - 1] != '.' ||
	    strncasecmp(image + host - sl, suffix, sl) != 0 ||
	    host - sl - 1 >= len)
		return -1;
	memcpy(reg, image, host - sl - 1);
	reg[host - sl - 1] = '\0';
	return ctx_valid_registry_name(reg, NULL) == 0 ? 0 : -1;
}

/* The image's host is not on this cloud's registries (a typo such as
 * acrshop.azureacr.io): when its first label names a registry these
 * credentials can see, that is the one meant, and the checks will say
 * what is wrong with the reference. */
static void registry_near_image(struct world *w, const char *image)
{
	struct ad_context *c = &w->ctx;
	char name[64], sub[64], rg[96] = "";
	struct ad_error err = { 0 };
	size_t n = strcspn(image, "./");

	if (n == 0 || n >= sizeof name || image[n] != '.')
		return;
	memcpy(name, image, n);
	name[n] = '\0';
	if (ctx_valid_registry_name(name, NULL) != 0)
		return;
	snprintf(sub, sizeof sub, "%s", c->subscription);
	if (find_resource(w, TYPE_REGISTRY, name, sub, sizeof sub, rg,
			  sizeof rg, &err) == 0) {
		snprintf(c->registry, sizeof c->registry, "%s", name);
		snprintf(c->registry_group, sizeof c->registry_group, "%s", rg);
	}
}

static void pod_add(const cJSON *pod, const cJSON *st, struct live_pod *pods,
		    size_t max, size_t *n)
{
	const char *reason = jsonu_str(st, "state.waiting.reason");
	const char *ns = jsonu_str(pod, "metadata.namespace");
	const char *name = jsonu_str(pod, "metadata.name");
	const char *image = jsonu_str(st, "image");
	const char *node = jsonu_str(pod, "spec.nodeName");
	struct live_pod *p;

	if (!reason || (strcmp(reason, "ImagePullBackOff") != 0 &&
			strcmp(reason, "ErrImagePull") != 0) ||
	    !ns || !name || !image || *n >= max ||
	    !ctx_name_ok(ns, "-", 63) || !ctx_name_ok(name, "-.", 253))
		return;
	/* One entry a pod: its first container that cannot pull. */
	if (*n && strcmp(pods[*n - 1].name, name) == 0 &&
	    strcmp(pods[*n - 1].namespace_, ns) == 0)
		return;
	p = &pods[(*n)++];
	memset(p, 0, sizeof *p);
	snprintf(p->namespace_, sizeof p->namespace_, "%s", ns);
	snprintf(p->name, sizeof p->name, "%s", name);
	snprintf(p->image, sizeof p->image, "%s", image);
	snprintf(p->reason, sizeof p->reason, "%s", reason);
	if (node && ctx_name_ok(node, "-.", 253))
		snprintf(p->node, sizeof p->node, "%s", node);
}

int live_failing_pods(struct world *w, const char *namespace_,
		      struct live_pod *pods, size_t max, size_t *n,
		      struct ad_error *err)
{
	char path[256];
	cJSON *list;
	const cJSON *items, *it;
	int rc;

	*n = 0;
	if (namespace_ && namespace_[0]) {
		if ((rc = ctx_valid_k8s_name("namespace", namespace_, err)) != 0)
			return rc;
		snprintf(path, sizeof path, "/api/v1/namespaces/%s/pods",
			 namespace_);
	} else {
		snprintf(path, sizeof path, "/api/v1/pods");
	}
	if ((rc = kube_get(w->facts, path, &list, err)) != 0)
		return rc;
	items = jsonu_array(list, "items");
	for (it = items ? items->child : NULL; it; it = it->next) {
		const cJSON *st;

		st = jsonu_array(it, "status.initContainerStatuses");
		for (st = st ? st->child : NULL; st; st = st->next)
			pod_add(it, st, pods, max, n);
		st = jsonu_array(it, "status.containerStatuses");
		for (st = st ? st->child : NULL; st; st = st->next)
			pod_add(it, st, pods, max, n);
	}
	return 0;
}

/* No kubeconfig for this cluster: its user credentials from ARM, as
 * `az aks get-credentials` gets them (format=exec: AAD clusters get the
 * kubelogin plugin, others a token or certificate).  A failure is kept
 * in kube_why: the checks that read the cluster then say unknown, why. */
static void kube_from_arm(struct world *w, struct live *l)
{
	struct http_response r;
	struct ad_error e = { 0 };
	char id[512], why[sizeof l->kube_why];
	struct kubecfg *k = NULL;

	facts_cluster_id(w->facts, id, sizeof id);
	strncat(id, "/listClusterUserCredential", sizeof id - strlen(id) - 1);
	if (arm_post_secret(w->facts, id, "format=exec", API_AKS, &r, &e) == 0) {
		kubecfg_from_arm(r.body, r.body_len, NULL, &k, &e);
		memset(r.body, 0, r.body_len);
		http_response_clear(&r);
	}
	if (!k) {
		snprintf(why, sizeof why, "%s", l->kube_why);
		snprintf(l->kube_why, sizeof l->kube_why,
			 _("%s; and the cluster's user credentials could not be had from Azure: %s"),
			 why[0] ? why : _("no kubeconfig"), e.msg);
		return;
	}
	kubecfg_free(l->kube);
	l->kube = k;
	kubecfg_set_cancel(l->kube, &w->cancel);
	snprintf(w->ctx.kube_server, sizeof w->ctx.kube_server, "%s",
		 kubecfg_server(k));
	/* Only where none is known: --namespace or a pod picked wins. */
	if (!w->ctx.namespace_[0] && kubecfg_namespace_set(k))
		copy(w->ctx.namespace_, sizeof w->ctx.namespace_,
		     kubecfg_namespace(k));
}

/* The InternalIP of a Node object, validated as an address literal. */
static int node_internal_ip(const cJSON *node, char *addr, size_t len)
{
	const cJSON *a = jsonu_array(node, "status.addresses");

	for (a = a ? a->child : NULL; a; a = a->next) {
		const char *t = jsonu_str(a, "type");
		const char *v = jsonu_str(a, "address");

		if (!t || strcmp(t, "InternalIP") != 0 || !v)
			continue;
		if (strlen(v) >= len || probe_addr_private(v) < 0)
			return AD_EPARSE;
		snprintf(addr, len, "%s", v);
		return 0;
	}
	return AD_ENOTFOUND;
}

int live_pod_node_address(struct world *w, char *node, size_t nodelen,
			  char *addr, size_t addrlen, struct ad_error *err)
{
	struct ad_context *c = &w->ctx;
	char path[600];
	const char *name;
	cJSON *obj;
	int rc;

	node[0] = addr[0] = '\0';
	if (!c->pod[0] || !c->namespace_[0])
		return ad_error_set(err, AD_ENOTFOUND,
			_("no failing pod was found to take its node: give --pod NAME or --ssh-node ADDRESS"));
	snprintf(path, sizeof path, "/api/v1/namespaces/%s/pods/%s",
		 c->namespace_, c->pod);
	if ((rc = kube_get(w->facts, path, &obj, err)) != 0)
		return rc;
	name = jsonu_str(obj, "spec.nodeName");
	if (!name || !name[0])
		return ad_error_set(err, AD_ENOTFOUND,
			_("the pod %s is not scheduled on a node yet: give --ssh-node ADDRESS"),
			c->pod);
	if (!ctx_name_ok(name, "-.", 253) || strlen(name) >= nodelen)
		return ad_error_set(err, AD_EPARSE,
			_("the pod %s names a node that is not a valid node name"),
			c->pod);
	snprintf(node, nodelen, "%s", name);
	snprintf(path, sizeof path, "/api/v1/nodes/%s", node);
	rc = kube_get(w->facts, path, &obj, err);
	if (rc == AD_ENOTFOUND) {
		/* Some API front ends serve the node only in a list. */
		const cJSON *items, *it;
		struct ad_error lerr = { 0 };
		cJSON *list;

		snprintf(path, sizeof path,
			 "/api/v1/nodes?fieldSelector=metadata.name%%3D%s", node);
		if (kube_get(w->facts, path, &list, &lerr) == 0) {
			items = jsonu_array(list, "items");
			for (it = items ? items->child : NULL; it; it = it->next) {
				const char *n = jsonu_str(it, "metadata.name");

				if (n && strcmp(n, node) == 0) {
					obj = (cJSON *)it;
					rc = 0;
					break;
				}
			}
		}
	}
	if (rc != 0)
		return rc;
	rc = node_internal_ip(obj, addr, addrlen);
	if (rc == AD_EPARSE)
		return ad_error_set(err, rc,
			_("the node %s has an InternalIP that is not an IP address"),
			node);
	if (rc != 0)
		return ad_error_set(err, rc,
			_("the node %s has no InternalIP address: give --ssh-node ADDRESS"),
			node);
	return 0;
}

/* A short word from nodeInfo (linux, amd64): letters and digits only. */
static void node_word(char *dst, size_t len, const char *v)
{
	dst[0] = '\0';
	if (v && ctx_name_ok(v, "_", len - 1))
		snprintf(dst, len, "%s", v);
}

int live_nodes(struct world *w, struct live_node *nodes, size_t max,
	       size_t *n, struct ad_error *err)
{
	const cJSON *items, *it;
	cJSON *list;
	int rc;

	*n = 0;
	if ((rc = kube_get(w->facts, "/api/v1/nodes", &list, err)) != 0)
		return rc;
	items = jsonu_array(list, "items");
	for (it = items ? items->child : NULL; it && *n < max; it = it->next) {
		struct live_node *d = &nodes[*n];
		const char *name = jsonu_str(it, "metadata.name");
		const cJSON *c = jsonu_array(it, "status.conditions");

		if (!name || !ctx_name_ok(name, "-.", 253))
			continue;
		memset(d, 0, sizeof *d);
		snprintf(d->name, sizeof d->name, "%s", name);
		if (node_internal_ip(it, d->addr, sizeof d->addr) != 0)
			d->addr[0] = '\0';
		d->ready = -1;
		for (c = c ? c->child : NULL; c; c = c->next) {
			const char *t = jsonu_str(c, "type");
			const char *v = jsonu_str(c, "status");

			if (t && v && strcmp(t, "Ready") == 0)
				d->ready = strcmp(v, "True") == 0 ? 1 :
					   strcmp(v, "False") == 0 ? 0 : -1;
		}
		node_word(d->os, sizeof d->os,
			  jsonu_str(it, "status.nodeInfo.operatingSystem"));
		node_word(d->arch, sizeof d->arch,
			  jsonu_str(it, "status.nodeInfo.architecture"));
		(*n)++;
	}
	return 0;
}

/* ---------- the reads that find the context, at once ----------
 *
 * The reads that find the context are sent in rounds: each round holds
 * every read whose inputs are known, run at once on the pool (pool.h),
 * and each job of a round starts from what the rounds before it read,
 * so the depth counted is that of the chain of reads, not their number.
 * The jobs of a round write disjoint parts of the context: RJ_FIND
 * works on copies (the others read the subscription), RJ_PODS writes
 * the pod, its namespace and image, RJ_CREDS the kubeconfig, the API
 * server and the namespace, RJ_CONFIG the image; RJ_PODS and RJ_CREDS
 * never share a round, nor do RJ_FIND and RJ_CONFIG. */

enum rjob {
	RJ_FIND,        /* the cluster's or web app's subscription and group */
	RJ_PODS,        /* the failing pod and its image, from the cluster */
	RJ_CREDS,       /* the cluster's user credentials, from ARM */
	RJ_CLUSTER,     /* the cluster, for its API server's name */
	RJ_CONFIG,      /* the web app's image, from its configuration */
	RJ_REGISTRIES   /* the registries of the subscription */
};

struct resolve {
	struct world *w;
	struct live *l;
	enum rjob job[6];
	size_t n;
	const char *type, *name;    /* RJ_FIND */
	char sub[64], rg[96];       /* RJ_FIND: in and out */
	int find_rc;
	struct ad_error find_err;
};

/* The pod that cannot pull (the first one), or the image of the pod
 * named: needs only the cluster's API server. */
static void pod_lookup(struct world *w, struct live *l)
{
	struct ad_context *c = &w->ctx;

	if (!c->pod[0]) {
		struct live_pod pods[1];
		size_t n = 0;
		struct ad_error perr = { 0 };

		if (live_failing_pods(w, l->o.namespace_, pods, 1, &n,
				      &perr) == 0 && n == 1) {
			copy(c->namespace_, sizeof c->namespace_,
			     pods[0].namespace_);
			copy(c->pod, sizeof c->pod, pods[0].name);
			if (!c->image[0])
				copy(c->image, sizeof c->image, pods[0].image);
		}
	}
	if (c->pod[0] && !c->image[0]) {
		char path[512];
		cJSON *pod;
		struct ad_error perr = { 0 };

		snprintf(path, sizeof path, "/api/v1/namespaces/%s/pods/%s",
			 c->namespace_, c->pod);
		if (kube_get(w->facts, path, &pod, &perr) == 0) {
			const cJSON *st = jsonu_array(pod, "status.containerStatuses");

			for (st = st ? st->child : NULL; st; st = st->next) {
				const char *r = jsonu_str(st, "state.waiting.reason");

				if (r && (strcmp(r, "ImagePullBackOff") == 0 ||
					  strcmp(r, "ErrImagePull") == 0))
					copy(c->image, sizeof c->image,
					     jsonu_str(st, "image"));
			}
		}
	}
}

/* The web app's image, from its site configuration. */
static void webapp_image(struct world *w)
{
	struct ad_context *c = &w->ctx;
	struct ad_error e = { 0 };
	char path[600];
	cJSON *cfg;

	facts_webapp_id(w->facts, path, sizeof path);
	strncat(path, "/config/web", sizeof path - strlen(path) - 1);
	if (arm_get(w->facts, path, API_WEB, &cfg, &e) == 0) {
		const char *fx = jsonu_str(cfg, "properties.linuxFxVersion");

		if (!fx || !fx[0])
			fx = jsonu_str(cfg, "properties.windowsFxVersion");
		if (fx && strncasecmp(fx, "DOCKER|", 7) == 0)
			copy(c->image, sizeof c->image, fx + 7);
	}
}

/* The registries of the subscription the registry's group is looked up
 * in (the cluster's or the web app's), read as soon as that subscription
 * is known: given, or the only one these credentials can use (the
 * cluster or web app can be in no other).  The registry's name may come
 * later (from the pod, from the web app's configuration): the lookup in
 * live_resolve then finds the list in the cache. */
static void registries_prefetch(struct world *w)
{
	const struct ad_context *c = &w->ctx;
	struct ad_error e = { 0 };
	char sub[64] = "", path[512];
	const cJSON *it;
	cJSON *list;

	if (c->registry_group[0])
		return;
	if (c->subscription[0]) {
		if (copy(sub, sizeof sub, c->subscription) != 0)
			return;
	} else {
		size_t n = 0;

		/* The same listing find_resource reads: one request. */
		if (arm_list(w->facts, "/subscriptions", API_SUBSCRIPTIONS,
			     &list, &e) != 0)
			return;
		it = jsonu_array(list, "value");
		for (it = it ? it->child : NULL; it; it = it->next)
			if (sub_usable(it) && n++ == 0)
				copy(sub, sizeof sub, sub_usable(it));
		if (n != 1)
			return;
	}
	if (!ctx_is_guid(sub))
		return;
	snprintf(path, sizeof path, "/subscriptions/%s/providers/%s", sub,
		 TYPE_REGISTRY);
	arm_list(w->facts, path, API_ACR, &list, &e);
}

static int resolve_job(struct facts *f, void *arg, size_t i)
{
	struct resolve *r = arg;
	struct world *w = r->w;

	switch (r->job[i]) {
	case RJ_FIND:
		r->find_rc = find_resource(w, r->type, r->name, r->sub,
					   sizeof r->sub, r->rg, sizeof r->rg,
					   &r->find_err);
		break;
	case RJ_PODS:
		pod_lookup(w, r->l);
		break;
	case RJ_CREDS:
		kube_from_arm(w, r->l);
		break;
	case RJ_CLUSTER: {
		/* Read anyway by the checks; here in case the credentials
		 * give no API server. */
		struct ad_error e = { 0 };
		char id[512];
		cJSON *mc;

		facts_cluster_id(f, id, sizeof id);
		arm_get(f, id, API_AKS, &mc, &e);
		break;
	}
	case RJ_CONFIG:
		webapp_image(w);
		break;
	case RJ_REGISTRIES:
		registries_prefetch(w);
		break;
	}
	return 0;
}

static void round_add(struct resolve *r, enum rjob j)
{
	if (r->n < sizeof r->job / sizeof r->job[0])
		r->job[r->n++] = j;
}

/* Run the round's jobs at once; the calling thread then has read what
 * they read. */
static int round_run(struct resolve *r, struct ad_error *err)
{
	size_t n = r->n;

	r->n = 0;
	if (pool_run(r->w->facts, n, resolve_job, r, NULL, POOL_MERGE,
		     &r->w->cancel) != 0)
		return ad_error_set(err, AD_ENOMEM, _("out of memory"));
	return 0;
}

/* A round with RJ_FIND: the subscription and group it found into the
 * context, or its error. */
static int round_find(struct resolve *r, struct ad_error *err)
{
	struct ad_context *c = &r->w->ctx;
	int rc;

	snprintf(r->sub, sizeof r->sub, "%s", c->subscription);
	snprintf(r->rg, sizeof r->rg, "%s", c->resource_group);
	/* What a cancel that kept it from starting leaves. */
	r->find_rc = ad_error_set(&r->find_err, AD_ECANCEL, _("cancelled"));
	ad_error_net(&r->find_err, AD_NET_CANCELLED);
	if ((rc = round_run(r, err)) != 0)
		return rc;
	if (r->find_rc != 0) {
		if (err)
			*err = r->find_err;
		return r->find_rc;
	}
	copy(c->subscription, sizeof c->subscription, r->sub);
	copy(c->resource_group, sizeof c->resource_group, r->rg);
	return 0;
}

static int resolve_aks(struct world *w, struct live *l, struct ad_error *err)
{
	struct ad_context *c = &w->ctx;
	struct resolve r = { .w = w, .l = l, .type = TYPE_CLUSTER };
	int rc, find, pods;

	/* A kubeconfig chosen by default (not --kubeconfig, --context) whose
	 * context is another AKS cluster than the one named is not used. */
	if (l->kube && l->o.cluster && !l->o.kubeconfig && !l->o.context) {
		struct kubecfg_aks g;

		kubecfg_aks_guess(l->kube, &g);
		if (g.looks_aks && g.cluster[0] &&
		    strcasecmp(g.cluster, l->o.cluster) != 0) {
			snprintf(l->kube_why, sizeof l->kube_why,
				 _("the kubeconfig's context is cluster %.100s, not %.100s"),
				 g.cluster, l->o.cluster);
			kubecfg_free(l->kube);
			l->kube = NULL;
		}
	}
	if (l->kube) {
		struct kubecfg_aks g;

		kubecfg_aks_guess(l->kube, &g);
		if (!c->cluster[0] && g.looks_aks && ctx_name_ok(g.cluster, "-_", 63))
			copy(c->cluster, sizeof c->cluster, g.cluster);
		if (!c->resource_group[0] && g.resource_group[0] &&
		    ctx_name_ok(g.resource_group, "-_.()", 90))
			copy(c->resource_group, sizeof c->resource_group,
			     g.resource_group);
		copy(c->kube_server, sizeof c->kube_server,
		     kubecfg_server(l->kube));
		/* Only where none is known: --namespace or a pod picked
		 * (this resolve may be for one of several) wins. */
		if (!c->namespace_[0] && kubecfg_namespace_set(l->kube))
			copy(c->namespace_, sizeof c->namespace_,
			     kubecfg_namespace(l->kube));
	}
	if (!c->cluster[0])
		return ad_error_set(err, AD_EINVAL,
			_("which cluster? Give --cluster NAME (the current kubeconfig context is not an AKS cluster)"));
	if ((rc = ctx_valid_azure_name("cluster", c->cluster, err)) != 0)
		return rc;
	r.name = c->cluster;
	find = !c->subscription[0] || !c->resource_group[0];
	/* With a kubeconfig the pod needs nothing from Azure, and the
	 * registries need only the subscription: they go with the
	 * cluster's lookup.  Without one, the cluster's credentials need
	 * the cluster's group, and the pod needs the credentials. */
	pods = l->kube && (!c->pod[0] || !c->image[0]);
	if (find) {
		round_add(&r, RJ_FIND);
	} else if (!l->kube) {
		round_add(&r, RJ_CREDS);
		if (!c->kube_server[0])
			round_add(&r, RJ_CLUSTER);
	}
	if (pods)
		round_add(&r, RJ_PODS);
	round_add(&r, RJ_REGISTRIES);
	rc = find ? round_find(&r, err) : round_run(&r, err);
	if (rc != 0)
		return rc;
	if (find && !l->kube) {
		round_add(&r, RJ_CREDS);
		if (!c->kube_server[0])
			round_add(&r, RJ_CLUSTER);
		round_add(&r, RJ_REGISTRIES);
		if ((rc = round_run(&r, err)) != 0)
			return rc;
	}
	if (!c->kube_server[0]) {
		char id[512];
		const cJSON *mc;

		facts_cluster_id(w->facts, id, sizeof id);
		if ((rc = arm_get(w->facts, id, API_AKS, (cJSON **)&mc, err)) != 0)
			return rc;
		{
			const char *fqdn = jsonu_str(mc, "properties.fqdn");

			if (!fqdn)
				fqdn = jsonu_str(mc, "properties.privateFQDN");
			if (fqdn && ctx_name_ok(fqdn, "-.", 250))
				snprintf(c->kube_server, sizeof c->kube_server,
					 "https://%s:443", fqdn);
		}
	}
	/* The credentials came from Azure: the pod after them. */
	if (!pods && l->kube)
		pod_lookup(w, l);
	return 0;
}

static int resolve_webapp(struct world *w, struct ad_error *err)
{
	struct ad_context *c = &w->ctx;
	struct resolve r = { .w = w, .l = w->live, .type = TYPE_WEBAPP };
	int rc, find;

	if (!c->webapp[0])
		return ad_error_set(err, AD_EINVAL,
			_("which web app? Give --webapp NAME"));
	if ((rc = ctx_valid_azure_name("webapp", c->webapp, err)) != 0)
		return rc;
	r.name = c->webapp;
	find = !c->subscription[0] || !c->resource_group[0];
	/* The registries need only the subscription: they go with the web
	 * app's lookup, or with its configuration when that is known. */
	if (find)
		round_add(&r, RJ_FIND);
	else if (!c->image[0])
		round_add(&r, RJ_CONFIG);
	round_add(&r, RJ_REGISTRIES);
	rc = find ? round_find(&r, err) : round_run(&r, err);
	if (rc != 0 || !find || c->image[0])
		return rc;
	round_add(&r, RJ_CONFIG);
	round_add(&r, RJ_REGISTRIES);
	return round_run(&r, err);
}

int live_resolve(struct world *w, struct ad_error *err)
{
	struct live *l = w->live;
	struct ad_context *c = &w->ctx;
	int rc;

	if (!l)
		return 0;
	rc = c->target == AD_TARGET_AKS ? resolve_aks(w, l, err) :
	     resolve_webapp(w, err);
	if (rc != 0)
		return rc;
	if (!c->registry[0] && c->image[0] &&
	    registry_of_image(c, c->image, c->registry, sizeof c->registry) != 0)
		registry_near_image(w, c->image);
	if (!c->registry[0])
		return ad_error_set(err, AD_EINVAL,
			_("which registry? The image %s is not on this cloud's registries (%s): give --registry NAME"),
			c->image[0] ? c->image : "?", ctx_suffix(c));
	if (!c->registry_group[0]) {
		char sub[64], rg[96] = "";
		struct ad_error rerr = { 0 };

		snprintf(sub, sizeof sub, "%s", c->subscription);
		if (find_resource(w, TYPE_REGISTRY, c->registry, sub,
				  sizeof sub, rg, sizeof rg, &rerr) == 0)
			copy(c->registry_group, sizeof c->registry_group, rg);
		else
			copy(c->registry_group, sizeof c->registry_group,
			     c->resource_group);
	}
	return ctx_validate(c, err);
}

/* ---------- for the wizard ---------- */

int live_kube_cluster(const struct world *w, char *buf, size_t len)
{
	struct live *l = w->live;
	struct kubecfg_aks g;

	if (len)
		buf[0] = '\0';
	if (!l || !l->kube || !kubecfg_aks_guess(l->kube, &g) ||
	    !ctx_name_ok(g.cluster, "-_", 63))
		return AD_ENOTFOUND;
	return copy(buf, len, g.cluster) == 0 ? 0 : AD_EINVAL;
}

int live_sign_in(struct world *w, struct ad_error *err)
{
	struct live *l = w->live;
	char tok[8192];
	int rc;

	if (!l || !l->cred)
		return ad_error_set(err, AD_EINVAL, _("not a live world"));
	rc = cred_token(l->cred, CRED_AUD_ARM, tok, sizeof tok, err);
	/* The token itself is not wanted here: only that one can be had. */
	explicit_bzero(tok, sizeof tok);
	return rc;
}
