/* facts.c - reading the world through the transport, with a GET cache.
 *
 * Every answer is untrusted: statuses are mapped to error codes with the
 * server's own words (bounded, control characters removed) so a check can
 * say exactly why it could not tell. */
#include "config.h"
#include "facts.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "i18n.h"
#include "jsonu.h"
#include "perm.h"
#include "textw.h"

enum ent_state { ENT_PENDING, ENT_DONE, ENT_FAILED };

/* The dependency graph behind the depth (facts.h).  Nodes:
 *  - DN_REQ, a request: 1 + the deepest of what it read (in);
 *  - DN_JOIN, what a thread had read at one moment: the deepest of in;
 *  - DN_START, when a cached read could have been sent: the shallowest
 *    of its asks (every thread that asked for it, the one that fetched
 *    it or waited or found it cached: whoever asked first in time does
 *    not matter, so neither does the latency);
 *  - DN_ENTRY, a cached answer: the deepest of what its fetch read
 *    (the START) and sent;
 *  - DN_CONST, a credential: the number of requests it took.
 * Nodes live as long as the facts. */
enum dkind { DN_REQ, DN_JOIN, DN_START, DN_ENTRY, DN_CONST };

struct dnode {
	enum dkind kind;
	struct dnode **in;       /* REQ, JOIN */
	size_t nin;
	struct dnode *asks;      /* START: JOIN nodes, through next_ask */
	struct dnode *next_ask;
	struct dnode *start;     /* ENTRY */
	struct dnode *last;      /* ENTRY: what its fetch read and sent */
	unsigned value;          /* CONST */
	unsigned memo;           /* its depth, once dn_compute() ran */
	struct dnode *next_all;
};

struct cache_entry {
	char *key;
	cJSON *json;
	long status;
	enum ent_state state;
	int rc;                  /* ENT_FAILED: the error every reader gets */
	struct ad_error err;
	struct dnode *node;      /* in the dependency graph */
	struct cache_entry *next;
};

#define NAUD (FACTS_AUD_KUBE + 1)

/* Checks run in several threads over one facts: the lists are guarded
 * by mu.  A key being fetched has an ENT_PENDING entry: whoever asks for
 * it meanwhile waits on done for that answer (or error) instead of
 * sending the request again.  Entries are only freed by
 * facts_invalidate() and facts_forget_errors(), which run between jobs,
 * never during one; an entry still pending is never freed. */
struct facts_cache {
	pthread_mutex_t mu;
	pthread_cond_t done;
	struct cache_entry *head;
	/* Registry tokens: never logged, never shown. */
	struct cache_entry *tokens;
	struct facts_stats stats;
	unsigned long id;        /* tells threads' trails of facts apart */
	struct dnode *nodes;     /* every node, under mu */
	int nomem;               /* a node could not be made: depth unknown */
	/* The first credential for each audience: fetched by one thread
	 * while the others wait, so its node is known to all of them. */
	pthread_mutex_t aud_mu[NAUD];
	int aud_known[NAUD];
	struct dnode *aud_node[NAUD];
	/* Node probes are not promised to be thread-safe. */
	pthread_mutex_t probe_mu;
};

/* What the calling thread has read, as graph nodes: a frame per fetch
 * in progress (a fetch reads its entry's START, then what it fetches
 * itself), the outermost one for the thread's own work.  A frame that
 * fills up is folded into one JOIN node. */
#define TRAIL_FRAMES 8
#define FRAME_READS 32

struct frame {
	struct dnode *reads[FRAME_READS];
	size_t n;
};

struct trail {
	unsigned long fid;       /* the facts these nodes belong to */
	int top;
	struct frame fr[TRAIL_FRAMES];
};

static _Thread_local struct trail tl;
static pthread_mutex_t ids_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned long next_id;

/* Under mu: a new node, linked for freeing; NULL when out of memory. */
static struct dnode *dn_new(struct facts_cache *c, enum dkind kind,
			    struct dnode *const *in, size_t nin)
{
	struct dnode *n = calloc(1, sizeof *n);

	if (n && nin) {
		n->in = malloc(nin * sizeof *n->in);
		if (!n->in) {
			free(n);
			n = NULL;
		} else {
			memcpy(n->in, in, nin * sizeof *n->in);
			n->nin = nin;
		}
	}
	if (!n) {
		c->nomem = 1;
		return NULL;
	}
	n->kind = kind;
	n->next_all = c->nodes;
	c->nodes = n;
	return n;
}

static void dn_free_all(struct facts_cache *c)
{
	while (c->nodes) {
		struct dnode *n = c->nodes;

		c->nodes = n->next_all;
		free(n->in);
		free(n);
	}
}

#define DN_INF 0xffffffffu

static unsigned dn_eval(const struct dnode *n)
{
	unsigned v = 0;
	const struct dnode *a;
	size_t i;

	switch (n->kind) {
	case DN_REQ:
	case DN_JOIN:
		for (i = 0; i < n->nin; i++)
			if (n->in[i]->memo > v)
				v = n->in[i]->memo;
		if (n->kind == DN_REQ && v != DN_INF)
			v++;
		return v;
	case DN_START:
		v = n->asks ? DN_INF : 0;
		for (a = n->asks; a; a = a->next_ask)
			if (a->memo < v)
				v = a->memo;
		return v;
	case DN_ENTRY:
		return n->last ? n->last->memo : n->start->memo;
	case DN_CONST:
		return n->value;
	}
	return DN_INF;
}

/* Under mu: the depth of every node, afresh (asks may have come since).
 * A thread that reads an answer again, or reads one through another,
 * makes a cycle; a cycle never gives a shallower depth, so the depths
 * are the least ones some ask supports: start from infinity and lower
 * until nothing changes. */
static void dn_compute(struct facts_cache *c)
{
	struct dnode *n;
	int changed;

	for (n = c->nodes; n; n = n->next_all)
		n->memo = DN_INF;
	do {
		changed = 0;
		for (n = c->nodes; n; n = n->next_all) {
			unsigned v = dn_eval(n);

			if (v < n->memo) {
				n->memo = v;
				changed = 1;
			}
		}
	} while (changed);
}

/* This thread's frame for f (a fresh trail when it last worked for
 * another facts). */
static struct frame *frame_cur(struct facts *f)
{
	if (tl.fid != f->cache->id) {
		memset(&tl, 0, sizeof tl);
		tl.fid = f->cache->id;
	}
	return &tl.fr[tl.top];
}

/* Under mu: the thread read node n. */
static void frame_add(struct facts *f, struct dnode *n)
{
	struct frame *fr = frame_cur(f);

	if (!n)
		return;
	if (fr->n == FRAME_READS) {
		struct dnode *j = dn_new(f->cache, DN_JOIN, fr->reads, fr->n);

		fr->n = 0;
		if (j)
			fr->reads[fr->n++] = j;
	}
	fr->reads[fr->n++] = n;
}

/* Under mu: what the thread has read, as one node. */
static struct dnode *frame_join(struct facts *f)
{
	struct frame *fr = frame_cur(f);

	return dn_new(f->cache, DN_JOIN, fr->reads, fr->n);
}

/* Under mu: the thread asks for entry node en. */
static void ask(struct facts *f, struct dnode *en)
{
	struct dnode *j;

	if (!en || !(j = frame_join(f)))
		return;
	j->next_ask = en->start->asks;
	en->start->asks = j;
}

void *facts_mark(struct facts *f)
{
	struct dnode *j;

	pthread_mutex_lock(&f->cache->mu);
	j = frame_join(f);
	pthread_mutex_unlock(&f->cache->mu);
	return j;
}

void facts_begin(struct facts *f, void *mark)
{
	pthread_mutex_lock(&f->cache->mu);
	memset(&tl, 0, sizeof tl);
	tl.fid = f->cache->id;
	if (mark)
		tl.fr[0].reads[tl.fr[0].n++] = mark;
	pthread_mutex_unlock(&f->cache->mu);
}

void facts_add_mark(struct facts *f, void *mark)
{
	pthread_mutex_lock(&f->cache->mu);
	frame_add(f, mark);
	pthread_mutex_unlock(&f->cache->mu);
}

unsigned facts_depth(struct facts *f)
{
	struct frame *fr;
	unsigned v = 0, d;
	size_t i;

	pthread_mutex_lock(&f->cache->mu);
	fr = frame_cur(f);
	dn_compute(f->cache);
	for (i = 0; i < fr->n; i++)
		if ((d = fr->reads[i]->memo) > v)
			v = d;
	pthread_mutex_unlock(&f->cache->mu);
	return v;
}

struct facts *facts_new(struct http_transport *http, struct node_probe *probe,
			struct ad_context *ctx)
{
	struct facts *f = calloc(1, sizeof *f);
	int i;

