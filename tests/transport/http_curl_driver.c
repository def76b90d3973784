/* The live transport against faultserver.py (started by
 * test_http_curl.sh, which exports MAIN_PORT, OTHER_PORT, MTLS_PORT,
 * PROXY_PORT and TR_DIR with the test CAs and the client certificate). */
#include "config.h"

#include <errno.h>
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
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "err.h"
#include "http.h"
#include "http_curl.h"

static const char *env(const char *name)
{
	const char *v = getenv(name);

	assert_non_null(v);
	return v;
}

/* https://127.0.0.1:<port of listener>/<path> in a static buffer */
static const char *url(const char *listener, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static const char *url(const char *listener, const char *fmt, ...)
{
	static _Thread_local char buf[4][1024];
	static _Thread_local int i;
	char path[900];
	va_list ap;
	char var[32];

	va_start(ap, fmt);
	vsnprintf(path, sizeof path, fmt, ap);
	va_end(ap);
	snprintf(var, sizeof var, "%s_PORT", listener);
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof buf[i], "https://127.0.0.1:%s%s", env(var),
		 path);
	return buf[i];
}

static char *pem_path(const char *name)
{
	static _Thread_local char p[4][512];
	static _Thread_local int i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof p[i], "%s/%s", env("TR_DIR"), name);
	return p[i];
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Retries seen through on_retry. */
struct retries {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int n;
	long status[16];
	int attempt[16];
	int delay[16];
};

static void on_retry(void *arg, const char *method, const char *u,
		     long status, int attempt, int delay_ms)
{
	struct retries *r = arg;

	(void)method;
	(void)u;
	pthread_mutex_lock(&r->lock);
	if (r->n < 16) {
		r->status[r->n] = status;
		r->attempt[r->n] = attempt;
		r->delay[r->n] = delay_ms;
	}
	r->n++;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
}

static void retries_init(struct retries *r)
{
	memset(r, 0, sizeof *r);
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cond, NULL);
}

/* Test options: CA 1, short back-off, a fixed seed. */
static void opts(struct http_curl_opts *o, struct retries *r)
{
	http_curl_opts_init(o);
	o->ca_file = pem_path("ca1.pem");
	o->connect_timeout_ms = 3000;
	o->timeout_ms = 5000;
	o->retry_base_ms = 20;
	o->max_retry_wait_ms = 5000;
	o->seed = 42;
	if (r) {
		retries_init(r);
		o->on_retry = on_retry;
		o->on_retry_arg = r;
	}
}

static struct http_transport *mk(const struct http_curl_opts *o)
{
	struct ad_error err = { 0 };
	struct http_transport *t = http_curl_new(o, &err);

	if (!t)
		fail_msg("http_curl_new: %s", err.msg);
	return t;
}

static int get(struct http_transport *t, const char *method, const char *u,
	       struct http_response *resp, struct ad_error *err)
{
	struct http_request req = { 0 };

	req.method = method;
	req.url = u;
	ad_error_clear(err);
	return http_send(t, &req, resp, err);
}

/* Requests KEY reached the server. */
static int server_count(const char *key)
{
	struct http_curl_opts o;
	struct http_transport *t;
	struct http_response resp;
	struct ad_error err;
	int n = -1;
	const char *p;

	opts(&o, NULL);
	t = mk(&o);
	assert_int_equal(get(t, "GET", url("MAIN", "/count/%s", key), &resp,
			     &err), 0);
	p = strstr(resp.body, "\"count\": ");
	assert_non_null(p);
	n = atoi(p + 9);
	http_response_clear(&resp);
	http_transport_free(t);
	return n;
}

/* Counts start from zero, whichever run the server saw before. */
static int clear_counts(void **state)
{
	struct http_curl_opts o;
	struct http_transport *t;
	struct http_response resp;
	struct ad_error err;
	int rc;

	(void)state;
	opts(&o, NULL);
	t = mk(&o);
	rc = get(t, "POST", url("MAIN", "/clear"), &resp, &err);
	if (rc == 0 && resp.status != 200)
		rc = -1;
	http_response_clear(&resp);
	http_transport_free(t);
	return rc;
}

/* ---------- basics ---------- */

static void test_get_headers(void **state)
{
	struct http_curl_opts o;
	struct http_transport *t;
	struct http_request req = { 0 };
	struct http_response resp;
	struct ad_error err = { 0 };

	(void)state;
	opts(&o, NULL);
	t = mk(&o);
	req.method = "GET";
	req.url = url("MAIN", "/echo?x=1");
	req.accept = "application/vnd.oci.image.index.v1+json";
	req.bearer = "tok";
	assert_int_equal(http_send(t, &req, &resp, &err), 0);
	assert_int_equal(resp.status, 200);
	assert_true(resp.nheaders > 0);
	assert_string_equal(http_response_header(&resp, "x-echo"), "yes");
	assert_string_equal(http_response_header(&resp, "X-Spaced"),
			    "padded value");
	assert_string_equal(http_response_header(&resp, "Content-Type"),
			    "application/json");
	assert_non_null(strstr(resp.body, "\"method\": \"GET\""));
	assert_non_null(strstr(resp.body, "\"auth_scheme\": \"Bearer\""));
	assert_non_null(strstr(resp.body,
		"\"accept\": \"application/vnd.oci.image.index.v1+json\""));
	assert_int_equal(resp.body_len, strlen(resp.body));
	http_response_clear(&resp);
	http_transport_free(t);
}

