/*
 * raft_vote.c — exercise 09: YOUR RequestVote decision (see raft_vote.h and README.md).
 *
 * Replace the body below. `make grade EX=09` grades it.
 */
#include "raft_vote.h"

#include "grade.h"

raft_vote_answer_t ex_raft_vote(const raft_vote_question_t *q)
{
    raft_vote_answer_t not_done = { .granted = false, .term = 0, .voted_for = -1 };

    (void)q;
    ex_todo(__func__);
    return not_done;
}
