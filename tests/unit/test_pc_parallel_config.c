/*
 * test_pc_parallel_config.c — ParallelConfig at 0x1006 (exec/pc_parallel_config.c,
 * fisco-2x-facts §5.1): registering and unregistering a parallel function, the rows in
 * cp_<contract>, the codes it answers (0, -50000), malformed calls, and the lookup the
 * transaction DAG makes for calls to contracts.
 */
#include "testutil.h"
#include "pcutil.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "codec/abi.h"
#include "exec/pc_parallel_config.h"
#include "exec/precompiled.h"
#include "exec/txdag.h"
#include "ledger/status.h"

#define PARA 0x1006
#define REG "registerParallelFunctionInternal(address,string,uint256)"
#define UNREG "unregisterParallelFunctionInternal(address,string)"
#define CONTRACT "0x00000000000000000000000000000000000000c0"
#define CP_TABLE "cp_00000000000000000000000000000000000000c0"
#define TRANSFER "transfer(string,string,uint256)"

static void
contract_address(uint8_t addr[20])
{
    memset(addr, 0, 20);
    addr[19] = 0xc0;
}

/* The rows of cp_<contract>, as "selector/functionName/criticalSize;..." */
static void
rows_text(pcu_chain_t *ch, char *out, size_t cap)
{
    table_t *t;
    entries_t rows;

    out[0] = '\0';
    if (amdb_open_table(ch->db, CP_TABLE, &t) != BL_OK)
        return;
    entries_init(&rows);
    assert_int_equal(table_select(t, "parallel", NULL, &rows), BL_OK);
    for (size_t i = 0; i < rows.count; i++) {
        const char *f[] = { "selector", "functionName", "criticalSize" };

        for (size_t k = 0; k < 3; k++) {
            const bl_buf_t *v = entry_get(&rows.items[i], f[k]);
            snprintf(out + strlen(out), cap - strlen(out), "%.*s%s", (int)v->len,
                     (const char *)v->data, k < 2 ? "/" : ";");
        }
    }
    entries_free(&rows);
}

/* FISCO's selector text: the first 4 bytes of hash(name), big-endian, in decimal. */
static void
selector_text(const suite_t *suite, const char *name, char out[16])
{
    uint8_t d[32];

    suite->hash(name, strlen(name), d);
    snprintf(out, 16, "%u", (unsigned)bl_get_be(d, 4));
}

static void
para_register_update_unregister(void **state)
{
    pcu_chain_t ch;
    uint8_t alice[20];
    char rows[512], want[512], sel[16], sel2[16];

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    pcu_account(alice, 0xa1);
    selector_text(suite_ecdsa(), TRANSFER, sel);
    assert_string_equal(sel, "2608902224"); /* 0x9b80b050: keccak256 of the name as written */
    selector_text(suite_ecdsa(), "set(string,uint256)", sel2);
    /* nothing to unregister yet: still 0, and no table is made */
    assert_int_equal(pcu_call_int(&ch, alice, PARA, UNREG, CONTRACT, TRANSFER, NULL), 0);
    rows_text(&ch, rows, sizeof rows);
    assert_string_equal(rows, "");
    assert_int_equal(pcu_call_int(&ch, alice, PARA, REG, CONTRACT, TRANSFER, "2", NULL), 0);
    assert_int_equal(pcu_call_int(&ch, alice, PARA, REG, CONTRACT, "set(string,uint256)", "1",
                                  NULL), 0);
    rows_text(&ch, rows, sizeof rows);
    snprintf(want, sizeof want, "%s/%s/2;%s/set(string,uint256)/1;", sel, TRANSFER, sel2);
    assert_string_equal(rows, want);
    pcu_next_block(&ch);
    /* registering again replaces the row (committed rows come back in _id_ order, and the
     * commit gave out ids in dbHash order: set's selector sorts first) */
    assert_int_equal(pcu_call_int(&ch, alice, PARA, REG, CONTRACT, TRANSFER, "1", NULL), 0);
    rows_text(&ch, rows, sizeof rows);
    snprintf(want, sizeof want, "%s/set(string,uint256)/1;%s/%s/1;", sel2, sel, TRANSFER);
    assert_string_equal(rows, want);
    assert_int_equal(pcu_call_int(&ch, alice, PARA, UNREG, CONTRACT, TRANSFER, NULL), 0);
    rows_text(&ch, rows, sizeof rows);
    snprintf(want, sizeof want, "%s/set(string,uint256)/1;", sel2);
    assert_string_equal(rows, want);
    pcu_close(&ch);
}

