/* audit.h - the audit log of every change sent, on disk.
 *
 * One line per event in $XDG_STATE_HOME/acr-doctor/audit.log (default
 * ~/.local/state/acr-doctor/audit.log), appended and flushed at once: a
 * "pending" line is written before a request is sent and its outcome
 * after, so a fix that was interrupted still leaves a trace.  Lines are
 * sanitized; they never hold a secret (request bodies are not logged). */
#ifndef AD_AUDIT_H
#define AD_AUDIT_H

#include <stddef.h>

/* Append "<UTC time> <line>" to the log.  0, or negative AD_E* (the log
 * cannot be written: the caller says so, the change is not held up). */
int audit_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The log's path into buf ("" when no home is known). */
void audit_path(char *buf, size_t len);

#endif
