/* test_aks_auth.c - the aks.401.* checks and the attach-acr, reconcile
 * and manual fixes over the aks-401-* scenarios and the aks-auth-* test
 * worlds: verdicts, evidence, the unknown paths, secrets that never show,
 * and fixes that change the world (or, declined, do not). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "checks/roles.h"
#include "err.h"
#include "facts.h"
#include "fix.h"
#include "harness.h"
#include "jsonu.h"
#include "scenario.h"

#define KUBELET_OBJ "a4c71e92-5b3d-4f08-9e6a-1d2b7c8f3e51"
#define SP_EXPIRED_APP "5f8c2e1a-9d47-4b3e-a6c1-7e2f0b9d4a83"
#define SP_EXPIRED_OBJ "c3a9e5d1-7b2f-4e86-9a04-1f6d8b3c2e57"
#define SP_NEW_APP "2b7e9c4f-6a1d-4f58-8e3b-0c5a7d9f1e62"
#define SP_NEW_OBJ "f4d8a2c6-1e9b-4b73-a5d0-6c2e8f4a1b39"
#define SP_OLD_OBJ "71c3e8a5-4d2b-4f9e-b1a6-8e0d3c5f7a24"
#define SECRET_APP "9a4e7c2b-3f1d-4e68-b5a9-2d8c6f0e1b47"
#define ACRPULL_ID "7f951dda-4ed3-4680-a7ca-43fe172d538d"
#define REG_ID "/subscriptions/3f2d6a1e-8c4b-4f0e-9b7a-2c1d5e6f7a8b/resourceGroups/rg-registry/providers/Microsoft.ContainerRegistry/registries/acrshop"

/* Every password and client secret in the aks-401 worlds. */
static const char *const secrets[] = {
	"Xk8Q~vR3nT.wL5pZ2mJ9cF7hB0sD4gY6aE1uN-iO",        /* SP secret */
	"Pm2Wq7Rt+ACRzX4vN9bK1cL6jH3sD8fG0yUeTaMo5iVw",     /* stale admin */
	"Nb6Ty3Kp+ACRwQ8sZ1fV4hM7cR0gJ5dL2xEuAiPo9kXq",     /* password */
	"Jr9Hw2Ez+ACRmT5bQ8vN1kY4pS7fC0gX3dLuWiVa6oBn",     /* password2 */
	"ghp_notused",
};
#define NSECRETS (sizeof secrets / sizeof secrets[0])

enum { ACRPULL, SP_EXPIRED, SP_MISMATCH, KUBELET_VMSS, SECRET_SP,
       SECRET_ADMIN, NCHECKS };

static const char *const ids[NCHECKS] = {
	"aks.401.acrpull", "aks.401.sp-expired", "aks.401.sp-mismatch",
	"aks.401.kubelet-vmss", "aks.401.secret-sp", "aks.401.secret-admin",
};

#define P CHECK_PASS
#define F CHECK_FAIL
#define U CHECK_UNKNOWN
#define NA CHECK_NA

static const char *ev(const struct check_result *res, const char *key)
{
	return jsonu_str(res->evidence, key);
}

static double ev_number(const struct check_result *res, const char *key)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(res->evidence, key);

	assert_true(cJSON_IsNumber(n));
	return n->valuedouble;
}

static int ev_list_has(const struct check_result *res, const char *key,
		       const char *value)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, jsonu_array(res->evidence, key))
		if (cJSON_IsString(it) && strstr(it->valuestring, value))
			return 1;
	return 0;
}

static int ev_list_len(const struct check_result *res, const char *key)
{
	const cJSON *a = jsonu_array(res->evidence, key);

	return a ? cJSON_GetArraySize(a) : 0;
}

/* Run every aks.401 check on scenario and compare with want. */
static void expect_verdicts(const char *scenario,
			    const enum check_verdict want[NCHECKS])
{
	struct harness *h = harness_open(scenario);
	int i;

	for (i = 0; i < NCHECKS; i++) {
		struct check_result res = { 0 };
		enum check_verdict v = harness_check(h, ids[i], &res);

		if (v != want[i]) {
			print_error("%s: %s is %s (%s), expected %s\n", scenario,
				    ids[i], check_verdict_str(v), res.summary,
				    check_verdict_str(want[i]));
			fail();
		}
		assert_true(res.summary[0] != '\0');
		if (v == CHECK_FAIL)
			assert_non_null(res.fix);
		else
			assert_null(res.fix);
		check_result_clear(&res);
	}
	harness_close(h);
}

/* Run one check; the caller clears res. */
static enum check_verdict run1(struct harness *h, int which,
			       struct check_result *res)
{
	return harness_check(h, ids[which], res);
}

/* ---------- the scenarios ---------- */

