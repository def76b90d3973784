/* fuzz_classify.c - libFuzzer harness for the classifier and the secret
 * masking it shares with every output path.  Any bytes in; the result's
 * fields must be clean UTF-8 within their buffers, the cause one of the
 * documented labels, and no text the input marks as a secret may come
 * back. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "fuzz_util.h"
#include "redact.h"

static const char *const causes[] = {
	"aks.401", "aks.401-arch", "aks.notfound", "aks.403", "aks.timeout",
	"aks.platform", "aks.qps", "webapp.unauthorized",
	"webapp.manifest-unknown", "webapp.ip-denied", "other", NULL
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct classify_result r;
	const char *const *c;
	char *masked;
	size_t n;

	if (classify_message((const char *)data, size, &r) != 0)
		return 0;
	for (c = causes; *c && strcmp(*c, r.cause) != 0; c++)
		;
	if (!*c || !r.rule) {
		fprintf(stderr, "unknown cause %s\n", r.cause);
		abort();
	}
	fuzz_field("evidence", r.evidence, sizeof r.evidence);
	fuzz_field("registry", r.registry, sizeof r.registry);
	fuzz_field("image", r.image, sizeof r.image);
	fuzz_field("note", r.note, sizeof r.note);
	/* a key naming a secret is never shown with its value */
	if (strstr(r.evidence, "password=S3cr3tFUZZ") ||
	    strstr(r.evidence, "AccountKey=S3cr3tFUZZ") ||
	    strstr(r.evidence, " login -p S3cr3tFUZZ") ||
	    strstr(r.image, "password=S3cr3tFUZZ")) {
		fprintf(stderr, "a secret shows: %s\n", r.evidence);
		abort();
	}
	/* the masking alone: bounded, NUL-terminated, never grows past its
	 * documented room */
	masked = malloc(REDACT_ROOM(size));
	if (!masked)
		return 0;
	n = redact_mem((const char *)data, size, masked);
	if (n >= REDACT_ROOM(size) || masked[n] != '\0')
		abort();
	free(masked);
	return 0;
}
