/*
 * pc_dag_transfer.c — DagTransfer (0x5002): FISCO's demonstration of parallel transactions
 * (fisco-2x-facts §5.1, §7.1; FISCO's libprecompiled/extension/DagTransferPrecompiled).
 *
 * A bank of users, each with a balance, in one table:
 *
 *     u_dag_transfer   key field user_name | user_balance (a uint256 in decimal)
 *
 * made by the first call that needs it. Five methods (each answers an ABI int256 code: 0 for
 * success, or one of FISCO's codes below):
 *
 *     userAdd(string user, uint256 balance)       a new user; -51403 if it exists
 *     userSave(string user, uint256 amount)       deposit (creates the user if new)
 *     userDraw(string user, uint256 amount)       withdraw; -51404 if the balance is short
 *     userTransfer(string from, string to, uint256 amount)   (creates `to` if new)
 *     userBalance(string user) -> (int256 code, uint256 balance)
 *
 *     -51400 invalid user name (empty, or longer than a table key may be: 255 bytes)
 *     -51401 amount 0 (save, draw, transfer)       -51402 user does not exist
 *     -51403 user exists (add)                     -51404 insufficient balance
 *     -51405 the balance would overflow 2^256-1    -51406 the table cannot be made
 *                                                  (_sys_tables_ is guarded and the sender
 *                                                   is not allowed to create tables)
 *     -50000 the sender may not write u_dag_transfer (its _sys_table_access_ list)
 *
 * Why it exists: every call touches only the rows of the users it names, so those names are
 * its critical fields (dag_criticals below). Transfers that share no user can run on
 * different worker threads at the same time (exec/txdag.c, exec/pte.c); `bcoslab bench pte`
 * measures what that buys.
 *
 * Three small departures from FISCO, each for determinism — parallel and serial execution
 * must give the same receipts and the same state:
 *   - userBalance names its user as critical. FISCO names none ("a query"), so a balance read
 *     beside a transfer of the same user could see either the old or the new balance.
 *   - A call runs "buffered" in parallel and does not see its own writes until it ends
 *     (exec/exec_table.c): so a transfer to a new user inserts the user with the amount at
 *     once, where FISCO inserts the user with 0 and then updates it. The row is the same.
 *   - Making the table costs no gas: which of two parallel calls makes it is a matter of
 *     timing, and gas is in the receipts.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "codec/abi.h"
#include "exec/precompiled.h"
#include "ledger/status.h"

#define DAG_TABLE "dag_transfer" /* created as the user table u_dag_transfer */
#define DAG_TABLE_FULL "u_" DAG_TABLE
#define DAG_FIELD_NAME "user_name"
#define DAG_FIELD_BALANCE "user_balance"

static const char SIG_ADD[] = "userAdd(string,uint256)";
static const char SIG_SAVE[] = "userSave(string,uint256)";
static const char SIG_DRAW[] = "userDraw(string,uint256)";
static const char SIG_TRANSFER[] = "userTransfer(string,string,uint256)";
static const char SIG_BALANCE[] = "userBalance(string)";

typedef struct dag_method dag_method_t;

/* What a method gets: its user names, its amount, and where to put its answer. */
typedef struct {
    const dag_method_t *method;
    char *user[2];
    bl_u256_t amount;
    int code;            /* the answer, CODE_* or 0 */
    bl_u256_t balance;   /* userBalance's second value */
} dag_args_t;

struct dag_method {
    const char *signature;
    const char *arg_types;
    unsigned nusers;     /* the leading string arguments: the users, and the critical fields */
    int (*run)(exec_call_t *c, table_t *t, dag_args_t *a);
    bool needs_amount;   /* amount 0 is refused (-51401) */
};

/* ---- the table and its rows ---- */

static bool
valid_user(const char *user)
{
    size_t len = strlen(user);

    return len > 0 && len <= AMDB_KEY_MAX;
}

/* u_dag_transfer, made if missing. In a buffered call on a worker thread other calls may be
 * reading the tables, so the table is made under the block's write lock, after looking again
 * (another worker may have made it meanwhile). A non-buffered call already runs alone. */
