/* azfw.c - what an Azure Firewall's rules say of one TCP flow. */
#include "config.h"
#include "checks/azfw.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "fixes/netrule.h"
#include "jsonu.h"
#include "textw.h"

#define MAX_COLLECTIONS 512   /* bound on what one answer is sorted over */

const char *azfw_verdict_str(enum azfw_verdict v)
{
	switch (v) {
	case AZFW_ALLOW: return "allow";
	case AZFW_DENY: return "deny";
	case AZFW_NO_RULE: return "no rule";
	default: return "unsure";
	}
}

/* An address entry of a rule: "*", an address, a CIDR or "a-b", as the
 * range [lo, hi].  -1 for what is not an address (a service tag, a
 * name): such an entry never covers a private address. */
static int addr_range(const char *e, uint32_t *lo, uint32_t *hi)
{
	const char *dash;
	char first[16];
	uint32_t x;

	if (!e)
		return -1;
	if (strcmp(e, "*") == 0) {
		*lo = 0;
		*hi = UINT32_MAX;
		return 0;
	}
	if ((dash = strchr(e, '-')) == NULL)
		return netrule_ip_range(e, 1, lo, hi);
	if ((size_t)(dash - e) >= sizeof first)
		return -1;
	memcpy(first, e, (size_t)(dash - e));
	first[dash - e] = '\0';
	return netrule_ip_range(first, 0, lo, &x) == 0 &&
	       netrule_ip_range(dash + 1, 0, &x, hi) == 0 && *lo <= *hi ?
	       0 : -1;
}

/* Does one of arr's entries hold all of [lo, hi]? */
static int covers(const cJSON *arr, uint32_t lo, uint32_t hi)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, arr) {
		uint32_t a, b;

		if (cJSON_IsString(e) && addr_range(e->valuestring, &a, &b) == 0 &&
		    a <= lo && hi <= b)
			return 1;
	}
	return 0;
}

static int port_in(const cJSON *arr, int port)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, arr) {
		const char *s = cJSON_IsString(e) ? e->valuestring : NULL;
		char *end;
		long a, b;

		if (cJSON_IsNumber(e) && (int)e->valuedouble == port)
			return 1;
		if (!s)
			continue;
		if (strcmp(s, "*") == 0)
			return 1;
		a = strtol(s, &end, 10);
		b = a;
		if (end != s && *end == '-')
			b = strtol(end + 1, &end, 10);
		if (end != s && *end == '\0' && a <= port && port <= b)
			return 1;
	}
	return 0;
}

static int has_str_ci(const cJSON *arr, const char *a, const char *b)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, arr)
		if (cJSON_IsString(e) && (strcasecmp(e->valuestring, a) == 0 ||
					  (b && strcasecmp(e->valuestring, b) == 0)))
			return 1;
	return 0;
}

/* An FQDN entry naming fqdn, itself or as "*.parent". */
static int fqdn_in(const cJSON *arr, const char *fqdn)
{
	const cJSON *e;

	if (!fqdn || !fqdn[0])
		return 0;
	cJSON_ArrayForEach(e, arr) {
		const char *s = cJSON_IsString(e) ? e->valuestring : "";
		const char *dot = strchr(fqdn, '.');

		if (strcasecmp(s, fqdn) == 0 || strcmp(s, "*") == 0 ||
		    (s[0] == '*' && s[1] == '.' && dot &&
		     strcasecmp(s + 1, dot) == 0))
			return 1;
	}
	return 0;
}

static double num(const cJSON *root, const char *path, double dflt)
{
	const cJSON *n = jsonu_path(root, path);

	return cJSON_IsNumber(n) ? n->valuedouble : dflt;
}

enum match { NO, YES, MAYBE };

