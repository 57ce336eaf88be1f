/*
 * test_chain.c — the ledger of one group in its system tables (ledger/chain.c): the genesis
 * block written once and checked on every start, blocks written with their state in one atomic
 * commit and read back through FISCO's tables (fisco-2x-facts §1.10, §6.2, §7.2), and the blocks
 * a ledger must refuse (FISCO's BlockChainImp::commitBlock: ERROR_NUMBER, ERROR_PARENT_HASH).
 */
#include "testutil.h"
#include "poolutil.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "exec/pc_system.h"
#include "ledger/status.h"

/* The balance DagTransfer keeps for user (its row in u_dag_transfer). */
static int64_t
balance(pu_group_t *g, const char *user)
{
    table_t *t;
    entries_t rows;
    int64_t v = -1;
    const bl_buf_t *b;

    entries_init(&rows);
    assert_int_equal(amdb_open_table(g->db, "u_dag_transfer", &t), BL_OK);
    assert_int_equal(table_select(t, user, NULL, &rows), BL_OK);
    assert_int_equal(rows.count, 1);
    b = entry_get(&rows.items[0], "user_balance");
    assert_non_null(b);
    assert_true(pc_sysconfig_parse_int((const char *)b->data, b->len, &v));
    entries_free(&rows);
    return v;
}

static int64_t
height(pu_group_t *g)
{
    int64_t n = -1;

    assert_int_equal(chain_number(g->chain, &n), BL_OK);
    return n;
}

/* FISCO writes block 0, the genesis sealers (enable_num 0) and the config once; a restart with
 * the same genesis finds block 0 and writes nothing. */
static void
chain_genesis_is_written_once_and_checked_on_reopen(void **state)
{
    pu_group_t g;
    genesis_t gen;
    block_t want, got;
    uint8_t want_hash[32], got_hash[32];
    pc_node_list_t sealers;
    int64_t v, total = -1, failed = -1;
    size_t pairs, nsigs = 9;
    block_sig_t *sigs = NULL;
    header_t h;

    (void)state;
    pu_open(&g, suite_ecdsa());
    pu_genesis(&g, &gen);
    assert_int_equal(genesis_block(g.suite, &gen, &want), BL_OK);
    block_hash(g.suite, &want, want_hash);
    assert_int_equal(height(&g), 0);
    assert_int_equal(chain_hash_at(g.chain, 0, got_hash), BL_OK);
    assert_memory_equal(got_hash, want_hash, 32);
    assert_int_equal(chain_block_at(g.chain, 0, &got), BL_OK);
    assert_int_equal(got.header.nextra, 1); /* the genesis mark */
    assert_int_equal(got.header.extra[0].len, want.header.extra[0].len);
    assert_memory_equal(got.header.extra[0].data, want.header.extra[0].data,
                        want.header.extra[0].len);
    assert_int_equal(chain_header_at(g.chain, 0, &h, &sigs, &nsigs), BL_OK);
    header_hash(g.suite, &h, got_hash);
    assert_memory_equal(got_hash, want_hash, 32);
    assert_int_equal(nsigs, 0); /* nobody signs block 0 */
    header_free(&h);
    free(sigs);
    pc_node_list_init(&sealers);
    assert_int_equal(pc_consensus_members(g.db, 0, &sealers, NULL), BL_OK);
    assert_int_equal(sealers.count, PU_SEALERS);
    assert_int_equal(pc_sysconfig_get_int(g.db, PC_SYSCONFIG_TX_COUNT_LIMIT, 0, &v), BL_OK);
    assert_int_equal(v, GENESIS_MAX_TRANS_NUM);
    assert_int_equal(pc_sysconfig_get_int(g.db, PC_SYSCONFIG_TX_GAS_LIMIT, 0, &v), BL_OK);
    assert_int_equal(v, GENESIS_TX_GAS_LIMIT);
    assert_int_equal(chain_total_txs(g.chain, &total, &failed), BL_OK);
    assert_int_equal(total, 0);
    assert_int_equal(failed, 0);

    pairs = tu_kv_count(g.kv);
    pu_reopen(&g);
    assert_int_equal(chain_init_genesis(g.chain, &gen), BL_OK);
    assert_false(amdb_dirty(g.db));
    assert_int_equal(tu_kv_count(g.kv), pairs);
    assert_int_equal(height(&g), 0);

    pc_node_list_free(&sealers);
    block_free(&got);
    block_free(&want);
    genesis_free(&gen);
    pu_close(&g);
}

