/*
 * pc_cns.c — the CNS precompiled contract (0x1004): the Contract Name Service (fisco-2x-facts
 * §7.1).
 *
 * A contract lives at a 20-byte address that nobody can remember, and a new version of it
 * lives at another one. CNS is the chain's phone book: a deployer registers (name, version,
 * address, abi), and a client asks for "Asset" version "1.0" instead of 0x8c17cf31.... The
 * book is the group's _sys_cns_ table, key name, fields version, address and abi — one row per
 * registered version, never overwritten: a new version is a new row, so an old client keeps
 * finding the version it was written for.
 *
 *   insert(name, version, address, abi)        register; answers 1, or
 *        CODE_VERSION_LENGTH_OVERFLOW (-51201)  the version is over 128 characters
 *        CODE_ADDRESS_AND_VERSION_EXIST (-51200) this name has this version already
 *        CODE_ADDRESS_INVALID (-50102)          the address is not 40 hex digits (0x allowed)
 *        CODE_NO_AUTHORIZED (-50000)            the sender may not write _sys_cns_ (§7.3)
 *   selectByName(name)                          every version of name, as JSON text
 *   selectByNameAndVersion(name, version)       that version (a list of 0 or 1), as JSON text
 *   getContractAddress(name, version)           its address (the zero address if none)
 *
 * The checks come in FISCO's order (CNSPrecompiled.cpp, FISCO 2.9). A name over 255 bytes or an
 * abi over 16 MB - 1 cannot be stored at all (the table layer's limits); FISCO throws there, and
 * bcoslab fails the call (status 21, PrecompiledError). FISCO 2.9 only logs a warning when the
 * address holds no contract, so the answer does not depend on it; bcoslab, with no virtual
 * machine yet, does not look.
 *
 * The JSON answer is exactly what FISCO returns, so a client written for FISCO parses it:
 *     [{"abi":"[...]","address":"0x...","name":"Asset","version":"1.0"}]\n
 * that is jsoncpp's FastWriter output — fields in name order, no spaces, a newline at the end.
 * The writer (pc_json_*) lives here and serves Permission's answers too.
 */
#include "exec/pc_system.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "exec/precompiled.h"

#define SIG_INSERT "insert(string,string,string,string)"
#define SIG_SELECT "selectByName(string)"
#define SIG_SELECT_VERSION "selectByNameAndVersion(string,string)"
#define SIG_ADDRESS "getContractAddress(string,string)"

#define FIELD_NAME "name"
#define FIELD_VERSION "version"
#define FIELD_ADDRESS "address"
#define FIELD_ABI "abi"

#define CNS_VERSION_MAX 128 /* CNS_VERSION_MAX_LENGTH in FISCO's libprecompiled/Common.h */

/* ---- JSON, as jsoncpp 1.7.7's FastWriter writes it ---- */

void
pc_json_begin(bl_buf_t *out)
{
    bl_buf_clear(out);
    bl_buf_push(out, '[');
}

/* A string in quotes. jsoncpp escapes the quote, the backslash, \b \f \n \r \t, and the other
 * bytes 0x01..0x1f as \u00XX (upper-case hex); every other byte, UTF-8 or not, is copied. */
static void
json_quote(bl_buf_t *out, const uint8_t *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";

    bl_buf_push(out, '"');
    for (size_t i = 0; i < len; i++) {
        const char *esc = NULL;
        switch (s[i]) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default: break;
        }
        if (esc != NULL) {
            bl_buf_append(out, esc, strlen(esc));
        } else if (s[i] >= 0x01 && s[i] <= 0x1f) {
            char u[6] = { '\\', 'u', '0', '0', hex[s[i] >> 4], hex[s[i] & 0xf] };
            bl_buf_append(out, u, sizeof u);
        } else {
            bl_buf_push(out, s[i]);
        }
    }
    bl_buf_push(out, '"');
}

