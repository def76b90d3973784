/* webapp.c - the App Service Web App checks (webapp.*).
 *
 * The app's side is read from three answers: the site (identity,
 * outbound IPs, VNet integration), its web config (acrUseManagedIdentity-
 * Creds, acrUserManagedIdentityID, linuxFxVersion) and its app settings
 * (DOCKER_REGISTRY_SERVER_*).  The registry's side is its ARM resource,
 * its role assignments, its admin credentials and its /v2 API.  The
 * settings' username and password are first asked at the registry itself
 * (its answer decides; ARM, or Graph for a service principal, says why);
 * app settings and admin passwords are compared here and never copied
 * into a result. */
#include "config.h"
#include "checks/groups.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "checks/aks_common.h"
#include "checks/image.h"
#include "checks/roles.h"
#include "checks/seen_ip.h"
#include "classify.h"
#include "context.h"
#include "err.h"
#include "facts.h"
#include "fixes/netrule.h"
#include "i18n.h"
#include "jsonu.h"
#include "redact.h"
#include "weblog.h"

#define MAX_IPS 64          /* outbound addresses we look at */
#define MAX_TAGS_SHOWN 30   /* tags listed in evidence */

/* ---------- reading the world ---------- */

static int read_site(struct facts *f, const cJSON **out, struct ad_error *err)
{
	char id[512];
	cJSON *j;
	int rc;

	facts_webapp_id(f, id, sizeof id);
	rc = arm_get(f, id, API_WEB, &j, err);
	*out = j;
	return rc;
}

static int read_config(struct facts *f, const cJSON **out,
		       struct ad_error *err)
{
	char id[512], path[600];
	cJSON *j;
	int rc;

	facts_webapp_id(f, id, sizeof id);
	snprintf(path, sizeof path, "%s/config/web", id);
	rc = arm_get(f, path, API_WEB, &j, err);
	*out = j;
	return rc;
}

static int read_settings(struct facts *f, const cJSON **out,
			 struct ad_error *err)
{
	char id[512], path[600];
	cJSON *j;
	int rc;

	facts_webapp_id(f, id, sizeof id);
	snprintf(path, sizeof path, "%s/config/appsettings/list", id);
	rc = arm_post(f, path, API_WEB, NULL, &j, err);
	*out = j;
	return rc;
}

static int read_registry(struct facts *f, const cJSON **out,
			 struct ad_error *err)
{
	char id[512];
	cJSON *j;
	int rc;

	facts_registry_id(f, id, sizeof id);
	rc = arm_get(f, id, API_ACR, &j, err);
	*out = j;
	return rc;
}


/* The container image of the app ("DOCKER|<image>"), or NULL. */
static const char *app_image(const cJSON *cfg, const char **which)
{
	static const char *const keys[] = { "properties.linuxFxVersion",
					    "properties.windowsFxVersion" };
	size_t i;

	for (i = 0; i < 2; i++) {
		const char *v = jsonu_str(cfg, keys[i]);

		if (v && strncasecmp(v, "DOCKER|", 7) == 0 && v[7]) {
			*which = keys[i] + 11;
			return v + 7;
		}
	}
	return NULL;
}

/* The registry's login server: its own answer when it is a sane host
 * name, else <registry>.<suffix> from the context. */
static void login_server(struct facts *f, const cJSON *reg, char *buf,
			 size_t len)
{
	const char *l = jsonu_str(reg, "properties.loginServer");

	if (ctx_name_ok(l, ".-", 253))
		snprintf(buf, len, "%s", l);
	else
		ctx_login_server(f->ctx, buf, (unsigned)len);
}

/* The app's name, for summaries. */
static const char *app_name(const struct facts *f)
{
	return f->ctx->webapp;
}

/* Public network access: 1 open to all, 0 limited (selected networks or
 * disabled). */
static int registry_open(const cJSON *reg)
{
	const char *pna = jsonu_str(reg, "properties.publicNetworkAccess");
	const char *da = jsonu_str(reg, "properties.networkRuleSet.defaultAction");

	if (pna && strcasecmp(pna, "Disabled") == 0)
		return 0;
	return !da || strcasecmp(da, "Allow") == 0;
}

static int public_disabled(const cJSON *reg)
{
	const char *pna = jsonu_str(reg, "properties.publicNetworkAccess");

	return pna && strcasecmp(pna, "Disabled") == 0;
}

/* Approved private endpoint connections of the registry. */
static int approved_endpoints(const cJSON *reg)
{
	const cJSON *arr = jsonu_array(reg, "properties.privateEndpointConnections");
	const cJSON *c;
	int n = 0;

	cJSON_ArrayForEach(c, arr) {
		const char *st = jsonu_str(c,
			"properties.privateLinkServiceConnectionState.status");

		if (st && strcasecmp(st, "Approved") == 0)
			n++;
	}
	return n;
}

/* The app's VNet integration subnet id, or NULL. */
static const char *vnet_subnet(const cJSON *site)
{
	const char *s = jsonu_str(site, "properties.virtualNetworkSubnetId");

	return s && *s ? s : NULL;
}

/* Image pull over the VNet: the older vnetImagePullEnabled or the newer
 * outboundVnetRouting.imagePullTraffic. */
static int vnet_image_pull(const cJSON *site)
{
	return jsonu_bool(site, "properties.vnetImagePullEnabled", 0) ||
	       jsonu_bool(site, "properties.outboundVnetRouting.imagePullTraffic", 0);
}

/* Append the addresses of a comma-separated list to ips[] after the
 * first `have` (IPv4 text only: App Service lists IPv6 addresses in other
 * fields), skipping duplicates; returns the new count (at most max). */
