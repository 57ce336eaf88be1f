/*
 * state_table.c — StorageState: the world state as FISCO BCOS keeps it by default, in tables.
 *
 * Each account is one AMDB table, c_<address in hex>, with a key field "key" and a value field
 * "value", and one row per property:
 *
 *     key        value
 *     balance    the balance in decimal               ("1000")
 *     nonce      the nonce in decimal                 ("0")
 *     code       the contract code in hex             ("" for an account without code)
 *     codeHash   hash(code) in hex
 *     alive      "true", or "false" once removed
 *     <slot>     a storage slot, keyed by the slot number in decimal, its value in decimal
 *
 * (the layout and text forms of FISCO's StorageState). Reading a balance is one select;
 * writing it is one update; nothing else is rehashed. That is why table storage is faster than
 * the trie (state_mpt.c) — and why it cannot prove a single balance or go back in time: the
 * tables hold only the latest rows, and the block's state root is its dbHash, a hash of what
 * the block changed (amdb_hash), not of the whole state.
 *
 * Removing an account, as in FISCO, resets its properties and marks it not alive; its storage
 * rows stay in the table but are not read any more (a removed account's storage reads as zero).
 * Undo and commit are the table layer's own: amdb_savepoint/amdb_revert and amdb_commit, which
 * also commit whatever else the block wrote to the group's tables.
 */
#include "storage/state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

#define ROW_BALANCE "balance"
#define ROW_NONCE "nonce"
#define ROW_CODE "code"
#define ROW_CODE_HASH "codeHash"
#define ROW_ALIVE "alive"
#define FIELD_KEY "key"
#define FIELD_VALUE "value"

typedef struct {
    amdb_t *db;
    const suite_t *suite;
} table_state_t;

static const state_ops_t table_state_ops;

static table_state_t *
impl(state_t *s)
{
    return s->impl;
}

static void
table_name(const uint8_t addr[20], char name[43])
{
    name[0] = 'c';
    name[1] = '_';
    bl_hex_encode(addr, 20, name + 2);
}

/* The account's table (NULL in *t if it has none yet), and whether the account is alive: one
 * select of its "alive" row answers both. */
static int
open_account(table_state_t *ts, const uint8_t addr[20], table_t **t, bool *alive)
{
    char name[43];
    entries_t rows;
    const bl_buf_t *v;
    int err;

    table_name(addr, name);
    *t = NULL;
    *alive = false;
    if ((err = amdb_open_table(ts->db, name, t)) != BL_OK)
        return err;
    /* c_<address> tables always open (their schema is fixed); an account exists once its
     * rows do */
    entries_init(&rows);
    err = table_select(*t, ROW_ALIVE, NULL, &rows);
    if (err == BL_OK && rows.count == 0)
        *t = NULL;
    else if (err == BL_OK && (v = entry_get(&rows.items[0], FIELD_VALUE)) != NULL)
        *alive = v->len == 4 && memcmp(v->data, "true", 4) == 0;
    entries_free(&rows);
    return err;
}

/* The value of row `key` into out; empty if there is no such row. */
static int
row_get(table_t *t, const char *key, bl_buf_t *out)
{
    entries_t rows;
    const bl_buf_t *v;
    int err;

    bl_buf_clear(out);
    entries_init(&rows);
    err = table_select(t, key, NULL, &rows);
    if (err == BL_OK && rows.count > 0 && (v = entry_get(&rows.items[0], FIELD_VALUE)) != NULL)
        bl_buf_append(out, v->data, v->len);
    entries_free(&rows);
    return err;
}

/* Set row `key` to value: update it if it is there, insert it if not. */
static int
row_set(table_t *t, const char *key, const char *value)
{
    entry_t e;
    size_t count = 0;
    int err;

    entry_init(&e);
    entry_set_str(&e, FIELD_VALUE, value);
    err = table_update(t, key, &e, NULL, &count);
    if (err == BL_OK && count == 0) {
        entry_set_str(&e, FIELD_KEY, key);
        err = table_insert(t, key, &e);
    }
    entry_free(&e);
    return err;
}

/* Create the account's table and rows as FISCO's createAccount does, or revive a removed
 * account. */