static void test_healthy(void **state)
{
	static const enum check_verdict want[] = { P, NA, NA, P, NA, NA };
	struct harness *h;
	struct check_result res = { 0 };

	(void)state;
	expect_verdicts("aks-healthy", want);
	h = harness_open("aks-healthy");
	assert_int_equal(run1(h, ACRPULL, &res), CHECK_PASS);
	assert_string_equal(ev(&res, "principalId"), KUBELET_OBJ);
	assert_string_equal(ev(&res, "identity"), "kubelet identity");
	assert_true(ev_list_has(&res, "pullCapable", "AcrPull at registry"));
	assert_int_equal((int)ev_number(&res, "assignmentsSeen"), 2);
	assert_non_null(strstr(res.command, "az role assignment list --scope " REG_ID));
	check_result_clear(&res);
	assert_int_equal(run1(h, KUBELET_VMSS, &res), CHECK_PASS);
	assert_true(ev_list_has(&res, "scaleSets", "aks-nodepool1-12345678-vmss"));
	assert_null(jsonu_array(res.evidence, "missingOn"));
	check_result_clear(&res);
	assert_int_equal(run1(h, SECRET_SP, &res), CHECK_NA);
	assert_non_null(strstr(res.summary, "no imagePullSecrets"));
	check_result_clear(&res);
	harness_close(h);
}

static void test_no_acrpull(void **state)
{
	static const enum check_verdict want[] = { F, NA, NA, P, NA, NA };
	struct harness *h;
	struct check_result res = { 0 };

	(void)state;
	expect_verdicts("aks-401-no-acrpull", want);
	h = harness_open("aks-401-no-acrpull");
	assert_int_equal(run1(h, ACRPULL, &res), CHECK_FAIL);
	assert_string_equal(res.fix, "attach-acr");
	assert_string_equal(ev(&res, "principalId"), KUBELET_OBJ);
	assert_int_equal((int)ev_number(&res, "assignmentsSeen"), 1);
	assert_int_equal((int)ev_number(&res, "principalAssignmentCount"), 0);
	assert_null(jsonu_array(res.evidence, "pullCapable"));
	assert_true(ev_list_has(&res, "assignments", "Group 9b1d4e7a"));
	assert_string_equal(jsonu_str(res.data, "principalId"), KUBELET_OBJ);
	assert_string_equal(jsonu_str(res.data, "principalType"), "ServicePrincipal");
	assert_string_equal(jsonu_str(res.data, "registryId"), REG_ID);
	assert_non_null(strstr(res.summary, "0d8f2c4b-7a31-4e9b-b6d2-3c5e8f1a9b70"));
	assert_non_null(strstr(res.summary, "1 assignment "));
	check_result_clear(&res);
	harness_close(h);
}

static void test_sp_expired(void **state)
{
	static const enum check_verdict want[] = { P, F, P, NA, NA, NA };
	struct harness *h;
	struct check_result res = { 0 };

	(void)state;
	expect_verdicts("aks-401-sp-expired", want);
	h = harness_open("aks-401-sp-expired");
	assert_int_equal(run1(h, SP_EXPIRED, &res), CHECK_FAIL);
	assert_string_equal(res.fix, "sp-renew");
	assert_string_equal(ev(&res, "clientId"), SP_EXPIRED_APP);
	assert_true(ev_list_has(&res, "credentialEndDates", "2025-01-12T10:31:07Z"));
	assert_int_equal((int)ev_number(&res, "validCredentials"), 0);
	assert_int_equal((int)ev_number(&res, "expiredCredentials"), 1);
	assert_non_null(ev(&res, "now"));
	assert_non_null(strstr(res.command, "az ad app credential list --id " SP_EXPIRED_APP));
	check_result_clear(&res);
	/* The service principal's object id is what acrpull looked for. */
	assert_int_equal(run1(h, ACRPULL, &res), CHECK_PASS);
	assert_string_equal(ev(&res, "identity"), "service principal");
	assert_string_equal(ev(&res, "principalId"), SP_EXPIRED_OBJ);
	check_result_clear(&res);
	assert_int_equal(run1(h, KUBELET_VMSS, &res), CHECK_NA);
	check_result_clear(&res);
	harness_close(h);
}

static void test_sp_mismatch(void **state)
{
	static const enum check_verdict want[] = { F, P, F, NA, NA, NA };
	struct harness *h;
	struct check_result res = { 0 };

	(void)state;
	expect_verdicts("aks-401-sp-mismatch", want);
	h = harness_open("aks-401-sp-mismatch");
	assert_int_equal(run1(h, SP_MISMATCH, &res), CHECK_FAIL);
	assert_string_equal(res.fix, "attach-acr");
	assert_string_equal(ev(&res, "principalId"), SP_NEW_OBJ);
	assert_true(ev_list_has(&res, "otherPullPrincipals", SP_OLD_OBJ));
	assert_string_equal(jsonu_str(res.data, "principalId"), SP_NEW_OBJ);
	check_result_clear(&res);
	assert_int_equal(run1(h, SP_EXPIRED, &res), CHECK_PASS);
	assert_true(ev_list_has(&res, "credentialEndDates", "2099-12-31T23:59:59Z"));
	check_result_clear(&res);
	assert_int_equal(run1(h, ACRPULL, &res), CHECK_FAIL);
	assert_string_equal(ev(&res, "principalId"), SP_NEW_OBJ);
	assert_true(ev_list_has(&res, "assignments", SP_OLD_OBJ));
	check_result_clear(&res);
	harness_close(h);
}

