/*
 * test_lesson.c — `bcoslab lesson`: the course's lessons, played as text (issue 9).
 *
 * Pins down: every lessons/NN-slug/steps found at run time plays to its end with --text (so a
 * lesson added later is tested without touching this file; BL_LESSONS or the repo's lessons/
 * directory); `lesson list` shows number, slug, title and steps; a bad script is refused
 * before anything runs, with "file:line: what is wrong" and exit 2 (lessons/FORMAT.md);
 * a failed check or wait exits 1, names its line, prints the seed and writes the simulator's
 * trace (DESIGN §1.5: "a failed test writes its seed and event trace"); `do try` lets a lesson
 * show a refusal; and going back a step replays exactly the same events (the simulator is
 * deterministic, so "replay the previous step" of The Secret Lives of Data is exact).
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lesson/lesson.h"

static char lessons[4096];

static int
setup(void **state)
{
    const char *dir = getenv("BL_LESSONS") != NULL ? getenv("BL_LESSONS") : "lessons";

    if (realpath(dir, lessons) == NULL) {
        fprintf(stderr, "no lessons directory %s (run the tests from the repository root)\n",
                dir);
        return -1;
    }
    return tu_setup_dir(state);
}

/* A script written to tu_dir/NAME; returns its path (static). */
static const char *
script(const char *name, const char *text)
{
    static char path[2048];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", tu_dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* Every lesson on disk plays to its end: exit 0, "lesson complete", every step shown. */
static void
every_lesson_plays_to_its_end_in_text_mode(void **state)
{
    lesson_entry_t *e;
    size_t n;

    (void)state;
    assert_int_equal(lesson_find_all(lessons, &e, &n), 0);
    assert_true(n >= 2); /* 01-blockchain and 08-pbft at least */
    for (size_t i = 0; i < n; i++) {
        char *out, *err, last[64];
        lesson_t l;
        int rc = tu_run(&out, &err, "lesson %u --text --no-pause --dir %s --export-dir %s",
                        e[i].number, lessons, tu_dir);

        if (rc != 0 || strstr(out, "lesson complete") == NULL)
            fail_msg("lesson %u (%s) exited %d:\n%s\n%s", e[i].number, e[i].steps, rc, out,
                     err);
        assert_int_equal(lesson_load(e[i].steps, &l), 0);
        snprintf(last, sizeof last, "── step %zu/%zu:", l.nsteps, l.nsteps);
        assert_non_null(strstr(out, last));
        assert_null(strstr(out, "✗"));
        lesson_free(&l);
        free(out);
        free(err);
    }
    lesson_entries_free(e, n);
}

static void
lesson_list_shows_number_slug_title_and_steps(void **state)
{
    char *out = tu_run_ok("lesson list --dir %s", lessons);

    (void)state;
    assert_non_null(strstr(out, " 1  blockchain"));
    assert_non_null(strstr(out, " 8  pbft"));
    assert_non_null(strstr(out, "PBFT: how four agencies agree"));
    assert_non_null(strstr(out, " steps"));
    free(out);
}

/* lessons/FORMAT.md: the whole script is checked first, errors name file:line. */
static void
bad_scripts_are_refused_with_file_and_line(void **state)
{
    static const struct {
        const char *text;
        const char *why;
    } cases[] = {
        { "title T\nworld\nstep S\nfly away\n", "bad1:4: unknown directive 'fly'" },
        { "title T\nworld nodes=4\nstep S\ndo crash E\n", "bad2:4: no node 'E'" },
        { "title T\nstep S\ndo crash A\n", "bad3:3: do crash needs a world" },
        { "title T\nworld\nstep S\nwait height x\n", "bad4:4: " },
        { "title T\nworld\nstep S\npause\nsay late\n", "bad5:5: 'say' after pause" },
        { "world\nstep S\n", "bad6:2: the script must begin with a title" },
        { "title T\nworld\nstep S\ndo byzantine A lying\n", "bad7:4: no Byzantine mode 'lying'" },
        { "title T\nworld groups=1\nstep S\ncheck height>=1 group=2\n", "bad8:4: group 2" },
        { "title T\nworld\nstep S\ndo run demo\n", "bad9:4: do run cannot run 'demo'" },
        { "title T\nworld seed=x\nstep S\n", "bad10:2: seed=" },
        { "title T\nworld\n", "bad11:2: the script has no step" },
        { "title T\nworld\nstep S\ncheck height=>2\n", "bad12:4: " },
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char name[16];
        const char *path;

        snprintf(name, sizeof name, "bad%zu", i + 1);
        path = script(name, cases[i].text);
        tu_run_bad(cases[i].why, "lesson check %s", path);
        tu_run_bad(cases[i].why, "lesson %s --text --no-pause", path);
    }
}

static void
unknown_lessons_and_options_exit_2(void **state)
{
    (void)state;
    tu_run_bad("no lesson 42", "lesson 42 --text --dir %s", lessons);
    tu_run_bad("neither a number 1..99 nor a steps file", "lesson seven --text --dir %s",
               lessons);
    tu_run_bad("cannot open the lessons directory", "lesson list --dir %s/nowhere", tu_dir);
    tu_run_bad("unknown or incomplete option", "lesson 1 --fast --dir %s", lessons);
    tu_run_bad("which lesson", "lesson --text");
    tu_run_bad("cannot make the export folder", "lesson 1 --text --dir %s --export-dir %s/no/such",
               lessons, tu_dir);
}

/* A lesson's `do export` writes under --export-dir, which is made if it is missing (a student
 * names a new folder for the pictures; the lesson must not fail halfway for that). */
static void
export_folder_is_made_when_missing(void **state)
{
    char path[1200];

    (void)state;
    free(tu_run_ok("lesson 1 --text --no-pause --dir %s --export-dir %s/pictures", lessons,
                   tu_dir));
    snprintf(path, sizeof path, "%s/pictures/lesson-01-chain.dot", tu_dir);
    free(tu_read_file(path, NULL));
}

/* A check that does not hold: exit 1, its line, the seed, and a trace to replay. */
static void
failing_check_exits_1_with_seed_and_trace(void **state)
{
    const char *path = script("fail", "title Fails\nworld seed=7 groups=1 consensus=pbft\n"
                              "step One\ndo send 5\nwait height 1\ncheck height>=5\n");
    char *out, *err, trace[2048];
    struct stat st;
    int rc = tu_run(&out, &err, "lesson %s --text --no-pause --export-dir %s", path, tu_dir);

    (void)state;
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "✗"));
    assert_non_null(strstr(out, "seed 7"));
    assert_non_null(strstr(err, "fail:6: check height>=5"));
    assert_non_null(strstr(err, "does not hold (height 1)"));
    snprintf(trace, sizeof trace, "%s/bcoslab-lesson-00-trace.txt", tu_dir);
    assert_int_equal(stat(trace, &st), 0);
    assert_true(st.st_size > 0);
    free(out);
    free(err);
}

