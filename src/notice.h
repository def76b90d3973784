/* notice.h - what a worker thread tells the screen while it works.
 *
 * A small locked queue of events: retries ("throttled, retrying in 4 s"),
 * device-code sign-in prompts and progress.  Any thread may post; the
 * front end pops them on its own thread between keys and keeps the
 * newest one to show on its spinner line.  No curses here.
 *
 * The queue is bounded: when it is full the oldest progress or retry
 * event is dropped (a sign-in prompt never is: the user must see it).
 * notice_queue_free(NULL) is a no-op. */
#ifndef AD_NOTICE_H
#define AD_NOTICE_H

#include <stddef.h>

enum notice_kind {
	NOTICE_PROGRESS,     /* "Finding aks-shop in Azure" */
	NOTICE_RETRY,        /* "throttled, retrying in 4 s" */
	NOTICE_DEVICE_CODE   /* sign in: text, uri and code to show */
};

struct notice {
	enum notice_kind kind;
	char text[512];      /* one line, control characters removed */
	char uri[256];       /* device code only */
	char code[64];       /* device code only (the user code: not a secret
			      * of the program's, the user types it) */
};

struct notice_queue;

struct notice_queue *notice_queue_new(void);
void notice_queue_free(struct notice_queue *q);

/* Post an event (copied, cut to fit, control characters removed). */
void notice_post(struct notice_queue *q, enum notice_kind kind,
		 const char *text, const char *uri, const char *code);
/* Progress with a printf format. */
void notice_progress(struct notice_queue *q, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Take the oldest event: 1 and *out filled, or 0 when empty. */
int notice_pop(struct notice_queue *q, struct notice *out);
/* The text of the newest retry or progress event posted (popped or
 * not), "" when none since notice_clear_latest. */
void notice_latest(struct notice_queue *q, char *buf, size_t len);
void notice_clear_latest(struct notice_queue *q);

/* Callbacks of the shape struct live_opts wants; arg is the queue. */
void notice_on_retry(void *arg, const char *method, const char *url,
		     long status, int attempt, int delay_ms);
void notice_on_prompt(void *arg, const char *message, const char *uri,
		      const char *code);

#endif
