/*
 * state_mpt.c — MPTState: the world state as Ethereum keeps it, in Merkle Patricia Tries.
 *
 * One secure trie (the "account trie") maps each address to its account, the RLP list
 *
 *     [nonce, balance, storageRoot, codeHash]
 *
 * storageRoot is the root of the account's own secure trie from storage slot to value (the
 * value as RLP of the number without leading zero bytes; a slot set to zero is deleted), and
 * codeHash is hash(code); the code itself is kept in the key-value store under that hash. The
 * root of the account trie is the block's stateRoot, so it commits to every balance and every
 * storage slot of every account.
 *
 * The price is in the writes: changing one storage slot rewrites the path to it in the storage
 * trie, which changes storageRoot, which rewrites the path to the account in the account trie.
 * The reward is history: trie nodes are never deleted, so the state of any earlier block is
 * still there under that block's root. We remember each block's root in the key-value store and
 * state_at_block() opens the account trie at it. (Table storage, state_table.c, has neither the
 * cost nor the history.)
 *
 * Keys this file writes into the key-value store, beside the tries' 32-byte node hashes:
 *   "state:last"          → the number of the last committed block (8 bytes, big-endian)
 *   "state:root:" + n     → the state root after block n (n as 8 bytes, big-endian)
 *   "code:" + codeHash    → contract code
 * A block's trie nodes, code and these two keys go to the store in one batch: one atomic write.
 *
 * Undo (state_revert) uses a journal: before each write, the account's or slot's old encoding
 * is recorded; reverting puts the old encodings back. A trie's root depends only on its
 * contents, so putting back the old values gives back the old root exactly.
 */
#include "storage/state.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/hashmap.h"
#include "codec/rlp.h"
#include "storage/mpt.h"

#define KEY_LAST "state:last"
#define KEY_ROOT_PREFIX "state:root:"
#define KEY_CODE_PREFIX "code:"

typedef struct {
    bl_u256_t nonce;
    bl_u256_t balance;
    uint8_t storage_root[32];
    uint8_t code_hash[32];
} account_t;

/* One undo record: what an account (is_slot false) or a storage slot held before a write. */
typedef struct {
    uint8_t addr[20];
    bool is_slot;
    uint8_t slot[32];
    bool existed;
    bl_buf_t old;    /* the old RLP encoding, when it existed */
    mpt_t *retired;  /* removing an account sets its storage trie aside here, for a revert */
} undo_t;

typedef struct {
    kv_t *kv;
    const suite_t *suite;
    mpt_t *accounts;
    bl_map_t storage;  /* address → mpt_t*: the storage tries this block has opened */
    bl_map_t code;     /* code hash → bl_buf_t*: code written in this block */
    undo_t *journal;
    size_t njournal, cap;
    bool read_only;    /* a view of an earlier block */
} mpt_state_t;

static const state_ops_t mpt_state_ops;

static mpt_state_t *
impl(state_t *s)
{
    return s->impl;
}

/* ---- accounts ---- */

static void
account_empty(const mpt_state_t *m, account_t *a)
{
    memset(a, 0, sizeof *a);
    mpt_empty_root(m->suite, a->storage_root);
    m->suite->hash("", 0, a->code_hash);
}

static void
account_encode(const account_t *a, bl_buf_t *out)
{
    size_t list = rlp_list_begin(out);

    rlp_put_u256(out, &a->nonce);
    rlp_put_u256(out, &a->balance);
    rlp_put_bytes(out, a->storage_root, 32);
    rlp_put_bytes(out, a->code_hash, 32);
    rlp_list_end(out, list);
}

static int
account_decode(bl_span_t raw, account_t *a)
{
    rlp_item_t top, f[4];
    int err;

    if ((err = rlp_decode(raw, &top)) != BL_OK ||
        (err = rlp_list_exact(&top, f, 4, "account")) != BL_OK ||
        (err = rlp_get_u256(&f[0], &a->nonce)) != BL_OK ||
        (err = rlp_get_u256(&f[1], &a->balance)) != BL_OK ||
        (err = rlp_get_fixed(&f[2], a->storage_root, 32)) != BL_OK ||
        (err = rlp_get_fixed(&f[3], a->code_hash, 32)) != BL_OK)
        return bl_fail(BL_E_FORMAT, "stored account does not decode: %s", bl_errmsg());
    return BL_OK;
}

