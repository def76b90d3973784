/* test_scenario.c - scenario loading, the sim transport and probe, and
 * the facts layer over them. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "facts.h"
#include "harness.h"
#include "http.h"
#include "jsonu.h"
#include "probe.h"
#include "scenario.h"

#define SUB "/subscriptions/3f2d6a1e-8c4b-4f0e-9b7a-2c1d5e6f7a8b"
#define ARM "https://management.azure.com"
#define REG SUB "/resourceGroups/rg-registry/providers/Microsoft.ContainerRegistry/registries/acrshop"
#define TEST SUB "/resourceGroups/rg-test/providers/Microsoft.Test"

static long send(struct harness *h, const char *method, const char *url,
		 const char *body, char **out)
{
	struct http_request req = { .method = method, .url = url, .body = body };
	struct http_response r;
	struct ad_error err = { 0 };
	long status;

	assert_int_equal(http_send(h->http, &req, &r, &err), 0);
	status = r.status;
	if (out)
		*out = strdup(r.body ? r.body : "");
	http_response_clear(&r);
	return status;
}

static void test_builtin_list(void **state)
{
	size_t i, n = scenario_builtin_count();
	int saw_aks = 0, saw_web = 0;

	(void)state;
	assert_true(n >= 2);
	for (i = 0; i < n; i++) {
		char summary[512];
		const char *name = scenario_builtin_name(i);

		assert_non_null(name);
		assert_int_equal(scenario_builtin_summary(i, summary, sizeof summary), 0);
		assert_true(strlen(summary) > 10);
		if (i > 0)
			assert_true(strcmp(scenario_builtin_name(i - 1), name) < 0);
		saw_aks |= strcmp(name, "aks-healthy") == 0;
		saw_web |= strcmp(name, "webapp-healthy") == 0;
	}
	assert_true(saw_aks && saw_web);
	assert_null(scenario_builtin_name(n));
}

static void test_load_context(void **state)
{
	struct harness *h = harness_open("aks-healthy");

	(void)state;
	assert_string_equal(scenario_name(h->sc), "aks-healthy");
	assert_int_equal(h->ctx->target, AD_TARGET_AKS);
	assert_string_equal(h->ctx->cluster, "aks-shop");
	assert_string_equal(h->ctx->registry_group, "rg-registry");
	assert_null(scenario_expect_cause(h->sc));
	harness_close(h);
}

static void test_derived_merge(void **state)
{
	struct harness *h = harness_open("scenarios/scn-derived.json");
	struct ad_error err = { 0 };
	cJSON *reg;
	char *body = NULL;

	(void)state;
	/* context merged key by key */
	assert_string_equal(h->ctx->pod, "other-pod");
	assert_string_equal(h->ctx->cluster, "aks-shop");
	assert_string_equal(scenario_expect_cause(h->sc), "aks.403");
	/* merge patch: changed, deleted, kept */
	assert_int_equal(arm_get(h->facts, REG, API_ACR, &reg, &err), 0);
	assert_string_equal(jsonu_str(reg, "properties.publicNetworkAccess"),
			    "Disabled");
	assert_null(jsonu_path(reg, "properties.anonymousPullEnabled"));
	assert_string_equal(jsonu_str(reg, "properties.loginServer"),
			    "acrshop.azurecr.io");
	/* removed entry: now a real-looking ARM 404 */
	assert_int_equal(send(h, "GET", ARM REG "/privateEndpointConnections?api-version=x",
			      NULL, &body), 404);
	assert_non_null(strstr(body, "ResourceNotFound"));
	free(body);
	harness_close(h);
}

