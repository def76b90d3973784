/* redact.c - mask secrets by their shape (see redact.h).
 *
 * One left-to-right pass, linear in the input: at each position the
 * shapes are tried in turn (PEM block, option, key and separator,
 * Bearer/Basic credential, JWT, URL user info); the first that matches
 * writes what names the secret and "***" and the scan resumes after the
 * value.  Everything else is copied byte for byte. */
#include "config.h"
#include "redact.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXQUOTED 4096u         /* longest quoted value looked for */
#define LOGIN_WINDOW 512u       /* how far back "-p" looks for a login */

struct out {
	char *p;
	size_t o;
};

static int is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

static unsigned char lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

/* Characters of a key or an option name: "DOCKER_REGISTRY_SERVER_PASSWORD",
 * "x-ms-client-secret", "auth.password". */
static int key_char(unsigned char c)
{
	return is_alnum(c) || c == '_' || c == '-' || c == '.';
}

/* Characters of a token (Bearer, base64, JWT). */
static int tok_char(unsigned char c)
{
	return is_alnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
	       c == '+' || c == '/' || c == '=';
}

static int value_end_char(unsigned char c)
{
	return is_space(c) || c == '"' || c == '\'' || c == '&' || c == ',' ||
	       c == ';' || c == '}' || c == ']' || c == ')' || c == '>' ||
	       c == '<' || c == '\\' || c == '`';
}

static int ci_prefix(const char *s, size_t n, const char *p)
{
	size_t i;

	for (i = 0; p[i]; i++)
		if (i >= n || lower((unsigned char)s[i]) != (unsigned char)p[i])
			return 0;
	return 1;
}

/* Does s (n bytes) end with the lowercase word suf, in any case? */
static int ends_with_ci(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);

	return n >= k && ci_prefix(s + n - k, k, suf);
}

static void emit(struct out *o, const char *s, size_t n)
{
	memcpy(o->p + o->o, s, n);
	o->o += n;
}

static void emit_mask(struct out *o)
{
	emit(o, REDACT_MASK, sizeof REDACT_MASK - 1);
}

/* ---------- which keys name a secret ---------- */

enum { KEY_NO, KEY_WEAK, KEY_STRONG };

static int ends_with(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);

	return n >= k && memcmp(s + n - k, suf, k) == 0;
}

/* KEY_STRONG: the value after '=', ':' or a space (options) is a secret.
 * KEY_WEAK: only after '=' or as a quoted JSON key - "token: unexpected
 * status" and "auth: ..." are error texts, not credentials.
 * The key is compared lowercased without '_', '-' and '.', by its end:
 * SERVER_PASSWORD, clientSecret, x-ms-client-secret, AccountKey. */
static int key_kind(const char *k, size_t kl)
{
	static const char *const strong[] = {
		"password", "passwd", "passphrase", "secret", "authorization",
		"apikey", "accountkey", "accesskey", "sharedaccesskey",
		"sharedaccesssignature", "privatekey", "subscriptionkey",
		"primarykey", "secondarykey", "masterkey", "signingkey",
		"encryptionkey", "dockerconfigjson", "dockercfg",
		"clientassertion",
	};
	char b[64];
	size_t i, n = 0;

	/* Only the end decides: a long key ("a...a_password") is looked at
	 * by its last characters. */
	if (kl > sizeof b - 1)
		k += kl - (sizeof b - 1), kl = sizeof b - 1;
	for (i = 0; i < kl; i++) {
		unsigned char c = (unsigned char)k[i];

		if (c == '_' || c == '-' || c == '.')
			continue;
		b[n++] = (char)lower(c);
	}
	if (n == 0)
		return KEY_NO;
	for (i = 0; i < sizeof strong / sizeof strong[0]; i++)
		if (ends_with(b, n, strong[i]))
			return KEY_STRONG;
	if (ends_with(b, n, "token"))
		return n > 5 ? KEY_STRONG : KEY_WEAK;   /* access_token, token */
	if (ends_with(b, n, "pwd"))
		return n > 3 ? KEY_STRONG : KEY_WEAK;
	if ((n == 4 && memcmp(b, "auth", 4) == 0) ||
	    (n == 3 && memcmp(b, "sig", 3) == 0))
		return KEY_WEAK;
	return KEY_NO;
}

/* ---------- values ---------- */

/* The value at s[v]: quoted (its quote skipped, *q its length) or up to
 * a delimiter.  For options (opt) only white space and quotes end it: a
 * password may hold ';' or ','.  Returns the index after the value. */
