#include "config.h"
#include "probe.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "i18n.h"

int probe_resolve(struct node_probe *p, const char *name,
		  struct probe_dns *out, struct ad_error *err)
{
	memset(out, 0, sizeof *out);
	if (!p || !p->ops)
		return ad_error_set(err, AD_EUNSUPP,
			_("no node to run the test from"));
	return p->ops->resolve(p->impl, name, out, err);
}

int probe_tcp(struct node_probe *p, const char *host, int port,
	      int timeout_ms, enum probe_tcp *out, struct ad_error *err)
{
	if (!p || !p->ops)
		return ad_error_set(err, AD_EUNSUPP,
			_("no node to run the test from"));
	return p->ops->tcp(p->impl, host, port, timeout_ms, out, err);
}

const char *probe_tcp_str(enum probe_tcp r)
{
	switch (r) {
	case PROBE_TCP_OPEN: return "open";
	case PROBE_TCP_REFUSED: return "refused";
	case PROBE_TCP_TIMEOUT: return "timeout";
	case PROBE_TCP_UNREACHABLE: return "unreachable";
	}
	return "?";
}

void node_probe_free(struct node_probe *p)
{
	if (!p)
		return;
	if (p->ops && p->ops->free)
		p->ops->free(p->impl);
	free(p);
}
