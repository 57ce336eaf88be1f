/*
 * lesson_check.c — what the lessons' `wait` and `check` lines look at.
 *
 * Every answer comes from the same places the views draw from: the model (viz/model.h), which
 * folds in the events the nodes reported (a block committed, a view switched, a leader
 * elected), and the nodes' own ledgers read through world_call. A lesson checking "the chain
 * did not fork" asks every node for its blocks' hashes and compares them — exactly what a
 * student would do by hand with the console.
 */
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "consensus/pbft.h"
#include "ledger/block.h"
#include "lesson/lesson_int.h"
#include "node/group.h"
#include "node/node.h"

#define AGREE_MAX_BLOCKS 512

/* ---- heights, leaders, views ---- */

int64_t
lesson_height(lesson_player_t *p, const lesson_op_t *op)
{
    const model_group_t *g = &p->m.g[op->group];
    int64_t low = -1;

    if (op->node >= 0)
        return g->m[op->node].height;
    if (op->node != LESSON_NODE_ALL)
        return g->top;
    for (unsigned i = 0; i < p->m.nnodes; i++)
        if (g->m[i].member && world_node_up(p->w, i) && (low < 0 || g->m[i].height < low))
            low = g->m[i].height;
    return low;
}

/* The highest view among the PBFT members that are up. */
static uint64_t
pbft_view(const lesson_player_t *p, unsigned k)
{
    uint64_t view = 0;

    for (unsigned i = 0; i < p->m.nnodes; i++)
        if (p->m.g[k].m[i].member && world_node_up(p->w, i) && p->m.g[k].m[i].view > view)
            view = p->m.g[k].m[i].view;
    return view;
}

/* The group's leader now: PBFT (view + height) mod n, Raft the node in the leader role that
 * is up; -1 if none. settled: every PBFT member up is in that view and not changing it. */
static int
current_leader(const lesson_player_t *p, unsigned k, bool *settled)
{
    const model_group_t *g = &p->m.g[k];
    uint64_t view = pbft_view(p, k);

    *settled = true;
    if (strcmp(g->consensus, "raft") == 0) {
        for (unsigned i = 0; i < p->m.nnodes; i++)
            if (g->m[i].member && world_node_up(p->w, i) && g->m[i].raft_role == RAFT_ROLE_LEADER)
                return (int)i;
        return -1;
    }
    for (unsigned i = 0; i < p->m.nnodes; i++)
        if (g->m[i].member && world_node_up(p->w, i) &&
            (g->m[i].view != view || g->m[i].phase == PBFT_PHASE_VIEW_CHANGE))
            *settled = false;
    return model_pbft_leader(&p->m, k, g->top, view);
}

int
lesson_leader(lesson_player_t *p, unsigned k)
{
    bool settled;

    return current_leader(p, k, &settled);
}

/* Has a view change (Raft: an election) completed since the step began? */
static bool
view_changed(const lesson_player_t *p, unsigned k)
{
    const model_group_t *g = &p->m.g[k];
    uint64_t from = p->step_nvcs[k];

    if (g->nvcs > MODEL_VIEWS && from < g->nvcs - MODEL_VIEWS)
        from = g->nvcs - MODEL_VIEWS; /* older ones are gone from the ring */
    for (uint64_t i = from; i < g->nvcs; i++)
        if (g->vcs[i % MODEL_VIEWS].kind == 1)
            return true;
    return false;
}

/* ---- agree: the same block hash at every height on every member up ---- */

typedef struct {
    const world_t *w;
    unsigned group;
    int64_t n;                         /* blocks read: 1..n */
    uint8_t (*hash)[32];
} hashes_t;

static void
hashes_on_node(node_t *node, void *arg)
{
    hashes_t *h = arg;
    group_t *g = node != NULL ? node_group(node, h->group) : NULL;
    int64_t top = g != NULL ? group_height(g) : 0;

    h->n = 0;
    for (int64_t b = 1; b <= top && b <= AGREE_MAX_BLOCKS; b++) {
        block_t blk;

        block_init(&blk);
        if (group_block_stored(g, b, &blk) == BL_OK) {
            header_hash(world_suite(h->w), &blk.header, h->hash[b - 1]);
            h->n = b;
        }
        block_free(&blk);
        if (h->n != b)
            break;
    }
}

