/*
 * byzantine.c — an honest node behind a lying filter (byzantine.h explains the behaviours).
 *
 * The wrapper gives the honest node an env of its own (an env_filter_t, net/env.h). Everything
 * passes straight through to the driver's env except send, which the node's mode may drop,
 * corrupt, add to or repeat.
 * Whatever the filter does, it uses the node's own random stream, so a simulated run with a
 * Byzantine node is as replayable as any other.
 */
#include "node/byzantine.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "consensus/pbft.h"
#include "net/frame.h"

#define BYZ_KEEP 32        /* old messages kept for replaying */
#define BYZ_GARBAGE_MAX 96 /* bytes of a made-up message */
#define BYZ_GROUPS 16      /* groups whose sealer index a double voter remembers */
#define BYZ_ECHOED 64      /* votes a double voter remembers having copied */

/* A vote a double voter has copied already (it copies each once). */
typedef struct {
    unsigned group, type, to;
    int64_t height;
    uint64_t view;
    uint8_t hash[32];
} byz_vote_t;

typedef struct {
    byz_mode_t mode;
    const keypair_t *key;     /* the node's own key, to sign its lies with */
    const suite_t *suite;
    env_t *outer;       /* the driver's */
    env_filter_t inner; /* what the node gets: sends go through byz_send */
    node_t *node;
    bl_buf_t kept[BYZ_KEEP];
    size_t nkept;
    /* double voting: its own sealer index per group (learnt from its own PBFT messages) and
     * the votes it copied */
    unsigned idx_group[BYZ_GROUPS];
    uint64_t idx[BYZ_GROUPS];
    size_t nidx;
    byz_vote_t echoed[BYZ_ECHOED];
    size_t nechoed;
    bl_buf_t early[BYZ_KEEP];   /* votes heard before its own index was known: copied later */
    unsigned early_from[BYZ_KEEP];
    size_t nearly;
} byz_node_t;

static void
send_garbage(byz_node_t *b, unsigned to)
{
    uint8_t junk[BYZ_GARBAGE_MAX];
    size_t len = 1 + env_random(b->outer) % BYZ_GARBAGE_MAX;

    for (size_t i = 0; i < len; i++)
        junk[i] = (uint8_t)env_random(b->outer);
    env_send(b->outer, to, junk, len);
}

/* Keep a copy of a sent message (the oldest is overwritten when full). */
static void
keep(byz_node_t *b, const uint8_t *frame, size_t len)
{
    bl_buf_t *slot = &b->kept[b->nkept++ % BYZ_KEEP];

    bl_buf_clear(slot);
    bl_buf_append(slot, frame, len);
}

/* A PBFT SignReq or CommitReq is rewritten to name another block hash, and signed again with
 * the node's key: a valid signature over the wrong state. Anything else goes out as it is. */
static void
send_wrong_state(byz_node_t *b, unsigned to, const uint8_t *frame, size_t len)
{
    frame_t f;
    pbft_msg_t m;
    bl_buf_t body = BL_BUF_INIT;

    if (frame_decode(frame, len, &f) != BL_OK || frame_module(f.protocol_id) != MODULE_PBFT ||
        (f.packet_type != PBFT_SIGN && f.packet_type != PBFT_COMMIT) ||
        pbft_msg_decode(b->suite, f.packet_type, f.body, &m) != BL_OK) {
        env_send(b->outer, to, frame, len);
        return;
    }
    m.block_hash[0] ^= 0x5a;
    pbft_msg_sign(b->suite, b->key, &m);
    pbft_msg_encode(&m, &body);
    frame_send(b->outer, to, frame_group(f.protocol_id), MODULE_PBFT, f.packet_type,
               bl_buf_span(&body));
    bl_buf_free(&body);
}

/* A PrepareReq to an odd-numbered node carries a twin of the proposed block: one millisecond
 * later, so a different hash, signed like the real one. */
