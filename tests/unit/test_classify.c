/* test_classify.c - the message classifier: the labelled corpus of real
 * messages, hand-written messages in other runtimes' wordings, and
 * hostile or broken input. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "classify.h"
#include "err.h"

#define MIB (1024u * 1024u)

/* ---------- helpers ---------- */

/* Path of a file in the test data directory: TEST_DATA_DIR, else
 * $srcdir/data (automake runs tests from the build dir), else tests/data. */
static const char *data_path(const char *name)
{
	static char path[4096];
	const char *dir = getenv("TEST_DATA_DIR");
	const char *src = getenv("srcdir");

	if (dir && *dir)
		snprintf(path, sizeof path, "%s/%s", dir, name);
	else if (src && *src)
		snprintf(path, sizeof path, "%s/data/%s", src, name);
	else
		snprintf(path, sizeof path, "tests/data/%s", name);
	return path;
}

/* Valid UTF-8 with no control character (C0, DEL, C1) and no ESC. */
static int clean_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		unsigned char c = *p;
		size_t len, i;
		uint32_t cp;

		if (c < 0x20 || c == 0x7F)
			return 0;
		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			len = 2;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			len = 3;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return 0;
		}
		for (i = 1; i < len; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3F);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) ||
		    (cp >= 0x80 && cp <= 0x9F))
			return 0;
		p += len;
	}
	return 1;
}

/* Every result, whatever the input, keeps the output contract. */
static void check_contract(const struct classify_result *r)
{
	static const char *const labels[] = {
		"aks.401", "aks.401-arch", "aks.notfound", "aks.403",
		"aks.timeout", "aks.platform", "aks.qps", "webapp.unauthorized",
		"webapp.manifest-unknown", "webapp.ip-denied", "other", NULL
	};
	const char *const *l;
	int known = 0;

	assert_non_null(r->cause);
	assert_non_null(r->rule);
	for (l = labels; *l; l++)
		known |= strcmp(*l, r->cause) == 0;
	assert_true(known);
	assert_true(clean_utf8(r->evidence));
	assert_true(clean_utf8(r->registry));
	assert_true(clean_utf8(r->image));
	assert_true(clean_utf8(r->note));
	if (strcmp(r->cause, "other") == 0)
		assert_true(r->note[0] != '\0');
	else
		assert_string_equal(r->note, "");
	/* alternatives: known causes of the tree, not "other", not the
	 * cause itself, no repeats */
	assert_true(r->nalt <= CLASSIFY_MAX_ALT);
	for (size_t i = 0; i < r->nalt; i++) {
		int alt_known = 0;

		assert_non_null(r->alternatives[i]);
		for (l = labels; *l; l++)
			alt_known |= strcmp(*l, r->alternatives[i]) == 0;
		assert_true(alt_known);
		assert_string_not_equal(r->alternatives[i], "other");
		assert_string_not_equal(r->alternatives[i], r->cause);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(r->alternatives[i],
						r->alternatives[j]);
	}
}

static void classify_str(const char *s, struct classify_result *r)
{
	assert_int_equal(classify_message(s, strlen(s), r), 0);
	check_contract(r);
}

/* Expect a cause; say why when it differs. */
static int expect(const char *what, const char *text, const char *want)
{
	struct classify_result r;

	classify_str(text, &r);
	if (strcmp(r.cause, want) != 0) {
		print_error("MISMATCH %s: expected %s, got %s (rule %s)\n"
			    "  evidence: %s\n", what, want, r.cause, r.rule,
			    r.evidence);
		return 0;
	}
	return 1;
}

/* ---------- the corpus of real messages ---------- */

/* The whole file, NUL-terminated (no getline: plain C11). */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, got;

	if (!f)
		return NULL;
	do {
		if (cap - len < 4096) {
			char *nb = realloc(buf, cap + 65536);

			assert_non_null(nb);
			buf = nb;
			cap += 65536;
		}
		got = fread(buf + len, 1, cap - len - 1, f);
		len += got;
	} while (got > 0);
	fclose(f);
	buf[len] = '\0';
	return buf;
}

/* The cause labels, in the tree's order. */
static const char *const all_labels[] = {
	"aks.401", "aks.401-arch", "aks.notfound", "aks.403", "aks.timeout",
	"aks.platform", "aks.qps", "webapp.unauthorized",
	"webapp.manifest-unknown", "webapp.ip-denied", "other", NULL
};
#define NLABELS (sizeof all_labels / sizeof all_labels[0] - 1)

struct corpus_score {
	int total, good;
	int answer_good;                /* label is the cause or one of the
					 * alternatives */
	int with_alts;                  /* answers that carry alternatives */
	int per_label[NLABELS];         /* lines labelled so */
};

/* Is label the cause or one of the alternatives of r? */
static int in_answer_set(const struct classify_result *r, const char *label)
{
	size_t i;

	if (strcmp(r->cause, label) == 0)
		return 1;
	for (i = 0; i < r->nalt; i++)
		if (strcmp(r->alternatives[i], label) == 0)
			return 1;
	return 0;
}

static double pct(int a, int b)
{
	return b ? 100.0 * a / b : 0.0;
}

/* Classify every line of a JSONL corpus ({"id", "text", "label", "note",
 * "source"}); print each miss with its id, count the hits.  The file must
 * be there and well-formed: a missing file fails, it is not skipped. */
static void run_corpus(const char *name, struct corpus_score *sc)
{
	const char *path = data_path(name);
	char *all = slurp(path), *line, *nl;

	memset(sc, 0, sizeof *sc);
	if (!all)
		fail_msg("cannot open %s", path);
	for (line = all; *line; line = nl ? nl + 1 : line + strlen(line)) {
		cJSON *j, *id, *text, *label;
		struct classify_result r;
		size_t k;
		int known = 0;

		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (line[0] == '\0')
			continue;
		j = cJSON_Parse(line);
		if (!j)
			fail_msg("%s: entry %d is not JSON", name, sc->total + 1);
		id = cJSON_GetObjectItemCaseSensitive(j, "id");
		text = cJSON_GetObjectItemCaseSensitive(j, "text");
		label = cJSON_GetObjectItemCaseSensitive(j, "label");
		assert_true(cJSON_IsString(id) && cJSON_IsString(text) &&
			    cJSON_IsString(label));
		assert_true(cJSON_IsString(
			cJSON_GetObjectItemCaseSensitive(j, "source")));
		for (k = 0; k < NLABELS; k++)
			if (strcmp(all_labels[k], label->valuestring) == 0) {
				sc->per_label[k]++;
				known = 1;
			}
		if (!known)
			fail_msg("%s: %s has unknown label %s", name,
				 id->valuestring, label->valuestring);
		classify_str(text->valuestring, &r);
		sc->total++;
		sc->with_alts += r.nalt > 0;
		sc->answer_good += in_answer_set(&r, label->valuestring);
		if (strcmp(r.cause, label->valuestring) == 0)
			sc->good++;
		else
			print_error("MISMATCH %s: expected %s, got %s (rule %s)%s%s%s\n"
				    "  evidence: %s\n", id->valuestring,
				    label->valuestring, r.cause, r.rule,
				    r.nalt ? ", alternatives " : "",
				    r.nalt ? r.alternatives[0] : "",
				    r.nalt > 1 ? " ..." : "", r.evidence);
		cJSON_Delete(j);
	}
	free(all);
	print_message("classify: %s accuracy %d/%d (%.1f%%), cause or alternative %d/%d (%.1f%%), %d with alternatives\n",
		      name, sc->good, sc->total, pct(sc->good, sc->total),
		      sc->answer_good, sc->total, pct(sc->answer_good, sc->total),
		      sc->with_alts);
}

/* The development corpus: real messages, every one must be right. */
static void test_corpus(void **state)
{
	struct corpus_score sc;

	(void)state;
	run_corpus("pull-messages.jsonl", &sc);
	assert_true(sc.total >= 50);
	assert_int_equal(sc.good, sc.total);
}

/* The held-out set: messages written from the runtimes' wordings, not
 * from the corpus, to measure how the rules generalize.  It must stay
 * large and cover every label, and at least HELDOUT_MIN_PCT percent of it
 * must be right: a new hard case may fail for a while (its MISMATCH line
 * names it), a rule that breaks a family of wordings may not. */
#define HELDOUT_MIN_PCT 95
static void test_heldout(void **state)
{
	struct corpus_score sc;
	size_t k;

	(void)state;
	run_corpus("pull-messages-heldout.jsonl", &sc);
	assert_true(sc.total >= 80);
	for (k = 0; k < NLABELS; k++)
		if (sc.per_label[k] < 3)
			fail_msg("held-out set: only %d messages for %s",
				 sc.per_label[k], all_labels[k]);
	if (100 * sc.good < HELDOUT_MIN_PCT * sc.total)
		fail_msg("held-out accuracy %d/%d is below %d%%", sc.good,
			 sc.total, HELDOUT_MIN_PCT);
}

/* Real messages collected from public issue threads and Q&A pages, each
 * labelled from what fixed it (pull-messages-real.jsonl), and the whole
 * grown corpus: the development set, the held-out set, the real messages
 * and the blind third of them (pull-messages-blind.jsonl, labelled before
 * the rules were written; its score is printed by test_blind). */
#define REAL_MIN_PCT 95
static void test_real(void **state)
{
	struct corpus_score sc;

	(void)state;
	run_corpus("pull-messages-real.jsonl", &sc);
	assert_true(sc.total >= 100);
	if (100 * sc.good < REAL_MIN_PCT * sc.total)
		fail_msg("real-message accuracy %d/%d is below %d%%", sc.good,
			 sc.total, REAL_MIN_PCT);
}

#define GROWN_FLOOR_GOOD 987    /* of 1076 with blind10: 984 when blind10
				 * was scored once; 923 of 986 with blind9,
				 * 917 when blind9 was scored once; 831 of
				 * 873 with blind8, 823 when blind8 was
				 * scored once (see data/README.md) */
/* The answer set (the cause or one of its alternatives) holds the
 * thread's cause at least this often; and at most a third of the answers
 * may carry alternatives, so that naming every cause cannot buy it. */
#define GROWN_FLOOR_ANSWER 1030
#define GROWN_MAX_ALT_DIV 3
static void test_grown(void **state)
{
	static const char *const sets[] = {
		"pull-messages.jsonl", "pull-messages-heldout.jsonl",
		"pull-messages-real.jsonl", "pull-messages-blind.jsonl",
		"pull-messages-blind2.jsonl", "pull-messages-blind3.jsonl",
		"pull-messages-blind4.jsonl", "pull-messages-blind5.jsonl",
		"pull-messages-blind6.jsonl", "pull-messages-blind7.jsonl",
		"pull-messages-blind8.jsonl", "pull-messages-blind9.jsonl",
		"pull-messages-blind10.jsonl", NULL
	};
	struct corpus_score sc;
	int good = 0, total = 0, answer = 0, alts = 0;
	size_t i;

	(void)state;
	for (i = 0; sets[i]; i++) {
		run_corpus(sets[i], &sc);
		good += sc.good;
		total += sc.total;
		answer += sc.answer_good;
		alts += sc.with_alts;
	}
	print_message("classify: grown corpus accuracy %d/%d (%.1f%%), cause or alternative %d/%d (%.1f%%), %d with alternatives\n",
		      good, total, pct(good, total), answer, total,
		      pct(answer, total), alts);
	assert_true(total >= 1076);
	/* With blind9 and blind10 the grown corpus is below 95 % (91.7 %):
	 * most of their misses are messages whose wording names another
	 * cause than the one their thread found.  The floors keep what is
	 * right today. */
	if (good < GROWN_FLOOR_GOOD)
		fail_msg("grown-corpus accuracy %d/%d fell below %d right", good,
			 total, GROWN_FLOOR_GOOD);
	if (answer < GROWN_FLOOR_ANSWER)
		fail_msg("grown-corpus answer sets hold the cause %d/%d times, below %d",
			 answer, total, GROWN_FLOOR_ANSWER);
	if (GROWN_MAX_ALT_DIV * alts > total)
		fail_msg("%d of %d answers carry alternatives: more than a third",
			 alts, total);
}

/* A blind set once scored: it must stay at least min_total messages and
 * at least floor right (its score today; the one measured once is in the
 * floor's comment and data/README.md). */
static void blind_floor(const char *file, int min_total, int floor)
{
	struct corpus_score sc;

	run_corpus(file, &sc);
	assert_true(sc.total >= min_total);
	if (sc.good < floor)
		fail_msg("%s: accuracy %d/%d fell below its floor %d", file,
			 sc.good, sc.total, floor);
}

/* The blind third: labelled from the threads before any rule was written
 * for the real messages, scored once when the rules were done.  Its score
 * is printed on every run.  The floor was the score measured then; the
 * set is no longer blind, and the floor is now its score after the rules
 * its misses led to, so a change that loses ground on it fails. */
#define BLIND_FLOOR_GOOD 51     /* of 51: 47 measured once, now no longer
				 * blind (see data/README.md) */
static void test_blind(void **state)
{
	(void)state;
	blind_floor("pull-messages-blind.jsonl", 50, BLIND_FLOOR_GOOD);
}

/* The second blind set: 45 new messages from other threads, collected and
 * labelled after the rules were done, scored once; now no longer blind,
 * its floor is its score today. */
#define BLIND2_FLOOR_GOOD 44    /* of 45: 41 measured once, now no longer
				 * blind (see data/README.md) */
static void test_blind2(void **state)
{
	(void)state;
	blind_floor("pull-messages-blind2.jsonl", 45, BLIND2_FLOOR_GOOD);
}

/* The third blind set: 65 messages from threads none of the other files
 * use, collected and labelled after the rules for wrappers, cut pastes,
 * statuses and references were done, scored once; now no longer blind,
 * its floor is its score today. */
#define BLIND3_FLOOR_GOOD 64    /* of 65: 60 measured once, now no longer
				 * blind (see data/README.md) */
static void test_blind3(void **state)
{
	(void)state;
	blind_floor("pull-messages-blind3.jsonl", 60, BLIND3_FLOOR_GOOD);
}

/* The fourth blind set: 77 messages from threads none of the other files
 * use, collected and labelled from the threads' resolutions while the
 * rules of the 403 source, Docker's wrapper reason and the status forms
 * were written by someone who did not see them; committed, then scored
 * once (see data/README.md); now no longer blind, its floor is its score
 * today. */
#define BLIND4_FLOOR_GOOD 74    /* of 77: 65 measured once, now no longer
				 * blind (see data/README.md) */
static void test_blind4(void **state)
{
	(void)state;
	blind_floor("pull-messages-blind4.jsonl", 77, BLIND4_FLOOR_GOOD);
}

/* The fifth blind set: 66 messages from threads none of the other files
 * use, most of them AKS, ACR and App Service threads, collected and
 * labelled from the threads' resolutions while the rules for blind4's
 * misses were written by someone who did not see them; committed, then
 * scored once (see data/README.md); now no longer blind, its floor is its
 * score today. */
#define BLIND5_FLOOR_GOOD 60    /* of 66: 55 measured once, now no longer
				 * blind (see data/README.md) */
static void test_blind5(void **state)
{
	(void)state;
	blind_floor("pull-messages-blind5.jsonl", 66, BLIND5_FLOOR_GOOD);
}

/* The sixth blind set: 105 messages from threads none of the other files
 * use, collected and labelled from the threads' resolutions while the
 * rules for blind5's families and the sources' wordings were written by
 * someone who did not see them; committed, then scored once (see
 * data/README.md); now no longer blind, its floor is its score today. */
