/* test_aks_net.c - the AKS checks of the registry's health and reach, the
 * image (architecture, reference, OS), the network (private DNS zone,
 * firewall, peering, routes) and the pull rate, with their fixes; the
 * image-reference parser and the registry firewall helpers. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "checks/aks_common.h"
#include "checks/image.h"
#include "err.h"
#include "facts.h"
#include "fix.h"
#include "fixes/netrule.h"
#include "harness.h"
#include "jsonu.h"
#include "scenario.h"

#define SUB "/subscriptions/3f2d6a1e-8c4b-4f0e-9b7a-2c1d5e6f7a8b"
#define REG_ID SUB "/resourceGroups/rg-registry/providers/Microsoft.ContainerRegistry/registries/acrshop"
#define DIGEST "sha256:d432c4fb51c7b388ed4b20331fce5663d84e2d7064d335c93f28ef37cb8b5e46"

static const char *const net_checks[] = {
	"aks.events", "aks.health", "aks.reach", "aks.401-arch", "aks.notfound",
	"aks.403.dns-link", "aks.403.firewall", "aks.timeout.peering",
	"aks.timeout.firewall", "aks.platform", "aks.qps",
};
#define NCHECKS (sizeof net_checks / sizeof net_checks[0])

static const char *const builtin[] = {
	"aks-health-registry-dns", "aks-health-registry-failed",
	"aks-reach-node-dns", "aks-401-arch", "aks-notfound-tag",
	"aks-notfound-typo", "aks-403-dns-link", "aks-403-firewall",
	"aks-403-firewall-disabled", "aks-timeout-peering",
	"aks-timeout-firewall", "aks-platform-windows", "aks-qps",
};

static const char *ev(const struct check_result *res, const char *key)
{
	return jsonu_str(res->evidence, key);
}

static void expect_verdict(struct harness *h, const char *id,
			   enum check_verdict want, const char *needle)
{
	struct check_result res = { 0 };
	enum check_verdict v = harness_check(h, id, &res);

	if (v != want || (needle && !strstr(res.summary, needle)))
		print_error("%s: %s (%s), wanted %s with '%s'\n", id,
			    check_verdict_str(v), res.summary,
			    check_verdict_str(want), needle ? needle : "");
	assert_int_equal(v, want);
	assert_true(res.summary[0] != '\0');
	if (needle)
		assert_non_null(strstr(res.summary, needle));
	if (v != CHECK_FAIL)
		assert_null(res.fix);
	check_result_clear(&res);
}

/* ---------- worlds ---------- */

static void test_healthy(void **state)
{
	struct harness *h = harness_open("aks-healthy");

	(void)state;
	harness_assert_healthy(h, net_checks, NCHECKS);
	/* What applies to a public registry and a Linux cluster passes. */
	expect_verdict(h, "aks.health", CHECK_PASS, "Bearer challenge");
	expect_verdict(h, "aks.reach", CHECK_PASS, "20.50.2.68");
	expect_verdict(h, "aks.403.firewall", CHECK_PASS, "20.61.14.27");
	expect_verdict(h, "aks.403.dns-link", CHECK_NA, NULL);
	expect_verdict(h, "aks.timeout.peering", CHECK_NA, NULL);
	expect_verdict(h, "aks.timeout.firewall", CHECK_NA, NULL);
	expect_verdict(h, "aks.401-arch", CHECK_PASS, NULL);
	expect_verdict(h, "aks.platform", CHECK_PASS, NULL);
	expect_verdict(h, "aks.notfound", CHECK_PASS, NULL);
	expect_verdict(h, "aks.qps", CHECK_PASS, NULL);
	harness_close(h);
}

static void expect_exactly(const char *name)
{
	harness_expect_exactly(name, net_checks, NCHECKS, NULL);
}

static void test_builtin_scenarios(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof builtin / sizeof builtin[0]; i++)
		expect_exactly(builtin[i]);
}

/* A test world of the firewall check, its expectations checked whole
 * first. */
static struct harness *fw_world(const char *world)
{
	expect_exactly(world);
	return harness_open(world);
}

/* aks.timeout.firewall in world: want, its summary holding needle. */
static void fw_verdict(const char *world, enum check_verdict want,
		       const char *needle)
{
	struct harness *h = fw_world(world);

	expect_verdict(h, "aks.timeout.firewall", want, needle);
	harness_close(h);
}

/* The firewall-rules fix planned in world holds needle. */
static void expect_fw_plan(const char *world, const char *needle)
{
	struct harness *h = fw_world(world);
	struct fix_plan plan;

	harness_plan(h, "aks.timeout.firewall", "firewall-rules", &plan);
	if (!strstr(plan.manual, needle))
		fail_msg("%s: the plan lacks \"%s\":\n%s", world, needle,
			 plan.manual);
	fix_plan_clear(&plan);
	harness_close(h);
}

/* The Azure Firewall's rules read from ARM: they name the firewall and
 * what its rules say, decide when no node can test, and the fix shows
 * the command for that firewall's policy; when they cannot be read the
 * check says why and goes on as before. */
