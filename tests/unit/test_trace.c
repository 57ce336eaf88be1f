/*
 * test_trace.c — reading traces back (base/evlog.c ev_parse, base/trace.c).
 *
 * Pins down DESIGN.md §1.5, "a failed test writes its seed and event trace so the TUI can
 * replay it": every event line ev_format writes reads back as the same event (the hash's first
 * 8 bytes, which is all a line keeps); a line that is not exactly in that form is refused, and
 * a bad trace file is refused naming its line; the trace of a real simulated PBFT cluster loads
 * back with every event, its seed and its digest; and the summary folded from the events says
 * what the run did (heights, crashes, views, Raft roles).
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/evlog.h"
#include "base/trace.h"
#include "clusterutil.h"

#define G 1

/* An event with every field set to something unusual for kind k. */
static ev_t
odd_event(int k)
{
    ev_t ev;

    memset(&ev, 0, sizeof ev);
    ev.kind = (ev_kind_t)k;
    ev.time_ms = 1000003ull * (uint64_t)k;
    ev.node = k % 5 - 1;
    ev.peer = k % 3 - 1;
    ev.group = (uint16_t)(k * 7);
    ev.module = (uint16_t)(k * 13);
    ev.a = -(int64_t)k * 1000000007;
    ev.b = (int64_t)k << 33;
    for (int i = 0; i < 8 && k % 2 == 1; i++)
        ev.hash[i] = (uint8_t)(k * 31 + i);
    return ev;
}

static void
assert_same_event(const ev_t *want, const ev_t *got)
{
    assert_int_equal(got->kind, want->kind);
    assert_int_equal(got->time_ms, want->time_ms);
    assert_int_equal(got->node, want->node);
    assert_int_equal(got->peer, want->peer);
    assert_int_equal(got->group, want->group);
    assert_int_equal(got->module, want->module);
    assert_int_equal(got->a, want->a);
    assert_int_equal(got->b, want->b);
    assert_memory_equal(got->hash, want->hash, 32);
}

/* ev_parse is ev_format's inverse for every kind of event, and formatting what it read gives
 * the same line again. */
static void
ev_parse_reads_back_every_kind_ev_format_writes(void **state)
{
    char line[256], again[256];

    (void)state;
    for (int k = 0; k < EV_KIND_COUNT; k++) {
        ev_t ev = odd_event(k), got;

        ev_format(&ev, line, sizeof line);
        if (ev_parse(line, &got) != BL_OK)
            fail_msg("kind %s: '%s' did not parse: %s", ev_kind_name(ev.kind), line,
                     bl_errmsg());
        assert_same_event(&ev, &got);
        ev_format(&got, again, sizeof again);
        assert_string_equal(again, line);
    }
}

/* The extremes of every field survive, and a line keeps only a hash's first 8 bytes. */
static void
ev_parse_keeps_extreme_values_and_the_first_8_hash_bytes(void **state)
{
    ev_t ev, got;
    char line[256];

    (void)state;
    memset(&ev, 0, sizeof ev);
    ev.kind = EV_RAFT_COMMIT;
    ev.time_ms = UINT64_MAX;
    ev.node = INT32_MIN;
    ev.peer = INT32_MAX;
    ev.group = UINT16_MAX;
    ev.module = UINT16_MAX;
    ev.a = INT64_MIN;
    ev.b = INT64_MAX;
    memset(ev.hash, 0xab, 32);
    ev_format(&ev, line, sizeof line);
    assert_int_equal(ev_parse(line, &got), BL_OK);
    memset(ev.hash + 8, 0, 24);
    assert_same_event(&ev, &got);
}

