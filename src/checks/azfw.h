/* azfw.h - what an Azure Firewall's rules say of one TCP flow.
 *
 * The cluster's route to a registry's private endpoint may go through an
 * Azure Firewall (hub and spoke).  Its rules are read from ARM: the
 * classic rule collections of the azureFirewalls resource, or, when it
 * has a firewall policy, that policy's rule collection groups.  Azure
 * Firewall processes network rules before application rules, each set
 * by priority (a group's, then a collection's), the first rule that
 * matches decides, and nothing matching is a deny.  A policy may inherit
 * from a parent policy, whose rules come before its own (the parent's
 * network rules before the child's, and so on for application rules).
 * Rules may name IP groups, other resources holding address lists.
 * Pure functions over the JSON ARM returns: no request is sent here. */
#ifndef AD_CHECKS_AZFW_H
#define AD_CHECKS_AZFW_H

#include <stddef.h>

struct cJSON;

enum azfw_verdict {
	AZFW_ALLOW,     /* rule names the rule that lets it through */
	AZFW_DENY,      /* rule names the Deny rule that matched first */
	AZFW_NO_RULE,   /* no rule matches: the firewall's default deny */
	AZFW_UNSURE     /* why says what cannot be told (an IP group
			 * not read, addresses that are not addresses) */
};

#define AZFW_MAX_LAYERS   4   /* a policy and up to three ancestors */
#define AZFW_MAX_IPGROUPS 32

/* What a policy firewall's rules are made of, as read from ARM.  The
 * JSON is borrowed: the caller owns it and keeps it alive. */
struct azfw_rules {
	/* Each policy's ruleCollectionGroups list ({"value":[...]}), the
	 * topmost ancestor first, the firewall's own policy last; and
	 * their names, for the answer. */
	const struct cJSON *layers[AZFW_MAX_LAYERS];
	const char *names[AZFW_MAX_LAYERS];
	size_t nlayers;
	/* The IP groups read (ipGroups resources); a rule naming one that
	 * is not here cannot be judged. */
	const struct cJSON *ipgroups[AZFW_MAX_IPGROUPS];
	size_t nipgroups;
	/* Network rules match names (destinationFqdns): a policy of the
	 * chain turns the DNS proxy on, or says names need no proxy
	 * (requireProxyForNetworkRules false, the firewall then resolving
	 * them itself).  Without either they match nothing.  A classic
	 * firewall says so itself (additionalProperties). */
	int dns_proxy;
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
	char why[256];            /* AZFW_UNSURE: English, for evidence */
	size_t layer;             /* the deciding rule's layer of
				   * azfw_rules (0 for classic rules) */
	double group_priority;    /* its rule collection group's */
	char note[240];           /* English, for evidence: the deciding rule
				   * matched the login server by name, or a
				   * rule naming it was skipped (no DNS
				   * proxy); "" otherwise */
	char skipped[80];         /* AZFW_NO_RULE: that rule's name, "" for
				   * none */
};

/* The firewall of list ({"value":[azureFirewalls]}) whose private
 * address (an IP configuration's, or a secured hub's) is ip; NULL when
 * none is. */
const struct cJSON *azfw_find(const struct cJSON *list, const char *ip);

/* Judge flow by fw's own rule collections, or by rs's layers when fw
 * has a policy.  rs may be NULL for a classic firewall without IP
 * groups. */
void azfw_evaluate(const struct cJSON *fw, const struct azfw_rules *rs,
		   const struct azfw_flow *flow, struct azfw_answer *out);

/* The ids of the IP groups fw's rules (or rs's layers') name, each once
 * (compared without case), at most max of them, into ids (borrowed from
 * the JSON); returns how many. */
size_t azfw_ipgroup_refs(const struct cJSON *fw, const struct azfw_rules *rs,
			 const char **ids, size_t max);

/* A rule collection group priority free in groups (a policy's
 * ruleCollectionGroups list) for a new group: below > 0, the highest
 * free one under below (so the new group comes first), -1 when none is
 * left from 100; otherwise the lowest free one from want up, -1 past
 * 65000. */
long azfw_free_priority(const struct cJSON *groups, long want, long below);

/* A group name not in groups: base, else base-2 ... base-9; 0, or -1
 * when all are taken or buf is too small. */
int azfw_free_group_name(const struct cJSON *groups, const char *base,
			 char *buf, size_t len);

/* "allow", "deny", "no rule", "unsure". */
const char *azfw_verdict_str(enum azfw_verdict v);

#endif
