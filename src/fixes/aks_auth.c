/* aks_auth.c - the fixes of cause 1a (401 Unauthorized, wrong
 * authorization): attach-acr and reconcile change Azure; sp-renew,
 * secret-sp-reset and secret-update involve new secrets, so they are
 * only shown (the commands, with placeholders where a secret goes). */
#include "config.h"
#include "checks/groups.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "checks/aks_common.h"
#include "checks/roles.h"
#include "context.h"
#include "err.h"
#include "facts.h"
#include "i18n.h"
#include "jsonu.h"

static const char *data_str(const struct check_result *failed,
			    const char *key)
{
	return failed ? jsonu_str(failed->data, key) : NULL;
}


/* ---------- attach-acr ---------- */

static int plan_attach_acr(struct facts *f, const struct check_result *failed,
			   struct fix_plan *plan, struct ad_error *err)
{
	const char *principal = data_str(failed, "principalId");
	const char *ptype = data_str(failed, "principalType");
	const char *client = data_str(failed, "clientId");
	char regid[512], cmd[1024];
	int rc;

	/* The registry comes from the context, never from a response. */
	facts_registry_id(f, regid, sizeof regid);
	if (!ctx_is_guid(principal))
		return ad_error_set(err, AD_EINVAL,
			_("the check did not find the cluster's identity: nothing to assign"));
	snprintf(cmd, sizeof cmd, "az aks update -n %s -g %s --attach-acr %s",
		 f->ctx->cluster, f->ctx->resource_group, regid);
	rc = roles_plan_acrpull(plan, f, regid, principal,
				ptype ? ptype : "ServicePrincipal", cmd, err);
	if (rc != 0)
		return rc;
	snprintf(plan->summary, sizeof plan->summary,
		 _("Give the identity of cluster %s (client id %s, principal %s) the AcrPull role on registry %s, as az aks update --attach-acr does, so that its nodes may pull."),
		 f->ctx->cluster, ctx_is_guid(client) ? client : principal,
		 principal, f->ctx->registry);
	return 0;
}

/* ---------- reconcile ---------- */

/* Fields of the managed cluster model that a PUT must not carry. */
static void drop_secrets(cJSON *cluster)
{
	cJSON *p = cJSON_GetObjectItemCaseSensitive(cluster, "properties");
	cJSON *o;

	o = cJSON_GetObjectItemCaseSensitive(p, "servicePrincipalProfile");
	cJSON_DeleteItemFromObjectCaseSensitive(o, "secret");
	o = cJSON_GetObjectItemCaseSensitive(p, "windowsProfile");
	cJSON_DeleteItemFromObjectCaseSensitive(o, "adminPassword");
}

static int plan_reconcile(struct facts *f, const struct check_result *failed,
			  struct fix_plan *plan, struct ad_error *err)
{
	char id[512], url[1024], cmd[512];
	cJSON *cluster, *copy;
	char *body;
	int rc;

	(void)failed;
	facts_cluster_id(f, id, sizeof id);
	rc = arm_get(f, id, API_AKS, &cluster, err);
	if (rc != 0)
		return rc;
	if (!cJSON_IsObject(jsonu_path(cluster, "properties")) ||
	    !jsonu_str(cluster, "location"))
		return ad_error_set(err, AD_EPARSE,
			_("the cluster model has no location or properties: it cannot be sent back"));
	copy = cJSON_Duplicate(cluster, 1);
	if (!copy)
		return ad_error_set(err, AD_ENOMEM, _("out of memory"));
	drop_secrets(copy);
	body = cJSON_Print(copy);
	cJSON_Delete(copy);
	if (!body)
		return ad_error_set(err, AD_ENOMEM, _("out of memory"));
	snprintf(url, sizeof url, "%s%s?api-version=%s", f->ctx->arm, id,
		 API_AKS);
	snprintf(cmd, sizeof cmd, "az aks update -g %s -n %s",
		 f->ctx->resource_group, f->ctx->cluster);
	{
		char title[256];

		snprintf(title, sizeof title,
			 _("Send the model of cluster %s back unchanged (reconcile)"),
			 f->ctx->cluster);
		rc = fix_add_step(plan, title, "PUT", url, body, cmd);
	}
	free(body);
	if (rc != 0)
		return ad_error_set(err, rc, rc == AD_ENOMEM ?
				    _("out of memory") : _("too many steps"));
	snprintf(plan->steps[plan->nsteps - 1].warning,
		 sizeof plan->steps[0].warning, "%s",
		 _("This re-applies the whole cluster model (an update operation that can take several minutes); AKS puts the kubelet identity back on the node pools' scale sets. Changes made to the cluster since it was read would be overwritten."));
	snprintf(plan->summary, sizeof plan->summary,
		 _("Reconcile cluster %s: re-apply its model with no change, as az aks update with no arguments does, which puts the kubelet identity back on the scale sets of node resource group %s."),
		 f->ctx->cluster,
		 aks_name_ok(data_str(failed, "nodeResourceGroup"), 90) ?
		 data_str(failed, "nodeResourceGroup") : "?");
	return 0;
}

