/* test_cred.c - the credential chain: each source against canned Entra
 * ID, managed-identity and Azure CLI answers, the chain's order, caching
 * per audience, refresh before expiry, concurrent callers, device-code
 * sign-in, and that no secret reaches an error message.
 *
 * Requests go through an in-test transport that records them and
 * answers from a route table.  It never touches the network, except to
 * connect to a closed loopback port where a test asks for it; the
 * instance metadata service is always pointed at loopback, and a request
 * for 169.254.169.254 fails the test. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cloud.h"
#include "cred.h"
#include "cred_priv.h"
#include "err.h"
#include "http.h"

#define TENANT "72f988bf-86f1-41af-91ab-2d7cd011db47"
#define CLIENT "11111111-2222-3333-4444-555555555555"
#define SECRET "Sup3r~Secret.Value_0123456789"
#define TOKEN_URL "https://login.microsoftonline.com/" TENANT "/oauth2/v2.0/token"
#define ARM_SCOPE "scope=https%3A%2F%2Fmanagement.core.windows.net%2F.default"
#define GRAPH_SCOPE "scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"
#define T0 ((time_t)1800000000)

/* ---- the fake transport ---------------------------------------------- */

#define MAXREQ 64
#define MAXANS 8

struct rec {
	char method[8];
	char url[2048];
	char body[8192];
	char headers[512];     /* "Name: value\n"... */
	long timeout_ms;
};

struct answer {
	long status;
	const char *body;
	int net;               /* non-zero: no answer, this transport kind */
	int real_connect;      /* connect to the URL's loopback port */
	const char *www;       /* WWW-Authenticate, or NULL */
};

struct route {
	const char *match;     /* substring of the URL */
	int n, used;
	struct answer a[MAXANS];
};

struct fake {
	pthread_mutex_t lock;
	struct rec reqs[MAXREQ];
	int nreq;
	struct route routes[8];
	int nroutes;
	int delay_ms;
};

static struct fake F;
static struct http_transport T;
static char tmpdir[] = "/tmp/test_cred.XXXXXX";
static char bindir[300], nobindir[300];
static int closed_port;
static char closed_url[64];
static time_t fake_now;
static int slept[16], nslept;
static ad_cancel_flag cancel_flag;
static int cancel_after_sleeps;

/* Real connect to http://127.0.0.1:PORT/... : only ever loopback. */
static int loopback_connect(const char *url, struct ad_error *err)
{
	struct sockaddr_in sa;
	int port, fd, rc;

	assert_int_equal(strncmp(url, "http://127.0.0.1:", 17), 0);
	port = atoi(url + 17);
	assert_true(port > 0 && port < 65536);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	rc = connect(fd, (struct sockaddr *)&sa, sizeof sa);
	close(fd);
	assert_true(rc < 0);           /* the port is closed */
	ad_error_set(err, AD_EIO, "connection refused");
	return ad_error_net(err, AD_NET_REFUSED);
}

static int fake_send(void *impl, const struct http_request *req,
		     struct http_response *resp, struct ad_error *err)
{
	struct fake *f = impl;
	struct answer a = { 404, "{}", 0, 0, NULL };
	struct rec *r;
	size_t i;
	int k, delay;

	/* Never the real instance metadata service. */
	assert_null(strstr(req->url, "169.254.169.254"));
	pthread_mutex_lock(&f->lock);
	assert_true(f->nreq < MAXREQ);
	r = &f->reqs[f->nreq++];
	snprintf(r->method, sizeof r->method, "%s", req->method);
	snprintf(r->url, sizeof r->url, "%s", req->url);
	snprintf(r->body, sizeof r->body, "%s", req->body ? req->body : "");
	r->headers[0] = '\0';
	for (i = 0; i < req->nheaders; i++) {
		size_t n = strlen(r->headers);

		snprintf(r->headers + n, sizeof r->headers - n, "%s: %s\n",
			 req->headers[i].name, req->headers[i].value);
	}
	if (req->content_type) {
		size_t n = strlen(r->headers);

		snprintf(r->headers + n, sizeof r->headers - n,
			 "Content-Type: %s\n", req->content_type);
	}
	r->timeout_ms = req->timeout_ms;
	for (k = 0; k < f->nroutes; k++) {
		struct route *rt = &f->routes[k];

		if (strstr(req->url, rt->match)) {
			a = rt->a[rt->used < rt->n ? rt->used : rt->n - 1];
			rt->used++;
			break;
		}
	}
	delay = f->delay_ms;
	pthread_mutex_unlock(&f->lock);
	if (delay) {
		/* Holds the request open so that other callers pile up. */
		struct timespec ts = { 0, (long)delay * 1000000L };

		nanosleep(&ts, NULL);
	}
	if (a.real_connect)
		return loopback_connect(req->url, err);
	if (a.net) {
		ad_error_set(err, AD_EIO, "no answer");
		return ad_error_net(err, (enum ad_net)a.net);
	}
	resp->status = a.status;
	resp->body = strdup(a.body);
	resp->body_len = strlen(a.body);
	if (a.www)
		assert_int_equal(http_response_add_header(resp, "WWW-Authenticate",
							  a.www), 0);
	return 0;
}

static const struct http_ops fake_ops = { "fake", fake_send, NULL };

static void route(const char *match, long status, const char *body)
{
	struct route *rt = NULL;
	int k;

	for (k = 0; k < F.nroutes; k++)
		if (strcmp(F.routes[k].match, match) == 0)
			rt = &F.routes[k];
	if (!rt) {
		assert_true(F.nroutes < 8);
		rt = &F.routes[F.nroutes++];
		memset(rt, 0, sizeof *rt);
		rt->match = match;
	}
	assert_true(rt->n < MAXANS);
	rt->a[rt->n++] = (struct answer){ status, body, 0, 0, NULL };
}

static void route_www(const char *match, long status, const char *body,
		      const char *www)
{
	route(match, status, body);
	F.routes[F.nroutes - 1].a[F.routes[F.nroutes - 1].n - 1].www = www;
}

static void route_net(const char *match, int net, int real)
{
	assert_true(F.nroutes < 8);
	memset(&F.routes[F.nroutes], 0, sizeof F.routes[0]);
	F.routes[F.nroutes].match = match;
	F.routes[F.nroutes].n = 1;
	F.routes[F.nroutes].a[0] = (struct answer){ 0, NULL, net, real, NULL };
	F.nroutes++;
}

static const struct rec *find_req(const char *url_part)
{
	int i;

	for (i = 0; i < F.nreq; i++)
		if (strstr(F.reqs[i].url, url_part))
			return &F.reqs[i];
	fail_msg("no request for %s", url_part);
	return NULL;
}

static int count_req(const char *url_part)
{
	int i, n = 0;

	for (i = 0; i < F.nreq; i++)
		if (strstr(F.reqs[i].url, url_part))
			n++;
	return n;
}

/* ---- environment, clock, fake az ------------------------------------- */

static const char *const VARS[] = {
	"AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET",
	"AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_CLIENT_CERTIFICATE_PASSWORD",
	"AZURE_FEDERATED_TOKEN_FILE", "IDENTITY_ENDPOINT", "IDENTITY_HEADER",
	"AZURE_AUTHORITY_HOST", "AZURE_TOKEN_CREDENTIALS", "IMDS_ENDPOINT", NULL
};

static time_t now_fn(void *arg)
{
	(void)arg;
	return fake_now;
}

static void sleep_fn(void *arg, int ms)
{
	(void)arg;
	if (nslept < 16)
		slept[nslept] = ms;
	nslept++;
	fake_now += ms / 1000;
	if (cancel_after_sleeps && nslept >= cancel_after_sleeps)
		ad_cancel_set(&cancel_flag);
}

static void write_file(const char *path, const char *text, int mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, (mode_t)mode), 0);
}

/* A fake `az` on PATH: records its arguments, then runs body. */
static void fake_az(const char *body)
{
	char path[400], script[4096];

	snprintf(path, sizeof path, "%s/az", bindir);
	snprintf(script, sizeof script,
		 "#!/bin/sh\nPATH=/usr/bin:/bin\n"
		 "printf '%%s\\n' \"$*\" >> '%s/az.args'\n%s\n",
		 tmpdir, body);
	write_file(path, script, 0755);
	setenv("PATH", bindir, 1);
}

