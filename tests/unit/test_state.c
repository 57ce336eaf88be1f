/*
 * test_state.c — the world state (storage/state.h) in both of FISCO's models: StorageState
 * (accounts as c_<address> tables, state_table.c) and MPTState (accounts in a secure Merkle
 * Patricia Trie, state_mpt.c).
 *
 * Pins down fisco-2x-facts §6.3: the same reads and writes give the same balances and storage
 * in both models; MPTState keeps history (any earlier block's state is readable) and
 * StorageState does not, and says so; the MPT state root is Ethereum's (a secure trie of
 * account RLPs [nonce, balance, storageRoot, codeHash]); StorageState's root is the block's
 * dbHash; a failed transaction's writes can be undone; committed state survives a reopen.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/rng.h"
#include "codec/rlp.h"
#include "storage/amdb.h"
#include "storage/mpt.h"
#include "storage/state.h"
#include "storage/store.h"

/* One world state with everything under it, so a test can open, close and reopen it. */
typedef struct {
    const char *model;   /* "storage" or "mpt" */
    const char *backend; /* "memory" or "rocksdb" */
    char path[512];
    kv_t *kv;
    store_t *store;
    amdb_t *db;
    state_t *state;
} world_t;

static void
world_open(world_t *w)
{
    assert_int_equal(kv_open(w->backend, w->path, &w->kv), BL_OK);
    w->store = NULL;
    w->db = NULL;
    if (strcmp(w->model, "storage") == 0) {
        assert_int_equal(store_kv_open(w->kv, &w->store), BL_OK);
        assert_int_equal(amdb_open(w->store, suite_ecdsa(), &w->db), BL_OK);
        assert_int_equal(state_table_open(w->db, suite_ecdsa(), &w->state), BL_OK);
    } else {
        assert_int_equal(state_mpt_open(w->kv, suite_ecdsa(), &w->state), BL_OK);
    }
}

static void
world_close(world_t *w)
{
    state_close(w->state);
    if (w->db != NULL)
        amdb_close(w->db);
    if (w->store != NULL)
        store_close(w->store);
    kv_close(w->kv);
}

static void
world_init(world_t *w, const char *model, const char *backend, const char *name)
{
    memset(w, 0, sizeof *w);
    w->model = model;
    w->backend = backend;
    snprintf(w->path, sizeof w->path, "%s/%s-%s-%s", tu_dir, name, model, backend);
    world_open(w);
}

static const char *const models[] = { "storage", "mpt" };

static void
addr_of(uint8_t addr[20], unsigned n)
{
    memset(addr, 0, 20);
    addr[0] = 0xa0;
    addr[19] = (uint8_t)n;
    addr[18] = (uint8_t)(n >> 8);
}

static void
word(uint8_t w[32], uint64_t v)
{
    memset(w, 0, 32);
    bl_put_be(w + 24, v, 8);
}

static uint64_t
balance_of(state_t *s, const uint8_t addr[20])
{
    bl_u256_t b;
    uint64_t v;

    assert_int_equal(state_get_balance(s, addr, &b), BL_OK);
    assert_int_equal(bl_u256_to_u64(&b, &v), BL_OK);
    return v;
}

static void
set_balance(state_t *s, const uint8_t addr[20], uint64_t v)
{
    bl_u256_t b;

    bl_u256_from_u64(&b, v);
    assert_int_equal(state_set_balance(s, addr, &b), BL_OK);
}

/* An account nobody wrote has balance 0, nonce 0, no code, zero storage, and does not exist
 * (Ethereum's empty account; FISCO's StorageState without a table). */
