/* test_webapp.c - the App Service checks and fixes over the webapp-*
 * scenarios: verdicts, evidence, the unknown paths, secrets, and fixes
 * that change the world (or, declined, do not). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "facts.h"
#include "fix.h"
#include "harness.h"
#include "jsonu.h"
#include "scenario.h"
#include "weblog.h"

#define SUB "/subscriptions/3f2d6a1e-8c4b-4f0e-9b7a-2c1d5e6f7a8b"
#define REG_ID SUB "/resourceGroups/rg-registry/providers/Microsoft.ContainerRegistry/registries/acrshop"
#define SYS_PRINCIPAL "6e3a9f17-4c2b-4d85-b0e1-7a9c5d2f8b64"
#define UAMI_PRINCIPAL "b4d2f8a1-6c3e-47a9-9e05-2a7c1f6d8e93"

/* The admin passwords and the stale one in the admin scenarios. */
static const char *const secrets[] = {
	"Hs7Ke2WpZ9cTq4NvB1xRm6LdF3gJy8Ua0tEo5CiP+ACRfQw7Xn",
	"Yt4Gm9PaL2sXe7DkR0bNc5VjW1uQh8ZoF3iTy6Ms+ACRkLp3Cv",
	"Vq3Lx8TnR0wKj5PzYb7Hc2MfA9sDe4GuN1oQiX6tBk+ACRbZm2Wd",
	"Hs7Ke2WpZ9cTq4NvB1xRm6LdF3gJy8Ua0tEo5CiP+ACRfQw7XN",
	"Qw8~Rt5Yu2Io9Pa6Sd3Fg0Hj7Kl4Zx1Cv8Bn5Mq",   /* a client secret */
};
#define NSECRETS (sizeof secrets / sizeof secrets[0])

static const char *const webapp_checks[] = {
	"webapp.health", "webapp.log", "webapp.unauthorized.admin",
	"webapp.unauthorized.identity", "webapp.manifest-unknown",
	"webapp.ip-denied.firewall", "webapp.ip-denied.private",
};
#define NCHECKS (sizeof webapp_checks / sizeof webapp_checks[0])

static const char *ev(const struct check_result *res, const char *key)
{
	return jsonu_str(res->evidence, key);
}

static int ev_list_has(const struct check_result *res, const char *key,
		       const char *value)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, jsonu_array(res->evidence, key))
		if (cJSON_IsString(it) && strcmp(it->valuestring, value) == 0)
			return 1;
	return 0;
}

/* ---------- the healthy world ---------- */

static void test_healthy(void **state)
{
	struct harness *h = harness_open("webapp-healthy");

	(void)state;
	harness_assert_healthy(h, webapp_checks, NCHECKS);
	/* Its log line says the container started. */
	assert_int_equal(harness_verdict(h, "webapp.log"), CHECK_PASS);
	assert_int_equal(harness_verdict(h, "webapp.unauthorized.admin"),
			 CHECK_NA);
	assert_int_equal(harness_verdict(h, "webapp.unauthorized.identity"),
			 CHECK_PASS);
	assert_int_equal(harness_verdict(h, "webapp.manifest-unknown"),
			 CHECK_PASS);
	assert_int_equal(harness_verdict(h, "webapp.ip-denied.firewall"),
			 CHECK_PASS);
	assert_int_equal(harness_verdict(h, "webapp.ip-denied.private"),
			 CHECK_NA);
	harness_close(h);
}

/* ---------- every built-in scenario fails exactly its checks ---------- */

static void result_clean(const struct check_result *res)
{
	harness_assert_result_clean(res, secrets, NSECRETS);
}

static void expect_exactly(const char *name)
{
	harness_expect_exactly(name, webapp_checks, NCHECKS, result_clean);
}

static void test_scenario_admin_mismatch(void **state)
{
	(void)state;
	expect_exactly("webapp-admin-mismatch");
}

static void test_scenario_identity_no_acrpull(void **state)
{
	(void)state;
	expect_exactly("webapp-identity-no-acrpull");
}

static void test_scenario_manifest_unknown(void **state)
{
	(void)state;
	expect_exactly("webapp-manifest-unknown");
}

static void test_scenario_ip_denied(void **state)
{
	(void)state;
	expect_exactly("webapp-ip-denied");
}

static void test_scenario_private_pull(void **state)
{
	(void)state;
	expect_exactly("webapp-private-pull");
}

static void test_scenario_files(void **state)
{
	(void)state;
	expect_exactly("scenarios/webapp-admin-ok.json");
	expect_exactly("scenarios/webapp-admin-disabled.json");
	expect_exactly("scenarios/webapp-admin-url.json");
	expect_exactly("scenarios/webapp-uami.json");
	expect_exactly("scenarios/webapp-uami-no-acrpull.json");
	expect_exactly("scenarios/webapp-uami-unassigned.json");
	expect_exactly("scenarios/webapp-vnet-pull.json");
	expect_exactly("scenarios/webapp-vnet-routing.json");
	expect_exactly("scenarios/webapp-vnet-no-imagepull.json");
	expect_exactly("scenarios/webapp-windows.json");
	expect_exactly("scenarios/webapp-code-app.json");
	expect_exactly("scenarios/webapp-admin-registry-down.json");
	expect_exactly("scenarios/webapp-admin-keyvault.json");
	expect_exactly("scenarios/webapp-settings-sp-valid.json");
	expect_exactly("scenarios/webapp-settings-sp-expired.json");
}

/* ---------- the log line ---------- */

