/*
 * abi.h — the Solidity ABI: how a contract call's arguments become bytes, and back.
 *
 * A call to a contract (a Solidity contract or one of FISCO's precompiled contracts such as
 * CRUD at 0x1002) carries "call data": 4 bytes that say which function, then the arguments.
 *
 *   selector  = the first 4 bytes of hash("transfer(address,uint256)"): the function's
 *               canonical signature, no spaces, no names, `uint` written `uint256`. The hash
 *               is the chain's: Keccak-256 on ECDSA chains, SM3 on SM chains, so the same
 *               function has two different selectors.
 *   arguments = the values packed as 32-byte words.
 *
 * Everything is counted in 32-byte words because the EVM's word is 32 bytes. A number (uintN,
 * intN, address, bool) is one word, big-endian, padded on the left (int with 0xff when
 * negative). bytesN is one word padded on the right.
 *
 * A value whose size depends on the value (bytes, string, T[], and arrays or tuples holding
 * one) is "dynamic" and cannot sit in a fixed slot. So a list of values is written in two
 * parts: a HEAD with one fixed-size slot per value, then a TAIL. A static value sits in its
 * slot; a dynamic value puts in its slot the OFFSET, in bytes from the start of this list's
 * encoding, of where its contents begin in the tail. Every value can then be found in a
 * fixed number of reads, whatever the lengths of the others. bytes and string are their length
 * (one word) then the bytes padded to a whole word; T[] is its element count then its elements
 * written as a list; T[k] and tuples are written as a list.
 *
 * In C, a type is an abi_type_t tree parsed from text ("uint256,string[]"), and a value is an
 * abi_value_t tree of the same shape. The encoder checks that each value fits its type; the
 * decoder is strict, because call data comes from strangers: an offset or length that points
 * outside the data, non-zero padding, a bool that is not 0 or 1, an intN that is not
 * sign-extended, missing or trailing bytes are all rejected with BL_E_ABI and a message naming
 * the byte offset (counted from the start of the encoded values, after any selector).
 *
 * Where things live: abi_type.c parses and prints types and signatures; abi.c holds values,
 * the encoder and the decoder; abi_call.c selectors and call data; abi_json.c the text and
 * JSON forms used by `bcoslab util abi-encode` and `abi-decode`.
 */
#ifndef BL_CODEC_ABI_H
#define BL_CODEC_ABI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "base/bytes.h"
#include "base/u256.h"
#include "crypto/suite.h"

#define ABI_WORD 32            /* bytes in one ABI word */
#define ABI_SELECTOR_LEN 4     /* bytes of the function selector */
#define ABI_MAX_DEPTH 32       /* nesting of arrays and tuples we accept in a type */

/* ---- types ---- */

typedef enum {
    ABI_UINT,        /* uintN, N = 8, 16, ..., 256 ("uint" means uint256) */
    ABI_INT,         /* intN, two's complement ("int" means int256) */
    ABI_ADDRESS,     /* 20 bytes, encoded as a uint160 */
    ABI_BOOL,        /* encoded as a uint8 that is 0 or 1 */
    ABI_FIXED_BYTES, /* bytesN, N = 1..32, padded on the right */
    ABI_BYTES,       /* dynamic: any number of bytes */
    ABI_STRING,      /* dynamic: UTF-8 text, encoded exactly like bytes */
    ABI_ARRAY,       /* T[k]: k elements of T */
    ABI_DYN_ARRAY,   /* T[]: dynamic, any number of elements of T */
    ABI_TUPLE        /* (T1,...,Tn): one value of each type; an argument list is a tuple */
} abi_kind_t;

typedef struct abi_type {
    abi_kind_t kind;
    unsigned bits;            /* uintN, intN: N */
    unsigned nbytes;          /* bytesN: N */
    size_t length;            /* T[k]: k */
    struct abi_type *elem;    /* T[k], T[]: T */
    struct abi_type **items;  /* tuple: the component types */
    size_t nitems;
    /* Filled in by the parser from the above: */
    bool dynamic;             /* its size depends on the value (needs an offset in a head) */
    size_t head_size;         /* bytes it takes in a head: 32 if dynamic, else all of it */
} abi_type_t;

/* Parse one type: "uint256", "bytes32", "string[]", "uint256[][3]", "(address,bool)". */
int abi_type_parse(const char *text, abi_type_t **out);
/* Parse a comma-separated list "uint256,string[]" into a tuple ("" is the empty tuple). */
int abi_types_parse(const char *text, abi_type_t **out);
void abi_type_free(abi_type_t *t);
/* Append the canonical text of a type ("uint256", "(address,bool)[]"), no NUL. */
void abi_type_format(const abi_type_t *t, bl_buf_t *out);
/* The canonical text in a new string the caller frees. */
char *abi_type_string(const abi_type_t *t);

/* A function signature: "transfer(address,uint256)", or "(uint256,string)" with no name. */
typedef struct {
    char *name;        /* "" when there is no name */
    abi_type_t *args;  /* a tuple */
} abi_signature_t;

