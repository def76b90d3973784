/* test_azfw.c - what an Azure Firewall's rules say of the nodes' TCP 443
 * to a registry's private endpoint: classic collections and policy rule
 * collection groups, priorities, network before application rules,
 * address forms, IP groups and parent policies. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cjson/cJSON.h>

#include "checks/azfw.h"

static const struct azfw_flow FLOW = { "10.224.0.0/16", "10.10.1.5",
				       "acrshop.azurecr.io", 443 };

static cJSON *parse(const char *s)
{
	cJSON *j = cJSON_Parse(s);

	assert_non_null(j);
	return j;
}

/* A policy firewall whose policy has the groups given: judge FLOW. */
static enum azfw_verdict policy(const char *groups, struct azfw_answer *a)
{
	cJSON *fw = parse("{\"name\":\"fw\",\"properties\":{\"firewallPolicy\":{\"id\":\"/p\"}}}");
	cJSON *g = parse(groups);
	struct azfw_rules rs = { { g }, { "p" }, 1, { NULL }, 0, 0 };

	azfw_evaluate(fw, &rs, &FLOW, a);
	cJSON_Delete(fw);
	cJSON_Delete(g);
	return a->v;
}

/* One network rule collection group holding coll (a JSON collection). */
#define GROUP(prio, name, colls) \
	"{\"name\":\"" name "\",\"properties\":{\"priority\":" #prio ",\"ruleCollections\":[" colls "]}}"
#define NETCOLL(prio, name, action, rules) \
	"{\"ruleCollectionType\":\"FirewallPolicyFilterRuleCollection\",\"name\":\"" name "\",\"priority\":" #prio \
	",\"action\":{\"type\":\"" action "\"},\"rules\":[" rules "]}"
#define NETRULE(name, src, dst, ports, protos) \
	"{\"ruleType\":\"NetworkRule\",\"name\":\"" name "\",\"ipProtocols\":[" protos "],\"sourceAddresses\":[" src \
	"],\"sourceIpGroups\":[],\"destinationAddresses\":[" dst "],\"destinationIpGroups\":[],\"destinationFqdns\":[],\"destinationPorts\":[" ports "]}"

static void test_policy_network(void **state)
{
	struct azfw_answer a;

	(void)state;
	/* Nothing at all: the default deny. */
	assert_int_equal(policy("{\"value\":[]}", &a), AZFW_NO_RULE);
	assert_string_equal(a.rule, "");
	/* An allow in every address form that covers the flow. */
	{
		static const char *const forms[][2] = {
			{ "\"10.224.0.0/16\"", "\"10.10.1.5\"" },
			{ "\"*\"", "\"10.10.1.0/24\"" },
			{ "\"10.0.0.0/8\"", "\"10.10.1.0-10.10.1.9\"" },
			{ "\"10.224.0.0-10.224.255.255\"", "\"*\"" },
		};
		size_t i;

		for (i = 0; i < sizeof forms / sizeof forms[0]; i++) {
			char full[1400];

			snprintf(full, sizeof full,
				 "{\"value\":[{\"name\":\"G\",\"properties\":{\"priority\":100,\"ruleCollections\":["
				 "{\"ruleCollectionType\":\"FirewallPolicyFilterRuleCollection\",\"name\":\"C\",\"priority\":100,"
				 "\"action\":{\"type\":\"Allow\"},\"rules\":[{\"ruleType\":\"NetworkRule\",\"name\":\"r\","
				 "\"ipProtocols\":[\"TCP\"],\"sourceAddresses\":[%s],\"destinationAddresses\":[%s],"
				 "\"destinationPorts\":[\"443\"]}]}]}}]}",
				 forms[i][0], forms[i][1]);
			assert_int_equal(policy(full, &a), AZFW_ALLOW);
			assert_string_equal(a.rule, "G/C/r");
		}
	}
	/* What does not cover the flow: part of the subnet only, another
	 * destination, a service tag (public addresses), UDP, another
	 * port. */
	assert_int_equal(policy("{\"value\":[" GROUP(100, "G", NETCOLL(100, "C", "Allow",
		NETRULE("half", "\"10.224.0.0/17\"", "\"10.10.1.5\"", "\"443\"", "\"TCP\"") ","
		NETRULE("other", "\"*\"", "\"10.10.2.5\"", "\"443\"", "\"TCP\"") ","
		NETRULE("tag", "\"*\"", "\"AzureContainerRegistry\"", "\"443\"", "\"TCP\"") ","
		NETRULE("udp", "\"*\"", "\"*\"", "\"443\"", "\"UDP\"") ","
		NETRULE("port", "\"*\"", "\"*\"", "\"80\",\"8443-9000\"", "\"TCP\"")))
		"]}", &a), AZFW_NO_RULE);
	/* Port ranges, "*" and Any count. */
	assert_int_equal(policy("{\"value\":[" GROUP(100, "G", NETCOLL(100, "C", "Allow",
		NETRULE("range", "\"*\"", "\"*\"", "\"400-500\"", "\"Any\""))) "]}", &a),
		AZFW_ALLOW);
	/* Priorities: the group's first, then the collection's, whatever
	 * the order ARM lists them in; the first match decides. */
	assert_int_equal(policy("{\"value\":["
		GROUP(300, "late", NETCOLL(100, "allow", "Allow",
			NETRULE("a", "\"*\"", "\"*\"", "\"443\"", "\"TCP\""))) ","
		GROUP(200, "early", NETCOLL(500, "allow2", "Allow",
			NETRULE("b", "\"*\"", "\"*\"", "\"443\"", "\"TCP\"")) ","
			NETCOLL(400, "deny", "Deny",
			NETRULE("c", "\"10.224.0.0/16\"", "\"10.10.1.5\"", "\"443\"", "\"TCP\"")))
		"]}", &a), AZFW_DENY);
	assert_string_equal(a.rule, "early/deny/c");
}

