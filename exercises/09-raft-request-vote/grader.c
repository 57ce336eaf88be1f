/*
 * grader.c — exercise 09: grades ex_raft_vote (raft_vote.h).
 *
 * First the rules one by one, on known answers (Raft paper, Figure 2 and §5.4.1), and on
 * random questions whose answers must keep Raft's invariants. Then every node of a simulated
 * five-node Raft cluster answers RequestVote with the student's function (the hook
 * raft_vote_rule, consensus/raft.h) while the network is cut and nodes crash. Watching every
 * event as it happens, the grader checks what the rule is for:
 *   - no node votes twice in one term, and no term has two leaders (Election Safety);
 *   - no node becomes leader without every entry already committed (Leader Completeness,
 *     §5.4.1): the node's log is read from its disk the moment it wins;
 *   - a committed entry never changes, and no two nodes commit different blocks at a height;
 *   - whenever a majority can talk, it elects a leader and commits within a bound (liveness).
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
#include "raft_vote.h"

/* ---- known answers ---- */

/* One question and its answer. The columns of q: current_term, voted_for, last_index,
 * last_term, candidate, { req.term, req.last_index, req.last_term }; of want: granted, term,
 * voted_for. */
typedef struct {
    const char *what;
    raft_vote_question_t q;
    raft_vote_answer_t want;
} vote_case_t;

static void
check_cases(const vote_case_t *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const vote_case_t *k = &cases[i];
        raft_vote_answer_t got = ex_raft_vote(&k->q);

        if (got.granted != k->want.granted || got.term != k->want.term ||
            got.voted_for != k->want.voted_for)
            fail_msg("%s\n    got  granted=%d term=%llu voted_for=%d\n"
                     "    want granted=%d term=%llu voted_for=%d",
                     k->what, got.granted, (unsigned long long)got.term, got.voted_for,
                     k->want.granted, (unsigned long long)k->want.term, k->want.voted_for);
    }
}

