/* test_sshprobe.c - the offline parts of the SSH node probe: the
 * ~/.ssh/config subset, jump lists, name validation (what may reach the
 * node's shell), the nslookup/getent parser, fingerprints, private
 * addresses, the option parser. */
#include "config.h"

#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "err.h"
#include "probe.h"
#include "probe_ssh.h"
#include "ssh.h"
#include "sshconf.h"
#include "sshask.h"
#include "sshfp.h"

static void test_patterns(void **state)
{
	(void)state;
	assert_true(sshconf_match_list("*", "aks-node"));
	assert_true(sshconf_match_list("aks-*", "aks-node"));
	assert_true(sshconf_match_list("x y aks-n?de", "aks-node"));
	assert_false(sshconf_match_list("aks-n?de", "aks-noode"));
	assert_false(sshconf_match_list("aks-* !aks-node", "aks-node"));
	assert_true(sshconf_match_list("aks-* !aks-node", "aks-other"));
	assert_false(sshconf_match_list("!aks-node", "other"));
	assert_true(sshconf_match_list("10.224.*", "10.224.0.4"));
	assert_true(sshconf_match_list("AKS-*", "aks-node"));
}

static void test_config(void **state)
{
	char path[] = "/tmp/test_sshprobe_cfgXXXXXX";
	struct sshconf_host h;
	struct ad_error err = { 0 };
	int fd = mkstemp(path);
	FILE *fp;

	(void)state;
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	fputs("# comment\n"
	      "Host aks-* !aks-bad\n"
	      "  HostName 10.224.0.%h\n"
	      "  User=azureuser\n"
	      "  Port 2222\n"
	      "  IdentityFile ~/.ssh/aks_%r\n"
	      "  ProxyJump jump@bastion:2200,hop2\n"
	      "Match host *\n"
	      "  User nobody\n"
	      "Host *\n"
	      "  User other\n"
	      "  Port 22\n"
	      "  IdentityFile \"/keys/default key\"\n", fp);
	fclose(fp);
	setenv("HOME", "/home/t", 1);
	assert_int_equal(sshconf_lookup(path, "aks-4", &h, &err), 0);
	assert_string_equal(h.hostname, "10.224.0.aks-4");
	assert_string_equal(h.user, "azureuser");       /* first wins */
	assert_int_equal(h.port, 2222);
	assert_int_equal(h.nid, 2);
	assert_string_equal(h.identity[0], "/home/t/.ssh/aks_azureuser");
	assert_string_equal(h.identity[1], "/keys/default key");
	assert_string_equal(h.proxyjump, "jump@bastion:2200,hop2");

	assert_int_equal(sshconf_lookup(path, "aks-bad", &h, &err), 0);
	assert_string_equal(h.hostname, "");
	assert_string_equal(h.user, "other");            /* Match skipped */
	assert_int_equal(h.port, 22);
	assert_string_equal(h.proxyjump, "");

	assert_int_equal(sshconf_lookup("/nonexistent/config", "x", &h, &err), 0);
	assert_int_equal(h.nid, 0);
	unlink(path);
}

/* A value longer than its field is an error naming the line, never a
 * cut name (which would be another host, user or key). */
static void test_config_too_long(void **state)
{
	static const struct { const char *kw; size_t n; } cases[] = {
		{ "User", 64 }, { "IdentityFile", 512 }, { "HostName", 256 },
		{ "HostName", 600 },
	};
	char path[] = "/tmp/test_sshprobe_longXXXXXX";
	struct sshconf_host h;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ad_error err = { 0 };
		char want[64];
		int fd = mkstemp(path);
		FILE *fp;
		size_t k;

		assert_true(fd >= 0);
		fp = fdopen(fd, "w");
		assert_non_null(fp);
		/* One character too many; another host's long value is
		 * not read at all. */
		fprintf(fp, "Host other\n  %s ", cases[i].kw);
		for (k = 0; k < cases[i].n + 20; k++)
			fputc('b', fp);
		fprintf(fp, "\nHost aks-*\n  %s ", cases[i].kw);
		for (k = 0; k < cases[i].n; k++)
			fputc('a', fp);
		fputs("\n", fp);
		fclose(fp);
		assert_int_equal(sshconf_lookup(path, "aks-1", &h, &err),
				 AD_EPARSE);
		snprintf(want, sizeof want, "line 4: the %s value is longer",
			 cases[i].kw);
		assert_non_null(strstr(err.msg, want));
		unlink(path);
		memcpy(path + strlen(path) - 6, "XXXXXX", 6);
	}
	/* The longest that fits is kept whole. */
	{
		struct ad_error err = { 0 };
		int fd = mkstemp(path);
		FILE *fp;
		size_t k;

		assert_true(fd >= 0);
		fp = fdopen(fd, "w");
		assert_non_null(fp);
		fputs("Host aks-*\n  User ", fp);
		for (k = 0; k < 63; k++)
			fputc('u', fp);
		fputs("\n", fp);
		fclose(fp);
		assert_int_equal(sshconf_lookup(path, "aks-1", &h, &err), 0);
		assert_int_equal(strlen(h.user), 63);
		unlink(path);
	}
}

