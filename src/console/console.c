/*
 * console.c — the console's command line: one line in, one command run, its answer out
 * (console.h says what the console is).
 *
 * A line is split into words the way a shell splits them: spaces separate words, and 'single'
 * or "double" quotes keep spaces inside one word (so an SQL value or a CNS abi may hold
 * spaces). The first word names the command; the command table says how many words it takes,
 * so a missing or extra argument prints the command's usage line and runs nothing. SQL
 * commands get the rest of the line as it was typed, and parse it themselves
 * (console_sql.c).
 *
 * The commands live in four tables: the session (help, switch, accounts) and the teaching
 * commands here, chain queries in console_chain.c, managers (sealers, system config,
 * permissions, CNS, DagTransfer) in console_admin.c, SQL in console_sql.c.
 */
#include "console/console_int.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

static const console_cmd_t *const tables[] = {
    console_session_cmds, console_chain_cmds, console_status_cmds, console_admin_cmds, console_sql_cmds,
    console_teach_cmds,
};
#define NTABLES (sizeof tables / sizeof tables[0])

static const console_cmd_t *
find_cmd(const char *name)
{
    for (size_t t = 0; t < NTABLES; t++)
        for (const console_cmd_t *cmd = tables[t]; cmd->name != NULL; cmd++)
            if (strcmp(cmd->name, name) == 0)
                return cmd;
    return NULL;
}

const char *
console_command_name(unsigned i)
{
    for (size_t t = 0; t < NTABLES; t++)
        for (const console_cmd_t *cmd = tables[t]; cmd->name != NULL; cmd++)
            if (i-- == 0)
                return cmd->name;
    return NULL;
}

/* ---- printing ---- */

int
console_error(FILE *out, int code, const char *fmt, ...)
{
    va_list ap;

    fputs("Error: ", out);
    va_start(ap, fmt);
    vfprintf(out, fmt, ap);
    va_end(ap);
    fputc('\n', out);
    return code < 0 ? code : BL_E_INVALID;
}

int
console_usage(FILE *out, const char *name)
{
    const console_cmd_t *cmd = find_cmd(name);

    if (cmd != NULL)
        fprintf(out, "Usage: %s%s%s\n", cmd->name, cmd->args[0] ? " " : "", cmd->args);
    return BL_E_INVALID;
}

void
console_print_json(FILE *out, json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(4) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);

    fprintf(out, "%s\n", s != NULL ? s : "null");
    free(s);
    json_decref(j);
}

/* ---- splitting a line into words ---- */

/* The next word of *p into word (cap bytes): quotes group, a backslash in double quotes
 * escapes the next character. 0 at the end, -1 on an unclosed quote. */
static int
next_word(const char **p, char *word, size_t cap)
{
    const char *s = *p;
    size_t n = 0;

    while (isspace((unsigned char)*s))
        s++;
    if (*s == '\0')
        return 0;
    while (*s != '\0' && !isspace((unsigned char)*s)) {
        char q = *s;

        if (q == '\'' || q == '"') {
            for (s++; *s != q; s++) {
                if (*s == '\0')
                    return -1;
                if (q == '"' && *s == '\\' && s[1] != '\0')
                    s++;
                if (n + 1 < cap)
                    word[n++] = *s;
            }
            s++;
        } else if (n + 1 < cap) {
            word[n++] = *s++;
        } else {
            s++;
        }
    }
    word[n] = '\0';
    *p = s;
    return 1;
}

/* Split line into at most CONSOLE_MAX_ARGS words (each malloc'ed); the count, or -1. */
static int
split_words(const char *line, char **argv, const char **rest)
{
    size_t cap = strlen(line) + 1;
    char *word = malloc(cap);
    const char *p = line;
    int argc = 0, r = 0;

    while (argc < CONSOLE_MAX_ARGS && (r = next_word(&p, word, cap)) == 1) {
        argv[argc++] = bl_xstrdup(word);
        if (argc == 1) {
            while (isspace((unsigned char)*p))
                p++;
            *rest = p;
        }
    }
    free(word);
    if (r == -1 || (argc == CONSOLE_MAX_ARGS && next_word(&p, (char[2]){ 0 }, 1) == 1)) {
        for (int i = 0; i < argc; i++)
            free(argv[i]);
        return -1;
    }
    return argc;
}

/* ---- running ---- */

static int
dispatch(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    const console_cmd_t *cmd = find_cmd(argv[0]);
    int nargs = argc - 1;

    if (cmd == NULL)
        return console_error(out, BL_E_NOTFOUND, "unknown command '%s' (try help)", argv[0]);
    if (cmd->run == NULL || (cmd->min_args >= 0 && nargs < cmd->min_args) ||
        (cmd->max_args >= 0 && nargs > cmd->max_args))
        return console_usage(out, cmd->name);
    return cmd->run(c, argc, argv, rest, out);
}

