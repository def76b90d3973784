/* ssh.c - SSH connections to a node over jump hosts (libssh2). */
#include "config.h"
#include "ssh.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libssh2.h>

#include "err.h"
#include "i18n.h"
#include "sshconf.h"
#include "sshfp.h"

#define MAX_HOPS (SSHCONF_MAX_HOPS + 1)
#define MAX_TRY_KEYS (SSH_MAX_KEYS + SSHCONF_MAX_IDS + 3)
#define KEYFILE_MAX 65536

struct hop {
	LIBSSH2_SESSION *s;
	LIBSSH2_CHANNEL *tun;    /* direct-tcpip to the next hop */
	struct hop *prev;        /* the hop this one runs over, or NULL */
	char host[256];
	int port;
	char user[64];
	int nkey;
	char key[MAX_TRY_KEYS][512];
};

struct ssh_conn {
	struct ssh_opts o;
	int fd;
	int nhop;
	struct hop hop[MAX_HOPS];
	int broken;
	long long rtt_ms;        /* TCP connect + tunnel opens: the path's round trip */
	char desc[1400];
	char cmdline[1400];
};

/* ---------- options ---------- */

void ssh_opts_init(struct ssh_opts *o)
{
	memset(o, 0, sizeof *o);
	o->connect_timeout_ms = SSH_CONNECT_TIMEOUT_MS;
	o->command_timeout_ms = SSH_COMMAND_TIMEOUT_MS;
}

static int path_ok(const char *v)
{
	return v[0] && strlen(v) < 512 && !strchr(v, '\n');
}

int ssh_opt_set(struct ssh_opts *o, const char *name, const char *value,
		struct ad_error *err)
{
	if (strcmp(name, "--ssh-node") == 0) {
		if (!sshconf_host_valid(value))
			return ad_error_set(err, AD_EINVAL,
				_("--ssh-node needs a host name or an address, not '%.64s'"),
				value);
		snprintf(o->node, sizeof o->node, "%s", value);
	} else if (strcmp(name, "--ssh-user") == 0) {
		if (!sshconf_user_valid(value))
			return ad_error_set(err, AD_EINVAL,
				_("--ssh-user: '%.40s' is not a valid user name"), value);
		snprintf(o->user, sizeof o->user, "%s", value);
	} else if (strcmp(name, "--ssh-port") == 0) {
		char *end;
		long v = strtol(value, &end, 10);

		if (!value[0] || *end || v < 1 || v > 65535)
			return ad_error_set(err, AD_EINVAL,
				_("--ssh-port needs a port number (1-65535), not '%.20s'"),
				value);
		o->port = (int)v;
	} else if (strcmp(name, "--ssh-key") == 0) {
		if (!path_ok(value))
			return ad_error_set(err, AD_EINVAL, "%s",
				_("--ssh-key needs a file name"));
		if (o->nkey >= SSH_MAX_KEYS)
			return ad_error_set(err, AD_EINVAL,
				_("at most %d --ssh-key options"), SSH_MAX_KEYS);
		snprintf(o->key[o->nkey++], sizeof o->key[0], "%s", value);
	} else if (strcmp(name, "--ssh-jump") == 0) {
		struct sshconf_hop hops[SSHCONF_MAX_HOPS];
		int n, rc;

		if ((rc = sshconf_jump_parse(value, hops, SSHCONF_MAX_HOPS, &n,
					     err)) != 0)
			return rc;
		snprintf(o->jump, sizeof o->jump, "%s", n ? value : "none");
	} else if (strcmp(name, "--known-hosts") == 0) {
		if (!path_ok(value))
			return ad_error_set(err, AD_EINVAL, "%s",
				_("--known-hosts needs a file name"));
		snprintf(o->known_hosts, sizeof o->known_hosts, "%s", value);
	} else if (strcmp(name, "--ssh-config") == 0) {
		if (!path_ok(value))
			return ad_error_set(err, AD_EINVAL, "%s",
				_("--ssh-config needs a file name (or none)"));
		snprintf(o->config, sizeof o->config, "%s", value);
	} else {
		return ad_error_set(err, AD_EINVAL, _("unknown option '%.40s'"),
				    name);
	}
	return 0;
}

int ssh_opt_parse(struct ssh_opts *o, int argc, char **argv, int *i,
		  struct ad_error *err)
{
	static const char *const names[] = {
		"--ssh-node", "--ssh-user", "--ssh-key", "--ssh-jump",
		"--ssh-port", "--known-hosts", "--ssh-config"
	};
	const char *a = argv[*i];
	size_t k;

	for (k = 0; k < sizeof names / sizeof names[0]; k++) {
		size_t n = strlen(names[k]);

		if (strncmp(a, names[k], n) != 0)
			continue;
		if (a[n] == '=') {
			int rc = ssh_opt_set(o, names[k], a + n + 1, err);

			return rc ? rc : 1;
		}
		if (a[n] == '\0') {
			int rc;

			if (*i + 1 >= argc)
				return ad_error_set(err, AD_EINVAL,
					_("option '%s' needs a value"), names[k]);
			rc = ssh_opt_set(o, names[k], argv[*i + 1], err);
			if (rc)
				return rc;
			(*i)++;
			return 1;
		}
	}
	return 0;
}

/* ---------- waiting ---------- */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One slice of waiting for the socket.  0 to try again, AD_ECANCEL or
 * AD_ETIMEOUT (err filled with "what" and the limit) to stop. */
