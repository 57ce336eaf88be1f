/*
 * test_pc_dag_transfer.c — DagTransfer at 0x5002 (exec/pc_dag_transfer.c): every method,
 * every result code it can answer (fisco-2x-facts §7.1; FISCO's DagTransferPrecompiled and
 * its codes -51400 ... -51406 and -50000), its critical fields, and the SM suite's selectors.
 *
 * Every method test runs twice: once with the call run directly (as a serial barrier would
 * run) and once "buffered" (as the executors run every DagTransfer call: writes kept aside
 * until the call ends, exec_table.c). Both must answer the same and leave the same rows.
 */
#include "testutil.h"
#include "pcutil.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "codec/abi.h"
#include "exec/precompiled.h"
#include "ledger/status.h"

#define DAG 0x5002
#define ADD "userAdd(string,uint256)"
#define SAVE "userSave(string,uint256)"
#define DRAW "userDraw(string,uint256)"
#define TRANSFER "userTransfer(string,string,uint256)"
#define BALANCE "userBalance(string)"
#define U256_MAX "115792089237316195423570985008687907853269984665640564039457584007913129639935"

static bool direct = false, buffered = true;

typedef struct {
    pcu_chain_t ch;
    bool buffered;
    uint8_t alice[20];
} fixture_t;

static int
setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);

    f->buffered = *(bool *)*state;
    pcu_open(&f->ch, suite_ecdsa(), 1);
    pcu_account(f->alice, 0xa1);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    fixture_t *f = *state;

    pcu_close(&f->ch);
    free(f);
    return 0;
}

/* Run signature(args) at 0x5002 from alice, buffered or not as the fixture says. */
static void
run(fixture_t *f, receipt_t *r, const char *signature, const char *const *args, size_t n)
{
    tx_t tx;

    tx_init(&tx);
    bl_u256_from_u64(&tx.gas, 100000000);
    tx.has_to = true;
    precompile_address(DAG, tx.to);
    memcpy(tx.sender, f->alice, 20);
    assert_int_equal(abi_encode_call_text(f->ch.suite, signature, args, n, &tx.data), BL_OK);
    receipt_init(r);
    assert_int_equal(exec_tx(&f->ch.block, &tx, f->buffered, r), BL_OK);
    tx_free(&tx);
}

/* The int256 code a write method answers (status must be 0). */
static int64_t
code_of(fixture_t *f, const char *signature, ...)
{
    const char *args[4], *a;
    size_t n = 0;
    receipt_t r;
    va_list ap;
    int64_t code;

    va_start(ap, signature);
    while ((a = va_arg(ap, const char *)) != NULL && n < 4)
        args[n++] = a;
    va_end(ap);
    run(f, &r, signature, args, n);
    assert_int_equal(r.status, TX_OK);
    code = pcu_output_int(&r);
    receipt_free(&r);
    return code;
}

/* userBalance's two values; the balance as decimal text in out. */
static int64_t
balance_of(fixture_t *f, const char *user, char out[BL_U256_DEC_MAX])
{
    const char *args[] = { user };
    abi_type_t *types;
    abi_value_t *v;
    receipt_t r;
    int64_t code;

    run(f, &r, BALANCE, args, 1);
    assert_int_equal(r.status, TX_OK);
    assert_int_equal(abi_types_parse("int256,uint256", &types), BL_OK);
    assert_int_equal(abi_decode(types, bl_buf_span(&r.output), &v), BL_OK);
    code = (int64_t)bl_get_be(v->items[0]->num.be + 24, 8);
    bl_u256_to_dec(&v->items[1]->num, out);
    abi_value_free(v);
    abi_type_free(types);
    receipt_free(&r);
    return code;
}

static void
assert_balance(fixture_t *f, const char *user, const char *want)
{
    char got[BL_U256_DEC_MAX];

    assert_int_equal(balance_of(f, user, got), 0);
    assert_string_equal(got, want);
}

/* A name as long as a table key may be (255 bytes), and one byte longer. */
static void
long_names(char ok[257], char too_long[257])
{
    memset(ok, 'n', 255);
    ok[255] = '\0';
    memset(too_long, 'n', 256);
    too_long[256] = '\0';
}