#define BLIND6_FLOOR_GOOD 90    /* of 105: 76 measured once, now no longer
				 * blind (see data/README.md) */
static void test_blind6(void **state)
{
	(void)state;
	blind_floor("pull-messages-blind6.jsonl", 105, BLIND6_FLOOR_GOOD);
}

/* The seventh blind set: 81 messages from threads none of the other files
 * use, within a scope fixed in advance (the runtimes', the Docker
 * clients', App Service's and the Azure CLI's own errors), collected and
 * labelled from the threads' resolutions while the rules for blind6's
 * families were written by someone who did not see them; committed, then
 * scored once (see data/README.md); now no longer blind, its floor is
 * its score today. */
#define BLIND7_FLOOR_GOOD 77    /* of 81: 68 measured once, now no longer
				 * blind (see data/README.md) */
static void test_blind7(void **state)
{
	(void)state;
	blind_floor("pull-messages-blind7.jsonl", 81, BLIND7_FLOOR_GOOD);
}

/* The eighth blind set: 57 messages from threads none of the other files
 * use, within blind7's scope, collected and labelled from the threads'
 * resolutions after the rules for blind7's families were done;
 * committed, then scored once (see data/README.md).  Its floor is that
 * score. */
#define BLIND8_FLOOR_GOOD 49    /* of 57: 46 measured once, now no longer
				 * blind */
static void test_blind8(void **state)
{
	(void)state;
	blind_floor("pull-messages-blind8.jsonl", 57, BLIND8_FLOOR_GOOD);
}

/* The ninth blind set (pull-messages-blind9.jsonl, 113 messages from
 * threads none of the other files use), committed before the classifier
 * read it and scored once: 86 right, the cause or an alternative 96
 * times.  Rules for its families came afterwards (data/README.md). */
#define BLIND9_FLOOR_GOOD 91    /* of 113: 86 measured once, now no longer
				 * blind */
static void test_blind9(void **state)
{
	(void)state;
	blind_floor("pull-messages-blind9.jsonl", 113, BLIND9_FLOOR_GOOD);
}

/* The tenth blind set (pull-messages-blind10.jsonl, 90 messages: Q&A
 * pages, and threads of Chinese-speaking projects' mirrors and
 * installers), committed before the classifier read it and scored once,
 * after the rules for blind9: 61 right, the cause or an alternative 69
 * times. */
#define BLIND10_FLOOR_GOOD 64   /* of 90: 61 measured once, now no longer
				 * blind */
static void test_blind10(void **state)
{
	(void)state;
	blind_floor("pull-messages-blind10.jsonl", 90, BLIND10_FLOOR_GOOD);
}

/* ---------- hand-written messages, not in the corpus ---------- */

struct hand {
	const char *label;
	const char *what;       /* runtime / wording */
	const char *text;
};

