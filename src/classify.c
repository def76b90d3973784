/* classify.c - map a pasted image-pull error message to a cause.
 *
 * Pipeline, every step linear in the input and bounded in memory:
 *   1. read at most the first and the last CAP bytes;
 *   2. sanitize: valid UTF-8 only, control characters and terminal escape
 *      sequences removed, invisible/bidi characters dropped, JSON \u0022
 *      and HTML &quot; style escapes of printable ASCII decoded;
 *   3. mask secrets (password=, Bearer, access_token=, JWTs, URL
 *      passwords, SAS signatures) - this "safe" copy is the only source of
 *      evidence, image and registry, so nothing shown can leak a secret;
 *   4. normalize for matching: ASCII lowercase, whitespace collapsed,
 *      \" and \n escapes undone, " = " dropped ("code = NotFound" and a
 *      paste that lost the '=' signs read the same), typographic quotes
 *      made plain; a position map leads back to the safe copy; a paste
 *      cut inside its last word ("401 Unauthori") gets the word back;
 *   5. walk an ordered rule table; the first rule that matches decides,
 *      and names the other cause when its wording fits two (a registry
 *      that answers a missing and a private repository alike).
 *
 * Order of the table = precedence.  The guiding principle for messages
 * that carry several errors (kubelet's "[rpc error: A, rpc error: B]",
 * App Service's retry "from Docker hub"): the runtime first pulls with
 * credentials, then retries anonymously, and the anonymous retry of a
 * private registry always ends in 401.  So a specific failure (not found,
 * firewall, timeout, network cut) outranks a 401, and a 401 outranks a
 * bare 5xx.  Within a message the innermost error decides: the server's
 * own words ("permission_denied", "no basic auth credentials") over
 * Docker's "repository does not exist or may require 'docker login'"
 * wrapper, and the registry's family (ACR, Docker Hub, GHCR, Quay...)
 * over the bare word "denied".  Messages that name no cause are "other"
 * with a note. */
#include "config.h"

#include "classify.h"
#include "err.h"
#include "redact.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAP      (64u * 1024u)  /* bytes read from each end of the input */
#define GAP      300u           /* most bytes a '*' in a pattern may span */
#define SHORTGAP 120u           /* ... and a '~' (one name or reference) */
#define CTX      60u            /* evidence context on each side */
#define MAXFRAG  240u           /* longest matched span shown */
#define ELLIPSIS "\xe2\x80\xa6"

/* ---------- the text in its three forms ---------- */

struct text {
	char *safe;             /* sanitized and masked: what may be shown */
	size_t slen;
	char *norm;             /* lowercased and collapsed: what is matched */
	size_t nlen;
	uint32_t *map;          /* norm index -> safe offset (nlen + 1) */
	int webapp;             /* App Service log markers present */
	char registry[256];     /* lowercase registry host, for predicates */
	char lookup[256];       /* lowercase host of a failed DNS lookup */
	int implied_hub;        /* image without a registry: Docker Hub */
	int linux_image;        /* an image is named, and not a Windows one */
};

struct match {
	size_t start, end;      /* in norm */
	int ok;
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

static int is_cont(unsigned char c)
{
	return (c & 0xC0) == 0x80;
}

/* ---------- step 2: sanitize ---------- */

static int ci_prefix(const char *s, size_t n, const char *p)
{
	size_t i;

	for (i = 0; p[i]; i++)
		if (i >= n || lower((unsigned char)s[i]) != (unsigned char)p[i])
			return 0;
	return 1;
}

static int hex_val(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lower(c);
	return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* A quoting escape at s[0]: a JSON "\u0022" (Container Apps and event
 * logs escape quotes, apostrophes, '&' and '<' that way) or an HTML
 * entity ("&quot;", "&#39;", "&amp;": messages copied from a web page).
 * Returns the escape's length and the ASCII character it stands for in
 * *c, 0 when s does not start one.  Only printable ASCII other than the
 * space is decoded: no control character comes back that way. */
static size_t quote_escape(const unsigned char *s, size_t n,
			   unsigned char *c)
{
	static const struct {
		const char *ent;
		char c;
	} ents[] = {
		{ "&quot;", '"' }, { "&#34;", '"' }, { "&#x22;", '"' },
		{ "&apos;", '\'' }, { "&#39;", '\'' }, { "&#x27;", '\'' },
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
	};
	size_t k;

	if (s[0] == '\\' && n >= 6 && (s[1] == 'u' || s[1] == 'U')) {
		int h[4], v;

		for (k = 0; k < 4; k++)
			if ((h[k] = hex_val(s[2 + k])) < 0)
				return 0;
		v = (h[0] << 12) | (h[1] << 8) | (h[2] << 4) | h[3];
		if (v <= 0x20 || v > 0x7E)
			return 0;
		*c = (unsigned char)v;
		return 6;
	}
	if (s[0] != '&')
		return 0;
	for (k = 0; k < sizeof ents / sizeof ents[0]; k++)
		if (ci_prefix((const char *)s, n, ents[k].ent)) {
			*c = (unsigned char)ents[k].c;
			return strlen(ents[k].ent);
		}
	return 0;
}

/* Length of a terminal escape sequence starting at s[0] == ESC, so the
 * whole sequence goes, not just the ESC byte: "ESC [ 2 J" must not leave
 * "[2J" behind.  A string sequence (OSC 52 ...) not terminated within
 * 4 KiB loses only its introducer: it must not hide the message. */
static size_t esc_len(const unsigned char *s, size_t n)
{
	size_t i;

	if (n < 2)
		return 1;
	if (s[1] == '[') {                      /* CSI params final */
		for (i = 2; i < n && i < 64; i++)
			if (s[i] >= 0x40 && s[i] <= 0x7E)
				return i + 1;
			else if (s[i] < 0x20 || s[i] > 0x3F)
				return i;
		return i;
	}
	if (s[1] == ']' || s[1] == 'P' || s[1] == '_' || s[1] == '^' ||
	    s[1] == 'X') {                      /* string until BEL or ST */
		for (i = 2; i < n && i < 4096; i++) {
			if (s[i] == 0x07)
				return i + 1;
			if (s[i] == 0x1B)
				return (i + 1 < n && s[i + 1] == '\\') ? i + 2 : i;
		}
		return 2;
	}
	for (i = 1; i < n && s[i] >= 0x20 && s[i] <= 0x2F; i++)
		;                               /* intermediates */
	if (i < n && s[i] >= 0x30 && s[i] <= 0x7E)
		i++;                            /* final */
	return i;
}

/* Decode one UTF-8 character; 0 when s does not start a valid,
 * shortest-form, non-surrogate one. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c;
	size_t len, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		len = 2;
		c = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		len = 3;
		c = s[0] & 0x0F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if (!is_cont(s[i]))
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

/* Invisible characters that can hide or reorder text on a terminal. */
static int invisible(uint32_t c)
{
	return (c >= 0x80 && c <= 0x9F) || c == 0xAD ||
	       (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) ||
	       (c >= 0x2060 && c <= 0x2069) || c == 0xFEFF ||
	       (c >= 0xFFF9 && c <= 0xFFFB);
}

static void put_space(char *out, size_t *o)
{
	if (*o > 0 && out[*o - 1] != ' ')
		out[(*o)++] = ' ';
}

/* Append the sanitized form of s to out (room for n more bytes). */
static void sanitize(const unsigned char *s, size_t n, char *out, size_t *o)
{
	size_t i = 0, k;
	uint32_t cp;

	while (i < n) {
		unsigned char c = s[i];

		if (c == 0x1B) {
			i += esc_len(s + i, n - i);
			continue;
		}
		if (c < 0x20 || c == 0x7F) {
			put_space(out, o);
			i++;
			continue;
		}
		if ((c == '\\' || c == '&') &&
		    (k = quote_escape(s + i, n - i, &c)) > 0) {
			out[(*o)++] = (char)c;
			i += k;
			continue;
		}
		if (c < 0x80) {
			out[(*o)++] = (char)c;
			i++;
			continue;
		}
		k = utf8_decode(s + i, n - i, &cp);
		if (k == 0) {                   /* invalid byte */
			put_space(out, o);
			i++;
			continue;
		}
		if (cp == 0x9B) {               /* 8-bit CSI: drop its params */
			size_t j = i + k;

			while (j < n && j < i + 64 && s[j] >= 0x20 && s[j] <= 0x3F)
				j++;
			if (j < n && s[j] >= 0x40 && s[j] <= 0x7E)
				j++;
			i = j;
			continue;
		}
		if (invisible(cp)) {
			i += k;
			continue;
		}
		if (cp == 0x2028 || cp == 0x2029 || cp == 0x85 ||
		    (cp >= 0x2500 && cp <= 0x257F)) {
			/* line separators; box drawing (k9s pane borders) */
			put_space(out, o);
			i += k;
			continue;
		}
		memcpy(out + *o, s + i, k);
		*o += k;
		i += k;
	}
}

/* ---------- step 3: mask secrets ---------- */

/* out must have room for REDACT_ROOM(n) = 2 * n + 4 bytes.  The shapes
 * of secrets are known in one place, redact.c, which every output path
 * shares. */
static size_t mask_secrets(const char *s, size_t n, char *out)
{
	return redact_mem(s, n, out);
}

/* ---------- step 4: normalize ---------- */

static void normalize(struct text *t)
{
	const char *s = t->safe;
	size_t n = t->slen, i = 0, o = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\' && i + 1 < n) {
			char d = s[i + 1];

			if (d == '"' || d == '\'' || d == '\\') {
				i++;            /* keep the escaped char */
				continue;
			}
			if (d == 'n' || d == 'r' || d == 't') {
				c = ' ';        /* a literal \n in a paste */
				i++;
			}
		}
		if (c == ' ') {
			if (o > 0 && t->norm[o - 1] != ' ') {
				t->map[o] = (uint32_t)i;
				t->norm[o++] = ' ';
			}
			i++;
			continue;
		}
		/* "code = NotFound desc = x" reads as "code NotFound desc x" */
		if (c == '=' && o > 0 && t->norm[o - 1] == ' ' &&
		    (i + 1 >= n || s[i + 1] == ' ')) {
			i++;
			continue;
		}
		if (c == 0xE2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80) {
			unsigned char d = (unsigned char)s[i + 2];

			if (d == 0x9C || d == 0x9D || d == 0x98 || d == 0x99) {
				t->map[o] = (uint32_t)i;
				t->norm[o++] = (d == 0x9C || d == 0x9D) ? '"' : '\'';
				i += 3;
				continue;
			}
		}
		t->map[o] = (uint32_t)i;
		t->norm[o++] = (char)lower(c);
		i++;
	}
	while (o > 0 && t->norm[o - 1] == ' ')
		o--;
	t->norm[o] = '\0';
	t->map[o] = (uint32_t)n;
	t->nlen = o;
}

/* Phrases a runtime ends its message with.  A paste cut inside the last
 * word of one ("401 Unauthori", "not fou", "i/o time") reads as if the
 * word were whole; longer phrases first. */
static const char *const tail_phrases[] = {
	"requested access to the resource is denied",
	"access to the requested resource is not authorized",
	"certificate signed by unknown authority", "not known to registry",
	"connection reset by peer", "server misbehaving", "insufficient_scope",
	"failed to fetch anonymous token", "failed to fetch oauth token",
	"no basic auth credentials", "authentication required",
	"no match for platform", "connection timed out",
	"connection refused", "context deadline exceeded",
	"tls handshake timeout", "is not allowed access", "exec format error",
	"401 unauthorized", "403 forbidden", "404 not found",
	"manifest unknown", "name unknown", "no such host", "i/o timeout",
	"too many requests", "unauthorized", "forbidden", "not found",
	NULL
};

#define TAIL_ROOM 48u   /* bytes norm may grow by completing a cut word */

/* Complete a last word cut short: the text must end with a prefix of a
 * phrase that starts on a word boundary and stops inside the phrase's
 * last word, at least two letters into it. */
static void complete_cut(struct text *t)
{
	static const char io[] = "i/o timeout";
	const char *const *p;
	size_t k;

	/* Go's "i/o" opens no other error: a paste cut inside it ("...:53:
	 * i/") is a timeout too */
	for (k = sizeof io - 2; k >= 2; k--) {
		size_t at = t->nlen - k;

		if (k > t->nlen || memcmp(t->norm + at, io, k) != 0 ||
		    (at > 0 && t->norm[at - 1] != ' '))
			continue;
		memcpy(t->norm + t->nlen, io + k, sizeof io - 1 - k);
		for (at = t->nlen; at < t->nlen + (sizeof io - 1 - k); at++)
			t->map[at] = (uint32_t)(t->slen - 1);
		t->nlen += sizeof io - 1 - k;
		t->norm[t->nlen] = '\0';
		t->map[t->nlen] = (uint32_t)t->slen;
		return;
	}
	if (t->nlen == 0 || !is_alnum((unsigned char)t->norm[t->nlen - 1]))
		return;
	for (p = tail_phrases; *p; p++) {
		size_t l = strlen(*p), last;
		const char *sp = strrchr(*p, ' ');

		last = sp ? (size_t)(sp - *p) + 1 : 0;
		for (k = l - 1; k >= last + 2 && k >= 4; k--) {
			size_t at;

			if (k > t->nlen)
				continue;
			at = t->nlen - k;
			if (memcmp(t->norm + at, *p, k) != 0)
				continue;
			if (at > 0 && is_alnum((unsigned char)t->norm[at - 1]))
				continue;
			if (l - k > TAIL_ROOM - 1)
				return;
			/* the added letters map to the last character shown */
			memcpy(t->norm + t->nlen, *p + k, l - k);
			for (at = t->nlen; at < t->nlen + (l - k); at++)
				t->map[at] = (uint32_t)(t->slen - 1);
			t->nlen += l - k;
			t->norm[t->nlen] = '\0';
			t->map[t->nlen] = (uint32_t)t->slen;
			return;
		}
	}
}

/* ---------- matching ---------- */

/* First occurrence of lit (length l) in h[from, n). */
static size_t find_lit(const char *h, size_t n, size_t from, const char *lit,
		       size_t l)
{
	const char *p;

	if (l == 0)
		return from;
	while (from + l <= n) {
		p = memchr(h + from, lit[0], n - l + 1 - from);
		if (!p)
			return SIZE_MAX;
		from = (size_t)(p - h);
		if (memcmp(p, lit, l) == 0)
			return from;
		from++;
	}
	return SIZE_MAX;
}

/* Pattern: a literal, or "A*B": A, then B starting within GAP bytes after
 * A ("A~B": within SHORTGAP).  One wildcard at most.  Linear: B's next
 * occurrence is only searched again once A has moved past it. */
