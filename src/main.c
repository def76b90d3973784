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
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "catalog.h"
#include "cli.h"
#include "check.h"
#include "classify.h"
#include "diagnose.h"
#include "err.h"
#include "facts.h"
#include "fix_offer.h"
#include "i18n.h"
#include "probe_ssh.h"
#include "scenario.h"
#include "textw.h"
#include "tree.h"
#include "world.h"
#include "live.h"
#include "../ui/ui.h"

#define EXPLAIN_MAX (1u << 20)

void cli_complain(const char *fmt, ...)
{
	char raw[1024], clean[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	tw_sanitize(clean, sizeof clean, raw);
	fprintf(stderr, "%s: %s\n", PACKAGE_NAME, clean);
}

#define complain cli_complain

static void usage(FILE *fp)
{
	fprintf(fp, _("Usage: %s [OPTION]... [COMMAND]\n"), PACKAGE_NAME);
	fputs(_("Find out why an AKS cluster or an App Service Web App cannot pull from\n"
		"Azure Container Registry, and fix it.\n\n"), fp);
	fputs(_("Commands:\n"
		"  (none)                  open the wizard (live with the target options;\n"
		"                          training with --scenario or the t key)\n"
		"  diagnose                run every applicable check and print the diagnosis\n"
		"                          (live with --cluster or --webapp; training with\n"
		"                          --scenario)\n"
		"  fix FIX-ID              show a fix, ask, apply it and check again\n"
		"  explain [MESSAGE | -]   classify an error message (- or none: read stdin)\n"
		"  scenarios               list the built-in training scenarios\n\n"), fp);
	fputs(_("Live target:\n"
		"      --cluster NAME        the AKS cluster (default: the kubeconfig context's)\n"
		"      --webapp NAME         the App Service Web App\n"
		"  -g, --resource-group RG   its resource group (found when not given)\n"
		"      --subscription ID     its subscription (found when not given)\n"
		"  -n, --namespace NS        the failing pod's namespace (default: all)\n"
		"      --pod POD             the failing pod (default: every failing pod)\n"
		"      --image REF           the image that fails to pull\n"
		"      --registry NAME       the registry (default: from the image)\n"
		"      --message TEXT        the pull error or log line you have (App Service:\n"
		"                            the container log line)\n"
		"      --cloud NAME|FILE     AzureCloud, AzureChinaCloud, AzureUSGovernment or\n"
		"                            an `az cloud show` JSON file\n"
		"      --kubeconfig FILE     the kubeconfig (default: KUBECONFIG, ~/.kube/config;\n"
		"                            none for the cluster: its user credentials from\n"
		"                            Azure, as az aks get-credentials)\n"
		"      --context NAME        the kubeconfig context (default: current)\n"
		"      --credential SOURCE   use only this credential source: environment,\n"
		"                            workload, managed, cli or device\n"
		"      --ca-file FILE        trust these CA certificates (PEM)\n"
		"      --timeout SECONDS     give up on an answer after this long (default 60;\n"
		"                            the check then says unknown)\n"
		"      --debug               print every request to stderr (secrets hidden)\n\n"), fp);
	fputs(_("Options:\n"
		"  -s, --scenario NAME|FILE  a built-in scenario or a scenario file\n"
		"      --training            the wizard on the list of training scenarios\n"
		"      --json                machine-readable output (diagnose, explain)\n"
		"      --yes                 fix: apply without asking\n"
		"      --dry-run             fix: show the requests, send nothing\n"
		"      --lang LOCALE         language of the interface (sv, ru, ja, zh_CN)\n"
		"      --no-color            no colors (also when NO_COLOR is set)\n"
		"  -h, --help                show this help and exit\n"
		"  -V, --version             show the version and exit\n\n"), fp);
	fputs(_("Testing from a node over SSH (diagnose: DNS and TCP 443 as the node sees them):\n"
		"      --ssh-node HOST       the node's address, or a Host of ~/.ssh/config;\n"
		"                            auto: the failing pod's node (its InternalIP);\n"
		"                            pick (wizard): choose from the cluster's nodes\n"
		"      --ssh-user USER       login user (default: ~/.ssh/config, else azureuser)\n"
		"      --ssh-port PORT       SSH port (default: ~/.ssh/config, else 22)\n"
		"      --ssh-key FILE        private key (repeatable; after ssh-agent's keys)\n"
		"      --ssh-jump [U@]H[:P],...  jump hosts, as ssh -J (default: ProxyJump)\n"
		"      --known-hosts FILE    host keys (default: ~/.ssh/known_hosts); an\n"
		"                            unknown or changed host key stops the test\n"
		"      --ssh-config FILE     instead of ~/.ssh/config (none: no file)\n\n"), fp);
	fputs(_("Environment:\n"
		"  AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET,\n"
		"  AZURE_CLIENT_CERTIFICATE_PATH  a service principal\n"
		"  AZURE_FEDERATED_TOKEN_FILE     workload identity\n"
		"  IDENTITY_ENDPOINT, IDENTITY_HEADER  managed identity (App Service)\n"
		"  AZURE_POD_IDENTITY_AUTHORITY_HOST   the instance metadata service\n"
		"  AZURE_TOKEN_CREDENTIALS  use only this credential source\n"
		"  AZURE_AUTHORITY_HOST     the Entra ID host\n"
		"  AZURE_SUBSCRIPTION_ID    the subscription when not given\n"
		"  AZURE_CLOUD              the cloud when --cloud is not given\n"
		"  KUBECONFIG               the kubeconfig files\n"
		"  HTTPS_PROXY, NO_PROXY    a proxy\n"
		"  SSL_CERT_FILE, CURL_CA_BUNDLE, REQUESTS_CA_BUNDLE  CA certificates\n"
		"  XDG_STATE_HOME           where the audit log is kept\n"
		"  NO_COLOR          no colours, as --no-color\n"
		"  LANGUAGE, LANG    the interface language when --lang is not given\n"
		"  ACR_DOCTOR_NOW    the time date checks use (ISO 8601, UTC), to replay\n"
		"                    a scenario as of that moment\n\n"), fp);
	fputs(_("Exit status of diagnose: 0 healthy, 1 problem found, 2 usage or input\n"
		"error, 3 inconclusive (no check failed but some could not tell).\n"
		"Exit status of fix: 0 applied and verified (or nothing to fix), 1 applied\n"
		"but the check still fails, 2 usage, 3 the check could not tell, 4 declined\n"
		"or not permitted, 5 the fix can only be shown.\n"), fp);
}

/* Options that take a value, and where it goes. */
struct opt_def {
	const char *name;
	char shortname;
	size_t off;          /* offsetof(struct opts, ...) of a const char * */
};

#define OPT(n, c, f) { n, c, offsetof(struct opts, f) }
static const struct opt_def value_opts[] = {
	OPT("scenario", 's', scenario),
	OPT("lang", 0, lang),
	OPT("cluster", 0, cluster),
	OPT("webapp", 0, webapp),
	OPT("resource-group", 'g', resource_group),
	OPT("subscription", 0, subscription),
	OPT("namespace", 'n', namespace_),
	OPT("pod", 0, pod),
	OPT("image", 0, image),
	OPT("registry", 0, registry),
	OPT("message", 0, message),
	OPT("cloud", 0, cloud),
	OPT("context", 0, context),
	OPT("kubeconfig", 0, kubeconfig),
	OPT("ca-file", 0, ca_file),
	OPT("credential", 0, credential),
	OPT("timeout", 0, timeout),
};

struct flag_def {
	const char *name;
	char shortname;
	size_t off;          /* offsetof(struct opts, ...) of an int */
};

#define FLAG(n, c, f) { n, c, offsetof(struct opts, f) }
static const struct flag_def flag_opts[] = {
	FLAG("json", 0, json),
	FLAG("no-color", 0, no_color),
	FLAG("yes", 'y', yes),
	FLAG("dry-run", 0, dry_run),
	FLAG("debug", 0, debug),
	FLAG("training", 0, training),
};

static const char *const commands[] = {
	"diagnose", "explain", "scenarios", "fix"
};

/* "--name", "--name=value" or "-c": the definition, and where the value
 * starts when it was given with '='. */
static int opt_match(const char *a, const char *name, char shortname,
		     const char **inline_value)
{
	size_t n = strlen(name);

	*inline_value = NULL;
	if (shortname && a[0] == '-' && a[1] == shortname && a[2] == '\0')
		return 1;
	if (strncmp(a, "--", 2) != 0 || strncmp(a + 2, name, n) != 0)
		return 0;
	if (a[2 + n] == '\0')
		return 1;
	if (a[2 + n] == '=') {
		*inline_value = a + 3 + n;
		return 1;
	}
	return 0;
}

static int parse_one(int argc, char **argv, int *i, struct opts *o)
{
	const char *a = argv[*i], *v;
	size_t k;

	for (k = 0; k < sizeof value_opts / sizeof value_opts[0]; k++) {
		const struct opt_def *d = &value_opts[k];

		if (!opt_match(a, d->name, d->shortname, &v))
			continue;
		if (!v) {
			if (*i + 1 >= argc) {
				complain(_("option '%s' needs a value"), a);
				return -1;
			}
			v = argv[++*i];
		}
		*(const char **)((char *)o + d->off) = v;
		return 1;
	}
	for (k = 0; k < sizeof flag_opts / sizeof flag_opts[0]; k++) {
		const struct flag_def *d = &flag_opts[k];

		if (opt_match(a, d->name, d->shortname, &v) && !v) {
			*(int *)((char *)o + d->off) = 1;
			return 1;
		}
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	int i, rc;
	size_t k;

	memset(o, 0, sizeof *o);
	ssh_opts_init(&o->ssh);
	o->args = calloc((size_t)argc + 1, sizeof *o->args);
	if (!o->args)
		return -1;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		struct ad_error serr = { 0 };
		int sr = ssh_opt_parse(&o->ssh, argc, argv, &i, &serr);

		if (sr < 0) {
			complain("%s", serr.msg);
			return -1;
		}
		if (sr > 0) {
			o->use_ssh |= strncmp(a, "--ssh-node", 10) == 0;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			for (i++; i < argc; i++)
				o->args[o->nargs++] = argv[i];
			break;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			o->cmd = "help";
		} else if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
			o->cmd = "version";
		} else if ((rc = parse_one(argc, argv, &i, o)) != 0) {
			if (rc < 0)
				return -1;
		} else if (a[0] == '-' && a[1] != '\0') {
			complain(_("unknown option '%s'"), a);
			return -1;
		} else {
			int is_cmd = 0;

			for (k = 0; !o->cmd && o->nargs == 0 &&
			     k < sizeof commands / sizeof commands[0]; k++)
				if (strcmp(a, commands[k]) == 0) {
					o->cmd = commands[k];
					is_cmd = 1;
				}
			if (!is_cmd)
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
		char summary[768], clean[768];

		scenario_builtin_summary(i, summary, sizeof summary);
		tw_sanitize(clean, sizeof clean, summary);
		printf("%-34s %s\n", scenario_builtin_name(i), clean);
	}
	return 0;
}

/* Under an offered fix: whether the caller may apply it (live). */
static void print_offer(const struct fixoffer *fo)
{
	char say[1500];

	switch (fo->state) {
	case FIXOFFER_PERMITTED:
		printf("    %s\n", _("permitted: these credentials may apply it"));
		break;
	case FIXOFFER_DENIED:
		tw_sanitize(say, sizeof say, fo->say);
		/* TRANSLATORS: "step N: why the caller may not apply it" */
		printf(_("    not permitted: step %d: %s\n"), fo->step, say);
		break;
	case FIXOFFER_UNKNOWN:
		tw_sanitize(say, sizeof say, fo->why);
		printf(_("    permitted: unknown (%s)\n"), say);
		break;
	case FIXOFFER_GUIDANCE:
		printf("    %s\n", _("guidance only: it shows what to do and sends nothing"));
		break;
	}
}

/* The human form: one line a check, then the cause in words (the tree's
 * verdict title), the fixes the failing checks offer and how to apply
 * them in the wizard. */
static void print_text(const struct diagnosis *d, const struct world *w,
		       const char *scenario_arg, const struct fixoffer *offers)
{
	struct tree *t = NULL;
	size_t i, nfix = 0;

	if (world_scenario(w)) {
		/* A file's text: no escape sequence reaches the terminal. */
		const struct scenario *s = world_scenario(w);
		char *summary = tw_sanitize_dup(scenario_summary(s));
		char name[200];
		char *p;

		for (p = summary; p && *p; p++)
			if (*p == '\n')
				*p = ' ';
		tw_sanitize(name, sizeof name, scenario_name(s));
		printf(_("Scenario: %s — %s\n\n"), name,
		       summary ? summary : "");
		free(summary);
	} else {
		const struct ad_context *c = &w->ctx;
		char what[300];

		tw_sanitize(what, sizeof what, c->target == AD_TARGET_WEBAPP ?
			    c->webapp : c->cluster);
		printf(_("Live: %s %s (%s)\n\n"),
		       c->target == AD_TARGET_WEBAPP ? _("web app") : _("cluster"),
		       what, w->source);
	}
	for (i = 0; i < d->n; i++) {
		const struct finding *fd = &d->findings[i];
		char clean[600];

		char verdict[64];
		int vw;

		tw_sanitize(clean, sizeof clean, fd->res.summary);
		/* Padded in columns: a translated verdict may be CJK. */
		vw = tw_fit(verdict, sizeof verdict,
			   check_verdict_label(fd->res.verdict), 15, 0);
		printf("%s%*s %-28s %s\n", verdict, 15 - vw, "", fd->def->id,
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
		if (nfix && world_scenario(w)) {
			char arg[256];

			tw_sanitize(arg, sizeof arg, scenario_arg);
			printf(_("The wizard offers the fix, shows the exact change and asks first:\n"
				 "  acr-doctor --scenario %s\n"), arg);
		} else if (nfix) {
			const struct ad_context *c = &w->ctx;

			printf("%s\n", _("Each fix shows the exact change and asks first:"));
			for (i = 0; i < d->n; i++) {
				const struct finding *fd = &d->findings[i];

				if (fd->res.verdict != CHECK_FAIL || !fd->res.fix)
					continue;
				if (c->target == AD_TARGET_WEBAPP)
					printf("  acr-doctor fix %s --webapp %s -g %s --subscription %s\n",
					       fd->res.fix, c->webapp,
					       c->resource_group, c->subscription);
				else
					printf("  acr-doctor fix %s --cluster %s -g %s --subscription %s -n %s --pod %s\n",
					       fd->res.fix, c->cluster,
					       c->resource_group, c->subscription,
					       c->namespace_, c->pod);
				if (offers)
					print_offer(&offers[i]);
			}
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

static void print_json(cJSON *j)
{
	char *txt = j ? cJSON_PrintUnformatted(j) : NULL;

	if (txt)
		printf("%s\n", txt);
	cJSON_free(txt);
}

/* "fixPermitted" (true, false or null when it cannot be told),
 * "fixMissing" {action, scope, role} when false, "fixPermittedWhy"
 * when null: on each finding that offers a fix. */
static void offers_json(cJSON *j, const struct diagnosis *d,
			const struct fixoffer *offers)
{
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(j, "findings"), *x;
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct fixoffer *fo = &offers[i];
		cJSON *m;

		if (d->findings[i].res.verdict != CHECK_FAIL ||
		    !d->findings[i].res.fix)
			continue;
		cJSON_ArrayForEach(x, arr) {
			const char *id = cJSON_GetStringValue(
				cJSON_GetObjectItemCaseSensitive(x, "check"));

			if (id && strcmp(id, d->findings[i].def->id) == 0)
				break;
		}
		if (!x)
			continue;
		switch (fo->state) {
		case FIXOFFER_PERMITTED:
			cJSON_AddTrueToObject(x, "fixPermitted");
			break;
		case FIXOFFER_DENIED:
			cJSON_AddFalseToObject(x, "fixPermitted");
			m = cJSON_AddObjectToObject(x, "fixMissing");
			if (m) {
				cJSON_AddStringToObject(m, "action", fo->action);
				cJSON_AddStringToObject(m, "scope", fo->scope);
				if (fo->role[0])
					cJSON_AddStringToObject(m, "role", fo->role);
				cJSON_AddNumberToObject(m, "step", fo->step);
			}
			break;
		case FIXOFFER_UNKNOWN:
			cJSON_AddNullToObject(x, "fixPermitted");
			cJSON_AddStringToObject(x, "fixPermittedWhy", fo->why);
			break;
		case FIXOFFER_GUIDANCE:
			/* Nothing is sent, so there is nothing to permit. */
			cJSON_AddNullToObject(x, "fixPermitted");
			cJSON_AddTrueToObject(x, "fixGuidanceOnly");
			break;
		}
	}
}

/* One diagnosis of the world's current context. */
static int diagnose_one(struct world *w, const struct opts *o, cJSON *arr,
			int *rc)
{
	struct diagnosis d;
	const struct fixoffer *offers;
	int live = world_is_live(w);

	/* Live: may the caller apply each offered fix?  (A scenario records
	 * no ARM permissions, so it is not asked there.) */
	if ((live ? diagnose_run_offers(w->facts, &d, 1, NULL) :
		    diagnose_run(w->facts, &d, NULL)) != 0) {
		complain("%s", _("out of memory"));
		diagnose_clear(&d);
		return -1;
	}
	offers = d.offers;
	if (o->json) {
		cJSON *j = diagnose_json(&d);

		if (j && offers)
			offers_json(j, &d, offers);
		if (j && live)
			cJSON_AddItemToObject(j, "context", ctx_to_json(&w->ctx));
		if (arr && j)
			cJSON_AddItemToArray(arr, j);
		else {
			print_json(j);
			cJSON_Delete(j);
		}
	} else {
		print_text(&d, w, o->scenario, offers);
	}
	/* Several pods: the worst answer decides (problem > inconclusive). */
	{
		int e = diagnose_exit_code(&d);

		if (e == 1 || (e == 3 && *rc != 1) || *rc < 0)
			*rc = e;
	}
	diagnose_clear(&d);
	return 0;
}

#define MAX_PODS 64

static int cmd_diagnose(const struct opts *o)
{
	struct world *w = NULL;
	struct live_pod *pods = NULL;
	size_t n = 0, i;
	int rc = -1;

	if ((rc = cli_open_world(o, &w)) != 0)
		return rc == CLI_NOTHING ? 0 : rc;
	rc = -1;
	/* Live, no pod named: every pod that cannot pull, one diagnosis
	 * each. */
	if (world_is_live(w) && w->ctx.target == AD_TARGET_AKS && !o->pod &&
	    (pods = calloc(MAX_PODS + 1, sizeof *pods))) {
		struct ad_error err = { 0 };

		if (live_failing_pods(w, o->namespace_, pods, MAX_PODS + 1, &n,
				      &err) != 0)
			n = 0;
		/* One more than is diagnosed: the rest is said, not dropped. */
		if (n > MAX_PODS) {
			complain(_("more than %d pods fail to pull: the first %d are diagnosed; name a namespace (-n) or a pod (--pod) for the others"),
				 MAX_PODS, MAX_PODS);
			n = MAX_PODS;
		}
	}
	if (n > 1) {
		cJSON *arr = o->json ? cJSON_CreateArray() : NULL;

		for (i = 0; i < n; i++) {
			struct ad_context *c = &w->ctx;

			snprintf(c->namespace_, sizeof c->namespace_, "%s",
				 pods[i].namespace_);
			snprintf(c->pod, sizeof c->pod, "%s", pods[i].name);
			snprintf(c->image, sizeof c->image, "%s", pods[i].image);
			if (!o->registry)
				c->registry[0] = c->registry_group[0] = '\0';
			{
				struct ad_error err = { 0 };

				if (live_resolve(w, &err) != 0) {
					complain(_("pod %s/%s: %s"), pods[i].namespace_,
						 pods[i].name, err.msg);
					rc = rc == 1 ? 1 : EXIT_INCONCLUSIVE;
					continue;
				}
			}
			if (diagnose_one(w, o, arr, &rc) != 0)
				break;
		}
		if (arr) {
			print_json(arr);
			cJSON_Delete(arr);
		}
	} else {
		diagnose_one(w, o, NULL, &rc);
	}
	if (o->debug) {
		struct facts_stats st;

		/* What the run cost: the requests, and the depth of their
		 * dependency chain (bench/README). */
		facts_stats_get(w->facts, &st);
		fprintf(stderr, "requests=%lu depth=%u\n", st.requests,
			st.depth);
	}
	free(pods);
	world_free(w);
	return rc < 0 ? EXIT_USAGE : rc;
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
	size_t len = 0, k;
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
		cJSON *j = cJSON_CreateObject(), *alts;
		char *txt;

		cJSON_AddStringToObject(j, "cause", r.cause);
		alts = cJSON_AddArrayToObject(j, "alternatives");
		for (k = 0; alts && k < r.nalt; k++)
			cJSON_AddItemToArray(alts,
					     cJSON_CreateString(r.alternatives[k]));
		cJSON_AddStringToObject(j, "evidence", r.evidence);
		cJSON_AddStringToObject(j, "rule", r.rule ? r.rule : "");
		if (r.registry[0])
			cJSON_AddStringToObject(j, "registry", r.registry);
		if (r.image[0])
			cJSON_AddStringToObject(j, "image", r.image);
		if (r.note[0])
			cJSON_AddStringToObject(j, "note", r.note);
		/* the address the registry saw (firewall refusal), or null */
		if (r.client_ip[0])
			cJSON_AddStringToObject(j, "clientIp", r.client_ip);
		else
			cJSON_AddNullToObject(j, "clientIp");
		txt = cJSON_PrintUnformatted(j);
		if (txt)
			printf("%s\n", txt);
		cJSON_free(txt);
		cJSON_Delete(j);
	} else {
		printf(_("Cause:    %s\n"), r.cause);
		for (k = 0; k < r.nalt; k++)
			/* TRANSLATORS: an ambiguous message: the same wording
			 * fits this other cause too */
			printf(_("Or:       %s (the wording fits it too; the checks will tell)\n"),
			       r.alternatives[k]);
		printf(_("Evidence: %s\n"), r.evidence);
		if (r.note[0])
			printf(_("Note:     %s\n"), r.note);
		if (r.client_ip[0])
			/* TRANSLATORS: the address the registry's firewall
			 * saw the request come from */
			printf(_("Client:   %s (the address the registry saw)\n"),
			       r.client_ip);
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
	} else if (o.cmd && strcmp(o.cmd, "fix") == 0) {
		rc = cli_fix(&o);
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
		uo.training = o.training;
		uo.no_color = o.no_color || (nc && nc[0]);
		uo.cluster = o.cluster;
		uo.webapp = o.webapp;
		uo.resource_group = o.resource_group;
		uo.subscription = o.subscription;
		uo.namespace_ = o.namespace_;
		uo.pod = o.pod;
		uo.image = o.image;
		uo.registry = o.registry;
		uo.message = o.message;
		uo.cloud = o.cloud;
		uo.kubeconfig = o.kubeconfig;
		uo.context = o.context;
		uo.credential = o.credential;
		uo.ca_file = o.ca_file;
		/* The wizard owns the terminal: requests go to stderr only when
		 * it is not the terminal the wizard draws on. */
		uo.debug = o.debug && !isatty(STDERR_FILENO) ? stderr : NULL;
		if (o.scenario && (o.cluster || o.webapp)) {
			complain("%s", _("--scenario and --cluster/--webapp exclude each other: a scenario is a simulated world"));
			free(o.args);
			return EXIT_USAGE;
		}
		if (o.cluster && o.webapp) {
			complain("%s", _("give --cluster or --webapp, not both"));
			free(o.args);
			return EXIT_USAGE;
		}
		if (o.use_ssh)
			uo.ssh = &o.ssh;
		/* Keys come from standard input and the screen goes to
		 * standard output: without a terminal there is nobody to
		 * answer, and the wizard would wait for ever. */
		if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
			complain("%s", _("the wizard needs a terminal (standard input and output); from a script use acr-doctor diagnose, fix or explain"));
			free(o.args);
			return EXIT_USAGE;
		}
		/* The requests cannot go where the wizard draws. */
		if (o.debug && isatty(STDERR_FILENO)) {
			complain("%s", _("--debug writes every request to standard error, which is the wizard's screen here: redirect it, e.g. acr-doctor --debug 2>requests.log"));
			free(o.args);
			return EXIT_USAGE;
		}
		/* A kubeconfig named but unusable: said before the wizard
		 * owns the terminal. */
		if ((o.kubeconfig || o.context) &&
		    (rc = cli_check_kubeconfig(&o)) != 0) {
			free(o.args);
			return rc;
		}
		rc = ui_run(&uo);
	}
	free(o.args);
	return rc;
}