static void
state_unwritten_account_is_empty_and_absent(void **state)
{
    (void)state;
    for (size_t m = 0; m < 2; m++) {
        world_t w;
        uint8_t addr[20], slot[32], value[32], zero[32] = { 0 };
        bl_u256_t n;
        bl_buf_t code = BL_BUF_INIT;
        bool exists = true;

        world_init(&w, models[m], "memory", "empty");
        addr_of(addr, 1);
        word(slot, 7);
        assert_int_equal(state_exists(w.state, addr, &exists), BL_OK);
        assert_false(exists);
        assert_int_equal(balance_of(w.state, addr), 0);
        assert_int_equal(state_get_nonce(w.state, addr, &n), BL_OK);
        assert_true(bl_u256_is_zero(&n));
        assert_int_equal(state_get_code(w.state, addr, &code), BL_OK);
        assert_int_equal(code.len, 0);
        assert_int_equal(state_get_storage(w.state, addr, slot, value), BL_OK);
        assert_memory_equal(value, zero, 32);
        bl_buf_free(&code);
        world_close(&w);
    }
}

/* What is written is read back: balance, nonce, code, storage slots (zero included). */
static void
state_reads_back_every_kind_of_write(void **state)
{
    (void)state;
    for (size_t m = 0; m < 2; m++) {
        world_t w;
        uint8_t addr[20], slot[32], value[32], got[32];
        bl_u256_t n;
        bl_buf_t code = BL_BUF_INIT;
        bool exists;

        world_init(&w, models[m], "memory", "rw");
        addr_of(addr, 2);
        set_balance(w.state, addr, 1000);
        bl_u256_from_u64(&n, 5);
        assert_int_equal(state_set_nonce(w.state, addr, &n), BL_OK);
        assert_int_equal(state_set_code(w.state, addr, bl_span("\x60\x00\x60\x00", 4)), BL_OK);
        word(slot, 1);
        word(value, 0xdeadbeef);
        assert_int_equal(state_set_storage(w.state, addr, slot, value), BL_OK);
        assert_int_equal(state_exists(w.state, addr, &exists), BL_OK);
        assert_true(exists);
        assert_int_equal(balance_of(w.state, addr), 1000);
        assert_int_equal(state_get_nonce(w.state, addr, &n), BL_OK);
        assert_int_equal(n.be[31], 5);
        assert_int_equal(state_get_code(w.state, addr, &code), BL_OK);
        assert_int_equal(code.len, 4);
        assert_memory_equal(code.data, "\x60\x00\x60\x00", 4);
        assert_int_equal(state_get_storage(w.state, addr, slot, got), BL_OK);
        assert_memory_equal(got, value, 32);
        word(value, 0); /* setting a slot to zero clears it */
        assert_int_equal(state_set_storage(w.state, addr, slot, value), BL_OK);
        assert_int_equal(state_get_storage(w.state, addr, slot, got), BL_OK);
        assert_memory_equal(got, value, 32);
        bl_buf_free(&code);
        world_close(&w);
    }
}

/* A checkpoint and a revert undo the writes of a failed transaction exactly: values and root
 * are as before, and marks nest. */
static void
state_revert_restores_values_and_root(void **state)
{
    (void)state;
    for (size_t m = 0; m < 2; m++) {
        world_t w;
        uint8_t a[20], b[20], slot[32], value[32], got[32], root0[32], root1[32], root2[32];
        size_t outer, inner;

        world_init(&w, models[m], "memory", "revert");
        addr_of(a, 3);
        addr_of(b, 4);
        word(slot, 9);
        set_balance(w.state, a, 50);
        assert_int_equal(state_root(w.state, root0), BL_OK);
        outer = state_checkpoint(w.state);
        set_balance(w.state, a, 60);
        word(value, 77);
        assert_int_equal(state_set_storage(w.state, b, slot, value), BL_OK);
        assert_int_equal(state_root(w.state, root1), BL_OK);
        inner = state_checkpoint(w.state);
        set_balance(w.state, b, 1);
        assert_int_equal(state_remove_account(w.state, a), BL_OK);
        assert_int_equal(state_revert(w.state, inner), BL_OK);
        assert_int_equal(state_root(w.state, root2), BL_OK);
        assert_memory_equal(root1, root2, 32);
        assert_int_equal(balance_of(w.state, a), 60);
        assert_int_equal(state_revert(w.state, outer), BL_OK);
        assert_int_equal(state_root(w.state, root2), BL_OK);
        assert_memory_equal(root0, root2, 32);
        assert_int_equal(balance_of(w.state, a), 50);
        assert_int_equal(state_get_storage(w.state, b, slot, got), BL_OK);
        word(value, 0);
        assert_memory_equal(got, value, 32);
        world_close(&w);
    }
}

