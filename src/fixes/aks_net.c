/* aks_net.c - the fixes of causes 1b to 6.
 *
 * dns-link, network-rule-add, node-selector and pull-policy change the
 * world (a virtual network link, the registry's IP rules, the owning
 * workload's pod template); push-platform, fix-reference,
 * peering-recreate and firewall-rules are shown as the commands to run,
 * because they rebuild images, edit deployments by hand, recreate both
 * sides of a peering or change a firewall's rules (which acr-doctor
 * reads, for the check and the command, but never writes). */
#include "config.h"
#include "checks/groups.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "checks/aks_common.h"
#include "checks/image.h"
#include "context.h"
#include "err.h"
#include "facts.h"
#include "fixes/netrule.h"
#include "i18n.h"
#include "jsonu.h"
#include "smp.h"

#define MAX_RULE_IPS 12

static const char *data_str(const struct check_result *failed,
			    const char *key)
{
	return failed ? jsonu_str(failed->data, key) : NULL;
}

static int k8s_name_ok(const char *s)
{
	return s && ctx_valid_k8s_name("name", s, NULL) == 0;
}

/* A private DNS zone name: lower-case labels. */
static int zone_ok(const char *s)
{
	size_t n = 0;

	if (!s || !*s)
		return 0;
	for (; *s; s++, n++)
		if (n > 253 || !(islower((unsigned char)*s) ||
				 isdigit((unsigned char)*s) || strchr(".-", *s)))
			return 0;
	return 1;
}

/* Bounded copy that always terminates. */
static void copy_text(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	if (!len)
		return;
	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int step_error(int rc, struct ad_error *err)
{
	return ad_error_set(err, rc, rc == AD_ENOMEM ? _("out of memory") :
			    _("too many steps in one plan"));
}

/* ---------- dns-link ---------- */

static int plan_dns_link(struct facts *f, const struct check_result *failed,
			 struct fix_plan *plan, struct ad_error *err)
{
	const char *zone = data_str(failed, "zoneId");
	const char *vnet = data_str(failed, "vnetId");
	const char *zname, *vname;
	char zrg[96], link[128], url[1024], cmd[1024], title[256];
	cJSON *body, *props;
	char *text;
	int rc;

	if (!aks_id_ok(zone) || !aks_id_ok(vnet) ||
	    !jsonu_id_part(zone, "resourceGroups", zrg, sizeof zrg) ||
	    !aks_name_ok(zrg, 90))
		return ad_error_set(err, AD_EINVAL,
			_("the check did not find the private DNS zone and the virtual network to link"));
	zname = jsonu_id_name(zone);
	vname = jsonu_id_name(vnet);
	if (!zone_ok(zname) || !aks_name_ok(vname, 64))
		return ad_error_set(err, AD_EINVAL,
			_("the zone or virtual network name is not valid"));
	snprintf(link, sizeof link, "%s-link", vname);
	snprintf(url, sizeof url, "%s%s/virtualNetworkLinks/%s?api-version=%s",
		 f->ctx->arm, zone, link, API_PRIVDNS);
	snprintf(cmd, sizeof cmd,
		 "az network private-dns link vnet create --resource-group %s --zone-name %s --name %s --virtual-network %s --registration-enabled false",
		 zrg, zname, link, vnet);
	body = cJSON_CreateObject();
	if (!body || !cJSON_AddStringToObject(body, "location", "global") ||
	    !(props = cJSON_AddObjectToObject(body, "properties")) ||
	    !cJSON_AddObjectToObject(props, "virtualNetwork") ||
	    !cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(props,
				     "virtualNetwork"), "id", vnet) ||
	    !cJSON_AddBoolToObject(props, "registrationEnabled", 0) ||
	    !(text = cJSON_Print(body))) {
		cJSON_Delete(body);
		return ad_error_set(err, AD_ENOMEM, _("out of memory"));
	}
	cJSON_Delete(body);
	snprintf(title, sizeof title,
		 _("Link virtual network %s to the private DNS zone %s"), vname,
		 zname);
	rc = fix_add_step(plan, title, "PUT", url, text, cmd);
	free(text);
	if (rc != 0)
		return step_error(rc, err);
	snprintf(plan->summary, sizeof plan->summary,
		 _("Add a virtual network link %s from the private DNS zone %s to %s, so that the nodes of %s resolve %s to its private endpoint (auto-registration off)."),
		 link, zname, vname, f->ctx->cluster, f->ctx->registry);
	return 0;
}