static size_t split_ips(const char *list, char ips[][16], size_t have,
			size_t max)
{
	size_t n = have;

	while (list && *list && n < max) {
		const char *end = strchr(list, ',');
		size_t len = end ? (size_t)(end - list) : strlen(list);
		char ip[16];
		size_t i;
		int dup = 0;

		while (len && *list == ' ') {
			list++;
			len--;
		}
		while (len && list[len - 1] == ' ')
			len--;
		if (len > 0 && len < sizeof ip) {
			memcpy(ip, list, len);
			ip[len] = '\0';
			if (strspn(ip, "0123456789.") == len) {
				for (i = 0; i < n; i++)
					dup |= strcmp(ips[i], ip) == 0;
				if (!dup)
					snprintf(ips[n++], 16, "%s", ip);
			}
		}
		if (!end)
			break;
		list = end + 1;
	}
	return n;
}

/* ---------- webapp.health ---------- */

static int run_health(struct facts *f, struct check_result *res)
{
	return check_registry_health(f, res);
}

/* ---------- webapp.log ---------- */

/* The classifier may name the AKS form of a cause when the line lacks
 * App Service markers; in a web app's log they are the webapp causes. */
static const char *webapp_label(const char *cause)
{
	static const struct { const char *aks, *web; } map[] = {
		{ "aks.401", "webapp.unauthorized" },
		{ "aks.401-arch", "webapp.unauthorized" },
		{ "aks.notfound", "webapp.manifest-unknown" },
		{ "aks.403", "webapp.ip-denied" },
	};
	size_t i;

	for (i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(cause, map[i].aks) == 0)
			return map[i].web;
	return cause;
}

/* The newest lines of the container log are read, at most this much. */
#define WEBLOG_TAIL (64 * 1024)
#define ACTION_CONTAINERLOGS "Microsoft.Web/sites/containerlogs/action"

/* No line was given: the newest pull's line from the web app's
 * container log (what the portal's log stream shows) into line.  0 with
 * line filled; 1 when the verdict is said (nothing to classify); or
 * AD_ENOMEM. */
static int log_from_container(struct facts *f, struct check_result *res,
			      char *line, size_t len)
{
	struct ad_error err = { 0 };
	struct weblog_pick pick;
	char path[600], *text = NULL;
	size_t n = 0;
	long status = 0;
	int rc;

	facts_webapp_id(f, path, sizeof path);
	strncat(path, "/containerlogs", sizeof path - strlen(path) - 1);
	rc = arm_post_text(f, path, API_WEB, WEBLOG_TAIL, &text, &n, &status,
			   &err);
	if (rc == AD_ENOMEM)
		return rc;
	if (rc == AD_EDENIED) {
		if (ev_str(res, "needs", "%s", ACTION_CONTAINERLOGS))
			return AD_ENOMEM;
		check_say(res, CHECK_UNKNOWN,
			  _("cannot read the web app's container log: it needs the permission %s (%s); paste the pull error with --message"),
			  ACTION_CONTAINERLOGS, err.msg);
		return 1;
	}
	if (rc != 0) {
		check_unknown(res, _("cannot read the web app's container log"),
			      &err);
		return 1;
	}
	if (ev_str(res, "source", "%s", "container log") ||
	    ev_num(res, "log_bytes", (double)n)) {
		free(text);
		return AD_ENOMEM;
	}
	if (!text || n == 0) {
		check_say(res, CHECK_NA,
			  _("no log line: the web app's container log is empty (HTTP %ld); paste the pull error from Deployment Center > Logs or the log stream"),
			  status);
		free(text);
		return 1;
	}
	rc = weblog_pick(text, n, line, len, &pick);
	redact_wipe(text, n);
	free(text);
	if (rc != 0)
		return rc;
	if (pick.found == WEBLOG_NONE) {
		check_say(res, CHECK_NA,
			  _("no log line: the last %zu bytes of the web app's container log (%zu lines) show no image pull, failed or successful"),
			  n, pick.lines);
		return 1;
	}
	if (ev_num(res, "log_line", (double)pick.line) ||
	    ev_str(res, "log_text", "%s", line))
		return AD_ENOMEM;
	return 0;
}

static int run_log(struct facts *f, struct check_result *res)
{
	const char *msg = f->ctx->message, *label;
	char logline[sizeof f->ctx->message];
	struct classify_result cr;
	size_t i;
	int rc;

	check_command(res, "az webapp log tail --name %s --resource-group %s",
		      f->ctx->webapp, f->ctx->resource_group);
	if (!msg[0]) {
		rc = log_from_container(f, res, logline, sizeof logline);
		if (rc != 0)
			return rc < 0 ? rc : 0;
		msg = logline;
	} else if (ev_str(res, "source", "%s", "given")) {
		return AD_ENOMEM;
	}
	memset(&cr, 0, sizeof cr);
	rc = classify_message(msg, strlen(msg), &cr);
	if (rc == AD_ENOMEM)
		return rc;
	if (rc != 0 || !cr.cause || strcmp(cr.cause, "other") == 0) {
		if (ev_str(res, "classified", "%s", "other") ||
		    (cr.note[0] && ev_str(res, "note", "%s", cr.note)))
			return AD_ENOMEM;
		/* A failure the tree has no branch for (x509, a 5xx, a
		 * rate limit) is not a healthy log: say so, do not pass. */
		if (cr.rule && strcmp(cr.rule, "none") != 0)
			check_say(res, CHECK_UNKNOWN,
				  _("the log line shows a pull failure this guide has no branch for (%s)"),
				  cr.note[0] ? cr.note : cr.rule);
		else if (cr.note[0])
			check_say(res, CHECK_PASS,
				  _("the log line is none of the pull errors this guide covers (%s)"),
				  cr.note);
		else
			check_say(res, CHECK_PASS,
				  _("the log line is none of the pull errors this guide covers"));
		return 0;
	}
	label = webapp_label(cr.cause);
	if (ev_str(res, "classified", "%s", label) ||
	    check_data_str(res, "classified", label) ||
	    (cr.evidence[0] && ev_str(res, "matched", "%s", cr.evidence)) ||
	    (cr.rule && ev_str(res, "rule", "%s", cr.rule)))
		return AD_ENOMEM;
	/* Other causes the wording fits: the diagnosis takes one only when
	 * its own check fails. */
	for (i = 0; i < cr.nalt; i++) {
		const char *alt = webapp_label(cr.alternatives[i]);

		if (strcmp(alt, label) == 0)
			continue;
		if (ev_list_add(res, "alternatives", alt) ||
		    check_data_list_add(res, "alternatives", alt))
			return AD_ENOMEM;
	}
	if (cr.nalt)
		check_say(res, CHECK_FAIL,
			  _("the log line is a pull error: %s (the wording also fits %s; the checks will tell)"),
			  label, webapp_label(cr.alternatives[0]));
	else
		check_say(res, CHECK_FAIL, _("the log line is a pull error: %s"),
			  label);
	return 0;
}

