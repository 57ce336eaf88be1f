/*
 * pcutil.c — a small chain for testing precompiled contracts (see pcutil.h).
 */
#include "pcutil.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "base/error.h"
#include "codec/abi.h"
#include "exec/precompiled.h"
#include "ledger/status.h"
#include "ledger/tx.h"

#define PCU_MAX_ARGS 8
#define PCU_GAS 100000000u

void
pcu_open(pcu_chain_t *ch, const suite_t *suite, int64_t number)
{
    memset(ch, 0, sizeof *ch);
    ch->suite = suite;
    assert_int_equal(kv_open("memory", NULL, &ch->kv), BL_OK);
    assert_int_equal(store_kv_open(ch->kv, &ch->store), BL_OK);
    assert_int_equal(amdb_open(ch->store, suite, &ch->db), BL_OK);
    exec_block_init(&ch->block, suite, ch->db, NULL, number, 1700000000000LL);
}

void
pcu_close(pcu_chain_t *ch)
{
    exec_block_destroy(&ch->block);
    amdb_close(ch->db);
    store_close(ch->store);
    kv_close(ch->kv);
}

void
pcu_next_block(pcu_chain_t *ch)
{
    assert_int_equal(amdb_commit(ch->db, ch->block.number), BL_OK);
    ch->block.number++;
    ch->block.timestamp += 1000;
}

void
pcu_account(uint8_t addr[20], uint8_t n)
{
    memset(addr, n, 20);
}

void
pcu_account_hex(uint8_t n, char out[43])
{
    uint8_t addr[20];

    pcu_account(addr, n);
    out[0] = '0';
    out[1] = 'x';
    bl_hex_encode(addr, 20, out + 2);
}

/* Collect the NULL-ended text arguments and encode the call. */
static void
vencode(const suite_t *suite, bl_buf_t *out, const char *signature, va_list ap)
{
    const char *args[PCU_MAX_ARGS];
    size_t n = 0;
    const char *a;

    while ((a = va_arg(ap, const char *)) != NULL) {
        assert_true(n < PCU_MAX_ARGS);
        args[n++] = a;
    }
    if (abi_encode_call_text(suite, signature, args, n, out) != BL_OK)
        fail_msg("cannot encode %s: %s", signature, bl_errmsg());
}

void
pcu_encode(const suite_t *suite, bl_buf_t *out, const char *signature, ...)
{
    va_list ap;

    va_start(ap, signature);
    vencode(suite, out, signature, ap);
    va_end(ap);
}

void
pcu_call_raw(pcu_chain_t *ch, const uint8_t from[20], uint16_t address, bl_span_t data,
             receipt_t *r)
{
    tx_t tx;

    tx_init(&tx);
    bl_u256_from_u64(&tx.gas, PCU_GAS);
    tx.has_to = true;
    precompile_address(address, tx.to);
    memcpy(tx.sender, from, 20);
    bl_buf_append(&tx.data, data.ptr, data.len);
    receipt_init(r);
    assert_int_equal(exec_tx(&ch->block, &tx, false, r), BL_OK);
    tx_free(&tx);
}

static void
vcall(pcu_chain_t *ch, const uint8_t from[20], uint16_t address, const char *signature,
      receipt_t *r, va_list ap)
{
    bl_buf_t data;

    bl_buf_init(&data);
    vencode(ch->suite, &data, signature, ap);
    pcu_call_raw(ch, from, address, bl_buf_span(&data), r);
    bl_buf_free(&data);
}

void
pcu_call(pcu_chain_t *ch, const uint8_t from[20], uint16_t address, const char *signature,
         receipt_t *r, ...)
{
    va_list ap;

    va_start(ap, r);
    vcall(ch, from, address, signature, r, ap);
    va_end(ap);
}

int64_t
pcu_call_int(pcu_chain_t *ch, const uint8_t from[20], uint16_t address, const char *signature,
             ...)
{
    receipt_t r;
    va_list ap;
    int64_t v;

    va_start(ap, signature);
    vcall(ch, from, address, signature, &r, ap);
    va_end(ap);
    if (r.status != TX_OK)
        fail_msg("%s ended with status %d (%s)", signature, (int)r.status,
                 tx_status_name((int)r.status));
    v = pcu_output_int(&r);
    receipt_free(&r);
    return v;
}

char *
pcu_call_string(pcu_chain_t *ch, const uint8_t from[20], uint16_t address,
                const char *signature, ...)
{
    receipt_t r;
    va_list ap;
    char *s;

    va_start(ap, signature);
    vcall(ch, from, address, signature, &r, ap);
    va_end(ap);
    if (r.status != TX_OK)
        fail_msg("%s ended with status %d (%s)", signature, (int)r.status,
                 tx_status_name((int)r.status));
    s = pcu_output_string(&r);
    receipt_free(&r);
    return s;
}

/* Decode the output as the one value of `type`. */
static abi_value_t *
decode_output(const receipt_t *r, const char *type)
{
    abi_type_t *t = NULL;
    abi_value_t *v = NULL;

    assert_int_equal(abi_types_parse(type, &t), BL_OK);
    if (abi_decode(t, bl_buf_span(&r->output), &v) != BL_OK)
        fail_msg("output of %zu bytes is not one %s: %s", r->output.len, type, bl_errmsg());
    abi_type_free(t);
    return v;
}

int64_t
pcu_output_int(const receipt_t *r)
{
    abi_value_t *v = decode_output(r, "int256");
    const uint8_t *be = v->items[0]->num.be;
    uint8_t sign = (be[24] & 0x80) ? 0xff : 0x00;
    int64_t out;

    for (size_t i = 0; i < 24; i++)
        assert_int_equal(be[i], sign); /* fits in 64 bits */
    out = (int64_t)bl_get_be(be + 24, 8);
    abi_value_free(v);
    return out;
}

char *
pcu_output_string(const receipt_t *r)
{
    abi_value_t *v = decode_output(r, "string");
    char *s = NULL;

    assert_int_equal(abi_value_cstring(v->items[0], &s), BL_OK);
    abi_value_free(v);
    return s;
}

void
pcu_output_address(const receipt_t *r, uint8_t out[20])
{
    abi_value_t *v = decode_output(r, "address");

    abi_value_get_address(v->items[0], out);
    abi_value_free(v);
}
