/*
 * console_admin.c — the console commands that write: system config, sealers and observers,
 * table permissions, CNS, and the DagTransfer bank (fisco-2x-facts §7, §10.1).
 *
 * Every one of them is a transaction to a precompiled contract at FISCO's address, signed by
 * the current account; the console waits until it is in a block and prints the contract's
 * answer the way FISCO's console does, {"code":0,"msg":"Success"} or a code and its meaning.
 * The change itself takes effect from the NEXT block (a new sealer seals from block N+1, a
 * permission guards from block N+1): the block that carries the change was agreed by the old
 * members under the old rules. Reading commands (queryCNS, list...Manager, userBalance) are
 * calls: run on the console's replica, nothing sent.
 *
 * Arguments are checked before anything is signed — a node ID of 128 hex digits, an address of
 * 40, a known config key with a valid value — so a typo prints a usage line or an error and
 * never reaches the chain.
 */
#include "console/console_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "codec/abi.h"
#include "exec/pc_system.h"
#include "ledger/status.h"

#define ADDR_SYSCONFIG 0x1000
#define ADDR_CRUD 0x1002
#define ADDR_CONSENSUS 0x1003
#define ADDR_CNS 0x1004
#define ADDR_PERMISSION 0x1005
#define ADDR_DAG 0x5002

/* ---- FISCO's answers ---- */

static const struct {
    int64_t code;
    const char *msg;
} codes[] = {
    { -50000, "permission denied" },
    { -50001, "table name already exist" },
    { -50100, "table does not exist" },
    { -50102, "address invalid" },
    { -51000, "table name and address already exist" },
    { -51001, "table name and address does not exist" },
    { -51002, "table name overflow" },
    { -51003, "contract not exist" },
    { -51100, "nodeID is invalid" },
    { -51101, "the last sealer cannot be removed" },
    { -51200, "contract name and version already exist" },
    { -51201, "version string length exceeds the maximum limit" },
    { -51300, "invalid configuration entry" },
    { -51400, "invalid user name" },
    { -51401, "invalid amount" },
    { -51402, "user does not exist" },
    { -51403, "user already exists" },
    { -51404, "insufficient balance" },
    { -51405, "balance overflow" },
    { -51406, "the user table cannot be created" },
    { -51500, "parse entry error" },
    { -51501, "parse condition error" },
    { -51502, "condition operation undefined" },
    { -51503, "invalid update table key" },
};

void
console_print_code(FILE *out, int64_t code)
{
    const char *msg = code >= 0 ? "Success" : "unknown error";

    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (codes[i].code == code)
            msg = codes[i].msg;
    fprintf(out, "{\n    \"code\":%" PRId64 ",\n    \"msg\":\"%s\"\n}\n", code < 0 ? code : 0,
            msg);
}

int
console_print_write(FILE *out, const receipt_t *r)
{
    int64_t code;

    if (r->status != TX_OK)
        return console_error(out, BL_E_INVALID, "the transaction failed: %s (status %" PRIu64 ")",
                             tx_status_name((int)r->status), r->status);
    if (console_output_int(r, &code) != BL_OK)
        return console_error(out, BL_E_ABI, "cannot read the contract's answer: %s",
                             bl_errmsg());
    console_print_code(out, code);
    return code >= 0 ? BL_OK : (code == -50000 ? BL_E_DENIED : BL_E_INVALID);
}

/* Send, then print the answer. */
static int
send_and_print(console_t *c, uint16_t to, const char *sig, const char *const *args,
               size_t nargs, FILE *out)
{
    receipt_t r;
    uint8_t hash[32];
    int rc = console_send(c, to, sig, args, nargs, &r, hash);

    if (rc != BL_OK)
        rc = console_error(out, rc, "%s", bl_errmsg());
    else
        rc = console_print_write(out, &r);
    receipt_free(&r);
    return rc;
}

/* ---- system config ---- */

static int
cmd_set_config(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    const char *args[2] = { argv[1], argv[2] };

    (void)argc, (void)rest;
    if (!pc_sysconfig_valid(argv[1], argv[2]))
        return console_error(out, BL_E_INVALID, "'%s' is not a valid value of '%s' (keys: "
                             "tx_count_limit >= 1, tx_gas_limit >= 100000, consensus_timeout "
                             ">= 3, ...)", argv[2], argv[1]);
    return send_and_print(c, ADDR_SYSCONFIG, "setValueByKey(string,string)", args, 2, out);
}

/* ---- nodes ---- */

