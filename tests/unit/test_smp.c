/* test_smp.c - strategic merge patches: the workload fixes' bodies carry
 * only what changes, and the simulated API server merges them as the
 * real one does (containers by name, maps merged, the rest kept). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "err.h"
#include "jsonu.h"
#include "smp.h"

static cJSON *parse(const char *text)
{
	cJSON *j = cJSON_Parse(text);

	assert_non_null(j);
	return j;
}

/* a equals the JSON text b (compared as values). */
static void assert_json(const cJSON *a, const char *b)
{
	cJSON *want = parse(b);

	if (!cJSON_Compare(a, want, 1)) {
		char *got = cJSON_PrintUnformatted(a);

		print_error("got  %s\nwant %s\n", got ? got : "?", b);
		free(got);
		cJSON_Delete(want);
		fail();
	}
	cJSON_Delete(want);
}

static const char *const DEPLOY =
	"{\"spec\":{\"replicas\":2,\"template\":{\"spec\":{"
	"\"nodeSelector\":{\"agentpool\":\"np1\"},"
	"\"initContainers\":[{\"name\":\"init\",\"image\":\"i:1\",\"imagePullPolicy\":\"Always\"}],"
	"\"containers\":["
	"{\"name\":\"web\",\"image\":\"w:1\",\"imagePullPolicy\":\"Always\","
	"\"env\":[{\"name\":\"DB_PASSWORD\",\"value\":\"Pl41n-t3xt-pa55\"}],"
	"\"resources\":{\"limits\":{\"cpu\":\"500m\"}}},"
	"{\"name\":\"side\",\"image\":\"s:1\",\"imagePullPolicy\":\"IfNotPresent\","
	"\"args\":[\"-v\"]}]}}}}";

static void test_merge_by_name(void **state)
{
	cJSON *t = parse(DEPLOY);
	cJSON *p = parse("{\"spec\":{\"template\":{\"spec\":{\"containers\":"
			 "[{\"name\":\"web\",\"imagePullPolicy\":\"IfNotPresent\"}]}}}}");
	const cJSON *cs;
	char why[200];

	(void)state;
	assert_int_equal(smp_apply(t, p, why, sizeof why), 0);
	cs = jsonu_array(t, "spec.template.spec.containers");
	assert_int_equal(cJSON_GetArraySize(cs), 2);
	/* The named container changed in that field only. */
	assert_json(cJSON_GetArrayItem(cs, 0),
		    "{\"name\":\"web\",\"image\":\"w:1\",\"imagePullPolicy\":\"IfNotPresent\","
		    "\"env\":[{\"name\":\"DB_PASSWORD\",\"value\":\"Pl41n-t3xt-pa55\"}],"
		    "\"resources\":{\"limits\":{\"cpu\":\"500m\"}}}");
	/* The one absent from the patch, and the rest, untouched. */
	assert_json(cJSON_GetArrayItem(cs, 1),
		    "{\"name\":\"side\",\"image\":\"s:1\",\"imagePullPolicy\":\"IfNotPresent\",\"args\":[\"-v\"]}");
	assert_string_equal(jsonu_str(t, "spec.template.spec.initContainers.0.imagePullPolicy"),
			    "Always");
	assert_int_equal(jsonu_path(t, "spec.replicas")->valueint, 2);
	cJSON_Delete(p);
	cJSON_Delete(t);
}