/* Figure 2, RequestVote receiver rule 1: "Reply false if term < currentTerm". */
static void
refuses_a_candidate_from_an_older_term(void **state)
{
    static const vote_case_t cases[] = {
        { "same term, no vote yet, same log: grant",
          { 5, -1, 3, 2, 1, { 5, 3, 2 } }, { true, 5, 1 } },
        { "older term (4 < 5), better log: refuse, change nothing",
          { 5, -1, 3, 2, 1, { 4, 9, 4 } }, { false, 5, -1 } },
        { "older term, voter voted for 2: refuse, keep the vote",
          { 5, 2, 3, 2, 1, { 3, 3, 2 } }, { false, 5, 2 } },
    };

    (void)state;
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

/* Figure 2, Rules for Servers: "If RPC request contains term T > currentTerm: set currentTerm
 * = T, convert to follower" — and votedFor, which belongs to a term, is free again. */
static void
adopts_a_newer_term_with_its_vote_free(void **state)
{
    static const vote_case_t cases[] = {
        { "newer term 4, voter voted for 2 in term 3: adopt 4, grant 1",
          { 3, 2, 4, 3, 1, { 4, 4, 3 } }, { true, 4, 1 } },
        { "newer term 7, candidate's log behind: adopt 7 with no vote, refuse",
          { 3, 2, 4, 3, 1, { 7, 2, 3 } }, { false, 7, -1 } },
        { "a fresh node (term 0, empty log) asked by 4 in term 1: adopt 1, grant",
          { 0, -1, 0, 0, 4, { 1, 0, 0 } }, { true, 1, 4 } },
    };

    (void)state;
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

/* Figure 2, RequestVote receiver rule 2: "If votedFor is null or candidateId ... grant":
 * one vote per term, so at most one leader per term (§5.2, Election Safety). */
static void
grants_one_candidate_per_term(void **state)
{
    static const vote_case_t cases[] = {
        { "no vote yet in term 6: grant 3", { 6, -1, 5, 6, 3, { 6, 5, 6 } }, { true, 6, 3 } },
        { "voted for 2 in term 6, 1 asks in term 6: refuse",
          { 6, 2, 5, 6, 1, { 6, 5, 6 } }, { false, 6, 2 } },
        { "voted for 2 in term 6, 2 asks again (a duplicate): grant again",
          { 6, 2, 5, 6, 2, { 6, 5, 6 } }, { true, 6, 2 } },
        { "a candidate (voted for itself, 0) asked by a rival of its term: refuse",
          { 6, 0, 5, 6, 3, { 6, 9, 6 } }, { false, 6, 0 } },
    };

    (void)state;
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

/* §5.4.1: "If the logs have last entries with different terms, then the log with the later
 * term is more up-to-date. If the logs end with the same term, then whichever log is longer
 * is more up-to-date." The voter grants only if the candidate's is at least as up to date. */
static void
grants_only_to_a_log_at_least_as_up_to_date(void **state)
{
    static const vote_case_t cases[] = {
        { "candidate's last term 3 > voter's 2, shorter log (3 < 10): grant",
          { 4, -1, 10, 2, 1, { 4, 3, 3 } }, { true, 4, 1 } },
        { "candidate's last term 2 < voter's 3, longer log (10 > 3): refuse",
          { 4, -1, 3, 3, 1, { 4, 10, 2 } }, { false, 4, -1 } },
        { "same last term 3, candidate's log shorter (6 < 7): refuse",
          { 4, -1, 7, 3, 1, { 4, 6, 3 } }, { false, 4, -1 } },
        { "same last term 3, same length 7: grant",
          { 4, -1, 7, 3, 1, { 4, 7, 3 } }, { true, 4, 1 } },
        { "same last term 3, candidate's log longer (8 > 7): grant",
          { 4, -1, 7, 3, 1, { 4, 8, 3 } }, { true, 4, 1 } },
        { "candidate's log empty, voter holds one entry (term 1): adopt term 5, refuse",
          { 4, -1, 1, 1, 1, { 5, 0, 0 } }, { false, 5, -1 } },
        { "voter's log empty, candidate holds entries: grant",
          { 4, -1, 0, 0, 2, { 4, 2, 1 } }, { true, 4, 2 } },
    };

    (void)state;
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

/* A random question a real voter could be asked: every log entry has a term >= 1 and at most
 * its owner's term. */
static raft_vote_question_t
random_question(bl_rng_t *r)
{
    raft_vote_question_t q;

    q.current_term = bl_rng_below(r, 6);
    q.voted_for = (int)bl_rng_below(r, 6) - 1;
    q.last_index = q.current_term == 0 ? 0 : bl_rng_below(r, 6);
    q.last_term = q.last_index == 0 ? 0 : 1 + bl_rng_below(r, q.current_term);
    q.candidate = (int)bl_rng_below(r, 5);
    q.req.term = 1 + bl_rng_below(r, 6);
    q.req.last_index = bl_rng_below(r, 6);
    q.req.last_term = q.req.last_index == 0 ? 0 : 1 + bl_rng_below(r, q.req.term);
    return q;
}

/* Fails unless answer a to question q keeps the invariants of Figure 2 (not the whole rule:
 * these hold for every correct voter, whatever its log). */
static void
check_invariants(const raft_vote_question_t *q, raft_vote_answer_t a, int i)
{
    uint64_t newest = q->req.term > q->current_term ? q->req.term : q->current_term;
    const char *broken = NULL;

    if (a.term != newest)
        broken = "term must become max(currentTerm, the request's term)";
    else if (a.granted && a.voted_for != q->candidate)
        broken = "a granted vote must be recorded: voted_for = candidate";
    else if (a.granted && q->req.term < q->current_term)
        broken = "a candidate from an older term must be refused";
    else if (a.granted && q->req.term == q->current_term && q->voted_for != -1 &&
             q->voted_for != q->candidate)
        broken = "a voter that voted for another candidate this term must refuse";
    else if (a.granted && q->req.last_term < q->last_term)
        broken = "a candidate whose last term is older must be refused";
    else if (!a.granted && q->req.term > q->current_term && a.voted_for != -1)
        broken = "refusing in a newly adopted term leaves voted_for at -1";
    else if (!a.granted && q->req.term <= q->current_term && a.voted_for != q->voted_for)
        broken = "refusing in the same term leaves voted_for as it was";
    if (broken != NULL)
        fail_msg("random question %d: %s\n    question: current_term=%llu voted_for=%d "
                 "last=(index %llu, term %llu) candidate=%d asks in term %llu with "
                 "last=(index %llu, term %llu)\n    answer: granted=%d term=%llu voted_for=%d",
                 i, broken, (unsigned long long)q->current_term, q->voted_for,
                 (unsigned long long)q->last_index, (unsigned long long)q->last_term,
                 q->candidate, (unsigned long long)q->req.term,
                 (unsigned long long)q->req.last_index, (unsigned long long)q->req.last_term,
                 a.granted, (unsigned long long)a.term, a.voted_for);
}

/* Figure 2 as invariants, over 5000 random questions: the term never goes back, a vote once
 * given is recorded, a refusal changes only what a newer term changes; and some votes are
 * granted. The same question always gets the same answer (a rule is a pure function). */
static void
answers_keep_raft_invariants_on_random_questions(void **state)
{
    bl_rng_t r;
    size_t granted = 0;

    (void)state;
    bl_rng_seed(&r, 909);
    for (int i = 0; i < 5000; i++) {
        raft_vote_question_t q = random_question(&r);
        raft_vote_answer_t a = ex_raft_vote(&q), again = ex_raft_vote(&q);

        check_invariants(&q, a, i);
        if (a.granted != again.granted || a.term != again.term ||
            a.voted_for != again.voted_for)
            fail_msg("random question %d: asked twice, answered differently", i);
        granted += a.granted;
    }
    assert_true(granted > 1000);
}

/* ---- the rule inside a cluster ---- */

#define G 1
#define N 5
#define MAX_TERMS 4096
#define MAX_INDEX 512
#define MAX_HEIGHT 512

/* A cluster whose every node votes by ex_raft_vote, and what the grader saw happen in it. */
typedef struct {
    cu_cluster_t c;
    uint64_t seen;                          /* the last event read */
    int leader_of[MAX_TERMS];               /* term -> node + 1 that led it (0: none) */
    int vote_of[N][MAX_TERMS];              /* node, term -> candidate + 1 it voted for */
    uint64_t committed[MAX_INDEX + 1];      /* entry index -> its term, once committed */
    uint64_t ncommitted;
    uint8_t block[MAX_HEIGHT + 1][32];      /* height -> the block committed there */
    bool have_block[MAX_HEIGHT + 1];
    char failed[1024];                      /* the first rule broken, "" while none */
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
read_log(watch_t *w, int i, raft_log_t *log)
{
    kv_t *disk = env_disk(sim_env(w->c.sim, (unsigned)i), "group1.raft");

    if (raft_log_open(log, disk) != BL_OK)
        flag(w, "node %d's Raft log on disk does not load: %s", i, bl_errmsg());
}

/* Figure 2 votedFor: one vote per term (a candidate's vote for itself included). */
static void
see_vote(watch_t *w, int node, uint64_t term, int candidate)
{
    int *v = &w->vote_of[node][term];

    if (*v != 0 && *v != candidate + 1)
        flag(w, "node %d voted twice in term %llu: for %d and for %d", node,
             (unsigned long long)term, *v - 1, candidate);
    *v = candidate + 1;
}

/* Election Safety, and §5.4.1 Leader Completeness: the winner holds every committed entry. */
static void
see_leader(watch_t *w, int node, uint64_t term)
{
    raft_log_t log;

    if (w->leader_of[term] != 0 && w->leader_of[term] != node + 1)
        flag(w, "two leaders in term %llu: nodes %d and %d", (unsigned long long)term,
             w->leader_of[term] - 1, node);
    w->leader_of[term] = node + 1;
    read_log(w, node, &log);
    for (uint64_t i = 1; i <= w->ncommitted; i++)
        if (raft_log_term_at(&log, i) != w->committed[i]) {
            flag(w, "node %d won term %llu without committed entry %llu (term %llu): its log "
                 "has %zu entries; a candidate whose log is behind must not get votes",
                 node, (unsigned long long)term, (unsigned long long)i,
                 (unsigned long long)w->committed[i], log.count);
            break;
        }
    raft_log_free(&log);
}

/* Node committed its entries up to index: they must agree with what was committed before. */
static void
see_commit_index(watch_t *w, int node, uint64_t index)
{
    raft_log_t log;

    read_log(w, node, &log);
    for (uint64_t i = 1; i <= index && i <= MAX_INDEX; i++) {
        uint64_t term = raft_log_term_at(&log, i);

        if (i > w->ncommitted) {
            w->committed[i] = term;
            w->ncommitted = i;
        } else if (w->committed[i] != term) {
            flag(w, "committed entry %llu changed: term %llu, then node %d committed term %llu "
                 "there", (unsigned long long)i, (unsigned long long)w->committed[i], node,
                 (unsigned long long)term);
            break;
        }
    }
    raft_log_free(&log);
}

/* State Machine Safety: one block per height. */
static void
see_block(watch_t *w, int node, int64_t height, const uint8_t hash[32])
{
    if (height < 0 || height > MAX_HEIGHT)
        return;
    if (w->have_block[height] && memcmp(w->block[height], hash, 32) != 0)
        flag(w, "node %d committed another block at height %lld", node, (long long)height);
    memcpy(w->block[height], hash, 32);
    w->have_block[height] = true;
}

static void
see(watch_t *w, const ev_t *ev)
{
    uint64_t term = (uint64_t)ev->a;

    if (ev->group != G || ev->node < 0 || ev->node >= N)
        return;
    if ((ev->kind == EV_RAFT_ELECTION || ev->kind == EV_RAFT_VOTE ||
         ev->kind == EV_RAFT_LEADER) && term >= MAX_TERMS) {
        flag(w, "term %llu: more elections than a correct rule needs",
             (unsigned long long)term);
        return;
    }
    if (ev->kind == EV_RAFT_ELECTION)
        see_vote(w, ev->node, term, ev->node);
    else if (ev->kind == EV_RAFT_VOTE && ev->b == 1)
        see_vote(w, ev->node, term, ev->peer);
    else if (ev->kind == EV_RAFT_LEADER)
        see_leader(w, ev->node, term);
    else if (ev->kind == EV_RAFT_COMMIT)
        see_commit_index(w, ev->node, (uint64_t)ev->a);
    else if (ev->kind == EV_BLOCK_COMMITTED)
        see_block(w, ev->node, ev->a, ev->hash);
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
        for (size_t i = 0; i < n; i++)
            see(w, &batch[i]);
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

/* A bit set from "0,1,2". */
static unsigned
node_set(const char *list)
{
    unsigned set = 0;

    for (const char *p = list; *p != '\0'; p++)
        if (*p >= '0' && *p <= '9')
            set |= 1u << (*p - '0');
    return set;
}

/* Queue fault (a sim_script line without its "at T") to happen now. */
static void
fault_now(watch_t *w, const char *fault)
{
    char line[128];

    snprintf(line, sizeof line, "at %llu %s\n", (unsigned long long)sim_now(w->c.sim), fault);
    assert_int_equal(sim_script(w->c.sim, line), BL_OK);
}

static watch_t *
open_cluster(uint64_t seed)
{
    watch_t *w = bl_xcalloc(1, sizeof *w);

    printf("  seed=%llu, %d sealers, every node votes with ex_raft_vote\n",
           (unsigned long long)seed, N);
    raft_vote_rule = ex_raft_vote;
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
    raft_vote_rule = raft_vote_rule_builtin;
    if (failed[0] != '\0')
        fail_msg("%s", failed);
}

/* One phase of a partition test: the fault, and the side that holds a majority (NULL: no
 * side does, nothing may be committed). */
typedef struct {
    const char *fault;
    const char *majority;
} phase_t;

/* §5.2 Election Safety and liveness, 6.5840 TestReElection3A / TestManyElections3A: over slow
 * links (50..200 ms, so that rival candidates often stand in the same term and a voter that
 * forgets its vote shows it) the network is cut into different shapes; whenever a side holds a
 * majority it elects one leader and commits a block within 20 s; with no majority nothing is
 * committed; safety throughout. */
static void
cluster_elects_one_leader_per_term_through_partitions(void **state)
{
    static const phase_t phases[] = {
        { "links delay=50..200", "0,1,2,3,4" }, /* slow: rival candidates overlap */
        { "partition 0,1|2,3,4", "2,3,4" },
        { "partition 0,1,2|3,4", "0,1,2" },
        { "partition 0,4|1,2,3", "1,2,3" },
        { "partition 0|1|2|3|4", NULL },
        { "partition 0,1|2|3,4", NULL },
        { "heal", "0,1,2,3,4" },
        { "partition 1,3,4|0,2", "1,3,4" },
        { "heal", "0,1,2,3,4" },
    };
    watch_t *w = open_cluster(9001);

    (void)state;
    for (size_t p = 0; p < sizeof phases / sizeof phases[0] && w->failed[0] == '\0'; p++) {
        const phase_t *ph = &phases[p];
        int64_t h = top_height(w);

        fault_now(w, ph->fault);
        run(w, 0, 0, 1); /* the fault takes effect */
        if (ph->majority == NULL) {
            cu_submit_users(&w->c, 0, G, 1);
            if (run(w, 0, 0, 4000) && top_height(w) > h)
                flag(w, "after '%s' a block was committed without a majority", ph->fault);
            continue;
        }
        cu_submit_users(&w->c, (unsigned)(ph->majority[0] - '0'), G, 1);
        if (!run(w, node_set(ph->majority), h + 1, 20000))
            flag(w, "after '%s', nodes %s (a majority) did not elect a leader that "
                 "committed height %lld within 20 s", ph->fault, ph->majority,
                 (long long)h + 1);
    }
    close_cluster(w);
}

/* §5.4.1 (the election restriction), Figure 2 Leader Completeness: nodes 3 and 4 are cut off
 * while 0, 1, 2 commit three blocks; then 0 and 1 crash and the network heals. 2, 3, 4 are a
 * majority, but only 2 holds the committed entries: 3 and 4 (with higher terms, from their
 * lonely elections) must not win, 2 must. 0 and 1 come back; everyone agrees on one more. */
static void
cluster_never_elects_a_log_missing_committed_entries(void **state)
{
    watch_t *w = open_cluster(9002);

    (void)state;
    run(w, 0, 0, 200); /* the nodes connect, long before the first election timeout */
    fault_now(w, "partition 0,1,2|3|4");
    for (int64_t h = 1; h <= 3 && w->failed[0] == '\0'; h++) {
        cu_submit_users(&w->c, 0, G, 1);
        if (!run(w, node_set("0,1,2"), h, 10000))
            flag(w, "nodes 0,1,2 (a majority) did not commit height %lld within 10 s",
                 (long long)h);
    }
    run(w, 0, 0, 5000); /* 3 and 4 keep standing alone: their terms climb past the others' */
    if (w->failed[0] == '\0') {
        assert_int_equal(sim_crash(w->c.sim, 0), BL_OK);
        assert_int_equal(sim_crash(w->c.sim, 1), BL_OK);
        fault_now(w, "heal");
        cu_submit_users(&w->c, 2, G, 1);
        if (!run(w, node_set("2,3,4"), 4, 15000))
            flag(w, "after 0 and 1 crashed, nodes 2,3,4 did not commit height 4 within 15 s "
                 "(only node 2 can lead them)");
    }
    if (w->failed[0] == '\0') {
        assert_int_equal(sim_restart(w->c.sim, 0), BL_OK);
        assert_int_equal(sim_restart(w->c.sim, 1), BL_OK);
        cu_submit_users(&w->c, 3, G, 1);
        if (!run(w, node_set("0,1,2,3,4"), 5, 15000))
            flag(w, "with every node back, the cluster did not reach height 5 within 15 s");
    }
    close_cluster(w);
}

int main(void)
{
    static const grade_test_t tests[] = {
        { "refuses_a_candidate_from_an_older_term", refuses_a_candidate_from_an_older_term, 10 },
        { "adopts_a_newer_term_with_its_vote_free", adopts_a_newer_term_with_its_vote_free, 10 },
        { "grants_one_candidate_per_term", grants_one_candidate_per_term, 15 },
        { "grants_only_to_a_log_at_least_as_up_to_date",
          grants_only_to_a_log_at_least_as_up_to_date, 15 },
        { "answers_keep_raft_invariants_on_random_questions",
          answers_keep_raft_invariants_on_random_questions, 10 },
        { "cluster_elects_one_leader_per_term_through_partitions",
          cluster_elects_one_leader_per_term_through_partitions, 15 },
        { "cluster_never_elects_a_log_missing_committed_entries",
          cluster_never_elects_a_log_missing_committed_entries, 25 },
    };

    return grade_run("09-raft-request-vote", tests, sizeof tests / sizeof tests[0]);
}