static void test_log_classified(void **state)
{
	static const struct { const char *scn, *label; } cases[] = {
		{ "webapp-admin-mismatch", "webapp.unauthorized" },
		{ "webapp-identity-no-acrpull", "webapp.unauthorized" },
		{ "webapp-manifest-unknown", "webapp.manifest-unknown" },
		{ "webapp-ip-denied", "webapp.ip-denied" },
		{ "webapp-private-pull", "webapp.ip-denied" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct harness *h = harness_open(cases[i].scn);
		struct check_result res = { 0 };

		assert_int_equal(harness_check(h, "webapp.log", &res), CHECK_FAIL);
		assert_string_equal(ev(&res, "classified"), cases[i].label);
		assert_string_equal(jsonu_str(res.data, "classified"),
				    cases[i].label);
		assert_non_null(strstr(res.summary, cases[i].label));
		assert_null(res.fix);
		check_result_clear(&res);
		harness_close(h);
	}
}

static void test_log_other(void **state)
{
	struct harness *h = harness_open("scenarios/webapp-code-app.json");
	struct check_result res = { 0 };

	(void)state;
	assert_int_equal(harness_check(h, "webapp.log", &res), CHECK_PASS);
	assert_string_equal(ev(&res, "classified"), "other");
	assert_null(jsonu_str(res.data, "classified"));
	check_result_clear(&res);
	/* A code app has no image to look for. */
	assert_int_equal(harness_verdict(h, "webapp.manifest-unknown"),
			 CHECK_NA);
	harness_close(h);
}

/* A pull failure the tree has no branch for is not a healthy log: the
 * check cannot tell, it does not pass. */
static void test_log_uncovered_failure(void **state)
{
	struct harness *h = harness_open("scenarios/webapp-log-x509.json");
	struct check_result res = { 0 };

	(void)state;
	assert_int_equal(harness_check(h, "webapp.log", &res), CHECK_UNKNOWN);
	assert_non_null(strstr(res.summary, "no branch"));
	assert_string_equal(ev(&res, "classified"), "other");
	check_result_clear(&res);
	harness_close(h);
}

/* A wording that fits two causes: the check names the likelier one and
 * records the other for the diagnosis, in the web app's terms. */
static void test_log_alternatives(void **state)
{
	struct harness *h = harness_open("scenarios/webapp-log-ambiguous.json");
	struct check_result res = { 0 };
	const cJSON *alts;

	(void)state;
	assert_int_equal(harness_check(h, "webapp.log", &res), CHECK_FAIL);
	assert_string_equal(jsonu_str(res.data, "classified"), "webapp.ip-denied");
	alts = jsonu_array(res.data, "alternatives");
	assert_non_null(alts);
	assert_int_equal(cJSON_GetArraySize(alts), 1);
	assert_string_equal(cJSON_GetArrayItem(alts, 0)->valuestring,
			    "webapp.unauthorized");
	assert_non_null(strstr(res.summary, "webapp.unauthorized"));
	check_result_clear(&res);
	harness_close(h);
}

/* Without a log line there is nothing to classify: not applicable, and
 * the summary says where to find the line. */
static void test_log_missing(void **state)
{
	struct harness *h = harness_open("scenarios/webapp-uami.json");
	struct check_result res = { 0 };

	(void)state;
	assert_int_equal(harness_check(h, "webapp.log", &res), CHECK_NA);
	assert_non_null(strstr(res.summary, "no log line"));
	check_result_clear(&res);
	harness_close(h);
}

/* ---------- the line read from the container log ---------- */

#define T1 "2026-11-20T08:14:03.512Z"
#define T2 "2026-11-20T09:20:11.004Z"
#define L_PULL(t) t " INFO  - Pulling image: acrshop.azurecr.io/shop/web:1.4.2\n"
#define L_401(t) t " ERROR - DockerApiException: Docker API responded with status code=InternalServerError, response={\"message\":\"Head \\\"https://acrshop.azurecr.io/v2/shop/web/manifests/1.4.2\\\": unauthorized: authentication required\"}\n"
#define L_404(t) t " ERROR - DockerApiException: Docker API responded with status code=NotFound, response={\"message\":\"manifest for acrshop.azurecr.io/shop/web:1.4.3 not found: manifest unknown\"}\n"
#define L_END(t) t " ERROR - Image pull failed: Verify docker image configuration and credentials (if using private repository)\n" \
	t " INFO  - Stopping site app-shop because it failed during startup.\n"
#define L_OK(t) t " INFO  - Container app-shop_0_7c1d2e3f for site app-shop initialized successfully and is ready to serve requests.\n"

static void pick(const char *log, char *out, size_t len, struct weblog_pick *p)
{
	assert_int_equal(weblog_pick(log, strlen(log), out, len, p), 0);
}

/* Several pulls: the newest failure wins, and of its lines the
 * registry's answer, not App Service's closing words. */
static void test_pick_newest_failure(void **state)
{
	const char *log = L_PULL(T1) L_401(T1) L_END(T1)
			  L_PULL(T2) L_404(T2) L_END(T2);
	struct weblog_pick p;
	char out[2048];

	(void)state;
	pick(log, out, sizeof out, &p);
	assert_int_equal(p.found, WEBLOG_FAILURE);
	assert_int_equal(p.lines, 8);
	assert_int_equal(p.line, 6);
	assert_non_null(strstr(out, T2 " ERROR - DockerApiException"));
	assert_non_null(strstr(out, "manifest unknown"));
	assert_null(strchr(out, '\n'));
	/* Without the lines that start a pull: the newest run of errors. */
	pick(L_401(T1) L_END(T1) L_404(T2) L_END(T2), out, sizeof out, &p);
	assert_int_equal(p.found, WEBLOG_FAILURE);
	assert_non_null(strstr(out, "manifest unknown"));
	/* App Service's closing words first: still the registry's answer. */
	pick(L_PULL(T2) L_END(T2) L_404(T2), out, sizeof out, &p);
	assert_int_equal(p.found, WEBLOG_FAILURE);
	assert_int_equal(p.line, 4);
	assert_non_null(strstr(out, "manifest unknown"));
	/* Only closing words: the newest of them. */
	pick(L_PULL(T2) L_END(T2), out, sizeof out, &p);
	assert_int_equal(p.found, WEBLOG_FAILURE);
	assert_non_null(strstr(out, "Image pull failed"));
}

/* A start after the failure: the pull works now. */
static void test_pick_success_after_failure(void **state)
{
	struct weblog_pick p;
	char out[2048];

	(void)state;
	pick(L_PULL(T1) L_401(T1) L_END(T1) L_PULL(T2) L_OK(T2), out,
	     sizeof out, &p);
	assert_int_equal(p.found, WEBLOG_SUCCESS);
	assert_int_equal(p.line, 6);
	assert_non_null(strstr(out, "initialized successfully"));
	/* And the other way round, the failure is the news. */
	pick(L_PULL(T1) L_OK(T1) L_PULL(T2) L_401(T2) L_END(T2), out,
	     sizeof out, &p);
	assert_int_equal(p.found, WEBLOG_FAILURE);
	assert_non_null(strstr(out, "unauthorized"));
}

static void test_pick_nothing(void **state)
{
	struct weblog_pick p;
	char out[64] = "x";

	(void)state;
	assert_int_equal(weblog_pick("", 0, out, sizeof out, &p), 0);
	assert_int_equal(p.found, WEBLOG_NONE);
	assert_string_equal(out, "");
	pick(T1 " INFO  - Starting container for site\nhello from the app\n",
	     out, sizeof out, &p);
	assert_int_equal(p.found, WEBLOG_NONE);
	assert_int_equal(p.lines, 2);
	assert_string_equal(out, "");
}

/* Escape sequences go, a password is masked, the line is cut to the
 * buffer. */
static void test_pick_sanitized(void **state)
{
	const char *log = L_PULL(T1)
		T1 " ERROR - \x1b]0;owned\x07\x1b[31mDockerApiException: login with --password Sup3rS3cretPa55 refused: unauthorized: authentication required\x1b[0m\n"
		L_END(T1);
	struct weblog_pick p;
	char out[2048], small[40];

	(void)state;
	pick(log, out, sizeof out, &p);
	assert_int_equal(p.found, WEBLOG_FAILURE);
	assert_null(strchr(out, '\x1b'));
	assert_null(strchr(out, '\x07'));
	assert_null(strstr(out, "owned"));
	assert_null(strstr(out, "Sup3rS3cretPa55"));
	assert_non_null(strstr(out, "unauthorized"));
	pick(log, small, sizeof small, &p);
	assert_true(strlen(small) < sizeof small);
	assert_null(strstr(small, "Sup3r"));
}

/* Write a scenario file: webapp-healthy without a message, whose
 * containerlogs POST answers status with text. */
static char *log_scenario(long status, const char *text)
{
	static char path[] = "/tmp/test_webapp_logXXXXXX.json";
	cJSON *doc = cJSON_CreateObject(), *ctx, *http, *e;
	char *js;
	FILE *fp;
	int fd;

	snprintf(path, sizeof path, "%s", "/tmp/test_webapp_logXXXXXX.json");
	fd = mkstemps(path, 5);
	assert_true(fd >= 0);
	cJSON_AddStringToObject(doc, "format", "acr-doctor-scenario/1");
	cJSON_AddStringToObject(doc, "name", "webapp-log-read");
	cJSON_AddStringToObject(doc, "base", "webapp-healthy");
	cJSON_AddStringToObject(doc, "summary", "a log read");
	ctx = cJSON_AddObjectToObject(doc, "context");
	cJSON_AddStringToObject(ctx, "message", "");
	http = cJSON_AddArrayToObject(doc, "http");
	e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "method", "POST");
	cJSON_AddStringToObject(e, "url", "https://management.azure.com" SUB
		"/resourceGroups/rg-web/providers/Microsoft.Web/sites/app-shop/containerlogs");
	cJSON_AddNumberToObject(e, "status", (double)status);
	if (status == 403) {
		cJSON *b = cJSON_AddObjectToObject(e, "body");
		cJSON *er = cJSON_AddObjectToObject(b, "error");

		cJSON_AddStringToObject(er, "code", "AuthorizationFailed");
		cJSON_AddStringToObject(er, "message",
			"The client does not have authorization to perform this operation.");
	} else {
		cJSON_AddStringToObject(e, "bodyText", text);
	}
	cJSON_AddItemToArray(http, e);
	js = cJSON_Print(doc);
	cJSON_Delete(doc);
	assert_non_null(js);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	fputs(js, fp);
	fclose(fp);
	free(js);
	return path;
}