static void test_vmss_identity_removed(void **state)
{
	static const enum check_verdict want[] = { P, NA, NA, F, NA, NA };
	struct harness *h;
	struct check_result res = { 0 };

	(void)state;
	expect_verdicts("aks-401-vmss-identity-removed", want);
	h = harness_open("aks-401-vmss-identity-removed");
	assert_int_equal(run1(h, KUBELET_VMSS, &res), CHECK_FAIL);
	assert_string_equal(res.fix, "reconcile");
	assert_true(ev_list_has(&res, "missingOn", "aks-nodepool1-12345678-vmss"));
	assert_non_null(strstr(ev(&res, "kubeletIdentity"),
			       "/userAssignedIdentities/aks-shop-agentpool"));
	assert_string_equal(ev(&res, "nodeResourceGroup"),
			    "MC_rg-shop_aks-shop_westeurope");
	assert_string_equal(res.command,
		"az vmss identity show -g MC_rg-shop_aks-shop_westeurope -n aks-nodepool1-12345678-vmss");
	check_result_clear(&res);
	harness_close(h);
}

static void test_secret_sp_expired(void **state)
{
	static const enum check_verdict want[] = { F, NA, NA, P, F, NA };
	struct harness *h;
	struct check_result res = { 0 };

	(void)state;
	expect_verdicts("aks-401-secret-sp-expired", want);
	h = harness_open("aks-401-secret-sp-expired");
	assert_int_equal(run1(h, SECRET_SP, &res), CHECK_FAIL);
	assert_string_equal(res.fix, "secret-sp-reset");
	assert_string_equal(ev(&res, "secret"), "acr-pull");
	assert_string_equal(ev(&res, "username"), SECRET_APP);
	assert_string_equal(ev(&res, "loginServer"), "acrshop.azurecr.io");
	/* The service principal object has none: the application's count. */
	assert_true(ev_list_has(&res, "credentialEndDates", "2025-01-08T09:12:52Z"));
	assert_int_equal((int)ev_number(&res, "validCredentials"), 0);
	assert_string_equal(jsonu_str(res.data, "appId"), SECRET_APP);
	check_result_clear(&res);
	assert_int_equal(run1(h, SECRET_ADMIN, &res), CHECK_NA);
	check_result_clear(&res);
	harness_close(h);
}

static void test_secret_admin_mismatch(void **state)
{
	static const enum check_verdict want[] = { F, NA, NA, P, NA, F };
	struct harness *h;
	struct check_result res = { 0 };

	(void)state;
	expect_verdicts("aks-401-secret-admin-mismatch", want);
	h = harness_open("aks-401-secret-admin-mismatch");
	assert_int_equal(run1(h, SECRET_ADMIN, &res), CHECK_FAIL);
	assert_string_equal(res.fix, "secret-update");
	assert_string_equal(ev(&res, "secret"), "acr-admin");
	assert_string_equal(ev(&res, "password"), "mismatch");
	assert_int_equal((int)ev_number(&res, "passwordsCompared"), 2);
	assert_string_equal(ev(&res, "activityLog"), "read");
	assert_true(ev_list_has(&res, "regenerations", "2025-01-17T09:42:19Z"));
	/* The "Started" event of the same operation is not counted. */
	assert_int_equal(ev_list_len(&res, "regenerations"), 1);
	assert_non_null(strstr(res.summary, "2025-01-17"));
	check_result_clear(&res);
	harness_close(h);
}

/* The expect block of every aks-401 scenario names the failing checks. */
static void test_scenario_expectations(void **state)
{
	static const char *const scns[] = {
		"aks-401-no-acrpull", "aks-401-sp-expired", "aks-401-sp-mismatch",
		"aks-401-vmss-identity-removed", "aks-401-secret-sp-expired",
		"aks-401-secret-admin-mismatch",
	};
	size_t s;
	int i;

	(void)state;
	for (s = 0; s < sizeof scns / sizeof scns[0]; s++) {
		struct harness *h = harness_open(scns[s]);
		const cJSON *exp = scenario_expect(h->sc);
		const cJSON *failing = jsonu_array(exp, "failing");
		const char *fixid = jsonu_str(exp, "fix");
		int fix_seen = 0;

		assert_string_equal(scenario_expect_cause(h->sc), "aks.401");
		assert_non_null(failing);
		for (i = 0; i < NCHECKS; i++) {
			struct check_result res = { 0 };
			const cJSON *it;
			int listed = 0;

			harness_check(h, ids[i], &res);
			cJSON_ArrayForEach(it, failing)
				if (cJSON_IsString(it) &&
				    strcmp(it->valuestring, ids[i]) == 0)
					listed = 1;
			if (listed != (res.verdict == CHECK_FAIL)) {
				print_error("%s: %s is %s\n", scns[s], ids[i],
					    check_verdict_str(res.verdict));
				fail();
			}
			if (res.fix && fixid && strcmp(res.fix, fixid) == 0)
				fix_seen = 1;
			check_result_clear(&res);
		}
		assert_true(fix_seen);
		harness_close(h);
	}
}