static void
dag_user_add(void **state)
{
    fixture_t *f = *state;
    char ok[257], too_long[257];

    long_names(ok, too_long);
    assert_int_equal(code_of(f, ADD, "alice", "100", NULL), 0);
    assert_balance(f, "alice", "100");
    assert_int_equal(code_of(f, ADD, "alice", "5", NULL), CODE_INVALID_USER_ALREADY_EXIST);
    assert_balance(f, "alice", "100");
    assert_int_equal(code_of(f, ADD, "", "5", NULL), CODE_INVALID_USER_NAME);
    assert_int_equal(code_of(f, ADD, too_long, "5", NULL), CODE_INVALID_USER_NAME);
    assert_int_equal(code_of(f, ADD, ok, "0", NULL), 0); /* a zero balance is fine here */
    assert_balance(f, ok, "0");
}

static void
dag_user_save(void **state)
{
    fixture_t *f = *state;

    assert_int_equal(code_of(f, SAVE, "bob", "7", NULL), 0); /* a new user */
    assert_balance(f, "bob", "7");
    assert_int_equal(code_of(f, SAVE, "bob", "3", NULL), 0);
    assert_balance(f, "bob", "10");
    assert_int_equal(code_of(f, SAVE, "bob", "0", NULL), CODE_INVALID_AMOUNT);
    assert_int_equal(code_of(f, SAVE, "", "3", NULL), CODE_INVALID_USER_NAME);
    assert_int_equal(code_of(f, ADD, "rich", U256_MAX, NULL), 0);
    assert_int_equal(code_of(f, SAVE, "rich", "1", NULL), CODE_INVALID_BALANCE_OVERFLOW);
    assert_balance(f, "rich", U256_MAX);
}

static void
dag_user_draw(void **state)
{
    fixture_t *f = *state;

    assert_int_equal(code_of(f, ADD, "carol", "10", NULL), 0);
    assert_int_equal(code_of(f, DRAW, "carol", "4", NULL), 0);
    assert_balance(f, "carol", "6");
    assert_int_equal(code_of(f, DRAW, "carol", "7", NULL), CODE_INVALID_INSUFFICIENT_BALANCE);
    assert_int_equal(code_of(f, DRAW, "carol", "6", NULL), 0);
    assert_balance(f, "carol", "0");
    assert_int_equal(code_of(f, DRAW, "nobody", "1", NULL), CODE_INVALID_USER_NOT_EXIST);
    assert_int_equal(code_of(f, DRAW, "carol", "0", NULL), CODE_INVALID_AMOUNT);
    assert_int_equal(code_of(f, DRAW, "", "1", NULL), CODE_INVALID_USER_NAME);
}

static void
dag_user_transfer(void **state)
{
    fixture_t *f = *state;

    assert_int_equal(code_of(f, ADD, "dan", "10", NULL), 0);
    assert_int_equal(code_of(f, ADD, "erin", "1", NULL), 0);
    assert_int_equal(code_of(f, TRANSFER, "dan", "erin", "4", NULL), 0);
    assert_balance(f, "dan", "6");
    assert_balance(f, "erin", "5");
    /* to a new user: made with the amount (buffered, the call cannot see its own insert) */
    assert_int_equal(code_of(f, TRANSFER, "dan", "frank", "2", NULL), 0);
    assert_balance(f, "frank", "2");
    assert_balance(f, "dan", "4");
    assert_int_equal(code_of(f, TRANSFER, "dan", "erin", "5", NULL),
                     CODE_INVALID_INSUFFICIENT_BALANCE);
    assert_int_equal(code_of(f, TRANSFER, "ghost", "erin", "1", NULL),
                     CODE_INVALID_USER_NOT_EXIST);
    assert_int_equal(code_of(f, TRANSFER, "dan", "erin", "0", NULL), CODE_INVALID_AMOUNT);
    assert_int_equal(code_of(f, TRANSFER, "", "erin", "1", NULL), CODE_INVALID_USER_NAME);
    assert_int_equal(code_of(f, TRANSFER, "dan", "", "1", NULL), CODE_INVALID_USER_NAME);
    assert_int_equal(code_of(f, ADD, "full", U256_MAX, NULL), 0);
    assert_int_equal(code_of(f, TRANSFER, "dan", "full", "1", NULL),
                     CODE_INVALID_BALANCE_OVERFLOW);
    /* to oneself: nothing happens, even for more than the balance (FISCO checks nothing) */
    assert_int_equal(code_of(f, TRANSFER, "dan", "dan", "1000", NULL), 0);
    assert_balance(f, "dan", "4");
    assert_balance(f, "erin", "5");
}

