/*
 * executor.h — executing a whole block: the serial executor and the parallel one
 * (fisco-2x-facts §5.3).
 *
 * Both do the same four things:
 *   1. build the block's transaction DAG (exec/txdag.c): critical fields, edges, levels; and
 *      hash the transactions into the transactionsRoot, which needs nothing executed;
 *   2. run every transaction: one that the DAG calls parallel runs "buffered" (its writes are
 *      kept aside and published when it ends, exec/exec_table.c), any other runs directly;
 *   3. compute the state root ONCE, after the last transaction: the dbHash of the block's
 *      changes with table storage (StorageState), the trie root with MPTState; every receipt
 *      gets that root;
 *   4. fill the header: stateRoot, dbHash, gasUsed, receiptsRoot (with transactionsRoot, the
 *      same roots block_compute_roots gives; the parallel executor hashes the receipts on its
 *      workers, as FISCO's later 2.x versions do).
 * The serial executor runs the transactions one after another in block order
 * (executor.c); the parallel executor hands them to a pool of worker threads in the order the
 * DAG allows (exec/pte.c), and while one of them does step 1 the others start recovering
 * senders, when asked to (pte_opts_t.recover_senders). Because both take the same path
 * through each transaction, they must give the same receipts and the same roots, byte for
 * byte — tests/threads/test_pte.c checks it on hundreds of random blocks.
 *
 * A group with MPTState executes serially, as FISCO does: its trie is not built for writers
 * on several threads.
 *
 * The block's changes stay in the tables (uncommitted): the caller commits them with
 * amdb_commit/state_commit once consensus has agreed, or drops them with amdb_rollback. If
 * execution fails (a broken store, a signature that does not verify when senders are
 * recovered), the caller must roll back: some transactions may have written.
 */
#ifndef BL_EXEC_EXECUTOR_H
#define BL_EXEC_EXECUTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/suite.h"
#include "exec/exec.h"
#include "exec/txdag.h"
#include "ledger/block.h"
#include "storage/amdb.h"
#include "storage/state.h"

/* What happened to one transaction, for the visualizer. */
typedef struct {
    unsigned worker;     /* 1..N: the worker thread that ran it; 0: the serial executor */
    uint64_t start_ns;   /* when it started and ended, on the clock of pte_opts_t */
    uint64_t end_ns;
    bool sender_early;   /* its sender was recovered ahead, by an idle worker (pte.c) */
} pte_run_t;

/* A block's execution as the visualizer draws it: the DAG (each node's level, critical
 * fields and edges) and, per transaction, who ran it and when. The caller owns it and frees
 * it with pte_trace_free. */
typedef struct {
    txdag_t dag;
    pte_run_t *runs;     /* one per transaction, in block order */
    size_t count;
    unsigned workers;    /* worker threads used; 0 for the serial executor */
    uint64_t start_ns;   /* the whole block, DAG and roots included */
    uint64_t end_ns;
} pte_trace_t;

void pte_trace_free(pte_trace_t *t);

typedef struct {
    bool serial;         /* the serial executor (also forced for MPTState) */
    unsigned workers;    /* parallel: the size of the worker pool; 0 = one per core */
    /* Recover each transaction's sender from its signature as part of running it, as FISCO's
     * executive does (tx->sender()); on the workers, in parallel. Needed when the block's
     * transactions were decoded without their senders; a signature that does not verify
     * fails the block (BL_E_SIGNATURE). */
    bool recover_senders;
    /* The clock for the trace, in nanoseconds; it is called from the worker threads, so it must
     * be safe to call from several threads at once. NULL: CLOCK_MONOTONIC. */
    uint64_t (*clock)(void *arg);
    void *clock_arg;
    pte_trace_t *trace;  /* NULL, or filled in (free it with pte_trace_free) */
} pte_opts_t;

/* The number of cores: the default size of the worker pool (at least 1). */
unsigned pte_default_workers(void);

/* Execute every transaction of blk on the tables db (and state, which may be NULL: table
 * storage without accounts), as block blk->header.number with its timestamp. Replaces
 * blk->receipts with one receipt per transaction and fills the header's roots and gasUsed.
 * opts may be NULL: the parallel executor with one worker per core, no trace. */
int exec_block_execute(const suite_t *suite, amdb_t *db, state_t *state, block_t *blk,
                       const pte_opts_t *opts);

/* ---- the scheduler (pte.c): which transaction may run next ----
 *
 * Per transaction, how many of the transactions it waits for have not finished; the ready
 * queue. No threads, no locks: the worker pool calls it under its mutex, a single-threaded
 * driver may step it directly. */
typedef struct {
    const txdag_t *dag;
    size_t *pending;     /* per transaction: predecessors not finished yet */
    size_t *queue;       /* ready transactions, in the order they became ready */
    size_t head, tail;
    size_t finished;
} pte_sched_t;

/* The transactions of in-degree 0 are ready, in block order. */
void pte_sched_init(pte_sched_t *s, const txdag_t *dag);
void pte_sched_free(pte_sched_t *s);
/* The next ready transaction; false if none is ready now. */
bool pte_sched_take(pte_sched_t *s, size_t *id);
/* Transaction id has finished: release its successors whose last predecessor it was. Returns
 * how many; the first goes to *next (FISCO's worker runs it at once), the others are queued. */
size_t pte_sched_finish(pte_sched_t *s, size_t id, size_t *next);
/* Has every transaction finished? */
bool pte_sched_done(const pte_sched_t *s);

/* ---- between executor.c and pte.c ---- */

typedef struct {
    exec_block_t *ctx;
    block_t *blk;
    txdag_t *dag;
    const pte_opts_t *opts;
    pte_run_t *runs;     /* one per transaction */
} pte_job_t;

/* Now, on the job's clock. */
uint64_t pte_now(const pte_job_t *job);
/* Run transaction i of the job on worker `worker` (0: the serial executor), recording it in
 * job->runs[i]. A transaction the DAG calls parallel runs buffered; any other runs directly,
 * holding the block's write lock when the block is concurrent. */
int pte_run_tx(pte_job_t *job, size_t i, unsigned worker);
/* The serial executor: every transaction in block order, on this thread. It is what
 * pte_serial_run points to, unless exercise 04's grader has put there another single-threaded
 * walk of the DAG (one a worker of the pool could make), under which a DAG that misses an
 * edge gives another result than block order. Set it only while no block executes. */
int pte_serial_in_block_order(pte_job_t *job);
typedef int (*pte_serial_fn)(pte_job_t *job);
extern pte_serial_fn pte_serial_run;
/* Build job->dag and fill in the header's transactionsRoot: what needs no execution. */
int pte_prepare(pte_job_t *job);
/* Recover transaction i's sender from its signature (pte_opts_t.recover_senders). */
int pte_recover_sender(pte_job_t *job, size_t i);
/* The parallel executor (pte.c): pte_prepare on this thread while `workers` - 1 helper
 * threads recover senders, then run the whole DAG on this thread and the helpers. */
int pte_run_parallel(pte_job_t *job, unsigned workers);
/* The hash of every receipt of blk into hashes[], on `workers` threads (0 or 1: this one). */
void pte_hash_receipts(const suite_t *suite, const block_t *blk, unsigned workers,
                       uint8_t (*hashes)[32]);

#endif