int
console_run_line(console_t *c, const char *line, FILE *out)
{
    char *argv[CONSOLE_MAX_ARGS];
    const char *rest = "";
    int argc, rc;

    while (isspace((unsigned char)*line))
        line++;
    if (*line == '\0' || *line == '#')
        return BL_OK;
    argc = split_words(line, argv, &rest);
    if (argc < 0)
        return console_error(out, BL_E_INVALID, "unclosed quote, or more than %d words",
                             CONSOLE_MAX_ARGS);
    rc = argc == 0 ? BL_OK : dispatch(c, argc, argv, rest, out);
    for (int i = 0; i < argc; i++)
        free(argv[i]);
    fflush(out);
    return rc;
}

int
console_run_script(console_t *c, const char *text, FILE *out)
{
    size_t len = strlen(text);
    char *line = malloc(len + 1);
    int first = BL_OK;
    size_t n = 0;
    char quote = 0;

    for (size_t i = 0; i <= len && !c->done; i++) {
        char ch = text[i];

        if (quote != 0 && ch != '\0') {
            quote = ch == quote ? 0 : quote;
            line[n++] = ch;
            continue;
        }
        if (ch == '\'' || ch == '"') {
            quote = ch;
            line[n++] = ch;
            continue;
        }
        if (ch != ';' && ch != '\n' && ch != '\0') {
            line[n++] = ch;
            continue;
        }
        line[n] = '\0';
        n = 0;
        int rc = console_run_line(c, line, out);

        if (first == BL_OK)
            first = rc;
    }
    free(line);
    return first;
}

bool console_done(const console_t *c) { return c->done; }

const char *
console_prompt(console_t *c)
{
    snprintf(c->prompt, sizeof c->prompt, "[group:%u]> ", c->group);
    return c->prompt;
}

/* ---- the console itself ---- */

static void
add_account(console_t *c, const keypair_t *kp)
{
    console_account_t *a = &c->accounts[c->naccounts++];

    a->key = *kp;
    keypair_address(kp, a->addr);
}

console_t *
console_new(world_t *w, uint64_t seed)
{
    console_t *c = bl_xcalloc(1, sizeof *c);
    uint8_t priv[32] = { 0xac };
    keypair_t kp;

    c->w = w;
    c->group = 1;
    bl_rng_seed(&c->rng, seed ^ 0xc0501e);
    memcpy(priv + 24, &seed, sizeof seed);
    if (keypair_from_priv(&kp, world_suite(w), priv) != BL_OK)
        goto fail;
    add_account(c, &kp);
    keypair_clear(&kp);
    if (console_replica_open(c, 1) != BL_OK)
        goto fail;
    return c;
fail:
    console_free(c);
    return NULL;
}

void
console_free(console_t *c)
{
    if (c == NULL)
        return;
    for (unsigned k = 0; k < WORLD_MAX_GROUPS; k++)
        if (c->replicas[k].open)
            console_replica_close(&c->replicas[k]);
    for (size_t i = 0; i < c->naccounts; i++)
        keypair_clear(&c->accounts[i].key);
    free(c);
}

/* ---- session commands ---- */

static void
print_cmd_help(const console_cmd_t *cmd, FILE *out)
{
    fprintf(out, "%-32s %s\n", cmd->name, cmd->help);
}

static int
cmd_help(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    (void)c, (void)rest;
    if (argc == 2) {
        const console_cmd_t *cmd = find_cmd(argv[1]);

        if (cmd == NULL)
            return console_error(out, BL_E_NOTFOUND, "unknown command '%s'", argv[1]);
        console_usage(out, cmd->name);
        fprintf(out, "%s\n", cmd->help);
        return BL_OK;
    }
    for (size_t t = 0; t < NTABLES; t++)
        for (const console_cmd_t *cmd = tables[t]; cmd->name != NULL; cmd++)
            print_cmd_help(cmd, out);
    return BL_OK;
}

static int
cmd_quit(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    (void)argc, (void)argv, (void)rest, (void)out;
    c->done = true;
    return BL_OK;
}

static int
cmd_switch(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    char *end;
    unsigned long g = strtoul(argv[1], &end, 10);
    int rc;

    (void)argc, (void)rest;
    if (*end != '\0' || end == argv[1] || g < 1 || g > world_ngroups(c->w))
        return console_error(out, BL_E_NOTFOUND, "group %s does not exist (groups: 1..%u)",
                             argv[1], world_ngroups(c->w));
    if ((rc = console_replica_open(c, (unsigned)g)) != BL_OK)
        return console_error(out, rc, "cannot read group %lu: %s", g, bl_errmsg());
    c->group = (unsigned)g;
    fprintf(out, "Switched to group %lu.\n", g);
    return BL_OK;
}

