/*
 * tui_views_consensus.c — the PBFT and Raft views.
 *
 * PBFT (lesson 8): the round for the group's next height. Its leader is (view + height) mod n;
 * each node's phase as its own events report it (a Prepare received and executed, n − f signs
 * gathered, n − f commits gathered, or asking for a new view) and the votes it has counted,
 * drawn as bars toward the quorum n − f. Beside it the latest consensus messages on the wire
 * and the view changes: a crashed, silent or lying leader shows up there.
 *
 * Raft (lesson 9): each node's term, role and whom it follows, its log and commit index, the
 * votes a candidate gathered, and the elections so far.
 */
#include <stdio.h>
#include <string.h>

#include "consensus/pbft.h"
#include "consensus/raft.h"
#include "net/frame.h"
#include "tui/tui_int.h"

static const char *
message_name(const model_msg_t *m)
{
    static const char *const pbft[] = { "PrepareReq", "SignReq", "CommitReq", "ViewChangeReq" };
    static const char *const raft[] = { "RequestVote", "VoteResponse", "AppendEntries",
                                        "AppendResponse" };

    if (m->module == MODULE_PBFT && m->type < 4)
        return pbft[m->type];
    if (m->module == MODULE_RAFT && m->type < 4)
        return raft[m->type];
    return "?";
}

/* The newest messages of the group, newest last, in the rows from y to the pane's bottom. */
static void
draw_messages(tui_t *t, const tui_rect_t *r, int y, int x)
{
    const model_group_t *g = &t->m.g[t->group];
    int rows = r->h - y - 1;
    uint64_t first;

    tui_put(r, y++, x, A_BOLD, "latest messages");
    if (rows <= 0)
        return;
    first = g->nmsgs > (uint64_t)rows ? g->nmsgs - (uint64_t)rows : 0;
    if (g->nmsgs > MODEL_MSGS && first < g->nmsgs - MODEL_MSGS)
        first = g->nmsgs - MODEL_MSGS;
    for (uint64_t i = first; i < g->nmsgs; i++, y++) {
        const model_msg_t *m = &g->msgs[i % MODEL_MSGS];

        tui_put(r, y, x, A_NORMAL, "%6llu.%03llu %s → %s %s",
                (unsigned long long)(m->time / 1000), (unsigned long long)(m->time % 1000),
                world_node_name(t->w, m->from), world_node_name(t->w, m->to), message_name(m));
    }
}

/* View changes (PBFT) or elections (Raft), newest last. */
static void
draw_history(tui_t *t, const tui_rect_t *r, int y, int x, bool raft)
{
    const model_group_t *g = &t->m.g[t->group];
    int rows = r->h - y - 1;
    uint64_t first;

    tui_put(r, y++, x, A_BOLD, raft ? "elections" : "view changes");
    if (g->nvcs == 0)
        tui_put(r, y, x, tui_attr(t, TUI_DIM), "none yet");
    if (rows <= 0)
        return;
    first = g->nvcs > (uint64_t)rows ? g->nvcs - (uint64_t)rows : 0;
    if (g->nvcs > MODEL_VIEWS && first < g->nvcs - MODEL_VIEWS)
        first = g->nvcs - MODEL_VIEWS;
    for (uint64_t i = first; i < g->nvcs; i++, y++) {
        const model_vc_t *v = &g->vcs[i % MODEL_VIEWS];
        const char *who = world_node_name(t->w, v->node);

        if (raft)
            tui_put(r, y, x, v->kind ? tui_attr(t, TUI_OK) : tui_attr(t, TUI_WARN),
                    "%6llu.%03llu %s %s term %llu", (unsigned long long)(v->time / 1000),
                    (unsigned long long)(v->time % 1000), who,
                    v->kind ? "elected in" : "stands in", (unsigned long long)v->view);
        else
            tui_put(r, y, x, v->kind ? tui_attr(t, TUI_OK) : tui_attr(t, TUI_WARN),
                    "%6llu.%03llu %s %s view %llu at #%lld", (unsigned long long)(v->time / 1000),
                    (unsigned long long)(v->time % 1000), who, v->kind ? "moved to" : "asks for",
                    (unsigned long long)v->view, (long long)v->height);
    }
}

