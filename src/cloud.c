#include "config.h"
#include "cloud.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "i18n.h"
#include "jsonu.h"

#define CLOUD_FILE_MAX (64 * 1024)

static const struct builtin {
	const char *name, *alias, *authority, *arm, *arm_audience, *graph,
		   *suffix;
} builtins[] = {
	{ "AzureCloud", "public", "https://login.microsoftonline.com",
	  "https://management.azure.com",
	  "https://management.core.windows.net/",
	  "https://graph.microsoft.com", "azurecr.io" },
	{ "AzureChinaCloud", "china", "https://login.chinacloudapi.cn",
	  "https://management.chinacloudapi.cn",
	  "https://management.core.chinacloudapi.cn/",
	  "https://microsoftgraph.chinacloudapi.cn", "azurecr.cn" },
	{ "AzureUSGovernment", "usgov", "https://login.microsoftonline.us",
	  "https://management.usgovcloudapi.net",
	  "https://management.core.usgovcloudapi.net/",
	  "https://graph.microsoft.us", "azurecr.us" },
};
#define NBUILTIN (sizeof builtins / sizeof builtins[0])

static void copy(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

static void strip_slash(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && s[n - 1] == '/')
		s[--n] = '\0';
}

static void fill(const struct builtin *b, struct cloud *out)
{
	memset(out, 0, sizeof *out);
	copy(out->name, sizeof out->name, b->name);
	copy(out->authority, sizeof out->authority, b->authority);
	copy(out->arm, sizeof out->arm, b->arm);
	copy(out->arm_audience, sizeof out->arm_audience, b->arm_audience);
	copy(out->graph, sizeof out->graph, b->graph);
	snprintf(out->graph_audience, sizeof out->graph_audience, "%s/",
		 b->graph);
	copy(out->acr_suffix, sizeof out->acr_suffix, b->suffix);
}

int cloud_builtin(const char *name, struct cloud *out)
{
	size_t i;

	for (i = 0; name && i < NBUILTIN; i++)
		if (strcasecmp(name, builtins[i].name) == 0 ||
		    strcasecmp(name, builtins[i].alias) == 0) {
			fill(&builtins[i], out);
			return 0;
		}
	return AD_ENOTFOUND;
}

const char *cloud_short_name(const struct cloud *c)
{
	size_t i;

	for (i = 0; c && i < NBUILTIN; i++)
		if (strcmp(c->name, builtins[i].name) == 0 &&
		    strcmp(c->arm, builtins[i].arm) == 0 &&
		    strcmp(c->acr_suffix, builtins[i].suffix) == 0)
			return builtins[i].alias;
	return NULL;
}

static int host_char(int ch)
{
	return isascii(ch) && (isalnum(ch) || ch == '.' || ch == '-');
}

int cloud_url_ok(const char *url)
{
	const char *p, *host;
	size_t n;

	if (!url || strncmp(url, "https://", 8) != 0)
		return 0;
	n = strlen(url);
	if (n >= CLOUD_URL_MAX)
		return 0;
	for (p = url; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '?' ||
		    *p == '#' || *p == '@' || *p == '\\' ||
		    (unsigned char)*p >= 0x80)
			return 0;
	host = p = url + 8;
	while (host_char((unsigned char)*p))
		p++;
	if (p == host || host[0] == '.' || host[0] == '-' || p[-1] == '-')
		return 0;
	if (*p == ':') {
		long port = 0;
		const char *d = ++p;

		while (isdigit((unsigned char)*p) && p - d < 6)
			port = port * 10 + (*p++ - '0');
		if (p == d || port < 1 || port > 65535)
			return 0;
	}
	return *p == '\0' || *p == '/';
}

/* A suffix like ".azurecr.io": letters, digits, dots and dashes, at
 * least one inner dot, bounded.  Stored without the leading dot. */
static int suffix_ok(const char *s, char *out, size_t len)
{
	const char *p;

	if (*s == '.')
		s++;
	if (!*s || strlen(s) >= len || !strchr(s, '.') || *s == '-')
		return 0;
	for (p = s; *p; p++)
		if (!host_char((unsigned char)*p) ||
		    (p[0] == '.' && (p[1] == '.' || p[1] == '\0')))
			return 0;
	copy(out, len, s);
	return 1;
}

static int name_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n >= sizeof ((struct cloud *)0)->name)
		return 0;
	for (i = 0; i < n; i++)
		if (!isascii((unsigned char)s[i]) ||
		    !(isalnum((unsigned char)s[i]) || strchr("-_. ", s[i])))
			return 0;
	return 1;
}

/* Read an endpoint URL member.  Required members that are missing are an
 * error; optional ones leave dst empty. */
static int get_url(const cJSON *endpoints, const char *key, int required,
		   const char *origin, char *dst, size_t len,
		   struct ad_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(endpoints, key);

	dst[0] = '\0';
	if (!v || cJSON_IsNull(v)) {
		if (!required)
			return 0;
		ad_error_set(err, AD_EPARSE,
			     _("cloud file %s: endpoints.%s is missing"),
			     origin, key);
		ad_error_detail(err, "endpoints.%s", key);
		return AD_EPARSE;
	}
	if (!cJSON_IsString(v) || !cloud_url_ok(v->valuestring)) {
		ad_error_set(err, AD_EPARSE,
			     _("cloud file %s: endpoints.%s must be an https:// "
			       "URL of at most %d characters (host, optional "
			       "port and path)"),
			     origin, key, CLOUD_URL_MAX - 1);
		ad_error_detail(err, "endpoints.%s", key);
		return AD_EPARSE;
	}
	copy(dst, len, v->valuestring);
	return 0;
}

