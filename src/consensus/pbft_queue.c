/*
 * pbft_queue.c — where PBFT messages wait (pbft_int.h).
 *
 * Two places. The queue holds my own messages (a sealer votes too, and its vote must be
 * counted like anyone else's) and replayed ones until the call that produced them is over: so
 * a handler never runs in the middle of another, and a student can read each one as a whole.
 * The future cache holds messages that came too early — votes for a height I have not reached,
 * a Prepare for a view I am not in yet — a bounded number of them, oldest dropped first; they
 * are looked at again after each commit and each view switch.
 */
#include "consensus/pbft_int.h"

#include <string.h>

#include "base/error.h"

void
pbft_future_free(pbft_future_t *f)
{
    bl_buf_free(&f->body);
}

void
pbft_enqueue(consensus_t *c, unsigned from, unsigned type, bl_span_t body)
{
    pbft_future_t *q;

    if (c->qhead + c->qlen == c->qcap) {
        c->qcap = c->qcap ? 2 * c->qcap : 16;
        c->queue = bl_xrealloc(c->queue, c->qcap * sizeof *c->queue);
    }
    q = &c->queue[c->qhead + c->qlen++];
    q->from = from;
    q->type = type;
    bl_buf_init(&q->body);
    bl_buf_append(&q->body, body.ptr, body.len);
}

/* Keep a message for a later height or view, once; the oldest goes when the cache is full. */
void
pbft_keep_future(consensus_t *c, unsigned from, unsigned type, bl_span_t body)
{
    pbft_future_t *f;

    for (size_t i = 0; i < c->nfuture; i++)
        if (c->future[i].from == from && c->future[i].type == type &&
            bl_span_eq(bl_buf_span(&c->future[i].body), body))
            return; /* a duplicate */
    if (c->nfuture == PBFT_FUTURE_MAX) {
        pbft_future_free(&c->future[0]);
        memmove(&c->future[0], &c->future[1], (PBFT_FUTURE_MAX - 1) * sizeof c->future[0]);
        c->nfuture--;
    }
    f = &c->future[c->nfuture++];
    f->from = from;
    f->type = type;
    bl_buf_init(&f->body);
    bl_buf_append(&f->body, body.ptr, body.len);
}

void
pbft_replay_future(consensus_t *c)
{
    size_t n = c->nfuture;

    c->nfuture = 0;
    for (size_t i = 0; i < n; i++) {
        pbft_enqueue(c, c->future[i].from, c->future[i].type, bl_buf_span(&c->future[i].body));
        pbft_future_free(&c->future[i]);
    }
}