static int find_pat(const struct text *t, const char *pat, struct match *m)
{
	const char *star = strpbrk(pat, "*~");
	size_t a, al, bl, b = 0, gap;
	int have_b = 0;

	m->ok = 0;
	if (!star) {
		al = strlen(pat);
		a = find_lit(t->norm, t->nlen, 0, pat, al);
		if (a == SIZE_MAX)
			return 0;
		m->start = a;
		m->end = a + al;
		m->ok = 1;
		return 1;
	}
	al = (size_t)(star - pat);
	bl = strlen(star + 1);
	gap = *star == '~' ? SHORTGAP : GAP;
	for (a = find_lit(t->norm, t->nlen, 0, pat, al); a != SIZE_MAX;
	     a = find_lit(t->norm, t->nlen, a + 1, pat, al)) {
		if (!have_b || b < a + al) {
			b = find_lit(t->norm, t->nlen, a + al, star + 1, bl);
			have_b = 1;
			if (b == SIZE_MAX)
				return 0;
		}
		if (b - (a + al) <= gap) {
			m->start = a;
			m->end = b + bl;
			m->ok = 1;
			return 1;
		}
	}
	return 0;
}

/* The first pattern of the list (list order = how telling it is) that
 * occurs; its earliest occurrence. */
static int find_any(const struct text *t, const char *const *pats,
		    struct match *m)
{
	for (; pats && *pats; pats++)
		if (find_pat(t, *pats, m))
			return 1;
	m->ok = 0;
	return 0;
}

static int has(const struct text *t, const char *pat)
{
	struct match m;

	return find_pat(t, pat, &m);
}

static int word_char(unsigned char c)
{
	return is_alnum(c) || c == '/' || c == '-' || c == '_' || c == '.';
}

/* A literal that stands as a word: "kudu" the App Service tool, not the
 * image "kunickiaj/kudu".  An end of the literal that is itself not a
 * letter or digit needs no boundary there. */
static int has_word(const struct text *t, const char *lit)
{
	size_t l = strlen(lit), at;

	for (at = find_lit(t->norm, t->nlen, 0, lit, l); at != SIZE_MAX;
	     at = find_lit(t->norm, t->nlen, at + 1, lit, l)) {
		int lb = !is_alnum((unsigned char)lit[0]) || at == 0 ||
			 !word_char((unsigned char)t->norm[at - 1]);
		/* a sentence's full stop ends a word ("failed. Image:") */
		int rb = !is_alnum((unsigned char)lit[l - 1]) ||
			 at + l >= t->nlen ||
			 !word_char((unsigned char)t->norm[at + l]) ||
			 (t->norm[at + l] == '.' && (at + l + 1 >= t->nlen ||
			  !is_alnum((unsigned char)t->norm[at + l + 1])));

		if (lb && rb)
			return 1;
	}
	return 0;
}

/* ---------- hosts, image, registry ---------- */

static int host_char(unsigned char c)
{
	return is_alnum(c) || c == '.' || c == '-' || c == '_' || c == '<' ||
	       c == '>' || c == '*';
}

/* Copy safe[a, b) to dst (cap bytes), whole UTF-8 characters only. */
static void copy_span(char *dst, size_t cap, const char *src, size_t a,
		      size_t b)
{
	size_t n = b > a ? b - a : 0;

	if (n >= cap) {
		n = cap - 1;
		while (n > 0 && is_cont((unsigned char)src[a + n]))
			n--;
	}
	memcpy(dst, src + a, n);
	dst[n] = '\0';
}

/* norm [ns, ne) as a span of the safe copy. */
static void safe_span(const struct text *t, size_t ns, size_t ne, size_t *sa,
		      size_t *sb)
{
	*sa = t->map[ns];
	*sb = ne > ns ? t->map[ne - 1] + 1 : *sa;
	while (*sb < t->slen && is_cont((unsigned char)t->safe[*sb]))
		(*sb)++;
}

static int img_delim(unsigned char c)
{
	return c == ' ' || c == '"' || c == '\'' || c == ',' || c == ']' ||
	       c == '[' || c == ')' || c == '(' || c == '`' || c == ';' ||
	       c == '|' || c == '{' || c == '}' || c == '\\';
}

/* The image token starting at norm[p]: [start, end), trimmed. */
static int image_token(const struct text *t, size_t p, size_t *s, size_t *e)
{
	const char *n = t->norm;
	size_t q, k, good = 0;

	while (p < t->nlen && (n[p] == ' ' || n[p] == '"' || n[p] == '\'' ||
			       n[p] == '[' || n[p] == '`'))
		p++;
	for (q = p; q < t->nlen && !img_delim((unsigned char)n[q]); q++)
		;
	while (q > p && (n[q - 1] == '.' || n[q - 1] == ':' || n[q - 1] == ','))
		q--;
	for (k = p; k < q; k++)
		if (is_alnum((unsigned char)n[k]) || n[k] == '<')
			good++;
	/* "podman pull --tls-verify=false R": an option is not a name */
	if (q - p < 2 || good == 0 || n[p] == '-')
		return 0;
	*s = p;
	*e = q;
	return 1;
}

static const char *const image_anchors[] = {
	"failed to pull image \"",
	"pull and unpack image \"",
	"failed to resolve reference \"",
	"failed to resolve ref ",
	"back-off pulling image \"",
	"pulling image \"",
	"pullimage \"",
	"manifest for ",
	"pull access denied for ",
	"pulling image from docker hub: ",
	"pulling docker image ",
	"pulling container image: ",
	"pulling image: ",
	"attempting to pull image ",
	"image pull for ",
	/* the kubelet of Kubernetes 1.x: "image pull failed for R, this
	 * may be because there are no credentials on this request" */
	"image pull failed for ",
	"image pull failed since inspect image returned null: ",
	"failed to pull image ",
	"image \"",
	"docker pull ",
	/* the other clients' pull commands, as people paste them */
	"docker image pull ", "podman pull ", "crictl pull ", "nerdctl pull ",
	"ctr image pull ", "ctr images pull ", "ctr i pull ",
	"trying to pull repository ", /* Docker 1.x, RHEL's docker */
	"pulling repository ",  /* Docker 1.x */
	"image: ",
	/* Azure Container Instances: "The image 'R' in container group" */
	"the image '",
	NULL
};

static void find_image(const struct text *t, struct classify_result *out)
{
	const char *const *a;
	size_t s, e, sa, sb, p;
	struct match m;

	for (a = image_anchors; *a; a++) {
		size_t from = 0, al = strlen(*a);

		while ((p = find_lit(t->norm, t->nlen, from, *a, al)) !=
		       SIZE_MAX) {
			from = p + 1;
			/* "no matching manifest for linux/arm64" names a platform */
			if (p >= 9 && memcmp(t->norm + p - 9, "matching ", 9) == 0)
				continue;
			if (!image_token(t, p + al, &s, &e))
				continue;
			safe_span(t, s, e, &sa, &sb);
			copy_span(out->image, sizeof out->image, t->safe, sa, sb);
			return;
		}
	}
	/* CRI-O / containers-image: "reading manifest TAG in REPO" */
	if (find_pat(t, "reading manifest * in ", &m)) {
		size_t ts, te, rs, re, tsa, tsb;

		/* a one-letter tag ("reading manifest 7 in R") is no token:
		 * the repository alone still names the registry */
		if (image_token(t, m.end, &rs, &re) &&
		    !image_token(t, m.start + 17, &ts, &te)) {
			safe_span(t, rs, re, &sa, &sb);
			copy_span(out->image, sizeof out->image, t->safe, sa, sb);
		} else if (image_token(t, m.start + 17, &ts, &te) &&
		    image_token(t, m.end, &rs, &re)) {
			safe_span(t, rs, re, &sa, &sb);
			safe_span(t, ts, te, &tsa, &tsb);
			if (sb - sa + tsb - tsa + 2 < sizeof out->image) {
				memcpy(out->image, t->safe + sa, sb - sa);
				out->image[sb - sa] = ':';
				memcpy(out->image + sb - sa + 1, t->safe + tsa,
				       tsb - tsa);
				out->image[sb - sa + 1 + tsb - tsa] = '\0';
			}
		}
	}
}

/* End of the host name that starts at norm[p] (with :port when port). */
static size_t host_end(const struct text *t, size_t p, int port)
{
	size_t q = p;

	while (q < t->nlen && (host_char((unsigned char)t->norm[q]) ||
			       (port && t->norm[q] == ':')))
		q++;
	while (q > p && (t->norm[q - 1] == '.' || t->norm[q - 1] == ':'))
		q--;
	return q;
}

/* Hosts in URLs that are documentation or storage, not a registry. */
static int not_registry(const char *h, size_t n)
{
	static const char *const skip[] = {
		"aka.ms", "docker.com", "docs.microsoft.com",
		"learn.microsoft.com", "github.com", "core.windows.net",
		"login.microsoftonline.com", "management.azure.com",
		"azurewebsites.net", "stackoverflow.com", "cloud.google.com", NULL
	};
	const char *const *s;
	size_t l;

	for (s = skip; *s; s++) {
		l = strlen(*s);
		if (n >= l && memcmp(h + n - l, *s, l) == 0)
			return 1;
	}
	return 0;
}

static void set_registry(const struct text *t, struct classify_result *out,
			 size_t ns, size_t ne)
{
	size_t sa, sb;

	safe_span(t, ns, ne, &sa, &sb);
	copy_span(out->registry, sizeof out->registry, t->safe, sa, sb);
}

/* The address in ACR's firewall refusal ("client with IP '1.2.3.4' is
 * not allowed access", quoted or not) as a dotted quad: four decimal
 * octets 0-255 without leading zeros, closed by the same quote, or, when
 * unquoted, by a character that cannot continue an address (a message
 * cut inside the address gives nothing).  Read before a cut message is
 * completed, so only the text's own characters count. */
/* A dotted quad at s[p] (each part 1 to 3 digits, at most 255; with
 * strict, no part with a leading zero): 1 with oct filled and *e after
 * it. */
static int ipv4_at(const char *s, size_t n, size_t p, int strict,
		   unsigned oct[4], size_t *e)
{
	int k;

	for (k = 0; k < 4; k++) {
		unsigned v = 0;
		size_t d = 0, start;

		if (k > 0) {
			if (p >= n || s[p] != '.')
				return 0;
			p++;
		}
		start = p;
		while (p < n && s[p] >= '0' && s[p] <= '9' && d < 4) {
			v = v * 10 + (unsigned)(s[p] - '0');
			p++;
			d++;
		}
		if (d == 0 || d > 3 || v > 255 ||
		    (strict && d > 1 && s[start] == '0'))
			return 0;
		oct[k] = v;
	}
	*e = p;
	return 1;
}

static void find_client_ip(const struct text *t, struct classify_result *out)
{
	static const char key[] = "client with ip ";
	const char *n = t->norm, *end = t->norm + t->nlen, *p = n;

	out->client_ip[0] = '\0';
	while ((p = memmem(p, (size_t)(end - p), key, sizeof key - 1))) {
		const char *q = p + sizeof key - 1;
		char quote = 0;
		unsigned oct[4];
		size_t e;

		p = q;
		if (q < end && (*q == '\'' || *q == '"'))
			quote = *q++;
		if (!ipv4_at(n, t->nlen, (size_t)(q - n), 1, oct, &e) ||
		    e >= t->nlen)
			continue;
		if (quote ? n[e] != quote
			  : (n[e] == '.' || n[e] == ':' || n[e] == '/' ||
			     is_alnum((unsigned char)n[e])))
			continue;
		memcpy(out->client_ip, q, e - (size_t)(q - n));
		out->client_ip[e - (size_t)(q - n)] = '\0';
		return;
	}
}

static void find_registry(struct text *t, struct classify_result *out)
{
	static const char *const url_anchors[] = {
		"https://", "http://", "service=", "registry '", "lookup ",
		"fqdn ", "pulling from host ", NULL
	};
	const char *const *a;
	size_t p, q, from, l;
	char *slash;

	/* 1. the registry part of the image reference */
	if (out->image[0]) {
		slash = strchr(out->image, '/');
		if (slash) {
			size_t hl = (size_t)(slash - out->image);
			char host[256];

			copy_span(host, sizeof host, out->image, 0, hl);
			if (strchr(host, '.') || strchr(host, ':') ||
			    strcmp(host, "localhost") == 0) {
				snprintf(out->registry, sizeof out->registry,
					 "%s", host);
				goto done;
			}
		}
		/* "busybox", "org/app": Docker Hub, unless the name was
		 * redacted - so only a hint for the rate-limit note; a
		 * first part no Docker Hub name can have (stars, or
		 * "<registry>" before the slash) is a redacted registry */
		t->implied_hub = !strpbrk(out->image, "*<>") ||
				 (slash && !memchr(out->image, '*',
						   (size_t)(slash - out->image)) &&
				  !memchr(out->image, '<',
					  (size_t)(slash - out->image)));
	}
	/* 2. any ACR login server named in the text */
	from = 0;
	while ((p = find_lit(t->norm, t->nlen, from, ".azurecr.", 9)) !=
	       SIZE_MAX) {
		from = p + 1;
		q = p;
		while (q > 0 && host_char((unsigned char)t->norm[q - 1]) &&
		       t->norm[q - 1] != '.')
			q--;
		if (q == p)
			continue;
		while (q > 1 && t->norm[q - 1] == '.' &&
		       host_char((unsigned char)t->norm[q - 2])) {
			q--;            /* name.privatelink.azurecr.io */
			while (q > 0 && host_char((unsigned char)t->norm[q - 1]) &&
			       t->norm[q - 1] != '.')
				q--;
		}
		set_registry(t, out, q, host_end(t, q, 0));
		goto done;
	}
	/* 3. a URL, token service or lookup that names a host */
	for (a = url_anchors; *a; a++) {
		l = strlen(*a);
		from = 0;
		while ((p = find_lit(t->norm, t->nlen, from, *a, l)) !=
		       SIZE_MAX) {
			from = p + 1;
			q = host_end(t, p + l, 1);
			if (q - (p + l) < 3 || !memchr(t->norm + p + l, '.', q - p - l))
				continue;
			if (not_registry(t->norm + p + l, q - p - l))
				continue;
			set_registry(t, out, p + l, q);
			goto done;
		}
	}
done:
	for (p = 0; out->registry[p] && p + 1 < sizeof t->registry; p++)
		t->registry[p] = (char)lower((unsigned char)out->registry[p]);
	t->registry[p] = '\0';
}

/* The host of a failed DNS lookup: "lookup HOST on ...", "lookup HOST:".
 * A name with a dot wins over a bare word ("DNS lookup to HOST at IP",
 * a check-health line, would otherwise give "to"). */
static void find_lookup(struct text *t)
{
	static const char *const anchors[] = {
		"lookup ", "resolve specified fqdn ", "host name resolution (",
		"could not resolve host: ", NULL
	};
	const char *const *a;
	size_t p, q, l;

	for (a = anchors; *a; a++) {
		l = strlen(*a);
		for (p = find_lit(t->norm, t->nlen, 0, *a, l); p != SIZE_MAX;
		     p = find_lit(t->norm, t->nlen, p + 1, *a, l)) {
			q = host_end(t, p + l, 0);
			if (q == p + l || q - p - l >= sizeof t->lookup)
				continue;
			if (!memchr(t->norm + p + l, '.', q - p - l) &&
			    t->lookup[0])
				continue;       /* keep the first bare word */
			memcpy(t->lookup, t->norm + p + l, q - p - l);
			t->lookup[q - p - l] = '\0';
			if (strchr(t->lookup, '.'))
				return;
		}
	}
}

