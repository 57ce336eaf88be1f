/*
 * test_kv_crash.c — a batch survives a crash whole or not at all (kv.h promises 1 and 2).
 *
 * The only honest way to test crash safety is to crash. For each persistent backend this test
 * starts a writer process that commits numbered batches to one store as fast as it can: batch i
 * sets 50 keys spread over the key space to values that name i, sets or deletes a key "parity"
 * (present exactly when i is odd), and sets "last" = i. Around each kv_write() the writer tells
 * the test, through a pipe, "starting batch i" and "batch i committed". After a random delay the
 * test kills the writer with SIGKILL — no cleanup, no destructors, the process just stops,
 * possibly in the middle of a write — then opens the store itself and checks:
 *
 *   - every key holds the value of one and the same batch n, the one "last" names, and nothing
 *     else is in the store (no key of batch n+1 without all the others, no key of n−1 left over);
 *   - n >= the last batch the writer reported committed (a committed batch is never lost);
 *   - n <= that + 1 (the batch in flight may or may not have landed; nothing after it can).
 *
 * It does this 25 times per backend on the same store, so each writer also starts by recovering
 * the previous one's crash. The kill delays come from a seed printed at the start; BL_SEED=<n>
 * repeats them (the exact kill points still depend on timing).
 *
 * Why the writer is a fresh program (fork, then exec of this same test binary with
 * --kv-crash-writer) rather than a plain fork: after the test has opened a RocksDB store once,
 * the process has RocksDB's background threads, and a forked child gets a copy of the library's
 * state without those threads. exec starts the writer clean, as a real node process would be.
 */
#include "testutil.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"
#include "storage/kv.h"

#define KEYS_PER_BATCH 50
#define KILLS 25
#define MAX_DELAY_US 4000

static const char *self_name; /* argv[0], for exec */
static uint64_t seed;

/* ---- what a batch contains ---- */

/* Key j of the 50: its first byte spreads the keys over the whole key space (0x00 .. 0xf5).
 * Key 0 starts with a zero byte, so the length is returned rather than found with strlen. */
static bl_span_t
batch_key(int j, char out[16])
{
    int n = snprintf(out, 16, "%ckey-%02d", (char)(j * 5), j);

    return bl_span(out, (size_t)n);
}

static void
batch_value(uint64_t i, int j, bl_buf_t *out)
{
    char text[128];
    int n = snprintf(text, sizeof text, "batch %llu, key %d, padded to look like a table row: "
                     "................................", (unsigned long long)i, j);

    bl_buf_clear(out);
    bl_buf_append(out, text, (size_t)n);
}

static bl_span_t
str(const char *s)
{
    return bl_span(s, strlen(s));
}

static void
make_batch(uint64_t i, kv_batch_t *b)
{
    bl_buf_t v = BL_BUF_INIT;
    uint8_t last[8];
    char key[16];

    for (int j = 0; j < KEYS_PER_BATCH; j++) {
        batch_value(i, j, &v);
        kv_batch_put(b, batch_key(j, key), bl_buf_span(&v));
    }
    if (i % 2 == 1)
        kv_batch_put(b, str("parity"), str("odd"));
    else
        kv_batch_delete(b, str("parity"));
    bl_put_be(last, i, 8);
    kv_batch_put(b, str("last"), bl_span(last, 8));
    bl_buf_free(&v);
}

/* ---- the writer (a separate process) ---- */

/* Messages on the pipe are 8-byte numbers: 2i = "starting batch i", 2i+1 = "batch i committed".
 * Eight bytes are far below PIPE_BUF, so each write(2) arrives whole or not at all. */
static void
report(int fd, uint64_t msg)
{
    if (write(fd, &msg, sizeof msg) != (ssize_t)sizeof msg)
        _exit(3);
}