static void test_methods(void **state)
{
	static const char *const m[] = { "POST", "PUT", "PATCH", "DELETE" };
	struct http_curl_opts o;
	struct http_transport *t;
	struct http_request req = { 0 };
	struct http_response resp;
	struct ad_error err = { 0 };
	char want[64];
	size_t i;

	(void)state;
	opts(&o, NULL);
	t = mk(&o);
	for (i = 0; i < sizeof m / sizeof m[0]; i++) {
		memset(&req, 0, sizeof req);
		req.method = m[i];
		req.url = url("MAIN", "/echo");
		req.body = "{\"a\": 1}";
		assert_int_equal(http_send(t, &req, &resp, &err), 0);
		assert_int_equal(resp.status, 200);
		snprintf(want, sizeof want, "\"method\": \"%s\"", m[i]);
		assert_non_null(strstr(resp.body, want));
		assert_non_null(strstr(resp.body, "\"body_len\": 8"));
		assert_non_null(strstr(resp.body,
				       "\"content_type\": \"application/json\""));
		http_response_clear(&resp);
	}
	/* A body-less PUT still says Content-Length: 0; own content type. */
	req.method = "PUT";
	req.body = NULL;
	assert_int_equal(http_send(t, &req, &resp, &err), 0);
	assert_non_null(strstr(resp.body, "\"body_len\": 0"));
	http_response_clear(&resp);
	req.method = "POST";
	req.body = "grant_type=x";
	req.content_type = "application/x-www-form-urlencoded";
	assert_int_equal(http_send(t, &req, &resp, &err), 0);
	assert_non_null(strstr(resp.body,
		"\"content_type\": \"application/x-www-form-urlencoded\""));
	http_response_clear(&resp);
	req.method = "TRACE";
	assert_int_equal(http_send(t, &req, &resp, &err), AD_EINVAL);
	http_transport_free(t);
}

static int peer_port(const struct http_response *resp)
{
	const char *p = strstr(resp->body, "\"peer_port\": ");

	assert_non_null(p);
	return atoi(p + 13);
}

/* Calls share connections: the second request rides the first's. */
static void test_connection_reuse(void **state)
{
	struct http_curl_opts o;
	struct http_transport *t;
	struct http_response resp;
	struct ad_error err;
	int first;

	(void)state;
	opts(&o, NULL);
	t = mk(&o);
	assert_int_equal(get(t, "GET", url("MAIN", "/echo"), &resp, &err), 0);
	first = peer_port(&resp);
	http_response_clear(&resp);
	assert_int_equal(get(t, "GET", url("MAIN", "/echo"), &resp, &err), 0);
	assert_int_equal(peer_port(&resp), first);
	http_response_clear(&resp);
	http_transport_free(t);
}

static void test_head(void **state)
{
	struct http_curl_opts o;
	struct http_transport *t;
	struct http_response resp;
	struct ad_error err;

	(void)state;
	opts(&o, NULL);
	t = mk(&o);
	assert_int_equal(get(t, "HEAD", url("MAIN", "/echo"), &resp, &err), 0);
	assert_int_equal(resp.status, 200);
	assert_int_equal(resp.body_len, 0);
	assert_non_null(resp.body);
	assert_string_equal(http_response_header(&resp, "X-Echo"), "yes");
	http_response_clear(&resp);
	http_transport_free(t);
}

static void test_status_returned(void **state)
{
	struct http_curl_opts o;
	struct http_transport *t;
	struct http_response resp;
	struct ad_error err;
	struct retries r;

	(void)state;
	opts(&o, &r);
	t = mk(&o);
	assert_int_equal(get(t, "GET", url("MAIN", "/status/404"), &resp, &err),
			 0);
	assert_int_equal(resp.status, 404);
	assert_string_equal(resp.body, "status 404");
	assert_int_equal(r.n, 0);
	http_response_clear(&resp);
	http_transport_free(t);
}

/* ---------- TLS ---------- */

static void test_tls_other_ca(void **state)
{
	struct http_curl_opts o;
	struct http_transport *t;
	struct http_response resp;
	struct ad_error err;
	struct retries r;
	char u[128];

	(void)state;
	opts(&o, &r);
	t = mk(&o);
	assert_int_equal(get(t, "GET", url("OTHER", "/echo"), &resp, &err),
			 AD_EIO);
	assert_int_equal(err.net, AD_NET_TLS);
	assert_non_null(strstr(err.msg, "not trusted"));
	assert_non_null(strstr(err.msg, "127.0.0.1"));
	assert_non_null(strstr(err.msg, "--ca-file"));
	assert_int_equal(resp.status, 0);
	assert_null(resp.body);
	assert_int_equal(r.n, 0);    /* a certificate is not retried */
	http_transport_free(t);

	/* Trusted chain, wrong name: a CA file would not help. */
	o.ca_file = pem_path("ca2.pem");
	t = mk(&o);
	snprintf(u, sizeof u, "https://localhost:%s/echo", env("OTHER_PORT"));
	assert_int_equal(get(t, "GET", u, &resp, &err), AD_EIO);
	assert_int_equal(err.net, AD_NET_TLS);
	assert_non_null(strstr(err.msg, "issued for another name"));
	assert_null(strstr(err.msg, "--ca-file"));
	assert_int_equal(get(t, "GET", url("OTHER", "/echo"), &resp, &err), 0);
	http_response_clear(&resp);
	http_transport_free(t);
}

