/* cred_entra.c - the sources that talk to Entra ID's token endpoint:
 * service principal (secret or certificate), workload identity
 * (federated token as client assertion) and device-code sign-in. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "cred_priv.h"
#include "err.h"
#include "http.h"
#include "i18n.h"
#include "jsonu.h"

#define FORM "application/x-www-form-urlencoded"
#define ASSERTION_TYPE "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
/* The Azure CLI's public client: device-code sign-in as `az login
 * --use-device-code` does. */
#define AZ_CLI_CLIENT_ID "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
#define FILE_MAX (1024 * 1024)

/* Tenant: a GUID or a domain name; client id: a GUID (bounded). */
static int ids_ok(struct cred *c, const char *what, struct ad_error *err)
{
	if (!cred_name_ok(c->tenant, ".-", 128))
		return ad_error_set(err, AD_EINVAL,
				    _("%s: AZURE_TENANT_ID must be a tenant id "
				      "or domain name"), what);
	if (!cred_name_ok(c->client_id, "-", 64))
		return ad_error_set(err, AD_EINVAL,
				    _("%s: AZURE_CLIENT_ID must be an "
				      "application (client) id"), what);
	return 0;
}

/* authority/tenant/oauth2/v2.0/<leaf> */
static void endpoint(struct cred *c, const char *tenant, const char *leaf,
		     struct sbuf *b)
{
	sb_add(b, c->authority);
	sb_add(b, "/");
	sb_add(b, tenant);
	sb_add(b, "/oauth2/v2.0/");
	sb_add(b, leaf);
}

/* A transport failure: say which endpoint, keep the kind. */
static int unreachable(struct ad_error *err, const char *what,
		       const char *host)
{
	enum ad_net net = err ? err->net : AD_NET_NONE;
	int code = err ? err->code : AD_EIO;
	char why[sizeof ((struct ad_error *)0)->msg];

	snprintf(why, sizeof why, "%s", err ? err->msg : "");
	ad_error_set(err, code ? code : AD_EIO,
		     _("%s: cannot reach Entra ID at %s: %s"), what, host, why);
	ad_error_net(err, net);
	return code ? code : AD_EIO;
}

static int post_form(struct cred *c, const char *url, const char *body,
		     const char *what, struct http_response *resp,
		     struct ad_error *err)
{
	struct http_request req;

	memset(&req, 0, sizeof req);
	req.method = "POST";
	req.url = url;
	req.body = body;
	req.content_type = FORM;
	req.accept = "application/json";
	req.auth_label = what;
	if (http_send(c->http, &req, resp, err) < 0)
		return unreachable(err, what, c->authority);
	return 0;
}

/* POST a token request; the answer into g, or an error naming what. */
static int token_post(struct cred *c, const char *url, const char *body,
		      const char *what, const char *const *secrets,
		      struct cred_got *g, struct ad_error *err)
{
	struct http_response resp;
	int rc;

