/*
 * console_sql.c — the SQL-like commands of FISCO's console over the CRUD precompile
 * (fisco-2x-facts §7.1 0x1002, §10.1 "CRUD SQL").
 *
 * FISCO's "distributed storage" is tables of rows, and its console lets you use them with a
 * small piece of SQL:
 *
 *   create table t_demo(name varchar, item_id varchar, item_name varchar, primary key(name))
 *   desc t_demo
 *   insert into t_demo (name, item_id, item_name) values (fruit, 1, apple)
 *   select * from t_demo where name = fruit [and item_id > 0] [limit 10 | limit 0, 10]
 *   update t_demo set item_name = orange where name = fruit [and ...]
 *   delete from t_demo where name = fruit [and ...]
 *
 * It is only a subset, and the subset says something about the storage underneath: every
 * value is a string (varchar; the type words are read and ignored), the "primary key" is not
 * unique (several rows may share it) and every where clause must name it with "=" — the key
 * picks the rows, the rest only filters them, as AMDB's select(key, condition) does. Only
 * "and" joins conditions. Anything else (or, joins, order by, a missing key) is refused here
 * with a message, before any transaction is made.
 *
 * create goes to TableFactory (0x1001, createTable); insert, update and delete are CRUD
 * transactions; select and desc are calls, answered by the console's replica.
 */
#include "console/console_int.h"
#include "console/console_sql.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "codec/abi.h"
#include "ledger/status.h"

#define ADDR_TABLE_FACTORY 0x1001
#define ADDR_CRUD 0x1002

/* ---- desc ---- */

int
console_desc(console_t *c, const char *table, char **key, char **fields)
{
    const char *args[1] = { table };
    abi_type_t *t = NULL;
    abi_value_t *v = NULL;
    receipt_t r;
    int rc = console_call(c, ADDR_CRUD, "desc(string)", args, 1, &r);

    *key = *fields = NULL;
    if (rc == BL_OK && r.status != TX_OK)
        rc = bl_fail(BL_E_INVALID, "desc failed: %s", tx_status_name((int)r.status));
    if (rc == BL_OK && (rc = abi_types_parse("string,string", &t)) == BL_OK &&
        (rc = abi_decode(t, bl_buf_span(&r.output), &v)) == BL_OK &&
        (rc = abi_value_cstring(v->items[0], key)) == BL_OK)
        rc = abi_value_cstring(v->items[1], fields);
    if (rc == BL_OK && **key == '\0')
        rc = bl_fail(BL_E_NOTFOUND, "the table \"%s\" does not exist", table);
    if (rc != BL_OK) {
        free(*key);
        free(*fields);
        *key = *fields = NULL;
    }
    abi_value_free(v);
    abi_type_free(t);
    receipt_free(&r);
    return rc;
}

static int
cmd_desc(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    char *key, *fields;
    json_t *j;
    int rc;

    (void)argc, (void)rest;
    if ((rc = console_desc(c, argv[1], &key, &fields)) != BL_OK)
        return console_error(out, rc, "%s", bl_errmsg());
    j = json_object();
    json_object_set_new(j, "key", json_string(key));
    json_object_set_new(j, "valueFields", json_string(fields));
    console_print_json(out, j);
    free(key);
    free(fields);
    return BL_OK;
}

/* ---- create table ---- */

/* One column definition: name, a type word (ignored: all are strings), or primary key(x). */
static bool
column_def(sql_t *q, bl_buf_t *fields, const char **key)
{
    const char *name;

    if (sql_accept(q, "primary")) {
        if (!sql_expect(q, "key") || !sql_expect(q, "(") || (*key = sql_take_value(q, "a key")) == NULL)
            return false;
        return sql_expect(q, ")");
    }
    if ((name = sql_take_value(q, "a column name")) == NULL)
        return false;
    if (sql_peek(q)->kind == TOK_WORD) /* varchar, string, int ... */
        q->at++;
    if (sql_accept(q, "(")) { /* varchar(255) */
        sql_take_value(q, "a size");
        sql_expect(q, ")");
    }
    if (fields->len > 0)
        bl_buf_push(fields, ',');
    bl_buf_append(fields, name, strlen(name));
    return !q->failed;
}