/* MPTState's root is Ethereum's: the secure trie of address → RLP [nonce, balance,
 * storageRoot, codeHash], with the empty trie's root and hash("") for an account without
 * storage or code (Yellow Paper §4.1). */
static void
mpt_state_root_is_the_secure_trie_of_account_rlps(void **state)
{
    world_t w;
    kv_t *kv;
    mpt_t *t;
    uint8_t addr[20], root[32], want[32], empty_root[32], empty_code[32];
    bl_u256_t zero, bal;
    bl_buf_t acct = BL_BUF_INIT;
    size_t list;

    (void)state;
    world_init(&w, "mpt", "memory", "ethroot");
    addr_of(addr, 5);
    set_balance(w.state, addr, 1000000);
    assert_int_equal(state_root(w.state, root), BL_OK);

    bl_u256_from_u64(&zero, 0);
    bl_u256_from_u64(&bal, 1000000);
    mpt_empty_root(suite_ecdsa(), empty_root);
    suite_ecdsa()->hash("", 0, empty_code);
    list = rlp_list_begin(&acct);
    rlp_put_u256(&acct, &zero);
    rlp_put_u256(&acct, &bal);
    rlp_put_bytes(&acct, empty_root, 32);
    rlp_put_bytes(&acct, empty_code, 32);
    rlp_list_end(&acct, list);
    assert_int_equal(kv_open("memory", NULL, &kv), BL_OK);
    assert_int_equal(mpt_open(kv, suite_ecdsa(), NULL, MPT_SECURE, &t), BL_OK);
    assert_int_equal(mpt_put(t, bl_span(addr, 20), bl_buf_span(&acct)), BL_OK);
    mpt_root(t, want);
    assert_memory_equal(root, want, 32);
    mpt_close(t);
    kv_close(kv);
    bl_buf_free(&acct);
    world_close(&w);
}

/* Committed blocks survive closing and reopening the store (RocksDB), in both models. */
static void
state_commit_survives_reopen(void **state)
{
    (void)state;
    for (size_t m = 0; m < 2; m++) {
        world_t w;
        uint8_t addr[20], root[32], again[32];

        world_init(&w, models[m], "rocksdb", "reopen");
        addr_of(addr, 6);
        set_balance(w.state, addr, 42);
        assert_int_equal(state_commit(w.state, 1, root), BL_OK);
        set_balance(w.state, addr, 43); /* not committed: lost on close */
        world_close(&w);
        world_open(&w);
        assert_int_equal(balance_of(w.state, addr), 42);
        if (strcmp(models[m], "mpt") == 0) {
            assert_int_equal(state_root(w.state, again), BL_OK);
            assert_memory_equal(root, again, 32);
        }
        world_close(&w);
    }
}

/* MPTState answers for any earlier block (its tries keep every version); a view of the past is
 * read-only. */
static void
mpt_state_reads_the_state_of_an_earlier_block(void **state)
{
    world_t w;
    state_t *old;
    uint8_t addr[20], root[32], slot[32], value[32], got[32];

    (void)state;
    world_init(&w, "mpt", "rocksdb", "history");
    addr_of(addr, 7);
    word(slot, 3);
    for (uint64_t block = 1; block <= 5; block++) {
        set_balance(w.state, addr, 100 * block);
        word(value, block);
        assert_int_equal(state_set_storage(w.state, addr, slot, value), BL_OK);
        assert_int_equal(state_commit(w.state, (int64_t)block, root), BL_OK);
    }
    world_close(&w);
    world_open(&w);
    for (uint64_t block = 1; block <= 5; block++) {
        assert_int_equal(state_at_block(w.state, (int64_t)block, &old), BL_OK);
        assert_int_equal(balance_of(old, addr), 100 * block);
        assert_int_equal(state_get_storage(old, addr, slot, got), BL_OK);
        word(value, block);
        assert_memory_equal(got, value, 32);
        assert_int_equal(state_set_storage(old, addr, slot, value), BL_E_DENIED);
        state_close(old);
    }
    assert_int_equal(state_at_block(w.state, 9, &old), BL_E_NOTFOUND);
    assert_int_equal(balance_of(w.state, addr), 500);
    world_close(&w);
}