/* One flow being judged, and what the rule at hand could not tell. */
struct judge {
	const struct azfw_flow *fl;
	const struct azfw_rules *rs;
	uint32_t slo, shi, dst;
	const char *unread;   /* an IP group the rule names, not read */
	int proxy;            /* names in network rules are matched */
	int by_name;          /* the rule at hand matched the login server
			       * by name */
	char skipped[200];    /* the first rule naming it, skipped for
			       * want of the DNS proxy */
};

static const cJSON *ipgroup(const struct azfw_rules *rs, const char *id)
{
	size_t i;

	for (i = 0; rs && i < rs->nipgroups; i++) {
		const char *gid = jsonu_str(rs->ipgroups[i], "id");

		if (gid && jsonu_id_eq(gid, id))
			return rs->ipgroups[i];
	}
	return NULL;
}

/* Is [lo, hi] held by one entry of an IP group of ids?  MAYBE when it
 * is not and a group named was not read. */
static enum match in_groups(struct judge *j, const cJSON *ids,
			    uint32_t lo, uint32_t hi)
{
	const cJSON *e;
	int unread = 0;

	cJSON_ArrayForEach(e, ids) {
		const cJSON *g;

		if (!cJSON_IsString(e))
			continue;
		if ((g = ipgroup(j->rs, e->valuestring)) == NULL) {
			unread = 1;
			if (!j->unread)
				j->unread = e->valuestring;
			continue;
		}
		if (covers(jsonu_array(g, "properties.ipAddresses"), lo, hi))
			return YES;
	}
	return unread ? MAYBE : NO;
}

/* Addresses or IP groups of a rule's side holding [lo, hi]. */
static enum match side(struct judge *j, const cJSON *r, const char *addrs,
		       const char *groups, uint32_t lo, uint32_t hi)
{
	if (covers(jsonu_array(r, addrs), lo, hi))
		return YES;
	return in_groups(j, jsonu_array(r, groups), lo, hi);
}

static enum match both(enum match a, enum match b)
{
	if (a == NO || b == NO)
		return NO;
	return a == YES && b == YES ? YES : MAYBE;
}

/* A network rule (policy: ipProtocols, classic: protocols). */
static enum match net_rule(struct judge *j, const cJSON *r)
{
	const cJSON *protos = jsonu_array(r, "ipProtocols");
	enum match dest, src;

	if (!protos)
		protos = jsonu_array(r, "protocols");
	if (!has_str_ci(protos, "TCP", "Any") ||
	    !port_in(jsonu_array(r, "destinationPorts"), j->fl->port))
		return NO;
	dest = side(j, r, "destinationAddresses", "destinationIpGroups",
		    j->dst, j->dst);
	src = side(j, r, "sourceAddresses", "sourceIpGroups", j->slo, j->shi);
	/* A name in a network rule: the firewall resolves it itself, with
	 * its DNS proxy, and ignores it without. */
	if (dest != YES && fqdn_in(jsonu_array(r, "destinationFqdns"),
				   j->fl->fqdn)) {
		if (j->proxy) {
			dest = YES;
			j->by_name = 1;
		} else if (!j->skipped[0] && src != NO) {
			const char *rn = jsonu_str(r, "name");

			tw_clean_copy(j->skipped, sizeof j->skipped,
				      rn ? rn : "?");
		}
	}
	return both(src, dest);
}

/* An application rule: HTTPS on the port to the login server. */
static enum match app_rule(struct judge *j, const cJSON *r)
{
	const cJSON *p;
	int https = 0;

	cJSON_ArrayForEach(p, jsonu_array(r, "protocols")) {
		const char *t = jsonu_str(p, "protocolType");
		const cJSON *port = cJSON_GetObjectItemCaseSensitive(p, "port");

		if (t && strcasecmp(t, "Https") == 0 && cJSON_IsNumber(port) &&
		    (int)port->valuedouble == j->fl->port)
			https = 1;
	}
	if (!https || !fqdn_in(jsonu_array(r, "targetFqdns"), j->fl->fqdn))
		return NO;
	return side(j, r, "sourceAddresses", "sourceIpGroups", j->slo, j->shi);
}

