/*
 * cli.h — the small amount of machinery every bcoslab subcommand shares.
 *
 * Conventions (the issue tracker's "bcoslab util" contract, applied to every command):
 *   - each command has a usage line and a one-line summary, printed by --help (exit 0);
 *   - success exits 0 and prints only the answer on stdout, so scripts can capture it;
 *   - bad input exits 2 with one line on stderr: "bcoslab CMD: what was wrong".
 */
#ifndef BL_APP_CLI_H
#define BL_APP_CLI_H

#include <stdbool.h>
#include <stddef.h>

#define CLI_OK 0
#define CLI_BAD_INPUT 2

typedef struct {
    const char *name;
    const char *args;    /* usage after the name, e.g. "[--sm] HEX" */
    const char *summary; /* one line */
    const char *help;    /* further lines for --help, or NULL */
    int (*run)(int argc, char **argv); /* argv[0] is the command name */
    bool is_group;       /* has subcommands of its own, which handle --help themselves */
} cli_command_t;

/* Run the command named by argv[0] from a NULL-name-terminated table. `group` is the prefix for
 * messages ("util"). Prints the table on "help", "--help" or an unknown name. */
int cli_dispatch(const char *group, const cli_command_t *cmds, int argc, char **argv);

/* Print "bcoslab GROUP CMD: message" to stderr and return CLI_BAD_INPUT. */
int cli_fail(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Does argv ask for --help / -h anywhere? */
bool cli_wants_help(int argc, char **argv);

/* The command's own usage text (for --help). */
void cli_print_help(const char *group, const cli_command_t *cmd);

/* An option's number: decimal digits only, from lo to hi. On anything else it reports
 * "--opt wants a number from lo to hi, not 'text'" and returns CLI_BAD_INPUT. */
int cli_parse_uint(const char *opt, const char *text, unsigned lo, unsigned hi, unsigned *out);

/* printf into a path buffer (a path longer than cap is cut: the open that follows fails and
 * names it). */
void cli_pathf(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The command being run (set by cli_dispatch), for messages. */
const char *cli_current(void);

#endif
