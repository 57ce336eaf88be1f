/*
 * util.h — `bcoslab util`: small commands that expose one building block each (a hash, a key,
 * an RLP encoding, a transaction) so a student can check by hand what the lessons say, and
 * scripts and tests can drive the building blocks from outside.
 */
#ifndef BL_APP_UTIL_H
#define BL_APP_UTIL_H

#include <stddef.h>

#include "base/rng.h"

int util_main(int argc, char **argv);

/* util_crypto.c */
int util_keccak256(int argc, char **argv);
int util_sm3(int argc, char **argv);
int util_sha256(int argc, char **argv);
int util_keygen(int argc, char **argv);
int util_address(int argc, char **argv);
int util_sign(int argc, char **argv);
int util_recover(int argc, char **argv);

/* util_rlp.c */
int util_rlp_encode(int argc, char **argv);
int util_rlp_decode(int argc, char **argv);

/* util_abi.c */
int util_abi_encode(int argc, char **argv);
int util_abi_decode(int argc, char **argv);

/* util_ledger.c */
int util_tx_build(int argc, char **argv);
int util_tx_decode(int argc, char **argv);
int util_merkle_root(int argc, char **argv);

/* util_trie.c */
int util_trie_root(int argc, char **argv);
int util_trie_proof(int argc, char **argv);

/* util_demo.c */
int util_demo_chain(int argc, char **argv);

/* util_dag.c */
int util_dag(int argc, char **argv);
/* The users of a generated block of ntx DagTransfer transfers (shared with bench pte): tx i
 * sends from users[2i] to users[2i+1], users numbered from 0; a conflicting tx (conflict_pct
 * percent, at random) sends from the user the previous tx paid, so 100% makes one chain;
 * every other user is new. *nusers is how many users the block names. */
void util_dag_transfer_users(bl_rng_t *rng, size_t ntx, unsigned conflict_pct, size_t *users,
                             size_t *nusers);

#endif
