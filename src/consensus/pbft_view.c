/*
 * pbft_view.c — PBFT's view change and its prepare backup (fisco-2x-facts §2.4-2.5).
 *
 * A view is a numbered attempt at the next block, with its own leader, (view + height) % n.
 * When the leader is down, slow or proposes an empty block, the sealers give up on it:
 *
 *   - each sealer whose view timer fires (3 s, then x1.5 per failed attempt, up to 1.5^20)
 *     raises toView by one and tells everyone: ViewChangeReq(toView, my highest block);
 *   - a sealer that holds n-f ViewChanges for the same view moves to it: new view, new leader;
 *   - fast view change: a sealer that sees more than f others already asking for higher views
 *     need not wait for its own timer — at least one honest sealer is among them — and joins;
 *   - catch-up: a sealer that hears a ViewChange from a peer two or more views behind re-sends
 *     its own, so that a sealer back from a crash finds the current view at once.
 * A commit ends it all: the next height starts again in view 0.
 *
 * What to ask for and when to switch are decided by plain functions of plain numbers
 * (pbft_view_rules, pbft.h; the built-in ones are in pbft_rules.c), so that exercise 08 can let
 * a student's decisions run a whole cluster. This file does what they decide.
 *
 * The backup. When a sealer has n-f signs for a block it writes the block, its hash and those
 * signs to a disk of its own before it sends its CommitReq. If it crashes and restarts, it reads
 * the backup back and stays locked on that block: it will not sign another block at that height,
 * and re-proposes this one when it leads. A crash in the middle of a round cannot make a sealer
 * forget a promise, so it cannot make the chain fork.
 */
#include "consensus/pbft_int.h"

#include <string.h>

#include "base/error.h"
#include "codec/rlp.h"
#include "net/frame.h"

static const char backup_key[] = "committed"; /* FISCO's c_backupKeyCommitted */

void
pbft_arm_view_timer(consensus_t *c)
{
    env_set_timer(c->h.env, env_timer_id(c->h.group, MODULE_PBFT, PBFT_TIMER_VIEW),
                  pbft_view_rules.timeout_ms(c->change_cycle));
}

/* Tell every sealer I want view v, and give the new view's leader its time. */
static void
ask_for_view(consensus_t *c, uint64_t v)
{
    pbft_msg_t m = { .type = PBFT_VIEW_CHANGE, .height = c->tip };

    c->to_view = v;
    m.view = v;
    memcpy(m.block_hash, c->tip_hash, 32);
    pbft_emit(c, EV_PBFT_VIEW_CHANGE, -1, c->tip + 1, (int64_t)v, NULL);
    pbft_emit(c, EV_PBFT_PHASE, -1, c->tip + 1, PBFT_PHASE_VIEW_CHANGE, NULL);
    pbft_send(c, &m, -1);
    pbft_arm_view_timer(c);
}

void
pbft_request_view_change(consensus_t *c)
{
    ask_for_view(c, c->to_view + 1);
}

/* n-f sealers agree: view v it is. */
static void
switch_view(consensus_t *c, uint64_t v)
{
    c->view = c->to_view = v;
    pbft_emit(c, EV_PBFT_VIEW_SWITCHED, -1, c->tip + 1, (int64_t)v, NULL);
    pbft_new_round(c);
    pbft_replay_future(c);
}

/* Put what I know in front of the rules (pbft_view_rules) and do what they say. */
static void
decide(consensus_t *c, bool timed_out)
{
    pbft_view_ask_t asks[CONSENSUS_MAX_SEALERS];
    pbft_view_input_t in = {
        .n = c->n, .me = (uint64_t)c->me, .tip = c->tip, .view = c->view,
        .to_view = c->to_view, .change_cycle = c->change_cycle, .timed_out = timed_out,
        .asks = asks,
    };
    pbft_view_decision_t d = { .to_view = c->to_view, .change_cycle = c->change_cycle };

    for (size_t i = 0; i < c->n; i++) {
        const pbft_vote_t *v = &c->views[i];

        if (!v->has)
            continue;
        asks[in.nasks].sealer = i;
        asks[in.nasks].view = v->view;
        asks[in.nasks].height = v->height;
        in.nasks++;
    }
    pbft_view_rules.decide(&in, &d);
    c->change_cycle = d.change_cycle;
    if (d.ask)
        ask_for_view(c, d.to_view);
    if (d.switch_view)
        switch_view(c, d.to_view);
}

void
pbft_on_view_timeout(consensus_t *c)
{
    decide(c, true);
}

/* A peer behind me: send it my view. FISCO's catchupView does it for a peer two or more views
 * behind; we also answer a peer that asks for the view I am already in (it missed the
 * ViewChanges that moved us), once per peer and view, so that two peers never ping-pong. */
static void
catch_up(consensus_t *c, unsigned from, const pbft_msg_t *m)
{
    pbft_msg_t mine = { .type = PBFT_VIEW_CHANGE, .height = c->tip };
    bool far = m->view + 1 < c->to_view;
    bool missed = c->view > 0 && m->view == c->view && c->to_view == c->view &&
                  !(c->caught_up[m->idx].has && c->caught_up[m->idx].view == c->view);

    if (m->idx == (uint64_t)c->me || m->height != c->tip || (!far && !missed))
        return;
    c->caught_up[m->idx].has = true;
    c->caught_up[m->idx].view = c->view;
    mine.view = far ? c->to_view - 1 : c->view;
    memcpy(mine.block_hash, c->tip_hash, 32);
    pbft_send(c, &mine, (int)from);
}