#define AZ_BODY \
	"case \"$4\" in https://graph*) t=cli-graph-token;; *) t=cli-arm-token;; esac\n" \
	"cat <<EOF\n" \
	"{\n  \"accessToken\": \"$t\",\n  \"expiresOn\": \"2030-01-01 00:00:00.000000\",\n" \
	"  \"expires_on\": 1893456000,\n  \"subscription\": \"00000000-0000-0000-0000-000000000000\",\n" \
	"  \"tenant\": \"" TENANT "\",\n  \"tokenType\": \"Bearer\"\n}\nEOF"
static const char *AZ_OK = AZ_BODY;

static int az_runs(void)
{
	char path[400], line[512];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof path, "%s/az.args", tmpdir);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f))
		n++;
	fclose(f);
	return n;
}

static struct cloud CLOUD;

static int setup_each(void **state)
{
	char path[400];
	int i;

	(void)state;
	memset(&F.reqs, 0, sizeof F.reqs);
	F.nreq = 0;
	F.nroutes = 0;
	F.delay_ms = 0;
	for (i = 0; VARS[i]; i++)
		unsetenv(VARS[i]);
	/* Always loopback: a closed port unless the test says otherwise. */
	setenv("AZURE_POD_IDENTITY_AUTHORITY_HOST", closed_url, 1);
	route_net(closed_url, 0, 1);
	setenv("PATH", nobindir, 1);
	snprintf(path, sizeof path, "%s/az", bindir);
	unlink(path);
	snprintf(path, sizeof path, "%s/az.args", tmpdir);
	unlink(path);
	fake_now = T0;
	nslept = 0;
	ad_cancel_clear(&cancel_flag);
	cancel_after_sleeps = 0;
	assert_int_equal(cloud_builtin("AzureCloud", &CLOUD), 0);
	return 0;
}

static struct cred *chain(const char *only, int interactive);

static char prompted[512], prompt_tried[1024];
static const char *prompt_source = "unset";
static struct cred *prompt_chain;

/* Shows the message; the screen may ask what is going on meanwhile
 * without waiting for the sign-in (a deadlock would hang here). */
static void prompt_fn(void *arg, const char *message, const char *uri,
		      const char *code)
{
	char *out = arg;

	snprintf(out, 512, "%s|%s|%s", message, uri, code);
	if (prompt_chain) {
		prompt_source = cred_source(prompt_chain);
		cred_tried(prompt_chain, prompt_tried, sizeof prompt_tried);
	}
}

static struct cred *chain(const char *only, int interactive)
{
	struct cred_opts o;
	struct cred *c = NULL;
	struct ad_error e = { 0 };

	memset(&o, 0, sizeof o);
	o.cloud = &CLOUD;
	o.http = &T;
	o.only = only;
	o.now = now_fn;
	o.sleep_ms = sleep_fn;
	o.cancel = &cancel_flag;
	o.az_timeout_ms = 5000;
	if (interactive) {
		o.prompt = prompt_fn;
		o.prompt_arg = prompted;
	}
	assert_int_equal(cred_chain_new(&o, &c, &e), 0);
	assert_non_null(c);
	return c;
}

static void set_sp(void)
{
	setenv("AZURE_TENANT_ID", TENANT, 1);
	setenv("AZURE_CLIENT_ID", CLIENT, 1);
	setenv("AZURE_CLIENT_SECRET", SECRET, 1);
}

static void assert_clean(const struct ad_error *e, const char *secret)
{
	assert_null(strstr(e->msg, secret));
	assert_null(strstr(e->detail, secret));
}

#define TOK(name, secs) \
	"{\"token_type\":\"Bearer\",\"expires_in\":" #secs \
	",\"ext_expires_in\":" #secs ",\"access_token\":\"" name "\"}"

/* ---- environment service principal ----------------------------------- */

static void test_env_secret(void **state)
{
	struct cred *c;
	struct ad_error e = { 0 };
	char tok[CRED_TOKEN_MAX];

	(void)state;
	set_sp();
	fake_az(AZ_OK);        /* present, but the environment comes first */
	route(TOKEN_URL, 200, TOK("sp-arm-token", 3599));
	c = chain(NULL, 0);
	assert_null(cred_source(c));
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e), 0);
	assert_string_equal(tok, "sp-arm-token");
	assert_string_equal(cred_source(c), "environment (service principal)");
	assert_int_equal(cred_source_kind(c), CRED_SRC_ENV);
	assert_int_equal(F.nreq, 1);
	assert_string_equal(F.reqs[0].method, "POST");
	assert_string_equal(F.reqs[0].url, TOKEN_URL);
	assert_non_null(strstr(F.reqs[0].headers,
			       "Content-Type: application/x-www-form-urlencoded"));
	assert_non_null(strstr(F.reqs[0].body, "grant_type=client_credentials"));
	assert_non_null(strstr(F.reqs[0].body, "client_id=" CLIENT));
	assert_non_null(strstr(F.reqs[0].body, ARM_SCOPE));
	/* '~' is unreserved and stays; the value is all there */
	assert_non_null(strstr(F.reqs[0].body, "client_secret=" SECRET));
	assert_int_equal(az_runs(), 0);
	cred_wipe(tok, sizeof tok);
	cred_free(c);
}

static void test_env_secret_encoded(void **state)
{
	struct cred *c;
	struct ad_error e = { 0 };
	char tok[CRED_TOKEN_MAX];

	(void)state;
	set_sp();
	setenv("AZURE_CLIENT_SECRET", "a&b=c+d e%", 1);
	route(TOKEN_URL, 200, TOK("t", 3599));
	c = chain(NULL, 0);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e), 0);
	assert_non_null(strstr(F.reqs[0].body,
			       "client_secret=a%26b%3Dc%2Bd%20e%25"));
	cred_free(c);
}

static const char *EXPIRED =
	"{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000222: "
	"The provided client secret keys for app '" CLIENT "' are expired. "
	"Visit the Azure portal to create new keys for your app.\\r\\nTrace ID: "
	"255d1aef-8c98-452f-ac51-23d051240864\\r\\nCorrelation ID: "
	"fb3d2015-bc17-4bb9-bb85-30c5cf1aaaa7\\r\\nTimestamp: 2026-12-03 02:02:12Z\","
	"\"error_codes\":[7000222],\"timestamp\":\"2026-12-03 02:02:12Z\"}";

static void test_env_secret_expired(void **state)
{
	struct cred *c;
	struct ad_error e = { 0 };
	char tok[CRED_TOKEN_MAX], tried[1024];

	(void)state;
	set_sp();
	fake_az(AZ_OK);
	route(TOKEN_URL, 401, EXPIRED);
	c = chain(NULL, 0);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e),
			 AD_EDENIED);
	assert_string_equal(tok, "");
	assert_non_null(strstr(e.msg, "expired"));
	assert_non_null(strstr(e.msg, CLIENT));
	assert_string_equal(e.detail, "AADSTS7000222");
	assert_clean(&e, SECRET);
	/* A refused service principal stops the chain: az is not asked. */
	assert_int_equal(az_runs(), 0);
	assert_null(cred_source(c));
	cred_tried(c, tried, sizeof tried);
	assert_null(strstr(tried, SECRET));
	cred_free(c);
}

static void test_env_secret_invalid(void **state)
{
	struct cred *c;
	struct ad_error e = { 0 };
	char tok[CRED_TOKEN_MAX];

	(void)state;
	set_sp();
	route(TOKEN_URL, 401,
	      "{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000215: "
	      "Invalid client secret provided. Ensure the secret being sent in the "
	      "request is the client secret value, not the client secret ID\","
	      "\"error_codes\":[7000215]}");
	c = chain(NULL, 0);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e),
			 AD_EDENIED);
	assert_non_null(strstr(e.msg, "not valid"));
	assert_non_null(strstr(e.msg, "AZURE_CLIENT_SECRET"));
	assert_clean(&e, SECRET);
	cred_free(c);
}

/* An unknown AADSTS code: its first line is shown, with the secret and
 * anything JWT-shaped removed, and nothing after the first line. */
