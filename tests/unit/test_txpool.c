/*
 * test_txpool.c — the transaction pool (txpool/txpool.c): every way FISCO's TxPool turns a
 * transaction away, with the status code its notifyReceipt gives (fisco-2x-facts §1.4, §1.5),
 * the order of the checks, the ledger nonce window that stops replays, and the sealer's view
 * (topTransactions re-checks every candidate).
 */
#include "testutil.h"
#include "poolutil.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "codec/rlp.h"
#include "ledger/status.h"
#include "txpool/txpool.h"

#define NOW 1700000000000ull

typedef struct {
    pu_group_t g;
    txpool_t *p;
} fixture_t;

static void
new_pool(fixture_t *f, size_t limit, int64_t window)
{
    txpool_config_t cfg;

    txpool_free(f->p);
    txpool_config_init(&cfg, PU_CHAIN_ID, PU_GROUP_ID);
    cfg.limit = limit;
    cfg.block_limit_window = window;
    if (txpool_new(f->g.suite, &cfg, f->g.chain, &f->p) != BL_OK)
        fail_msg("txpool_new: %s", bl_errmsg());
}

static int
setup_with(void **state, const suite_t *suite)
{
    fixture_t *f = calloc(1, sizeof *f);

    pu_open(&f->g, suite);
    new_pool(f, 0, 0);
    *state = f;
    return 0;
}

static int
setup(void **state)
{
    return setup_with(state, suite_ecdsa());
}

static int
setup_sm(void **state)
{
    return setup_with(state, suite_sm());
}

/* The ECDSA suite, counting its public-key recoveries. */
static suite_t counting;
static size_t recoveries;

static int
counting_recover(const uint8_t hash[32], const uint8_t *sig, uint8_t pub[64])
{
    recoveries++;
    return suite_ecdsa()->recover(hash, sig, pub);
}

static int
setup_counting(void **state)
{
    counting = *suite_ecdsa();
    counting.recover = counting_recover;
    recoveries = 0;
    return setup_with(state, &counting);
}

static int
teardown(void **state)
{
    fixture_t *f = *state;

    txpool_free(f->p);
    pu_close(&f->g);
    free(f);
    return 0;
}

/* A signed userAdd("u<nonce>", 1) from kp. */
static void
make_tx(fixture_t *f, const keypair_t *kp, uint64_t nonce, int64_t block_limit, tx_t *tx)
{
    char user[32];

    snprintf(user, sizeof user, "u%llu", (unsigned long long)nonce);
    pu_dag_tx(&f->g, kp, nonce, block_limit, tx, PU_ADD, user, "1", NULL);
}

static int
submit_raw(fixture_t *f, bl_span_t raw, uint64_t now)
{
    return txpool_submit(f->p, raw, now, NULL);
}

static int
submit(fixture_t *f, const tx_t *tx, uint64_t now)
{
    bl_buf_t raw = BL_BUF_INIT;
    int status;

    tx_encode(f->g.suite, tx, &raw);
    status = submit_raw(f, bl_buf_span(&raw), now);
    bl_buf_free(&raw);
    return status;
}

/* The pool answers `status` and is left exactly as it was: same size, same first tx, and the
 * refused transaction not in it (unless it was there already). */
static void
assert_refused(fixture_t *f, const tx_t *tx, int status)
{
    size_t before = txpool_size(f->p);
    bool had = txpool_contains(f->p, tx->hash);
    int got = submit(f, tx, NOW);

    if (got != status)
        fail_msg("wanted status %d (%s), got %d (%s): %s", status, tx_status_name(status), got,
                 tx_status_name(got), bl_errmsg());
    assert_int_equal(txpool_size(f->p), before);
    assert_true(txpool_contains(f->p, tx->hash) == had);
}

static void
assert_accepted(fixture_t *f, const tx_t *tx)
{
    int got = submit(f, tx, NOW);

    if (got != TX_OK)
        fail_msg("refused with %d (%s): %s", got, tx_status_name(got), bl_errmsg());
    assert_true(txpool_contains(f->p, tx->hash));
}