static bool
agree(lesson_player_t *p, unsigned k, char *seen, size_t cap)
{
    uint8_t (*hashes)[AGREE_MAX_BLOCKS][32] = bl_xcalloc(WORLD_MAX_NODES, sizeof *hashes);
    int64_t n[WORLD_MAX_NODES] = { 0 };
    unsigned nodes = world_nnodes(p->w);
    bool same = true;

    for (unsigned i = 0; i < nodes; i++) {
        hashes_t h = { p->w, world_group_id(p->w, k), 0, hashes[i] };

        if (world_hosts(p->w, i, k) && world_node_up(p->w, i))
            world_call(p->w, i, hashes_on_node, &h);
        n[i] = h.n;
    }
    snprintf(seen, cap, "every member up has the same blocks");
    for (unsigned i = 0; i < nodes && same; i++)
        for (unsigned j = i + 1; j < nodes && same; j++)
            for (int64_t b = 0; b < n[i] && b < n[j] && same; b++)
                if (memcmp(hashes[i][b], hashes[j][b], 32) != 0) {
                    snprintf(seen, cap, "nodes %s and %s have different blocks %lld: a fork",
                             world_node_name(p->w, i), world_node_name(p->w, j),
                             (long long)b + 1);
                    same = false;
                }
    free(hashes);
    return same;
}

/* ---- the conditions ---- */

static bool
compare_seen(int64_t value, const lesson_op_t *op, const char *what, char *seen, size_t cap)
{
    snprintf(seen, cap, "%s %lld", what, (long long)value);
    return lesson_compare(value, op->cmp, op->n);
}

static bool
holds_leader(lesson_player_t *p, const lesson_op_t *op, char *seen, size_t cap)
{
    bool settled;
    int leader = current_leader(p, op->group, &settled);
    const char *name = leader >= 0 ? world_node_name(p->w, (unsigned)leader) : "none";

    snprintf(seen, cap, "leader %s%s", name, settled ? "" : " (view changing)");
    if (op->kind == LESSON_OP_CHECK)
        return leader == op->node;
    return leader >= 0 && settled && world_node_up(p->w, (unsigned)leader) &&
           !world_isolated(p->w, (unsigned)leader) &&
           world_byzantine(p->w, (unsigned)leader) == BYZ_HONEST;
}

static bool
holds_role(lesson_player_t *p, const lesson_op_t *op, char *seen, size_t cap)
{
    static const char *const roles[] = { "none", "sealer", "observer" };
    int role;

    model_update(&p->m, true);
    role = p->m.g[op->group].m[op->node].role;
    snprintf(seen, cap, "node %s is %s", world_node_name(p->w, (unsigned)op->node),
             role >= 0 && role <= 2 ? roles[role] : "?");
    return role == op->mode;
}

static bool
holds_output(lesson_player_t *p, const lesson_op_t *op, char *seen, size_t cap)
{
    const char *out = p->last_output != NULL ? p->last_output : "";

    snprintf(seen, cap, "%s", p->have_last ? "the output does not say it"
                                           : "no console or run before it");
    if (strstr(out, op->text) == NULL)
        return false;
    snprintf(seen, cap, "it does");
    return true;
}

bool
lesson_holds(lesson_player_t *p, const lesson_op_t *op, char *seen, size_t cap)
{
    unsigned k = op->group;

    seen[0] = '\0';
    switch ((lesson_is_t)op->what) {
    case LESSON_IS_HEIGHT: return compare_seen(lesson_height(p, op), op, "height", seen, cap);
    case LESSON_IS_TXS:
        return compare_seen((int64_t)p->m.g[k].committed_txs, op, "txs", seen, cap);
    case LESSON_IS_VIEW: return compare_seen((int64_t)pbft_view(p, k), op, "view", seen, cap);
    case LESSON_IS_LEADER: return holds_leader(p, op, seen, cap);
    case LESSON_IS_VIEWCHANGE: case LESSON_IS_NO_VIEWCHANGE: {
        bool changed = view_changed(p, k);

        snprintf(seen, cap, changed ? "a view change happened" : "no view change");
        return changed == (op->what == LESSON_IS_VIEWCHANGE);
    }
    case LESSON_IS_UP: case LESSON_IS_DOWN: {
        bool up = world_node_up(p->w, (unsigned)op->node);

        snprintf(seen, cap, "node %s is %s", world_node_name(p->w, (unsigned)op->node),
                 up ? "up" : "down");
        return up == (op->what == LESSON_IS_UP);
    }
    case LESSON_IS_AGREE: return agree(p, k, seen, cap);
    case LESSON_IS_ROLE: return holds_role(p, op, seen, cap);
    case LESSON_IS_OK: case LESSON_IS_FAILED:
        snprintf(seen, cap, !p->have_last ? "nothing ran" : p->last_ok ? "it succeeded"
                 : "it failed");
        return p->have_last && p->last_ok == (op->what == LESSON_IS_OK);
    case LESSON_IS_OUTPUT: return holds_output(p, op, seen, cap);
    case LESSON_IS_STALLS:
        return compare_seen(p->m.g[k].top - p->op_base, &(lesson_op_t){ .cmp = LESSON_EQ,
                            .n = 0 }, "new blocks", seen, cap);
    default: /* LESSON_IS_MS */
        return world_now(p->w) - p->op_t0 >= (uint64_t)op->n;
    }
}