static const struct hand hand[] = {
	/* aks.401 */
	{ "aks.401", "containerd 2.x POST token",
	  "Failed to pull image \"contoso.azurecr.io/web/api:2.4.1\": failed to pull and unpack image \"contoso.azurecr.io/web/api:2.4.1\": failed to resolve image: failed to authorize: failed to fetch oauth token: unexpected status from POST request to https://contoso.azurecr.io/oauth2/token: 401 Unauthorized" },
	{ "aks.401", "CRI-O",
	  "Failed to pull image \"contoso.azurecr.io/web/api:2.4.1\": rpc error: code = Unknown desc = reading manifest 2.4.1 in contoso.azurecr.io/web/api: unauthorized: authentication required, visit https://aka.ms/acr/authorization for more information." },
	{ "aks.401", "dockershim, AAD",
	  "Failed to pull image \"contoso.azurecr.io/web/api:2.4.1\": rpc error: code = Unknown desc = Error response from daemon: Get https://contoso.azurecr.io/v2/web/api/manifests/2.4.1: unauthorized: Application not registered with AAD." },
	{ "aks.401", "containerd 1.7 host status",
	  "failed to resolve reference \"contoso.azurecr.io/web/api:2.4.1\": pulling from host contoso.azurecr.io failed with status code [manifests 2.4.1]: 401 Unauthorized" },
	{ "aks.401", "podman denied",
	  "Error: initializing source docker://contoso.azurecr.io/web/api:2.4.1: reading manifest 2.4.1 in contoso.azurecr.io/web/api: denied: requested access to the resource is denied" },
	{ "aks.401", "kubelet missing pull secret",
	  "Warning  FailedToRetrieveImagePullSecret  kubelet  Unable to retrieve some image pull secrets (acr-auth); attempting to pull the image may not succeed." },
	{ "aks.401", "GitLab runner, not App Service",
	  "Pulling docker image contoso.azurecr.io/ci/build:3 ...\nWARNING: Failed to pull image with policy \"always\": Error response from daemon: Head \"https://contoso.azurecr.io/v2/ci/build/manifests/3\": unauthorized: authentication required (manager.go:237:0s)" },
	/* aks.401-arch */
	{ "aks.401-arch", "containerd multi-error",
	  "Failed to pull image \"contoso.azurecr.io/tools/agent:1.0\": [rpc error: code = NotFound desc = failed to pull and unpack image \"contoso.azurecr.io/tools/agent:1.0\": no match for platform in manifest: not found, rpc error: code = Unknown desc = failed to pull and unpack image \"contoso.azurecr.io/tools/agent:1.0\": failed to resolve reference \"contoso.azurecr.io/tools/agent:1.0\": failed to authorize: failed to fetch anonymous token: unexpected status: 401 Unauthorized]" },
	{ "aks.401-arch", "CRI-O arch + unauthorized",
	  "rpc error: code = Unknown desc = choosing image instance: no image found in manifest list for architecture arm64, variant \"v8\", OS linux; retry without credentials: reading manifest 1.0 in contoso.azurecr.io/tools/agent: unauthorized: authentication required" },
	{ "aks.401-arch", "container start on wrong arch",
	  "standard_init_linux.go:228: exec user process caused: exec format error" },
	/* aks.notfound */
	{ "aks.notfound", "containerd 2.x",
	  "Failed to pull image \"contoso.azurecr.io/web/api:2.4.9\": failed to pull and unpack image \"contoso.azurecr.io/web/api:2.4.9\": failed to resolve image: contoso.azurecr.io/web/api:2.4.9: not found" },
	{ "aks.notfound", "CRI-O",
	  "rpc error: code = Unknown desc = reading manifest 2.4.9 in contoso.azurecr.io/web/api: manifest unknown: manifest tagged by \"2.4.9\" is not found" },
	{ "aks.notfound", "go-containerregistry",
	  "GET https://contoso.azurecr.io/v2/web/apii/manifests/latest: NAME_UNKNOWN: repository name not known to registry; map[Name:web/apii]" },
	{ "aks.notfound", "misspelled suffix",
	  "Failed to pull image \"contoso.azureacr.io/web/api:2.4.1\": rpc error: code = Unknown desc = failed to pull and unpack image \"contoso.azureacr.io/web/api:2.4.1\": failed to resolve reference \"contoso.azureacr.io/web/api:2.4.1\": failed to do request: Head \"https://contoso.azureacr.io/v2/web/api/manifests/2.4.1\": dial tcp: lookup contoso.azureacr.io on 10.0.0.10:53: no such host" },
	{ "aks.notfound", "old docker",
	  "Error response from daemon: manifest for contoso.azurecr.io/web/api:2.4.9 not found" },
	{ "aks.notfound", "Testcontainers (.NET), not App Service",
	  "Docker.DotNet.DockerApiException : Docker API responded with status code=NotFound, response={\"message\":\"manifest for contoso.azurecr.io/test/db:9 not found: manifest unknown: manifest tagged by \\\"9\\\" is not found\"}\n   at Docker.DotNet.DockerClient.HandleIfErrorResponseAsync" },
	{ "aks.notfound", "containerd, Docker Hub typo",
	  "Failed to pull image \"ngnix:latest\": failed to pull and unpack image \"docker.io/library/ngnix:latest\": failed to resolve reference \"docker.io/library/ngnix:latest\": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed" },
	/* aks.403 */
	{ "aks.403", "containerd anonymous 403",
	  "Failed to pull image \"contoso.azurecr.io/web/api:2.4.1\": rpc error: code = Unknown desc = failed to pull and unpack image \"contoso.azurecr.io/web/api:2.4.1\": failed to resolve reference \"contoso.azurecr.io/web/api:2.4.1\": failed to authorize: failed to fetch anonymous token: unexpected status: 403 Forbidden" },
	{ "aks.403", "CRI-O firewall",
	  "rpc error: code = Unknown desc = reading manifest 2.4.1 in contoso.azurecr.io/web/api: denied: client with IP '20.50.60.70' is not allowed access. Refer https://aka.ms/acr/firewall to grant access." },
	{ "aks.403", "containerd 2.x POST token 403",
	  "failed to pull and unpack image \"contoso.azurecr.io/web/api:2.4.1\": failed to resolve image: failed to authorize: failed to fetch oauth token: unexpected status from POST request to https://contoso.azurecr.io/oauth2/token: 403 Forbidden" },
	{ "aks.403", "check-acr",
	  "Validating image pull permission: FAILED\nACR contoso.azurecr.io rejected token exchange: ACR token exchange endpoint returned error status: 403. body: {\"errors\":[{\"code\":\"DENIED\",\"message\":\"client with IP '52.1.2.3' is not allowed access.\"}]}" },
	/* aks.timeout */
	{ "aks.timeout", "containerd private link",
	  "Failed to pull image \"contoso.azurecr.io/web/api:2.4.1\": rpc error: code = Unknown desc = failed to pull and unpack image \"contoso.azurecr.io/web/api:2.4.1\": failed to resolve reference \"contoso.azurecr.io/web/api:2.4.1\": failed to do request: Head \"https://contoso.azurecr.io/v2/web/api/manifests/2.4.1\": dial tcp 10.1.2.5:443: i/o timeout" },
	{ "aks.timeout", "CRI-O",
	  "pinging container registry contoso.azurecr.io: Get \"https://contoso.azurecr.io/v2/\": dial tcp 10.1.2.5:443: connect: connection timed out" },
	{ "aks.timeout", "dockershim TLS",
	  "rpc error: code = Unknown desc = Error response from daemon: Get https://contoso.azurecr.io/v2/: net/http: TLS handshake timeout" },
	{ "aks.timeout", "containerd 2.x deadline",
	  "rpc error: code = DeadlineExceeded desc = failed to pull and unpack image \"contoso.azurecr.io/web/api:2.4.1\": failed to copy: read tcp 10.224.0.4:51244->10.1.2.5:443: context deadline exceeded" },
	/* aks.platform */
	{ "aks.platform", "containerd on Windows",
	  "Failed to pull image \"contoso.azurecr.io/web/api:2.4.1\": rpc error: code = Unknown desc = failed to pull and unpack image \"contoso.azurecr.io/web/api:2.4.1\": image operating system \"linux\" cannot be used on this platform" },
	{ "aks.platform", "docker specified platform",
	  "Error response from daemon: image with reference contoso.azurecr.io/web/api:2.4.1 was found but does not match the specified platform: wanted linux/arm64, actual: linux/amd64" },
	{ "aks.platform", "CRI-O image index",
	  "Failed to pull image \"quay.io/acme/tool:3\": rpc error: code = Unknown desc = choosing image instance: no image found in image index for architecture arm64, variant \"v8\", OS linux" },
	{ "aks.platform", "Windows host version",
	  "hcs::CreateComputeSystem 4f3c: The container operating system does not match the host operating system." },
	/* aks.qps */
	{ "aks.qps", "event",
	  "Failed to pull image \"contoso.azurecr.io/batch/worker:7\": pull QPS exceeded." },
	{ "aks.qps", "describe table",
	  "  Warning  Failed     12s (x4 over 1m)  kubelet  Failed to pull image \"contoso.azurecr.io/batch/job:1\": pull QPS exceeded" },
	{ "aks.qps", "journal",
	  "kubelet[2211]: E0101 pod_workers.go:1300] \"Error syncing pod, skipping\" err=\"failed to \\\"StartContainer\\\" for \\\"job\\\" with ErrImagePull: \\\"pull QPS exceeded\\\"\"" },
	/* webapp.unauthorized */
	{ "webapp.unauthorized", "App Service Linux",
	  "2024-03-01T08:12:44.101Z ERROR - DockerApiException: Docker API responded with status code=InternalServerError, response={\"message\":\"Head \\\"https://contoso.azurecr.io/v2/web/api/manifests/latest\\\": unauthorized: authentication required, visit https://aka.ms/acr/authorization for more information.\"}" },
	{ "webapp.unauthorized", "App Service Windows",
	  "17/09/2023 18:41:42.500 ERROR - Site: contoso-web - Docker client error. Pull image failed. Image: contoso.azurecr.io/web/api:latest. StatusCode: InternalServerError. Message: Docker API responded with status code=InternalServerError, response={\"message\":\"Get https://contoso.azurecr.io/v2/web/api/manifests/latest: unauthorized: authentication required\"}" },
	{ "webapp.unauthorized", "tree wording",
	  "INFO - Pulling image from Docker hub: contoso.azurecr.io/web/api:latest\nERROR - DockerApiException: Head \"https://contoso.azurecr.io/v2/web/api/manifests/latest\": unauthorized" },
	/* webapp.manifest-unknown */
	{ "webapp.manifest-unknown", "App Service manifest unknown",
	  "2024-03-01T08:12:44.101Z ERROR - DockerApiException: Docker API responded with status code=NotFound, response={\"message\":\"manifest for contoso.azurecr.io/web/api:v9 not found: manifest unknown: manifest tagged by \\\"v9\\\" is not found\"}" },
	{ "webapp.manifest-unknown", "App Service repository missing",
	  "ERROR - DockerApiException: Docker API responded with status code=NotFound, response={\"message\":\"pull access denied for contoso/api, repository does not exist or may require 'docker login': denied: requested access to the resource is denied\"}" },
	{ "webapp.manifest-unknown", "App Service bare NotFound",
	  "INFO  - Pulling image: contoso.azurecr.io/web/api:v9\nERROR - DockerApiException: Docker API responded with status code=NotFound, response={\"message\":\"\"}" },
	/* webapp.ip-denied */
	{ "webapp.ip-denied", "App Service firewall",
	  "ERROR - DockerApiException: Docker API responded with status code=InternalServerError, response={\"message\":\"Head \\\"https://contoso.azurecr.io/v2/web/api/manifests/latest\\\": denied: client with IP '20.40.60.80' is not allowed access. Refer https://aka.ms/acr/firewall to grant access.\"}" },
	{ "webapp.ip-denied", "App Service Windows bare denied",
	  "ERROR - Site: contoso-web - Docker client error. Pull image failed. Image: contoso.azurecr.io/web/api:latest. Message: Docker API responded with status code=InternalServerError, response={\"message\":\"Get https://contoso.azurecr.io/v2/web/api/manifests/latest: denied\"}" },
	{ "webapp.ip-denied", "App Service 403",
	  "INFO - Pulling image from Docker hub: contoso.azurecr.io/web/api:latest\nERROR - DockerApiException: Docker API responded with status code=InternalServerError, response={\"message\":\"Head https://contoso.azurecr.io/v2/web/api/manifests/latest: 403 Forbidden\"}" },
	/* new families: registries that answer alike for missing and
	 * private names, App Service's newer wordings, the CLI */
	{ "aks.401", "GitLab deploy token without read_registry",
	  "Error response from daemon: Head \"https://registry.gitlab.com/v2/acme/shop/web/manifests/2.1\": denied: access forbidden" },
	{ "aks.401", "Artifact Registry token 403",
	  "failed to resolve reference \"europe-docker.pkg.dev/acme-prod/apps/web:2.1\": failed to authorize: failed to fetch oauth token: unexpected status from GET request to https://europe-docker.pkg.dev/v2/token?scope=repository%3Aacme-prod%2Fapps%2Fweb%3Apull&service=europe-docker.pkg.dev: 403 Forbidden" },
	{ "aks.401", "ECR without kubelet credentials, in Docker's wrapper",
	  "failed to resolve reference \"123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:2.1\": pull access denied, repository does not exist or may require authorization: authorization failed: no basic auth credentials" },
	{ "aks.401", "containerd multi-error: token 401, then a layer copy 'not found'",
	  "Failed to pull image \"contoso.azurecr.io/mirror/library/redis:7.2\": [failed to pull and unpack image \"contoso.azurecr.io/mirror/library/redis:7.2\": failed to resolve reference \"contoso.azurecr.io/mirror/library/redis:7.2\": failed to authorize: failed to fetch oauth token: unexpected status from POST request to https://contoso.azurecr.io/oauth2/token: 401 Unauthorized, rpc error: code = NotFound desc = failed to pull and unpack image \"contoso.azurecr.io/mirror/library/redis:7.2\": failed to copy: httpReadSeeker: failed open: could not fetch content descriptor sha256:9f1c2a7d (application/vnd.oci.image.layer.v1.tar+gzip) from remote: not found]" },
	{ "aks.notfound", "containerd 1.2: reference repeated, then not found",
	  "ctr: failed to resolve reference \"contoso.azurecr.io/tools/agent:3.1\": contoso.azurecr.io/tools/agent:3.1 not found" },
	{ "aks.notfound", "a person's words: the image is gone",
	  "the pull fails, contoso.azurecr.io/tools/agent:3.1 no longer exists in our registry?" },
	{ "aks.401", "a missing pull secret, in words",
	  "Warning  FailedToRetrieveImagePullSecret  kubelet  Unable to retrieve some image pull secrets (acr-auth); attempting to pull the image may not succeed. The secret acr-auth no longer exists in the namespace." },
	{ "aks.401", "Container Instances: image or credentials",
	  "(InaccessibleImage) The image 'contoso.azurecr.io/jobs/nightly:4' in container group 'nightly' is not accessible. Please check the image and registry credential.\nCode: InaccessibleImage" },
	{ "aks.401", "Container Apps: image name or credentials",
	  "Failed to provision revision for container app 'orders'. Error details: Code: 90712, Message: Error pulling the container image. Please check the image name or any registry credentials to access if required." },
	{ "aks.platform", "Windows host build, older wording",
	  "Error response from daemon: container 4d2e encountered an error during CreateContainer: failure in a Windows system call: The operating system of the container does not match the operating system of the host. (0xc0370101)" },
	{ "aks.403", "az acr check-health: no challenge from a registry behind its firewall",
	  "DNS lookup to contoso.azurecr.io at IP 20.1.2.3 : OK\nAn error occurred: CONNECTIVITY_CHALLENGE_ERROR\nRegistry 'contoso.azurecr.io' did not issue a challenge." },
	{ "aks.403", "Kubernetes' registry refusing a network with a bare 403",
	  "Failed to pull image \"registry.k8s.io/coredns/coredns:v1.11.1\": rpc error: code = Unknown desc = failed to pull and unpack image \"registry.k8s.io/coredns/coredns:v1.11.1\": failed to resolve reference \"registry.k8s.io/coredns/coredns:v1.11.1\": pulling from host registry.k8s.io failed with status code [manifests v1.11.1]: 403 Forbidden" },
	{ "aks.403", "old Kubernetes registry refusing a network",
	  "Error response from daemon: Get \"https://k8s.gcr.io/v2/kube-proxy/manifests/v1.21.2\": error status: 403" },
	{ "aks.platform", "containerd's platform miss, pasted without its tail",
	  "Warning  Failed  kubelet  Failed to pull image \"contoso.azurecr.io/tools/cli:5\": failed to pull and unpack image \"contoso.azurecr.io/tools/cli:5\": no match for platform" },
	{ "aks.403", "a CDN's challenge page instead of the registry",
	  "Error response from daemon: error parsing HTTP 403 response body: invalid character '<' looking for beginning of value: \"<!DOCTYPE html>\\n<html><head><title>Attention Required! | Cloudflare</title></head><body>Please enable cookies. Sorry, you have been blocked from cdn.registry.example.net\"" },
	{ "aks.401", "old kubelet, GCR hiding a private image from an anonymous pull",
	  "Failed to pull image \"us.gcr.io/fabrikam-prod/billing:12\": image pull failed for us.gcr.io/fabrikam-prod/billing:12, this may be because there are no credentials on this request.  details: (Error: image fabrikam-prod/billing:12 not found)" },
	{ "aks.notfound", "old kubelet, a private registry without the image",
	  "Failed to pull image \"registry.fabrikam.net/ops/agent:3\": image pull failed for registry.fabrikam.net/ops/agent:3, this may be because there are no credentials on this request.  details: (Error: image ops/agent:3 not found)" },
	{ "other", "Docker 1.x reaching no registry at all",
	  "Step 2 : FROM registry.fabrikam.net/base/node:6\nPulling repository registry.fabrikam.net/base/node\nNetwork timed out while trying to connect to https://registry.fabrikam.net/v1/repositories/base/node/images. You may want to check your internet connection or if you are behind a proxy." },
	{ "other", "no route to the registry from the machine",
	  "Error response from daemon: Get \"https://registry.fabrikam.net/v2/\": dial tcp 10.20.30.40:443: connect: no route to host" },
	{ "other", "a mirror's allow list refusing a layer with a 403",
	  "failed to pull and unpack image \"docker.io/acme/tool:1.2\": failed to copy: httpReadSeeker: failed open: unexpected status code https://hub-mirror.example.cn/v2/acme/tool/blobs/sha256:4b1c9e0d?ns=docker.io: 403 Forbidden - Server message: denied: acme/tool is not on this mirror's allowlist" },
	{ "aks.notfound", "ECS's wrapper with its reason cut",
	  "Stopped reason: CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref" },
	{ "aks.timeout", "a configuration download cut after its URL",
	  "Status reason  CannotPullContainer\nError: error pulling image configuration: Get https://objects.cdn.example.net/registry/blobs/sha256/9a/9a3f0c/data?expires=1700000000&signature=abc" },
	{ "other", "mirror refusing images outside its allow list",
	  "Error response from daemon: Head \"https://hub-mirror.example.net/v2/library/redis/manifests/7\": denied: redis is not on the whitelist of this mirror, ask its operators to add it" },
	{ "other", "proxy's allow list forbidding a pull",
	  "failed to resolve reference \"proxy.example.org/library/python:3.12\": unexpected status: 403 Forbidden: image library/python is not allowed by the allowlist" },
	{ "other", "MCR's token service refusing everyone",
	  "failed to solve: mcr.microsoft.com/dotnet/runtime:8.0: failed to authorize: failed to fetch anonymous token: unexpected status: 401 Unauthorized" },
	{ "other", "Kubernetes' registry token refused",
	  "Failed to pull image \"registry.k8s.io/ingress-nginx/controller:v1.10.0\": failed to resolve reference: failed to authorize: failed to fetch anonymous token: unexpected status from GET request to https://registry.k8s.io/token?scope=repository%3Aingress-nginx%2Fcontroller%3Apull: 401 Unauthorized" },
	{ "aks.401", "private ECR behind Docker's missing-or-login wrapper",
	  "Failed to pull image \"123456789012.dkr.ecr.eu-west-1.amazonaws.com/billing/api:7\": rpc error: code = Unknown desc = Error response from daemon: pull access denied for 123456789012.dkr.ecr.eu-west-1.amazonaws.com/billing/api, repository does not exist or may require 'docker login': denied: Your authorization token has expired" },
	{ "aks.401", "private ECR, older daemon's missing-or-no-access",
	  "Error response from daemon: repository 123456789012.dkr.ecr.us-east-2.amazonaws.com/jobs/worker not found: does not exist or no pull access" },
	{ "aks.notfound", "ACI, image named without a registry",
	  "(InaccessibleImage) The image 'contosoapps/orders:3.2' in container group 'orders-prod' is not accessible. Please check the image and registry credential." },
	{ "aks.401", "ACI, image in an ACR",
	  "(InaccessibleImage) The image 'contoso.azurecr.io/orders:3.2' in container group 'orders-prod' is not accessible. Please check the image and registry credential." },
	{ "aks.401", "GHCR bare denied",
	  "Error response from daemon: Head \"https://ghcr.io/v2/acme/web/manifests/2.1\": denied" },
	{ "aks.401", "quay ping, not a repository",
	  "Error response from daemon: Get \"https://quay.io/v2/\": unauthorized: access to the requested resource is not authorized" },
	{ "aks.401", "Docker Hub, image named kudu (not App Service's Kudu)",
	  "Error response from daemon: Get https://registry-1.docker.io/v2/apache/kudu/manifests/1.17: unauthorized: incorrect username or password" },
	{ "aks.notfound", "quay repository request",
	  "Error: initializing source docker://quay.io/acme/web-api:2.1: reading manifest 2.1 in quay.io/acme/web-api: unauthorized: access to the requested resource is not authorized" },
	{ "aks.notfound", "Docker Hub through CRI-O: denied and unauthorized",
	  "reading manifest 2.1 in docker.io/acme/web-api: errors:\ndenied: requested access to the resource is denied\nunauthorized: authentication required" },
	{ "aks.notfound", "ACR suffix misspelled with a hyphen",
	  "dial tcp: lookup contoso.westeu-azurecr.io on 10.0.0.10:53: no such host" },
	{ "aks.403", "ACR bare denied outside App Service",
	  "Failed to pull image \"contoso.azurecr.io/web/api:1\": rpc error: code = Unknown desc = Error response from daemon: Head \"https://contoso.azurecr.io/v2/web/api/manifests/1\": denied" },
	{ "aks.403", "storage account refuses the data endpoint (XML body)",
	  "failed to copy: httpReadSeeker: failed open: unexpected status code https://contoso.azurecr.io/v2/web/api/blobs/sha256:5b1e0c: 403 Forbidden - Server message: <?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>AuthorizationFailure</Code><Message>This request is not authorized to perform this operation.</Message></Error>" },
	{ "webapp.unauthorized", "az webapp, no credentials and no admin user",
	  "az webapp create --resource-group rg-web --plan plan-web --name contoso-web --deployment-container-image-name contoso.azurecr.io/web/api:1\nNo credential was provided to access Azure Container Registry. Trying to look up...\nRetrieving credentials failed with an exception:'Failed to retrieve container registry credentials. Please either provide the credentials or run 'az acr update -n contoso --admin-enabled true' to enable admin first.'" },
	{ "webapp.unauthorized", "App Service site config validation",
	  "The parameter LinuxFxVersion has an invalid value. Unexpected exception while validating OS and version. Image: contoso.azurecr.io/web/api:1. Error Response: Unauthorized." },
	{ "webapp.manifest-unknown", "App Service puller, missing tag",
	  "2025-04-02T07:00:12.331Z ERROR - Image pull for contoso.azurecr.io/web/api:v9 failed. Unsupported image manifest. The manifest with version 'application/vnd.docker.distribution.manifest.v1+json' has not been supported yet.\n2025-04-02T07:00:12.340Z ERROR - Image pull failed: Verify docker image configuration and credentials (if using private repository)" },
	/* structure over phrases: the reference before "not found", a
	 * status printed in another client's way, pastes cut mid-word, the
	 * innermost reason inside Docker's wrapper, proxies */
	{ "aks.notfound", "BuildKit: reference, then not found",
	  "ERROR: failed to solve: fabrikam.azurecr.io/base/jdk:21-slim: failed to resolve source metadata for fabrikam.azurecr.io/base/jdk:21-slim: fabrikam.azurecr.io/base/jdk:21-slim: not found" },
	{ "aks.notfound", "ECS-style resolve ref",
	  "CannotPullContainerError: pull image manifest has been retried 3 time(s): failed to resolve ref fabrikam.azurecr.io/batch/etl:7: fabrikam.azurecr.io/batch/etl:7: not found" },
	{ "aks.notfound", "Harbor project missing",
	  "Error response from daemon: unknown: project fabrikam-ci not found" },
	{ "aks.notfound", "cut inside 'found'",
	  "ctr: failed to resolve reference \"fabrikam.azurecr.io/tools/lint:2\": fabrikam.azurecr.io/tools/lint:2: not fo" },
	{ "aks.timeout", "cut inside 'timeout'",
	  "failed to do request: Head \"https://fabrikam.azurecr.io/v2/tools/lint/manifests/2\": dial tcp 10.20.0.9:443: i/o tim" },
	{ "aks.403", "cut inside 'Forbidden'",
	  "failed to resolve reference \"fabrikam.azurecr.io/tools/lint:2\": failed to authorize: failed to fetch anonymous token: unexpected status: 403 Forb" },
	{ "aks.notfound", "quay's wording cut inside its last word",
	  "Error: initializing source docker://quay.io/fabrikam/etl:7: reading manifest 7 in quay.io/fabrikam/etl: unauthorized: access to the requested resource is not autho" },
	{ "aks.notfound", "containers/image StatusCode 404",
	  "Error: initializing source docker://fabrikam.azurecr.io/tools/lint:2: reading manifest 2 in fabrikam.azurecr.io/tools/lint: StatusCode: 404, <html><body>404</body></html>" },
	{ "aks.notfound", "Docker API client status in parentheses",
	  "Error syncing pod: failed to \"StartContainer\" for \"etl\" with ErrImagePull: \"API error (404): pull access denied for fabrikam/etl-runner\"" },
	{ "aks.401", "a bare status after a token URL",
	  "request failed: POST https://fabrikam.azurecr.io/oauth2/exchange: 401" },
	{ "aks.401", "ECR: expired token inside Docker's wrapper",
	  "Error response from daemon: pull access denied for 210987654321.dkr.ecr.ap-south-1.amazonaws.com/shop/cart, repository does not exist or may require 'docker login': denied: Your authorization token has expired. Reauthenticate and try again." },
	{ "aks.401", "ECR: IAM policy inside Docker's wrapper",
	  "Error response from daemon: pull access denied for 210987654321.dkr.ecr.ap-south-1.amazonaws.com/shop/cart, repository does not exist or may require 'docker login': denied: User: arn:aws:sts::210987654321:assumed-role/ci-runner/i-0f is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:ap-south-1:210987654321:repository/shop/cart" },
	{ "aks.401", "GCR explains after denied:",
	  "Error response from daemon: Head \"https://eu.gcr.io/v2/fabrikam-prod/cart/manifests/3\": denied: Token exchange failed for project 'fabrikam-prod'. Caller does not have permission 'storage.buckets.get'." },
	{ "webapp.unauthorized", "App Service 2018: docker pull returned STDERR",
	  "2018-11-05 09:14:02.117 ERROR - docker pull returned STDERR>> Error response from daemon: Get https://fabrikam.azurecr.io/v2/site/web/manifests/latest: unauthorized: authentication required" },
	{ "webapp.manifest-unknown", "App Service: StatusCode NotFound after a full stop",
	  "2021-06-14T03:22:10.402Z ERROR - Pull image failed. Image: fabrikam.azurecr.io/site/web:v31. StatusCode: NotFound." },
	{ "other", "403 from a web filter named in the page",
	  "Error response from daemon: Get \"https://fabrikam.azurecr.io/v2/\": Forbidden\nHTTP/1.1 403 Forbidden\nX-Squid-Error: ERR_ACCESS_DENIED 0" },

	/* a 403 is ACR's firewall only when the registry is an ACR; from a
	 * registry the text does not name, or another one, it is most often
	 * an authorization answer */
	{ "aks.401", "403 from a token service the text does not name",
	  "pull failed: failed to authorize: failed to fetch oauth token: unexpected status from GET request to https://<token-host>/service/token?scope=repository%3Ateam%2Fapi%3Apull: 403 Forbidden" },
	{ "aks.401", "Docker 1.x: Status 403 on a repository, no registry named",
	  "Pulling repository internal/base\nError: Status 403 trying to pull repository internal/base: \"Access denied\"" },
	{ "aks.401", "Harbor host answers unknown: Forbidden",
	  "Failed to pull image \"harbor.corp.example/team/api:3\": rpc error: code = Unknown desc = Error response from daemon: unknown: Forbidden" },
	{ "aks.403", "403 with the ACR named only in words",
	  "kubelet cannot pull from our ACR since Monday: failed to fetch anonymous token: unexpected status: 403 Forbidden" },
	{ "aks.platform", "unknown blob after layer retries",
	  "ltsc2019: Pulling from contoso/iis-site\n4612f6d0b889: Retrying in 3 seconds\n1bd78008c728: Downloading\nunknown blob" },

	/* products' own wordings of a pull failure: the registry they were
	 * given is not one, an identity without AcrPull, an OS or version
	 * the host cannot run, and a failure that names no reason */
	{ "aks.notfound", "a pool's container configuration names an invalid registry",
	  "Pool resize error: invalid container registry 'fabrikamimages' in the container configuration of pool gpu-pool (expected a login server such as fabrikamimages.azurecr.io)" },
	{ "aks.notfound", "a task's ContainerInvalidRegistry code",
	  "Task failed to start. failureInfo: {category: UserError, code: ContainerInvalidRegistry, message: The registry server given in the task's container settings is unknown}" },
	{ "aks.401", "a compute identity lacks pull permission",
	  "ImagePullError: the user-assigned identity of compute 'cpu-cluster' lacks pull permission for contosoml.azurecr.io; assign AcrPull and retry" },
	{ "aks.platform", "a Windows host's maximum supported OS version",
	  "Container start failed for site 'orders-win': the image was built on 10.0.20348 and this worker's maximum supported OS version is 10.0.17763.9999" },
	{ "aks.platform", "a product's check of the image's os/arch",
	  "Deployment rejected: Field 'containers[0].image' invalid: image 'contoso.azurecr.io/api:7' os/arch must be linux/amd64, got linux/arm/v7" },
	{ "aks.platform", "a product's history check after the download",
	  "Activation of service package failed: FabricException: Container image history check failed after successful download of contoso.azurecr.io/win/worker:2" },
	{ "aks.notfound", "an edge runtime's pull failure with no reason",
	  "edge runtime: error in module 'sensor': could not pull image fabrikam.azurecr.io/edge/sensor:3.1.0" },
	{ "aks.notfound", "dockershim's pull failure cut before its reason",
	  "Warning  FailedCreatePodSandBox  kubelet  Failed to create pod sandbox: rpc error: code = Unknown desc = failed pulling image \"contoso.azurecr.io/base/pause:3.9\":" },
	/* a gRPC-style status code before the reason */
	{ "aks.notfound", "a replicator's NOT_FOUND code",
	  "replication failed: GET https://harbor.fabrikam.example/v2/mirror/tools/manifests/2: NOT_FOUND: artifact mirror/tools:2 is unknown" },
	/* a 408: the request stalled on the way */
	{ "aks.timeout", "a mirror's 408 on a layer",
	  "failed to copy: httpReadSeeker: failed open: unexpected status code https://mirror.fabrikam.example/v2/library/redis/blobs/sha256:4a1b: 408 Request Timeout" },
	{ "aks.timeout", "a front end's 408 in HTML",
	  "Error response from daemon: error parsing HTTP 408 response body: invalid character '<' looking for beginning of value: \"<html><head><title>408</title></head><body>Request Timeout</body></html>\"" },
	/* a network policy that names itself, an object store's XML 403 */
	{ "aks.403", "a VPC Service Controls perimeter refusing the pull",
	  "Failed to pull image \"europe-docker.pkg.dev/acme/apps/web:4\": failed to resolve reference: unexpected status from HEAD request: 403 Forbidden: Request violates VPC Service Controls, vpcServiceControlsUniqueIdentifier: 4f2a" },
	{ "aks.403", "a request prohibited by the organization's policy",
	  "Error response from daemon: Head \"https://gcr.io/v2/acme/tools/manifests/1\": denied: this request is prohibited by the organization's egress policy" },
	{ "aks.403", "an object store's XML AccessDenied on a layer",
	  "failed to copy: httpReadSeeker: failed open: unexpected status code https://layers.s3.amazonaws.com/blobs/sha256/9f/data: 403 Forbidden: <?xml version=\"1.0\"?><Error><Code>AccessDenied</Code><Message>Request denied by the VPC endpoint</Message></Error>" },
	/* the cluster's egress firewall (Azure Firewall: 470, "Action:
	 * Deny") refusing the registry's FQDN: the network path */
	{ "aks.timeout", "an egress firewall's 470 on the manifest",
	  "failed to resolve reference \"fabrikam.azurecr.io/jobs/etl:5\": unexpected status from HEAD request to https://fabrikam.azurecr.io/v2/jobs/etl/manifests/5: 470 status code 470" },
	{ "aks.timeout", "an egress firewall's deny in the body",
	  "Error response from daemon: Get \"https://fabrikam.azurecr.io/v2/\": received unexpected HTTP status: 470, body: Action: Deny. Reason: No rule matched. Proceeding with default action." },
	/* Container Instances: the image's OS is not the group's */
	{ "aks.platform", "a container group whose OS type is not the image's",
	  "(InvalidContainerGroupOs) Container group 'etl' cannot start: image 'fabrikam.azurecr.io/win/etl:5' has OS type 'Windows', which does not match container group OS type 'Linux'." },
	/* nginx's spelling of a gateway's timeout is a 5xx, not the path */
	{ "other", "a gateway's 504 Gateway Time-out on a layer",
	  "failed to copy: httpReadSeeker: failed open: unexpected status code https://registry.fabrikam.example/v2/app/blobs/sha256:77: 504 Gateway Time-out" },
	{ "other", "a front end's HTML 503 page",
	  "Error response from daemon: error parsing HTTP 503 response body: invalid character '<' looking for beginning of value: \"<html><body><h1>Service Temporarily Unavailable</h1></body></html>\"" },
	/* moby's "unknown blob" on the configuration: the registry lost it */
	{ "other", "unknown blob on the image configuration",
	  "3.19: Pulling from library/alpine\nerror pulling image configuration: download failed after attempts=6: unknown blob" },

	{ "aks.notfound", "Docker 1.x: Status 404 on a repository",
	  "Pulling repository fabrikam/reports-api\nError: Status 404 trying to pull repository fabrikam/reports-api: \"\"" },
	/* App Service's log line is known by its time and level, not by
	 * any phrase after it; a sentence's "server error - " is not one */
	{ "webapp.unauthorized", "App Service log line known by its time and level",
	  "2023-09-14T22:05:17.118Z ERROR - Fetching fabrikam.azurecr.io/shop/web:3 did not work: unauthorized: authentication required" },
	{ "aks.notfound", "a sentence's 'server error -' is not an App Service log",
	  "docker-pull: (HTTP code 500) server error - manifest for fabrikam.azurecr.io/shop/web:3 not found: manifest unknown" },

	/* the registry's own reason after Docker's wrapper decides */
	{ "aks.401", "ACR's own reason inside Docker's wrapper",
	  "docker pull fabrikam.azurecr.io/ops/agent:12\nError response from daemon: pull access denied for fabrikam.azurecr.io/ops/agent, repository does not exist or may require 'docker login': denied: retrieving permissions failed" },
	{ "aks.403", "ACR's firewall inside Docker's wrapper",
	  "Error response from daemon: pull access denied for fabrikam.azurecr.io/ops/agent, repository does not exist or may require 'docker login': denied: client with IP '198.51.100.23' is not allowed access. Refer https://aka.ms/acr/firewall to grant access." },
	/* Kubernetes' own waits are not network timeouts */
	{ "aks.401", "a secret-cache wait next to the pull's 401",
	  "  Warning  Failed       2m    kubelet  Error: failed to sync secret cache: timed out waiting for the condition\n  Warning  Failed       1m    kubelet  Failed to pull image \"fabrikam.azurecr.io/ops/agent:12\": failed to pull and unpack image \"fabrikam.azurecr.io/ops/agent:12\": failed to resolve reference \"fabrikam.azurecr.io/ops/agent:12\": failed to authorize: failed to fetch anonymous token: unexpected status from GET request to https://fabrikam.azurecr.io/oauth2/token?scope=repository%3Aops%2Fagent%3Apull&service=fabrikam.azurecr.io: 401 Unauthorized" },
	{ "aks.notfound", "ARM: no registry of that name",
	  "az aks update -n aks-prod -g rg-prod --attach-acr fabrikamm\n(ResourceNotFound) The resource with name 'fabrikamm' and type 'Microsoft.ContainerRegistry/registries' could not be found in subscription 'Production'." },

	{ "aks.notfound", "check-health DNS error, registry name left out",
	  "Azure CLI version: 2.58.0\nAn error occurred: CONNECTIVITY_DNS_ERROR\nThe DNS lookup of the registry failed; check its name." },

	{ "aks.401", "a 403 from a named registry that is not ACR, ACR said in words",
	  "We are moving off Harbor to ACR; meanwhile: Error response from daemon: Head \"https://harbor.fabrikam.example/v2/base/jdk/manifests/21\": unknown: 403 Forbidden" },
	{ "aks.403", "403 from the registry's storage account, no registry named",
	  "failed to copy: httpReadSeeker: failed open: unexpected status code https://stq8x1acrprod.blob.core.windows.net/data/docker/registry/v2/blobs/sha256/4f/4f9c/data?sv=2021: 403 Forbidden" },
	{ "aks.platform", "Container Instances: image OS version",
	  "Deployment failed. (OsVersionNotSupported) The requested OS version of image 'fabrikam.azurecr.io/win/svc:ltsc2025' is not supported in this region." },

	{ "aks.notfound", "Python requests: 404 Client Error",
	  "    raise HTTPError(http_error_msg, response=self)\nrequests.exceptions.HTTPError -> 404 Client Error: Not Found for url: https://fabrikam.azurecr.io/v2/ops/agent/manifests/13" },
	{ "aks.401", "curl's HTTP/2 status line",
	  "$ curl -sI https://fabrikam.azurecr.io/v2/ops/agent/manifests/12\nHTTP/2 401\ncontent-type: application/json; charset=utf-8\nwww-authenticate: Bearer realm=\"https://fabrikam.azurecr.io/oauth2/token\",service=\"fabrikam.azurecr.io\"" },

	{ "aks.platform", "Windows image newer than the host: layer format unknown",
	  "Failed to pull image \"fabrikam.azurecr.io/win/svc:ltsc2025\": failed to pull and unpack image: failed to extract layer sha256:77ab: hcsshim::PrepareLayer failed in Win32: The container image contains a layer with an unrecognized format. (0xc0370112): unknown" },

	{ "other", "an OCI index an old Docker does not ask for",
	  "docker pull fabrikam/etl-runner:7\nError response from daemon: manifest for fabrikam/etl-runner:7 not found: manifest unknown: OCI index found, but accept header does not support OCI indexes" },

	/* a registry or its CDN that refuses the caller's address */
	{ "aks.403", "HTML 403 page refusing the caller's country",
	  "docker pull fabrikam/etl-runner:7\nError response from daemon: error parsing HTTP 403 response body: invalid character '<' looking for beginning of value: \"<html><body><h1>403 Forbidden</h1>Downloads are not offered to your country or region.</body></html>\"" },
	{ "aks.403", "a CDN's block page inside Docker's wrapper",
	  "Error response from daemon: pull access denied for fabrikam/etl-runner, repository does not exist or may require 'docker login': denied: <html><head><title>Access denied</title></head><body>Your IP address has been blocked by the site owner.</body></html>" },
	{ "aks.403", "Docker Hub's CDN refuses a layer",
	  "7: Pulling from fabrikam/etl-runner\nerror pulling image configuration: download failed after attempts=6: unexpected status code 403 Forbidden from https://production.cloudflare.docker.com/registry-v2/docker/registry/v2/blobs/sha256/4c/4c1d/data" },
	{ "aks.403", "Docker 1.x: Status 403 on a layer of a Docker Hub image",
	  "Pulling repository fabrikam/etl-runner\n9a8b7c6d5e4f: Error pulling dependent layers\nError: Server error: Status 403 while fetching image layer (9a8b7c6d5e4f)" },
	{ "other", "a proxy's block page that speaks of the caller's location",
	  "Error response from daemon: error parsing HTTP 403 response body: invalid character '<' looking for beginning of value: \"<html><title>Zscaler</title>Access to this site from your location is blocked by your organization's policy.</html>\"" },
	{ "aks.403", "a registry that refuses public addresses, in words",
	  "Error response from daemon: Head \"https://fabrikam.azurecr.io/v2/ops/agent/manifests/12\": denied: this request came from outside the registry's private endpoints and public network access is disabled" },
	/* a lockout after wrong passwords is not the pull rate limit */
	{ "aks.401", "Docker Hub login lockout",
	  "docker login -u fabrikamci\nError response from daemon: Get \"https://registry-1.docker.io/v2/\": toomanyrequests: too many failed login attempts from this account or address, wait and retry" },
	/* Entra ID refuses the cluster's identity */
	{ "aks.401", "AADSTS: service principal secret expired",
	  "kubelet credential refresh failed: retrieving a token for the registry: AADSTS7000222: The client secret keys supplied for application '1111-2222' have expired. Create new keys for the app." },
	{ "aks.401", "AADSTS: application not found in the tenant",
	  "az aks check-acr: Validating managed identity existence: FAILED\nAADSTS700016: Application with identifier '3333-4444' was not found in the directory 'fabrikam.onmicrosoft.com'." },
	{ "aks.401", "adal refresh answered 401 with invalid_client",
	  "Error: failed to refresh the ARM token: adal: Refresh request failed. Status Code = '401'. Response body: {\"error\":\"invalid_client\",\"error_description\":\"the secret was rotated\"}" },
	/* CRI-O / containers-image with nothing after the manifest it read */
	{ "aks.notfound", "CRI-O bare 'Error reading manifest TAG'",
	  "  Warning  Failed  9s  kubelet  Failed to pull image \"fabrikam/etl-runner:7.0.3\": rpc error: code = Unknown desc = Error reading manifest 7.0.3" },
	{ "aks.notfound", "podman bare 'reading manifest TAG in REPO'",
	  "Error: initializing source docker://quay.io/fabrikam/etl-runner:7.0.3: reading manifest 7.0.3 in quay.io/fabrikam/etl-runner\n" },
	/* a platform miss with a Windows hint is the image's OS, not the
	 * architecture, even with the anonymous retry's 401 after it */
	{ "aks.platform", "Linux-only image on a Windows node, then the anonymous 401",
	  "Failed to pull image \"fabrikam.azurecr.io/tools/shell:2\" on the Windows node: [rpc error: code = NotFound desc = failed to pull and unpack image \"fabrikam.azurecr.io/tools/shell:2\": no match for platform in manifest: not found, rpc error: code = Unknown desc = failed to pull and unpack image \"fabrikam.azurecr.io/tools/shell:2\": failed to resolve reference \"fabrikam.azurecr.io/tools/shell:2\": failed to authorize: failed to fetch anonymous token: unexpected status: 401 Unauthorized]" },
	/* the registry refused the password first: the wrapper of the
	 * anonymous retry after it does not decide */
	{ "webapp.unauthorized", "App Service: wrong password, then the anonymous wrapper",
	  "2024-05-07T10:20:30.400Z ERROR - DockerApiException: Docker API responded with status code=InternalServerError, response={\"message\":\"Get https://registry-1.docker.io/v2/library/orders-api/manifests/3: unauthorized: incorrect username or password\"}\n2024-05-07T10:20:30.480Z ERROR - DockerApiException: Docker API responded with status code=NotFound, response={\"message\":\"pull access denied for orders-api, repository does not exist or may require 'docker login': denied: requested access to the resource is denied\"}" },

	/* the cluster's identity was never given the registry */
	{ "aks.401", "check-acr: the kubelet identity is missing from the nodes",
	  "[09:14:02Z] Kubelet managed identity client ID: 5555-6666\n[09:14:03Z] Validating managed identity existance: FAILED\n[09:14:03Z] identity 5555-6666 was not found on the scale set" },
	{ "aks.401", "attach-acr could not grant AcrPull",
	  "$ az aks update -g rg-ops -n aks-ops --attach-acr fabrikam\nCould not create a role assignment for ACR. Are you an Owner on this subscription?" },
	{ "aks.401", "ACR's 'retrieving permissions failed' carried by a 403",
	  "[09:14:05Z] Validating image pull permission: FAILED\n[09:14:05Z] ACR fabrikam.azurecr.io rejected token exchange: ACR token exchange endpoint returned error status: 403. body: {\"errors\":[{\"code\":\"DENIED\",\"message\":\"retrieving permissions failed\"}]}" },
	/* a name that exists only because the registry does: the DNS
	 * setup, not a misspelled registry */
	{ "other", "private link alias of an ACR does not resolve",
	  "Failed to pull image \"fabrikam.azurecr.io/ops/agent:12\": failed to do request: Head \"https://fabrikam.azurecr.io/v2/ops/agent/manifests/12\": dial tcp: lookup fabrikam.privatelink.azurecr.io on 168.63.129.16:53: no such host" },
	{ "other", "an ACR's regional data endpoint does not resolve",
	  "failed to copy: httpReadSeeker: failed open: failed to do request: Get \"https://fabrikam.eastus2.data.azurecr.io/docker/registry/v2/blobs/sha256/9f/9f1c/data\": dial tcp: lookup fabrikam.eastus2.data.azurecr.io: no such host" },
	/* a step that worked is not a failure: check-acr's name
	 * resolution line before its real error */
	{ "aks.401", "check-acr: name resolution succeeded, then the token exchange's 401",
	  "[12:00:01Z] Checking host name resolution (fabrikam.azurecr.io): SUCCEEDED\n[12:00:02Z] Validating managed identity existance: SUCCEEDED\n[12:00:03Z] Validating image pull permission: FAILED\n[12:00:03Z] ACR fabrikam.azurecr.io rejected token exchange: ACR token exchange endpoint returned error status: 401. body: {\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}" },
	{ "aks.notfound", "check-acr: name resolution of a misspelled ACR failed",
	  "[12:00:01Z] Checking host name resolution (fabrikamm.azurecr.io): FAILED\n[12:00:01Z] the registry name may be wrong" },
	{ "other", "podman: an unqualified name with short-name enforcing",
	  "Error: short-name resolution enforced but cannot prompt without a TTY: \"etl-runner:7\" did not resolve to an alias" },

	/* other */
	{ "other", "Docker Hub rate limit, dockershim",
	  "rpc error: code = Unknown desc = Error response from daemon: toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit" },
	{ "other", "x509 expired",
	  "failed to do request: Head \"https://registry.contoso.com/v2/web/api/manifests/1\": x509: certificate has expired or is not yet valid: current time 2024-01-01T00:00:00Z is after 2023-12-01T00:00:00Z" },
	{ "other", "DNS typo, not ACR",
	  "failed to resolve reference \"registry.contoso.local/web/api:1\": failed to do request: Head \"https://registry.contoso.local/v2/web/api/manifests/1\": dial tcp: lookup registry.contoso.local on 10.0.0.10:53: no such host" },
	{ "other", "InvalidImageName",
	  "Failed to apply default image tag \"Contoso.azurecr.io/Web/API:latest\": couldn't parse image reference \"Contoso.azurecr.io/Web/API:latest\": invalid reference format: repository name must be lowercase" },
	{ "other", "ErrImageNeverPull",
	  "Container image \"contoso.azurecr.io/web/api:1\" is not present with pull policy of Never" },
	{ "other", "disk full containerd",
	  "failed to pull and unpack image \"contoso.azurecr.io/ml/model:5\": failed to extract layer sha256:1a2b: write /var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/88/fs/model.bin: no space left on device: unknown" },
	{ "other", "connection refused",
	  "failed to do request: Head \"https://10.0.0.5:5000/v2/app/manifests/1\": dial tcp 10.0.0.5:5000: connect: connection refused" },
	{ "other", "ACR throttling",
	  "failed to resolve reference \"contoso.azurecr.io/web/api:1\": unexpected status from HEAD request to https://contoso.azurecr.io/v2/web/api/manifests/1: 429 Too Many Requests" },
	{ "other", "App Service, no reason",
	  "2025-01-02T10:00:00.000Z Pulling image: contoso.azurecr.io/web/api:1.\n2025-01-02T10:00:01.000Z Container pull image failed with reason: ImagePullFailure. Revert by terminate." },
	{ "other", "DNS server failure for an ACR name",
	  "dial tcp: lookup contoso.azurecr.io on 127.0.0.53:53: server misbehaving" },
	{ "other", "HTML 403 from a proxy",
	  "Error response from daemon: error parsing HTTP 403 response body: invalid character '<' looking for beginning of value: \"<html><head><title>403 Forbidden</title></head></html>\"" },
	{ "other", "back-off only",
	  "Normal   BackOff    3s (x4 over 1m)  kubelet  Back-off pulling image \"contoso.azurecr.io/web/api:1\"" },
	/* families from the fifth blind set and from the runtimes' and
	 * registries' sources (containerd, containers-image, moby, kubelet,
	 * distribution's error codes, az acr, az aks check-acr) */
	{ "aks.notfound", "containers-image: UNKNOWN \"Not Found\" from a Nexus",
	  "Error: initializing source docker://nexus.fabrikam.example:8443/tools/cli:4: reading manifest 4 in nexus.fabrikam.example:8443/tools/cli: unknown: Not Found" },
	{ "aks.notfound", "moby: no manifest for the tag or digest",
	  "Error response from daemon: image manifest does not exist for tag or digest \"fabrikam.azurecr.io/batch/worker:2024.06\"" },
	{ "aks.notfound", "az acr: no login server for a misspelled registry",
	  "2025-04-02 09:10:11.000 An error occurred: LOGIN_SERVER_ERROR\nAn error occurred while retrieving the login server for registry 'fabrikamm'. Please check the name, the cloud and your permissions." },
	{ "aks.platform", "Windows node: a Linux image's layer in the Windows snapshotter",
	  "Failed to pull image \"quay.io/fabrikam/sidecar:0.9\": rpc error: code = Unknown desc = failed to pull and unpack image \"quay.io/fabrikam/sidecar:0.9\": failed to extract layer sha256:7a1b: hcsshim::ProcessBaseLayer C:\\ProgramData\\containerd\\root\\io.containerd.snapshotter.v1.windows\\snapshots\\42: The system cannot find the file specified.: unknown" },
	{ "other", "Windows image whose base layer the Windows host cannot apply",
	  "> docker pull mcr.microsoft.com/windows/servercore:ltsc2022\nltsc2022: Pulling from windows/servercore\nfailed to register layer: re-exec error: exit status 1: output: ProcessBaseLayer \\\\?\\C:\\ProgramData\\docker\\windowsfilter\\ab12: The process cannot access the file because it is being used by another process." },
	{ "aks.platform", "moby: an image of another OS than the one asked for",
	  "Error response from daemon: cannot download image with operating system \"windows\" when requesting \"linux\"" },
	{ "aks.timeout", "containerd: an ACR login server resets the connection",
	  "Failed to pull image \"fabrikam.azurecr.io/shop/cart:5\": failed to resolve reference \"fabrikam.azurecr.io/shop/cart:5\": failed to do request: Head \"https://fabrikam.azurecr.io/v2/shop/cart/manifests/5\": read tcp 10.240.0.9:40112->10.20.1.7:443: read: connection reset by peer" },
	{ "aks.timeout", "dockershim: EOF from an ACR's /v2/",
	  "rpc error: code = Unknown desc = Error response from daemon: Get https://fabrikam.azurecr.us/v2/: EOF" },
	{ "aks.403", "Docker: an HTML 403 page from a registry it names",
	  "$ docker pull k8s.gcr.io/etcd:3.5.1-0\nError response from daemon: error parsing HTTP 403 response body: unexpected end of JSON input: \"<!DOCTYPE html><html lang=en><title>Error 403 (Forbidden)!!1</title><p>We're sorry, but you do not have access to this page.</p></html>\"" },
	{ "aks.403", "containers-image: an HTML 403 body from a named registry",
	  "Error: initializing source docker://registry.fabrikam.example/etl:7: reading manifest 7 in registry.fabrikam.example/etl: StatusCode: 403, \"<html>\\r\\n<head><title>403 Forbidden</title></head>...\"" },
	{ "aks.401", "Container Instances refuses the registry user name",
	  "Deployment failed. Code: InvalidImageRegistryUsername, Message: The user name given in imageRegistryCredentials for container group 'nightly' is not valid." },
	{ "aks.401", "az aks check-acr: the service principal's secret",
	  "[2025-05-01T08:00:00Z] The cluster uses service principal.\n[2025-05-01T08:00:00Z] Validating service principal credential: FAILED" },
	{ "aks.401", "az aks check-acr: no token for the managed identity",
	  "[2025-05-01T08:00:00Z] Checking managed identity...\n[2025-05-01T08:00:00Z] Kubelet managed identity client ID: 00000000-0000-0000-0000-000000000001\n[2025-05-01T08:00:00Z] Getting managed identity token failed with: the identity is not assigned to this VM scale set" },
	{ "aks.401", "old kubelet: no credentials, and a GCR 'not found'",
	  "image pull failed for eu.gcr.io/fabrikam/api:3, this may be because there are no credentials on this request.  details: (Error: image fabrikam/api:3 not found)" },
	{ "other", "containerd: a challenge without a realm",
	  "failed to resolve reference \"registry.fabrikam.example/etl:7\": failed to authorize: failed to fetch oauth token: no realm specified for token auth challenge" },
	{ "other", "az acr check-health: no proper challenge",
	  "An error occurred: CONNECTIVITY_WWW_AUTHENTICATE_ERROR\nRegistry 'fabrikam.azurecr.io' did not ask properly for a basic or a bearer authentication." },
	{ "other", "kubelet: RegistryUnavailable",
	  "Warning  Failed  9s  kubelet  Failed to pull image \"registry.fabrikam.example/etl:7\": image pull failed for registry.fabrikam.example/etl:7 because the registry is unavailable" },
	{ "other", "kubelet: SignatureValidationFailed",
	  "Warning  Failed  9s  kubelet  Error: SignatureValidationFailed: image pull failed for fabrikam.azurecr.io/etl:7 because the signature validation failed: no matching signature" },
	{ "other", "containers-image: registry blocked by registries.conf",
	  "Error: initializing source docker://registry.fabrikam.example/etl:7: registry registry.fabrikam.example is blocked in /etc/containers/registries.conf or /etc/containers/registries.conf.d" },
	{ "other", "containerd 2.x: a schema 1 manifest",
	  "failed to pull and unpack image \"fabrikam.azurecr.io/legacy/app:1\": failed to resolve reference \"fabrikam.azurecr.io/legacy/app:1\": not implemented: media type \"application/vnd.docker.distribution.manifest.v1+prettyjws\" is no longer supported since containerd v2.0, please rebuild the image" },
	{ "other", "containerd: Harbor's project policy answers 412",
	  "failed to resolve reference \"harbor.fabrikam.example/shop/api:3\": unexpected status from HEAD request to https://harbor.fabrikam.example/v2/shop/api/manifests/3: 412 Precondition Failed" },
	{ "other", "Docker: Harbor refuses an image with known vulnerabilities",
	  "Error response from daemon: unknown: current image with 12 vulnerabilities cannot be pulled due to configured policy in 'Prevent images with vulnerability severity of \"High\" or higher from running.'" },
	{ "aks.platform", "containerd: no manifest for the platform",
	  "failed to pull and unpack image \"fabrikam.azurecr.io/shop/api:3\": no manifest found for platform: not found" },
	{ "other", "CRI-O: the pulled image is not in the node's storage",
	  "Error: resolve pulled image fabrikam.azurecr.io/shop/api:3: not found in container storage (image not known) or artifact store (not found)" },
	{ "other", "distribution: a layer the registry does not have",
	  "Error response from daemon: Get \"https://fabrikam.azurecr.io/v2/shop/api/blobs/sha256:1f2e\": blob unknown: blob unknown to registry" },
	{ "other", "containerd: a layer URL answered not found",
	  "failed to pull and unpack image \"fabrikam.azurecr.io/shop/api:3\": failed to copy: httpReadSeeker: failed open: content at https://fabrikam.azurecr.io/v2/shop/api/blobs/sha256:1f2e not found: not found" },
	{ "other", "oras: the registry does not support the operation",
	  "Error: fabrikam.azurecr.io/art/sbom:1: failed to fetch content: unsupported: The operation is unsupported." },
	{ "aks.403", "az acr login: the network rules refuse the caller",
	  "az acr login --name fabrikam\nLooks like you don't have access to registry 'fabrikam.azurecr.io'. To see configured firewall rules, run 'az acr show --query networkRuleSet --name fabrikam'." },
	{ "aks.401", "az acr login: admin user off, nothing else",
	  "az acr login --name fabrikam\nUnable to get admin user credentials with message: Admin user is disabled." },
	{ "aks.platform", "Container Instances: image OS is not the group's",
	  "Deployment failed. Code: ImageOsTypeNotMatchContainerGroup. The image 'fabrikam.azurecr.io/tools/agent:5' is built for Linux; the container group 'agents' runs Windows." },
	{ "aks.platform", "Docker on Windows: ImportLayer of a Linux layer",
	  "PS> docker pull fabrikam.azurecr.io/tools/agent:5\n5: Pulling from tools/agent\nfailed to register layer: re-exec error: exit status 1: output: hcsshim::ImportLayer failed in Win32: The system cannot find the path specified. (0x3) layerId=\\\\?\\C:\\ProgramData\\Docker\\windowsfilter\\9c1d" },
	{ "aks.401", "containerd: the token endpoint refuses the grant with 400",
	  "failed to resolve reference \"fabrikam.azurecr.io/shop/api:3\": failed to authorize: failed to fetch oauth token: unexpected status from POST request to https://fabrikam.azurecr.io/oauth2/token: 400 Bad Request" },
	{ "other", "a 400 from a manifest request names no cause",
	  "failed to resolve reference \"fabrikam.azurecr.io/shop/api:3\": unexpected status from HEAD request to https://fabrikam.azurecr.io/v2/shop/api/manifests/3: 400 Bad Request" },
	{ "other", "Docker: no such image locally after a failed pull",
	  "PS C:\\> docker tag contoso/vote-front:v2 fabrikam.azurecr.io/vote-front:v2\nError response from daemon: No such image: contoso/vote-front:v2" },
	/* the client's credential store failed: no registry was asked, an
	 * "unauthorized" around it is not the registry's */
	{ "other", "a credential helper that is not installed, under an unauthorized",
	  "$ docker pull registry.fabrikam.example/shop/web:4\nError response from daemon: unauthorized: error getting credentials - err: exec: \"docker-credential-secretservice\": executable file not found in $PATH, out: ``" },
	{ "other", "BuildKit: a credential helper binary gone",
	  "#4 ERROR: failed to authorize: error getting credentials: err: fork/exec /usr/local/bin/docker-credential-gcloud: no such file or directory" },
	{ "other", "docker login cannot store the password in its helper",
	  "Login did not succeed.\nError saving credentials: error storing credentials - err: exit status 1, out: `pass not initialized: exit status 1`" },
	/* ... but the kubelet's own credential provider is not Docker's */
	{ "aks.timeout", "the kubelet's ACR credential provider timing out",
	  "E0704 08:11:02.120301 4121 azure_credentials.go:264] error getting credentials from ACR for fabrikam.azurecr.io: Get \"https://fabrikam.azurecr.io/oauth2/exchange\": dial tcp 20.50.1.2:443: i/o timeout" },
	/* GitHub's old Packages registry through containerd */
	{ "other", "containerd NotFound from docker.pkg.github.com",
	  "Error: ErrImagePull: rpc error: code = NotFound desc = failed to pull and unpack image \"docker.pkg.github.com/fabrikam/shop/web:2.1\": failed to resolve reference \"docker.pkg.github.com/fabrikam/shop/web:2.1\": docker.pkg.github.com/fabrikam/shop/web:2.1: not found" },
	{ "aks.notfound", "Docker's manifest unknown from docker.pkg.github.com",
	  "Error response from daemon: manifest for docker.pkg.github.com/fabrikam/shop/web:9 not found: manifest unknown: manifest unknown" },
	{ "aks.notfound", "podman: manifest unknown from docker.pkg.github.com",
	  "Error: initializing source docker://docker.pkg.github.com/fabrikam/shop/web:9: reading manifest 9 in docker.pkg.github.com/fabrikam/shop/web: manifest unknown: not found" },
	/* the Azure CLI's CONNECTIVITY_* code with a 401: the sign-in */
	{ "aks.401", "az acr login: a refresh token refused with 401, then a name not found",
	  "WARNING: Exchanging the AAD token for an ACR refresh token failed.\nAn error occurred: CONNECTIVITY_REFRESH_TOKEN_ERROR\nThe registry answered with status code: 401.\nFalling back to the admin user: the resource 'fabrikam' of type 'Microsoft.ContainerRegistry/registries' could not be found." },
	{ "aks.401", "az acr check-health: an access token refused with 401",
	  "An error occurred: CONNECTIVITY_ACCESS_TOKEN_ERROR\nGetting an access token for 'contoso.azurecr.io' failed: 401 Unauthorized." },
	/* a login's 404: the API root is not there */
	{ "other", "docker login to a URL with a path answered 404",
	  "$ docker login registry.fabrikam.example/harbor\nUsername: ci\nPassword:\nError response from daemon: login attempt to https://registry.fabrikam.example/v2/ failed with status: 404 Not Found" },
	{ "other", "podman login answered 404",
	  "$ podman login git.fabrikam.example\nError: error logging in to \"git.fabrikam.example\": authenticating creds for \"git.fabrikam.example\": Requesting bearer token: invalid status code from registry 404 (Not Found)" },
	{ "aks.notfound", "a pull's 404 after a login that worked",
	  "$ docker login registry.fabrikam.example -u ci\nLogin Succeeded\n$ docker pull registry.fabrikam.example/shop/web:9\nError response from daemon: error parsing HTTP 404 response body: invalid character '<' looking for beginning of value: \"<html><body><h1>404 Not Found</h1></body></html>\"" },
	/* a self-hosted registry's 500 for a manifest: a name outside its
	 * projects */
	{ "aks.notfound", "Harbor's 500 for a manifest",
	  "Error response from daemon: Get https://harbor.fabrikam.example/v2/web/manifests/2.4: received unexpected HTTP status: 500 Internal Server Error" },
	{ "aks.notfound", "CRI-O reading a manifest from Nexus answered 500",
	  "rpc error: code = Unknown desc = reading manifest 7 in nexus.fabrikam.example:8443/shop: received unexpected HTTP status: 500 Internal Server Error" },
	{ "other", "a self-hosted registry's 500 on a blob",
	  "failed to copy: httpReadSeeker: failed open: unexpected status code https://harbor.fabrikam.example/v2/shop/web/blobs/sha256:0a1b2c: 500 Internal Server Error" },
	{ "other", "Docker: a self-hosted registry's 500 on a layer",
	  "Error response from daemon: Get https://nexus.fabrikam.example:8443/v2/shop/web/blobs/sha256:9f8e7d: received unexpected HTTP status: 500 Internal Server Error" },
	{ "other", "GHCR's 500 on a manifest",
	  "Error response from daemon: Get https://ghcr.io/v2/fabrikam/web/manifests/3: received unexpected HTTP status: 500 Internal Server Error" },
	/* podman's old wrapper of every registry's refusal */
	{ "aks.401", "podman: not found in the registries it was given",
	  "Trying to pull registry.fabrikam.example/shop/api:5...Failed\nerror pulling image \"registry.fabrikam.example/shop/api:5\": unable to pull registry.fabrikam.example/shop/api:5: unable to find image in the registries defined in \"/etc/containers/registries.conf\"" },
	/* a paste cut inside Go's "i/o": a timeout */
	{ "aks.timeout", "a dial to the registry cut inside i/o",
	  "Error response from daemon: Get \"https://fabrikam.azurecr.io/v2/\": dial tcp 20.61.10.4:443: i/" },
	/* a request's status cut off */
	{ "aks.401", "BuildKit: a HEAD request's status cut off",
	  "=> ERROR [internal] load metadata for registry.fabrikam.example/base/python:3.12\n------\nfailed to solve: registry.fabrikam.example/base/python:3.12: failed to resolve source metadata for registry.fabrikam.example/base/python:3.12: unexpected status from HEAD request to https://registry.fabrikam.example/v2/base/python/manifests/3.12" },
	{ "aks.401", "containerd: a GET request's status cut off",
	  "failed to resolve reference \"ghcr.io/fabrikam/tools:1\": unexpected status from GET request to \"https://ghcr.io/v2/fabrikam/tools/manifests/1\"" },
};

