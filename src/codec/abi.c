/*
 * abi.c — ABI values, the encoder and the strict decoder: arguments to 32-byte words and back.
 *
 * Encoding a list of values (the arguments of a call, the elements of an array, the fields of
 * a tuple) is done in two buffers:
 *
 *     head:  one slot per value, in order. A static value (uint256, bool, bytes32, a
 *            uint8[3]...) is written right into its slot. A dynamic value (string, bytes,
 *            T[]...) writes there only the OFFSET of its contents: the number of bytes from
 *            the start of this list's encoding to where the contents begin.
 *     tail:  the contents of the dynamic values, one after another.
 *
 * Because every head slot has a size known from the types alone (32 bytes for a dynamic value),
 * the whole head's size is known before anything is written, and the offset of the next
 * dynamic value is simply head size + what the tail holds so far. The list's encoding is the
 * head followed by the tail. Offsets count from the start of the list they belong to, so a
 * nested array is encoded the same way wherever it ends up: it is "relocatable".
 *
 * Example, f(uint256,string) with 5 and "hi":
 *
 *     0000…0005    head slot 0: the number 5
 *     0000…0040    head slot 1: the string starts 0x40 = 64 bytes in (after the 2-slot head)
 *     0000…0002    tail: the string's length, 2
 *     6869…0000    tail: "hi", padded on the right to a whole word
 *
 * We first check the whole value tree against the type (abi_value_check), so the writing
 * itself cannot fail and never leaves half an encoding behind.
 *
 * Decoding walks the same layout the other way and trusts nothing it reads: see the comment
 * before the decoding section below.
 */
#include "codec/abi.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

/* ---- values ---- */

abi_value_t *
abi_value_new(void)
{
    return bl_xcalloc(1, sizeof(abi_value_t));
}

abi_value_t *
abi_value_uint(uint64_t v)
{
    abi_value_t *x = abi_value_new();

    bl_u256_from_u64(&x->num, v);
    return x;
}

abi_value_t *
abi_value_u256(const bl_u256_t *v)
{
    abi_value_t *x = abi_value_new();

    x->num = *v;
    return x;
}

abi_value_t *
abi_value_int(int64_t v)
{
    abi_value_t *x = abi_value_new();

    if (v >= 0) {
        bl_u256_from_u64(&x->num, (uint64_t)v);
    } else {
        /* -(v + 1) + 1 is the magnitude, computed without overflowing at INT64_MIN */
        bl_u256_from_u64(&x->num, (uint64_t)(-(v + 1)) + 1);
        bl_u256_negate(&x->num, &x->num);
    }
    return x;
}

abi_value_t *
abi_value_bool(bool b)
{
    return abi_value_uint(b ? 1 : 0);
}

abi_value_t *
abi_value_address(const uint8_t addr[20])
{
    abi_value_t *x = abi_value_new();

    memcpy(x->num.be + 12, addr, 20);
    return x;
}

abi_value_t *
abi_value_bytes(const void *p, size_t n)
{
    abi_value_t *x = abi_value_new();

    bl_buf_append(&x->bytes, p, n);
    return x;
}

abi_value_t *
abi_value_string(const char *s)
{
    return abi_value_bytes(s, strlen(s));
}

abi_value_t *
abi_value_list(size_t count)
{
    abi_value_t *x = abi_value_new();

    x->items = bl_xcalloc(count, sizeof *x->items);
    x->count = count;
    return x;
}

void
abi_value_free(abi_value_t *v)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < v->count; i++)
        abi_value_free(v->items[i]);
    free(v->items);
    bl_buf_free(&v->bytes);
    free(v);
}

int
abi_value_cstring(const abi_value_t *v, char **out)
{
    char *s;

    if (v->bytes.len > 0 && memchr(v->bytes.data, 0, v->bytes.len) != NULL)
        return bl_fail(BL_E_ABI, "text of %zu bytes holds a NUL byte", v->bytes.len);
    s = bl_xmalloc(v->bytes.len + 1);
    if (v->bytes.len > 0)
        memcpy(s, v->bytes.data, v->bytes.len);
    s[v->bytes.len] = '\0';
    *out = s;
    return BL_OK;
}

