/* test_tree.c - the troubleshooting tree: the real data/tree.json against
 * the contract of check and fix ids, and broken trees that the loader must
 * refuse, naming the node and the field. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "tree.h"

/* ---------- the contract: check and fix ids the tree may name ---------- */

static const struct {
	const char *check;
	const char *cause;  /* NULL: a classifier (its cause comes from the event) */
	const char *fix;    /* NULL: no fix */
} contract[] = {
	{ "aks.events", NULL, NULL },
	{ "aks.health", "aks.health", NULL },
	{ "aks.reach", "aks.reach", NULL },
	{ "aks.401.acrpull", "aks.401", "attach-acr" },
	{ "aks.401.sp-expired", "aks.401", "sp-renew" },
	{ "aks.401.sp-mismatch", "aks.401", "attach-acr" },
	{ "aks.401.kubelet-vmss", "aks.401", "reconcile" },
	{ "aks.401.secret-sp", "aks.401", "secret-sp-reset" },
	{ "aks.401.secret-admin", "aks.401", "secret-update" },
	{ "aks.401-arch", "aks.401-arch", "push-platform" },
	{ "aks.notfound", "aks.notfound", "fix-reference" },
	{ "aks.403.dns-link", "aks.403", "dns-link" },
	{ "aks.403.firewall", "aks.403", "network-rule-add" },
	{ "aks.timeout.peering", "aks.timeout", "peering-recreate" },
	{ "aks.timeout.firewall", "aks.timeout", "firewall-rules" },
	{ "aks.platform", "aks.platform", "node-selector" },
	{ "aks.qps", "aks.qps", "pull-policy" },
	{ "webapp.health", "webapp.health", NULL },
	{ "webapp.log", NULL, NULL },
	{ "webapp.unauthorized.admin", "webapp.unauthorized", "webapp-settings" },
	{ "webapp.unauthorized.identity", "webapp.unauthorized", "webapp-acrpull" },
	{ "webapp.manifest-unknown", "webapp.manifest-unknown", "webapp-tag" },
	{ "webapp.ip-denied.firewall", "webapp.ip-denied", "webapp-ip-rules" },
	{ "webapp.ip-denied.private", "webapp.ip-denied", "webapp-private-pull" },
};
#define NCONTRACT (sizeof contract / sizeof contract[0])

/* The causes the classifier names: each is a node the wizard jumps to. */
static const char *const causes[] = {
	"aks.401", "aks.401-arch", "aks.notfound", "aks.403", "aks.timeout",
	"aks.platform", "aks.qps", "webapp.unauthorized",
	"webapp.manifest-unknown", "webapp.ip-denied",
};
#define NCAUSES (sizeof causes / sizeof causes[0])

static int contract_check(const char *id)
{
	size_t i;

	for (i = 0; i < NCONTRACT; i++)
		if (strcmp(contract[i].check, id) == 0)
			return 1;
	return 0;
}

static int contract_fix(const char *id)
{
	size_t i;

	for (i = 0; i < NCONTRACT; i++)
		if (contract[i].fix && strcmp(contract[i].fix, id) == 0)
			return 1;
	return 0;
}

static const struct tree_known known = { contract_check, contract_fix };

/* ---------- files ---------- */

static char *slurp(const char *rel, size_t *len)
{
	const char *dir = getenv("srcdir");
	char path[4096];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : ".", rel);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static struct tree *load_real(void)
{
	struct ad_error err = { 0 };
	struct tree *t = NULL;
	size_t len;
	char *json = slurp("../data/tree.json", &len);
	int rc = tree_load(json, len, &known, &t, &err);

	free(json);
	if (rc != 0)
		fail_msg("data/tree.json: %s (%s)", err.msg, err.detail);
	assert_non_null(t);
	return t;
}

/* Load a string; expect failure with code and every needle in err.msg. */
static void expect_reject(const char *what, const char *json, size_t len,
			  int code, const char *const *needles)
{
	struct ad_error err = { 0 };
	struct tree *t = (struct tree *)&err;  /* must be reset to NULL */
	int rc = tree_load(json, len, &known, &t, &err);

	if (rc == 0)
		fail_msg("%s: accepted", what);
	assert_null(t);
	if (rc != code || err.code != code)
		fail_msg("%s: code %d/%d, wanted %d (%s)", what, rc, err.code,
			 code, err.msg);
	for (; *needles; needles++)
		if (!strstr(err.msg, *needles))
			fail_msg("%s: \"%s\" not in \"%s\"", what, *needles,
				 err.msg);
}

