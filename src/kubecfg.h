/* kubecfg.h - the Kubernetes API endpoint and credentials of one
 * kubeconfig context.
 *
 * Reads kubeconfig files the way kubectl does (KUBECONFIG, a colon list
 * merged so that the first file that sets a name wins, else
 * ~/.kube/config; or one explicit file), or kubeconfig text held in
 * memory (the base64 YAML of ARM's listClusterUserCredential), with
 * libyaml.  One context is resolved at load time: its cluster (server,
 * CA) and user (client certificate and key, bearer token, token file, or
 * an exec credential plugin such as kubelogin).  kubecfg_auth() then fills
 * the TLS and auth fields of a struct http_request for that cluster.
 *
 * TLS verification is always on: a kubeconfig that asks to skip it is
 * refused.  Secrets (tokens, private keys) are never put in an error
 * message and are zeroed when freed.  Every string returned stays valid,
 * unchanged, until kubecfg_free(). */
#ifndef AD_KUBECFG_H
#define AD_KUBECFG_H

#include <stddef.h>
#include <time.h>
#include "cancel.h"

struct ad_error;
struct http_request;

struct kubecfg;

/* Load the kubeconfig and resolve one context.  path NULL: $KUBECONFIG
 * (a ':'-separated list; files that do not exist are skipped, as kubectl
 * does), else ~/.kube/config.  context NULL or "": current-context.
 * Relative file names inside a file are relative to that file's
 * directory.  0 or a negative AD_E* with err filled (AD_ENOTFOUND: no
 * kubeconfig, or no such context/cluster/user; AD_EPARSE: bad YAML or a
 * bad field, with file, line and column; AD_EIO: a file could not be
 * read; AD_EUNSUPP: insecure-skip-tls-verify, auth-provider). */
int kubecfg_load(const char *path, const char *context,
		 struct kubecfg **out, struct ad_error *err);
/* The same from kubeconfig YAML text in memory.  File references in it
 * must be absolute (there is no directory to be relative to). */
int kubecfg_from_yaml(const char *yaml, size_t len, const char *context,
		      struct kubecfg **out, struct ad_error *err);
/* From the body of ARM's managedClusters/listClusterUserCredential (or
 * listClusterAdminCredential): {"kubeconfigs":[{"name":"clusterUser",
 * "value":"<base64 YAML>"}]}.  The first entry is used.  Ask ARM with
 * ?format=exec for AAD clusters: the older "azure" format uses the
 * auth-provider, which is refused. */
int kubecfg_from_arm(const char *json, size_t len, const char *context,
		     struct kubecfg **out, struct ad_error *err);
void kubecfg_free(struct kubecfg *k);

/* The resolved context.  Names are as the file writes them: untrusted
 * text (sanitize before showing, validate before putting in a URL). */
const char *kubecfg_context(const struct kubecfg *k);
const char *kubecfg_cluster(const struct kubecfg *k);    /* cluster entry name */
const char *kubecfg_user(const struct kubecfg *k);       /* user entry name */
/* The context's namespace; "default" when the context sets none. */
const char *kubecfg_namespace(const struct kubecfg *k);
/* 1 when the context names a namespace itself. */
int kubecfg_namespace_set(const struct kubecfg *k);
/* https://host[:port][/path], validated; no trailing '/'. */
const char *kubecfg_server(const struct kubecfg *k);
/* The server's host name (no port, no brackets). */
const char *kubecfg_server_host(const struct kubecfg *k);
/* The cluster CA as PEM; NULL when the kubeconfig names none (the
 * system bundle applies). */
const char *kubecfg_ca_pem(const struct kubecfg *k);
/* Where the configuration came from: a file name, or "(memory)". */
const char *kubecfg_source(const struct kubecfg *k);

