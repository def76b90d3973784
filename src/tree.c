/* tree.c - load and validate the troubleshooting tree.
 *
 * The tree is data (data/tree.json, compiled in), so everything about it
 * is checked at load time and a broken tree never reaches the wizard: the
 * error names the node and the field to correct. */
#include "config.h"
#include "tree.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "builtin.h"
#include "check.h"
#include "err.h"
#include "fix.h"
#include "i18n.h"
#include "textw.h"

#define TREE_FORMAT "acr-doctor-tree/1"
#define TREE_VERSION 1
#define MAX_PLACEHOLDER 32

static const char *const kind_names[] = {
	[TREE_QUESTION] = "question",
	[TREE_INFO] = "info",
	[TREE_CHECK] = "check",
	[TREE_FIX] = "fix",
	[TREE_VERDICT] = "verdict",
};
#define NKINDS (sizeof kind_names / sizeof kind_names[0])

/* Keys of "on", in TREE_ON_* order (the check_verdict strings). */
static const char *const on_names[TREE_ON_N] = {
	"pass", "fail", "unknown", "not-applicable"
};

static const struct {
	const char *name;
	unsigned bit;
} applies_names[] = {
	{ "aks", TREE_APPLIES_AKS },
	{ "webapp", TREE_APPLIES_WEBAPP },
	{ "msi", TREE_APPLIES_MSI },
	{ "sp", TREE_APPLIES_SP },
	{ "secret", TREE_APPLIES_SECRET },
};

/* What a command may ask the expander to fill in: the context, the facts
 * the checks learn, and names only the engineer knows (those stay as
 * <name> on screen). */
static const char *const placeholders[] = {
	"cluster", "collection", "container", "dns_zone_resource_group",
	"docker_server", "docker_username", "firewall",
	"firewall_resource_group", "image", "ip_address",
	"kubelet_client_id", "link_name", "login_server", "namespace",
	"node", "node_resource_group", "owner", "peering", "pod", "private_dns_zone",
	"public_ip_name", "pull_secret", "registry", "registry_id",
	"registry_ip", "remote_peering", "remote_vnet", "remote_vnet_id",
	"remote_vnet_resource_group", "repository", "resource_group",
	"secret_username", "sp_client_id", "subnet", "subnet_id",
	"subnet_prefix", "subscription", "tag", "vmss", "vnet", "vnet_id",
	"vnet_resource_group", "webapp", "webapp_principal_id",
	NULL
};

/* Field bits, for what each kind needs and allows. */
enum {
	F_COMMANDS = 1u << 0,
	F_CHOICES = 1u << 1,
	F_NEXT = 1u << 2,
	F_CHECK = 1u << 3,
	F_FIX = 1u << 4,
	F_ON = 1u << 5,
	F_CAUSE = 1u << 6,
	F_APPLIES = 1u << 7,
};

static const char *const node_fields[] = {
	"id", "kind", "title", "body", "commands", "choices", "next",
	"check", "fix", "on", "cause", "applies", NULL
};

static const unsigned allowed[NKINDS] = {
	[TREE_QUESTION] = F_CHOICES | F_COMMANDS,
	[TREE_INFO] = F_NEXT | F_COMMANDS | F_APPLIES,
	[TREE_CHECK] = F_CHECK | F_ON | F_FIX | F_NEXT | F_COMMANDS | F_APPLIES,
	[TREE_FIX] = F_FIX | F_NEXT | F_COMMANDS | F_APPLIES,
	[TREE_VERDICT] = F_CAUSE | F_COMMANDS,
};

static const struct {
	unsigned bit;
	const char *name;
} field_bits[] = {
	{ F_COMMANDS, "commands" }, { F_CHOICES, "choices" },
	{ F_NEXT, "next" }, { F_CHECK, "check" }, { F_FIX, "fix" },
	{ F_ON, "on" }, { F_CAUSE, "cause" }, { F_APPLIES, "applies" },
};

/* An outgoing reference of a node: the field it is in and the target. */
struct edge {
	char field[48];
	const char *to;
};
#define MAX_EDGES (TREE_MAX_CHOICES + 1 + TREE_ON_N)

/* ---------- errors ---------- */

