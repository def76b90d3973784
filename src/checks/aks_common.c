/* aks_common.c - the first AKS checks (aks.start): the pod's events,
 * the registry's health and whether a node reaches the registry; the
 * helpers every AKS check and fix shares; and, shared with the Web App
 * checks, a username and password asked at the registry (pull secrets,
 * DOCKER_REGISTRY_SERVER_*) and a service principal's client secrets.
 *
 * aks.events reads what `kubectl describe pod` shows: the waiting reason
 * of the pod's containers and the kubelet's pull-failure events, and
 * names the cause of the newest failure message with the classifier.
 * aks.health looks at what `az acr check-health` looks at: the registry
 * resource and its /v2/ endpoint.  aks.reach tests from a node what
 * `az aks check-acr` tests: name resolution and TCP 443. */
#include "config.h"
#include "checks/aks_common.h"
#include "checks/azfw.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "checks/groups.h"
#include "checks/roles.h"
#include "classify.h"
#include "context.h"
#include "err.h"
#include "facts.h"
#include "http.h"
#include "i18n.h"
#include "jsonu.h"
#include "probe.h"
#include "redact.h"
#include "textw.h"

#define MSG_MAX 600          /* event text kept in evidence */
#define MAX_EVENTS 2000      /* events looked at */

/* ---------- shared helpers ---------- */

int aks_name_ok(const char *s, size_t max)
{
	return ctx_name_ok(s, "._-", max);
}

int aks_id_ok(const char *id)
{
	const char *p;

	if (!id || strncasecmp(id, "/subscriptions/", 15) != 0 ||
	    strlen(id) > 400 || strstr(id, "..") || strstr(id, "//"))
		return 0;
	for (p = id; *p; p++)
		if (!(isalnum((unsigned char)*p) || strchr("/._-", *p)))
			return 0;
	return 1;
}

void aks_clean_text(char *dst, size_t len, const char *src)
{
	/* Escape sequences and bidi overrides go whole, not byte by byte
	 * ("ESC [2J" must not leave "[2J" behind); secrets are masked by
	 * their shape before the text is cut, on a character boundary. */
	char *clean = tw_utf8_clean_dup(src ? src : ""), *masked;

	if (!len)
		goto out;
	dst[0] = '\0';
	masked = clean ? redact_dup(clean) : NULL;
	if (masked) {
		tw_clip(dst, len, masked);
		free(masked);
	}
out:
	if (clean) {
		redact_wipe(clean, strlen(clean));
		free(clean);
	}
}

int aks_cluster(struct facts *f, const cJSON **out, struct ad_error *err)
{
	char id[512];
	cJSON *j;
	int rc;

	facts_cluster_id(f, id, sizeof id);
	rc = arm_get(f, id, API_AKS, &j, err);
	*out = rc == 0 ? j : NULL;
	return rc;
}

/* A login server as a registry host: lower-case DNS name. */
static int login_ok(const char *s)
{
	size_t n = 0;

	if (!s || !*s)
		return 0;
	for (; *s; s++, n++)
		if (n > 253 || !(islower((unsigned char)*s) ||
				 isdigit((unsigned char)*s) || *s == '.' || *s == '-'))
			return 0;
	return 1;
}

void aks_login_server(struct facts *f, char *login, size_t len)
{
	ctx_login_server(f->ctx, login, (unsigned)len);
}

int aks_registry(struct facts *f, const cJSON **out, char *login, size_t len,
		 struct ad_error *err)
{
	char id[512];
	const char *ls;
	cJSON *j;
	int rc;

	facts_registry_id(f, id, sizeof id);
	rc = arm_get(f, id, API_ACR, &j, err);
	*out = rc == 0 ? j : NULL;
	if (login && len) {
		ls = rc == 0 ? jsonu_str(j, "properties.loginServer") : NULL;
		if (login_ok(ls))
			snprintf(login, len, "%s", ls);
		else
			aks_login_server(f, login, len);
	}
	return rc;
}

int aks_pod(struct facts *f, const cJSON **out, struct ad_error *err)
{
	char path[512];
	cJSON *j;
	int rc;

	*out = NULL;
	if (!f->ctx->pod[0] || !f->ctx->namespace_[0])
		return ad_error_set(err, AD_EINVAL, _("no failing pod was named"));
	snprintf(path, sizeof path, "/api/v1/namespaces/%s/pods/%s",
		 f->ctx->namespace_, f->ctx->pod);
	rc = kube_get(f, path, &j, err);
	if (rc == 0)
		*out = j;
	return rc;
}

int aks_events(struct facts *f, const cJSON **out, struct ad_error *err)
{
	char path[256];
	cJSON *j;
	int rc;

	*out = NULL;
	if (!f->ctx->namespace_[0])
		return ad_error_set(err, AD_EINVAL, _("no namespace was named"));
	snprintf(path, sizeof path, "/api/v1/namespaces/%s/events?limit=500",
		 f->ctx->namespace_);
	rc = kube_get(f, path, &j, err);
	if (rc == 0)
		*out = j;
	return rc;
}

/* The reads below are shared by the checks and by the prefetch that
 * starts them early: the same path, the same cache entry. */
