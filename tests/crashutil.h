/*
 * crashutil.h — the machinery of the crash tests (test_kv_crash.c, test_store_crash.c).
 *
 * The only honest way to test crash safety is to crash. A crash test has two sides:
 *
 *   - a writer: a separate process that opens a store and commits numbered units of work
 *     (batches, blocks) to it as fast as it can, 1, 2, 3, ..., carrying on from the last unit
 *     the store already holds. Around each commit it tells the test, through a pipe, "starting
 *     unit i" (tu_crash_starting) and "unit i committed" (tu_crash_committed); its first message,
 *     tu_crash_committed(fd, n) for the last unit n the store held when it opened it, also says
 *     "ready".
 *   - the test: tu_crash_run starts the writer, waits a random delay, kills it with SIGKILL —
 *     no cleanup, no destructors, the process just stops, possibly in the middle of a commit —
 *     then hands the store to the test's own check, which reopens it, checks that it holds
 *     exactly the writes of one unit n and returns n. The harness then checks n against what
 *     the writer said: n >= the last unit reported committed (a committed unit is never lost),
 *     and n <= that + 1, where n may be that + 1 only if the writer had said it was starting it
 *     (the unit in flight may or may not have landed; nothing after it can). It does this a
 *     number of times on the same store, so each writer also starts by recovering the previous
 *     one's crash, and prints what it saw.
 *
 * The writer is a fresh program: the test binary forks, then execs itself (/proc/self/exe) with
 * the arguments --crash-writer BACKEND PATH FD, rather than writing in a plain fork. After the
 * test has opened a RocksDB store once, the process has RocksDB's background threads, and a
 * forked child gets a copy of the library's state without those threads; exec starts the writer
 * clean, as a real node process would be. main() calls tu_crash_init first, which notices those
 * arguments and runs the writer instead of the tests.
 *
 * The kill delays come from a seed printed at the start; BL_SEED=<n> repeats them (the exact
 * kill points still depend on timing).
 */
#ifndef BL_TESTS_CRASHUTIL_H
#define BL_TESTS_CRASHUTIL_H

#include <stdint.h>

/* The writer's body: open the store at path on backend, report, commit until killed. It returns
 * (with a message on stderr) only if something fails; the return value is its exit status. */
typedef int (*tu_crash_writer_fn)(const char *backend, const char *path, int fd);

/* First thing in main(). In a writer process (argv = PROG --crash-writer BACKEND PATH FD) this
 * runs writer and exits with its status. In the test it remembers how to start this program
 * again and picks the seed (BL_SEED, or the clock), printing it with the test's name. */
void tu_crash_init(int argc, char **argv, const char *name, tu_crash_writer_fn writer);

/* The writer's two messages. */
void tu_crash_starting(int fd, uint64_t unit);
void tu_crash_committed(int fd, uint64_t unit);

/* What one test's kills found. */
typedef struct {
    int mid_commit_landed;  /* killed while committing, and the unit turned out whole */
    int mid_commit_lost;    /* killed while committing, and the unit left no trace */
    int outside_commit;     /* killed between commits */
    uint64_t committed;     /* units committed while the test was waiting to kill */
    double writing_seconds; /* time the writers had, from "ready" to the kill */
} tu_crash_stats_t;

/* One crash test: a writer (the one tu_crash_init was given) on one store, killed again and
 * again. */
typedef struct {
    const char *backend;   /* passed to the writer and the check */
    const char *file;      /* the store's name under tu_dir */
    const char *unit;      /* what the writer commits, for messages: "batch", "block" */
    const char *units;     /* the same in the plural: "batches", "blocks" */
    int kills;             /* how many writers to start and kill */
    uint64_t max_delay_us; /* each kill comes 0 to this many microseconds after "ready" */
    /* Reopen the store after a kill, fail the test unless it holds exactly the writes of one
     * unit n, close it and return n (0: not even unit 1 landed). */
    uint64_t (*check)(const char *backend, const char *path);
} tu_crash_test_t;

/* Run the kills of one test; print a line of statistics and return them. */
tu_crash_stats_t tu_crash_run(const tu_crash_test_t *c);

#endif
