/* test_textw.c - columns, cutting, wrapping and sanitizing of text. */
#include "config.h"

#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "textw.h"

#define JA "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"          /* 日本語 */
#define JA_TEXT "\xe3\x82\xa4\xe3\x83\xa1\xe3\x83\xbc\xe3\x82\xb8\xe3\x81\xae\xe5\x8f\x96\xe5\xbe\x97\xe3\x81\xab\xe5\xa4\xb1\xe6\x95\x97\xe3\x81\x97\xe3\x81\xbe\xe3\x81\x97\xe3\x81\x9f" /* イメージの取得に失敗しました */
#define ZH "\xe4\xb8\xad\xe6\x96\x87"                      /* 中文 */
#define ZH_TEXT "\xe6\x8b\x89\xe5\x8f\x96\xe6\x98\xa0\xe5\x83\x8f\xe5\xa4\xb1\xe8\xb4\xa5\xef\xbc\x8c\xe5\x87\xba\xe7\xab\x99 IP \xe5\x9c\xb0\xe5\x9d\x80\xe6\x9c\xaa\xe8\xa2\xab\xe5\x85\x81\xe8\xae\xb8" /* 拉取映像失败，出站 IP 地址未被允许 */
#define RU "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82" /* Привет */
#define RU_TEXT "\xd0\xa3\xd0\xb4\xd0\xbe\xd1\x81\xd1\x82\xd0\xbe\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb5\xd0\xbd\xd0\xb8\xd0\xb5 kubelet \xd0\xbd\xd0\xb5 \xd0\xb8\xd0\xbc\xd0\xb5\xd0\xb5\xd1\x82 \xd1\x80\xd0\xbe\xd0\xbb\xd0\xb8 AcrPull \xd0\xb4\xd0\xbb\xd1\x8f \xd1\x80\xd0\xb5\xd0\xb5\xd1\x81\xd1\x82\xd1\x80\xd0\xb0" /* Удостоверение kubelet не имеет роли AcrPull для реестра */
#define SV "\xc3\xa5\xc3\xa4\xc3\xb6"                      /* åäö */
#define SV_TEXT "Kubelet-identiteten saknar beh\xc3\xb6righet att h\xc3\xa4mta avbildningar fr\xc3\xa5n registret \xc3\xa5 \xc3\xa4 \xc3\xb6"
#define REPL "\xef\xbf\xbd"
#define ELL "\xe2\x80\xa6"

static void test_width(void **state)
{
	(void)state;
	assert_int_equal(tw_width(NULL), 0);
	assert_int_equal(tw_width(""), 0);
	assert_int_equal(tw_width("abc"), 3);
	assert_int_equal(tw_width(JA), 6);
	assert_int_equal(tw_width(ZH), 4);
	assert_int_equal(tw_width(RU), 6);
	assert_int_equal(tw_width(SV), 3);
	assert_int_equal(tw_width("AcrPull " JA), 14);
	/* e + combining acute: one column */
	assert_int_equal(tw_width("e\xcc\x81"), 1);
	/* invalid bytes: one replacement column each */
	assert_int_equal(tw_width("a\xff\xfe" "b"), 4);
	assert_int_equal(tw_width("\xe6\x97"), 2);   /* truncated sequence */
	/* a control character is drawn as one replacement cell */
	assert_int_equal(tw_width("a\x01" "b"), 3);
}

static void fit_is(const char *s, int cols, int ell, const char *want,
		   int want_cols)
{
	char buf[256];
	int used = tw_fit(buf, sizeof buf, s, cols, ell);

	assert_string_equal(buf, want);
	assert_int_equal(used, want_cols);
	assert_int_equal(tw_width(buf), want_cols);
	assert_true(used <= cols);
}

