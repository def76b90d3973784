/* check.h - the checks the tree runs.
 *
 * A check reads facts (never writes), and returns a verdict, a one-line
 * summary, structured evidence and the az/kubectl command a learner would
 * type to see the same thing.  Rules every check keeps:
 *  - a check that could not read what it needs says CHECK_UNKNOWN and
 *    why (the ad_error message of the failed read) - never CHECK_PASS;
 *  - CHECK_NA when the check does not apply to this world (for example
 *    service-principal checks on a managed-identity cluster), with why;
 *  - evidence never holds a secret: passwords, tokens and client secrets
 *    are compared, never copied (use ev_secret_match()). */
#ifndef AD_CHECK_H
#define AD_CHECK_H

#include <stddef.h>

struct facts;
struct cJSON;
struct ad_error;

enum check_verdict { CHECK_PASS, CHECK_FAIL, CHECK_UNKNOWN, CHECK_NA };

struct check_result {
	enum check_verdict verdict;
	char summary[1024];      /* one translated sentence */
	struct cJSON *evidence;  /* object of string/number/bool/array; owned */
	char command[512];       /* equivalent command, context filled in */
	const char *fix;         /* fix id to offer when FAIL, or NULL */
	/* Facts a fix needs (principal id, IP to add, owner path...):
	 * an owned object, never shown, never exported with secrets. */
	struct cJSON *data;
};

/* Applicability bits. */
#define CHECK_AKS     0x01u
#define CHECK_WEBAPP  0x02u

struct check_def {
	const char *id;          /* tree id, e.g. "aks.401.acrpull" */
	const char *cause;       /* tree id of the cause, e.g. "aks.401" */
	const char *title;       /* N_() English title */
	unsigned applies;        /* CHECK_AKS / CHECK_WEBAPP */
	/* Fill res (already zeroed, evidence allocated).  Returns 0; a
	 * negative return is only for out-of-memory. */
	int (*run)(struct facts *f, struct check_result *res);
};

/* The table of every check, in tree order. */
const struct check_def *check_all(size_t *n);
const struct check_def *check_find(const char *id);

/* Reads the checks of a target (CHECK_AKS or CHECK_WEBAPP) make late in
 * their chain of reads although they need only the context: diagnose
 * starts them alongside the checks (src/checks/prefetch.c). */
typedef void (*check_prefetch_fn)(struct facts *f);
const check_prefetch_fn *check_prefetch(unsigned target, size_t *n);

/* Run def with a fresh res (clears it first). */
int check_run(const struct check_def *def, struct facts *f,
	      struct check_result *res);
void check_result_clear(struct check_result *res);
const char *check_verdict_str(enum check_verdict v); /* "pass", ... */
/* The verdict in words for people, translated ("pass", "not applicable"). */
const char *check_verdict_label(enum check_verdict v);
int check_verdict_parse(const char *s, enum check_verdict *out);

/* Helpers for check bodies.  They return 0 or AD_ENOMEM. */
int ev_str(struct check_result *res, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int ev_bool(struct check_result *res, const char *key, int value);
int ev_num(struct check_result *res, const char *key, double value);
/* Append a string to the evidence array named key. */
int ev_list_add(struct check_result *res, const char *key, const char *value);
/* Record whether two secrets match without storing either. */
int ev_secret_match(struct check_result *res, const char *key,
		    const char *a, const char *b);
/* Set verdict and summary in one go (summary printf style). */
void check_say(struct check_result *res, enum check_verdict v,
	       const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Add "; <s>" to the summary when it fits whole (s is cut on a
 * character boundary first, to 400 bytes). */
void check_say_more(struct check_result *res, const char *s);
/* Verdict unknown, summary "<what>: <err message>". */
void check_unknown(struct check_result *res, const char *what,
		   const struct ad_error *err);
void check_command(struct check_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Remember a fact for a fix (res->data[key] = value). */
int check_data_str(struct check_result *res, const char *key,
		   const char *value);
/* Append a string to the data array named key. */
int check_data_list_add(struct check_result *res, const char *key,
			const char *value);

#endif
