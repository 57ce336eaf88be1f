/*
 * grader.c — exercise 10: grades ex_raft_append (raft_append.h).
 *
 * First the rules on known answers: the six followers of the Raft paper's Figure 7, each
 * repaired by a leader that backs up one entry at a time; late and duplicated requests; the
 * consistency check; the commit rule; then random logs repaired by random batches. Each call
 * gets exactly the room the engine gives (log->cap), on the heap, so that writing past it is
 * caught (under ASan). Then every follower of a simulated five-node Raft cluster takes
 * AppendEntries with the student's function (the hook raft_append_rule, consensus/raft.h)
 * while leaders are cut off with entries nobody committed, nodes crash, and messages are lost,
 * duplicated and reordered. Watching every event as it happens, the grader checks that a
 * committed entry never changes, that a node never commits past the end of its log, that no
 * entry is cut where nothing conflicts with it, and that no two nodes commit different blocks
 * at one height;
 * at the end every node must hold the same blocks and, read from its disk, the same log.
 * A failing cluster test prints its seed and writes cluster-<seed>.trace here
 * (`./bcoslab replay FILE`).
 */
#include "grade.h"
#include "testutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/rng.h"
#include "clusterutil.h"
#include "consensus/raft.h"
#include "raft_append.h"

/* ---- logs for the known answers ---- */

#define MAX_ENTRIES 64
#define MAX_TERM 64

/* The block of the entry at (index, term): the text "i<index>t<term>". Two logs with an entry
 * of the same index and term hold the same block (Log Matching), here the same bytes. */
static bl_span_t
block_of(uint64_t index, uint64_t term)
{
    static char labels[MAX_ENTRIES + 1][MAX_TERM + 1][16];
    char *s = labels[index][term];

    assert_true(index <= MAX_ENTRIES && term <= MAX_TERM);
    if (s[0] == '\0')
        snprintf(s, sizeof labels[0][0], "i%llut%llu", (unsigned long long)index,
                 (unsigned long long)term);
    return bl_span(s, strlen(s));
}

/* A follower: its log (terms given, blocks from block_of) and its commitIndex. */
typedef struct {
    raft_entry_view_t entries[MAX_ENTRIES];
    size_t count;
    uint64_t commit;
} follower_t;

static void
follower_init(follower_t *f, const uint64_t *terms, size_t n, uint64_t commit)
{
    memset(f, 0, sizeof *f);
    for (size_t i = 0; i < n; i++)
        f->entries[i] = (raft_entry_view_t){ .term = terms[i], .block = block_of(i + 1, terms[i]) };
    f->count = n;
    f->commit = commit;
}

/* The request a leader whose log is terms[0..n) sends: the entries after prev (at most
 * count of them, at most a batch), and its commitIndex. */
static raft_append_t
request(const uint64_t *terms, size_t n, uint64_t prev, size_t count, uint64_t commit)
{
    raft_append_t req = { .term = 99, .prev_index = prev, .commit = commit };

    req.prev_term = prev == 0 ? 0 : terms[prev - 1];
    for (uint64_t i = prev + 1; i <= n && req.nentries < count && req.nentries < RAFT_MAX_BATCH;
         i++)
        req.entries[req.nentries++] =
            (raft_entry_view_t){ .term = terms[i - 1], .block = block_of(i, terms[i - 1]) };
    return req;
}

/* Call the student's function as the engine does: the log copied into exactly count +
 * nentries entries of room on the heap. */
static bool
deliver(follower_t *f, const raft_append_t *req)
{
    raft_plain_log_t log = { .count = f->count, .cap = f->count + req->nentries };
    bool ok;

    log.entries = calloc(log.cap ? log.cap : 1, sizeof *log.entries);
    assert_non_null(log.entries);
    memcpy(log.entries, f->entries, f->count * sizeof *log.entries);
    ok = ex_raft_append(&log, &f->commit, req);
    if (log.count > log.cap || log.count > MAX_ENTRIES)
        fail_msg("the log holds %zu entries after the call, but it had room for %zu only",
                 log.count, log.cap);
    memcpy(f->entries, log.entries, log.count * sizeof *log.entries);
    f->count = log.count;
    free(log.entries);
    return ok;
}

/* On stderr, like cmocka's messages, so that it shows next to them. */
static void
print_log(const char *name, const raft_entry_view_t *e, size_t n)
{
    fprintf(stderr, "    %s (%zu entries):", name, n);
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, " %.*s", (int)e[i].block.len, (const char *)e[i].block.ptr);
    fprintf(stderr, "\n");
}

