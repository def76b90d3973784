/* test_session.c - the wizard's model: walking the tree over a scenario,
 * fixes with their audit lines, history, placeholders, messages, and the
 * Markdown report. */
#include "config.h"

#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "check.h"
#include "err.h"
#include "fix.h"
#include "report.h"
#include "scenario.h"
#include "session.h"
#include "tree.h"

#define ACRPULL_ROLE "7f951dda-4ed3-4680-a7ca-43fe172d538d"

static struct session *open_session(const char *name)
{
	struct ad_error err = { 0 };
	struct session *s = session_new_scenario(name, &err);

	if (!s) {
		print_error("cannot open %s: %s\n", name, err.msg);
		fail();
	}
	return s;
}

static const char *node_id(const struct session *s)
{
	return session_node(s)->id;
}

/* Run the current node's check to completion. */
static const struct check_result *run_here(struct session *s)
{
	struct ad_error err = { 0 };

	assert_int_equal(session_check_start(s, NULL, &err), 0);
	assert_int_equal(session_wait(s), SESSION_DONE);
	assert_false(session_busy(s));
	return session_node_result(s);
}

/* One step forward along the tree, as a user taking the obvious answer:
 * run a pending check, take the suggested choice (else the first), or
 * continue.  Fixes are not applied here.  Returns 0 at a verdict. */
static int step(struct session *s)
{
	struct session_item items[SESSION_MAX_ITEMS];
	struct ad_error err = { 0 };
	size_t n, i, pick = (size_t)-1;
	const struct tree_node *nd = session_node(s);

	if (nd->kind == TREE_VERDICT)
		return 0;
	if (session_needs_run(s)) {
		run_here(s);
		return 1;
	}
	n = session_items(s, items, SESSION_MAX_ITEMS);
	assert_true(n > 0);
	for (i = 0; i < n && pick == (size_t)-1; i++)
		if (items[i].suggested)
			pick = i;
	for (i = 0; i < n && pick == (size_t)-1; i++)
		if (items[i].kind == SESSION_ITEM_CHOICE ||
		    items[i].kind == SESSION_ITEM_NEXT)
			pick = i;
	assert_true(pick != (size_t)-1);
	assert_int_equal(session_activate(s, &items[pick], &err), 0);
	return 1;
}

/* Walk until node id (fails the test at a verdict or after 80 steps). */
static void walk_to(struct session *s, const char *id)
{
	int guard;

	for (guard = 0; guard < 80; guard++) {
		if (strcmp(node_id(s), id) == 0)
			return;
		if (!step(s))
			break;
	}
	print_error("did not reach %s (at %s)\n", id, node_id(s));
	fail();
}

static void plan_fix(struct session *s)
{
	struct ad_error err = { 0 };

	assert_int_equal(session_fix_plan_start(s, &err), 0);
	assert_int_equal(session_wait(s), SESSION_DONE);
	if (!session_plan(s)) {
		const struct ad_error *e = session_job_error(s);

		print_error("no plan: %s\n", e ? e->msg : "?");
		fail();
	}
}

/* Every string the world holds under a secret-looking key ("value" only
 * inside a "passwords" array: listCredentials). */
static void collect(const cJSON *o, int in_passwords, char **out, size_t *n,
		    size_t max)
{
	static const char *keys[] = {
		"access_token", "refresh_token", "password", "secretText",
		"clientSecret", ".dockerconfigjson",
		"DOCKER_REGISTRY_SERVER_PASSWORD", NULL
	};
	const cJSON *it;
	size_t k;

	for (it = o ? o->child : NULL; it; it = it->next) {
		if (cJSON_IsString(it) && it->string && *n < max &&
		    strlen(it->valuestring) >= 6 &&
		    !strchr(it->valuestring, ' ')) {
			int hit = in_passwords && strcmp(it->string, "value") == 0;

			for (k = 0; !hit && keys[k]; k++)
				hit = strcmp(it->string, keys[k]) == 0;
			if (hit)
				out[(*n)++] = strdup(it->valuestring);
		}
		collect(it, in_passwords ||
			(it->string && strcmp(it->string, "passwords") == 0),
			out, n, max);
	}
}

