/* test_perm.c - the action and scope a fix step needs, and whether the
 * caller's permissions (actions/notActions with wildcards) grant it; for
 * the cluster's API, the resource attributes of a request, the access
 * review that asks about them and how its answer is read. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "err.h"
#include "harness.h"
#include "perm.h"
#include "textw.h"

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

static void kube_is(const char *method, const char *path, const char *verb,
		    const char *group, const char *resource, const char *sub,
		    const char *ns, const char *name)
{
	struct perm_kube k;

	assert_int_equal(perm_kube_of(method, path, &k), 0);
	assert_string_equal(k.verb, verb);
	assert_string_equal(k.group, group);
	assert_string_equal(k.resource, resource);
	assert_string_equal(k.subresource, sub);
	assert_string_equal(k.namespace_, ns);
	assert_string_equal(k.name, name);
}

static void test_kube_of(void **state)
{
	struct perm_kube k;
	char a[128], big[400];

	(void)state;
	kube_is("PATCH", "/apis/apps/v1/namespaces/shop/deployments/web",
		"patch", "apps", "deployments", "", "shop", "web");
	kube_is("PUT", "/api/v1/namespaces/shop/secrets/acr-pull?fieldManager=x",
		"update", "", "secrets", "", "shop", "acr-pull");
	kube_is("POST", "/api/v1/namespaces/shop/secrets", "create", "",
		"secrets", "", "shop", "");
	kube_is("GET", "/api/v1/namespaces/shop/pods", "list", "", "pods", "",
		"shop", "");
	kube_is("HEAD", "/api/v1/namespaces/shop/pods/p1/log", "get", "",
		"pods", "log", "shop", "p1");
	kube_is("PATCH", "/apis/batch/v1/namespaces/jobs/cronjobs/report",
		"patch", "batch", "cronjobs", "", "jobs", "report");
	kube_is("PATCH", "/apis/apps/v1/namespaces/shop/deployments/web/scale",
		"patch", "apps", "deployments", "scale", "shop", "web");
	kube_is("GET", "/api/v1/nodes/", "list", "", "nodes", "", "", "");
	kube_is("DELETE", "/api/v1/namespaces/shop", "delete", "",
		"namespaces", "", "", "shop");
	kube_is("PUT", "/api/v1/namespaces/shop/finalize", "update", "",
		"namespaces", "finalize", "", "shop");
	kube_is("DELETE", "/apis/apps/v1/namespaces/shop/replicasets",
		"deletecollection", "apps", "replicasets", "", "shop", "");
	/* The way messages name it. */
	assert_int_equal(perm_kube_of("PATCH", "/apis/apps/v1/namespaces/shop/deployments/web/scale", &k), 0);
	perm_kube_action(&k, a, sizeof a);
	assert_string_equal(a, "patch deployments.apps/scale");
	assert_string_equal(perm_kube_role_for(&k), "Azure Kubernetes Service RBAC Writer");
	assert_int_equal(perm_kube_of("GET", "/api/v1/namespaces/shop/pods", &k), 0);
	perm_kube_action(&k, a, sizeof a);
	assert_string_equal(a, "list pods");
	assert_string_equal(perm_kube_role_for(&k), "Azure Kubernetes Service RBAC Reader");
	assert_int_equal(perm_kube_of("PATCH", "/api/v1/nodes/n1", &k), 0);
	assert_string_equal(perm_kube_role_for(&k), "Azure Kubernetes Service RBAC Cluster Admin");
	/* Not a resource path, or a part that is not a name: refused. */
	assert_int_equal(perm_kube_of("PATCH", "/subscriptions/x/resourceGroups/y", &k), -1);
	assert_int_equal(perm_kube_of("GET", "/version", &k), -1);
	assert_int_equal(perm_kube_of("GET", "/api/v1", &k), -1);
	assert_int_equal(perm_kube_of("GET", "/apis/apps/v1", &k), -1);
	assert_int_equal(perm_kube_of("PATCH", "/apis/apps/v1/namespaces/shop/deployments/web/scale/x", &k), -1);
	assert_int_equal(perm_kube_of("PATCH", "/apis/apps/v1/namespaces/Shop/deployments/web", &k), -1);
	assert_int_equal(perm_kube_of("PATCH", "/apis/apps/v1/namespaces/shop/deployments/we%22b", &k), -1);
	assert_int_equal(perm_kube_of("PATCH", "/apis/apps/v1/namespaces/shop//deployments/web", &k), -1);
	assert_int_equal(perm_kube_of("PATCH", "relative/apis/apps/v1", &k), -1);
	assert_int_equal(perm_kube_of("OPTIONS", "/api/v1/namespaces/shop/pods/p", &k), -1);
	assert_int_equal(perm_kube_of(NULL, "/api/v1/nodes", &k), -1);
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	memcpy(big, "/api/v1/nodes/", 14);
	assert_int_equal(perm_kube_of("GET", big, &k), -1);
}