/* ---------- webapp.unauthorized.admin ---------- */

/* DOCKER_REGISTRY_SERVER_URL names https://<login server> (case of the
 * host and a trailing slash do not matter). */
static int url_matches(const char *url, const char *login)
{
	size_t n;

	if (!url || strncasecmp(url, "https://", 8) != 0)
		return 0;
	url += 8;
	n = strlen(login);
	if (strncasecmp(url, login, n) != 0)
		return 0;
	url += n;
	return *url == '\0' || (url[0] == '/' && url[1] == '\0');
}

/* The repository of the app's image when the image is on login, the
 * scope the registry is asked for; "" otherwise. */
static void app_repo(const cJSON *cfg, const char *login, char *repo,
		     size_t len)
{
	struct ad_error err = { 0 };
	struct image_ref ref;
	const char *which, *img = app_image(cfg, &which);

	repo[0] = '\0';
	if (!img || image_parse(img, &ref, &err) != 0 ||
	    strcasecmp(ref.registry, login) != 0 ||
	    strlen(ref.repository) >= len)
		return;
	snprintf(repo, len, "%s", ref.repository);
}

/* The registry answered the settings' credentials: its answer is the
 * verdict; why, from ARM, follows a refusal ("" when ARM tells nothing
 * more). */
static void registry_verdict(struct check_result *res, enum aks_reg_says says,
			     const char *said, const char *why)
{
	if (says == AKS_REG_ACCEPTED)
		check_say(res, CHECK_PASS, "%s", said);
	else if (why[0])
		check_say(res, CHECK_FAIL, "%s: %s", said, why);
	else
		check_say(res, CHECK_FAIL, "%s", said);
}

/* A service principal in the settings (DOCKER_REGISTRY_SERVER_USERNAME
 * is its application id): the registry's answer decides; Microsoft Graph
 * says why it refused, as for a pull secret made from one. */
static int settings_sp(struct facts *f, struct check_result *res,
		       const char *app_id, enum aks_reg_says says,
		       const char *said)
{
	struct aks_cred_count cc;
	struct ad_error err = { 0 };
	char why[512];
	time_t now;
	int rc, app = 0;

	if (ev_str(res, "username", "%s", "application id") ||
	    check_data_str(res, "appId", app_id))
		return AD_ENOMEM;
	if (says == AKS_REG_ACCEPTED) {
		check_say(res, CHECK_PASS, "%s", said);
		return 0;
	}
	if (ad_now(&now) != 0)
		rc = ad_error_set(&err, AD_EINVAL,
			_("ACR_DOCTOR_NOW is not an ISO 8601 time"));
	else
		rc = aks_sp_creds(f, res, app_id, now, &cc, &app, &err);
	if (rc == AD_ENOMEM)
		return rc;
	if (rc == AD_ENOTFOUND && !app)
		snprintf(why, sizeof why,
			 _("DOCKER_REGISTRY_SERVER_USERNAME names service principal %s, which does not exist in this tenant"),
			 app_id);
	else if (rc != 0)
		snprintf(why, sizeof why, _("why cannot be told (%s: %s)"),
			 _("cannot read the service principal in Microsoft Graph"),
			 err.msg);
	else if (cc.valid)
		snprintf(why, sizeof why,
			 _("service principal %s has a valid client secret (until %s), but not the one in DOCKER_REGISTRY_SERVER_PASSWORD"),
			 app_id, cc.latest);
	else if (cc.unreadable)
		snprintf(why, sizeof why,
			 _("the end dates of the client secrets of service principal %s cannot be read"),
			 app_id);
	else
		snprintf(why, sizeof why,
			 _("the client secrets of service principal %s have all expired (the last on %s)"),
			 app_id, cc.latest[0] ? cc.latest : "?");
	registry_verdict(res, says, said, why);
	return 0;
}

