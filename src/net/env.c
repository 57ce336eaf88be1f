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
