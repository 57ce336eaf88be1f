/*
 * chain.c — the ledger of one group in its system tables (see chain.h for the table layout).
 *
 * Reading a block is two look-ups, as in FISCO's BlockChainImp: the number gives the hash
 * (_sys_number_2_hash_), the hash gives the block (_sys_hash_2_block_). Writing a block adds one
 * row to each ledger table and updates the three counters of _sys_current_state_; the caller's
 * amdb_commit then makes the block and its state changes durable together.
 */
#include "ledger/chain.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "codec/rlp.h"
#include "exec/pc_system.h"

#define FIELD_VALUE "value"
#define FIELD_INDEX "index"
#define FIELD_SIGS "sigs"
#define NUMBER_TEXT 24 /* an int64 in decimal, with sign and NUL */

struct chain {
    amdb_t *db;
    const suite_t *suite;
};

int
chain_open(amdb_t *db, const suite_t *suite, chain_t **out)
{
    chain_t *c = bl_xcalloc(1, sizeof *c);

    c->db = db;
    c->suite = suite;
    *out = c;
    return BL_OK;
}

void
chain_close(chain_t *c)
{
    free(c);
}

amdb_t *
chain_db(const chain_t *c)
{
    return c->db;
}

const suite_t *
chain_suite(const chain_t *c)
{
    return c->suite;
}

/* ---- rows ---- */

static void
number_key(int64_t number, char out[NUMBER_TEXT])
{
    snprintf(out, NUMBER_TEXT, "%" PRId64, number);
}

/* The first row of `key` in `table` into *out (entry_free it); BL_E_NOTFOUND if none. */
static int
select_one(chain_t *c, const char *table, const char *key, entry_t *out)
{
    table_t *t;
    entries_t rows;
    int rc;

    entries_init(&rows);
    entry_init(out);
    if ((rc = amdb_open_table(c->db, table, &t)) != BL_OK ||
        (rc = table_select(t, key, NULL, &rows)) != BL_OK)
        goto out;
    if (rows.count == 0) {
        rc = bl_fail(BL_E_NOTFOUND, "%s has no row \"%s\"", table, key);
        goto out;
    }
    entry_free(out);
    entry_copy(out, &rows.items[0]);
out:
    entries_free(&rows);
    return rc;
}

/* A decimal field of a row; BL_E_FORMAT naming the table if it is not one. */
static int
field_int(const entry_t *e, const char *field, const char *table, int64_t *out)
{
    const bl_buf_t *v = entry_get(e, field);

    if (v == NULL || !pc_sysconfig_parse_int((const char *)v->data, v->len, out))
        return bl_fail(BL_E_FORMAT, "%s: field %s is not a decimal number", table, field);
    return BL_OK;
}

static int
insert_row(chain_t *c, const char *table, const char *key, const entry_t *e)
{
    table_t *t;
    int rc = amdb_open_table(c->db, table, &t);

    return rc == BL_OK ? table_insert(t, key, e) : rc;
}

/* key = value in _sys_current_state_: update the row, or add it the first time. */
static int
set_state(chain_t *c, const char *key, int64_t value)
{
    char text[NUMBER_TEXT];
    table_t *t;
    entry_t e;
    size_t count = 0;
    int rc;

    number_key(value, text);
    entry_init(&e);
    entry_set_str(&e, FIELD_VALUE, text);
    if ((rc = amdb_open_table(c->db, AMDB_SYS_CURRENT_STATE, &t)) != BL_OK ||
        (rc = table_update(t, key, &e, NULL, &count)) != BL_OK)
        goto out;
    if (count == 0)
        rc = table_insert(t, key, &e);
out:
    entry_free(&e);
    return rc;
}

/* A counter of _sys_current_state_, 0 if it has no row yet. */
static int
get_state(chain_t *c, const char *key, int64_t *out)
{
    entry_t e;
    int rc = select_one(c, AMDB_SYS_CURRENT_STATE, key, &e);

    *out = 0;
    if (rc == BL_OK)
        rc = field_int(&e, FIELD_VALUE, AMDB_SYS_CURRENT_STATE, out);
    else if (rc == BL_E_NOTFOUND)
        rc = BL_OK;
    entry_free(&e);
    return rc;
}

/* ---- reading ---- */

