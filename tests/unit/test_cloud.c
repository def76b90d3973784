/* test_cloud.c - built-in clouds, cloud files in the `az cloud show`
 * shape, and which cloud is selected. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cloud.h"
#include "err.h"

/* What `az cloud show` prints (trimmed of nothing: every member is
 * there, the ones we do not use included), with a test host and port. */
static const char *const FULL =
	"{\n"
	"  \"endpoints\": {\n"
	"    \"activeDirectory\": \"https://127.0.0.1:8443/\",\n"
	"    \"activeDirectoryDataLakeResourceId\": \"https://datalake.azure.net/\",\n"
	"    \"activeDirectoryGraphResourceId\": \"https://graph.windows.net/\",\n"
	"    \"activeDirectoryResourceId\": \"https://management.core.windows.net/\",\n"
	"    \"appInsightsResourceId\": \"https://api.applicationinsights.io\",\n"
	"    \"batchResourceId\": \"https://batch.core.windows.net/\",\n"
	"    \"gallery\": null,\n"
	"    \"logAnalyticsResourceId\": \"https://api.loganalytics.io\",\n"
	"    \"management\": \"https://management.core.windows.net/\",\n"
	"    \"mediaResourceId\": \"https://rest.media.azure.net\",\n"
	"    \"microsoftGraphResourceId\": \"https://graph.test.example:9443/\",\n"
	"    \"ossrdbmsResourceId\": \"https://ossrdbms-aad.database.windows.net\",\n"
	"    \"portal\": \"https://portal.azure.com\",\n"
	"    \"resourceManager\": \"https://arm.test.example:9444/\",\n"
	"    \"sqlManagement\": \"https://management.core.windows.net:8443/\",\n"
	"    \"vmImageAliasDoc\": \"https://raw.githubusercontent.com/x/y.json\"\n"
	"  },\n"
	"  \"isActive\": true,\n"
	"  \"name\": \"TestCloud\",\n"
	"  \"profile\": \"latest\",\n"
	"  \"suffixes\": {\n"
	"    \"acrLoginServerEndpoint\": \".azurecr.test\",\n"
	"    \"keyvaultDns\": \".vault.azure.net\",\n"
	"    \"sqlServerHostname\": \".database.windows.net\",\n"
	"    \"storageEndpoint\": \"core.windows.net\"\n"
	"  }\n"
	"}\n";

static char tmpdir[] = "/tmp/test_cloud.XXXXXX";

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_builtin(void **state)
{
	struct cloud c;

	(void)state;
	assert_int_equal(cloud_builtin("AzureCloud", &c), 0);
	assert_string_equal(c.name, "AzureCloud");
	assert_string_equal(c.arm, "https://management.azure.com");
	assert_string_equal(c.arm_audience, "https://management.core.windows.net/");
	assert_string_equal(c.authority, "https://login.microsoftonline.com");
	assert_string_equal(c.graph, "https://graph.microsoft.com");
	assert_string_equal(c.graph_audience, "https://graph.microsoft.com/");
	assert_string_equal(c.acr_suffix, "azurecr.io");
	assert_string_equal(cloud_short_name(&c), "public");

	assert_int_equal(cloud_builtin("china", &c), 0);
	assert_string_equal(c.name, "AzureChinaCloud");
	assert_string_equal(c.acr_suffix, "azurecr.cn");
	assert_string_equal(c.authority, "https://login.chinacloudapi.cn");
	assert_string_equal(c.arm, "https://management.chinacloudapi.cn");
	assert_string_equal(cloud_short_name(&c), "china");

	assert_int_equal(cloud_builtin("AZUREUSGOVERNMENT", &c), 0);
	assert_string_equal(c.name, "AzureUSGovernment");
	assert_string_equal(c.acr_suffix, "azurecr.us");
	assert_string_equal(c.authority, "https://login.microsoftonline.us");
	assert_string_equal(c.graph, "https://graph.microsoft.us");
	assert_int_equal(cloud_builtin("usgov", &c), 0);
	assert_string_equal(cloud_short_name(&c), "usgov");

	assert_int_equal(cloud_builtin("AzureGermanCloud", &c), AD_ENOTFOUND);
	assert_int_equal(cloud_builtin(NULL, &c), AD_ENOTFOUND);
}