static void test_jump(void **state)
{
	struct sshconf_hop hops[SSHCONF_MAX_HOPS];
	struct ad_error err = { 0 };
	int n = -1;

	(void)state;
	assert_int_equal(sshconf_jump_parse("jump@bastion:2200,10.0.0.4,[::1]:22",
					    hops, SSHCONF_MAX_HOPS, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(hops[0].user, "jump");
	assert_string_equal(hops[0].host, "bastion");
	assert_int_equal(hops[0].port, 2200);
	assert_string_equal(hops[1].user, "");
	assert_string_equal(hops[1].host, "10.0.0.4");
	assert_int_equal(hops[1].port, 0);
	assert_string_equal(hops[2].host, "::1");
	assert_int_equal(hops[2].port, 22);
	assert_int_equal(sshconf_jump_parse("none", hops, 4, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(sshconf_jump_parse("a;b", hops, 4, &n, &err), AD_EINVAL);
	assert_int_equal(sshconf_jump_parse("h:99999", hops, 4, &n, &err), AD_EINVAL);
	assert_int_equal(sshconf_jump_parse("u$(x)@h", hops, 4, &n, &err), AD_EINVAL);
	assert_int_equal(sshconf_jump_parse("a,b,c,d,e", hops, 4, &n, &err), AD_EINVAL);
}

static void test_names(void **state)
{
	static const char *const bad[] = {
		"", "a;b", "$(touch x)", "`id`", "a'b", "a\"b", "a\nb", "a b",
		"-n", ".a", "a..b", "a|b", "a&b", "a>b", "a\\b", "a\tb", "\xc3\xa5.se",
		"a/b", "a*b", "a$b"
	};
	char longname[300], label[70], cmd[700];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_false(sshconf_name_valid(bad[i]));
		assert_int_equal(probe_ssh_command(bad[i], cmd, sizeof cmd),
				 AD_EINVAL);
	}
	memset(longname, 'a', sizeof longname);
	longname[254] = '\0';
	assert_false(sshconf_name_valid(longname));
	memset(label, 'a', sizeof label);
	label[64] = '\0';
	assert_false(sshconf_name_valid(label));
	label[63] = '\0';
	assert_true(sshconf_name_valid(label));
	assert_true(sshconf_name_valid("acrshop.azurecr.io"));
	assert_true(sshconf_name_valid("acrshop.azurecr.io."));
	assert_true(sshconf_host_valid("10.224.0.4"));
	assert_true(sshconf_host_valid("fd00::4"));
	assert_false(sshconf_host_valid("10.224.0.4;id"));
	assert_true(sshconf_user_valid("azureuser"));
	assert_false(sshconf_user_valid("-oProxyCommand=x"));
	assert_false(sshconf_user_valid("a b"));
	assert_int_equal(probe_ssh_command("acrshop.azurecr.io", cmd, sizeof cmd), 0);
	assert_non_null(strstr(cmd, "nslookup -timeout=2 -retry=2 acrshop.azurecr.io 2>&1"));
	assert_non_null(strstr(cmd, "getent ahosts acrshop.azurecr.io;"));
	assert_int_equal(probe_ssh_command("acrshop.azurecr.io", cmd, 20), AD_ENOMEM);
}

static void test_parse_private(void **state)
{
	struct probe_dns d;

	(void)state;
	probe_ssh_parse("#nslookup\n"
		"Server:\t\t127.0.0.1\n"
		"Address:\t127.0.0.1#53\n"
		"\n"
		"acrshop.azurecr.io\tcanonical name = acrshop.privatelink.azurecr.io.\n"
		"Name:\tacrshop.privatelink.azurecr.io\n"
		"Address: 10.10.1.5\n"
		"acrshop.azurecr.io\tcanonical name = acrshop.privatelink.azurecr.io.\n"
		"*** Can't find acrshop.azurecr.io: No answer\n",
		"acrshop.azurecr.io", &d);
	assert_int_equal(d.naddr, 1);
	assert_string_equal(d.addr[0], "10.10.1.5");
	assert_int_equal(probe_addr_private(d.addr[0]), 1);
	assert_int_equal(d.ncname, 1);
	assert_string_equal(d.cname[0], "acrshop.privatelink.azurecr.io");
	assert_int_equal(d.via_privatelink, 1);
	assert_string_equal(d.resolver, "127.0.0.1#53");
	assert_string_equal(d.method, "nslookup");
	assert_string_equal(d.answer_error, "");
}

static void test_parse_public_chain(void **state)
{
	struct probe_dns d;

	(void)state;
	probe_ssh_parse("#nslookup\nServer:\t\t10.0.0.10\nAddress:\t10.0.0.10#53\n\n"
		"Non-authoritative answer:\n"
		"acrshop.azurecr.io\tcanonical name = acrshop.privatelink.azurecr.io.\n"
		"acrshop.privatelink.azurecr.io\tcanonical name = weu.fe.azcr.io.\n"
		"Name:\tweu.fe.azcr.io\nAddress: 20.50.2.68\n",
		"acrshop.azurecr.io", &d);
	assert_int_equal(d.naddr, 1);
	assert_string_equal(d.addr[0], "20.50.2.68");
	assert_int_equal(probe_addr_private(d.addr[0]), 0);
	assert_int_equal(d.ncname, 2);
	assert_string_equal(d.cname[1], "weu.fe.azcr.io");
	assert_int_equal(d.via_privatelink, 1);
}

static void test_parse_errors(void **state)
{
	struct probe_dns d;

	(void)state;
	probe_ssh_parse("#nslookup\nServer:\t\t127.0.0.1\nAddress:\t127.0.0.1#53\n\n"
		"** server can't find acrshop.azurecr.io: NXDOMAIN\n\n",
		"acrshop.azurecr.io", &d);
	assert_int_equal(d.naddr, 0);
	assert_string_equal(d.answer_error, "NXDOMAIN");
	probe_ssh_parse("#nslookup\nServer:\t\t127.0.0.1\nAddress:\t127.0.0.1#53\n\n"
		"** server can't find acrshop.azurecr.io: SERVFAIL\n",
		"acrshop.azurecr.io", &d);
	assert_string_equal(d.answer_error, "SERVFAIL");
	probe_ssh_parse("#nslookup\nServer:\t\t127.0.0.1\nAddress:\t127.0.0.1#53\n\n"
		"*** Can't find acrshop.azurecr.io: No answer\n",
		"acrshop.azurecr.io", &d);
	assert_string_equal(d.answer_error, "NODATA");
	probe_ssh_parse("#nslookup\n;; connection timed out; no servers could be reached\n",
		"acrshop.azurecr.io", &d);
	assert_string_equal(d.answer_error, "TIMEOUT");
	probe_ssh_parse("#nslookup\n;; communications error to 127.0.0.1#53: timed out\n"
		";; communications error to 127.0.0.1#53: timed out\n"
		";; no servers could be reached\n", "acrshop.azurecr.io", &d);
	assert_string_equal(d.answer_error, "TIMEOUT");
	probe_ssh_parse("#nslookup\n;; communications error to 127.0.0.1#53: connection refused\n",
		"acrshop.azurecr.io", &d);
	assert_string_equal(d.answer_error, "NOSERVER");
	probe_ssh_parse("", "acrshop.azurecr.io", &d);
	assert_string_equal(d.answer_error, "no answer");
}

static void test_parse_getent(void **state)
{
	struct probe_dns d;

	(void)state;
	probe_ssh_parse("#getent\n"
		"10.10.1.5       STREAM acrshop.privatelink.azurecr.io\n"
		"10.10.1.5       DGRAM  \n10.10.1.5       RAW    \n#rc=0\n",
		"acrshop.azurecr.io", &d);
	assert_string_equal(d.method, "getent");
	assert_int_equal(d.naddr, 1);
	assert_string_equal(d.addr[0], "10.10.1.5");
	assert_int_equal(d.ncname, 1);
	assert_int_equal(d.via_privatelink, 1);
	probe_ssh_parse("#getent\n#rc=2\n", "acrshop.azurecr.io", &d);
	assert_int_equal(d.naddr, 0);
	assert_string_equal(d.answer_error, "NOTFOUND");
}

/* A hostile node or resolver: nothing invalid is kept, bounds hold. */
static void test_parse_hostile(void **state)
{
	struct probe_dns d;
	char *big;
	size_t i;

	(void)state;
	probe_ssh_parse("#nslookup\nServer: $(reboot)\nAddress: 1.2.3.4#53;rm\n\n"
		"x canonical name = `id`.evil.\n"
		"x canonical name = a;b.\n"
		"Name: x\nAddress: 999.1.1.1\nAddress: 10.0.0.1; touch /tmp/x\n"
		"Address: \x1b[31m10.0.0.2\n",
		"x", &d);
	assert_int_equal(d.naddr, 0);
	assert_int_equal(d.ncname, 0);
	assert_string_equal(d.resolver, "");
	big = malloc(200000);
	assert_non_null(big);
	strcpy(big, "#nslookup\nName: x\n");
	for (i = strlen(big); i + 20 < 199000; )
		i += (size_t)sprintf(big + i, "Address: 10.0.%zu.%zu\n",
				     (i / 256) % 256, i % 256);
	probe_ssh_parse(big, "x", &d);
	free(big);
	assert_int_equal(d.naddr, PROBE_MAX_ADDRS);
}

static void test_fingerprint(void **state)
{
	unsigned char h[32], back[64];
	char fp[SSHFP_LEN], b[100];
	static const unsigned char abc_sha[4] = { 0xba, 0x78, 0x16, 0xbf };

	(void)state;
	sshfp_sha256("abc", 3, h);
	assert_memory_equal(h, abc_sha, 4);
	assert_int_equal(h[31], 0xad);
	/* two blocks of padding */
	sshfp_sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		     56, h);
	assert_int_equal(h[0], 0x24);
	assert_int_equal(h[31], 0xc1);
	sshfp_fingerprint("abc", 3, fp, sizeof fp);
	assert_string_equal(fp, "SHA256:ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0");
	assert_int_equal(sshfp_b64_encode("ab", 2, b, sizeof b, 1), 4);
	assert_string_equal(b, "YWI=");
	assert_int_equal(sshfp_b64_decode("YWI=", 4, back, sizeof back), 2);
	assert_memory_equal(back, "ab", 2);
	assert_int_equal(sshfp_b64_decode("Y$I=", 4, back, sizeof back), -1);
	assert_int_equal(sshfp_b64_encode("abcdef", 6, b, 5, 1), -1);
}

static void test_private(void **state)
{
	(void)state;
	assert_int_equal(probe_addr_private("10.1.2.3"), 1);
	assert_int_equal(probe_addr_private("172.16.0.1"), 1);
	assert_int_equal(probe_addr_private("172.32.0.1"), 0);
	assert_int_equal(probe_addr_private("192.168.1.1"), 1);
	assert_int_equal(probe_addr_private("20.50.2.68"), 0);
	assert_int_equal(probe_addr_private("fd00::1"), 1);
	assert_int_equal(probe_addr_private("2001:db8::1"), 0);
	assert_int_equal(probe_addr_private("nope"), -1);
}

static void test_options(void **state)
{
	struct ssh_opts o;
	struct ad_error err = { 0 };
	char *argv[] = { "x", "--ssh-node", "10.224.0.4", "--ssh-port=2222",
			 "--ssh-jump", "a@b:22,c", "--ssh-user", "bad user",
			 "--other", "--ssh-key" };
	int i = 1;

	(void)state;
	ssh_opts_init(&o);
	assert_int_equal(ssh_opt_parse(&o, 10, argv, &i, &err), 1);
	assert_int_equal(i, 2);
	assert_string_equal(o.node, "10.224.0.4");
	i = 3;
	assert_int_equal(ssh_opt_parse(&o, 10, argv, &i, &err), 1);
	assert_int_equal(o.port, 2222);
	i = 4;
	assert_int_equal(ssh_opt_parse(&o, 10, argv, &i, &err), 1);
	assert_string_equal(o.jump, "a@b:22,c");
	i = 6;
	assert_int_equal(ssh_opt_parse(&o, 10, argv, &i, &err), AD_EINVAL);
	i = 8;
	assert_int_equal(ssh_opt_parse(&o, 10, argv, &i, &err), 0);
	i = 9;
	assert_int_equal(ssh_opt_parse(&o, 10, argv, &i, &err), AD_EINVAL);
	assert_int_equal(ssh_opt_set(&o, "--ssh-node", "h;reboot", &err), AD_EINVAL);
	assert_int_equal(ssh_opt_set(&o, "--ssh-port", "0", &err), AD_EINVAL);
	assert_int_equal(ssh_opt_set(&o, "--ssh-jump", "none", &err), 0);
	assert_string_equal(o.jump, "none");
}

/* ---------- sshask: a worker asks, this thread (the "UI") answers ---------- */

struct worker {
	struct ssh_opts o;
	int kind;             /* 1 host key, 2 passphrase */
	enum ssh_trust trust;
	int rc;
	char pass[64];
};

static void *work(void *arg)
{
	struct worker *w = arg;

	if (w->kind == 1)
		w->trust = w->o.hostkey_ask(w->o.hostkey_ud, "10.224.0.4", 22,
					    "ssh-ed25519", "SHA256:abc");
	else
		w->rc = w->o.passphrase(w->o.passphrase_ud, "/k/id", w->pass,
					sizeof w->pass);
	return NULL;
}

/* Wait (bounded) for the worker's question. */
static void wait_question(struct sshask *a, struct sshask_question *q)
{
	int i;

	for (i = 0; i < 500 && !sshask_pending(a, q); i++)
		poll(NULL, 0, 10);
	assert_true(i < 500);
}

static void test_ask_hostkey(void **state)
{
	ad_cancel_flag cancel = 0;
	struct sshask *a = sshask_new(&cancel);
	struct sshask_question q;
	struct worker w;
	pthread_t th;
	struct pollfd pfd;
	char byte;

	(void)state;
	assert_non_null(a);
	memset(&w, 0, sizeof w);
	ssh_opts_init(&w.o);
	sshask_attach(a, &w.o);
	w.kind = 1;
	assert_false(sshask_pending(a, &q));
	pthread_create(&th, NULL, work, &w);
	wait_question(a, &q);
	pfd.fd = sshask_fd(a);
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, 1000), 1);
	assert_int_equal(read(sshask_fd(a), &byte, 1), 1);
	assert_int_equal(q.kind, SSHASK_HOSTKEY);
	assert_string_equal(q.host, "10.224.0.4");
	assert_int_equal(q.port, 22);
	assert_string_equal(q.fingerprint, "SHA256:abc");
	sshask_answer_passphrase(a, "ignored");   /* wrong kind: no effect */
	assert_true(sshask_pending(a, NULL));
	sshask_answer_hostkey(a, SSH_TRUST_SAVE);
	pthread_join(th, NULL);
	assert_int_equal(w.trust, SSH_TRUST_SAVE);
	assert_false(sshask_pending(a, &q));
	sshask_free(a);
}