/* Take the key column out of the comma list (FISCO's key field is not a value field). */
static bool
split_key(bl_buf_t *fields, const char *key, char **values)
{
    char *all = strndup((const char *)fields->data, fields->len);
    bl_buf_t v = BL_BUF_INIT;
    bool found = false;

    for (char *save = NULL, *f = strtok_r(all, ",", &save); f != NULL;
         f = strtok_r(NULL, ",", &save)) {
        if (strcmp(f, key) == 0 && !found) {
            found = true;
            continue;
        }
        if (v.len > 0)
            bl_buf_push(&v, ',');
        bl_buf_append(&v, f, strlen(f));
    }
    bl_buf_push(&v, '\0');
    *values = strdup((const char *)v.data);
    bl_buf_free(&v);
    free(all);
    return found;
}

static int
print_count(console_t *c, FILE *out, const char *verb, receipt_t *r)
{
    int64_t n;

    (void)c;
    if (r->status != TX_OK)
        return console_error(out, BL_E_INVALID, "the transaction failed: %s (status %" PRIu64
                             ")", tx_status_name((int)r->status), r->status);
    if (console_output_int(r, &n) != BL_OK)
        return console_error(out, BL_E_ABI, "cannot read the answer: %s", bl_errmsg());
    if (n < 0) {
        console_print_code(out, n);
        return n == -50000 ? BL_E_DENIED : BL_E_INVALID;
    }
    fprintf(out, "%s OK, %" PRId64 " row%s affected.\n", verb, n, n == 1 ? "" : "s");
    return BL_OK;
}

static int
send_sql(console_t *c, FILE *out, const char *sig, const char *const *args, size_t nargs,
         receipt_t *r)
{
    uint8_t hash[32];
    int rc = console_send(c, sig[0] == 'c' ? ADDR_TABLE_FACTORY : ADDR_CRUD, sig, args, nargs,
                          r, hash);

    if (rc != BL_OK)
        return console_error(out, rc, "%s", bl_errmsg());
    return BL_OK;
}

static int
cmd_create(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    sql_t q = { .out = out };
    bl_buf_t fields = BL_BUF_INIT;
    const char *table = NULL, *key = NULL;
    char *values = NULL;
    receipt_t r;
    int rc;

    (void)argc, (void)argv;
    receipt_init(&r);
    if ((rc = sql_lex(&q, rest)) != BL_OK)
        goto out;
    if (!sql_expect(&q, "table") || (table = sql_take_value(&q, "a table name")) == NULL ||
        !sql_expect(&q, "("))
        goto bad;
    do {
        if (!column_def(&q, &fields, &key))
            goto bad;
    } while (sql_accept(&q, ","));
    if (!sql_expect(&q, ")") || !sql_at_end(&q))
        goto bad;
    if (key == NULL) {
        console_error(out, BL_E_INVALID, "the table needs a primary key: ..., primary key(name))");
        goto bad;
    }
    if (!split_key(&fields, key, &values)) {
        console_error(out, BL_E_INVALID, "the primary key \"%s\" is not one of the columns", key);
        goto bad;
    }
    const char *args[3] = { table, key, values };

    if ((rc = send_sql(c, out, "createTable(string,string,string)", args, 3, &r)) != BL_OK)
        goto out;
    int64_t code;

    if (r.status != TX_OK || console_output_int(&r, &code) != BL_OK) {
        rc = console_error(out, BL_E_INVALID, "createTable failed: %s",
                           tx_status_name((int)r.status));
    } else if (code != 0) {
        console_print_code(out, code);
        rc = BL_E_INVALID;
    } else {
        fprintf(out, "Create '%s' Ok.\n", table);
    }
    goto out;
bad:
    rc = BL_E_INVALID;
    console_usage(out, "create");
out:
    receipt_free(&r);
    free(values);
    bl_buf_free(&fields);
    sql_free(&q);
    return rc;
}

/* ---- insert ---- */

/* The row as JSON text; every column name must be a field of the table. */
static char *
row_json(const char **cols, const char **vals, size_t n)
{
    json_t *row = json_object();
    char *s;

    for (size_t i = 0; i < n; i++)
        json_object_set_new(row, cols[i], json_string(vals[i]));
    s = json_dumps(row, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(row);
    return s;
}

/* The table's columns, key first (for an insert without a column list). */
static size_t
table_columns(char *key, char *fields, const char **cols)
{
    size_t n = 0;

    cols[n++] = key;
    for (char *save = NULL, *f = strtok_r(fields, ",", &save); f != NULL && n < SQL_MAX_COLS;
         f = strtok_r(NULL, ",", &save))
        cols[n++] = f;
    return n;
}

/* Is every column a field of the table? Prints which is not. */
static bool
known_columns(FILE *out, const char *key, const char *fields, const char **cols, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(cols[i]);
        const char *f = fields;
        bool found = strcmp(cols[i], key) == 0;

        while (!found && (f = strstr(f, cols[i])) != NULL) {
            found = (f == fields || f[-1] == ',') && (f[len] == ',' || f[len] == '\0');
            f += len;
        }
        if (!found) {
            console_error(out, BL_E_NOTFOUND, "unknown field \"%s\" (the table has %s,%s)",
                          cols[i], key, fields);
            return false;
        }
    }
    return true;
}