static void test_handwritten(void **state)
{
	size_t i, n = sizeof hand / sizeof hand[0];
	int bad = 0;

	(void)state;
	for (i = 0; i < n; i++)
		bad += !expect(hand[i].what, hand[i].text, hand[i].label);
	print_message("classify: hand-written %d/%zu\n", (int)(n - (size_t)bad),
		      n);
	assert_int_equal(bad, 0);
}

/* Every label has at least three hand-written messages. */
static void test_handwritten_coverage(void **state)
{
	const char *const *l;
	size_t i;

	(void)state;
	for (l = all_labels; *l; l++) {
		int c = 0;

		for (i = 0; i < sizeof hand / sizeof hand[0]; i++)
			c += strcmp(hand[i].label, *l) == 0;
		if (c < 3)
			fail_msg("only %d hand-written messages for %s", c, *l);
	}
}

/* ---------- fields and details ---------- */

static const char *hand_text(const char *what)
{
	size_t i;

	for (i = 0; i < sizeof hand / sizeof hand[0]; i++)
		if (strcmp(hand[i].what, what) == 0)
			return hand[i].text;
	fail_msg("no hand-written message \"%s\"", what);
	return "";
}

static void test_fields(void **state)
{
	struct classify_result r;

	(void)state;
	classify_str(hand_text("containerd 2.x POST token"), &r);
	assert_string_equal(r.cause, "aks.401");
	assert_string_equal(r.rule, "unauthorized-401");
	assert_string_equal(r.registry, "contoso.azurecr.io");
	assert_string_equal(r.image, "contoso.azurecr.io/web/api:2.4.1");
	assert_non_null(strstr(r.evidence, "401 Unauthorized"));
	assert_string_equal(r.note, "");

	/* CRI-O names tag and repository apart */
	classify_str("reading manifest v3 in Contoso.azurecr.io/web/api: manifest unknown", &r);
	assert_string_equal(r.cause, "aks.notfound");
	assert_string_equal(r.image, "Contoso.azurecr.io/web/api:v3");
	assert_string_equal(r.registry, "Contoso.azurecr.io");

	/* the kubelet of Kubernetes 1.x names the image after "image pull
	 * failed for", a comma after it */
	classify_str("FailedSync  Error syncing pod, skipping: failed to \"StartContainer\" for \"billing\" with ErrImagePull: \"image pull failed for us.gcr.io/fabrikam-prod/billing:12, this may be because there are no credentials on this request.  details: (Error: image fabrikam-prod/billing:12 not found)\"", &r);
	assert_string_equal(r.image, "us.gcr.io/fabrikam-prod/billing:12");
	assert_string_equal(r.registry, "us.gcr.io");
	assert_string_equal(r.cause, "aks.401");

	/* no image, registry from the URL */
	classify_str("Error response from daemon: Get https://myacr.azurecr.us/v2/: unauthorized: authentication required", &r);
	assert_string_equal(r.registry, "myacr.azurecr.us");
	assert_string_equal(r.image, "");

	/* ECS names the reference without quotes, containerd the host it
	 * pulled from */
	classify_str("CannotPullContainerError: pull image manifest has been retried 2 time(s): failed to resolve ref 210987654321.dkr.ecr.ap-south-1.amazonaws.com/shop/cart:41: pulling from host 210987654321.dkr.ecr.ap-south-1.amazonaws.com failed with status code [manifests 41]: 401 Unauthorized", &r);
	assert_string_equal(r.cause, "aks.401");
	assert_string_equal(r.image, "210987654321.dkr.ecr.ap-south-1.amazonaws.com/shop/cart:41");
	assert_string_equal(r.registry, "210987654321.dkr.ecr.ap-south-1.amazonaws.com");
	classify_str("failed to resolve image: pulling from host fabrikam.azurecr.io failed with status code [manifests 12]: 401 Unauthorized", &r);
	assert_string_equal(r.registry, "fabrikam.azurecr.io");
	classify_str("unexpected: pulling from host registry.fabrikam.example failed with status code [manifests 12]: 403 Forbidden", &r);
	assert_string_equal(r.registry, "registry.fabrikam.example");
	assert_string_equal(r.cause, "aks.401");

	/* both decisive fragments are shown for a 401 with a platform */
	classify_str(hand_text("containerd multi-error"), &r);
	assert_string_equal(r.cause, "aks.401-arch");
	assert_non_null(strstr(r.evidence, "no match for platform"));
	assert_non_null(strstr(r.evidence, "401 Unauthorized"));

	/* a note for every "other" */
	classify_str("Error response from daemon: Get https://r.example/v2/: x509: certificate signed by unknown authority", &r);
	assert_string_equal(r.cause, "other");
	assert_non_null(strstr(r.note, "x509"));
	classify_str("dial tcp: lookup registry.example on 10.0.0.10:53: no such host", &r);
	assert_non_null(strstr(r.note, "DNS"));
	/* a log whose pull worked: the failure is not the registry's */
	classify_str("2025-02-11T06:40:01.100Z INFO  - Pulling image: fabrikam.azurecr.io/shop/web:3\n2025-02-11T06:40:04.870Z INFO  - 3 Pull Image successful, Time taken: 0 Minutes and 3 Seconds\n2025-02-11T06:44:02.010Z ERROR - Container shop-web_0_1f2e for site shop-web did not start within expected time limit. Elapsed time = 237.1 sec", &r);
	assert_string_equal(r.cause, "other");
	assert_string_equal(r.rule, "pulled-ok");
	/* containers-image's policy and its layer writing have notes of
	 * their own */
	classify_str("Error: copying system image: Source image rejected: Running image docker://quay.io/fabrikam/etl:7 is rejected by policy.", &r);
	assert_string_equal(r.rule, "policy");
	classify_str("Failed to pull image \"quay.io/fabrikam/etl:7\": writing blob: adding layer with blob \"sha256:9d\": processing tar file(potentially insufficient UIDs or GIDs available in user namespace): lchown /etc/gshadow: invalid argument", &r);
	assert_string_equal(r.rule, "unpack");
	classify_str("Error: InvalidImageName", &r);
	assert_non_null(strstr(r.note, "InvalidImageName"));
	/* a private link name that does not resolve: the private zone */
	classify_str(hand_text("private link alias of an ACR does not resolve"), &r);
	assert_string_equal(r.rule, "private-dns-nx");
	assert_non_null(strstr(r.note, "private DNS zone"));
	/* podman's short names: not a DNS failure, a note of their own */
	classify_str(hand_text("podman: an unqualified name with short-name enforcing"), &r);
	assert_string_equal(r.rule, "short-name");
	assert_non_null(strstr(r.note, "full name"));
	/* an HTML 403 page names the proxy reading, with the firewall as
	 * the alternative */
	classify_str(hand_text("HTML 403 from a proxy"), &r);
	assert_string_equal(r.rule, "html-403");
	classify_str("  Warning  InspectFailed  12s  kubelet  Failed to inspect image \"fabrikam.azurecr.io/ops/agent:12\": rpc error: code = Unknown desc = Error response from daemon: readlink /var/lib/docker/overlay2/l: invalid argument", &r);
	assert_string_equal(r.cause, "other");
	assert_non_null(strstr(r.note, "ImageInspectError"));
	classify_str(hand_text("a gateway's 504 Gateway Time-out on a layer"), &r);
	assert_string_equal(r.rule, "server-5xx");
	classify_str(hand_text("a front end's HTML 503 page"), &r);
	assert_string_equal(r.rule, "server-5xx");
	classify_str(hand_text("unknown blob on the image configuration"), &r);
	assert_string_equal(r.rule, "blob-unknown");
	classify_str("something unrelated happened", &r);
	assert_string_equal(r.cause, "other");
	assert_string_equal(r.rule, "none");

	/* lost '=' signs, escaped quotes and placeholders read the same */
	classify_str("rpc error: code NotFound desc failed to pull and unpack image \\\"<acr>.azurecr.io/<repo>:<tag>\\\": failed to resolve reference \\\"<acr>.azurecr.io/<repo>:<tag>\\\": <acr>.azurecr.io/<repo>:<tag>: not found", &r);
	assert_string_equal(r.cause, "aks.notfound");
	assert_string_equal(r.registry, "<acr>.azurecr.io");
}