static void test_firewall_rules(void **state)
{
	struct harness *h;
	struct check_result res = { 0 };
	struct fix_plan plan;

	(void)state;
	h = harness_open("aks-timeout-firewall");
	assert_int_equal(harness_check(h, "aks.timeout.firewall", &res), CHECK_FAIL);
	assert_string_equal(ev(&res, "firewall"), "fw-hub");
	assert_string_equal(ev(&res, "firewallRules"), "no rule");
	/* Its policy's parent and the IP group the parent names were read. */
	assert_string_equal(ev(&res, "firewallPolicies"), "fwpol-corp > fwpol-hub");
	assert_non_null(strstr(res.summary, "no rule of firewall fw-hub allows it"));
	check_result_clear(&res);
	harness_plan(h, "aks.timeout.firewall", "firewall-rules", &plan);
	assert_int_equal(plan.nsteps, 0);
	assert_non_null(strstr(plan.manual,
		"az network firewall policy rule-collection-group collection add-filter-collection --resource-group rg-hub --policy-name fwpol-hub"));
	assert_non_null(strstr(plan.manual,
		"--source-addresses 10.224.0.0/16 --destination-addresses 10.10.1.5 --destination-ports 443"));
	fix_plan_clear(&plan);
	harness_close(h);

	fw_verdict("scenarios/aks-fw-rules-allow.json", CHECK_FAIL,
		   "the rule DefaultNetworkRuleCollectionGroup/aks-to-acr/acr-pe-443 of firewall fw-hub allows it");

	fw_verdict("scenarios/aks-fw-rules-allow-noprobe.json", CHECK_PASS,
		   "whose rule DefaultNetworkRuleCollectionGroup/aks-to-acr/acr-pe-443 allows TCP 443 from 10.224.0.0/16");

	fw_verdict("scenarios/aks-fw-rules-none-noprobe.json", CHECK_FAIL,
		   "where no rule allows TCP 443 from 10.224.0.0/16");

	/* The parent policy's deny comes first: the fix goes in that
	 * policy, before the denying group. */
	h = fw_world("scenarios/aks-fw-rules-parent-deny.json");
	expect_verdict(h, "aks.timeout.firewall", CHECK_FAIL,
		       "the rule CorpBaseline/no-private-data/block-pe-subnets (fwpol-corp) of firewall fw-hub denies it");
	harness_plan(h, "aks.timeout.firewall", "firewall-rules", &plan);
	assert_non_null(strstr(plan.manual,
		"rule-collection-group create --resource-group rg-corp-net --policy-name fwpol-corp --name aks-to-acr --priority 299"));
	fix_plan_clear(&plan);
	harness_close(h);

	/* The fix's group takes a priority and a name no group of the
	 * policy has; before a group at 100 there is no room. */
	expect_fw_plan("scenarios/aks-fw-rules-group-taken.json",
		"rule-collection-group create --resource-group rg-hub --policy-name fwpol-hub --name aks-to-acr-2 --priority 152");
	expect_fw_plan("scenarios/aks-fw-rules-group-taken.json",
		       "--rule-collection-group-name aks-to-acr-2 ");
	expect_fw_plan("scenarios/aks-fw-rules-parent-deny-first.json",
		"no rule collection group can come before the one holding the denying rule CorpBaseline/no-private-data/block-pe-subnets (fwpol-corp)");

	/* A name in a network rule, without the DNS proxy: it matches
	 * nothing, and the summary says why. */
	fw_verdict("scenarios/aks-fw-rules-fqdn-noproxy.json", CHECK_FAIL,
		   "its rule acr-by-name names the registry, but Azure Firewall matches names in network rules only with its DNS proxy on, and it is off");

	h = fw_world("scenarios/aks-fw-rules-fqdn-proxy.json");
	assert_int_equal(harness_check(h, "aks.timeout.firewall", &res), CHECK_PASS);
	assert_string_equal(ev(&res, "firewallRules"), "allow: DefaultNetworkRuleCollectionGroup/aks-to-acr/acr-by-name");
	assert_non_null(strstr(ev(&res, "firewallNote"), "matched by the name acrshop.azurecr.io"));
	check_result_clear(&res);
	harness_close(h);

	fw_verdict("scenarios/aks-fw-rules-fqdn-names-allowed.json", CHECK_PASS,
		   "whose rule DefaultNetworkRuleCollectionGroup/aks-to-acr/acr-by-name allows TCP 443");

	/* An allow by IP group holding the nodes' subnet. */
	fw_verdict("scenarios/aks-fw-rules-ipgroup-noprobe.json", CHECK_PASS,
		   "whose rule DefaultNetworkRuleCollectionGroup/aks-to-acr/acr-pe-443 allows TCP 443 from 10.224.0.0/16");

	/* The IP group cannot be read: not judged, and no pass. */
	h = fw_world("scenarios/aks-fw-rules-ipgroup-unreadable.json");
	assert_int_equal(harness_check(h, "aks.timeout.firewall", &res), CHECK_UNKNOWN);
	assert_string_equal(ev(&res, "firewallRules"),
		"not judged: rule DefaultNetworkRuleCollectionGroup/aks-to-acr/acr-pe-443 uses the IP group ipg-aks-spokes, which was not read");
	check_result_clear(&res);
	harness_close(h);

	/* The parent cannot be read, or the parents loop: the rules are not
	 * judged, and the fix still names the firewall's own policy. */
	h = fw_world("scenarios/aks-fw-rules-parent-unreadable.json");
	assert_int_equal(harness_check(h, "aks.timeout.firewall", &res), CHECK_FAIL);
	assert_non_null(strstr(ev(&res, "firewallRules"), "not read: GET /subscriptions/"));
	assert_non_null(strstr(ev(&res, "firewallRules"), "fwpol-corp"));
	check_result_clear(&res);
	harness_plan(h, "aks.timeout.firewall", "firewall-rules", &plan);
	assert_non_null(strstr(plan.manual,
		"--resource-group rg-hub --policy-name fwpol-hub --name aks-to-acr --priority 150"));
	fix_plan_clear(&plan);
	harness_close(h);
	h = fw_world("scenarios/aks-fw-rules-parent-loop.json");
	assert_int_equal(harness_check(h, "aks.timeout.firewall", &res), CHECK_FAIL);
	assert_string_equal(ev(&res, "firewallRules"),
			    "not read: the firewall policies' parents loop back to fwpol-hub");
	check_result_clear(&res);
	harness_close(h);

	h = fw_world("scenarios/aks-fw-rules-unreadable.json");
	assert_int_equal(harness_check(h, "aks.timeout.firewall", &res), CHECK_FAIL);
	assert_non_null(strstr(ev(&res, "firewallRules"),
			       "not read: GET /subscriptions/"));
	assert_non_null(strstr(ev(&res, "firewallRules"), "AuthorizationFailed"));
	assert_null(ev(&res, "firewall"));
	check_result_clear(&res);
	harness_plan(h, "aks.timeout.firewall", "firewall-rules", &plan);
	assert_non_null(strstr(plan.manual, "--firewall-name <firewall>"));
	fix_plan_clear(&plan);
	harness_close(h);
}

/* A sentence added to a summary goes in whole or not at all. */
static void test_say_more(void **state)
{
	struct check_result res = { 0 };
	char before[sizeof res.summary];

	(void)state;
	check_say(&res, CHECK_FAIL, "%s", "the route fails");
	check_say_more(&res, "no rule allows it");
	assert_string_equal(res.summary, "the route fails; no rule allows it");
	memset(res.summary, 'x', sizeof res.summary - 20);
	res.summary[sizeof res.summary - 20] = '\0';
	memcpy(before, res.summary, sizeof before);
	check_say_more(&res, "a sentence longer than the room that is left");
	assert_string_equal(res.summary, before);
	check_say_more(&res, "fits");
	assert_non_null(strstr(res.summary, "x; fits"));
	check_result_clear(&res);
}

static void test_private_worlds(void **state)
{
	struct harness *h = harness_open("scenarios/aks-net-private-healthy.json");

	(void)state;
	expect_exactly("scenarios/aks-net-private-healthy.json");
	expect_verdict(h, "aks.403.dns-link", CHECK_PASS, "privatelink.azurecr.io");
	expect_verdict(h, "aks.403.firewall", CHECK_NA, "pe-acrshop");
	expect_verdict(h, "aks.timeout.peering", CHECK_PASS, "Connected");
	expect_verdict(h, "aks.timeout.firewall", CHECK_PASS, NULL);
	harness_close(h);

	/* A route through an appliance that lets 443 through passes. */
	h = harness_open("scenarios/aks-net-udr-open.json");
	expect_verdict(h, "aks.timeout.firewall", CHECK_PASS, "10.10.0.4");
	harness_close(h);

	/* No DNS zone group: the node's own answer decides; no fix to
	 * offer when DNS is run elsewhere. */
	h = harness_open("scenarios/aks-net-custom-dns.json");
	expect_verdict(h, "aks.403.dns-link", CHECK_PASS, "custom DNS");
	harness_close(h);
	h = harness_open("scenarios/aks-net-custom-dns-public.json");
	{
		struct check_result res = { 0 };

		assert_int_equal(harness_check(h, "aks.403.dns-link", &res), CHECK_FAIL);
		assert_null(res.fix);
		assert_non_null(strstr(res.summary, "no private DNS zone group"));
		check_result_clear(&res);
	}
	harness_close(h);

	/* Selected networks with a CIDR rule covering the cluster. */
	h = harness_open("scenarios/aks-net-firewall-ok.json");
	expect_verdict(h, "aks.403.firewall", CHECK_PASS, NULL);
	harness_close(h);
}

/* ---------- evidence of the failing checks ---------- */

static void test_events_evidence(void **state)
{
	struct harness *h = harness_open("aks-401-arch");
	struct check_result res = { 0 };
	const cJSON *count;

	(void)state;
	assert_int_equal(harness_check(h, "aks.events", &res), CHECK_FAIL);
	assert_string_equal(ev(&res, "classified"), "aks.401-arch");
	assert_string_equal(jsonu_str(res.data, "classified"), "aks.401-arch");
	assert_string_equal(ev(&res, "reason"), "ImagePullBackOff");
	assert_string_equal(ev(&res, "source"), "event");
	count = jsonu_path(res.evidence, "count");
	assert_true(cJSON_IsNumber(count) && count->valueint == 5);
	assert_non_null(strstr(ev(&res, "message"), "no match for platform"));
	assert_true(strlen(ev(&res, "message")) < 600);
	assert_null(res.fix);
	check_result_clear(&res);
	harness_close(h);

	/* No pod named: the pasted message is classified instead. */
	h = harness_open("aks-healthy");
	h->ctx->pod[0] = '\0';
	expect_verdict(h, "aks.events", CHECK_NA, NULL);
	snprintf(h->ctx->message, sizeof h->ctx->message, "%s",
		 "Failed to pull image \"acrshop.azurecr.io/shop/web:1.4.2\": pull QPS exceeded.");
	assert_int_equal(harness_check(h, "aks.events", &res), CHECK_FAIL);
	assert_string_equal(ev(&res, "classified"), "aks.qps");
	assert_string_equal(ev(&res, "source"), "message");
	check_result_clear(&res);
	harness_close(h);
}