static void test_env_error_echo_scrubbed(void **state)
{
	struct cred *c;
	struct ad_error e = { 0 };
	char tok[CRED_TOKEN_MAX];

	(void)state;
	set_sp();
	route(TOKEN_URL, 400,
	      "{\"error\":\"invalid_request\",\"error_description\":\"AADSTS900144: "
	      "bad request client_secret=" SECRET " assertion eyJhbGciOi.eyJzdWIi.c2ln "
	      "end\\r\\nTrace ID: 0000\"}");
	c = chain(NULL, 0);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e),
			 AD_EDENIED);
	print_message("%s\n", e.msg);
	assert_non_null(strstr(e.msg, "invalid_request"));
	assert_non_null(strstr(e.msg, "AADSTS900144"));
	assert_non_null(strstr(e.msg, "end"));
	assert_null(strstr(e.msg, "Trace ID"));
	assert_null(strstr(e.msg, "eyJ"));
	assert_clean(&e, SECRET);
	cred_free(c);
}

static void test_env_unreachable(void **state)
{
	struct cred *c;
	struct ad_error e = { 0 };
	char tok[CRED_TOKEN_MAX];

	(void)state;
	set_sp();
	route_net("login.microsoftonline.com", AD_NET_DNS, 0);
	c = chain(NULL, 0);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e),
			 AD_EIO);
	assert_int_equal(e.net, AD_NET_DNS);
	assert_non_null(strstr(e.msg, "cannot reach Entra ID"));
	cred_free(c);
}

static void test_env_bad_answers(void **state)
{
	struct cred *c;
	struct ad_error e = { 0 };
	char tok[CRED_TOKEN_MAX];

	(void)state;
	set_sp();
	route(TOKEN_URL, 200, "{\"access_token\":\"x\"");          /* cut */
	route(TOKEN_URL, 200, "{\"access_token\":\"a b\",\"expires_in\":5}");
	route(TOKEN_URL, 200, "{\"access_token\":\"ok\"}");        /* no expiry */
	route(TOKEN_URL, 503, "<html>busy</html>");
	c = chain(NULL, 0);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e),
			 AD_EPARSE);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e),
			 AD_EPARSE);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e),
			 AD_EPARSE);
	assert_non_null(strstr(e.msg, "expires"));
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e),
			 AD_EHTTP);
	assert_non_null(strstr(e.msg, "503"));
	cred_free(c);
}

/* AZURE_AUTHORITY_HOST moves the token endpoint; a custom cloud's
 * authority is used otherwise. */
static void test_authority(void **state)
{
	struct cred *c;
	struct ad_error e = { 0 };
	char tok[CRED_TOKEN_MAX];
	struct cred_opts o;

	(void)state;
	set_sp();
	setenv("AZURE_AUTHORITY_HOST", "https://127.0.0.1:8443/", 1);
	route("https://127.0.0.1:8443/" TENANT "/oauth2/v2.0/token", 200,
	      TOK("local", 3599));
	c = chain(NULL, 0);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e), 0);
	assert_string_equal(tok, "local");
	cred_free(c);

	setenv("AZURE_AUTHORITY_HOST", "http://login.example", 1);
	memset(&o, 0, sizeof o);
	o.cloud = &CLOUD;
	o.http = &T;
	assert_int_equal(cred_chain_new(&o, &c, &e), AD_EINVAL);
	assert_null(c);
	assert_non_null(strstr(e.msg, "AZURE_AUTHORITY_HOST"));
	unsetenv("AZURE_AUTHORITY_HOST");

	assert_int_equal(cloud_builtin("china", &CLOUD), 0);
	route("https://login.chinacloudapi.cn/" TENANT "/oauth2/v2.0/token", 200,
	      TOK("cn", 3599));
	c = chain(NULL, 0);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e), 0);
	assert_string_equal(tok, "cn");
	assert_non_null(strstr(F.reqs[F.nreq - 1].body,
			       "management.core.chinacloudapi.cn%2F.default"));
	cred_free(c);
}

/* ---- certificate ------------------------------------------------------ */

static X509 *cert_x;

static void make_cert(const char *path, const char *pass, int mismatch)
{
	EVP_PKEY *key = EVP_RSA_gen(2048), *other = NULL;
	X509 *x = X509_new();
	X509_NAME *n;
	FILE *f;

	assert_non_null(key);
	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	/* valid from now until long after the fake clock's T0 */
	X509_time_adj_ex(X509_getm_notAfter(x), 20000, 0, NULL);
	X509_set_pubkey(x, key);
	n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
				   (const unsigned char *)"acr-doctor-test", -1,
				   -1, 0);
	X509_set_issuer_name(x, n);
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_true(PEM_write_X509(f, x));
	if (mismatch) {
		other = EVP_RSA_gen(2048);
		assert_true(PEM_write_PrivateKey(f, other, NULL, NULL, 0, NULL,
						 NULL));
	} else if (pass) {
		assert_true(PEM_write_PrivateKey(f, key, EVP_aes_256_cbc(), NULL,
						 0, NULL, (void *)pass));
	} else {
		assert_true(PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL,
						 NULL));
	}
	fclose(f);
	X509_free(cert_x);
	cert_x = x;
	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
}

static size_t b64url_dec(const char *in, size_t n, unsigned char *out)
{
	char buf[4096];
	size_t i, m = 0;
	int k;

	assert_true(n + 4 < sizeof buf);
	for (i = 0; i < n; i++)
		buf[m++] = in[i] == '-' ? '+' : in[i] == '_' ? '/' : in[i];
	while (m % 4)
		buf[m++] = '=';
	k = EVP_DecodeBlock(out, (unsigned char *)buf, (int)m);
	assert_true(k >= 0);
	return (size_t)k - (n % 4 == 2 ? 2 : n % 4 == 3 ? 1 : 0);
}

static cJSON *jwt_part(const char *p, size_t n)
{
	unsigned char out[4096];
	size_t k = b64url_dec(p, n, out);

	out[k] = '\0';
	return cJSON_Parse((char *)out);
}

static void b64url_enc(const unsigned char *in, size_t n, char *out)
{
	int k = EVP_EncodeBlock((unsigned char *)out, in, (int)n), i;

	for (i = 0; i < k; i++)
		if (out[i] == '+')
			out[i] = '-';
		else if (out[i] == '/')
			out[i] = '_';
		else if (out[i] == '=') {
			out[i] = '\0';
			break;
		}
}

/* The assertion is an RS256 JWT over the certificate's key, with both
 * thumbprints, for the token endpoint, from and about the client. */
static void check_assertion(const char *body)
{
	const char *a = strstr(body, "&client_assertion=");
	const char *d1, *d2, *end;
	cJSON *h, *p;
	unsigned char der_hash[32], sig[1024], *der = NULL;
	char want[64];
	unsigned int hl = 0;
	size_t sl;
	int dl;
	EVP_MD_CTX *md;

	assert_non_null(strstr(body, "client_assertion_type=urn%3Aietf%3Aparams"
			       "%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"));
	assert_null(strstr(body, "client_secret="));
	assert_non_null(a);
	a += strlen("&client_assertion=");
	end = a + strcspn(a, "&");
	d1 = strchr(a, '.');
	assert_non_null(d1);
	d2 = strchr(d1 + 1, '.');
	assert_non_null(d2);
	assert_true(d2 < end);
	h = jwt_part(a, (size_t)(d1 - a));
	p = jwt_part(d1 + 1, (size_t)(d2 - d1 - 1));
	assert_non_null(h);
	assert_non_null(p);
	assert_string_equal(cJSON_GetObjectItem(h, "alg")->valuestring, "RS256");
	assert_string_equal(cJSON_GetObjectItem(h, "typ")->valuestring, "JWT");
	dl = i2d_X509(cert_x, &der);
	assert_true(dl > 0);
	EVP_Digest(der, (size_t)dl, der_hash, &hl, EVP_sha256(), NULL);
	b64url_enc(der_hash, hl, want);
	assert_string_equal(cJSON_GetObjectItem(h, "x5t#S256")->valuestring, want);
	EVP_Digest(der, (size_t)dl, der_hash, &hl, EVP_sha1(), NULL);
	b64url_enc(der_hash, hl, want);
	assert_string_equal(cJSON_GetObjectItem(h, "x5t")->valuestring, want);
	OPENSSL_free(der);
	assert_string_equal(cJSON_GetObjectItem(p, "aud")->valuestring, TOKEN_URL);
	assert_string_equal(cJSON_GetObjectItem(p, "iss")->valuestring, CLIENT);
	assert_string_equal(cJSON_GetObjectItem(p, "sub")->valuestring, CLIENT);
	assert_int_equal((long)cJSON_GetObjectItem(p, "nbf")->valuedouble, T0);
	assert_true(cJSON_GetObjectItem(p, "exp")->valuedouble > T0);
	assert_int_equal(strlen(cJSON_GetObjectItem(p, "jti")->valuestring), 32);
	sl = b64url_dec(d2 + 1, (size_t)(end - d2 - 1), sig);
	md = EVP_MD_CTX_new();
	assert_int_equal(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL,
					      X509_get0_pubkey(cert_x)), 1);
	assert_int_equal(EVP_DigestVerify(md, sig, sl, (const unsigned char *)a,
					  (size_t)(d2 - a)), 1);
	EVP_MD_CTX_free(md);
	cJSON_Delete(h);
	cJSON_Delete(p);
}

