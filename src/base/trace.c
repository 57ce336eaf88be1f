/*
 * trace.c — reading a trace back, and summing up its events (trace.h explains both).
 *
 * The reader is strict on purpose. A trace is evidence about a failed run: if a line does not
 * read back as exactly the event that was written, replaying it would show something that did
 * not happen. So every bad line is refused with its line number, and event numbers must go up.
 */
#include "base/trace.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/error.h"

typedef struct {
    const char *name;   /* the file, for messages */
    size_t line;        /* the line being read, from 1 */
    trace_t *trace;
    size_t cap;         /* room in trace->events */
} reader_t;

/* "NAME line N: message", as BL_E_INVALID. */
static int
bad_line(const reader_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
bad_line(const reader_t *r, const char *fmt, ...)
{
    char what[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return bl_fail(BL_E_INVALID, "%s line %zu: %s", r->name, r->line, what);
}

/* ---- the two header lines ---- */

static int
read_seed_line(reader_t *r, const char *text)
{
    unsigned long long seed, now;
    unsigned nodes;
    char again[128];

    /* sscanf is lenient (spaces, signs); printing the values again and comparing is not */
    if (sscanf(text, "seed=%llu nodes=%u now=%llu", &seed, &nodes, &now) == 3)
        snprintf(again, sizeof again, "seed=%llu nodes=%u now=%llu", seed, nodes, now);
    else
        again[0] = '\0';
    if (strcmp(again, text) != 0)
        return bad_line(r, "not a trace: it starts with 'seed=N nodes=N now=MS' (as "
                        "sim_write_trace writes it), not '%.40s'", text);
    if (nodes == 0 || nodes > TRACE_MAX_NODES)
        return bad_line(r, "nodes=%u: a simulated run has 1 to %d nodes", nodes,
                        TRACE_MAX_NODES);
    r->trace->seed = seed;
    r->trace->nodes = nodes;
    r->trace->now = now;
    return BL_OK;
}

static int
read_digest_line(reader_t *r, const char *text)
{
    const char *hex = text + strlen("digest=");

    if (strncmp(text, "digest=", strlen("digest=")) != 0 || strlen(hex) != 64 ||
        strspn(hex, "0123456789abcdef") != 64)
        return bad_line(r, "expected digest= and 64 lowercase hex digits, not '%.40s'", text);
    return bl_hex_decode_fixed(hex, r->trace->digest, 32);
}

/* ---- events ---- */

/* Remember a group the nodes talk about. Messages do not count: a frame can name any group
 * (a Byzantine node's, a malformed one), and a refused query names a group the node is not in. */
static void
note_group(trace_t *t, const ev_t *ev)
{
    size_t i = 0;

    if (ev->group == 0 || ev->kind == EV_MSG_SENT || ev->kind == EV_MSG_DELIVERED ||
        ev->kind == EV_MSG_DROPPED || ev->kind == EV_QUERY_REFUSED)
        return;
    while (i < t->ngroups && t->groups[i] < ev->group)
        i++;
    if (i < t->ngroups && t->groups[i] == ev->group)
        return;
    t->groups = bl_xrealloc(t->groups, (t->ngroups + 1) * sizeof *t->groups);
    memmove(&t->groups[i + 1], &t->groups[i], (t->ngroups - i) * sizeof *t->groups);
    t->groups[i] = ev->group;
    t->ngroups++;
}

/* A node index as the trace's events may use it: one of its nodes, or -1 for none. */
static int
check_node(const reader_t *r, const char *field, int32_t node)
{
    if (node < -1 || node >= (int32_t)r->trace->nodes)
        return bad_line(r, "%s=%d, but the trace has nodes 0 to %u (or -1 for none)", field,
                        node, r->trace->nodes - 1);
    return BL_OK;
}

static int
add_event(reader_t *r, uint64_t seq, ev_t *ev)
{
    trace_t *t = r->trace;
    int rc;

    if (t->nevents > 0 && seq <= t->events[t->nevents - 1].seq)
        return bad_line(r, "event %llu comes after event %llu: event numbers must go up",
                        (unsigned long long)seq,
                        (unsigned long long)t->events[t->nevents - 1].seq);
    if ((rc = check_node(r, "node", ev->node)) != BL_OK ||
        (rc = check_node(r, "peer", ev->peer)) != BL_OK)
        return rc;
    if (t->nevents == r->cap) {
        r->cap = r->cap > 0 ? 2 * r->cap : 1024;
        t->events = bl_xrealloc(t->events, r->cap * sizeof *t->events);
    }
    ev->seq = seq;
    t->events[t->nevents++] = *ev;
    note_group(t, ev);
    return BL_OK;
}

/* "SEQ " and then one ev_format line. */
static int
read_event_line(reader_t *r, const char *text)
{
    unsigned long long seq = 0;
    char *end = NULL;
    char why[256];
    ev_t ev;

    if (*text >= '1' && *text <= '9') {
        errno = 0;
        seq = strtoull(text, &end, 10);
    }
    if (end == NULL || *end != ' ' || errno == ERANGE)
        return bad_line(r, "expected an event: its number, then t=... node=... (as ev_format "
                        "writes it), not '%.40s'", text);
    if (ev_parse(end + 1, &ev) != BL_OK) {
        snprintf(why, sizeof why, "%s", bl_errmsg()); /* bad_line overwrites bl_errmsg */
        return bad_line(r, "%s", why);
    }
    return add_event(r, seq, &ev);
}

/* A comment; the one sim_write_trace writes says how many older events the ring had lost. */
static void
read_comment_line(reader_t *r, const char *text)
{
    unsigned long long missed;

    if (sscanf(text, "# %llu older events", &missed) == 1)
        r->trace->missed = missed;
}

static int
read_line(reader_t *r, const char *text)
{
    if (r->line == 1)
        return read_seed_line(r, text);
    if (r->line == 2)
        return read_digest_line(r, text);
    if (text[0] == '#') {
        read_comment_line(r, text);
        return BL_OK;
    }
    if (text[0] == '\0')
        return BL_OK;
    return read_event_line(r, text);
}

int
trace_read(FILE *f, const char *name, trace_t *trace)
{
    reader_t r = { .name = name, .trace = trace };
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int rc = BL_OK;

    memset(trace, 0, sizeof *trace);
    while (rc == BL_OK && (len = getline(&line, &cap, f)) >= 0) {
        r.line++;
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        if (strlen(line) != (size_t)len)
            rc = bad_line(&r, "holds a NUL byte: a trace is text");
        else
            rc = read_line(&r, line);
    }
    if (rc == BL_OK && ferror(f))
        rc = bl_fail(BL_E_IO, "reading the trace %s failed: %s", name, strerror(errno));
    else if (rc == BL_OK && r.line == 0)
        rc = bl_fail(BL_E_INVALID, "%s is empty: a trace starts with 'seed=N nodes=N now=MS'",
                     name);
    else if (rc == BL_OK && r.line == 1)
        rc = bl_fail(BL_E_INVALID, "%s line 2: the digest= line is missing", name);
    free(line);
    if (rc != BL_OK)
        trace_free(trace);
    return rc;
}

int
trace_load(const char *path, trace_t *trace)
{
    FILE *f = fopen(path, "r");
    int rc;

    memset(trace, 0, sizeof *trace);
    if (f == NULL)
        return bl_fail(BL_E_IO, "cannot read the trace %s: %s", path, strerror(errno));
    rc = trace_read(f, path, trace);
    fclose(f);
    return rc;
}

void
trace_free(trace_t *trace)
{
    free(trace->events);
    free(trace->groups);
    memset(trace, 0, sizeof *trace);
}

int
trace_group_index(const trace_t *trace, unsigned id)
{
    for (size_t i = 0; i < trace->ngroups; i++)
        if (trace->groups[i] == id)
            return (int)i;
    return -1;
}

/* ---- the summary ---- */

void
trace_summary_init(trace_summary_t *s, const trace_t *trace)
{
    memset(s, 0, sizeof *s);
    s->nnodes = trace->nodes;
    s->ngroups = trace->ngroups;
    s->nodes = bl_xcalloc(s->nnodes > 0 ? s->nnodes : 1, sizeof *s->nodes);
    for (unsigned i = 0; i < s->nnodes; i++)
        s->nodes[i].groups = bl_xcalloc(s->ngroups > 0 ? s->ngroups : 1,
                                        sizeof *s->nodes[i].groups);
}

void
trace_summary_free(trace_summary_t *s)
{
    for (unsigned i = 0; i < s->nnodes; i++)
        free(s->nodes[i].groups);
    free(s->nodes);
    memset(s, 0, sizeof *s);
}

/* Back to no events, keeping the arrays. */
static void
summary_reset(trace_summary_t *s)
{
    for (unsigned i = 0; i < s->nnodes; i++) {
        trace_member_t *groups = s->nodes[i].groups;

        memset(&s->nodes[i], 0, sizeof s->nodes[i]);
        memset(groups, 0, s->ngroups * sizeof *groups);
        s->nodes[i].groups = groups;
    }
    memset(s->kinds, 0, sizeof s->kinds);
    s->upto = 0;
    s->time_ms = 0;
}

/* A node that starts again remembers its chain and its persisted term, not its round. */
static void
fold_start(trace_node_t *n, size_t ngroups)
{
    n->status = TRACE_NODE_UP;
    for (size_t k = 0; k < ngroups; k++) {
        n->groups[k].pbft_phase = 0; /* PBFT_PHASE_IDLE */
        if (n->groups[k].raft)
            n->groups[k].raft_role = TRACE_RAFT_FOLLOWER;
    }
}

/* The node-level events: life and death, and the message counters. */
static void
fold_node(trace_summary_t *s, trace_node_t *n, const ev_t *ev)
{
    switch (ev->kind) {
    case EV_NODE_STARTED: fold_start(n, s->ngroups); break;
    case EV_NODE_CRASHED: n->status = TRACE_NODE_DOWN; n->crashes++; break;
    case EV_NODE_STOPPED: n->status = TRACE_NODE_STOPPED; break;
    case EV_MSG_SENT: n->sent++; break;
    case EV_MSG_DELIVERED: n->delivered++; break;
    case EV_MSG_DROPPED: n->dropped++; break;
    default: break;
    }
}

/* The phase numbers are pbft_phase_t's (consensus/pbft.h); base/ sits below consensus/, so
 * they are written out here, as EV_PBFT_PHASE's b carries them. */
static void
fold_pbft(trace_member_t *m, const ev_t *ev)
{
    m->pbft = true;
    switch (ev->kind) {
    case EV_PBFT_PREPARE: m->pbft_view = (uint64_t)ev->b; break;
    case EV_PBFT_PHASE: m->pbft_phase = (int)ev->b; break;
    case EV_PBFT_VIEW_CHANGE:
        m->pbft_phase = 4; /* PBFT_PHASE_VIEW_CHANGE */
        m->pbft_to_view = (uint64_t)ev->b;
        break;
    case EV_PBFT_VIEW_SWITCHED:
        m->pbft_view = (uint64_t)ev->b;
        m->pbft_phase = 0; /* PBFT_PHASE_IDLE: waiting for the new leader's Prepare */
        break;
    default: break;
    }
}

static void
fold_raft(trace_member_t *m, const ev_t *ev)
{
    m->raft = true;
    if (m->raft_role == TRACE_RAFT_NONE)
        m->raft_role = TRACE_RAFT_FOLLOWER; /* every Raft node starts as a follower */
    switch (ev->kind) {
    case EV_RAFT_ELECTION:
        m->raft_term = (uint64_t)ev->a;
        m->raft_role = TRACE_RAFT_CANDIDATE;
        break;
    case EV_RAFT_LEADER:
        m->raft_term = (uint64_t)ev->a;
        m->raft_role = TRACE_RAFT_LEADER;
        break;
    case EV_RAFT_FOLLOWER:
        m->raft_term = (uint64_t)ev->a;
        m->raft_role = TRACE_RAFT_FOLLOWER;
        break;
    case EV_RAFT_TERM:
        m->raft_term = (uint64_t)ev->a;
        break;
    default:
        break;
    }
}

/* The group-level events of one node. */
static void
fold_member(trace_member_t *m, const ev_t *ev)
{
    m->seen = true;
    if (ev->kind == EV_BLOCK_COMMITTED || ev->kind == EV_SYNC_DOWNLOADED) {
        if (ev->a > m->height)
            m->height = ev->a;
    } else if (ev->kind >= EV_PBFT_PREPARE && ev->kind <= EV_PBFT_VIEW_SWITCHED) {
        fold_pbft(m, ev);
    } else if (ev->kind >= EV_RAFT_ELECTION && ev->kind <= EV_RAFT_COMMIT) {
        fold_raft(m, ev);
    }
}

static void
fold(trace_summary_t *s, const trace_t *trace, const ev_t *ev)
{
    int k = trace_group_index(trace, ev->group);
    bool message = ev->kind == EV_MSG_SENT || ev->kind == EV_MSG_DELIVERED ||
                   ev->kind == EV_MSG_DROPPED || ev->kind == EV_QUERY_REFUSED;

    s->time_ms = ev->time_ms;
    if ((int)ev->kind >= 0 && ev->kind < EV_KIND_COUNT)
        s->kinds[ev->kind]++;
    if (ev->node < 0 || (unsigned)ev->node >= s->nnodes)
        return;
    fold_node(s, &s->nodes[ev->node], ev);
    if (k >= 0 && !message)
        fold_member(&s->nodes[ev->node].groups[k], ev);
}

void
trace_summary_to(trace_summary_t *s, const trace_t *trace, size_t upto)
{
    if (upto > trace->nevents)
        upto = trace->nevents;
    if (upto < s->upto)
        summary_reset(s);
    for (; s->upto < upto; s->upto++)
        fold(s, trace, &trace->events[s->upto]);
}