static int run_admin(struct facts *f, struct check_result *res)
{
	const cJSON *cfg, *settings, *reg, *creds, *props, *pw;
	const char *url, *user, *pass, *cuser, *matched = NULL, *first = NULL,
		   *slot = NULL;
	char login[256], regid[512], shown[256], repo[256], said[768],
	     whose[300], why[512];
	struct ad_error err = { 0 };
	enum aks_reg_says says = AKS_REG_UNASKED;
	int url_ok, user_ok, pass_ok, kv, asked = 0, n = 0;

	check_command(res,
		"az webapp config appsettings list --name %s --resource-group %s; az acr credential show --name %s --query username",
		f->ctx->webapp, f->ctx->resource_group, f->ctx->registry);
	if (read_config(f, &cfg, &err) != 0) {
		check_unknown(res, _("cannot read the web app's configuration"), &err);
		return 0;
	}
	if (jsonu_bool(cfg, "properties.acrUseManagedIdentityCreds", 0)) {
		check_say(res, CHECK_NA,
			  _("%s pulls with a managed identity (acrUseManagedIdentityCreds is true), not with the admin user"),
			  app_name(f));
		return 0;
	}
	if (read_settings(f, &settings, &err) != 0) {
		check_unknown(res, _("cannot read the web app's app settings"), &err);
		return 0;
	}
	props = jsonu_path(settings, "properties");
	user = jsonu_member_str(props, "DOCKER_REGISTRY_SERVER_USERNAME");
	if (!user || !user[0]) {
		check_say(res, CHECK_NA,
			  _("the app settings of %s name no registry user (DOCKER_REGISTRY_SERVER_USERNAME): it does not pull with the admin user"),
			  app_name(f));
		return 0;
	}
	url = jsonu_member_str(props, "DOCKER_REGISTRY_SERVER_URL");
	pass = jsonu_member_str(props, "DOCKER_REGISTRY_SERVER_PASSWORD");
	if (pass && !pass[0])
		pass = NULL;   /* an empty setting is a missing one */
	/* A Key Vault reference is resolved by App Service only: nothing
	 * that could be sent. */
	kv = pass && strncmp(pass, "@Microsoft.KeyVault(", 20) == 0;
	if (read_registry(f, &reg, &err) != 0) {
		check_unknown(res, _("cannot read the registry"), &err);
		return 0;
	}
	login_server(f, reg, login, sizeof login);
	if (check_data_str(res, "loginServer", login) ||
	    check_data_str(res, "registry", f->ctx->registry))
		return AD_ENOMEM;
	res->fix = "webapp-settings";

	url_ok = url_matches(url, login);
	if (url && ctx_name_ok(url, ".-:/", 200))
		snprintf(shown, sizeof shown, "%s", url);
	else
		snprintf(shown, sizeof shown, "%s", url ? _("(unexpected value)") :
			 _("(not set)"));
	if (ev_str(res, "settings_url", "%s", shown) ||
	    ev_str(res, "expected_url", "https://%s", login) ||
	    ev_str(res, "url", "%s", url_ok ? "match" : "mismatch"))
		return AD_ENOMEM;

	/* First what App Service would hear: the registry's own answer to
	 * the settings' username and password, asked only of the registry
	 * the settings name (the password goes nowhere else). */
	if (url_ok && pass && !kv) {
		snprintf(whose, sizeof whose, _("the app settings of %s"),
			 app_name(f));
		app_repo(cfg, login, repo, sizeof repo);
		if (aks_registry_login(f, res, login, repo,
				       REG_CRED_APP_SETTINGS, user, pass, whose,
				       said, sizeof said, &says) != 0)
			return AD_ENOMEM;
		asked = 1;
	} else if (ev_str(res, "registryAnswer", "not asked: %s",
			  !url_ok ? "DOCKER_REGISTRY_SERVER_URL does not name the registry" :
			  kv ? "DOCKER_REGISTRY_SERVER_PASSWORD is a Key Vault reference" :
			  "DOCKER_REGISTRY_SERVER_PASSWORD is not set")) {
		return AD_ENOMEM;
	}
	/* A service principal (an application id): Graph, not ARM's admin
	 * user, explains the registry's answer. */
	if (ctx_is_guid(user) && says != AKS_REG_UNASKED)
		return settings_sp(f, res, user, says, said);

	/* Then ARM says why: the admin user, its passwords. */
	if (!jsonu_bool(reg, "properties.adminUserEnabled", 0)) {
		if (ev_bool(res, "admin_user_enabled", 0) ||
		    check_data_str(res, "adminUserEnabled", "no"))
			return AD_ENOMEM;
		if (says != AKS_REG_UNASKED) {
			snprintf(why, sizeof why, _("the admin user of %s is disabled"),
				 f->ctx->registry);
			registry_verdict(res, says, said, why);
			return 0;
		}
		check_say(res, CHECK_FAIL,
			  _("the app settings of %s use the admin user, but the admin user of %s is disabled"),
			  app_name(f), f->ctx->registry);
		if (asked)
			aks_note_unasked(res);
		return 0;
	}
	if (ev_bool(res, "admin_user_enabled", 1))
		return AD_ENOMEM;

	facts_registry_id(f, regid, sizeof regid);
	{
		char path[600];
		cJSON *j;

		snprintf(path, sizeof path, "%s/listCredentials", regid);
		if (arm_post(f, path, API_ACR_CREDS, NULL, &j, &err) != 0) {
			if (says != AKS_REG_UNASKED) {
				snprintf(why, sizeof why, _("why cannot be told (%s: %s)"),
					 _("cannot read the registry's admin credentials"),
					 err.msg);
				registry_verdict(res, says, said,
						 says == AKS_REG_REFUSED ? why : "");
				return 0;
			}
			res->fix = NULL;
			check_unknown(res,
				_("cannot read the registry's admin credentials"), &err);
			if (asked)
				aks_note_unasked(res);
			return 0;
		}
		creds = j;
	}
	cuser = jsonu_str(creds, "username");
	user_ok = cuser && strcasecmp(cuser, user) == 0;
	if (cuser && ctx_name_ok(cuser, "-", 50) &&
	    check_data_str(res, "adminUser", cuser))
		return AD_ENOMEM;
	if (ev_str(res, "username", "%s", user_ok ? "match" : "mismatch"))
		return AD_ENOMEM;

	n = aks_admin_password_find(creds, pass, &pw, &first);
	if (pw) {
		matched = jsonu_str(pw, "value");
		slot = jsonu_str(pw, "name");
	}
	if (kv) {
		if (ev_str(res, "password", "%s", "key-vault-reference"))
			return AD_ENOMEM;
		if (url_ok && user_ok) {
			res->fix = NULL;
			check_say(res, CHECK_UNKNOWN,
				  _("DOCKER_REGISTRY_SERVER_PASSWORD of %s is a Key Vault reference: compare the secret in Key Vault with the admin passwords of %s"),
				  app_name(f), f->ctx->registry);
			return 0;
		}
		pass_ok = 1;   /* not the reason we fail */
	} else {
		/* Only "match", "mismatch" or "missing" leaves this call. */
		if (ev_secret_match(res, "password", pass, matched ? matched :
				    first ? first : ""))
			return AD_ENOMEM;
		pass_ok = matched != NULL;
		if (matched && slot && ctx_name_ok(slot, "", 16) &&
		    ev_str(res, "password_slot", "%s", slot))
			return AD_ENOMEM;
	}
	if (ev_num(res, "admin_passwords", n))
		return AD_ENOMEM;
	if (says != AKS_REG_UNASKED) {
		if (!user_ok)
			snprintf(why, sizeof why,
				 _("DOCKER_REGISTRY_SERVER_USERNAME is not the admin user %s"),
				 cuser && ctx_name_ok(cuser, "-", 50) ? cuser :
				 f->ctx->registry);
		else if (!pass_ok)
			snprintf(why, sizeof why,
				 ngettext("DOCKER_REGISTRY_SERVER_PASSWORD is not the admin password of %2$s (it has %1$d; it was regenerated or the setting is mistyped)",
					  "DOCKER_REGISTRY_SERVER_PASSWORD matches none of the %1$d admin passwords of %2$s (they were regenerated or the setting is mistyped)",
					  (unsigned long)n),
				 n, f->ctx->registry);
		else
			snprintf(why, sizeof why,
				 _("although DOCKER_REGISTRY_SERVER_PASSWORD matches an admin password of %s"),
				 f->ctx->registry);
		registry_verdict(res, says, said, why);
		return 0;
	}
	/* The registry was not asked, or could not be: ARM alone decides. */
	if (url_ok && user_ok && pass_ok) {
		check_say(res, CHECK_PASS,
			  _("the registry URL, user name and password in the app settings of %s match the admin user of %s"),
			  app_name(f), f->ctx->registry);
	} else {
		char what[128] = "";

		if (!url_ok)
			strcat(what, "DOCKER_REGISTRY_SERVER_URL");
		if (!user_ok)
			strcat(strcat(what, what[0] ? ", " : ""),
			       "DOCKER_REGISTRY_SERVER_USERNAME");
		if (!pass_ok)
			strcat(strcat(what, what[0] ? ", " : ""),
			       "DOCKER_REGISTRY_SERVER_PASSWORD");
		check_say(res, CHECK_FAIL,
			  _("the app settings of %s do not match the admin user of %s: %s"),
			  app_name(f), f->ctx->registry, what);
	}
	if (asked)
		aks_note_unasked(res);
	return 0;
}

