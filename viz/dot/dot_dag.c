/*
 * dot_dag.c — a block's transaction DAG (exec/txdag.c) as a picture: which transactions had
 * to wait for which, and which could run at the same time.
 *
 * Each transaction is a box with its index, its level and the critical fields it touches (the
 * user names of a DagTransfer call, say). An arrow a -> b means "b waited for a": they named
 * the same field, or one of them is a serial barrier. Every transaction of one level sits on
 * one row (a Graphviz rank): none of them waits for another, so all of a row could run at once,
 * and the number of rows is the least number of steps the block can be run in, however many
 * workers there are. Serial barriers (a deployment, a call that cannot name its fields) are grey
 * with a double border: the whole block narrows to them, one transaction wide.
 *
 * Given the executor's trace, each box also says which worker thread ran it and for how long,
 * and is tinted by worker (the worker is written in the box too, for a black-and-white print).
 *
 * Critical fields end with the receiver's 40-hex-digit address (so equal names at different
 * contracts do not conflict); the box shows the name and the address's last 4 digits only.
 */
#include "dot/dot.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/error.h"

#define FIELDS_SHOWN 4  /* a box lists at most this many fields, then "+N more" */
#define FIELD_CHARS 24  /* and cuts a longer name */

static const char *const worker_colours[] = {
    "#cfe2f3", "#d9ead3", "#fff2cc", "#f4cccc", "#d9d2e9", "#fce5cd", "#d0e0e3", "#ead1dc",
};

/* Does the field end with a 40-hex-digit address (txdag_tx_criticals appends one)? */
static bool
has_address(const char *field, size_t len)
{
    if (len <= 40)
        return false;
    for (size_t i = len - 40; i < len; i++)
        if (!isxdigit((unsigned char)field[i]))
            return false;
    return true;
}

/* "u3 @5002": the name, cut to FIELD_CHARS, and the address's last 4 digits. */
static void
cat_field(bl_buf_t *out, const char *field)
{
    size_t len = strlen(field), name_len = len;
    char name[FIELD_CHARS + 1];
    bool addr = has_address(field, len);

    if (addr)
        name_len = len - 40;
    snprintf(name, sizeof name, "%.*s", (int)name_len, field);
    dot_cat(out, "<TR><TD ALIGN=\"LEFT\"><FONT FACE=\"" DOT_MONO "\">");
    dot_cat_html(out, name);
    if (name_len > FIELD_CHARS)
        dot_cat(out, "\xe2\x80\xa6");
    dot_cat(out, "</FONT>");
    if (addr)
        dot_cat(out, " <FONT POINT-SIZE=\"9\" COLOR=\"gray30\">@%s</FONT>", field + len - 4);
    dot_cat(out, "</TD></TR>");
}

static void
cat_fields(bl_buf_t *out, const txdag_node_t *n)
{
    size_t shown = n->criticals.count < FIELDS_SHOWN ? n->criticals.count : FIELDS_SHOWN;

    if (!n->parallel) {
        dot_cat(out, "<TR><TD><B>SERIAL barrier</B></TD></TR>");
        return;
    }
    if (n->criticals.count == 0)
        dot_cat(out, "<TR><TD><I>no fields</I></TD></TR>");
    for (size_t k = 0; k < shown; k++)
        cat_field(out, n->criticals.fields[k]);
    if (n->criticals.count > shown)
        dot_cat(out, "<TR><TD><I>+%zu more</I></TD></TR>", n->criticals.count - shown);
}

/* "worker 2, 35 µs" or "serial executor, 35 µs"; for a schedule "worker 2, step 4". */
static void
cat_run(bl_buf_t *out, const pte_run_t *run, bool steps)
{
    uint64_t us = run->end_ns > run->start_ns ? (run->end_ns - run->start_ns) / 1000 : 0;

    if (steps)
        dot_cat(out, "<TR><TD>worker %u, step %" PRIu64 "</TD></TR>", run->worker,
                run->start_ns);
    else if (run->worker == 0)
        dot_cat(out, "<TR><TD>serial executor, %" PRIu64 " \xc2\xb5s</TD></TR>", us);
    else
        dot_cat(out, "<TR><TD>worker %u, %" PRIu64 " \xc2\xb5s</TD></TR>", run->worker, us);
}

static void
tx_label(const txdag_t *dag, const pte_trace_t *trace, bool steps, size_t i, bl_buf_t *out)
{
    const txdag_node_t *n = &dag->nodes[i];

    dot_cat(out, "<TABLE BORDER=\"0\" CELLSPACING=\"0\" CELLPADDING=\"1\">");
    dot_cat(out, "<TR><TD><B>tx %zu</B>  <FONT POINT-SIZE=\"9\">level %u</FONT></TD></TR>", i,
            n->level);
    cat_fields(out, n);
    if (trace != NULL)
        cat_run(out, &trace->runs[i], steps);
    dot_cat(out, "</TABLE>");
}