int abi_signature_parse(const char *text, abi_signature_t *sig);
void abi_signature_free(abi_signature_t *sig);
/* Is text shaped like a signature, NAME(...) or (...), rather than a bare type list? */
bool abi_is_signature(const char *text);
/* The first 4 bytes of suite->hash(canonical signature); the signature needs a name. */
int abi_signature_selector(const suite_t *suite, const abi_signature_t *sig,
                           uint8_t out[ABI_SELECTOR_LEN]);
/* The same from text: abi_selector(suite, "transfer(address,uint256)", sel) → a9059cbb. */
int abi_selector(const suite_t *suite, const char *signature, uint8_t out[ABI_SELECTOR_LEN]);

/* ---- values ---- */

typedef struct abi_value {
    bl_u256_t num;             /* uintN; intN as 256-bit two's complement; bool as 0 or 1;
                                * address as a number: its 20 bytes are num.be[12..32) */
    bl_buf_t bytes;            /* bytes, string, and bytesN (exactly N bytes) */
    struct abi_value **items;  /* T[k], T[] and tuples: the elements in order */
    size_t count;
} abi_value_t;

/* Constructors for building values in C; each returns a new tree node the caller frees. */
abi_value_t *abi_value_new(void);
abi_value_t *abi_value_uint(uint64_t v);
abi_value_t *abi_value_u256(const bl_u256_t *v);
abi_value_t *abi_value_int(int64_t v);
abi_value_t *abi_value_bool(bool b);
abi_value_t *abi_value_address(const uint8_t addr[20]);
abi_value_t *abi_value_bytes(const void *p, size_t n);  /* for bytes and bytesN */
abi_value_t *abi_value_string(const char *s);
/* An array or tuple of `count` items, all NULL: the caller sets items[0..count). */
abi_value_t *abi_value_list(size_t count);
void abi_value_free(abi_value_t *v);

/* Does v have the shape of t (item counts, bytesN lengths) and does every number fit its
 * type (a uint8 below 256, an int8 from -128 to 127, a bool 0 or 1)? */
int abi_value_check(const abi_type_t *t, const abi_value_t *v);

/* Decimal text of a number value of type t (uintN, intN with '-' when negative, address, bool). */
#define ABI_DEC_MAX (BL_U256_DEC_MAX + 1)
void abi_number_format(const abi_type_t *t, const bl_u256_t *num, char out[ABI_DEC_MAX]);

/* A decoded string or bytes as a C string (caller frees); BL_E_ABI if it holds a NUL byte. */
int abi_value_cstring(const abi_value_t *v, char **out);
/* The 20 bytes of an address value. */
void abi_value_get_address(const abi_value_t *v, uint8_t out[20]);

/* ---- encoding and decoding ---- */

/* Append the encoding of v as type t (for arguments: t is the tuple of their types). On error
 * (a value that does not fit its type, a wrong number of items) out is left unchanged. */
int abi_encode(const abi_type_t *t, const abi_value_t *v, bl_buf_t *out);
/* Decode data, which must be exactly one encoding of type t, into a new value tree. */
int abi_decode(const abi_type_t *t, bl_span_t data, abi_value_t **out);

/* Append call data: the selector of `signature`, then the arguments (a tuple value). A
 * signature without a name, "(uint256,string)", gives the arguments alone. */
int abi_encode_call(const suite_t *suite, const char *signature, const abi_value_t *args,
                    bl_buf_t *out);
/* The same with the arguments written as text (see abi_value_from_text), one per type:
 *     const char *args[] = { "alice", "bob", "10" };
 *     abi_encode_call_text(suite, "userTransfer(string,string,uint256)", args, 3, &data); */
int abi_encode_call_text(const suite_t *suite, const char *signature, const char *const *args,
                         size_t nargs, bl_buf_t *out);
/* Check that calldata starts with the selector of `signature` (none if it has no name) and
 * decode the arguments after it into a tuple value. */
int abi_decode_call(const suite_t *suite, const char *signature, bl_span_t calldata,
                    abi_value_t **args);

/* ---- text and JSON (for the command line) ---- */

/* A value from command-line text: numbers in decimal or 0x hex (intN may start with '-'),
 * bool as true/false, address and bytes as hex (with or without 0x), string as-is, arrays and
 * tuples as JSON array text such as [1,2,3] or ["a","b"]. */
int abi_value_from_text(const abi_type_t *t, const char *text, abi_value_t **out);
/* The same from JSON: strings hold the text above, integers and true/false may be bare. */
int abi_value_from_json(const abi_type_t *t, const json_t *j, abi_value_t **out);
/* A value as JSON: numbers as decimal strings (intN with '-'), address and bytes as "0x"
 * lowercase hex, string as a JSON string (BL_E_ABI if not UTF-8), bool as true/false,
 * arrays and tuples as arrays. */
int abi_value_to_json(const abi_type_t *t, const abi_value_t *v, json_t **out);

#endif
