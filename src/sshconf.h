/* sshconf.h - the part of ~/.ssh/config that reaching a node needs,
 * jump-host lists and the validation of names.
 *
 * Supported: Host blocks with pattern lists (* ? and !negation, several
 * patterns a line), Match blocks skipped (never apply), keywords
 * HostName (%h, %%), User, Port, IdentityFile (~, %d, %h, %u, %r, %%; up
 * to SSHCONF_MAX_IDS), ProxyJump (comma-separated hops or "none").  As in
 * OpenSSH the first value obtained for a keyword wins, and
 * "Keyword=value" and quoted values are accepted.  Include and every
 * other keyword are ignored.  Lines are bounded (1024 bytes). */
#ifndef AD_SSHCONF_H
#define AD_SSHCONF_H

struct ad_error;

#define SSHCONF_MAX_IDS 4
#define SSHCONF_MAX_HOPS 4

struct sshconf_host {
	char hostname[256];   /* "" when the config does not say */
	char user[64];
	int port;             /* 0 when the config does not say */
	int nid;
	char identity[SSHCONF_MAX_IDS][512];
	char proxyjump[1024]; /* as written; "none" means none */
};

struct sshconf_hop {
	char user[64];        /* "" when the hop does not say */
	char host[256];
	int port;             /* 0 when the hop does not say */
};

/* Look host up in the config file at path.  A missing file is not an
 * error (out stays empty).  0, or AD_EIO / AD_EPARSE (a line it cannot
 * read, a value longer than its field: never cut) with err filled. */
int sshconf_lookup(const char *path, const char *host,
		   struct sshconf_host *out, struct ad_error *err);

/* Does host match one pattern list ("a* !b?c d")?  1 or 0. */
int sshconf_match_list(const char *patterns, const char *host);

/* Split "[user@]host[:port],..." (IPv6 as [addr]:port) into hops.
 * 0, or AD_EINVAL for a bad hop or more than max. */
int sshconf_jump_parse(const char *spec, struct sshconf_hop *hops, int max,
		       int *n, struct ad_error *err);

/* A DNS name safe to put in a remote command: [A-Za-z0-9.-] (and '_'
 * inside labels), 1-253 characters, labels 1-63, no leading '-'. */
int sshconf_name_valid(const char *name);
/* A host to connect to: a name as above, or an IPv4/IPv6 literal. */
int sshconf_host_valid(const char *host);
/* A login name: [A-Za-z0-9._-], 1-32, not starting with '-'. */
int sshconf_user_valid(const char *user);

#endif
