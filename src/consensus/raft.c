/*
 * raft.c — Raft consensus: a leader is elected, and the leader's log of blocks becomes everyone's.
 *
 * Raft (Ongaro & Ousterhout, "In Search of an Understandable Consensus Algorithm", 2014) keeps
 * a replicated log. Here a log entry is a block (or a no-op, below). Tolerates f crashed
 * sealers out of n = 2f + 1; nobody may lie (crash faults only, unlike PBFT).
 *
 * Terms and elections (paper §5.2). Time is cut into terms, numbered 1, 2, 3, ... Each sealer
 * is a follower, a candidate or a leader. A follower that hears nothing from a leader for a
 * random election timeout (1000..2000 ms, FISCO's min/max_elect_time) becomes a candidate: it
 * moves to the next term, votes for itself and sends RequestVote to the other sealers. A
 * sealer grants at most one vote per term (votedFor), and only to a candidate whose log is at
 * least as up to date as its own (§5.4.1: a higher last term, or the same last term and at
 * least as long). Votes from a majority (n/2 + 1) make the candidate leader. Whoever sees a
 * higher term in any message adopts it and becomes a follower: an old leader steps down.
 * Randomized timeouts make split votes rare; a split vote just means another election.
 *
 * Replication (§5.3). The leader seals a block of pending transactions (host->seal), executes
 * it (host->execute), appends it to its log in its term and sends it in AppendEntries, with the
 * index and term of the entry before it. A follower accepts only if its own log has that
 * entry (the consistency check); if not it refuses and says where its log stops agreeing
 * (conflict term and the first index of that term), so the leader can jump back a whole term
 * at a time instead of one entry per round trip (the "fast back-up" of §5.3). Conflicting
 * entries of a follower are overwritten by the leader's. Empty AppendEntries every 250 ms (a
 * quarter of the shortest election timeout) are the heartbeats that keep followers from
 * starting elections.
 *
 * Commitment (§5.3, §5.4.2, Figure 8). An entry is committed once it is on a majority — but
 * the leader decides this by counting only for an entry of its OWN term; older entries become
 * committed with it. (Figure 8 shows an old-term entry on a majority that a later leader can
 * still overwrite.) So a new leader first appends a no-op entry of its term (§8), which
 * commits everything before it. Committed entries are applied in log order: the leader commits
 * the block it executed (host->commit); a follower executes it, checks it reproduces the roots
 * in its header and commits it (host->apply).
 *
 * Persistence (Figure 2). currentTerm, votedFor and the log are written to the node's disk
 * "group<G>.raft" (raft_log.c) before any reply that depends on them is sent.
 *
 * Log index and block height. An entry is a block or a no-op, so the index of an entry is not
 * the height of its block; blocks appear in the log in height order. The ledger height is the
 * height of the last block applied. The leader seals a new block only when every entry of its
 * log is committed and applied (one block in flight at a time, like FISCO), so the new block
 * goes right on top of the ledger tip. After a restart commitIndex starts at 0 (it is volatile
 * in the paper); as it advances again, blocks at or below the ledger tip are skipped: they were
 * applied before the crash, or they came by sync, which hands every node blocks that are
 * already committed somewhere.
 *
 * Files: raft.c (this one: elections, followers, applying), raft_leader.c (the leader's
 * replication and commitment), raft_rules.c (how a node decides to grant a vote and to take
 * entries: the rules exercises 09 and 10 have students write), raft_msg.c (the messages),
 * raft_log.c (the persistent state).
 *
 * Where FISCO BCOS 2.x's Raft differs (fisco-2x-facts §3):
 *   - A node refuses the first vote it is ever asked for (to damp flapping), and refuses
 *     candidates whose lastLeaderTerm is below its own; the paper, and this file, do not.
 *   - FISCO has no real log: the leader puts its one uncommitted block in its heartbeats, the
 *     followers answer with its hash, and after a majority the leader commits it; the others
 *     then receive the block through sync. Here blocks are log entries and followers apply
 *     them themselves, as in the paper; sync only helps those that lag.
 *   - The up-to-date check compares block numbers (lastBlockNumber) rather than (term, index).
 *   - A FISCO leader steps down when heartbeat responses stop arriving; this one does too
 *     (after an election timeout without hearing from a majority), so a leader cut off in a
 *     minority stops calling itself leader.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "consensus/raft_impl.h"
#include "net/frame.h"

/* ---- small helpers ---- */

