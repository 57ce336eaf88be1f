/*
 * 09-raft-request-vote.c — the reference solution of exercise 09 (exercises/09-raft-request-vote).
 *
 * A voter first catches up with time (an older term is refused, a newer one adopted with its
 * vote still free), then gives its one vote of the term to a candidate whose log is at least
 * as up to date as its own. src/consensus/raft_rules.c is the engine's own copy of the rule.
 */
#include "raft_vote.h"

/* §5.4.1: a later last term wins; with equal last terms, the longer log. */
static bool
candidate_log_is_up_to_date(const raft_vote_question_t *q)
{
    if (q->req.last_term != q->last_term)
        return q->req.last_term > q->last_term;
    return q->req.last_index >= q->last_index;
}

raft_vote_answer_t ex_raft_vote(const raft_vote_question_t *q)
{
    raft_vote_answer_t a = { .granted = false, .term = q->current_term,
                             .voted_for = q->voted_for };

    /* rule 1: a candidate from an older term */
    if (q->req.term < q->current_term)
        return a;
    /* rule 2: a newer term, in which we have not voted yet */
    if (q->req.term > q->current_term) {
        a.term = q->req.term;
        a.voted_for = -1;
    }
    /* rule 3: one vote per term (the same candidate may ask twice) */
    if (a.voted_for != -1 && a.voted_for != q->candidate)
        return a;
    /* rule 4: never help a log that lacks what we hold */
    if (!candidate_log_is_up_to_date(q))
        return a;
    /* rule 5 */
    a.granted = true;
    a.voted_for = q->candidate;
    return a;
}
