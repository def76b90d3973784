/* aks_net.c - the checks of causes 1b to 6: the image's architecture
 * (aks.401-arch), the image reference (aks.notfound), the registry's
 * private DNS zone and firewall (aks.403.*), the private network path
 * (aks.timeout.*), the image's OS (aks.platform) and the kubelet's pull
 * rate (aks.qps).
 *
 * The network checks share one view of the registry's private
 * endpoints: the registry's approved private endpoint connections, each
 * endpoint's VNet and private addresses, and the VNets of the cluster's
 * node pools.  "The cluster reaches the registry privately" means an
 * endpoint sits in a cluster VNet, or a cluster VNet has a peering with
 * the endpoint's VNet, or the node resolves the login server to an
 * endpoint address: then the public firewall does not apply. */
#include "config.h"
#include "checks/groups.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "checks/aks_common.h"
#include "checks/azfw.h"
#include "checks/image.h"
#include "checks/seen_ip.h"
#include "context.h"
#include "err.h"
#include "facts.h"
#include "fixes/netrule.h"
#include "i18n.h"
#include "jsonu.h"
#include "probe.h"
#include "textw.h"

#define MAX_PE 4              /* private endpoints looked at */
#define MAX_VNETS 8           /* cluster VNets / subnets */
#define MAX_PE_IPS 4
#define MAX_OUT_IPS 8         /* cluster outbound IPs */
#define MAX_TAGS_SCAN 1000    /* tags compared for the closest one */
#define MAX_TAGS_SHOWN 20
#define MAX_NODES 500
#define ID_LEN 512

static int oom(void)
{
	return AD_ENOMEM;
}

static int contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; hay && *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return 0;
}

/* "/subscriptions/.../virtualNetworks/v/subnets/s" -> VNet id. */
static int vnet_of_subnet(const char *subnet, char *vnet, size_t len)
{
	const char *p;
	size_t n;

	if (!aks_id_ok(subnet))
		return -1;
	for (p = subnet; (p = strchr(p, '/')); p++)
		if (strncasecmp(p, "/subnets/", 9) == 0)
			break;
	if (!p)
		return -1;
	n = (size_t)(p - subnet);
	if (n + 1 > len)
		return -1;
	memcpy(vnet, subnet, n);
	vnet[n] = '\0';
	return 0;
}

/* ---------- the private network view ---------- */

struct pe_info {
	char id[ID_LEN];
	char vnet[ID_LEN];
	char ips[MAX_PE_IPS][48];
	int nips;
	const cJSON *pe;
};

struct netview {
	char login[256];
	const cJSON *reg;
	const cJSON *cluster;
	int npe;
	struct pe_info pe[MAX_PE];
	int nsub;
	char subnets[MAX_VNETS][ID_LEN];
	int nvnet;
	char vnets[MAX_VNETS][ID_LEN];
};

static int add_unique(char list[][ID_LEN], int *n, const char *id)
{
	int i;

	for (i = 0; i < *n; i++)
		if (jsonu_id_eq(list[i], id))
			return 0;
	if (*n >= MAX_VNETS)
		return 0;
	snprintf(list[(*n)++], ID_LEN, "%s", id);
	return 1;
}

static void pe_add_ip(struct pe_info *p, const char *ip)
{
	int i;

	if (!ip || !netrule_ip_valid(ip, 0))
		return;
	for (i = 0; i < p->nips; i++)
		if (strcmp(p->ips[i], ip) == 0)
			return;
	if (p->nips < MAX_PE_IPS)
		snprintf(p->ips[p->nips++], sizeof p->ips[0], "%s", ip);
}

/* The endpoint's addresses for the login server: customDnsConfigs, else
 * the "registry" member of its IP configurations. */
static void pe_ips(struct pe_info *p, const char *login)
{
	const cJSON *c, *ip;

	cJSON_ArrayForEach(c, jsonu_array(p->pe, "properties.customDnsConfigs")) {
		const char *fqdn = jsonu_str(c, "fqdn");

		if (!fqdn || strcasecmp(fqdn, login) != 0)
			continue;
		cJSON_ArrayForEach(ip, jsonu_array(c, "ipAddresses"))
			if (cJSON_IsString(ip))
				pe_add_ip(p, ip->valuestring);
	}
	if (p->nips)
		return;
	cJSON_ArrayForEach(c, jsonu_array(p->pe, "properties.ipConfigurations")) {
		const char *member = jsonu_str(c, "properties.memberName");

		if (member && strcmp(member, "registry") == 0)
			pe_add_ip(p, jsonu_str(c, "properties.privateIPAddress"));
	}
}

/* Read the cluster's VNets and the registry's approved endpoints. */
static int netview_read(struct facts *f, struct netview *nv,
			struct ad_error *err)
{
	char path[700];
	const cJSON *pool, *conn;
	cJSON *list;
	int rc;

	memset(nv, 0, sizeof *nv);
	if ((rc = aks_registry(f, &nv->reg, nv->login, sizeof nv->login, err)))
		return rc;
	if ((rc = aks_cluster(f, &nv->cluster, err)))
		return rc;
	cJSON_ArrayForEach(pool, jsonu_array(nv->cluster,
					     "properties.agentPoolProfiles")) {
		const char *sid = jsonu_str(pool, "vnetSubnetID");
		char vnet[ID_LEN];

		if (!sid || vnet_of_subnet(sid, vnet, sizeof vnet) != 0)
			continue;
		add_unique(nv->subnets, &nv->nsub, sid);
		add_unique(nv->vnets, &nv->nvnet, vnet);
	}
	if (nv->nvnet == 0) {
		/* A managed VNet lives in the node resource group. */
		const char *nrg = jsonu_str(nv->cluster,
					    "properties.nodeResourceGroup");
		const cJSON *v;

		if (!aks_name_ok(nrg, 90))
			return ad_error_set(err, AD_EPARSE,
				_("the cluster shows neither a node pool subnet nor a node resource group"));
		snprintf(path, sizeof path,
			 "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Network/virtualNetworks",
			 f->ctx->subscription, nrg);
		if ((rc = arm_list(f, path, API_NETWORK, &list, err)))
			return rc;
		cJSON_ArrayForEach(v, jsonu_array(list, "value")) {
			const char *id = jsonu_str(v, "id");
			const cJSON *s;

			if (!aks_id_ok(id))
				continue;
			add_unique(nv->vnets, &nv->nvnet, id);
			cJSON_ArrayForEach(s, jsonu_array(v, "properties.subnets"))
				if (aks_id_ok(jsonu_str(s, "id")))
					add_unique(nv->subnets, &nv->nsub,
						   jsonu_str(s, "id"));
		}
		if (nv->nvnet == 0)
			return ad_error_set(err, AD_ENOTFOUND,
				_("no virtual network of the cluster was found"));
	}
	if ((rc = aks_registry_pecs(f, &list, err)))
		return rc;
	cJSON_ArrayForEach(conn, jsonu_array(list, "value")) {
		const char *st = jsonu_str(conn,
			"properties.privateLinkServiceConnectionState.status");
		const char *peid = jsonu_str(conn, "properties.privateEndpoint.id");
		struct pe_info *p;
		cJSON *pe;

		if (!st || strcmp(st, "Approved") != 0 || !aks_id_ok(peid) ||
		    nv->npe >= MAX_PE)
			continue;
		p = &nv->pe[nv->npe];
		memset(p, 0, sizeof *p);
		snprintf(p->id, sizeof p->id, "%s", peid);
		if ((rc = arm_get(f, peid, API_NETWORK, &pe, err)))
			return rc;
		p->pe = pe;
		if (vnet_of_subnet(jsonu_str(pe, "properties.subnet.id"), p->vnet,
				   sizeof p->vnet) != 0)
			p->vnet[0] = '\0';
		pe_ips(p, nv->login);
		nv->npe++;
	}
	return 0;
}

static int in_cluster_vnet(const struct netview *nv, const char *vnet)
{
	int i;

	for (i = 0; vnet[0] && i < nv->nvnet; i++)
		if (jsonu_id_eq(nv->vnets[i], vnet))
			return 1;
	return 0;
}

static int peerings(struct facts *f, const char *vnet, cJSON **out,
		    struct ad_error *err)
{
	char path[700];

	snprintf(path, sizeof path, "%s/virtualNetworkPeerings", vnet);
	return arm_list(f, path, API_PEERING, out, err);
}

/* The peering of vnet whose remote is remote, or NULL. */
static const cJSON *peering_to(const cJSON *list, const char *remote)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, jsonu_array(list, "value"))
		if (jsonu_id_eq(jsonu_str(p, "properties.remoteVirtualNetwork.id"),
				remote))
			return p;
	return NULL;
}

/* Is the cluster meant to reach the registry privately?  1/0, or
 * negative when the peerings could not be read.  which gets the
 * endpoint index. */
static int private_path(struct facts *f, const struct netview *nv, int *which,
			struct ad_error *err)
{
	struct probe_dns dns;
	struct ad_error perr = { 0 };
	int i, j, k;

