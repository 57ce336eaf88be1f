/*
 * test_config.c — FISCO-style ini files and the typed views of config.ini, group.N.genesis and
 * group.N.ini.
 *
 * Pins down fisco-2x-facts §11.3/§11.4: the sections and keys build_chain.sh writes, with its
 * defaults (pbft, max_trans_num 1000, consensus_timeout 3, state storage, gas_limit 300000000,
 * ttl 2, min_block_generation_time 500, tx_pool limit 150000, txs_expiration_time 600,
 * idle_wait_ms 200); §8's [certificate_blacklist] crl.N and [certificate_whitelist] cal.N; and
 * DESIGN §1.7: a bad file is refused with a message naming the file, the line and the key.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "node/config.h"

static void
assert_msg_has(const char *want)
{
    if (strstr(bl_errmsg(), want) == NULL)
        fail_msg("message \"%s\" does not say \"%s\"", bl_errmsg(), want);
}

static void
write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void
node_id(uint8_t id[64], uint8_t byte)
{
    memset(id, byte, 64);
}

/* An ini file read and written back keeps every section, key, value and comment, and reading
 * the written text gives the same text again (values are trimmed, ';' and '#' start comments,
 * as in FISCO's files). */
static void
ini_round_trip_keeps_sections_keys_values_and_comments(void **state)
{
    static const char text[] =
        "; a node's config\n"
        "[rpc]\n"
        "    channel_listen_ip=0.0.0.0\n"
        "    ; a comment\n"
        "    jsonrpc_listen_port = 8545 \n"
        "\n"
        "[p2p]\n"
        "# another comment\n"
        "listen_port=30300\n"
        "node.0=127.0.0.1:30300\n"
        "empty=\n";
    config_ini_t ini, again;
    char *once, *twice;

    (void)state;
    assert_int_equal(config_ini_parse(&ini, "config.ini", text), BL_OK);
    assert_string_equal(config_ini_get(&ini, "rpc", "jsonrpc_listen_port"), "8545");
    assert_string_equal(config_ini_get(&ini, "p2p", "node.0"), "127.0.0.1:30300");
    assert_string_equal(config_ini_get(&ini, "p2p", "empty"), "");
    assert_null(config_ini_get(&ini, "p2p", "missing"));
    assert_null(config_ini_get(&ini, "nosuch", "listen_port"));
    assert_int_equal(config_ini_find(&ini, "p2p", "listen_port")->line, 9);
    once = config_ini_format(&ini);
    assert_non_null(strstr(once, "; a node's config\n"));
    assert_non_null(strstr(once, "    ; a comment\n"));
    assert_non_null(strstr(once, "# another comment\n"));
    assert_int_equal(config_ini_parse(&again, "again.ini", once), BL_OK);
    twice = config_ini_format(&again);
    assert_string_equal(once, twice);
    config_ini_set(&again, "p2p", "listen_port", "30301");
    config_ini_set(&again, "chain", "id", "7");
    assert_string_equal(config_ini_get(&again, "p2p", "listen_port"), "30301");
    assert_string_equal(config_ini_get(&again, "chain", "id"), "7");
    free(once);
    free(twice);
    config_ini_free(&again);
    config_ini_free(&ini);
}

/* Malformed lines are refused with FILE:LINE and what is wrong, as boost's ini parser (which
 * FISCO uses) refuses them: no closing bracket, a key outside a section, a line that is neither
 * key=value nor a comment, an empty key, a key or a section given twice. */
static void
malformed_ini_is_refused_naming_file_and_line(void **state)
{
    static const char *const cases[][2] = {
        { "[p2p\nlisten_port=1\n", "bad.ini:1: a section header is [name]" },
        { "listen_port=1\n", "bad.ini:1: key 'listen_port' comes before any [section]" },
        { "[p2p]\n\nlisten_port\n", "bad.ini:3: expected [section], key=value" },
        { "[p2p]\n=5\n", "bad.ini:2: a key=value line without a key" },
        { "[p2p]\nlisten_port=1\nlisten_port=2\n", "bad.ini:3: [p2p] listen_port is given "
                                                   "twice (first at line 2)" },
        { "[p2p]\n[chain]\n[p2p]\n", "bad.ini:3: section [p2p] appears twice" },
        { "[]\n", "bad.ini:1: a section header" },
    };
    config_ini_t ini;

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(config_ini_parse(&ini, "bad.ini", cases[i][0]), BL_E_FORMAT);
        assert_msg_has(cases[i][1]);
    }
}

