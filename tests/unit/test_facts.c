/* test_facts.c - the facts cache under threads: a read whose answer is
 * already on the wire waits for it (one request, its answer or error
 * shared), errors are asked again in the next job, and the dependency
 * depth of every request follows what the reading thread had read. */
#include "config.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "context.h"
#include "diagnose.h"
#include "err.h"
#include "facts.h"
#include "fix_offer.h"
#include "harness.h"
#include "http.h"
#include "jsonu.h"
#include "world.h"

/* A transport that counts requests and can hold them on the wire until
 * the test lets them go. */
struct fake {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int sent;          /* requests that reached send() */
	int held;          /* requests waiting for release */
	int hold;          /* hold requests until release */
	long status;       /* what to answer */
	char last[512];    /* URL of the last request */
};

static int fake_send(void *impl, const struct http_request *req,
		     struct http_response *resp, struct ad_error *err)
{
	struct fake *fk = impl;

	(void)err;
	pthread_mutex_lock(&fk->mu);
	fk->sent++;
	snprintf(fk->last, sizeof fk->last, "%s", req->url);
	fk->held++;
	pthread_cond_broadcast(&fk->cv);
	while (fk->hold)
		pthread_cond_wait(&fk->cv, &fk->mu);
	fk->held--;
	resp->status = fk->status;
	pthread_mutex_unlock(&fk->mu);
	resp->body = strdup(fk->status == 200 ?
		"{\"name\":\"x\"}" :
		"{\"error\":{\"code\":\"AuthorizationFailed\",\"message\":\"no\"}}");
	resp->body_len = strlen(resp->body);
	return 0;
}

static const struct http_ops fake_ops = { "fake", fake_send, NULL };

struct rig {
	struct fake fk;
	struct http_transport t;
	struct ad_context ctx;
	struct facts *f;
};

static struct rig *rig_new(long status, int hold)
{
	struct rig *r = calloc(1, sizeof *r);

	assert_non_null(r);
	pthread_mutex_init(&r->fk.mu, NULL);
	pthread_cond_init(&r->fk.cv, NULL);
	r->fk.status = status;
	r->fk.hold = hold;
	r->t.ops = &fake_ops;
	r->t.impl = &r->fk;
	ctx_init(&r->ctx, AD_TARGET_AKS);
	snprintf(r->ctx.arm, sizeof r->ctx.arm, "https://arm.test");
	r->f = facts_new(&r->t, NULL, &r->ctx);
	assert_non_null(r->f);
	return r;
}

static void rig_free(struct rig *r)
{
	facts_free(r->f);
	pthread_cond_destroy(&r->fk.cv);
	pthread_mutex_destroy(&r->fk.mu);
	free(r);
}

static void release(struct rig *r)
{
	pthread_mutex_lock(&r->fk.mu);
	r->fk.hold = 0;
	pthread_cond_broadcast(&r->fk.cv);
	pthread_mutex_unlock(&r->fk.mu);
}

/* Until pred holds, bounded: a hang fails the test. */
static int wait_for(struct rig *r, int (*pred)(struct rig *))
{
	int i;

	for (i = 0; i < 20000; i++) {
		struct timespec ts = { 0, 1000000L };

		if (pred(r))
			return 1;
		nanosleep(&ts, NULL);
	}
	return 0;
}

static int one_held(struct rig *r)
{
	int v;

	pthread_mutex_lock(&r->fk.mu);
	v = r->fk.held == 1;
	pthread_mutex_unlock(&r->fk.mu);
	return v;
}

static int one_merged(struct rig *r)
{
	struct facts_stats st;

	facts_stats_get(r->f, &st);
	return st.merged == 1;
}

struct reader {
	struct rig *r;
	const char *path;
	cJSON *out;
	int rc;
	struct ad_error err;
	unsigned depth;
	pthread_t th;
};

static void *read_arm(void *arg)
{
	struct reader *rd = arg;

	rd->rc = arm_get(rd->r->f, rd->path, "2020-01-01", &rd->out,
			 &rd->err);
	rd->depth = facts_depth(rd->r->f);
	return NULL;
}