static void test_ssar_body(void **state)
{
	struct perm_kube k;
	char *body;
	cJSON *j;

	(void)state;
	assert_int_equal(perm_kube_of("PATCH", "/apis/apps/v1/namespaces/shop/deployments/web", &k), 0);
	body = perm_ssar_body(&k);
	assert_non_null(body);
	j = cJSON_Parse(body);
	assert_non_null(j);
	assert_string_equal(cJSON_GetObjectItem(j, "apiVersion")->valuestring, "authorization.k8s.io/v1");
	assert_string_equal(cJSON_GetObjectItem(j, "kind")->valuestring, "SelfSubjectAccessReview");
	{
		const cJSON *ra = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "spec"),
						      "resourceAttributes");

		assert_string_equal(cJSON_GetObjectItem(ra, "verb")->valuestring, "patch");
		assert_string_equal(cJSON_GetObjectItem(ra, "group")->valuestring, "apps");
		assert_string_equal(cJSON_GetObjectItem(ra, "resource")->valuestring, "deployments");
		assert_string_equal(cJSON_GetObjectItem(ra, "namespace")->valuestring, "shop");
		assert_string_equal(cJSON_GetObjectItem(ra, "name")->valuestring, "web");
		assert_null(cJSON_GetObjectItem(ra, "subresource"));
	}
	cJSON_Delete(j);
	free(body);
}

static int answer(const char *body, int *allowed, char *reason, size_t rlen)
{
	struct ad_error err = { 0 };
	int rc = perm_ssar_answer(body, body ? strlen(body) : 0, allowed,
				  reason, rlen, &err);

	if (rc != 0)
		assert_true(err.msg[0] != '\0');
	return rc;
}

static void test_ssar_answer(void **state)
{
	char why[64];
	int allowed = -1;

	(void)state;
	assert_int_equal(answer("{\"kind\":\"SelfSubjectAccessReview\",\"apiVersion\":\"authorization.k8s.io/v1\","
				"\"spec\":{},\"status\":{\"allowed\":true}}", &allowed, why, sizeof why), 0);
	assert_int_equal(allowed, 1);
	assert_string_equal(why, "");
	assert_int_equal(answer("{\"status\":{\"allowed\":true,\"reason\":\"RBAC: allowed by RoleBinding \\\"w\\\"\"}}",
				&allowed, why, sizeof why), 0);
	assert_int_equal(allowed, 1);
	/* RBAC's no opinion: not allowed, no reason. */
	assert_int_equal(answer("{\"kind\":\"SelfSubjectAccessReview\",\"status\":{\"allowed\":false}}",
				&allowed, why, sizeof why), 0);
	assert_int_equal(allowed, 0);
	assert_string_equal(why, "");
	/* A webhook's denial: the reason, cleaned and cut to fit. */
	assert_int_equal(answer("{\"status\":{\"allowed\":false,\"denied\":true,"
				"\"reason\":\"User does not have access\\u001b[31m to the resource in Azure. Update role assignment to allow access.\"}}",
				&allowed, why, sizeof why), 0);
	assert_int_equal(allowed, 0);
	assert_null(strchr(why, '\033'));
	assert_true(strlen(why) < sizeof why);
	assert_non_null(strstr(why, "User does not have access"));
	/* An evaluation error stands for the reason when there is none. */
	assert_int_equal(answer("{\"status\":{\"allowed\":false,\"evaluationError\":\"webhook timed out\"}}",
				&allowed, why, sizeof why), 0);
	assert_string_equal(why, "webhook timed out");
	/* Missing fields, contradictions, other objects, broken JSON. */
	allowed = 1;
	assert_int_equal(answer("{\"kind\":\"SelfSubjectAccessReview\",\"status\":{}}", &allowed, why, sizeof why), AD_EPARSE);
	assert_int_equal(allowed, 0);
	assert_int_equal(answer("{\"kind\":\"SelfSubjectAccessReview\"}", &allowed, why, sizeof why), AD_EPARSE);
	assert_int_equal(answer("{\"status\":{\"allowed\":\"true\"}}", &allowed, why, sizeof why), AD_EPARSE);
	assert_int_equal(answer("{\"status\":{\"allowed\":true,\"denied\":true}}", &allowed, why, sizeof why), AD_EPARSE);
	assert_int_equal(answer("{\"status\":{\"allowed\":false,\"denied\":\"yes\"}}", &allowed, why, sizeof why), AD_EPARSE);
	assert_int_equal(answer("{\"kind\":\"Status\",\"status\":{\"allowed\":true}}", &allowed, why, sizeof why), AD_EPARSE);
	assert_int_equal(answer("{\"status\":{\"allowed\":tru", &allowed, why, sizeof why), AD_EPARSE);
	assert_int_equal(answer("[true]", &allowed, why, sizeof why), AD_EPARSE);
	assert_int_equal(answer("", &allowed, why, sizeof why), AD_EPARSE);
	assert_int_equal(answer(NULL, &allowed, why, sizeof why), AD_EPARSE);
	assert_int_equal(allowed, 0);
}