int aks_registry_pecs(struct facts *f, cJSON **out, struct ad_error *err)
{
	char path[600];

	facts_registry_id(f, path, 512);
	strcat(path, "/privateEndpointConnections");
	return arm_list(f, path, API_ACR_PEC, out, err);
}

int aks_firewalls(struct facts *f, cJSON **out, struct ad_error *err)
{
	char path[160];

	snprintf(path, sizeof path,
		 "/subscriptions/%s/providers/Microsoft.Network/azureFirewalls",
		 f->ctx->subscription);
	return arm_list(f, path, API_NETWORK, out, err);
}

int aks_firewall_policy(struct facts *f, const char *pid, cJSON **pol,
			cJSON **groups, struct ad_error *err)
{
	char path[600];
	int rc;

	/* aks_id_ok bounds an id to 400 characters: room for the suffix. */
	if (strlen(pid) > 400)
		return ad_error_set(err, AD_EINVAL,
				    _("the firewall policy's id is too long"));
	if ((rc = arm_get(f, pid, API_NETWORK, pol, err)) != 0)
		return rc;
	snprintf(path, sizeof path, "%s/ruleCollectionGroups", pid);
	return arm_list(f, path, API_NETWORK, groups, err);
}

int aks_firewall_rules(struct facts *f, const cJSON *fw, int ipgroups,
		       struct azfw_rules *rs, const char **ids,
		       struct ad_error *err)
{
	const char *chain[AZFW_MAX_LAYERS], *refs[AZFW_MAX_IPGROUPS];
	const cJSON *groups[AZFW_MAX_LAYERS];
	const char *pid = jsonu_str(fw, "properties.firewallPolicy.id");
	size_t n = 0, i, nref;
	int rc;

	memset(rs, 0, sizeof *rs);
	/* The firewall's policy, then each parent up the chain. */
	while (pid) {
		cJSON *pol, *g;

		for (i = 0; i < n; i++)
			if (jsonu_id_eq(chain[i], pid))
				return ad_error_set(err, AD_EINVAL,
					_("the firewall policies' parents loop back to %s"),
					aks_name_ok(jsonu_id_name(pid), 80) ?
					jsonu_id_name(pid) : "?");
		if (n == AZFW_MAX_LAYERS)
			return ad_error_set(err, AD_EINVAL,
				_("the firewall policy has more than %d parent policies above it"),
				AZFW_MAX_LAYERS - 1);
		if (!aks_id_ok(pid))
			return ad_error_set(err, AD_EINVAL,
				_("the firewall policy's id is not one acr-doctor can use"));
		if ((rc = aks_firewall_policy(f, pid, &pol, &g, err)) != 0)
			return rc;
		chain[n] = pid;
		groups[n++] = g;
		rs->dns_proxy |= cJSON_IsTrue(jsonu_path(pol,
					"properties.dnsSettings.enableProxy")) ||
				 cJSON_IsFalse(jsonu_path(pol,
					"properties.dnsSettings.requireProxyForNetworkRules"));
		pid = jsonu_str(pol, "properties.basePolicy.id");
	}
	for (i = 0; i < n; i++) {
		rs->layers[i] = groups[n - 1 - i];
		rs->names[i] = jsonu_id_name(chain[n - 1 - i]);
		if (ids)
			ids[i] = chain[n - 1 - i];
	}
	rs->nlayers = n;
	nref = ipgroups ? azfw_ipgroup_refs(fw, rs, refs, AZFW_MAX_IPGROUPS) : 0;
	for (i = 0; i < nref; i++) {
		struct ad_error gerr = { 0 };
		cJSON *g;

		if (aks_id_ok(refs[i]) &&
		    arm_get(f, refs[i], API_NETWORK, &g, &gerr) == 0)
			rs->ipgroups[rs->nipgroups++] = g;
	}
	return 0;
}

static int pull_reason(const char *r)
{
	static const char *const reasons[] = {
		"ErrImagePull", "ImagePullBackOff", "InvalidImageName",
		"ErrImageNeverPull", "RegistryUnavailable", "ErrImageInspect",
	};
	size_t i;

	for (i = 0; r && i < sizeof reasons / sizeof reasons[0]; i++)
		if (strcmp(r, reasons[i]) == 0)
			return 1;
	return 0;
}

/* The first container (init containers first) waiting on a pull. */
static const cJSON *waiting_status(const cJSON *pod)
{
	static const char *const lists[] = { "status.initContainerStatuses",
					     "status.containerStatuses" };
	const cJSON *cs;
	size_t i;

	for (i = 0; i < 2; i++)
		cJSON_ArrayForEach(cs, jsonu_array(pod, lists[i]))
			if (pull_reason(jsonu_str(cs, "state.waiting.reason")))
				return cs;
	return NULL;
}

