/* scenario_priv.h - the scenario's insides, shared by scenario.c (loading)
 * and sim.c (serving it).  Nobody else includes this. */
#ifndef AD_SCENARIO_PRIV_H
#define AD_SCENARIO_PRIV_H

#include <cjson/cJSON.h>

#include "context.h"

struct scenario {
	char name[65];
	char *summary;
	char *notes;
	char *origin;
	struct ad_context ctx;
	cJSON *expect;      /* object */
	cJSON *http;        /* array of entries; mutated by writes */
	cJSON *hosts;       /* object host -> failure */
	cJSON *node;        /* object */
	cJSON *reactions;   /* array */
	cJSON *kube_deny;   /* array of rules: what the caller may not do
			     * on the cluster's API */
	int latency_ms;
	int waiting;        /* requests in their latency wait (atomic) */
	int answered;       /* requests past it (atomic) */
};

#endif