static void test_clean_text(void **state)
{
	char buf[200];

	(void)state;
	aks_clean_text(buf, sizeof buf,
		       "GET https://r/oauth2/token?access_token=eyJabc.def&scope=x\n"
		       "Authorization: Bearer eyJhbGciOi password=hunter2 ok");
	assert_null(strstr(buf, "eyJabc"));
	assert_null(strstr(buf, "eyJhbGciOi"));
	assert_null(strstr(buf, "hunter2"));
	assert_non_null(strstr(buf, "access_token=***"));
	assert_non_null(strstr(buf, "scope=x"));
	assert_null(strchr(buf, '\n'));
	aks_clean_text(buf, 8, "0123456789");
	assert_string_equal(buf, "0123456");
}

static void test_health_failures(void **state)
{
	struct harness *h = harness_open("aks-health-registry-dns");
	struct check_result res = { 0 };

	(void)state;
	assert_int_equal(harness_check(h, "aks.health", &res), CHECK_FAIL);
	assert_string_equal(ev(&res, "dns"), "not resolved");
	assert_non_null(strstr(res.command, "az acr check-health --name acrshop"));
	check_result_clear(&res);
	expect_verdict(h, "aks.reach", CHECK_FAIL, "NXDOMAIN");
	harness_close(h);

	h = harness_open("aks-health-registry-failed");
	assert_int_equal(harness_check(h, "aks.health", &res), CHECK_FAIL);
	assert_string_equal(ev(&res, "provisioningState"), "Failed");
	assert_int_equal(jsonu_path(res.evidence, "v2Status")->valueint, 503);
	check_result_clear(&res);
	harness_close(h);

	h = harness_open("aks-reach-node-dns");
	assert_int_equal(harness_check(h, "aks.reach", &res), CHECK_FAIL);
	assert_string_equal(ev(&res, "dns"), "NXDOMAIN");
	assert_string_equal(res.command,
		"az aks check-acr --resource-group rg-shop --name aks-shop --acr acrshop.azurecr.io");
	check_result_clear(&res);
	expect_verdict(h, "aks.health", CHECK_PASS, NULL);
	harness_close(h);
}

static void test_notfound(void **state)
{
	struct harness *h = harness_open("aks-notfound-tag");
	struct check_result res = { 0 };

	(void)state;
	assert_int_equal(harness_check(h, "aks.notfound", &res), CHECK_FAIL);
	assert_string_equal(ev(&res, "part"), "tag");
	assert_string_equal(ev(&res, "closestTag"), "1.4.2");
	assert_string_equal(jsonu_str(res.data, "correct"),
			    "acrshop.azurecr.io/shop/web:1.4.2");
	assert_string_equal(jsonu_str(res.data, "ownerKind"), "deployment");
	check_result_clear(&res);
	/* The platform checks leave a missing tag to aks.notfound. */
	expect_verdict(h, "aks.401-arch", CHECK_NA, NULL);
	expect_verdict(h, "aks.platform", CHECK_NA, NULL);
	harness_close(h);

	h = harness_open("aks-notfound-typo");
	assert_int_equal(harness_check(h, "aks.notfound", &res), CHECK_FAIL);
	assert_string_equal(ev(&res, "part"), "registry");
	assert_string_equal(ev(&res, "imageRegistry"), "acrshop.azureacr.io");
	assert_string_equal(jsonu_str(res.data, "correct"),
			    "acrshop.azurecr.io/shop/web:1.4.2");
	check_result_clear(&res);
	harness_close(h);

	h = harness_open("scenarios/aks-net-repo-missing.json");
	assert_int_equal(harness_check(h, "aks.notfound", &res), CHECK_FAIL);
	assert_string_equal(ev(&res, "part"), "repository");
	assert_non_null(strstr(res.summary, "shop/webshop"));
	check_result_clear(&res);
	harness_close(h);

	/* Another registry's image is not this check's business. */
	h = harness_open("scenarios/aks-net-dockerhub.json");
	expect_verdict(h, "aks.notfound", CHECK_NA, "docker.io");
	expect_verdict(h, "aks.401-arch", CHECK_NA, NULL);
	expect_verdict(h, "aks.platform", CHECK_NA, NULL);
	harness_close(h);

	/* An invalid reference fails with the part named. */
	h = harness_open("aks-healthy");
	snprintf(h->ctx->image, sizeof h->ctx->image, "acrshop.azurecr.io/Shop/web:1.4.2");
	assert_int_equal(harness_check(h, "aks.notfound", &res), CHECK_FAIL);
	assert_string_equal(ev(&res, "part"), "reference");
	assert_non_null(strstr(res.summary, "repository"));
	check_result_clear(&res);
	harness_close(h);
}

static void test_arch(void **state)
{
	struct harness *h = harness_open("aks-401-arch");
	struct check_result res = { 0 };
	struct image_platforms p;
	struct ad_error err = { 0 };
	long status = 0;

	(void)state;
	assert_int_equal(harness_check(h, "aks.401-arch", &res), CHECK_FAIL);
	assert_string_equal(ev(&res, "imagePlatforms"), "linux/arm64/v8");
	assert_string_equal(ev(&res, "nodeArch"), "amd64");
	assert_string_equal(jsonu_str(res.data, "arch"), "amd64");
	check_result_clear(&res);
	/* The attestation entry of the index is not a platform. */
	assert_int_equal(image_platforms(h->facts, "acrshop.azurecr.io", "shop/web",
					 "1.4.2", &p, &status, &err), 0);
	assert_int_equal(status, 200);
	assert_int_equal(p.n, 1);
	assert_true(p.is_index);
	assert_true(image_has_platform(&p, "linux", "aarch64"));
	assert_false(image_has_platform(&p, "linux", "amd64"));
	harness_close(h);

	/* No arch label: the pool's VM size (a 'p': arm64) decides. */
	h = harness_open("scenarios/aks-net-arm64-pool.json");
	assert_int_equal(harness_check(h, "aks.401-arch", &res), CHECK_FAIL);
	assert_string_equal(ev(&res, "nodeArch"), "arm64");
	assert_string_equal(ev(&res, "imagePlatforms"), "linux/amd64");
	check_result_clear(&res);
	harness_close(h);

	/* A single-platform manifest: the config blob names the platform. */
	h = harness_open("aks-qps");
	assert_int_equal(image_platforms(h->facts, "acrshop.azurecr.io",
					 "shop/report", "2.0.1", &p, &status,
					 &err), 0);
	assert_int_equal(p.n, 1);
	assert_false(p.is_index);
	assert_string_equal(p.p[0].os, "linux");
	assert_string_equal(p.p[0].arch, "amd64");
	/* A missing tag is a 404, not an error. */
	assert_int_equal(image_platforms(h->facts, "acrshop.azurecr.io",
					 "shop/report", "9.9.9", &p, &status,
					 &err), 0);
	assert_int_equal(status, 404);
	assert_int_equal(p.n, 0);
	harness_close(h);
}

static void test_platform(void **state)
{
	struct harness *h = harness_open("aks-platform-windows");
	struct check_result res = { 0 };

	(void)state;
	assert_int_equal(harness_check(h, "aks.platform", &res), CHECK_FAIL);
	assert_string_equal(ev(&res, "node"), "akswin1000000");
	assert_string_equal(ev(&res, "wantedOs"), "linux");
	assert_string_equal(jsonu_str(res.data, "ownerPath"),
			    "/apis/apps/v1/namespaces/default/deployments/web");
	assert_string_equal(jsonu_str(res.data, "os"), "linux");
	check_result_clear(&res);
	/* The Windows node's architecture is not the arch check's case. */
	expect_verdict(h, "aks.401-arch", CHECK_NA, NULL);
	harness_close(h);
}