struct coll {
	size_t layer;
	double gprio, cprio;
	const char *group, *name, *action;
	const cJSON *rules;
};

/* A parent's rules before its child's, then by priority. */
static int coll_cmp(const void *a, const void *b)
{
	const struct coll *x = a, *y = b;

	if (x->layer != y->layer)
		return x->layer < y->layer ? -1 : 1;
	if (x->gprio != y->gprio)
		return x->gprio < y->gprio ? -1 : 1;
	if (x->cprio != y->cprio)
		return x->cprio < y->cprio ? -1 : 1;
	return 0;
}

/* "group/collection/rule", or "collection/rule" for classic rules, and
 * " (policy)" after a rule an ancestor policy holds. */
static void name_rule(struct azfw_answer *out, const struct coll *c,
		      const cJSON *r, const struct azfw_rules *rs)
{
	const char *rn = jsonu_str(r, "name");
	const char *pol = rs && c->layer + 1 < rs->nlayers ?
			  rs->names[c->layer] : NULL;
	char raw[sizeof out->rule];

	snprintf(raw, sizeof raw, "%.60s%s%.60s/%.60s%s%.40s%s",
		 c->group ? c->group : "", c->group ? "/" : "",
		 c->name ? c->name : "?", rn ? rn : "?",
		 pol ? " (" : "", pol ? pol : "", pol ? ")" : "");
	tw_clean_copy(out->rule, sizeof out->rule, raw);
	out->layer = c->layer;
	out->group_priority = c->gprio;
}

/* Run one phase (network or application) over cs[0..n) sorted; 1 when
 * it decided (out filled). */
static int phase(struct coll *cs, size_t n, int app, struct judge *j,
		 struct azfw_answer *out)
{
	size_t i;

	qsort(cs, n, sizeof *cs, coll_cmp);
	for (i = 0; i < n; i++) {
		const cJSON *r;

		cJSON_ArrayForEach(r, cs[i].rules) {
			const char *type = jsonu_str(r, "ruleType");
			enum match m;

			/* Policy collections hold one kind of rule, named by
			 * ruleType; classic ones are typed by their list. */
			if (type && strcmp(type, app ? "ApplicationRule" :
					   "NetworkRule") != 0)
				continue;
			j->unread = NULL;
			j->by_name = 0;
			m = app ? app_rule(j, r) : net_rule(j, r);
			if (m == NO)
				continue;
			name_rule(out, &cs[i], r, j->rs);
			if (m == MAYBE) {
				char g[80];

				tw_clean_copy(g, sizeof g, j->unread ?
					      jsonu_id_name(j->unread) : "?");
				out->v = AZFW_UNSURE;
				snprintf(out->why, sizeof out->why,
					 "rule %.80s uses the IP group %.60s, which was not read",
					 out->rule, g);
				return 1;
			}
			out->v = cs[i].action &&
				 strcasecmp(cs[i].action, "Allow") == 0 ?
				 AZFW_ALLOW : AZFW_DENY;
			if (j->by_name)
				snprintf(out->note, sizeof out->note,
					 "matched by the name %.60s: the firewall resolves it itself, and must get the private endpoint's address",
					 j->fl->fqdn);
			return 1;
		}
	}
	return 0;
}

/* A classic firewall's rule collections, network then application. */
static const char *const classic_lists[] = {
	"properties.networkRuleCollections",
	"properties.applicationRuleCollections"
};

/* Every rule of fw's classic collections and of rs's layers: fn(rule,
 * arg). */