/* Two threads, one key: the second waits for the first's request. */
static void run_pair(struct rig *r, struct reader *a, struct reader *b)
{
	a->r = b->r = r;
	a->path = b->path = "/subscriptions/s/resourceGroups/g";
	assert_int_equal(pthread_create(&a->th, NULL, read_arm, a), 0);
	assert_true(wait_for(r, one_held));
	assert_int_equal(pthread_create(&b->th, NULL, read_arm, b), 0);
	assert_true(wait_for(r, one_merged));
	release(r);
	pthread_join(a->th, NULL);
	pthread_join(b->th, NULL);
}

static void test_merge_answer(void **state)
{
	struct rig *r = rig_new(200, 1);
	struct reader a = { 0 }, b = { 0 };
	struct facts_stats st;

	(void)state;
	run_pair(r, &a, &b);
	assert_int_equal(r->fk.sent, 1);
	assert_int_equal(a.rc, 0);
	assert_int_equal(b.rc, 0);
	assert_non_null(a.out);
	assert_ptr_equal(a.out, b.out);
	assert_string_equal(cJSON_GetObjectItem(b.out, "name")->valuestring, "x");
	/* The waiter read an answer of depth 1, like the sender. */
	assert_int_equal(a.depth, 1);
	assert_int_equal(b.depth, 1);
	facts_stats_get(r->f, &st);
	assert_int_equal(st.requests, 1);
	assert_int_equal(st.depth, 1);
	rig_free(r);
}

static void test_merge_error(void **state)
{
	struct rig *r = rig_new(403, 1);
	struct reader a = { 0 }, b = { 0 };
	cJSON *out;
	struct ad_error err = { 0 };

	(void)state;
	run_pair(r, &a, &b);
	assert_int_equal(r->fk.sent, 1);
	assert_int_equal(a.rc, AD_EDENIED);
	assert_int_equal(b.rc, AD_EDENIED);
	assert_null(b.out);
	assert_string_equal(a.err.msg, b.err.msg);
	assert_non_null(strstr(b.err.msg, "AuthorizationFailed"));
	/* Within the job the error is kept: no second request. */
	assert_int_equal(arm_get(r->f, "/subscriptions/s/resourceGroups/g",
				 "2020-01-01", &out, &err), AD_EDENIED);
	assert_int_equal(r->fk.sent, 1);
	/* The next job asks again. */
	facts_forget_errors(r->f);
	r->fk.status = 200;
	assert_int_equal(arm_get(r->f, "/subscriptions/s/resourceGroups/g",
				 "2020-01-01", &out, &err), 0);
	assert_int_equal(r->fk.sent, 2);
	rig_free(r);
}

struct chain {
	struct rig *r;
	void *mark;
	const char *paths[3];
	unsigned depth;
	int rc;
};

/* Starting from mark, read paths in turn. */
static void *read_chain(void *arg)
{
	struct chain *ch = arg;
	struct ad_error err = { 0 };
	cJSON *out;
	int i;

	facts_begin(ch->r->f, ch->mark);
	for (i = 0; i < 3 && ch->paths[i] && ch->rc == 0; i++)
		ch->rc = arm_get(ch->r->f, ch->paths[i], "1", &out, &err);
	ch->depth = facts_depth(ch->r->f);
	return NULL;
}

static unsigned chain_in_thread(struct rig *r, void *mark, const char *p0,
				const char *p1, const char *p2)
{
	struct chain ch = { r, mark, { p0, p1, p2 }, 0, 0 };
	pthread_t th;

	assert_int_equal(pthread_create(&th, NULL, read_chain, &ch), 0);
	pthread_join(th, NULL);
	assert_int_equal(ch.rc, 0);
	return ch.depth;
}

/* A request's depth is what it needs: one more than the deepest answer
 * read before it, taken over every thread that asked for it, whichever
 * asked first. */
