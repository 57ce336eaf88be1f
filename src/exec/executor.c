/*
 * executor.c — one block, start to finish: the DAG, the transactions (serially here, or on
 * the worker pool of pte.c), the state root computed once at the end, and the header.
 *
 * Why the root is computed once (fisco-2x-facts §5.3). A receipt carries a state root. A
 * serial chain could put in each receipt the root after that transaction; but when
 * transactions run at the same time there is no "state after transaction 7" that every node
 * would agree on — only the state after all of them is the same everywhere. So FISCO computes
 * the root after the block, and every receipt of the block carries that final root; the
 * serial executor does the same, so the two give identical receipts.
 *
 * The serial executor is the reference: the same DAG, the same per-transaction path
 * (pte_run_tx: buffered for a parallel transaction, direct for a barrier), only one
 * transaction at a time, in block order, on the calling thread, with no locks.
 */
#include "exec/executor.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"
#include "ledger/merkle.h"

unsigned
pte_default_workers(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n < 1 ? 1 : (unsigned)n;
}

void
pte_trace_free(pte_trace_t *t)
{
    txdag_free(&t->dag);
    free(t->runs);
    memset(t, 0, sizeof *t);
}

uint64_t
pte_now(const pte_job_t *job)
{
    struct timespec ts;

    if (job->opts->clock != NULL)
        return job->opts->clock(job->opts->clock_arg);
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* FISCO's executive asks tx->sender(), which recovers the signer on first use. */
int
pte_recover_sender(pte_job_t *job, size_t i)
{
    const suite_t *suite = job->ctx->suite;
    tx_t *tx = &job->blk->txs[i];
    uint8_t hash[32];

    if (tx->sig_len != suite->sig_len)
        return bl_fail(BL_E_SIGNATURE, "transaction %zu: a %zu-byte signature, the %s suite "
                       "signs with %zu bytes", i, tx->sig_len, suite->name, suite->sig_len);
    tx_signing_hash(suite, tx, hash);
    if (suite->recover(hash, tx->sig, tx->sender_pub) != BL_OK)
        return bl_fail(BL_E_SIGNATURE, "transaction %zu: the signature does not verify", i);
    suite_address(suite, tx->sender_pub, tx->sender);
    return BL_OK;
}

int
pte_run_tx(pte_job_t *job, size_t i, unsigned worker)
{
    exec_block_t *ctx = job->ctx;
    tx_t *tx = &job->blk->txs[i];
    bool buffered = job->dag->nodes[i].parallel;
    int rc = BL_OK;

    job->runs[i].worker = worker;
    job->runs[i].start_ns = pte_now(job);
    if (job->opts->recover_senders && !job->runs[i].sender_early)
        rc = pte_recover_sender(job, i);
    if (rc == BL_OK && !buffered && ctx->concurrent) {
        /* a barrier: the DAG already keeps every other tx away; the lock says so to anyone
         * who reads the tables (and to ThreadSanitizer) */
        exec_lock_write(ctx);
        rc = exec_tx(ctx, tx, false, &job->blk->receipts[i]);
        exec_unlock(ctx);
    } else if (rc == BL_OK) {
        rc = exec_tx(ctx, tx, buffered, &job->blk->receipts[i]);
    }
    job->runs[i].end_ns = pte_now(job);
    return rc;
}

/* The serial executor. */
int
pte_serial_in_block_order(pte_job_t *job)
{
    int rc = BL_OK;

    for (size_t i = 0; rc == BL_OK && i < job->blk->ntxs; i++)
        rc = pte_run_tx(job, i, 0);
    return rc;
}

pte_serial_fn pte_serial_run = pte_serial_in_block_order;

/* One fresh receipt per transaction, replacing any the block had. */
static void
reset_receipts(block_t *blk)
{
    for (size_t i = 0; i < blk->nreceipts; i++)
        receipt_free(&blk->receipts[i]);
    free(blk->receipts);
    blk->receipts = bl_xcalloc(blk->ntxs ? blk->ntxs : 1, sizeof *blk->receipts);
    blk->nreceipts = blk->ntxs;
    for (size_t i = 0; i < blk->ntxs; i++)
        receipt_init(&blk->receipts[i]);
}

static bool
is_mpt(const state_t *state)
{
    return state != NULL && strcmp(state->ops->name, "mpt") == 0;
}

/* The receiptsRoot, as block_compute_roots computes it, but with the receipts hashed on the
 * workers. */
static void
compute_receipt_root(const suite_t *suite, block_t *blk, unsigned workers)
{
    size_t n = blk->nreceipts;
    uint8_t (*hashes)[32] = bl_xcalloc(n ? n : 1, 32);

    pte_hash_receipts(suite, blk, workers, hashes);
    merkle_root(suite, (const uint8_t(*)[32])hashes, n, blk->header.receipt_root);
    free(hashes);
}

/* Step 1, and what else needs only the transactions, not what they did: the DAG and the
 * transactionsRoot. The parallel executor does this on the calling thread while its helpers
 * already recover senders (pte.c). */
int
pte_prepare(pte_job_t *job)
{
    exec_block_t *ctx = job->ctx;
    block_t *blk = job->blk;
    int rc = txdag_build(job->dag, ctx->suite, ctx->db, blk->txs, blk->ntxs);

    if (rc == BL_OK)
        block_tx_root(ctx->suite, blk, blk->header.tx_root);
    return rc;
}

/* Step 3 and 4: the root once, into every receipt; then the header. */
static int
finish_block(const suite_t *suite, amdb_t *db, state_t *state, block_t *blk, unsigned workers)
{
    header_t *h = &blk->header;
    uint8_t root[32];
    int rc = amdb_hash(db, h->db_hash);

    if (rc == BL_OK && is_mpt(state))
        rc = state_root(state, root);
    else if (rc == BL_OK)
        memcpy(root, h->db_hash, 32); /* StorageState: the state root is the dbHash (§6.3) */
    if (rc != BL_OK)
        return rc;
    memcpy(h->state_root, root, 32);
    h->gas_used = 0;
    for (size_t i = 0; i < blk->nreceipts; i++) {
        memcpy(blk->receipts[i].state_root, root, 32);
        h->gas_used += blk->receipts[i].gas_used;
    }
    compute_receipt_root(suite, blk, workers);
    return BL_OK;
}

/* Hand the DAG and the runs to the caller's trace, or drop them. */
static void
keep_trace(const pte_opts_t *opts, txdag_t *dag, pte_run_t *runs, size_t n, unsigned workers,
           uint64_t start, uint64_t end)
{
    pte_trace_t *t = opts->trace;

    if (t == NULL) {
        txdag_free(dag);
        free(runs);
        return;
    }
    *t = (pte_trace_t){ .dag = *dag, .runs = runs, .count = n, .workers = workers,
                        .start_ns = start, .end_ns = end };
}

int
exec_block_execute(const suite_t *suite, amdb_t *db, state_t *state, block_t *blk,
                   const pte_opts_t *opts)
{
    static const pte_opts_t defaults = { .serial = false };
    exec_block_t ctx;
    txdag_t dag;
    pte_job_t job = { .ctx = &ctx, .blk = blk, .dag = &dag };
    unsigned workers = 0;
    uint64_t start;
    int rc;

    job.opts = opts != NULL ? opts : &defaults;
    start = pte_now(&job);
    if (!job.opts->serial && !is_mpt(state))
        workers = job.opts->workers ? job.opts->workers : pte_default_workers();
    exec_block_init(&ctx, suite, db, state, blk->header.number, blk->header.timestamp);
    txdag_init(&dag);
    job.runs = bl_xcalloc(blk->ntxs ? blk->ntxs : 1, sizeof *job.runs);
    reset_receipts(blk);
    if (workers == 0) {
        rc = pte_prepare(&job);
        if (rc == BL_OK)
            rc = pte_serial_run(&job);
    } else {
        rc = pte_run_parallel(&job, workers); /* it calls pte_prepare too */
    }
    if (rc == BL_OK)
        rc = finish_block(suite, db, state, blk, workers);
    exec_block_destroy(&ctx);
    keep_trace(job.opts, &dag, job.runs, blk->ntxs, workers, start, pte_now(&job));
    return rc;
}
