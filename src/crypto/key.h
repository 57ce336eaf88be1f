/*
 * key.h — key pairs and the PEM files that hold them.
 *
 * An account (or a node) is a private key; its public key is derived from it, its address from
 * the public key (suite.h). We store keys the way FISCO's tools do: a PEM file of the private key
 * in PKCS#8 form, written and read by OpenSSL, so `openssl ec -in FILE -text` can show it. The
 * curve in the file tells the suite: secp256k1 → ecdsa, SM2 → sm.
 */
#ifndef BL_CRYPTO_KEY_H
#define BL_CRYPTO_KEY_H

#include <stdint.h>

#include "crypto/suite.h"

typedef struct {
    const suite_t *suite;
    uint8_t priv[32];
    uint8_t pub[64];
} keypair_t;

/* A fresh key from OpenSSL's random generator. */
int keypair_generate(keypair_t *kp, const suite_t *suite);
/* The key pair of a known private key (BL_E_KEY if it is not a valid scalar). */
int keypair_from_priv(keypair_t *kp, const suite_t *suite, const uint8_t priv[32]);
void keypair_address(const keypair_t *kp, uint8_t addr[20]);
/* Sign a 32-byte hash with the key's suite (sig holds suite->sig_len bytes). */
int keypair_sign(const keypair_t *kp, const uint8_t hash[32], uint8_t *sig);

int keypair_save_pem(const keypair_t *kp, const char *path);
int keypair_load_pem(keypair_t *kp, const char *path);

/* Wipe the private key from memory. */
void keypair_clear(keypair_t *kp);

#endif
