/* context.h - what the user told us about the failing workload.
 *
 * Filled from the command line, the wizard's entry screens or a
 * scenario's "context" object.  Everything else (identities, network
 * layout, node resource group) is discovered by checks from Azure. */
#ifndef AD_CONTEXT_H
#define AD_CONTEXT_H

#include <stddef.h>

struct ad_error;
struct cJSON;

enum ad_target { AD_TARGET_AKS, AD_TARGET_WEBAPP };

enum ad_cloud { AD_CLOUD_PUBLIC, AD_CLOUD_CHINA, AD_CLOUD_USGOV };

struct ad_context {
	enum ad_target target;
	enum ad_cloud cloud;
	char subscription[64];
	char resource_group[96];
	char cluster[64];            /* AKS */
	char webapp[64];             /* App Service */
	char registry[64];           /* registry name, e.g. "acrshop" */
	char registry_group[96];     /* the registry's resource group */
	char namespace_[64];         /* failing pod (AKS) */
	char pod[254];
	char image[512];             /* image reference, if known */
	char message[2048];          /* a pasted event or log line, if any */
	char kube_server[256];       /* https://... of the cluster API */
	char arm[256];               /* ARM endpoint, no trailing slash */
	char graph[256];             /* Microsoft Graph endpoint */
	char acr_suffix[128];        /* login-server suffix of a cloud loaded
				      * from a file; "" = the enum's */
	char cloud_name[64];         /* the name of a cloud loaded from a
				      * file ("AzureStackContoso"); "" = the
				      * enum's */
};

/* Defaults for the cloud: endpoints and login-server suffix. */
void ctx_init(struct ad_context *c, enum ad_target target);
const char *ctx_acr_suffix(enum ad_cloud cloud);      /* "azurecr.io" ... */
const char *ctx_target_str(enum ad_target t);         /* "aks", "webapp" */
int ctx_cloud_parse(const char *s, enum ad_cloud *out);
/* The login-server suffix of c's cloud (a custom cloud's, else the
 * built-in one's). */
const char *ctx_suffix(const struct ad_context *c);
/* "<registry>.<suffix>" into buf. */
void ctx_login_server(const struct ad_context *c, char *buf, unsigned len);

/* Validation of user-typed names (Azure naming rules, bounded). Return 0
 * or AD_EINVAL with a message naming the field. */
int ctx_valid_registry_name(const char *s, struct ad_error *err);
int ctx_valid_k8s_name(const char *field, const char *s, struct ad_error *err);
int ctx_valid_azure_name(const char *field, const char *s, struct ad_error *err);
int ctx_valid_guid(const char *field, const char *s, struct ad_error *err);
/* Quiet forms for values read from servers before they go into a URL,
 * a command or evidence: s is 1..max characters of letters, digits and
 * the characters of extra; s is a GUID. */
int ctx_name_ok(const char *s, const char *extra, size_t max);
int ctx_is_guid(const char *s);

/* Load the scenario "context" object into c (validating every field). */
int ctx_from_json(struct ad_context *c, const struct cJSON *obj,
		  struct ad_error *err);
/* Check every name that will be put into a URL path. */
int ctx_validate(const struct ad_context *c, struct ad_error *err);
/* Write c as a JSON object (for reports); caller frees with cJSON_Delete. */
struct cJSON *ctx_to_json(const struct ad_context *c);

#endif