void
pc_json_object(bl_buf_t *out, const pc_json_field_t *fields, size_t n)
{
    if (out->len > 0 && out->data[out->len - 1] == '}')
        bl_buf_push(out, ',');
    bl_buf_push(out, '{');
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            bl_buf_push(out, ',');
        json_quote(out, (const uint8_t *)fields[i].name, strlen(fields[i].name));
        bl_buf_push(out, ':');
        json_quote(out, fields[i].value, fields[i].len);
    }
    bl_buf_push(out, '}');
}

void
pc_json_end(bl_buf_t *out)
{
    bl_buf_append(out, "]\n", 3); /* with the NUL */
}

/* ---- rows ---- */

/* One registered version as a JSON object (the name is the one asked for, as in FISCO). */
static void
json_row(bl_buf_t *out, const char *name, const entry_t *e)
{
    const char *names[] = { FIELD_ABI, FIELD_ADDRESS, FIELD_VERSION };
    pc_json_field_t f[4];
    size_t n = 0;

    for (size_t i = 0; i < 3; i++) {
        const bl_buf_t *v = entry_get(e, names[i]);
        f[n++] = (pc_json_field_t){ names[i], v != NULL ? v->data : NULL, v != NULL ? v->len : 0 };
        if (i == 1) /* "name" sorts between "address" and "version" */
            f[n++] = (pc_json_field_t){ FIELD_NAME, name, strlen(name) };
    }
    pc_json_object(out, f, n);
}

/* The rows of `name`, all versions (version NULL) or just that one. */
static int
select_rows(exec_call_t *c, const char *name, const char *version, entries_t *rows)
{
    table_t *t;
    condition_t cond;
    int rc;

    condition_init(&cond);
    if (version != NULL)
        condition_add(&cond, FIELD_VERSION, COND_EQ, version);
    if ((rc = exec_open_table(c, AMDB_SYS_CNS, &t)) == BL_OK)
        rc = exec_select(c, t, name, &cond, rows);
    condition_free(&cond);
    return rc;
}

/* ---- the methods ---- */

/* Decode the call's arguments as `n` strings (n <= 4) into s[0..n). */
static int
string_args(exec_call_t *c, const char *signature, char **s, size_t n)
{
    abi_value_t *args = NULL;
    int rc = precompile_args(c, signature, &args);

    for (size_t i = 0; i < n; i++)
        s[i] = NULL;
    for (size_t i = 0; rc == BL_OK && i < n; i++)
        rc = abi_value_cstring(args->items[i], &s[i]);
    abi_value_free(args);
    return rc;
}

static void
free_strings(char **s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(s[i]);
}

/* What insert answers before writing anything: 0 if the row may be written. */
static int
insert_check(exec_call_t *c, char *const *a, int64_t *code)
{
    uint8_t addr[20];
    entries_t rows;
    int rc;

    *code = 0;
    if (strlen(a[1]) > CNS_VERSION_MAX) {
        *code = CODE_VERSION_LENGTH_OVERFLOW;
        return BL_OK;
    }
    entries_init(&rows);
    rc = select_rows(c, a[0], a[1], &rows);
    if (rc == BL_OK && rows.count > 0)
        *code = CODE_ADDRESS_AND_VERSION_EXIST;
    else if (rc == BL_OK && bl_hex_decode_fixed(a[2], addr, 20) != BL_OK)
        *code = CODE_ADDRESS_INVALID;
    entries_free(&rows);
    return rc;
}

