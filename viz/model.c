/*
 * model.c — folding the event log and snapshots into what the views draw (model.h).
 *
 * fold() is the heart: one switch over the event kinds, each case a line or two saying what
 * that event means for the picture. The rest reads snapshots through world_call, keeps rings
 * of recent things, and answers the views' questions (TPS, latency percentiles, the leader).
 */
#include "model.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "consensus/pbft.h"
#include "exec/executor.h"
#include "ledger/block.h"
#include "net/frame.h"
#include "node/group.h"

#define MODEL_READ_BATCH 4096
#define MODEL_MAX_ADMITTED 200000 /* forget admission times beyond this (latency is a sample) */

void
model_init(model_t *m, world_t *w)
{
    memset(m, 0, sizeof *m);
    m->w = w;
    m->nnodes = world_nnodes(w);
    m->ngroups = world_ngroups(w);
    for (unsigned k = 0; k < m->ngroups; k++) {
        model_group_t *g = &m->g[k];

        g->id = world_group_id(w, k);
        strncpy(g->consensus, world_consensus(w, k), sizeof g->consensus - 1);
        g->fetched = -1; /* block 0, the genesis, is fetched like the others */
        for (unsigned i = 0; i < m->nnodes; i++) {
            g->m[i].member = world_hosts(w, i, k);
            g->m[i].leader = -1;
        }
    }
    bl_map_init(&m->admitted);
    m->buf = bl_xcalloc(MODEL_READ_BATCH, sizeof *m->buf);
}

void
model_free(model_t *m)
{
    bl_map_free(&m->admitted, free);
    free(m->buf);
}

/* ---- events ---- */

static model_group_t *
group_of(model_t *m, const ev_t *e)
{
    for (unsigned k = 0; k < m->ngroups; k++)
        if (m->g[k].id == e->group)
            return &m->g[k];
    return NULL;
}

static model_member_t *
member_of(model_t *m, const ev_t *e)
{
    model_group_t *g = group_of(m, e);

    if (g == NULL || e->node < 0 || (unsigned)e->node >= m->nnodes)
        return NULL;
    return &g->m[e->node];
}

/* Per-second counters live in rings; moving into a new second clears the seconds skipped. */
static void
advance_second(model_t *m, uint64_t second)
{
    while (m->second < second) {
        m->second++;
        m->msgs_in_second[m->second % MODEL_SECONDS] = 0;
        m->drops_in_second[m->second % MODEL_SECONDS] = 0;
        for (unsigned k = 0; k < m->ngroups; k++)
            m->g[k].txs_in_second[m->second % MODEL_SECONDS] = 0;
    }
}

static void
add_msg(model_group_t *g, const ev_t *e)
{
    model_msg_t *msg = &g->msgs[g->nmsgs++ % MODEL_MSGS];

    *msg = (model_msg_t){ e->time_ms, (unsigned)e->node, (unsigned)e->peer, e->module,
                          (unsigned)e->a };
}

static void
add_vc(model_group_t *g, const ev_t *e, int64_t height, uint64_t view, int kind)
{
    g->vcs[g->nvcs++ % MODEL_VIEWS] = (model_vc_t){ e->time_ms, (unsigned)e->node, height,
                                                    view, kind };
}

static void
note_admitted(model_t *m, const ev_t *e)
{
    uint64_t *t;

    if (bl_map_get(&m->admitted, e->hash, 32) != NULL)
        return;
    if (m->nadmitted >= MODEL_MAX_ADMITTED) {
        bl_map_clear(&m->admitted, free);
        m->nadmitted = 0;
    }
    t = bl_xmalloc(sizeof *t);
    *t = e->time_ms;
    bl_map_put(&m->admitted, e->hash, 32, t);
    m->nadmitted++;
}

static void
note_committed(model_t *m, const ev_t *e)
{
    model_group_t *g = group_of(m, e);
    model_member_t *me = member_of(m, e);

    if (me == NULL)
        return;
    me->height = e->a;
    if (g->consensus[0] == 'p') { /* the round for the next height begins */
        me->done_signs = me->signs;
        me->done_commits = me->commits;
        me->pbft_height = e->a + 1;
        me->view = me->to_view = 0; /* FISCO's reportBlock: a commit sets the view back to 0 */
        me->phase = PBFT_PHASE_IDLE;
        me->signs = me->commits = 0;
    }
    if (e->a > g->top) {
        g->top = e->a;
        g->commit_ms[e->a % MODEL_BLOCKS] = e->time_ms;
        g->committed_txs += (uint64_t)e->b;
        g->txs_in_second[m->second % MODEL_SECONDS] += (uint64_t)e->b;
    }
}