static void
dag_user_balance(void **state)
{
    fixture_t *f = *state;
    char got[BL_U256_DEC_MAX];

    assert_int_equal(balance_of(f, "nobody", got), CODE_INVALID_USER_NOT_EXIST);
    assert_string_equal(got, "0");
    assert_int_equal(balance_of(f, "", got), CODE_INVALID_USER_NAME);
    assert_string_equal(got, "0");
    assert_int_equal(code_of(f, ADD, "gina", "42", NULL), 0);
    assert_balance(f, "gina", "42");
}

/* List `who` in _sys_table_access_ for `table`, in force from this block. */
static void
guard(fixture_t *f, const char *table, uint8_t who)
{
    table_t *access;
    entry_t e;
    char hex[43];

    pcu_account_hex(who, hex);
    assert_int_equal(amdb_open_table(f->ch.db, AMDB_SYS_TABLE_ACCESS, &access), BL_OK);
    entry_init(&e);
    entry_set_str(&e, "address", hex);
    entry_set_str(&e, "enable_num", "0");
    assert_int_equal(table_insert(access, table, &e), BL_OK);
    entry_free(&e);
}

/* _sys_tables_ guarded (only 0x02...02 may create tables): the table cannot be made, -51406.
 * Then the table exists but u_dag_transfer itself is guarded: writes answer -50000. */
static void
dag_permission_codes(void **state)
{
    fixture_t *f = *state;
    uint8_t admin[20];

    pcu_account(admin, 0x02);
    guard(f, AMDB_SYS_TABLES, 0x02);
    assert_int_equal(code_of(f, ADD, "alice", "1", NULL), CODE_INVALID_OPENTABLE_FAILED);
    assert_int_equal(code_of(f, SAVE, "alice", "1", NULL), CODE_INVALID_OPENTABLE_FAILED);
    {
        char got[BL_U256_DEC_MAX];
        assert_int_equal(balance_of(f, "alice", got), CODE_INVALID_OPENTABLE_FAILED);
    }
    /* the admin makes the table, then guards it */
    assert_int_equal(pcu_call_int(&f->ch, admin, DAG, ADD, "alice", "10", NULL), 0);
    guard(f, "u_dag_transfer", 0x02);
    assert_int_equal(code_of(f, ADD, "bob", "1", NULL), CODE_NO_AUTHORIZED);
    assert_int_equal(code_of(f, SAVE, "alice", "1", NULL), CODE_NO_AUTHORIZED);
    assert_int_equal(code_of(f, DRAW, "alice", "1", NULL), CODE_NO_AUTHORIZED);
    assert_int_equal(code_of(f, TRANSFER, "alice", "bob", "1", NULL), CODE_NO_AUTHORIZED);
    assert_balance(f, "alice", "10"); /* reading is not guarded */
    assert_int_equal(pcu_call_int(&f->ch, admin, DAG, SAVE, "alice", "1", NULL), 0);
}

/* A selector DagTransfer does not have, and arguments that do not decode: status 21. */
static void
dag_malformed_calls_fail(void **state)
{
    fixture_t *f = *state;
    receipt_t r;
    bl_buf_t data = BL_BUF_INIT;

    pcu_encode(f->ch.suite, &data, "userSteal(string)", "x", NULL);
    pcu_call_raw(&f->ch, f->alice, DAG, bl_buf_span(&data), &r);
    assert_int_equal(r.status, TX_PRECOMPILED_ERROR);
    receipt_free(&r);
    bl_buf_clear(&data);
    pcu_encode(f->ch.suite, &data, ADD, "alice", "1", NULL);
    data.len -= 1; /* cut the last byte */
    pcu_call_raw(&f->ch, f->alice, DAG, bl_buf_span(&data), &r);
    assert_int_equal(r.status, TX_PRECOMPILED_ERROR);
    receipt_free(&r);
    bl_buf_free(&data);
    assert_false(amdb_dirty(f->ch.db));
}