/* A wait that is never reached fails at its deadline (virtual time: the test never sleeps). */
static void
wait_that_never_holds_fails_at_its_deadline(void **state)
{
    const char *path = script("stall", "title Stall\nworld groups=1 consensus=pbft\n"
                              "step Two down\ndo crash C\ndo crash D\ndo send 5\n"
                              "wait height 1 within=5000\n");
    char *out, *err;
    int rc = tu_run(&out, &err, "lesson %s --text --no-pause --export-dir %s", path, tu_dir);

    (void)state;
    assert_int_equal(rc, 1);
    assert_non_null(strstr(err, "stall:7: wait height 1 within=5000: not reached within "
                            "5000 ms (height 0)"));
    free(out);
    free(err);
}

/* `do try` shows a refusal on purpose; `do run` runs a subcommand in-process. */
static void
try_and_run_show_output_and_refusals(void **state)
{
    const char *path = script("try", "title Try\nworld groups=1 consensus=pbft\nstep S\n"
                              "do try console crash Z\ncheck failed\n"
                              "check output contains no node 'Z'\n"
                              "do run util keccak256 616263\ncheck ok\n"
                              "check output contains 4e03657aea45a94fc7d47ba826c8d667\n"
                              "do console getBlockNumber\ncheck output contains 0\n");
    char *out = tu_run_ok("lesson %s --text --no-pause --export-dir %s", path, tu_dir);

    (void)state;
    assert_non_null(strstr(out, "(refused, as the lesson expects)"));
    assert_non_null(strstr(out, "lesson complete: 1 steps"));
    free(out);
}

