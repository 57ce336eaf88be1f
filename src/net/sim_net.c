/*
 * sim_net.c — the simulated network (sim.h): per-link loss, duplication, delay and reordering,
 * partitions, and the counters of what crossed each link.
 *
 * A message is decided on when it is sent: the network's own random stream says whether it is
 * lost, whether it will arrive twice, and after how long each copy arrives. A link that may not
 * reorder never lets a message arrive before one sent earlier on it (the arrival time is pushed
 * up to the previous one's; equal times keep the order they were queued in). A partition is
 * checked twice, when a message leaves and when it would arrive: a cable that is cut loses what
 * was on it. A message also dies with its receiver: one queued for a node that crashes before it
 * arrives is dropped, even if the node is back by then, as a broken TCP connection would.
 *
 * The counters read the group and module from each frame's header, so a test can prove that no
 * byte of a group ever reached a node outside it.
 */
#include "net/sim_impl.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "net/frame.h"

/* True with probability p (a draw is made either way, so the stream does not depend on p). */
static bool
chance(bl_rng_t *r, double p)
{
    double x = (double)(bl_rng_next(r) >> 11) * (1.0 / 9007199254740992.0); /* [0, 1) */

    return x < p;
}

/* ---- counters ---- */

typedef struct {
    unsigned group, module, packet;
} frame_info_t;

static frame_info_t
frame_info(const uint8_t *bytes, size_t len)
{
    frame_info_t fi = { 0, 0, 0 };
    frame_t f;

    if (frame_decode(bytes, len, &f) == BL_OK) {
        fi.group = frame_group(f.protocol_id);
        fi.module = frame_module(f.protocol_id);
        fi.packet = f.packet_type;
    }
    return fi;
}

static void
counts_key(uint8_t key[16], unsigned from, unsigned to, unsigned group, unsigned module)
{
    bl_put_be(key, from, 4);
    bl_put_be(key + 4, to, 4);
    bl_put_be(key + 8, group, 4);
    bl_put_be(key + 12, module, 4);
}

static sim_counts_t *
counts_slot(sim_t *sim, unsigned from, unsigned to, const frame_info_t *fi)
{
    uint8_t key[16];
    sim_counts_t *c;

    counts_key(key, from, to, fi->group, fi->module);
    c = bl_map_get(&sim->counts, key, sizeof key);
    if (c == NULL) {
        c = bl_xcalloc(1, sizeof *c);
        bl_map_put(&sim->counts, key, sizeof key, c);
    }
    return c;
}

static void
counts_add(sim_counts_t *sum, const sim_counts_t *c)
{
    sum->sent_msgs += c->sent_msgs;
    sum->sent_bytes += c->sent_bytes;
    sum->delivered_msgs += c->delivered_msgs;
    sum->delivered_bytes += c->delivered_bytes;
    sum->dropped_msgs += c->dropped_msgs;
    sum->dropped_bytes += c->dropped_bytes;
}

static bool
matches(unsigned want, uint64_t have)
{
    return want == SIM_ANY || want == have;
}

sim_counts_t
sim_counts(const sim_t *sim, unsigned from, unsigned to, unsigned group, unsigned module)
{
    sim_counts_t sum;
    size_t pos = 0;
    bl_span_t key;
    void *value;

    memset(&sum, 0, sizeof sum);
    while (bl_map_next(&sim->counts, &pos, &key, &value)) {
        if (matches(from, bl_get_be(key.ptr, 4)) && matches(to, bl_get_be(key.ptr + 4, 4)) &&
            matches(group, bl_get_be(key.ptr + 8, 4)) &&
            matches(module, bl_get_be(key.ptr + 12, 4)))
            counts_add(&sum, value);
    }
    return sum;
}

/* ---- messages ---- */

static bool
reachable(const sim_t *sim, unsigned from, unsigned to)
{
    return !sim->partitioned || sim->nodes[from].side == sim->nodes[to].side;
}

/* Log a message event as node's, with the frame's group, module and packet type, its length,
 * and (for a drop) the reason in hash[0]. */
static void
message_event(sim_t *sim, ev_kind_t kind, unsigned node, unsigned peer, const frame_info_t *fi,
              size_t len, ev_drop_reason_t why)
{
    ev_t ev;

    memset(&ev, 0, sizeof ev);
    ev.kind = kind;
    ev.group = (uint16_t)fi->group;
    ev.module = (uint16_t)fi->module;
    ev.peer = (int32_t)peer;
    ev.a = fi->packet;
    ev.b = (int64_t)len;
    ev.hash[0] = (uint8_t)why;
    sim_log_as(sim, (int)node, &ev);
}

/* Drops are logged as the sender's: "node's message to peer was lost". */
static void
drop_message(sim_t *sim, unsigned from, unsigned to, const uint8_t *bytes, size_t len,
             ev_drop_reason_t why)
{
    frame_info_t fi = frame_info(bytes, len);

    if (from < sim->n && to < sim->n && from != to) {
        sim_counts_t *c = counts_slot(sim, from, to, &fi);

        c->dropped_msgs++;
        c->dropped_bytes += len;
    }
    message_event(sim, EV_MSG_DROPPED, from, to, &fi, len, why);
}

