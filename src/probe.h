/* probe.h - the one node-probe interface.
 *
 * What a check needs to learn from inside the cluster's network: how a
 * node resolves a name and whether it can open a TCP connection.  The
 * simulated probe answers from a scenario; the live one (later) runs the
 * test on a node over SSH.  A probe that cannot run returns an error and
 * the check says unknown. */
#ifndef AD_PROBE_H
#define AD_PROBE_H

struct ad_error;

#define PROBE_MAX_ADDRS 8

struct probe_dns {
	int naddr;
	char addr[PROBE_MAX_ADDRS][64];
	char answer_error[64];   /* "NXDOMAIN", "SERVFAIL"... when naddr == 0 */
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
};

struct node_probe {
	const struct probe_ops *ops;
	void *impl;
	char node[128];          /* which node answers: shown as evidence */
};

int probe_resolve(struct node_probe *p, const char *name,
		  struct probe_dns *out, struct ad_error *err);
int probe_tcp(struct node_probe *p, const char *host, int port,
	      int timeout_ms, enum probe_tcp *out, struct ad_error *err);
const char *probe_tcp_str(enum probe_tcp r);
void node_probe_free(struct node_probe *p);

#endif
