#include "config.h"
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <cjson/cJSON.h>

#include "diagnose.h"
#include "err.h"
#include "jsonu.h"
#include "world.h"

const char *harness_data(const char *rel)
{
	static char path[4096];
	const char *dir = getenv("TEST_DATA_DIR");
	const char *src = getenv("srcdir");

	if (dir)
		snprintf(path, sizeof path, "%s/%s", dir, rel);
	else if (src)
		snprintf(path, sizeof path, "%s/data/%s", src, rel);
	else
		snprintf(path, sizeof path, "tests/data/%s", rel);
	return path;
}

struct harness *harness_open(const char *scenario)
{
	struct harness *h = calloc(1, sizeof *h);
	struct ad_error err = { 0 };
	const char *name = scenario;

	assert_non_null(h);
	if ((strchr(scenario, '/') || strstr(scenario, ".json")) &&
	    access(scenario, R_OK) != 0)
		name = harness_data(scenario);
	if (world_open_scenario(name, &h->w, &err) != 0) {
		print_error("cannot load scenario %s: %s\n", name, err.msg);
		free(h);
		fail();
	}
	h->sc = h->w->sc;
	h->http = h->w->http;
	h->probe = h->w->probe;
	h->facts = h->w->facts;
	h->ctx = &h->w->ctx;
	h->facts->token_arm = h->facts->token_graph = h->facts->token_kube =
		"test-token";
	return h;
}

void harness_close(struct harness *h)
{
	if (!h)
		return;
	world_free(h->w);
	free(h);
}

enum check_verdict harness_check(struct harness *h, const char *check_id,
				 struct check_result *res)
{
	const struct check_def *def = check_find(check_id);

	if (!def) {
		print_error("no check named %s\n", check_id);
		fail();
	}
	check_run(def, h->facts, res);
	return res->verdict;
}

int harness_fix(struct harness *h, const char *check_id, const char *fix_id)
{
	struct check_result res = { 0 };
	struct fix_plan plan;
	struct ad_error err = { 0 };
	const struct fix_def *def = fix_find(fix_id);
	int rc, i;

	if (!def) {
		print_error("no fix named %s\n", fix_id);
		fail();
	}
	harness_check(h, check_id, &res);
	rc = fix_plan_make(def, h->facts, &res, &plan, &err);
	check_result_clear(&res);
	if (rc != 0) {
		print_error("plan %s failed: %s\n", fix_id, err.msg);
		return rc;
	}
	for (i = 0; i < plan.nsteps; i++) {
		long status = 0;

		rc = fix_apply_step(h->facts, &plan, i, &status, &err);
		if (rc != 0) {
			print_error("step %d of %s failed: %s\n", i + 1, fix_id,
				    err.msg);
			break;
		}
	}
	fix_plan_clear(&plan);
	return rc;
}

char *harness_world(struct harness *h)
{
	return scenario_world_dump(h->sc);
}

enum check_verdict harness_verdict(struct harness *h, const char *check_id)
{
	struct check_result res = { 0 };
	enum check_verdict v = harness_check(h, check_id, &res);

	check_result_clear(&res);
	return v;
}

void harness_plan(struct harness *h, const char *check_id,
		  const char *fix_id, struct fix_plan *plan)
{
	struct check_result res = { 0 };
	struct ad_error err = { 0 };
	const struct fix_def *def = fix_find(fix_id);
	int rc;

	assert_non_null(def);
	assert_int_equal(harness_check(h, check_id, &res), CHECK_FAIL);
	assert_non_null(res.fix);
	assert_string_equal(res.fix, fix_id);
	rc = fix_plan_make(def, h->facts, &res, plan, &err);
	if (rc != 0)
		print_error("plan %s: %s\n", fix_id, err.msg);
	assert_int_equal(rc, 0);
	check_result_clear(&res);
}

void harness_decline(const char *scenario, const char *check_id,
		     const char *fix_id)
{
	struct harness *h = harness_open(scenario);
	struct fix_plan plan;
	char *before = harness_world(h), *after;

	harness_plan(h, check_id, fix_id, &plan);
	assert_true(plan.nsteps > 0);
	fix_plan_clear(&plan);   /* the user said no */
	after = harness_world(h);
	assert_string_equal(before, after);
	assert_int_equal(harness_verdict(h, check_id), CHECK_FAIL);
	free(before);
	free(after);
	harness_close(h);
}

void harness_assert_healthy(struct harness *h, const char *const *checks,
			    size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct check_result res = { 0 };
		enum check_verdict v = harness_check(h, checks[i], &res);

		if (v != CHECK_PASS && v != CHECK_NA)
			print_error("%s: %s (%s)\n", checks[i],
				    check_verdict_str(v), res.summary);
		assert_true(v == CHECK_PASS || v == CHECK_NA);
		assert_true(res.summary[0] != '\0');
		assert_true(res.command[0] != '\0');
		assert_null(res.fix);
		check_result_clear(&res);
	}
}

int harness_in_list(const cJSON *arr, const char *s)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, arr)
		if (cJSON_IsString(it) && strcmp(it->valuestring, s) == 0)
			return 1;
	return 0;
}

