/* aks_auth.c - the checks of cause 1a, 401 Unauthorized because of wrong
 * authorization (aks.401.*).
 *
 * The cluster pulls with its kubelet identity (managed-identity
 * cluster: servicePrincipalProfile.clientId is "msi") or with its service
 * principal, or the pod brings an image pull secret.  The Azure way is a
 * pull-capable role assignment on the registry for the cluster's
 * identity (acrpull, sp-expired, sp-mismatch, kubelet-vmss); the
 * Kubernetes way is a dockerconfigjson secret made from a service
 * principal (secret-sp) or from the registry's admin user
 * (secret-admin).  Passwords read from pull secrets and from
 * listCredentials are compared in memory, wiped, and never copied into a
 * result. */
#include "config.h"
#include "checks/groups.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "checks/aks_common.h"
#include "checks/image.h"
#include "checks/roles.h"
#include "context.h"
#include "err.h"
#include "facts.h"
#include "i18n.h"
#include "jsonu.h"
#include "textw.h"

#define MAX_PULL_SECRETS 8        /* imagePullSecrets looked at */
#define MAX_DOCKERCONFIG 65536    /* decoded .dockerconfigjson bytes */
#define MAX_VMSS 64               /* scale sets looked at */
#define REGEN_OP "Regenerate Container Registry Login Credentials"
#define REGEN_ACTION "Microsoft.ContainerRegistry/registries/regenerateCredential/action"
#define ACTIVITY_DAYS 90

/* ---------- small helpers ---------- */

static void clean(char *dst, size_t len, const char *src)
{
	/* valid UTF-8, cut on a character boundary */
	tw_clean_copy(dst, len, src);
}


/* Overwrite memory that held a secret (not optimised away). */
static void wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n--)
		*v++ = 0;
}

static void wipe_tree(cJSON *j)
{
	cJSON *it;

	if (!j)
		return;
	if (cJSON_IsString(j) && j->valuestring)
		wipe(j->valuestring, strlen(j->valuestring));
	for (it = j->child; it; it = it->next)
		wipe_tree(it);
}

static int oom(struct check_result *res)
{
	(void)res;
	return AD_ENOMEM;
}

/* ---------- bounded base64 ---------- */

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* Decode standard or URL-safe base64 (padding optional, whitespace
 * skipped) into out (at most cap bytes, NUL added).  Length or -1. */
static long b64_decode(const char *in, unsigned char *out, size_t cap)
{
	unsigned long acc = 0;
	size_t n = 0;
	int bits = 0, pad = 0, v;

	for (; *in; in++) {
		if (isspace((unsigned char)*in))
			continue;
		if (*in == '=') {
			pad++;
			continue;
		}
		if (pad || (v = b64val((unsigned char)*in)) < 0)
			return -1;
		acc = (acc << 6 | (unsigned long)v) & 0xffffffUL;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n + 1 >= cap)
				return -1;
			out[n++] = (unsigned char)(acc >> bits & 0xff);
		}
	}
	if (pad > 2 || bits >= 6)
		return -1;
	out[n] = '\0';
	return (long)n;
}

/* ---------- the cluster ---------- */

struct cluster {
	const cJSON *json;
	int msi;                       /* managed identity cluster */
	const char *sp_client;         /* service principal appId */
	const char *kubelet_object;    /* kubelet identity */
	const char *kubelet_client;
	const char *kubelet_rid;
	const char *node_rg;
};

static int read_cluster(struct facts *f, struct cluster *c,
			struct ad_error *err)
{
	char id[512];
	const char *cid, *type;
	cJSON *j;
	int rc;

	memset(c, 0, sizeof *c);
	facts_cluster_id(f, id, sizeof id);
	rc = arm_get(f, id, API_AKS, &j, err);
	if (rc != 0)
		return rc;
	c->json = j;
	cid = jsonu_str(j, "properties.servicePrincipalProfile.clientId");
	type = jsonu_str(j, "identity.type");
	if ((cid && strcasecmp(cid, "msi") == 0) ||
	    (!cid && type && strstr(type, "Assigned"))) {
		c->msi = 1;
	} else if (ctx_is_guid(cid)) {
		c->sp_client = cid;
	} else {
		return ad_error_set(err, AD_EPARSE,
			_("the cluster's servicePrincipalProfile.clientId is neither \"msi\" nor an application id"));
	}
	c->kubelet_object = jsonu_str(j, "properties.identityProfile.kubeletidentity.objectId");
	c->kubelet_client = jsonu_str(j, "properties.identityProfile.kubeletidentity.clientId");
	c->kubelet_rid = jsonu_str(j, "properties.identityProfile.kubeletidentity.resourceId");
	if (!ctx_is_guid(c->kubelet_object))
		c->kubelet_object = NULL;
	if (!ctx_is_guid(c->kubelet_client))
		c->kubelet_client = NULL;
	if (c->kubelet_rid && (strlen(c->kubelet_rid) > 400 ||
			       c->kubelet_rid[0] != '/'))
		c->kubelet_rid = NULL;
	c->node_rg = jsonu_str(j, "properties.nodeResourceGroup");
	if (c->node_rg && !aks_name_ok(c->node_rg, 90) &&
	    ctx_valid_azure_name("nodeResourceGroup", c->node_rg, NULL) != 0)
		c->node_rg = NULL;
	return 0;
}

/* Object id of the service principal of application app_id. */
static int sp_object_id(struct facts *f, const char *app_id,
			const char **out, struct ad_error *err)
{
	char path[128];
	cJSON *j;
	int rc;

	snprintf(path, sizeof path, "/v1.0/servicePrincipals(appId='%s')",
		 app_id);
	rc = graph_get(f, path, &j, err);
	if (rc != 0)
		return rc;
	*out = jsonu_str(j, "id");
	if (!ctx_is_guid(*out))
		return ad_error_set(err, AD_EPARSE,
			_("the service principal of application %s has no valid object id"),
			app_id);
	return 0;
}