#define KUBE "https://aks-shop-dns-4kq2v1.hcp.westeurope.azmk8s.io:443"
#define DEPLOY KUBE "/apis/apps/v1/namespaces/default/deployments/web"

static enum perm_answer ask(const char *scenario, const char *method,
			    const char *url, char *action, char *scope,
			    struct ad_error *err)
{
	struct harness *h = harness_open(scenario);
	char *before = harness_world(h), *after;
	enum perm_answer a;

	a = perm_check(h->facts, method, url, action, 128, scope, 64, err);
	after = harness_world(h);
	/* Asking changes nothing. */
	assert_string_equal(before, after);
	free(before);
	free(after);
	harness_close(h);
	return a;
}

/* The simulated cluster answers the review from the scenario's kubeDeny. */
static void test_check_kube(void **state)
{
	char a[128], s[64];
	struct ad_error err = { 0 };

	(void)state;
	assert_int_equal(ask("scenarios/aks-platform-no-patch.json", "PATCH",
			     DEPLOY, a, s, &err), PERM_DENIED);
	assert_string_equal(a, "patch deployments.apps");
	assert_string_equal(s, "default");
	assert_int_equal(ask("scenarios/aks-platform-no-patch.json", "GET",
			     DEPLOY, a, s, &err), PERM_ALLOWED);
	assert_int_equal(ask("aks-platform-windows", "PATCH", DEPLOY, a, s, &err),
			 PERM_ALLOWED);
	assert_int_equal(ask("scenarios/aks-platform-patch-elsewhere.json", "PATCH",
			     DEPLOY, a, s, &err), PERM_ALLOWED);
	assert_int_equal(ask("scenarios/aks-platform-patch-elsewhere.json", "PATCH",
			     KUBE "/apis/apps/v1/namespaces/prod/deployments/web",
			     a, s, &err), PERM_DENIED);
	assert_int_equal(ask("scenarios/aks-platform-patch-elsewhere.json", "PATCH",
			     DEPLOY "/scale", a, s, &err), PERM_DENIED);
	assert_string_equal(a, "patch deployments.apps/scale");
	assert_int_equal(ask("scenarios/aks-platform-patch-elsewhere.json", "PATCH",
			     KUBE "/apis/apps/v1/namespaces/default/deployments/api",
			     a, s, &err), PERM_DENIED);
	assert_int_equal(ask("scenarios/aks-platform-patch-elsewhere.json", "PUT",
			     KUBE "/api/v1/namespaces/default/secrets/acr",
			     a, s, &err), PERM_DENIED);
	assert_string_equal(a, "update secrets");
	/* A webhook's reason comes back in err. */
	ad_error_clear(&err);
	assert_int_equal(ask("scenarios/aks-qps-no-patch.json", "PATCH",
			     KUBE "/apis/batch/v1/namespaces/default/cronjobs/report",
			     a, s, &err), PERM_DENIED);
	assert_non_null(strstr(err.msg, "User does not have access to the resource in Azure"));
	/* The review refused: unread, and why. */
	ad_error_clear(&err);
	assert_int_equal(ask("scenarios/aks-platform-review-forbidden.json", "PATCH",
			     DEPLOY, a, s, &err), PERM_UNREAD);
	assert_non_null(strstr(err.msg, "selfsubjectaccessreviews"));
	assert_non_null(strstr(err.msg, "403"));
	/* Neither ARM nor the cluster: not asked. */
	assert_int_equal(ask("aks-platform-windows", "PUT",
			     "https://acrshop.azurecr.io/v2/x/manifests/1", a, s, &err),
			 PERM_NOT_ARM);
}

