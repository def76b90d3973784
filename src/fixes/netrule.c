/* netrule.c - the registry firewall: matching addresses against its IP
 * rules, and planning `az acr network-rule add`.
 *
 * Registry IP rules are IPv4 addresses or CIDR ranges; they count only
 * when public network access is Enabled ("Selected networks" when the
 * default action is Deny).  With public access Disabled nothing reaches
 * the registry publicly, whatever the rules say. */
#include "config.h"
#include "fixes/netrule.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "context.h"
#include "err.h"
#include "facts.h"
#include "fix.h"
#include "i18n.h"
#include "jsonu.h"
#include "textw.h"

#define NETRULE_MAX_IPS 12      /* addresses in one plan */
#define ACR_MAX_IP_RULES 200    /* the service's limit */

/* Strict dotted quad, optional /0..32.  0 or -1. */
static int parse_v4(const char *s, int cidr_ok, uint32_t *addr, int *prefix)
{
	uint32_t a = 0;
	int part, digits, val;

	if (!s)
		return -1;
	for (part = 0; part < 4; part++) {
		digits = val = 0;
		while (*s >= '0' && *s <= '9') {
			if (++digits > 3)
				return -1;
			val = val * 10 + (*s++ - '0');
		}
		if (!digits || val > 255)
			return -1;
		a = (a << 8) | (uint32_t)val;
		if (part < 3 && *s++ != '.')
			return -1;
	}
	*prefix = 32;
	if (*s == '/') {
		if (!cidr_ok)
			return -1;
		s++;
		digits = val = 0;
		while (*s >= '0' && *s <= '9') {
			if (++digits > 2)
				return -1;
			val = val * 10 + (*s++ - '0');
		}
		if (!digits || val > 32)
			return -1;
		*prefix = val;
	}
	if (*s)
		return -1;
	*addr = a;
	return 0;
}

int netrule_ip_valid(const char *s, int cidr_ok)
{
	uint32_t a;
	int p;

	return parse_v4(s, cidr_ok, &a, &p) == 0;
}

int netrule_ip_range(const char *s, int cidr_ok, uint32_t *lo, uint32_t *hi)
{
	uint32_t a, mask;
	int p;

	if (parse_v4(s, cidr_ok, &a, &p) != 0)
		return -1;
	mask = p == 0 ? 0 : 0xffffffffu << (32 - p);
	*lo = a & mask;
	*hi = *lo | ~mask;
	return 0;
}

int netrule_ip_in(const char *ip, const char *cidr)
{
	uint32_t a, net, mask;
	int p, np;

	if (parse_v4(ip, 0, &a, &p) != 0 || parse_v4(cidr, 1, &net, &np) != 0)
		return 0;
	mask = np == 0 ? 0 : 0xffffffffu << (32 - np);
	return (a & mask) == (net & mask);
}

static int public_disabled(const cJSON *registry)
{
	const char *pna = jsonu_str(registry, "properties.publicNetworkAccess");

	return pna && strcasecmp(pna, "Disabled") == 0;
}

/* An Allow rule of the registry covers ip. */
static int rules_cover(const cJSON *registry, const char *ip)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, jsonu_array(registry,
					  "properties.networkRuleSet.ipRules")) {
		const char *action = jsonu_str(r, "action");
		const char *value = jsonu_str(r, "value");

		if (action && strcasecmp(action, "Allow") != 0)
			continue;
		if (value && netrule_ip_in(ip, value))
			return 1;
	}
	return 0;
}

int netrule_allows(const cJSON *registry, const char *ip)
{
	const char *def;

	if (!cJSON_IsObject(registry) || !netrule_ip_valid(ip, 0))
		return 0;
	if (public_disabled(registry))
		return 0;
	def = jsonu_str(registry, "properties.networkRuleSet.defaultAction");
	/* No rule set at all: a registry open to every network. */
	if (!def || strcasecmp(def, "Allow") == 0)
		return 1;
	return rules_cover(registry, ip);
}