static void test_fit(void **state)
{
	(void)state;
	fit_is("hello", 10, 1, "hello", 5);
	fit_is("hello", 5, 1, "hello", 5);
	fit_is("hello world", 5, 1, "hell" ELL, 5);
	fit_is("hello world", 5, 0, "hello", 5);
	fit_is("hello", 0, 1, "", 0);
	fit_is("hello", 1, 1, ELL, 1);
	/* never split a double-width character */
	fit_is(JA, 6, 1, JA, 6);
	fit_is(JA, 5, 1, "\xe6\x97\xa5\xe6\x9c\xac" ELL, 5);
	fit_is(JA, 4, 1, "\xe6\x97\xa5" ELL, 3);
	fit_is(JA, 4, 0, "\xe6\x97\xa5\xe6\x9c\xac", 4);
	fit_is(JA, 3, 0, "\xe6\x97\xa5", 2);
	fit_is(JA, 1, 0, "", 0);
	fit_is(ZH, 3, 1, "\xe4\xb8\xad" ELL, 3);
	fit_is(RU, 4, 1, "\xd0\x9f\xd1\x80\xd0\xb8" ELL, 4);
	fit_is(SV, 2, 1, "\xc3\xa5" ELL, 2);
	fit_is("Sk" SV "ne", 4, 0, "Sk\xc3\xa5\xc3\xa4", 4);
	/* invalid bytes become U+FFFD, controls too, tabs a space */
	fit_is("a\xff" "b", 10, 1, "a" REPL "b", 3);
	fit_is("a\tb", 10, 1, "a b", 3);
	fit_is("a\x1b" "b", 10, 1, "a" REPL "b", 3);
	/* the combining mark stays with its base */
	fit_is("e\xcc\x81" "x", 1, 0, "e\xcc\x81", 1);
}

static void test_fit_small_buffer(void **state)
{
	char buf[8];
	int used;

	(void)state;
	/* 日本語 needs 9 bytes: the cut is at a character boundary */
	used = tw_fit(buf, sizeof buf, JA, 80, 1);
	assert_true(strlen(buf) < sizeof buf);
	assert_string_equal(buf, "\xe6\x97\xa5" ELL);
	assert_int_equal(used, 3);
	used = tw_fit(buf, 1, "abc", 10, 1);
	assert_string_equal(buf, "");
	assert_int_equal(used, 0);
}

static void test_fit_tail(void **state)
{
	char buf[128];
	int used;

	(void)state;
	used = tw_fit_tail(buf, sizeof buf, "aks > 401 > acrpull", 9, 1);
	assert_string_equal(buf, ELL " acrpull");
	assert_int_equal(used, 9);
	used = tw_fit_tail(buf, sizeof buf, "x" JA, 5, 1);
	assert_string_equal(buf, ELL "\xe6\x9c\xac\xe8\xaa\x9e");
	assert_int_equal(used, 5);
	used = tw_fit_tail(buf, sizeof buf, "x" JA, 4, 1);
	assert_string_equal(buf, ELL "\xe8\xaa\x9e");
	assert_int_equal(used, 3);
	used = tw_fit_tail(buf, sizeof buf, "short", 9, 1);
	assert_string_equal(buf, "short");
	assert_int_equal(used, 5);
}

/* Every line within width, nothing lost: the non-space characters of the
 * lines, in order, are those of the text. */
static void check_wrap(const char *text, int width)
{
	size_t n, i;
	char **lines = tw_wrap(text, width, &n);
	char joined[4096] = "", orig[4096] = "";
	size_t a = 0, b = 0;

	assert_non_null(lines);
	assert_true(n >= 1);
	for (i = 0; i < n; i++) {
		int w = tw_width(lines[i]);
		const char *p;

		if (w > width) {
			/* only a lone double-width character may overflow */
			assert_int_equal(width, 1);
			assert_int_equal(w, 2);
		}
		/* no trailing spaces */
		if (*lines[i])
			assert_true(lines[i][strlen(lines[i]) - 1] != ' ');
		for (p = lines[i]; *p; p++)
			if (*p != ' ' && a + 1 < sizeof joined)
				joined[a++] = *p;
	}
	for (; *text; text++)
		if (*text != ' ' && *text != '\n' && b + 1 < sizeof orig)
			orig[b++] = *text;
	joined[a] = orig[b] = '\0';
	assert_string_equal(joined, orig);
	tw_lines_free(lines, n);
}