static int
cmd_insert(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    sql_t q = { .out = out };
    const char *cols[SQL_MAX_COLS], *vals[SQL_MAX_COLS], *table = NULL, *keyval = NULL;
    char *key = NULL, *fields = NULL, *fcopy = NULL, *entry = NULL;
    size_t ncols = 0, nvals;
    receipt_t r;
    int rc;

    (void)argc, (void)argv;
    receipt_init(&r);
    if ((rc = sql_lex(&q, rest)) != BL_OK)
        goto out;
    if (!sql_expect(&q, "into") || (table = sql_take_value(&q, "a table name")) == NULL)
        goto bad;
    if (sql_peek(&q)->kind == TOK_PUNCT && (ncols = sql_take_list(&q, cols, "a column")) == 0)
        goto bad;
    if (!sql_expect(&q, "values") || (nvals = sql_take_list(&q, vals, "a value")) == 0 || !sql_at_end(&q))
        goto bad;
    if ((rc = console_desc(c, table, &key, &fields)) != BL_OK) {
        rc = console_error(out, rc, "%s", bl_errmsg());
        goto out;
    }
    fcopy = strdup(fields);
    if (ncols == 0)
        ncols = table_columns(key, fcopy, cols);
    if (ncols != nvals) {
        rc = console_error(out, BL_E_INVALID, "%zu columns but %zu values", ncols, nvals);
        goto out;
    }
    if (!known_columns(out, key, fields, cols, ncols)) {
        rc = BL_E_NOTFOUND;
        goto out;
    }
    for (size_t i = 0; i < ncols; i++)
        if (strcmp(cols[i], key) == 0)
            keyval = vals[i];
    if (keyval == NULL) {
        rc = console_error(out, BL_E_INVALID, "the insert must give the key field \"%s\"", key);
        goto out;
    }
    entry = row_json(cols, vals, ncols);
    const char *args[4] = { table, keyval, entry, "" };

    if ((rc = send_sql(c, out, "insert(string,string,string,string)", args, 4, &r)) == BL_OK)
        rc = print_count(c, out, "Insert", &r);
    goto out;
bad:
    rc = BL_E_INVALID;
    console_usage(out, "insert");
out:
    receipt_free(&r);
    free(entry);
    free(key);
    free(fields);
    free(fcopy);
    sql_free(&q);
    return rc;
}

/* ---- where ---- */

typedef struct {
    const char *key_field;
    const char *key;         /* the key's value, from "key = v" */
    json_t *cond;            /* the other conditions, and limit */
} where_t;

static const char *
op_name(const char *op)
{
    static const char *const ops[][2] = {
        { "=", "eq" }, { "!=", "ne" }, { ">", "gt" }, { ">=", "ge" }, { "<", "lt" }, { "<=", "le" },
    };

    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(op, ops[i][0]) == 0)
            return ops[i][1];
    return NULL;
}

/* field op value */
static bool
one_condition(sql_t *q, where_t *w)
{
    const char *field = sql_take_value(q, "a field"), *op, *value;
    json_t *ops;

    if (field == NULL)
        return false;
    op = sql_peek(q)->kind == TOK_PUNCT ? op_name(sql_peek(q)->text) : NULL;
    if (op == NULL) {
        if (!q->failed)
            console_error(q->out, BL_E_INVALID, "expected =, !=, >, >=, < or <= after \"%s\"; "
                          "found '%s'", field, sql_peek(q)->text);
        q->failed = true;
        return false;
    }
    q->at++;
    if ((value = sql_take_value(q, "a value")) == NULL)
        return false;
    if (strcmp(field, w->key_field) == 0 && strcmp(op, "eq") == 0 && w->key == NULL) {
        w->key = value;
        return true;
    }
    ops = json_object_get(w->cond, field);
    if (ops == NULL) {
        ops = json_object();
        json_object_set_new(w->cond, field, ops);
    }
    json_object_set_new(ops, op, json_string(value));
    return true;
}