/* Commit a block of txs to the ledger and tell the pool, as the node does. */
static void
commit(fixture_t *f, const tx_t *txs, size_t n)
{
    block_t b;

    pu_commit(&f->g, txs, n, &b);
    assert_int_equal(txpool_on_commit(f->p, &b), BL_OK);
    block_free(&b);
}

/* ---- admission ---- */

/* A good transaction is kept, can be fetched by hash for broadcast, and goes to the sealer. */
static void
txpool_accepts_a_good_tx_and_hands_it_out(void **state)
{
    fixture_t *f = *state;
    uint8_t hash[32];
    bl_buf_t raw = BL_BUF_INIT;
    tx_t tx, got, *top;
    size_t n;

    make_tx(f, &f->g.alice, 1, 500, &tx);
    tx_encode(f->g.suite, &tx, &raw);
    assert_int_equal(txpool_submit(f->p, bl_buf_span(&raw), NOW, hash), TX_OK);
    assert_memory_equal(hash, tx.hash, 32);
    assert_int_equal(txpool_size(f->p), 1);
    assert_int_equal(txpool_get(f->p, tx.hash, &got), BL_OK);
    assert_memory_equal(got.sender, tx.sender, 20);
    tx_free(&got);
    assert_int_equal(txpool_top(f->p, 10, NOW, &top, &n), BL_OK);
    assert_int_equal(n, 1);
    assert_memory_equal(top[0].hash, tx.hash, 32);
    tx_free(&top[0]);
    free(top);
    assert_int_equal(txpool_size(f->p), 1); /* top does not take it out: the commit does */
    bl_buf_free(&raw);
    tx_free(&tx);
}

/* Bytes that are not RLP: BadRLP (2); RLP that is no transaction: MalformedTx (10005). */
static void
txpool_refuses_bad_rlp_and_malformed_txs(void **state)
{
    fixture_t *f = *state;
    const uint8_t not_rlp[] = { 0xf8, 0x40, 0x01 };
    bl_buf_t raw = BL_BUF_INIT;
    size_t list;
    tx_t tx;

    assert_int_equal(submit_raw(f, bl_span(not_rlp, sizeof not_rlp), NOW), TX_BAD_RLP);
    assert_int_equal(submit_raw(f, bl_span(NULL, 0), NOW), TX_BAD_RLP);
    list = rlp_list_begin(&raw);
    rlp_put_uint(&raw, 1);
    rlp_put_uint(&raw, 2);
    rlp_list_end(&raw, list);
    assert_int_equal(submit_raw(f, bl_buf_span(&raw), NOW), TX_MALFORMED_TX);
    make_tx(f, &f->g.alice, 1, 500, &tx); /* a good tx cut short is not RLP */
    bl_buf_clear(&raw);
    tx_encode(f->g.suite, &tx, &raw);
    assert_int_equal(submit_raw(f, bl_span(raw.data, raw.len - 1), NOW), TX_BAD_RLP);
    assert_int_equal(txpool_size(f->p), 0);
    bl_buf_free(&raw);
    tx_free(&tx);
}

/* A signature from which no sender can be recovered: FISCO's verify() answers Malformed, which
 * notifyReceipt turns into MalformedTx (10005). */
static void
txpool_refuses_a_bad_signature_as_malformed(void **state)
{
    fixture_t *f = *state;
    tx_t tx;

    make_tx(f, &f->g.alice, 1, 500, &tx);
    memset(tx.sig, 0, 32); /* r = 0 */
    assert_refused(f, &tx, TX_MALFORMED_TX);
    assert_non_null(strstr(bl_errmsg(), "signature"));
    tx_free(&tx);
}

/* On an SM chain the key travels with the signature: a changed byte fails the check. */
static void
txpool_refuses_a_tampered_sm_tx_as_malformed(void **state)
{
    fixture_t *f = *state;
    tx_t tx;

    make_tx(f, &f->g.alice, 1, 500, &tx);
    tx.data.data[tx.data.len - 1] ^= 1;
    assert_refused(f, &tx, TX_MALFORMED_TX);
    tx.data.data[tx.data.len - 1] ^= 1;
    assert_accepted(f, &tx);
    tx_free(&tx);
}

