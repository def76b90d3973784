/* http_curl.c - the live transport: http.h over libcurl.
 *
 * Every http_send() runs on its own easy handle inside its own multi
 * handle, so the calling thread can notice a cancel within POLL_MS while
 * the transfer waits.  Connections, DNS answers and TLS sessions are
 * shared between threads through a CURLSH guarded by mutexes.  Failures
 * are classified from the CURLcode, the socket errno and the proxy's
 * CONNECT answer, never from message text. */
#include "config.h"
#include "http_curl.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "err.h"
#include "http.h"
#include "i18n.h"

#define POLL_MS 50              /* cancel latency while waiting */
#define MAX_HEADERS 256         /* per answer; more is refused */
#define MAX_HEADER_LINE 16384
#define URL_LOG_MAX 2048

struct hc {
	struct http_curl_opts o;
	char *ca_file;              /* resolved, owned; NULL: system */
	CURLSH *share;
	pthread_mutex_t locks[CURL_LOCK_DATA_LAST];
	pthread_mutex_t rng_lock;
	unsigned long long rng;
	struct http_transport *t;   /* back-pointer: its cancel flag */
	int mutexes;                /* initialised, to destroy */
};

/* ---------- global init, share locks ---------- */

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;
static int tls_openssl;         /* libcurl's TLS library is OpenSSL */

static void global_init(void)
{
	const curl_version_info_data *v;

	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
	v = curl_version_info(CURLVERSION_NOW);
	tls_openssl = v && v->ssl_version &&
		      strncmp(v->ssl_version, "OpenSSL", 7) == 0;
}

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access acc,
		       void *arg)
{
	struct hc *hc = arg;

	(void)h;
	(void)acc;
	if ((unsigned)data < CURL_LOCK_DATA_LAST)
		pthread_mutex_lock(&hc->locks[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *arg)
{
	struct hc *hc = arg;

	(void)h;
	if ((unsigned)data < CURL_LOCK_DATA_LAST)
		pthread_mutex_unlock(&hc->locks[data]);
}

/* ---------- small helpers ---------- */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Another thread sets the flag: read it atomically. */
static int cancelled(const struct hc *hc)
{
	return hc->t && ad_cancelled(hc->t->cancel);
}

/* splitmix64: a tiny, seedable, good-enough generator for jitter. */
static unsigned long long rng_next(struct hc *hc)
{
	unsigned long long z;

	pthread_mutex_lock(&hc->rng_lock);
	z = (hc->rng += 0x9e3779b97f4a7c15ULL);
	pthread_mutex_unlock(&hc->rng_lock);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n--)
		*v++ = 0;
}

/* host[:port] of url for messages, sanitized; "?" when unparsable. */
static void url_host(const char *url, char *out, size_t len)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL;
	size_t i;

	snprintf(out, len, "?");
	if (!u)
		return;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK)
			snprintf(out, len, "%.200s:%.10s", host, port);
		else
			snprintf(out, len, "%.200s", host);
	}
	for (i = 0; out[i]; i++)
		if ((unsigned char)out[i] < 0x21 || (unsigned char)out[i] >= 0x7f)
			out[i] = '?';
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
}

/* ---------- redaction ---------- */

static int secret_param(const char *name, size_t n)
{
	static const char *const exact[] = {
		"sig", "code", "key", "pwd", "client_secret",
		"client_assertion", "assertion", "password", "passwd",
		"secret", "token", "session_state", NULL
	};
	static const char *const part[] = {
		"token", "secret", "passw", "signature", "assertion",
		"credential", NULL
	};
	char low[64];
	size_t i;

	if (n == 0 || n >= sizeof low)
		return n >= sizeof low;   /* a huge name: hide it all */
	for (i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)name[i]);
	low[n] = '\0';
	for (i = 0; exact[i]; i++)
		if (strcmp(low, exact[i]) == 0)
			return 1;
	for (i = 0; part[i]; i++)
		if (strstr(low, part[i]))
			return 1;
	/* api-key, apikey, subscription-key, x-api-key... */
	return n > 3 && strcmp(low + n - 3, "key") == 0;
}

struct rbuf {
	char *p;
	size_t len, cap;
	int full;
};

static void rb_put(struct rbuf *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && !b->full; i++) {
		unsigned char c = (unsigned char)s[i];

		if (b->len + 1 >= b->cap) {
			b->full = 1;
			break;
		}
		b->p[b->len++] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
	}
	b->p[b->len] = '\0';
}