/* Lines that are not exactly what ev_format writes are refused, saying what is wrong. */
static void
ev_parse_refuses_lines_ev_format_would_not_write(void **state)
{
    static const struct {
        const char *line, *why;
    } bad[] = {
        { "", "empty field" },
        { "t=1 node=0 peer=-1 group=0 module=0 NODE_STARTED a=0", "has 7 fields" },
        { "t=1 node=0 peer=-1 group=0 module=0 NODE_STARTED a=0 b=0 hash=00 x=1",
          "more than 9 fields" },
        { "t=1  node=0 peer=-1 group=0 module=0 NODE_STARTED a=0 b=0", "empty field" },
        { "t=1 node=0 peer=-1 group=0 module=0 NODE_STARTED a=0 b=0 ", "empty field" },
        { "time=1 node=0 peer=-1 group=0 module=0 NODE_STARTED a=0 b=0", "expected t=" },
        { "t=-1 node=0 peer=-1 group=0 module=0 NODE_STARTED a=0 b=0", "t= wants" },
        { "t=01 node=0 peer=-1 group=0 module=0 NODE_STARTED a=0 b=0", "not '01'" },
        { "t=1 node=+2 peer=-1 group=0 module=0 NODE_STARTED a=0 b=0", "not '+2'" },
        { "t=1 node=2147483648 peer=-1 group=0 module=0 NODE_STARTED a=0 b=0", "node= wants" },
        { "t=1 node=0 peer=-0 group=0 module=0 NODE_STARTED a=0 b=0", "not '-0'" },
        { "t=1 node=0 peer=-1 group=65536 module=0 NODE_STARTED a=0 b=0", "group= wants" },
        { "t=1 node=0 peer=-1 group=0 module=0 NODE_EXPLODED a=0 b=0", "not an event kind" },
        { "t=1 node=0 peer=-1 group=0 module=0 ? a=0 b=0", "not an event kind" },
        { "t=1 node=0 peer=-1 group=0 module=0 NODE_STARTED a=9223372036854775808 b=0",
          "a= wants" },
        { "t=1 node=0 peer=-1 group=0 module=0 NODE_STARTED a=0 b=1x", "not '1x'" },
        { "t=1 node=0 peer=-1 group=0 module=0 NODE_STARTED a=0 b=0 hash=ABCDEF0123456789",
          "16 lowercase hex digits" },
        { "t=1 node=0 peer=-1 group=0 module=0 NODE_STARTED a=0 b=0 hash=abcd",
          "16 lowercase hex digits" },
        { "t=1 node=0 peer=-1 group=0 module=0 NODE_STARTED a=0 b=0 seq=1", "expected hash=" },
    };
    ev_t ev;

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (ev_parse(bad[i].line, &ev) != BL_E_INVALID)
            fail_msg("'%s' was accepted", bad[i].line);
        if (strstr(bl_errmsg(), bad[i].why) == NULL)
            fail_msg("'%s': the message '%s' does not say '%s'", bad[i].line, bl_errmsg(),
                     bad[i].why);
    }
}

