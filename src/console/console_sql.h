/*
 * console_sql.h — the words of the console's SQL (console_sql_lex.c), for console_sql.c.
 *
 * A statement is cut into tokens — words (names, bare values such as fruit or 10), 'quoted'
 * or "quoted" strings (a value with spaces), and punctuation ( ) , = != < <= > >= * — and read
 * from left to right by a parser that takes what it expects and says what it found instead.
 */
#ifndef BL_CONSOLE_SQL_H
#define BL_CONSOLE_SQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define SQL_MAX_TOKENS 256
#define SQL_MAX_COLS 32

typedef enum { TOK_WORD, TOK_STRING, TOK_PUNCT, TOK_END } tok_kind_t;

typedef struct {
    tok_kind_t kind;
    char *text;
} tok_t;

typedef struct {
    tok_t toks[SQL_MAX_TOKENS];
    size_t n, at;
    FILE *out;
    bool failed;
} sql_t;

/* Cut text into q's tokens (an error printed on q->out: an unclosed quote, too long). */
int sql_lex(sql_t *q, const char *text);
void sql_free(sql_t *q);
/* The next token, not taken. */
const tok_t *sql_peek(sql_t *q);
/* Take the next token if it is this keyword (any case) or punctuation. */
bool sql_accept(sql_t *q, const char *word);
/* The same, or print what was found instead and mark q failed. */
bool sql_expect(sql_t *q, const char *word);
/* Take a name or a value (a word or a quoted string); NULL with an error otherwise. */
const char *sql_take_value(sql_t *q, const char *what);
/* Is the statement over? An error if not. */
bool sql_at_end(sql_t *q);
/* Take a (comma, separated, list) of names or values into items; their number, 0 on error. */
size_t sql_take_list(sql_t *q, const char **items, const char *what);

#endif