void
raft_emit(consensus_t *c, ev_kind_t kind, int peer, int64_t a, int64_t b)
{
    env_emit(c->h.env, kind, c->h.group, MODULE_RAFT, peer, a, b, NULL);
}

static void
drop(consensus_t *c, unsigned from, unsigned type, size_t len, ev_drop_reason_t why)
{
    uint8_t hash[32] = { (uint8_t)why };

    env_emit(c->h.env, EV_MSG_DROPPED, c->h.group, MODULE_RAFT, (int)from, type, (int64_t)len,
             hash);
}

unsigned
raft_self(const consensus_t *c)
{
    return c->h.env->self;
}

/* Position of cluster node `node` among the sealers, -1 if it is not one. */
int
raft_sealer_pos(const consensus_t *c, unsigned node)
{
    for (size_t i = 0; i < c->nsealers; i++)
        if (c->sealers[i] == node)
            return (int)i;
    return -1;
}

size_t
raft_majority(const consensus_t *c)
{
    return c->nsealers / 2 + 1;
}

static uint64_t
last_term(const consensus_t *c)
{
    return raft_log_term_at(&c->log, raft_log_last(&c->log));
}

static void
load_sealers(consensus_t *c)
{
    uint8_t ids[CONSENSUS_MAX_SEALERS][64];

    c->nsealers = c->h.sealers(c->h.g, ids, c->sealers, CONSENSUS_MAX_SEALERS);
}

void
raft_send(consensus_t *c, unsigned to, unsigned type, const bl_buf_t *body)
{
    frame_send(c->h.env, to, c->h.group, MODULE_RAFT, type, bl_buf_span(body));
}

static void
arm_election(consensus_t *c)
{
    uint64_t spread = RAFT_ELECT_MAX_MS - RAFT_ELECT_MIN_MS;

    env_set_timer(c->h.env, env_timer_id(c->h.group, MODULE_RAFT, RAFT_TIMER_ELECTION),
                  RAFT_ELECT_MIN_MS + env_random(c->h.env) % spread);
}

/* ---- terms and roles ---- */

/* Adopt a higher term (votedFor cleared), persisted. */
static int
set_term(consensus_t *c, uint64_t term, int voted_for)
{
    uint64_t old = c->log.term;
    int rc = raft_log_set_vote(&c->log, term, voted_for);

    if (rc == BL_OK && term != old)
        raft_emit(c, EV_RAFT_TERM, -1, (int64_t)term, (int64_t)old);
    return rc;
}

/* The leader forgets the block it executed but did not commit. */
static void
drop_pending(consensus_t *c)
{
    if (c->exec_index != 0)
        c->h.abandon(c->h.g);
    c->exec_index = 0;
}

void
raft_become_follower(consensus_t *c, uint64_t term, int leader)
{
    bool changed = c->role != RAFT_FOLLOWER || c->leader != leader;

    if (term > c->log.term && set_term(c, term, -1) != BL_OK)
        return;
    if (c->role == RAFT_LEADER) {
        env_cancel_timer(c->h.env, env_timer_id(c->h.group, MODULE_RAFT, RAFT_TIMER_HEARTBEAT));
        drop_pending(c);
        arm_election(c); /* followers and candidates have theirs running already */
    }
    c->role = RAFT_FOLLOWER;
    c->leader = leader;
    if (changed)
        raft_emit(c, EV_RAFT_FOLLOWER, leader, (int64_t)c->log.term, 0);
}

/* ---- applying committed entries ---- */

/* Apply entry index: a no-op does nothing; a block at or below the tip is already in the
 * ledger; the next block is committed (the leader's own, executed) or applied. The senders of
 * its txs come from the pool, which verified nearly all of them on arrival; only the others
 * are recovered (host senders(), as PBFT does). */
