/* test_redact.c - secrets masked by their shape, nothing else touched. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "redact.h"

/* Every secret in these texts contains "S3cr3t" (or is a JWT / base64
 * of one); each text must come out without it and with the mask, and
 * with the words around it kept. */
static const struct {
	const char *in;
	const char *keep;       /* a fragment that must stay */
} secret_texts[] = {
	/* options that take a secret */
	{ "docker login acrshop.azurecr.io -u acrshop -p S3cr3tVal!x", "-p ***" },
	{ "az acr login --name acrshop --username 00000000-0000 -p S3cr3tVal", "-p ***" },
	{ "az login --service-principal -u http://sp -p=S3cr3tVal --tenant t", "--tenant t" },
	{ "helm registry login acrshop.azurecr.io --username u -p 'S3cr3t Val'", "-p '***'" },
	{ "az aks update --client-secret S3cr3tVal -g rg", "--client-secret *** -g rg" },
	{ "kubectl create secret docker-registry acr --docker-password S3cr3tVal --docker-server x", "--docker-password *** --docker-server x" },
	{ "kubectl create secret docker-registry acr --docker-password=S3cr3tVal", "--docker-password=***" },
	{ "docker login --password \"S3cr3t;Val\" acrshop.azurecr.io", "acrshop.azurecr.io" },
	{ "az storage blob list --account-key S3cr3tKey== --account-name st", "--account-name st" },
	{ "az acr import --password S3cr3tVal --source x", "--source x" },
	/* key=value and key: value */
	{ "client_secret: S3cr3tVal unauthorized", "client_secret: *** unauthorized" },
	{ "clientSecret: \"S3cr3tVal\"", "clientSecret: \"***\"" },
	{ "password: S3cr3tVal", "password: ***" },
	{ "DOCKER_REGISTRY_SERVER_PASSWORD=S3cr3tVal ERROR", "DOCKER_REGISTRY_SERVER_PASSWORD=*** ERROR" },
	{ "{\"auths\":{\"r\":{\"password\":\"S3cr3tVal\",\"auth\":\"S3cr3tTok\"}}}", "\"auths\"" },
	{ "{\\\"password\\\":\\\"S3cr3tVal\\\"}", "password" },
	{ "grant_type=password&password=S3cr3tVal&access_token=S3cr3tTok&scope=x", "grant_type=password&password=***" },
	{ "refresh_token: S3cr3tTok", "refresh_token: ***" },
	{ "x-ms-client-secret: S3cr3tVal", "x-ms-client-secret: ***" },
	/* connection strings */
	{ "DefaultEndpointsProtocol=https;AccountName=st;AccountKey=S3cr3tKey+/==;EndpointSuffix=core.windows.net", "AccountName=st;AccountKey=***;EndpointSuffix" },
	{ "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=S3cr3tKey=", "SharedAccessKeyName=Root;SharedAccessKey=***" },
	{ "BlobEndpoint=https://st.blob.core.windows.net/;SharedAccessSignature=sv=2021&sig=S3cr3tSig%3D", "SharedAccessSignature=" },
	{ "Server=db;User Id=u;Password=S3cr3tVal;", "User Id=u;Password=***;" },
	{ "Get \"https://x.blob.core.windows.net/d?se=1&sig=S3cr3tSig%3D&sp=r\": EOF", "&sp=r" },
	/* credentials with a scheme, tokens */
	{ "Authorization: Basic UzNjcjN0VXNlcjpTM2NyM3RWYWw=", "Authorization: Basic ***" },
	{ "GET /v2/ with Basic UzNjcjN0VXNlcjpTM2NyM3RWYWw= 401", "Basic *** 401" },
	{ "Authorization: Bearer S3cr3tTokenValue", "Authorization: Bearer ***" },
	{ "sent bearer S3cr3tTokenValue to the registry", "bearer *** to the registry" },
	{ "token: eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJTM2NyM3QifQ.c2lnbmF0dXJl failed", "token: *** failed" },
	{ "Get https://acr:S3cr3tVal@contoso.azurecr.io/v2/: 401", "https://acr:***@contoso.azurecr.io" },
	/* found by fuzzing: a PEM header that is not one, then a key=value */
	{ "-----BEGIN RSA ? PRpassword=S3cr3tA -----END RSA PRIVATE KEY-----", "PRpassword=***" },
	{ "-----BEGIN ENCRYPTED PRIVATE KEY----- MIIS3cr3tA -----END ENCRYPTED PRIVATE KEY-----", "-----BEGIN ENCRYPTED PRIVATE KEY-----***" },
	/* found by fuzzing: a key=value inside the user part */
	{ "https://u}}serpassword=S3cr3tA:S3cr3tB@acrshop.azurecr.io", "serpassword=***:***@acrshop" },
	{ "key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIS3cr3tKeyBody\n-----END RSA PRIVATE KEY-----\n", "-----END RSA PRIVATE KEY-----" },
	{ ".dockerconfigjson: eyJhdXRocyI6eyJTM2NyM3QiOnt9fX0=", ".dockerconfigjson: ***" },
	{ "AN_APPLICATION_SETTING_WITH_A_VERY_LONG_NAME_THAT_ENDS_IN_THE_WORD_PASSWORD=S3cr3tVal", "_PASSWORD=***" },
};

