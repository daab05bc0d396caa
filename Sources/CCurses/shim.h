#ifndef CAPTTY_CCURSES_SHIM_H
#define CAPTTY_CCURSES_SHIM_H
// SwiftPM drops pkg-config -D flags, so the wide-character API is switched on here.
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <langinfo.h>
#include <locale.h>
#include <string.h>
#include <wchar.h>
#include <ncursesw/curses.h>
#include <pty.h>

// Macros Swift cannot import, wrapped as inline functions.
static inline int captty_getmaxy(WINDOW *w) { return getmaxy(w); }
static inline int captty_getmaxx(WINDOW *w) { return getmaxx(w); }
static inline attr_t captty_a_bold(void) { return A_BOLD; }
static inline attr_t captty_a_dim(void) { return A_DIM; }
static inline attr_t captty_a_italic(void) { return A_ITALIC; }
static inline attr_t captty_a_reverse(void) { return A_REVERSE; }
static inline attr_t captty_a_underline(void) { return A_UNDERLINE; }
static inline attr_t captty_a_normal(void) { return A_NORMAL; }
static inline attr_t captty_color_pair(int n) { return COLOR_PAIR(n); }
static inline WINDOW *captty_stdscr(void) { return stdscr; }
static inline int captty_lines(void) { return LINES; }
static inline int captty_cols(void) { return COLS; }
static inline int captty_key_resize(void) { return KEY_RESIZE; }
static inline int captty_key_ppage(void) { return KEY_PPAGE; }
static inline int captty_key_npage(void) { return KEY_NPAGE; }
static inline int captty_key_home(void) { return KEY_HOME; }
static inline int captty_key_end(void) { return KEY_END; }
static inline int captty_key_up(void) { return KEY_UP; }
static inline int captty_key_down(void) { return KEY_DOWN; }
static inline int captty_key_enter(void) { return KEY_ENTER; }
static inline int captty_key_backspace(void) { return KEY_BACKSPACE; }
static inline int captty_err(void) { return ERR; }
static inline int captty_ok(void) { return OK; }
static inline int captty_key_code_yes(void) { return KEY_CODE_YES; }
static inline int captty_key_f(int n) { return KEY_F(n); }
static inline int captty_key_dc(void) { return KEY_DC; }
static inline int captty_key_ic(void) { return KEY_IC; }
static inline int captty_key_left(void) { return KEY_LEFT; }
static inline int captty_key_right(void) { return KEY_RIGHT; }
static inline int captty_color_pairs(void) { return COLOR_PAIRS; }

// Draws n wide characters at (row, col) of stdscr with attributes and a colour pair.
static inline int captty_put(int row, int col, const wchar_t *s, int n, attr_t attrs, short pair) {
    wattr_set(stdscr, attrs, pair, NULL);
    int rc = mvwaddnwstr(stdscr, row, col, s, n);
    wattr_set(stdscr, A_NORMAL, 0, NULL);
    return rc;
}

// Reads one key from stdscr: returns OK (a character), KEY_CODE_YES (a key code) or ERR.
static inline int captty_get_key(int *out) {
    wint_t ch = 0;
    int rc = wget_wch(stdscr, &ch);
    *out = (int)ch;
    return rc;
}
// From <term.h>, which is not included: its macros (lines, columns, …) would clash.
struct term;
extern int setupterm(const char *term, int fd, int *errret);
extern struct term *set_curterm(struct term *nterm);
extern int del_curterm(struct term *oterm);
// Whether terminfo knows `term` (-1: it does not) and describes a terminal the screen can be
// drawn on, one that can move the cursor (1), or not, like "dumb" (0). Reads the terminfo
// database only: nothing is written to the terminal and no screen is set up.
static inline int captty_terminal_can_draw(const char *term, int fd) {
    int err = 0;
    struct term *saved = set_curterm(NULL);
    if (setupterm(term, fd, &err) != OK) {
        set_curterm(saved);
        return -1;
    }
    const char *cup = tigetstr("cup");
    int ok = cup != NULL && cup != (const char *)-1;
    del_curterm(set_curterm(saved));
    return ok;
}
// Whether the current terminal (after newterm) has an alternate screen (smcup): without one
// (TERM=linux, vt100) the last frame stays on the terminal after endwin.
static inline int captty_has_alternate_screen(void) {
    const char *smcup = tigetstr("smcup");
    return smcup != NULL && smcup != (const char *)-1 && smcup[0] != 0;
}
// Whether the current locale (after setlocale) encodes characters as UTF-8.
static inline int captty_locale_is_utf8(void) {
    const char *codeset = nl_langinfo(CODESET);
    return codeset != NULL && (strcmp(codeset, "UTF-8") == 0 || strcmp(codeset, "utf8") == 0);
}
// Opens a pseudo-terminal pair of a given size (for headless tests of the curses screen).
static inline int captty_openpty(int *master, int *slave, int rows, int cols) {
    struct winsize ws = { (unsigned short)rows, (unsigned short)cols, 0, 0 };
    return openpty(master, slave, NULL, NULL, &ws);
}
// The C library's wcwidth (declared only under _XOPEN_SOURCE): the reference the pure-Swift
// DisplayWidth is tested against.
extern int wcwidth(wchar_t c);
static inline int captty_wcwidth(wchar_t c) { return wcwidth(c); }
// A terminal's width in columns (TIOCGWINSZ), or -1 when fd is not a terminal or has none.
static inline int captty_get_columns(int fd) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0) return -1;
    return ws.ws_col;
}
// Sets a terminal's window size (tests resize a pty with it).
static inline int captty_set_winsize(int fd, int rows, int cols) {
    struct winsize ws = { (unsigned short)rows, (unsigned short)cols, 0, 0 };
    return ioctl(fd, TIOCSWINSZ, &ws);
}
#endif
