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

static char *url_buf;

static const char *env(const char *name)
{
	const char *v = getenv(name);

	assert_non_null(v);
	return v;
}

/* https://127.0.0.1:<port of listener>/<path> in a static buffer */
static const char *url(const char *listener, const char *fmt, ...)
{
	static char buf[4][1024];
	static int i;
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
	url_buf = buf[i];
	return buf[i];
}

static char *pem_path(const char *name)
{
	static char p[4][512];
	static int i;

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_headers),
		cmocka_unit_test(test_methods),
		cmocka_unit_test(test_head),
		cmocka_unit_test(test_status_returned),
		cmocka_unit_test(test_tls_other_ca),
		cmocka_unit_test(test_ca_from_env),
		cmocka_unit_test(test_client_cert),
		cmocka_unit_test(test_refused),
	};

	(void)url_buf;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
