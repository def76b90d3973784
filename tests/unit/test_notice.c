/* test_notice.c - the queue from worker threads to the screen. */
#include "config.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "notice.h"

static void test_order_and_latest(void **state)
{
	struct notice_queue *q = notice_queue_new();
	struct notice n;
	char buf[64];

	(void)state;
	assert_non_null(q);
	assert_int_equal(notice_pop(q, &n), 0);
	notice_latest(q, buf, sizeof buf);
	assert_string_equal(buf, "");
	notice_progress(q, "step %d", 1);
	notice_on_retry(q, "GET", "https://example.invalid/x?sig=secret", 429, 0, 3500);
	notice_latest(q, buf, sizeof buf);
	assert_string_equal(buf, "throttled, retrying in 4 s (GET, try 1)");
	assert_int_equal(notice_pop(q, &n), 1);
	assert_int_equal(n.kind, NOTICE_PROGRESS);
	assert_string_equal(n.text, "step 1");
	assert_int_equal(notice_pop(q, &n), 1);
	assert_int_equal(n.kind, NOTICE_RETRY);
	/* The URL (it may carry a signature) is never in the notice. */
	assert_null(strstr(n.text, "secret"));
	assert_null(strstr(n.text, "example.invalid"));
	assert_int_equal(notice_pop(q, &n), 0);
	/* Popping leaves the newest for the spinner line until cleared. */
	notice_latest(q, buf, sizeof buf);
	assert_string_equal(buf, "throttled, retrying in 4 s (GET, try 1)");
	notice_clear_latest(q);
	notice_latest(q, buf, sizeof buf);
	assert_string_equal(buf, "");
	notice_on_retry(q, "PUT", "u", 503, 2, 1000);
	notice_latest(q, buf, sizeof buf);
	assert_string_equal(buf, "HTTP 503, retrying in 1 s (PUT, try 3)");
	notice_on_retry(q, "GET", "u", 0, 0, 250);
	notice_latest(q, buf, sizeof buf);
	assert_string_equal(buf, "no answer, retrying in 1 s (GET, try 1)");
	notice_queue_free(q);
	notice_queue_free(NULL);
}

/* A full queue drops old progress, never a sign-in prompt. */
static void test_full_keeps_prompt(void **state)
{
	struct notice_queue *q = notice_queue_new();
	struct notice n;
	int i, prompts = 0, last = -1, count = 0;

	(void)state;
	assert_non_null(q);
	notice_on_prompt(q, "To sign in, open https://microsoft.com/devicelogin",
			 "https://microsoft.com/devicelogin", "FABC123");
	for (i = 0; i < 100; i++)
		notice_progress(q, "%d", i);
	while (notice_pop(q, &n)) {
		count++;
		if (n.kind == NOTICE_DEVICE_CODE) {
			prompts++;
			assert_string_equal(n.code, "FABC123");
			assert_string_equal(n.uri, "https://microsoft.com/devicelogin");
			continue;
		}
		/* The rest are the newest, in order. */
		assert_true(atoi(n.text) > last);
		last = atoi(n.text);
	}
	assert_true(count > 1);
	assert_int_equal(prompts, 1);
	assert_int_equal(last, 99);
	notice_queue_free(q);
}

/* Control characters (a terminal escape in a server's text) go. */
static void test_sanitized(void **state)
{
	struct notice_queue *q = notice_queue_new();
	struct notice n;
	char big[2000];

	(void)state;
	notice_post(q, NOTICE_DEVICE_CODE, "a\x1b[2Jb\nc", "u\rv", "C\x07" "D");
	assert_int_equal(notice_pop(q, &n), 1);
	assert_null(strchr(n.text, '\x1b'));
	assert_null(strchr(n.text, '\n'));
	assert_null(strchr(n.uri, '\r'));
	assert_null(strchr(n.code, '\x07'));
	assert_string_equal(n.code, "C D");
	assert_string_equal(n.text, "a [2Jb c");
	/* Cut to fit on a character boundary: "é" is two bytes. */
	memset(big, 0, sizeof big);
	for (size_t i = 0; i + 2 < sizeof big; i += 2)
		memcpy(big + i, "\xc3\xa9", 2);
	notice_post(q, NOTICE_PROGRESS, big, NULL, NULL);
	assert_int_equal(notice_pop(q, &n), 1);
	assert_true(strlen(n.text) % 2 == 0);
	assert_true(strlen(n.text) > 0);
	notice_queue_free(q);
}

struct poster {
	struct notice_queue *q;
	int id;
	volatile int *ended;
	pthread_mutex_t *mu;
};

static void *post_many(void *arg)
{
	struct poster *p = arg;
	int i;

	for (i = 0; i < 1000; i++)
		notice_progress(p->q, "%d:%d", p->id, i);
	pthread_mutex_lock(p->mu);
	(*p->ended)++;
	pthread_mutex_unlock(p->mu);
	return NULL;
}

/* Several workers post while the screen pops: nothing torn, each
 * worker's order kept (old events may be dropped when full). */
static void test_threads(void **state)
{
	struct notice_queue *q = notice_queue_new();
	struct poster p[4];
	pthread_t th[4];
	pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	volatile int ended = 0;
	int last[4] = { -1, -1, -1, -1 }, i, got = 0, all = 0;
	struct notice n;

	(void)state;
	for (i = 0; i < 4; i++) {
		p[i].q = q;
		p[i].id = i;
		p[i].ended = &ended;
		p[i].mu = &mu;
		assert_int_equal(pthread_create(&th[i], NULL, post_many, &p[i]), 0);
	}
	for (;;) {
		int id, k, e;

		pthread_mutex_lock(&mu);
		e = ended;
		pthread_mutex_unlock(&mu);
		while (notice_pop(q, &n)) {
			assert_int_equal(sscanf(n.text, "%d:%d", &id, &k), 2);
			assert_true(id >= 0 && id < 4);
			assert_true(k > last[id] && k < 1000);
			last[id] = k;
			got++;
		}
		if (all)
			break;
		all = e == 4;   /* one more drain after every worker ended */
	}
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	assert_true(got > 0);
	notice_queue_free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_latest),
		cmocka_unit_test(test_full_keeps_prompt),
		cmocka_unit_test(test_sanitized),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
