#include "config.h"
#include "textw.h"

#include <langinfo.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TW_REPL ((wchar_t)0xFFFD)

int tw_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "utf8") == 0);
}

const char *tw_mark(void)
{
	return tw_utf8() ? "\xe2\x80\xa6" : "~";
}

/* Decode s (n bytes) into an owned wide array; invalid or incomplete
 * sequences become one U+FFFD per byte.  *out_n gets the count. */
static wchar_t *decode(const char *s, size_t n, size_t *out_n)
{
	wchar_t *w = malloc((n + 1) * sizeof *w);
	mbstate_t st;
	size_t i = 0, k = 0;

	if (!w)
		return NULL;
	memset(&st, 0, sizeof st);
	while (i < n) {
		wchar_t wc;
		size_t r = mbrtowc(&wc, s + i, n - i, &st);

		if (r == (size_t)-1 || r == (size_t)-2 || r == 0) {
			w[k++] = TW_REPL;
			i++;
			memset(&st, 0, sizeof st);
			continue;
		}
		w[k++] = wc;
		i += r;
	}
	w[k] = 0;
	*out_n = k;
	return w;
}

/* What is drawn for wc: printable characters as they are, tab and
 * newline as a space, anything unprintable as the replacement. */
static wchar_t shown(wchar_t wc)
{
	if (wc == L'\t' || wc == L'\n')
		return L' ';
	if (wc == TW_REPL)
		return wc;
	if (wcwidth(wc) < 0)
		return TW_REPL;
	return wc;
}

int tw_wcwidth(wchar_t wc)
{
	int w;

	if (wc == TW_REPL)
		return 1;
	w = wcwidth(wc);
	if (w < 0)
		return 1;
	return w > 2 ? 2 : w;
}

int tw_width(const char *s)
{
	wchar_t *w;
	size_t n, i;
	int cols = 0;

	if (!s || !*s)
		return 0;
	w = decode(s, strlen(s), &n);
	if (!w)
		return (int)strlen(s);
	for (i = 0; i < n; i++)
		cols += tw_wcwidth(shown(w[i]));
	free(w);
	return cols;
}

/* Encode one character into out (MB_LEN_MAX); unencodable characters
 * become U+FFFD or '?'.  Returns the byte count. */
static size_t enc1(wchar_t wc, char *out)
{
	mbstate_t st;
	size_t r;

	memset(&st, 0, sizeof st);
	r = wcrtomb(out, wc, &st);
	if (r != (size_t)-1)
		return r;
	memset(&st, 0, sizeof st);
	r = wcrtomb(out, TW_REPL, &st);
	if (r != (size_t)-1)
		return r;
	out[0] = '?';
	return 1;
}

/* Append w[a..b) (shown form) to buf at *pos, leaving reserve bytes and
 * the NUL free.  Stops at a character that does not fit.  Returns 0 when
 * everything fitted. */
static int put(char *buf, size_t len, size_t *pos, const wchar_t *w,
	       size_t a, size_t b, size_t reserve)
{
	char mb[MB_LEN_MAX > 8 ? MB_LEN_MAX : 8];
	size_t i, k;

	for (i = a; i < b; i++) {
		k = enc1(shown(w[i]), mb);
		if (*pos + k + reserve + 1 > len)
			return -1;
		memcpy(buf + *pos, mb, k);
		*pos += k;
	}
	return 0;
}

/* The start both fits share: decode s and, when it fits whole in cols
 * and in buf, copy it and return NULL with *whole set to its columns.
 * Otherwise (or when nothing can be shown: NULL, *whole 0) the decoded
 * text, owned by the caller, with its length in *n. */
static wchar_t *fit_start(char *buf, size_t len, const char *s, int cols,
			  size_t *n, int *whole)
{
	wchar_t *w;
	size_t i, pos = 0;
	int total = 0;

	*whole = 0;
	if (!buf || len == 0)
		return NULL;
	buf[0] = '\0';
	if (!s || cols <= 0 || !(w = decode(s, strlen(s), n)))
		return NULL;
	for (i = 0; i < *n; i++)
		total += tw_wcwidth(shown(w[i]));
	if (total <= cols && put(buf, len, &pos, w, 0, *n, 0) == 0) {
		buf[pos] = '\0';
		free(w);
		*whole = total;
		return NULL;
	}
	buf[0] = '\0';
	return w;
}