static void test_policy_application_and_groups(void **state)
{
	struct azfw_answer a;

	(void)state;
	/* An application rule for the login server, HTTPS on 443. */
	assert_int_equal(policy("{\"value\":[" GROUP(100, "G", NETCOLL(100, "apps", "Allow",
		"{\"ruleType\":\"ApplicationRule\",\"name\":\"acr\",\"protocols\":[{\"protocolType\":\"Https\",\"port\":443}],"
		"\"targetFqdns\":[\"*.azurecr.io\"],\"sourceAddresses\":[\"10.224.0.0/16\"]}")) "]}", &a),
		AZFW_ALLOW);
	assert_string_equal(a.rule, "G/apps/acr");
	/* ... but network rules come first, whatever the priorities. */
	assert_int_equal(policy("{\"value\":["
		GROUP(100, "G", NETCOLL(100, "apps", "Allow",
		"{\"ruleType\":\"ApplicationRule\",\"name\":\"acr\",\"protocols\":[{\"protocolType\":\"Https\",\"port\":443}],"
		"\"targetFqdns\":[\"acrshop.azurecr.io\"],\"sourceAddresses\":[\"*\"]}")) ","
		GROUP(900, "N", NETCOLL(900, "block", "Deny",
			NETRULE("all", "\"*\"", "\"10.0.0.0/8\"", "\"*\"", "\"Any\"")))
		"]}", &a), AZFW_DENY);
	assert_string_equal(a.rule, "N/block/all");
	/* HTTP only, or another name: no match. */
	assert_int_equal(policy("{\"value\":[" GROUP(100, "G", NETCOLL(100, "apps", "Allow",
		"{\"ruleType\":\"ApplicationRule\",\"name\":\"http\",\"protocols\":[{\"protocolType\":\"Http\",\"port\":80}],"
		"\"targetFqdns\":[\"*.azurecr.io\"],\"sourceAddresses\":[\"*\"]},"
		"{\"ruleType\":\"ApplicationRule\",\"name\":\"mcr\",\"protocols\":[{\"protocolType\":\"Https\",\"port\":443}],"
		"\"targetFqdns\":[\"mcr.microsoft.com\"],\"sourceAddresses\":[\"*\"]}")) "]}", &a),
		AZFW_NO_RULE);
	/* An IP group the caller did not read: unsure, naming the rule and
	 * the group. */
	assert_int_equal(policy("{\"value\":[" GROUP(100, "G", NETCOLL(100, "C", "Allow",
		"{\"ruleType\":\"NetworkRule\",\"name\":\"ipg\",\"ipProtocols\":[\"TCP\"],\"sourceAddresses\":[],"
		"\"sourceIpGroups\":[\"/x/ipGroups/aks\"],\"destinationAddresses\":[\"10.10.1.5\"],\"destinationPorts\":[\"443\"]}")) "]}",
		&a), AZFW_UNSURE);
	assert_non_null(strstr(a.why, "G/C/ipg"));
	assert_non_null(strstr(a.why, "IP group aks"));
	/* A policy firewall whose policy was not read is not judged. */
	{
		cJSON *fw = parse("{\"properties\":{\"firewallPolicy\":{\"id\":\"/p\"}}}");

		azfw_evaluate(fw, NULL, &FLOW, &a);
		assert_int_equal(a.v, AZFW_UNSURE);
		assert_non_null(strstr(a.why, "not read"));
		cJSON_Delete(fw);
	}
	/* Names from ARM are data: control characters never get out. */
	assert_int_equal(policy("{\"value\":[" GROUP(100, "G\\u001b[31m", NETCOLL(100, "C", "Allow",
		NETRULE("r\\n", "\"*\"", "\"*\"", "\"443\"", "\"TCP\""))) "]}", &a), AZFW_ALLOW);
	assert_null(strchr(a.rule, '\033'));
	assert_null(strchr(a.rule, '\n'));
}