int aks_pod_image(const struct ad_context *ctx, const cJSON *pod,
		  char *image, size_t ilen, char *container, size_t clen)
{
	const cJSON *cs = waiting_status(pod), *c;
	const char *img = NULL, *name = NULL;

	if (container && clen)
		container[0] = '\0';
	if (ctx && ctx->image[0]) {
		/* the container that runs it, if the pod has one */
		cJSON_ArrayForEach(c, jsonu_array(pod, "spec.containers"))
			if (jsonu_str(c, "image") &&
			    strcmp(jsonu_str(c, "image"), ctx->image) == 0) {
				name = jsonu_str(c, "name");
				break;
			}
		snprintf(image, ilen, "%s", ctx->image);
		if (container && clen && aks_name_ok(name, 63))
			snprintf(container, clen, "%s", name);
		return 0;
	}
	if (cs) {
		const char *want = jsonu_str(cs, "name");

		cJSON_ArrayForEach(c, jsonu_array(pod, "spec.initContainers"))
			if (want && jsonu_str(c, "name") &&
			    strcmp(jsonu_str(c, "name"), want) == 0)
				img = jsonu_str(c, "image"), name = want;
		cJSON_ArrayForEach(c, jsonu_array(pod, "spec.containers"))
			if (want && jsonu_str(c, "name") &&
			    strcmp(jsonu_str(c, "name"), want) == 0)
				img = jsonu_str(c, "image"), name = want;
	}
	if (!img) {
		c = jsonu_path(pod, "spec.containers.0");
		img = jsonu_str(c, "image");
		name = jsonu_str(c, "name");
	}
	if (!img)
		return AD_ENOTFOUND;
	snprintf(image, ilen, "%s", img);
	if (container && clen && aks_name_ok(name, 63))
		snprintf(container, clen, "%s", name);
	return 0;
}

/* Kinds the owner chain knows, with their API collections. */
static const struct {
	const char *kind, *prefix, *plural, *kubectl, *tmpl;
	int patchable;
} kinds[] = {
	{ "ReplicaSet", "/apis/apps/v1", "replicasets", "replicaset",
	  "spec.template", 1 },
	{ "Deployment", "/apis/apps/v1", "deployments", "deployment",
	  "spec.template", 1 },
	{ "StatefulSet", "/apis/apps/v1", "statefulsets", "statefulset",
	  "spec.template", 1 },
	{ "DaemonSet", "/apis/apps/v1", "daemonsets", "daemonset",
	  "spec.template", 1 },
	{ "Job", "/apis/batch/v1", "jobs", "job", "spec.template", 0 },
	{ "CronJob", "/apis/batch/v1", "cronjobs", "cronjob",
	  "spec.jobTemplate.spec.template", 1 },
	{ "ReplicationController", "/api/v1", "replicationcontrollers",
	  "replicationcontroller", "spec.template", 1 },
};

static int kind_index(const char *kind)
{
	size_t i;

	for (i = 0; kind && i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(kinds[i].kind, kind) == 0)
			return (int)i;
	return -1;
}

static const cJSON *controller_ref(const cJSON *obj)
{
	const cJSON *r, *first = NULL;

	cJSON_ArrayForEach(r, jsonu_array(obj, "metadata.ownerReferences")) {
		if (!first)
			first = r;
		if (jsonu_bool(r, "controller", 0))
			return r;
	}
	return first;
}

int aks_pod_owner(struct facts *f, const cJSON *pod, struct aks_owner *o,
		  struct ad_error *err)
{
	const cJSON *obj = pod, *ref;
	int depth, rc;

	memset(o, 0, sizeof *o);
	snprintf(o->kind, sizeof o->kind, "Pod");
	snprintf(o->name, sizeof o->name, "%s", f->ctx->pod);
	snprintf(o->path, sizeof o->path, "/api/v1/namespaces/%s/pods/%s",
		 f->ctx->namespace_, f->ctx->pod);
	snprintf(o->kubectl, sizeof o->kubectl, "pod");
	o->tmpl = NULL;
	for (depth = 0; depth < 3 && (ref = controller_ref(obj)); depth++) {
		const char *kind = jsonu_str(ref, "kind");
		const char *name = jsonu_str(ref, "name");
		int k = kind_index(kind);
		cJSON *j;

		if (k < 0 || ctx_valid_k8s_name("owner", name, NULL) != 0) {
			if (depth == 0) {
				/* an owner we do not know how to change */
				snprintf(o->kind, sizeof o->kind, "%.31s",
					 aks_name_ok(kind, 31) ? kind : "?");
				snprintf(o->name, sizeof o->name, "%s",
					 name && ctx_valid_k8s_name("owner", name,
								     NULL) == 0 ?
					 name : "?");
				o->patchable = 0;
			}
			break;
		}
		snprintf(o->path, sizeof o->path, "%s/namespaces/%s/%s/%s",
			 kinds[k].prefix, f->ctx->namespace_, kinds[k].plural,
			 name);
		rc = kube_get(f, o->path, &j, err);
		if (rc != 0)
			return rc;
		snprintf(o->kind, sizeof o->kind, "%s", kinds[k].kind);
		snprintf(o->name, sizeof o->name, "%s", name);
		snprintf(o->kubectl, sizeof o->kubectl, "%s", kinds[k].kubectl);
		o->tmpl = kinds[k].tmpl;
		o->patchable = kinds[k].patchable;
		o->obj = j;
		obj = j;
	}
	return 0;
}

const cJSON *aks_owner_spec(const struct aks_owner *o, const cJSON *pod)
{
	char path[64];

	if (!o->obj || !o->tmpl)
		return jsonu_path(pod, "spec");
	snprintf(path, sizeof path, "%s.spec", o->tmpl);
	return jsonu_path(o->obj, path);
}

static int oom(void)
{
	return AD_ENOMEM;
}

/* ---------- aks.events ---------- */

