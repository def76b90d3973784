/* webapp.c - the App Service Web App fixes.
 *
 * webapp-acrpull and webapp-ip-rules change Azure (through the shared
 * role-assignment and network-rule planners); webapp-settings, webapp-tag
 * and webapp-private-pull can only be shown: they need a password, an
 * image push or new network resources the user must choose.  Manual text
 * holds placeholders for secrets, never the secrets. */
#include "config.h"
#include "checks/groups.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "checks/roles.h"
#include "context.h"
#include "err.h"
#include "facts.h"
#include "fix.h"
#include "fixes/netrule.h"
#include "i18n.h"
#include "jsonu.h"

#define MAX_RULE_IPS 64


/* Bounded formatting into a plan field; long names are cut, which the
 * UI shows as they are. */
static void put(char *dst, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void put(char *dst, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dst, len, fmt, ap);
	va_end(ap);
}

static const char *data_str(const struct check_result *failed,
			    const char *key)
{
	return failed ? jsonu_str(failed->data, key) : NULL;
}

/* ---------- webapp-acrpull ---------- */

static int plan_acrpull(struct facts *f, const struct check_result *failed,
			struct fix_plan *plan, struct ad_error *err)
{
	const char *principal = data_str(failed, "principalId");
	const char *ptype = data_str(failed, "principalType");
	char regid[512], cmd[1024];
	int rc, i;

	facts_registry_id(f, regid, sizeof regid);
	if (!principal || ctx_valid_guid("principalId", principal, err) != 0)
		return ad_error_set(err, AD_EINVAL,
			_("the check did not find the app's identity: nothing to assign"));
	/* The article's command for an App Service identity. */
	put(cmd, sizeof cmd,
	    "az role assignment create --assignee %s --scope %s --role AcrPull",
	    principal, regid);
	rc = roles_plan_acrpull(plan, f, regid, principal,
				ptype && ctx_name_ok(ptype, "", 32) ? ptype :
				"ServicePrincipal", cmd, err);
	if (rc != 0)
		return rc;
	for (i = 0; i < plan->nsteps; i++)
		if (!plan->steps[i].warning[0])
			put(plan->steps[i].warning, sizeof plan->steps[i].warning,
			    "%s", _("An Azure Policy can refuse role assignments (RequestDisallowedByPolicy): if it does, ask the policy owner for an exemption."));
	put(plan->summary, sizeof plan->summary,
	    _("Give the managed identity of %s (principal %s) the AcrPull role on registry %s, so that it may pull images."),
	    f->ctx->webapp, principal, f->ctx->registry);
	return 0;
}

/* ---------- webapp-ip-rules ---------- */

static int plan_ip_rules(struct facts *f, const struct check_result *failed,
			 struct fix_plan *plan, struct ad_error *err)
{
	const cJSON *arr = failed ? jsonu_array(failed->data, "ips") : NULL;
	const cJSON *it;
	const char *ips[MAX_RULE_IPS];
	char regid[512];
	cJSON *reg;
	size_t n = 0;
	int rc;

	cJSON_ArrayForEach(it, arr) {
		if (n < MAX_RULE_IPS && cJSON_IsString(it) &&
		    ctx_name_ok(it->valuestring, ".", 15))
			ips[n++] = it->valuestring;
	}
	if (n == 0)
		return ad_error_set(err, AD_EINVAL,
			_("the check found no outbound IP address to allow"));
	facts_registry_id(f, regid, sizeof regid);
	rc = arm_get(f, regid, API_ACR, &reg, err);
	if (rc != 0)
		return rc;
	rc = netrule_plan(plan, f, regid, reg, ips, n, err);
	if (rc != 0)
		return rc;
	put(plan->summary, sizeof plan->summary,
	    _("Allow in the firewall of registry %s the %zu outbound IP addresses of %s it does not allow yet (those the app uses now and those it may use after scaling)."),
	    f->ctx->registry, n, f->ctx->webapp);
	return 0;
}

/* ---------- manual fixes ---------- */

static int plan_settings(struct facts *f, const struct check_result *failed,
			 struct fix_plan *plan, struct ad_error *err)
{
	const char *login = data_str(failed, "loginServer");
	const char *user = data_str(failed, "adminUser");
	const char *sp = data_str(failed, "appId");
	const char *disabled;
	char lbuf[256], enable[160];

	(void)err;
	if (!ctx_name_ok(login, ".-", 253)) {
		ctx_login_server(f->ctx, lbuf, sizeof lbuf);
		login = lbuf;
	}
	if (!ctx_name_ok(user, "-", 50))
		user = f->ctx->registry;
	if (ctx_is_guid(sp)) {
		/* The settings name a service principal: a new client
		 * secret, not the admin user. */
		put(plan->summary, sizeof plan->summary,
		    _("Give service principal %s a new client secret and put it into the registry settings of %s."),
		    sp, f->ctx->webapp);
		put(plan->manual, sizeof plan->manual,
		    _("Make a new client secret and set it as the app's registry password; read the secret yourself (acr-doctor never shows it):\n"
		      "az ad sp credential reset --id %s --append --query password -o tsv\n"
		      "az webapp config container set --name %s --resource-group %s --container-registry-url https://%s --container-registry-user %s --container-registry-password <the new secret>\n"
		      "Or stop using a password: turn on acrUseManagedIdentityCreds and give the app's identity AcrPull."),
		    sp, f->ctx->webapp, f->ctx->resource_group, login, sp);
		return 0;
	}
	put(plan->summary, sizeof plan->summary,
	    _("Put the current admin credentials of registry %s into the registry settings of %s."),
	    f->ctx->registry, f->ctx->webapp);
	disabled = data_str(failed, "adminUserEnabled");
	if (disabled && strcmp(disabled, "no") == 0)
		put(enable, sizeof enable,
		    _("Enable the admin user: az acr update --name %s --admin-enabled true\n"),
		    f->ctx->registry);
	else
		enable[0] = '\0';
	put(plan->manual, sizeof plan->manual,
	    _("%sSet the three registry settings of the app; read the password yourself (acr-doctor never shows it):\n"
	      "az webapp config container set --name %s --resource-group %s --container-registry-url https://%s --container-registry-user %s --container-registry-password <password from: az acr credential show -n %s>\n"
	      "Or stop using the admin user: turn on acrUseManagedIdentityCreds and give the app's identity AcrPull."),
	    enable, f->ctx->webapp, f->ctx->resource_group, login, user,
	    f->ctx->registry);
	return 0;
}

