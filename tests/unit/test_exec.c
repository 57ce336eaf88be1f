/*
 * test_exec.c — the executive's own rules (exec/exec.c, exec/exec_table.c), before any
 * precompiled contract: status codes for what cannot run, gas, permission, and undo.
 *
 * Pins down fisco-2x-facts §1.5 (receipt status codes 4 OutOfGasIntrinsic, 10 BadInstruction,
 * 26 CallAddressError), §7.3 (a table listed in _sys_table_access_ may be written only by the
 * accounts listed, from the block its row takes effect), and that a buffered (parallel)
 * transaction's writes appear only when it ends.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "exec/exec.h"
#include "exec/precompiled.h"
#include "ledger/status.h"
#include "storage/amdb.h"
#include "storage/store.h"

typedef struct {
    kv_t *kv;
    store_t *store;
    amdb_t *db;
    exec_block_t block;
} fixture_t;

static void
fixture_open(fixture_t *f, int64_t number)
{
    assert_int_equal(kv_open("memory", NULL, &f->kv), BL_OK);
    assert_int_equal(store_kv_open(f->kv, &f->store), BL_OK);
    assert_int_equal(amdb_open(f->store, suite_ecdsa(), &f->db), BL_OK);
    exec_block_init(&f->block, suite_ecdsa(), f->db, NULL, number, 1700000000000LL);
}

static void
fixture_close(fixture_t *f)
{
    exec_block_destroy(&f->block);
    amdb_close(f->db);
    store_close(f->store);
    kv_close(f->kv);
}

static void
account(uint8_t addr[20], uint8_t n)
{
    memset(addr, n, 20);
}

static void
tx_to(tx_t *tx, const uint8_t *to, uint64_t gas)
{
    tx_init(tx);
    bl_u256_from_u64(&tx->gas, gas);
    tx->has_to = to != NULL;
    if (to != NULL)
        memcpy(tx->to, to, 20);
    account(tx->sender, 0xaa);
}

/* What cannot run still gets a receipt with FISCO's status: no VM for a deployment (10), no
 * contract at the address (26), not enough gas for the input bytes (4). */
static void
exec_unrunnable_transactions_get_fisco_status_codes(void **state)
{
    fixture_t f;
    tx_t tx;
    receipt_t r;
    uint8_t nobody[20];

    (void)state;
    fixture_open(&f, 1);
    account(nobody, 0x42);
    struct {
        const uint8_t *to;
        uint64_t gas;
        int status;
    } cases[] = {
        { NULL, 1000000, TX_BAD_INSTRUCTION },
        { nobody, 1000000, TX_CALL_ADDRESS_ERROR },
        { nobody, 20999, TX_OUT_OF_GAS_INTRINSIC },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tx_to(&tx, cases[i].to, cases[i].gas);
        receipt_init(&r);
        assert_int_equal(exec_tx(&f.block, &tx, false, &r), BL_OK);
        assert_int_equal(r.status, cases[i].status);
        assert_true(r.gas_used <= cases[i].gas);
        assert_int_equal(r.gas_used + r.remain_gas, cases[i].gas);
        receipt_free(&r);
        tx_free(&tx);
    }
    assert_false(amdb_dirty(f.db));
    fixture_close(&f);
}

/* Intrinsic gas is Ethereum's: 21000, plus 4 per zero byte and 16 per other byte. */
static void
exec_intrinsic_gas_counts_zero_and_nonzero_bytes(void **state)
{
    (void)state;
    assert_int_equal(exec_intrinsic_gas(bl_span("", 0)), 21000);
    assert_int_equal(exec_intrinsic_gas(bl_span("\0\0\x01", 3)), 21000 + 4 + 4 + 16);
}

