/*
 * abi_type.c — ABI types as text and as trees, and function signatures.
 *
 * The grammar of a type is small:
 *
 *   type  = base { "[" [digits] "]" }        uint256, string[], uint8[2][], (bool,string)[3]
 *   base  = name | "(" type { "," type } ")"
 *   list  = [ type { "," type } ]            what goes between a function's parentheses
 *
 * Suffixes read left to right wrap the type so far: uint8[2][] is a dynamic array whose
 * elements are uint8[2]. (Solidity writes it the same way, the reverse of C.) Spaces between
 * the parts are skipped, and "uint"/"int" mean uint256/int256.
 *
 * Parsing also works out, once, two facts the encoder and decoder need about every type: is it
 * dynamic (its size depends on the value), and how many bytes it takes in a head (32 for a
 * dynamic type — the offset — or the whole encoding for a static one).
 *
 * abi_type_format prints a tree back in canonical form, the text a selector hashes
 * (abi_call.c). A signature is a name followed by a parenthesised list.
 */
#include "codec/abi.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

/* A static type bigger than this (16 MiB of head) is refused: no real call needs it, and the
 * limit keeps every size computation far from overflow. */
#define ABI_MAX_STATIC_SIZE ((size_t)1 << 24)

typedef struct {
    const char *text; /* all of the input, for messages */
    const char *p;    /* the next character to read */
} parser_t;

/* Record 'type "TEXT": WHAT at position N' and return BL_E_ABI. */
static int parse_error(const parser_t *ps, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
parse_error(const parser_t *ps, const char *fmt, ...)
{
    char what[160];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return bl_fail(BL_E_ABI, "type \"%s\": %s at position %zu", ps->text, what,
                   (size_t)(ps->p - ps->text));
}

static void
skip_space(parser_t *ps)
{
    while (*ps->p == ' ' || *ps->p == '\t')
        ps->p++;
}

static bool
is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '$';
}

static abi_type_t *
new_type(abi_kind_t kind)
{
    abi_type_t *t = bl_xcalloc(1, sizeof *t);

    t->kind = kind;
    return t;
}

void
abi_type_free(abi_type_t *t)
{
    if (t == NULL)
        return;
    abi_type_free(t->elem);
    for (size_t i = 0; i < t->nitems; i++)
        abi_type_free(t->items[i]);
    free(t->items);
    free(t);
}

/* ---- sizes ---- */

/* Work out `dynamic` and `head_size` once the type's parts are known. */
static int
finish_type(const parser_t *ps, abi_type_t *t)
{
    size_t size = ABI_WORD;

    t->dynamic = t->kind == ABI_BYTES || t->kind == ABI_STRING || t->kind == ABI_DYN_ARRAY;
    if (t->kind == ABI_ARRAY) {
        t->dynamic = t->elem->dynamic;
        if (t->elem->head_size > ABI_MAX_STATIC_SIZE / t->length)
            return parse_error(ps, "array of %zu elements is too large", t->length);
        size = t->elem->head_size * t->length;
    } else if (t->kind == ABI_TUPLE) {
        size = 0;
        for (size_t i = 0; i < t->nitems; i++) {
            t->dynamic = t->dynamic || t->items[i]->dynamic;
            size += t->items[i]->head_size;
        }
        if (size > ABI_MAX_STATIC_SIZE)
            return parse_error(ps, "tuple is too large");
    }
    /* a dynamic value takes one word in a head: the offset of its contents */
    t->head_size = t->dynamic ? ABI_WORD : size;
    return BL_OK;
}

/* ---- names: uint256, bytes32, address... ---- */

/* Read the N of uintN/intN/bytesN: 1 to 3 decimal digits without a leading zero. */
static bool
read_size(const char *s, size_t n, unsigned *out)
{
    unsigned v = 0;

    if (n == 0 || n > 3 || s[0] == '0')
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return true;
}

static bool
name_is(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && memcmp(s, word, n) == 0;
}

static bool
has_prefix(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);

    return n > k && memcmp(s, prefix, k) == 0;
}

/* intN or uintN with N after `skip` characters; "int" and "uint" alone mean 256 bits. */
static int
classify_integer(const parser_t *ps, const char *s, size_t n, size_t skip, abi_type_t *t)
{
    unsigned bits = 256;

    t->kind = skip == 4 ? ABI_UINT : ABI_INT;
    if (n > skip && (!read_size(s + skip, n - skip, &bits) || bits % 8 != 0 || bits > 256))
        return parse_error(ps, "'%.*s' is not a type (N in %s must be a multiple of 8 from 8 "
                           "to 256)", (int)n, s, skip == 4 ? "uintN" : "intN");
    t->bits = bits;
    return BL_OK;
}

