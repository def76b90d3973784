/* simreplay - send requests to acr-doctor's simulated world and print the
 * answers, then the world: the reference the fake world is compared with.
 *
 *   simreplay SCENARIO REQUESTS
 *
 * REQUESTS holds one JSON object per line: {"method", "url", "body"} and
 * optionally "contentType" (default: application/json with a body).  Each
 * answer is printed as one JSON line {"status", "headers", "body"}; the last
 * line is {"world": <the world dump>}. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "http.h"
#include "scenario.h"

int main(int argc, char **argv)
{
	struct scenario *s = NULL;
	struct http_transport *t;
	struct ad_error err;
	char line[65536];
	FILE *fp;
	char *dump;
	cJSON *w;

	if (argc != 3) {
		fprintf(stderr, "usage: simreplay SCENARIO REQUESTS\n");
		return 2;
	}
	memset(&err, 0, sizeof err);
	if (scenario_load(argv[1], &s, &err) != 0) {
		fprintf(stderr, "simreplay: %s\n", err.msg);
		return 1;
	}
	t = sim_transport_new(s);
	fp = fopen(argv[2], "r");
	if (!t || !fp) {
		fprintf(stderr, "simreplay: cannot start\n");
		return 1;
	}
	while (fgets(line, sizeof line, fp)) {
		cJSON *rq = cJSON_Parse(line), *out, *hd;
		const cJSON *m, *u, *b;
		struct http_request req;
		struct http_response resp;
		char *txt;
		size_t i;
		int rc;

		if (!rq)
			continue;
		m = cJSON_GetObjectItemCaseSensitive(rq, "method");
		u = cJSON_GetObjectItemCaseSensitive(rq, "url");
		b = cJSON_GetObjectItemCaseSensitive(rq, "body");
		memset(&req, 0, sizeof req);
		memset(&resp, 0, sizeof resp);
		req.method = cJSON_GetStringValue(m);
		req.url = cJSON_GetStringValue(u);
		req.body = cJSON_IsString(b) ? b->valuestring : NULL;
		req.content_type = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(rq, "contentType"));
		out = cJSON_CreateObject();
		rc = http_send(t, &req, &resp, &err);
		if (rc != 0) {
			cJSON_AddNumberToObject(out, "status", 0);
			cJSON_AddStringToObject(out, "error",
				err.net == AD_NET_DNS ? "dns" :
				err.net == AD_NET_REFUSED ? "refused" :
				err.net == AD_NET_TIMEOUT ? "timeout" : "other");
		} else {
			cJSON_AddNumberToObject(out, "status", (double)resp.status);
			hd = cJSON_AddObjectToObject(out, "headers");
			for (i = 0; i < resp.nheaders; i++)
				cJSON_AddStringToObject(hd, resp.headers[i].name,
							resp.headers[i].value);
			cJSON_AddStringToObject(out, "body", resp.body ? resp.body : "");
		}
		txt = cJSON_PrintUnformatted(out);
		if (txt)
			puts(txt);
		free(txt);
		cJSON_Delete(out);
		cJSON_Delete(rq);
		http_response_clear(&resp);
	}
	fclose(fp);
	dump = scenario_world_dump(s);
	w = cJSON_CreateObject();
	cJSON_AddItemToObject(w, "world", dump ? cJSON_Parse(dump) : cJSON_CreateNull());
	free(dump);
	dump = cJSON_PrintUnformatted(w);
	if (dump)
		puts(dump);
	free(dump);
	cJSON_Delete(w);
	http_transport_free(t);
	scenario_free(s);
	return 0;
}