/* The account at addr; *exists false (and an empty account) if there is none. */
static int
account_load(mpt_state_t *m, const uint8_t addr[20], account_t *a, bool *exists)
{
    bl_buf_t raw = BL_BUF_INIT;
    int err = mpt_get(m->accounts, bl_span(addr, 20), &raw);

    *exists = err == BL_OK;
    if (err == BL_E_NOTFOUND) {
        account_empty(m, a);
        err = BL_OK;
    } else if (err == BL_OK) {
        err = account_decode(bl_buf_span(&raw), a);
    }
    bl_buf_free(&raw);
    return err;
}

/* ---- the undo journal ---- */

static undo_t *
journal_push(mpt_state_t *m, const uint8_t addr[20])
{
    undo_t *u;

    if (m->njournal == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 64;
        m->journal = bl_xrealloc(m->journal, m->cap * sizeof *m->journal);
    }
    u = &m->journal[m->njournal++];
    memset(u, 0, sizeof *u);
    memcpy(u->addr, addr, 20);
    return u;
}

/* Record the account's current encoding before it changes. */
static int
journal_account(mpt_state_t *m, const uint8_t addr[20])
{
    undo_t *u = journal_push(m, addr);
    int err = mpt_get(m->accounts, bl_span(addr, 20), &u->old);

    u->existed = err == BL_OK;
    return err == BL_E_NOTFOUND ? BL_OK : err;
}

/* Forget the records after mark (they were undone, or the block is over). */
static void
journal_drop(mpt_state_t *m, size_t mark)
{
    while (m->njournal > mark) {
        undo_t *u = &m->journal[--m->njournal];
        bl_buf_free(&u->old);
        mpt_close(u->retired);
    }
}

static int
account_store(mpt_state_t *m, const uint8_t addr[20], const account_t *a)
{
    bl_buf_t raw = BL_BUF_INIT;
    int err;

    if (m->read_only)
        return bl_fail(BL_E_DENIED, "this is a read-only view of an earlier block's state");
    if ((err = journal_account(m, addr)) != BL_OK)
        return err;
    account_encode(a, &raw);
    err = mpt_put(m->accounts, bl_span(addr, 20), bl_buf_span(&raw));
    bl_buf_free(&raw);
    return err;
}

/* ---- storage tries ---- */

/* The storage trie of addr, opened at the account's storageRoot the first time this block
 * touches it. */
static int
storage_trie(mpt_state_t *m, const uint8_t addr[20], const account_t *a, mpt_t **out)
{
    int err;

    *out = bl_map_get(&m->storage, addr, 20);
    if (*out != NULL)
        return BL_OK;
    if ((err = mpt_open(m->kv, m->suite, a->storage_root, MPT_SECURE, out)) != BL_OK)
        return err;
    bl_map_put(&m->storage, addr, 20, *out);
    return BL_OK;
}

static void
close_trie(void *t)
{
    mpt_close(t);
}

static void
free_code(void *b)
{
    bl_buf_free(b);
    free(b);
}

/* ---- reading ---- */

static int
mpt_state_exists(state_t *s, const uint8_t addr[20], bool *out)
{
    account_t a;

    return account_load(impl(s), addr, &a, out);
}

static int
mpt_state_get_balance(state_t *s, const uint8_t addr[20], bl_u256_t *out)
{
    account_t a;
    bool exists;
    int err = account_load(impl(s), addr, &a, &exists);

    *out = a.balance;
    return err;
}

static int
mpt_state_get_nonce(state_t *s, const uint8_t addr[20], bl_u256_t *out)
{
    account_t a;
    bool exists;
    int err = account_load(impl(s), addr, &a, &exists);

    *out = a.nonce;
    return err;
}

static void
code_key(const uint8_t hash[32], bl_buf_t *key)
{
    bl_buf_append(key, KEY_CODE_PREFIX, strlen(KEY_CODE_PREFIX));
    bl_buf_append(key, hash, 32);
}

static int
mpt_state_get_code(state_t *s, const uint8_t addr[20], bl_buf_t *out)
{
    mpt_state_t *m = impl(s);
    account_t a;
    uint8_t empty[32];
    bl_buf_t key = BL_BUF_INIT, *pending;
    bool exists;
    int err = account_load(m, addr, &a, &exists);

    bl_buf_clear(out);
    m->suite->hash("", 0, empty);
    if (err != BL_OK || memcmp(a.code_hash, empty, 32) == 0)
        return err;
    if ((pending = bl_map_get(&m->code, a.code_hash, 32)) != NULL) {
        bl_buf_append(out, pending->data, pending->len);
        return BL_OK;
    }
    code_key(a.code_hash, &key);
    if ((err = kv_get(m->kv, bl_buf_span(&key), out)) == BL_E_NOTFOUND)
        err = bl_fail(BL_E_DB, "the code of an account is missing from the store");
    bl_buf_free(&key);
    return err;
}

