/* netrule.h - the registry firewall: is an address allowed, and the plan
 * that adds addresses to it (shared by the AKS and App Service fixes). */
#ifndef AD_NETRULE_H
#define AD_NETRULE_H

#include <stddef.h>
#include <stdint.h>

struct cJSON;
struct facts;
struct fix_plan;
struct ad_error;

/* Plan adding IPs to the registry firewall.  registry = the registry GET
 * body.  If properties.publicNetworkAccess is "Disabled", first add a
 * separate step (confirm_separately=1, with a warning explaining that it
 * opens the public endpoint to the listed IPs only) PATCHing
 * {"properties":{"publicNetworkAccess":"Enabled","networkRuleSet":
 * {"defaultAction":"Deny"}}}; then a PATCH of networkRuleSet.ipRules =
 * existing rules + {"action":"Allow","value":ip} for each ip not already
 * present (no duplicates).  Registry SKU must be Premium: otherwise
 * AD_EUNSUPP with a message.  command = `az acr network-rule add --name
 * <acr> --ip-address <ip>` per ip.  Every ip must be a valid IPv4 address
 * or CIDR (AD_EINVAL otherwise).  Returns 0 or negative AD_E*. */
int netrule_plan(struct fix_plan *plan, struct facts *f,
		 const char *registry_id, const struct cJSON *registry,
		 const char *const *ips, size_t nips, struct ad_error *err);

/* Is ip allowed by the registry's firewall?  (publicNetworkAccess Enabled
 * and defaultAction Allow, or ip inside one of ipRules[].value which can
 * be an address or CIDR).  1 allowed, 0 not (or invalid input). */
int netrule_allows(const struct cJSON *registry, const char *ip);

/* Is ip (an IPv4 address) inside cidr (an IPv4 address or a.b.c.d/n)?
 * 1 yes, 0 no or when either does not parse. */
int netrule_ip_in(const char *ip, const char *cidr);
/* 1 when s is an IPv4 address (cidr_ok: or a.b.c.d/n), strictly. */
int netrule_ip_valid(const char *s, int cidr_ok);
/* The addresses s covers (an address, or with cidr_ok a.b.c.d/n) as
 * [lo, hi] in host order; 0, or -1 when s does not parse. */
int netrule_ip_range(const char *s, int cidr_ok, uint32_t *lo, uint32_t *hi);

#endif