/* ---------- ambiguity ---------- */

static char *random_bytes(size_t n);

/* Classify text; expect cause and exactly the alternatives given (NULL
 * terminated). */
static void expect_alts(const char *text, const char *cause, ...)
{
	struct classify_result r;
	const char *want;
	size_t n = 0;
	va_list ap;

	classify_str(text, &r);
	if (strcmp(r.cause, cause) != 0)
		fail_msg("expected %s, got %s (rule %s) for: %s", cause, r.cause,
			 r.rule, text);
	va_start(ap, cause);
	while ((want = va_arg(ap, const char *)) != NULL) {
		if (n >= r.nalt || strcmp(r.alternatives[n], want) != 0) {
			va_end(ap);
			fail_msg("alternative %zu: expected %s, got %s for: %s", n,
				 want, n < r.nalt ? r.alternatives[n] : "(none)",
				 text);
		}
		n++;
	}
	va_end(ap);
	if (n != r.nalt)
		fail_msg("expected %zu alternatives, got %zu (first extra %s) for: %s",
			 n, r.nalt, r.alternatives[n], text);
}

static void test_alternatives(void **state)
{
	(void)state;
	/* registries that answer alike for missing and private names */
	expect_alts(hand_text("GHCR bare denied"), "aks.401", "aks.notfound",
		    NULL);
	expect_alts(hand_text("quay repository request"), "aks.notfound",
		    "aks.401", NULL);
	expect_alts(hand_text("Docker Hub through CRI-O: denied and unauthorized"),
		    "aks.notfound", "aks.401", NULL);
	expect_alts("Failed to pull image \"acme/tools:2\": rpc error: code = Unknown desc = Error response from daemon: pull access denied for acme/tools, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
		    "aks.notfound", "aks.401", NULL);
	expect_alts("Error response from daemon: Head \"https://ghcr.io/v2/acme/tools/manifests/2\": unauthorized",
		    "aks.401", "aks.notfound", NULL);
	expect_alts("Error response from daemon: Head \"https://europe-docker.pkg.dev/v2/acme/apps/web/manifests/2\": denied: Permission \"artifactregistry.repositories.downloadArtifacts\" denied on resource \"projects/acme/locations/europe/repositories/apps\" (or it may not exist)",
		    "aks.401", "aks.notfound", NULL);
	/* ACR's bare denied is its firewall, or a refused identity */
	expect_alts(hand_text("ACR bare denied outside App Service"), "aks.403",
		    "aks.401", NULL);
	/* a 403 from a registry the text does not name: authorization,
	 * or the firewall of an ACR whose name was left out */
	expect_alts(hand_text("403 from a token service the text does not name"),
		    "aks.401", "aks.403", NULL);
	expect_alts(hand_text("403 with the ACR named only in words"), "aks.403",
		    NULL);
	/* Kubernetes' registries have no private repository: a 403 is
	 * the front end refusing the network, nothing else */
	expect_alts(hand_text("Kubernetes' registry refusing a network with a bare 403"),
		    "aks.403", NULL);
	/* a registry open to anyone refusing an anonymous token: an
	 * incident, or (rarely) the caller's stored credentials */
	expect_alts(hand_text("MCR's token service refusing everyone"),
		    "other", "aks.401", NULL);
	/* a private-only registry behind Docker's wrapper: the token, or a
	 * name that is wrong */
	expect_alts(hand_text("private ECR, older daemon's missing-or-no-access"),
		    "aks.401", "aks.notfound", NULL);
	/* ACI's wrapper: an image without a registry is Docker Hub's, no
	 * credential involved, so the name first; an ACR's, its identity */
	expect_alts(hand_text("ACI, image named without a registry"),
		    "aks.notfound", "aks.401", NULL);
	expect_alts(hand_text("ACI, image in an ACR"), "aks.401", "aks.notfound",
		    NULL);
	/* no route, or Docker 1.x's "check your internet connection":
	 * the machine's network, or a path a firewall broke */
	expect_alts(hand_text("no route to the registry from the machine"),
		    "other", "aks.timeout", NULL);
	expect_alts(hand_text("Docker 1.x reaching no registry at all"),
		    "other", "aks.timeout", NULL);
	/* the old kubelet's "no credentials on this request": GCR hid a
	 * private image so; elsewhere the name first */
	expect_alts(hand_text("old kubelet, GCR hiding a private image from an anonymous pull"),
		    "aks.401", "aks.notfound", NULL);
	expect_alts(hand_text("old kubelet, a private registry without the image"),
		    "aks.notfound", "aks.401", NULL);
	/* a mirror's allow list decides before the 403 on a layer */
	expect_alts(hand_text("a mirror's allow list refusing a layer with a 403"),
		    "other", "aks.notfound", NULL);
	/* a layer the registry lacks: lost, or never pushed whole */
	expect_alts("Error response from daemon: Get \"https://registry.fabrikam.net/v2/shop/api/blobs/sha256:1f2e\": blob unknown: blob unknown to registry",
		    "other", "aks.notfound", NULL);
	expect_alts(hand_text("ECS's wrapper with its reason cut"),
		    "aks.notfound", "aks.401", "aks.platform", NULL);
	/* a mirror's allow list: its policy, or it lacks the image */
	expect_alts(hand_text("mirror refusing images outside its allow list"),
		    "other", "aks.notfound", NULL);
	/* GHCR's 403 on an anonymous token: missing, or private */
	expect_alts("failed to pull and unpack image \"ghcr.io/fabrikam/agent:5\": failed to resolve reference \"ghcr.io/fabrikam/agent:5\": failed to authorize: failed to fetch anonymous token: unexpected status from GET request to https://ghcr.io/token?scope=repository%3Afabrikam%2Fagent%3Apull&service=ghcr.io: 403 Forbidden",
		    "aks.notfound", "aks.401", NULL);
	/* a registry redacted to stars is not Docker Hub: its 401 is the
	 * credentials' */
	expect_alts("Failed to pull image \"***/ops/agent:12\": failed to resolve reference \"***/ops/agent:12\": unexpected status from HEAD request to https://***/v2/ops/agent/manifests/12: 401 Unauthorized",
		    "aks.401", NULL);
	/* ... but in an App Service log, where the registry is ACR far more
	 * often, the firewall */
	expect_alts("2025-03-09T11:02:45.310Z ERROR - DockerApiException: Docker API responded with status code=InternalServerError, response={\"message\":\"Head \\\"https://****/v2/site/web/manifests/8\\\": 403 Forbidden\"}",
		    "webapp.ip-denied", NULL);
	/* a platform that says "the image or the credentials" */
	expect_alts(hand_text("Container Instances: image or credentials"),
		    "aks.401", "aks.notfound", NULL);
	/* the web app's twins inside an App Service log */
	expect_alts("2025-02-01T10:00:00.000Z ERROR - DockerApiException: Docker API responded with status code=InternalServerError, response={\"message\":\"Head \\\"https://ghcr.io/v2/acme/tools/manifests/2.0\\\": denied: denied\"}",
		    "webapp.unauthorized", "webapp.manifest-unknown", NULL);
	/* words that blame the credentials, a 404, a token endpoint's 401,
	 * or a cause outside the tree leave nothing to choose */
	expect_alts(hand_text("Docker Hub, image named kudu (not App Service's Kudu)"),
		    "aks.401", NULL);
	/* ... but ECR's "no basic auth credentials" means the node's
	 * provider got no token: a role, or the ECR API out of reach */
	expect_alts(hand_text("ECR without kubelet credentials, in Docker's wrapper"),
		    "aks.401", "aks.timeout", NULL);
	expect_alts("Error response from daemon: Get \"https://registry.fabrikam.example/v2/shop/web/manifests/3\": no basic auth credentials",
		    "aks.401", NULL);
	expect_alts(hand_text("containerd 2.x POST token"), "aks.401", NULL);
	expect_alts(hand_text("containerd 2.x"), "aks.notfound", NULL);
	expect_alts(hand_text("x509 expired"), "other", NULL);
	/* an HTML 403 page: a proxy's, or a CDN refusing the address */
	expect_alts(hand_text("HTML 403 from a proxy"), "other", "aks.403",
		    NULL);
	expect_alts(hand_text("HTML 403 page refusing the caller's country"),
		    "aks.403", NULL);
	expect_alts("Error response from daemon: Get \"https://ghcr.io/v2/acme/tools/manifests/2\": unauthorized: incorrect username or password",
		    "aks.401", NULL);

	/* a pull failure with no reason: the name most often, then the
	 * credentials, then the platform (the threads that resolved one) */
	expect_alts(hand_text("an edge runtime's pull failure with no reason"),
		    "aks.notfound", "aks.401", "aks.platform", NULL);
	expect_alts(hand_text("a compute identity lacks pull permission"),
		    "aks.401", "aks.notfound", NULL);
	expect_alts(hand_text("a pool's container configuration names an invalid registry"),
		    "aks.notfound", NULL);
	expect_alts(hand_text("a VPC Service Controls perimeter refusing the pull"),
		    "aks.403", NULL);
	expect_alts(hand_text("an object store's XML AccessDenied on a layer"),
		    "aks.403", NULL);
	/* ... but one whose details name the identity's missing permission
	 * on the objects is not the network's */
	expect_alts("error pulling image configuration: error parsing HTTP 403 response body: \"<?xml version='1.0'?><Error><Code>AccessDenied</Code><Message>Access denied.</Message><Details>node-sa@acme.iam.gserviceaccount.com does not have storage.objects.get access to the object.</Details></Error>\"",
		    "other", "aks.403", NULL);
	/* a DNS query that timed out: the DNS setup, or a firewall that
	 * drops it */
	expect_alts("Error response from daemon: Get \"https://fabrikam.azurecr.io/v2/\": dial tcp: lookup fabrikam.azurecr.io on 168.63.129.16:53: read udp 10.224.0.9:40122->168.63.129.16:53: i/o timeout",
		    "other", "aks.timeout", NULL);
	/* a layer download cut: the network path too */
	expect_alts("failed to copy: httpReadSeeker: failed open: failed to do request: Get \"https://cdn.fabrikam.example/v2/blobs/sha256/aa/data\": read tcp 10.0.0.7:51312->198.51.100.20:443: read: connection reset by peer",
		    "other", "aks.timeout", NULL);
	/* a public address's HTTPS port refusing: an egress filter, or an
	 * address that is not the registry's; a private one is the setup */
	expect_alts("Error response from daemon: Get \"https://quay.io/v2/\": dial tcp 198.51.100.44:443: connect: connection refused",
		    "other", "aks.timeout", NULL);
	expect_alts("failed to do request: Head \"https://gcr.io/v2/acme/app/manifests/1\": dial tcp 142.250.1.1:443: connectex: No connection could be made because the target machine actively refused it.",
		    "other", "aks.timeout", NULL);
	/* a configuration download reset, as a layer's */
	expect_alts("error pulling image configuration: download failed after attempts=6: read tcp 10.0.0.4:40112->104.16.1.2:443: read: connection reset by peer",
		    "other", "aks.timeout", NULL);
	expect_alts("Error response from daemon: Get \"https://quay.io/v2/\": dial tcp 10.20.30.40:443: connect: connection refused",
		    "other", NULL);
	expect_alts("Error response from daemon: Get \"https://registry.fabrikam.example:5000/v2/\": dial tcp 198.51.100.44:5000: connect: connection refused",
		    "other", NULL);
	expect_alts("Error response from daemon: Get \"https://quay.io/v2/\": proxyconnect tcp: dial tcp 198.51.100.44:443: connect: connection refused",
		    "other", NULL);
	/* a host name that does not exist, not an ACR's: the DNS, or a
	 * registry host mistyped or gone */
	expect_alts("Error response from daemon: Get \"https://registry.fabrikam.example/v2/\": dial tcp: lookup registry.fabrikam.example on 10.0.0.10:53: no such host",
		    "other", "aks.notfound", NULL);
	/* a public registry's 403 on a manifest: the identity, the name, or
	 * its front end refusing the network */
	expect_alts("failed to resolve reference \"quay.io/fabrikam/pause:3.9\": unexpected status from HEAD request to https://quay.io/v2/fabrikam/pause/manifests/3.9: 403 Forbidden",
		    "aks.401", "aks.notfound", "aks.403", NULL);
	/* but not from Kubernetes' own registry, which has no private
	 * repository */
	expect_alts("failed to resolve reference \"registry.k8s.io/pause:3.9\": unexpected status from HEAD request to https://registry.k8s.io/v2/pause/manifests/3.9: 403 Forbidden",
		    "aks.403", NULL);

	/* a private registry's 401 on a repository (a proxy cache relays
	 * its upstream's 401 for a path the upstream does not have) */
	expect_alts("$ podman pull harbor.fabrikam.example/hub-cache/nginxx:1.25\nError: initializing source docker://harbor.fabrikam.example/hub-cache/nginxx:1.25: reading manifest 1.25 in harbor.fabrikam.example/hub-cache/nginxx: unauthorized: authentication required",
		    "aks.401", "aks.notfound", NULL);
	/* ... and its 403: authorization, an ACR firewall, or a name it
	 * will not confirm */
	expect_alts("Error response from daemon: Head \"https://harbor.fabrikam.example/v2/shop/web/manifests/3\": denied: access forbidden",
		    "aks.401", "aks.403", "aks.notfound", NULL);
	/* an ACR cutting the connection: the path, or an identity */
	expect_alts(hand_text("containerd: an ACR login server resets the connection"),
		    "aks.timeout", "aks.401", NULL);
	/* containerd's platform miss names neither OS nor architecture;
	 * CRI-O's names both */
	expect_alts(hand_text("containerd multi-error"), "aks.401-arch",
		    "aks.platform", NULL);
	/* a credential helper that failed, and containerd through GitHub's
	 * old registry, leave nothing to choose */
	expect_alts(hand_text("a credential helper that is not installed, under an unauthorized"),
		    "other", NULL);
	expect_alts(hand_text("containerd NotFound from docker.pkg.github.com"),
		    "other", NULL);
	expect_alts(hand_text("az acr login: a refresh token refused with 401, then a name not found"),
		    "aks.401", NULL);
	/* a login's 404: the address is not a registry's API, or a host
	 * mistyped that serves a web site */
	expect_alts(hand_text("docker login to a URL with a path answered 404"),
		    "other", "aks.notfound", NULL);
	expect_alts(hand_text("Harbor's 500 for a manifest"), "aks.notfound",
		    NULL);
	/* podman's wrapper: the credentials, or the name */
	expect_alts(hand_text("podman: not found in the registries it was given"),
		    "aks.401", "aks.notfound", NULL);
	/* a DNS query cut inside "i/o": the DNS, or a firewall dropping it */
	expect_alts("kubelet Failed to pull image \"fabrikam.azurecr.io/shop/web:4\": rpc error: code = Unknown desc = Error response from daemon: Get https://fabrikam.azurecr.io/v2/: dial tcp: lookup fabrikam.azurecr.io on 10.0.0.10:53: read udp 10.0.0.4:41000->10.0.0.10:53: i/",
		    "other", "aks.timeout", NULL);
	/* a status cut off: a 401 most often, a firewall's 403 next */
	expect_alts(hand_text("BuildKit: a HEAD request's status cut off"),
		    "aks.401", "aks.403", NULL);
	/* a registry's connection closed: a proxy, an outage, or an egress
	 * firewall resetting it */
	expect_alts("Error response from daemon: Head \"https://quay.io/v2/fabrikam/tools/manifests/2\": read tcp 10.0.0.4:51010->198.51.100.7:443: read: connection reset by peer",
		    "other", "aks.timeout", NULL);
	expect_alts(hand_text("CRI-O arch + unauthorized"), "aks.401-arch", NULL);
	/* the kubelet said it had no credentials: a registry that hides
	 * private names said "not found"; an ACR would have said 401 */
	expect_alts(hand_text("old kubelet: no credentials, and a GCR 'not found'"),
		    "aks.401", "aks.notfound", NULL);
	expect_alts("image pull failed for fabrikam.azurecr.io/api:3, this may be because there are no credentials on this request.  details: (Error: image api:3 not found)",
		    "aks.notfound", "aks.401", NULL);
	expect_alts(hand_text("az acr: no login server for a misspelled registry"),
		    "aks.notfound", "aks.401", NULL);
	expect_alts(hand_text("kubelet: RegistryUnavailable"), "other",
		    "aks.timeout", NULL);
	expect_alts(hand_text("containerd: a challenge without a realm"), "other",
		    "aks.403", NULL);
	expect_alts(hand_text("Docker: an HTML 403 page from a registry it names"),
		    "aks.403", NULL);
	/* a host in the page's own link is not the registry */
	expect_alts("Error response from daemon: error parsing HTTP 403 response body: invalid character '<' looking for beginning of value: \"<html><head><title>403 Forbidden</title></head><body>Blocked. See https://help.fabrikam-corp.example/web-access</body></html>\"",
		    "other", "aks.403", NULL);
	expect_alts(hand_text("Windows node: a Linux image's layer in the Windows snapshotter"),
		    "aks.platform", NULL);
	/* App Service's trailer names the image and the credentials */
	expect_alts("2025-03-01T10:00:00.000Z INFO  - Pulling image: fabrikam.azurecr.io/site/web:12\n2025-03-01T10:00:02.000Z ERROR - Image pull failed: Verify docker image configuration and credentials (if using private repository)",
		    "other", "webapp.unauthorized", "webapp.manifest-unknown", NULL);
	expect_alts(hand_text("App Service, no reason"), "other", NULL);
}