/* A balance another contract wrote that is not a number: the call fails (status 21). */
static void
dag_bad_balance_row_fails(void **state)
{
    static const char *const save[] = { "mallory", "1" },
                             *const transfer[] = { "alice", "mallory", "1" };
    fixture_t *f = *state;
    table_t *t;
    entry_t e;
    receipt_t r;

    assert_int_equal(code_of(f, ADD, "alice", "1", NULL), 0);
    assert_int_equal(amdb_open_table(f->ch.db, "u_dag_transfer", &t), BL_OK);
    entry_init(&e);
    entry_set_str(&e, "user_balance", "lots");
    assert_int_equal(table_insert(t, "mallory", &e), BL_OK);
    entry_free(&e);
    run(f, &r, SAVE, save, 2);
    assert_int_equal(r.status, TX_PRECOMPILED_ERROR);
    receipt_free(&r);
    run(f, &r, TRANSFER, transfer, 3);
    assert_int_equal(r.status, TX_PRECOMPILED_ERROR);
    receipt_free(&r);
    assert_balance(f, "alice", "1");
}

/* A u_dag_transfer someone else made (TableFactory) without the user_balance field: the
 * calls that write fail (status 21) instead of failing the block. */
static void
dag_foreign_table_fails(void **state)
{
    static const char *const alice[] = { "alice", "1" }, *const bob[] = { "bob", "5" };
    fixture_t *f = *state;
    receipt_t r;

    assert_int_equal(amdb_create_table(f->ch.db, "dag_transfer", "user_name", "other", NULL),
                     BL_OK);
    run(f, &r, ADD, alice, 2);
    assert_int_equal(r.status, TX_PRECOMPILED_ERROR);
    receipt_free(&r);
    /* alice does not exist: that is answered before anything is written */
    assert_int_equal(code_of(f, TRANSFER, "alice", "bob", "1", NULL),
                     CODE_INVALID_USER_NOT_EXIST);
    run(f, &r, SAVE, bob, 2);
    assert_int_equal(r.status, TX_PRECOMPILED_ERROR);
    receipt_free(&r);
}

/* On an SM chain the selectors are SM3's: the SM call works, the Keccak one is unknown. */
static void
dag_sm_suite_selectors(void **state)
{
    pcu_chain_t ch;
    uint8_t alice[20];
    receipt_t r;
    bl_buf_t data = BL_BUF_INIT;

    (void)state;
    pcu_open(&ch, suite_sm(), 1);
    pcu_account(alice, 0xa1);
    assert_int_equal(pcu_call_int(&ch, alice, DAG, ADD, "alice", "9", NULL), 0);
    assert_int_equal(pcu_call_int(&ch, alice, DAG, DRAW, "alice", "4", NULL), 0);
    pcu_encode(suite_ecdsa(), &data, DRAW, "alice", "1", NULL);
    pcu_call_raw(&ch, alice, DAG, bl_buf_span(&data), &r);
    assert_int_equal(r.status, TX_PRECOMPILED_ERROR);
    receipt_free(&r);
    bl_buf_free(&data);
    assert_int_equal(pcu_call_int(&ch, alice, DAG, SAVE, "alice", "1", NULL), 0);
    pcu_close(&ch);
}

/* ---- critical fields ---- */