void
abi_value_get_address(const abi_value_t *v, uint8_t out[20])
{
    memcpy(out, v->num.be + 12, 20);
}

/* ---- numbers ---- */

/* Is a 32-byte word an intN that is negative? (Its sign bit, once sign-extended, is bit 255.) */
static bool
is_negative(const abi_type_t *t, const bl_u256_t *num)
{
    return t->kind == ABI_INT && (num->be[0] & 0x80) != 0;
}

void
abi_number_format(const abi_type_t *t, const bl_u256_t *num, char out[ABI_DEC_MAX])
{
    bl_u256_t magnitude;

    if (!is_negative(t, num)) {
        bl_u256_to_dec(num, out);
        return;
    }
    bl_u256_negate(&magnitude, num);
    out[0] = '-';
    bl_u256_to_dec(&magnitude, out + 1);
}

/* Does every byte of p[0..n) equal `byte`? */
static bool
all_bytes(const uint8_t *p, size_t n, uint8_t byte)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != byte)
            return false;
    return true;
}

/* Is the 32-byte word w a valid uintN, intN, address or bool? If not, why (for messages). The
 * high-order bytes that the type does not use must be padding: zeros, or for a negative intN
 * copies of the sign bit (0xff). */
static const char *
word_problem(const abi_type_t *t, const bl_u256_t *w)
{
    size_t pad;

    switch (t->kind) {
    case ABI_UINT:
        pad = ABI_WORD - t->bits / 8;
        return all_bytes(w->be, pad, 0) ? NULL : "has non-zero high-order padding";
    case ABI_INT:
        pad = ABI_WORD - t->bits / 8;
        if (all_bytes(w->be, pad, (w->be[pad] & 0x80) ? 0xff : 0x00))
            return NULL;
        return "is not sign-extended to 32 bytes";
    case ABI_ADDRESS:
        return all_bytes(w->be, 12, 0) ? NULL : "has non-zero padding before its 20 bytes";
    case ABI_BOOL:
        return all_bytes(w->be, 31, 0) && w->be[31] <= 1 ? NULL : "is not 0 or 1";
    default:
        return NULL;
    }
}

/* ---- checking a value against its type ---- */

