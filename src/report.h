/* report.h - a session as a Markdown report (what the on-call engineer
 * attaches to the incident): context, the path taken, every check with
 * its verdict, summary and evidence, the equivalent commands, the fixes
 * and their audit lines, and the diagnosis.  Never a secret: evidence is
 * secret-free by contract and the checks' private data is not exported;
 * every untrusted string is sanitized and escaped for Markdown. */
#ifndef AD_REPORT_H
#define AD_REPORT_H

#include <stddef.h>

struct session;
struct ad_error;

/* The report as an owned NUL-terminated string (free()), NULL when out
 * of memory. */
char *report_markdown(const struct session *s);

/* Write it as <dir>/acr-doctor-report-<scenario>-<UTC time>.md (dir NULL
 * or "": the current directory); never overwrites a file (adds -2, -3...).
 * The path written goes into path.  0 or a negative AD_E* with err. */
int report_write(const struct session *s, const char *dir, char *path,
		 size_t pathlen, struct ad_error *err);

#endif
