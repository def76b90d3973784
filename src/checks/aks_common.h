/* aks_common.h - what the AKS checks share with the App Service path
 * (the registry-health check; a username and password asked at the
 * registry; a service principal's client secrets in Graph), and the
 * helpers the AKS checks and fixes share: reading the cluster, the
 * registry, the failing pod and its owner, each validated before it goes
 * into a URL or a command. */
#ifndef AD_CHECKS_AKS_COMMON_H
#define AD_CHECKS_AKS_COMMON_H

#include <stddef.h>
#include <time.h>

#include "facts.h"   /* enum reg_cred_from */

struct facts;
struct check_result;
struct cJSON;
struct ad_error;
struct ad_context;
struct probe_dns;

/* Registry health: the registry resource's provisioningState is Succeeded
 * and https://<loginServer>/v2/ answers (401 with a Bearer challenge, or
 * 200).  Fails when the registry is not Succeeded, /v2/ answers 5xx or the
 * login server does not resolve; unknown when ARM cannot be read.  This is
 * the body of the aks.health check (res zeroed, evidence allocated, as a
 * check_def run function expects).  Returns 0 or AD_ENOMEM. */
int check_registry_health(struct facts *f, struct check_result *res);

/* ---------- helpers of the AKS checks and fixes ---------- */

/* A name safe in a URL path or a command: [A-Za-z0-9._-], 1..max. */
int aks_name_ok(const char *s, size_t max);
/* An ARM resource id safe to GET and to put into a command:
 * "/subscriptions/..." of [A-Za-z0-9/._-] (no query, spaces, quotes,
 * parentheses or ".."), at most 400 characters. */
int aks_id_ok(const char *id);
/* Copy untrusted text for evidence: valid UTF-8, control characters
 * become spaces, secrets masked (redact.h), at most len-1 bytes cut on a
 * character boundary. */
void aks_clean_text(char *dst, size_t len, const char *src);

/* GET the cluster (cached). */
int aks_cluster(struct facts *f, const struct cJSON **out,
		struct ad_error *err);
/* GET the registry (cached) and its login server (properties.loginServer
 * when it is a valid host name, else <registry>.<cloud suffix>). */
int aks_registry(struct facts *f, const struct cJSON **out, char *login,
		 size_t len, struct ad_error *err);
/* The login server without asking ARM when it cannot be read. */
void aks_login_server(struct facts *f, char *login, size_t len);
/* GET the failing pod (AD_EINVAL when the context names none). */
int aks_pod(struct facts *f, const struct cJSON **out, struct ad_error *err);
/* GET the events of the pod's namespace (all of them: aks.qps looks at
 * the pod's siblings too). */
int aks_events(struct facts *f, const struct cJSON **out,
	       struct ad_error *err);
/* The registry's private endpoint connections ({"value":[...]}). */
int aks_registry_pecs(struct facts *f, struct cJSON **out,
		      struct ad_error *err);
/* The subscription's Azure Firewalls ({"value":[...]}). */
int aks_firewalls(struct facts *f, struct cJSON **out, struct ad_error *err);
/* A firewall policy (pid: its id, checked by the caller) and its rule
 * collection groups ({"value":[...]}); AD_EINVAL for an id too long. */
int aks_firewall_policy(struct facts *f, const char *pid, struct cJSON **pol,
			struct cJSON **groups, struct ad_error *err);
struct azfw_rules;
/* The rules of fw (an azureFirewalls resource) as azfw_evaluate reads
 * them: its policy and the policy's ancestors, the topmost first, with
 * their rule collection groups, and the IP groups the rules name, as
 * far as they can be read (one that cannot be read is left out, so the
 * rule naming it is not judged).  ids (AZFW_MAX_LAYERS, or NULL) get
 * the policies' ids in the same order.  With ipgroups 0 the IP groups
 * are not read (rs has none).  The JSON is the facts cache's.
 * 0, or AD_E* with err saying which policy could not be read or why
 * the chain cannot be followed (a loop, too many ancestors). */
int aks_firewall_rules(struct facts *f, const struct cJSON *fw, int ipgroups,
		       struct azfw_rules *rs, const char **ids,
		       struct ad_error *err);
/* 1 when a pull-failure event of the failing pod names the address a
 * registry firewall saw ("client with IP '...' is not allowed access"):
 * ip (16 bytes) gets the newest one's; 0 with ip "" when no pod is named,
 * the events cannot be read or none names one. */
int aks_pod_refusal(struct facts *f, char ip[16]);
/* The image that fails: the context's image when given, else the image
 * of the first container waiting on a pull, else the first container's.
 * container gets the container's name ("" when not from the pod).
 * 0, or AD_ENOTFOUND when there is none. */
