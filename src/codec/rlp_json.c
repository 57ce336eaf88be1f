/*
 * rlp_json.c — RLP values to and from the JSON notation of ethereum's RLPTests (see rlp_json.h).
 *
 * Encoding is a small recursive-descent JSON reader that writes RLP as it goes: an array opens a
 * list with rlp_list_begin() and closes it with rlp_list_end(); a string or a number becomes one
 * string item. We read the JSON ourselves instead of using jansson because the notation needs two
 * things a JSON library does not give: integers of any size (jansson stops at 2^63 - 1 and the
 * RLPTests "bigint" case is 2^256) and exact control over what a string's bytes are.
 *
 * Decoding lets rlp_decode() check the whole input first, then walks the items and prints them.
 */
#include "codec/rlp_json.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "codec/rlp.h"

/* Where the reader is: the whole text (offsets in messages count from its start), the next
 * character to read, and the RLP written so far. */
typedef struct {
    const char *text;
    const char *p;
    bl_buf_t *out;
} reader_t;

static size_t
offset(const reader_t *r)
{
    return (size_t)(r->p - r->text);
}

static void
skip_space(reader_t *r)
{
    while (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')
        r->p++;
}

/* ---- numbers ---- */

/* Append the decimal number digits[0..n) as big-endian bytes without leading zeros (zero gives
 * no bytes at all). Schoolbook: for each digit, multiply what we have by 10 and add the digit,
 * in base 256. */
static void
decimal_to_be(const char *digits, size_t n, bl_buf_t *out)
{
    bl_buf_t le = BL_BUF_INIT; /* little-endian while building, so a new top byte is a push */

    for (size_t k = 0; k < n; k++) {
        unsigned carry = (unsigned)(digits[k] - '0');
        for (size_t i = 0; i < le.len; i++) {
            unsigned v = le.data[i] * 10u + carry;
            le.data[i] = (uint8_t)v;
            carry = v >> 8; /* at most (255 * 10 + 9) >> 8 = 9 */
        }
        if (carry != 0)
            bl_buf_push(&le, (uint8_t)carry);
    }
    for (size_t i = le.len; i-- > 0;)
        bl_buf_push(out, le.data[i]);
    bl_buf_free(&le);
}

/* One number, given as decimal text, becomes one RLP string item. `at` is where it was written. */
static int
put_decimal(reader_t *r, const char *digits, size_t n, size_t at)
{
    bl_buf_t be = BL_BUF_INIT;

    if (n == 0)
        return bl_fail(BL_E_JSON, "number at offset %zu has no digits", at);
    if (n > RLP_JSON_MAX_DIGITS)
        return bl_fail(BL_E_JSON, "number at offset %zu has %zu digits; at most %d are accepted",
                       at, n, RLP_JSON_MAX_DIGITS);
    for (size_t i = 0; i < n; i++) {
        if (digits[i] < '0' || digits[i] > '9')
            return bl_fail(BL_E_JSON, "number at offset %zu: after '#' only decimal digits may "
                           "follow", at);
    }
    decimal_to_be(digits, n, &be);
    rlp_put_bytes(r->out, be.data, be.len);
    bl_buf_free(&be);
    return BL_OK;
}

/* A bare JSON integer (r->p at its first digit). JSON forbids leading zeros, and a fraction or
 * an exponent makes it a float, which RLP cannot write. */
static int
read_integer(reader_t *r)
{
    const char *start = r->p;
    size_t at = offset(r);

    while (*r->p >= '0' && *r->p <= '9')
        r->p++;
    if (*r->p == '.' || *r->p == 'e' || *r->p == 'E')
        return bl_fail(BL_E_JSON, "number at offset %zu has a fraction or an exponent; RLP "
                       "integers are whole numbers", at);
    if (start[0] == '0' && r->p - start > 1)
        return bl_fail(BL_E_JSON, "number at offset %zu starts with 0 (JSON forbids leading "
                       "zeros)", at);
    return put_decimal(r, start, (size_t)(r->p - start), at);
}

/* ---- strings ---- */

/* Append code point c as UTF-8: a \u escape names a Unicode character, and the string's bytes
 * are that character's UTF-8 bytes, as in every JSON reader. */
static void
put_utf8(bl_buf_t *b, uint32_t c)
{
    if (c < 0x80) {
        bl_buf_push(b, (uint8_t)c);
    } else if (c < 0x800) {
        bl_buf_push(b, (uint8_t)(0xc0 | c >> 6));
        bl_buf_push(b, (uint8_t)(0x80 | (c & 0x3f)));
    } else if (c < 0x10000) {
        bl_buf_push(b, (uint8_t)(0xe0 | c >> 12));
        bl_buf_push(b, (uint8_t)(0x80 | (c >> 6 & 0x3f)));
        bl_buf_push(b, (uint8_t)(0x80 | (c & 0x3f)));
    } else {
        bl_buf_push(b, (uint8_t)(0xf0 | c >> 18));
        bl_buf_push(b, (uint8_t)(0x80 | (c >> 12 & 0x3f)));
        bl_buf_push(b, (uint8_t)(0x80 | (c >> 6 & 0x3f)));
        bl_buf_push(b, (uint8_t)(0x80 | (c & 0x3f)));
    }
}

/* The four hex digits after "\u" (r->p at the first). `at` is the escape's offset. */
static int
read_hex4(reader_t *r, size_t at, uint32_t *c)
{
    *c = 0;
    for (int i = 0; i < 4; i++) {
        int v = bl_hex_digit(*r->p);
        if (v < 0)
            return bl_fail(BL_E_JSON, "\\u escape at offset %zu needs four hex digits", at);
        *c = *c << 4 | (uint32_t)v;
        r->p++;
    }
    return BL_OK;
}

/* A \u escape (r->p after the "\u"). A character beyond U+FFFF is written as two escapes, a
 * "surrogate pair" (D800–DBFF then DC00–DFFF); half a pair is not a character. */
static int
read_unicode_escape(reader_t *r, size_t at, bl_buf_t *bytes)
{
    uint32_t c, low;
    int err;

    if ((err = read_hex4(r, at, &c)) != BL_OK)
        return err;
    if (c >= 0xdc00 && c <= 0xdfff)
        return bl_fail(BL_E_JSON, "\\u%04x at offset %zu is the second half of a surrogate pair "
                       "without the first", (unsigned)c, at);
    if (c >= 0xd800 && c <= 0xdbff) {
        if (r->p[0] != '\\' || r->p[1] != 'u')
            return bl_fail(BL_E_JSON, "\\u%04x at offset %zu must be followed by the second "
                           "half of its surrogate pair", (unsigned)c, at);
        r->p += 2;
        if ((err = read_hex4(r, at, &low)) != BL_OK)
            return err;
        if (low < 0xdc00 || low > 0xdfff)
            return bl_fail(BL_E_JSON, "\\u%04x at offset %zu must be followed by the second "
                           "half of its surrogate pair", (unsigned)c, at);
        c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
    }
    put_utf8(bytes, c);
    return BL_OK;
}

/* One backslash escape (r->p at the backslash). */
static int
read_escape(reader_t *r, bl_buf_t *bytes)
{
    size_t at = offset(r);
    char c = r->p[1];

    switch (c) {
    case '"': case '\\': case '/': break;
    case 'b': c = '\b'; break;
    case 'f': c = '\f'; break;
    case 'n': c = '\n'; break;
    case 'r': c = '\r'; break;
    case 't': c = '\t'; break;
    case 'u':
        r->p += 2;
        return read_unicode_escape(r, at, bytes);
    default:
        return bl_fail(BL_E_JSON, "unknown escape at offset %zu in a string", at);
    }
    bl_buf_push(bytes, (uint8_t)c);
    r->p += 2;
    return BL_OK;
}

/* A JSON string (r->p at its opening quote) into its bytes, escapes resolved. Bytes of 0x80 and
 * above are taken as they are: they are the UTF-8 of the text. */
static int
read_string(reader_t *r, bl_buf_t *bytes)
{
    size_t at = offset(r);
    int err;

    r->p++;
    for (;;) {
        unsigned char c = (unsigned char)*r->p;
        if (c == '"') {
            r->p++;
            return BL_OK;
        }
        if (c == '\0')
            return bl_fail(BL_E_JSON, "string at offset %zu has no closing quote", at);
        if (c < 0x20)
            return bl_fail(BL_E_JSON, "control byte 0x%02x at offset %zu must be escaped inside "
                           "a JSON string", c, offset(r));
        if (c == '\\') {
            if ((err = read_escape(r, bytes)) != BL_OK)
                return err;
            continue;
        }
        bl_buf_push(bytes, c);
        r->p++;
    }
}

/* The bytes of a string that starts with "0x": the hex digits after it. */
static int
put_hex(reader_t *r, const bl_buf_t *s, size_t at)
{
    size_t n = s->len - 2;
    bl_buf_t bytes = BL_BUF_INIT;
    int err = BL_OK;

    if (n % 2 != 0)
        return bl_fail(BL_E_JSON, "string at offset %zu starts with 0x, so it is hex, but has an "
                       "odd number of digits (%zu)", at, n);
    for (size_t i = 0; i < n && err == BL_OK; i += 2) {
        int hi = bl_hex_digit((char)s->data[2 + i]), lo = bl_hex_digit((char)s->data[3 + i]);
        if (hi < 0 || lo < 0)
            err = bl_fail(BL_E_JSON, "string at offset %zu starts with 0x, so it is hex, but "
                          "holds a character that is not a hex digit", at);
        else
            bl_buf_push(&bytes, (uint8_t)(hi << 4 | lo));
    }
    if (err == BL_OK)
        rlp_put_bytes(r->out, bytes.data, bytes.len);
    bl_buf_free(&bytes);
    return err;
}

/* A string is a number after "#", hex bytes after "0x", and its own bytes otherwise. */
static int
put_string_item(reader_t *r)
{
    size_t at = offset(r);
    bl_buf_t s = BL_BUF_INIT;
    int err = read_string(r, &s);

    if (err != BL_OK)
        goto out;
    if (s.len >= 1 && s.data[0] == '#')
        err = put_decimal(r, (const char *)s.data + 1, s.len - 1, at);
    else if (s.len >= 2 && s.data[0] == '0' && s.data[1] == 'x')
        err = put_hex(r, &s, at);
    else
        rlp_put_bytes(r->out, s.data, s.len);
out:
    bl_buf_free(&s);
    return err;
}

/* ---- values and lists ---- */

/* Say why the text at r->p cannot start a value. */
static int
refuse_value(const reader_t *r)
{
    size_t at = offset(r);
    unsigned char c = (unsigned char)*r->p;

    if (c == '\0')
        return bl_fail(BL_E_JSON, "the text ends at offset %zu where a value should start", at);
    if (c == '-')
        return bl_fail(BL_E_JSON, "negative number at offset %zu: RLP integers are unsigned", at);
    if (c == '{')
        return bl_fail(BL_E_JSON, "object at offset %zu: RLP has only strings and lists", at);
    if (strncmp(r->p, "true", 4) == 0 || strncmp(r->p, "false", 5) == 0 ||
        strncmp(r->p, "null", 4) == 0)
        return bl_fail(BL_E_JSON, "true, false and null (offset %zu) have no RLP encoding", at);
    if (c > ' ' && c < 0x7f)
        return bl_fail(BL_E_JSON, "unexpected '%c' at offset %zu where a value should start",
                       c, at);
    return bl_fail(BL_E_JSON, "unexpected byte 0x%02x at offset %zu where a value should start",
                   c, at);
}

static int read_list(reader_t *r, int depth);

/* One value, after any white space; `depth` is how many arrays enclose it. */
static int
read_value(reader_t *r, int depth)
{
    skip_space(r);
    if (*r->p == '[')
        return read_list(r, depth + 1);
    if (*r->p == '"')
        return put_string_item(r);
    if (*r->p >= '0' && *r->p <= '9')
        return read_integer(r);
    return refuse_value(r);
}

/* An array (r->p at its '[') becomes a list; `depth` is its nesting level, the outermost 1. The
 * decoder refuses lists nested deeper than RLP_MAX_DEPTH, so we refuse to write them. */
static int
read_list(reader_t *r, int depth)
{
    size_t at = offset(r), start;
    int err;

    if (depth > RLP_MAX_DEPTH)
        return bl_fail(BL_E_JSON, "array at offset %zu is nested deeper than %d levels", at,
                       RLP_MAX_DEPTH);
    start = rlp_list_begin(r->out);
    r->p++;
    skip_space(r);
    if (*r->p != ']') {
        for (;;) {
            if ((err = read_value(r, depth)) != BL_OK)
                return err;
            skip_space(r);
            if (*r->p != ',')
                break;
            r->p++;
        }
        if (*r->p != ']')
            return bl_fail(BL_E_JSON, "expected ',' or ']' at offset %zu, in the array that "
                           "opens at offset %zu", offset(r), at);
    }
    r->p++;
    rlp_list_end(r->out, start);
    return BL_OK;
}

int
rlp_json_encode(const char *text, bl_buf_t *out)
{
    reader_t r = { text, text, out };
    size_t start = out->len;
    int err = read_value(&r, 0);

    if (err == BL_OK) {
        skip_space(&r);
        if (*r.p != '\0')
            err = bl_fail(BL_E_JSON, "unexpected text at offset %zu after the value", offset(&r));
    }
    if (err != BL_OK)
        out->len = start; /* a failed encoding leaves nothing behind */
    return err;
}

/* ---- decoding ---- */

/* Append one item, already checked by rlp_decode(), as JSON. */
static int
put_json_item(bl_buf_t *text, const rlp_item_t *item)
{
    rlp_iter_t it;
    rlp_item_t child;
    bool first = true;
    int r;

    if (!item->is_list) {
        char *hex = bl_hex_string(item->payload.ptr, item->payload.len);
        bl_buf_append(text, "\"0x", 3);
        bl_buf_append(text, hex, strlen(hex));
        bl_buf_push(text, '"');
        free(hex);
        return BL_OK;
    }
    bl_buf_push(text, '[');
    rlp_iter_init(&it, item);
    while ((r = rlp_iter_next(&it, &child)) == 1) {
        if (!first)
            bl_buf_append(text, ", ", 2);
        first = false;
        if ((r = put_json_item(text, &child)) != BL_OK)
            return r;
    }
    if (r < 0)
        return r;
    bl_buf_push(text, ']');
    return BL_OK;
}

int
rlp_json_decode(bl_span_t in, char **text)
{
    rlp_item_t top;
    bl_buf_t b = BL_BUF_INIT;
    int err = rlp_decode(in, &top);

    if (err == BL_OK)
        err = put_json_item(&b, &top);
    if (err != BL_OK) {
        bl_buf_free(&b);
        return err;
    }
    bl_buf_push(&b, '\0');
    *text = (char *)b.data;
    return BL_OK;
}