	*which = -1;
	for (i = 0; i < nv->npe; i++)
		if (in_cluster_vnet(nv, nv->pe[i].vnet)) {
			*which = i;
			return 1;
		}
	for (i = 0; i < nv->npe; i++) {
		for (j = 0; j < nv->nvnet; j++) {
			cJSON *list;
			int rc = peerings(f, nv->vnets[j], &list, err);

			if (rc != 0)
				return rc;
			if (nv->pe[i].vnet[0] && peering_to(list, nv->pe[i].vnet)) {
				*which = i;
				return 1;
			}
		}
	}
	/* The node's own answer: a private endpoint address. */
	memset(&dns, 0, sizeof dns);
	if (nv->npe && facts_resolve(f, nv->login, &dns, &perr) == 0)
		for (k = 0; k < dns.naddr; k++)
			for (i = 0; i < nv->npe; i++)
				for (j = 0; j < nv->pe[i].nips; j++)
					if (strcmp(dns.addr[k], nv->pe[i].ips[j]) == 0) {
						*which = i;
						return 1;
					}
	return 0;
}

static int ev_node_dns(struct facts *f, struct check_result *res,
		       const char *login, struct probe_dns *dns, int *ok)
{
	struct ad_error err = { 0 };
	char shown[201];
	int i;

	memset(dns, 0, sizeof *dns);
	*ok = 0;
	if (aks_node_evidence(f, res, "resolve", login, 0))
		return oom();
	if (facts_resolve(f, login, dns, &err) != 0)
		return ev_str(res, "nodeDns", "%s",
			      tw_clip(shown, sizeof shown, err.msg));
	*ok = 1;
	if (aks_dns_evidence(res, dns))
		return oom();
	if (dns->naddr == 0)
		return ev_str(res, "nodeDns", "%s", dns->answer_error[0] ?
			      dns->answer_error : "no answer");
	for (i = 0; i < dns->naddr; i++)
		if (ev_list_add(res, "nodeResolves", dns->addr[i]))
			return oom();
	return 0;
}

/* ---------- aks.403.dns-link ---------- */

static const char *zone_of_pe(struct facts *f, const struct pe_info *p,
			      char ips[][48], int *nips, struct ad_error *err,
			      int *rc)
{
	char path[700];
	const cJSON *g, *cfg, *rs, *ip;
	const char *zone = NULL;
	cJSON *list;

	*rc = 0;
	snprintf(path, sizeof path, "%s/privateDnsZoneGroups", p->id);
	if ((*rc = arm_list(f, path, API_NETWORK, &list, err)) != 0)
		return NULL;
	cJSON_ArrayForEach(g, jsonu_array(list, "value"))
		cJSON_ArrayForEach(cfg, jsonu_array(g,
				"properties.privateDnsZoneConfigs")) {
			const char *zid = jsonu_str(cfg,
				"properties.privateDnsZoneId");

			if (!aks_id_ok(zid))
				continue;
			if (!zone)
				zone = zid;
			cJSON_ArrayForEach(rs, jsonu_array(cfg,
					"properties.recordSets"))
				cJSON_ArrayForEach(ip, jsonu_array(rs, "ipAddresses"))
					if (cJSON_IsString(ip) && *nips < MAX_PE_IPS &&
					    netrule_ip_valid(ip->valuestring, 0))
						snprintf(ips[(*nips)++], 48, "%s",
							 ip->valuestring);
		}
	return zone;
}

static int run_dns_link(struct facts *f, struct check_result *res)
{
	struct netview nv;
	struct ad_error err = { 0 };
	struct probe_dns dns;
	char zips[MAX_PE_IPS][48];
	char first_zone[ID_LEN] = "", first_vnet[ID_LEN] = "";
	int i, j, nz = 0, rc, probe_ok, any_zone = 0;

	check_command(res, "az network private-dns link vnet list --resource-group <zone resource group> --zone-name privatelink.%s -o table",
		      ctx_suffix(f->ctx));
	if ((rc = netview_read(f, &nv, &err)) != 0) {
		check_unknown(res, _("cannot read the registry's private endpoints"),
			      &err);
		return 0;
	}
	if (nv.npe == 0) {
		check_say(res, CHECK_NA,
			  _("registry %s has no approved private endpoint: no private DNS zone is involved"),
			  f->ctx->registry);
		return 0;
	}
	for (j = 0; j < nv.nvnet; j++)
		if (ev_list_add(res, "clusterVnets", jsonu_id_name(nv.vnets[j])))
			return oom();
	if (ev_node_dns(f, res, nv.login, &dns, &probe_ok))
		return oom();
	for (i = 0; i < nv.npe; i++) {
		const char *zone = zone_of_pe(f, &nv.pe[i], zips, &nz, &err, &rc);
		char path[700], zrg[96];
		const cJSON *l;
		cJSON *links;
		int linked_all = 1;

		if (rc != 0) {
			check_unknown(res, _("cannot read the private endpoint's DNS zone groups"),
				      &err);
			return 0;
		}
		if (ev_list_add(res, "privateEndpoints", jsonu_id_name(nv.pe[i].id)))
			return oom();
		if (!zone)
			continue;
		any_zone = 1;
		snprintf(path, sizeof path, "%s/virtualNetworkLinks", zone);
		if ((rc = arm_list(f, path, API_PRIVDNS, &links, &err)) != 0) {
			check_unknown(res, _("cannot read the private DNS zone's virtual network links"),
				      &err);
			return 0;
		}
		if (ev_str(res, "zone", "%s", jsonu_id_name(zone)))
			return oom();
		for (j = 0; j < nz; j++)
			if (ev_list_add(res, "zoneAddresses", zips[j]))
				return oom();
		if (jsonu_id_part(zone, "resourceGroups", zrg, sizeof zrg) &&
		    aks_name_ok(zrg, 90))
			check_command(res,
				"az network private-dns link vnet list --resource-group %s --zone-name %s -o table",
				zrg, jsonu_id_name(zone));
		cJSON_ArrayForEach(l, jsonu_array(links, "value"))
			if (aks_id_ok(jsonu_str(l, "properties.virtualNetwork.id")) &&
			    ev_list_add(res, "linkedVnets", jsonu_id_name(
					jsonu_str(l, "properties.virtualNetwork.id"))))
				return oom();
		for (j = 0; j < nv.nvnet; j++) {
			int linked = 0;

			cJSON_ArrayForEach(l, jsonu_array(links, "value"))
				if (jsonu_id_eq(jsonu_str(l,
					"properties.virtualNetwork.id"), nv.vnets[j]))
					linked = 1;
			if (!linked) {
				linked_all = 0;
				if (!first_zone[0]) {
					snprintf(first_zone, sizeof first_zone, "%s", zone);
					snprintf(first_vnet, sizeof first_vnet, "%s",
						 nv.vnets[j]);
				}
			}
		}
		if (linked_all) {
			check_say(res, CHECK_PASS,
				  _("the private DNS zone %s of endpoint %s is linked to every virtual network of the cluster"),
				  jsonu_id_name(zone), jsonu_id_name(nv.pe[i].id));
			return 0;
		}
	}
	if (!any_zone) {
		/* DNS is run elsewhere (custom DNS): judge by the node. */
		if (!probe_ok) {
			check_say(res, CHECK_UNKNOWN,
				  _("the private endpoint of %s has no private DNS zone group, and no node could be asked what %s resolves to"),
				  f->ctx->registry, nv.login);
			return 0;
		}
		for (i = 0; i < nv.npe; i++)
			for (j = 0; j < nv.pe[i].nips; j++)
				if (dns.naddr && strcmp(dns.addr[0], nv.pe[i].ips[j]) == 0) {
					check_say(res, CHECK_PASS,
						  _("the node resolves %s to the private endpoint address %s (custom DNS)"),
						  nv.login, dns.addr[0]);
					return 0;
				}
		check_say(res, CHECK_FAIL,
			  _("the private endpoint of %s has no private DNS zone group, and the node resolves %s to %s, not to the endpoint: the cluster's DNS servers need a record (or a conditional forwarder) for privatelink.%s"),
			  f->ctx->registry, nv.login,
			  dns.naddr ? dns.addr[0] : dns.answer_error,
			  ctx_suffix(f->ctx));
		return 0;
	}
	res->fix = "dns-link";
	if (check_data_str(res, "zoneId", first_zone) ||
	    check_data_str(res, "vnetId", first_vnet) ||
	    ev_str(res, "unlinkedVnet", "%s", jsonu_id_name(first_vnet)))
		return oom();
	check_say(res, CHECK_FAIL,
		  _("the private DNS zone %s is not linked to the cluster's virtual network %s, so the nodes resolve %s to %s instead of the private endpoint"),
		  jsonu_id_name(first_zone), jsonu_id_name(first_vnet), nv.login,
		  probe_ok && dns.naddr ? dns.addr[0] :
		  _("its public address"));
	return 0;
}

/* ---------- aks.403.firewall ---------- */

/* The address the refusal names, against the cluster's outbound
 * addresses and the rules (evidence and summary only): from the pasted
 * message, else from the pod's newest failure event that names one. */
static int seen_note(struct facts *f, struct check_result *res,
		     const cJSON *reg, char ips[][48], int nips)
{
	const char *p[MAX_OUT_IPS];
	char ip[16];
	int i;

	for (i = 0; i < nips && i < MAX_OUT_IPS; i++)
		p[i] = ips[i];
	if (!seen_ip_in(f->ctx->message, ip) && aks_pod_refusal(f, ip) &&
	    ev_str(res, "registrySawIn", "pod event"))
		return oom();
	if (seen_ip_note(res, ip, reg, p, (size_t)i,
			 f->ctx->cluster[0] ? f->ctx->cluster : _("the cluster")))
		return oom();
	return 0;
}