/* An event's time: lastTimestamp, eventTime, or when it was created. */
static const char *event_time(const cJSON *ev)
{
	const char *t = jsonu_str(ev, "lastTimestamp");

	if (!t)
		t = jsonu_str(ev, "eventTime");
	if (!t)
		t = jsonu_str(ev, "metadata.creationTimestamp");
	if (!t)
		t = jsonu_str(ev, "firstTimestamp");
	return t ? t : "";
}

/* RFC 3339 times of the same zone compare as text, to the second. */
static int time_cmp(const char *a, const char *b)
{
	return strncmp(a, b, 19);
}

static int contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; hay && *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return 0;
}

static int is_pull_failure(const cJSON *ev)
{
	const char *msg = jsonu_str(ev, "message");
	const char *reason = jsonu_str(ev, "reason");

	if (reason && (strcmp(reason, "ErrImagePull") == 0 ||
		       strcmp(reason, "InspectFailed") == 0 ||
		       strcmp(reason, "ErrImageNeverPull") == 0))
		return 1;
	return msg && (contains_ci(msg, "failed to pull") ||
		       contains_ci(msg, "ErrImagePull") ||
		       contains_ci(msg, "ImagePullBackOff") ||
		       contains_ci(msg, "pull QPS exceeded") ||
		       contains_ci(msg, "Back-off pulling image"));
}

/* "Error: ErrImagePull" and back-off lines name no cause. */
static int is_generic(const char *msg)
{
	return !msg || strncmp(msg, "Error: ", 7) == 0 ||
	       strncmp(msg, "Back-off pulling image", 22) == 0;
}

static int is_pull_success(const cJSON *ev)
{
	const char *reason = jsonu_str(ev, "reason");

	return reason && (strcmp(reason, "Pulled") == 0 ||
			  strcmp(reason, "Started") == 0);
}

static int for_pod(const cJSON *ev, const char *pod)
{
	const char *name = jsonu_str(ev, "involvedObject.name");
	const char *kind = jsonu_str(ev, "involvedObject.kind");

	return name && strcmp(name, pod) == 0 && (!kind || strcmp(kind, "Pod") == 0);
}

static int classify_into(struct check_result *res, const char *text,
			 const char *source)
{
	struct classify_result cr;
	char clean[MSG_MAX];
	size_t i;

	if (classify_message(text, strlen(text), &cr) != 0)
		return oom();
	aks_clean_text(clean, sizeof clean, text);
	if (ev_str(res, "message", "%s", clean) ||
	    ev_str(res, "classified", "%s", cr.cause) ||
	    ev_str(res, "rule", "%s", cr.rule ? cr.rule : "") ||
	    ev_str(res, "source", "%s", source) ||
	    (cr.evidence[0] && ev_str(res, "fragment", "%s", cr.evidence)) ||
	    (cr.note[0] && ev_str(res, "note", "%s", cr.note)) ||
	    check_data_str(res, "classified", cr.cause))
		return oom();
	/* Another cause the wording fits: the diagnosis takes it only when
	 * its own check fails. */
	for (i = 0; i < cr.nalt; i++)
		if (ev_list_add(res, "alternatives", cr.alternatives[i]) ||
		    check_data_list_add(res, "alternatives", cr.alternatives[i]))
			return oom();
	return 0;
}

/* " (the wording also fits X, Y)" when the classification named
 * alternatives, else "". */
static void alt_phrase(const struct check_result *res, char *buf, size_t n)
{
	const cJSON *arr = jsonu_array(res->evidence, "alternatives"), *a;
	char list[160] = "";
	size_t l = 0;

	buf[0] = '\0';
	cJSON_ArrayForEach(a, arr) {
		if (!cJSON_IsString(a))
			continue;
		int w = snprintf(list + l, sizeof list - l, "%s%s",
				 l ? ", " : "", a->valuestring);

		if (w < 0 || (size_t)w >= sizeof list - l)
			break;
		l += (size_t)w;
	}
	if (list[0])
		snprintf(buf, n, _(" (the wording also fits %s; the checks will tell)"),
			 list);
}

/* No pod named: classify the pasted message, if any. */
static int events_from_message(struct facts *f, struct check_result *res)
{
	const char *c;
	char alts[256];

	if (!f->ctx->message[0]) {
		check_say(res, CHECK_NA,
			  _("no failing pod and no error message were given, so there are no events to read"));
		return 0;
	}
	if (classify_into(res, f->ctx->message, "message"))
		return oom();
	c = jsonu_str(res->evidence, "classified");
	alt_phrase(res, alts, sizeof alts);
	check_say(res, CHECK_FAIL,
		  _("the pasted message reads as cause %s%s: %s"), c, alts,
		  jsonu_str(res->evidence, "fragment") ?
		  jsonu_str(res->evidence, "fragment") : "");
	return 0;
}

