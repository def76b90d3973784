/* cred.h - Azure credentials: where tokens come from, per audience.
 *
 * A chain tried in the order of the Azure SDKs' default credential:
 *
 *   1. environment (service principal): AZURE_TENANT_ID, AZURE_CLIENT_ID
 *      and AZURE_CLIENT_SECRET, or AZURE_CLIENT_CERTIFICATE_PATH (a PEM
 *      file with the certificate and its private key; optional
 *      AZURE_CLIENT_CERTIFICATE_PASSWORD for an encrypted key);
 *   2. workload identity: AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID,
 *      AZURE_TENANT_ID (the file is read again for every token);
 *   3. managed identity: IDENTITY_ENDPOINT + IDENTITY_HEADER (App
 *      Service), IDENTITY_ENDPOINT + IMDS_ENDPOINT (Azure Arc: the
 *      endpoint's challenge names a key file the agent wrote), else the
 *      instance metadata service at
 *      AZURE_POD_IDENTITY_AUTHORITY_HOST or http://169.254.169.254 with a
 *      short timeout; AZURE_CLIENT_ID picks a user-assigned identity;
 *   4. the Azure CLI: `az account get-access-token --resource AUD`;
 *   5. device-code sign-in, only when the caller gives a prompt callback
 *      (the wizard).
 *
 * A source that is not configured or not reachable is skipped and the
 * reason remembered (cred_tried).  A source that is configured but
 * refused (a wrong or expired client secret) stops the chain with that
 * error: falling through to another identity would diagnose as someone
 * else.  The first source that gives a token is used from then on.
 *
 * The Entra ID authority comes from the cloud; AZURE_AUTHORITY_HOST
 * overrides it.  AZURE_TOKEN_CREDENTIALS (or cred_opts.only, from
 * --credential) restricts the chain to one source ("environment",
 * "workload", "managed", "cli", "device", or the SDK class names such as
 * "AzureCliCredential") or to "dev" (cli, device) / "prod" (environment,
 * workload, managed).
 *
 * Tokens are kept in memory only, per audience, and fetched again five
 * minutes before they expire.  All calls on one struct cred are
 * thread-safe: a mutex serialises them, so concurrent callers asking for
 * the same audience share one request.  Secrets (client secret, assertion,
 * tokens, refresh token) are never put into an error message and are
 * zeroed when freed. */
#ifndef AD_CRED_H
#define AD_CRED_H

#include <stddef.h>
#include <time.h>
#include "cancel.h"

struct ad_error;
struct cloud;
struct http_transport;
struct cred;

/* The AKS AAD server application: the audience of the token that
 * kubelogin gets for clusters with Entra ID integration. */
#define CRED_RESOURCE_AKS "6dae42f8-4368-4678-94ff-3960e28e3630"

/* Large enough for any Entra access token seen in practice. */
#define CRED_TOKEN_MAX 16384

enum cred_aud {
	CRED_AUD_ARM,      /* Azure Resource Manager */
	CRED_AUD_GRAPH,    /* Microsoft Graph */
	CRED_AUD_REGISTRY, /* what the registry's /oauth2/exchange takes: the
			    * ARM token (same audience, same cached token) */
	CRED_AUD_COUNT
};

enum cred_source {
	CRED_SRC_NONE = -1,
	CRED_SRC_ENV,
	CRED_SRC_WORKLOAD,
	CRED_SRC_MANAGED,
	CRED_SRC_CLI,
	CRED_SRC_DEVICE,
	CRED_SRC_STATIC,
	CRED_SRC_COUNT
};

/* Device-code sign-in: show message (Entra's sentence, which names uri
 * and code; one line, control characters removed) to the user.  Called
 * once per sign-in from the thread that asked for the token, while token
 * requests are held: it must not block for long, and may call
 * cred_source() and cred_tried() but not cred_token*() or cred_forget(). */
typedef void (*cred_prompt_fn)(void *arg, const char *message,
			       const char *uri, const char *code);

struct cred_opts {
	const struct cloud *cloud;        /* required; copied */
	struct http_transport *http;      /* required; borrowed, must outlive
					   * the chain */
	const char *only;                 /* NULL, or as AZURE_TOKEN_CREDENTIALS
					   * (wins over the variable) */
	cred_prompt_fn prompt;            /* NULL: no device-code sign-in */
	void *prompt_arg;
	ad_cancel_flag *cancel;             /* non-zero abandons a device-code
					   * wait and an az run; may be NULL */
	const char *az;                   /* NULL: "az" searched on PATH */
	const char *arc_key_dir;          /* NULL: /var/opt/azcmagent/tokens,
					   * the only place an Azure Arc
					   * challenge may name */
	int az_timeout_ms;                /* 0: 60000 */
	int imds_timeout_ms;              /* 0: 1000 */
	/* Tests: the clock and the sleep between device-code polls. */
	time_t (*now)(void *arg);         /* NULL: time(NULL) */
	void (*sleep_ms)(void *arg, int ms); /* NULL: nanosleep in slices,
					      * checking cancel */
	void *clock_arg;
};

/* Build the chain from the environment (read once, here).  0, or
 * AD_EINVAL when o is incomplete or `only` names no source (err says
 * which names are valid).  No network request is made here. */
int cred_chain_new(const struct cred_opts *o, struct cred **out,
		   struct ad_error *err);

/* A credential that always gives token (copied) for every audience:
 * simulated worlds and tests.  label is shown by cred_source(). */
int cred_static_new(const char *label, const char *token, struct cred **out,
		    struct ad_error *err);

/* Copy a valid access token for aud into buf (NUL-terminated).  buf is
 * the caller's: wipe it with cred_wipe() when done.  0, or negative AD_E*:
 * AD_ENOTFOUND when no source could be used (err lists what was tried),
 * AD_EDENIED when Entra ID refused the credential, AD_ECANCEL, AD_EINVAL
 * when len is too small. */
int cred_token(struct cred *c, enum cred_aud aud, char *buf, size_t len,
	       struct ad_error *err);
/* The same for any resource (audience URI or app id), e.g. the AKS AAD
 * server application for kubelogin-style clusters. */
int cred_token_for(struct cred *c, const char *resource, char *buf,
		   size_t len, struct ad_error *err);

/* The audience URI the chain asks Entra for aud, from the cloud. */
const char *cred_audience(const struct cred *c, enum cred_aud aud);

/* Source in use (after the first successful token), for the wizard and
 * --debug; never waits for a token request in progress: "environment (service principal)", "workload identity",
 * "managed identity", "azure cli", "device code", or the static label;
 * NULL before a source has given a token. */
const char *cred_source(struct cred *c);
enum cred_source cred_source_kind(struct cred *c);
/* Untranslated name of a source kind: "environment (service principal)"... */
const char *cred_source_name(enum cred_source s);

/* One line per tried source: "<source>: <why it was not usable>" (or
 * "in use"), joined with "; ", into buf (always NUL-terminated, cut to
 * len).  Returns the number of sources listed.  Never waits for a token
 * request in progress. */
int cred_tried(struct cred *c, char *buf, size_t len);

/* Forget every cached token, and that no source worked (once no source
 * gave a token, later calls fail at once with the same message until
 * this is called: after `az login` in another terminal, say). */
void cred_forget(struct cred *c);

void cred_free(struct cred *c);

/* Zero memory that held a secret; not optimised away. */
void cred_wipe(void *p, size_t len);

#endif
