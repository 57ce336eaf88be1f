/*
 * txdag.c — which transactions of a block may run at the same time: FISCO's TxDAG
 * (fisco-2x-facts §5.2; the lesson on parallel execution).
 *
 * Why conflicts matter. Two transfers alice→bob and carol→dave touch different rows; run them
 * in either order, or at the same time, and the tables end up the same. Two transfers
 * alice→bob and bob→erin both touch bob's row: the second must see what the first wrote, or
 * bob's balance comes out different on different nodes, and the nodes can no longer agree on
 * the block. So each transaction names its "critical fields" — for DagTransfer, the user names
 * it touches — and a transaction must wait for the last earlier transaction that named any of
 * its fields. That is an edge of the DAG (directed acyclic graph: edges always run from an
 * earlier transaction to a later one, so there are no cycles).
 *
 * Serial barriers. Some transactions cannot say what they touch: a contract deployment, a call
 * to a contract that registered no parallel function, a system call such as ParallelConfig.
 * Such a transaction is a barrier: it waits for every transaction before it, and every
 * transaction after it waits for it. Keeping one edge per field would need the whole history,
 * so FISCO keeps just two things while it walks the block in order:
 *
 *   last[f]   the last transaction that named field f (since the last barrier), and
 *   barrier   the last barrier.
 *
 *   parallel tx with fields F:  for each f in F, an edge from last[f] — or from the barrier if
 *                               f was not named since it — then last[f] = this tx;
 *   barrier:                    an edge from every last[f] and from the previous barrier;
 *                               then last is emptied and barrier = this tx.
 *
 * Every transaction since the previous barrier is either some last[f] or an ancestor of one,
 * so the barrier does wait for all of them. A small example (fields are user names):
 *
 *     tx0 alice→bob   tx1 carol→dave   tx2 bob→erin   tx3 deploy   tx4 alice→frank   tx5 gina→hal
 *
 *     level 0     tx0        tx1            tx0 and tx1 share nothing: they run at once
 *                  | \         |
 *     level 1     tx2 \        |            tx2 waits for tx0 (bob)
 *                  |   \       |
 *     level 2     tx3 <-+------+            the barrier waits for last[alice]=tx0,
 *                 /  \                      last[bob]=last[erin]=tx2, last[carol]=last[dave]=tx1
 *     level 3   tx4  tx5                    alice, frank, gina, hal: not seen since the
 *                                           barrier, so both wait for it
 *
 * A transaction's level is the length of the longest chain of waits before it; all of one
 * level could run at once. A parallel transaction with no fields at all (FISCO gives one to a
 * call that touches nothing, such as a transfer with an empty user name) waits for nobody.
 */
#include "exec/txdag.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "exec/exec.h"
#include "exec/pc_parallel_config.h"

void
txdag_init(txdag_t *d)
{
    memset(d, 0, sizeof *d);
    bl_map_init(&d->last);
}

void
txdag_free(txdag_t *d)
{
    for (size_t i = 0; i < d->count; i++) {
        critical_free(&d->nodes[i].criticals);
        free(d->nodes[i].preds);
        free(d->nodes[i].succs);
    }
    free(d->nodes);
    bl_map_free(&d->last, NULL);
    txdag_init(d);
}

static void
push_index(size_t **list, size_t *n, size_t value)
{
    *list = bl_xrealloc(*list, (*n + 1) * sizeof **list);
    (*list)[(*n)++] = value;
}

/* An edge from → to (from < to). The same edge can come up twice (a transfer from bob to bob,
 * or a barrier finding one tx as last[f] of several fields); it is kept once. All edges into
 * `to` are added while `to` is being added, so a node only has to remember the last tx that
 * took an edge from it (stamp) to spot a repeat. */
static void
add_edge(txdag_t *d, size_t from, size_t to)
{
    txdag_node_t *src = &d->nodes[from], *dst = &d->nodes[to];

    if (src->stamp == to + 1)
        return;
    src->stamp = to + 1;
    push_index(&src->succs, &src->nsuccs, to);
    push_index(&dst->preds, &dst->npreds, from);
    if (src->level + 1 > dst->level)
        dst->level = src->level + 1;
    d->nedges++;
}