/* Record "TYPE value WHAT" as the error. */
static int value_error(const abi_type_t *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
value_error(const abi_type_t *t, const char *fmt, ...)
{
    char what[200];
    char *name = abi_type_string(t);
    va_list ap;
    int err;

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    err = bl_fail(BL_E_ABI, "%s value %s", name, what);
    free(name);
    return err;
}

static int
check_number(const abi_type_t *t, const abi_value_t *v)
{
    char dec[ABI_DEC_MAX];

    if (word_problem(t, &v->num) == NULL)
        return BL_OK;
    abi_number_format(t, &v->num, dec);
    if (t->kind == ABI_ADDRESS)
        return value_error(t, "%s is more than 20 bytes", dec);
    return value_error(t, "%s is out of range", dec);
}

/* The items of an array or tuple: `expected` of them (any number for T[]), each valid. */
static int
check_items(const abi_type_t *t, const abi_value_t *v, bool any_count, size_t expected)
{
    int err;

    if (!any_count && v->count != expected)
        return value_error(t, "has %zu item%s, needs %zu", v->count, v->count == 1 ? "" : "s",
                           expected);
    for (size_t i = 0; i < v->count; i++) {
        const abi_type_t *it = t->kind == ABI_TUPLE ? t->items[i] : t->elem;
        if (v->items[i] == NULL)
            return value_error(t, "is missing item %zu", i);
        if ((err = abi_value_check(it, v->items[i])) != BL_OK)
            return err;
    }
    return BL_OK;
}

int
abi_value_check(const abi_type_t *t, const abi_value_t *v)
{
    switch (t->kind) {
    case ABI_UINT:
    case ABI_INT:
    case ABI_ADDRESS:
    case ABI_BOOL:
        return check_number(t, v);
    case ABI_FIXED_BYTES:
        if (v->bytes.len == t->nbytes)
            return BL_OK;
        return value_error(t, "has %zu byte%s, needs %u", v->bytes.len,
                           v->bytes.len == 1 ? "" : "s", t->nbytes);
    case ABI_BYTES:
    case ABI_STRING:
        return BL_OK;
    case ABI_ARRAY:
        return check_items(t, v, false, t->length);
    case ABI_DYN_ARRAY:
        return check_items(t, v, true, 0);
    case ABI_TUPLE:
        return check_items(t, v, false, t->nitems);
    }
    return bl_fail(BL_E_ABI, "unknown ABI type kind %d", (int)t->kind);
}

/* ---- writing ---- */

static void
put_word_size(bl_buf_t *out, size_t n)
{
    uint8_t w[ABI_WORD] = { 0 };

    bl_put_be(w + ABI_WORD - 8, (uint64_t)n, 8);
    bl_buf_append(out, w, ABI_WORD);
}

/* The bytes, then zeros up to a whole number of words. */
static void
put_padded(bl_buf_t *out, const uint8_t *p, size_t n)
{
    static const uint8_t zeros[ABI_WORD];

    if (n > 0)
        bl_buf_append(out, p, n);
    if (n % ABI_WORD != 0)
        bl_buf_append(out, zeros, ABI_WORD - n % ABI_WORD);
}

static void encode_value(const abi_type_t *t, const abi_value_t *v, bl_buf_t *out);

/* A list of values (tuple fields or array elements): all the heads, then all the tails. */
static void
encode_list(const abi_type_t *t, const abi_value_t *v, bl_buf_t *out)
{
    bl_buf_t head = BL_BUF_INIT, tail = BL_BUF_INIT;
    size_t head_size = 0;

    for (size_t i = 0; i < v->count; i++)
        head_size += (t->kind == ABI_TUPLE ? t->items[i] : t->elem)->head_size;
    for (size_t i = 0; i < v->count; i++) {
        const abi_type_t *it = t->kind == ABI_TUPLE ? t->items[i] : t->elem;
        if (it->dynamic) {
            put_word_size(&head, head_size + tail.len); /* where its contents will be */
            encode_value(it, v->items[i], &tail);
        } else {
            encode_value(it, v->items[i], &head);
        }
    }
    bl_buf_append(out, head.data, head.len);
    bl_buf_append(out, tail.data, tail.len);
    bl_buf_free(&head);
    bl_buf_free(&tail);
}

static void
encode_value(const abi_type_t *t, const abi_value_t *v, bl_buf_t *out)
{
    switch (t->kind) {
    case ABI_UINT:
    case ABI_INT:
    case ABI_ADDRESS:
    case ABI_BOOL:
        bl_buf_append(out, v->num.be, ABI_WORD); /* already padded or sign-extended */
        break;
    case ABI_FIXED_BYTES:
        put_padded(out, v->bytes.data, v->bytes.len);
        break;
    case ABI_BYTES:
    case ABI_STRING:
        put_word_size(out, v->bytes.len);
        put_padded(out, v->bytes.data, v->bytes.len);
        break;
    case ABI_DYN_ARRAY:
        put_word_size(out, v->count); /* the element count, then the elements as a list */
        encode_list(t, v, out);
        break;
    case ABI_ARRAY:
    case ABI_TUPLE:
        encode_list(t, v, out);
        break;
    }
}

int
abi_encode(const abi_type_t *t, const abi_value_t *v, bl_buf_t *out)
{
    int err = abi_value_check(t, v);

    if (err != BL_OK)
        return err;
    encode_value(t, v, out);
    return BL_OK;
}

/* ---- decoding ----
 *
 * The decoder walks the type tree and reads the data the way the encoder wrote it: a list's
 * head slots in order, following each dynamic slot's offset to its contents. The data is
 * untrusted, so every number read from it (an offset, a length, an element count) is checked
 * against the data's size before it is used, and a few rules keep hostile data cheap:
 *
 *   - an offset must point past its list's head and inside the data;
 *   - an array may not claim more elements than the remaining bytes could hold;
 *   - offsets could make many values share the same bytes (a few hundred bytes that decode to
 *     millions of values), so we count the 32-byte words read and stop if we read more words
 *     than the data holds — which only overlapping values can do;
 *   - after the values, nothing may follow: we remember the furthest byte read, and any bytes
 *     after it are an error.
 */

typedef struct {
    bl_span_t data;    /* all of the encoded values; positions below are offsets into it */
    size_t words_left; /* how many more 32-byte words we may read (see above) */
    size_t end;        /* one past the furthest byte read so far */
} decoder_t;

/* Record "TYPE at byte POS WHAT" as the error. */
static int
decode_error(const abi_type_t *t, size_t pos, const char *what)
{
    char *name = abi_type_string(t);
    int err = bl_fail(BL_E_ABI, "%s at byte %zu %s", name, pos, what);

    free(name);
    return err;
}

/* Account for reading n bytes at pos, which the caller has checked are inside the data. */
static int
take(decoder_t *d, size_t pos, size_t n)
{
    size_t words = (n + ABI_WORD - 1) / ABI_WORD;

    if (words > d->words_left)
        return bl_fail(BL_E_ABI, "offsets make values overlap: decoding them would read more "
                       "than the %zu words the data holds", d->data.len / ABI_WORD);
    d->words_left -= words;
    if (pos + n > d->end)
        d->end = pos + n;
    return BL_OK;
}

/* Read the 32-byte word at pos into w. `what` names it for the message. */
static int
read_word(decoder_t *d, size_t pos, const char *what, bl_u256_t *w)
{
    int err;

    if (pos > d->data.len || d->data.len - pos < ABI_WORD)
        return bl_fail(BL_E_ABI, "data is truncated: %s needs 32 bytes at byte %zu, but the "
                       "data is %zu bytes long", what, pos, d->data.len);
    if ((err = take(d, pos, ABI_WORD)) != BL_OK)
        return err;
    memcpy(w->be, d->data.ptr + pos, ABI_WORD);
    return BL_OK;
}

/* Read a word that is a size (an offset, a length, a count). No size can exceed the data's
 * length, so anything larger — including values too big for size_t — is refused here, before
 * any arithmetic can overflow. */
static int
read_size(decoder_t *d, size_t pos, const char *what, size_t *out)
{
    bl_u256_t w;
    uint64_t v = 0;
    int err = read_word(d, pos, what, &w);

    if (err != BL_OK)
        return err;
    if (bl_u256_to_u64(&w, &v) != BL_OK || v > d->data.len)
        return bl_fail(BL_E_ABI, "%s at byte %zu is larger than the whole data (%zu bytes)",
                       what, pos, d->data.len);
    *out = (size_t)v;
    return BL_OK;
}

static int decode_value(decoder_t *d, const abi_type_t *t, size_t pos, abi_value_t **out);

/* Decode one item of a list whose encoding starts at `base` and whose head is `head_size`
 * bytes; the item's head slot is at `slot`. */
static int
decode_item(decoder_t *d, const abi_type_t *it, size_t base, size_t head_size, size_t slot,
            abi_value_t **out)
{
    size_t offset;
    char what[128];
    int err;

    if (!it->dynamic)
        return decode_value(d, it, slot, out); /* a static value sits in its slot */
    if ((err = read_size(d, slot, "an offset", &offset)) != BL_OK)
        return err;
    if (offset < head_size) {
        snprintf(what, sizeof what, "has offset %zu, which points into the %zu-byte head",
                 offset, head_size);
        return decode_error(it, slot, what);
    }
    if (offset > d->data.len - base) {
        snprintf(what, sizeof what, "has offset %zu, which points past the end of the data",
                 offset);
        return decode_error(it, slot, what);
    }
    return decode_value(d, it, base + offset, out);
}

/* Decode `count` items (tuple fields or array elements) of a list that starts at `base`. */
static int
decode_list(decoder_t *d, const abi_type_t *t, size_t base, size_t count, abi_value_t *v)
{
    size_t head_size = 0, slot = base;
    int err;

    for (size_t i = 0; i < count; i++)
        head_size += (t->kind == ABI_TUPLE ? t->items[i] : t->elem)->head_size;
    if (head_size > d->data.len - base)
        return bl_fail(BL_E_ABI, "data is truncated: a list of %zu item%s at byte %zu needs %zu "
                       "bytes of head, but the data is %zu bytes long", count,
                       count == 1 ? "" : "s", base, head_size, d->data.len);
    v->items = bl_xcalloc(count, sizeof *v->items);
    v->count = count;
    for (size_t i = 0; i < count; i++) {
        const abi_type_t *it = t->kind == ABI_TUPLE ? t->items[i] : t->elem;
        if ((err = decode_item(d, it, base, head_size, slot, &v->items[i])) != BL_OK)
            return err;
        slot += it->head_size;
    }
    return BL_OK;
}

/* uintN, intN, address, bool: one word whose padding must be right. */
static int
decode_number(decoder_t *d, const abi_type_t *t, size_t pos, abi_value_t *v)
{
    const char *problem;
    int err = read_word(d, pos, "a value", &v->num);

    if (err != BL_OK)
        return err;
    if ((problem = word_problem(t, &v->num)) != NULL)
        return decode_error(t, pos, problem);
    return BL_OK;
}

/* n bytes at pos, then zero padding up to a whole word: the padding must be there and be 0. */
static int
decode_padded(decoder_t *d, const abi_type_t *t, size_t pos, size_t n, abi_value_t *v)
{
    size_t padded = (n + ABI_WORD - 1) / ABI_WORD * ABI_WORD;
    int err;

    if (pos > d->data.len || d->data.len - pos < padded)
        return decode_error(t, pos, "is truncated: its bytes run past the end of the data");
    if ((err = take(d, pos, padded)) != BL_OK)
        return err;
    if (!all_bytes(d->data.ptr + pos + n, padded - n, 0))
        return decode_error(t, pos, "has non-zero padding after its bytes");
    bl_buf_append(&v->bytes, d->data.ptr + pos, n);
    return BL_OK;
}

/* bytes, string: a length word, then the padded bytes. T[]: a count word, then a list. */
static int
decode_dynamic(decoder_t *d, const abi_type_t *t, size_t pos, abi_value_t *v)
{
    size_t n;
    char what[128];
    int err = read_size(d, pos, t->kind == ABI_DYN_ARRAY ? "an element count" : "a length",
                        &n);

    if (err != BL_OK)
        return err;
    pos += ABI_WORD; /* read_size checked that the word was inside the data */
    if (t->kind != ABI_DYN_ARRAY)
        return decode_padded(d, t, pos, n, v);
    /* every element takes at least head_size (>= 32) bytes: refuse counts the data can't hold,
     * before allocating anything for them */
    if (n > (d->data.len - pos) / t->elem->head_size) {
        snprintf(what, sizeof what, "claims %zu elements, more than the %zu bytes after it "
                 "can hold", n, d->data.len - pos);
        return decode_error(t, pos - ABI_WORD, what);
    }
    return decode_list(d, t, pos, n, v);
}

static int
decode_value(decoder_t *d, const abi_type_t *t, size_t pos, abi_value_t **out)
{
    abi_value_t *v = abi_value_new();
    int err = BL_OK;

    switch (t->kind) {
    case ABI_UINT:
    case ABI_INT:
    case ABI_ADDRESS:
    case ABI_BOOL:
        err = decode_number(d, t, pos, v);
        break;
    case ABI_FIXED_BYTES:
        err = decode_padded(d, t, pos, t->nbytes, v);
        break;
    case ABI_BYTES:
    case ABI_STRING:
    case ABI_DYN_ARRAY:
        err = decode_dynamic(d, t, pos, v);
        break;
    case ABI_ARRAY:
        err = decode_list(d, t, pos, t->length, v);
        break;
    case ABI_TUPLE:
        err = decode_list(d, t, pos, t->nitems, v);
        break;
    }
    if (err != BL_OK) {
        abi_value_free(v);
        return err;
    }
    *out = v;
    return BL_OK;
}

int
abi_decode(const abi_type_t *t, bl_span_t data, abi_value_t **out)
{
    decoder_t d = { data, data.len / ABI_WORD, 0 };
    abi_value_t *v;
    int err = decode_value(&d, t, 0, &v);

    if (err != BL_OK)
        return err;
    if (d.end < data.len) {
        abi_value_free(v);
        return bl_fail(BL_E_ABI, "%zu unexpected byte%s after the encoded values (from byte "
                       "%zu)", data.len - d.end, data.len - d.end == 1 ? "" : "s", d.end);
    }
    *out = v;
    return BL_OK;
}