/* A policy with a parent: the parent's rules first, whatever the
 * priorities, but network rules before application rules throughout. */
static void test_parent_policy(void **state)
{
	struct azfw_answer a;
	cJSON *fw = parse("{\"properties\":{\"firewallPolicy\":{\"id\":\"/child\"}}}");
	cJSON *parent = parse("{\"value\":[" GROUP(65000, "corp", NETCOLL(65000, "no-pe", "Deny",
		NETRULE("pe", "\"10.0.0.0/8\"", "\"10.10.0.0/16\"", "\"443\"", "\"TCP\""))) "]}");
	cJSON *child = parse("{\"value\":[" GROUP(100, "spoke", NETCOLL(100, "acr", "Allow",
		NETRULE("pe443", "\"10.224.0.0/16\"", "\"10.10.1.5\"", "\"443\"", "\"TCP\""))) "]}");
	cJSON *papp = parse("{\"value\":[" GROUP(100, "corp", NETCOLL(100, "web", "Allow",
		"{\"ruleType\":\"ApplicationRule\",\"name\":\"acr\",\"protocols\":[{\"protocolType\":\"Https\",\"port\":443}],"
		"\"targetFqdns\":[\"*.azurecr.io\"],\"sourceAddresses\":[\"*\"]}")) "]}");
	cJSON *cdeny = parse("{\"value\":[" GROUP(65000, "spoke", NETCOLL(65000, "block", "Deny",
		NETRULE("all", "\"*\"", "\"*\"", "\"*\"", "\"Any\""))) "]}");
	struct azfw_rules rs = { { parent, child }, { "fwpol-corp", "fwpol-spoke" },
				 2, { NULL }, 0, 0 };

	(void)state;
	/* The parent's Deny at 65000 comes before the child's Allow at 100. */
	azfw_evaluate(fw, &rs, &FLOW, &a);
	assert_int_equal(a.v, AZFW_DENY);
	assert_string_equal(a.rule, "corp/no-pe/pe (fwpol-corp)");
	assert_int_equal(a.layer, 0);
	assert_true(a.group_priority == 65000);
	/* Without the parent, the child's own rule allows it, named without
	 * a policy. */
	rs.layers[0] = child;
	rs.names[0] = "fwpol-spoke";
	rs.nlayers = 1;
	azfw_evaluate(fw, &rs, &FLOW, &a);
	assert_int_equal(a.v, AZFW_ALLOW);
	assert_string_equal(a.rule, "spoke/acr/pe443");
	/* A parent's application rule still comes after the child's
	 * network rules. */
	rs.layers[0] = papp;
	rs.names[0] = "fwpol-corp";
	rs.layers[1] = cdeny;
	rs.nlayers = 2;
	azfw_evaluate(fw, &rs, &FLOW, &a);
	assert_int_equal(a.v, AZFW_DENY);
	assert_string_equal(a.rule, "spoke/block/all");
	assert_int_equal(a.layer, 1);
	/* ... and decides when the child has no network rule for it. */
	rs.layers[1] = child;
	{
		struct azfw_flow other = FLOW;

		other.dst_ip = "10.10.1.6";
		azfw_evaluate(fw, &rs, &other, &a);
		assert_int_equal(a.v, AZFW_ALLOW);
		assert_string_equal(a.rule, "corp/web/acr (fwpol-corp)");
	}
	cJSON_Delete(fw);
	cJSON_Delete(parent);
	cJSON_Delete(child);
	cJSON_Delete(papp);
	cJSON_Delete(cdeny);
}

