/*
 * abi_json.c — ABI values from command-line text and JSON, and back to JSON.
 *
 * The ABI itself has no text form: it is bytes. But people type arguments and read results,
 * so `bcoslab util abi-encode` and `abi-decode` need a way to write values down:
 *
 *   uintN, intN   decimal or 0x hex text; intN may be negative ("-5"). In JSON output numbers
 *                 are decimal STRINGS, because a uint256 does not fit in a JSON number (most
 *                 JSON readers keep numbers as 64-bit floats and would silently round it).
 *   bool          true / false
 *   address       hex of 20 bytes, "0x" optional; output "0x" + 40 lowercase hex digits
 *   bytes, bytesN hex (bytesN exactly N bytes); output "0x" + lowercase hex
 *   string        the text itself; output a JSON string (it must be valid UTF-8)
 *   T[k], T[], tuples   a JSON array of the items: [1,2,3] or ["a","b"] or [[1,2],[3]]
 *
 * Inside a JSON array an item may be a JSON string holding the text above, or for numbers
 * and bools a bare JSON integer or true/false. Every value made here is checked against its
 * type (abi_value_check), so out-of-range numbers are caught with the type in the message.
 */
#include "codec/abi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

/* Wrap the current error message as "PREFIX: message" with code BL_E_ABI. */
static int
rewrap(const char *prefix)
{
    char msg[400];

    snprintf(msg, sizeof msg, "%s", bl_errmsg());
    return bl_fail(BL_E_ABI, "%s: %s", prefix, msg);
}

/* ---- from text ---- */

/* uintN or intN from decimal or 0x hex, with an optional '-' for intN. */
static int
number_from_text(const abi_type_t *t, const char *text, abi_value_t *v)
{
    bool negative = text[0] == '-';
    char *name;
    int err;

    if (negative && t->kind != ABI_INT)
        return bl_fail(BL_E_ABI, "uint%u cannot be negative: \"%s\"", t->bits, text);
    if (bl_u256_from_str(&v->num, negative ? text + 1 : text) != BL_OK) {
        name = abi_type_string(t);
        err = rewrap(name);
        free(name);
        return err;
    }
    /* -m is 2^256 - m. For m up to 2^255 that sets the sign bit; a larger m would wrap
     * around to a positive number, so it is out of range for every intN. */
    if (negative && !bl_u256_is_zero(&v->num)) {
        bl_u256_negate(&v->num, &v->num);
        if ((v->num.be[0] & 0x80) == 0)
            return bl_fail(BL_E_ABI, "int%u value is out of range: %s", t->bits, text);
    }
    return abi_value_check(t, v);
}

static int
bool_from_text(const char *text, abi_value_t *v)
{
    if (strcmp(text, "true") == 0)
        bl_u256_from_u64(&v->num, 1);
    else if (strcmp(text, "false") == 0)
        bl_u256_from_u64(&v->num, 0);
    else
        return bl_fail(BL_E_ABI, "bool must be true or false, not \"%s\"", text);
    return BL_OK;
}

/* address, bytes, bytesN: hex text, "0x" optional. */
static int
hex_from_text(const abi_type_t *t, const char *text, abi_value_t *v)
{
    uint8_t addr[20];
    char *name = abi_type_string(t);
    int err = BL_OK;

    if (t->kind == ABI_ADDRESS) {
        if (bl_hex_decode_fixed(text, addr, sizeof addr) == BL_OK)
            memcpy(v->num.be + 12, addr, sizeof addr);
        else
            err = rewrap(name);
    } else if (bl_hex_decode(text, &v->bytes) != BL_OK) {
        err = rewrap(name);
    } else {
        err = abi_value_check(t, v); /* bytesN: exactly N bytes */
    }
    free(name);
    return err;
}

/* Arrays and tuples are written as JSON arrays. */
static int
list_from_text(const abi_type_t *t, const char *text, abi_value_t **out)
{
    json_error_t jerr;
    json_t *j = json_loads(text, 0, &jerr);
    char *name;
    int err;

    if (j == NULL || !json_is_array(j)) {
        name = abi_type_string(t);
        err = bl_fail(BL_E_ABI, "%s needs a JSON array such as [1,2], not \"%s\"%s%s", name,
                      text, j == NULL ? ": " : "", j == NULL ? jerr.text : "");
        free(name);
        json_decref(j);
        return err;
    }
    err = abi_value_from_json(t, j, out);
    json_decref(j);
    return err;
}

int
abi_value_from_text(const abi_type_t *t, const char *text, abi_value_t **out)
{
    abi_value_t *v;
    int err = BL_OK;

    if (t->kind == ABI_ARRAY || t->kind == ABI_DYN_ARRAY || t->kind == ABI_TUPLE)
        return list_from_text(t, text, out);
    v = abi_value_new();
    switch (t->kind) {
    case ABI_UINT:
    case ABI_INT: err = number_from_text(t, text, v); break;
    case ABI_BOOL: err = bool_from_text(text, v); break;
    case ABI_ADDRESS:
    case ABI_FIXED_BYTES:
    case ABI_BYTES: err = hex_from_text(t, text, v); break;
    case ABI_STRING: bl_buf_append(&v->bytes, text, strlen(text)); break;
    default: break; /* lists were handled above */
    }
    if (err != BL_OK) {
        abi_value_free(v);
        return err;
    }
    *out = v;
    return BL_OK;
}

