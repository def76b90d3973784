/* curses.h - the one place the front end includes curses from.
 *
 * Wide-character curses (get_wch, add_wch, cchar_t) needs
 * _XOPEN_SOURCE_EXTENDED before <curses.h>; every ui/ file includes this
 * header instead of <curses.h>, and nothing in src/ includes either. */
#ifndef AD_UI_CURSES_H
#define AD_UI_CURSES_H

#ifndef _XOPEN_SOURCE_EXTENDED
# define _XOPEN_SOURCE_EXTENDED 1
#endif
#ifndef NCURSES_WIDECHAR
# define NCURSES_WIDECHAR 1
#endif

/* Never <curses.h> here: with ui/ on the include path that would be
 * this file again. */
#if defined(__has_include)
# if __has_include(<ncursesw/curses.h>)
#  include <ncursesw/curses.h>
# else
#  include <ncurses.h>
# endif
#else
# include <ncurses.h>
#endif

#endif