/* ---------- webapp.unauthorized.identity ---------- */

static int run_identity(struct facts *f, struct check_result *res)
{
	const cJSON *cfg, *site, *uas, *it;
	const char *uami, *principal = NULL, *type;
	char regid[512], label[160];
	struct ad_error err = { 0 };
	int rc, found = 0;

	facts_registry_id(f, regid, sizeof regid);
	check_command(res,
		"az webapp config show --name %s --resource-group %s --query \"{managedIdentity:acrUseManagedIdentityCreds, clientId:acrUserManagedIdentityID}\"",
		f->ctx->webapp, f->ctx->resource_group);
	if (read_config(f, &cfg, &err) != 0) {
		check_unknown(res, _("cannot read the web app's configuration"), &err);
		return 0;
	}
	if (!jsonu_bool(cfg, "properties.acrUseManagedIdentityCreds", 0)) {
		check_say(res, CHECK_NA,
			  _("%s does not pull with a managed identity (acrUseManagedIdentityCreds is false)"),
			  app_name(f));
		return 0;
	}
	if (read_site(f, &site, &err) != 0) {
		check_unknown(res, _("cannot read the web app"), &err);
		return 0;
	}
	uami = jsonu_str(cfg, "properties.acrUserManagedIdentityID");
	if (uami && uami[0]) {
		/* A client id (or, from some tools, the identity's resource
		 * id): find the identity on the site, keyed by resource id. */
		uas = jsonu_path(site, "identity.userAssignedIdentities");
		if (!cJSON_IsObject(uas))
			uas = NULL;
		it = NULL;
		cJSON_ArrayForEach(it, uas) {
			const char *cid = jsonu_str(it, "clientId");

			if ((cid && strcasecmp(cid, uami) == 0) ||
			    (it->string && jsonu_id_eq(it->string, uami))) {
				principal = jsonu_str(it, "principalId");
				snprintf(label, sizeof label,
					 _("user-assigned identity %.80s"),
					 it->string && ctx_name_ok(jsonu_id_name(it->string), "._-", 128) ?
					 jsonu_id_name(it->string) : "?");
				break;
			}
		}
		if (ctx_name_ok(uami, "-", 64) &&
		    ev_str(res, "acrUserManagedIdentityID", "%s", uami))
			return AD_ENOMEM;
		if (!it) {
			check_say(res, CHECK_FAIL,
				  _("acrUserManagedIdentityID of %s names an identity that is not assigned to the app: assign it with az webapp identity assign, or clear the setting"),
				  app_name(f));
			check_command(res,
				"az webapp identity show --name %s --resource-group %s",
				f->ctx->webapp, f->ctx->resource_group);
			return 0;
		}
	} else {
		type = jsonu_str(site, "identity.type");
		principal = jsonu_str(site, "identity.principalId");
		snprintf(label, sizeof label, "%s", _("system-assigned identity"));
		if (!principal || !type || !strstr(type, "SystemAssigned")) {
			check_say(res, CHECK_FAIL,
				  _("%s pulls with its system-assigned identity, but it has none: turn it on with az webapp identity assign"),
				  app_name(f));
			check_command(res,
				"az webapp identity show --name %s --resource-group %s",
				f->ctx->webapp, f->ctx->resource_group);
			return 0;
		}
	}
	if (!principal || ctx_valid_guid("principalId", principal, &err) != 0) {
		check_say(res, CHECK_UNKNOWN,
			  _("the %s of %s has no valid principal id"), label,
			  app_name(f));
		return 0;
	}
	check_command(res,
		"az role assignment list --assignee %s --scope %s --include-inherited -o table",
		principal, regid);
	if (ev_str(res, "identity", "%s", label) ||
	    ev_str(res, "principalId", "%s", principal) ||
	    check_data_str(res, "principalId", principal) ||
	    check_data_str(res, "principalType", "ServicePrincipal") ||
	    check_data_str(res, "registryId", regid))
		return AD_ENOMEM;
	rc = roles_principal_can_pull(f, regid, principal, res, &found, &err);
	if (rc == AD_ENOMEM)
		return rc;
	if (rc != 0) {
		check_unknown(res, _("cannot read the registry's role assignments"),
			      &err);
		return 0;
	}
	if (found) {
		check_say(res, CHECK_PASS, _("the %s of %s (%s) may pull from %s"),
			  label, app_name(f), principal, f->ctx->registry);
		return 0;
	}
	res->fix = "webapp-acrpull";
	check_say(res, CHECK_FAIL,
		  _("the %s of %s (%s) has no role that may pull from %s (no Microsoft.ContainerRegistry/registries/pull/read): its AcrPull assignment is missing, deleted or blocked by an Azure Policy"),
		  label, app_name(f), principal, f->ctx->registry);
	return 0;
}

