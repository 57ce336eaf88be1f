/*
 * test_console_api.c — console_run_line as another part of bcoslab calls it (the TUI's `:`
 * prompt): in the same process, over a world it opened, with the answer written to any FILE
 * and the result in the return code. No terminal, no binary.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "console/console.h"
#include "world.h"

typedef struct {
    world_t *w;
    console_t *c;
} fixture_t;

static int
setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    world_opts_t o = world_default_opts();

    o.sim = true;
    o.rate = 0;
    f->w = world_open(&o);
    assert_non_null(f->w);
    f->c = console_new(f->w, 1);
    assert_non_null(f->c);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    fixture_t *f = *state;

    console_free(f->c);
    world_close(f->w);
    free(f);
    return 0;
}

/* Run one line; its output (caller frees) and its return code. */
static char *
line(fixture_t *f, const char *text, int *rc)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);

    assert_non_null(out);
    *rc = console_run_line(f->c, text, out);
    fclose(out);
    return buf;
}

/* A good command answers 0 and prints its answer; a transaction is committed before the
 * command returns (the simulator advanced by the console), so the next query sees it. */
static void
run_line_answers_and_commits_before_returning(void **state)
{
    fixture_t *f = *state;
    int rc;
    char *out = line(f, "userAdd alice 7", &rc);

    assert_int_equal(rc, BL_OK);
    assert_non_null(strstr(out, "\"code\":0"));
    free(out);
    out = line(f, "userBalance alice", &rc);
    assert_int_equal(rc, BL_OK);
    assert_string_equal(out, "7\n");
    free(out);
    out = line(f, "  getBlockNumber  ", &rc);
    assert_string_equal(out, "1\n");
    free(out);
}

/* A bad line returns a negative code and says why on the same FILE; empty lines and
 * comments do nothing. */
static void
run_line_reports_errors_in_its_return_code(void **state)
{
    fixture_t *f = *state;
    int rc;
    char *out = line(f, "getBlockByNumber", &rc);

    assert_true(rc < 0);
    assert_string_equal(out, "Usage: getBlockByNumber blockNumber [true|false]\n");
    free(out);
    out = line(f, "nope", &rc);
    assert_true(rc < 0);
    free(out);
    out = line(f, "   # a comment", &rc);
    assert_int_equal(rc, BL_OK);
    assert_string_equal(out, "");
    free(out);
}

/* quit marks the console done (the caller decides what that means); the prompt names the
 * group, as FISCO's does. Command names are there for completion. */
static void
prompt_done_and_command_names(void **state)
{
    fixture_t *f = *state;
    int rc;
    char *out = line(f, "switch 2", &rc);
    bool found = false;

    free(out);
    assert_string_equal(console_prompt(f->c), "[group:2]> ");
    for (unsigned i = 0; console_command_name(i) != NULL; i++)
        found = found || strcmp(console_command_name(i), "getSealerList") == 0;
    assert_true(found);
    assert_false(console_done(f->c));
    free(line(f, "quit", &rc));
    assert_true(console_done(f->c));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(run_line_answers_and_commits_before_returning, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(run_line_reports_errors_in_its_return_code, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(prompt_done_and_command_names, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
