/*
 * keccak.h — Keccak-256, the hash Ethereum and FISCO BCOS (non-SM chains) call "sha3".
 *
 * It is the original Keccak submission with padding byte 0x01, not FIPS-202 SHA3-256 (which
 * pads with 0x06 and gives different digests). See keccak.c for how the sponge works.
 */
#ifndef BL_CRYPTO_KECCAK_H
#define BL_CRYPTO_KECCAK_H

#include <stddef.h>
#include <stdint.h>

#define KECCAK256_RATE 136 /* bytes absorbed per permutation: (1600 - 2*256) / 8 */

typedef struct {
    uint64_t lanes[25];              /* the 5x5 state of 64-bit lanes */
    uint8_t pending[KECCAK256_RATE]; /* input not yet absorbed */
    size_t npending;
} keccak_ctx_t;

void keccak256_init(keccak_ctx_t *ctx);
void keccak256_update(keccak_ctx_t *ctx, const void *data, size_t len);
void keccak256_final(keccak_ctx_t *ctx, uint8_t out[32]);

/* One-shot: out = Keccak-256(data). */
void keccak256(const void *data, size_t len, uint8_t out[32]);

/* The permutation itself, exposed for the lesson and its tests. */
void keccak_f1600(uint64_t lanes[25]);

#endif
