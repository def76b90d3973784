/* prefetch.c - reads that several checks make, late in their own chain
 * of reads, although they need nothing but the context: diagnose starts
 * them with the checks, so they go out at once and the checks find the
 * answers in the facts cache (or wait for the request already sent).
 * Only GETs the checks make themselves, with the same arguments. */
#include "config.h"
#include "check.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "checks/aks_common.h"
#include "checks/azfw.h"
#include "checks/image.h"
#include "context.h"
#include "err.h"
#include "facts.h"
#include "jsonu.h"

/* The nodes (architecture and OS checks). */
static void pf_nodes(struct facts *f)
{
	struct ad_error err = { 0 };
	cJSON *j;

	kube_get(f, "/api/v1/nodes", &j, &err);
}

/* The pod and its owners (the checks that patch the owner). */
static void pf_owner(struct facts *f)
{
	struct ad_error err = { 0 };
	const cJSON *pod;
	struct aks_owner o;

	if (aks_pod(f, &pod, &err) == 0)
		aks_pod_owner(f, pod, &o, &err);
}

/* The image's reference, when it is on the registry of the context: an
 * Azure Container Registry's login server is its name in lower case and
 * the cloud's suffix, so the registry's token dance need not wait for
 * the registry's ARM resource. */
static int image_here(struct facts *f, struct image_ref *ref, char *login,
		      size_t len)
{
	const struct ad_context *c = f->ctx;
	struct ad_error err = { 0 };
	size_t i;
	int n;

	if (!c->image[0] || !c->registry[0] ||
	    image_parse(c->image, ref, &err) != 0)
		return 0;
	n = snprintf(login, len, "%s.%s", c->registry, ctx_suffix(c));
	if (n < 0 || (size_t)n >= len)
		return 0;
	for (i = 0; login[i]; i++)
		login[i] = (char)tolower((unsigned char)login[i]);
	return strcasecmp(ref->registry, login) == 0;
}

/* The platforms of the image (aks.401-arch, aks.platform). */
static void pf_platforms(struct facts *f)
{
	struct image_ref ref;
	struct image_platforms plat;
	struct ad_error err = { 0 };
	char login[300];
	long status;

	if (image_here(f, &ref, login, sizeof login))
		image_platforms(f, login, ref.repository,
				image_ref_reference(&ref), &plat, &status, &err);
}

/* The app's image manifest (webapp.manifest-unknown). */
static void pf_manifest(struct facts *f)
{
	struct image_ref ref;
	struct ad_error err = { 0 };
	char login[300];
	long status;
	cJSON *j;

	if (image_here(f, &ref, login, sizeof login))
		reg_manifest(f, login, ref.repository, image_ref_reference(&ref),
			     &status, &j, &err);
}

/* The Azure Firewalls of the subscription and their policies' rules
 * (aks.timeout.firewall), when the registry has an approved private
 * endpoint: the check reads them last, after the route tables. */
static void pf_firewalls(struct facts *f)
{
	struct ad_error err = { 0 };
	cJSON *list, *fws;
	struct azfw_rules rs;
	const cJSON *c, *fw;
	int pe = 0, n = 0, nfw;

	if (aks_registry_pecs(f, &list, &err) != 0)
		return;
	cJSON_ArrayForEach(c, jsonu_array(list, "value")) {
		const char *st = jsonu_str(c,
			"properties.privateLinkServiceConnectionState.status");

		pe |= st && strcmp(st, "Approved") == 0;
	}
	if (!pe || !f->ctx->subscription[0] ||
	    aks_firewalls(f, &fws, &err) != 0)
		return;
	/* The route that picks one is not read yet: every firewall's
	 * policies, and their IP groups when there are few firewalls (a
	 * hub has one or two), so a subscription full of them does not
	 * cost a request per IP group of each. */
	nfw = cJSON_GetArraySize(jsonu_array(fws, "value"));
	cJSON_ArrayForEach(fw, jsonu_array(fws, "value")) {
		if (++n <= 8)
			aks_firewall_rules(f, fw, nfw <= 2, &rs, NULL, &err);
	}
}

static const check_prefetch_fn aks[] = { pf_platforms, pf_owner, pf_nodes,
					 pf_firewalls };
static const check_prefetch_fn webapp[] = { pf_manifest };

const check_prefetch_fn *check_prefetch(unsigned target, size_t *n)
{
	if (target & CHECK_WEBAPP) {
		*n = sizeof webapp / sizeof webapp[0];
		return webapp;
	}
	*n = sizeof aks / sizeof aks[0];
	return aks;
}