static void test_depth(void **state)
{
	struct rig *r = rig_new(200, 0);
	struct facts_stats st;
	cJSON *out;
	struct ad_error err = { 0 };
	void *mark;

	(void)state;
	facts_begin(r->f, NULL);
	assert_int_equal(arm_get(r->f, "/a", "1", &out, &err), 0);
	assert_int_equal(facts_depth(r->f), 1);
	assert_int_equal(arm_get(r->f, "/b", "1", &out, &err), 0);
	assert_int_equal(facts_depth(r->f), 2);
	/* A cached answer costs nothing more. */
	assert_int_equal(arm_get(r->f, "/a", "1", &out, &err), 0);
	assert_int_equal(facts_depth(r->f), 2);
	/* A thread that starts where this one is goes on from there. */
	mark = facts_mark(r->f);
	assert_int_equal(chain_in_thread(r, mark, "/c", "/d", NULL), 4);
	facts_stats_get(r->f, &st);
	assert_int_equal(st.depth, 4);
	/* A thread that had read nothing asks for /b: /b needs nothing,
	 * whatever the first thread had read when it sent it, and what
	 * was read after it moves up with it. */
	assert_int_equal(chain_in_thread(r, NULL, "/b", "/e", NULL), 2);
	assert_int_equal(facts_depth(r->f), 1);
	facts_stats_get(r->f, &st);
	assert_int_equal(st.depth, 3);   /* /c 2, /d 3 */
	assert_int_equal(st.requests, 5);
	assert_int_equal(r->fk.sent, 5);
	rig_free(r);
}

/* ---------- a POST that answers text ---------- */

struct text_fake {
	long status;
	const char *body;
	char accept[128];
};

static int text_send(void *impl, const struct http_request *req,
		     struct http_response *resp, struct ad_error *err)
{
	struct text_fake *tf = impl;

	(void)err;
	snprintf(tf->accept, sizeof tf->accept, "%s",
		 req->accept ? req->accept : "");
	resp->status = tf->status;
	resp->body = strdup(tf->body);
	resp->body_len = strlen(resp->body);
	return 0;
}

static const struct http_ops text_ops = { "text", text_send, NULL };

/* The container log read: the end of the body from a whole line, 204
 * as nothing, 403 as refused; counted like any read. */
static void test_post_text(void **state)
{
	struct text_fake tf = { 200, "first line\nsecond\nthird\n", "" };
	struct http_transport t = { .ops = &text_ops, .impl = &tf };
	struct ad_context ctx;
	struct ad_error err = { 0 };
	struct facts_stats st;
	struct facts *f;
	char *text;
	size_t len;
	long status;

	(void)state;
	ctx_init(&ctx, AD_TARGET_WEBAPP);
	snprintf(ctx.arm, sizeof ctx.arm, "https://arm.test");
	assert_non_null(f = facts_new(&t, NULL, &ctx));
	facts_begin(f, NULL);
	assert_int_equal(arm_post_text(f, "/s/containerlogs", "1", 1024,
				       &text, &len, &status, &err), 0);
	assert_int_equal(status, 200);
	assert_string_equal(text, "first line\nsecond\nthird\n");
	assert_int_equal(len, strlen(text));
	assert_non_null(strstr(tf.accept, "application/octet-stream"));
	free(text);
	/* The last 9 bytes are "d\nthird\n": from the whole line. */
	assert_int_equal(arm_post_text(f, "/s/containerlogs", "1", 9, &text,
				       &len, &status, &err), 0);
	assert_string_equal(text, "third\n");
	free(text);
	tf.status = 204;
	tf.body = "";
	assert_int_equal(arm_post_text(f, "/s/containerlogs", "1", 9, &text,
				       &len, &status, &err), 0);
	assert_int_equal(status, 204);
	assert_null(text);
	assert_int_equal(len, 0);
	tf.status = 403;
	tf.body = "{\"error\":{\"code\":\"AuthorizationFailed\",\"message\":\"no\"}}";
	assert_int_equal(arm_post_text(f, "/s/containerlogs", "1", 9, &text,
				       &len, &status, &err), AD_EDENIED);
	assert_null(text);
	assert_non_null(strstr(err.msg, "403"));
	/* Not cached: every read went out, one after the other. */
	facts_stats_get(f, &st);
	assert_int_equal(st.requests, 4);
	assert_int_equal(facts_depth(f), 4);
	facts_free(f);
}

