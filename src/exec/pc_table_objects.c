/*
 * pc_table_objects.c — the Entry, Entries and Condition objects of FISCO's table API
 * (fisco-2x-facts §7.1; FISCO's EntryPrecompiled.cpp, EntriesPrecompiled.cpp,
 * ConditionPrecompiled.cpp).
 *
 * A Table object (pc_table_factory.c) hands out three kinds of smaller objects, each at a fresh
 * address of the block (exec.h, "dynamic objects"):
 *
 *   Entry      one row being built or read: set(field, value) and getInt/getUInt/getString/
 *              getAddress/getBytes32/getBytes64(field). Its state is an entry_t.
 *   Entries    the rows a select found: size() and get(i), which answers a NEW Entry object
 *              holding a copy of row i. Its state is an entries_t.
 *   Condition  which rows of a key to act on: EQ, NE (text or number), GT, GE, LT, LE
 *              (numbers), limit(count) and limit(offset, count). Its state is a condition_t.
 *
 * Every value in a table is text, so numbers travel as decimal text: set("age", int256(-3))
 * stores "-3", and getInt reads it back. An address is stored as 40 lowercase hex digits
 * without "0x", as FISCO's toHex writes it, and EQ(field, address) compares with that text.
 *
 * What FISCO does with bad input here is throw, which the receipt reports as PrecompiledError
 * (status 21): getInt of a field that is empty or not a number, get(i) past the end, an
 * unknown method. We do the same. A field the row does not have reads as "" (Entry::getField).
 */
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/u256.h"
#include "exec/exec.h"
#include "exec/precompiled.h"

/* ---- the method table every object kind uses ---- */

typedef struct {
    const char *signature;
    /* Run the method: its decoded arguments, and `arg`, a number some methods share a body by
     * (the comparison of a Condition, the kind of number of Entry.set). */
    int (*run)(exec_call_t *c, void *state, const abi_value_t *args, int arg);
    int arg;
} method_t;

static int
call_method(exec_call_t *c, void *state, const method_t *methods, size_t n, const char *kind)
{
    for (size_t i = 0; i < n; i++) {
        abi_value_t *args = NULL;
        int rc;

        if (!precompile_is(c, methods[i].signature))
            continue;
        if (precompile_args(c, methods[i].signature, &args) != BL_OK)
            rc = precompile_fail(c, bl_errmsg());
        else
            rc = methods[i].run(c, state, args, methods[i].arg);
        abi_value_free(args);
        return rc;
    }
    bl_fail(BL_E_INVALID, "the %s object has no such method", kind);
    return precompile_fail(c, bl_errmsg());
}

/* ---- numbers as text, and ABI words ---- */

/* The decimal text of a 256-bit word read as int256 (signed) or uint256. */
static void
word_to_text(const bl_u256_t *w, bool is_signed, char out[BL_U256_DEC_MAX + 1])
{
    bl_u256_t magnitude;

    if (!is_signed || (w->be[0] & 0x80) == 0) {
        bl_u256_to_dec(w, out);
        return;
    }
    bl_u256_negate(&magnitude, w);
    out[0] = '-';
    bl_u256_to_dec(&magnitude, out + 1);
}

/* Decimal text (with '-' if signed) as a 256-bit word; BL_E_INVALID if it is not a number of
 * that type — FISCO's boost::lexical_cast<s256> would throw. */
static int
text_to_word(const bl_buf_t *v, bool is_signed, bl_u256_t *w)
{
    char text[BL_U256_DEC_MAX + 2];
    const char *digits = text;
    bool negative;

    if (v == NULL || v->len == 0 || v->len >= sizeof text)
        return bl_fail(BL_E_INVALID, "the field is empty or too long to be a number");
    memcpy(text, v->data, v->len);
    text[v->len] = '\0';
    negative = is_signed && text[0] == '-';
    digits += negative;
    if (digits[0] == '\0' || strspn(digits, "0123456789") != strlen(digits) ||
        bl_u256_from_str(w, digits) != BL_OK)
        return bl_fail(BL_E_INVALID, "\"%s\" is not a%s number", text,
                       is_signed ? "n int256" : " uint256");
    /* an int256 holds -2^255 .. 2^255 - 1: the top bit may be set only by -2^255 itself */
    if (is_signed && (w->be[0] & 0x80) != 0) {
        bool min = w->be[0] == 0x80;

        for (size_t i = 1; min && i < 32; i++)
            min = w->be[i] == 0;
        if (!negative || !min)
            return bl_fail(BL_E_INVALID, "\"%s\" does not fit in an int256", text);
    }
    if (negative)
        bl_u256_negate(w, w);
    return BL_OK;
}

