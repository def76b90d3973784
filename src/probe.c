#include "config.h"
#include "probe.h"

#include <arpa/inet.h>
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
	if (ad_cancelled(p->cancel))
		return ad_error_set(err, AD_ECANCEL, "%s", _("cancelled"));
	return p->ops->resolve(p->impl, name, out, err);
}

int probe_tcp(struct node_probe *p, const char *host, int port,
	      int timeout_ms, enum probe_tcp *out, struct ad_error *err)
{
	if (!p || !p->ops)
		return ad_error_set(err, AD_EUNSUPP,
			_("no node to run the test from"));
	if (ad_cancelled(p->cancel))
		return ad_error_set(err, AD_ECANCEL, "%s", _("cancelled"));
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

void probe_command(struct node_probe *p, const char *what, const char *arg,
		   int port, char *buf, size_t len)
{
	if (len)
		buf[0] = '\0';
	if (p && p->ops && p->ops->command && what && arg)
		p->ops->command(p->impl, what, arg, port, buf, len);
}

int probe_addr_private(const char *addr)
{
	unsigned char b[16];

	if (addr && inet_pton(AF_INET, addr, b) == 1)
		return b[0] == 10 || b[0] == 127 ||
		       (b[0] == 172 && (b[1] & 0xf0) == 16) ||
		       (b[0] == 192 && b[1] == 168) ||
		       (b[0] == 169 && b[1] == 254) ||
		       (b[0] == 100 && (b[1] & 0xc0) == 64);
	if (addr && inet_pton(AF_INET6, addr, b) == 1) {
		static const unsigned char lo[16] = { [15] = 1 };

		return (b[0] & 0xfe) == 0xfc ||
		       (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) ||
		       memcmp(b, lo, 16) == 0;
	}
	return -1;
}

void node_probe_free(struct node_probe *p)
{
	if (!p)
		return;
	if (p->ops && p->ops->free)
		p->ops->free(p->impl);
	free(p);
}