static void test_merge_append_maps_null(void **state)
{
	cJSON *t = parse(DEPLOY);
	cJSON *p = parse("{\"spec\":{\"template\":{\"spec\":{"
			 "\"nodeSelector\":{\"kubernetes.io/os\":\"linux\"},"
			 "\"initContainers\":[{\"name\":\"init\",\"imagePullPolicy\":\"IfNotPresent\"},"
			 "{\"name\":\"init2\",\"image\":\"j:1\",\"x\":null}],"
			 "\"containers\":[{\"name\":\"side\",\"args\":null,"
			 "\"env\":[{\"name\":\"MODE\",\"value\":\"x\"}]}]}}}}");
	const cJSON *ics, *side;
	char why[200];

	(void)state;
	assert_int_equal(smp_apply(t, p, why, sizeof why), 0);
	/* A map merged: the old key kept, the new one added. */
	assert_json(jsonu_path(t, "spec.template.spec.nodeSelector"),
		    "{\"agentpool\":\"np1\",\"kubernetes.io/os\":\"linux\"}");
	/* initContainers merged by name; a new name appended, its nulls dropped. */
	ics = jsonu_array(t, "spec.template.spec.initContainers");
	assert_int_equal(cJSON_GetArraySize(ics), 2);
	assert_json(cJSON_GetArrayItem(ics, 0),
		    "{\"name\":\"init\",\"image\":\"i:1\",\"imagePullPolicy\":\"IfNotPresent\"}");
	assert_json(cJSON_GetArrayItem(ics, 1), "{\"name\":\"init2\",\"image\":\"j:1\"}");
	/* null deletes a field; env (also by name) appended to. */
	side = cJSON_GetArrayItem(jsonu_array(t, "spec.template.spec.containers"), 1);
	assert_json(side, "{\"name\":\"side\",\"image\":\"s:1\",\"imagePullPolicy\":\"IfNotPresent\","
		    "\"env\":[{\"name\":\"MODE\",\"value\":\"x\"}]}");
	/* web is still first and whole. */
	assert_string_equal(jsonu_str(t, "spec.template.spec.containers.0.env.0.value"),
			    "Pl41n-t3xt-pa55");
	cJSON_Delete(p);
	cJSON_Delete(t);
}

static void test_merge_refused(void **state)
{
	static const char *const bad[] = {
		/* a directive */
		"{\"spec\":{\"template\":{\"spec\":{\"$patch\":\"replace\"}}}}",
		"{\"spec\":{\"$retainKeys\":[\"replicas\"]}}",
		/* an element without its merge key */
		"{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"image\":\"x\"}]}}}}",
		"{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":7}]}}}}",
		"{\"spec\":{\"template\":{\"spec\":{\"containers\":[\"web\"]}}}}",
		/* not a list where the server wants one */
		"{\"spec\":{\"template\":{\"spec\":{\"containers\":{\"name\":\"web\"}}}}}",
		/* a good change before the refused part: nothing applies */
		"{\"spec\":{\"replicas\":5,\"template\":{\"spec\":{\"initContainers\":[{}]}}}}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cJSON *t = parse(DEPLOY), *before = parse(DEPLOY);
		cJSON *p = parse(bad[i]);
		char why[200] = "";

		assert_int_equal(smp_apply(t, p, why, sizeof why), AD_EINVAL);
		assert_true(why[0] != '\0');
		assert_true(cJSON_Compare(t, before, 1));
		cJSON_Delete(p);
		cJSON_Delete(before);
		cJSON_Delete(t);
	}
}

static void test_merge_key_table(void **state)
{
	(void)state;
	assert_string_equal(smp_merge_key("containers"), "name");
	assert_string_equal(smp_merge_key("initContainers"), "name");
	assert_string_equal(smp_merge_key("env"), "name");
	assert_null(smp_merge_key("args"));
	assert_null(smp_merge_key("tolerations"));
	assert_null(smp_merge_key(NULL));
}

