/*
 * util_rlp.c — `bcoslab util rlp-encode` and `rlp-decode`: RLP by hand.
 *
 * rlp-encode takes one value written as in ethereum's RLPTests ("dog", 1000, "#2000...",
 * ["a", ["b"]], "0xdeadbeef") and prints its RLP in hex; rlp-decode takes RLP in hex and prints the
 * value in the same notation, every string in hex, so its output can be fed back to rlp-encode.
 * The notation and its one choice of our own ("0x.." strings are hex) are explained in
 * codec/rlp_json.h; the strict decoding rules in codec/rlp.c.
 */
#include <stdio.h>
#include <stdlib.h>

#include "app/cli.h"
#include "app/util.h"
#include "base/bytes.h"
#include "base/error.h"
#include "codec/rlp_json.h"

int
util_rlp_encode(int argc, char **argv)
{
    bl_buf_t rlp = BL_BUF_INIT;
    char *hex;

    if (argc != 2)
        return cli_fail(NULL, "expected exactly one argument: the value in JSON, quoted for the "
                        "shell, e.g. '[\"dog\", 1]'");
    if (rlp_json_encode(argv[1], &rlp) != BL_OK) {
        bl_buf_free(&rlp);
        return cli_fail(NULL, "%s", bl_errmsg());
    }
    hex = bl_hex_string(rlp.data, rlp.len);
    printf("%s\n", hex);
    free(hex);
    bl_buf_free(&rlp);
    return CLI_OK;
}

int
util_rlp_decode(int argc, char **argv)
{
    bl_buf_t rlp = BL_BUF_INIT;
    char *json = NULL;
    int rc = CLI_OK;

    if (argc != 2)
        return cli_fail(NULL, "expected exactly one argument: the RLP bytes in hex");
    if (bl_hex_decode(argv[1], &rlp) != BL_OK)
        rc = cli_fail(NULL, "%s", bl_errmsg());
    else if (rlp_json_decode(bl_buf_span(&rlp), &json) != BL_OK)
        rc = cli_fail(NULL, "not valid RLP: %s", bl_errmsg());
    else
        printf("%s\n", json);
    free(json);
    bl_buf_free(&rlp);
    return rc;
}
