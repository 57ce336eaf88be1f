/*
 * 04-tx-dag.c — reference solution of exercise 04 (exercises/04-tx-dag/tx_dag.h).
 *
 * One walk over the block, keeping last[f] (the last transaction that named field f since the
 * last barrier) in a hash map and the last barrier in a number. A parallel transaction waits
 * for last[f] of each of its fields (or for the barrier when f is new); a barrier waits for
 * every last[f] and the previous barrier, then starts afresh.
 */
#include "tx_dag.h"

#include <stdint.h>
#include <stdlib.h>

#include "base/hashmap.h"

/* Add `from` to tx's waits unless it is there already. */
static int add_wait(txdag_waits_t *w, size_t from)
{
    size_t *grown;

    for (size_t k = 0; k < w->npreds; k++)
        if (w->preds[k] == from)
            return 0;
    grown = realloc(w->preds, (w->npreds + 1) * sizeof *grown);
    if (grown == NULL)
        return -1;
    w->preds = grown;
    w->preds[w->npreds++] = from;
    return 0;
}

/* The map stores 1 + a transaction's index (a map value of NULL means "absent"). */
static size_t last_of(const bl_map_t *last, const char *field)
{
    return (size_t)(uintptr_t)bl_map_get_str(last, field);
}

static int add_parallel(bl_map_t *last, size_t barrier, const txdag_tx_t *tx, size_t id,
                        txdag_waits_t *w)
{
    for (size_t k = 0; k < tx->nfields; k++) {
        size_t from = last_of(last, tx->fields[k]);

        if (from == 0)
            from = barrier; /* not named since the barrier: wait for the barrier itself */
        if (from != 0 && add_wait(w, from - 1) != 0)
            return -1;
    }
    for (size_t k = 0; k < tx->nfields; k++)
        bl_map_put_str(last, tx->fields[k], (void *)(uintptr_t)(id + 1));
    return 0;
}

static int add_barrier(bl_map_t *last, size_t barrier, txdag_waits_t *w)
{
    size_t pos = 0;
    void *value;

    while (bl_map_next(last, &pos, NULL, &value))
        if (add_wait(w, (size_t)(uintptr_t)value - 1) != 0)
            return -1;
    if (barrier != 0 && add_wait(w, barrier - 1) != 0)
        return -1;
    bl_map_clear(last, NULL);
    return 0;
}

int ex_dag_waits(const txdag_tx_t *txs, size_t n, txdag_waits_t *waits)
{
    bl_map_t last;
    size_t barrier = 0; /* 1 + the last barrier's index, 0 if none yet */
    int rc = 0;

    bl_map_init(&last);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (txs[i].parallel) {
            rc = add_parallel(&last, barrier, &txs[i], i, &waits[i]);
        } else {
            rc = add_barrier(&last, barrier, &waits[i]);
            barrier = i + 1;
        }
    }
    bl_map_free(&last, NULL);
    return rc;
}
