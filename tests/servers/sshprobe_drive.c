/* sshprobe_drive.c - run the SSH node probe from the command line, for
 * the tests against real servers (sshd, dnsmasq, namespaces).
 *
 *   sshprobe_drive [--ssh-* options] [--trust no|once|save]
 *                  [--passphrase-file F] [--cancel-after-ms N]
 *                  [--timeout-ms N] [--ui-thread] ACTION...
 *   ACTION: connect | resolve NAME | tcp HOST PORT
 *
 * One line per action on stdout:
 *   connected DESC | cmdline SSH-COMMAND
 *   dns addrs=A,B error=E cnames=C1,C2 privatelink=0|1 resolver=R method=M
 *   tcp HOST:PORT open|refused|timeout ms=N
 *   error code=CODE net=NET detail=DETAIL msg=MESSAGE
 * and "ask HOST PORT TYPE FINGERPRINT" when the host key question is
 * asked.  With --ui-thread the questions go through sshask (as in the
 * wizard): a second thread plays the UI, prints "ui-ask hostkey HOST PORT
 * FINGERPRINT" / "ui-ask passphrase PATH" and answers.
 * Exit 0 when every action ran, 1 otherwise, 2 on usage. */
#include "config.h"

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "probe.h"
#include "probe_ssh.h"
#include "ssh.h"
#include "sshask.h"

static enum ssh_trust trust_answer = SSH_TRUST_NO;
static const char *pass_file;
static ad_cancel_flag cancel_flag;
static int cancel_after = -1;

static enum ssh_trust ask(void *ud, const char *host, int port,
			  const char *type, const char *fp)
{
	(void)ud;
	printf("ask %s %d %s %s\n", host, port, type, fp);
	return trust_answer;
}

