/*
 * console_cmd.c — `bcoslab console`: start a chain in this process and talk to it the way a
 * FISCO BCOS operator talks to a chain, through its console (src/console/console.h).
 *
 *   bcoslab console --demo [--sim] [--seed S]    the course's chain: A, B, C, D; group 1 PBFT
 *                                                of all four, group 2 Raft of A and B
 *   bcoslab console DIR [--sim] [--seed S]       the nodes of a `bcoslab build-chain` directory
 *
 * Commands come from -c "cmd; cmd" (a script on the command line), -f FILE, standard input when
 * it is not a terminal, or — at a terminal — a prompt with line editing, history (the up
 * arrow) and tab completion of command names, by libedit (BSD-licensed, readline's API).
 * With --sim nothing happens between commands: time moves only while a command waits for its
 * transaction, or when told to (step, advance), so a script gives the same answers every run.
 */
#include "app/console_cmd.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <editline/readline.h>

#include "app/cli.h"
#include "base/error.h"
#include "console/console.h"
#include "world.h"

const char console_help[] =
    "Attach a FISCO-style console to a chain running in this process.\n"
    "  --demo            the course's chain (nodes A-D; group 1 PBFT, group 2 Raft of A, B)\n"
    "  DIR               or the nodes of a `bcoslab build-chain` directory\n"
    "  --sim             run on the simulator: time moves only while a command waits\n"
    "  --seed S          the seed of keys, nonces and the simulator (default 1)\n"
    "  --sm              --demo with SM2/SM3 (FISCO's national crypto) instead of ECDSA\n"
    "  -c \"CMD; CMD\"     run these commands and exit\n"
    "  -f FILE           run the commands of FILE (one a line, # comments) and exit\n"
    "Without -c or -f, commands are read from standard input, with a prompt, line editing,\n"
    "history and tab completion when it is a terminal. `help` lists the commands.\n"
    "Exit status: 0, 1 if a command failed, 2 on bad options.\n";

typedef struct {
    bool demo, sim, sm;
    const char *dir, *script, *file;
    uint64_t seed;
} console_opts_t;

enum { OPT_DEMO = 256, OPT_SIM, OPT_SEED, OPT_SM };

static const struct option options[] = {
    { "demo", no_argument, NULL, OPT_DEMO },
    { "sim", no_argument, NULL, OPT_SIM },
    { "seed", required_argument, NULL, OPT_SEED },
    { "sm", no_argument, NULL, OPT_SM },
    { NULL, 0, NULL, 0 },
};

static int
parse_opts(int argc, char **argv, console_opts_t *o)
{
    int opt;
    unsigned v;

    *o = (console_opts_t){ .seed = 1 };
    opterr = 0;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "c:f:", options, NULL)) != -1) {
        switch (opt) {
        case OPT_DEMO: o->demo = true; break;
        case OPT_SIM: o->sim = true; break;
        case OPT_SM: o->sm = true; break;
        case OPT_SEED:
            if (cli_parse_uint("seed", optarg, 0, 0xffffffffu, &v) != CLI_OK)
                return CLI_BAD_INPUT;
            o->seed = v;
            break;
        case 'c': o->script = optarg; break;
        case 'f': o->file = optarg; break;
        default: return cli_fail(NULL, "unknown or incomplete option; see --help");
        }
    }
    if (optind < argc)
        o->dir = argv[optind++];
    if (optind < argc)
        return cli_fail(NULL, "unexpected argument '%s'", argv[optind]);
    if (o->demo == (o->dir != NULL))
        return cli_fail(NULL, "give --demo or a build-chain directory (one of them)");
    if (o->sm && o->dir != NULL)
        return cli_fail(NULL, "--sm is for --demo; a directory's chain says its own suite");
    if (o->script != NULL && o->file != NULL)
        return cli_fail(NULL, "give -c or -f, not both");
    return CLI_OK;
}

static world_t *
open_world(const console_opts_t *o)
{
    world_opts_t wo = world_default_opts();

    if (o->dir != NULL)
        return world_open_dir(o->dir, o->sim, o->seed);
    wo.sim = o->sim;
    wo.sm = o->sm;
    wo.seed = o->seed;
    wo.rate = 0; /* no background load: the console's transactions are the only ones */
    return world_open(&wo);
}

/* ---- the interactive prompt (libedit) ---- */

static char *
complete_name(const char *text, int state)
{
    static unsigned next;
    const char *name;
    size_t len = strlen(text);

    if (state == 0)
        next = 0;
    while ((name = console_command_name(next++)) != NULL)
        if (strncmp(name, text, len) == 0)
            return strdup(name);
    return NULL;
}

/* Only the first word is a command name; the rest complete to nothing. */
static char **
complete(const char *text, int start, int end)
{
    (void)end;
    rl_attempted_completion_over = 1;
    return start == 0 ? rl_completion_matches(text, complete_name) : NULL;
}

static int
run_interactive(console_t *c)
{
    char *line;
    int rc = BL_OK;

    rl_readline_name = "bcoslab";
    rl_attempted_completion_function = complete;
    printf("bcoslab console: FISCO BCOS commands; `help` lists them, `quit` leaves.\n");
    while (!console_done(c) && (line = readline(console_prompt(c))) != NULL) {
        if (line[0] != '\0')
            add_history(line);
        console_run_line(c, line, stdout);
        free(line);
    }
    return rc;
}

/* ---- scripts ---- */

static int
run_stream(console_t *c, FILE *in)
{
    char *line = NULL;
    size_t cap = 0;
    int first = BL_OK;

    while (!console_done(c) && getline(&line, &cap, in) != -1) {
        int rc = console_run_script(c, line, stdout);

        first = first == BL_OK ? rc : first;
    }
    free(line);
    return first;
}

static int
run_file(console_t *c, const char *path)
{
    FILE *f = fopen(path, "r");
    int rc;

    if (f == NULL)
        return cli_fail(NULL, "cannot read %s", path);
    rc = run_stream(c, f) == BL_OK ? CLI_OK : 1;
    fclose(f);
    return rc;
}

int
console_main(int argc, char **argv)
{
    console_opts_t o;
    world_t *w = NULL;
    console_t *c = NULL;
    int rc = parse_opts(argc, argv, &o);

    if (rc != CLI_OK)
        return rc;
    if ((w = open_world(&o)) == NULL) {
        rc = cli_fail(NULL, "cannot start the chain: %s", bl_errmsg());
        goto out;
    }
    if ((c = console_new(w, o.seed)) == NULL) {
        rc = cli_fail(NULL, "cannot attach the console: %s", bl_errmsg());
        goto out;
    }
    if (o.script != NULL)
        rc = console_run_script(c, o.script, stdout) == BL_OK ? CLI_OK : 1;
    else if (o.file != NULL)
        rc = run_file(c, o.file);
    else if (isatty(STDIN_FILENO))
        rc = run_interactive(c) == BL_OK ? CLI_OK : 1;
    else
        rc = run_stream(c, stdin) == BL_OK ? CLI_OK : 1;
out:
    console_free(c);
    world_close(w);
    return rc;
}