static size_t value_end(const char *s, size_t n, size_t v, int opt,
			size_t *q)
{
	size_t ve;

	*q = 0;
	if (v + 1 < n && s[v] == '\\' && s[v + 1] == '"')
		*q = 2;
	else if (v < n && (s[v] == '"' || s[v] == '\''))
		*q = 1;
	ve = v + *q;
	if (*q) {
		char close = s[v + *q - 1];

		while (ve < n && s[ve] != close && s[ve] != '\\' &&
		       ve - v < MAXQUOTED)
			ve++;
	} else if (opt) {
		while (ve < n && !is_space((unsigned char)s[ve]) &&
		       s[ve] != '"' && s[ve] != '\'' && s[ve] != '`')
			ve++;
	} else {
		while (ve < n && !value_end_char((unsigned char)s[ve]))
			ve++;
	}
	return ve;
}

/* Write s[i..v+q) (the key, separator and opening quote), the mask, and
 * return the end of the value - or 0 when the value is empty. */
static size_t mask_value(const char *s, size_t n, size_t i, size_t v,
			 int opt, struct out *o)
{
	size_t q, ve = value_end(s, n, v, opt, &q);

	if (ve <= v + q)
		return 0;
	emit(o, s + i, v + q - i);
	emit_mask(o);
	return ve;
}

/* ---------- the shapes ---------- */

/* -----BEGIN ... PRIVATE KEY----- ... -----END: the body. */
static size_t mask_pem(const char *s, size_t n, size_t i, struct out *o)
{
	size_t j, hdr;

	if (!ci_prefix(s + i, n - i, "-----begin "))
		return 0;
	/* the header is letters and spaces only ("RSA", "ENCRYPTED"...):
	 * it must not reach into the body */
	for (j = i + 11; j < n && j < i + 48; j++) {
		if (ci_prefix(s + j, n - j, "private key-----"))
			break;
		if (!((s[j] >= 'A' && s[j] <= 'Z') || (s[j] >= 'a' && s[j] <= 'z') ||
		      s[j] == ' '))
			return 0;
	}
	if (j >= n || j >= i + 48)
		return 0;
	hdr = j + 16;
	for (j = hdr; j < n; j++)
		if (ci_prefix(s + j, n - j, "-----end"))
			break;
	emit(o, s + i, hdr - i);
	emit_mask(o);
	return j;
}

/* Is s[i] ("-p") inside a login command?  Looks back to the start of
 * the command (a newline, ';', '|' or '&'). */
static int in_login(const char *s, size_t i)
{
	size_t a = i > LOGIN_WINDOW ? i - LOGIN_WINDOW : 0, j;

	for (j = i; j > a; j--)
		if (s[j - 1] == '\n' || s[j - 1] == ';' || s[j - 1] == '|' ||
		    s[j - 1] == '&')
			break;
	a = j;
	for (j = a; j + 2 < i; j++) {
		if (ci_prefix(s + j, i - j, "login") &&
		    (j == 0 || !is_alnum((unsigned char)s[j - 1])))
			return 1;
		if (ci_prefix(s + j, i - j, "--username") ||
		    (ci_prefix(s + j, i - j, "-u ") &&
		     (j == 0 || is_space((unsigned char)s[j - 1]))))
			return 1;
	}
	return 0;
}

/* --client-secret VALUE, --docker-password=VALUE, -p VALUE (login). */
static size_t mask_option(const char *s, size_t n, size_t i, struct out *o)
{
	size_t j, v;

	if (i > 0 && !is_space((unsigned char)s[i - 1]) && s[i - 1] != '"' &&
	    s[i - 1] != '\'' && s[i - 1] != '`' && s[i - 1] != '(' &&
	    s[i - 1] != '[')
		return 0;
	if (i + 2 < n && s[i + 1] == '-') {
		for (j = i + 2; j < n && key_char((unsigned char)s[j]); j++)
			;
		if (j == i + 2 || key_kind(s + i + 2, j - i - 2) == KEY_NO)
			return 0;
	} else if (i + 2 < n && s[i + 1] == 'p' &&
		   (s[i + 2] == ' ' || s[i + 2] == '=' || s[i + 2] == '\t') &&
		   in_login(s, i)) {
		j = i + 2;
	} else {
		return 0;
	}
	if (j < n && s[j] == '=') {
		v = j + 1;
	} else {
		for (v = j; v < n && (s[v] == ' ' || s[v] == '\t'); v++)
			;
		if (v == j)
			return 0;               /* --password-stdin, --secret) */
		if (v + 1 < n && s[v] == '-' && s[v + 1] == '-')
			return 0;               /* the next option, no value */
	}
	return mask_value(s, n, i, v, 1, o);
}

