/*
 * util_demo.c — `bcoslab util demo-chain` (being written; see issue #2).
 */
#include "app/cli.h"
#include "app/util.h"

int
util_demo_chain(int argc, char **argv)
{
    (void)argc;
    return cli_fail(argv[0], "not written yet");
}
