/*
 * raft_leader.c — what a Raft leader does (raft.c explains the whole protocol).
 *
 * Once elected, a leader appends a no-op of its term (§8), then sends every follower the
 * entries it lacks in AppendEntries, from nextIndex on; an empty one every 250 ms is the
 * heartbeat. A follower that refuses says where its log stops agreeing (conflict term and
 * index), and the leader backs nextIndex up past the whole conflicting term at once (§5.3).
 * When a majority holds an entry of the leader's own term (matchIndex), it and everything
 * before it are committed (Figure 8: never count for an older term). With every entry
 * applied, the leader seals, executes and appends the next block: one block in flight at a
 * time, so every block goes on top of the ledger tip. A leader that has not heard from a
 * majority for an election timeout steps down, as FISCO's does.
 */
#include <stdint.h>

#include "base/error.h"
#include "consensus/raft_impl.h"
#include "net/frame.h"

static void
arm_heartbeat(consensus_t *c)
{
    env_set_timer(c->h.env, env_timer_id(c->h.group, MODULE_RAFT, RAFT_TIMER_HEARTBEAT),
                  RAFT_HEARTBEAT_MS);
}

/* ---- the leader ---- */

/* AppendEntries for sealer pos: the entries from nextIndex on (up to a batch). */
static void
send_append(consensus_t *c, size_t pos)
{
    raft_append_t m = { .term = c->log.term, .commit = c->commit };
    uint64_t last = raft_log_last(&c->log);
    bl_buf_t body = BL_BUF_INIT;

    m.prev_index = c->next[pos] - 1;
    m.prev_term = raft_log_term_at(&c->log, m.prev_index);
    for (uint64_t i = c->next[pos]; i <= last && m.nentries < RAFT_MAX_BATCH; i++) {
        const raft_entry_t *e = raft_log_at(&c->log, i);

        m.entries[m.nentries].term = e->term;
        m.entries[m.nentries++].block = bl_buf_span(&e->block);
    }
    raft_encode_append(&m, &body);
    raft_send(c, c->sealers[pos], RAFT_APPEND_ENTRIES, &body);
    bl_buf_free(&body);
    /* optimistic: the next message goes on from here, so a block is sent to each follower
     * once; if this one is lost, the follower's refusal backs nextIndex up again */
    c->next[pos] = m.prev_index + m.nentries + 1;
}

static void
broadcast_append(consensus_t *c)
{
    for (size_t i = 0; i < c->nsealers; i++)
        if (c->sealers[i] != raft_self(c))
            send_append(c, i);
}

/* Figure 2: the highest N > commitIndex of the current term that a majority holds. */
static void
advance_commit(consensus_t *c)
{
    for (uint64_t n = raft_log_last(&c->log); n > c->commit; n--) {
        size_t count = 0;

        if (raft_log_term_at(&c->log, n) != c->log.term)
            break; /* older terms are never committed by counting (Figure 8) */
        for (size_t i = 0; i < c->nsealers; i++)
            count += c->match[i] >= n;
        if (count >= raft_majority(c)) {
            /* tell the followers now, not at the next heartbeat, and before applying here:
             * a commit makes the group's sync announce the new height at once, and a
             * follower that heard that first would download the block it already holds and
             * execute it a second time */
            raft_raise_commit(c, n);
            broadcast_append(c);
            raft_apply_committed(c);
            return;
        }
    }
}

/* Append one entry of the current term to the leader's own log. */
static int
leader_append(consensus_t *c, bl_span_t block)
{
    raft_entry_view_t e = { .term = c->log.term, .block = block };
    uint64_t index = raft_log_last(&c->log) + 1;
    int pos = raft_sealer_pos(c, raft_self(c));
    int rc = raft_log_replace(&c->log, index, &e, 1);

    if (rc != BL_OK)
        return rc;
    if (pos >= 0)
        c->match[pos] = index;
    raft_emit(c, EV_RAFT_APPEND, -1, (int64_t)index, 1);
    return BL_OK;
}

