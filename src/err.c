#include "config.h"
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "textw.h"

const char *ad_strerror(int code)
{
	switch (code) {
#define AD_ERR_CASE(name, val, text) case val: return text;
	AD_ERROR_TABLE(AD_ERR_CASE)
#undef AD_ERR_CASE
	}
	return "unknown error";
}

int ad_error_set(struct ad_error *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return code;
	e->code = code;
	e->net = AD_NET_NONE;
	e->detail[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	tw_utf8_trim(e->msg);
	return code;
}

void ad_error_detail(struct ad_error *e, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return;
	va_start(ap, fmt);
	vsnprintf(e->detail, sizeof e->detail, fmt, ap);
	va_end(ap);
	tw_utf8_trim(e->detail);
}

void ad_error_clear(struct ad_error *e)
{
	if (e)
		memset(e, 0, sizeof *e);
}

int ad_error_net(struct ad_error *e, enum ad_net kind)
{
	if (!e)
		return 0;
	e->net = kind;
	return e->code;
}

const char *ad_net_str(enum ad_net kind)
{
	static const char *const names[] = {
		"none", "dns", "refused", "timeout", "tls", "reset",
		"cancelled", "other"
	};

	return (unsigned)kind < sizeof names / sizeof names[0] ?
	       names[kind] : "other";
}
