/* util_crypto.c — placeholder until the crypto commands land (not committed). */
#include "app/util.h"
#include "app/cli.h"
int util_keccak256(int argc, char **argv) { (void)argc; return cli_fail(argv[0], "not yet"); }
int util_sm3(int argc, char **argv) { (void)argc; return cli_fail(argv[0], "not yet"); }
int util_sha256(int argc, char **argv) { (void)argc; return cli_fail(argv[0], "not yet"); }
int util_keygen(int argc, char **argv) { (void)argc; return cli_fail(argv[0], "not yet"); }
int util_address(int argc, char **argv) { (void)argc; return cli_fail(argv[0], "not yet"); }
int util_sign(int argc, char **argv) { (void)argc; return cli_fail(argv[0], "not yet"); }
int util_recover(int argc, char **argv) { (void)argc; return cli_fail(argv[0], "not yet"); }