static enum check_verdict log_check(long status, const char *text,
				    struct check_result *res)
{
	char *path = log_scenario(status, text);
	struct harness *h = harness_open(path);
	enum check_verdict v = harness_check(h, "webapp.log", res);

	harness_close(h);
	unlink(path);
	return v;
}

/* The check reads the log when no line is given. */
static void test_log_read(void **state)
{
	struct check_result res = { 0 };

	(void)state;
	assert_int_equal(log_check(200, L_PULL(T1) L_404(T1) L_END(T1)
				   L_PULL(T2) L_401(T2) L_END(T2), &res),
			 CHECK_FAIL);
	assert_string_equal(ev(&res, "source"), "container log");
	assert_string_equal(ev(&res, "classified"), "webapp.unauthorized");
	assert_non_null(strstr(ev(&res, "log_text"), T2));
	check_result_clear(&res);
	/* Empty (204), or no pull in it: not applicable, never pass. */
	assert_int_equal(log_check(204, "", &res), CHECK_NA);
	assert_non_null(strstr(res.summary, "empty"));
	check_result_clear(&res);
	assert_int_equal(log_check(200, "hello from the app\n", &res),
			 CHECK_NA);
	assert_non_null(strstr(res.summary, "no image pull"));
	check_result_clear(&res);
	/* Not allowed to read it: unknown, naming the permission. */
	assert_int_equal(log_check(403, NULL, &res), CHECK_UNKNOWN);
	assert_non_null(strstr(res.summary,
			       "Microsoft.Web/sites/containerlogs/action"));
	assert_string_equal(ev(&res, "needs"),
			    "Microsoft.Web/sites/containerlogs/action");
	check_result_clear(&res);
}

/* 1 MiB of log (a fixed seed): only its end is read, the failure at the
 * end is found, the password in it is masked. */