/* A PBFT event about height h: a node that moves to a new height starts a fresh round. */
static void
pbft_round(model_member_t *me, int64_t h)
{
    if (h != me->pbft_height) {
        me->pbft_height = h;
        me->signs = me->commits = 0;
    }
}

static void
fold_pbft(model_t *m, const ev_t *e, model_member_t *me)
{
    model_group_t *g = group_of(m, e);

    switch (e->kind) {
    case EV_PBFT_PREPARE:
        pbft_round(me, e->a);
        me->view = (uint64_t)e->b;
        break;
    case EV_PBFT_SIGN:
        pbft_round(me, e->a);
        me->signs = e->b;
        break;
    case EV_PBFT_COMMIT:
        pbft_round(me, e->a);
        me->commits = e->b;
        break;
    case EV_PBFT_PHASE:
        pbft_round(me, e->a);
        me->phase = (int)e->b;
        break;
    case EV_PBFT_VIEW_CHANGE:
        me->phase = PBFT_PHASE_VIEW_CHANGE;
        me->to_view = (uint64_t)e->b;
        add_vc(g, e, e->a, (uint64_t)e->b, 0);
        break;
    case EV_PBFT_VIEW_SWITCHED:
        me->view = (uint64_t)e->b;
        me->phase = PBFT_PHASE_IDLE;
        add_vc(g, e, e->a, (uint64_t)e->b, 1);
        break;
    default:
        break;
    }
}

static void
fold_raft(model_t *m, const ev_t *e, model_member_t *me)
{
    model_group_t *g = group_of(m, e);

    switch (e->kind) {
    case EV_RAFT_ELECTION:
        me->raft_role = RAFT_ROLE_CANDIDATE;
        me->term = (uint64_t)e->a;
        me->votes = 1; /* its own */
        me->leader = -1;
        add_vc(g, e, me->raft_commit, (uint64_t)e->a, 0);
        break;
    case EV_RAFT_VOTE: /* node answered peer: a vote for the peer if granted */
        if (e->b == 1 && e->peer >= 0 && (unsigned)e->peer < m->nnodes &&
            g->m[e->peer].term == (uint64_t)e->a)
            g->m[e->peer].votes++;
        break;
    case EV_RAFT_LEADER:
        me->raft_role = RAFT_ROLE_LEADER;
        me->leader = e->node;
        add_vc(g, e, me->raft_commit, (uint64_t)e->a, 1);
        break;
    case EV_RAFT_FOLLOWER:
        me->raft_role = RAFT_ROLE_FOLLOWER;
        me->term = (uint64_t)e->a;
        me->leader = e->peer;
        break;
    case EV_RAFT_TERM:
        me->term = (uint64_t)e->a;
        break;
    case EV_RAFT_APPEND:
        me->raft_last = e->a + e->b - 1;
        break;
    case EV_RAFT_COMMIT:
        me->raft_commit = e->a;
        break;
    default:
        break;
    }
}

static void
fold_node(model_t *m, const ev_t *e)
{
    if (e->kind != EV_NODE_CRASHED && e->kind != EV_NODE_STARTED)
        return;
    /* A node that comes back knows nothing of rounds or elections until it hears of them. */
    for (unsigned k = 0; k < m->ngroups; k++) {
        model_member_t *me = &m->g[k].m[e->node];

        me->phase = PBFT_PHASE_IDLE;
        me->signs = me->commits = 0;
        me->raft_role = RAFT_ROLE_FOLLOWER;
        me->leader = -1;
        me->votes = 0;
    }
}