static int
open_table(exec_call_t *c, table_t **t, int *code)
{
    exec_block_t *b = c->block;
    bool allowed, lock = c->buffered && b->concurrent;
    int rc = exec_open_table(c, DAG_TABLE_FULL, t);

    if (rc != BL_E_NOTFOUND)
        return rc;
    if ((rc = exec_may_write(c, AMDB_SYS_TABLES, &allowed)) != BL_OK)
        return rc;
    if (!allowed) {
        *code = CODE_INVALID_OPENTABLE_FAILED;
        return BL_OK;
    }
    if (lock)
        exec_lock_write(b);
    rc = amdb_open_table(b->db, DAG_TABLE_FULL, t);
    if (rc == BL_E_NOTFOUND)
        rc = amdb_create_table(b->db, DAG_TABLE, DAG_FIELD_NAME, DAG_FIELD_BALANCE, t);
    if (lock)
        exec_unlock(b);
    return rc;
}

typedef enum { USER_MISSING, USER_FOUND, USER_BAD } user_state_t;

/* A user's balance. USER_BAD: the row holds something that is not a number (written by
 * another contract into this table) — the call then fails. */
static int
read_user(exec_call_t *c, table_t *t, const char *user, user_state_t *state,
          bl_u256_t *balance)
{
    entries_t rows;
    int rc;

    entries_init(&rows);
    *state = USER_MISSING;
    bl_u256_from_u64(balance, 0);
    rc = exec_select(c, t, user, NULL, &rows);
    if (rc == BL_OK && rows.count > 0) {
        const bl_buf_t *v = entry_get(&rows.items[0], DAG_FIELD_BALANCE);
        char text[BL_U256_DEC_MAX];

        *state = USER_BAD;
        if (v != NULL && v->len > 0 && v->len < sizeof text) {
            memcpy(text, v->data, v->len);
            text[v->len] = '\0';
            if (strspn(text, "0123456789") == v->len && bl_u256_from_str(balance, text) == 0)
                *state = USER_FOUND;
        }
    }
    entries_free(&rows);
    return rc;
}

/* A row another contract filled with something that is not a balance, or a u_dag_transfer
 * made by someone else with other fields: the call fails. */
static int
bad_row(exec_call_t *c)
{
    return precompile_fail(c, "DagTransfer: u_dag_transfer does not hold balances");
}

/* Insert or update a user's row. A refusal of the table's permission list becomes the
 * answer CODE_NO_AUTHORIZED. */
static int
write_user(exec_call_t *c, table_t *t, const char *user, const bl_u256_t *balance, bool insert,
           int *code)
{
    char text[BL_U256_DEC_MAX];
    entry_t e;
    int rc;

    bl_u256_to_dec(balance, text);
    entry_init(&e);
    entry_set_str(&e, DAG_FIELD_NAME, user);
    entry_set_str(&e, DAG_FIELD_BALANCE, text);
    rc = insert ? exec_insert(c, t, user, &e) : exec_update(c, t, user, &e, NULL, NULL);
    entry_free(&e);
    if (rc == BL_E_DENIED) {
        *code = CODE_NO_AUTHORIZED;
        rc = BL_OK;
    } else if (rc == BL_E_INVALID) {
        rc = bad_row(c); /* a u_dag_transfer someone else made, without user_balance */
    }
    return rc;
}

/* ---- the five methods ---- */

static int
user_add(exec_call_t *c, table_t *t, dag_args_t *a)
{
    user_state_t state;
    bl_u256_t old;
    int rc = read_user(c, t, a->user[0], &state, &old);

    if (rc != BL_OK)
        return rc;
    if (state != USER_MISSING) {
        a->code = CODE_INVALID_USER_ALREADY_EXIST;
        return BL_OK;
    }
    return write_user(c, t, a->user[0], &a->amount, true, &a->code);
}

static int
user_save(exec_call_t *c, table_t *t, dag_args_t *a)
{
    user_state_t state;
    bl_u256_t balance, sum;
    int rc = read_user(c, t, a->user[0], &state, &balance);

    if (rc != BL_OK)
        return rc;
    if (state == USER_BAD)
        return bad_row(c);
    if (bl_u256_add(&sum, &balance, &a->amount) != BL_OK) {
        a->code = CODE_INVALID_BALANCE_OVERFLOW;
        return BL_OK;
    }
    return write_user(c, t, a->user[0], &sum, state == USER_MISSING, &a->code);
}

