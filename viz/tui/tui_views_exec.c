/*
 * tui_views_exec.c — the DAG and statistics views.
 *
 * DAG (lesson 5): a block's transactions as the parallel executor sees them. Two transfers
 * that touch the same user conflict, so the later waits for the earlier (an edge); a
 * transaction that waits for nobody has in-degree 0 and may run at once. The view lists the
 * transactions level by level with their critical fields, then shows how the executor's
 * workers would take them (in-degree 0 first, each finished transaction releasing its
 * successors) and the speedup over running them one by one.
 *
 * Stats (lesson 10): throughput, commit latency, pools and the network, per second.
 */
#include <stdio.h>
#include <string.h>

#include "exec/executor.h"
#include "tui/tui_int.h"

/* The DAG of the block shown, recomputed only when the block or group changes. */
static const model_dag_t *
shown_dag(tui_t *t)
{
    int64_t number = tui_shown_block(t, true);

    if (t->have_dag && t->dag.number == number && t->dag_group == t->group)
        return &t->dag;
    if (t->have_dag)
        model_dag_free(&t->dag);
    t->have_dag = false;
    if (number < 0)
        return NULL;
    if (model_dag(&t->m, t->group, number, pte_default_workers(), &t->dag) != 0) {
        model_dag_free(&t->dag);
        return NULL;
    }
    t->have_dag = true;
    t->dag_group = t->group;
    return &t->dag;
}

/* worker k │ tx tx tx ... by time step */
static int
draw_schedule(tui_t *t, const tui_rect_t *r, int y, const model_dag_t *d)
{
    for (unsigned k = 1; k <= d->workers; k++, y++) {
        int x = tui_put(r, y, 0, A_BOLD, "worker %u │", k);

        for (unsigned s = 0; s < d->steps && x < r->w; s++) {
            int shown = 0;

            for (size_t i = 0; i < d->dag.count; i++)
                if (d->step[i] == s && d->worker[i] == k) {
                    x += tui_put(r, y, x, tui_attr(t, d->dag.nodes[i].parallel ? TUI_OK :
                                 TUI_WARN), "%3zu", i);
                    shown = 1;
                }
            if (!shown)
                x += tui_put(r, y, x, tui_attr(t, TUI_DIM), "  ·");
        }
    }
    return y;
}

/* One line per level: "L1  5(3) 7(2,4) ..." — each tx with the txs it waits for. */
static int
draw_levels(tui_t *t, const tui_rect_t *r, int y, const model_dag_t *d)
{
    for (unsigned level = 0; level < d->dag.nlevels && y < r->h; level++, y++) {
        int x = tui_put(r, y, 0, A_BOLD, "L%-3u", level);

        for (size_t i = 0; i < d->dag.count && x < r->w; i++) {
            const txdag_node_t *n = &d->dag.nodes[i];
            char waits[64] = "";
            size_t len = 0;

            if (n->level != level)
                continue;
            for (size_t p = 0; p < n->npreds && len + 8 < sizeof waits; p++)
                len += (size_t)snprintf(waits + len, sizeof waits - len, "%s%zu",
                                        p ? "," : "←", n->preds[p]);
            x += tui_put(r, y, x, tui_attr(t, n->parallel ? TUI_OK : TUI_WARN), " %zu", i);
            x += tui_put(r, y, x, tui_attr(t, TUI_DIM), "%s", waits);
        }
    }
    return y;
}

/* The transactions in block order with their critical fields. */
static void
draw_txs(tui_t *t, const tui_rect_t *r, int y, const model_dag_t *d)
{
    for (size_t i = 0; i < d->dag.count && y < r->h; i++, y++)
        tui_put(r, y, 0, tui_attr(t, d->dag.nodes[i].parallel ? TUI_OK : TUI_WARN),
                "tx %-3zu level %-2u worker %u step %-3u in-degree %zu  %s", i,
                d->dag.nodes[i].level, d->worker[i], d->step[i], d->dag.nodes[i].npreds,
                d->label[i]);
}