void http_redact_url(const char *url, char *out, size_t outlen)
{
	struct rbuf b = { out, 0, outlen, 0 };
	const char *p, *auth, *end, *at, *q;

	if (!out || outlen == 0)
		return;
	out[0] = '\0';
	if (!url)
		return;
	p = strstr(url, "://");
	auth = p ? p + 3 : url;
	rb_put(&b, url, (size_t)(auth - url));
	end = auth + strcspn(auth, "/?#");
	at = NULL;
	for (q = auth; q < end; q++)
		if (*q == '@')
			at = q;
	if (at) {
		rb_put(&b, "REDACTED", 8);
		auth = at;
	}
	rb_put(&b, auth, (size_t)(end - auth));
	p = end;
	end = p + strcspn(p, "?#");
	rb_put(&b, p, (size_t)(end - p));
	p = end;
	if (*p == '?') {
		rb_put(&b, "?", 1);
		p++;
		while (*p && *p != '#') {
			size_t n = strcspn(p, "&#");
			size_t nl = strcspn(p, "=&#");

			if (nl < n && secret_param(p, nl)) {
				rb_put(&b, p, nl + 1);
				rb_put(&b, "REDACTED", 8);
			} else {
				rb_put(&b, p, n);
			}
			p += n;
			if (*p == '&') {
				rb_put(&b, "&", 1);
				p++;
			}
		}
	}
	if (*p == '#')
		rb_put(&b, "#REDACTED", 9);
	if (b.full && outlen > 4)
		memcpy(out + outlen - 4, "...", 4);
}

/* ---------- one attempt ---------- */

struct xfer {
	struct hc *hc;
	struct http_response *resp;
	char *body;
	size_t len, cap;
	int too_big;
	int too_many_headers;
	int header_too_long;
	int resent;         /* libcurl sent the request again itself */
};

/* --debug only: libcurl resends a request on its own when a reused
 * connection turns out dead (no answer, nothing read); its informational
 * text is the only place that says so.  Nothing of what it reports is
 * kept: headers and data may hold credentials. */
static int on_debug(CURL *e, curl_infotype type, char *data, size_t size,
		    void *arg)
{
	static const char *const said[] = {
		"Connection died, retrying a fresh connect",   /* transfer.c */
		"Re-used connection seems dead, get a new one" /* older multi.c */
	};
	struct xfer *x = arg;
	size_t i, n;

	(void)e;
	if (type != CURLINFO_TEXT)
		return 0;
	for (i = 0; i < sizeof said / sizeof said[0]; i++) {
		n = strlen(said[i]);
		if (size >= n && memcmp(data, said[i], n) == 0)
			x->resent++;
	}
	return 0;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t n = size * nmemb, cap;
	char *nb;

	if (n > x->hc->o.max_body || x->len > x->hc->o.max_body - n) {
		x->too_big = 1;
		return 0;
	}
	if (x->len + n + 1 > x->cap) {
		cap = x->cap ? x->cap : 4096;
		while (cap < x->len + n + 1)
			cap *= 2;
		nb = realloc(x->body, cap);
		if (!nb)
			return 0;
		x->body = nb;
		x->cap = cap;
	}
	memcpy(x->body + x->len, data, n);
	x->len += n;
	x->body[x->len] = '\0';
	return n;
}

static void drop_headers(struct http_response *r)
{
	size_t i;

	for (i = 0; i < r->nheaders; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	free(r->headers);
	r->headers = NULL;
	r->nheaders = 0;
}

/* Headers of the last block only: a new status line (a proxy's CONNECT
 * answer, 100 Continue) starts over, so a failed CONNECT leaves the
 * proxy's headers for classify_proxy(). */
static size_t on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t n = size * nmemb, nl, vs, ve;
	char name[256], *value;

	if (n >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		drop_headers(x->resp);
		return n;
	}
	nl = 0;
	while (nl < n && data[nl] != ':' && data[nl] != '\r' && data[nl] != '\n')
		nl++;
	if (nl == 0 || nl >= n || data[nl] != ':')
		return n;   /* folded or blank lines carry nothing */
	if (nl >= sizeof name || n > MAX_HEADER_LINE) {
		x->header_too_long = 1;
		return 0;
	}
	if (x->resp->nheaders >= MAX_HEADERS) {
		x->too_many_headers = 1;
		return 0;
	}
	memcpy(name, data, nl);
	name[nl] = '\0';
	vs = nl + 1;
	while (vs < n && (data[vs] == ' ' || data[vs] == '\t'))
		vs++;
	ve = n;
	while (ve > vs && (data[ve - 1] == '\r' || data[ve - 1] == '\n' ||
			   data[ve - 1] == ' ' || data[ve - 1] == '\t'))
		ve--;
	value = malloc(ve - vs + 1);
	if (!value)
		return 0;
	memcpy(value, data + vs, ve - vs);
	value[ve - vs] = '\0';
	if (http_response_add_header(x->resp, name, value) != 0) {
		free(value);
		return 0;
	}
	free(value);
	return n;
}

static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
		       curl_off_t un)
{
	struct xfer *x = arg;

	(void)dt; (void)dn; (void)ut; (void)un;
	return cancelled(x->hc);
}