static void
fold(model_t *m, const ev_t *e)
{
    model_group_t *g = group_of(m, e);
    model_member_t *me = member_of(m, e);

    advance_second(m, e->time_ms / 1000);
    m->events++;
    switch (e->kind) {
    case EV_MSG_SENT:
        m->msgs_in_second[m->second % MODEL_SECONDS]++;
        if (g != NULL && (e->module == MODULE_PBFT || e->module == MODULE_RAFT))
            add_msg(g, e);
        break;
    case EV_MSG_DROPPED:
        m->drops_in_second[m->second % MODEL_SECONDS]++;
        break;
    case EV_TX_ADMITTED:
        note_admitted(m, e);
        break;
    case EV_BLOCK_COMMITTED:
    case EV_SYNC_DOWNLOADED:
        note_committed(m, e);
        break;
    case EV_NODE_CRASHED:
    case EV_NODE_STARTED:
        if (e->node >= 0 && (unsigned)e->node < m->nnodes)
            fold_node(m, e);
        break;
    default:
        if (me != NULL && e->module == MODULE_PBFT)
            fold_pbft(m, e, me);
        else if (me != NULL && e->module == MODULE_RAFT)
            fold_raft(m, e, me);
    }
}

static void
read_events(model_t *m)
{
    size_t n;

    do {
        uint64_t missed = 0;

        n = evlog_read(world_log(m->w), m->seq, m->buf, MODEL_READ_BATCH, &missed);
        m->missed += missed;
        for (size_t i = 0; i < n; i++) {
            fold(m, &m->buf[i]);
            m->seq = m->buf[i].seq;
        }
        if (n == 0 && missed > 0)
            m->seq = evlog_last(world_log(m->w));
    } while (n == MODEL_READ_BATCH);
}

/* ---- snapshots ---- */

typedef struct {
    model_t *m;
    unsigned node;
    unsigned k;            /* the group whose blocks are wanted */
    model_block_t *want;   /* blocks to read: number set; the rest is filled in (-1: not there) */
    size_t nwant;
} snap_t;

/* Each transaction of a newly read block that the model saw admitted gives a latency sample:
 * from its first admission to the block's first commit. (The model's map is the UI thread's,
 * which waits in world_call while this runs.) */
static void
sample_latencies(model_t *m, unsigned k, const block_t *blk)
{
    model_group_t *g = &m->g[k];
    uint64_t committed = g->commit_ms[blk->header.number % MODEL_BLOCKS];

    for (size_t i = 0; i < blk->ntxs; i++) {
        uint64_t *t = bl_map_remove(&m->admitted, blk->txs[i].hash, 32);

        if (t == NULL)
            continue;
        m->nadmitted--;
        if (committed >= *t && g->top - blk->header.number < MODEL_BLOCKS)
            g->latency_ms[g->nlatency++ % MODEL_LATENCIES] = (uint32_t)(committed - *t);
        free(t);
    }
}

static void
fill_block(snap_t *s, group_t *grp, model_block_t *out)
{
    const world_t *w = s->m->w;
    block_t blk;

    block_init(&blk);
    if (group_block_stored(grp, out->number, &blk) != BL_OK) {
        out->number = -1;
        goto out;
    }
    sample_latencies(s->m, s->k, &blk);
    header_hash(world_suite(w), &blk.header, out->hash);
    memcpy(out->parent, blk.header.parent_hash, 32);
    memcpy(out->state_root, blk.header.state_root, 32);
    memcpy(out->tx_root, blk.header.tx_root, 32);
    memcpy(out->receipt_root, blk.header.receipt_root, 32);
    memcpy(out->db_hash, blk.header.db_hash, 32);
    out->timestamp = blk.header.timestamp;
    out->gas_used = blk.header.gas_used;
    out->txs = blk.ntxs;
    out->nsigs = blk.nsigs;
    out->sealer = -1;
    if (blk.header.sealer < blk.header.nsealers)
        out->sealer = world_node_of_id(w, blk.header.sealer_list[blk.header.sealer]);
out:
    block_free(&blk);
}

/* On node s->node (its thread): its height, pool and role in every group it hosts, and the
 * blocks asked for. */
static void
snapshot_on_node(node_t *node, void *arg)
{
    snap_t *s = arg;
    model_t *m = s->m;

    for (unsigned k = 0; k < m->ngroups; k++) {
        model_member_t *me = &m->g[k].m[s->node];
        group_t *grp;

        if (node == NULL || !me->member || (grp = node_group(node, m->g[k].id)) == NULL)
            continue;
        me->height = group_height(grp);
        me->pool = group_pool_size(grp);
        me->role = (int)group_role_of(grp, s->node);
    }
    for (size_t i = 0; node != NULL && i < s->nwant; i++) {
        group_t *grp = node_group(node, m->g[s->k].id);

        if (grp != NULL)
            fill_block(s, grp, &s->want[i]);
        else
            s->want[i].number = -1;
    }
}