static void
send_equivocating(byz_node_t *b, unsigned to, const uint8_t *frame, size_t len)
{
    frame_t f;
    pbft_msg_t m;
    block_t twin;
    bl_buf_t block = BL_BUF_INIT, body = BL_BUF_INIT;

    if (to % 2 == 0 || frame_decode(frame, len, &f) != BL_OK ||
        frame_module(f.protocol_id) != MODULE_PBFT || f.packet_type != PBFT_PREPARE ||
        pbft_msg_decode(b->suite, PBFT_PREPARE, f.body, &m) != BL_OK ||
        block_decode(b->suite, m.block, &twin) != BL_OK) {
        env_send(b->outer, to, frame, len);
        return;
    }
    twin.header.timestamp += 1;
    block_encode(b->suite, &twin, &block);
    block_hash(b->suite, &twin, m.block_hash);
    m.block = bl_buf_span(&block);
    pbft_msg_sign(b->suite, b->key, &m);
    pbft_msg_encode(&m, &body);
    frame_send(b->outer, to, frame_group(f.protocol_id), MODULE_PBFT, PBFT_PREPARE,
               bl_buf_span(&body));
    block_free(&twin);
    bl_buf_free(&block);
    bl_buf_free(&body);
}

/* ---- double voting ---- */

static bool
is_double_voter(const byz_node_t *b)
{
    return b->mode == BYZ_DOUBLE_VOTE || b->mode == BYZ_EQUIVOCATE;
}

static void double_vote(byz_node_t *b, unsigned from, const uint8_t *frame, size_t len);

/* A PBFT message of this node's own tells its sealer index in that group; the votes it heard
 * before it knew can be copied now. Returns whether the message is one of its own votes. */
static bool
learn_own_index(byz_node_t *b, const uint8_t *frame, size_t len)
{
    frame_t f;
    pbft_msg_t m;
    unsigned group;
    bool vote;

    if (frame_decode(frame, len, &f) != BL_OK || frame_module(f.protocol_id) != MODULE_PBFT ||
        pbft_msg_decode(b->suite, f.packet_type, f.body, &m) != BL_OK)
        return false;
    vote = f.packet_type == PBFT_SIGN || f.packet_type == PBFT_COMMIT;
    group = frame_group(f.protocol_id);
    for (size_t i = 0; i < b->nidx; i++)
        if (b->idx_group[i] == group) {
            b->idx[i] = m.idx;
            return vote;
        }
    if (b->nidx == BYZ_GROUPS)
        return vote;
    b->idx_group[b->nidx] = group;
    b->idx[b->nidx++] = m.idx;
    for (size_t i = 0; i < b->nearly && i < BYZ_KEEP; i++)
        double_vote(b, b->early_from[i], b->early[i].data, b->early[i].len);
    b->nearly = 0;
    return vote;
}

static bool
own_index(const byz_node_t *b, unsigned group, uint64_t *idx)
{
    for (size_t i = 0; i < b->nidx; i++)
        if (b->idx_group[i] == group) {
            *idx = b->idx[i];
            return true;
        }
    return false;
}

/* Has this vote been copied already? If not, remember it. */
static bool
copied_before(byz_node_t *b, unsigned group, unsigned type, unsigned to, const pbft_msg_t *m)
{
    byz_vote_t v = { .group = group, .type = type, .to = to, .height = m->height,
                     .view = m->view };
    size_t have = b->nechoed < BYZ_ECHOED ? b->nechoed : BYZ_ECHOED;

    memcpy(v.hash, m->block_hash, 32);
    for (size_t i = 0; i < have; i++) {
        const byz_vote_t *e = &b->echoed[i];

        if (e->group == v.group && e->type == v.type && e->to == v.to &&
            e->height == v.height && e->view == v.view && memcmp(e->hash, v.hash, 32) == 0)
            return true;
    }
    b->echoed[b->nechoed++ % BYZ_ECHOED] = v;
    return false;
}

/* A SignReq or CommitReq from a peer goes back to that peer as this node's own vote: each
 * honest node hears the liar agree with it, whatever it voted for. (Honest nodes keep the
 * first vote of each sealer in a view, so the liar never tells anyone its own honest vote:
 * byz_send drops it.) */