/* The ambiguity survives hostile framing: escapes, invalid UTF-8, NULs,
 * and a MiB of noise before it. */
static void test_alternatives_hostile(void **state)
{
	static const char framed[] =
		"\x1b[31m\x1b]0;x\x07\xff\xfe\xc0\xaf" "Error response from daemon: \x00"
		"Head \"https://ghcr.io/v2/acme/web/manifests/2.1\": \xe2\x80\xae"
		"denied\x1b[0m\xed\xa0\x80";
	const char *msg = hand_text("GHCR bare denied");
	size_t ml = strlen(msg), n = MIB + ml + 1;
	struct classify_result r;
	char *b;

	(void)state;
	assert_int_equal(classify_message(framed, sizeof framed - 1, &r), 0);
	check_contract(&r);
	assert_string_equal(r.cause, "aks.401");
	assert_int_equal(r.nalt, 1);
	assert_string_equal(r.alternatives[0], "aks.notfound");
	assert_null(strchr(r.evidence, 0x1b));

	b = random_bytes(n);
	b[n - ml - 1] = '\n';
	memcpy(b + n - ml, msg, ml);
	assert_int_equal(classify_message(b, n, &r), 0);
	check_contract(&r);
	assert_string_equal(r.cause, "aks.401");
	assert_int_equal(r.nalt, 1);
	assert_string_equal(r.alternatives[0], "aks.notfound");
	free(b);

	/* a second classification into the same result starts afresh */
	classify_str(hand_text("containerd 2.x POST token"), &r);
	assert_int_equal(r.nalt, 0);
}

