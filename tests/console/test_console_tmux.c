/*
 * test_console_tmux.c — the interactive console as a person uses it (issue #8's "Done when"):
 * `bcoslab console --demo --sim` at a terminal inside tmux, keys sent with send-keys, the
 * screen read back with capture-pane. It checks what libedit adds over the scripted mode: the
 * prompt, tab completion of command names, history on the up arrow — and that a block query
 * and an SQL round trip work from the prompt.
 *
 * (capture-pane drops the spaces at the end of a line: a bare prompt reads "[group:1]>".)
 * Each check polls the screen until what it waits for shows up, with a deadline; a failure
 * prints the screen it last saw.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmuxutil.h"

static void
key(const char *name)
{
    tmx_keys(name);
}

static void
type(const char *text)
{
    tmx_type(text);
}

static void
wait_for(const char *want)
{
    tmx_wait_for(want);
}

/* Type a command and Enter. */
static void
run(const char *line)
{
    type(line);
    key("Enter");
}

static void
stop(void)
{
    tmx_stop();
}

static void
start(void)
{
    char cmd[600];
    const char *bin = getenv("BL_BIN");

    assert_non_null(bin);
    snprintf(cmd, sizeof cmd, "%s console --demo --sim; echo console exited $?; sleep 60", bin);
    tmx_start("blcon", 200, 50, cmd, "[group:1]>");
}

/* Tab completes a command name from its first letters, as FISCO's console does; the
 * completed command runs. */
static void
tab_completes_command_names(void **state)
{
    (void)state;
    start();
    type("getBlockNu");
    key("Tab");
    wait_for("[group:1]> getBlockNumber");
    key("Enter");
    wait_for("[group:1]> getBlockNumber\n0\n[group:1]>");
    stop();
}

/* The up arrow brings back the previous command (history), ready to run again. */
static void
up_arrow_recalls_the_previous_command(void **state)
{
    (void)state;
    start();
    run("getGroupList");
    wait_for("    2\n]\n[group:1]>");
    key("Up");
    wait_for("]\n[group:1]> getGroupList");
    key("Enter");
    wait_for("]\n[group:1]> getGroupList\n[\n    1,");
    stop();
}

/* A transaction from the prompt, then its block as FISCO's JSON. */
static void
block_query_from_the_prompt(void **state)
{
    (void)state;
    start();
    run("userAdd alice 100");
    wait_for("\"msg\":\"Success\"");
    run("getBlockByNumber 1");
    wait_for("\"number\": \"0x1\"");
    stop();
}

/* create, insert and select from the prompt; quit leaves with status 0. */
static void
sql_round_trip_from_the_prompt(void **state)
{
    (void)state;
    start();
    run("create table t_demo(name varchar, item_id varchar, primary key(name))");
    wait_for("Create 't_demo' Ok.");
    run("insert into t_demo (name, item_id) values (fruit, 1)");
    wait_for("Insert OK, 1 row affected.");
    run("select * from t_demo where name = fruit");
    wait_for("| fruit | 1       |\n1 row in set.");
    run("quit");
    wait_for("console exited 0");
    stop();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tab_completes_command_names),
        cmocka_unit_test(up_arrow_recalls_the_previous_command),
        cmocka_unit_test(block_query_from_the_prompt),
        cmocka_unit_test(sql_round_trip_from_the_prompt),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