static int run_firewall(struct facts *f, struct check_result *res)
{
	struct netview nv;
	struct ad_error err = { 0 };
	const char *pna, *def, *otype;
	const cJSON *ids = NULL, *it;
	char miss[MAX_OUT_IPS][48], ips[MAX_OUT_IPS][48], list[400] = "";
	char nrg[96] = "", first_ip_name[128] = "";
	int nmiss = 0, nips = 0, which, rc, i;

	if ((rc = netview_read(f, &nv, &err)) != 0) {
		check_unknown(res, _("cannot read the registry and the cluster's network"),
			      &err);
		return 0;
	}
	pna = jsonu_str(nv.reg, "properties.publicNetworkAccess");
	def = jsonu_str(nv.reg, "properties.networkRuleSet.defaultAction");
	if (ev_str(res, "publicNetworkAccess", "%s", aks_name_ok(pna, 32) ? pna :
		   "Enabled") ||
	    ev_str(res, "defaultAction", "%s", aks_name_ok(def, 32) ? def : "Allow"))
		return oom();
	check_command(res, "az acr show --name %s --query \"{publicNetworkAccess:publicNetworkAccess,networkRuleSet:networkRuleSet}\"",
		      f->ctx->registry);
	rc = private_path(f, &nv, &which, &err);
	if (rc < 0) {
		check_unknown(res, _("cannot read the virtual network peerings"), &err);
		return 0;
	}
	if (rc == 1) {
		check_say(res, CHECK_NA,
			  _("the cluster reaches %s through its private endpoint %s, so the registry's public firewall does not apply"),
			  f->ctx->registry, jsonu_id_name(nv.pe[which].id));
		return 0;
	}
	otype = jsonu_str(nv.cluster, "properties.networkProfile.outboundType");
	if (otype && strcasecmp(otype, "userDefinedRouting") == 0) {
		check_say(res, CHECK_UNKNOWN,
			  _("the cluster leaves through a user-defined route (outboundType userDefinedRouting): its public address is the firewall's or appliance's and cannot be read from the cluster"));
		return 0;
	}
	if (otype && contains_ci(otype, "NATGateway"))
		ids = jsonu_array(nv.cluster,
			"properties.networkProfile.natGatewayProfile.effectiveOutboundIPs");
	else
		ids = jsonu_array(nv.cluster,
			"properties.networkProfile.loadBalancerProfile.effectiveOutboundIPs");
	cJSON_ArrayForEach(it, ids) {
		const char *id = jsonu_str(it, "id");
		const char *ip;
		cJSON *pip;

		if (!aks_id_ok(id) || nips >= MAX_OUT_IPS)
			continue;
		if ((rc = arm_get(f, id, API_NETWORK, &pip, &err)) != 0) {
			check_unknown(res, _("cannot read the cluster's outbound public IP"),
				      &err);
			return 0;
		}
		ip = jsonu_str(pip, "properties.ipAddress");
		if (!netrule_ip_valid(ip, 0))
			continue;
		if (!first_ip_name[0]) {
			snprintf(first_ip_name, sizeof first_ip_name, "%s",
				 aks_name_ok(jsonu_id_name(id), 80) ?
				 jsonu_id_name(id) : "<ip name>");
			if (!jsonu_id_part(id, "resourceGroups", nrg, sizeof nrg) ||
			    !aks_name_ok(nrg, 90))
				snprintf(nrg, sizeof nrg, "<node resource group>");
		}
		snprintf(ips[nips++], sizeof ips[0], "%s", ip);
		if (ev_list_add(res, "outboundIps", ip))
			return oom();
		if (!netrule_allows(nv.reg, ip)) {
			snprintf(miss[nmiss++], sizeof miss[0], "%s", ip);
			if (ev_list_add(res, "missing", ip))
				return oom();
		}
	}
	if (nips == 0) {
		check_say(res, CHECK_UNKNOWN,
			  _("no outbound public IP address of the cluster could be read (networkProfile effectiveOutboundIPs)"));
		return 0;
	}
	check_command(res, "az network public-ip show -g %s -n %s --query ipAddress -o tsv; az acr network-rule list --name %s",
		      nrg, first_ip_name, f->ctx->registry);
	if (nmiss == 0) {
		for (i = 0; i < nips; i++) {
			size_t used = strlen(list);

			snprintf(list + used, sizeof list - used, "%s%s",
				 i ? ", " : "", ips[i]);
		}
		check_say(res, CHECK_PASS,
			  ngettext("the registry firewall of %s allows the cluster's outbound address (%s)",
				   "the registry firewall of %s allows the cluster's outbound addresses (%s)",
				   (unsigned long)nips),
			  f->ctx->registry, list);
		return seen_note(f, res, nv.reg, ips, nips);
	}
	for (i = 0; i < nmiss; i++) {
		size_t used = strlen(list);

		snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
			 miss[i]);
	}
	{
		cJSON *arr = cJSON_AddArrayToObject(res->data, "ips");

		if (!arr)
			return oom();
		for (i = 0; i < nmiss; i++) {
			cJSON *s = cJSON_CreateString(miss[i]);

			if (!s)
				return oom();
			cJSON_AddItemToArray(arr, s);
		}
	}
	res->fix = "network-rule-add";
	if (pna && strcasecmp(pna, "Disabled") == 0)
		check_say(res, CHECK_FAIL,
			  _("public network access of %s is Disabled and the cluster has no private path to it, so its outbound address %s is refused (403)"),
			  f->ctx->registry, list);
	else
		check_say(res, CHECK_FAIL,
			  _("the firewall of %s (default action %s) does not allow the cluster's outbound address %s"),
			  f->ctx->registry, aks_name_ok(def, 32) ? def : "?", list);
	return seen_note(f, res, nv.reg, ips, nips);
}

/* ---------- aks.timeout.peering ---------- */

static int node_tcp_evidence(struct facts *f, struct check_result *res,
			     const char *ip, enum probe_tcp *tcp, int *ok)
{
	struct ad_error err = { 0 };
	char shown[201];

	*ok = 0;
	if (aks_node_evidence(f, res, "tcp", ip, 443))
		return oom();
	if (facts_tcp(f, ip, 443, tcp, &err) != 0)
		return ev_str(res, "nodeTcp443", "%s",
			      tw_clip(shown, sizeof shown, err.msg));
	*ok = 1;
	return ev_str(res, "nodeTcp443", "%s %s", ip, probe_tcp_str(*tcp));
}

static int run_peering(struct facts *f, struct check_result *res)
{
	struct netview nv;
	struct ad_error err = { 0 };
	struct probe_dns dns;
	enum probe_tcp tcp;
	char vrg[96] = "", state[64] = "";
	const cJSON *bad = NULL;
	const char *bad_vnet = NULL;
	int i, j, rc, pok, tok, pe = -1;

	check_command(res, "az network vnet peering list -g %s --vnet-name <cluster vnet> -o table",
		      f->ctx->resource_group);
	if ((rc = netview_read(f, &nv, &err)) != 0) {
		check_unknown(res, _("cannot read the registry's private endpoints"),
			      &err);
		return 0;
	}
	if (nv.npe == 0) {
		check_say(res, CHECK_NA,
			  _("registry %s has no approved private endpoint: no peering is involved"),
			  f->ctx->registry);
		return 0;
	}
	for (i = 0; i < nv.npe; i++)
		if (in_cluster_vnet(&nv, nv.pe[i].vnet)) {
			check_say(res, CHECK_NA,
				  _("the private endpoint %s is in the cluster's own virtual network %s: no peering is needed"),
				  jsonu_id_name(nv.pe[i].id), jsonu_id_name(nv.pe[i].vnet));
			return 0;
		}
	if (jsonu_id_part(nv.vnets[0], "resourceGroups", vrg, sizeof vrg) &&
	    aks_name_ok(vrg, 90))
		check_command(res, "az network vnet peering list -g %s --vnet-name %s -o table",
			      vrg, jsonu_id_name(nv.vnets[0]));
	if (ev_node_dns(f, res, nv.login, &dns, &pok))
		return oom();
	for (i = 0; i < nv.npe && pe < 0; i++) {
		int ok_all = 1;

		if (!nv.pe[i].vnet[0])
			continue;
		for (j = 0; j < nv.nvnet; j++) {
			cJSON *list;
			const cJSON *p;
			const char *st;

			if ((rc = peerings(f, nv.vnets[j], &list, &err)) != 0) {
				check_unknown(res, _("cannot list the virtual network peerings"),
					      &err);
				return 0;
			}
			p = peering_to(list, nv.pe[i].vnet);
			st = jsonu_str(p, "properties.peeringState");
			if (!p || !st || strcmp(st, "Connected") != 0) {
				ok_all = 0;
				if (!bad_vnet) {
					bad = p;
					bad_vnet = nv.vnets[j];
					snprintf(state, sizeof state, "%s",
						 !p ? "missing" :
						 aks_name_ok(st, 32) ? st : "?");
					if (check_data_str(res, "vnetId", nv.vnets[j]) ||
					    check_data_str(res, "remoteVnetId",
							   nv.pe[i].vnet))
						return oom();
				}
			}
		}
		if (ok_all)
			pe = i;
	}
	if (ev_str(res, "endpointVnet", "%s", jsonu_id_name(nv.pe[0].vnet)))
		return oom();
	if (nv.pe[pe >= 0 ? pe : 0].nips &&
	    node_tcp_evidence(f, res, nv.pe[pe >= 0 ? pe : 0].ips[0], &tcp, &tok))
		return oom();
	if (pe >= 0) {
		check_say(res, CHECK_PASS,
			  _("the cluster's virtual network is peered with %s (the private endpoint's), state Connected"),
			  jsonu_id_name(nv.pe[pe].vnet));
		return 0;
	}
	if (ev_str(res, "peeringState", "%s", state))
		return oom();
	if (bad) {
		const char *name = jsonu_str(bad, "name");
		const char *rid = jsonu_str(bad, "properties.remoteVirtualNetwork.id");

		if (aks_name_ok(name, 80) &&
		    (check_data_str(res, "peeringName", name) ||
		     ev_str(res, "peering", "%s", name)))
			return oom();
		/* The other side's peering, for the delete-and-recreate. */
		if (aks_id_ok(rid)) {
			cJSON *rlist;
			const cJSON *rp;

			if (peerings(f, rid, &rlist, &err) == 0 &&
			    (rp = peering_to(rlist, bad_vnet)) &&
			    aks_name_ok(jsonu_str(rp, "name"), 80)) {
				if (check_data_str(res, "remotePeeringName",
						   jsonu_str(rp, "name")) ||
				    ev_str(res, "remotePeering", "%s %s",
					   jsonu_str(rp, "name"),
					   aks_name_ok(jsonu_str(rp,
						"properties.peeringState"), 32) ?
					   jsonu_str(rp, "properties.peeringState") :
					   "?"))
					return oom();
			} else if (ev_str(res, "remotePeering", "%s", "missing") ||
				   check_data_str(res, "remotePeering", "missing")) {
				return oom();
			}
		}
	}
	res->fix = "peering-recreate";
	if (!bad)
		check_say(res, CHECK_FAIL,
			  _("the cluster's virtual network %s has no peering with %s, where the private endpoint of %s is"),
			  jsonu_id_name(bad_vnet), jsonu_id_name(nv.pe[0].vnet),
			  f->ctx->registry);
	else
		check_say(res, CHECK_FAIL,
			  _("the peering %s from %s to %s (the private endpoint's network) is %s, not Connected"),
			  aks_name_ok(jsonu_str(bad, "name"), 80) ?
			  jsonu_str(bad, "name") : "?", jsonu_id_name(bad_vnet),
			  jsonu_id_name(nv.pe[0].vnet), state);
	return 0;
}

