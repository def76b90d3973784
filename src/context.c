#include "config.h"
#include "context.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "i18n.h"

static const struct {
	const char *name, *suffix, *arm, *graph;
} clouds[] = {
	[AD_CLOUD_PUBLIC] = { "public", "azurecr.io",
		"https://management.azure.com", "https://graph.microsoft.com" },
	[AD_CLOUD_CHINA] = { "china", "azurecr.cn",
		"https://management.chinacloudapi.cn",
		"https://microsoftgraph.chinacloudapi.cn" },
	[AD_CLOUD_USGOV] = { "usgov", "azurecr.us",
		"https://management.usgovcloudapi.net",
		"https://graph.microsoft.us" },
};

void ctx_init(struct ad_context *c, enum ad_target target)
{
	memset(c, 0, sizeof *c);
	c->target = target;
	c->cloud = AD_CLOUD_PUBLIC;
	snprintf(c->arm, sizeof c->arm, "%s", clouds[c->cloud].arm);
	snprintf(c->graph, sizeof c->graph, "%s", clouds[c->cloud].graph);
	snprintf(c->namespace_, sizeof c->namespace_, "default");
}

const char *ctx_acr_suffix(enum ad_cloud cloud)
{
	if ((unsigned)cloud > AD_CLOUD_USGOV)
		cloud = AD_CLOUD_PUBLIC;
	return clouds[cloud].suffix;
}

const char *ctx_target_str(enum ad_target t)
{
	return t == AD_TARGET_WEBAPP ? "webapp" : "aks";
}

int ctx_cloud_parse(const char *s, enum ad_cloud *out)
{
	size_t i;

	for (i = 0; i < sizeof clouds / sizeof clouds[0]; i++)
		if (s && strcmp(s, clouds[i].name) == 0) {
			*out = (enum ad_cloud)i;
			return 0;
		}
	return AD_EINVAL;
}

const char *ctx_suffix(const struct ad_context *c)
{
	return c->acr_suffix[0] ? c->acr_suffix : ctx_acr_suffix(c->cloud);
}

void ctx_login_server(const struct ad_context *c, char *buf, unsigned len)
{
	snprintf(buf, len, "%s.%s", c->registry, ctx_suffix(c));
}

/* Registry names: 5-50 alphanumerics (Azure's rule). */
int ctx_valid_registry_name(const char *s, struct ad_error *err)
{
	size_t n = s ? strlen(s) : 0, i;

	if (n < 5 || n > 50)
		return ad_error_set(err, AD_EINVAL,
			_("registry name must be 5 to 50 letters or digits"));
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]))
			return ad_error_set(err, AD_EINVAL,
				_("registry name may contain only letters and digits"));
	return 0;
}

/* DNS-1123 subdomain: lowercase alphanumerics, '-' and '.', 253 max. */
int ctx_valid_k8s_name(const char *field, const char *s, struct ad_error *err)
{
	size_t n = s ? strlen(s) : 0, i;

	if (n == 0 || n > 253)
		return ad_error_set(err, AD_EINVAL,
			_("%s must be 1 to 253 characters"), field);
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (!(islower(ch) || isdigit(ch) || ch == '-' || ch == '.'))
			return ad_error_set(err, AD_EINVAL,
				_("%s may contain only lowercase letters, digits, '-' and '.'"),
				field);
	}
	if (s[0] == '-' || s[0] == '.' || s[n - 1] == '-' || s[n - 1] == '.')
		return ad_error_set(err, AD_EINVAL,
			_("%s must start and end with a letter or digit"), field);
	return 0;
}

/* Resource names and groups: letters, digits, '-', '_', '.', '(' ')'. */
int ctx_valid_azure_name(const char *field, const char *s, struct ad_error *err)
{
	size_t n = s ? strlen(s) : 0, i;

	if (n == 0 || n > 90)
		return ad_error_set(err, AD_EINVAL,
			_("%s must be 1 to 90 characters"), field);
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (!(isalnum(ch) || ch == '-' || ch == '_' || ch == '.' ||
		      ch == '(' || ch == ')'))
			return ad_error_set(err, AD_EINVAL,
				_("%s may contain only letters, digits, '-', '_', '.', '(' and ')'"),
				field);
	}
	if (s[n - 1] == '.')
		return ad_error_set(err, AD_EINVAL,
			_("%s must not end with '.'"), field);
	return 0;
}

int ctx_valid_guid(const char *field, const char *s, struct ad_error *err)
{
	static const int dash[] = { 8, 13, 18, 23 };
	size_t i, d = 0;

	if (!s || strlen(s) != 36)
		goto bad;
	for (i = 0; i < 36; i++) {
		if (d < 4 && (int)i == dash[d]) {
			if (s[i] != '-')
				goto bad;
			d++;
		} else if (!isxdigit((unsigned char)s[i])) {
			goto bad;
		}
	}
	return 0;
bad:
	return ad_error_set(err, AD_EINVAL,
		_("%s must be a GUID like 00000000-0000-0000-0000-000000000000"),
		field);
}