static void
criticals_of(const suite_t *suite, const char *signature, const char *const *args, size_t n,
             bool *parallel, char *out, size_t cap)
{
    const precompile_t *p;
    uint8_t addr[20];
    bl_buf_t data = BL_BUF_INIT;
    critical_t c;

    precompile_address(DAG, addr);
    p = precompile_find(addr);
    assert_non_null(p);
    assert_non_null(p->criticals);
    assert_int_equal(abi_encode_call_text(suite, signature, args, n, &data), BL_OK);
    critical_init(&c);
    assert_int_equal(p->criticals(suite, bl_buf_span(&data), parallel, &c), BL_OK);
    out[0] = '\0';
    for (size_t i = 0; i < c.count; i++)
        snprintf(out + strlen(out), cap - strlen(out), "%s%s", i ? "," : "", c.fields[i]);
    critical_free(&c);
    bl_buf_free(&data);
}

static void
dag_criticals_are_the_user_names(void **state)
{
    static const char *const one[] = { "alice", "5" }, *const two[] = { "alice", "bob", "5" },
                             *const bal[] = { "alice" }, *const empty[] = { "", "bob", "5" },
                             *const other[] = { "x" };
    const char *sigs[] = { ADD, SAVE, DRAW };
    char text[128];
    bool parallel;

    (void)state;
    for (size_t i = 0; i < 3; i++) {
        criticals_of(suite_ecdsa(), sigs[i], one, 2, &parallel, text, sizeof text);
        assert_true(parallel);
        assert_string_equal(text, "alice");
    }
    criticals_of(suite_sm(), TRANSFER, two, 3, &parallel, text, sizeof text);
    assert_true(parallel);
    assert_string_equal(text, "alice,bob");
    criticals_of(suite_ecdsa(), BALANCE, bal, 1, &parallel, text, sizeof text);
    assert_true(parallel);
    assert_string_equal(text, "alice"); /* (FISCO names none for a balance query) */
    /* an empty name: the call touches nothing, so it is parallel with no fields */
    criticals_of(suite_ecdsa(), TRANSFER, empty, 3, &parallel, text, sizeof text);
    assert_true(parallel);
    assert_string_equal(text, "");
    /* a method DagTransfer does not have must run alone */
    criticals_of(suite_ecdsa(), "userSteal(string)", other, 1, &parallel, text, sizeof text);
    assert_false(parallel);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_prestate_setup_teardown(dag_user_add, setup, teardown, &direct),
        cmocka_unit_test_prestate_setup_teardown(dag_user_add, setup, teardown, &buffered),
        cmocka_unit_test_prestate_setup_teardown(dag_user_save, setup, teardown, &direct),
        cmocka_unit_test_prestate_setup_teardown(dag_user_save, setup, teardown, &buffered),
        cmocka_unit_test_prestate_setup_teardown(dag_user_draw, setup, teardown, &direct),
        cmocka_unit_test_prestate_setup_teardown(dag_user_draw, setup, teardown, &buffered),
        cmocka_unit_test_prestate_setup_teardown(dag_user_transfer, setup, teardown, &direct),
        cmocka_unit_test_prestate_setup_teardown(dag_user_transfer, setup, teardown, &buffered),
        cmocka_unit_test_prestate_setup_teardown(dag_user_balance, setup, teardown, &direct),
        cmocka_unit_test_prestate_setup_teardown(dag_user_balance, setup, teardown, &buffered),
        cmocka_unit_test_prestate_setup_teardown(dag_permission_codes, setup, teardown,
                                                 &direct),
        cmocka_unit_test_prestate_setup_teardown(dag_permission_codes, setup, teardown,
                                                 &buffered),
        cmocka_unit_test_prestate_setup_teardown(dag_malformed_calls_fail, setup, teardown,
                                                 &direct),
        cmocka_unit_test_prestate_setup_teardown(dag_bad_balance_row_fails, setup, teardown,
                                                 &direct),
        cmocka_unit_test_prestate_setup_teardown(dag_bad_balance_row_fails, setup, teardown,
                                                 &buffered),
        cmocka_unit_test_prestate_setup_teardown(dag_foreign_table_fails, setup, teardown,
                                                 &direct),
        cmocka_unit_test_prestate_setup_teardown(dag_foreign_table_fails, setup, teardown,
                                                 &buffered),
        cmocka_unit_test(dag_sm_suite_selectors),
        cmocka_unit_test(dag_criticals_are_the_user_names),
    };

    return cmocka_run_group_tests_name("pc_dag_transfer", tests, NULL, NULL);
}
