#include "config.h"
#include "cred.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "cred_priv.h"
#include "err.h"
#include "http.h"
#include "i18n.h"
#include "jsonu.h"

static const char *const src_names[CRED_SRC_COUNT] = {
	[CRED_SRC_ENV] = "environment (service principal)",
	[CRED_SRC_WORKLOAD] = "workload identity",
	[CRED_SRC_MANAGED] = "managed identity",
	[CRED_SRC_CLI] = "azure cli",
	[CRED_SRC_DEVICE] = "device code",
	[CRED_SRC_STATIC] = "static",
};

typedef int (*fetch_fn)(struct cred *, const char *, struct cred_got *,
			struct ad_error *);

static const fetch_fn fetchers[CRED_SRC_COUNT] = {
	[CRED_SRC_ENV] = cred_fetch_env,
	[CRED_SRC_WORKLOAD] = cred_fetch_workload,
	[CRED_SRC_MANAGED] = cred_fetch_managed,
	[CRED_SRC_CLI] = cred_fetch_cli,
	[CRED_SRC_DEVICE] = cred_fetch_device,
};

static int tried_str(struct cred *c, char *buf, size_t len);

#define BIT(s) (1u << (s))
#define PROD (BIT(CRED_SRC_ENV) | BIT(CRED_SRC_WORKLOAD) | BIT(CRED_SRC_MANAGED))
#define DEV (BIT(CRED_SRC_CLI) | BIT(CRED_SRC_DEVICE))

/* Names accepted by --credential and AZURE_TOKEN_CREDENTIALS: ours and
 * the SDK credential class names. */
static const struct {
	const char *name;
	unsigned mask;
} only_names[] = {
	{ "environment", BIT(CRED_SRC_ENV) },
	{ "env", BIT(CRED_SRC_ENV) },
	{ "EnvironmentCredential", BIT(CRED_SRC_ENV) },
	{ "workload", BIT(CRED_SRC_WORKLOAD) },
	{ "workload-identity", BIT(CRED_SRC_WORKLOAD) },
	{ "WorkloadIdentityCredential", BIT(CRED_SRC_WORKLOAD) },
	{ "managed", BIT(CRED_SRC_MANAGED) },
	{ "managed-identity", BIT(CRED_SRC_MANAGED) },
	{ "ManagedIdentityCredential", BIT(CRED_SRC_MANAGED) },
	{ "cli", BIT(CRED_SRC_CLI) },
	{ "azure-cli", BIT(CRED_SRC_CLI) },
	{ "AzureCliCredential", BIT(CRED_SRC_CLI) },
	{ "device", BIT(CRED_SRC_DEVICE) },
	{ "device-code", BIT(CRED_SRC_DEVICE) },
	{ "DeviceCodeCredential", BIT(CRED_SRC_DEVICE) },
	{ "dev", DEV },
	{ "prod", PROD },
};

void cred_wipe(void *p, size_t len)
{
	volatile unsigned char *v = p;

	while (v && len--)
		*v++ = 0;
}

static void free_secret(char *s)
{
	if (s) {
		cred_wipe(s, strlen(s));
		free(s);
	}
}

/* ---- string buffer ---------------------------------------------------- */

