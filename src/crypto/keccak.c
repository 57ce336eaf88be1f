/*
 * keccak.c — Keccak-256, written out so it can be read.
 *
 * Keccak is a "sponge". Its state is 1600 bits, seen as a 5×5 grid of 64-bit lanes. Hashing
 * has two phases:
 *
 *   absorb:  the message is cut into blocks of 136 bytes (the "rate"); each block is XORed into
 *            the first 136 bytes of the state, and then the whole state is stirred by the
 *            permutation keccak-f[1600];
 *   squeeze: the digest is read out of the first 32 bytes of the state.
 *
 * The other 64 bytes of the state (the "capacity", twice the digest size) are never touched by
 * the input directly: that hidden part is what makes the hash secure.
 *
 * Before absorbing, the message is padded to a whole number of blocks with the pattern
 * 0x01 0x00 … 0x00 0x80 (one byte 0x81 if only one byte is missing). This 0x01 is the original
 * Keccak padding, which Ethereum and FISCO BCOS use; the later FIPS-202 SHA3-256 uses 0x06 and so
 * gives different digests.
 *
 * keccak-f[1600] is 24 rounds of five steps, each mixing the state in a different direction:
 *   θ (theta) — every lane is XORed with the parities of two neighbouring columns;
 *   ρ (rho)   — every lane is rotated by its own fixed amount;
 *   π (pi)    — the lanes trade places;
 *   χ (chi)   — the only non-linear step: each bit is combined with two others in its row;
 *   ι (iota)  — a round constant is XORed into one lane, so the rounds differ from each other.
 */
#include "crypto/keccak.h"

#include <string.h>

static const uint64_t round_constants[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

static uint64_t
rotl(uint64_t v, unsigned n)
{
    return (v << n) | (v >> ((64 - n) & 63)); /* "& 63" keeps n = 0 defined: v | v */
}

/* Each column's parity, then every lane XORed with the parities of the column to its left and
 * (rotated by one) the column to its right. The five neighbour pairs are written out: (x − 1)
 * and (x + 1) taken mod 5. */
static void
theta(uint64_t a[25])
{
    uint64_t c[5], d[5];

    for (int x = 0; x < 5; x++)
        c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
    d[0] = c[4] ^ rotl(c[1], 1);
    d[1] = c[0] ^ rotl(c[2], 1);
    d[2] = c[1] ^ rotl(c[3], 1);
    d[3] = c[2] ^ rotl(c[4], 1);
    d[4] = c[3] ^ rotl(c[0], 1);
    for (int y = 0; y < 25; y += 5) {
        a[y + 0] ^= d[0];
        a[y + 1] ^= d[1];
        a[y + 2] ^= d[2];
        a[y + 3] ^= d[3];
        a[y + 4] ^= d[4];
    }
}

/* ρ and π together: the lane at index x + 5y is rotated by its own fixed amount (ρ) and moved
 * to (y, 2x + 3y mod 5) (π). Written out, one line per lane, it is the table of those moves:
 * b[new place] = rotl(a[old place], rotation). The rotations are the triangular numbers
 * (t + 1)(t + 2)/2 mod 64 along the path π walks, as the Keccak reference defines them. */
static void
rho_pi(const uint64_t a[25], uint64_t b[25])
{
    b[ 0] = rotl(a[ 0],  0);
    b[10] = rotl(a[ 1],  1);
    b[20] = rotl(a[ 2], 62);
    b[ 5] = rotl(a[ 3], 28);
    b[15] = rotl(a[ 4], 27);
    b[16] = rotl(a[ 5], 36);
    b[ 1] = rotl(a[ 6], 44);
    b[11] = rotl(a[ 7],  6);
    b[21] = rotl(a[ 8], 55);
    b[ 6] = rotl(a[ 9], 20);
    b[ 7] = rotl(a[10],  3);
    b[17] = rotl(a[11], 10);
    b[ 2] = rotl(a[12], 43);
    b[12] = rotl(a[13], 25);
    b[22] = rotl(a[14], 39);
    b[23] = rotl(a[15], 41);
    b[ 8] = rotl(a[16], 45);
    b[18] = rotl(a[17], 15);
    b[ 3] = rotl(a[18], 21);
    b[13] = rotl(a[19],  8);
    b[14] = rotl(a[20], 18);
    b[24] = rotl(a[21],  2);
    b[ 9] = rotl(a[22], 61);
    b[19] = rotl(a[23], 56);
    b[ 4] = rotl(a[24], 14);
}

/* Row by row: each lane gets the AND of the inverted next lane and the one after, XORed in —
 * the only step that is not linear, written out for the five lanes of a row. It reads the
 * lanes ρ and π left in b and writes the state back into a. */
static void
chi(uint64_t a[25], const uint64_t b[25])
{
    for (int y = 0; y < 25; y += 5) {
        uint64_t r0 = b[y], r1 = b[y + 1], r2 = b[y + 2], r3 = b[y + 3], r4 = b[y + 4];

        a[y + 0] = r0 ^ (~r1 & r2);
        a[y + 1] = r1 ^ (~r2 & r3);
        a[y + 2] = r2 ^ (~r3 & r4);
        a[y + 3] = r3 ^ (~r4 & r0);
        a[y + 4] = r4 ^ (~r0 & r1);
    }
}

void
keccak_f1600(uint64_t lanes[25])
{
    for (int round = 0; round < 24; round++) {
        uint64_t moved[25];

        theta(lanes);
        rho_pi(lanes, moved);
        chi(lanes, moved);
        lanes[0] ^= round_constants[round]; /* iota */
    }
}

/* XOR one 136-byte block into the state (lanes are little-endian) and permute. */
static void
absorb_block(keccak_ctx_t *ctx, const uint8_t *block)
{
    for (int i = 0; i < KECCAK256_RATE / 8; i++) {
        uint64_t lane = 0;
        for (int k = 7; k >= 0; k--)
            lane = lane << 8 | block[8 * i + k];
        ctx->lanes[i] ^= lane;
    }
    keccak_f1600(ctx->lanes);
}

void
keccak256_init(keccak_ctx_t *ctx)
{
    memset(ctx, 0, sizeof *ctx);
}

void
keccak256_update(keccak_ctx_t *ctx, const void *data, size_t len)
{
    const uint8_t *p = data;

    while (len > 0) {
        size_t take = KECCAK256_RATE - ctx->npending;
        if (take > len)
            take = len;
        memcpy(ctx->pending + ctx->npending, p, take);
        ctx->npending += take;
        p += take;
        len -= take;
        if (ctx->npending == KECCAK256_RATE) {
            absorb_block(ctx, ctx->pending);
            ctx->npending = 0;
        }
    }
}

void
keccak256_final(keccak_ctx_t *ctx, uint8_t out[32])
{
    /* pad: 0x01, zeros, and 0x80 on the block's last byte (they share a byte if adjacent) */
    memset(ctx->pending + ctx->npending, 0, KECCAK256_RATE - ctx->npending);
    ctx->pending[ctx->npending] ^= 0x01;
    ctx->pending[KECCAK256_RATE - 1] ^= 0x80;
    absorb_block(ctx, ctx->pending);
    for (int i = 0; i < 4; i++) {
        for (int k = 0; k < 8; k++)
            out[8 * i + k] = (uint8_t)(ctx->lanes[i] >> (8 * k));
    }
    memset(ctx, 0, sizeof *ctx);
}

void
keccak256(const void *data, size_t len, uint8_t out[32])
{
    keccak_ctx_t ctx;

    keccak256_init(&ctx);
    keccak256_update(&ctx, data, len);
    keccak256_final(&ctx, out);
}