static size_t world_secrets(struct session *s, char **out, size_t max)
{
	char *dump = scenario_world_dump(session_scenario(s));
	cJSON *w = dump ? cJSON_Parse(dump) : NULL;
	size_t n = 0;

	assert_non_null(w);
	collect(w, 0, out, &n, max);
	cJSON_Delete(w);
	free(dump);
	return n;
}

static void assert_no_secret(const char *text, char **secrets, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strstr(text, secrets[i])) {
			print_error("secret leaked: %.12s...\n", secrets[i]);
			fail();
		}
}

static void free_secrets(char **secrets, size_t n)
{
	while (n--)
		free(secrets[n]);
}

/* "2026-11-23T19:40:01Z fix=attach-acr step=1 PUT https://... -> 201; verify
 * aks.401.acrpull: pass" */
static int audit_line_ok(const char *line)
{
	int y, mo, d, h, mi, sec;
	char z;

	if (sscanf(line, "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi,
		   &sec, &z) != 7 || z != 'Z')
		return 0;
	return strstr(line, " fix=attach-acr step=1 PUT https://") &&
	       strstr(line, "/roleAssignments/") &&
	       (strstr(line, " -> 201; ") || strstr(line, " -> 200; ")) &&
	       strstr(line, "verify aks.401.acrpull: pass");
}

static void test_walk_aks401_fix(void **state)
{
	struct session *s = open_session("aks-401-no-acrpull");
	const struct check_result *r;
	const struct fix_plan *p;
	const struct session_fix_outcome *o;
	char *md, *secrets[64];
	size_t nsec, i;
	int first, count, found = 0;

	(void)state;
	assert_string_equal(node_id(s), session_tree(s)->root);
	walk_to(s, "aks.401.acrpull");
	r = session_node_result(s);
	if (!r)
		r = run_here(s);
	assert_int_equal(r->verdict, CHECK_FAIL);
	assert_non_null(session_node_fix(s));
	assert_string_equal(session_node_fix(s)->id, "attach-acr");

	plan_fix(s);
	p = session_plan(s);
	assert_true(p->nsteps >= 1);
	assert_string_equal(p->steps[0].method, "PUT");
	assert_non_null(strstr(p->steps[0].url, "roleAssignments"));
	assert_non_null(p->steps[0].body);
	assert_non_null(strstr(p->steps[0].body, ACRPULL_ROLE));
	assert_int_equal(session_fix_group(s, &first, &count), 1);
	assert_int_equal(first, 0);

	/* yes to every group */
	while (session_fix_group(s, &first, &count)) {
		struct ad_error err = { 0 };

		assert_int_equal(session_fix_apply_group(s, &err), 0);
		assert_int_equal(session_wait(s), SESSION_DONE);
	}
	assert_null(session_plan(s));
	assert_int_equal(session_fix_count(s), 1);
	o = session_fix_at(s, 0);
	assert_int_equal(o->state, SESSION_FIX_APPLIED);
	assert_true(o->verified);
	assert_int_equal(o->verify, CHECK_PASS);
	r = session_node_result(s);
	assert_int_equal(r->verdict, CHECK_PASS);
	/* re-running the check still passes: the world changed */
	r = run_here(s);
	assert_int_equal(r->verdict, CHECK_PASS);

	assert_int_equal(session_audit_count(s), 1);
	if (!audit_line_ok(session_audit_at(s, 0))) {
		print_error("audit line: %s\n", session_audit_at(s, 0));
		fail();
	}

	/* after a fix, "continue" leads to the cause's verdict */
	while (step(s))
		;
	assert_int_equal(session_node(s)->kind, TREE_VERDICT);
	assert_string_equal(session_cause(s), "aks.401");
	assert_string_equal(session_cause(s),
			    scenario_expect_cause(session_scenario(s)));
	for (i = 0; i < session_path_len(s); i++)
		if (strcmp(session_path_node(s, i)->id, "aks.401.acrpull") == 0)
			found = 1;
	assert_true(found);

	/* no secret of the world in the audit log or the report */
	nsec = world_secrets(s, secrets, 64);
	assert_true(nsec > 0);   /* the registry's tokens at least */
	for (i = 0; i < session_audit_count(s); i++)
		assert_no_secret(session_audit_at(s, i), secrets, nsec);
	md = report_markdown(s);
	assert_non_null(md);
	assert_no_secret(md, secrets, nsec);
	assert_non_null(strstr(md, "`aks.401`"));
	assert_non_null(strstr(md, session_verdict(s)->title));
	assert_string_equal(session_verdict(s)->id, "verdict.aks.401");
	assert_non_null(strstr(md, "attach-acr"));
	assert_non_null(strstr(md, "| `aks.401.acrpull` | **pass** (was fail, before fix `attach-acr`)"));
	assert_non_null(strstr(md, "| evidence | value |"));
	assert_non_null(strstr(md, "fix=attach-acr step=1 PUT"));
	assert_non_null(strstr(md, "| `attach-acr` | `aks.401.acrpull` | applied | "));
	free(md);
	free_secrets(secrets, nsec);
	session_free(s);
}

