/* probe_ssh.c - node probe over SSH: nslookup/getent and direct-tcpip. */
#include "config.h"
#include "probe_ssh.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "i18n.h"
#include "sshconf.h"

#define OUT_MAX 16384

struct sshprobe {
	struct ssh_opts o;
	struct ssh_conn *c;
	struct node_probe *p;
	int failed;              /* connecting failed: sticky */
	struct ad_error why;
};

int probe_ssh_command(const char *name, char *buf, size_t len)
{
	int n;

	if (!sshconf_name_valid(name))
		return AD_EINVAL;
	/* Interpreted by the node user's login shell: POSIX sh syntax, and
	 * the name (validated: letters, digits, '-', '_', '.') only.
	 * nslookup (bind9's, as on AKS node images) gives up after 2 tries
	 * of 2 s for each of A and AAAA: 8 s, inside the command timeout. */
	n = snprintf(buf, len,
		     "LC_ALL=C; export LC_ALL; "
		     "if command -v nslookup >/dev/null 2>&1; then "
		     "echo '#nslookup'; nslookup -timeout=2 -retry=2 %s 2>&1; "
		     "else echo '#getent'; getent ahosts %s; echo \"#rc=$?\"; fi",
		     name, name);
	return n < 0 || (size_t)n >= len ? AD_ENOMEM : 0;
}

static void add_addr(struct probe_dns *d, const char *a)
{
	unsigned char b[16];
	int i;

	if (inet_pton(AF_INET, a, b) != 1 && inet_pton(AF_INET6, a, b) != 1)
		return;
	for (i = 0; i < d->naddr; i++)
		if (strcmp(d->addr[i], a) == 0)
			return;
	if (d->naddr < PROBE_MAX_ADDRS)
		snprintf(d->addr[d->naddr++], sizeof d->addr[0], "%s", a);
}

static void add_cname(struct probe_dns *d, const char *n, const char *asked)
{
	char tmp[256];
	size_t len;
	int i;

	snprintf(tmp, sizeof tmp, "%s", n);
	len = strlen(tmp);
	if (len && tmp[len - 1] == '.')
		tmp[--len] = '\0';
	if (!sshconf_name_valid(tmp) || strcasecmp(tmp, asked) == 0)
		return;
	for (i = 0; i < d->ncname; i++)
		if (strcasecmp(d->cname[i], tmp) == 0)
			return;
	if (d->ncname < PROBE_MAX_CNAMES)
		snprintf(d->cname[d->ncname++], sizeof d->cname[0], "%s", tmp);
	if (strncasecmp(tmp, "privatelink.", 12) == 0 ||
	    strcasestr(tmp, ".privatelink."))
		d->via_privatelink = 1;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static void set_error(char *dst, size_t len, const char *code)
{
	if (!dst[0])
		snprintf(dst, len, "%s", code);
}

/* "** server can't find NAME: NXDOMAIN" and the like. */
static void rcode(struct probe_dns *d, const char *line, char *first,
		  size_t flen)
{
	const char *c = strrchr(line, ':');
	char code[24];
	size_t i;

	if (!c)
		return;
	c++;
	while (*c == ' ')
		c++;
	for (i = 0; c[i] && i + 1 < sizeof code; i++) {
		if (!isupper((unsigned char)c[i]) && c[i] != '_')
			break;
		code[i] = c[i];
	}
	code[i] = '\0';
	if (i >= 3 && !c[i])
		set_error(first, flen, code);
	(void)d;
}

static void parse_nslookup(char *text, const char *name, struct probe_dns *d,
			   char *err1, size_t elen)
{
	char *line, *save = NULL;
	int in_server = 0, in_answer = 0;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *l = trim(line), *v;

		if (strncmp(l, "Server:", 7) == 0) {
			in_server = 1;
			v = trim(l + 7);
			if (sshconf_host_valid(v) && !d->resolver[0])
				snprintf(d->resolver, sizeof d->resolver, "%s", v);
			continue;
		}
		if (strncmp(l, "Address", 7) == 0 && (v = strchr(l, ':'))) {
			char a[64];
			size_t k;

			v = trim(v + 1);
			if (in_server && !in_answer) {
				/* The server: "127.0.0.1#53" (bind) or
				 * "10.0.0.10:53" (busybox). */
				for (k = 0; v[k] && k + 1 < sizeof a &&
				     (isxdigit((unsigned char)v[k]) || v[k] == '.' ||
				      v[k] == ':' || v[k] == '#'); k++)
					a[k] = v[k];
				a[k] = '\0';
				if (k && !v[k])
					snprintf(d->resolver, sizeof d->resolver, "%s", a);
				in_server = 0;
				continue;
			}
			if (in_answer) {
				snprintf(a, sizeof a, "%s", v);
				a[strcspn(a, " \t")] = '\0';
				add_addr(d, a);
			}
			continue;
		}
		if (strncmp(l, "Name:", 5) == 0) {
			in_answer = 1;
			in_server = 0;
			continue;
		}
		if ((v = strstr(l, "canonical name = ")) != NULL) {
			add_cname(d, trim(v + 17), name);
			in_server = 0;
			continue;
		}
		if (strncmp(l, "** server can't find", 20) == 0) {
			rcode(d, l, err1, elen);
			continue;
		}
		if (strncmp(l, "*** Can't find", 14) == 0 &&
		    strstr(l, "No answer")) {
			set_error(err1, elen, "NODATA");
			continue;
		}
		if (strstr(l, "timed out") ||
		    strstr(l, "no servers could be reached")) {
			set_error(err1, elen, "TIMEOUT");
			continue;
		}
		if (strstr(l, "communications error") ||
		    strstr(l, "connection refused")) {
			set_error(err1, elen, "NOSERVER");
			continue;
		}
		if (!*l)
			in_server = 0;
	}
}

