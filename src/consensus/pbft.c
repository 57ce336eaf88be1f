/*
 * pbft.c — Practical Byzantine Fault Tolerance as FISCO BCOS 2.x runs it (fisco-2x-facts
 * §2.1-2.5): how n sealers agree on the next block although up to f = (n-1)/3 of them may be
 * down, slow or lying.
 *
 * The leader in view v on top of block h (my highest) is sealer (v + h) % n. One round, for
 * block h + 1, has three phases:
 *
 *   1. Prepare  the leader packs pending txs into a block and sends it to every sealer.
 *   2. Sign     each sealer EXECUTES the block and signs the hash of the executed header (its
 *               stateRoot, receiptsRoot and dbHash filled in), and sends that SignReq around.
 *   3. Commit   a sealer that sees n-f SignReqs with the hash it computed itself writes the block
 *               to its prepare backup and sends a CommitReq; one that sees n-f CommitReqs puts
 *               their signatures into the block's sigList and commits it.
 *
 * Why execute before signing? Then a signature says "I ran these txs and got this state", not
 * merely "I saw this list of txs": n-f matching signs prove that honest sealers agree on the
 * resulting state too, and a leader that lies about a root is caught before anyone commits.
 *
 * Why n-f? We can only ever wait for n-f answers, because f sealers may be silent. Two sets of
 * n-f sealers overlap in at least n-2f >= f+1 of them, so at least one honest sealer is in both:
 * two different blocks can never both collect n-f votes at the same height and view. The
 * backup keeps that promise across crashes: a sealer that sent a CommitReq for block X is locked
 * on X and signs no other block at that height (not even after a restart, for it reads the
 * backup back), unless n-f sealers signed another block in a later view — which proves X was
 * never committed.
 *
 * What if the leader is down or lies? Nobody gets a block in time, the view timer fires and
 * the sealers ask for view v+1 (pbft_view.c): with n-f such requests the view changes, and
 * with it the leader. An empty block (the leader had no txs for 1 s) is never stored either:
 * its arrival just moves everyone to the next view and so to the next leader.
 *
 * Each costly step happens once per sealer, as in FISCO: a tx's sender is recovered when the
 * pool admits it, and a Prepare's senders are taken from the pool (only a tx the pool lacks is
 * verified again); a block is executed when its Prepare comes, and that executed state is what
 * is committed (commit_locked executes again only if the state was dropped meanwhile).
 *
 * Where we are stricter than FISCO 2.x, and why: FISCO's sealers sign any valid Prepare and
 * only the leader re-proposes its own backup. Here a locked sealer signs nothing but its locked
 * block, and shows that block to each new leader (a PrepareReq from a non-leader: a "hint"),
 * who proposes it again; that is the lock rule of textbook PBFT and Tendermint, and it is what
 * makes "no fork after a crash" hold for any timing, not only for the likely ones.
 */
#include "consensus/pbft_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "net/frame.h"

/* ---- small helpers ---- */

size_t
pbft_quorum(const consensus_t *c)
{
    return pbft_rules.quorum(c->n);
}

/* May be >= n if an exercise's rule says so: then nobody leads. */
uint64_t
pbft_leader(const consensus_t *c, uint64_t view)
{
    return pbft_rules.leader(view, c->tip, c->n);
}

void
pbft_emit(consensus_t *c, ev_kind_t kind, int peer, int64_t a, int64_t b,
          const uint8_t hash[32])
{
    env_emit(c->h.env, kind, c->h.group, MODULE_PBFT, peer, a, b, hash);
}

static void
phase(consensus_t *c, pbft_phase_t p)
{
    pbft_emit(c, EV_PBFT_PHASE, -1, c->tip + 1, p, NULL);
}

static void
drop(consensus_t *c, unsigned from, unsigned type, size_t len)
{
    uint8_t why[32] = { EV_DROP_MALFORMED };

    env_emit(c->h.env, EV_MSG_DROPPED, c->h.group, MODULE_PBFT, (int)from, type,
             (int64_t)len, why);
}

static void
load_tip(consensus_t *c)
{
    c->h.tip(c->h.g, &c->tip, c->tip_hash);
}

static void
load_sealers(consensus_t *c)
{
    c->n = c->h.sealers(c->h.g, c->ids, c->nodes, CONSENSUS_MAX_SEALERS);
    c->me = -1;
    for (size_t i = 0; i < c->n; i++)
        if (c->nodes[i] == c->h.env->self)
            c->me = (int64_t)i;
}

/* ---- sending ---- */