/* ---------- network-rule-add ---------- */

static int plan_network_rule(struct facts *f, const struct check_result *failed,
			     struct fix_plan *plan, struct ad_error *err)
{
	const cJSON *arr = failed ? jsonu_array(failed->data, "ips") : NULL;
	const cJSON *it, *reg;
	const char *ips[MAX_RULE_IPS];
	char regid[512], list[MAX_RULE_IPS * 20] = "";
	size_t n = 0, i;
	int rc;

	cJSON_ArrayForEach(it, arr)
		if (n < MAX_RULE_IPS && cJSON_IsString(it) &&
		    netrule_ip_valid(it->valuestring, 0))
			ips[n++] = it->valuestring;
	if (n == 0)
		return ad_error_set(err, AD_EINVAL,
			_("the check found no outbound IP address of the cluster to allow"));
	if ((rc = aks_registry(f, &reg, NULL, 0, err)) != 0)
		return rc;
	facts_registry_id(f, regid, sizeof regid);
	if ((rc = netrule_plan(plan, f, regid, reg, ips, n, err)) != 0)
		return rc;
	for (i = 0; i < n; i++) {
		size_t used = strlen(list);

		snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
			 ips[i]);
	}
	if (plan->nsteps > 1)
		snprintf(plan->summary, sizeof plan->summary,
			 ngettext("Open registry %s to selected networks (its public access is Disabled) and allow the outbound address %s of cluster %s in its IP rules, as az acr network-rule add does.",
				  "Open registry %s to selected networks (its public access is Disabled) and allow the outbound addresses %s of cluster %s in its IP rules, as az acr network-rule add does.",
				  (unsigned long)n),
			 f->ctx->registry, list, f->ctx->cluster);
	else
		snprintf(plan->summary, sizeof plan->summary,
			 ngettext("Allow the outbound address %s of cluster %s in the IP rules of registry %s, as az acr network-rule add does.",
				  "Allow the outbound addresses %s of cluster %s in the IP rules of registry %s, as az acr network-rule add does.",
				  (unsigned long)n),
			 list, f->ctx->cluster, f->ctx->registry);
	return 0;
}

/* ---------- node-selector, pull-policy: patches of the owner ---------- */

static int template_ok(const char *t)
{
	return t && (strcmp(t, "spec.template") == 0 ||
		     strcmp(t, "spec.jobTemplate.spec.template") == 0);
}

struct owner_ref {
	const char *kind, *name, *path, *tmpl;
	int patchable;
};

static int owner_from(const struct check_result *failed, struct facts *f,
		      struct owner_ref *o, struct ad_error *err)
{
	char want[640];

	o->kind = data_str(failed, "ownerKind");
	o->name = data_str(failed, "ownerName");
	o->path = data_str(failed, "ownerPath");
	o->tmpl = data_str(failed, "template");
	o->patchable = data_str(failed, "patchable") &&
		       strcmp(data_str(failed, "patchable"), "1") == 0;
	if (!aks_name_ok(o->kind, 31) || !k8s_name_ok(o->name) || !o->path)
		return ad_error_set(err, AD_EINVAL,
			_("the check did not find the pod's owner"));
	/* The path must be the one of this namespace and name. */
	snprintf(want, sizeof want, "/namespaces/%s/", f->ctx->namespace_);
	if (strncmp(o->path, "/api", 4) != 0 || !strstr(o->path, want) ||
	    strlen(o->path) > 600 || strpbrk(o->path, "?#% \"'\\") ||
	    strstr(o->path, ".."))
		return ad_error_set(err, AD_EINVAL,
			_("the owner's API path is not valid"));
	if (o->patchable && !template_ok(o->tmpl))
		o->patchable = 0;
	return 0;
}

/* A strategic merge patch of the owner, shown as kubectl sends it.
 * Takes body. */
