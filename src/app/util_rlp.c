/*
 * util_rlp.c — `bcoslab util rlp-encode` and `rlp-decode` (being written; see issue #2).
 */
#include "app/cli.h"
#include "app/util.h"

int
util_rlp_encode(int argc, char **argv)
{
    (void)argc;
    return cli_fail(argv[0], "not written yet");
}

int
util_rlp_decode(int argc, char **argv)
{
    (void)argc;
    return cli_fail(argv[0], "not written yet");
}