/* ---------- variants ---------- */

static void test_now_override(void **state)
{
	struct harness *h;
	struct check_result res = { 0 };
	time_t t;

	(void)state;
	h = harness_open("aks-401-sp-expired");
	/* Before the secret expired, the same world passes. */
	setenv("ACR_DOCTOR_NOW", "2024-06-01T00:00:00Z", 1);
	assert_int_equal(ad_now(&t), 0);
	assert_int_equal((long long)t, 1717200000LL);
	assert_int_equal(run1(h, SP_EXPIRED, &res), CHECK_PASS);
	assert_string_equal(ev(&res, "now"), "2024-06-01T00:00:00Z");
	check_result_clear(&res);
	setenv("ACR_DOCTOR_NOW", "next tuesday", 1);
	assert_int_equal(run1(h, SP_EXPIRED, &res), CHECK_UNKNOWN);
	check_result_clear(&res);
	unsetenv("ACR_DOCTOR_NOW");
	assert_int_equal(run1(h, SP_EXPIRED, &res), CHECK_FAIL);
	check_result_clear(&res);
	harness_close(h);
}

static void test_parse_time(void **state)
{
	time_t t;

	(void)state;
	assert_int_equal(ad_parse_time("2025-01-12T10:31:07.2291552Z", &t), 0);
	assert_int_equal((long long)t, 1736677867LL);
	assert_int_equal(ad_parse_time("2025-01-12T12:31:07+02:00", &t), 0);
	assert_int_equal((long long)t, 1736677867LL);
	assert_int_equal(ad_parse_time("2099-12-31T23:59:59Z", &t), 0);
	assert_true((long long)t > 4000000000LL);
	assert_int_equal(ad_parse_time("1970-01-01", &t), 0);
	assert_int_equal((long long)t, 0);
	assert_int_equal(ad_parse_time("2025-13-01T00:00:00Z", &t), AD_EINVAL);
	assert_int_equal(ad_parse_time("2025-01-12T10:31:07Zjunk", &t), AD_EINVAL);
	assert_int_equal(ad_parse_time("String (timestamp)", &t), AD_EINVAL);
	assert_int_equal(ad_parse_time("", &t), AD_EINVAL);
	assert_int_equal(ad_parse_time(NULL, &t), AD_EINVAL);
}

static void test_role_variants(void **state)
{
	static const enum check_verdict custom[] = { P, NA, NA, P, NA, NA };
	static const enum check_verdict excluded[] = { F, NA, NA, P, NA, NA };
	struct harness *h;
	struct check_result res = { 0 };

	(void)state;
	/* A custom role whose wildcard covers pull/read counts. */
	expect_verdicts("scenarios/aks-auth-custom-role.json", custom);
	h = harness_open("scenarios/aks-auth-custom-role.json");
	assert_int_equal(run1(h, ACRPULL, &res), CHECK_PASS);
	assert_true(ev_list_has(&res, "pullCapable", "Shop image reader at registry"));
	check_result_clear(&res);
	harness_close(h);
	/* ... unless notActions takes it away. */
	expect_verdicts("scenarios/aks-auth-custom-role-notactions.json", excluded);
	h = harness_open("scenarios/aks-auth-custom-role-notactions.json");
	assert_int_equal(run1(h, ACRPULL, &res), CHECK_FAIL);
	assert_true(ev_list_has(&res, "principalAssignments", "(cannot pull)"));
	check_result_clear(&res);
	harness_close(h);
	/* Scopes above the registry count; a look-alike prefix does not. */
	expect_verdicts("scenarios/aks-auth-rg-scope.json", custom);
	expect_verdicts("scenarios/aks-auth-sub-scope.json", custom);
	h = harness_open("scenarios/aks-auth-sub-scope.json");
	assert_int_equal(run1(h, ACRPULL, &res), CHECK_PASS);
	assert_true(ev_list_has(&res, "pullCapable", "Reader at subscription"));
	check_result_clear(&res);
	harness_close(h);
	expect_verdicts("scenarios/aks-auth-scope-boundary.json", excluded);
	h = harness_open("scenarios/aks-auth-scope-boundary.json");
	assert_int_equal(run1(h, ACRPULL, &res), CHECK_FAIL);
	assert_int_equal((int)ev_number(&res, "assignmentsSeen"), 1);
	check_result_clear(&res);
	harness_close(h);
}