int ctx_name_ok(const char *s, const char *extra, size_t max)
{
	size_t n = 0;

	if (!s || !*s)
		return 0;
	for (; *s; s++, n++)
		if (n >= max ||
		    !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr(extra, *s)))
			return 0;
	return 1;
}

int ctx_is_guid(const char *s)
{
	return s && ctx_valid_guid("id", s, NULL) == 0;
}

static int copy_field(char *dst, size_t len, const cJSON *obj,
		      const char *key, struct ad_error *err)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!j || cJSON_IsNull(j))
		return 0;
	if (!cJSON_IsString(j))
		return ad_error_set(err, AD_EINVAL,
			_("context field '%s' must be a string"), key);
	if (strlen(j->valuestring) >= len)
		return ad_error_set(err, AD_EINVAL,
			_("context field '%s' is too long (at most %zu bytes)"),
			key, len - 1);
	snprintf(dst, len, "%s", j->valuestring);
	return 1;
}

int ctx_from_json(struct ad_context *c, const cJSON *obj, struct ad_error *err)
{
	char buf[64] = "";
	int rc;

	if (!cJSON_IsObject(obj))
		return ad_error_set(err, AD_EINVAL,
			_("'context' must be an object"));
#define FIELD(dst, key) \
	if ((rc = copy_field(dst, sizeof dst, obj, key, err)) < 0) return rc
	FIELD(buf, "target");
	if (buf[0]) {
		if (strcmp(buf, "aks") == 0)
			c->target = AD_TARGET_AKS;
		else if (strcmp(buf, "webapp") == 0)
			c->target = AD_TARGET_WEBAPP;
		else
			return ad_error_set(err, AD_EINVAL,
				_("context field 'target' must be \"aks\" or \"webapp\""));
	}
	buf[0] = '\0';
	FIELD(buf, "cloud");
	if (buf[0]) {
		if (ctx_cloud_parse(buf, &c->cloud) != 0)
			return ad_error_set(err, AD_EINVAL,
				_("context field 'cloud' must be public, china or usgov"));
		snprintf(c->arm, sizeof c->arm, "%s", clouds[c->cloud].arm);
		snprintf(c->graph, sizeof c->graph, "%s", clouds[c->cloud].graph);
	}
	FIELD(c->subscription, "subscription");
	FIELD(c->resource_group, "resourceGroup");
	FIELD(c->cluster, "cluster");
	FIELD(c->webapp, "webapp");
	FIELD(c->registry, "registry");
	FIELD(c->registry_group, "registryResourceGroup");
	FIELD(c->namespace_, "namespace");
	FIELD(c->pod, "pod");
	FIELD(c->image, "image");
	FIELD(c->message, "message");
	FIELD(c->kube_server, "kubeServer");
#undef FIELD
	return 0;
}

/* Every name that ends up in a URL path is checked before use. */
int ctx_validate(const struct ad_context *c, struct ad_error *err)
{
	if (c->subscription[0] &&
	    ctx_valid_guid("subscription", c->subscription, err))
		return AD_EINVAL;
	if (c->resource_group[0] &&
	    ctx_valid_azure_name("resourceGroup", c->resource_group, err))
		return AD_EINVAL;
	if (c->registry_group[0] &&
	    ctx_valid_azure_name("registryResourceGroup", c->registry_group, err))
		return AD_EINVAL;
	if (c->cluster[0] && ctx_valid_azure_name("cluster", c->cluster, err))
		return AD_EINVAL;
	if (c->webapp[0] && ctx_valid_azure_name("webapp", c->webapp, err))
		return AD_EINVAL;
	if (c->registry[0] && ctx_valid_registry_name(c->registry, err))
		return AD_EINVAL;
	if (c->namespace_[0] &&
	    ctx_valid_k8s_name("namespace", c->namespace_, err))
		return AD_EINVAL;
	if (c->pod[0] && ctx_valid_k8s_name("pod", c->pod, err))
		return AD_EINVAL;
	if (c->kube_server[0] && strncmp(c->kube_server, "https://", 8) != 0)
		return ad_error_set(err, AD_EINVAL,
			_("kubeServer must start with https://"));
	return 0;
}

cJSON *ctx_to_json(const struct ad_context *c)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "target", ctx_target_str(c->target));
	/* A cloud from a file is named as the file names it: its
	 * endpoints are not those of the built-in one the enum says. */
	cJSON_AddStringToObject(o, "cloud", c->cloud_name[0] ? c->cloud_name
				: clouds[c->cloud].name);
#define OUT(key, v) if ((v)[0]) cJSON_AddStringToObject(o, key, v)
	OUT("subscription", c->subscription);
	OUT("resourceGroup", c->resource_group);
	OUT("cluster", c->cluster);
	OUT("webapp", c->webapp);
	OUT("registry", c->registry);
	OUT("registryResourceGroup", c->registry_group);
	OUT("namespace", c->namespace_);
	OUT("pod", c->pod);
	OUT("image", c->image);
	OUT("message", c->message);
	OUT("kubeServer", c->kube_server);
#undef OUT
	return o;
}