static void parse_getent(char *text, const char *name, struct probe_dns *d,
			 char *err1, size_t elen)
{
	char *line, *save = NULL;
	int first = 1;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *l = trim(line), *a, *kind, *canon, *s2 = NULL;

		if (strncmp(l, "#rc=", 4) == 0) {
			if (strcmp(l + 4, "2") == 0)
				set_error(err1, elen, "NOTFOUND");
			else if (strcmp(l + 4, "0") != 0)
				set_error(err1, elen, "ERROR");
			continue;
		}
		a = strtok_r(l, " \t", &s2);
		kind = a ? strtok_r(NULL, " \t", &s2) : NULL;
		canon = kind ? strtok_r(NULL, " \t", &s2) : NULL;
		if (!a || !kind)
			continue;
		add_addr(d, a);
		if (first && canon)
			add_cname(d, canon, name);
		first = 0;
	}
}

void probe_ssh_parse(const char *text, const char *name,
		     struct probe_dns *out)
{
	char *copy;
	char err1[64] = "";
	size_t len;

	memset(out, 0, sizeof *out);
	len = strnlen(text, OUT_MAX);
	copy = malloc(len + 1);
	if (!copy) {
		snprintf(out->answer_error, sizeof out->answer_error, "no answer");
		return;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	if (strncmp(copy, "#getent", 7) == 0) {
		snprintf(out->method, sizeof out->method, "getent");
		parse_getent(copy + 7, name, out, err1, sizeof err1);
	} else {
		snprintf(out->method, sizeof out->method, "nslookup");
		parse_nslookup(strncmp(copy, "#nslookup", 9) == 0 ? copy + 9 : copy,
			       name, out, err1, sizeof err1);
	}
	free(copy);
	if (out->naddr == 0)
		snprintf(out->answer_error, sizeof out->answer_error, "%s",
			 err1[0] ? err1 : "no answer");
}

/* ---------- the probe ---------- */

static void printable(char *dst, size_t len, const char *src)
{
	size_t i;

	for (i = 0; src[i] && i + 1 < len; i++)
		dst[i] = isprint((unsigned char)src[i]) ? src[i] : '?';
	dst[i] = '\0';
}

static int ensure(struct sshprobe *sp, struct ad_error *err)
{
	int rc;

	if (sp->c && !ssh_conn_broken(sp->c))
		return 0;
	ssh_conn_free(sp->c);
	sp->c = NULL;
	if (sp->failed) {
		if (err)
			*err = sp->why;
		return sp->why.code;
	}
	rc = ssh_conn_open(&sp->o, sp->p->cancel, &sp->c, err);
	if (rc != 0 && rc != AD_ECANCEL && err) {
		sp->failed = 1;
		sp->why = *err;
	}
	return rc;
}

static int ssh_resolve(void *impl, const char *name, struct probe_dns *out,
		       struct ad_error *err)
{
	struct sshprobe *sp = impl;
	char cmd[700], shown[80];
	char *text;
	int rc, status;

