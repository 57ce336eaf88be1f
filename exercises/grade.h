/*
 * grade.h — the grading harness every exercise's grader uses.
 *
 * A grader is a cmocka program (exercises/NN-slug/grader.c) whose tests ARE the exercise's
 * specification: each test checks one rule the student's function must follow, first on known
 * answers, then with the function plugged into a running simulated cluster. Each test is worth
 * some points; grade_run runs the tests one by one (a failing test does not stop the others) and
 * prints a score card:
 *
 *     exercise 07-pbft-quorum
 *       [ 10/10 ] quorum_is_n_minus_f
 *       [  0/20 ] cluster_commits_with_f_sealers_down
 *       score 10/30
 *
 * `make grade` builds every grader with the student's file and adds up the "score" lines;
 * `make grade EX=07` grades one exercise. A test that runs a cluster prints the simulator's seed
 * and, when it fails, writes the run's trace (tests/clusterutil.h) to the current folder:
 * `./bcoslab replay FILE` opens it.
 */
#ifndef BL_EXERCISES_GRADE_H
#define BL_EXERCISES_GRADE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

typedef struct {
    const char *name;        /* the rule the test checks, as the score card shows it */
    CMUnitTestFunction test;
    unsigned points;
} grade_test_t;

/* Run every test, print the score card; returns 0 when every test passed, 1 otherwise. */
int grade_run(const char *exercise, const grade_test_t *tests, size_t ntests);

/* The exercise's own folder (where its README and data files are): the BL_EX_DIR environment
 * variable if set, else the folder the grader was built from. */
const char *grade_dir(void);

/* What an untouched stub calls: prints "<function>: not implemented" the first time each
 * function calls it, so a student sees at once which function is still to write. */
void ex_todo(const char *function);

#endif
