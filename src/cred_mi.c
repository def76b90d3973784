/* cred_mi.c - managed identity: the App Service identity endpoint
 * (IDENTITY_ENDPOINT + IDENTITY_HEADER) or the instance metadata
 * service, asked with a short timeout because off Azure nothing
 * answers there. */
#include "config.h"

#include <stdio.h>
#include <string.h>

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

static int get(struct cred *c, const char *url, const struct http_header *h,
	       long timeout_ms, struct http_response *resp,
	       struct ad_error *err)
{
	struct http_request req;

	memset(&req, 0, sizeof req);
	req.method = "GET";
	req.url = url;
	req.accept = "application/json";
	req.headers = h;
	req.nheaders = 1;
	req.timeout_ms = timeout_ms;
	req.auth_label = "managed identity";
	return http_send(c->http, &req, resp, err);
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

int cred_fetch_managed(struct cred *c, const char *resource,
		       struct cred_got *g, struct ad_error *err)
{
	if (c->identity_endpoint && c->identity_header)
		return app_service(c, resource, g, err);
	return imds(c, resource, g, err);
}