/* Fail (showing both logs) unless f's log is exactly terms[0..n), blocks included. */
static void
assert_log(const follower_t *f, const uint64_t *terms, size_t n, const char *what)
{
    bool same = f->count == n;

    for (size_t i = 0; same && i < n; i++) {
        bl_span_t want = block_of(i + 1, terms[i]);

        same = f->entries[i].term == terms[i] && f->entries[i].block.len == want.len &&
               memcmp(f->entries[i].block.ptr, want.ptr, want.len) == 0;
    }
    if (!same) {
        raft_entry_view_t want[MAX_ENTRIES];

        for (size_t i = 0; i < n; i++)
            want[i] = (raft_entry_view_t){ .term = terms[i], .block = block_of(i + 1, terms[i]) };
        print_log("got ", f->entries, f->count);
        print_log("want", want, n);
        fail_msg("%s: the log is not what it should be (entries shown as i<index>t<term>)",
                 what);
    }
}

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Deliver req; fail unless the answer is `want`, showing the request and the log it met. */
static void
expect(follower_t *f, const raft_append_t *req, bool want)
{
    follower_t before = *f;

    if (deliver(f, req) != want) {
        print_log("the log was", before.entries, before.count);
        fail_msg("request prev_index=%llu prev_term=%llu with %zu entries, leaderCommit=%llu: "
                 "returned %s, want %s", (unsigned long long)req->prev_index,
                 (unsigned long long)req->prev_term, req->nentries,
                 (unsigned long long)req->commit, want ? "false" : "true",
                 want ? "true" : "false");
    }
}

/* Fail unless the follower's commitIndex is want. */
static void
expect_commit(const follower_t *f, uint64_t want, const char *what)
{
    if (f->commit != want)
        fail_msg("%s: commitIndex is %llu, want %llu", what, (unsigned long long)f->commit,
                 (unsigned long long)want);
}

/* ---- known answers ---- */

/* Figure 7: the leader of term 8 (log 1 1 1 4 4 5 5 6 6 6, and its new entry 8 at index 11)
 * and the six followers (a)-(f) it may find. */
static const uint64_t fig7_leader[] = { 1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 8 };
static const struct {
    const char *name;
    uint64_t terms[12];
    size_t n;
    unsigned refusals; /* requests refused before one fits, backing up one entry at a time */
} fig7[] = {
    { "(a) misses the last entries", { 1, 1, 1, 4, 4, 5, 5, 6, 6 }, 9, 1 },
    { "(b) misses many entries", { 1, 1, 1, 4 }, 4, 6 },
    { "(c) has an extra entry of term 6", { 1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6 }, 11, 0 },
    { "(d) has extra entries of term 7", { 1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7 }, 12, 0 },
    { "(e) misses entries and has extra ones of term 4", { 1, 1, 1, 4, 4, 4, 4 }, 7, 5 },
    { "(f) has entries of terms 2 and 3 nobody else has",
      { 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3 }, 11, 7 },
};

/* §5.3, Figure 7: a request is refused (and the log left alone) until it starts right after
 * an entry the follower holds; then the follower's log becomes the leader's, the extra and
 * conflicting entries of (c), (d), (e), (f) gone. */
static void
figure_7_followers_are_repaired_to_the_leaders_log(void **state)
{
    (void)state;
    for (size_t k = 0; k < LEN(fig7); k++) {
        follower_t f;
        uint64_t next = LEN(fig7_leader);
        unsigned refusals = 0;

        printf("  follower %s\n", fig7[k].name);
        follower_init(&f, fig7[k].terms, fig7[k].n, 0);
        for (;;) {
            raft_append_t req = request(fig7_leader, LEN(fig7_leader), next - 1, RAFT_MAX_BATCH, 0);

            if (deliver(&f, &req))
                break;
            assert_log(&f, fig7[k].terms, fig7[k].n, "a refused request changed the log");
            refusals++;
            if (next == 1 || refusals > fig7[k].refusals)
                fail_msg("follower %s: refused prev_index %llu, where its log matches the "
                         "leader's (prev_term %llu)", fig7[k].name,
                         (unsigned long long)req.prev_index, (unsigned long long)req.prev_term);
            next--;
        }
        if (refusals != fig7[k].refusals)
            fail_msg("follower %s: accepted prev_index %llu, where its log does not hold the "
                     "leader's entry (refused %u requests before, want %u)",
                     fig7[k].name, (unsigned long long)next - 1, refusals,
                     fig7[k].refusals);
        assert_log(&f, fig7_leader, LEN(fig7_leader), fig7[k].name);
        expect_commit(&f, 0, fig7[k].name);
    }
}

