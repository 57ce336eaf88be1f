/*
 * simutil.c — running simulated clusters in tests, replayably, and the toy endpoint that tests
 * the simulator itself (simutil.h).
 */
#include "simutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/error.h"
#include "storage/kv.h"

#define SU_LOG_CAPACITY (1u << 16)

uint64_t
su_seed(uint64_t fallback)
{
    const char *s = getenv("BL_SIM_SEED");
    char *end;
    unsigned long long v;

    if (s == NULL || *s == '\0')
        return fallback;
    v = strtoull(s, &end, 10);
    return *end == '\0' ? (uint64_t)v : fallback;
}

void
su_open(su_run_t *run, uint64_t seed, unsigned n, const endpoint_ops_t *ops, void *arg)
{
    run->log = evlog_new(SU_LOG_CAPACITY);
    run->sim = sim_new(seed, n, ops, arg, run->log);
    if (run->sim == NULL) {
        print_error("sim_new: %s\n", bl_errmsg());
        evlog_free(run->log);
        fail();
    }
    print_message("sim seed=%llu nodes=%u (replay: BL_SIM_SEED=%llu)\n",
                  (unsigned long long)seed, n, (unsigned long long)seed);
}

void
su_close(su_run_t *run)
{
    sim_free(run->sim);
    evlog_free(run->log);
    run->sim = NULL;
    run->log = NULL;
}

void
su_check(su_run_t *run, bool ok, const char *what, const char *file, int line)
{
    char path[96];
    unsigned long long seed;

    if (ok)
        return;
    seed = (unsigned long long)sim_seed(run->sim);
    snprintf(path, sizeof path, "/tmp/bcoslab-sim-%llu.trace", seed);
    print_error("%s:%d: %s is false at t=%llu ms, seed=%llu\n", file, line, what,
                (unsigned long long)sim_now(run->sim), seed);
    if (sim_write_trace(run->sim, path) == BL_OK)
        print_error("trace written to %s (replay: BL_SIM_SEED=%llu)\n", path, seed);
    else
        print_error("no trace: %s\n", bl_errmsg());
    _fail(file, line);
}

static size_t
count_where(su_run_t *run, ev_kind_t kind, int node, int reason)
{
    ev_t evs[512];
    uint64_t after = 0;
    size_t got, n = 0;

    while ((got = evlog_read(run->log, after, evs, 512, NULL)) > 0) {
        for (size_t i = 0; i < got; i++) {
            if (evs[i].kind != kind || (node >= 0 && evs[i].node != node))
                continue;
            if (reason < 0 || evs[i].hash[0] == reason)
                n++;
        }
        after = evs[got - 1].seq;
    }
    return n;
}

size_t
su_count(su_run_t *run, ev_kind_t kind, int node)
{
    return count_where(run, kind, node, -1);
}

size_t
su_count_drops(su_run_t *run, int reason)
{
    return count_where(run, EV_MSG_DROPPED, -1, reason);
}

/* ---- the toy endpoint ---- */

typedef struct {
    env_t *env;
    su_world_t *w;
    uint32_t next_seq;
    uint64_t pings;
} toy_node_t;

uint32_t
su_ping_timer(void)
{
    return env_timer_id(SU_TOY_GROUP, SU_TOY_MODULE, 1);
}

/* A frame of (group, module, type, seq) whose body is the time it was sent. */
void
su_frame(bl_buf_t *out, unsigned group, unsigned module, unsigned type, uint32_t seq,
         uint64_t sent_at)
{
    uint8_t body[8];
    frame_t f;

    bl_put_be(body, sent_at, 8);
    memset(&f, 0, sizeof f);
    f.protocol_id = frame_protocol_id(group, module);
    f.packet_type = (uint16_t)type;
    f.seq = seq;
    f.body = bl_span(body, sizeof body);
    bl_buf_clear(out);
    frame_encode(&f, out);
}

/* Send a frame from node `from` as if the node had sent it (the test acts as the node). */
void
su_send_as(sim_t *sim, unsigned from, unsigned to, unsigned type, uint32_t seq)
{
    bl_buf_t b;

    bl_buf_init(&b);
    su_frame(&b, SU_TOY_GROUP, SU_TOY_MODULE, type, seq, sim_now(sim));
    env_send(sim_env(sim, from), to, b.data, b.len);
    bl_buf_free(&b);
}

