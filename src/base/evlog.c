/*
 * evlog.c — the event log's ring buffer (evlog.h explains what it is for).
 *
 * Event number seq lives in slot (seq - 1) % capacity. The buffer holds events
 * first_kept .. last; a reader asking for older ones gets the oldest kept and is told how many
 * it missed, the way a slow terminal misses the lines that scrolled away.
 *
 * ev_format writes one event as a line of text for traces; ev_parse reads such a line back, so a
 * trace written by a failed test can be replayed (base/trace.h, `bcoslab replay`).
 */
#include "base/evlog.h"

#include <errno.h>
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

/* ---- reading a formatted line back ---- */

#define EV_FIELDS 9 /* t node peer group module KIND a b, and hash if it is not zero */
#define EV_LINE_MAX 256

/* Cut text at its spaces into fields[]. ev_format puts exactly one space between fields, so an
 * empty field (two spaces, a space at either end) is an error, as is a tenth field. */
static int
split_fields(char *text, char *fields[EV_FIELDS], size_t *n)
{
    char *p = text;

    *n = 0;
    for (;;) {
        char *space = strchr(p, ' ');

        if (*p == '\0' || space == p)
            return bl_fail(BL_E_INVALID, "event line has an empty field (two spaces, or a space "
                           "at an end)");
        if (*n == EV_FIELDS)
            return bl_fail(BL_E_INVALID, "event line has more than %d fields", EV_FIELDS);
        fields[(*n)++] = p;
        if (space == NULL)
            return BL_OK;
        *space = '\0';
        p = space + 1;
    }
}

/* The text after "name=" in field, or NULL if the field is not called name. */
static const char *
value_of(const char *field, const char *name)
{
    size_t len = strlen(name);

    if (strncmp(field, name, len) != 0 || field[len] != '=')
        return NULL;
    return field + len + 1;
}

/* A decimal number as printf's %d family writes it: an optional minus, then digits without a
 * leading zero ("0" itself, but not "-0", "007" or "+5"). */
static bool
canonical_decimal(const char *text, bool may_be_negative)
{
    const char *digits = text;

    if (may_be_negative && *digits == '-')
        digits++;
    if (*digits < '0' || *digits > '9')
        return false;
    if (digits[0] == '0' && (digits[1] != '\0' || digits != text))
        return false;
    for (const char *p = digits; *p != '\0'; p++)
        if (*p < '0' || *p > '9')
            return false;
    return true;
}

static int
parse_signed(const char *field, const char *name, int64_t lo, int64_t hi, int64_t *out)
{
    const char *text = value_of(field, name);
    long long v = 0;
    bool ok;

    if (text == NULL)
        return bl_fail(BL_E_INVALID, "event line: expected %s=... but found '%s'", name, field);
    ok = canonical_decimal(text, lo < 0);
    if (ok) {
        errno = 0;
        v = strtoll(text, NULL, 10);
        ok = errno != ERANGE && v >= lo && v <= hi;
    }
    if (!ok)
        return bl_fail(BL_E_INVALID, "event line: %s= wants a whole number from %lld to %lld, "
                       "not '%s'", name, (long long)lo, (long long)hi, text);
    *out = v;
    return BL_OK;
}

static int
parse_unsigned(const char *field, const char *name, uint64_t hi, uint64_t *out)
{
    const char *text = value_of(field, name);
    unsigned long long v = 0;
    bool ok;

    if (text == NULL)
        return bl_fail(BL_E_INVALID, "event line: expected %s=... but found '%s'", name, field);
    ok = canonical_decimal(text, false);
    if (ok) {
        errno = 0;
        v = strtoull(text, NULL, 10);
        ok = errno != ERANGE && v <= hi;
    }
    if (!ok)
        return bl_fail(BL_E_INVALID, "event line: %s= wants a whole number from 0 to %llu, "
                       "not '%s'", name, (unsigned long long)hi, text);
    *out = v;
    return BL_OK;
}

static int
parse_kind(const char *field, ev_kind_t *kind)
{
    for (int k = 0; k < EV_KIND_COUNT; k++) {
        if (kind_names[k] != NULL && strcmp(field, kind_names[k]) == 0) {
            *kind = (ev_kind_t)k;
            return BL_OK;
        }
    }
    return bl_fail(BL_E_INVALID, "event line: '%s' is not an event kind (BLOCK_COMMITTED, "
                   "MSG_SENT, ...)", field);
}

/* "hash=" and the 16 lowercase hex digits ev_format writes: the hash's first 8 bytes. */
static int
parse_hash(const char *field, uint8_t hash[32])
{
    const char *text = value_of(field, "hash");

    if (text == NULL)
        return bl_fail(BL_E_INVALID, "event line: expected hash=... or the end, but found '%s'",
                       field);
    if (strlen(text) != 16 || strspn(text, "0123456789abcdef") != 16)
        return bl_fail(BL_E_INVALID, "event line: hash= wants 16 lowercase hex digits, not '%s'",
                       text);
    return bl_hex_decode_fixed(text, hash, 8);
}

/* The eight fields every line has, in ev_format's order. */
static int
parse_fixed_fields(char *const fields[], ev_t *ev)
{
    uint64_t time_ms, group, module;
    int64_t node, peer;
    int rc;

    if ((rc = parse_unsigned(fields[0], "t", UINT64_MAX, &time_ms)) != BL_OK ||
        (rc = parse_signed(fields[1], "node", INT32_MIN, INT32_MAX, &node)) != BL_OK ||
        (rc = parse_signed(fields[2], "peer", INT32_MIN, INT32_MAX, &peer)) != BL_OK ||
        (rc = parse_unsigned(fields[3], "group", UINT16_MAX, &group)) != BL_OK ||
        (rc = parse_unsigned(fields[4], "module", UINT16_MAX, &module)) != BL_OK ||
        (rc = parse_kind(fields[5], &ev->kind)) != BL_OK ||
        (rc = parse_signed(fields[6], "a", INT64_MIN, INT64_MAX, &ev->a)) != BL_OK ||
        (rc = parse_signed(fields[7], "b", INT64_MIN, INT64_MAX, &ev->b)) != BL_OK)
        return rc;
    ev->time_ms = time_ms;
    ev->node = (int32_t)node;
    ev->peer = (int32_t)peer;
    ev->group = (uint16_t)group;
    ev->module = (uint16_t)module;
    return BL_OK;
}

int
ev_parse(const char *line, ev_t *ev)
{
    char text[EV_LINE_MAX];
    char *fields[EV_FIELDS];
    size_t n, len = strlen(line);
    int rc;

    memset(ev, 0, sizeof *ev);
    if (len >= sizeof text)
        return bl_fail(BL_E_INVALID, "event line is %zu characters long; an event takes fewer "
                       "than %d", len, EV_LINE_MAX);
    memcpy(text, line, len + 1);
    if ((rc = split_fields(text, fields, &n)) != BL_OK)
        return rc;
    if (n < EV_FIELDS - 1)
        return bl_fail(BL_E_INVALID, "event line has %zu fields; it needs t= node= peer= "
                       "group= module= KIND a= b= (and hash= if there is one)", n);
    if ((rc = parse_fixed_fields(fields, ev)) != BL_OK)
        return rc;
    if (n == EV_FIELDS && (rc = parse_hash(fields[EV_FIELDS - 1], ev->hash)) != BL_OK)
        return rc;
    return BL_OK;
}