/* The genesis config goes into _sys_config_ as SystemConfig stores it (decimal, enable_num 0). */
static void
chain_genesis_config_is_read_by_the_system_config(void **state)
{
    pu_group_t g;
    genesis_t gen;
    int64_t v;

    (void)state;
    memset(&g, 0, sizeof g);
    g.suite = suite_ecdsa();
    tu_key(&g.sealers[0], g.suite, 0x10);
    g.kv = tu_memory_kv();
    pu_attach(&g);
    assert_int_equal(chain_number(g.chain, &v), BL_E_NOTFOUND); /* no genesis yet */
    genesis_init(&gen, 7);
    genesis_add_sealer(&gen, g.sealers[0].pub);
    gen.max_trans_num = 500;
    gen.tx_gas_limit = 200000;
    assert_int_equal(chain_init_genesis(g.chain, &gen), BL_OK);
    assert_int_equal(pc_sysconfig_get_int(g.db, PC_SYSCONFIG_TX_COUNT_LIMIT, 0, &v), BL_OK);
    assert_int_equal(v, 500);
    assert_int_equal(pc_sysconfig_get_int(g.db, PC_SYSCONFIG_TX_GAS_LIMIT, 0, &v), BL_OK);
    assert_int_equal(v, 200000);
    genesis_free(&gen);
    pu_detach(&g);
    kv_close(g.kv);
    keypair_clear(&g.sealers[0]);
}

/* Data founded from one genesis is refused with another (FISCO only warns; bcoslab refuses, so
 * a node never joins the wrong group silently), and nothing is written. */
static void
chain_refuses_data_from_a_different_genesis(void **state)
{
    pu_group_t g;
    genesis_t gen;
    size_t pairs;

    (void)state;
    pu_open(&g, suite_ecdsa());
    pairs = tu_kv_count(g.kv);
    pu_reopen(&g);
    pu_genesis(&g, &gen);
    gen.max_trans_num = 999;
    assert_int_equal(chain_init_genesis(g.chain, &gen), BL_E_INVALID);
    assert_non_null(strstr(bl_errmsg(), "different genesis"));
    assert_false(amdb_dirty(g.db));
    assert_int_equal(tu_kv_count(g.kv), pairs);
    genesis_free(&gen);
    pu_close(&g);
}

/* Two DagTransfer blocks: add alice and bob, then alice pays bob twice. */
static void
commit_two_blocks(pu_group_t *g, block_t blocks[2], tx_t txs[4])
{
    pu_dag_tx(g, &g->alice, 11, 500, &txs[0], PU_ADD, "alice", "1000", NULL);
    pu_dag_tx(g, &g->bob, 12, 500, &txs[1], PU_ADD, "bob", "1000", NULL);
    pu_dag_tx(g, &g->alice, 21, 500, &txs[2], PU_DAG, "alice", "bob", "10", NULL);
    pu_dag_tx(g, &g->alice, 22, 500, &txs[3], PU_DAG, "alice", "bob", "15", NULL);
    pu_commit(g, &txs[0], 2, &blocks[0]);
    pu_commit(g, &txs[2], 2, &blocks[1]);
}

static void
assert_same_block(const suite_t *suite, const block_t *a, const block_t *b)
{
    bl_buf_t x = BL_BUF_INIT, y = BL_BUF_INIT;

    block_encode(suite, a, &x);
    block_encode(suite, b, &y);
    assert_int_equal(x.len, y.len);
    assert_memory_equal(x.data, y.data, x.len);
    bl_buf_free(&x);
    bl_buf_free(&y);
}

