/*
 * bytes.c — growable byte buffers and hex conversion.
 *
 * The buffer doubles its capacity when it runs out, so appending n bytes one at a time costs
 * O(n) in total. Hex decoding is strict: an odd number of digits or any non-hex character is an
 * error, because a silently dropped nibble in a key or a hash is the worst kind of bug.
 */
#include "base/bytes.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"

void
bl_buf_init(bl_buf_t *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void
bl_buf_free(bl_buf_t *b)
{
    free(b->data);
    bl_buf_init(b);
}

void
bl_buf_clear(bl_buf_t *b)
{
    b->len = 0;
}

void
bl_buf_reserve(bl_buf_t *b, size_t extra)
{
    size_t need = b->len + extra;
    size_t cap = b->cap ? b->cap : 64;

    if (need <= b->cap)
        return;
    while (cap < need)
        cap *= 2;
    b->data = bl_xrealloc(b->data, cap);
    b->cap = cap;
}

void
bl_buf_append(bl_buf_t *b, const void *p, size_t n)
{
    if (n == 0)
        return;
    bl_buf_reserve(b, n);
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void
bl_buf_push(bl_buf_t *b, uint8_t byte)
{
    bl_buf_append(b, &byte, 1);
}

void
bl_buf_insert(bl_buf_t *b, size_t at, const void *p, size_t n)
{
    if (n == 0)
        return;
    bl_buf_reserve(b, n);
    memmove(b->data + at + n, b->data + at, b->len - at);
    memcpy(b->data + at, p, n);
    b->len += n;
}

bl_span_t
bl_buf_span(const bl_buf_t *b)
{
    return bl_span(b->data, b->len);
}

bl_span_t
bl_span(const void *p, size_t n)
{
    bl_span_t s = { p, n };

    return s;
}

bool
bl_span_eq(bl_span_t a, bl_span_t b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

void
bl_hex_encode(const uint8_t *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

char *
bl_hex_string(const uint8_t *p, size_t n)
{
    char *s = bl_xmalloc(2 * n + 1);

    bl_hex_encode(p, n, s);
    return s;
}

char *
bl_hex_string_0x(const uint8_t *p, size_t n)
{
    char *s = bl_xmalloc(2 * n + 3);

    s[0] = '0';
    s[1] = 'x';
    bl_hex_encode(p, n, s + 2);
    return s;
}

int
bl_hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static const char *
skip_0x(const char *hex)
{
    if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X'))
        return hex + 2;
    return hex;
}

int
bl_hex_decode(const char *hex, bl_buf_t *out)
{
    const char *s = skip_0x(hex);
    size_t n = strlen(s);

    if (n % 2 != 0)
        return bl_fail(BL_E_HEX, "hex has an odd number of digits (%zu)", n);
    for (size_t i = 0; i < n; i++) {
        if (bl_hex_digit(s[i]) < 0)
            return bl_fail(BL_E_HEX, "'%c' at position %zu is not a hex digit", s[i],
                           (size_t)(s - hex) + i);
    }
    bl_buf_reserve(out, n / 2);
    for (size_t i = 0; i < n; i += 2)
        out->data[out->len++] = (uint8_t)(bl_hex_digit(s[i]) << 4 | bl_hex_digit(s[i + 1]));
    return BL_OK;
}

int
bl_hex_decode_fixed(const char *hex, uint8_t *out, size_t n)
{
    bl_buf_t b = BL_BUF_INIT;
    int err = bl_hex_decode(hex, &b);

    if (err == BL_OK && b.len != n)
        err = bl_fail(BL_E_HEX, "expected %zu bytes (%zu hex digits), got %zu bytes", n, 2 * n,
                      b.len);
    if (err == BL_OK)
        memcpy(out, b.data, n);
    bl_buf_free(&b);
    return err;
}

void
bl_put_be(uint8_t *out, uint64_t v, size_t nbytes)
{
    for (size_t i = nbytes; i-- > 0; v >>= 8)
        out[i] = (uint8_t)v;
}

uint64_t
bl_get_be(const uint8_t *p, size_t nbytes)
{
    uint64_t v = 0;

    for (size_t i = 0; i < nbytes; i++)
        v = v << 8 | p[i];
    return v;
}