int aks_pod_refusal(struct facts *f, char ip[16])
{
	const cJSON *events, *ev, *best = NULL;
	struct ad_error err = { 0 };
	struct classify_result cr;
	int seen = 0;

	ip[0] = '\0';
	if (!f->ctx->pod[0] || aks_events(f, &events, &err) != 0)
		return 0;
	cJSON_ArrayForEach(ev, jsonu_array(events, "items")) {
		const char *m = jsonu_str(ev, "message");

		if (++seen > MAX_EVENTS)
			break;
		if (!cJSON_IsObject(ev) || !m || !for_pod(ev, f->ctx->pod) ||
		    !is_pull_failure(ev) ||
		    (best && time_cmp(event_time(ev), event_time(best)) < 0) ||
		    classify_message(m, strlen(m), &cr) != 0 ||
		    !cr.client_ip[0])
			continue;
		best = ev;
		snprintf(ip, 16, "%s", cr.client_ip);
	}
	return best != NULL;
}

static int run_events(struct facts *f, struct check_result *res)
{
	const cJSON *pod, *events, *ev, *ws;
	const cJSON *newest_fail = NULL, *newest_specific = NULL;
	const char *last_ok = "", *reason = NULL, *text = NULL, *source;
	struct ad_error err = { 0 };
	int nfail = 0, seen = 0, recent, rc;
	double count = 0;
	char alts[256];
	char shown[201];

	check_command(res, "kubectl describe pod %s -n %s", f->ctx->pod,
		      f->ctx->namespace_);
	if (!f->ctx->pod[0])
		return events_from_message(f, res);
	rc = aks_pod(f, &pod, &err);
	if (rc != 0) {
		check_unknown(res, _("cannot read the pod"), &err);
		return 0;
	}
	rc = aks_events(f, &events, &err);
	if (rc != 0) {
		check_unknown(res, _("cannot read the pod's events"), &err);
		return 0;
	}
	cJSON_ArrayForEach(ev, jsonu_array(events, "items")) {
		if (++seen > MAX_EVENTS)
			break;
		if (!cJSON_IsObject(ev) || !for_pod(ev, f->ctx->pod))
			continue;
		if (is_pull_success(ev)) {
			if (time_cmp(event_time(ev), last_ok) > 0)
				last_ok = event_time(ev);
			continue;
		}
		if (!is_pull_failure(ev))
			continue;
		nfail++;
		if (!newest_fail ||
		    time_cmp(event_time(ev), event_time(newest_fail)) >= 0)
			newest_fail = ev;
		if (!is_generic(jsonu_str(ev, "message")) &&
		    (!newest_specific ||
		     time_cmp(event_time(ev), event_time(newest_specific)) >= 0))
			newest_specific = ev;
	}
	ws = waiting_status(pod);
	recent = newest_fail && time_cmp(event_time(newest_fail), last_ok) > 0;
	if (ev_str(res, "pod", "%s/%s", f->ctx->namespace_, f->ctx->pod) ||
	    ev_str(res, "phase", "%s", jsonu_str(pod, "status.phase") ?
		   jsonu_str(pod, "status.phase") : "?") ||
	    ev_num(res, "pullFailureEvents", nfail))
		return oom();
	if (!ws && !recent) {
		check_say(res, CHECK_PASS,
			  nfail ? ngettext("pod %s/%s is not waiting on an image pull; its last pull succeeded after %d earlier failure event",
					   "pod %s/%s is not waiting on an image pull; its last pull succeeded after %d earlier failure events",
					   (unsigned long)nfail) :
			  _("pod %s/%s is not waiting on an image pull and has no pull failure events"),
			  f->ctx->namespace_, f->ctx->pod, nfail);
		return 0;
	}
	if (ws) {
		reason = jsonu_str(ws, "state.waiting.reason");
		if (ev_str(res, "container", "%s",
			   aks_name_ok(jsonu_str(ws, "name"), 63) ?
			   jsonu_str(ws, "name") : "?"))
			return oom();
	}
	ev = newest_specific ? newest_specific : newest_fail;
	if (ev) {
		text = jsonu_str(ev, "message");
		source = "event";
		if (cJSON_IsNumber(jsonu_path(ev, "count")))
			count = jsonu_path(ev, "count")->valuedouble;
		if (!reason)
			reason = jsonu_str(ev, "reason");
	} else if (f->ctx->message[0]) {
		text = f->ctx->message;
		source = "message";
	} else {
		text = jsonu_str(ws, "state.waiting.message");
		source = "containerStatus";
	}
	if (ev_str(res, "reason", "%s", aks_name_ok(reason, 64) ? reason : "?") ||
	    ev_num(res, "count", count > 0 ? count : 1))
		return oom();
	if (!text) {
		if (ev_str(res, "classified", "other") ||
		    check_data_str(res, "classified", "other"))
			return oom();
		check_say(res, CHECK_FAIL,
			  _("pod %s/%s cannot pull its image (%s), but no failure message is left to read (events expire after an hour): paste the error message"),
			  f->ctx->namespace_, f->ctx->pod,
			  aks_name_ok(reason, 64) ? reason : "?");
		return 0;
	}
	if (classify_into(res, text, source))
		return oom();
	alt_phrase(res, alts, sizeof alts);
	check_say(res, CHECK_FAIL,
		  ngettext("pod %s/%s cannot pull its image (%s, %.0f time); the newest error reads as cause %s%s: %.200s",
			   "pod %s/%s cannot pull its image (%s, %.0f times); the newest error reads as cause %s%s: %.200s",
			   (unsigned long)(count > 1 ? count : 1)),
		  f->ctx->namespace_, f->ctx->pod,
		  aks_name_ok(reason, 64) ? reason : "?", count > 0 ? count : 1,
		  jsonu_str(res->evidence, "classified"), alts,
		  tw_clip(shown, sizeof shown,
			  jsonu_str(res->evidence, "fragment") ?
			  jsonu_str(res->evidence, "fragment") :
			  jsonu_str(res->evidence, "message")));
	return 0;
}