/* Edit distance of two short strings, capped at 3. */
static int edit_distance(const char *a, size_t al, const char *b, size_t bl)
{
	int d[17][17];
	size_t i, j;

	if (al > 16 || bl > 16)
		return 3;
	for (i = 0; i <= al; i++)
		d[i][0] = (int)i;
	for (j = 0; j <= bl; j++)
		d[0][j] = (int)j;
	for (i = 1; i <= al; i++)
		for (j = 1; j <= bl; j++) {
			int best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			d[i][j] = best;
		}
	return d[al][bl] > 3 ? 3 : d[al][bl];
}

/* An ACR login server, or a near miss of one: some label, or part of a
 * label between hyphens (navdocker.az-azurecr.io), is "azurecr" or within
 * two edits of it (azureacr, azurcr, azurecrr), but not plain "azure". */
static int acr_like(const char *host)
{
	const char *p = host, *dot;
	size_t l;

	while (*p) {
		dot = strpbrk(p, ".-");
		l = dot ? (size_t)(dot - p) : strlen(p);
		if (l >= 5 && l <= 10 && !(l == 5 && memcmp(p, "azure", 5) == 0) &&
		    edit_distance(p, l, "azurecr", 7) <= 2)
			return 1;
		if (!dot)
			break;
		p = dot + 1;
	}
	return 0;
}

static int ends_with_host(const char *host, const char *dom)
{
	size_t hl = strlen(host), dl = strlen(dom);

	if (hl < dl || strcmp(host + hl - dl, dom) != 0)
		return 0;
	return hl == dl || host[hl - dl - 1] == '.';
}

/* ---------- predicates used by rules ---------- */

/* The failed DNS name is an ACR login server or a misspelling of one:
 * the registry name or its suffix is wrong (tree: aks.notfound, "check
 * every part of the reference"). */
/* The failed lookup was of a name that exists only because the registry
 * does: its private link alias or its regional data endpoint.  The
 * registry's name is right; the DNS (a private zone's record, the VNet's
 * link to it, a data endpoint left out) is not. */
static int pred_private_lookup(const struct text *t)
{
	return t->lookup[0] && (strstr(t->lookup, ".privatelink.") ||
				strstr(t->lookup, ".data.azurecr."));
}

static int pred_acr_lookup(const struct text *t)
{
	/* az acr check-health looks up nothing but the ACR's login server */
	if (has(t, "connectivity_dns_error"))
		return 1;
	if (t->lookup[0])
		return acr_like(t->lookup);
	return t->registry[0] && acr_like(t->registry);
}

/* An ACR token that does not grant pull on the repository.  ACR gives
 * any caller with a registry-wide pull right a token for every
 * repository name, so a missing repository answers 404; an
 * insufficient_scope there means the identity's token (scope map, ABAC
 * repository permissions, a role missing) does not cover the repository.
 * Docker Hub says the same for a missing repository, hence ACR only, and
 * only when nothing else says "not found". */
static int pred_acr_scope(const struct text *t)
{
	static const char *const missing[] = {
		"manifest unknown", "manifest_unknown", "name unknown",
		"name_unknown", "not known to registry", ": not found",
		"404 not found", "status: 404", "status code 404", NULL
	};
	struct match m;

	return t->registry[0] && strstr(t->registry, ".azurecr.") &&
	       !find_any(t, missing, &m);
}

/* Google Container Registry (gcr.io and its regional hosts), whose
 * images live in a storage bucket of the project; not Kubernetes' old
 * public registry on the same domain. */
static int pred_gcr(const struct text *t)
{
	return ends_with_host(t->registry, "gcr.io") &&
	       !ends_with_host(t->registry, "k8s.gcr.io");
}

/* Registries that serve only public images to anonymous callers
 * (Kubernetes' own): no repository there has a permission to lack, so
 * their 403 is the front end refusing the caller's network. */
static int pred_anonymous_only(const struct text *t)
{
	return ends_with_host(t->registry, "registry.k8s.io") ||
	       ends_with_host(t->registry, "k8s.gcr.io") ||
	       ends_with_host(t->registry, "mcr.microsoft.com") ||
	       /* the registry behind MCR, named in its token requests */
	       ends_with_host(t->registry, "mcrprod.azurecr.io") ||
	       has(t, "//mcrprod.azurecr.io/") ||
	       /* BuildKit names the image before any URL */
	       (!t->registry[0] && has(t, "mcr.microsoft.com/"));
}

/* Docker's "does not exist or may require 'docker login'" wrapper from
 * a registry that has no anonymous pulls at all (ECR's private ones):
 * the daemon words a refused or expired token so; ECR names a missing
 * repository itself ("name unknown", "repository ... not found"). */
static int pred_private_only_wrapper(const struct text *t)
{
	return has(t, ".dkr.ecr.") && !has(t, "public.ecr.aws");
}

/* A public registry that is not ACR: its 403 is an authorization answer
 * (GHCR answers 403 for a missing or private package), not a firewall. */
static int pred_foreign(const struct text *t)
{
	static const char *const doms[] = {
		"ghcr.io", "docker.io", "quay.io", "gcr.io", "pkg.dev",
		"registry.k8s.io", "public.ecr.aws", "amazonaws.com",
		"registry.gitlab.com", "nvcr.io", "redhat.io", "redhat.com",
		"amazonaws.com.cn",
		"docker.pkg.github.com", NULL
	};
	const char *const *d;

	for (d = doms; *d; d++)
		if (ends_with_host(t->registry, *d))
			return 1;
	return 0;
}

/* ACR, or a registry the text does not name: the App Service firewall
 * reading of a bare "denied" holds only there. */
static int pred_not_foreign(const struct text *t)
{
	return !pred_foreign(t);
}

/* An image named without a registry host, and no registry named
 * elsewhere in the text. */
static int pred_hub_implied_only(const struct text *t)
{
	return t->implied_hub && !t->registry[0];
}

static int pred_dockerhub(const struct text *t)
{
	/* not "docker hub": App Service says "Pulling image from Docker hub"
	 * for every registry */
	return ends_with_host(t->registry, "docker.io") || has(t, "docker.io") ||
	       (t->implied_hub && !t->registry[0]);
}

/* The registry is an ACR (login server or a lookup of one). */
static int pred_acr(const struct text *t)
{
	return strstr(t->registry, ".azurecr.") != NULL ||
	       (t->lookup[0] && strstr(t->lookup, ".azurecr.") != NULL);
}

/* The registry is an ACR, or the text names no registry and says "ACR"
 * in words ("our ACR", "Azure Container Registry": the login server was
 * redacted), or the failing request went to Azure Storage, where ACR
 * redirects layer downloads. */
static int pred_acr_named(const struct text *t)
{
	return pred_acr(t) || has(t, ".blob.core.windows.net") ||
	       (!t->registry[0] && (has_word(t, "acr") ||
				    has(t, "azure container registry")));
}

/* ... or, in an App Service log, a registry the text does not name: a Web
 * App pulls from ACR far more often than from anything else, and its
 * bare "denied" reads the same way (ip-denied-bare). */
static int pred_acr_or_webapp(const struct text *t)
{
	return pred_acr_named(t) || (t->webapp && !t->registry[0]);
}

/* Errors that say the registry really has no such name: a 404 or a
 * "manifest unknown".  They outrank a permission wording next to them. */
static const char *const strong_missing[] = {
	"manifest unknown", "manifest_unknown", "name unknown",
	"name_unknown", "not known to registry", ": not found",
	"404 not found", "status: 404", "status code 404", "not found in repository",
	NULL
};

/* Words that blame the credentials themselves, not the name. */
static const char *const explicit_cred[] = {
	"incorrect username or password", "invalid username/password",
	"invalid username or password", "no basic auth credential",
	"authentication failed", "invalid clientid or client secret",
	"not registered with aad", "failed to get credential",
	"error getting credentials", "no credential was provided",
	"credentials failed", "expired", "invalid token",
	"token validation failed", NULL
};

/* A 401 that came from the token endpoint is about the credentials the
 * client sent; a missing repository is answered later, on the manifest. */
#define TOKEN_ENDPOINTS \
	"oauth token", "anonymous token", "/oauth2/token", "/oauth2/exchange", \
	"/token?", "/jwt/auth", "token exchange"
static const char *const token_endpoint[] = { TOKEN_ENDPOINTS, NULL };

static int has_any(const struct text *t, const char *const *pats)
{
	struct match m;

	return find_any(t, pats, &m);
}

/* Public registries that answer a missing repository the way they answer
 * one the caller may not read (401 or "denied"), so the wording alone
 * cannot tell "does not exist" from "may not pull". */
static int ambiguous_registry(const struct text *t)
{
	return pred_foreign(t) || pred_dockerhub(t);
}

/* No word says the manifest or the repository is missing (a layer
 * "not found" is not such a word). */
static int pred_no_manifest_missing(const struct text *t)
{
	static const char *const manifest_missing[] = {
		"manifest unknown", "manifest_unknown", "name unknown",
		"name_unknown", "manifest tagged by", "repository name not known",
		"manifest for", "not known to registry", NULL
	};

	return !has_any(t, manifest_missing);
}

static int pred_no_strong_missing(const struct text *t)
{
	return !has_any(t, strong_missing);
}

/* Docker Hub's generic "denied" for a name it does not have, with nothing
 * that blames the credentials. */
static int pred_hub_denied(const struct text *t)
{
	return pred_dockerhub(t) && !pred_acr(t) && !has_any(t, explicit_cred) &&
	       !has_any(t, token_endpoint);
}

/* The request that failed was not the registry's base endpoint: a 401 on
 * "GET /v2/" (the ping) names no repository, so it is the credentials. */
static int pred_repo_request(const struct text *t)
{
	return !has(t, "/v2/:") && !has(t, "/v2/\":") && !has(t, "/v2/\" ") &&
	       !has_any(t, explicit_cred);
}

/* The innermost error is a bare "denied" (GHCR, GitLab, App Service): a
 * "denied" after ": " that ends the message or its clause. */
static int bare_denied(const struct text *t)
{
	size_t at;

	for (at = find_lit(t->norm, t->nlen, 0, ": denied", 8); at != SIZE_MAX;
	     at = find_lit(t->norm, t->nlen, at + 1, ": denied", 8)) {
		size_t e = at + 8;

		if (e >= t->nlen || strchr(" \"',]}.*)", t->norm[e]))
			return 1;
	}
	return 0;
}

static int pred_bare_denied_acr(const struct text *t)
{
	return bare_denied(t) && pred_acr(t);
}

static int pred_bare_denied_other(const struct text *t)
{
	return bare_denied(t) && !pred_acr(t);
}

/* The innermost error is "REF: not found" where REF is an image
 * reference (BuildKit's "failed to resolve source metadata for R: R: not
 * found", ECS's "failed to resolve ref R: R: not found", Docker's "R: not
 * found"): the registry has no such name.  A layer digest or a word
 * ("remote: not found", "manifest: not found") is not a reference. */
static int pred_ref_not_found(const struct text *t)
{
	size_t at, b;

	for (at = find_lit(t->norm, t->nlen, 0, ": not found", 11);
	     at != SIZE_MAX;
	     at = find_lit(t->norm, t->nlen, at + 1, ": not found", 11)) {
		int slash = 0, colon = 0, bad = 0;

		for (b = at; b > 0 && at - b < 256; b--) {
			unsigned char c = (unsigned char)t->norm[b - 1];

			if (c == ' ' || c == '"' || c == '\'' || c == '(' ||
			    c == '[')
				break;
			if (c == '/')
				slash = 1;
			else if (c == ':')
				colon = 1;
			else if (!is_alnum(c) && c != '.' && c != '-' &&
				 c != '_' && c != '@' && c != '<' && c != '>' &&
				 c != '*')
				bad = 1;
		}
		if (bad || at - b < 3 || !(slash || colon))
			continue;
		if (at - b >= 7 && memcmp(t->norm + b, "sha256:", 7) == 0)
			continue;       /* a blob, not a name */
		return 1;
	}
	return 0;
}

/* A registry other than ACR explains its refusal after "denied:" (GHCR,
 * GCR, Artifact Registry, ECR, GitLab): may not read, or no such name. */
static int pred_foreign_denied(const struct text *t)
{
	return !pred_acr(t) && !has(t, "requested access to the resource is denied");
}

/* Docker's "repository does not exist or may require 'docker login'"
 * wrapper decides only when the registry's own reason after it is the
 * generic one ("denied: requested access to the resource is denied") or
 * absent.  A reason of its own ("denied: client with IP ...", "denied:
 * retrieving permissions failed") is the innermost error: the rules for
 * it decide, and the wrapper's reading comes back only if none does. */
static int pred_wrapper_generic(const struct text *t)
{
	static const char *const wrappers[] = {
		"repository does not exist", "does not exist or no pull access",
		NULL
	};
	static const char *const generic[] = {
		"requested access to the resource is denied", "insufficient_scope",
		"authorization failed", NULL
	};
	const char *const *w, *const *g;
	size_t at, d, end;

	for (w = wrappers; *w; w++) {
		size_t wl = strlen(*w);

		for (at = find_lit(t->norm, t->nlen, 0, *w, wl); at != SIZE_MAX;
		     at = find_lit(t->norm, t->nlen, at + 1, *w, wl)) {
			end = at + wl + GAP < t->nlen ? at + wl + GAP : t->nlen;
			d = find_lit(t->norm, end, at + wl, "denied: ", 8);
			if (d == SIZE_MAX)
				return 1;
			d += 8;
			for (g = generic; *g; g++) {
				size_t gl = strlen(*g);

				if (d + gl <= t->nlen &&
				    memcmp(t->norm + d, *g, gl) == 0)
					return 1;
			}
		}
	}
	return 0;
}

/* No word says that a pull failed or is backing off. */
static int pred_no_pull_failure(const struct text *t)
{
	static const char *const failed[] = {
		"failed to pull", "pull image failed", "image pull failed",
		"imagepullfailure", "back-off pulling", "imagepullbackoff",
		"errimagepull", "pull access denied", "error pulling", NULL
	};

	return !has_any(t, failed);
}

/* The text names a web proxy or filter as a word (not an image called
 * ".../proxy:1"). */
static int pred_proxy_named(const struct text *t)
{
	static const char *const marks[] = {
		"x-squid-error", "server: squid", "generated by squid",
		"zscaler", "netskope", "fortiguard", "bluecoat", NULL
	};
	static const char *const words[] = {
		"squid", "blue coat", "web gateway", "proxy", NULL
	};
	const char *const *n;

	for (n = words; *n; n++)
		if (has_word(t, *n))
			return 1;
	return has_any(t, marks);
}

/* The text says the node runs Windows, or speaks of the operating
 * system: a platform miss is then the image's OS, whatever 401 the
 * anonymous retry adds.  Without such a hint it is the architecture. */