/* StorageState keeps only the latest rows, and says so rather than answer wrongly. */
static void
table_state_says_it_keeps_no_history(void **state)
{
    world_t w;
    state_t *old = (state_t *)&w;
    uint8_t addr[20], root[32];

    (void)state;
    world_init(&w, "storage", "memory", "nohistory");
    addr_of(addr, 8);
    set_balance(w.state, addr, 1);
    assert_int_equal(state_commit(w.state, 1, root), BL_OK);
    assert_int_equal(state_at_block(w.state, 1, &old), BL_E_NOTFOUND);
    assert_null(old);
    assert_non_null(strstr(bl_errmsg(), "no history"));
    world_close(&w);
}

/* StorageState's root is the block's dbHash: it changes with every write to an account table
 * and is zero for a block that wrote nothing (§6.3, §6.6). */
static void
table_state_root_is_the_blocks_db_hash(void **state)
{
    world_t w;
    uint8_t addr[20], root[32], hash[32], zero[32] = { 0 };

    (void)state;
    world_init(&w, "storage", "memory", "dbhash");
    assert_int_equal(state_root(w.state, root), BL_OK);
    assert_memory_equal(root, zero, 32);
    addr_of(addr, 9);
    set_balance(w.state, addr, 5);
    assert_int_equal(state_root(w.state, root), BL_OK);
    assert_int_equal(amdb_hash(w.db, hash), BL_OK);
    assert_memory_equal(root, hash, 32);
    assert_memory_not_equal(root, zero, 32);
    world_close(&w);
}

/* ---- both models against a model of our own, on a random workload ---- */

#define AGREE_ACCOUNTS 24
#define AGREE_SLOTS 6
#define AGREE_BLOCKS 8
#define AGREE_WRITES 120

typedef struct {
    uint64_t balance[AGREE_ACCOUNTS];
    uint64_t nonce[AGREE_ACCOUNTS];
    uint64_t slot[AGREE_ACCOUNTS][AGREE_SLOTS];
} model_t;

/* One random write to both states and the model. */
static void
random_write(bl_rng_t *rng, state_t *s[2], model_t *model)
{
    unsigned a = (unsigned)bl_rng_below(rng, AGREE_ACCOUNTS);
    uint64_t v = bl_rng_below(rng, 4) == 0 ? 0 : bl_rng_next(rng) >> 1;
    uint8_t addr[20], slot[32], value[32];
    unsigned k = (unsigned)bl_rng_below(rng, AGREE_SLOTS);
    bl_u256_t n;

    addr_of(addr, a);
    switch (bl_rng_below(rng, 3)) {
    case 0:
        model->balance[a] = v;
        for (int i = 0; i < 2; i++)
            set_balance(s[i], addr, v);
        break;
    case 1:
        model->nonce[a] = v;
        bl_u256_from_u64(&n, v);
        for (int i = 0; i < 2; i++)
            assert_int_equal(state_set_nonce(s[i], addr, &n), BL_OK);
        break;
    default:
        model->slot[a][k] = v;
        word(slot, k);
        word(value, v);
        for (int i = 0; i < 2; i++)
            assert_int_equal(state_set_storage(s[i], addr, slot, value), BL_OK);
    }
}