/* ---------- aks.health ---------- */

/* The transport could not resolve the name: its structured kind, never
 * the message, which is translated. */
static int dns_failure(int rc, const struct ad_error *err)
{
	return rc != 0 && err->net == AD_NET_DNS;
}

int check_registry_health(struct facts *f, struct check_result *res)
{
	const cJSON *reg;
	const char *state;
	char login[256], url[320], v2[201];
	struct ad_error err = { 0 };
	struct http_response r;
	const char *challenge;
	int rc, bearer = 0, healthy_state;
	long status;

	check_command(res, "az acr check-health --name %s --ignore-errors --yes",
		      f->ctx->registry);
	rc = aks_registry(f, &reg, login, sizeof login, &err);
	if (rc != 0) {
		check_unknown(res, _("cannot read the registry"), &err);
		return 0;
	}
	state = jsonu_str(reg, "properties.provisioningState");
	healthy_state = state && strcmp(state, "Succeeded") == 0;
	if (ev_str(res, "provisioningState", "%s",
		   aks_name_ok(state, 32) ? state : "?") ||
	    ev_str(res, "loginServer", "%s", login))
		return oom();

	snprintf(url, sizeof url, "https://%s/v2/", login);
	rc = reg_v2(f, login, &r, &err);
	if (rc != 0) {
		if (dns_failure(rc, &err)) {
			if (ev_str(res, "dns", "%s", "not resolved") ||
			    ev_str(res, "v2", "%s", tw_clip(v2, sizeof v2, err.msg)))
				return oom();
			check_say(res, CHECK_FAIL,
				  _("the login server %s does not resolve in DNS (%s); provisioning state %s"),
				  login, err.msg, aks_name_ok(state, 32) ? state : "?");
			return 0;
		}
		if (!healthy_state) {
			check_say(res, CHECK_FAIL,
				  _("registry %s is in provisioning state %s (and %s did not answer: %s)"),
				  f->ctx->registry, aks_name_ok(state, 32) ? state : "?",
				  url, err.msg);
			return 0;
		}
		check_unknown(res, _("cannot reach the registry's /v2/ endpoint"),
			      &err);
		return 0;
	}
	status = r.status;
	challenge = http_response_header(&r, "WWW-Authenticate");
	bearer = challenge && strncasecmp(challenge, "Bearer ", 7) == 0 &&
		 contains_ci(challenge, "realm=");
	http_response_clear(&r);
	if (ev_num(res, "v2Status", (double)status) ||
	    ev_bool(res, "bearerChallenge", bearer))
		return oom();
	if (!healthy_state) {
		check_say(res, CHECK_FAIL,
			  _("registry %s is in provisioning state %s, not Succeeded (/v2/ answered HTTP %ld)"),
			  f->ctx->registry, aks_name_ok(state, 32) ? state : "?",
			  status);
		return 0;
	}
	if (status == 429) {
		check_say(res, CHECK_UNKNOWN,
			  _("%s/v2/ answered 429 Too Many Requests: the registry is throttling; try again later"),
			  login);
		return 0;
	}
	if (status >= 500) {
		check_say(res, CHECK_FAIL,
			  _("%s/v2/ answered HTTP %ld: the registry's endpoint is failing"),
			  login, status);
		return 0;
	}
	if (status == 200 || (status == 401 && bearer)) {
		check_say(res, CHECK_PASS,
			  _("registry %s is Succeeded and %s/v2/ answers (HTTP %ld%s)"),
			  f->ctx->registry, login, status,
			  status == 401 ? _(", with the Bearer challenge") : "");
		return 0;
	}
	if (status == 403) {
		check_say(res, CHECK_PASS,
			  _("registry %s is Succeeded and %s/v2/ answers (HTTP 403: its firewall does not let this machine in, which says nothing about the cluster)"),
			  f->ctx->registry, login);
		return 0;
	}
	check_say(res, CHECK_FAIL,
		  status == 401 ?
		  _("%s/v2/ answered HTTP %ld without the Bearer challenge a registry sends: something other than the registry answered (a proxy?)") :
		  _("%s/v2/ answered HTTP %ld, not the 401 challenge or 200 of a registry"),
		  login, status);
	return 0;
}

static int run_health(struct facts *f, struct check_result *res)
{
	return check_registry_health(f, res);
}

/* ---------- node evidence ---------- */

int aks_node_evidence(struct facts *f, struct check_result *res,
		      const char *what, const char *arg, int port)
{
	char cmd[sizeof res->command];
	const cJSON *list, *it;

	if (!f->probe)
		return 0;
	if (f->probe->node[0] && ev_str(res, "node", "%s", f->probe->node))
		return AD_ENOMEM;
	probe_command(f->probe, what, arg, port, cmd, sizeof cmd);
	if (!cmd[0])
		return 0;
	list = cJSON_GetObjectItemCaseSensitive(res->evidence, "nodeCommands");
	cJSON_ArrayForEach(it, list)
		if (cJSON_IsString(it) && strcmp(it->valuestring, cmd) == 0)
			return 0;
	return ev_list_add(res, "nodeCommands", cmd);
}