static void test_network_evidence(void **state)
{
	struct harness *h = harness_open("aks-403-dns-link");
	struct check_result res = { 0 };

	(void)state;
	assert_int_equal(harness_check(h, "aks.403.dns-link", &res), CHECK_FAIL);
	assert_string_equal(ev(&res, "zone"), "privatelink.azurecr.io");
	assert_string_equal(ev(&res, "unlinkedVnet"), "vnet-shop");
	assert_true(harness_in_list(jsonu_array(res.evidence, "linkedVnets"),
				    "vnet-hub"));
	assert_true(harness_in_list(jsonu_array(res.evidence, "nodeResolves"),
				    "20.50.2.68"));
	assert_non_null(strstr(jsonu_str(res.data, "zoneId"),
			       "/privateDnsZones/privatelink.azurecr.io"));
	assert_non_null(strstr(jsonu_str(res.data, "vnetId"),
			       "/virtualNetworks/vnet-shop"));
	check_result_clear(&res);
	/* Peered with the endpoint's VNet: the public firewall is moot. */
	expect_verdict(h, "aks.403.firewall", CHECK_NA, NULL);
	harness_close(h);

	h = harness_open("aks-403-firewall");
	assert_int_equal(harness_check(h, "aks.403.firewall", &res), CHECK_FAIL);
	assert_string_equal(ev(&res, "publicNetworkAccess"), "Enabled");
	assert_string_equal(ev(&res, "defaultAction"), "Deny");
	assert_true(harness_in_list(jsonu_array(res.evidence, "missing"),
				    "20.61.14.27"));
	assert_true(harness_in_list(jsonu_array(res.data, "ips"),
				    "20.61.14.27"));
	check_result_clear(&res);
	harness_close(h);

	h = harness_open("aks-403-firewall-disabled");
	assert_int_equal(harness_check(h, "aks.403.firewall", &res), CHECK_FAIL);
	assert_string_equal(ev(&res, "publicNetworkAccess"), "Disabled");
	assert_non_null(strstr(res.summary, "Disabled"));
	check_result_clear(&res);
	harness_close(h);

	h = harness_open("aks-timeout-peering");
	assert_int_equal(harness_check(h, "aks.timeout.peering", &res), CHECK_FAIL);
	assert_string_equal(ev(&res, "peeringState"), "Disconnected");
	assert_string_equal(ev(&res, "nodeTcp443"), "10.10.1.5 timeout");
	assert_string_equal(ev(&res, "remotePeering"), "missing");
	assert_string_equal(jsonu_str(res.data, "peeringName"), "peer-shop-to-hub");
	check_result_clear(&res);
	expect_verdict(h, "aks.403.dns-link", CHECK_PASS, NULL);
	expect_verdict(h, "aks.timeout.firewall", CHECK_PASS, NULL);
	harness_close(h);

	h = harness_open("aks-timeout-firewall");
	assert_int_equal(harness_check(h, "aks.timeout.firewall", &res), CHECK_FAIL);
	/* The most specific route decides. */
	assert_string_equal(ev(&res, "route"), "10.10.1.0/24 -> VirtualAppliance 10.10.0.4");
	assert_string_equal(jsonu_str(res.data, "nextHopIp"), "10.10.0.4");
	assert_string_equal(jsonu_str(res.data, "sourcePrefix"), "10.224.0.0/16");
	check_result_clear(&res);
	expect_verdict(h, "aks.timeout.peering", CHECK_PASS, "Connected");
	harness_close(h);
}

static void test_qps(void **state)
{
	struct harness *h = harness_open("aks-qps");
	struct check_result res = { 0 };

	(void)state;
	assert_int_equal(harness_check(h, "aks.qps", &res), CHECK_FAIL);
	assert_int_equal(jsonu_path(res.evidence, "qpsEventsNamespace")->valueint, 8);
	assert_int_equal(jsonu_path(res.evidence, "qpsEventsPod")->valueint, 1);
	assert_string_equal(ev(&res, "owner"), "cronjob/report");
	assert_string_equal(jsonu_str(res.data, "template"),
			    "spec.jobTemplate.spec.template");
	assert_true(harness_in_list(jsonu_array(res.data, "containers"),
				    "report"));
	check_result_clear(&res);
	harness_close(h);
}

/* ---------- unknown, never pass, when a source cannot be read ---------- */

/* Each world has one source that cannot be read: every check that needs
 * it is unknown and says why (NULL: no word to look for); passes, when
 * set, needs no such source and still passes. */
static const struct {
	const char *scenario;
	struct { const char *check, *why; } unknown[7];
	const char *passes;
} broken[] = {
	{ "scenarios/aks-net-registry-timeout.json",
	  { { "aks.health", "timed out" }, { "aks.notfound", "timed out" },
	    { "aks.401-arch", "timed out" }, { "aks.platform", "timed out" } },
	  NULL },
	{ "scenarios/aks-net-probe-unavailable.json",
	  { { "aks.reach", "no SSH access" } }, NULL },
	{ "scenarios/aks-net-kube-timeout.json",
	  { { "aks.events", "timed out" }, { "aks.qps", "timed out" },
	    { "aks.platform", "timed out" }, { "aks.401-arch", "timed out" } },
	  NULL },
	{ "scenarios/aks-net-arm-throttled.json",
	  { { "aks.health", "17 s" }, { "aks.403.dns-link", "429" },
	    { "aks.403.firewall", "429" }, { "aks.timeout.peering", "429" },
	    { "aks.timeout.firewall", "429" }, { "aks.notfound", "429" } },
	  NULL },
	{ "scenarios/aks-net-malformed.json",
	  { { "aks.events", "not valid JSON" }, { "aks.qps", "not valid JSON" },
	    { "aks.401-arch", "not valid JSON" },
	    { "aks.notfound", "not valid JSON" },
	    { "aks.403.dns-link", "not valid JSON" },
	    { "aks.timeout.peering", "not valid JSON" } },
	  NULL },
	{ "scenarios/aks-net-peering-unreadable.json",
	  { { "aks.403.firewall", "AuthorizationFailed" },
	    { "aks.timeout.peering", "AuthorizationFailed" },
	    { "aks.timeout.firewall", NULL } },
	  "aks.403.dns-link" },
};

static void test_unknown_sources(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof broken / sizeof broken[0]; i++) {
		struct harness *h = harness_open(broken[i].scenario);

		for (j = 0; broken[i].unknown[j].check; j++)
			expect_verdict(h, broken[i].unknown[j].check,
				       CHECK_UNKNOWN, broken[i].unknown[j].why);
		if (broken[i].passes)
			expect_verdict(h, broken[i].passes, CHECK_PASS, NULL);
		harness_close(h);
	}
}

/* ---------- the image reference parser ---------- */

struct ref_case {
	const char *in;
	const char *registry, *repository, *tag, *digest, *canonical;
};

#define D64 "d432c4fb51c7b388ed4b20331fce5663d84e2d7064d335c93f28ef37cb8b5e46"

