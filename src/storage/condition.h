/*
 * condition.h — which rows of a key a select, update or remove acts on (FISCO's Condition).
 *
 * A condition is a list of clauses "field OP value", all of which a row must pass (AND), and
 * an optional limit: at most `count` rows, after skipping `offset` matching rows, taken in
 * _id_ order. An empty condition matches every row of the key.
 *
 *   EQ, NE          compare the values as byte strings;
 *   GT, GE, LT, LE  compare the values as signed 64-bit integers, as FISCO 2.x does; a row
 *                   whose value is not an integer, or lacks the field, does not pass (an
 *                   empty value counts as 0, as in FISCO's Condition::process).
 *
 * (Deleted rows never pass: the table layer hides them before a condition is even asked.)
 */
#ifndef BL_STORAGE_CONDITION_H
#define BL_STORAGE_CONDITION_H

#include <stdbool.h>
#include <stddef.h>

#include "base/bytes.h"
#include "storage/entry.h"

typedef enum { COND_EQ, COND_NE, COND_GT, COND_GE, COND_LT, COND_LE } cond_op_t;

typedef struct {
    char *field;
    cond_op_t op;
    bl_buf_t value;
} cond_clause_t;

typedef struct {
    cond_clause_t *clauses;
    size_t count;
    size_t cap;
    bool has_limit;
    size_t offset; /* matching rows to skip */
    size_t limit;  /* matching rows to keep after that */
} condition_t;

void condition_init(condition_t *c);
void condition_free(condition_t *c);
void condition_add(condition_t *c, const char *field, cond_op_t op, const char *value);
void condition_add_bytes(condition_t *c, const char *field, cond_op_t op, const void *value,
                         size_t len);
/* limit(count) is limit(0, count). */
void condition_set_limit(condition_t *c, size_t offset, size_t count);

/* Does the row pass every clause? (The limit is not looked at here.) A NULL condition
 * passes everything. */
bool condition_matches(const condition_t *c, const entry_t *e);

/* The limit as a window over the `matching` rows that passed the clauses (in _id_ order): skip
 * the first *skip of them, keep the *keep after that. No limit (or a NULL condition): skip 0,
 * keep all. */
void condition_window(const condition_t *c, size_t matching, size_t *skip, size_t *keep);

/* The two rules above, as hooks. condition_matches and condition_window call whatever these
 * point to: the built-in functions below, unless exercise 06 (exercises/06-table-select) has
 * put the student's functions there. Set them only while no cluster runs. */
typedef bool (*condition_match_fn)(const condition_t *c, const entry_t *e);
typedef void (*condition_window_fn)(const condition_t *c, size_t matching, size_t *skip,
                                    size_t *keep);
extern condition_match_fn condition_match_rule;
extern condition_window_fn condition_window_rule;
bool condition_matches_builtin(const condition_t *c, const entry_t *e);
void condition_window_builtin(const condition_t *c, size_t matching, size_t *skip,
                              size_t *keep);

/* "eq", "ne", "gt", "ge", "lt", "le" (the names of FISCO's CRUD JSON conditions), and back;
 * cond_op_parse returns BL_E_INVALID for anything else. */
const char *cond_op_name(cond_op_t op);
int cond_op_parse(const char *name, cond_op_t *op);

#endif