/* IP groups: the addresses of the groups read decide; one not read
 * leaves the rule unjudged; the ids are listed once each. */
static void test_ip_groups(void **state)
{
	struct azfw_answer a;
	const char *ids[4];
	cJSON *fw = parse("{\"properties\":{\"firewallPolicy\":{\"id\":\"/p\"}}}");
	cJSON *g = parse("{\"value\":[" GROUP(100, "G", NETCOLL(100, "C", "Allow",
		"{\"ruleType\":\"NetworkRule\",\"name\":\"by-group\",\"ipProtocols\":[\"TCP\"],\"sourceAddresses\":[],"
		"\"sourceIpGroups\":[\"/s/ipGroups/ipg-other\",\"/s/ipGroups/ipg-aks\"],"
		"\"destinationAddresses\":[],\"destinationIpGroups\":[\"/s/ipGroups/IPG-PE\"],\"destinationPorts\":[\"443\"]},"
		"{\"ruleType\":\"NetworkRule\",\"name\":\"again\",\"ipProtocols\":[\"TCP\"],"
		"\"sourceIpGroups\":[\"/s/ipGroups/ipg-aks\"],\"destinationIpGroups\":[\"/s/ipgroups/ipg-pe\"],\"destinationPorts\":[\"22\"]}")) "]}");
	cJSON *other = parse("{\"id\":\"/s/ipGroups/ipg-other\",\"properties\":{\"ipAddresses\":[\"192.168.0.0/16\"]}}");
	cJSON *aks = parse("{\"id\":\"/s/ipGroups/ipg-aks\",\"properties\":{\"ipAddresses\":[\"10.1.0.0/16\",\"10.224.0.0/12\"]}}");
	cJSON *pe = parse("{\"id\":\"/s/ipGroups/ipg-pe\",\"properties\":{\"ipAddresses\":[\"10.10.1.1-10.10.1.9\"]}}");
	cJSON *pe2 = parse("{\"id\":\"/s/ipGroups/ipg-pe\",\"properties\":{\"ipAddresses\":[\"10.10.2.0/24\"]}}");
	struct azfw_rules rs = { { g }, { "p" }, 1, { other, aks, pe }, 3, 0 };

	(void)state;
	assert_int_equal(azfw_ipgroup_refs(fw, &rs, ids, 4), 3);
	assert_string_equal(ids[0], "/s/ipGroups/ipg-other");
	assert_string_equal(ids[1], "/s/ipGroups/ipg-aks");
	assert_string_equal(ids[2], "/s/ipGroups/IPG-PE");
	assert_int_equal(azfw_ipgroup_refs(fw, &rs, ids, 1), 1);
	/* Both sides by group, the second source group and a range. */
	azfw_evaluate(fw, &rs, &FLOW, &a);
	assert_int_equal(a.v, AZFW_ALLOW);
	assert_string_equal(a.rule, "G/C/by-group");
	/* The destination group not holding the endpoint: no rule. */
	rs.ipgroups[2] = pe2;
	azfw_evaluate(fw, &rs, &FLOW, &a);
	assert_int_equal(a.v, AZFW_NO_RULE);
	/* The source's group not read, the other one not holding the
	 * subnet: not judged, naming the group. */
	rs.ipgroups[2] = pe;
	rs.ipgroups[1] = pe;
	rs.nipgroups = 2;
	azfw_evaluate(fw, &rs, &FLOW, &a);
	assert_int_equal(a.v, AZFW_UNSURE);
	assert_non_null(strstr(a.why, "IP group ipg-aks"));
	cJSON_Delete(fw);
	cJSON_Delete(g);
	cJSON_Delete(other);
	cJSON_Delete(aks);
	cJSON_Delete(pe);
	cJSON_Delete(pe2);
}

