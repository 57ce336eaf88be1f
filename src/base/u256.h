/*
 * u256.h — 256-bit unsigned integers, the number type of Ethereum and FISCO BCOS.
 *
 * Transaction fields (nonce, gas, blockLimit, chainId...), ABI words and balances are all
 * "uint256". We keep one as 32 bytes in big-endian order, exactly as it appears in an ABI word
 * and as RLP writes it once leading zero bytes are dropped, so converting to and from the wire
 * is a copy. Only the arithmetic the chain needs is here: compare, add and subtract with
 * overflow checks, and conversions to and from decimal and hex text.
 */
#ifndef BL_BASE_U256_H
#define BL_BASE_U256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t be[32]; /* big-endian: be[0] is the most significant byte */
} bl_u256_t;

/* Longest decimal text of a u256 (78 digits) plus the NUL. */
#define BL_U256_DEC_MAX 80

void bl_u256_from_u64(bl_u256_t *x, uint64_t v);
/* BL_E_RANGE if x does not fit in 64 bits. */
int bl_u256_to_u64(const bl_u256_t *x, uint64_t *v);
bool bl_u256_is_zero(const bl_u256_t *x);
int bl_u256_cmp(const bl_u256_t *a, const bl_u256_t *b);

/* From up to 32 big-endian bytes (shorter input is a smaller number). */
int bl_u256_from_be(bl_u256_t *x, const uint8_t *p, size_t n);
/* The minimal big-endian form (no leading zero bytes; zero is 0 bytes): where it starts in
 * x->be and how long it is. */
size_t bl_u256_min_be(const bl_u256_t *x, const uint8_t **start);

/* Parse decimal digits, or hex after "0x". Rejects empty text, signs, and values over 2^256-1. */
int bl_u256_from_str(bl_u256_t *x, const char *s);
/* Write the decimal form into out (BL_U256_DEC_MAX bytes). */
void bl_u256_to_dec(const bl_u256_t *x, char *out);

/* r = a + b and r = a - b; BL_E_RANGE (and r unchanged) on overflow or underflow. */
int bl_u256_add(bl_u256_t *r, const bl_u256_t *a, const bl_u256_t *b);
int bl_u256_sub(bl_u256_t *r, const bl_u256_t *a, const bl_u256_t *b);
/* r = -a modulo 2^256 (two's complement, for int256). */
void bl_u256_negate(bl_u256_t *r, const bl_u256_t *a);

#endif
