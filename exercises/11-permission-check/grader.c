/*
 * grader.c — exercise 11: the table write-permission rule (permission_check.h).
 *
 * Known answers first: hand-made whitelists of _sys_table_access_ rows (open tables, listed
 * and unlisted accounts, the spellings of an address, enable_num), then random whitelists
 * compared with the executive's own rule (src/exec/exec_table.c). Last, the student's rule
 * becomes the executive's (the hook exec_access_rule) in a 4-node PBFT cluster on the
 * simulator: alice creates a table and lists herself with the Permission precompile (0x1005);
 * from the next block on bob's inserts get CODE_NO_AUTHORIZED (-50000) and write nothing,
 * alice's go through, and once alice lists bob too, bob writes.
 */
#include "grade.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clusterutil.h"
#include "pcutil.h"
#include "testutil.h"

#include "base/error.h"
#include "base/rng.h"
#include "exec/exec.h"
#include "ledger/status.h"
#include "node/group.h"
#include "permission_check.h"

/* ---- known answers ---- */

static uint8_t alice[20], bob[20], carol[20];
static char alice_hex[43], bob_hex[43], carol_hex[43];

static void accounts(void)
{
    pcu_account(alice, 0xa1);
    pcu_account(bob, 0xb2);
    pcu_account(carol, 0xc3);
    pcu_account_hex(0xa1, alice_hex);
    pcu_account_hex(0xb2, bob_hex);
    pcu_account_hex(0xc3, carol_hex);
}

/* Add a row (address, enable_num); enable NULL: the row has no enable_num field. */
static void add_row(entries_t *rows, const char *address, const char *enable)
{
    entry_t e;

    entry_init(&e);
    entry_set_str(&e, "table_name", "u_t");
    entry_set_str(&e, "address", address);
    if (enable != NULL)
        entry_set_str(&e, "enable_num", enable);
    entries_take(rows, &e);
}

static void expect(const entries_t *rows, const uint8_t who[20], const char *name,
                   int64_t number, bool want)
{
    if (ex_may_write(rows, who, number) != want)
        fail_msg("%s in block %lld with %zu whitelist row(s): should %sbe allowed to write",
                 name, (long long)number, rows->count, want ? "" : "NOT ");
}

/* §7.3: "if a table has no rows, anyone may write". */
static void a_table_without_rows_is_open_to_everyone(void **state)
{
    entries_t rows;

    (void)state;
    accounts();
    entries_init(&rows);
    expect(&rows, alice, "alice", 1, true);
    expect(&rows, bob, "bob", 100, true);
    expect(&rows, carol, "carol", 0, true);
    entries_free(&rows);
}

/* §7.3: "otherwise only listed tx.origin addresses may write". */
static void only_listed_accounts_may_write(void **state)
{
    entries_t rows;

    (void)state;
    accounts();
    entries_init(&rows);
    add_row(&rows, alice_hex, "1");
    expect(&rows, alice, "alice", 5, true);
    expect(&rows, bob, "bob", 5, false);
    add_row(&rows, carol_hex, "1");
    expect(&rows, alice, "alice", 5, true);
    expect(&rows, carol, "carol (the second row)", 5, true);
    expect(&rows, bob, "bob", 5, false);
    entries_free(&rows);
}

/* One account, however it is spelled: FISCO compares addresses, not text ("0x" or not, upper
 * or lower case). Anything that is not 40 hex digits names nobody — but still closes the
 * table. */
static void addresses_match_with_or_without_0x_in_any_case(void **state)
{
    static const char *const names_alice[] = {
        "0xa1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1", "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1",
        "0XA1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1", "0xA1a1A1a1A1a1A1a1A1a1A1a1A1a1A1a1A1a1A1a1",
    };
    static const char *const names_nobody[] = {
        "0xa1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1",     /* 38 digits */
        "0xa1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1", /* 42 digits */
        "0xa1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a",   /* 39 digits */
        "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1", /* 44 digits, an address inside */
        "0xa1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a2", "xa1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1",
        "",
    };
    entries_t rows;

    (void)state;
    accounts();
    for (size_t i = 0; i < sizeof names_alice / sizeof names_alice[0]; i++) {
        entries_init(&rows);
        add_row(&rows, names_alice[i], "0");
        if (!ex_may_write(&rows, alice, 1))
            fail_msg("a row \"%s\" names alice (0x%s): she should be allowed", names_alice[i],
                     alice_hex + 2);
        expect(&rows, bob, "bob", 1, false);
        entries_free(&rows);
    }
    for (size_t i = 0; i < sizeof names_nobody / sizeof names_nobody[0]; i++) {
        entries_init(&rows);
        add_row(&rows, names_nobody[i], "0");
        if (ex_may_write(&rows, alice, 1))
            fail_msg("a row \"%s\" does not name alice (%s): the table is closed to her",
                     names_nobody[i], alice_hex);
        entries_free(&rows);
    }
}

