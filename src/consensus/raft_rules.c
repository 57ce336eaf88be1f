/*
 * raft_rules.c — the two questions a Raft node answers for others: "will you vote for me?"
 * and "will you take these entries?" (raft.h; raft.c explains the whole protocol).
 *
 * Figure 2 of the Raft paper gives each as a short list of rules for the receiver of the RPC.
 * They are written here as plain functions over plain structs, apart from the engine, for two
 * reasons: a student can read the rules without the machinery around them, and exercises 09
 * and 10 swap them for the student's own (the hooks raft_vote_rule and raft_append_rule) and
 * run a whole cluster on them.
 *
 * RequestVote (§5.2, §5.4.1). A voter first catches up with time: a candidate from an older
 * term is refused; a newer term is adopted, with no vote cast in it yet. Then it grants its
 * one vote of the term to the first candidate that asks (or again to the same one, whose
 * request may have been duplicated), and only if the candidate's log is at least as up to
 * date as its own: a later last term, or the same last term and at least as long. That last
 * rule is what keeps committed entries alive: an entry committed is on a majority, a winner
 * needs a majority's votes, so one of its voters holds the entry and refuses a candidate
 * that lacks it.
 *
 * AppendEntries (§5.3). The leader sends entries together with the index and term of the entry
 * just before them. A follower takes them only if its log holds that entry (the consistency
 * check); by induction its whole log up to there is then the leader's (Log Matching). Entries
 * it already holds are kept; at the first entry that conflicts (same index, other term) its
 * log is cut, and the new entries go after. A message may arrive late or twice, so an append
 * must never cut entries that the message does not contradict. Finally the follower's
 * commitIndex rises to the leader's, but never past the last entry this message vouched for:
 * beyond it the follower's log may still hold entries of an old term that nobody committed.
 */
#include "consensus/raft.h"

raft_vote_rule_fn raft_vote_rule = raft_vote_rule_builtin;
raft_append_rule_fn raft_append_rule = raft_append_rule_builtin;

/* ---- RequestVote ---- */

/* §5.4.1: the candidate's log is at least as up to date as the voter's. */
static bool
candidate_up_to_date(const raft_vote_question_t *q)
{
    if (q->req.last_term != q->last_term)
        return q->req.last_term > q->last_term;
    return q->req.last_index >= q->last_index;
}

raft_vote_answer_t
raft_vote_rule_builtin(const raft_vote_question_t *q)
{
    raft_vote_answer_t a = { .granted = false, .term = q->current_term,
                             .voted_for = q->voted_for };

    if (q->req.term < q->current_term)
        return a; /* a candidate from the past */
    if (q->req.term > q->current_term) {
        a.term = q->req.term;
        a.voted_for = -1;
    }
    if (a.voted_for >= 0 && a.voted_for != q->candidate)
        return a; /* one vote per term */
    if (!candidate_up_to_date(q))
        return a;
    a.granted = true;
    a.voted_for = q->candidate;
    return a;
}

/* ---- AppendEntries ---- */

/* Term of entry index, 0 for index 0 (the empty start every log agrees on). */
static uint64_t
term_at(const raft_plain_log_t *log, uint64_t index)
{
    return index == 0 ? 0 : log->entries[index - 1].term;
}

bool
raft_append_rule_builtin(raft_plain_log_t *log, uint64_t *commit, const raft_append_t *req)
{
    uint64_t index = req->prev_index + 1;
    uint64_t last_new = req->prev_index + req->nentries, target;
    size_t k = 0;

    if (req->prev_index > log->count || term_at(log, req->prev_index) != req->prev_term)
        return false; /* we lack the entry before these: the leader backs up */
    while (k < req->nentries && index <= log->count &&
           log->entries[index - 1].term == req->entries[k].term)
        k++, index++; /* held already (a duplicate or a late message): keep it */
    if (k < req->nentries) {
        log->count = index - 1; /* the first conflict, or the end: cut here and append */
        while (k < req->nentries)
            log->entries[log->count++] = req->entries[k++];
    }
    target = req->commit < last_new ? req->commit : last_new;
    if (target > *commit)
        *commit = target; /* commitIndex never goes down */
    return true;
}