static void test_url_ok(void **state)
{
	char longurl[400];

	(void)state;
	assert_true(cloud_url_ok("https://login.microsoftonline.com"));
	assert_true(cloud_url_ok("https://login.microsoftonline.com/"));
	assert_true(cloud_url_ok("https://127.0.0.1:8443"));
	assert_true(cloud_url_ok("https://arm.example:65535/base/path"));
	assert_false(cloud_url_ok("http://login.microsoftonline.com"));
	assert_false(cloud_url_ok("https://"));
	assert_false(cloud_url_ok("https://:443"));
	assert_false(cloud_url_ok("https://host:0"));
	assert_false(cloud_url_ok("https://host:65536"));
	assert_false(cloud_url_ok("https://host:"));
	assert_false(cloud_url_ok("https://user@host"));
	assert_false(cloud_url_ok("https://host/a?b=c"));
	assert_false(cloud_url_ok("https://host/a#frag"));
	assert_false(cloud_url_ok("https://ho st"));
	assert_false(cloud_url_ok("https://host\n"));
	assert_false(cloud_url_ok("https://h\xc3\xa5st"));
	assert_false(cloud_url_ok("https://-host"));
	assert_false(cloud_url_ok("https://host_x"));
	assert_false(cloud_url_ok(NULL));
	memset(longurl, 'a', sizeof longurl - 1);
	longurl[sizeof longurl - 1] = '\0';
	memcpy(longurl, "https://", 8);
	assert_false(cloud_url_ok(longurl));
}

static void test_file_valid(void **state)
{
	struct cloud c;
	struct ad_error e = { 0 };
	char path[256];

	(void)state;
	snprintf(path, sizeof path, "%s/test.json", tmpdir);
	write_file(path, FULL);
	assert_int_equal(cloud_load(path, &c, &e), 0);
	assert_string_equal(c.name, "TestCloud");
	assert_string_equal(c.authority, "https://127.0.0.1:8443");
	assert_string_equal(c.arm, "https://arm.test.example:9444");
	assert_string_equal(c.arm_audience, "https://management.core.windows.net/");
	assert_string_equal(c.graph, "https://graph.test.example:9443");
	assert_string_equal(c.graph_audience, "https://graph.test.example:9443/");
	assert_string_equal(c.acr_suffix, "azurecr.test");
	assert_null(cloud_short_name(&c));
}

/* Optional members: audience falls back to resourceManager; no Graph. */
static void test_file_minimal(void **state)
{
	struct cloud c;
	struct ad_error e = { 0 };
	static const char *min =
		"{\"name\":\"Stack\",\"endpoints\":{\"activeDirectory\":"
		"\"https://login.stack\",\"resourceManager\":\"https://arm.stack/\"},"
		"\"suffixes\":{\"acrLoginServerEndpoint\":\"azurecr.stack\"}}";

	(void)state;
	assert_int_equal(cloud_from_json(min, strlen(min), "min", &c, &e), 0);
	assert_string_equal(c.arm, "https://arm.stack");
	assert_string_equal(c.arm_audience, "https://arm.stack/");
	assert_string_equal(c.graph, "");
	assert_string_equal(c.graph_audience, "");
	assert_string_equal(c.acr_suffix, "azurecr.stack");
}

struct bad {
	const char *json;
	const char *field;     /* expected in detail, or NULL */
	const char *in_msg;    /* expected in msg */
};