static int tree_err(struct ad_error *err, int code, const char *node,
		    const char *field, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Fill err with a translated sentence and "node=... field=..." detail. */
static int tree_err(struct ad_error *err, int code, const char *node,
		    const char *field, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	tw_utf8_trim(err->msg);
	if (node || field)
		snprintf(err->detail, sizeof err->detail, "node=%s field=%s",
			 node ? node : "-", field ? field : "-");
	else
		err->detail[0] = '\0';
	return code;
}

/* ---------- small validators ---------- */

/* Ids of nodes, checks, fixes and causes: [a-z0-9][a-z0-9._-]*. */
static int id_ok(const char *s)
{
	size_t n = 0;

	if (!s || !((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
		return 0;
	for (; *s; s++, n++) {
		if (n >= TREE_MAX_ID)
			return 0;
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '.' || *s == '_' || *s == '-'))
			return 0;
	}
	return 1;
}

enum text_problem { TEXT_OK, TEXT_UTF8, TEXT_CONTROL };

/* Strict UTF-8 (no overlongs, surrogates or values past U+10FFFF), no C0
 * or C1 controls and no DEL; '\n' only when allow_nl.  *chars gets the
 * number of characters. */
static enum text_problem text_check(const char *s, int allow_nl,
				    size_t *chars)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	while (*p) {
		unsigned long cp;
		int len, i;

		if (*p < 0x80) {
			if ((*p < 0x20 && !(allow_nl && *p == '\n')) ||
			    *p == 0x7f)
				return TEXT_CONTROL;
			p++;
			n++;
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf) {
			len = 2;
			cp = *p & 0x1fu;
		} else if (*p >= 0xe0 && *p <= 0xef) {
			len = 3;
			cp = *p & 0x0fu;
		} else if (*p >= 0xf0 && *p <= 0xf4) {
			len = 4;
			cp = *p & 0x07u;
		} else {
			return TEXT_UTF8;
		}
		for (i = 1; i < len; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return TEXT_UTF8;
			cp = (cp << 6) | (p[i] & 0x3fu);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return TEXT_UTF8;
		if (cp >= 0x80 && cp <= 0x9f)
			return TEXT_CONTROL;
		p += len;
		n++;
	}
	if (chars)
		*chars = n;
	return TEXT_OK;
}

static int placeholder_char(char c, int first)
{
	return (c >= 'a' && c <= 'z') || (!first && ((c >= '0' && c <= '9') ||
						     c == '_'));
}

int tree_placeholder_known(const char *name, size_t len)
{
	size_t i;

	if (!name)
		return 0;
	for (i = 0; placeholders[i]; i++)
		if (strlen(placeholders[i]) == len &&
		    memcmp(placeholders[i], name, len) == 0)
			return 1;
	return 0;
}

const char *const *tree_placeholders(void)
{
	return placeholders;
}

/* The first "{name}" in cmd that is not a known placeholder: its start
 * and length (braces included), or NULL. */
static const char *unknown_placeholder(const char *cmd, size_t *len)
{
	const char *p;

	for (p = strchr(cmd, '{'); p; p = strchr(p + 1, '{')) {
		size_t n = 0;

		if (!placeholder_char(p[1], 1))
			continue;
		while (placeholder_char(p[1 + n], n == 0))
			n++;
		if (p[1 + n] != '}')
			continue;
		if (n > MAX_PLACEHOLDER || !tree_placeholder_known(p + 1, n)) {
			*len = n + 2;
			return p;
		}
	}
	return NULL;
}

/* ---------- freeing ---------- */

static void node_clear(struct tree_node *n)
{
	size_t i;

	free(n->id);
	free(n->title);
	free(n->body);
	for (i = 0; i < n->ncommands; i++)
		free(n->commands[i]);
	free(n->commands);
	for (i = 0; i < n->nchoices; i++) {
		free(n->choices[i].label);
		free(n->choices[i].next);
	}
	free(n->choices);
	free(n->next);
	free(n->check);
	free(n->fix);
	for (i = 0; i < TREE_ON_N; i++)
		free(n->on[i]);
	free(n->cause);
	memset(n, 0, sizeof *n);
}

void tree_free(struct tree *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n; i++)
		node_clear(&t->nodes[i]);
	free(t->nodes);
	free(t->root);
	free(t);
}

/* ---------- parsing one node ---------- */

struct parse {
	const struct tree_known *known;
	struct ad_error *err;
	const char *name;   /* the node's id, or "#N" before it is known */
	char tmp[24];
};

static char *dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);

	if (d)
		memcpy(d, s, n);
	return d;
}

static int oom(struct parse *ps)
{
	return tree_err(ps->err, AD_ENOMEM, NULL, NULL, _("out of memory"));
}

/* An optional string field holding an id (next, check, fix, cause, and
 * the targets in on/choices).  *out stays NULL when absent. */
static int get_id(struct parse *ps, const cJSON *item, const char *field,
		  char **out)
{
	if (!item)
		return 0;
	if (!cJSON_IsString(item) || !item->valuestring)
		return tree_err(ps->err, AD_EPARSE, ps->name, field,
				_("node '%s': field '%s' must be a string"),
				ps->name, field);
	if (!id_ok(item->valuestring))
		return tree_err(ps->err, AD_EPARSE, ps->name, field,
				_("node '%s': field '%s' is not a valid id "
				  "(lower-case letters, digits, '.', '_', '-'; "
				  "at most %d characters)"),
				ps->name, field, TREE_MAX_ID);
	*out = dup_str(item->valuestring);
	return *out ? 0 : oom(ps);
}

