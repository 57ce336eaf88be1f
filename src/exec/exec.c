/*
 * exec.c — running one transaction: dispatch, gas, undo, and the receipt.
 *
 * The steps of exec_tx (FISCO's Executive: initialize, execute, finalize):
 *   1. intrinsic gas: a transaction that cannot pay for its own bytes fails at once
 *      (OutOfGasIntrinsic, 4);
 *   2. dispatch: contract creation and calls to addresses without a precompile end with
 *      FISCO's codes for them until the virtual machine arrives (BadInstruction, 10, and
 *      CallAddressError, 26); a precompile runs;
 *   3. gas: using more than the transaction allowed is OutOfGas (12);
 *   4. the end: a transaction with a non-zero status leaves no writes behind — reverted to
 *      the savepoint taken before it, or, buffered, dropped; a successful buffered transaction
 *      publishes its writes now.
 */
#include "exec/exec.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "exec/precompiled.h"
#include "ledger/status.h"

void
exec_block_init(exec_block_t *b, const suite_t *suite, amdb_t *db, state_t *state,
                int64_t number, int64_t timestamp)
{
    memset(b, 0, sizeof *b);
    b->suite = suite;
    b->db = db;
    b->state = state;
    b->number = number;
    b->timestamp = timestamp;
    b->concurrent = false;
    pthread_rwlock_init(&b->lock, NULL);
}

void
exec_block_destroy(exec_block_t *b)
{
    pthread_rwlock_destroy(&b->lock);
}

void
exec_call_init(exec_call_t *c, exec_block_t *b, const uint8_t origin[20], const uint8_t to[20],
               bl_span_t input, receipt_t *r)
{
    memset(c, 0, sizeof *c);
    c->block = b;
    memcpy(c->origin, origin, 20);
    memcpy(c->to, to, 20);
    c->input = input;
    bl_buf_init(&c->output);
    c->status = TX_OK;
    c->receipt = r;
}

static void
drop_writes(exec_call_t *c)
{
    for (size_t i = 0; i < c->nwrites; i++) {
        free(c->writes[i].key);
        entry_free(&c->writes[i].entry);
        condition_free(&c->writes[i].cond);
    }
    c->nwrites = 0;
}

void
exec_call_free(exec_call_t *c)
{
    drop_writes(c);
    free(c->writes);
    bl_buf_free(&c->output);
}

uint64_t
exec_intrinsic_gas(bl_span_t input)
{
    uint64_t gas = EXEC_GAS_TX;

    for (size_t i = 0; i < input.len; i++)
        gas += input.ptr[i] == 0 ? EXEC_GAS_ZERO_BYTE : EXEC_GAS_NONZERO_BYTE;
    return gas;
}

/* The transaction's gas limit as a 64-bit number (larger limits are as good as unlimited). */
static uint64_t
gas_limit(const tx_t *tx)
{
    uint64_t gas;

    return bl_u256_to_u64(&tx->gas, &gas) == BL_OK ? gas : UINT64_MAX;
}

/* Step 2: what the call is for. Returns an error only if the store failed. */
static int
dispatch(exec_call_t *c, const tx_t *tx)
{
    const precompile_t *p;

    if (!tx->has_to) {
        c->status = TX_BAD_INSTRUCTION; /* deploying code needs the virtual machine */
        return BL_OK;
    }
    if ((p = precompile_find(tx->to)) == NULL) {
        c->status = TX_CALL_ADDRESS_ERROR; /* no contract at this address */
        return BL_OK;
    }
    return p->call(c);
}

/* Step 4 for a buffered call: publish under the write lock, undoing a half-done publish. */
static int
publish(exec_call_t *c)
{
    exec_block_t *b = c->block;
    size_t mark;
    int rc;

    if (b->concurrent)
        pthread_rwlock_wrlock(&b->lock);
    mark = amdb_savepoint(b->db);
    if ((rc = exec_call_publish(c)) != BL_OK)
        amdb_revert(b->db, mark);
    if (b->concurrent)
        pthread_rwlock_unlock(&b->lock);
    return rc;
}

static void
fill_receipt(const exec_call_t *c, uint64_t limit, receipt_t *r)
{
    r->gas_used = c->gas_used > limit ? limit : c->gas_used;
    r->remain_gas = limit - r->gas_used;
    r->has_remain_gas = true;
    r->status = (uint64_t)c->status;
    bl_buf_clear(&r->output);
    bl_buf_append(&r->output, c->output.data, c->output.len);
    memset(r->contract_address, 0, sizeof r->contract_address);
}

int
exec_tx(exec_block_t *b, const tx_t *tx, bool buffered, receipt_t *r)
{
    exec_call_t c;
    uint64_t limit = gas_limit(tx);
    size_t mark = buffered ? 0 : amdb_savepoint(b->db);
    int rc = BL_OK;

    exec_call_init(&c, b, tx->sender, tx->to, bl_buf_span(&tx->data), r);
    c.buffered = buffered;
    c.gas_used = exec_intrinsic_gas(c.input);
    if (c.gas_used > limit)
        c.status = TX_OUT_OF_GAS_INTRINSIC;
    else
        rc = dispatch(&c, tx);
    if (rc == BL_OK && c.status == TX_OK && c.gas_used > limit)
        c.status = TX_OUT_OF_GAS;
    if (rc != BL_OK || c.status != TX_OK) {
        if (buffered)
            drop_writes(&c);
        else
            amdb_revert(b->db, mark);
        if (c.status != TX_OK)
            bl_buf_clear(&c.output);
    } else if (buffered) {
        rc = publish(&c);
    }
    if (rc == BL_OK)
        fill_receipt(&c, limit, r);
    exec_call_free(&c);
    return rc;
}