static void
assert_agree(state_t *s[2], const model_t *model)
{
    for (unsigned a = 0; a < AGREE_ACCOUNTS; a++) {
        uint8_t addr[20], slot[32], got[32], want[32];
        bl_u256_t n;
        uint64_t nonce;

        addr_of(addr, a);
        for (int i = 0; i < 2; i++) {
            assert_int_equal(balance_of(s[i], addr), model->balance[a]);
            assert_int_equal(state_get_nonce(s[i], addr, &n), BL_OK);
            assert_int_equal(bl_u256_to_u64(&n, &nonce), BL_OK);
            assert_int_equal(nonce, model->nonce[a]);
            for (unsigned k = 0; k < AGREE_SLOTS; k++) {
                word(slot, k);
                word(want, model->slot[a][k]);
                assert_int_equal(state_get_storage(s[i], addr, slot, got), BL_OK);
                assert_memory_equal(got, want, 32);
            }
        }
    }
}

/* The same random writes, with some transactions reverted, give the same balances, nonces and
 * storage in StorageState, in MPTState and in a plain model — block after block. */
static void
states_agree_after_the_same_random_workload(void **state)
{
    world_t w[2];
    state_t *s[2];
    model_t model, saved;
    bl_rng_t rng;
    uint64_t seed = 20261125;
    uint8_t root[32];

    (void)state;
    print_message("seed %llu\n", (unsigned long long)seed);
    bl_rng_seed(&rng, seed);
    memset(&model, 0, sizeof model);
    world_init(&w[0], "storage", "memory", "agree");
    world_init(&w[1], "mpt", "memory", "agree");
    s[0] = w[0].state;
    s[1] = w[1].state;
    for (int64_t block = 1; block <= AGREE_BLOCKS; block++) {
        for (int tx = 0; tx < AGREE_WRITES / 4; tx++) {
            size_t mark0 = state_checkpoint(s[0]), mark1 = state_checkpoint(s[1]);
            saved = model;
            for (int k = 0; k < 4; k++)
                random_write(&rng, s, &model);
            if (bl_rng_below(&rng, 5) == 0) { /* this transaction fails: undo it */
                assert_int_equal(state_revert(s[0], mark0), BL_OK);
                assert_int_equal(state_revert(s[1], mark1), BL_OK);
                model = saved;
            }
        }
        assert_agree(s, &model);
        assert_int_equal(state_commit(s[0], block, root), BL_OK);
        assert_int_equal(state_commit(s[1], block, root), BL_OK);
        assert_agree(s, &model);
    }
    world_close(&w[0]);
    world_close(&w[1]);
}

/* A group's genesis picks its model by name ([state] type=storage|mpt); anything else is
 * refused with a message naming the two. */
static void
state_model_is_chosen_by_the_genesis_name(void **state)
{
    world_t w;
    state_t *s;

    (void)state;
    world_init(&w, "storage", "memory", "bytype");
    assert_int_equal(state_open_by_type("storage", w.db, w.kv, suite_ecdsa(), &s), BL_OK);
    assert_string_equal(s->ops->name, "storage");
    state_close(s);
    assert_int_equal(state_open_by_type("mpt", w.db, w.kv, suite_ecdsa(), &s), BL_OK);
    assert_string_equal(s->ops->name, "mpt");
    state_close(s);
    assert_int_equal(state_open_by_type("leveldb", w.db, w.kv, suite_ecdsa(), &s), BL_E_INVALID);
    assert_null(s);
    assert_non_null(strstr(bl_errmsg(), "storage nor mpt"));
    world_close(&w);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(state_unwritten_account_is_empty_and_absent),
        cmocka_unit_test(state_reads_back_every_kind_of_write),
        cmocka_unit_test(state_revert_restores_values_and_root),
        cmocka_unit_test(mpt_state_root_is_the_secure_trie_of_account_rlps),
        cmocka_unit_test(state_commit_survives_reopen),
        cmocka_unit_test(mpt_state_reads_the_state_of_an_earlier_block),
        cmocka_unit_test(table_state_says_it_keeps_no_history),
        cmocka_unit_test(table_state_root_is_the_blocks_db_hash),
        cmocka_unit_test(states_agree_after_the_same_random_workload),
        cmocka_unit_test(state_model_is_chosen_by_the_genesis_name),
    };

    return cmocka_run_group_tests_name("state", tests, tu_setup_dir, tu_teardown_dir);
}
