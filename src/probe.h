/* probe.h - the one node-probe interface.
 *
 * What a check needs to learn from inside the cluster's network: how a
 * node resolves a name and whether it can open a TCP connection.  The
 * simulated probe answers from a scenario; the live one (probe_ssh.h)
 * runs the test on a node over SSH.  A probe that cannot run returns an
 * error and the check says unknown. */
#ifndef AD_PROBE_H
#define AD_PROBE_H

#include <stddef.h>
#include "cancel.h"

struct ad_error;

#define PROBE_MAX_ADDRS 8
#define PROBE_MAX_CNAMES 8

struct probe_dns {
	int naddr;
	char addr[PROBE_MAX_ADDRS][64];
	char answer_error[64];   /* "NXDOMAIN", "SERVFAIL"... when naddr == 0 */
	/* What the live probe also learns (the simulated one leaves these
	 * empty): the CNAME chain from the name asked, in order, each name
	 * validated; whether it passes through a privatelink.* zone; the
	 * resolver that answered ("127.0.0.1#53") and how ("nslookup",
	 * "getent"). */
	int ncname;
	char cname[PROBE_MAX_CNAMES][256];
	int via_privatelink;
	char resolver[64];
	char method[16];
};

enum probe_tcp {
	PROBE_TCP_OPEN,
	PROBE_TCP_REFUSED,
	PROBE_TCP_TIMEOUT,
	PROBE_TCP_UNREACHABLE
};

struct probe_ops {
	const char *name;
	/* 0 when the node answered (even NXDOMAIN); negative when the probe
	 * itself could not run. */
	int (*resolve)(void *impl, const char *name, struct probe_dns *out,
		       struct ad_error *err);
	int (*tcp)(void *impl, const char *host, int port, int timeout_ms,
		   enum probe_tcp *out, struct ad_error *err);
	void (*free)(void *impl);
	/* Optional (NULL: none): the command a person would type for the
	 * same test, for evidence.  what is "resolve" (arg = name) or "tcp"
	 * (arg = host, port); buf gets "" when there is none. */
	void (*command)(void *impl, const char *what, const char *arg,
			int port, char *buf, size_t len);
};

struct node_probe {
	const struct probe_ops *ops;
	void *impl;
	char node[128];          /* which node answers: shown as evidence */
	/* Set by the owner (may be NULL): while *cancel is non-zero the
	 * probe functions return AD_ECANCEL, and a running live probe stops
	 * within a fraction of a second. */
	ad_cancel_flag *cancel;
};

int probe_resolve(struct node_probe *p, const char *name,
		  struct probe_dns *out, struct ad_error *err);
int probe_tcp(struct node_probe *p, const char *host, int port,
	      int timeout_ms, enum probe_tcp *out, struct ad_error *err);
const char *probe_tcp_str(enum probe_tcp r);
/* The equivalent command of a test ("ssh -J ... user@node nslookup NAME",
 * "ssh ... nc -vz HOST 443"), "" when the probe has none. */
void probe_command(struct node_probe *p, const char *what, const char *arg,
		   int port, char *buf, size_t len);
/* 1 for a private address (RFC 1918, 100.64/10 shared, loopback,
 * link-local, IPv6 ULA fc00::/7 and fe80::/10), 0 for any other address,
 * -1 when addr is not an IPv4/IPv6 literal. */
int probe_addr_private(const char *addr);
void node_probe_free(struct node_probe *p);

#endif