/* The report written right after a fix, before the walk reaches a
 * verdict (aks-403-firewall, the fix applied, then "e"): the Diagnosis
 * says what was fixed, that the pod's events are history until the
 * kubelet retries, and what still fails - never "no check failed" above
 * a Checks table with a failing check. */
static void test_report_after_fix(void **state)
{
	struct session *s = open_session("aks-403-firewall");
	const struct check_result *r;
	char *md, *diag, *end;
	int first, count;

	(void)state;
	walk_to(s, "aks.403.firewall");
	r = session_node_result(s);
	if (!r)
		r = run_here(s);
	assert_int_equal(r->verdict, CHECK_FAIL);
	plan_fix(s);
	/* one address: the singular, no "address(es)" */
	if (!strstr(session_plan(s)->summary, "the outbound address 20.") ||
	    strstr(session_plan(s)->summary, "(es)"))
		fail_msg("plan summary: %s", session_plan(s)->summary);
	while (session_fix_group(s, &first, &count)) {
		struct ad_error err = { 0 };

		assert_int_equal(session_fix_apply_group(s, &err), 0);
		assert_int_equal(session_wait(s), SESSION_DONE);
	}
	assert_int_equal(session_fix_count(s), 1);
	assert_int_equal(session_fix_at(s, 0)->state, SESSION_FIX_APPLIED);
	assert_null(session_verdict(s));
	r = session_result(s, "aks.403.firewall");
	assert_int_equal(r->verdict, CHECK_PASS);
	if (!strstr(r->summary, "outbound address (") || strstr(r->summary, "(es)"))
		fail_msg("pass line: %s", r->summary);
	/* the pull-failure events still read as a failure */
	r = session_result(s, "aks.events");
	assert_non_null(r);
	assert_int_equal(r->verdict, CHECK_FAIL);

	md = report_markdown(s);
	assert_non_null(md);
	diag = strstr(md, "## Diagnosis");
	assert_non_null(diag);
	end = strstr(diag, "## Context");
	assert_non_null(end);
	*end = '\0';
	if (strstr(diag, "no check failed") ||
	    !strstr(diag, "`network-rule-add` (`aks.403.firewall`: pass)") ||
	    !strstr(diag, "kubelet retries") || !strstr(diag, "`aks.events`") ||
	    !strstr(diag, "No other check fails"))
		fail_msg("the Diagnosis after a fix reads: %s", diag);
	free(md);
	session_free(s);
}

