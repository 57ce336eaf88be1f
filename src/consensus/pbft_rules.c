/*
 * pbft_rules.c — the rules PBFT decides by, as plain functions of plain numbers
 * (fisco-2x-facts §2.1 and §2.5; lesson 08-pbft).
 *
 *   - f = (n - 1) / 3 sealers may fail; a quorum is n - f; the leader in view v on top of
 *     block h is (v + h) % n; a vote counts once per sealer, and only for the very block
 *     (height, view, hash) asked about;
 *   - the view timer waits 3 s x 1.5^changeCycle; a timeout asks for toView + 1; more than f
 *     other sealers asking for higher views pull a sealer along; n - f asks for one view
 *     switch to it.
 *
 * The engine (pbft.c, pbft_view.c) never does this arithmetic inline: it asks pbft_rules and
 * pbft_view_rules (pbft.h), which hold the functions below unless an exercise's grader has
 * put a student's functions there (exercises 07 and 08), to run whole clusters on them.
 */
#include "consensus/pbft_int.h"

#include <string.h>

/* ---- the numbers (pbft_rules_t) ---- */

static size_t
builtin_faults(size_t n)
{
    return n == 0 ? 0 : (n - 1) / 3;
}

static size_t
builtin_quorum(size_t n)
{
    return n - builtin_faults(n);
}

/* (view + highest block number) % n, as FISCO's getLeader computes it. */
static uint64_t
builtin_leader(uint64_t view, int64_t highest, size_t n)
{
    return n == 0 ? 0 : (view + (uint64_t)highest) % n;
}

/* Each sealer counts once, however many matching votes of it the list holds (the engine keeps
 * one slot per sealer, but a list in general may repeat one). */
static size_t
builtin_count_votes(const pbft_ballot_t *votes, size_t nvotes, size_t n,
                    const pbft_ballot_t *want)
{
    bool seen[CONSENSUS_MAX_SEALERS] = { false };
    size_t k = 0;

    for (size_t i = 0; i < nvotes; i++) {
        const pbft_ballot_t *v = &votes[i];

        if (v->sealer >= n || v->sealer >= CONSENSUS_MAX_SEALERS || seen[v->sealer] ||
            v->height != want->height || v->view != want->view ||
            memcmp(v->hash, want->hash, 32) != 0)
            continue;
        seen[v->sealer] = true;
        k++;
    }
    return k;
}

static bool
builtin_quorum_reached(const pbft_ballot_t *votes, size_t nvotes, size_t n,
                       const pbft_ballot_t *want)
{
    return builtin_count_votes(votes, nvotes, n, want) >= builtin_quorum(n);
}

const pbft_rules_t pbft_builtin_rules = {
    .faults = builtin_faults,
    .quorum = builtin_quorum,
    .leader = builtin_leader,
    .count_votes = builtin_count_votes,
    .quorum_reached = builtin_quorum_reached,
};

pbft_rules_t pbft_rules = {
    .faults = builtin_faults,
    .quorum = builtin_quorum,
    .leader = builtin_leader,
    .count_votes = builtin_count_votes,
    .quorum_reached = builtin_quorum_reached,
};

/* ---- the view change (pbft_view_rules_t) ---- */

static uint64_t
builtin_timeout_ms(unsigned change_cycle)
{
    double ms = PBFT_VIEW_TIMEOUT_MS;

    for (unsigned i = 0; i < change_cycle && i < PBFT_MAX_CHANGE_CYCLE; i++)
        ms *= 1.5;
    return (uint64_t)ms;
}

/* Fast view change: more than f OTHER sealers, not behind me, ask for views above my toView.
 * At least one of them is honest, so the view really is moving on: join the lowest of them. */
static void
builtin_fast_rule(const pbft_view_input_t *in, pbft_view_decision_t *out)
{
    size_t k = 0;
    uint64_t lowest = UINT64_MAX;

    for (size_t i = 0; i < in->nasks; i++) {
        const pbft_view_ask_t *a = &in->asks[i];

        if (a->sealer == in->me || a->height < in->tip || a->view <= in->to_view)
            continue;
        k++;
        if (a->view < lowest)
            lowest = a->view;
    }
    if (k <= pbft_builtin_rules.faults(in->n))
        return;
    out->to_view = lowest;
    out->ask = true;
}

/* The switch: n - f sealers (me too), not behind me, ask for exactly the view I ask for. */
static void
builtin_switch_rule(const pbft_view_input_t *in, pbft_view_decision_t *out)
{
    size_t k = 0;

    if (out->to_view <= in->view)
        return;
    for (size_t i = 0; i < in->nasks; i++)
        if (in->asks[i].view == out->to_view && in->asks[i].height >= in->tip)
            k++;
    out->switch_view = k >= pbft_builtin_rules.quorum(in->n);
}

/* A timeout asks for the next view, one above the last asked for, and makes the next wait
 * longer; a ViewChangeReq may pull me along (fast rule). Either way, the view asked for may
 * now have its quorum (FISCO's checkTimeout and handleViewChangeMsg both end in
 * checkAndChangeView). */
static void
builtin_decide(const pbft_view_input_t *in, pbft_view_decision_t *out)
{
    out->to_view = in->to_view;
    out->change_cycle = in->change_cycle;
    out->ask = false;
    out->switch_view = false;
    if (in->timed_out) {
        if (out->change_cycle < PBFT_MAX_CHANGE_CYCLE)
            out->change_cycle++;
        out->to_view = in->to_view + 1;
        out->ask = true;
    } else {
        builtin_fast_rule(in, out);
    }
    builtin_switch_rule(in, out);
}

const pbft_view_rules_t pbft_builtin_view_rules = {
    .timeout_ms = builtin_timeout_ms,
    .decide = builtin_decide,
};

pbft_view_rules_t pbft_view_rules = {
    .timeout_ms = builtin_timeout_ms,
    .decide = builtin_decide,
};