int
chain_number(chain_t *c, int64_t *out)
{
    entry_t e;
    int rc = select_one(c, AMDB_SYS_CURRENT_STATE, AMDB_KEY_CURRENT_NUMBER, &e);

    if (rc == BL_OK)
        rc = field_int(&e, FIELD_VALUE, AMDB_SYS_CURRENT_STATE, out);
    else if (rc == BL_E_NOTFOUND)
        rc = bl_fail(BL_E_NOTFOUND, "the group has no genesis block yet");
    entry_free(&e);
    return rc;
}

int
chain_hash_at(chain_t *c, int64_t number, uint8_t out[32])
{
    char key[NUMBER_TEXT], hex[65];
    const bl_buf_t *v;
    entry_t e;
    int rc;

    number_key(number, key);
    if ((rc = select_one(c, AMDB_SYS_NUMBER_2_HASH, key, &e)) != BL_OK) {
        if (rc == BL_E_NOTFOUND)
            rc = bl_fail(BL_E_NOTFOUND, "there is no block %" PRId64, number);
        goto out;
    }
    v = entry_get(&e, FIELD_VALUE);
    if (v == NULL || v->len != 64) {
        rc = bl_fail(BL_E_FORMAT, "%s: block %" PRId64 "'s hash is not 64 hex digits",
                     AMDB_SYS_NUMBER_2_HASH, number);
        goto out;
    }
    memcpy(hex, v->data, 64);
    hex[64] = '\0';
    rc = bl_hex_decode_fixed(hex, out, 32);
out:
    entry_free(&e);
    return rc;
}

/* The row of block `number` in a hash-keyed table (_sys_hash_2_block_ or _sys_hash_2_header_). */
static int
select_by_number(chain_t *c, const char *table, int64_t number, entry_t *out)
{
    uint8_t hash[32];
    char key[65];
    int rc;

    if ((rc = chain_hash_at(c, number, hash)) != BL_OK) {
        entry_init(out);
        return rc;
    }
    bl_hex_encode(hash, 32, key);
    return select_one(c, table, key, out);
}

static int
read_block(chain_t *c, int64_t number, bool recover, block_t *out)
{
    const bl_buf_t *v;
    entry_t e;
    int rc;

    block_init(out);
    if ((rc = select_by_number(c, AMDB_SYS_HASH_2_BLOCK, number, &e)) != BL_OK)
        goto out;
    if ((v = entry_get(&e, FIELD_VALUE)) == NULL) {
        rc = bl_fail(BL_E_FORMAT, "%s: block %" PRId64 " has no value", AMDB_SYS_HASH_2_BLOCK,
                     number);
        goto out;
    }
    rc = recover ? block_decode(c->suite, bl_buf_span(v), out) :
         block_decode_unverified(c->suite, bl_buf_span(v), out);
out:
    entry_free(&e);
    return rc;
}

int
chain_block_at(chain_t *c, int64_t number, block_t *out)
{
    return read_block(c, number, true, out);
}

int
chain_block_stored(chain_t *c, int64_t number, block_t *out)
{
    return read_block(c, number, false, out);
}

/* The commit signatures kept beside a header, handed over as an array. */
static int
decode_sigs(const suite_t *suite, bl_span_t raw, block_sig_t **sigs, size_t *nsigs)
{
    block_t tmp;
    int rc;

    block_init(&tmp);
    rc = block_decode_sigs(suite, raw, &tmp);
    if (rc == BL_OK) {
        *sigs = tmp.sigs;     /* hand the array over; block_free must not free it */
        *nsigs = tmp.nsigs;
        tmp.sigs = NULL;
        tmp.nsigs = 0;
    }
    block_free(&tmp);
    return rc;
}

int
chain_header_at(chain_t *c, int64_t number, header_t *out, block_sig_t **sigs, size_t *nsigs)
{
    const bl_buf_t *v, *s;
    entry_t e;
    int rc;

    header_init(out);
    if (sigs != NULL) {
        *sigs = NULL;
        *nsigs = 0;
    }
    if ((rc = select_by_number(c, AMDB_SYS_HASH_2_HEADER, number, &e)) != BL_OK)
        goto out;
    v = entry_get(&e, FIELD_VALUE);
    s = entry_get(&e, FIELD_SIGS);
    if (v == NULL || s == NULL) {
        rc = bl_fail(BL_E_FORMAT, "%s: block %" PRId64 " lacks value or sigs",
                     AMDB_SYS_HASH_2_HEADER, number);
        goto out;
    }
    if ((rc = header_decode(bl_buf_span(v), out)) == BL_OK && sigs != NULL)
        rc = decode_sigs(c->suite, bl_buf_span(s), sigs, nsigs);
out:
    if (rc != BL_OK)
        header_free(out);
    entry_free(&e);
    return rc;
}