/* What the proxy said when it refused the tunnel: squid's X-Squid-Error,
 * RFC 9209 Proxy-Status, else the status code. */
static enum ad_net classify_proxy(const struct http_response *r, long code)
{
	const char *sq = http_response_header(r, "X-Squid-Error");
	const char *ps = http_response_header(r, "Proxy-Status");

	if (sq) {
		const char *num = sq + strcspn(sq, " \t");
		long e = strtol(num, NULL, 10);

		/* squid 5 (Debian 12) answers a CONNECT whose name does not
		 * resolve with ERR_CANNOT_FORWARD ("found no paths"); other
		 * versions say ERR_DNS_FAIL. */
		if (strncmp(sq, "ERR_DNS_FAIL", 12) == 0 ||
		    strncmp(sq, "ERR_CANNOT_FORWARD", 18) == 0)
			return AD_NET_DNS;
		if (strncmp(sq, "ERR_READ_TIMEOUT", 16) == 0 ||
		    strncmp(sq, "ERR_LIFETIME_EXP", 16) == 0 ||
		    strncmp(sq, "ERR_CONNECT_TIMEOUT", 19) == 0)
			return AD_NET_TIMEOUT;
		if (strncmp(sq, "ERR_CONNECT_FAIL", 16) == 0)
			return e == ETIMEDOUT ? AD_NET_TIMEOUT : AD_NET_REFUSED;
		if (strncmp(sq, "ERR_SECURE_CONNECT_FAIL", 23) == 0)
			return AD_NET_TLS;
		if (strncmp(sq, "ERR_ZERO_SIZE_OBJECT", 20) == 0)
			return AD_NET_RESET;
	}
	if (ps) {
		const char *e = strstr(ps, "error=");

		if (e) {
			e += 6;
			if (strncmp(e, "dns_", 4) == 0 ||
			    strncmp(e, "destination_not_found", 21) == 0)
				return AD_NET_DNS;
			if (strncmp(e, "connection_refused", 18) == 0 ||
			    strncmp(e, "destination_unavailable", 23) == 0 ||
			    strncmp(e, "destination_ip_unroutable", 25) == 0)
				return AD_NET_REFUSED;
			if (strncmp(e, "connection_timeout", 18) == 0 ||
			    strncmp(e, "connection_read_timeout", 23) == 0 ||
			    strncmp(e, "http_response_timeout", 21) == 0)
				return AD_NET_TIMEOUT;
			if (strncmp(e, "tls_", 4) == 0)
				return AD_NET_TLS;
			if (strncmp(e, "connection_terminated", 21) == 0)
				return AD_NET_RESET;
		}
	}
	if (code == 504)
		return AD_NET_TIMEOUT;
	if (code == 502 || code == 503)
		return AD_NET_REFUSED;
	return AD_NET_OTHER;
}

/* The proxy's own words for the detail line, printable, bounded. */
static void proxy_error(const struct http_response *r, char *out, size_t len)
{
	const char *v = http_response_header(r, "X-Squid-Error");
	size_t i;

	if (!v)
		v = http_response_header(r, "Proxy-Status");
	snprintf(out, len, "%s", v ? v : "");
	for (i = 0; out[i]; i++)
		if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] >= 0x7f)
			out[i] = '?';
}

static enum ad_net classify(CURLcode rc, long oserr)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return AD_NET_DNS;
	case CURLE_COULDNT_CONNECT:
		return oserr == ETIMEDOUT ? AD_NET_TIMEOUT : AD_NET_REFUSED;
	case CURLE_OPERATION_TIMEDOUT:
		return AD_NET_TIMEOUT;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_USE_SSL_FAILED:
		return AD_NET_TLS;
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return AD_NET_RESET;
	case CURLE_ABORTED_BY_CALLBACK:
		return AD_NET_CANCELLED;
	default:
		return AD_NET_OTHER;
	}
}

/* The outcome of one attempt, for the retry decision and the log. */
struct outcome {
	CURLcode rc;
	long status;
	enum ad_net net;
	int connected;      /* the request may have reached the server */
	long verify;        /* the TLS library's chain verdict, 0: good */
	long long ms;
	int resent;         /* silent resends by libcurl (--debug only) */
};

/* A verification failure with a chain OpenSSL accepted: libcurl checks
 * the name itself and leaves no X509 chain error (0, or 1 "unspecified"
 * as 7.88 does), or OpenSSL reports the name (62 hostname, 64 IP
 * mismatch).  Other TLS libraries number differently: not guessed. */
static int name_mismatch(long verify)
{
	return tls_openssl && (verify == 0 || verify == 1 || verify == 62 ||
			       verify == 64);
}