static void test_ca_from_env(void **state)
{
	struct http_curl_opts o;
	struct http_transport *t;
	struct http_response resp;
	struct ad_error err;

	(void)state;
	opts(&o, NULL);
	o.ca_file = NULL;
	setenv("REQUESTS_CA_BUNDLE", pem_path("ca1.pem"), 1);
	setenv("SSL_CERT_FILE", pem_path("ca2.pem"), 1);
	t = mk(&o);
	/* SSL_CERT_FILE comes first: CA 2 only. */
	assert_int_equal(get(t, "GET", url("OTHER", "/echo"), &resp, &err), 0);
	assert_int_equal(resp.status, 200);
	http_response_clear(&resp);
	assert_int_equal(get(t, "GET", url("MAIN", "/echo"), &resp, &err),
			 AD_EIO);
	assert_int_equal(err.net, AD_NET_TLS);
	http_transport_free(t);
	unsetenv("SSL_CERT_FILE");
	t = mk(&o);
	assert_int_equal(get(t, "GET", url("MAIN", "/echo"), &resp, &err), 0);
	http_response_clear(&resp);
	http_transport_free(t);
	unsetenv("REQUESTS_CA_BUNDLE");

	o.ca_file = "/nonexistent/ca.pem";
	assert_null(http_curl_new(&o, &err));
	assert_int_equal(err.code, AD_ENOTFOUND);
}

static void test_client_cert(void **state)
{
	struct http_curl_opts o;
	struct http_transport *t;
	struct http_request req = { 0 };
	struct http_response resp;
	struct ad_error err = { 0 };
	char *ca2 = slurp(pem_path("ca2.pem"));
	char *cert = slurp(pem_path("client.pem"));
	char *key = slurp(pem_path("client.key"));

	(void)state;
	opts(&o, NULL);
	o.max_retries = 0;
	t = mk(&o);
	req.method = "GET";
	req.url = url("MTLS", "/echo");
	req.ca_pem = ca2;
	req.client_cert_pem = cert;
	req.client_key_pem = key;
	assert_int_equal(http_send(t, &req, &resp, &err), 0);
	assert_int_equal(resp.status, 200);
	assert_non_null(strstr(resp.body, "\"client_cn\": \"test-client\""));
	http_response_clear(&resp);

	/* Without the request's CA, the transport's CA 1 does not trust
	 * server 2. */
	req.ca_pem = NULL;
	assert_int_equal(http_send(t, &req, &resp, &err), AD_EIO);
	assert_int_equal(err.net, AD_NET_TLS);

	/* The request's CA replaces the bundle: CA 2 alone does not trust
	 * server 1. */
	req.url = url("MAIN", "/echo");
	req.ca_pem = ca2;
	assert_int_equal(http_send(t, &req, &resp, &err), AD_EIO);
	assert_int_equal(err.net, AD_NET_TLS);

	/* No client certificate: the server ends the handshake. */
	req.url = url("MTLS", "/echo");
	req.client_cert_pem = NULL;
	req.client_key_pem = NULL;
	assert_int_not_equal(http_send(t, &req, &resp, &err), 0);
	assert_true(err.net == AD_NET_TLS || err.net == AD_NET_RESET);
	assert_int_equal(resp.status, 0);
	http_transport_free(t);
	free(ca2);
	free(cert);
	free(key);
}

/* ---------- connection failures ---------- */

/* A port bound but not listening: connecting is refused, and nothing
 * else can take the port while the socket stays open. */
static int closed_port(int *fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;

	*fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(*fd >= 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(*fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(*fd, (struct sockaddr *)&a, &len), 0);
	return ntohs(a.sin_port);
}

static void test_refused(void **state)
{
	struct http_curl_opts o;
	struct http_transport *t;
	struct http_request req = { 0 };
	struct http_response resp;
	struct ad_error err = { 0 };
	struct retries r;
	char u[128];
	int fd, port = closed_port(&fd);

	(void)state;
	opts(&o, &r);
	o.max_retries = 2;
	t = mk(&o);
	snprintf(u, sizeof u, "https://127.0.0.1:%d/x", port);
	req.method = "GET";
	req.url = u;
	assert_int_equal(http_send(t, &req, &resp, &err), AD_EIO);
	assert_int_equal(err.net, AD_NET_REFUSED);
	assert_non_null(strstr(err.msg, "refused"));
	assert_int_equal(r.n, 2);
	assert_int_equal(r.status[0], 0);
	assert_int_equal(r.attempt[0], 2);
	assert_int_equal(r.attempt[1], 3);
	/* A POST that never reached the server is retried as well. */
	req.method = "POST";
	req.body = "{}";
	assert_int_equal(http_send(t, &req, &resp, &err), AD_EIO);
	assert_int_equal(r.n, 4);
	http_transport_free(t);
	close(fd);
}


/* ---------- retries ---------- */

static void test_retry_after_seconds(void **state)
{
	struct http_curl_opts o;
	struct http_transport *t;
	struct http_response resp;
	struct ad_error err;
	struct retries r;
	long long t0, ms;

	(void)state;
	opts(&o, &r);
	t = mk(&o);
	t0 = mono_ms();
	assert_int_equal(get(t, "GET", url("MAIN", "/burst/ra1/1/429?ra=1"),
			     &resp, &err), 0);
	ms = mono_ms() - t0;
	assert_int_equal(resp.status, 200);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.status[0], 429);
	assert_int_equal(r.attempt[0], 2);
	assert_int_equal(r.delay[0], 1000);
	assert_true(ms >= 1000);
	assert_true(ms < 3000);
	assert_int_equal(server_count("ra1"), 2);
	http_response_clear(&resp);

	/* Azure's retry-after-ms wins over Retry-After. */
	assert_int_equal(get(t, "GET",
			     url("MAIN", "/burst/ra2/1/503?ra=30&rams=150"),
			     &resp, &err), 0);
	assert_int_equal(resp.status, 200);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.delay[1], 150);
	http_response_clear(&resp);
	http_transport_free(t);
}