/* A required text field (title, body, label). */
static int get_text(struct parse *ps, const cJSON *item, const char *field,
		    int allow_nl, size_t max_chars, size_t max_bytes,
		    char **out)
{
	size_t chars = 0;
	enum text_problem tp;

	if (!item || (cJSON_IsString(item) && item->valuestring &&
		      !item->valuestring[0]))
		return tree_err(ps->err, AD_EPARSE, ps->name, field,
				_("node '%s': field '%s' is missing or empty"),
				ps->name, field);
	if (!cJSON_IsString(item) || !item->valuestring)
		return tree_err(ps->err, AD_EPARSE, ps->name, field,
				_("node '%s': field '%s' must be a string"),
				ps->name, field);
	tp = text_check(item->valuestring, allow_nl, &chars);
	if (tp == TEXT_UTF8)
		return tree_err(ps->err, AD_EPARSE, ps->name, field,
				_("node '%s': field '%s' is not valid UTF-8"),
				ps->name, field);
	if (tp == TEXT_CONTROL)
		return tree_err(ps->err, AD_EPARSE, ps->name, field,
				_("node '%s': field '%s' contains a control "
				  "character"), ps->name, field);
	if ((max_chars && chars > max_chars) ||
	    strlen(item->valuestring) > max_bytes)
		return tree_err(ps->err, AD_EPARSE, ps->name, field,
				_("node '%s': field '%s' is too long (at most "
				  "%zu characters)"), ps->name, field,
				max_chars ? max_chars : max_bytes);
	*out = dup_str(item->valuestring);
	return *out ? 0 : oom(ps);
}

static int get_commands(struct parse *ps, const cJSON *arr,
			struct tree_node *n)
{
	const cJSON *it;
	int count, i = 0;

	if (!cJSON_IsArray(arr))
		return tree_err(ps->err, AD_EPARSE, ps->name, "commands",
				_("node '%s': field '%s' must be an array of "
				  "strings"), ps->name, "commands");
	count = cJSON_GetArraySize(arr);
	if (count > TREE_MAX_COMMANDS)
		return tree_err(ps->err, AD_EPARSE, ps->name, "commands",
				_("node '%s': field '%s' has more than %d "
				  "entries"), ps->name, "commands",
				TREE_MAX_COMMANDS);
	if (count == 0)
		return 0;
	n->commands = calloc((size_t)count, sizeof *n->commands);
	if (!n->commands)
		return oom(ps);
	cJSON_ArrayForEach(it, arr) {
		char field[32];
		const char *ph;
		size_t phlen = 0;

		snprintf(field, sizeof field, "commands[%d]", i++);
		if (!cJSON_IsString(it) || !it->valuestring ||
		    !it->valuestring[0])
			return tree_err(ps->err, AD_EPARSE, ps->name, field,
					_("node '%s': field '%s' must be a "
					  "non-empty string"), ps->name, field);
		if (strlen(it->valuestring) > TREE_MAX_COMMAND)
			return tree_err(ps->err, AD_EPARSE, ps->name, field,
					_("node '%s': field '%s' is too long "
					  "(at most %zu characters)"),
					ps->name, field,
					(size_t)TREE_MAX_COMMAND);
		if (text_check(it->valuestring, 0, NULL) != TEXT_OK)
			return tree_err(ps->err, AD_EPARSE, ps->name, field,
					_("node '%s': field '%s' contains a "
					  "control character or invalid "
					  "UTF-8"), ps->name, field);
		ph = unknown_placeholder(it->valuestring, &phlen);
		if (ph)
			return tree_err(ps->err, AD_EPARSE, ps->name, field,
					_("node '%s': field '%s' uses unknown "
					  "placeholder '%.*s'"), ps->name,
					field, (int)phlen, ph);
		n->commands[n->ncommands] = dup_str(it->valuestring);
		if (!n->commands[n->ncommands])
			return oom(ps);
		n->ncommands++;
	}
	return 0;
}

static int get_choices(struct parse *ps, const cJSON *arr,
		       struct tree_node *n)
{
	const cJSON *it;
	int count, i = 0, rc;