static int add_kube_step(struct fix_plan *plan, struct facts *f,
			 const struct owner_ref *o, const char *title,
			 cJSON *body, struct ad_error *err)
{
	char url[1024], cmd[1024], *text;
	int rc;

	if (!body)
		return ad_error_set(err, AD_ENOMEM, _("out of memory"));
	if (smp_command(cmd, sizeof cmd, o->kind, o->name, f->ctx->namespace_,
			body) != 0 || !(text = cJSON_Print(body))) {
		cJSON_Delete(body);
		return ad_error_set(err, AD_ENOMEM, _("out of memory"));
	}
	cJSON_Delete(body);
	snprintf(url, sizeof url, "%s%s", f->ctx->kube_server, o->path);
	rc = fix_add_step(plan, title, "PATCH", url, text, cmd);
	free(text);
	if (rc != 0)
		return step_error(rc, err);
	plan->steps[plan->nsteps - 1].kube = 1;
	snprintf(plan->steps[plan->nsteps - 1].content_type,
		 sizeof plan->steps[0].content_type, "%s", SMP_CONTENT_TYPE);
	return 0;
}

static int plan_node_selector(struct facts *f, const struct check_result *failed,
			      struct fix_plan *plan, struct ad_error *err)
{
	const char *os = data_str(failed, "os");
	struct owner_ref o;
	char title[256];
	int rc;

	if ((rc = owner_from(failed, f, &o, err)) != 0)
		return rc;
	if (!os || (strcmp(os, "linux") != 0 && strcmp(os, "windows") != 0))
		return ad_error_set(err, AD_EINVAL,
			_("the check did not find which OS the image needs"));
	snprintf(plan->summary, sizeof plan->summary,
		 _("Schedule the pods of %s/%s on %s nodes only: set nodeSelector kubernetes.io/os=%s in its pod template (a rollout replaces the misplaced pods)."),
		 o.kind, o.name, os, os);
	if (!o.patchable) {
		snprintf(plan->manual, sizeof plan->manual,
			 _("%s/%s cannot be changed in place (a bare pod or a Job's pod template is immutable). Add this to the pod spec in its manifest and create it again:\n"
			   "  nodeSelector:\n    kubernetes.io/os: %s\n"
			   "  kubectl delete %s %s -n %s && kubectl apply -f <manifest>"),
			 o.kind, o.name, os, o.kind, o.name, f->ctx->namespace_);
		return 0;
	}
	snprintf(title, sizeof title,
		 _("Set nodeSelector kubernetes.io/os=%s on %s/%s"), os, o.kind,
		 o.name);
	return add_kube_step(plan, f, &o, title,
			     smp_node_selector(o.tmpl, os), err);
}

static int plan_pull_policy(struct facts *f, const struct check_result *failed,
			    struct fix_plan *plan, struct ad_error *err)
{
	struct owner_ref o;
	char cpath[80], ipath[80], title[256];
	const cJSON *containers, *init;
	cJSON *owner, *patch = NULL;
	int rc, changed = 0;

	if ((rc = owner_from(failed, f, &o, err)) != 0)
		return rc;
	if (!o.patchable || !o.tmpl)
		o.tmpl = "spec.template";
	snprintf(cpath, sizeof cpath, "%s.spec.containers", o.tmpl);
	snprintf(ipath, sizeof ipath, "%s.spec.initContainers", o.tmpl);
	if ((rc = kube_get(f, o.path, &owner, err)) != 0)
		return rc;
	containers = jsonu_array(owner, cpath);
	init = jsonu_array(owner, ipath);
	if (!containers && strcmp(o.kind, "pod") == 0) {
		containers = jsonu_array(owner, "spec.containers");
		init = jsonu_array(owner, "spec.initContainers");
	}
	/* Only the containers that change, each by its name: the API
	 * server merges them into the list, the rest of each container
	 * (env, resources) is not sent and not touched. */
	rc = smp_pull_policy(o.tmpl, containers, init, &patch, &changed);
	if (rc == AD_ENOMEM)
		return ad_error_set(err, AD_ENOMEM, _("out of memory"));
	if (rc != 0 && changed == 0)
		return ad_error_set(err, AD_EINVAL,
			_("%s/%s has no container with imagePullPolicy Always"),
			o.kind, o.name);
	if (rc != 0)
		return ad_error_set(err, AD_EINVAL,
			_("a container of %s/%s with imagePullPolicy Always has no name"),
			o.kind, o.name);
	snprintf(plan->summary, sizeof plan->summary,
		 ngettext("Change imagePullPolicy from Always to IfNotPresent on %d container of %s/%s, so that an image already on the node is not pulled again.",
			  "Change imagePullPolicy from Always to IfNotPresent on %d containers of %s/%s, so that an image already on the node is not pulled again.",
			  (unsigned long)changed),
		 changed, o.kind, o.name);
	if (!o.patchable) {
		cJSON_Delete(patch);
		snprintf(plan->manual, sizeof plan->manual,
			 _("%s/%s cannot be changed in place (a bare pod or a Job's pod template is immutable): set imagePullPolicy: IfNotPresent in its manifest and create it again:\n"
			   "  kubectl delete %s %s -n %s && kubectl apply -f <manifest>"),
			 o.kind, o.name, o.kind, o.name, f->ctx->namespace_);
		return 0;
	}
	snprintf(title, sizeof title,
		 _("Set imagePullPolicy IfNotPresent on the containers of %s/%s"),
		 o.kind, o.name);
	return add_kube_step(plan, f, &o, title, patch, err);
}