/* The up member of group k with the highest height, -1 if none. */
static int
highest_member(const model_t *m, unsigned k)
{
    int best = -1;

    for (unsigned i = 0; i < m->nnodes; i++)
        if (m->g[k].m[i].member && world_node_up(m->w, i) &&
            (best < 0 || m->g[k].m[i].height > m->g[k].m[best].height))
            best = (int)i;
    return best;
}

/* Read the headers of group k's blocks committed since the last time (the newest
 * MODEL_BLOCKS at most) from the member that has them. */
static void
fetch_blocks(model_t *m, unsigned k)
{
    model_group_t *g = &m->g[k];
    int from = highest_member(m, k);
    int64_t first, last;
    model_block_t want[MODEL_BLOCKS];
    snap_t s = { .m = m, .k = k, .want = want };

    if (from < 0 || g->m[from].height <= g->fetched)
        return;
    last = g->m[from].height;
    first = g->fetched + 1 > last - MODEL_BLOCKS + 1 ? g->fetched + 1 : last - MODEL_BLOCKS + 1;
    for (int64_t n = first; n <= last; n++)
        want[s.nwant++] = (model_block_t){ .number = n };
    s.node = (unsigned)from;
    world_call(m->w, s.node, snapshot_on_node, &s);
    for (size_t i = 0; i < s.nwant; i++) {
        if (want[i].number < 0)
            break; /* not there after all (a crash in between): try again next time */
        g->blocks[want[i].number % MODEL_BLOCKS] = want[i];
        g->fetched = want[i].number;
    }
}

void
model_update(model_t *m, bool snapshot)
{
    read_events(m);
    if (!snapshot)
        return;
    for (unsigned i = 0; i < m->nnodes; i++) {
        snap_t s = { .m = m, .node = i };

        world_call(m->w, i, snapshot_on_node, &s);
    }
    for (unsigned k = 0; k < m->ngroups; k++)
        fetch_blocks(m, k);
}

/* ---- questions the views ask ---- */

const model_block_t *
model_block(const model_t *m, unsigned k, int64_t number)
{
    const model_block_t *b;

    if (number < 0 || number > m->g[k].fetched)
        return NULL;
    b = &m->g[k].blocks[number % MODEL_BLOCKS];
    return b->number == number ? b : NULL;
}

double
model_tps(const model_t *m, unsigned k, unsigned seconds)
{
    uint64_t sum = 0;
    unsigned n = 0;

    for (unsigned s = 1; s <= seconds && s <= m->second && s < MODEL_SECONDS; s++, n++)
        sum += m->g[k].txs_in_second[(m->second - s) % MODEL_SECONDS];
    return n == 0 ? 0.0 : (double)sum / n;
}

static int
compare_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return (x > y) - (x < y);
}

int64_t
model_latency(const model_t *m, unsigned k, unsigned p)
{
    const model_group_t *g = &m->g[k];
    size_t n = g->nlatency < MODEL_LATENCIES ? g->nlatency : MODEL_LATENCIES;
    uint32_t sorted[MODEL_LATENCIES];

    if (n == 0)
        return -1;
    memcpy(sorted, g->latency_ms, n * sizeof sorted[0]);
    qsort(sorted, n, sizeof sorted[0], compare_u32);
    return sorted[(n - 1) * p / 100];
}

unsigned
model_members(const model_t *m, unsigned k)
{
    unsigned n = 0;

    for (unsigned i = 0; i < m->nnodes; i++)
        n += m->g[k].m[i].member;
    return n;
}

unsigned
model_quorum(const model_t *m, unsigned k)
{
    unsigned n = model_members(m, k);

    if (strcmp(m->g[k].consensus, "pbft") == 0)
        return n - (n - 1) / 3;
    return n / 2 + 1;
}

int
model_pbft_leader(const model_t *m, unsigned k, int64_t height, uint64_t view)
{
    unsigned n = model_members(m, k), want, seen = 0;

    if (n == 0)
        return -1;
    want = (unsigned)((view + (uint64_t)height) % n);
    for (unsigned i = 0; i < m->nnodes; i++)
        if (m->g[k].m[i].member && seen++ == want)
            return (int)i;
    return -1;
}