/* The rules to keep (objects only, as the registry holds them). */
static cJSON *existing_rules(const cJSON *registry)
{
	cJSON *arr = cJSON_CreateArray();
	const cJSON *r;

	if (!arr)
		return NULL;
	cJSON_ArrayForEach(r, jsonu_array(registry,
					  "properties.networkRuleSet.ipRules")) {
		cJSON *c;

		if (!cJSON_IsObject(r) || !jsonu_str(r, "value"))
			continue;
		if (!(c = cJSON_Duplicate(r, 1))) {
			cJSON_Delete(arr);
			return NULL;
		}
		cJSON_AddItemToArray(arr, c);
	}
	return arr;
}

static char *patch_body(const char *pna, const char *def, cJSON *rules)
{
	cJSON *root = cJSON_CreateObject(), *props, *nrs;
	char *s = NULL;

	if (!root)
		goto out;
	if (!(props = cJSON_AddObjectToObject(root, "properties")))
		goto out;
	if (pna && !cJSON_AddStringToObject(props, "publicNetworkAccess", pna))
		goto out;
	if (!(nrs = cJSON_AddObjectToObject(props, "networkRuleSet")) ||
	    !cJSON_AddStringToObject(nrs, "defaultAction", def))
		goto out;
	if (rules) {
		cJSON *c = cJSON_Duplicate(rules, 1);

		if (!c)
			goto out;
		cJSON_AddItemToObject(nrs, "ipRules", c);
	}
	s = cJSON_Print(root);
out:
	cJSON_Delete(root);
	return s;
}

static int add_step(struct fix_plan *plan, const char *title,
		    const char *url, char *body, const char *cmd,
		    struct ad_error *err)
{
	int rc;

	if (!body)
		return ad_error_set(err, AD_ENOMEM, _("out of memory"));
	rc = fix_add_step(plan, title, "PATCH", url, body, cmd);
	free(body);
	if (rc != 0)
		return ad_error_set(err, rc, rc == AD_ENOMEM ? _("out of memory") :
				    _("too many steps in one plan"));
	return 0;
}