/* Names in network rules count only with the firewall's DNS proxy on. */
static void test_dns_proxy(void **state)
{
	struct azfw_answer a;
	cJSON *fw = parse("{\"properties\":{\"firewallPolicy\":{\"id\":\"/p\"}}}");
	cJSON *g = parse("{\"value\":[" GROUP(100, "G", NETCOLL(100, "C", "Allow",
		"{\"ruleType\":\"NetworkRule\",\"name\":\"byname\",\"ipProtocols\":[\"TCP\"],\"sourceAddresses\":[\"10.224.0.0/16\"],"
		"\"destinationAddresses\":[],\"destinationFqdns\":[\"*.azurecr.io\"],\"destinationPorts\":[\"443\"]}")) "]}");
	cJSON *classic = parse("{\"properties\":{\"additionalProperties\":{\"Network.DNS.EnableProxy\":\"true\"},"
		"\"networkRuleCollections\":[{\"name\":\"acr\",\"properties\":{\"priority\":100,\"action\":{\"type\":\"Allow\"},\"rules\":["
		"{\"name\":\"login\",\"protocols\":[\"TCP\"],\"sourceAddresses\":[\"*\"],\"destinationFqdns\":[\"acrshop.azurecr.io\"],\"destinationPorts\":[\"443\"]}]}}]}}");
	struct azfw_rules rs = { { g }, { "p" }, 1, { NULL }, 0, 0 };

	(void)state;
	azfw_evaluate(fw, &rs, &FLOW, &a);
	assert_int_equal(a.v, AZFW_NO_RULE);
	assert_string_equal(a.note, "rule byname names acrshop.azurecr.io, but network rules match names only with the firewall's DNS proxy on, and it is off");
	rs.dns_proxy = 1;
	azfw_evaluate(fw, &rs, &FLOW, &a);
	assert_int_equal(a.v, AZFW_ALLOW);
	assert_string_equal(a.rule, "G/C/byname");
	assert_non_null(strstr(a.note, "matched by the name acrshop.azurecr.io"));
	/* a classic firewall says it in its additional properties */
	azfw_evaluate(classic, NULL, &FLOW, &a);
	assert_int_equal(a.v, AZFW_ALLOW);
	assert_string_equal(a.rule, "acr/login");
	cJSON_DeleteItemFromObject(cJSON_GetObjectItem(classic, "properties"),
				   "additionalProperties");
	azfw_evaluate(classic, NULL, &FLOW, &a);
	assert_int_equal(a.v, AZFW_NO_RULE);
	assert_non_null(strstr(a.note, "rule login names"));
	/* ... or lets names go without the proxy */
	cJSON_AddItemToObject(cJSON_GetObjectItem(classic, "properties"),
		"additionalProperties",
		parse("{\"Network.DNS.RequireProxyForNetworkRules\":\"false\"}"));
	azfw_evaluate(classic, NULL, &FLOW, &a);
	assert_int_equal(a.v, AZFW_ALLOW);
	cJSON_Delete(fw);
	cJSON_Delete(g);
	cJSON_Delete(classic);
}