int tw_fit(char *buf, size_t len, const char *s, int cols, int ellipsis)
{
	const char *mark = tw_mark();
	wchar_t *w;
	size_t n, i, pos = 0;
	int used = 0, avail;

	if (!(w = fit_start(buf, len, s, cols, &n, &used)))
		return used;
	avail = ellipsis ? cols - 1 : cols;
	for (i = 0; i < n; i++) {
		int cw = tw_wcwidth(shown(w[i]));

		if (used + cw > avail)
			break;
		used += cw;
	}
	/* Keep as much as also fits in the buffer, mark included. */
	{
		size_t k, reserve = ellipsis ? strlen(mark) : 0;
		char mb[MB_LEN_MAX > 8 ? MB_LEN_MAX : 8];
		size_t j;

		used = 0;
		for (j = 0; j < i; j++) {
			k = enc1(shown(w[j]), mb);
			if (pos + k + reserve + 1 > len)
				break;
			memcpy(buf + pos, mb, k);
			pos += k;
			used += tw_wcwidth(shown(w[j]));
		}
		if (ellipsis && cols >= 1 && pos + strlen(mark) + 1 <= len) {
			memcpy(buf + pos, mark, strlen(mark));
			pos += strlen(mark);
			used += 1;
		}
	}
	buf[pos] = '\0';
	free(w);
	return used;
}

int tw_fit_tail(char *buf, size_t len, const char *s, int cols, int ellipsis)
{
	const char *mark = tw_mark();
	wchar_t *w;
	size_t n, i, start, pos = 0;
	int used = 0, avail;

	if (!(w = fit_start(buf, len, s, cols, &n, &used)))
		return used;
	avail = ellipsis ? cols - 1 : cols;
	start = n;
	while (start > 0) {
		int cw = tw_wcwidth(shown(w[start - 1]));

		if (used + cw > avail)
			break;
		used += cw;
		start--;
	}
	/* A combining mark without its base is dropped. */
	while (start < n && tw_wcwidth(shown(w[start])) == 0)
		start++;
	/* Shrink further if the bytes do not fit the buffer. */
	pos = 0;
	for (;;) {
		size_t need = 0, j;
		char mb[MB_LEN_MAX > 8 ? MB_LEN_MAX : 8];

		for (j = start; j < n; j++)
			need += enc1(shown(w[j]), mb);
		if (ellipsis)
			need += strlen(mark);
		if (need + 1 <= len || start >= n)
			break;
		start++;
	}
	used = 0;
	if (ellipsis && cols >= 1 && strlen(mark) + 1 <= len) {
		memcpy(buf, mark, strlen(mark));
		pos = strlen(mark);
		used = 1;
	}
	put(buf, len, &pos, w, start, n, 0);
	for (i = start; i < n; i++)
		used += tw_wcwidth(shown(w[i]));
	buf[pos] = '\0';
	free(w);
	return used;
}

/* ---------- wrapping ---------- */

struct lines {
	char **v;
	size_t n, cap;
};

static int lines_add(struct lines *l, const wchar_t *w, size_t a, size_t b)
{
	char mb[MB_LEN_MAX > 8 ? MB_LEN_MAX : 8];
	size_t i, bytes = 0, k;
	char *s;

	while (b > a && w[b - 1] == L' ')
		b--;
	for (i = a; i < b; i++)
		bytes += enc1(shown(w[i]), mb);
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		char **v = realloc(l->v, cap * sizeof *v);

		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	s = malloc(bytes + 1);
	if (!s)
		return -1;
	bytes = 0;
	for (i = a; i < b; i++) {
		k = enc1(shown(w[i]), s + bytes);
		bytes += k;
	}
	s[bytes] = '\0';
	l->v[l->n++] = s;
	return 0;
}

/* CJK line-breaking rules (kinsoku), the common core: closing
 * punctuation never starts a line, opening brackets never end one. */