static int
create_account(table_state_t *ts, const uint8_t addr[20], table_t **t)
{
    char name[43], hash_hex[65];
    uint8_t empty[32];
    int err;

    table_name(addr, name);
    err = amdb_create_table_raw(ts->db, name, FIELD_KEY, FIELD_VALUE, t);
    if (err == BL_E_EXISTS)
        err = amdb_open_table(ts->db, name, t);
    if (err != BL_OK)
        return err;
    ts->suite->hash("", 0, empty);
    bl_hex_encode(empty, 32, hash_hex);
    if ((err = row_set(*t, ROW_BALANCE, "0")) != BL_OK ||
        (err = row_set(*t, ROW_NONCE, "0")) != BL_OK ||
        (err = row_set(*t, ROW_CODE, "")) != BL_OK ||
        (err = row_set(*t, ROW_CODE_HASH, hash_hex)) != BL_OK)
        return err;
    return row_set(*t, ROW_ALIVE, "true");
}

/* The account's table for a write: created if the account does not exist. */
static int
writable_account(table_state_t *ts, const uint8_t addr[20], table_t **t)
{
    bool alive;
    int err = open_account(ts, addr, t, &alive);

    if (err == BL_OK && !alive)
        err = create_account(ts, addr, t);
    return err;
}

/* The account's table for a read: NULL unless the account exists and is alive. */
static int
live_account(table_state_t *ts, const uint8_t addr[20], table_t **t)
{
    bool alive;
    int err = open_account(ts, addr, t, &alive);

    if (!alive)
        *t = NULL;
    return err;
}

/* ---- numbers kept as decimal text ---- */

static int
get_number(table_state_t *ts, const uint8_t addr[20], const char *key, bl_u256_t *out)
{
    table_t *t;
    bl_buf_t text = BL_BUF_INIT;
    char name[43];
    int err = live_account(ts, addr, &t);

    bl_u256_from_u64(out, 0);
    if (err == BL_OK && t != NULL && (err = row_get(t, key, &text)) == BL_OK && text.len > 0) {
        bl_buf_push(&text, 0);
        table_name(addr, name);
        if (bl_u256_from_str(out, (const char *)text.data) != BL_OK)
            err = bl_fail(BL_E_FORMAT, "row %s of table %s holds '%.40s', not a number", key,
                          name, (const char *)text.data);
    }
    bl_buf_free(&text);
    return err;
}

static int
set_number(table_state_t *ts, const uint8_t addr[20], const char *key, const bl_u256_t *v)
{
    char dec[BL_U256_DEC_MAX];
    table_t *t;
    int err = writable_account(ts, addr, &t);

    if (err != BL_OK)
        return err;
    bl_u256_to_dec(v, dec);
    return row_set(t, key, dec);
}

static int
table_state_exists(state_t *s, const uint8_t addr[20], bool *out)
{
    table_t *t;
    int err = live_account(impl(s), addr, &t);

    *out = err == BL_OK && t != NULL;
    return err;
}

static int
table_state_get_balance(state_t *s, const uint8_t addr[20], bl_u256_t *out)
{
    return get_number(impl(s), addr, ROW_BALANCE, out);
}

static int
table_state_set_balance(state_t *s, const uint8_t addr[20], const bl_u256_t *v)
{
    return set_number(impl(s), addr, ROW_BALANCE, v);
}

static int
table_state_get_nonce(state_t *s, const uint8_t addr[20], bl_u256_t *out)
{
    return get_number(impl(s), addr, ROW_NONCE, out);
}

static int
table_state_set_nonce(state_t *s, const uint8_t addr[20], const bl_u256_t *v)
{
    return set_number(impl(s), addr, ROW_NONCE, v);
}

/* ---- code, kept as hex ---- */

static int
table_state_get_code(state_t *s, const uint8_t addr[20], bl_buf_t *out)
{
    table_t *t;
    bl_buf_t hex = BL_BUF_INIT;
    int err = live_account(impl(s), addr, &t);

    bl_buf_clear(out);
    if (err == BL_OK && t != NULL && (err = row_get(t, ROW_CODE, &hex)) == BL_OK) {
        bl_buf_push(&hex, 0);
        if (bl_hex_decode((const char *)hex.data, out) != BL_OK)
            err = bl_fail(BL_E_FORMAT, "the code row of an account is not hex");
    }
    bl_buf_free(&hex);
    return err;
}

