/* image.c - image references and the platforms an image offers.
 *
 * The grammar is the one container runtimes use (the distribution
 * "reference" grammar): an optional registry host (a first component that
 * has a '.' or a ':' or is "localhost"), a lower-case repository path, an
 * optional tag and an optional digest.  Every part is checked against its
 * character set and length, so what comes out is safe in a registry URL
 * and a command line. */
#include "config.h"
#include "checks/image.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "facts.h"
#include "i18n.h"
#include "jsonu.h"

#define REPO_MAX 255
#define TAG_MAX 128
#define HOST_MAX 253

/* A bounded, printable copy of untrusted text for an error message. */
static void shown(char *dst, size_t len, const char *src, size_t n)
{
	size_t i = 0;

	for (; src && n && *src && i + 4 < len; src++, n--)
		dst[i++] = (unsigned char)*src > 0x20 && (unsigned char)*src < 0x7f ?
			   *src : '?';
	if (src && n && *src && i + 4 <= len) {
		memcpy(dst + i, "...", 3);
		i += 3;
	}
	dst[i] = '\0';
}

static int is_lower_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* host[:port]: DNS labels of [A-Za-z0-9-] (not starting or ending with
 * '-'), or a bracketed IPv6 address; port 1..65535. */
static int host_valid(const char *s, size_t n)
{
	size_t i = 0, label = 0;

	if (n == 0 || n > HOST_MAX + 6)
		return 0;
	if (s[0] == '[') {
		for (i = 1; i < n && s[i] != ']'; i++)
			if (!(isxdigit((unsigned char)s[i]) || s[i] == ':' ||
			      s[i] == '.'))
				return 0;
		if (i >= n || i == 1)
			return 0;
		i++;
	} else {
		for (; i < n && s[i] != ':'; i++) {
			unsigned char c = (unsigned char)s[i];

			if (c == '.') {
				if (label == 0 || s[i - 1] == '-')
					return 0;
				label = 0;
				continue;
			}
			if (!(isalnum(c) || c == '-') || (c == '-' && label == 0) ||
			    ++label > 63)
				return 0;
		}
		if (label == 0 || s[i - 1] == '-' || i > HOST_MAX)
			return 0;
	}
	if (i < n) {
		unsigned long port = 0;
		size_t d = 0;

		if (s[i] != ':')
			return 0;
		for (i++; i < n; i++, d++) {
			if (!isdigit((unsigned char)s[i]) || d >= 5)
				return 0;
			port = port * 10 + (unsigned long)(s[i] - '0');
		}
		if (d == 0 || port == 0 || port > 65535)
			return 0;
	}
	return 1;
}

/* path components [a-z0-9]+ joined by '.', '_', '__' or '-'+, split by
 * '/'. */
static int repo_valid(const char *s, size_t n)
{
	size_t i = 0;

	if (n == 0 || n > REPO_MAX)
		return 0;
	while (i < n) {
		/* one component */
		if (!is_lower_alnum((unsigned char)s[i]))
			return 0;
		while (i < n && s[i] != '/') {
			if (is_lower_alnum((unsigned char)s[i])) {
				i++;
				continue;
			}
			if (s[i] == '.' || s[i] == '_') {
				size_t sep = s[i] == '_' && i + 1 < n &&
					     s[i + 1] == '_' ? 2 : 1;

				i += sep;
			} else if (s[i] == '-') {
				while (i < n && s[i] == '-')
					i++;
			} else {
				return 0;
			}
			if (i >= n || !is_lower_alnum((unsigned char)s[i]))
				return 0;
		}
		if (i < n) {          /* at '/' */
			i++;
			if (i >= n)
				return 0;
		}
	}
	return 1;
}