/* A value of the wrong kind names file, line, [section] and key, what is wanted and what was
 * found. */
static void
bad_values_are_refused_naming_file_line_section_and_key(void **state)
{
    config_group_t grp;
    config_node_t node;
    genesis_t g;
    char path[512];

    (void)state;
    snprintf(path, sizeof path, "%s/group.1.ini", tu_dir);
    write_file(path, "[consensus]\nttl=2\n[tx_pool]\nlimit=lots\n");
    assert_int_equal(config_group_load(path, &grp), BL_E_FORMAT);
    assert_msg_has("group.1.ini:4: [tx_pool] limit: wants a number from 1 to 100000000, not "
                   "'lots'");
    write_file(path, "[storage]\ntype=mysql\n");
    assert_int_equal(config_group_load(path, &grp), BL_E_FORMAT);
    assert_msg_has("group.1.ini:2: [storage] type: wants one of: memory rocksdb sqlite, not "
                   "'mysql'");
    snprintf(path, sizeof path, "%s/config.ini", tu_dir);
    write_file(path, "[chain]\nsm_crypto=yes\n");
    assert_int_equal(config_node_load(path, &node), BL_E_FORMAT);
    assert_msg_has("config.ini:2: [chain] sm_crypto: wants true or false, not 'yes'");
    write_file(path, "[p2p]\nlisten_port=70000\n");
    assert_int_equal(config_node_load(path, &node), BL_E_FORMAT);
    assert_msg_has("config.ini:2: [p2p] listen_port: wants a number from 1 to 65535");
    write_file(path, "[p2p]\nnode.0=127.0.0.1\n");
    assert_int_equal(config_node_load(path, &node), BL_E_FORMAT);
    assert_msg_has("config.ini:2: [p2p] node.0: wants host:port");
    write_file(path, "[certificate_blacklist]\ncrl.0=abcd\n");
    assert_int_equal(config_node_load(path, &node), BL_E_FORMAT);
    assert_msg_has("config.ini:2: [certificate_blacklist] crl.0: wants a node ID of 128 hex");
    snprintf(path, sizeof path, "%s/group.1.genesis", tu_dir);
    write_file(path, "[consensus]\nconsensus_type=pow\n[group]\nid=1\n");
    assert_int_equal(config_genesis_load(path, &g), BL_E_FORMAT);
    assert_msg_has("group.1.genesis:2: [consensus] consensus_type: wants one of: pbft raft solo");
    snprintf(path, sizeof path, "%s/missing.ini", tu_dir);
    assert_int_equal(config_group_load(path, &grp), BL_E_IO);
    assert_msg_has("missing.ini");
}

/* group.N.genesis ↔ genesis_t: every field survives a write and a read, so the genesis mark
 * (and so block 0's hash) is the same on every node that reads the file. */
static void
genesis_file_round_trips_to_genesis_t(void **state)
{
    genesis_t g, back;
    uint8_t id[64];
    char path[512], *mark, *mark_back;

    (void)state;
    genesis_init(&g, 2);
    snprintf(g.consensus_type, sizeof g.consensus_type, "raft");
    snprintf(g.state_type, sizeof g.state_type, "mpt");
    g.max_trans_num = 500;
    g.tx_gas_limit = 123456789;
    g.consensus_timeout = 5;
    g.timestamp = 1700000000123;
    g.evm_flags = 1;
    for (uint8_t b = 1; b <= 3; b++) {
        node_id(id, b);
        genesis_add_sealer(&g, id);
    }
    snprintf(path, sizeof path, "%s/group.2.genesis", tu_dir);
    assert_int_equal(config_genesis_save(&g, path), BL_OK);
    assert_int_equal(config_genesis_load(path, &back), BL_OK);
    assert_int_equal(back.group_id, 2);
    assert_string_equal(back.consensus_type, "raft");
    assert_string_equal(back.state_type, "mpt");
    assert_int_equal(back.max_trans_num, 500);
    assert_int_equal(back.tx_gas_limit, 123456789);
    assert_int_equal(back.consensus_timeout, 5);
    assert_int_equal(back.timestamp, 1700000000123);
    assert_int_equal(back.evm_flags, 1);
    assert_int_equal(back.nsealers, 3);
    assert_memory_equal(back.sealers, g.sealers, 3 * 64);
    mark = genesis_mark(&g);
    mark_back = genesis_mark(&back);
    assert_string_equal(mark, mark_back);
    free(mark);
    free(mark_back);
    genesis_free(&back);
    genesis_free(&g);
}

