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
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "err.h"
#include "http.h"
#include "kubecfg.h"

/* The secrets of the fixtures: never in a message. */
static const char *const secrets[] = {
	"SECRETADMINTOKEN", "tok-SECRET", "file-tok-SECRET", "token-a-SECRET",
	"token-a-from-b-SECRET", "insecure-SECRET", "exec-SECRET",
	"-----BEGIN",
	/* A piece of the test client key, as PEM and as base64 data. */
	"AQQg3yH+RNkeRZq5i1QG", "nlrOFlZcnI2aFJBTkNBQV"
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
	/* A CA file that is not there: named, with the field. */
	assert_int_equal(yaml_err(
		"clusters: [{name: c, cluster: {server: 'https://h', certificate-authority: /nonexistent/kube/ca.crt}}]\n"
		"contexts: [{name: x, context: {cluster: c}}]\ncurrent-context: x\n", &e),
		AD_EIO);
	assert_non_null(strstr(e.msg, "certificate-authority"));
	assert_non_null(strstr(e.msg, "/nonexistent/kube/ca.crt"));
	/* Impersonation and passwords: refused, not silently ignored. */
	assert_int_equal(yaml_err(
		"clusters: [{name: c, cluster: {server: 'https://h'}}]\n"
		"users: [{name: u, user: {token: tok-SECRET-9, as: admin}}]\n"
		"contexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n", &e),
		AD_EUNSUPP);
	assert_non_null(strstr(e.msg, "impersonates"));
	assert_int_equal(yaml_err(
		"clusters: [{name: c, cluster: {server: 'https://h'}}]\n"
		"users: [{name: u, user: {username: bob, password: pw-SECRET}}]\n"
		"contexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n", &e),
		AD_EUNSUPP);
	assert_non_null(strstr(e.msg, "password"));
	assert_null(strstr(e.msg, "pw-SECRET"));
	/* Hostile names: no terminal control reaches a message. */
	{
		const char *y =
			"clusters: [{name: c, cluster: {server: 'https://h'}}]\n"
			"contexts: [{name: \"x\\e[2J\\ey\", context: {cluster: c, user: \"u\\e]0;t\\a\"}}]\n"
			"current-context: \"x\\e[2J\\ey\"\n";

		assert_int_equal(yaml_err(y, &e), AD_ENOTFOUND);
		assert_non_null(strstr(e.msg, "names user"));
		assert_null(strchr(e.msg, '\033'));
		assert_null(strchr(e.msg, '\a'));
		assert_int_equal(kubecfg_from_yaml(y, strlen(y), "nope\033[31m", &k, &e),
				 AD_ENOTFOUND);
		assert_null(strchr(e.msg, '\033'));
		assert_null(strchr(e.detail, '\033'));
		assert_non_null(strstr(e.detail, "contexts: x"));
	}
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

/* ---- exec credential plugins ---------------------------------------- */

struct plug {
	char dir[64];
	char cfg[128];
};

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/* A directory with the plugin script "cred.sh" (body after the #! line)
 * and a kubeconfig whose user runs command with exec_extra lines. */
static void plug_setup(struct plug *p, const char *body, const char *command,
		       const char *api, const char *exec_extra)
{
	char path[256], text[8192];

	snprintf(p->dir, sizeof p->dir, "/tmp/kubecfg-execXXXXXX");
	assert_non_null(mkdtemp(p->dir));
	snprintf(path, sizeof path, "%s/cred.sh", p->dir);
	snprintf(text, sizeof text, "#!/bin/sh\nD=%s\n%s", p->dir, body);
	write_file(path, text, 0755);
	snprintf(p->cfg, sizeof p->cfg, "%s/config", p->dir);
	snprintf(text, sizeof text,
		 "apiVersion: v1\nkind: Config\n"
		 "clusters:\n- name: lab\n  cluster:\n"
		 "    server: https://127.0.0.1:6443\n"
		 "contexts:\n- name: lab\n  context: {cluster: lab, user: me}\n"
		 "current-context: lab\n"
		 "users:\n- name: me\n  user:\n    exec:\n"
		 "      apiVersion: %s\n      command: %s\n"
		 "      args: [get-token, --login, azurecli, 'two words']\n"
		 "      env:\n      - name: PLUGIN_MODE\n        value: test\n"
		 "%s",
		 api, command, exec_extra ? exec_extra : "");
	write_file(p->cfg, text, 0600);
}

static void plug_teardown(struct plug *p)
{
	char cmd[200];

	/* Only the directory this test made. */
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", p->dir);
	assert_int_equal(system(cmd), 0);
}

static int plug_calls(struct plug *p)
{
	char path[256], line[64];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof path, "%s/calls", p->dir);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f))
		n++;
	fclose(f);
	return n;
}