static int no_line_start(wchar_t c)
{
	return c && wcschr(L"\x3001\x3002\xFF0C\xFF0E\xFF1A\xFF1B\xFF01"
			   L"\xFF1F\xFF09\x300D\x300F\x3011\x3009\x300B"
			   L"\x30FC\x2026\x30FB\xFF5E,.;:!?)]}", c) != NULL;
}

static int no_line_end(wchar_t c)
{
	return c && wcschr(L"\xFF08\x300C\x300E\x3010\x3008\x300A([{",
			   c) != NULL;
}

/* May a line end just before w[p] (start < p < b)? */
static int may_break(const wchar_t *w, size_t start, size_t p, size_t b)
{
	if (p <= start || p >= b)
		return 0;
	return !no_line_start(w[p]) && !no_line_end(w[p - 1]);
}

/* Wrap one paragraph w[a..b). */
static int wrap_para(struct lines *l, const wchar_t *w, size_t a, size_t b,
		     int width)
{
	size_t start = a;
	int first = 1;

	if (a == b)
		return lines_add(l, w, a, a);
	while (start < b) {
		size_t i, end, brk = 0;
		int used = 0, have_brk = 0, seen = 0;

		if (!first) {
			while (start < b && w[start] == L' ')
				start++;
			if (start == b)
				break;
		}
		end = b;
		for (i = start; i < b; i++) {
			int cw = tw_wcwidth(shown(w[i]));

			if (used + cw > width) {
				if (i == start)
					end = i + 1;   /* lone wide char */
				else if (w[i] == L' ')
					end = i;
				else if (have_brk)
					end = brk;
				else
					end = i;
				break;
			}
			used += cw;
			if (w[i] == L' ') {
				if (seen) {
					brk = i;
					have_brk = 1;
				}
				continue;
			}
			if (w[i] == L'/' && seen && i + 1 < b && w[i + 1] != L' ') {
				/* paths and URLs break after a slash */
				brk = i + 1;
				have_brk = 1;
			} else if (cw == 2) {
				if (seen && may_break(w, start, i, b)) {
					brk = i;
					have_brk = 1;
				}
				if (i + 1 < b && tw_wcwidth(shown(w[i + 1])) > 0 &&
				    may_break(w, start, i + 1, b)) {
					brk = i + 1;
					have_brk = 1;
				}
			}
			seen = 1;
		}
		if (lines_add(l, w, start, end) != 0)
			return -1;
		start = end;
		first = 0;
	}
	return 0;
}

char **tw_wrap(const char *s, int width, size_t *n)
{
	struct lines l = { 0 };
	wchar_t *w;
	size_t len, i, a;

	*n = 0;
	if (width < 1)
		width = 1;
	if (!s)
		s = "";
	w = decode(s, strlen(s), &len);
	if (!w)
		return NULL;
	/* A single trailing newline ends the text, it adds no line. */
	if (len > 0 && w[len - 1] == L'\n')
		len--;
	a = 0;
	for (i = 0; i <= len; i++) {
		if (i < len && w[i] != L'\n')
			continue;
		if (wrap_para(&l, w, a, i, width) != 0)
			goto fail;
		a = i + 1;
	}
	free(w);
	*n = l.n;
	return l.v;
fail:
	free(w);
	tw_lines_free(l.v, l.n);
	return NULL;
}