/* Fill err from a failed attempt. */
static int failure(struct hc *hc, const struct http_request *req,
		   const struct xfer *x, const struct outcome *oc,
		   long connect_code, const char *proxy_says,
		   const char *errbuf, struct ad_error *err)
{
	char host[256];
	const char *why = errbuf[0] ? errbuf : curl_easy_strerror(oc->rc);
	int code = AD_EIO;

	url_host(req->url, host, sizeof host);
	if (x->too_big) {
		ad_error_set(err, AD_EIO,
			     _("the answer from %s is larger than %zu MiB"),
			     host, hc->o.max_body >> 20);
		return ad_error_net(err, AD_NET_OTHER);
	}
	if (x->header_too_long) {
		ad_error_set(err, AD_EIO,
			     _("the answer from %s has a header longer than %d bytes"),
			     host, MAX_HEADER_LINE);
		return ad_error_net(err, AD_NET_OTHER);
	}
	if (x->too_many_headers) {
		ad_error_set(err, AD_EIO,
			     _("the answer from %s has more than %d headers"),
			     host, MAX_HEADERS);
		return ad_error_net(err, AD_NET_OTHER);
	}
	if (connect_code >= 300) {
		switch (oc->net) {
		case AD_NET_DNS:
			ad_error_set(err, AD_EIO,
				     _("the proxy could not resolve %s"), host);
			break;
		case AD_NET_REFUSED:
			ad_error_set(err, AD_EIO,
				     _("the proxy could not connect to %s"), host);
			break;
		case AD_NET_TIMEOUT:
			code = AD_ETIMEOUT;
			ad_error_set(err, code,
				     _("the proxy timed out connecting to %s"),
				     host);
			break;
		default:
			ad_error_set(err, AD_EIO,
				     _("the proxy refused the tunnel to %s (HTTP %ld)"),
				     host, connect_code);
			break;
		}
		ad_error_detail(err, "proxy CONNECT %ld %s", connect_code,
				proxy_says);
		return ad_error_net(err, oc->net);
	}
	switch (oc->net) {
	case AD_NET_DNS:
		if (oc->rc == CURLE_COULDNT_RESOLVE_PROXY)
			ad_error_set(err, AD_EIO,
				     _("the name of the proxy does not resolve"));
		else
			ad_error_set(err, AD_EIO, _("the name %s does not resolve"),
				     host);
		break;
	case AD_NET_REFUSED:
		ad_error_set(err, AD_EIO, _("%s refused the connection"), host);
		break;
	case AD_NET_TIMEOUT:
		code = AD_ETIMEOUT;
		if (!oc->connected)
			ad_error_set(err, code,
				     _("could not connect to %s within %ld ms"),
				     host, hc->o.connect_timeout_ms <
				     hc->o.timeout_ms ? hc->o.connect_timeout_ms :
				     hc->o.timeout_ms);
		else
			ad_error_set(err, code,
				     _("%s did not answer within %ld ms"), host,
				     hc->o.timeout_ms);
		break;
	case AD_NET_TLS:
		if (oc->rc == CURLE_PEER_FAILED_VERIFICATION &&
		    name_mismatch(oc->verify))
			ad_error_set(err, AD_EIO,
				     _("the certificate of %s is issued for another name: %.200s"),
				     host, why);
		else if (oc->rc == CURLE_PEER_FAILED_VERIFICATION)
			/* TRANSLATORS: the second %s is libcurl's reason, in
			 * English; --ca-file is an option: keep it as is. */
			ad_error_set(err, AD_EIO,
				     _("the certificate of %s is not trusted: %.200s; use --ca-file"),
				     host, why);
		else
			ad_error_set(err, AD_EIO,
				     _("the TLS handshake with %s failed: %.200s"),
				     host, why);
		break;
	case AD_NET_RESET:
		ad_error_set(err, AD_EIO,
			     _("the connection to %s was closed before the answer was complete"),
			     host);
		break;
	case AD_NET_CANCELLED:
		code = AD_ECANCEL;
		ad_error_set(err, code, _("cancelled"));
		break;
	default:
		if (oc->rc == CURLE_OUT_OF_MEMORY)
			code = AD_ENOMEM;
		else if (oc->rc == CURLE_URL_MALFORMAT ||
			 oc->rc == CURLE_UNSUPPORTED_PROTOCOL)
			code = AD_EINVAL;
		ad_error_set(err, code, _("the request to %s failed: %.200s"),
			     host, why);
		break;
	}
	ad_error_detail(err, "%.400s", why);
	return ad_error_net(err, oc->net);
}

/* Append "name" followed by v; a value with a line break is refused. */
static struct curl_slist *add_header(struct curl_slist *l, const char *name,
				     const char *v, int *bad)
{
	char line[8192];
	struct curl_slist *n;
	int len;

	if (*bad)
		return l;
	len = snprintf(line, sizeof line, "%s%s", name, v);
	if (len < 0 || (size_t)len >= sizeof line || strpbrk(v, "\r\n")) {
		*bad = 1;
		wipe(line, sizeof line);
		return l;
	}
	n = curl_slist_append(l, line);
	wipe(line, sizeof line);
	if (!n)
		*bad = 1;
	return n ? n : l;
}