static struct kubecfg *plug_load(struct plug *p)
{
	struct kubecfg *k = NULL;
	struct ad_error e = { 0 };

	if (kubecfg_load(p->cfg, NULL, &k, &e))
		fail_msg("%s (%s)", e.msg, e.detail);
	assert_int_equal(kubecfg_auth_kind(k), KUBECFG_AUTH_EXEC);
	kubecfg_set_exec_timeout(k, 5000);
	return k;
}

#define T0 1767225600    /* 2026-01-01T00:00:00Z */
#define V1 "client.authentication.k8s.io/v1"
#define V1B "client.authentication.k8s.io/v1beta1"

/* Counts its calls, records its arguments and environment, prints a
 * token numbered by the call, valid until 01:00. */
static const char *const counting_plugin =
	"echo call >> \"$D/calls\"\n"
	"n=$(wc -l < \"$D/calls\")\n"
	"printf '%s|' \"$@\" > \"$D/args\"\n"
	"printf '%s' \"$KUBERNETES_EXEC_INFO\" > \"$D/info\"\n"
	"printf '%s' \"$PLUGIN_MODE\" > \"$D/mode\"\n"
	"if [ -t 0 ]; then echo tty > \"$D/stdin\"; else echo notty > \"$D/stdin\"; fi\n"
	"printf '{\"apiVersion\":\"%s\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"exec-SECRET-%s\",\"expirationTimestamp\":\"2026-01-01T01:00:00Z\"}}\\n' \"$API\" \"$n\"\n";

static char *plug_read(struct plug *p, const char *name)
{
	char path[256];

	snprintf(path, sizeof path, "%s/%s", p->dir, name);
	return slurp(path, NULL);
}

static void test_exec_cached_until_expiry(void **state)
{
	struct plug p;
	struct kubecfg *k;
	struct http_request req = { 0 };
	struct ad_error e = { 0 };
	const char *first;
	char body[2048], *s;

	(void)state;
	snprintf(body, sizeof body, "API=%s\n%s", V1, counting_plugin);
	plug_setup(&p, body, "./cred.sh", V1,
		   "      interactiveMode: IfAvailable\n"
		   "      provideClusterInfo: true\n");
	k = plug_load(&p);
	fake_now = T0;
	kubecfg_set_clock(k, fake_clock, NULL);

	assert_int_equal(kubecfg_auth(k, &req, &e), 0);
	assert_string_equal(req.bearer, "exec-SECRET-1");
	assert_int_equal(plug_calls(&p), 1);
	first = req.bearer;
	assert_non_null(strstr(req.auth_label, "cred.sh"));
	assert_null(req.client_cert_pem);

	/* What the plugin saw: its args, the kubeconfig's env, the exec
	 * info with the cluster, and no terminal. */
	s = plug_read(&p, "args");
	assert_string_equal(s, "get-token|--login|azurecli|two words|");
	free(s);
	s = plug_read(&p, "mode");
	assert_string_equal(s, "test");
	free(s);
	s = plug_read(&p, "stdin");
	assert_string_equal(s, "notty\n");
	free(s);
	s = plug_read(&p, "info");
	assert_non_null(strstr(s, "\"kind\":\"ExecCredential\""));
	assert_non_null(strstr(s, "\"apiVersion\":\"" V1 "\""));
	assert_non_null(strstr(s, "\"interactive\":false"));
	assert_non_null(strstr(s, "\"server\":\"https://127.0.0.1:6443\""));
	free(s);

	/* Valid: cached. */
	fake_now = T0 + 1800;
	assert_int_equal(kubecfg_auth(k, &req, &e), 0);
	assert_string_equal(req.bearer, "exec-SECRET-1");
	assert_int_equal(plug_calls(&p), 1);
	/* About to expire: renewed; the old string is still readable. */
	fake_now = T0 + 3600 - 10;
	assert_int_equal(kubecfg_auth(k, &req, &e), 0);
	assert_string_equal(req.bearer, "exec-SECRET-2");
	assert_int_equal(plug_calls(&p), 2);
	assert_string_equal(first, "exec-SECRET-1");
	/* Expired: again. */
	fake_now = T0 + 7200;
	assert_int_equal(kubecfg_auth(k, &req, &e), 0);
	assert_string_equal(req.bearer, "exec-SECRET-3");
	assert_int_equal(plug_calls(&p), 3);
	fake_now = T0 + 7201;
	assert_int_equal(kubecfg_auth(k, &req, &e), 0);
	assert_int_equal(plug_calls(&p), 4);   /* its expiry is long past */
	/* Invalidated (after a 401): again, even with no expiry passed. */
	kubecfg_invalidate(k);
	assert_int_equal(kubecfg_auth(k, &req, &e), 0);
	assert_string_equal(req.bearer, "exec-SECRET-5");
	kubecfg_free(k);
	plug_teardown(&p);
}