/* Load tests/data/trees/<name> and expect a parse error naming all of
 * the needles. */
static void expect_file_reject(const char *name, const char *const *needles)
{
	char rel[256];
	size_t len;
	char *json;

	snprintf(rel, sizeof rel, "data/trees/%s", name);
	json = slurp(rel, &len);
	expect_reject(name, json, len, AD_EPARSE, needles);
	free(json);
}

/* minimal.json with the one occurrence of old replaced by new. */
static char *variant(const char *old, const char *new, size_t *len)
{
	size_t blen;
	char *base = slurp("data/trees/minimal.json", &blen);
	char *at = strstr(base, old), *out;
	size_t olen = strlen(old), nlen = strlen(new);

	if (!at || strstr(at + 1, old))
		fail_msg("variant: '%s' must occur exactly once", old);
	out = malloc(blen - olen + nlen + 1);
	assert_non_null(out);
	memcpy(out, base, (size_t)(at - base));
	memcpy(out + (at - base), new, nlen);
	strcpy(out + (at - base) + nlen, at + olen);
	*len = blen - olen + nlen;
	free(base);
	return out;
}

static void expect_variant_reject(const char *old, const char *new,
				  const char *const *needles)
{
	size_t len;
	char *json = variant(old, new, &len);

	expect_reject(new, json, len, AD_EPARSE, needles);
	free(json);
}

/* ---------- the real tree ---------- */

static void test_real_tree_loads(void **state)
{
	struct tree *t = load_real();
	const struct tree_node *root;
	size_t i;

	(void)state;
	assert_int_equal(t->version, 1);
	assert_string_equal(t->root, "entry");
	root = tree_find(t, t->root);
	assert_non_null(root);
	assert_int_equal(root->kind, TREE_QUESTION);
	for (i = 0; i < t->n; i++) {
		const struct tree_node *n = &t->nodes[i];

		assert_ptr_equal(tree_find(t, n->id), n);
		assert_true(strlen(n->title) > 0 && strlen(n->title) <= 60);
		/* Our own explanation, not a one-liner. */
		if (strlen(n->body) < 100)
			fail_msg("node %s: body too short to teach anything",
				 n->id);
	}
	tree_free(t);
}

static void test_every_check_once(void **state)
{
	struct tree *t = load_real();
	size_t i, j;

	(void)state;
	for (i = 0; i < NCONTRACT; i++) {
		const struct tree_node *hit = NULL;
		size_t count = 0;

		for (j = 0; j < t->n; j++)
			if (t->nodes[j].kind == TREE_CHECK &&
			    strcmp(t->nodes[j].check, contract[i].check) == 0) {
				hit = &t->nodes[j];
				count++;
			}
		if (count != 1)
			fail_msg("check %s is in %zu check nodes, wanted 1",
				 contract[i].check, count);
		/* Check ids are node ids. */
		assert_string_equal(hit->id, contract[i].check);
		/* The node offers the fix the contract names... */
		if (contract[i].fix) {
			char want[64];

			assert_non_null(hit->fix);
			assert_string_equal(hit->fix, contract[i].fix);
			/* ...and a failure leads to that fix's node. */
			snprintf(want, sizeof want, "fix.%s", contract[i].fix);
			assert_non_null(hit->on[TREE_ON_FAIL]);
			assert_string_equal(hit->on[TREE_ON_FAIL], want);
		} else {
			assert_null(hit->fix);
		}
		for (j = 0; j < TREE_ON_N; j++)
			assert_non_null(hit->on[j]);
	}
	tree_free(t);
}

/* Follow next from a fix node to the verdict it ends in. */
static const struct tree_node *verdict_after(const struct tree *t,
					     const struct tree_node *n)
{
	int guard;

	for (guard = 0; n && n->kind != TREE_VERDICT && guard < 8; guard++)
		n = n->next ? tree_find(t, n->next) : NULL;
	return n && n->kind == TREE_VERDICT ? n : NULL;
}

