/* roles.h - "may this principal pull from the registry?" and the AcrPull
 * role assignment that makes it so.  Shared by the AKS and Web App
 * checks and fixes. */
#ifndef AD_CHECKS_ROLES_H
#define AD_CHECKS_ROLES_H

#include <time.h>

struct facts;
struct check_result;
struct fix_plan;
struct ad_error;

/* Built-in role definition GUIDs. */
#define ROLE_ACRPULL     "7f951dda-4ed3-4680-a7ca-43fe172d538d"
#define ROLE_ACRPUSH     "8311e382-0749-4cb8-b61a-304f252e45ec"
#define ROLE_READER      "acdd72a7-3385-48ef-bd42-f606fba81ae7"
#define ROLE_CONTRIBUTOR "b24988ac-6180-42a0-ab88-20f7382dd24c"
#define ROLE_OWNER       "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"

/* Does principal_id have a pull-capable role assignment whose scope covers registry_id
   (the registry, its resource group, or the subscription)?  Lists
   {registry_id}/providers/Microsoft.Authorization/roleAssignments (arm_list), treats AcrPull
   7f951dda-4ed3-4680-a7ca-43fe172d538d, AcrPush 8311e382-0749-4cb8-b61a-304f252e45ec, Reader
   acdd72a7-3385-48ef-bd42-f606fba81ae7, Contributor b24988ac-6180-42a0-ab88-20f7382dd24c, Owner
   8e3af657-a8ff-443c-a75c-2fe8c4bcb635 as pull-capable, and for any other role reads the role
   definition and looks for Microsoft.ContainerRegistry/registries/pull/read (or a wildcard that
   covers it, minus notActions).  Adds evidence to res (assignments seen, which ones count).
   *found = 1/0.  Returns 0, or a negative AD_E* with err filled when it could not tell. */
int roles_principal_can_pull(struct facts *f, const char *registry_id, const char *principal_id,
			     struct check_result *res, int *found, struct ad_error *err);

/* Every pull-capable assignment whose scope covers registry_id: *out is
   a new array (caller frees with cJSON_Delete) of {"principalId",
   "principalType", "role"}.  0 or a negative AD_E* with err filled. */
struct cJSON;
int roles_pull_principals(struct facts *f, const char *registry_id,
			  struct cJSON **out, struct ad_error *err);

/* Add to plan a PUT {registry_id}/providers/Microsoft.Authorization/roleAssignments/{new guid}
   with body {"properties":{"roleDefinitionId":"/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/7f951dda-...",
   "principalId":...,"principalType":...}} and the given equivalent command.
   principal_type is "ServicePrincipal" (managed identities too), "User" or "Group". */
int roles_plan_acrpull(struct fix_plan *plan, struct facts *f, const char *registry_id,
		       const char *principal_id, const char *principal_type,
		       const char *command, struct ad_error *err);

/* The current time: time(NULL), or ACR_DOCTOR_NOW (ISO 8601, UTC) when
 * set, so that recorded worlds with expiry dates stay valid.  0 or
 * AD_EINVAL (ACR_DOCTOR_NOW set but unreadable). */
int ad_now(time_t *out);

/* Parse an ISO 8601 UTC time ("2025-03-01T10:00:00Z", fractional seconds
 * and "+00:00" accepted).  0 or AD_EINVAL. */
int ad_parse_time(const char *s, time_t *out);

#endif