/* A parallel tx: wait for the last tx of each of its fields (or the last barrier). */
static void
add_parallel(txdag_t *d, size_t id, const critical_t *criticals)
{
    for (size_t i = 0; criticals != NULL && i < criticals->count; i++) {
        size_t last = (size_t)(uintptr_t)bl_map_get_str(&d->last, criticals->fields[i]);

        if (last == 0)
            last = d->barrier;
        if (last != 0)
            add_edge(d, last - 1, id);
    }
    for (size_t i = 0; criticals != NULL && i < criticals->count; i++) {
        bl_map_put_str(&d->last, criticals->fields[i], (void *)(uintptr_t)(id + 1));
        critical_add(&d->nodes[id].criticals, criticals->fields[i]);
    }
}

/* A serial barrier: wait for every last[f] and the previous barrier; then start afresh. */
static void
add_barrier(txdag_t *d, size_t id)
{
    size_t pos = 0;
    void *value;

    while (bl_map_next(&d->last, &pos, NULL, &value))
        add_edge(d, (size_t)(uintptr_t)value - 1, id);
    if (d->barrier != 0)
        add_edge(d, d->barrier - 1, id);
    bl_map_clear(&d->last, NULL);
    d->barrier = id + 1;
}

void
txdag_add(txdag_t *d, bool parallel, const critical_t *criticals)
{
    size_t id = d->count;
    txdag_node_t *n;

    if (d->count == d->cap) {
        d->cap = d->cap ? 2 * d->cap : 64;
        d->nodes = bl_xrealloc(d->nodes, d->cap * sizeof *d->nodes);
    }
    n = &d->nodes[d->count++];
    memset(n, 0, sizeof *n);
    critical_init(&n->criticals);
    n->parallel = parallel;
    if (parallel)
        add_parallel(d, id, criticals);
    else
        add_barrier(d, id);
    if (n->level + 1 > d->nlevels)
        d->nlevels = n->level + 1;
}

/* ---- critical fields of one transaction ---- */

int
txdag_tx_criticals(const suite_t *suite, amdb_t *db, const tx_t *tx, bool *parallel,
                   critical_t *out)
{
    const precompile_t *p;
    bl_span_t input = bl_buf_span(&tx->data);
    critical_t fields;
    char to_hex[41];
    int rc = BL_OK;

    *parallel = false;
    if (!tx->has_to)
        return BL_OK; /* deploying a contract: nobody can say what it touches */
    critical_init(&fields);
    if ((p = precompile_find(tx->to)) != NULL) {
        if (p->criticals != NULL)
            rc = p->criticals(suite, input, parallel, &fields);
    } else if (exec_is_object_address(tx->to)) {
        /* a Table/Entry/Condition object of TableFactory: its state is shared by every call
         * to it, so it always runs alone, whatever ParallelConfig might say of its address */
    } else if (db != NULL) {
        rc = parallel_config_criticals(suite, db, tx->to, input, parallel, &fields);
    }
    bl_hex_encode(tx->to, 20, to_hex);
    for (size_t i = 0; rc == BL_OK && *parallel && i < fields.count; i++) {
        size_t len = strlen(fields.fields[i]);
        char *field = bl_xmalloc(len + sizeof to_hex);

        memcpy(field, fields.fields[i], len);
        memcpy(field + len, to_hex, sizeof to_hex);
        critical_add(out, field);
        free(field);
    }
    if (rc != BL_OK)
        *parallel = false;
    critical_free(&fields);
    return rc;
}

/* ---- the edge rule as a hook (exercise 04) ---- */