static void test_decline_changes_nothing(void **state)
{
	struct session *s = open_session("aks-401-no-acrpull");
	const struct check_result *r;
	char *before, *after;

	(void)state;
	walk_to(s, "aks.401.acrpull");
	if (!session_node_result(s))
		run_here(s);
	before = scenario_world_dump(session_scenario(s));
	plan_fix(s);
	assert_int_equal(session_fix_decline(s), 0);
	assert_null(session_plan(s));
	after = scenario_world_dump(session_scenario(s));
	assert_string_equal(before, after);
	assert_int_equal(session_fix_count(s), 1);
	assert_int_equal(session_fix_at(s, 0)->state, SESSION_FIX_DECLINED);
	assert_int_equal(session_fix_at(s, 0)->steps_sent, 0);
	assert_int_equal(session_audit_count(s), 1);
	assert_non_null(strstr(session_audit_at(s, 0), "fix=attach-acr declined"));
	r = run_here(s);
	assert_int_equal(r->verdict, CHECK_FAIL);
	/* the fix is still offered */
	assert_non_null(session_node_fix(s));
	free(before);
	free(after);
	session_free(s);
}

static void test_history(void **state)
{
	struct session *s = open_session("aks-401-no-acrpull");
	const struct tree_node *root = session_node(s), *second;
	struct ad_error err = { 0 };

	(void)state;
	assert_int_equal(session_path_len(s), 1);
	assert_false(session_can_back(s));
	assert_int_equal(session_back(s), AD_EINVAL);
	assert_int_equal(session_forward(s), AD_EINVAL);
	assert_true(step(s));
	second = session_node(s);
	assert_ptr_not_equal(second, root);
	assert_int_equal(session_path_len(s), 2);
	assert_ptr_equal(session_path_node(s, 0), root);
	assert_ptr_equal(session_path_node(s, 1), second);

	assert_int_equal(session_back(s), 0);
	assert_ptr_equal(session_node(s), root);
	assert_int_equal(session_path_len(s), 1);
	assert_true(session_can_forward(s));
	assert_int_equal(session_forward(s), 0);
	assert_ptr_equal(session_node(s), second);
	assert_false(session_can_forward(s));

	/* a new move drops the forward history */
	assert_int_equal(session_back(s), 0);
	assert_int_equal(session_goto(s, "aks.401", &err), 0);
	assert_string_equal(node_id(s), "aks.401");
	assert_false(session_can_forward(s));
	assert_int_equal(session_goto(s, "no.such.node", &err), AD_ENOTFOUND);
	assert_string_equal(node_id(s), "aks.401");

	/* walk on, then restart: back at the root, results forgotten */
	walk_to(s, "aks.401.acrpull");
	if (!session_node_result(s))
		run_here(s);
	assert_true(session_result_count(s) > 0);
	assert_int_equal(session_restart(s), 0);
	assert_ptr_equal(session_node(s), root);
	assert_int_equal(session_path_len(s), 1);
	assert_false(session_can_forward(s));
	assert_int_equal(session_result_count(s), 0);
	assert_null(session_result(s, "aks.401.acrpull"));
	session_free(s);
}