/* Concurrent checks: the findings in table order, the same JSON every
 * time; a cancel before the start runs none. */
static void test_diagnose_order(void **state)
{
	struct harness *h = harness_open("aks-401-no-acrpull");
	struct diagnosis d;
	const struct check_def *defs;
	char *first = NULL;
	size_t n, i, k;
	int run;

	(void)state;
	defs = check_all(&n);
	for (run = 0; run < 3; run++) {
		cJSON *j;
		char *txt;

		assert_int_equal(diagnose_run(h->facts, &d, NULL), 0);
		assert_true(d.n > 10);
		for (i = 0, k = 0; i < n; i++) {
			if (!(defs[i].applies & CHECK_AKS))
				continue;
			assert_true(k < d.n);
			assert_string_equal(d.findings[k++].def->id, defs[i].id);
		}
		assert_int_equal(k, d.n);
		assert_non_null(d.cause);
		assert_string_equal(d.cause, "aks.401");
		j = diagnose_json(&d);
		txt = cJSON_PrintUnformatted(j);
		assert_non_null(txt);
		if (!first)
			first = txt;
		else {
			assert_string_equal(txt, first);
			cJSON_free(txt);
		}
		cJSON_Delete(j);
		diagnose_clear(&d);
	}
	cJSON_free(first);
	ad_cancel_set(&h->w->cancel);
	assert_int_equal(diagnose_run(h->facts, &d, &h->w->cancel), 0);
	assert_int_equal(d.n, 0);
	diagnose_clear(&d);
	harness_close(h);
}

/* Whether the caller may apply an offered fix is asked in the failing
 * check's job: the offer sits next to its finding, and only a failing
 * finding with a fix has one asked.  A Kubernetes step the cluster
 * refuses (kubeDeny) is denied by name; diagnose_run asks nothing. */
static void test_diagnose_offers(void **state)
{
	struct harness *h = harness_open("scenarios/aks-platform-no-patch.json");
	struct diagnosis d;
	size_t i, asked = 0;

	(void)state;
	assert_int_equal(diagnose_run(h->facts, &d, NULL), 0);
	assert_null(d.offers);
	diagnose_clear(&d);
	assert_int_equal(diagnose_run_offers(h->facts, &d, 0, NULL), 0);
	assert_true(d.n > 0);
	assert_non_null(d.offers);
	for (i = 0; i < d.n; i++) {
		const struct fixoffer *o = &d.offers[i];

		if (d.findings[i].res.verdict != CHECK_FAIL ||
		    !d.findings[i].res.fix) {
			/* Nothing asked: left zeroed. */
			assert_string_equal(o->say, "");
			assert_string_equal(o->why, "");
			continue;
		}
		asked++;
		assert_int_equal(o->state, FIXOFFER_DENIED);
		assert_string_equal(o->action, "patch deployments.apps");
		assert_string_equal(o->scope, "default");
		assert_int_equal(o->step, 1);
	}
	assert_true(asked > 0);
	diagnose_clear(&d);
	harness_close(h);
}

/* The scenario with the registry's token endpoint answering a request
 * without credentials (anonymous pull) and no exchange at all: written to
 * a temporary file, its path in path. */