static void
toy_save(toy_node_t *n)
{
    uint8_t v[8];

    bl_put_be(v, n->pings, 8);
    assert_int_equal(kv_put(env_disk(n->env, "toy"), bl_span("pings", 5), bl_span(v, 8)), BL_OK);
    n->w->written[n->env->self] = n->pings;
}

static uint64_t
toy_load(env_t *env)
{
    bl_buf_t v;
    uint64_t pings = 0;

    bl_buf_init(&v);
    if (kv_get(env_disk(env, "toy"), bl_span("pings", 5), &v) == BL_OK && v.len == 8)
        pings = bl_get_be(v.data, 8);
    bl_buf_free(&v);
    return pings;
}

static void *
toy_create(void *arg, env_t *env)
{
    su_world_t *w = arg;
    toy_node_t *n;

    if (w->refuse[env->self]) {
        bl_fail(BL_E_INVALID, "toy node %u refuses to start", env->self);
        return NULL;
    }
    n = calloc(1, sizeof *n);
    n->env = env;
    n->w = w;
    n->pings = toy_load(env);
    w->restored[env->self] = n->pings;
    w->creates[env->self]++;
    w->first_random[env->self] = env_random(env);
    if (w->period_ms > 0)
        env_set_timer(env, su_ping_timer(), w->period_ms);
    return n;
}

static void
toy_destroy(void *node)
{
    free(node);
}

static void
toy_ping_all(toy_node_t *n)
{
    bl_buf_t b;

    bl_buf_init(&b);
    for (unsigned j = 0; j < n->env->nnodes; j++) {
        if (j == n->env->self)
            continue;
        su_frame(&b, SU_TOY_GROUP, SU_TOY_MODULE, SU_PKT_PING, ++n->next_seq, env_now(n->env));
        env_send(n->env, j, b.data, b.len);
    }
    bl_buf_free(&b);
    n->pings++;
    toy_save(n);
}

static void
toy_on_timer(void *node, uint32_t id)
{
    toy_node_t *n = node;
    su_world_t *w = n->w;

    if (w->nfires < sizeof w->fires / sizeof w->fires[0])
        w->fires[w->nfires++] = (su_fire_t){ env_now(n->env), n->env->self, id };
    if (id == su_ping_timer()) {
        toy_ping_all(n);
        env_set_timer(n->env, su_ping_timer(), w->period_ms);
    }
}

static void
toy_record(toy_node_t *n, unsigned from, const frame_t *f)
{
    su_world_t *w = n->w;
    su_rec_t *r;

    w->recs = realloc(w->recs, (w->nrecs + 1) * sizeof *w->recs);
    r = &w->recs[w->nrecs++];
    r->time = env_now(n->env);
    r->sent_at = f->body.len == 8 ? bl_get_be(f->body.ptr, 8) : 0;
    r->from = from;
    r->to = n->env->self;
    r->type = f->packet_type;
    r->seq = f->seq;
}

static void
toy_on_message(void *node, unsigned from, const uint8_t *bytes, size_t len)
{
    toy_node_t *n = node;
    frame_t f;

    if (frame_decode(bytes, len, &f) != BL_OK) {
        n->w->garbage[n->env->self]++;
        return;
    }
    toy_record(n, from, &f);
    if (f.packet_type == SU_PKT_PING && n->w->echo) {
        bl_buf_t b;

        bl_buf_init(&b);
        su_frame(&b, SU_TOY_GROUP, SU_TOY_MODULE, SU_PKT_PONG, f.seq, env_now(n->env));
        env_send(n->env, from, b.data, b.len);
        bl_buf_free(&b);
    }
}

const endpoint_ops_t su_toy_ops = {
    .create = toy_create,
    .destroy = toy_destroy,
    .on_message = toy_on_message,
    .on_timer = toy_on_timer,
};

su_world_t *
su_world_new(unsigned period_ms, bool echo)
{
    su_world_t *w = calloc(1, sizeof *w);

    w->period_ms = period_ms;
    w->echo = echo;
    return w;
}

void
su_world_free(su_world_t *w)
{
    free(w->recs);
    free(w);
}

/* How many messages node `to` received from `from` in [t0, t1) (SIM_ANY: anyone). */
size_t
su_received(const su_world_t *w, unsigned from, unsigned to, uint64_t t0, uint64_t t1)
{
    size_t n = 0;

    for (size_t i = 0; i < w->nrecs; i++) {
        const su_rec_t *r = &w->recs[i];

        if ((from == SIM_ANY || r->from == from) && (to == SIM_ANY || r->to == to) &&
            r->time >= t0 && r->time < t1)
            n++;
    }
    return n;
}