/* curl_slist_free_all does not clear: wipe the Authorization line. */
static void free_headers(struct curl_slist *l)
{
	struct curl_slist *p;

	for (p = l; p; p = p->next)
		if (strncasecmp(p->data, "Authorization:", 14) == 0)
			wipe(p->data, strlen(p->data));
	curl_slist_free_all(l);
}

static int is_method(const char *m, const char *want)
{
	return strcmp(m, want) == 0;
}

/* One request on a fresh easy handle. */
static int attempt(struct hc *hc, const struct http_request *req,
		   struct http_response *resp, struct outcome *oc,
		   struct ad_error *err)
{
	CURL *e = NULL;
	CURLM *m = NULL;
	struct curl_slist *hdrs = NULL;
	struct xfer x;
	char errbuf[CURL_ERROR_SIZE], proxy_says[128] = "";
	struct curl_blob ca, cert, key;
	long long t0 = now_ms();
	long oserr = 0, connect_code = 0;
	curl_off_t pre = 0;
	long sent = 0;
	int bad = 0, running = 1, rc = 0, added = 0;
	size_t i;
	CURLMsg *msg;
	int left;

	memset(resp, 0, sizeof *resp);
	memset(&x, 0, sizeof x);
	memset(oc, 0, sizeof *oc);
	x.hc = hc;
	x.resp = resp;
	errbuf[0] = '\0';
	oc->rc = CURLE_OK;