	rc = post_form(c, url, body, what, &resp, err);
	if (rc < 0)
		return rc;
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

/* ---- client assertion from a certificate ------------------------------ */

static void b64url(struct sbuf *b, const unsigned char *in, size_t n)
{
	unsigned char *tmp;
	int k, i;

	tmp = malloc(4 * ((n + 2) / 3) + 1);
	if (!tmp) {
		b->oom = 1;
		return;
	}
	k = EVP_EncodeBlock(tmp, in, (int)n);
	for (i = 0; i < k && tmp[i] != '='; i++)
		if (tmp[i] == '+')
			tmp[i] = '-';
		else if (tmp[i] == '/')
			tmp[i] = '_';
	sb_addn(b, (const char *)tmp, (size_t)i);
	cred_wipe(tmp, (size_t)k);
	free(tmp);
}

static int pass_cb(char *buf, int size, int rwflag, void *u)
{
	size_t n;

	(void)rwflag;
	if (!u || size <= 0)
		return 0;      /* never prompt on the terminal */
	n = strlen(u);
	if (n > (size_t)size)
		n = (size_t)size;
	memcpy(buf, u, n);
	return (int)n;
}

/* Read at most FILE_MAX bytes of path into a malloc'd NUL-terminated
 * buffer.  0, or -1 with errno-ish reason in why. */
static char *read_file(const char *path, size_t *len, int *too_big)
{
	FILE *f = fopen(path, "rbe");
	char *buf;
	size_t n;

	*too_big = 0;
	if (!f)
		return NULL;
	buf = malloc(FILE_MAX + 1);
	if (!buf) {
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, FILE_MAX + 1, f);
	if (ferror(f) || n > FILE_MAX) {
		*too_big = n > FILE_MAX;
		cred_wipe(buf, n > FILE_MAX ? FILE_MAX + 1 : n);
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int cert_error(struct ad_error *err, const char *what, const char *why)
{
	ERR_clear_error();
	return ad_error_set(err, AD_EINVAL,
			    _("%s: AZURE_CLIENT_CERTIFICATE_PATH: %s"), what,
			    why);
}

/* An RS256 JWT signed with the certificate's key, for aud. */
static int make_assertion(struct cred *c, const char *aud, const char *what,
			  struct sbuf *out, struct ad_error *err)
{
	char *pem = NULL, payload[1024], jti[33];
	unsigned char sha1[EVP_MAX_MD_SIZE], sha256[EVP_MAX_MD_SIZE];
	unsigned char rnd[16], *der = NULL, *sig = NULL;
	unsigned int l1 = 0, l256 = 0;
	size_t plen = 0, siglen = 0;
	struct sbuf hdr = { 0 }, in = { 0 };
	EVP_MD_CTX *md = NULL;
	EVP_PKEY *key = NULL;
	X509 *x = NULL;
	BIO *bio = NULL;
	time_t now = cred_now(c);
	int too_big, dl, i, rc = 0;

	pem = read_file(c->cert_path, &plen, &too_big);
	if (!pem)
		return cert_error(err, what, too_big ?
				  _("the file is too large") :
				  _("cannot read the file"));
	if (!(bio = BIO_new_mem_buf(pem, (int)plen)) ||
	    !(x = PEM_read_bio_X509(bio, NULL, pass_cb, NULL))) {
		rc = cert_error(err, what, _("no PEM certificate in the file"));
		goto out;
	}
	BIO_free(bio);
	if (!(bio = BIO_new_mem_buf(pem, (int)plen)) ||
	    !(key = PEM_read_bio_PrivateKey(bio, NULL, pass_cb,
					    c->cert_pass))) {
		rc = cert_error(err, what,
				_("no private key in the file, or "
				  "AZURE_CLIENT_CERTIFICATE_PASSWORD does not "
				  "open it"));
		goto out;
	}
	if (EVP_PKEY_base_id(key) != EVP_PKEY_RSA) {
		rc = cert_error(err, what, _("the key must be an RSA key"));
		goto out;
	}
	if (X509_check_private_key(x, key) != 1) {
		rc = cert_error(err, what,
				_("the private key does not belong to the "
				  "certificate"));
		goto out;
	}
	if (X509_cmp_time(X509_get0_notAfter(x), &now) < 0) {
		rc = cert_error(err, what, _("the certificate has expired"));
		goto out;
	}
	dl = i2d_X509(x, &der);
	if (dl <= 0 || !EVP_Digest(der, (size_t)dl, sha1, &l1, EVP_sha1(), NULL) ||
	    !EVP_Digest(der, (size_t)dl, sha256, &l256, EVP_sha256(), NULL) ||
	    RAND_bytes(rnd, sizeof rnd) != 1) {
		rc = cert_error(err, what, _("cannot hash the certificate"));
		goto out;
	}
	for (i = 0; i < 16; i++)
		snprintf(jti + 2 * i, 3, "%02x", rnd[i]);
	sb_add(&hdr, "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"x5t\":\"");
	b64url(&hdr, sha1, l1);
	sb_add(&hdr, "\",\"x5t#S256\":\"");
	b64url(&hdr, sha256, l256);
	sb_add(&hdr, "\"}");
	snprintf(payload, sizeof payload,
		 "{\"aud\":\"%s\",\"iss\":\"%s\",\"sub\":\"%s\",\"jti\":\"%s\","
		 "\"nbf\":%lld,\"iat\":%lld,\"exp\":%lld}",
		 aud, c->client_id, c->client_id, jti, (long long)now,
		 (long long)now, (long long)now + 600);
	if (hdr.oom) {
		rc = ad_error_set(err, AD_ENOMEM, _("out of memory"));
		goto out;
	}
	b64url(&in, (const unsigned char *)hdr.p, hdr.n);
	sb_add(&in, ".");
	b64url(&in, (const unsigned char *)payload, strlen(payload));
	if (in.oom || !(md = EVP_MD_CTX_new()) ||
	    EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(md, NULL, &siglen, (unsigned char *)in.p, in.n) != 1 ||
	    !(sig = malloc(siglen)) ||
	    EVP_DigestSign(md, sig, &siglen, (unsigned char *)in.p, in.n) != 1) {
		rc = cert_error(err, what, _("cannot sign the client assertion"));
		goto out;
	}
	sb_addn(out, in.p, in.n);
	sb_add(out, ".");
	b64url(out, sig, siglen);
	if (out->oom)
		rc = ad_error_set(err, AD_ENOMEM, _("out of memory"));
out:
	ERR_clear_error();
	free(sig);
	EVP_MD_CTX_free(md);
	OPENSSL_free(der);
	EVP_PKEY_free(key);
	X509_free(x);
	BIO_free(bio);
	if (pem) {
		cred_wipe(pem, plen);
		free(pem);
	}
	sb_free(&hdr);
	sb_free(&in);
	return rc;
}

/* ---- environment service principal ------------------------------------ */

int cred_fetch_env(struct cred *c, const char *resource, struct cred_got *g,
		   struct ad_error *err)
{
	const char *what = _("environment (service principal)");
	struct sbuf url = { 0 }, body = { 0 }, as = { 0 };
	const char *secrets[3] = { NULL, NULL, NULL };
	int rc;

	if (!c->tenant || !c->client_id ||
	    (!c->client_secret && !c->cert_path)) {
		struct sbuf m = { 0 };

		if (!c->tenant)
			sb_add(&m, "AZURE_TENANT_ID");
		if (!c->client_id)
			sb_add(&m, m.n ? ", AZURE_CLIENT_ID" : "AZURE_CLIENT_ID");
		if (!c->client_secret && !c->cert_path)
			sb_add(&m, m.n ? ", AZURE_CLIENT_SECRET or "
			       "AZURE_CLIENT_CERTIFICATE_PATH" :
			       "AZURE_CLIENT_SECRET or "
			       "AZURE_CLIENT_CERTIFICATE_PATH");
		rc = cred_unavailable(c, CRED_SRC_ENV, _("%s not set"),
				      m.p ? m.p : "");
		sb_free(&m);
		return rc;
	}
	if ((rc = ids_ok(c, what, err)) < 0)
		return rc;
	endpoint(c, c->tenant, "token", &url);
	sb_add(&body, "grant_type=client_credentials&client_id=");
	sb_addenc(&body, c->client_id);
	sb_add(&body, "&scope=");
	{
		struct sbuf sc = { 0 };

		cred_scope(&sc, resource);
		sb_addenc(&body, sc.p ? sc.p : "");
		sb_free(&sc);
	}
	if (c->client_secret) {
		sb_add(&body, "&client_secret=");
		sb_addenc(&body, c->client_secret);
		secrets[0] = c->client_secret;
	} else {
		if (!url.p)
			goto oom;
		rc = make_assertion(c, url.p, what, &as, err);
		if (rc < 0)
			goto out;
		sb_add(&body, "&client_assertion_type=");
		sb_addenc(&body, ASSERTION_TYPE);
		sb_add(&body, "&client_assertion=");
		sb_add(&body, as.p);
		secrets[0] = as.p;
	}
	if (url.oom || body.oom)
		goto oom;
	rc = token_post(c, url.p, body.p, what, secrets, g, err);
	goto out;
oom:
	rc = ad_error_set(err, AD_ENOMEM, _("out of memory"));
out:
	sb_free(&url);
	sb_free(&body);
	sb_free(&as);
	return rc;
}

/* ---- workload identity ------------------------------------------------ */

int cred_fetch_workload(struct cred *c, const char *resource,
			struct cred_got *g, struct ad_error *err)
{
	const char *what = _("workload identity");
	struct sbuf url = { 0 }, body = { 0 }, sc = { 0 };
	const char *secrets[2] = { NULL, NULL };
	char *tok;
	size_t n = 0;
	int too_big, rc;

	if (!c->fed_file)
		return cred_unavailable(c, CRED_SRC_WORKLOAD,
					_("%s not set"),
					"AZURE_FEDERATED_TOKEN_FILE");
	if (!c->tenant || !c->client_id)
		return cred_unavailable(c, CRED_SRC_WORKLOAD, _("%s not set"),
					!c->tenant ? "AZURE_TENANT_ID" :
					"AZURE_CLIENT_ID");
	if ((rc = ids_ok(c, what, err)) < 0)
		return rc;
	/* Read every time: the kubelet rotates the projected token. */
	tok = read_file(c->fed_file, &n, &too_big);
	if (!tok)
		return ad_error_set(err, AD_EIO,
				    _("%s: cannot read AZURE_FEDERATED_TOKEN_FILE "
				      "%s"), what, c->fed_file);
	while (n > 0 && (tok[n - 1] == '\n' || tok[n - 1] == '\r' ||
			 tok[n - 1] == ' '))
		tok[--n] = '\0';
	if (n == 0 || strspn(tok, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
			     "qrstuvwxyz0123456789-_.") != n) {
		rc = ad_error_set(err, AD_EINVAL,
				  _("%s: AZURE_FEDERATED_TOKEN_FILE %s does not "
				    "hold a token"), what, c->fed_file);
		goto out;
	}
	secrets[0] = tok;
	endpoint(c, c->tenant, "token", &url);
	cred_scope(&sc, resource);
	sb_add(&body, "grant_type=client_credentials&client_id=");
	sb_addenc(&body, c->client_id);
	sb_add(&body, "&scope=");
	sb_addenc(&body, sc.p ? sc.p : "");
	sb_add(&body, "&client_assertion_type=");
	sb_addenc(&body, ASSERTION_TYPE);
	sb_add(&body, "&client_assertion=");
	sb_add(&body, tok);
	if (url.oom || body.oom || sc.oom)
		rc = ad_error_set(err, AD_ENOMEM, _("out of memory"));
	else
		rc = token_post(c, url.p, body.p, what, secrets, g, err);
out:
	cred_wipe(tok, n);
	free(tok);
	sb_free(&url);
	sb_free(&body);
	sb_free(&sc);
	return rc;
}

/* ---- device code ------------------------------------------------------ */

static void sleep_ms(struct cred *c, int ms)
{
	struct timespec ts;

	if (c->sleep_ms) {
		c->sleep_ms(c->clock_arg, ms);
		return;
	}
	/* In slices, so a cancel is noticed within 100 ms. */
	while (ms > 0 && !(ad_cancelled(c->cancel))) {
		int step = ms > 100 ? 100 : ms;

		ts.tv_sec = 0;
		ts.tv_nsec = (long)step * 1000000L;
		nanosleep(&ts, NULL);
		ms -= step;
	}
}

/* Use the refresh token of an earlier sign-in for another audience. */
static int device_refresh(struct cred *c, const char *tenant,
			  const char *resource, const char *what,
			  struct cred_got *g, struct ad_error *err)
{
	struct sbuf url = { 0 }, body = { 0 }, sc = { 0 };
	const char *secrets[2] = { c->refresh_token, NULL };
	int rc;

	endpoint(c, tenant, "token", &url);
	cred_scope(&sc, resource);
	sb_add(&body, "grant_type=refresh_token&client_id=" AZ_CLI_CLIENT_ID
	       "&scope=");
	sb_addenc(&body, sc.p ? sc.p : "");
	sb_addenc(&body, " offline_access");
	sb_add(&body, "&refresh_token=");
	sb_addenc(&body, c->refresh_token);
	if (url.oom || body.oom || sc.oom)
		rc = ad_error_set(err, AD_ENOMEM, _("out of memory"));
	else
		rc = token_post(c, url.p, body.p, what, secrets, g, err);
	sb_free(&url);
	sb_free(&body);
	sb_free(&sc);
	return rc;
}

/* Keep the refresh token of a successful device-code answer. */
static void keep_refresh(struct cred *c, const struct http_response *r)
{
	cJSON *root = jsonu_parse(r->body, r->body_len);
	const char *rt = jsonu_member_str(root, "refresh_token");

	if (rt && *rt && strlen(rt) < CRED_TOKEN_MAX) {
		char *copy = strdup(rt);

		if (copy) {
			if (c->refresh_token) {
				cred_wipe(c->refresh_token,
					  strlen(c->refresh_token));
				free(c->refresh_token);
			}
			c->refresh_token = copy;
		}
	}
	if (rt)
		cred_wipe((char *)rt, strlen(rt));
	cJSON_Delete(root);
}

static long num_member(const cJSON *o, const char *key, long dflt, long lo,
		       long hi)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	long x;

	if (cJSON_IsNumber(v))
		x = (long)v->valuedouble;
	else if (cJSON_IsString(v))
		x = strtol(v->valuestring, NULL, 10);
	else
		return dflt;
	return x < lo ? lo : x > hi ? hi : x;
}

int cred_fetch_device(struct cred *c, const char *resource,
		      struct cred_got *g, struct ad_error *err)
{
	const char *what = _("device code");
	const char *tenant = c->tenant && cred_name_ok(c->tenant, ".-", 128) ?
			     c->tenant : "organizations";
	struct sbuf url = { 0 }, body = { 0 }, sc = { 0 }, poll = { 0 };
	struct http_response resp;
	cJSON *dc = NULL;
	const char *code, *user, *uri, *msg;
	const char *secrets[2] = { NULL, NULL };
	char clean[512];
	long interval, expires;
	time_t deadline;
	int rc;

	if (!c->prompt)
		return cred_unavailable(c, CRED_SRC_DEVICE,
					_("offered only in the interactive "
					  "wizard"));
	if (c->refresh_token &&
	    device_refresh(c, tenant, resource, what, g, err) == 0)
		return 0;
	endpoint(c, tenant, "devicecode", &url);
	cred_scope(&sc, resource);
	sb_add(&body, "client_id=" AZ_CLI_CLIENT_ID "&scope=");
	sb_addenc(&body, sc.p ? sc.p : "");
	sb_addenc(&body, " offline_access openid profile");
	if (url.oom || body.oom || sc.oom) {
		rc = ad_error_set(err, AD_ENOMEM, _("out of memory"));
		goto out;
	}
	if ((rc = post_form(c, url.p, body.p, what, &resp, err)) < 0)
		goto out;
	if (resp.status != 200) {
		rc = cred_entra_error(c, &resp, what, secrets, err);
		http_response_clear(&resp);
		goto out;
	}
	dc = jsonu_parse(resp.body, resp.body_len);
	http_response_clear(&resp);
	code = jsonu_member_str(dc, "device_code");
	user = jsonu_member_str(dc, "user_code");
	uri = jsonu_member_str(dc, "verification_uri");
	msg = jsonu_member_str(dc, "message");
	if (!code || !cred_name_ok(code, "-_.~+/=", 4096) ||
	    !cred_name_ok(user, "-", 64) || !cloud_url_ok(uri)) {
		rc = ad_error_set(err, AD_EPARSE,
				  _("%s: Entra ID's device-code answer lacks "
				    "device_code, user_code or "
				    "verification_uri"), what);
		goto out;
	}
	interval = num_member(dc, "interval", 5, 1, 60);
	expires = num_member(dc, "expires_in", 900, 1, 3600);
	deadline = cred_now(c) + expires;
	cred_sanitize(msg, NULL, clean, sizeof clean);
	if (!clean[0])
		snprintf(clean, sizeof clean,
			 _("To sign in, open %s and enter the code %s."), uri,
			 user);
	c->prompt(c->prompt_arg, clean, uri, user);

	sb_free(&url);
	endpoint(c, tenant, "token", &url);
	sb_add(&poll, "grant_type=");
	sb_addenc(&poll, "urn:ietf:params:oauth:grant-type:device_code");
	sb_add(&poll, "&client_id=" AZ_CLI_CLIENT_ID "&device_code=");
	sb_addenc(&poll, code);
	secrets[0] = code;
	if (url.oom || poll.oom) {
		rc = ad_error_set(err, AD_ENOMEM, _("out of memory"));
		goto out;
	}
	for (;;) {
		cJSON *eb;
		const char *e;

		sleep_ms(c, (int)interval * 1000);
		if (ad_cancelled(c->cancel)) {
			rc = ad_error_set(err, AD_ECANCEL,
					  _("%s: sign-in cancelled"), what);
			ad_error_net(err, AD_NET_CANCELLED);
			goto out;
		}
		if (cred_now(c) >= deadline) {
			rc = ad_error_set(err, AD_ETIMEOUT,
					  _("%s: the sign-in code expired before "
					    "it was used; try again"), what);
			goto out;
		}
		if ((rc = post_form(c, url.p, poll.p, what, &resp, err)) < 0)
			goto out;
		if (resp.status == 200) {
			rc = cred_parse_token(resp.body, resp.body_len,
					      cred_now(c), g, err);
			if (rc == 0)
				keep_refresh(c, &resp);
			cred_wipe(resp.body, resp.body_len);
			http_response_clear(&resp);
			goto out;
		}
		eb = jsonu_parse(resp.body, resp.body_len);
		e = jsonu_member_str(eb, "error");
		if (e && strcmp(e, "authorization_pending") == 0) {
			rc = 1;
		} else if (e && strcmp(e, "slow_down") == 0) {
			interval += 5;
			rc = 1;
		} else if (e && strcmp(e, "expired_token") == 0) {
			rc = ad_error_set(err, AD_ETIMEOUT,
					  _("%s: the sign-in code expired before "
					    "it was used; try again"), what);
		} else if (e && (strcmp(e, "authorization_declined") == 0 ||
				 strcmp(e, "access_denied") == 0)) {
			rc = ad_error_set(err, AD_EDENIED,
					  _("%s: the sign-in was declined"),
					  what);
			ad_error_detail(err, "%s", e);
		} else {
			rc = cred_entra_error(c, &resp, what, secrets, err);
		}
		cJSON_Delete(eb);
		http_response_clear(&resp);
		if (rc < 0)
			goto out;
	}
out:
	if (dc) {
		code = jsonu_member_str(dc, "device_code");
		if (code)
			cred_wipe((char *)code, strlen(code));
	}
	cJSON_Delete(dc);
	sb_free(&url);
	sb_free(&body);
	sb_free(&sc);
	sb_free(&poll);
	return rc;
}
