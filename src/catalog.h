/* catalog.h - find the message catalogue for the interface language.
 *
 * An installed catalogue (LOCALEDIR) wins.  Without one - the build tree,
 * or the binary copied alone to a jump host - the copy compiled into the
 * binary is written to a private temporary directory, loaded by gettext
 * and removed again at once (gettext keeps what it loaded). */
#ifndef AD_CATALOG_H
#define AD_CATALOG_H

/* Bind domain for lang ("sv", "zh_CN", "sv_SE.UTF-8"; NULL: from
 * LANGUAGE, LC_ALL, LC_MESSAGES, LANG).  Returns 1 when the compiled-in
 * catalogue is in use, 0 otherwise (installed one, English, or none
 * could be written: then the interface stays English). */
int catalog_bind(const char *domain, const char *localedir, const char *lang);

#endif