static void
style_tx(Agnode_t *t, const txdag_node_t *n, const pte_run_t *run)
{
    const size_t ncolours = sizeof worker_colours / sizeof worker_colours[0];

    dot_set(t, "margin", "0.08,0.04");
    if (!n->parallel) {
        dot_set(t, "style", "filled,bold");
        dot_set(t, "fillcolor", "gray80");
        dot_set(t, "peripheries", "2");
        dot_set(t, "class", "tx barrier");
        return;
    }
    dot_set(t, "style", "rounded,filled");
    dot_set(t, "class", "tx");
    if (run != NULL && run->worker > 0)
        dot_set(t, "fillcolor", worker_colours[(run->worker - 1) % ncolours]);
    else
        dot_set(t, "fillcolor", run != NULL ? "white" : "#e8f0fa");
}

/* Each level a row: a same-rank subgraph holding that level's transactions. */
static void
add_txs(Agraph_t *g, const txdag_t *dag, const pte_trace_t *trace, bool steps)
{
    for (unsigned level = 0; level < dag->nlevels; level++) {
        char name[32];
        Agraph_t *row;

        snprintf(name, sizeof name, "level%u", level);
        row = dot_subgraph(g, name);
        dot_set(row, "rank", "same");
        for (size_t i = 0; i < dag->count; i++) {
            bl_buf_t label = BL_BUF_INIT;
            Agnode_t *t;

            if (dag->nodes[i].level != level)
                continue;
            snprintf(name, sizeof name, "tx%zu", i);
            t = dot_node_add(row, name);
            tx_label(dag, trace, steps, i, &label);
            dot_set_html(t, "label", dot_str(&label));
            style_tx(t, &dag->nodes[i], trace != NULL ? &trace->runs[i] : NULL);
            bl_buf_free(&label);
        }
    }
}

static Agnode_t *
tx_node(Agraph_t *g, size_t i)
{
    char name[32];

    snprintf(name, sizeof name, "tx%zu", i);
    return agnode(g, name, 0);
}

static void
add_waits(Agraph_t *g, const txdag_t *dag)
{
    for (size_t i = 0; i < dag->count; i++) {
        for (size_t k = 0; k < dag->nodes[i].nsuccs; k++) {
            size_t j = dag->nodes[i].succs[k];
            Agedge_t *e = dot_edge_add(g, tx_node(g, i), tx_node(g, j));

            dot_set(e, "class", "wait");
            if (!dag->nodes[i].parallel || !dag->nodes[j].parallel)
                dot_set(e, "style", "bold");
        }
    }
}

static void
title(const txdag_t *dag, const pte_trace_t *trace, bool steps, int64_t block_number,
      char *out, size_t cap)
{
    size_t barriers = 0;
    int len;

    for (size_t i = 0; i < dag->count; i++)
        barriers += !dag->nodes[i].parallel;
    len = snprintf(out, cap, "Block #%" PRId64 ": transaction DAG (%zu txs, %zu serial, "
                   "%zu edges, %u levels)\nan arrow into a tx: it waits for that one "
                   "(a shared field, or a barrier); one row per level", block_number, dag->count,
                   barriers, dag->nedges, dag->nlevels);
    if (trace == NULL || len < 0 || (size_t)len >= cap)
        return;
    if (steps)
        snprintf(out + len, cap - (size_t)len, "\nscheduled on %u workers, one step per tx: "
                 "%" PRIu64 " steps", trace->workers, trace->end_ns);
    else if (trace->workers == 0)
        snprintf(out + len, cap - (size_t)len, "\nrun by the serial executor");
    else
        snprintf(out + len, cap - (size_t)len, "\nrun on %u workers", trace->workers);
}

static Agraph_t *
build_dag(const txdag_t *dag, const pte_trace_t *trace, bool steps, int64_t block_number)
{
    char heading[320];
    Agraph_t *g;

    if (dag == NULL) {
        bl_fail(BL_E_INVALID, "dot_dag: no DAG");
        return NULL;
    }
    if (trace != NULL && trace->count != dag->count) {
        bl_fail(BL_E_INVALID, "dot_dag: the trace has %zu transactions, the DAG %zu",
                trace->count, dag->count);
        return NULL;
    }
    title(dag, trace, steps, block_number, heading, sizeof heading);
    g = dot_graph_new("txdag", heading, "TB");
    if (g == NULL)
        return NULL;
    dot_set(g, "ranksep", "0.5");
    add_txs(g, dag, trace, steps);
    add_waits(g, dag);
    return g;
}

Agraph_t *
dot_dag(const txdag_t *dag, const pte_trace_t *trace, int64_t block_number)
{
    return build_dag(dag, trace, false, block_number);
}

Agraph_t *
dot_dag_schedule(const txdag_t *dag, const pte_trace_t *schedule, int64_t block_number)
{
    if (schedule == NULL) {
        bl_fail(BL_E_INVALID, "dot_dag_schedule: no schedule");
        return NULL;
    }
    return build_dag(dag, schedule, true, block_number);
}
