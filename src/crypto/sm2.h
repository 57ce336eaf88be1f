/*
 * sm2.h — SM2 signatures (GB/T 32918), the signature of FISCO BCOS's "guomi" (SM) chains, on
 * OpenSSL 3.
 *
 * SM2 does not sign the message directly. It signs e = SM3(Z_A ‖ M), where
 * Z_A = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA) binds the signer's identity string and public
 * key into the hash. FISCO uses the standard default ID "1234567812345678". Because SM2 has no
 * public-key recovery, an SM transaction carries the signer's 64-byte public key next to r and s.
 */
#ifndef BL_CRYPTO_SM2_H
#define BL_CRYPTO_SM2_H

#include <stddef.h>
#include <stdint.h>

#define SM2_DEFAULT_ID "1234567812345678"

int sm2_pubkey_from_priv(const uint8_t priv[32], uint8_t pub[64]);

/* Sign message msg (for the chain: a 32-byte signing hash) with the default ID: rs = r ‖ s. */
int sm2_sign(const uint8_t priv[32], const uint8_t *msg, size_t len, uint8_t rs[64]);

/* Verify r ‖ s over msg with the default ID. BL_E_SIGNATURE if it does not verify. */
int sm2_verify(const uint8_t pub[64], const uint8_t *msg, size_t len, const uint8_t rs[64]);

/* Verify r ‖ s over an already computed digest e (what OpenSSL's test vectors give). */
int sm2_verify_digest(const uint8_t pub[64], const uint8_t e[32], const uint8_t rs[64]);

/* Z_A for a public key and identity on the recommended curve sm2p256v1. */
int sm2_compute_za(const uint8_t pub[64], const char *id, uint8_t za[32]);

#endif