void sb_addn(struct sbuf *b, const char *s, size_t n)
{
	char *p;
	size_t cap;

	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 256;
		while (cap < b->n + n + 1)
			cap *= 2;
		p = malloc(cap);
		if (!p) {
			b->oom = 1;
			return;
		}
		/* Not realloc: the old block may hold a secret. */
		if (b->p) {
			memcpy(p, b->p, b->n);
			cred_wipe(b->p, b->cap);
			free(b->p);
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

void sb_add(struct sbuf *b, const char *s)
{
	sb_addn(b, s, strlen(s));
}

void sb_addenc(struct sbuf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char e[3];

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (isascii(ch) && (isalnum(ch) || strchr("-._~", ch))) {
			sb_addn(b, s, 1);
			continue;
		}
		e[0] = '%';
		e[1] = hex[ch >> 4];
		e[2] = hex[ch & 15];
		sb_addn(b, e, 3);
	}
}

void sb_free(struct sbuf *b)
{
	if (b->p) {
		cred_wipe(b->p, b->cap);
		free(b->p);
	}
	memset(b, 0, sizeof *b);
}

/* ---- helpers ---------------------------------------------------------- */

time_t cred_now(struct cred *c)
{
	return c->now ? c->now(c->clock_arg) : time(NULL);
}

int cred_unavailable(struct cred *c, enum cred_source src, const char *fmt,
		     ...)
{
	va_list ap;

	pthread_mutex_lock(&c->info);
	c->tried |= BIT(src);
	va_start(ap, fmt);
	vsnprintf(c->why[src], sizeof c->why[src], fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&c->info);
	return CRED_UNAVAILABLE;
}

int cred_name_ok(const char *s, const char *extra, size_t max)
{
	size_t n = s ? strlen(s) : 0, i;

	if (n == 0 || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (!isascii((unsigned char)s[i]) ||
		    !(isalnum((unsigned char)s[i]) || strchr(extra, s[i])))
			return 0;
	return 1;
}

void cred_scope(struct sbuf *b, const char *resource)
{
	size_t n = strlen(resource);

	while (n > 0 && resource[n - 1] == '/')
		n--;
	sb_addn(b, resource, n);
	sb_add(b, "/.default");
}

static int token_ok(const char *t)
{
	size_t n = strlen(t), i;

	if (n == 0 || n >= CRED_TOKEN_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)t[i] <= ' ' || (unsigned char)t[i] >= 0x7f)
			return 0;
	return 1;
}

/* A number, or a string of digits (managed identity sends strings). */
static int json_long(const cJSON *v, long long *out)
{
	char *end;
	long long x;

	if (cJSON_IsNumber(v)) {
		if (v->valuedouble < 0 || v->valuedouble > 1e15)
			return 0;
		*out = (long long)v->valuedouble;
		return 1;
	}
	if (!cJSON_IsString(v) || !isdigit((unsigned char)v->valuestring[0]) ||
	    strlen(v->valuestring) > 15)
		return 0;
	x = strtoll(v->valuestring, &end, 10);
	if (*end)
		return 0;
	*out = x;
	return 1;
}

int cred_parse_token(const char *body, size_t len, time_t now,
		     struct cred_got *g, struct ad_error *err)
{
	cJSON *root = body ? jsonu_parse(body, len) : NULL;
	const cJSON *at, *v;
	long long x;
	int rc = 0;

	memset(g, 0, sizeof *g);
	if (!root || !cJSON_IsObject(root)) {
		rc = ad_error_set(err, AD_EPARSE,
				  _("the token answer is not a JSON object"));
		goto out;
	}
	at = cJSON_GetObjectItemCaseSensitive(root, "access_token");
	if (!at)
		at = cJSON_GetObjectItemCaseSensitive(root, "accessToken");
	if (!cJSON_IsString(at) || !token_ok(at->valuestring)) {
		rc = ad_error_set(err, AD_EPARSE,
				  _("the token answer has no usable "
				    "access_token"));
		goto out;
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "expires_in")) &&
	    json_long(v, &x))
		g->expires = now + (time_t)(x > 86400 * 7 ? 86400 * 7 : x);
	else if ((v = cJSON_GetObjectItemCaseSensitive(root, "expires_on")) &&
		 json_long(v, &x))
		g->expires = (time_t)x;
	else {
		rc = ad_error_set(err, AD_EPARSE,
				  _("the token answer says neither expires_in "
				    "nor expires_on"));
		goto out;
	}
	g->token = strdup(at->valuestring);
	if (!g->token)
		rc = ad_error_set(err, AD_ENOMEM, _("out of memory"));
