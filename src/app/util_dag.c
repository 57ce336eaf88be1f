/*
 * util_dag.c — `bcoslab util dag`: generate a block of DagTransfer transfers and print its
 * transaction DAG (exec/txdag.c), as a table or as Graphviz DOT.
 *
 * The block: N transactions; each is a serial barrier (a contract deployment) with chance
 * --serial, otherwise a transfer userTransfer(from, to, 1) at DagTransfer (0x5002). A transfer
 * "conflicts" with chance --conflict: it sends from the user the previous transfer paid, so
 * it must wait for it — at 100% the transfers form one chain; any other transfer uses two new
 * users and waits for nobody (but a barrier). `bcoslab bench pte` builds its blocks the same
 * way (util_dag_transfer_users).
 *
 *     bcoslab util dag --txs 8 --conflict 50 --serial 10
 *     bcoslab util dag --txs 40 --dot | dot -Tsvg > dag.svg
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/cli.h"
#include "app/util.h"
#include "base/error.h"
#include "codec/abi.h"
#include "exec/precompiled.h"
#include "exec/txdag.h"

#define DAG_TXS_MAX 100000

typedef struct {
    unsigned txs;
    unsigned conflict; /* percent */
    unsigned serial;   /* percent */
    uint64_t seed;
    bool dot;
} dag_opts_t;

void
util_dag_transfer_users(bl_rng_t *rng, size_t ntx, unsigned conflict_pct, size_t *users,
                        size_t *nusers)
{
    size_t next = 0;

    for (size_t i = 0; i < ntx; i++) {
        bool conflict = i > 0 && bl_rng_below(rng, 100) < conflict_pct;

        users[2 * i] = conflict ? users[2 * i - 1] : next++;
        users[2 * i + 1] = next++;
    }
    *nusers = next;
}

/* The generated block: transfers, with a barrier in place of some. */
static void
make_block(const dag_opts_t *o, tx_t *txs)
{
    size_t *users = bl_xcalloc(2 * (size_t)o->txs, sizeof *users), nusers, t = 0;
    bl_rng_t rng;

    bl_rng_seed(&rng, o->seed);
    util_dag_transfer_users(&rng, o->txs, o->conflict, users, &nusers);
    for (size_t i = 0; i < o->txs; i++) {
        char from[24], to[24];
        const char *args[] = { from, to, "1" };

        tx_init(&txs[i]);
        if (bl_rng_below(&rng, 100) < o->serial)
            continue; /* no receiver: a deployment, a serial barrier */
        snprintf(from, sizeof from, "u%zu", users[2 * t]);
        snprintf(to, sizeof to, "u%zu", users[2 * t + 1]);
        t++;
        txs[i].has_to = true;
        precompile_address(0x5002, txs[i].to);
        abi_encode_call_text(suite_ecdsa(), "userTransfer(string,string,uint256)", args, 3,
                             &txs[i].data);
    }
    free(users);
}

/* A critical field without the receiver's 40 hex digits (they are the same for every
 * transfer here), into out. */
static void
field_name(const char *field, char *out, size_t cap)
{
    size_t len = strlen(field);

    len = len > 40 ? len - 40 : len;
    snprintf(out, cap, "%.*s", (int)len, field);
}

/* "alice, bob" (sep between the names), or "(serial barrier)". */
static void
fields_text(const txdag_node_t *n, const char *sep, char *out, size_t cap)
{
    char name[300];

    snprintf(out, cap, "%s", n->parallel ? "" : "(serial barrier)");
    for (size_t k = 0; n->parallel && k < n->criticals.count; k++) {
        field_name(n->criticals.fields[k], name, sizeof name);
        snprintf(out + strlen(out), cap - strlen(out), "%s%s", k ? sep : "", name);
    }
}

static int
compare_index(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;

    return (x > y) - (x < y);
}

/* " 0,2,5": the txs one waits for, in order (the DAG keeps them in the order found). */
static void
print_sorted(const size_t *list, size_t n)
{
    size_t *copy = bl_xcalloc(n ? n : 1, sizeof *copy);

    if (n > 0)
        memcpy(copy, list, n * sizeof *copy);
    qsort(copy, n, sizeof *copy, compare_index);
    for (size_t k = 0; k < n; k++)
        printf("%s%zu", k ? "," : " ", copy[k]);
    free(copy);
}