	memset(out, 0, sizeof *out);
	if (probe_ssh_command(name, cmd, sizeof cmd) != 0) {
		printable(shown, sizeof shown, name ? name : "");
		return ad_error_set(err, AD_EINVAL,
			_("'%s' is not a valid DNS name: it is not sent to the node"),
			shown);
	}
	if ((rc = ensure(sp, err)) != 0)
		return rc;
	text = malloc(OUT_MAX);
	if (!text)
		return ad_error_set(err, AD_ENOMEM, "%s", _("out of memory"));
	rc = ssh_exec(sp->c, cmd, text, OUT_MAX, &status, sp->p->cancel, err);
	if (rc == 0)
		probe_ssh_parse(text, name, out);
	free(text);
	return rc;
}

static int ssh_tcp_probe(void *impl, const char *host, int port,
			 int timeout_ms, enum probe_tcp *out,
			 struct ad_error *err)
{
	struct sshprobe *sp = impl;
	enum ssh_tcp_result r;
	char shown[80];
	int rc;

	if (!sshconf_host_valid(host) || port < 1 || port > 65535) {
		printable(shown, sizeof shown, host ? host : "");
		return ad_error_set(err, AD_EINVAL,
			_("'%s' port %d is not a valid target: it is not sent to the node"),
			shown, port);
	}
	if ((rc = ensure(sp, err)) != 0)
		return rc;
	rc = ssh_tcp(sp->c, host, port, timeout_ms > 0 ? timeout_ms : 5000, &r,
		     sp->p->cancel, err);
	if (rc != 0)
		return rc;
	*out = r == SSH_TCP_OPEN ? PROBE_TCP_OPEN :
	       r == SSH_TCP_REFUSED ? PROBE_TCP_REFUSED : PROBE_TCP_TIMEOUT;
	return 0;
}

static void ssh_probe_free(void *impl)
{
	struct sshprobe *sp = impl;

	if (!sp)
		return;
	ssh_conn_free(sp->c);
	free(sp);
}

/* Only validated names and addresses make it into the text. */
static void ssh_probe_command(void *impl, const char *what, const char *arg,
			      int port, char *buf, size_t len)
{
	struct sshprobe *sp = impl;
	char prefix[1400];

	if (sp->c)
		ssh_command_line(sp->c, prefix, sizeof prefix);
	else if (ssh_opts_command_line(&sp->o, prefix, sizeof prefix) != 0)
		return;
	if (strcmp(what, "resolve") == 0 && sshconf_name_valid(arg))
		snprintf(buf, len, "%s nslookup %s", prefix, arg);
	else if (strcmp(what, "tcp") == 0 && sshconf_host_valid(arg) &&
		 port > 0 && port < 65536)
		snprintf(buf, len, "%s nc -vz -w 5 %s %d", prefix, arg, port);
}

static const struct probe_ops ssh_probe_ops = {
	.name = "ssh",
	.resolve = ssh_resolve,
	.tcp = ssh_tcp_probe,
	.free = ssh_probe_free,
	.command = ssh_probe_command,
};

int probe_ssh_new(const struct ssh_opts *o, struct node_probe **out,
		  struct ad_error *err)
{
	struct node_probe *p;
	struct sshprobe *sp;

	*out = NULL;
	if (!o->node[0])
		return ad_error_set(err, AD_EINVAL, "%s",
				    _("no node given (--ssh-node)"));
	p = calloc(1, sizeof *p);
	sp = calloc(1, sizeof *sp);
	if (!p || !sp) {
		free(p);
		free(sp);
		return ad_error_set(err, AD_ENOMEM, "%s", _("out of memory"));
	}
	sp->o = *o;
	sp->p = p;
	p->ops = &ssh_probe_ops;
	p->impl = sp;
	snprintf(p->node, sizeof p->node, "%.127s", o->node);
	*out = p;
	return 0;
}

void probe_ssh_command_line(const struct node_probe *p, char *buf,
			    size_t len)
{
	const struct sshprobe *sp;

	if (len)
		buf[0] = '\0';
	if (!p || p->ops != &ssh_probe_ops)
		return;
	sp = p->impl;
	if (sp->c)
		ssh_command_line(sp->c, buf, len);
	else
		ssh_opts_command_line(&sp->o, buf, len);
}