struct thr {
	struct kubecfg *k;
	int rc;
	const char *bearer;
};

static void *thr_auth(void *arg)
{
	struct thr *t = arg;
	struct http_request req = { 0 };
	struct ad_error e = { 0 };

	t->rc = kubecfg_auth(t->k, &req, &e);
	t->bearer = req.bearer;
	return NULL;
}

static void test_exec_threads(void **state)
{
	struct plug p;
	struct kubecfg *k;
	struct thr t[6];
	pthread_t tid[6];
	char body[2048];

	(void)state;
	/* v1beta1, found in PATH under the name kubelogin. */
	snprintf(body, sizeof body, "API=%s\n%s", V1B, counting_plugin);
	plug_setup(&p, body, "kubelogin", V1B, NULL);
	{
		char from[256], to[256], path[512];
		const char *old = getenv("PATH");

		snprintf(from, sizeof from, "%s/cred.sh", p.dir);
		snprintf(to, sizeof to, "%s/kubelogin", p.dir);
		assert_int_equal(rename(from, to), 0);
		snprintf(path, sizeof path, "%s:%s", p.dir, old ? old : "/usr/bin:/bin");
		assert_int_equal(setenv("PATH", path, 1), 0);
	}
	k = plug_load(&p);
	assert_string_equal(kubecfg_exec_command(k), "kubelogin");
	fake_now = T0;
	kubecfg_set_clock(k, fake_clock, NULL);
	for (int i = 0; i < 6; i++) {
		t[i].k = k;
		assert_int_equal(pthread_create(&tid[i], NULL, thr_auth, &t[i]), 0);
	}
	for (int i = 0; i < 6; i++) {
		assert_int_equal(pthread_join(tid[i], NULL), 0);
		assert_int_equal(t[i].rc, 0);
		assert_string_equal(t[i].bearer, "exec-SECRET-1");
	}
	assert_int_equal(plug_calls(&p), 1);
	kubecfg_free(k);
	{
		/* PATH back: drop our directory again. */
		const char *cur = getenv("PATH");
		const char *rest = strchr(cur, ':');

		setenv("PATH", rest ? rest + 1 : "/usr/bin:/bin", 1);
	}
	plug_teardown(&p);
}

static void test_exec_client_cert(void **state)
{
	struct plug p;
	struct kubecfg *k;
	struct http_request req = { 0 };
	struct ad_error e = { 0 };
	char body[4096];

	(void)state;
	/* PEM in JSON: newlines as \n; no expiry: cached until invalidated. */
	snprintf(body, sizeof body,
		 "echo call >> \"$D/calls\"\n"
		 "cert=$(awk '{printf \"%%s\\\\n\", $0}' '%s')\n"
		 "key=$(awk '{printf \"%%s\\\\n\", $0}' '%s')\n"
		 "printf '{\"apiVersion\":\"%s\",\"kind\":\"ExecCredential\",\"status\":{\"clientCertificateData\":\"%%s\",\"clientKeyData\":\"%%s\"}}' \"$cert\" \"$key\"\n",
		 data_path("certs/client.crt"), data_path("certs/client.key"), V1);
	plug_setup(&p, body, "./cred.sh", V1, "      interactiveMode: Never\n");
	k = plug_load(&p);
	fake_now = T0;
	kubecfg_set_clock(k, fake_clock, NULL);
	if (kubecfg_auth(k, &req, &e))
		fail_msg("%s (%s)", e.msg, e.detail);
	assert_pem_is(req.client_cert_pem, "certs/client.crt");
	assert_pem_is(req.client_key_pem, "certs/client.key");
	assert_null(req.bearer);
	fake_now = T0 + 86400 * 30;
	assert_int_equal(kubecfg_auth(k, &req, &e), 0);
	assert_int_equal(plug_calls(&p), 1);
	kubecfg_free(k);
	plug_teardown(&p);
}