enum kubecfg_auth_kind {
	KUBECFG_AUTH_NONE = 0,      /* anonymous */
	KUBECFG_AUTH_CERT,          /* client certificate only */
	KUBECFG_AUTH_TOKEN,         /* bearer token (maybe with a certificate);
				     * beside an exec section it wins, as in
				     * kubectl */
	KUBECFG_AUTH_TOKEN_FILE,    /* bearer token read from tokenFile */
	KUBECFG_AUTH_EXEC           /* exec credential plugin */
};
enum kubecfg_auth_kind kubecfg_auth_kind(const struct kubecfg *k);
/* The exec plugin's command as written in the kubeconfig ("kubelogin"),
 * NULL when the user has no exec section. */
const char *kubecfg_exec_command(const struct kubecfg *k);

/* Every context name in the merged configuration, in file order, and
 * the cluster it points at (for a pick list).  i < kubecfg_ncontexts(). */
size_t kubecfg_ncontexts(const struct kubecfg *k);
const char *kubecfg_context_at(const struct kubecfg *k, size_t i);
const char *kubecfg_context_cluster_at(const struct kubecfg *k, size_t i);

/* What the context tells about an AKS cluster.  `az aks get-credentials`
 * names the cluster entry after the AKS cluster and the user
 * clusterUser_<group>_<cluster> (clusterAdmin_ with --admin); the API
 * server is <dnsprefix>-<hash>.hcp.<region>.azmk8s.io, or
 * <dnsprefix>-<hash>.<guid>.privatelink.<region>.azmk8s.io for a private
 * cluster (other clouds: their own suffix).  Fields not found are "". */
struct kubecfg_aks {
	int looks_aks;             /* the server host has an AKS suffix */
	int private_cluster;       /* privatelink host */
	char cluster[128];         /* the kubeconfig's cluster name */
	char resource_group[128];  /* from the user name, when it has the shape */
	char dns_prefix[128];
	char region[64];
	char host[256];
};
/* Fill out; 1 when the server host looks like AKS, else 0 (cluster and
 * host are filled anyway). */
int kubecfg_aks_guess(const struct kubecfg *k, struct kubecfg_aks *out);

/* Fill req->ca_pem, client_cert_pem, client_key_pem, bearer and
 * auth_label for this cluster; the request borrows strings owned by k
 * (valid until kubecfg_free).  Runs the exec plugin when there is no
 * cached credential or it has expired; re-reads tokenFile at most once a
 * minute.  Safe to call from several threads at once.  0 or a negative
 * AD_E* (the plugin is missing, failed, timed out or printed no usable
 * ExecCredential; tokenFile unreadable). */
int kubecfg_auth(struct kubecfg *k, struct http_request *req,
		 struct ad_error *err);
/* Drop the cached exec/tokenFile credential, so the next kubecfg_auth()
 * fetches a new one: after a 401 from the API server, invalidate, fill
 * the request again and retry once (what kubectl does). */
void kubecfg_invalidate(struct kubecfg *k);
/* The same, only when token is still the current credential's (NULL:
 * always): several requests refused with one token renew it once. */
void kubecfg_invalidate_token(struct kubecfg *k, const char *token);

/* Tests and callers with their own clock: now() replaces time(NULL) for
 * credential expiry. */
void kubecfg_set_clock(struct kubecfg *k, time_t (*now)(void *arg),
		       void *arg);
/* Upper bound for one exec plugin run, in milliseconds (default 60000:
 * kubelogin in azurecli mode runs az, which takes seconds). */
void kubecfg_set_exec_timeout(struct kubecfg *k, int ms);
/* Abandon a running plugin when *cancel becomes non-zero (AD_ECANCEL). */
void kubecfg_set_cancel(struct kubecfg *k, ad_cancel_flag *cancel);
/* Each line the plugin writes to stderr (kubelogin's device-code
 * prompt, "To sign in, use a web browser to open..."), one line,
 * printable ASCII, token-like runs redacted, passed to line() as it
 * arrives, from the thread that called kubecfg_auth().  NULL: kept only
 * for the error detail. */
void kubecfg_set_plugin_output(struct kubecfg *k,
			       void (*line)(void *arg, const char *text),
			       void *arg);

#endif