static int plan_tag(struct facts *f, const struct check_result *failed,
		    struct fix_plan *plan, struct ad_error *err)
{
	const char *repo = data_str(failed, "repository");
	const char *ref = data_str(failed, "reference");
	const char *login = data_str(failed, "loginServer");
	const char *sep;
	char lbuf[256];

	(void)err;
	if (!ctx_name_ok(repo, "._-/", 256))
		repo = "<repository>";
	if (!ctx_name_ok(ref, "._-:", 140))
		ref = "<tag>";
	if (!ctx_name_ok(login, ".-", 253)) {
		ctx_login_server(f->ctx, lbuf, sizeof lbuf);
		login = lbuf;
	}
	sep = strncmp(ref, "sha256:", 7) == 0 ? "@" : ":";
	put(plan->summary, sizeof plan->summary,
	    _("The app asks for %s%s%s, which is not in the registry: push it, or point the app at a tag that exists."),
	    repo, sep, ref);
	put(plan->manual, sizeof plan->manual,
	    _("List the tags (this works only when the registry's network rules let you in):\n"
	      "az acr repository show-tags --name %s --repository %s -o table\n"
	      "Then push the missing image (docker push %s/%s%s%s), or set a tag that exists:\n"
	      "az webapp config container set --name %s --resource-group %s --container-image-name %s/%s:<existing tag>"),
	    f->ctx->registry, repo, login, repo, sep, ref, f->ctx->webapp,
	    f->ctx->resource_group, login, repo);
	return 0;
}

static int plan_private(struct facts *f, const struct check_result *failed,
			struct fix_plan *plan, struct ad_error *err)
{
	const char *pe = data_str(failed, "privateEndpoint");
	const char *vnet = data_str(failed, "vnetIntegration");
	char pe_step[512], vnet_step[256];

	(void)err;
	if (pe && strcmp(pe, "yes") == 0)
		put(pe_step, sizeof pe_step,
		    _("1. The registry already has an approved private endpoint: make sure the app's virtual network reaches it and resolves privatelink.%s."),
		    ctx_suffix(f->ctx));
	else
		put(pe_step, sizeof pe_step,
		    _("1. az network private-endpoint create --name pe-%s --resource-group <rg> --vnet-name <vnet> --subnet <subnet> --private-connection-resource-id $(az acr show -n %s --query id -o tsv) --group-id registry --connection-name %s-conn (and a private DNS zone privatelink.%s linked to the VNet)"),
		    f->ctx->registry, f->ctx->registry, f->ctx->registry,
		    ctx_suffix(f->ctx));
	if (vnet && strcmp(vnet, "yes") == 0)
		put(vnet_step, sizeof vnet_step, "%s",
		    _("2. The app is already integrated with a virtual network."));
	else
		put(vnet_step, sizeof vnet_step,
		    "2. az webapp vnet-integration add --name %s --resource-group %s --vnet <vnet> --subnet <app subnet>",
		    f->ctx->webapp, f->ctx->resource_group);
	put(plan->summary, sizeof plan->summary,
	    _("Pull privately: a private endpoint for %s, virtual network integration for %s, and image pull over the virtual network."),
	    f->ctx->registry, f->ctx->webapp);
	put(plan->manual, sizeof plan->manual,
	    _("%s\n%s\n"
	      "3. az resource update --resource-group %s --name %s --resource-type \"Microsoft.Web/sites\" --set properties.vnetImagePullEnabled=true\n"
	      "Deployment Center then shows \"Failed to load ACR tags\": expected while public access is limited; type the image and tag by hand."),
	    pe_step, vnet_step, f->ctx->resource_group, f->ctx->webapp);
	return 0;
}

const struct fix_def fix_group_webapp[] = {
	{ "webapp-acrpull", N_("Give the app's identity AcrPull on the registry"),
	  "webapp.unauthorized.identity", plan_acrpull },
	{ "webapp-ip-rules", N_("Allow the app's outbound IPs in the registry firewall"),
	  "webapp.ip-denied.firewall", plan_ip_rules },
	{ "webapp-settings", N_("Update the registry settings of the app"),
	  "webapp.unauthorized.admin", plan_settings },
	{ "webapp-tag", N_("Use an image tag that exists"),
	  "webapp.manifest-unknown", plan_tag },
	{ "webapp-private-pull", N_("Pull the image over the virtual network"),
	  "webapp.ip-denied.private", plan_private },
};

const size_t fix_group_webapp_n =
	sizeof fix_group_webapp / sizeof fix_group_webapp[0];
