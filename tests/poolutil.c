/*
 * poolutil.c — a small group for the ledger and pool tests (see poolutil.h).
 */
#include "poolutil.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "base/error.h"
#include "codec/abi.h"
#include "exec/executor.h"
#include "exec/precompiled.h"

#define PU_MAX_ARGS 8

void
pu_genesis(const pu_group_t *g, genesis_t *out)
{
    genesis_init(out, PU_GROUP_ID);
    out->timestamp = PU_GENESIS_TIME;
    for (int i = 0; i < PU_SEALERS; i++)
        genesis_add_sealer(out, g->sealers[i].pub);
}

void
pu_attach(pu_group_t *g)
{
    assert_int_equal(store_kv_open(g->kv, &g->store), BL_OK);
    assert_int_equal(amdb_open(g->store, g->suite, &g->db), BL_OK);
    assert_int_equal(chain_open(g->db, g->suite, &g->chain), BL_OK);
}

void
pu_detach(pu_group_t *g)
{
    chain_close(g->chain);
    amdb_close(g->db);
    store_close(g->store);
    g->chain = NULL;
    g->db = NULL;
    g->store = NULL;
}

void
pu_open(pu_group_t *g, const suite_t *suite)
{
    genesis_t gen;

    memset(g, 0, sizeof *g);
    g->suite = suite;
    for (int i = 0; i < PU_SEALERS; i++)
        tu_key(&g->sealers[i], suite, (uint8_t)(0x10 + i));
    tu_key(&g->alice, suite, 0xa1);
    tu_key(&g->bob, suite, 0xb0);
    g->kv = tu_memory_kv();
    pu_attach(g);
    pu_genesis(g, &gen);
    if (chain_init_genesis(g->chain, &gen) != BL_OK)
        fail_msg("genesis: %s", bl_errmsg());
    genesis_free(&gen);
}

void
pu_reopen(pu_group_t *g)
{
    pu_detach(g);
    pu_attach(g);
}

void
pu_close(pu_group_t *g)
{
    pu_detach(g);
    kv_close(g->kv);
    for (int i = 0; i < PU_SEALERS; i++)
        keypair_clear(&g->sealers[i]);
    keypair_clear(&g->alice);
    keypair_clear(&g->bob);
}

void
pu_dag_tx(const pu_group_t *g, const keypair_t *kp, uint64_t nonce, int64_t block_limit,
          tx_t *tx, const char *signature, ...)
{
    const char *args[PU_MAX_ARGS];
    size_t n = 0;
    const char *a;
    va_list ap;

    va_start(ap, signature);
    while ((a = va_arg(ap, const char *)) != NULL && n < PU_MAX_ARGS)
        args[n++] = a;
    va_end(ap);
    tx_init(tx);
    if (abi_encode_call_text(g->suite, signature, args, n, &tx->data) != BL_OK)
        fail_msg("cannot encode %s: %s", signature, bl_errmsg());
    bl_u256_from_u64(&tx->nonce, nonce);
    bl_u256_from_u64(&tx->gas_price, TX_DEFAULT_GAS);
    bl_u256_from_u64(&tx->gas, TX_DEFAULT_GAS);
    bl_u256_from_u64(&tx->block_limit, (uint64_t)block_limit);
    tx->has_to = true;
    precompile_address(0x5002, tx->to);
    bl_u256_from_u64(&tx->chain_id, PU_CHAIN_ID);
    bl_u256_from_u64(&tx->group_id, PU_GROUP_ID);
    assert_int_equal(tx_sign(tx, kp), BL_OK);
}

static void
sign_block(pu_group_t *g, block_t *b)
{
    uint8_t hash[32], sig[SUITE_MAX_SIG];

    block_hash(g->suite, b, hash);
    for (int i = 0; i < PU_QUORUM; i++) {
        assert_int_equal(keypair_sign(&g->sealers[i], hash, sig), BL_OK);
        block_add_sig(b, (uint64_t)i, sig, g->suite->sig_len);
    }
}

void
pu_make_block(pu_group_t *g, const tx_t *txs, size_t n, block_t *out)
{
    pte_opts_t opts = { .serial = true };
    int64_t current;

    assert_int_equal(chain_number(g->chain, &current), BL_OK);
    block_init(out);
    assert_int_equal(chain_hash_at(g->chain, current, out->header.parent_hash), BL_OK);
    out->header.number = current + 1;
    out->header.timestamp = PU_GENESIS_TIME + (current + 1) * 1000;
    out->header.sealer = (uint64_t)((current + 1) % PU_SEALERS);
    for (int i = 0; i < PU_SEALERS; i++)
        header_add_sealer(&out->header, g->sealers[i].pub);
    for (size_t i = 0; i < n; i++)
        block_add_tx(out, &txs[i]);
    if (exec_block_execute(g->suite, g->db, NULL, out, &opts) != BL_OK)
        fail_msg("executing block %lld: %s", (long long)out->header.number, bl_errmsg());
    sign_block(g, out);
}

void
pu_commit(pu_group_t *g, const tx_t *txs, size_t n, block_t *out)
{
    block_t b;

    pu_make_block(g, txs, n, &b);
    if (chain_commit_block(g->chain, &b) != BL_OK)
        fail_msg("committing block %lld: %s", (long long)b.header.number, bl_errmsg());
    if (out != NULL)
        *out = b;
    else
        block_free(&b);
}