static void test_log_read_big(void **state)
{
	size_t cap = (1u << 20) + 4096, n = 0;
	char *log = malloc(cap);
	struct check_result res = { 0 };
	const cJSON *bytes;

	(void)state;
	assert_non_null(log);
	srand(42);
	n += (size_t)snprintf(log, cap, "%s", L_PULL(T1) L_404(T1) L_END(T1));
	while (n < (1u << 20))
		n += (size_t)snprintf(log + n, cap - n,
			T1 " INFO  - request %d served in %d ms\n", rand(),
			rand() % 1000);
	snprintf(log + n, cap - n, "%s", L_PULL(T2)
		 T2 " ERROR - DockerApiException: password=Sup3rS3cretPa55 unauthorized: authentication required\n"
		 L_END(T2));
	assert_int_equal(log_check(200, log, &res), CHECK_FAIL);
	free(log);
	bytes = cJSON_GetObjectItemCaseSensitive(res.evidence, "log_bytes");
	assert_non_null(bytes);
	assert_true(bytes->valuedouble > 1000 && bytes->valuedouble <= 65536);
	assert_string_equal(ev(&res, "classified"), "webapp.unauthorized");
	assert_null(strstr(ev(&res, "log_text"), "Sup3rS3cretPa55"));
	harness_assert_result_clean(&res, (const char *const[]){ "Sup3rS3cretPa55" }, 1);
	check_result_clear(&res);
}

/* ---------- webapp.unauthorized.admin ---------- */

static void test_admin_mismatch(void **state)
{
	struct harness *h = harness_open("webapp-admin-mismatch");
	struct check_result res = { 0 };

	(void)state;
	assert_int_equal(harness_check(h, "webapp.unauthorized.admin", &res),
			 CHECK_FAIL);
	assert_string_equal(ev(&res, "url"), "match");
	assert_string_equal(ev(&res, "username"), "match");
	assert_string_equal(ev(&res, "password"), "mismatch");
	assert_string_equal(ev(&res, "expected_url"), "https://acrshop.azurecr.io");
	assert_non_null(strstr(res.summary, "DOCKER_REGISTRY_SERVER_PASSWORD"));
	assert_null(strstr(res.summary, "DOCKER_REGISTRY_SERVER_URL"));
	assert_string_equal(res.fix, "webapp-settings");
	assert_string_equal(jsonu_str(res.data, "adminUser"), "acrshop");
	harness_assert_result_clean(&res, secrets, NSECRETS);
	check_result_clear(&res);
	/* The identity check does not apply to an admin-user app. */
	assert_int_equal(harness_verdict(h, "webapp.unauthorized.identity"),
			 CHECK_NA);
	harness_close(h);
}

static void test_admin_variants(void **state)
{
	struct harness *h;
	struct check_result res = { 0 };

	(void)state;
	/* Second password, URL with upper case and a trailing slash. */
	h = harness_open("scenarios/webapp-admin-ok.json");
	assert_int_equal(harness_check(h, "webapp.unauthorized.admin", &res),
			 CHECK_PASS);
	assert_string_equal(ev(&res, "password"), "match");
	assert_string_equal(ev(&res, "password_slot"), "password2");
	assert_string_equal(ev(&res, "url"), "match");
	harness_assert_result_clean(&res, secrets, NSECRETS);
	check_result_clear(&res);
	harness_close(h);

	h = harness_open("scenarios/webapp-admin-disabled.json");
	assert_int_equal(harness_check(h, "webapp.unauthorized.admin", &res),
			 CHECK_FAIL);
	assert_false(jsonu_bool(res.evidence, "admin_user_enabled", 1));
	assert_non_null(strstr(res.summary, "disabled"));
	harness_assert_result_clean(&res, secrets, NSECRETS);
	check_result_clear(&res);
	harness_close(h);

	h = harness_open("scenarios/webapp-admin-url.json");
	assert_int_equal(harness_check(h, "webapp.unauthorized.admin", &res),
			 CHECK_FAIL);
	assert_string_equal(ev(&res, "url"), "mismatch");
	assert_string_equal(ev(&res, "password"), "match");
	assert_string_equal(ev(&res, "settings_url"), "https://acrshop-old.azurecr.io");
	assert_non_null(strstr(res.summary, "DOCKER_REGISTRY_SERVER_URL"));
	assert_null(strstr(res.summary, "DOCKER_REGISTRY_SERVER_PASSWORD"));
	check_result_clear(&res);
	harness_close(h);

	/* Exact comparison: one character off is a mismatch. */
	h = harness_open("scenarios/webapp-admin-nearmiss.json");
	assert_int_equal(harness_check(h, "webapp.unauthorized.admin", &res),
			 CHECK_FAIL);
	assert_string_equal(ev(&res, "password"), "mismatch");
	harness_assert_result_clean(&res, secrets, NSECRETS);
	check_result_clear(&res);
	harness_close(h);
}

static void test_admin_creds_denied(void **state)
{
	struct harness *h = harness_open("scenarios/webapp-creds-denied.json");
	struct check_result res = { 0 };

	(void)state;
	assert_int_equal(harness_check(h, "webapp.unauthorized.admin", &res),
			 CHECK_UNKNOWN);
	assert_non_null(strstr(res.summary, "admin credentials"));
	assert_non_null(strstr(res.summary, "403"));
	assert_string_equal(ev(&res, "error"), "AuthorizationFailed");
	assert_null(res.fix);
	harness_assert_result_clean(&res, secrets, NSECRETS);
	check_result_clear(&res);
	harness_close(h);
}

/* ---------- the registry asked with the settings' credentials ---------- */

