/*
 * condition.c — FISCO's Condition: the clauses a row must pass, and a limit.
 *
 * EQ and NE compare bytes. The ordering operators GT, GE, LT and LE compare numbers: FISCO 2.x
 * reads both sides as 64-bit signed integers (boost::lexical_cast<int64_t>), so "10" > "9"
 * although "10" sorts before "9" as text. A value that is not such an integer — "abc", "1.5",
 * " 7" or a number too big for 64 bits — cannot be ordered, so the row does not pass; the same
 * holds when the condition's own value is not an integer (then no row passes). One FISCO
 * detail is kept: a row whose value is empty counts as 0 (Condition::process reads "" as 0).
 *
 * The limit is a window over the matching rows in _id_ order: skip `offset` of them, keep at
 * most `limit` after that. The table layer (amdb_table.c) has that list; it asks
 * condition_window where to cut it.
 */
#include "storage/condition.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

void
condition_init(condition_t *c)
{
    memset(c, 0, sizeof *c);
}

void
condition_free(condition_t *c)
{
    for (size_t i = 0; i < c->count; i++) {
        free(c->clauses[i].field);
        bl_buf_free(&c->clauses[i].value);
    }
    free(c->clauses);
    condition_init(c);
}

void
condition_add_bytes(condition_t *c, const char *field, cond_op_t op, const void *value,
                    size_t len)
{
    cond_clause_t *cl;

    if (c->count == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 4;
        c->clauses = bl_xrealloc(c->clauses, c->cap * sizeof *c->clauses);
    }
    cl = &c->clauses[c->count++];
    cl->field = bl_xstrdup(field);
    cl->op = op;
    bl_buf_init(&cl->value);
    bl_buf_append(&cl->value, value, len);
}

void
condition_add(condition_t *c, const char *field, cond_op_t op, const char *value)
{
    condition_add_bytes(c, field, op, value, strlen(value));
}

void
condition_set_limit(condition_t *c, size_t offset, size_t count)
{
    c->has_limit = true;
    c->offset = offset;
    c->limit = count;
}

/* Read bytes as a decimal int64: an optional sign, then one or more digits, nothing else. */
static bool
parse_int64(const uint8_t *p, size_t len, int64_t *v)
{
    char text[24]; /* "-9223372036854775808" is 20 characters */
    char *end;
    size_t i = 0;
    long long n;

    if (len == 0 || len >= sizeof text)
        return false;
    if (p[0] == '-' || p[0] == '+')
        i = 1;
    if (i == len)
        return false;
    for (; i < len; i++)
        if (p[i] < '0' || p[i] > '9')
            return false;
    memcpy(text, p, len);
    text[len] = '\0';
    errno = 0;
    n = strtoll(text, &end, 10);
    if (errno == ERANGE || *end != '\0')
        return false;
    *v = (int64_t)n;
    return true;
}

static bool
bytes_equal(const bl_buf_t *a, const bl_buf_t *b)
{
    return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

static bool
clause_passes(const cond_clause_t *cl, const entry_t *e)
{
    const bl_buf_t *v = entry_get(e, cl->field);
    int64_t row, want;

    if (v == NULL)
        return false;
    if (cl->op == COND_EQ)
        return bytes_equal(v, &cl->value);
    if (cl->op == COND_NE)
        return !bytes_equal(v, &cl->value);
    if (v->len == 0)
        row = 0; /* FISCO: an empty field compares as 0 */
    else if (!parse_int64(v->data, v->len, &row))
        return false;
    if (!parse_int64(cl->value.data, cl->value.len, &want))
        return false;
    switch (cl->op) {
    case COND_GT: return row > want;
    case COND_GE: return row >= want;
    case COND_LT: return row < want;
    case COND_LE: return row <= want;
    default:      return false;
    }
}

bool
condition_matches_builtin(const condition_t *c, const entry_t *e)
{
    if (c == NULL)
        return true;
    for (size_t i = 0; i < c->count; i++)
        if (!clause_passes(&c->clauses[i], e))
            return false;
    return true;
}

void
condition_window_builtin(const condition_t *c, size_t matching, size_t *skip, size_t *keep)
{
    *skip = 0;
    *keep = matching;
    if (c == NULL || !c->has_limit)
        return;
    *skip = c->offset < matching ? c->offset : matching;
    *keep = matching - *skip;
    if (c->limit < *keep)
        *keep = c->limit;
}

condition_match_fn condition_match_rule = condition_matches_builtin;
condition_window_fn condition_window_rule = condition_window_builtin;

bool
condition_matches(const condition_t *c, const entry_t *e)
{
    return condition_match_rule(c, e);
}

void
condition_window(const condition_t *c, size_t matching, size_t *skip, size_t *keep)
{
    condition_window_rule(c, matching, skip, keep);
}

static const char *const op_names[] = {
    [COND_EQ] = "eq", [COND_NE] = "ne", [COND_GT] = "gt",
    [COND_GE] = "ge", [COND_LT] = "lt", [COND_LE] = "le",
};

const char *
cond_op_name(cond_op_t op)
{
    if ((size_t)op >= sizeof op_names / sizeof op_names[0])
        return "?";
    return op_names[op];
}

int
cond_op_parse(const char *name, cond_op_t *op)
{
    for (size_t i = 0; i < sizeof op_names / sizeof op_names[0]; i++) {
        if (strcmp(name, op_names[i]) == 0) {
            *op = (cond_op_t)i;
            return 0;
        }
    }
    return bl_fail(BL_E_INVALID, "unknown condition operator \"%s\" (eq, ne, gt, ge, lt, le)",
                   name);
}
