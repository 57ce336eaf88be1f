/*
 * ecdsa.h — ECDSA on the secp256k1 curve with public-key recovery (libsecp256k1).
 *
 * A signature is 65 bytes r ‖ s ‖ v: r and s are the ECDSA pair (32 bytes each, big-endian) and
 * v ∈ {0, 1} is the recovery id that lets anyone rebuild the signer's public key from the
 * signature and the hash. That is how a FISCO BCOS node learns who sent a transaction: it never
 * ships the public key. s is always "low" (s ≤ n/2), because (r, n − s) would be a second valid
 * signature for the same message and so a second hash for the same transaction.
 *
 * Public keys are the 64 bytes X ‖ Y (the uncompressed point without its 0x04 prefix), which is
 * also what FISCO calls a node ID.
 */
#ifndef BL_CRYPTO_ECDSA_H
#define BL_CRYPTO_ECDSA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* BL_E_KEY if priv is zero or not below the curve order. */
int ecdsa_pubkey_from_priv(const uint8_t priv[32], uint8_t pub[64]);
/* Is this a valid private key (0 < priv < n)? */
bool ecdsa_priv_is_valid(const uint8_t priv[32]);

/* Deterministic (RFC 6979) low-s signature of a 32-byte hash: sig = r ‖ s ‖ v. */
int ecdsa_sign(const uint8_t priv[32], const uint8_t hash[32], uint8_t sig[65]);

/* Rebuild the signer's public key. Fails with BL_E_SIGNATURE on v ∉ {0,1}, r or s out of
 * range, a high s, or a signature no key could have made. */
int ecdsa_recover(const uint8_t hash[32], const uint8_t sig[65], uint8_t pub[64]);

/* Plain ECDSA verification of r ‖ s (64 bytes) by a known public key. The chain always passes
 * allow_high_s = false; the conformance tests pass true to check textbook ECDSA, where (r, n−s)
 * is as valid as (r, s). */
int ecdsa_verify(const uint8_t pub[64], const uint8_t hash[32], const uint8_t rs[64],
                 bool allow_high_s);

/* Parse a public key given as 65 bytes 04‖X‖Y or 33 bytes 02/03‖X into X‖Y; BL_E_KEY if the
 * point is not on the curve. */
int ecdsa_pubkey_parse(const uint8_t *in, size_t len, uint8_t pub[64]);

#endif
