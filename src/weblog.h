/* weblog.h - the line of an App Service container log that names the
 * newest image pull's outcome.
 *
 * The log (what `az webapp log download` and the portal's log stream
 * show, lines like "2026-11-20T08:14:05.118Z ERROR - ...") holds every
 * start of the site: what matters is the newest pull.  The picked line
 * is made safe to show: terminal escapes stripped (tw_sanitize) and
 * secrets masked (redact.h) before it is cut to the caller's buffer. */
#ifndef AD_WEBLOG_H
#define AD_WEBLOG_H

#include <stddef.h>

enum weblog_found {
	WEBLOG_NONE,      /* no pull failure and no successful start */
	WEBLOG_FAILURE,   /* the newest pull failed: its line */
	WEBLOG_SUCCESS    /* a successful start is newer than any failure */
};

struct weblog_pick {
	enum weblog_found found;
	size_t line;      /* 1-based number of the picked line in the text */
	size_t lines;     /* lines in the text */
};

/* Pick from log (len bytes, any bytes, NULs end a line) the line of the
 * newest pull into out (outlen bytes, always NUL-terminated; "" when
 * none).  Of a failed pull's lines the registry's own answer is taken,
 * not App Service's closing lines ("Image pull failed: Verify docker
 * image configuration ...", "Stopping site ..."). 0, or AD_ENOMEM. */
int weblog_pick(const char *log, size_t len, char *out, size_t outlen,
		struct weblog_pick *pick);

#endif