/* ---------- webapp.manifest-unknown ---------- */

static int run_manifest(struct facts *f, struct check_result *res)
{
	const cJSON *cfg, *reg, *tags, *t;
	const char *img, *which = "linuxFxVersion";
	char login[256];
	struct image_ref ref;
	struct ad_error err = { 0 };
	long status = 0;
	cJSON *j;
	int rc, n = 0;

	check_command(res,
		"az webapp config show --name %s --resource-group %s --query linuxFxVersion",
		f->ctx->webapp, f->ctx->resource_group);
	if (read_config(f, &cfg, &err) != 0) {
		check_unknown(res, _("cannot read the web app's configuration"), &err);
		return 0;
	}
	img = app_image(cfg, &which);
	if (!img) {
		check_say(res, CHECK_NA,
			  _("%s does not run a single custom container (no DOCKER| image in linuxFxVersion or windowsFxVersion)"),
			  app_name(f));
		return 0;
	}
	if (image_parse(img, &ref, &err) != 0) {
		check_unknown(res, _("cannot understand the app's image reference"),
			      &err);
		return 0;
	}
	if (ev_str(res, "image", "%s", ref.canonical) ||
	    ev_str(res, "setting", "%s", which))
		return AD_ENOMEM;
	if (read_registry(f, &reg, &err) != 0) {
		check_unknown(res, _("cannot read the registry"), &err);
		return 0;
	}
	login_server(f, reg, login, sizeof login);
	check_command(res, "az acr repository show-tags --name %s --repository %s",
		      f->ctx->registry, ref.repository);
	if (strcasecmp(ref.registry, login) != 0) {
		check_say(res, CHECK_NA, _("the app's image comes from %s, not from %s"),
			  ref.registry, login);
		return 0;
	}
	rc = reg_manifest(f, login, ref.repository, image_ref_reference(&ref),
			  &status, &j, &err);
	if (rc == AD_EDENIED) {
		check_say(res, CHECK_UNKNOWN,
			  _("the registry refused to show %s: %s (reading manifests and listing tags works only when the network rules of %s let this machine in and your identity may read the repository)"),
			  ref.canonical, err.msg, login);
		if (err.detail[0])
			ev_str(res, "error", "%s", err.detail);
		return 0;
	}
	if (rc != 0) {
		check_unknown(res, _("cannot read the image manifest"), &err);
		return 0;
	}
	if (status != 404) {
		check_say(res, CHECK_PASS, _("%s exists in %s"), ref.canonical, login);
		return 0;
	}
	res->fix = "webapp-tag";
	if (check_data_str(res, "repository", ref.repository) ||
	    check_data_str(res, "reference", image_ref_reference(&ref)) ||
	    check_data_str(res, "loginServer", login))
		return AD_ENOMEM;
	rc = reg_tags(f, login, ref.repository, &status, &j, &err);
	tags = rc == 0 ? jsonu_array(j, "tags") : NULL;
	cJSON_ArrayForEach(t, tags) {
		if (!cJSON_IsString(t) || !ctx_name_ok(t->valuestring, "._-", 128))
			continue;
		if (n < MAX_TAGS_SHOWN &&
		    ev_list_add(res, "tags", t->valuestring))
			return AD_ENOMEM;
		n++;
	}
	if (ev_num(res, "tag_count", n))
		return AD_ENOMEM;
	if (rc != 0) {
		ev_str(res, "tags_error", "%s", err.msg);
		check_say(res, CHECK_FAIL,
			  _("%s is not in %s (manifest unknown); the tags could not be listed: %s"),
			  ref.canonical, login, err.msg);
	} else if (status == 404 || !tags) {
		check_say(res, CHECK_FAIL,
			  _("%s is not in %s: the repository %s does not exist"),
			  ref.canonical, login, ref.repository);
	} else {
		check_say(res, CHECK_FAIL,
			  _("%s is not in %s (manifest unknown); the repository has %d other tags"),
			  ref.canonical, login, n);
	}
	return 0;
}