static int
cns_insert(exec_call_t *c)
{
    char *a[4]; /* name, version, address, abi */
    table_t *t;
    entry_t e;
    int64_t code;
    int rc;

    entry_init(&e);
    if (string_args(c, SIG_INSERT, a, 4) != BL_OK || strlen(a[0]) > AMDB_KEY_MAX ||
        strlen(a[3]) > AMDB_VALUE_MAX) {
        rc = precompile_fail(c, "CNS insert: bad arguments, or a name or abi too long to store");
        goto out;
    }
    if ((rc = insert_check(c, a, &code)) != BL_OK)
        goto out;
    if (code != 0) {
        precompile_return_int(c, code);
        goto out;
    }
    entry_set_str(&e, FIELD_VERSION, a[1]);
    entry_set_str(&e, FIELD_ADDRESS, a[2]); /* as given, as FISCO stores it */
    entry_set_str(&e, FIELD_ABI, a[3]);
    if ((rc = exec_open_table(c, AMDB_SYS_CNS, &t)) == BL_OK)
        rc = exec_insert(c, t, a[0], &e);
    rc = pc_write_result(c, rc, 1);
out:
    entry_free(&e);
    free_strings(a, 4);
    return rc;
}

/* selectByName (version NULL: nargs 1) and selectByNameAndVersion (nargs 2). */
static int
cns_select(exec_call_t *c, const char *signature, size_t nargs)
{
    char *a[2] = { NULL, NULL };
    entries_t rows;
    bl_buf_t json;
    int rc;

    entries_init(&rows);
    bl_buf_init(&json);
    if (string_args(c, signature, a, nargs) != BL_OK) {
        rc = precompile_fail(c, bl_errmsg());
        goto out;
    }
    if ((rc = select_rows(c, a[0], a[1], &rows)) != BL_OK)
        goto out;
    pc_json_begin(&json);
    /* (a version is registered once per name, so selectByNameAndVersion finds at most one;
     * FISCO takes the first row all the same) */
    for (size_t i = 0; i < rows.count && (nargs == 1 || i == 0); i++)
        json_row(&json, a[0], &rows.items[i]);
    pc_json_end(&json);
    precompile_return_string(c, (const char *)json.data);
out:
    bl_buf_free(&json);
    entries_free(&rows);
    free_strings(a, nargs);
    return rc;
}

static void
return_address(exec_call_t *c, const uint8_t addr[20])
{
    abi_value_t *v = abi_value_address(addr);
    abi_type_t *type = NULL;

    bl_buf_clear(&c->output);
    if (abi_type_parse("address", &type) == BL_OK)
        abi_encode(type, v, &c->output);
    abi_type_free(type);
    abi_value_free(v);
}

static int
cns_get_address(exec_call_t *c)
{
    char *a[2];
    entries_t rows;
    uint8_t addr[20] = { 0 };
    int rc;

    entries_init(&rows);
    if (string_args(c, SIG_ADDRESS, a, 2) != BL_OK) {
        rc = precompile_fail(c, bl_errmsg());
        goto out;
    }
    if ((rc = select_rows(c, a[0], a[1], &rows)) != BL_OK)
        goto out;
    /* FISCO 2.9 reads the first row without asking whether there is one; bcoslab answers the
     * zero address when the name has no such version. */
    if (rows.count > 0) {
        const bl_buf_t *v = entry_get(&rows.items[0], FIELD_ADDRESS);
        char text[64] = "";
        if (v != NULL && v->len < sizeof text)
            memcpy(text, v->data, v->len);
        if (bl_hex_decode_fixed(text, addr, 20) != BL_OK)
            memset(addr, 0, sizeof addr);
    }
    return_address(c, addr);
out:
    entries_free(&rows);
    free_strings(a, 2);
    return rc;
}

static int
cns_call(exec_call_t *c)
{
    if (precompile_is(c, SIG_INSERT))
        return cns_insert(c);
    if (precompile_is(c, SIG_SELECT))
        return cns_select(c, SIG_SELECT, 1);
    if (precompile_is(c, SIG_SELECT_VERSION))
        return cns_select(c, SIG_SELECT_VERSION, 2);
    if (precompile_is(c, SIG_ADDRESS))
        return cns_get_address(c);
    return precompile_fail(c, "CNS has no such method");
}

const precompile_t precompile_cns = {
    .address = 0x1004,
    .name = "CNS",
    .call = cns_call,
    .criticals = NULL,
};
