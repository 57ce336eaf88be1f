/*
 * state.c — the world-state calls, passed on to the state model a group chose (state.h):
 * state_table.c (StorageState) or state_mpt.c (MPTState).
 */
#include "storage/state.h"

#include <string.h>

#include "base/error.h"

int
state_open_by_type(const char *type, amdb_t *db, kv_t *kv, const suite_t *suite,
                   state_t **out)
{
    *out = NULL;
    if (strcmp(type, "storage") == 0)
        return state_table_open(db, suite, out);
    if (strcmp(type, "mpt") == 0)
        return state_mpt_open(kv, suite, out);
    return bl_fail(BL_E_INVALID, "state type '%s' is neither storage nor mpt", type);
}

int
state_exists(state_t *s, const uint8_t addr[20], bool *out)
{
    return s->ops->exists(s, addr, out);
}

int
state_get_balance(state_t *s, const uint8_t addr[20], bl_u256_t *out)
{
    return s->ops->get_balance(s, addr, out);
}

int
state_set_balance(state_t *s, const uint8_t addr[20], const bl_u256_t *v)
{
    return s->ops->set_balance(s, addr, v);
}

int
state_get_nonce(state_t *s, const uint8_t addr[20], bl_u256_t *out)
{
    return s->ops->get_nonce(s, addr, out);
}

int
state_set_nonce(state_t *s, const uint8_t addr[20], const bl_u256_t *v)
{
    return s->ops->set_nonce(s, addr, v);
}

int
state_get_code(state_t *s, const uint8_t addr[20], bl_buf_t *out)
{
    return s->ops->get_code(s, addr, out);
}

int
state_set_code(state_t *s, const uint8_t addr[20], bl_span_t code)
{
    return s->ops->set_code(s, addr, code);
}

int
state_get_storage(state_t *s, const uint8_t addr[20], const uint8_t slot[32], uint8_t value[32])
{
    return s->ops->get_storage(s, addr, slot, value);
}

int
state_set_storage(state_t *s, const uint8_t addr[20], const uint8_t slot[32],
                  const uint8_t value[32])
{
    return s->ops->set_storage(s, addr, slot, value);
}

int
state_remove_account(state_t *s, const uint8_t addr[20])
{
    return s->ops->remove_account(s, addr);
}

size_t
state_checkpoint(state_t *s)
{
    return s->ops->checkpoint(s);
}

int
state_revert(state_t *s, size_t mark)
{
    return s->ops->revert(s, mark);
}

int
state_root(state_t *s, uint8_t out[32])
{
    return s->ops->root(s, out);
}

int
state_commit(state_t *s, int64_t number, uint8_t root[32])
{
    return s->ops->commit(s, number, root);
}

int
state_at_block(state_t *s, int64_t number, state_t **out)
{
    return s->ops->at_block(s, number, out);
}

void
state_close(state_t *s)
{
    if (s != NULL)
        s->ops->close(s);
}