static int wait_io(struct ssh_conn *c, long long deadline, int limit_ms,
		   ad_cancel_flag *cancel, const char *what, struct ad_error *err)
{
	struct pollfd pfd;
	long long left;
	int slice;

	if (ad_cancelled(cancel)) {
		ad_error_set(err, AD_ECANCEL, "%s", _("cancelled"));
		ad_error_net(err, AD_NET_CANCELLED);
		return AD_ECANCEL;
	}
	left = deadline - now_ms();
	if (left <= 0) {
		ad_error_set(err, AD_ETIMEOUT, _("%s: no answer within %d s"),
			     what, (limit_ms + 999) / 1000);
		ad_error_net(err, AD_NET_TIMEOUT);
		return AD_ETIMEOUT;
	}
	/* Over jump hosts the outer session may hold bytes already read
	 * from the socket: short slices instead of trusting poll alone. */
	slice = c->nhop > 1 ? 10 : 100;
	if (left < slice)
		slice = (int)left;
	pfd.fd = c->fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (c->hop[0].s && (libssh2_session_block_directions(c->hop[0].s) &
			    LIBSSH2_SESSION_BLOCK_OUTBOUND))
		pfd.events |= POLLOUT;
	poll(&pfd, 1, slice);
	return 0;
}

static const char *last_err(LIBSSH2_SESSION *s)
{
	char *msg = NULL;

	libssh2_session_last_error(s, &msg, NULL, 0);
	return msg ? msg : "";
}

/* ---------- transport over the previous hop's channel ---------- */

static LIBSSH2_RECV_FUNC(tun_recv)
{
	struct hop *h = *abstract;
	ssize_t n;

	(void)socket;
	(void)flags;
	n = libssh2_channel_read(h->prev->tun, buffer, length);
	if (n == LIBSSH2_ERROR_EAGAIN)
		return -EAGAIN;
	if (n < 0)
		return -ECONNRESET;
	if (n == 0)
		return libssh2_channel_eof(h->prev->tun) ? 0 : -EAGAIN;
	return n;
}

static LIBSSH2_SEND_FUNC(tun_send)
{
	struct hop *h = *abstract;
	ssize_t n;

	(void)socket;
	(void)flags;
	n = libssh2_channel_write(h->prev->tun, buffer, length);
	if (n == LIBSSH2_ERROR_EAGAIN)
		return -EAGAIN;
	if (n < 0)
		return -ECONNRESET;
	return n;
}

/* ---------- TCP to the first hop ---------- */

static int tcp_connect(struct ssh_conn *c, const struct hop *h,
		       ad_cancel_flag *cancel, struct ad_error *err)
{
	struct addrinfo hints, *res = NULL, *ai;
	char port[8];
	int rc, last = 0;
	long long deadline = now_ms() + c->o.connect_timeout_ms;

	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(port, sizeof port, "%d", h->port);
	/* getaddrinfo blocks; the resolver's own timeouts bound it. */
	rc = getaddrinfo(h->host, port, &hints, &res);
	if (rc != 0) {
		ad_error_set(err, AD_EIO, _("cannot resolve %.200s: %s"),
			     h->host, gai_strerror(rc));
		ad_error_net(err, AD_NET_DNS);
		return AD_EIO;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
				ai->ai_protocol);
		int soerr = 0;
		socklen_t sl = sizeof soerr;

		if (fd < 0)
			continue;
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 &&
		    errno != EINPROGRESS) {
			last = errno;
			close(fd);
			continue;
		}
		for (;;) {
			struct pollfd pfd = { fd, POLLOUT, 0 };
			long long left = deadline - now_ms();

			if (ad_cancelled(cancel)) {
				close(fd);
				freeaddrinfo(res);
				ad_error_set(err, AD_ECANCEL, "%s", _("cancelled"));
				ad_error_net(err, AD_NET_CANCELLED);
				return AD_ECANCEL;
			}
			if (left <= 0) {
				last = ETIMEDOUT;
				break;
			}
			if (poll(&pfd, 1, left < 100 ? (int)left : 100) > 0)
				break;
		}
		if (last != ETIMEDOUT) {
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
			if (soerr == 0) {
				c->fd = fd;
				freeaddrinfo(res);
				return 0;
			}
			last = soerr;
		}
		close(fd);
		if (last == ETIMEDOUT)
			break;
	}
	freeaddrinfo(res);
	if (last == ETIMEDOUT) {
		ad_error_set(err, AD_ETIMEOUT,
			_("no answer from %.200s port %d within %d s"), h->host,
			h->port, (c->o.connect_timeout_ms + 999) / 1000);
		ad_error_net(err, AD_NET_TIMEOUT);
		return AD_ETIMEOUT;
	}
	ad_error_set(err, AD_EIO, _("cannot connect to %.200s port %d: %s"),
		     h->host, h->port, strerror(last ? last : EIO));
	ad_error_net(err, last == ECONNREFUSED ? AD_NET_REFUSED : AD_NET_OTHER);
	return AD_EIO;
}

/* ---------- host keys ---------- */

