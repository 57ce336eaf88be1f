/*
 * evlog.c — the event log's ring buffer (evlog.h explains what it is for).
 *
 * Event number seq lives in slot (seq - 1) % capacity. The buffer holds events
 * first_kept .. last; a reader asking for older ones gets the oldest kept and is told how many
 * it missed, the way a slow terminal misses the lines that scrolled away.
 */
#include "base/evlog.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/error.h"

struct evlog {
    pthread_mutex_t lock;
    ev_t *ring;
    size_t capacity;
    uint64_t last; /* seq of the newest event */
};

static const char *const kind_names[EV_KIND_COUNT] = {
    [EV_NONE] = "NONE",
    [EV_NODE_STARTED] = "NODE_STARTED",
    [EV_NODE_CRASHED] = "NODE_CRASHED",
    [EV_NODE_STOPPED] = "NODE_STOPPED",
    [EV_MSG_SENT] = "MSG_SENT",
    [EV_MSG_DELIVERED] = "MSG_DELIVERED",
    [EV_MSG_DROPPED] = "MSG_DROPPED",
    [EV_PEER_REFUSED] = "PEER_REFUSED",
    [EV_TIMER_FIRED] = "TIMER_FIRED",
    [EV_TX_ADMITTED] = "TX_ADMITTED",
    [EV_TX_REJECTED] = "TX_REJECTED",
    [EV_TX_REMOVED] = "TX_REMOVED",
    [EV_BLOCK_SEALED] = "BLOCK_SEALED",
    [EV_BLOCK_COMMITTED] = "BLOCK_COMMITTED",
    [EV_BLOCK_REFUSED] = "BLOCK_REFUSED",
    [EV_SYNC_STATUS] = "SYNC_STATUS",
    [EV_SYNC_REQUEST] = "SYNC_REQUEST",
    [EV_SYNC_DOWNLOADED] = "SYNC_DOWNLOADED",
    [EV_GROUP_JOINED] = "GROUP_JOINED",
    [EV_GROUP_LEFT] = "GROUP_LEFT",
    [EV_QUERY_REFUSED] = "QUERY_REFUSED",
    [EV_PBFT_PREPARE] = "PBFT_PREPARE",
    [EV_PBFT_SIGN] = "PBFT_SIGN",
    [EV_PBFT_COMMIT] = "PBFT_COMMIT",
    [EV_PBFT_PHASE] = "PBFT_PHASE",
    [EV_PBFT_VIEW_CHANGE] = "PBFT_VIEW_CHANGE",
    [EV_PBFT_VIEW_SWITCHED] = "PBFT_VIEW_SWITCHED",
    [EV_RAFT_ELECTION] = "RAFT_ELECTION",
    [EV_RAFT_VOTE] = "RAFT_VOTE",
    [EV_RAFT_LEADER] = "RAFT_LEADER",
    [EV_RAFT_FOLLOWER] = "RAFT_FOLLOWER",
    [EV_RAFT_TERM] = "RAFT_TERM",
    [EV_RAFT_APPEND] = "RAFT_APPEND",
    [EV_RAFT_COMMIT] = "RAFT_COMMIT",
};

evlog_t *
evlog_new(size_t capacity)
{
    evlog_t *log = bl_xcalloc(1, sizeof *log);

    log->capacity = capacity > 0 ? capacity : 1;
    log->ring = bl_xcalloc(log->capacity, sizeof *log->ring);
    pthread_mutex_init(&log->lock, NULL);
    return log;
}

void
evlog_free(evlog_t *log)
{
    if (log == NULL)
        return;
    pthread_mutex_destroy(&log->lock);
    free(log->ring);
    free(log);
}

uint64_t
evlog_add(evlog_t *log, const ev_t *ev)
{
    uint64_t seq;

    pthread_mutex_lock(&log->lock);
    seq = ++log->last;
    log->ring[(seq - 1) % log->capacity] = *ev;
    log->ring[(seq - 1) % log->capacity].seq = seq;
    pthread_mutex_unlock(&log->lock);
    return seq;
}

size_t
evlog_read(evlog_t *log, uint64_t after, ev_t *out, size_t max, uint64_t *missed)
{
    uint64_t first_kept, from;
    size_t n = 0;

    pthread_mutex_lock(&log->lock);
    first_kept = log->last > log->capacity ? log->last - log->capacity + 1 : 1;
    from = after + 1 > first_kept ? after + 1 : first_kept;
    if (missed != NULL)
        *missed = from - (after + 1);
    for (uint64_t seq = from; seq <= log->last && n < max; seq++)
        out[n++] = log->ring[(seq - 1) % log->capacity];
    pthread_mutex_unlock(&log->lock);
    return n;
}

uint64_t
evlog_last(evlog_t *log)
{
    uint64_t last;

    pthread_mutex_lock(&log->lock);
    last = log->last;
    pthread_mutex_unlock(&log->lock);
    return last;
}

static void
put_be(uint8_t *p, uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

void
ev_serialize(const ev_t *ev, uint8_t out[EV_BYTES])
{
    memset(out, 0, EV_BYTES);
    put_be(out, ev->time_ms, 8);
    put_be(out + 8, (uint64_t)ev->kind, 4);
    put_be(out + 12, (uint64_t)(uint32_t)ev->node, 4);
    put_be(out + 16, (uint64_t)(uint32_t)ev->peer, 4);
    put_be(out + 20, ev->group, 2);
    put_be(out + 22, ev->module, 2);
    put_be(out + 24, (uint64_t)ev->a, 8);
    put_be(out + 32, (uint64_t)ev->b, 8);
    memcpy(out + 40, ev->hash, 32);
}

const char *
ev_kind_name(ev_kind_t kind)
{
    if ((int)kind < 0 || kind >= EV_KIND_COUNT || kind_names[kind] == NULL)
        return "?";
    return kind_names[kind];
}

void
ev_format(const ev_t *ev, char *buf, size_t len)
{
    char hash[17];
    static const uint8_t zero[32];

    bl_hex_encode(ev->hash, 8, hash);
    snprintf(buf, len, "t=%llu node=%d peer=%d group=%u module=%u %s a=%lld b=%lld%s%s",
             (unsigned long long)ev->time_ms, ev->node, ev->peer, ev->group, ev->module,
             ev_kind_name(ev->kind), (long long)ev->a, (long long)ev->b,
             memcmp(ev->hash, zero, 32) != 0 ? " hash=" : "",
             memcmp(ev->hash, zero, 32) != 0 ? hash : "");
}