/* A storage value is kept as RLP of the number without its leading zero bytes. */
static int
slot_read(mpt_t *t, const uint8_t slot[32], uint8_t value[32], bl_buf_t *raw)
{
    rlp_item_t item;
    bl_u256_t v;
    int err = mpt_get(t, bl_span(slot, 32), raw);

    memset(value, 0, 32);
    if (err == BL_E_NOTFOUND)
        return BL_OK;
    if (err != BL_OK)
        return err;
    if (rlp_decode(bl_buf_span(raw), &item) != BL_OK || rlp_get_u256(&item, &v) != BL_OK)
        return bl_fail(BL_E_FORMAT, "stored storage value does not decode: %s", bl_errmsg());
    memcpy(value, v.be, 32);
    return BL_OK;
}

static int
mpt_state_get_storage(state_t *s, const uint8_t addr[20], const uint8_t slot[32],
                      uint8_t value[32])
{
    mpt_state_t *m = impl(s);
    account_t a;
    mpt_t *t;
    bl_buf_t raw = BL_BUF_INIT;
    bool exists;
    int err = account_load(m, addr, &a, &exists);

    memset(value, 0, 32);
    if (err != BL_OK || !exists)
        return err;
    if ((err = storage_trie(m, addr, &a, &t)) == BL_OK)
        err = slot_read(t, slot, value, &raw);
    bl_buf_free(&raw);
    return err;
}

/* ---- writing ---- */

static int
mpt_state_set_balance(state_t *s, const uint8_t addr[20], const bl_u256_t *v)
{
    account_t a;
    bool exists;
    int err = account_load(impl(s), addr, &a, &exists);

    if (err != BL_OK)
        return err;
    a.balance = *v;
    return account_store(impl(s), addr, &a);
}

static int
mpt_state_set_nonce(state_t *s, const uint8_t addr[20], const bl_u256_t *v)
{
    account_t a;
    bool exists;
    int err = account_load(impl(s), addr, &a, &exists);

    if (err != BL_OK)
        return err;
    a.nonce = *v;
    return account_store(impl(s), addr, &a);
}

static int
mpt_state_set_code(state_t *s, const uint8_t addr[20], bl_span_t code)
{
    mpt_state_t *m = impl(s);
    account_t a;
    bool exists;
    bl_buf_t *copy;
    int err = account_load(m, addr, &a, &exists);

    if (err != BL_OK)
        return err;
    m->suite->hash(code.ptr, code.len, a.code_hash);
    if ((err = account_store(m, addr, &a)) != BL_OK)
        return err;
    if (bl_map_get(&m->code, a.code_hash, 32) == NULL) {
        copy = bl_xcalloc(1, sizeof *copy);
        bl_buf_append(copy, code.ptr, code.len);
        bl_map_put(&m->code, a.code_hash, 32, copy);
    }
    return BL_OK;
}

/* Write the slot, journalling its old value first. */
static int
slot_write(mpt_state_t *m, const uint8_t addr[20], mpt_t *t, const uint8_t slot[32],
           const uint8_t value[32])
{
    undo_t *u = journal_push(m, addr);
    bl_u256_t v;
    bl_buf_t raw = BL_BUF_INIT;
    int err = mpt_get(t, bl_span(slot, 32), &u->old);

    u->is_slot = true;
    memcpy(u->slot, slot, 32);
    u->existed = err == BL_OK;
    if (err != BL_OK && err != BL_E_NOTFOUND)
        return err;
    bl_u256_from_be(&v, value, 32);
    if (bl_u256_is_zero(&v)) {
        err = mpt_delete(t, bl_span(slot, 32));
    } else {
        rlp_put_u256(&raw, &v);
        err = mpt_put(t, bl_span(slot, 32), bl_buf_span(&raw));
    }
    bl_buf_free(&raw);
    return err;
}

