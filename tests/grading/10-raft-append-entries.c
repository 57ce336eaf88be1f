/*
 * 10-raft-append-entries.c — the reference solution of exercise 10
 * (exercises/10-raft-append-entries).
 *
 * Check that the log holds the entry before the new ones; skip the entries it holds already;
 * cut at the first conflict and append the rest; raise commitIndex, but not past what this
 * request vouched for. src/consensus/raft_rules.c is the engine's own copy of the rule.
 */
#include "raft_append.h"

/* Term of the entry at index, 0 for index 0 (the empty start every log agrees on). */
static uint64_t
term_at(const raft_plain_log_t *log, uint64_t index)
{
    return index == 0 ? 0 : log->entries[index - 1].term;
}

bool ex_raft_append(raft_plain_log_t *log, uint64_t *commit, const raft_append_t *req)
{
    uint64_t index = req->prev_index + 1;          /* where req->entries[k] goes */
    uint64_t last_new = req->prev_index + req->nentries;
    uint64_t target;
    size_t k = 0;

    /* rule 1: the consistency check */
    if (req->prev_index > log->count || term_at(log, req->prev_index) != req->prev_term)
        return false;
    /* rule 2: keep what we hold already */
    while (k < req->nentries && index <= log->count &&
           log->entries[index - 1].term == req->entries[k].term) {
        k++;
        index++;
    }
    /* rules 2 and 3: cut at the first conflict (or the end of the log), append the rest */
    if (k < req->nentries) {
        log->count = index - 1;
        for (; k < req->nentries; k++)
            log->entries[log->count++] = req->entries[k];
    }
    /* rule 4 */
    target = req->commit < last_new ? req->commit : last_new;
    if (target > *commit)
        *commit = target;
    return true;
}