/* ---------- manual fixes ---------- */

static int plan_sp_renew(struct facts *f, const struct check_result *failed,
			 struct fix_plan *plan, struct ad_error *err)
{
	const char *app = data_str(failed, "clientId");

	if (!ctx_is_guid(app))
		return ad_error_set(err, AD_EINVAL,
			_("the check did not find the cluster's service principal"));
	snprintf(plan->summary, sizeof plan->summary,
		 _("Renew the client secret of the service principal %s of cluster %s and give the cluster the new secret."),
		 app, f->ctx->cluster);
	snprintf(plan->manual, sizeof plan->manual,
		 _("A new secret is created and handed over by these commands; acr-doctor never sees it.\n"
		   "  SP_SECRET=$(az ad app credential reset --id %s --append --query password -o tsv)\n"
		   "  az aks update-credentials --resource-group %s --name %s --reset-service-principal --service-principal %s --client-secret \"$SP_SECRET\"\n"
		   "Or, with a secret you already have: --client-secret <new client secret>."),
		 app, f->ctx->resource_group, f->ctx->cluster, app);
	return 0;
}

static int plan_secret_sp_reset(struct facts *f,
				const struct check_result *failed,
				struct fix_plan *plan, struct ad_error *err)
{
	const char *app = data_str(failed, "appId");
	const char *secret = data_str(failed, "secret");
	char login[256];

	ctx_login_server(f->ctx, login, sizeof login);
	if (!ctx_is_guid(app) || !secret ||
	    ctx_valid_k8s_name("secret", secret, NULL) != 0)
		return ad_error_set(err, AD_EINVAL,
			_("the check did not find the pull secret or its service principal"));
	snprintf(plan->summary, sizeof plan->summary,
		 _("Reset the credential of service principal %s and write the new one into pull secret %s."),
		 app, secret);
	snprintf(plan->manual, sizeof plan->manual,
		 _("  SP_PASSWORD=$(az ad sp credential reset --id %s --query password -o tsv)\n"
		   "  kubectl create secret docker-registry %s --namespace %s --docker-server=%s --docker-username=%s --docker-password=\"$SP_PASSWORD\" --dry-run=client -o yaml | kubectl apply -f -\n"
		   "(or --docker-password=<new service principal password>). Then delete the failing pod so that it pulls again."),
		 app, secret, f->ctx->namespace_, login, app);
	return 0;
}

static int plan_secret_update(struct facts *f,
			      const struct check_result *failed,
			      struct fix_plan *plan, struct ad_error *err)
{
	const char *secret = data_str(failed, "secret");
	char login[256];

	ctx_login_server(f->ctx, login, sizeof login);
	if (!secret || ctx_valid_k8s_name("secret", secret, NULL) != 0)
		return ad_error_set(err, AD_EINVAL,
			_("the check did not find the pull secret"));
	snprintf(plan->summary, sizeof plan->summary,
		 _("Write the current admin credentials of registry %s into pull secret %s."),
		 f->ctx->registry, secret);
	snprintf(plan->manual, sizeof plan->manual,
		 _("  az acr update --name %s --admin-enabled true   # only if the admin user is disabled\n"
		   "  ACR_PASSWORD=$(az acr credential show --name %s --query \"passwords[0].value\" -o tsv)\n"
		   "  kubectl create secret docker-registry %s --namespace %s --docker-server=%s --docker-username=%s --docker-password=\"$ACR_PASSWORD\" --dry-run=client -o yaml | kubectl apply -f -\n"
		   "(or --docker-password=<admin password>). Then delete the failing pod so that it pulls again."),
		 f->ctx->registry, f->ctx->registry, secret, f->ctx->namespace_,
		 login, f->ctx->registry);
	return 0;
}

const struct fix_def fix_group_aks_auth[] = {
	{ "attach-acr", N_("Assign AcrPull on the registry to the cluster's identity"),
	  "aks.401.acrpull", plan_attach_acr },
	{ "reconcile", N_("Reconcile the cluster (az aks update)"),
	  "aks.401.kubelet-vmss", plan_reconcile },
	{ "sp-renew", N_("Renew the cluster's service principal secret"),
	  "aks.401.sp-expired", plan_sp_renew },
	{ "secret-sp-reset", N_("Reset the service principal and update the pull secret"),
	  "aks.401.secret-sp", plan_secret_sp_reset },
	{ "secret-update", N_("Update the pull secret with the admin credentials"),
	  "aks.401.secret-admin", plan_secret_update },
};
const size_t fix_group_aks_auth_n =
	sizeof fix_group_aks_auth / sizeof fix_group_aks_auth[0];