static int
apply_one(consensus_t *c, uint64_t index)
{
    const raft_entry_t *e = raft_log_at(&c->log, index);
    block_t blk;
    int64_t tip;
    uint8_t hash[32];
    int rc;

    if (e == NULL || e->block.len == 0)
        return BL_OK;
    if ((rc = block_decode_unverified(c->h.suite, bl_buf_span(&e->block), &blk)) != BL_OK)
        return rc;
    c->h.tip(c->h.g, &tip, hash);
    if (blk.header.number > tip + 1) {
        rc = bl_fail(BL_E_RANGE, "raft: block %lld is above tip %lld + 1",
                     (long long)blk.header.number, (long long)tip);
        goto out;
    }
    if (blk.header.number <= tip || (rc = c->h.senders(c->h.g, &blk)) != BL_OK)
        goto out; /* synced already (no senders needed), or a signature that does not verify */
    c->in_host = true;
    if (index == c->exec_index)
        rc = c->h.commit(c->h.g, &blk);
    else
        rc = c->h.apply(c->h.g, &blk);
    c->in_host = false;
out:
    if (index == c->exec_index)
        c->exec_index = 0;
    block_free(&blk);
    return rc;
}

void
raft_apply_committed(consensus_t *c)
{
    while (c->applied < c->commit && apply_one(c, c->applied + 1) == BL_OK)
        c->applied++;
}

bool
raft_raise_commit(consensus_t *c, uint64_t index)
{
    if (index <= c->commit)
        return false;
    c->commit = index;
    raft_emit(c, EV_RAFT_COMMIT, -1, (int64_t)index, (int64_t)c->log.term);
    return true;
}

void
raft_set_commit(consensus_t *c, uint64_t index)
{
    if (raft_raise_commit(c, index))
        raft_apply_committed(c);
}

/* ---- elections ---- */

static void
start_election(consensus_t *c)
{
    raft_vote_req_t m;
    bl_buf_t body = BL_BUF_INIT;
    int pos = raft_sealer_pos(c, raft_self(c));

    arm_election(c);
    if (pos < 0 || set_term(c, c->log.term + 1, (int)raft_self(c)) != BL_OK)
        return; /* only sealers stand */
    c->role = RAFT_CANDIDATE;
    c->leader = -1;
    memset(c->votes, 0, sizeof c->votes);
    c->votes[pos] = true;
    raft_emit(c, EV_RAFT_ELECTION, -1, (int64_t)c->log.term, 0);
    if (raft_majority(c) == 1) {
        raft_become_leader(c);
        return;
    }
    m = (raft_vote_req_t){ .term = c->log.term, .last_index = raft_log_last(&c->log),
                           .last_term = last_term(c) };
    raft_encode_vote_req(&m, &body);
    for (size_t i = 0; i < c->nsealers; i++)
        if (c->sealers[i] != raft_self(c))
            raft_send(c, c->sealers[i], RAFT_REQUEST_VOTE, &body);
    bl_buf_free(&body);
}

/* RequestVote: the vote rule (raft_rules.c, or exercise 09's) decides; we adopt the term it
 * returns, persist the vote, and only then answer. An answer that would move the term backwards
 * is not used at all. */
static void
on_vote_req(consensus_t *c, unsigned from, const raft_vote_req_t *m)
{
    raft_vote_question_t q = { .current_term = c->log.term, .voted_for = c->log.voted_for,
                               .last_index = raft_log_last(&c->log), .last_term = last_term(c),
                               .candidate = (int)from, .req = *m };
    raft_vote_answer_t a = raft_vote_rule(&q);
    raft_vote_resp_t r = { .granted = false };
    bl_buf_t body = BL_BUF_INIT;

    if (a.term > c->log.term)
        raft_become_follower(c, a.term, -1);
    if (a.voted_for < 0)
        a.voted_for = -1;
    if (a.term == c->log.term &&
        (a.voted_for == c->log.voted_for ||
         raft_log_set_vote(&c->log, c->log.term, a.voted_for) == BL_OK) &&
        a.granted) {
        r.granted = true;
        arm_election(c);
    }
    r.term = c->log.term;
    raft_emit(c, EV_RAFT_VOTE, (int)from, (int64_t)r.term, r.granted);
    raft_encode_vote_resp(&r, &body);
    raft_send(c, from, RAFT_VOTE_RESPONSE, &body);
    bl_buf_free(&body);
}

static void
on_vote_resp(consensus_t *c, int pos, const raft_vote_resp_t *m)
{
    size_t count = 0;

    if (m->term > c->log.term) {
        raft_become_follower(c, m->term, -1);
        return;
    }
    if (c->role != RAFT_CANDIDATE || m->term != c->log.term || !m->granted)
        return;
    c->votes[pos] = true;
    for (size_t i = 0; i < c->nsealers; i++)
        count += c->votes[i];
    if (count >= raft_majority(c))
        raft_become_leader(c);
}

