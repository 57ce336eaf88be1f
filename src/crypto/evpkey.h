/*
 * evpkey.h — the glue between our raw keys (32-byte private scalar, 64-byte X‖Y public point)
 * and OpenSSL 3's EVP_PKEY objects, for the two curves we use through OpenSSL: SM2 (for
 * signatures) and secp256k1 (only to read and write PEM key files).
 */
#ifndef BL_CRYPTO_EVPKEY_H
#define BL_CRYPTO_EVPKEY_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>

/* curve: "SM2" or "secp256k1". priv may be NULL for a public-only key. BL_E_KEY on bad input. */
int evpkey_from_raw(const char *curve, const uint8_t *priv, const uint8_t pub[64],
                    EVP_PKEY **out);

/* pub = priv·G on the named curve; BL_E_KEY unless 0 < priv < n − 1. */
int evpkey_derive_pub(const char *curve, const uint8_t priv[32], uint8_t pub[64]);

/* The private scalar of an EC key and its curve's name ("SM2", "secp256k1"). The public point
 * is not read back: callers derive it, so a file cannot pair a key with a wrong point. */
int evpkey_private_scalar(EVP_PKEY *pkey, uint8_t priv[32], char *curve, size_t cap);

#endif