static int passphrase(void *ud, const char *path, char *buf, size_t len)
{
	FILE *fp;
	size_t n;

	(void)ud;
	(void)path;
	if (!pass_file || !(fp = fopen(pass_file, "r")))
		return -1;
	n = fread(buf, 1, len - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

static void *canceller(void *arg)
{
	struct timespec ts;

	(void)arg;
	ts.tv_sec = cancel_after / 1000;
	ts.tv_nsec = (long)(cancel_after % 1000) * 1000000L;
	nanosleep(&ts, NULL);
	ad_cancel_set(&cancel_flag);
	return NULL;
}

static ad_cancel_flag ui_done;  /* the same atomic flag, read by the UI thread */

/* The "UI thread": waits on the question fd, answers like the callbacks
 * above would. */
static void *ui_thread(void *arg)
{
	struct sshask *a = arg;
	struct sshask_question q;

	while (!ad_cancelled(&ui_done)) {
		struct pollfd pfd = { sshask_fd(a), POLLIN, 0 };
		char byte;

		if (poll(&pfd, 1, 100) > 0 && read(pfd.fd, &byte, 1) < 0)
			continue;
		if (!sshask_pending(a, &q))
			continue;
		if (q.kind == SSHASK_HOSTKEY) {
			printf("ui-ask hostkey %s %d %s\n", q.host, q.port,
			       q.fingerprint);
			sshask_answer_hostkey(a, trust_answer);
		} else {
			char buf[512];

			printf("ui-ask passphrase %s\n", q.path);
			if (passphrase(NULL, q.path, buf, sizeof buf) == 0)
				sshask_answer_passphrase(a, buf);
			else
				sshask_answer_passphrase(a, NULL);
			memset(buf, 0, sizeof buf);
		}
		fflush(stdout);
	}
	return NULL;
}

static long long ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void print_err(const struct ad_error *e)
{
	printf("error code=%s net=%s detail=%s msg=%s\n", ad_strerror(e->code),
	       ad_net_str(e->net), e->detail[0] ? e->detail : "-", e->msg);
}

int main(int argc, char **argv)
{
	struct ssh_opts o;
	struct ad_error err = { 0 };
	struct node_probe *p = NULL;
	pthread_t th, uth;
	struct sshask *ask_bridge = NULL;
	int i, rc, failed = 0, timeout_ms = 5000;

	ssh_opts_init(&o);
	o.hostkey_ask = ask;
	o.passphrase = passphrase;
	for (i = 1; i < argc; i++) {
		int r = ssh_opt_parse(&o, argc, argv, &i, &err);

		if (r < 0) {
			print_err(&err);
			return 2;
		}
		if (r > 0)
			continue;
		if (strcmp(argv[i], "--trust") == 0 && i + 1 < argc) {
			const char *v = argv[++i];

			trust_answer = strcmp(v, "save") == 0 ? SSH_TRUST_SAVE :
				       strcmp(v, "once") == 0 ? SSH_TRUST_ONCE :
				       SSH_TRUST_NO;
		} else if (strcmp(argv[i], "--no-ask") == 0) {
			o.hostkey_ask = NULL;
			o.passphrase = NULL;
		} else if (strcmp(argv[i], "--passphrase-file") == 0 && i + 1 < argc) {
			pass_file = argv[++i];
		} else if (strcmp(argv[i], "--cancel-after-ms") == 0 && i + 1 < argc) {
			cancel_after = atoi(argv[++i]);
		} else if (strcmp(argv[i], "--ui-thread") == 0) {
			ask_bridge = sshask_new(&cancel_flag);
			if (!ask_bridge)
				return 2;
			sshask_attach(ask_bridge, &o);
		} else if (strcmp(argv[i], "--timeout-ms") == 0 && i + 1 < argc) {
			timeout_ms = atoi(argv[++i]);
		} else if (strcmp(argv[i], "--connect-timeout-ms") == 0 && i + 1 < argc) {
			o.connect_timeout_ms = atoi(argv[++i]);
		} else {
			break;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "usage: see the source\n");
		return 2;
	}
	if (probe_ssh_new(&o, &p, &err) != 0) {
		print_err(&err);
		return 1;
	}
	p->cancel = &cancel_flag;
	if (cancel_after >= 0)
		pthread_create(&th, NULL, canceller, NULL);
	if (ask_bridge)
		pthread_create(&uth, NULL, ui_thread, ask_bridge);
	for (; i < argc; i++) {
		long long t0 = ms();

		err = (struct ad_error){ 0 };
		if (strcmp(argv[i], "connect") == 0) {
			struct ssh_conn *c = NULL;

			rc = ssh_conn_open(&o, &cancel_flag, &c, &err);
			if (rc == 0) {
				char cl[1400];

				printf("connected %s\n", ssh_conn_describe(c));
				ssh_command_line(c, cl, sizeof cl);
				printf("cmdline %s\n", cl);
			}
			ssh_conn_free(c);
			c = NULL;
			if (rc == 0) {
				char cmd[1600];

				probe_command(p, "resolve", "acrshop.azurecr.io", 0,
					      cmd, sizeof cmd);
				printf("command %s\n", cmd);
				probe_command(p, "tcp", "10.10.1.5", 443, cmd,
					      sizeof cmd);
				printf("command %s\n", cmd);
				probe_command(p, "resolve", "a;b", 0, cmd, sizeof cmd);
				printf("command [%s]\n", cmd);
			}
			ssh_conn_free(c);
		} else if (strcmp(argv[i], "resolve") == 0 && i + 1 < argc) {
			struct probe_dns d;
			int k;

			rc = probe_resolve(p, argv[++i], &d, &err);
			if (rc == 0) {
				printf("dns addrs=");
				for (k = 0; k < d.naddr; k++)
					printf("%s%s", k ? "," : "", d.addr[k]);
				printf(" error=%s cnames=", d.naddr ? "-" : d.answer_error);
				for (k = 0; k < d.ncname; k++)
					printf("%s%s", k ? "," : "", d.cname[k]);
				printf(" privatelink=%d resolver=%s method=%s\n",
				       d.via_privatelink,
				       d.resolver[0] ? d.resolver : "-", d.method);
			}
		} else if (strcmp(argv[i], "tcp") == 0 && i + 2 < argc) {
			enum probe_tcp t;
			const char *h = argv[++i];
			int port = atoi(argv[++i]);

			rc = probe_tcp(p, h, port, timeout_ms, &t, &err);
			if (rc == 0)
				printf("tcp %s:%d %s ms=%lld\n", h, port,
				       probe_tcp_str(t), ms() - t0);
		} else {
			fprintf(stderr, "bad action %s\n", argv[i]);
			rc = -1;
			err.code = AD_EINVAL;
		}
		if (rc != 0) {
			print_err(&err);
			printf("elapsed ms=%lld\n", ms() - t0);
			failed = 1;
		}
		fflush(stdout);
	}
	if (cancel_after >= 0)
		pthread_join(th, NULL);
	if (ask_bridge) {
		ad_cancel_set(&ui_done);
		pthread_join(uth, NULL);
		sshask_free(ask_bridge);
	}
	node_probe_free(p);
	return failed;
}