	if (!f)
		return NULL;
	f->cache = calloc(1, sizeof *f->cache);
	if (!f->cache) {
		free(f);
		return NULL;
	}
	pthread_mutex_init(&f->cache->mu, NULL);
	pthread_cond_init(&f->cache->done, NULL);
	for (i = 0; i < NAUD; i++)
		pthread_mutex_init(&f->cache->aud_mu[i], NULL);
	pthread_mutex_init(&f->cache->probe_mu, NULL);
	pthread_mutex_lock(&ids_mu);
	f->cache->id = ++next_id;
	pthread_mutex_unlock(&ids_mu);
	f->http = http;
	f->probe = probe;
	f->ctx = ctx;
	return f;
}

static void entry_free(struct cache_entry *e)
{
	cJSON *t = e->json ? cJSON_GetObjectItemCaseSensitive(e->json,
							      "access_token") :
		   NULL;

	/* Registry tokens are wiped, not just freed. */
	if (cJSON_IsString(t) && t->valuestring)
		memset(t->valuestring, 0, strlen(t->valuestring));
	free(e->key);
	cJSON_Delete(e->json);
	free(e);
}

enum prune { PRUNE_FINISHED, PRUNE_FAILED, PRUNE_ALL };

/* Under mu: free the entries of *head that what selects. */
static void cache_prune_unlocked(struct cache_entry **head, enum prune what)
{
	struct cache_entry **pp = head;

	while (*pp) {
		struct cache_entry *e = *pp;

		if ((e->state == ENT_PENDING && what != PRUNE_ALL) ||
		    (what == PRUNE_FAILED && e->state != ENT_FAILED)) {
			pp = &e->next;
			continue;
		}
		*pp = e->next;
		entry_free(e);
	}
}

void facts_invalidate(struct facts *f)
{
	if (!f)
		return;
	pthread_mutex_lock(&f->cache->mu);
	cache_prune_unlocked(&f->cache->head, PRUNE_FINISHED);
	cache_prune_unlocked(&f->cache->tokens, PRUNE_FAILED);
	pthread_mutex_unlock(&f->cache->mu);
}

void facts_forget_errors(struct facts *f)
{
	if (!f)
		return;
	pthread_mutex_lock(&f->cache->mu);
	cache_prune_unlocked(&f->cache->head, PRUNE_FAILED);
	cache_prune_unlocked(&f->cache->tokens, PRUNE_FAILED);
	pthread_mutex_unlock(&f->cache->mu);
}

void facts_free(struct facts *f)
{
	int i;

	if (!f)
		return;
	cache_prune_unlocked(&f->cache->head, PRUNE_ALL);
	cache_prune_unlocked(&f->cache->tokens, PRUNE_ALL);
	pthread_mutex_destroy(&f->cache->mu);
	pthread_cond_destroy(&f->cache->done);
	for (i = 0; i < NAUD; i++)
		pthread_mutex_destroy(&f->cache->aud_mu[i]);
	pthread_mutex_destroy(&f->cache->probe_mu);
	dn_free_all(f->cache);
	free(f->cache);
	free(f);
}

void facts_stats_get(struct facts *f, struct facts_stats *out)
{
	struct dnode *n;
	unsigned d;

	pthread_mutex_lock(&f->cache->mu);
	*out = f->cache->stats;
	out->depth = 0;
	dn_compute(f->cache);
	for (n = f->cache->nodes; n; n = n->next_all)
		if ((n->kind == DN_REQ || n->kind == DN_CONST) &&
		    (d = n->memo) != DN_INF && d > out->depth)
			out->depth = d;
	if (f->cache->nomem)
		out->depth = 0;
	pthread_mutex_unlock(&f->cache->mu);
}

