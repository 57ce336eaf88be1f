/*
 * lesson_text.c — the TUI's six views as plain text, for `bcoslab lesson N --text`.
 *
 * A student on a plain terminal (or a test reading the output) gets the same facts the views
 * draw, from the same model: the newest blocks with their hashes and parents' hashes (the
 * train of lesson 1), who hosts which group, each PBFT sealer's phase and view, a block's DAG
 * and its schedule, each Raft node's term and role, and the statistics.
 */
#include <string.h>

#include "consensus/pbft.h"
#include "lesson/lesson.h"
#include "node/byzantine.h"

#define TEXT_BLOCKS 5     /* blocks of the chain view */
#define TEXT_DAG_TXS 12   /* transactions of the DAG view */

static const char *
node_state(const world_t *w, unsigned i)
{
    if (!world_node_up(w, i))
        return "down";
    if (world_byzantine(w, i) != BYZ_HONEST)
        return byz_mode_name(world_byzantine(w, i));
    return world_isolated(w, i) ? "cut off" : "up";
}

static void
short_hash(const uint8_t h[32], char out[12])
{
    snprintf(out, 12, "0x%02x%02x%02x%02x", h[0], h[1], h[2], h[3]);
}

static void
print_chain(FILE *out, model_t *m, unsigned k)
{
    const model_group_t *g = &m->g[k];
    int64_t first = g->fetched - TEXT_BLOCKS + 1 < 0 ? 0 : g->fetched - TEXT_BLOCKS + 1;

    fprintf(out, "   block  hash        parent      txs  sealer\n");
    for (int64_t n = first; n <= g->fetched; n++) {
        const model_block_t *b = model_block(m, k, n);
        char hash[12], parent[12];

        if (b == NULL)
            continue;
        short_hash(b->hash, hash);
        short_hash(b->parent, parent);
        fprintf(out, "   #%-5lld %-11s %-11s %-4zu %s\n", (long long)n, hash,
                n == 0 ? "-" : parent, b->txs, b->sealer >= 0 ?
                world_node_name(m->w, (unsigned)b->sealer) : "-");
    }
    fprintf(out, "   tips:");
    for (unsigned i = 0; i < m->nnodes; i++)
        if (g->m[i].member)
            fprintf(out, " %s=%lld%s", world_node_name(m->w, i), (long long)g->m[i].height,
                    world_node_up(m->w, i) ? "" : "(down)");
    fprintf(out, "\n");
}

static void
print_groups(FILE *out, model_t *m)
{
    static const char *const roles[] = { "member", "sealer", "observer" };

    fprintf(out, "   node  state    ");
    for (unsigned k = 0; k < m->ngroups; k++)
        fprintf(out, " group %u (%-4s)         ", m->g[k].id, m->g[k].consensus);
    fprintf(out, "\n");
    for (unsigned i = 0; i < m->nnodes; i++) {
        fprintf(out, "   %-5s %-8s ", world_node_name(m->w, i), node_state(m->w, i));
        for (unsigned k = 0; k < m->ngroups; k++) {
            const model_member_t *me = &m->g[k].m[i];

            if (!me->member)
                fprintf(out, " %-23s", "never sees it");
            else
                fprintf(out, " %-8s h=%-4lld pool=%-4zu", roles[me->role >= 0 && me->role <= 2 ?
                        me->role : 0], (long long)me->height, me->pool);
        }
        fprintf(out, "\n");
    }
}

static const char *
phase_name(int phase)
{
    static const char *const names[] = { "idle", "prepared", "signed", "committed",
                                         "view change" };

    return phase >= 0 && phase <= PBFT_PHASE_VIEW_CHANGE ? names[phase] : "?";
}

