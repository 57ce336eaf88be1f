/*
 * tui_draw.c — the few drawing tools the views share.
 *
 * Everything is drawn on stdscr at absolute positions inside a rectangle (tui_rect_t), and
 * clipped to it, so a view never scribbles over its neighbour however small the terminal.
 * Colours are a nicety: every colour has a monochrome attribute (bold, reverse, dim) that says
 * the same thing, so the views read on any terminal.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tui/tui_int.h"

/* The colour pairs every view draws with (t->colors says whether the terminal has colours;
 * without them tui_attr falls back to bold, underline and reverse). */
void
tui_start_colors(tui_t *t)
{
    t->colors = has_colors();
    if (!t->colors)
        return;
    start_color();
    use_default_colors();
    init_pair(TUI_OK, COLOR_GREEN, -1);
    init_pair(TUI_WARN, COLOR_YELLOW, -1);
    init_pair(TUI_BAD, COLOR_RED, -1);
    init_pair(TUI_TITLE, COLOR_CYAN, -1);
    init_pair(TUI_LEADER, COLOR_MAGENTA, -1);
    init_pair(TUI_DIM, COLOR_BLUE, -1);
    init_pair(TUI_BAR, COLOR_BLACK, COLOR_CYAN);
}

attr_t
tui_attr(const tui_t *t, int kind)
{
    static const attr_t mono[] = { 0, A_NORMAL, A_BOLD, A_REVERSE, A_BOLD | A_UNDERLINE, A_BOLD,
                                A_DIM, A_REVERSE };

    if (kind <= 0 || kind > TUI_BAR)
        return A_NORMAL;
    if (!t->colors)
        return mono[kind];
    return (attr_t)COLOR_PAIR(kind) | (kind == TUI_TITLE || kind == TUI_LEADER ? A_BOLD : 0);
}

/* How many bytes of the UTF-8 text s make at most `cols` characters. */
static size_t
utf8_prefix(const char *s, int cols)
{
    size_t i = 0;
    int n = 0;

    while (s[i] != '\0') {
        size_t len = 1;

        if (((unsigned char)s[i] & 0xe0) == 0xc0)
            len = 2;
        else if (((unsigned char)s[i] & 0xf0) == 0xe0)
            len = 3;
        else if (((unsigned char)s[i] & 0xf8) == 0xf0)
            len = 4;
        if (n == cols)
            break;
        n++;
        i += len;
    }
    return i;
}

static int
utf8_width(const char *s)
{
    int n = 0;

    for (; *s != '\0'; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

int
tui_put(const tui_rect_t *r, int y, int x, attr_t attr, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    size_t len;

    if (y < 0 || y >= r->h || x < 0 || x >= r->w)
        return 0;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    len = utf8_prefix(text, r->w - x);
    text[len] = '\0';
    attron(attr);
    mvaddstr(r->y + y, r->x + x, text);
    attroff(attr);
    return utf8_width(text);
}

tui_rect_t
tui_inner(const tui_rect_t *r)
{
    return (tui_rect_t){ r->y + 1, r->x + 2, r->h - 2, r->w - 4 };
}

void
tui_box(const tui_t *t, const tui_rect_t *r, const char *title)
{
    tui_rect_t whole = *r;

    if (r->h < 2 || r->w < 4)
        return;
    mvaddch(r->y, r->x, ACS_ULCORNER);
    mvhline(r->y, r->x + 1, ACS_HLINE, r->w - 2);
    mvaddch(r->y, r->x + r->w - 1, ACS_URCORNER);
    mvvline(r->y + 1, r->x, ACS_VLINE, r->h - 2);
    mvvline(r->y + 1, r->x + r->w - 1, ACS_VLINE, r->h - 2);
    mvaddch(r->y + r->h - 1, r->x, ACS_LLCORNER);
    mvhline(r->y + r->h - 1, r->x + 1, ACS_HLINE, r->w - 2);
    mvaddch(r->y + r->h - 1, r->x + r->w - 1, ACS_LRCORNER);
    whole.w -= 1;
    tui_put(&whole, 0, 2, tui_attr(t, TUI_TITLE), " %s ", title);
}

void
tui_bar(const tui_t *t, const tui_rect_t *r, int y, int x, int width, int64_t value,
        int64_t total)
{
    int filled = total > 0 ? (int)(value * width / total) : 0;

    if (filled > width)
        filled = width;
    for (int i = 0; i < width; i++)
        tui_put(r, y, x + i, i < filled ? tui_attr(t, value >= total ? TUI_OK : TUI_WARN) :
                tui_attr(t, TUI_DIM), "%s", i < filled ? "█" : "·");
    tui_put(r, y, x + width + 1, A_NORMAL, "%lld/%lld", (long long)value, (long long)total);
}

void
tui_sparkline(const tui_rect_t *r, int y, int x, int width, const double *values, size_t n,
              attr_t attr)
{
    static const char *const steps[] = { " ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
    size_t first = n > (size_t)width ? n - (size_t)width : 0;
    double top = 0;

    for (size_t i = first; i < n; i++)
        if (values[i] > top)
            top = values[i];
    for (size_t i = first; i < n; i++) {
        int level = top > 0 ? (int)(values[i] * 8 / top + 0.5) : 0;

        if (values[i] > 0 && level == 0)
            level = 1;
        tui_put(r, y, x + (int)(i - first), attr, "%s", steps[level]);
    }
}

void
tui_short_hash(const uint8_t hash[32], char out[12])
{
    snprintf(out, 12, "0x%02x%02x%02x%02x", hash[0], hash[1], hash[2], hash[3]);
}

void
tui_full_hash(const uint8_t hash[32], char out[67])
{
    out[0] = '0';
    out[1] = 'x';
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 + 2 * i, 3, "%02x", hash[i]);
}

const char *
tui_node_state(const tui_t *t, unsigned i, attr_t *attr)
{
    byz_mode_t mode = world_byzantine(t->w, i);

    if (!world_node_up(t->w, i)) {
        *attr = tui_attr(t, TUI_BAD);
        return "down";
    }
    if (mode != BYZ_HONEST) {
        *attr = tui_attr(t, TUI_BAD);
        return byz_mode_name(mode);
    }
    if (world_isolated(t->w, i)) {
        *attr = tui_attr(t, TUI_WARN);
        return "cut off";
    }
    *attr = tui_attr(t, TUI_OK);
    return "up";
}
