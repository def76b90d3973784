/* harness.h - open a built-in or file scenario as a live-looking world
 * for unit tests: transport, probe and facts over it. */
#ifndef AD_TEST_HARNESS_H
#define AD_TEST_HARNESS_H

#include <stddef.h>

#include "check.h"
#include "context.h"
#include "facts.h"
#include "fix.h"
#include "scenario.h"

struct world;

/* Every pointer is the world's (owned by w). */
struct harness {
	struct world *w;
	struct scenario *sc;
	struct http_transport *http;
	struct node_probe *probe;
	struct ad_context *ctx;
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
/* Verdict of one check run, the result thrown away. */
enum check_verdict harness_verdict(struct harness *h, const char *check_id);
/* Run check_id, which must fail and offer fix_id, and plan fix_id from
 * its result; nothing is sent.  Fails the test when no plan is made. */
void harness_plan(struct harness *h, const char *check_id,
		  const char *fix_id, struct fix_plan *plan);
/* Plan fix_id on a fresh scenario and decline it: the world stays as it
 * was and check_id still fails. */
void harness_decline(const char *scenario, const char *check_id,
		     const char *fix_id);
/* Whether the JSON array arr holds the string s. */
int harness_in_list(const struct cJSON *arr, const char *s);
/* Every one of checks[0..n) passes or does not apply, says why, shows
 * its command and offers no fix. */
void harness_assert_healthy(struct harness *h, const char *const *checks,
			    size_t n);
/* Open scenario, run checks[0..n) and hold them to its "expect": the
 * failing ones fail and no others, only the unknown ones may be unknown,
 * the fix is offered and the diagnosis names the cause.  each, when not
 * NULL, sees every result too. */
void harness_expect_exactly(const char *scenario, const char *const *checks,
			    size_t n,
			    void (*each)(const struct check_result *res));

/* Each test file lists the secrets of its worlds; these fail the test
 * when text shows one of secrets[0..n) or "+ACR", the mark every registry
 * password in the test worlds carries.  NULL text is clean. */
void harness_assert_no_secret(const char *text, const char *const *secrets,
			      size_t n);
/* Summary, command, evidence and fix data. */
void harness_assert_result_clean(const struct check_result *res,
				 const char *const *secrets, size_t n);
/* Summary, manual text and every field of every step. */
void harness_assert_plan_clean(const struct fix_plan *plan,
			       const char *const *secrets, size_t n);
/* Open scenario, run checks[0..n), plan the fix each failing one offers
 * (every plan must be made) and diagnose: no secret shows in a result, a
 * plan, a planning error or the diagnosis.  Returns how many results had
 * a "password" in their evidence, so a caller can tell that passwords
 * were really compared. */
int harness_assert_secrets_hidden(const char *scenario,
				  const char *const *checks, size_t n,
				  const char *const *secrets, size_t nsecrets);
/* Path of a file under TEST_DATA_DIR (static buffer). */
const char *harness_data(const char *rel);

#endif