/* Keys left out of group.N.genesis take build_chain.sh's values: pbft, storage, 1000 txs,
 * 300000000 gas, 3 s; a genesis without [group] id or without a sealer is refused. */
static void
genesis_defaults_are_fiscos_and_id_and_sealers_are_required(void **state)
{
    config_ini_t ini;
    genesis_t g;
    char text[512], hex[129];
    uint8_t id[64];

    (void)state;
    node_id(id, 0xab);
    bl_hex_encode(id, 64, hex);
    snprintf(text, sizeof text, "[consensus]\nnode.0=0x%s\n[group]\nid=3\n", hex);
    assert_int_equal(config_ini_parse(&ini, "g.genesis", text), BL_OK);
    assert_int_equal(config_genesis_from_ini(&ini, &g), BL_OK);
    assert_int_equal(g.group_id, 3);
    assert_string_equal(g.consensus_type, "pbft");
    assert_string_equal(g.state_type, "storage");
    assert_int_equal(g.max_trans_num, 1000);
    assert_int_equal(g.tx_gas_limit, 300000000);
    assert_int_equal(g.consensus_timeout, 3);
    assert_int_equal(g.nsealers, 1);
    assert_memory_equal(g.sealers[0], id, 64);
    genesis_free(&g);
    config_ini_free(&ini);
    assert_int_equal(config_ini_parse(&ini, "g.genesis", "[consensus]\n[group]\nid=3\n"), BL_OK);
    assert_int_equal(config_genesis_from_ini(&ini, &g), BL_E_FORMAT);
    assert_msg_has("g.genesis: [consensus] names no sealer");
    config_ini_free(&ini);
    snprintf(text, sizeof text, "[consensus]\nnode.0=%s\n", hex);
    assert_int_equal(config_ini_parse(&ini, "g.genesis", text), BL_OK);
    assert_int_equal(config_genesis_from_ini(&ini, &g), BL_E_FORMAT);
    assert_msg_has("g.genesis: [group] id is missing");
    config_ini_free(&ini);
}

/* config.ini ↔ config_node_t: listen address, peers (node.N), blacklist (crl.N), whitelist
 * (cal.N), chain id, sm_crypto and the certificate paths all survive a write and a read. */
static void
config_ini_round_trips_peers_and_certificate_lists(void **state)
{
    config_node_t c, back;
    char path[512];
    uint8_t id[64];

    (void)state;
    config_node_init(&c);
    c.listen_port = 30302;
    c.chain_id = 9;
    c.sm_crypto = true;
    config_node_add_peer(&c, "127.0.0.1:30300");
    config_node_add_peer(&c, "node1.example:30301");
    c.blacklist = bl_xcalloc(2, 64);
    c.nblack = 2;
    node_id(c.blacklist[0], 1);
    node_id(c.blacklist[1], 2);
    c.whitelist = bl_xcalloc(1, 64);
    c.nwhite = 1;
    node_id(c.whitelist[0], 3);
    snprintf(path, sizeof path, "%s/rt-config.ini", tu_dir);
    assert_int_equal(config_node_save(&c, path), BL_OK);
    assert_int_equal(config_node_load(path, &back), BL_OK);
    assert_string_equal(back.listen_ip, "127.0.0.1");
    assert_int_equal(back.listen_port, 30302);
    assert_int_equal(back.chain_id, 9);
    assert_true(back.sm_crypto);
    assert_int_equal(back.npeers, 2);
    assert_string_equal(back.peers[1], "node1.example:30301");
    assert_int_equal(back.nblack, 2);
    node_id(id, 2);
    assert_memory_equal(back.blacklist[1], id, 64);
    assert_int_equal(back.nwhite, 1);
    assert_string_equal(back.data_path, "conf/");
    assert_string_equal(back.cert, "node.crt");
    assert_string_equal(back.ca_cert, "ca.crt");
    config_node_free(&back);
    config_node_free(&c);
}