static struct cache_entry *cache_find_unlocked(struct cache_entry *e,
						const char *key)
{
	for (; e; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

/* The answer for key: 1 and *out a finished entry (an answer or an
 * error to share), waiting while another thread fetches it; or 0 and
 * *out a new pending entry this thread must fetch and hand to
 * cache_finish(); or AD_ENOMEM.  The lock is never held while a request
 * is on the wire. */
static int cache_claim(struct facts *f, struct cache_entry **head,
		       const char *key, struct cache_entry **out)
{
	struct facts_cache *c = f->cache;
	struct cache_entry *e;

	*out = NULL;
	pthread_mutex_lock(&c->mu);
	frame_cur(f);
	/* Looked up again after each wake-up: a fetch that was cancelled
	 * leaves no entry, and then this thread asks itself. */
	if ((e = cache_find_unlocked(*head, key)) && e->state == ENT_PENDING)
		c->stats.merged++;
	while ((e = cache_find_unlocked(*head, key)) &&
	       e->state == ENT_PENDING)
		pthread_cond_wait(&c->done, &c->mu);
	if (e) {
		ask(f, e->node);
		frame_add(f, e->node);
		pthread_mutex_unlock(&c->mu);
		*out = e;
		return 1;
	}
	e = calloc(1, sizeof *e);
	if (!e || !(e->key = strdup(key)) || tl.top + 1 >= TRAIL_FRAMES) {
		pthread_mutex_unlock(&c->mu);
		if (e)
			free(e->key);
		free(e);
		return AD_ENOMEM;
	}
	/* The fetch is a frame of its own that starts from the entry's
	 * START, whoever fetches it. */
	if ((e->node = dn_new(c, DN_ENTRY, NULL, 0)) &&
	    !(e->node->start = dn_new(c, DN_START, NULL, 0)))
		e->node = NULL;
	ask(f, e->node);
	tl.top++;
	memset(&tl.fr[tl.top], 0, sizeof tl.fr[tl.top]);
	if (e->node)
		frame_add(f, e->node->start);
	e->state = ENT_PENDING;
	e->next = *head;
	*head = e;
	pthread_mutex_unlock(&c->mu);
	*out = e;
	return 0;
}

/* Publish what the fetch of e gave (takes ownership of json) and wake
 * the threads waiting for it.  A cancelled or out-of-memory fetch is not
 * shared: the entry goes, and a waiter asks itself. */
static void cache_finish(struct facts *f, struct cache_entry **head,
			 struct cache_entry *e, int rc, cJSON *json,
			 long status, const struct ad_error *err)
{
	struct facts_cache *c = f->cache;
	struct frame *fr;

	pthread_mutex_lock(&c->mu);
	fr = frame_cur(f);
	/* The answer needed everything its fetch read and sent. */
	if (e->node)
		e->node->last = dn_new(c, DN_JOIN, fr->reads, fr->n);
	if (tl.top > 0)
		tl.top--;
	if (rc != AD_ECANCEL && rc != AD_ENOMEM)
		frame_add(f, e->node);
	if (rc == AD_ECANCEL || rc == AD_ENOMEM) {
		struct cache_entry **pp = head;

		while (*pp && *pp != e)
			pp = &(*pp)->next;
		if (*pp)
			*pp = e->next;
		cJSON_Delete(json);
		free(e->key);
		free(e);
	} else {
		e->json = json;
		e->status = status;
		e->rc = rc;
		if (rc != 0 && err)
			e->err = *err;
		else if (rc != 0)
			ad_error_set(&e->err, rc, "%s", ad_strerror(rc));
		e->state = rc == 0 ? ENT_DONE : ENT_FAILED;
	}
	pthread_cond_broadcast(&c->done);
	pthread_mutex_unlock(&c->mu);
}

/* What a finished entry says: 0 and its answer, or its error. */
static int entry_answer(const struct cache_entry *e, cJSON **out,
			long *status, struct ad_error *err)
{
	if (status)
		*status = e->status;
	if (e->state == ENT_DONE) {
		*out = e->json;
		return 0;
	}
	*out = NULL;
	if (err)
		*err = e->err;
	return e->rc;
}

/* Copy untrusted text without control characters, bounded. */
static void clean_copy(char *dst, size_t len, const char *src)
{
	tw_clean_copy(dst, len, src);   /* cut on a character boundary */
}

/* The server's own error code and message from ARM, Graph, registry or
 * Kubernetes error bodies. */
static void server_words(const char *body, char *code, size_t clen,
			 char *msg, size_t mlen)
{
	cJSON *j = body ? cJSON_Parse(body) : NULL;
	const char *c = NULL, *m = NULL;

	code[0] = msg[0] = '\0';
	if (j) {
		c = jsonu_str(j, "error.code");
		m = jsonu_str(j, "error.message");
		if (!c) {
			c = jsonu_str(j, "errors.0.code");
			m = jsonu_str(j, "errors.0.message");
		}
		if (!c) {
			c = jsonu_str(j, "reason");
			m = jsonu_str(j, "message");
		}
		if (!c && jsonu_str(j, "error")) {   /* OAuth style */
			c = jsonu_str(j, "error");
			m = jsonu_str(j, "error_description");
		}
	}
	clean_copy(code, clen, c);
	clean_copy(msg, mlen, m);
	cJSON_Delete(j);
}

/* Map a non-2xx answer to an error; what = "GET <what>". */
static int status_error(const struct http_response *r, const char *what,
			struct ad_error *err)
{
	char code[96], msg[200];
	int rc;

	server_words(r->body, code, sizeof code, msg, sizeof msg);
	switch (r->status) {
	case 401:
	case 403: {
		char s[sizeof err->msg];

		rc = AD_EDENIED;
		/* ARM's AuthorizationFailed: the action and the scope are what
		 * the reader needs, so they are never the part that is cut. */
		if (perm_refusal_sentence(s, sizeof s, what, r->status,
					  r->body)) {
			ad_error_set(err, rc, "%s", s);
			break;
		}
		ad_error_set(err, rc, _("%s was refused (HTTP %ld%s%s%s%s)"),
			     what, r->status, code[0] ? ", " : "", code,
			     msg[0] ? ": " : "", msg);
		break;
	}
	case 404:
		rc = AD_ENOTFOUND;
		ad_error_set(err, rc, _("%s: not found (HTTP 404%s%s)"), what,
			     code[0] ? ", " : "", code);
		break;
	case 429: {
		const char *ra = http_response_header(r, "Retry-After");
		char s[16];

		clean_copy(s, sizeof s, ra);
		rc = AD_ETHROTTLE;
		ad_error_set(err, rc,
			_("%s was throttled (HTTP 429); Azure asks to retry after %s s"),
			what, s[0] ? s : "?");
		ad_error_detail(err, "retry-after=%s", s[0] ? s : "?");
		return rc;
	}
	default:
		rc = AD_EHTTP;
		ad_error_set(err, rc, _("%s failed with HTTP %ld%s%s%s%s"), what,
			     r->status, code[0] ? " " : "", code,
			     msg[0] ? ": " : "", msg);
	}
	if (code[0])
		ad_error_detail(err, "%s", code);
	return rc;
}

int facts_authorize(struct facts *f, enum facts_aud aud,
		    struct http_request *req, char *buf, size_t len,
		    struct ad_error *err)
{
	const char *fixed = NULL;

	if (aud == FACTS_AUD_NONE)
		return 0;
	if (f->auth.authorize)
		return f->auth.authorize(f->auth.arg, aud, req, buf, len, err);
	switch (aud) {
	case FACTS_AUD_ARM:   fixed = f->token_arm; break;
	case FACTS_AUD_GRAPH: fixed = f->token_graph; break;
	case FACTS_AUD_KUBE:  fixed = f->token_kube; break;
	case FACTS_AUD_NONE:  break;
	}
	req->bearer = fixed;
	return 0;
}

/* This thread sent a request, tried k times: the first try needed all
 * this thread had read, each retry the try before. */
static void account_sent(struct facts *f, unsigned long k)
{
	struct facts_cache *c = f->cache;
	struct frame *fr;
	struct dnode *r;

	pthread_mutex_lock(&c->mu);
	fr = frame_cur(f);
	for (; k > 0; k--) {
		c->stats.requests++;
		r = dn_new(c, DN_REQ, fr->reads, fr->n);
		frame_add(f, r);
	}
	pthread_mutex_unlock(&c->mu);
}

/* The requests the credential sent to sign for aud (a token from Entra
 * ID, say) count like any other: they need nothing, so a token's depth
 * is the number of requests it took, and a request signed with it comes
 * after them.  The first signing for each audience is done by one
 * thread while others wait, so every thread learns that depth. */
static int authorize_counted(struct facts *f, enum facts_aud aud,
			     struct http_request *req, char *buf, size_t len,
			     struct ad_error *err)
{
	struct facts_cache *c = f->cache;
	unsigned long before;
	unsigned k;
	int rc, first;
	struct dnode *tok;

	if (aud == FACTS_AUD_NONE || !f->auth.authorize ||
	    (unsigned)aud >= NAUD)
		return facts_authorize(f, aud, req, buf, len, err);
	pthread_mutex_lock(&c->aud_mu[aud]);
	first = !c->aud_known[aud];
	if (!first)
		pthread_mutex_unlock(&c->aud_mu[aud]);
	before = http_thread_sent();
	rc = facts_authorize(f, aud, req, buf, len, err);
	k = (unsigned)(http_thread_sent() - before);
	pthread_mutex_lock(&c->mu);
	c->stats.requests += k;
	if (first && rc == 0) {
		c->aud_known[aud] = 1;
		if ((c->aud_node[aud] = dn_new(c, DN_CONST, NULL, 0)))
			c->aud_node[aud]->value = k;
	} else if (k) {
		/* A refresh: it too needs nothing. */
		if ((tok = dn_new(c, DN_CONST, NULL, 0)))
			tok->value = k;
		frame_add(f, tok);
	}
	frame_add(f, c->aud_node[aud]);
	pthread_mutex_unlock(&c->mu);
	if (first)
		pthread_mutex_unlock(&c->aud_mu[aud]);
	return rc;
}

/* 1 when a 401 says the bearer token expired (or is no longer valid)
 * rather than that the caller may not: a new token may be accepted. */
static int token_rejected(const struct http_response *r)
{
	const char *wa = http_response_header(r, "WWW-Authenticate");
	char code[96], msg[200];

	if (r->status != 401)
		return 0;
	server_words(r->body, code, sizeof code, msg, sizeof msg);
	return strcmp(code, "ExpiredAuthenticationToken") == 0 ||
	       strcmp(code, "InvalidAuthenticationToken") == 0 ||
	       (wa && strstr(wa, "error=\"invalid_token\""));
}

/* Send signed for aud; 0 when an answer (any status) arrived.  A token
 * the service says has expired (it may expire early: revoked, clock
 * skew, a long job) is dropped and the request sent once more with a
 * new one.  The request's depth is one more than everything this
 * thread had read. */
static int send_signed(struct facts *f, enum facts_aud aud,
		       struct http_request *req, struct http_response *r,
		       const char *what, struct ad_error *err)
{
	char token[FACTS_TOKEN_MAX];
	int rc, retry, again = aud != FACTS_AUD_NONE && f->auth.expired;

	memset(r, 0, sizeof *r);
	for (;;) {
		token[0] = '\0';
		rc = authorize_counted(f, aud, req, token, sizeof token, err);
		if (rc == 0) {
			unsigned long before = http_thread_sent();

			rc = http_send(f->http, req, r, err);
			account_sent(f, http_thread_sent() - before);
		}
		/* The API server says only 401: a credential from an exec
		 * plugin or a token file may have been renewed (kubectl
		 * tries once more too). */
		retry = rc == 0 && again &&
			(aud == FACTS_AUD_KUBE ? r->status == 401 :
			 token_rejected(r));
		/* Told which token was refused, so that several threads
		 * refused at once renew it once, not once each. */
		if (retry)
			f->auth.expired(f->auth.arg, aud, req->bearer);
		memset(token, 0, sizeof token);
		req->bearer = NULL;
		if (!retry)
			break;
		again = 0;
		http_response_clear(r);
	}
	if (rc != 0 && err) {
		char msg[sizeof err->msg];
		enum ad_net net = err->net;

		snprintf(msg, sizeof msg, "%s", err->msg);
		ad_error_set(err, rc, _("%s: %s"), what, msg);
		ad_error_net(err, net);
	}
	return rc;
}

/* Send, demand 2xx and a JSON body; *out owned by the caller. */
static int fetch_json(struct facts *f, enum facts_aud aud,
		      struct http_request *req, const char *what,
		      long *status, cJSON **out, struct ad_error *err)
{
	struct http_response r;
	int rc;

	*out = NULL;
	rc = send_signed(f, aud, req, &r, what, err);
	if (rc != 0)
		return rc;
	if (status)
		*status = r.status;
	if (r.status < 200 || r.status > 299) {
		rc = status_error(&r, what, err);
		http_response_clear(&r);
		return rc;
	}
	if (r.body_len == 0 && (r.status == 204 || r.status == 202)) {
		*out = cJSON_CreateObject();
	} else {
		*out = jsonu_parse(r.body, r.body_len);
		if (!*out) {
			http_response_clear(&r);
			return ad_error_set(err, AD_EPARSE,
				_("%s: the answer is not valid JSON"), what);
		}
	}
	http_response_clear(&r);
	return 0;
}

/* A URL or a form body that did not fit is an error, never a request to
 * a cut path or with a cut body.  The message names only the length (a
 * body may hold a token). */
enum fit_what { FIT_URL, FIT_FORM };

static int fit_fmt(char *buf, size_t len, struct ad_error *err,
		   enum fit_what what, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static int fit_fmt(char *buf, size_t len, struct ad_error *err,
		   enum fit_what what, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < len)
		return 0;
	return what == FIT_URL ?
	       ad_error_set(err, AD_EINVAL,
			    _("the request address is too long (%d characters)"), n) :
	       ad_error_set(err, AD_EINVAL,
			    _("the token request is too long (%d characters)"), n);
}

#define url_fmt(buf, len, err, ...) \
	fit_fmt(buf, len, err, FIT_URL, __VA_ARGS__)
#define form_fmt(buf, len, err, ...) \
	fit_fmt(buf, len, err, FIT_FORM, __VA_ARGS__)

static int arm_url(const struct facts *f, const char *path,
		   const char *api_version, char *buf, size_t len,
		   struct ad_error *err)
{
	return url_fmt(buf, len, err, "%s%s%capi-version=%s", f->ctx->arm,
		       path, strchr(path, '?') ? '&' : '?', api_version);
}

/* Claim key in the cache: 1 and the answer (or shared error) in rc when
 * it is known; 0 when this thread must fetch it into *e. */
static int claim(struct facts *f, struct cache_entry **head, const char *key,
		 struct cache_entry **e, cJSON **out, long *status,
		 struct ad_error *err, int *rc)
{
	int c = cache_claim(f, head, key, e);

	if (c < 0) {
		*rc = ad_error_set(err, AD_ENOMEM, _("out of memory"));
		return 1;
	}
	if (c == 1) {
		*rc = entry_answer(*e, out, status, err);
		return 1;
	}
	return 0;
}

static int cached_get(struct facts *f, const char *url, enum facts_aud aud,
		      const char *what, cJSON **out, struct ad_error *err)
{
	struct http_request req = { .method = "GET", .url = url,
				    .accept = "application/json" };
	struct cache_entry *e;
	struct ad_error le = { 0 };
	cJSON *j = NULL;
	int rc;

	*out = NULL;
	if (claim(f, &f->cache->head, url, &e, out, NULL, err, &rc))
		return rc;
	rc = fetch_json(f, aud, &req, what, NULL, &j, &le);
	cache_finish(f, &f->cache->head, e, rc, j, 200, &le);
	if (err && rc != 0)
		*err = le;
	if (rc == 0)
		*out = j;
	return rc;
}

static void what_of(char *what, size_t len, const char *method,
		    const char *path)
{
	char p[301];

	snprintf(what, len, "%s %s", method, tw_clip(p, sizeof p, path));
}

int arm_get(struct facts *f, const char *path, const char *api_version,
	    cJSON **out, struct ad_error *err)
{
	char url[2048], what[400];
	int rc;

	if ((rc = arm_url(f, path, api_version, url, sizeof url, err)) != 0)
		return rc;
	what_of(what, sizeof what, "GET", path);
	return cached_get(f, url, FACTS_AUD_ARM, what, out, err);
}

/* A list longer than this is not read to its end: the caller gets an
 * error (the check says unknown), never a cut list it could act on. */
#define ARM_MAX_PAGES 200

/* Every page of the list at url (changed as nextLink is followed). */
static int arm_list_fetch(struct facts *f, char *url, size_t ulen,
			  const char *path, cJSON **out, struct ad_error *err)
{
	char what[400];
	cJSON *all, *arr;
	int pages = 0, rc;

	*out = NULL;
	what_of(what, sizeof what, "GET", path);
	all = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(all, "value");
	if (!all || !arr) {
		cJSON_Delete(all);
		return ad_error_set(err, AD_ENOMEM, _("out of memory"));
	}
	for (;;) {
		struct http_request req = { .method = "GET", .url = url,
					    .accept = "application/json" };
		cJSON *page, *v, *it;
		const char *next;

		rc = fetch_json(f, FACTS_AUD_ARM, &req, what, NULL, &page, err);
		if (rc != 0) {
			cJSON_Delete(all);
			return rc;
		}
		v = cJSON_GetObjectItemCaseSensitive(page, "value");
		if (!cJSON_IsArray(v)) {
			cJSON_Delete(page);
			cJSON_Delete(all);
			return ad_error_set(err, AD_EPARSE,
				_("%s: the answer has no 'value' list"), what);
		}
		while ((it = cJSON_DetachItemFromArray(v, 0)))
			cJSON_AddItemToArray(arr, it);
		next = jsonu_str(page, "nextLink");
		if (!next || !next[0]) {
			cJSON_Delete(page);
			break;
		}
		/* Follow nextLink only on the same ARM endpoint, and not
		 * forever: either way the list is incomplete, so say so. */
		if (strncmp(next, f->ctx->arm, strlen(f->ctx->arm)) != 0 ||
		    ++pages >= ARM_MAX_PAGES || strlen(next) >= ulen) {
			cJSON_Delete(page);
			cJSON_Delete(all);
			return ad_error_set(err, AD_EPARSE,
				_("%s: the list continues past page %d or on another host; it was not read to its end"),
				what, pages + 1);
		}
		snprintf(url, ulen, "%s", next);
		cJSON_Delete(page);
	}
	*out = all;
	return 0;
}

int arm_list(struct facts *f, const char *path, const char *api_version,
	     cJSON **out, struct ad_error *err)
{
	char url[2048], key[2100];
	struct cache_entry *e;
	struct ad_error le = { 0 };
	cJSON *all = NULL;
	int rc;

	*out = NULL;
	if ((rc = arm_url(f, path, api_version, url, sizeof url, err)) != 0)
		return rc;
	snprintf(key, sizeof key, "list:%s", url);
	if (claim(f, &f->cache->head, key, &e, out, NULL, err, &rc))
		return rc;
	rc = arm_list_fetch(f, url, sizeof url, path, &all, &le);
	cache_finish(f, &f->cache->head, e, rc, all, 200, &le);
	if (err && rc != 0)
		*err = le;
	if (rc == 0)
		*out = all;
	return rc;
}

int arm_post(struct facts *f, const char *path, const char *api_version,
	     const char *body, cJSON **out, struct ad_error *err)
{
	char url[2048], key[2100], what[400];
	struct cache_entry *e;
	struct http_request req = { .method = "POST",
				    .accept = "application/json" };
	struct ad_error le = { 0 };
	cJSON *j = NULL;
	int rc;

	*out = NULL;
	if ((rc = arm_url(f, path, api_version, url, sizeof url, err)) != 0)
		return rc;
	/* POSTs we make are reads (listCredentials, appsettings/list). */
	snprintf(key, sizeof key, "post:%s", url);
	if (claim(f, &f->cache->head, key, &e, out, NULL, err, &rc))
		return rc;
	what_of(what, sizeof what, "POST", path);
	req.url = url;
	req.body = body ? body : "";
	req.content_type = "application/json";
	rc = fetch_json(f, FACTS_AUD_ARM, &req, what, NULL, &j, &le);
	cache_finish(f, &f->cache->head, e, rc, j, 200, &le);
	if (err && rc != 0)
		*err = le;
	if (rc == 0)
		*out = j;
	return rc;
}

int arm_post_secret(struct facts *f, const char *path, const char *query,
		    const char *api_version, struct http_response *resp,
		    struct ad_error *err)
{
	char url[2048], what[400];
	struct http_request req = { .method = "POST", .url = url, .body = "",
				    .content_type = "application/json",
				    .accept = "application/json" };
	int rc;

	memset(resp, 0, sizeof *resp);
	if ((rc = url_fmt(url, sizeof url, err, "%s%s?%s%sapi-version=%s",
			  f->ctx->arm, path, query ? query : "",
			  query && query[0] ? "&" : "", api_version)) != 0)
		return rc;
	what_of(what, sizeof what, "POST", path);
	rc = send_signed(f, FACTS_AUD_ARM, &req, resp, what, err);
	if (rc == 0 && (resp->status < 200 || resp->status > 299))
		rc = status_error(resp, what, err);
	if (rc != 0) {
		if (resp->body)
			memset(resp->body, 0, resp->body_len);
		http_response_clear(resp);
	}
	return rc;
}

int arm_post_text(struct facts *f, const char *path, const char *api_version,
		  size_t max, char **text, size_t *len, long *status,
		  struct ad_error *err)
{
	char url[2048], what[400];
	struct http_request req = { .method = "POST", .url = url, .body = "",
				    .content_type = "application/json",
				    .accept = "application/octet-stream, text/plain" };
	struct http_response r;
	size_t from, n;
	int rc;

	*text = NULL;
	*len = 0;
	*status = 0;
	if ((rc = arm_url(f, path, api_version, url, sizeof url, err)) != 0)
		return rc;
	what_of(what, sizeof what, "POST", path);
	if ((rc = send_signed(f, FACTS_AUD_ARM, &req, &r, what, err)) != 0)
		return rc;
	*status = r.status;
	if (r.status < 200 || r.status > 299) {
		rc = status_error(&r, what, err);
		http_response_clear(&r);
		return rc;
	}
	if (r.status == 204 || r.body_len == 0) {
		http_response_clear(&r);
		return 0;
	}
	/* The newest lines are at the end: keep those, from the first
	 * whole line. */
	n = r.body_len > max ? max : r.body_len;
	from = r.body_len - n;
	if (from > 0) {
		const char *nl = memchr(r.body + from, '\n', n);

		if (nl && nl + 1 < r.body + r.body_len) {
			n -= (size_t)(nl + 1 - (r.body + from));
			from = (size_t)(nl + 1 - r.body);
		}
	}
	if (!(*text = malloc(n + 1))) {
		http_response_clear(&r);
		return ad_error_set(err, AD_ENOMEM, _("out of memory"));
	}
	memcpy(*text, r.body + from, n);
	(*text)[n] = '\0';
	*len = n;
	http_response_clear(&r);
	return 0;
}

/* ---------- writes and long-running operations ---------- */

#define LRO_MAX_POLLS 120
#define LRO_MAX_WAIT_S 10

static int lro_sleep(struct facts *f, long seconds)
{
	long ms = seconds * 1000;

	for (; ms > 0; ms -= 50) {
		struct timespec ts = { 0, 50 * 1000000L };

		if (ad_cancelled(f->http->cancel))
			return AD_ECANCEL;
		nanosleep(&ts, NULL);
	}
	return 0;
}

/* The URL to poll, when the answer starts a long-running operation. */
static const char *lro_url(const struct http_response *r, int *async)
{
	const char *u;

	*async = 0;
	/* An update of an existing resource (a cluster) may answer 200 with
	 * the operation to follow: the header decides. */
	if (r->status != 200 && r->status != 201 && r->status != 202)
		return NULL;
	if ((u = http_response_header(r, "Azure-AsyncOperation"))) {
		*async = 1;
		return u;
	}
	if (r->status == 202)
		return http_response_header(r, "Location");
	return NULL;
}

/* Azure accepted the write but how its operation ended cannot be read:
 * the change may still complete.  AD_ETIMEOUT, never a plain failure. */
static int lro_lost(const char *write, const char *why, struct ad_error *err)
{
	char w[sizeof err->msg];

	snprintf(w, sizeof w, "%s", why);
	ad_error_set(err, AD_ETIMEOUT,
		_("Azure accepted %s, but how the operation ended could not be read (%s): the change may still complete"),
		write, w);
	ad_error_detail(err, "operation-unknown");
	return AD_ETIMEOUT;
}

int facts_write(struct facts *f, enum facts_aud aud,
		const struct http_request *req0, struct http_response *resp,
		struct ad_error *err)
{
	struct http_request req = *req0;
	char what[400], wrote[400], poll[2048];
	const char *u;
	long write_status;
	int async, rc, i;

	what_of(what, sizeof what, req.method, req.url);
	facts_invalidate(f);
	rc = send_signed(f, aud, &req, resp, what, err);
	if (rc != 0 || aud != FACTS_AUD_ARM)
		return rc;
	u = lro_url(resp, &async);
	if (!u)
		return 0;
	/* Only follow the operation on the same ARM endpoint. */
	if (strncmp(u, f->ctx->arm, strlen(f->ctx->arm)) != 0 ||
	    strlen(u) >= sizeof poll)
		return 0;
	snprintf(poll, sizeof poll, "%s", u);
	write_status = resp->status;
	snprintf(wrote, sizeof wrote, "%s", what);
	for (i = 0; i < LRO_MAX_POLLS; i++) {
		struct http_request pr = { .method = "GET", .url = poll,
					   .accept = "application/json" };
		const char *ra = http_response_header(resp, "Retry-After");
		long wait = ra ? strtol(ra, NULL, 10) : 1;
		const char *st;
		cJSON *j;

		if (wait < 0 || wait > LRO_MAX_WAIT_S)
			wait = wait < 0 ? 1 : LRO_MAX_WAIT_S;
		if (lro_sleep(f, i == 0 && !ra ? 0 : wait) != 0) {
			ad_error_set(err, AD_ECANCEL,
				_("%s: cancelled while Azure was still working on it; the change may still complete"),
				what);
			return ad_error_net(err, AD_NET_CANCELLED);
		}
		http_response_clear(resp);
		what_of(what, sizeof what, "GET", poll);
		rc = send_signed(f, FACTS_AUD_ARM, &pr, resp, what, err);
		if (rc != 0) {
			enum ad_net net = err ? err->net : AD_NET_NONE;

			lro_lost(wrote, err ? err->msg : "", err);
			ad_error_net(err, net);
			return AD_ETIMEOUT;
		}
		if (resp->status < 200 || resp->status > 299) {
			char code[96], msg[200];

			server_words(resp->body, code, sizeof code, msg,
				     sizeof msg);
			snprintf(what, sizeof what, "HTTP %ld%s%s", resp->status,
				 code[0] ? " " : "", code);
			return lro_lost(wrote, what, err);
		}
		if (!async) {
			/* Location polling: 202 while running. */
			if (resp->status == 202)
				continue;
			resp->status = write_status == 202 ? 200 : write_status;
			return 0;
		}
		j = jsonu_parse(resp->body, resp->body_len);
		st = jsonu_str(j, "status");
		if (st && strcmp(st, "Succeeded") == 0) {
			cJSON_Delete(j);
			resp->status = write_status == 202 ? 200 : write_status;
			return 0;
		}
		if (st && (strcmp(st, "Failed") == 0 ||
			   strcmp(st, "Canceled") == 0)) {
			char code[96], msg[200];

			int failed = strcmp(st, "Failed") == 0;

			server_words(resp->body, code, sizeof code, msg,
				     sizeof msg);
			cJSON_Delete(j);  /* st pointed into j: not used below */
			ad_error_set(err, AD_EHTTP,
				_("Azure reports the operation %s%s%s%s%s"),
				failed ? "Failed" : "Canceled",
				code[0] ? ": " : "", code,
				msg[0] ? ": " : "", msg);
			if (code[0])
				ad_error_detail(err, "%s", code);
			return AD_EHTTP;
		}
		cJSON_Delete(j);
		/* InProgress, Accepted, Running, Updating...: keep polling. */
		if (!http_response_header(resp, "Retry-After"))
			http_response_add_header(resp, "Retry-After", "1");
	}
	ad_error_set(err, AD_ETIMEOUT,
		_("%s: Azure was still working on it after %d checks; look again later"),
		what, LRO_MAX_POLLS);
	return ad_error_net(err, AD_NET_TIMEOUT);
}

int arm_write(struct facts *f, const char *method, const char *path,
	      const char *api_version, const char *body, long *status,
	      cJSON **out, struct ad_error *err)
{
	char url[2048], what[400];
	struct http_request req = { .method = method, .body = body,
				    .content_type = "application/json",
				    .accept = "application/json" };
	struct http_response r;
	int rc;

	if (out)
		*out = NULL;
	if ((rc = arm_url(f, path, api_version, url, sizeof url, err)) != 0)
		return rc;
	what_of(what, sizeof what, method, path);
	req.url = url;
	rc = facts_write(f, FACTS_AUD_ARM, &req, &r, err);
	if (rc != 0) {
		http_response_clear(&r);
		return rc;
	}
	if (status)
		*status = r.status;
	if (r.status < 200 || r.status > 299) {
		rc = status_error(&r, what, err);
		http_response_clear(&r);
		return rc;
	}
	if (out && r.body_len)
		*out = jsonu_parse(r.body, r.body_len);
	http_response_clear(&r);
	return 0;
}

int graph_get(struct facts *f, const char *path, cJSON **out,
	      struct ad_error *err)
{
	char url[2048], what[400];
	int rc;

	if ((rc = url_fmt(url, sizeof url, err, "%s%s", f->ctx->graph,
			  path)) != 0)
		return rc;
	what_of(what, sizeof what, "GET", path);
	return cached_get(f, url, FACTS_AUD_GRAPH, what, out, err);
}

int kube_get(struct facts *f, const char *path, cJSON **out,
	     struct ad_error *err)
{
	char url[2048], what[400];
	int rc;

	if (!f->ctx->kube_server[0])
		return ad_error_set(err, AD_EUNSUPP,
			_("the cluster's API server address is not known"));
	if ((rc = url_fmt(url, sizeof url, err, "%s%s", f->ctx->kube_server,
			  path)) != 0)
		return rc;
	what_of(what, sizeof what, "GET", path);
	return cached_get(f, url, FACTS_AUD_KUBE, what, out, err);
}

int kube_post(struct facts *f, const char *path, const char *body,
	      char **answer, size_t *len, struct ad_error *err)
{
	char url[2048], what[400];
	struct http_request req = { .method = "POST", .url = url,
				    .body = body,
				    .content_type = "application/json",
				    .accept = "application/json" };
	struct http_response r;
	int rc;

	*answer = NULL;
	*len = 0;
	if (!f->ctx->kube_server[0])
		return ad_error_set(err, AD_EUNSUPP,
			_("the cluster's API server address is not known"));
	if ((rc = url_fmt(url, sizeof url, err, "%s%s", f->ctx->kube_server,
			  path)) != 0)
		return rc;
	what_of(what, sizeof what, "POST", path);
	rc = send_signed(f, FACTS_AUD_KUBE, &req, &r, what, err);
	if (rc != 0)
		return rc;
	if (r.status < 200 || r.status > 299) {
		rc = status_error(&r, what, err);
		http_response_clear(&r);
		return rc;
	}
	*answer = malloc(r.body_len + 1);
	if (!*answer) {
		http_response_clear(&r);
		return ad_error_set(err, AD_ENOMEM, _("out of memory"));
	}
	if (r.body_len)
		memcpy(*answer, r.body, r.body_len);
	(*answer)[r.body_len] = '\0';
	*len = r.body_len;
	http_response_clear(&r);
	return 0;
}

/* ---------- registry data plane ---------- */

#define ACCEPT_MANIFESTS \
	"application/vnd.oci.image.index.v1+json, " \
	"application/vnd.docker.distribution.manifest.list.v2+json, " \
	"application/vnd.oci.image.manifest.v1+json, " \
	"application/vnd.docker.distribution.manifest.v2+json"

/* Bounded form value: registry names and repositories only. */
static int form_safe(const char *s)
{
	for (; s && *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("._-/:", *s)))
			return 0;
	return s != NULL;
}

/* The Bearer challenge of a registry: realm and service, bounded; 0 when
 * it is one. */
static int parse_challenge(const char *h, char *realm, size_t rlen,
			   char *service, size_t slen)
{
	const char *p;

	realm[0] = service[0] = '\0';
	if (!h || strncasecmp(h, "Bearer ", 7) != 0)
		return -1;
	for (p = h + 7; *p;) {
		const char *k = p, *v;
		size_t kl, vl;
		char *dst = NULL;
		size_t dlen = 0;

		while (*p && *p != '=')
			p++;
		if (*p != '=')
			break;
		kl = (size_t)(p - k);
		p++;
		if (*p == '"') {
			v = ++p;
			while (*p && *p != '"')
				p++;
			vl = (size_t)(p - v);
			if (*p)
				p++;
		} else {
			v = p;
			while (*p && *p != ',')
				p++;
			vl = (size_t)(p - v);
		}
		if (kl == 5 && strncasecmp(k, "realm", 5) == 0)
			dst = realm, dlen = rlen;
		else if (kl == 7 && strncasecmp(k, "service", 7) == 0)
			dst = service, dlen = slen;
		if (dst && vl < dlen) {
			memcpy(dst, v, vl);
			dst[vl] = '\0';
		}
		while (*p == ',' || *p == ' ')
			p++;
	}
	return realm[0] ? 0 : -1;
}

/* The realm must be https on the login server itself: the Entra token
 * is only ever given to the registry it is for. */
static int realm_on_login(const char *realm, const char *login)
{
	size_t n = strlen(login);

	return strncmp(realm, "https://", 8) == 0 &&
	       strncasecmp(realm + 8, login, n) == 0 && realm[8 + n] == '/' &&
	       form_safe(realm + 8);
}

/* What a registry's /v2/ said, kept: its status, a bounded body and the
 * headers the callers read. */
#define V2_BODY_MAX 8192

static int v2_fetch(struct facts *f, const char *login, cJSON **out,
		    struct ad_error *err)
{
	static const char *const keep[] = { "WWW-Authenticate", "Retry-After" };
	char url[512];
	struct http_request req = { .method = "GET", .url = url,
				    .accept = "application/json" };
	struct http_response r;
	unsigned long before;
	cJSON *j, *h;
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = url_fmt(url, sizeof url, err, "https://%s/v2/", login)) != 0)
		return rc;
	before = http_thread_sent();
	rc = http_send(f->http, &req, &r, err);
	account_sent(f, http_thread_sent() - before);
	if (rc != 0)
		return rc;
	if (r.body_len > V2_BODY_MAX)
		r.body[V2_BODY_MAX] = '\0';
	j = cJSON_CreateObject();
	h = j ? cJSON_AddObjectToObject(j, "headers") : NULL;
	if (!h || !cJSON_AddNumberToObject(j, "status", (double)r.status) ||
	    !cJSON_AddStringToObject(j, "body", r.body ? r.body : "")) {
		cJSON_Delete(j);
		http_response_clear(&r);
		return ad_error_set(err, AD_ENOMEM, _("out of memory"));
	}
	for (i = 0; i < sizeof keep / sizeof keep[0]; i++) {
		const char *v = http_response_header(&r, keep[i]);

		if (v && !cJSON_AddStringToObject(h, keep[i], v)) {
			cJSON_Delete(j);
			http_response_clear(&r);
			return ad_error_set(err, AD_ENOMEM, _("out of memory"));
		}
	}
	http_response_clear(&r);
	*out = j;
	return 0;
}

