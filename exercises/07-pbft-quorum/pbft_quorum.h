/*
 * pbft_quorum.h — exercise 07: the numbers PBFT decides by (lesson 08-pbft).
 *
 * You write these five functions in pbft_quorum.c; this header is their contract (do not edit
 * it). The grader checks them on known answers, then puts them inside the real PBFT engine
 * (src/consensus/pbft.c asks pbft_rules, pbft.h, for every one of these numbers) and runs
 * simulated clusters with them: with f sealers crashed, with f + 1 crashed, and with a
 * leader that lies.
 *
 * The words (fisco-2x-facts §2.1):
 *   n        the number of sealers of the group; they are numbered 0 .. n-1 (their index)
 *   f        how many of them may be faulty (crashed, silent or lying) without harm
 *   quorum   how many matching votes a sealer needs before it moves on: n - f
 *   highest  the number of the highest block a sealer has committed (0: only the genesis)
 *   view     the attempt at the next block; it starts at 0 and grows by view changes
 */
#ifndef BL_EX07_PBFT_QUORUM_H
#define BL_EX07_PBFT_QUORUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/pbft.h" /* pbft_ballot_t: { sealer, height, view, hash[32] } */

/* f = (n - 1) / 3, rounded down; 0 when n is 0. */
size_t ex_pbft_faults(size_t n);

/* The quorum n - f (FISCO's minValidNodes). Note: this is 2f + 1 only when n = 3f + 1;
 * with n = 5, f = 1 and the quorum is 4, not 3. 0 when n is 0. */
size_t ex_pbft_quorum(size_t n);

/* The index of the leader in view `view` on top of block `highest`: (view + highest) mod n,
 * as FISCO's getLeader computes it. 0 when n is 0. (view + highest never overflows here.) */
uint64_t ex_pbft_leader(uint64_t view, int64_t highest, size_t n);

/* How many DISTINCT sealers voted exactly as `want` says: a vote counts when its height, view
 * and all 32 bytes of its hash equal want's (want->sealer means nothing). A sealer counts once
 * however many such votes of it the list holds; a vote whose sealer is not a sealer (index
 * >= n) never counts. votes may be NULL when nvotes is 0. */
size_t ex_pbft_count_votes(const pbft_ballot_t *votes, size_t nvotes, size_t n,
                           const pbft_ballot_t *want);

/* Do the votes for `want` reach the quorum n - f? */
bool ex_pbft_quorum_reached(const pbft_ballot_t *votes, size_t nvotes, size_t n,
                            const pbft_ballot_t *want);

#endif