/* fisco-2x-facts §6.2/§7.3: a grant written in block N gets enable_num N + 1 and counts from
 * then on, so every node executing block N sees the same whitelist whatever order it ran the
 * block's transactions in. A row not yet in force does not even close the table. */
static void a_row_counts_from_its_enable_num(void **state)
{
    entries_t rows;

    (void)state;
    accounts();
    entries_init(&rows);
    add_row(&rows, alice_hex, "11");
    expect(&rows, bob, "bob (the only row is not in force yet)", 10, true);
    expect(&rows, alice, "alice", 10, true);
    expect(&rows, bob, "bob", 11, false);
    expect(&rows, alice, "alice", 11, true);
    expect(&rows, bob, "bob", 12, false);
    add_row(&rows, bob_hex, "20");
    expect(&rows, bob, "bob (his row counts from 20)", 19, false);
    expect(&rows, bob, "bob", 20, true);
    expect(&rows, carol, "carol", 25, false);
    expect(&rows, alice, "alice", 25, true);
    entries_free(&rows);
    entries_init(&rows);
    add_row(&rows, alice_hex, "100000000000"); /* block numbers go beyond 32 bits */
    expect(&rows, bob, "bob", 99999999999LL, true);
    expect(&rows, bob, "bob", 100000000000LL, false);
    entries_free(&rows);
}

/* A row written without enable_num (or with an empty one) counts at once. */
static void a_row_without_enable_num_counts_at_once(void **state)
{
    entries_t rows;

    (void)state;
    accounts();
    entries_init(&rows);
    add_row(&rows, alice_hex, NULL);
    expect(&rows, bob, "bob", 0, false);
    expect(&rows, alice, "alice", 0, true);
    entries_free(&rows);
    entries_init(&rows);
    add_row(&rows, bob_hex, "");
    expect(&rows, alice, "alice", 3, false);
    expect(&rows, bob, "bob", 3, true);
    entries_free(&rows);
}

/* The same answers as the executive's own rule (exec_access_allows) on 3000 random
 * whitelists: 0 to 4 rows of three accounts in various spellings and enable_nums. */
static void random_whitelists_agree_with_the_executor(void **state)
{
    const uint8_t *who[3] = { alice, bob, carol };
    const char *hex[3] = { alice_hex, bob_hex, carol_hex };
    bl_rng_t rng;

    (void)state;
    accounts();
    bl_rng_seed(&rng, 11);
    for (int round = 0; round < 3000; round++) {
        entries_t rows;
        size_t nrows = bl_rng_below(&rng, 5);
        int64_t number = (int64_t)bl_rng_below(&rng, 8);
        const uint8_t *origin = who[bl_rng_below(&rng, 3)];

        entries_init(&rows);
        for (size_t k = 0; k < nrows; k++) {
            char address[43], enable[8];
            uint64_t r = bl_rng_next(&rng);

            snprintf(address, sizeof address, "%s", hex[r % 3]);
            if ((r >> 4) % 3 == 0) /* no 0x */
                memmove(address, address + 2, sizeof address - 2);
            if ((r >> 8) % 3 == 0) /* upper case */
                for (char *p = address; *p; p++)
                    *p = (char)(*p >= 'a' && *p <= 'f' ? *p - 'a' + 'A' : *p);
            snprintf(enable, sizeof enable, "%u", (unsigned)((r >> 12) % 8));
            add_row(&rows, address, (r >> 16) % 5 == 0 ? NULL : enable);
        }
        if (ex_may_write(&rows, origin, number) != exec_access_allows(&rows, origin, number))
            fail_msg("round %d: %zu rows, block %lld: the executor's answer is %s", round,
                     rows.count, (long long)number,
                     exec_access_allows(&rows, origin, number) ? "allowed" : "refused");
        entries_free(&rows);
    }
}

/* ---- the cluster ---- */

#define G 1
#define LIMIT_MS 20000
#define TABLE_FACTORY 0x1001
#define CRUD 0x1002
#define PERMISSION 0x1005
#define NO_AUTHORIZED (-50000)

typedef struct {
    cu_cluster_t c;
    keypair_t alice, bob; /* alice is the cluster's client key */
    char alice_hex[43], bob_hex[43];
} perm_cluster_t;

/* Run until node 0 committed every tx of hashes[0..n), then until every node has that
 * height; the receipts (receipt_free them) and the block each tx is in. Fails with the seed
 * and a trace if it takes longer than LIMIT_MS of virtual time. */