/* cp_<contract> guarded by _sys_table_access_: another account gets -50000, nothing changes. */
static void
para_refused_write_answers_no_authorized(void **state)
{
    pcu_chain_t ch;
    uint8_t alice[20], bob[20];
    table_t *access;
    entry_t e;
    char alice_hex[43], rows[512];

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    pcu_account(alice, 0xa1);
    pcu_account(bob, 0xb0);
    pcu_account_hex(0xa1, alice_hex);
    assert_int_equal(pcu_call_int(&ch, alice, PARA, REG, CONTRACT, TRANSFER, "2", NULL), 0);
    assert_int_equal(amdb_open_table(ch.db, AMDB_SYS_TABLE_ACCESS, &access), BL_OK);
    entry_init(&e);
    entry_set_str(&e, "address", alice_hex);
    entry_set_str(&e, "enable_num", "0");
    assert_int_equal(table_insert(access, CP_TABLE, &e), BL_OK);
    entry_free(&e);
    assert_int_equal(pcu_call_int(&ch, bob, PARA, REG, CONTRACT, TRANSFER, "1", NULL),
                     CODE_NO_AUTHORIZED);
    assert_int_equal(pcu_call_int(&ch, bob, PARA, REG, CONTRACT, "f()", "0", NULL),
                     CODE_NO_AUTHORIZED);
    assert_int_equal(pcu_call_int(&ch, bob, PARA, UNREG, CONTRACT, TRANSFER, NULL),
                     CODE_NO_AUTHORIZED);
    rows_text(&ch, rows, sizeof rows);
    assert_non_null(strstr(rows, TRANSFER "/2;"));
    assert_int_equal(pcu_call_int(&ch, alice, PARA, UNREG, CONTRACT, TRANSFER, NULL), 0);
    pcu_close(&ch);
}

static void
para_malformed_calls_fail(void **state)
{
    pcu_chain_t ch;
    uint8_t alice[20];
    receipt_t r;
    bl_buf_t data = BL_BUF_INIT;

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    pcu_account(alice, 0xa1);
    pcu_encode(ch.suite, &data, "registerParallelFunction(string,uint256)", TRANSFER, "2",
               NULL);
    pcu_call_raw(&ch, alice, PARA, bl_buf_span(&data), &r);
    assert_int_equal(r.status, TX_PRECOMPILED_ERROR);
    receipt_free(&r);
    bl_buf_clear(&data);
    pcu_encode(ch.suite, &data, REG, CONTRACT, TRANSFER, "2", NULL);
    data.len -= 32; /* the last word is missing */
    pcu_call_raw(&ch, alice, PARA, bl_buf_span(&data), &r);
    assert_int_equal(r.status, TX_PRECOMPILED_ERROR);
    receipt_free(&r);
    bl_buf_free(&data);
    assert_false(amdb_dirty(ch.db));
    pcu_close(&ch);
}

/* On an SM chain both the method selectors and the stored selector use SM3. */
static void
para_sm_suite(void **state)
{
    pcu_chain_t ch;
    uint8_t alice[20];
    char rows[512], sel[16];

    (void)state;
    pcu_open(&ch, suite_sm(), 1);
    pcu_account(alice, 0xa1);
    assert_int_equal(pcu_call_int(&ch, alice, PARA, REG, CONTRACT, TRANSFER, "2", NULL), 0);
    selector_text(suite_sm(), TRANSFER, sel);
    rows_text(&ch, rows, sizeof rows);
    assert_int_equal(strncmp(rows, sel, strlen(sel)), 0);
    pcu_close(&ch);
}

/* ---- the lookup the DAG makes ---- */

static void
lookup(pcu_chain_t *ch, const char *sig, const char *const *args, size_t n, bool *parallel,
       char *out, size_t cap)
{
    uint8_t contract[20];
    bl_buf_t data = BL_BUF_INIT;
    critical_t c;

    contract_address(contract);
    if (abi_encode_call_text(ch->suite, sig, args, n, &data) != BL_OK)
        fail_msg("cannot encode %s", sig);
    critical_init(&c);
    assert_int_equal(parallel_config_criticals(ch->suite, ch->db, contract, bl_buf_span(&data),
                                               parallel, &c), BL_OK);
    out[0] = '\0';
    for (size_t i = 0; i < c.count; i++)
        snprintf(out + strlen(out), cap - strlen(out), "%s%s", i ? "," : "", c.fields[i]);
    critical_free(&c);
    bl_buf_free(&data);
}

