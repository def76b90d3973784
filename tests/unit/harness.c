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

#include "err.h"

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
	if (scenario_load(name, &h->sc, &err) != 0) {
		print_error("cannot load scenario %s: %s\n", name, err.msg);
		free(h);
		fail();
	}
	h->ctx = *scenario_context(h->sc);
	h->http = sim_transport_new(h->sc);
	h->probe = sim_probe_new(h->sc);
	assert_non_null(h->http);
	assert_non_null(h->probe);
	h->facts = facts_new(h->http, h->probe, &h->ctx);
	assert_non_null(h->facts);
	h->facts->token_arm = h->facts->token_graph = h->facts->token_kube =
		"test-token";
	return h;
}

void harness_close(struct harness *h)
{
	if (!h)
		return;
	facts_free(h->facts);
	node_probe_free(h->probe);
	http_transport_free(h->http);
	scenario_free(h->sc);
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