int netrule_plan(struct fix_plan *plan, struct facts *f,
		 const char *registry_id, const cJSON *registry,
		 const char *const *ips, size_t nips, struct ad_error *err)
{
	const char *name = registry_id ? jsonu_id_name(registry_id) : NULL;
	const char *sku = jsonu_str(registry, "sku.name");
	const char *def = jsonu_str(registry,
				    "properties.networkRuleSet.defaultAction");
	const char *add[NETRULE_MAX_IPS];
	char url[1024], cmd[1024], title[256], list[NETRULE_MAX_IPS * 20] = "";
	size_t nadd = 0, i, j, used = 0;
	int disabled, nrules, rc;
	const cJSON *it;
	cJSON *rules;

	if (!plan || !f || !registry_id || !cJSON_IsObject(registry) ||
	    (!ips && nips))
		return ad_error_set(err, AD_EINVAL, _("nothing to plan"));
	if (!name || ctx_valid_registry_name(name, NULL) != 0 ||
	    strncmp(registry_id, "/subscriptions/", 15) != 0 ||
	    strlen(registry_id) > 400 || strpbrk(registry_id, "?#% \"'"))
		return ad_error_set(err, AD_EINVAL,
			_("the registry's resource id is not valid"));
	if (!sku || strcasecmp(sku, "Premium") != 0)
		return ad_error_set(err, AD_EUNSUPP,
			_("IP rules need the Premium tier, and registry %s is on the %s tier: upgrade it first (az acr update --name %s --sku Premium)"),
			name, sku && ctx_valid_azure_name("sku", sku, NULL) == 0 ?
			sku : "?", name);
	if (nips > NETRULE_MAX_IPS)
		return ad_error_set(err, AD_EINVAL,
			_("%zu addresses are too many for one change (at most %d)"),
			nips, NETRULE_MAX_IPS);
	for (i = 0; i < nips; i++) {
		char bad[49];
		int dup = 0;

		if (!netrule_ip_valid(ips[i], 1))
			return ad_error_set(err, AD_EINVAL,
				_("\"%.48s\" is not an IPv4 address or range"),
				tw_clip(bad, sizeof bad, ips[i]));
		for (j = 0; j < nadd && !dup; j++)
			dup = strcmp(add[j], ips[i]) == 0;
		/* Already in the rules (as itself or inside a range). */
		if (!dup && !strchr(ips[i], '/') && rules_cover(registry, ips[i]))
			dup = 1;
		cJSON_ArrayForEach(it, jsonu_array(registry,
				"properties.networkRuleSet.ipRules")) {
			const char *v = jsonu_str(it, "value");

			if (v && strcmp(v, ips[i]) == 0)
				dup = 1;
		}
		if (!dup)
			add[nadd++] = ips[i];
	}
	disabled = public_disabled(registry);
	if (!disabled && nadd == 0)
		return ad_error_set(err, AD_EINVAL,
			_("every address is already in the IP rules of registry %s"),
			name);

	rules = existing_rules(registry);
	if (!rules)
		return ad_error_set(err, AD_ENOMEM, _("out of memory"));
	nrules = cJSON_GetArraySize(rules);
	if ((size_t)nrules + nadd > ACR_MAX_IP_RULES) {
		cJSON_Delete(rules);
		return ad_error_set(err, AD_EUNSUPP,
			_("registry %s already has %d IP rules; %zu more would pass the limit of %d"),
			name, nrules, nadd, ACR_MAX_IP_RULES);
	}
	snprintf(url, sizeof url, "%s%s?api-version=%s", f->ctx->arm,
		 registry_id, API_ACR);

	if (disabled) {
		snprintf(title, sizeof title,
			 _("Turn public network access of %s on, for selected networks only (default action Deny)"),
			 name);
		snprintf(cmd, sizeof cmd,
			 "az acr update --name %s --public-network-enabled true --default-action Deny",
			 name);
		rc = add_step(plan, title, url,
			      patch_body("Enabled", "Deny", rules), cmd, err);
		if (rc != 0) {
			cJSON_Delete(rules);
			return rc;
		}
		plan->steps[plan->nsteps - 1].confirm_separately = 1;
		snprintf(plan->steps[plan->nsteps - 1].warning,
			 sizeof plan->steps[0].warning,
			 _("Public network access of %s is Disabled: it is reachable only through its private endpoints. This step opens its public endpoint, but only to the addresses in its IP rules (default action Deny); everyone else stays refused. Say yes to this step on its own only if pulling over the public endpoint is intended."),
			 name);
		def = "Deny";
	}
	if (nadd == 0) {
		cJSON_Delete(rules);
		return 0;
	}
	cmd[0] = '\0';
	for (i = 0; i < nadd; i++) {
		cJSON *r = cJSON_CreateObject();
		size_t len = strlen(cmd);

		if (!r || !cJSON_AddStringToObject(r, "action", "Allow") ||
		    !cJSON_AddStringToObject(r, "value", add[i])) {
			cJSON_Delete(r);
			cJSON_Delete(rules);
			return ad_error_set(err, AD_ENOMEM, _("out of memory"));
		}
		cJSON_AddItemToArray(rules, r);
		snprintf(cmd + len, sizeof cmd - len,
			 "%saz acr network-rule add --name %s --ip-address %s",
			 i ? " && " : "", name, add[i]);
		used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
					 i ? ", " : "", add[i]);
		if (used >= sizeof list)
			used = sizeof list - 1;
	}
	snprintf(title, sizeof title, _("Allow %.180s in the IP rules of registry %s"),
		 list, name);
	rc = add_step(plan, title, url,
		      patch_body(NULL, def && strcasecmp(def, "Allow") == 0 ?
				 "Allow" : "Deny", rules), cmd, err);
	cJSON_Delete(rules);
	if (rc != 0)
		return rc;
	if (!plan->summary[0])
		snprintf(plan->summary, sizeof plan->summary,
			 ngettext("Add %s to the IP rules of registry %s (%zu new rule, %d kept).",
				  "Add %s to the IP rules of registry %s (%zu new rules, %d kept).",
				  (unsigned long)nadd),
			 list, name, nadd, nrules);
	return 0;
}