/* Everything FISCO's ledger answers comes back from the tables after a restart: height, hashes,
 * blocks with receipts and commit signatures, headers with sigs, tx locations, nonces, counts. */
static void
assert_ledger_is_back(pu_group_t *g, const block_t blocks[2], const tx_t txs[4])
{
    uint8_t hash[32], want[32];
    block_t got;
    header_t h;
    block_sig_t *sigs = NULL;
    size_t nsigs = 0, count = 0;
    bl_u256_t *nonces = NULL;
    int64_t number, total, failed;
    uint64_t index;

    assert_int_equal(height(g), 2);
    for (int b = 0; b < 2; b++) {
        block_hash(g->suite, &blocks[b], want);
        assert_int_equal(chain_hash_at(g->chain, b + 1, hash), BL_OK);
        assert_memory_equal(hash, want, 32);
        assert_int_equal(chain_block_at(g->chain, b + 1, &got), BL_OK);
        assert_int_equal(got.nreceipts, 2);
        assert_int_equal(got.nsigs, PU_QUORUM);
        assert_same_block(g->suite, &got, &blocks[b]);
        assert_memory_equal(got.txs[1].sender, txs[2 * b + 1].sender, 20);
        block_free(&got);
        /* read as stored: the same block, hashes and all, but no sender recovered */
        assert_int_equal(chain_block_stored(g->chain, b + 1, &got), BL_OK);
        block_hash(g->suite, &got, hash);
        assert_memory_equal(hash, want, 32);
        assert_memory_equal(got.txs[1].hash, txs[2 * b + 1].hash, 32);
        assert_memory_equal(got.txs[1].sender, (uint8_t[20]){ 0 }, 20);
        block_free(&got);
        assert_int_equal(chain_header_at(g->chain, b + 1, &h, &sigs, &nsigs), BL_OK);
        header_hash(g->suite, &h, hash);
        assert_memory_equal(hash, want, 32);
        assert_int_equal(nsigs, PU_QUORUM);
        assert_memory_equal(sigs[2].sig, blocks[b].sigs[2].sig, g->suite->sig_len);
        header_free(&h);
        free(sigs);
        assert_int_equal(chain_nonces_at(g->chain, b + 1, &nonces, &count), BL_OK);
        assert_int_equal(count, 2);
        assert_memory_equal(nonces[1].be, txs[2 * b + 1].nonce.be, 32);
        free(nonces);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(chain_tx_location(g->chain, txs[i].hash, &number, &index), BL_OK);
        assert_int_equal(number, i / 2 + 1);
        assert_int_equal(index, (uint64_t)(i % 2));
    }
    assert_int_equal(chain_total_txs(g->chain, &total, &failed), BL_OK);
    assert_int_equal(total, 4);
    assert_int_equal(failed, 0);
    assert_int_equal(balance(g, "alice"), 975);
    assert_int_equal(balance(g, "bob"), 1025);
}

/* The executor's state changes and the ledger rows of a block are one atomic write: after a
 * restart both are there; a block executed and written but not committed leaves neither. */
static void
chain_blocks_commit_with_their_state_and_come_back(void **state)
{
    const suite_t *suite = *state;
    pu_group_t g;
    block_t blocks[2], third;
    tx_t txs[4], pay;

    pu_open(&g, suite);
    commit_two_blocks(&g, blocks, txs);
    pu_reopen(&g);
    assert_ledger_is_back(&g, blocks, txs);

    pu_dag_tx(&g, &g.alice, 31, 500, &pay, PU_DAG, "alice", "bob", "100", NULL);
    pu_make_block(&g, &pay, 1, &third);
    assert_int_equal(chain_write_block(g.chain, &third), BL_OK);
    assert_int_equal(height(&g), 3);          /* visible before the commit... */
    assert_int_equal(balance(&g, "alice"), 875);
    pu_reopen(&g);                            /* ...gone if the node dies before it */
    assert_ledger_is_back(&g, blocks, txs);

    block_free(&third);
    tx_free(&pay);
    for (int i = 0; i < 4; i++)
        tx_free(&txs[i]);
    block_free(&blocks[0]);
    block_free(&blocks[1]);
    pu_close(&g);
}