static void
print_text(const dag_opts_t *o, const txdag_t *d)
{
    size_t barriers = 0;

    for (size_t i = 0; i < d->count; i++)
        barriers += !d->nodes[i].parallel;
    printf("block of %zu txs (seed %llu, conflict %u%%, serial %u%%): %zu parallel, %zu serial "
           "barriers; %zu edges, %u levels\n", d->count, (unsigned long long)o->seed,
           o->conflict, o->serial, d->count - barriers, barriers, d->nedges, d->nlevels);
    printf("(critical fields are the user names, each followed by DagTransfer's address)\n\n");
    printf("%5s %5s %9s  %-28s %s\n", "tx", "level", "in-degree", "critical fields",
           "waits for");
    for (size_t i = 0; i < d->count; i++) {
        const txdag_node_t *n = &d->nodes[i];
        char fields[640];

        fields_text(n, ", ", fields, sizeof fields);
        printf("%5zu %5u %9zu  %-*s", i, n->level, n->npreds, n->npreds ? 28 : 0, fields);
        print_sorted(n->preds, n->npreds);
        printf("\n");
    }
}

/* Graphviz: one box per tx, the txs of one level side by side, barriers grey. */
static void
print_dot(const txdag_t *d)
{
    printf("digraph txdag {\n  rankdir=TB;\n  node [shape=box, fontname=\"monospace\"];\n");
    for (unsigned level = 0; level < d->nlevels; level++) {
        printf("  { rank=same;");
        for (size_t i = 0; i < d->count; i++)
            if (d->nodes[i].level == level)
                printf(" tx%zu;", i);
        printf(" }\n");
    }
    for (size_t i = 0; i < d->count; i++) {
        char fields[640];

        fields_text(&d->nodes[i], "\\n", fields, sizeof fields);
        printf("  tx%zu [label=\"tx %zu\\n%s\"%s];\n", i, i, fields,
               d->nodes[i].parallel ? "" : ", style=filled, fillcolor=lightgrey");
    }
    for (size_t i = 0; i < d->count; i++)
        for (size_t k = 0; k < d->nodes[i].nsuccs; k++)
            printf("  tx%zu -> tx%zu;\n", i, d->nodes[i].succs[k]);
    printf("}\n");
}

static const struct option dag_options[] = {
    { "txs", required_argument, NULL, 'n' },
    { "conflict", required_argument, NULL, 'c' },
    { "serial", required_argument, NULL, 's' },
    { "seed", required_argument, NULL, 'r' },
    { "dot", no_argument, NULL, 'd' },
    { NULL, 0, NULL, 0 },
};

static int
parse_dag_opts(int argc, char **argv, dag_opts_t *o)
{
    unsigned seed = 1;
    int opt, rc = CLI_OK;

    *o = (dag_opts_t){ .txs = 16, .conflict = 30, .serial = 10, .seed = 1 };
    opterr = 0;
    optind = 1;
    while (rc == CLI_OK && (opt = getopt_long(argc, argv, "", dag_options, NULL)) != -1) {
        switch (opt) {
        case 'n': rc = cli_parse_uint("txs", optarg, 1, DAG_TXS_MAX, &o->txs); break;
        case 'c': rc = cli_parse_uint("conflict", optarg, 0, 100, &o->conflict); break;
        case 's': rc = cli_parse_uint("serial", optarg, 0, 100, &o->serial); break;
        case 'r': rc = cli_parse_uint("seed", optarg, 0, 0xffffffffu, &seed);
                  o->seed = seed;
                  break;
        case 'd': o->dot = true; break;
        default:
            rc = cli_fail(NULL, "unknown or incomplete option '%s'; see --help",
                          argv[optind - 1]);
        }
    }
    if (rc == CLI_OK && optind < argc)
        rc = cli_fail(NULL, "unexpected argument '%s'", argv[optind]);
    return rc;
}

int
util_dag(int argc, char **argv)
{
    dag_opts_t o;
    tx_t *txs;
    txdag_t d;
    int rc = parse_dag_opts(argc, argv, &o);

    if (rc != CLI_OK)
        return rc;
    txs = bl_xcalloc(o.txs, sizeof *txs);
    make_block(&o, txs);
    txdag_init(&d);
    if (txdag_build(&d, suite_ecdsa(), NULL, txs, o.txs) != BL_OK)
        rc = cli_fail(NULL, "%s", bl_errmsg());
    else if (o.dot)
        print_dot(&d);
    else
        print_text(&o, &d);
    txdag_free(&d);
    for (size_t i = 0; i < o.txs; i++)
        tx_free(&txs[i]);
    free(txs);
    return rc;
}
