/* sshfp.h - SSH key fingerprints as OpenSSH prints them.
 *
 * "SHA256:" followed by the unpadded base64 of the SHA-256 of the key
 * blob (the wire-format public key).  Also the base64 helpers that
 * known_hosts lines need.  No allocation; callers own every buffer. */
#ifndef AD_SSHFP_H
#define AD_SSHFP_H

#include <stddef.h>

#define SSHFP_LEN 52   /* "SHA256:" + 43 characters + NUL, with room */

void sshfp_sha256(const void *data, size_t len, unsigned char out[32]);
/* fp gets "SHA256:...", always NUL-terminated (size >= SSHFP_LEN). */
void sshfp_fingerprint(const void *blob, size_t len, char *fp, size_t size);
/* Base64 without line breaks; pad != 0 adds '='.  Returns the length
 * written (out NUL-terminated), or -1 when out is too small. */
int sshfp_b64_encode(const void *in, size_t len, char *out, size_t size,
		     int pad);
/* Decodes standard base64 (padding optional, no whitespace inside).
 * Returns the decoded length, or -1 on a bad character or a short out. */
int sshfp_b64_decode(const char *in, size_t len, unsigned char *out,
		     size_t size);

#endif