/* One plugin run that must fail with code; its message must contain
 * want (and detail want_detail when not NULL). */
static void exec_fails(const char *body, const char *api, const char *extra,
		       int timeout_ms, int code, const char *want,
		       const char *want_detail, struct ad_error *e)
{
	struct plug p;
	struct kubecfg *k;
	struct http_request req = { 0 };

	plug_setup(&p, body, "./cred.sh", api, extra);
	k = plug_load(&p);
	kubecfg_set_exec_timeout(k, timeout_ms);
	memset(e, 0, sizeof *e);
	assert_int_equal(kubecfg_auth(k, &req, e), code);
	assert_null(req.bearer);
	if (!strstr(e->msg, want))
		fail_msg("\"%s\" not in \"%s\"", want, e->msg);
	if (want_detail && !strstr(e->detail, want_detail))
		fail_msg("\"%s\" not in detail \"%s\"", want_detail, e->detail);
	assert_clean(e);
	assert_null(strchr(e->detail, '\033'));
	assert_null(strchr(e->msg, '\n'));
	assert_null(strchr(e->detail, '\n'));
	kubecfg_free(k);
	plug_teardown(&p);
}

static void test_exec_failures(void **state)
{
	struct ad_error e;
	const char *ib = "      interactiveMode: IfAvailable\n";

	(void)state;
	/* Fails: the reason shown, one line, no escapes, no token. */
	exec_fails("printf '\\033[31mError: AADSTS70043: The refresh token has expired.\\033[0m\\n"
		   "token eyJhbGciOiJSUzI1NiJ9.exec-SECRET-in-stderr.abcdefghijklmnop\\n' >&2\n"
		   "exit 1\n", V1, ib, 5000, AD_EIO, "exit status 1",
		   "AADSTS70043", &e);
	assert_non_null(strstr(e.detail, "[redacted]"));
	/* Garbage, JSON of the wrong kind, the wrong apiVersion, no
	 * credential, a bad expiry. */
	exec_fails("echo 'hello, I am not JSON'\n", V1, ib, 5000, AD_EPARSE,
		   "not an ExecCredential", NULL, &e);
	exec_fails("echo '{\"kind\":\"Pod\",\"apiVersion\":\"v1\"}'\n", V1, ib,
		   5000, AD_EPARSE, "not an ExecCredential", NULL, &e);
	exec_fails("echo '{\"kind\":\"ExecCredential\",\"apiVersion\":\"" V1B
		   "\",\"status\":{\"token\":\"exec-SECRET-x\"}}'\n", V1, ib, 5000,
		   AD_EPARSE, "apiVersion", NULL, &e);
	exec_fails("echo '{\"kind\":\"ExecCredential\",\"apiVersion\":\"" V1
		   "\",\"status\":{}}'\n", V1, ib, 5000, AD_EPARSE,
		   "neither a token", NULL, &e);
	exec_fails("echo '{\"kind\":\"ExecCredential\",\"apiVersion\":\"" V1
		   "\",\"status\":{\"token\":\"exec-SECRET-y\",\"expirationTimestamp\":\"tomorrow\"}}'\n",
		   V1, ib, 5000, AD_EPARSE, "RFC 3339", NULL, &e);
	/* Hangs: stopped at the bound, not at the end of its sleep. */
	{
		time_t start = time(NULL);

		exec_fails("sleep 30\n", V1, ib, 300, AD_ETIMEOUT,
			   "did not finish", NULL, &e);
		assert_int_equal(e.net, AD_NET_TIMEOUT);
		/* Exits having printed, but leaves a helper holding stdout. */
		exec_fails("sleep 30 &\necho '{}'\nexit 0\n", V1, ib, 300,
			   AD_ETIMEOUT, "did not finish", NULL, &e);
		/* Closes its output, then does not exit. */
		exec_fails("exec >&- 2>&-\nsleep 30\n", V1, ib, 300,
			   AD_ETIMEOUT, "did not finish", NULL, &e);
		assert_true(time(NULL) - start < 10);
	}
	/* Killed by a signal. */
	exec_fails("kill -9 $$\n", V1, ib, 5000, AD_EIO, "signal 9", NULL, &e);
	/* Not executable. */
	{
		struct plug p;
		struct kubecfg *k;
		struct http_request req = { 0 };
		char path[256];

		plug_setup(&p, "exit 0\n", "./cred.sh", V1, ib);
		snprintf(path, sizeof path, "%s/cred.sh", p.dir);
		assert_int_equal(chmod(path, 0644), 0);
		k = plug_load(&p);
		assert_int_equal(kubecfg_auth(k, &req, &e), AD_EIO);
		assert_non_null(strstr(e.msg, "could not be started"));
		kubecfg_free(k);
		plug_teardown(&p);
	}
	/* interactiveMode Always: acr-doctor has no terminal to give. */
	exec_fails("exit 0\n", V1, "      interactiveMode: Always\n", 5000,
		   AD_EUNSUPP, "interactiveMode: Always", NULL, &e);
}