/* ---------- aks.timeout.firewall ---------- */

/* The most specific route of a route table that contains ip. */
static const cJSON *best_route(const cJSON *rt, const char *ip)
{
	const cJSON *r, *best = NULL;
	int best_len = -1;

	cJSON_ArrayForEach(r, jsonu_array(rt, "properties.routes")) {
		const char *pfx = jsonu_str(r, "properties.addressPrefix");
		const char *slash;
		int len;

		if (!pfx || !netrule_ip_in(ip, pfx))
			continue;
		slash = strchr(pfx, '/');
		len = slash ? atoi(slash + 1) : 32;
		if (len > best_len) {
			best_len = len;
			best = r;
		}
	}
	return best;
}

/* The firewall policy a fix adds its rule to: its name and group. */
static int policy_data(struct check_result *res, const char *pid)
{
	char rg[96];

	cJSON_DeleteItemFromObjectCaseSensitive(res->data, "firewallPolicyRg");
	if (!jsonu_id_part(pid, "resourceGroups", rg, sizeof rg) ||
	    !aks_name_ok(rg, 90))
		rg[0] = '\0';
	return check_data_str(res, "firewallPolicy", jsonu_id_name(pid)) ||
	       (rg[0] && check_data_str(res, "firewallPolicyRg", rg));
}

/* The rules of the Azure Firewall at hop, if it is one acr-doctor can
 * read: 1 with fa filled, 0 when they cannot be judged (evidence
 * "firewallRules" says why), AD_ENOMEM. */
static int firewall_rules(struct facts *f, struct check_result *res,
			  const char *hop, const char *src, const char *ip,
			  struct azfw_answer *fa)
{
	struct ad_error err = { 0 };
	char rg[96], login[256], prio[24], chain[400], gname[40];
	cJSON *list;
	const cJSON *fw;
	const char *ids[AZFW_MAX_LAYERS];
	size_t i;
	struct azfw_rules rs;
	struct azfw_flow flow = { src, ip, login, 443 };

	aks_login_server(f, login, sizeof login);
	if (aks_firewalls(f, &list, &err) != 0)
		return ev_str(res, "firewallRules", "not read: %s", err.msg) ?
		       AD_ENOMEM : 0;
	fw = azfw_find(list, hop);
	if (!fw)
		return ev_str(res, "firewallRules",
			      "not read: no Azure Firewall of subscription %s has the address %s (another appliance)",
			      f->ctx->subscription, hop) ? AD_ENOMEM : 0;
	if (!aks_id_ok(jsonu_str(fw, "id")) ||
	    !jsonu_id_part(jsonu_str(fw, "id"), "resourceGroups", rg, sizeof rg) ||
	    !aks_name_ok(rg, 90) || !aks_name_ok(jsonu_str(fw, "name"), 80))
		return ev_str(res, "firewallRules",
			      "not read: the firewall's id is not one acr-doctor can use") ?
		       AD_ENOMEM : 0;
	if (ev_str(res, "firewall", "%s", jsonu_str(fw, "name")) ||
	    check_data_str(res, "firewallName", jsonu_str(fw, "name")) ||
	    check_data_str(res, "firewallRg", rg))
		return AD_ENOMEM;
	/* The policy a new allow goes in: the firewall's own, unless a
	 * rule of an ancestor denies it (whose rules come first, so an
	 * allow below them would never be reached). */
	if (aks_id_ok(jsonu_str(fw, "properties.firewallPolicy.id")) &&
	    policy_data(res, jsonu_str(fw, "properties.firewallPolicy.id")))
		return AD_ENOMEM;
	if (aks_firewall_rules(f, fw, 1, &rs, ids, &err) != 0)
		return ev_str(res, "firewallRules", "not read: %s", err.msg) ?
		       AD_ENOMEM : 0;
	azfw_evaluate(fw, &rs, &flow, fa);
	if (rs.nlayers > 0) {
		size_t at = fa->v == AZFW_DENY && fa->layer < rs.nlayers ?
			    fa->layer : rs.nlayers - 1;
		long p = fa->v == AZFW_DENY ?
			 azfw_free_priority(rs.layers[at], 0,
					    (long)fa->group_priority) :
			 azfw_free_priority(rs.layers[at], 150, 0);

		/* A new group in that policy: a priority and a name no group
		 * there has (before the denying group when one denies), or
		 * no room before it. */
		if (at != rs.nlayers - 1 && policy_data(res, ids[at]))
			return AD_ENOMEM;
		snprintf(prio, sizeof prio, "%ld", p);
		if (check_data_str(res, p > 0 ? "firewallGroupPriority" :
				   "firewallNoRoomBefore", p > 0 ? prio :
				   fa->rule) ||
		    (azfw_free_group_name(rs.layers[at], "aks-to-acr", gname,
					  sizeof gname) == 0 &&
		     check_data_str(res, "firewallGroupName", gname)))
			return AD_ENOMEM;
		/* Which policies were read, the topmost parent first. */
		for (i = 0, chain[0] = '\0'; rs.nlayers > 1 && i < rs.nlayers; i++)
			snprintf(chain + strlen(chain), sizeof chain - strlen(chain),
				 "%s%.80s", i ? " > " : "", rs.names[i]);
		if (chain[0] && ev_str(res, "firewallPolicies", "%s", chain))
			return AD_ENOMEM;
	}
	if (fa->note[0] && ev_str(res, "firewallNote", "%s", fa->note))
		return AD_ENOMEM;
	if (fa->v == AZFW_UNSURE)
		return ev_str(res, "firewallRules", "not judged: %s", fa->why) ?
		       AD_ENOMEM : 0;
	if (ev_str(res, "firewallRules", "%s%s%s", azfw_verdict_str(fa->v),
		   fa->rule[0] ? ": " : "", fa->rule))
		return AD_ENOMEM;
	return 1;
}

/* A network rule that names the registry but cannot match: say so. */
static void skipped_note(struct check_result *res, const struct azfw_answer *fa)
{
	char s[300];

	if (fa->v != AZFW_NO_RULE || !fa->skipped[0])
		return;
	snprintf(s, sizeof s, _("its rule %s names the registry, but Azure Firewall matches names in network rules only with its DNS proxy on, and it is off"),
		 fa->skipped);
	check_say_more(res, s);
}

/* What the rules say, appended to the summary. */
static void rules_note(struct check_result *res, const struct azfw_answer *fa,
		       const char *fw)
{
	char s[400];

	if (fa->v == AZFW_ALLOW)
		snprintf(s, sizeof s, _("the rule %s of firewall %s allows it: look at the return route and the network security groups"),
			 fa->rule, fw);
	else if (fa->v == AZFW_DENY)
		snprintf(s, sizeof s, _("the rule %s of firewall %s denies it"),
			 fa->rule, fw);
	else
		snprintf(s, sizeof s, _("no rule of firewall %s allows it, and Azure Firewall drops what no rule allows"),
			 fw);
	check_say_more(res, s);
	skipped_note(res, fa);
}

