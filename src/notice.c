/* notice.c - the worker-to-screen event queue. */
#include "config.h"
#include "notice.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"

#define NOTICE_MAX 16

struct notice_queue {
	pthread_mutex_t mu;
	struct notice v[NOTICE_MAX];
	size_t head, n;
	char latest[512];
};

struct notice_queue *notice_queue_new(void)
{
	struct notice_queue *q = calloc(1, sizeof *q);

	if (q)
		pthread_mutex_init(&q->mu, NULL);
	return q;
}

void notice_queue_free(struct notice_queue *q)
{
	if (!q)
		return;
	pthread_mutex_destroy(&q->mu);
	free(q);
}

/* Copy one line: control characters become spaces; cut on a UTF-8
 * character boundary. */
static void copy_line(char *dst, size_t len, const char *src)
{
	size_t i = 0;

	if (!len)
		return;
	for (; src && *src && i + 1 < len; src++) {
		unsigned char c = (unsigned char)*src;

		dst[i++] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
	}
	/* Do not leave half a character at the end. */
	if (src && *src)
		while (i > 0 && ((unsigned char)dst[i - 1] & 0xc0) == 0x80)
			i--;
	if (src && *src && i > 0 && ((unsigned char)dst[i - 1] & 0xc0) == 0xc0)
		i--;
	dst[i] = '\0';
}

/* Drop the oldest event that may be dropped; 0 when none can be. */
static int drop_one(struct notice_queue *q)
{
	size_t i;

	for (i = 0; i < q->n; i++) {
		size_t at = (q->head + i) % NOTICE_MAX;

		if (q->v[at].kind != NOTICE_DEVICE_CODE) {
			/* Close the gap: move the older ones up by one. */
			while (i > 0) {
				size_t prev = (q->head + i - 1) % NOTICE_MAX;

				q->v[(q->head + i) % NOTICE_MAX] = q->v[prev];
				i--;
			}
			q->head = (q->head + 1) % NOTICE_MAX;
			q->n--;
			return 1;
		}
	}
	return 0;
}

void notice_post(struct notice_queue *q, enum notice_kind kind,
		 const char *text, const char *uri, const char *code)
{
	struct notice *e;

	if (!q)
		return;
	pthread_mutex_lock(&q->mu);
	if (q->n == NOTICE_MAX && !drop_one(q)) {
		pthread_mutex_unlock(&q->mu);
		return;
	}
	e = &q->v[(q->head + q->n) % NOTICE_MAX];
	memset(e, 0, sizeof *e);
	e->kind = kind;
	copy_line(e->text, sizeof e->text, text);
	copy_line(e->uri, sizeof e->uri, uri);
	copy_line(e->code, sizeof e->code, code);
	q->n++;
	if (kind != NOTICE_DEVICE_CODE)
		snprintf(q->latest, sizeof q->latest, "%s", e->text);
	pthread_mutex_unlock(&q->mu);
}

void notice_progress(struct notice_queue *q, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	notice_post(q, NOTICE_PROGRESS, buf, NULL, NULL);
}

int notice_pop(struct notice_queue *q, struct notice *out)
{
	int got = 0;

	if (!q)
		return 0;
	pthread_mutex_lock(&q->mu);
	if (q->n) {
		*out = q->v[q->head];
		q->head = (q->head + 1) % NOTICE_MAX;
		q->n--;
		got = 1;
	}
	pthread_mutex_unlock(&q->mu);
	return got;
}

void notice_latest(struct notice_queue *q, char *buf, size_t len)
{
	if (!len)
		return;
	buf[0] = '\0';
	if (!q)
		return;
	pthread_mutex_lock(&q->mu);
	snprintf(buf, len, "%s", q->latest);
	pthread_mutex_unlock(&q->mu);
}

void notice_clear_latest(struct notice_queue *q)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->mu);
	q->latest[0] = '\0';
	pthread_mutex_unlock(&q->mu);
}

void notice_on_retry(void *arg, const char *method, const char *url,
		     long status, int attempt, int delay_ms)
{
	char buf[256];
	int s = (delay_ms + 999) / 1000;

	(void)url;   /* may carry a query: not shown */
	if (status == 429)
		snprintf(buf, sizeof buf,
			 _("throttled, retrying in %d s (%s, try %d)"), s,
			 method, attempt + 1);
	else if (status)
		snprintf(buf, sizeof buf,
			 _("HTTP %ld, retrying in %d s (%s, try %d)"), status,
			 s, method, attempt + 1);
	else
		snprintf(buf, sizeof buf,
			 _("no answer, retrying in %d s (%s, try %d)"), s,
			 method, attempt + 1);
	notice_post(arg, NOTICE_RETRY, buf, NULL, NULL);
}

void notice_on_prompt(void *arg, const char *message, const char *uri,
		      const char *code)
{
	notice_post(arg, NOTICE_DEVICE_CODE, message, uri, code);
}