/* Lists are read in file order whatever their numbers (crl.5 before crl.0 if written so), and
 * unknown sections and keys of FISCO's config.ini ([rpc], [log]) are ignored. */
static void
node_lists_follow_file_order_and_unknown_keys_are_ignored(void **state)
{
    config_ini_t ini;
    config_node_t c;
    char text[1024], a[129], b[129];
    uint8_t id[64];

    (void)state;
    node_id(id, 0x0a);
    bl_hex_encode(id, 64, a);
    node_id(id, 0x0b);
    bl_hex_encode(id, 64, b);
    snprintf(text, sizeof text,
             "[rpc]\njsonrpc_listen_port=8545\n[log]\nlevel=info\n"
             "[certificate_blacklist]\ncrl.5=%s\ncrl.0=%s\ncrl.x=ignored\n", a, b);
    assert_int_equal(config_ini_parse(&ini, "config.ini", text), BL_OK);
    assert_int_equal(config_node_from_ini(&ini, &c), BL_OK);
    assert_int_equal(c.nblack, 2);
    assert_int_equal(c.blacklist[0][0], 0x0a);
    assert_int_equal(c.blacklist[1][0], 0x0b);
    assert_int_equal(c.nwhite, 0);
    assert_int_equal(c.listen_port, 30300); /* the default */
    config_node_free(&c);
    config_ini_free(&ini);
}

/* group.N.ini: FISCO's defaults when keys are absent, and a round trip of changed values. */
static void
group_ini_has_fisco_defaults_and_round_trips(void **state)
{
    config_group_t c, back;
    config_ini_t ini;
    char path[512];

    (void)state;
    assert_int_equal(config_ini_parse(&ini, "group.1.ini", "[consensus]\n"), BL_OK);
    assert_int_equal(config_group_from_ini(&ini, &c), BL_OK);
    config_ini_free(&ini);
    assert_int_equal(c.ttl, 2);
    assert_int_equal(c.min_block_generation_time, 500);
    assert_string_equal(c.storage_type, "rocksdb");
    assert_int_equal(c.txpool_limit, 150000);
    assert_int_equal(c.txs_expiration_time, 600);
    assert_int_equal(c.idle_wait_ms, 200);
    c.ttl = 3;
    c.min_block_generation_time = 1000;
    snprintf(c.storage_type, sizeof c.storage_type, "sqlite");
    c.txpool_limit = 5000;
    c.txs_expiration_time = 60;
    c.idle_wait_ms = 50;
    snprintf(path, sizeof path, "%s/group.9.ini", tu_dir);
    assert_int_equal(config_group_save(&c, path), BL_OK);
    assert_int_equal(config_group_load(path, &back), BL_OK);
    assert_memory_equal(&back, &c, sizeof c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ini_round_trip_keeps_sections_keys_values_and_comments),
        cmocka_unit_test(malformed_ini_is_refused_naming_file_and_line),
        cmocka_unit_test(bad_values_are_refused_naming_file_line_section_and_key),
        cmocka_unit_test(genesis_file_round_trips_to_genesis_t),
        cmocka_unit_test(genesis_defaults_are_fiscos_and_id_and_sealers_are_required),
        cmocka_unit_test(config_ini_round_trips_peers_and_certificate_lists),
        cmocka_unit_test(node_lists_follow_file_order_and_unknown_keys_are_ignored),
        cmocka_unit_test(group_ini_has_fisco_defaults_and_round_trips),
    };

    return cmocka_run_group_tests_name("config", tests, tu_setup_dir, tu_teardown_dir);
}