/* Write text to a file in the test's directory; returns its path (static buffer). */
static const char *
write_file(const char *name, const char *text)
{
    static char path[512];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", tu_dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

#define HEAD "seed=7 nodes=2 now=500\ndigest=" \
             "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n"
#define EV1 "1 t=0 node=0 peer=-1 group=0 module=0 NODE_STARTED a=0 b=0\n"
#define EV2 "2 t=10 node=1 peer=-1 group=1 module=8 BLOCK_COMMITTED a=1 b=3 hash=0102030405060708\n"

/* A small trace reads back whole: header, the lost-events comment, every event with its seq. */
static void
trace_load_reads_header_comment_and_events(void **state)
{
    trace_t t;

    (void)state;
    assert_int_equal(trace_load(write_file("ok.trace", HEAD
                                "# 4 older events were no longer in the log\n" EV1 EV2), &t),
                     BL_OK);
    assert_int_equal(t.seed, 7);
    assert_int_equal(t.nodes, 2);
    assert_int_equal(t.now, 500);
    assert_int_equal(t.digest[1], 0x11);
    assert_int_equal(t.missed, 4);
    assert_int_equal(t.nevents, 2);
    assert_int_equal(t.events[1].seq, 2);
    assert_int_equal(t.events[1].kind, EV_BLOCK_COMMITTED);
    assert_int_equal(t.events[1].hash[7], 8);
    assert_int_equal(t.ngroups, 1);
    assert_int_equal(t.groups[0], 1);
    trace_free(&t);
}

/* A bad trace is refused, naming the file's line and what is wrong with it. */
static void
trace_load_refuses_a_bad_file_naming_the_line(void **state)
{
    static const struct {
        const char *text, *why;
    } bad[] = {
        { "", "is empty" },
        { "hello world\n", "line 1: not a trace" },
        { "seed=7 nodes=2 now=500\n", "line 2: the digest= line is missing" },
        { "seed=7 nodes=0 now=500\ndigest=00\n", "line 1: nodes=0" },
        { "seed=7 nodes=2 now=500\ndigest=0011\n", "line 2: expected digest=" },
        { HEAD EV1 "2 t=10 node=1 peer=-1 group=1 module=8 BLOCK_COMMITTED a=1\n",
          "line 4: event line has 7 fields" },
        { HEAD EV1 EV1, "line 4: event 1 comes after event 1" },
        { HEAD EV1 "2 t=1 node=2 peer=-1 group=0 module=0 NODE_STARTED a=0 b=0\n",
          "line 4: node=2, but the trace has nodes 0 to 1" },
        { HEAD "t=0 node=0 peer=-1 group=0 module=0 NODE_STARTED a=0 b=0\n",
          "line 3: expected an event" },
        { HEAD "01 t=0 node=0 peer=-1 group=0 module=0 NODE_STARTED a=0 b=0\n",
          "line 3: expected an event" },
    };
    trace_t t;

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *path = write_file("bad.trace", bad[i].text);

        if (trace_load(path, &t) != BL_E_INVALID)
            fail_msg("case %zu was accepted", i);
        if (strstr(bl_errmsg(), bad[i].why) == NULL || strstr(bl_errmsg(), path) == NULL)
            fail_msg("case %zu: the message '%s' does not say '%s'", i, bl_errmsg(),
                     bad[i].why);
        assert_null(t.events);
    }
    assert_int_equal(trace_load("/nonexistent/x.trace", &t), BL_E_IO);
    assert_non_null(strstr(bl_errmsg(), "/nonexistent/x.trace"));
}

/* The summary folds what the events say: starts and crashes, heights, PBFT views and phases,
 * Raft terms and roles, messages; and it can go back. */
static void
trace_summary_follows_the_events(void **state)
{
    static const char text[] = HEAD
        "1 t=0 node=0 peer=-1 group=0 module=0 NODE_STARTED a=0 b=0\n"
        "2 t=0 node=1 peer=-1 group=0 module=0 NODE_STARTED a=0 b=0\n"
        "3 t=5 node=0 peer=1 group=1 module=8 MSG_SENT a=0 b=100\n"
        "4 t=6 node=0 peer=1 group=1 module=8 MSG_DROPPED a=0 b=100 hash=0100000000000000\n"
        "5 t=9 node=1 peer=-1 group=1 module=8 PBFT_VIEW_CHANGE a=1 b=1\n"
        "6 t=10 node=1 peer=-1 group=1 module=8 PBFT_VIEW_SWITCHED a=1 b=1\n"
        "7 t=11 node=1 peer=-1 group=1 module=8 PBFT_PHASE a=1 b=3\n"
        "8 t=12 node=1 peer=-1 group=1 module=8 BLOCK_COMMITTED a=1 b=3 hash=0102030405060708\n"
        "9 t=20 node=0 peer=-1 group=2 module=9 RAFT_ELECTION a=4 b=0\n"
        "10 t=21 node=0 peer=-1 group=2 module=9 RAFT_LEADER a=4 b=0\n"
        "11 t=30 node=1 peer=-1 group=0 module=0 NODE_CRASHED a=0 b=0\n";
    trace_summary_t s;
    trace_t t;

    (void)state;
    assert_int_equal(trace_load(write_file("s.trace", text), &t), BL_OK);
    assert_int_equal(t.ngroups, 2);
    trace_summary_init(&s, &t);
    trace_summary_to(&s, &t, 7);
    assert_int_equal(s.nodes[1].groups[0].pbft_view, 1);
    assert_int_equal(s.nodes[1].groups[0].pbft_phase, 3);
    assert_int_equal(s.nodes[1].groups[0].height, 0);
    trace_summary_to(&s, &t, t.nevents);
    assert_int_equal(s.time_ms, 30);
    assert_int_equal(s.nodes[0].status, TRACE_NODE_UP);
    assert_int_equal(s.nodes[0].sent, 1);
    assert_int_equal(s.nodes[0].dropped, 1);
    assert_int_equal(s.nodes[1].status, TRACE_NODE_DOWN);
    assert_int_equal(s.nodes[1].crashes, 1);
    assert_int_equal(s.nodes[1].groups[0].height, 1);
    assert_int_equal(s.nodes[0].groups[1].raft_role, TRACE_RAFT_LEADER);
    assert_int_equal(s.nodes[0].groups[1].raft_term, 4);
    assert_false(s.nodes[1].groups[1].seen);
    assert_int_equal(s.kinds[EV_NODE_STARTED], 2);
    trace_summary_to(&s, &t, 5); /* back: as if the later events had not happened */
    assert_int_equal(s.nodes[1].status, TRACE_NODE_UP);
    assert_int_equal(s.nodes[1].groups[0].pbft_phase, 4); /* asking for a view change */
    assert_int_equal(s.nodes[0].groups[1].raft_role, TRACE_RAFT_NONE);
    assert_int_equal(s.kinds[EV_NODE_CRASHED], 0);
    trace_summary_free(&s);
    trace_free(&t);
}