int aks_pod_image(const struct ad_context *ctx, const struct cJSON *pod,
		  char *image, size_t ilen, char *container, size_t clen);

/* The workload that owns the pod, followed up the controller chain
 * (ReplicaSet -> Deployment, Job -> CronJob). */
struct aks_owner {
	char kind[32];           /* "Deployment", "StatefulSet", ... "Pod" */
	char name[254];
	char path[640];          /* Kubernetes API path of the object */
	char kubectl[32];        /* "deployment", "cronjob", ... */
	const char *tmpl;        /* "spec.template", or
				  * "spec.jobTemplate.spec.template" */
	int patchable;           /* 0: a bare pod or a Job (template is
				  * immutable) */
	const struct cJSON *obj; /* the object (cache-owned), NULL for Pod */
};
/* 0, or negative AD_E* when an owner could not be read. */
int aks_pod_owner(struct facts *f, const struct cJSON *pod,
		  struct aks_owner *o, struct ad_error *err);
/* Look for pass among the passwords of a registry's listCredentials
 * answer (compared, never copied).  Returns how many passwords it holds;
 * *match is the matching entry or NULL (also when pass is NULL), *first
 * the first password's value or NULL. */
int aks_admin_password_find(const struct cJSON *creds, const char *pass,
			    const struct cJSON **match, const char **first);

/* The pod spec of the owner's template (or of the pod itself). */
const struct cJSON *aks_owner_spec(const struct aks_owner *o,
				   const struct cJSON *pod);

/* Evidence of a test run from a node: which node ("node") and, when the
 * probe has one, the command a person would type for the same test
 * ("nodeCommands": ssh ... nslookup NAME, ssh ... nc -vz IP 443).  what,
 * arg and port as probe_command().  0, or AD_ENOMEM. */
int aks_node_evidence(struct facts *f, struct check_result *res,
		      const char *what, const char *arg, int port);
/* What a live probe learns of a DNS answer beyond its addresses: the
 * CNAME chain ("cnameChain"), whether it passes through a privatelink
 * zone ("viaPrivatelink"), the resolver and the tool ("resolver").
 * Nothing when the probe did not learn them.  0, or AD_ENOMEM. */
int aks_dns_evidence(struct check_result *res, const struct probe_dns *dns);

/* An ISO 8601 UTC time, "2025-01-08T09:12:51Z". */
void aks_format_time(time_t t, char *buf, size_t len);
/* Client secrets by their end dates. */
struct aks_cred_count {
	int valid, expired, unreadable, total;
	char latest[40];   /* latest end date seen */
};
/* Count obj.passwordCredentials[].endDateTime against now into cc (added
 * to what it holds); the end dates into evidence list key.  0, or
 * AD_ENOMEM. */
int aks_count_creds(const struct cJSON *obj, time_t now,
		    struct check_result *res, const char *key,
		    struct aks_cred_count *cc);
/* What Microsoft Graph says of the client secrets of the service
 * principal of application app_id (a GUID): its own passwordCredentials,
 * or, when it has none, its application's (where az ad sp
 * create-for-rbac puts them).  End dates go to evidence
 * "credentialEndDates", the counts to "validCredentials" and
 * "expiredCredentials".  0 with cc filled; AD_ENOTFOUND with *app 0 when
 * there is no such service principal; another error (err filled, *app 1
 * when it was the application that could not be read) when Graph could
 * not tell; AD_ENOMEM. */
int aks_sp_creds(struct facts *f, struct check_result *res,
		 const char *app_id, time_t now, struct aks_cred_count *cc,
		 int *app, struct ad_error *err);

/* What a registry said to a username and password (aks_registry_login). */
enum aks_reg_says { AKS_REG_ACCEPTED, AKS_REG_REFUSED, AKS_REG_UNASKED };
/* Ask the registry at login what a puller asks it with user and password
 * (facts: reg_basic_login; repo NULL or "": no scope).  The answer goes
 * to evidence "registryAnswer" and, as a sentence naming whose
 * credentials they are (whose: "pull secret acr-pull", "the app settings
 * of app-shop"), into said; *says is the answer, AKS_REG_UNASKED when the
 * registry could not be asked.  The password is only sent, never copied:
 * the caller wipes it.  0, or AD_ENOMEM. */
int aks_registry_login(struct facts *f, struct check_result *res,
		       const char *login, const char *repo,
		       enum reg_cred_from from, const char *user,
		       const char *password, const char *whose, char *said,
		       size_t slen, enum aks_reg_says *says);
/* A verdict from ARM or Graph alone says the registry was not asked:
 * appended to res->summary. */
void aks_note_unasked(struct check_result *res);

#endif
