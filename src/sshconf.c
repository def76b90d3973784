/* sshconf.c - ~/.ssh/config subset, ProxyJump lists, name validation. */
#include "config.h"
#include "sshconf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "i18n.h"

#define LINE_MAX_LEN 1024

int sshconf_name_valid(const char *name)
{
	size_t len, label = 0, i;

	if (!name)
		return 0;
	len = strlen(name);
	if (len == 0 || len > 253 || name[0] == '-' || name[0] == '.')
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		if (!(isascii(c) && (isalnum(c) || c == '-' || c == '_')))
			return 0;
		if (++label > 63)
			return 0;
	}
	return 1;
}

int sshconf_host_valid(const char *host)
{
	unsigned char buf[16];

	if (!host)
		return 0;
	if (inet_pton(AF_INET, host, buf) == 1 ||
	    inet_pton(AF_INET6, host, buf) == 1)
		return 1;
	return sshconf_name_valid(host);
}

int sshconf_user_valid(const char *user)
{
	size_t i, len = user ? strlen(user) : 0;

	if (len == 0 || len > 32 || user[0] == '-')
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)user[i];

		if (!(isascii(c) && (isalnum(c) || c == '.' || c == '_' ||
				     c == '-')))
			return 0;
	}
	return 1;
}

/* Shell-style * and ? matching, case-insensitive (host names are). */
static int wild(const char *p, const char *s)
{
	for (; *p; p++, s++) {
		if (*p == '*') {
			while (p[1] == '*')
				p++;
			if (!p[1])
				return 1;
			for (; *s; s++)
				if (wild(p + 1, s))
					return 1;
			return wild(p + 1, s);
		}
		if (!*s)
			return 0;
		if (*p != '?' && tolower((unsigned char)*p) !=
		    tolower((unsigned char)*s))
			return 0;
	}
	return *s == '\0';
}

int sshconf_match_list(const char *patterns, const char *host)
{
	char buf[LINE_MAX_LEN], *tok, *save = NULL;
	int hit = 0;

	snprintf(buf, sizeof buf, "%s", patterns);
	for (tok = strtok_r(buf, " \t,", &save); tok;
	     tok = strtok_r(NULL, " \t,", &save)) {
		if (tok[0] == '!') {
			/* A negated match rules the block out, whatever else. */
			if (wild(tok + 1, host))
				return 0;
		} else if (wild(tok, host)) {
			hit = 1;
		}
	}
	return hit;
}

/* Split "Keyword value" / "Keyword=value"; value unquoted in place. */
static int split_line(char *line, char **kw, char **val)
{
	char *p = line, *e;

	while (isspace((unsigned char)*p))
		p++;
	if (!*p || *p == '#')
		return 0;
	*kw = p;
	while (*p && !isspace((unsigned char)*p) && *p != '=')
		p++;
	if (*p) {
		*p++ = '\0';
		while (isspace((unsigned char)*p) || *p == '=')
			p++;
	}
	e = p + strlen(p);
	while (e > p && isspace((unsigned char)e[-1]))
		*--e = '\0';
	if (*p == '"' && e > p + 1 && e[-1] == '"') {
		e[-1] = '\0';
		p++;
	}
	*val = p;
	return 1;
}

static const char *home_dir(void)
{
	const char *h = getenv("HOME");
	struct passwd *pw;

	if (h && *h)
		return h;
	pw = getpwuid(getuid());
	return pw ? pw->pw_dir : "/";
}

/* Expand ~ and the % tokens IdentityFile understands. */
static void expand_path(const char *in, const char *host, const char *ruser,
			char *out, size_t size)
{
	size_t o = 0;
	const char *p = in;

	out[0] = '\0';
	if (p[0] == '~' && (p[1] == '/' || p[1] == '\0')) {
		o = (size_t)snprintf(out, size, "%s", home_dir());
		p++;
	}
	for (; *p && o + 1 < size; p++) {
		const char *rep = NULL;
		char one[2] = { *p, '\0' };
		struct passwd *pw;

		if (*p == '%' && p[1]) {
			p++;
			switch (*p) {
			case 'd': rep = home_dir(); break;
			case 'h': rep = host; break;
			case 'r': rep = ruser; break;
			case 'u':
				pw = getpwuid(getuid());
				rep = pw ? pw->pw_name : "";
				break;
			case '%': rep = "%"; break;
			default: one[0] = *p; rep = one; break;
			}
		} else {
			rep = one;
		}
		o += (size_t)snprintf(out + o, size - o, "%s", rep);
		if (o >= size)
			o = size - 1;
	}
	out[o < size ? o : size - 1] = '\0';
}

/* Keep a keyword's value whole: a cut one would name another host,
 * user, key or jump host, so it is an error, saying which line. */
static int put_value(char *dst, size_t len, const char *val,
		     const char *path, int lineno, const char *kw,
		     struct ad_error *err)
{
	int n = snprintf(dst, len, "%s", val);

	if (n < 0 || (size_t)n >= len) {
		dst[0] = '\0';
		return ad_error_set(err, AD_EPARSE,
			_("%.200s line %d: the %s value is longer than %zu characters"),
			path, lineno, kw, len - 1);
	}
	return 0;
}

