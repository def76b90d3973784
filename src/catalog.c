#include "config.h"
#include "catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builtin.h"
#include "i18n.h"

/* The language asked for: lang, else the environment, the way gettext
 * reads it (the first entry of LANGUAGE counts). */
static const char *wanted(const char *lang)
{
	static const char *const vars[] = {
		"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"
	};
	size_t i;

	if (lang && *lang)
		return lang;
	for (i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		const char *v = getenv(vars[i]);

		if (v && *v)
			return v;
	}
	return NULL;
}

/* The compiled-in catalogue for lang: "zh_CN.UTF-8" -> zh_CN, "sv_SE"
 * -> sv.  code gets its name. */
static const struct builtin_file *embedded(const char *lang, char *code,
					   size_t len)
{
	char name[64], part[32];
	size_t n = strcspn(lang, ".@:");
	const struct builtin_file *f;

	if (n == 0 || n >= sizeof part)
		return NULL;
	memcpy(part, lang, n);
	part[n] = '\0';
	snprintf(name, sizeof name, "locale/%s.mo", part);
	if (!(f = builtin_find(name))) {
		part[strcspn(part, "_")] = '\0';
		snprintf(name, sizeof name, "locale/%s.mo", part);
		f = builtin_find(name);
	}
	if (f)
		snprintf(code, len, "%s", part);
	return f;
}

static int write_file(const char *path, const unsigned char *data,
		      size_t len)
{
	FILE *fp = fopen(path, "wb");
	int ok;

	if (!fp)
		return -1;
	ok = fwrite(data, 1, len, fp) == len;
	return fclose(fp) == 0 && ok ? 0 : -1;
}

/* snprintf that says whether it all fitted. */
#define FITS(buf, ...) (snprintf(buf, sizeof buf, __VA_ARGS__) < (int)sizeof buf)

int catalog_bind(const char *domain, const char *localedir, const char *lang)
{
	char code[32], path[4096], dir[4096], sub[4096], lcm[4096];
	const struct builtin_file *f;
	const char *tmp = getenv("TMPDIR");
	int used = 0;

	bindtextdomain(domain, localedir);
	bind_textdomain_codeset(domain, "UTF-8");
	textdomain(domain);
	lang = wanted(lang);
	if (!lang || strcmp(lang, "C") == 0 || strcmp(lang, "POSIX") == 0 ||
	    !(f = embedded(lang, code, sizeof code)))
		return 0;
	if (FITS(path, "%s/%s/LC_MESSAGES/%s.mo", localedir, code, domain) &&
	    access(path, R_OK) == 0)
		return 0;
	if (!FITS(dir, "%s/acr-doctor-XXXXXX", tmp && *tmp ? tmp : "/tmp") ||
	    !mkdtemp(dir))
		return 0;
	if (FITS(sub, "%s/%s", dir, code) && FITS(lcm, "%s/LC_MESSAGES", sub) &&
	    FITS(path, "%s/%s.mo", lcm, domain) &&
	    mkdir(sub, 0700) == 0 && mkdir(lcm, 0700) == 0) {
		if (write_file(path, f->data, f->len) == 0) {
			bindtextdomain(domain, dir);
			/* Load it now: the files go away below. */
			(void)gettext("");
			used = 1;
		}
		remove(path);
		rmdir(lcm);
	}
	rmdir(sub);
	rmdir(dir);
	if (!used)
		bindtextdomain(domain, localedir);
	return used;
}
