/* azfw.h - what an Azure Firewall's rules say of one TCP flow.
 *
 * The cluster's route to a registry's private endpoint may go through an
 * Azure Firewall (hub and spoke).  Its rules are read from ARM: the
 * classic rule collections of the azureFirewalls resource, or, when it
 * has a firewall policy, that policy's rule collection groups.  Azure
 * Firewall processes network rules before application rules, each set
 * by priority (a group's, then a collection's), the first rule that
 * matches decides, and nothing matching is a deny.  Pure functions over
 * the JSON ARM returns: no request is sent here. */
#ifndef AD_CHECKS_AZFW_H
#define AD_CHECKS_AZFW_H

#include <stddef.h>

struct cJSON;

enum azfw_verdict {
	AZFW_ALLOW,     /* rule names the rule that lets it through */
	AZFW_DENY,      /* rule names the Deny rule that matched first */
	AZFW_NO_RULE,   /* no rule matches: the firewall's default deny */
	AZFW_UNSURE     /* why says what cannot be told (IP groups, a
			 * parent policy, a rule too odd to read) */
};

struct azfw_flow {
	const char *src_prefix;   /* the nodes' subnet, a.b.c.d/n */
	const char *dst_ip;       /* the private endpoint's address */
	const char *fqdn;         /* the registry's login server */
	int port;                 /* 443 */
};

struct azfw_answer {
	enum azfw_verdict v;
	char rule[200];           /* "group/collection/rule" or
				   * "collection/rule" (names from ARM,
				   * printable), "" for none */
	char why[160];            /* AZFW_UNSURE: English, for evidence */
};

/* The firewall of list ({"value":[azureFirewalls]}) whose private
 * address (an IP configuration's, or a secured hub's) is ip; NULL when
 * none is. */
const struct cJSON *azfw_find(const struct cJSON *list, const char *ip);

/* Judge flow by fw's own rule collections, or by groups (the policy's
 * ruleCollectionGroups list, {"value":[...]}) when fw has a policy.
 * base_policy: the policy inherits a parent's rules, which come first
 * and are not read here, so the answer is AZFW_UNSURE. */
void azfw_evaluate(const struct cJSON *fw, const struct cJSON *groups,
		   int base_policy, const struct azfw_flow *flow,
		   struct azfw_answer *out);

/* "allow", "deny", "no rule", "unsure". */
const char *azfw_verdict_str(enum azfw_verdict v);

#endif