/* ---------- manual fixes ---------- */

static int plan_push_platform(struct facts *f, const struct check_result *failed,
			      struct fix_plan *plan, struct ad_error *err)
{
	const char *arch = data_str(failed, "arch");
	const char *repo = data_str(failed, "repository");
	const char *ref = data_str(failed, "reference");
	const char *login = data_str(failed, "loginServer");
	struct image_ref r;
	char img[IMAGE_REF_MAX + 8];

	snprintf(img, sizeof img, "%s/%s:%s", login ? login : "",
		 repo ? repo : "", ref ? ref : "");
	if (!aks_name_ok(arch, 16) || !repo || !ref || !login ||
	    image_parse(img, &r, NULL) != 0 || r.digest[0])
		return ad_error_set(err, AD_EINVAL,
			_("the check did not find the image and the nodes' architecture"));
	snprintf(plan->summary, sizeof plan->summary,
		 _("Push %.300s built for linux/%s (the nodes' architecture), or as a multi-architecture image."),
		 r.canonical, arch);
	snprintf(plan->manual, sizeof plan->manual,
		 _("Rebuild and push the image for the nodes' architecture, or for both:\n"
		   "  docker buildx build --platform linux/amd64,linux/arm64 -t %.200s --push .\n"
		   "  az acr build --registry %s --image %.100s:%.40s --platform linux/%s .\n"
		   "Check what the tag offers now:\n"
		   "  az acr manifest show --registry %s --name %.100s:%.40s\n"
		   "Or run the pod on nodes of the image's architecture (arm64 VM sizes have a 'p', e.g. Standard_D4ps_v5)."),
		 r.canonical, f->ctx->registry, r.repository, r.tag, arch,
		 f->ctx->registry, r.repository, r.tag);
	return 0;
}

/* The wrong part of an image reference in words, translated. */
static const char *part_word(const char *part)
{
	/* TRANSLATORS: parts of an image reference, as in "Correct the
	 * %s of the image reference" */
	static const char *const words[][2] = {
		{ "registry", N_("registry") },
		{ "repository", N_("repository") },
		{ "tag", N_("tag") },
		{ "digest", N_("digest") },
		{ "reference", N_("reference") },
	};
	size_t i;

	for (i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcmp(part, words[i][0]) == 0)
			return _(words[i][1]);
	return part;
}

static int plan_fix_reference(struct facts *f, const struct check_result *failed,
			      struct fix_plan *plan, struct ad_error *err)
{
	const char *part = data_str(failed, "part");
	const char *correct = data_str(failed, "correct");
	const char *repo = data_str(failed, "repository");
	const char *kind = data_str(failed, "ownerKind");
	const char *owner = data_str(failed, "ownerName");
	const char *container = data_str(failed, "container");
	struct image_ref r;
	char setimg[700] = "";

	if (!part || !aks_name_ok(part, 16))
		return ad_error_set(err, AD_EINVAL,
			_("the check did not find which part of the reference is wrong"));
	if (correct && image_parse(correct, &r, NULL) != 0)
		correct = NULL;
	if (repo && image_parse(repo, &r, NULL) != 0)
		repo = NULL;
	if (correct && aks_name_ok(kind, 31) && k8s_name_ok(owner) &&
	    aks_name_ok(container, 63))
		snprintf(setimg, sizeof setimg,
			 "  kubectl set image %s/%s %s=%s -n %s\n", kind, owner,
			 container, correct, f->ctx->namespace_);
	if (correct)
		snprintf(plan->summary, sizeof plan->summary,
			 _("Correct the %s of the image reference: use %s."),
			 part_word(part), correct);
	else
		snprintf(plan->summary, sizeof plan->summary,
			 _("Correct the %s of the image reference."),
			 part_word(part));
	snprintf(plan->manual, sizeof plan->manual,
		 _("Check every part of the reference against the registry:\n"
		   "  az acr show --name %.50s --query loginServer -o tsv\n"
		   "  az acr repository list --name %.50s -o table\n"
		   "  az acr repository show-tags --name %.50s --repository %.120s -o table\n"
		   "Then correct the image in the workload's manifest, or:\n%.250s"
		   "  kubectl describe pod %.100s -n %.60s"),
		 f->ctx->registry, f->ctx->registry, f->ctx->registry,
		 repo ? repo : "<repository>", setimg[0] ? setimg :
		 "  kubectl set image <kind>/<name> <container>=<image> -n <namespace>\n",
		 f->ctx->pod, f->ctx->namespace_);
	return 0;
}