int cloud_from_json(const char *text, size_t len, const char *origin,
		    struct cloud *out, struct ad_error *err)
{
	cJSON *root;
	const cJSON *ep, *sx, *name, *acr;
	struct cloud c;
	int rc;

	if (!origin)
		origin = "-";
	memset(&c, 0, sizeof c);
	root = text ? jsonu_parse(text, len) : NULL;
	if (!root || !cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return ad_error_set(err, AD_EPARSE,
				    _("cloud file %s is not a JSON object"),
				    origin);
	}
	name = cJSON_GetObjectItemCaseSensitive(root, "name");
	ep = cJSON_GetObjectItemCaseSensitive(root, "endpoints");
	sx = cJSON_GetObjectItemCaseSensitive(root, "suffixes");
	if (!cJSON_IsString(name) || !name_ok(name->valuestring)) {
		rc = ad_error_set(err, AD_EPARSE,
				  _("cloud file %s: name must be a string of "
				    "1-63 letters, digits, '-', '_', '.' or "
				    "spaces"), origin);
		ad_error_detail(err, "name");
		goto out;
	}
	copy(c.name, sizeof c.name, name->valuestring);
	if (!cJSON_IsObject(ep)) {
		rc = ad_error_set(err, AD_EPARSE,
				  _("cloud file %s: endpoints is missing or "
				    "not an object"), origin);
		ad_error_detail(err, "endpoints");
		goto out;
	}
	if (!cJSON_IsObject(sx)) {
		rc = ad_error_set(err, AD_EPARSE,
				  _("cloud file %s: suffixes is missing or "
				    "not an object"), origin);
		ad_error_detail(err, "suffixes");
		goto out;
	}
	if ((rc = get_url(ep, "activeDirectory", 1, origin, c.authority,
			  sizeof c.authority, err)) < 0 ||
	    (rc = get_url(ep, "resourceManager", 1, origin, c.arm,
			  sizeof c.arm, err)) < 0 ||
	    (rc = get_url(ep, "activeDirectoryResourceId", 0, origin,
			  c.arm_audience, sizeof c.arm_audience, err)) < 0 ||
	    (rc = get_url(ep, "microsoftGraphResourceId", 0, origin,
			  c.graph_audience, sizeof c.graph_audience, err)) < 0)
		goto out;
	acr = cJSON_GetObjectItemCaseSensitive(sx, "acrLoginServerEndpoint");
	if (!cJSON_IsString(acr) ||
	    !suffix_ok(acr->valuestring, c.acr_suffix, sizeof c.acr_suffix)) {
		rc = ad_error_set(err, AD_EPARSE,
				  _("cloud file %s: suffixes.acrLoginServerEndpoint "
				    "must be a DNS suffix such as \".azurecr.io\""),
				  origin);
		ad_error_detail(err, "suffixes.acrLoginServerEndpoint");
		goto out;
	}
	if (!c.arm_audience[0])
		snprintf(c.arm_audience, sizeof c.arm_audience, "%s", c.arm);
	copy(c.graph, sizeof c.graph, c.graph_audience);
	strip_slash(c.arm);
	strip_slash(c.authority);
	strip_slash(c.graph);
	*out = c;
	rc = 0;
out:
	cJSON_Delete(root);
	return rc;
}

/* A name without a path separator or ".json" ending is a cloud name. */
static int looks_like_file(const char *s)
{
	size_t n = strlen(s);

	return strchr(s, '/') || (n > 5 && strcasecmp(s + n - 5, ".json") == 0);
}

int cloud_load(const char *name_or_file, struct cloud *out,
	       struct ad_error *err)
{
	FILE *f;
	char *buf;
	size_t n;
	int rc;

	if (!name_or_file || !*name_or_file)
		return ad_error_set(err, AD_EINVAL, _("no cloud name given"));
	if (cloud_builtin(name_or_file, out) == 0)
		return 0;
	f = fopen(name_or_file, "rbe");
	if (!f) {
		if (errno == ENOENT && !looks_like_file(name_or_file))
			return ad_error_set(err, AD_ENOTFOUND,
					    _("unknown cloud \"%.64s\": use "
					      "AzureCloud, AzureChinaCloud, "
					      "AzureUSGovernment or the path of "
					      "a file written by `az cloud show`"),
					    name_or_file);
		return ad_error_set(err, errno == ENOENT ? AD_ENOTFOUND : AD_EIO,
				    _("cannot read cloud file %s: %s"),
				    name_or_file, strerror(errno));
	}
	buf = malloc(CLOUD_FILE_MAX + 1);
	if (!buf) {
		fclose(f);
		return ad_error_set(err, AD_ENOMEM, _("out of memory"));
	}
	n = fread(buf, 1, CLOUD_FILE_MAX + 1, f);
	if (ferror(f))
		rc = ad_error_set(err, AD_EIO, _("cannot read cloud file %s"),
				  name_or_file);
	else if (n > CLOUD_FILE_MAX)
		rc = ad_error_set(err, AD_EPARSE,
				  _("cloud file %s is larger than %d KiB"),
				  name_or_file, CLOUD_FILE_MAX / 1024);
	else
		rc = cloud_from_json(buf, n, name_or_file, out, err);
	fclose(f);
	free(buf);
	return rc;
}

int cloud_select(const char *opt, struct cloud *out, struct ad_error *err)
{
	const char *env = getenv("AZURE_CLOUD");

	if (opt && *opt)
		return cloud_load(opt, out, err);
	if (env && *env)
		return cloud_load(env, out, err);
	return cloud_load("AzureCloud", out, err);
}
