/* redact.h - mask secrets in text by their shape.
 *
 * The one place that decides what of a text is a secret.  Everything that
 * may quote a pasted message, a server's answer or a command line (the
 * classifier, check evidence, the report, the wizard, a debug log of
 * HTTP exchanges) passes the text through here before anyone sees it.
 *
 * Masked, the value replaced by "***", what names it kept:
 *   - an option that takes a secret: --password VALUE, --client-secret
 *     VALUE, --docker-password=VALUE, ... (any long option whose name ends
 *     in password, secret, token, key, ...), and -p VALUE in a login
 *     command (docker/az acr/helm/podman login, az login -u ... -p ...);
 *   - key=value, "key": "value" and key: value whose key names a secret
 *     (password, client_secret, AccountKey, SharedAccessSignature, sig,
 *     access_token, ...): connection strings, query strings, JSON, YAML;
 *   - Authorization: <scheme> X, Bearer X, Basic X (when X is base64 of
 *     "user:password"), JSON Web Tokens (eyJ...), the password of URL
 *     user info (https://user:X@host), PEM private key blocks.
 * A Bearer challenge ("Bearer realm=...") is not a secret and stays.
 *
 * Input is any bytes; the output keeps every byte that is not masked, so
 * callers sanitize for the terminal separately (textw.h). */
#ifndef AD_REDACT_H
#define AD_REDACT_H

#include <stddef.h>

#define REDACT_MASK "***"

/* Bytes the masked form of n bytes may need, NUL included: a mask writes
 * three bytes where it removed at least one after a key of two or more. */
#define REDACT_ROOM(n) (2 * (size_t)(n) + 4)

/* Mask s (n bytes, NULs allowed) into out, which has REDACT_ROOM(n)
 * bytes.  out is NUL-terminated; returns its length. */
size_t redact_mem(const char *s, size_t n, char *out);

/* The masked copy of a NUL-terminated string (free() it); NULL when s is
 * NULL or out of memory. */
char *redact_dup(const char *s);

/* Mask the NUL-terminated string in buf (size bytes of room) in place.
 * When the masked form is longer than the room, its end is cut on a
 * UTF-8 character boundary (never leaving part of a secret).  Returns
 * the new length. */
size_t redact_text(char *buf, size_t size);

/* 1 when HTTP header name carries a credential by itself
 * (Authorization, Proxy-Authorization, Cookie, x-ms-*-key, api-key,
 * Ocp-Apim-Subscription-Key, *token*, *secret*, *password*...). */
int redact_header_secret(const char *name);

/* The value of HTTP header name as it may be logged, into out (len bytes,
 * always NUL-terminated): for an Authorization header the scheme and
 * "***" ("Bearer ***"), for another credential header "***", otherwise
 * the value through redact_mem().  Returns 1 when something was masked,
 * 0 otherwise. */
int redact_header(const char *name, const char *value, char *out,
		  size_t len);

/* Overwrite n bytes at p with zeros in a way the compiler keeps: for
 * buffers that held a secret. */
void redact_wipe(void *p, size_t n);

#endif
