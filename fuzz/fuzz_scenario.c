/* fuzz_scenario.c - libFuzzer harness for the scenario loader and the
 * checks over the world it loads.  Any bytes in: either a rejection with
 * a message, or a world that diagnose runs through every check; every
 * string of diagnose's JSON (what `diagnose --json` prints) must be clean
 * UTF-8 without control characters. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "context.h"
#include "diagnose.h"
#include "err.h"
#include "facts.h"
#include "fuzz_util.h"
#include "http.h"
#include "probe.h"
#include "scenario.h"
#include "scenario_priv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scenario *s = NULL;
	struct ad_error err = { 0 };
	struct http_transport *t;
	struct node_probe *p;
	struct facts *f;
	struct ad_context ctx;
	struct diagnosis d;
	cJSON *j;

	if (size > (1u << 20))
		return 0;
	if (scenario_parse((const char *)data, size, "fuzz.json", &s, &err) != 0) {
		if (!memchr(err.msg, '\0', sizeof err.msg) || !err.msg[0]) {
			fprintf(stderr, "a rejection without a message\n");
			abort();
		}
		return 0;
	}
	s->latency_ms = 0;              /* no sleeping while fuzzing */
	ctx = *scenario_context(s);
	t = sim_transport_new(s);
	p = sim_probe_new(s);
	f = t && p ? facts_new(t, p, &ctx) : NULL;
	if (f) {
		f->token_arm = f->token_graph = f->token_kube = "simulated";
		if (diagnose_run(f, &d, NULL) == 0) {
			j = diagnose_json(&d);
			fuzz_json("diagnose --json", j);
			cJSON_Delete(j);
		}
		diagnose_clear(&d);
	}
	facts_free(f);
	node_probe_free(p);
	http_transport_free(t);
	scenario_free(s);
	return 0;
}