static void anonymous_scenario(char *path, size_t len)
{
	char src[1024];
	FILE *in;
	char *text;
	long n;
	cJSON *doc, *http, *e, *next;
	int fd;

	snprintf(src, sizeof src, "%s/../../data/scenarios/aks-healthy.json",
		 getenv("TEST_DATA_DIR") ? getenv("TEST_DATA_DIR") : "tests/data");
	in = fopen(src, "rb");
	assert_non_null(in);
	assert_int_equal(fseek(in, 0, SEEK_END), 0);
	n = ftell(in);
	assert_true(n > 0);
	rewind(in);
	text = malloc((size_t)n + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)n, in), (size_t)n);
	text[n] = '\0';
	fclose(in);
	doc = cJSON_Parse(text);
	free(text);
	assert_non_null(doc);
	http = cJSON_GetObjectItemCaseSensitive(doc, "http");
	assert_true(cJSON_IsArray(http) && cJSON_GetArraySize(http) > 0);
	/* No exchange and no refresh-token grant: only the anonymous
	 * token can make the manifest readable. */
	for (e = http->child; e; e = next) {
		const cJSON *u = cJSON_GetObjectItemCaseSensitive(e, "url");

		next = e->next;
		if (cJSON_IsString(u) && strstr(u->valuestring, "/oauth2/"))
			cJSON_Delete(cJSON_DetachItemViaPointer(http, e));
	}
	e = cJSON_Parse("{\"method\":\"GET\",\"url\":\"https://acrshop.azurecr.io/oauth2/token\","
			"\"body\":{\"token\":\"anonymous-pull-token\"}}");
	assert_non_null(e);
	cJSON_AddItemToArray(http, e);
	snprintf(path, len, "/tmp/ad-anon-XXXXXX.json");
	fd = mkstemps(path, 5);
	assert_true(fd >= 0);
	text = cJSON_Print(doc);
	assert_non_null(text);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	free(text);
	cJSON_Delete(doc);
}

/* A registry that gives a pull token without credentials: used, recorded,
 * and no exchange made; one that does not: the exchange follows. */
static void test_anonymous_pull(void **state)
{
	char path[64];
	struct harness *h;
	struct ad_error e = { 0 };
	cJSON *m = NULL;
	long status = 0;
	int anon = -1;

	(void)state;
	anonymous_scenario(path, sizeof path);
	h = harness_open(path);
	assert_int_equal(reg_pull_anonymous(h->facts, "acrshop.azurecr.io",
					    "shop/web", &anon, &e), 0);
	assert_int_equal(anon, 1);
	assert_int_equal(reg_manifest(h->facts, "acrshop.azurecr.io", "shop/web",
				      "1.4.2", &status, &m, &e), 0);
	assert_int_equal(status, 200);
	assert_non_null(m);
	harness_close(h);
	unlink(path);

	h = harness_open("aks-healthy");
	anon = -1;
	assert_int_equal(reg_pull_anonymous(h->facts, "acrshop.azurecr.io",
					    "shop/web", &anon, &e), 0);
	assert_int_equal(anon, 0);
	harness_close(h);
}

/* ---------- a pull secret's username and password at the registry ---------- */

#define PS_USER "acrshop"
#define PS_PASS "Pw9+SECRET/basic=Zq"

/* A registry that answers /v2/ and its token realm as a script says, and
 * records where the credential went. */
struct script {
	long v2_status;
	const char *v2_auth;     /* WWW-Authenticate of /v2/ */
	long tok_status;         /* the realm's (or /v2/'s, Basic) answer */
	const char *tok_body;
	int tok_fail;            /* AD_E* with the transport's net kind */
	int v2_fail;
	int sent, with_basic;
	int basic_elsewhere;     /* basic sent to a host other than reg.test */
	char basic_url[512];
	char user[64];
	char label[64];          /* auth label of the basic request */
	enum reg_cred_from from; /* whose credentials script_login sends */
};

static int script_send(void *impl, const struct http_request *req,
		       struct http_response *resp, struct ad_error *err)
{
	struct script *sc = impl;
	int basic = req->basic_user != NULL;
	int v2 = strcmp(req->url, "https://reg.test/v2/") == 0 && !basic;

	sc->sent++;
	if (basic) {
		sc->with_basic++;
		snprintf(sc->basic_url, sizeof sc->basic_url, "%s", req->url);
		snprintf(sc->user, sizeof sc->user, "%s", req->basic_user);
		snprintf(sc->label, sizeof sc->label, "%s",
			 req->auth_label ? req->auth_label : "");
		if (strncmp(req->url, "https://reg.test/", 17) != 0)
			sc->basic_elsewhere++;
		assert_non_null(req->basic_pass);
		assert_string_equal(req->basic_pass, PS_PASS);
		assert_null(req->bearer);
	}
	if ((v2 && sc->v2_fail) || (!v2 && sc->tok_fail)) {
		ad_error_set(err, AD_ETIMEOUT, "connection to reg.test timed out");
		return ad_error_net(err, AD_NET_TIMEOUT);
	}
	resp->status = v2 ? sc->v2_status : sc->tok_status;
	if (v2 && sc->v2_auth)
		assert_int_equal(http_response_add_header(resp, "WWW-Authenticate",
							  sc->v2_auth), 0);
	resp->body = strdup(v2 ? "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}" :
			    sc->tok_body ? sc->tok_body : "{}");
	assert_non_null(resp->body);
	resp->body_len = strlen(resp->body);
	return 0;
}

