/*
 * rlp_json.h — RLP values written as JSON, in the notation of ethereum's RLPTests.
 *
 * RLP itself only knows byte strings and lists. To write a value down for a person (or for a
 * test file) we use the notation of ethereum/tests' RLPTests, where one JSON value stands for one
 * RLP item:
 *   - a JSON string is its bytes ("dog" is 64 6f 67; "\u0000" is the byte 00);
 *   - a JSON string that starts with "0x" is hex bytes instead ("0x646f67" is also 64 6f 67);
 *   - a JSON integer is a number, written big-endian without leading zero bytes (0 is "");
 *   - a string "#" followed by decimal digits is a number too, for numbers too big for JSON tools;
 *   - a JSON array is a list of the items inside it.
 * Negative numbers, fractions, objects, true, false and null mean nothing in RLP and are refused.
 *
 * About "0x": ethereum's own RLPTests runners (go-ethereum's tests/rlp_test_util.go) take every
 * string as its text. We read "0x.." as hex so that a person can type binary data, and so that
 * the output of rlp_json_decode (which prints every string in hex) can be encoded again. No case
 * in RLPTests has a string starting with "0x", so both rules read the vectors alike (the
 * conformance test checks that). The text "0x12" itself is written as its hex: "0x30783132".
 *
 * Integers may be far larger than 64 bits (up to RLP_JSON_MAX_DIGITS digits): we read the digits
 * ourselves instead of going through a JSON library, whose integers stop at 2^63 - 1.
 */
#ifndef BL_CODEC_RLP_JSON_H
#define BL_CODEC_RLP_JSON_H

#include "base/bytes.h"

/* Longest decimal number accepted (bare or after "#"): about 4 KB of bytes, far beyond any field
 * of a chain, and short enough that the digit-by-digit conversion stays instant. */
#define RLP_JSON_MAX_DIGITS 10000

/* Encode `text`, one value in the notation above, appending its RLP to out. On failure returns
 * BL_E_JSON with a message naming the offset in `text`, and leaves out as it was. */
int rlp_json_encode(const char *text, bl_buf_t *out);

/* Decode `in`, which must be exactly one valid RLP item (rlp_decode's rules), into the notation:
 * strings as "0x.." hex, lists as arrays, e.g. ["0x646f67", ["0x04"], "0x"]. *text is a new
 * string the caller frees. On failure returns BL_E_RLP (the message names the offset). */
int rlp_json_decode(bl_span_t in, char **text);

#endif
