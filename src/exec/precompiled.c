/*
 * precompiled.c — the table of precompiled contracts, and the small helpers they share:
 * matching a selector, decoding arguments, encoding a result.
 *
 * Each contract lives in its own file (pc_sysconfig.c, pc_dag_transfer.c, ...) and exports
 * one precompile_t; adding a contract is adding its line to `registry` below.
 */
#include "exec/precompiled.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "codec/abi.h"
#include "ledger/status.h"

extern const precompile_t precompile_sysconfig;
extern const precompile_t precompile_table_factory;
extern const precompile_t precompile_crud;
extern const precompile_t precompile_consensus;
extern const precompile_t precompile_cns;
extern const precompile_t precompile_permission;
extern const precompile_t precompile_parallel_config;
extern const precompile_t precompile_dag_transfer;

/* Every precompiled contract, by address. */
static const precompile_t *const registry[] = {
    &precompile_sysconfig,
    &precompile_table_factory,
    &precompile_crud,
    &precompile_consensus,
    &precompile_cns,
    &precompile_permission,
    &precompile_parallel_config,
    &precompile_dag_transfer,
    NULL, /* (the contracts are added here as they are written) */
};

void
precompile_address(uint16_t address, uint8_t out[20])
{
    memset(out, 0, 20);
    out[18] = (uint8_t)(address >> 8);
    out[19] = (uint8_t)address;
}

const precompile_t *
precompile_find(const uint8_t addr[20])
{
    static const uint8_t zeros[18] = { 0 };
    uint16_t a = (uint16_t)(addr[18] << 8 | addr[19]);

    if (memcmp(addr, zeros, 18) != 0)
        return NULL;
    for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++)
        if (registry[i] != NULL && registry[i]->address == a)
            return registry[i];
    return NULL;
}

/* ---- selectors, computed once ---- */

/* Hashing a signature for every call would cost more than many calls do, so selectors are
 * kept once computed: per suite, per signature text (signatures are string constants). Each
 * thread keeps its own small cache: the worker threads of a parallel block ask for selectors
 * at every call, and a shared cache behind a mutex made them queue for it. */
#define SELECTOR_CACHE_MAX 256

typedef struct {
    const suite_t *suite;
    const char *signature;
    uint8_t selector[ABI_SELECTOR_LEN];
} cached_selector_t;

static _Thread_local cached_selector_t selector_cache[SELECTOR_CACHE_MAX];
static _Thread_local size_t nselectors;

static void
selector_of(const suite_t *suite, const char *signature, uint8_t out[ABI_SELECTOR_LEN])
{
    for (size_t i = 0; i < nselectors; i++) {
        if (selector_cache[i].suite == suite && selector_cache[i].signature == signature) {
            memcpy(out, selector_cache[i].selector, ABI_SELECTOR_LEN);
            return;
        }
    }
    abi_selector(suite, signature, out);
    if (nselectors < SELECTOR_CACHE_MAX) {
        selector_cache[nselectors].suite = suite;
        selector_cache[nselectors].signature = signature;
        memcpy(selector_cache[nselectors++].selector, out, ABI_SELECTOR_LEN);
    }
}

bool
precompile_is(const exec_call_t *c, const char *signature)
{
    uint8_t sel[ABI_SELECTOR_LEN];

    if (c->input.len < ABI_SELECTOR_LEN)
        return false;
    selector_of(c->block->suite, signature, sel);
    return memcmp(c->input.ptr, sel, ABI_SELECTOR_LEN) == 0;
}

int
precompile_args(const exec_call_t *c, const char *signature, abi_value_t **args)
{
    return abi_decode_call(c->block->suite, signature, c->input, args);
}

/* ---- results ---- */

void
precompile_return_int(exec_call_t *c, int64_t v)
{
    abi_value_t *value = abi_value_int(v);
    abi_type_t *type = NULL;

    bl_buf_clear(&c->output);
    if (abi_type_parse("int256", &type) == BL_OK)
        abi_encode(type, value, &c->output);
    abi_type_free(type);
    abi_value_free(value);
}

void
precompile_return_string(exec_call_t *c, const char *s)
{
    abi_value_t *value = abi_value_string(s);
    abi_type_t *type = NULL;

    bl_buf_clear(&c->output);
    if (abi_types_parse("string", &type) == BL_OK) {
        abi_value_t *tuple = abi_value_list(1);
        tuple->items[0] = value;
        value = tuple;
        abi_encode(type, value, &c->output);
    }
    abi_type_free(type);
    abi_value_free(value);
}

int
precompile_fail(exec_call_t *c, const char *why)
{
    (void)why; /* the reason is for the event log, which comes with the node issue */
    bl_buf_clear(&c->output);
    c->status = TX_PRECOMPILED_ERROR;
    return BL_OK;
}

/* ---- critical fields ---- */

void
critical_init(critical_t *c)
{
    c->fields = NULL;
    c->count = 0;
}

void
critical_free(critical_t *c)
{
    for (size_t i = 0; i < c->count; i++)
        free(c->fields[i]);
    free(c->fields);
    critical_init(c);
}

void
critical_add(critical_t *c, const char *field)
{
    c->fields = bl_xrealloc(c->fields, (c->count + 1) * sizeof *c->fields);
    c->fields[c->count++] = bl_xstrdup(field);
}