static void test_wrap_all_widths(void **state)
{
	static const char *texts[] = {
		"The kubelet identity has no AcrPull role on the registry acrshop.",
		JA_TEXT, ZH_TEXT, RU_TEXT, SV_TEXT,
		"Mixed " JA " and " RU " and " SV " text with " ZH ".",
		"averyveryverylongwordwithoutanyspaceatallthatmustbecutsomewhere",
		"/subscriptions/3f2d6a1e-8c4b-4f0e-9b7a-2c1d5e6f7a8b/resourceGroups/rg-registry",
		"para one\n\npara two\n  indented line",
		"",
	};
	size_t t;
	int w;

	(void)state;
	for (t = 0; t < sizeof texts / sizeof texts[0]; t++)
		for (w = 1; w <= 80; w++)
			check_wrap(texts[t], w);
}

static void lines_are(const char *text, int width, const char **want,
		      size_t nwant)
{
	size_t n, i;
	char **lines = tw_wrap(text, width, &n);

	assert_non_null(lines);
	assert_int_equal(n, nwant);
	for (i = 0; i < n; i++)
		assert_string_equal(lines[i], want[i]);
	tw_lines_free(lines, n);
}

static void test_wrap_exact(void **state)
{
	const char *en[] = { "hello", "world" };
	const char *en2[] = { "hello world", "again" };
	const char *ja4[] = { "\xe6\x97\xa5\xe6\x9c\xac", "\xe8\xaa\x9e" };
	const char *ja5[] = { "\xe6\x97\xa5\xe6\x9c\xac", "\xe8\xaa\x9e" };
	const char *ja1[] = { "\xe6\x97\xa5", "\xe6\x9c\xac", "\xe8\xaa\x9e" };
	const char *cut[] = { "abcd", "efgh", "ij" };
	const char *para[] = { "a", "", "b" };
	const char *mixed[] = { "AcrPull", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e" };
	const char *sv[] = { "h\xc3\xa4mta", "fr\xc3\xa5n" };
	const char *ru[] = { RU, "kubelet" };
	const char *empty[] = { "" };
	const char *indent[] = { "  ab", "cd" };
	const char *url[] = { "/subscriptions/",
		"3f2d6a1e-8c4b-4f0e-9b7a-2c1d5e6f7a8b/",
		"resourceGroups/rg-registry" };

	(void)state;
	lines_are("hello world", 5, en, 2);
	lines_are("hello world", 6, en, 2);
	lines_are("hello world again", 11, en2, 2);
	lines_are(JA, 4, ja4, 2);
	lines_are(JA, 5, ja5, 2);
	lines_are(JA, 1, ja1, 3);
	lines_are("abcdefghij", 4, cut, 3);
	lines_are("a\n\nb", 80, para, 3);
	lines_are("a\n\nb\n", 80, para, 3);
	lines_are("AcrPull" JA, 7, mixed, 2);
	lines_are("h\xc3\xa4mta fr\xc3\xa5n", 5, sv, 2);
	lines_are(RU " kubelet", 7, ru, 2);
	lines_are("", 10, empty, 1);
	lines_are("  ab cd", 4, indent, 2);
	lines_are("/subscriptions/3f2d6a1e-8c4b-4f0e-9b7a-2c1d5e6f7a8b/"
		  "resourceGroups/rg-registry", 40, url, 3);
}

/* CJK line breaking: a full-width comma never starts a line, an opening
 * bracket never ends one (the character before moves down with it). */
static void test_wrap_kinsoku(void **state)
{
	/* 链接，并查找 */
	const char *zh[] = { "\xe9\x93\xbe", "\xe6\x8e\xa5\xef\xbc\x8c",
		"\xe5\xb9\xb6\xe6\x9f\xa5", "\xe6\x89\xbe" };
	/* 日本（語） */
	const char *ja[] = { "\xe6\x97\xa5\xe6\x9c\xac",
		"\xef\xbc\x88\xe8\xaa\x9e\xef\xbc\x89" };

	(void)state;
	lines_are("\xe9\x93\xbe\xe6\x8e\xa5\xef\xbc\x8c\xe5\xb9\xb6"
		  "\xe6\x9f\xa5\xe6\x89\xbe", 4, zh, 4);
	lines_are("\xe6\x97\xa5\xe6\x9c\xac\xef\xbc\x88\xe8\xaa\x9e"
		  "\xef\xbc\x89", 6, ja, 2);
}

static void sanitized_is(const char *in, const char *want)
{
	char *s = tw_sanitize_dup(in);
	char buf[64];

	assert_non_null(s);
	assert_string_equal(s, want);
	free(s);
	tw_sanitize(buf, sizeof buf, in);
	assert_string_equal(buf, want);
}

static void test_sanitize(void **state)
{
	(void)state;
	assert_null(tw_sanitize_dup(NULL));
	sanitized_is("plain", "plain");
	sanitized_is("\x1b[31mred\x1b[0m", "red");
	sanitized_is("\x1b[2J\x1b[Hclear", "clear");
	sanitized_is("\x1b]0;evil title\x07ok", "ok");
	sanitized_is("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "link");
	sanitized_is("\x1bPdcs\x1b\\after", "after");
	sanitized_is("\x1b(Bcharset", "charset");
	sanitized_is("\x1b" "7saved", "saved");
	sanitized_is("a\rb\x07" "c\x08" "d\x7f", "abcd");
	sanitized_is("tab\there", "tab here");
	sanitized_is("line1\nline2", "line1\nline2");
	sanitized_is("\xc2\x9b" "31mC1", "C1");        /* U+009B CSI */
	sanitized_is("x\xe2\x80\xaey", "xy");          /* RLO */
	sanitized_is("bad\xff", "bad" REPL);
	sanitized_is(JA " " RU " " SV " " ZH, JA " " RU " " SV " " ZH);
	sanitized_is("trailing esc\x1b", "trailing esc");
}

static void test_sanitize_buf_bound(void **state)
{
	char buf[5];

	(void)state;
	tw_sanitize(buf, sizeof buf, "ab" JA);
	assert_string_equal(buf, "ab");   /* 日 needs 3 more bytes + NUL */
	tw_sanitize(buf, sizeof buf, "\x1b[1mabcdef");
	assert_string_equal(buf, "abcd");
}

static void test_not_utf8_locale(void **state)
{
	char buf[32];

	(void)state;
	assert_true(tw_utf8());
	assert_string_equal(tw_mark(), ELL);
	assert_non_null(setlocale(LC_ALL, "C"));
	assert_false(tw_utf8());
	assert_string_equal(tw_mark(), "~");
	tw_fit(buf, sizeof buf, "hello world", 5, 1);
	assert_string_equal(buf, "hell~");
	/* undecodable bytes are shown as '?' */
	tw_fit(buf, sizeof buf, "a\xc3\xa5", 10, 1);
	assert_string_equal(buf, "a??");
	assert_int_equal(tw_width("a\xc3\xa5"), 3);
	assert_non_null(setlocale(LC_ALL, "C.UTF-8"));
}

/* A translated sentence cut by snprintf loses the half character. */
static void test_utf8_trim(void **state)
{
	static const struct { const char *in, *want; } cases[] = {
		{ "abc\xe6\x97", "abc" },             /* 2 of 3 bytes */
		{ "abc\xe6", "abc" },                  /* lead byte only */
		{ "abc\xe6\x97\xa5", "abc\xe6\x97\xa5" }, /* whole: kept */
		{ "\xd0\xbf\xd1", "\xd0\xbf" },          /* Cyrillic */
		{ "x\xf0\x9f\x98", "x" },              /* 3 of 4 bytes */
		{ "plain", "plain" },
		{ "", "" },
	};
	char buf[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(buf, sizeof buf, "%s", cases[i].in);
		tw_utf8_trim(buf);
		assert_string_equal(buf, cases[i].want);
	}
	tw_utf8_trim(NULL);
}

/* Cuts by bytes, locale-independent, never inside a character. */
static void test_utf8_cut(void **state)
{
	static const char mix[] = "a" SV JA "\xf0\x9f\x98\x80" "z"; /* 1+6+9+4+1 */
	char buf[32];
	size_t max, k;

	(void)state;
	assert_int_equal(tw_utf8_cut(NULL, 5), 0);
	assert_int_equal(tw_utf8_cut("abc", 5), 3);
	assert_int_equal(tw_utf8_cut("abc", 2), 2);
	for (max = 0; max <= sizeof mix; max++) {
		k = tw_utf8_cut(mix, max);
		assert_true(k <= max);
		assert_true(k + 3 >= max || k == strlen(mix));  /* at most 3 bytes lost */
		memcpy(buf, mix, k);
		buf[k] = '\0';
		assert_true(tw_utf8_is_clean(buf));
		tw_clip(buf, max + 1, mix);
		assert_int_equal(strlen(buf), k);
	}
	assert_string_equal(tw_clip(buf, 3, SV), "\xc3\xa5");
	assert_string_equal(tw_clip(buf, 1, SV), "");
	assert_string_equal(tw_clip(buf, sizeof buf, NULL), "");
}

static void test_utf8_clean(void **state)
{
	char *c, buf[8];

	(void)state;
	c = tw_utf8_clean_dup("a\x1b[2Jb\x1b]52;c;ZXZp\x07" "c\xff" "d\xe2\x80\xae" "e\n\tf\xc2\x85g\x07");
	assert_non_null(c);
	assert_string_equal(c, "abc" REPL "de f g");
	assert_true(tw_utf8_is_clean(c));
	free(c);
	/* overlong, surrogate, truncated: each byte a replacement */
	c = tw_utf8_clean_dup("\xc0\xaf\xed\xa0\x80\xe6\x97");
	assert_string_equal(c, REPL REPL REPL REPL REPL REPL REPL);
	free(c);
	assert_null(tw_utf8_clean_dup(NULL));
	assert_true(tw_utf8_is_clean(""));
	assert_true(tw_utf8_is_clean(JA_TEXT));
	assert_false(tw_utf8_is_clean("a\nb"));
	assert_false(tw_utf8_is_clean("a\x7f"));
	assert_false(tw_utf8_is_clean("a\xc2\x9b"));
	assert_false(tw_utf8_is_clean("\xe2\x80\xae"));
	assert_false(tw_utf8_is_clean("\xe6\x97"));
	assert_false(tw_utf8_is_clean("\xc0\xaf"));
	tw_clean_copy(buf, sizeof buf, "ab\x01" JA);
	assert_string_equal(buf, "ab \xe6\x97\xa5");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_fit),
		cmocka_unit_test(test_fit_small_buffer),
		cmocka_unit_test(test_fit_tail),
		cmocka_unit_test(test_wrap_all_widths),
		cmocka_unit_test(test_wrap_exact),
		cmocka_unit_test(test_wrap_kinsoku),
		cmocka_unit_test(test_utf8_trim),
		cmocka_unit_test(test_sanitize),
		cmocka_unit_test(test_sanitize_buf_bound),
		cmocka_unit_test(test_not_utf8_locale),
		cmocka_unit_test(test_utf8_cut),
		cmocka_unit_test(test_utf8_clean),
	};

	if (!setlocale(LC_ALL, "C.UTF-8") && !setlocale(LC_ALL, "en_US.UTF-8")) {
		fprintf(stderr, "no UTF-8 locale: skipping\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