/* Figure 2 rule 3, "If an existing entry conflicts with a new one (same index but different
 * terms), delete the existing entry and all that follow it" — only then: a late or repeated
 * request must not cut entries it does not contradict (the leader may already count on them,
 * 6.5840's "truncate only on conflict" pitfall). */
static void
keeps_entries_a_late_request_does_not_contradict(void **state)
{
    static const uint64_t leader[] = { 1, 1, 2, 2, 2, 3 };
    static const uint64_t five[] = { 1, 1, 2, 2, 2 };
    static const uint64_t three[] = { 1, 1, 2 };
    static const uint64_t four[] = { 1, 1, 2, 2 };
    static const uint64_t other[] = { 1, 1, 3 };
    follower_t f;
    raft_append_t req;

    (void)state;
    follower_init(&f, five, LEN(five), 0);
    req = request(leader, LEN(leader), 1, 2, 0); /* a late copy of entries 2..3 */
    expect(&f, &req, true);
    assert_log(&f, five, LEN(five), "a late request for entries 2..3 on a log of 5");
    expect(&f, &req, true);
    assert_log(&f, five, LEN(five), "the same late request again");
    req = request(leader, LEN(leader), 4, 2, 0); /* entries 5..6: 5 held, 6 new */
    expect(&f, &req, true);
    assert_log(&f, leader, LEN(leader), "entries 5..6 on a log of 5 (5 held already)");

    follower_init(&f, three, LEN(three), 0);
    req = request(leader, LEN(leader), 1, 3, 0); /* 2, 3 held, 4 new */
    expect(&f, &req, true);
    assert_log(&f, four, LEN(four), "entries 2..4 on a log of 3");

    follower_init(&f, five, LEN(five), 0);
    req = request(other, LEN(other), 1, 2, 0); /* 2 held, 3 conflicts (term 3, not 2) */
    expect(&f, &req, true);
    assert_log(&f, other, LEN(other), "entry 3 of term 3 over entries 3..5 of term 2");
}

/* Figure 2 rule 2, "Reply false if log doesn't contain an entry at prevLogIndex whose term
 * matches prevLogTerm" (§5.3, the consistency check); index 0 always matches. */
static void
refuses_when_the_entry_before_is_missing_and_changes_nothing(void **state)
{
    static const uint64_t leader[] = { 1, 1, 3, 3 };
    static const uint64_t empty[] = { 0 };
    static const uint64_t two[] = { 1, 1 };
    static const uint64_t stale[] = { 1, 2, 2 };
    follower_t f;
    raft_append_t req;

    (void)state;
    follower_init(&f, empty, 0, 0);
    req = request(leader, LEN(leader), 0, 2, 2);
    expect(&f, &req, true); /* prev_index 0: the start of every log */
    assert_log(&f, two, LEN(two), "entries 1..2 on an empty log");
    expect_commit(&f, 2, "entries 1..2 on an empty log, leaderCommit 2");

    req = request(leader, LEN(leader), 3, 1, 4); /* prev_index 3 beyond the end */
    expect(&f, &req, false);
    assert_log(&f, two, LEN(two), "refused: prev_index 3 on a log of 2");
    expect_commit(&f, 2, "refused: prev_index 3 on a log of 2");

    follower_init(&f, stale, LEN(stale), 1);
    req = request(leader, LEN(leader), 3, 1, 4); /* entry 3 has term 2, the leader's 3 */
    expect(&f, &req, false);
    assert_log(&f, stale, LEN(stale), "refused: prev_term 3 where the log has term 2");
    expect_commit(&f, 1, "refused: prev_term 3 where the log has term 2");

    req = request(leader, LEN(leader), 1, 3, 1); /* entry 1 matches: 2, 3 conflict */
    expect(&f, &req, true);
    assert_log(&f, leader, LEN(leader), "entries 2..4 after a matching entry 1");
}

/* Figure 2 rule 5, "If leaderCommit > commitIndex, set commitIndex = min(leaderCommit, index
 * of last new entry)": a follower commits only what this request showed to be the leader's;
 * past it its log may hold entries of old terms nobody committed (Figure 7 (f)). */