/* Turn the name s[0..n) into the kind and size of t. */
static int
classify_name(const parser_t *ps, const char *s, size_t n, abi_type_t *t)
{
    unsigned nbytes = 0;

    if (name_is(s, n, "address"))
        t->kind = ABI_ADDRESS;
    else if (name_is(s, n, "bool"))
        t->kind = ABI_BOOL;
    else if (name_is(s, n, "string"))
        t->kind = ABI_STRING;
    else if (name_is(s, n, "bytes"))
        t->kind = ABI_BYTES;
    else if (name_is(s, n, "uint") || has_prefix(s, n, "uint"))
        return classify_integer(ps, s, n, 4, t);
    else if (name_is(s, n, "int") || has_prefix(s, n, "int"))
        return classify_integer(ps, s, n, 3, t);
    else if (has_prefix(s, n, "bytes")) {
        if (!read_size(s + 5, n - 5, &nbytes) || nbytes > 32)
            return parse_error(ps, "'%.*s' is not a type (N in bytesN must be 1 to 32)",
                               (int)n, s);
        t->kind = ABI_FIXED_BYTES;
        t->nbytes = nbytes;
    } else if (n == 0)
        return parse_error(ps, "a type is missing");
    else
        return parse_error(ps, "unknown type '%.*s'", (int)n, s);
    return BL_OK;
}

/* ---- the recursive descent ---- */

static int parse_type(parser_t *ps, int depth, abi_type_t **out);

/* Parse types separated by commas up to the character `close` (')' or the end, '\0'), and
 * add them to the tuple t. Stops on `close` without consuming it. */
static int
parse_list(parser_t *ps, int depth, char close, abi_type_t *t)
{
    abi_type_t *item;
    int err;

    skip_space(ps);
    if (*ps->p == close)
        return BL_OK;
    for (;;) {
        if ((err = parse_type(ps, depth, &item)) != BL_OK)
            return err;
        t->items = bl_xrealloc(t->items, (t->nitems + 1) * sizeof *t->items);
        t->items[t->nitems++] = item;
        skip_space(ps);
        if (*ps->p == close)
            return BL_OK;
        if (*ps->p != ',')
            return *ps->p == '\0' ? parse_error(ps, "missing ')'")
                                  : parse_error(ps, "unexpected '%c'", *ps->p);
        ps->p++;
    }
}

/* The part before any [..] suffix: a name, or a parenthesised tuple. */
static int
parse_base(parser_t *ps, int depth, abi_type_t **out)
{
    abi_type_t *t = new_type(ABI_TUPLE); /* a tuple, unless a name says otherwise */
    size_t n = 0;
    int err;

    if (*ps->p == '(') {
        ps->p++;
        if ((err = parse_list(ps, depth + 1, ')', t)) != BL_OK)
            goto out;
        if (t->nitems == 0) {
            err = parse_error(ps, "an empty tuple '()' is not a type");
            goto out;
        }
        ps->p++; /* the ')' */
    } else {
        while (is_name_char(ps->p[n]))
            n++;
        /* classify before moving on, so that a message points at the start of the name */
        if ((err = classify_name(ps, ps->p, n, t)) != BL_OK)
            goto out;
        ps->p += n;
    }
    err = finish_type(ps, t);
out:
    if (err != BL_OK)
        abi_type_free(t);
    else
        *out = t;
    return err;
}

/* Read "[k]" or "[]" (the '[' already consumed) and wrap *t in an array of it. */
static int
parse_suffix(parser_t *ps, abi_type_t **t)
{
    abi_type_t *array = new_type(ABI_DYN_ARRAY);
    size_t k = 0;
    int err;

    while (*ps->p >= '0' && *ps->p <= '9') {
        if (k > ABI_MAX_STATIC_SIZE) {
            abi_type_free(array);
            return parse_error(ps, "array length is too large");
        }
        k = k * 10 + (size_t)(*ps->p++ - '0');
        array->kind = ABI_ARRAY;
    }
    if (*ps->p != ']') {
        abi_type_free(array);
        return parse_error(ps, "expected ']'");
    }
    if (array->kind == ABI_ARRAY && k == 0) {
        abi_type_free(array);
        return parse_error(ps, "an array of length 0 is not a type");
    }
    ps->p++;
    array->length = k;
    array->elem = *t;
    if ((err = finish_type(ps, array)) != BL_OK) {
        array->elem = NULL; /* the caller still owns *t */
        abi_type_free(array);
        return err;
    }
    *t = array;
    return BL_OK;
}

static int
parse_type(parser_t *ps, int depth, abi_type_t **out)
{
    abi_type_t *t;
    int err;

    skip_space(ps);
    if (depth >= ABI_MAX_DEPTH)
        return parse_error(ps, "nested deeper than %d levels", ABI_MAX_DEPTH);
    if ((err = parse_base(ps, depth, &t)) != BL_OK)
        return err;
    for (skip_space(ps); *ps->p == '['; skip_space(ps)) {
        if (++depth >= ABI_MAX_DEPTH)
            err = parse_error(ps, "nested deeper than %d levels", ABI_MAX_DEPTH);
        else {
            ps->p++;
            err = parse_suffix(ps, &t);
        }
        if (err != BL_OK) {
            abi_type_free(t);
            return err;
        }
    }
    *out = t;
    return BL_OK;
}