int reg_v2(struct facts *f, const char *login_server,
	   struct http_response *resp, struct ad_error *err)
{
	char key[300];
	struct cache_entry *e;
	struct ad_error le = { 0 };
	const cJSON *h;
	cJSON *j = NULL;
	int rc;

	memset(resp, 0, sizeof *resp);
	if (!form_safe(login_server) || strlen(login_server) > 253)
		return ad_error_set(err, AD_EINVAL,
			_("login server name has unexpected characters"));
	snprintf(key, sizeof key, "v2:%s", login_server);
	if (!claim(f, &f->cache->head, key, &e, &j, NULL, err, &rc)) {
		rc = v2_fetch(f, login_server, &j, &le);
		cache_finish(f, &f->cache->head, e, rc, j, 0, &le);
		if (err && rc != 0)
			*err = le;
	}
	if (rc != 0)
		return rc;
	resp->status = (long)cJSON_GetNumberValue(
		cJSON_GetObjectItemCaseSensitive(j, "status"));
	resp->body = strdup(jsonu_str(j, "body") ? jsonu_str(j, "body") : "");
	if (!resp->body)
		return ad_error_set(err, AD_ENOMEM, _("out of memory"));
	resp->body_len = strlen(resp->body);
	cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(j, "headers"))
		if (cJSON_IsString(h) &&
		    http_response_add_header(resp, h->string,
					     h->valuestring) != 0) {
			http_response_clear(resp);
			return ad_error_set(err, AD_ENOMEM, _("out of memory"));
		}
	return 0;
}

