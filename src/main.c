/* main.c - the command line: the wizard, diagnose, explain, scenarios.
 *
 * The CLI is a contract other tools rely on (README, --help):
 *   acr-doctor [--scenario NAME|FILE]            the wizard
 *   acr-doctor diagnose --scenario NAME|FILE [--json]
 *   acr-doctor explain [--json] [MESSAGE | -]
 *   acr-doctor scenarios
 * Exit codes: 0 healthy / done, 1 problem found, 2 usage or input error,
 * 3 inconclusive (nothing failed, some checks could not tell). */
#include "config.h"

#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "catalog.h"
#include "check.h"
#include "classify.h"
#include "diagnose.h"
#include "err.h"
#include "facts.h"
#include "i18n.h"
#include "scenario.h"
#include "textw.h"
#include "tree.h"
#include "../ui/ui.h"

#define EXIT_USAGE 2
#define EXPLAIN_MAX (1u << 20)

/* Every message to stderr goes through here: it may quote what the user
 * typed or a file held, so terminal control sequences are taken out. */
static void complain(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static void complain(const char *fmt, ...)
{
	char raw[1024], clean[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	tw_sanitize(clean, sizeof clean, raw);
	fprintf(stderr, "%s: %s\n", PACKAGE_NAME, clean);
}

static void usage(FILE *fp)
{
	fprintf(fp, _("Usage: %s [OPTION]... [COMMAND]\n"), PACKAGE_NAME);
	fputs(_("Find out why an AKS cluster or an App Service Web App cannot pull from\n"
		"Azure Container Registry, and fix it.\n\n"), fp);
	fputs(_("Commands:\n"
		"  (none)                  open the wizard (training scenarios when no\n"
		"                          scenario is given)\n"
		"  diagnose --scenario S   run every applicable check and print the diagnosis\n"
		"  explain [MESSAGE | -]   classify an error message (- or none: read stdin)\n"
		"  scenarios               list the built-in training scenarios\n\n"), fp);
	fputs(_("Options:\n"
		"  -s, --scenario NAME|FILE  a built-in scenario or a scenario file\n"
		"      --json                machine-readable output (diagnose, explain)\n"
		"      --lang LOCALE         language of the interface (sv, ru, ja, zh_CN)\n"
		"      --no-color            no colors (also when NO_COLOR is set)\n"
		"  -h, --help                show this help and exit\n"
		"  -V, --version             show the version and exit\n\n"), fp);
	fputs(_("Environment:\n"
		"  NO_COLOR          no colours, as --no-color\n"
		"  LANGUAGE, LANG    the interface language when --lang is not given\n"
		"  ACR_DOCTOR_NOW    the time date checks use (ISO 8601, UTC), to replay\n"
		"                    a scenario as of that moment\n\n"), fp);
	fputs(_("Exit status: 0 healthy, 1 problem found, 2 usage or input error,\n"
		"3 inconclusive (no check failed but some could not tell).\n"), fp);
}

struct opts {
	const char *cmd;
	const char *scenario;
	const char *lang;
	int json;
	int no_color;
	int nargs;
	char **args;
};

static int parse_args(int argc, char **argv, struct opts *o)
{
	int i;

	memset(o, 0, sizeof *o);
	o->args = calloc((size_t)argc + 1, sizeof *o->args);
	if (!o->args)
		return -1;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			for (i++; i < argc; i++)
				o->args[o->nargs++] = argv[i];
			break;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			o->cmd = "help";
		} else if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
			o->cmd = "version";
		} else if (strcmp(a, "--json") == 0) {
			o->json = 1;
		} else if (strcmp(a, "--no-color") == 0) {
			o->no_color = 1;
		} else if (strcmp(a, "-s") == 0 || strcmp(a, "--scenario") == 0 ||
			   strcmp(a, "--lang") == 0) {
			if (i + 1 >= argc) {
				complain(_("option '%s' needs a value"), a);
				return -1;
			}
			if (strcmp(a, "--lang") == 0)
				o->lang = argv[++i];
			else
				o->scenario = argv[++i];
		} else if (strncmp(a, "--scenario=", 11) == 0) {
			o->scenario = a + 11;
		} else if (strncmp(a, "--lang=", 7) == 0) {
			o->lang = a + 7;
		} else if (a[0] == '-' && a[1] != '\0') {
			complain(_("unknown option '%s'"), a);
			return -1;
		} else if (!o->cmd && o->nargs == 0 &&
			   (strcmp(a, "diagnose") == 0 || strcmp(a, "explain") == 0 ||
			    strcmp(a, "scenarios") == 0)) {
			o->cmd = a;
		} else {
			o->args[o->nargs++] = argv[i];
		}
	}
	return 0;
}

