/* probe_ssh.h - the live node probe: DNS and TCP tests run on a node
 * over SSH (ssh.h), where kubelet stands.
 *
 * resolve: nslookup NAME over an exec channel (getent ahosts NAME when
 *   the node has no nslookup), parsed into struct probe_dns: addresses,
 *   the CNAME chain (through privatelink.*), NXDOMAIN / SERVFAIL /
 *   NODATA / TIMEOUT / NOTFOUND (getent), the resolver used.
 * tcp: a direct-tcpip channel from the node to host:port (no tool needed
 *   on the node): open, refused or timeout.
 *
 * The node's shell sees only names that pass sshconf_name_valid(); any
 * other name is refused before anything is sent.  The connection is made
 * at the first test and kept; a failure to connect is remembered and
 * returned by every later test (one timeout, not one per check), except
 * a cancel. */
#ifndef AD_PROBE_SSH_H
#define AD_PROBE_SSH_H

#include <stddef.h>

#include "probe.h"
#include "ssh.h"

struct ad_error;

/* A probe over o (copied; callbacks and their data must outlive it).
 * 0 and *out (free with node_probe_free), or AD_EINVAL when o has no
 * node, AD_ENOMEM.  Nothing is connected yet. */
int probe_ssh_new(const struct ssh_opts *o, struct node_probe **out,
		  struct ad_error *err);

/* The remote command for name into buf: 0, or AD_EINVAL when name is not
 * a valid DNS name (nothing to send), AD_ENOMEM when buf is short. */
int probe_ssh_command(const char *name, char *buf, size_t len);

/* Parse what that command printed (bounded; hostile text is ignored
 * line by line) into out. */
void probe_ssh_parse(const char *text, const char *name,
		     struct probe_dns *out);

/* "ssh [-J ...] [-p N] user@node": the prefix of the equivalent commands
 * ("" when p is not an SSH probe). */
void probe_ssh_command_line(const struct node_probe *p, char *buf,
			    size_t len);

#endif