int
chain_tx_location(chain_t *c, const uint8_t tx_hash[32], int64_t *number, uint64_t *index)
{
    char key[65];
    int64_t i = 0;
    entry_t e;
    int rc;

    bl_hex_encode(tx_hash, 32, key);
    if ((rc = select_one(c, AMDB_SYS_TX_HASH_2_BLOCK, key, &e)) == BL_OK &&
        (rc = field_int(&e, FIELD_VALUE, AMDB_SYS_TX_HASH_2_BLOCK, number)) == BL_OK &&
        (rc = field_int(&e, FIELD_INDEX, AMDB_SYS_TX_HASH_2_BLOCK, &i)) == BL_OK)
        *index = (uint64_t)i;
    if (rc == BL_E_NOTFOUND)
        rc = bl_fail(BL_E_NOTFOUND, "transaction %s is in no block", key);
    entry_free(&e);
    return rc;
}

static int
decode_nonces(bl_span_t raw, bl_u256_t **nonces, size_t *count)
{
    rlp_item_t list, item;
    rlp_iter_t it;
    size_t n = 0;
    int rc;

    *nonces = NULL;
    *count = 0;
    if ((rc = rlp_decode(raw, &list)) != BL_OK || !list.is_list ||
        (rc = rlp_list_count(&list, &n)) != BL_OK)
        return bl_fail(BL_E_FORMAT, "%s: value is not a list of nonces",
                       AMDB_SYS_BLOCK_2_NONCES);
    *nonces = bl_xcalloc(n + 1, sizeof **nonces);
    rlp_iter_init(&it, &list);
    while ((rc = rlp_iter_next(&it, &item)) == 1)
        if ((rc = rlp_get_u256(&item, &(*nonces)[(*count)++])) != BL_OK)
            break;
    if (rc != BL_OK) {
        free(*nonces);
        *nonces = NULL;
        *count = 0;
    }
    return rc;
}

int
chain_nonces_at(chain_t *c, int64_t number, bl_u256_t **nonces, size_t *count)
{
    char key[NUMBER_TEXT];
    const bl_buf_t *v;
    int64_t current;
    entry_t e;
    int rc;

    *nonces = NULL;
    *count = 0;
    if ((rc = chain_number(c, &current)) != BL_OK)
        return rc;
    if (number < 0 || number > current)
        return bl_fail(BL_E_NOTFOUND, "there is no block %" PRId64, number);
    number_key(number, key);
    rc = select_one(c, AMDB_SYS_BLOCK_2_NONCES, key, &e);
    if (rc == BL_E_NOTFOUND) /* block 0, as FISCO writes it, has no nonce row */
        rc = BL_OK;
    else if (rc == BL_OK && (v = entry_get(&e, FIELD_VALUE)) != NULL)
        rc = decode_nonces(bl_buf_span(v), nonces, count);
    entry_free(&e);
    return rc;
}

int
chain_total_txs(chain_t *c, int64_t *total, int64_t *failed)
{
    int64_t f;
    int rc = get_state(c, AMDB_KEY_TOTAL_TX, total);

    if (rc == BL_OK)
        rc = get_state(c, AMDB_KEY_TOTAL_FAILED_TX, &f);
    if (rc == BL_OK && failed != NULL)
        *failed = f;
    return rc;
}

/* ---- writing one block's ledger rows ---- */

static int
write_number_2_hash(chain_t *c, int64_t number, const char *hash_hex)
{
    char key[NUMBER_TEXT];
    entry_t e;
    int rc;

    number_key(number, key);
    entry_init(&e);
    entry_set_str(&e, FIELD_VALUE, hash_hex);
    rc = insert_row(c, AMDB_SYS_NUMBER_2_HASH, key, &e);
    entry_free(&e);
    return rc;
}