	e = curl_easy_init();
	m = curl_multi_init();
	if (!e || !m) {
		rc = ad_error_set(err, AD_ENOMEM, _("out of memory"));
		goto out;
	}
	curl_easy_setopt(e, CURLOPT_URL, req->url);
	curl_easy_setopt(e, CURLOPT_SHARE, hc->share);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	/* A request may ask for less time (the instance metadata service:
	 * absent on most machines, so it must not hold the chain up). */
	{
		long total = req->timeout_ms > 0 &&
			     req->timeout_ms < hc->o.timeout_ms ?
			     req->timeout_ms : hc->o.timeout_ms;

		curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
				 hc->o.connect_timeout_ms < total ?
				 hc->o.connect_timeout_ms : total);
		curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, total);
	}
	curl_easy_setopt(e, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)hc->o.max_body);
	/* gzip welcome: max_body bounds what it inflates to (on_body). */
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, &x);
	curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(e, CURLOPT_XFERINFODATA, &x);
	if (hc->o.debug) {
		curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, on_debug);
		curl_easy_setopt(e, CURLOPT_DEBUGDATA, &x);
		curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);
	}
	if (req->ca_pem) {
		/* The request's CA replaces the bundle, it does not add to it:
		 * the blob overrides CAINFO, and CAPATH (the system's
		 * directory) is cleared too. */
		curl_easy_setopt(e, CURLOPT_CAINFO, NULL);
		curl_easy_setopt(e, CURLOPT_CAPATH, NULL);
		ca.data = (void *)req->ca_pem;
		ca.len = strlen(req->ca_pem);
		ca.flags = CURL_BLOB_NOCOPY;
		curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &ca);
	} else if (hc->ca_file) {
		curl_easy_setopt(e, CURLOPT_CAINFO, hc->ca_file);
		curl_easy_setopt(e, CURLOPT_CAPATH, NULL);
	}
	if (req->client_cert_pem) {
		cert.data = (void *)req->client_cert_pem;
		cert.len = strlen(req->client_cert_pem);
		cert.flags = CURL_BLOB_NOCOPY;
		curl_easy_setopt(e, CURLOPT_SSLCERT_BLOB, &cert);
		curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, "PEM");
	}
	if (req->client_key_pem) {
		/* NOCOPY: the only copy stays the caller's, who wipes it. */
		key.data = (void *)req->client_key_pem;
		key.len = strlen(req->client_key_pem);
		key.flags = CURL_BLOB_NOCOPY;
		curl_easy_setopt(e, CURLOPT_SSLKEY_BLOB, &key);
		curl_easy_setopt(e, CURLOPT_SSLKEYTYPE, "PEM");
	}

	if (is_method(req->method, "HEAD")) {
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	} else if (!is_method(req->method, "GET") || req->body) {
		const char *b = req->body ? req->body : "";

		curl_easy_setopt(e, CURLOPT_POSTFIELDS, b);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)strlen(b));
		if (!is_method(req->method, "POST"))
			curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req->method);
		if (req->body)
			hdrs = add_header(hdrs, "Content-Type: ",
					  req->content_type ? req->content_type :
					  "application/json", &bad);
		else
			hdrs = add_header(hdrs, "Content-Type:", "", &bad);
	}
	hdrs = add_header(hdrs, "Expect:", "", &bad);
	if (req->accept)
		hdrs = add_header(hdrs, "Accept: ", req->accept, &bad);
	if (req->bearer)
		hdrs = add_header(hdrs, "Authorization: Bearer ", req->bearer,
				  &bad);
	/* The caller's extra headers ("Metadata: true" for the instance
	 * metadata service, X-IDENTITY-HEADER for App Service's identity
	 * endpoint): a name that is not a plain token is refused. */
	for (i = 0; i < req->nheaders && !bad; i++) {
		const char *hn = req->headers[i].name;
		char name[128];

		if (!hn || !hn[0] || strlen(hn) > 100 ||
		    strspn(hn, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != strlen(hn)) {
			bad = 1;
			break;
		}
		snprintf(name, sizeof name, "%s: ", hn);
		hdrs = add_header(hdrs, name, req->headers[i].value ?
				  req->headers[i].value : "", &bad);
	}
	if (bad) {
		rc = ad_error_set(err, AD_EINVAL,
				  _("a request header is too long or not one line"));
		goto out;
	}
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
	if (req->basic_user) {
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(e, CURLOPT_USERNAME, req->basic_user);
		curl_easy_setopt(e, CURLOPT_PASSWORD,
				 req->basic_pass ? req->basic_pass : "");
	}

	if (curl_multi_add_handle(m, e) != CURLM_OK) {
		rc = ad_error_set(err, AD_ENOMEM, _("out of memory"));
		goto out;
	}
	added = 1;
	while (running) {
		if (curl_multi_perform(m, &running) != CURLM_OK)
			break;
		if (!running)
			break;
		if (cancelled(hc)) {
			oc->rc = CURLE_ABORTED_BY_CALLBACK;
			break;
		}
		curl_multi_poll(m, NULL, 0, POLL_MS, NULL);
	}
	if (oc->rc == CURLE_OK) {
		oc->rc = CURLE_GOT_NOTHING;
		while ((msg = curl_multi_info_read(m, &left)))
			if (msg->msg == CURLMSG_DONE)
				oc->rc = msg->data.result;
	}
	curl_multi_remove_handle(m, e);
	added = 0;

	oc->ms = now_ms() - t0;
	oc->resent = x.resent;
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &oc->status);
	curl_easy_getinfo(e, CURLINFO_OS_ERRNO, &oserr);
	curl_easy_getinfo(e, CURLINFO_HTTP_CONNECTCODE, &connect_code);
	curl_easy_getinfo(e, CURLINFO_PRETRANSFER_TIME_T, &pre);
	curl_easy_getinfo(e, CURLINFO_REQUEST_SIZE, &sent);
	oc->verify = -1;
	curl_easy_getinfo(e, CURLINFO_SSL_VERIFYRESULT, &oc->verify);
	/* Whether the request may have reached the server (then a POST is
	 * not repeated); a refused CONNECT means it never did. */
	oc->connected = connect_code < 300 &&
			(pre > 0 || sent > 0 || oc->status > 0);
	if (oc->rc == CURLE_OK) {
		resp->status = oc->status;
		resp->body = x.body ? x.body : strdup("");
		resp->body_len = x.len;
		x.body = NULL;
		if (!resp->body) {
			http_response_clear(resp);
			rc = ad_error_set(err, AD_ENOMEM, _("out of memory"));
		}
		goto out;
	}
	if (oc->rc == CURLE_FILESIZE_EXCEEDED)
		x.too_big = 1;
	if (oc->rc == CURLE_ABORTED_BY_CALLBACK && !cancelled(hc))
		oc->net = AD_NET_OTHER;
	else if (connect_code >= 300) {
		oc->net = classify_proxy(resp, connect_code);
		proxy_error(resp, proxy_says, sizeof proxy_says);
	}
	else
		oc->net = classify(oc->rc, oserr);
	if (x.too_big || x.too_many_headers || x.header_too_long)
		oc->net = AD_NET_OTHER;
	oc->status = 0;
	http_response_clear(resp);
	rc = failure(hc, req, &x, oc, connect_code, proxy_says, errbuf, err);
out:
	free(x.body);
	if (added)
		curl_multi_remove_handle(m, e);
	curl_multi_cleanup(m);
	curl_easy_cleanup(e);
	free_headers(hdrs);
	return rc;
}

/* ---------- retries ---------- */

static int retry_status(long s)
{
	return s == 429 || s == 500 || s == 502 || s == 503 || s == 504;
}

/* Milliseconds the server asked for, -1 when it did not say.  Retry-After
 * is seconds or an HTTP-date; Azure also sends retry-after-ms. */