static const char *
phase_name(int phase)
{
    switch (phase) {
    case PBFT_PHASE_PREPARED: return "prepared: executed, signed";
    case PBFT_PHASE_SIGNED: return "n−f signs: commit sent";
    case PBFT_PHASE_COMMITTED: return "committed";
    case PBFT_PHASE_VIEW_CHANGE: return "view change";
    default: return "waiting for Prepare";
    }
}

static attr_t
phase_attr(const tui_t *t, int phase)
{
    switch (phase) {
    case PBFT_PHASE_COMMITTED: return tui_attr(t, TUI_OK);
    case PBFT_PHASE_VIEW_CHANGE: return tui_attr(t, TUI_BAD);
    case PBFT_PHASE_IDLE: return tui_attr(t, TUI_DIM);
    default: return tui_attr(t, TUI_WARN);
    }
}

/* The round to show: the one for the next height once any node works on it, else the round
 * that just ended (rounds are over in milliseconds: the last one is what there is to see). */
static bool
current_round(const tui_t *t, int64_t *height, uint64_t *view)
{
    const model_group_t *g = &t->m.g[t->group];
    bool started = false;

    *height = g->top + 1;
    *view = 0;
    for (unsigned i = 0; i < t->m.nnodes; i++) {
        const model_member_t *me = &g->m[i];

        if (!me->member || !world_node_up(t->w, i) || world_byzantine(t->w, i) != BYZ_HONEST)
            continue;
        if (me->view > *view)
            *view = me->view;
        started = started || (me->pbft_height == *height && me->phase != PBFT_PHASE_IDLE);
    }
    if (!started && g->top > 0)
        *height = g->top;
    return started || g->top == 0;
}

static void
draw_pbft_node(tui_t *t, const tui_rect_t *r, int y, unsigned i, int leader, unsigned quorum,
               int64_t height, bool live)
{
    const model_member_t *me = &t->m.g[t->group].m[i];
    attr_t attr;
    const char *state = tui_node_state(t, i, &attr);
    bool current = live && me->pbft_height == height;
    int phase = current ? me->phase : PBFT_PHASE_IDLE;
    int64_t signs = current ? me->signs : 0, commits = current ? me->commits : 0;

    if (!live && me->height >= height) { /* the round that ended: how it ended here */
        phase = PBFT_PHASE_COMMITTED;
        signs = me->done_signs;
        commits = me->done_commits;
    }
    if (me->phase == PBFT_PHASE_VIEW_CHANGE)
        phase = PBFT_PHASE_VIEW_CHANGE;
    tui_put(r, y, 0, i == t->node ? A_REVERSE | A_BOLD : A_BOLD, "%-2s", world_node_name(t->w, i));
    tui_put(r, y, 3, (int)i == leader ? tui_attr(t, TUI_LEADER) : A_NORMAL, "%s",
            (int)i == leader ? "leader" : "");
    tui_put(r, y, 10, attr, "%s", state);
    if (!world_node_up(t->w, i))
        return;
    if (phase == PBFT_PHASE_VIEW_CHANGE)
        tui_put(r, y, 22, phase_attr(t, phase), "→ view %llu", (unsigned long long)me->to_view);
    else
        tui_put(r, y, 22, phase_attr(t, phase), "%s", phase_name(phase));
    tui_put(r, y, 50, A_NORMAL, "v%-3llu", (unsigned long long)me->view);
    tui_bar(t, r, y, 56, (int)quorum + 1, signs, quorum);
    tui_bar(t, r, y, 56 + (int)quorum + 8, (int)quorum + 1, commits, quorum);
}

