#include "config.h"
#include "jsonu.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const cJSON *jsonu_path(const cJSON *root, const char *path)
{
	const cJSON *cur = root;
	char key[128];

	if (!root || !path)
		return NULL;
	while (*path && cur) {
		size_t n = strcspn(path, ".");

		if (n == 0 || n >= sizeof key)
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		if (cJSON_IsArray(cur)) {
			char *end;
			long i = strtol(key, &end, 10);

			if (*end || i < 0)
				return NULL;
			cur = cJSON_GetArrayItem(cur, (int)i);
		} else if (cJSON_IsObject(cur)) {
			cur = cJSON_GetObjectItemCaseSensitive(cur, key);
		} else {
			return NULL;
		}
		path += n;
		if (*path == '.')
			path++;
	}
	return cur;
}

const char *jsonu_str(const cJSON *root, const char *path)
{
	const cJSON *j = jsonu_path(root, path);

	return cJSON_IsString(j) ? j->valuestring : NULL;
}

const char *jsonu_member_str(const cJSON *obj, const char *key)
{
	const cJSON *j = cJSON_IsObject(obj) ?
		cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;

	return cJSON_IsString(j) ? j->valuestring : NULL;
}

int jsonu_bool(const cJSON *root, const char *path, int dflt)
{
	const cJSON *j = jsonu_path(root, path);

	if (cJSON_IsTrue(j))
		return 1;
	if (cJSON_IsFalse(j))
		return 0;
	return dflt;
}

const cJSON *jsonu_array(const cJSON *root, const char *path)
{
	const cJSON *j = jsonu_path(root, path);

	return cJSON_IsArray(j) ? j : NULL;
}

const cJSON *jsonu_get_ci(const cJSON *obj, const char *key)
{
	const cJSON *it;

	if (!cJSON_IsObject(obj) || !key)
		return NULL;
	cJSON_ArrayForEach(it, obj)
		if (it->string && strcasecmp(it->string, key) == 0)
			return it;
	return NULL;
}

int jsonu_merge_patch(cJSON *target, const cJSON *patch)
{
	const cJSON *it;

	if (!cJSON_IsObject(target) || !cJSON_IsObject(patch))
		return -1;
	cJSON_ArrayForEach(it, patch) {
		cJSON *cur;

		if (!it->string)
			continue;
		if (cJSON_IsNull(it)) {
			cJSON_DeleteItemFromObjectCaseSensitive(target, it->string);
			continue;
		}
		cur = cJSON_GetObjectItemCaseSensitive(target, it->string);
		if (cJSON_IsObject(it) && cJSON_IsObject(cur)) {
			if (jsonu_merge_patch(cur, it) != 0)
				return -1;
			continue;
		}
		{
			cJSON *copy = cJSON_Duplicate(it, 1);

			if (!copy)
				return -1;
			if (cJSON_IsObject(copy)) {
				/* A new object: nulls inside a patch mean "absent". */
				cJSON *empty = cJSON_CreateObject();

				if (!empty || jsonu_merge_patch(empty, copy) != 0) {
					cJSON_Delete(empty);
					cJSON_Delete(copy);
					return -1;
				}
				cJSON_Delete(copy);
				copy = empty;
			}
			if (cur)
				cJSON_ReplaceItemInObjectCaseSensitive(target,
							it->string, copy);
			else
				cJSON_AddItemToObject(target, it->string, copy);
		}
	}
	return 0;
}

int jsonu_id_eq(const char *a, const char *b)
{
	if (!a || !b)
		return 0;
	return strcasecmp(a, b) == 0;
}

const char *jsonu_id_name(const char *id)
{
	const char *s;

	if (!id)
		return NULL;
	s = strrchr(id, '/');
	return s ? s + 1 : id;
}

char *jsonu_id_part(const char *id, const char *key, char *buf, size_t len)
{
	size_t klen;
	const char *p;

	if (!id || !key || !buf || len == 0)
		return NULL;
	klen = strlen(key);
	for (p = id; (p = strchr(p, '/')) != NULL; p++) {
		const char *seg = p + 1, *end;
		size_t n;

		if (strncasecmp(seg, key, klen) != 0 || seg[klen] != '/')
			continue;
		seg += klen + 1;
		end = strchr(seg, '/');
		n = end ? (size_t)(end - seg) : strlen(seg);
		if (n == 0 || n >= len)
			return NULL;
		memcpy(buf, seg, n);
		buf[n] = '\0';
		return buf;
	}
	return NULL;
}

cJSON *jsonu_parse(const char *buf, size_t len)
{
	const char *end = NULL;
	cJSON *j;

	if (!buf)
		return NULL;
	j = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
	if (!j)
		return NULL;
	/* Trailing garbage means the answer was not one JSON document. */
	while (end && (size_t)(end - buf) < len &&
	       (isspace((unsigned char)*end) || *end == '\0'))
		end++;
	if (end && (size_t)(end - buf) < len) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}