/* _sys_hash_2_block_ (the whole block) and _sys_hash_2_header_ (header and sigList). */
static int
write_block_rows(chain_t *c, const block_t *b, const char *hash_hex)
{
    bl_buf_t raw = BL_BUF_INIT, sigs = BL_BUF_INIT;
    entry_t e;
    int rc;

    entry_init(&e);
    block_encode(c->suite, b, &raw);
    entry_set(&e, FIELD_VALUE, raw.data, raw.len);
    if ((rc = insert_row(c, AMDB_SYS_HASH_2_BLOCK, hash_hex, &e)) != BL_OK)
        goto out;
    entry_free(&e);
    entry_init(&e);
    bl_buf_clear(&raw);
    header_encode(&b->header, &raw);
    block_encode_sigs(b, &sigs);
    entry_set(&e, FIELD_VALUE, raw.data, raw.len);
    entry_set(&e, FIELD_SIGS, sigs.data, sigs.len);
    rc = insert_row(c, AMDB_SYS_HASH_2_HEADER, hash_hex, &e);
out:
    entry_free(&e);
    bl_buf_free(&raw);
    bl_buf_free(&sigs);
    return rc;
}

/* One _sys_tx_hash_2_block_ row per transaction: its block and its index there. */
static int
write_tx_locations(chain_t *c, const block_t *b)
{
    char number[NUMBER_TEXT], index[NUMBER_TEXT], key[65];
    entry_t e;
    int rc = BL_OK;

    number_key(b->header.number, number);
    for (size_t i = 0; i < b->ntxs && rc == BL_OK; i++) {
        snprintf(index, sizeof index, "%zu", i);
        bl_hex_encode(b->txs[i].hash, 32, key);
        entry_init(&e);
        entry_set_str(&e, FIELD_VALUE, number);
        entry_set_str(&e, FIELD_INDEX, index);
        rc = insert_row(c, AMDB_SYS_TX_HASH_2_BLOCK, key, &e);
        entry_free(&e);
    }
    return rc;
}

/* _sys_block_2_nonces_: the RLP list of the block's nonces, which the pools of the group read
 * to refuse a transaction whose nonce was used in the last 1000 blocks. */
static int
write_nonces(chain_t *c, const block_t *b)
{
    char key[NUMBER_TEXT];
    bl_buf_t raw = BL_BUF_INIT;
    size_t list = rlp_list_begin(&raw);
    entry_t e;
    int rc;

    for (size_t i = 0; i < b->ntxs; i++)
        rlp_put_u256(&raw, &b->txs[i].nonce);
    rlp_list_end(&raw, list);
    number_key(b->header.number, key);
    entry_init(&e);
    entry_set(&e, FIELD_VALUE, raw.data, raw.len);
    rc = insert_row(c, AMDB_SYS_BLOCK_2_NONCES, key, &e);
    entry_free(&e);
    bl_buf_free(&raw);
    return rc;
}

static int
write_counters(chain_t *c, const block_t *b)
{
    int64_t total, failed;
    int rc;

    if ((rc = chain_total_txs(c, &total, &failed)) != BL_OK)
        return rc;
    for (size_t i = 0; i < b->nreceipts; i++)
        failed += b->receipts[i].status != 0;
    total += (int64_t)b->ntxs;
    if ((rc = set_state(c, AMDB_KEY_CURRENT_NUMBER, b->header.number)) != BL_OK ||
        (rc = set_state(c, AMDB_KEY_TOTAL_TX, total)) != BL_OK)
        return rc;
    return set_state(c, AMDB_KEY_TOTAL_FAILED_TX, failed);
}

/* Does blk follow the current block? (FISCO's commitBlock: ERROR_NUMBER, ERROR_PARENT_HASH.) */
static int
check_follows(chain_t *c, const block_t *blk)
{
    uint8_t parent[32];
    char want[65], got[65];
    int64_t current;
    int rc;

    if ((rc = chain_number(c, &current)) != BL_OK)
        return rc;
    if (blk->header.number != current + 1)
        return bl_fail(BL_E_INVALID, "block %" PRId64 " cannot follow block %" PRId64
                       ": the next block is %" PRId64, blk->header.number, current,
                       current + 1);
    if ((rc = chain_hash_at(c, current, parent)) != BL_OK)
        return rc;
    if (memcmp(parent, blk->header.parent_hash, 32) != 0) {
        bl_hex_encode(parent, 32, want);
        bl_hex_encode(blk->header.parent_hash, 32, got);
        return bl_fail(BL_E_INVALID, "block %" PRId64 " names parent %s, but block %" PRId64
                       " is %s", blk->header.number, got, current, want);
    }
    if (blk->nreceipts != blk->ntxs)
        return bl_fail(BL_E_INVALID, "block %" PRId64 " has %zu transactions but %zu "
                       "receipts: execute it before writing it", blk->header.number,
                       blk->ntxs, blk->nreceipts);
    return BL_OK;
}

