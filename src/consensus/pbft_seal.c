/*
 * pbft_seal.c — the leader's side of PBFT (fisco-2x-facts §2.3).
 *
 * Only the leader of the current view proposes, once per view. It proposes at once when its
 * pool holds a full block (tx_count_limit txs: waiting would only make the next block later);
 * otherwise it waits until the last block is at least 500 ms old (min_block_generation_time)
 * and proposes as soon as its pool has txs; after 1 s with none it proposes an EMPTY block, which nobody stores: the sealers answer it
 * with a view change, so that leadership keeps turning while the chain is idle (FISCO's way
 * of checking that the leaders are alive without filling the chain with empty blocks).
 * A leader that is locked on a block (pbft.c) proposes that block again instead of a new one,
 * and so does a leader to whom a locked sealer has shown its block.
 */
#include "consensus/pbft_int.h"

#include <string.h>

#include "base/error.h"
#include "net/frame.h"

static void
propose(consensus_t *c, bl_span_t raw, const uint8_t hash[32], int64_t ntxs)
{
    pbft_msg_t m = { .type = PBFT_PREPARE, .height = c->tip + 1, .view = c->view, .block = raw };

    memcpy(m.block_hash, hash, 32);
    c->proposed = true;
    pbft_emit(c, EV_BLOCK_SEALED, -1, c->tip + 1, ntxs, hash);
    pbft_send(c, &m, -1);
}

/* Propose a block that was proposed before: my lock (FISCO re-proposes its backup), or the
 * lock another sealer showed me. Only its hash and size are needed here, not the senders:
 * whoever executes it (I too, when my own Prepare comes back) finds them first. */
static void
repropose(consensus_t *c, const bl_buf_t *raw)
{
    block_t blk;
    uint8_t hash[32];

    if (block_decode_unverified(c->h.suite, bl_buf_span(raw), &blk) != BL_OK)
        return;
    block_hash(c->h.suite, &blk, hash);
    propose(c, bl_buf_span(raw), hash, (int64_t)blk.ntxs);
    block_free(&blk);
}

/* Locked, and not the leader: show the leader my locked block (see on_hint). Without this, a
 * sealer locked on a block no leader has would refuse every other block until its own turn to
 * lead comes — views later, with the timeouts growing all the while. */
void
pbft_send_hint(consensus_t *c)
{
    uint64_t leader = pbft_leader(c, c->view);
    pbft_msg_t m = { .type = PBFT_PREPARE, .height = c->tip + 1, .view = c->view };
    block_t blk; /* for its hash only: no senders needed */

    if (!c->locked || leader == (uint64_t)c->me || leader >= c->n ||
        c->nodes[leader] == UINT32_MAX ||
        block_decode_unverified(c->h.suite, bl_buf_span(&c->lock_block), &blk) != BL_OK)
        return;
    block_hash(c->h.suite, &blk, m.block_hash);
    m.block = bl_buf_span(&c->lock_block);
    pbft_send(c, &m, (int)c->nodes[leader]);
    block_free(&blk);
}

void
pbft_arm_seal(consensus_t *c, uint64_t after_ms)
{
    env_set_timer(c->h.env, env_timer_id(c->h.group, MODULE_PBFT, PBFT_TIMER_SEAL), after_ms);
}

/* The leader's clock: a full block at once, txs and 500 ms since the last block, or an empty
 * block after 1 s. FISCO's sealer starts consensus as soon as the block it fills reaches the
 * cap (Sealer::checkTxsEnough), before min_block_generation_time. */
void
pbft_on_seal_timer(consensus_t *c)
{
    uint64_t now = env_now(c->h.env), age = now - c->round_start_ms, limit, wait;
    block_t blk;
    bl_buf_t raw = BL_BUF_INIT;
    uint8_t hash[32];
    size_t ntxs;

    if (c->me < 0 || pbft_leader(c, c->view) != (uint64_t)c->me || c->to_view != c->view ||
        c->proposed)
        return;
    if (c->locked || c->has_hint) {
        repropose(c, c->locked ? &c->lock_block : &c->hint_block);
        return;
    }
    limit = c->h.tx_limit(c->h.g);
    if (age < PBFT_MIN_BLOCK_MS && c->h.pending(c->h.g) < limit) {
        wait = PBFT_MIN_BLOCK_MS - age; /* look again soon: the pool may fill up meanwhile */
        pbft_arm_seal(c, wait < PBFT_POLL_MS ? wait : PBFT_POLL_MS);
        return;
    }
    block_init(&blk);
    ntxs = c->h.seal(c->h.g, &blk, limit);
    if (ntxs == 0 && age < PBFT_EMPTY_BLOCK_MS) {
        pbft_arm_seal(c, PBFT_EMPTY_BLOCK_MS - age < PBFT_POLL_MS ? PBFT_EMPTY_BLOCK_MS - age
                                                                  : PBFT_POLL_MS);
        goto out;
    }
    block_compute_roots(c->h.suite, &blk);
    block_encode(c->h.suite, &blk, &raw);
    block_hash(c->h.suite, &blk, hash);
    propose(c, bl_buf_span(&raw), hash, (int64_t)ntxs);
out:
    bl_buf_free(&raw);
    block_free(&blk);
}