/* chainId and groupId must be this chain's and this group's: 10002, 10003. */
static void
txpool_refuses_another_chain_or_group(void **state)
{
    fixture_t *f = *state;
    tx_t tx;

    make_tx(f, &f->g.alice, 1, 500, &tx);
    bl_u256_from_u64(&tx.chain_id, 2);
    assert_int_equal(tx_sign(&tx, &f->g.alice), BL_OK);
    assert_refused(f, &tx, TX_INVALID_CHAIN_ID);
    bl_u256_from_u64(&tx.chain_id, PU_CHAIN_ID);
    bl_u256_from_u64(&tx.group_id, 2);
    assert_int_equal(tx_sign(&tx, &f->g.alice), BL_OK);
    assert_refused(f, &tx, TX_INVALID_GROUP_ID);
    tx_free(&tx);
}

/* isBlockLimitOk: current < blockLimit <= current + 1000, else BlockLimitCheckFail (16). */
static void
txpool_refuses_a_block_limit_outside_the_window(void **state)
{
    fixture_t *f = *state;
    tx_t tx;

    make_tx(f, &f->g.alice, 1, 0, &tx); /* expired: the current block is 0 */
    assert_refused(f, &tx, TX_BLOCK_LIMIT_CHECK_FAIL);
    tx_free(&tx);
    make_tx(f, &f->g.alice, 1, 1001, &tx); /* too far ahead */
    assert_refused(f, &tx, TX_BLOCK_LIMIT_CHECK_FAIL);
    tx_free(&tx);
    make_tx(f, &f->g.alice, 1, 1000, &tx); /* the last block it may name */
    assert_accepted(f, &tx);
    tx_free(&tx);
    make_tx(f, &f->g.alice, 2, 1, &tx); /* the first */
    assert_accepted(f, &tx);
    tx_free(&tx);
}

/* The same bytes twice: AlreadyKnown (10000); the same nonce in another pending tx:
 * NonceCheckFail (15, FISCO's TxPoolNonceCheckFail). */
static void
txpool_refuses_a_known_hash_and_a_pending_nonce(void **state)
{
    fixture_t *f = *state;
    tx_t a, b;

    make_tx(f, &f->g.alice, 7, 500, &a);
    make_tx(f, &f->g.bob, 7, 500, &b);
    assert_accepted(f, &a);
    assert_refused(f, &a, TX_ALREADY_KNOWN);
    assert_refused(f, &b, TX_NONCE_CHECK_FAIL);
    tx_free(&a);
    tx_free(&b);
}

/* [tx_pool] limit reached: TxPoolIsFull (28), checked before anything else as in import(). */
static void
txpool_refuses_when_full(void **state)
{
    fixture_t *f = *state;
    tx_t a, b, c;

    new_pool(f, 2, 0);
    make_tx(f, &f->g.alice, 1, 500, &a);
    make_tx(f, &f->g.alice, 2, 500, &b);
    make_tx(f, &f->g.alice, 3, 500, &c);
    assert_accepted(f, &a);
    assert_accepted(f, &b);
    assert_refused(f, &c, TX_TXPOOL_IS_FULL);
    assert_refused(f, &a, TX_TXPOOL_IS_FULL); /* even a known one: capacity comes first */
    tx_free(&a);
    tx_free(&b);
    tx_free(&c);
}

/* The checks run in FISCO's order: the cheap ones first, the signature after the ledger nonce
 * and the blockLimit, the pending nonce before chainId and groupId. */