int aks_dns_evidence(struct check_result *res, const struct probe_dns *dns)
{
	int i;

	for (i = 0; i < dns->ncname && i < PROBE_MAX_CNAMES; i++)
		if (ev_list_add(res, "cnameChain", dns->cname[i]))
			return AD_ENOMEM;
	if (dns->ncname > 0 &&
	    ev_bool(res, "viaPrivatelink", dns->via_privatelink))
		return AD_ENOMEM;
	if (dns->resolver[0] &&
	    ev_str(res, "resolver", "%s%s%s%s", dns->resolver,
		   dns->method[0] ? " (" : "", dns->method,
		   dns->method[0] ? ")" : ""))
		return AD_ENOMEM;
	if (!dns->resolver[0] && dns->method[0] &&
	    ev_str(res, "resolver", "(%s)", dns->method))
		return AD_ENOMEM;
	return 0;
}

/* ---------- aks.reach ---------- */

static int run_reach(struct facts *f, struct check_result *res)
{
	const cJSON *reg;
	char login[256];
	struct ad_error err = { 0 };
	struct probe_dns dns;
	enum probe_tcp tcp;
	int rc, i;

	if (aks_registry(f, &reg, login, sizeof login, &err) != 0 &&
	    ev_str(res, "loginServerSource", "%s", "context"))
		return oom();
	check_command(res, "az aks check-acr --resource-group %s --name %s --acr %s",
		      f->ctx->resource_group, f->ctx->cluster, login);
	if (ev_str(res, "loginServer", "%s", login))
		return oom();
	memset(&dns, 0, sizeof dns);
	err = (struct ad_error){ 0 };
	/* Which node, and how to repeat the test, even when it fails. */
	if (aks_node_evidence(f, res, "resolve", login, 0))
		return oom();
	rc = facts_resolve(f, login, &dns, &err);
	if (rc != 0) {
		check_unknown(res, _("cannot test from a node"), &err);
		return 0;
	}
	for (i = 0; i < dns.naddr; i++)
		if (ev_list_add(res, "addresses", dns.addr[i]))
			return oom();
	if (aks_dns_evidence(res, &dns))
		return oom();
	if (dns.naddr == 0) {
		if (ev_str(res, "dns", "%s", dns.answer_error[0] ?
			   dns.answer_error : "no answer"))
			return oom();
		check_say(res, CHECK_FAIL,
			  _("the node cannot resolve %s (%s): the cluster's DNS does not know the registry"),
			  login, dns.answer_error[0] ? dns.answer_error : "no answer");
		return check_data_str(res, "classified", "aks.reach") ? oom() : 0;
	}
	if (aks_node_evidence(f, res, "tcp", dns.addr[0], 443))
		return oom();
	rc = facts_tcp(f, dns.addr[0], 443, &tcp, &err);
	if (rc != 0) {
		check_unknown(res, _("cannot test TCP from a node"), &err);
		return 0;
	}
	if (ev_str(res, "tcp443", "%s", probe_tcp_str(tcp)))
		return oom();
	if (tcp != PROBE_TCP_OPEN) {
		check_say(res, CHECK_FAIL,
			  _("the node resolves %s to %s, but a TCP connection to it on port 443 fails (%s)"),
			  login, dns.addr[0], probe_tcp_str(tcp));
		/* Lost packets are the network path (cause 4); a refusal
		 * means the name leads to the wrong place. */
		return check_data_str(res, "classified",
				      tcp == PROBE_TCP_REFUSED ? "aks.reach" :
				      "aks.timeout") ? oom() : 0;
	}
	check_say(res, CHECK_PASS,
		  _("the node resolves %s to %s and opens TCP 443"), login,
		  dns.addr[0]);
	return 0;
}

const struct check_def check_group_aks_common[] = {
	{ "aks.events", "aks.events",
	  N_("The pod's events name the pull failure"),
	  CHECK_AKS, run_events },
	{ "aks.health", "aks.health",
	  N_("The registry is healthy and its endpoint answers"),
	  CHECK_AKS, run_health },
	{ "aks.reach", "aks.reach",
	  N_("A node resolves and reaches the registry"),
	  CHECK_AKS, run_reach },
};
const size_t check_group_aks_common_n =
	sizeof check_group_aks_common / sizeof check_group_aks_common[0];

int aks_admin_password_find(const cJSON *creds, const char *pass,
			    const cJSON **match, const char **first)
{
	const cJSON *pw;
	int n = 0;

	*match = NULL;
	*first = NULL;
	cJSON_ArrayForEach(pw, jsonu_array(creds, "passwords")) {
		const char *v = jsonu_str(pw, "value");

		if (!v)
			continue;
		n++;
		if (!*first)
			*first = v;
		if (pass && !*match && strcmp(v, pass) == 0)
			*match = pw;
	}
	return n;
}

/* ---------- what the registry says to a username and password ---------- */

