/* i18n.h - gettext wrappers; the one place that knows about NLS. */
#ifndef AD_I18N_H
#define AD_I18N_H

#if ENABLE_NLS
# include <libintl.h>
# define _(s) gettext(s)
#else
# define _(s) ((char *)(s))
# define gettext(s) ((char *)(s))
# define ngettext(s, p, n) ((n) == 1 ? (char *)(s) : (char *)(p))
# define textdomain(d) ((void)(d))
# define bindtextdomain(d, dir) ((void)(d), (void)(dir))
# define bind_textdomain_codeset(d, c) ((void)(d), (void)(c))
#endif
/* Marks a string for extraction; translate it where it is shown. */
#define N_(s) (s)

#endif
