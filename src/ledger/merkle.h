/*
 * merkle.h — the transactionsRoot and receiptsRoot of a FISCO BCOS 2.x block header.
 *
 * From supported_version 2.2 FISCO commits to a block's transactions (and receipts) with a
 * 16-ary Merkle tree, not Ethereum's trie:
 *   1. leaf i = RLP(i) ‖ H_i, where H_i is the i-th transaction's hash (or receipt's hash);
 *   2. while more than one node is left, take the nodes sixteen at a time, in order, and replace
 *      each group by hash(concatenation of the group);
 *   3. the root is hash(the last node) — one more hash at the end, even for a single leaf;
 *   4. no items at all gives hash("") (the empty hash).
 * A 16-ary tree is shallower than a binary one (log16 n levels), so a proof that a transaction is
 * in a block is a few levels of up to 15 sibling hashes each.
 */
#ifndef BL_LEDGER_MERKLE_H
#define BL_LEDGER_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/suite.h"

#define MERKLE_FANOUT 16

/* root of n item hashes (hashes[i] is H_i) */
void merkle_root(const suite_t *suite, const uint8_t (*hashes)[32], size_t n, uint8_t root[32]);

#endif