/* ---- followers: AppendEntries ---- */

static void
reply_append(consensus_t *c, unsigned to, const raft_append_resp_t *r)
{
    bl_buf_t body = BL_BUF_INIT;

    raft_encode_append_resp(r, &body);
    raft_send(c, to, RAFT_APPEND_RESPONSE, &body);
    bl_buf_free(&body);
}

/* Why an append was refused, for the leader's fast back-up (§5.3): the term at prev_index and
 * the first index of that term, or (log too short) the index after our last. */
static void
conflict_hint(const consensus_t *c, const raft_append_t *m, raft_append_resp_t *r)
{
    uint64_t last = raft_log_last(&c->log);

    if (m->prev_index > last) {
        r->conflict_index = last + 1;
        return;
    }
    r->conflict_term = raft_log_term_at(&c->log, m->prev_index);
    r->conflict_index = raft_log_first_of_term(&c->log, r->conflict_term);
}

static bool
same_entry(const raft_entry_t *e, const raft_entry_view_t *v)
{
    return e->term == v->term && e->block.len == v->block.len &&
           (e->block.data == v->block.ptr || e->block.len == 0 ||
            memcmp(e->block.data, v->block.ptr, v->block.len) == 0);
}

/* Make our log entries from..: n entries, copied first (they may point into the very
 * entries the log is about to drop). */
static int
replace_from(consensus_t *c, uint64_t from, const raft_entry_view_t *entries, size_t n)
{
    raft_entry_view_t *views = bl_xcalloc(n ? n : 1, sizeof *views);
    bl_buf_t *copies = bl_xcalloc(n ? n : 1, sizeof *copies);
    int rc;

    for (size_t i = 0; i < n; i++) {
        bl_buf_init(&copies[i]);
        bl_buf_append(&copies[i], entries[i].block.ptr, entries[i].block.len);
        views[i] = (raft_entry_view_t){ .term = entries[i].term,
                                        .block = bl_buf_span(&copies[i]) };
    }
    rc = raft_log_replace(&c->log, from, views, n);
    for (size_t i = 0; i < n; i++)
        bl_buf_free(&copies[i]);
    free(copies);
    free(views);
    return rc;
}

/* Write to our log what the append rule did to its plain copy: everything from the first
 * entry that differs. Committed entries are never rewritten, whatever a rule says. */
static int
write_changes(consensus_t *c, const raft_plain_log_t *plain)
{
    size_t same = 0, n;

    while (same < c->log.count && same < plain->count &&
           same_entry(&c->log.entries[same], &plain->entries[same]))
        same++;
    if (same == c->log.count && same == plain->count)
        return BL_OK;
    if (same < c->commit)
        return bl_fail(BL_E_INVALID, "raft: entry %zu is committed and cannot be overwritten",
                       same + 1);
    n = plain->count - same;
    raft_emit(c, EV_RAFT_APPEND, c->leader, (int64_t)same + 1, (int64_t)n);
    return replace_from(c, same + 1, plain->entries + same, n);
}

/* AppendEntries of our leader's term: the append rule (raft_rules.c, or exercise 10's) works
 * on a plain copy of our log; we persist what it changed, then raise commitIndex. */
static bool
follower_append(consensus_t *c, const raft_append_t *m, raft_append_resp_t *r)
{
    raft_plain_log_t plain = { .count = c->log.count, .cap = c->log.count + m->nentries };
    uint64_t commit = c->commit;
    bool ok;
    int rc;

    plain.entries = bl_xcalloc(plain.cap ? plain.cap : 1, sizeof *plain.entries);
    for (size_t i = 0; i < plain.count; i++)
        plain.entries[i] = (raft_entry_view_t){ .term = c->log.entries[i].term,
                                                .block = bl_buf_span(&c->log.entries[i].block) };
    ok = raft_append_rule(&plain, &commit, m);
    if (plain.count > plain.cap)
        rc = bl_fail(BL_E_RANGE, "raft: the append rule left %zu entries in room for %zu",
                     plain.count, plain.cap);
    else
        rc = write_changes(c, &plain);
    free(plain.entries);
    if (!ok || rc != BL_OK) {
        conflict_hint(c, m, r);
        return false;
    }
    r->match = m->prev_index + m->nentries;
    if (commit > c->commit)
        raft_set_commit(c, commit); /* as the rule says: never past the last entry it vouched for */
    return true;
}