static int
user_draw(exec_call_t *c, table_t *t, dag_args_t *a)
{
    user_state_t state;
    bl_u256_t balance, rest;
    int rc = read_user(c, t, a->user[0], &state, &balance);

    if (rc != BL_OK)
        return rc;
    if (state == USER_BAD)
        return bad_row(c);
    if (state == USER_MISSING)
        a->code = CODE_INVALID_USER_NOT_EXIST;
    else if (bl_u256_sub(&rest, &balance, &a->amount) != BL_OK)
        a->code = CODE_INVALID_INSUFFICIENT_BALANCE;
    else
        rc = write_user(c, t, a->user[0], &rest, false, &a->code);
    return rc;
}

static int
user_balance(exec_call_t *c, table_t *t, dag_args_t *a)
{
    user_state_t state;
    int rc = read_user(c, t, a->user[0], &state, &a->balance);

    if (rc == BL_OK && state == USER_BAD)
        return bad_row(c);
    if (rc == BL_OK && state == USER_MISSING)
        a->code = CODE_INVALID_USER_NOT_EXIST;
    return rc;
}

/* Read both users first, then write both: a buffered call does not see its own writes. */
static int
user_transfer(exec_call_t *c, table_t *t, dag_args_t *a)
{
    user_state_t from_state, to_state;
    bl_u256_t from, to, from_new, to_new;
    int rc = read_user(c, t, a->user[0], &from_state, &from);

    if (rc == BL_OK)
        rc = read_user(c, t, a->user[1], &to_state, &to);
    if (rc != BL_OK)
        return rc;
    if (from_state == USER_BAD || to_state == USER_BAD)
        return bad_row(c);
    if (from_state == USER_MISSING)
        a->code = CODE_INVALID_USER_NOT_EXIST;
    else if (bl_u256_sub(&from_new, &from, &a->amount) != BL_OK)
        a->code = CODE_INVALID_INSUFFICIENT_BALANCE;
    else if (bl_u256_add(&to_new, &to, &a->amount) != BL_OK)
        a->code = CODE_INVALID_BALANCE_OVERFLOW;
    if (a->code != 0)
        return BL_OK;
    rc = write_user(c, t, a->user[0], &from_new, false, &a->code);
    if (rc == BL_OK && a->code == 0 && c->status == TX_OK)
        rc = write_user(c, t, a->user[1], &to_new, to_state == USER_MISSING, &a->code);
    return rc;
}

#define DAG_METHODS 5

static const dag_method_t methods[DAG_METHODS] = {
    { SIG_ADD, "string,uint256", 1, user_add, false },
    { SIG_SAVE, "string,uint256", 1, user_save, true },
    { SIG_DRAW, "string,uint256", 1, user_draw, true },
    { SIG_TRANSFER, "string,string,uint256", 2, user_transfer, true },
    { SIG_BALANCE, "string", 1, user_balance, false },
};

/* The methods' argument types, parsed once: every transfer of a block is decoded twice (for
 * the DAG and to run it), and parsing a signature and hashing it for its selector every time
 * cost more than the table work itself (bcoslab bench pte). */
static abi_type_t *method_types[DAG_METHODS];
static pthread_once_t types_once = PTHREAD_ONCE_INIT;

static void
parse_types(void)
{
    for (size_t i = 0; i < DAG_METHODS; i++)
        if (abi_types_parse(methods[i].arg_types, &method_types[i]) != BL_OK)
            method_types[i] = NULL; /* cannot happen: the texts above are valid */
}

/* ---- decoding a call ---- */

/* Which method the input names, compared with the selectors of the chain's suite; NULL if
 * none. The DAG asks before any call exists, so this makes a call holding just the suite and
 * the input (precompile_is() caches the selectors). */