out:
	if (root) {
		/* The parsed tree holds the token too. */
		at = cJSON_GetObjectItemCaseSensitive(root, "access_token");
		if (cJSON_IsString(at))
			cred_wipe(at->valuestring, strlen(at->valuestring));
		at = cJSON_GetObjectItemCaseSensitive(root, "accessToken");
		if (cJSON_IsString(at))
			cred_wipe(at->valuestring, strlen(at->valuestring));
		at = cJSON_GetObjectItemCaseSensitive(root, "refresh_token");
		if (cJSON_IsString(at))
			cred_wipe(at->valuestring, strlen(at->valuestring));
	}
	cJSON_Delete(root);
	return rc;
}

void cred_sanitize(const char *s, const char *const *secrets, char *out,
		   size_t len)
{
	size_t n = 0, i;
	char *line, *p;

	if (!len)
		return;
	out[0] = '\0';
	if (!s)
		return;
	/* Scrub the whole first line before cutting it to len, so that a
	 * secret straddling the cut cannot leave its first half behind. */
	n = strcspn(s, "\r\n");
	if (n > 64 * 1024)
		n = 64 * 1024;
	line = malloc(n + 1);
	if (!line)
		return;
	memcpy(line, s, n);
	line[n] = '\0';
	for (i = 0; i < n; i++)
		if ((unsigned char)line[i] < ' ' || line[i] == 0x7f)
			line[i] = ' ';
	for (; secrets && *secrets; secrets++) {
		size_t sl = strlen(*secrets);

		if (sl < 4)
			continue;
		while ((p = strstr(line, *secrets)) != NULL) {
			memset(p, '*', 3);
			memmove(p + 3, p + sl, strlen(p + sl) + 1);
		}
	}
	/* Anything shaped like a JWT (header "eyJ...") goes too. */
	while ((p = strstr(line, "eyJ")) != NULL) {
		size_t k = 0;

		while (p[k] && ((unsigned char)p[k] > ' '))
			k++;
		memset(p, '*', 3);
		memmove(p + 3, p + k, strlen(p + k) + 1);
	}
	snprintf(out, len, "%s", line);
	cred_wipe(line, n);
	free(line);
}

/* Find "AADSTS<digits>" in s; its number, or 0. */
static long aadsts(const char *s)
{
	const char *p = s ? strstr(s, "AADSTS") : NULL;

	return p && isdigit((unsigned char)p[6]) ? strtol(p + 6, NULL, 10) : 0;
}

int cred_entra_error(struct cred *c, const struct http_response *r,
		     const char *what, const char *const *secrets,
		     struct ad_error *err)
{
	cJSON *root = r->body ? jsonu_parse(r->body, r->body_len) : NULL;
	const char *code = jsonu_member_str(root, "error");
	const char *desc = jsonu_member_str(root, "error_description");
	const char *app = c->client_id ? c->client_id : "";
	char clean[256];
	long sts = aadsts(desc);
	int rc = AD_EDENIED;