static int
table_state_set_code(state_t *s, const uint8_t addr[20], bl_span_t code)
{
    table_state_t *ts = impl(s);
    table_t *t;
    uint8_t hash[32];
    char hash_hex[65], *code_hex;
    int err = writable_account(ts, addr, &t);

    if (err != BL_OK)
        return err;
    ts->suite->hash(code.ptr, code.len, hash);
    bl_hex_encode(hash, 32, hash_hex);
    code_hex = bl_hex_string(code.ptr, code.len);
    if ((err = row_set(t, ROW_CODE, code_hex)) == BL_OK)
        err = row_set(t, ROW_CODE_HASH, hash_hex);
    free(code_hex);
    return err;
}

/* ---- storage slots: a row per slot, keyed and valued in decimal ---- */

static int
table_state_get_storage(state_t *s, const uint8_t addr[20], const uint8_t slot[32],
                        uint8_t value[32])
{
    char key[BL_U256_DEC_MAX];
    bl_u256_t k, v;
    int err;

    bl_u256_from_be(&k, slot, 32);
    bl_u256_to_dec(&k, key);
    err = get_number(impl(s), addr, key, &v);
    memcpy(value, v.be, 32);
    return err;
}

static int
table_state_set_storage(state_t *s, const uint8_t addr[20], const uint8_t slot[32],
                        const uint8_t value[32])
{
    char key[BL_U256_DEC_MAX];
    bl_u256_t k, v;

    bl_u256_from_be(&k, slot, 32);
    bl_u256_from_be(&v, value, 32);
    bl_u256_to_dec(&k, key);
    return set_number(impl(s), addr, key, &v);
}

/* FISCO's kill(): reset the properties, mark the account not alive. */
static int
table_state_remove_account(state_t *s, const uint8_t addr[20])
{
    table_state_t *ts = impl(s);
    table_t *t;
    char hash_hex[65];
    uint8_t empty[32];
    int err = live_account(ts, addr, &t);

    if (err != BL_OK || t == NULL)
        return err;
    ts->suite->hash("", 0, empty);
    bl_hex_encode(empty, 32, hash_hex);
    if ((err = row_set(t, ROW_NONCE, "0")) != BL_OK ||
        (err = row_set(t, ROW_BALANCE, "0")) != BL_OK ||
        (err = row_set(t, ROW_CODE, "")) != BL_OK ||
        (err = row_set(t, ROW_CODE_HASH, hash_hex)) != BL_OK)
        return err;
    return row_set(t, ROW_ALIVE, "false");
}

/* ---- undo, root, commit ---- */

static size_t
table_state_checkpoint(state_t *s)
{
    return amdb_savepoint(impl(s)->db);
}

static int
table_state_revert(state_t *s, size_t mark)
{
    return amdb_revert(impl(s)->db, mark);
}

static int
table_state_root(state_t *s, uint8_t out[32])
{
    return amdb_hash(impl(s)->db, out);
}

static int
table_state_commit(state_t *s, int64_t number, uint8_t root[32])
{
    int err = amdb_hash(impl(s)->db, root);

    return err != BL_OK ? err : amdb_commit(impl(s)->db, number);
}

static int
table_state_at_block(state_t *s, int64_t number, state_t **out)
{
    (void)s;
    *out = NULL;
    return bl_fail(BL_E_NOTFOUND, "table storage keeps no history: only the latest state is "
                   "stored, so block %lld's state cannot be read (a group with state=mpt can)",
                   (long long)number);
}

static void
table_state_close(state_t *s)
{
    free(s->impl);
    free(s);
}

static const state_ops_t table_state_ops = {
    .name = "storage",
    .exists = table_state_exists,
    .get_balance = table_state_get_balance,
    .set_balance = table_state_set_balance,
    .get_nonce = table_state_get_nonce,
    .set_nonce = table_state_set_nonce,
    .get_code = table_state_get_code,
    .set_code = table_state_set_code,
    .get_storage = table_state_get_storage,
    .set_storage = table_state_set_storage,
    .remove_account = table_state_remove_account,
    .checkpoint = table_state_checkpoint,
    .revert = table_state_revert,
    .root = table_state_root,
    .commit = table_state_commit,
    .at_block = table_state_at_block,
    .close = table_state_close,
};

int
state_table_open(amdb_t *db, const suite_t *suite, state_t **out)
{
    table_state_t *ts = bl_xcalloc(1, sizeof *ts);

    ts->db = db;
    ts->suite = suite;
    *out = bl_xmalloc(sizeof **out);
    (*out)->ops = &table_state_ops;
    (*out)->impl = ts;
    return BL_OK;
}