static void test_exec_missing(void **state)
{
	struct kubecfg *k = load_ok("aks-user-kubelogin.yaml", NULL);
	struct http_request req = { 0 };
	struct ad_error e = { 0 };
	const char *old = getenv("PATH");
	char *saved = strdup(old ? old : "/usr/bin:/bin");
	char dir[] = "/tmp/kubecfg-emptyXXXXXX";

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(setenv("PATH", dir, 1), 0);
	assert_int_equal(kubecfg_auth(k, &req, &e), AD_ENOTFOUND);
	assert_non_null(strstr(e.msg, "kubelogin is not installed"));
	assert_non_null(strstr(e.detail, "https://aka.ms/aks/kubelogin"));
	assert_null(strchr(e.detail, '\n'));
	setenv("PATH", saved, 1);
	free(saved);
	rmdir(dir);
	kubecfg_free(k);
}

static void test_exec_bad_sections(void **state)
{
	struct ad_error e;

	(void)state;
	/* v1 without interactiveMode, an unknown apiVersion, no command. */
	assert_int_equal(yaml_err(
		"clusters: [{name: c, cluster: {server: 'https://h'}}]\n"
		"users: [{name: u, user: {exec: {apiVersion: " V1 ", command: x}}}]\n"
		"contexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n", &e),
		AD_EPARSE);
	assert_non_null(strstr(e.msg, "interactiveMode"));
	assert_int_equal(yaml_err(
		"clusters: [{name: c, cluster: {server: 'https://h'}}]\n"
		"users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1alpha1, command: x}}}]\n"
		"contexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n", &e),
		AD_EUNSUPP);
	assert_non_null(strstr(e.msg, "v1alpha1"));
	assert_int_equal(yaml_err(
		"clusters: [{name: c, cluster: {server: 'https://h'}}]\n"
		"users: [{name: u, user: {exec: {apiVersion: " V1B "}}}]\n"
		"contexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n", &e),
		AD_EPARSE);
	assert_non_null(strstr(e.msg, "no command"));
	assert_int_equal(yaml_err(
		"clusters: [{name: c, cluster: {server: 'https://h'}}]\n"
		"users: [{name: u, user: {exec: {apiVersion: " V1B ", command: x, args: {a: b}}}}]\n"
		"contexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n", &e),
		AD_EPARSE);
	assert_int_equal(yaml_err(
		"clusters: [{name: c, cluster: {server: 'https://h'}}]\n"
		"users: [{name: u, user: {exec: {apiVersion: " V1B ", command: x, env: [{name: A}]}}}]\n"
		"contexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n", &e),
		AD_EPARSE);
}

struct lines {
	char text[8][512];
	int n;
};

static void on_line(void *arg, const char *line)
{
	struct lines *l = arg;

	if (l->n < 8)
		snprintf(l->text[l->n++], sizeof l->text[0], "%s", line);
}

/* A device-code sign-in: the prompt reaches the caller line by line
 * while the plugin waits, and is in the detail when it times out. */
