/*
 * exec.c — running one transaction: dispatch, gas, undo, and the receipt.
 *
 * The steps of exec_tx (FISCO's Executive: initialize, execute, finalize):
 *   1. intrinsic gas: a transaction that cannot pay for its own bytes fails at once
 *      (OutOfGasIntrinsic, 4);
 *   2. dispatch: contract creation and calls to addresses without a precompile end with
 *      FISCO's codes for them until the virtual machine arrives (BadInstruction, 10, and
 *      CallAddressError, 26); a precompile runs, or one of the block's dynamic objects (a
 *      Table, Entry, Entries or Condition that an earlier call made, see exec.h);
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

/* How many times a thread tries a taken lock again before it sleeps (see exec.h). */
#define EXEC_LOCK_SPINS 1000

void
exec_lock_read(exec_block_t *b)
{
    for (int i = 0; i < EXEC_LOCK_SPINS; i++)
        if (pthread_rwlock_tryrdlock(&b->lock) == 0)
            return;
    pthread_rwlock_rdlock(&b->lock);
}

void
exec_lock_write(exec_block_t *b)
{
    for (int i = 0; i < EXEC_LOCK_SPINS; i++)
        if (pthread_rwlock_trywrlock(&b->lock) == 0)
            return;
    pthread_rwlock_wrlock(&b->lock);
}

void
exec_unlock(exec_block_t *b)
{
    pthread_rwlock_unlock(&b->lock);
}

void
exec_block_destroy(exec_block_t *b)
{
    for (size_t i = 0; i < b->nobjects; i++)
        if (b->objects[i].cls->free != NULL)
            b->objects[i].cls->free(b->objects[i].state);
    free(b->objects);
    b->objects = NULL;
    b->nobjects = b->objects_cap = 0;
    pthread_rwlock_destroy(&b->lock);
}

/* ---- dynamic objects (exec.h explains them) ---- */

/* Object i's address: the number EXEC_OBJECT_BASE + 1 + i, written like 0x1001 is. */
static void
object_address(size_t i, uint8_t addr[20])
{
    memset(addr, 0, 20);
    bl_put_be(addr + 12, (uint64_t)EXEC_OBJECT_BASE + 1 + i, 8);
}

int
exec_register_object(exec_call_t *c, const exec_object_class_t *cls, void *state,
                     uint8_t addr[20])
{
    exec_block_t *b = c->block;
    int rc = BL_OK;

    if (c->buffered && b->concurrent)
        rc = bl_fail(BL_E_INVALID, "a %s object cannot be made by a transaction that runs "
                     "beside others", cls->name);
    else if (b->nobjects >= EXEC_OBJECTS_MAX)
        rc = bl_fail(BL_E_RANGE, "this block has made %u objects, the most it may",
                     EXEC_OBJECTS_MAX);
    if (rc != BL_OK) {
        if (cls->free != NULL)
            cls->free(state);
        return rc;
    }
    if (b->nobjects == b->objects_cap) {
        b->objects_cap = b->objects_cap ? 2 * b->objects_cap : 16;
        b->objects = bl_xrealloc(b->objects, b->objects_cap * sizeof *b->objects);
    }
    b->objects[b->nobjects].cls = cls;
    b->objects[b->nobjects].state = state;
    object_address(b->nobjects++, addr);
    return BL_OK;
}

bool
exec_is_object_address(const uint8_t addr[20])
{
    static const uint8_t zeros[12] = { 0 };

    return memcmp(addr, zeros, sizeof zeros) == 0 && bl_get_be(addr + 12, 8) > EXEC_OBJECT_BASE;
}

/* The block's object at addr, or NULL. */
static const exec_object_t *
object_find(const exec_block_t *b, const uint8_t addr[20])
{
    uint64_t i;

    if (!exec_is_object_address(addr))
        return NULL;
    i = bl_get_be(addr + 12, 8) - EXEC_OBJECT_BASE - 1;
    return i < b->nobjects ? &b->objects[i] : NULL;
}

void *
exec_object_at(const exec_block_t *b, const uint8_t addr[20], const exec_object_class_t *cls)
{
    const exec_object_t *o = object_find(b, addr);

    return o != NULL && (cls == NULL || o->cls == cls) ? o->state : NULL;
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
    const exec_object_t *o;

    if (!tx->has_to) {
        c->status = TX_BAD_INSTRUCTION; /* deploying code needs the virtual machine */
        return BL_OK;
    }
    if ((p = precompile_find(tx->to)) != NULL)
        return p->call(c);
    if ((o = object_find(c->block, tx->to)) != NULL)
        return o->cls->call(c, o->state); /* a Table, Entry, ... made earlier in the block */
    c->status = TX_CALL_ADDRESS_ERROR; /* no contract at this address */
    return BL_OK;
}

/* Step 4 for a buffered call: publish under the write lock, undoing a half-done publish. */
static int
publish(exec_call_t *c)
{
    exec_block_t *b = c->block;
    size_t mark;
    int rc;

    if (b->concurrent)
        exec_lock_write(b);
    mark = amdb_savepoint(b->db);
    if ((rc = exec_call_publish(c)) != BL_OK)
        amdb_revert(b->db, mark);
    if (b->concurrent)
        exec_unlock(b);
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
