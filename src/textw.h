/* textw.h - the one text-width module: width is columns, never bytes.
 *
 * Everything drawn on the terminal is measured and cut here.  Text is
 * decoded with mbrtowc() in the current locale; a byte that does not
 * decode becomes U+FFFD (or '?' when the locale cannot encode it), a
 * character wcwidth() calls unprintable (-1) is drawn as that replacement
 * (one column), a combining character takes 0 columns.  Output strings
 * are in the locale's multibyte encoding, ready for the terminal.
 *
 * Untrusted text (names and messages from Azure, Kubernetes, scenario
 * files, pasted logs) goes through tw_sanitize() before it is shown. */
#ifndef AD_TEXTW_H
#define AD_TEXTW_H

#include <stddef.h>
#include <wchar.h>

/* 1 when the locale's character set is UTF-8. */
int tw_utf8(void);
/* The truncation mark: "…" in a UTF-8 locale, "~" otherwise (1 column). */
const char *tw_mark(void);

/* Columns of one character as drawn (see above): 0, 1 or 2. */
int tw_wcwidth(wchar_t wc);
/* Columns of a NUL-terminated string (NULL is 0). */
int tw_width(const char *s);

/* Copy s into buf (len bytes, always NUL-terminated when len > 0) so that
 * it takes at most cols columns.  A character is never split; when s is
 * wider than cols and ellipsis is non-zero, the last cell holds the
 * truncation mark.  Control characters become the replacement
 * character, tabs and newlines a space.  Returns the columns used. */
int tw_fit(char *buf, size_t len, const char *s, int cols, int ellipsis);
/* Like tw_fit() but keeps the end of s ("…/aks.401.acrpull"). */
int tw_fit_tail(char *buf, size_t len, const char *s, int cols,
		int ellipsis);

/* Word-wrap s to width columns.  Paragraphs are separated by '\n' (an
 * empty paragraph gives an empty line); lines break at spaces, after a
 * '/' (paths, URLs), and anywhere before or after a double-width (CJK)
 * character; a word wider than the line is cut between characters.  No line is wider than width,
 * except a lone double-width character when width is 1.  Returns an owned
 * array of *n owned strings (free with tw_lines_free), NULL when out of
 * memory.  An empty s gives one empty line. */
char **tw_wrap(const char *s, int width, size_t *n);
void tw_lines_free(char **lines, size_t n);

/* Cut a multibyte character left incomplete at the end of s (what
 * snprintf leaves when a translated sentence fills its buffer). */
void tw_utf8_trim(char *s);

/* ---------- UTF-8, whatever the locale (JSON, reports, evidence) ---------- */

/* Bytes of the longest start of s, at most max bytes, that does not end
 * inside a UTF-8 character.  Every cut of text to a byte budget goes
 * through here (or tw_clip). */
size_t tw_utf8_cut(const char *s, size_t max);
/* Copy at most len - 1 bytes of s into buf, cut on a character
 * boundary; returns buf (for "%s" where "%.Ns" would split a character).
 * s NULL gives "". */
char *tw_clip(char *buf, size_t len, const char *s);
/* s as valid UTF-8 without control characters, locale-independent, as
 * an owned string: invalid bytes become U+FFFD, escape sequences go
 * whole, C0/C1 controls and DEL become a space (tab, newline included),
 * bidirectional overrides and zero-width characters are dropped.  NULL
 * in or out of memory: NULL. */
char *tw_utf8_clean_dup(const char *s);
/* tw_utf8_clean_dup(src) cut into dst (len bytes, always NUL-terminated
 * when len > 0) on a character boundary: for names and messages from a
 * server or a file copied into a fixed buffer. */
void tw_clean_copy(char *dst, size_t len, const char *src);
/* 1 when s is valid UTF-8 (no overlong form, no surrogate) without
 * C0/C1 control characters, DEL or bidirectional overrides. */
int tw_utf8_is_clean(const char *s);

/* Untrusted text without terminal control, into buf (len bytes, always
 * NUL-terminated, cut at a character boundary): escape sequences (CSI,
 * OSC, DCS, ...), C0 controls other than '\n' and '\t' (a tab becomes a
 * space), C1 controls and bidirectional overrides are removed; invalid
 * bytes become U+FFFD.  s NULL gives "". */
void tw_sanitize(char *buf, size_t len, const char *s);
/* The same as an owned string (free()); NULL in or out of memory: NULL. */
char *tw_sanitize_dup(const char *s);

#endif
