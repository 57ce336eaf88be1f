/*
 * test_cli.c — the shape every bcoslab command shares (issue #2's util contract): `--help`
 * prints a usage line and exits 0; an unknown command or no command exits 2 with the list of
 * commands on stderr.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const util_commands[] = {
    "keccak256", "sm3", "sha256", "rlp-encode", "rlp-decode", "keygen", "address", "sign",
    "recover", "tx-build", "tx-decode", "merkle-root", "abi-encode", "abi-decode", "demo-chain",
    "trie-root", "trie-proof", "dag",
};

/* Each util command answers --help with its usage on stdout and exit 0. */
static void
every_util_command_has_help(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof util_commands / sizeof util_commands[0]; i++) {
        char *out, *err, want[64];
        assert_int_equal(tu_run(&out, &err, "util %s --help", util_commands[i]), 0);
        snprintf(want, sizeof want, "usage: bcoslab util %s", util_commands[i]);
        assert_non_null(strstr(out, want));
        free(out);
        free(err);
    }
}

/* `bcoslab util --help` lists every command. */
static void
util_help_lists_every_command(void **state)
{
    char *out;

    (void)state;
    assert_int_equal(tu_run(&out, NULL, "util --help"), 0);
    for (size_t i = 0; i < sizeof util_commands / sizeof util_commands[0]; i++)
        assert_non_null(strstr(out, util_commands[i]));
    free(out);
}

/* No command, or an unknown one, is bad input: exit 2, and stderr says what exists. */
static void
unknown_or_missing_command_exits_2(void **state)
{
    char *out, *err;

    (void)state;
    assert_int_equal(tu_run(&out, &err, "%s", ""), 2);
    assert_non_null(strstr(err, "util"));
    free(out);
    free(err);
    assert_int_equal(tu_run(&out, &err, "util frobnicate"), 2);
    assert_non_null(strstr(err, "unknown command 'frobnicate'"));
    assert_string_equal(out, "");
    free(out);
    free(err);
    assert_int_equal(tu_run(&out, &err, "nosuchthing"), 2);
    free(out);
    free(err);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_util_command_has_help),
        cmocka_unit_test(util_help_lists_every_command),
        cmocka_unit_test(unknown_or_missing_command_exits_2),
    };

    return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