int
chain_write_block(chain_t *c, const block_t *blk)
{
    uint8_t hash[32];
    char hex[65];
    size_t mark;
    int rc;

    if ((rc = check_follows(c, blk)) != BL_OK)
        return rc;
    block_hash(c->suite, blk, hash);
    bl_hex_encode(hash, 32, hex);
    mark = amdb_savepoint(c->db);
    if ((rc = write_number_2_hash(c, blk->header.number, hex)) != BL_OK ||
        (rc = write_block_rows(c, blk, hex)) != BL_OK ||
        (rc = write_tx_locations(c, blk)) != BL_OK ||
        (rc = write_nonces(c, blk)) != BL_OK ||
        (rc = write_counters(c, blk)) != BL_OK)
        amdb_revert(c->db, mark);
    return rc;
}

int
chain_commit_block(chain_t *c, const block_t *blk)
{
    int rc = chain_write_block(c, blk);

    return rc == BL_OK ? amdb_commit(c->db, blk->header.number) : rc;
}

/* ---- the genesis block ---- */

/* The first system config rows and members, as FISCO's checkAndBuildGenesisBlock writes them. */
static int
write_genesis_config(chain_t *c, const genesis_t *g)
{
    char v[NUMBER_TEXT], id[PC_NODE_ID_HEX + 1];
    int rc;

    snprintf(v, sizeof v, "%" PRIu64, g->max_trans_num);
    if ((rc = pc_sysconfig_genesis(c->db, PC_SYSCONFIG_TX_COUNT_LIMIT, v)) != BL_OK)
        return rc;
    snprintf(v, sizeof v, "%" PRIu64, g->tx_gas_limit);
    if ((rc = pc_sysconfig_genesis(c->db, PC_SYSCONFIG_TX_GAS_LIMIT, v)) != BL_OK)
        return rc;
    snprintf(v, sizeof v, "%" PRIu64, g->consensus_timeout); /* FISCO >= 2.6 */
    if ((rc = pc_sysconfig_genesis(c->db, PC_SYSCONFIG_CONSENSUS_TIMEOUT, v)) != BL_OK)
        return rc;
    for (size_t i = 0; i < g->nsealers && rc == BL_OK; i++) {
        bl_hex_encode(g->sealers[i], 64, id);
        rc = pc_consensus_genesis(c->db, id, PC_NODE_SEALER);
    }
    return rc;
}

static int
write_genesis(chain_t *c, const genesis_t *g, const block_t *b, const uint8_t hash[32])
{
    char hex[65];
    int rc;

    bl_hex_encode(hash, 32, hex);
    if ((rc = write_number_2_hash(c, 0, hex)) != BL_OK ||
        (rc = write_block_rows(c, b, hex)) != BL_OK ||
        (rc = set_state(c, AMDB_KEY_CURRENT_NUMBER, 0)) != BL_OK ||
        (rc = write_genesis_config(c, g)) != BL_OK ||
        (rc = amdb_commit(c->db, 0)) != BL_OK)
        amdb_rollback(c->db);
    return rc;
}

int
chain_init_genesis(chain_t *c, const genesis_t *g)
{
    uint8_t want[32], have[32];
    char want_hex[65], have_hex[65];
    block_t b;
    int rc;

    if ((rc = genesis_block(c->suite, g, &b)) != BL_OK)
        goto out;
    block_hash(c->suite, &b, want);
    rc = chain_hash_at(c, 0, have);
    if (rc == BL_OK && memcmp(want, have, 32) != 0) {
        bl_hex_encode(want, 32, want_hex);
        bl_hex_encode(have, 32, have_hex);
        rc = bl_fail(BL_E_INVALID, "this group's data was made from a different genesis "
                     "(its block 0 is %s, this genesis gives %s)", have_hex, want_hex);
    } else if (rc == BL_E_NOTFOUND) {
        if (amdb_dirty(c->db))
            rc = bl_fail(BL_E_INVALID, "cannot write the genesis block over uncommitted "
                         "changes");
        else
            rc = write_genesis(c, g, &b, want);
    }
out:
    block_free(&b);
    return rc;
}