/* [where c [and c]...] [limit n | limit o, n] — the key must be among the conditions. */
static bool
where_clause(sql_t *q, where_t *w, bool allow_limit)
{
    if (!sql_expect(q, "where"))
        return false;
    do {
        if (!one_condition(q, w))
            return false;
    } while (sql_accept(q, "and"));
    if (allow_limit && sql_accept(q, "limit")) {
        const char *a = sql_take_value(q, "a number"), *b = NULL;
        char text[64];

        if (a != NULL && sql_accept(q, ","))
            b = sql_take_value(q, "a number");
        if (q->failed)
            return false;
        snprintf(text, sizeof text, "%s,%s", b != NULL ? a : "0", b != NULL ? b : a);
        json_t *lim = json_object();

        json_object_set_new(lim, "limit", json_string(text));
        json_object_set_new(w->cond, "limit", lim);
    }
    if (sql_accept(q, "or")) {
        console_error(q->out, BL_E_INVALID, "only 'and' joins conditions (FISCO's CRUD has no "
                      "'or')");
        q->failed = true;
        return false;
    }
    if (!sql_at_end(q))
        return false;
    if (w->key == NULL) {
        console_error(q->out, BL_E_INVALID, "the where clause must give the primary key: %s = "
                      "value", w->key_field);
        q->failed = true;
        return false;
    }
    return true;
}

/* ---- select ---- */

static int
print_rows(FILE *out, const char *text, const char **cols, size_t ncols)
{
    json_t *rows = json_loads(text, 0, NULL);
    size_t n = json_array_size(rows);

    if (!json_is_array(rows)) {
        json_decref(rows);
        return console_error(out, BL_E_JSON, "the answer is not a JSON array: %s", text);
    }
    if (n == 0)
        fprintf(out, "Empty set.\n");
    else {
        console_print_table(out, rows, cols, ncols);
        fprintf(out, "%zu row%s in set.\n", n, n == 1 ? "" : "s");
    }
    json_decref(rows);
    return BL_OK;
}

/* select * | a, b from t where ... */
static int
cmd_select(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    sql_t q = { .out = out };
    const char *cols[SQL_MAX_COLS], *table = NULL;
    char *key = NULL, *fields = NULL, *fcopy = NULL, *cond = NULL, *text = NULL;
    size_t ncols = 0;
    where_t w = { .cond = json_object() };
    receipt_t r;
    int rc;

    (void)argc, (void)argv;
    receipt_init(&r);
    if ((rc = sql_lex(&q, rest)) != BL_OK)
        goto out;
    if (!sql_accept(&q, "*")) {
        do {
            if (ncols == SQL_MAX_COLS || (cols[ncols++] = sql_take_value(&q, "a column")) == NULL)
                goto bad;
        } while (sql_accept(&q, ","));
    }
    if (!sql_expect(&q, "from") || (table = sql_take_value(&q, "a table name")) == NULL)
        goto bad;
    if ((rc = console_desc(c, table, &key, &fields)) != BL_OK) {
        rc = console_error(out, rc, "%s", bl_errmsg());
        goto out;
    }
    w.key_field = key;
    if (!where_clause(&q, &w, true))
        goto bad;
    fcopy = strdup(fields);
    if (ncols == 0)
        ncols = table_columns(key, fcopy, cols);
    else if (!known_columns(out, key, fields, cols, ncols)) {
        rc = BL_E_NOTFOUND;
        goto out;
    }
    cond = json_dumps(w.cond, JSON_COMPACT | JSON_PRESERVE_ORDER);
    const char *args[4] = { table, w.key, cond, "" };

    if ((rc = console_call(c, ADDR_CRUD, "select(string,string,string,string)", args, 4, &r)) !=
        BL_OK)
        rc = console_error(out, rc, "%s", bl_errmsg());
    else if (console_output_string(&r, &text) != BL_OK) /* not rows: a code */
        rc = print_count(c, out, "Select", &r) == BL_OK ? BL_E_INVALID : BL_E_NOTFOUND;
    else
        rc = print_rows(out, text, cols, ncols);
    goto out;
bad:
    rc = BL_E_INVALID;
    console_usage(out, "select");
out:
    receipt_free(&r);
    json_decref(w.cond);
    free(text);
    free(cond);
    free(key);
    free(fields);
    free(fcopy);
    sql_free(&q);
    return rc;
}