/* reg_v2 for a caller that reports the failure itself: a transport error
 * names the request it was ("GET https://<login>/v2/: ...") and keeps its
 * kind (err->net). */
static int reg_v2_named(struct facts *f, const char *login_server,
			struct http_response *resp, struct ad_error *err)
{
	int rc = reg_v2(f, login_server, resp, err);

	if (rc != 0 && err && rc != AD_EINVAL) {
		char msg[sizeof err->msg];
		enum ad_net net = err->net;

		snprintf(msg, sizeof msg, "%s", err->msg);
		ad_error_set(err, rc, _("GET https://%s/v2/: %s"),
			     login_server, msg);
		ad_error_net(err, net);
	}
	return rc;
}

/* The anonymous token attempt kubelet makes before any credential:
 * GET <realm>?service=S&scope=repository:REPO:pull with no credential at
 * all.  1 and *out {"access_token", "anonymous": true} when the registry
 * hands out a pull token to anyone; 0 when it does not (any other answer:
 * the caller goes on with the exchange); < 0 only when cancelled or out
 * of memory. */
static int reg_token_anonymous(struct facts *f, const char *realm,
			       const char *service, const char *repo,
			       cJSON **out, struct ad_error *err)
{
	char url[1024], what[1100];
	struct http_request req = { .method = "GET", .url = url,
				    .accept = "application/json",
				    .auth_label = "none (anonymous)" };
	struct ad_error le = { 0 };
	const char *tok;
	cJSON *j = NULL, *r;
	long status = 0;
	int rc;

	*out = NULL;
	if (url_fmt(url, sizeof url, NULL, "%s%cservice=%s&scope=repository:%s:pull",
		    realm, strchr(realm, '?') ? '&' : '?', service, repo) != 0)
		return 0;
	snprintf(what, sizeof what, "GET %s", url);
	rc = fetch_json(f, FACTS_AUD_NONE, &req, what, &status, &j, &le);
	if (rc == AD_ECANCEL || rc == AD_ENOMEM) {
		if (err)
			*err = le;
		return rc;
	}
	if (rc != 0 || status != 200)
		goto no;
	/* The distribution spec says "token"; ACR and others also send
	 * "access_token". */
	tok = jsonu_str(j, "access_token");
	if (!tok)
		tok = jsonu_str(j, "token");
	if (!tok || !tok[0] || strlen(tok) >= FACTS_TOKEN_MAX)
		goto no;
	r = cJSON_CreateObject();
	if (!r || !cJSON_AddStringToObject(r, "access_token", tok) ||
	    !cJSON_AddTrueToObject(r, "anonymous")) {
		cJSON_Delete(r);
		cJSON_Delete(j);
		return ad_error_set(err, AD_ENOMEM, _("out of memory"));
	}
	cJSON_Delete(j);
	*out = r;
	return 1;
no:
	cJSON_Delete(j);
	return 0;
}