static int run_timeout_firewall(struct facts *f, struct check_result *res)
{
	struct netview nv;
	struct ad_error err = { 0 };
	enum probe_tcp tcp;
	const char *ip;
	const cJSON *route = NULL, *via = NULL, *via_subnet = NULL;
	char rtrg[96];
	int i, rc, which;

	check_command(res, "az aks show -g %s -n %s --query \"agentPoolProfiles[].vnetSubnetId\"; az network vnet subnet show --ids <subnet id> --query routeTable.id",
		      f->ctx->resource_group, f->ctx->cluster);
	if ((rc = netview_read(f, &nv, &err)) != 0) {
		check_unknown(res, _("cannot read the registry's private endpoints"),
			      &err);
		return 0;
	}
	if (nv.npe == 0) {
		check_say(res, CHECK_NA,
			  _("registry %s has no approved private endpoint: the cluster does not pull privately"),
			  f->ctx->registry);
		return 0;
	}
	rc = private_path(f, &nv, &which, &err);
	if (rc < 0) {
		check_unknown(res, _("cannot read the virtual network peerings"), &err);
		return 0;
	}
	if (rc == 0) {
		check_say(res, CHECK_NA,
			  _("the cluster has no private path to %s: it pulls over the public endpoint"),
			  f->ctx->registry);
		return 0;
	}
	if (nv.pe[which].nips == 0) {
		check_say(res, CHECK_UNKNOWN,
			  _("the private endpoint %s shows no address for %s"),
			  jsonu_id_name(nv.pe[which].id), nv.login);
		return 0;
	}
	ip = nv.pe[which].ips[0];
	if (ev_str(res, "endpointIp", "%s", ip))
		return oom();
	for (i = 0; i < nv.nsub && !via; i++) {
		cJSON *subnet, *rt;
		const char *rtid;

		if ((rc = arm_get(f, nv.subnets[i], API_NETWORK, &subnet, &err))) {
			check_unknown(res, _("cannot read the cluster's subnet"), &err);
			return 0;
		}
		rtid = jsonu_str(subnet, "properties.routeTable.id");
		if (!aks_id_ok(rtid))
			continue;
		if ((rc = arm_get(f, rtid, API_NETWORK, &rt, &err))) {
			check_unknown(res, _("cannot read the subnet's route table"),
				      &err);
			return 0;
		}
		if (ev_str(res, "routeTable", "%s", jsonu_id_name(rtid)))
			return oom();
		if (jsonu_id_part(rtid, "resourceGroups", rtrg, sizeof rtrg) &&
		    aks_name_ok(rtrg, 90))
			check_command(res, "az network route-table route list -g %s --route-table-name %s -o table",
				      rtrg, jsonu_id_name(rtid));
		route = best_route(rt, ip);
		if (route && jsonu_str(route, "properties.nextHopType") &&
		    strcmp(jsonu_str(route, "properties.nextHopType"),
			   "VirtualAppliance") == 0) {
			via = route;
			via_subnet = subnet;
		}
	}
	if (!via) {
		check_say(res, CHECK_PASS,
			  _("no user-defined route sends the cluster's traffic for %s through a firewall or appliance"),
			  ip);
		return 0;
	}
	{
		const char *pfx = jsonu_str(via, "properties.addressPrefix");
		const char *hop = jsonu_str(via, "properties.nextHopIpAddress");
		const char *spfx = jsonu_str(via_subnet, "properties.addressPrefix");
		const char *fwname = NULL;
		struct azfw_answer fa;
		int judged = 0;

		if (ev_str(res, "route", "%s -> VirtualAppliance %s",
			   netrule_ip_valid(pfx, 1) ? pfx : "?",
			   netrule_ip_valid(hop, 0) ? hop : "?"))
			return oom();
		if ((netrule_ip_valid(hop, 0) &&
		     check_data_str(res, "nextHopIp", hop)) ||
		    check_data_str(res, "endpointIp", ip) ||
		    (netrule_ip_valid(spfx, 1) &&
		     check_data_str(res, "sourcePrefix", spfx)))
			return oom();
		/* The firewall's own rules, when it is an Azure Firewall
		 * whose rules can be read; the node's test decides when
		 * there is one. */
		if (netrule_ip_valid(hop, 0) && netrule_ip_valid(spfx, 1)) {
			judged = firewall_rules(f, res, hop, spfx, ip, &fa);
			if (judged < 0)
				return oom();
			fwname = jsonu_str(res->data, "firewallName");
		}
		{
			struct ad_error terr = { 0 };

			if (aks_node_evidence(f, res, "tcp", ip, 443))
				return oom();
			if (facts_tcp(f, ip, 443, &tcp, &terr) != 0) {
				char shown[201];

				ev_str(res, "nodeTcp443", "%s",
				       tw_clip(shown, sizeof shown, terr.msg));
				if (judged == 1 && fa.v == AZFW_ALLOW) {
					check_say(res, CHECK_PASS,
						  _("traffic to %s goes through firewall %s, whose rule %s allows TCP 443 from %s (no node could test it: %s)"),
						  ip, fwname, fa.rule, spfx, terr.msg);
					return 0;
				}
				if (judged == 1) {
					res->fix = "firewall-rules";
					if (fa.v == AZFW_DENY)
						check_say(res, CHECK_FAIL,
							  _("the route %s sends the cluster's traffic for the private endpoint %s through firewall %s, whose rule %s denies TCP 443 from %s (no node could test it: %s)"),
							  netrule_ip_valid(pfx, 1) ? pfx : "?", ip,
							  fwname, fa.rule, spfx, terr.msg);
					else
						check_say(res, CHECK_FAIL,
							  _("the route %s sends the cluster's traffic for the private endpoint %s through firewall %s, where no rule allows TCP 443 from %s, and Azure Firewall drops what no rule allows (no node could test it: %s)"),
							  netrule_ip_valid(pfx, 1) ? pfx : "?", ip,
							  fwname, spfx, terr.msg);
					skipped_note(res, &fa);
					return 0;
				}
				check_say(res, CHECK_UNKNOWN,
					  _("traffic to %s goes through the appliance %s, and no node could test whether it lets TCP 443 through: %s"),
					  ip, netrule_ip_valid(hop, 0) ? hop : "?",
					  terr.msg);
				return 0;
			}
		}
		if (ev_str(res, "nodeTcp443", "%s %s", ip, probe_tcp_str(tcp)))
			return oom();
		if (tcp == PROBE_TCP_OPEN) {
			check_say(res, CHECK_PASS,
				  _("traffic to %s goes through the appliance %s, which lets TCP 443 through"),
				  ip, netrule_ip_valid(hop, 0) ? hop : "?");
			return 0;
		}
		res->fix = "firewall-rules";
		check_say(res, CHECK_FAIL,
			  _("the route %s sends the cluster's traffic for the private endpoint %s through the appliance %s, and a TCP connection from the node to it on port 443 fails (%s): the firewall's network rules must allow it"),
			  netrule_ip_valid(pfx, 1) ? pfx : "?", ip,
			  netrule_ip_valid(hop, 0) ? hop : "?", probe_tcp_str(tcp));
		if (judged == 1)
			rules_note(res, &fa, fwname);
	}
	return 0;
}

/* ---------- the image, for aks.401-arch, aks.notfound, aks.platform ---------- */

struct img {
	const cJSON *pod;
	char text[IMAGE_REF_MAX];
	char container[64];
	struct image_ref ref;
	char login[256];
	const cJSON *reg;
	int parsed;
	struct ad_error perr;
	struct ad_error poderr;   /* why pod is NULL although one was named */
};

/* 0 with img filled; or a verdict already said (returns 1). */
static int img_read(struct facts *f, struct check_result *res, struct img *im)
{
	struct ad_error err = { 0 };

	memset(im, 0, sizeof *im);
	if (f->ctx->pod[0] && aks_pod(f, &im->pod, &im->poderr) != 0 &&
	    !f->ctx->image[0]) {
		check_unknown(res, _("cannot read the pod"), &im->poderr);
		return 1;
	}
	if (aks_pod_image(f->ctx, im->pod, im->text, sizeof im->text,
			  im->container, sizeof im->container) != 0) {
		check_say(res, CHECK_UNKNOWN,
			  _("no image reference is known: name the pod or the image"));
		return 1;
	}
	im->parsed = image_parse(im->text, &im->ref, &im->perr) == 0;
	err = (struct ad_error){ 0 };
	if (aks_registry(f, &im->reg, im->login, sizeof im->login, &err) != 0) {
		check_unknown(res, _("cannot read the registry"), &err);
		return 1;
	}
	if (im->parsed && ev_str(res, "image", "%s", im->ref.canonical))
		return -1;
	return 0;
}

/* For the platform checks: NA unless the image is this registry's and
 * exists; fills plat.  0 go on, 1 verdict said, -1 oom. */
static int img_platforms(struct facts *f, struct check_result *res,
			 struct img *im, struct image_platforms *plat)
{
	struct ad_error err = { 0 };
	char buf[400];
	long status;

