/* cred_az.c - the Azure CLI's login: `az account get-access-token
 * --resource AUD --output json`, run without a shell, bounded in time
 * and output.  Its stderr is read but never shown: it can name files,
 * accounts and tokens; we say what it meant instead. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cred_priv.h"
#include "err.h"
#include "i18n.h"

#define OUT_MAX (256 * 1024)
#define ERR_MAX (16 * 1024)

extern char **environ;

static int is_exe(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0;
}

/* The program name with a '/' as given, else searched on PATH. */
static int find_exe(const char *name, char *out, size_t len)
{
	const char *path = getenv("PATH"), *p, *e;

	if (strchr(name, '/')) {
		if (strlen(name) >= len || !is_exe(name))
			return 0;
		snprintf(out, len, "%s", name);
		return 1;
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;; p = e + 1) {
		int n;

		e = strchr(p, ':');
		if (!e)
			e = p + strlen(p);
		n = snprintf(out, len, "%.*s%s%s", (int)(e - p), p,
			     e == p ? "" : "/", name);
		if (n > 0 && (size_t)n < len && is_exe(out))
			return 1;
		if (!*e)
			return 0;
	}
}

static long long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct capture {
	char *buf;
	size_t n, max;
	int fd;
};

/* Read what is there; 1 at end of file, 0 otherwise. */
static int drain(struct capture *cp)
{
	char tmp[4096];
	ssize_t r = read(cp->fd, tmp, sizeof tmp);

	if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
		return 1;
	if (r > 0) {
		size_t k = (size_t)r;

		if (cp->n + k > cp->max)
			k = cp->max - cp->n;       /* the rest is dropped */
		memcpy(cp->buf + cp->n, tmp, k);
		cp->n += k;
		cred_wipe(tmp, (size_t)r);
	}
	return 0;
}

enum run_result { RUN_OK, RUN_NOEXEC, RUN_TIMEOUT, RUN_CANCEL, RUN_FAIL };

/* Run argv[0]=path with argv, capture stdout and stderr.  *status gets
 * the exit status (or 128+signal). */
static enum run_result run(struct cred *c, const char *path,
			   char *const argv[], struct capture *out,
			   struct capture *errc, int *status)
{
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, px[2] = { -1, -1 };
	int devnull, ws = 0, eno = 0, open_fds = 2;
	pid_t w;
	long long deadline;
	enum run_result res = RUN_OK;
	pid_t pid;

	*status = -1;
	if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0 ||
	    pipe2(px, O_CLOEXEC) < 0) {
		res = RUN_FAIL;
		goto close_all;
	}
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	pid = fork();
	if (pid < 0) {
		if (devnull >= 0)
			close(devnull);
		res = RUN_FAIL;
		goto close_all;
	}
	if (pid == 0) {
		/* Child: only async-signal-safe calls from here.  Undo what
		 * the program may have set for itself (blocked signals, an
		 * ignored SIGPIPE) before az inherits it. */
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(po[1], 1);
		dup2(pe[1], 2);
#ifdef CLOSE_RANGE_CLOEXEC
		/* Descriptors the program did not mark close-on-exec (the
		 * terminal, sockets) are not az's business. */
		close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
#endif
		execve(path, argv, environ);
		eno = errno;
		if (write(px[1], &eno, sizeof eno) < 0)
			_exit(126);
		_exit(127);
	}
	if (devnull >= 0)
		close(devnull);
	close(po[1]);
	close(pe[1]);
	close(px[1]);
	po[1] = pe[1] = px[1] = -1;
	/* exec failed when the child wrote its errno before the pipe closed */
	if (read(px[0], &eno, sizeof eno) == (ssize_t)sizeof eno)
		res = RUN_NOEXEC;
	fcntl(po[0], F_SETFL, O_NONBLOCK);
	fcntl(pe[0], F_SETFL, O_NONBLOCK);
	out->fd = po[0];
	errc->fd = pe[0];
	deadline = ms_now() + c->az_timeout_ms;
	while (res == RUN_OK && open_fds > 0) {
		struct pollfd pf[2];
		int np = 0, left = (int)(deadline - ms_now());

		if (ad_cancelled(c->cancel)) {
			res = RUN_CANCEL;
			break;
		}
		if (left <= 0) {
			res = RUN_TIMEOUT;
			break;
		}
		if (out->fd >= 0)
			pf[np++] = (struct pollfd){ out->fd, POLLIN, 0 };
		if (errc->fd >= 0)
			pf[np++] = (struct pollfd){ errc->fd, POLLIN, 0 };
		if (poll(pf, (nfds_t)np, left > 100 ? 100 : left) < 0 &&
		    errno != EINTR) {
			res = RUN_FAIL;
			break;
		}
		if (out->fd >= 0 && drain(out)) {
			out->fd = -1;
			open_fds--;
		}
		if (errc->fd >= 0 && drain(errc)) {
			errc->fd = -1;
			open_fds--;
		}
	}
	if (res != RUN_OK && res != RUN_NOEXEC)
		kill(pid, SIGKILL);
	while ((w = waitpid(pid, &ws, 0)) < 0 && errno == EINTR)
		;
	if (w < 0)
		res = res == RUN_OK ? RUN_FAIL : res;  /* SIGCHLD ignored? */
	else if (WIFEXITED(ws))
		*status = WEXITSTATUS(ws);
	else if (WIFSIGNALED(ws))
		*status = 128 + WTERMSIG(ws);