static void test_retry_after_date(void **state)
{
	struct http_curl_opts o;
	struct http_transport *t;
	struct http_response resp;
	struct ad_error err;
	struct retries r;

	(void)state;
	opts(&o, &r);
	t = mk(&o);
	assert_int_equal(get(t, "GET", url("MAIN", "/burst/rad/1/503?radate=2"),
			     &resp, &err), 0);
	assert_int_equal(resp.status, 200);
	assert_int_equal(r.n, 1);
	/* An HTTP-date has whole seconds: 2 s ahead is 1 to 2 s away. */
	assert_true(r.delay[0] >= 1000);
	assert_true(r.delay[0] <= 2000);
	http_response_clear(&resp);
	http_transport_free(t);
}

static void test_bursts(void **state)
{
	static const char *const codes[] = { "500", "502", "503", "504", "429" };
	struct http_curl_opts o;
	struct http_transport *t;
	struct http_response resp;
	struct ad_error err;
	struct retries r;
	char key[32];
	size_t i;
	int k;

	(void)state;
	for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		opts(&o, &r);
		t = mk(&o);
		snprintf(key, sizeof key, "burst%s", codes[i]);
		assert_int_equal(get(t, "GET", url("MAIN", "/burst/%s/3/%s",
						   key, codes[i]),
				     &resp, &err), 0);
		assert_int_equal(resp.status, 200);
		assert_non_null(strstr(resp.body, "\"attempts\": 4"));
		assert_int_equal(r.n, 3);
		/* Exponential with equal jitter: in [base/2, base]. */
		for (k = 0; k < 3; k++) {
			int base = 20 << k;

			assert_int_equal(r.status[k], atoi(codes[i]));
			assert_int_equal(r.attempt[k], k + 2);
			assert_true(r.delay[k] >= base / 2);
			assert_true(r.delay[k] <= base);
		}
		assert_int_equal(server_count(key), 4);
		http_response_clear(&resp);
		http_transport_free(t);
	}
}

static void test_retries_exhausted(void **state)
{
	struct http_curl_opts o;
	struct http_transport *t;
	struct http_response resp;
	struct ad_error err;
	struct retries r;
	long long t0;

	(void)state;
	opts(&o, &r);
	o.max_retries = 2;
	t = mk(&o);
	assert_int_equal(get(t, "GET", url("MAIN", "/burst/ex/10/503"), &resp,
			     &err), 0);
	assert_int_equal(resp.status, 503);
	assert_string_equal(resp.body, "burst 3");
	assert_int_equal(r.n, 2);
	assert_int_equal(server_count("ex"), 3);
	http_response_clear(&resp);

	/* A wait beyond the budget is not waited: the 429 comes back. */
	t0 = mono_ms();
	assert_int_equal(get(t, "GET", url("MAIN", "/burst/long/1/429?ra=30"),
			     &resp, &err), 0);
	assert_int_equal(resp.status, 429);
	assert_true(mono_ms() - t0 < 2000);
	assert_int_equal(r.n, 2);
	assert_non_null(http_response_header(&resp, "Retry-After"));
	http_response_clear(&resp);

	/* The budget bounds the sum of the waits. */
	o.max_retries = 10;
	o.retry_base_ms = 100;
	o.max_retry_wait_ms = 500;
	http_transport_free(t);
	t = mk(&o);
	r.n = 0;
	t0 = mono_ms();
	assert_int_equal(get(t, "GET", url("MAIN", "/burst/budget/50/500"),
			     &resp, &err), 0);
	assert_int_equal(resp.status, 500);
	assert_true(r.n >= 2);
	assert_true(r.n < 10);
	{
		int k, sum = 0;

		for (k = 0; k < r.n; k++)
			sum += r.delay[k];
		assert_true(sum <= 500);
	}
	assert_true(mono_ms() - t0 < 3000);
	http_response_clear(&resp);
	http_transport_free(t);
}

static void test_post_retry_rules(void **state)
{
	struct http_curl_opts o;
	struct http_transport *t;
	struct http_request req = { 0 };
	struct http_response resp;
	struct ad_error err = { 0 };
	struct retries r;

	(void)state;
	opts(&o, &r);
	t = mk(&o);
	req.method = "POST";
	req.body = "{}";
	/* 500 after a POST: it may have been done; never repeated. */
	req.url = url("MAIN", "/burst/post500/1/500");
	assert_int_equal(http_send(t, &req, &resp, &err), 0);
	assert_int_equal(resp.status, 500);
	assert_int_equal(r.n, 0);
	assert_int_equal(server_count("post500"), 1);
	http_response_clear(&resp);
	/* 429 and 503 mean it was not done. */
	req.url = url("MAIN", "/burst/post503/1/503");
	assert_int_equal(http_send(t, &req, &resp, &err), 0);
	assert_int_equal(resp.status, 200);
	assert_int_equal(r.n, 1);
	http_response_clear(&resp);
	req.url = url("MAIN", "/burst/post429/1/429");
	assert_int_equal(http_send(t, &req, &resp, &err), 0);
	assert_int_equal(resp.status, 200);
	assert_int_equal(r.n, 2);
	http_response_clear(&resp);
	/* A PUT is idempotent: 500 is retried. */
	req.method = "PUT";
	req.url = url("MAIN", "/burst/put500/1/500");
	assert_int_equal(http_send(t, &req, &resp, &err), 0);
	assert_int_equal(resp.status, 200);
	assert_int_equal(r.n, 3);
	http_response_clear(&resp);
	/* A reset after the POST was sent: not repeated. */
	req.method = "POST";
	req.url = url("MAIN", "/reset");
	assert_int_equal(http_send(t, &req, &resp, &err), AD_EIO);
	assert_int_equal(err.net, AD_NET_RESET);
	assert_int_equal(r.n, 3);
	http_transport_free(t);
}

