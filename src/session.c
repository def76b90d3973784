#include "config.h"
#include "session.h"

#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "classify.h"
#include "err.h"
#include "facts.h"
#include "http.h"
#include "i18n.h"
#include "jsonu.h"
#include "probe.h"
#include "redact.h"
#include "scenario.h"
#include "textw.h"
#include "world.h"

#define MAX_SKIP 64          /* nodes passed over in one move */

struct slot {
	const struct check_def *def;
	struct check_result res;
	int have;
	int fixed;               /* a fix for it was applied and verified */
	enum check_verdict before;  /* verdict before the fix (fixed_by set) */
	char fixed_by[48];       /* fix applied while this check failed */
};

/* One job at a time.  Inputs are set before the thread starts and not
 * touched by the main thread until it is joined; outputs are written by
 * the worker only. */
struct job {
	enum session_job kind;
	pthread_t th;
	int running;             /* started and not yet joined */
	pthread_mutex_t mu;
	int done;                /* under mu */
	/* inputs */
	const struct check_def *def;         /* CHECK, PLAN (its check) */
	const struct fix_def *fdef;          /* PLAN */
	const struct check_result *failed;   /* PLAN: NULL = run def first */
	int first, count;                    /* STEPS */
	/* outputs */
	int rc;
	struct ad_error err;
	struct check_result res;
	int have_res;
	struct fix_plan plan;
	long status[FIX_MAX_STEPS];
	int attempted;
	int verified;
	cJSON *learned;
};

struct session {
	struct tree *tree;
	struct world *w;         /* owned */
	struct facts *facts;     /* w->facts */

	size_t *hist;            /* node indices */
	size_t hlen, hcap, hpos;

	struct slot *slots;      /* one per check_def, table order */
	size_t nslots;
	size_t *order;           /* slot indices in first-run order */
	size_t norder;

	struct fix_plan plan;
	int have_plan;
	int plan_next;
	char plan_check[64];

	struct session_fix_outcome *fixes;
	size_t nfixes;
	char **audit;
	size_t naudit;

	cJSON *known;            /* facts learnt: name -> string */
	unsigned auth;
	char msg_cause[48];
	char msg_evidence[512];
	char msg_alt[CLASSIFY_MAX_ALT][48]; /* other causes the wording fits */
	size_t msg_nalt;

	struct job job;
	struct ad_error job_err;
	char job_check[64];
};

/* ---------- small helpers ---------- */

static int busy(const struct session *s)
{
	return s->job.running;
}

static int busy_error(struct ad_error *err)
{
	return ad_error_set(err, AD_EINVAL, _("a check is still running"));
}

static const struct tree_node *node_at(const struct session *s, size_t i)
{
	return i < s->tree->n ? &s->tree->nodes[i] : NULL;
}

static struct slot *slot_of(const struct session *s, const char *check_id)
{
	size_t i;

	for (i = 0; check_id && i < s->nslots; i++)
		if (strcmp(s->slots[i].def->id, check_id) == 0)
			return &s->slots[i];
	return NULL;
}