static long long server_delay(const struct http_response *r)
{
	const char *v;
	char *end;
	long long n;
	time_t when;

	v = http_response_header(r, "retry-after-ms");
	if (!v)
		v = http_response_header(r, "x-ms-retry-after-ms");
	if (v && isdigit((unsigned char)*v)) {
		n = strtoll(v, &end, 10);
		if (*end == '\0' && n >= 0 && n < 86400000LL)
			return n;
	}
	v = http_response_header(r, "Retry-After");
	if (!v)
		return -1;
	if (isdigit((unsigned char)*v)) {
		errno = 0;
		n = strtoll(v, &end, 10);
		if (*end != '\0' || errno || n < 0)
			return -1;
		return n > 86400 ? 86400000LL : n * 1000;
	}
	when = curl_getdate(v, NULL);
	if (when == (time_t)-1)
		return -1;
	n = (long long)(when - time(NULL));
	return n <= 0 ? 0 : (n > 86400 ? 86400000LL : n * 1000);
}

/* Sleep ms in small steps; 1 when cancelled meanwhile. */
static int pause_ms(struct hc *hc, long long ms)
{
	long long until = now_ms() + ms, left;
	struct timespec ts;

	while ((left = until - now_ms()) > 0) {
		if (cancelled(hc))
			return 1;
		if (left > POLL_MS)
			left = POLL_MS;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)left * 1000000L;
		nanosleep(&ts, NULL);
	}
	return cancelled(hc);
}

static void log_attempt(struct hc *hc, const struct http_request *req,
			const char *url, const struct outcome *oc, int rc,
			int n, long long retry_in)
{
	char label[64];
	size_t i;

	if (!hc->o.debug)
		return;
	snprintf(label, sizeof label, "%s",
		 req->auth_label ? req->auth_label : "-");
	for (i = 0; label[i]; i++)
		if (label[i] == ' ')
			label[i] = '_';   /* keeps the line key=value */
		else if ((unsigned char)label[i] < 0x20 ||
			 (unsigned char)label[i] >= 0x7f)
			label[i] = '?';
	/* Not translated: a fixed, greppable format like curl -v. */
	flockfile(hc->o.debug);
	fprintf(hc->o.debug, "http: %s %s status=%ld ms=%lld try=%d auth=%s",
		req->method, url, oc->status, oc->ms, n, label);
	if (oc->rc != CURLE_OK)
		fprintf(hc->o.debug, " error=%s", ad_net_str(oc->net));
	else if (rc != 0)
		fprintf(hc->o.debug, " error=%s", ad_strerror(rc));
	if (oc->resent)
		fprintf(hc->o.debug, " resent=%d", oc->resent);
	if (retry_in >= 0)
		fprintf(hc->o.debug, " retry_in_ms=%lld", retry_in);
	fputc('\n', hc->o.debug);
	fflush(hc->o.debug);
	funlockfile(hc->o.debug);
}

static int hc_send(void *impl, const struct http_request *req,
		   struct http_response *resp, struct ad_error *err)
{
	struct hc *hc = impl;
	char url[URL_LOG_MAX];
	struct outcome oc;
	long long waited = 0, delay, base;
	int n, rc, idempotent, retry;
	unsigned shift;

	memset(resp, 0, sizeof *resp);
	if (!is_method(req->method, "GET") && !is_method(req->method, "HEAD") &&
	    !is_method(req->method, "PUT") && !is_method(req->method, "PATCH") &&
	    !is_method(req->method, "POST") && !is_method(req->method, "DELETE"))
		return ad_error_set(err, AD_EINVAL, _("unsupported HTTP method"));
	http_redact_url(req->url, url, sizeof url);
	idempotent = !is_method(req->method, "POST") &&
		     !is_method(req->method, "PATCH");
	for (n = 1;; n++) {
		if (cancelled(hc)) {
			http_response_clear(resp);
			ad_error_set(err, AD_ECANCEL, _("cancelled"));
			return ad_error_net(err, AD_NET_CANCELLED);
		}
		rc = attempt(hc, req, resp, &oc, err);
		if (rc == 0 && (!retry_status(oc.status) ||
				(!idempotent && oc.status != 429 &&
				 oc.status != 503)))
			retry = 0;
		else if (rc == 0)
			retry = 1;
		else if (oc.rc == CURLE_OK)   /* failed before sending */
			retry = 0;
		else if (oc.net == AD_NET_REFUSED || oc.net == AD_NET_TIMEOUT ||
			 oc.net == AD_NET_RESET)
			retry = idempotent ? !(oc.net == AD_NET_TIMEOUT &&
					       oc.connected) : !oc.connected;
		else
			retry = 0;
		if (n > hc->o.max_retries)
			retry = 0;
		/* A request with its own short limit is a probe (is there a
		 * metadata service?): one try, the answer is "no" quickly. */
		if (req->timeout_ms > 0 && rc != 0)
			retry = 0;
		delay = -1;
		if (retry) {
			delay = rc == 0 ? server_delay(resp) : -1;
			if (delay < 0) {
				shift = (unsigned)(n - 1 < 20 ? n - 1 : 20);
				base = hc->o.retry_base_ms << shift;
				if (base > hc->o.max_retry_wait_ms)
					base = hc->o.max_retry_wait_ms;
				/* equal jitter: half fixed, half random */
				delay = base / 2 + (long long)(rng_next(hc) %
					(unsigned long long)(base / 2 + 1));
			}
			if (waited + delay > hc->o.max_retry_wait_ms) {
				retry = 0;
				delay = -1;
			}
		}
		log_attempt(hc, req, url, &oc, rc, n, delay);
		if (!retry)
			return rc;
		http_thread_count_retry();
		if (hc->o.on_retry)
			hc->o.on_retry(hc->o.on_retry_arg, req->method, url,
				       oc.status, n + 1,
				       delay > INT_MAX ? INT_MAX : (int)delay);
		http_response_clear(resp);
		if (pause_ms(hc, delay)) {
			ad_error_set(err, AD_ECANCEL, _("cancelled"));
			return ad_error_net(err, AD_NET_CANCELLED);
		}
		waited += delay;
		ad_error_clear(err);
	}
}