static void test_ask_passphrase(void **state)
{
	ad_cancel_flag cancel = 0;
	struct sshask *a = sshask_new(&cancel);
	struct sshask_question q;
	struct worker w;
	pthread_t th;

	(void)state;
	memset(&w, 0, sizeof w);
	ssh_opts_init(&w.o);
	sshask_attach(a, &w.o);
	w.kind = 2;
	pthread_create(&th, NULL, work, &w);
	wait_question(a, &q);
	assert_int_equal(q.kind, SSHASK_PASSPHRASE);
	assert_string_equal(q.path, "/k/id");
	sshask_answer_passphrase(a, "s3cret");
	pthread_join(th, NULL);
	assert_int_equal(w.rc, 0);
	assert_string_equal(w.pass, "s3cret");
	/* skipping the key */
	pthread_create(&th, NULL, work, &w);
	wait_question(a, &q);
	sshask_answer_passphrase(a, NULL);
	pthread_join(th, NULL);
	assert_int_not_equal(w.rc, 0);
	sshask_free(a);
}

/* Esc while the question is shown: the worker stops waiting, answer no. */
static void test_ask_cancel(void **state)
{
	ad_cancel_flag cancel = 0;
	struct sshask *a = sshask_new(&cancel);
	struct sshask_question q;
	struct worker w;
	pthread_t th;

	(void)state;
	memset(&w, 0, sizeof w);
	ssh_opts_init(&w.o);
	sshask_attach(a, &w.o);
	w.kind = 1;
	w.trust = SSH_TRUST_SAVE;
	pthread_create(&th, NULL, work, &w);
	wait_question(a, &q);
	ad_cancel_set(&cancel);
	pthread_join(th, NULL);
	assert_int_equal(w.trust, SSH_TRUST_NO);
	assert_false(sshask_pending(a, &q));
	sshask_free(a);
	sshask_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_patterns),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_config_too_long),
		cmocka_unit_test(test_jump),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_parse_private),
		cmocka_unit_test(test_parse_public_chain),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_getent),
		cmocka_unit_test(test_parse_hostile),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_private),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_ask_hostkey),
		cmocka_unit_test(test_ask_passphrase),
		cmocka_unit_test(test_ask_cancel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