static void
txpool_checks_in_fisco_order(void **state)
{
    fixture_t *f = *state;
    tx_t on_chain, tx;

    make_tx(f, &f->g.alice, 5, 500, &on_chain);
    commit(f, &on_chain, 1);

    make_tx(f, &f->g.bob, 5, 0, &tx);      /* ledger nonce and expired blockLimit */
    memset(tx.sig, 0, 32);                 /* and no valid signature */
    assert_refused(f, &tx, TX_NONCE_CHECK_FAIL);
    tx_free(&tx);
    make_tx(f, &f->g.bob, 6, 0, &tx);      /* expired blockLimit, bad signature */
    memset(tx.sig, 0, 32);
    assert_refused(f, &tx, TX_BLOCK_LIMIT_CHECK_FAIL);
    tx_free(&tx);
    make_tx(f, &f->g.bob, 6, 500, &tx);    /* bad signature, wrong chain */
    bl_u256_from_u64(&tx.chain_id, 9);
    memset(tx.sig, 0, 32);
    assert_refused(f, &tx, TX_MALFORMED_TX);
    tx_free(&tx);

    make_tx(f, &f->g.alice, 8, 500, &tx);
    assert_accepted(f, &tx);
    tx_free(&tx);
    make_tx(f, &f->g.bob, 8, 500, &tx);    /* pending nonce, wrong chain and group */
    bl_u256_from_u64(&tx.chain_id, 9);
    bl_u256_from_u64(&tx.group_id, 9);
    assert_int_equal(tx_sign(&tx, &f->g.bob), BL_OK);
    assert_refused(f, &tx, TX_NONCE_CHECK_FAIL);
    tx_free(&tx);
    make_tx(f, &f->g.bob, 9, 500, &tx);    /* wrong chain and group */
    bl_u256_from_u64(&tx.chain_id, 9);
    bl_u256_from_u64(&tx.group_id, 9);
    assert_int_equal(tx_sign(&tx, &f->g.bob), BL_OK);
    assert_refused(f, &tx, TX_INVALID_CHAIN_ID);
    tx_free(&tx);
    tx_free(&on_chain);
}

/* ---- the ledger nonce window ---- */

/* A nonce in the last 1000 blocks: NonceCheckFail (15), whether the pool saw the block commit
 * (txpool_on_commit) or read it from _sys_block_2_nonces_ when it was made. */
static void
txpool_refuses_a_nonce_already_on_chain(void **state)
{
    fixture_t *f = *state;
    tx_t on_chain, replay;

    make_tx(f, &f->g.alice, 42, 500, &on_chain);
    commit(f, &on_chain, 1);
    make_tx(f, &f->g.bob, 42, 500, &replay);
    assert_refused(f, &replay, TX_NONCE_CHECK_FAIL);
    new_pool(f, 0, 0); /* a node that starts now loads the window from the ledger */
    assert_refused(f, &replay, TX_NONCE_CHECK_FAIL);
    tx_free(&on_chain);
    tx_free(&replay);
}

/* A committed transaction sent again is refused: first by its nonce, and once its block has
 * left the window, by its blockLimit — the two rules together forget nothing that matters.
 * (Window 3 here, so that "1000 blocks later" takes four blocks.) */
static void
txpool_refuses_a_committed_tx_replayed_later(void **state)
{
    fixture_t *f = *state;
    tx_t tx;

    new_pool(f, 0, 3);
    make_tx(f, &f->g.alice, 1, 3, &tx);
    assert_accepted(f, &tx);
    commit(f, &tx, 1);                     /* block 1 */
    assert_int_equal(txpool_size(f->p), 0);
    assert_refused(f, &tx, TX_NONCE_CHECK_FAIL);
    for (int i = 0; i < 4; i++)
        commit(f, NULL, 0);                /* blocks 2..5: block 1 leaves the window */
    assert_int_equal(txpool_current(f->p), 5);
    assert_refused(f, &tx, TX_BLOCK_LIMIT_CHECK_FAIL);
    tx_free(&tx);
}

/* A block the pool was not told about is read from the ledger when a later one arrives. */
static void
txpool_on_commit_reads_skipped_blocks_from_the_ledger(void **state)
{
    fixture_t *f = *state;
    tx_t a, b;
    block_t b2;

    make_tx(f, &f->g.alice, 100, 500, &a);
    make_tx(f, &f->g.bob, 100, 500, &b);
    pu_commit(&f->g, &a, 1, NULL);         /* block 1: the pool is not told */
    pu_commit(&f->g, NULL, 0, &b2);        /* block 2: it is */
    assert_int_equal(txpool_on_commit(f->p, &b2), BL_OK);
    assert_int_equal(txpool_current(f->p), 2);
    assert_refused(f, &b, TX_NONCE_CHECK_FAIL);
    block_free(&b2);
    tx_free(&a);
    tx_free(&b);
}