static void test_image_parse_valid(void **state)
{
	static const struct ref_case cases[] = {
		{ "acrshop.azurecr.io/shop/web:1.4.2", "acrshop.azurecr.io",
		  "shop/web", "1.4.2", "", "acrshop.azurecr.io/shop/web:1.4.2" },
		{ "acrshop.azurecr.io/shop/web", "acrshop.azurecr.io", "shop/web",
		  "latest", "", "acrshop.azurecr.io/shop/web:latest" },
		{ "acrshop.azurecr.io/shop/web@sha256:" D64, "acrshop.azurecr.io",
		  "shop/web", "", "sha256:" D64,
		  "acrshop.azurecr.io/shop/web@sha256:" D64 },
		{ "acrshop.azurecr.io/shop/web:1.4.2@sha256:" D64,
		  "acrshop.azurecr.io", "shop/web", "1.4.2", "sha256:" D64,
		  "acrshop.azurecr.io/shop/web:1.4.2@sha256:" D64 },
		{ "localhost:5000/team/app:dev", "localhost:5000", "team/app",
		  "dev", "", "localhost:5000/team/app:dev" },
		{ "localhost/app", "localhost", "app", "latest", "",
		  "localhost/app:latest" },
		{ "registry.example.com:8443/a/b/c/d:v1_2-3.x",
		  "registry.example.com:8443", "a/b/c/d", "v1_2-3.x", "",
		  "registry.example.com:8443/a/b/c/d:v1_2-3.x" },
		{ "nginx", "docker.io", "library/nginx", "latest", "",
		  "docker.io/library/nginx:latest" },
		{ "bitnami/nginx:1.27", "docker.io", "bitnami/nginx", "1.27", "",
		  "docker.io/bitnami/nginx:1.27" },
		{ "[::1]:5000/app:t", "[::1]:5000", "app", "t", "",
		  "[::1]:5000/app:t" },
		{ "ACRSHOP.azurecr.io/shop/my_app__x-y.z:TAG", "ACRSHOP.azurecr.io",
		  "shop/my_app__x-y.z", "TAG", "",
		  "ACRSHOP.azurecr.io/shop/my_app__x-y.z:TAG" },
		{ "mcr.microsoft.com/dotnet/aspnet:8.0-nanoserver-ltsc2022",
		  "mcr.microsoft.com", "dotnet/aspnet", "8.0-nanoserver-ltsc2022",
		  "", "mcr.microsoft.com/dotnet/aspnet:8.0-nanoserver-ltsc2022" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct image_ref r;
		struct ad_error err = { 0 };

		if (image_parse(cases[i].in, &r, &err) != 0)
			print_error("%s: %s\n", cases[i].in, err.msg);
		assert_int_equal(image_parse(cases[i].in, &r, &err), 0);
		assert_string_equal(r.registry, cases[i].registry);
		assert_string_equal(r.repository, cases[i].repository);
		assert_string_equal(r.tag, cases[i].tag);
		assert_string_equal(r.digest, cases[i].digest);
		assert_string_equal(r.canonical, cases[i].canonical);
		assert_string_equal(image_ref_reference(&r),
				    cases[i].digest[0] ? cases[i].digest : cases[i].tag);
	}
	{
		struct image_ref r;

		assert_int_equal(image_parse("nginx", &r, NULL), 0);
		assert_true(r.registry_implicit);
		assert_true(r.tag_implicit);
		assert_int_equal(image_parse("acrshop.azurecr.io/x:latest", &r, NULL), 0);
		assert_false(r.registry_implicit);
		assert_false(r.tag_implicit);
	}
}

static void test_image_parse_invalid(void **state)
{
	static const char *const bad[] = {
		"", "acrshop.azurecr.io/Shop/web", "acrshop.azurecr.io/shop web",
		"acrshop.azurecr.io/x:", "acrshop.azurecr.io/x@sha256:abc",
		"acrshop.azurecr.io/x@sha256:" D64 "00", "acrshop.azurecr.io/x@",
		"acrshop.azurecr.io//x", "acrshop.azurecr.io/x/", "acrshop.azurecr.io/-x",
		"acrshop.azurecr.io/x:-tag", "acrshop.azurecr.io:99999/x",
		"acrshop.azurecr.io:0/x", "acrshop.azurecr.io:/x",
		"acrshop.azurecr.io/x\n", ".acrshop.azurecr.io/x", "acr-.io/x",
		"acrshop.azurecr.io/x;rm -rf /", "acrshop.azurecr.io/x:$(id)",
		"acrshop.azurecr.io/x?y=1", "acrshop.azurecr.io/../etc/passwd",
		"acrshop.azurecr.io/x..y", "@sha256:" D64, "acrshop.azurecr.io/x\xc3\xa9",
		"[zz]:5000/x", "acrshop.azurecr.io/x@SHA256:" D64,
		"acrshop.azurecr.io/x:a:b", "acrshop.azurecr.io/x@sha256:" D64 "@sha256:" D64,
	};
	char tag[200], big[10241];
	struct image_ref r;
	struct ad_error err = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = image_parse(bad[i], &r, &err);

		if (rc != AD_EINVAL)
			print_error("accepted: %s\n", bad[i]);
		assert_int_equal(rc, AD_EINVAL);
		assert_true(err.msg[0] != '\0');
		/* the message never carries control characters */
		assert_null(strchr(err.msg, '\n'));
	}
	assert_int_equal(image_parse(NULL, &r, &err), AD_EINVAL);
	assert_int_equal(image_parse("x", NULL, &err), AD_EINVAL);
	/* a 128-character tag is the longest allowed */
	memset(tag, 'a', 128);
	tag[128] = '\0';
	snprintf(big, sizeof big, "acrshop.azurecr.io/x:%s", tag);
	assert_int_equal(image_parse(big, &r, NULL), 0);
	snprintf(big, sizeof big, "acrshop.azurecr.io/x:%sa", tag);
	assert_int_equal(image_parse(big, &r, NULL), AD_EINVAL);
	/* 10 KB of input: refused, quickly, with a bounded message */
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(image_parse(big, &r, &err), AD_EINVAL);
	assert_true(strlen(err.msg) < 120);
	memcpy(big, "acrshop.azurecr.io/", 19);
	assert_int_equal(image_parse(big, &r, &err), AD_EINVAL);
	/* a hostile part is shown bounded and printable */
	memset(big, 'A', 5000);
	memcpy(big, "acrshop.azurecr.io/", 19);
	big[5000] = '\0';
	assert_int_equal(image_parse(big, &r, &err), AD_EINVAL);
	assert_true(strlen(err.msg) < 200);
}

static void test_image_arch_names(void **state)
{
	char b[32];

	(void)state;
	image_norm_arch("x86_64", b, sizeof b);
	assert_string_equal(b, "amd64");
	image_norm_arch("aarch64", b, sizeof b);
	assert_string_equal(b, "arm64");
	image_norm_arch("ARM64", b, sizeof b);
	assert_string_equal(b, "arm64");
	image_norm_arch("s390x", b, sizeof b);
	assert_string_equal(b, "s390x");
	image_norm_arch(NULL, b, sizeof b);
	assert_string_equal(b, "");
}

/* ---------- the registry firewall ---------- */

static cJSON *registry_json(const char *pna, const char *def, const char *rules)
{
	char buf[1024];

	snprintf(buf, sizeof buf,
		 "{\"sku\":{\"name\":\"Premium\"},\"properties\":{%s%s%s"
		 "\"networkRuleSet\":{\"defaultAction\":\"%s\",\"ipRules\":[%s]}}}",
		 pna ? "\"publicNetworkAccess\":\"" : "", pna ? pna : "",
		 pna ? "\"," : "", def, rules);
	return cJSON_Parse(buf);
}