static void
on_append(consensus_t *c, unsigned from, const raft_append_t *m)
{
    raft_append_resp_t r = { .success = false };

    if (m->term > c->log.term || (m->term == c->log.term && c->role != RAFT_LEADER &&
                                  (c->role != RAFT_FOLLOWER || c->leader != (int)from)))
        raft_become_follower(c, m->term, (int)from);
    if (m->term == c->log.term && c->role == RAFT_FOLLOWER) {
        arm_election(c);
        r.success = follower_append(c, m, &r);
    }
    r.term = c->log.term;
    reply_append(c, from, &r);
}

/* ---- the engine's interface (consensus.h) ---- */

static consensus_t *
raft_create(const consensus_host_t *host)
{
    consensus_t *c = bl_xcalloc(1, sizeof *c);
    char name[32];

    c->h = *host;
    c->leader = -1;
    snprintf(name, sizeof name, "group%u.raft", host->group);
    if (raft_log_open(&c->log, env_disk(host->env, name)) != BL_OK) {
        raft_log_free(&c->log);
        free(c);
        return NULL;
    }
    load_sealers(c);
    return c;
}

static void
raft_destroy(consensus_t *c)
{
    raft_log_free(&c->log);
    free(c);
}

static void
raft_start(consensus_t *c)
{
    raft_emit(c, EV_RAFT_FOLLOWER, -1, (int64_t)c->log.term, 0);
    arm_election(c);
}

static void
raft_on_timer(consensus_t *c, unsigned local)
{
    if (local == RAFT_TIMER_ELECTION && c->role != RAFT_LEADER)
        start_election(c);
    else if (local == RAFT_TIMER_HEARTBEAT && c->role == RAFT_LEADER)
        raft_leader_tick(c);
}

/* Decode body as packet type and hand it on; BL_E_* if it does not decode. */
static int
dispatch(consensus_t *c, unsigned from, int pos, unsigned type, bl_span_t body)
{
    union {
        raft_vote_req_t vq;
        raft_vote_resp_t vr;
        raft_append_t ae;
        raft_append_resp_t ar;
    } m;
    int rc = BL_E_INVALID;

    if (type == RAFT_REQUEST_VOTE && (rc = raft_decode_vote_req(body, &m.vq)) == BL_OK)
        on_vote_req(c, from, &m.vq);
    else if (type == RAFT_VOTE_RESPONSE && (rc = raft_decode_vote_resp(body, &m.vr)) == BL_OK)
        on_vote_resp(c, pos, &m.vr);
    else if (type == RAFT_APPEND_ENTRIES && (rc = raft_decode_append(body, &m.ae)) == BL_OK)
        on_append(c, from, &m.ae);
    else if (type == RAFT_APPEND_RESPONSE &&
             (rc = raft_decode_append_resp(body, &m.ar)) == BL_OK)
        raft_on_append_resp(c, pos, &m.ar);
    return rc;
}

static void
raft_on_message(consensus_t *c, unsigned from, unsigned type, bl_span_t body)
{
    int pos = raft_sealer_pos(c, from);

    if (pos < 0 || from == raft_self(c)) {
        drop(c, from, type, body.len, EV_DROP_NOT_MEMBER);
        return;
    }
    if (type > RAFT_APPEND_RESPONSE) {
        drop(c, from, type, body.len, EV_DROP_UNKNOWN);
        return;
    }
    if (dispatch(c, from, pos, type, body) != BL_OK)
        drop(c, from, type, body.len, EV_DROP_MALFORMED);
}

/* A block reached the ledger. If it did not come through us (sync), the state the leader
 * executed for its pending block is gone. The sealers may have changed with it. */
static void
raft_on_commit(consensus_t *c, const block_t *blk)
{
    (void)blk;
    load_sealers(c);
    if (c->in_host)
        return;
    c->exec_index = 0;
    raft_apply_committed(c); /* an entry may have waited for sync to fill a gap */
}

const consensus_ops_t raft_ops = {
    .name = "raft",
    .create = raft_create,
    .destroy = raft_destroy,
    .start = raft_start,
    .on_message = raft_on_message,
    .on_timer = raft_on_timer,
    .on_commit = raft_on_commit,
    .module = MODULE_RAFT,
};