/* txpool_on_commit removes the block's txs and frees their pending nonces. */
static void
txpool_on_commit_removes_the_included_txs(void **state)
{
    fixture_t *f = *state;
    tx_t a, b;

    make_tx(f, &f->g.alice, 1, 500, &a);
    make_tx(f, &f->g.alice, 2, 500, &b);
    assert_accepted(f, &a);
    assert_accepted(f, &b);
    commit(f, &a, 1);
    assert_int_equal(txpool_size(f->p), 1);
    assert_false(txpool_contains(f->p, a.hash));
    assert_true(txpool_contains(f->p, b.hash));
    tx_free(&a);
    tx_free(&b);
}

/* ---- the sealer's view ---- */

/* top() gives up to max txs in arrival order, copies the caller owns. */
static void
txpool_top_gives_arrival_order_up_to_max(void **state)
{
    fixture_t *f = *state;
    uint64_t nonces[3] = { 30, 10, 20 };
    tx_t txs[3], *top;
    size_t n;

    for (int i = 0; i < 3; i++) {
        make_tx(f, &f->g.alice, nonces[i], 500, &txs[i]);
        assert_accepted(f, &txs[i]);
    }
    assert_int_equal(txpool_top(f->p, 2, NOW, &top, &n), BL_OK);
    assert_int_equal(n, 2);
    assert_memory_equal(top[0].hash, txs[0].hash, 32);
    assert_memory_equal(top[1].hash, txs[1].hash, 32);
    for (size_t i = 0; i < n; i++)
        tx_free(&top[i]);
    free(top);
    for (int i = 0; i < 3; i++)
        tx_free(&txs[i]);
}

/* topTransactions re-checks: a tx whose blockLimit passed and a tx that waited longer than
 * txs_expiration_time are dropped (and, as FISCO's m_dropped, refused later as AlreadyInChain,
 * 10001); a tx whose nonce another node's block used is skipped and removed. */
static void
txpool_top_drops_what_can_no_longer_be_included(void **state)
{
    fixture_t *f = *state;
    tx_t soon, old, rival, theirs, fresh, *top;
    size_t n;

    make_tx(f, &f->g.alice, 1, 1, &soon);          /* may go into block 1 only */
    make_tx(f, &f->g.alice, 2, 500, &old);
    make_tx(f, &f->g.alice, 3, 500, &rival);
    make_tx(f, &f->g.bob, 3, 500, &theirs);        /* same nonce, in another node's pool */
    make_tx(f, &f->g.alice, 4, 500, &fresh);
    assert_accepted(f, &soon);
    assert_int_equal(submit(f, &old, NOW - TXPOOL_EXPIRATION_MS - 1), TX_OK);
    assert_accepted(f, &rival);
    assert_accepted(f, &fresh);
    commit(f, &theirs, 1);                         /* block 1, without `soon` */

    assert_int_equal(txpool_top(f->p, 10, NOW, &top, &n), BL_OK);
    assert_int_equal(n, 1);
    assert_memory_equal(top[0].hash, fresh.hash, 32);
    tx_free(&top[0]);
    free(top);
    assert_int_equal(txpool_size(f->p), 1);
    assert_refused(f, &soon, TX_ALREADY_IN_CHAIN);
    assert_refused(f, &old, TX_ALREADY_IN_CHAIN);
    assert_refused(f, &rival, TX_NONCE_CHECK_FAIL);
    tx_free(&soon);
    tx_free(&old);
    tx_free(&rival);
    tx_free(&theirs);
    tx_free(&fresh);
}

/* A dropped tx frees its nonce: another tx may use it. */
static void
txpool_dropped_tx_frees_its_pending_nonce(void **state)
{
    fixture_t *f = *state;
    tx_t old, again, *top;
    size_t n;

    make_tx(f, &f->g.alice, 9, 500, &old);
    make_tx(f, &f->g.bob, 9, 500, &again);
    assert_int_equal(submit(f, &old, NOW), TX_OK);
    assert_refused(f, &again, TX_NONCE_CHECK_FAIL);
    assert_int_equal(txpool_top(f->p, 10, NOW + TXPOOL_EXPIRATION_MS + 1, &top, &n), BL_OK);
    assert_int_equal(n, 0);
    free(top);
    assert_accepted(f, &again);
    tx_free(&old);
    tx_free(&again);
}