static void now_iso(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int audit_add(struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int audit_add(struct session *s, const char *fmt, ...)
{
	char line[2048], ts[32], *clean, **v;
	va_list ap;
	int n;

	now_iso(ts, sizeof ts);
	n = snprintf(line, sizeof line, "%s ", ts);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	va_end(ap);
	clean = tw_sanitize_dup(line);
	if (!clean)
		return AD_ENOMEM;
	v = realloc(s->audit, (s->naudit + 1) * sizeof *v);
	if (!v) {
		free(clean);
		return AD_ENOMEM;
	}
	s->audit = v;
	s->audit[s->naudit++] = clean;
	return 0;
}

static struct session_fix_outcome *outcome_add(struct session *s,
					       const char *fix_id,
					       const char *check_id,
					       enum session_fix_state st)
{
	struct session_fix_outcome *v, *o;

	v = realloc(s->fixes, (s->nfixes + 1) * sizeof *v);
	if (!v)
		return NULL;
	s->fixes = v;
	o = &s->fixes[s->nfixes++];
	memset(o, 0, sizeof *o);
	snprintf(o->fix_id, sizeof o->fix_id, "%s", fix_id ? fix_id : "");
	snprintf(o->check_id, sizeof o->check_id, "%s", check_id ? check_id : "");
	o->state = st;
	return o;
}

/* ---------- creation ---------- */

static int init_slots(struct session *s)
{
	size_t n, i;
	const struct check_def *defs = check_all(&n);

	s->slots = calloc(n ? n : 1, sizeof *s->slots);
	s->order = calloc(n ? n : 1, sizeof *s->order);
	if (!s->slots || !s->order)
		return AD_ENOMEM;
	for (i = 0; i < n; i++)
		s->slots[i].def = &defs[i];
	s->nslots = n;
	return 0;
}

static int hist_push(struct session *s, size_t idx)
{
	if (s->hlen > 0)
		s->hlen = s->hpos + 1;
	if (s->hlen == s->hcap) {
		size_t cap = s->hcap ? s->hcap * 2 : 16;
		size_t *v = realloc(s->hist, cap * sizeof *v);

		if (!v)
			return AD_ENOMEM;
		s->hist = v;
		s->hcap = cap;
	}
	s->hist[s->hlen++] = idx;
	s->hpos = s->hlen - 1;
	return 0;
}

struct session *session_new_world(struct world *w, struct tree *t,
				  struct ad_error *err)
{
	struct session *s;
	const struct tree_node *root;
	size_t nf;

	if (!t) {
		world_free(w);
		ad_error_set(err, AD_EINVAL, _("no troubleshooting tree"));
		return NULL;
	}
	s = calloc(1, sizeof *s);
	if (!s) {
		world_free(w);
		tree_free(t);
		ad_error_set(err, AD_ENOMEM, _("out of memory"));
		return NULL;
	}
	s->tree = t;
	pthread_mutex_init(&s->job.mu, NULL);
	/* Build the check and fix tables before any thread can ask. */
	(void)fix_all(&nf);
	if (init_slots(s) != 0 || !(s->known = cJSON_CreateObject())) {
		world_free(w);
		ad_error_set(err, AD_ENOMEM, _("out of memory"));
		goto fail;
	}
	if (!w) {
		ad_error_set(err, AD_EINVAL, _("no world to look at"));
		goto fail;
	}
	s->w = w;
	w = NULL;
	s->facts = s->w->facts;
	root = tree_find(t, t->root);
	if (!root) {
		ad_error_set(err, AD_EPARSE, _("the tree has no root node"));
		goto fail;
	}
	if (hist_push(s, (size_t)(root - t->nodes)) != 0) {
		ad_error_set(err, AD_ENOMEM, _("out of memory"));
		goto fail;
	}
	return s;
fail:
	session_free(s);
	return NULL;
}

struct session *session_new_with_tree(const char *name, struct tree *t,
				      struct ad_error *err)
{
	struct world *w = NULL;

	if (world_open_scenario(name, &w, err) != 0) {
		tree_free(t);
		return NULL;
	}
	return session_new_world(w, t, err);
}

struct session *session_new_scenario(const char *name, struct ad_error *err)
{
	struct tree *t = NULL;

	if (tree_load_builtin(&t, err) != 0)
		return NULL;
	return session_new_with_tree(name, t, err);
}

static void job_reset_outputs(struct job *j)
{
	check_result_clear(&j->res);
	fix_plan_clear(&j->plan);
	cJSON_Delete(j->learned);
	j->learned = NULL;
	j->have_res = 0;
	j->rc = 0;
	j->attempted = 0;
	j->verified = 0;
	ad_error_clear(&j->err);
}

void session_free(struct session *s)
{
	size_t i;

	if (!s)
		return;
	if (s->job.running) {
		ad_cancel_set(&s->w->cancel);
		pthread_join(s->job.th, NULL);
		s->job.running = 0;
	}
	job_reset_outputs(&s->job);
	pthread_mutex_destroy(&s->job.mu);
	for (i = 0; i < s->nslots; i++)
		check_result_clear(&s->slots[i].res);
	free(s->slots);
	free(s->order);
	fix_plan_clear(&s->plan);
	free(s->fixes);
	for (i = 0; i < s->naudit; i++)
		free(s->audit[i]);
	free(s->audit);
	free(s->hist);
	cJSON_Delete(s->known);
	world_free(s->w);
	tree_free(s->tree);
	free(s);
}

const struct tree *session_tree(const struct session *s) { return s->tree; }
const struct ad_context *session_context(const struct session *s) { return &s->w->ctx; }
const char *session_scenario_name(const struct session *s) { return world_name(s->w); }
const struct scenario *session_scenario(const struct session *s) { return world_scenario(s->w); }
const struct world *session_world(const struct session *s) { return s->w; }
unsigned session_auth(const struct session *s) { return s->auth; }

/* ---------- where we are ---------- */

const struct tree_node *session_node(const struct session *s)
{
	return node_at(s, s->hist[s->hpos]);
}

size_t session_path_len(const struct session *s)
{
	return s->hpos + 1;
}

const struct tree_node *session_path_node(const struct session *s, size_t i)
{
	return i <= s->hpos ? node_at(s, s->hist[i]) : NULL;
}

int session_can_back(const struct session *s) { return s->hpos > 0; }
int session_can_forward(const struct session *s) { return s->hpos + 1 < s->hlen; }

int session_applies(const struct session *s, const struct tree_node *n)
{
	unsigned tgt = n->applies & (TREE_APPLIES_AKS | TREE_APPLIES_WEBAPP);
	unsigned auth = n->applies & (TREE_APPLIES_MSI | TREE_APPLIES_SP |
				      TREE_APPLIES_SECRET);
	unsigned want = s->w->ctx.target == AD_TARGET_WEBAPP ?
			TREE_APPLIES_WEBAPP : TREE_APPLIES_AKS;

	if (tgt && !(tgt & want))
		return 0;
	if (auth && s->auth && !(auth & s->auth))
		return 0;
	return 1;
}

static void drop_plan(struct session *s)
{
	fix_plan_clear(&s->plan);
	s->have_plan = 0;
	s->plan_next = 0;
	s->plan_check[0] = '\0';
}

int session_goto(struct session *s, const char *id, struct ad_error *err)
{
	const struct tree_node *n = NULL;
	int guard;

	if (busy(s))
		return busy_error(err);
	for (guard = 0; guard < MAX_SKIP; guard++) {
		const char *next;

		n = id ? tree_find(s->tree, id) : NULL;
		if (!n)
			return ad_error_set(err, AD_ENOTFOUND,
					    _("the tree has no node \"%s\""),
					    id ? id : "");
		if (session_applies(s, n) || n->kind == TREE_QUESTION ||
		    n->kind == TREE_VERDICT)
			break;
		next = n->kind == TREE_CHECK && n->on[TREE_ON_NA] ?
		       n->on[TREE_ON_NA] : n->next;
		if (!next)
			break;
		id = next;
	}
	drop_plan(s);
	if (hist_push(s, (size_t)(n - s->tree->nodes)) != 0)
		return ad_error_set(err, AD_ENOMEM, _("out of memory"));
	return 0;
}

int session_back(struct session *s)
{
	if (busy(s) || s->hpos == 0)
		return AD_EINVAL;
	drop_plan(s);
	s->hpos--;
	return 0;
}

int session_forward(struct session *s)
{
	if (busy(s) || s->hpos + 1 >= s->hlen)
		return AD_EINVAL;
	drop_plan(s);
	s->hpos++;
	return 0;
}

int session_restart(struct session *s)
{
	size_t i;

	if (busy(s))
		return AD_EINVAL;
	drop_plan(s);
	for (i = 0; i < s->nslots; i++) {
		check_result_clear(&s->slots[i].res);
		s->slots[i].have = 0;
		s->slots[i].fixed = 0;
		s->slots[i].fixed_by[0] = '\0';
	}
	s->norder = 0;
	s->hist[0] = (size_t)(tree_find(s->tree, s->tree->root) - s->tree->nodes);
	s->hlen = 1;
	s->hpos = 0;
	s->msg_cause[0] = s->msg_evidence[0] = '\0';
	s->msg_nalt = 0;
	return 0;
}

/* ---------- results ---------- */

const struct check_result *session_result(const struct session *s,
					  const char *check_id)
{
	const struct slot *sl = slot_of(s, check_id);

	return sl && sl->have ? &sl->res : NULL;
}

const struct check_result *session_node_result(const struct session *s)
{
	const struct tree_node *n = session_node(s);

	return n && n->kind == TREE_CHECK ? session_result(s, n->check) : NULL;
}

size_t session_result_count(const struct session *s)
{
	return s->norder;
}

const struct check_result *session_result_at(const struct session *s,
					     size_t i,
					     const struct check_def **def)
{
	const struct slot *sl;

	if (i >= s->norder)
		return NULL;
	sl = &s->slots[s->order[i]];
	if (def)
		*def = sl->def;
	return &sl->res;
}

const char *session_result_fixed_by(const struct session *s,
				    const char *check_id,
				    enum check_verdict *before)
{
	const struct slot *sl = slot_of(s, check_id);

	if (!sl || !sl->have || !sl->fixed_by[0])
		return NULL;
	if (before)
		*before = sl->before;
	return sl->fixed_by;
}

/* Move res into the check's slot (res is left empty). */
static void store_result(struct session *s, const struct check_def *def,
			 struct check_result *res)
{
	struct slot *sl = slot_of(s, def->id);

	if (!sl) {
		check_result_clear(res);
		return;
	}
	if (!sl->have)
		s->order[s->norder++] = (size_t)(sl - s->slots);
	check_result_clear(&sl->res);
	sl->res = *res;
	sl->have = 1;
	memset(res, 0, sizeof *res);
}

int session_needs_run(const struct session *s)
{
	const struct tree_node *n = session_node(s);

	return n && n->kind == TREE_CHECK && check_find(n->check) &&
	       !session_result(s, n->check) && !busy(s);
}

/* The label a classifier check put in its data or evidence. */
static const char *classified_of(const struct check_result *r)
{
	const char *c;

	if (!r)
		return NULL;
	c = jsonu_str(r->data, "classified");
	if (!c)
		c = jsonu_str(r->evidence, "classified");
	return c;
}

/* Where "continue" leads from n, or NULL. */
static const char *next_of(const struct session *s, const struct tree_node *n)
{
	const struct check_result *r;
	const struct slot *sl;

	switch (n->kind) {
	case TREE_INFO:
	case TREE_FIX:
		return n->next;
	case TREE_CHECK:
		sl = slot_of(s, n->check);
		r = sl && sl->have ? &sl->res : NULL;
		if (!r)
			return NULL;
		if (sl->fixed && r->verdict == CHECK_PASS && n->next)
			return n->next;
		if ((unsigned)r->verdict < TREE_ON_N && n->on[r->verdict])
			return n->on[r->verdict];
		return n->next;
	default:
		return NULL;
	}
}

/* A TREE_FIX node whose fix was already applied and verified. */
static int fix_node_done(const struct session *s, const struct tree_node *n)
{
	const struct fix_def *fd = fix_find(n->fix);
	const struct slot *sl = fd ? slot_of(s, fd->verify_check) : NULL;

	return sl && sl->have && sl->fixed && sl->res.verdict == CHECK_PASS;
}

const struct fix_def *session_node_fix(const struct session *s)
{
	const struct tree_node *n = session_node(s);
	const struct check_result *r;

	if (!n)
		return NULL;
	if (n->kind == TREE_FIX)
		return fix_node_done(s, n) ? NULL : fix_find(n->fix);
	if (n->kind != TREE_CHECK)
		return NULL;
	r = session_result(s, n->check);
	if (!r || r->verdict != CHECK_FAIL)
		return NULL;
	if (n->fix && fix_find(n->fix))
		return fix_find(n->fix);
	return r->fix ? fix_find(r->fix) : NULL;
}

static size_t add_item(struct session_item *items, size_t k, size_t max,
		       enum session_item_kind kind, size_t arg,
		       const char *label, const char *detail)
{
	if (k >= max)
		return k;
	memset(&items[k], 0, sizeof items[k]);
	items[k].kind = kind;
	items[k].arg = arg;
	items[k].label = label;
	items[k].detail = detail;
	return k + 1;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = s ? strlen(s) : 0, b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

int session_wants_message(const struct session *s)
{
	const struct tree_node *n = session_node(s);

	return n && ends_with(n->id, ".message");
}

/* The cause the latest classification named: a pasted message first,
 * else the classifier checks (pod event, web app log), latest first. */
/* A choice leads to a cause when it goes to the cause's node or straight
 * to its verdict. */
static int leads_to_cause(const char *next, const char *cause)
{
	return strcmp(next, cause) == 0 ||
	       (strncmp(next, "verdict.", 8) == 0 && strcmp(next + 8, cause) == 0);
}

/* A choice leads to a cause the pasted message's wording also fits: it is
 * suggested too, the checks there tell which one it is. */
static int leads_to_alt(const struct session *s, const char *next)
{
	size_t i;

	if (!s->msg_cause[0])
		return 0;
	for (i = 0; i < s->msg_nalt; i++)
		if (leads_to_cause(next, s->msg_alt[i]))
			return 1;
	return 0;
}

static const char *classified_cause(const struct session *s)
{
	size_t i;

	if (s->msg_cause[0])
		return s->msg_cause;
	for (i = s->norder; i-- > 0;) {
		const struct slot *sl = &s->slots[s->order[i]];
		const char *c = sl->res.verdict == CHECK_FAIL ?
				classified_of(&sl->res) : NULL;

		if (c)
			return c;
	}
	return NULL;
}

size_t session_items(const struct session *s, struct session_item *items,
		     size_t max)
{
	const struct tree_node *n = session_node(s), *t;
	const struct check_result *r;
	const struct fix_def *fd;
	const char *cause;
	size_t k = 0, i, shown = 0, first;
	int msg_choice = 0;

	if (!n || busy(s))
		return 0;
	if (session_wants_message(s))
		k = add_item(items, k, max, SESSION_ITEM_MESSAGE, 0,
			     N_("Paste the error message"), NULL);
	switch (n->kind) {
	case TREE_QUESTION:
		cause = classified_cause(s);
		first = k;
		for (i = 0; i < n->nchoices; i++) {
			t = tree_find(s->tree, n->choices[i].next);
			if (t && !session_applies(s, t))
				continue;
			if (t && ends_with(t->id, ".message"))
				msg_choice = 1;
			k = add_item(items, k, max, SESSION_ITEM_CHOICE, i,
				     "%s", n->choices[i].label);
			if (cause && k > first &&
			    (leads_to_cause(n->choices[i].next, cause) ||
			     leads_to_alt(s, n->choices[i].next)))
				items[k - 1].suggested = 1;
			shown++;
		}
		if (!shown)   /* nothing applies: offer everything */
			for (i = 0; i < n->nchoices; i++)
				k = add_item(items, k, max, SESSION_ITEM_CHOICE,
					     i, "%s", n->choices[i].label);
		break;
	case TREE_INFO:
		if (n->next)
			k = add_item(items, k, max, SESSION_ITEM_NEXT, 0,
				     N_("Continue"), NULL);
		break;
	case TREE_CHECK:
		r = session_result(s, n->check);
		if (!r) {
			k = add_item(items, k, max, SESSION_ITEM_RUN, 0,
				     N_("Run the check"), NULL);
			break;
		}
		fd = session_node_fix(s);
		if (fd)
			k = add_item(items, k, max, SESSION_ITEM_FIX, 0,
				     N_("Fix it: %s"), fd->title);
		if (next_of(s, n))
			k = add_item(items, k, max, SESSION_ITEM_NEXT, 0,
				     N_("Continue"), NULL);
		k = add_item(items, k, max, SESSION_ITEM_RECHECK, 0,
			     N_("Run the check again"), NULL);
		break;
	case TREE_FIX:
		fd = fix_find(n->fix);
		if (fd && !fix_node_done(s, n))
			k = add_item(items, k, max, SESSION_ITEM_FIX, 0,
				     N_("Review the change: %s"), fd->title);
		if (n->next)
			k = add_item(items, k, max, SESSION_ITEM_NEXT, 0,
				     fd && !fix_node_done(s, n) ?
				     N_("Skip it and continue") : N_("Continue"),
				     NULL);
		break;
	case TREE_VERDICT:
		k = add_item(items, k, max, SESSION_ITEM_RESULT, 0,
			     N_("Show the result"), NULL);
		k = add_item(items, k, max, SESSION_ITEM_RESTART, 0,
			     N_("Start again"), NULL);
		break;
	}
	if (s->hpos == 0 && !msg_choice && !session_wants_message(s))
		k = add_item(items, k, max, SESSION_ITEM_MESSAGE, 0,
			     N_("I have an error message"), NULL);
	return k;
}

int session_choose(struct session *s, size_t i, struct ad_error *err)
{
	const struct tree_node *n = session_node(s);

	if (busy(s))
		return busy_error(err);
	if (n->kind != TREE_QUESTION || i >= n->nchoices)
		return ad_error_set(err, AD_EINVAL, _("no such choice"));
	return session_goto(s, n->choices[i].next, err);
}

int session_next(struct session *s, struct ad_error *err)
{
	const struct tree_node *n = session_node(s);
	const char *next;

	if (busy(s))
		return busy_error(err);
	next = next_of(s, n);
	if (!next)
		return ad_error_set(err, AD_EINVAL,
				    _("there is no next step from here"));
	return session_goto(s, next, err);
}

int session_activate(struct session *s, const struct session_item *it,
		     struct ad_error *err)
{
	switch (it->kind) {
	case SESSION_ITEM_CHOICE:
		return session_choose(s, it->arg, err);
	case SESSION_ITEM_NEXT:
		return session_next(s, err);
	case SESSION_ITEM_RUN:
	case SESSION_ITEM_RECHECK:
		return session_check_start(s, NULL, err);
	case SESSION_ITEM_FIX:
		return session_fix_plan_start(s, err);
	case SESSION_ITEM_RESTART:
		return session_restart(s);
	case SESSION_ITEM_RESULT:
	case SESSION_ITEM_MESSAGE:
		return 0;
	}
	return AD_EINVAL;
}

/* ---------- the worker ---------- */

static void learn_str(cJSON *o, const char *key, const char *v)
{
	if (v && *v && strlen(v) < 512)
		cJSON_AddStringToObject(o, key, v);
}

/* Facts for {placeholders} and applicability, read from the (cached)
 * answers the checks already asked for.  Runs in the worker. */
static cJSON *learn(struct facts *f)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *j;
	struct ad_error e;
	char id[512], path[700];
	unsigned auth = 0;

	if (!o)
		return NULL;
	facts_registry_id(f, id, sizeof id);
	if (arm_get(f, id, API_ACR, &j, &e) == 0) {
		learn_str(o, "registry_id", jsonu_str(j, "id"));
		learn_str(o, "login_server", jsonu_str(j, "properties.loginServer"));
	}
	if (f->ctx->target == AD_TARGET_WEBAPP) {
		facts_webapp_id(f, id, sizeof id);
		if (arm_get(f, id, API_WEB, &j, &e) == 0) {
			learn_str(o, "webapp_principal_id",
				  jsonu_str(j, "identity.principalId"));
			learn_str(o, "outbound_ips",
				  jsonu_str(j, "properties.outboundIpAddresses"));
		}
		return o;
	}
	facts_cluster_id(f, id, sizeof id);
	if (arm_get(f, id, API_AKS, &j, &e) == 0) {
		const char *sp = jsonu_str(j, "properties.servicePrincipalProfile.clientId");

		learn_str(o, "kubelet_client_id",
			  jsonu_str(j, "properties.identityProfile.kubeletidentity.clientId"));
		learn_str(o, "kubelet_object_id",
			  jsonu_str(j, "properties.identityProfile.kubeletidentity.objectId"));
		learn_str(o, "kubelet_resource_id",
			  jsonu_str(j, "properties.identityProfile.kubeletidentity.resourceId"));
		learn_str(o, "node_rg", jsonu_str(j, "properties.nodeResourceGroup"));
		if (jsonu_path(j, "properties.identityProfile.kubeletidentity") ||
		    (sp && strcmp(sp, "msi") == 0))
			auth |= TREE_APPLIES_MSI;
		else if (sp) {
			auth |= TREE_APPLIES_SP;
			learn_str(o, "sp_client_id", sp);
		}
	}
	if (f->ctx->pod[0]) {
		snprintf(path, sizeof path, "/api/v1/namespaces/%s/pods/%s",
			 f->ctx->namespace_, f->ctx->pod);
		if (kube_get(f, path, &j, &e) == 0) {
			const cJSON *ps = jsonu_array(j, "spec.imagePullSecrets");

			if (cJSON_GetArraySize(ps) > 0) {
				auth |= TREE_APPLIES_SECRET;
				learn_str(o, "pull_secret",
					  jsonu_str(cJSON_GetArrayItem(ps, 0), "name"));
			}
		}
	}
	if (auth)
		cJSON_AddNumberToObject(o, "_auth", auth);
	return o;
}

static void run_check(struct session *s, const struct check_def *def,
		      struct check_result *res)
{
	/* Each check is a job: what failed before is asked again. */
	facts_forget_errors(s->facts);
	check_run(def, s->facts, res);
	if (ad_cancelled(&s->w->cancel))
		check_say(res, CHECK_UNKNOWN, "%s", _("cancelled"));
}

static void *worker(void *arg)
{
	struct session *s = arg;
	struct job *j = &s->job;
	const struct check_def *vdef;
	int k;

	switch (j->kind) {
	case SESSION_JOB_CHECK:
		run_check(s, j->def, &j->res);
		j->have_res = 1;
		break;
	case SESSION_JOB_PLAN:
		if (!j->failed && j->def) {
			run_check(s, j->def, &j->res);
			j->have_res = 1;
			j->failed = &j->res;
		}
		if (ad_cancelled(&s->w->cancel)) {
			j->rc = ad_error_set(&j->err, AD_ECANCEL, _("cancelled"));
			break;
		}
		j->rc = fix_plan_make(j->fdef, s->facts, j->failed, &j->plan,
				      &j->err);
		/* What the caller may not do is shown as such, never
		 * offered (ARM is asked live only: a scenario records no
		 * ARM permissions). */
		if (j->rc == 0)
			fix_plan_check(s->facts, &j->plan, world_is_live(s->w));
		break;
	case SESSION_JOB_STEPS:
		for (k = j->first; k < j->first + j->count; k++) {
			if (ad_cancelled(&s->w->cancel)) {
				j->rc = ad_error_set(&j->err, AD_ECANCEL,
						     _("cancelled"));
				break;
			}
			j->attempted++;
			j->rc = fix_apply_step(s->facts, &s->plan, k,
					       &j->status[k], &j->err);
			if (j->rc != 0)
				break;
		}
		if (j->rc == 0 && j->first + j->count >= s->plan.nsteps &&
		    (vdef = check_find(s->plan.verify_check))) {
			run_check(s, vdef, &j->res);
			j->have_res = 1;
			j->verified = 1;
		}
		break;
	case SESSION_JOB_NONE:
		break;
	}
	if (!ad_cancelled(&s->w->cancel))
		j->learned = learn(s->facts);
	pthread_mutex_lock(&j->mu);
	j->done = 1;
	pthread_mutex_unlock(&j->mu);
	return NULL;
}

static int job_start(struct session *s, enum session_job kind,
		     struct ad_error *err)
{
	struct job *j = &s->job;

	job_reset_outputs(j);
	ad_error_clear(&s->job_err);
	j->kind = kind;
	j->done = 0;
	ad_cancel_clear(&s->w->cancel);
	if (pthread_create(&j->th, NULL, worker, s) != 0)
		return ad_error_set(err, AD_EIO, _("could not start a worker thread"));
	j->running = 1;
	return 0;
}

int session_check_start(struct session *s, const struct tree_node *node,
			struct ad_error *err)
{
	const struct check_def *def;

	if (busy(s))
		return busy_error(err);
	if (!node)
		node = session_node(s);
	if (!node || node->kind != TREE_CHECK)
		return ad_error_set(err, AD_EINVAL, _("this step has no check"));
	def = check_find(node->check);
	if (!def)
		return ad_error_set(err, AD_ENOTFOUND, _("unknown check \"%s\""),
				    node->check ? node->check : "");
	drop_plan(s);
	s->job.def = def;
	snprintf(s->job_check, sizeof s->job_check, "%s", def->id);
	return job_start(s, SESSION_JOB_CHECK, err);
}

static void merge_learned(struct session *s, cJSON *l)
{
	cJSON *it, *nx;

	if (!l)
		return;
	for (it = l->child; it; it = nx) {
		nx = it->next;
		if (strcmp(it->string, "_auth") == 0) {
			s->auth = (unsigned)it->valuedouble;
			continue;
		}
		cJSON_DetachItemViaPointer(l, it);
		cJSON_DeleteItemFromObjectCaseSensitive(s->known, it->string);
		cJSON_AddItemToObject(s->known, it->string, it);
	}
}

static void finish_steps(struct session *s)
{
	struct job *j = &s->job;
	struct session_fix_outcome *o;
	const char *fix = s->plan.fix_id ? s->plan.fix_id : "?";
	int k, last;

	for (k = j->first; k < j->first + j->attempted; k++) {
		const struct fix_step *st = &s->plan.steps[k];
		char verify[160] = "";

		last = k == j->first + j->attempted - 1;
		if (last && j->verified)
			snprintf(verify, sizeof verify, "; verify %s: %s",
				 s->plan.verify_check,
				 check_verdict_str(j->res.verdict));
		if (last && j->rc != 0) {
			if (j->rc == AD_ECANCEL)
				audit_add(s, "fix=%s step=%d %s %s -> cancelled",
					  fix, k + 1, st->method, st->url);
			else if (j->status[k])
				audit_add(s, "fix=%s step=%d %s %s -> %ld (%s)",
					  fix, k + 1, st->method, st->url,
					  j->status[k], j->err.msg);
			else
				audit_add(s, "fix=%s step=%d %s %s -> error (%s)",
					  fix, k + 1, st->method, st->url,
					  j->err.msg);
		} else {
			audit_add(s, "fix=%s step=%d %s %s -> %ld%s", fix, k + 1,
				  st->method, st->url, j->status[k], verify);
		}
	}
	if (j->rc == AD_ECANCEL && j->attempted == 0)
		audit_add(s, "fix=%s step=%d cancelled before sending", fix,
			  j->first + 1);
	if (j->rc != 0) {
		o = outcome_add(s, fix, s->plan_check,
				j->rc == AD_ECANCEL ? SESSION_FIX_CANCELLED :
				SESSION_FIX_FAILED);
		if (o) {
			o->steps_sent = j->first + j->attempted;
			snprintf(o->message, sizeof o->message, "%s", j->err.msg);
		}
		s->job_err = j->err;
		drop_plan(s);
		return;
	}
	s->plan_next = j->first + j->count;
	if (s->plan_next < s->plan.nsteps)
		return;
	o = outcome_add(s, fix, s->plan_check, SESSION_FIX_APPLIED);
	if (o) {
		o->steps_sent = s->plan.nsteps;
		o->verified = j->verified;
		o->verify = j->res.verdict;
	}
	if (j->have_res) {
		const struct check_def *vdef = check_find(s->plan.verify_check);
		struct slot *sl;

		if (vdef) {
			sl = slot_of(s, vdef->id);
			if (sl && sl->have) {
				sl->before = sl->res.verdict;
				snprintf(sl->fixed_by, sizeof sl->fixed_by, "%s", fix);
			}
			store_result(s, vdef, &j->res);
			j->have_res = 0;
			if (sl && sl->res.verdict == CHECK_PASS)
				sl->fixed = 1;
		}
	}
	drop_plan(s);
}

/* Join the finished worker and move its outputs into the session. */
static void finish(struct session *s)
{
	struct job *j = &s->job;

	pthread_join(j->th, NULL);
	j->running = 0;
	merge_learned(s, j->learned);
	switch (j->kind) {
	case SESSION_JOB_CHECK:
		store_result(s, j->def, &j->res);
		j->have_res = 0;
		break;
	case SESSION_JOB_PLAN:
		if (j->have_res && j->def) {
			store_result(s, j->def, &j->res);
			j->have_res = 0;
		}
		if (j->rc != 0) {
			s->job_err = j->err;
			break;
		}
		drop_plan(s);
		s->plan = j->plan;
		memset(&j->plan, 0, sizeof j->plan);
		s->have_plan = 1;
		s->plan_next = 0;
		snprintf(s->plan_check, sizeof s->plan_check, "%s",
			 j->def ? j->def->id :
			 (s->plan.verify_check ? s->plan.verify_check : ""));
		break;
	case SESSION_JOB_STEPS:
		finish_steps(s);
		break;
	case SESSION_JOB_NONE:
		break;
	}
	job_reset_outputs(j);
	ad_cancel_clear(&s->w->cancel);
}

enum session_poll session_check_poll(struct session *s)
{
	int done;

	if (!s->job.running)
		return SESSION_IDLE;
	pthread_mutex_lock(&s->job.mu);
	done = s->job.done;
	pthread_mutex_unlock(&s->job.mu);
	if (!done)
		return SESSION_BUSY;
	finish(s);
	return SESSION_DONE;
}

enum session_poll session_wait(struct session *s)
{
	if (!s->job.running)
		return SESSION_IDLE;
	finish(s);
	return SESSION_DONE;
}

int session_busy(const struct session *s)
{
	return busy(s);
}

void session_check_cancel(struct session *s)
{
	if (s->job.running)
		ad_cancel_set(&s->w->cancel);
}

enum session_job session_job_kind(const struct session *s) { return s->job.kind; }

const struct ad_error *session_job_error(const struct session *s)
{
	return s->job_err.code ? &s->job_err : NULL;
}

const char *session_job_check(const struct session *s)
{
	return s->job_check;
}

/* ---------- fixes ---------- */

int session_fix_plan_start(struct session *s, struct ad_error *err)
{
	const struct tree_node *n = session_node(s);
	const struct fix_def *fd;
	const struct check_def *cd;

	if (busy(s))
		return busy_error(err);
	fd = session_node_fix(s);
	if (!fd)
		return ad_error_set(err, AD_EINVAL, _("there is no fix to offer here"));
	cd = check_find(n->kind == TREE_CHECK ? n->check : fd->verify_check);
	drop_plan(s);
	s->job.fdef = fd;
	s->job.def = cd;
	s->job.failed = cd ? session_result(s, cd->id) : NULL;
	snprintf(s->job_check, sizeof s->job_check, "%s", cd ? cd->id : "");
	return job_start(s, SESSION_JOB_PLAN, err);
}

const struct fix_plan *session_plan(const struct session *s)
{
	return s->have_plan ? &s->plan : NULL;
}

int session_fix_group(const struct session *s, int *first, int *count)
{
	int k;

	*first = *count = 0;
	if (!s->have_plan || s->plan_next >= s->plan.nsteps)
		return 0;
	*first = s->plan_next;
	if (s->plan.steps[*first].confirm_separately) {
		*count = 1;
		return 1;
	}
	for (k = *first; k < s->plan.nsteps &&
	     !s->plan.steps[k].confirm_separately; k++)
		(*count)++;
	return 1;
}

int session_fix_denied(const struct session *s)
{
	int k, n = 0;

	for (k = 0; s->have_plan && k < s->plan.nsteps; k++)
		n += s->plan.steps[k].perm == FIX_PERM_DENIED;
	return n;
}

int session_fix_apply_group(struct session *s, struct ad_error *err)
{
	int first, count;

	if (busy(s))
		return busy_error(err);
	if (!session_fix_group(s, &first, &count))
		return ad_error_set(err, AD_EINVAL, _("nothing left to apply"));
	if (session_fix_denied(s))
		return ad_error_set(err, AD_EDENIED,
			_("you may not make this change: nothing was sent"));
	s->job.first = first;
	s->job.count = count;
	return job_start(s, SESSION_JOB_STEPS, err);
}

int session_fix_decline(struct session *s)
{
	struct session_fix_outcome *o;
	const char *fix;

	if (busy(s))
		return AD_EINVAL;
	if (!s->have_plan)
		return 0;
	fix = s->plan.fix_id ? s->plan.fix_id : "?";
	if (s->plan.nsteps == 0) {
		o = outcome_add(s, fix, s->plan_check, SESSION_FIX_MANUAL);
		audit_add(s, "fix=%s shown as commands to run by hand (nothing sent)",
			  fix);
	} else {
		o = outcome_add(s, fix, s->plan_check, SESSION_FIX_DECLINED);
		if (o)
			o->steps_sent = s->plan_next;
		audit_add(s, "fix=%s declined at step=%d (nothing more sent)",
			  fix, s->plan_next + 1);
	}
	drop_plan(s);
	return o ? 0 : AD_ENOMEM;
}

size_t session_fix_count(const struct session *s) { return s->nfixes; }

const struct session_fix_outcome *session_fix_at(const struct session *s,
						 size_t i)
{
	return i < s->nfixes ? &s->fixes[i] : NULL;
}

const char *session_fix_state_str(enum session_fix_state st)
{
	switch (st) {
	case SESSION_FIX_APPLIED: return "applied";
	case SESSION_FIX_DECLINED: return "declined";
	case SESSION_FIX_FAILED: return "failed";
	case SESSION_FIX_MANUAL: return "manual";
	case SESSION_FIX_CANCELLED: return "cancelled";
	}
	return "?";
}

const char *session_fix_state_label(enum session_fix_state st)
{
	switch (st) {
	/* TRANSLATORS: what became of a fix, on the result screen and in
	 * the report */
	case SESSION_FIX_APPLIED: return _("applied");
	case SESSION_FIX_DECLINED: return _("declined");
	case SESSION_FIX_FAILED: return _("failed");
	case SESSION_FIX_MANUAL: return _("manual");
	case SESSION_FIX_CANCELLED: return _("cancelled");
	}
	return "?";
}

size_t session_audit_count(const struct session *s) { return s->naudit; }

const char *session_audit_at(const struct session *s, size_t i)
{
	return i < s->naudit ? s->audit[i] : NULL;
}

/* ---------- placeholders ---------- */

/* Lower case without '_', '-' and spaces: "kubelet_client_id" and
 * "kubeletClientId" compare equal. */
static void norm(const char *in, char *out, size_t len)
{
	size_t k = 0;

	for (; *in && k + 1 < len; in++)
		if (*in != '_' && *in != '-' && *in != ' ')
			out[k++] = (char)tolower((unsigned char)*in);
	out[k] = '\0';
}

static int is_any(const char *k, const char *const *names)
{
	for (; *names; names++)
		if (strcmp(k, *names) == 0)
			return 1;
	return 0;
}

/* A value safe to paste into a shell command: names, ids, URLs, IPs. */
static int safe_value(const char *v)
{
	size_t n = 0;

	if (!v || !*v)
		return 0;
	for (; *v; v++, n++) {
		unsigned char c = (unsigned char)*v;

		if (n >= 511)
			return 0;
		if (!isalnum(c) && !strchr("._:/@=+,%~-", c))
			return 0;
	}
	return 1;
}

static const char *known_value(const cJSON *o, const char *key, char *tmp,
			       size_t tlen)
{
	const cJSON *it;
	char k2[64];

	for (it = o ? o->child : NULL; it; it = it->next) {
		if (!it->string)
			continue;
		norm(it->string, k2, sizeof k2);
		if (strcmp(k2, key) != 0)
			continue;
		if (cJSON_IsString(it))
			return it->valuestring;
		if (cJSON_IsNumber(it)) {
			snprintf(tmp, tlen, "%g", it->valuedouble);
			return tmp;
		}
	}
	return NULL;
}

/* Repository (want_tag 0) or tag of an image reference
 * "acrshop.azurecr.io/shop/web:1.4.2"; NULL when it has none. */
static const char *image_part(const char *image, int want_tag, char *buf,
			      size_t len)
{
	const char *slash = strchr(image, '/'), *repo = image, *end, *colon;

	if (!*image)
		return NULL;
	/* The first component is a registry host when it has a dot or port. */
	if (slash && (memchr(image, '.', (size_t)(slash - image)) ||
		      memchr(image, ':', (size_t)(slash - image))))
		repo = slash + 1;
	end = strchr(repo, '@');
	if (!end)
		end = repo + strlen(repo);
	colon = memchr(repo, ':', (size_t)(end - repo));
	if (want_tag) {
		if (!colon)
			return NULL;
		snprintf(buf, len, "%.*s", (int)(end - colon - 1), colon + 1);
	} else {
		snprintf(buf, len, "%.*s", (int)((colon ? colon : end) - repo), repo);
	}
	tw_utf8_trim(buf);
	return *buf ? buf : NULL;
}

static const char *lookup(const struct session *s, const char *name,
			  char *tmp, size_t tlen)
{
	static const char *const sub[] = { "subscription", "subscriptionid", "sub", NULL };
	static const char *const rg[] = { "rg", "resourcegroup", "group", NULL };
	static const char *const aks[] = { "aks", "cluster", "clustername", "aksname", NULL };
	static const char *const app[] = { "webapp", "app", "appname", "webappname", "site", NULL };
	static const char *const acr[] = { "acr", "registry", "registryname", "acrname", NULL };
	static const char *const acrrg[] = { "registryrg", "registryresourcegroup",
		"registrygroup", "acrrg", "acrresourcegroup", NULL };
	static const char *const ns[] = { "namespace", "ns", NULL };
	static const char *const pod[] = { "pod", "podname", NULL };
	static const char *const login[] = { "loginserver", "acrloginserver", "server", NULL };
	static const char *const acrid[] = { "registryid", "acrid", "acrresourceid", NULL };
	static const char *const aksid[] = { "clusterid", "aksid", NULL };
	static const char *const appid[] = { "webappid", "siteid", NULL };
	const struct ad_context *c = &s->w->ctx;
	char k[64];
	const char *v;
	size_t i;

	norm(name, k, sizeof k);
	if (is_any(k, sub))
		return c->subscription;
	if (is_any(k, rg))
		return c->resource_group;
	if (is_any(k, aks))
		return c->cluster;
	if (is_any(k, app))
		return c->webapp;
	if (is_any(k, acr))
		return c->registry;
	if (is_any(k, acrrg))
		return c->registry_group[0] ? c->registry_group : c->resource_group;
	if (is_any(k, ns))
		return c->namespace_;
	if (is_any(k, pod))
		return c->pod;
	if (strcmp(k, "image") == 0)
		return c->image;
	if (strcmp(k, "repository") == 0 || strcmp(k, "repo") == 0 ||
	    strcmp(k, "tag") == 0)
		if ((v = image_part(c->image, strcmp(k, "tag") == 0, tmp, tlen)))
			return v;
	if (strcmp(k, "kubeserver") == 0)
		return c->kube_server;
	if (is_any(k, login)) {
		if ((v = known_value(s->known, "loginserver", tmp, tlen)))
			return v;
		ctx_login_server(c, tmp, (unsigned)tlen);
		return tmp;
	}
	if (is_any(k, acrid)) {
		if ((v = known_value(s->known, "registryid", tmp, tlen)))
			return v;
		facts_registry_id(s->facts, tmp, tlen);
		return tmp;
	}
	if (is_any(k, aksid)) {
		facts_cluster_id(s->facts, tmp, tlen);
		return tmp;
	}
	if (is_any(k, appid)) {
		facts_webapp_id(s->facts, tmp, tlen);
		return tmp;
	}
	if (strcmp(k, "noderg") == 0 || strcmp(k, "noderesourcegroup") == 0)
		if ((v = known_value(s->known, "noderg", tmp, tlen)))
			return v;
	if ((v = known_value(s->known, k, tmp, tlen)))
		return v;
	/* What the checks found, latest first. */
	for (i = s->norder; i-- > 0;) {
		const struct check_result *r = &s->slots[s->order[i]].res;

		if ((v = known_value(r->data, k, tmp, tlen)) ||
		    (v = known_value(r->evidence, k, tmp, tlen)))
			return v;
	}
	return NULL;
}

void session_expand(const struct session *s, const char *tmpl, char *buf,
		    size_t len)
{
	size_t o = 0;
	const char *p = tmpl;

	if (!buf || len == 0)
		return;
	buf[0] = '\0';
	if (!tmpl)
		return;
	while (*p && o + 1 < len) {
		const char *end;
		char name[64], tmp[512];
		const char *v;
		size_t nl;
		int ok = 0;

		if (*p == '{' && isalpha((unsigned char)p[1])) {
			for (end = p + 1; isalnum((unsigned char)*end) ||
			     *end == '_' || *end == '-'; end++)
				;
			nl = (size_t)(end - p - 1);
			if (*end == '}' && nl < sizeof name)
				ok = 1;
		}
		if (!ok) {
			buf[o++] = *p++;
			continue;
		}
		memcpy(name, p + 1, nl);
		name[nl] = '\0';
		v = lookup(s, name, tmp, sizeof tmp);
		if (v && safe_value(v))
			o += (size_t)snprintf(buf + o, len - o, "%s", v);
		else
			o += (size_t)snprintf(buf + o, len - o, "<%s>", name);
		if (o >= len)
			o = len - 1;
		p = end + 1;
	}
	buf[o] = '\0';
}

/* ---------- messages and diagnosis ---------- */

/* The same failure as AKS and as App Service word it. */
static const struct {
	const char *aks, *webapp;
} twins[] = {
	{ "aks.401", "webapp.unauthorized" },
	{ "aks.notfound", "webapp.manifest-unknown" },
	{ "aks.403", "webapp.ip-denied" },
};

/* The cause id for this world's target: the classifier does not know
 * whether the text came from a cluster or a web app. */
static const char *for_target(const struct session *s, const char *cause)
{
	size_t i;

	for (i = 0; i < sizeof twins / sizeof twins[0]; i++) {
		if (s->w->ctx.target == AD_TARGET_WEBAPP &&
		    strcmp(cause, twins[i].aks) == 0)
			return twins[i].webapp;
		if (s->w->ctx.target == AD_TARGET_AKS &&
		    strcmp(cause, twins[i].webapp) == 0)
			return twins[i].aks;
	}
	return cause;
}

int session_message(struct session *s, const char *text, struct ad_error *err)
{
	struct classify_result r;
	const struct tree_node *n;
	char cause[48];
	size_t i;

	if (busy(s))
		return busy_error(err);
	if (!text || !*text)
		return ad_error_set(err, AD_EINVAL, _("the message is empty"));
	memset(&r, 0, sizeof r);
	classify_message(text, strlen(text), &r);
	/* Kept for the checks and the report: never with its secrets, and
	 * masked whole before it is cut to the room. */
	{
		char *masked = redact_dup(text);

		tw_clip(s->w->ctx.message, sizeof s->w->ctx.message,
			masked ? masked : "");
		free(masked);
	}
	tw_sanitize(cause, sizeof cause, r.cause ? r.cause : "");
	tw_sanitize(s->msg_evidence, sizeof s->msg_evidence, r.evidence);
	snprintf(s->msg_cause, sizeof s->msg_cause, "%s", for_target(s, cause));
	s->msg_nalt = 0;
	for (i = 0; i < r.nalt && i < CLASSIFY_MAX_ALT; i++) {
		const struct tree_node *an;

		tw_sanitize(cause, sizeof cause, r.alternatives[i]);
		an = tree_find(s->tree, for_target(s, cause));
		/* only causes this wizard has and that apply here */
		if (!an || !session_applies(s, an))
			continue;
		snprintf(s->msg_alt[s->msg_nalt++], sizeof s->msg_alt[0], "%s",
			 for_target(s, cause));
	}
	n = tree_find(s->tree, s->msg_cause);
	if (!n)
		return ad_error_set(err, AD_ENOTFOUND,
				    _("the message does not name a cause this wizard knows (%s)"),
				    cause[0] ? cause : "?");
	if (!session_applies(s, n))
		return ad_error_set(err, AD_EINVAL,
				    _("the message names %s, which does not apply to this %s"),
				    s->msg_cause, s->w->ctx.target == AD_TARGET_WEBAPP ?
				    _("web app") : _("AKS cluster"));
	return session_goto(s, n->id, err);
}

const char *session_message_cause(const struct session *s) { return s->msg_cause; }
const char *session_message_evidence(const struct session *s) { return s->msg_evidence; }

const char *session_message_alternative(const struct session *s, size_t i)
{
	return i < s->msg_nalt ? s->msg_alt[i] : NULL;
}

const struct tree_node *session_verdict(const struct session *s)
{
	size_t i = s->hpos + 1;

	while (i-- > 0) {
		const struct tree_node *n = node_at(s, s->hist[i]);

		if (n && n->kind == TREE_VERDICT)
			return i == s->hpos ? n : NULL;
	}
	return NULL;
}

const char *session_cause(const struct session *s)
{
	const struct tree_node *v = session_verdict(s);
	const char *first = NULL, *alt = NULL;
	size_t i, k;

	if (v)
		return v->cause ? v->cause : "healthy";
	for (i = 0; i < s->norder; i++) {
		const struct slot *sl = &s->slots[s->order[i]];

		if (sl->res.verdict != CHECK_FAIL || classified_of(&sl->res))
			continue;
		if (s->msg_cause[0] && strcmp(sl->def->cause, s->msg_cause) == 0)
			return sl->def->cause;
		/* a cause the message's wording also fits, confirmed by its
		 * own failing check */
		for (k = 0; !alt && s->msg_cause[0] && k < s->msg_nalt; k++)
			if (strcmp(sl->def->cause, s->msg_alt[k]) == 0)
				alt = sl->def->cause;
		if (!first)
			first = sl->def->cause;
	}
	return alt ? alt : first;
}
