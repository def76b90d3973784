/* harness.h - open a built-in or file scenario as a live-looking world
 * for unit tests: transport, probe and facts over it. */
#ifndef AD_TEST_HARNESS_H
#define AD_TEST_HARNESS_H

#include "check.h"
#include "context.h"
#include "facts.h"
#include "fix.h"
#include "scenario.h"

struct harness {
	struct scenario *sc;
	struct http_transport *http;
	struct node_probe *probe;
	struct ad_context ctx;
	struct facts *facts;
};

/* Fails the running cmocka test when the scenario cannot be loaded.  A
 * name with '/' or ending in .json is looked up under TEST_DATA_DIR
 * (tests/data) when it is not an existing path. */
struct harness *harness_open(const char *scenario);
void harness_close(struct harness *h);
enum check_verdict harness_check(struct harness *h, const char *check_id,
				 struct check_result *res);
/* Run check_id, plan fix_id from its result, apply every step.  0 or the
 * first error. */
int harness_fix(struct harness *h, const char *check_id, const char *fix_id);
char *harness_world(struct harness *h);
/* Path of a file under TEST_DATA_DIR (static buffer). */
const char *harness_data(const char *rel);

#endif