close_all:
	if (po[0] >= 0) close(po[0]);
	if (po[1] >= 0) close(po[1]);
	if (pe[0] >= 0) close(pe[0]);
	if (pe[1] >= 0) close(pe[1]);
	if (px[0] >= 0) close(px[0]);
	if (px[1] >= 0) close(px[1]);
	return res;
}

/* "expiresOn": "2026-12-03 10:51:00.000000", local time (older az). */
static int local_expiry(const char *json, time_t *out)
{
	const char *p = strstr(json, "\"expiresOn\"");
	struct tm tm;

	if (!p || !(p = strchr(p + 11, '"')))
		return 0;
	memset(&tm, 0, sizeof tm);
	if (!strptime(p + 1, "%Y-%m-%d %H:%M:%S", &tm))
		return 0;
	tm.tm_isdst = -1;
	*out = mktime(&tm);
	return *out != (time_t)-1;
}

int cred_fetch_cli(struct cred *c, const char *resource, struct cred_got *g,
		   struct ad_error *err)
{
	const char *what = _("azure cli");
	char path[PATH_MAX];
	struct capture out = { NULL, 0, OUT_MAX, -1 };
	struct capture errc = { NULL, 0, ERR_MAX, -1 };
	char *argv[] = { (char *)"az", (char *)"account",
			 (char *)"get-access-token", (char *)"--resource",
			 (char *)resource, (char *)"--output", (char *)"json",
			 NULL };
	enum run_result res;
	int status, rc;
	const char *sts;

	if (!find_exe(c->az, path, sizeof path))
		return cred_unavailable(c, CRED_SRC_CLI,
					_("'%s' was not found on PATH"),
					strchr(c->az, '/') ? c->az : "az");
	/* Only audiences we build ourselves come here; never an option. */
	if (resource[0] == '-')
		return ad_error_set(err, AD_EINVAL, _("not a token audience"));
	out.buf = malloc(OUT_MAX + 1);
	errc.buf = malloc(ERR_MAX + 1);
	if (!out.buf || !errc.buf) {
		rc = ad_error_set(err, AD_ENOMEM, _("out of memory"));
		goto done;
	}
	res = run(c, path, argv, &out, &errc, &status);
	out.buf[out.n] = '\0';
	errc.buf[errc.n] = '\0';
	switch (res) {
	case RUN_NOEXEC:
		rc = cred_unavailable(c, CRED_SRC_CLI,
				      _("'%s' could not be run"), path);
		goto done;
	case RUN_TIMEOUT:
		rc = ad_error_set(err, AD_ETIMEOUT,
				  _("%s: az account get-access-token did not "
				    "finish within %d s"), what,
				  c->az_timeout_ms / 1000);
		goto done;
	case RUN_CANCEL:
		rc = ad_error_set(err, AD_ECANCEL, _("cancelled"));
		ad_error_net(err, AD_NET_CANCELLED);
		goto done;
	case RUN_FAIL:
		rc = ad_error_set(err, AD_EIO, _("%s: cannot run %s"), what,
				  path);
		goto done;
	case RUN_OK:
		break;
	}
	sts = strstr(errc.buf, "AADSTS");
	if (status != 0) {
		if (strstr(errc.buf, "az login")) {
			rc = cred_unavailable(c, CRED_SRC_CLI,
					      _("not logged in: run 'az login'"));
			goto done;
		}
		rc = ad_error_set(err, AD_EDENIED,
				  _("%s: az account get-access-token failed "
				    "(exit status %d); run it yourself to see "
				    "why"), what, status);
		if (sts)
			ad_error_detail(err, "AADSTS%ld",
					strtol(sts + 6, NULL, 10));
		goto done;
	}
	rc = cred_parse_token(out.buf, out.n, cred_now(c), g, err);
	if (rc == AD_EPARSE && !strstr(out.buf, "\"expires_on\"")) {
		time_t t;
		struct ad_error e2;

		/* Older az: only the local-time expiresOn. */
		if (local_expiry(out.buf, &t)) {
			char *fixed = NULL;
			size_t n = out.n + 40;

			fixed = malloc(n);
			if (fixed) {
				char *brace = strrchr(out.buf, '}');

				if (brace) {
					*brace = '\0';
					snprintf(fixed, n, "%s,\"expires_on\":%lld}",
						 out.buf, (long long)t);
					memset(&e2, 0, sizeof e2);
					rc = cred_parse_token(fixed, strlen(fixed),
							      cred_now(c), g,
							      &e2);
				}
				cred_wipe(fixed, n);
				free(fixed);
			}
		}
	}
	if (rc < 0)
		ad_error_set(err, rc, _("%s: az account get-access-token "
					"printed no usable token"), what);
done:
	if (out.buf) {
		cred_wipe(out.buf, OUT_MAX + 1);
		free(out.buf);
	}
	if (errc.buf) {
		cred_wipe(errc.buf, ERR_MAX + 1);
		free(errc.buf);
	}
	return rc;
}