static void test_placeholders(void **state)
{
	struct session *s = open_session("aks-401-no-acrpull");
	char buf[1024];

	(void)state;
	session_expand(s, "az aks show -g {resource_group} -n {cluster}", buf, sizeof buf);
	assert_string_equal(buf, "az aks show -g rg-shop -n aks-shop");
	session_expand(s, "{registry} {login_server} {namespace}/{pod}", buf, sizeof buf);
	assert_string_equal(buf, "acrshop acrshop.azurecr.io default/web-7d4b9c-x2x4q");
	session_expand(s, "{registry_id}", buf, sizeof buf);
	assert_string_equal(buf, "/subscriptions/3f2d6a1e-8c4b-4f0e-9b7a-2c1d5e6f7a8b"
			    "/resourceGroups/rg-registry/providers/"
			    "Microsoft.ContainerRegistry/registries/acrshop");
	session_expand(s, "{repository}:{tag}", buf, sizeof buf);
	assert_string_equal(buf, "shop/web:1.4.2");
	/* unknown names stay visible; jsonpath and JMESPath braces stay */
	session_expand(s, "--assignee {no_such_thing}", buf, sizeof buf);
	assert_string_equal(buf, "--assignee <no_such_thing>");
	session_expand(s, "-o jsonpath={.data.\\.dockerconfigjson}", buf, sizeof buf);
	assert_string_equal(buf, "-o jsonpath={.data.\\.dockerconfigjson}");
	session_expand(s, "--query \"[].{name:name}\" {", buf, sizeof buf);
	assert_string_equal(buf, "--query \"[].{name:name}\" {");
	/* before any check, the kubelet identity is not known */
	session_expand(s, "{kubelet_client_id}", buf, sizeof buf);
	assert_string_equal(buf, "<kubelet_client_id>");
	walk_to(s, "aks.401.acrpull");
	if (!session_node_result(s))
		run_here(s);
	session_expand(s, "{kubelet_client_id}", buf, sizeof buf);
	assert_true(buf[0] != '<');
	assert_int_equal(strlen(buf), 36);   /* a GUID from the cluster */
	session_expand(s, "{node_resource_group}", buf, sizeof buf);
	assert_string_equal(buf, "MC_rg-shop_aks-shop_westeurope");
	/* a small buffer is cut, never overrun */
	session_expand(s, "{registry_id}", buf, 10);
	assert_int_equal(strlen(buf), 9);
	session_free(s);
}

static void test_applicability(void **state)
{
	struct session *s = open_session("aks-401-no-acrpull");
	struct session_item items[SESSION_MAX_ITEMS];
	size_t n, i;
	const struct tree_node *root = session_node(s);

	(void)state;
	/* the web app branch is hidden in an AKS world */
	n = session_items(s, items, SESSION_MAX_ITEMS);
	for (i = 0; i < n; i++)
		if (items[i].kind == SESSION_ITEM_CHOICE) {
			const struct tree_node *t = tree_find(session_tree(s),
				root->choices[items[i].arg].next);

			assert_true(session_applies(s, t));
			assert_true(strncmp(t->id, "webapp.", 7) != 0);
		}
	/* a managed-identity cluster skips the service-principal checks */
	walk_to(s, "aks.401.acrpull");
	if (!session_node_result(s))
		run_here(s);
	assert_true(session_auth(s) & TREE_APPLIES_MSI);
	assert_false(session_auth(s) & TREE_APPLIES_SP);
	{
		struct ad_error err = { 0 };

		assert_int_equal(session_goto(s, "aks.401.sp-expired", &err), 0);
		assert_string_not_equal(node_id(s), "aks.401.sp-expired");
		assert_string_not_equal(node_id(s), "aks.401.sp-mismatch");
	}
	session_free(s);
}

#define ACR_DENIED \
	"Failed to pull image \"acrshop.azurecr.io/shop/web:1.4.2\": rpc error: " \
	"code = Unknown desc = Error response from daemon: Head " \
	"\"https://acrshop.azurecr.io/v2/shop/web/manifests/1.4.2\": denied"