	if (!cJSON_IsArray(arr))
		return tree_err(ps->err, AD_EPARSE, ps->name, "choices",
				_("node '%s': field '%s' must be an array of "
				  "objects"), ps->name, "choices");
	count = cJSON_GetArraySize(arr);
	if (count == 0)
		return tree_err(ps->err, AD_EPARSE, ps->name, "choices",
				_("node '%s' is a dead end: field '%s' is "
				  "empty"), ps->name, "choices");
	if (count > TREE_MAX_CHOICES)
		return tree_err(ps->err, AD_EPARSE, ps->name, "choices",
				_("node '%s': field '%s' has more than %d "
				  "entries"), ps->name, "choices",
				TREE_MAX_CHOICES);
	n->choices = calloc((size_t)count, sizeof *n->choices);
	if (!n->choices)
		return oom(ps);
	cJSON_ArrayForEach(it, arr) {
		struct tree_choice *c = &n->choices[n->nchoices];
		const cJSON *k;
		char field[48];

		snprintf(field, sizeof field, "choices[%d]", i);
		if (!cJSON_IsObject(it))
			return tree_err(ps->err, AD_EPARSE, ps->name, field,
					_("node '%s': field '%s' must be an "
					  "object with label and next"),
					ps->name, field);
		for (k = it->child; k; k = k->next)
			if (!k->string || (strcmp(k->string, "label") != 0 &&
					   strcmp(k->string, "next") != 0)) {
				char key[21];

				snprintf(field, sizeof field, "choices[%d].%.20s", i,
					 tw_clip(key, sizeof key, k->string));
				return tree_err(ps->err, AD_EPARSE, ps->name,
						field, _("node '%s': unknown "
							 "field '%s'"),
						ps->name, field);
			}
		n->nchoices++;  /* c is freed with the node from here on */
		snprintf(field, sizeof field, "choices[%d].label", i);
		rc = get_text(ps, cJSON_GetObjectItemCaseSensitive(it, "label"),
			      field, 0, TREE_MAX_LABEL, TREE_MAX_LABEL * 4,
			      &c->label);
		if (rc != 0)
			return rc;
		snprintf(field, sizeof field, "choices[%d].next", i);
		k = cJSON_GetObjectItemCaseSensitive(it, "next");
		if (!k)
			return tree_err(ps->err, AD_EPARSE, ps->name, field,
					_("node '%s' is a dead end: field '%s' "
					  "is missing"), ps->name, field);
		rc = get_id(ps, k, field, &c->next);
		if (rc != 0)
			return rc;
		i++;
	}
	return 0;
}

