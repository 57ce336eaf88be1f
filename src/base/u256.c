/*
 * u256.c — 256-bit unsigned arithmetic on big-endian byte arrays.
 *
 * Everything works a byte at a time from the least significant end (be[31]) with a carry, the
 * way addition is done on paper. It is not fast, and it does not need to be: the hot paths of the
 * chain hash and verify; they do not do much arithmetic.
 */
#include "base/u256.h"

#include <string.h>

#include "base/bytes.h"
#include "base/error.h"

void
bl_u256_from_u64(bl_u256_t *x, uint64_t v)
{
    memset(x->be, 0, 24);
    bl_put_be(x->be + 24, v, 8);
}

int
bl_u256_to_u64(const bl_u256_t *x, uint64_t *v)
{
    for (int i = 0; i < 24; i++) {
        if (x->be[i] != 0)
            return bl_fail(BL_E_RANGE, "number does not fit in 64 bits");
    }
    *v = bl_get_be(x->be + 24, 8);
    return BL_OK;
}

bool
bl_u256_is_zero(const bl_u256_t *x)
{
    for (int i = 0; i < 32; i++) {
        if (x->be[i] != 0)
            return false;
    }
    return true;
}

int
bl_u256_cmp(const bl_u256_t *a, const bl_u256_t *b)
{
    return memcmp(a->be, b->be, 32);
}

int
bl_u256_from_be(bl_u256_t *x, const uint8_t *p, size_t n)
{
    if (n > 32)
        return bl_fail(BL_E_RANGE, "%zu bytes do not fit in a 256-bit number", n);
    memset(x->be, 0, 32 - n);
    if (n > 0)
        memcpy(x->be + 32 - n, p, n);
    return BL_OK;
}

size_t
bl_u256_min_be(const bl_u256_t *x, const uint8_t **start)
{
    size_t skip = 0;

    while (skip < 32 && x->be[skip] == 0)
        skip++;
    *start = x->be + skip;
    return 32 - skip;
}

/* x = x * mul + add; returns the carry out of the top byte (non-zero means overflow). */
static unsigned
mul_add_small(bl_u256_t *x, unsigned mul, unsigned add)
{
    unsigned carry = add;

    for (int i = 31; i >= 0; i--) {
        unsigned v = x->be[i] * mul + carry;
        x->be[i] = (uint8_t)v;
        carry = v >> 8;
    }
    return carry;
}

static int
digit_value(char c, unsigned base)
{
    int v = -1;

    if (c >= '0' && c <= '9')
        v = c - '0';
    else if (c >= 'a' && c <= 'f')
        v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
        v = c - 'A' + 10;
    return v >= 0 && (unsigned)v < base ? v : -1;
}

/* Digits are taken six at a time (base^6 <= 16^6 = 2^24, so mul_add_small cannot overflow its
 * 32-bit arithmetic): one pass over the 32 bytes per six digits instead of per digit. */
#define DIGITS_PER_STEP 6

int
bl_u256_from_str(bl_u256_t *x, const char *s)
{
    unsigned base = 10, chunk = 0, scale = 1, ndigits = 0;
    bl_u256_t r;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (*s == '\0')
        return bl_fail(BL_E_INVALID, "empty number");
    memset(&r, 0, sizeof r);
    for (const char *c = s; *c; c++) {
        int d = digit_value(*c, base);

        if (d < 0)
            return bl_fail(BL_E_INVALID, "'%c' is not a %s digit in \"%s\"", *c,
                           base == 10 ? "decimal" : "hex", s);
        chunk = chunk * base + (unsigned)d;
        scale *= base;
        if (++ndigits == DIGITS_PER_STEP || c[1] == '\0') {
            if (mul_add_small(&r, scale, chunk) != 0)
                return bl_fail(BL_E_RANGE, "\"%s\" is larger than 2^256-1", s);
            chunk = 0;
            scale = 1;
            ndigits = 0;
        }
    }
    *x = r;
    return BL_OK;
}

/* x = x / div; returns the remainder. div < 2^24, so that rem << 8 | byte fits in 32 bits.
 * Leading zero bytes stay zero and are skipped: most numbers are small. */
static unsigned
div_small(bl_u256_t *x, unsigned div)
{
    unsigned rem = 0;
    int i = 0;

    while (i < 32 && x->be[i] == 0)
        i++;
    for (; i < 32; i++) {
        unsigned cur = rem << 8 | x->be[i];

        x->be[i] = (uint8_t)(cur / div);
        rem = cur % div;
    }
    return rem;
}

/* Six digits per division: each division gives the next six digits from the right, of which
 * the leftmost (last) group writes only as many as it has. */
void
bl_u256_to_dec(const bl_u256_t *x, char *out)
{
    bl_u256_t t = *x;
    char rev[BL_U256_DEC_MAX];
    size_t n = 0;
    bool last;

    do {
        unsigned group = div_small(&t, 1000000);

        last = bl_u256_is_zero(&t);
        for (int k = 0; k < DIGITS_PER_STEP; k++) {
            rev[n++] = (char)('0' + group % 10);
            group /= 10;
            if (last && group == 0)
                break;
        }
    } while (!last);
    for (size_t i = 0; i < n; i++)
        out[i] = rev[n - 1 - i];
    out[n] = '\0';
}

int
bl_u256_add(bl_u256_t *r, const bl_u256_t *a, const bl_u256_t *b)
{
    bl_u256_t t;
    unsigned carry = 0;

    for (int i = 31; i >= 0; i--) {
        unsigned v = a->be[i] + b->be[i] + carry;
        t.be[i] = (uint8_t)v;
        carry = v >> 8;
    }
    if (carry)
        return bl_fail(BL_E_RANGE, "256-bit addition overflows");
    *r = t;
    return BL_OK;
}

int
bl_u256_sub(bl_u256_t *r, const bl_u256_t *a, const bl_u256_t *b)
{
    bl_u256_t t;
    int borrow = 0;

    if (bl_u256_cmp(a, b) < 0)
        return bl_fail(BL_E_RANGE, "256-bit subtraction goes below zero");
    for (int i = 31; i >= 0; i--) {
        int v = a->be[i] - b->be[i] - borrow;
        borrow = v < 0;
        t.be[i] = (uint8_t)(v + (borrow ? 256 : 0));
    }
    *r = t;
    return BL_OK;
}

void
bl_u256_negate(bl_u256_t *r, const bl_u256_t *a)
{
    unsigned carry = 1;

    /* two's complement: invert every bit, then add one */
    for (int i = 31; i >= 0; i--) {
        unsigned v = (uint8_t)~a->be[i] + carry;
        r->be[i] = (uint8_t)v;
        carry = v >> 8;
    }
}