/* When a copy sent now on link from -> to arrives. */
static uint64_t
arrival_time(sim_t *sim, unsigned from, unsigned to)
{
    const sim_link_t *l = &sim->links[from * sim->n + to];
    uint64_t span = (uint64_t)l->delay_max_ms - l->delay_min_ms + 1;
    uint64_t at = sim->now + l->delay_min_ms + bl_rng_below(&sim->net_rng, span);
    uint64_t *last = &sim->last_arrival[from * sim->n + to];

    if (!l->reorder) {
        if (at < *last)
            at = *last; /* never before an earlier message; equal times keep queue order */
        *last = at;
    }
    return at;
}

static void
queue_copy(sim_t *sim, unsigned from, unsigned to, const uint8_t *bytes, size_t len)
{
    sev_t ev;

    memset(&ev, 0, sizeof ev);
    ev.kind = SEV_DELIVER;
    ev.from = from;
    ev.to = to;
    ev.incarnation = sim->nodes[to].incarnation;
    ev.bytes = bl_xmalloc(len > 0 ? len : 1);
    if (len > 0)
        memcpy(ev.bytes, bytes, len);
    ev.len = len;
    ev.time = arrival_time(sim, from, to);
    sim_queue(sim, &ev);
}

void
sim_net_send(sim_t *sim, unsigned from, unsigned to, const uint8_t *bytes, size_t len)
{
    const sim_link_t *l;
    frame_info_t fi;
    sim_counts_t *c;
    bool lost, twice;

    if (to >= sim->n || to == from) {
        drop_message(sim, from, to, bytes, len, EV_DROP_NETWORK);
        return;
    }
    fi = frame_info(bytes, len);
    c = counts_slot(sim, from, to, &fi);
    c->sent_msgs++;
    c->sent_bytes += len;
    message_event(sim, EV_MSG_SENT, from, to, &fi, len, 0);
    l = &sim->links[from * sim->n + to];
    lost = chance(&sim->net_rng, l->drop);
    twice = chance(&sim->net_rng, l->dup);
    if (lost || !reachable(sim, from, to)) {
        drop_message(sim, from, to, bytes, len, EV_DROP_NETWORK);
        return;
    }
    queue_copy(sim, from, to, bytes, len);
    if (twice)
        queue_copy(sim, from, to, bytes, len);
}

void
sim_net_deliver(sim_t *sim, const sev_t *ev)
{
    sim_node_t *dst = &sim->nodes[ev->to];
    frame_info_t fi;
    sim_counts_t *c;

    if (!dst->up || dst->incarnation != ev->incarnation) {
        drop_message(sim, ev->from, ev->to, ev->bytes, ev->len, EV_DROP_DOWN);
        return;
    }
    if (!reachable(sim, ev->from, ev->to)) {
        drop_message(sim, ev->from, ev->to, ev->bytes, ev->len, EV_DROP_NETWORK);
        return;
    }
    fi = frame_info(ev->bytes, ev->len);
    c = counts_slot(sim, ev->from, ev->to, &fi);
    c->delivered_msgs++;
    c->delivered_bytes += ev->len;
    message_event(sim, EV_MSG_DELIVERED, ev->to, ev->from, &fi, ev->len, 0);
    sim->ops->on_message(dst->node, ev->from, ev->bytes, ev->len);
}

/* ---- the network's settings ---- */

sim_link_t
sim_link_default(void)
{
    sim_link_t l = { 0.0, 0.0, SIM_DELAY_MIN_DEFAULT, SIM_DELAY_MAX_DEFAULT, true };

    return l;
}


int
sim_link_check(const sim_link_t *l)
{
    if (!(l->drop >= 0.0 && l->drop <= 1.0) || !(l->dup >= 0.0 && l->dup <= 1.0))
        return bl_fail(BL_E_INVALID, "probabilities are between 0 and 1 (drop=%g dup=%g)",
                       l->drop, l->dup);
    if (l->delay_min_ms > l->delay_max_ms)
        return bl_fail(BL_E_INVALID, "delay %u..%u ms: the minimum is above the maximum",
                       l->delay_min_ms, l->delay_max_ms);
    return BL_OK;
}

int
sim_set_link(sim_t *sim, unsigned from, unsigned to, const sim_link_t *link)
{
    int rc;

    if (from >= sim->n || to >= sim->n)
        return bl_fail(BL_E_RANGE, "no link %u->%u (the simulation has %u nodes)", from, to,
                       sim->n);
    if ((rc = sim_link_check(link)) != BL_OK)
        return rc;
    sim->links[from * sim->n + to] = *link;
    return BL_OK;
}

int
sim_set_links(sim_t *sim, const sim_link_t *link)
{
    int rc;

    if ((rc = sim_link_check(link)) != BL_OK)
        return rc;
    for (size_t k = 0; k < (size_t)sim->n * sim->n; k++)
        sim->links[k] = *link;
    return BL_OK;
}

sim_link_t
sim_get_link(const sim_t *sim, unsigned from, unsigned to)
{
    if (from >= sim->n || to >= sim->n)
        return sim_link_default();
    return sim->links[from * sim->n + to];
}

void
sim_partition(sim_t *sim, const unsigned *side)
{
    for (unsigned i = 0; i < sim->n; i++)
        sim->nodes[i].side = side[i];
    sim->partitioned = true;
}

void
sim_heal(sim_t *sim)
{
    sim->partitioned = false;
}