static int get_on(struct parse *ps, const cJSON *obj, struct tree_node *n)
{
	char key[33];
	const cJSON *k;
	int i, rc;

	if (!cJSON_IsObject(obj))
		return tree_err(ps->err, AD_EPARSE, ps->name, "on",
				_("node '%s': field '%s' must be an object"),
				ps->name, "on");
	for (k = obj->child; k; k = k->next) {
		char field[48];

		for (i = 0; i < TREE_ON_N; i++)
			if (k->string && strcmp(k->string, on_names[i]) == 0)
				break;
		snprintf(field, sizeof field, "on.%.32s",
			 tw_clip(key, sizeof key, k->string));
		if (i == TREE_ON_N)
			return tree_err(ps->err, AD_EPARSE, ps->name, field,
					_("node '%s': field '%s' is not a check "
					  "verdict (pass, fail, unknown, "
					  "not-applicable)"), ps->name, field);
		if (n->on[i])
			return tree_err(ps->err, AD_EPARSE, ps->name, field,
					_("node '%s': field '%s' appears twice"),
					ps->name, field);
		rc = get_id(ps, k, field, &n->on[i]);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int get_applies(struct parse *ps, const cJSON *arr,
		       struct tree_node *n)
{
	char val[41];
	const cJSON *it;
	int i = 0;
	size_t j;

	if (!cJSON_IsArray(arr))
		return tree_err(ps->err, AD_EPARSE, ps->name, "applies",
				_("node '%s': field '%s' must be an array of "
				  "strings"), ps->name, "applies");
	cJSON_ArrayForEach(it, arr) {
		char field[32];

		snprintf(field, sizeof field, "applies[%d]", i++);
		for (j = 0; j < sizeof applies_names / sizeof applies_names[0];
		     j++)
			if (cJSON_IsString(it) && it->valuestring &&
			    strcmp(it->valuestring, applies_names[j].name) == 0)
				break;
		if (j == sizeof applies_names / sizeof applies_names[0])
			return tree_err(ps->err, AD_EPARSE, ps->name, field,
					_("node '%s': field '%s' has unknown "
					  "value '%.40s' (aks, webapp, msi, sp, "
					  "secret)"), ps->name, field,
					tw_clip(val, sizeof val,
						cJSON_IsString(it) && it->valuestring ?
						it->valuestring : "?"));
		n->applies |= applies_names[j].bit;
	}
	return 0;
}

static int get_kind(struct parse *ps, const cJSON *item, enum tree_kind *k)
{
	char val[41];
	size_t i;

	if (!item)
		return tree_err(ps->err, AD_EPARSE, ps->name, "kind",
				_("node '%s': field '%s' is missing"),
				ps->name, "kind");
	for (i = 0; i < NKINDS; i++)
		if (cJSON_IsString(item) && item->valuestring &&
		    strcmp(item->valuestring, kind_names[i]) == 0) {
			*k = (enum tree_kind)i;
			return 0;
		}
	return tree_err(ps->err, AD_EPARSE, ps->name, "kind",
			_("node '%s': field '%s' has unknown kind '%.40s' "
			  "(question, info, check, fix, verdict)"),
			ps->name, "kind",
			tw_clip(val, sizeof val,
				cJSON_IsString(item) && item->valuestring ?
				item->valuestring : "?"));
}

/* Which fields kind k needs, checked after parsing.  The way-out fields
 * get their own message: a node without them is a dead end. */
static int check_fields(struct parse *ps, const struct tree_node *n,
			unsigned present)
{
	size_t i;
	int j;

	for (i = 0; i < sizeof field_bits / sizeof field_bits[0]; i++)
		if ((present & field_bits[i].bit) &&
		    !(allowed[n->kind] & field_bits[i].bit))
			return tree_err(ps->err, AD_EPARSE, ps->name,
					field_bits[i].name,
					_("node '%s': field '%s' is not used "
					  "by a %s node"), ps->name,
					field_bits[i].name,
					kind_names[n->kind]);
	switch (n->kind) {
	case TREE_QUESTION:
		if (!n->nchoices)
			return tree_err(ps->err, AD_EPARSE, ps->name, "choices",
					_("node '%s' is a dead end: field '%s' "
					  "is missing"), ps->name, "choices");
		break;
	case TREE_INFO:
	case TREE_FIX:
		if (!n->next)
			return tree_err(ps->err, AD_EPARSE, ps->name, "next",
					_("node '%s' is a dead end: field '%s' "
					  "is missing"), ps->name, "next");
		if (n->kind == TREE_FIX && !n->fix)
			return tree_err(ps->err, AD_EPARSE, ps->name, "fix",
					_("node '%s': field '%s' is missing"),
					ps->name, "fix");
		break;
	case TREE_CHECK:
		if (!n->check)
			return tree_err(ps->err, AD_EPARSE, ps->name, "check",
					_("node '%s': field '%s' is missing"),
					ps->name, "check");
		if (n->next && !n->fix)
			return tree_err(ps->err, AD_EPARSE, ps->name, "next",
					_("node '%s': field '%s' needs field "
					  "'fix' on a check node"),
					ps->name, "next");
		for (j = 0; j < TREE_ON_N; j++) {
			char field[32];

			if (n->on[j])
				continue;
			/* fail may be left out: the fix is offered in place
			 * and "next" follows it. */
			if (j == TREE_ON_FAIL && n->fix && n->next)
				continue;
			snprintf(field, sizeof field, "on.%s", on_names[j]);
			return tree_err(ps->err, AD_EPARSE, ps->name, field,
					_("node '%s' is a dead end: field '%s' "
					  "is missing"), ps->name, field);
		}
		break;
	case TREE_VERDICT:
		if (!n->cause)
			return tree_err(ps->err, AD_EPARSE, ps->name, "cause",
					_("node '%s': field '%s' is missing"),
					ps->name, "cause");
		break;
	}
	return 0;
}

static int parse_node(struct parse *ps, const cJSON *j, size_t idx,
		      struct tree_node *n)
{
	char key[41];
	const cJSON *k, *k2;
	unsigned present = 0;
	size_t i;
	int rc;

	snprintf(ps->tmp, sizeof ps->tmp, "#%zu", idx);
	ps->name = ps->tmp;
	if (!cJSON_IsObject(j))
		return tree_err(ps->err, AD_EPARSE, ps->name, NULL,
				_("node '%s' is not a JSON object"), ps->name);
	/* The id first, so that every later message can name the node. */
	k = cJSON_GetObjectItemCaseSensitive(j, "id");
	if (!k || !cJSON_IsString(k) || !k->valuestring)
		return tree_err(ps->err, AD_EPARSE, ps->name, "id",
				_("node '%s': field '%s' is missing"),
				ps->name, "id");
	if (!id_ok(k->valuestring))
		return tree_err(ps->err, AD_EPARSE, ps->name, "id",
				_("node '%s': field '%s' is not a valid id "
				  "(lower-case letters, digits, '.', '_', '-'; "
				  "at most %d characters)"),
				ps->name, "id", TREE_MAX_ID);
	if (!(n->id = dup_str(k->valuestring)))
		return oom(ps);
	ps->name = n->id;

	for (k = j->child; k; k = k->next) {
		for (i = 0; node_fields[i]; i++)
			if (k->string && strcmp(k->string, node_fields[i]) == 0)
				break;
		if (!node_fields[i])
			return tree_err(ps->err, AD_EPARSE, ps->name,
					k->string ? k->string : "",
					_("node '%s': unknown field '%.40s'"),
					ps->name, tw_clip(key, sizeof key, k->string));
		for (k2 = j->child; k2 != k; k2 = k2->next)
			if (strcmp(k2->string, k->string) == 0)
				return tree_err(ps->err, AD_EPARSE, ps->name,
						k->string,
						_("node '%s': field '%s' "
						  "appears twice"),
						ps->name, k->string);
	}

	rc = get_kind(ps, cJSON_GetObjectItemCaseSensitive(j, "kind"),
		      &n->kind);
	if (rc == 0)
		rc = get_text(ps, cJSON_GetObjectItemCaseSensitive(j, "title"),
			      "title", 0, TREE_MAX_TITLE, TREE_MAX_TITLE * 4,
			      &n->title);
	if (rc == 0)
		rc = get_text(ps, cJSON_GetObjectItemCaseSensitive(j, "body"),
			      "body", 1, 0, TREE_MAX_BODY, &n->body);
	if (rc != 0)
		return rc;

	if ((k = cJSON_GetObjectItemCaseSensitive(j, "commands"))) {
		present |= F_COMMANDS;
		if ((rc = get_commands(ps, k, n)) != 0)
			return rc;
	}
	if ((k = cJSON_GetObjectItemCaseSensitive(j, "choices"))) {
		present |= F_CHOICES;
		if ((rc = get_choices(ps, k, n)) != 0)
			return rc;
	}
	if ((k = cJSON_GetObjectItemCaseSensitive(j, "on"))) {
		present |= F_ON;
		if ((rc = get_on(ps, k, n)) != 0)
			return rc;
	}
	if ((k = cJSON_GetObjectItemCaseSensitive(j, "applies"))) {
		present |= F_APPLIES;
		if ((rc = get_applies(ps, k, n)) != 0)
			return rc;
	}
	{
		static const struct { const char *name; unsigned bit;
				      size_t off; } ids[] = {
			{ "next", F_NEXT, offsetof(struct tree_node, next) },
			{ "check", F_CHECK, offsetof(struct tree_node, check) },
			{ "fix", F_FIX, offsetof(struct tree_node, fix) },
			{ "cause", F_CAUSE, offsetof(struct tree_node, cause) },
		};

		for (i = 0; i < sizeof ids / sizeof ids[0]; i++) {
			char **dst = (char **)(void *)((char *)n + ids[i].off);

			if (!(k = cJSON_GetObjectItemCaseSensitive(j, ids[i].name)))
				continue;
			present |= ids[i].bit;
			if ((rc = get_id(ps, k, ids[i].name, dst)) != 0)
				return rc;
		}
	}
	if ((rc = check_fields(ps, n, present)) != 0)
		return rc;

	if (n->check && ps->known && ps->known->check_exists &&
	    !ps->known->check_exists(n->check))
		return tree_err(ps->err, AD_EPARSE, ps->name, "check",
				_("node '%s': field '%s' names unknown check "
				  "'%s'"), ps->name, "check", n->check);
	if (n->fix && ps->known && ps->known->fix_exists &&
	    !ps->known->fix_exists(n->fix))
		return tree_err(ps->err, AD_EPARSE, ps->name, "fix",
				_("node '%s': field '%s' names unknown fix "
				  "'%s'"), ps->name, "fix", n->fix);
	return 0;
}

/* ---------- the whole tree ---------- */

static long index_of(const struct tree *t, const char *id)
{
	size_t i;

	for (i = 0; id && i < t->n; i++)
		if (strcmp(t->nodes[i].id, id) == 0)
			return (long)i;
	return -1;
}

const struct tree_node *tree_find(const struct tree *t, const char *id)
{
	long i;

	if (!t)
		return NULL;
	i = index_of(t, id);
	return i < 0 ? NULL : &t->nodes[i];
}

const char *tree_kind_str(enum tree_kind k)
{
	return (unsigned)k < NKINDS ? kind_names[k] : "unknown";
}

static size_t node_edges(const struct tree_node *n, struct edge *e)
{
	size_t k = 0, i;

	for (i = 0; i < n->nchoices; i++) {
		snprintf(e[k].field, sizeof e[k].field, "choices[%zu].next", i);
		e[k++].to = n->choices[i].next;
	}
	if (n->next) {
		snprintf(e[k].field, sizeof e[k].field, "next");
		e[k++].to = n->next;
	}
	for (i = 0; i < TREE_ON_N; i++)
		if (n->on[i]) {
			snprintf(e[k].field, sizeof e[k].field, "on.%s",
				 on_names[i]);
			e[k++].to = n->on[i];
		}
	return k;
}

static int check_refs(const struct tree *t, struct ad_error *err)
{
	struct edge e[MAX_EDGES];
	size_t i, j, ne;

	for (i = 0; i < t->n; i++) {
		const struct tree_node *n = &t->nodes[i];

		ne = node_edges(n, e);
		for (j = 0; j < ne; j++) {
			long to = index_of(t, e[j].to);

			if (to < 0)
				return tree_err(err, AD_EPARSE, n->id,
						e[j].field,
						_("node '%s': field '%s' refers "
						  "to unknown node '%s'"),
						n->id, e[j].field, e[j].to);
			if ((size_t)to == i)
				return tree_err(err, AD_EPARSE, n->id,
						e[j].field,
						_("node '%s': field '%s' refers "
						  "to the node itself"),
						n->id, e[j].field);
		}
		/* A check that names its fix and sends failures to a fix
		 * node must send them to a node applying that same fix. */
		if (n->kind == TREE_CHECK && n->fix && n->on[TREE_ON_FAIL]) {
			const struct tree_node *f =
				&t->nodes[index_of(t, n->on[TREE_ON_FAIL])];

			if (f->kind == TREE_FIX && strcmp(f->fix, n->fix) != 0)
				return tree_err(err, AD_EPARSE, n->id, "on.fail",
						_("node '%s': field '%s' leads "
						  "to '%s', which applies fix "
						  "'%s', not '%s'"),
						n->id, "on.fail", f->id, f->fix,
						n->fix);
		}
	}
	return 0;
}

/* Every node reachable from the root, and from every node a path to a
 * verdict.  Both are small graphs: plain fixpoint loops will do. */
static int check_paths(const struct tree *t, struct ad_error *err)
{
	struct edge e[MAX_EDGES];
	unsigned char *seen, *done;
	size_t i, j, ne;
	int changed, rc = 0;

	seen = calloc(t->n, 1);
	done = calloc(t->n, 1);
	if (!seen || !done) {
		rc = tree_err(err, AD_ENOMEM, NULL, NULL, _("out of memory"));
		goto out;
	}
	seen[index_of(t, t->root)] = 1;
	do {
		changed = 0;
		for (i = 0; i < t->n; i++) {
			if (!seen[i])
				continue;
			ne = node_edges(&t->nodes[i], e);
			for (j = 0; j < ne; j++) {
				size_t to = (size_t)index_of(t, e[j].to);

				if (!seen[to])
					seen[to] = changed = 1;
			}
		}
	} while (changed);
	for (i = 0; i < t->n; i++)
		if (!seen[i]) {
			rc = tree_err(err, AD_EPARSE, t->nodes[i].id, "id",
				      _("node '%s' is unreachable: no path "
					"from the root '%s' leads to it"),
				      t->nodes[i].id, t->root);
			goto out;
		}

	for (i = 0; i < t->n; i++)
		done[i] = t->nodes[i].kind == TREE_VERDICT;
	do {
		changed = 0;
		for (i = 0; i < t->n; i++) {
			if (done[i])
				continue;
			ne = node_edges(&t->nodes[i], e);
			for (j = 0; j < ne; j++)
				if (done[index_of(t, e[j].to)]) {
					done[i] = changed = 1;
					break;
				}
		}
	} while (changed);
	for (i = 0; i < t->n; i++)
		if (!done[i]) {
			ne = node_edges(&t->nodes[i], e);
			rc = tree_err(err, AD_EPARSE, t->nodes[i].id,
				      ne ? e[0].field : NULL,
				      _("node '%s' is a dead end: no path from "
					"its field '%s' reaches a verdict"),
				      t->nodes[i].id, ne ? e[0].field : "-");
			goto out;
		}
out:
	free(seen);
	free(done);
	return rc;
}

static int check_applies(const struct tree *t, struct ad_error *err)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		const struct tree_node *n = &t->nodes[i];

		if (n->applies && (n->kind == TREE_QUESTION ||
				   n->kind == TREE_VERDICT))
			return tree_err(err, AD_EPARSE, n->id, "applies",
					_("node '%s': field '%s' is not used "
					  "by a %s node"), n->id, "applies",
					kind_names[n->kind]);
	}
	return 0;
}