void
tui_view_pbft(tui_t *t, const tui_rect_t *box)
{
    tui_rect_t r = tui_inner(box);
    unsigned n = model_members(&t->m, t->group), quorum = model_quorum(&t->m, t->group);
    int64_t height;
    uint64_t view;
    int leader, y = 2;
    char title[120];
    bool live = current_round(t, &height, &view);
    leader = model_pbft_leader(&t->m, t->group, height, view);
    snprintf(title, sizeof title, "3 PBFT · group %u · height %lld%s · view %llu · leader %s",
             t->m.g[t->group].id, (long long)height, live ? "" : " (just committed)",
             (unsigned long long)view, leader >= 0 ? world_node_name(t->w, (unsigned)leader) :
             "-");
    tui_box(t, box, title);
    if (strcmp(t->m.g[t->group].consensus, "pbft") != 0) {
        tui_put(&r, 0, 0, A_NORMAL, "group %u runs %s, not PBFT: press g for another group%s",
                t->m.g[t->group].id, t->m.g[t->group].consensus,
                strcmp(t->m.g[t->group].consensus, "raft") == 0 ? ", or 5 for the Raft view" : "");
        return;
    }
    tui_put(&r, 0, 0, A_NORMAL, "n = %u sealers, f = %u, quorum n − f = %u · leader = (view + "
            "height) mod n", n, (n - 1) / 3, quorum);
    tui_put(&r, 1, 0, A_BOLD, "node");
    tui_put(&r, 1, 10, A_BOLD, "state");
    tui_put(&r, 1, 22, A_BOLD, "phase");
    tui_put(&r, 1, 50, A_BOLD, "view");
    tui_put(&r, 1, 56, A_BOLD, "signs");
    tui_put(&r, 1, 56 + (int)quorum + 8, A_BOLD, "commits");
    for (unsigned i = 0; i < t->m.nnodes; i++)
        if (t->m.g[t->group].m[i].member)
            draw_pbft_node(t, &r, y++, i, leader, quorum, height, live);
    y++;
    if (r.w >= 90) {
        draw_messages(t, &r, y, 0);
        draw_history(t, &r, y, 44, false);
    } else {
        tui_rect_t top = { r.y, r.x, r.h - 6 > y ? r.h - 6 : y + 2, r.w };

        draw_messages(t, &top, y, 0);
        draw_history(t, &r, top.h, 0, false);
    }
}

/* ---- Raft ---- */

static const char *
raft_role_name(model_raft_role_t role)
{
    return role == RAFT_ROLE_LEADER ? "leader" : role == RAFT_ROLE_CANDIDATE ? "candidate" :
           "follower";
}

void
tui_view_raft(tui_t *t, const tui_rect_t *box)
{
    tui_rect_t r = tui_inner(box);
    const model_group_t *g = &t->m.g[t->group];
    char title[100];
    int y = 2;

    snprintf(title, sizeof title, "5 Raft · group %u · majority %u of %u", g->id,
             model_quorum(&t->m, t->group), model_members(&t->m, t->group));
    tui_box(t, box, title);
    if (strcmp(g->consensus, "raft") != 0) {
        tui_put(&r, 0, 0, A_NORMAL, "group %u runs %s, not Raft: press g for another group",
                g->id, g->consensus);
        return;
    }
    tui_put(&r, 0, 0, A_NORMAL, "Raft survives f < n/2 crashes, never a liar. Its log "
            "entries are blocks.");
    tui_put(&r, 1, 0, A_BOLD, "node state     term  role       follows  log  commit  votes");
    for (unsigned i = 0; i < t->m.nnodes; i++) {
        const model_member_t *me = &g->m[i];
        attr_t attr, role_attr;
        const char *state = tui_node_state(t, i, &attr);

        if (!me->member)
            continue;
        role_attr = me->raft_role == RAFT_ROLE_LEADER ? tui_attr(t, TUI_LEADER) :
                    me->raft_role == RAFT_ROLE_CANDIDATE ? tui_attr(t, TUI_WARN) : A_NORMAL;
        tui_put(&r, y, 0, i == t->node ? A_REVERSE | A_BOLD : A_BOLD, "%-4s",
                world_node_name(t->w, i));
        tui_put(&r, y, 5, attr, "%-9s", state);
        if (world_node_up(t->w, i)) {
            tui_put(&r, y, 15, A_NORMAL, "%-5llu", (unsigned long long)me->term);
            tui_put(&r, y, 21, role_attr, "%-10s", raft_role_name(me->raft_role));
            tui_put(&r, y, 32, A_NORMAL, "%-8s %-4lld %-7lld %u",
                    me->leader >= 0 ? world_node_name(t->w, (unsigned)me->leader) : "-",
                    (long long)me->raft_last, (long long)me->raft_commit,
                    me->raft_role == RAFT_ROLE_CANDIDATE ? me->votes : 0);
        }
        y++;
    }
    y++;
    if (r.w >= 90) {
        draw_messages(t, &r, y, 0);
        draw_history(t, &r, y, 44, true);
    } else {
        tui_rect_t top = { r.y, r.x, r.h - 6 > y ? r.h - 6 : y + 2, r.w };

        draw_messages(t, &top, y, 0);
        draw_history(t, &r, top.h, 0, true);
    }
}