int
console_node_arg(console_t *c, const char *s, FILE *out)
{
    for (unsigned i = 0; i < world_nnodes(c->w); i++) {
        char alt[16];

        snprintf(alt, sizeof alt, "node%u", i);
        if (strcmp(s, world_node_name(c->w, i)) == 0 || strcmp(s, alt) == 0)
            return (int)i;
    }
    console_error(out, BL_E_NOTFOUND, "no node '%s' (nodes: A..%s, or node0..node%u)", s,
                  world_node_name(c->w, world_nnodes(c->w) - 1), world_nnodes(c->w) - 1);
    return -1;
}

/* A node ID: 128 hex digits, or the name of one of the world's nodes (A, node0). */
static bool
node_id_arg(console_t *c, const char *s, char hex[129], FILE *out)
{
    uint8_t id[64];

    if (strlen(s) == 128 && bl_hex_decode_fixed(s, id, 64) == BL_OK) {
        bl_hex_encode(id, 64, hex);
        return true;
    }
    if (strlen(s) <= 8) {
        int i = console_node_arg(c, s, out);

        if (i < 0)
            return false;
        bl_hex_encode(world_node_id(c->w, (unsigned)i), 64, hex);
        return true;
    }
    console_error(out, BL_E_INVALID, "a node ID is 128 hex digits (or a node name such as A); "
                  "'%s' is not one", s);
    return false;
}

static int
node_change(console_t *c, char **argv, const char *sig, FILE *out)
{
    char hex[129];
    const char *args[1] = { hex };

    if (!node_id_arg(c, argv[1], hex, out))
        return BL_E_INVALID;
    return send_and_print(c, ADDR_CONSENSUS, sig, args, 1, out);
}

static int
cmd_add_sealer(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    (void)argc, (void)rest;
    return node_change(c, argv, "addSealer(string)", out);
}

static int
cmd_add_observer(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    (void)argc, (void)rest;
    return node_change(c, argv, "addObserver(string)", out);
}

static int
cmd_remove_node(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    (void)argc, (void)rest;
    return node_change(c, argv, "remove(string)", out);
}

/* ---- permissions ---- */

/* Print a JSON array of objects as FISCO's console prints tables. */
void
console_print_table(FILE *out, json_t *rows, const char *const *cols, size_t ncols)
{
    size_t width[16] = { 0 };

    for (size_t k = 0; k < ncols; k++) {
        size_t i;
        json_t *row;

        width[k] = strlen(cols[k]);
        json_array_foreach(rows, i, row) {
            const char *v = json_string_value(json_object_get(row, cols[k]));
            size_t len = v != NULL ? strlen(v) : 0;

            width[k] = len > width[k] ? len : width[k];
        }
    }
    for (size_t k = 0; k < ncols; k++)
        fprintf(out, "| %-*s ", (int)width[k], cols[k]);
    fprintf(out, "|\n");
    size_t i;
    json_t *row;

    json_array_foreach(rows, i, row) {
        for (size_t k = 0; k < ncols; k++) {
            const char *v = json_string_value(json_object_get(row, cols[k]));

            fprintf(out, "| %-*s ", (int)width[k], v != NULL ? v : "");
        }
        fprintf(out, "|\n");
    }
}

/* The managers: a command family name and the table its list guards. */
static const struct {
    const char *family;
    const char *table;
} managers[] = {
    { "DeployAndCreateManager", AMDB_SYS_TABLES },
    { "NodeManager", AMDB_SYS_CONSENSUS },
    { "CNSManager", AMDB_SYS_CNS },
    { "SysConfigManager", AMDB_SYS_CONFIG },
    { "PermissionManager", AMDB_SYS_TABLE_ACCESS },
};

/* Which table a permission command is about: the user table argv[1] for the
 * UserTableManager commands, or the manager's system table. */
static const char *
perm_table(char **argv)
{
    const char *family = argv[0] + (strncmp(argv[0], "list", 4) == 0 ? 4 :
                                    strncmp(argv[0], "grant", 5) == 0 ? 5 : 6);

    for (size_t i = 0; i < sizeof managers / sizeof managers[0]; i++)
        if (strcmp(family, managers[i].family) == 0)
            return managers[i].table;
    return argv[1];
}

static bool
user_table_exists(console_t *c, const char *table)
{
    char *key = NULL, *fields = NULL;
    bool exists = console_desc(c, table, &key, &fields) == BL_OK;

    free(key);
    free(fields);
    return exists;
}