static void test_message(void **state)
{
	struct session *s = open_session("aks-401-no-acrpull");
	struct ad_error err = { 0 };

	(void)state;
	assert_int_equal(session_message(s,
		"Failed to pull image \"acrshop.azurecr.io/shop/web:1.4.2\": "
		"rpc error: code = Unknown desc = failed to pull and unpack image: "
		"failed to resolve reference: failed to authorize: failed to fetch "
		"oauth token: unexpected status: 401 Unauthorized", &err), 0);
	assert_string_equal(session_message_cause(s), "aks.401");
	assert_string_equal(node_id(s), "aks.401");
	assert_non_null(strstr(session_context(s)->message, "401 Unauthorized"));
	assert_int_equal(session_message(s, "the coffee machine is empty", &err),
			 AD_ENOTFOUND);
	assert_string_equal(node_id(s), "aks.401");
	assert_int_equal(session_message(s, "", &err), AD_EINVAL);
	session_free(s);

	/* A bare "denied" from ACR fits the firewall and a refused identity:
	 * the wizard goes to the first and names the other. */
	s = open_session("aks-401-no-acrpull");
	assert_int_equal(session_message(s, ACR_DENIED, &err), 0);
	assert_string_equal(session_message_cause(s), "aks.403");
	assert_string_equal(node_id(s), "aks.403");
	assert_non_null(session_message_alternative(s, 0));
	assert_string_equal(session_message_alternative(s, 0), "aks.401");
	assert_null(session_message_alternative(s, 1));
	/* an unambiguous message leaves none */
	assert_int_equal(session_message(s,
		"Failed to pull image \"acrshop.azurecr.io/shop/web:1.4.2\": "
		"failed to resolve reference: failed to authorize: failed to fetch "
		"oauth token: unexpected status: 401 Unauthorized", &err), 0);
	assert_null(session_message_alternative(s, 0));
	session_free(s);

	/* In a web app's world the alternative is the web app's twin. */
	s = open_session("webapp-ip-denied");
	assert_int_equal(session_message(s, ACR_DENIED, &err), 0);
	assert_string_equal(session_message_cause(s), "webapp.ip-denied");
	assert_non_null(session_message_alternative(s, 0));
	assert_string_equal(session_message_alternative(s, 0),
			    "webapp.unauthorized");
	session_free(s);

	/* The same words in a web app's log lead to the web app's cause. */
	s = open_session("webapp-ip-denied");
	assert_int_equal(session_message(s,
		"denied: client with IP '20.50.1.1' is not allowed access. "
		"Refer https://aka.ms/acr/firewall to grant access.", &err), 0);
	assert_string_equal(node_id(s), "webapp.ip-denied");
	assert_string_equal(session_message_cause(s), "webapp.ip-denied");
	/* an AKS-only cause does not apply to a web app: stay put */
	assert_int_equal(session_message(s,
		"Failed to pull image \"acrshop.azurecr.io/shop/web:1.4.2\": "
		"pull QPS exceeded.", &err), AD_EINVAL);
	assert_string_equal(node_id(s), "webapp.ip-denied");
	session_free(s);
}

/* A world that answers slowly, to cancel a check while it runs.  The
 * cancel comes while a request is in its wait (not before the worker
 * started one), and the request is cut short: none is answered. */
static void test_cancel(void **state)
{
	char path[] = "/tmp/acr-doctor-slow-XXXXXX.json";
	const char *doc = "{\"format\":\"acr-doctor-scenario/1\",\"name\":\"slow\","
		"\"summary\":\"slow world\",\"base\":\"aks-401-no-acrpull\","
		"\"latency_ms\":5000}";
	struct session *s;
	struct session_item items[SESSION_MAX_ITEMS];
	struct ad_error err = { 0 };
	const struct check_result *r;
	int fd, waiting = 0, answered = -1, polls;

	(void)state;
	fd = mkstemps(path, 5);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, doc, strlen(doc)), (ssize_t)strlen(doc));
	close(fd);
	s = open_session(path);
	unlink(path);
	assert_int_equal(session_goto(s, "aks.401.acrpull", &err), 0);
	/* idle, the step has items: the busy assertion below can fail */
	assert_true(session_items(s, items, SESSION_MAX_ITEMS) > 0);
	scenario_traffic(session_scenario(s), NULL, &answered);
	assert_int_equal(answered, 0);
	assert_int_equal(session_check_start(s, NULL, &err), 0);
	assert_int_equal(session_check_poll(s), SESSION_BUSY);
	/* busy: nothing else may start or move, and no item is offered */
	assert_int_equal(session_check_start(s, NULL, &err), AD_EINVAL);
	assert_int_equal(session_back(s), AD_EINVAL);
	assert_int_equal(session_items(s, items, SESSION_MAX_ITEMS), 0);
	/* wait for the state: a request is in its 5 s wait */
	for (polls = 0; polls < 100000 && waiting == 0; polls++) {
		scenario_traffic(session_scenario(s), &waiting, NULL);
		if (!waiting)
			usleep(100);
	}
	assert_int_equal(waiting, 1);
	session_check_cancel(s);
	assert_int_equal(session_wait(s), SESSION_DONE);
	scenario_traffic(session_scenario(s), &waiting, &answered);
	assert_int_equal(waiting, 0);
	assert_int_equal(answered, 0);          /* cut short, not waited out */
	r = session_node_result(s);
	assert_non_null(r);
	assert_int_equal(r->verdict, CHECK_UNKNOWN);
	assert_non_null(strstr(r->summary, "cancel"));
	assert_int_equal(session_check_poll(s), SESSION_IDLE);
	assert_true(session_items(s, items, SESSION_MAX_ITEMS) > 0);
	session_free(s);
}

