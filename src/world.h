/* world.h - what a run looks at: a simulated scenario or live Azure.
 *
 * A world bundles the transport, the node probe, the credentials, the
 * context and (training) the scenario, and the facts over them.  The
 * session, `diagnose`, `fix`, the report and the result screen take a
 * world and never ask which kind it is, except to show it.
 *
 * Ownership: the world owns everything it holds; world_free(NULL) is a
 * no-op.  The cancel flag is the transport's: set it from any thread. */
#ifndef AD_WORLD_H
#define AD_WORLD_H

#include <stdio.h>

#include "context.h"
#include "cancel.h"

struct ad_error;
struct facts;
struct scenario;
struct http_transport;
struct node_probe;

struct world {
	struct ad_context ctx;
	struct scenario *sc;          /* training; NULL when live */
	struct http_transport *http;
	struct node_probe *probe;     /* NULL: node checks say unknown */
	struct facts *facts;
	void *live;                   /* credentials, kubeconfig (live.c) */
	ad_cancel_flag cancel;
	char name[128];               /* scenario name, or "live" */
	char source[160];             /* shown: "scenario", "live: azure cli" */
};

/* A built-in scenario name or a scenario file. */
int world_open_scenario(const char *name, struct world **out,
			struct ad_error *err);
void world_free(struct world *w);

/* Replace the world's node probe (an SSH probe instead of the
 * scenario's); the world takes ownership of p. */
void world_set_probe(struct world *w, struct node_probe *p);

const char *world_name(const struct world *w);
/* The scenario, or NULL for a live world. */
const struct scenario *world_scenario(const struct world *w);
int world_is_live(const struct world *w);

#endif