static void
para_lookup_gives_the_leading_arguments(void **state)
{
    static const char *const t[] = { "alice", "bob", "5" };
    static const char *const mixed[] = { "0x00000000000000000000000000000000000000aa", "-7",
                                         "9", "x" };
    static const char *const b[] = { "0x01", "x" };
    pcu_chain_t ch;
    uint8_t alice[20];
    char text[256];
    bool parallel;

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    pcu_account(alice, 0xa1);
    lookup(&ch, TRANSFER, t, 3, &parallel, text, sizeof text);
    assert_false(parallel); /* no table yet */
    assert_int_equal(pcu_call_int(&ch, alice, PARA, REG, CONTRACT, TRANSFER, "2", NULL), 0);
    assert_int_equal(pcu_call_int(&ch, alice, PARA, REG, CONTRACT,
                                  "m(address,int256,uint256,string)", "3", NULL), 0);
    assert_int_equal(pcu_call_int(&ch, alice, PARA, REG, CONTRACT, "g(bytes,string)", "1",
                                  NULL), 0);
    assert_int_equal(pcu_call_int(&ch, alice, PARA, REG, CONTRACT, "h(string)", "2", NULL), 0);
    assert_int_equal(pcu_call_int(&ch, alice, PARA, REG, CONTRACT, "z(string)", "0", NULL), 0);
    lookup(&ch, TRANSFER, t, 3, &parallel, text, sizeof text);
    assert_true(parallel);
    assert_string_equal(text, "alice,bob");
    lookup(&ch, "m(address,int256,uint256,string)", mixed, 4, &parallel, text, sizeof text);
    assert_true(parallel);
    assert_string_equal(text, "00000000000000000000000000000000000000aa,-7,9");
    /* a bytes argument cannot be critical; criticalSize past the arguments; not registered */
    lookup(&ch, "g(bytes,string)", b, 2, &parallel, text, sizeof text);
    assert_false(parallel);
    lookup(&ch, "h(string)", t, 1, &parallel, text, sizeof text);
    assert_false(parallel);
    lookup(&ch, "other(string)", t, 1, &parallel, text, sizeof text);
    assert_false(parallel);
    /* criticalSize 0: parallel, touching nothing that conflicts */
    lookup(&ch, "z(string)", t, 1, &parallel, text, sizeof text);
    assert_true(parallel);
    assert_string_equal(text, "");
    pcu_close(&ch);
}

/* Input that does not decode by the registered signature: the call runs alone. */
static void
para_lookup_of_bad_input_is_serial(void **state)
{
    pcu_chain_t ch;
    uint8_t alice[20], contract[20];
    bl_buf_t data = BL_BUF_INIT;
    critical_t c;
    bool parallel = true;

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    pcu_account(alice, 0xa1);
    contract_address(contract);
    assert_int_equal(pcu_call_int(&ch, alice, PARA, REG, CONTRACT, TRANSFER, "2", NULL), 0);
    pcu_encode(ch.suite, &data, TRANSFER, "alice", "bob", "5", NULL);
    data.len -= 1;
    critical_init(&c);
    assert_int_equal(parallel_config_criticals(ch.suite, ch.db, contract, bl_buf_span(&data),
                                               &parallel, &c), BL_OK);
    assert_false(parallel);
    assert_int_equal(c.count, 0);
    assert_int_equal(parallel_config_criticals(ch.suite, ch.db, contract, bl_span("ab", 2),
                                               &parallel, &c), BL_OK);
    assert_false(parallel);
    bl_buf_free(&data);
    pcu_close(&ch);
}

/* Through txdag_tx_criticals: the fields get the contract's address appended. */
static void
para_txdag_appends_the_contract_address(void **state)
{
    static const char *const t[] = { "alice", "bob", "5" };
    pcu_chain_t ch;
    uint8_t alice[20];
    critical_t c;
    bool parallel;
    tx_t tx;

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    pcu_account(alice, 0xa1);
    assert_int_equal(pcu_call_int(&ch, alice, PARA, REG, CONTRACT, TRANSFER, "1", NULL), 0);
    tx_init(&tx);
    tx.has_to = true;
    contract_address(tx.to);
    assert_int_equal(abi_encode_call_text(ch.suite, TRANSFER, t, 3, &tx.data), BL_OK);
    critical_init(&c);
    assert_int_equal(txdag_tx_criticals(ch.suite, ch.db, &tx, &parallel, &c), BL_OK);
    assert_true(parallel);
    assert_int_equal(c.count, 1);
    assert_string_equal(c.fields[0], "alice00000000000000000000000000000000000000c0");
    critical_free(&c);
    tx_free(&tx);
    pcu_close(&ch);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(para_register_update_unregister),
        cmocka_unit_test(para_refused_write_answers_no_authorized),
        cmocka_unit_test(para_malformed_calls_fail),
        cmocka_unit_test(para_sm_suite),
        cmocka_unit_test(para_lookup_gives_the_leading_arguments),
        cmocka_unit_test(para_lookup_of_bad_input_is_serial),
        cmocka_unit_test(para_txdag_appends_the_contract_address),
    };

    return cmocka_run_group_tests_name("pc_parallel_config", tests, NULL, NULL);
}