	if (!code || !cred_name_ok(code, "_-", 64))
		code = NULL;
	if (!code && !desc) {
		/* Not Entra's shape: App Service's identity endpoint says
		 * {"statusCode": 400, "message": "..."}. */
		cred_sanitize(jsonu_member_str(root, "message"), secrets, clean,
			      sizeof clean);
		rc = r->status == 429 ? AD_ETHROTTLE :
		     r->status >= 500 ? AD_EHTTP : AD_EDENIED;
		ad_error_set(err, rc,
			     _("%s: the token endpoint answered HTTP %ld%s%s"),
			     what, r->status, clean[0] ? ": " : "", clean);
		goto out;
	}
	if (r->status >= 500 || r->status == 429) {
		rc = r->status == 429 ? AD_ETHROTTLE : AD_EHTTP;
		ad_error_set(err, rc,
			     _("%s: Entra ID answered HTTP %ld to the token "
			       "request"), what, r->status);
		goto out;
	}
	switch (sts) {
	case 7000222:
		ad_error_set(err, rc,
			     _("%s: the client secret of application %s has "
			       "expired; create a new one (az ad app credential "
			       "reset) and set AZURE_CLIENT_SECRET"), what, app);
		break;
	case 7000215:
		ad_error_set(err, rc,
			     _("%s: the client secret is not valid for "
			       "application %s (check AZURE_CLIENT_SECRET: the "
			       "secret's value, not its id)"), what, app);
		break;
	case 700016:
		ad_error_set(err, rc,
			     _("%s: application %s was not found in tenant %s "
			       "(check AZURE_CLIENT_ID and AZURE_TENANT_ID)"),
			     what, app, c->tenant ? c->tenant : "");
		break;
	case 90002:
	case 900023:
		ad_error_set(err, rc,
			     _("%s: tenant %s was not found (check "
			       "AZURE_TENANT_ID)"), what,
			     c->tenant ? c->tenant : "");
		break;
	case 700027:
	case 700024:
	case 50027:
		ad_error_set(err, rc,
			     _("%s: the client certificate or assertion was "
			       "rejected for application %s (is the certificate "
			       "uploaded to the application and still valid?)"),
			     what, app);
		break;
	case 70021:
	case 700211:
	case 700212:
	case 700213:
		ad_error_set(err, rc,
			     _("%s: no federated identity credential of "
			       "application %s matches the service account "
			       "token (issuer, subject and audience must match)"),
			     what, app);
		break;
	case 50076:
	case 50079:
	case 53003:
		ad_error_set(err, rc,
			     _("%s: sign-in was blocked by multi-factor "
			       "authentication or a conditional access policy"),
			     what);
		break;
	default:
		cred_sanitize(desc, secrets, clean, sizeof clean);
		ad_error_set(err, rc,
			     _("%s: Entra ID refused the token request: %s%s%s"),
			     what, code ? code : "", clean[0] ? ": " : "",
			     clean);
	}
out:
	if (sts)
		ad_error_detail(err, "AADSTS%ld", sts);
	else if (code)
		ad_error_detail(err, "%s", code);
	cJSON_Delete(root);
	return rc;
}

/* ---- the chain -------------------------------------------------------- */

const char *cred_source_name(enum cred_source s)
{
	return (unsigned)s < CRED_SRC_COUNT ? src_names[s] : "none";
}

static char *env_dup(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? strdup(v) : NULL;
}

static struct cred *cred_alloc(void)
{
	struct cred *c = calloc(1, sizeof *c);

	if (!c)
		return NULL;
	if (pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c);
		return NULL;
	}
	if (pthread_mutex_init(&c->info, NULL) != 0) {
		pthread_mutex_destroy(&c->info);
	pthread_mutex_destroy(&c->lock);
		free(c);
		return NULL;
	}
	c->active = CRED_SRC_NONE;
	return c;
}

static int parse_only(const char *s, unsigned *mask, struct ad_error *err)
{
	size_t i;

	for (i = 0; i < sizeof only_names / sizeof only_names[0]; i++)
		if (strcasecmp(s, only_names[i].name) == 0) {
			*mask = only_names[i].mask;
			return 0;
		}
	return ad_error_set(err, AD_EINVAL,
			    _("unknown credential \"%.64s\": use environment, "
			      "workload, managed, cli, device, dev or prod"), s);
}

int cred_chain_new(const struct cred_opts *o, struct cred **out,
		   struct ad_error *err)
{
	struct cred *c;
	const char *only, *host;
	unsigned mask = PROD | DEV;
	int rc;