void
pbft_send(consensus_t *c, pbft_msg_t *m, int to)
{
    bl_buf_t body = BL_BUF_INIT;

    m->idx = (uint64_t)c->me;
    m->timestamp = env_now(c->h.env);
    if (pbft_msg_sign(c->h.suite, c->h.key, m) != BL_OK)
        goto out;
    pbft_msg_encode(m, &body);
    if (to >= 0) {
        frame_send(c->h.env, (unsigned)to, c->h.group, MODULE_PBFT, m->type, bl_buf_span(&body));
        goto out;
    }
    for (size_t i = 0; i < c->n; i++)
        if (c->nodes[i] != UINT32_MAX && c->nodes[i] != c->h.env->self)
            frame_send(c->h.env, c->nodes[i], c->h.group, MODULE_PBFT, m->type,
                       bl_buf_span(&body));
    pbft_enqueue(c, c->h.env->self, m->type, bl_buf_span(&body));
out:
    bl_buf_free(&body);
}

static void
send_vote(consensus_t *c, unsigned type, uint64_t view, const uint8_t hash[32])
{
    pbft_msg_t m = { .type = type, .height = c->tip + 1, .view = view };

    memcpy(m.block_hash, hash, 32);
    pbft_send(c, &m, -1);
}

/* ---- the round ---- */

/* Keeping a proposal decoded (and executed) saves decoding and executing it again at commit. */
static void
drop_decoded(block_t *b, bool *has)
{
    if (*has)
        block_free(b);
    *has = false;
}

/* Take the block out of `from` (it is left empty): a move, not a copy of a thousand txs. */
static void
move_decoded(block_t *to, bool *has_to, block_t *from, bool *has_from)
{
    drop_decoded(to, has_to);
    if (!*has_from)
        return;
    *to = *from;
    *has_to = true;
    block_init(from);
    *has_from = false;
}

/* Decode a proposed block and find its senders. Recovering a sender is the costliest step of
 * all, and this node's pool did it already for nearly every tx of the block when the tx
 * arrived: so, as FISCO's PBFT does with a PrepareReq, the senders come from the pool and only
 * the txs it lacks are verified (host senders()). */
int
pbft_decode_block(consensus_t *c, bl_span_t raw, block_t *blk)
{
    int rc = block_decode_unverified(c->h.suite, raw, blk);

    if (rc == BL_OK && (rc = c->h.senders(c->h.g, blk)) != BL_OK)
        block_free(blk);
    return rc;
}

void
pbft_forget_prepare(consensus_t *c)
{
    if (c->has_prepare)
        c->h.abandon(c->h.g);
    c->has_prepare = false;
    bl_buf_clear(&c->prep_block);
    drop_decoded(&c->prep_decoded, &c->has_prep_decoded);
}

/* The votes of one kind for the next block, as a list for the rules (pbft_rules_t), and the
 * vote they are compared with. */
static size_t
ballots(const consensus_t *c, const pbft_vote_t *votes, uint64_t view, const uint8_t hash[32],
        pbft_ballot_t *list, pbft_ballot_t *want)
{
    size_t k = 0;

    for (size_t i = 0; i < c->n; i++) {
        if (!votes[i].has)
            continue;
        list[k].sealer = i;
        list[k].height = votes[i].height;
        list[k].view = votes[i].view;
        memcpy(list[k].hash, votes[i].hash, 32);
        k++;
    }
    want->sealer = 0;
    want->height = c->tip + 1;
    want->view = view;
    memcpy(want->hash, hash, 32);
    return k;
}

static size_t
count_votes(const consensus_t *c, const pbft_vote_t *votes, uint64_t view,
            const uint8_t hash[32])
{
    pbft_ballot_t list[CONSENSUS_MAX_SEALERS], want;
    size_t k = ballots(c, votes, view, hash, list, &want);

    return pbft_rules.count_votes(list, k, c->n, &want);
}

static bool
has_quorum(const consensus_t *c, const pbft_vote_t *votes, uint64_t view,
           const uint8_t hash[32])
{
    pbft_ballot_t list[CONSENSUS_MAX_SEALERS], want;
    size_t k = ballots(c, votes, view, hash, list, &want);

    return pbft_rules.quorum_reached(list, k, c->n, &want);
}

/* Phase 3 done: n-f commits. Put the commit signatures into the locked block's sigList and
 * commit it. In the usual case the group still holds the state of that very block, executed
 * when its Prepare came (same executed hash): FISCO commits that cached executed block, and so
 * do we. Otherwise — a view change or a sync dropped the state, I executed another block
 * since, or I restarted from the backup — execute it once more: execution is deterministic, so
 * the hash must come out the same. */
