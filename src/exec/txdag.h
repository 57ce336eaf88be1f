/*
 * txdag.h — the transaction DAG: which transactions of a block must wait for which
 * (fisco-2x-facts §5.2; txdag.c explains the idea with a drawing).
 *
 * Every transaction of the block becomes a node. A node knows its critical fields (what it
 * touches), whether it is a serial barrier, the edges into it (the earlier transactions it must
 * wait for) and out of it, and its level: 0 for a node that waits for nobody, otherwise one
 * more than the highest level among the nodes it waits for. A node's in-degree is npreds.
 *
 * The parallel executor (exec/pte.c) starts with the nodes of in-degree 0 and releases a node
 * when the last of its predecessors has finished; the visualizer draws the levels.
 */
#ifndef BL_EXEC_TXDAG_H
#define BL_EXEC_TXDAG_H

#include <stdbool.h>
#include <stddef.h>

#include "base/hashmap.h"
#include "crypto/suite.h"
#include "exec/precompiled.h"
#include "ledger/tx.h"
#include "storage/amdb.h"

typedef struct {
    bool parallel;        /* false: a serial barrier (waits for all before, all after wait) */
    critical_t criticals; /* a parallel tx's critical fields, receiver address hex appended */
    size_t *preds;        /* the earlier txs this one waits for; npreds is its in-degree */
    size_t npreds;
    size_t *succs;        /* the later txs that wait for this one */
    size_t nsuccs;
    unsigned level;       /* 0 if it waits for nobody, else 1 + the highest level it waits for */
    size_t stamp;         /* while edges are added: 1 + the tx that last took an edge from here */
} txdag_node_t;

typedef struct {
    txdag_node_t *nodes;  /* one per tx, in block order */
    size_t count;
    size_t cap;
    size_t nedges;
    unsigned nlevels;     /* 1 + the highest level (0 for an empty block) */
    /* The state of FISCO's loop while txs are added (txdag.c): */
    bl_map_t last;        /* critical field -> 1 + index of the last tx that named it */
    size_t barrier;       /* 1 + index of the last serial barrier, 0 if none yet */
} txdag_t;

void txdag_init(txdag_t *d);
void txdag_free(txdag_t *d);

/* Append the block's next transaction: parallel with these critical fields (copied; may be
 * NULL for none), or a serial barrier (parallel false, criticals ignored). Its edges, its
 * in-degree and its level are settled at once: they depend only on earlier transactions. */
void txdag_add(txdag_t *d, bool parallel, const critical_t *criticals);

/* The critical fields of one transaction (fisco-2x-facts §5.2 step 1):
 *   contract creation                -> a serial barrier;
 *   a call to a precompile           -> its fields if it says the call is parallel, else a
 *                                       barrier;
 *   a call to any other address      -> ParallelConfig (0x1006) says, from the table
 *                                       cp_<address> in db, how many leading arguments are
 *                                       critical; not registered: a barrier.
 * Each field gets the receiver's address (40 hex digits) appended, as FISCO does, so equal
 * names sent to different contracts do not conflict. db may be NULL: then calls to
 * contracts are barriers. Only a failing store is an error. */
int txdag_tx_criticals(const suite_t *suite, amdb_t *db, const tx_t *tx, bool *parallel,
                       critical_t *out);

/* The DAG of a block's transactions: txdag_tx_criticals then txdag_add for each, in order.
 * d must be freshly initialised. */
int txdag_build(txdag_t *d, const suite_t *suite, amdb_t *db, const tx_t *txs, size_t n);

/* ---- the edge rule, as a hook ----
 *
 * The rule above (txdag_add) in plain terms: given each transaction's flag and critical
 * fields, which earlier transactions must each one wait for? txdag_build asks whatever
 * txdag_edge_rule points to: txdag_edges_fisco (FISCO's rule, the same edges txdag_add
 * draws), unless exercise 04 (exercises/04-tx-dag) has put the student's function there. Set
 * it only while no block executes. */
typedef struct {
    bool parallel;              /* false: a serial barrier */
    const char *const *fields;  /* a parallel tx's critical fields */
    size_t nfields;
} txdag_tx_t;

typedef struct {
    size_t *preds;              /* the earlier txs it waits for (malloc'd, or NULL if none) */
    size_t npreds;
} txdag_waits_t;

/* Fill waits[0..n) (zeroed by the caller; the caller frees each preds). BL_OK, or an error
 * code that fails the block. */
typedef int (*txdag_edge_fn)(const txdag_tx_t *txs, size_t n, txdag_waits_t *waits);
extern txdag_edge_fn txdag_edge_rule;
int txdag_edges_fisco(const txdag_tx_t *txs, size_t n, txdag_waits_t *waits);

/* Append a transaction with the waits a rule gave it. Each must name an earlier transaction
 * (BL_E_INVALID otherwise, and nothing is added); a wait named twice counts once. */
int txdag_add_with_waits(txdag_t *d, bool parallel, const critical_t *criticals,
                         const size_t *preds, size_t npreds);

#endif
