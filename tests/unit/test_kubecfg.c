/* test_kubecfg.c - kubeconfig files (AKS admin and user shapes, tokens,
 * files, KUBECONFIG merges, broken ones), the ARM credential answer,
 * the AKS guess and the exec credential plugin. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "err.h"
#include "http.h"
#include "kubecfg.h"

/* The secrets of the fixtures: never in a message. */
static const char *const secrets[] = {
	"SECRETADMINTOKEN", "tok-SECRET", "file-tok-SECRET", "token-a-SECRET",
	"token-a-from-b-SECRET", "insecure-SECRET", "exec-SECRET",
	"PRIVATE KEY"
};

static void assert_clean(const struct ad_error *e)
{
	for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
		if (strstr(e->msg, secrets[i]) || strstr(e->detail, secrets[i]))
			fail_msg("secret \"%s\" in \"%s\" / \"%s\"", secrets[i],
				 e->msg, e->detail);
	}
}

static char *data_path(const char *name)
{
	const char *dir = getenv("TEST_DATA_DIR");
	static char buf[4][1024];
	static int next;
	char *b = buf[next++ % 4];

	snprintf(b, sizeof buf[0], "%s/kubeconfig/%s", dir ? dir : "data", name);
	return b;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

static struct kubecfg *load_ok(const char *name, const char *context)
{
	struct kubecfg *k = NULL;
	struct ad_error e = { 0 };
	int rc = kubecfg_load(data_path(name), context, &k, &e);

	if (rc)
		fail_msg("%s: %d %s (%s)", name, rc, e.msg, e.detail);
	assert_non_null(k);
	return k;
}

static int load_err(const char *name, const char *context,
		    struct ad_error *e)
{
	struct kubecfg *k = (struct kubecfg *)1;
	int rc;

	memset(e, 0, sizeof *e);
	rc = kubecfg_load(data_path(name), context, &k, e);
	assert_true(rc < 0);
	assert_null(k);
	assert_int_equal(e->code, rc);
	assert_true(e->msg[0] != '\0');
	assert_clean(e);
	return rc;
}

/* The PEM text of a fixture file. */
static void assert_pem_is(const char *pem, const char *file)
{
	char *want = slurp(data_path(file), NULL);

	assert_non_null(pem);
	assert_string_equal(pem, want);
	free(want);
}

static void test_aks_admin(void **state)
{
	struct kubecfg *k = load_ok("aks-admin.yaml", NULL);
	struct http_request req = { 0 };
	struct ad_error e = { 0 };
	struct kubecfg_aks aks;

	(void)state;
	assert_string_equal(kubecfg_context(k), "myaks-admin");
	assert_string_equal(kubecfg_cluster(k), "myaks");
	assert_string_equal(kubecfg_user(k), "clusterAdmin_my-rg_myaks");
	assert_string_equal(kubecfg_namespace(k), "default");
	assert_false(kubecfg_namespace_set(k));
	assert_string_equal(kubecfg_server(k),
			    "https://myaks-dns-1a2b3c4d.hcp.westeurope.azmk8s.io:443");
	assert_string_equal(kubecfg_server_host(k),
			    "myaks-dns-1a2b3c4d.hcp.westeurope.azmk8s.io");
	assert_pem_is(kubecfg_ca_pem(k), "certs/ca.crt");
	assert_int_equal(kubecfg_auth_kind(k), KUBECFG_AUTH_TOKEN);
	assert_null(kubecfg_exec_command(k));
	assert_int_equal(kubecfg_ncontexts(k), 1);
	assert_string_equal(kubecfg_context_at(k, 0), "myaks-admin");
	assert_string_equal(kubecfg_context_cluster_at(k, 0), "myaks");
	assert_null(kubecfg_context_at(k, 1));

	assert_int_equal(kubecfg_auth(k, &req, &e), 0);
	assert_pem_is(req.ca_pem, "certs/ca.crt");
	assert_pem_is(req.client_cert_pem, "certs/client.crt");
	assert_pem_is(req.client_key_pem, "certs/client.key");
	assert_string_equal(req.bearer,
			    "5e0d7a1c9b3f4e2a8d6c0b1a2f3e4d5cSECRETADMINTOKEN0001");
	assert_non_null(req.auth_label);
	assert_null(strstr(req.auth_label, "SECRET"));

	assert_int_equal(kubecfg_aks_guess(k, &aks), 1);
	assert_true(aks.looks_aks);
	assert_false(aks.private_cluster);
	assert_string_equal(aks.cluster, "myaks");
	assert_string_equal(aks.resource_group, "my-rg");
	assert_string_equal(aks.dns_prefix, "myaks-dns");
	assert_string_equal(aks.region, "westeurope");
	assert_string_equal(aks.host, "myaks-dns-1a2b3c4d.hcp.westeurope.azmk8s.io");
	kubecfg_free(k);
}

static void test_aks_user_exec_shape(void **state)
{
	struct kubecfg *k = load_ok("aks-user-kubelogin.yaml", NULL);
	struct kubecfg_aks aks;

	(void)state;
	assert_string_equal(kubecfg_context(k), "myaks");
	assert_string_equal(kubecfg_user(k), "clusterUser_my-rg_myaks");
	assert_string_equal(kubecfg_namespace(k), "shop");
	assert_true(kubecfg_namespace_set(k));
	assert_int_equal(kubecfg_auth_kind(k), KUBECFG_AUTH_EXEC);
	assert_string_equal(kubecfg_exec_command(k), "kubelogin");
	assert_int_equal(kubecfg_aks_guess(k, &aks), 1);
	assert_string_equal(aks.resource_group, "my-rg");
	assert_string_equal(aks.cluster, "myaks");
	kubecfg_free(k);
}

static void test_token_and_ca_file(void **state)
{
	struct kubecfg *k = load_ok("token.yaml", NULL);
	struct http_request req = { 0 };
	struct ad_error e = { 0 };
	struct kubecfg_aks aks;

	(void)state;
	assert_string_equal(kubecfg_context(k), "lab-reader");
	assert_string_equal(kubecfg_namespace(k), "payments");
	/* The trailing '/' goes. */
	assert_string_equal(kubecfg_server(k), "https://127.0.0.1:6443");
	assert_string_equal(kubecfg_server_host(k), "127.0.0.1");
	assert_int_equal(kubecfg_ncontexts(k), 2);
	assert_int_equal(kubecfg_auth(k, &req, &e), 0);
	assert_pem_is(req.ca_pem, "certs/ca.crt");
	assert_null(req.client_cert_pem);
	assert_null(req.client_key_pem);
	assert_string_equal(req.bearer, "tok-SECRET-0123456789abcdef");
	assert_int_equal(kubecfg_aks_guess(k, &aks), 0);
	assert_false(aks.looks_aks);
	assert_string_equal(aks.cluster, "lab");
	assert_string_equal(aks.resource_group, "");
	kubecfg_free(k);

	/* A context without a user: anonymous. */
	k = load_ok("token.yaml", "lab-anon");
	memset(&req, 0, sizeof req);
	assert_int_equal(kubecfg_auth_kind(k), KUBECFG_AUTH_NONE);
	assert_int_equal(kubecfg_auth(k, &req, &e), 0);
	assert_null(req.bearer);
	assert_non_null(req.ca_pem);
	kubecfg_free(k);
}

static void test_cert_files_relative(void **state)
{
	struct kubecfg *k = load_ok("sub/certfiles.yaml", NULL);
	struct http_request req = { 0 };
	struct ad_error e = { 0 };

	(void)state;
	assert_string_equal(kubecfg_server_host(k), "::1");
	assert_int_equal(kubecfg_auth_kind(k), KUBECFG_AUTH_CERT);
	assert_int_equal(kubecfg_auth(k, &req, &e), 0);
	assert_pem_is(req.ca_pem, "certs/ca.crt");
	assert_pem_is(req.client_cert_pem, "certs/client.crt");
	assert_pem_is(req.client_key_pem, "certs/client.key");
	assert_null(req.bearer);
	kubecfg_free(k);
}

static time_t fake_now;

static time_t fake_clock(void *arg)
{
	(void)arg;
	return fake_now;
}

static void test_token_file(void **state)
{
	struct kubecfg *k;
	struct http_request req = { 0 };
	struct ad_error e = { 0 };
	char dir[] = "/tmp/kubecfg-tfXXXXXX", path[128], tok[128];
	const char *first;
	FILE *f;

	(void)state;
	k = load_ok("tokenfile.yaml", NULL);
	assert_int_equal(kubecfg_auth_kind(k), KUBECFG_AUTH_TOKEN_FILE);
	assert_int_equal(kubecfg_auth(k, &req, &e), 0);
	assert_string_equal(req.bearer, "file-tok-SECRET-1");   /* newline trimmed */
	kubecfg_free(k);

	/* Re-read after a minute, not before; the old string stays valid. */
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/config", dir);
	snprintf(tok, sizeof tok, "%s/tok", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:1'}}]\n"
		"users: [{name: u, user: {tokenFile: tok}}]\n"
		"contexts: [{name: x, context: {cluster: c, user: u}}]\n"
		"current-context: x\n");
	fclose(f);
	f = fopen(tok, "w");
	assert_non_null(f);
	fputs("one-SECRET", f);
	fclose(f);
	assert_int_equal(kubecfg_load(path, NULL, &k, &e), 0);
	fake_now = 1000;
	kubecfg_set_clock(k, fake_clock, NULL);
	assert_int_equal(kubecfg_auth(k, &req, &e), 0);
	first = req.bearer;
	assert_string_equal(first, "one-SECRET");
	f = fopen(tok, "w");
	assert_non_null(f);
	fputs("two-SECRET\n", f);
	fclose(f);
	fake_now = 1030;
	assert_int_equal(kubecfg_auth(k, &req, &e), 0);
	assert_string_equal(req.bearer, "one-SECRET");
	fake_now = 1061;
	assert_int_equal(kubecfg_auth(k, &req, &e), 0);
	assert_string_equal(req.bearer, "two-SECRET");
	assert_string_equal(first, "one-SECRET");   /* still borrowed-safe */
	/* Gone: a clear error naming the file, not its content. */
	assert_int_equal(unlink(tok), 0);
	fake_now = 1200;
	assert_int_equal(kubecfg_auth(k, &req, &e), AD_EIO);
	assert_non_null(strstr(e.msg, "tok"));
	assert_null(strstr(e.msg, "two-SECRET"));
	kubecfg_free(k);
	unlink(path);
	rmdir(dir);
}

static void test_merge(void **state)
{
	struct kubecfg *k = NULL;
	struct ad_error e = { 0 };
	struct http_request req = { 0 };
	char env[2048];

	(void)state;
	snprintf(env, sizeof env, "%s::%s:%s", data_path("merge-a.yaml"),
		 data_path("other/merge-b.yaml"), data_path("no-such-file.yaml"));
	assert_int_equal(setenv("KUBECONFIG", env, 1), 0);
	/* current-context from the first file; ctx-b from the second. */
	assert_int_equal(kubecfg_load(NULL, NULL, &k, &e), 0);
	assert_string_equal(kubecfg_context(k), "ctx-b");
	assert_string_equal(kubecfg_namespace(k), "from-b");
	/* The cluster "shared" is the first file's. */
	assert_string_equal(kubecfg_server(k), "https://a.lab.example:443");
	assert_pem_is(kubecfg_ca_pem(k), "certs/ca.crt");
	/* user-b's files are relative to the second file's directory. */
	assert_int_equal(kubecfg_auth(k, &req, &e), 0);
	assert_pem_is(req.client_cert_pem, "other/client.crt");
	assert_pem_is(req.client_key_pem, "other/client.key");
	assert_int_equal(kubecfg_ncontexts(k), 2);
	assert_string_equal(kubecfg_context_at(k, 0), "ctx-a");
	assert_string_equal(kubecfg_context_at(k, 1), "ctx-b");
	kubecfg_free(k);

	/* ctx-a and user-a: the first file's, not the second's. */
	assert_int_equal(kubecfg_load(NULL, "ctx-a", &k, &e), 0);
	assert_string_equal(kubecfg_user(k), "user-a");
	memset(&req, 0, sizeof req);
	assert_int_equal(kubecfg_auth(k, &req, &e), 0);
	assert_string_equal(req.bearer, "token-a-SECRET");
	kubecfg_free(k);

	/* Only missing files: not found. */
	assert_int_equal(setenv("KUBECONFIG", "/nonexistent/a:/nonexistent/b", 1), 0);
	assert_int_equal(kubecfg_load(NULL, NULL, &k, &e), AD_ENOTFOUND);
	assert_null(k);

	/* No KUBECONFIG: ~/.kube/config. */
	assert_int_equal(unsetenv("KUBECONFIG"), 0);
	{
		char home[] = "/tmp/kubecfg-homeXXXXXX", p[256];
		char *text = slurp(data_path("aks-admin.yaml"), NULL);
		const char *old = getenv("HOME");
		char *saved = old ? strdup(old) : NULL;
		FILE *f;

		assert_non_null(mkdtemp(home));
		assert_int_equal(setenv("HOME", home, 1), 0);
		assert_int_equal(kubecfg_load(NULL, NULL, &k, &e), AD_ENOTFOUND);
		assert_non_null(strstr(e.msg, ".kube/config"));
		snprintf(p, sizeof p, "%s/.kube", home);
		assert_int_equal(mkdir(p, 0700), 0);
		snprintf(p, sizeof p, "%s/.kube/config", home);
		f = fopen(p, "w");
		assert_non_null(f);
		fputs(text, f);
		fclose(f);
		assert_int_equal(kubecfg_load(NULL, NULL, &k, &e), 0);
		assert_string_equal(kubecfg_context(k), "myaks-admin");
		assert_string_equal(kubecfg_source(k), p);
		kubecfg_free(k);
		unlink(p);
		snprintf(p, sizeof p, "%s/.kube", home);
		rmdir(p);
		rmdir(home);
		if (saved)
			setenv("HOME", saved, 1);
		free(saved);
		free(text);
	}
}

static void test_broken_yaml(void **state)
{
	struct ad_error e;

	(void)state;
	assert_int_equal(load_err("broken-yaml.yaml", NULL, &e), AD_EPARSE);
	assert_non_null(strstr(e.msg, "broken-yaml.yaml"));
	assert_non_null(strstr(e.msg, "line 7"));
	assert_non_null(strstr(e.msg, "column"));
}

static void test_broken_fields(void **state)
{
	struct ad_error e;

	(void)state;
	/* No current-context: say so and list the contexts. */
	assert_int_equal(load_err("broken-missing.yaml", NULL, &e), AD_ENOTFOUND);
	assert_non_null(strstr(e.msg, "current-context"));
	assert_non_null(strstr(e.detail, "no-cluster"));
	assert_int_equal(load_err("broken-missing.yaml", "nope", &e), AD_ENOTFOUND);
	assert_non_null(strstr(e.msg, "\"nope\""));
	assert_non_null(strstr(e.detail, "half-cert"));
	assert_int_equal(load_err("broken-missing.yaml", "no-cluster", &e),
			 AD_ENOTFOUND);
	assert_non_null(strstr(e.msg, "\"ghost\""));
	assert_int_equal(load_err("broken-missing.yaml", "no-user", &e),
			 AD_ENOTFOUND);
	assert_non_null(strstr(e.msg, "\"phantom\""));
	assert_int_equal(load_err("broken-missing.yaml", "no-server", &e),
			 AD_EPARSE);
	assert_non_null(strstr(e.msg, "no server"));
	assert_non_null(strstr(e.msg, "\"noserver\""));
	assert_int_equal(load_err("broken-missing.yaml", "half-cert", &e),
			 AD_EPARSE);
	assert_non_null(strstr(e.msg, "no client key"));
	assert_int_equal(load_err("broken-missing.yaml", "plain-http", &e),
			 AD_EUNSUPP);
	assert_non_null(strstr(e.msg, "https"));
	assert_int_equal(load_err("broken-missing.yaml", "bad-base64", &e),
			 AD_EPARSE);
	assert_non_null(strstr(e.msg, "base64"));
	assert_non_null(strstr(e.msg, "line "));
	assert_int_equal(load_err("broken-insecure.yaml", NULL, &e), AD_EUNSUPP);
	assert_non_null(strstr(e.msg, "insecure-skip-tls-verify"));
	assert_int_equal(load_err("broken-auth-provider.yaml", NULL, &e),
			 AD_EUNSUPP);
	assert_non_null(strstr(e.msg, "kubelogin convert-kubeconfig"));
	assert_non_null(strstr(e.msg, "\"azure\""));
	assert_int_equal(load_err("no-such-file.yaml", NULL, &e), AD_ENOTFOUND);
	assert_non_null(strstr(e.msg, "no-such-file.yaml"));
	/* A directory is not a kubeconfig. */
	assert_int_equal(load_err("certs", NULL, &e), AD_EIO);
}

static void test_missing_token_file(void **state)
{
	struct kubecfg *k = load_ok("broken-missing.yaml", "missing-token-file");
	struct http_request req = { 0 };
	struct ad_error e = { 0 };

	(void)state;
	assert_int_equal(kubecfg_auth(k, &req, &e), AD_EIO);
	assert_non_null(strstr(e.msg, "does-not-exist.txt"));
	kubecfg_free(k);
}

static int yaml_err(const char *text, struct ad_error *e)
{
	struct kubecfg *k = NULL;
	int rc;

	memset(e, 0, sizeof *e);
	rc = kubecfg_from_yaml(text, strlen(text), NULL, &k, e);
	assert_null(k);
	assert_true(rc < 0);
	assert_clean(e);
	return rc;
}

static void test_from_yaml(void **state)
{
	struct kubecfg *k = NULL;
	struct ad_error e = { 0 };
	size_t len;
	char *text = slurp(data_path("aks-admin.yaml"), &len);

	(void)state;
	assert_int_equal(kubecfg_from_yaml(text, len, NULL, &k, &e), 0);
	assert_string_equal(kubecfg_source(k), "(memory)");
	assert_string_equal(kubecfg_cluster(k), "myaks");
	kubecfg_free(k);
	free(text);

	/* Relative files cannot be resolved from memory. */
	assert_int_equal(yaml_err(
		"clusters: [{name: c, cluster: {server: 'https://h:1', certificate-authority: ca.crt}}]\n"
		"contexts: [{name: x, context: {cluster: c}}]\ncurrent-context: x\n", &e),
		AD_EPARSE);
	assert_non_null(strstr(e.msg, "relative"));
	/* Not a kubeconfig at all. */
	assert_int_equal(yaml_err("- a\n- b\n", &e), AD_EPARSE);
	assert_int_equal(yaml_err("just text\n", &e), AD_EPARSE);
	assert_int_equal(yaml_err("clusters: 3\n", &e), AD_EPARSE);
	assert_int_equal(yaml_err("clusters: [{cluster: {server: 'https://h'}}]\n", &e),
			 AD_EPARSE);
	assert_non_null(strstr(e.msg, "no name"));
	/* Empty: no contexts. */
	assert_int_equal(yaml_err("", &e), AD_ENOTFOUND);
	/* Bad servers. */
	assert_int_equal(yaml_err(
		"clusters: [{name: c, cluster: {server: 'https://h:99999'}}]\n"
		"contexts: [{name: x, context: {cluster: c}}]\ncurrent-context: x\n", &e),
		AD_EPARSE);
	assert_int_equal(yaml_err(
		"clusters: [{name: c, cluster: {server: 'https://a b'}}]\n"
		"contexts: [{name: x, context: {cluster: c}}]\ncurrent-context: x\n", &e),
		AD_EPARSE);
	assert_int_equal(yaml_err(
		"clusters: [{name: c, cluster: {server: 'ftp://h'}}]\n"
		"contexts: [{name: x, context: {cluster: c}}]\ncurrent-context: x\n", &e),
		AD_EPARSE);
	/* YAML 1.1 "yes" is true for kubectl too. */
	assert_int_equal(yaml_err(
		"clusters: [{name: c, cluster: {server: 'https://h', insecure-skip-tls-verify: yes}}]\n"
		"contexts: [{name: x, context: {cluster: c}}]\ncurrent-context: x\n", &e),
		AD_EUNSUPP);
	/* Data that is base64 but not PEM: refused without echoing it. */
	assert_int_equal(yaml_err(
		"clusters: [{name: c, cluster: {server: 'https://h'}}]\n"
		"users: [{name: u, user: {client-certificate-data: aGVsbG8=, client-key-data: ZXhlYy1TRUNSRVQ=}}]\n"
		"contexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n", &e),
		AD_EPARSE);
	assert_non_null(strstr(e.msg, "PEM"));
	/* Anchors and aliases are fine (not expanded, just followed). */
	{
		const char *y =
			"clusters: [{name: c, cluster: &cl {server: 'https://h.example'}}]\n"
			"contexts: [{name: x, context: {cluster: c, user: u}}]\n"
			"users: [{name: u, user: {token: &t exec-SECRET-1}}]\n"
			"current-context: x\n";

		assert_int_equal(kubecfg_from_yaml(y, strlen(y), NULL, &k, &e), 0);
		assert_string_equal(kubecfg_server(k), "https://h.example");
		kubecfg_free(k);
	}
}

static void test_from_arm(void **state)
{
	struct kubecfg *k = NULL;
	struct ad_error e = { 0 };
	size_t len;
	char *json = slurp(data_path("arm-user-credential.json"), &len);

	(void)state;
	assert_int_equal(kubecfg_from_arm(json, len, NULL, &k, &e), 0);
	assert_string_equal(kubecfg_context(k), "myaks");
	assert_string_equal(kubecfg_user(k), "clusterUser_my-rg_myaks");
	assert_int_equal(kubecfg_auth_kind(k), KUBECFG_AUTH_EXEC);
	assert_string_equal(kubecfg_exec_command(k), "kubelogin");
	assert_pem_is(kubecfg_ca_pem(k), "certs/ca.crt");
	kubecfg_free(k);
	free(json);

	json = slurp(data_path("arm-user-credential-azure.json"), &len);
	assert_int_equal(kubecfg_from_arm(json, len, NULL, &k, &e), AD_EUNSUPP);
	assert_non_null(strstr(e.msg, "kubelogin convert-kubeconfig"));
	free(json);

	assert_int_equal(kubecfg_from_arm("{\"kubeconfigs\":[]}", 18, NULL, &k, &e),
			 AD_EPARSE);
	assert_int_equal(kubecfg_from_arm("{\"kubeconfigs\":[{\"value\":\"@@@\"}]}",
					  33, NULL, &k, &e), AD_EPARSE);
	assert_non_null(strstr(e.msg, "base64"));
	assert_int_equal(kubecfg_from_arm("not json", 8, NULL, &k, &e), AD_EPARSE);
	assert_null(k);
}

static void test_aks_guess_hosts(void **state)
{
	static const struct {
		const char *server, *region, *prefix;
		int aks, priv;
	} cases[] = {
		{ "https://myaks-dns-1a2b3c4d.hcp.westeurope.azmk8s.io:443",
		  "westeurope", "myaks-dns", 1, 0 },
		{ "https://prod-aks-0f0f0f0f.7e1d3c9a-2b4f-4e8a-9c6d-1a2b3c4d5e6f.privatelink.eastus2.azmk8s.io:443",
		  "eastus2", "prod-aks", 1, 1 },
		{ "https://cn-12345678.hcp.chinaeast2.cx.prod.service.azk8s.cn:443",
		  "chinaeast2", "cn", 1, 0 },
		{ "https://gov-abcdef01.hcp.usgovvirginia.cx.aks.containerservice.azure.us:443",
		  "usgovvirginia", "gov", 1, 0 },
		{ "https://azmk8s.io", "", "", 0, 0 },
		{ "https://kube.example.com:6443", "", "", 0, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char y[1024];
		struct kubecfg *k = NULL;
		struct ad_error e = { 0 };
		struct kubecfg_aks a;

		snprintf(y, sizeof y,
			 "clusters: [{name: c1, cluster: {server: '%s'}}]\n"
			 "contexts: [{name: x, context: {cluster: c1}}]\n"
			 "current-context: x\n", cases[i].server);
		assert_int_equal(kubecfg_from_yaml(y, strlen(y), NULL, &k, &e), 0);
		assert_int_equal(kubecfg_aks_guess(k, &a), cases[i].aks);
		assert_int_equal(a.private_cluster, cases[i].priv);
		assert_string_equal(a.region, cases[i].region);
		assert_string_equal(a.dns_prefix, cases[i].prefix);
		assert_string_equal(a.cluster, "c1");
		kubecfg_free(k);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aks_admin),
		cmocka_unit_test(test_aks_user_exec_shape),
		cmocka_unit_test(test_token_and_ca_file),
		cmocka_unit_test(test_cert_files_relative),
		cmocka_unit_test(test_token_file),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_broken_yaml),
		cmocka_unit_test(test_broken_fields),
		cmocka_unit_test(test_missing_token_file),
		cmocka_unit_test(test_from_yaml),
		cmocka_unit_test(test_from_arm),
		cmocka_unit_test(test_aks_guess_hosts),
	};

	unsetenv("KUBECONFIG");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
