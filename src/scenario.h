/* scenario.h - recorded worlds for training and tests.
 *
 * A scenario (data/scenarios/README.md is the public format) holds a
 * context, the HTTP exchanges the world answers with, the node's DNS and
 * TCP outcomes, reactions (side effects of writes, as Azure would do
 * them) and the diagnosis it expects.  The sim transport and sim probe
 * serve a loaded scenario; writes change the world in memory. */
#ifndef AD_SCENARIO_H
#define AD_SCENARIO_H

#include <stddef.h>

#include "context.h"

struct ad_error;
struct cJSON;
struct http_transport;
struct node_probe;

#define SCENARIO_FORMAT "acr-doctor-scenario/1"

struct scenario;   /* opaque */

/* name_or_file: a built-in name ("aks-401-no-acrpull") or a path (has a
 * '/' or ends in .json).  Bases ("base": "<built-in name>") are resolved
 * and merged.  *out owned by caller. */
int scenario_load(const char *name_or_file, struct scenario **out,
		  struct ad_error *err);
/* Parse from memory; origin names it in errors. */
int scenario_parse(const char *json, size_t len, const char *origin,
		   struct scenario **out, struct ad_error *err);
void scenario_free(struct scenario *s);

const char *scenario_name(const struct scenario *s);
/* The summary and the trainer notes (or NULL) in the user's language
 * when they are a built-in scenario's. */
const char *scenario_summary(const struct scenario *s);
const char *scenario_notes(const struct scenario *s);
const struct ad_context *scenario_context(const struct scenario *s);
/* Expected diagnosis: cause id or NULL (healthy), failing check ids. */
const char *scenario_expect_cause(const struct scenario *s);
const struct cJSON *scenario_expect(const struct scenario *s);
/* Simulated latency per request, ms (0 by default). */
int scenario_latency_ms(const struct scenario *s);

/* A web app's container log as the world serves it (POST .../sites/
 * {webapp}/containerlogs without an http entry), made from the context's
 * message (data/scenarios/README.md): *text an owned string, or NULL
 * when the log is empty (App Service answers 204).  0 or AD_ENOMEM. */
int scenario_container_log(const struct scenario *s, char **text);

/* Built-in scenarios: names in a stable order. */
size_t scenario_builtin_count(void);
const char *scenario_builtin_name(size_t i);
/* Summary of built-in i without keeping it loaded ("" on error). */
int scenario_builtin_summary(size_t i, char *buf, size_t len);

/* The world as JSON (for tests: compare before/after a declined fix).
 * Caller frees the string with free(). */
char *scenario_world_dump(const struct scenario *s);

/* Requests of the simulated transport: how many are in their latency
 * wait now, and how many got past it and were answered.  For tests that
 * must cancel a request in flight and tell that it was cut short. */
void scenario_traffic(const struct scenario *s, int *waiting, int *answered);

/* Transport and probe over s (s must outlive them). */
struct http_transport *sim_transport_new(struct scenario *s);
struct node_probe *sim_probe_new(struct scenario *s);

#endif