void
pbft_on_view_change(consensus_t *c, unsigned from, const pbft_msg_t *m)
{
    pbft_vote_t *v = &c->views[m->idx];
    uint8_t why[32] = { EV_DROP_MALFORMED };

    if (m->height == c->tip && memcmp(m->block_hash, c->tip_hash, 32) != 0) {
        env_emit(c->h.env, EV_MSG_DROPPED, c->h.group, MODULE_PBFT, (int)from, m->type, 0, why);
        return;
    }
    catch_up(c, from, m);
    if (m->view <= c->view || (v->has && v->view >= m->view))
        return;
    v->has = true;
    v->view = m->view;
    v->height = m->height;
    memcpy(v->hash, m->block_hash, 32);
    decide(c, false);
}

/* ---- the prepare backup: RLP[height, view, hash, block, [[idx, sig], ...]] ---- */

int
pbft_backup_save(consensus_t *c)
{
    bl_buf_t raw = BL_BUF_INIT;
    size_t list = rlp_list_begin(&raw), sigs;
    int rc;

    rlp_put_uint(&raw, (uint64_t)(c->tip + 1));
    rlp_put_uint(&raw, c->lock_view);
    rlp_put_bytes(&raw, c->lock_hash, 32);
    rlp_put_bytes(&raw, c->lock_block.data, c->lock_block.len);
    sigs = rlp_list_begin(&raw);
    for (size_t i = 0; i < c->n; i++) {
        const pbft_vote_t *v = &c->signs[i];
        size_t pair;

        if (!v->has || v->view != c->lock_view || memcmp(v->hash, c->lock_hash, 32) != 0)
            continue;
        pair = rlp_list_begin(&raw);
        rlp_put_uint(&raw, i);
        rlp_put_bytes(&raw, v->sig, c->h.suite->sig_len);
        rlp_list_end(&raw, pair);
    }
    rlp_list_end(&raw, sigs);
    rlp_list_end(&raw, list);
    rc = c->disk != NULL ? kv_put(c->disk, bl_span(backup_key, sizeof backup_key - 1),
                                  bl_buf_span(&raw))
                         : bl_fail(BL_E_IO, "no disk for the PBFT backup");
    bl_buf_free(&raw);
    return rc;
}

/* How many distinct sealers signed hash in the backup's list? */
static size_t
count_backup_sigs(consensus_t *c, const rlp_item_t *list, const uint8_t hash[32])
{
    bool seen[CONSENSUS_MAX_SEALERS] = { false };
    rlp_iter_t it;
    rlp_item_t pair, f[2];
    size_t k = 0;

    rlp_iter_init(&it, list);
    while (rlp_iter_next(&it, &pair) == 1) {
        uint64_t idx;
        uint8_t sig[SUITE_MAX_SIG];

        if (rlp_list_exact(&pair, f, 2, "backup signature") != BL_OK ||
            rlp_get_uint(&f[0], &idx) != BL_OK || idx >= c->n || seen[idx] ||
            rlp_get_fixed(&f[1], sig, c->h.suite->sig_len) != BL_OK ||
            suite_verify(c->h.suite, c->ids[idx], hash, sig) != BL_OK)
            continue;
        seen[idx] = true;
        k++;
    }
    return k;
}

/* Does the block extend my tip? (The header is enough: the senders are found when the block
 * is executed, pbft_decode_block.) */
static bool
backup_block_fits(consensus_t *c, bl_span_t raw)
{
    block_t blk;
    bool ok;

    if (block_decode_unverified(c->h.suite, raw, &blk) != BL_OK)
        return false;
    ok = blk.header.number == c->tip + 1 && memcmp(blk.header.parent_hash, c->tip_hash, 32) == 0;
    block_free(&blk);
    return ok;
}

void
pbft_backup_load(consensus_t *c)
{
    bl_buf_t raw = BL_BUF_INIT;
    rlp_item_t top, f[5];
    uint64_t height, view;
    uint8_t hash[32];

    if (c->disk == NULL || c->me < 0 ||
        kv_get(c->disk, bl_span(backup_key, sizeof backup_key - 1), &raw) != BL_OK)
        goto out;
    if (rlp_decode(bl_buf_span(&raw), &top) != BL_OK ||
        rlp_list_exact(&top, f, 5, "PBFT backup") != BL_OK ||
        rlp_get_uint(&f[0], &height) != BL_OK || rlp_get_uint(&f[1], &view) != BL_OK ||
        rlp_get_fixed(&f[2], hash, 32) != BL_OK || f[3].is_list || !f[4].is_list)
        goto out;
    if (height != (uint64_t)(c->tip + 1) || !backup_block_fits(c, f[3].payload) ||
        count_backup_sigs(c, &f[4], hash) < pbft_quorum(c))
        goto out;
    c->locked = true;
    c->lock_view = view;
    memcpy(c->lock_hash, hash, 32);
    bl_buf_append(&c->lock_block, f[3].payload.ptr, f[3].payload.len);
    pbft_emit(c, EV_PBFT_PHASE, -1, c->tip + 1, PBFT_PHASE_SIGNED, hash);
out:
    bl_buf_free(&raw);
}
