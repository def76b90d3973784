/* cli_fix.c - `acr-doctor fix FIX-ID`: show, ask, apply, verify.
 *
 * What scripts and runbooks rely on (README, --help): the plan and the
 * equivalent commands are printed first; nothing is sent without a "y"
 * on the terminal or --yes; a step group marked to confirm separately
 * (opening public access, say) is asked on its own; after the last step
 * the fix's check runs again.  A failure says which steps were applied
 * and which were not. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit.h"
#include "check.h"
#include "cli.h"
#include "err.h"
#include "facts.h"
#include "fix.h"
#include "i18n.h"
#include "perm.h"
#include "textw.h"
#include "world.h"

static void print_clean(const char *label, const char *text)
{
	char *c;

	if (!text || !text[0])
		return;
	c = tw_sanitize_dup(text);
	printf("%s%s\n", label, c ? c : "");
	free(c);
}

/* Text of several lines (a request body), each line indented. */
static void print_indented(const char *indent, const char *text)
{
	char *c, *line, *save = NULL;

	if (!text || !text[0])
		return;
	c = tw_sanitize_dup(text);
	for (line = c ? strtok_r(c, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save))
		printf("%s%s\n", indent, line);
	free(c);
}

static void print_plan(const struct fix_plan *p)
{
	int i;

	print_clean("", p->summary);
	for (i = 0; i < p->nsteps; i++) {
		const struct fix_step *s = &p->steps[i];
		char head[64];

		snprintf(head, sizeof head, "\n%d. ", i + 1);
		print_clean(head, s->title);
		printf("   %s %s\n", s->method, s->url);
		if (s->body)
			printf("   Content-Type: %s\n", fix_step_content_type(s));
		print_indented("   ", s->body);
		print_clean(_("   command: "), s->command);
		print_clean(_("   warning: "), s->warning);
	}
	printf("\n");
}

/* 1 for yes.  Asked on the terminal itself, so a pipe into stdin cannot
 * answer for the user; no terminal means no. */
static int ask_yes(const char *question)
{
	FILE *tty = fopen("/dev/tty", "r+");
	char line[32];
	int yes = 0;

	if (!tty) {
		cli_complain("%s", _("there is no terminal to ask: nothing was sent (use --yes to apply without asking)"));
		return 0;
	}
	fprintf(tty, "%s [y/N] ", question);
	fflush(tty);
	if (fgets(line, sizeof line, tty))
		yes = strcasecmp(line, "y\n") == 0 ||
		      strcasecmp(line, "yes\n") == 0 ||
		      strcasecmp(line, _("y\n")) == 0;
	fclose(tty);
	return yes;
}

/* applied: steps known to be done.  unsure: the next one was sent but
 * no answer came (timeout, connection cut, cancelled): it may have been
 * applied, and saying "nothing was changed" would be a guess. */
static void say_partial(const struct fix_plan *p, int applied, int unsure)
{
	if (unsure) {
		if (applied > 0)
			printf(_("Steps 1 to %d were applied.\n"), applied);
		printf(_("Step %d was sent, but whether it took effect is not known: run the check again (acr-doctor diagnose) before trying the fix once more.\n"),
		       applied + 1);
		return;
	}
	if (applied == 0)
		printf("%s\n", _("Nothing was changed."));
	else if (applied == 1 && p->nsteps == 2)
		printf("%s\n", _("Step 1 was applied; step 2 was not."));
	else
		printf(_("Steps 1 to %d were applied; steps %d to %d were not.\n"),
		       applied, applied + 1, p->nsteps);
}

/* Before anything is offered: may the caller send every step?  The
 * cluster is asked about each Kubernetes step (a SelfSubjectAccessReview,
 * the simulated cluster too); ARM about each ARM step, live only (a
 * scenario records no permissions).  0 to go on (permitted, or the answer
 * could not be read: the server decides when the step is sent),
 * EXIT_DECLINED when a step needs a right the caller lacks.  show: say
 * what was asked even when it is permitted (--dry-run). */