/* ---------- webapp.ip-denied.* ---------- */

/* Outbound addresses of the app not allowed by the registry's rules:
 * current ones into miss[], possible-but-not-current into pmiss[].
 * Returns the number of current addresses (0: none known). */
static size_t missing_ips(const cJSON *site, const cJSON *reg,
			  char miss[][16], size_t *nmiss,
			  char pmiss[][16], size_t *npmiss)
{
	char cur[MAX_IPS][16], all[MAX_IPS][16];
	size_t ncur, nall, i;

	ncur = split_ips(jsonu_str(site, "properties.outboundIpAddresses"),
			 cur, 0, MAX_IPS);
	for (i = 0; i < ncur; i++)
		snprintf(all[i], sizeof all[i], "%s", cur[i]);
	nall = split_ips(jsonu_str(site, "properties.possibleOutboundIpAddresses"),
			 all, ncur, MAX_IPS);
	*nmiss = *npmiss = 0;
	for (i = 0; i < nall; i++) {
		if (netrule_allows(reg, all[i]))
			continue;
		if (i < ncur)
			snprintf(miss[(*nmiss)++], 16, "%s", all[i]);
		else
			snprintf(pmiss[(*npmiss)++], 16, "%s", all[i]);
	}
	return ncur;
}

/* The address the pasted refusal names, against the app's current
 * outbound addresses and the rules (evidence and summary only). */
static int seen_note(struct facts *f, struct check_result *res,
		     const cJSON *site, const cJSON *reg)
{
	char cur[MAX_IPS][16], ip[16];
	const char *p[MAX_IPS];
	size_t n, i;

	n = split_ips(jsonu_str(site, "properties.outboundIpAddresses"), cur,
		      0, MAX_IPS);
	for (i = 0; i < n; i++)
		p[i] = cur[i];
	seen_ip_in(f->ctx->message, ip);
	return seen_ip_note(res, ip, reg, p, n, app_name(f));
}

static int run_firewall(struct facts *f, struct check_result *res)
{
	const cJSON *site, *reg;
	char miss[MAX_IPS][16], pmiss[MAX_IPS][16], list[512] = "";
	size_t ncur, nmiss, npmiss, i;
	struct ad_error err = { 0 };
	cJSON *ips;

	check_command(res,
		"az webapp show --name %s --resource-group %s --query outboundIpAddresses; az acr network-rule list --name %s",
		f->ctx->webapp, f->ctx->resource_group, f->ctx->registry);
	if (read_registry(f, &reg, &err) != 0) {
		check_unknown(res, _("cannot read the registry"), &err);
		return 0;
	}
	if (public_disabled(reg)) {
		check_say(res, CHECK_NA,
			  _("public network access to %s is disabled, so IP rules are not consulted: the app must pull privately"),
			  f->ctx->registry);
		return 0;
	}
	if (registry_open(reg)) {
		check_say(res, CHECK_PASS,
			  _("%s accepts connections from all networks"),
			  f->ctx->registry);
		return 0;
	}
	if (read_site(f, &site, &err) != 0) {
		check_unknown(res, _("cannot read the web app"), &err);
		return 0;
	}
	if (vnet_subnet(site) && vnet_image_pull(site) &&
	    approved_endpoints(reg) > 0) {
		check_say(res, CHECK_NA,
			  _("%s pulls over its virtual network through the private endpoint of %s: its outbound IPs are not used"),
			  app_name(f), f->ctx->registry);
		return 0;
	}
	ncur = missing_ips(site, reg, miss, &nmiss, pmiss, &npmiss);
	if (ncur == 0) {
		check_say(res, CHECK_UNKNOWN,
			  _("the web app lists no outbound IP addresses (outboundIpAddresses)"));
		return 0;
	}
	if (ev_num(res, "outbound_ips", (double)ncur))
		return AD_ENOMEM;
	for (i = 0; i < npmiss; i++)
		if (ev_list_add(res, "missing_possible", pmiss[i]))
			return AD_ENOMEM;
	if (nmiss == 0) {
		check_say(res, CHECK_PASS,
			  _("the firewall of %s allows all %zu outbound IPs of %s"),
			  f->ctx->registry, ncur, app_name(f));
		return seen_note(f, res, site, reg);
	}
	ips = cJSON_AddArrayToObject(res->data, "ips");
	if (!ips)
		return AD_ENOMEM;
	for (i = 0; i < nmiss + npmiss; i++) {
		const char *ip = i < nmiss ? miss[i] : pmiss[i - nmiss];
		cJSON *s = cJSON_CreateString(ip);

		if (!s)
			return AD_ENOMEM;
		cJSON_AddItemToArray(ips, s);
		if (i < nmiss) {
			if (ev_list_add(res, "missing", ip))
				return AD_ENOMEM;
			if (strlen(list) + strlen(ip) + 3 < sizeof list)
				strcat(strcat(list, list[0] ? ", " : ""), ip);
		}
	}
	res->fix = "webapp-ip-rules";
	check_say(res, CHECK_FAIL,
		  _("the firewall of %s does not allow %zu of the %zu outbound IPs of %s: %s"),
		  f->ctx->registry, nmiss, ncur, app_name(f), list);
	return seen_note(f, res, site, reg);
}