static void
commit_locked(consensus_t *c)
{
    block_t blk;
    uint8_t hash[32];
    bool kept = c->has_lock_decoded && c->h.executed(c->h.g, c->lock_hash);

    if (c->has_lock_decoded) { /* taken, not copied: a failed commit decodes lock_block again */
        blk = c->lock_decoded;
        block_init(&c->lock_decoded);
        c->has_lock_decoded = false;
    } else if (pbft_decode_block(c, bl_buf_span(&c->lock_block), &blk) != BL_OK) {
        return;
    }
    if (!kept && c->h.execute(c->h.g, &blk) != BL_OK)
        goto refuse;
    block_hash(c->h.suite, &blk, hash);
    if (memcmp(hash, c->lock_hash, 32) != 0)
        goto refuse;
    for (size_t i = 0; i < c->n; i++) {
        const pbft_vote_t *v = &c->commits[i];

        if (v->has && v->view == c->lock_view && memcmp(v->hash, hash, 32) == 0)
            block_add_sig(&blk, i, v->sig, c->h.suite->sig_len);
    }
    c->committing = true;
    phase(c, PBFT_PHASE_COMMITTED);
    if (c->h.commit(c->h.g, &blk) == BL_OK)
        goto out; /* on_commit has moved us to the next height */
    c->committing = false;
refuse:
    c->h.abandon(c->h.g);
    pbft_emit(c, EV_BLOCK_REFUSED, -1, c->tip + 1, 0, c->lock_hash);
out:
    block_free(&blk);
}

static void
check_commits(consensus_t *c)
{
    if (!c->locked || c->committing)
        return;
    if (has_quorum(c, c->commits, c->lock_view, c->lock_hash))
        commit_locked(c);
}

/* Phase 2 done: n-f signs for the block I executed. Lock on it, back it up, send my commit. */
static void
check_signs(consensus_t *c)
{
    bool same;

    if (!c->has_prepare || !has_quorum(c, c->signs, c->prep_view, c->prep_exec_hash))
        return;
    same = c->locked && memcmp(c->lock_hash, c->prep_exec_hash, 32) == 0;
    if (c->locked && (same ? c->lock_view == c->prep_view : c->lock_view >= c->prep_view))
        return;
    c->locked = true;
    c->lock_view = c->prep_view;
    memcpy(c->lock_hash, c->prep_exec_hash, 32);
    bl_buf_clear(&c->lock_block);
    bl_buf_append(&c->lock_block, c->prep_block.data, c->prep_block.len);
    move_decoded(&c->lock_decoded, &c->has_lock_decoded, &c->prep_decoded, &c->has_prep_decoded);
    if (pbft_backup_save(c) != BL_OK) {
        c->locked = false; /* no commit without a backup: a crash could fork */
        return;
    }
    phase(c, PBFT_PHASE_SIGNED);
    send_vote(c, PBFT_COMMIT, c->lock_view, c->lock_hash);
}

/* Is the block a proposal for the next height on top of my tip, with the hash m claims? */
static int
check_block(consensus_t *c, const pbft_msg_t *m, block_t *blk)
{
    uint8_t hash[32];
    int rc = pbft_decode_block(c, m->block, blk);

    if (rc != BL_OK)
        return rc;
    block_hash(c->h.suite, blk, hash);
    if (blk->header.number != c->tip + 1 || memcmp(blk->header.parent_hash, c->tip_hash, 32) ||
        memcmp(hash, m->block_hash, 32) != 0) {
        block_free(blk);
        return bl_fail(BL_E_FORMAT, "the proposed block does not extend my tip");
    }
    return BL_OK;
}

/* A Prepare from a sealer that is not the leader: a locked sealer showing the new leader the
 * block it is locked on (pbft_send_hint). The leader proposes it, so that the locked sealer
 * can sign again. Anyone else drops it. */
static void
on_hint(consensus_t *c, unsigned from, const pbft_msg_t *m)
{
    block_t blk;

    if (pbft_leader(c, c->view) != (uint64_t)c->me || check_block(c, m, &blk) != BL_OK) {
        drop(c, from, m->type, m->block.len);
        return;
    }
    if (!c->proposed && !c->locked && !c->has_hint && blk.ntxs > 0) {
        c->has_hint = true;
        bl_buf_clear(&c->hint_block);
        bl_buf_append(&c->hint_block, m->block.ptr, m->block.len);
    }
    block_free(&blk);
}

