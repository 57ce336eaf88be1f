/*
 * tui_replay_text.c — the trace viewer's words: names for nodes, PBFT phases, Raft roles and
 * node states, and one sentence for any event ("node C committed block 5 (3 txs) of group 1").
 *
 * They are kept apart from the drawing (tui_replay.c) because `bcoslab replay --text` uses the
 * same words, and because they are where a student learns what each event's a and b mean
 * (base/evlog.h lists them; here they are spelled out).
 */
#include "tui/tui_replay.h"

#include <stdio.h>
#include <string.h>

#include "consensus/pbft.h"

/* ---- names ---- */

void
tui_replay_node_name(int node, char out[8])
{
    if (node < 0)
        snprintf(out, 8, "-");
    else if (node < 26)
        snprintf(out, 8, "%c", 'A' + node);
    else
        snprintf(out, 8, "N%d", node % 10000);
}

const char *
tui_replay_phase_name(int phase)
{
    static const char *const names[] = {
        [PBFT_PHASE_IDLE] = "idle", [PBFT_PHASE_PREPARED] = "prepared",
        [PBFT_PHASE_SIGNED] = "signed", [PBFT_PHASE_COMMITTED] = "committed",
        [PBFT_PHASE_VIEW_CHANGE] = "view-change",
    };

    return phase >= 0 && phase <= PBFT_PHASE_VIEW_CHANGE ? names[phase] : "?";
}

const char *
tui_replay_role_name(trace_raft_role_t role)
{
    switch (role) {
    case TRACE_RAFT_FOLLOWER: return "follower";
    case TRACE_RAFT_CANDIDATE: return "candidate";
    case TRACE_RAFT_LEADER: return "leader";
    default: return "";
    }
}

const char *
tui_replay_status_name(trace_node_status_t status, bool trace_lost_events)
{
    switch (status) {
    case TRACE_NODE_UP: return "up";
    case TRACE_NODE_DOWN: return "down";
    case TRACE_NODE_STOPPED: return "stopped";
    default: return trace_lost_events ? "?" : "not yet";
    }
}

void
tui_replay_member_text(const trace_member_t *m, char *buf, size_t len)
{
    if (!m->seen)
        snprintf(buf, len, "%s", "");
    else if (m->pbft)
        snprintf(buf, len, "h%lld v%llu %s", (long long)m->height,
                 (unsigned long long)m->pbft_view, tui_replay_phase_name(m->pbft_phase));
    else if (m->raft)
        snprintf(buf, len, "h%lld t%llu %s", (long long)m->height,
                 (unsigned long long)m->raft_term, tui_replay_role_name(m->raft_role));
    else
        snprintf(buf, len, "h%lld", (long long)m->height);
}

/* ---- the current event in plain words ---- */

static const char *
drop_reason(const ev_t *ev)
{
    static const char *const why[] = { "?", "the network lost it", "the receiver was down",
                                       "it did not decode", "the receiver is not in the group",
                                       "the sender was not admitted", "nobody handles it" };

    return ev->hash[0] < sizeof why / sizeof why[0] ? why[ev->hash[0]] : "?";
}

/* A node's life and its messages. False if ev is not one of them. */
static bool
explain_node_and_net(const ev_t *ev, const char *me, const char *peer, char *buf, size_t len)
{
    long long a = ev->a, b = ev->b;

    switch (ev->kind) {
    case EV_NODE_STARTED:
        snprintf(buf, len, "%s %s", me, a ? "restarted from its disk" : "started");
        break;
    case EV_NODE_CRASHED:
        snprintf(buf, len, "%s crashed: it lost everything but its disk", me);
        break;
    case EV_NODE_STOPPED:
        snprintf(buf, len, "%s shut down", me);
        break;
    case EV_MSG_SENT:
        snprintf(buf, len, "%s sent %s a message (module %u, packet %lld, %lld bytes)", me, peer,
                 ev->module, a, b);
        break;
    case EV_MSG_DELIVERED:
        snprintf(buf, len, "%s received a message from %s (module %u, packet %lld, %lld bytes)",
                 me, peer, ev->module, a, b);
        break;
    case EV_MSG_DROPPED:
        snprintf(buf, len, "%s's message to %s was dropped: %s", me, peer, drop_reason(ev));
        break;
    case EV_PEER_REFUSED:
        snprintf(buf, len, "%s refused %s: admission failed", me, peer);
        break;
    case EV_TIMER_FIRED:
        snprintf(buf, len, "%s's timer %lld fired", me, a);
        break;
    default:
        return false;
    }
    return true;
}