static void test_every_fix_has_node(void **state)
{
	struct tree *t = load_real();
	size_t i;

	(void)state;
	for (i = 0; i < NCONTRACT; i++) {
		const struct tree_node *f, *v, *c;
		char id[64];

		if (!contract[i].fix)
			continue;
		snprintf(id, sizeof id, "fix.%s", contract[i].fix);
		f = tree_find(t, id);
		if (!f)
			fail_msg("no node %s", id);
		assert_int_equal(f->kind, TREE_FIX);
		assert_string_equal(f->fix, contract[i].fix);
		/* After the fix the walk ends at the verdict of the cause. */
		v = verdict_after(t, f);
		assert_non_null(v);
		assert_string_equal(v->cause, contract[i].cause);
		/* So does a fix applied from the check node itself. */
		c = tree_find(t, contract[i].check);
		assert_non_null(c->next);
		v = verdict_after(t, tree_find(t, c->next));
		assert_non_null(v);
		assert_string_equal(v->cause, contract[i].cause);
	}
	/* And no fix node names a fix outside the contract. */
	for (i = 0; i < t->n; i++)
		if (t->nodes[i].fix)
			assert_true(contract_fix(t->nodes[i].fix));
	tree_free(t);
}

static void test_causes_and_verdicts(void **state)
{
	struct tree *t = load_real();
	size_t i, nverdicts = 0;
	char id[80];

	(void)state;
	for (i = 0; i < NCAUSES; i++) {
		const struct tree_node *n = tree_find(t, causes[i]);

		/* The classifier's label is a node to jump to... */
		if (!n)
			fail_msg("no node for cause %s", causes[i]);
		assert_true(n->kind == TREE_INFO || n->kind == TREE_CHECK);
		assert_true(n->applies &
			    (strncmp(causes[i], "aks.", 4) == 0 ?
			     TREE_APPLIES_AKS : TREE_APPLIES_WEBAPP));
		/* ...and has a verdict. */
		snprintf(id, sizeof id, "verdict.%s", causes[i]);
		n = tree_find(t, id);
		if (!n || n->kind != TREE_VERDICT)
			fail_msg("no verdict node %s", id);
		assert_string_equal(n->cause, causes[i]);
	}
	for (i = 0; i < NCONTRACT; i++) {
		const struct tree_node *n;

		if (!contract[i].cause)
			continue;
		snprintf(id, sizeof id, "verdict.%s", contract[i].cause);
		n = tree_find(t, id);
		assert_non_null(n);
		assert_string_equal(n->cause, contract[i].cause);
	}
	assert_string_equal(tree_find(t, "verdict.healthy")->cause, "healthy");
	assert_string_equal(tree_find(t, "verdict.unresolved")->cause,
			    "unresolved");
	for (i = 0; i < t->n; i++) {
		const struct tree_node *n = &t->nodes[i];

		if (n->kind != TREE_VERDICT)
			continue;
		nverdicts++;
		snprintf(id, sizeof id, "verdict.%s", n->cause);
		assert_string_equal(n->id, id);
	}
	assert_int_equal(nverdicts, NCAUSES + 5);  /* + health x2, reach,
						     * healthy, unresolved */
	tree_free(t);
}

static int has_choice(const struct tree_node *q, const char *next)
{
	size_t i;

	for (i = 0; i < q->nchoices; i++)
		if (strcmp(q->choices[i].next, next) == 0)
			return 1;
	return 0;
}

