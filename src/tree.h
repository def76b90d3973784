/* tree.h - the troubleshooting decision tree (data/tree.json).
 *
 * A tree is a set of nodes with stable ids (the ids of the
 * troubleshooting article summary: "aks.401.acrpull", "webapp.ip-denied").
 * Kinds:
 *   question  choices[] each {label, next}
 *   info      next
 *   check     check (a check id), on{pass,fail,unknown,not-applicable}
 *             (fail may be omitted when fix is set: then fail -> the fix
 *             is offered and after it "next" on success); optional fix
 *             (the fix offered on failure) and next (only with fix: where
 *             to go once that fix, applied from this node, was verified).
 *             When both fix and on.fail are set and on.fail is a fix
 *             node, that node applies the same fix.
 *   fix       fix (a fix id), next (after the fix or when declined)
 *   verdict   cause (a cause id, "healthy" or "unresolved"); terminal
 * Every node has title, body (English, our own words; the body may hold
 * '\n' paragraph breaks) and optional commands[] (what a learner would
 * type, with {placeholders} filled from the context) and applies
 * ("aks"/"webapp": the target; "msi"/"sp"/"secret": the auth modes the
 * node is about, any of them).  A node that does not apply is passed over
 * via next (or on.not-applicable), so question and verdict nodes, which
 * cannot be passed over, take no applies.
 * tree_load() validates: duplicate ids, unknown references, unreachable
 * nodes, non-verdict nodes with no way out, missing text, unknown check
 * or fix ids - and names the node and field in the error. */
#ifndef AD_TREE_H
#define AD_TREE_H

#include <stddef.h>

struct ad_error;

enum tree_kind { TREE_QUESTION, TREE_INFO, TREE_CHECK, TREE_FIX,
		 TREE_VERDICT };

/* Index of on[] by check verdict (enum check_verdict order). */
enum { TREE_ON_PASS, TREE_ON_FAIL, TREE_ON_UNKNOWN, TREE_ON_NA,
       TREE_ON_N };

#define TREE_APPLIES_AKS     0x01u
#define TREE_APPLIES_WEBAPP  0x02u
#define TREE_APPLIES_MSI     0x04u
#define TREE_APPLIES_SP      0x08u
#define TREE_APPLIES_SECRET  0x10u

struct tree_choice {
	char *label;
	char *next;
};

struct tree_node {
	char *id;
	enum tree_kind kind;
	char *title;
	char *body;
	char **commands;
	size_t ncommands;
	struct tree_choice *choices;
	size_t nchoices;
	char *next;
	char *check;
	char *fix;
	char *on[TREE_ON_N];
	char *cause;
	unsigned applies;         /* 0 = everywhere */
};

struct tree {
	struct tree_node *nodes;  /* in file order */
	size_t n;
	char *root;               /* id of the entry node */
	int version;
};

/* Callbacks to validate check/fix ids; either may be NULL (no check). */
struct tree_known {
	int (*check_exists)(const char *id);
	int (*fix_exists)(const char *id);
};

/* Limits tree_load() enforces (bytes unless said otherwise). */
#define TREE_MAX_BYTES     (1024 * 1024)  /* the whole file */
#define TREE_MAX_NODES     512
#define TREE_MAX_ID        64
#define TREE_MAX_TITLE     60             /* characters, not bytes */
#define TREE_MAX_BODY      2048
#define TREE_MAX_LABEL     80             /* characters */
#define TREE_MAX_COMMANDS  12
#define TREE_MAX_COMMAND   512
#define TREE_MAX_CHOICES   16

/* Parse and validate; *out owned by caller (tree_free).  On error *out is
 * NULL and err->msg names the node and the field ("node 'x': field
 * 'on.fail' refers to unknown node 'y'"); err->detail holds
 * "node=<id> field=<field>" for tools. */
int tree_load(const char *json, size_t len, const struct tree_known *known,
	      struct tree **out, struct ad_error *err);
/* Load the tree compiled into the binary. */
int tree_load_builtin(struct tree **out, struct ad_error *err);
const struct tree_node *tree_find(const struct tree *t, const char *id);
const char *tree_kind_str(enum tree_kind k);
void tree_free(struct tree *t);

/* Command placeholders: "{name}" where name is [a-z][a-z0-9_]*.  Other
 * braces (jsonpath "{.data}", JSON in kubectl patch) are not
 * placeholders.  tree_load() rejects a command whose placeholder is not
 * in this list. */
int tree_placeholder_known(const char *name, size_t len);
/* The list (NULL-terminated), e.g. for the expander's tests. */
const char *const *tree_placeholders(void);

#endif