static void
print_pbft(FILE *out, model_t *m, unsigned k)
{
    const model_group_t *g = &m->g[k];
    unsigned n = model_members(m, k), quorum = model_quorum(m, k);
    uint64_t view = 0;
    int leader;

    for (unsigned i = 0; i < m->nnodes; i++)
        if (g->m[i].member && world_node_up(m->w, i) && g->m[i].view > view)
            view = g->m[i].view;
    leader = model_pbft_leader(m, k, g->top, view);
    fprintf(out, "   n=%u f=%u quorum n-f=%u · height %lld · view %llu · leader %s\n", n,
            (n - 1) / 3, quorum, (long long)g->top, (unsigned long long)view,
            leader >= 0 ? world_node_name(m->w, (unsigned)leader) : "-");
    fprintf(out, "   node  state    height  view  phase        signs  commits\n");
    for (unsigned i = 0; i < m->nnodes; i++) {
        const model_member_t *me = &g->m[i];
        bool done = me->phase == PBFT_PHASE_IDLE && me->done_signs > 0;

        if (!me->member)
            continue;
        char phase[32];

        if (me->phase == PBFT_PHASE_VIEW_CHANGE)
            snprintf(phase, sizeof phase, "→ view %llu", (unsigned long long)me->to_view);
        else
            snprintf(phase, sizeof phase, "%s", phase_name(me->phase));
        fprintf(out, "   %-5s %-8s %-7lld %-5llu %-12s %lld/%u    %lld/%u\n",
                world_node_name(m->w, i), node_state(m->w, i), (long long)me->height,
                (unsigned long long)me->view, phase,
                (long long)(done ? me->done_signs : me->signs), quorum,
                (long long)(done ? me->done_commits : me->commits), quorum);
    }
}

static void
print_raft(FILE *out, model_t *m, unsigned k)
{
    static const char *const roles[] = { "follower", "candidate", "leader" };
    const model_group_t *g = &m->g[k];

    fprintf(out, "   majority %u of %u\n", model_quorum(m, k), model_members(m, k));
    fprintf(out, "   node  state    term  role       leader  last  commit\n");
    for (unsigned i = 0; i < m->nnodes; i++) {
        const model_member_t *me = &g->m[i];

        if (!me->member)
            continue;
        fprintf(out, "   %-5s %-8s %-5llu %-10s %-7s %-5lld %lld\n", world_node_name(m->w, i),
                node_state(m->w, i), (unsigned long long)me->term, roles[me->raft_role],
                me->leader >= 0 ? world_node_name(m->w, (unsigned)me->leader) : "-",
                (long long)me->raft_last, (long long)me->raft_commit);
    }
}

static void
print_dag(FILE *out, model_t *m, unsigned k)
{
    const model_group_t *g = &m->g[k];
    int64_t number = -1;
    model_dag_t d;

    for (int64_t n = g->fetched; n > 0 && n > g->fetched - MODEL_BLOCKS && number < 0; n--) {
        const model_block_t *b = model_block(m, k, n);

        if (b != NULL && b->txs > 0)
            number = n;
    }
    if (number < 0 || model_dag(m, k, number, 4, &d) != 0) {
        fprintf(out, "   no block with transactions yet\n");
        return;
    }
    fprintf(out, "   block #%lld: %zu txs, %zu edges, %u levels; 4 workers finish in %u steps "
            "(speedup %.1f)\n", (long long)number, d.dag.count, d.dag.nedges, d.dag.nlevels,
            d.steps, d.steps ? (double)d.dag.count / d.steps : 0.0);
    for (size_t i = 0; i < d.dag.count && i < TEXT_DAG_TXS; i++)
        fprintf(out, "   tx %-3zu level %-2u waits for %zu · worker %u step %u · %s\n", i,
                d.dag.nodes[i].level, d.dag.nodes[i].npreds, d.worker[i], d.step[i],
                d.label[i]);
    if (d.dag.count > TEXT_DAG_TXS)
        fprintf(out, "   ... %zu more\n", d.dag.count - TEXT_DAG_TXS);
    model_dag_free(&d);
}

static void
print_stats(FILE *out, model_t *m)
{
    fprintf(out, "   group  height  txs committed  tps(10s)  latency p50/p99 ms\n");
    for (unsigned k = 0; k < m->ngroups; k++)
        fprintf(out, "   %-6u %-7lld %-14llu %-9.1f %lld/%lld\n", m->g[k].id,
                (long long)m->g[k].top, (unsigned long long)m->g[k].committed_txs,
                model_tps(m, k, 10), (long long)model_latency(m, k, 50),
                (long long)model_latency(m, k, 99));
}

void
lesson_print_view(FILE *out, model_t *m, unsigned view, unsigned k)
{
    static const char *const names[] = { "", "Chain", "Groups", "PBFT", "DAG", "Raft",
                                         "Stats" };
    uint64_t now = world_now(m->w);

    if (view < 1 || view > 6)
        view = 1;
    fprintf(out, "[%s view · group %u (%s) · t=%.3f s]\n", names[view], m->g[k].id,
            m->g[k].consensus, now / 1000.0);
    switch (view) {
    case 1: print_chain(out, m, k); break;
    case 2: print_groups(out, m); break;
    case 3: print_pbft(out, m, k); break;
    case 4: print_dag(out, m, k); break;
    case 5: print_raft(out, m, k); break;
    default: print_stats(out, m); break;
    }
}
