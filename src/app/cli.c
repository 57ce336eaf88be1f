/*
 * cli.c — dispatching subcommands and reporting their errors in one consistent shape.
 */
#include "app/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char current[96] = "bcoslab";

const char *
cli_current(void)
{
    return current;
}

bool
cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
        if (strcmp(argv[i], "--") == 0)
            break;
    }
    return false;
}

int
cli_fail(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s: ", cmd ? cmd : current);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return CLI_BAD_INPUT;
}

void
cli_print_help(const char *group, const cli_command_t *cmd)
{
    printf("usage: bcoslab %s%s%s %s\n\n%s\n", group, *group ? " " : "", cmd->name, cmd->args,
           cmd->summary);
    if (cmd->help)
        printf("\n%s", cmd->help);
}

static void
print_table(FILE *f, const char *group, const cli_command_t *cmds)
{
    fprintf(f, "usage: bcoslab %s%sCOMMAND [ARGS]   (COMMAND --help for details)\n\n", group,
            *group ? " " : "");
    for (const cli_command_t *c = cmds; c->name; c++)
        fprintf(f, "  %-14s %s\n", c->name, c->summary);
}

int
cli_dispatch(const char *group, const cli_command_t *cmds, int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "help") == 0 || strcmp(argv[0], "--help") == 0 ||
        strcmp(argv[0], "-h") == 0) {
        print_table(argc < 1 ? stderr : stdout, group, cmds);
        return argc < 1 ? CLI_BAD_INPUT : CLI_OK;
    }
    for (const cli_command_t *c = cmds; c->name; c++) {
        if (strcmp(c->name, argv[0]) != 0)
            continue;
        snprintf(current, sizeof current, "bcoslab %s%s%s", group, *group ? " " : "", c->name);
        if (!c->is_group && cli_wants_help(argc, argv)) {
            cli_print_help(group, c);
            return CLI_OK;
        }
        return c->run(argc, argv);
    }
    fprintf(stderr, "bcoslab%s%s: unknown command '%s'\n", *group ? " " : "", group, argv[0]);
    print_table(stderr, group, cmds);
    return CLI_BAD_INPUT;
}

int
cli_parse_uint(const char *opt, const char *text, unsigned lo, unsigned hi, unsigned *out)
{
    char *end;
    unsigned long v = strtoul(text, &end, 10);

    if (*text < '0' || *text > '9' || *end != '\0' || v < lo || v > hi)
        return cli_fail(NULL, "--%s wants a number from %u to %u, not '%s'", opt, lo, hi, text);
    *out = (unsigned)v;
    return CLI_OK;
}

void
cli_pathf(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(out, cap, fmt, ap);
    va_end(ap);
}