	*out = NULL;
	if (!o || !o->cloud || !o->http)
		return ad_error_set(err, AD_EINVAL,
				    _("credentials need a cloud and a transport"));
	only = o->only && *o->only ? o->only : getenv("AZURE_TOKEN_CREDENTIALS");
	if (only && *only && (rc = parse_only(only, &mask, err)) < 0)
		return rc;
	host = getenv("AZURE_AUTHORITY_HOST");
	if (host && *host && !cloud_url_ok(host))
		return ad_error_set(err, AD_EINVAL,
				    _("AZURE_AUTHORITY_HOST must be an https:// "
				      "URL such as https://login.microsoftonline.com"));
	c = cred_alloc();
	if (!c)
		return ad_error_set(err, AD_ENOMEM, _("out of memory"));
	c->cloud = *o->cloud;
	snprintf(c->authority, sizeof c->authority, "%s",
		 host && *host ? host : o->cloud->authority);
	while (c->authority[0] && c->authority[strlen(c->authority) - 1] == '/')
		c->authority[strlen(c->authority) - 1] = '\0';
	c->http = o->http;
	c->allowed = mask;
	c->prompt = o->prompt;
	c->prompt_arg = o->prompt_arg;
	c->cancel = o->cancel;
	c->az_timeout_ms = o->az_timeout_ms > 0 ? o->az_timeout_ms : 60000;
	c->imds_timeout_ms = o->imds_timeout_ms > 0 ? o->imds_timeout_ms : 1000;
	c->now = o->now;
	c->sleep_ms = o->sleep_ms;
	c->clock_arg = o->clock_arg;
	c->tenant = env_dup("AZURE_TENANT_ID");
	c->client_id = env_dup("AZURE_CLIENT_ID");
	c->client_secret = env_dup("AZURE_CLIENT_SECRET");
	c->cert_path = env_dup("AZURE_CLIENT_CERTIFICATE_PATH");
	c->cert_pass = env_dup("AZURE_CLIENT_CERTIFICATE_PASSWORD");
	c->fed_file = env_dup("AZURE_FEDERATED_TOKEN_FILE");
	c->identity_endpoint = env_dup("IDENTITY_ENDPOINT");
	c->identity_header = env_dup("IDENTITY_HEADER");
	c->imds_host = env_dup("AZURE_POD_IDENTITY_AUTHORITY_HOST");
	c->imds_endpoint = env_dup("IMDS_ENDPOINT");
	c->arc_key_dir = strdup(o->arc_key_dir && *o->arc_key_dir ?
				o->arc_key_dir : "/var/opt/azcmagent/tokens");
	c->az = o->az && *o->az ? strdup(o->az) : strdup("az");
	if (!c->az || !c->arc_key_dir) {
		cred_free(c);
		return ad_error_set(err, AD_ENOMEM, _("out of memory"));
	}
	*out = c;
	return 0;
}

int cred_static_new(const char *label, const char *token, struct cred **out,
		    struct ad_error *err)
{
	struct cred *c;

	*out = NULL;
	if (!label || !token || !token_ok(token))
		return ad_error_set(err, AD_EINVAL,
				    _("a static credential needs a label and a "
				      "token"));
	c = cred_alloc();
	if (!c || !(c->static_token = strdup(token))) {
		cred_free(c);
		return ad_error_set(err, AD_ENOMEM, _("out of memory"));
	}
	snprintf(c->label, sizeof c->label, "%s", label);
	c->allowed = BIT(CRED_SRC_STATIC);
	c->active = CRED_SRC_STATIC;
	c->is_static = 1;
	*out = c;
	return 0;
}

const char *cred_audience(const struct cred *c, enum cred_aud aud)
{
	if (!c)
		return NULL;
	switch (aud) {
	case CRED_AUD_ARM:
	case CRED_AUD_REGISTRY:
		return c->cloud.arm_audience;
	case CRED_AUD_GRAPH:
		return c->cloud.graph_audience;
	default:
		return NULL;
	}
}

static void tok_clear(struct cred_tok *t)
{
	free(t->resource);
	free_secret(t->token);
	memset(t, 0, sizeof *t);
}

static struct cred_tok *tok_find(struct cred *c, const char *resource)
{
	size_t i;