	if (!im->parsed) {
		check_say(res, CHECK_NA, _("the image reference is not valid: %s"),
			  im->perr.msg);
		return 1;
	}
	if (strcasecmp(im->ref.registry, im->login) != 0) {
		check_say(res, CHECK_NA,
			  _("the image comes from %s, not from registry %s (%s)"),
			  im->ref.registry, f->ctx->registry, im->login);
		return 1;
	}
	if (image_platforms(f, im->login, im->ref.repository,
			    image_ref_reference(&im->ref), plat, &status,
			    &err) != 0) {
		check_unknown(res, _("cannot read the image manifest"), &err);
		return 1;
	}
	if (status == 404) {
		check_say(res, CHECK_NA,
			  _("%s does not exist in the registry (see the image-not-found check)"),
			  im->ref.canonical);
		return 1;
	}
	image_platforms_str(plat, buf, sizeof buf);
	if (ev_str(res, "imagePlatforms", "%s", buf))
		return -1;
	if (plat->n == 0) {
		check_say(res, CHECK_UNKNOWN,
			  _("the manifest of %s names no platform"), im->ref.canonical);
		return 1;
	}
	return 0;
}

static const char *label(const cJSON *obj, const char *key)
{
	return jsonu_member_str(jsonu_path(obj, "metadata.labels"), key);
}

/* arm64 VM sizes carry a 'p' in the letters after the vCPU count:
 * Standard_D4ps_v5, Standard_E8pds_v5, Standard_B2pls_v2. */
static const char *arch_of_size(const char *size)
{
	const char *p;

	if (!size || strncasecmp(size, "Standard_", 9) != 0)
		return NULL;
	p = size + 9;
	while (*p && isalpha((unsigned char)*p))
		p++;
	if (!isdigit((unsigned char)*p))
		return NULL;
	while (isdigit((unsigned char)*p))
		p++;
	for (; *p && *p != '_'; p++)
		if (*p == 'p')
			return "arm64";
	return "amd64";
}

static const char *pool_size(const cJSON *cluster, const char *pool)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, jsonu_array(cluster, "properties.agentPoolProfiles"))
		if (pool && jsonu_str(p, "name") &&
		    strcmp(jsonu_str(p, "name"), pool) == 0)
			return jsonu_str(p, "vmSize");
	return NULL;
}

static const char *node_pool(const cJSON *node)
{
	const char *p = label(node, "kubernetes.azure.com/agentpool");

	return p ? p : label(node, "agentpool");
}

/* Does the node carry every label of the selector? */
static int node_matches(const cJSON *node, const cJSON *selector)
{
	const cJSON *kv;

	cJSON_ArrayForEach(kv, selector) {
		const char *v = label(node, kv->string);

		if (!cJSON_IsString(kv) || !v || strcmp(v, kv->valuestring) != 0)
			return 0;
	}
	return 1;
}

static const char *node_os(const cJSON *node)
{
	const char *os = label(node, "kubernetes.io/os");

	if (!os)
		os = label(node, "beta.kubernetes.io/os");
	if (!os)
		os = jsonu_str(node, "status.nodeInfo.operatingSystem");
	return os;
}

/* ---------- aks.401-arch ---------- */

static int run_arch(struct facts *f, struct check_result *res)
{
	struct img im;
	struct image_platforms plat;
	struct ad_error err = { 0 };
	const cJSON *cluster = NULL, *node, *sel;
	const char *sched, *want_arch = NULL, *bad_node = NULL;
	cJSON *nodes;
	int rc, n = 0, considered = 0, mismatch = 0;

	check_command(res, "kubectl get nodes -L kubernetes.io/arch,kubernetes.io/os,agentpool");
	if ((rc = img_read(f, res, &im)) != 0)
		return rc < 0 ? oom() : 0;
	if (im.parsed)
		check_command(res, "az acr manifest show --registry %s --name %s:%s; kubectl get nodes -L kubernetes.io/arch,agentpool",
			      f->ctx->registry, im.ref.repository,
			      image_ref_reference(&im.ref));
	if ((rc = img_platforms(f, res, &im, &plat)) != 0)
		return rc < 0 ? oom() : 0;
	if (!im.pod && f->ctx->pod[0]) {
		check_unknown(res, _("cannot read the pod"), &im.poderr);
		return 0;
	}
	if ((rc = aks_cluster(f, &cluster, &err)) != 0) {
		check_unknown(res, _("cannot read the cluster"), &err);
		return 0;
	}
	if ((rc = kube_get(f, "/api/v1/nodes", &nodes, &err)) != 0) {
		check_unknown(res, _("cannot list the nodes"), &err);
		return 0;
	}
	sched = jsonu_str(im.pod, "spec.nodeName");
	sel = jsonu_path(im.pod, "spec.nodeSelector");
	cJSON_ArrayForEach(node, jsonu_array(nodes, "items")) {
		const char *name = jsonu_str(node, "metadata.name");
		const char *os = node_os(node), *arch = label(node, "kubernetes.io/arch");
		const char *size = pool_size(cluster, node_pool(node));
		char entry[200], shown[104];

		if (++n > MAX_NODES || !name)
			break;
		aks_clean_text(shown, sizeof shown, name);
		if (sched ? strcmp(name, sched) != 0 : !node_matches(node, sel))
			continue;
		if (!arch)
			arch = arch_of_size(size ? size : label(node,
					"node.kubernetes.io/instance-type"));
		snprintf(entry, sizeof entry, "%s %s/%s%s%.40s%s",
			 shown, aks_name_ok(os, 16) ? os : "?",
			 aks_name_ok(arch, 16) ? arch : "?",
			 size ? " (" : "", size && aks_name_ok(size, 40) ? size : "",
			 size ? ")" : "");
		if (ev_list_add(res, "nodes", entry))
			return oom();
		/* A node whose OS the image lacks is aks.platform's case. */
		if (!os || !image_has_platform(&plat, os, NULL) || !arch)
			continue;
		considered++;
		if (!image_has_platform(&plat, os, arch)) {
			mismatch++;
			if (!bad_node) {
				bad_node = name;
				want_arch = arch;
			}
		}
	}
	if (considered == 0) {
		check_say(res, CHECK_NA,
			  sched ? _("the node %s runs an OS the image has no build for (see the platform check)") :
			  _("no node the pod can run on has an OS the image is built for (see the platform check)"),
			  sched ? sched : "");
		return 0;
	}
	if (!mismatch) {
		check_say(res, CHECK_PASS,
			  _("%s is built for the architecture of %s"),
			  im.ref.canonical, sched ? sched : _("the nodes the pod can run on"));
		return 0;
	}
	res->fix = "push-platform";
	if (check_data_str(res, "image", im.ref.canonical) ||
	    check_data_str(res, "arch", aks_name_ok(want_arch, 16) ? want_arch : "amd64") ||
	    check_data_str(res, "repository", im.ref.repository) ||
	    check_data_str(res, "reference", image_ref_reference(&im.ref)) ||
	    check_data_str(res, "loginServer", im.login) ||
	    ev_str(res, "nodeArch", "%s", aks_name_ok(want_arch, 16) ? want_arch : "?"))
		return oom();
	check_say(res, CHECK_FAIL,
		  _("%s is built only for %s, but node %s is %s: the pull fails with 'no match for platform in manifest' (and a 401 from the anonymous retry)"),
		  im.ref.canonical, jsonu_str(res->evidence, "imagePlatforms"),
		  aks_name_ok(bad_node, 100) ? bad_node : "?",
		  aks_name_ok(want_arch, 16) ? want_arch : "?");
	return 0;
}

/* ---------- aks.notfound ---------- */

static int edit_distance(const char *a, const char *b)
{
	int prev[130], cur[130];
	size_t la = strlen(a), lb = strlen(b), i, j;

	if (la > 128 || lb > 128)
		return 1000;
	for (j = 0; j <= lb; j++)
		prev[j] = (int)j;
	for (i = 1; i <= la; i++) {
		cur[0] = (int)i;
		for (j = 1; j <= lb; j++) {
			int d = prev[j - 1] + (a[i - 1] != b[j - 1]);

			if (prev[j] + 1 < d)
				d = prev[j] + 1;
			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			cur[j] = d;
		}
		memcpy(prev, cur, sizeof prev[0] * (lb + 1));
	}
	return prev[lb];
}

/* Between two tags as far from want: the one whose first differing
 * number is nearer (1.4.3 -> 1.4.2 rather than 1.4.1). */
static long number_gap(const char *want, const char *t)
{
	size_t i = 0, j;
	long a = 0, b = 0;

	while (want[i] && want[i] == t[i])
		i++;
	while (i > 0 && isdigit((unsigned char)want[i - 1]))
		i--;
	if (!isdigit((unsigned char)want[i]) || !isdigit((unsigned char)t[i]))
		return 1L << 30;
	for (j = i; isdigit((unsigned char)want[j]) && a < 1000000; j++)
		a = a * 10 + (want[j] - '0');
	for (j = i; isdigit((unsigned char)t[j]) && b < 1000000; j++)
		b = b * 10 + (t[j] - '0');
	return a > b ? a - b : b - a;
}

static int tag_ok(const char *t)
{
	struct image_ref r;
	char buf[200];

	if (!t || strlen(t) > 128)
		return 0;
	snprintf(buf, sizeof buf, "x/y:%s", t);
	return image_parse(buf, &r, NULL) == 0;
}

/* Looks like the registry's name with a wrong suffix or a typo: a host
 * that talks about ACR, or whose first label is the registry's name. */
static int acr_like(const char *host, const char *registry)
{
	size_t n = strlen(registry);

	return contains_ci(host, "azurecr") || contains_ci(host, "azureacr") ||
	       contains_ci(host, "acr.") ||
	       (strncasecmp(host, registry, n) == 0 &&
		(host[n] == '.' || host[n] == ':'));
}