static void test_netrule_allows(void **state)
{
	static const struct {
		const char *pna, *def, *rules, *ip;
		int want;
	} cases[] = {
		{ "Enabled", "Allow", "", "20.61.14.27", 1 },
		{ NULL, "Allow", "", "20.61.14.27", 1 },
		{ "Disabled", "Allow", "", "20.61.14.27", 0 },
		{ "Disabled", "Deny", "{\"action\":\"Allow\",\"value\":\"20.61.14.27\"}",
		  "20.61.14.27", 0 },
		{ "Enabled", "Deny", "", "20.61.14.27", 0 },
		{ "Enabled", "Deny", "{\"action\":\"Allow\",\"value\":\"20.61.14.27\"}",
		  "20.61.14.27", 1 },
		{ "Enabled", "Deny", "{\"action\":\"Allow\",\"value\":\"20.61.14.0/24\"}",
		  "20.61.14.27", 1 },
		{ "Enabled", "Deny", "{\"action\":\"Allow\",\"value\":\"20.61.14.0/24\"}",
		  "20.61.15.1", 0 },
		{ "Enabled", "Deny", "{\"action\":\"Allow\",\"value\":\"20.61.14.26/31\"}",
		  "20.61.14.27", 1 },
		{ "Enabled", "Deny", "{\"action\":\"Allow\",\"value\":\"20.61.14.26/31\"}",
		  "20.61.14.28", 0 },
		{ "Enabled", "Deny", "{\"action\":\"Allow\",\"value\":\"20.61.14.27/32\"}",
		  "20.61.14.27", 1 },
		{ "Enabled", "Deny", "{\"action\":\"Allow\",\"value\":\"0.0.0.0/0\"}",
		  "198.51.100.1", 1 },
		{ "Enabled", "Deny", "{\"value\":\"20.61.0.0/16\"}", "20.61.200.3", 1 },
		{ "Enabled", "Deny", "{\"action\":\"Allow\",\"value\":\"20.61.14.27/33\"}",
		  "20.61.14.27", 0 },
		{ "Enabled", "Deny", "{\"action\":\"Allow\",\"value\":\"20.61.14.277\"}",
		  "20.61.14.27", 0 },
		{ "Enabled", "Deny", "{\"action\":\"Allow\",\"value\":\"20.61.14.0/24\"}",
		  "20.61.14", 0 },
		{ "Enabled", "Deny", "{\"action\":\"Allow\",\"value\":\"20.61.14.0/24\"}",
		  "2001:db8::1", 0 },
		{ "Enabled", "Deny", "{\"action\":\"Allow\",\"value\":\"20.61.14.0/24\"}",
		  "20.61.14.27/32", 0 },
		{ "Enabled", "Deny", "{\"action\":\"Allow\",\"value\":\"20.61.14.0/24\"}",
		  " 20.61.14.27", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cJSON *reg = registry_json(cases[i].pna, cases[i].def, cases[i].rules);

		assert_non_null(reg);
		if (netrule_allows(reg, cases[i].ip) != cases[i].want)
			print_error("case %zu: %s vs %s\n", i, cases[i].ip,
				    cases[i].rules);
		assert_int_equal(netrule_allows(reg, cases[i].ip), cases[i].want);
		cJSON_Delete(reg);
	}
	assert_int_equal(netrule_allows(NULL, "1.2.3.4"), 0);
	assert_true(netrule_ip_in("10.10.1.5", "10.10.1.0/24"));
	assert_false(netrule_ip_in("10.10.2.5", "10.10.1.0/24"));
	assert_true(netrule_ip_in("10.10.1.5", "0.0.0.0/0"));
	assert_true(netrule_ip_in("10.10.1.5", "10.10.1.5"));
	assert_false(netrule_ip_in("10.10.1.5", "AzureCloud"));
	assert_true(netrule_ip_valid("255.255.255.255", 0));
	assert_false(netrule_ip_valid("1.2.3.4/8", 0));
	assert_true(netrule_ip_valid("1.2.3.4/8", 1));
	assert_false(netrule_ip_valid("1.2.3.4.5", 1));
	assert_false(netrule_ip_valid("1.2.3.0004", 1));
	assert_false(netrule_ip_valid("", 1));
}

static void test_netrule_plan(void **state)
{
	struct harness *h = harness_open("aks-healthy");
	struct fix_plan plan;
	struct ad_error err = { 0 };
	const char *ips[] = { "20.61.14.27", "20.61.14.27", "203.0.113.9" };
	cJSON *reg, *body;
	const cJSON *rules;

	(void)state;
	/* Selected networks: one step, existing rules kept, no duplicate. */
	reg = registry_json("Enabled", "Deny",
			    "{\"action\":\"Allow\",\"value\":\"203.0.113.0/24\"}");
	memset(&plan, 0, sizeof plan);
	assert_int_equal(netrule_plan(&plan, h->facts, REG_ID, reg, ips, 3, &err), 0);
	assert_int_equal(plan.nsteps, 1);
	assert_string_equal(plan.steps[0].method, "PATCH");
	assert_non_null(strstr(plan.steps[0].url, REG_ID "?api-version="));
	assert_false(plan.steps[0].confirm_separately);
	assert_string_equal(plan.steps[0].command,
			    "az acr network-rule add --name acrshop --ip-address 20.61.14.27");
	body = cJSON_Parse(plan.steps[0].body);
	rules = jsonu_array(body, "properties.networkRuleSet.ipRules");
	assert_int_equal(cJSON_GetArraySize(rules), 2);
	assert_string_equal(jsonu_str(body, "properties.networkRuleSet.defaultAction"),
			    "Deny");
	assert_string_equal(jsonu_str(cJSON_GetArrayItem(rules, 1), "value"),
			    "20.61.14.27");
	cJSON_Delete(body);
	fix_plan_clear(&plan);
	cJSON_Delete(reg);

	/* Disabled: a separately confirmed, warned step comes first. */
	reg = registry_json("Disabled", "Allow", "");
	assert_int_equal(netrule_plan(&plan, h->facts, REG_ID, reg, ips, 1, &err), 0);
	assert_int_equal(plan.nsteps, 2);
	assert_true(plan.steps[0].confirm_separately);
	assert_non_null(strstr(plan.steps[0].warning, "Disabled"));
	assert_non_null(strstr(plan.steps[0].body, "\"publicNetworkAccess\":\t\"Enabled\""));
	assert_non_null(strstr(plan.steps[0].body, "\"defaultAction\":\t\"Deny\""));
	assert_false(plan.steps[1].confirm_separately);
	assert_non_null(strstr(plan.steps[1].body, "\"defaultAction\":\t\"Deny\""));
	assert_null(strstr(plan.steps[1].body, "publicNetworkAccess"));
	fix_plan_clear(&plan);
	cJSON_Delete(reg);

	/* Every address already in: nothing to do. */
	reg = registry_json("Enabled", "Deny",
			    "{\"action\":\"Allow\",\"value\":\"20.61.14.0/24\"}");
	assert_int_equal(netrule_plan(&plan, h->facts, REG_ID, reg, ips, 2, &err),
			 AD_EINVAL);
	cJSON_Delete(reg);

	/* Not Premium: no IP rules at all. */
	reg = cJSON_Parse("{\"sku\":{\"name\":\"Standard\"},\"properties\":{}}");
	assert_int_equal(netrule_plan(&plan, h->facts, REG_ID, reg, ips, 1, &err),
			 AD_EUNSUPP);
	assert_non_null(strstr(err.msg, "Premium"));
	cJSON_Delete(reg);

	/* Hostile input. */
	reg = registry_json("Enabled", "Deny", "");
	{
		const char *badip[] = { "20.61.14.27 --sku Basic" };
		const char *many[20];
		size_t i;

		assert_int_equal(netrule_plan(&plan, h->facts, REG_ID, reg, badip, 1,
					      &err), AD_EINVAL);
		assert_int_equal(netrule_plan(&plan, h->facts,
					      REG_ID "/../x", reg, ips, 1, &err),
				 AD_EINVAL);
		for (i = 0; i < 20; i++)
			many[i] = "1.2.3.4";
		assert_int_equal(netrule_plan(&plan, h->facts, REG_ID, reg, many, 20,
					      &err), AD_EINVAL);
	}
	cJSON_Delete(reg);
	harness_close(h);
}

/* ---------- fixes ---------- */

static void fix_then_pass(const char *scenario, const char *check,
			  const char *fix)
{
	struct harness *h = harness_open(scenario);

	assert_int_equal(harness_verdict(h, check), CHECK_FAIL);
	assert_int_equal(harness_fix(h, check, fix), 0);
	if (harness_verdict(h, check) != CHECK_PASS) {
		struct check_result res = { 0 };

		harness_check(h, check, &res);
		print_error("%s after %s: %s\n", check, fix, res.summary);
		check_result_clear(&res);
	}
	assert_int_equal(harness_verdict(h, check), CHECK_PASS);
	harness_close(h);
}

static void test_fix_dns_link(void **state)
{
	struct harness *h = harness_open("aks-403-dns-link");
	struct fix_plan plan;

	(void)state;
	harness_plan(h, "aks.403.dns-link", "dns-link", &plan);
	assert_int_equal(plan.nsteps, 1);
	assert_string_equal(plan.steps[0].method, "PUT");
	assert_non_null(strstr(plan.steps[0].url,
		"/privateDnsZones/privatelink.azurecr.io/virtualNetworkLinks/vnet-shop-link?api-version=2024-06-01"));
	assert_non_null(strstr(plan.steps[0].body, "\"location\":\t\"global\""));
	assert_non_null(strstr(plan.steps[0].body, "\"registrationEnabled\":\tfalse"));
	assert_non_null(strstr(plan.steps[0].body, "/virtualNetworks/vnet-shop\""));
	assert_non_null(strstr(plan.steps[0].command,
		"az network private-dns link vnet create --resource-group rg-hub --zone-name privatelink.azurecr.io --name vnet-shop-link"));
	assert_string_equal(plan.verify_check, "aks.403.dns-link");
	fix_plan_clear(&plan);
	harness_close(h);
	fix_then_pass("aks-403-dns-link", "aks.403.dns-link", "dns-link");
}

static void test_fix_network_rule(void **state)
{
	struct harness *h;
	struct fix_plan plan;
	struct ad_error err = { 0 };

	(void)state;
	fix_then_pass("aks-403-firewall", "aks.403.firewall", "network-rule-add");

	h = harness_open("aks-403-firewall-disabled");
	harness_plan(h, "aks.403.firewall", "network-rule-add", &plan);
	assert_int_equal(plan.nsteps, 2);
	assert_true(plan.steps[0].confirm_separately);
	assert_true(plan.steps[0].warning[0] != '\0');
	assert_non_null(strstr(plan.steps[0].command,
			       "az acr update --name acrshop --public-network-enabled true --default-action Deny"));
	assert_non_null(strstr(plan.steps[1].command,
			       "az acr network-rule add --name acrshop --ip-address 20.61.14.27"));
	/* The office rules survive both steps. */
	assert_non_null(strstr(plan.steps[0].body, "203.0.113.0/24"));
	assert_non_null(strstr(plan.steps[1].body, "203.0.113.0/24"));
	fix_plan_clear(&plan);
	harness_close(h);
	fix_then_pass("aks-403-firewall-disabled", "aks.403.firewall",
		      "network-rule-add");

	/* Only the first step said yes to: still refused. */
	h = harness_open("aks-403-firewall-disabled");
	harness_plan(h, "aks.403.firewall", "network-rule-add", &plan);
	{
		long status;

		assert_int_equal(fix_apply_step(h->facts, &plan, 0, &status, &err), 0);
	}
	fix_plan_clear(&plan);
	assert_int_equal(harness_verdict(h, "aks.403.firewall"), CHECK_FAIL);
	harness_close(h);
}

static void test_fix_node_selector(void **state)
{
	struct harness *h = harness_open("aks-platform-windows");
	struct fix_plan plan;

	(void)state;
	harness_plan(h, "aks.platform", "node-selector", &plan);
	assert_int_equal(plan.nsteps, 1);
	assert_true(plan.steps[0].kube);
	assert_string_equal(plan.steps[0].method, "PATCH");
	assert_string_equal(plan.steps[0].url,
		"https://aks-shop-dns-4kq2v1.hcp.westeurope.azmk8s.io:443/apis/apps/v1/namespaces/default/deployments/web");
	{
		cJSON *b = cJSON_Parse(plan.steps[0].body);

		assert_string_equal(jsonu_member_str(jsonu_path(b,
			"spec.template.spec.nodeSelector"), "kubernetes.io/os"), "linux");
		cJSON_Delete(b);
	}
	assert_string_equal(plan.steps[0].content_type,
			    "application/strategic-merge-patch+json");
	assert_string_equal(plan.steps[0].command,
		"kubectl patch deployment web -n default --type strategic -p '{\"spec\":{\"template\":{\"spec\":{\"nodeSelector\":{\"kubernetes.io/os\":\"linux\"}}}}}'");
	fix_plan_clear(&plan);
	harness_close(h);
	fix_then_pass("aks-platform-windows", "aks.platform", "node-selector");
}

/* The cronjob "report" of the world, as the simulated API server holds it. */
static cJSON *report_cronjob(struct harness *h)
{
	cJSON *o = NULL;
	struct ad_error err = { 0 };

	facts_invalidate(h->facts);
	assert_int_equal(kube_get(h->facts,
		"/apis/batch/v1/namespaces/default/cronjobs/report", &o, &err), 0);
	assert_non_null(o);
	return cJSON_Duplicate(o, 1);
}

static void test_fix_pull_policy(void **state)
{
	struct harness *h = harness_open("aks-qps");
	struct fix_plan plan;

	(void)state;
	harness_plan(h, "aks.qps", "pull-policy", &plan);
	assert_int_equal(plan.nsteps, 1);
	assert_true(plan.steps[0].kube);
	assert_string_equal(plan.steps[0].content_type,
			    "application/strategic-merge-patch+json");
	assert_string_equal(fix_step_content_type(&plan.steps[0]),
			    "application/strategic-merge-patch+json");
	{
		cJSON *b = cJSON_Parse(plan.steps[0].body);
		const cJSON *cs = jsonu_array(b,
			"spec.jobTemplate.spec.template.spec.containers");

		/* the container by its name and the changed field, nothing else */
		assert_int_equal(cJSON_GetArraySize(cs), 1);
		assert_int_equal(cJSON_GetArraySize(cJSON_GetArrayItem(cs, 0)), 2);
		assert_string_equal(jsonu_str(cJSON_GetArrayItem(cs, 0), "name"),
				    "report");
		assert_string_equal(jsonu_str(cJSON_GetArrayItem(cs, 0), "imagePullPolicy"),
				    "IfNotPresent");
		cJSON_Delete(b);
	}
	assert_string_equal(plan.steps[0].command,
		"kubectl patch cronjob report -n default --type strategic -p '{\"spec\":{\"jobTemplate\":{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"report\",\"imagePullPolicy\":\"IfNotPresent\"}]}}}}}}'");
	fix_plan_clear(&plan);
	harness_close(h);
	fix_then_pass("aks-qps", "aks.qps", "pull-policy");

	/* A literal secret in env: never in the body, the command or the
	 * texts; the fix is applied all the same, and the container keeps
	 * its env, args and image in the simulated world. */
	/* Only an init container pulls Always: it fails the check, is
	 * changed in its own list, and the check passes afterwards. */
	h = harness_open("scenarios/aks-qps-init-always.json");
	{
		struct check_result res = { 0 };

		assert_int_equal(harness_check(h, "aks.qps", &res), CHECK_FAIL);
		assert_non_null(strstr(res.summary, "imagePullPolicy Always"));
		assert_true(harness_in_list(jsonu_array(res.evidence,
			"imagePullPolicy"), "fetch-config=Always"));
		assert_true(harness_in_list(jsonu_array(res.evidence,
			"imagePullPolicy"), "report=IfNotPresent"));
		check_result_clear(&res);
	}
	harness_plan(h, "aks.qps", "pull-policy", &plan);
	assert_int_equal(plan.nsteps, 1);
	assert_non_null(strstr(plan.steps[0].body, "initContainers"));
	assert_non_null(strstr(plan.steps[0].body, "fetch-config"));
	assert_null(strstr(plan.steps[0].body, "\"report\""));
	fix_plan_clear(&plan);
	harness_close(h);
	fix_then_pass("scenarios/aks-qps-init-always.json", "aks.qps",
		      "pull-policy");

	h = harness_open("scenarios/aks-net-qps-secret-env.json");
	harness_plan(h, "aks.qps", "pull-policy", &plan);
	assert_int_equal(plan.nsteps, 1);
	assert_string_equal(plan.manual, "");
	assert_null(strstr(plan.steps[0].body, "Pl41n-t3xt-pa55"));
	assert_null(strstr(plan.steps[0].body, "env"));
	assert_null(strstr(plan.steps[0].command, "Pl41n-t3xt-pa55"));
	assert_null(strstr(plan.summary, "Pl41n-t3xt-pa55"));
	{
		cJSON *before = report_cronjob(h), *after;
		const char *cpath = "spec.jobTemplate.spec.template.spec.containers.0";
		cJSON *bc, *ac;
		struct ad_error err = { 0 };
		long status;

		assert_int_equal(fix_apply_step(h->facts, &plan, 0, &status, &err), 0);
		assert_int_equal(status, 200);
		after = report_cronjob(h);
		bc = cJSON_Duplicate(jsonu_path(before, cpath), 1);
		ac = cJSON_Duplicate(jsonu_path(after, cpath), 1);
		assert_non_null(bc);
		assert_non_null(ac);
		assert_string_equal(jsonu_str(ac, "imagePullPolicy"), "IfNotPresent");
		assert_non_null(jsonu_array(ac, "env"));
		assert_string_equal(jsonu_str(ac, "env.0.value"), jsonu_str(bc, "env.0.value"));
		/* Apart from the policy, the container is as it was. */
		cJSON_DeleteItemFromObjectCaseSensitive(bc, "imagePullPolicy");
		cJSON_DeleteItemFromObjectCaseSensitive(ac, "imagePullPolicy");
		assert_true(cJSON_Compare(bc, ac, 1));
		cJSON_Delete(bc);
		cJSON_Delete(ac);
		cJSON_Delete(before);
		cJSON_Delete(after);
	}
	fix_plan_clear(&plan);
	assert_int_equal(harness_verdict(h, "aks.qps"), CHECK_PASS);
	harness_close(h);
}

/* The simulated API server takes a strategic merge patch, refuses a bad
 * one with 400 and an unknown patch type with 415, the world unchanged. */
static void test_sim_patch_types(void **state)
{
	static const struct { const char *ctype, *body; long status; } cases[] = {
		{ "application/strategic-merge-patch+json",
		  "{\"spec\":{\"jobTemplate\":{\"spec\":{\"template\":{\"spec\":{\"$patch\":\"replace\"}}}}}}", 400 },
		{ "application/strategic-merge-patch+json",
		  "{\"spec\":{\"jobTemplate\":{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"image\":\"x\"}]}}}}}}", 400 },
		{ "application/json-patch+json",
		  "[{\"op\":\"replace\",\"path\":\"/spec/suspend\",\"value\":true}]", 415 },
		{ "text/plain", "{}", 415 },
	};
	struct harness *h = harness_open("scenarios/aks-net-qps-secret-env.json");
	cJSON *before = report_cronjob(h);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct http_request req = { .method = "PATCH",
			.url = "https://aks-shop-dns-4kq2v1.hcp.westeurope.azmk8s.io:443/apis/batch/v1/namespaces/default/cronjobs/report",
			.body = cases[i].body, .content_type = cases[i].ctype,
			.accept = "application/json" };
		struct http_response r = { 0 };
		struct ad_error err = { 0 };
		cJSON *st, *now;

		assert_int_equal(http_send(h->http, &req, &r, &err), 0);
		assert_int_equal(r.status, cases[i].status);
		st = cJSON_Parse(r.body);
		assert_string_equal(jsonu_str(st, "kind"), "Status");
		assert_int_equal(jsonu_path(st, "code")->valueint, cases[i].status);
		cJSON_Delete(st);
		http_response_clear(&r);
		now = report_cronjob(h);
		assert_true(cJSON_Compare(before, now, 1));
		cJSON_Delete(now);
	}
	cJSON_Delete(before);
	harness_close(h);
}

