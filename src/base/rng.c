/*
 * rng.c — splitmix64; see rng.h.
 */
#include "base/rng.h"

#include <assert.h>

void
bl_rng_seed(bl_rng_t *r, uint64_t seed)
{
    r->state = seed;
}

uint64_t
bl_rng_next(bl_rng_t *r)
{
    uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL); /* the golden ratio, as a step */

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t
bl_rng_below(bl_rng_t *r, uint64_t n)
{
    /* Numbers at or above the largest multiple of n would make the low results more likely;
     * draw again in that (rare) case. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n, x;

    assert(n > 0);
    do
        x = bl_rng_next(r);
    while (x >= limit);
    return x % n;
}

void
bl_rng_bytes(bl_rng_t *r, void *p, size_t n)
{
    uint8_t *out = p;

    for (size_t i = 0; i < n; i++) {
        if (i % 8 == 0) {
            uint64_t x = bl_rng_next(r);
            for (size_t k = 0; k < 8 && i + k < n; k++)
                out[i + k] = (uint8_t)(x >> (8 * k));
        }
    }
}
