/* seen_ip.c - the address a registry firewall refusal names, held
 * against the outbound addresses and the registry's rules. */
#include "config.h"
#include "checks/seen_ip.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "classify.h"
#include "err.h"
#include "fixes/netrule.h"
#include "i18n.h"

int seen_ip_in(const char *msg, char ip[16])
{
	struct classify_result cr;

	ip[0] = '\0';
	if (!msg || !msg[0] || classify_message(msg, strlen(msg), &cr) != 0 ||
	    !cr.client_ip[0])
		return 0;
	snprintf(ip, 16, "%s", cr.client_ip);
	return 1;
}

int seen_ip_note(struct check_result *res, const char *ip,
		 const cJSON *reg, const char *const *outbound, size_t n,
		 const char *who)
{
	char s[400];
	size_t i;
	int out = 0, allowed;

	if (!ip || !ip[0])
		return 0;
	for (i = 0; i < n && !out; i++)
		out = outbound[i] && strcmp(outbound[i], ip) == 0;
	allowed = netrule_allows(reg, ip);
	if (ev_str(res, "registrySaw", "%s", ip) ||
	    ev_bool(res, "registrySawOutbound", out) ||
	    ev_bool(res, "registrySawAllowed", allowed))
		return AD_ENOMEM;
	if (out && !allowed)
		snprintf(s, sizeof s, _("the registry saw %s, an outbound IP of %s, not in its rules"),
			 ip, who);
	else if (out)
		snprintf(s, sizeof s, _("the registry saw %s, an outbound IP of %s, which its rules allow now"),
			 ip, who);
	else if (!allowed)
		snprintf(s, sizeof s, _("the registry saw %s, which is not an outbound IP of %s nor in its rules: the traffic leaves through another address"),
			 ip, who);
	else
		snprintf(s, sizeof s, _("the registry saw %s, which is not an outbound IP of %s but which its rules allow"),
			 ip, who);
	check_say_more(res, s);
	return 0;
}