static int key_bit(int type, const char **name)
{
	switch (type) {
	case LIBSSH2_HOSTKEY_TYPE_RSA:
		*name = "ssh-rsa"; return LIBSSH2_KNOWNHOST_KEY_SSHRSA;
	case LIBSSH2_HOSTKEY_TYPE_DSS:
		*name = "ssh-dss"; return LIBSSH2_KNOWNHOST_KEY_SSHDSS;
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_256:
		*name = "ecdsa-sha2-nistp256"; return LIBSSH2_KNOWNHOST_KEY_ECDSA_256;
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_384:
		*name = "ecdsa-sha2-nistp384"; return LIBSSH2_KNOWNHOST_KEY_ECDSA_384;
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_521:
		*name = "ecdsa-sha2-nistp521"; return LIBSSH2_KNOWNHOST_KEY_ECDSA_521;
	case LIBSSH2_HOSTKEY_TYPE_ED25519:
		*name = "ssh-ed25519"; return LIBSSH2_KNOWNHOST_KEY_ED25519;
	}
	*name = "?";
	return 0;
}

static const char *home(void)
{
	const char *h = getenv("HOME");
	struct passwd *pw;

	if (h && *h)
		return h;
	pw = getpwuid(getuid());
	return pw ? pw->pw_dir : "/";
}

static void known_hosts_path(const struct ssh_opts *o, char *buf, size_t len)
{
	if (o->known_hosts[0])
		snprintf(buf, len, "%s", o->known_hosts);
	else
		snprintf(buf, len, "%s/.ssh/known_hosts", home());
}

/* Line by line, so that one line libssh2 cannot read (a key type it
 * does not know, @cert-authority, @revoked) does not hide the others. */
static void load_known_hosts(LIBSSH2_KNOWNHOSTS *kh, const char *path)
{
	FILE *fp = fopen(path, "r");
	char line[16384];

	if (!fp)
		return;
	while (fgets(line, sizeof line, fp)) {
		if (line[0] == '@' || line[0] == '#')
			continue;
		libssh2_knownhost_readline(kh, line, strlen(line),
					   LIBSSH2_KNOWNHOST_FILE_OPENSSH);
	}
	fclose(fp);
}

