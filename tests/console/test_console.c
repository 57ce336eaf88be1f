/*
 * test_console.c — `bcoslab console` driven as an instructor's script drives it (issue #8):
 * every command through the scripted mode (-c, -f, stdin), checking what it prints AND what it
 * did to the chain (a block really made, a table really created, a sealer really gone from the
 * next block, a permission really enforced), and that a wrong command, a bad argument or SQL
 * outside the subset prints a usage line or an error and changes nothing.
 *
 * Every run is the demo chain on the simulator with seed 1 (nodes A-D; group 1 PBFT of all
 * four, group 2 Raft of A and B): the same script gives the same answers, so a test may run a
 * prefix again to look at the chain it left.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The four node IDs of the seed-1 demo chain start with these (the `nodes` command says so). */
static char node_prefix[4][17];

/* Run the script (one command a line) with -f; the exit status must be want. stdout. */
static char *
run_script(int want, const char *script)
{
    char path[4096];
    char *out = NULL, *err = NULL;
    FILE *f;
    int st;

    snprintf(path, sizeof path, "%s/script.txt", tu_dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(script, f);
    fclose(f);
    st = tu_run(&out, &err, "console --demo --sim -f %s", path);
    if (st != want)
        fail_msg("exit %d, not %d, for:\n%s\nstdout:\n%s\nstderr:\n%s", st, want, script, out,
                 err);
    assert_string_equal(err, "");
    free(err);
    return out;
}

static void
has(const char *out, const char *want)
{
    if (strstr(out, want) == NULL)
        fail_msg("the output has no \"%s\":\n%s", want, out);
}

static void
has_not(const char *out, const char *unwanted)
{
    if (strstr(out, unwanted) != NULL)
        fail_msg("the output has \"%s\":\n%s", unwanted, out);
}

/* The output's last line (a static copy). */
static const char *
last_line(const char *out)
{
    static char line[4096];
    size_t n = strlen(out);

    while (n > 0 && out[n - 1] == '\n')
        n--;
    size_t start = n;

    while (start > 0 && out[start - 1] != '\n')
        start--;
    snprintf(line, sizeof line, "%.*s", (int)(n - start), out + start);
    return line;
}

/* The JSON the last command printed (it starts at the last unindented '{' or '['). */
static json_t *
last_json(const char *out)
{
    const char *start = NULL;
    json_t *j;

    for (const char *p = out; *p != '\0'; p++)
        if ((p == out || p[-1] == '\n') && (*p == '{' || *p == '['))
            start = p;
    assert_non_null(start);
    j = json_loads(start, 0, NULL);
    if (j == NULL)
        fail_msg("not JSON:\n%s", start);
    return j;
}

static size_t
count(const char *out, const char *what)
{
    size_t n = 0;

    for (const char *p = out; (p = strstr(p, what)) != NULL; p += strlen(what))
        n++;
    return n;
}

static int
setup(void **state)
{
    char *out;

    tu_setup_dir(state);
    out = run_script(0, "nodes\n");
    for (int i = 0; i < 4; i++) {
        const char *line = strstr(out, (char[]){ (char)('A' + i), ' ', 'u', 'p', ' ', 0 });

        assert_non_null(line);
        snprintf(node_prefix[i], sizeof node_prefix[i], "%.16s", line + 5);
    }
    free(out);
    return 0;
}

/* ---- chain status ---- */

/* getBlockNumber: the genesis block is 0; each committed transaction's block adds one. */
static void
get_block_number_counts_committed_blocks(void **state)
{
    char *out = run_script(0, "getBlockNumber\nuserAdd alice 100\ngetBlockNumber\n");

    (void)state;
    assert_true(strncmp(out, "0\n", 2) == 0);
    assert_string_equal(last_line(out), "1");
    free(out);
}

/* -c runs a ';'-separated script, as FISCO's console runs one command per line. */
static void
dash_c_runs_commands_separated_by_semicolons(void **state)
{
    char *out = tu_run_ok("console --demo --sim -c 'userAdd alice 100; userBalance alice'");

    (void)state;
    has(out, "transaction hash: 0x");
    assert_string_equal(last_line(out), "100");
    free(out);
}

/* Commands are read from standard input when it is not a terminal. */
static void
stdin_is_read_when_not_a_terminal(void **state)
{
    char path[4096], cmd[9000], *out;
    FILE *f;

    (void)state;
    snprintf(path, sizeof path, "%s/stdin.txt", tu_dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("getBlockNumber\ngetGroupList\n", f);
    fclose(f);
    /* tu_run reads stdin from /dev/null: run the binary by hand */
    snprintf(cmd, sizeof cmd, "%s console --demo --sim <%s >%s/stdout.txt 2>&1",
             getenv("BL_BIN"), path, tu_dir);
    assert_int_equal(system(cmd), 0);
    snprintf(path, sizeof path, "%s/stdout.txt", tu_dir);
    out = tu_read_file(path, NULL);
    has(out, "0\n[\n    1,\n    2\n]");
    free(out);
}

/* getBlockByNumber/ByHash give FISCO's block JSON (number as hex, hash, sealerList, the
 * transactions as hashes, or whole with true); getBlockHashByNumber its hash. */
static void
block_queries_give_fisco_block_json(void **state)
{
    char *out = run_script(0, "userAdd alice 100\ngetBlockByNumber 1\n");
    json_t *b = last_json(out), *again;
    const char *hash = json_string_value(json_object_get(b, "hash"));
    char script[1024], *out2, *out3;

    (void)state;
    assert_string_equal(json_string_value(json_object_get(b, "number")), "0x1");
    assert_int_equal(json_array_size(json_object_get(b, "sealerList")), 4);
    assert_int_equal(json_array_size(json_object_get(b, "transactions")), 1);
    assert_true(json_is_string(json_array_get(json_object_get(b, "transactions"), 0)));
    snprintf(script, sizeof script, "userAdd alice 100\ngetBlockByHash %s true\n", hash);
    out2 = run_script(0, script);
    again = last_json(out2);
    assert_string_equal(json_string_value(json_object_get(again, "hash")), hash);
    assert_true(json_is_object(json_array_get(json_object_get(again, "transactions"), 0)));
    out3 = run_script(0, "userAdd alice 100\ngetBlockHashByNumber 1\n");
    assert_string_equal(last_line(out3), hash);
    json_decref(again);
    json_decref(b);
    free(out);
    free(out2);
    free(out3);
}

/* getBlockHeaderByNumber: the header's fields; with true, the PBFT commit signatures. */
static void
block_header_query_gives_header_and_signatures(void **state)
{
    char *out = run_script(0, "userAdd alice 100\ngetBlockHeaderByNumber 1 true\n");
    json_t *h = last_json(out);

    (void)state;
    assert_string_equal(json_string_value(json_object_get(h, "number")), "0x1");
    assert_non_null(json_object_get(h, "stateRoot"));
    assert_null(json_object_get(h, "transactions"));
    assert_true(json_array_size(json_object_get(h, "signatureList")) >= 3); /* n - f of 4 */
    json_decref(h);
    free(out);
}

/* getTransactionByHash / getTransactionReceipt: the tx where it was included, and its receipt
 * (status 0x0, the precompile's output). */
static void
tx_and_receipt_queries_find_the_sent_transaction(void **state)
{
    char *out = run_script(0, "userAdd alice 100\n");
    char hash[67], script[512], *out2, *out3;
    json_t *tx, *r;

    (void)state;
    assert_int_equal(sscanf(out, "transaction hash: %66s", hash), 1);
    snprintf(script, sizeof script, "userAdd alice 100\ngetTransactionByHash %s\n", hash);
    out2 = run_script(0, script);
    tx = last_json(out2);
    assert_string_equal(json_string_value(json_object_get(tx, "hash")), hash);
    assert_string_equal(json_string_value(json_object_get(tx, "blockNumber")), "0x1");
    assert_string_equal(json_string_value(json_object_get(tx, "to")),
                        "0x0000000000000000000000000000000000005002");
    snprintf(script, sizeof script, "userAdd alice 100\ngetTransactionReceipt %s\n", hash);
    out3 = run_script(0, script);
    r = last_json(out3);
    assert_string_equal(json_string_value(json_object_get(r, "transactionHash")), hash);
    assert_string_equal(json_string_value(json_object_get(r, "status")), "0x0");
    assert_string_equal(json_string_value(json_object_get(r, "blockNumber")), "0x1");
    json_decref(tx);
    json_decref(r);
    free(out);
    free(out2);
    free(out3);
}

/* getTransactionByBlockNumberAndIndex / ...HashAndIndex: the index-th transaction of a block;
 * an index past the block's transactions is FISCO's -40005. getBlockHeaderByHash finds the
 * header by its hash. */
static void
transaction_by_block_and_index(void **state)
{
    char *out = run_script(1, "userAdd alice 1\ngetTransactionByBlockNumberAndIndex 1 0\n"
                              "getTransactionByBlockNumberAndIndex 1 5\n"
                              "getTransactionByBlockNumberAndIndex 1 0\n");
    char *h = run_script(0, "userAdd alice 1\ngetBlockHashByNumber 1\n");
    char hash[67], script[512], *out2;
    json_t *tx = last_json(out), *again, *header;

    (void)state;
    assert_int_equal(sscanf(out, "transaction hash: %66s", hash), 1);
    assert_string_equal(json_string_value(json_object_get(tx, "hash")), hash);
    has(out, "out of range: block 1 has 1 (-40005)");
    snprintf(script, sizeof script, "userAdd alice 1\ngetBlockHeaderByHash %s\n"
             "getTransactionByBlockHashAndIndex %s 0\n", last_line(h), last_line(h));
    out2 = run_script(0, script);
    again = last_json(out2);
    assert_string_equal(json_string_value(json_object_get(again, "hash")), hash);
    assert_non_null(strstr(out2, "\n{\n    \"hash\""));
    header = json_loads(strstr(out2, "\n{\n    \"hash\"") + 1, JSON_DISABLE_EOF_CHECK, NULL);
    assert_non_null(header);
    assert_string_equal(json_string_value(json_object_get(header, "number")), "0x1");
    json_decref(header);
    json_decref(again);
    json_decref(tx);
    free(out);
    free(out2);
    free(h);
}

/* getCryptoType names the chain's suite: ECDSA on secp256k1 with Keccak-256, or with --sm
 * SM2 and SM3 — and transactions signed with SM2 commit as well. getNodeVersion and
 * getNodeInfo say what the chain follows and which node answers. */
static void
crypto_type_version_and_node_info(void **state)
{
    char *out = tu_run_ok("console --demo --sim -c 'getCryptoType; getNodeVersion; getNodeInfo'");
    char *sm = tu_run_ok("console --demo --sm --sim -c 'getCryptoType; userAdd a 3; "
                         "userBalance a'");

    (void)state;
    has(out, "ECDSA");
    has(out, "\"FISCO-BCOS Version\": \"2.9.0\"");
    has(out, "\"Node\": \"nodeA\"");
    has(out, node_prefix[0]);
    has(sm, "SM (SM2, SM3)");
    assert_string_equal(last_line(sm), "3");
    free(out);
    free(sm);
}

/* An unknown tx hash: FISCO's console says it does not exist. */
static void
unknown_transaction_hash_does_not_exist(void **state)
{
    char *out = run_script(1, "getTransactionReceipt 0x0000000000000000000000000000000000000000"
                              "000000000000000000000001\n");

    (void)state;
    has(out, "This transaction hash doesn't exist.");
    free(out);
}

/* getTotalTransactionCount: {blockNumber, txSum, failedTxSum}; getPendingTxSize: the pool,
 * empty once everything is committed. */
static void
total_and_pending_counts(void **state)
{
    char *out = run_script(0, "userAdd a 1\nuserAdd b 2\ngetPendingTxSize\n"
                              "getTotalTransactionCount\n");
    json_t *j = last_json(out);

    (void)state;
    assert_int_equal(json_integer_value(json_object_get(j, "blockNumber")), 2);
    assert_int_equal(json_integer_value(json_object_get(j, "txSum")), 2);
    assert_int_equal(json_integer_value(json_object_get(j, "failedTxSum")), 0);
    has(out, "\n0\n{");
    json_decref(j);
    free(out);
}

/* getSealerList / getObserverList / getGroupPeers / getNodeIDList / getPeers: the demo's
 * group 1 has four sealers, no observers; node A is connected to B, C and D (once they have
 * said hello: after the first block). */
static void
membership_and_peer_queries(void **state)
{
    char *out = run_script(0, "userAdd a 1\ngetSealerList\ngetObserverList\ngetGroupPeers\ngetNodeIDList\n"
                              "getPeers\n");
    json_t *peers = last_json(out);

    (void)state;
    has(out, "]\n[]\n[");
    assert_int_equal(count(out, node_prefix[3]), 4); /* sealers, peers, IDs, getPeers */
    assert_int_equal(json_array_size(peers), 3);
    assert_non_null(json_object_get(json_array_get(peers, 0), "nodeId"));
    json_decref(peers);
    free(out);
}

/* getPbftView, getConsensusStatus, getSyncStatus: the PBFT group's view, its engine's state,
 * and every node at the same height. */
static void
consensus_and_sync_status(void **state)
{
    char *out = run_script(0, "userAdd a 1\ngetPbftView\ngetConsensusStatus\n");
    char *out2 = run_script(0, "userAdd a 1\nadvance 2000\ngetSyncStatus\n");
    json_t *cs = last_json(out), *ss = last_json(out2);

    (void)state;
    assert_string_equal(json_string_value(json_object_get(cs, "consensusType")), "pbft");
    assert_int_equal(json_integer_value(json_object_get(cs, "nodeNum")), 4);
    assert_int_equal(json_integer_value(json_object_get(cs, "maxFaultyNodeNum")), 1);
    assert_int_equal(json_integer_value(json_object_get(ss, "blockNumber")), 1);
    assert_false(json_is_true(json_object_get(ss, "isSyncing")));
    assert_int_equal(json_array_size(json_object_get(ss, "peers")), 3);
    json_decref(cs);
    json_decref(ss);
    free(out);
    free(out2);
}

/* switch: group 2 is Raft (getPbftView is refused with FISCO's -40007), has two sealers and its
 * own height; a group that does not exist is refused and the console stays where it was. */
static void
switch_changes_group(void **state)
{
    char *out = run_script(1, "userAdd a 1\nswitch 2\ngetBlockNumber\ngetSealerList\n"
                              "getPbftView\nswitch 3\ngetBlockNumber\n");

    (void)state;
    has(out, "Switched to group 2.\n0\n");
    has(out, "-40007");
    has(out, "group 3 does not exist");
    assert_string_equal(last_line(out), "0"); /* still group 2 */
    free(out);
}

/* ---- DagTransfer ---- */

/* userAdd/userSave/userDraw/userTransfer change balances; a draw beyond the balance answers
 * -51404 and changes nothing; an existing user -51403. */
static void
dag_transfer_commands_move_money(void **state)
{
    char *out = run_script(1, "userAdd alice 100\nuserAdd bob 10\nuserSave alice 5\n"
                              "userDraw bob 3\nuserTransfer alice bob 20\nuserBalance alice\n"
                              "userBalance bob\nuserDraw bob 1000\nuserAdd bob 1\n"
                              "userBalance bob\n");

    (void)state;
    has(out, "\n85\n27\n");
    has(out, "\"code\":-51404");
    has(out, "\"code\":-51403");
    assert_string_equal(last_line(out), "27");
    free(out);
}

/* An amount that is not a number is refused before anything is signed. */
static void
dag_transfer_rejects_a_bad_amount(void **state)
{
    char *out = run_script(1, "userAdd alice ten\nuserAdd alice\ngetBlockNumber\n");

    (void)state;
    has(out, "'ten' is not an amount");
    has(out, "Usage: userAdd user amount");
    has_not(out, "transaction hash");
    assert_string_equal(last_line(out), "0");
    free(out);
}

/* ---- system config ---- */

/* setSystemConfigByKey writes _sys_config_ (read back by getSystemConfigByKey); an invalid
 * value or an unknown key is refused and makes no block. */
static void
system_config_is_set_and_read_back(void **state)
{
    char *out = run_script(1, "getSystemConfigByKey tx_count_limit\n"
                              "setSystemConfigByKey tx_count_limit 50\n"
                              "getSystemConfigByKey tx_count_limit\n"
                              "setSystemConfigByKey tx_count_limit 0\n"
                              "setSystemConfigByKey no_such_key 1\n"
                              "getSystemConfigByKey no_such_key\ngetBlockNumber\n");

    (void)state;
    assert_true(strncmp(out, "1000\n{\n    \"code\":0,", 20) == 0);
    has(out, "}\n50\n");
    has(out, "'0' is not a valid value of 'tx_count_limit'");
    has(out, "'no_such_key' is not a system config key");
    assert_string_equal(last_line(out), "1");
    free(out);
}

/* ---- nodes ---- */

/* removeNode takes D out of the sealers from the NEXT block: the block carrying the change
 * still lists four sealers, the one after lists three; addObserver makes it an observer;
 * addSealer brings it back. */
static void
node_changes_take_effect_from_the_next_block(void **state)
{
    char *out = run_script(0, "removeNode D\ngetSealerList\nuserAdd a 1\n"
                              "getBlockHeaderByNumber 1\n");
    char *out2 = run_script(0, "removeNode D\nuserAdd a 1\ngetBlockHeaderByNumber 2\n");
    char *out3 = run_script(0, "removeNode D\naddObserver D\ngetObserverList\naddSealer D\n"
                               "getSealerList\n");
    json_t *h1 = last_json(out), *h2 = last_json(out2), *sealers = last_json(out3);

    (void)state;
    has(out, "\"code\":0");
    assert_int_equal(json_array_size(json_object_get(h1, "sealerList")), 4);
    assert_int_equal(json_array_size(json_object_get(h2, "sealerList")), 3);
    has(out3, "[\n    \"");
    assert_int_equal(json_array_size(sealers), 4);
    assert_int_equal(count(out3, node_prefix[3]), 2); /* observer, then sealer again */
    json_decref(h1);
    json_decref(h2);
    json_decref(sealers);
    free(out);
    free(out2);
    free(out3);
}

/* A node ID that is neither 128 hex digits nor a node's name is refused, nothing sent. */
static void
node_commands_reject_bad_node_ids(void **state)
{
    char *out = run_script(1, "addSealer 1234abcd1234\naddSealer Z\ngetBlockNumber\n");

    (void)state;
    has(out, "a node ID is 128 hex digits");
    has(out, "no node 'Z'");
    assert_string_equal(last_line(out), "0");
    free(out);
}

/* ---- CRUD SQL ---- */

/* create/desc/insert/select/update/delete: all strings, the key in WHERE, limit. */
static void
sql_round_trip(void **state)
{
    char *out = run_script(0,
        "create table t_demo(name varchar, item_id varchar, item_name varchar, "
        "primary key(name))\n"
        "desc t_demo\n"
        "insert into t_demo (name, item_id, item_name) values (fruit, 1, apple)\n"
        "insert into t_demo values (fruit, 2, 'green pear')\n"
        "select * from t_demo where name = fruit\n"
        "select item_name from t_demo where name = fruit and item_id > 1\n"
        "update t_demo set item_name = orange where name = fruit and item_id = 1\n"
        "select * from t_demo where name = fruit limit 1\n"
        "delete from t_demo where name = fruit and item_id = 2\n"
        "select * from t_demo where name = fruit\n"
        "getBlockNumber\n");

    (void)state;
    has(out, "Create 't_demo' Ok.\n");
    has(out, "\"key\": \"name\"");
    has(out, "\"valueFields\": \"item_id,item_name\"");
    assert_int_equal(count(out, "Insert OK, 1 row affected."), 2);
    has(out, "| fruit | 2       | green pear |\n2 rows in set.");
    has(out, "| item_name  |\n| green pear |\n1 row in set.");
    has(out, "Update OK, 1 row affected.\n| name  | item_id | item_name |\n"
             "| fruit | 1       | orange    |\n1 row in set.");
    has(out, "Remove OK, 1 row affected.\n| name  | item_id | item_name |\n"
             "| fruit | 1       | orange    |\n1 row in set.");
    assert_string_equal(last_line(out), "5"); /* one block per write */
    free(out);
}

/* SQL outside the subset (or, no key in WHERE, unknown field or table, a key update, no
 * primary key, an unclosed quote) prints an error or a usage line and makes no block. */
static void
sql_outside_the_subset_is_refused_and_changes_nothing(void **state)
{
    char *out = run_script(1,
        "create table t(k varchar, v varchar, primary key(k))\n"
        "insert into t (k, v) values (a, 1)\n"
        "select * from t where v = 1\n"
        "select * from t where k = a or v = 1\n"
        "select * from t\n"
        "select nope from t where k = a\n"
        "select * from t_none where k = a\n"
        "insert into t (k, nope) values (a, 1)\n"
        "insert into t (k, v) values (a)\n"
        "insert into t (v) values (1)\n"
        "update t set k = b where k = a\n"
        "delete from t where v = 1\n"
        "create table u(k varchar, v varchar)\n"
        "insert into t (k, v) values ('a, 1)\n"
        "drop table t\n"
        "select * from t where k = a\n"
        "getBlockNumber\n");

    (void)state;
    has(out, "the where clause must give the primary key: k = value");
    has(out, "only 'and' joins conditions");
    has(out, "Usage: select");
    has(out, "unknown field \"nope\"");
    has(out, "the table \"t_none\" does not exist");
    has(out, "2 columns but 1 values");
    has(out, "the insert must give the key field \"k\"");
    has(out, "the primary key \"k\" cannot be updated");
    has(out, "the table needs a primary key");
    has(out, "unclosed quote");
    has(out, "unknown command 'drop'");
    has(out, "| a | 1 |\n1 row in set.");
    assert_string_equal(last_line(out), "2");
    free(out);
}

/* ---- permissions ---- */

/* grantUserTableManager lists the account for the table: from the next block only it may
 * write; another account's insert answers -50000 (permission denied) and writes nothing;
 * revoke opens the table again. */
static void
table_permission_is_enforced(void **state)
{
    char *me = run_script(0, "getCurrentAccount\n");
    char script[2048], *out;
    char addr[43];

    (void)state;
    snprintf(addr, sizeof addr, "%s", last_line(me));
    snprintf(script, sizeof script,
             "create table t_p(k varchar, v varchar, primary key(k))\n"
             "grantUserTableManager t_p %s\nlistUserTableManager t_p\n"
             "insert into t_p (k, v) values (a, 1)\n"
             "newAccount\ninsert into t_p (k, v) values (b, 2)\nselect * from t_p where k = b\n"
             "loadAccount %s\nrevokeUserTableManager t_p %s\nlistUserTableManager t_p\n"
             "listNodeManager\n", addr, addr, addr);
    out = run_script(1, script);
    has(out, addr);
    has(out, "| enable_num |");
    has(out, "Insert OK, 1 row affected.\nnewAccount: 0x");
    has(out, "\"code\":-50000,\n    \"msg\":\"permission denied\"\n}\nEmpty set.\n");
    has(out, "success!\n{\n    \"code\":0");
    assert_string_equal(last_line(out), "Empty set.");
    free(out);
    free(me);
}

/* The manager families guard the system tables: granting NodeManager to another account
 * makes the current one unable to add nodes. */
static void
manager_permissions_guard_system_tables(void **state)
{
    char *out = run_script(1, "grantNodeManager 0x1111111111111111111111111111111111111111\n"
                              "listNodeManager\nremoveNode D\ngetSealerList\n"
                              "grantDeployAndCreateManager 0x11\n"
                              "grantUserTableManager t_none "
                              "0x1111111111111111111111111111111111111111\n");

    (void)state;
    has(out, "| 0x1111111111111111111111111111111111111111 |");
    has(out, "\"code\":-50000");
    assert_int_equal(count(out, node_prefix[3]), 1); /* D is still a sealer */
    has(out, "'0x11' is not an account address");
    has(out, "the table \"t_none\" does not exist");
    free(out);
}

/* Every manager list (fisco-2x-facts §10.1: grantXManager ADDRESS, listXManager,
 * revokeXManager ADDRESS) takes an account, lists it with its enable_num and lets it go again.
 * While SysConfigManager lists somebody else, the console's own account may not change the
 * system config (-50000); once the list is empty again the table is open to all. Once
 * PermissionManager lists somebody else, only that account may change permissions: our revoke
 * is refused and the list stays. */
static void
manager_lists_grant_list_and_revoke(void **state)
{
    static const char *const managers[] = { "CNS", "SysConfig", "DeployAndCreate", "Node" };
    const char *addr = "0x1111111111111111111111111111111111111111";

    (void)state;
    for (size_t i = 0; i < sizeof managers / sizeof managers[0]; i++) {
        char script[600], *out;
        const char *m = managers[i];

        snprintf(script, sizeof script, "grant%sManager %s\nlist%sManager\nrevoke%sManager %s\n"
                 "list%sManager\n", m, addr, m, m, addr, m);
        out = run_script(0, script);
        has(out, "\"code\":0");
        has(out, "| 0x1111111111111111111111111111111111111111 |");
        has(out, "Empty set.");
        free(out);
    }
    {
        char *out = run_script(1, "grantSysConfigManager "
                                  "0x1111111111111111111111111111111111111111\n"
                                  "setSystemConfigByKey tx_count_limit 600\n"
                                  "getSystemConfigByKey tx_count_limit\n"
                                  "revokeSysConfigManager "
                                  "0x1111111111111111111111111111111111111111\n"
                                  "setSystemConfigByKey tx_count_limit 600\n"
                                  "getSystemConfigByKey tx_count_limit\n");

        has(out, "\"code\":-50000");
        has(out, "\n1000\n");
        has(out, "\n600\n");
        free(out);
    }
    {
        char *out = run_script(1, "grantPermissionManager "
                                  "0x1111111111111111111111111111111111111111\n"
                                  "revokePermissionManager "
                                  "0x1111111111111111111111111111111111111111\n"
                                  "listPermissionManager\n");

        has(out, "\"code\":-50000");
        has(out, "| 0x1111111111111111111111111111111111111111 |");
        free(out);
    }
}

/* ---- CNS ---- */

/* registerCNS name address version; queryCNS name [version]; a name+version registered twice
 * answers -51200. */
static void
cns_register_and_query(void **state)
{
    char *out = run_script(1, "registerCNS Hello 0x0000000000000000000000000000000000001234 1.0\n"
                              "registerCNS Hello 0x0000000000000000000000000000000000005678 2.0\n"
                              "registerCNS Hello 0x0000000000000000000000000000000000005678 2.0\n"
                              "queryCNS Hello\nqueryCNS Hello 2.0\nqueryCNS Nobody\n"
                              "registerCNS Bad 0x12 1.0\n");

    (void)state;
    has(out, "\"code\":-51200");
    has(out, "| 1.0     | 0x0000000000000000000000000000000000001234 |\n"
             "| 2.0     | 0x0000000000000000000000000000000000005678 |\n");
    has(out, "| version | address                                    |\n"
             "| 2.0     | 0x0000000000000000000000000000000000005678 |\nEmpty set.\n");
    has(out, "'0x12' is not a contract address");
    free(out);
}

/* ---- accounts ---- */

/* newAccount makes (and uses) a new account, saved as PEM when given a directory; loadAccount
 * takes a listed address or a key file; listAccount marks the current one. */
static void
accounts_are_made_listed_and_loaded(void **state)
{
    char script[8192], *out, *first, path[4200];
    char addr[43];

    (void)state;
    first = run_script(0, "getCurrentAccount\n");
    snprintf(script, sizeof script, "newAccount %s\ngetCurrentAccount\nlistAccount\n", tu_dir);
    out = run_script(0, script);
    assert_int_equal(sscanf(strstr(out, "newAccount: "), "newAccount: %42s", addr), 1);
    has(out, "(current account) <=");
    has(out, last_line(first));
    snprintf(path, sizeof path, "%s/%s.pem", tu_dir, addr);
    free(out);
    snprintf(script, sizeof script, "loadAccount %s\ngetCurrentAccount\nloadAccount 0x%040d\n",
             path, 0);
    out = run_script(1, script);
    has(out, addr);
    has(out, "no account 0x0000");
    free(out);
    free(first);
}

/* ---- teaching commands ---- */

/* crash C: PBFT still commits with 3 of 4; crash B too: no quorum, the transaction times out;
 * restart brings them back. */
static void
crash_and_restart_change_what_commits(void **state)
{
    char *out = run_script(1, "crash C\nuserAdd a 1\ngetBlockNumber\ncrash B\ncrash B\n"
                              "restart B\nrestart C\nrestart C\nuserAdd b 1\ngetBlockNumber\n"
                              "nodes\n");

    (void)state;
    has(out, "node C crashed");
    has(out, "\"code\":0");
    has(out, "node B is down already");
    has(out, "node C is up already");
    has(out, "\n2\nA up");
    free(out);
}

/* partition cuts nodes off (two of four: no quorum until heal); byzantine sets a kind;
 * step runs simulator events; seed and trace save. */
static void
partition_byzantine_step_seed_and_trace(void **state)
{
    char script[1024], *out, *trace;

    (void)state;
    snprintf(script, sizeof script,
             "partition C D\nnodes\nheal\nbyzantine D silent\nbyzantine D lying\nnodes\n"
             "byzantine D honest\nuserAdd a 1\nstep 5\nseed\ntrace save %s/trace.txt\n",
             tu_dir);
    out = run_script(1, script);
    has(out, "node C is cut off\nnode D is cut off\n");
    has(out, "C up cut-off");
    has(out, "the network is whole again");
    has(out, "node D is now silent");
    has(out, "unknown kind 'lying'");
    has(out, "D up byzantine");
    has(out, "5 events run");
    has(out, "\n1\ntrace written to");
    snprintf(script, sizeof script, "%s/trace.txt", tu_dir);
    trace = tu_read_file(script, NULL);
    assert_true(strlen(trace) > 0);
    free(trace);
    free(out);
}

/* ---- errors and help ---- */

/* An unknown command, missing or extra arguments, malformed numbers and hashes: an error or
 * the command's usage line, and nothing changes. */
static void
bad_commands_print_usage_and_change_nothing(void **state)
{
    char *out = run_script(1, "getBlockByNumber\ngetBlockByNumber 1 true extra\n"
                              "getBlockByNumber -1\ngetBlockByNumber 99\ngetBlockByNumber 0 maybe\n"
                              "getBlockByHash 0x12\ngetTransactionByHash nothex\nfrobnicate\n"
                              "userAdd 'unclosed 1\nstep x\ngetBlockNumber\n");

    (void)state;
    has(out, "Usage: getBlockByNumber blockNumber [true|false]\n"
             "Usage: getBlockByNumber blockNumber [true|false]\n");
    has(out, "'-1' is not a block number");
    has(out, "block number 99 does not exist (-40004)");
    has(out, "'maybe' is not true or false");
    has(out, "'0x12' is not a block hash");
    has(out, "'nothex' is not a transaction hash");
    has(out, "unknown command 'frobnicate'");
    has(out, "unclosed quote");
    has(out, "'x' is not a number of events");
    assert_string_equal(last_line(out), "0");
    free(out);
}

/* help lists every command; help CMD gives its usage. */
static void
help_lists_commands_and_shows_usage(void **state)
{
    char *out = tu_run_ok("console --demo --sim -c 'help; help addSealer'");

    (void)state;
    has(out, "getTransactionReceipt");
    has(out, "grantUserTableManager");
    has(out, "Usage: addSealer nodeId\n");
    free(out);
}

/* Bad command-line options exit 2 with one line. */
static void
bad_options_are_refused(void **state)
{
    (void)state;
    tu_run_bad("--demo or a build-chain directory", "console");
    tu_run_bad("--demo or a build-chain directory", "console --demo /tmp");
    tu_run_bad(NULL, "console --demo --bogus");
    tu_run_bad("cannot start", "console /nonexistent-bcoslab-dir -c getBlockNumber");
}

/* bcoslab console DIR runs the nodes of a build-chain directory. */
static void
console_runs_a_build_chain_directory(void **state)
{
    char *made, *out;

    (void)state;
    made = tu_run_ok("build-chain -n 4 -g 2 -o %s/chain", tu_dir);
    out = tu_run_ok("console %s/chain --sim -c 'getGroupList; userAdd a 5; userBalance a; "
                    "switch 2; getSealerList'", tu_dir);
    has(out, "[\n    1,\n    2\n]");
    has(out, "\n5\nSwitched to group 2.\n[");
    free(out);
    free(made);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(get_block_number_counts_committed_blocks),
        cmocka_unit_test(dash_c_runs_commands_separated_by_semicolons),
        cmocka_unit_test(stdin_is_read_when_not_a_terminal),
        cmocka_unit_test(block_queries_give_fisco_block_json),
        cmocka_unit_test(block_header_query_gives_header_and_signatures),
        cmocka_unit_test(tx_and_receipt_queries_find_the_sent_transaction),
        cmocka_unit_test(transaction_by_block_and_index),
        cmocka_unit_test(crypto_type_version_and_node_info),
        cmocka_unit_test(unknown_transaction_hash_does_not_exist),
        cmocka_unit_test(total_and_pending_counts),
        cmocka_unit_test(membership_and_peer_queries),
        cmocka_unit_test(consensus_and_sync_status),
        cmocka_unit_test(switch_changes_group),
        cmocka_unit_test(dag_transfer_commands_move_money),
        cmocka_unit_test(dag_transfer_rejects_a_bad_amount),
        cmocka_unit_test(system_config_is_set_and_read_back),
        cmocka_unit_test(node_changes_take_effect_from_the_next_block),
        cmocka_unit_test(node_commands_reject_bad_node_ids),
        cmocka_unit_test(sql_round_trip),
        cmocka_unit_test(sql_outside_the_subset_is_refused_and_changes_nothing),
        cmocka_unit_test(table_permission_is_enforced),
        cmocka_unit_test(manager_permissions_guard_system_tables),
        cmocka_unit_test(manager_lists_grant_list_and_revoke),
        cmocka_unit_test(cns_register_and_query),
        cmocka_unit_test(accounts_are_made_listed_and_loaded),
        cmocka_unit_test(crash_and_restart_change_what_commits),
        cmocka_unit_test(partition_byzantine_step_seed_and_trace),
        cmocka_unit_test(bad_commands_print_usage_and_change_nothing),
        cmocka_unit_test(help_lists_commands_and_shows_usage),
        cmocka_unit_test(bad_options_are_refused),
        cmocka_unit_test(console_runs_a_build_chain_directory),
    };

    return cmocka_run_group_tests(tests, setup, tu_teardown_dir);
}