static int windows_hint(const struct text *t)
{
	static const char *const hints[] = {
		"windows", "hcsshim", "hcs::", "operating system", "ltsc20",
		"nanoserver", "servercore", "win32", NULL
	};

	return has_any(t, hints);
}

static int pred_no_windows_hint(const struct text *t)
{
	return !windows_hint(t);
}

/* A 403 on a layer download from Docker Hub or ACR: the manifest was
 * read, so the credentials worked; the storage or CDN behind the
 * registry refused the caller's network. */
static int pred_layer_refused(const struct text *t)
{
	return (pred_dockerhub(t) || pred_acr_named(t) ||
		has(t, ".docker.com/")) && !pred_proxy_named(t);
}

/* The innermost error is CRI-O / containers-image's "reading manifest
 * REF" (optionally "in REPO") with nothing after it: the registry had
 * no manifest to give. */
static int pred_bare_reading_manifest(const struct text *t)
{
	static const char lit[] = "reading manifest ";
	size_t l = sizeof lit - 1, at, p;

	for (at = find_lit(t->norm, t->nlen, 0, lit, l); at != SIZE_MAX;
	     at = find_lit(t->norm, t->nlen, at + 1, lit, l)) {
		int words = 0;

		p = at + l;
		for (;;) {
			size_t s = p;

			while (p < t->nlen && t->norm[p] != ' ' &&
			       t->norm[p] != '"' && t->norm[p] != '\\')
				p++;
			if (p == s)
				break;
			words++;
			/* "TAG in REPO" */
			if (words == 1 && p + 4 <= t->nlen &&
			    memcmp(t->norm + p, " in ", 4) == 0) {
				p += 4;
				continue;
			}
			break;
		}
		if (words == 0)
			continue;
		while (p < t->nlen && t->norm[p] &&
		       strchr(" \"'\\.,:]})", t->norm[p]))
			p++;
		if (p >= t->nlen)
			return 1;
	}
	return 0;
}

/* The registry is an ACR's login server (not its data endpoint nor
 * the storage behind it, which the layer rules read). */
/* containerd (or a client of it) said "not found" for an image of GitHub's
 * old Packages registry: that registry, not the name (see the rule). */
static int pred_legacy_github_containerd(const struct text *t)
{
	return ends_with_host(t->registry, "docker.pkg.github.com") &&
	       (has(t, "failed to pull and unpack") || has(t, "failed to resolve ref")) &&
	       (has(t, "code notfound") || has(t, "code = notfound") ||
		has(t, ": not found"));
}

static int pred_acr_login_server(const struct text *t)
{
	return strstr(t->registry, ".azurecr.") != NULL &&
	       strstr(t->registry, ".data.azurecr.") == NULL;
}

/* An image name that says Windows (its base images and tags). */
static int windows_image_name(const char *img)
{
	static const char *const names[] = {
		"windows", "nanoserver", "servercore", "ltsc", "win", NULL
	};
	const char *const *n;
	char low[512];
	size_t i;

	for (i = 0; img[i] && i + 1 < sizeof low; i++)
		low[i] = (char)lower((unsigned char)img[i]);
	low[i] = '\0';
	for (n = names; *n; n++)
		if (strstr(low, *n))
			return 1;
	return 0;
}

/* A layer the Windows snapshotter could not apply, of an image whose
 * name says nothing of Windows: a single-platform Linux image skips the
 * platform match (only an index is matched), so the OS mismatch shows
 * first when Windows' base-layer processing finds no Windows layout in
 * a Linux layer.  A Windows image failing there is the host's problem
 * (the unpack rule). */
static int pred_linux_image_on_windows(const struct text *t)
{
	return t->linux_image;
}

/* An HTML 403 page from a registry the text names (not Docker Hub, whose
 * pulls a configured mirror may answer, and no proxy named): the
 * registry's own front end or CDN refused the caller. */
static int pred_html403_named(const struct text *t)
{
	static const char *const page[] = {
		"<html", "<!doctype", "<head", "<title", "<body", NULL
	};
	const char *const *m;
	size_t at, first = SIZE_MAX;

	if (!t->registry[0] || pred_dockerhub(t) || pred_proxy_named(t))
		return 0;
	/* the registry named by the request, before the page: a host in a
	 * link of a block page is the page's, not the registry's */
	for (m = page; *m; m++) {
		at = find_lit(t->norm, t->nlen, 0, *m, strlen(*m));
		if (at < first)
			first = at;
	}
	at = find_lit(t->norm, t->nlen, 0, t->registry, strlen(t->registry));
	return at != SIZE_MAX && (first == SIZE_MAX || at < first);
}

/* The proxy names itself: not the registry refusing an address. */
static int pred_no_proxy(const struct text *t)
{
	return !pred_proxy_named(t);
}

/* An object store's AccessDenied whose details do not name a missing
 * permission of the caller's identity on the objects. */
static int pred_no_object_permission(const struct text *t)
{
	return !has(t, "storage.objects") && !has(t, "does not have") &&
	       !has(t, "not authorized to perform");
}


/* Addresses no public registry has: loopback, private, link-local,
 * carrier-grade NAT. */
static int ipv4_private(const unsigned o[4])
{
	return o[0] == 10 || o[0] == 127 || o[0] == 0 ||
	       (o[0] == 172 && o[1] >= 16 && o[1] <= 31) ||
	       (o[0] == 192 && o[1] == 168) || (o[0] == 169 && o[1] == 254) ||
	       (o[0] == 100 && o[1] >= 64 && o[1] <= 127);
}

/* A dial to a public address's port 443 refused, not through a proxy
 * ("dial tcp 203.0.113.7:443: connect: connection refused"). */
static int pred_refused_public_https(const struct text *t)
{
	size_t p = 0, e;
	unsigned o[4];

	if (has(t, "proxyconnect"))
		return 0;
	while ((p = find_lit(t->norm, t->nlen, p, "dial tcp ", 9)) != SIZE_MAX) {
		p += 9;
		if (!ipv4_at(t->norm, t->nlen, p, 0, o, &e) || ipv4_private(o))
			continue;
		if (e + 4 > t->nlen || memcmp(t->norm + e, ":443", 4) != 0 ||
		    (e + 4 < t->nlen && t->norm[e + 4] >= '0' &&
		     t->norm[e + 4] <= '9'))
			continue;
		e += 4;
		/* Winsock's sentence is the longest: "connectex: No
		 * connection could be made because the target machine
		 * actively refused it" */
		if (find_lit(t->norm, e + 100 < t->nlen ? e + 100 : t->nlen, e,
			     "refused", 7) != SIZE_MAX)
			return 1;
	}
	return 0;
}

/* ---------- step 5: the rule table ---------- */

#define P(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* Other ways runtimes and clients print an HTTP status (containers/image,
 * Go's net/http, .NET, curl and its HTTP/2 status line, Python requests'
 * "404 Client Error", the Docker API clients' "API error (404)"). */
#define STATUS_FORMS(n) \
	"statuscode: " n, "statuscode " n, "status=" n, "status_code=" n, \
	"status code from registry " n, "http " n, "http/1.1 " n, \
	"returned " n, "response status code " n, "http error " n, \
	"api error (" n ")", "(http code " n ")", "http/2 " n, "http/1.0 " n, \
	"error code " n, "error code: " n, n " client error", "got http " n, \
	"status code=" n, "statuscode=" n

#define PLATFORM \
	"no match for platform", "no matching manifest for", \
	"no image found in manifest list for architecture", \
	"no image found in image index for architecture", \
	"does not match the specified platform", \
	"no manifest found for platform"

#define NOTFOUND \
	"manifest unknown", "manifest_unknown", "manifest tagged by", \
	"name unknown", "name_unknown", "repository name not known", \
	"manifest for * not found", "failed to resolve ref*: not found", \
	"failed to resolve image*: not found", \
	"failed to resolve ref~ not found", \
	"could not fetch content descriptor*not found", "code notfound", \
	"404 not found", "status: 404", "status 404", "status code 404", \
	"not found in repository", "error: image ~ not found", \
	"repository with name ~ does not exist", "unknown: ~ not found", \
	"was deleted or has expired", "image not found", "status code: 404", \
	"response code: 404", "404 (not found)", STATUS_FORMS("404"), ": 404", \
	"'microsoft.containerregistry/registries' could not be found", \
	"unknown: not found", "manifest does not exist for tag or digest", \
	/* a status code in gRPC's spelling before its reason (Google APIs,
	 * registry tools built on them) */ \
	"not_found: "

#define NOTFOUND_OR_DENIED \
	"repository does not exist", "does not exist or no pull access"

#define FORBIDDEN \
	"403 forbidden", "error status: 403", "status: 403", "status 403", \
	"status code 403", "code=forbidden", "statuscode: forbidden", \
	"http 403", "returned 403", "forbidden (403)", "status code: 403", \
	"response code: 403", "403 (forbidden)", ": forbidden", "access forbidden", \
	STATUS_FORMS("403"), ": 403"

#define TIMEOUT \
	"i/o timeout", "context deadline exceeded", "deadline exceeded", \
	"deadlineexceeded", "client.timeout exceeded", \
	"timeout exceeded while awaiting headers", \
	"request canceled while waiting for connection", \
	"tls handshake timeout", "timeout awaiting response headers", \
	"connection timed out", "operation timed out", "code 4 desc", \
	"net/http: request canceled", "timed out", \
	"did not properly respond after a period of time"

/* The name does not exist (NXDOMAIN), as opposed to a DNS failure. */
#define DNS_NX \
	"no such host", "name or service not known", "nodename nor servname", \
	"failed to resolve specified fqdn", "connectivity_dns_error", \
	"host name resolution ~: failed"

#define DNS \
	DNS_NX, "server misbehaving", "temporary failure in name resolution", \
	"could not resolve host", "failure in name resolution", \
	"name resolution fail", "name resolution error", \
	"getaddrinfow", \
	"temporary error during hostname resolution"

#define AUTH401 \
	"401 unauthorized", "error status: 401", "status: 401", "status 401", \
	"status code 401", "code=unauthorized", "statuscode: unauthorized", \
	"unauthorized", "authentication required", \
	"no basic auth credentials", "failed to fetch oauth token", \
	"failed to fetch anonymous token", "insufficient_scope", \
	"authorization failed", "requested access to the resource is denied", \
	"incorrect username or password", "invalid username/password", \
	"invalid username or password", "invalid clientid or client secret", \
	"aka.ms/acr/authorization", \
	"unable to retrieve some image pull secrets", \
	"failed to get credential", "error getting credentials", \
	"credential provider", "failed to authorize", "authentication failed", \
	"connectivity_aad_login_error", "connectivity_refresh_token_error", \
	"connectivity_access_token_error", "status code: 401", \
	"response code: 401", "401 (unauthorized)", "denied: permission", \
	"not authorized to perform", "validating image pull permission: failed", \
	"retrieving permissions failed", "unable to retrieve pull secret", \
	"image pull may not succeed", "unable to pull image using managed identity", STATUS_FORMS("401"), \
	"admin user is disabled", \
	": 401"

/* Is norm[x] inside the clause of a DNS lookup?  Go words a resolver
 * failure "lookup HOST on SERVER:53: read udp A->SERVER:53: i/o
 * timeout"; the clause ends at the next separator of a multi-error or a
 * quoted message. */
/* A login (docker, nerdctl, podman, az acr login) answered 404, and
 * no image reference was asked for. */
static int pred_login_404(const struct text *t)
{
	static const char *const s404[] = {
		"status code 404", "status code: 404", "404 not found",
		"status: 404", "status 404", STATUS_FORMS("404"), NULL
	};

	return (has(t, "trylogin") || has(t, "login attempt to") ||
		has(t, "docker login ") || has(t, "nerdctl login ") ||
		has(t, "podman login ") || has(t, "error logging in") ||
		has(t, "login failed")) &&
	       has_any(t, s404) && !has(t, "/manifests/") && !has(t, "/blobs/") &&
	       !has(t, "pull");
}

/* A 500 on a manifest or reference request from a registry that is
 * neither an ACR, MCR nor a public hosted one. */
static int pred_private_500_reference(const struct text *t)
{
	if (pred_acr_named(t) || pred_foreign(t) || pred_dockerhub(t) ||
	    ends_with_host(t->registry, "mcr.microsoft.com") ||
	    has(t, "/blobs/") || has(t, "httpreadseeker"))
		return 0;
	/* Docker's "Get <url>: received unexpected HTTP status" names the
	 * manifest request of a pull; not the API root's ping, nor a token
	 * request */
	if (has_any(t, token_endpoint) || has(t, "/v2/:") || has(t, "/v2/\":"))
		return 0;
	return has(t, "/manifests/") || has(t, "reading manifest") ||
	       has(t, "get https://") || has(t, "get http://");
}

/* "unexpected status from <METHOD> request to <url>" with no status
 * after the URL: the message was cut before it. */
static int pred_status_cut(const struct text *t)
{
	static const char *const req[] = {
		"unexpected status from head request to ",
		"unexpected status from get request to ",
		"unexpected status from post request to ", NULL
	};
	struct match m;
	size_t p;

	if (!find_any(t, req, &m))
		return 0;
	p = m.end;
	while (p < t->nlen && t->norm[p] != ' ' && t->norm[p] != '"')
		p++;
	while (p < t->nlen && (t->norm[p] == ' ' || t->norm[p] == '"' ||
			       t->norm[p] == ':'))
		p++;
	return p >= t->nlen || !(t->norm[p] >= '0' && t->norm[p] <= '9');
}

static int in_dns_clause(const struct text *t, size_t x)
{
	size_t j, stop = x > 200 ? x - 200 : 0;

	for (j = x; j > stop; j--) {
		char c = t->norm[j - 1];

		if (c == ',' || c == ']' || c == '[' || c == '"' || c == ';')
			return 0;
		if (j - 1 + 7 <= x && memcmp(t->norm + j - 1, "lookup ", 7) == 0)
			return 1;
	}
	return 0;
}

/* Count the timeouts in the message: *dns those of a DNS query, *net
 * the others.  A gRPC status ("code = DeadlineExceeded", "code = 4
 * desc") only repeats the error it wraps, and Kubernetes' own waits
 * ("timed out waiting for the condition", a volume or a secret cache a
 * describe table shows next to the pull) are no network I/O. */
static void count_timeouts(const struct text *t, int *dns, int *net,
			   int *coded)
{
	static const char *const pats[] = { TIMEOUT, NULL };
	const char *const *p;
	size_t at, l;

	*dns = *net = *coded = 0;
	for (p = pats; *p; p++) {
		l = strlen(*p);
		for (at = find_lit(t->norm, t->nlen, 0, *p, l); at != SIZE_MAX;
		     at = find_lit(t->norm, t->nlen, at + 1, *p, l)) {
			if (strncmp(*p, "code ", 5) == 0 ||
			    (at >= 5 && memcmp(t->norm + at - 5, "code ", 5) == 0)) {
				(*coded)++;
				continue;
			}
			if (at + l + 12 <= t->nlen &&
			    memcmp(t->norm + at + l, " waiting for", 12) == 0 &&
			    strcmp(*p, "timed out") == 0)
				continue;
			if (in_dns_clause(t, at))
				(*dns)++;
			else
				(*net)++;
		}
	}
}

