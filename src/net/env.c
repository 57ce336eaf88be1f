/*
 * env.c — the env calls spelled out, and the layout of timer ids (env.h).
 */
#include "net/env.h"

#include <string.h>

uint64_t
env_now(env_t *e)
{
    return e->ops->now_ms(e);
}

uint64_t
env_random(env_t *e)
{
    return e->ops->random(e);
}

void
env_send(env_t *e, unsigned to, const uint8_t *frame, size_t len)
{
    e->ops->send(e, to, frame, len);
}

void
env_set_timer(env_t *e, uint32_t id, uint64_t after_ms)
{
    e->ops->set_timer(e, id, after_ms);
}

void
env_cancel_timer(env_t *e, uint32_t id)
{
    e->ops->cancel_timer(e, id);
}

kv_t *
env_disk(env_t *e, const char *name)
{
    return e->ops->disk(e, name);
}

void
env_emit(env_t *e, ev_kind_t kind, unsigned group, unsigned module, int peer, int64_t a,
         int64_t b, const uint8_t hash[32])
{
    ev_t ev;

    memset(&ev, 0, sizeof ev);
    ev.kind = kind;
    ev.group = (uint16_t)group;
    ev.module = (uint16_t)module;
    ev.peer = peer;
    ev.a = a;
    ev.b = b;
    if (hash != NULL)
        memcpy(ev.hash, hash, 32);
    e->ops->emit(e, &ev);
}

/* ---- the wrapping env: everything forwarded to outer, send to the wrapper ---- */

static env_t *
outer_of(env_t *e)
{
    return ((env_filter_t *)e->driver)->outer;
}

static uint64_t
filter_now(env_t *e)
{
    return env_now(outer_of(e));
}

static uint64_t
filter_random(env_t *e)
{
    return env_random(outer_of(e));
}

static void
filter_send(env_t *e, unsigned to, const uint8_t *frame, size_t len)
{
    env_filter_t *f = e->driver;

    f->send(f->owner, to, frame, len);
}

static void
filter_set_timer(env_t *e, uint32_t id, uint64_t after_ms)
{
    env_set_timer(outer_of(e), id, after_ms);
}

static void
filter_cancel_timer(env_t *e, uint32_t id)
{
    env_cancel_timer(outer_of(e), id);
}

static kv_t *
filter_disk(env_t *e, const char *name)
{
    return env_disk(outer_of(e), name);
}

static void
filter_emit(env_t *e, ev_t *ev)
{
    env_t *outer = outer_of(e);

    outer->ops->emit(outer, ev);
}

static const env_ops_t filter_ops = {
    .now_ms = filter_now,
    .random = filter_random,
    .send = filter_send,
    .set_timer = filter_set_timer,
    .cancel_timer = filter_cancel_timer,
    .disk = filter_disk,
    .emit = filter_emit,
};

void
env_filter_init(env_filter_t *f, env_t *outer,
                void (*send)(void *owner, unsigned to, const uint8_t *frame, size_t len),
                void *owner)
{
    f->env = (env_t){ .ops = &filter_ops, .driver = f, .self = outer->self,
                      .nnodes = outer->nnodes };
    f->outer = outer;
    f->send = send;
    f->owner = owner;
}

uint32_t
env_timer_id(unsigned group, unsigned module, unsigned local)
{
    return (uint32_t)(group & 0x7fff) << 16 | (uint32_t)(module & 0xff) << 8 | (local & 0xff);
}

unsigned
env_timer_group(uint32_t id)
{
    return id >> 16 & 0x7fff;
}

unsigned
env_timer_module(uint32_t id)
{
    return id >> 8 & 0xff;
}

unsigned
env_timer_local(uint32_t id)
{
    return id & 0xff;
}