static void test_vmss_two_pools(void **state)
{
	struct harness *h = harness_open("scenarios/aks-auth-vmss-two-pools.json");
	struct check_result res = { 0 };

	(void)state;
	assert_int_equal(run1(h, KUBELET_VMSS, &res), CHECK_FAIL);
	/* The identity key differs in case on nodepool1: still assigned. */
	assert_int_equal(ev_list_len(&res, "scaleSets"), 2);
	assert_int_equal(ev_list_len(&res, "missingOn"), 1);
	assert_true(ev_list_has(&res, "missingOn", "aks-userpool-12345678-vmss"));
	assert_non_null(strstr(res.summary, "1 of 2"));
	check_result_clear(&res);
	harness_close(h);
}

static void test_secret_variants(void **state)
{
	static const enum check_verdict admin_ok[] = { F, NA, NA, P, NA, P };
	static const enum check_verdict other[] = { F, NA, NA, P, NA, NA };
	static const enum check_verdict admin_bad[] = { F, NA, NA, P, NA, F };
	static const enum check_verdict sp_ok[] = { F, NA, NA, P, P, NA };
	static const enum check_verdict sp_bad[] = { F, NA, NA, P, F, NA };
	struct harness *h;
	struct check_result res = { 0 };

	(void)state;
	expect_verdicts("scenarios/aks-auth-secret-admin-ok.json", admin_ok);
	h = harness_open("scenarios/aks-auth-secret-admin-ok.json");
	assert_int_equal(run1(h, SECRET_ADMIN, &res), CHECK_PASS);
	assert_string_equal(ev(&res, "password"), "match");
	check_result_clear(&res);
	harness_close(h);
	/* Only an "auth" field, under an https:// key with a path. */
	expect_verdicts("scenarios/aks-auth-secret-auth-field.json", admin_ok);
	expect_verdicts("scenarios/aks-auth-secret-other-registry.json", other);
	h = harness_open("scenarios/aks-auth-secret-other-registry.json");
	assert_int_equal(run1(h, SECRET_ADMIN, &res), CHECK_NA);
	assert_non_null(strstr(res.summary, "acrshop.azurecr.io"));
	check_result_clear(&res);
	harness_close(h);
	expect_verdicts("scenarios/aks-auth-admin-disabled.json", admin_bad);
	h = harness_open("scenarios/aks-auth-admin-disabled.json");
	assert_int_equal(run1(h, SECRET_ADMIN, &res), CHECK_FAIL);
	assert_non_null(strstr(res.summary, "disabled"));
	check_result_clear(&res);
	harness_close(h);
	/* The activity log is evidence only: unreadable, the verdict
	 * still comes from the comparison. */
	expect_verdicts("scenarios/aks-auth-admin-log-denied.json", admin_bad);
	h = harness_open("scenarios/aks-auth-admin-log-denied.json");
	assert_int_equal(run1(h, SECRET_ADMIN, &res), CHECK_FAIL);
	assert_string_equal(ev(&res, "password"), "mismatch");
	assert_non_null(ev(&res, "activityLog"));
	assert_memory_equal(ev(&res, "activityLog"), "unreadable", 10);
	assert_null(jsonu_array(res.evidence, "regenerations"));
	check_result_clear(&res);
	harness_close(h);
	/* Credentials on the service principal object itself. */
	expect_verdicts("scenarios/aks-auth-secret-sp-valid.json", sp_ok);
	h = harness_open("scenarios/aks-auth-secret-sp-valid.json");
	assert_int_equal(run1(h, SECRET_SP, &res), CHECK_PASS);
	assert_true(ev_list_has(&res, "credentialEndDates", "2099-06-30"));
	check_result_clear(&res);
	harness_close(h);
	expect_verdicts("scenarios/aks-auth-secret-sp-gone.json", sp_bad);
	h = harness_open("scenarios/aks-auth-secret-sp-gone.json");
	assert_int_equal(run1(h, SECRET_SP, &res), CHECK_FAIL);
	assert_non_null(strstr(res.summary, "does not exist"));
	check_result_clear(&res);
	harness_close(h);
}

/* ---------- what the registry itself says of a pull secret ---------- */