/* ---------- broken answers ---------- */

static void test_reset_truncated(void **state)
{
	struct http_curl_opts o;
	struct http_transport *t;
	struct http_response resp;
	struct ad_error err;
	struct retries r;

	(void)state;
	opts(&o, &r);
	o.max_retries = 1;
	t = mk(&o);
	assert_int_equal(get(t, "GET", url("MAIN", "/reset"), &resp, &err),
			 AD_EIO);
	assert_int_equal(err.net, AD_NET_RESET);
	assert_non_null(strstr(err.msg, "closed before the answer"));
	assert_int_equal(r.n, 1);     /* a GET is tried again */
	assert_int_equal(r.status[0], 0);
	assert_null(resp.body);
	assert_int_equal(get(t, "GET", url("MAIN", "/truncate"), &resp, &err),
			 AD_EIO);
	assert_int_equal(err.net, AD_NET_RESET);
	assert_int_equal(resp.status, 0);
	assert_null(resp.body);
	assert_int_equal(resp.nheaders, 0);
	http_transport_free(t);
}

static void test_slow_timeout(void **state)
{
	struct http_curl_opts o;
	struct http_transport *t;
	struct http_response resp;
	struct ad_error err;
	struct retries r;
	long long t0, ms;

	(void)state;
	opts(&o, &r);
	o.timeout_ms = 1000;
	t = mk(&o);
	/* Connected first, so that a handshake slowed by a busy machine
	 * cannot use up the time meant for the answer. */
	assert_int_equal(get(t, "GET", url("MAIN", "/echo"), &resp, &err), 0);
	http_response_clear(&resp);
	t0 = mono_ms();
	assert_int_equal(get(t, "GET", url("MAIN", "/slow/6000"), &resp, &err),
			 AD_ETIMEOUT);
	ms = mono_ms() - t0;
	assert_int_equal(err.net, AD_NET_TIMEOUT);
	assert_non_null(strstr(err.msg, "did not answer within 1000 ms"));
	/* The server was reached: a slow answer is not asked again. */
	assert_int_equal(r.n, 0);
	/* curl's timer may fire a few ms early: not much earlier. */
	assert_true(ms >= 900);
	assert_true(ms < 4000);
	http_transport_free(t);
}

static void test_big_body(void **state)
{
	struct http_curl_opts o;
	struct http_transport *t;
	struct http_response resp;
	struct ad_error err;

	(void)state;
	opts(&o, NULL);
	o.max_body = (size_t)1 << 20;
	t = mk(&o);
	assert_int_equal(get(t, "GET", url("MAIN", "/big/1048576"), &resp,
			     &err), 0);
	assert_int_equal(resp.body_len, (size_t)1 << 20);
	http_response_clear(&resp);
	assert_int_equal(get(t, "GET", url("MAIN", "/big/1048577"), &resp,
			     &err), AD_EIO);
	assert_int_equal(err.net, AD_NET_OTHER);
	assert_non_null(strstr(err.msg, "larger than 1 MiB"));
	assert_null(resp.body);
	/* Without a length announced, the count stops it. */
	assert_int_equal(get(t, "GET", url("MAIN", "/big/1048577?chunked=1"),
			     &resp, &err), AD_EIO);
	assert_non_null(strstr(err.msg, "larger than 1 MiB"));
	/* Compressed answers are counted as they inflate. */
	assert_int_equal(get(t, "GET", url("MAIN", "/gzip/1000"), &resp, &err),
			 0);
	assert_int_equal(resp.body_len, 1000);
	assert_int_equal(resp.body[999], 'z');
	http_response_clear(&resp);
	assert_int_equal(get(t, "GET", url("MAIN", "/gzip/2097152"), &resp,
			     &err), AD_EIO);
	assert_non_null(strstr(err.msg, "larger than 1 MiB"));
	http_transport_free(t);

	http_curl_opts_init(&o);
	assert_int_equal(o.max_body, (size_t)32 << 20);
}

static void test_too_many_headers(void **state)
{
	struct http_curl_opts o;
	struct http_transport *t;
	struct http_request req = { 0 };
	struct http_response resp;
	struct ad_error err = { 0 };

	(void)state;
	opts(&o, NULL);
	t = mk(&o);
	assert_int_equal(get(t, "GET", url("MAIN", "/headers/200"), &resp,
			     &err), 0);
	assert_string_equal(http_response_header(&resp, "X-H199"), "199");
	http_response_clear(&resp);
	assert_int_equal(get(t, "GET", url("MAIN", "/headers/300"), &resp,
			     &err), AD_EIO);
	assert_non_null(strstr(err.msg, "more than 256 headers"));
	assert_int_equal(get(t, "GET", url("MAIN", "/longheader/16000"), &resp,
			     &err), 0);
	assert_int_equal(strlen(http_response_header(&resp, "X-Long")), 16000);
	http_response_clear(&resp);
	assert_int_equal(get(t, "GET", url("MAIN", "/longheader/17000"), &resp,
			     &err), AD_EIO);
	assert_non_null(strstr(err.msg, "header longer than 16384 bytes"));
	assert_null(resp.body);
	/* A header value with a line break is refused, not sent. */
	req.method = "GET";
	req.url = url("MAIN", "/echo");
	req.bearer = "abc\r\nX-Injected: 1";
	assert_int_equal(http_send(t, &req, &resp, &err), AD_EINVAL);
	http_transport_free(t);
}

/* ---------- proxies ---------- */