/* Every timeout in the message is a DNS query that got no answer: a DNS
 * server problem (custom DNS, forwarder, port 53 blocked), not the TCP
 * path to the registry of tree 4. */
static int pred_dns_timeout(const struct text *t)
{
	int dns, net, coded;

	count_timeouts(t, &dns, &net, &coded);
	return dns > 0 && net == 0;
}

/* Some timeout is on the network path to the registry, or the runtime's
 * gRPC status says its deadline passed and nothing names a DNS query. */
static int pred_net_timeout(const struct text *t)
{
	int dns, net, coded;

	count_timeouts(t, &dns, &net, &coded);
	return net > 0 || (coded > 0 && dns == 0);
}

/* App Service (Web App) container log markers.  "pulling docker image"
 * only with App Service's " - " log prefix: GitLab runners say it too. */
static const char *const webapp_markers[] = {
	"pulling image from docker hub", "verify docker image configuration",
	"defaulting to local copy if present", "- pulling docker image ",
	"container pull image failed with reason", "pulling from custom registry",
	"docker client error. pull image failed", "sitestartfailed",
	"inspect image returned null", "over vnet failed", " from vnet.",
	"docker_registry_server_", "acrusemanagedidentitycreds", "for site ",
	"site container", "stopping site", "failed to start site",
	"azurewebsites.net", "app service", "kudu", "windowsfxversion",
	"linuxfxversion", "unsupported image manifest",
	"docker pull returned stderr", "- image pull for ", "- pull image failed",
	"- image pull failed", "- attempting to pull image ", NULL
};

/* App Service's container log line: a time, a level, then " - "
 * ("2024-06-11T08:12:34.020Z ERROR - ...", "17/09/2018 18:41:40.983
 * INFO - ...").  The time before the level tells it from a sentence's
 * "server error - ". */
static int webapp_log_line(const struct text *t)
{
	static const char *const levels[] = {
		" error - ", " info - ", " warn - ", " warning - ", NULL
	};
	const char *const *l;
	size_t at, b, len;

	for (l = levels; *l; l++) {
		len = strlen(*l);
		for (at = find_lit(t->norm, t->nlen, 0, *l, len); at != SIZE_MAX;
		     at = find_lit(t->norm, t->nlen, at + 1, *l, len)) {
			int colon = 0, ok = 1;

			for (b = at; b > 0 && t->norm[b - 1] != ' '; b--) {
				unsigned char c = (unsigned char)t->norm[b - 1];

				if (c == ':')
					colon++;
				else if (!(c >= '0' && c <= '9') && !strchr(".-/tz", c))
					ok = 0;
			}
			if (ok && colon >= 2 && at - b >= 8)
				return 1;
		}
	}
	return 0;
}

/* Docker.DotNet's exception: App Service logs it, but so does any .NET
 * tool (Testcontainers), whose stack traces name the library.  The Azure
 * CLI's "No credential was provided to access Azure Container Registry"
 * comes from az webapp, and from az containerapp, which says so. */
static const char *const webapp_weak_markers[] = {
	"dockerapiexception", "docker api responded with status code",
	"no credential was provided to access azure container registry", NULL
};
static const char *const not_webapp[] = {
	"docker.dotnet", "testcontainers", "containerapp", "container app",
	NULL
};

/* cause outside, cause inside an App Service log */
#define CAUSE(aks, webapp) (aks), (webapp)

struct rule {
	const char *name;
	const char *cause;      /* outside App Service */
	const char *wcause;     /* in an App Service log */
	const char *note;       /* hint when cause is "other" */
	int webapp_only;
	int (*pred)(const struct text *);
	const char *const *any; /* one of these must occur (evidence) */
	const char *const *also; /* and one of these, when set */
};

