/* kubecfg_dump.c - print what kubecfg resolved from a kubeconfig, as
 * JSON in the shape of `kubectl config view --minify --raw --flatten
 * -o json`, so a test can compare the two.  Test tool: it prints the
 * credentials of the test fixtures.
 *
 * kubecfg_dump [--context NAME] [--kubeconfig FILE] [--auth]
 * (else KUBECONFIG).  --auth runs an exec plugin too and prints the
 * credential it gave. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "http.h"
#include "kubecfg.h"

static char *b64(const char *s)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(s), o = 0;
	char *out = malloc(n / 3 * 4 + 5);

	if (!out)
		exit(2);
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)s[i] << 16;

		if (i + 1 < n)
			v |= (unsigned char)s[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)s[i + 2];
		out[o++] = tab[(v >> 18) & 63];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? tab[v & 63] : '=';
	}
	out[o] = '\0';
	return out;
}

static void add_b64(cJSON *obj, const char *key, const char *pem)
{
	char *v;

	if (!pem)
		return;
	v = b64(pem);
	cJSON_AddStringToObject(obj, key, v);
	free(v);
}

int main(int argc, char **argv)
{
	const char *context = NULL, *path = NULL;
	int run_auth = 0;
	struct kubecfg *k = NULL;
	struct ad_error e = { 0 };
	struct http_request req = { 0 };
	cJSON *root, *o;
	char *text;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--auth"))
			run_auth = 1;
		else if (!strcmp(argv[i], "--context") && i + 1 < argc)
			context = argv[++i];
		else if (!strcmp(argv[i], "--kubeconfig") && i + 1 < argc)
			path = argv[++i];
	}
	if (kubecfg_load(path, context, &k, &e)) {
		fprintf(stderr, "error: %s\n", e.msg);
		if (e.detail[0])
			fprintf(stderr, "detail: %s\n", e.detail);
		return 1;
	}
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "context", kubecfg_context(k));
	cJSON_AddStringToObject(root, "cluster", kubecfg_cluster(k));
	cJSON_AddStringToObject(root, "user", kubecfg_user(k));
	if (kubecfg_namespace_set(k))
		cJSON_AddStringToObject(root, "namespace", kubecfg_namespace(k));
	cJSON_AddStringToObject(root, "server", kubecfg_server(k));
	add_b64(root, "certificate-authority-data", kubecfg_ca_pem(k));
	o = cJSON_AddObjectToObject(root, "auth");
	if (kubecfg_exec_command(k) && !run_auth) {
		cJSON_AddStringToObject(o, "exec-command", kubecfg_exec_command(k));
	} else if (kubecfg_auth(k, &req, &e) == 0) {
		if (kubecfg_exec_command(k))
			cJSON_AddStringToObject(o, "exec-command",
						kubecfg_exec_command(k));
		add_b64(o, "client-certificate-data", req.client_cert_pem);
		add_b64(o, "client-key-data", req.client_key_pem);
		if (req.bearer)
			cJSON_AddStringToObject(o, "token", req.bearer);
	} else {
		fprintf(stderr, "error: %s\n", e.msg);
		if (e.detail[0])
			fprintf(stderr, "detail: %s\n", e.detail);
		return 1;
	}
	text = cJSON_Print(root);
	puts(text);
	free(text);
	cJSON_Delete(root);
	kubecfg_free(k);
	return 0;
}