/* The batch number "last" holds, or 0 for an empty store. */
static int
read_last(kv_t *kv, uint64_t *n)
{
    bl_buf_t v = BL_BUF_INIT;
    int rc = kv_get(kv, str("last"), &v);

    *n = 0;
    if (rc == BL_OK && v.len == 8)
        *n = bl_get_be(v.data, 8);
    else if (rc == BL_OK)
        rc = bl_fail(BL_E_FORMAT, "\"last\" holds %zu bytes, not 8", v.len);
    bl_buf_free(&v);
    return rc == BL_E_NOTFOUND ? BL_OK : rc;
}

/* Open, report the last committed batch (this also says "ready"), then write batches until
 * killed. */
static int
run_writer(const char *backend, const char *path, int fd)
{
    kv_t *kv;
    uint64_t n;

    if (kv_open(backend, path, &kv) != BL_OK || read_last(kv, &n) != BL_OK) {
        fprintf(stderr, "writer: %s\n", bl_errmsg());
        return 2;
    }
    report(fd, 2 * n + 1);
    for (uint64_t i = n + 1;; i++) {
        kv_batch_t b;

        kv_batch_init(&b);
        make_batch(i, &b);
        report(fd, 2 * i);
        if (kv_write(kv, &b) != BL_OK) {
            fprintf(stderr, "writer: batch %llu: %s\n", (unsigned long long)i, bl_errmsg());
            return 2;
        }
        report(fd, 2 * i + 1);
        kv_batch_free(&b);
    }
}

/* ---- the test side ---- */

