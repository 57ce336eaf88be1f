/*
 * replay_cmd.c — `bcoslab replay FILE [--text]`.
 *
 * A simulated test that fails prints its seed and writes a trace: the seed, the run's digest
 * and every event the nodes reported (base/trace.h). This command reads it back and opens it in
 * the trace viewer (viz/tui/tui_replay.h), where a student steps through the run one event at a
 * time and watches the nodes' state change — the failed test, slowed down to a walk.
 *
 * With --text it prints what the events add up to by the end, one line per node, and how many
 * events of each kind there were: the same facts, for scripts and tests.
 */
#include "app/replay_cmd.h"

#include <stdio.h>
#include <string.h>

#include "app/cli.h"
#include "base/bytes.h"
#include "base/error.h"
#include "base/trace.h"
#include "tui/tui_replay.h"

const char replay_help[] =
    "Opens a trace written by a failed simulated test (or by bcoslab cluster --trace FILE)\n"
    "and steps through its events: n/p next and previous, c the next commit, v the next view\n"
    "change or election, / filter by node or kind, ? help, q quit.\n"
    "\n"
    "  --text   print what the events add up to for each node, then how many events of each\n"
    "           kind there were, and exit\n";

typedef struct {
    const char *path;
    bool text;
} replay_opts_t;

static int
parse_opts(int argc, char **argv, replay_opts_t *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--text") == 0)
            o->text = true;
        else if (argv[i][0] == '-' && argv[i][1] != '\0')
            return cli_fail(NULL, "unknown option '%s'; see --help", argv[i]);
        else if (o->path != NULL)
            return cli_fail(NULL, "one trace at a time: unexpected '%s'", argv[i]);
        else
            o->path = argv[i];
    }
    if (o->path == NULL)
        return cli_fail(NULL, "which trace? usage: bcoslab replay FILE [--text]");
    return CLI_OK;
}

static void
print_node(const trace_t *t, const trace_summary_t *s, unsigned i)
{
    const trace_node_t *n = &s->nodes[i];
    char name[8], cell[64];

    tui_replay_node_name((int)i, name);
    printf("%-5s %-8s %5u %6llu %6llu %6llu", name,
           tui_replay_status_name(n->status, t->missed > 0), n->crashes,
           (unsigned long long)n->sent, (unsigned long long)n->delivered,
           (unsigned long long)n->dropped);
    for (size_t k = 0; k < s->ngroups; k++) {
        tui_replay_member_text(&n->groups[k], cell, sizeof cell);
        printf(k + 1 < s->ngroups ? "  %-20s" : "  %s", n->groups[k].seen ? cell : "-");
    }
    printf("\n");
}

/* The summary at the last event, then a count per kind (only kinds that occur). */
static void
print_text(const char *path, const trace_t *t)
{
    trace_summary_t s;
    char digest[65];

    trace_summary_init(&s, t);
    trace_summary_to(&s, t, t->nevents);
    bl_hex_encode(t->digest, 32, digest);
    printf("trace %s: seed %llu, %u nodes, %zu events, t=%llu.%03llus, digest %s\n", path,
           (unsigned long long)t->seed, t->nodes, t->nevents,
           (unsigned long long)(s.time_ms / 1000), (unsigned long long)(s.time_ms % 1000), digest);
    if (t->missed > 0)
        printf("the log had lost %llu older events before the trace was written\n",
               (unsigned long long)t->missed);
    printf("node  state    crash   sent   recv   drop");
    for (size_t k = 0; k < s.ngroups; k++)
        printf(k + 1 < s.ngroups ? "  group %-14u" : "  group %u", t->groups[k]);
    printf("\n");
    for (unsigned i = 0; i < s.nnodes; i++)
        print_node(t, &s, i);
    printf("events by kind:\n");
    for (int k = 0; k < EV_KIND_COUNT; k++)
        if (s.kinds[k] > 0)
            printf("%s %llu\n", ev_kind_name((ev_kind_t)k), (unsigned long long)s.kinds[k]);
    trace_summary_free(&s);
}

int
replay_main(int argc, char **argv)
{
    replay_opts_t o;
    trace_t t;
    int rc;

    if ((rc = parse_opts(argc, argv, &o)) != CLI_OK)
        return rc;
    if (trace_load(o.path, &t) != BL_OK)
        return cli_fail(NULL, "%s", bl_errmsg());
    if (o.text)
        print_text(o.path, &t);
    else if (tui_replay_run(&t, o.path) != BL_OK)
        rc = cli_fail(NULL, "%s", bl_errmsg());
    trace_free(&t);
    return rc;
}
