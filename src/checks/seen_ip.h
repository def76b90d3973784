/* seen_ip.h - the address a registry firewall refusal names.
 *
 * ACR refuses a client its rules do not allow with "client with IP
 * '20.61.14.27' is not allowed access": the address the registry saw.
 * Held against the outbound addresses a check read and the registry's
 * rules, it says whether the traffic left where the check looked. */
#ifndef AD_SEEN_IP_H
#define AD_SEEN_IP_H

#include <stddef.h>

struct cJSON;
struct check_result;

/* 1 when msg (may be NULL) names the address the registry saw, with ip
 * (16 bytes) filled; 0 with ip "". */
int seen_ip_in(const char *msg, char ip[16]);
/* When ip (may be NULL or "") is set: evidence "registrySaw" (the
 * address), "registrySawOutbound" (1 when it is one of the n addresses of
 * outbound) and "registrySawAllowed" (the rules of reg allow it), and a
 * sentence appended to res->summary naming whose outbound addresses they
 * are (who: "aks-shop").  The verdict is not touched.  0, or AD_ENOMEM. */
int seen_ip_note(struct check_result *res, const char *ip,
		 const struct cJSON *reg, const char *const *outbound,
		 size_t n, const char *who);

#endif