static void test_registry_answer(void **state)
{
	static const enum check_verdict admin_down[] = { F, NA, NA, P, NA, F };
	static const enum check_verdict sp_down[] = { F, NA, NA, P, P, NA };
	struct harness *h;
	struct check_result res = { 0 };

	(void)state;
	/* A wrong password: the registry's 401 first, ARM says why. */
	h = harness_open("aks-401-secret-admin-mismatch");
	assert_int_equal(run1(h, SECRET_ADMIN, &res), CHECK_FAIL);
	assert_string_equal(ev(&res, "registryAnswer"),
		"refused: HTTP 401 UNAUTHORIZED from https://acrshop.azurecr.io/oauth2/token");
	assert_non_null(strstr(res.summary, "the registry refused the credentials of pull secret acr-admin (HTTP 401"));
	assert_non_null(strstr(res.summary, "regenerated on 2025-01-17"));
	assert_memory_equal(ev(&res, "anonymousToken"), "refused:", 8);
	check_result_clear(&res);
	harness_close(h);
	/* The right one: accepted. */
	h = harness_open("scenarios/aks-auth-secret-admin-ok.json");
	assert_int_equal(run1(h, SECRET_ADMIN, &res), CHECK_PASS);
	assert_string_equal(ev(&res, "registryAnswer"),
		"accepted: HTTP 200 from https://acrshop.azurecr.io/oauth2/token");
	assert_non_null(strstr(res.summary, "the registry accepted"));
	check_result_clear(&res);
	harness_close(h);
	/* A disabled admin user: refused, and ARM says why. */
	h = harness_open("scenarios/aks-auth-admin-disabled.json");
	assert_int_equal(run1(h, SECRET_ADMIN, &res), CHECK_FAIL);
	assert_memory_equal(ev(&res, "registryAnswer"), "refused: HTTP 401", 17);
	assert_non_null(strstr(res.summary, "is disabled"));
	check_result_clear(&res);
	harness_close(h);
	/* A service principal whose secrets expired, one that is gone, one
	 * that is valid. */
	h = harness_open("aks-401-secret-sp-expired");
	assert_int_equal(run1(h, SECRET_SP, &res), CHECK_FAIL);
	assert_memory_equal(ev(&res, "registryAnswer"), "refused: HTTP 401", 17);
	assert_non_null(strstr(res.summary, "the registry refused the credentials of pull secret acr-pull"));
	assert_non_null(strstr(res.summary, "2025-01-08"));
	check_result_clear(&res);
	harness_close(h);
	h = harness_open("scenarios/aks-auth-secret-sp-gone.json");
	assert_int_equal(run1(h, SECRET_SP, &res), CHECK_FAIL);
	assert_memory_equal(ev(&res, "registryAnswer"), "refused: HTTP 401", 17);
	check_result_clear(&res);
	harness_close(h);
	h = harness_open("scenarios/aks-auth-secret-sp-valid.json");
	assert_int_equal(run1(h, SECRET_SP, &res), CHECK_PASS);
	assert_memory_equal(ev(&res, "registryAnswer"), "accepted: HTTP 200", 18);
	check_result_clear(&res);
	harness_close(h);
	/* The registry cannot be asked: ARM and Graph alone decide, and the
	 * summary says the registry was not asked. */
	expect_verdicts("scenarios/aks-auth-secret-registry-down.json", admin_down);
	h = harness_open("scenarios/aks-auth-secret-registry-down.json");
	assert_int_equal(run1(h, SECRET_ADMIN, &res), CHECK_FAIL);
	assert_memory_equal(ev(&res, "registryAnswer"), "not asked: ", 11);
	assert_non_null(strstr(ev(&res, "registryAnswer"), "timed out"));
	assert_string_equal(ev(&res, "password"), "mismatch");
	assert_non_null(strstr(res.summary, "could not be asked"));
	check_result_clear(&res);
	harness_close(h);
	expect_verdicts("scenarios/aks-auth-secret-sp-registry-down.json", sp_down);
	h = harness_open("scenarios/aks-auth-secret-sp-registry-down.json");
	assert_int_equal(run1(h, SECRET_SP, &res), CHECK_PASS);
	assert_memory_equal(ev(&res, "registryAnswer"), "not asked: ", 11);
	assert_non_null(strstr(res.summary, "could not be asked"));
	check_result_clear(&res);
	harness_close(h);
}

/* ---------- could not tell: unknown, never pass ---------- */

static void test_unknown_paths(void **state)
{
	static const enum check_verdict denied[] = { U, NA, NA, P, NA, NA };
	static const enum check_verdict throttled[] = { U, U, U, NA, NA, NA };
	static const enum check_verdict broken[] = { U, NA, NA, U, NA, NA };
	static const enum check_verdict secret[] = { F, NA, NA, P, U, U };
	static const enum check_verdict roledef[] = { U, NA, NA, P, NA, NA };
	struct harness *h;
	struct check_result res = { 0 };

	(void)state;
	expect_verdicts("scenarios/aks-auth-roles-denied.json", denied);
	h = harness_open("scenarios/aks-auth-roles-denied.json");
	assert_int_equal(run1(h, ACRPULL, &res), CHECK_UNKNOWN);
	assert_non_null(strstr(res.summary, "403"));
	assert_string_equal(ev(&res, "error"), "AuthorizationFailed");
	check_result_clear(&res);
	harness_close(h);

	expect_verdicts("scenarios/aks-auth-graph-throttled.json", throttled);
	h = harness_open("scenarios/aks-auth-graph-throttled.json");
	assert_int_equal(run1(h, SP_EXPIRED, &res), CHECK_UNKNOWN);
	assert_non_null(strstr(res.summary, "429"));
	assert_non_null(strstr(res.summary, "12"));
	check_result_clear(&res);
	harness_close(h);

	expect_verdicts("scenarios/aks-auth-broken-json.json", broken);
	h = harness_open("scenarios/aks-auth-broken-json.json");
	assert_int_equal(run1(h, KUBELET_VMSS, &res), CHECK_UNKNOWN);
	assert_non_null(strstr(res.summary, "not valid JSON"));
	check_result_clear(&res);
	harness_close(h);

	expect_verdicts("scenarios/aks-auth-secret-denied.json", secret);
	expect_verdicts("scenarios/aks-auth-custom-role-unreadable.json", roledef);
}

