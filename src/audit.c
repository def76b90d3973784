/* audit.c - the audit log on disk. */
#include "config.h"
#include "audit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "textw.h"

void audit_path(char *buf, size_t len)
{
	const char *state = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");

	if (state && state[0] == '/')
		snprintf(buf, len, "%s/acr-doctor/audit.log", state);
	else if (home && home[0] == '/')
		snprintf(buf, len, "%s/.local/state/acr-doctor/audit.log", home);
	else
		buf[0] = '\0';
}

/* mkdir -p of the log's directory, private to the user. */
static int make_dirs(const char *path)
{
	char dir[1024], *p;

	snprintf(dir, sizeof dir, "%s", path);
	p = strrchr(dir, '/');
	if (!p)
		return 0;
	*p = '\0';
	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(dir, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

int audit_log(const char *fmt, ...)
{
	char path[1024], line[2048], clean[2048], ts[32];
	time_t t = time(NULL);
	struct tm tm;
	va_list ap;
	int fd, n;
	ssize_t w;

	audit_path(path, sizeof path);
	if (!path[0] || make_dirs(path) != 0)
		return AD_EIO;
	gmtime_r(&t, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	tw_sanitize(clean, sizeof clean, line);
	n = snprintf(line, sizeof line, "%s %s\n", ts, clean);
	if (n < 0)
		return AD_EIO;
	if ((size_t)n >= sizeof line)
		n = (int)sizeof line - 1;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return AD_EIO;
	w = write(fd, line, (size_t)n);
	fsync(fd);
	close(fd);
	return w == n ? 0 : AD_EIO;
}