static void
grant(fixture_t *f, const char *table, const uint8_t who[20], int64_t enable_num)
{
    table_t *access;
    entry_t e;
    char hex[43] = "0x", num[24];

    bl_hex_encode(who, 20, hex + 2);
    snprintf(num, sizeof num, "%lld", (long long)enable_num);
    assert_int_equal(amdb_open_table(f->db, AMDB_SYS_TABLE_ACCESS, &access), BL_OK);
    entry_init(&e);
    entry_set_str(&e, "address", hex);
    entry_set_str(&e, "enable_num", num);
    assert_int_equal(table_insert(access, table, &e), BL_OK);
    entry_free(&e);
}

/* §7.3: a table nobody is listed for is open to all; once an account is listed (from its
 * enable_num on), only listed accounts may write, and the refusal names the table. */
static void
exec_table_whitelist_guards_writes_from_its_enable_block(void **state)
{
    fixture_t f;
    exec_call_t c;
    table_t *t;
    entry_t e;
    uint8_t alice[20], bob[20], zero[20] = { 0 };
    bool allowed;

    (void)state;
    fixture_open(&f, 5);
    account(alice, 0x01);
    account(bob, 0x02);
    assert_int_equal(amdb_create_table(f.db, "ledger", "k", "v", &t), BL_OK);
    exec_call_init(&c, &f.block, bob, zero, bl_span("", 0), NULL);
    assert_int_equal(exec_may_write(&c, "u_ledger", &allowed), BL_OK);
    assert_true(allowed);
    grant(&f, "u_ledger", alice, 6); /* takes effect from block 6 */
    assert_int_equal(exec_may_write(&c, "u_ledger", &allowed), BL_OK);
    assert_true(allowed); /* block 5: not in force yet */
    f.block.number = 6;
    assert_int_equal(exec_may_write(&c, "u_ledger", &allowed), BL_OK);
    assert_false(allowed);
    entry_init(&e);
    entry_set_str(&e, "v", "1");
    assert_int_equal(exec_insert(&c, t, "x", &e), BL_E_DENIED);
    assert_non_null(strstr(bl_errmsg(), "u_ledger"));
    exec_call_free(&c);
    exec_call_init(&c, &f.block, alice, zero, bl_span("", 0), NULL);
    assert_int_equal(exec_insert(&c, t, "x", &e), BL_OK);
    entry_free(&e);
    exec_call_free(&c);
    fixture_close(&f);
}

/* A buffered call's writes are checked at once but reach the tables only when published. */
static void
exec_buffered_writes_appear_only_when_published(void **state)
{
    fixture_t f;
    exec_call_t c;
    table_t *t;
    entry_t e;
    entries_t rows;
    uint8_t alice[20], zero[20] = { 0 };

    (void)state;
    fixture_open(&f, 1);
    account(alice, 0x01);
    assert_int_equal(amdb_create_table(f.db, "kv", "k", "v", &t), BL_OK);
    exec_call_init(&c, &f.block, alice, zero, bl_span("", 0), NULL);
    c.buffered = true;
    entry_init(&e);
    entry_set_str(&e, "v", "1");
    assert_int_equal(exec_insert(&c, t, "x", &e), BL_OK);
    entry_set_str(&e, "nosuchfield", "1");
    assert_int_equal(exec_insert(&c, t, "y", &e), BL_E_INVALID); /* checked at once */
    entries_init(&rows);
    assert_int_equal(exec_select(&c, t, "x", NULL, &rows), BL_OK);
    assert_int_equal(rows.count, 0);
    assert_int_equal(exec_call_publish(&c), BL_OK);
    assert_int_equal(table_select(t, "x", NULL, &rows), BL_OK);
    assert_int_equal(rows.count, 1);
    entries_free(&rows);
    entry_free(&e);
    exec_call_free(&c);
    fixture_close(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exec_unrunnable_transactions_get_fisco_status_codes),
        cmocka_unit_test(exec_intrinsic_gas_counts_zero_and_nonzero_bytes),
        cmocka_unit_test(exec_table_whitelist_guards_writes_from_its_enable_block),
        cmocka_unit_test(exec_buffered_writes_appear_only_when_published),
    };

    return cmocka_run_group_tests_name("exec", tests, NULL, NULL);
}