/* A denied step is never sent, even if a caller asks for it. */
static void test_apply_denied(void **state)
{
	struct harness *h = harness_open("scenarios/aks-platform-no-patch.json");
	struct fix_plan plan;
	struct ad_error err = { 0 };
	char *before, *after;
	long status = 0;

	(void)state;
	harness_plan(h, "aks.platform", "node-selector", &plan);
	assert_int_equal(plan.nsteps, 1);
	assert_int_equal(fix_plan_check(h->facts, &plan, 0), 1);
	assert_int_equal(plan.steps[0].perm, FIX_PERM_DENIED);
	before = harness_world(h);
	assert_int_equal(fix_apply_step(h->facts, &plan, 0, &status, &err), AD_EDENIED);
	assert_non_null(strstr(err.msg, "patch deployments.apps in namespace default"));
	assert_int_equal(status, 0);
	after = harness_world(h);
	assert_string_equal(before, after);
	free(before);
	free(after);
	fix_plan_clear(&plan);
	harness_close(h);
}

/* ARM's AuthorizationFailed body as the service sends it (a READ refused). */
#define DENIED_BODY \
	"{\"error\":{\"code\":\"AuthorizationFailed\",\"message\":\"The client " \
	"'0d6f3b1c-7a2e-4c59-9e84-5b1a2c3d4e5f' with object id " \
	"'6c3f8e2a-91d4-4b7e-a5c0-3e8d1f2b9a64' does not have authorization to " \
	"perform action 'Microsoft.Authorization/roleAssignments/read' over scope '" \
	REG "/providers/Microsoft.Authorization/roleAssignments' or the scope is " \
	"invalid. If access was recently granted, please refresh your credentials.\"}}"

static void test_refusal(void **state)
{
	char what[700], buf[512], a[128], s[256];
	size_t i;

	(void)state;
	/* A long request line: cut (marked), the action and scope whole. */
	snprintf(what, sizeof what, "GET %s/providers/Microsoft.Authorization/"
		 "roleAssignments?$filter=atScope()&x=%0200d", REG, 0);
	assert_int_equal(perm_refusal_sentence(buf, sizeof buf, what, 403,
					       DENIED_BODY), 1);
	assert_non_null(strstr(buf, "'Microsoft.Authorization/roleAssignments/read'"));
	assert_non_null(strstr(buf, "over scope '" REG
			       "/providers/Microsoft.Authorization/roleAssignments'"));
	assert_non_null(strstr(buf, "Reader"));
	assert_non_null(strstr(buf, "\xe2\x80\xa6 was refused (HTTP 403"));
	assert_true(tw_utf8_is_clean(buf));
	/* Every buffer size: NUL-terminated, valid UTF-8, never overflows. */
	for (i = 1; i < sizeof buf; i++) {
		memset(buf, 'x', sizeof buf);
		perm_refusal_sentence(buf, i, what, 403, DENIED_BODY);
		assert_true(strlen(buf) < i);
		assert_true(tw_utf8_is_clean(buf));
	}
	/* A write: the role that grants writes. */
	assert_int_equal(perm_denial_parse("perform action "
		"'Microsoft.Authorization/roleAssignments/write' over scope '/x'",
		a, sizeof a, s, sizeof s), 1);
	assert_string_equal(a, "Microsoft.Authorization/roleAssignments/write");
	assert_string_equal(s, "/x");
	assert_string_equal(perm_role_least(a), "Role Based Access Control Administrator");
	/* Not such a refusal: 0, and the caller keeps its own wording. */
	assert_int_equal(perm_refusal_sentence(buf, sizeof buf, "GET /x", 403,
		"{\"error\":{\"code\":\"Other\",\"message\":\"no\"}}"), 0);
	assert_int_equal(perm_refusal_sentence(buf, sizeof buf, "GET /x", 403,
		"{\"error\":{\"code\":\"AuthorizationFailed\",\"message\":"
		"\"perform action 'a' over scope 'unterminated\"}}"), 0);
	assert_int_equal(perm_refusal_sentence(buf, sizeof buf, "GET /x", 403,
						 "not json"), 0);
	assert_int_equal(perm_refusal_sentence(buf, sizeof buf, "GET /x", 403,
						 NULL), 0);
	/* Control characters from the server do not reach the sentence. */
	assert_int_equal(perm_denial_parse("perform action 'a\x1b[2Jb' over "
		"scope '/s\n'", a, sizeof a, s, sizeof s), 1);
	assert_null(strchr(a, '\x1b'));
	assert_null(strchr(s, '\n'));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_not_arm),
		cmocka_unit_test(test_allows),
		cmocka_unit_test(test_kube_of),
		cmocka_unit_test(test_ssar_body),
		cmocka_unit_test(test_ssar_answer),
		cmocka_unit_test(test_check_kube),
		cmocka_unit_test(test_apply_denied),
		cmocka_unit_test(test_refusal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
