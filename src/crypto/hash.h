/*
 * hash.h — the other hash functions: SHA-256 and SM3 (the Chinese standard GB/T 32905), both
 * through OpenSSL's EVP interface. Keccak-256 has its own file because we write it ourselves.
 */
#ifndef BL_CRYPTO_HASH_H
#define BL_CRYPTO_HASH_H

#include <stddef.h>
#include <stdint.h>

void hash_sha256(const void *data, size_t len, uint8_t out[32]);
void hash_sm3(const void *data, size_t len, uint8_t out[32]);

#endif
