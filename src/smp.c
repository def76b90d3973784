/* smp.c - Kubernetes strategic merge patches: building and applying. */
#include "config.h"
#include "smp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

/* The list fields of a workload whose elements the API server merges by
 * their name (the patchMergeKey of the core/v1 types).  Lists merged by
 * another key (volumeMounts, ports) are replaced here: no fix sends
 * them. */
static const char *const by_name[] = {
	"containers", "initContainers", "ephemeralContainers", "env",
	"volumes", "imagePullSecrets",
};

const char *smp_merge_key(const char *field)
{
	size_t i;

	for (i = 0; field && i < sizeof by_name / sizeof by_name[0]; i++)
		if (strcmp(field, by_name[i]) == 0)
			return "name";
	return NULL;
}

static int merge(cJSON *target, const cJSON *patch, char *why, size_t len);

/* A copy of v where any object in it is patched onto nothing, so that
 * nulls inside mean "absent", as a patch says. */
static cJSON *fresh(const cJSON *v, char *why, size_t len, int *rc)
{
	cJSON *o;

	*rc = 0;
	if (!cJSON_IsObject(v)) {
		o = cJSON_Duplicate(v, 1);
		if (!o)
			*rc = AD_ENOMEM;
		return o;
	}
	if (!(o = cJSON_CreateObject())) {
		*rc = AD_ENOMEM;
		return NULL;
	}
	if ((*rc = merge(o, v, why, len)) != 0) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static int set_member(cJSON *target, const char *key, cJSON *v)
{
	if (cJSON_GetObjectItemCaseSensitive(target, key))
		return cJSON_ReplaceItemInObjectCaseSensitive(target, key, v) ?
		       0 : AD_ENOMEM;
	return cJSON_AddItemToObject(target, key, v) ? 0 : AD_ENOMEM;
}

/* field: a list merged by key.  Each element of the patch must be an
 * object naming its key; the element of target with the same key is
 * patched, or the element appended. */
static int merge_list(cJSON *target, const char *field, const char *key,
		      const cJSON *plist, char *why, size_t len)
{
	cJSON *cur = cJSON_GetObjectItemCaseSensitive(target, field);
	const cJSON *p;
	int rc;

	if (!cJSON_IsArray(plist)) {
		snprintf(why, len, "%s: a list was expected", field);
		return AD_EINVAL;
	}
	if (!cJSON_IsArray(cur)) {
		cJSON *a = cJSON_CreateArray();

		if (!a || set_member(target, field, a) != 0) {
			cJSON_Delete(a);
			return AD_ENOMEM;
		}
		cur = a;
	}
	cJSON_ArrayForEach(p, plist) {
		const cJSON *k = cJSON_GetObjectItemCaseSensitive(p, key);
		cJSON *t, *hit = NULL;

		if (!cJSON_IsObject(p) || !cJSON_IsString(k)) {
			snprintf(why, len,
				 "%s: an element does not contain declared merge key: %s",
				 field, key);
			return AD_EINVAL;
		}
		cJSON_ArrayForEach(t, cur) {
			const cJSON *tk = cJSON_GetObjectItemCaseSensitive(t, key);

			if (cJSON_IsObject(t) && cJSON_IsString(tk) &&
			    strcmp(tk->valuestring, k->valuestring) == 0) {
				hit = t;
				break;
			}
		}
		if (hit) {
			if ((rc = merge(hit, p, why, len)) != 0)
				return rc;
		} else {
			cJSON *n = fresh(p, why, len, &rc);

			if (!n)
				return rc;
			if (!cJSON_AddItemToArray(cur, n)) {
				cJSON_Delete(n);
				return AD_ENOMEM;
			}
		}
	}
	return 0;
}

static int merge(cJSON *target, const cJSON *patch, char *why, size_t len)
{
	const cJSON *it;
	int rc;

	cJSON_ArrayForEach(it, patch) {
		const char *key = it->string;
		cJSON *cur, *n;

		if (!key)
			continue;
		if (key[0] == '$') {
			snprintf(why, len,
				 "the patch directive %.100s is not supported",
				 key);
			return AD_EINVAL;
		}
		if (cJSON_IsNull(it)) {
			cJSON_DeleteItemFromObjectCaseSensitive(target, key);
			continue;
		}
		cur = cJSON_GetObjectItemCaseSensitive(target, key);
		if (smp_merge_key(key)) {
			if ((rc = merge_list(target, key, smp_merge_key(key), it,
					     why, len)) != 0)
				return rc;
			continue;
		}
		if (cJSON_IsObject(it) && cJSON_IsObject(cur)) {
			if ((rc = merge(cur, it, why, len)) != 0)
				return rc;
			continue;
		}
		if (!(n = fresh(it, why, len, &rc)))
			return rc;
		if (set_member(target, key, n) != 0) {
			cJSON_Delete(n);
			return AD_ENOMEM;
		}
	}
	return 0;
}

int smp_apply(cJSON *target, const cJSON *patch, char *why, size_t len)
{
	cJSON *work, *it, *next;
	int rc;

	if (why && len)
		why[0] = '\0';
	if (!cJSON_IsObject(target) || !cJSON_IsObject(patch)) {
		snprintf(why, len, "the patch is not a JSON object");
		return AD_EINVAL;
	}
	/* On a copy: a patch refused halfway changes nothing. */
	if (!(work = cJSON_Duplicate(target, 1)))
		return AD_ENOMEM;
	if ((rc = merge(work, patch, why, len)) != 0) {
		cJSON_Delete(work);
		return rc;
	}
	while (target->child) {
		it = cJSON_DetachItemViaPointer(target, target->child);
		cJSON_Delete(it);
	}
	for (it = work->child; it; it = next) {
		next = it->next;
		cJSON_AddItemToObject(target, it->string,
				      cJSON_DetachItemViaPointer(work, it));
	}
	cJSON_Delete(work);
	return 0;
}

/* ---------- the fixes' bodies ---------- */

/* Wrap inner (the pod spec's part) in the objects of the template path
 * plus ".spec".  Takes inner; NULL for another path. */
static cJSON *wrap(const char *tmpl, cJSON *inner)
{
	static const char *const deploy[] = { "spec", "template", "spec" };
	static const char *const cron[] = { "spec", "jobTemplate", "spec",
					    "template", "spec" };
	const char *const *segs;
	cJSON *cur = inner, *o;
	int n, i;

	if (!inner)
		return NULL;
	if (tmpl && strcmp(tmpl, "spec.template") == 0) {
		segs = deploy;
		n = 3;
	} else if (tmpl && strcmp(tmpl, "spec.jobTemplate.spec.template") == 0) {
		segs = cron;
		n = 5;
	} else {
		cJSON_Delete(inner);
		return NULL;
	}
	for (i = n - 1; i >= 0; i--) {
		if (!(o = cJSON_CreateObject()) ||
		    !cJSON_AddItemToObject(o, segs[i], cur)) {
			cJSON_Delete(o);
			cJSON_Delete(cur);
			return NULL;
		}
		cur = o;
	}
	return cur;
}

cJSON *smp_node_selector(const char *tmpl, const char *os)
{
	cJSON *inner = cJSON_CreateObject();
	cJSON *sel = cJSON_AddObjectToObject(inner, "nodeSelector");

	if (!sel || !os || !cJSON_AddStringToObject(sel, "kubernetes.io/os", os)) {
		cJSON_Delete(inner);
		return NULL;
	}
	return wrap(tmpl, inner);
}

/* Add to inner's list field the containers of cs whose policy is
 * Always, by name; the list only when one is.  0, AD_EINVAL (a nameless
 * one) or AD_ENOMEM. */
static int policy_list(cJSON *inner, const char *field, const cJSON *cs,
		       int *changed)
{
	const cJSON *c;
	cJSON *list = NULL, *e;

	cJSON_ArrayForEach(c, cs) {
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(c, "imagePullPolicy");

		if (!cJSON_IsString(p) || strcmp(p->valuestring, "Always") != 0)
			continue;
		/* Without its name a container cannot be addressed. */
		if (!cJSON_IsString(name) || !name->valuestring[0])
			return AD_EINVAL;
		if (!list && !(list = cJSON_AddArrayToObject(inner, field)))
			return AD_ENOMEM;
		if (!(e = cJSON_CreateObject()) ||
		    !cJSON_AddItemToArray(list, e) ||
		    !cJSON_AddStringToObject(e, "name", name->valuestring) ||
		    !cJSON_AddStringToObject(e, "imagePullPolicy", "IfNotPresent"))
			return AD_ENOMEM;
		(*changed)++;
	}
	return 0;
}

int smp_pull_policy(const char *tmpl, const cJSON *containers,
		    const cJSON *init, cJSON **patch, int *changed)
{
	cJSON *inner;
	int rc;

	*patch = NULL;
	*changed = 0;
	if (!(inner = cJSON_CreateObject()))
		return AD_ENOMEM;
	/* Init containers pull too, at every start of a pod. */
	if ((rc = policy_list(inner, "initContainers", init, changed)) != 0 ||
	    (rc = policy_list(inner, "containers", containers, changed)) != 0) {
		cJSON_Delete(inner);
		return rc;
	}
	if (!*changed) {
		cJSON_Delete(inner);
		return AD_EINVAL;
	}
	if (!(*patch = wrap(tmpl, inner)))
		return tmpl && (strcmp(tmpl, "spec.template") == 0 ||
				strcmp(tmpl, "spec.jobTemplate.spec.template") == 0) ?
		       AD_ENOMEM : AD_EINVAL;
	return 0;
}

int smp_command(char *buf, size_t len, const char *kind, const char *name,
		const char *ns, const cJSON *patch)
{
	char *text = cJSON_PrintUnformatted(patch), *q, *o;
	const char *s;
	size_t n = 0;
	int w;

	if (!text)
		return AD_ENOMEM;
	/* In single quotes, a ' is written '\'' (names are the server's). */
	for (s = text; *s; s++)
		n += *s == '\'' ? 4 : 1;
	if (!(q = malloc(n + 1))) {
		free(text);
		return AD_ENOMEM;
	}
	for (s = text, o = q; *s; s++) {
		if (*s == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	free(text);
	w = snprintf(buf, len, "kubectl patch %s %s -n %s --type strategic -p '%s'",
		     kind, name, ns, q);
	free(q);
	if (w < 0 || (size_t)w >= len)
		snprintf(buf, len,
			 "kubectl patch %s %s -n %s --type strategic --patch-file patch.json",
			 kind, name, ns);
	return 0;
}