static int check_permissions(struct world *w, struct fix_plan *p, int show)
{
	const char *where = world_is_live(w) ? "live" : "simulated";
	int i, denied;

	denied = fix_plan_check(w->facts, p, world_is_live(w));
	for (i = 0; i < p->nsteps; i++) {
		const struct fix_step *s = &p->steps[i];
		char say[1400];

		switch (s->perm) {
		case FIX_PERM_DENIED:
			if (s->kube) {
				fix_perm_sentence(s, say, sizeof say);
				cli_complain(_("step %d: %s"), i + 1, say);
			} else {
				cli_complain(_("step %d needs %s on %s, which these credentials may not do; the built-in role %s (or Owner) on that scope grants it"),
					     i + 1, s->perm_action, s->perm_scope,
					     perm_role_for(s->perm_action));
			}
			audit_log("%s fix=%s step=%d not permitted: %s on %s",
				  where, p->fix_id, i + 1, s->perm_action,
				  s->perm_scope[0] ? s->perm_scope : "cluster");
			break;
		case FIX_PERM_UNKNOWN:
			if (s->kube)
				cli_complain(_("cannot tell whether step %d is permitted (%s): the cluster decides when it is sent"),
					     i + 1, s->perm_why);
			else
				cli_complain(_("cannot tell whether step %d is permitted (%s): Azure decides when it is sent"),
					     i + 1, s->perm_why);
			break;
		case FIX_PERM_ALLOWED:
			if (!show)
				break;
			if (s->kube && s->perm_scope[0])
				printf(_("step %d is permitted: you may %s in namespace %s\n"),
				       i + 1, s->perm_action, s->perm_scope);
			else if (s->kube)
				printf(_("step %d is permitted: you may %s\n"),
				       i + 1, s->perm_action);
			else
				printf(_("step %d is permitted: you may %s on %s\n"),
				       i + 1, s->perm_action, s->perm_scope);
			break;
		default:
			break;
		}
	}
	if (!denied)
		return 0;
	printf("%s\n", _("Nothing was sent: ask for the role above, or have someone who holds it run this fix."));
	return EXIT_DECLINED;
}

static int apply(struct world *w, const struct fix_plan *p,
		 const struct opts *o)
{
	int first = 0, i;

	while (first < p->nsteps) {
		int count = 1;

		/* A group: consecutive steps that are not to be confirmed
		 * on their own. */
		if (!p->steps[first].confirm_separately)
			while (first + count < p->nsteps &&
			       !p->steps[first + count].confirm_separately)
				count++;
		if (!o->yes) {
			char q[256];

			if (count == 1)
				snprintf(q, sizeof q, _("Apply step %d?"), first + 1);
			else
				snprintf(q, sizeof q, _("Apply steps %d to %d?"),
					 first + 1, first + count);
			if (!ask_yes(q)) {
				audit_log("%s fix=%s declined at step=%d",
					  world_is_live(w) ? "live" : "simulated",
					  p->fix_id, first + 1);
				printf("%s\n", _("Declined."));
				say_partial(p, first, 0);
				return EXIT_DECLINED;
			}
		}
		for (i = first; i < first + count; i++) {
			struct ad_error err = { 0 };
			long status = 0;

			if (fix_apply_step(w->facts, p, i, &status, &err) != 0) {
				int unsure = err.net == AD_NET_TIMEOUT ||
					     err.net == AD_NET_RESET ||
					     err.net == AD_NET_CANCELLED ||
					     err.code == AD_ETIMEOUT;

				cli_complain(_("step %d failed: %s"), i + 1,
					     err.msg);
				say_partial(p, i, unsure);
				return !unsure && (status == 401 || status == 403 ||
						   err.code == AD_EDENIED) ?
				       EXIT_DECLINED : 1;
			}
			printf(_("step %d: %s %s -> HTTP %ld\n"), i + 1,
			       p->steps[i].method, p->steps[i].url, status);
		}
		first += count;
	}
	return 0;
}