static void test_pull_policy_body(void **state)
{
	cJSON *d = parse(DEPLOY), *p = NULL;
	const cJSON *cs = jsonu_array(d, "spec.template.spec.containers");
	char *text;
	int changed = -1;

	(void)state;
	/* Of two containers, only the one whose policy is Always, by name,
	 * and nothing else of it. */
	assert_int_equal(smp_pull_policy("spec.template", cs, NULL, &p, &changed), 0);
	assert_int_equal(changed, 1);
	assert_json(p, "{\"spec\":{\"template\":{\"spec\":{\"containers\":"
		    "[{\"name\":\"web\",\"imagePullPolicy\":\"IfNotPresent\"}]}}}}");
	text = cJSON_Print(p);
	assert_non_null(text);
	assert_null(strstr(text, "Pl41n-t3xt-pa55"));
	assert_null(strstr(text, "DB_PASSWORD"));
	assert_null(strstr(text, "env"));
	assert_null(strstr(text, "resources"));
	assert_null(strstr(text, "w:1"));
	free(text);
	cJSON_Delete(p);

	/* A CronJob's template. */
	assert_int_equal(smp_pull_policy("spec.jobTemplate.spec.template", cs, NULL, &p,
					 &changed), 0);
	assert_json(p, "{\"spec\":{\"jobTemplate\":{\"spec\":{\"template\":{\"spec\":"
		    "{\"containers\":[{\"name\":\"web\",\"imagePullPolicy\":\"IfNotPresent\"}]}}}}}}");
	cJSON_Delete(p);

	/* Another path, nothing Always, an Always container without a name. */
	assert_int_equal(smp_pull_policy("spec", cs, NULL, &p, &changed), AD_EINVAL);
	assert_null(p);
	cJSON_Delete(d);
	d = parse("[{\"name\":\"a\",\"imagePullPolicy\":\"IfNotPresent\"},{\"name\":\"b\"}]");
	assert_int_equal(smp_pull_policy("spec.template", d, NULL, &p, &changed), AD_EINVAL);
	assert_int_equal(changed, 0);
	assert_null(p);
	cJSON_Delete(d);
	d = parse("[{\"imagePullPolicy\":\"Always\"}]");
	assert_int_equal(smp_pull_policy("spec.template", d, NULL, &p, &changed), AD_EINVAL);
	assert_null(p);
	cJSON_Delete(d);

	/* Init containers pull too: an Always one is changed in its own
	 * list, by name; alone, it is enough for a patch; merged by the
	 * server, the other containers and fields stay. */
	{
		cJSON *t = parse("{\"spec\":{\"template\":{\"spec\":{"
			"\"initContainers\":[{\"name\":\"migrate\",\"image\":\"m:1\",\"imagePullPolicy\":\"Always\"},"
			"{\"name\":\"wait\",\"image\":\"w:1\",\"imagePullPolicy\":\"IfNotPresent\"}],"
			"\"containers\":[{\"name\":\"web\",\"image\":\"x:1\",\"imagePullPolicy\":\"IfNotPresent\"}]}}}}");
		char why[200];

		assert_int_equal(smp_pull_policy("spec.template",
			jsonu_array(t, "spec.template.spec.containers"),
			jsonu_array(t, "spec.template.spec.initContainers"),
			&p, &changed), 0);
		assert_int_equal(changed, 1);
		assert_json(p, "{\"spec\":{\"template\":{\"spec\":{\"initContainers\":"
			    "[{\"name\":\"migrate\",\"imagePullPolicy\":\"IfNotPresent\"}]}}}}");
		assert_int_equal(smp_apply(t, p, why, sizeof why), 0);
		assert_string_equal(jsonu_str(t, "spec.template.spec.initContainers.0.imagePullPolicy"),
				    "IfNotPresent");
		assert_string_equal(jsonu_str(t, "spec.template.spec.initContainers.0.image"), "m:1");
		assert_string_equal(jsonu_str(t, "spec.template.spec.initContainers.1.name"), "wait");
		assert_string_equal(jsonu_str(t, "spec.template.spec.containers.0.name"), "web");
		cJSON_Delete(p);
		/* Both lists Always: both changed. */
		cJSON_ReplaceItemInObject(cJSON_GetArrayItem(jsonu_array(t,
			"spec.template.spec.containers"), 0), "imagePullPolicy",
			cJSON_CreateString("Always"));
		cJSON_ReplaceItemInObject(cJSON_GetArrayItem(jsonu_array(t,
			"spec.template.spec.initContainers"), 1), "imagePullPolicy",
			cJSON_CreateString("Always"));
		assert_int_equal(smp_pull_policy("spec.template",
			jsonu_array(t, "spec.template.spec.containers"),
			jsonu_array(t, "spec.template.spec.initContainers"),
			&p, &changed), 0);
		assert_int_equal(changed, 2);
		assert_json(p, "{\"spec\":{\"template\":{\"spec\":{\"initContainers\":"
			    "[{\"name\":\"wait\",\"imagePullPolicy\":\"IfNotPresent\"}],"
			    "\"containers\":[{\"name\":\"web\",\"imagePullPolicy\":\"IfNotPresent\"}]}}}}");
		cJSON_Delete(p);
		cJSON_Delete(t);
	}
}