static void each_rule(const cJSON *fw, const struct azfw_rules *rs,
		      void (*fn)(const cJSON *r, void *arg), void *arg)
{
	const cJSON *g, *c, *r;
	size_t k;

	for (k = 0; k < 2; k++)
		cJSON_ArrayForEach(c, jsonu_array(fw, classic_lists[k]))
			cJSON_ArrayForEach(r, jsonu_array(c, "properties.rules"))
				fn(r, arg);
	for (k = 0; rs && k < rs->nlayers; k++)
		cJSON_ArrayForEach(g, jsonu_array(rs->layers[k], "value"))
			cJSON_ArrayForEach(c, jsonu_array(g, "properties.ruleCollections"))
				cJSON_ArrayForEach(r, jsonu_array(c, "rules"))
					fn(r, arg);
}

struct refs {
	const char **ids;
	size_t n, max;
};

static void add_refs(const cJSON *r, void *arg)
{
	static const char *const sides[] = { "sourceIpGroups",
					     "destinationIpGroups" };
	struct refs *rf = arg;
	const cJSON *e;
	size_t k, i;

	for (k = 0; k < 2; k++)
		cJSON_ArrayForEach(e, jsonu_array(r, sides[k])) {
			if (!cJSON_IsString(e) || !e->valuestring[0])
				continue;
			for (i = 0; i < rf->n; i++)
				if (jsonu_id_eq(rf->ids[i], e->valuestring))
					break;
			if (i == rf->n && rf->n < rf->max)
				rf->ids[rf->n++] = e->valuestring;
		}
}

size_t azfw_ipgroup_refs(const cJSON *fw, const struct azfw_rules *rs,
			 const char **ids, size_t max)
{
	struct refs rf = { ids, 0, max };

	each_rule(fw, rs, add_refs, &rf);
	return rf.n;
}

static int priority_used(const cJSON *groups, long p)
{
	const cJSON *g;

	cJSON_ArrayForEach(g, jsonu_array(groups, "value"))
		if ((long)num(g, "properties.priority", -1) == p)
			return 1;
	return 0;
}

long azfw_free_priority(const cJSON *groups, long want, long below)
{
	long p;

	if (below > 0) {
		for (p = (below > 65001 ? 65001 : below) - 1; p >= 100; p--)
			if (!priority_used(groups, p))
				return p;
		return -1;
	}
	for (p = want < 100 ? 100 : want; p <= 65000; p++)
		if (!priority_used(groups, p))
			return p;
	return -1;
}

int azfw_free_group_name(const cJSON *groups, const char *base, char *buf,
			 size_t len)
{
	int k;

	for (k = 1; k <= 9; k++) {
		const cJSON *g;
		int taken = 0;

		if ((size_t)snprintf(buf, len, k == 1 ? "%s" : "%s-%d", base, k) >= len)
			return -1;
		cJSON_ArrayForEach(g, jsonu_array(groups, "value")) {
			const char *n = jsonu_str(g, "name");

			taken |= n && strcasecmp(n, buf) == 0;
		}
		if (!taken)
			return 0;
	}
	return -1;
}

const cJSON *azfw_find(const cJSON *list, const char *ip)
{
	const cJSON *fw;

	if (!ip)
		return NULL;
	cJSON_ArrayForEach(fw, jsonu_array(list, "value")) {
		const cJSON *c;
		const char *hub = jsonu_str(fw,
			"properties.hubIPAddresses.privateIPAddress");

		if (hub && strcmp(hub, ip) == 0)
			return fw;
		cJSON_ArrayForEach(c, jsonu_array(fw, "properties.ipConfigurations")) {
			const char *a = jsonu_str(c, "properties.privateIPAddress");

			if (a && strcmp(a, ip) == 0)
				return fw;
		}
	}
	return NULL;
}

/* Whether a classic firewall's network rules match names: its DNS
 * proxy on, or names allowed without it, among its additionalProperties
 * (keys with dots, so not paths). */