int
txdag_edges_fisco(const txdag_tx_t *txs, size_t n, txdag_waits_t *waits)
{
    txdag_t d;

    txdag_init(&d);
    for (size_t i = 0; i < n; i++) {
        critical_t fields;

        critical_init(&fields);
        for (size_t k = 0; txs[i].parallel && k < txs[i].nfields; k++)
            critical_add(&fields, txs[i].fields[k]);
        txdag_add(&d, txs[i].parallel, &fields);
        critical_free(&fields);
        waits[i].npreds = d.nodes[i].npreds;
        waits[i].preds = d.nodes[i].npreds ? bl_xmalloc(d.nodes[i].npreds * sizeof(size_t))
                                           : NULL;
        if (d.nodes[i].npreds)
            memcpy(waits[i].preds, d.nodes[i].preds, d.nodes[i].npreds * sizeof(size_t));
    }
    txdag_free(&d);
    return BL_OK;
}

txdag_edge_fn txdag_edge_rule = txdag_edges_fisco;

int
txdag_add_with_waits(txdag_t *d, bool parallel, const critical_t *criticals,
                     const size_t *preds, size_t npreds)
{
    size_t id = d->count;

    for (size_t k = 0; k < npreds; k++)
        if (preds[k] >= id)
            return bl_fail(BL_E_INVALID, "transaction %zu would wait for transaction %zu, "
                           "which is not an earlier one", id, preds[k]);
    txdag_add(d, true, NULL); /* a node with no edges yet */
    d->nodes[id].parallel = parallel;
    for (size_t i = 0; parallel && criticals != NULL && i < criticals->count; i++)
        critical_add(&d->nodes[id].criticals, criticals->fields[i]);
    for (size_t k = 0; k < npreds; k++)
        add_edge(d, preds[k], id); /* a repeat is kept once (add_edge) */
    if (d->nodes[id].level + 1 > d->nlevels)
        d->nlevels = d->nodes[id].level + 1;
    return BL_OK;
}

/* txdag_build with another edge rule: every transaction's fields first, then the rule, then
 * the nodes with the edges it gave. */
static int
build_with_rule(txdag_t *d, const suite_t *suite, amdb_t *db, const tx_t *txs, size_t n)
{
    critical_t *fields = bl_xcalloc(n ? n : 1, sizeof *fields);
    txdag_tx_t *plain = bl_xcalloc(n ? n : 1, sizeof *plain);
    txdag_waits_t *waits = bl_xcalloc(n ? n : 1, sizeof *waits);
    int rc = BL_OK;

    for (size_t i = 0; rc == BL_OK && i < n; i++) {
        critical_init(&fields[i]);
        rc = txdag_tx_criticals(suite, db, &txs[i], &plain[i].parallel, &fields[i]);
        plain[i].fields = (const char *const *)fields[i].fields;
        plain[i].nfields = fields[i].count;
    }
    if (rc == BL_OK && (rc = txdag_edge_rule(plain, n, waits)) != BL_OK)
        rc = bl_fail(BL_E_INVALID, "the DAG rule could not give the waits of %zu transactions "
                     "(it returned %d)", n, rc);
    for (size_t i = 0; rc == BL_OK && i < n; i++)
        rc = txdag_add_with_waits(d, plain[i].parallel, &fields[i], waits[i].preds,
                                  waits[i].npreds);
    for (size_t i = 0; i < n; i++) {
        critical_free(&fields[i]);
        free(waits[i].preds);
    }
    free(fields);
    free(plain);
    free(waits);
    return rc;
}

int
txdag_build(txdag_t *d, const suite_t *suite, amdb_t *db, const tx_t *txs, size_t n)
{
    int rc = BL_OK;

    if (txdag_edge_rule != txdag_edges_fisco)
        return build_with_rule(d, suite, db, txs, n);
    for (size_t i = 0; rc == BL_OK && i < n; i++) {
        critical_t fields;
        bool parallel;

        critical_init(&fields);
        rc = txdag_tx_criticals(suite, db, &txs[i], &parallel, &fields);
        if (rc == BL_OK)
            txdag_add(d, parallel, &fields);
        critical_free(&fields);
    }
    return rc;
}
