/* weblog.c - the newest image pull's line in an App Service container
 * log (weblog.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "redact.h"
#include "textw.h"
#include "weblog.h"

/* One line: [s, s + n). */
struct span {
	const char *s;
	size_t n;
};

static int has(const struct span *l, const char *word)
{
	size_t w = strlen(word), i;

	for (i = 0; i + w <= l->n; i++)
		if (strncasecmp(l->s + i, word, w) == 0)
			return 1;
	return 0;
}

/* App Service frames its own lines "<time> ERROR - ..." */
static int is_error(const struct span *l)
{
	return has(l, " ERROR - ") ||
	       (l->n >= 8 && strncmp(l->s, "ERROR - ", 8) == 0);
}

static int is_success(const struct span *l)
{
	return !is_error(l) &&
	       (has(l, "initialized successfully") ||
		has(l, "pull image successful") ||
		has(l, "image pull succeeded"));
}

/* The start of a pull attempt ("Pulling image: X"); the Docker Hub
 * fallback App Service tries after a failure is part of that attempt. */
static int is_start(const struct span *l)
{
	return !is_error(l) && has(l, "pulling image") &&
	       !has(l, "docker hub");
}

/* App Service's own closing words for a failed start: they say that it
 * failed, not why. */
static int is_generic(const struct span *l)
{
	static const char *const words[] = {
		"image pull failed", "pull image failed", "pulling docker image",
		"stopping site", "failed during startup",
		"look for image in docker hub", "container start failed",
	};
	size_t i;

	for (i = 0; i < sizeof words / sizeof words[0]; i++)
		if (has(l, words[i]))
			return 1;
	return 0;
}

/* The lines of log. */
static struct span *split(const char *log, size_t len, size_t *n)
{
	size_t cap = 64, i, start = 0;
	struct span *v = malloc(cap * sizeof *v), *t;

	*n = 0;
	if (!v)
		return NULL;
	for (i = 0; i <= len; i++) {
		if (i < len && log[i] != '\n' && log[i] != '\0')
			continue;
		if (*n == cap) {
			if (!(t = realloc(v, 2 * cap * sizeof *v))) {
				free(v);
				return NULL;
			}
			v = t;
			cap *= 2;
		}
		v[*n].s = log + start;
		v[*n].n = i - start;
		if (v[*n].n && v[*n].s[v[*n].n - 1] == '\r')
			v[*n].n--;
		/* No empty last line for a text ending in a newline. */
		if (i < len || v[*n].n)
			(*n)++;
		start = i + 1;
	}
	return v;
}

/* The line made safe to show, into out. */
static int emit(const struct span *l, char *out, size_t outlen)
{
	char *raw, *clean, *masked;

	if (!(raw = malloc(l->n + 1)))
		return AD_ENOMEM;
	memcpy(raw, l->s, l->n);
	raw[l->n] = '\0';
	/* Escapes first: one could split a secret's key from its value.
	 * Masked before cut: a cut could leave a secret no longer
	 * recognisable. */
	clean = tw_sanitize_dup(raw);
	redact_wipe(raw, l->n);
	free(raw);
	if (!clean)
		return AD_ENOMEM;
	masked = redact_dup(clean);
	redact_wipe(clean, strlen(clean));
	free(clean);
	if (!masked)
		return AD_ENOMEM;
	tw_clip(out, outlen, masked);
	redact_wipe(masked, strlen(masked));
	free(masked);
	return 0;
}

int weblog_pick(const char *log, size_t len, char *out, size_t outlen,
		struct weblog_pick *pick)
{
	struct span *v;
	size_t n, i, last, from;
	int rc = 0;

	memset(pick, 0, sizeof *pick);
	if (outlen)
		out[0] = '\0';
	if (!log || !len)
		return 0;
	if (!(v = split(log, len, &n)))
		return AD_ENOMEM;
	pick->lines = n;
	for (i = n; i > 0; i--)
		if (is_error(&v[i - 1]) || is_success(&v[i - 1]))
			break;
	if (i == 0)
		goto out;
	last = i - 1;
	if (is_success(&v[last])) {
		pick->found = WEBLOG_SUCCESS;
		pick->line = last + 1;
		rc = emit(&v[last], out, outlen);
		goto out;
	}
	/* The failed attempt: back to its start, or to the first of the
	 * error lines that end at last. */
	for (from = last; from > 0 && !is_start(&v[from - 1]) &&
	     !is_success(&v[from - 1]); from--)
		;
	if (!(from > 0 && is_start(&v[from - 1])))
		/* No start line: the error lines that end at last (and
		 * the Docker Hub fallback between them). */
		for (from = last; from > 0 && (is_error(&v[from - 1]) ||
			has(&v[from - 1], "docker hub")); from--)
			;
	/* Its first line that says why; else its last error line. */
	pick->line = last + 1;
	for (i = from; i <= last; i++)
		if (is_error(&v[i]) && !is_generic(&v[i])) {
			pick->line = i + 1;
			break;
		}
	pick->found = WEBLOG_FAILURE;
	rc = emit(&v[pick->line - 1], out, outlen);
out:
	free(v);
	return rc;
}