static const struct rule rules[] = {
	/* Kubelet's own throttle: nothing else in the message matters. */
	{ "pull-qps", CAUSE("aks.qps", "aks.qps"), NULL, 0, NULL,
	  P("pull qps exceeded", "qps exceeded"), NULL },
	/* Tree 1b: a 401 that comes with a platform mismatch is the
	 * architecture, not the credentials; canipull's exec format error
	 * is the same mismatch on the node.  With a Windows hint the
	 * platform miss is the OS (the platform rule below). */
	{ "arch-401", CAUSE("aks.401-arch", "aks.401-arch"), NULL, 0,
	  pred_no_windows_hint, P(PLATFORM), P("401 unauthorized", "status: 401", "unauthorized",
			 "authentication required") },
	{ "exec-format", CAUSE("aks.401-arch", "aks.401-arch"), NULL, 0, NULL,
	  P("exec format error"), NULL },

	/* Causes outside the tree whose wording is unambiguous: they win
	 * over anything else the message says. */
	{ "invalid-name", CAUSE("other", "other"),
	  "InvalidImageName: the image reference is malformed", 0, NULL,
	  P("invalidimagename", "invalid reference format",
	    "couldn't parse image reference", "repository name must be lowercase",
	    "failed to apply default image tag"), NULL },
	{ "never-pull", CAUSE("other", "other"),
	  "ErrImageNeverPull: image not on the node and imagePullPolicy is Never",
	  0, NULL, P("errimageneverpull", "with pull policy of never",
		     "with pull policy of \"never\""), NULL },
	/* Docker's credential store (credsStore / credHelpers in the client's
	 * config.json) failed: the helper program is missing, broken or
	 * refused to answer.  No registry was asked, so an "unauthorized"
	 * printed around it is not the registry's. */
	{ "credential-helper", CAUSE("other", "other"),
	  "Docker credential helper failed: credsStore or credHelpers in ~/.docker/config.json names a helper that is missing or broken; install it or remove the entry",
	  0, NULL, P("error getting credentials - err", "error getting credentials: err",
		     "error storing credentials - err", "error storing credentials: err",
		     "error erasing credentials - err",
		     "docker-credential-~executable file not found",
		     "docker-credential-~no such file or directory",
		     "docker-credential-~not found in $path",
		     "credential helper ~ not found", "credentials store ~ not found",
		     "credsstore"), NULL },
	/* GitHub's old Packages registry (docker.pkg.github.com, replaced
	 * by ghcr.io) never served containerd: a pull through containerd
	 * fails with a "not found" for an image that exists, while Docker
	 * nodes pull it. */
	{ "legacy-github-packages", CAUSE("other", "other"),
	  "docker.pkg.github.com (GitHub's old Packages registry) does not serve containerd: publish and pull the image from ghcr.io",
	  0, pred_legacy_github_containerd, P("docker.pkg.github.com"), NULL },
	/* podman's policy for an image named without its registry: no
	 * registry was asked */
	{ "short-name", CAUSE("other", "other"),
	  "short-name resolution: the image is named without its registry; use the full name (registry/repository:tag)",
	  0, NULL, P("short-name resolution", "short-name \"", "short name mode"),
	  NULL },
	{ "disk-full", CAUSE("other", "other"),
	  "node disk full: no space left on device", 0, NULL,
	  P("no space left on device", "disk quota exceeded"), NULL },
	{ "http-https", CAUSE("other", "other"),
	  "HTTP registry contacted over HTTPS (insecure registry setup)", 0, NULL,
	  P("server gave http response to https client"), NULL },
	{ "schema1", CAUSE("other", "other"),
	  "image uses the deprecated Docker schema 1 manifest", 0, NULL,
	  P("schema 1 support is disabled", "manifest version 2, schema 1",
	    "schema 1 image"), NULL },
	{ "policy", CAUSE("other", "other"),
	  "admission policy or signature verification rejected the image", 0,
	  NULL, P("admission webhook * denied the request",
		  "signature verification failed", "image signature verification",
		  "source image rejected", "is rejected by policy",
		  "signature validation failed", "signaturevalidationfailed",
		  "is blocked in ~registries.conf",
		  /* Harbor's project policies (412), containerd's verifiers */
		  "cannot be pulled due to configured policy",
		  "412 precondition failed", "the image is not signed",
		  "image verifier"),
	  NULL },
	/* A lockout after wrong passwords says "too many" too, but it is
	 * the credentials, not the pull rate. */
	{ "login-lockout", CAUSE("aks.401", "webapp.unauthorized"), NULL, 0,
	  NULL, P("failed login attempts", "too many failed login",
		  "too many login failures", "too many authentication failures",
		  "account is locked", "account has been locked"), NULL },
	{ "ratelimit-dockerhub", CAUSE("other", "other"), "Docker Hub rate limit",
	  0, NULL, P("pull rate limit", "increase-rate-limit"), NULL },
	{ "ratelimit-dockerhub", CAUSE("other", "other"), "Docker Hub rate limit",
	  0, pred_dockerhub, P("toomanyrequests", "429 too many requests",
			       "too many requests"), NULL },
	{ "ratelimit", CAUSE("other", "other"),
	  "registry throttling: 429 Too Many Requests", 0, NULL,
	  P("toomanyrequests", "429 too many requests", "too many requests",
	    "connectivity_toomanyrequests_error"), NULL },
	/* Tree 5: OS/architecture mismatch without a 401. */
	{ "platform", CAUSE("aks.platform", "aks.platform"), NULL, 0, NULL,
	  P(PLATFORM, "cannot be used on this platform",
	    "container operating system does not match",
	    "operating system of the container does not match", "0xc0370101",
	    "does not match the host", "does not match the detected host platform",
	    "based image is incompatible with", "operating system is not supported",
	    "osversionnotsupported", "os version of the image", "os version ~ not supported",
	    "cannot download image with operating system",
	    /* Container Instances: the image's OS is not the group's */
	    "imageostypenotmatchcontainergroup", "does not match the os type",
	    "does not match container group os type", "os type ~ does not match",
	    /* a Windows image newer than the host: its layers are unknown */
	    "layer with an unrecognized format", "0xc0370112",
	    /* the products' own refusals of the image's OS or version:
	     * App Service for Windows containers, Container Apps' image
	     * field check, Service Fabric's check of the image's history
	     * after a download that worked (the layers' OS version) */
	    "cannot run this operating system", "maximum supported os version",
	    "os/arc must be", "os/arch must be", "os/architecture must be",
	    "image history check failed"),
	  NULL },
	{ "x509-unknown-authority", CAUSE("other", "other"),
	  "x509 certificate signed by unknown authority (private CA or TLS-inspecting proxy)",
	  0, NULL, P("certificate signed by unknown authority",
		     "unable to get local issuer certificate",
		     "self signed certificate", "self-signed certificate"), NULL },
	{ "x509-name-mismatch", CAUSE("other", "other"),
	  "x509 certificate name mismatch: use the registry's login server name",
	  0, NULL, P("x509: certificate is valid for",
		     "certificate is not valid for",
		     "doesn't match any of the subject alternative names"), NULL },
	{ "x509-expired", CAUSE("other", "other"),
	  "x509 certificate expired or not yet valid (check the node's clock)",
	  0, NULL, P("certificate has expired", "certificate is not yet valid"),
	  NULL },
	{ "x509", CAUSE("other", "other"), "x509 certificate or TLS error", 0, NULL,
	  P("x509:", "tls: failed to verify certificate",
	    "certificate verify failed", "remote error: tls",
	    "tls: handshake failure", "connectivity_ssl_error"), NULL },
	{ "proxy", CAUSE("other", "other"),
	  "HTTP proxy connection failed: check the node's proxy settings", 0,
	  NULL, P("proxyconnect tcp"), NULL },
	/* 407 is the node's HTTP proxy asking for credentials; its
	 * "Proxy Authentication Required" is not the registry's 401. */
	{ "proxy-auth", CAUSE("other", "other"),
	  "HTTP proxy requires authentication (407): check the node's proxy settings",
	  0, NULL, P("proxy authentication required", "407 proxy",
		     "status: 407", "status code 407", "status code: 407",
		     "proxy-authenticate"), NULL },
	/* The answer to the first request was not a registry's challenge
	 * (no realm, a scheme no client speaks): something in front of the
	 * registry answered, a proxy or a firewall's page, or the URL is
	 * not a registry's.  Its "failed to authorize" is not a 401. */
	{ "bad-challenge", CAUSE("other", "other"),
	  "the registry's authentication challenge is malformed or missing: a proxy or firewall answered, or the address is not a registry",
	  0, NULL, P("no realm specified for token auth challenge",
		     "missing realm in bearer auth challenge",
		     "invalid token auth challenge realm",
		     "failed to find supported auth scheme",
		     "connectivity_www_authenticate_error",
		     "did not ask properly for a basic or a bearer"), NULL },
	/* A Linux image's layer that Windows' snapshotter cannot apply: the
	 * image's OS (see pred_linux_image_on_windows). */
	{ "windows-linux-layer", CAUSE("aks.platform", "aks.platform"), NULL, 0,
	  pred_linux_image_on_windows,
	  P("processbaselayer", "snapshotter.v1.windows", "windowsfilter",
	    "hcsshim::importlayer"),
	  P("failed to extract layer", "failed to register layer",
	    "failed to unpack image", "error unpacking image",
	    "error processing tar file", "re-exec error") },
	/* A local content-store problem; its "not found" is not the
	 * registry's. */
	{ "unpack", CAUSE("other", "other"),
	  "layer unpack or extraction failed on the node", 0, NULL,
	  P("failed to unpack image", "error unpacking image",
	    "failed to extract layer", "failed to register layer",
	    "error processing tar file", "processing tar file(",
	    "adding layer with blob", "failed to prepare extraction snapshot",
	    "wrong diff id", "unexpected commit digest",
	    "layer verification failed", "not found in container storage"),
	  NULL },
	{ "media-type", CAUSE("other", "other"),
	  "unsupported image manifest or media type (not a runnable image?)", 0,
	  NULL, P("unsupported media type", "unsupported manifest media type",
		  "unknown mediatype", "manifest invalid", "manifest_invalid",
		  /* the registry has the tag, in a format an old client
		   * does not ask for: its "not found" is not the name's */
		  "accept header does not support",
		  "unsupported layer media type", "unsupported manifest format",
		  "not yet supported by the engine", "encountered remote \"",
		  "no longer supported since containerd",
		  /* distribution's UNSUPPORTED (405) */
		  "the operation is unsupported"),
	  NULL },
	{ "runtime-socket", CAUSE("other", "other"),
	  "the node's container runtime is not reachable", 0, NULL,
	  P("containerd.sock", "crio.sock", "dockershim.sock", "docker.sock"),
	  P("connect:", "connection error", "no such file",
	    "is the docker daemon running") },
	{ "streaming-proxy", CAUSE("other", "other"),
	  "ACR artifact streaming proxy on the node (localhost:8578) failed",
	  0, NULL, P("localhost:8578", "127.0.0.1:8578"), NULL },
	/* A mirror or proxy whose own list of images refused the pull: its
	 * policy (or a broken one) answered, not the image's registry; its
	 * own words decide before any reading of the 403 (a layer's, a
	 * front end's). */
	{ "mirror-allowlist", CAUSE("other", "other"),
	  "a mirror or proxy refused the image by its own allow list; check that the mirror carries it, or pull from the registry itself",
	  0, NULL, P("allowlist", "allow list", "whitelist", "white list"),
	  P("denied", "not allowed", "forbidden") },
	/* A 403 whose body is the XML of Azure Storage: the storage account
	 * behind the registry's data endpoint refused the node's network
	 * (service endpoint policy, storage firewall), a firewall cause. */
	{ "storage-403", CAUSE("aks.403", "webapp.ip-denied"), NULL, 0, NULL,
	  P("<code>authorizationfailure", "authorizationfailure",
	    "this request is not authorized to perform this operation"), NULL },
	/* The XML 403 of an object store behind a registry's layer downloads
	 * (S3, and the stores that answer in its format): a bucket or
	 * endpoint policy refused this network, as Azure Storage's above.
	 * One whose details name a missing permission on the objects (GCS's
	 * "does not have storage.objects.get access") is the identity's. */
	{ "blob-store-403", CAUSE("aks.403", "webapp.ip-denied"), NULL, 0,
	  pred_no_object_permission, P("<code>accessdenied</code>"),
	  P(FORBIDDEN, "http 403 response") },
	/* A network policy that names itself (a VPC Service Controls
	 * perimeter, an organization's policy on the requests leaving it, a
	 * network security perimeter): the caller's network was refused, not
	 * its identity. */
	{ "network-policy", CAUSE("aks.403", "webapp.ip-denied"), NULL, 0, NULL,
	  P("prohibited by organization", "prohibited by the organization",
	    "vpcservicecontrols", "vpc service controls",
	    "network security perimeter"), NULL },
	/* The registry (or the CDN in front of it) refuses the caller's
	 * address or country, in an HTML page or in words: the tree's
	 * "the registry refuses the caller's network address". */
	{ "address-refused", CAUSE("aks.403", "webapp.ip-denied"), NULL, 0,
	  pred_no_proxy,
	  P("block all ip addresses", "ip addresses that are located",
	    "export control", "your ip address", "your ip is",
	    "your country", "your region", "your location",
	    "ip address is blocked", "ip address has been blocked",
	    "ip address is not allowed", "ip is not allowed", "ip not allowed",
	    "country is blocked", "region is blocked", "geo-block", "geoblock",
	    "not available in your",
	    /* an ACR that takes no traffic from public addresses */
	    "public network access is disabled",
	    "public network access has been disabled",
	    "public access is disabled"),
	  P(FORBIDDEN, "blocked", "<html", "denied", "not allowed") },
	/* A web application firewall's challenge page (a CAPTCHA, "checking
	 * your browser") instead of the registry's answer: the front end or
	 * CDN distrusts the caller's address (a VPN's, a proxy's exit),
	 * which no registry client can answer. */
	{ "waf-challenge", CAUSE("aks.403", "webapp.ip-denied"), NULL, 0, NULL,
	  P("complete the security check", "attention required",
	    "checking your browser", "captcha", "cf-chl", "cf_chl",
	    "/cdn-cgi/challenge"),
	  P(FORBIDDEN, "<html", "<!doctype", "status 503", "503 service") },
	/* An HTML 403 page from a registry the text names: its front end or
	 * CDN refused the caller (see pred_html403_named). */
	{ "html-403-registry", CAUSE("aks.403", "webapp.ip-denied"), NULL, 0,
	  pred_html403_named, P("error parsing http 403 response body",
				"<title>403 forbidden</title>",
				"statuscode: 403, \"<"), NULL },
	/* An HTML 403 page comes from a proxy or mirror; ACR answers JSON. */
	{ "html-403", CAUSE("other", "other"),
	  "HTTP 403 from a proxy or mirror (HTML page), not from the registry",
	  0, NULL, P("error parsing http 403 response body",
		     "<title>403 forbidden</title>", "statuscode: 403, \"<"),
	  NULL },

	/* Azure Firewall's answer to HTTP(S) that no application rule
	 * allows: status 470 and "Action: Deny. Reason: ...".  The node's
	 * own egress firewall lacks the registry's FQDNs (tree 4, the
	 * network path), not the registry refusing the node. */
	{ "egress-firewall-deny", CAUSE("aks.timeout", "aks.timeout"), NULL, 0,
	  NULL, P("action: deny. reason:", "action: deny reason:",
		  "470 status code 470", "status code 470", STATUS_FORMS("470")),
	  NULL },
	/* A 403 that names a web proxy or filter: the node's egress proxy
	 * refused, the registry never answered. */
	{ "proxy-403", CAUSE("other", "other"),
	  "HTTP 403 from a web proxy or filter, not from the registry", 0,
	  pred_proxy_named, P(FORBIDDEN), NULL },

	/* A 403 on a layer, from Docker Hub or ACR: the manifest was read
	 * with the same credentials, so the blob store or CDN refused the
	 * caller's network. */
	{ "layer-403", CAUSE("aks.403", "webapp.ip-denied"), NULL, 0,
	  pred_layer_refused, P(FORBIDDEN),
	  P("image layer", "fetching layer", "fetching blob", "/blobs/sha256",
	    "/blobs/", "pulling image configuration") },
	/* Entra ID (AAD) refused the cluster's identity or service principal
	 * (AADSTS codes, an OAuth error): the credentials, and an answer, so
	 * not a network failure; its "application ... not found" is the
	 * principal's, not the image's. */
	{ "aad-signin", CAUSE("aks.401", "webapp.unauthorized"), NULL, 0, NULL,
	  P("aadsts", "invalid_client", "unauthorized_client", "invalid_grant",
	    "refresh request failed. status code = '40"), NULL },
	/* The cluster's identity was never given the registry: check-acr
	 * cannot find the kubelet identity on the nodes, or attaching the
	 * registry could not grant AcrPull.  A "not found" there is the
	 * identity's. */
	{ "cluster-identity", CAUSE("aks.401", "webapp.unauthorized"), NULL, 0,
	  NULL, P("identity existance: failed", "identity existence: failed",
		  "could not create a role assignment",
		  "roleassignments/write", "service principal credential: failed",
		  "managed identity token failed"), NULL },
	/* Container Instances refusing the registry credentials it was
	 * given (empty or malformed password or user name): the
	 * credentials, before any pull. */
	{ "aci-registry-credential", CAUSE("aks.401", "webapp.unauthorized"),
	  NULL, 0, NULL, P("invalidimageregistrypassword",
			   "invalidimageregistryusername",
			   "imageregistrycredentials"), NULL },
	/* ACR's own reason for refusing a token: the identity has no role
	 * on the registry, whatever status carried it. */
	{ "acr-permissions", CAUSE("aks.401", "webapp.unauthorized"), NULL, 0,
	  NULL, P("retrieving permissions failed"), NULL },
	/* No credentials at all, or the Azure CLI found none to give the
	 * web app: the innermost error blames the credentials, whatever
	 * "repository does not exist" wrapper surrounds it. */
	{ "no-credentials", CAUSE("aks.401", "webapp.unauthorized"), NULL, 0,
	  pred_no_strong_missing,
	  P("no basic auth credential", "no credential was provided to access",
	    "failed to retrieve container registry credentials",
	    "failed to retrieve credentials for container registry",
	    "token has expired", "token is expired", "token expired",
	    "credentials have expired", "password has expired",
	    "secret has expired",
	    /* the registry refused the password it was given: the
	     * wrapper of an anonymous retry after it does not decide
	     * (containers-image's "invalid username/password:" is only a
	     * prefix before the registry's own reason) */
	    "incorrect username or password", "invalid username or password"),
	  NULL },
	/* The registry's own permission answer (GHCR permission_denied,
	 * Artifact Registry "Permission ... denied on resource (or it may not
	 * exist)"): the identity may not read; the name may be wrong too. */
	{ "registry-permission", CAUSE("aks.401", "webapp.unauthorized"), NULL,
	  0, pred_no_strong_missing,
	  P("permission_denied", "denied: permission denied", "denied on resource",
	    "is not authorized to perform",
	    "do not have permission", "does not have permission",
	    /* the products' wording of a missing AcrPull (Machine
	     * Learning's endpoint identity, a managed identity) */
	    "not have pull permission", "no pull permission",
	    "lacks pull permission", "missing pull permission"), NULL },
	/* Tree 1a: "repository does not exist or may require authorization:
	 * insufficient_scope" from ACR is the token's scope, not a name. */
	{ "acr-insufficient-scope", CAUSE("aks.401", "webapp.unauthorized"), NULL,
	  0, pred_acr_scope, P("insufficient_scope"), NULL },
	/* Several errors joined: the credentialed token request failed with
	 * 401, and a layer copy that never started reports "not found".  The
	 * root error is the token's; no manifest was missing. */
	{ "copy-after-token-401", CAUSE("aks.401", "webapp.unauthorized"), NULL,
	  0, pred_no_manifest_missing, P("failed to fetch oauth token"),
	  P("failed to copy", "content descriptor") },
	/* az acr login / check-health name what failed in a CONNECTIVITY_*
	 * code; one that carries a 401 is the signed-in identity (another
	 * tenant or subscription, a stale sign-in), whatever the admin-user
	 * fallback that follows says of a registry it "could not find" in
	 * the CLI's current subscription. */
	{ "cli-connectivity-401", CAUSE("aks.401", "webapp.unauthorized"), NULL,
	  0, NULL, P("connectivity_"), P("response code: 401", "status code: 401",
				       "401 unauthorized", "status: 401",
				       STATUS_FORMS("401")) },
	/* A login answered 404: a login asks only the registry's API root
	 * (/v2/), which every registry serves, so no image name is missing;
	 * the address is not the registry's API (a path in it, a web site),
	 * or the client asked a wrong URL (a client bug).  A mistyped host
	 * serving a web site is the alternative. */
	{ "login-404", CAUSE("other", "other"),
	  "the registry's API root answered 404 to a login: the address is not a registry's API (a path in it, a web site) or the client asked a wrong URL; check the client's version",
	  0, pred_login_404, P("login"), NULL },
	/* A self-hosted registry (Harbor before 2.1, Nexus) answering 500
	 * for a manifest or a reference: those answer a name outside any
	 * project or repository they have with a server error.  A hosted
	 * registry's or a blob's 500 stays its health (server-5xx). */
	{ "private-500-reference", CAUSE("aks.notfound", "webapp.manifest-unknown"),
	  NULL, 0, pred_private_500_reference, P("500 internal server error",
						 "status: 500", "status code 500",
						 "status code: 500"), NULL },
	/* The kubelet pulled with no credentials for the image and says so:
	 * GCR, whose images sat in a storage bucket, answered an anonymous
	 * caller "not found" for a private image that exists.  Other
	 * registries (ACR answers an anonymous caller 401) name a missing
	 * image so: their "not found" stays the name's, with the
	 * credentials as the alternative. */
	{ "anonymous-not-found", CAUSE("aks.401", "webapp.unauthorized"), NULL,
	  0, pred_gcr, P("no credentials on this request"),
	  P(NOTFOUND, "not found") },
	/* Tree 2 / App Service error 2: outranks the 401 of the anonymous
	 * retry that follows it. */
	{ "not-found", CAUSE("aks.notfound", "webapp.manifest-unknown"), NULL, 0,
	  NULL, P(NOTFOUND), NULL },
	{ "ref-not-found", CAUSE("aks.notfound", "webapp.manifest-unknown"),
	  NULL, 0, pred_ref_not_found, P(": not found"), NULL },
	{ "bare-reading-manifest", CAUSE("aks.notfound", "webapp.manifest-unknown"),
	  NULL, 0, pred_bare_reading_manifest, P("reading manifest "), NULL },
	/* The manifest was read, but the registry lacks a layer it names
	 * (distribution's BLOB_UNKNOWN, containerd's "content at URL not
	 * found"): an incomplete push or a cleaned-up repository, not the
	 * image's name. */
	{ "blob-unknown", CAUSE("other", "other"),
	  "the registry lacks a layer the manifest names (incomplete push or deleted blob): push the image again",
	  0, NULL, P("blob unknown to registry", "blob_unknown",
		     "content at ~ not found",
		     /* moby's "unknown blob" on the image's configuration:
		      * a config is never a foreign layer (see unknown-blob) */
		     "image configuration:~unknown blob"), NULL },
	/* Docker's wrapper for a registry that would not say which: most often
	 * the name is wrong, but it may also be private. */
	{ "private-only-wrapper", CAUSE("aks.401", "webapp.unauthorized"), NULL,
	  0, pred_private_only_wrapper, P(NOTFOUND_OR_DENIED), NULL },
	{ "not-found-or-denied", CAUSE("aks.notfound", "webapp.manifest-unknown"),
	  NULL, 0, pred_wrapper_generic, P(NOTFOUND_OR_DENIED), NULL },
	/* App Service's own puller words a tag it cannot find as an
	 * "unsupported image manifest". */
	{ "webapp-unsupported-manifest",
	  CAUSE("webapp.manifest-unknown", "webapp.manifest-unknown"), NULL, 1,
	  NULL, P("unsupported image manifest"), NULL },
	{ "not-found", CAUSE("webapp.manifest-unknown", "webapp.manifest-unknown"),
	  NULL, 1, NULL, P("code=notfound", "statuscode: notfound", "notfound"),
	  NULL },
	{ "private-dns-nx", CAUSE("other", "other"),
	  "DNS: the registry's private link or data endpoint name does not resolve; check the private DNS zone's records and its link to the VNet",
	  0, pred_private_lookup, P(DNS_NX), NULL },
	/* az acr's LOGIN_SERVER_ERROR: ARM has no registry by that name in
	 * the cloud and subscriptions the caller sees; a misspelled name
	 * most often, a missing permission on it too. */
	{ "acr-login-server", CAUSE("aks.notfound", "webapp.manifest-unknown"),
	  NULL, 0, NULL, P("login_server_error",
			   "error occurred while retrieving the login server"),
	  NULL },
	/* A product that checks the registry it was given before pulling
	 * (Batch's ContainerInvalidRegistry, a registry server named without
	 * its login server's domain): the registry's name is wrong. */
	{ "invalid-registry", CAUSE("aks.notfound", "webapp.manifest-unknown"),
	  NULL, 0, NULL, P("containerinvalidregistry",
			   "registries specified are invalid",
			   "registry specified is invalid",
			   "invalid container registry",
			   "registry server is invalid"), NULL },
	/* Wrong registry name or suffix (azureacr.io): NXDOMAIN. */
	{ "acr-no-such-host", CAUSE("aks.notfound", "webapp.manifest-unknown"),
	  NULL, 0, pred_acr_lookup, P(DNS_NX), NULL },

	/* Tree 3 / App Service error 3: the ACR firewall's own words. */
	{ "ip-denied", CAUSE("aks.403", "webapp.ip-denied"), NULL, 0, NULL,
	  P("client with ip", "is not allowed access", "aka.ms/acr/firewall",
	    "networkruleset",
	    "connectivity_forbidden_error", "connectivity_challenge_error",
	    "did not issue a challenge"), NULL },
	/* App Service shows the firewall's answer as a bare "denied". */
	{ "ip-denied-bare", CAUSE("webapp.ip-denied", "webapp.ip-denied"), NULL,
	  1, pred_not_foreign, P("\"denied\"", ": denied\""), NULL },
	/* A bare "denied" as the innermost error.  ACR says it so when its
	 * firewall refuses the caller; GHCR and GitLab say it for a package
	 * the caller may not read, and for one that does not exist. */
	{ "bare-denied-acr", CAUSE("aks.403", "webapp.ip-denied"), NULL, 0,
	  pred_bare_denied_acr, P(": denied"), NULL },
	{ "bare-denied", CAUSE("aks.401", "webapp.unauthorized"), NULL, 0,
	  pred_bare_denied_other, P(": denied"), NULL },
	/* 403 from a public registry that is not ACR: anonymous means the
	 * repository is missing or private, with credentials it means they
	 * lack access. */
	{ "anonymous-only-403", CAUSE("aks.403", "webapp.ip-denied"), NULL, 0,
	  pred_anonymous_only, P(FORBIDDEN), NULL },
	/* Their token service refusing an anonymous request with 401: no
	 * credential of the caller's was asked for, the service failed. */
	{ "anonymous-only-token-401", CAUSE("other", "other"),
	  "a registry that serves public images to anyone refused an anonymous token: a service incident most often; check the registry's status page and retry",
	  0, pred_anonymous_only, P(TOKEN_ENDPOINTS),
	  P("401 unauthorized", "status: 401", "status 401", ": 401") },
	{ "foreign-403-anonymous", CAUSE("aks.notfound", "webapp.manifest-unknown"),
	  NULL, 0, pred_foreign, P("anonymous token"), P(FORBIDDEN) },
	{ "foreign-403", CAUSE("aks.401", "webapp.unauthorized"), NULL, 0,
	  pred_foreign, P(FORBIDDEN), NULL },
	/* ACR answers 403 only from its network rules (a missing role is a
	 * 401 or insufficient_scope), so an ACR 403 is its firewall.  A 403
	 * from a registry the text does not name (token service, Harbor,
	 * Docker 1.x's "Status 403 trying to pull repository") is most often
	 * an authorization answer; the firewall stays the alternative. */
	{ "forbidden-403", CAUSE("aks.403", "webapp.ip-denied"), NULL, 0,
	  pred_acr_or_webapp, P(FORBIDDEN), NULL },
	{ "forbidden-403-unnamed", CAUSE("aks.401", "webapp.unauthorized"), NULL,
	  0, NULL, P(FORBIDDEN), NULL },

	/* Tree 4: the network path to the registry.  A timeout of the DNS
	 * query itself is the resolver, not that path. */
	{ "dns-timeout", CAUSE("other", "other"),
	  "DNS: the DNS server did not answer (lookup timed out); check the VNet's DNS servers and the path to them",
	  0, pred_dns_timeout, P("lookup * timeout", "lookup * deadline exceeded",
				 "lookup * timed out", "lookup "), NULL },
	/* 408: the server got no complete request in time (a front end's
	 * page, most often in HTML): the request was lost or stalled on the
	 * way (fragmentation, an MTU, a filter), the network path. */
	{ "request-timeout-408", CAUSE("aks.timeout", "aks.timeout"), NULL, 0,
	  NULL, P("408 request time", "http 408 response", "status: 408",
		  "status code 408", "status code: 408", STATUS_FORMS("408")),
	  NULL },
	/* Docker 1.x's own words for a registry it could not reach, which
	 * tell the reader to check the internet connection and the proxy:
	 * in the threads that pasted it, the machine's DNS, VPN or desktop
	 * networking, not a path to one registry. */
	{ "client-network-timeout", CAUSE("other", "other"),
	  "the machine's own network (DNS, VPN, proxy settings): it reached no registry", 0,
	  NULL, P("network timed out while trying to connect"), NULL },
	{ "timeout", CAUSE("aks.timeout", "aks.timeout"), NULL, 0,
	  pred_net_timeout, P(TIMEOUT), NULL },
	{ "no-such-host", CAUSE("other", "other"),
	  "DNS: no such host (check the registry name and the node's DNS)", 0,
	  NULL, P(DNS), NULL },
	/* A layer download cut off: the credentials worked (the manifest
	 * was read), so a trailing anonymous 401 is noise. */
	{ "layer-eof", CAUSE("other", "other"),
	  "network: layer download cut off (EOF); check egress firewall rules for the registry's data endpoint and blob storage",
	  0, NULL, P("httpreadseeker", "failed to copy:", "failed open:",
		     ".blob.core.windows.net", "/blobs/",
		     "pulling image configuration"),
	  P(": eof", "unexpected eof", "connection reset by peer",
	    "broken pipe", "forcibly closed by the remote host") },
	/* A connection to an ACR's login server cut (EOF, reset): ACR
	 * answers every request, so something on the path closed it, a
	 * firewall or a private endpoint the name points to but the node
	 * cannot use (tree 4).  The layer downloads are read above. */
	{ "acr-connection-closed", CAUSE("aks.timeout", "aks.timeout"), NULL, 0,
	  pred_acr_login_server, P("connection reset by peer", ": eof",
				   "unexpected eof", "broken pipe",
				   "forcibly closed by the remote host",
				   "connection was aborted by the software in your host"),
	  NULL },
	/* A public address's HTTPS port refused the dial: a registry listens
	 * there, so either the address is not the registry's (a mirror or an
	 * endpoint that is down) or an egress filter on the way answered for
	 * it (see pred_refused_public_https; real threads found both).  A
	 * private address or another port is the setup's (a local registry,
	 * a proxy, a name pointed wrong) and leaves no alternative. */
	{ "egress-refused", CAUSE("other", "other"),
	  "network: the registry's HTTPS port refused the connection (an egress filter on the way, or the address is not the registry's)",
	  0, pred_refused_public_https,
	  P("connection refused", "target machine actively refused it"), NULL },
	/* the Linux and the Windows (Winsock) wordings */
	{ "connection-refused", CAUSE("other", "other"),
	  "network: connection refused", 0, NULL,
	  P("connection refused", "target machine actively refused it"), NULL },
	{ "connection-closed", CAUSE("other", "other"),
	  "network: connection closed (EOF or reset); proxy or firewall?", 0,
	  NULL, P("connection reset by peer", ": eof", "unexpected eof",
		  "broken pipe", "forcibly closed by the remote host",
		  "connection was aborted by the software in your host"), NULL },
	{ "unreachable", CAUSE("other", "other"),
	  "network: no route to the registry", 0, NULL,
	  P("no route to host", "network is unreachable", "host is unreachable"),
	  NULL },

	/* Quay answers a name it does not have with the words it uses for a
	 * private one; on a repository request a wrong name is likelier. */
	{ "quay-not-authorized", CAUSE("aks.notfound", "webapp.manifest-unknown"),
	  NULL, 0, pred_repo_request,
	  P("access to the requested resource is not authorized"), NULL },
	/* Docker Hub's "denied" without any word against the credentials:
	 * the repository does not exist, or is private. */
	{ "hub-denied", CAUSE("aks.notfound", "webapp.manifest-unknown"), NULL, 0,
	  pred_hub_denied, P("requested access to the resource is denied",
			     "insufficient_scope"), NULL },
	{ "foreign-denied", CAUSE("aks.401", "webapp.unauthorized"), NULL, 0,
	  pred_foreign_denied, P(": denied: "), NULL },
	/* An OAuth token endpoint answers a grant it refuses (a refresh
	 * token for another tenant or registry, a malformed one) with 400
	 * (RFC 6749 5.2): the credentials, like its 401. */
	{ "token-400", CAUSE("aks.401", "webapp.unauthorized"), NULL, 0, NULL,
	  P(TOKEN_ENDPOINTS), P("400 bad request", "status: 400", "status 400",
				"status code 400", "status code: 400",
				STATUS_FORMS("400")) },
	/* Tree 1a / App Service error 1. */
	{ "unauthorized-401", CAUSE("aks.401", "webapp.unauthorized"), NULL, 0,
	  NULL, P(AUTH401), NULL },

	/* Docker's wrapper with a reason no rule above knew: still the
	 * wrapper's reading. */
	{ "not-found-or-denied", CAUSE("aks.notfound", "webapp.manifest-unknown"),
	  NULL, 0, NULL, P(NOTFOUND_OR_DENIED), NULL },

	/* Azure Container Instances / Container Apps wrap every pull failure
	 * as "check the image and registry credential": the credentials, or
	 * the name; the checks tell.  An image named without a registry is
	 * looked up on Docker Hub, where no credential is involved: the name
	 * (a login server left out, a wrong name) is likelier. */
	{ "image-or-credentials-hub", CAUSE("aks.notfound", "webapp.manifest-unknown"),
	  NULL, 0, pred_hub_implied_only,
	  P("check the image and registry credential",
	    "check the image name or any registry credentials"), NULL },
	{ "image-or-credentials", CAUSE("aks.401", "webapp.unauthorized"), NULL,
	  0, NULL, P("check the image and registry credential",
		     "check the image name or any registry credentials",
		     "inaccessibleimage",
		     /* podman 0.x-1.x folded every registry's answer (a
		      * refused or stale token as much as a missing name)
		      * into this one line */
		     "unable to find image in the registries defined",
		     "unable to find image in the registries"), NULL },
	/* A person's own words that the image is gone, when no error above
	 * spoke (below 401: "the pull secret no longer exists" is a 401). */
	{ "gone-in-words", CAUSE("aks.notfound", "webapp.manifest-unknown"), NULL,
	  0, NULL, P("not exist anymore", "no longer exist",
		     "does not exist anymore"), NULL },
	/* Docker's "unknown blob" (not the registry's "blob unknown to
	 * registry") is a Linux engine that cannot fetch a Windows image's
	 * foreign base layers: the image's OS, when nothing above spoke. */
	{ "unknown-blob", CAUSE("aks.platform", "aks.platform"), NULL, 0, NULL,
	  P("unknown blob"), NULL },
	/* kubelet's RegistryUnavailable with no network error above to
	 * say more: the runtime could not reach the registry. */
	{ "registry-unavailable", CAUSE("other", "other"),
	  "RegistryUnavailable: the runtime could not reach the registry (DNS, firewall, or the registry's health)",
	  0, NULL, P("because the registry is unavailable",
		     "registryunavailable"), NULL },
	/* Below 401: a 5xx next to a 401 is the flaky half of the pair. */
	{ "server-5xx", CAUSE("other", "other"),
	  "registry server error (HTTP 5xx): retry, check the registry's health",
	  0, NULL, P("500 internal server error", "502 bad gateway",
		     "503 service unavailable", "504 gateway timeout",
		     "internal server error", "bad gateway", "service unavailable",
		     "gateway timeout", "gateway time-out", "http status: 5",
		     /* a front end's HTML page in place of the registry's
		      * JSON (moby: "error parsing HTTP 503 response body") */
		     "error parsing http 50", "service temporarily unavailable", "status: 50",
		     "status code 50", "status code: 50"), NULL },
	{ "canceled", CAUSE("other", "other"),
	  "pull cancelled (context canceled): slow or very large pull, see kubelet image-pull-progress-deadline",
	  0, NULL, P("context canceled", "code canceled", "cancel pulling image",
		     "no progress"), NULL },
	/* az acr check-health: Docker, Helm and Notary errors are about the
	 * local tools (tree 1); any registry error matched above. */
	{ "check-health-tools", CAUSE("other", "other"),
	  "az acr check-health found only local tool problems (Docker, Helm or Notary), nothing about the registry",
	  0, NULL, P("helm_command_error", "helm_version_error",
		     "notary_command_error", "notary_version_error",
		     "docker_command_error", "docker_daemon_error",
		     "docker_version_error", "docker_pull_error"), NULL },
	/* The kubelet could not inspect an image already on the node: the
	 * node's image store, no registry was asked. */
	{ "image-inspect", CAUSE("other", "other"),
	  "ImageInspectError: the node could not read an image it already has (its image store), no pull was made",
	  0, NULL, P("imageinspecterror", "failed to inspect image"), NULL },
	/* The log says the pull worked and names no pull failing: what
	 * failed came after it (the container's start, its probes). */
	{ "pulled-ok", CAUSE("other", "other"),
	  "the image was pulled; the failure came after the pull (container start or health), not from the registry",
	  0, pred_no_pull_failure, P("pull image successful", "successfully pulled image",
				     "downloaded newer image for", "image is up to date for"),
	  NULL },
	/* The engine looked for the image locally (tag, run, inspect) and
	 * has none: the pull before it failed or never ran; its error, not
	 * this one, names the cause. */
	{ "no-such-image", CAUSE("other", "other"),
	  "the engine has no such image locally: the pull before failed or never ran; its error names the cause",
	  0, NULL, P("no such image: ", "image not known"), NULL },
	{ "webapp-no-reason", CAUSE("other", "other"),
	  "App Service image pull failed and the log gives no reason", 1, NULL,
	  P("imagepullfailure", "image pull failed", "pull image failed",
	    "pulling docker image", "dockerapiexception", "pulling image"), NULL },
	/* BuildKit's and containerd's "unexpected status from HEAD request
	 * to <url>" cut before its status (every status a rule above knows
	 * would have spoken): across the threads that resolved one, the
	 * status was a 401 most often (stale or missing credentials), then
	 * a firewall's 403. */
	{ "status-cut", CAUSE("aks.401", "webapp.unauthorized"), NULL, 0,
	  pred_status_cut,
	  P("unexpected status from head request", "unexpected status from get request",
	    "unexpected status from post request"), NULL },
	/* A product's or a runtime's pull failure cut before its reason, or
	 * given none (dockershim's "failed pulling image", IoT Edge's "Could
	 * not pull image", Service Fabric's "Container image download
	 * failed"): across the threads that resolved one, a name that does
	 * not exist came first, then the credentials, then the platform. */
	{ "pull-failed-no-reason", CAUSE("aks.notfound", "webapp.manifest-unknown"),
	  NULL, 0, NULL, P("failed pulling image", "could not pull image",
			   "container image download failed",
			   "failed to download image", "unable to pull image",
			   /* ECS's wrapper, its reason cut */
			   "cannotpullcontainererror",
			   "pull image manifest has been retried"),
	  NULL },
	/* The image's configuration or a layer was being downloaded when
	 * the paste was cut: the manifest was found with these credentials,
	 * so the name and the identity are not the question; the path to
	 * the blob store (a CDN, an object store) is. */
	{ "download-cut", CAUSE("aks.timeout", "aks.timeout"), NULL, 0, NULL,
	  P("error pulling image configuration: get "), NULL },
	{ "backoff-only", CAUSE("other", "other"),
	  "ImagePullBackOff without the underlying error: see the pod's earlier Failed event",
	  0, NULL, P("back-off pulling image", "imagepullbackoff", "errimagepull",
		     "trying and failing to pull image"),
	  NULL },
};