static void test_not_found_shapes(void **state)
{
	struct harness *h = harness_open("aks-healthy");
	char *body = NULL;

	(void)state;
	assert_int_equal(send(h, "GET", "https://acrshop.azurecr.io/v2/shop/web/manifests/9.9.9",
			      NULL, &body), 404);
	assert_non_null(strstr(body, "MANIFEST_UNKNOWN"));
	free(body);
	assert_int_equal(send(h, "GET", "https://graph.microsoft.com/v1.0/applications(appId='x')",
			      NULL, &body), 404);
	assert_non_null(strstr(body, "Request_ResourceNotFound"));
	free(body);
	assert_int_equal(send(h, "GET", "https://aks-shop-dns-4kq2v1.hcp.westeurope.azmk8s.io:443/api/v1/namespaces/default/pods/nope",
			      NULL, &body), 404);
	assert_non_null(strstr(body, "\"NotFound\""));
	free(body);
	/* HEAD is answered from GET, without a body */
	assert_int_equal(send(h, "HEAD", "https://acrshop.azurecr.io/v2/shop/web/manifests/1.4.2",
			      NULL, &body), 200);
	assert_string_equal(body, "");
	free(body);
	harness_close(h);
}

static void test_put_patch_delete(void **state)
{
	struct harness *h = harness_open("scenarios/scn-derived.json");
	struct ad_error err = { 0 };
	cJSON *list, *flag;
	char *body = NULL;
	char *before, *after;

	(void)state;
	assert_int_equal(arm_list(h->facts, TEST "/things", "1", &list, &err), 0);
	assert_int_equal(cJSON_GetArraySize(jsonu_path(list, "value")), 2);
	/* PUT a new item: 201, appears in its collection, reaction runs */
	assert_int_equal(send(h, "PUT", ARM TEST "/things/c?api-version=1",
			      "{\"properties\":{\"x\":1}}", &body), 201);
	assert_non_null(strstr(body, "\"name\":\"c\""));
	free(body);
	facts_invalidate(h->facts);
	assert_int_equal(arm_get(h->facts, TEST "/flag", "1", &flag, &err), 0);
	assert_true(jsonu_bool(flag, "raised", 0));
	assert_int_equal(send(h, "GET", ARM TEST "/things", NULL, &body), 200);
	assert_non_null(strstr(body, "/things/c"));
	free(body);
	/* PUT again: 200 */
	assert_int_equal(send(h, "PUT", ARM TEST "/things/c", "{\"properties\":{\"x\":2}}",
			      NULL), 200);
	/* PATCH merges into the resource and its copy in the collection */
	assert_int_equal(send(h, "PATCH", ARM TEST "/things/c", "{\"properties\":{\"y\":3}}",
			      &body), 200);
	assert_non_null(strstr(body, "\"x\":2"));
	assert_non_null(strstr(body, "\"y\":3"));
	free(body);
	assert_int_equal(send(h, "GET", ARM TEST "/things", NULL, &body), 200);
	assert_non_null(strstr(body, "\"y\":3"));
	free(body);
	/* PATCH of something absent: 404, world unchanged */
	before = harness_world(h);
	assert_int_equal(send(h, "PATCH", ARM TEST "/nothing", "{}", NULL), 404);
	/* an explicit write entry answers without changing the world */
	assert_int_equal(send(h, "PUT", ARM TEST "/locked/abc", "{}", NULL), 403);
	/* a body that is not JSON: 400 */
	assert_int_equal(send(h, "PUT", ARM TEST "/things/d", "not json", NULL), 400);
	after = harness_world(h);
	assert_string_equal(before, after);
	free(before);
	free(after);
	/* DELETE removes it from the collection */
	assert_int_equal(send(h, "DELETE", ARM TEST "/things/c", NULL, NULL), 200);
	assert_int_equal(send(h, "GET", ARM TEST "/things", NULL, &body), 200);
	assert_null(strstr(body, "/things/c"));
	free(body);
	assert_int_equal(send(h, "GET", ARM TEST "/things/c", NULL, NULL), 404);
	harness_close(h);
}

static void test_unreachable_hosts(void **state)
{
	struct harness *h = harness_open("scenarios/scn-derived.json");
	struct http_request req = { .method = "GET",
		.url = "https://unreachable.example.invalid/x" };
	struct http_response r;
	struct ad_error err = { 0 };

	(void)state;
	assert_int_equal(http_send(h->http, &req, &r, &err), AD_ETIMEOUT);
	assert_non_null(strstr(err.msg, "timed out"));
	req.url = "https://refused.example.invalid/x";
	assert_int_equal(http_send(h->http, &req, &r, &err), AD_EIO);
	assert_non_null(strstr(err.msg, "refused"));
	harness_close(h);
}