static void test_fix_declined(void **state)
{
	static const struct { const char *scenario, *check, *fix; } cases[] = {
		{ "aks-403-dns-link", "aks.403.dns-link", "dns-link" },
		{ "aks-403-firewall", "aks.403.firewall", "network-rule-add" },
		{ "aks-403-firewall-disabled", "aks.403.firewall", "network-rule-add" },
		{ "aks-platform-windows", "aks.platform", "node-selector" },
		{ "aks-qps", "aks.qps", "pull-policy" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		harness_decline(cases[i].scenario, cases[i].check,
				cases[i].fix);
}

static void test_manual_fixes(void **state)
{
	static const struct {
		const char *scenario, *check, *fix, *needle;
	} cases[] = {
		{ "aks-401-arch", "aks.401-arch", "push-platform",
		  "docker buildx build --platform linux/amd64,linux/arm64 -t acrshop.azurecr.io/shop/web:1.4.2 --push ." },
		{ "aks-notfound-tag", "aks.notfound", "fix-reference",
		  "kubectl set image deployment/web web=acrshop.azurecr.io/shop/web:1.4.2 -n default" },
		{ "aks-notfound-typo", "aks.notfound", "fix-reference",
		  "az acr repository show-tags --name acrshop --repository shop/web -o table" },
		{ "aks-timeout-peering", "aks.timeout.peering", "peering-recreate",
		  "az network vnet peering delete -g rg-shop --vnet-name vnet-shop -n peer-shop-to-hub" },
		{ "aks-timeout-peering", "aks.timeout.peering", "peering-recreate",
		  "az network vnet peering create -g rg-hub --vnet-name vnet-hub -n vnet-hub-to-vnet-shop" },
		{ "aks-timeout-firewall", "aks.timeout.firewall", "firewall-rules",
		  "--source-addresses 10.224.0.0/16 --destination-addresses 10.10.1.5 --destination-ports 443" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct harness *h = harness_open(cases[i].scenario);
		struct fix_plan plan;

		harness_plan(h, cases[i].check, cases[i].fix, &plan);
		assert_int_equal(plan.nsteps, 0);
		assert_true(plan.summary[0] != '\0');
		if (!strstr(plan.manual, cases[i].needle))
			print_error("%s: manual lacks '%s':\n%s\n", cases[i].fix,
				    cases[i].needle, plan.manual);
		assert_non_null(strstr(plan.manual, cases[i].needle));
		fix_plan_clear(&plan);
		harness_close(h);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_healthy),
		cmocka_unit_test(test_builtin_scenarios),
		cmocka_unit_test(test_private_worlds),
		cmocka_unit_test(test_firewall_rules),
		cmocka_unit_test(test_say_more),
		cmocka_unit_test(test_events_evidence),
		cmocka_unit_test(test_clean_text),
		cmocka_unit_test(test_health_failures),
		cmocka_unit_test(test_notfound),
		cmocka_unit_test(test_arch),
		cmocka_unit_test(test_platform),
		cmocka_unit_test(test_network_evidence),
		cmocka_unit_test(test_qps),
		cmocka_unit_test(test_unknown_sources),
		cmocka_unit_test(test_image_parse_valid),
		cmocka_unit_test(test_image_parse_invalid),
		cmocka_unit_test(test_image_arch_names),
		cmocka_unit_test(test_netrule_allows),
		cmocka_unit_test(test_netrule_plan),
		cmocka_unit_test(test_fix_dns_link),
		cmocka_unit_test(test_fix_network_rule),
		cmocka_unit_test(test_fix_node_selector),
		cmocka_unit_test(test_fix_pull_policy),
		cmocka_unit_test(test_sim_patch_types),
		cmocka_unit_test(test_fix_declined),
		cmocka_unit_test(test_manual_fixes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
