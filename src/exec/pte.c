/*
 * pte.c — the parallel transaction executor: a pool of worker threads runs the block's DAG
 * (fisco-2x-facts §5.3; FISCO's BlockVerifier::parallelExecuteBlock and DAG.cpp).
 *
 * Each transaction has a counter: how many of the transactions it waits for have not
 * finished yet (its in-degree in the DAG, txdag.c). The ones whose counter is 0 go into the
 * ready queue. Then every worker runs the same loop:
 *
 *     take a transaction from the ready queue (wait while the queue is empty)
 *     repeat:
 *         run it
 *         for each transaction that waits for it: counter - 1; if that reached 0, it is ready:
 *             the first one found, this worker runs next itself (no trip through the queue,
 *             and its rows are likely still in this core's cache); the others go into the
 *             queue, and a sleeping worker is woken for each
 *     until no transaction was released; then back to the queue
 *
 * and all workers stop when every transaction has finished (or one failed). Think of a
 * chain tx0 → tx1 → tx2: one worker takes tx0 and then runs tx1 and tx2 itself while the
 * others find the queue empty; a block of independent transfers fills the queue at once and
 * every worker takes from it.
 *
 * What makes it safe. The DAG promises that two transactions running at the same time name no
 * critical field in common. They still share the block's tables (amdb), whose lists and maps
 * are not made for two threads at once; so a parallel transaction reads them under the
 * block's read lock (many readers at once) and keeps its writes aside until it ends, then
 * publishes them under the write lock (exec_table.c). A serial barrier holds the write lock
 * for its whole run (pte_run_tx). The queue and the counters (pte_sched_*, which know nothing
 * of threads) are guarded by one mutex here.
 *
 * Why the result cannot depend on the timing: a transaction reads only rows that the
 * transactions it waits for have finished writing and that nothing running beside it writes;
 * and the state root is computed once, after the last transaction (executor.c).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "exec/executor.h"

/* ---- the scheduler: which transaction may run next ----
 *
 * Just the counters and the queue, with no threads and no locks (DESIGN.md principle 2): the
 * worker pool below calls it under its mutex, and a single-threaded driver (the simulator,
 * the visualizer's step-by-step replay) can call it directly. */

void
pte_sched_init(pte_sched_t *s, const txdag_t *dag)
{
    memset(s, 0, sizeof *s);
    s->dag = dag;
    s->pending = bl_xcalloc(dag->count ? dag->count : 1, sizeof *s->pending);
    s->queue = bl_xcalloc(dag->count ? dag->count : 1, sizeof *s->queue);
    for (size_t i = 0; i < dag->count; i++) {
        s->pending[i] = dag->nodes[i].npreds;
        if (s->pending[i] == 0)
            s->queue[s->tail++] = i; /* level 0, in block order */
    }
}

void
pte_sched_free(pte_sched_t *s)
{
    free(s->pending);
    free(s->queue);
    memset(s, 0, sizeof *s);
}

bool
pte_sched_take(pte_sched_t *s, size_t *id)
{
    if (s->head == s->tail)
        return false;
    *id = s->queue[s->head++];
    return true;
}

size_t
pte_sched_finish(pte_sched_t *s, size_t id, size_t *next)
{
    const txdag_node_t *n = &s->dag->nodes[id];
    size_t released = 0;

    s->finished++;
    for (size_t i = 0; i < n->nsuccs; i++) {
        size_t succ = n->succs[i];

        if (--s->pending[succ] > 0)
            continue;
        if (released++ == 0)
            *next = succ; /* the finishing worker runs this one itself */
        else
            s->queue[s->tail++] = succ;
    }
    return released;
}

bool
pte_sched_done(const pte_sched_t *s)
{
    return s->finished == s->dag->count;
}

/* ---- the worker pool ---- */

typedef struct {
    pte_job_t *job;
    pte_sched_t sched;
    pthread_mutex_t mutex;       /* guards everything here */
    pthread_cond_t ready_cond;   /* a transaction was queued, or the workers must stop */
    bool stop;                   /* every transaction finished, or one failed */
    int err;                     /* the first failure, and its message (from its thread) */
    char errmsg[512];
} pool_t;

/* How often a worker retries the pool's mutex before it goes to sleep (see pool_lock). */
#define POOL_SPINS 2000

typedef struct {
    pool_t *pool;
    unsigned id;                 /* 1..N, for the trace */
    pthread_t thread;
} worker_t;

/* The mutex is held for well under a microsecond at a time, and putting a thread to sleep and
 * waking it again costs tens of microseconds (more on a virtual machine) — longer than a whole
 * transfer. So a worker that finds it taken retries for a moment before it sleeps. */