static void
print_address(FILE *out, const uint8_t addr[20])
{
    char hex[41];

    bl_hex_encode(addr, 20, hex);
    fprintf(out, "0x%s\n", hex);
}

/* A new account: saved as PEM to DIR/0x<address>.pem when a directory is given
 * (FISCO saves to account/ecdsa/), and made the current one. */
static int
cmd_new_account(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    uint8_t priv[32];
    keypair_t kp;
    int rc;

    (void)rest;
    if (c->naccounts == CONSOLE_MAX_ACCOUNTS)
        return console_error(out, BL_E_RANGE, "at most %d accounts", CONSOLE_MAX_ACCOUNTS);
    /* From the console's seeded generator, not the system's: a script makes the same
     * accounts every run (a real deployment would use keypair_generate). */
    bl_rng_bytes(&c->rng, priv, sizeof priv);
    priv[0] = 0x01; /* below the curve order, never zero */
    if ((rc = keypair_from_priv(&kp, world_suite(c->w), priv)) != BL_OK)
        return console_error(out, rc, "cannot make a key: %s", bl_errmsg());
    add_account(c, &kp);
    keypair_clear(&kp);
    c->current = c->naccounts - 1;
    if (argc == 2) {
        char path[4096], hex[41];

        bl_hex_encode(c->accounts[c->current].addr, 20, hex);
        snprintf(path, sizeof path, "%s/0x%s.pem", argv[1], hex);
        if (keypair_save_pem(&c->accounts[c->current].key, path) != BL_OK)
            return console_error(out, BL_E_IO, "cannot save %s: %s", path, bl_errmsg());
        fprintf(out, "AccountPath: %s\n", path);
    }
    fprintf(out, "newAccount: ");
    print_address(out, c->accounts[c->current].addr);
    return BL_OK;
}

bool
console_parse_address(const char *s, uint8_t out[20])
{
    if (strncmp(s, "0x", 2) == 0 || strncmp(s, "0X", 2) == 0)
        s += 2;
    return strlen(s) == 40 && bl_hex_decode_fixed(s, out, 20) == BL_OK;
}

/* loadAccount ADDRESS (one of listAccount's) or loadAccount FILE.pem. */
static int
cmd_load_account(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    uint8_t addr[20];
    keypair_t kp;

    (void)argc, (void)rest;
    if (console_parse_address(argv[1], addr)) {
        for (size_t i = 0; i < c->naccounts; i++) {
            if (memcmp(c->accounts[i].addr, addr, 20) == 0) {
                c->current = i;
                fprintf(out, "Load account %s success!\n", argv[1]);
                return BL_OK;
            }
        }
        return console_error(out, BL_E_NOTFOUND, "no account %s (see listAccount)", argv[1]);
    }
    if (keypair_load_pem(&kp, argv[1]) != BL_OK)
        return console_error(out, BL_E_IO, "%s is neither an account address nor a key file: %s",
                             argv[1], bl_errmsg());
    if (c->naccounts == CONSOLE_MAX_ACCOUNTS)
        return console_error(out, BL_E_RANGE, "at most %d accounts", CONSOLE_MAX_ACCOUNTS);
    add_account(c, &kp);
    keypair_clear(&kp);
    c->current = c->naccounts - 1;
    fprintf(out, "Load account ");
    print_address(out, c->accounts[c->current].addr);
    return BL_OK;
}

static int
cmd_list_account(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    (void)argc, (void)argv, (void)rest;
    for (size_t i = 0; i < c->naccounts; i++) {
        char hex[41];

        bl_hex_encode(c->accounts[i].addr, 20, hex);
        fprintf(out, "0x%s%s\n", hex, i == c->current ? "(current account) <=" : "");
    }
    return BL_OK;
}

static int
cmd_current_account(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    (void)argc, (void)argv, (void)rest;
    print_address(out, c->accounts[c->current].addr);
    return BL_OK;
}

const console_cmd_t console_session_cmds[] = {
    { "help", "[COMMAND]", "list the commands, or show one command's usage", 0, 1, cmd_help },
    { "quit", "", "leave the console", 0, 0, cmd_quit },
    { "exit", "", "leave the console", 0, 0, cmd_quit },
    { "switch", "groupId", "send the next commands to another group", 1, 1, cmd_switch },
    { "newAccount", "[DIR]", "make a new account (saved as DIR/0x<address>.pem) and use it",
      0, 1, cmd_new_account },
    { "loadAccount", "address|keyFile.pem", "sign from now on with this account", 1, 1,
      cmd_load_account },
    { "listAccount", "", "the accounts of this console", 0, 0, cmd_list_account },
    { "getCurrentAccount", "", "the address that signs transactions", 0, 0,
      cmd_current_account },
    { NULL, NULL, NULL, 0, 0, NULL },
};