int sshconf_lookup(const char *path, const char *host,
		   struct sshconf_host *out, struct ad_error *err)
{
	FILE *fp;
	char line[LINE_MAX_LEN + 2];
	char ids[SSHCONF_MAX_IDS][512];
	int active = 1, nids = 0, lineno = 0, i, rc = 0;

	memset(out, 0, sizeof *out);
	fp = fopen(path, "r");
	if (!fp) {
		if (errno == ENOENT)
			return 0;
		return ad_error_set(err, AD_EIO, _("cannot read %.200s: %s"),
				    path, strerror(errno));
	}
	while (fgets(line, sizeof line, fp)) {
		char *kw, *val;
		size_t len = strlen(line);

		lineno++;
		if (len == sizeof line - 1 && line[len - 1] != '\n') {
			fclose(fp);
			return ad_error_set(err, AD_EPARSE,
				_("%.200s line %d is too long"), path, lineno);
		}
		if (!split_line(line, &kw, &val))
			continue;
		if (strcasecmp(kw, "Host") == 0) {
			active = sshconf_match_list(val, host);
			continue;
		}
		if (strcasecmp(kw, "Match") == 0) {
			/* Match criteria are not evaluated: never apply. */
			active = 0;
			continue;
		}
		if (!active || !*val)
			continue;
		if (strcasecmp(kw, "HostName") == 0 && !out->hostname[0]) {
			/* Room for more than fits: a name cut by the
			 * expansion is too long for hostname too. */
			char tmp[sizeof out->hostname + 1];

			expand_path(val, host, "", tmp, sizeof tmp);
			rc = put_value(out->hostname, sizeof out->hostname,
				       tmp, path, lineno, "HostName", err);
		} else if (strcasecmp(kw, "User") == 0 && !out->user[0]) {
			rc = put_value(out->user, sizeof out->user, val, path,
				       lineno, "User", err);
		} else if (strcasecmp(kw, "Port") == 0 && !out->port) {
			char *end;
			long v = strtol(val, &end, 10);

			if (*end || v < 1 || v > 65535) {
				fclose(fp);
				return ad_error_set(err, AD_EPARSE,
					_("%.200s line %d: bad port '%.20s'"),
					path, lineno, val);
			}
			out->port = (int)v;
		} else if (strcasecmp(kw, "IdentityFile") == 0 &&
			   nids < SSHCONF_MAX_IDS) {
			rc = put_value(ids[nids++], sizeof ids[0], val, path,
				       lineno, "IdentityFile", err);
		} else if (strcasecmp(kw, "ProxyJump") == 0 &&
			   !out->proxyjump[0]) {
			rc = put_value(out->proxyjump, sizeof out->proxyjump,
				       val, path, lineno, "ProxyJump", err);
		}
		if (rc != 0) {
			fclose(fp);
			return rc;
		}
	}
	fclose(fp);
	/* Tokens are expanded once the host name and user are known. */
	for (i = 0; i < nids; i++)
		expand_path(ids[i], out->hostname[0] ? out->hostname : host,
			    out->user, out->identity[i], sizeof out->identity[i]);
	out->nid = nids;
	return 0;
}

static int parse_hop(char *s, struct sshconf_hop *h, struct ad_error *err)
{
	char *at, *host, *colon, *end;

	memset(h, 0, sizeof *h);
	at = strrchr(s, '@');
	host = s;
	if (at) {
		*at = '\0';
		if (!sshconf_user_valid(s))
			return ad_error_set(err, AD_EINVAL,
				_("bad user in jump host '%.64s'"), s);
		snprintf(h->user, sizeof h->user, "%s", s);
		host = at + 1;
	}
	if (host[0] == '[') {
		end = strchr(host, ']');
		if (!end)
			return ad_error_set(err, AD_EINVAL,
				_("bad jump host '%.100s'"), host);
		*end = '\0';
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] && !colon)
			return ad_error_set(err, AD_EINVAL,
				_("bad jump host '%.100s'"), host);
		host++;
	} else {
		colon = strchr(host, ':');
		if (colon && strchr(colon + 1, ':'))
			colon = NULL;   /* a bare IPv6 address */
	}
	if (colon) {
		long v;

		*colon = '\0';
		v = strtol(colon + 1, &end, 10);
		if (*end || v < 1 || v > 65535)
			return ad_error_set(err, AD_EINVAL,
				_("bad port in jump host '%.100s'"), host);
		h->port = (int)v;
	}
	if (!sshconf_host_valid(host))
		return ad_error_set(err, AD_EINVAL,
			_("bad jump host '%.100s'"), host);
	snprintf(h->host, sizeof h->host, "%s", host);
	return 0;
}

int sshconf_jump_parse(const char *spec, struct sshconf_hop *hops, int max,
		       int *n, struct ad_error *err)
{
	char buf[1024], *tok, *save = NULL;
	int rc;

	*n = 0;
	if (strlen(spec) >= sizeof buf)
		return ad_error_set(err, AD_EINVAL, "%s",
				    _("the jump host list is too long"));
	snprintf(buf, sizeof buf, "%s", spec);
	if (strcasecmp(buf, "none") == 0 || !buf[0])
		return 0;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		while (isspace((unsigned char)*tok))
			tok++;
		if (*n >= max)
			return ad_error_set(err, AD_EINVAL,
				_("more than %d jump hosts"), max);
		if ((rc = parse_hop(tok, &hops[*n], err)) != 0)
			return rc;
		(*n)++;
	}
	return 0;
}
