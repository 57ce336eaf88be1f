/*
 * bytes.h — byte strings: a growable buffer, a borrowed view, and hexadecimal text.
 *
 * Almost everything a blockchain handles is a string of bytes: keys, hashes, signatures, RLP,
 * whole blocks. bl_buf_t owns a growable array of bytes (it is how encoders produce output);
 * bl_span_t only points into bytes someone else owns (it is how decoders hand out pieces of their
 * input without copying). Hex is how people see bytes: we print lowercase without "0x" and accept
 * input with or without the "0x" prefix, in either case.
 */
#ifndef BL_BASE_BYTES_H
#define BL_BASE_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t *data;  /* NULL while empty and never grown */
    size_t len;     /* bytes in use */
    size_t cap;     /* bytes allocated */
} bl_buf_t;

typedef struct {
    const uint8_t *ptr;
    size_t len;
} bl_span_t;

#define BL_BUF_INIT { NULL, 0, 0 }

void bl_buf_init(bl_buf_t *b);
void bl_buf_free(bl_buf_t *b);
/* Forget the contents but keep the memory for reuse. */
void bl_buf_clear(bl_buf_t *b);
/* Make room for `extra` more bytes. */
void bl_buf_reserve(bl_buf_t *b, size_t extra);
void bl_buf_append(bl_buf_t *b, const void *p, size_t n);
void bl_buf_push(bl_buf_t *b, uint8_t byte);
/* Insert n bytes at offset `at`, moving what follows. */
void bl_buf_insert(bl_buf_t *b, size_t at, const void *p, size_t n);
bl_span_t bl_buf_span(const bl_buf_t *b);

bl_span_t bl_span(const void *p, size_t n);
bool bl_span_eq(bl_span_t a, bl_span_t b);

/* Write 2n lowercase hex digits and a NUL into out (which holds 2n+1 chars). */
void bl_hex_encode(const uint8_t *p, size_t n, char *out);
/* The same into a new string the caller frees. */
char *bl_hex_string(const uint8_t *p, size_t n);
/* The same with "0x" in front, as JSON-RPC writes bytes. */
char *bl_hex_string_0x(const uint8_t *p, size_t n);
/* The value of one hex digit (either case), or -1 if c is not one. */
int bl_hex_digit(char c);
/* Parse hex (optional 0x, even number of digits) and append the bytes to out. */
int bl_hex_decode(const char *hex, bl_buf_t *out);
/* Parse hex that must decode to exactly n bytes. */
int bl_hex_decode_fixed(const char *hex, uint8_t *out, size_t n);

/* Big-endian unsigned integers in a fixed number of bytes (for framing and encodings). */
void bl_put_be(uint8_t *out, uint64_t v, size_t nbytes);
uint64_t bl_get_be(const uint8_t *p, size_t nbytes);

#endif
