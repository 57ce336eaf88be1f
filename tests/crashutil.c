/*
 * crashutil.c — see crashutil.h.
 */
#include "crashutil.h"

#include "testutil.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/rng.h"

static const char *self_name; /* argv[0], for exec */
static uint64_t seed;

void
tu_crash_init(int argc, char **argv, const char *name, tu_crash_writer_fn writer)
{
    const char *given = getenv("BL_SEED");

    if (argc == 5 && strcmp(argv[1], "--crash-writer") == 0)
        exit(writer(argv[2], argv[3], atoi(argv[4])));
    self_name = argv[0];
    seed = given != NULL ? strtoull(given, NULL, 10) : (uint64_t)time(NULL);
    print_message("%s: seed %llu (BL_SEED=%llu repeats the kill delays)\n", name,
                  (unsigned long long)seed, (unsigned long long)seed);
}

/* ---- the writer's side of the pipe ---- */

/* Messages on the pipe are 8-byte numbers: 2i = "starting unit i", 2i+1 = "unit i committed".
 * Eight bytes are far below PIPE_BUF, so each write(2) arrives whole or not at all. */
static void
report(int fd, uint64_t msg)
{
    if (write(fd, &msg, sizeof msg) != (ssize_t)sizeof msg)
        _exit(3);
}

void
tu_crash_starting(int fd, uint64_t unit)
{
    report(fd, 2 * unit);
}

void
tu_crash_committed(int fd, uint64_t unit)
{
    report(fd, 2 * unit + 1);
}

/* ---- the test's side ---- */

static double
now_seconds(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void
sleep_us(uint64_t us)
{
    struct timespec t = { (time_t)(us / 1000000), (long)(us % 1000000) * 1000 };

    while (nanosleep(&t, &t) != 0 && errno == EINTR)
        ;
}

/* What the test learned from one writer's messages. */
typedef struct {
    uint64_t committed; /* the last unit reported committed */
    bool in_flight;     /* the last message was "starting committed+1" */
} heard_t;

/* Read one message; false at end of file (the writer is gone). */
static bool
hear(int fd, heard_t *h)
{
    uint64_t msg;
    ssize_t got = read(fd, &msg, sizeof msg);

    if (got == 0)
        return false;
    if (got != (ssize_t)sizeof msg)
        fail_msg("short read from the writer's pipe (%zd bytes)", got);
    h->committed = msg % 2 ? msg / 2 : msg / 2 - 1;
    h->in_flight = msg % 2 == 0;
    return true;
}

/* Start a writer on the store; return its pid once it has opened the store and said which unit
 * is its last committed one. */
static pid_t
start_writer(const char *backend, const char *path, int *fd, heard_t *h)
{
    int p[2];
    pid_t pid;
    char fdtext[16];

    assert_int_equal(pipe(p), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        snprintf(fdtext, sizeof fdtext, "%d", p[1]);
        execl("/proc/self/exe", self_name, "--crash-writer", backend, path, fdtext,
              (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    *fd = p[0];
    if (!hear(*fd, h))
        fail_msg("the %s writer exited before it was ready (see its message above)", backend);
    return pid;
}

/* The store is at unit n after a kill: it must have every unit reported committed, and nothing
 * after the one in flight. */
static void
assert_n_fits_what_was_heard(const tu_crash_test_t *c, uint64_t n, const heard_t *h)
{
    if (n < h->committed)
        fail_msg("%s %llu was reported committed but the store is at %s %llu", c->unit,
                 (unsigned long long)h->committed, c->unit, (unsigned long long)n);
    if (n > h->committed + 1 || (n == h->committed + 1 && !h->in_flight))
        fail_msg("the store is at %s %llu, but the writer had committed %llu and %s", c->unit,
                 (unsigned long long)n, (unsigned long long)h->committed,
                 h->in_flight ? "was committing the next" : "had not started the next");
}

static void
kill_once(const tu_crash_test_t *c, const char *path, bl_rng_t *rng, tu_crash_stats_t *st)
{
    heard_t h;
    int fd, status;
    uint64_t first, n;
    double t0;
    pid_t pid = start_writer(c->backend, path, &fd, &h);

    first = h.committed;
    t0 = now_seconds();
    sleep_us(bl_rng_below(rng, c->max_delay_us));
    assert_int_equal(kill(pid, SIGKILL), 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    st->writing_seconds += now_seconds() - t0;
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
        fail_msg("the %s writer ended by itself (status %d) before the kill", c->backend,
                 status);
    while (hear(fd, &h))
        ;
    close(fd);
    n = c->check(c->backend, path);
    assert_n_fits_what_was_heard(c, n, &h);
    st->committed += n - first;
    if (!h.in_flight)
        st->outside_commit++;
    else if (n == h.committed + 1)
        st->mid_commit_landed++;
    else
        st->mid_commit_lost++;
}

tu_crash_stats_t
tu_crash_run(const tu_crash_test_t *c)
{
    char path[512];
    bl_rng_t rng;
    tu_crash_stats_t st = { 0 };

    bl_rng_seed(&rng, seed ^ (uint64_t)c->backend[0]); /* different delays per backend */
    snprintf(path, sizeof path, "%s/%s", tu_dir, c->file);
    for (int k = 0; k < c->kills; k++)
        kill_once(c, path, &rng, &st);
    print_message("    %s: %d kills: %d while committing a %s (%d landed whole, %d left no "
                  "trace), %d between commits; %llu %s committed in %.2f s of writing = %.0f "
                  "%s/s\n", c->backend, c->kills, st.mid_commit_landed + st.mid_commit_lost,
                  c->unit, st.mid_commit_landed, st.mid_commit_lost, st.outside_commit,
                  (unsigned long long)st.committed, c->units, st.writing_seconds,
                  (double)st.committed / st.writing_seconds, c->units);
    return st;
}
