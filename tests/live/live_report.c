/* live_report.c - a wizard session over a live world, walked as a user
 * taking the suggested answers (applying a fix when one is offered), and
 * written as the Markdown report the user would attach to the incident.
 *
 *   live_report OUTDIR CLUSTER NAMESPACE POD IMAGE
 *
 * Live settings (proxy, CA, credentials, kubeconfig) come from the
 * environment, as for acr-doctor.  Prints the report's path; exit 0, or
 * 1 with the reason on stderr. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "live.h"
#include "session.h"
#include "tree.h"
#include "report.h"
#include "world.h"

static int run_here(struct session *s)
{
	struct ad_error err = { 0 };

	if (session_check_start(s, NULL, &err) != 0)
		return -1;
	return session_wait(s) == SESSION_DONE ? 0 : -1;
}

static void fix_here(struct session *s)
{
	struct ad_error err = { 0 };
	int first, count;

	if (session_fix_plan_start(s, &err) != 0 || session_wait(s) != SESSION_DONE ||
	    !session_plan(s))
		return;
	while (session_fix_group(s, &first, &count)) {
		if (session_fix_apply_group(s, &err) != 0)
			return;
		session_wait(s);
	}
}

int main(int argc, char **argv)
{
	struct live_opts lo = { 0 };
	struct world *w = NULL;
	struct session *s;
	struct tree *t = NULL;
	struct ad_error err = { 0 };
	char path[1024];
	int guard;

	if (argc == 5 && strcmp(argv[2], "--webapp") == 0) {
		lo.target = AD_TARGET_WEBAPP;
		lo.webapp = argv[3];
		lo.image = argv[4];
	} else if (argc == 6) {
		lo.target = AD_TARGET_AKS;
		lo.cluster = argv[2];
		lo.namespace_ = argv[3];
		lo.pod = argv[4];
		lo.image = argv[5];
	} else {
		fprintf(stderr, "usage: live_report OUTDIR CLUSTER NAMESPACE POD IMAGE\n"
			"       live_report OUTDIR --webapp APP IMAGE\n");
		return 2;
	}
	if (world_open_live(&lo, &w, &err) != 0 || live_resolve(w, &err) != 0 ||
	    tree_load_builtin(&t, &err) != 0) {
		fprintf(stderr, "live_report: %s\n", err.msg);
		world_free(w);
		return 1;
	}
	s = session_new_world(w, t, &err);
	if (!s) {
		fprintf(stderr, "live_report: %s\n", err.msg);
		return 1;
	}
	for (guard = 0; guard < 80; guard++) {
		struct session_item items[SESSION_MAX_ITEMS];
		size_t n, i, pick = (size_t)-1;
		const struct check_result *r;

		if (session_node(s)->kind == TREE_VERDICT)
			break;
		if (session_needs_run(s)) {
			if (run_here(s) != 0)
				break;
			r = session_node_result(s);
			if (r && r->verdict == CHECK_FAIL && session_node_fix(s) &&
			    session_fix_count(s) == 0)
				fix_here(s);
			continue;
		}
		n = session_items(s, items, SESSION_MAX_ITEMS);
		for (i = 0; i < n && pick == (size_t)-1; i++)
			if (items[i].suggested)
				pick = i;
		for (i = 0; i < n && pick == (size_t)-1; i++)
			if (items[i].kind == SESSION_ITEM_CHOICE ||
			    items[i].kind == SESSION_ITEM_NEXT)
				pick = i;
		if (pick == (size_t)-1 || session_activate(s, &items[pick], &err) != 0)
			break;
	}
	if (report_write(s, argv[1], path, sizeof path, &err) != 0) {
		fprintf(stderr, "live_report: %s\n", err.msg);
		session_free(s);
		return 1;
	}
	printf("%s\n", path);
	session_free(s);
	return 0;
}
