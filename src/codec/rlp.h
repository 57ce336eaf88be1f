/*
 * rlp.h — Recursive Length Prefix, the serialization of Ethereum and FISCO BCOS.
 *
 * RLP knows two things: byte strings and lists of items. Every transaction, block header,
 * receipt and network message in this project is an RLP item. The rules, in short:
 *   - a single byte below 0x80 is itself;
 *   - a string of 0–55 bytes is 0x80+len, then the bytes;
 *   - a longer string is 0xb7+len(len), the length big-endian, then the bytes;
 *   - a list whose encoded items take 0–55 bytes is 0xc0+len, then the items;
 *   - a longer list is 0xf7+len(len), the length, then the items.
 * Integers are strings holding the big-endian number without leading zero bytes (0 is "").
 *
 * Encoding appends to a bl_buf_t. A list is written by remembering where it starts, writing its
 * items, and then letting rlp_list_end() put the length prefix in front of them.
 *
 * Decoding is strict: every input has exactly one valid encoding, and anything else (a byte
 * below 0x80 wrapped as 0x81 xx, a length with leading zeros, a long form where the short form
 * fits, a length running past the input, trailing bytes) is rejected with BL_E_RLP and a message
 * saying where. Decoded items point into the input; nothing is copied.
 */
#ifndef BL_CODEC_RLP_H
#define BL_CODEC_RLP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"
#include "base/u256.h"

/* ---- encoding ---- */

void rlp_put_bytes(bl_buf_t *out, const void *p, size_t n);
void rlp_put_string(bl_buf_t *out, const char *s);
void rlp_put_uint(bl_buf_t *out, uint64_t v);
void rlp_put_u256(bl_buf_t *out, const bl_u256_t *v);
/* Append an item that is already RLP-encoded. */
void rlp_put_raw(bl_buf_t *out, const void *p, size_t n);
/* Start a list: returns the offset to hand to rlp_list_end() after the items are written. */
size_t rlp_list_begin(bl_buf_t *out);
void rlp_list_end(bl_buf_t *out, size_t start);

/* ---- decoding ---- */

/* Lists nested deeper than this are refused (the outermost list is level 1): no real structure
 * needs more, and a bound keeps the recursive check from exhausting the stack. */
#define RLP_MAX_DEPTH 1024

typedef struct {
    bool is_list;
    bl_span_t payload; /* the string's bytes, or the list's encoded items */
    bl_span_t raw;     /* the whole item including its prefix */
} rlp_item_t;

/* Decode the single item that must make up all of `in`, checking every nested item too. */
int rlp_decode(bl_span_t in, rlp_item_t *item);
/* Decode the item at the start of `in` (its nested items are not checked); *used is its size. */
int rlp_decode_prefix(bl_span_t in, rlp_item_t *item, size_t *used);

/* Walk the items of a list. */
typedef struct {
    bl_span_t rest;
} rlp_iter_t;

void rlp_iter_init(rlp_iter_t *it, const rlp_item_t *list);
/* 1 and *item set while there are items, 0 at the end, a BL_E_* code on malformed input. */
int rlp_iter_next(rlp_iter_t *it, rlp_item_t *item);

/* Split a list into exactly `count` items (BL_E_RLP, naming `what`, if it is not a list of that
 * length). For fixed-layout records such as a transaction or a block header. */
int rlp_list_exact(const rlp_item_t *list, rlp_item_t *items, size_t count, const char *what);
/* Number of items in a list. */
int rlp_list_count(const rlp_item_t *list, size_t *count);

/* Read a string item as a number: canonical (no leading zero byte) and within range. */
int rlp_get_uint(const rlp_item_t *item, uint64_t *v);
int rlp_get_u256(const rlp_item_t *item, bl_u256_t *v);
/* Read a string item of exactly n bytes. */
int rlp_get_fixed(const rlp_item_t *item, uint8_t *out, size_t n);

#endif