/* The owner, for the fix's kubectl command (best effort). */
static int owner_data(struct facts *f, struct check_result *res,
		      const cJSON *pod)
{
	struct aks_owner o;
	struct ad_error err = { 0 };

	if (!pod || aks_pod_owner(f, pod, &o, &err) != 0)
		return 0;
	if (check_data_str(res, "ownerKind", o.kubectl) ||
	    check_data_str(res, "ownerName", o.name) ||
	    check_data_str(res, "ownerPath", o.path) ||
	    check_data_str(res, "patchable", o.patchable ? "1" : "0") ||
	    (o.tmpl && check_data_str(res, "template", o.tmpl)) ||
	    ev_str(res, "owner", "%s/%s", o.kubectl, o.name))
		return oom();
	return 0;
}

static int run_notfound(struct facts *f, struct check_result *res)
{
	struct img im;
	struct ad_error err = { 0 };
	char correct[IMAGE_REF_MAX];
	const char *closest = NULL;
	const cJSON *t;
	cJSON *tags, *man;
	long status = 0;
	int rc, best = 1000, n = 0;

	check_command(res, "az acr repository show-tags --name %s --repository <repository> -o table",
		      f->ctx->registry);
	if ((rc = img_read(f, res, &im)) != 0)
		return rc < 0 ? oom() : 0;
	if (ev_str(res, "loginServer", "%s", im.login))
		return oom();
	if (!im.parsed) {
		res->fix = "fix-reference";
		if (ev_str(res, "part", "%s", "reference") ||
		    check_data_str(res, "part", "reference") ||
		    owner_data(f, res, im.pod))
			return oom();
		check_say(res, CHECK_FAIL, _("the image reference is not valid: %s"),
			  im.perr.msg);
		return 0;
	}
	check_command(res, "az acr repository show-tags --name %s --repository %s -o table",
		      f->ctx->registry, im.ref.repository);
	if (strcasecmp(im.ref.registry, im.login) != 0) {
		if (im.ref.registry_implicit ||
		    !acr_like(im.ref.registry, f->ctx->registry)) {
			check_say(res, CHECK_NA,
				  _("the image comes from %s, not from registry %s (%s)"),
				  im.ref.registry, f->ctx->registry, im.login);
			return 0;
		}
		snprintf(correct, sizeof correct, "%s/%s%s%s%s%s", im.login,
			 im.ref.repository, im.ref.tag[0] ? ":" : "", im.ref.tag,
			 im.ref.digest[0] ? "@" : "", im.ref.digest);
		res->fix = "fix-reference";
		if (ev_str(res, "part", "%s", "registry") ||
		    ev_str(res, "imageRegistry", "%s", im.ref.registry) ||
		    check_data_str(res, "part", "registry") ||
		    check_data_str(res, "image", im.ref.canonical) ||
		    check_data_str(res, "correct", correct) ||
		    check_data_str(res, "repository", im.ref.repository) ||
		    check_data_str(res, "container", im.container) ||
		    owner_data(f, res, im.pod))
			return oom();
		check_say(res, CHECK_FAIL,
			  _("the image names the registry host %s, but the login server of %s is %s: the pull asks a host that does not exist"),
			  im.ref.registry, f->ctx->registry, im.login);
		return 0;
	}
	rc = reg_tags(f, im.login, im.ref.repository, &status, &tags, &err);
	if (rc != 0) {
		check_unknown(res, _("cannot list the repository's tags"), &err);
		return 0;
	}
	if (status == 404) {
		res->fix = "fix-reference";
		if (ev_str(res, "part", "%s", "repository") ||
		    check_data_str(res, "part", "repository") ||
		    check_data_str(res, "image", im.ref.canonical) ||
		    check_data_str(res, "repository", im.ref.repository) ||
		    check_data_str(res, "container", im.container) ||
		    owner_data(f, res, im.pod))
			return oom();
		check_say(res, CHECK_FAIL,
			  _("the repository %s does not exist in %s (NAME_UNKNOWN)"),
			  im.ref.repository, im.login);
		return 0;
	}
	rc = reg_manifest(f, im.login, im.ref.repository,
			  image_ref_reference(&im.ref), &status, &man, &err);
	if (rc != 0) {
		check_unknown(res, _("cannot read the image manifest"), &err);
		return 0;
	}
	if (status != 404) {
		check_say(res, CHECK_PASS, _("%s exists in %s"), im.ref.canonical,
			  im.login);
		return 0;
	}
	cJSON_ArrayForEach(t, jsonu_array(tags, "tags")) {
		int d;

		if (n >= MAX_TAGS_SCAN)
			break;
		if (!cJSON_IsString(t) || !tag_ok(t->valuestring))
			continue;
		if (n < MAX_TAGS_SHOWN && ev_list_add(res, "tags", t->valuestring))
			return oom();
		n++;
		d = edit_distance(im.ref.tag, t->valuestring);
		if (d < best || (d == best && closest &&
				 number_gap(im.ref.tag, t->valuestring) <
				 number_gap(im.ref.tag, closest))) {
			best = d;
			closest = t->valuestring;
		}
	}
	res->fix = "fix-reference";
	if (ev_str(res, "part", "%s", im.ref.digest[0] ? "digest" : "tag") ||
	    check_data_str(res, "part", im.ref.digest[0] ? "digest" : "tag") ||
	    check_data_str(res, "image", im.ref.canonical) ||
	    check_data_str(res, "repository", im.ref.repository) ||
	    check_data_str(res, "container", im.container) ||
	    owner_data(f, res, im.pod))
		return oom();
	if (closest && !im.ref.digest[0]) {
		snprintf(correct, sizeof correct, "%s/%s:%s", im.login,
			 im.ref.repository, closest);
		if (ev_str(res, "closestTag", "%s", closest) ||
		    check_data_str(res, "closest", closest) ||
		    check_data_str(res, "correct", correct))
			return oom();
		check_say(res, CHECK_FAIL,
			  _("the tag %s does not exist in %s/%s (MANIFEST_UNKNOWN); the closest existing tag is %s"),
			  im.ref.tag, im.login, im.ref.repository, closest);
	} else {
		check_say(res, CHECK_FAIL,
			  ngettext("%s does not exist in %s (MANIFEST_UNKNOWN); the repository has %d tag",
				   "%s does not exist in %s (MANIFEST_UNKNOWN); the repository has %d tags",
				   (unsigned long)n),
			  image_ref_reference(&im.ref), im.ref.repository, n);
	}
	return 0;
}

/* ---------- aks.platform ---------- */

static const char *selector_os(const cJSON *spec)
{
	const cJSON *sel = jsonu_path(spec, "nodeSelector");
	const char *os = jsonu_member_str(sel, "kubernetes.io/os");

	return os ? os : jsonu_member_str(sel, "beta.kubernetes.io/os");
}

static int platform_data(struct check_result *res, const struct aks_owner *o,
			 const char *want)
{
	if (check_data_str(res, "ownerKind", o->kubectl) ||
	    check_data_str(res, "ownerName", o->name) ||
	    check_data_str(res, "ownerPath", o->path) ||
	    check_data_str(res, "template", o->tmpl ? o->tmpl : "") ||
	    check_data_str(res, "patchable", o->patchable ? "1" : "0") ||
	    check_data_str(res, "os", want) ||
	    ev_str(res, "owner", "%s/%s", o->kubectl, o->name) ||
	    ev_str(res, "wantedOs", "%s", want))
		return oom();
	return 0;
}

