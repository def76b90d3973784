/* perm.h - may the caller do this?  What ARM says the signed-in
 * identity may do on a scope (GET {scope}/providers/Microsoft.Authorization/
 * permissions: actions and notActions with '*' wildcards), held against
 * the action a write needs, before a fix sends it. */
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

enum perm_answer {
	PERM_ALLOWED,
	PERM_DENIED,
	PERM_UNREAD,     /* the permissions could not be read: err says why */
	PERM_NOT_ARM     /* not an ARM request (the cluster's API) */
};

/* May the caller send method url (a full ARM URL)?  action and scope are
 * filled whenever the URL is an ARM one. */
enum perm_answer perm_check(struct facts *f, const char *method,
			    const char *url, char *action, size_t alen,
			    char *scope, size_t slen, struct ad_error *err);

#endif