/* ---------- secrets ---------- */

static void test_secrets_never_shown(void **state)
{
	static const char *const scns[] = {
		"aks-401-secret-sp-expired",
		"aks-401-secret-admin-mismatch",
		"scenarios/aks-auth-secret-admin-ok.json",
		"scenarios/aks-auth-secret-auth-field.json",
		"scenarios/aks-auth-secret-other-registry.json",
		"scenarios/aks-auth-secret-registry-down.json",
		"scenarios/aks-auth-secret-sp-registry-down.json",
		"scenarios/aks-auth-admin-disabled.json",
		"scenarios/aks-auth-admin-log-denied.json",
		"scenarios/aks-auth-secret-sp-valid.json",
	};
	size_t s;
	int compared = 0;

	(void)state;
	for (s = 0; s < sizeof scns / sizeof scns[0]; s++)
		compared += harness_assert_secrets_hidden(scns[s], ids, NCHECKS,
							  secrets, NSECRETS);
	/* The passwords were really compared, not skipped. */
	assert_true(compared >= 4);
}

/* ---------- fixes ---------- */

static void assert_acrpull_body(const struct fix_plan *plan,
				const char *principal)
{
	const struct fix_step *s = &plan->steps[0];
	cJSON *body;

	assert_int_equal(plan->nsteps, 1);
	assert_string_equal(s->method, "PUT");
	assert_non_null(strstr(s->url, "https://management.azure.com" REG_ID
			       "/providers/Microsoft.Authorization/roleAssignments/"));
	assert_non_null(strstr(s->url, "?api-version=2022-04-01"));
	body = cJSON_Parse(s->body);
	assert_non_null(body);
	assert_string_equal(jsonu_str(body, "properties.roleDefinitionId"),
		"/subscriptions/3f2d6a1e-8c4b-4f0e-9b7a-2c1d5e6f7a8b/providers/Microsoft.Authorization/roleDefinitions/" ACRPULL_ID);
	assert_string_equal(jsonu_str(body, "properties.principalId"), principal);
	assert_string_equal(jsonu_str(body, "properties.principalType"),
			    "ServicePrincipal");
	cJSON_Delete(body);
	assert_string_equal(s->command,
		"az aks update -n aks-shop -g rg-shop --attach-acr " REG_ID);
	assert_string_equal(plan->verify_check, "aks.401.acrpull");
}

static void test_fix_attach_acr(void **state)
{
	struct harness *h;
	struct fix_plan plan;
	struct check_result res = { 0 };
	char *world;

	(void)state;
	h = harness_open("aks-401-no-acrpull");
	harness_plan(h, "aks.401.acrpull", "attach-acr", &plan);
	assert_acrpull_body(&plan, KUBELET_OBJ);
	fix_plan_clear(&plan);
	assert_int_equal(harness_fix(h, "aks.401.acrpull", "attach-acr"), 0);
	assert_int_equal(run1(h, ACRPULL, &res), CHECK_PASS);
	assert_true(ev_list_has(&res, "pullCapable", "AcrPull at registry"));
	check_result_clear(&res);
	/* The new assignment is in the world, for the kubelet identity. */
	world = harness_world(h);
	assert_non_null(strstr(world, KUBELET_OBJ));
	free(world);
	harness_close(h);

	/* After a service principal change, the current one gets it. */
	h = harness_open("aks-401-sp-mismatch");
	harness_plan(h, "aks.401.sp-mismatch", "attach-acr", &plan);
	assert_acrpull_body(&plan, SP_NEW_OBJ);
	fix_plan_clear(&plan);
	assert_int_equal(harness_fix(h, "aks.401.sp-mismatch", "attach-acr"), 0);
	assert_int_equal(run1(h, ACRPULL, &res), CHECK_PASS);
	check_result_clear(&res);
	assert_int_equal(run1(h, SP_MISMATCH, &res), CHECK_PASS);
	check_result_clear(&res);
	harness_close(h);
}

