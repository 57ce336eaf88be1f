/*
 * 06-table-select.c — reference solution of exercise 06 (exercises/06-table-select/
 * table_select.h).
 *
 * A row passes a condition when it passes every clause: EQ and NE compare bytes, the ordering
 * operators compare signed 64-bit integers (an empty row value is 0; anything that is not an
 * integer cannot be ordered, so it does not pass). The limit is a window: skip `offset` of the
 * matching rows, keep at most `limit` after them.
 */
#include "table_select.h"

#include <stdint.h>
#include <string.h>

/* Read bytes as a decimal int64: an optional '-', then one or more digits, nothing else.
 * Built up digit by digit as a negative number, because -9223372036854775808 has no positive
 * twin in 64 bits. */
static bool parse_int64(const uint8_t *p, size_t len, int64_t *out)
{
    bool negative = len > 0 && p[0] == '-';
    size_t i = negative ? 1 : 0;
    int64_t v = 0;

    if (i == len)
        return false; /* empty, or a lone '-' */
    for (; i < len; i++) {
        int digit;

        if (p[i] < '0' || p[i] > '9')
            return false;
        digit = p[i] - '0';
        if (v < (INT64_MIN + digit) / 10)
            return false; /* v * 10 - digit would go below INT64_MIN */
        v = v * 10 - digit;
    }
    if (!negative) {
        if (v == INT64_MIN)
            return false; /* 9223372036854775808 is one too many */
        v = -v;
    }
    *out = v;
    return true;
}

static bool same_bytes(const bl_buf_t *a, const bl_buf_t *b)
{
    return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

static bool clause_passes(const cond_clause_t *cl, const entry_t *row)
{
    const bl_buf_t *v = entry_get(row, cl->field);
    int64_t mine = 0, want;

    if (v == NULL)
        return false;
    if (cl->op == COND_EQ)
        return same_bytes(v, &cl->value);
    if (cl->op == COND_NE)
        return !same_bytes(v, &cl->value);
    if (v->len > 0 && !parse_int64(v->data, v->len, &mine))
        return false;
    if (!parse_int64(cl->value.data, cl->value.len, &want))
        return false;
    switch (cl->op) {
    case COND_GT: return mine > want;
    case COND_GE: return mine >= want;
    case COND_LT: return mine < want;
    case COND_LE: return mine <= want;
    default:      return false;
    }
}

bool ex_condition_matches(const condition_t *cond, const entry_t *row)
{
    if (cond == NULL)
        return true;
    for (size_t i = 0; i < cond->count; i++)
        if (!clause_passes(&cond->clauses[i], row))
            return false;
    return true;
}

void ex_condition_window(const condition_t *cond, size_t matching, size_t *skip, size_t *keep)
{
    *skip = 0;
    *keep = matching;
    if (cond == NULL || !cond->has_limit)
        return;
    *skip = cond->offset < matching ? cond->offset : matching;
    *keep = matching - *skip;
    if (cond->limit < *keep)
        *keep = cond->limit;
}