static const struct http_ops script_ops = { "script", script_send, NULL };

#define ACR_CHALLENGE "Bearer realm=\"https://reg.test/oauth2/token\",service=\"reg.test\""
#define REFUSED_BODY "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}"

/* One login through a fresh facts over script sc; rc, out and err. */
static int script_login(struct script *sc, const char *repo,
			struct reg_login *out, struct ad_error *err)
{
	struct http_transport t = { .ops = &script_ops, .impl = sc };
	struct ad_context ctx;
	struct facts *f;
	int rc;

	ctx_init(&ctx, AD_TARGET_AKS);
	f = facts_new(&t, NULL, &ctx);
	assert_non_null(f);
	memset(err, 0, sizeof *err);
	rc = reg_basic_login(f, "reg.test", repo, sc->from, PS_USER, PS_PASS,
			     out, err);
	/* Never in what the caller gets back. */
	assert_null(strstr(err->msg, PS_PASS));
	assert_null(strstr(err->detail, PS_PASS));
	assert_null(strstr(out->endpoint, PS_PASS));
	facts_free(f);
	return rc;
}

static void test_basic_login(void **state)
{
	struct script sc;
	struct reg_login lg;
	struct ad_error e;

	(void)state;
	/* Accepted: a token from the realm, asked with the repository's
	 * pull scope and the secret's username. */
	sc = (struct script){ .v2_status = 401, .v2_auth = ACR_CHALLENGE,
			      .tok_status = 200,
			      .tok_body = "{\"access_token\":\"tok-abc\"}" };
	assert_int_equal(script_login(&sc, "shop/web", &lg, &e), 0);
	assert_int_equal(lg.accepted, 1);
	assert_int_equal(lg.open, 0);
	assert_int_equal(lg.status, 200);
	assert_string_equal(lg.endpoint, "https://reg.test/oauth2/token");
	assert_int_equal(sc.with_basic, 1);
	assert_string_equal(sc.user, PS_USER);
	assert_string_equal(sc.basic_url,
		"https://reg.test/oauth2/token?service=reg.test&scope=repository:shop/web:pull");
	assert_string_equal(sc.label, "pull secret");
	/* A Web App's settings say so, in --debug and in errors. */
	sc.from = REG_CRED_APP_SETTINGS;
	assert_int_equal(script_login(&sc, "shop/web", &lg, &e), 0);
	assert_string_equal(sc.label, "app settings");

	/* Refused with 401, and with 403: an answer, not an error. */
	sc = (struct script){ .v2_status = 401, .v2_auth = ACR_CHALLENGE,
			      .tok_status = 401, .tok_body = REFUSED_BODY };
	assert_int_equal(script_login(&sc, "shop/web", &lg, &e), 0);
	assert_int_equal(lg.accepted, 0);
	assert_int_equal(lg.status, 401);
	assert_string_equal(lg.code, "UNAUTHORIZED");
	sc.tok_status = 403;
	assert_int_equal(script_login(&sc, "shop/web", &lg, &e), 0);
	assert_int_equal(lg.accepted, 0);
	assert_int_equal(lg.status, 403);

	/* 200 without a token is no yes. */
	sc = (struct script){ .v2_status = 401, .v2_auth = ACR_CHALLENGE,
			      .tok_status = 200, .tok_body = "{}" };
	assert_int_equal(script_login(&sc, "shop/web", &lg, &e), AD_EPARSE);
	assert_int_equal(lg.accepted, 0);

	/* Could not ask: the token endpoint, or /v2/, does not answer;
	 * or answers something else than yes or no. */
	sc = (struct script){ .v2_status = 401, .v2_auth = ACR_CHALLENGE,
			      .tok_fail = 1 };
	assert_int_equal(script_login(&sc, "shop/web", &lg, &e), AD_ETIMEOUT);
	assert_int_equal(e.net, AD_NET_TIMEOUT);
	assert_int_equal(lg.accepted, 0);
	sc = (struct script){ .v2_fail = 1 };
	assert_int_equal(script_login(&sc, "shop/web", &lg, &e), AD_ETIMEOUT);
	assert_int_equal(e.net, AD_NET_TIMEOUT);
	assert_int_equal(sc.with_basic, 0);
	sc = (struct script){ .v2_status = 401, .v2_auth = ACR_CHALLENGE,
			      .tok_status = 503, .tok_body = "{}" };
	assert_int_equal(script_login(&sc, "shop/web", &lg, &e), AD_EHTTP);
	assert_int_equal(lg.status, 503);
	assert_int_equal(lg.accepted, 0);

	/* A realm on another host never gets the password. */
	sc = (struct script){ .v2_status = 401,
			      .v2_auth = "Bearer realm=\"https://evil.test/token\",service=\"reg.test\"",
			      .tok_status = 200,
			      .tok_body = "{\"access_token\":\"x\"}" };
	assert_int_equal(script_login(&sc, "shop/web", &lg, &e), AD_EUNSUPP);
	assert_int_equal(sc.with_basic, 0);
	assert_int_equal(sc.basic_elsewhere, 0);
	assert_non_null(strstr(e.msg, "pull secret"));
	sc.from = REG_CRED_APP_SETTINGS;
	assert_int_equal(script_login(&sc, "shop/web", &lg, &e), AD_EUNSUPP);
	assert_int_equal(sc.with_basic, 0);
	assert_non_null(strstr(e.msg, "app settings"));
	assert_null(strstr(e.msg, "pull secret"));
	sc.from = REG_CRED_PULL_SECRET;
	sc.v2_auth = "Bearer realm=\"http://reg.test/oauth2/token\"";
	assert_int_equal(script_login(&sc, "shop/web", &lg, &e), AD_EUNSUPP);
	assert_int_equal(sc.with_basic, 0);

	/* A registry that challenges with Basic: the credential goes to
	 * /v2/ itself. */
	sc = (struct script){ .v2_status = 401, .v2_auth = "Basic realm=\"reg\"",
			      .tok_status = 200 };
	assert_int_equal(script_login(&sc, "shop/web", &lg, &e), 0);
	assert_int_equal(lg.accepted, 1);
	assert_string_equal(sc.basic_url, "https://reg.test/v2/");
	sc.tok_status = 401;
	assert_int_equal(script_login(&sc, "shop/web", &lg, &e), 0);
	assert_int_equal(lg.accepted, 0);

	/* /v2/ open to anyone: nothing to send. */
	sc = (struct script){ .v2_status = 200 };
	assert_int_equal(script_login(&sc, "shop/web", &lg, &e), 0);
	assert_int_equal(lg.accepted, 1);
	assert_int_equal(lg.open, 1);
	assert_int_equal(sc.with_basic, 0);

	/* Never cached: each login asks again (the /v2/ answer is shared). */
	{
		struct http_transport t = { .ops = &script_ops, .impl = &sc };
		struct ad_context ctx;
		struct facts *f;

		sc = (struct script){ .v2_status = 401, .v2_auth = ACR_CHALLENGE,
				      .tok_status = 200,
				      .tok_body = "{\"access_token\":\"t\"}" };
		ctx_init(&ctx, AD_TARGET_AKS);
		f = facts_new(&t, NULL, &ctx);
		assert_non_null(f);
		assert_int_equal(reg_basic_login(f, "reg.test", "shop/web",
						 REG_CRED_PULL_SECRET, PS_USER,
						 PS_PASS, &lg, &e), 0);
		assert_int_equal(reg_basic_login(f, "reg.test", "shop/web",
						 REG_CRED_PULL_SECRET, PS_USER,
						 PS_PASS, &lg, &e), 0);
		assert_int_equal(sc.with_basic, 2);
		assert_int_equal(sc.sent, 3);
		/* A username with ':' or a password with a line break is
		 * never sent. */
		assert_int_equal(reg_basic_login(f, "reg.test", "shop/web",
						 REG_CRED_PULL_SECRET, "a:b",
						 PS_PASS, &lg, &e), AD_EINVAL);
		assert_int_equal(reg_basic_login(f, "reg.test", "shop/web",
						 REG_CRED_PULL_SECRET, PS_USER,
						 "x\r\nX-Injected: 1", &lg, &e),
				 AD_EINVAL);
		assert_int_equal(sc.with_basic, 2);
		facts_free(f);
	}
}