static void test_file_broken(void **state)
{
	static const struct bad cases[] = {
		{ "{", NULL, "not a JSON object" },
		{ "[]", NULL, "not a JSON object" },
		{ "{\"endpoints\":{},\"suffixes\":{}}", "name", "name" },
		{ "{\"name\":\"a\\nb\",\"endpoints\":{},\"suffixes\":{}}", "name",
		  "name" },
		{ "{\"name\":\"X\",\"suffixes\":{}}", "endpoints", "endpoints" },
		{ "{\"name\":\"X\",\"endpoints\":[],\"suffixes\":{}}", "endpoints",
		  "endpoints" },
		{ "{\"name\":\"X\",\"endpoints\":{\"activeDirectory\":\"https://a\","
		  "\"resourceManager\":\"https://b\"}}", "suffixes", "suffixes" },
		{ "{\"name\":\"X\",\"endpoints\":{\"resourceManager\":\"https://b\"},"
		  "\"suffixes\":{\"acrLoginServerEndpoint\":\".azurecr.io\"}}",
		  "endpoints.activeDirectory", "endpoints.activeDirectory is missing" },
		{ "{\"name\":\"X\",\"endpoints\":{\"activeDirectory\":\"https://a\"},"
		  "\"suffixes\":{\"acrLoginServerEndpoint\":\".azurecr.io\"}}",
		  "endpoints.resourceManager", "endpoints.resourceManager" },
		{ "{\"name\":\"X\",\"endpoints\":{\"activeDirectory\":\"http://a\","
		  "\"resourceManager\":\"https://b\"},"
		  "\"suffixes\":{\"acrLoginServerEndpoint\":\".azurecr.io\"}}",
		  "endpoints.activeDirectory", "https://" },
		{ "{\"name\":\"X\",\"endpoints\":{\"activeDirectory\":\"https://a\","
		  "\"resourceManager\":\"https://evil@b\"},"
		  "\"suffixes\":{\"acrLoginServerEndpoint\":\".azurecr.io\"}}",
		  "endpoints.resourceManager", "https://" },
		{ "{\"name\":\"X\",\"endpoints\":{\"activeDirectory\":\"https://a\","
		  "\"resourceManager\":\"https://b\",\"microsoftGraphResourceId\":5},"
		  "\"suffixes\":{\"acrLoginServerEndpoint\":\".azurecr.io\"}}",
		  "endpoints.microsoftGraphResourceId", "microsoftGraphResourceId" },
		{ "{\"name\":\"X\",\"endpoints\":{\"activeDirectory\":\"https://a\","
		  "\"resourceManager\":\"https://b\"},\"suffixes\":{}}",
		  "suffixes.acrLoginServerEndpoint", "acrLoginServerEndpoint" },
		{ "{\"name\":\"X\",\"endpoints\":{\"activeDirectory\":\"https://a\","
		  "\"resourceManager\":\"https://b\"},"
		  "\"suffixes\":{\"acrLoginServerEndpoint\":\"azurecr/../x\"}}",
		  "suffixes.acrLoginServerEndpoint", "acrLoginServerEndpoint" },
		{ "{\"name\":\"X\",\"endpoints\":{\"activeDirectory\":\"https://a\","
		  "\"resourceManager\":\"https://b\"},"
		  "\"suffixes\":{\"acrLoginServerEndpoint\":\"localhost\"}}",
		  "suffixes.acrLoginServerEndpoint", "acrLoginServerEndpoint" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct cloud c;
		struct ad_error e = { 0 };
		int rc = cloud_from_json(cases[i].json, strlen(cases[i].json),
					 "bad.json", &c, &e);

		print_message("case %zu: %s\n", i, e.msg);
		assert_int_equal(rc, AD_EPARSE);
		assert_int_equal(e.code, AD_EPARSE);
		assert_non_null(strstr(e.msg, "bad.json"));
		assert_non_null(strstr(e.msg, cases[i].in_msg));
		if (cases[i].field)
			assert_string_equal(e.detail, cases[i].field);
	}
}

static void test_file_missing_and_big(void **state)
{
	struct cloud c;
	struct ad_error e = { 0 };
	char path[256];
	FILE *f;
	int i;

	(void)state;
	snprintf(path, sizeof path, "%s/nope.json", tmpdir);
	assert_int_equal(cloud_load(path, &c, &e), AD_ENOTFOUND);
	assert_non_null(strstr(e.msg, "cannot read cloud file"));
	assert_non_null(strstr(e.msg, path));
	/* A plain word that is not a cloud: the known names are listed. */
	assert_int_equal(cloud_load("AzureMoonCloud", &c, &e), AD_ENOTFOUND);
	assert_non_null(strstr(e.msg, "unknown cloud"));
	assert_non_null(strstr(e.msg, "AzureChinaCloud"));
	assert_int_equal(cloud_load("", &c, &e), AD_EINVAL);

	snprintf(path, sizeof path, "%s/big.json", tmpdir);
	f = fopen(path, "w");
	assert_non_null(f);
	for (i = 0; i < 70 * 1024; i++)
		fputc(' ', f);
	fclose(f);
	assert_int_equal(cloud_load(path, &c, &e), AD_EPARSE);
	assert_non_null(strstr(e.msg, "larger than"));
}

static void test_select(void **state)
{
	struct cloud c;
	struct ad_error e = { 0 };
	char path[256];

	(void)state;
	unsetenv("AZURE_CLOUD");
	assert_int_equal(cloud_select(NULL, &c, &e), 0);
	assert_string_equal(c.name, "AzureCloud");
	assert_int_equal(cloud_select("", &c, &e), 0);
	assert_string_equal(c.name, "AzureCloud");

	setenv("AZURE_CLOUD", "AzureChinaCloud", 1);
	assert_int_equal(cloud_select(NULL, &c, &e), 0);
	assert_string_equal(c.name, "AzureChinaCloud");
	/* The option wins over the variable. */
	assert_int_equal(cloud_select("usgov", &c, &e), 0);
	assert_string_equal(c.name, "AzureUSGovernment");

	snprintf(path, sizeof path, "%s/sel.json", tmpdir);
	write_file(path, FULL);
	setenv("AZURE_CLOUD", path, 1);
	assert_int_equal(cloud_select(NULL, &c, &e), 0);
	assert_string_equal(c.name, "TestCloud");

	setenv("AZURE_CLOUD", "Nowhere", 1);
	assert_int_equal(cloud_select(NULL, &c, &e), AD_ENOTFOUND);
	assert_non_null(strstr(e.msg, "Nowhere"));
	unsetenv("AZURE_CLOUD");
}

/* Mutated files (fixed seed): either a valid cloud or a clear error. */
static void test_file_mutations(void **state)
{
	size_t n = strlen(FULL), i;
	char *buf = malloc(n + 1);
	int ok = 0, bad = 0;

	(void)state;
	assert_non_null(buf);
	srand(20261203);
	for (i = 0; i < 3000; i++) {
		struct cloud c;
		struct ad_error e = { 0 };
		int k, flips = 1 + rand() % 4, rc;

		memcpy(buf, FULL, n + 1);
		for (k = 0; k < flips; k++)
			buf[rand() % n] = (char)(rand() % 256);
		rc = cloud_from_json(buf, n, "m.json", &c, &e);
		if (rc == 0) {
			ok++;
			assert_true(cloud_url_ok(c.authority));
			assert_true(cloud_url_ok(c.arm));
			assert_true(cloud_url_ok(c.arm_audience));
			assert_true(c.acr_suffix[0] != '\0');
			assert_null(strchr(c.acr_suffix, '/'));
		} else {
			bad++;
			assert_true(rc < 0);
			assert_true(e.msg[0] != '\0');
		}
	}
	print_message("mutations: %d accepted, %d refused\n", ok, bad);
	assert_true(ok > 0 && bad > 0);
	free(buf);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin),
		cmocka_unit_test(test_url_ok),
		cmocka_unit_test(test_file_valid),
		cmocka_unit_test(test_file_minimal),
		cmocka_unit_test(test_file_broken),
		cmocka_unit_test(test_file_missing_and_big),
		cmocka_unit_test(test_select),
		cmocka_unit_test(test_file_mutations),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