/* ---- update and delete ---- */

static int
cmd_update(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    sql_t q = { .out = out };
    const char *cols[SQL_MAX_COLS], *vals[SQL_MAX_COLS], *table = NULL;
    char *key = NULL, *fields = NULL, *cond = NULL, *entry = NULL;
    size_t n = 0;
    where_t w = { .cond = json_object() };
    receipt_t r;
    int rc;

    (void)argc, (void)argv;
    receipt_init(&r);
    if ((rc = sql_lex(&q, rest)) != BL_OK)
        goto out;
    if ((table = sql_take_value(&q, "a table name")) == NULL || !sql_expect(&q, "set"))
        goto bad;
    do {
        if (n == SQL_MAX_COLS || (cols[n] = sql_take_value(&q, "a column")) == NULL ||
            !sql_expect(&q, "=") || (vals[n] = sql_take_value(&q, "a value")) == NULL)
            goto bad;
        n++;
    } while (sql_accept(&q, ","));
    if ((rc = console_desc(c, table, &key, &fields)) != BL_OK) {
        rc = console_error(out, rc, "%s", bl_errmsg());
        goto out;
    }
    w.key_field = key;
    if (!where_clause(&q, &w, false))
        goto bad;
    if (!known_columns(out, key, fields, cols, n)) {
        rc = BL_E_NOTFOUND;
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        if (strcmp(cols[i], key) == 0) {
            rc = console_error(out, BL_E_INVALID, "the primary key \"%s\" cannot be updated "
                               "(-51503)", key);
            goto out;
        }
    entry = row_json(cols, vals, n);
    cond = json_dumps(w.cond, JSON_COMPACT | JSON_PRESERVE_ORDER);
    const char *args[5] = { table, w.key, entry, cond, "" };

    if ((rc = send_sql(c, out, "update(string,string,string,string,string)", args, 5, &r)) ==
        BL_OK)
        rc = print_count(c, out, "Update", &r);
    goto out;
bad:
    rc = BL_E_INVALID;
    console_usage(out, "update");
out:
    receipt_free(&r);
    json_decref(w.cond);
    free(entry);
    free(cond);
    free(key);
    free(fields);
    sql_free(&q);
    return rc;
}

static int
cmd_delete(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    sql_t q = { .out = out };
    const char *table = NULL;
    char *key = NULL, *fields = NULL, *cond = NULL;
    where_t w = { .cond = json_object() };
    receipt_t r;
    int rc;

    (void)argc, (void)argv;
    receipt_init(&r);
    if ((rc = sql_lex(&q, rest)) != BL_OK)
        goto out;
    if (!sql_expect(&q, "from") || (table = sql_take_value(&q, "a table name")) == NULL)
        goto bad;
    if ((rc = console_desc(c, table, &key, &fields)) != BL_OK) {
        rc = console_error(out, rc, "%s", bl_errmsg());
        goto out;
    }
    w.key_field = key;
    if (!where_clause(&q, &w, false))
        goto bad;
    cond = json_dumps(w.cond, JSON_COMPACT | JSON_PRESERVE_ORDER);
    const char *args[4] = { table, w.key, cond, "" };

    if ((rc = send_sql(c, out, "remove(string,string,string,string)", args, 4, &r)) == BL_OK)
        rc = print_count(c, out, "Remove", &r);
    goto out;
bad:
    rc = BL_E_INVALID;
    console_usage(out, "delete");
out:
    receipt_free(&r);
    json_decref(w.cond);
    free(cond);
    free(key);
    free(fields);
    sql_free(&q);
    return rc;
}

const console_cmd_t console_sql_cmds[] = {
    { "create", "table NAME(FIELD varchar, ..., primary key(FIELD))", "make a user table", 1, -1,
      cmd_create },
    { "desc", "tableName", "a table's key field and value fields", 1, 1, cmd_desc },
    { "insert", "into NAME [(FIELD, ...)] values (VALUE, ...)", "add a row", 1, -1, cmd_insert },
    { "select", "* | FIELD, ... from NAME where KEY = V [and F op V]... [limit [O,] N]",
      "read rows (the key must be in the where clause)", 1, -1, cmd_select },
    { "update", "NAME set F = V, ... where KEY = V [and F op V]...", "change rows", 1, -1,
      cmd_update },
    { "delete", "from NAME where KEY = V [and F op V]...", "remove rows", 1, -1, cmd_delete },
    { NULL, NULL, NULL, 0, 0, NULL },
};
