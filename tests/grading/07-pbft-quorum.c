/*
 * 07-pbft-quorum.c — the reference solution of exercise 07 (exercises/07-pbft-quorum).
 *
 * PBFT's safety rests on one piece of arithmetic: with f = (n - 1) / 3 faulty sealers at most,
 * two quorums of n - f sealers share n - 2f >= f + 1 of them, so at least one honest sealer is
 * in both, and an honest sealer never votes for two blocks at one height and view. Counting
 * votes right is the other half: a sealer counts once, and only for the very block asked about.
 */
#include "pbft_quorum.h"

#include <string.h>

size_t
ex_pbft_faults(size_t n)
{
    if (n == 0)
        return 0;
    return (n - 1) / 3;
}

size_t
ex_pbft_quorum(size_t n)
{
    return n - ex_pbft_faults(n);
}

uint64_t
ex_pbft_leader(uint64_t view, int64_t highest, size_t n)
{
    if (n == 0)
        return 0;
    return (view + (uint64_t)highest) % n;
}

static bool
same_vote(const pbft_ballot_t *a, const pbft_ballot_t *b)
{
    return a->height == b->height && a->view == b->view && memcmp(a->hash, b->hash, 32) == 0;
}

/* Has a vote before votes[i] already counted sealer votes[i].sealer? (A list of a few dozen
 * votes at most: looking back is simpler than a table of who was seen.) */
static bool
counted_before(const pbft_ballot_t *votes, size_t i, const pbft_ballot_t *want)
{
    for (size_t j = 0; j < i; j++)
        if (votes[j].sealer == votes[i].sealer && same_vote(&votes[j], want))
            return true;
    return false;
}

size_t
ex_pbft_count_votes(const pbft_ballot_t *votes, size_t nvotes, size_t n,
                    const pbft_ballot_t *want)
{
    size_t count = 0;

    for (size_t i = 0; i < nvotes; i++) {
        if (votes[i].sealer >= n || !same_vote(&votes[i], want))
            continue;
        if (!counted_before(votes, i, want))
            count++;
    }
    return count;
}

bool
ex_pbft_quorum_reached(const pbft_ballot_t *votes, size_t nvotes, size_t n,
                       const pbft_ballot_t *want)
{
    return ex_pbft_count_votes(votes, nvotes, n, want) >= ex_pbft_quorum(n);
}