/* The value of --lang (or --lang=), before the other options. */
static const char *find_lang(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--lang") == 0 && i + 1 < argc)
			return argv[i + 1];
		if (strncmp(argv[i], "--lang=", 7) == 0)
			return argv[i] + 7;
	}
	return NULL;
}

static void set_language(const char *lang)
{
	const char *cur;

	if (!lang)
		return;
	setenv("LANGUAGE", lang, 1);
	/* gettext ignores LANGUAGE in the C locale. */
	cur = setlocale(LC_MESSAGES, NULL);
	if (!cur || strcmp(cur, "C") == 0 || strcmp(cur, "POSIX") == 0)
		setlocale(LC_ALL, "C.UTF-8");
}

static int cmd_scenarios(void)
{
	size_t i, n = scenario_builtin_count();

	for (i = 0; i < n; i++) {
		char summary[512], clean[512];

		scenario_builtin_summary(i, summary, sizeof summary);
		tw_sanitize(clean, sizeof clean, summary);
		printf("%-34s %s\n", scenario_builtin_name(i), clean);
	}
	return 0;
}

/* The human form: one line a check, then the cause in words (the tree's
 * verdict title), the fixes the failing checks offer and how to apply
 * them in the wizard. */
static void print_text(const struct diagnosis *d, const struct scenario *s,
		       const char *scenario_arg)
{
	struct tree *t = NULL;
	size_t i, nfix = 0;

	{
		/* A file's text: no escape sequence reaches the terminal. */
		char *summary = tw_sanitize_dup(scenario_summary(s));
		char *p;

		for (p = summary; p && *p; p++)
			if (*p == '\n')
				*p = ' ';
		printf(_("Scenario: %s — %s\n\n"), scenario_name(s),
		       summary ? summary : "");
		free(summary);
	}
	for (i = 0; i < d->n; i++) {
		const struct finding *fd = &d->findings[i];
		char clean[600];

		char verdict[64];
		int w;

		tw_sanitize(clean, sizeof clean, fd->res.summary);
		/* Padded in columns: a translated verdict may be CJK. */
		w = tw_fit(verdict, sizeof verdict,
			   check_verdict_label(fd->res.verdict), 15, 0);
		printf("%s%*s %-28s %s\n", verdict, 15 - w, "", fd->def->id,
		       clean);
		if (fd->res.verdict == CHECK_FAIL && fd->res.fix) {
			printf("%-15s %-28s %s %s\n", "", "", _("fix:"),
			       fd->res.fix);    /* a fix id of the table */
			nfix++;
		}
	}
	printf("\n");
	if (d->cause) {
		char id[64];
		const struct tree_node *v;

		snprintf(id, sizeof id, "verdict.%s", d->cause);
		tree_load_builtin(&t, NULL);
		v = t ? tree_find(t, id) : NULL;
		/* The verdict titles read "Cause: ..." already. */
		if (v)
			printf("%s (%s)\n", _(v->title), d->cause);
		else
			printf(_("Diagnosis: %s\n"), d->cause);
		if (nfix) {
			char arg[256];

			tw_sanitize(arg, sizeof arg, scenario_arg);
			printf(_("The wizard offers the fix, shows the exact change and asks first:\n"
				 "  acr-doctor --scenario %s\n"), arg);
		}
	} else if (d->nunknown) {
		printf(ngettext("Diagnosis: none found, but %zu check could not tell\n",
				"Diagnosis: none found, but %zu checks could not tell\n",
				d->nunknown),
		       d->nunknown);
	} else {
		printf(_("Diagnosis: healthy\n"));
	}
	tree_free(t);
}

static int cmd_diagnose(const struct opts *o)
{
	struct scenario *s = NULL;
	struct ad_error err = { 0 };
	struct http_transport *t = NULL;
	struct node_probe *p = NULL;
	struct facts *f = NULL;
	struct ad_context ctx;
	struct diagnosis d;
	int rc = EXIT_USAGE;

	if (!o->scenario) {
		complain(_("diagnose needs --scenario NAME|FILE "
			   "(live Azure access is not available in this version)"));
		return EXIT_USAGE;
	}
	if (scenario_load(o->scenario, &s, &err) != 0) {
		complain("%s", err.msg);
		return EXIT_USAGE;
	}
	ctx = *scenario_context(s);
	t = sim_transport_new(s);
	p = sim_probe_new(s);
	f = t && p ? facts_new(t, p, &ctx) : NULL;
	if (!f) {
		complain("%s", _("out of memory"));
		goto out;
	}
	f->token_arm = f->token_graph = f->token_kube = "simulated";
	if (diagnose_run(f, &d, NULL) != 0) {
		complain("%s", _("out of memory"));
		diagnose_clear(&d);
		goto out;
	}
	if (o->json) {
		cJSON *j = diagnose_json(&d);
		char *txt = j ? cJSON_PrintUnformatted(j) : NULL;

		if (txt)
			printf("%s\n", txt);
		cJSON_free(txt);
		cJSON_Delete(j);
	} else {
		print_text(&d, s, o->scenario);
	}
	rc = diagnose_exit_code(&d);
	diagnose_clear(&d);
out:
	facts_free(f);
	node_probe_free(p);
	http_transport_free(t);
	scenario_free(s);
	return rc;
}

