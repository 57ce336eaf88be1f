/*
 * solo.c — the simplest consensus there is: one sealer decides alone.
 *
 * The first sealer listed in the group's _sys_consensus_ table seals a block of pending
 * transactions every 500 ms (FISCO's min_block_generation_time), executes it, signs its hash and
 * commits it; every other node gets the block through sync and re-executes it before accepting
 * it. There is no vote, so there is no fault tolerance: if the sealer stops, the chain stops, and
 * a lying sealer is caught only by the others' re-execution. That is exactly what the first
 * lessons need before PBFT (pbft.c) and Raft (raft.c) show how to do better.
 */
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "consensus/consensus.h"
#include "net/frame.h"

#define SOLO_INTERVAL_MS 500

enum { SOLO_TIMER_SEAL = 1 };

struct consensus {
    consensus_host_t h;
};

static consensus_t *
solo_create(const consensus_host_t *host)
{
    consensus_t *c = bl_xcalloc(1, sizeof *c);

    c->h = *host;
    return c;
}

static void
solo_destroy(consensus_t *c)
{
    free(c);
}

static void
arm(consensus_t *c)
{
    env_set_timer(c->h.env, env_timer_id(c->h.group, MODULE_SOLO, SOLO_TIMER_SEAL),
                  SOLO_INTERVAL_MS);
}

static void
solo_start(consensus_t *c)
{
    arm(c);
}

/* Is this node the first sealer? */
static bool
is_the_sealer(consensus_t *c)
{
    uint8_t ids[CONSENSUS_MAX_SEALERS][64];
    unsigned nodes[CONSENSUS_MAX_SEALERS];
    size_t n = c->h.sealers(c->h.g, ids, nodes, CONSENSUS_MAX_SEALERS);

    return n > 0 && nodes[0] == c->h.env->self;
}

/* Seal, execute, sign and commit one block; no block when nothing is pending (FISCO never
 * stores an empty block). */
static void
seal_one(consensus_t *c)
{
    block_t blk;
    uint8_t hash[32], sig[SUITE_MAX_SIG];

    block_init(&blk);
    if (c->h.seal(c->h.g, &blk, c->h.tx_limit(c->h.g)) == 0)
        goto out;
    if (c->h.execute(c->h.g, &blk) != BL_OK) {
        c->h.abandon(c->h.g);
        goto out;
    }
    block_hash(c->h.suite, &blk, hash);
    env_emit(c->h.env, EV_BLOCK_SEALED, c->h.group, MODULE_SOLO, -1, blk.header.number,
             (int64_t)blk.ntxs, hash);
    if (c->h.suite->sign(c->h.key->priv, c->h.key->pub, hash, sig) == BL_OK)
        block_add_sig(&blk, blk.header.sealer, sig, c->h.suite->sig_len);
    if (c->h.commit(c->h.g, &blk) != BL_OK)
        c->h.abandon(c->h.g);
out:
    block_free(&blk);
}

static void
solo_on_timer(consensus_t *c, unsigned local)
{
    if (local != SOLO_TIMER_SEAL)
        return;
    if (is_the_sealer(c))
        seal_one(c);
    arm(c);
}

static void
solo_on_message(consensus_t *c, unsigned from, unsigned type, bl_span_t body)
{
    (void)c, (void)from, (void)type, (void)body; /* solo sends nothing, so expects nothing */
}

static void
solo_on_commit(consensus_t *c, const block_t *blk)
{
    (void)c, (void)blk;
}

const consensus_ops_t solo_ops = {
    .name = "solo",
    .create = solo_create,
    .destroy = solo_destroy,
    .start = solo_start,
    .on_message = solo_on_message,
    .on_timer = solo_on_timer,
    .on_commit = solo_on_commit,
    .module = MODULE_SOLO,
};