/* The pool, the ledger, block sync and groups. False if ev is not one of them. */
static bool
explain_pool_and_ledger(const ev_t *ev, const char *me, const char *peer, char *buf, size_t len)
{
    long long a = ev->a, b = ev->b;

    switch (ev->kind) {
    case EV_TX_ADMITTED:
        snprintf(buf, len, "%s admitted a transaction (pool: %lld)", me, a);
        break;
    case EV_TX_REJECTED:
        snprintf(buf, len, "%s rejected a transaction (status %lld)", me, a);
        break;
    case EV_TX_REMOVED:
        snprintf(buf, len, "%s removed a transaction from its pool", me);
        break;
    case EV_BLOCK_SEALED:
        snprintf(buf, len, "%s sealed block %lld with %lld txs", me, a, b);
        break;
    case EV_BLOCK_COMMITTED:
        snprintf(buf, len, "%s committed block %lld (%lld txs) of group %u", me, a, b, ev->group);
        break;
    case EV_BLOCK_REFUSED:
        snprintf(buf, len, "%s refused block %lld: a check failed", me, a);
        break;
    case EV_SYNC_STATUS:
        snprintf(buf, len, "%s heard %s is at height %lld", me, peer, a);
        break;
    case EV_SYNC_REQUEST:
        snprintf(buf, len, "%s asked %s for blocks %lld..%lld", me, peer, a, a + b - 1);
        break;
    case EV_SYNC_DOWNLOADED:
        snprintf(buf, len, "%s applied block %lld downloaded from %s", me, a, peer);
        break;
    case EV_GROUP_JOINED:
        snprintf(buf, len, "%s joined group %u as %s", me, ev->group,
                 a == 1 ? "sealer" : "observer");
        break;
    case EV_GROUP_LEFT:
        snprintf(buf, len, "%s left group %u", me, ev->group);
        break;
    case EV_QUERY_REFUSED:
        snprintf(buf, len, "%s refused a query for group %u, which it is not in", me, ev->group);
        break;
    default:
        return false;
    }
    return true;
}

/* PBFT and Raft. False if ev is not one of them. */
static bool
explain_consensus(const ev_t *ev, const char *me, const char *peer, char *buf, size_t len)
{
    long long a = ev->a, b = ev->b;

    switch (ev->kind) {
    case EV_PBFT_PREPARE:
        snprintf(buf, len, "%s accepted %s's PrepareReq for height %lld, view %lld", me, peer,
                 a, b);
        break;
    case EV_PBFT_SIGN:
        snprintf(buf, len, "%s counted %s's SignReq for height %lld: %lld matching toward n-f", me,
                 peer, a, b);
        break;
    case EV_PBFT_COMMIT:
        snprintf(buf, len, "%s counted %s's CommitReq for height %lld: %lld matching toward n-f",
                 me, peer, a, b);
        break;
    case EV_PBFT_PHASE:
        snprintf(buf, len, "%s is now %s at height %lld", me, tui_replay_phase_name((int)b), a);
        break;
    case EV_PBFT_VIEW_CHANGE:
        snprintf(buf, len, "%s asks for view %lld (height %lld)", me, b, a);
        break;
    case EV_PBFT_VIEW_SWITCHED:
        snprintf(buf, len, "%s moved to view %lld: n-f agreed (height %lld)", me, b, a);
        break;
    case EV_RAFT_ELECTION:
        snprintf(buf, len, "%s stood for election in term %lld", me, a);
        break;
    case EV_RAFT_VOTE:
        snprintf(buf, len, "%s %s %s its vote in term %lld", me, b ? "granted" : "refused",
                 peer, a);
        break;
    case EV_RAFT_LEADER:
        snprintf(buf, len, "%s became leader in term %lld", me, a);
        break;
    case EV_RAFT_FOLLOWER:
        snprintf(buf, len, "%s follows %s in term %lld", me, peer, a);
        break;
    case EV_RAFT_TERM:
        snprintf(buf, len, "%s moved from term %lld to term %lld", me, b, a);
        break;
    case EV_RAFT_APPEND:
        snprintf(buf, len, "%s appended %lld entries from index %lld", me, b, a);
        break;
    case EV_RAFT_COMMIT:
        snprintf(buf, len, "%s's commitIndex is now %lld (term %lld)", me, a, b);
        break;
    default:
        return false;
    }
    return true;
}

void
tui_replay_explain(const ev_t *ev, char *buf, size_t len)
{
    char me[16], peer[16];

    snprintf(me, sizeof me, "node ");
    tui_replay_node_name(ev->node, me + 5);
    if (ev->node < 0)
        snprintf(me, sizeof me, "the simulator");
    tui_replay_node_name(ev->peer, peer);
    if (!explain_node_and_net(ev, me, peer, buf, len) &&
        !explain_pool_and_ledger(ev, me, peer, buf, len) &&
        !explain_consensus(ev, me, peer, buf, len))
        snprintf(buf, len, "%s: %s", me, ev_kind_name(ev->kind));
}
