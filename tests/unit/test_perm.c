/* test_perm.c - the action and scope a fix step needs, and whether the
 * caller's permissions (actions/notActions with wildcards) grant it. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "perm.h"

#define RG "/subscriptions/3f2d6a1e-8c4b-4f0e-9b7a-2c1d5e6f7a8b/resourceGroups/rg-registry"
#define REG RG "/providers/Microsoft.ContainerRegistry/registries/acrshop"

static void expect(const char *method, const char *path, const char *action,
		   const char *scope)
{
	char a[256], s[1024];

	assert_int_equal(perm_action_of(method, path, a, sizeof a, s, sizeof s), 0);
	assert_string_equal(a, action);
	assert_string_equal(s, scope);
}

static void test_actions(void **state)
{
	(void)state;
	/* A role assignment: asked on the resource it is on. */
	expect("PUT", REG "/providers/Microsoft.Authorization/roleAssignments/x?api-version=2022-04-01",
	       "Microsoft.Authorization/roleAssignments/write", REG);
	expect("PUT", RG "/providers/Microsoft.Authorization/roleAssignments/x",
	       "Microsoft.Authorization/roleAssignments/write", RG);
	expect("PATCH", REG "?api-version=2025-04-01",
	       "Microsoft.ContainerRegistry/registries/write", REG);
	expect("DELETE", REG, "Microsoft.ContainerRegistry/registries/delete", REG);
	/* A child resource: its top-level resource's permissions. */
	expect("PUT", RG "/providers/Microsoft.Network/privateDnsZones/privatelink.azurecr.io/virtualNetworkLinks/l1",
	       "Microsoft.Network/privateDnsZones/virtualNetworkLinks/write",
	       RG "/providers/Microsoft.Network/privateDnsZones/privatelink.azurecr.io");
	expect("POST", REG "/listCredentials?api-version=2022-12-01",
	       "Microsoft.ContainerRegistry/registries/listCredentials/action", REG);
	expect("PUT", RG, "Microsoft.Resources/subscriptions/resourceGroups/write", RG);
}

static void test_not_arm(void **state)
{
	char a[256], s[64];

	(void)state;
	assert_int_equal(perm_action_of("PATCH", "/api/v1/namespaces/x/pods/y", a, sizeof a, s, sizeof s), -1);
	assert_int_equal(perm_action_of("PUT", "relative", a, sizeof a, s, sizeof s), -1);
	/* A scope that does not fit is refused, never cut. */
	assert_int_equal(perm_action_of("PUT", REG, a, sizeof a, s, sizeof s), -1);
}

static void test_allows(void **state)
{
	cJSON *all = cJSON_Parse("{\"value\":[{\"actions\":[\"*\"],\"notActions\":[\"Microsoft.Authorization/*/Write\"]}]}");
	cJSON *two = cJSON_Parse("[{\"actions\":[\"Microsoft.ContainerRegistry/registries/*\"],\"notActions\":[]},"
				 "{\"actions\":[\"*/read\"],\"notActions\":[]}]");
	cJSON *none = cJSON_Parse("{\"value\":[]}");

	(void)state;
	assert_non_null(all);
	assert_false(perm_allows(all, "Microsoft.Authorization/roleAssignments/write"));
	assert_true(perm_allows(all, "Microsoft.ContainerRegistry/registries/write"));
	assert_true(perm_allows(two, "microsoft.containerregistry/registries/write"));
	assert_true(perm_allows(two, "Microsoft.Network/privateDnsZones/read"));
	assert_false(perm_allows(two, "Microsoft.Network/privateDnsZones/write"));
	assert_false(perm_allows(none, "Microsoft.Network/privateDnsZones/read"));
	assert_string_equal(perm_role_for("Microsoft.Authorization/roleAssignments/write"),
			    "Role Based Access Control Administrator");
	assert_string_equal(perm_role_for("Microsoft.Network/privateDnsZones/virtualNetworkLinks/write"),
			    "Private DNS Zone Contributor");
	cJSON_Delete(all);
	cJSON_Delete(two);
	cJSON_Delete(none);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_not_arm),
		cmocka_unit_test(test_allows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
