/*
 * test_lesson_tui.c — `bcoslab lesson 8` in the TUI, driven as a student drives it: inside
 * tmux, keys sent with send-keys, the screen read back with capture-pane (issue 9).
 *
 * Pins down the player's keys, after The Secret Lives of Data: the step's subtitle is shown
 * over the view it chose; `n` (and Enter) go on to the next step; `p` goes back to the previous
 * step's subtitle (the world replayed from its seed); `r` plays the step again; q quits and
 * gives the terminal back. The simulator plays the steps, so every screen is the same on every
 * run; each check polls with a deadline and prints the screen it last saw.
 */
#include "testutil.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmuxutil.h"

/* Lesson 8 in a cols x lines terminal, after a line the quit test looks for. */
static void
start(int cols, int lines)
{
    char cmd[2 * PATH_MAX + 200], dir[PATH_MAX];
    const char *bin = getenv("BL_BIN");
    const char *lessons = getenv("BL_LESSONS") != NULL ? getenv("BL_LESSONS") : "lessons";

    assert_non_null(bin);
    assert_non_null(realpath(lessons, dir));
    snprintf(cmd, sizeof cmd, "printf 'shell before\\n'; %s lesson 8 --dir %s --export-dir "
             "/tmp; echo lesson exited $?; sleep 60", bin, dir);
    tmx_start("bllesson", cols, lines, cmd, "step 1/8");
}

static void
want_all(const char *a, const char *b)
{
    const char *want[] = { a, b, NULL };
    char *s = tmx_wait_for_all(want);

    free(s);
}

static void
lesson_tui_shows_the_subtitle_and_n_goes_on(void **state)
{
    (void)state;
    start(100, 32);
    want_all("Four sealers, one quorum", "n = 4 sealers, PBFT survives f = (n − 1) / 3");
    tmx_wait_for("Enter: next step");
    tmx_keys("n");
    want_all("step 2/8", "The leader packs a block");
    tmx_wait_for("wait height 1: reached at t=");
    tmx_keys("Enter");
    want_all("step 3/8", "Sign what you executed");
    tmx_stop();
}

static void
lesson_tui_p_goes_back_to_the_previous_step(void **state)
{
    char *s;

    (void)state;
    start(100, 32);
    tmx_keys("n");
    want_all("step 2/8", "Enter: next step");
    tmx_keys("n");
    want_all("step 3/8", "wait height 2 node=all: reached at t=1.050 s");
    tmx_keys("p");
    want_all("step 2/8", "The leader packs a block");
    tmx_wait_for("wait height 1: reached at t=0.550 s"); /* the same time as the first time */
    s = tmx_screen();
    assert_null(strstr(s, "Sign what you executed"));
    free(s);
    tmx_keys("r");
    want_all("step 2/8", "wait height 1: reached at t=0.550 s");
    tmx_stop();
}

static void
lesson_tui_q_quits_cleanly(void **state)
{
    char *s;

    (void)state;
    start(80, 24);
    tmx_keys("q");
    tmx_wait_for("lesson exited 0");
    s = tmx_screen();
    assert_non_null(strstr(s, "shell before"));
    assert_null(strstr(s, "step 1/8"));
    free(s);
    tmx_stop();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lesson_tui_shows_the_subtitle_and_n_goes_on),
        cmocka_unit_test(lesson_tui_p_goes_back_to_the_previous_step),
        cmocka_unit_test(lesson_tui_q_quits_cleanly),
    };

    if (system("command -v tmux >/dev/null") != 0) {
        fprintf(stderr, "tmux is missing: run make deps\n");
        return 1;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
