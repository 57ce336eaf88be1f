/*
 * util_abi.c — `bcoslab util abi-encode` and `abi-decode`: Solidity ABI call data by hand.
 *
 *   bcoslab util abi-encode 'transfer(address,uint256)' 0x…aa 100
 *       prints the call data a transaction would carry: the 4-byte selector (Keccak-256 of the
 *       canonical signature, or SM3 with --sm), then the arguments in 32-byte words.
 *   bcoslab util abi-encode '(uint256,string)' 5 hi
 *       no function name: just the arguments, as a function returns them.
 *   bcoslab util abi-decode 'uint256,string' HEX
 *       the values back, as a JSON array. Given a signature 'f(T1,...)' instead of a type list,
 *       HEX is call data and its selector must be f's.
 *
 * The value syntax (numbers, true/false, hex, JSON arrays) is described in codec/abi_json.c.
 * Arguments are read by hand rather than with getopt, so that a negative number such as -5
 * is an argument and not an unknown option.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "app/cli.h"
#include "app/util.h"
#include "base/bytes.h"
#include "base/error.h"
#include "codec/abi.h"
#include "crypto/suite.h"

/* Read leading "--sm" flags (and an optional "--"); *first is the first other argument. */
static int
parse_flags(int argc, char **argv, bool *sm, int *first)
{
    int i = 1;

    *sm = false;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }
        if (strcmp(argv[i], "--sm") != 0)
            return cli_fail(NULL, "unknown option '%s'; see --help", argv[i]);
        *sm = true;
    }
    *first = i;
    return CLI_OK;
}

static void
print_hex(const bl_buf_t *b)
{
    char *s = bl_hex_string(b->data, b->len);

    printf("%s\n", s);
    free(s);
}

int
util_abi_encode(int argc, char **argv)
{
    bl_buf_t out = BL_BUF_INIT;
    bool sm;
    int first = 0, rc = parse_flags(argc, argv, &sm, &first);

    if (rc != CLI_OK)
        return rc;
    if (first >= argc)
        return cli_fail(NULL, "usage: abi-encode [--sm] 'f(T1,T2,...)' ARGS...");
    /* argv's strings are not changed: the cast only adds const */
    if (abi_encode_call_text(sm ? suite_sm() : suite_ecdsa(), argv[first],
                             (const char *const *)(argv + first + 1),
                             (size_t)(argc - first - 1), &out) != BL_OK)
        rc = cli_fail(NULL, "%s", bl_errmsg());
    else
        print_hex(&out);
    bl_buf_free(&out);
    return rc;
}

/* The types to decode: from a type list "T1,T2", or from a signature "f(T1,T2)", in which
 * case the data is call data whose selector is checked and skipped (if the signature has a
 * name). */
static int
decode_values(const suite_t *suite, const char *text, bl_span_t data, abi_type_t **types,
              abi_value_t **values)
{
    abi_signature_t sig;
    int err;

    if (!abi_is_signature(text)) {
        if ((err = abi_types_parse(text, types)) != BL_OK)
            return err;
        return abi_decode(*types, data, values);
    }
    if ((err = abi_signature_parse(text, &sig)) != BL_OK)
        return err;
    err = abi_decode_call(suite, text, data, values);
    *types = sig.args; /* kept to print the values; the caller frees it */
    sig.args = NULL;
    abi_signature_free(&sig);
    return err;
}

int
util_abi_decode(int argc, char **argv)
{
    abi_type_t *types = NULL;
    abi_value_t *values = NULL;
    bl_buf_t data = BL_BUF_INIT;
    json_t *j = NULL;
    char *s;
    bool sm;
    int first = 0, rc = parse_flags(argc, argv, &sm, &first);

    if (rc != CLI_OK)
        return rc;
    if (argc - first != 2)
        return cli_fail(NULL, "usage: abi-decode [--sm] 'T1,T2,...' HEX");
    if (bl_hex_decode(argv[first + 1], &data) != BL_OK)
        rc = cli_fail(NULL, "%s", bl_errmsg());
    else if (decode_values(sm ? suite_sm() : suite_ecdsa(), argv[first], bl_buf_span(&data),
                           &types, &values) != BL_OK ||
             abi_value_to_json(types, values, &j) != BL_OK)
        rc = cli_fail(NULL, "%s", bl_errmsg());
    if (rc == CLI_OK) {
        s = json_dumps(j, JSON_INDENT(2));
        printf("%s\n", s);
        free(s);
    }
    json_decref(j);
    abi_value_free(values);
    abi_type_free(types);
    bl_buf_free(&data);
    return rc;
}