/* ---- a block's DAG ---- */

typedef struct {
    model_t *m;
    unsigned group;
    int64_t number;
    model_dag_t *out;
    int rc;
} dag_call_t;

/* "user3 user9": the critical fields without the contract address each ends with. */
static char *
dag_label(const txdag_node_t *n)
{
    size_t cap = 8, len = 0;
    char *s;

    if (!n->parallel)
        return bl_xstrdup("serial (waits for all)");
    for (size_t i = 0; i < n->criticals.count; i++)
        cap += strlen(n->criticals.fields[i]) + 1;
    s = bl_xcalloc(cap, 1);
    for (size_t i = 0; i < n->criticals.count; i++) {
        const char *f = n->criticals.fields[i];
        size_t flen = strlen(f) > 40 ? strlen(f) - 40 : strlen(f);

        len += (size_t)snprintf(s + len, cap - len, "%s%.*s", i ? " " : "", (int)flen, f);
    }
    return s;
}

static void
dag_on_node(node_t *node, void *arg)
{
    dag_call_t *c = arg;
    group_t *grp = node != NULL ? node_group(node, c->group) : NULL;
    block_t blk;

    c->rc = BL_E_NOTFOUND;
    if (grp == NULL)
        return;
    block_init(&blk);
    if ((c->rc = group_block_stored(grp, c->number, &blk)) == BL_OK)
        c->rc = txdag_build(&c->out->dag, world_suite(c->m->w), NULL, blk.txs, blk.ntxs);
    block_free(&blk);
}

/* The parallel executor's order on `workers` workers, one step per transaction: at each step
 * every free worker takes a ready transaction; what they finish releases its successors. */
static void
dag_schedule(model_dag_t *d)
{
    pte_sched_t s;
    size_t *running = bl_xcalloc(d->workers, sizeof *running);
    size_t *carried = bl_xcalloc(d->workers, sizeof *carried); /* released: run next, first */
    size_t ncarried = 0;
    unsigned step = 0;

    pte_sched_init(&s, &d->dag);
    while (!pte_sched_done(&s)) {
        unsigned busy = 0;
        size_t id, next;

        while (busy < d->workers && (ncarried > 0 || pte_sched_take(&s, &id))) {
            if (ncarried > 0)
                id = carried[--ncarried];
            d->worker[id] = busy + 1;
            d->step[id] = step;
            running[busy++] = id;
        }
        assert(busy > 0); /* a DAG always has a ready transaction until it is done */
        for (unsigned b = 0; b < busy; b++)
            if (pte_sched_finish(&s, running[b], &next) > 0)
                carried[ncarried++] = next;
        step++;
    }
    d->steps = step;
    pte_sched_free(&s);
    free(running);
    free(carried);
}

int
model_dag(model_t *m, unsigned k, int64_t number, unsigned workers, model_dag_t *out)
{
    dag_call_t c = { .m = m, .group = m->g[k].id, .number = number, .out = out };
    int from = highest_member(m, k);

    memset(out, 0, sizeof *out);
    out->number = number;
    out->workers = workers < 1 ? 1 : workers;
    txdag_init(&out->dag);
    if (from < 0)
        return bl_fail(BL_E_NOTFOUND, "no member of group %u is up", m->g[k].id);
    world_call(m->w, (unsigned)from, dag_on_node, &c);
    if (c.rc != BL_OK)
        return c.rc;
    out->worker = bl_xcalloc(out->dag.count + 1, sizeof *out->worker);
    out->step = bl_xcalloc(out->dag.count + 1, sizeof *out->step);
    out->label = bl_xcalloc(out->dag.count + 1, sizeof *out->label);
    for (size_t i = 0; i < out->dag.count; i++)
        out->label[i] = dag_label(&out->dag.nodes[i]);
    dag_schedule(out);
    return BL_OK;
}

void
model_dag_free(model_dag_t *d)
{
    for (size_t i = 0; d->label != NULL && i < d->dag.count; i++)
        free(d->label[i]);
    free(d->label);
    free(d->worker);
    free(d->step);
    txdag_free(&d->dag);
}