static int classic_dns_proxy(const cJSON *fw)
{
	const cJSON *ap = jsonu_path(fw, "properties.additionalProperties");
	const cJSON *on = cJSON_GetObjectItemCaseSensitive(ap,
		"Network.DNS.EnableProxy");
	const cJSON *req = cJSON_GetObjectItemCaseSensitive(ap,
		"Network.DNS.RequireProxyForNetworkRules");

	return (cJSON_IsString(on) && strcasecmp(on->valuestring, "true") == 0) ||
	       (cJSON_IsString(req) && strcasecmp(req->valuestring, "false") == 0);
}

void azfw_evaluate(const cJSON *fw, const struct azfw_rules *rs,
		   const struct azfw_flow *fl, struct azfw_answer *out)
{
	struct coll *net, *app;
	size_t nn = 0, na = 0, k;
	struct judge j = { fl, rs, 0, 0, 0, NULL, 0, 0, "" };
	int policy = jsonu_str(fw, "properties.firewallPolicy.id") != NULL;
	int done = 0;

	memset(out, 0, sizeof *out);
	out->v = AZFW_UNSURE;
	if (!fl->src_prefix || addr_range(fl->src_prefix, &j.slo, &j.shi) != 0 ||
	    !fl->dst_ip || addr_range(fl->dst_ip, &j.dst, &j.dst) != 0) {
		snprintf(out->why, sizeof out->why,
			 "the source subnet or the destination is not an address");
		return;
	}
	if (policy && (!rs || rs->nlayers == 0)) {
		snprintf(out->why, sizeof out->why,
			 "the firewall policy's rules were not read");
		return;
	}
	net = calloc(MAX_COLLECTIONS, sizeof *net);
	app = calloc(MAX_COLLECTIONS, sizeof *app);
	if (!net || !app) {
		free(net);
		free(app);
		snprintf(out->why, sizeof out->why, "out of memory");
		return;
	}
	for (k = 0; policy && k < rs->nlayers && k < AZFW_MAX_LAYERS; k++) {
		const cJSON *g, *c;

		cJSON_ArrayForEach(g, jsonu_array(rs->layers[k], "value"))
			cJSON_ArrayForEach(c, jsonu_array(g, "properties.ruleCollections")) {
				const char *t = jsonu_str(c, "ruleCollectionType");
				struct coll x = {
					k, num(g, "properties.priority", 65000),
					num(c, "priority", 65000),
					jsonu_str(g, "name"), jsonu_str(c, "name"),
					jsonu_str(c, "action.type"),
					jsonu_array(c, "rules") };

				if (!t || strcmp(t, "FirewallPolicyFilterRuleCollection") != 0)
					continue;
				/* A filter collection may hold either kind. */
				if (nn < MAX_COLLECTIONS)
					net[nn++] = x;
				if (na < MAX_COLLECTIONS)
					app[na++] = x;
			}
	}
	if (!policy) {
		struct coll *to[] = { net, app };
		size_t *n[] = { &nn, &na };
		const cJSON *c;

		for (k = 0; k < 2; k++)
			cJSON_ArrayForEach(c, jsonu_array(fw, classic_lists[k])) {
				struct coll x = { 0, 0, num(c, "properties.priority", 65000),
						  NULL, jsonu_str(c, "name"),
						  jsonu_str(c, "properties.action.type"),
						  jsonu_array(c, "properties.rules") };

				if (*n[k] < MAX_COLLECTIONS)
					to[k][(*n[k])++] = x;
			}
	}
	j.proxy = policy ? rs->dns_proxy : classic_dns_proxy(fw);
	/* Network rules first, then application rules (classic rules carry
	 * no ruleType: their list types them). */
	done = phase(net, nn, 0, &j, out) || phase(app, na, 1, &j, out);
	free(net);
	free(app);
	if (!done) {
		out->v = AZFW_NO_RULE;
		tw_clean_copy(out->skipped, sizeof out->skipped, j.skipped);
		if (j.skipped[0])
			snprintf(out->note, sizeof out->note,
				 "rule %.60s names %.60s, but network rules match names only with the firewall's DNS proxy on, and it is off",
				 j.skipped, fl->fqdn);
	}
}