static const dag_method_t *
find_method(const suite_t *suite, bl_span_t input)
{
    exec_block_t b;
    exec_call_t c;

    memset(&b, 0, sizeof b);
    memset(&c, 0, sizeof c);
    b.suite = suite;
    c.block = &b;
    c.input = input;
    for (size_t i = 0; i < DAG_METHODS; i++)
        if (precompile_is(&c, methods[i].signature))
            return &methods[i];
    return NULL;
}

static void
args_free(dag_args_t *a)
{
    free(a->user[0]);
    free(a->user[1]);
}

/* The method and its arguments; false if the input names no method or does not decode. */
static bool
decode_call(const suite_t *suite, bl_span_t input, dag_args_t *a)
{
    abi_value_t *v = NULL;
    bool ok;

    memset(a, 0, sizeof *a);
    pthread_once(&types_once, parse_types);
    if ((a->method = find_method(suite, input)) == NULL ||
        method_types[a->method - methods] == NULL ||
        abi_decode(method_types[a->method - methods],
                   bl_span(input.ptr + ABI_SELECTOR_LEN, input.len - ABI_SELECTOR_LEN),
                   &v) != BL_OK)
        return false;
    ok = true;
    for (unsigned i = 0; ok && i < a->method->nusers; i++)
        ok = abi_value_cstring(v->items[i], &a->user[i]) == BL_OK;
    if (ok && a->method->nusers < v->count)
        a->amount = v->items[a->method->nusers]->num;
    abi_value_free(v);
    if (!ok)
        args_free(a);
    return ok;
}

/* The checks FISCO makes before it opens the table; 0 if the call may go on. */
static int
check_args(const dag_args_t *a)
{
    for (unsigned i = 0; i < a->method->nusers; i++)
        if (!valid_user(a->user[i]))
            return CODE_INVALID_USER_NAME;
    if (a->method->needs_amount && bl_u256_is_zero(&a->amount))
        return CODE_INVALID_AMOUNT;
    return 0;
}

static void
set_answer(exec_call_t *c, const dag_args_t *a)
{
    abi_value_t *v;
    abi_type_t *type = NULL;

    if (a->method->run != user_balance) {
        precompile_return_int(c, a->code);
        return;
    }
    v = abi_value_list(2);
    v->items[0] = abi_value_int(a->code);
    v->items[1] = abi_value_u256(&a->balance);
    bl_buf_clear(&c->output);
    if (abi_types_parse("int256,uint256", &type) == BL_OK)
        abi_encode(type, v, &c->output);
    abi_type_free(type);
    abi_value_free(v);
}

static int
dag_call(exec_call_t *c)
{
    dag_args_t a;
    table_t *t = NULL;
    bool self = false;
    int rc = BL_OK;

    if (!decode_call(c->block->suite, c->input, &a))
        return precompile_fail(c, "DagTransfer: no such method, or malformed arguments");
    a.code = check_args(&a);
    if (a.method->run == user_transfer && a.code == 0)
        self = strcmp(a.user[0], a.user[1]) == 0; /* to oneself: nothing to do, as in FISCO */
    if (a.code == 0 && !self)
        rc = open_table(c, &t, &a.code);
    if (rc == BL_OK && a.code == 0 && !self)
        rc = a.method->run(c, t, &a);
    if (rc == BL_OK && c->status == TX_OK)
        set_answer(c, &a);
    args_free(&a);
    return rc;
}

/* The critical fields: the users the call names (FISCO's getParallelTag). A call with an
 * invalid user name touches nothing, so it gets no fields and waits for nobody; an input that
 * names no method or does not decode must run alone. */
static int
dag_criticals(const suite_t *suite, bl_span_t input, bool *parallel, critical_t *out)
{
    dag_args_t a;

    *parallel = decode_call(suite, input, &a);
    if (!*parallel)
        return BL_OK;
    if (check_args(&a) != CODE_INVALID_USER_NAME)
        for (unsigned i = 0; i < a.method->nusers; i++)
            critical_add(out, a.user[i]);
    args_free(&a);
    return BL_OK;
}

const precompile_t precompile_dag_transfer = {
    .address = 0x5002,
    .name = "DagTransfer",
    .call = dag_call,
    .criticals = dag_criticals,
};