static void wait_receipts(cu_cluster_t *c, uint8_t (*hashes)[32], size_t n, receipt_t *receipts,
                          int64_t *numbers)
{
    cu_wait_committed(c, G, (const uint8_t(*)[32])hashes, n, receipts, numbers, LIMIT_MS, NULL);
}

/* A call to `to`, signed by `key`, submitted to node 0. */
static void submit_as(cu_cluster_t *c, const keypair_t *key, uint16_t to, const char *sig,
                      const char *const *args, size_t nargs, uint8_t hash[32])
{
    bl_buf_t raw = BL_BUF_INIT;
    tx_t tx;
    int status;

    tx_init(&tx);
    assert_int_equal(tx_make_precompile_call(&tx, key, to, sig, args, nargs, ++c->next_nonce,
                                             1, G), BL_OK);
    tx_encode(c->suite, &tx, &raw);
    tx_free(&tx);
    status = node_submit(cu_node(c, 0), G, bl_buf_span(&raw), hash);
    bl_buf_free(&raw);
    if (status != TX_OK)
        fail_msg("seed=%llu: node 0 refused %s: status %d", (unsigned long long)c->seed, sig,
                 status);
}

/* One transaction, waited for; its receipt's int256 output (status must be 0). */
static int64_t send_one(perm_cluster_t *p, const keypair_t *key, uint16_t to, const char *sig,
                        const char *const *args, size_t nargs, int64_t *number)
{
    uint8_t hash[1][32];
    receipt_t r;
    int64_t out, at;

    submit_as(&p->c, key, to, sig, args, nargs, hash[0]);
    wait_receipts(&p->c, hash, 1, &r, &at);
    assert_int_equal(r.status, TX_OK);
    out = pcu_output_int(&r);
    receipt_free(&r);
    if (number != NULL)
        *number = at;
    return out;
}

static void insert_args(const char *who, const char **args, char *entry, size_t cap)
{
    snprintf(entry, cap, "{\"owner\":\"%s\"}", who);
    args[0] = "t_acct";
    args[1] = "row";
    args[2] = entry;
    args[3] = "";
}

/* The owners of t_acct's rows, as a select transaction (by alice) sees them: "alice,bob". */
static void owners(perm_cluster_t *p, char *out, size_t cap)
{
    const char *args[4] = { "t_acct", "row", "{}", "" };
    uint8_t hash[1][32];
    receipt_t r;
    int64_t at;
    char *text;
    json_t *rows;

    submit_as(&p->c, &p->alice, CRUD, "select(string,string,string,string)", args, 4, hash[0]);
    wait_receipts(&p->c, hash, 1, &r, &at);
    text = pcu_output_string(&r);
    rows = json_loads(text, 0, NULL);
    assert_non_null(rows);
    out[0] = '\0';
    for (size_t i = 0; i < json_array_size(rows); i++) {
        json_t *o = json_object_get(json_array_get(rows, i), "owner");

        snprintf(out + strlen(out), cap - strlen(out), "%s%s", i ? "," : "",
                 json_is_string(o) ? json_string_value(o) : "?");
    }
    json_decref(rows);
    free(text);
    receipt_free(&r);
}

static void expect_insert(perm_cluster_t *p, const keypair_t *key, const char *who,
                          int64_t want)
{
    const char *args[4];
    char entry[64];
    int64_t at, got;

    insert_args(who, args, entry, sizeof entry);
    got = send_one(p, key, CRUD, "insert(string,string,string,string)", args, 4, &at);
    if (got != want)
        cu_fail(&p->c, "%s's insert into t_acct in block %lld answered %lld, "
                        "expected %lld (%s)", who, (long long)at, (long long)got,
                        (long long)want,
                        want == NO_AUTHORIZED ? "CODE_NO_AUTHORIZED: not on the whitelist"
                                              : "1 row written");
}

/* Alice lists herself for t_acct while bob inserts: if bob's insert is in the same block as
 * the grant (or before it), the grant is not in force yet and bob writes; in a later block he
 * is refused. Returns what bob's insert answered. */