int
abi_type_parse(const char *text, abi_type_t **out)
{
    parser_t ps = { text, text };
    abi_type_t *t;
    int err = parse_type(&ps, 0, &t);

    if (err != BL_OK)
        return err;
    skip_space(&ps);
    if (*ps.p != '\0') {
        abi_type_free(t);
        return parse_error(&ps, "unexpected '%c' after the type", *ps.p);
    }
    *out = t;
    return BL_OK;
}

/* The list between a function's parentheses, up to `close`, as a tuple (which may be empty). */
static int
parse_arguments(parser_t *ps, char close, abi_type_t **out)
{
    abi_type_t *t = new_type(ABI_TUPLE);
    int err = parse_list(ps, 0, close, t);

    if (err == BL_OK)
        err = finish_type(ps, t);
    if (err != BL_OK) {
        abi_type_free(t);
        return err;
    }
    *out = t;
    return BL_OK;
}

int
abi_types_parse(const char *text, abi_type_t **out)
{
    parser_t ps = { text, text };

    return parse_arguments(&ps, '\0', out);
}

/* ---- canonical text ---- */

static void
append_text(bl_buf_t *out, const char *s)
{
    bl_buf_append(out, s, strlen(s));
}

void
abi_type_format(const abi_type_t *t, bl_buf_t *out)
{
    char num[32];

    switch (t->kind) {
    case ABI_UINT: snprintf(num, sizeof num, "uint%u", t->bits); append_text(out, num); break;
    case ABI_INT: snprintf(num, sizeof num, "int%u", t->bits); append_text(out, num); break;
    case ABI_ADDRESS: append_text(out, "address"); break;
    case ABI_BOOL: append_text(out, "bool"); break;
    case ABI_FIXED_BYTES:
        snprintf(num, sizeof num, "bytes%u", t->nbytes);
        append_text(out, num);
        break;
    case ABI_BYTES: append_text(out, "bytes"); break;
    case ABI_STRING: append_text(out, "string"); break;
    case ABI_ARRAY:
        abi_type_format(t->elem, out);
        snprintf(num, sizeof num, "[%zu]", t->length);
        append_text(out, num);
        break;
    case ABI_DYN_ARRAY:
        abi_type_format(t->elem, out);
        append_text(out, "[]");
        break;
    case ABI_TUPLE:
        bl_buf_push(out, '(');
        for (size_t i = 0; i < t->nitems; i++) {
            if (i > 0)
                bl_buf_push(out, ',');
            abi_type_format(t->items[i], out);
        }
        bl_buf_push(out, ')');
        break;
    }
}

char *
abi_type_string(const abi_type_t *t)
{
    bl_buf_t b = BL_BUF_INIT;

    abi_type_format(t, &b);
    bl_buf_push(&b, '\0');
    return (char *)b.data;
}

/* ---- signatures and selectors ---- */

bool
abi_is_signature(const char *text)
{
    const char *name;
    int depth = 0;

    while (*text == ' ' || *text == '\t')
        text++;
    for (name = text; is_name_char(*text); text++)
        ;
    if (*text != '(')
        return false;
    if (text > name)
        return true; /* NAME( never starts a type list */
    /* "(...)" is a signature if the ')' that closes it ends the text; "(bool,string)[]" is a
     * type list holding one array of tuples */
    for (; *text; text++) {
        if (*text == '(')
            depth++;
        else if (*text == ')' && --depth == 0)
            break;
    }
    if (*text != ')')
        return false;
    for (text++; *text == ' ' || *text == '\t'; text++)
        ;
    return *text == '\0';
}

void
abi_signature_free(abi_signature_t *sig)
{
    free(sig->name);
    abi_type_free(sig->args);
    sig->name = NULL;
    sig->args = NULL;
}

int
abi_signature_parse(const char *text, abi_signature_t *sig)
{
    parser_t ps = { text, text };
    const char *name;
    size_t n = 0;
    int err;

    sig->name = NULL;
    sig->args = NULL;
    skip_space(&ps);
    if (*ps.p >= '0' && *ps.p <= '9')
        return parse_error(&ps, "a function name cannot start with a digit");
    name = ps.p;
    while (is_name_char(name[n]))
        n++;
    ps.p += n;
    if (*ps.p != '(')
        return parse_error(&ps, "a signature is NAME(TYPES,...), expected '('");
    ps.p++;
    if ((err = parse_arguments(&ps, ')', &sig->args)) != BL_OK)
        return err;
    ps.p++; /* the ')' */
    skip_space(&ps);
    if (*ps.p != '\0') {
        abi_signature_free(sig);
        return parse_error(&ps, "unexpected '%c' after the signature", *ps.p);
    }
    sig->name = bl_xmalloc(n + 1);
    memcpy(sig->name, name, n);
    sig->name[n] = '\0';
    return BL_OK;
}