static int plan_peering(struct facts *f, const struct check_result *failed,
			struct fix_plan *plan, struct ad_error *err)
{
	const char *vnet = data_str(failed, "vnetId");
	const char *remote = data_str(failed, "remoteVnetId");
	const char *peer = data_str(failed, "peeringName");
	const char *rpeer = data_str(failed, "remotePeeringName");
	const char *vname, *rname;
	char vrg[96], rrg[96], lname[160], rnew[160], del[400] = "", big[4096];
	size_t used = 0;

	if (!aks_id_ok(vnet) || !aks_id_ok(remote) ||
	    !jsonu_id_part(vnet, "resourceGroups", vrg, sizeof vrg) ||
	    !jsonu_id_part(remote, "resourceGroups", rrg, sizeof rrg) ||
	    !aks_name_ok(vrg, 90) || !aks_name_ok(rrg, 90) ||
	    !aks_name_ok(jsonu_id_name(vnet), 64) ||
	    !aks_name_ok(jsonu_id_name(remote), 64))
		return ad_error_set(err, AD_EINVAL,
			_("the check did not find the two virtual networks"));
	vname = jsonu_id_name(vnet);
	rname = jsonu_id_name(remote);
	if (!aks_name_ok(peer, 80))
		peer = NULL;
	if (!aks_name_ok(rpeer, 80))
		rpeer = NULL;
	/* Keep the existing names; name a missing side after its VNets. */
	snprintf(lname, sizeof lname, "%s", peer ? peer : "");
	if (!peer)
		snprintf(lname, sizeof lname, "%s-to-%s", vname, rname);
	snprintf(rnew, sizeof rnew, "%s", rpeer ? rpeer : "");
	if (!rpeer)
		snprintf(rnew, sizeof rnew, "%s-to-%s", rname, vname);
	if (peer)
		used += (size_t)snprintf(del + used, sizeof del - used,
			"  az network vnet peering delete -g %s --vnet-name %s -n %s\n",
			vrg, vname, peer);
	if (rpeer && used < sizeof del)
		snprintf(del + used, sizeof del - used,
			 "  az network vnet peering delete -g %s --vnet-name %s -n %s\n",
			 rrg, rname, rpeer);
	snprintf(plan->summary, sizeof plan->summary,
		 _("Delete the peering between %s and %s on both sides and create it again, so that it is Connected."),
		 vname, rname);
	snprintf(big, sizeof big,
		 "%s"
		 "  az network vnet peering create -g %s --vnet-name %s -n %s --remote-vnet %s --allow-vnet-access\n"
		 "  az network vnet peering create -g %s --vnet-name %s -n %s --remote-vnet %s --allow-vnet-access\n"
		 "  az network vnet peering list -g %s --vnet-name %s -o table",
		 del, vrg, vname, lname, remote, rrg, rname, rnew, vnet, vrg, vname);
	copy_text(plan->manual, sizeof plan->manual, big);
	return 0;
}

static int plan_firewall_rules(struct facts *f, const struct check_result *failed,
			       struct fix_plan *plan, struct ad_error *err)
{
	const char *ip = data_str(failed, "endpointIp");
	const char *hop = data_str(failed, "nextHopIp");
	const char *src = data_str(failed, "sourcePrefix");