/* ---------- construction ---------- */

static void hc_free(void *impl)
{
	struct hc *hc = impl;
	int i;

	if (!hc)
		return;
	if (hc->share)
		curl_share_cleanup(hc->share);
	if (hc->mutexes) {
		for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
			pthread_mutex_destroy(&hc->locks[i]);
		pthread_mutex_destroy(&hc->rng_lock);
	}
	free(hc->ca_file);
	free(hc);
}

static const struct http_ops hc_ops = { "live", hc_send, hc_free };

void http_curl_opts_init(struct http_curl_opts *o)
{
	memset(o, 0, sizeof *o);
	o->connect_timeout_ms = 10000;
	o->timeout_ms = 60000;
	o->max_retries = 3;
	o->max_retry_wait_ms = 60000;
	o->retry_base_ms = 500;
	o->max_body = HTTP_CURL_MAX_BODY;
}

struct http_transport *http_curl_new(const struct http_curl_opts *o,
				     struct ad_error *err)
{
	static const char *const env[] = {
		"SSL_CERT_FILE", "CURL_CA_BUNDLE", "REQUESTS_CA_BUNDLE", NULL
	};
	struct http_transport *t = NULL;
	struct hc *hc = NULL;
	const char *ca;
	FILE *f;
	int i;

	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK) {
		ad_error_set(err, AD_EIO, _("libcurl could not be initialised"));
		return NULL;
	}
	t = calloc(1, sizeof *t);
	hc = calloc(1, sizeof *hc);
	if (!t || !hc)
		goto oom;
	if (o)
		hc->o = *o;
	else
		http_curl_opts_init(&hc->o);
	if (hc->o.max_retries < 0)
		hc->o.max_retries = 0;
	if (hc->o.retry_base_ms < 1)
		hc->o.retry_base_ms = 1;
	if (hc->o.max_retry_wait_ms < 0)
		hc->o.max_retry_wait_ms = 0;
	if (hc->o.max_body == 0)
		hc->o.max_body = HTTP_CURL_MAX_BODY;
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&hc->locks[i], NULL);
	pthread_mutex_init(&hc->rng_lock, NULL);
	hc->mutexes = 1;
	hc->rng = hc->o.seed;

	ca = hc->o.ca_file;
	for (i = 0; !ca && env[i]; i++) {
		ca = getenv(env[i]);
		if (ca && !*ca)
			ca = NULL;
	}
	if (ca) {
		f = fopen(ca, "r");
		if (!f) {
			ad_error_set(err, AD_ENOTFOUND,
				     _("cannot read the CA bundle %.300s"), ca);
			goto fail;
		}
		fclose(f);
		hc->ca_file = strdup(ca);
		if (!hc->ca_file)
			goto oom;
	}

	hc->share = curl_share_init();
	if (!hc->share)
		goto oom;
	curl_share_setopt(hc->share, CURLSHOPT_LOCKFUNC, share_lock);
	curl_share_setopt(hc->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
	curl_share_setopt(hc->share, CURLSHOPT_USERDATA, hc);
	curl_share_setopt(hc->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	/* A TLS session shared between threads is mutated by OpenSSL while
	 * another thread resumes it: libcurl before 8.10.0 shares the object
	 * itself (a data race ThreadSanitizer sees), so older ones pay a full
	 * handshake per connection instead. */
	if (curl_version_info(CURLVERSION_NOW)->version_num >= 0x080a00)
		curl_share_setopt(hc->share, CURLSHOPT_SHARE,
				  CURL_LOCK_DATA_SSL_SESSION);
	curl_share_setopt(hc->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	hc->o.ca_file = hc->ca_file;
	hc->t = t;
	t->ops = &hc_ops;
	t->impl = hc;
	return t;
oom:
	ad_error_set(err, AD_ENOMEM, _("out of memory"));
fail:
	free(t);
	hc_free(hc);
	return NULL;
}