void
tui_view_dag(tui_t *t, const tui_rect_t *box)
{
    tui_rect_t r = tui_inner(box);
    const model_dag_t *d = shown_dag(t);
    char title[120];
    int y;

    if (d == NULL) {
        tui_box(t, box, "4 DAG");
        tui_put(&r, 0, 0, A_NORMAL, "no block with transactions yet (t sends a burst)");
        return;
    }
    snprintf(title, sizeof title, "4 DAG · group %u · block #%lld · %zu txs · %zu edges · %u "
             "levels", t->m.g[t->group].id, (long long)d->number, d->dag.count, d->dag.nedges,
             d->dag.nlevels);
    tui_box(t, box, title);
    if (d->dag.count == 0) {
        tui_put(&r, 0, 0, A_NORMAL, "block #%lld is empty", (long long)d->number);
        return;
    }
    tui_put(&r, 0, 0, A_NORMAL, "%u workers, one step per tx: %u steps for %zu txs → %.2f× "
            "over serial", d->workers, d->steps, d->dag.count, (double)d->dag.count / d->steps);
    tui_put(&r, 1, 0, tui_attr(t, TUI_DIM), "green: parallel (conflicts by critical field) · "
            "yellow: serial barrier · ←n: waits for tx n");
    y = draw_schedule(t, &r, 3, d);
    y = draw_levels(t, &r, y + 1, d);
    draw_txs(t, &r, y + 1, d);
}

/* ---- statistics ---- */

/* The last n full seconds of a per-second ring, oldest first. */
static size_t
last_seconds(const tui_t *t, const uint64_t *ring, double *out, size_t n)
{
    size_t have = t->m.second < n ? (size_t)t->m.second : n;

    for (size_t i = 0; i < have; i++)
        out[i] = (double)ring[(t->m.second - have + i) % MODEL_SECONDS];
    return have;
}

void
tui_view_stats(tui_t *t, const tui_rect_t *box)
{
    tui_rect_t r = tui_inner(box);
    double values[MODEL_SECONDS];
    int spark = r.w - 37 > 60 ? 60 : r.w - 37, y = 0; /* the sparklines start at column 17 */
    size_t n;

    tui_box(t, box, "6 Stats · per second, over the last minute");
    for (unsigned k = 0; k < t->m.ngroups; k++) {
        const model_group_t *g = &t->m.g[k];
        size_t pool = 0;
        int64_t p50 = model_latency(&t->m, k, 50), p99 = model_latency(&t->m, k, 99);

        for (unsigned i = 0; i < t->m.nnodes; i++)
            pool += g->m[i].member ? g->m[i].pool : 0;
        tui_put(&r, y++, 0, k == t->group ? tui_attr(t, TUI_LEADER) : A_BOLD,
                "group %u (%s) · height %lld · %llu txs committed · pools %zu · sent %llu",
                g->id, g->consensus, (long long)g->top, (unsigned long long)g->committed_txs,
                pool, (unsigned long long)world_sent(t->w, k));
        n = last_seconds(t, g->txs_in_second, values, (size_t)(spark > 0 ? spark : 0));
        tui_put(&r, y, 0, A_NORMAL, "  TPS    %7.1f", model_tps(&t->m, k, 5));
        tui_sparkline(&r, y++, 17, spark, values, n, tui_attr(t, TUI_OK));
        if (p50 >= 0)
            tui_put(&r, y++, 0, A_NORMAL, "  commit latency p50 %lld ms · p99 %lld ms "
                    "(admitted → in a committed block)", (long long)p50, (long long)p99);
        else
            tui_put(&r, y++, 0, tui_attr(t, TUI_DIM), "  commit latency: no transaction "
                    "committed yet");
        y++;
    }
    n = last_seconds(t, t->m.msgs_in_second, values, (size_t)(spark > 0 ? spark : 0));
    tui_put(&r, y, 0, A_NORMAL, "  msgs/s %7.0f", n ? values[n - 1] : 0.0);
    tui_sparkline(&r, y++, 17, spark, values, n, tui_attr(t, TUI_TITLE));
    n = last_seconds(t, t->m.drops_in_second, values, (size_t)(spark > 0 ? spark : 0));
    tui_put(&r, y, 0, A_NORMAL, "  drops/s %6.0f", n ? values[n - 1] : 0.0);
    tui_sparkline(&r, y++, 17, spark, values, n, tui_attr(t, TUI_BAD));
    y++;
    tui_put(&r, y++, 0, tui_attr(t, TUI_DIM), "events read %llu · overwritten before read %llu"
            " · load %u tx/s per group", (unsigned long long)t->m.events,
            (unsigned long long)t->m.missed, world_rate(t->w));
}
