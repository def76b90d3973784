/* cloud.h - which Azure cloud: its endpoints, token audiences and suffixes.
 *
 * The three built-in clouds (AzureCloud, AzureChinaCloud,
 * AzureUSGovernment; also "public", "china", "usgov" as the scenario
 * files spell them) or any cloud described by a JSON file in the shape
 * `az cloud show` prints:
 *
 *   {"name": "MyCloud",
 *    "endpoints": {"activeDirectory": "https://login.example",
 *                  "activeDirectoryResourceId": "https://management.example/",
 *                  "resourceManager": "https://management.example/",
 *                  "microsoftGraphResourceId": "https://graph.example/", ...},
 *    "suffixes": {"acrLoginServerEndpoint": ".azurecr.example", ...}}
 *
 * Required: name, endpoints.activeDirectory, endpoints.resourceManager,
 * suffixes.acrLoginServerEndpoint.  activeDirectoryResourceId defaults to
 * resourceManager; without microsoftGraphResourceId the cloud has no
 * Graph (graph[] is empty and Graph reads say unknown).  Every URL must
 * be https://host[:port][/path], bounded; other members are ignored. */
#ifndef AD_CLOUD_H
#define AD_CLOUD_H

#include <stddef.h>

struct ad_error;

#define CLOUD_URL_MAX 256

struct cloud {
	char name[64];                    /* "AzureCloud" */
	char arm[CLOUD_URL_MAX];          /* resource manager, no trailing '/' */
	char arm_audience[CLOUD_URL_MAX]; /* token resource for ARM, as given */
	char authority[CLOUD_URL_MAX];    /* Entra ID host, no trailing '/' */
	char graph[CLOUD_URL_MAX];        /* Microsoft Graph, no trailing '/';
					   * "" when the cloud has none */
	char graph_audience[CLOUD_URL_MAX]; /* token resource for Graph */
	char acr_suffix[128];             /* "azurecr.io", no leading '.' */
};

/* Fill out with a built-in cloud by name (case-insensitive; aliases
 * public, china, usgov).  0, or AD_ENOTFOUND (err not filled). */
int cloud_builtin(const char *name, struct cloud *out);

/* A built-in name, or else a path to an `az cloud show` JSON file (read
 * at most 64 KiB).  0 or negative AD_E* with err naming the file and the
 * field at fault. */
int cloud_load(const char *name_or_file, struct cloud *out,
	       struct ad_error *err);

/* Parse `az cloud show` JSON text of len bytes.  origin names the text
 * in messages (a file name). */
int cloud_from_json(const char *text, size_t len, const char *origin,
		    struct cloud *out, struct ad_error *err);

/* The cloud the user chose: opt (--cloud NAME|FILE) when not NULL/empty,
 * else $AZURE_CLOUD when set and not empty, else AzureCloud. */
int cloud_select(const char *opt, struct cloud *out, struct ad_error *err);

/* 1 when url is https://host[:port][/path] with a host of letters,
 * digits, '.' and '-', a port 1-65535, no user part, query, fragment,
 * space or control character, and shorter than CLOUD_URL_MAX. */
int cloud_url_ok(const char *url);

/* The short name the scenario files and the context use: "public",
 * "china", "usgov" for the built-in clouds, NULL for any other. */
const char *cloud_short_name(const struct cloud *c);

#endif
