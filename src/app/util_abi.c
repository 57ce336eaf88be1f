/*
 * util_abi.c — `bcoslab util abi-encode` and `abi-decode` (being written; see issue #2).
 */
#include "app/cli.h"
#include "app/util.h"

int
util_abi_encode(int argc, char **argv)
{
    (void)argc;
    return cli_fail(argv[0], "not written yet");
}

int
util_abi_decode(int argc, char **argv)
{
    (void)argc;
    return cli_fail(argv[0], "not written yet");
}