static void test_exec_plugin_output(void **state)
{
	struct plug p;
	struct kubecfg *k;
	struct http_request req = { 0 };
	struct ad_error e = { 0 };
	struct lines l = { .n = 0 };

	(void)state;
	plug_setup(&p,
		   "printf '\\033[1mTo sign in, use a web browser to open the page "
		   "https://microsoft.com/devicelogin and enter the code ABCD1234 to authenticate.\\033[0m\\n' >&2\n"
		   "printf 'waiting' >&2\n"
		   "sleep 30\n", "./cred.sh", V1B, NULL);
	k = plug_load(&p);
	kubecfg_set_exec_timeout(k, 400);
	kubecfg_set_plugin_output(k, on_line, &l);
	assert_int_equal(kubecfg_auth(k, &req, &e), AD_ETIMEOUT);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.text[0],
			    "To sign in, use a web browser to open the page "
			    "https://microsoft.com/devicelogin and enter the code "
			    "ABCD1234 to authenticate.");
	assert_string_equal(l.text[1], "waiting");
	assert_non_null(strstr(e.detail, "enter the code ABCD1234"));
	assert_null(strchr(e.detail, '\033'));
	kubecfg_free(k);
	plug_teardown(&p);
}

struct canceller {
	struct plug *p;
	ad_cancel_flag *flag;
};

static void *cancel_when_started(void *arg)
{
	struct canceller *c = arg;
	char path[256];
	struct timespec ts = { 0, 5 * 1000000L };

	snprintf(path, sizeof path, "%s/started", c->p->dir);
	for (int i = 0; i < 2000 && access(path, F_OK) != 0; i++)
		nanosleep(&ts, NULL);
	ad_cancel_set(c->flag);
	return NULL;
}

static void test_exec_cancel(void **state)
{
	struct plug p;
	struct kubecfg *k;
	struct http_request req = { 0 };
	struct ad_error e = { 0 };
	ad_cancel_flag flag = 0;
	struct canceller c = { &p, &flag };
	pthread_t tid;
	time_t start = time(NULL);

	(void)state;
	plug_setup(&p, "touch \"$D/started\"\nsleep 30\n", "./cred.sh", V1,
		   "      interactiveMode: IfAvailable\n");
	k = plug_load(&p);
	kubecfg_set_exec_timeout(k, 20000);
	kubecfg_set_cancel(k, &flag);
	assert_int_equal(pthread_create(&tid, NULL, cancel_when_started, &c), 0);
	assert_int_equal(kubecfg_auth(k, &req, &e), AD_ECANCEL);
	assert_int_equal(pthread_join(tid, NULL), 0);
	assert_true(time(NULL) - start < 10);
	kubecfg_free(k);
	plug_teardown(&p);
}

/* Mutated kubeconfigs (fixed seed): every one loads or fails with a
 * message, never crashes, never shows a secret. */
static void test_mutations(void **state)
{
	static const char *const files[] = {
		"aks-admin.yaml", "aks-user-kubelogin.yaml", "token.yaml",
		"merge-a.yaml", "broken-missing.yaml"
	};
	static const char alphabet[] = ":-[]{}&*!|>'\"#\n \t,?%@`\\=~0x";
	unsigned seed = 20261203;
	int loaded = 0, refused = 0;

	(void)state;
	for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
		size_t len;
		char *orig = slurp(data_path(files[f]), &len);
		char *buf = malloc(len + 1);

		assert_non_null(buf);
		assert_true(len > 0);
		for (int round = 0; round < 400; round++) {
			struct kubecfg *k = NULL;
			struct ad_error e = { 0 };
			int edits = 1 + (int)(rand_r(&seed) % 4), rc;

			memcpy(buf, orig, len + 1);
			for (int i = 0; i < edits; i++) {
				size_t at = (size_t)rand_r(&seed) % len;

				buf[at] = alphabet[(size_t)rand_r(&seed) %
						   (sizeof alphabet - 1)];
			}
			rc = kubecfg_from_yaml(buf, len, NULL, &k, &e);
			if (rc == 0) {
				assert_non_null(k);
				assert_non_null(kubecfg_server(k));
				loaded++;
				kubecfg_free(k);
			} else {
				assert_null(k);
				assert_true(e.msg[0] != '\0');
				assert_clean(&e);
				refused++;
			}
		}
		free(buf);
		free(orig);
	}
	/* Both outcomes happen: the mutations are neither all fatal nor
	 * all harmless. */
	assert_true(loaded > 50);
	assert_true(refused > 50);
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
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_exec_cached_until_expiry),
		cmocka_unit_test(test_exec_threads),
		cmocka_unit_test(test_exec_client_cert),
		cmocka_unit_test(test_exec_failures),
		cmocka_unit_test(test_exec_missing),
		cmocka_unit_test(test_exec_bad_sections),
		cmocka_unit_test(test_exec_cancel),
		cmocka_unit_test(test_exec_plugin_output),
	};

	unsetenv("KUBECONFIG");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