void tw_lines_free(char **lines, size_t n)
{
	size_t i;

	if (!lines)
		return;
	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

/* ---------- sanitizing ---------- */

static int is_bidi_control(wchar_t c)
{
	return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

/* Index after the control sequence starting at w[i] (an ESC or a C1
 * introducer). */
static size_t skip_sequence(const wchar_t *w, size_t n, size_t i)
{
	wchar_t c = w[i];
	int kind;     /* 'C' CSI, 'S' string (OSC, DCS, SOS, PM, APC) */

	if (c == 0x1B) {
		if (i + 1 >= n)
			return n;
		c = w[i + 1];
		i += 2;
		if (c == L'[')
			kind = 'C';
		else if (c == L']' || c == L'P' || c == L'X' || c == L'^' ||
			 c == L'_')
			kind = 'S';
		else {
			/* nF: intermediates then one final byte. */
			if (c >= 0x20 && c <= 0x2F) {
				while (i < n && w[i] >= 0x20 && w[i] <= 0x2F)
					i++;
				if (i < n)
					i++;
			}
			return i;
		}
	} else {
		i++;
		if (c == 0x9B)
			kind = 'C';
		else if (c == 0x9D || c == 0x90 || c == 0x98 || c == 0x9E ||
			 c == 0x9F)
			kind = 'S';
		else
			return i;
	}
	if (kind == 'C') {
		while (i < n && w[i] >= 0x20 && w[i] <= 0x3F)
			i++;
		if (i < n && w[i] >= 0x40 && w[i] <= 0x7E)
			i++;
		return i;
	}
	while (i < n) {
		if (w[i] == 0x07 || w[i] == 0x9C)
			return i + 1;
		if (w[i] == 0x1B && i + 1 < n && w[i + 1] == L'\\')
			return i + 2;
		i++;
	}
	return n;
}

/* Sanitize into an owned wide array. */
static wchar_t *sanitize_w(const char *s, size_t *out_n)
{
	size_t n, i = 0, k = 0;
	wchar_t *w = decode(s, strlen(s), &n);

	if (!w)
		return NULL;
	while (i < n) {
		wchar_t c = w[i];

		if (c == 0x1B || (c >= 0x80 && c <= 0x9F)) {
			i = skip_sequence(w, n, i);
			continue;
		}
		i++;
		if (c == L'\t')
			c = L' ';
		else if ((c < 0x20 && c != L'\n') || c == 0x7F ||
			 is_bidi_control(c))
			continue;
		w[k++] = c;
	}
	w[k] = 0;
	*out_n = k;
	return w;
}

char *tw_sanitize_dup(const char *s)
{
	char mb[MB_LEN_MAX > 8 ? MB_LEN_MAX : 8];
	wchar_t *w;
	size_t n, i, bytes = 0;
	char *out;

	if (!s)
		return NULL;
	w = sanitize_w(s, &n);
	if (!w)
		return NULL;
	for (i = 0; i < n; i++)
		bytes += enc1(w[i], mb);
	out = malloc(bytes + 1);
	if (out) {
		bytes = 0;
		for (i = 0; i < n; i++)
			bytes += enc1(w[i], out + bytes);
		out[bytes] = '\0';
	}
	free(w);
	return out;
}

void tw_sanitize(char *buf, size_t len, const char *s)
{
	char mb[MB_LEN_MAX > 8 ? MB_LEN_MAX : 8];
	wchar_t *w;
	size_t n, i, pos = 0, k;

	if (!buf || len == 0)
		return;
	buf[0] = '\0';
	if (!s)
		return;
	w = sanitize_w(s, &n);
	if (!w)
		return;
	for (i = 0; i < n; i++) {
		k = enc1(w[i], mb);
		if (pos + k + 1 > len)
			break;
		memcpy(buf + pos, mb, k);
		pos += k;
	}
	buf[pos] = '\0';
	free(w);
}

void tw_utf8_trim(char *s)
{
	size_t n = s ? strlen(s) : 0, i = n, need;
	unsigned char c;

	/* Back over continuation bytes to the lead byte of the last
	 * character, then see whether it has all its bytes. */
	while (i > 0 && n - i < 4 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
		i--;
	if (i == 0)
		return;
	c = (unsigned char)s[i - 1];
	if (c < 0x80)
		return;
	need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
	if (n - (i - 1) < need)
		s[i - 1] = '\0';
}

/* ---------- UTF-8 whatever the locale ---------- */

/* Length of the valid UTF-8 character at s (n bytes), its code point in
 * *cp; 0 when the bytes there are not one. */
static size_t u8_decode(const unsigned char *s, size_t n, unsigned long *cp)
{
	unsigned long c;
	size_t len, i;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2, c = s[0] & 0x1F;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		len = 3, c = s[0] & 0x0F;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		len = 4, c = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

/* Characters that must not reach a terminal or a JSON field. */
static int u8_control(unsigned long c)
{
	return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F);
}

/* Invisible characters that can hide or reorder text. */
static int u8_invisible(unsigned long c)
{
	return c == 0xAD || (c >= 0x200B && c <= 0x200F) ||
	       (c >= 0x202A && c <= 0x202E) || (c >= 0x2060 && c <= 0x2069) ||
	       c == 0xFEFF;
}

size_t tw_utf8_cut(const char *s, size_t max)
{
	size_t n, i;

	if (!s)
		return 0;
	n = strnlen(s, max + 1);
	if (n <= max)
		return n;
	/* s[max] starts the first byte left out: back over continuation
	 * bytes to the start of the character it belongs to. */
	i = max;
	while (i > 0 && max - i < 4 && ((unsigned char)s[i] & 0xC0) == 0x80)
		i--;
	if (((unsigned char)s[i] & 0xC0) == 0x80)
		return max;             /* not UTF-8 there: any cut will do */
	return i;
}

char *tw_clip(char *buf, size_t len, const char *s)
{
	size_t k;

	if (!buf || len == 0)
		return buf;
	k = tw_utf8_cut(s, len - 1);
	if (k)
		memcpy(buf, s, k);
	buf[k] = '\0';
	return buf;
}

/* Index after an escape sequence starting at s[i] (ESC or 8-bit C1). */
static size_t u8_skip_escape(const unsigned char *s, size_t n, size_t i,
			     unsigned long c, size_t k)
{
	int str = 0;

	if (c == 0x1B) {
		if (i + 1 >= n)
			return n;
		c = s[i + 1];
		i += 2;
		if (c == '[')
			str = 0;
		else if (c == ']' || c == 'P' || c == 'X' || c == '^' ||
			 c == '_')
			str = 1;
		else {
			while (i < n && s[i] >= 0x20 && s[i] <= 0x2F)
				i++;
			return i < n ? i + 1 : n;
		}
	} else {
		i += k;
		if (c == 0x9B)
			str = 0;
		else if (c == 0x9D || c == 0x90 || c == 0x98 || c == 0x9E ||
			 c == 0x9F)
			str = 1;
		else
			return i;
	}
	if (!str) {
		while (i < n && s[i] >= 0x20 && s[i] <= 0x3F)
			i++;
		return i < n && s[i] >= 0x40 && s[i] <= 0x7E ? i + 1 : i;
	}
	while (i < n) {
		if (s[i] == 0x07)
			return i + 1;
		if (s[i] == 0x1B && i + 1 < n && s[i + 1] == '\\')
			return i + 2;
		if (s[i] == 0xC2 && i + 1 < n && s[i + 1] == 0x9C)
			return i + 2;
		i++;
	}
	return n;
}

char *tw_utf8_clean_dup(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n, i = 0, o = 0, k, ctl_space = 0;
	unsigned long c;
	char *out;

	if (!s)
		return NULL;
	n = strlen(s);
	/* an invalid byte (1) becomes U+FFFD (3) */
	out = malloc(3 * n + 1);
	if (!out)
		return NULL;
	while (i < n) {
		k = u8_decode(u + i, n - i, &c);
		if (k == 0) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		if (c == 0x1B || c == 0x9B || c == 0x9D || c == 0x90 ||
		    c == 0x98 || c == 0x9E || c == 0x9F) {
			i = u8_skip_escape(u, n, i, c, k);
			continue;
		}
		if (u8_control(c)) {
			if (o > 0 && out[o - 1] != ' ') {
				out[o++] = ' ';
				ctl_space = o;
			}
			i += k;
			continue;
		}
		if (!u8_invisible(c)) {
			memcpy(out + o, s + i, k);
			o += k;
		}
		i += k;
	}
	if (ctl_space && ctl_space == o)
		o--;                    /* a control at the end leaves no space */
	out[o] = '\0';
	return out;
}

void tw_clean_copy(char *dst, size_t len, const char *src)
{
	char *c;

	if (!dst || len == 0)
		return;
	dst[0] = '\0';
	c = tw_utf8_clean_dup(src ? src : "");
	if (c) {
		tw_clip(dst, len, c);
		free(c);
	}
}

int tw_utf8_is_clean(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n, i = 0, k;
	unsigned long c;

	if (!s)
		return 1;
	n = strlen(s);
	while (i < n) {
		k = u8_decode(u + i, n - i, &c);
		if (k == 0 || u8_control(c) ||
		    (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069))
			return 0;
		i += k;
	}
	return 1;
}