/* The position of byte off as "line L, column C" numbers. */
static void line_col(const char *s, size_t off, size_t *line, size_t *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off; i++) {
		if (s[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static int parse_top(const cJSON *root, struct tree *t,
		     const struct tree_known *known, struct ad_error *err)
{
	char key[41];
	const cJSON *fmt, *rid, *nodes, *k, *it;
	struct parse ps = { known, err, NULL, "" };
	size_t i;
	int count, rc;

	if (!cJSON_IsObject(root))
		return tree_err(err, AD_EPARSE, NULL, NULL,
				_("the tree must be a JSON object"));
	for (k = root->child; k; k = k->next) {
		const cJSON *k2;

		if (!k->string || (strcmp(k->string, "format") != 0 &&
				   strcmp(k->string, "root") != 0 &&
				   strcmp(k->string, "nodes") != 0))
			return tree_err(err, AD_EPARSE, NULL,
					k->string ? k->string : "",
					_("the tree has an unknown field '%.40s'"),
					tw_clip(key, sizeof key, k->string));
		for (k2 = root->child; k2 != k; k2 = k2->next)
			if (strcmp(k2->string, k->string) == 0)
				return tree_err(err, AD_EPARSE, NULL, k->string,
						_("the tree's field '%s' appears "
						  "twice"), k->string);
	}
	fmt = cJSON_GetObjectItemCaseSensitive(root, "format");
	if (!cJSON_IsString(fmt) || !fmt->valuestring ||
	    strcmp(fmt->valuestring, TREE_FORMAT) != 0)
		return tree_err(err, AD_EPARSE, NULL, "format",
				_("the tree's field '%s' must be \"%s\""),
				"format", TREE_FORMAT);
	t->version = TREE_VERSION;
	rid = cJSON_GetObjectItemCaseSensitive(root, "root");
	if (!cJSON_IsString(rid) || !rid->valuestring ||
	    !id_ok(rid->valuestring))
		return tree_err(err, AD_EPARSE, NULL, "root",
				_("the tree's field '%s' must be a node id"),
				"root");
	if (!(t->root = dup_str(rid->valuestring)))
		return oom(&ps);
	nodes = cJSON_GetObjectItemCaseSensitive(root, "nodes");
	count = cJSON_IsArray(nodes) ? cJSON_GetArraySize(nodes) : 0;
	if (count <= 0)
		return tree_err(err, AD_EPARSE, NULL, "nodes",
				_("the tree's field '%s' must be a non-empty "
				  "array"), "nodes");
	if (count > TREE_MAX_NODES)
		return tree_err(err, AD_EPARSE, NULL, "nodes",
				_("the tree has more than %d nodes"),
				TREE_MAX_NODES);
	t->nodes = calloc((size_t)count, sizeof *t->nodes);
	if (!t->nodes)
		return oom(&ps);
	i = 0;
	cJSON_ArrayForEach(it, nodes) {
		t->n = i + 1;   /* node i is freed with the tree from here */
		rc = parse_node(&ps, it, i, &t->nodes[i]);
		if (rc != 0)
			return rc;
		i++;
	}

	for (i = 1; i < t->n; i++) {
		long first = index_of(t, t->nodes[i].id);

		if (first >= 0 && (size_t)first != i)
			return tree_err(err, AD_EPARSE, t->nodes[i].id, "id",
					_("node '%s': field '%s' is used by two "
					  "nodes (#%ld and #%zu)"),
					t->nodes[i].id, "id", first, i);
	}
	if (index_of(t, t->root) < 0)
		return tree_err(err, AD_EPARSE, NULL, "root",
				_("the tree's field '%s' refers to unknown node "
				  "'%s'"), "root", t->root);
	if ((rc = check_refs(t, err)) != 0)
		return rc;
	if ((rc = check_applies(t, err)) != 0)
		return rc;
	return check_paths(t, err);
}

int tree_load(const char *json, size_t len, const struct tree_known *known,
	      struct tree **out, struct ad_error *err)
{
	struct tree *t;
	cJSON *root;
	const char *end = NULL;
	int rc;

	if (!out)
		return tree_err(err, AD_EINVAL, NULL, NULL,
				_("invalid argument"));
	*out = NULL;
	if (!json)
		return tree_err(err, AD_EINVAL, NULL, NULL,
				_("invalid argument"));
	if (len > TREE_MAX_BYTES)
		return tree_err(err, AD_EINVAL, NULL, NULL,
				_("the tree is too large (%zu bytes, at most "
				  "%d)"), len, TREE_MAX_BYTES);
	root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
	if (!root) {
		size_t off = end && end >= json && end <= json + len ?
			     (size_t)(end - json) : 0, line, col;

		line_col(json, off, &line, &col);
		return tree_err(err, AD_EPARSE, NULL, NULL,
				_("the tree is not valid JSON (line %zu, "
				  "column %zu)"), line, col);
	}
	/* Nothing but white space may follow the object. */
	while (end && end < json + len &&
	       (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'))
		end++;
	if (end && end < json + len) {
		size_t line, col;

		line_col(json, (size_t)(end - json), &line, &col);
		cJSON_Delete(root);
		return tree_err(err, AD_EPARSE, NULL, NULL,
				_("the tree is not valid JSON: unexpected text "
				  "after it (line %zu, column %zu)"),
				line, col);
	}
	t = calloc(1, sizeof *t);
	if (!t) {
		cJSON_Delete(root);
		return tree_err(err, AD_ENOMEM, NULL, NULL, _("out of memory"));
	}
	rc = parse_top(root, t, known, err);
	cJSON_Delete(root);
	if (rc != 0) {
		tree_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

static int known_check(const char *id)
{
	return check_find(id) != NULL;
}

static int known_fix(const char *id)
{
	return fix_find(id) != NULL;
}

int tree_load_builtin(struct tree **out, struct ad_error *err)
{
	static const struct tree_known known = { known_check, known_fix };
	const struct builtin_file *f = builtin_find("tree.json");

	if (out)
		*out = NULL;
	if (!f)
		return tree_err(err, AD_ENOTFOUND, NULL, NULL,
				_("the built-in tree is missing"));
	return tree_load((const char *)f->data, f->len, &known, out, err);
}