static void test_facts_errors(void **state)
{
	struct harness *h = harness_open("scenarios/scn-derived.json");
	struct ad_error err = { 0 };
	cJSON *j = NULL;
	size_t i;

	(void)state;
	assert_int_equal(arm_get(h->facts, TEST "/throttled", "1", &j, &err),
			 AD_ETHROTTLE);
	assert_non_null(strstr(err.msg, "17"));
	assert_int_equal(arm_get(h->facts, TEST "/denied", "1", &j, &err),
			 AD_EDENIED);
	assert_non_null(strstr(err.msg, "AuthorizationFailed"));
	assert_int_equal(arm_get(h->facts, TEST "/broken", "1", &j, &err),
			 AD_EPARSE);
	assert_int_equal(arm_list(h->facts, TEST "/broken", "1", &j, &err),
			 AD_EPARSE);
	assert_int_equal(arm_get(h->facts, TEST "/missing", "1", &j, &err),
			 AD_ENOTFOUND);
	/* a hostile server message loses its control characters */
	assert_int_equal(arm_get(h->facts, TEST "/hostile", "1", &j, &err),
			 AD_EHTTP);
	for (i = 0; err.msg[i]; i++)
		assert_true((unsigned char)err.msg[i] >= 0x20);
	assert_null(strchr(err.detail, '\033'));
	harness_close(h);
}

static void test_facts_cache(void **state)
{
	struct harness *h = harness_open("aks-healthy");
	struct ad_error err = { 0 };
	cJSON *a, *b;

	(void)state;
	assert_int_equal(arm_get(h->facts, REG, API_ACR, &a, &err), 0);
	/* change the world behind the cache's back */
	assert_int_equal(send(h, "PATCH", ARM REG,
			      "{\"properties\":{\"adminUserEnabled\":true}}", NULL), 200);
	assert_int_equal(arm_get(h->facts, REG, API_ACR, &b, &err), 0);
	assert_ptr_equal(a, b);
	assert_false(jsonu_bool(b, "properties.adminUserEnabled", 1));
	facts_invalidate(h->facts);
	assert_int_equal(arm_get(h->facts, REG, API_ACR, &b, &err), 0);
	assert_true(jsonu_bool(b, "properties.adminUserEnabled", 0));
	harness_close(h);
}

static void test_registry(void **state)
{
	struct harness *h = harness_open("aks-healthy");
	struct ad_error err = { 0 };
	cJSON *m = NULL, *tags = NULL;
	long status = 0;

	(void)state;
	assert_int_equal(reg_ping(h->facts, "acrshop.azurecr.io", &status, &err), 0);
	assert_int_equal(status, 401);
	assert_int_equal(reg_manifest(h->facts, "acrshop.azurecr.io", "shop/web",
				      "1.4.2", &status, &m, &err), 0);
	assert_int_equal(status, 200);
	assert_non_null(jsonu_array(m, "manifests"));
	assert_int_equal(reg_manifest(h->facts, "acrshop.azurecr.io", "shop/web",
				      "0.0.1", &status, &m, &err), 0);
	assert_int_equal(status, 404);
	assert_null(m);
	assert_int_equal(reg_tags(h->facts, "acrshop.azurecr.io", "shop/web",
				  &status, &tags, &err), 0);
	assert_int_equal(status, 200);
	assert_non_null(jsonu_array(tags, "tags"));
	/* names that could smuggle form fields are refused */
	assert_int_equal(reg_manifest(h->facts, "acrshop.azurecr.io", "shop/web&x=1",
				      "1.4.2", &status, &m, &err), AD_EINVAL);
	harness_close(h);
}