static void
commit_index_follows_the_leader_up_to_the_last_new_entry(void **state)
{
    static const uint64_t leader[] = { 1, 1, 1, 4, 4, 4, 4, 4 };
    static const uint64_t stale[] = { 1, 1, 1, 2, 2, 2, 3, 3 };
    static const uint64_t ones[] = { 1, 1, 1, 1, 1, 1 };
    follower_t f;
    raft_append_t req;

    (void)state;
    follower_init(&f, stale, LEN(stale), 0);
    req = request(leader, LEN(leader), 3, 0, 8); /* a heartbeat: no entries, prev 3 */
    expect(&f, &req, true);
    assert_log(&f, stale, LEN(stale), "a heartbeat changes no entry");
    expect_commit(&f, 3, "heartbeat with prev_index 3, leaderCommit 8 (entries 4..8 of this "
                         "log are not the leader's)");

    req = request(leader, LEN(leader), 3, 1, 8); /* entry 4 of term 4 */
    expect(&f, &req, true);
    expect_commit(&f, 4, "entry 4 after prev_index 3, leaderCommit 8");

    req = request(leader, LEN(leader), 4, 4, 6); /* entries 5..8, leaderCommit 6 */
    expect(&f, &req, true);
    assert_log(&f, leader, LEN(leader), "entries 5..8");
    expect_commit(&f, 6, "entries 5..8, leaderCommit 6");

    req = request(leader, LEN(leader), 2, 0, 7); /* a late heartbeat: min(7, 2) < 6 */
    expect(&f, &req, true);
    expect_commit(&f, 6, "a late heartbeat (prev_index 2, leaderCommit 7) after commitIndex 6: "
                         "it never goes down");

    req = request(leader, LEN(leader), 8, 0, 5); /* leaderCommit 5 below ours */
    expect(&f, &req, true);
    expect_commit(&f, 6, "leaderCommit 5 below commitIndex 6");

    follower_init(&f, ones, LEN(ones), 2);
    req = request(leader, LEN(leader), 4, 0, 8); /* refused: entry 4 is term 1, not 4 */
    expect(&f, &req, false);
    expect_commit(&f, 2, "a refused request");
}

/* Entries start..n of a random log: terms from `from` on, never going down, rising by 2 when
 * they change (so logs started from an even and from an odd term never share a term). */
static void
random_terms(bl_rng_t *r, uint64_t *terms, size_t start, size_t n, uint64_t from)
{
    uint64_t t = from;

    for (size_t i = start; i < n; i++) {
        if (bl_rng_below(r, 3) == 0)
            t += 2;
        terms[i] = t;
    }
}

/* §5.3 Log Matching, 300 times: a leader with a random log meets a follower that shares a
 * random part of it (not all) and then diverges; the leader backs up and sends batches of up to 8
 * entries, and now and then an old request comes again. After every success the follower's
 * log matches the leader's up to the last entry sent; at the end it is the leader's log, and
 * commitIndex is the leader's. */
static void
random_appends_end_with_the_leaders_log(void **state)
{
    bl_rng_t r;

    (void)state;
    bl_rng_seed(&r, 1010);
    for (int run = 0; run < 300; run++) {
        uint64_t leader[40], mine[40];
        size_t ln = 1 + bl_rng_below(&r, 39), shared = bl_rng_below(&r, ln);
        size_t fn = shared + bl_rng_below(&r, 40 - shared);
        follower_t f;
        raft_append_t old = { 0 };
        bool have_old = false;
        uint64_t next = ln + 1;
        int rounds = 0;

        random_terms(&r, leader, 0, ln, 2); /* even terms */
        memcpy(mine, leader, shared * sizeof *mine);
        random_terms(&r, mine, shared, fn, (shared ? leader[shared - 1] : 0) + 1); /* odd */
        follower_init(&f, mine, fn, 0);
        for (;;) {
            raft_append_t req = request(leader, ln, next - 1, RAFT_MAX_BATCH, ln);

            if (++rounds > 200)
                fail_msg("run %d: the follower's log never became the leader's", run);
            if (have_old && bl_rng_below(&r, 4) == 0)
                (void)deliver(&f, &old); /* a late duplicate */
            if (!deliver(&f, &req)) {
                if (next == 1)
                    fail_msg("run %d: refused prev_index 0", run);
                next--;
                continue;
            }
            for (size_t i = 0; i < req.prev_index + req.nentries; i++)
                if (i >= f.count || f.entries[i].term != leader[i])
                    fail_msg("run %d: after a success up to index %llu, entry %zu is not the "
                             "leader's", run,
                             (unsigned long long)(req.prev_index + req.nentries), i + 1);
            old = req;
            have_old = true;
            next = req.prev_index + req.nentries + 1;
            if (next > ln)
                break;
        }
        assert_log(&f, leader, ln, "after the leader's last batch");
        expect_commit(&f, ln, "after the leader's last batch, leaderCommit = its last index");
    }
}