/* ---------- edge cases ---------- */

static void test_null_args(void **state)
{
	struct classify_result r;

	(void)state;
	assert_int_equal(classify_message(NULL, 3, &r), AD_EINVAL);
	assert_int_equal(classify_message("abc", 3, NULL), AD_EINVAL);
	assert_int_equal(classify_message(NULL, 0, NULL), AD_EINVAL);
}

static void test_empty(void **state)
{
	struct classify_result r;

	(void)state;
	assert_int_equal(classify_message("", 0, &r), 0);
	check_contract(&r);
	assert_string_equal(r.cause, "other");
	assert_string_equal(r.note, "empty message");
	assert_string_equal(r.evidence, "");

	/* only whitespace, and only control bytes, count as empty */
	classify_str(" \t\r\n \n\t  ", &r);
	assert_string_equal(r.note, "empty message");
	assert_int_equal(classify_message("\0\0\0\x1b[0m", 7, &r), 0);
	check_contract(&r);
	assert_string_equal(r.note, "empty message");
	/* len wins over the NUL terminator */
	assert_int_equal(classify_message("401 Unauthorized", 0, &r), 0);
	assert_string_equal(r.note, "empty message");
}

static uint32_t rng_state = 0x12345678u;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static char *random_bytes(size_t n)
{
	char *b = malloc(n);
	size_t i;

	assert_non_null(b);
	for (i = 0; i < n; i++)
		b[i] = (char)(rng() & 0xFF);
	return b;
}

