/* jsonu.h - small cJSON helpers shared by the engine.
 *
 * Untrusted JSON (ARM, Graph, registry, kube, scenario files) is read
 * only through these or plain cJSON calls that check types; a missing or
 * mistyped field yields NULL, never a crash. */
#ifndef AD_JSONU_H
#define AD_JSONU_H

#include <stddef.h>
#include <cjson/cJSON.h>

/* Follow a dotted path ("properties.identityProfile.kubeletidentity");
 * array elements as "agentPoolProfiles.0.name".  Keys are matched
 * exactly; NULL when any step is missing. */
const cJSON *jsonu_path(const cJSON *root, const char *path);
/* NOTE: keys that contain '.' ("kubernetes.io/os", host names) cannot be
 * reached through a path: use jsonu_member_str() on their parent. */
/* String member key of obj (no path splitting), or NULL. */
const char *jsonu_member_str(const cJSON *obj, const char *key);
/* String at path, or NULL when missing or not a string. */
const char *jsonu_str(const cJSON *root, const char *path);
/* Bool at path: 1/0, or dflt when missing or not a bool. */
int jsonu_bool(const cJSON *root, const char *path, int dflt);
/* Array at path (NULL when missing/not array). */
const cJSON *jsonu_array(const cJSON *root, const char *path);
/* Case-insensitive object member lookup (ARM ids, identity keys). */
const cJSON *jsonu_get_ci(const cJSON *obj, const char *key);
/* RFC 7386 JSON merge patch: apply patch onto target in place. */
int jsonu_merge_patch(cJSON *target, const cJSON *patch);
/* Strcasecmp for ARM resource ids (they are case-insensitive). */
int jsonu_id_eq(const char *a, const char *b);
/* Last segment of an ARM id ("/.../publicIPAddresses/ip1" -> "ip1"). */
const char *jsonu_id_name(const char *id);
/* Copy the segment after "/<key>/" in an ARM id into buf ("resourceGroups"
 * -> group name); returns buf or NULL when absent. */
char *jsonu_id_part(const char *id, const char *key, char *buf, size_t len);
/* Parse exactly len bytes; NULL on malformed JSON (no partial trees). */
cJSON *jsonu_parse(const char *buf, size_t len);

#endif