static void
return_words(exec_call_t *c, const uint8_t *words, size_t n)
{
    bl_buf_clear(&c->output);
    bl_buf_append(&c->output, words, n * ABI_WORD);
}

/* An ABI string holding exactly these bytes (a value may hold any byte, even NUL). */
static void
return_text(exec_call_t *c, const uint8_t *p, size_t len)
{
    uint8_t word[ABI_WORD] = { 0 };
    size_t padded = (len + ABI_WORD - 1) / ABI_WORD * ABI_WORD;

    bl_buf_clear(&c->output);
    word[ABI_WORD - 1] = ABI_WORD; /* the offset of the string: right after this head word */
    bl_buf_append(&c->output, word, ABI_WORD);
    memset(word, 0, sizeof word);
    bl_put_be(word + ABI_WORD - 8, len, 8); /* its length */
    bl_buf_append(&c->output, word, ABI_WORD);
    if (len > 0)
        bl_buf_append(&c->output, p, len);
    memset(word, 0, sizeof word);
    bl_buf_append(&c->output, word, padded - len); /* zeros up to a whole word */
}

/* An address is one ABI word: 12 zero bytes, then the 20 bytes. */
static void
return_address(exec_call_t *c, const uint8_t addr[20])
{
    uint8_t word[ABI_WORD] = { 0 };

    memcpy(word + 12, addr, 20);
    return_words(c, word, 1);
}

/* Argument i as a C string the caller frees; fails the call if it holds a NUL byte. */
static char *
arg_text(exec_call_t *c, const abi_value_t *args, size_t i)
{
    char *s = NULL;

    if (abi_value_cstring(args->items[i], &s) != BL_OK)
        precompile_fail(c, bl_errmsg());
    return s;
}

/* An address as a table stores it: 40 lowercase hex digits, no "0x" (FISCO's toHex). */
static void
address_text(const abi_value_t *v, char out[41])
{
    uint8_t addr[20];

    abi_value_get_address(v, addr);
    bl_hex_encode(addr, 20, out);
}

/* ---- Entry ---- */

enum { SET_INT, SET_UINT, SET_STRING, SET_ADDRESS };

/* set(string field, T value) for the four types T; no output. */
static int
entry_set_m(exec_call_t *c, void *state, const abi_value_t *args, int kind)
{
    const abi_value_t *v = args->items[1];
    char text[BL_U256_DEC_MAX + 1];
    char *field = arg_text(c, args, 0);

    if (field == NULL)
        return BL_OK;
    switch (kind) {
    case SET_INT:
    case SET_UINT:
        word_to_text(&v->num, kind == SET_INT, text);
        entry_set_str(state, field, text);
        break;
    case SET_STRING: entry_set(state, field, v->bytes.data, v->bytes.len); break;
    default:
        address_text(v, text);
        entry_set_str(state, field, text);
        break;
    }
    free(field);
    return BL_OK;
}

/* The value of a field as a row shows it: its own fields, and the table layer's _id_, _num_
 * and _status_ as decimal text. NULL if the row has no such field. */
static const bl_buf_t *
field_value(const entry_t *e, const char *field, bl_buf_t *scratch)
{
    char text[24];
    long long n;

    if (strcmp(field, "_id_") == 0)
        n = e->id;
    else if (strcmp(field, "_num_") == 0)
        n = e->num;
    else if (strcmp(field, "_status_") == 0)
        n = e->status;
    else
        return entry_get(e, field);
    snprintf(text, sizeof text, "%lld", n);
    bl_buf_clear(scratch);
    bl_buf_append(scratch, text, strlen(text));
    return scratch;
}

enum { GET_INT, GET_UINT, GET_STRING, GET_ADDRESS, GET_BYTES32, GET_BYTES64 };

