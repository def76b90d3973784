/* classify.h - name the cause of an image-pull error message.
 *
 * The text is what a user pastes: a kubelet event, a containerd/CRI-O or
 * Docker daemon error, an App Service container log, a `az aks check-acr`
 * line.  The classifier maps it to one cause of the troubleshooting tree
 * (docs: troubleshooting-tree.md) with an ordered table of general rules,
 * and says which fragment decided, so the wizard can show its reasoning.
 *
 * Cause labels:
 *   "aks.401"        401 / unauthorized: identity, role or pull secret
 *   "aks.401-arch"   401 together with a platform mismatch, or exec format
 *   "aks.notfound"   repository, tag or login server does not exist
 *   "aks.403"        403 / registry firewall denies the client's IP
 *   "aks.timeout"    i/o timeout, deadline exceeded talking to the registry
 *                    (a DNS query that timed out is "other")
 *   "aks.platform"   no image for the node's OS/architecture
 *   "aks.qps"        kubelet pull QPS exceeded
 *   "webapp.unauthorized", "webapp.manifest-unknown", "webapp.ip-denied"
 *                    the same three in an App Service log
 *   "other"          anything else; note names it (x509, rate limit...)
 *
 * Some wordings fit two causes: many registries answer "denied" or
 * "unauthorized" both for a repository that does not exist and for one
 * the caller may not read.  Then cause is the more likely one and
 * alternatives names the others; the checks decide between them. */
#ifndef AD_CLASSIFY_H
#define AD_CLASSIFY_H

#include <stddef.h>

#define CLASSIFY_MAX_ALT 3

struct classify_result {
	const char *cause;      /* static label (see above); never NULL */
	char evidence[512];     /* deciding fragment(s): printable UTF-8, no
				 * control characters, secrets masked */
	const char *rule;       /* static name of the deciding rule */
	char registry[256];     /* login server found in the text, or "" */
	char image[512];        /* image reference found in the text, or "" */
	char note[256];         /* English hint when cause is "other", or "" */
	char client_ip[16];     /* the IPv4 address the registry saw, from
				 * ACR's firewall wording ("client with IP
				 * '20.50.60.70' is not allowed access"),
				 * dotted quad; "" when none */
	const char *alternatives[CLASSIFY_MAX_ALT];
				/* other causes the wording also fits, most
				 * likely first (static labels, never "other"
				 * nor cause); nalt of them are set */
	size_t nalt;
};

/* Classify len bytes of text (any bytes: NULs, invalid UTF-8, binary).
 * Work and memory are bounded: at most the first and the last 64 KiB are
 * read.  Returns 0, AD_EINVAL when text or out is NULL, or AD_ENOMEM
 * (out then says "other").  Never prints. */
int classify_message(const char *text, size_t len,
		     struct classify_result *out);

#endif