static void test_probe(void **state)
{
	struct harness *h = harness_open("scenarios/scn-derived.json");
	struct ad_error err = { 0 };
	struct probe_dns d;
	enum probe_tcp t;

	(void)state;
	assert_int_equal(facts_resolve(h->facts, "acrshop.azurecr.io", &d, &err), 0);
	assert_true(d.naddr >= 1);
	assert_int_equal(facts_resolve(h->facts, "extra.example.invalid", &d, &err), 0);
	assert_string_equal(d.addr[0], "10.9.9.9");
	assert_int_equal(facts_resolve(h->facts, "bad.example.invalid", &d, &err), 0);
	assert_int_equal(d.naddr, 0);
	assert_string_equal(d.answer_error, "SERVFAIL");
	assert_int_equal(facts_resolve(h->facts, "absent.example.invalid", &d, &err), 0);
	assert_string_equal(d.answer_error, "NXDOMAIN");
	assert_int_equal(facts_tcp(h->facts, "10.9.9.9", 443, &t, &err), 0);
	assert_int_equal(t, PROBE_TCP_REFUSED);
	assert_int_equal(facts_tcp(h->facts, "10.1.1.1", 443, &t, &err), 0);
	assert_int_equal(t, PROBE_TCP_TIMEOUT);
	harness_close(h);

	h = harness_open("scenarios/scn-no-node.json");
	assert_int_equal(facts_resolve(h->facts, "acrshop.azurecr.io", &d, &err),
			 AD_EUNSUPP);
	assert_non_null(strstr(err.msg, "no SSH access"));
	harness_close(h);
}