static char *read_stdin(size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1);

	if (!buf)
		return NULL;
	for (;;) {
		size_t got;

		if (n == cap) {
			char *nb;

			if (cap >= EXPLAIN_MAX)
				break;  /* the rest is not read: bounded input */
			nb = realloc(buf, cap * 2 + 1);
			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
		got = fread(buf + n, 1, cap - n, stdin);
		if (got == 0)
			break;
		n += got;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int cmd_explain(const struct opts *o)
{
	struct classify_result r;
	char *text = NULL;
	size_t len = 0;
	int i;

	if (o->nargs == 0 || (o->nargs == 1 && strcmp(o->args[0], "-") == 0)) {
		if (o->nargs == 0 && isatty(STDIN_FILENO)) {
			complain(_("explain needs a MESSAGE, or - to read it from standard input"));
			return EXIT_USAGE;
		}
		text = read_stdin(&len);
	} else {
		for (i = 0; i < o->nargs; i++)
			len += strlen(o->args[i]) + 1;
		text = calloc(1, len + 1);
		for (i = 0; text && i < o->nargs; i++) {
			if (i)
				strcat(text, " ");
			strcat(text, o->args[i]);
		}
		len = text ? strlen(text) : 0;
	}
	if (!text) {
		complain("%s", _("out of memory"));
		return EXIT_USAGE;
	}
	classify_message(text, len, &r);
	free(text);
	if (o->json) {
		cJSON *j = cJSON_CreateObject();
		char *txt;

		cJSON_AddStringToObject(j, "cause", r.cause);
		cJSON_AddStringToObject(j, "evidence", r.evidence);
		cJSON_AddStringToObject(j, "rule", r.rule ? r.rule : "");
		if (r.registry[0])
			cJSON_AddStringToObject(j, "registry", r.registry);
		if (r.image[0])
			cJSON_AddStringToObject(j, "image", r.image);
		if (r.note[0])
			cJSON_AddStringToObject(j, "note", r.note);
		txt = cJSON_PrintUnformatted(j);
		if (txt)
			printf("%s\n", txt);
		cJSON_free(txt);
		cJSON_Delete(j);
	} else {
		printf(_("Cause:    %s\n"), r.cause);
		printf(_("Evidence: %s\n"), r.evidence);
		if (r.note[0])
			printf(_("Note:     %s\n"), r.note);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	int rc;

	setlocale(LC_ALL, "");
	/* The language first, so that even a usage error is in it. */
	set_language(find_lang(argc, argv));
	catalog_bind(PACKAGE, LOCALEDIR, find_lang(argc, argv));
	if (parse_args(argc, argv, &o) != 0) {
		usage(stderr);
		free(o.args);
		return EXIT_USAGE;
	}

	if (o.cmd && strcmp(o.cmd, "help") == 0) {
		usage(stdout);
		rc = 0;
	} else if (o.cmd && strcmp(o.cmd, "version") == 0) {
		printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
		rc = 0;
	} else if (o.cmd && strcmp(o.cmd, "scenarios") == 0) {
		rc = cmd_scenarios();
	} else if (o.cmd && strcmp(o.cmd, "diagnose") == 0) {
		rc = cmd_diagnose(&o);
	} else if (o.cmd && strcmp(o.cmd, "explain") == 0) {
		rc = cmd_explain(&o);
	} else if (o.nargs) {
		complain(_("unknown command '%s'"), o.args[0]);
		usage(stderr);
		rc = EXIT_USAGE;
	} else {
		struct ui_options uo = { 0 };
		const char *nc = getenv("NO_COLOR");

		uo.scenario = o.scenario;
		uo.no_color = o.no_color || (nc && nc[0]);
		rc = ui_run(&uo);
	}
	free(o.args);
	return rc;
}