static void test_env_certificate(void **state)
{
	struct cred *c;
	struct ad_error e = { 0 };
	char tok[CRED_TOKEN_MAX], path[400];

	(void)state;
	snprintf(path, sizeof path, "%s/sp.pem", tmpdir);
	make_cert(path, NULL, 0);
	setenv("AZURE_TENANT_ID", TENANT, 1);
	setenv("AZURE_CLIENT_ID", CLIENT, 1);
	setenv("AZURE_CLIENT_CERTIFICATE_PATH", path, 1);
	route(TOKEN_URL, 200, TOK("cert-token", 3599));
	c = chain(NULL, 0);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e), 0);
	assert_string_equal(tok, "cert-token");
	assert_int_equal(F.nreq, 1);
	check_assertion(F.reqs[0].body);
	cred_free(c);

	/* An encrypted key opens with AZURE_CLIENT_CERTIFICATE_PASSWORD. */
	make_cert(path, "pem-pass-phrase", 0);
	setenv("AZURE_CLIENT_CERTIFICATE_PASSWORD", "pem-pass-phrase", 1);
	c = chain(NULL, 0);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e), 0);
	check_assertion(F.reqs[1].body);
	cred_free(c);

	/* Wrong password: a clear error, never a terminal prompt. */
	setenv("AZURE_CLIENT_CERTIFICATE_PASSWORD", "wrong-pass-phrase", 1);
	c = chain(NULL, 0);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e),
			 AD_EINVAL);
	assert_non_null(strstr(e.msg, "AZURE_CLIENT_CERTIFICATE_PASSWORD"));
	assert_clean(&e, "wrong-pass-phrase");
	assert_clean(&e, "PRIVATE KEY");
	assert_int_equal(F.nreq, 2);
	cred_free(c);
	unsetenv("AZURE_CLIENT_CERTIFICATE_PASSWORD");

	make_cert(path, NULL, 1);
	c = chain(NULL, 0);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e),
			 AD_EINVAL);
	assert_non_null(strstr(e.msg, "does not belong"));
	cred_free(c);

	write_file(path, "not a pem\n", 0600);
	c = chain(NULL, 0);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e),
			 AD_EINVAL);
	assert_non_null(strstr(e.msg, "no PEM certificate"));
	cred_free(c);
	unlink(path);
}

/* ---- workload identity ----------------------------------------------- */

static void test_workload(void **state)
{
	struct cred *c;
	struct ad_error e = { 0 };
	char tok[CRED_TOKEN_MAX], path[400];

	(void)state;
	snprintf(path, sizeof path, "%s/sa-token", tmpdir);
	write_file(path, "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnLTE\n",
		   0600);
	setenv("AZURE_TENANT_ID", TENANT, 1);
	setenv("AZURE_CLIENT_ID", CLIENT, 1);
	setenv("AZURE_FEDERATED_TOKEN_FILE", path, 1);
	fake_az(AZ_OK);
	route(TOKEN_URL, 200, TOK("wi-arm", 3599));
	route(TOKEN_URL, 200, TOK("wi-graph", 3599));
	c = chain(NULL, 0);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e), 0);
	assert_string_equal(tok, "wi-arm");
	assert_string_equal(cred_source(c), "workload identity");
	assert_non_null(strstr(F.reqs[0].body, "client_assertion=eyJhbGciOiJSUzI1NiJ9."
			       "eyJzdWIiOiJzeXN0ZW0ifQ.c2lnLTE"));
	assert_non_null(strstr(F.reqs[0].body, "grant_type=client_credentials"));
	assert_non_null(strstr(F.reqs[0].body, ARM_SCOPE));
	/* The kubelet rotates the file: the next request reads it again. */
	write_file(path, "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnLTI", 0600);
	assert_int_equal(cred_token(c, CRED_AUD_GRAPH, tok, sizeof tok, &e), 0);
	assert_string_equal(tok, "wi-graph");
	assert_non_null(strstr(F.reqs[1].body, "c2lnLTI"));
	assert_non_null(strstr(F.reqs[1].body, GRAPH_SCOPE));
	assert_int_equal(az_runs(), 0);
	cred_free(c);

	/* No federated credential matches: said so, the assertion not shown. */
	F.nroutes = 0;
	route(TOKEN_URL, 400,
	      "{\"error\":\"invalid_request\",\"error_description\":\"AADSTS70021: "
	      "No matching federated identity record found for presented assertion. "
	      "Assertion Issuer: 'https://oidc.example/'. Assertion Subject: "
	      "'system:serviceaccount:default:app'. Assertion Audience: "
	      "'api://AzureADTokenExchange'.\",\"error_codes\":[70021]}");
	c = chain(NULL, 0);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e),
			 AD_EDENIED);
	assert_non_null(strstr(e.msg, "federated identity credential"));
	assert_clean(&e, "c2lnLTI");
	cred_free(c);

	/* A missing file is an error naming the variable. */
	unlink(path);
	c = chain(NULL, 0);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e), AD_EIO);
	assert_non_null(strstr(e.msg, "AZURE_FEDERATED_TOKEN_FILE"));
	cred_free(c);
}

/* ---- managed identity ------------------------------------------------ */

static void test_managed_app_service(void **state)
{
	struct cred *c;
	struct ad_error e = { 0 };
	char tok[CRED_TOKEN_MAX];

	(void)state;
	setenv("IDENTITY_ENDPOINT", "http://127.0.0.1:41741/MSI/token/", 1);
	setenv("IDENTITY_HEADER", "ident-header-secret", 1);
	route("http://127.0.0.1:41741/MSI/token/", 200,
	      "{\"access_token\":\"mi-app-token\",\"expires_on\":\"1800003600\","
	      "\"resource\":\"https://management.core.windows.net/\","
	      "\"token_type\":\"Bearer\",\"client_id\":\"5E29463D-71DA-4FE0-8E69-999B57DB23B0\"}");
	c = chain(NULL, 0);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e), 0);
	assert_string_equal(tok, "mi-app-token");
	assert_string_equal(cred_source(c), "managed identity");
	assert_int_equal(F.nreq, 1);
	assert_string_equal(F.reqs[0].method, "GET");
	assert_string_equal(F.reqs[0].url,
			    "http://127.0.0.1:41741/MSI/token/?api-version=2019-08-01"
			    "&resource=https%3A%2F%2Fmanagement.core.windows.net%2F");
	assert_non_null(strstr(F.reqs[0].headers,
			       "X-IDENTITY-HEADER: ident-header-secret"));
	/* expires_on as a string: still valid 50 minutes later */
	fake_now = T0 + 3000;
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e), 0);
	assert_int_equal(F.nreq, 1);
	cred_free(c);

	/* App Service's own error shape; the header value never shown. */
	F.nroutes = 0;
	route("http://127.0.0.1:41741/MSI/token/", 400,
	      "{\"statusCode\":400,\"message\":\"No managed identity is "
	      "assigned (header ident-header-secret)\",\"correlationId\":\"x\"}");
	c = chain(NULL, 0);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e),
			 AD_EDENIED);
	assert_non_null(strstr(e.msg, "HTTP 400"));
	assert_non_null(strstr(e.msg, "No managed identity is assigned"));
	assert_clean(&e, "ident-header-secret");
	cred_free(c);
}

