/*
 * rng.h — a small seeded random number generator (splitmix64).
 *
 * Tests, benchmarks and the simulator need "random" choices that come out the same on every
 * run with the same seed, so that a failure can be replayed exactly. Protocol code never calls
 * rand() or reads the clock; it is handed numbers from a generator like this one, seeded by the
 * driver. splitmix64 (Steele, Lea and Flood, 2014) is one addition and three xor-shift-multiply
 * steps per number: fast, statistically good enough for testing, and easy to read. It is not a
 * cryptographic generator — keys and nonces come from OpenSSL.
 */
#ifndef BL_BASE_RNG_H
#define BL_BASE_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t state;
} bl_rng_t;

void bl_rng_seed(bl_rng_t *r, uint64_t seed);
/* The next 64 random bits. */
uint64_t bl_rng_next(bl_rng_t *r);
/* A number in [0, n) (n > 0), without the bias of a plain modulo. */
uint64_t bl_rng_below(bl_rng_t *r, uint64_t n);
/* Fill p with n random bytes. */
void bl_rng_bytes(bl_rng_t *r, void *p, size_t n);

#endif