static void test_broken_scenarios(void **state)
{
	static const struct {
		const char *file, *words;
	} cases[] = {
		{ "scenarios/bad-json.json", "not valid JSON" },
		{ "scenarios/bad-format.json", "format" },
		{ "scenarios/bad-url.json", "https://" },
		{ "scenarios/bad-query.json", "query string" },
		{ "scenarios/bad-method.json", "method" },
		{ "scenarios/bad-guid.json", "subscription" },
		{ "scenarios/bad-pod.json", "pod" },
		{ "scenarios/bad-base.json", "no-such-world" },
		{ "scenarios/bad-base-file.json", "built-in" },
		{ "scenarios/bad-remove.json", "does not have" },
		{ "scenarios/bad-status.json", "status" },
		{ "scenarios/bad-target.json", "target" },
		{ "scenarios/bad-array.json", "object" },
		{ "scenarios/does-not-exist.json", "cannot open" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct scenario *s = NULL;
		struct ad_error err = { 0 };
		int rc = scenario_load(harness_data(cases[i].file), &s, &err);

		if (rc == 0 || !strstr(err.msg, cases[i].words))
			print_error("%s: rc %d, message '%s'\n", cases[i].file,
				    rc, err.msg);
		assert_int_not_equal(rc, 0);
		assert_null(s);
		assert_non_null(strstr(err.msg, cases[i].words));
	}
	{
		struct scenario *s = NULL;
		struct ad_error err = { 0 };

		assert_int_not_equal(scenario_load("../../etc/passwd-ish", &s, &err), 0);
		assert_int_not_equal(scenario_load("No Such Name", &s, &err), 0);
		assert_int_equal(scenario_load("no-such-name", &s, &err), AD_ENOTFOUND);
		assert_int_not_equal(scenario_parse("", 0, "empty", &s, &err), 0);
		assert_int_not_equal(scenario_parse("\xff\xfe{", 3, "binary", &s, &err), 0);
	}
}

/* Values the loader used to take silently (a default, a truncation, a
 * wrong type) are rejected with the field named; a file with a base
 * numbers its own http entries. */
static void test_invalid_values(void **state)
{
#define HEAD "{\"format\":\"acr-doctor-scenario/1\",\"name\":\"x\"," \
	     "\"summary\":\"x\",\"base\":\"aks-healthy\","
	static const struct {
		const char *doc, *words;
	} cases[] = {
		{ HEAD "\"expect\":{\"cause\":null},\"notes\":42}", "'notes'" },
		{ HEAD "\"expect\":{\"cause\":null},\"latency_ms\":1.5}", "'latency_ms'" },
		{ HEAD "\"expect\":{\"cause\":null},\"latency_ms\":-1}", "'latency_ms'" },
		{ HEAD "\"expect\":{\"cause\":\"aks.nosuch\"}}", "'expect.cause'" },
		{ HEAD "\"expect\":{\"cause\":null},\"hosts\":{\"acrshop.azurecr.io\":\"bogus\"}}",
		  "'hosts.acrshop.azurecr.io'" },
		{ HEAD "\"expect\":{\"cause\":null},\"hosts\":{\"acrshop.azurecr.io\":3}}",
		  "'hosts.acrshop.azurecr.io'" },
		{ HEAD "\"expect\":{\"cause\":null},\"node\":{\"tcp\":{\"20.50.2.68:443\":\"bogus\"}}}",
		  "'node.tcp.20.50.2.68:443'" },
		{ HEAD "\"expect\":{\"cause\":null},\"node\":{\"dns\":{\"acrshop.azurecr.io\":5}}}",
		  "'node.dns.acrshop.azurecr.io'" },
		{ HEAD "\"expect\":{\"cause\":null},\"node\":{\"dns\":{\"acrshop.azurecr.io\":[1]}}}",
		  "'node.dns.acrshop.azurecr.io'" },
		{ HEAD "\"expect\":{\"cause\":null},\"node\":{\"dns\":5}}", "'node.dns'" },
		{ HEAD "\"expect\":{\"cause\":null},\"node\":{\"name\":5}}", "'node.name'" },
		/* the file's first entry is entry 1, whatever the base holds */
		{ HEAD "\"expect\":{\"cause\":null},\"http\":[{\"method\":\"GET\","
		  "\"url\":\"https://management.azure.com/x\",\"status\":999}]}",
		  "http entry 1:" },
		{ HEAD "\"expect\":{\"cause\":null},\"http\":[{\"method\":\"GET\","
		  "\"url\":\"https://management.azure.com/x\"},{\"method\":\"FETCH\","
		  "\"url\":\"https://management.azure.com/y\"}]}", "http entry 2:" },
	};
	size_t i;
	int failed = 0;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct scenario *s = NULL;
		struct ad_error err = { 0 };
		int rc = scenario_parse(cases[i].doc, strlen(cases[i].doc),
					"case.json", &s, &err);

		if (rc == 0 || s || !strstr(err.msg, cases[i].words)) {
			print_error("case %zu: rc %d, message '%s', wanted '%s'\n",
				    i, rc, err.msg, cases[i].words);
			failed++;
		}
		scenario_free(s);
	}
	assert_int_equal(failed, 0);
	/* and what is valid still loads */
	{
		static const char ok[] = HEAD "\"expect\":{\"cause\":\"aks.403\"},"
			"\"notes\":\"n\",\"latency_ms\":2.0,"
			"\"hosts\":{\"a.azurecr.io\":\"dns\"},"
			"\"node\":{\"dns\":{\"a\":[\"10.0.0.1\"],\"b\":{\"error\":\"NXDOMAIN\"}},"
			"\"tcp\":{\"10.0.0.1:443\":\"refused\"}}}";
		struct scenario *s = NULL;
		struct ad_error err = { 0 };

		if (scenario_parse(ok, strlen(ok), "ok.json", &s, &err) != 0)
			print_error("%s\n", err.msg);
		assert_non_null(s);
		assert_int_equal(scenario_latency_ms(s), 2);
		scenario_free(s);
	}
#undef HEAD
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_list),
		cmocka_unit_test(test_load_context),
		cmocka_unit_test(test_derived_merge),
		cmocka_unit_test(test_not_found_shapes),
		cmocka_unit_test(test_put_patch_delete),
		cmocka_unit_test(test_unreachable_hosts),
		cmocka_unit_test(test_facts_errors),
		cmocka_unit_test(test_facts_cache),
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_broken_scenarios),
		cmocka_unit_test(test_invalid_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