	for (i = 0; i < c->ntoks; i++)
		if (strcmp(c->toks[i].resource, resource) == 0)
			return &c->toks[i];
	return NULL;
}

/* Keep g (takes its token) as the token for resource. */
static int tok_store(struct cred *c, const char *resource, struct cred_got *g)
{
	struct cred_tok *t = tok_find(c, resource);

	if (!t) {
		if (c->ntoks == CRED_CACHE_MAX) {
			/* Full: drop the oldest (first) entry. */
			tok_clear(&c->toks[0]);
			memmove(&c->toks[0], &c->toks[1],
				(CRED_CACHE_MAX - 1) * sizeof c->toks[0]);
			memset(&c->toks[CRED_CACHE_MAX - 1], 0,
			       sizeof c->toks[0]);
			c->ntoks--;
		}
		t = &c->toks[c->ntoks];
		t->resource = strdup(resource);
		if (!t->resource)
			return AD_ENOMEM;
		c->ntoks++;
	} else {
		free_secret(t->token);
	}
	t->token = g->token;
	t->expires = g->expires;
	g->token = NULL;
	return 0;
}

static int copy_out(const char *token, char *buf, size_t len,
		    struct ad_error *err)
{
	size_t n = strlen(token);

	if (n >= len)
		return ad_error_set(err, AD_EINVAL,
				    _("the token buffer is too small"));
	memcpy(buf, token, n + 1);
	return 0;
}

/* Remembered until cred_forget(): twenty checks asking must not each
 * wait for the metadata service and run az again. */
static int none_found(struct cred *c, struct ad_error *err)
{
	char tried[1024];

	pthread_mutex_lock(&c->info);
	tried_str(c, tried, sizeof tried);
	pthread_mutex_unlock(&c->info);
	snprintf(c->none, sizeof c->none,
		 _("no Azure credentials found; tried: %s"),
		 tried[0] ? tried : _("nothing (every source is excluded)"));
	return ad_error_set(err, AD_ENOTFOUND, "%s", c->none);
}

/* Under the lock: ask the sources for resource. */
static int fetch(struct cred *c, const char *resource, struct cred_got *g,
		 struct ad_error *err)
{
	int s, rc;

	if (c->active == CRED_SRC_NONE && c->none[0])
		return ad_error_set(err, AD_ENOTFOUND, "%s", c->none);
	if (c->active != CRED_SRC_NONE) {
		rc = fetchers[c->active](c, resource, g, err);
		if (rc == CRED_UNAVAILABLE)
			rc = ad_error_set(err, AD_ENOTFOUND, "%s: %s",
					  src_names[c->active],
					  c->why[c->active]);
		return rc;
	}
	for (s = 0; s < CRED_SRC_STATIC; s++) {
		if (!(c->allowed & BIT(s)))
			continue;
		pthread_mutex_lock(&c->info);
		c->tried |= BIT(s);
		c->why[s][0] = '\0';
		pthread_mutex_unlock(&c->info);
		rc = fetchers[s](c, resource, g, err);
		if (rc == 0) {
			pthread_mutex_lock(&c->info);
			c->active = (enum cred_source)s;
			pthread_mutex_unlock(&c->info);
			return 0;
		}
		if (rc < 0)
			return rc;
		if (ad_cancelled(c->cancel))
			return ad_error_set(err, AD_ECANCEL, _("cancelled"));
	}
	return none_found(c, err);
}