static int save_known_host(LIBSSH2_KNOWNHOSTS *kh, const char *path,
			   const char *entry, const char *key, size_t len,
			   int bit, struct ad_error *err)
{
	struct libssh2_knownhost *store = NULL;
	char line[16384];
	size_t outlen = 0;
	FILE *fp;
	int fd;

	if (libssh2_knownhost_addc(kh, entry, NULL, key, len, NULL, 0,
				   LIBSSH2_KNOWNHOST_TYPE_PLAIN |
				   LIBSSH2_KNOWNHOST_KEYENC_RAW | bit, &store) ||
	    libssh2_knownhost_writeline(kh, store, line, sizeof line, &outlen,
					LIBSSH2_KNOWNHOST_FILE_OPENSSH))
		return ad_error_set(err, AD_EIO, "%s",
			_("cannot format the known_hosts line"));
	{
		/* As OpenSSH: ~/.ssh is made (0700) when it is missing. */
		char dir[600], *slash;

		snprintf(dir, sizeof dir, "%s", path);
		slash = strrchr(dir, '/');
		if (slash && slash != dir) {
			*slash = '\0';
			mkdir(dir, 0700);
		}
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	fp = fd >= 0 ? fdopen(fd, "a") : NULL;
	if (!fp) {
		if (fd >= 0)
			close(fd);
		return ad_error_set(err, AD_EIO, _("cannot write %.200s: %s"),
				    path, strerror(errno));
	}
	fwrite(line, 1, outlen, fp);
	if (fclose(fp) != 0)
		return ad_error_set(err, AD_EIO, _("cannot write %.200s: %s"),
				    path, strerror(errno));
	return 0;
}

static int check_hostkey(struct ssh_conn *c, struct hop *h,
			 struct ad_error *err)
{
	const char *key, *tname;
	size_t len = 0;
	int type = 0, bit, r, rc = 0;
	char fp[SSHFP_LEN], oldfp[SSHFP_LEN] = "", path[600], entry[300];
	struct libssh2_knownhost *found = NULL;
	LIBSSH2_KNOWNHOSTS *kh;

	key = libssh2_session_hostkey(h->s, &len, &type);
	if (!key)
		return ad_error_set(err, AD_EIO, _("%.200s sent no host key"),
				    h->host);
	bit = key_bit(type, &tname);
	sshfp_fingerprint(key, len, fp, sizeof fp);
	if (!bit)
		return ad_error_set(err, AD_EDENIED,
			_("%.200s offers a host key of a type that cannot be checked (%s)"),
			h->host, fp);
	kh = libssh2_knownhost_init(h->s);
	if (!kh)
		return ad_error_set(err, AD_ENOMEM, "%s", _("out of memory"));
	known_hosts_path(&c->o, path, sizeof path);
	load_known_hosts(kh, path);
	/* As OpenSSH: port 22 is the bare host, any other "[host]:port". */
	if (h->port == 22)
		snprintf(entry, sizeof entry, "%s", h->host);
	else
		snprintf(entry, sizeof entry, "[%s]:%d", h->host, h->port);
	r = libssh2_knownhost_checkp(kh, entry, -1, key, len,
				     LIBSSH2_KNOWNHOST_TYPE_PLAIN |
				     LIBSSH2_KNOWNHOST_KEYENC_RAW | bit, &found);
	if (r == LIBSSH2_KNOWNHOST_CHECK_MATCH) {
		rc = 0;
	} else if (r == LIBSSH2_KNOWNHOST_CHECK_MISMATCH) {
		unsigned char blob[8192];
		int n = -1;

		if (found && found->key)
			n = sshfp_b64_decode(found->key, strlen(found->key),
					     blob, sizeof blob);
		if (n > 0)
			sshfp_fingerprint(blob, (size_t)n, oldfp, sizeof oldfp);
		rc = ad_error_set(err, AD_EDENIED,
			_("the host key of %.200s has changed: %.200s records %s, the server offers %s %s. Someone may be intercepting the connection; if the node was rebuilt, check the new key and remove the old line"),
			entry, path, oldfp[0] ? oldfp : "?", tname, fp);
		ad_error_detail(err, "hostkey-mismatch");
	} else if (r == LIBSSH2_KNOWNHOST_CHECK_NOTFOUND) {
		enum ssh_trust t = SSH_TRUST_NO;

		if (c->o.hostkey_ask)
			t = c->o.hostkey_ask(c->o.hostkey_ud, h->host, h->port,
					     tname, fp);
		if (t == SSH_TRUST_NO) {
			rc = ad_error_set(err, AD_EDENIED,
				c->o.hostkey_ask ?
				_("%.200s is not in %.200s (%s %s) and was not trusted") :
				_("%.200s is not in %.200s (%s %s): an unknown host is never trusted without asking; check the key and add it (ssh once, or --known-hosts FILE)"),
				entry, path, tname, fp);
			ad_error_detail(err, "hostkey-unknown");
		} else if (t == SSH_TRUST_SAVE) {
			rc = save_known_host(kh, path, entry, key, len, bit, err);
		}
	} else {
		rc = ad_error_set(err, AD_EIO, _("cannot check the host key of %.200s"),
				  entry);
	}
	libssh2_knownhost_free(kh);
	return rc;
}

/* ---------- authentication ---------- */

/* Is the private key file encrypted?  1 yes, 0 no or cannot tell. */
static int key_encrypted(const char *path)
{
	static const char beg[] = "-----BEGIN OPENSSH PRIVATE KEY-----";
	static const char end[] = "-----END OPENSSH PRIVATE KEY-----";
	char *buf = calloc(1, KEYFILE_MAX + 1), *b, *e, *p;
	unsigned char *bin = NULL;
	size_t n = 0, m = 0;
	int enc = 0, len;
	FILE *fp = fopen(path, "r");

	if (!fp || !buf)
		goto out;
	n = fread(buf, 1, KEYFILE_MAX, fp);
	buf[n] = '\0';
	if (strstr(buf, "Proc-Type: 4,ENCRYPTED") ||
	    strstr(buf, "BEGIN ENCRYPTED PRIVATE KEY")) {
		enc = 1;
		goto out;
	}
	b = strstr(buf, beg);
	e = b ? strstr(b, end) : NULL;
	if (!e)
		goto out;
	/* Squeeze the base64 body (lines) in place. */
	for (p = b + sizeof beg - 1; p < e; p++)
		if (*p != '\n' && *p != '\r' && *p != ' ')
			buf[m++] = *p;
	bin = malloc(m + 1);
	if (!bin)
		goto out;
	len = sshfp_b64_decode(buf, m, bin, m + 1);
	/* "openssh-key-v1\0", then the cipher name as an SSH string. */
	if (len > 19 && memcmp(bin, "openssh-key-v1", 15) == 0) {
		unsigned clen = (unsigned)bin[15] << 24 | (unsigned)bin[16] << 16 |
				(unsigned)bin[17] << 8 | bin[18];

		enc = !(clen == 4 && len >= 23 && memcmp(bin + 19, "none", 4) == 0);
	}
out:
	if (bin) {
		memset(bin, 0, m + 1);
		free(bin);
	}
	if (buf) {
		memset(buf, 0, KEYFILE_MAX + 1);
		free(buf);
	}
	if (fp)
		fclose(fp);
	return enc;
}

static void note(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void note(char *why, size_t len, const char *fmt, ...)
{
	size_t used = strlen(why);
	va_list ap;

	if (used + 3 >= len)
		return;
	if (used)
		used += (size_t)snprintf(why + used, len - used, "; ");
	va_start(ap, fmt);
	vsnprintf(why + used, len - used, fmt, ap);
	va_end(ap);
}

/* 1 authenticated, 0 not, negative when waiting stopped. */
static int auth_agent(struct ssh_conn *c, struct hop *h, long long deadline,
		      ad_cancel_flag *cancel, char *why, size_t wlen,
		      struct ad_error *err)
{
	LIBSSH2_AGENT *ag;
	struct libssh2_agent_publickey *id = NULL, *prev = NULL;
	int ok = 0, nid = 0, rc;
	const char *sock = getenv("SSH_AUTH_SOCK");

	if (c->o.no_agent || !sock || !*sock)
		return 0;
	ag = libssh2_agent_init(h->s);
	if (!ag)
		return 0;
	if (libssh2_agent_connect(ag) != 0) {
		note(why, wlen, "%s", _("ssh-agent: cannot connect"));
		goto out;
	}
	if (libssh2_agent_list_identities(ag) != 0) {
		note(why, wlen, "%s", _("ssh-agent: cannot list keys"));
		goto out;
	}
	while (!ok && libssh2_agent_get_identity(ag, &id, prev) == 0) {
		nid++;
		while ((rc = libssh2_agent_userauth(ag, h->user, id)) ==
		       LIBSSH2_ERROR_EAGAIN) {
			int w = wait_io(c, deadline, c->o.connect_timeout_ms,
					cancel, h->host, err);

			if (w) {
				ok = w;
				goto out;
			}
		}
		if (rc == 0)
			ok = 1;
		prev = id;
	}
	if (!ok)
		note(why, wlen, ngettext("ssh-agent: %d key, not accepted",
					 "ssh-agent: %d keys, none accepted", nid),
		     nid);
out:
	libssh2_agent_disconnect(ag);
	libssh2_agent_free(ag);
	return ok;
}

static int auth_file(struct ssh_conn *c, struct hop *h, const char *path,
		     long long deadline, ad_cancel_flag *cancel, char *why,
		     size_t wlen, struct ad_error *err)
{
	char pass[512];
	int rc, enc, w;

	if (access(path, R_OK) != 0)
		return 0;
	memset(pass, 0, sizeof pass);
	enc = key_encrypted(path);
	if (enc) {
		if (!c->o.passphrase) {
			note(why, wlen, _("%.200s: encrypted, and no passphrase can be asked here"),
			     path);
			return 0;
		}
		if (c->o.passphrase(c->o.passphrase_ud, path, pass,
				    sizeof pass) != 0) {
			memset(pass, 0, sizeof pass);
			note(why, wlen, _("%.200s: no passphrase given"), path);
			return 0;
		}
		pass[sizeof pass - 1] = '\0';
	}
	while ((rc = libssh2_userauth_publickey_fromfile_ex(h->s, h->user,
			(unsigned)strlen(h->user), NULL, path, pass)) ==
	       LIBSSH2_ERROR_EAGAIN) {
		if ((w = wait_io(c, deadline, c->o.connect_timeout_ms, cancel,
				 h->host, err)) != 0) {
			memset(pass, 0, sizeof pass);
			return w;
		}
	}
	memset(pass, 0, sizeof pass);
	if (rc == 0)
		return 1;
	if (rc == LIBSSH2_ERROR_FILE)
		note(why, wlen, enc ? _("%.200s: wrong passphrase") :
		     _("%.200s: not a private key libssh2 can read"), path);
	else
		note(why, wlen, _("%.200s: not accepted"), path);
	return 0;
}

static int authenticate(struct ssh_conn *c, struct hop *h, long long deadline,
			ad_cancel_flag *cancel, struct ad_error *err)
{
	char why[400] = "";
	int i, r;

	if ((r = auth_agent(c, h, deadline, cancel, why, sizeof why, err)) != 0)
		return r > 0 ? 0 : r;
	for (i = 0; i < h->nkey; i++)
		if ((r = auth_file(c, h, h->key[i], deadline, cancel, why,
				   sizeof why, err)) != 0)
			return r > 0 ? 0 : r;
	if (!why[0])
		snprintf(why, sizeof why, "%s", _("no ssh-agent and no key file"));
	ad_error_set(err, AD_EDENIED, _("%s@%.200s accepted no key (%s)"),
		     h->user, h->host, why);
	ad_error_detail(err, "auth");
	return AD_EDENIED;
}

/* ---------- building the hop list ---------- */

static void add_key(struct hop *h, const char *path)
{
	int i;

	for (i = 0; i < h->nkey; i++)
		if (strcmp(h->key[i], path) == 0)
			return;
	if (h->nkey < MAX_TRY_KEYS)
		snprintf(h->key[h->nkey++], sizeof h->key[0], "%s", path);
}

static int fill_hop(struct ssh_conn *c, struct hop *h, const char *name,
		    const char *user, int port, int is_node,
		    char *proxyjump, size_t pjlen, struct ad_error *err)
{
	struct sshconf_host hc;
	char cfg[600];
	struct passwd *pw;
	int i, rc;

	memset(&hc, 0, sizeof hc);
	if (strcmp(c->o.config, "none") != 0) {
		if (c->o.config[0])
			snprintf(cfg, sizeof cfg, "%s", c->o.config);
		else
			snprintf(cfg, sizeof cfg, "%s/.ssh/config", home());
		if ((rc = sshconf_lookup(cfg, name, &hc, err)) != 0)
			return rc;
	}
	snprintf(h->host, sizeof h->host, "%s", hc.hostname[0] ? hc.hostname : name);
	if (!sshconf_host_valid(h->host))
		return ad_error_set(err, AD_EINVAL, _("bad host name '%.100s'"),
				    h->host);
	if (user && user[0])
		snprintf(h->user, sizeof h->user, "%s", user);
	else if (hc.user[0])
		snprintf(h->user, sizeof h->user, "%s", hc.user);
	else if (is_node)
		snprintf(h->user, sizeof h->user, "%s", SSH_DEFAULT_USER);
	else if ((pw = getpwuid(getuid())) != NULL)
		snprintf(h->user, sizeof h->user, "%s", pw->pw_name);
	if (!sshconf_user_valid(h->user))
		return ad_error_set(err, AD_EINVAL, _("bad user name '%.40s'"),
				    h->user);
	h->port = port ? port : hc.port ? hc.port : 22;
	for (i = 0; i < c->o.nkey; i++)
		add_key(h, c->o.key[i]);
	for (i = 0; i < hc.nid; i++)
		add_key(h, hc.identity[i]);
	if (!hc.nid && !c->o.nkey) {
		static const char *const def[] = { "id_ed25519", "id_ecdsa", "id_rsa" };

		for (i = 0; i < 3; i++) {
			char p[512];

			snprintf(p, sizeof p, "%s/.ssh/%s", home(), def[i]);
			add_key(h, p);
		}
	}
	if (proxyjump)
		snprintf(proxyjump, pjlen, "%s", hc.proxyjump);
	return 0;
}

static int plan(struct ssh_conn *c, struct ad_error *err)
{
	struct sshconf_hop hops[SSHCONF_MAX_HOPS];
	struct hop node;
	char pj[1024] = "";
	const char *jump;
	int n = 0, i, rc, pos;

	memset(&node, 0, sizeof node);
	if (!c->o.node[0])
		return ad_error_set(err, AD_EINVAL, "%s", _("no node given (--ssh-node)"));
	if ((rc = fill_hop(c, &node, c->o.node, c->o.user, c->o.port, 1, pj,
			   sizeof pj, err)) != 0)
		return rc;
	jump = c->o.jump[0] ? c->o.jump : pj;
	if ((rc = sshconf_jump_parse(jump, hops, SSHCONF_MAX_HOPS, &n, err)) != 0)
		return rc;
	for (i = 0; i < n; i++)
		if ((rc = fill_hop(c, &c->hop[i], hops[i].host, hops[i].user,
				   hops[i].port, 0, NULL, 0, err)) != 0)
			return rc;
	c->hop[n] = node;
	c->nhop = n + 1;
	for (i = 1; i < c->nhop; i++)
		c->hop[i].prev = &c->hop[i - 1];
	pos = snprintf(c->desc, sizeof c->desc, "%s@%s", node.user, node.host);
	if (node.port != 22)
		pos += snprintf(c->desc + pos, sizeof c->desc - (size_t)pos,
				":%d", node.port);
	for (i = 0; i < n && pos < (int)sizeof c->desc; i++)
		pos += snprintf(c->desc + pos, sizeof c->desc - (size_t)pos,
				"%s%s@%s", i ? "," : " via ", c->hop[i].user,
				c->hop[i].host);
	pos = snprintf(c->cmdline, sizeof c->cmdline, "ssh");
	for (i = 0; i < n && pos < (int)sizeof c->cmdline; i++) {
		pos += snprintf(c->cmdline + pos, sizeof c->cmdline - (size_t)pos,
				"%s%s@%s", i ? "," : " -J ", c->hop[i].user,
				c->hop[i].host);
		if (c->hop[i].port != 22 && pos < (int)sizeof c->cmdline)
			pos += snprintf(c->cmdline + pos,
					sizeof c->cmdline - (size_t)pos, ":%d",
					c->hop[i].port);
	}
	if (node.port != 22 && pos < (int)sizeof c->cmdline)
		pos += snprintf(c->cmdline + pos, sizeof c->cmdline - (size_t)pos,
				" -p %d", node.port);
	if (pos < (int)sizeof c->cmdline)
		snprintf(c->cmdline + pos, sizeof c->cmdline - (size_t)pos,
			 " %s@%s", node.user, node.host);
	return 0;
}

/* ---------- connecting ---------- */

static int open_tunnel(struct ssh_conn *c, struct hop *from, struct hop *to,
		       long long deadline, ad_cancel_flag *cancel,
		       struct ad_error *err)
{
	int rc;

	while (!(from->tun = libssh2_channel_direct_tcpip_ex(from->s, to->host,
			to->port, "127.0.0.1", 22))) {
		if (libssh2_session_last_errno(from->s) != LIBSSH2_ERROR_EAGAIN) {
			ad_error_set(err, AD_EIO,
				_("jump host %.200s cannot open a connection to %.200s port %d (%s)"),
				from->host, to->host, to->port, last_err(from->s));
			ad_error_net(err, AD_NET_OTHER);
			return AD_EIO;
		}
		if ((rc = wait_io(c, deadline, c->o.connect_timeout_ms, cancel,
				  to->host, err)) != 0)
			return rc;
	}
	return 0;
}

static int open_hop(struct ssh_conn *c, struct hop *h, ad_cancel_flag *cancel,
		    struct ad_error *err)
{
	long long deadline = now_ms() + c->o.connect_timeout_ms;
	int rc;

	if (h->prev) {
		long long t0 = now_ms();

		if ((rc = open_tunnel(c, h->prev, h, deadline, cancel, err)) != 0)
			return rc;
		c->rtt_ms += now_ms() - t0;
	}
	h->s = libssh2_session_init_ex(NULL, NULL, NULL, h);
	if (!h->s)
		return ad_error_set(err, AD_ENOMEM, "%s", _("out of memory"));
	if (h->prev) {
		libssh2_session_callback_set(h->s, LIBSSH2_CALLBACK_RECV,
					     (void *)tun_recv);
		libssh2_session_callback_set(h->s, LIBSSH2_CALLBACK_SEND,
					     (void *)tun_send);
	}
	libssh2_session_set_blocking(h->s, 0);
	while ((rc = libssh2_session_handshake(h->s, c->fd)) ==
	       LIBSSH2_ERROR_EAGAIN)
		if ((rc = wait_io(c, deadline, c->o.connect_timeout_ms, cancel,
				  h->host, err)) != 0)
			return rc;
	if (rc != 0) {
		ad_error_set(err, AD_EIO, _("SSH handshake with %.200s failed: %s"),
			     h->host, last_err(h->s));
		ad_error_net(err, AD_NET_OTHER);
		return AD_EIO;
	}
	if ((rc = check_hostkey(c, h, err)) != 0)
		return rc;
	return authenticate(c, h, deadline, cancel, err);
}

int ssh_conn_open(const struct ssh_opts *o, ad_cancel_flag *cancel,
		  struct ssh_conn **out, struct ad_error *err)
{
	struct ssh_conn *c;
	int rc, i;
	long long t0;
	static int inited;

	*out = NULL;
	if (!inited) {
		/* Safe to repeat; the first call is made before any thread
		 * shares a session. */
		if (libssh2_init(0) != 0)
			return ad_error_set(err, AD_EIO, "%s",
				_("cannot initialise libssh2"));
		inited = 1;
	}
	c = calloc(1, sizeof *c);
	if (!c)
		return ad_error_set(err, AD_ENOMEM, "%s", _("out of memory"));
	c->o = *o;
	c->fd = -1;
	if (c->o.connect_timeout_ms <= 0)
		c->o.connect_timeout_ms = SSH_CONNECT_TIMEOUT_MS;
	if (c->o.command_timeout_ms <= 0)
		c->o.command_timeout_ms = SSH_COMMAND_TIMEOUT_MS;
	if ((rc = plan(c, err)) != 0)
		goto fail;
	t0 = now_ms();
	if ((rc = tcp_connect(c, &c->hop[0], cancel, err)) != 0)
		goto fail;
	c->rtt_ms = now_ms() - t0;
	for (i = 0; i < c->nhop; i++) {
		/* The messages name the hop that failed. */
		if ((rc = open_hop(c, &c->hop[i], cancel, err)) != 0)
			goto fail;
	}
	*out = c;
	return 0;
fail:
	ssh_conn_free(c);
	return rc;
}

/* Teardown on non-blocking sessions: each step may want I/O (EAGAIN).
 * Wait for it up to 2 s in all (none for a broken connection); then
 * shut the socket down, so every further step fails at once instead of
 * waiting, and the memory is still released. */
static void settle(struct ssh_conn *c, long long deadline, int *down)
{
	if (!*down && now_ms() < deadline &&
	    wait_io(c, deadline, 2000, NULL, "close", NULL) == 0)
		return;
	if (!*down && c->fd >= 0)
		shutdown(c->fd, SHUT_RDWR);
	*down = 1;
}

void ssh_conn_free(struct ssh_conn *c)
{
	long long deadline;
	int i, down = 0, spins;

	if (!c)
		return;
	deadline = now_ms() + (c->broken ? 0 : 2000);
	/* Innermost first: each session runs over the one before. */
	for (i = c->nhop - 1; i >= 0; i--) {
		struct hop *h = &c->hop[i];

		for (spins = 0; h->tun && spins < 1000; spins++) {
			if (libssh2_channel_free(h->tun) != LIBSSH2_ERROR_EAGAIN)
				h->tun = NULL;
			else
				settle(c, deadline, &down);
		}
		if (!h->s)
			continue;
		for (spins = 0; !c->broken && !down && spins < 1000; spins++) {
			if (libssh2_session_disconnect(h->s, "bye") !=
			    LIBSSH2_ERROR_EAGAIN)
				break;
			settle(c, deadline, &down);
		}
		for (spins = 0; h->s && spins < 1000; spins++) {
			if (libssh2_session_free(h->s) != LIBSSH2_ERROR_EAGAIN)
				h->s = NULL;
			else
				settle(c, deadline, &down);
		}
	}
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

const char *ssh_conn_describe(const struct ssh_conn *c)
{
	return c ? c->desc : "";
}

int ssh_conn_broken(const struct ssh_conn *c)
{
	return c ? c->broken : 1;
}

void ssh_command_line(const struct ssh_conn *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s", c ? c->cmdline : "ssh");
}

int ssh_opts_command_line(const struct ssh_opts *o, char *buf, size_t len)
{
	struct ssh_conn *c = calloc(1, sizeof *c);
	int rc;

	if (len)
		buf[0] = '\0';
	if (!c)
		return AD_ENOMEM;
	c->o = *o;
	rc = plan(c, NULL);
	if (rc == 0)
		snprintf(buf, len, "%s", c->cmdline);
	free(c);
	return rc;
}

/* ---------- using the connection ---------- */

static struct hop *node_hop(struct ssh_conn *c)
{
	return &c->hop[c->nhop - 1];
}

int ssh_exec(struct ssh_conn *c, const char *cmd, char *out, size_t outlen,
	     int *status, ad_cancel_flag *cancel, struct ad_error *err)
{
	LIBSSH2_SESSION *s = node_hop(c)->s;
	LIBSSH2_CHANNEL *ch;
	long long deadline = now_ms() + c->o.command_timeout_ms;
	size_t used = 0;
	char buf[4096];
	int rc = 0;

	*status = -1;
	if (outlen)
		out[0] = '\0';
	if (c->broken)
		return ad_error_set(err, AD_EIO, "%s", _("the SSH connection was lost"));
	while (!(ch = libssh2_channel_open_session(s))) {
		if (libssh2_session_last_errno(s) != LIBSSH2_ERROR_EAGAIN) {
			c->broken = 1;
			return ad_error_set(err, AD_EIO,
				_("cannot open a session on the node: %s"), last_err(s));
		}
		if ((rc = wait_io(c, deadline, c->o.command_timeout_ms, cancel,
				  _("the node"), err)) != 0)
			goto abandon;
	}
	while ((rc = libssh2_channel_exec(ch, cmd)) == LIBSSH2_ERROR_EAGAIN)
		if ((rc = wait_io(c, deadline, c->o.command_timeout_ms, cancel,
				  _("the node"), err)) != 0)
			goto abandon;
	if (rc != 0) {
		rc = ad_error_set(err, AD_EIO, _("the node refused the command: %s"),
				  last_err(s));
		goto close;
	}
	for (;;) {
		ssize_t n = libssh2_channel_read(ch, buf, sizeof buf);
		if (n > 0) {
			size_t k = (size_t)n;

			if (used + 1 < outlen) {
				size_t room = outlen - 1 - used;

				memcpy(out + used, buf, k < room ? k : room);
				used += k < room ? k : room;
				out[used] = '\0';
			}
			continue;
		}
		/* Standard error is read and dropped so it cannot fill the
		 * window and stall standard output. */
		while (libssh2_channel_read_stderr(ch, buf, sizeof buf) > 0)
			;
		if (n == 0 && libssh2_channel_eof(ch))
			break;
		if (n < 0 && n != LIBSSH2_ERROR_EAGAIN) {
			rc = ad_error_set(err, AD_EIO, _("reading from the node failed: %s"),
					  last_err(s));
			c->broken = 1;
			goto abandon;
		}
		if (libssh2_channel_eof(ch))
			break;
		if ((rc = wait_io(c, deadline, c->o.command_timeout_ms, cancel,
				  _("the command on the node"), err)) != 0)
			goto abandon;
	}
	rc = 0;
close:
	{
		long long d2 = now_ms() + 2000;
		int r;

		while ((r = libssh2_channel_close(ch)) == LIBSSH2_ERROR_EAGAIN)
			if (wait_io(c, d2, 2000, NULL, "close", NULL) != 0)
				break;
		while (r == 0 && (r = libssh2_channel_wait_closed(ch)) ==
		       LIBSSH2_ERROR_EAGAIN)
			if (wait_io(c, d2, 2000, NULL, "close", NULL) != 0)
				break;
		if (r == 0 || r == LIBSSH2_ERROR_EAGAIN)
			*status = libssh2_channel_get_exit_status(ch);
		while (libssh2_channel_free(ch) == LIBSSH2_ERROR_EAGAIN)
			if (wait_io(c, d2, 2000, NULL, "close", NULL) != 0) {
				c->broken = 1;
				break;
			}
	}
	return rc;
abandon:
	/* The session is mid-exchange: it is not reused. */
	c->broken = 1;
	return rc;
}

int ssh_tcp(struct ssh_conn *c, const char *host, int port, int timeout_ms,
	    enum ssh_tcp_result *res, ad_cancel_flag *cancel,
	    struct ad_error *err)
{
	LIBSSH2_SESSION *s = node_hop(c)->s;
	LIBSSH2_CHANNEL *ch;
	long long t0 = now_ms(), deadline = t0 + timeout_ms;
	int rc;

	*res = SSH_TCP_TIMEOUT;
	if (c->broken)
		return ad_error_set(err, AD_EIO, "%s", _("the SSH connection was lost"));
	while (!(ch = libssh2_channel_direct_tcpip_ex(s, host, port, "127.0.0.1",
						      22))) {
		char *msg = NULL;
		int e = libssh2_session_last_error(s, &msg, NULL, 0);

		if (e == LIBSSH2_ERROR_EAGAIN) {
			rc = wait_io(c, deadline, timeout_ms, cancel, host, err);
			if (rc == AD_ETIMEOUT) {
				/* Our limit, not the node's: the open is
				 * still pending in the session. */
				c->broken = 1;
				ad_error_clear(err);
				*res = SSH_TCP_TIMEOUT;
				return 0;
			}
			if (rc) {
				c->broken = 1;
				return rc;
			}
			continue;
		}
		if (e == LIBSSH2_ERROR_CHANNEL_FAILURE && msg &&
		    strstr(msg, "prohibited")) {
			ad_error_set(err, AD_EDENIED, "%s",
				_("the node's sshd does not allow TCP forwarding (AllowTcpForwarding), so the node cannot open the test connection"));
			return AD_EDENIED;
		}
		if (e == LIBSSH2_ERROR_CHANNEL_FAILURE) {
			*res = now_ms() - t0 < SSH_TCP_FAST_MS + c->rtt_ms ?
			       SSH_TCP_REFUSED : SSH_TCP_TIMEOUT;
			return 0;
		}
		c->broken = 1;
		return ad_error_set(err, AD_EIO, _("the node cannot open a channel: %s"),
				    msg ? msg : "");
	}
	*res = SSH_TCP_OPEN;
	{
		long long d2 = now_ms() + 2000;

		while (libssh2_channel_free(ch) == LIBSSH2_ERROR_EAGAIN)
			if (wait_io(c, d2, 2000, NULL, "close", NULL) != 0) {
				c->broken = 1;
				break;
			}
	}
	return 0;
}
