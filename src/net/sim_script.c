/*
 * sim_script.c — fault scripts: a test's "nemesis", written as plain lines of text.
 *
 * A scenario such as "partition the leader away at 2 s, heal at 8 s, crash node 2 in between"
 * reads best as a little script next to the test, not as a dozen calls:
 *
 *     at 1000 crash 2
 *     at 1200 crash random           # one of the nodes that are up, drawn from the fault stream
 *     at 2000 partition 0,1|2,3
 *     at 5000 restart 2
 *     at 8000 heal
 *     at 0 link 0->1 drop=0.3 dup=0.1 delay=5..50 reorder=no
 *     at 0 links drop=0.1           # every link; fields not named keep their value
 *
 * Each line becomes one sim_at() fault (checked by sim_fault_check, applied when due by
 * sim_fault_apply, both below). A script is read whole before anything is queued: a mistake
 * anywhere refuses the whole script with the line number and what is wrong, so a test never
 * runs half of the scenario it meant.
 *
 * The other half of replaying a scenario lives here too: sim_write_trace() writes the seed, the
 * digest and the event log, the record a failed test leaves behind.
 */
#include "net/sim_impl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

#define SCRIPT_MAX_WORDS 16

/* One parsed line, waiting until the whole script has been read. */
typedef struct {
    uint64_t at;
    sim_fault_t fault;
    unsigned *side; /* partition: owned */
} planned_t;

typedef struct {
    planned_t *items;
    size_t count;
} plan_t;

/* The line being read: its number, its words, and the simulation it is for. */
typedef struct {
    const sim_t *sim;
    unsigned lineno;
    char *word[SCRIPT_MAX_WORDS];
    int nwords;
} line_t;

