/*
 * export.c — from a running world to viz/dot's plain data, and out as DOT, SVG or PNG.
 *
 * The MPT picture: our groups keep their state in AMDB tables (FISCO 2.x's default), so the
 * trie drawn is the one Ethereum would build for a block's transactionsRoot — key RLP(index),
 * value the transaction's hash — filled from a block read back from a node. It is a real trie
 * (storage/mpt.c, the one MPT state uses): branches, extensions and leaves as they come out.
 */
#include "export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "codec/rlp.h"
#include "dot/dot.h"
#include "ledger/block.h"
#include "node/group.h"
#include "storage/kv.h"

static const char *const kind_names[] = { "chain", "dag", "groups", "pbft", "mpt" };

int
export_kind_by_name(const char *name)
{
    for (int k = 0; k < (int)(sizeof kind_names / sizeof kind_names[0]); k++)
        if (strcmp(name, kind_names[k]) == 0)
            return k;
    return -1;
}

const char *
export_kind_name(export_kind_t kind)
{
    return kind_names[kind];
}

static void
node_names(const world_t *w, const char **out)
{
    for (unsigned i = 0; i < world_nnodes(w); i++)
        out[i] = world_node_name(w, i);
}

static Agraph_t *
chain_graph(world_t *w, model_t *m, unsigned k)
{
    const model_group_t *g = &m->g[k];
    dot_block_t blocks[MODEL_BLOCKS];
    dot_tip_t tips[WORLD_MAX_NODES];
    const char *names[WORLD_MAX_NODES];
    size_t n = 0, ntips = 0;

    node_names(w, names);
    for (int64_t b = g->fetched - MODEL_BLOCKS + 1; b <= g->fetched; b++) {
        const model_block_t *mb = model_block(m, k, b);

        if (mb == NULL)
            continue;
        blocks[n] = (dot_block_t){ .number = mb->number, .txs = mb->txs, .sealer = mb->sealer };
        memcpy(blocks[n].hash, mb->hash, 32);
        memcpy(blocks[n].parent, mb->parent, 32);
        n++;
    }
    for (unsigned i = 0; i < m->nnodes; i++)
        if (g->m[i].member)
            tips[ntips++] = (dot_tip_t){ names[i], g->m[i].height, !world_node_up(w, i) };
    return dot_chain(g->id, blocks, n, tips, ntips, names);
}

static Agraph_t *
groups_graph(world_t *w, model_t *m)
{
    const char *names[WORLD_MAX_NODES], *consensus[WORLD_MAX_GROUPS];
    unsigned ids[WORLD_MAX_GROUPS];
    uint8_t role[WORLD_MAX_NODES * WORLD_MAX_GROUPS];
    dot_groups_t d = { .nnodes = m->nnodes, .node_names = names, .ngroups = m->ngroups,
                       .group_ids = ids, .consensus = consensus, .role = role };

    node_names(w, names);
    for (unsigned k = 0; k < m->ngroups; k++) {
        ids[k] = m->g[k].id;
        consensus[k] = m->g[k].consensus;
        for (unsigned i = 0; i < m->nnodes; i++) {
            const model_member_t *me = &m->g[k].m[i];

            role[i * m->ngroups + k] = !me->member ? DOT_ROLE_NONE : me->role == 2 ?
                                       DOT_ROLE_OBSERVER : DOT_ROLE_SEALER;
        }
    }
    return dot_groups(&d);
}

/* The DAG with the model's schedule as its trace: worker k, one time step per transaction. */
static Agraph_t *
dag_graph(model_t *m, unsigned k, int64_t number)
{
    model_dag_t d;
    pte_trace_t trace = { 0 };
    Agraph_t *g = NULL;

    if (model_dag(m, k, number, pte_default_workers(), &d) != BL_OK)
        goto out;
    trace.runs = bl_xcalloc(d.dag.count + 1, sizeof *trace.runs);
    trace.count = d.dag.count;
    trace.workers = d.workers;
    trace.end_ns = d.steps;
    for (size_t i = 0; i < d.dag.count; i++)
        trace.runs[i] = (pte_run_t){ .worker = d.worker[i], .start_ns = d.step[i],
                                     .end_ns = d.step[i] + 1 };
    g = dot_dag_schedule(&d.dag, &trace, number);
    free(trace.runs);
out:
    model_dag_free(&d);
    return g;
}