static void test_managed_imds(void **state)
{
	struct cred *c;
	struct ad_error e = { 0 };
	char tok[CRED_TOKEN_MAX];

	(void)state;
	F.nroutes = 0;
	setenv("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://127.0.0.1:50342/", 1);
	setenv("AZURE_CLIENT_ID", CLIENT, 1);     /* a user-assigned identity */
	route("http://127.0.0.1:50342/", 200,
	      "{\"access_token\":\"imds-token\",\"refresh_token\":\"\","
	      "\"expires_in\":\"3599\",\"expires_on\":\"1800003599\","
	      "\"not_before\":\"1799999999\",\"resource\":"
	      "\"https://management.azure.com/\",\"token_type\":\"Bearer\"}");
	c = chain(NULL, 0);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e), 0);
	assert_string_equal(tok, "imds-token");
	assert_int_equal(F.nreq, 1);
	assert_string_equal(F.reqs[0].url,
			    "http://127.0.0.1:50342/metadata/identity/oauth2/token"
			    "?api-version=2018-02-01&resource=https%3A%2F%2F"
			    "management.core.windows.net%2F&client_id=" CLIENT);
	assert_non_null(strstr(F.reqs[0].headers, "Metadata: true"));
	assert_int_equal(F.reqs[0].timeout_ms, 1000);
	cred_free(c);
}

static char arcdir[400];

/* Azure Arc: a challenge names a key file; its content is the secret. */
static void test_managed_arc(void **state)
{
	struct cred_opts o;
	struct cred *c = NULL;
	struct ad_error e = { 0 };
	char tok[CRED_TOKEN_MAX], path[500], www[600];
	static const char *url = "http://127.0.0.1:40342/metadata/identity/oauth2/token";

	(void)state;
	snprintf(path, sizeof path, "%s/0123abcd.key", arcdir);
	write_file(path, "arc-key-secret-77\n", 0600);
	snprintf(www, sizeof www, "Basic realm=%s", path);
	setenv("IDENTITY_ENDPOINT", url, 1);
	setenv("IMDS_ENDPOINT", "http://127.0.0.1:40342", 1);
	route_www(url, 401, "{}", www);
	route(url, 200, "{\"access_token\":\"arc-token\",\"expires_in\":\"3599\","
	      "\"expires_on\":\"1800003599\",\"resource\":\"https://management.azure.com\","
	      "\"token_type\":\"Bearer\"}");
	memset(&o, 0, sizeof o);
	o.cloud = &CLOUD;
	o.http = &T;
	o.now = now_fn;
	o.arc_key_dir = arcdir;
	assert_int_equal(cred_chain_new(&o, &c, &e), 0);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e), 0);
	assert_string_equal(tok, "arc-token");
	assert_string_equal(cred_source(c), "managed identity");
	assert_int_equal(F.nreq, 2);
	assert_non_null(strstr(F.reqs[0].url, "api-version=2020-06-01&resource="));
	assert_non_null(strstr(F.reqs[0].headers, "Metadata: true"));
	assert_null(strstr(F.reqs[0].headers, "Authorization"));
	assert_non_null(strstr(F.reqs[1].headers,
			       "Authorization: Basic arc-key-secret-77\n"));
	cred_free(c);

	/* A challenge naming any other file is refused, the file unread. */
	F.nroutes = 0;
	F.nreq = 0;
	route_www(url, 401, "{}", "Basic realm=/etc/passwd");
	assert_int_equal(cred_chain_new(&o, &c, &e), 0);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e),
			 AD_EDENIED);
	assert_non_null(strstr(e.msg, "outside"));
	assert_int_equal(F.nreq, 1);
	cred_free(c);
	F.nroutes = 0;
	snprintf(www, sizeof www, "Basic realm=%s/../0123abcd.key", arcdir);
	route_www(url, 401, "{}", www);
	assert_int_equal(cred_chain_new(&o, &c, &e), 0);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e),
			 AD_EDENIED);
	assert_non_null(strstr(e.msg, "outside"));
	cred_free(c);

	/* The key refused: said so, the key never shown. */
	F.nroutes = 0;
	snprintf(www, sizeof www, "Basic realm=\"%s\"", path);
	route_www(url, 401, "{}", www);
	route(url, 401, "{\"error\":\"invalid_request\",\"error_description\":"
	      "\"bad key arc-key-secret-77\"}");
	assert_int_equal(cred_chain_new(&o, &c, &e), 0);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e),
			 AD_EDENIED);
	assert_clean(&e, "arc-key-secret-77");
	cred_free(c);
	unsetenv("IMDS_ENDPOINT");
	unlink(path);
}

/* Off Azure nothing listens: the chain moves on at once. */
static void test_imds_closed_port(void **state)
{
	struct cred *c;
	struct ad_error e = { 0 };
	char tok[CRED_TOKEN_MAX], tried[1024];
	struct timespec a, b;
	long ms;

	(void)state;
	fake_az(AZ_OK);
	c = chain(NULL, 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	assert_string_equal(tok, "cli-arm-token");
	assert_string_equal(cred_source(c), "azure cli");
	assert_int_equal(count_req(closed_url), 1);
	assert_true(ms < 1000);
	assert_int_equal(cred_tried(c, tried, sizeof tried), 4);
	print_message("%s\n", tried);
	assert_non_null(strstr(tried, "managed identity: no instance metadata "
			       "service answered at"));
	assert_non_null(strstr(tried, "(refused)"));
	cred_free(c);
}

/* Something that is not a metadata service answers 200: skipped. */
static void test_imds_impostor(void **state)
{
	struct cred *c;
	struct ad_error e = { 0 };
	char tok[CRED_TOKEN_MAX], tried[1024];

	(void)state;
	F.nroutes = 0;
	setenv("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://127.0.0.1:50342", 1);
	route("http://127.0.0.1:50342/", 200, "<html>It works!</html>");
	fake_az(AZ_OK);
	c = chain(NULL, 0);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e), 0);
	assert_string_equal(cred_source(c), "azure cli");
	cred_tried(c, tried, sizeof tried);
	assert_non_null(strstr(tried, "answered without a token"));
	cred_free(c);
}

static void test_imds_no_identity(void **state)
{
	struct cred *c;
	struct ad_error e = { 0 };
	char tok[CRED_TOKEN_MAX];

	(void)state;
	F.nroutes = 0;
	setenv("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://127.0.0.1:50342", 1);
	route("http://127.0.0.1:50342/", 400,
	      "{\"error\":\"invalid_request\",\"error_description\":"
	      "\"Identity not found\"}");
	c = chain(NULL, 0);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e),
			 AD_ENOTFOUND);
	assert_non_null(strstr(e.msg, "gave no token (HTTP 400)"));
	assert_non_null(strstr(e.msg, "Identity not found"));
	cred_free(c);
}

/* ---- Azure CLI -------------------------------------------------------- */

static void test_cli(void **state)
{
	struct cred *c;
	struct ad_error e = { 0 };
	char tok[CRED_TOKEN_MAX], path[400], args[512];
	FILE *f;

	int fd;

	(void)state;
	/* A descriptor left open without close-on-exec must not reach az. */
	fd = open("/dev/null", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(dup2(fd, 57), 57);
	close(fd);
	fake_az("[ -e /proc/$$/fd/57 ] && echo leaked >&2 && exit 3\n" AZ_BODY);
	c = chain("cli", 0);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e), 0);
	close(57);
	assert_string_equal(tok, "cli-arm-token");
	assert_int_equal(cred_token(c, CRED_AUD_GRAPH, tok, sizeof tok, &e), 0);
	assert_string_equal(tok, "cli-graph-token");
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e), 0);
	assert_int_equal(az_runs(), 2);        /* the third came from memory */
	assert_int_equal(F.nreq, 0);           /* only "cli": no IMDS probe */
	snprintf(path, sizeof path, "%s/az.args", tmpdir);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(args, sizeof args, f));
	assert_string_equal(args, "account get-access-token --resource "
			    "https://management.core.windows.net/ --output json\n");
	fclose(f);
	cred_free(c);
}

static void test_cli_not_logged_in(void **state)
{
	struct cred *c;
	struct ad_error e = { 0 };
	char tok[CRED_TOKEN_MAX];

	(void)state;
	fake_az("echo \"ERROR: Please run 'az login' to setup account.\" >&2\n"
		"echo \"token-cache-secret-42\" >&2\nexit 1");
	c = chain(NULL, 0);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e),
			 AD_ENOTFOUND);
	print_message("%s\n", e.msg);
	assert_non_null(strstr(e.msg, "no Azure credentials found"));
	assert_non_null(strstr(e.msg, "azure cli: not logged in: run 'az login'"));
	assert_null(strstr(e.msg, "ERROR:"));
	assert_clean(&e, "token-cache-secret-42");
	assert_int_equal(az_runs(), 1);
	cred_free(c);
}