static void test_odd_names_escaped(void **state)
{
	/* Names come from the server: quotes, backslashes, control
	 * characters and shell quotes stay data. */
	cJSON *cs = cJSON_CreateArray(), *c = cJSON_CreateObject(), *p = NULL, *back;
	static const char odd[] = "we\"b\\x'y\n\x01z";
	char cmd[1024], *text;
	int changed;

	(void)state;
	cJSON_AddStringToObject(c, "name", odd);
	cJSON_AddStringToObject(c, "imagePullPolicy", "Always");
	cJSON_AddItemToArray(cs, c);
	assert_int_equal(smp_pull_policy("spec.template", cs, NULL, &p, &changed), 0);
	text = cJSON_PrintUnformatted(p);
	assert_non_null(text);
	assert_non_null(strstr(text, "\"we\\\"b\\\\x'y\\n\\u0001z\""));
	back = parse(text);
	assert_string_equal(jsonu_str(back, "spec.template.spec.containers.0.name"), odd);
	cJSON_Delete(back);
	free(text);
	assert_int_equal(smp_command(cmd, sizeof cmd, "deployment", "web",
				     "default", p), 0);
	assert_string_equal(cmd,
		"kubectl patch deployment web -n default --type strategic -p "
		"'{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":"
		"\"we\\\"b\\\\x'\\''y\\n\\u0001z\",\"imagePullPolicy\":\"IfNotPresent\"}]}}}}'");
	assert_null(strchr(cmd, '\n'));
	cJSON_Delete(p);
	cJSON_Delete(cs);
}

static void test_node_selector_body(void **state)
{
	cJSON *p;
	char cmd[1024], small[80];

	(void)state;
	p = smp_node_selector("spec.template", "linux");
	assert_json(p, "{\"spec\":{\"template\":{\"spec\":{\"nodeSelector\":"
		    "{\"kubernetes.io/os\":\"linux\"}}}}}");
	assert_int_equal(smp_command(cmd, sizeof cmd, "deployment", "web",
				     "default", p), 0);
	assert_string_equal(cmd, "kubectl patch deployment web -n default --type strategic -p "
			    "'{\"spec\":{\"template\":{\"spec\":{\"nodeSelector\":"
			    "{\"kubernetes.io/os\":\"linux\"}}}}}'");
	/* Too long for the room: a command that works, not a cut one. */
	assert_int_equal(smp_command(small, sizeof small, "deployment", "web",
				     "default", p), 0);
	assert_null(strstr(small, "-p '"));
	cJSON_Delete(p);
	p = smp_node_selector("spec.jobTemplate.spec.template", "windows");
	assert_json(p, "{\"spec\":{\"jobTemplate\":{\"spec\":{\"template\":{\"spec\":"
		    "{\"nodeSelector\":{\"kubernetes.io/os\":\"windows\"}}}}}}}");
	cJSON_Delete(p);
	assert_null(smp_node_selector("metadata", "linux"));
	assert_null(smp_node_selector(NULL, "linux"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_by_name),
		cmocka_unit_test(test_merge_append_maps_null),
		cmocka_unit_test(test_merge_refused),
		cmocka_unit_test(test_merge_key_table),
		cmocka_unit_test(test_pull_policy_body),
		cmocka_unit_test(test_odd_names_escaped),
		cmocka_unit_test(test_node_selector_body),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