static int starts(const char *s, const char *prefix)
{
	return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Check one scenario's webapp.unauthorized.admin: verdict, the start of
 * evidence registryAnswer and a piece of the summary. */
static void expect_admin(const char *scn, enum check_verdict v,
			 const char *answer, const char *said)
{
	struct harness *h = harness_open(scn);
	struct check_result res = { 0 };

	assert_int_equal(harness_check(h, "webapp.unauthorized.admin", &res), v);
	if (!starts(ev(&res, "registryAnswer"), answer))
		fail_msg("%s: registryAnswer \"%s\", expected \"%s...\"", scn,
			 ev(&res, "registryAnswer") ? ev(&res, "registryAnswer") :
			 "(none)", answer);
	if (!strstr(res.summary, said))
		fail_msg("%s: summary \"%s\" lacks \"%s\"", scn, res.summary,
			 said);
	harness_assert_result_clean(&res, secrets, NSECRETS);
	check_result_clear(&res);
	harness_close(h);
}

static void test_admin_registry_answer(void **state)
{
	(void)state;
	/* Refused: the registry's answer first, ARM's reason after it. */
	expect_admin("webapp-admin-mismatch", CHECK_FAIL,
		     "refused: HTTP 401 UNAUTHORIZED from https://acrshop.azurecr.io/oauth2/token",
		     "the registry refused the credentials of the app settings of app-shop (HTTP 401");
	expect_admin("webapp-admin-mismatch", CHECK_FAIL, "refused: ",
		     "DOCKER_REGISTRY_SERVER_PASSWORD matches none of the 2 admin passwords of acrshop");
	expect_admin("scenarios/webapp-admin-nearmiss.json", CHECK_FAIL,
		     "refused: HTTP 401", "the registry refused");
	expect_admin("scenarios/webapp-admin-disabled.json", CHECK_FAIL,
		     "refused: HTTP 401",
		     "(HTTP 401 UNAUTHORIZED from https://acrshop.azurecr.io/oauth2/token): the admin user of acrshop is disabled");
	/* Accepted: a pass the registry itself gave. */
	expect_admin("scenarios/webapp-admin-ok.json", CHECK_PASS,
		     "accepted: HTTP 200 from https://acrshop.azurecr.io/oauth2/token",
		     "the registry accepted the credentials of the app settings of app-shop");
	/* Never asked: a URL naming another registry (its password is one
	 * the registry would take: asking would have passed), a Key Vault
	 * reference; today's comparison decides, without "could not be
	 * asked". */
	expect_admin("scenarios/webapp-admin-url.json", CHECK_FAIL,
		     "not asked: DOCKER_REGISTRY_SERVER_URL does not name the registry",
		     "do not match the admin user of acrshop: DOCKER_REGISTRY_SERVER_URL");
	expect_admin("scenarios/webapp-admin-keyvault.json", CHECK_UNKNOWN,
		     "not asked: DOCKER_REGISTRY_SERVER_PASSWORD is a Key Vault reference",
		     "is a Key Vault reference");
}

static void test_admin_registry_down(void **state)
{
	struct harness *h;
	struct check_result res = { 0 };

	(void)state;
	/* The registry cannot be asked: ARM alone decides, and says so. */
	h = harness_open("scenarios/webapp-admin-registry-down.json");
	assert_int_equal(harness_check(h, "webapp.unauthorized.admin", &res),
			 CHECK_FAIL);
	assert_true(starts(ev(&res, "registryAnswer"), "not asked: "));
	assert_non_null(strstr(ev(&res, "registryAnswer"), "timed out"));
	assert_string_equal(ev(&res, "password"), "mismatch");
	assert_non_null(strstr(res.summary, "DOCKER_REGISTRY_SERVER_PASSWORD"));
	assert_non_null(strstr(res.summary, "(the registry itself could not be asked)"));
	assert_string_equal(res.fix, "webapp-settings");
	harness_assert_result_clean(&res, secrets, NSECRETS);
	check_result_clear(&res);
	harness_close(h);
	/* The world cannot tell (listCredentials refused): the registry
	 * answers 503, and the check stays unknown. */
	expect_admin("scenarios/webapp-creds-denied.json", CHECK_UNKNOWN,
		     "not asked: GET https://acrshop.azurecr.io/oauth2/token failed with HTTP 503",
		     "(the registry itself could not be asked)");
}

static void test_settings_sp(void **state)
{
	struct harness *h;
	struct check_result res = { 0 };
	struct fix_plan plan;

	(void)state;
	expect_admin("scenarios/webapp-settings-sp-valid.json", CHECK_PASS,
		     "accepted: HTTP 200", "the registry accepted");
	h = harness_open("scenarios/webapp-settings-sp-expired.json");
	assert_int_equal(harness_check(h, "webapp.unauthorized.admin", &res),
			 CHECK_FAIL);
	assert_true(starts(ev(&res, "registryAnswer"), "refused: HTTP 401"));
	assert_string_equal(ev(&res, "username"), "application id");
	assert_non_null(strstr(res.summary,
		"the client secrets of service principal 9a4e7c2b-3f1d-4e68-b5a9-2d8c6f0e1b47 have all expired (the last on 2025-01-08"));
	assert_true(ev_list_has(&res, "credentialEndDates", "2025-01-08T09:12:51Z"));
	assert_string_equal(res.fix, "webapp-settings");
	assert_string_equal(jsonu_str(res.data, "appId"),
			    "9a4e7c2b-3f1d-4e68-b5a9-2d8c6f0e1b47");
	harness_assert_result_clean(&res, secrets, NSECRETS);
	check_result_clear(&res);
	/* The fix resets the service principal's secret, not the admin
	 * user's. */
	harness_plan(h, "webapp.unauthorized.admin", "webapp-settings", &plan);
	assert_non_null(strstr(plan.manual,
		"az ad sp credential reset --id 9a4e7c2b-3f1d-4e68-b5a9-2d8c6f0e1b47"));
	assert_null(strstr(plan.manual, "az acr credential show"));
	harness_assert_plan_clean(&plan, secrets, NSECRETS);
	fix_plan_clear(&plan);
	harness_close(h);
}

/* ---------- webapp.unauthorized.identity ---------- */

static void test_identity(void **state)
{
	struct harness *h;
	struct check_result res = { 0 };

	(void)state;
	h = harness_open("webapp-identity-no-acrpull");
	assert_int_equal(harness_check(h, "webapp.unauthorized.identity", &res),
			 CHECK_FAIL);
	assert_string_equal(jsonu_str(res.data, "principalId"), SYS_PRINCIPAL);
	assert_non_null(strstr(res.summary, SYS_PRINCIPAL));
	assert_string_equal(res.fix, "webapp-acrpull");
	check_result_clear(&res);
	/* Admin settings are not in use. */
	assert_int_equal(harness_verdict(h, "webapp.unauthorized.admin"),
			 CHECK_NA);
	harness_close(h);

	/* acrUserManagedIdentityID (a client id) -> that identity's principal */
	h = harness_open("scenarios/webapp-uami.json");
	assert_int_equal(harness_check(h, "webapp.unauthorized.identity", &res),
			 CHECK_PASS);
	assert_string_equal(ev(&res, "principalId"), UAMI_PRINCIPAL);
	assert_non_null(strstr(ev(&res, "identity"), "id-shop-pull"));
	check_result_clear(&res);
	harness_close(h);

	/* The system identity's AcrPull does not help a user-assigned pull. */
	h = harness_open("scenarios/webapp-uami-no-acrpull.json");
	assert_int_equal(harness_check(h, "webapp.unauthorized.identity", &res),
			 CHECK_FAIL);
	assert_string_equal(jsonu_str(res.data, "principalId"), UAMI_PRINCIPAL);
	check_result_clear(&res);
	harness_close(h);

	/* The named identity is not on the app: no assignment can help. */
	h = harness_open("scenarios/webapp-uami-unassigned.json");
	assert_int_equal(harness_check(h, "webapp.unauthorized.identity", &res),
			 CHECK_FAIL);
	assert_null(res.fix);
	assert_non_null(strstr(res.summary, "not assigned"));
	check_result_clear(&res);
	harness_close(h);
}

/* ---------- webapp.manifest-unknown ---------- */

static void test_manifest(void **state)
{
	struct harness *h;
	struct check_result res = { 0 };

	(void)state;
	h = harness_open("webapp-manifest-unknown");
	assert_int_equal(harness_check(h, "webapp.manifest-unknown", &res),
			 CHECK_FAIL);
	assert_true(ev_list_has(&res, "tags", "1.4.2"));
	assert_true(ev_list_has(&res, "tags", "latest"));
	assert_false(ev_list_has(&res, "tags", "1.4.3"));
	assert_int_equal((int)jsonu_path(res.evidence, "tag_count")->valuedouble, 3);
	assert_string_equal(jsonu_str(res.data, "reference"), "1.4.3");
	assert_string_equal(jsonu_str(res.data, "repository"), "shop/web");
	assert_non_null(strstr(res.command,
		"az acr repository show-tags --name acrshop --repository shop/web"));
	check_result_clear(&res);
	harness_close(h);

	h = harness_open("scenarios/webapp-windows.json");
	assert_int_equal(harness_check(h, "webapp.manifest-unknown", &res),
			 CHECK_FAIL);
	assert_string_equal(ev(&res, "setting"), "windowsFxVersion");
	assert_string_equal(jsonu_str(res.data, "repository"), "shop/web-win");
	check_result_clear(&res);
	harness_close(h);
}

static void test_manifest_unknown_paths(void **state)
{
	struct harness *h;
	struct check_result res = { 0 };

	(void)state;
	/* The login server does not answer. */
	h = harness_open("scenarios/webapp-registry-timeout.json");
	assert_int_equal(harness_check(h, "webapp.manifest-unknown", &res),
			 CHECK_UNKNOWN);
	assert_non_null(strstr(res.summary, "acrshop.azurecr.io"));
	assert_null(res.fix);
	check_result_clear(&res);
	harness_close(h);

	/* The registry's firewall refuses this machine. */
	h = harness_open("scenarios/webapp-tool-denied.json");
	assert_int_equal(harness_check(h, "webapp.manifest-unknown", &res),
			 CHECK_UNKNOWN);
	assert_non_null(strstr(res.summary,
		"network rules of acrshop.azurecr.io let this machine in"));
	assert_non_null(strstr(res.summary, "403"));
	check_result_clear(&res);
	harness_close(h);
}

/* ---------- webapp.ip-denied.* ---------- */

static void test_ip_denied(void **state)
{
	struct harness *h = harness_open("webapp-ip-denied");
	struct check_result res = { 0 };

	(void)state;
	assert_int_equal(harness_check(h, "webapp.ip-denied.firewall", &res),
			 CHECK_FAIL);
	assert_true(ev_list_has(&res, "missing", "20.105.224.16"));
	assert_true(ev_list_has(&res, "missing", "20.105.224.17"));
	assert_false(ev_list_has(&res, "missing", "20.105.224.18"));
	assert_true(ev_list_has(&res, "missing_possible", "20.105.224.18"));
	assert_int_equal(cJSON_GetArraySize(jsonu_array(res.data, "ips")), 6);
	assert_non_null(strstr(res.summary, "20.105.224.16"));
	assert_string_equal(res.fix, "webapp-ip-rules");
	check_result_clear(&res);

	assert_int_equal(harness_check(h, "webapp.ip-denied.private", &res),
			 CHECK_FAIL);
	assert_string_equal(ev(&res, "vnet_integration"), "none");
	assert_string_equal(res.fix, "webapp-private-pull");
	check_result_clear(&res);
	harness_close(h);
}

static void test_private(void **state)
{
	struct harness *h;
	struct check_result res = { 0 };

	(void)state;
	h = harness_open("webapp-private-pull");
	assert_int_equal(harness_verdict(h, "webapp.ip-denied.firewall"),
			 CHECK_NA);
	assert_int_equal(harness_check(h, "webapp.ip-denied.private", &res),
			 CHECK_FAIL);
	assert_string_equal(ev(&res, "public_network_access"), "Disabled");
	assert_int_equal((int)jsonu_path(res.evidence, "private_endpoints")->valuedouble, 1);
	assert_string_equal(jsonu_str(res.data, "privateEndpoint"), "yes");
	check_result_clear(&res);
	harness_close(h);

	h = harness_open("scenarios/webapp-vnet-pull.json");
	assert_int_equal(harness_check(h, "webapp.ip-denied.private", &res),
			 CHECK_PASS);
	assert_string_equal(ev(&res, "vnet_integration"), "snet-app");
	check_result_clear(&res);
	assert_int_equal(harness_verdict(h, "webapp.ip-denied.firewall"),
			 CHECK_NA);
	harness_close(h);

	h = harness_open("scenarios/webapp-vnet-routing.json");
	assert_int_equal(harness_verdict(h, "webapp.ip-denied.private"),
			 CHECK_PASS);
	harness_close(h);

	h = harness_open("scenarios/webapp-vnet-no-imagepull.json");
	assert_int_equal(harness_check(h, "webapp.ip-denied.private", &res),
			 CHECK_FAIL);
	assert_non_null(strstr(res.summary, "vnetImagePullEnabled"));
	check_result_clear(&res);
	harness_close(h);
}

/* ---------- reads that fail ---------- */

static void test_site_broken(void **state)
{
	struct harness *h = harness_open("scenarios/webapp-site-broken.json");
	struct check_result res = { 0 };

	(void)state;
	assert_int_equal(harness_check(h, "webapp.unauthorized.identity", &res),
			 CHECK_UNKNOWN);
	assert_non_null(strstr(res.summary, "not valid JSON"));
	check_result_clear(&res);
	assert_int_equal(harness_check(h, "webapp.ip-denied.firewall", &res),
			 CHECK_UNKNOWN);
	assert_non_null(strstr(res.summary, "web app"));
	assert_null(res.fix);
	check_result_clear(&res);
	assert_int_equal(harness_verdict(h, "webapp.ip-denied.private"),
			 CHECK_UNKNOWN);
	/* Checks that do not need the site still conclude. */
	assert_int_equal(harness_verdict(h, "webapp.manifest-unknown"),
			 CHECK_PASS);
	harness_close(h);
}

static void test_throttled(void **state)
{
	static const char *const ids[] = { "webapp.unauthorized.admin",
		"webapp.unauthorized.identity", "webapp.manifest-unknown" };
	struct harness *h = harness_open("scenarios/webapp-throttled.json");
	size_t i;

	(void)state;
	for (i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		struct check_result res = { 0 };

		assert_int_equal(harness_check(h, ids[i], &res), CHECK_UNKNOWN);
		assert_non_null(strstr(res.summary, "429"));
		assert_non_null(strstr(res.summary, "17"));
		assert_string_equal(ev(&res, "error"), "retry-after=17");
		check_result_clear(&res);
	}
	harness_close(h);
}

/* ---------- secrets ---------- */

static void test_secrets_never_shown(void **state)
{
	static const char *const scns[] = {
		"webapp-admin-mismatch",
		"scenarios/webapp-admin-ok.json",
		"scenarios/webapp-admin-disabled.json",
		"scenarios/webapp-admin-url.json",
		"scenarios/webapp-creds-denied.json",
		"scenarios/webapp-admin-nearmiss.json",
		"scenarios/webapp-admin-registry-down.json",
		"scenarios/webapp-admin-keyvault.json",
		"scenarios/webapp-settings-sp-valid.json",
		"scenarios/webapp-settings-sp-expired.json",
	};
	size_t s;

	(void)state;
	for (s = 0; s < sizeof scns / sizeof scns[0]; s++)
		harness_assert_secrets_hidden(scns[s], webapp_checks, NCHECKS,
					      secrets, NSECRETS);
}

/* ---------- fixes ---------- */

static void test_fix_acrpull(void **state)
{
	struct harness *h = harness_open("webapp-identity-no-acrpull");
	struct fix_plan plan;
	int i, puts = 0;

	(void)state;
	harness_plan(h, "webapp.unauthorized.identity",
		     "webapp-acrpull", &plan);
	assert_true(plan.nsteps >= 1);
	assert_string_equal(plan.verify_check, "webapp.unauthorized.identity");
	for (i = 0; i < plan.nsteps; i++) {
		if (strcmp(plan.steps[i].method, "PUT") != 0)
			continue;
		puts++;
		assert_non_null(strstr(plan.steps[i].url, REG_ID
			"/providers/Microsoft.Authorization/roleAssignments/"));
		assert_non_null(strstr(plan.steps[i].body, SYS_PRINCIPAL));
		assert_non_null(strstr(plan.steps[i].body,
			"7f951dda-4ed3-4680-a7ca-43fe172d538d"));
		assert_string_equal(plan.steps[i].command,
			"az role assignment create --assignee " SYS_PRINCIPAL
			" --scope " REG_ID " --role AcrPull");
	}
	assert_int_equal(puts, 1);
	fix_plan_clear(&plan);

	assert_int_equal(harness_fix(h, "webapp.unauthorized.identity",
				     "webapp-acrpull"), 0);
	assert_int_equal(harness_verdict(h, "webapp.unauthorized.identity"),
			 CHECK_PASS);
	harness_close(h);

	/* A user-assigned identity gets the assignment, not the system one. */
	h = harness_open("scenarios/webapp-uami-no-acrpull.json");
	assert_int_equal(harness_fix(h, "webapp.unauthorized.identity",
				     "webapp-acrpull"), 0);
	assert_int_equal(harness_verdict(h, "webapp.unauthorized.identity"),
			 CHECK_PASS);
	harness_close(h);
}

static void test_fix_ip_rules(void **state)
{
	struct harness *h = harness_open("webapp-ip-denied");
	struct fix_plan plan;
	int i, found = 0;

	(void)state;
	harness_plan(h, "webapp.ip-denied.firewall", "webapp-ip-rules", &plan);
	assert_true(plan.nsteps >= 1);
	assert_string_equal(plan.verify_check, "webapp.ip-denied.firewall");
	for (i = 0; i < plan.nsteps; i++)
		if (plan.steps[i].body &&
		    strstr(plan.steps[i].body, "20.105.224.16") &&
		    strstr(plan.steps[i].body, "20.105.224.17") &&
		    strstr(plan.steps[i].body, "198.51.100.0/24"))
			found = 1;
	assert_true(found);
	fix_plan_clear(&plan);

	assert_int_equal(harness_fix(h, "webapp.ip-denied.firewall",
				     "webapp-ip-rules"), 0);
	assert_int_equal(harness_verdict(h, "webapp.ip-denied.firewall"),
			 CHECK_PASS);
	/* With the IPs allowed, private pull is no longer needed. */
	assert_int_equal(harness_verdict(h, "webapp.ip-denied.private"),
			 CHECK_NA);
	harness_close(h);
}

static void test_fix_declined(void **state)
{
	(void)state;
	harness_decline("webapp-identity-no-acrpull",
			"webapp.unauthorized.identity", "webapp-acrpull");
	harness_decline("webapp-ip-denied", "webapp.ip-denied.firewall",
			"webapp-ip-rules");
}

static void test_manual_fixes(void **state)
{
	struct harness *h;
	struct fix_plan plan;

	(void)state;
	h = harness_open("webapp-admin-mismatch");
	harness_plan(h, "webapp.unauthorized.admin", "webapp-settings", &plan);
	assert_int_equal(plan.nsteps, 0);
	assert_non_null(strstr(plan.manual,
		"az webapp config container set --name app-shop --resource-group rg-web"
		" --container-registry-url https://acrshop.azurecr.io"
		" --container-registry-user acrshop"
		" --container-registry-password <password from: az acr credential show -n acrshop>"));
	/* The admin user is enabled: no step to enable it. */
	assert_null(strstr(plan.manual, "--admin-enabled true"));
	harness_assert_plan_clean(&plan, secrets, NSECRETS);
	fix_plan_clear(&plan);
	harness_close(h);

	h = harness_open("scenarios/webapp-admin-disabled.json");
	harness_plan(h, "webapp.unauthorized.admin", "webapp-settings", &plan);
	assert_non_null(strstr(plan.manual,
		"az acr update --name acrshop --admin-enabled true"));
	harness_assert_plan_clean(&plan, secrets, NSECRETS);
	fix_plan_clear(&plan);
	harness_close(h);

	h = harness_open("webapp-manifest-unknown");
	harness_plan(h, "webapp.manifest-unknown", "webapp-tag", &plan);
	assert_int_equal(plan.nsteps, 0);
	assert_non_null(strstr(plan.manual,
		"az acr repository show-tags --name acrshop --repository shop/web"));
	assert_non_null(strstr(plan.manual, "acrshop.azurecr.io/shop/web:1.4.3"));
	fix_plan_clear(&plan);
	harness_close(h);

	h = harness_open("webapp-private-pull");
	harness_plan(h, "webapp.ip-denied.private",
		     "webapp-private-pull", &plan);
	assert_int_equal(plan.nsteps, 0);
	assert_non_null(strstr(plan.manual,
		"az resource update --resource-group rg-web --name app-shop"
		" --resource-type \"Microsoft.Web/sites\""
		" --set properties.vnetImagePullEnabled=true"));
	assert_non_null(strstr(plan.manual, "az webapp vnet-integration add"));
	assert_non_null(strstr(plan.manual, "Failed to load ACR tags"));
	/* The registry has its endpoint already: no command to create one. */
	assert_null(strstr(plan.manual, "private-endpoint create"));
	fix_plan_clear(&plan);
	harness_close(h);

	h = harness_open("webapp-ip-denied");
	harness_plan(h, "webapp.ip-denied.private",
		     "webapp-private-pull", &plan);
	assert_non_null(strstr(plan.manual, "az network private-endpoint create"));
	assert_non_null(strstr(plan.manual, "privatelink.azurecr.io"));
	fix_plan_clear(&plan);
	harness_close(h);

	/* Already integrated: only image pull over the VNet is missing. */
	h = harness_open("scenarios/webapp-vnet-no-imagepull.json");
	harness_plan(h, "webapp.ip-denied.private",
		     "webapp-private-pull", &plan);
	assert_null(strstr(plan.manual, "vnet-integration add"));
	assert_non_null(strstr(plan.manual, "properties.vnetImagePullEnabled=true"));
	fix_plan_clear(&plan);
	harness_close(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_healthy),
		cmocka_unit_test(test_scenario_admin_mismatch),
		cmocka_unit_test(test_scenario_identity_no_acrpull),
		cmocka_unit_test(test_scenario_manifest_unknown),
		cmocka_unit_test(test_scenario_ip_denied),
		cmocka_unit_test(test_scenario_private_pull),
		cmocka_unit_test(test_scenario_files),
		cmocka_unit_test(test_log_classified),
		cmocka_unit_test(test_log_other),
		cmocka_unit_test(test_log_missing),
		cmocka_unit_test(test_pick_newest_failure),
		cmocka_unit_test(test_pick_success_after_failure),
		cmocka_unit_test(test_pick_nothing),
		cmocka_unit_test(test_pick_sanitized),
		cmocka_unit_test(test_log_read),
		cmocka_unit_test(test_log_read_big),
		cmocka_unit_test(test_log_uncovered_failure),
		cmocka_unit_test(test_log_alternatives),
		cmocka_unit_test(test_admin_mismatch),
		cmocka_unit_test(test_admin_variants),
		cmocka_unit_test(test_admin_creds_denied),
		cmocka_unit_test(test_admin_registry_answer),
		cmocka_unit_test(test_admin_registry_down),
		cmocka_unit_test(test_settings_sp),
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_manifest),
		cmocka_unit_test(test_manifest_unknown_paths),
		cmocka_unit_test(test_ip_denied),
		cmocka_unit_test(test_private),
		cmocka_unit_test(test_site_broken),
		cmocka_unit_test(test_throttled),
		cmocka_unit_test(test_secrets_never_shown),
		cmocka_unit_test(test_fix_acrpull),
		cmocka_unit_test(test_fix_ip_rules),
		cmocka_unit_test(test_fix_declined),
		cmocka_unit_test(test_manual_fixes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