/* Where a new rule collection group can go. */
static void test_free_priority(void **state)
{
	cJSON *g = parse("{\"value\":[{\"name\":\"AKS-to-ACR\",\"properties\":{\"priority\":150}},"
		"{\"name\":\"b\",\"properties\":{\"priority\":151}},"
		"{\"name\":\"aks-to-acr-2\",\"properties\":{\"priority\":299}},"
		"{\"name\":\"c\",\"properties\":{\"priority\":298}},"
		"{\"name\":\"d\",\"properties\":{\"priority\":100}}]}");
	char name[16];

	(void)state;
	assert_int_equal(azfw_free_priority(g, 150, 0), 152);
	assert_int_equal(azfw_free_priority(g, 200, 0), 200);
	assert_int_equal(azfw_free_priority(g, 20, 0), 101);
	assert_int_equal(azfw_free_priority(g, 0, 300), 297);
	assert_int_equal(azfw_free_priority(g, 0, 101), -1);
	assert_int_equal(azfw_free_priority(g, 0, 100), -1);
	assert_int_equal(azfw_free_priority(NULL, 0, 300), 299);
	assert_int_equal(azfw_free_group_name(g, "aks-to-acr", name, sizeof name), 0);
	assert_string_equal(name, "aks-to-acr-3");
	assert_int_equal(azfw_free_group_name(NULL, "aks-to-acr", name, sizeof name), 0);
	assert_string_equal(name, "aks-to-acr");
	assert_int_equal(azfw_free_group_name(g, "aks-to-acr", name, 8), -1);
	cJSON_Delete(g);
}

static void test_classic_and_find(void **state)
{
	struct azfw_answer a;
	cJSON *list = parse("{\"value\":["
		"{\"name\":\"fw-a\",\"properties\":{\"ipConfigurations\":[{\"properties\":{\"privateIPAddress\":\"10.0.0.4\"}}],"
		"\"networkRuleCollections\":["
		"{\"name\":\"allow-all\",\"properties\":{\"priority\":300,\"action\":{\"type\":\"Allow\"},\"rules\":["
		"{\"name\":\"any\",\"protocols\":[\"TCP\"],\"sourceAddresses\":[\"*\"],\"destinationAddresses\":[\"*\"],\"destinationPorts\":[\"*\"]}]}},"
		"{\"name\":\"deny-pe\",\"properties\":{\"priority\":100,\"action\":{\"type\":\"Deny\"},\"rules\":["
		"{\"name\":\"pe\",\"protocols\":[\"TCP\"],\"sourceAddresses\":[\"10.224.0.0/12\"],\"destinationAddresses\":[\"10.10.1.5\"],\"destinationPorts\":[\"443\"]}]}}]}},"
		"{\"name\":\"fw-hub\",\"properties\":{\"hubIPAddresses\":{\"privateIPAddress\":\"10.10.0.4\"}}}]}");
	const cJSON *fw;

	(void)state;
	assert_null(azfw_find(list, "10.9.9.9"));
	assert_null(azfw_find(list, NULL));
	fw = azfw_find(list, "10.10.0.4");
	assert_non_null(fw);
	assert_string_equal(cJSON_GetObjectItem(fw, "name")->valuestring, "fw-hub");
	fw = azfw_find(list, "10.0.0.4");
	assert_non_null(fw);
	/* Classic collections by priority: the Deny at 100 first. */
	azfw_evaluate(fw, NULL, &FLOW, &a);
	assert_int_equal(a.v, AZFW_DENY);
	assert_string_equal(a.rule, "deny-pe/pe");
	/* A flow the deny does not cover: the allow. */
	{
		struct azfw_flow other = FLOW;

		other.dst_ip = "10.10.1.6";
		azfw_evaluate(fw, NULL, &other, &a);
		assert_int_equal(a.v, AZFW_ALLOW);
		assert_string_equal(a.rule, "allow-all/any");
		/* Not an address: unsure, not a guess. */
		other.src_prefix = "10.224.0.0/40";
		azfw_evaluate(fw, NULL, &other, &a);
		assert_int_equal(a.v, AZFW_UNSURE);
		other.src_prefix = "10.224.0.256/16";
		azfw_evaluate(fw, NULL, &other, &a);
		assert_int_equal(a.v, AZFW_UNSURE);
	}
	cJSON_Delete(list);
	assert_string_equal(azfw_verdict_str(AZFW_NO_RULE), "no rule");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_network),
		cmocka_unit_test(test_policy_application_and_groups),
		cmocka_unit_test(test_parent_policy),
		cmocka_unit_test(test_ip_groups),
		cmocka_unit_test(test_dns_proxy),
		cmocka_unit_test(test_free_priority),
		cmocka_unit_test(test_classic_and_find),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