static int line_fail(const line_t *ln, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
line_fail(const line_t *ln, const char *fmt, ...)
{
    char msg[200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return bl_fail(BL_E_INVALID, "script line %u: %s", ln->lineno, msg);
}

/* ---- numbers ---- */

static bool
parse_u64(const char *s, uint64_t *out)
{
    char *end;

    if (*s < '0' || *s > '9')
        return false;
    errno = 0;
    *out = strtoull(s, &end, 10);
    return *end == '\0' && errno == 0;
}

static int
parse_node(const line_t *ln, const char *s, unsigned *out)
{
    uint64_t v;
    unsigned n = sim_nnodes(ln->sim);

    if (!parse_u64(s, &v))
        return line_fail(ln, "'%s' is not a node number", s);
    if (v >= n)
        return line_fail(ln, "there is no node %s (nodes are 0..%u)", s, n - 1);
    *out = (unsigned)v;
    return BL_OK;
}

static int
parse_prob(const line_t *ln, const char *key, const char *s, double *out)
{
    char *end;

    *out = strtod(s, &end);
    if (end == s || *end != '\0' || !(*out >= 0.0 && *out <= 1.0))
        return line_fail(ln, "%s=%s: a probability is a number from 0 to 1", key, s);
    return BL_OK;
}

/* "5..50" or just "5" (a fixed delay). */
static int
parse_delay(const line_t *ln, const char *s, sim_link_t *l)
{
    char lo[32];
    const char *dots = strstr(s, "..");
    const char *hi = dots != NULL ? dots + 2 : s;
    size_t lolen = dots != NULL ? (size_t)(dots - s) : strlen(s);
    uint64_t a, b;

    if (lolen >= sizeof lo)
        return line_fail(ln, "delay=%s: expected MIN..MAX milliseconds", s);
    memcpy(lo, s, lolen);
    lo[lolen] = '\0';
    if (!parse_u64(lo, &a) || !parse_u64(hi, &b) || a > UINT32_MAX || b > UINT32_MAX)
        return line_fail(ln, "delay=%s: expected MIN..MAX milliseconds", s);
    if (a > b)
        return line_fail(ln, "delay=%s: the minimum is above the maximum", s);
    l->delay_min_ms = (uint32_t)a;
    l->delay_max_ms = (uint32_t)b;
    return BL_OK;
}

static int
parse_bool(const line_t *ln, const char *key, const char *s, bool *out)
{
    if (strcmp(s, "yes") == 0 || strcmp(s, "1") == 0 || strcmp(s, "true") == 0)
        *out = true;
    else if (strcmp(s, "no") == 0 || strcmp(s, "0") == 0 || strcmp(s, "false") == 0)
        *out = false;
    else
        return line_fail(ln, "%s=%s: expected yes or no", key, s);
    return BL_OK;
}

/* ---- the actions ---- */

/* key=value words from word[first] on, into f->link and f->fields. */
static int
parse_link_fields(const line_t *ln, int first, sim_fault_t *f)
{
    if (first >= ln->nwords)
        return line_fail(ln, "'%s' names nothing to change (drop=, dup=, delay=, reorder=)",
                         ln->word[2]);
    for (int i = first; i < ln->nwords; i++) {
        char *eq = strchr(ln->word[i], '=');
        const char *key = ln->word[i], *val;
        int rc;

        if (eq == NULL)
            return line_fail(ln, "'%s' is not key=value", ln->word[i]);
        *eq = '\0';
        val = eq + 1;
        if (strcmp(key, "drop") == 0) {
            rc = parse_prob(ln, key, val, &f->link.drop);
            f->fields |= SIM_LINK_DROP;
        } else if (strcmp(key, "dup") == 0) {
            rc = parse_prob(ln, key, val, &f->link.dup);
            f->fields |= SIM_LINK_DUP;
        } else if (strcmp(key, "delay") == 0) {
            rc = parse_delay(ln, val, &f->link);
            f->fields |= SIM_LINK_DELAY;
        } else if (strcmp(key, "reorder") == 0) {
            rc = parse_bool(ln, key, val, &f->link.reorder);
            f->fields |= SIM_LINK_REORDER;
        } else {
            rc = line_fail(ln, "unknown link setting '%s' (drop, dup, delay, reorder)", key);
        }
        if (rc != BL_OK)
            return rc;
    }
    return BL_OK;
}

/* "link A->B key=value..." */
static int
parse_link(const line_t *ln, sim_fault_t *f)
{
    char *arrow;
    int rc;

    if (ln->nwords < 4 || (arrow = strstr(ln->word[3], "->")) == NULL)
        return line_fail(ln, "'link' needs FROM->TO, like 'link 0->1 drop=0.5'");
    *arrow = '\0';
    if ((rc = parse_node(ln, ln->word[3], &f->node)) != BL_OK ||
        (rc = parse_node(ln, arrow + 2, &f->to)) != BL_OK)
        return rc;
    if (f->node == f->to)
        return line_fail(ln, "link %u->%u: a node does not send to itself", f->node, f->to);
    f->op = SIM_FAULT_LINK;
    return parse_link_fields(ln, 4, f);
}

/* One side of "0,1|2,3": its nodes get side number `side`. */
static int
parse_side(const line_t *ln, char *list, unsigned side, unsigned *sides)
{
    char *save = NULL;
    char *tok;
    unsigned node;
    int rc;

    if (*list == '\0' || list[strlen(list) - 1] == ',' || *list == ',' || strstr(list, ",,"))
        return line_fail(ln, "partition: an empty node name in '%s'", list);
    for (tok = strtok_r(list, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        if ((rc = parse_node(ln, tok, &node)) != BL_OK)
            return rc;
        if (sides[node] != UINT32_MAX)
            return line_fail(ln, "partition: node %u is on two sides", node);
        sides[node] = side;
    }
    return BL_OK;
}

/* "partition 0,1|2,3": nodes not named are each alone. */
static int
parse_partition(const line_t *ln, planned_t *p)
{
    unsigned n = sim_nnodes(ln->sim), side = 0;
    char *spec, *bar;
    int rc;

    if (ln->nwords != 4)
        return line_fail(ln, "'partition' takes one argument, like 'partition 0,1|2,3'");
    p->side = bl_xcalloc(n, sizeof *p->side);
    for (unsigned i = 0; i < n; i++)
        p->side[i] = UINT32_MAX;
    for (spec = ln->word[3];; spec = bar + 1, side++) {
        bar = strchr(spec, '|');
        if (bar != NULL)
            *bar = '\0';
        if ((rc = parse_side(ln, spec, side, p->side)) != BL_OK)
            return rc;
        if (bar == NULL)
            break;
    }
    for (unsigned i = 0; i < n; i++)
        if (p->side[i] == UINT32_MAX)
            p->side[i] = ++side;
    p->fault.op = SIM_FAULT_PARTITION;
    return BL_OK;
}

static int
parse_crash_restart(const line_t *ln, sim_fault_op_t op, sim_fault_t *f)
{
    if (ln->nwords != 4)
        return line_fail(ln, "'%s' takes one node number or 'random'", ln->word[2]);
    f->op = op;
    if (strcmp(ln->word[3], "random") == 0) {
        f->node = SIM_ANY;
        return BL_OK;
    }
    return parse_node(ln, ln->word[3], &f->node);
}

static int
parse_action(const line_t *ln, planned_t *p)
{
    const char *act = ln->word[2];

    if (strcmp(act, "crash") == 0)
        return parse_crash_restart(ln, SIM_FAULT_CRASH, &p->fault);
    if (strcmp(act, "restart") == 0)
        return parse_crash_restart(ln, SIM_FAULT_RESTART, &p->fault);
    if (strcmp(act, "partition") == 0)
        return parse_partition(ln, p);
    if (strcmp(act, "heal") == 0) {
        p->fault.op = SIM_FAULT_HEAL;
        return ln->nwords == 3 ? BL_OK : line_fail(ln, "'heal' takes no arguments");
    }
    if (strcmp(act, "link") == 0)
        return parse_link(ln, &p->fault);
    if (strcmp(act, "links") == 0) {
        p->fault.op = SIM_FAULT_LINKS;
        return parse_link_fields(ln, 3, &p->fault);
    }
    return line_fail(ln, "unknown action '%s' (crash, restart, partition, heal, link, links)",
                     act);
}

/* ---- lines ---- */

static int
split_words(line_t *ln, char *text)
{
    char *save = NULL;
    char *hash = strchr(text, '#');

    if (hash != NULL)
        *hash = '\0';
    ln->nwords = 0;
    for (char *w = strtok_r(text, " \t\r", &save); w != NULL; w = strtok_r(NULL, " \t\r", &save)) {
        if (ln->nwords == SCRIPT_MAX_WORDS)
            return line_fail(ln, "too many words (at most %d)", SCRIPT_MAX_WORDS);
        ln->word[ln->nwords++] = w;
    }
    return BL_OK;
}

/* Parse one line into plan (blank lines and comments add nothing). */
static int
parse_line(line_t *ln, char *text, plan_t *plan)
{
    planned_t p;
    int rc;

    if ((rc = split_words(ln, text)) != BL_OK || ln->nwords == 0)
        return rc;
    if (strcmp(ln->word[0], "at") != 0)
        return line_fail(ln, "a line starts with 'at TIME', not '%s'", ln->word[0]);
    if (ln->nwords < 3)
        return line_fail(ln, "'at TIME' needs an action after it");
    memset(&p, 0, sizeof p);
    if (!parse_u64(ln->word[1], &p.at))
        return line_fail(ln, "'%s' is not a time in milliseconds", ln->word[1]);
    if (p.at < sim_now(ln->sim))
        return line_fail(ln, "time %s is in the past (the clock reads %llu)", ln->word[1],
                         (unsigned long long)sim_now(ln->sim));
    p.fault.link = sim_link_default();
    rc = parse_action(ln, &p);
    if (rc != BL_OK) {
        free(p.side);
        return rc;
    }
    p.fault.side = p.side;
    plan->items = bl_xrealloc(plan->items, (plan->count + 1) * sizeof *plan->items);
    plan->items[plan->count++] = p;
    return BL_OK;
}

int
sim_script(sim_t *sim, const char *text)
{
    char *copy, *line;
    plan_t plan = { NULL, 0 };
    line_t ln;
    int rc = BL_OK;

    if (text == NULL)
        return bl_fail(BL_E_INVALID, "no script");
    copy = line = bl_xstrdup(text);
    memset(&ln, 0, sizeof ln);
    ln.sim = sim;
    while (line != NULL) {
        char *nl = strchr(line, '\n');

        if (nl != NULL)
            *nl = '\0';
        ln.lineno++;
        if ((rc = parse_line(&ln, line, &plan)) != BL_OK)
            goto out;
        line = nl != NULL ? nl + 1 : NULL;
    }
    /* Every line was checked against what sim_at checks: queueing cannot fail half-way. */
    for (size_t i = 0; i < plan.count; i++)
        if ((rc = sim_at(sim, plan.items[i].at, &plan.items[i].fault)) != BL_OK)
            goto out;
out:
    for (size_t i = 0; i < plan.count; i++)
        free(plan.items[i].side);
    free(plan.items);
    free(copy);
    return rc;
}

/* ---- faults: checked when queued, applied when due ---- */

static void
link_merge(sim_link_t *l, const sim_link_t *with, unsigned fields)
{
    if (fields & SIM_LINK_DROP)
        l->drop = with->drop;
    if (fields & SIM_LINK_DUP)
        l->dup = with->dup;
    if (fields & SIM_LINK_DELAY) {
        l->delay_min_ms = with->delay_min_ms;
        l->delay_max_ms = with->delay_max_ms;
    }
    if (fields & SIM_LINK_REORDER)
        l->reorder = with->reorder;
}

int
sim_fault_check(const sim_t *sim, const sim_fault_t *f)
{
    switch (f->op) {
    case SIM_FAULT_CRASH:
    case SIM_FAULT_RESTART:
        if (f->node >= sim->n && f->node != SIM_ANY)
            return bl_fail(BL_E_RANGE, "no node %u (the simulation has %u)", f->node, sim->n);
        return BL_OK;
    case SIM_FAULT_PARTITION:
        return f->side != NULL ? BL_OK : bl_fail(BL_E_INVALID, "a partition needs sides");
    case SIM_FAULT_HEAL:
        return BL_OK;
    case SIM_FAULT_LINK:
        if (f->node >= sim->n || f->to >= sim->n)
            return bl_fail(BL_E_RANGE, "no link %u->%u (the simulation has %u nodes)", f->node,
                           f->to, sim->n);
        return sim_link_check(&f->link);
    case SIM_FAULT_LINKS:
        return sim_link_check(&f->link);
    }
    return bl_fail(BL_E_INVALID, "unknown fault %d", (int)f->op);
}

/* A node chosen with the fault stream among those that are up (or down); SIM_ANY, which
 * sim_crash and sim_restart refuse, if there is none. */
static unsigned
pick_node(sim_t *sim, bool up)
{
    unsigned count = 0, k;

    for (unsigned i = 0; i < sim->n; i++)
        count += sim->nodes[i].up == up;
    if (count == 0)
        return SIM_ANY;
    k = (unsigned)bl_rng_below(&sim->fault_rng, count);
    for (unsigned i = 0; i < sim->n; i++)
        if (sim->nodes[i].up == up && k-- == 0)
            return i;
    return SIM_ANY;
}

void
sim_fault_apply(sim_t *sim, const sim_fault_t *f)
{
    switch (f->op) {
    case SIM_FAULT_CRASH:
        sim_crash(sim, f->node != SIM_ANY ? f->node : pick_node(sim, true));
        break;
    case SIM_FAULT_RESTART:
        /* a node that cannot start stays down (its CRASHED event says so) */
        sim_restart(sim, f->node != SIM_ANY ? f->node : pick_node(sim, false));
        break;
    case SIM_FAULT_PARTITION:
        sim_partition(sim, f->side);
        break;
    case SIM_FAULT_HEAL:
        sim_heal(sim);
        break;
    case SIM_FAULT_LINK:
        link_merge(&sim->links[f->node * sim->n + f->to], &f->link, f->fields);
        break;
    case SIM_FAULT_LINKS:
        for (size_t k = 0; k < (size_t)sim->n * sim->n; k++)
            link_merge(&sim->links[k], &f->link, f->fields);
        break;
    }
}

/* ---- traces ---- */

static void
trace_events(const sim_t *sim, FILE *f)
{
    ev_t evs[256];
    char line[256];
    uint64_t after = 0, missed = 0;
    size_t got;

    while ((got = evlog_read(sim->log, after, evs, 256, after == 0 ? &missed : NULL)) > 0) {
        if (after == 0 && missed > 0)
            fprintf(f, "# %llu older events were no longer in the log\n",
                    (unsigned long long)missed);
        for (size_t i = 0; i < got; i++) {
            ev_format(&evs[i], line, sizeof line);
            fprintf(f, "%llu %s\n", (unsigned long long)evs[i].seq, line);
        }
        after = evs[got - 1].seq;
    }
}

int
sim_write_trace(const sim_t *sim, const char *path)
{
    char hex[65];
    FILE *f = fopen(path, "w");
    int rc = BL_OK;

    if (f == NULL)
        return bl_fail(BL_E_IO, "cannot write the trace %s", path);
    bl_hex_encode(sim->digest, 32, hex);
    fprintf(f, "seed=%llu nodes=%u now=%llu\ndigest=%s\n", (unsigned long long)sim->seed, sim->n,
            (unsigned long long)sim->now, hex);
    if (sim->log != NULL)
        trace_events(sim, f);
    if (ferror(f))
        rc = bl_fail(BL_E_IO, "writing the trace %s failed", path);
    if (fclose(f) != 0 && rc == BL_OK)
        rc = bl_fail(BL_E_IO, "closing the trace %s failed", path);
    return rc;
}