static void test_entry_and_dispatch(void **state)
{
	struct tree *t = load_real();
	const struct tree_node *n;
	size_t i;

	(void)state;
	n = tree_find(t, "entry");
	assert_int_equal(n->nchoices, 3);
	assert_true(has_choice(n, "aks.start"));
	assert_true(has_choice(n, "webapp.start"));
	assert_true(has_choice(n, "entry.message"));
	n = tree_find(t, "entry.message");
	assert_int_equal(n->kind, TREE_INFO);
	assert_string_equal(n->next, "entry");
	/* Every cause is one of the dispatch answers of its target. */
	for (i = 0; i < NCAUSES; i++) {
		n = tree_find(t, strncmp(causes[i], "aks.", 4) == 0 ?
			      "aks.cause" : "webapp.cause");
		assert_non_null(n);
		assert_int_equal(n->kind, TREE_QUESTION);
		if (!has_choice(n, causes[i]))
			fail_msg("%s does not offer %s", n->id, causes[i]);
	}
	/* The classifiers fail into their dispatch question (through the
	 * registry checks on AKS). */
	assert_string_equal(tree_find(t, "aks.events")->on[TREE_ON_FAIL],
			    "aks.health");
	assert_string_equal(tree_find(t, "aks.reach")->on[TREE_ON_PASS],
			    "aks.cause");
	assert_string_equal(tree_find(t, "webapp.log")->on[TREE_ON_FAIL],
			    "webapp.cause");
	/* Solutions are walked in the article's order: pass, unknown and
	 * not-applicable all lead on to the next one. */
	{
		static const char *const chains[][9] = {
			{ "aks.events", "aks.health", "aks.reach", "aks.cause" },
			{ "aks.401.acrpull", "aks.401.sp-expired",
			  "aks.401.sp-mismatch", "aks.401.kubelet-vmss",
			  "aks.401.secret-sp", "aks.401.secret-admin",
			  "aks.401-arch", "aks.notfound", "aks.more" },
			{ "aks.403.dns-link", "aks.403.firewall", "aks.more" },
			{ "aks.timeout.peering", "aks.timeout.firewall",
			  "aks.more" },
			{ "aks.platform", "aks.more" },
			{ "aks.qps", "aks.more" },
			{ "webapp.health", "webapp.log", "webapp.cause" },
			{ "webapp.unauthorized.admin",
			  "webapp.unauthorized.identity", "webapp.more" },
			{ "webapp.manifest-unknown", "webapp.more" },
			{ "webapp.ip-denied.firewall",
			  "webapp.ip-denied.private", "webapp.more" },
		};
		size_t c, k;
		int v;

		for (c = 0; c < sizeof chains / sizeof chains[0]; c++)
			for (k = 0; k + 1 < 9 && chains[c][k + 1]; k++) {
				n = tree_find(t, chains[c][k]);
				assert_non_null(n);
				for (v = 0; v < TREE_ON_N; v++) {
					if (v == TREE_ON_FAIL)
						continue;
					/* aks.events: pass = no failure. */
					if (v == TREE_ON_PASS && c == 0 && k == 0)
						continue;
					if (v == TREE_ON_PASS && c == 6 && k == 1)
						continue;
					if (strcmp(n->on[v], chains[c][k + 1]) != 0)
						fail_msg("%s: on[%d] is %s, wanted %s",
							 n->id, v, n->on[v],
							 chains[c][k + 1]);
				}
			}
	}
	assert_string_equal(tree_find(t, "aks.events")->on[TREE_ON_PASS],
			    "verdict.healthy");
	assert_string_equal(tree_find(t, "webapp.log")->on[TREE_ON_PASS],
			    "verdict.healthy");
	assert_string_equal(tree_find(t, "aks.401")->next, "aks.401.acrpull");
	assert_string_equal(tree_find(t, "aks.more")->next, "verdict.unresolved");
	assert_string_equal(tree_find(t, "webapp.more")->next,
			    "verdict.unresolved");
	/* Auth modes of the solutions. */
	n = tree_find(t, "aks.401.sp-expired");
	assert_int_equal(n->applies, TREE_APPLIES_AKS | TREE_APPLIES_SP);
	n = tree_find(t, "aks.401.kubelet-vmss");
	assert_int_equal(n->applies, TREE_APPLIES_AKS | TREE_APPLIES_MSI);
	n = tree_find(t, "aks.401.secret-admin");
	assert_int_equal(n->applies, TREE_APPLIES_AKS | TREE_APPLIES_SECRET);
	tree_free(t);
}

/* Notes the article insists on are in the text. */
static void test_notes_present(void **state)
{
	static const struct { const char *node, *needle; } notes[] = {
		{ "entry", "azurecr.cn" },
		{ "entry", "azurecr.us" },
		{ "aks.start", "300 seconds" },
		{ "aks.health", "Helm" },
		{ "aks.health", "Notary" },
		{ "aks.notfound", "azureacr.io" },
		{ "aks.notfound", "401" },
		{ "aks.401.kubelet-vmss", "NRGLockdown" },
		{ "aks.401.kubelet-vmss", "not supported" },
		{ "aks.401.secret-admin", "Regenerate Container Registry Login Credentials" },
		{ "aks.401.secret-admin", "90 days" },
		{ "aks.401-arch", "/canipull" },
		{ "webapp.ip-denied.portal", "Failed to load ACR tags" },
		{ "fix.network-rule-add", "separately" },
	};
	struct tree *t = load_real();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof notes / sizeof notes[0]; i++) {
		const struct tree_node *n = tree_find(t, notes[i].node);

		assert_non_null(n);
		if (!strstr(n->body, notes[i].needle))
			fail_msg("%s: body lacks \"%s\"", notes[i].node,
				 notes[i].needle);
	}
	/* Commands carry the article's commands with placeholders. */
	assert_string_equal(tree_find(t, "aks.health")->commands[0],
			    "az acr check-health --name {registry} --ignore-errors --yes");
	assert_string_equal(tree_find(t, "fix.reconcile")->commands[0],
			    "az aks update -g {resource_group} -n {cluster}");
	tree_free(t);
}