static void
double_vote(byz_node_t *b, unsigned from, const uint8_t *frame, size_t len)
{
    frame_t f;
    pbft_msg_t m;
    bl_buf_t body = BL_BUF_INIT;
    unsigned group;

    if (from == b->outer->self || frame_decode(frame, len, &f) != BL_OK ||
        frame_module(f.protocol_id) != MODULE_PBFT ||
        (f.packet_type != PBFT_SIGN && f.packet_type != PBFT_COMMIT) ||
        pbft_msg_decode(b->suite, f.packet_type, f.body, &m) != BL_OK)
        return;
    group = frame_group(f.protocol_id);
    if (!own_index(b, group, &m.idx)) {
        bl_buf_clear(&b->early[b->nearly % BYZ_KEEP]);
        bl_buf_append(&b->early[b->nearly % BYZ_KEEP], frame, len);
        b->early_from[b->nearly++ % BYZ_KEEP] = from;
        return;
    }
    if (copied_before(b, group, f.packet_type, from, &m))
        return;
    pbft_msg_sign(b->suite, b->key, &m);
    pbft_msg_encode(&m, &body);
    frame_send(b->outer, from, group, MODULE_PBFT, f.packet_type, bl_buf_span(&body));
    bl_buf_free(&body);
}

static void
byz_send(void *owner, unsigned to, const uint8_t *frame, size_t len)
{
    byz_node_t *b = owner;
    size_t have = b->nkept < BYZ_KEEP ? b->nkept : BYZ_KEEP;

    if (is_double_voter(b) && learn_own_index(b, frame, len))
        return; /* its own vote: it tells each peer what that peer wants to hear instead */
    switch (b->mode) {
    case BYZ_SILENT:
        return;
    case BYZ_MUTE_TO:
        if (to % 2 == 0) /* the even half hears nothing */
            return;
        break;
    case BYZ_GARBAGE:
        if (env_random(b->outer) % 2 == 0) {
            send_garbage(b, to);
            return;
        }
        send_garbage(b, (to + 1) % b->outer->nnodes);
        break;
    case BYZ_WRONG_STATE:
        send_wrong_state(b, to, frame, len);
        return;
    case BYZ_EQUIVOCATE:
        send_equivocating(b, to, frame, len);
        return;
    case BYZ_REPLAY:
        if (have > 0) {
            const bl_buf_t *old = &b->kept[env_random(b->outer) % have];

            env_send(b->outer, (unsigned)(env_random(b->outer) % b->outer->nnodes), old->data, old->len);
        }
        keep(b, frame, len);
        break;
    default:
        break;
    }
    env_send(b->outer, to, frame, len);
}


static void *
byz_create(void *arg, env_t *env)
{
    const byz_cluster_t *c = arg;
    byz_node_t *b = bl_xcalloc(1, sizeof *b);

    b->mode = c->modes[env->self];
    b->key = &c->configs[env->self].key;
    b->suite = c->configs[env->self].suite;
    b->outer = env;
    env_filter_init(&b->inner, env, byz_send, b);
    b->node = node_new(&c->configs[env->self], &b->inner.env);
    if (b->node == NULL) {
        free(b);
        return NULL;
    }
    return b;
}

static void
byz_destroy(void *p)
{
    byz_node_t *b = p;

    node_free(b->node);
    for (size_t i = 0; i < BYZ_KEEP; i++) {
        bl_buf_free(&b->kept[i]);
        bl_buf_free(&b->early[i]);
    }
    free(b);
}

static void
byz_on_message(void *p, unsigned from, const uint8_t *bytes, size_t len)
{
    byz_node_t *b = p;

    if (is_double_voter(b))
        double_vote(b, from, bytes, len);
    node_on_message(b->node, from, bytes, len);
}

static void
byz_on_timer(void *p, uint32_t id)
{
    node_on_timer(((byz_node_t *)p)->node, id);
}

node_t *
byz_inner(void *wrapped)
{
    return wrapped != NULL ? ((byz_node_t *)wrapped)->node : NULL;
}

const endpoint_ops_t byz_endpoint_ops = {
    .create = byz_create,
    .destroy = byz_destroy,
    .on_message = byz_on_message,
    .on_timer = byz_on_timer,
};

void
byz_set_mode(void *wrapped, byz_mode_t mode)
{
    byz_node_t *b = wrapped;

    b->mode = mode;
}

const char *
byz_mode_name(byz_mode_t mode)
{
    static const char *const names[BYZ_MODE_COUNT] = {
        "honest", "silent", "garbage", "replay", "mute-half", "wrong-state", "equivocate",
        "double-vote",
    };

    return (unsigned)mode < BYZ_MODE_COUNT ? names[mode] : "?";
}
