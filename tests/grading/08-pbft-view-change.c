/*
 * 08-pbft-view-change.c — the reference solution of exercise 08 (exercises/08-pbft-view-change).
 *
 * Three rules move a sealer from one view to the next (fisco-2x-facts §2.5): its own timer
 * (ask for one view more, and wait longer next time), the others (more than f of them ask for
 * higher views: at least one is honest, so join them), and the quorum (n - f ask for the view
 * I ask for: it is ours now).
 */
#include "pbft_view_change.h"

#define BASE_TIMEOUT_MS 3000.0 /* 3 x emptyBlockGenTime */
#define MAX_CHANGE_CYCLE 20    /* FISCO's kMaxChangeCycle */

uint64_t
ex_view_timeout_ms(unsigned change_cycle)
{
    double ms = BASE_TIMEOUT_MS;

    if (change_cycle > MAX_CHANGE_CYCLE)
        change_cycle = MAX_CHANGE_CYCLE;
    for (unsigned i = 0; i < change_cycle; i++)
        ms *= 1.5;
    return (uint64_t)ms;
}

static size_t
faults(size_t n)
{
    return n == 0 ? 0 : (n - 1) / 3;
}

/* An ask that can count: from a sealer that has all my blocks. */
static bool
not_behind(const pbft_view_input_t *in, const pbft_view_ask_t *a)
{
    return a->height >= in->tip;
}

/* Rule 2: more than f others want views above my toView: join the lowest of them. */
static void
fast_view_change(const pbft_view_input_t *in, pbft_view_decision_t *out)
{
    size_t higher = 0;
    uint64_t lowest = UINT64_MAX;

    for (size_t i = 0; i < in->nasks; i++) {
        const pbft_view_ask_t *a = &in->asks[i];

        if (a->sealer == in->me || !not_behind(in, a) || a->view <= in->to_view)
            continue;
        higher++;
        if (a->view < lowest)
            lowest = a->view;
    }
    if (higher > faults(in->n)) {
        out->to_view = lowest;
        out->ask = true;
    }
}

/* Rule 3: n - f asks for exactly the view I ask for, above the one I am in. */
static void
switch_if_quorum(const pbft_view_input_t *in, pbft_view_decision_t *out)
{
    size_t same = 0;

    if (out->to_view <= in->view)
        return;
    for (size_t i = 0; i < in->nasks; i++)
        if (in->asks[i].view == out->to_view && not_behind(in, &in->asks[i]))
            same++;
    out->switch_view = same >= in->n - faults(in->n);
}

void
ex_view_decide(const pbft_view_input_t *in, pbft_view_decision_t *out)
{
    out->to_view = in->to_view;
    out->change_cycle = in->change_cycle;
    out->ask = false;
    out->switch_view = false;
    if (in->timed_out) { /* rule 1 */
        out->to_view = in->to_view + 1;
        out->ask = true;
        if (out->change_cycle < MAX_CHANGE_CYCLE)
            out->change_cycle++;
    } else {
        fast_view_change(in, out);
    }
    switch_if_quorum(in, out);
}