static const char *const dns_nx[] = { DNS_NX, NULL };

/* Rules whose wording also fits another cause: the rule, then the other
 * cause outside and inside an App Service log. */
static const struct {
	const char *rule, *alt, *walt;
} rule_alts[] = {
	{ "registry-permission", "aks.notfound", "webapp.manifest-unknown" },
	{ "not-found-or-denied", "aks.401", "webapp.unauthorized" },
	{ "bare-denied-acr", "aks.401", "webapp.unauthorized" },
	{ "ip-denied-bare", "aks.401", "webapp.unauthorized" },
	{ "bare-denied", "aks.notfound", "webapp.manifest-unknown" },
	{ "foreign-403-anonymous", "aks.401", "webapp.unauthorized" },
	{ "foreign-403", "aks.notfound", "webapp.manifest-unknown" },
	/* a public registry's front end refusing the caller's network (a
	 * hosting range, a country) says 403 too */
	{ "foreign-403", "aks.403", "webapp.ip-denied" },
	{ "forbidden-403-unnamed", "aks.403", "webapp.ip-denied" },
	{ "html-403", "aks.403", "webapp.ip-denied" },
	{ "foreign-denied", "aks.notfound", "webapp.manifest-unknown" },
	/* a mirror's list may simply lack the image */
	{ "mirror-allowlist", "aks.notfound", "webapp.manifest-unknown" },
	{ "anonymous-only-token-401", "aks.401", "webapp.unauthorized" },
	{ "private-only-wrapper", "aks.notfound", "webapp.manifest-unknown" },
	{ "quay-not-authorized", "aks.401", "webapp.unauthorized" },
	{ "hub-denied", "aks.401", "webapp.unauthorized" },
	{ "image-or-credentials", "aks.notfound", "webapp.manifest-unknown" },
	{ "image-or-credentials-hub", "aks.401", "webapp.unauthorized" },
	/* a status cut off: a 401 most often, a firewall's 403 next */
	{ "status-cut", "aks.403", "webapp.ip-denied" },
	/* a login's 404: a mistyped host serving a web site */
	{ "login-404", "aks.notfound", "webapp.manifest-unknown" },
	/* a connection closed (EOF, reset) on a registry's request: a proxy,
	 * an outage or a broken IPv6 path most often, but three threads of
	 * seven found an egress firewall resetting it, the network path */
	{ "connection-closed", "aks.timeout", "aks.timeout" },
	/* an EOF from an ACR was also an identity without access to it */
	{ "acr-connection-closed", "aks.401", "webapp.unauthorized" },
	/* a front end that answered instead of the registry: an ACR's
	 * firewall answers so too (az acr check-health's challenge errors) */
	{ "bad-challenge", "aks.403", "webapp.ip-denied" },
	{ "anonymous-not-found", "aks.notfound", "webapp.manifest-unknown" },
	{ "acr-login-server", "aks.401", "webapp.unauthorized" },
	/* a registry that cannot be reached is most often the network path */
	{ "registry-unavailable", "aks.timeout", "aks.timeout" },
	/* a DNS query that timed out: the DNS setup, or a firewall that
	 * drops the queries (real threads found both) */
	{ "dns-timeout", "aks.timeout", "aks.timeout" },
	/* no route to the registry: the machine's own network, or a path
	 * that a route or firewall broke (real threads found both) */
	{ "unreachable", "aks.timeout", "aks.timeout" },
	{ "client-network-timeout", "aks.timeout", "aks.timeout" },
	/* a layer download cut: an egress rule that misses the data
	 * endpoint or a filter that resets it, the network path too */
	{ "layer-eof", "aks.timeout", "aks.timeout" },
	{ "egress-refused", "aks.timeout", "aks.timeout" },
	/* a blob the manifest names is missing: pushed incomplete, or lost
	 * by the registry; the image as referenced is not all there */
	{ "blob-unknown", "aks.notfound", "webapp.manifest-unknown" },
	/* a pull failure with no reason: see the rule */
	{ "pull-failed-no-reason", "aks.401", "webapp.unauthorized" },
	{ "pull-failed-no-reason", "aks.platform", "aks.platform" },
};