static void test_proxy_connect_errors(void **state)
{
	static const struct {
		const char *host;
		enum ad_net net;
		int code;
		const char *msg;
	} cases[] = {
		{ "dns-fail.invalid", AD_NET_DNS, AD_EIO, "could not resolve" },
		{ "no-path.invalid", AD_NET_DNS, AD_EIO, "could not resolve" },
		{ "refused.invalid", AD_NET_REFUSED, AD_EIO, "could not connect" },
		{ "conn-timeout.invalid", AD_NET_TIMEOUT, AD_ETIMEOUT, "timed out" },
		{ "read-timeout.invalid", AD_NET_TIMEOUT, AD_ETIMEOUT, "timed out" },
		{ "gateway-timeout.invalid", AD_NET_TIMEOUT, AD_ETIMEOUT, "timed out" },
		{ "ps-dns.invalid", AD_NET_DNS, AD_EIO, "could not resolve" },
		{ "denied.invalid", AD_NET_OTHER, AD_EIO, "HTTP 403" },
	};
	struct http_curl_opts o;
	struct http_transport *t;
	struct http_request req = { 0 };
	struct http_response resp;
	struct ad_error err = { 0 };
	struct retries r;
	char proxy[64], u[128];
	size_t i;
	int before;

	(void)state;
	snprintf(proxy, sizeof proxy, "http://127.0.0.1:%s", env("PROXY_PORT"));
	setenv("https_proxy", proxy, 1);
	opts(&o, &r);
	o.max_retries = 0;
	t = mk(&o);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(u, sizeof u, "https://%s/v2/", cases[i].host);
		assert_int_equal(get(t, "GET", u, &resp, &err), cases[i].code);
		if (err.net != cases[i].net)
			fail_msg("%s: %s, wanted %s", cases[i].host,
				 ad_net_str(err.net), ad_net_str(cases[i].net));
		assert_non_null(strstr(err.msg, cases[i].host));
		assert_non_null(strstr(err.msg, cases[i].msg));
		assert_non_null(strstr(err.detail, "proxy CONNECT"));
		assert_int_equal(resp.status, 0);
		assert_int_equal(resp.nheaders, 0);
	}
	http_transport_free(t);

	/* Through the proxy to the real server: tunnelled, verified. */
	before = server_count("proxy-tunnel");
	o.max_retries = 2;
	t = mk(&o);
	assert_int_equal(get(t, "GET", url("MAIN", "/echo"), &resp, &err), 0);
	assert_int_equal(resp.status, 200);
	assert_string_equal(http_response_header(&resp, "X-Echo"), "yes");
	assert_null(http_response_header(&resp, "Via"));  /* proxy's */
	http_response_clear(&resp);
	unsetenv("https_proxy");
	assert_true(server_count("proxy-tunnel") > before);
	/* no_proxy is honoured: straight to the server. */
	setenv("https_proxy", proxy, 1);
	setenv("no_proxy", "127.0.0.1", 1);
	before = server_count("proxy-tunnel");
	assert_int_equal(get(t, "GET", url("MAIN", "/echo"), &resp, &err), 0);
	http_response_clear(&resp);
	unsetenv("no_proxy");
	unsetenv("https_proxy");
	assert_int_equal(server_count("proxy-tunnel"), before);
	setenv("https_proxy", proxy, 1);

	/* A refused tunnel never reached the server: even a POST is
	 * tried again. */
	req.method = "POST";
	req.body = "{}";
	req.url = "https://refused.invalid/x";
	assert_int_equal(http_send(t, &req, &resp, &err), AD_EIO);
	assert_int_equal(err.net, AD_NET_REFUSED);
	assert_int_equal(r.n, 2);
	/* A name that does not resolve is not retried. */
	req.url = "https://dns-fail.invalid/x";
	assert_int_equal(http_send(t, &req, &resp, &err), AD_EIO);
	assert_int_equal(r.n, 2);
	http_transport_free(t);
	unsetenv("https_proxy");
}

/* ---------- cancel ---------- */

struct canceller {
	struct retries *r;      /* wait for a retry, or */
	const char *key;        /* for the server to have seen KEY */
	ad_cancel_flag *flag;
	long long at;
};

static void *cancel_later(void *arg)
{
	struct canceller *c = arg;

	if (c->r) {
		pthread_mutex_lock(&c->r->lock);
		while (c->r->n == 0)
			pthread_cond_wait(&c->r->cond, &c->r->lock);
		pthread_mutex_unlock(&c->r->lock);
	} else {
		struct timespec ts = { 0, 20 * 1000000L };

		while (server_count(c->key) == 0)
			nanosleep(&ts, NULL);
	}
	c->at = mono_ms();
	ad_cancel_set(c->flag);
	return NULL;
}

static void test_cancel(void **state)
{
	struct http_curl_opts o;
	struct http_transport *t;
	struct http_response resp;
	struct ad_error err;
	struct retries r;
	struct canceller c = { 0 };
	ad_cancel_flag flag = 0;
	pthread_t th;
	long long done;

	(void)state;
	opts(&o, &r);
	o.max_retry_wait_ms = 120000;
	t = mk(&o);
	t->cancel = &flag;

	/* During the back-off: a 20 s Retry-After is cut short. */
	c.r = &r;
	c.flag = &flag;
	assert_int_equal(pthread_create(&th, NULL, cancel_later, &c), 0);
	assert_int_equal(get(t, "GET", url("MAIN", "/burst/cb/5/503?ra=20"),
			     &resp, &err), AD_ECANCEL);
	done = mono_ms();
	pthread_join(th, NULL);
	assert_int_equal(err.net, AD_NET_CANCELLED);
	assert_int_equal(r.n, 1);
	assert_true(done - c.at < 1000);  /* polled every 50 ms */
	assert_null(resp.body);

	/* During a transfer that waits for a slow server. */
	ad_cancel_clear(&flag);
	memset(&c, 0, sizeof c);
	c.key = "cancel-slow";
	c.flag = &flag;
	assert_int_equal(pthread_create(&th, NULL, cancel_later, &c), 0);
	assert_int_equal(get(t, "GET", url("MAIN", "/slow/4000?key=cancel-slow"),
			     &resp, &err), AD_ECANCEL);
	done = mono_ms();
	pthread_join(th, NULL);
	assert_int_equal(err.net, AD_NET_CANCELLED);
	assert_true(done - c.at < 1000);  /* polled every 50 ms */
	http_transport_free(t);
}

