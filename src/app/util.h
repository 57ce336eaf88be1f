/*
 * util.h — `bcoslab util`: small commands that expose one building block each (a hash, a key,
 * an RLP encoding, a transaction) so a student can check by hand what the lessons say, and
 * scripts and tests can drive the building blocks from outside.
 */
#ifndef BL_APP_UTIL_H
#define BL_APP_UTIL_H

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

#endif
