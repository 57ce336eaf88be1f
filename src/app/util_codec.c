/* util_codec.c — placeholder until the codec commands land (not committed). */
#include "app/util.h"
#include "app/cli.h"
int util_rlp_encode(int argc, char **argv) { (void)argc; return cli_fail(argv[0], "not yet"); }
int util_rlp_decode(int argc, char **argv) { (void)argc; return cli_fail(argv[0], "not yet"); }
int util_abi_encode(int argc, char **argv) { (void)argc; return cli_fail(argv[0], "not yet"); }
int util_abi_decode(int argc, char **argv) { (void)argc; return cli_fail(argv[0], "not yet"); }