/* ---------- evidence ---------- */

struct out_buf {
	char *buf;
	size_t cap, len;
};

/* Append safe[a, b) (whole characters, spaces collapsed); stops cleanly
 * at the buffer's end. */
static void put_text(struct out_buf *o, const char *s, size_t a, size_t b)
{
	size_t i = a, k;

	while (i < b) {
		k = 1;
		while (i + k < b && is_cont((unsigned char)s[i + k]))
			k++;
		if (s[i] == ' ' && (o->len == 0 || o->buf[o->len - 1] == ' ')) {
			i++;
			continue;
		}
		if (o->len + k >= o->cap)
			break;
		memcpy(o->buf + o->len, s + i, k);
		o->len += k;
		i += k;
	}
	o->buf[o->len] = '\0';
}

/* The window of safe text shown around norm [ns, ne). */
static void window(const struct text *t, size_t ns, size_t ne, size_t *wa,
		   size_t *wb)
{
	size_t a, b, sa, sb, k;

	safe_span(t, ns, ne, &sa, &sb);
	if (sb - sa > MAXFRAG)
		sb = sa + MAXFRAG;
	a = sa > CTX ? sa - CTX : 0;
	b = sb + CTX < t->slen ? sb + CTX : t->slen;
	/* start and end on a word boundary when one is near */
	for (k = a; a > 0 && k < sa && k < a + 30; k++)
		if (strchr(" \"(,=", t->safe[k])) {
			a = k + 1;
			break;
		}
	for (k = b; b < t->slen && k > sb && k + 30 > b; k--)
		if (t->safe[k - 1] == ' ') {
			b = k - 1;
			break;
		}
	while (a > 0 && a < t->slen && is_cont((unsigned char)t->safe[a]))
		a++;
	while (b < t->slen && b > 0 && is_cont((unsigned char)t->safe[b]))
		b--;
	*wa = a;
	*wb = b;
}

static void evidence(const struct text *t, const struct match *m1,
		     const struct match *m2, char *ev, size_t cap)
{
	struct out_buf o = { ev, cap, 0 };
	size_t a1, b1, a2 = 0, b2 = 0;
	int two = 0;

	ev[0] = '\0';
	window(t, m1->start, m1->end, &a1, &b1);
	if (m2 && m2->ok) {
		window(t, m2->start, m2->end, &a2, &b2);
		if (a2 <= b1 && b2 >= a1) {     /* overlapping: one window */
			a1 = a2 < a1 ? a2 : a1;
			b1 = b2 > b1 ? b2 : b1;
		} else {
			two = 1;
		}
	}
	if (two && a2 < a1) {                   /* keep text order */
		size_t x = a1, y = b1;

		a1 = a2;
		b1 = b2;
		a2 = x;
		b2 = y;
	}
	if (a1 > 0)
		put_text(&o, ELLIPSIS, 0, 3);
	put_text(&o, t->safe, a1, b1);
	if (two) {
		put_text(&o, " " ELLIPSIS " ", 0, 5);
		put_text(&o, t->safe, a2, b2);
	}
	if ((two ? b2 : b1) < t->slen)
		put_text(&o, ELLIPSIS, 0, 3);
	/* no trailing space before the end */
	while (o.len > 0 && ev[o.len - 1] == ' ')
		ev[--o.len] = '\0';
}

/* ---------- entry point ---------- */

static void fill_other(struct classify_result *out, const char *rule,
		       const char *note)
{
	out->cause = "other";
	out->rule = rule;
	snprintf(out->note, sizeof out->note, "%s", note);
}

static void add_alt(struct classify_result *out, const char *cause)
{
	size_t i;

	if (!cause || strcmp(cause, "other") == 0 ||
	    strcmp(cause, out->cause) == 0 || out->nalt >= CLASSIFY_MAX_ALT)
		return;
	for (i = 0; i < out->nalt; i++)
		if (strcmp(out->alternatives[i], cause) == 0)
			return;
	out->alternatives[out->nalt++] = cause;
}

/* A registry the text names that is neither an ACR (nor a near miss of
 * one) nor MCR: a private registry (Harbor, Nexus, GitLab's, a proxy
 * cache), which may check a name's permission before its existence. */
static int private_named(const struct text *t)
{
	return t->registry[0] && !pred_acr(t) && !acr_like(t->registry) &&
	       !ends_with_host(t->registry, "mcr.microsoft.com");
}

/* Alternatives that depend on the text, not only on the rule. */
static void dynamic_alts(const struct text *t, const struct rule *r,
			 struct classify_result *out)
{
	const char *nf = t->webapp ? "webapp.manifest-unknown" : "aks.notfound";

	/* A 401 on a repository from a registry that answers a missing name
	 * the same way (the public ones; a private one, or a proxy cache
	 * that relays its upstream's 401), with no word against the
	 * credentials: the name may be wrong. */
	if (strcmp(r->name, "unauthorized-401") == 0 &&
	    (ambiguous_registry(t) || private_named(t)) &&
	    !has_any(t, explicit_cred) && !has_any(t, token_endpoint) &&
	    pred_repo_request(t))
		add_alt(out, nf);
	/* A 403 from a private registry the text names: authorization, or a
	 * name it will not confirm to this caller. */
	if (strcmp(r->name, "forbidden-403-unnamed") == 0 && private_named(t))
		add_alt(out, nf);
	/* ECR's "no basic auth credentials": no credentials were sent
	 * because the node's provider got none, for want of a role or
	 * because it could not reach the token API (a private subnet
	 * without the ECR API endpoint). */
	if (strcmp(r->name, "no-credentials") == 0 &&
	    (ends_with_host(t->registry, "amazonaws.com") ||
	     ends_with_host(t->registry, "amazonaws.com.cn")) &&
	    has(t, "no basic auth credential"))
		add_alt(out, "aks.timeout");
	/* App Service's own trailer, "Verify docker image configuration and
	 * credentials", with no reason of the registry's: the platform
	 * names both the name and the credentials, as Container Instances'
	 * wrapper does; the log gives no more. */
	if (strcmp(r->name, "webapp-no-reason") == 0 &&
	    has(t, "verify docker image configuration and credentials")) {
		add_alt(out, "webapp.unauthorized");
		add_alt(out, "webapp.manifest-unknown");
	}
	/* the kubelet's "no credentials on this request" before an ACR's
	 * "not found" (see anonymous-not-found) */
	if (strcmp(r->name, "not-found") == 0 &&
	    has(t, "no credentials on this request"))
		add_alt(out, t->webapp ? "webapp.unauthorized" : "aks.401");
	/* A name that does not exist (NXDOMAIN) for a registry that is not
	 * an ACR (an ACR's is the rule acr-no-such-host): the node's DNS, or
	 * a registry host that was mistyped or has gone away. */
	if (strcmp(r->name, "no-such-host") == 0 && has_any(t, dns_nx))
		add_alt(out, nf);
	/* containerd's "no match for platform in manifest" names neither the
	 * OS nor the architecture: a Windows node whose text says nothing
	 * of Windows is the OS. */
	if (strcmp(r->name, "arch-401") == 0 &&
	    has(t, "no match for platform"))
		add_alt(out, "aks.platform");
}

static int run_rules(const struct text *t, struct classify_result *out)
{
	size_t i, k;
	struct match m1, m2;

	for (i = 0; i < sizeof rules / sizeof rules[0]; i++) {
		const struct rule *r = &rules[i];

		if (r->webapp_only && !t->webapp)
			continue;
		if (r->pred && !r->pred(t))
			continue;
		if (!find_any(t, r->any, &m1))
			continue;
		if (r->also && !find_any(t, r->also, &m2))
			continue;
		out->cause = t->webapp ? r->wcause : r->cause;
		out->rule = r->name;
		for (k = 0; k < sizeof rule_alts / sizeof rule_alts[0]; k++)
			if (strcmp(rule_alts[k].rule, r->name) == 0)
				add_alt(out, t->webapp ? rule_alts[k].walt :
					rule_alts[k].alt);
		dynamic_alts(t, r, out);
		if (strcmp(out->cause, "other") == 0 && r->note)
			snprintf(out->note, sizeof out->note, "%s", r->note);
		evidence(t, &m1, r->also ? &m2 : NULL, out->evidence,
			 sizeof out->evidence);
		return 1;
	}
	return 0;
}

int classify_message(const char *text, size_t len,
		     struct classify_result *out)
{
	struct text t;
	struct match m;
	char *clean;
	size_t clen = 0, i;
	const char *const *mk;
	int rc = 0;

	if (!text || !out)
		return AD_EINVAL;
	memset(out, 0, sizeof *out);
	memset(&t, 0, sizeof t);
	fill_other(out, "none", "");

	/* 1. bounded input: head and tail */
	if (len > 2 * CAP) {
		clean = malloc(2 * CAP + 2);
		if (!clean)
			goto nomem;
		sanitize((const unsigned char *)text, CAP, clean, &clen);
		put_space(clean, &clen);
		sanitize((const unsigned char *)text + len - CAP, CAP, clean,
			 &clen);
	} else {
		clean = malloc(len + 1);
		if (!clean)
			goto nomem;
		sanitize((const unsigned char *)text, len, clean, &clen);
	}
	/* 3. mask secrets */
	t.safe = malloc(2 * clen + 4);
	if (!t.safe) {
		free(clean);
		goto nomem;
	}
	t.slen = mask_secrets(clean, clen, t.safe);
	free(clean);
	/* 4. normalize */
	t.norm = malloc(t.slen + 1 + TAIL_ROOM);
	t.map = malloc((t.slen + 1 + TAIL_ROOM) * sizeof *t.map);
	if (!t.norm || !t.map)
		goto nomem;
	normalize(&t);
	find_client_ip(&t, out);
	complete_cut(&t);

	if (t.nlen == 0) {
		fill_other(out, "empty", "empty message");
		goto done;
	}
	for (mk = webapp_markers; *mk && !t.webapp; mk++)
		t.webapp = has_word(&t, *mk);
	if (!t.webapp)
		t.webapp = webapp_log_line(&t);
	if (!t.webapp && find_any(&t, webapp_weak_markers, &m))
		t.webapp = !find_any(&t, not_webapp, &m);
	find_image(&t, out);
	t.linux_image = out->image[0] && !windows_image_name(out->image);
	find_registry(&t, out);
	find_lookup(&t);

	if (!run_rules(&t, out)) {
		struct out_buf o = { out->evidence, sizeof out->evidence, 0 };
		size_t end = t.slen < 160 ? t.slen : 160;

		fill_other(out, "none", t.webapp ?
			   "App Service log without a known pull error" :
			   "no known image-pull cause in the message");
		for (i = 0; i < t.slen && t.safe[i] == ' '; i++)
			;
		while (end < t.slen && is_cont((unsigned char)t.safe[end]))
			end++;
		put_text(&o, t.safe, i, end);
		if (end < t.slen)
			put_text(&o, ELLIPSIS, 0, 3);
	}
	goto done;
nomem:
	rc = AD_ENOMEM;
	fill_other(out, "none", "out of memory");
done:
	free(t.safe);
	free(t.norm);
	free(t.map);
	return rc;
}
