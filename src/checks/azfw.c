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

static int nonempty(const cJSON *arr)
{
	return cJSON_GetArraySize(arr) > 0;
}

enum match { NO, YES, MAYBE };

/* A network rule (policy: ipProtocols, classic: protocols). */
static enum match net_rule(const cJSON *r, const struct azfw_flow *fl,
			   uint32_t slo, uint32_t shi, uint32_t dst)
{
	const cJSON *protos = jsonu_array(r, "ipProtocols");
	int src, dest;

	if (!protos)
		protos = jsonu_array(r, "protocols");
	if (!has_str_ci(protos, "TCP", "Any") ||
	    !port_in(jsonu_array(r, "destinationPorts"), fl->port))
		return NO;
	src = covers(jsonu_array(r, "sourceAddresses"), slo, shi);
	dest = covers(jsonu_array(r, "destinationAddresses"), dst, dst) ||
	       fqdn_in(jsonu_array(r, "destinationFqdns"), fl->fqdn);
	if (src && dest)
		return YES;
	/* IP groups are other resources, not read here. */
	if ((src || nonempty(jsonu_array(r, "sourceIpGroups"))) &&
	    (dest || nonempty(jsonu_array(r, "destinationIpGroups"))))
		return MAYBE;
	return NO;
}

/* An application rule: HTTPS on the port to the login server. */
static enum match app_rule(const cJSON *r, const struct azfw_flow *fl,
			   uint32_t slo, uint32_t shi)
{
	const cJSON *p;
	int https = 0;

	cJSON_ArrayForEach(p, jsonu_array(r, "protocols")) {
		const char *t = jsonu_str(p, "protocolType");
		const cJSON *port = cJSON_GetObjectItemCaseSensitive(p, "port");

		if (t && strcasecmp(t, "Https") == 0 && cJSON_IsNumber(port) &&
		    (int)port->valuedouble == fl->port)
			https = 1;
	}
	if (!https || !fqdn_in(jsonu_array(r, "targetFqdns"), fl->fqdn))
		return NO;
	if (covers(jsonu_array(r, "sourceAddresses"), slo, shi))
		return YES;
	return nonempty(jsonu_array(r, "sourceIpGroups")) ? MAYBE : NO;
}

struct coll {
	double gprio, cprio;
	const char *group, *name, *action;
	const cJSON *rules;
};

static int coll_cmp(const void *a, const void *b)
{
	const struct coll *x = a, *y = b;

	if (x->gprio != y->gprio)
		return x->gprio < y->gprio ? -1 : 1;
	if (x->cprio != y->cprio)
		return x->cprio < y->cprio ? -1 : 1;
	return 0;
}

static void name_rule(struct azfw_answer *out, const struct coll *c,
		      const cJSON *r)
{
	const char *rn = jsonu_str(r, "name");
	char raw[sizeof out->rule];

	snprintf(raw, sizeof raw, "%.60s%s%.60s/%.60s",
		 c->group ? c->group : "", c->group ? "/" : "",
		 c->name ? c->name : "?", rn ? rn : "?");
	tw_clean_copy(out->rule, sizeof out->rule, raw);
}

/* Run one phase (network or application) over cs[0..n) sorted; 1 when
 * it decided (out filled). */
static int phase(struct coll *cs, size_t n, int app,
		 const struct azfw_flow *fl, uint32_t slo, uint32_t shi,
		 uint32_t dst, struct azfw_answer *out)
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
			m = app ? app_rule(r, fl, slo, shi) :
				  net_rule(r, fl, slo, shi, dst);
			if (m == NO)
				continue;
			name_rule(out, &cs[i], r);
			if (m == MAYBE) {
				out->v = AZFW_UNSURE;
				snprintf(out->why, sizeof out->why,
					 "rule %.100s uses IP groups, which are not read",
					 out->rule);
				return 1;
			}
			out->v = cs[i].action &&
				 strcasecmp(cs[i].action, "Allow") == 0 ?
				 AZFW_ALLOW : AZFW_DENY;
			return 1;
		}
	}
	return 0;
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

void azfw_evaluate(const cJSON *fw, const cJSON *groups, int base_policy,
		   const struct azfw_flow *fl, struct azfw_answer *out)
{
	struct coll *net, *app;
	size_t nn = 0, na = 0;
	uint32_t slo, shi, dst;
	int policy = jsonu_str(fw, "properties.firewallPolicy.id") != NULL;
	int done = 0;

	memset(out, 0, sizeof *out);
	out->v = AZFW_UNSURE;
	if (!fl->src_prefix || addr_range(fl->src_prefix, &slo, &shi) != 0 ||
	    !fl->dst_ip || addr_range(fl->dst_ip, &dst, &dst) != 0) {
		snprintf(out->why, sizeof out->why,
			 "the source subnet or the destination is not an address");
		return;
	}
	if (policy && base_policy) {
		snprintf(out->why, sizeof out->why,
			 "the firewall policy inherits rules from a parent policy, which are not read");
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
	if (policy) {
		const cJSON *g, *c;

		cJSON_ArrayForEach(g, jsonu_array(groups, "value"))
			cJSON_ArrayForEach(c, jsonu_array(g, "properties.ruleCollections")) {
				const char *t = jsonu_str(c, "ruleCollectionType");
				struct coll x = {
					num(g, "properties.priority", 65000),
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
	} else {
		static const char *const lists[] = {
			"properties.networkRuleCollections",
			"properties.applicationRuleCollections"
		};
		struct coll *to[] = { net, app };
		size_t *n[] = { &nn, &na }, k;
		const cJSON *c;

		for (k = 0; k < 2; k++)
			cJSON_ArrayForEach(c, jsonu_array(fw, lists[k])) {
				struct coll x = { 0, num(c, "properties.priority", 65000),
						  NULL, jsonu_str(c, "name"),
						  jsonu_str(c, "properties.action.type"),
						  jsonu_array(c, "properties.rules") };

				if (*n[k] < MAX_COLLECTIONS)
					to[k][(*n[k])++] = x;
			}
	}
	/* Network rules first, then application rules (classic rules carry
	 * no ruleType: their list types them). */
	done = phase(net, nn, 0, fl, slo, shi, dst, out) ||
	       phase(app, na, 1, fl, slo, shi, dst, out);
	free(net);
	free(app);
	if (!done)
		out->v = AZFW_NO_RULE;
}