static void test_fix_reconcile(void **state)
{
	struct harness *h = harness_open("aks-401-vmss-identity-removed");
	struct fix_plan plan;
	struct check_result res = { 0 };
	cJSON *body;

	(void)state;
	harness_plan(h, "aks.401.kubelet-vmss", "reconcile", &plan);
	assert_int_equal(plan.nsteps, 1);
	assert_string_equal(plan.steps[0].method, "PUT");
	assert_string_equal(plan.steps[0].url,
		"https://management.azure.com/subscriptions/3f2d6a1e-8c4b-4f0e-9b7a-2c1d5e6f7a8b/resourceGroups/rg-shop/providers/Microsoft.ContainerService/managedClusters/aks-shop?api-version=2025-10-01");
	assert_string_equal(plan.steps[0].command, "az aks update -g rg-shop -n aks-shop");
	assert_true(plan.steps[0].warning[0] != '\0');
	assert_string_equal(plan.verify_check, "aks.401.kubelet-vmss");
	/* The body is the cluster model as read. */
	body = cJSON_Parse(plan.steps[0].body);
	assert_non_null(body);
	assert_string_equal(jsonu_str(body, "location"), "westeurope");
	assert_string_equal(jsonu_str(body, "properties.identityProfile.kubeletidentity.objectId"),
			    KUBELET_OBJ);
	assert_string_equal(jsonu_str(body, "properties.servicePrincipalProfile.clientId"), "msi");
	cJSON_Delete(body);
	fix_plan_clear(&plan);

	assert_int_equal(harness_fix(h, "aks.401.kubelet-vmss", "reconcile"), 0);
	assert_int_equal(run1(h, KUBELET_VMSS, &res), CHECK_PASS);
	check_result_clear(&res);
	/* The cluster is still readable and whole after the PUT. */
	assert_int_equal(run1(h, ACRPULL, &res), CHECK_PASS);
	check_result_clear(&res);
	harness_close(h);
}

static void test_fix_declined(void **state)
{
	static const struct {
		const char *scn, *check, *fix;
	} cases[] = {
		{ "aks-401-no-acrpull", "aks.401.acrpull", "attach-acr" },
		{ "aks-401-sp-mismatch", "aks.401.sp-mismatch", "attach-acr" },
		{ "aks-401-vmss-identity-removed", "aks.401.kubelet-vmss", "reconcile" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		harness_decline(cases[i].scn, cases[i].check, cases[i].fix);
}

static void test_manual_fixes(void **state)
{
	struct harness *h;
	struct fix_plan plan;

	(void)state;
	h = harness_open("aks-401-sp-expired");
	harness_plan(h, "aks.401.sp-expired", "sp-renew", &plan);
	assert_int_equal(plan.nsteps, 0);
	assert_string_equal(plan.verify_check, "aks.401.sp-expired");
	assert_non_null(strstr(plan.manual, "az aks update-credentials --resource-group rg-shop --name aks-shop --reset-service-principal --service-principal " SP_EXPIRED_APP));
	assert_non_null(strstr(plan.manual, "az ad app credential reset --id " SP_EXPIRED_APP));
	assert_non_null(strstr(plan.manual, "<new client secret>"));
	fix_plan_clear(&plan);
	harness_close(h);

	h = harness_open("aks-401-secret-sp-expired");
	harness_plan(h, "aks.401.secret-sp", "secret-sp-reset", &plan);
	assert_int_equal(plan.nsteps, 0);
	assert_string_equal(plan.verify_check, "aks.401.secret-sp");
	assert_non_null(strstr(plan.manual, "az ad sp credential reset --id " SECRET_APP));
	assert_non_null(strstr(plan.manual, "kubectl create secret docker-registry acr-pull --namespace default --docker-server=acrshop.azurecr.io --docker-username=" SECRET_APP));
	assert_non_null(strstr(plan.manual, "<new service principal password>"));
	fix_plan_clear(&plan);
	harness_close(h);

	h = harness_open("aks-401-secret-admin-mismatch");
	harness_plan(h, "aks.401.secret-admin", "secret-update", &plan);
	assert_int_equal(plan.nsteps, 0);
	assert_string_equal(plan.verify_check, "aks.401.secret-admin");
	assert_non_null(strstr(plan.manual, "az acr credential show --name acrshop"));
	assert_non_null(strstr(plan.manual, "kubectl create secret docker-registry acr-admin --namespace default --docker-server=acrshop.azurecr.io --docker-username=acrshop"));
	assert_non_null(strstr(plan.manual, "<admin password>"));
	harness_assert_plan_clean(&plan, secrets, NSECRETS);
	fix_plan_clear(&plan);
	harness_close(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_healthy),
		cmocka_unit_test(test_no_acrpull),
		cmocka_unit_test(test_sp_expired),
		cmocka_unit_test(test_sp_mismatch),
		cmocka_unit_test(test_vmss_identity_removed),
		cmocka_unit_test(test_secret_sp_expired),
		cmocka_unit_test(test_secret_admin_mismatch),
		cmocka_unit_test(test_scenario_expectations),
		cmocka_unit_test(test_now_override),
		cmocka_unit_test(test_parse_time),
		cmocka_unit_test(test_role_variants),
		cmocka_unit_test(test_vmss_two_pools),
		cmocka_unit_test(test_secret_variants),
		cmocka_unit_test(test_unknown_paths),
		cmocka_unit_test(test_registry_answer),
		cmocka_unit_test(test_secrets_never_shown),
		cmocka_unit_test(test_fix_attach_acr),
		cmocka_unit_test(test_fix_reconcile),
		cmocka_unit_test(test_fix_declined),
		cmocka_unit_test(test_manual_fixes),
	};

	unsetenv("ACR_DOCTOR_NOW");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
