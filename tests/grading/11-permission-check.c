/*
 * 11-permission-check.c — reference solution of exercise 11 (exercises/11-permission-check/
 * permission_check.h).
 *
 * Walk the table's whitelist rows; skip those not yet in force (enable_num > number). If none
 * was in force the table is open; otherwise the origin must be named by one of them.
 */
#include "permission_check.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Is the row in force in block `number`? A missing or empty enable_num: at once. */
static bool row_in_force(const entry_t *row, int64_t number)
{
    const bl_buf_t *v = entry_get(row, "enable_num");
    char text[24];

    if (v == NULL || v->len == 0)
        return true;
    if (v->len >= sizeof text)
        return false; /* more digits than any int64: a block far in the future */
    memcpy(text, v->data, v->len);
    text[v->len] = '\0';
    return strtoll(text, NULL, 10) <= number;
}

/* The value of one hex digit, or -1. */
static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Does the row's address (optional 0x, then 40 hex digits in any case) name `origin`? */
static bool row_names(const entry_t *row, const uint8_t origin[20])
{
    const bl_buf_t *v = entry_get(row, "address");
    const char *a;
    size_t len;

    if (v == NULL)
        return false;
    a = (const char *)v->data;
    len = v->len;
    if (len >= 2 && a[0] == '0' && (a[1] == 'x' || a[1] == 'X')) {
        a += 2;
        len -= 2;
    }
    if (len != 40)
        return false;
    for (size_t i = 0; i < 20; i++) {
        int hi = hex_digit(a[2 * i]), lo = hex_digit(a[2 * i + 1]);

        if (hi < 0 || lo < 0 || (uint8_t)(hi * 16 + lo) != origin[i])
            return false;
    }
    return true;
}

bool ex_may_write(const entries_t *rows, const uint8_t origin[20], int64_t number)
{
    bool any_in_force = false;

    for (size_t i = 0; i < rows->count; i++) {
        if (!row_in_force(&rows->items[i], number))
            continue;
        if (row_names(&rows->items[i], origin))
            return true;
        any_in_force = true;
    }
    return !any_in_force;
}