/* The token dance for repo: *out {"access_token"}, or NULL when the
 * registry needs none.  ACR's Entra flow: the /v2/ challenge names the
 * realm; POST /oauth2/exchange trades the ARM token for a refresh token,
 * POST <realm> that for a repository-scoped access token. */
static int reg_token_fetch(struct facts *f, const char *login,
			   const char *repo, cJSON **out,
			   struct ad_error *err)
{
	char url[1024], what[600], realm[512], service[256];
	struct http_request req = { .method = "GET", .url = url };
	struct http_response r;
	cJSON *j;
	const char *rt, *at;
	long status;
	int rc;

	*out = NULL;
	if ((rc = url_fmt(what, sizeof what, err, "GET https://%s/v2/",
			  login)) != 0)
		return rc;
	rc = reg_v2(f, login, &r, err);
	if (rc != 0) {
		if (err) {
			char msg[sizeof err->msg];
			enum ad_net net = err->net;

			snprintf(msg, sizeof msg, "%s", err->msg);
			ad_error_set(err, rc, _("%s: %s"), what, msg);
			ad_error_net(err, net);
		}
		return rc;
	}
	status = r.status;
	if (status == 200) {
		http_response_clear(&r);
		return 0;
	}
	if (status != 401 ||
	    parse_challenge(http_response_header(&r, "WWW-Authenticate"),
			    realm, sizeof realm, service, sizeof service) != 0) {
		rc = status_error(&r, what, err);
		http_response_clear(&r);
		return rc;
	}
	http_response_clear(&r);
	if (!realm_on_login(realm, login))
		return ad_error_set(err, AD_EUNSUPP,
			_("the registry %s sends token requests to %.200s, not to itself: not an Azure Container Registry token service"),
			login, realm);
	if (!service[0] || !form_safe(service))
		snprintf(service, sizeof service, "%s", login);

