/*
 * console_sql_lex.c — the words of the console's SQL and the small parser helpers that read
 * them (console_sql.h). Nothing here knows SQL statements: console_sql.c does.
 */
#include "console/console_sql.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/error.h"
#include "console/console_int.h"

static bool
is_punct(char ch)
{
    return strchr("(),=<>!*", ch) != NULL;
}

/* One token at *p; false on an unclosed quote. */
static bool
lex_one(const char **p, tok_t *t)
{
    const char *s = *p, *start;

    if (*s == '\'' || *s == '"') {
        char q = *s++;

        start = s;
        while (*s != '\0' && *s != q)
            s++;
        if (*s == '\0')
            return false;
        t->kind = TOK_STRING;
        t->text = strndup(start, (size_t)(s - start));
        *p = s + 1;
        return true;
    }
    start = s;
    if (is_punct(*s)) {
        /* two-character operators: != >= <= */
        s += (s[1] == '=' && strchr("!<>", *s) != NULL) ? 2 : 1;
        t->kind = TOK_PUNCT;
    } else {
        while (*s != '\0' && !isspace((unsigned char)*s) && !is_punct(*s) && *s != '\'' &&
               *s != '"')
            s++;
        t->kind = TOK_WORD;
    }
    t->text = strndup(start, (size_t)(s - start));
    *p = s;
    return true;
}

int
sql_lex(sql_t *q, const char *text)
{
    const char *p = text;

    q->n = q->at = 0;
    for (;;) {
        while (isspace((unsigned char)*p) || *p == ';')
            p++;
        if (*p == '\0')
            break;
        if (q->n + 1 == SQL_MAX_TOKENS)
            return console_error(q->out, BL_E_RANGE, "the statement is too long");
        if (!lex_one(&p, &q->toks[q->n]))
            return console_error(q->out, BL_E_INVALID, "an unclosed quote");
        q->n++;
    }
    q->toks[q->n] = (tok_t){ TOK_END, strdup("") };
    return BL_OK;
}

void
sql_free(sql_t *q)
{
    for (size_t i = 0; i <= q->n && i < SQL_MAX_TOKENS; i++)
        free(q->toks[i].text);
}

const tok_t *sql_peek(sql_t *q) { return &q->toks[q->at]; }

/* Is the next token this keyword (any case) or punctuation? Takes it if so. */
bool
sql_accept(sql_t *q, const char *word)
{
    const tok_t *t = sql_peek(q);

    if (t->kind == TOK_STRING || t->kind == TOK_END || strcasecmp(t->text, word) != 0)
        return false;
    q->at++;
    return true;
}

bool
sql_expect(sql_t *q, const char *word)
{
    if (sql_accept(q, word))
        return true;
    if (!q->failed)
        console_error(q->out, BL_E_INVALID, "expected '%s' but found '%s'", word,
                      sql_peek(q)->kind == TOK_END ? "the end" : sql_peek(q)->text);
    q->failed = true;
    return false;
}

/* A name or a value: a word or a quoted string. NULL (and an error) otherwise. */
const char *
sql_take_value(sql_t *q, const char *what)
{
    const tok_t *t = sql_peek(q);

    if (t->kind == TOK_WORD || t->kind == TOK_STRING) {
        q->at++;
        return t->text;
    }
    if (!q->failed)
        console_error(q->out, BL_E_INVALID, "expected %s but found '%s'", what,
                      t->kind == TOK_END ? "the end" : t->text);
    q->failed = true;
    return NULL;
}

bool
sql_at_end(sql_t *q)
{
    if (sql_peek(q)->kind == TOK_END)
        return true;
    if (!q->failed)
        console_error(q->out, BL_E_INVALID, "unexpected '%s' (this console's SQL has no more "
                      "to the statement)", sql_peek(q)->text);
    q->failed = true;
    return false;
}

/* A (comma, separated, list) of names or values. */
size_t
sql_take_list(sql_t *q, const char **items, const char *what)
{
    size_t n = 0;

    if (!sql_expect(q, "("))
        return 0;
    do {
        if (n == SQL_MAX_COLS) {
            console_error(q->out, BL_E_RANGE, "at most %d columns", SQL_MAX_COLS);
            q->failed = true;
            return 0;
        }
        items[n] = sql_take_value(q, what);
        if (items[n++] == NULL)
            return 0;
    } while (sql_accept(q, ","));
    return sql_expect(q, ")") ? n : 0;
}