int aks_registry_login(struct facts *f, struct check_result *res,
		       const char *login, const char *repo,
		       enum reg_cred_from from, const char *user,
		       const char *password, const char *whose, char *said,
		       size_t slen, enum aks_reg_says *says)
{
	struct ad_error err = { 0 };
	struct reg_login lg;
	int rc;

	*says = AKS_REG_UNASKED;
	said[0] = '\0';
	rc = reg_basic_login(f, login, repo && repo[0] ? repo : NULL, from, user,
			     password, &lg, &err);
	if (rc == AD_ENOMEM)
		return AD_ENOMEM;
	/* Evidence words, like "activityLog": not translated. */
	if (rc != 0) {
		snprintf(said, slen, _("the registry could not be asked about the credentials of %s: %s"),
			 whose, err.msg);
		rc = ev_str(res, "registryAnswer", "not asked: %s", err.msg);
	} else if (lg.accepted && lg.open) {
		*says = AKS_REG_ACCEPTED;
		snprintf(said, slen, _("the registry %s asks no credential at all (HTTP %ld from %s): any credential pulls"),
			 login, lg.status, lg.endpoint);
		rc = ev_str(res, "registryAnswer",
			    "accepted: HTTP %ld from %s, no credential needed",
			    lg.status, lg.endpoint);
	} else if (lg.accepted) {
		*says = AKS_REG_ACCEPTED;
		snprintf(said, slen, _("the registry accepted the credentials of %s (HTTP %ld from %s)"),
			 whose, lg.status, lg.endpoint);
		rc = ev_str(res, "registryAnswer", "accepted: HTTP %ld from %s",
			    lg.status, lg.endpoint);
	} else {
		*says = AKS_REG_REFUSED;
		snprintf(said, slen, _("the registry refused the credentials of %s (HTTP %ld%s%s from %s)"),
			 whose, lg.status, lg.code[0] ? " " : "", lg.code,
			 lg.endpoint);
		rc = ev_str(res, "registryAnswer", "refused: HTTP %ld%s%s from %s",
			    lg.status, lg.code[0] ? " " : "", lg.code,
			    lg.endpoint);
	}
	return rc ? AD_ENOMEM : 0;
}

void aks_note_unasked(struct check_result *res)
{
	size_t n = strlen(res->summary);

	snprintf(res->summary + n, sizeof res->summary - n, "%s",
		 _(" (the registry itself could not be asked)"));
	tw_utf8_trim(res->summary);
}

/* ---------- a service principal's client secrets ---------- */

#define MAX_CREDS_SHOWN 20        /* credential end dates in evidence */

void aks_format_time(time_t t, char *buf, size_t len)
{
	long long s = (long long)t, days = s / 86400, rem = s % 86400;
	long long z, era, doe, yoe, y, doy, mp, d, m;

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	if (y < 0)
		y = 0;
	if (y > 9999)
		y = 9999;
	snprintf(buf, len, "%04u-%02u-%02uT%02u:%02u:%02uZ",
		 (unsigned)y % 10000u, (unsigned)m % 13u, (unsigned)d % 32u,
		 (unsigned)(rem / 3600) % 24u, (unsigned)(rem / 60 % 60) % 60u,
		 (unsigned)(rem % 60) % 60u);
}

int aks_count_creds(const cJSON *obj, time_t now, struct check_result *res,
		    const char *key, struct aks_cred_count *cc)
{
	const cJSON *it;
	time_t latest = 0;
	int shown = 0;

	cJSON_ArrayForEach(it, jsonu_array(obj, "passwordCredentials")) {
		const char *end = jsonu_str(it, "endDateTime");
		char buf[48];
		time_t t;

		cc->total++;
		if (!end || ad_parse_time(end, &t) != 0) {
			cc->unreadable++;
			continue;
		}
		if (t > now)
			cc->valid++;
		else
			cc->expired++;
		if (t > latest || !cc->latest[0]) {
			latest = t;
			aks_format_time(t, cc->latest, sizeof cc->latest);
		}
		aks_format_time(t, buf, sizeof buf);
		if (shown++ < MAX_CREDS_SHOWN && ev_list_add(res, key, buf))
			return AD_ENOMEM;
	}
	return 0;
}

int aks_sp_creds(struct facts *f, struct check_result *res,
		 const char *app_id, time_t now, struct aks_cred_count *cc,
		 int *app, struct ad_error *err)
{
	char path[128];
	cJSON *j;
	int rc;

	memset(cc, 0, sizeof *cc);
	*app = 0;
	if (!ctx_is_guid(app_id))
		return ad_error_set(err, AD_EINVAL,
			_("the service principal's application id is not a GUID"));
	snprintf(path, sizeof path, "/v1.0/servicePrincipals(appId='%s')",
		 app_id);
	if ((rc = graph_get(f, path, &j, err)) != 0)
		return rc;
	if (aks_count_creds(j, now, res, "credentialEndDates", cc))
		return AD_ENOMEM;
	if (cc->total == 0) {
		/* A secret made with az ad sp create-for-rbac lives on the
		 * application object. */
		*app = 1;
		snprintf(path, sizeof path, "/v1.0/applications(appId='%s')",
			 app_id);
		if ((rc = graph_get(f, path, &j, err)) != 0)
			return rc;
		if (aks_count_creds(j, now, res, "credentialEndDates", cc))
			return AD_ENOMEM;
	}
	if (ev_num(res, "validCredentials", cc->valid) ||
	    ev_num(res, "expiredCredentials", cc->expired))
		return AD_ENOMEM;
	return 0;
}