static void test_random_mib(void **state)
{
	struct classify_result r;
	char *b = random_bytes(MIB);
	int k;

	(void)state;
	for (k = 0; k < 3; k++) {
		assert_int_equal(classify_message(b, MIB, &r), 0);
		check_contract(&r);
		rng_state += 7;
		free(b);
		b = random_bytes(MIB);
	}
	free(b);
}

static const char *const REAL = "Failed to pull image \"contoso.azurecr.io/web/api:2.4.1\": rpc error: code = Unknown desc = failed to pull and unpack image \"contoso.azurecr.io/web/api:2.4.1\": failed to resolve reference \"contoso.azurecr.io/web/api:2.4.1\": failed to authorize: failed to fetch anonymous token: unexpected status: 403 Forbidden";

static void test_mib_with_message(void **state)
{
	struct classify_result r;
	size_t ml = strlen(REAL), n = MIB + ml + 2;
	char *b = random_bytes(n);

	(void)state;
	/* at the end, after a newline */
	b[n - ml - 1] = '\n';
	memcpy(b + n - ml, REAL, ml);
	assert_int_equal(classify_message(b, n, &r), 0);
	check_contract(&r);
	assert_string_equal(r.cause, "aks.403");
	free(b);

	/* at the beginning */
	b = random_bytes(n);
	memcpy(b, REAL, ml);
	b[ml] = '\n';
	assert_int_equal(classify_message(b, n, &r), 0);
	check_contract(&r);
	assert_string_equal(r.cause, "aks.403");
	assert_string_equal(r.registry, "contoso.azurecr.io");
	free(b);

	/* 4 MiB of text that almost matches: still bounded work */
	n = 4 * MIB;
	b = malloc(n);
	assert_non_null(b);
	for (size_t i = 0; i < n; i++)
		b[i] = "manifest for x "[i % 15];
	assert_int_equal(classify_message(b, n, &r), 0);
	check_contract(&r);
	free(b);
}

static void test_binary_nul(void **state)
{
	static const char msg[] =
		"\x00\x01\x02garbage\x00Failed to pull image \"contoso.azurecr.io/a:1\""
		"\x00: rpc error: code = Unknown desc = failed to resolve reference "
		"\"contoso.azurecr.io/a:1\": contoso.azurecr.io/a:1: not found\x00\xff\xfe";
	struct classify_result r;

	(void)state;
	assert_int_equal(classify_message(msg, sizeof msg - 1, &r), 0);
	check_contract(&r);
	assert_string_equal(r.cause, "aks.notfound");
	assert_string_equal(r.image, "contoso.azurecr.io/a:1");
}

static void test_invalid_utf8(void **state)
{
	/* overlong '/', lone continuation bytes, a surrogate, a truncated
	 * sequence, bytes never valid in UTF-8, a C1 control */
	static const char msg[] =
		"\xc0\xaf\x80\x80\xed\xa0\x80\xe6\x97 Failed to pull image "
		"\"contoso.azurecr.io/web/api:1\"\xff: failed to authorize: "
		"failed to fetch oauth token: unexpected status: 401 "
		"Unauthorized\xf8\x88\x80\x80\x80\xc2\x85\xe6";
	struct classify_result r;

	(void)state;
	assert_int_equal(classify_message(msg, sizeof msg - 1, &r), 0);
	check_contract(&r);
	assert_string_equal(r.cause, "aks.401");
	assert_non_null(strstr(r.evidence, "401"));
	/* valid multibyte text stays */
	classify_str("\xe3\x82\xa4\xe3\x83\xa1\xe3\x83\xbc\xe3\x82\xb8: unauthorized: authentication required", &r);
	assert_string_equal(r.cause, "aks.401");
	assert_non_null(strstr(r.evidence, "\xe3\x82\xa4\xe3\x83\xa1"));
}

static void test_terminal_escapes(void **state)
{
	static const char msg[] =
		"\x1b[2J\x1b[H\x1b]52;c;cm0gLXJmIH4K\x07\x1b]0;pwned\x1b\\"
		"Failed to pull image \"contoso.azurecr.io/web/api:1\": \x1b[31m"
		"failed to fetch anonymous token: unexpected status: 401 "
		"Unauthorized\x1b[0m\xc2\x9b" "2J\xe2\x80\xae" "desrever\x1bP1;2|x\x1b\\";
	struct classify_result r;

	(void)state;
	classify_str(msg, &r);
	assert_string_equal(r.cause, "aks.401");
	assert_null(strchr(r.evidence, 0x1b));
	assert_null(strstr(r.evidence, "[2J"));
	assert_null(strstr(r.evidence, "52;c"));
	assert_null(strstr(r.evidence, "\xe2\x80\xae"));   /* RLO */
	assert_null(strchr(r.image, 0x1b));
	assert_string_equal(r.image, "contoso.azurecr.io/web/api:1");

	/* an unterminated OSC does not swallow the message after it */
	classify_str("\x1b]52;c;AAAA Failed to pull image \"a.azurecr.io/b:1\": pull QPS exceeded", &r);
	assert_string_equal(r.cause, "aks.qps");
	assert_null(strchr(r.evidence, 0x1b));
}

static void test_secrets(void **state)
{
	static const char *const msgs[] = {
		"Get https://contoso.azurecr.io/v2/: Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJrdWJlbGV0In0.c2VjcmV0c2lnbmF0dXJl 401 Unauthorized",
		"docker login contoso.azurecr.io --username acr --password S3cr3tVal!x unauthorized: authentication required",
		"POST https://contoso.azurecr.io/oauth2/token grant_type=password&password=S3cr3tVal!x&access_token=S3cr3tTok3n: 401 Unauthorized",
		"DOCKER_REGISTRY_SERVER_PASSWORD=S3cr3tVal!x ERROR - DockerApiException: unauthorized: authentication required",
		"{\"auths\":{\"contoso.azurecr.io\":{\"password\":\"S3cr3tVal!x\",\"auth\":\"S3cr3tTok3n\"}}} unauthorized: authentication required",
		"Get https://acr:S3cr3tVal!x@contoso.azurecr.io/v2/: unauthorized: authentication required",
		"failed open: Get \"https://x.blob.core.windows.net/d?se=1&sig=S3cr3tTok3n%3D&sp=r\": EOF",
		"token: eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJrdWJlbGV0In0.c2lnbmF0dXJlcw failed to fetch oauth token: 401 Unauthorized",
		"refresh_token: S3cr3tTok3n client_secret=S3cr3tVal!x unauthorized",
	};
	struct classify_result r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof msgs / sizeof msgs[0]; i++) {
		classify_str(msgs[i], &r);
		if (strstr(r.evidence, "S3cr3t") || strstr(r.evidence, "eyJ") ||
		    strstr(r.registry, "S3cr3t") || strstr(r.image, "S3cr3t"))
			fail_msg("secret shown for message %zu: %s", i,
				 r.evidence);
		assert_non_null(strstr(r.evidence, "***"));
	}
	/* "Bearer realm=..." is a challenge, not a secret */
	classify_str("Www-Authenticate: Bearer realm=\"https://c.azurecr.io/oauth2/token\" 401 Unauthorized", &r);
	assert_non_null(strstr(r.evidence, "realm"));
}

/* The address ACR's firewall refusal names: extracted only when it is a
 * whole, valid IPv4 address; the cause is what it was without it. */
static void expect_ip(const char *msg, const char *ip)
{
	struct classify_result r;

	classify_str(msg, &r);
	assert_string_equal(r.client_ip, ip);
}

static void test_client_ip(void **state)
{
	struct classify_result r;
	char big[600];

	(void)state;
	/* ACR's wording through containerd, as kubelet reports it */
	classify_str("Failed to pull image \"acrshop.azurecr.io/shop/web:1.4.2\": "
		     "rpc error: code = Unknown desc = failed to authorize: failed to "
		     "fetch anonymous token: unexpected status: 403 Forbidden: denied: "
		     "client with IP '20.61.14.27' is not allowed access. Refer "
		     "https://aka.ms/acr/firewall to grant access.", &r);
	assert_string_equal(r.cause, "aks.403");
	assert_string_equal(r.client_ip, "20.61.14.27");
	/* without quotes, double quotes, other case, several spaces */
	expect_ip("denied: client with IP 20.50.60.70 is not allowed access", "20.50.60.70");
	expect_ip("denied: Client With Ip  \"10.0.0.1\" is not allowed access", "10.0.0.1");
	expect_ip("denied: client with IP '0.0.0.0' is not allowed access", "0.0.0.0");
	expect_ip("denied: client with IP '255.255.255.255' is not allowed", "255.255.255.255");
	/* not valid addresses: nothing */
	expect_ip("denied: client with IP '256.1.1.1' is not allowed access", "");
	expect_ip("denied: client with IP '1.2.3' is not allowed access", "");
	expect_ip("denied: client with IP '1.2.3.4.5' is not allowed access", "");
	expect_ip("denied: client with IP '01.2.3.4' is not allowed access", "");
	expect_ip("denied: client with IP '1.2.3.4444' is not allowed access", "");
	expect_ip("denied: client with IP '1.2.3.4\" is not allowed access", "");
	expect_ip("denied: client with IP 1.2.3.4a is not allowed access", "");
	expect_ip("denied: client with IP 1.2.3.4:443 is not allowed access", "");
	expect_ip("denied: client with IP '2001:db8::1' is not allowed access", "");
	expect_ip("denied: client with IP '' is not allowed access", "");
	expect_ip("403 Forbidden: the IP 20.1.2.3 was refused", "");
	/* a message cut inside the address: nothing, not a shorter address */
	expect_ip("403 Forbidden: denied: client with IP '20.61.14.2", "");
	expect_ip("403 Forbidden: denied: client with IP 20.61.14.2", "");
	expect_ip("403 Forbidden: denied: client with IP", "");
	/* hostile text: escapes and a fake address before the real one */
	expect_ip("denied: client with IP '999.1.1.1' client with IP '5.6.7.8' is not allowed",
		  "5.6.7.8");
	/* an escape sequence goes whole, it never becomes part of it */
	expect_ip("denied: client with IP '\x1b[31m1.2.3.4\x1b[0m' is not allowed", "1.2.3.4");
	expect_ip("denied: client with IP '1.2.3.4\x07' is not allowed", "");
	expect_ip("denied: client with IP '1.2.\xff" "3.4' is not allowed", "");
	memset(big, '9', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	memcpy(big, "client with IP ", 15);
	expect_ip(big, "");
	/* the cause does not change with or without the address */
	classify_str("403 Forbidden: denied: client with IP '20.61.14.27' is not allowed access", &r);
	{
		const char *with = r.cause;

		classify_str("403 Forbidden: denied: client is not allowed access", &r);
		assert_string_equal(with, r.cause);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_heldout),
		cmocka_unit_test(test_real),
		cmocka_unit_test(test_blind),
		cmocka_unit_test(test_blind2),
		cmocka_unit_test(test_blind3),
		cmocka_unit_test(test_blind4),
		cmocka_unit_test(test_blind5),
		cmocka_unit_test(test_blind6),
		cmocka_unit_test(test_blind7),
		cmocka_unit_test(test_blind8),
		cmocka_unit_test(test_blind9),
		cmocka_unit_test(test_blind10),
		cmocka_unit_test(test_grown),
		cmocka_unit_test(test_handwritten),
		cmocka_unit_test(test_handwritten_coverage),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_alternatives),
		cmocka_unit_test(test_alternatives_hostile),
		cmocka_unit_test(test_null_args),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_random_mib),
		cmocka_unit_test(test_mib_with_message),
		cmocka_unit_test(test_binary_nul),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_terminal_escapes),
		cmocka_unit_test(test_secrets),
		cmocka_unit_test(test_client_ip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