static void test_cli_failure_not_echoed(void **state)
{
	struct cred *c;
	struct ad_error e = { 0 };
	char tok[CRED_TOKEN_MAX];

	(void)state;
	fake_az("echo \"ERROR: AADSTS50173: grant revoked; key=hush-hush-99\" >&2\n"
		"exit 2");
	c = chain("cli", 0);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e),
			 AD_EDENIED);
	assert_non_null(strstr(e.msg, "exit status 2"));
	assert_string_equal(e.detail, "AADSTS50173");
	assert_clean(&e, "hush-hush-99");
	assert_null(strstr(e.msg, "grant revoked"));
	cred_free(c);
}

static void test_cli_timeout_and_garbage(void **state)
{
	struct cred_opts o;
	struct cred *c = NULL;
	struct ad_error e = { 0 };
	char tok[CRED_TOKEN_MAX];
	struct timespec a, b;
	long ms;

	(void)state;
	fake_az("exec sleep 30");
	memset(&o, 0, sizeof o);
	o.cloud = &CLOUD;
	o.http = &T;
	o.only = "AzureCliCredential";
	o.az_timeout_ms = 300;
	assert_int_equal(cred_chain_new(&o, &c, &e), 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e),
			 AD_ETIMEOUT);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	assert_true(ms < 5000);
	cred_free(c);

	fake_az("echo '{\"accessToken\": \"half'");
	c = chain("cli", 0);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e),
			 AD_EPARSE);
	assert_non_null(strstr(e.msg, "no usable token"));
	cred_free(c);
}

/* Older az prints only the local-time expiresOn. */
static void test_cli_old_expires(void **state)
{
	struct cred *c;
	struct ad_error e = { 0 };
	char tok[CRED_TOKEN_MAX];

	(void)state;
	fake_az("echo '{\"accessToken\": \"old-az\", \"expiresOn\": "
		"\"2030-01-01 00:00:00.000000\", \"tokenType\": \"Bearer\"}'");
	c = chain("cli", 0);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e), 0);
	assert_string_equal(tok, "old-az");
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e), 0);
	assert_int_equal(az_runs(), 1);
	cred_free(c);
}

/* ---- the chain -------------------------------------------------------- */

static void test_nothing_found(void **state)
{
	struct cred *c;
	struct ad_error e = { 0 };
	char tok[CRED_TOKEN_MAX], tried[1024];
	int n;

	(void)state;
	setenv("AZURE_CLIENT_ID", CLIENT, 1);   /* half a service principal */
	c = chain(NULL, 0);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e),
			 AD_ENOTFOUND);
	assert_null(cred_source(c));
	assert_int_equal(cred_tried(c, tried, sizeof tried), 5);
	print_message("%s\n", tried);
	assert_non_null(strstr(tried, "environment (service principal): "
			       "AZURE_TENANT_ID, AZURE_CLIENT_SECRET or "
			       "AZURE_CLIENT_CERTIFICATE_PATH not set"));
	assert_non_null(strstr(tried, "workload identity: "
			       "AZURE_FEDERATED_TOKEN_FILE not set"));
	assert_non_null(strstr(tried, "managed identity: "));
	assert_non_null(strstr(tried, "azure cli: 'az' was not found on PATH"));
	assert_non_null(strstr(tried, "device code: offered only in the "
			       "interactive wizard"));
	assert_non_null(strstr(e.msg, tried));
	/* Asked again: the same answer at once, nothing probed again. */
	n = F.nreq;
	assert_true(n > 0);
	assert_int_equal(cred_token(c, CRED_AUD_GRAPH, tok, sizeof tok, &e),
			 AD_ENOTFOUND);
	assert_non_null(strstr(e.msg, tried));
	assert_int_equal(F.nreq, n);
	/* After cred_forget (the user ran az login): tried again. */
	fake_az(AZ_OK);
	cred_forget(c);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e), 0);
	assert_string_equal(cred_source(c), "azure cli");
	assert_int_equal(F.nreq, n + 1);
	cred_free(c);
}

static void test_only(void **state)
{
	struct cred_opts o;
	struct cred *c = NULL;
	struct ad_error e = { 0 };
	char tok[CRED_TOKEN_MAX], tried[512];

	(void)state;
	set_sp();
	fake_az(AZ_OK);
	route(TOKEN_URL, 200, TOK("sp", 3599));
	/* The variable, SDK spelling: the service principal is skipped. */
	setenv("AZURE_TOKEN_CREDENTIALS", "AzureCliCredential", 1);
	c = chain(NULL, 0);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e), 0);
	assert_string_equal(cred_source(c), "azure cli");
	assert_int_equal(F.nreq, 0);
	cred_free(c);
	/* The option wins over the variable. */
	c = chain("environment", 0);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e), 0);
	assert_string_equal(tok, "sp");
	cred_free(c);
	/* "prod": no az, no device code. */
	unsetenv("AZURE_CLIENT_SECRET");
	c = chain("prod", 1);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e),
			 AD_ENOTFOUND);
	assert_int_equal(cred_tried(c, tried, sizeof tried), 3);
	assert_null(strstr(tried, "azure cli"));
	cred_free(c);
	unsetenv("AZURE_TOKEN_CREDENTIALS");

	memset(&o, 0, sizeof o);
	o.cloud = &CLOUD;
	o.http = &T;
	o.only = "kerberos";
	assert_int_equal(cred_chain_new(&o, &c, &e), AD_EINVAL);
	assert_null(c);
	assert_non_null(strstr(e.msg, "kerberos"));
	assert_non_null(strstr(e.msg, "managed"));
	o.only = NULL;
	o.http = NULL;
	assert_int_equal(cred_chain_new(&o, &c, &e), AD_EINVAL);
}

/* Environment before workload identity before managed identity before
 * the CLI: each one present, removed one at a time. */
static void test_order(void **state)
{
	struct cred *c;
	struct ad_error e = { 0 };
	char tok[CRED_TOKEN_MAX], path[400];

	(void)state;
	F.nroutes = 0;
	snprintf(path, sizeof path, "%s/sa-token", tmpdir);
	write_file(path, "eyJhIjoxfQ.eyJiIjoyfQ.c2ln", 0600);
	set_sp();
	setenv("AZURE_FEDERATED_TOKEN_FILE", path, 1);
	setenv("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://127.0.0.1:50342", 1);
	fake_az(AZ_OK);
	route(TOKEN_URL, 200, TOK("entra", 3599));
	route("http://127.0.0.1:50342/", 200,
	      "{\"access_token\":\"imds\",\"expires_in\":\"3599\"}");

	c = chain(NULL, 0);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e), 0);
	assert_string_equal(cred_source(c), "environment (service principal)");
	assert_non_null(strstr(F.reqs[F.nreq - 1].body, "client_secret="));
	cred_free(c);

	unsetenv("AZURE_CLIENT_SECRET");
	c = chain(NULL, 0);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e), 0);
	assert_string_equal(cred_source(c), "workload identity");
	assert_non_null(strstr(F.reqs[F.nreq - 1].body, "client_assertion="));
	cred_free(c);

	unsetenv("AZURE_FEDERATED_TOKEN_FILE");
	c = chain(NULL, 0);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e), 0);
	assert_string_equal(cred_source(c), "managed identity");
	assert_string_equal(tok, "imds");
	cred_free(c);

	F.nroutes = 0;
	route_net("http://127.0.0.1:50342/", AD_NET_TIMEOUT, 0);
	c = chain(NULL, 0);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e), 0);
	assert_string_equal(cred_source(c), "azure cli");
	assert_int_equal(az_runs(), 1);
	cred_free(c);
	unlink(path);
}

