/*
 * simutil.h — helpers for tests that run a simulated cluster (net/sim.h).
 *
 * A simulated test is only worth something if its failures can be replayed. So every run made
 * here prints its seed when it starts, and a check that fails (su_assert) prints the seed again
 * and writes the run's trace — seed, digest, every event — to /tmp/bcoslab-sim-<seed>.trace
 * before failing the test. Setting BL_SIM_SEED=N in the environment makes su_seed() return N
 * instead of the test's own seed, to replay a seed a sweep reported.
 *
 * It also holds a toy endpoint for testing the simulator itself: every `period` ms each node
 * pings every other node, counts its pings on its disk, and (if asked) answers a ping with a
 * pong. Whatever the nodes receive, and every timer they see fire, is written into a "world"
 * the test owns, which outlives crashes.
 */
#ifndef BL_TESTS_SIMUTIL_H
#define BL_TESTS_SIMUTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/bytes.h"
#include "base/evlog.h"
#include "net/frame.h"
#include "net/sim.h"

/* One simulated run and its event log. */
typedef struct {
    sim_t *sim;
    evlog_t *log;
} su_run_t;

/* The seed to use: BL_SIM_SEED if set, else the test's own. */
uint64_t su_seed(uint64_t fallback);

/* A simulation of n nodes with a fresh event log (big enough for the unit tests' runs); prints
 * the seed. Fails the test if it cannot be made. */
void su_open(su_run_t *run, uint64_t seed, unsigned n, const endpoint_ops_t *ops, void *arg);
void su_close(su_run_t *run);

/* Fail the test unless ok, after printing the seed and writing the trace. */
void su_check(su_run_t *run, bool ok, const char *what, const char *file, int line);
#define su_assert(run, cond) su_check((run), (cond), #cond, __FILE__, __LINE__)

/* How many events of kind the log holds for node (-1: any node). */
size_t su_count(su_run_t *run, ev_kind_t kind, int node);
/* The same for EV_MSG_DROPPED with this reason (ev_drop_reason_t). */
size_t su_count_drops(su_run_t *run, int reason);

/* ---- the toy endpoint ---- */

#define SU_TOY_MAX 8
#define SU_TOY_GROUP 1
#define SU_TOY_MODULE MODULE_SYNC
enum { SU_PKT_PING = 1, SU_PKT_PONG = 2, SU_PKT_PLAIN = 3 };

typedef struct {
    uint64_t time, sent_at;
    unsigned from, to, type;
    uint32_t seq;
} su_rec_t;

typedef struct {
    uint64_t time;
    unsigned node;
    uint32_t id;
} su_fire_t;

typedef struct {
    unsigned period_ms; /* 0: no pinging */
    bool echo;
    su_rec_t *recs;     /* every message a node received and could read */
    size_t nrecs;
    su_fire_t fires[4096];
    size_t nfires;
    size_t garbage[SU_TOY_MAX];       /* messages that did not decode */
    uint64_t restored[SU_TOY_MAX];    /* the ping count a node read from its disk at start */
    uint64_t written[SU_TOY_MAX];     /* the ping count it last wrote */
    uint64_t first_random[SU_TOY_MAX];
    unsigned creates[SU_TOY_MAX];
    bool refuse[SU_TOY_MAX];         /* set by the test: that node's create fails */
} su_world_t;

extern const endpoint_ops_t su_toy_ops;

/* A world whose nodes ping every period_ms (0: never) and answer pings if echo. */
su_world_t *su_world_new(unsigned period_ms, bool echo);
void su_world_free(su_world_t *w);
/* The id of the toy's ping timer. */
uint32_t su_ping_timer(void);
/* A frame of (group, module, type, seq) whose 8-byte body is sent_at. */
void su_frame(bl_buf_t *out, unsigned group, unsigned module, unsigned type, uint32_t seq,
              uint64_t sent_at);
/* Send a toy frame stamped with the current time from node `from`, as if the node had sent it. */
void su_send_as(sim_t *sim, unsigned from, unsigned to, unsigned type, uint32_t seq);
/* How many messages node `to` received from `from` in [t0, t1) (SIM_ANY: any node). */
size_t su_received(const su_world_t *w, unsigned from, unsigned to, uint64_t t0, uint64_t t1);

#endif