static int
cmd_grant_revoke(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    const char *table = perm_table(argv);
    const char *account = argv[argc - 1];
    uint8_t addr[20];
    const char *args[2] = { table, account };
    bool grant = strncmp(argv[0], "grant", 5) == 0;

    (void)rest;
    if (!console_parse_address(account, addr))
        return console_error(out, BL_E_INVALID, "'%s' is not an account address (0x and 40 "
                             "hex digits)", account);
    if (table == argv[1] && !user_table_exists(c, table))
        return console_error(out, BL_E_NOTFOUND, "the table \"%s\" does not exist", table);
    return send_and_print(c, ADDR_PERMISSION, grant ? "insert(string,string)" :
                          "remove(string,string)", args, 2, out);
}

/* Print a JSON-array answer (Permission's and CNS's) as a table of these columns. */
static int
print_json_answer(FILE *out, const receipt_t *r, const char *const *cols, size_t ncols)
{
    char *text = NULL;
    json_t *rows;
    int rc = console_output_string(r, &text);

    if (rc != BL_OK) {
        free(text);
        return console_error(out, rc, "cannot read the answer: %s", bl_errmsg());
    }
    rows = json_loads(text, 0, NULL);
    free(text);
    if (!json_is_array(rows)) {
        json_decref(rows);
        return console_error(out, BL_E_JSON, "the answer is not a JSON array");
    }
    if (json_array_size(rows) == 0)
        fprintf(out, "Empty set.\n");
    else
        console_print_table(out, rows, cols, ncols);
    json_decref(rows);
    return BL_OK;
}

static int
cmd_list_perm(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    static const char *const cols[] = { "address", "enable_num" };
    const char *table = perm_table(argv);
    const char *args[1] = { table };
    receipt_t r;
    int rc;

    (void)argc, (void)rest;
    if (table == argv[1] && !user_table_exists(c, table))
        return console_error(out, BL_E_NOTFOUND, "the table \"%s\" does not exist", table);
    rc = console_call(c, ADDR_PERMISSION, "queryByName(string)", args, 1, &r);
    rc = rc != BL_OK ? console_error(out, rc, "%s", bl_errmsg()) : print_json_answer(out, &r,
                                                                                   cols, 2);
    receipt_free(&r);
    return rc;
}

/* ---- CNS ---- */

static int
cmd_register_cns(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    uint8_t addr[20];
    const char *args[4] = { argv[1], argv[3], argv[2], "" };

    (void)argc, (void)rest;
    if (!console_parse_address(argv[2], addr))
        return console_error(out, BL_E_INVALID, "'%s' is not a contract address (0x and 40 hex "
                             "digits)", argv[2]);
    if (strlen(argv[3]) > 128)
        return console_error(out, BL_E_RANGE, "a contract version is at most 128 characters");
    return send_and_print(c, ADDR_CNS, "insert(string,string,string,string)", args, 4, out);
}

static int
cmd_query_cns(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    static const char *const cols[] = { "version", "address" };
    const char *args[2] = { argv[1], argc == 3 ? argv[2] : "" };
    receipt_t r;
    int rc;

    (void)rest;
    rc = argc == 3 ? console_call(c, ADDR_CNS, "selectByNameAndVersion(string,string)", args, 2, &r)
                   : console_call(c, ADDR_CNS, "selectByName(string)", args, 1, &r);
    rc = rc != BL_OK ? console_error(out, rc, "%s", bl_errmsg()) : print_json_answer(out, &r,
                                                                                   cols, 2);
    receipt_free(&r);
    return rc;
}

/* ---- DagTransfer ---- */

