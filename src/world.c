/* world.c - simulated worlds; live ones are opened by live.c. */
#include "config.h"
#include "world.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "facts.h"
#include "http.h"
#include "i18n.h"
#include "probe.h"
#include "scenario.h"

int world_open_scenario(const char *name, struct world **out,
			struct ad_error *err)
{
	struct world *w;

	*out = NULL;
	w = calloc(1, sizeof *w);
	if (!w)
		return ad_error_set(err, AD_ENOMEM, _("out of memory"));
	if (scenario_load(name, &w->sc, err) != 0) {
		free(w);
		return err ? err->code : AD_EINVAL;
	}
	w->ctx = *scenario_context(w->sc);
	w->http = sim_transport_new(w->sc);
	w->probe = sim_probe_new(w->sc);
	if (w->http)
		w->http->cancel = &w->cancel;
	w->facts = w->http && w->probe ?
		   facts_new(w->http, w->probe, &w->ctx) : NULL;
	if (!w->facts) {
		world_free(w);
		return ad_error_set(err, AD_ENOMEM, _("out of memory"));
	}
	/* The simulated services accept any bearer. */
	w->facts->token_arm = w->facts->token_graph = w->facts->token_kube =
		"simulated";
	snprintf(w->name, sizeof w->name, "%s", scenario_name(w->sc));
	snprintf(w->source, sizeof w->source, "%s", _("training scenario"));
	*out = w;
	return 0;
}

void world_set_probe(struct world *w, struct node_probe *p)
{
	node_probe_free(w->probe);
	w->probe = p;
	if (w->facts)
		w->facts->probe = p;
}

/* Defined in live.c; a scenario world has none. */
void live_free(void *live);

void world_free(struct world *w)
{
	if (!w)
		return;
	facts_free(w->facts);
	node_probe_free(w->probe);
	http_transport_free(w->http);
	live_free(w->live);
	scenario_free(w->sc);
	free(w);
}

const char *world_name(const struct world *w)
{
	return w->name;
}

const struct scenario *world_scenario(const struct world *w)
{
	return w->sc;
}

int world_is_live(const struct world *w)
{
	return w->sc == NULL;
}