/* The trace a real run writes — 4 PBFT sealers; the first leader, sealer 0, is down, so the
 * others change view and go on without it (fisco-2x-facts §2.5); it restarts and catches up —
 * loads back with every event of the run, its seed and its digest, and the summary agrees with
 * the nodes. */
static void
trace_of_a_pbft_cluster_run_loads_back_whole(void **state)
{
    cu_cluster_t c;
    trace_summary_t s;
    trace_t t;
    char path[512];
    uint8_t digest[32];

    (void)state;
    cu_open(&c, 11, 4);
    cu_group_with(&c, G, "0,1,2,3", "0,1,2,3", "pbft");
    cu_start(&c);
    assert_int_equal(sim_crash(c.sim, 0), BL_OK);
    cu_submit_users(&c, 1, G, 3);
    cu_run_until_height(&c, G, "1,2,3", 1, 60000);
    assert_int_equal(sim_restart(c.sim, 0), BL_OK);
    cu_submit_users(&c, 1, G, 3);
    cu_run_until_height(&c, G, "0,1,2,3", 2, 60000);
    snprintf(path, sizeof path, "%s/cluster.trace", tu_dir);
    assert_int_equal(sim_write_trace(c.sim, path), BL_OK);
    if (trace_load(path, &t) != BL_OK)
        fail_msg("%s", bl_errmsg());
    assert_int_equal(t.seed, 11);
    assert_int_equal(t.nodes, 4);
    assert_int_equal(t.missed, 0);
    assert_int_equal(t.nevents, evlog_last(c.log));
    assert_int_equal(t.events[t.nevents - 1].seq, evlog_last(c.log));
    sim_digest(c.sim, digest);
    assert_memory_equal(t.digest, digest, 32);
    trace_summary_init(&s, &t);
    trace_summary_to(&s, &t, t.nevents);
    assert_int_equal(s.kinds[EV_BLOCK_COMMITTED], cu_count_events(&c, EV_BLOCK_COMMITTED, -1));
    assert_int_equal(s.nodes[0].status, TRACE_NODE_UP);
    assert_int_equal(s.nodes[0].crashes, 1);
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(s.nodes[i].groups[0].height, cu_height(&c, i, G));
    assert_true(s.kinds[EV_PBFT_VIEW_SWITCHED] > 0);
    trace_summary_free(&s);
    trace_free(&t);
    cu_close(&c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ev_parse_reads_back_every_kind_ev_format_writes),
        cmocka_unit_test(ev_parse_keeps_extreme_values_and_the_first_8_hash_bytes),
        cmocka_unit_test(ev_parse_refuses_lines_ev_format_would_not_write),
        cmocka_unit_test(trace_load_reads_header_comment_and_events),
        cmocka_unit_test(trace_load_refuses_a_bad_file_naming_the_line),
        cmocka_unit_test(trace_summary_follows_the_events),
        cmocka_unit_test(trace_of_a_pbft_cluster_run_loads_back_whole),
    };

    return cmocka_run_group_tests_name("trace", tests, tu_setup_dir, tu_teardown_dir);
}