static int run_private(struct facts *f, struct check_result *res)
{
	const cJSON *site, *reg;
	const char *subnet, *pna, *da;
	char miss[MAX_IPS][16], pmiss[MAX_IPS][16];
	size_t nmiss, npmiss;
	struct ad_error err = { 0 };
	int pull, npe;

	check_command(res,
		"az webapp show --name %s --resource-group %s --query \"{subnet:virtualNetworkSubnetId, vnetImagePull:vnetImagePullEnabled}\"; az acr show --name %s --query \"{public:publicNetworkAccess, rules:networkRuleSet.defaultAction}\"",
		f->ctx->webapp, f->ctx->resource_group, f->ctx->registry);
	if (read_registry(f, &reg, &err) != 0) {
		check_unknown(res, _("cannot read the registry"), &err);
		return 0;
	}
	pna = jsonu_str(reg, "properties.publicNetworkAccess");
	da = jsonu_str(reg, "properties.networkRuleSet.defaultAction");
	if (ev_str(res, "public_network_access", "%s",
		   pna && ctx_name_ok(pna, "", 16) ? pna : "Enabled") ||
	    ev_str(res, "default_action", "%s",
		   da && ctx_name_ok(da, "", 16) ? da : "Allow"))
		return AD_ENOMEM;
	if (registry_open(reg)) {
		check_say(res, CHECK_NA,
			  _("%s accepts connections from all networks: pulling privately is not needed"),
			  f->ctx->registry);
		return 0;
	}
	if (read_site(f, &site, &err) != 0) {
		check_unknown(res, _("cannot read the web app"), &err);
		return 0;
	}
	subnet = vnet_subnet(site);
	pull = vnet_image_pull(site);
	npe = approved_endpoints(reg);
	if (ev_str(res, "vnet_integration", "%s", subnet &&
		   ctx_name_ok(jsonu_id_name(subnet), "._-", 80) ?
		   jsonu_id_name(subnet) : subnet ? "?" : "none") ||
	    ev_bool(res, "vnet_image_pull", pull) ||
	    ev_num(res, "private_endpoints", npe))
		return AD_ENOMEM;
	if (subnet && pull && npe > 0) {
		check_say(res, CHECK_PASS,
			  ngettext("%s pulls over its virtual network (%s), and %s has %d approved private endpoint",
				   "%s pulls over its virtual network (%s), and %s has %d approved private endpoints",
				   (unsigned long)npe),
			  app_name(f), jsonu_id_name(subnet), f->ctx->registry, npe);
		return 0;
	}
	if (!public_disabled(reg) && !pull) {
		/* Selected networks: the IP rules may already let the app in. */
		missing_ips(site, reg, miss, &nmiss, pmiss, &npmiss);
		if (nmiss == 0 &&
		    jsonu_str(site, "properties.outboundIpAddresses")) {
			check_say(res, CHECK_NA,
				  _("the firewall of %s allows the outbound IPs of %s: pulling privately is not needed"),
				  f->ctx->registry, app_name(f));
			return 0;
		}
	}
	if (check_data_str(res, "privateEndpoint", npe > 0 ? "yes" : "no") ||
	    check_data_str(res, "vnetIntegration", subnet ? "yes" : "no"))
		return AD_ENOMEM;
	res->fix = "webapp-private-pull";
	if (!subnet)
		check_say(res, CHECK_FAIL,
			  _("%s limits public access (%s) and %s is not integrated with a virtual network, so it cannot pull privately"),
			  f->ctx->registry, public_disabled(reg) ?
			  _("public network access disabled") : _("selected networks"),
			  app_name(f));
	else if (!pull)
		check_say(res, CHECK_FAIL,
			  _("%s is integrated with subnet %s but pulls images over the internet (vnetImagePullEnabled is false), and %s limits public access"),
			  app_name(f), jsonu_id_name(subnet), f->ctx->registry);
	else
		check_say(res, CHECK_FAIL,
			  _("%s pulls over its virtual network, but %s has no approved private endpoint"),
			  app_name(f), f->ctx->registry);
	return 0;
}

/* ---------- the table ---------- */

const struct check_def check_group_webapp[] = {
	{ "webapp.health", "webapp.health", N_("Registry health"),
	  CHECK_WEBAPP, run_health },
	{ "webapp.log", "webapp.start", N_("The pull error in the app's log"),
	  CHECK_WEBAPP, run_log },
	{ "webapp.unauthorized.admin", "webapp.unauthorized",
	  N_("Admin credentials in the app settings"), CHECK_WEBAPP, run_admin },
	{ "webapp.unauthorized.identity", "webapp.unauthorized",
	  N_("The app's managed identity may pull"), CHECK_WEBAPP, run_identity },
	{ "webapp.manifest-unknown", "webapp.manifest-unknown",
	  N_("The app's image tag exists"), CHECK_WEBAPP, run_manifest },
	{ "webapp.ip-denied.firewall", "webapp.ip-denied",
	  N_("The registry firewall allows the app's outbound IPs"),
	  CHECK_WEBAPP, run_firewall },
	{ "webapp.ip-denied.private", "webapp.ip-denied",
	  N_("The app pulls privately over its virtual network"),
	  CHECK_WEBAPP, run_private },
};

const size_t check_group_webapp_n =
	sizeof check_group_webapp / sizeof check_group_webapp[0];