/* splitmix64, for the kill delays. */
static uint64_t
next_random(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

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
    uint64_t committed; /* the last batch reported committed */
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

/* Start a writer on the store; return its pid once it has opened the store and said which
 * batch is its last committed one. */
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
        execl("/proc/self/exe", self_name, "--kv-crash-writer", backend, path, fdtext,
              (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    *fd = p[0];
    if (!hear(*fd, h))
        fail_msg("the %s writer exited before it was ready (see its message above)", backend);
    return pid;
}

/* The store must be exactly batch n: all 50 keys with n's values, parity as n says, "last" = n,
 * and nothing else (or nothing at all for n = 0). */
static void
assert_exactly_one_batch(kv_t *kv, uint64_t n)
{
    bl_buf_t want = BL_BUF_INIT, got = BL_BUF_INIT;
    char key[16];

    for (int j = 0; j < KEYS_PER_BATCH; j++) {
        int rc = kv_get(kv, batch_key(j, key), &got);

        if (n == 0) {
            assert_int_equal(rc, BL_E_NOTFOUND);
            continue;
        }
        assert_int_equal(rc, BL_OK);
        batch_value(n, j, &want);
        if (!bl_span_eq(bl_buf_span(&got), bl_buf_span(&want)))
            fail_msg("key %d holds \"%.*s\" but \"last\" says batch %llu", j, (int)got.len,
                     (const char *)got.data, (unsigned long long)n);
    }
    assert_int_equal(kv_get(kv, str("parity"), &got), n % 2 ? BL_OK : BL_E_NOTFOUND);
    bl_buf_free(&want);
    bl_buf_free(&got);
}

static int
count_pairs(void *arg, bl_span_t key, bl_span_t value)
{
    (void)key;
    (void)value;
    ++*(size_t *)arg;
    return 0;
}

/* Open the store after a kill and check it; returns n. */
static uint64_t
check_store(const char *backend, const char *path, const heard_t *h)
{
    kv_t *kv;
    uint64_t n;
    size_t count = 0;

    if (kv_open(backend, path, &kv) != BL_OK)
        fail_msg("reopening after the kill failed: %s", bl_errmsg());
    assert_int_equal(read_last(kv, &n), BL_OK);
    assert_exactly_one_batch(kv, n);
    assert_int_equal(kv_scan(kv, str(""), str(""), count_pairs, &count), BL_OK);
    assert_int_equal(count, n == 0 ? 0 : KEYS_PER_BATCH + 1 + n % 2);
    if (n < h->committed)
        fail_msg("batch %llu was reported committed but the store is at batch %llu",
                 (unsigned long long)h->committed, (unsigned long long)n);
    if (n > h->committed + 1 || (n == h->committed + 1 && !h->in_flight))
        fail_msg("the store is at batch %llu, but the writer had committed %llu and %s",
                 (unsigned long long)n, (unsigned long long)h->committed,
                 h->in_flight ? "was writing the next" : "had not started the next");
    kv_close(kv);
    return n;
}

/* Kill statistics for one backend. */
typedef struct {
    int mid_batch_landed;   /* killed during a write that turned out complete */
    int mid_batch_lost;     /* killed during a write that left no trace */
    int between_batches;
    uint64_t batches;       /* committed while the test was waiting to kill */
    double writing_seconds;
} stats_t;

static void
kill_once(const char *backend, const char *path, uint64_t *rng, stats_t *st)
{
    heard_t h;
    int fd, status;
    uint64_t first, n;
    double t0;
    pid_t pid = start_writer(backend, path, &fd, &h);

    first = h.committed;
    t0 = now_seconds();
    sleep_us(next_random(rng) % MAX_DELAY_US);
    assert_int_equal(kill(pid, SIGKILL), 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    st->writing_seconds += now_seconds() - t0;
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
        fail_msg("the %s writer ended by itself (status %d) before the kill", backend, status);
    while (hear(fd, &h))
        ;
    close(fd);
    n = check_store(backend, path, &h);
    st->batches += n - first;
    if (!h.in_flight)
        st->between_batches++;
    else if (n == h.committed + 1)
        st->mid_batch_landed++;
    else
        st->mid_batch_lost++;
}

static void
sigkill_test(const char *backend, const char *file)
{
    char path[512];
    uint64_t rng = seed ^ (uint64_t)backend[0]; /* different delays per backend */
    stats_t st = { 0 };

    snprintf(path, sizeof path, "%s/%s", tu_dir, file);
    for (int k = 0; k < KILLS; k++)
        kill_once(backend, path, &rng, &st);
    print_message("    %s: %d kills: %d mid-batch (%d landed whole, %d left no trace), %d between "
                  "batches; %llu synced batches of %d ops in %.2f s of writing = %.0f "
                  "batches/s\n", backend, KILLS, st.mid_batch_landed + st.mid_batch_lost,
                  st.mid_batch_landed, st.mid_batch_lost, st.between_batches,
                  (unsigned long long)st.batches, KEYS_PER_BATCH + 2, st.writing_seconds,
                  (double)st.batches / st.writing_seconds);
}

/* RocksDB: a WriteBatch is one WAL record; a torn record is dropped on recovery. */
static void
kv_batch_is_all_or_nothing_after_sigkill_rocksdb(void **state)
{
    (void)state;
    sigkill_test("rocksdb", "crash-rocksdb");
}

/* SQLite: a batch is one transaction; WAL frames after the last commit mark are ignored. */
static void
kv_batch_is_all_or_nothing_after_sigkill_sqlite(void **state)
{
    (void)state;
    sigkill_test("sqlite", "crash.db");
}

int
main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kv_batch_is_all_or_nothing_after_sigkill_rocksdb),
        cmocka_unit_test(kv_batch_is_all_or_nothing_after_sigkill_sqlite),
    };
    const char *given = getenv("BL_SEED");

    if (argc == 5 && strcmp(argv[1], "--kv-crash-writer") == 0)
        return run_writer(argv[2], argv[3], atoi(argv[4]));
    self_name = argv[0];
    seed = given != NULL ? strtoull(given, NULL, 10) : (uint64_t)time(NULL);
    print_message("kv_crash: seed %llu (BL_SEED=%llu repeats the kill delays)\n",
                  (unsigned long long)seed, (unsigned long long)seed);
    return cmocka_run_group_tests_name("kv_crash", tests, tu_setup_dir, tu_teardown_dir);
}