/* A console command that fails without `try` fails the lesson. */
static void
failing_console_command_fails_the_lesson(void **state)
{
    const char *path = script("cons", "title Cons\nworld groups=1 consensus=pbft\nstep S\n"
                              "do console crash Z\n");
    char *out, *err;
    int rc = tu_run(&out, &err, "lesson %s --text --no-pause --export-dir %s", path, tu_dir);

    (void)state;
    assert_int_equal(rc, 1);
    assert_non_null(strstr(err, "cons:4: do console crash Z: the console command failed"));
    free(out);
    free(err);
}

/* The player's state after playing up to step k (0-based): time, height, tip hash. */
typedef struct {
    uint64_t now;
    int64_t top;
    uint8_t hash[32];
} mark_t;

static mark_t
mark_of(lesson_player_t *p)
{
    model_t *m = lesson_player_model(p);
    const model_block_t *b;
    mark_t k = { world_now(lesson_player_world(p)), m->g[0].top, { 0 } };

    model_update(m, true);
    b = model_block(m, 0, m->g[0].top);
    assert_non_null(b);
    memcpy(k.hash, b->hash, 32);
    return k;
}

/* The TUI's `p`: reopen from the seed, replay quietly, play the step again — same events. */
static void
going_back_a_step_replays_the_same_events(void **state)
{
    const char *text = "title Replay\nworld seed=3 groups=1 consensus=pbft rate=40\n"
                       "step One\ndo send 10\nwait height 1\n"
                       "step Two\ndo crash B\ndo send 10\nwait height 3\n"
                       "step Three\ndo restart B\nwait height 4 node=all\n";
    lesson_play_opts_t po = { 0 };
    lesson_player_t *p;
    lesson_t l;
    mark_t first, again;

    (void)state;
    assert_int_equal(lesson_parse("replay", text, &l), 0);
    p = lesson_player_new(&l, &po);
    assert_int_equal(lesson_player_run(p, UINT64_MAX), LESSON_PAUSED);
    assert_int_equal(lesson_player_next(p), LESSON_RUNNING);
    assert_int_equal(lesson_player_run(p, 120), LESSON_RUNNING); /* the TUI's small slices */
    while (lesson_player_run(p, 50) == LESSON_RUNNING)
        ;
    first = mark_of(p);
    assert_int_equal(lesson_player_next(p), LESSON_RUNNING); /* into step three */
    assert_int_equal(lesson_player_goto(p, 1), LESSON_RUNNING); /* `p`: back to step two */
    assert_int_equal(lesson_player_step(p), 1);
    assert_int_equal(lesson_player_run(p, UINT64_MAX), LESSON_PAUSED);
    again = mark_of(p);
    assert_int_equal(first.now, again.now);
    assert_int_equal(first.top, again.top);
    assert_memory_equal(first.hash, again.hash, 32);
    lesson_player_free(p);
    lesson_free(&l);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_lesson_plays_to_its_end_in_text_mode),
        cmocka_unit_test(lesson_list_shows_number_slug_title_and_steps),
        cmocka_unit_test(bad_scripts_are_refused_with_file_and_line),
        cmocka_unit_test(unknown_lessons_and_options_exit_2),
        cmocka_unit_test(export_folder_is_made_when_missing),
        cmocka_unit_test(failing_check_exits_1_with_seed_and_trace),
        cmocka_unit_test(wait_that_never_holds_fails_at_its_deadline),
        cmocka_unit_test(try_and_run_show_output_and_refusals),
        cmocka_unit_test(failing_console_command_fails_the_lesson),
        cmocka_unit_test(going_back_a_step_replays_the_same_events),
    };

    return cmocka_run_group_tests(tests, setup, tu_teardown_dir);
}
