/* fix_offer.c - whether the caller may apply an offered fix. */
#include "config.h"
#include "fix_offer.h"

#include <stdio.h>
#include <string.h>

#include "check.h"
#include "err.h"
#include "fix.h"
#include "i18n.h"
#include "perm.h"
#include "textw.h"

static void unknown(struct fixoffer *out, const char *why)
{
	out->state = FIXOFFER_UNKNOWN;
	tw_clean_copy(out->why, sizeof out->why, why);
}

void fixoffer_check(struct facts *f, const struct check_result *failed,
		    int arm, struct fixoffer *out)
{
	const struct fix_def *def;
	struct fix_plan plan;
	struct ad_error err = { 0 };
	int i, allowed = 0, unread = -1;

	memset(out, 0, sizeof *out);
	def = failed && failed->fix ? fix_find(failed->fix) : NULL;
	if (!def) {
		unknown(out, _("no such fix"));
		return;
	}
	if (fix_plan_make(def, f, failed, &plan, &err) != 0) {
		char why[sizeof out->why];

		snprintf(why, sizeof why, _("it cannot be planned: %s"),
			 err.msg);
		tw_utf8_trim(why);
		unknown(out, why);
		return;
	}
	if (plan.nsteps == 0) {
		out->state = FIXOFFER_GUIDANCE;
		fix_plan_clear(&plan);
		return;
	}
	fix_plan_check(f, &plan, arm);
	for (i = 0; i < plan.nsteps; i++) {
		const struct fix_step *s = &plan.steps[i];

		if (s->perm == FIX_PERM_DENIED) {
			out->state = FIXOFFER_DENIED;
			out->step = i + 1;
			tw_clean_copy(out->action, sizeof out->action,
				      s->perm_action);
			tw_clean_copy(out->scope, sizeof out->scope,
				      s->perm_scope);
			snprintf(out->role, sizeof out->role, "%s",
				 s->kube ? "" : perm_role_for(s->perm_action));
			fix_perm_sentence(s, out->say, sizeof out->say);
			tw_utf8_trim(out->say);
			fix_plan_clear(&plan);
			return;
		}
		if (s->perm == FIX_PERM_ALLOWED)
			allowed++;
		else if (s->perm == FIX_PERM_UNKNOWN && unread < 0)
			unread = i;
	}
	if (unread >= 0)
		unknown(out, plan.steps[unread].perm_why);
	else if (allowed == 0)
		unknown(out, _("no step could be asked about"));
	else
		out->state = FIXOFFER_PERMITTED;
	fix_plan_clear(&plan);
}