	/* As kubelet does: a registry that allows anonymous pull gives a
	 * token without any credential, and no Entra token is sent. */
	rc = reg_token_anonymous(f, realm, service, repo, out, err);
	if (rc < 0)
		return rc;
	if (rc == 1)
		return 0;

	for (int tries = 0;; tries++) {
		char *tok = malloc(FACTS_TOKEN_MAX), *body;
		long xs = 0;
		size_t n;

		if (!tok)
			return ad_error_set(err, AD_ENOMEM, _("out of memory"));
		tok[0] = '\0';
		rc = authorize_counted(f, FACTS_AUD_ARM, &req, tok,
				       FACTS_TOKEN_MAX, err);
		/* A cut token would only be refused: say so instead. */
		if (rc == 0 && !tok[0] && req.bearer &&
		    snprintf(tok, FACTS_TOKEN_MAX, "%s", req.bearer) >=
		    FACTS_TOKEN_MAX)
			rc = ad_error_set(err, AD_EINVAL,
				_("the Azure token is too long (more than %d characters)"),
				FACTS_TOKEN_MAX - 1);
		req.bearer = NULL;
		n = strlen(tok) + strlen(service) + 128;
		body = NULL;
		if (rc == 0 && !(body = malloc(n)))
			rc = ad_error_set(err, AD_ENOMEM, _("out of memory"));
		if (rc == 0)
			rc = form_fmt(body, n, err,
				      "grant_type=access_token&service=%s&access_token=%s",
				      service, tok);
		if (rc == 0)
			rc = url_fmt(url, sizeof url, err,
				     "https://%s/oauth2/exchange", login);
		if (rc == 0)
			rc = url_fmt(what, sizeof what, err,
				     "POST https://%s/oauth2/exchange", login);
		if (rc == 0) {
			req.method = "POST";
			req.body = body;
			req.content_type = "application/x-www-form-urlencoded";
			req.auth_label = "registry exchange";
			rc = fetch_json(f, FACTS_AUD_NONE, &req, what, &xs, &j, err);
		}
		if (body) {
			memset(body, 0, n);
			free(body);
		}
		memset(tok, 0, FACTS_TOKEN_MAX);
		free(tok);
		/* The registry found the Entra token expired: once more
		 * with a new one. */
		if (rc == AD_EDENIED && xs == 401 && tries == 0 &&
		    f->auth.expired) {
			f->auth.expired(f->auth.arg, FACTS_AUD_ARM, NULL);
			continue;
		}
		break;
	}
	if (rc != 0)
		return rc;
	rt = jsonu_str(j, "refresh_token");
	if (!rt || strlen(rt) > 8192) {
		cJSON_Delete(j);
		return ad_error_set(err, AD_EPARSE,
			_("%s: the answer has no refresh_token"), what);
	}
	{
		size_t n = strlen(service) + strlen(repo) + strlen(rt) + 128;
		char *tb = malloc(n);

		if (!tb) {
			cJSON_Delete(j);
			return ad_error_set(err, AD_ENOMEM, _("out of memory"));
		}
		rc = form_fmt(tb, n, err,
			      "grant_type=refresh_token&service=%s&scope=repository:%s:pull&refresh_token=%s",
			      service, repo, rt);
		cJSON_Delete(j);
		j = NULL;
		if (rc == 0)
			rc = url_fmt(url, sizeof url, err, "%s", realm);
		if (rc == 0)
			rc = url_fmt(what, sizeof what, err, "POST %s", realm);
		if (rc == 0) {
			req.body = tb;
			req.auth_label = "registry refresh token";
			rc = fetch_json(f, FACTS_AUD_NONE, &req, what, NULL, &j,
					err);
		}
		memset(tb, 0, n);
		free(tb);
	}
	if (rc != 0)
		return rc;
	at = jsonu_str(j, "access_token");
	if (!at) {
		cJSON_Delete(j);
		return ad_error_set(err, AD_EPARSE,
			_("%s: the answer has no access_token"), what);
	}
	*out = j;
	return 0;
}

/* An access token for repo (pull), or NULL when the registry needs none;
 * owned by the cache.  Threads asking for the same one share one token
 * dance. */
static int reg_token(struct facts *f, const char *login, const char *repo,
		     const char **token, int *anonymous, struct ad_error *err)
{
	char key[1024];
	struct cache_entry *e;
	struct ad_error le = { 0 };
	cJSON *j = NULL;
	int rc;

	*token = NULL;
	if (anonymous)
		*anonymous = 0;
	if (!form_safe(login) || !form_safe(repo))
		return ad_error_set(err, AD_EINVAL,
			_("registry or repository name has unexpected characters"));
	if (snprintf(key, sizeof key, "%s|%s", login, repo) >= (int)sizeof key)
		return ad_error_set(err, AD_EINVAL,
			_("the request address is too long (%d characters)"),
			(int)(strlen(login) + strlen(repo) + 1));
	if (!claim(f, &f->cache->tokens, key, &e, &j, NULL, err, &rc)) {
		rc = reg_token_fetch(f, login, repo, &j, &le);
		cache_finish(f, &f->cache->tokens, e, rc, j, 200, &le);
		if (err && rc != 0)
			*err = le;
	}
	if (rc == 0 && j) {
		*token = jsonu_str(j, "access_token");
		if (anonymous)
			*anonymous = cJSON_IsTrue(
				cJSON_GetObjectItemCaseSensitive(j, "anonymous"));
	}
	return rc;
}

int reg_pull_anonymous(struct facts *f, const char *login_server,
		       const char *repo, int *anonymous,
		       struct ad_error *err)
{
	const char *token;

	return reg_token(f, login_server, repo, &token, anonymous, err);
}

/* A username or password that can go into HTTP basic: printable, no
 * line breaks, bounded (the user without ':', which would split it). */
static int basic_safe(const char *s, size_t max, int user)
{
	size_t n = 0;

	if (!s)
		return 0;
	for (; s[n]; n++)
		if ((unsigned char)s[n] < 0x20 || s[n] == 0x7f ||
		    (user && s[n] == ':') || n >= max)
			return 0;
	return n > 0;
}

/* Wipe what an answer held (it may be a token) and clear it. */
static void response_wipe(struct http_response *r)
{
	if (r->body)
		memset(r->body, 0, r->body_len);
	http_response_clear(r);
}