/* Seal, execute and append the next block, when the log is all applied and txs wait. */
static void
maybe_seal(consensus_t *c)
{
    block_t blk;
    bl_buf_t raw = BL_BUF_INIT;
    uint8_t hash[32];

    if (c->role != RAFT_LEADER || c->applied != raft_log_last(&c->log) || c->exec_index != 0)
        return;
    block_init(&blk);
    if (c->h.seal(c->h.g, &blk, c->h.tx_limit(c->h.g)) == 0)
        goto out;
    if (c->h.execute(c->h.g, &blk) != BL_OK) {
        c->h.abandon(c->h.g);
        goto out;
    }
    block_encode(c->h.suite, &blk, &raw);
    if (leader_append(c, bl_buf_span(&raw)) != BL_OK) {
        c->h.abandon(c->h.g);
        goto out;
    }
    c->exec_index = raft_log_last(&c->log);
    block_hash(c->h.suite, &blk, hash);
    env_emit(c->h.env, EV_BLOCK_SEALED, c->h.group, MODULE_RAFT, -1, blk.header.number,
             (int64_t)blk.ntxs, hash);
    advance_commit(c); /* a lone sealer is its own majority */
    broadcast_append(c);
out:
    bl_buf_free(&raw);
    block_free(&blk);
}

void
raft_become_leader(consensus_t *c)
{
    uint64_t last = raft_log_last(&c->log);

    c->role = RAFT_LEADER;
    c->leader = (int)raft_self(c);
    for (size_t i = 0; i < c->nsealers; i++) {
        c->next[i] = last + 1;
        c->match[i] = 0;
        c->heard[i] = env_now(c->h.env);
    }
    env_cancel_timer(c->h.env, env_timer_id(c->h.group, MODULE_RAFT, RAFT_TIMER_ELECTION));
    raft_emit(c, EV_RAFT_LEADER, -1, (int64_t)c->log.term, 0);
    /* §8: a no-op of our own term, so that counting can commit what came before it */
    if (leader_append(c, bl_span(NULL, 0)) != BL_OK) {
        raft_become_follower(c, c->log.term, -1);
        return;
    }
    advance_commit(c);
    broadcast_append(c);
    arm_heartbeat(c);
}

/* Heartbeat tick: step down without a majority's answers, else seal and send. */
void
raft_leader_tick(consensus_t *c)
{
    size_t live = 0;
    uint64_t now = env_now(c->h.env);

    for (size_t i = 0; i < c->nsealers; i++)
        live += c->sealers[i] == raft_self(c) || now - c->heard[i] < RAFT_ELECT_MIN_MS;
    if (live < raft_majority(c)) {
        raft_become_follower(c, c->log.term, -1);
        return;
    }
    maybe_seal(c);
    broadcast_append(c);
    arm_heartbeat(c);
}

/* The leader's next guess at where sealer pos agrees with it (fast back-up, §5.3). */
static uint64_t
backed_up_next(const consensus_t *c, size_t pos, const raft_append_resp_t *m)
{
    uint64_t next = m->conflict_index;

    if (m->conflict_term != 0) {
        uint64_t ours = raft_log_last_of_term(&c->log, m->conflict_term);

        if (ours != 0)
            next = ours + 1;
    }
    if (next > raft_log_last(&c->log) + 1)
        next = raft_log_last(&c->log) + 1;
    if (next <= c->match[pos])
        next = c->match[pos] + 1;
    return next < 1 ? 1 : next;
}

void
raft_on_append_resp(consensus_t *c, int pos, const raft_append_resp_t *m)
{
    if (m->term > c->log.term) {
        raft_become_follower(c, m->term, -1);
        return;
    }
    if (c->role != RAFT_LEADER || m->term != c->log.term)
        return;
    c->heard[pos] = env_now(c->h.env);
    if (!m->success) {
        c->next[pos] = backed_up_next(c, (size_t)pos, m);
        send_append(c, (size_t)pos);
        return;
    }
    if (m->match > raft_log_last(&c->log) || m->match <= c->match[pos])
        return; /* stale or impossible */
    c->match[pos] = m->match;
    if (c->next[pos] <= m->match)
        c->next[pos] = m->match + 1;
    advance_commit(c);
    if (c->next[pos] <= raft_log_last(&c->log))
        send_append(c, (size_t)pos);
    maybe_seal(c);
}
