/*
 * suite.h — the crypto suite of a chain: which hash and which signature it uses.
 *
 * FISCO BCOS picks one suite per chain (`[chain] sm_crypto` in config.ini):
 *   ecdsa — Keccak-256 + ECDSA on secp256k1, signatures of 65 bytes r‖s‖v (v = recovery id);
 *   sm    — SM3 + SM2, signatures of 128 bytes r‖s‖public key (SM2 cannot recover the key).
 * Everything above this layer — transactions, blocks, addresses, ABI selectors — calls the suite
 * and never names a hash or a curve, so the same code runs both kinds of chain.
 */
#ifndef BL_CRYPTO_SUITE_H
#define BL_CRYPTO_SUITE_H

#include <stddef.h>
#include <stdint.h>

#define SUITE_MAX_SIG 128

typedef enum { SUITE_ECDSA, SUITE_SM } suite_kind_t;

typedef struct suite {
    suite_kind_t kind;
    const char *name;  /* "ecdsa" or "sm" */
    size_t sig_len;    /* 65 or 128 */
    void (*hash)(const void *data, size_t len, uint8_t out[32]);
    int (*pubkey_from_priv)(const uint8_t priv[32], uint8_t pub[64]);
    /* Sign a 32-byte hash; writes sig_len bytes. */
    int (*sign)(const uint8_t priv[32], const uint8_t pub[64], const uint8_t hash[32],
                uint8_t *sig);
    /* Who signed this hash? ECDSA recovers the key; SM checks the signature against the key it
     * carries. Either way, on success pub is the signer and the signature is valid. */
    int (*recover)(const uint8_t hash[32], const uint8_t *sig, uint8_t pub[64]);
} suite_t;

const suite_t *suite_ecdsa(void);
const suite_t *suite_sm(void);
/* "ecdsa" or "sm"; NULL for anything else. */
const suite_t *suite_by_name(const char *name);

/* Address = the last 20 bytes of hash(pubkey). */
void suite_address(const suite_t *s, const uint8_t pub[64], uint8_t addr[20]);

/* Check that sig (sig_len bytes) is pub's signature of hash. */
int suite_verify(const suite_t *s, const uint8_t pub[64], const uint8_t hash[32],
                 const uint8_t *sig);

#endif