/* The anonymous token attempt in the evidence of the aks.401 checks. */
/* An Azure token too long for the exchange's buffer is an error that
 * says so, never a cut token sent to the registry. */
static int exchange_with_token(struct script *sc, size_t len,
			       struct ad_error *err)
{
	struct http_transport t = { .ops = &script_ops, .impl = sc };
	struct ad_context ctx;
	struct facts *f;
	char *tok = malloc(len + 1);
	int rc, anon = -1;

	assert_non_null(tok);
	memset(tok, 'a', len);
	tok[len] = '\0';
	ctx_init(&ctx, AD_TARGET_AKS);
	f = facts_new(&t, NULL, &ctx);
	assert_non_null(f);
	f->token_arm = tok;
	memset(err, 0, sizeof *err);
	rc = reg_pull_anonymous(f, "reg.test", "shop/web", &anon, err);
	facts_free(f);
	free(tok);
	return rc;
}

static void test_token_too_long(void **state)
{
	struct script sc = { .v2_status = 401, .v2_auth = ACR_CHALLENGE,
			     .tok_status = 401, .tok_body = REFUSED_BODY };
	struct ad_error err;

	(void)state;
	/* /v2/ and the anonymous attempt go out; the exchange does not. */
	assert_int_equal(exchange_with_token(&sc, FACTS_TOKEN_MAX, &err),
			 AD_EINVAL);
	assert_non_null(strstr(err.msg, "too long"));
	assert_int_equal(sc.sent, 2);
	/* The longest that fits is sent whole (and refused here). */
	memset(&sc, 0, sizeof sc);
	sc.v2_status = 401;
	sc.v2_auth = ACR_CHALLENGE;
	sc.tok_status = 401;
	sc.tok_body = REFUSED_BODY;
	assert_int_equal(exchange_with_token(&sc, FACTS_TOKEN_MAX - 1, &err),
			 AD_EDENIED);
	assert_int_equal(sc.sent, 3);
}