/* Answer value v (NULL: the field is absent, read as "") as the getter's type. */
static int
entry_answer(exec_call_t *c, const bl_buf_t *v, int kind)
{
    uint8_t words[2 * ABI_WORD] = { 0 };
    bl_u256_t w;
    bl_buf_t raw = BL_BUF_INIT;
    size_t len = v != NULL ? v->len : 0;
    char *text;

    switch (kind) {
    case GET_INT:
    case GET_UINT:
        if (text_to_word(v, kind == GET_INT, &w) != BL_OK)
            return precompile_fail(c, bl_errmsg());
        return_words(c, w.be, 1);
        return BL_OK;
    case GET_STRING:
        return_text(c, len > 0 ? v->data : NULL, len);
        return BL_OK;
    case GET_ADDRESS:
        /* hex text of exactly 20 bytes, else the zero address (FISCO's FixedHash does the
         * same); text that is not hex at all makes FISCO throw */
        text = bl_xmalloc(len + 1);
        memcpy(text, len > 0 ? (const char *)v->data : "", len);
        text[len] = '\0';
        if (len > 0 && bl_hex_decode(text, &raw) != BL_OK) {
            free(text);
            bl_buf_free(&raw);
            return precompile_fail(c, bl_errmsg());
        }
        if (raw.len == 20)
            memcpy(words + 12, raw.data, 20);
        free(text);
        bl_buf_free(&raw);
        return_words(c, words, 1);
        return BL_OK;
    default: /* getBytes32, getBytes64: the first 32 or 64 bytes, zero padded on the right */
        if (len > 0)
            memcpy(words, v->data, len < sizeof words ? len : sizeof words);
        return_words(c, words, kind == GET_BYTES32 ? 1 : 2);
        return BL_OK;
    }
}

/* getInt, getUInt, getString, getAddress, getBytes32, getBytes64 (string field). */
static int
entry_get_m(exec_call_t *c, void *state, const abi_value_t *args, int kind)
{
    bl_buf_t scratch = BL_BUF_INIT;
    char *field = arg_text(c, args, 0);
    int rc = BL_OK;

    if (field != NULL)
        rc = entry_answer(c, field_value(state, field, &scratch), kind);
    free(field);
    bl_buf_free(&scratch);
    return rc;
}

static const method_t entry_methods[] = {
    { "set(string,int256)", entry_set_m, SET_INT },
    { "set(string,uint256)", entry_set_m, SET_UINT },
    { "set(string,string)", entry_set_m, SET_STRING },
    { "set(string,address)", entry_set_m, SET_ADDRESS },
    { "getInt(string)", entry_get_m, GET_INT },
    { "getUInt(string)", entry_get_m, GET_UINT },
    { "getString(string)", entry_get_m, GET_STRING },
    { "getAddress(string)", entry_get_m, GET_ADDRESS },
    { "getBytes32(string)", entry_get_m, GET_BYTES32 },
    { "getBytes64(string)", entry_get_m, GET_BYTES64 },
};

static int
entry_object_call(exec_call_t *c, void *state)
{
    return call_method(c, state, entry_methods, sizeof entry_methods / sizeof entry_methods[0],
                       "Entry");
}

static void
entry_object_free(void *state)
{
    entry_free(state);
    free(state);
}

const exec_object_class_t pc_entry_object = {
    .name = "Entry",
    .call = entry_object_call,
    .free = entry_object_free,
};

/* ---- Entries ---- */

/* get(int256 i): a new Entry object holding a copy of row i. */
static int
entries_get_m(exec_call_t *c, void *state, const abi_value_t *args, int unused)
{
    const entries_t *rows = state;
    entry_t *copy;
    uint8_t addr[20];
    uint64_t i;

    (void)unused;
    if (bl_u256_to_u64(&args->items[0]->num, &i) != BL_OK || i >= rows->count) {
        bl_fail(BL_E_RANGE, "Entries.get: there are %zu rows, numbered from 0", rows->count);
        return precompile_fail(c, bl_errmsg());
    }
    copy = bl_xmalloc(sizeof *copy);
    entry_copy(copy, &rows->items[i]);
    if (exec_register_object(c, &pc_entry_object, copy, addr) != BL_OK)
        return precompile_fail(c, bl_errmsg());
    return_address(c, addr);
    return BL_OK;
}

