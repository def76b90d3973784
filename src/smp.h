/* smp.h - Kubernetes strategic merge patches.
 *
 * The workload fixes send only what changes, as kubectl patch --type
 * strategic does: lists of containers are merged by their name, so a
 * container field someone else edits meanwhile (env, resources) is left
 * alone and no env value is ever in a body.  smp_apply() is the API
 * server's side for the simulated cluster: enough of it for these
 * bodies, and honest refusals for what it does not know. */
#ifndef AD_SMP_H
#define AD_SMP_H

#include <stddef.h>
#include <cjson/cJSON.h>

#define SMP_CONTENT_TYPE "application/strategic-merge-patch+json"

/* Apply patch onto target (both objects) in place.  Objects merge, null
 * deletes, the lists of smp_merge_key() merge their elements by that
 * key (a new key is appended), other lists and values are replaced.
 * Keys starting with '$' (patch directives) are refused.  0, or
 * AD_EINVAL with an English sentence in why (the server's answer, 400;
 * why not NULL), or AD_ENOMEM; refused, target is left as it was. */
int smp_apply(cJSON *target, const cJSON *patch, char *why, size_t len);
/* The merge key of a list field ("containers" -> "name"), or NULL when
 * the list is replaced whole. */
const char *smp_merge_key(const char *field);

/* {"spec":{"template":{"spec":{"nodeSelector":{"kubernetes.io/os":os}}}}}
 * for tmpl "spec.template" (or "spec.jobTemplate.spec.template", a
 * CronJob).  NULL for another tmpl or out of memory. */
cJSON *smp_node_selector(const char *tmpl, const char *os);
/* The patch that sets imagePullPolicy IfNotPresent on each container of
 * containers and of init (a pod template's initContainers, or NULL)
 * whose policy is Always, each named by its name and nothing else, in
 * its own list.  *changed: how many.  0; AD_EINVAL when tmpl is not a
 * pod template path, nothing is Always (*patch NULL) or such a container
 * has no name; AD_ENOMEM. */
int smp_pull_policy(const char *tmpl, const cJSON *containers,
		    const cJSON *init, cJSON **patch, int *changed);
/* "kubectl patch KIND NAME -n NS --type strategic -p '<patch>'", the
 * patch on one line and quoted for a POSIX shell; when that does not
 * fit in len, the same with --patch-file FILE for the body shown.
 * 0, or AD_ENOMEM. */
int smp_command(char *buf, size_t len, const char *kind, const char *name,
		const char *ns, const cJSON *patch);

#endif
