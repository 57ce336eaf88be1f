/*
 * test_grade_selfcheck.c — the graders grade: each one fails the untouched stub and passes the
 * reference solution.
 *
 * A grader that passes a stub checks nothing, and one that fails the reference is wrong about
 * the exercise; either would mislead every student who runs `make grade`. So for every exercise
 * folder (exercises/NN-slug/grader.c) this program runs the two graders the Makefile builds
 * (BL_GRADE_DIR/NN-slug/student, with the stub as committed, and .../reference, with
 * tests/grading/NN-slug.c) and checks their score cards. The quiz has no code: its reference is
 * an answers file, tests/grading/NN-slug.txt, given to the same grader through BL_EX_DIR.
 *
 * Graders run in a scratch folder, where a failing cluster test leaves its trace.
 */
#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define MAX_EXERCISES 64
/* A grader that has not finished in this long hangs, whatever the stub does. */
#define GRADER_TIMEOUT_S 600

static char *names[MAX_EXERCISES];
static size_t nnames;

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every exercises/NN-slug folder with a grader.c, sorted. */
static void find_exercises(void)
{
    DIR *d = opendir("exercises");
    struct dirent *e;
    char path[512];

    if (!d)
        return;
    while ((e = readdir(d)) && nnames < MAX_EXERCISES) {
        snprintf(path, sizeof path, "exercises/%s/grader.c", e->d_name);
        if (e->d_name[0] != '.' && file_exists(path))
            names[nnames++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, nnames, sizeof names[0], by_name);
}

typedef struct {
    int status;      /* exit status, -1 if it did not exit */
    unsigned earned, total;
    bool scored;     /* a "score E/T" line was printed */
    char *output;    /* stdout and stderr */
} grade_result_t;

/* Run one grader binary in a scratch folder; ex_dir (may be NULL) becomes BL_EX_DIR. */
static grade_result_t run_grader(const char *bin, const char *ex_dir)
{
    grade_result_t r = { .status = -1 };
    char *dir = tu_tempdir();
    char cmd[2048], outpath[600];
    char *line;

    snprintf(outpath, sizeof outpath, "%s/out.txt", dir);
    snprintf(cmd, sizeof cmd, "cd '%s' && %s%s%s timeout %d '%s' >out.txt 2>&1", dir,
             ex_dir ? "BL_EX_DIR='" : "", ex_dir ? ex_dir : "", ex_dir ? "'" : "",
             GRADER_TIMEOUT_S, bin);
    int rc = system(cmd);
    r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    r.output = tu_read_file(outpath, NULL);
    for (line = r.output; (line = strstr(line, "score ")) != NULL; line++)
        if ((line == r.output || line[-1] == '\n') &&
            sscanf(line, "score %u/%u", &r.earned, &r.total) == 2)
            r.scored = true;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fail_msg("cannot remove %s", dir);
    free(dir);
    return r;
}

static void print_failure(const char *what, const char *name, const grade_result_t *r)
{
    print_error("%s %s: exit %d, score %u/%u; its output:\n%s\n", name, what, r->status,
                r->earned, r->total, r->output);
}

/* The course asks for at least ten coding exercises and the quiz (issue 9). */
static void there_are_ten_coding_exercises_and_the_quiz(void **state)
{
    size_t coding = 0;
    bool quiz = false;

    (void)state;
    for (size_t i = 0; i < nnames; i++) {
        if (strncmp(names[i], "00-", 3) == 0)
            quiz = true;
        else
            coding++;
    }
    if (coding < 10 || !quiz)
        fail_msg("%zu coding exercises and %s quiz (want >= 10 and a quiz)", coding,
                 quiz ? "a" : "no");
}

/* The untouched stub must fail: exit 1 with a score card below full marks. A C stub must also
 * say which function is still to write. */
static void grader_fails_the_untouched_stub(void **state)
{
    const char *name = *state;
    const char *grade_dir = getenv("BL_GRADE_DIR");
    char bin[1024], src[600];

    assert_non_null(grade_dir);
    snprintf(bin, sizeof bin, "%s/%s/student", grade_dir, name);
    grade_result_t r = run_grader(bin, NULL);
    bool ok = r.status == 1 && r.scored && r.total > 0 && r.earned < r.total;
    snprintf(src, sizeof src, "tests/grading/%s.c", name);
    if (ok && file_exists(src) && !strstr(r.output, "not implemented"))
        ok = false;
    if (!ok)
        print_failure("grader on the stub", name, &r);
    free(r.output);
    assert_true(ok);
}

/* The reference solution must earn every point and exit 0. */
static void grader_passes_the_reference(void **state)
{
    const char *name = *state;
    const char *grade_dir = getenv("BL_GRADE_DIR");
    char bin[1024], src[600], answers[600], cmd[1400];
    char *ex_dir = NULL;
    grade_result_t r;

    assert_non_null(grade_dir);
    snprintf(src, sizeof src, "tests/grading/%s.c", name);
    snprintf(answers, sizeof answers, "tests/grading/%s.txt", name);
    if (file_exists(src)) {
        snprintf(bin, sizeof bin, "%s/%s/reference", grade_dir, name);
        r = run_grader(bin, NULL);
    } else {
        /* the quiz: the same grader, run on a folder holding the reference answers */
        if (!file_exists(answers))
            fail_msg("%s has neither %s nor %s", name, src, answers);
        ex_dir = tu_tempdir();
        snprintf(cmd, sizeof cmd, "cp '%s' '%s/answers.txt'", answers, ex_dir);
        assert_int_equal(system(cmd), 0);
        snprintf(bin, sizeof bin, "%s/%s/student", grade_dir, name);
        r = run_grader(bin, ex_dir);
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", ex_dir);
        assert_int_equal(system(cmd), 0);
        free(ex_dir);
    }
    bool ok = r.status == 0 && r.scored && r.total > 0 && r.earned == r.total;
    if (!ok)
        print_failure("grader on the reference", name, &r);
    free(r.output);
    assert_true(ok);
}

int main(void)
{
    struct CMUnitTest tests[1 + 2 * MAX_EXERCISES];
    char labels[2 * MAX_EXERCISES][96];
    size_t n = 0;

    find_exercises();
    tests[n++] = (struct CMUnitTest){ "there_are_ten_coding_exercises_and_the_quiz",
                                      there_are_ten_coding_exercises_and_the_quiz, NULL, NULL,
                                      NULL };
    for (size_t i = 0; i < nnames; i++) {
        snprintf(labels[2 * i], sizeof labels[0], "grader_fails_the_untouched_stub/%s", names[i]);
        snprintf(labels[2 * i + 1], sizeof labels[0], "grader_passes_the_reference/%s", names[i]);
        tests[n++] = (struct CMUnitTest){ labels[2 * i], grader_fails_the_untouched_stub, NULL,
                                          NULL, names[i] };
        tests[n++] = (struct CMUnitTest){ labels[2 * i + 1], grader_passes_the_reference, NULL,
                                          NULL, names[i] };
    }
    int failed = _cmocka_run_group_tests("grade_selfcheck", tests, n, NULL, NULL);
    for (size_t i = 0; i < nnames; i++)
        free(names[i]);
    return failed;
}