/* key=value, "key": "value", key: value whose key names a secret. */
static size_t mask_key(const char *s, size_t n, size_t i, struct out *o)
{
	size_t j, v, kl;
	int kind, quoted_key;

	for (j = i; j < n && key_char((unsigned char)s[j]); j++)
		;
	kl = j - i;
	if (kl == 0 || (kind = key_kind(s + i, kl)) == KEY_NO)
		return 0;
	quoted_key = i > 0 && (s[i - 1] == '"' || s[i - 1] == '\'');
	if (j + 1 < n && s[j] == '\\' && s[j + 1] == '"')
		j += 2;
	else if (j < n && quoted_key && s[j] == s[i - 1])
		j++;
	while (j < n && (s[j] == ' ' || s[j] == '\t'))
		j++;
	if (j >= n)
		return 0;
	if (s[j] == ':') {
		if (kind != KEY_STRONG && !quoted_key)
			return 0;
		if (j + 2 < n && s[j + 1] == '/' && s[j + 2] == '/')
			return 0;               /* "auth://host" is a URL */
	} else if (s[j] != '=') {
		return 0;
	}
	for (j++; j < n && (s[j] == ' ' || s[j] == '\t'); j++)
		;
	/* "Authorization: Bearer X": keep the scheme, mask X */
	if (ends_with_ci(s + i, kl, "authorization")) {
		for (v = j; v < n && is_alnum((unsigned char)s[v]); v++)
			;
		if (v < n && s[v] == ' ' && v > j && v - j < 16)
			for (j = v; j < n && s[j] == ' '; j++)
				;
	}
	if (j < n && (s[j] == '{' || s[j] == '['))
		return 0;                       /* a structure: its keys follow */
	return mask_value(s, n, i, j, 0, o);
}

/* Base64 (standard or URL-safe, padding optional) of printable ASCII
 * holding a ':' - the "user:password" of a Basic credential. */
static int basic_credential(const char *s, size_t n)
{
	unsigned acc = 0;
	int bits = 0, colon = 0;
	size_t i, data = n;

	while (data > 0 && s[data - 1] == '=')
		data--;
	if (data < 4 || n - data > 2 || data % 4 == 1)
		return 0;
	for (i = 0; i < data; i++) {
		unsigned char c = (unsigned char)s[i];
		int v;

		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= 'a' && c <= 'z')
			v = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			v = c - '0' + 52;
		else if (c == '+' || c == '-')
			v = 62;
		else if (c == '/' || c == '_')
			v = 63;
		else
			return 0;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			unsigned char b = (unsigned char)(acc >> (bits - 8));

			bits -= 8;
			acc &= (1u << bits) - 1;
			if (b < 0x20 || b > 0x7E)
				return 0;
			colon |= b == ':';
		}
	}
	return colon;
}

/* A bearer token, not a word ("the Bearer challenge"): 8 characters or
 * more with a digit or a symbol, or long. */
static int token_like(const char *s, size_t n)
{
	size_t i;

	if (n < 8)
		return 0;
	if (n >= 24)
		return 1;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
			return 1;
	return 0;
}

/* "Bearer <token>" and "Basic <user:password in base64>" outside an
 * Authorization header. */
static size_t mask_scheme(const char *s, size_t n, size_t i, struct out *o)
{
	size_t j, v;
	int basic;

	if (ci_prefix(s + i, n - i, "bearer"))
		j = i + 6, basic = 0;
	else if (ci_prefix(s + i, n - i, "basic"))
		j = i + 5, basic = 1;
	else
		return 0;
	if (j >= n || (s[j] != ' ' && s[j] != '\t'))
		return 0;
	while (j < n && (s[j] == ' ' || s[j] == '\t'))
		j++;
	if (ci_prefix(s + j, n - j, "realm"))
		return 0;                       /* a challenge, not a token */
	for (v = j; v < n && tok_char((unsigned char)s[v]); v++)
		;
	if (basic ? !basic_credential(s + j, v - j) : !token_like(s + j, v - j))
		return 0;
	emit(o, s + i, j - i);
	emit_mask(o);
	return v;
}

/* A JWT (eyJ... . ...), whatever it is under. */
static size_t mask_jwt(const char *s, size_t n, size_t i, struct out *o)
{
	size_t j, dots = 0;

	if (n - i < 3 || memcmp(s + i, "eyJ", 3) != 0)
		return 0;
	for (j = i; j < n && (is_alnum((unsigned char)s[j]) || s[j] == '-' ||
			      s[j] == '_' || s[j] == '.'); j++)
		if (s[j] == '.')
			dots++;
	if (dots < 1 || j - i < 20)
		return 0;
	emit_mask(o);
	return j;
}