static void test_report_write(void **state)
{
	struct session *s = open_session("aks-401-no-acrpull");
	struct ad_error err = { 0 };
	char dir[] = "/tmp/acr-doctor-report-XXXXXX", path[1024], path2[1024];
	FILE *fp;
	char buf[256];

	(void)state;
	assert_non_null(mkdtemp(dir));
	walk_to(s, "aks.401.acrpull");
	if (!session_node_result(s))
		run_here(s);
	assert_int_equal(report_write(s, dir, path, sizeof path, &err), 0);
	assert_non_null(strstr(path, "/acr-doctor-report-aks-401-no-acrpull-"));
	assert_non_null(strstr(path, ".md"));
	fp = fopen(path, "r");
	assert_non_null(fp);
	assert_non_null(fgets(buf, sizeof buf, fp));
	fclose(fp);
	assert_non_null(strstr(buf, "# "));
	assert_non_null(strstr(buf, "aks-401-no-acrpull"));
	/* a second export in the same second gets its own file */
	assert_int_equal(report_write(s, dir, path2, sizeof path2, &err), 0);
	assert_string_not_equal(path, path2);
	unlink(path);
	unlink(path2);
	/* a directory that does not exist is an error, not a crash */
	assert_int_equal(report_write(s, "/nonexistent/dir", path, sizeof path,
				      &err), AD_EIO);
	assert_string_equal(path, "");
	rmdir(dir);
	session_free(s);
}

/* An App Service world: the report holds the verdict, never the
 * registry's admin passwords. */
static void test_webapp_report(void **state)
{
	struct session *s = open_session("webapp-admin-mismatch");
	char *md, *secrets[64];
	size_t nsec;
	int guard = 0;

	(void)state;
	while (step(s) && guard++ < 80)
		;
	assert_int_equal(session_node(s)->kind, TREE_VERDICT);
	nsec = world_secrets(s, secrets, 64);
	assert_true(nsec > 0);
	md = report_markdown(s);
	assert_non_null(md);
	assert_no_secret(md, secrets, nsec);
	assert_non_null(strstr(md, session_verdict(s)->title));
	free(md);
	free_secrets(secrets, nsec);
	session_free(s);
}

/* Nothing pasted: the report's Context says which message the checks
 * read themselves (the pod's event) and what it reads as; a pasted one
 * is shown as the context's message instead, not twice. */
static void test_report_read_message(void **state)
{
	struct session *s = open_session("aks-notfound-tag");
	char *md;
	int guard = 0;

	(void)state;
	md = report_markdown(s);
	assert_non_null(md);
	assert_null(strstr(md, "| message read from |"));
	free(md);
	while (step(s) && guard++ < 80)
		;
	assert_int_equal(session_node(s)->kind, TREE_VERDICT);
	md = report_markdown(s);
	assert_non_null(md);
	if (!strstr(md, "| message read from | event |") ||
	    !strstr(md, "| message read | Failed to pull image") ||
	    !strstr(md, "| message classified as | aks.notfound |"))
		fail_msg("no message read in the Context table: %s", md);
	free(md);
	session_free(s);
}

