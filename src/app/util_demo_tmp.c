#include "app/util.h"
#include "app/cli.h"
int util_demo_chain(int argc, char **argv) { (void)argc; return cli_fail(argv[0], "not yet"); }
