/* util_ledger.c — placeholder until the ledger commands land (not committed). */
#include "app/util.h"
#include "app/cli.h"
int util_tx_build(int argc, char **argv) { (void)argc; return cli_fail(argv[0], "not yet"); }
int util_tx_decode(int argc, char **argv) { (void)argc; return cli_fail(argv[0], "not yet"); }
int util_merkle_root(int argc, char **argv) { (void)argc; return cli_fail(argv[0], "not yet"); }
int util_demo_chain(int argc, char **argv) { (void)argc; return cli_fail(argv[0], "not yet"); }
