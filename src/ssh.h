/* ssh.h - an SSH connection to a node, over jump hosts, with libssh2.
 *
 * Everything runs on non-blocking sessions driven by one wait loop that
 * polls the socket in slices of at most 100 ms, so a cancel flag set by
 * another thread is seen within that time, and every step has a stated
 * deadline (connect_timeout_ms per hop for TCP + handshake + auth,
 * command_timeout_ms for a remote command, the caller's timeout for a
 * TCP test).  A jump host (ProxyJump, like ssh -J) is a direct-tcpip
 * channel of the previous hop that the next session runs over.
 *
 * Host keys: ~/.ssh/known_hosts (or known_hosts), plain, hashed and
 * [host]:port entries.  A key that differs from the recorded one is a
 * hard stop whose message shows both SHA256 fingerprints.  An unknown
 * key is trusted only if the hostkey callback says so after seeing its
 * fingerprint, and written to the file only on SSH_TRUST_SAVE; with no
 * callback (diagnose) an unknown host is never trusted.
 *
 * Authentication: ssh-agent (SSH_AUTH_SOCK) first, then the key files
 * (--ssh-key, IdentityFile, else ~/.ssh/id_ed25519, id_ecdsa, id_rsa).
 * An encrypted key is opened only with a passphrase from the passphrase
 * callback; with none it is skipped and the error says so.  The
 * passphrase buffer is zeroed after use and never reaches a message.
 *
 * The callbacks are called from the thread running the connection (the
 * wizard's worker): the UI must show the question on its own thread and
 * hand the answer back. */
#ifndef AD_SSH_H
#define AD_SSH_H

#include <stddef.h>
#include "cancel.h"

struct ad_error;

#define SSH_MAX_KEYS 4
#define SSH_DEFAULT_USER "azureuser"
/* --ssh-node auto: the node of the failing pod, found by the caller. */
#define SSH_NODE_AUTO "auto"
/* --ssh-node pick (the wizard): the node chosen from the cluster's list. */
#define SSH_NODE_PICK "pick"
#define SSH_CONNECT_TIMEOUT_MS 10000
#define SSH_COMMAND_TIMEOUT_MS 15000

enum ssh_trust {
	SSH_TRUST_NO = 0,     /* do not connect */
	SSH_TRUST_ONCE,       /* connect, do not record the key */
	SSH_TRUST_SAVE        /* connect and append the key to known_hosts */
};

/* Show host:port, its key type and fingerprint ("SHA256:..."), ask
 * whether to trust it.  Called only for a host known_hosts lacks. */
typedef enum ssh_trust ssh_hostkey_fn(void *ud, const char *host, int port,
				      const char *keytype,
				      const char *fingerprint);
/* Ask the passphrase of the private key file path (the path may be
 * shown, the answer never).  Write it NUL-terminated into buf (size len)
 * and return 0, or return non-zero to skip the key.  The caller zeroes
 * buf after use. */
typedef int ssh_passphrase_fn(void *ud, const char *path, char *buf,
			      size_t len);

struct ssh_opts {
	char node[256];          /* the node: address or ~/.ssh/config alias */
	char user[64];           /* "" = config, else SSH_DEFAULT_USER */
	int port;                /* 0 = config, else 22 */
	int nkey;
	char key[SSH_MAX_KEYS][512];   /* --ssh-key, tried before config's */
	char jump[1024];         /* --ssh-jump; "" = config; "none" */
	char known_hosts[512];   /* "" = ~/.ssh/known_hosts */
	char config[512];        /* "" = ~/.ssh/config; "none" = not read */
	int connect_timeout_ms;  /* per hop */
	int command_timeout_ms;
	int no_agent;            /* 1: do not ask ssh-agent */
	ssh_hostkey_fn *hostkey_ask;     /* NULL: unknown hosts refused */
	void *hostkey_ud;
	ssh_passphrase_fn *passphrase;   /* NULL: encrypted keys skipped */
	void *passphrase_ud;
};

void ssh_opts_init(struct ssh_opts *o);
/* Set one option by its command-line name ("--ssh-user"...): 0, or
 * AD_EINVAL with err saying why (the value validated). */
int ssh_opt_set(struct ssh_opts *o, const char *name, const char *value,
		struct ad_error *err);
/* For a command line: if argv[*i] is one of the SSH options (--ssh-node,
 * --ssh-user, --ssh-key, --ssh-jump, --ssh-port, --known-hosts,
 * --ssh-config, "--opt value" or "--opt=value"), set it, advance *i past
 * its value and return 1; return 0 for any other argument; negative on a
 * bad or missing value (err filled). */
int ssh_opt_parse(struct ssh_opts *o, int argc, char **argv, int *i,
		  struct ad_error *err);

struct ssh_conn;

/* Connect through the jump hosts to the node and authenticate.  cancel
 * (may be NULL) is read while waiting.  0 and *out, or negative with err
 * filled: AD_ETIMEOUT, AD_ECANCEL, AD_EDENIED (host key, auth),
 * AD_EIO (connection), AD_EINVAL (options); err->net says refused or
 * timed out where the TCP connection failed. */
int ssh_conn_open(const struct ssh_opts *o, ad_cancel_flag *cancel,
		  struct ssh_conn **out, struct ad_error *err);
void ssh_conn_free(struct ssh_conn *c);
/* user@host[:port] of the node, and " via " the jump hosts if any. */
const char *ssh_conn_describe(const struct ssh_conn *c);
/* After a step was abandoned half-way (timeout, cancel) the session's
 * state cannot be trusted: the caller opens a new connection. */
int ssh_conn_broken(const struct ssh_conn *c);

/* Run cmd on the node (its login shell interprets it: build it only from
 * validated parts).  Up to outlen-1 bytes of standard output go to out
 * (NUL-terminated, the rest read and dropped), standard error is
 * dropped; *status gets the exit status (-1 if none was sent). */
int ssh_exec(struct ssh_conn *c, const char *cmd, char *out, size_t outlen,
	     int *status, ad_cancel_flag *cancel, struct ad_error *err);

enum ssh_tcp_result {
	SSH_TCP_OPEN,
	SSH_TCP_REFUSED,   /* the node's connect failed at once */
	SSH_TCP_TIMEOUT    /* it failed after the SYN retries, or not in time */
};
/* Open a direct-tcpip channel from the node to host:port and close it.
 * libssh2 does not pass on the node's reason text, so the time tells:
 * a failure the node reports within SSH_TCP_FAST_MS plus the path's
 * measured round trip (TCP connect and tunnel opens) is a refusal (an
 * RST or ICMP answer comes back at once); a later one, or none before
 * timeout_ms, is a timeout (the SYNs were dropped: the kernel's first
 * retransmission alone takes 1 s).  An sshd that forbids forwarding is
 * an error (AD_EDENIED), not a result. */
#define SSH_TCP_FAST_MS 900
int ssh_tcp(struct ssh_conn *c, const char *host, int port, int timeout_ms,
	    enum ssh_tcp_result *res, ad_cancel_flag *cancel,
	    struct ad_error *err);

/* The equivalent OpenSSH command line prefix: "ssh -J ... -p N user@host". */
void ssh_command_line(const struct ssh_conn *c, char *buf, size_t len);
/* The same from the options alone (reads ~/.ssh/config, connects to
 * nothing).  0, or negative when the options do not name a node. */
int ssh_opts_command_line(const struct ssh_opts *o, char *buf, size_t len);

#endif