	if (!netrule_ip_valid(ip, 0))
		return ad_error_set(err, AD_EINVAL,
			_("the check did not find the private endpoint's address"));
	if (!netrule_ip_valid(hop, 0))
		hop = "<firewall address>";
	if (!netrule_ip_valid(src, 1))
		src = "<cluster subnet prefix>";
	snprintf(plan->summary, sizeof plan->summary,
		 _("Allow TCP 443 from the cluster's subnet %s to the registry's private endpoint %s in the firewall at %s."),
		 src, ip, hop);
	{
		char login[256], rule[900];
		const char *fw = data_str(failed, "firewallName");
		const char *rg = data_str(failed, "firewallRg");
		const char *pol = data_str(failed, "firewallPolicy");
		const char *prg = data_str(failed, "firewallPolicyRg");
		const char *gp = data_str(failed, "firewallGroupPriority");
		const char *gn = data_str(failed, "firewallGroupName");
		const char *full = data_str(failed, "firewallNoRoomBefore");
		long prio = gp ? strtol(gp, NULL, 10) : 150;

		aks_login_server(f, login, sizeof login);
		/* Without the policy's own group, the firewall's is no
		 * better than a placeholder (a policy may live elsewhere). */
		if (!prg && pol)
			prg = "<policy resource group>";
		if (prio < 100 || prio > 65000)
			prio = 150;
		if (!gn || !aks_name_ok(gn, 80))
			gn = "aks-to-acr";
		/* The firewall the check found and read: the command for it,
		 * in the policy the check chose (the firewall's own, or the
		 * parent whose rule denies it), as a rule collection group of
		 * its own at a priority no group there has, so no existing
		 * group is rewritten and the order is not left to chance. */
		if (fw && prg && pol && aks_name_ok(pol, 80))
			snprintf(rule, sizeof rule,
				 "az network firewall policy rule-collection-group create --resource-group %s --policy-name %s --name %s --priority %ld\n"
				 "  az network firewall policy rule-collection-group collection add-filter-collection --resource-group %s --policy-name %s --rule-collection-group-name %s --name allow-acr-private-endpoint --collection-priority 100 --action Allow --rule-name acr-pe-443 --rule-type NetworkRule --ip-protocols TCP --source-addresses %s --destination-addresses %s --destination-ports 443",
				 prg, pol, gn, prio, prg, pol, gn, src, ip);
		else
			snprintf(rule, sizeof rule,
				 "az network firewall network-rule create --resource-group %s --firewall-name %s --collection-name aks-to-acr --name allow-acr-private-endpoint --priority 200 --action Allow --protocols TCP --source-addresses %s --destination-addresses %s --destination-ports 443",
				 fw && rg && aks_name_ok(rg, 90) ? rg : "<firewall resource group>",
				 fw && aks_name_ok(fw, 80) ? fw : "<firewall>", src, ip);
		if (full) {
			size_t l = strlen(rule);
			char why[300];

			snprintf(why, sizeof why,
				 _("(no rule collection group can come before the one holding the denying rule %s: change or remove that rule instead)"),
				 full);
			snprintf(rule + l, sizeof rule - l, "\n  %s", why);
		}
		snprintf(plan->manual, sizeof plan->manual,
			 _("The firewall's network rules must let the nodes reach the private endpoint (Azure Firewall shown; use your appliance's equivalent):\n"
			   "  %s\n"
			   "Then test from a node (kubectl debug node/<node> -it --image=mcr.microsoft.com/cbl-mariner/busybox:2.0):\n"
			   "  nslookup %s\n  nc -vz %s 443"),
			 rule, login, ip);
	}
	return 0;
}

const struct fix_def fix_group_aks_net[] = {
	{ "dns-link", N_("Link the cluster's virtual network to the private DNS zone"),
	  "aks.403.dns-link", plan_dns_link },
	{ "network-rule-add", N_("Allow the cluster's outbound IP in the registry firewall"),
	  "aks.403.firewall", plan_network_rule },
	{ "node-selector", N_("Schedule the workload on nodes of the image's OS"),
	  "aks.platform", plan_node_selector },
	{ "pull-policy", N_("Pull only images not yet on the node (IfNotPresent)"),
	  "aks.qps", plan_pull_policy },
	{ "push-platform", N_("Push an image built for the nodes' architecture"),
	  "aks.401-arch", plan_push_platform },
	{ "fix-reference", N_("Correct the image reference"),
	  "aks.notfound", plan_fix_reference },
	{ "peering-recreate", N_("Recreate the virtual network peering"),
	  "aks.timeout.peering", plan_peering },
	{ "firewall-rules", N_("Allow the private endpoint in the firewall"),
	  "aks.timeout.firewall", plan_firewall_rules },
};
const size_t fix_group_aks_net_n =
	sizeof fix_group_aks_net / sizeof fix_group_aks_net[0];