static void
pool_lock(pool_t *p)
{
    for (int i = 0; i < POOL_SPINS; i++)
        if (pthread_mutex_trylock(&p->mutex) == 0)
            return;
    pthread_mutex_lock(&p->mutex);
}

/* Wait for a ready transaction; false when the workers must stop. */
static bool
pool_take(pool_t *p, size_t *id)
{
    bool got;

    pool_lock(p);
    while (!p->stop && !pte_sched_take(&p->sched, id))
        pthread_cond_wait(&p->ready_cond, &p->mutex);
    got = !p->stop;
    pthread_mutex_unlock(&p->mutex);
    return got;
}

/* Transaction id has finished: the first transaction it released is *next, for this worker
 * to run; a sleeping worker is woken for each of the others. */
static bool
pool_finish(pool_t *p, size_t id, size_t *next)
{
    size_t released;
    bool have_next;

    pool_lock(p);
    released = pte_sched_finish(&p->sched, id, next);
    for (size_t i = 1; i < released; i++)
        pthread_cond_signal(&p->ready_cond);
    if (pte_sched_done(&p->sched)) {
        p->stop = true;
        pthread_cond_broadcast(&p->ready_cond);
    }
    have_next = released > 0 && !p->stop; /* after a failure elsewhere, stop */
    pthread_mutex_unlock(&p->mutex);
    return have_next;
}

/* Stop everyone; keep the first error and its message (messages are per thread). */
static void
pool_fail(pool_t *p, int err)
{
    pool_lock(p);
    if (p->err == BL_OK) {
        p->err = err;
        snprintf(p->errmsg, sizeof p->errmsg, "%s", bl_errmsg());
    }
    p->stop = true;
    pthread_cond_broadcast(&p->ready_cond);
    pthread_mutex_unlock(&p->mutex);
}

/* FISCO's executeUnit, in a loop: take a ready transaction, then keep running what each one
 * releases, until nothing is released; back to the queue. */
static void *
worker_main(void *arg)
{
    worker_t *w = arg;
    pool_t *p = w->pool;
    size_t id;

    while (pool_take(p, &id)) {
        bool more = true;

        while (more) {
            int rc = pte_run_tx(p->job, id, w->id);

            if (rc != BL_OK) {
                pool_fail(p, rc);
                return NULL;
            }
            more = pool_finish(p, id, &id);
        }
    }
    return NULL;
}

static void
pool_init(pool_t *p, pte_job_t *job)
{
    memset(p, 0, sizeof *p);
    p->job = job;
    pte_sched_init(&p->sched, job->dag);
    pthread_mutex_init(&p->mutex, NULL);
    pthread_cond_init(&p->ready_cond, NULL);
}

static void
pool_destroy(pool_t *p)
{
    pthread_mutex_destroy(&p->mutex);
    pthread_cond_destroy(&p->ready_cond);
    pte_sched_free(&p->sched);
}

int
pte_run_parallel(pte_job_t *job, unsigned workers)
{
    worker_t *w;
    unsigned started = 0;
    pool_t pool;

    if (job->blk->ntxs == 0)
        return BL_OK;
    pool_init(&pool, job);
    w = bl_xcalloc(workers, sizeof *w);
    job->ctx->concurrent = true;
    for (unsigned i = 0; i < workers; i++) {
        w[i] = (worker_t){ .pool = &pool, .id = i + 1 };
        if (pthread_create(&w[i].thread, NULL, worker_main, &w[i]) != 0) {
            bl_fail(BL_E_INVALID, "cannot start worker thread %u of %u", i + 1, workers);
            pool_fail(&pool, BL_E_INVALID);
            break;
        }
        started++;
    }
    for (unsigned i = 0; i < started; i++)
        pthread_join(w[i].thread, NULL);
    job->ctx->concurrent = false;
    free(w);
    pool_destroy(&pool);
    if (pool.err != BL_OK)
        return bl_fail(pool.err, "%s", pool.errmsg);
    return BL_OK;
}

/* ---- work cut into slices ---- */

/* Some of a block's work is a loop over independent items — hashing each receipt, finding each
 * transaction's critical fields — that must be done before or after the DAG runs, while the
 * workers would otherwise wait. run_on_slices cuts [0, n) into one contiguous slice per worker
 * and runs fn(arg, from, to) on each at once; the calling thread takes slice 0, and any slice
 * whose thread did not start. */
typedef struct {
    void (*fn)(void *arg, size_t from, size_t to);
    void *arg;
    size_t from, to;
    pthread_t thread;
    bool started;
} slice_t;

static void *
run_slice(void *arg)
{
    slice_t *s = arg;

    s->fn(s->arg, s->from, s->to);
    return NULL;
}

