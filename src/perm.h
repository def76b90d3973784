/* perm.h - may the caller do this?  What ARM says the signed-in
 * identity may do on a scope (GET {scope}/providers/Microsoft.Authorization/
 * permissions: actions and notActions with '*' wildcards), held against
 * the action a write needs, before a fix sends it; for the cluster's API,
 * what the API server answers to a SelfSubjectAccessReview. */
#ifndef AD_PERM_H
#define AD_PERM_H

#include <stddef.h>

struct cJSON;
struct facts;
struct ad_error;

/* The RBAC action an ARM request needs (PUT/PATCH: .../write, DELETE:
 * .../delete, POST: .../<operation>/action) and the resource scope whose
 * permissions to read (an extension resource such as a role assignment:
 * the resource it is on; a child resource: its top-level resource).
 * path is an ARM path ("/subscriptions/..."), query allowed.  0, or -1
 * when it is not an ARM resource path or does not fit. */
int perm_action_of(const char *method, const char *path, char *action,
		   size_t alen, char *scope, size_t slen);

/* 1 when the pattern ('*' any run, case-insensitive) matches action. */
int perm_match(const char *pattern, const char *action);

/* 1 when a permissions list ({"value":[{"actions","notActions"}...]}, or
 * the array itself) grants action: some entry's actions match it and the
 * same entry's notActions do not. */
int perm_allows(const struct cJSON *perms, const char *action);

/* A built-in role that grants action (English name, as Azure spells it). */
const char *perm_role_for(const char *action);

/* The action and scope of ARM's AuthorizationFailed message ("... does
 * not have authorization to perform action 'A' over scope 'S' ..."),
 * each cleaned of control characters and cut on a character boundary.
 * 1 when both were found, else 0 (both set to ""). */
int perm_denial_parse(const char *message, char *action, size_t alen,
		      char *scope, size_t slen);

/* The least built-in role that grants action: Reader for a read,
 * otherwise perm_role_for(). */
const char *perm_role_least(const char *action);

/* A sentence for an ARM refusal whose body (JSON text, may be NULL) is
 * AuthorizationFailed naming the action and the scope: "WHAT was refused
 * (HTTP 403, AuthorizationFailed): the caller may not perform 'A' over
 * scope 'S'; the built-in role R grants it".  The action and the scope
 * are always whole (what is cut first, on a character boundary, to make
 * room).  1 when buf holds it, 0 when the body is not such a refusal. */
int perm_refusal_sentence(char *buf, size_t len, const char *what,
			  long status, const char *body);

/* What a Kubernetes API request does, in the terms of RBAC and of a
 * SelfSubjectAccessReview's resourceAttributes. */
struct perm_kube {
	char verb[20];          /* get list create update patch delete ... */
	char group[128];        /* "" for the core group */
	char resource[64];      /* plural: "deployments" */
	char subresource[32];   /* "" or "status", "scale", ... */
	char namespace_[64];    /* "" for a cluster-scoped resource */
	char name[254];         /* "" for a collection */
};

/* The verb, group, resource, namespace and name of method path (a
 * Kubernetes API path, /api/v1/... or /apis/GROUP/VERSION/..., query
 * allowed).  0, or -1 when it is not a resource path or a part is not a
 * valid name. */
int perm_kube_of(const char *method, const char *path, struct perm_kube *k);

/* The SelfSubjectAccessReview asking whether the caller may do k (JSON,
 * the caller frees), NULL when out of memory. */
char *perm_ssar_body(const struct perm_kube *k);

/* Read a SelfSubjectAccessReview answer: 0 and *allowed (1 or 0) with
 * status.reason in reason ("" when none; cleaned and clipped), or
 * AD_EPARSE with err saying what is wrong (not JSON, not a review, no
 * status.allowed, allowed and denied both true). */
int perm_ssar_answer(const char *body, size_t len, int *allowed,
		     char *reason, size_t rlen, struct ad_error *err);

/* A built-in Azure Kubernetes Service RBAC role that grants k (English
 * name, as Azure spells it). */
const char *perm_kube_role_for(const struct perm_kube *k);

/* "patch deployments.apps" (the verb, then the resource and its group
 * the way kubectl names it, a subresource after '/'). */
void perm_kube_action(const struct perm_kube *k, char *buf, size_t len);

enum perm_answer {
	PERM_ALLOWED,
	PERM_DENIED,     /* a Kubernetes request: err holds the reason given */
	PERM_UNREAD,     /* the permissions could not be read: err says why */
	PERM_NOT_ARM     /* neither ARM nor the cluster's API: not checked */
};

/* May the caller send method url?  For a full ARM URL, ARM's
 * permissions on the scope are read: action and scope are filled with the
 * RBAC action and the scope.  For a URL on the cluster's API server, the
 * cluster is asked with a SelfSubjectAccessReview: action gets the verb
 * and resource ("patch deployments.apps", see perm_kube_action), scope
 * the namespace ("" when cluster-scoped). */
enum perm_answer perm_check(struct facts *f, const char *method,
			    const char *url, char *action, size_t alen,
			    char *scope, size_t slen, struct ad_error *err);

#endif