int cli_fix(const struct opts *o)
{
	const struct fix_def *def;
	const struct check_def *vdef;
	struct world *w = NULL;
	struct check_result res = { 0 };
	struct fix_plan plan;
	struct ad_error err = { 0 };
	char path[1024];
	int rc;

	if (o->nargs != 1) {
		cli_complain("%s", _("fix needs one FIX-ID (for example attach-acr)"));
		return EXIT_USAGE;
	}
	def = fix_find(o->args[0]);
	if (!def) {
		size_t n, i;
		const struct fix_def *all = fix_all(&n);

		cli_complain(_("no fix is named '%s'; the fixes are:"), o->args[0]);
		for (i = 0; i < n; i++)
			fprintf(stderr, "  %s\n", all[i].id);
		return EXIT_USAGE;
	}
	vdef = check_find(def->verify_check);
	if (!vdef) {
		cli_complain(_("fix %s has no check to verify it"), def->id);
		return EXIT_USAGE;
	}
	if ((rc = cli_open_world(o, &w)) != 0)
		return rc == CLI_NOTHING ? 0 : rc;

	check_run(vdef, w->facts, &res);
	print_clean(_("Check: "), res.summary);
	if (res.verdict == CHECK_PASS || res.verdict == CHECK_NA) {
		printf(_("%s: %s; nothing to fix.\n"), vdef->id,
		       check_verdict_label(res.verdict));
		rc = 0;
		goto out;
	}
	if (res.verdict == CHECK_UNKNOWN) {
		printf(_("%s could not tell, so the fix is not planned.\n"),
		       vdef->id);
		rc = EXIT_INCONCLUSIVE;
		goto out;
	}
	if (!res.fix || strcmp(res.fix, def->id) != 0) {
		cli_complain(_("%s fails, but it calls for the fix %s, not %s"),
			     vdef->id, res.fix ? res.fix : "-", def->id);
		rc = EXIT_USAGE;
		goto out;
	}
	if (fix_plan_make(def, w->facts, &res, &plan, &err) != 0) {
		cli_complain(_("cannot plan %s: %s"), def->id, err.msg);
		rc = err.code == AD_EDENIED ? EXIT_DECLINED : EXIT_INCONCLUSIVE;
		goto out;
	}
	print_plan(&plan);
	if (plan.nsteps == 0) {
		print_clean("", plan.manual);
		audit_log("%s fix=%s shown (nothing to send)",
			  world_is_live(w) ? "live" : "simulated", def->id);
		rc = EXIT_MANUAL;
	} else if (o->dry_run) {
		rc = check_permissions(w, &plan, 1);
		printf("%s\n", _("Dry run: nothing was sent."));
	} else if ((rc = check_permissions(w, &plan, 0)) != 0) {
		/* said */
	} else if ((rc = apply(w, &plan, o)) == 0) {
		check_result_clear(&res);
		facts_invalidate(w->facts);
		check_run(vdef, w->facts, &res);
		print_clean(_("Check again: "), res.summary);
		rc = res.verdict == CHECK_PASS ? 0 : 1;
		audit_log("%s fix=%s verify %s: %s",
			  world_is_live(w) ? "live" : "simulated", def->id,
			  vdef->id, check_verdict_str(res.verdict));
		/* The audit line: machine-read, never translated. */
		printf("fix=%s verify %s: %s\n", def->id, vdef->id,
		       check_verdict_str(res.verdict));
	}
	audit_path(path, sizeof path);
	if (path[0] && plan.nsteps && !o->dry_run)
		printf(_("Audit log: %s\n"), path);
	fix_plan_clear(&plan);
out:
	check_result_clear(&res);
	world_free(w);
	return rc;
}
