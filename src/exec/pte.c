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
 * The calling thread is worker 1; the others are helper threads. Before the loop there is no
 * DAG yet: the calling thread builds it (and the transactions root, pte_prepare), and
 * meanwhile the helpers recover the senders of the block's last transactions from their
 * signatures — as any worker does that finds nothing ready ("recovering senders ahead",
 * below).
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
    pthread_cond_t ahead_cond;   /* a recovery ahead ended */
    bool dag_ready;              /* the DAG is built and sched holds it */
    bool *started;               /* per transaction: a worker has taken it to run */
    bool *recovering;            /* per transaction: a worker is recovering its sender ahead */
    size_t ahead_next;           /* the next to recover ahead is ahead_next - 1 (see below) */
    bool stop;                   /* every transaction finished, or one failed */
    int err;                     /* the first failure, and its message (from its thread) */
    char errmsg[512];
} pool_t;

/* How often a worker retries the pool's mutex before it goes to sleep (see pool_lock). */
#define POOL_SPINS 2000

typedef struct {
    pool_t *pool;
    unsigned id;                 /* 1..N, for the trace; 1 is the calling thread */
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

/* ---- recovering senders ahead ----
 *
 * A worker with nothing ready to run need not sleep, when senders are to be recovered
 * (pte_opts_t.recover_senders): the recovery needs no order — only the signature — and it is
 * most of a transfer's cost. So an idle worker recovers the sender of a transaction that no
 * worker has taken yet, and the worker that later runs it skips that part. It happens:
 *   - before the DAG exists: the calling thread builds it (pte_prepare) and every helper is
 *     idle;
 *   - when conflicts leave fewer ready transactions than workers: at 100% conflicts the block
 *     is one chain, one worker runs it, and the others recover the senders of its far end.
 * The idle workers walk from the block's last transaction backwards, the DAG run starts from
 * the front, so they rarely meet; when a worker takes a transaction whose sender another one is
 * still recovering, it waits for that recovery to end. */

/* Under the mutex: claim the next transaction to recover ahead, if any is left. */
static bool
claim_ahead(pool_t *p, size_t *id)
{
    if (!p->job->opts->recover_senders)
        return false;
    while (p->ahead_next > 0 && p->started[p->ahead_next - 1])
        p->ahead_next--; /* its runner recovers it */
    if (p->ahead_next == 0)
        return false;
    *id = --p->ahead_next;
    p->recovering[*id] = true;
    return true;
}

/* Outside the mutex: recover the sender of the claimed transaction id, and say so. */
static void
recover_ahead(pool_t *p, size_t id)
{
    int rc = pte_recover_sender(p->job, id);

    pool_lock(p);
    p->recovering[id] = false;
    p->job->runs[id].sender_early = rc == BL_OK;
    pthread_cond_broadcast(&p->ahead_cond);
    pthread_mutex_unlock(&p->mutex);
    if (rc != BL_OK)
        pool_fail(p, rc);
}

/* Under the mutex: this worker takes transaction id to run. If its sender is being recovered
 * ahead, wait for that to end: its runner must see the sender written. */
static void
start_tx(pool_t *p, size_t id)
{
    p->started[id] = true;
    while (p->recovering[id])
        pthread_cond_wait(&p->ahead_cond, &p->mutex);
}

/* ---- the pool's loop ---- */

/* Wait for a ready transaction, recovering senders ahead meanwhile; false when the workers
 * must stop. */
static bool
pool_take(pool_t *p, size_t *id)
{
    size_t ahead;
    bool got = false;

    pool_lock(p);
    while (!p->stop && !got) {
        if (p->dag_ready && pte_sched_take(&p->sched, id)) {
            start_tx(p, *id);
            got = true;
        } else if (claim_ahead(p, &ahead)) {
            pthread_mutex_unlock(&p->mutex);
            recover_ahead(p, ahead);
            pool_lock(p);
        } else {
            pthread_cond_wait(&p->ready_cond, &p->mutex);
        }
    }
    got = got && !p->stop;
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
    if (have_next)
        start_tx(p, *next);
    pthread_mutex_unlock(&p->mutex);
    return have_next;
}

/* The DAG is built (pte_prepare): open the ready queue. */
static void
pool_open(pool_t *p)
{
    pool_lock(p);
    p->dag_ready = true;
    pte_sched_init(&p->sched, p->job->dag);
    pthread_cond_broadcast(&p->ready_cond);
    pthread_mutex_unlock(&p->mutex);
}

/* FISCO's executeUnit, in a loop: take a ready transaction, then keep running what each one
 * releases, until nothing is released; back to the queue. */
static void
run_dag(worker_t *w)
{
    pool_t *p = w->pool;
    size_t id;

    while (pool_take(p, &id)) {
        bool more = true;

        while (more) {
            int rc = pte_run_tx(p->job, id, w->id);

            if (rc != BL_OK) {
                pool_fail(p, rc);
                return;
            }
            more = pool_finish(p, id, &id);
        }
    }
}

static void *
helper_main(void *arg)
{
    run_dag(arg);
    return NULL;
}

static void
pool_init(pool_t *p, pte_job_t *job)
{
    size_t n = job->blk->ntxs;

    memset(p, 0, sizeof *p);
    p->job = job;
    p->started = bl_xcalloc(n ? n : 1, sizeof *p->started);
    p->recovering = bl_xcalloc(n ? n : 1, sizeof *p->recovering);
    p->ahead_next = n;
    pthread_mutex_init(&p->mutex, NULL);
    pthread_cond_init(&p->ready_cond, NULL);
    pthread_cond_init(&p->ahead_cond, NULL);
}

static void
pool_destroy(pool_t *p)
{
    pthread_mutex_destroy(&p->mutex);
    pthread_cond_destroy(&p->ready_cond);
    pthread_cond_destroy(&p->ahead_cond);
    if (p->dag_ready)
        pte_sched_free(&p->sched);
    free(p->started);
    free(p->recovering);
}

int
pte_run_parallel(pte_job_t *job, unsigned workers)
{
    exec_block_t *ctx = job->ctx;
    worker_t *w;
    unsigned started = 0;
    pool_t pool;
    int rc;

    if (job->blk->ntxs == 0)
        return pte_prepare(job); /* nothing to run, but the empty block's roots all the same */
    pool_init(&pool, job);
    w = bl_xcalloc(workers, sizeof *w);
    for (unsigned i = 0; i < workers; i++)
        w[i] = (worker_t){ .pool = &pool, .id = i + 1 };
    /* the helpers start before the DAG is built, so concurrent is set at once */
    ctx->concurrent = workers > 1;
    for (unsigned i = 1; i < workers; i++) {
        if (pthread_create(&w[i].thread, NULL, helper_main, &w[i]) != 0) {
            bl_fail(BL_E_INVALID, "cannot start worker thread %u of %u", i + 1, workers);
            pool_fail(&pool, BL_E_INVALID);
            break;
        }
        started++;
    }
    rc = pte_prepare(job);
    if (rc != BL_OK)
        pool_fail(&pool, rc);
    pool_open(&pool);
    run_dag(&w[0]);
    for (unsigned i = 1; i <= started; i++)
        pthread_join(w[i].thread, NULL);
    ctx->concurrent = false;
    free(w);
    pool_destroy(&pool);
    if (pool.err != BL_OK)
        return bl_fail(pool.err, "%s", pool.errmsg);
    return BL_OK;
}

/* ---- work cut into pieces ---- */

/* Some of a block's work is a loop over independent items — hashing each receipt — that must be
 * done after the DAG has run, while the workers would otherwise wait. run_in_pieces cuts
 * [0, n) into pieces of PIECE items, and the calling thread and workers - 1 helper threads
 * take them one by one, from a shared counter, until none is left. Pieces rather than one
 * long slice per thread, because on a shared machine a thread can start late or run slower
 * for a moment: then it simply takes fewer pieces, and nobody waits for its slice. */
#define PIECE 64

typedef struct {
    void (*fn)(void *arg, size_t from, size_t to);
    void *arg;
    size_t n;
    pthread_mutex_t mutex;   /* guards next */
    size_t next;             /* the first item no thread has taken */
} pieces_t;

static bool
take_piece(pieces_t *p, size_t *from, size_t *to)
{
    bool got;

    pthread_mutex_lock(&p->mutex);
    got = p->next < p->n;
    *from = p->next;
    *to = p->n - p->next > PIECE ? p->next + PIECE : p->n;
    p->next = *to;
    pthread_mutex_unlock(&p->mutex);
    return got;
}

static void *
run_pieces(void *arg)
{
    pieces_t *p = arg;
    size_t from, to;

    while (take_piece(p, &from, &to))
        p->fn(p->arg, from, to);
    return NULL;
}

static void
run_in_pieces(size_t n, unsigned workers, void (*fn)(void *arg, size_t from, size_t to),
              void *arg)
{
    pieces_t p = { .fn = fn, .arg = arg, .n = n, .next = 0 };
    pthread_t *helpers = bl_xcalloc(workers ? workers : 1, sizeof *helpers);
    unsigned started = 0;

    pthread_mutex_init(&p.mutex, NULL);
    /* a helper for each further piece, up to workers - 1 (one that cannot start is not
     * needed: the others take its pieces) */
    for (unsigned i = 1; i < workers && (size_t)i * PIECE < n; i++)
        if (pthread_create(&helpers[started], NULL, run_pieces, &p) == 0)
            started++;
    run_pieces(&p);
    for (unsigned i = 0; i < started; i++)
        pthread_join(helpers[i], NULL);
    pthread_mutex_destroy(&p.mutex);
    free(helpers);
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

    run_in_pieces(blk->nreceipts, workers, hash_receipts, &j);
}