/* ---------- broken trees ---------- */

static void test_minimal_loads(void **state)
{
	struct ad_error err = { 0 };
	struct tree *t = NULL;
	size_t len;
	char *json = slurp("data/trees/minimal.json", &len);
	const struct tree_node *n;

	(void)state;
	assert_int_equal(tree_load(json, len, &known, &t, &err), 0);
	free(json);
	assert_int_equal(t->n, 7);
	n = tree_find(t, "probe");
	assert_int_equal(n->kind, TREE_CHECK);
	assert_string_equal(n->check, "aks.health");
	assert_string_equal(n->on[TREE_ON_NA], "note");
	assert_int_equal(n->applies, TREE_APPLIES_AKS);
	assert_int_equal(n->ncommands, 1);
	n = tree_find(t, "start");
	assert_int_equal(n->nchoices, 2);
	assert_string_equal(n->choices[1].label, "Give up");
	assert_string_equal(tree_find(t, "note")->body,
			    "Explains what happened.\n\nIn two paragraphs.");
	assert_null(tree_find(t, "nothing"));
	assert_null(tree_find(NULL, "probe"));
	tree_free(t);
}

static void test_broken_files(void **state)
{
	static const struct {
		const char *file;
		const char *needles[4];
	} cases[] = {
		{ "dup-id.json", { "node 'note'", "field 'id'", "two nodes" } },
		{ "unknown-ref.json", { "node 'probe'", "field 'on.fail'",
					"unknown node 'verdict.nothing'" } },
		{ "unreachable.json", { "node 'orphan'", "unreachable",
					"root 'start'" } },
		{ "dead-end.json", { "node 'note'", "dead end",
				     "field 'next'" } },
		{ "loop.json", { "dead end", "field 'next'", "verdict" } },
		{ "missing-title.json", { "node 'note'", "field 'title'",
					  "missing" } },
		{ "empty-body.json", { "node 'fix.attach-acr'",
				       "field 'body'", "empty" } },
		{ "wrong-kind.json", { "node 'note'", "field 'kind'",
				       "'decision'" } },
		{ "unknown-check.json", { "node 'probe'", "field 'check'",
					  "unknown check 'aks.nonsense'" } },
		{ "unknown-fix.json", { "node 'fix.attach-acr'", "field 'fix'",
					"'attach-everything'" } },
		{ "bad-applies.json", { "node 'probe'", "field 'applies[1]'",
					"'windows'" } },
		{ "bad-placeholder.json", { "node 'probe'",
					    "field 'commands[0]'",
					    "'{registy}'" } },
		{ "malformed.json", { "not valid JSON", "line 34" } },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		expect_file_reject(cases[i].file, cases[i].needles);
}

static void test_broken_variants(void **state)
{
	(void)state;
	/* An unknown field is a typo, not an extension. */
	expect_variant_reject("\"next\": \"fix.attach-acr\"",
			      "\"nxt\": \"fix.attach-acr\"",
			      (const char *const[]){ "node 'note'",
				      "unknown field 'nxt'", NULL });
	expect_variant_reject("\"title\": \"A note\"",
			      "\"title\": \"A note that goes on and on and on "
			      "well past the sixty characters\"",
			      (const char *const[]){ "node 'note'",
				      "field 'title'", "too long", NULL });
	/* Control characters never reach the terminal. */
	expect_variant_reject("\"title\": \"A note\"",
			      "\"title\": \"A \\u001b[2Jnote\"",
			      (const char *const[]){ "node 'note'",
				      "field 'title'", "control", NULL });
	/* A verdict is terminal and cannot be passed over. */
	expect_variant_reject("\"cause\": \"healthy\"",
			      "\"cause\": \"healthy\", \"next\": \"start\"",
			      (const char *const[]){ "node 'verdict.healthy'",
				      "field 'next'", NULL });
	expect_variant_reject("\"cause\": \"healthy\"",
			      "\"cause\": \"healthy\", \"applies\": [\"aks\"]",
			      (const char *const[]){ "node 'verdict.healthy'",
				      "field 'applies'", NULL });
	/* next on a check needs a fix to follow. */
	expect_variant_reject("\"check\": \"aks.health\"",
			      "\"check\": \"aks.health\", \"next\": \"note\"",
			      (const char *const[]){ "node 'probe'",
				      "field 'next'", NULL });
	/* A check without a way out for one verdict. */
	expect_variant_reject("\"unknown\": \"note\",", "",
			      (const char *const[]){ "node 'probe'",
				      "dead end", "field 'on.unknown'", NULL });
	expect_variant_reject("\"unknown\": \"note\"",
			      "\"unknwn\": \"note\"",
			      (const char *const[]){ "node 'probe'",
				      "field 'on.unknwn'", NULL });
	expect_variant_reject("\"next\": \"fix.attach-acr\"",
			      "\"next\": \"note\"",
			      (const char *const[]){ "node 'note'",
				      "field 'next'", "itself", NULL });
	expect_variant_reject("{ \"label\": \"Give up\", \"next\": \"verdict.unresolved\" }",
			      "{ \"label\": \"Give up\", \"next\": \"nowhere\" }",
			      (const char *const[]){ "node 'start'",
				      "field 'choices[1].next'",
				      "'nowhere'", NULL });
	expect_variant_reject("\"label\": \"Give up\"", "\"label\": \"\"",
			      (const char *const[]){ "node 'start'",
				      "field 'choices[1].label'", NULL });
	expect_variant_reject("\"id\": \"note\"", "\"id\": \"Note!\"",
			      (const char *const[]){ "field 'id'",
				      "not a valid id", NULL });
	expect_variant_reject("\"root\": \"start\"", "\"root\": \"begin\"",
			      (const char *const[]){ "field 'root'",
				      "'begin'", NULL });
	expect_variant_reject("\"format\": \"acr-doctor-tree/1\"",
			      "\"format\": \"acr-doctor-tree/2\"",
			      (const char *const[]){ "field 'format'", NULL });
	expect_variant_reject("\"root\": \"start\"",
			      "\"root\": \"start\", \"root\": \"probe\"",
			      (const char *const[]){ "field 'root'", "twice",
				      NULL });
	expect_variant_reject("\"root\": \"start\"",
			      "\"root\": \"start\", \"version\": 2",
			      (const char *const[]){ "unknown field 'version'",
				      NULL });
	expect_variant_reject("\"kind\": \"info\"",
			      "\"kind\": \"info\", \"kind\": \"fix\"",
			      (const char *const[]){ "node 'note'",
				      "field 'kind'", "twice", NULL });
}

/* Remove the one occurrence of cut from s, in place. */
static void cut(char *s, const char *what)
{
	char *at = strstr(s, what);

	assert_non_null(at);
	memmove(at, at + strlen(what), strlen(at + strlen(what)) + 1);
}

static void test_fix_consistency(void **state)
{
	struct ad_error err = { 0 };
	struct tree *t = NULL;
	size_t len;
	char *json;

	(void)state;
	/* probe names fix reconcile but fails into the attach-acr node. */
	json = variant("\"check\": \"aks.health\",",
		       "\"check\": \"aks.health\", \"fix\": \"reconcile\", "
		       "\"next\": \"verdict.aks.health\",", &len);
	cut(json, "\"fail\": \"verdict.aks.health\",");
	{
		/* Put the mismatching fail back in. */
		char *j2 = malloc(strlen(json) + 64);
		char *at = strstr(json, "\"pass\"");

		assert_non_null(j2);
		assert_non_null(at);
		memcpy(j2, json, (size_t)(at - json));
		strcpy(j2 + (at - json), "\"fail\": \"fix.attach-acr\", ");
		strcat(j2, at);
		expect_reject("fix mismatch", j2, strlen(j2), AD_EPARSE,
			      (const char *const[]){ "node 'probe'",
				      "field 'on.fail'", "'attach-acr'",
				      "'reconcile'", NULL });
		free(j2);
	}
	/* Without on.fail, fix + next is the shorthand: it loads. */
	assert_int_equal(tree_load(json, strlen(json), &known, &t, &err), 0);
	assert_null(tree_find(t, "probe")->on[TREE_ON_FAIL]);
	assert_string_equal(tree_find(t, "probe")->fix, "reconcile");
	assert_string_equal(tree_find(t, "probe")->next, "verdict.aks.health");
	tree_free(t);
	free(json);
	/* Without fix, on.fail is required. */
	json = variant("\"fail\": \"verdict.aks.health\",", "", &len);
	expect_reject("fail missing", json, len, AD_EPARSE,
		      (const char *const[]){ "node 'probe'", "dead end",
			      "field 'on.fail'", NULL });
	free(json);
}

static void test_limits_and_args(void **state)
{
	struct ad_error err = { 0 };
	struct tree *t = NULL;
	const char *junk = "{\"format\":\"acr-doctor-tree/1\"} trailing";

	(void)state;
	assert_int_equal(tree_load(NULL, 0, &known, &t, &err), AD_EINVAL);
	assert_null(t);
	assert_int_equal(tree_load("{}", (size_t)TREE_MAX_BYTES + 1, &known,
				   &t, &err), AD_EINVAL);
	assert_non_null(strstr(err.msg, "too large"));
	assert_int_equal(tree_load(junk, strlen(junk), &known, &t, &err),
			 AD_EPARSE);
	assert_non_null(strstr(err.msg, "unexpected text"));
	assert_int_equal(tree_load("[]", 2, &known, &t, &err), AD_EPARSE);
	assert_int_equal(tree_load("", 0, &known, &t, &err), AD_EPARSE);
	/* Without callbacks any check or fix id is taken. */
	{
		size_t len;
		char *json = slurp("data/trees/unknown-check.json", &len);

		assert_int_equal(tree_load(json, len, NULL, &t, &err), 0);
		assert_string_equal(tree_find(t, "probe")->check,
				    "aks.nonsense");
		tree_free(t);
		free(json);
	}
	/* The error detail is machine-readable. */
	{
		size_t len;
		char *json = slurp("data/trees/unknown-ref.json", &len);

		assert_int_equal(tree_load(json, len, &known, &t, &err),
				 AD_EPARSE);
		assert_string_equal(err.detail, "node=probe field=on.fail");
		free(json);
	}
}

static void test_misc(void **state)
{
	const char *const *ph = tree_placeholders();
	size_t i;

	(void)state;
	tree_free(NULL);
	assert_string_equal(tree_kind_str(TREE_QUESTION), "question");
	assert_string_equal(tree_kind_str(TREE_INFO), "info");
	assert_string_equal(tree_kind_str(TREE_CHECK), "check");
	assert_string_equal(tree_kind_str(TREE_FIX), "fix");
	assert_string_equal(tree_kind_str(TREE_VERDICT), "verdict");
	assert_string_equal(tree_kind_str((enum tree_kind)42), "unknown");
	/* The placeholders the project promises are all there. */
	{
		static const char *const need[] = {
			"registry", "resource_group", "cluster", "registry_id",
			"namespace", "pod", "node_resource_group", "webapp",
			"login_server", "subscription", "kubelet_client_id",
			"image",
		};

		for (i = 0; i < sizeof need / sizeof need[0]; i++)
			assert_true(tree_placeholder_known(need[i],
							   strlen(need[i])));
	}
	assert_false(tree_placeholder_known("registr", 7));
	assert_false(tree_placeholder_known("registryx", 9));
	for (i = 0; ph[i]; i++)
		assert_true(tree_placeholder_known(ph[i], strlen(ph[i])));
	assert_true(i >= 12);
}

/* The tree compiled into the library loads with the real check and fix
 * tables: every id the tree names is implemented. */
static void test_builtin(void **state)
{
	struct ad_error err = { 0 };
	struct tree *t = NULL, *file;

	(void)state;
	if (tree_load_builtin(&t, &err) != 0)
		fail_msg("built-in tree: %s (%s)", err.msg, err.detail);
	file = load_real();
	assert_int_equal(t->n, file->n);
	assert_string_equal(t->root, file->root);
	tree_free(file);
	tree_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_tree_loads),
		cmocka_unit_test(test_every_check_once),
		cmocka_unit_test(test_every_fix_has_node),
		cmocka_unit_test(test_causes_and_verdicts),
		cmocka_unit_test(test_entry_and_dispatch),
		cmocka_unit_test(test_notes_present),
		cmocka_unit_test(test_minimal_loads),
		cmocka_unit_test(test_broken_files),
		cmocka_unit_test(test_broken_variants),
		cmocka_unit_test(test_fix_consistency),
		cmocka_unit_test(test_limits_and_args),
		cmocka_unit_test(test_misc),
		cmocka_unit_test(test_builtin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