/* Text with nothing to mask must come out unchanged. */
static const char *const plain_texts[] = {
	"Failed to pull image \"acrshop.azurecr.io/shop/web:1.4.2\": rpc error: failed to fetch oauth token: unexpected status: 401 Unauthorized",
	"unauthorized: incorrect username or password",
	"Www-Authenticate: Bearer realm=\"https://acrshop.azurecr.io/oauth2/token\",service=\"acrshop.azurecr.io\"",
	"Basic authentication failed: 401 Unauthorized",
	"answers with the Bearer challenge, and Bearer AuthenticationFailed",
	"docker run -p 8080:80 acrshop.azurecr.io/shop/web:1.4.2",
	"docker login acrshop.azurecr.io --password-stdin",
	"kubectl create secret docker-registry acr --docker-server=acrshop.azurecr.io",
	"az keyvault secret show --name acr-password --vault-name kv",
	"the pull secret's password does not match the registry's",
	"auth: token: unexpected status",
	"https://acrshop.azurecr.io/v2/ returned 401",
	"image pull secrets: acr-secret, other",
	"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e password",
	"",
};

static void test_shapes(void **state)
{
	char out[4096];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof secret_texts / sizeof secret_texts[0]; i++) {
		const char *in = secret_texts[i].in;

		n = redact_mem(in, strlen(in), out);
		assert_int_equal(n, strlen(out));
		if (strstr(out, "S3cr3t") || strstr(out, "eyJ") ||
		    strstr(out, "UzNjcjN0"))
			fail_msg("secret kept in text %zu: %s", i, out);
		if (!strstr(out, REDACT_MASK) || !strstr(out, secret_texts[i].keep))
			fail_msg("text %zu: wanted '%s' in: %s", i,
				 secret_texts[i].keep, out);
	}
	for (i = 0; i < sizeof plain_texts / sizeof plain_texts[0]; i++) {
		n = redact_mem(plain_texts[i], strlen(plain_texts[i]), out);
		if (strcmp(out, plain_texts[i]) != 0)
			fail_msg("plain text %zu changed: %s", i, out);
	}
}

/* NULs, invalid bytes, a secret at the very end: bounded, no overrun. */
static void test_any_bytes(void **state)
{
	static const char in[] = "a\0password=S3cr3t\xff\xfe-p";
	char out[REDACT_ROOM(sizeof in - 1)];
	size_t n;
	unsigned seed = 12345;
	char *buf, *o;
	size_t i, len = 1 << 16;

	(void)state;
	n = redact_mem(in, sizeof in - 1, out);
	assert_int_equal(n, sizeof "a\0password=***" - 1);
	assert_memory_equal(out, "a\0password=***", n);
	/* worst case growth: every value one byte long */
	n = redact_mem("sig=a&sig=b&sig=c", 17, out);
	assert_string_equal(out, "sig=***&sig=***&sig=***");
	/* fixed-seed random bytes: the room is always enough */
	buf = malloc(len);
	o = malloc(REDACT_ROOM(len));
	assert_non_null(buf);
	assert_non_null(o);
	for (i = 0; i < len; i++) {
		seed = seed * 1103515245u + 12345u;
		buf[i] = "p=:-@/ a\"'eyJ.Basic"[(seed >> 16) % 19];
	}
	n = redact_mem(buf, len, o);
	assert_true(n < REDACT_ROOM(len));
	assert_int_equal(o[n], '\0');
	free(buf);
	free(o);
}