/* Phase 1: the leader's block. Execute it, then sign what came out. */
static void
on_prepare(consensus_t *c, unsigned from, const pbft_msg_t *m)
{
    block_t blk;

    if (m->idx != pbft_leader(c, c->view)) {
        on_hint(c, from, m);
        return;
    }
    if (check_block(c, m, &blk) != BL_OK) {
        drop(c, from, m->type, m->block.len);
        return;
    }
    pbft_emit(c, EV_PBFT_PREPARE, (int)from, m->height, (int64_t)m->view, m->block_hash);
    if (blk.ntxs == 0) { /* never stored: move on to the next leader */
        if (c->to_view == c->view)
            pbft_request_view_change(c);
        goto out;
    }
    pbft_forget_prepare(c);
    if (c->h.execute(c->h.g, &blk) != BL_OK) {
        c->h.abandon(c->h.g);
        goto out;
    }
    c->has_prepare = true;
    c->prep_view = m->view;
    block_hash(c->h.suite, &blk, c->prep_exec_hash);
    bl_buf_append(&c->prep_block, m->block.ptr, m->block.len);
    c->prep_decoded = blk; /* executed, with its receipts: kept for the commit */
    c->has_prep_decoded = true;
    block_init(&blk);
    if (!c->locked || memcmp(c->lock_hash, c->prep_exec_hash, 32) == 0) {
        phase(c, PBFT_PHASE_PREPARED);
        send_vote(c, PBFT_SIGN, m->view, c->prep_exec_hash);
    }
    check_signs(c);
out:
    block_free(&blk);
}

/* A Sign or Commit vote: one slot per sealer, the latest view wins, a duplicate counts once. */
static void
on_vote(consensus_t *c, unsigned from, const pbft_msg_t *m)
{
    pbft_vote_t *v = m->type == PBFT_SIGN ? &c->signs[m->idx] : &c->commits[m->idx];
    size_t k;

    if (v->has && v->view >= m->view)
        return;
    v->has = true;
    v->view = m->view;
    v->height = m->height;
    memcpy(v->hash, m->block_hash, 32);
    memcpy(v->sig, m->sig, m->sig_len);
    k = count_votes(c, m->type == PBFT_SIGN ? c->signs : c->commits, m->view, m->block_hash);
    pbft_emit(c, m->type == PBFT_SIGN ? EV_PBFT_SIGN : EV_PBFT_COMMIT, (int)from, m->height,
              (int64_t)k, m->block_hash);
    if (m->type == PBFT_SIGN)
        check_signs(c);
    else
        check_commits(c);
}

/* ---- checking what arrives ---- */

typedef enum { PBFT_STALE, PBFT_LATER, PBFT_NOW } pbft_when_t;

/* Is m about the round I am in, a later one, or one that is over? */
static pbft_when_t
when(const consensus_t *c, const pbft_msg_t *m)
{
    if (m->type == PBFT_VIEW_CHANGE)
        return m->height >= c->tip ? PBFT_NOW : PBFT_STALE;
    if (m->height <= c->tip || m->height > c->tip + PBFT_FUTURE_HEIGHTS)
        return PBFT_STALE;
    if (m->height > c->tip + 1)
        return PBFT_LATER;
    if (m->type != PBFT_PREPARE)
        return PBFT_NOW;
    if (m->view > c->view)
        return PBFT_LATER;
    if (m->view < c->view || c->to_view != c->view || (c->has_prepare && c->prep_view == m->view))
        return PBFT_STALE;
    return PBFT_NOW;
}

static void
handle(consensus_t *c, unsigned from, unsigned type, bl_span_t body)
{
    pbft_msg_t m;
    pbft_when_t w;

    if (c->me < 0)
        return; /* observers run no PBFT */
    if (pbft_msg_decode(c->h.suite, type, body, &m) != BL_OK || m.idx >= c->n ||
        c->nodes[m.idx] != from) {
        drop(c, from, type, body.len);
        return;
    }
    w = when(c, &m);
    if (w == PBFT_LATER)
        pbft_keep_future(c, from, type, body);
    if (w != PBFT_NOW)
        return;
    if (pbft_msg_verify(c->h.suite, &m, c->ids[m.idx]) != BL_OK) {
        drop(c, from, type, body.len);
        return;
    }
    if (type == PBFT_PREPARE)
        on_prepare(c, from, &m);
    else if (type == PBFT_VIEW_CHANGE)
        pbft_on_view_change(c, from, &m);
    else
        on_vote(c, from, &m);
}

