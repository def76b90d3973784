/* groups.h - the check and fix tables of each area, joined by check.c
 * and fix.c.  Each area file defines its array and count. */
#ifndef AD_CHECK_GROUPS_H
#define AD_CHECK_GROUPS_H

#include <stddef.h>

#include "check.h"
#include "fix.h"

/* src/checks/aks_common.c: aks.events, aks.health, aks.reach */
extern const struct check_def check_group_aks_common[];
extern const size_t check_group_aks_common_n;
/* src/checks/aks_auth.c: aks.401.* */
extern const struct check_def check_group_aks_auth[];
extern const size_t check_group_aks_auth_n;
/* src/checks/aks_net.c: aks.401-arch, aks.notfound, aks.403.*,
 * aks.timeout.*, aks.platform, aks.qps */
extern const struct check_def check_group_aks_net[];
extern const size_t check_group_aks_net_n;
/* src/checks/webapp.c: webapp.* */
extern const struct check_def check_group_webapp[];
extern const size_t check_group_webapp_n;

/* src/fixes/aks_auth.c */
extern const struct fix_def fix_group_aks_auth[];
extern const size_t fix_group_aks_auth_n;
/* src/fixes/aks_net.c */
extern const struct fix_def fix_group_aks_net[];
extern const size_t fix_group_aks_net_n;
/* src/fixes/webapp.c */
extern const struct fix_def fix_group_webapp[];
extern const size_t fix_group_webapp_n;

#endif