static void test_dup_and_in_place(void **state)
{
	char buf[32], *d;

	(void)state;
	assert_null(redact_dup(NULL));
	d = redact_dup("--client-secret S3cr3tVal x");
	assert_non_null(d);
	assert_string_equal(d, "--client-secret *** x");
	free(d);

	snprintf(buf, sizeof buf, "%s", "password=S3cr3tVal");
	assert_int_equal(redact_text(buf, sizeof buf), strlen("password=***"));
	assert_string_equal(buf, "password=***");
	/* growing past the room: the end is cut, on a character boundary */
	snprintf(buf, sizeof buf, "%s", "\xc3\xa5 sig=a");
	redact_text(buf, 10);
	assert_string_equal(buf, "\xc3\xa5 sig=**");
	snprintf(buf, sizeof buf, "%s", "sig=a \xc3\xa5\xc3\xa5");
	assert_int_equal(redact_text(buf, 12), 10);
	assert_string_equal(buf, "sig=*** \xc3\xa5");
}

static void test_headers(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(redact_header("Authorization", "Bearer eyJhbGciOi.x.y", out, sizeof out), 1);
	assert_string_equal(out, "Bearer ***");
	assert_int_equal(redact_header("authorization", "Basic UzNjcjN0VXNlcjpT", out, sizeof out), 1);
	assert_string_equal(out, "Basic ***");
	assert_int_equal(redact_header("Proxy-Authorization", "S3cr3t", out, sizeof out), 1);
	assert_string_equal(out, REDACT_MASK);
	assert_int_equal(redact_header("x-ms-encryption-key", "S3cr3tKey", out, sizeof out), 1);
	assert_string_equal(out, REDACT_MASK);
	assert_int_equal(redact_header("Ocp-Apim-Subscription-Key", "S3cr3t", out, sizeof out), 1);
	assert_string_equal(out, REDACT_MASK);
	assert_int_equal(redact_header("Cookie", "session=S3cr3t", out, sizeof out), 1);
	assert_string_equal(out, REDACT_MASK);
	assert_int_equal(redact_header("api-key", "S3cr3t", out, sizeof out), 1);
	assert_int_equal(redact_header("Content-Type", "application/json", out, sizeof out), 0);
	assert_string_equal(out, "application/json");
	/* a URL with a SAS signature in an ordinary header */
	assert_int_equal(redact_header("Location", "https://b/x?sig=S3cr3t&sp=r", out, sizeof out), 1);
	assert_string_equal(out, "https://b/x?sig=***&sp=r");
	assert_int_equal(redact_header("WWW-Authenticate", "Bearer realm=\"https://r/oauth2/token\"", out, sizeof out), 0);
	assert_int_equal(redact_header_secret("Docker-Content-Digest"), 0);
	assert_int_equal(redact_header_secret(NULL), 0);
	/* short room: never a partial secret */
	assert_int_equal(redact_header("Authorization", "Bearer S3cr3t", out, 4), 1);
	assert_string_equal(out, "***");
}

static void test_wipe(void **state)
{
	char buf[8] = "S3cr3t";
	size_t i;

	(void)state;
	redact_wipe(buf, sizeof buf);
	for (i = 0; i < sizeof buf; i++)
		assert_int_equal(buf[i], 0);
	redact_wipe(NULL, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_any_bytes),
		cmocka_unit_test(test_dup_and_in_place),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_wipe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