static int
mpt_state_set_storage(state_t *s, const uint8_t addr[20], const uint8_t slot[32],
                      const uint8_t value[32])
{
    mpt_state_t *m = impl(s);
    account_t a;
    mpt_t *t;
    bool exists;
    int err = account_load(m, addr, &a, &exists);

    if (err == BL_OK && m->read_only)
        err = bl_fail(BL_E_DENIED, "this is a read-only view of an earlier block's state");
    if (err != BL_OK || (err = storage_trie(m, addr, &a, &t)) != BL_OK ||
        (err = slot_write(m, addr, t, slot, value)) != BL_OK)
        return err;
    mpt_root(t, a.storage_root);
    return account_store(m, addr, &a);
}

static int
mpt_state_remove_account(state_t *s, const uint8_t addr[20])
{
    mpt_state_t *m = impl(s);
    undo_t *u;
    int err;

    if (m->read_only)
        return bl_fail(BL_E_DENIED, "this is a read-only view of an earlier block's state");
    if ((err = journal_account(m, addr)) != BL_OK)
        return err;
    u = &m->journal[m->njournal - 1];
    u->retired = bl_map_remove(&m->storage, addr, 20);
    return mpt_delete(m->accounts, bl_span(addr, 20));
}

/* ---- undo ---- */

static size_t
mpt_state_checkpoint(state_t *s)
{
    return impl(s)->njournal;
}

/* Put back what one record saved. */
static int
undo_one(mpt_state_t *m, undo_t *u)
{
    mpt_t *t = NULL;
    bl_span_t key = u->is_slot ? bl_span(u->slot, 32) : bl_span(u->addr, 20);

    if (u->is_slot) {
        t = bl_map_get(&m->storage, u->addr, 20);
        if (t == NULL) /* the slot was written, so its trie was opened and is still here */
            return bl_fail(BL_E_INVALID, "revert: a storage trie went missing");
    } else {
        t = m->accounts;
        if (u->retired != NULL) { /* bring back the removed account's storage trie */
            mpt_close(bl_map_put(&m->storage, u->addr, 20, u->retired));
            u->retired = NULL;
        }
    }
    return u->existed ? mpt_put(t, key, bl_buf_span(&u->old)) : mpt_delete(t, key);
}

static int
mpt_state_revert(state_t *s, size_t mark)
{
    mpt_state_t *m = impl(s);
    int err = BL_OK;

    if (mark > m->njournal)
        return bl_fail(BL_E_RANGE, "revert to mark %zu, but only %zu writes were made", mark,
                       m->njournal);
    while (m->njournal > mark && err == BL_OK) {
        err = undo_one(m, &m->journal[m->njournal - 1]);
        journal_drop(m, m->njournal - 1);
    }
    return err;
}

/* ---- roots, blocks and history ---- */

static int
mpt_state_root(state_t *s, uint8_t out[32])
{
    mpt_root(impl(s)->accounts, out);
    return BL_OK;
}

static void
root_key(int64_t number, bl_buf_t *key)
{
    uint8_t be[8];

    bl_put_be(be, (uint64_t)number, 8);
    bl_buf_append(key, KEY_ROOT_PREFIX, strlen(KEY_ROOT_PREFIX));
    bl_buf_append(key, be, 8);
}

/* Everything the block wrote, in one batch: trie nodes, code, the root and the last number. */
static void
collect_block(mpt_state_t *m, int64_t number, const uint8_t root[32], kv_batch_t *batch)
{
    bl_buf_t key = BL_BUF_INIT;
    bl_span_t k;
    void *v;
    uint8_t be[8];

    for (size_t pos = 0; bl_map_next(&m->storage, &pos, &k, &v);)
        mpt_commit(v, batch);
    mpt_commit(m->accounts, batch);
    for (size_t pos = 0; bl_map_next(&m->code, &pos, &k, &v);) {
        bl_buf_clear(&key);
        code_key(k.ptr, &key);
        kv_batch_put(batch, bl_buf_span(&key), bl_buf_span(v));
    }
    bl_buf_clear(&key);
    root_key(number, &key);
    kv_batch_put(batch, bl_buf_span(&key), bl_span(root, 32));
    bl_put_be(be, (uint64_t)number, 8);
    kv_batch_put(batch, bl_span(KEY_LAST, strlen(KEY_LAST)), bl_span(be, 8));
    bl_buf_free(&key);
}

/* After a block: forget its journal and open tries, and reopen the account trie at the new
 * root, so that a long run does not keep every node it ever touched in memory. */
static int
start_next_block(mpt_state_t *m, const uint8_t root[32])
{
    journal_drop(m, 0);
    bl_map_clear(&m->storage, close_trie);
    bl_map_clear(&m->code, free_code);
    mpt_close(m->accounts);
    m->accounts = NULL;
    return mpt_open(m->kv, m->suite, root, MPT_SECURE, &m->accounts);
}