/* Every built-in scenario walked as a user taking the obvious answer at
 * each step (the suggested choice, Continue, no fix applied) ends on the
 * verdict the scenario teaches: the wizard and diagnose agree. */
/* A world whose pull-failure event and pasted message quote credentials
 * in the forms people paste them: the report (its Context table, the
 * checks' evidence) and the message the wizard keeps show none. */
static void test_report_masks_pasted_secrets(void **state)
{
	char path[1024];
	const char *dir = getenv("TEST_DATA_DIR");
	struct session *s;
	struct ad_error err = { 0 };
	char *md;
	int guard = 0;

	(void)state;
	snprintf(path, sizeof path, "%s/scenarios/secret-event.json",
		 dir ? dir : "../../tests/data");
	s = open_session(path);
	md = report_markdown(s);
	assert_non_null(md);
	assert_non_null(strstr(md, "| message | "));
	assert_non_null(strstr(md, "-p \\*\\*\\*"));   /* escaped for Markdown */
	if (strstr(md, "S3cr3t") || strstr(md, "YWNyc2hvcDpTM2NyM3Qt"))
		fail_msg("a secret in the report: %s", md);
	free(md);
	while (step(s) && guard++ < 80)
		;
	assert_true(session_result_count(s) > 0);
	md = report_markdown(s);
	assert_non_null(md);
	assert_non_null(strstr(md, "aks.events"));
	if (strstr(md, "S3cr3t") || strstr(md, "YWNyc2hvcDpTM2NyM3Qt"))
		fail_msg("a secret in the report: %s", md);
	free(md);
	/* a message pasted in the wizard is kept masked */
	session_message(s, "az acr login -n acrshop -u acrshop -p S3cr3t-P9 "
			"AccountKey=S3cr3t-PA; 401 Unauthorized", &err);
	assert_null(strstr(session_context(s)->message, "S3cr3t"));
	assert_non_null(strstr(session_context(s)->message, "-p ***"));
	md = report_markdown(s);
	assert_non_null(md);
	assert_null(strstr(md, "S3cr3t"));
	free(md);
	session_free(s);
}

static void test_every_scenario_walk(void **state)
{
	size_t i, n = scenario_builtin_count();
	int bad = 0;

	(void)state;
	assert_true(n >= 20);
	for (i = 0; i < n; i++) {
		const char *name = scenario_builtin_name(i);
		struct session *s = open_session(name);
		const char *want = scenario_expect_cause(session_scenario(s));
		const struct tree_node *v;
		int guard;

		if (!want)
			want = "healthy";
		for (guard = 0; guard < 120 && step(s); guard++)
			;
		v = session_verdict(s);
		if (!v) {
			print_error("%s: no verdict after %d steps (at %s)\n",
				    name, guard, node_id(s));
			bad++;
		} else if (strcmp(v->cause, want) != 0) {
			print_error("%s: the walk ends at %s, the scenario teaches %s\n",
				    name, v->id, want);
			bad++;
		}
		session_free(s);
	}
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk_aks401_fix),
		cmocka_unit_test(test_report_after_fix),
		cmocka_unit_test(test_decline_changes_nothing),
		cmocka_unit_test(test_history),
		cmocka_unit_test(test_placeholders),
		cmocka_unit_test(test_applicability),
		cmocka_unit_test(test_message),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_report_write),
		cmocka_unit_test(test_webapp_report),
		cmocka_unit_test(test_report_read_message),
		cmocka_unit_test(test_report_masks_pasted_secrets),
		cmocka_unit_test(test_every_scenario_walk),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