int reg_basic_login(struct facts *f, const char *login_server,
		    const char *repo, enum reg_cred_from from,
		    const char *user, const char *password,
		    struct reg_login *out, struct ad_error *err)
{
	char url[1024], what[400], realm[512], service[256], code[96], msg[200];
	struct http_request req = { .method = "GET", .url = url,
				    .accept = "application/json",
				    .auth_label = "pull secret" };
	struct http_response r;
	const char *wa;
	int rc, basic, app = from == REG_CRED_APP_SETTINGS;

	memset(out, 0, sizeof *out);
	if (app)
		req.auth_label = "app settings";
	if (!form_safe(login_server) || strlen(login_server) > 253 ||
	    (repo && (!repo[0] || !form_safe(repo) || strlen(repo) > 255)))
		return ad_error_set(err, AD_EINVAL,
			_("registry or repository name has unexpected characters"));
	if (!basic_safe(user, 255, 1) || !basic_safe(password, 1023, 0))
		return ad_error_set(err, AD_EINVAL, app ?
			_("the app settings' registry username or password cannot be sent (empty, too long or with control characters)") :
			_("the pull secret's username or password cannot be sent (empty, too long or with control characters)"));
	snprintf(what, sizeof what, "GET https://%s/v2/", login_server);
	if ((rc = reg_v2_named(f, login_server, &r, err)) != 0)
		return rc;
	if (r.status >= 200 && r.status <= 299) {
		/* Nothing to log in to: any credential pulls. */
		http_response_clear(&r);
		out->status = 200;
		out->accepted = out->open = 1;
		snprintf(out->endpoint, sizeof out->endpoint,
			 "https://%s/v2/", login_server);
		return 0;
	}
	wa = http_response_header(&r, "WWW-Authenticate");
	basic = r.status == 401 && wa && strncasecmp(wa, "Basic", 5) == 0 &&
		(wa[5] == '\0' || wa[5] == ' ');
	if (r.status != 401 ||
	    (!basic && parse_challenge(wa, realm, sizeof realm, service,
				       sizeof service) != 0)) {
		out->status = r.status;
		rc = status_error(&r, what, err);
		http_response_clear(&r);
		return rc;
	}
	http_response_clear(&r);
	if (basic) {
		rc = url_fmt(url, sizeof url, err, "https://%s/v2/", login_server);
	} else {
		/* The password goes to the login server the secret names,
		 * never to a realm elsewhere. */
		if (!realm_on_login(realm, login_server))
			return ad_error_set(err, AD_EUNSUPP, app ?
				_("the registry %s sends token requests to %.200s, not to itself: the app settings' registry password is not sent there") :
				_("the registry %s sends token requests to %.200s, not to itself: the pull secret's password is not sent there"),
				login_server, realm);
		if (!service[0] || !form_safe(service))
			snprintf(service, sizeof service, "%s", login_server);
		if (repo)
			rc = url_fmt(url, sizeof url, err,
				     "%s%cservice=%s&scope=repository:%s:pull",
				     realm, strchr(realm, '?') ? '&' : '?',
				     service, repo);
		else
			rc = url_fmt(url, sizeof url, err, "%s%cservice=%s",
				     realm, strchr(realm, '?') ? '&' : '?',
				     service);
	}
	if (rc != 0)
		return rc;
	snprintf(out->endpoint, sizeof out->endpoint, "%.*s",
		 (int)strcspn(url, "?"), url);
	snprintf(what, sizeof what, "GET %s", out->endpoint);
	req.basic_user = user;
	req.basic_pass = password;
	rc = send_signed(f, FACTS_AUD_NONE, &req, &r, what, err);
	req.basic_pass = NULL;
	if (rc != 0)
		return rc;
	out->status = r.status;
	if (r.status == 401 || r.status == 403) {
		server_words(r.body, code, sizeof code, msg, sizeof msg);
		snprintf(out->code, sizeof out->code, "%s", code);
		response_wipe(&r);
		return 0;
	}
	if (r.status < 200 || r.status > 299) {
		rc = status_error(&r, what, err);
		response_wipe(&r);
		return rc;
	}
	if (!basic) {
		/* A token endpoint says yes with a token. */
		cJSON *j = jsonu_parse(r.body, r.body_len);
		const char *tok = jsonu_str(j, "access_token");

		if (!tok)
			tok = jsonu_str(j, "token");
		rc = tok && tok[0] ? 0 :
		     ad_error_set(err, AD_EPARSE,
				  _("%s: the answer has no access_token"), what);
		if (tok)
			memset((char *)tok, 0, strlen(tok));
		cJSON_Delete(j);
		if (rc != 0) {
			response_wipe(&r);
			return rc;
		}
	}
	response_wipe(&r);
	out->accepted = 1;
	return 0;
}

int reg_ping(struct facts *f, const char *login_server, long *status,
	     struct ad_error *err)
{
	struct http_response r;
	int rc;

	*status = 0;
	if ((rc = reg_v2_named(f, login_server, &r, err)) != 0)
		return rc;
	*status = r.status;
	http_response_clear(&r);
	return 0;
}

/* GET a registry path with the pull token; 404 is not an error here: the
 * status tells the caller, *out stays NULL. */
static int reg_get(struct facts *f, const char *login, const char *repo,
		   const char *kind, const char *ref, const char *accept,
		   long *status, cJSON **out, struct ad_error *err)
{
	char url[1536], what[1600];
	struct cache_entry *e;
	struct ad_error le = { 0 };
	const char *token;
	cJSON *j = NULL;
	int rc;

	*out = NULL;
	*status = 0;
	if (!form_safe(ref))
		return ad_error_set(err, AD_EINVAL,
			_("reference has unexpected characters"));
	if ((rc = url_fmt(url, sizeof url, err, "https://%s/v2/%s/%s%s%s",
			  login, repo, kind, ref[0] ? "/" : "", ref)) != 0)
		return rc;
	if (claim(f, &f->cache->head, url, &e, out, status, err, &rc))
		return rc;
	rc = reg_token(f, login, repo, &token, NULL, &le);
	if (rc == 0) {
		struct http_request req = { .method = "GET", .url = url,
					    .bearer = token, .accept = accept,
					    .auth_label = "registry token" };

		snprintf(what, sizeof what, "GET %s", url);
		rc = fetch_json(f, FACTS_AUD_NONE, &req, what, status, &j,
				&le);
	}
	/* A manifest unknown is an answer, shared and kept like one. */
	if (rc == AD_ENOTFOUND) {
		*status = 404;
		rc = 0;
	} else if (rc == 0) {
		*status = 200;
	}
	cache_finish(f, &f->cache->head, e, rc, j, *status, &le);
	if (err && rc != 0)
		*err = le;
	if (rc == 0)
		*out = j;
	return rc;
}

int reg_manifest(struct facts *f, const char *login_server, const char *repo,
		 const char *ref, long *status, cJSON **out,
		 struct ad_error *err)
{
	return reg_get(f, login_server, repo, "manifests", ref,
		       ACCEPT_MANIFESTS, status, out, err);
}

int reg_tags(struct facts *f, const char *login_server, const char *repo,
	     long *status, cJSON **out, struct ad_error *err)
{
	return reg_get(f, login_server, repo, "tags/list", "",
		       "application/json", status, out, err);
}

int reg_blob_json(struct facts *f, const char *login_server, const char *repo,
		  const char *digest, long *status, cJSON **out,
		  struct ad_error *err)
{
	return reg_get(f, login_server, repo, "blobs", digest,
		       "application/json", status, out, err);
}

/* ---------- node probe and ids ---------- */

int facts_resolve(struct facts *f, const char *name, struct probe_dns *out,
		  struct ad_error *err)
{
	int rc;

	pthread_mutex_lock(&f->cache->probe_mu);
	rc = probe_resolve(f->probe, name, out, err);
	pthread_mutex_unlock(&f->cache->probe_mu);
	return rc;
}

int facts_tcp(struct facts *f, const char *host, int port,
	      enum probe_tcp *out, struct ad_error *err)
{
	int rc;

	pthread_mutex_lock(&f->cache->probe_mu);
	rc = probe_tcp(f->probe, host, port, 5000, out, err);
	pthread_mutex_unlock(&f->cache->probe_mu);
	return rc;
}

void facts_cluster_id(const struct facts *f, char *buf, size_t len)
{
	snprintf(buf, len,
		 "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.ContainerService/managedClusters/%s",
		 f->ctx->subscription, f->ctx->resource_group, f->ctx->cluster);
}

void facts_webapp_id(const struct facts *f, char *buf, size_t len)
{
	snprintf(buf, len,
		 "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Web/sites/%s",
		 f->ctx->subscription, f->ctx->resource_group, f->ctx->webapp);
}

void facts_registry_id(const struct facts *f, char *buf, size_t len)
{
	snprintf(buf, len,
		 "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.ContainerRegistry/registries/%s",
		 f->ctx->subscription,
		 f->ctx->registry_group[0] ? f->ctx->registry_group :
		 f->ctx->resource_group, f->ctx->registry);
}