int cred_token_for(struct cred *c, const char *resource, char *buf,
		   size_t len, struct ad_error *err)
{
	struct cred_tok *t;
	struct cred_got g = { NULL, 0 };
	time_t now;
	int rc;

	if (buf && len)
		buf[0] = '\0';
	if (!c || !resource || !buf || !len)
		return ad_error_set(err, AD_EINVAL, _("no credential or buffer"));
	if (c->is_static)
		return copy_out(c->static_token, buf, len, err);
	if (!*resource)
		return ad_error_set(err, AD_EUNSUPP,
				    _("the cloud %s has no endpoint for this "
				      "audience"), c->cloud.name);
	if (!cred_name_ok(resource, ":/.-_", CLOUD_URL_MAX - 1))
		return ad_error_set(err, AD_EINVAL,
				    _("not a token audience: %.64s"), resource);
	pthread_mutex_lock(&c->lock);
	now = cred_now(c);
	t = tok_find(c, resource);
	if (t && now < t->expires - CRED_REFRESH_S) {
		rc = copy_out(t->token, buf, len, err);
		goto out;
	}
	rc = fetch(c, resource, &g, err);
	if (rc < 0)
		goto out;
	if (tok_store(c, resource, &g) < 0) {
		rc = ad_error_set(err, AD_ENOMEM, _("out of memory"));
		goto out;
	}
	rc = copy_out(tok_find(c, resource)->token, buf, len, err);
out:
	free_secret(g.token);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

int cred_token(struct cred *c, enum cred_aud aud, char *buf, size_t len,
	       struct ad_error *err)
{
	const char *res = cred_audience(c, aud);

	if (!res) {
		if (buf && len)
			buf[0] = '\0';
		return ad_error_set(err, AD_EINVAL, _("unknown token audience"));
	}
	return cred_token_for(c, res, buf, len, err);
}

const char *cred_source(struct cred *c)
{
	const char *s = NULL;

	if (!c)
		return NULL;
	pthread_mutex_lock(&c->info);
	if (c->active == CRED_SRC_STATIC)
		s = c->label;
	else if (c->active != CRED_SRC_NONE)
		s = src_names[c->active];
	pthread_mutex_unlock(&c->info);
	return s;
}

enum cred_source cred_source_kind(struct cred *c)
{
	enum cred_source s;

	if (!c)
		return CRED_SRC_NONE;
	pthread_mutex_lock(&c->info);
	s = c->active;
	pthread_mutex_unlock(&c->info);
	return s;
}

/* Under c->info. */
static int tried_str(struct cred *c, char *buf, size_t len)
{
	int s, n = 0;
	size_t used = 0;

	buf[0] = '\0';
	for (s = 0; s < CRED_SRC_STATIC; s++) {
		int w;

		if (!(c->tried & BIT(s)))
			continue;
		w = snprintf(buf + used, len - used, "%s%s: %s",
			     n ? "; " : "", src_names[s],
			     (int)c->active == s ? _("in use") :
			     c->why[s][0] ? c->why[s] : _("not usable"));
		n++;
		if (w < 0 || (size_t)w >= len - used)
			break;
		used += (size_t)w;
	}
	return n;
}

int cred_tried(struct cred *c, char *buf, size_t len)
{
	int n;

	if (!buf || !len)
		return 0;
	buf[0] = '\0';
	if (!c)
		return 0;
	pthread_mutex_lock(&c->info);
	n = tried_str(c, buf, len);
	pthread_mutex_unlock(&c->info);
	return n;
}

void cred_forget(struct cred *c)
{
	size_t i;

	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	for (i = 0; i < c->ntoks; i++)
		tok_clear(&c->toks[i]);
	c->ntoks = 0;
	c->none[0] = '\0';
	pthread_mutex_unlock(&c->lock);
}

void cred_free(struct cred *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->ntoks; i++)
		tok_clear(&c->toks[i]);
	free_secret(c->static_token);
	free_secret(c->client_secret);
	free_secret(c->cert_pass);
	free_secret(c->identity_header);
	free_secret(c->refresh_token);
	free(c->tenant);
	free(c->client_id);
	free(c->cert_path);
	free(c->fed_file);
	free(c->identity_endpoint);
	free(c->imds_host);
	free(c->imds_endpoint);
	free(c->arc_key_dir);
	free(c->az);
	pthread_mutex_destroy(&c->lock);
	cred_wipe(c, sizeof *c);
	free(c);
}
