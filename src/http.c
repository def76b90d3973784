#include "config.h"
#include "http.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "i18n.h"

static _Thread_local unsigned long sent;

unsigned long http_thread_sent(void)
{
	return sent;
}

void http_thread_count_retry(void)
{
	sent++;
}

int http_send(struct http_transport *t, const struct http_request *req,
	      struct http_response *resp, struct ad_error *err)
{
	memset(resp, 0, sizeof *resp);
	if (!t || !t->ops || !req || !req->method || !req->url)
		return ad_error_set(err, AD_EINVAL, _("no transport or request"));
	if (ad_cancelled(t->cancel)) {
		ad_error_set(err, AD_ECANCEL, _("cancelled"));
		return ad_error_net(err, AD_NET_CANCELLED);
	}
	sent++;
	return t->ops->send(t->impl, req, resp, err);
}

void http_response_clear(struct http_response *resp)
{
	size_t i;

	if (!resp)
		return;
	free(resp->body);
	for (i = 0; i < resp->nheaders; i++) {
		free(resp->headers[i].name);
		free(resp->headers[i].value);
	}
	free(resp->headers);
	memset(resp, 0, sizeof *resp);
}

const char *http_response_header(const struct http_response *resp,
				 const char *name)
{
	size_t i;

	for (i = 0; resp && i < resp->nheaders; i++)
		if (strcasecmp(resp->headers[i].name, name) == 0)
			return resp->headers[i].value;
	return NULL;
}

int http_response_add_header(struct http_response *resp, const char *name,
			     const char *value)
{
	struct http_header *h;

	h = realloc(resp->headers, (resp->nheaders + 1) * sizeof *h);
	if (!h)
		return AD_ENOMEM;
	resp->headers = h;
	h[resp->nheaders].name = strdup(name);
	h[resp->nheaders].value = strdup(value);
	if (!h[resp->nheaders].name || !h[resp->nheaders].value) {
		free(h[resp->nheaders].name);
		free(h[resp->nheaders].value);
		return AD_ENOMEM;
	}
	resp->nheaders++;
	return 0;
}

void http_transport_free(struct http_transport *t)
{
	if (!t)
		return;
	if (t->ops && t->ops->free)
		t->ops->free(t->impl);
	free(t);
}