/* Every call from outside goes through enter/leave: the outermost one then works through the
 * queue (my own messages, replayed ones) until it is empty. */
static void
enter(consensus_t *c)
{
    c->depth++;
}

static void
leave(consensus_t *c)
{
    if (c->depth == 1) {
        while (c->qlen > 0) {
            pbft_future_t q = c->queue[c->qhead];

            c->qhead++;
            c->qlen--;
            handle(c, q.from, q.type, bl_buf_span(&q.body));
            pbft_future_free(&q);
        }
        c->qhead = 0;
    }
    c->depth--;
}

/* ---- the engine's calls ---- */

/* A fresh round for the next height or view: the timers, the leader's first look, and, if I
 * am locked (even from the backup, after a crash), my lock shown to the leader and my
 * CommitReq sent again for those who missed it (FISCO re-commits its backup). */
void
pbft_new_round(consensus_t *c)
{
    c->round_start_ms = env_now(c->h.env);
    c->proposed = false;
    c->has_hint = false;
    pbft_forget_prepare(c);
    if (c->me < 0)
        return;
    phase(c, PBFT_PHASE_IDLE);
    pbft_arm_view_timer(c);
    if (pbft_leader(c, c->view) == (uint64_t)c->me)
        pbft_arm_seal(c, 0); /* a lock or a full pool goes at once; the timer knows */
    if (!c->locked)
        return;
    pbft_send_hint(c);
    send_vote(c, PBFT_COMMIT, c->lock_view, c->lock_hash);
}

static consensus_t *
pbft_create(const consensus_host_t *host)
{
    consensus_t *c = bl_xcalloc(1, sizeof *c);
    char name[32];

    c->h = *host;
    snprintf(name, sizeof name, "group%u.pbft", host->group);
    c->disk = env_disk(host->env, name);
    load_tip(c);
    load_sealers(c);
    pbft_backup_load(c);
    return c;
}

static void
pbft_destroy(consensus_t *c)
{
    for (size_t i = 0; i < c->nfuture; i++)
        pbft_future_free(&c->future[i]);
    for (size_t i = 0; i < c->qlen; i++)
        pbft_future_free(&c->queue[c->qhead + i]);
    free(c->queue);
    bl_buf_free(&c->prep_block);
    bl_buf_free(&c->lock_block);
    drop_decoded(&c->prep_decoded, &c->has_prep_decoded);
    drop_decoded(&c->lock_decoded, &c->has_lock_decoded);
    bl_buf_free(&c->hint_block);
    free(c);
}

static void
pbft_start(consensus_t *c)
{
    enter(c);
    pbft_new_round(c);
    leave(c);
}

static void
pbft_on_message(consensus_t *c, unsigned from, unsigned type, bl_span_t body)
{
    enter(c);
    handle(c, from, type, body);
    leave(c);
}

static void
pbft_on_timer(consensus_t *c, unsigned local)
{
    enter(c);
    if (local == PBFT_TIMER_SEAL)
        pbft_on_seal_timer(c);
    else if (local == PBFT_TIMER_VIEW && c->me >= 0)
        pbft_on_view_timeout(c);
    leave(c);
}

/* A block was committed (mine or synced): everything about that height is over. The view goes
 * back to 0 (FISCO's reportBlock) and the backoff with it; ViewChanges from sealers that are
 * already past the block stay. */
static void
pbft_on_commit(consensus_t *c, const block_t *blk)
{
    (void)blk;
    enter(c);
    load_tip(c);
    load_sealers(c);
    c->view = c->to_view = 0;
    c->change_cycle = 0;
    c->locked = c->committing = false;
    bl_buf_clear(&c->lock_block);
    drop_decoded(&c->lock_decoded, &c->has_lock_decoded);
    memset(c->signs, 0, sizeof c->signs);
    memset(c->commits, 0, sizeof c->commits);
    memset(c->caught_up, 0, sizeof c->caught_up);
    for (size_t i = 0; i < CONSENSUS_MAX_SEALERS; i++)
        if (c->views[i].height < c->tip || i >= c->n)
            c->views[i].has = false;
    c->has_prepare = false; /* the group committed or dropped what was executed */
    pbft_new_round(c);
    pbft_replay_future(c);
    leave(c);
}

const consensus_ops_t pbft_ops = {
    .name = "pbft",
    .create = pbft_create,
    .destroy = pbft_destroy,
    .start = pbft_start,
    .on_message = pbft_on_message,
    .on_timer = pbft_on_timer,
    .on_commit = pbft_on_commit,
    .module = MODULE_PBFT,
};