/* Fetched again when less than five minutes are left, not before. */
static void test_refresh(void **state)
{
	struct cred *c;
	struct ad_error e = { 0 };
	char tok[CRED_TOKEN_MAX];

	(void)state;
	set_sp();
	route(TOKEN_URL, 200, TOK("first", 3600));
	route(TOKEN_URL, 200, TOK("second", 3600));
	c = chain(NULL, 0);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e), 0);
	assert_string_equal(tok, "first");
	fake_now = T0 + 3600 - 301;
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e), 0);
	assert_string_equal(tok, "first");
	assert_int_equal(F.nreq, 1);
	fake_now = T0 + 3600 - 300;
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e), 0);
	assert_string_equal(tok, "second");
	assert_int_equal(F.nreq, 2);
	/* cred_forget drops every cached token */
	cred_forget(c);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e), 0);
	assert_int_equal(F.nreq, 3);
	cred_free(c);
}

static void test_per_audience(void **state)
{
	struct cred *c;
	struct ad_error e = { 0 };
	char tok[CRED_TOKEN_MAX], small[4];

	(void)state;
	set_sp();
	route(TOKEN_URL, 200, TOK("arm-1", 3600));
	route(TOKEN_URL, 200, TOK("graph-1", 3600));
	route(TOKEN_URL, 200, TOK("aks-1", 3600));
	c = chain(NULL, 0);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e), 0);
	assert_string_equal(tok, "arm-1");
	assert_int_equal(cred_token(c, CRED_AUD_GRAPH, tok, sizeof tok, &e), 0);
	assert_string_equal(tok, "graph-1");
	assert_int_equal(cred_token_for(c, "6dae42f8-4368-4678-94ff-3960e28e3630",
					tok, sizeof tok, &e), 0);
	assert_string_equal(tok, "aks-1");
	assert_non_null(strstr(F.reqs[2].body,
			       "scope=6dae42f8-4368-4678-94ff-3960e28e3630%2F.default"));
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e), 0);
	assert_string_equal(tok, "arm-1");
	assert_int_equal(cred_token(c, CRED_AUD_GRAPH, tok, sizeof tok, &e), 0);
	assert_string_equal(tok, "graph-1");
	/* the registry exchange takes the ARM token: no new request */
	assert_int_equal(cred_token(c, CRED_AUD_REGISTRY, tok, sizeof tok, &e), 0);
	assert_string_equal(tok, "arm-1");
	assert_int_equal(F.nreq, 3);
	assert_int_equal(cred_token(c, CRED_AUD_COUNT, tok, sizeof tok, &e),
			 AD_EINVAL);
	assert_non_null(strstr(F.reqs[0].body, ARM_SCOPE));
	assert_non_null(strstr(F.reqs[1].body, GRAPH_SCOPE));
	assert_string_equal(cred_audience(c, CRED_AUD_ARM),
			    "https://management.core.windows.net/");
	/* too small a buffer: an error, nothing half-copied */
	assert_int_equal(cred_token(c, CRED_AUD_ARM, small, sizeof small, &e),
			 AD_EINVAL);
	assert_string_equal(small, "");
	/* not an audience */
	assert_int_equal(cred_token_for(c, "--output=x y", tok, sizeof tok, &e),
			 AD_EINVAL);
	cred_free(c);
}

struct worker {
	struct cred *c;
	pthread_barrier_t *bar;
	char tok[64];
	int rc;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct ad_error e = { 0 };
	char tok[CRED_TOKEN_MAX];

	pthread_barrier_wait(w->bar);
	w->rc = cred_token(w->c, CRED_AUD_ARM, tok, sizeof tok, &e);
	snprintf(w->tok, sizeof w->tok, "%.63s", tok);
	return NULL;
}

/* Eight checks ask at once: one request, one token for all. */
static void test_concurrent(void **state)
{
	enum { N = 8 };
	struct worker w[N];
	pthread_t th[N];
	pthread_barrier_t bar;
	struct cred *c;
	int i;

	(void)state;
	set_sp();
	route(TOKEN_URL, 200, TOK("shared", 3600));
	route(TOKEN_URL, 200, TOK("duplicate", 3600));
	F.delay_ms = 50;
	c = chain(NULL, 0);
	pthread_barrier_init(&bar, NULL, N);
	for (i = 0; i < N; i++) {
		w[i].c = c;
		w[i].bar = &bar;
		w[i].rc = -100;
		assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
	}
	for (i = 0; i < N; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < N; i++) {
		assert_int_equal(w[i].rc, 0);
		assert_string_equal(w[i].tok, "shared");
	}
	assert_int_equal(F.nreq, 1);
	pthread_barrier_destroy(&bar);
	cred_free(c);
}

/* ---- device code ------------------------------------------------------ */

#define DC_URL "https://login.microsoftonline.com/organizations/oauth2/v2.0/devicecode"
#define DC_TOKEN "https://login.microsoftonline.com/organizations/oauth2/v2.0/token"
static const char *DC_ANSWER =
	"{\"user_code\":\"FQK5HW3UF\",\"device_code\":\"DAQABAAEAAAD-secret-device-code\","
	"\"verification_uri\":\"https://microsoft.com/devicelogin\",\"expires_in\":900,"
	"\"interval\":5,\"message\":\"To sign in, use a web browser to open the page "
	"https://microsoft.com/devicelogin and enter the code FQK5HW3UF to authenticate.\"}";
#define PENDING "{\"error\":\"authorization_pending\",\"error_description\":" \
	"\"AADSTS70016: OAuth 2.0 device flow error. Authorization is pending.\"}"

static void test_device_code(void **state)
{
	struct cred *c;
	struct ad_error e = { 0 };
	char tok[CRED_TOKEN_MAX];

	(void)state;
	route(DC_URL, 200, DC_ANSWER);
	route(DC_TOKEN, 400, PENDING);
	route(DC_TOKEN, 400, "{\"error\":\"slow_down\"}");
	route(DC_TOKEN, 200,
	      "{\"token_type\":\"Bearer\",\"scope\":\"https://management.core.windows.net//user_impersonation\","
	      "\"expires_in\":3600,\"access_token\":\"device-arm\","
	      "\"refresh_token\":\"device-refresh-secret\",\"id_token\":\"x.y.z\"}");
	route(DC_TOKEN, 200, TOK("device-graph", 3600));
	prompted[0] = '\0';
	c = chain(NULL, 1);
	prompt_chain = c;
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e), 0);
	prompt_chain = NULL;
	assert_string_equal(tok, "device-arm");
	assert_null(prompt_source);           /* not in use until it worked */
	assert_non_null(strstr(prompt_tried, "azure cli: 'az' was not found"));
	assert_string_equal(cred_source(c), "device code");
	assert_non_null(strstr(prompted, "enter the code FQK5HW3UF"));
	assert_non_null(strstr(prompted, "|https://microsoft.com/devicelogin|FQK5HW3UF"));
	/* pending: wait the interval; slow_down: five seconds more */
	assert_int_equal(nslept, 3);
	assert_int_equal(slept[0], 5000);
	assert_int_equal(slept[1], 5000);
	assert_int_equal(slept[2], 10000);
	assert_int_equal(count_req("/devicecode"), 1);
	assert_non_null(strstr(find_req("/devicecode")->body,
			       "client_id=04b07795-8ddb-461a-bbee-02f9e1bf7b46"));
	assert_non_null(strstr(find_req("/devicecode")->body, ARM_SCOPE));
	assert_non_null(strstr(find_req(DC_TOKEN)->body, "grant_type=urn%3Aietf%3A"
			       "params%3Aoauth%3Agrant-type%3Adevice_code"));
	assert_non_null(strstr(find_req(DC_TOKEN)->body,
			       "device_code=DAQABAAEAAAD-secret-device-code"));
	/* Graph: from the refresh token, no second sign-in */
	assert_int_equal(cred_token(c, CRED_AUD_GRAPH, tok, sizeof tok, &e), 0);
	assert_string_equal(tok, "device-graph");
	assert_int_equal(count_req("/devicecode"), 1);
	assert_non_null(strstr(F.reqs[F.nreq - 1].body, "grant_type=refresh_token"));
	assert_non_null(strstr(F.reqs[F.nreq - 1].body,
			       "refresh_token=device-refresh-secret"));
	cred_free(c);
}