/* scheme://user:password@host: the password. */
static size_t mask_userinfo(const char *s, size_t n, size_t i, struct out *o)
{
	size_t j, colon = 0;

	if (n - i < 3 || memcmp(s + i, "://", 3) != 0)
		return 0;
	for (j = i + 3; j < n && j < i + 256; j++) {
		unsigned char c = (unsigned char)s[j];

		if (c == '@')
			break;
		if (c == '/' || is_space(c) || c == '"' || c == '\'' ||
		    c == '<' || c == '>' || c == '?' || c == '#')
			return 0;
		if (c == ':' && !colon)
			colon = j;
	}
	if (j >= n || s[j] != '@' || !colon || j == colon + 1)
		return 0;
	/* the user part may itself hold a key=value ("a:b" is not the only
	 * shape a pasted URL has): masked the same way, then the password */
	emit(o, s + i, 3);
	o->o += redact_mem(s + i + 3, colon - i - 3, o->p + o->o);
	emit(o, ":", 1);
	emit_mask(o);
	return j;
}

size_t redact_mem(const char *s, size_t n, char *out)
{
	struct out o = { out, 0 };
	size_t i = 0, next;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		unsigned char p = i ? (unsigned char)s[i - 1] : ' ';

		next = 0;
		if (c == '-') {
			next = mask_pem(s, n, i, &o);
			if (!next)
				next = mask_option(s, n, i, &o);
		}
		if (!next && key_char(c) && !key_char(p))
			next = mask_key(s, n, i, &o);
		if (!next && is_alnum(c) && !is_alnum(p)) {
			next = mask_scheme(s, n, i, &o);
			if (!next)
				next = mask_jwt(s, n, i, &o);
		}
		if (!next && c == ':')
			next = mask_userinfo(s, n, i, &o);
		if (next) {
			i = next;
			continue;
		}
		out[o.o++] = s[i++];
	}
	out[o.o] = '\0';
	return o.o;
}

char *redact_dup(const char *s)
{
	size_t n;
	char *out;

	if (!s)
		return NULL;
	n = strlen(s);
	out = malloc(REDACT_ROOM(n));
	if (out)
		redact_mem(s, n, out);
	return out;
}

size_t redact_text(char *buf, size_t size)
{
	size_t n, m, room;
	char *tmp;

	if (!buf || size == 0)
		return 0;
	n = strnlen(buf, size - 1);
	buf[n] = '\0';
	room = REDACT_ROOM(n);
	tmp = malloc(room);
	if (!tmp) {
		/* Cannot tell what is secret: show nothing rather than all. */
		redact_wipe(buf, n);
		return 0;
	}
	m = redact_mem(buf, n, tmp);
	if (m + 1 > size) {
		m = size - 1;
		while (m > 0 && ((unsigned char)tmp[m] & 0xC0) == 0x80)
			m--;
	}
	memcpy(buf, tmp, m);
	buf[m] = '\0';
	redact_wipe(tmp, room);
	free(tmp);
	return m;
}

int redact_header_secret(const char *name)
{
	static const char *const parts[] = {
		"key", "token", "secret", "password", "passwd", "signature",
		"credential", "cookie", "authorization", "sas",
	};
	char b[128];
	size_t i, n;

	if (!name)
		return 0;
	for (n = 0; name[n] && n + 1 < sizeof b; n++)
		b[n] = (char)lower((unsigned char)name[n]);
	b[n] = '\0';
	for (i = 0; i < sizeof parts / sizeof parts[0]; i++)
		if (strstr(b, parts[i]))
			return 1;
	return 0;
}

int redact_header(const char *name, const char *value, char *out,
		  size_t len)
{
	size_t n, m, k;
	char *tmp;

	if (!out || len == 0)
		return 0;
	out[0] = '\0';
	if (!value)
		return 0;
	n = strlen(value);
	if (redact_header_secret(name)) {
		/* Authorization: keep the scheme ("Bearer ***"). */
		for (k = 0; k < n && k < 16 && is_alnum((unsigned char)value[k]);
		     k++)
			;
		if (!(ends_with_ci(name, strlen(name), "authorization") &&
		      k > 0 && k < n && value[k] == ' '))
			k = 0;
		if (k + sizeof REDACT_MASK + 1 > len)
			k = 0;
		memcpy(out, value, k);
		if (k)
			out[k++] = ' ';
		snprintf(out + k, len - k, "%s", REDACT_MASK);
		return 1;
	}
	tmp = malloc(REDACT_ROOM(n));
	if (!tmp) {
		snprintf(out, len, "%s", REDACT_MASK);
		return 1;
	}
	m = redact_mem(value, n, tmp);
	k = m + 1 > len ? len - 1 : m;
	while (k > 0 && k < m && ((unsigned char)tmp[k] & 0xC0) == 0x80)
		k--;
	memcpy(out, tmp, k);
	out[k] = '\0';
	redact_wipe(tmp, REDACT_ROOM(n));
	free(tmp);
	return m != n || memcmp(out, value, k) != 0;
}

void redact_wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (p && n--)
		*v++ = 0;
}