/* ---- from JSON ---- */

static int
list_from_json(const abi_type_t *t, const json_t *j, abi_value_t **out)
{
    size_t n = json_array_size(j);
    size_t needed = t->kind == ABI_ARRAY ? t->length : t->nitems;
    abi_value_t *v;
    char *name;
    int err;

    if (t->kind != ABI_DYN_ARRAY && n != needed) {
        name = abi_type_string(t);
        err = bl_fail(BL_E_ABI, "%s needs %zu item%s, got %zu", name, needed,
                      needed == 1 ? "" : "s", n);
        free(name);
        return err;
    }
    v = abi_value_list(n);
    for (size_t i = 0; i < n; i++) {
        const abi_type_t *it = t->kind == ABI_TUPLE ? t->items[i] : t->elem;
        if ((err = abi_value_from_json(it, json_array_get(j, i), &v->items[i])) != BL_OK) {
            abi_value_free(v);
            return err;
        }
    }
    *out = v;
    return BL_OK;
}

/* A JSON string: its text, read as from the command line. */
static int
string_from_json(const abi_type_t *t, const json_t *j, abi_value_t **out)
{
    const char *s = json_string_value(j);
    size_t n = json_string_length(j);

    if (t->kind == ABI_STRING) { /* keep every byte, even a \u0000 */
        *out = abi_value_bytes(s, n);
        return BL_OK;
    }
    if (strlen(s) != n)
        return bl_fail(BL_E_ABI, "a value for a number, bool, address or bytes holds a NUL");
    return abi_value_from_text(t, s, out);
}

int
abi_value_from_json(const abi_type_t *t, const json_t *j, abi_value_t **out)
{
    bool is_list = t->kind == ABI_ARRAY || t->kind == ABI_DYN_ARRAY || t->kind == ABI_TUPLE;
    bool is_number = t->kind == ABI_UINT || t->kind == ABI_INT;
    char text[32];
    char *name;
    int err;

    if (is_list && json_is_array(j))
        return list_from_json(t, j, out);
    if (!is_list && json_is_string(j))
        return string_from_json(t, j, out);
    if (is_number && json_is_integer(j)) {
        snprintf(text, sizeof text, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
        return abi_value_from_text(t, text, out);
    }
    if (t->kind == ABI_BOOL && json_is_boolean(j)) {
        *out = abi_value_bool(json_is_true(j));
        return BL_OK;
    }
    name = abi_type_string(t);
    err = bl_fail(BL_E_ABI, "%s cannot be written as this JSON value (%s)", name,
                  is_list ? "use an array" : is_number ? "use an integer or a string"
                  : t->kind == ABI_BOOL ? "use true or false" : "use a string");
    free(name);
    return err;
}

/* ---- to JSON ---- */

/* "0x" and lowercase hex. */
static json_t *
hex_json(const uint8_t *p, size_t n)
{
    char *s = bl_hex_string_0x(p, n);
    json_t *j;

    j = json_string(s);
    free(s);
    return j;
}

static int
to_json(const abi_type_t *t, const abi_value_t *v, json_t **out)
{
    char dec[ABI_DEC_MAX];
    json_t *list, *item;
    int err;

    switch (t->kind) {
    case ABI_UINT:
    case ABI_INT:
        abi_number_format(t, &v->num, dec);
        *out = json_string(dec);
        return BL_OK;
    case ABI_ADDRESS: *out = hex_json(v->num.be + 12, 20); return BL_OK;
    case ABI_BOOL: *out = json_boolean(!bl_u256_is_zero(&v->num)); return BL_OK;
    case ABI_FIXED_BYTES:
    case ABI_BYTES: *out = hex_json(v->bytes.data, v->bytes.len); return BL_OK;
    case ABI_STRING:
        *out = v->bytes.len == 0 ? json_string("")
                                 : json_stringn((const char *)v->bytes.data, v->bytes.len);
        if (*out == NULL)
            return bl_fail(BL_E_ABI, "a %zu-byte string is not valid UTF-8 (decode it as "
                           "bytes to see its bytes)", v->bytes.len);
        return BL_OK;
    default: break;
    }
    list = json_array();
    for (size_t i = 0; i < v->count; i++) {
        const abi_type_t *it = t->kind == ABI_TUPLE ? t->items[i] : t->elem;
        if ((err = to_json(it, v->items[i], &item)) != BL_OK) {
            json_decref(list);
            return err;
        }
        json_array_append_new(list, item);
    }
    *out = list;
    return BL_OK;
}

int
abi_value_to_json(const abi_type_t *t, const abi_value_t *v, json_t **out)
{
    int err = abi_value_check(t, v); /* so that a hand-built tree with holes is refused */

    if (err != BL_OK)
        return err;
    return to_json(t, v, out);
}
