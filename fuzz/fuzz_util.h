/* fuzz_util.h - what the fuzz harnesses require of every output field:
 * NUL-terminated within its buffer, valid UTF-8, no control character
 * (tw_utf8_is_clean).  A violation aborts, which libFuzzer reports with
 * the input that caused it. */
#ifndef AD_FUZZ_UTIL_H
#define AD_FUZZ_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "textw.h"

static void fuzz_fail(const char *what, const char *s)
{
	fprintf(stderr, "output field %s is not clean UTF-8: \"", what);
	for (; s && *s; s++)
		fprintf(stderr, (unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e ?
			"\\x%02x" : "%c", (unsigned char)*s);
	fprintf(stderr, "\"\n");
	abort();
}

/* A fixed buffer of len bytes holding a clean string. */
static void fuzz_field(const char *what, const char *buf, size_t len)
{
	if (!memchr(buf, '\0', len)) {
		fprintf(stderr, "output field %s is not NUL-terminated\n", what);
		abort();
	}
	if (!tw_utf8_is_clean(buf))
		fuzz_fail(what, buf);
}

/* Every string (values and keys) of a JSON tree. */
static void fuzz_json(const char *what, const cJSON *v)
{
	for (; v; v = v->next) {
		if (v->string && !tw_utf8_is_clean(v->string))
			fuzz_fail(what, v->string);
		if (cJSON_IsString(v) && !tw_utf8_is_clean(v->valuestring))
			fuzz_fail(what, v->valuestring);
		fuzz_json(what, v->child);
	}
}

#endif
