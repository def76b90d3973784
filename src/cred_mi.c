/* cred_mi.c - managed identity: the App Service identity endpoint
 * (IDENTITY_ENDPOINT + IDENTITY_HEADER) or the instance metadata
 * service, asked with a short timeout because off Azure nothing
 * answers there. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cred_priv.h"
#include "err.h"
#include "http.h"
#include "i18n.h"

#define IMDS_DEFAULT "http://169.254.169.254"

/* http:// or https:// with printable characters only, bounded. */
static int endpoint_ok(const char *u)
{
	size_t i, n = u ? strlen(u) : 0;

	if (n == 0 || n >= CLOUD_URL_MAX ||
	    (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0))
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)u[i] <= ' ' || (unsigned char)u[i] >= 0x7f ||
		    u[i] == '#')
			return 0;
	return 1;
}

static int get_n(struct cred *c, const char *url,
		 const struct http_header *h, size_t nh, long timeout_ms,
		 struct http_response *resp, struct ad_error *err)
{
	struct http_request req;

	memset(&req, 0, sizeof req);
	req.method = "GET";
	req.url = url;
	req.accept = "application/json";
	req.headers = h;
	req.nheaders = nh;
	req.timeout_ms = timeout_ms;
	req.auth_label = "managed identity";
	return http_send(c->http, &req, resp, err);
}

static int get(struct cred *c, const char *url, const struct http_header *h,
	       long timeout_ms, struct http_response *resp,
	       struct ad_error *err)
{
	return get_n(c, url, h, 1, timeout_ms, resp, err);
}

static int app_service(struct cred *c, const char *resource,
		       struct cred_got *g, struct ad_error *err)
{
	const char *what = _("managed identity");
	struct http_header h = { (char *)"X-IDENTITY-HEADER",
				 c->identity_header };
	const char *secrets[2] = { c->identity_header, NULL };
	struct http_response resp;
	struct sbuf url = { 0 };
	char why[sizeof ((struct ad_error *)0)->msg];
	int rc;

	if (!endpoint_ok(c->identity_endpoint))
		return ad_error_set(err, AD_EINVAL,
				    _("%s: IDENTITY_ENDPOINT must be an http:// "
				      "or https:// URL"), what);
	sb_add(&url, c->identity_endpoint);
	sb_add(&url, strchr(c->identity_endpoint, '?') ? "&" : "?");
	sb_add(&url, "api-version=2019-08-01&resource=");
	sb_addenc(&url, resource);
	if (c->client_id) {
		sb_add(&url, "&client_id=");
		sb_addenc(&url, c->client_id);
	}
	if (url.oom) {
		sb_free(&url);
		return ad_error_set(err, AD_ENOMEM, _("out of memory"));
	}
	rc = get(c, url.p, &h, 0, &resp, err);
	sb_free(&url);
	if (rc < 0) {
		enum ad_net net = err ? err->net : AD_NET_NONE;

		snprintf(why, sizeof why, "%s", err ? err->msg : "");
		ad_error_set(err, rc, _("%s: the identity endpoint %s did not "
					"answer: %s"), what,
			     c->identity_endpoint, why);
		ad_error_net(err, net);
		return rc;
	}
	if (resp.status == 200)
		rc = cred_parse_token(resp.body, resp.body_len, cred_now(c), g,
				      err);
	else
		rc = cred_entra_error(c, &resp, what, secrets, err);
	if (resp.body)
		cred_wipe(resp.body, resp.body_len);
	http_response_clear(&resp);
	return rc;
}

static int imds(struct cred *c, const char *resource, struct cred_got *g,
		struct ad_error *err)
{
	const char *base = c->imds_host ? c->imds_host : IMDS_DEFAULT;
	struct http_header h = { (char *)"Metadata", (char *)"true" };
	struct http_response resp;
	struct sbuf url = { 0 };
	struct ad_error e2;
	char clean[160];
	int rc;

	if (!endpoint_ok(base))
		return cred_unavailable(c, CRED_SRC_MANAGED,
					_("AZURE_POD_IDENTITY_AUTHORITY_HOST is "
					  "not an http:// or https:// URL"));
	sb_add(&url, base);
	while (url.n && url.p[url.n - 1] == '/')
		url.p[--url.n] = '\0';
	sb_add(&url, "/metadata/identity/oauth2/token"
	       "?api-version=2018-02-01&resource=");
	sb_addenc(&url, resource);
	if (c->client_id) {
		sb_add(&url, "&client_id=");
		sb_addenc(&url, c->client_id);
	}
	if (url.oom) {
		sb_free(&url);
		return ad_error_set(err, AD_ENOMEM, _("out of memory"));
	}
	memset(&e2, 0, sizeof e2);
	rc = get(c, url.p, &h, c->imds_timeout_ms, &resp, &e2);
	sb_free(&url);
	if (rc < 0) {
		if (rc == AD_ECANCEL)
			return ad_error_set(err, AD_ECANCEL, _("cancelled"));
		/* Off Azure: nothing answers.  Not an error, the next one. */
		return cred_unavailable(c, CRED_SRC_MANAGED,
					_("no instance metadata service "
					  "answered at %s (%s)"), base,
					ad_net_str(e2.net));
	}
	if (resp.status == 200) {
		/* Something else may answer there (a proxy, a local web
		 * server): without a token it is not a metadata service. */
		if (cred_parse_token(resp.body, resp.body_len, cred_now(c), g,
				     &e2) < 0)
			rc = cred_unavailable(c, CRED_SRC_MANAGED,
					      _("%s answered without a token"),
					      base);
	} else {
		/* 400 "Identity not found": the VM has no identity (or not
		 * the one AZURE_CLIENT_ID names). */
		struct ad_error e3;

		memset(&e3, 0, sizeof e3);
		cred_entra_error(c, &resp, "imds", NULL, &e3);
		cred_sanitize(e3.msg, NULL, clean, sizeof clean);
		rc = cred_unavailable(c, CRED_SRC_MANAGED,
				      _("the instance metadata service at %s "
					"gave no token (HTTP %ld): %s"), base,
				      resp.status, clean);
	}
	if (resp.body)
		cred_wipe(resp.body, resp.body_len);
	http_response_clear(&resp);
	return rc;
}