/* ---- what admission costs, and what it lends ---- */

/* FISCO's TxPool::verify recovers the sender (the dear step, an elliptic-curve public-key
 * recovery) only after the cheap checks: a known hash, a dropped hash, a nonce on the chain, a
 * blockLimit out of range are refused without one, so replays and the copies every peer
 * forwards cost almost nothing. A tx that passes them is recovered exactly once. */
static void
txpool_recovers_a_sender_only_after_the_cheap_checks(void **state)
{
    fixture_t *f = *state;
    tx_t a, late, old, fresh;

    make_tx(f, &f->g.alice, 1, 500, &a);
    make_tx(f, &f->g.alice, 2, 500, &old);
    make_tx(f, &f->g.bob, 3, 2000, &late);
    make_tx(f, &f->g.bob, 4, 500, &fresh);
    commit(f, &old, 1);
    recoveries = 0;
    assert_accepted(f, &a);
    assert_int_equal(recoveries, 1);
    assert_refused(f, &a, TX_ALREADY_KNOWN);
    assert_refused(f, &old, TX_NONCE_CHECK_FAIL);
    assert_refused(f, &late, TX_BLOCK_LIMIT_CHECK_FAIL);
    assert_int_equal(recoveries, 1); /* none of the three cost a recovery */
    assert_accepted(f, &fresh);
    assert_int_equal(recoveries, 2);
    tx_free(&a);
    tx_free(&late);
    tx_free(&old);
    tx_free(&fresh);
}

/* What admission recovered, the pool lends by tx hash (consensus takes a proposal's senders
 * from it: FISCO's PBFT verifies only the txs of a PrepareReq its pool lacks); a tx it does not
 * hold, or no longer holds after its block, it knows nothing of. */
static void
txpool_sender_lends_the_sender_admission_recovered(void **state)
{
    fixture_t *f = *state;
    uint8_t pub[64], addr[20];
    tx_t a, b;

    make_tx(f, &f->g.alice, 1, 500, &a);
    make_tx(f, &f->g.bob, 2, 500, &b);
    assert_accepted(f, &a);
    recoveries = 0;
    assert_true(txpool_sender(f->p, a.hash, pub, addr));
    assert_int_equal(recoveries, 0);
    assert_memory_equal(pub, f->g.alice.pub, 64);
    assert_memory_equal(addr, a.sender, 20);
    assert_false(txpool_sender(f->p, b.hash, pub, addr));
    commit(f, &a, 1);
    assert_false(txpool_sender(f->p, a.hash, pub, addr));
    tx_free(&a);
    tx_free(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(txpool_accepts_a_good_tx_and_hands_it_out, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(txpool_refuses_bad_rlp_and_malformed_txs, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(txpool_refuses_a_bad_signature_as_malformed, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(txpool_refuses_a_tampered_sm_tx_as_malformed, setup_sm,
                                        teardown),
        cmocka_unit_test_setup_teardown(txpool_refuses_another_chain_or_group, setup, teardown),
        cmocka_unit_test_setup_teardown(txpool_refuses_a_block_limit_outside_the_window, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(txpool_refuses_a_known_hash_and_a_pending_nonce, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(txpool_refuses_when_full, setup, teardown),
        cmocka_unit_test_setup_teardown(txpool_checks_in_fisco_order, setup, teardown),
        cmocka_unit_test_setup_teardown(txpool_refuses_a_nonce_already_on_chain, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(txpool_refuses_a_committed_tx_replayed_later, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(txpool_on_commit_reads_skipped_blocks_from_the_ledger,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(txpool_on_commit_removes_the_included_txs, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(txpool_top_gives_arrival_order_up_to_max, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(txpool_top_drops_what_can_no_longer_be_included, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(txpool_dropped_tx_frees_its_pending_nonce, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(txpool_recovers_a_sender_only_after_the_cheap_checks,
                                        setup_counting, teardown),
        cmocka_unit_test_setup_teardown(txpool_sender_lends_the_sender_admission_recovered,
                                        setup_counting, teardown),
    };

    return cmocka_run_group_tests_name("txpool", tests, NULL, NULL);
}