static Agraph_t *
pbft_graph(world_t *w, model_t *m, unsigned k, int64_t height)
{
    size_t cap = 1u << 18, n;
    ev_t *events = bl_xcalloc(cap, sizeof *events);
    const char *names[WORLD_MAX_NODES];
    Agraph_t *g;

    node_names(w, names);
    n = evlog_read(world_log(w), 0, events, cap, NULL);
    g = dot_pbft(events, n, m->g[k].id, height, m->nnodes, names);
    free(events);
    return g;
}

typedef struct {
    unsigned group;
    int64_t number;
    block_t blk;
    int rc;
} read_block_t;

static void
read_block_on_node(node_t *node, void *arg)
{
    read_block_t *r = arg;
    group_t *g = node != NULL ? node_group(node, r->group) : NULL;

    r->rc = g != NULL ? group_block_stored(g, r->number, &r->blk) : BL_E_NOTFOUND;
}

static Agraph_t *
mpt_graph(world_t *w, model_t *m, unsigned k, int64_t number)
{
    read_block_t r = { .group = m->g[k].id, .number = number, .rc = BL_E_NOTFOUND };
    uint8_t root[MPT_HASH_LEN];
    kv_t *kv = NULL;
    mpt_t *t = NULL;
    Agraph_t *g = NULL;

    block_init(&r.blk);
    for (unsigned i = 0; i < m->nnodes && r.rc != BL_OK; i++)
        if (m->g[k].m[i].member && world_node_up(w, i))
            world_call(w, i, read_block_on_node, &r);
    if (r.rc != BL_OK) {
        bl_fail(BL_E_NOTFOUND, "no node that is up has block %lld of group %u",
                (long long)number, m->g[k].id);
        goto out;
    }
    mpt_empty_root(world_suite(w), root);
    if (kv_memory_open(&kv) != BL_OK || mpt_open(kv, world_suite(w), root, MPT_PLAIN, &t) != BL_OK)
        goto out;
    for (size_t i = 0; i < r.blk.ntxs; i++) {
        bl_buf_t key = BL_BUF_INIT;

        rlp_put_uint(&key, i);
        mpt_put(t, bl_buf_span(&key), (bl_span_t){ r.blk.txs[i].hash, 32 });
        bl_buf_free(&key);
    }
    g = dot_mpt(t);
out:
    if (t != NULL)
        mpt_close(t);
    if (kv != NULL)
        kv_close(kv);
    block_free(&r.blk);
    return g;
}

int
export_graph(world_t *w, model_t *m, export_kind_t kind, unsigned k, int64_t number,
             const char *path)
{
    Agraph_t *g = NULL;
    int rc;

    if (k >= m->ngroups)
        return bl_fail(BL_E_RANGE, "there is no group index %u", k);
    if (number < 0)
        number = kind == EXPORT_PBFT ? m->g[k].top : m->g[k].fetched;
    switch (kind) {
    case EXPORT_CHAIN: g = chain_graph(w, m, k); break;
    case EXPORT_GROUPS: g = groups_graph(w, m); break;
    case EXPORT_DAG: g = dag_graph(m, k, number); break;
    case EXPORT_PBFT: g = pbft_graph(w, m, k, number); break;
    case EXPORT_MPT: g = mpt_graph(w, m, k, number); break;
    }
    if (g == NULL)
        return bl_errmsg()[0] != '\0' ? BL_E_INVALID : bl_fail(BL_E_INVALID, "nothing to draw");
    rc = dot_write(g, path);
    dot_free(g);
    return rc;
}

int
export_world_view(world_t *w, model_t *m, unsigned view, unsigned k, int64_t number,
                  const char *dir, char *out, size_t cap)
{
    /* views 1..6: Chain, Groups, PBFT, DAG, Raft, Stats */
    static const export_kind_t by_view[] = { EXPORT_CHAIN, EXPORT_CHAIN, EXPORT_GROUPS,
                                             EXPORT_PBFT, EXPORT_DAG, EXPORT_GROUPS,
                                             EXPORT_GROUPS };
    export_kind_t kind = view < 7 ? by_view[view] : EXPORT_CHAIN;
    char base[400], dot[420];
    int rc;

    if (number < 0)
        number = kind == EXPORT_PBFT ? m->g[k].top : m->g[k].fetched;
    snprintf(base, sizeof base, "%s/bcoslab-%s-g%u-%lld", dir != NULL ? dir : ".",
             export_kind_name(kind), m->g[k].id, (long long)number);
    snprintf(dot, sizeof dot, "%s.dot", base);
    snprintf(out, cap, "%s.svg", base);
    if ((rc = export_graph(w, m, kind, k, number, dot)) != BL_OK)
        return rc;
    return export_graph(w, m, kind, k, number, out);
}