static int
mpt_state_commit(state_t *s, int64_t number, uint8_t root[32])
{
    mpt_state_t *m = impl(s);
    kv_batch_t batch;
    int err;

    if (m->read_only)
        return bl_fail(BL_E_DENIED, "this is a read-only view of an earlier block's state");
    if (number < 0)
        return bl_fail(BL_E_RANGE, "block number %lld is negative", (long long)number);
    mpt_root(m->accounts, root);
    kv_batch_init(&batch);
    collect_block(m, number, root, &batch);
    err = kv_write(m->kv, &batch);
    kv_batch_free(&batch);
    if (err != BL_OK)
        return err;
    return start_next_block(m, root);
}

static int
open_at(kv_t *kv, const suite_t *suite, const uint8_t *root, bool read_only, state_t **out)
{
    mpt_state_t *m = bl_xcalloc(1, sizeof *m);
    int err;

    m->kv = kv;
    m->suite = suite;
    m->read_only = read_only;
    bl_map_init(&m->storage);
    bl_map_init(&m->code);
    if ((err = mpt_open(kv, suite, root, MPT_SECURE, &m->accounts)) != BL_OK) {
        free(m);
        return err;
    }
    *out = bl_xmalloc(sizeof **out);
    (*out)->ops = &mpt_state_ops;
    (*out)->impl = m;
    return BL_OK;
}

static int
mpt_state_at_block(state_t *s, int64_t number, state_t **out)
{
    mpt_state_t *m = impl(s);
    bl_buf_t key = BL_BUF_INIT, root = BL_BUF_INIT;
    int err;

    root_key(number, &key);
    err = kv_get(m->kv, bl_buf_span(&key), &root);
    if (err == BL_E_NOTFOUND)
        err = bl_fail(BL_E_NOTFOUND, "no state was committed for block %lld", (long long)number);
    else if (err == BL_OK && root.len != 32)
        err = bl_fail(BL_E_FORMAT, "the stored root of block %lld is not 32 bytes",
                      (long long)number);
    if (err == BL_OK)
        err = open_at(m->kv, m->suite, root.data, true, out);
    bl_buf_free(&key);
    bl_buf_free(&root);
    return err;
}

static void
mpt_state_close(state_t *s)
{
    mpt_state_t *m = impl(s);

    journal_drop(m, 0);
    free(m->journal);
    bl_map_free(&m->storage, close_trie);
    bl_map_free(&m->code, free_code);
    mpt_close(m->accounts);
    free(m);
    free(s);
}

static const state_ops_t mpt_state_ops = {
    .name = "mpt",
    .exists = mpt_state_exists,
    .get_balance = mpt_state_get_balance,
    .set_balance = mpt_state_set_balance,
    .get_nonce = mpt_state_get_nonce,
    .set_nonce = mpt_state_set_nonce,
    .get_code = mpt_state_get_code,
    .set_code = mpt_state_set_code,
    .get_storage = mpt_state_get_storage,
    .set_storage = mpt_state_set_storage,
    .remove_account = mpt_state_remove_account,
    .checkpoint = mpt_state_checkpoint,
    .revert = mpt_state_revert,
    .root = mpt_state_root,
    .commit = mpt_state_commit,
    .at_block = mpt_state_at_block,
    .close = mpt_state_close,
};

int
state_mpt_open(kv_t *kv, const suite_t *suite, state_t **out)
{
    bl_buf_t last = BL_BUF_INIT, key = BL_BUF_INIT, root = BL_BUF_INIT;
    int err = kv_get(kv, bl_span(KEY_LAST, strlen(KEY_LAST)), &last);

    if (err == BL_E_NOTFOUND) /* a new state: the empty trie */
        return open_at(kv, suite, NULL, false, out);
    if (err == BL_OK && last.len != 8)
        err = bl_fail(BL_E_FORMAT, "the stored last block number is not 8 bytes");
    if (err == BL_OK) {
        root_key((int64_t)bl_get_be(last.data, 8), &key);
        if ((err = kv_get(kv, bl_buf_span(&key), &root)) == BL_OK && root.len != 32)
            err = bl_fail(BL_E_FORMAT, "the stored state root is not 32 bytes");
    }
    if (err == BL_OK)
        err = open_at(kv, suite, root.data, false, out);
    bl_buf_free(&last);
    bl_buf_free(&key);
    bl_buf_free(&root);
    return err;
}