static void
run_on_slices(size_t n, unsigned workers, void (*fn)(void *arg, size_t from, size_t to),
              void *arg)
{
    slice_t *s;
    size_t per;

    if (workers < 2 || n < 2 * (size_t)workers)
        workers = 1;
    s = bl_xcalloc(workers, sizeof *s);
    per = (n + workers - 1) / workers;
    for (unsigned i = 0; i < workers; i++) {
        s[i] = (slice_t){ .fn = fn, .arg = arg, .from = i * per < n ? i * per : n };
        s[i].to = s[i].from + per < n ? s[i].from + per : n;
        if (i > 0)
            s[i].started = pthread_create(&s[i].thread, NULL, run_slice, &s[i]) == 0;
    }
    for (unsigned i = 0; i < workers; i++)
        if (!s[i].started)
            run_slice(&s[i]);
    for (unsigned i = 0; i < workers; i++)
        if (s[i].started)
            pthread_join(s[i].thread, NULL);
    free(s);
}

/* ---- the DAG's fields, found on the workers ---- */

/* Finding a transaction's critical fields means decoding its ABI call data, and for a block of
 * thousands that is milliseconds during which the workers would wait. A call to a precompiled
 * contract (or a deployment, or a Table object) is judged from the transaction alone, so those
 * are found in parallel; a call to another address asks ParallelConfig's tables, which are
 * read on the calling thread only. The DAG itself is then built in block order, as always. */
typedef struct {
    const suite_t *suite;
    const tx_t *txs;
    critical_t *fields;
    bool *parallel;
    bool *found;
} fields_job_t;

static bool
needs_no_tables(const tx_t *tx)
{
    return !tx->has_to || precompile_find(tx->to) != NULL || exec_is_object_address(tx->to);
}

static void
find_fields(void *arg, size_t from, size_t to)
{
    fields_job_t *j = arg;

    for (size_t i = from; i < to; i++) {
        if (!needs_no_tables(&j->txs[i]))
            continue;
        /* a failure is left for the calling thread, which finds it again and reports it */
        j->found[i] = txdag_tx_criticals(j->suite, NULL, &j->txs[i], &j->parallel[i],
                                         &j->fields[i]) == BL_OK;
        if (!j->found[i]) {
            critical_free(&j->fields[i]);
            critical_init(&j->fields[i]);
        }
    }
}

int
pte_build_dag(txdag_t *d, const suite_t *suite, amdb_t *db, const tx_t *txs, size_t n,
              unsigned workers)
{
    fields_job_t j = { .suite = suite, .txs = txs };
    int rc = BL_OK;

    if (workers < 2 || txdag_edge_rule != txdag_edges_fisco)
        return txdag_build(d, suite, db, txs, n);
    j.fields = bl_xcalloc(n ? n : 1, sizeof *j.fields);
    j.parallel = bl_xcalloc(n ? n : 1, sizeof *j.parallel);
    j.found = bl_xcalloc(n ? n : 1, sizeof *j.found);
    for (size_t i = 0; i < n; i++)
        critical_init(&j.fields[i]);
    run_on_slices(n, workers, find_fields, &j);
    for (size_t i = 0; rc == BL_OK && i < n; i++) {
        if (!j.found[i])
            rc = txdag_tx_criticals(suite, db, &txs[i], &j.parallel[i], &j.fields[i]);
        if (rc == BL_OK)
            txdag_add(d, j.parallel[i], &j.fields[i]);
    }
    for (size_t i = 0; i < n; i++)
        critical_free(&j.fields[i]);
    free(j.fields);
    free(j.parallel);
    free(j.found);
    return rc;
}

/* ---- hashing the receipts ---- */

/* FISCO's later 2.x versions also compute the receipts root in parallel: every receipt must be
 * hashed (a receipt carries a 256-byte bloom, so that is several Keccak blocks each), and
 * only after the last transaction, when the state root every receipt carries is known. */
typedef struct {
    const suite_t *suite;
    const receipt_t *receipts;
    uint8_t (*hashes)[32];
} receipts_job_t;

static void
hash_receipts(void *arg, size_t from, size_t to)
{
    receipts_job_t *j = arg;

    for (size_t i = from; i < to; i++)
        receipt_hash(j->suite, &j->receipts[i], j->hashes[i]);
}

void
pte_hash_receipts(const suite_t *suite, const block_t *blk, unsigned workers,
                  uint8_t (*hashes)[32])
{
    receipts_job_t j = { .suite = suite, .receipts = blk->receipts, .hashes = hashes };

    run_on_slices(blk->nreceipts, workers, hash_receipts, &j);
}