static int run_platform(struct facts *f, struct check_result *res)
{
	struct img im;
	struct image_platforms plat;
	struct aks_owner o;
	struct ad_error err = { 0 };
	const cJSON *node, *spec;
	const char *sched, *os, *want = NULL, *bad_node = NULL, *bad_os = NULL;
	cJSON *nodes;
	int rc, i, n = 0;

	check_command(res, "kubectl get nodes -L kubernetes.io/os; kubectl get pod %s -n %s -o wide",
		      f->ctx->pod, f->ctx->namespace_);
	if ((rc = img_read(f, res, &im)) != 0)
		return rc < 0 ? oom() : 0;
	if ((rc = img_platforms(f, res, &im, &plat)) != 0)
		return rc < 0 ? oom() : 0;
	if (!im.pod && f->ctx->pod[0]) {
		check_unknown(res, _("cannot read the pod"), &im.poderr);
		return 0;
	}
	if (!im.pod) {
		check_say(res, CHECK_NA, _("no failing pod was named: there is no node to compare with"));
		return 0;
	}
	if ((rc = kube_get(f, "/api/v1/nodes", &nodes, &err)) != 0) {
		check_unknown(res, _("cannot list the nodes"), &err);
		return 0;
	}
	if ((rc = aks_pod_owner(f, im.pod, &o, &err)) != 0) {
		check_unknown(res, _("cannot read the pod's owner"), &err);
		return 0;
	}
	/* The OS the image has that the cluster runs (linux first). */
	for (i = 0; i < plat.n && !want; i++)
		cJSON_ArrayForEach(node, jsonu_array(nodes, "items"))
			if (node_os(node) && strcasecmp(node_os(node), plat.p[i].os) == 0)
				want = plat.p[i].os;
	if (!want)
		want = plat.p[0].os;
	if (image_has_platform(&plat, "linux", NULL))
		want = "linux";
	spec = aks_owner_spec(&o, im.pod);
	os = selector_os(spec);
	if (!os && o.obj)
		os = selector_os(jsonu_path(im.pod, "spec"));
	if (os) {
		if (ev_str(res, "nodeSelector", "kubernetes.io/os=%s",
			   aks_name_ok(os, 16) ? os : "?"))
			return oom();
		if (image_has_platform(&plat, os, NULL)) {
			check_say(res, CHECK_PASS,
				  _("%s/%s selects kubernetes.io/os=%s nodes, and %s is built for %s"),
				  o.kubectl, o.name, os, im.ref.canonical, os);
			return 0;
		}
		res->fix = "node-selector";
		if (platform_data(res, &o, want))
			return oom();
		check_say(res, CHECK_FAIL,
			  _("%s/%s selects kubernetes.io/os=%s nodes, but %s is built only for %s"),
			  o.kubectl, o.name, aks_name_ok(os, 16) ? os : "?",
			  im.ref.canonical, jsonu_str(res->evidence, "imagePlatforms"));
		return 0;
	}
	sched = jsonu_str(im.pod, "spec.nodeName");
	cJSON_ArrayForEach(node, jsonu_array(nodes, "items")) {
		const char *name = jsonu_str(node, "metadata.name");
		const char *nos = node_os(node);

		if (++n > MAX_NODES || !name)
			break;
		if (sched ? strcmp(name, sched) != 0 :
		    !node_matches(node, jsonu_path(im.pod, "spec.nodeSelector")))
			continue;
		if (sched && ev_str(res, "node", "%s",
				    aks_name_ok(name, 100) ? name : "?"))
			return oom();
		if (ev_list_add(res, "nodeOs", nos && aks_name_ok(nos, 16) ? nos : "?"))
			return oom();
		if (nos && !image_has_platform(&plat, nos, NULL) && !bad_node) {
			bad_node = name;
			bad_os = nos;
		}
	}
	if (!bad_node) {
		if (sched)
			check_say(res, CHECK_PASS,
				  _("%s is built for the OS of node %s"),
				  im.ref.canonical, sched);
		else
			check_say(res, CHECK_PASS,
				  _("%s is built for the OS of every node the pod can run on"),
				  im.ref.canonical);
		return 0;
	}
	res->fix = "node-selector";
	if (platform_data(res, &o, want))
		return oom();
	check_say(res, CHECK_FAIL,
		  sched ? _("pod %s runs on %s node %s, but %s is built only for %s: set nodeSelector kubernetes.io/os=%s on %s/%s") :
		  _("pod %s can be scheduled on %s node %s, but %s is built only for %s: set nodeSelector kubernetes.io/os=%s on %s/%s"),
		  f->ctx->pod, aks_name_ok(bad_os, 16) ? bad_os : "?",
		  aks_name_ok(bad_node, 100) ? bad_node : "?", im.ref.canonical,
		  jsonu_str(res->evidence, "imagePlatforms"), want, o.kubectl,
		  o.name);
	return 0;
}

/* ---------- aks.qps ---------- */

/* The container's pull policy, with the API server's default. */
static const char *pull_policy(const cJSON *c)
{
	const char *p = jsonu_str(c, "imagePullPolicy");
	struct image_ref r;

	if (p)
		return p;
	if (!jsonu_str(c, "image") ||
	    image_parse(jsonu_str(c, "image"), &r, NULL) != 0)
		return "IfNotPresent";
	return r.tag_implicit || strcmp(r.tag, "latest") == 0 ? "Always" :
	       "IfNotPresent";
}

static int run_qps(struct facts *f, struct check_result *res)
{
	const cJSON *events, *ev, *pod, *spec, *c;
	struct aks_owner o;
	struct ad_error err = { 0 };
	static const char *const lists[] = { "initContainers", "containers" };
	int own = 0, all = 0, nalways = 0, seen = 0, k;
	cJSON *names;

	check_command(res, "kubectl get events -n %s --field-selector reason=Failed | grep -i \"pull QPS exceeded\"",
		      f->ctx->namespace_);
	if (!f->ctx->pod[0]) {
		check_say(res, CHECK_NA, _("no failing pod was named"));
		return 0;
	}
	if (aks_events(f, &events, &err) != 0) {
		check_unknown(res, _("cannot read the namespace's events"), &err);
		return 0;
	}
	cJSON_ArrayForEach(ev, jsonu_array(events, "items")) {
		const char *msg = jsonu_str(ev, "message");
		const char *who = jsonu_str(ev, "involvedObject.name");

		if (++seen > 5000)
			break;
		if (!msg || !contains_ci(msg, "pull QPS exceeded"))
			continue;
		all++;
		if (who && strcmp(who, f->ctx->pod) == 0)
			own++;
	}
	if (ev_num(res, "qpsEventsPod", own) ||
	    ev_num(res, "qpsEventsNamespace", all))
		return oom();
	if (all == 0) {
		check_say(res, CHECK_PASS,
			  _("no 'pull QPS exceeded' event in namespace %s"),
			  f->ctx->namespace_);
		return 0;
	}
	if (aks_pod(f, &pod, &err) != 0) {
		check_unknown(res, _("cannot read the pod"), &err);
		return 0;
	}
	if (aks_pod_owner(f, pod, &o, &err) != 0) {
		check_unknown(res, _("cannot read the pod's owner"), &err);
		return 0;
	}
	spec = aks_owner_spec(&o, pod);
	if (ev_str(res, "owner", "%s/%s", o.kubectl, o.name))
		return oom();
	check_command(res, "kubectl get %s %s -n %s -o jsonpath='{..imagePullPolicy}'",
		      o.kubectl, o.name, f->ctx->namespace_);
	names = cJSON_CreateArray();
	if (!names)
		return oom();
	/* Init containers pull at every start of a pod too (their names
	 * are unique among the pod's containers). */
	for (k = 0; k < 2; k++)
		cJSON_ArrayForEach(c, jsonu_array(spec, lists[k])) {
			const char *name = jsonu_str(c, "name");
			const char *pol = pull_policy(c);
			char entry[160];

			if (!aks_name_ok(name, 63))
				continue;
			snprintf(entry, sizeof entry, "%s=%s", name,
				 aks_name_ok(pol, 16) ? pol : "?");
			if (ev_list_add(res, "imagePullPolicy", entry)) {
				cJSON_Delete(names);
				return oom();
			}
			if (strcmp(pol, "Always") == 0) {
				nalways++;
				cJSON_AddItemToArray(names,
						     cJSON_CreateString(name));
			}
		}
	if (nalways == 0) {
		cJSON_Delete(names);
		check_say(res, CHECK_PASS,
			  ngettext("%d 'pull QPS exceeded' event in %s, but %s/%s no longer pulls with imagePullPolicy Always: images already on a node are not pulled again",
				   "%d 'pull QPS exceeded' events in %s, but %s/%s no longer pulls with imagePullPolicy Always: images already on a node are not pulled again",
				   (unsigned long)all),
			  all, f->ctx->namespace_, o.kubectl, o.name);
		return 0;
	}
	cJSON_AddItemToObject(res->data, "containers", names);
	res->fix = "pull-policy";
	if (check_data_str(res, "ownerKind", o.kubectl) ||
	    check_data_str(res, "ownerName", o.name) ||
	    check_data_str(res, "ownerPath", o.path) ||
	    check_data_str(res, "template", o.tmpl ? o.tmpl : "") ||
	    check_data_str(res, "patchable", o.patchable ? "1" : "0"))
		return oom();
	check_say(res, CHECK_FAIL,
		  ngettext("the kubelet refused pulls with 'pull QPS exceeded' %d time in %s (%d for this pod), and %s/%s pulls with imagePullPolicy Always, so every pod pulls again",
			   "the kubelet refused pulls with 'pull QPS exceeded' %d times in %s (%d for this pod), and %s/%s pulls with imagePullPolicy Always, so every pod pulls again",
			   (unsigned long)all),
		  all, f->ctx->namespace_, own, o.kubectl, o.name);
	return 0;
}

const struct check_def check_group_aks_net[] = {
	{ "aks.401-arch", "aks.401-arch",
	  N_("The image is built for the nodes' CPU architecture"),
	  CHECK_AKS, run_arch },
	{ "aks.notfound", "aks.notfound",
	  N_("The image reference exists: login server, repository and tag"),
	  CHECK_AKS, run_notfound },
	{ "aks.403.dns-link", "aks.403",
	  N_("The cluster's virtual network is linked to the registry's private DNS zone"),
	  CHECK_AKS, run_dns_link },
	{ "aks.403.firewall", "aks.403",
	  N_("The registry firewall allows the cluster's outbound IP"),
	  CHECK_AKS, run_firewall },
	{ "aks.timeout.peering", "aks.timeout",
	  N_("The virtual network peering to the private endpoint is Connected"),
	  CHECK_AKS, run_peering },
	{ "aks.timeout.firewall", "aks.timeout",
	  N_("No firewall on the route drops traffic to the private endpoint"),
	  CHECK_AKS, run_timeout_firewall },
	{ "aks.platform", "aks.platform",
	  N_("The image is built for the OS of the pod's nodes"),
	  CHECK_AKS, run_platform },
	{ "aks.qps", "aks.qps",
	  N_("The kubelet is not throttling pulls (pull QPS)"),
	  CHECK_AKS, run_qps },
};
const size_t check_group_aks_net_n =
	sizeof check_group_aks_net / sizeof check_group_aks_net[0];