/* FISCO's commitBlock refuses a number that is not current + 1 (ERROR_NUMBER) and a parent that
 * is not the current block (ERROR_PARENT_HASH); bcoslab also refuses a block without its
 * receipts. A refused block writes no ledger row. */
static void
chain_refuses_wrong_number_or_parent_and_writes_nothing(void **state)
{
    pu_group_t g;
    block_t b;
    tx_t tx;
    size_t mark;
    int64_t number;
    uint64_t index;

    (void)state;
    pu_open(&g, suite_ecdsa());
    pu_dag_tx(&g, &g.alice, 1, 500, &tx, PU_ADD, "alice", "1", NULL);
    pu_make_block(&g, &tx, 1, &b);
    mark = amdb_savepoint(g.db);

    b.header.number = 2;
    assert_int_equal(chain_write_block(g.chain, &b), BL_E_INVALID);
    assert_non_null(strstr(bl_errmsg(), "the next block is 1"));
    b.header.number = 0;
    assert_int_equal(chain_commit_block(g.chain, &b), BL_E_INVALID);
    b.header.number = 1;
    b.header.parent_hash[0] ^= 1;
    assert_int_equal(chain_commit_block(g.chain, &b), BL_E_INVALID);
    assert_non_null(strstr(bl_errmsg(), "names parent"));
    b.header.parent_hash[0] ^= 1;
    b.nreceipts = 0;
    assert_int_equal(chain_write_block(g.chain, &b), BL_E_INVALID);
    b.nreceipts = 1;

    assert_int_equal(amdb_savepoint(g.db), mark); /* not one row more than the execution */
    assert_int_equal(height(&g), 0);
    assert_int_equal(chain_tx_location(g.chain, tx.hash, &number, &index), BL_E_NOTFOUND);
    assert_int_equal(chain_commit_block(g.chain, &b), BL_OK); /* the right block still goes */
    assert_int_equal(height(&g), 1);

    tx_free(&tx);
    block_free(&b);
    pu_close(&g);
}

/* Asking for what is not there is BL_E_NOTFOUND, never a crash or an empty answer. */
static void
chain_missing_blocks_and_txs_are_not_found(void **state)
{
    pu_group_t g;
    uint8_t hash[32] = { 0 };
    block_t b;
    header_t h;
    bl_u256_t *nonces;
    size_t count;
    int64_t number;
    uint64_t index;

    (void)state;
    pu_open(&g, suite_ecdsa());
    assert_int_equal(chain_hash_at(g.chain, 1, hash), BL_E_NOTFOUND);
    assert_int_equal(chain_block_at(g.chain, 1, &b), BL_E_NOTFOUND);
    block_free(&b);
    assert_int_equal(chain_header_at(g.chain, -1, &h, NULL, NULL), BL_E_NOTFOUND);
    assert_int_equal(chain_nonces_at(g.chain, 1, &nonces, &count), BL_E_NOTFOUND);
    assert_int_equal(chain_nonces_at(g.chain, 0, &nonces, &count), BL_OK);
    assert_int_equal(count, 0);
    free(nonces);
    assert_int_equal(chain_tx_location(g.chain, hash, &number, &index), BL_E_NOTFOUND);
    pu_close(&g);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(chain_genesis_is_written_once_and_checked_on_reopen),
        cmocka_unit_test(chain_genesis_config_is_read_by_the_system_config),
        cmocka_unit_test(chain_refuses_data_from_a_different_genesis),
        cmocka_unit_test_prestate(chain_blocks_commit_with_their_state_and_come_back,
                                  (void *)suite_ecdsa()),
        cmocka_unit_test_prestate(chain_blocks_commit_with_their_state_and_come_back,
                                  (void *)suite_sm()),
        cmocka_unit_test(chain_refuses_wrong_number_or_parent_and_writes_nothing),
        cmocka_unit_test(chain_missing_blocks_and_txs_are_not_found),
    };

    return cmocka_run_group_tests_name("chain", tests, NULL, NULL);
}
