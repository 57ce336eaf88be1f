/*
 * tx.h — a FISCO BCOS 2.x transaction (the "RC2" layout, supported_version ≥ 2.9).
 *
 * A transaction is an RLP list of 13 items:
 *
 *    0 nonce       random number chosen by the client; with blockLimit it stops replays
 *    1 gasPrice    carried but not charged (there is no native coin)
 *    2 gas         the most gas the transaction may use
 *    3 blockLimit  the last block height that may include it (FISCO's addition)
 *    4 to          20-byte receiver, or empty for contract creation
 *    5 value       carried but unused
 *    6 data        ABI call data (or contract code)
 *    7 chainId     must equal the chain's [chain] id
 *    8 groupId     must equal the group the transaction is sent to
 *    9 extraData   free bytes
 *   10 v, 11 r, 12 s   the signature
 *
 * The sender signs signing_hash = hash(RLP list of items 0..9). The transaction's ID is
 * hash(RLP of all 13 items). "hash" is the chain's suite: Keccak-256 or SM3.
 *
 * The signature slots differ by suite:
 *   ecdsa: v = recovery id + 27 (an integer 27 or 28), r and s integers. The sender's public key
 *          is recovered from (v, r, s) and the signing hash.
 *   sm:    v = the sender's 64-byte public key (a fixed-length string), r and s integers. SM2
 *          cannot recover keys, so the key travels with the signature and is checked against it.
 */
#ifndef BL_LEDGER_TX_H
#define BL_LEDGER_TX_H

#include <stdbool.h>
#include <stdint.h>

#include "base/bytes.h"
#include "base/u256.h"
#include "crypto/key.h"
#include "crypto/suite.h"

#define TX_FIELDS_UNSIGNED 10
#define TX_FIELDS 13
/* FISCO's defaults for clients: blockLimit = current height + 500, gas 300,000,000. */
#define TX_DEFAULT_BLOCK_LIMIT_AHEAD 500
#define TX_DEFAULT_GAS 300000000u

typedef struct {
    /* the ten signed fields */
    bl_u256_t nonce;
    bl_u256_t gas_price;
    bl_u256_t gas;
    bl_u256_t block_limit;
    bool has_to;       /* false: contract creation (empty receiver) */
    uint8_t to[20];
    bl_u256_t value;
    bl_buf_t data;
    bl_u256_t chain_id;
    bl_u256_t group_id;
    bl_buf_t extra_data;

    /* the signature as the suite writes it: ECDSA r‖s‖v (v ∈ {0,1}), SM r‖s‖pub */
    uint8_t sig[SUITE_MAX_SIG];
    size_t sig_len;

    /* filled by tx_sign() and tx_decode() */
    uint8_t hash[32];       /* the transaction ID */
    uint8_t sender_pub[64];
    uint8_t sender[20];     /* address of the signer */
} tx_t;

void tx_init(tx_t *tx);
void tx_free(tx_t *tx);
/* Deep copy (dst must not be initialised; tx_free it later). */
void tx_copy(tx_t *dst, const tx_t *src);

/* A signed call to the precompiled contract at `precompile` (0x5002 is DagTransfer) with ABI
 * call data sig(args), as a client makes one: this nonce, FISCO's default gas, blockLimit 500
 * (a chain below height 500), chain and group ids; signed by key. tx must be tx_init'ed. */
int tx_make_precompile_call(tx_t *tx, const keypair_t *key, uint16_t precompile,
                            const char *sig, const char *const *args, size_t nargs,
                            uint64_t nonce, uint64_t chain_id, uint64_t group_id);

/* RLP of the ten unsigned fields, and the hash the sender signs. */
void tx_encode_unsigned(const tx_t *tx, bl_buf_t *out);
void tx_signing_hash(const suite_t *suite, const tx_t *tx, uint8_t out[32]);

/* Sign with kp (its suite decides the signature form); fills sig, hash, sender. */
int tx_sign(tx_t *tx, const keypair_t *kp);

/* RLP of all 13 fields (the wire and storage form). The tx must be signed. */
void tx_encode(const suite_t *suite, const tx_t *tx, bl_buf_t *out);

/* Decode a raw transaction, check its signature and find its sender. On any error tx is left
 * empty (as after tx_init) and the message says which field was wrong. */
int tx_decode(const suite_t *suite, bl_span_t raw, tx_t *tx);

/* The same checks and the same hash, but NO sender: sender_pub and sender stay zero, and the
 * signature is only checked for its form. The recovery is the costliest step of all (an
 * elliptic-curve public-key recovery), and often it was done already: a node's pool verified
 * the very same bytes (same hash) when the tx arrived, and FISCO's PBFT takes the sender from
 * there and recovers only what its pool lacks (fisco-2x-facts §2.4). Whoever decodes this way
 * must fill the sender before the tx is executed: from a tx with the same hash, or with
 * tx_recover_sender. */
int tx_decode_unverified(const suite_t *suite, bl_span_t raw, tx_t *tx);
/* Recover the sender from the signature into sender_pub and sender; BL_E_SIGNATURE if the
 * signature does not verify (tx is unchanged then). */
int tx_recover_sender(const suite_t *suite, tx_t *tx);

/* blockLimit as a plain number (FISCO stores it as u256; heights fit in 63 bits). */
int tx_block_limit(const tx_t *tx, int64_t *limit);

#endif