/* ---------- threads ---------- */

struct worker {
	struct http_transport *t;
	int id;
	int ok;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct http_request req = { 0 };
	struct http_response resp;
	struct ad_error err;
	char u[256], want[128];
	int i;

	for (i = 0; i < 12; i++) {
		snprintf(u, sizeof u, "https://127.0.0.1:%s/echo?w=%d&i=%d",
			 getenv("MAIN_PORT"), w->id, i);
		snprintf(want, sizeof want, "\"path\": \"/echo?w=%d&i=%d\"",
			 w->id, i);
		req.method = i % 3 ? "GET" : "POST";
		req.body = i % 3 ? NULL : "{\"n\": 1}";
		req.url = u;
		ad_error_clear(&err);
		if (http_send(w->t, &req, &resp, &err) == 0 &&
		    resp.status == 200 && strstr(resp.body, want))
			w->ok++;
		http_response_clear(&resp);
	}
	return NULL;
}

static void test_threads(void **state)
{
	struct http_curl_opts o;
	struct http_transport *t;
	struct worker w[8];
	pthread_t th[8];
	int i;

	(void)state;
	opts(&o, NULL);
	t = mk(&o);
	for (i = 0; i < 8; i++) {
		w[i].t = t;
		w[i].id = i;
		w[i].ok = 0;
		assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
	}
	for (i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].ok, 12);
	}
	http_transport_free(t);
}

/* ---------- --debug ---------- */

static void test_debug_log(void **state)
{
	struct http_curl_opts o;
	struct http_transport *t;
	struct http_request req = { 0 };
	struct http_response resp;
	struct ad_error err = { 0 };
	char *log = NULL, u[512];
	size_t len = 0;
	FILE *f = open_memstream(&log, &len);

	(void)state;
	assert_non_null(f);
	opts(&o, NULL);
	o.debug = f;
	t = mk(&o);
	snprintf(u, sizeof u, "https://user:PWSECRET7@127.0.0.1:%s/echo?"
		 "api-version=2023-01-01&sig=SIGSECRET1&client_secret=CSSECRET2"
		 "&code=CODESECRET3&refresh_token=RTSECRET4#access_token=FRSECRET5",
		 env("MAIN_PORT"));
	req.method = "POST";
	req.url = u;
	req.body = "client_secret=BODYSECRET6";
	req.content_type = "application/x-www-form-urlencoded";
	req.bearer = "BEARERSECRET8";
	req.auth_label = "service-principal";
	assert_int_equal(http_send(t, &req, &resp, &err), 0);
	assert_int_equal(resp.status, 200);
	http_response_clear(&resp);
	req.method = "GET";
	req.body = NULL;
	req.basic_user = "reguser";
	req.basic_pass = "BASICSECRET9";
	req.url = url("MAIN", "/burst/dbg/1/429?ra=0");
	req.auth_label = "pull secret";
	assert_int_equal(http_send(t, &req, &resp, &err), 0);
	http_response_clear(&resp);
	/* Refused before sending: logged, the header never printed. */
	req.bearer = "x\nX-Injected: SECRET10";
	assert_int_equal(http_send(t, &req, &resp, &err), AD_EINVAL);
	http_transport_free(t);
	fclose(f);

	assert_non_null(log);
	assert_true(len > 0);
	assert_non_null(strstr(log, "http: POST https://REDACTED@127.0.0.1:"));
	assert_non_null(strstr(log, "/echo?api-version=2023-01-01&sig=REDACTED"
			       "&client_secret=REDACTED&code=REDACTED"
			       "&refresh_token=REDACTED#REDACTED status=200"));
	assert_non_null(strstr(log, "auth=service-principal"));
	assert_non_null(strstr(log, "/burst/dbg/1/429?ra=0 status=429"));
	assert_non_null(strstr(log, "try=1 auth=pull_secret retry_in_ms=0"));
	assert_non_null(strstr(log, "status=200 ms="));
	assert_non_null(strstr(log, "try=2"));
	assert_null(strstr(log, "SECRET"));
	assert_null(strstr(log, "Authorization"));
	assert_null(strstr(log, "reguser"));
	assert_null(strstr(log, "Injected"));
	assert_non_null(strstr(log, "error=invalid argument"));
	free(log);
}