static void login_server(struct facts *f, char *buf, size_t len)
{
	char id[512];
	cJSON *reg;
	struct ad_error err = { 0 };
	const char *ls = NULL;

	facts_registry_id(f, id, sizeof id);
	if (arm_get(f, id, API_ACR, &reg, &err) == 0)
		ls = jsonu_str(reg, "properties.loginServer");
	if (ls && strlen(ls) < len && strlen(ls) < 256 &&
	    strspn(ls, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") ==
	    strlen(ls))
		snprintf(buf, len, "%s", ls);
	else
		ctx_login_server(f->ctx, buf, (unsigned)len);
}

/* ---------- the current time ---------- */

static int get_now(struct check_result *res, time_t *now)
{
	char buf[48];
	struct ad_error err = { 0 };

	if (ad_now(now) != 0) {
		ad_error_set(&err, AD_EINVAL, _("ACR_DOCTOR_NOW is not an ISO 8601 time"));
		check_unknown(res, _("cannot tell the current time"), &err);
		return 1;
	}
	aks_format_time(*now, buf, sizeof buf);
	return ev_str(res, "now", "%s", buf) ? AD_ENOMEM : 0;
}

static void pull_repo(struct facts *f, const char *login, char *repo,
		      size_t len);
static int anonymous_evidence(struct facts *f, struct check_result *res,
			      const char *login, const char *repo);

/* ---------- aks.401.acrpull ---------- */

static int run_acrpull(struct facts *f, struct check_result *res)
{
	struct cluster c;
	struct ad_error err = { 0 };
	char regid[512], who[128];
	const char *principal, *client;
	int rc, found = 0, seen;

	facts_registry_id(f, regid, sizeof regid);
	check_command(res, "az role assignment list --scope %s -o table", regid);
	if (read_cluster(f, &c, &err) != 0) {
		check_unknown(res, _("cannot read the cluster"), &err);
		return 0;
	}
	if (c.msi) {
		if (!c.kubelet_object) {
			check_say(res, CHECK_UNKNOWN,
				  _("the managed-identity cluster %s shows no kubelet identity (identityProfile.kubeletidentity)"),
				  f->ctx->cluster);
			return 0;
		}
		principal = c.kubelet_object;
		client = c.kubelet_client ? c.kubelet_client : principal;
		snprintf(who, sizeof who, _("kubelet identity %s"), client);
		if (ev_str(res, "identity", "%s", "kubelet identity"))
			return oom(res);
	} else {
		client = c.sp_client;
		if (sp_object_id(f, c.sp_client, &principal, &err) != 0) {
			check_unknown(res, _("cannot find the cluster's service principal in Microsoft Graph"),
				      &err);
			return 0;
		}
		snprintf(who, sizeof who, _("service principal %s"), client);
		if (ev_str(res, "identity", "%s", "service principal"))
			return oom(res);
	}
	if (ev_str(res, "clientId", "%s", client) ||
	    ev_str(res, "principalId", "%s", principal) ||
	    ev_str(res, "registryId", "%s", regid) ||
	    check_data_str(res, "principalId", principal) ||
	    check_data_str(res, "principalType", "ServicePrincipal") ||
	    check_data_str(res, "clientId", client) ||
	    check_data_str(res, "registryId", regid))
		return oom(res);
	rc = roles_principal_can_pull(f, regid, principal, res, &found, &err);
	if (rc == AD_ENOMEM)
		return rc;
	if (rc != 0) {
		check_unknown(res, _("cannot read the registry's role assignments"),
			      &err);
		return 0;
	}
	seen = (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(
		res->evidence, "assignmentsSeen"));
	/* What kubelet tries before any credential: with anonymous pull
	 * on, a 401 is not about the role. */
	{
		char login[256], repo[256];

		login_server(f, login, sizeof login);
		pull_repo(f, login, repo, sizeof repo);
		if (anonymous_evidence(f, res, login, repo))
			return oom(res);
	}
	if (found) {
		check_say(res, CHECK_PASS,
			  _("%s of %s has a pull-capable role on %s"), who,
			  f->ctx->cluster, f->ctx->registry);
		return 0;
	}
	res->fix = "attach-acr";
	check_say(res, CHECK_FAIL,
		  ngettext("%s has no AcrPull on %s (%d assignment at the registry's scopes, none pull-capable for it)",
			   "%s has no AcrPull on %s (%d assignments at the registry's scopes, none pull-capable for it)",
			   (unsigned long)seen),
		  who, f->ctx->registry, seen);
	return 0;
}

/* ---------- aks.401.sp-expired ---------- */

static int run_sp_expired(struct facts *f, struct check_result *res)
{
	struct cluster c;
	struct ad_error err = { 0 };
	struct aks_cred_count cc = { 0 };
	char path[128];
	cJSON *app;
	time_t now;
	int rc;

	if (read_cluster(f, &c, &err) != 0) {
		check_unknown(res, _("cannot read the cluster"), &err);
		return 0;
	}
	if (c.msi) {
		check_say(res, CHECK_NA,
			  _("%s uses a managed identity, not a service principal"),
			  f->ctx->cluster);
		return 0;
	}
	check_command(res,
		"az ad app credential list --id %s --query \"[].endDateTime\" -o tsv",
		c.sp_client);
	if (ev_str(res, "clientId", "%s", c.sp_client) ||
	    check_data_str(res, "clientId", c.sp_client))
		return oom(res);
	if ((rc = get_now(res, &now)) != 0)
		return rc > 0 ? 0 : rc;
	snprintf(path, sizeof path, "/v1.0/applications(appId='%s')",
		 c.sp_client);
	if (graph_get(f, path, &app, &err) != 0) {
		check_unknown(res, _("cannot read the cluster's service principal application in Microsoft Graph"),
			      &err);
		return 0;
	}
	if (aks_count_creds(app, now, res, "credentialEndDates", &cc))
		return oom(res);
	if (ev_num(res, "validCredentials", cc.valid) ||
	    ev_num(res, "expiredCredentials", cc.expired))
		return oom(res);
	if (cc.valid > 0) {
		check_say(res, CHECK_PASS,
			  ngettext("the service principal %s of %s has %d valid client secret, valid until %s",
				   "the service principal %s of %s has %d valid client secrets, the latest until %s",
				   (unsigned long)cc.valid),
			  c.sp_client, f->ctx->cluster, cc.valid, cc.latest);
		return 0;
	}
	if (cc.unreadable > 0) {
		check_say(res, CHECK_UNKNOWN,
			  ngettext("the end date of %d client secret of %s cannot be read",
				   "the end dates of %d client secrets of %s cannot be read",
				   (unsigned long)cc.unreadable),
			  cc.unreadable, c.sp_client);
		return 0;
	}
	res->fix = "sp-renew";
	if (cc.total == 0)
		check_say(res, CHECK_FAIL,
			  _("the service principal %s of %s has no client secret at all"),
			  c.sp_client, f->ctx->cluster);
	else
		check_say(res, CHECK_FAIL,
			  _("every client secret of the service principal %s of %s has expired (the last on %s)"),
			  c.sp_client, f->ctx->cluster, cc.latest);
	return 0;
}

/* ---------- aks.401.sp-mismatch ---------- */

static int run_sp_mismatch(struct facts *f, struct check_result *res)
{
	struct cluster c;
	struct ad_error err = { 0 };
	char regid[512];
	const char *principal;
	cJSON *pulls = NULL;
	const cJSON *it;
	int others = 0, mine = 0;

	if (read_cluster(f, &c, &err) != 0) {
		check_unknown(res, _("cannot read the cluster"), &err);
		return 0;
	}
	if (c.msi) {
		check_say(res, CHECK_NA,
			  _("%s uses a managed identity, not a service principal"),
			  f->ctx->cluster);
		return 0;
	}
	facts_registry_id(f, regid, sizeof regid);
	check_command(res, "az role assignment list --scope %s -o table", regid);
	if (sp_object_id(f, c.sp_client, &principal, &err) != 0) {
		check_unknown(res, _("cannot find the cluster's service principal in Microsoft Graph"),
			      &err);
		return 0;
	}
	if (ev_str(res, "clientId", "%s", c.sp_client) ||
	    ev_str(res, "principalId", "%s", principal) ||
	    check_data_str(res, "principalId", principal) ||
	    check_data_str(res, "principalType", "ServicePrincipal") ||
	    check_data_str(res, "clientId", c.sp_client) ||
	    check_data_str(res, "registryId", regid))
		return oom(res);
	if (roles_pull_principals(f, regid, &pulls, &err) != 0) {
		if (err.code == AD_ENOMEM)
			return AD_ENOMEM;
		check_unknown(res, _("cannot read the registry's role assignments"),
			      &err);
		return 0;
	}
	cJSON_ArrayForEach(it, pulls) {
		const char *pid = jsonu_str(it, "principalId");
		const char *type = jsonu_str(it, "principalType");

		if (pid && strcasecmp(pid, principal) == 0) {
			mine++;
		} else if (type && strcmp(type, "ServicePrincipal") == 0) {
			char line[128];

			others++;
			char role[61];

			snprintf(line, sizeof line, "%s (%s)", pid,
				 tw_clip(role, sizeof role, jsonu_str(it, "role") ?
					 jsonu_str(it, "role") : "?"));
			if (others <= 20 &&
			    ev_list_add(res, "otherPullPrincipals", line)) {
				cJSON_Delete(pulls);
				return AD_ENOMEM;
			}
		}
	}
	cJSON_Delete(pulls);
	if (mine) {
		check_say(res, CHECK_PASS,
			  _("the pull role on %s belongs to the cluster's current service principal %s"),
			  f->ctx->registry, c.sp_client);
		return 0;
	}
	if (!others) {
		check_say(res, CHECK_PASS,
			  _("no pull role on %s points at another service principal (that %s has none is aks.401.acrpull's finding)"),
			  f->ctx->registry, c.sp_client);
		return 0;
	}
	res->fix = "attach-acr";
	check_say(res, CHECK_FAIL,
		  ngettext("the cluster's service principal %s (object %s) has no pull role on %s, but %d other service principal does: the assignment probably still points at a previous service principal",
			   "the cluster's service principal %s (object %s) has no pull role on %s, but %d other service principals do: the assignment probably still points at a previous service principal",
			   (unsigned long)others),
		  c.sp_client, principal, f->ctx->registry, others);
	return 0;
}

/* ---------- aks.401.kubelet-vmss ---------- */

static int run_kubelet_vmss(struct facts *f, struct check_result *res)
{
	struct cluster c;
	struct ad_error err = { 0 };
	char path[512], name[128], first_missing[128] = "", first[128] = "";
	cJSON *list;
	const cJSON *vmss;
	int n = 0, missing = 0;

	if (read_cluster(f, &c, &err) != 0) {
		check_unknown(res, _("cannot read the cluster"), &err);
		return 0;
	}
	if (!c.msi) {
		check_say(res, CHECK_NA,
			  _("%s uses a service principal: there is no kubelet identity on its scale sets"),
			  f->ctx->cluster);
		return 0;
	}
	if (!c.kubelet_rid) {
		check_say(res, CHECK_NA,
			  _("%s shows no kubelet identity (identityProfile.kubeletidentity.resourceId)"),
			  f->ctx->cluster);
		return 0;
	}
	if (!c.node_rg) {
		check_say(res, CHECK_UNKNOWN,
			  _("%s shows no usable node resource group"), f->ctx->cluster);
		return 0;
	}
	if (ev_str(res, "kubeletIdentity", "%s", c.kubelet_rid) ||
	    ev_str(res, "nodeResourceGroup", "%s", c.node_rg) ||
	    check_data_str(res, "nodeResourceGroup", c.node_rg) ||
	    check_data_str(res, "kubeletIdentity", c.kubelet_rid))
		return oom(res);
	check_command(res,
		"az aks show -g %s -n %s --query identityProfile.kubeletidentity",
		f->ctx->resource_group, f->ctx->cluster);
	snprintf(path, sizeof path,
		 "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Compute/virtualMachineScaleSets",
		 f->ctx->subscription, c.node_rg);
	if (arm_list(f, path, API_COMPUTE, &list, &err) != 0) {
		check_unknown(res, _("cannot list the scale sets of the node resource group"),
			      &err);
		return 0;
	}
	cJSON_ArrayForEach(vmss, jsonu_array(list, "value")) {
		const cJSON *uai = jsonu_path(vmss, "identity.userAssignedIdentities");

		if (n >= MAX_VMSS)
			break;
		n++;
		clean(name, sizeof name, jsonu_str(vmss, "name") ?
		      jsonu_str(vmss, "name") : "?");
		if (!first[0])
			snprintf(first, sizeof first, "%s", name);
		if (ev_list_add(res, "scaleSets", name))
			return oom(res);
		if (!jsonu_get_ci(uai, c.kubelet_rid)) {
			missing++;
			if (!first_missing[0])
				snprintf(first_missing, sizeof first_missing, "%s", name);
			if (ev_list_add(res, "missingOn", name))
				return oom(res);
		}
	}
	if (n == 0) {
		check_say(res, CHECK_NA,
			  _("there are no virtual machine scale sets in %s"), c.node_rg);
		return 0;
	}
	if (aks_name_ok(missing ? first_missing : first, 80) &&
	    aks_name_ok(c.node_rg, 90))
		check_command(res, "az vmss identity show -g %s -n %s",
			      c.node_rg, missing ? first_missing : first);
	if (!missing) {
		check_say(res, CHECK_PASS,
			  ngettext("the kubelet identity %s is assigned to the %d scale set in %s",
				   "the kubelet identity %s is assigned to all %d scale sets in %s",
				   (unsigned long)n),
			  jsonu_id_name(c.kubelet_rid), n, c.node_rg);
		return 0;
	}
	res->fix = "reconcile";
	check_say(res, CHECK_FAIL,
		  ngettext("the kubelet identity %s was removed from %d of %d scale set in %s (first: %s): nodes there cannot pull",
			   "the kubelet identity %s was removed from %d of %d scale sets in %s (first: %s): nodes there cannot pull",
			   (unsigned long)n),
		  jsonu_id_name(c.kubelet_rid), missing, n, c.node_rg,
		  first_missing);
	return 0;
}

/* ---------- image pull secrets ---------- */

struct pull_cred {
	char secret[254];    /* Kubernetes secret name */
	char username[256];
	char password[512];  /* compared, wiped, never shown */
};

/* Host of a dockerconfig auths key ("https://x.azurecr.io/v1/" -> x...). */
static int auth_key_matches(const char *key, const char *login)
{
	const char *p = key, *e;
	size_t n;

	if (strncasecmp(p, "https://", 8) == 0)
		p += 8;
	else if (strncasecmp(p, "http://", 7) == 0)
		p += 7;
	e = p + strcspn(p, "/");
	n = (size_t)(e - p);
	if (n > 4 && strncmp(e - 4, ":443", 4) == 0)
		n -= 4;
	return n == strlen(login) && strncasecmp(p, login, n) == 0;
}

/* Fill cred from one auths entry (username/password, or auth). */
static int cred_from_entry(const cJSON *entry, struct pull_cred *cred)
{
	const char *u = jsonu_str(entry, "username");
	const char *pw = jsonu_str(entry, "password");
	const char *auth = jsonu_str(entry, "auth");

	if (u && pw && strlen(u) < sizeof cred->username &&
	    strlen(pw) < sizeof cred->password) {
		snprintf(cred->username, sizeof cred->username, "%s", u);
		snprintf(cred->password, sizeof cred->password, "%s", pw);
		return 0;
	}
	if (auth && strlen(auth) < 2048) {
		unsigned char buf[1100];
		long n = b64_decode(auth, buf, sizeof buf);
		char *colon;
		int rc = -1;

		if (n > 0 && (colon = memchr(buf, ':', (size_t)n)) &&
		    strlen((char *)buf) == (size_t)n) {
			*colon = '\0';
			size_t ul = strlen((char *)buf), pl = strlen(colon + 1);

			if (ul < sizeof cred->username &&
			    pl < sizeof cred->password) {
				memcpy(cred->username, buf, ul + 1);
				memcpy(cred->password, colon + 1, pl + 1);
				rc = 0;
			}
		}
		wipe(buf, sizeof buf);
		return rc;
	}
	return -1;
}

/* The credential for login in one secret; 1 found, 0 none, <0 error. */
static int secret_cred(const cJSON *secret, const char *login,
		       struct pull_cred *cred, struct ad_error *err)
{
	const char *type = jsonu_str(secret, "type");
	const cJSON *data = jsonu_path(secret, "data");
	const char *raw;
	const cJSON *auths, *it;
	unsigned char *buf;
	cJSON *cfg;
	long n;
	int found = 0, legacy = 0;

	if (type && strcmp(type, "kubernetes.io/dockerconfigjson") == 0) {
		raw = jsonu_member_str(data, ".dockerconfigjson");
	} else if (type && strcmp(type, "kubernetes.io/dockercfg") == 0) {
		raw = jsonu_member_str(data, ".dockercfg");
		legacy = 1;
	} else {
		return 0;
	}
	if (!raw)
		return ad_error_set(err, AD_EPARSE,
			_("the pull secret %s has no registry configuration"),
			cred->secret);
	if (strlen(raw) > MAX_DOCKERCONFIG * 4 / 3 + 8)
		return ad_error_set(err, AD_EPARSE,
			_("the pull secret %s is too large"), cred->secret);
	buf = malloc(MAX_DOCKERCONFIG + 1);
	if (!buf)
		return ad_error_set(err, AD_ENOMEM, _("out of memory"));
	n = b64_decode(raw, buf, MAX_DOCKERCONFIG + 1);
	cfg = n > 0 ? jsonu_parse((const char *)buf, (size_t)n) : NULL;
	wipe(buf, MAX_DOCKERCONFIG + 1);
	free(buf);
	if (!cfg)
		return ad_error_set(err, AD_EPARSE,
			_("the pull secret %s does not hold valid base64 JSON"),
			cred->secret);
	auths = legacy ? cfg : jsonu_path(cfg, "auths");
	if (cJSON_IsObject(auths)) {
		cJSON_ArrayForEach(it, auths) {
			if (it->string && auth_key_matches(it->string, login) &&
			    cJSON_IsObject(it)) {
				found = cred_from_entry(it, cred) == 0 ? 1 : -1;
				break;
			}
		}
	}
	wipe_tree(cfg);
	cJSON_Delete(cfg);
	if (found < 0)
		return ad_error_set(err, AD_EPARSE,
			_("the entry for %s in pull secret %s has no usable username and password"),
			login, cred->secret);
	return found;
}

/* Read the pod's image pull secrets that hold a credential for the
 * registry.  0 with *n (0: why says why not applicable), or an error
 * (unknown). */
static int read_pull_creds(struct facts *f, const char *login,
			   struct pull_cred *creds, int *n, char *why,
			   size_t wlen, struct ad_error *err)
{
	char path[600];
	cJSON *pod, *sec;
	const cJSON *it;
	int rc, refs = 0, other = 0, absent = 0;

	*n = 0;
	if (!f->ctx->pod[0] || !f->ctx->namespace_[0]) {
		snprintf(why, wlen, "%s", _("no failing pod was given"));
		return 0;
	}
	snprintf(path, sizeof path, "/api/v1/namespaces/%s/pods/%s",
		 f->ctx->namespace_, f->ctx->pod);
	rc = kube_get(f, path, &pod, err);
	if (rc != 0)
		return rc;
	cJSON_ArrayForEach(it, jsonu_array(pod, "spec.imagePullSecrets")) {
		const char *name = jsonu_str(it, "name");
		struct pull_cred *c = &creds[*n];

		if (refs++ >= MAX_PULL_SECRETS)
			break;
		if (!name || ctx_valid_k8s_name("imagePullSecrets", name, NULL) != 0)
			continue;
		snprintf(path, sizeof path, "/api/v1/namespaces/%s/secrets/%s",
			 f->ctx->namespace_, name);
		rc = kube_get(f, path, &sec, err);
		if (rc == AD_ENOTFOUND) {
			absent++;
			continue;
		}
		if (rc != 0)
			return rc;
		memset(c, 0, sizeof *c);
		snprintf(c->secret, sizeof c->secret, "%s", name);
		rc = secret_cred(sec, login, c, err);
		if (rc < 0)
			return rc;
		if (rc == 1)
			(*n)++;
		else
			other++;
	}
	if (*n == 0) {
		if (!refs)
			snprintf(why, wlen,
				 _("pod %s has no imagePullSecrets: it pulls with the cluster's identity"),
				 f->ctx->pod);
		else
			snprintf(why, wlen,
				 ngettext("the %d image pull secret of pod %s holds no credential for %s (%d missing, %d for other registries)",
					  "none of the %d image pull secrets of pod %s holds a credential for %s (%d missing, %d for other registries)",
					  (unsigned long)refs),
				 refs, f->ctx->pod, login, absent, other);
	}
	return 0;
}

static void wipe_creds(struct pull_cred *creds, int n)
{
	wipe(creds, sizeof *creds * (size_t)(n > 0 ? n : 0));
}

/* read_pull_creds() for a check: when the secrets cannot be read the
 * check says unknown and 1 is returned (the caller returns 0); AD_ENOMEM
 * passes through; 0 when creds holds *n credentials. */
static int pull_creds_or_unknown(struct facts *f, struct check_result *res,
				 const char *login, struct pull_cred *creds,
				 int *n, char *why, size_t wlen)
{
	struct ad_error err = { 0 };
	int rc = read_pull_creds(f, login, creds, n, why, wlen, &err);

	if (rc == 0)
		return 0;
	wipe_creds(creds, *n);
	if (rc == AD_ENOMEM)
		return rc;
	check_unknown(res, _("cannot read the pod's image pull secrets"), &err);
	return 1;
}

/* ---------- what the registry itself says ---------- */

/* The repository the failing pod pulls from login: its image, when it is
 * on login; "" otherwise (the login is then asked without a scope). */
static void pull_repo(struct facts *f, const char *login, char *repo,
		      size_t len)
{
	struct ad_error err = { 0 };
	struct image_ref ref;
	const cJSON *pod = NULL;
	char image[IMAGE_REF_MAX], container[64];

	repo[0] = '\0';
	if (f->ctx->pod[0] && aks_pod(f, &pod, &err) != 0)
		pod = NULL;
	if (aks_pod_image(f->ctx, pod, image, sizeof image, container,
			  sizeof container) != 0 ||
	    image_parse(image, &ref, &err) != 0 ||
	    strcasecmp(ref.registry, login) != 0 ||
	    strlen(ref.repository) >= len)
		return;
	snprintf(repo, len, "%s", ref.repository);
}

/* Whether the registry gives a pull token without any credential, the
 * attempt kubelet makes first: evidence "anonymousToken".  Only evidence:
 * 0, or AD_ENOMEM. */
static int anonymous_evidence(struct facts *f, struct check_result *res,
			      const char *login, const char *repo)
{
	struct ad_error err = { 0 };
	long st = 0;
	int anon = 0;

	/* Evidence words, like "activityLog": not translated. */
	if (!repo[0])
		return ev_str(res, "anonymousToken", "%s",
			      "not asked: the image is not on this registry");
	if (reg_ping(f, login, &st, &err) == 0 && st >= 200 && st <= 299)
		return ev_str(res, "anonymousToken", "%s",
			      "not needed: /v2/ answers without any credential");
	if (reg_pull_anonymous(f, login, repo, &anon, &err) != 0) {
		if (err.code == AD_ENOMEM)
			return AD_ENOMEM;
		return ev_str(res, "anonymousToken", "unknown: %s", err.msg);
	}
	if (anon)
		return ev_str(res, "anonymousToken",
			      "granted: anonymous pull is enabled, anyone gets a pull token for %s; a 401 on pull is not about credentials",
			      repo);
	return ev_str(res, "anonymousToken",
		      "refused: no pull token for %s without a credential; the pull needs a credential",
		      repo);
}

/* The registry's answer to a pull secret's username and password
 * (aks_registry_login); the password stays in cred (the caller wipes
 * it). */
static int ask_registry(struct facts *f, struct check_result *res,
			const char *login, const char *repo,
			const struct pull_cred *cred, char *said, size_t slen,
			enum aks_reg_says *says)
{
	char whose[300];

	snprintf(whose, sizeof whose, _("pull secret %s"), cred->secret);
	return aks_registry_login(f, res, login, repo, REG_CRED_PULL_SECRET,
				  cred->username,
				  cred->password, whose, said, slen, says);
}

/* ---------- aks.401.secret-sp ---------- */

enum sp_state { SP_VALID, SP_EXPIRED, SP_UNKNOWN, SP_NOMEM };

/* Check one SP-based secret; for SP_UNKNOWN (and a missing service
 * principal) res already says why. */
static enum sp_state sp_secret_state(struct facts *f, struct check_result *res,
			   const char *app_id, time_t now, const char *secret,
			   char *latest, size_t llen)
{
	struct ad_error err = { 0 };
	struct aks_cred_count cc;
	int rc, app = 0;

	rc = aks_sp_creds(f, res, app_id, now, &cc, &app, &err);
	if (rc == AD_ENOMEM)
		return SP_NOMEM;
	if (rc == AD_ENOTFOUND && !app) {
		check_say(res, CHECK_FAIL,
			  _("the pull secret %s names service principal %s, which does not exist in this tenant"),
			  secret, app_id);
		return SP_EXPIRED;
	}
	if (rc != 0) {
		check_unknown(res, app ?
			_("cannot read the application of the pull secret's service principal") :
			_("cannot read the service principal of the pull secret in Microsoft Graph"),
			&err);
		return SP_UNKNOWN;
	}
	snprintf(latest, llen, "%s", cc.latest);
	if (cc.valid)
		return SP_VALID;
	if (cc.unreadable) {
		check_say(res, CHECK_UNKNOWN,
			  ngettext("the end date of %d client secret of %s cannot be read",
				   "the end dates of %d client secrets of %s cannot be read",
				   (unsigned long)cc.unreadable),
			  cc.unreadable, app_id);
		return SP_UNKNOWN;
	}
	return SP_EXPIRED;
}

static int run_secret_sp(struct facts *f, struct check_result *res)
{
	struct pull_cred creds[MAX_PULL_SECRETS];
	char login[256], why[512] = "", latest[40], repo[256];
	char said[768], arm[1024];
	const char *secret = NULL, *user = NULL;
	time_t now;
	enum sp_state state;
	enum aks_reg_says says;
	int rc, n = 0, i, nomem;

	login_server(f, login, sizeof login);
	rc = pull_creds_or_unknown(f, res, login, creds, &n, why, sizeof why);
	if (rc != 0)
		return rc == 1 ? 0 : rc;
	for (i = 0; i < n; i++)
		if (ctx_is_guid(creds[i].username)) {
			secret = creds[i].secret;
			user = creds[i].username;
			break;
		}
	if (!secret) {
		if (!why[0])
			snprintf(why, sizeof why,
				 _("the pull secret for %s is not made from a service principal (its username is not an application id)"),
				 login);
		wipe_creds(creds, n);
		check_say(res, CHECK_NA, "%s", why);
		return 0;
	}
	/* First what kubelet would hear: the registry's own answer to the
	 * secret's username and password.  Then only the names leave this
	 * point; the passwords are wiped. */
	pull_repo(f, login, repo, sizeof repo);
	nomem = ask_registry(f, res, login, repo, &creds[i], said,
			     sizeof said, &says);
	{
		char sname[254], appid[64];

		snprintf(sname, sizeof sname, "%s", secret);
		tw_clip(appid, sizeof appid, user);
		wipe_creds(creds, n);
		if (nomem)
			return AD_ENOMEM;
		secret = sname;
		user = appid;
		check_command(res,
			"az ad sp credential list --id %s --query \"[].endDateTime\" -o tsv",
			user);
		if (ev_str(res, "secret", "%s", secret) ||
		    ev_str(res, "username", "%s", user) ||
		    ev_str(res, "loginServer", "%s", login) ||
		    check_data_str(res, "secret", secret) ||
		    check_data_str(res, "appId", user) ||
		    check_data_str(res, "loginServer", login) ||
		    anonymous_evidence(f, res, login, repo))
			return oom(res);
		if ((rc = get_now(res, &now)) != 0)
			return rc > 0 ? 0 : rc;
		/* Graph explains what the registry said (or, when it could
		 * not be asked, is all there is). */
		state = sp_secret_state(f, res, user, now, secret, latest,
					sizeof latest);
		if (state == SP_NOMEM)
			return AD_ENOMEM;
		snprintf(arm, sizeof arm, "%s", res->summary);
		if (says == AKS_REG_ACCEPTED) {
			check_say(res, CHECK_PASS, "%s", said);
			return 0;
		}
		if (says == AKS_REG_REFUSED) {
			res->fix = "secret-sp-reset";
			if (state == SP_VALID)
				check_say(res, CHECK_FAIL,
					  _("%s: service principal %s has a valid client secret (until %s), but not the one in the pull secret"),
					  said, user, latest);
			else if (state == SP_EXPIRED && res->verdict != CHECK_FAIL)
				check_say(res, CHECK_FAIL,
					  _("%s: the client secrets of service principal %s have all expired (the last on %s)"),
					  said, user, latest[0] ? latest : "?");
			else
				check_say(res, CHECK_FAIL, "%s: %s", said, arm);
			return 0;
		}
		/* The registry could not be asked: Graph alone decides. */
		if (state == SP_UNKNOWN)
			return 0;
		if (state == SP_VALID) {
			check_say(res, CHECK_PASS,
				  _("the pull secret %s uses service principal %s, which has a valid client secret (until %s)"),
				  secret, user, latest);
		} else {
			res->fix = "secret-sp-reset";
			if (res->verdict != CHECK_FAIL)
				check_say(res, CHECK_FAIL,
					  _("the pull secret %s uses service principal %s, whose client secrets have all expired (the last on %s)"),
					  secret, user, latest[0] ? latest : "?");
		}
		aks_note_unasked(res);
	}
	return 0;
}

/* ---------- aks.401.secret-admin ---------- */

/* Look for password regenerations in the activity log (evidence only). */
static int activity_regens(struct facts *f, struct check_result *res,
			   const char *regid, time_t now, char *last,
			   size_t llen)
{
	char path[1400], from[48];
	struct ad_error err = { 0 };
	cJSON *log;
	const cJSON *ev;
	int n = 0;

	last[0] = '\0';
	aks_format_time(now - (time_t)ACTIVITY_DAYS * 86400, from, sizeof from);
	snprintf(path, sizeof path,
		 "/subscriptions/%s/providers/Microsoft.Insights/eventtypes/management/values"
		 "?$filter=eventTimestamp%%20ge%%20'%s'%%20and%%20resourceUri%%20eq%%20'%s'",
		 f->ctx->subscription, from, regid);
	if (arm_list(f, path, API_INSIGHTS, &log, &err) != 0) {
		return ev_str(res, "activityLog", "unreadable: %s", err.msg) ?
		       AD_ENOMEM : 0;
	}
	if (ev_str(res, "activityLog", "%s", "read"))
		return AD_ENOMEM;
	cJSON_ArrayForEach(ev, jsonu_array(log, "value")) {
		const char *op = jsonu_str(ev, "operationName.localizedValue");
		const char *opv = jsonu_str(ev, "operationName.value");
		const char *rid = jsonu_str(ev, "resourceId");
		const char *status = jsonu_str(ev, "status.value");
		const char *ts = jsonu_str(ev, "eventTimestamp");
		char buf[48];
		time_t t;

		if (!((op && strcmp(op, REGEN_OP) == 0) ||
		      (opv && strcasecmp(opv, REGEN_ACTION) == 0)))
			continue;
		if (rid && !jsonu_id_eq(rid, regid))
			continue;
		if (status && strcmp(status, "Succeeded") != 0)
			continue;
		if (!ts || ad_parse_time(ts, &t) != 0)
			continue;
		aks_format_time(t, buf, sizeof buf);
		if (n++ < 10 && ev_list_add(res, "regenerations", buf))
			return AD_ENOMEM;
		if (!last[0] || strcmp(buf, last) > 0)
			snprintf(last, llen, "%s", buf);
	}
	return 0;
}

/* Why the registry may have refused the admin pull secret, from ARM. */
enum admin_arm { ADM_UNREAD, ADM_DISABLED, ADM_MATCH, ADM_MISMATCH };

static int run_secret_admin(struct facts *f, struct check_result *res)
{
	struct pull_cred creds[MAX_PULL_SECRETS];
	struct ad_error err = { 0 };
	char login[256], why[512] = "", regid[512], last[48] = "", repo[256];
	char said[768], sname[254];
	const char *unread = NULL;
	struct ad_error armerr = { 0 };
	struct pull_cred *c = NULL;
	cJSON *reg, *lc;
	const cJSON *pw;
	time_t now;
	enum aks_reg_says says;
	enum admin_arm arm = ADM_UNREAD;
	int rc, n = 0, i, admin, npw = 0, nomem;
	const char *first_pw = NULL;

	login_server(f, login, sizeof login);
	facts_registry_id(f, regid, sizeof regid);
	rc = pull_creds_or_unknown(f, res, login, creds, &n, why, sizeof why);
	if (rc != 0)
		return rc == 1 ? 0 : rc;
	for (i = 0; i < n; i++)
		if (strcasecmp(creds[i].username, f->ctx->registry) == 0) {
			c = &creds[i];
			break;
		}
	if (!c) {
		if (!why[0])
			snprintf(why, sizeof why,
				 _("the pull secret for %s is not made from the registry's admin user (its username is not %s)"),
				 login, f->ctx->registry);
		wipe_creds(creds, n);
		check_say(res, CHECK_NA, "%s", why);
		return 0;
	}
	snprintf(sname, sizeof sname, "%s", c->secret);
	check_command(res,
		"kubectl get secret %s -n %s -o jsonpath={.data.\\.dockerconfigjson} | base64 --decode",
		c->secret, f->ctx->namespace_);
	if (ev_str(res, "secret", "%s", c->secret) ||
	    ev_str(res, "username", "%s", f->ctx->registry) ||
	    ev_str(res, "loginServer", "%s", login) ||
	    check_data_str(res, "secret", c->secret) ||
	    check_data_str(res, "loginServer", login)) {
		wipe_creds(creds, n);
		return oom(res);
	}
	/* First what kubelet would hear: the registry's own answer. */
	pull_repo(f, login, repo, sizeof repo);
	nomem = ask_registry(f, res, login, repo, c, said, sizeof said, &says);
	if (nomem || anonymous_evidence(f, res, login, repo)) {
		wipe_creds(creds, n);
		return oom(res);
	}
	/* Then ARM says why: the admin user, its passwords. */
	if (arm_get(f, regid, API_ACR, &reg, &err) != 0) {
		unread = _("cannot read the registry");
		armerr = err;
		goto decided;
	}
	admin = jsonu_bool(reg, "properties.adminUserEnabled", -1);
	if (ev_bool(res, "adminUserEnabled", admin == 1)) {
		wipe_creds(creds, n);
		return oom(res);
	}
	if (admin == 0) {
		arm = ADM_DISABLED;
		goto decided;
	}
	{
		char p[600];

		snprintf(p, sizeof p, "%s/listCredentials", regid);
		rc = arm_post(f, p, API_ACR_CREDS, NULL, &lc, &err);
	}
	if (rc != 0) {
		unread = _("cannot read the registry's admin credentials");
		armerr = err;
		goto decided;
	}
	npw = aks_admin_password_find(lc, c->password, &pw, &first_pw);
	arm = pw ? ADM_MATCH : ADM_MISMATCH;
	if (ev_secret_match(res, "password", c->password,
			    pw ? jsonu_str(pw, "value") : first_pw)) {
		wipe_creds(creds, n);
		return AD_ENOMEM;
	}
	if (ev_num(res, "passwordsCompared", npw)) {
		wipe_creds(creds, n);
		return AD_ENOMEM;
	}
	if (ad_now(&now) != 0)
		now = time(NULL);
	if (activity_regens(f, res, regid, now, last, sizeof last)) {
		wipe_creds(creds, n);
		return AD_ENOMEM;
	}
decided:
	wipe_creds(creds, n);
	c = NULL;
	if (says == AKS_REG_ACCEPTED) {
		check_say(res, CHECK_PASS, "%s", said);
		return 0;
	}
	if (says == AKS_REG_UNASKED && arm == ADM_UNREAD) {
		check_unknown(res, unread, &armerr);
		aks_note_unasked(res);
		return 0;
	}
	if (says == AKS_REG_UNASKED && arm == ADM_MATCH) {
		check_say(res, CHECK_PASS,
			  _("the pull secret %s matches one of the admin passwords of %s"),
			  sname, f->ctx->registry);
		aks_note_unasked(res);
		return 0;
	}
	res->fix = "secret-update";
	switch (arm) {
	case ADM_DISABLED:
		if (says == AKS_REG_REFUSED)
			check_say(res, CHECK_FAIL,
				  _("%s: the admin user of %s is disabled"),
				  said, f->ctx->registry);
		else
			check_say(res, CHECK_FAIL,
				  _("the pull secret %s uses the admin user of %s, but the admin user is disabled"),
				  sname, f->ctx->registry);
		break;
	case ADM_MISMATCH:
		if (says == AKS_REG_REFUSED && last[0])
			check_say(res, CHECK_FAIL,
				  _("%s: its password matches none of the %d admin passwords of %s; they were regenerated on %s"),
				  said, npw, f->ctx->registry, last);
		else if (says == AKS_REG_REFUSED)
			check_say(res, CHECK_FAIL,
				  _("%s: its password matches none of the %d admin passwords of %s"),
				  said, npw, f->ctx->registry);
		else if (last[0])
			check_say(res, CHECK_FAIL,
				  _("the password in pull secret %s matches none of the %d admin passwords of %s; they were regenerated on %s"),
				  sname, npw, f->ctx->registry, last);
		else
			check_say(res, CHECK_FAIL,
				  _("the password in pull secret %s matches none of the %d admin passwords of %s"),
				  sname, npw, f->ctx->registry);
		break;
	case ADM_MATCH:
		check_say(res, CHECK_FAIL,
			  _("%s, although its password matches an admin password of %s"),
			  said, f->ctx->registry);
		break;
	case ADM_UNREAD:
		check_say(res, CHECK_FAIL, _("%s; why cannot be told (%s: %s)"),
			  said, unread, armerr.msg);
		break;
	}
	if (says == AKS_REG_UNASKED)
		aks_note_unasked(res);
	return 0;
}

const struct check_def check_group_aks_auth[] = {
	{ "aks.401.acrpull", "aks.401",
	  N_("An AcrPull role assignment exists for the cluster's identity"),
	  CHECK_AKS, run_acrpull },
	{ "aks.401.sp-expired", "aks.401",
	  N_("The cluster's service principal secret has not expired"),
	  CHECK_AKS, run_sp_expired },
	{ "aks.401.sp-mismatch", "aks.401",
	  N_("AcrPull is assigned to the cluster's current service principal"),
	  CHECK_AKS, run_sp_mismatch },
	{ "aks.401.kubelet-vmss", "aks.401",
	  N_("The kubelet identity is still assigned to the node scale sets"),
	  CHECK_AKS, run_kubelet_vmss },
	{ "aks.401.secret-sp", "aks.401",
	  N_("A pull secret made from a service principal is still valid"),
	  CHECK_AKS, run_secret_sp },
	{ "aks.401.secret-admin", "aks.401",
	  N_("A pull secret made from the admin user matches the admin credentials"),
	  CHECK_AKS, run_secret_admin },
};
const size_t check_group_aks_auth_n =
	sizeof check_group_aks_auth / sizeof check_group_aks_auth[0];
