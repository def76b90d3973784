#ifndef AD_CANCEL_H
#define AD_CANCEL_H
/* The cancel flag: set by the screen's thread (Esc) or a test, read by
 * the worker threads, the transport, the probe and credential plugins.
 * Every read and write goes through these so none is a data race; a
 * NULL flag means "cannot be cancelled". */
#include <stdatomic.h>

typedef atomic_int ad_cancel_flag;

static inline void ad_cancel_set(ad_cancel_flag *p)
{
	if (p)
		atomic_store_explicit(p, 1, memory_order_release);
}

static inline void ad_cancel_clear(ad_cancel_flag *p)
{
	if (p)
		atomic_store_explicit(p, 0, memory_order_release);
}

static inline int ad_cancelled(ad_cancel_flag *p)
{
	return p && atomic_load_explicit(p, memory_order_acquire) != 0;
}

#endif