static int64_t grant_alice_while_bob_inserts(perm_cluster_t *p)
{
    const char *grant[2] = { "t_acct", p->alice_hex };
    const char *args[4];
    char entry[64];
    uint8_t hashes[2][32];
    receipt_t r[2];
    int64_t at[2], bob_got, want;

    insert_args("bob-early", args, entry, sizeof entry);
    submit_as(&p->c, &p->alice, PERMISSION, "insert(string,string)", grant, 2, hashes[0]);
    submit_as(&p->c, &p->bob, CRUD, "insert(string,string,string,string)", args, 4, hashes[1]);
    wait_receipts(&p->c, hashes, 2, r, at);
    assert_int_equal(r[0].status, TX_OK);
    assert_int_equal(pcu_output_int(&r[0]), 1);
    bob_got = pcu_output_int(&r[1]);
    want = at[1] <= at[0] ? 1 : NO_AUTHORIZED;
    printf("the grant is in block %lld, bob's first insert in block %lld\n", (long long)at[0],
           (long long)at[1]);
    if (bob_got != want)
        cu_fail(&p->c, "alice's grant is in block %lld (in force from %lld), bob's "
                        "insert in block %lld answered %lld, expected %lld", (long long)at[0],
                        (long long)at[0] + 1, (long long)at[1], (long long)bob_got,
                        (long long)want);
    receipt_free(&r[0]);
    receipt_free(&r[1]);
    return bob_got;
}

static void permission_scenario(perm_cluster_t *p)
{
    const char *create[3] = { "t_acct", "name", "owner" };
    const char *grant_bob[2] = { "t_acct", p->bob_hex };
    char got[128], want[128];
    int64_t bob_early;

    if (send_one(p, &p->alice, TABLE_FACTORY, "createTable(string,string,string)", create, 3,
                 NULL) != 0)
        cu_fail(&p->c, "alice could not create table t_acct: _sys_tables_ has no "
                        "whitelist, so everyone may create tables");
    bob_early = grant_alice_while_bob_inserts(p);
    expect_insert(p, &p->bob, "bob", NO_AUTHORIZED);
    expect_insert(p, &p->alice, "alice", 1);
    owners(p, got, sizeof got); /* the refused insert wrote nothing */
    snprintf(want, sizeof want, "%salice", bob_early == 1 ? "bob-early," : "");
    if (strcmp(got, want) != 0)
        cu_fail(&p->c, "t_acct holds rows of [%s], expected [%s]", got, want);
    if (send_one(p, &p->alice, PERMISSION, "insert(string,string)", grant_bob, 2, NULL) != 1)
        cu_fail(&p->c, "alice could not list bob for t_acct");
    expect_insert(p, &p->bob, "bob", 1);
    expect_insert(p, &p->alice, "alice2", 1);
    cu_assert_tips_agree(&p->c, G);
}

/* "0x" and the 40 hex digits of the key's address, into out[43]. */
static void address_hex(const keypair_t *key, char out[43])
{
    uint8_t addr[20];

    keypair_address(key, addr);
    out[0] = '0';
    out[1] = 'x';
    bl_hex_encode(addr, 20, out + 2);
}

/* §7.3 inside the executive of every node of a 4-node PBFT group, the student's rule
 * deciding: an account outside a table's whitelist gets CODE_NO_AUTHORIZED and writes nothing,
 * a listed one writes, a grant counts from the block after it; every node agrees. */
static void cluster_outsider_is_refused_and_listed_account_writes(void **state)
{
    perm_cluster_t p;
    const uint64_t seed = 111;

    (void)state;
    printf("cluster seed %llu\n", (unsigned long long)seed);
    exec_access_rule = ex_may_write;
    cu_open(&p.c, seed, 4);
    cu_group_with(&p.c, G, "0,1,2,3", "0,1,2,3", "pbft");
    p.alice = p.c.client;
    tu_key(&p.bob, p.c.suite, 0x78);
    address_hex(&p.alice, p.alice_hex);
    address_hex(&p.bob, p.bob_hex);
    cu_start(&p.c);
    permission_scenario(&p);
    cu_close(&p.c);
    exec_access_rule = exec_access_allows;
}

int main(void)
{
    static const grade_test_t tests[] = {
        { "a_table_without_rows_is_open_to_everyone", a_table_without_rows_is_open_to_everyone,
          10 },
        { "only_listed_accounts_may_write", only_listed_accounts_may_write, 15 },
        { "addresses_match_with_or_without_0x_in_any_case",
          addresses_match_with_or_without_0x_in_any_case, 10 },
        { "a_row_counts_from_its_enable_num", a_row_counts_from_its_enable_num, 15 },
        { "a_row_without_enable_num_counts_at_once", a_row_without_enable_num_counts_at_once,
          5 },
        { "random_whitelists_agree_with_the_executor", random_whitelists_agree_with_the_executor,
          10 },
        { "cluster_outsider_is_refused_and_listed_account_writes",
          cluster_outsider_is_refused_and_listed_account_writes, 35 },
    };

    return grade_run("11-permission-check", tests, sizeof tests / sizeof tests[0]);
}