static int tag_valid(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > TAG_MAX)
		return 0;
	if (!(isalnum((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	for (i = 1; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || strchr("_.-", s[i])))
			return 0;
	return 1;
}

/* algorithm:hex; sha256 needs 64 and sha512 128 lower-case hex digits. */
static int digest_valid(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	size_t alen, hlen, i;

	if (!colon || n >= sizeof ((struct image_ref *)0)->digest)
		return 0;
	alen = (size_t)(colon - s);
	hlen = n - alen - 1;
	if (alen == 0 || alen > 32)
		return 0;
	for (i = 0; i < alen; i++)
		if (!(is_lower_alnum((unsigned char)s[i]) ||
		      (i > 0 && i + 1 < alen && strchr("+._-", s[i]))))
			return 0;
	for (i = 0; i < hlen; i++)
		if (!is_hex((unsigned char)colon[1 + i]))
			return 0;
	if (alen == 6 && memcmp(s, "sha256", 6) == 0)
		return hlen == 64;
	if (alen == 6 && memcmp(s, "sha512", 6) == 0)
		return hlen == 128;
	return hlen >= 32;
}

int image_parse(const char *s, struct image_ref *out, struct ad_error *err)
{
	char bad[80];
	const char *at, *name_end, *slash, *repo, *colon, *p;
	size_t len, i;

	if (!out)
		return ad_error_set(err, AD_EINVAL, _("no image reference"));
	memset(out, 0, sizeof *out);
	if (!s || !*s)
		return ad_error_set(err, AD_EINVAL, _("the image reference is empty"));
	len = strnlen(s, IMAGE_REF_MAX);
	if (len >= IMAGE_REF_MAX)
		return ad_error_set(err, AD_EINVAL,
			_("the image reference is longer than %d characters"),
			IMAGE_REF_MAX - 1);
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f) {
			shown(bad, sizeof bad, s, len);
			return ad_error_set(err, AD_EINVAL,
				_("the image reference \"%s\" contains a space, control or non-ASCII character"),
				bad);
		}

	/* digest */
	at = memchr(s, '@', len);
	name_end = at ? at : s + len;
	if (at) {
		size_t dn = len - (size_t)(at - s) - 1;

		if (!digest_valid(at + 1, dn)) {
			shown(bad, sizeof bad, at + 1, dn);
			return ad_error_set(err, AD_EINVAL,
				_("the digest \"%s\" is not valid (expected sha256: and 64 hex digits)"),
				bad);
		}
		memcpy(out->digest, at + 1, dn);
		out->digest[dn] = '\0';
	}
	if (name_end == s)
		return ad_error_set(err, AD_EINVAL,
			_("the image reference has no repository"));

	/* registry host */
	slash = memchr(s, '/', (size_t)(name_end - s));
	repo = s;
	if (slash) {
		size_t hn = (size_t)(slash - s);

		if (memchr(s, '.', hn) || memchr(s, ':', hn) ||
		    (hn == 9 && memcmp(s, "localhost", 9) == 0) ||
		    s[0] == '[') {
			if (!host_valid(s, hn)) {
				shown(bad, sizeof bad, s, hn);
				return ad_error_set(err, AD_EINVAL,
					_("the registry host \"%s\" is not a valid host name"),
					bad);
			}
			memcpy(out->registry, s, hn);
			out->registry[hn] = '\0';
			repo = slash + 1;
		}
	}
	if (!out->registry[0]) {
		snprintf(out->registry, sizeof out->registry, "docker.io");
		out->registry_implicit = 1;
	}

	/* tag: a ':' after the last '/' of the path */
	colon = NULL;
	for (p = repo; p < name_end; p++) {
		if (*p == '/')
			colon = NULL;
		else if (*p == ':')
			colon = p;
	}
	{
		const char *rend = colon ? colon : name_end;
		size_t rn = (size_t)(rend - repo);
		int prefix = out->registry_implicit && !memchr(repo, '/', rn);

		if (!repo_valid(repo, rn) || rn + (prefix ? 8 : 0) > REPO_MAX) {
			shown(bad, sizeof bad, repo, rn);
			return ad_error_set(err, AD_EINVAL,
				_("the repository name \"%s\" is not valid (lower-case letters, digits, '.', '_', '-' and '/' only)"),
				bad);
		}
		snprintf(out->repository, sizeof out->repository, "%s%.*s",
			 prefix ? "library/" : "", (int)rn, repo);
	}
	if (colon) {
		size_t tn = (size_t)(name_end - colon - 1);

		if (!tag_valid(colon + 1, tn)) {
			shown(bad, sizeof bad, colon + 1, tn);
			return ad_error_set(err, AD_EINVAL,
				_("the tag \"%s\" is not valid (letters, digits, '_', '.', '-', at most 128)"),
				bad);
		}
		memcpy(out->tag, colon + 1, tn);
		out->tag[tn] = '\0';
	} else if (!out->digest[0]) {
		snprintf(out->tag, sizeof out->tag, "latest");
		out->tag_implicit = 1;
	}
	snprintf(out->canonical, sizeof out->canonical, "%s/%s%s%s%s%s",
		 out->registry, out->repository, out->tag[0] ? ":" : "",
		 out->tag, out->digest[0] ? "@" : "", out->digest);
	return 0;
}

const char *image_ref_reference(const struct image_ref *r)
{
	return r->digest[0] ? r->digest : r->tag;
}

void image_norm_arch(const char *arch, char *buf, size_t len)
{
	size_t i = 0;

	if (!len)
		return;
	if (!arch)
		arch = "";
	if (strcasecmp(arch, "x86_64") == 0 || strcasecmp(arch, "x86-64") == 0 ||
	    strcasecmp(arch, "x64") == 0)
		arch = "amd64";
	else if (strcasecmp(arch, "aarch64") == 0)
		arch = "arm64";
	else if (strcasecmp(arch, "i386") == 0 || strcasecmp(arch, "i686") == 0 ||
		 strcasecmp(arch, "x86") == 0)
		arch = "386";
	for (; *arch && i + 1 < len; arch++)
		buf[i++] = isalnum((unsigned char)*arch) ?
			   (char)tolower((unsigned char)*arch) : '_';
	buf[i] = '\0';
}

static void copy_word(char *dst, size_t len, const char *src)
{
	size_t i = 0;

	for (; src && *src && i + 1 < len; src++)
		dst[i++] = isalnum((unsigned char)*src) || strchr("._-", *src) ?
			   (char)tolower((unsigned char)*src) : '_';
	dst[i] = '\0';
}

static void add_platform(struct image_platforms *out, const char *os,
			 const char *arch, const char *variant,
			 const char *os_version, const char *digest)
{
	struct image_platform *pl;

	if (out->n >= IMAGE_MAX_PLATFORMS) {
		out->truncated = 1;
		return;
	}
	pl = &out->p[out->n++];
	memset(pl, 0, sizeof *pl);
	copy_word(pl->os, sizeof pl->os, os ? os : "");
	image_norm_arch(arch, pl->arch, sizeof pl->arch);
	copy_word(pl->variant, sizeof pl->variant, variant);
	copy_word(pl->os_version, sizeof pl->os_version, os_version);
	if (digest && digest_valid(digest, strlen(digest)))
		snprintf(pl->digest, sizeof pl->digest, "%s", digest);
}

static int is_attestation(const cJSON *m)
{
	const cJSON *ann = jsonu_path(m, "annotations");
	const char *t = jsonu_member_str(ann, "vnd.docker.reference.type");
	const char *os = jsonu_str(m, "platform.os");
	const char *arch = jsonu_str(m, "platform.architecture");

	if (t && strcmp(t, "attestation-manifest") == 0)
		return 1;
	return os && arch && strcmp(os, "unknown") == 0 &&
	       strcmp(arch, "unknown") == 0;
}

int image_platforms(struct facts *f, const char *login, const char *repo,
		    const char *ref, struct image_platforms *out, long *status,
		    struct ad_error *err)
{
	const cJSON *list, *m;
	cJSON *man, *cfg;
	const char *cdig;
	long st = 0;
	int rc;

	memset(out, 0, sizeof *out);
	*status = 0;
	rc = reg_manifest(f, login, repo, ref, &st, &man, err);
	*status = st;
	if (rc != 0 || st == 404)
		return rc;
	if (!cJSON_IsObject(man))
		return ad_error_set(err, AD_EPARSE,
			_("the manifest of %s:%s is not a JSON object"), repo, ref);
	list = jsonu_array(man, "manifests");
	if (list) {
		out->is_index = 1;
		cJSON_ArrayForEach(m, list) {
			if (!cJSON_IsObject(m) || is_attestation(m))
				continue;
			add_platform(out, jsonu_str(m, "platform.os"),
				     jsonu_str(m, "platform.architecture"),
				     jsonu_str(m, "platform.variant"),
				     jsonu_member_str(jsonu_path(m, "platform"),
						      "os.version"),
				     jsonu_str(m, "digest"));
		}
		return 0;
	}
	/* Docker schema 1 carries the architecture itself (Linux only). */
	if (cJSON_IsNumber(jsonu_path(man, "schemaVersion")) &&
	    jsonu_path(man, "schemaVersion")->valueint == 1) {
		add_platform(out, "linux", jsonu_str(man, "architecture"), NULL,
			     NULL, NULL);
		return 0;
	}
	cdig = jsonu_str(man, "config.digest");
	if (!cdig || !digest_valid(cdig, strlen(cdig)))
		return ad_error_set(err, AD_EPARSE,
			_("the manifest of %s:%s has neither a platform list nor a config digest"),
			repo, ref);
	rc = reg_blob_json(f, login, repo, cdig, &st, &cfg, err);
	if (rc != 0)
		return rc;
	if (st == 404 || !cJSON_IsObject(cfg))
		return ad_error_set(err, AD_EPARSE,
			_("the image configuration of %s:%s could not be read (HTTP %ld)"),
			repo, ref, st);
	add_platform(out, jsonu_str(cfg, "os"), jsonu_str(cfg, "architecture"),
		     jsonu_str(cfg, "variant"), jsonu_member_str(cfg, "os.version"),
		     NULL);
	return 0;
}

int image_has_platform(const struct image_platforms *p, const char *os,
		       const char *arch)
{
	char a[32];
	int i;

	if (arch)
		image_norm_arch(arch, a, sizeof a);
	for (i = 0; i < p->n; i++) {
		if (os && strcasecmp(p->p[i].os, os) != 0)
			continue;
		if (arch && strcmp(p->p[i].arch, a) != 0)
			continue;
		return 1;
	}
	return 0;
}

void image_platforms_str(const struct image_platforms *p, char *buf,
			 size_t len)
{
	size_t used = 0;
	int i, n;

	if (!len)
		return;
	buf[0] = '\0';
	for (i = 0; i < p->n && used + 1 < len; i++) {
		n = snprintf(buf + used, len - used, "%s%s/%s%s%s", i ? ", " : "",
			     p->p[i].os, p->p[i].arch,
			     p->p[i].variant[0] ? "/" : "", p->p[i].variant);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	if (used >= len)
		buf[len - 1] = '\0';
}