void harness_expect_exactly(const char *scenario, const char *const *checks,
			    size_t n,
			    void (*each)(const struct check_result *res))
{
	struct harness *h = harness_open(scenario);
	const cJSON *exp = scenario_expect(h->sc);
	const cJSON *failing = jsonu_array(exp, "failing");
	const cJSON *unknown = jsonu_array(exp, "unknown");
	const char *want_fix = jsonu_str(exp, "fix");
	const char *want_cause = jsonu_str(exp, "cause");
	struct diagnosis d;
	int saw_fix = want_fix == NULL;
	size_t i;

	assert_non_null(failing);
	for (i = 0; i < n; i++) {
		struct check_result res = { 0 };
		enum check_verdict v = harness_check(h, checks[i], &res);
		int want = harness_in_list(failing, checks[i]);
		int may_unknown = harness_in_list(unknown, checks[i]);

		if ((v == CHECK_FAIL) != want ||
		    (v == CHECK_UNKNOWN && !may_unknown))
			print_error("%s: %s is %s (%s)\n", scenario, checks[i],
				    check_verdict_str(v), res.summary);
		assert_int_equal(v == CHECK_FAIL, want);
		if (!may_unknown)
			assert_int_not_equal(v, CHECK_UNKNOWN);
		if (v == CHECK_FAIL && res.fix && want_fix &&
		    strcmp(res.fix, want_fix) == 0)
			saw_fix = 1;
		if (each)
			each(&res);
		check_result_clear(&res);
	}
	if (!saw_fix)
		print_error("%s: fix %s not offered\n", scenario, want_fix);
	assert_true(saw_fix);
	assert_int_equal(diagnose_run(h->facts, &d, NULL), 0);
	if (want_cause) {
		assert_non_null(d.cause);
		if (strcmp(d.cause, want_cause) != 0)
			print_error("%s: cause %s, wanted %s\n", scenario,
				    d.cause, want_cause);
		assert_string_equal(d.cause, want_cause);
	} else {
		assert_null(d.cause);
	}
	diagnose_clear(&d);
	harness_close(h);
}

void harness_assert_no_secret(const char *text, const char *const *secrets,
			      size_t n)
{
	size_t i;

	if (!text)
		return;
	for (i = 0; i < n; i++) {
		if (strstr(text, secrets[i])) {
			print_error("secret %zu leaked in: %s\n", i, text);
			fail();
		}
	}
	/* Not even a recognisable fragment of one. */
	assert_null(strstr(text, "+ACR"));
}

void harness_assert_result_clean(const struct check_result *res,
				 const char *const *secrets, size_t n)
{
	char *s;

	harness_assert_no_secret(res->summary, secrets, n);
	harness_assert_no_secret(res->command, secrets, n);
	s = cJSON_PrintUnformatted(res->evidence);
	harness_assert_no_secret(s, secrets, n);
	cJSON_free(s);
	s = cJSON_PrintUnformatted(res->data);
	harness_assert_no_secret(s, secrets, n);
	cJSON_free(s);
}

void harness_assert_plan_clean(const struct fix_plan *plan,
			       const char *const *secrets, size_t n)
{
	int i;

	harness_assert_no_secret(plan->summary, secrets, n);
	harness_assert_no_secret(plan->manual, secrets, n);
	for (i = 0; i < plan->nsteps; i++) {
		harness_assert_no_secret(plan->steps[i].title, secrets, n);
		harness_assert_no_secret(plan->steps[i].url, secrets, n);
		harness_assert_no_secret(plan->steps[i].body, secrets, n);
		harness_assert_no_secret(plan->steps[i].command, secrets, n);
		harness_assert_no_secret(plan->steps[i].warning, secrets, n);
	}
}

int harness_assert_secrets_hidden(const char *scenario,
				  const char *const *checks, size_t n,
				  const char *const *secrets, size_t nsecrets)
{
	struct harness *h = harness_open(scenario);
	struct diagnosis d;
	cJSON *j;
	char *out;
	size_t i;
	int compared = 0;

	for (i = 0; i < n; i++) {
		struct check_result res = { 0 };

		harness_check(h, checks[i], &res);
		harness_assert_result_clean(&res, secrets, nsecrets);
		if (jsonu_str(res.evidence, "password"))
			compared++;
		if (res.verdict == CHECK_FAIL && res.fix) {
			struct fix_plan plan;
			struct ad_error err = { 0 };
			int rc = fix_plan_make(fix_find(res.fix), h->facts,
					       &res, &plan, &err);

			/* A refusal must not quote a secret either. */
			harness_assert_no_secret(err.msg, secrets, nsecrets);
			if (rc != 0)
				print_error("%s: plan %s: %s\n", scenario,
					    res.fix, err.msg);
			assert_int_equal(rc, 0);
			harness_assert_plan_clean(&plan, secrets, nsecrets);
			fix_plan_clear(&plan);
		}
		check_result_clear(&res);
	}
	assert_int_equal(diagnose_run(h->facts, &d, NULL), 0);
	j = diagnose_json(&d);
	out = cJSON_Print(j);
	harness_assert_no_secret(out, secrets, nsecrets);
	cJSON_free(out);
	cJSON_Delete(j);
	diagnose_clear(&d);
	harness_close(h);
	return compared;
}