/* ---- the rule inside a cluster ---- */

#define G 1
#define N 5
#define MAX_INDEX 512
#define MAX_HEIGHT 512

/* A cluster whose every follower takes entries with ex_raft_append, and what the grader saw
 * happen in it. */
typedef struct {
    cu_cluster_t c;
    uint64_t seen;                      /* the last event read */
    uint64_t committed[MAX_INDEX + 1];  /* entry index -> its term, once committed */
    uint64_t ncommitted;
    uint8_t block[MAX_HEIGHT + 1][32];  /* height -> the block committed there */
    bool have_block[MAX_HEIGHT + 1];
    uint64_t terms[N][MAX_INDEX];       /* each node's log as the grader last read it */
    size_t count[N];
    char failed[1024];                  /* the first rule broken, "" while none */
} watch_t;

static void
flag(watch_t *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
flag(watch_t *w, const char *fmt, ...)
{
    va_list ap;
    int at;

    if (w->failed[0] != '\0')
        return;
    at = snprintf(w->failed, sizeof w->failed, "seed=%llu t=%llu ms: ",
                  (unsigned long long)w->c.seed, (unsigned long long)sim_now(w->c.sim));
    va_start(ap, fmt);
    vsnprintf(w->failed + at, sizeof w->failed - (size_t)at, fmt, ap);
    va_end(ap);
}

/* Node i's Raft log as its disk holds it right now (the engine writes before it answers). */
static void
read_log(watch_t *w, unsigned i, raft_log_t *log)
{
    kv_t *disk = env_disk(sim_env(w->c.sim, i), "group1.raft");

    if (raft_log_open(log, disk) != BL_OK)
        flag(w, "node %u's Raft log on disk does not load: %s", i, bl_errmsg());
}

/* Node committed its entries up to index: they must agree with what was committed before
 * (Figure 3, State Machine Safety: a committed entry never changes). */
static void
see_commit_index(watch_t *w, unsigned node, uint64_t index)
{
    raft_log_t log;

    read_log(w, node, &log);
    if (index > raft_log_last(&log))
        flag(w, "node %u committed index %llu, beyond the end of its log (%llu entries)",
             node, (unsigned long long)index, (unsigned long long)raft_log_last(&log));
    for (uint64_t i = 1; i <= index && i <= MAX_INDEX; i++) {
        uint64_t term = raft_log_term_at(&log, i);

        if (i > w->ncommitted) {
            w->committed[i] = term;
            w->ncommitted = i;
        } else if (w->committed[i] != term) {
            flag(w, "committed entry %llu changed: it had term %llu, then node %u committed "
                 "term %llu there", (unsigned long long)i, (unsigned long long)w->committed[i],
                 node, (unsigned long long)term);
            break;
        }
    }
    raft_log_free(&log);
}

/* Node's log changed (EV_RAFT_APPEND). Figure 2 rule 3: an entry is removed only where the
 * leader's entry at its index has another term; a late or repeated AppendEntries must not cut
 * entries (the leader may count on them already). */
static void
see_append(watch_t *w, unsigned node)
{
    raft_log_t log;
    size_t d = 0, old = w->count[node];

    read_log(w, node, &log);
    while (d < old && d < log.count && w->terms[node][d] == log.entries[d].term)
        d++;
    if (d < old && (d >= log.count || log.entries[d].term == w->terms[node][d]))
        flag(w, "node %u cut its log from entry %zu (term %llu) though no entry of the leader "
             "conflicts with it there", node, d + 1, (unsigned long long)w->terms[node][d]);
    w->count[node] = log.count < MAX_INDEX ? log.count : MAX_INDEX;
    for (size_t i = 0; i < w->count[node]; i++)
        w->terms[node][i] = log.entries[i].term;
    raft_log_free(&log);
}

/* State Machine Safety, as the ledger shows it: one block per height. */
static void
see_block(watch_t *w, unsigned node, int64_t height, const uint8_t hash[32])
{
    if (height < 0 || height > MAX_HEIGHT)
        return;
    if (w->have_block[height] && memcmp(w->block[height], hash, 32) != 0)
        flag(w, "node %u committed another block at height %lld", node, (long long)height);
    memcpy(w->block[height], hash, 32);
    w->have_block[height] = true;
}

static void
scan(watch_t *w)
{
    ev_t batch[256];
    uint64_t missed = 0;
    size_t n;

    while (w->failed[0] == '\0' &&
           (n = evlog_read(w->c.log, w->seen, batch, 256, &missed)) > 0) {
        if (missed != 0)
            flag(w, "the grader missed %llu events", (unsigned long long)missed);
        for (size_t i = 0; i < n; i++) {
            const ev_t *ev = &batch[i];

            if (ev->group != G || ev->node < 0 || ev->node >= N)
                continue;
            if (ev->kind == EV_RAFT_COMMIT)
                see_commit_index(w, (unsigned)ev->node, (uint64_t)ev->a);
            else if (ev->kind == EV_RAFT_APPEND)
                see_append(w, (unsigned)ev->node);
            else if (ev->kind == EV_BLOCK_COMMITTED)
                see_block(w, (unsigned)ev->node, ev->a, ev->hash);
        }
        w->seen = batch[n - 1].seq;
    }
}

/* What a run waits for: nodes (a bit set) all at height >= height. */
typedef struct {
    watch_t *w;
    unsigned nodes;
    int64_t height;
} goal_t;

static bool
goal_reached(const goal_t *g)
{
    for (unsigned i = 0; i < N; i++)
        if ((g->nodes >> i & 1) && cu_height(&g->w->c, i, G) < g->height)
            return false;
    return g->nodes != 0;
}

/* Called before every event: the grader sees each event right after it happened. */
static bool
check_and_stop(void *arg)
{
    goal_t *g = arg;

    scan(g->w);
    return g->w->failed[0] != '\0' || goal_reached(g);
}

/* Run until nodes reach height (nodes 0: just run for limit_ms); false if they did not. */
static bool
run(watch_t *w, unsigned nodes, int64_t height, uint64_t limit_ms)
{
    goal_t g = { .w = w, .nodes = nodes, .height = height };

    sim_run_until(w->c.sim, check_and_stop, &g, limit_ms);
    scan(w);
    return w->failed[0] == '\0' && (nodes == 0 || goal_reached(&g));
}

static int64_t
top_height(watch_t *w)
{
    int64_t h = -1;

    for (unsigned i = 0; i < N; i++)
        if (cu_height(&w->c, i, G) > h)
            h = cu_height(&w->c, i, G);
    return h;
}

/* The node that leads now: the one whose RAFT_LEADER is the newest such event and that has
 * not become follower or crashed since; -1 if none. */
static int
current_leader(watch_t *w)
{
    ev_t batch[256];
    uint64_t from = 0, missed;
    int leader = -1;
    size_t n;

    while ((n = evlog_read(w->c.log, from, batch, 256, &missed)) > 0) {
        for (size_t i = 0; i < n; i++) {
            const ev_t *ev = &batch[i];

            if (ev->kind == EV_RAFT_LEADER && ev->group == G)
                leader = ev->node;
            else if (ev->node == leader &&
                     ((ev->group == G && (ev->kind == EV_RAFT_FOLLOWER ||
                                          ev->kind == EV_RAFT_ELECTION)) ||
                      ev->kind == EV_NODE_CRASHED))
                leader = -1;
        }
        from = batch[n - 1].seq;
    }
    return leader;
}

/* Run until some node leads (at most limit_ms); its index, or -1 (flagged). */
static int
wait_for_leader(watch_t *w, uint64_t limit_ms)
{
    for (uint64_t waited = 0; waited < limit_ms && w->failed[0] == '\0'; waited += 100) {
        int leader = current_leader(w);

        if (leader >= 0)
            return leader;
        run(w, 0, 0, 100);
    }
    flag(w, "no leader within %llu s", (unsigned long long)limit_ms / 1000);
    return -1;
}

/* Queue fault (a sim_script line without its "at T") to happen now, and let it. */
static void
fault_now(watch_t *w, const char *fault)
{
    char line[128];

    snprintf(line, sizeof line, "at %llu %s\n", (unsigned long long)sim_now(w->c.sim), fault);
    assert_int_equal(sim_script(w->c.sim, line), BL_OK);
    run(w, 0, 0, 1);
}

/* Submit a tx to node `to` and run until every node of `nodes` holds one more block. */
static void
one_more_block(watch_t *w, unsigned to, const char *nodes, uint64_t limit_ms)
{
    int64_t h = top_height(w) + 1;
    unsigned set = 0;

    if (w->failed[0] != '\0')
        return;
    for (const char *p = nodes; *p != '\0'; p++)
        if (*p >= '0' && *p <= '9')
            set |= 1u << (*p - '0');
    cu_submit_users(&w->c, to, G, 1);
    if (!run(w, set, h, limit_ms))
        flag(w, "nodes %s did not all commit height %lld within %llu s", nodes, (long long)h,
             (unsigned long long)limit_ms / 1000);
}

/* Let the cluster go idle, then every node must hold the same blocks and the same Raft log
 * (Log Matching: the leader has repaired every follower). */
static void
check_all_agree(watch_t *w)
{
    raft_log_t logs[N];

    if (w->failed[0] != '\0' || !run(w, 0, 0, 3000))
        return;
    for (unsigned i = 0; i < N; i++)
        read_log(w, i, &logs[i]);
    for (unsigned i = 1; i < N && w->failed[0] == '\0'; i++) {
        if (cu_height(&w->c, i, G) != cu_height(&w->c, 0, G))
            flag(w, "idle, node %u is at height %lld and node 0 at %lld", i,
                 (long long)cu_height(&w->c, i, G), (long long)cu_height(&w->c, 0, G));
        else if (logs[i].count != logs[0].count)
            flag(w, "idle, node %u's log has %zu entries and node 0's %zu", i, logs[i].count,
                 logs[0].count);
        for (size_t k = 0; k < logs[0].count && w->failed[0] == '\0'; k++)
            if (logs[i].entries[k].term != logs[0].entries[k].term ||
                !bl_span_eq(bl_buf_span(&logs[i].entries[k].block),
                            bl_buf_span(&logs[0].entries[k].block)))
                flag(w, "idle, entry %zu differs between node 0 and node %u", k + 1, i);
    }
    for (unsigned i = 0; i < N; i++)
        raft_log_free(&logs[i]);
}

/* A function that refuses even the first entry of an empty log would have each leader retry
 * without end (it backs up to index 0 and can go no further): no cluster can run on it. */
static void
require_first_entry_accepted(void)
{
    static const uint64_t one[] = { 1 };
    raft_append_t req = request(one, LEN(one), 0, 1, 0);
    follower_t f;

    follower_init(&f, one, 0, 0);
    if (!deliver(&f, &req) || f.count != 1)
        fail_msg("ex_raft_append does not take the first entry of an empty log (prev_index 0), "
                 "so no cluster can run on it: the tests above show what to fix");
}

static watch_t *
open_cluster(uint64_t seed)
{
    watch_t *w;

    require_first_entry_accepted();
    w = bl_xcalloc(1, sizeof *w);

    printf("  seed=%llu, %d sealers, every follower appends with ex_raft_append\n",
           (unsigned long long)seed, N);
    raft_append_rule = ex_raft_append;
    cu_open(&w->c, seed, N);
    cu_group_with(&w->c, G, "0,1,2,3,4", "0,1,2,3,4", "raft");
    cu_start(&w->c);
    return w;
}

/* Close the cluster and give the engine its own rule back; then fail if a rule was broken
 * (with the trace written first, so the run can be replayed). */
static void
close_cluster(watch_t *w)
{
    char path[64], failed[sizeof w->failed];

    memcpy(failed, w->failed, sizeof failed);
    if (failed[0] != '\0') {
        snprintf(path, sizeof path, "cluster-%llu.trace", (unsigned long long)w->c.seed);
        sim_write_trace(w->c.sim, path);
        printf("  FAILED: %s\n  trace: %s (./bcoslab replay %s)\n", failed, path, path);
    }
    cu_close(&w->c);
    free(w);
    raft_append_rule = raft_append_rule_builtin;
    if (failed[0] != '\0')
        fail_msg("%s", failed);
}

/* The leader and one follower cut off on side 1, the other three on side 0. */
static void
cut_off_leader(watch_t *w, int leader)
{
    char fault[64], rest[16] = "";
    unsigned mate = (unsigned)(leader + 1) % N;

    for (unsigned i = 0; i < N; i++)
        if (i != (unsigned)leader && i != mate)
            snprintf(rest + strlen(rest), sizeof rest - strlen(rest), "%s%u", rest[0] ? "," : "",
                     i);
    snprintf(fault, sizeof fault, "partition %d,%u|%s", leader, mate, rest);
    fault_now(w, fault);
}

/* §5.3 log repair, 6.5840 TestRejoin3B / TestBackup3B: twice the leader and a follower are
 * cut off with entries nobody will commit while the other three commit eight blocks (so the
 * two are more than a batch of entries behind when they return); a follower of the majority
 * crashes and comes back (its commitIndex starts again at 0); the network heals. Every log
 * must be repaired to the leader's, and every node commit the same blocks. */
static void
cluster_repairs_divergent_logs_and_commits_the_same_blocks(void **state)
{
    watch_t *w = open_cluster(1001);

    (void)state;
    one_more_block(w, 0, "0,1,2,3,4", 10000);
    for (int round = 0; round < 2 && w->failed[0] == '\0'; round++) {
        int leader = wait_for_leader(w, 10000);
        unsigned majority = (unsigned)(leader + 2) % N;
        int crash;

        if (leader < 0)
            break;
        cut_off_leader(w, leader);
        cu_submit_users(&w->c, (unsigned)leader, G, 3); /* appended, never committed */
        run(w, 0, 0, 500);
        for (int k = 0; k < 8; k++) {
            char side[16];

            snprintf(side, sizeof side, "%u,%u,%u", majority, (majority + 1) % N,
                     (majority + 2) % N);
            one_more_block(w, majority, side, 15000);
        }
        /* a follower of the majority's leader crashes: back, it knows no commitIndex */
        crash = current_leader(w) == (int)majority ? (int)(majority + 1) % N : (int)majority;
        assert_int_equal(sim_crash(w->c.sim, (unsigned)crash), BL_OK);
        run(w, 0, 0, 300);
        assert_int_equal(sim_restart(w->c.sim, (unsigned)crash), BL_OK);
    }
    if (w->failed[0] == '\0')
        fault_now(w, "heal");
    one_more_block(w, 0, "0,1,2,3,4", 15000);
    check_all_agree(w);
    close_cluster(w);
}

/* Figure 2's receiver rules under 6.5840's unreliable network (TestFigure8Unreliable3C):
 * 10% of messages lost, 10% duplicated, 1..60 ms delays in any order, so AppendEntries arrive
 * late and twice; a leader is cut off now and then. Every block must still be the same on
 * every node, and after the network is repaired every log the same. */
static void
cluster_agrees_with_late_and_duplicated_appends(void **state)
{
    watch_t *w = open_cluster(1002);

    (void)state;
    one_more_block(w, 0, "0,1,2,3,4", 10000); /* first, on a good network */
    if (w->failed[0] == '\0')
        fault_now(w, "links drop=0.1 dup=0.1 delay=1..60 reorder=yes");
    for (int k = 0; k < 12 && w->failed[0] == '\0'; k++) {
        int leader = current_leader(w);

        cu_submit_users(&w->c, (unsigned)(leader >= 0 ? leader : k % N), G, 2);
        run(w, 0, 0, 700);
        if (k % 4 == 3 && leader >= 0) {
            cut_off_leader(w, leader);
            run(w, 0, 0, 2500);
            fault_now(w, "heal");
        }
    }
    if (w->failed[0] == '\0')
        fault_now(w, "links drop=0 dup=0 delay=1..5");
    one_more_block(w, 0, "0,1,2,3,4", 20000);
    check_all_agree(w);
    close_cluster(w);
}

int main(void)
{
    static const grade_test_t tests[] = {
        { "figure_7_followers_are_repaired_to_the_leaders_log",
          figure_7_followers_are_repaired_to_the_leaders_log, 25 },
        { "keeps_entries_a_late_request_does_not_contradict",
          keeps_entries_a_late_request_does_not_contradict, 15 },
        { "refuses_when_the_entry_before_is_missing_and_changes_nothing",
          refuses_when_the_entry_before_is_missing_and_changes_nothing, 10 },
        { "commit_index_follows_the_leader_up_to_the_last_new_entry",
          commit_index_follows_the_leader_up_to_the_last_new_entry, 15 },
        { "random_appends_end_with_the_leaders_log", random_appends_end_with_the_leaders_log, 10 },
        { "cluster_repairs_divergent_logs_and_commits_the_same_blocks",
          cluster_repairs_divergent_logs_and_commits_the_same_blocks, 15 },
        { "cluster_agrees_with_late_and_duplicated_appends",
          cluster_agrees_with_late_and_duplicated_appends, 10 },
    };

    return grade_run("10-raft-append-entries", tests, sizeof tests / sizeof tests[0]);
}