static bool
amount_ok(const char *s)
{
    if (*s == '\0' || strlen(s) > 78)
        return false;
    for (; *s != '\0'; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

static int
cmd_dag(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    const char *sig = strcmp(argv[0], "userTransfer") == 0 ? "userTransfer(string,string,uint256)"
                    : strcmp(argv[0], "userAdd") == 0 ? "userAdd(string,uint256)"
                    : strcmp(argv[0], "userSave") == 0 ? "userSave(string,uint256)"
                    : "userDraw(string,uint256)";
    receipt_t r;
    uint8_t hash[32];
    int rc;

    (void)rest;
    if (!amount_ok(argv[argc - 1]))
        return console_error(out, BL_E_INVALID, "'%s' is not an amount (a decimal number)",
                             argv[argc - 1]);
    rc = console_send(c, ADDR_DAG, sig, (const char *const *)argv + 1, (size_t)argc - 1, &r, hash);
    if (rc == BL_OK) {
        char *hex = bl_hex_string_0x(hash, 32);

        fprintf(out, "transaction hash: %s\n", hex);
        free(hex);
        rc = console_print_write(out, &r);
    } else {
        rc = console_error(out, rc, "%s", bl_errmsg());
    }
    receipt_free(&r);
    return rc;
}

static int
cmd_balance(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    const char *args[1] = { argv[1] };
    abi_type_t *t = NULL;
    abi_value_t *v = NULL;
    receipt_t r;
    int rc;

    (void)argc, (void)rest;
    if ((rc = console_call(c, ADDR_DAG, "userBalance(string)", args, 1, &r)) != BL_OK) {
        rc = console_error(out, rc, "%s", bl_errmsg());
        goto out;
    }
    if (r.status != TX_OK || abi_types_parse("int256,uint256", &t) != BL_OK ||
        abi_decode(t, bl_buf_span(&r.output), &v) != BL_OK) {
        rc = console_error(out, BL_E_INVALID, "userBalance failed (status %" PRIu64 ")", r.status);
        goto out;
    }
    if (v->items[0]->num.be[0] != 0) { /* negative: a code */
        int64_t code;

        console_output_int(&(receipt_t){ .status = TX_OK, .output = r.output }, &code);
        console_print_code(out, code);
        rc = BL_E_NOTFOUND;
        goto out;
    }
    char dec[ABI_DEC_MAX];

    abi_number_format(t->items[1], &v->items[1]->num, dec);
    fprintf(out, "%s\n", dec);
out:
    abi_value_free(v);
    abi_type_free(t);
    receipt_free(&r);
    return rc;
}

const console_cmd_t console_admin_cmds[] = {
    { "setSystemConfigByKey", "key value", "change a system config value (from the next block)",
      2, 2, cmd_set_config },
    { "addSealer", "nodeId", "make a node a sealer of the group (from the next block)", 1, 1,
      cmd_add_sealer },
    { "addObserver", "nodeId", "make a node an observer of the group", 1, 1, cmd_add_observer },
    { "removeNode", "nodeId", "take a node out of the group (a free node)", 1, 1,
      cmd_remove_node },
    { "grantUserTableManager", "tableName address", "only listed accounts may write the table",
      2, 2, cmd_grant_revoke },
    { "revokeUserTableManager", "tableName address", "take an account off a table's list", 2, 2,
      cmd_grant_revoke },
    { "listUserTableManager", "tableName", "the accounts that may write a table", 1, 1,
      cmd_list_perm },
    { "grantDeployAndCreateManager", "address", "may create tables (_sys_tables_)", 1, 1,
      cmd_grant_revoke },
    { "revokeDeployAndCreateManager", "address", "take an account off _sys_tables_' list", 1, 1, cmd_grant_revoke },
    { "listDeployAndCreateManager", "", "who may create tables", 0, 0, cmd_list_perm },
    { "grantNodeManager", "address", "may add and remove nodes (_sys_consensus_)", 1, 1,
      cmd_grant_revoke },
    { "revokeNodeManager", "address", "take an account off _sys_consensus_' list", 1, 1, cmd_grant_revoke },
    { "listNodeManager", "", "who may manage nodes", 0, 0, cmd_list_perm },
    { "grantCNSManager", "address", "may register CNS names (_sys_cns_)", 1, 1,
      cmd_grant_revoke },
    { "revokeCNSManager", "address", "take an account off _sys_cns_' list", 1, 1, cmd_grant_revoke },
    { "listCNSManager", "", "who may register CNS names", 0, 0, cmd_list_perm },
    { "grantSysConfigManager", "address", "may change system config (_sys_config_)", 1, 1,
      cmd_grant_revoke },
    { "revokeSysConfigManager", "address", "take an account off _sys_config_' list", 1, 1, cmd_grant_revoke },
    { "listSysConfigManager", "", "who may change system config", 0, 0, cmd_list_perm },
    { "grantPermissionManager", "address", "may grant and revoke (_sys_table_access_)", 1, 1,
      cmd_grant_revoke },
    { "revokePermissionManager", "address", "take an account off _sys_table_access_' list", 1, 1, cmd_grant_revoke },
    { "listPermissionManager", "", "who may grant and revoke", 0, 0, cmd_list_perm },
    { "registerCNS", "contractName contractAddress contractVersion",
      "give a contract address a name and version", 3, 3, cmd_register_cns },
    { "queryCNS", "contractName [contractVersion]", "the addresses registered under a name", 1,
      2, cmd_query_cns },
    { "userAdd", "user amount", "DagTransfer: open an account with a balance", 2, 2, cmd_dag },
    { "userSave", "user amount", "DagTransfer: deposit", 2, 2, cmd_dag },
    { "userDraw", "user amount", "DagTransfer: withdraw", 2, 2, cmd_dag },
    { "userTransfer", "from to amount", "DagTransfer: move money between users", 3, 3, cmd_dag },
    { "userBalance", "user", "DagTransfer: a user's balance", 1, 1, cmd_balance },
    { NULL, NULL, NULL, 0, 0, NULL },
};
