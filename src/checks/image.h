/* image.h - image references and the platforms an image is built for.
 *
 * image_parse() reads a reference the way container runtimes do
 * ("[host[:port]/]path[:tag][@algo:hex]"), bounded and strict: the parts
 * it returns are safe to put into a registry URL.  image_platforms() asks
 * the registry which os/architecture pairs a reference offers: the
 * platforms of an index (manifest list), or the os/architecture of the
 * config blob of a single manifest. */
#ifndef AD_CHECKS_IMAGE_H
#define AD_CHECKS_IMAGE_H

#include <stddef.h>

struct facts;
struct ad_error;

#define IMAGE_REF_MAX 1024        /* longer input is rejected */

struct image_ref {
	char registry[256];       /* host[:port] as written, "docker.io"
				   * when the reference names none */
	char repository[256];     /* "shop/web" ("library/x" on docker.io) */
	char tag[129];            /* "1.4.2"; "latest" when implicit;
				   * "" when only a digest was given */
	char digest[136];         /* "sha256:<64 hex>" or "" */
	char canonical[IMAGE_REF_MAX]; /* registry/repository[:tag][@digest] */
	int registry_implicit;    /* 1: no host in the input */
	int tag_implicit;         /* 1: neither tag nor digest in the input */
};

/* Parse s into out.  0, or AD_EINVAL with a sentence naming the bad part
 * (input is never echoed unbounded).  out is zeroed first. */
int image_parse(const char *s, struct image_ref *out, struct ad_error *err);

/* The reference to ask the registry for: the digest when there is one,
 * else the tag. */
const char *image_ref_reference(const struct image_ref *r);

/* Normalise an architecture name ("x86_64" -> "amd64", "aarch64" ->
 * "arm64"), lower case, into buf. */
void image_norm_arch(const char *arch, char *buf, size_t len);

#define IMAGE_MAX_PLATFORMS 16

struct image_platform {
	char os[32];              /* "linux", "windows" */
	char arch[32];            /* normalised: "amd64", "arm64", ... */
	char variant[16];         /* "v8", or "" */
	char os_version[48];      /* windows: "10.0.17763.6659", or "" */
	char digest[136];         /* the platform manifest's digest, or "" */
};

struct image_platforms {
	int n;
	struct image_platform p[IMAGE_MAX_PLATFORMS];
	int is_index;             /* 1: an index / manifest list */
	int truncated;            /* 1: more platforms than were kept */
};

/* The platforms of repo:ref at login.  Attestation entries of an index
 * ("unknown/unknown") are skipped.  *status gets the manifest's HTTP
 * status: 404 means the reference does not exist (returns 0, n = 0).
 * Negative AD_E* when the registry could not be read or answered
 * something that is not a manifest (AD_EPARSE). */
int image_platforms(struct facts *f, const char *login, const char *repo,
		    const char *ref, struct image_platforms *out, long *status,
		    struct ad_error *err);

/* 1 when out has a platform with that os (any when os is NULL) and that
 * architecture (any when arch is NULL; compared normalised). */
int image_has_platform(const struct image_platforms *p, const char *os,
		       const char *arch);

/* "linux/amd64, linux/arm64/v8" into buf (bounded). */
void image_platforms_str(const struct image_platforms *p, char *buf,
			 size_t len);

#endif