static void test_anonymous_evidence(void **state)
{
	char path[64];
	struct harness *h;
	struct check_result res = { 0 };
	const char *a;

	(void)state;
	anonymous_scenario(path, sizeof path);
	h = harness_open(path);
	harness_check(h, "aks.401.acrpull", &res);
	a = jsonu_str(res.evidence, "anonymousToken");
	assert_non_null(a);
	assert_memory_equal(a, "granted:", 8);
	check_result_clear(&res);
	harness_close(h);
	unlink(path);

	h = harness_open("aks-401-no-acrpull");
	assert_int_equal(harness_check(h, "aks.401.acrpull", &res), CHECK_FAIL);
	a = jsonu_str(res.evidence, "anonymousToken");
	assert_non_null(a);
	assert_memory_equal(a, "refused:", 8);
	assert_non_null(strstr(a, "needs a credential"));
	check_result_clear(&res);
	harness_close(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_answer),
		cmocka_unit_test(test_merge_error),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_post_text),
		cmocka_unit_test(test_diagnose_order),
		cmocka_unit_test(test_diagnose_offers),
		cmocka_unit_test(test_anonymous_pull),
		cmocka_unit_test(test_basic_login),
		cmocka_unit_test(test_token_too_long),
		cmocka_unit_test(test_anonymous_evidence),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