static void test_device_code_ends(void **state)
{
	struct cred *c;
	struct ad_error e = { 0 };
	char tok[CRED_TOKEN_MAX];

	(void)state;
	route(DC_URL, 200, DC_ANSWER);
	route(DC_TOKEN, 400, "{\"error\":\"authorization_declined\","
	      "\"error_description\":\"AADSTS70000: the user declined\"}");
	c = chain("device", 1);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e),
			 AD_EDENIED);
	assert_non_null(strstr(e.msg, "declined"));
	assert_clean(&e, "secret-device-code");
	cred_free(c);

	F.nroutes = 0;
	route(DC_URL, 200, DC_ANSWER);
	route(DC_TOKEN, 400, PENDING);
	route(DC_TOKEN, 400, "{\"error\":\"expired_token\"}");
	c = chain("device", 1);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e),
			 AD_ETIMEOUT);
	assert_non_null(strstr(e.msg, "expired"));
	cred_free(c);

	/* Our own deadline: expires_in passes while pending. */
	F.nroutes = 0;
	route(DC_URL, 200, "{\"user_code\":\"ABC\",\"device_code\":\"d\","
	      "\"verification_uri\":\"https://microsoft.com/devicelogin\","
	      "\"expires_in\":12,\"interval\":5,\"message\":\"m\"}");
	route(DC_TOKEN, 400, PENDING);
	nslept = 0;
	c = chain("device", 1);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e),
			 AD_ETIMEOUT);
	assert_int_equal(nslept, 3);
	cred_free(c);

	/* Cancelled while waiting. */
	F.nroutes = 0;
	route(DC_URL, 200, DC_ANSWER);
	route(DC_TOKEN, 400, PENDING);
	nslept = 0;
	cancel_after_sleeps = 2;
	c = chain("device", 1);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e),
			 AD_ECANCEL);
	assert_int_equal(e.net, AD_NET_CANCELLED);
	assert_int_equal(nslept, 2);
	cred_free(c);

	/* A device-code answer without a code is refused. */
	ad_cancel_clear(&cancel_flag);
	cancel_after_sleeps = 0;
	F.nroutes = 0;
	route(DC_URL, 200, "{\"message\":\"hello\"}");
	c = chain("device", 1);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e),
			 AD_EPARSE);
	cred_free(c);
}

/* ---- static ----------------------------------------------------------- */

static void test_static(void **state)
{
	struct cred *c;
	struct ad_error e = { 0 };
	char tok[CRED_TOKEN_MAX], tried[64];

	(void)state;
	assert_int_equal(cred_static_new("scenario", "sim-token", &c, &e), 0);
	assert_string_equal(cred_source(c), "scenario");
	assert_int_equal(cred_source_kind(c), CRED_SRC_STATIC);
	assert_int_equal(cred_token(c, CRED_AUD_ARM, tok, sizeof tok, &e), 0);
	assert_string_equal(tok, "sim-token");
	assert_int_equal(cred_token(c, CRED_AUD_GRAPH, tok, sizeof tok, &e), 0);
	assert_string_equal(tok, "sim-token");
	assert_int_equal(cred_tried(c, tried, sizeof tried), 0);
	assert_int_equal(F.nreq, 0);
	cred_free(c);
	assert_int_equal(cred_static_new("x", "bad token", &c, &e), AD_EINVAL);
	assert_null(c);
	cred_free(NULL);
	assert_null(cred_source(NULL));
}

/* A custom cloud without Graph: Graph tokens are "not supported". */
static void test_no_graph(void **state)
{
	struct cred *c;
	struct ad_error e = { 0 };
	char tok[CRED_TOKEN_MAX];
	static const char *js =
		"{\"name\":\"Stack\",\"endpoints\":{\"activeDirectory\":"
		"\"https://login.stack\",\"resourceManager\":\"https://arm.stack/\"},"
		"\"suffixes\":{\"acrLoginServerEndpoint\":\"azurecr.stack\"}}";

	(void)state;
	assert_int_equal(cloud_from_json(js, strlen(js), "s", &CLOUD, &e), 0);
	set_sp();
	c = chain(NULL, 0);
	assert_int_equal(cred_token(c, CRED_AUD_GRAPH, tok, sizeof tok, &e),
			 AD_EUNSUPP);
	assert_non_null(strstr(e.msg, "Stack"));
	assert_int_equal(F.nreq, 0);
	cred_free(c);
}

/* Hostile token answers and error texts (fixed seed): never a crash,
 * a token only when it is clean, and sanitized text is one clean line. */
static void test_hostile_text(void **state)
{
	static const char *base =
		"{\"token_type\":\"Bearer\",\"expires_in\":3599,"
		"\"access_token\":\"eyJ0eXAi.eyJhdWQi.c2ln\"}";
	static const char *const secrets[] = { "hush-hush-99", NULL };
	size_t n = strlen(base), i, j;
	char buf[128], out[64], desc[200];
	int got = 0, refused = 0;

	(void)state;
	srand(7);
	for (i = 0; i < 5000; i++) {
		struct cred_got g;
		struct ad_error e = { 0 };
		int k, rc;

		memcpy(buf, base, n + 1);
		for (k = 0; k < 1 + rand() % 3; k++)
			buf[rand() % n] = (char)(1 + rand() % 255);
		rc = cred_parse_token(buf, n, T0, &g, &e);
		if (rc == 0) {
			got++;
			assert_non_null(g.token);
			for (j = 0; g.token[j]; j++)
				assert_true(g.token[j] > ' ' && g.token[j] < 0x7f);
			free(g.token);
		} else {
			refused++;
			assert_null(g.token);
			assert_true(e.msg[0] != '\0');
		}
		/* a description with the secret and random bytes around it */
		for (j = 0; j < sizeof desc - 1; j++)
			desc[j] = (char)(1 + rand() % 255);
		desc[sizeof desc - 1] = '\0';
		/* often across the cut at 63 bytes */
		memcpy(desc + (rand() % 2 ? 55 + rand() % 8 : rand() % 150),
		       "hush-hush-99", 12);
		if (rand() % 2)
			desc[0] = 'A';      /* sometimes no newline up front */
		cred_sanitize(desc, secrets, out, sizeof out);
		assert_true(strlen(out) < sizeof out);
		assert_null(strstr(out, "hush-h"));
		for (j = 0; out[j]; j++)
			assert_true((unsigned char)out[j] >= ' ' && out[j] != 0x7f);
	}
	print_message("token answers: %d accepted, %d refused\n", got, refused);
	assert_true(got > 0 && refused > 0);
}

static int setup(void **state)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof sa;
	int fd;

	(void)state;
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(bindir, sizeof bindir, "%s/bin", tmpdir);
	snprintf(nobindir, sizeof nobindir, "%s/empty", tmpdir);
	snprintf(arcdir, sizeof arcdir, "%s/arc", tmpdir);
	if (mkdir(bindir, 0755) < 0 || mkdir(nobindir, 0755) < 0 ||
	    mkdir(arcdir, 0700) < 0)
		return -1;
	/* A loopback port that was free a moment ago: closed. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl) < 0)
		return -1;
	closed_port = ntohs(sa.sin_port);
	close(fd);
	snprintf(closed_url, sizeof closed_url, "http://127.0.0.1:%d",
		 closed_port);
	pthread_mutex_init(&F.lock, NULL);
	T.ops = &fake_ops;
	T.impl = &F;
	T.cancel = NULL;
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	X509_free(cert_x);
	snprintf(cmd, sizeof cmd, "/bin/rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T_(f) cmocka_unit_test_setup(f, setup_each)
		T_(test_env_secret),
		T_(test_env_secret_encoded),
		T_(test_env_secret_expired),
		T_(test_env_secret_invalid),
		T_(test_env_error_echo_scrubbed),
		T_(test_env_unreachable),
		T_(test_env_bad_answers),
		T_(test_authority),
		T_(test_env_certificate),
		T_(test_workload),
		T_(test_managed_app_service),
		T_(test_managed_imds),
		T_(test_managed_arc),
		T_(test_imds_closed_port),
		T_(test_imds_impostor),
		T_(test_imds_no_identity),
		T_(test_cli),
		T_(test_cli_not_logged_in),
		T_(test_cli_failure_not_echoed),
		T_(test_cli_timeout_and_garbage),
		T_(test_cli_old_expires),
		T_(test_nothing_found),
		T_(test_only),
		T_(test_order),
		T_(test_refresh),
		T_(test_per_audience),
		T_(test_concurrent),
		T_(test_device_code),
		T_(test_device_code_ends),
		T_(test_static),
		T_(test_no_graph),
		T_(test_hostile_text),
#undef T_
	};

	/* A lock taken twice would hang here: fail instead. */
	alarm(120);
	return cmocka_run_group_tests(tests, setup, teardown);
}