static void test_redact(void **state)
{
	static const char *const cases[][2] = {
		{ "https://h/p?a=1", "https://h/p?a=1" },
		{ "https://u:p@h/p", "https://REDACTED@h/p" },
		{ "https://h/p?sig=abc&sv=2021", "https://h/p?sig=REDACTED&sv=2021" },
		{ "https://h/p?X-Api-Key=k&Token=t&password&=v",
		  "https://h/p?X-Api-Key=REDACTED&Token=REDACTED&password&=v" },
		{ "https://h/p?client_assertion=eyJ&scope=repository:a:pull",
		  "https://h/p?client_assertion=REDACTED&scope=repository:a:pull" },
		{ "https://h/p#frag", "https://h/p#REDACTED" },
		{ "https://h/a@b?c=1", "https://h/a@b?c=1" },
		{ "https://h/p\n?x=\x1b", "https://h/p??x=?" },
		{ "no-scheme?code=1", "no-scheme?code=REDACTED" },
		{ "", "" },
	};
	char out[64], small[16];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		http_redact_url(cases[i][0], out, sizeof out);
		assert_string_equal(out, cases[i][1]);
	}
	http_redact_url("https://host.example/a/very/long/path", small,
			sizeof small);
	assert_string_equal(small, "https://host...");
	/* Cut inside a secret value: the secret never shows. */
	http_redact_url("https://h/?sig=SECRETSECRET", small, sizeof small);
	assert_null(strstr(small, "SECRET"));
	http_redact_url(NULL, out, sizeof out);
	assert_string_equal(out, "");
}

/* Jitter comes from the seed: the same seed, the same waits. */
static void test_jitter_seeded(void **state)
{
	struct http_curl_opts o;
	struct http_transport *t;
	struct http_response resp;
	struct ad_error err;
	struct retries r1, r2;
	int k;

	(void)state;
	opts(&o, &r1);
	o.seed = 7;
	t = mk(&o);
	assert_int_equal(get(t, "GET", url("MAIN", "/burst/j1/3/502"), &resp,
			     &err), 0);
	http_response_clear(&resp);
	http_transport_free(t);
	opts(&o, &r2);
	o.seed = 7;
	t = mk(&o);
	assert_int_equal(get(t, "GET", url("MAIN", "/burst/j2/3/502"), &resp,
			     &err), 0);
	http_response_clear(&resp);
	http_transport_free(t);
	assert_int_equal(r1.n, 3);
	assert_int_equal(r2.n, 3);
	for (k = 0; k < 3; k++)
		assert_int_equal(r1.delay[k], r2.delay[k]);
}

/* ---------- a real squid (test_squid.sh) ---------- */

static void test_squid(void **state)
{
	static const struct {
		const char *host;     /* host[:port] */
		int closed;           /* add the port of a closed socket */
		enum ad_net net;
		const char *msg;
		const char *detail;
	} cases[] = {
		{ "nosuch.test", 0, AD_NET_DNS, "could not resolve",
		  "ERR_" },
		{ "127.0.0.1", 1, AD_NET_REFUSED, "could not connect",
		  "ERR_CONNECT_FAIL 111" },
		{ "127.0.0.1:9", 0, AD_NET_OTHER, "HTTP 403",
		  "ERR_ACCESS_DENIED" },
	};
	struct http_curl_opts o;
	struct http_transport *t;
	struct http_response resp;
	struct ad_error err;
	char proxy[64], u[256], port[16];
	size_t i;
	int fd;

	(void)state;
	snprintf(proxy, sizeof proxy, "http://127.0.0.1:%s", env("SQUID_PORT"));
	setenv("https_proxy", proxy, 1);
	opts(&o, NULL);
	o.max_retries = 0;
	o.timeout_ms = 20000;
	t = mk(&o);
	/* Tunnels work, by address and by a name squid resolves. */
	assert_int_equal(get(t, "GET", url("MAIN", "/echo"), &resp, &err), 0);
	assert_int_equal(resp.status, 200);
	assert_null(http_response_header(&resp, "Via"));
	http_response_clear(&resp);
	snprintf(u, sizeof u, "https://tunnel.test:%s/echo", env("MAIN_PORT"));
	assert_int_equal(get(t, "GET", u, &resp, &err), 0);
	assert_int_equal(resp.status, 200);
	http_response_clear(&resp);

	snprintf(port, sizeof port, "%d", closed_port(&fd));
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(u, sizeof u, "https://%s%s%s/v2/", cases[i].host,
			 cases[i].closed ? ":" : "", cases[i].closed ? port : "");
		assert_int_not_equal(get(t, "GET", u, &resp, &err), 0);
		if (err.net != cases[i].net)
			fail_msg("%s: %s (%s), wanted %s", u, ad_net_str(err.net),
				 err.detail, ad_net_str(cases[i].net));
		assert_non_null(strstr(err.msg, cases[i].msg));
		assert_non_null(strstr(err.detail, cases[i].detail));
		assert_int_equal(resp.status, 0);
	}
	close(fd);
	http_transport_free(t);
	unsetenv("https_proxy");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_headers),
		cmocka_unit_test(test_methods),
		cmocka_unit_test(test_head),
		cmocka_unit_test(test_connection_reuse),
		cmocka_unit_test(test_status_returned),
		cmocka_unit_test(test_tls_other_ca),
		cmocka_unit_test(test_ca_from_env),
		cmocka_unit_test(test_client_cert),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_retry_after_seconds),
		cmocka_unit_test(test_retry_after_date),
		cmocka_unit_test(test_bursts),
		cmocka_unit_test(test_retries_exhausted),
		cmocka_unit_test(test_post_retry_rules),
		cmocka_unit_test(test_reset_truncated),
		cmocka_unit_test(test_slow_timeout),
		cmocka_unit_test(test_big_body),
		cmocka_unit_test(test_too_many_headers),
		cmocka_unit_test(test_proxy_connect_errors),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_debug_log),
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_jitter_seeded),
	};

	const struct CMUnitTest squid[] = {
		cmocka_unit_test(test_squid),
	};

	/* http_curl_driver [fault|squid [PATTERN]] */
	if (argc > 2)
		cmocka_set_test_filter(argv[2]);
	if (argc > 1 && strcmp(argv[1], "squid") == 0)
		return cmocka_run_group_tests(squid, NULL, NULL);
	return cmocka_run_group_tests(tests, clear_counts, NULL);
}