static int
entries_size_m(exec_call_t *c, void *state, const abi_value_t *args, int unused)
{
    (void)args;
    (void)unused;
    precompile_return_int(c, (int64_t)((const entries_t *)state)->count);
    return BL_OK;
}

static const method_t entries_methods[] = {
    { "get(int256)", entries_get_m, 0 },
    { "size()", entries_size_m, 0 },
};

static int
entries_object_call(exec_call_t *c, void *state)
{
    return call_method(c, state, entries_methods,
                       sizeof entries_methods / sizeof entries_methods[0], "Entries");
}

static void
entries_object_free(void *state)
{
    entries_free(state);
    free(state);
}

const exec_object_class_t pc_entries_object = {
    .name = "Entries",
    .call = entries_object_call,
    .free = entries_object_free,
};

/* ---- Condition ---- */

/* EQ/NE/GT/GE/LT/LE(string field, int256 value): the value as decimal text. */
static int
cond_number_m(exec_call_t *c, void *state, const abi_value_t *args, int op)
{
    char text[BL_U256_DEC_MAX + 1];
    char *field = arg_text(c, args, 0);

    if (field != NULL) {
        word_to_text(&args->items[1]->num, true, text);
        condition_add(state, field, (cond_op_t)op, text);
    }
    free(field);
    return BL_OK;
}

/* EQ/NE(string field, string value). */
static int
cond_text_m(exec_call_t *c, void *state, const abi_value_t *args, int op)
{
    const bl_buf_t *v = &args->items[1]->bytes;
    char *field = arg_text(c, args, 0);

    if (field != NULL)
        condition_add_bytes(state, field, (cond_op_t)op, v->data, v->len);
    free(field);
    return BL_OK;
}

/* EQ(string field, address value): compared with the text Entry.set(field, address) stores. */
static int
cond_address_m(exec_call_t *c, void *state, const abi_value_t *args, int op)
{
    char text[41];
    char *field = arg_text(c, args, 0);

    if (field != NULL) {
        address_text(args->items[1], text);
        condition_add(state, field, (cond_op_t)op, text);
    }
    free(field);
    return BL_OK;
}

/* limit(int256 count) (nargs 1) and limit(int256 offset, int256 count) (nargs 2). */
static int
cond_limit_m(exec_call_t *c, void *state, const abi_value_t *args, int nargs)
{
    uint64_t n[2] = { 0, 0 };

    for (int i = 0; i < nargs; i++)
        if (bl_u256_to_u64(&args->items[i]->num, &n[i]) != BL_OK || n[i] > INT64_MAX) {
            bl_fail(BL_E_RANGE, "Condition.limit: offset and count are 0 or more");
            return precompile_fail(c, bl_errmsg());
        }
    if (nargs == 1)
        condition_set_limit(state, 0, (size_t)n[0]);
    else
        condition_set_limit(state, (size_t)n[0], (size_t)n[1]);
    return BL_OK;
}

static const method_t condition_methods[] = {
    { "EQ(string,int256)", cond_number_m, COND_EQ },
    { "EQ(string,string)", cond_text_m, COND_EQ },
    { "EQ(string,address)", cond_address_m, COND_EQ },
    { "NE(string,int256)", cond_number_m, COND_NE },
    { "NE(string,string)", cond_text_m, COND_NE },
    { "GT(string,int256)", cond_number_m, COND_GT },
    { "GE(string,int256)", cond_number_m, COND_GE },
    { "LT(string,int256)", cond_number_m, COND_LT },
    { "LE(string,int256)", cond_number_m, COND_LE },
    { "limit(int256)", cond_limit_m, 1 },
    { "limit(int256,int256)", cond_limit_m, 2 },
};

static int
condition_object_call(exec_call_t *c, void *state)
{
    return call_method(c, state, condition_methods,
                       sizeof condition_methods / sizeof condition_methods[0], "Condition");
}

static void
condition_object_free(void *state)
{
    condition_free(state);
    free(state);
}

const exec_object_class_t pc_condition_object = {
    .name = "Condition",
    .call = condition_object_call,
    .free = condition_object_free,
};