/* Azure Arc's challenge: 401 with `Basic realm=<file>`; the file, which
 * only a local administrator or the agent can read, holds the secret.
 * The name comes from the network, so it must be a plain "<name>.key"
 * directly in the agent's directory. */
static char *arc_secret(struct cred *c, const char *challenge,
			const char *what, struct ad_error *err)
{
	const char *p = challenge, *name;
	char path[512], *buf;
	struct stat st;
	size_t n, dl = strlen(c->arc_key_dir);
	FILE *f;

	if (!p || strncasecmp(p, "Basic realm=", 12) != 0) {
		ad_error_set(err, AD_EHTTP,
			     _("%s: the Azure Arc identity endpoint sent no key "
			       "file challenge"), what);
		return NULL;
	}
	p += 12;
	n = strlen(p);
	if (n >= 2 && p[0] == '"' && p[n - 1] == '"') {
		p++;
		n -= 2;
	}
	if (n >= sizeof path || n < dl + 6 ||
	    strncmp(p, c->arc_key_dir, dl) != 0 || p[dl] != '/') {
		p = NULL;
	} else {
		memcpy(path, p + dl + 1, n - dl - 1);
		path[n - dl - 1] = '\0';
		if (!cred_name_ok(path, "-_.", 128) || strstr(path, "..") ||
		    strcmp(path + strlen(path) - 4, ".key") != 0)
			p = NULL;
	}
	if (!p) {
		ad_error_set(err, AD_EDENIED,
			     _("%s: the Azure Arc identity endpoint named a key "
			       "file outside %s; refused"), what, c->arc_key_dir);
		return NULL;
	}
	memcpy(path, p, n);
	path[n] = '\0';
	name = path;
	f = fopen(name, "rbe");
	if (!f || fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size <= 0 || st.st_size > 4096 ||
	    !(buf = calloc(1, (size_t)st.st_size + 1))) {
		if (f)
			fclose(f);
		ad_error_set(err, AD_EDENIED,
			     _("%s: cannot read the Azure Arc key file %s "
			       "(it needs a local administrator or the "
			       "himds group)"), what, name);
		return NULL;
	}
	n = fread(buf, 1, (size_t)st.st_size, f);
	fclose(f);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return buf;
}

static int arc(struct cred *c, const char *resource, struct cred_got *g,
	       struct ad_error *err)
{
	const char *what = _("managed identity");
	struct http_header h[2] = {
		{ (char *)"Metadata", (char *)"true" },
		{ (char *)"Authorization", NULL },
	};
	struct http_response resp;
	struct sbuf url = { 0 }, auth = { 0 };
	const char *secrets[2] = { NULL, NULL };
	char *key = NULL;
	int rc;

	if (!endpoint_ok(c->identity_endpoint))
		return ad_error_set(err, AD_EINVAL,
				    _("%s: IDENTITY_ENDPOINT must be an http:// "
				      "or https:// URL"), what);
	sb_add(&url, c->identity_endpoint);
	sb_add(&url, strchr(c->identity_endpoint, '?') ? "&" : "?");
	sb_add(&url, "api-version=2020-06-01&resource=");
	sb_addenc(&url, resource);
	if (url.oom) {
		sb_free(&url);
		return ad_error_set(err, AD_ENOMEM, _("out of memory"));
	}
	rc = get(c, url.p, h, 0, &resp, err);
	if (rc < 0)
		goto out;
	if (resp.status != 401) {
		rc = resp.status == 200 ?
		     cred_parse_token(resp.body, resp.body_len, cred_now(c), g,
				      err) :
		     cred_entra_error(c, &resp, what, secrets, err);
		goto out;
	}
	key = arc_secret(c, http_response_header(&resp, "WWW-Authenticate"),
			 what, err);
	http_response_clear(&resp);
	if (!key) {
		rc = err ? err->code : AD_EDENIED;
		goto out;
	}
	sb_add(&auth, "Basic ");
	sb_add(&auth, key);
	if (auth.oom) {
		rc = ad_error_set(err, AD_ENOMEM, _("out of memory"));
		goto out;
	}
	h[1].value = auth.p;
	secrets[0] = key;
	rc = get_n(c, url.p, h, 2, 0, &resp, err);
	if (rc < 0)
		goto out;
	if (resp.status == 200)
		rc = cred_parse_token(resp.body, resp.body_len, cred_now(c), g,
				      err);
	else
		rc = cred_entra_error(c, &resp, what, secrets, err);
out:
	if (resp.body)
		cred_wipe(resp.body, resp.body_len);
	http_response_clear(&resp);
	if (key) {
		cred_wipe(key, strlen(key));
		free(key);
	}
	sb_free(&auth);
	sb_free(&url);
	return rc;
}

int cred_fetch_managed(struct cred *c, const char *resource,
		       struct cred_got *g, struct ad_error *err)
{
	if (c->identity_endpoint && c->identity_header)
		return app_service(c, resource, g, err);
	if (c->identity_endpoint && c->imds_endpoint)
		return arc(c, resource, g, err);
	return imds(c, resource, g, err);
}
