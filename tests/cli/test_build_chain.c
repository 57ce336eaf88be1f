/*
 * test_build_chain.c — `bcoslab build-chain` and `bcoslab cert revoke | renew | check`, run as
 * a user would run them.
 *
 * Pins down fisco-2x-facts §11.2 (build_chain.sh's layout: cert/ca.crt, cert/agencyX/,
 * nodeI/config.ini, nodeI/conf/{ca.crt, node.crt, node.key, node.nodeid, group.G.genesis,
 * group.G.ini}), §11.3/§11.4 (the keys those files hold), and §8 (node ID = the node
 * certificate's public key; only nodes of the same chain CA connect; crl.N refuses, a
 * non-empty cal.N admits only its nodes, the blacklist wins; renewal keeps node.key and so the
 * node ID). The course's scenario: agencies A, B, C share group 1, A and B open group 2.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/error.h"
#include "ledger/block.h"
#include "ledger/genesis.h"
#include "node/config.h"
#include "pki/pki.h"

/* Build a chain under tu_dir/name with extra options; returns the directory (caller frees). */
static char *
build(const char *name, const char *opts)
{
    char *dir = bl_xmalloc(strlen(tu_dir) + strlen(name) + 2), *out;

    sprintf(dir, "%s/%s", tu_dir, name);
    out = tu_run_ok("build-chain %s -o %s", opts, dir);
    free(out);
    return dir;
}

static bool
exists(const char *dir, const char *rel)
{
    char path[1024];
    struct stat st;

    snprintf(path, sizeof path, "%s/%s", dir, rel);
    return stat(path, &st) == 0;
}

static char *
read_rel(const char *dir, const char *rel)
{
    char path[1024];

    snprintf(path, sizeof path, "%s/%s", dir, rel);
    return tu_read_file(path, NULL);
}

/* The node ID of DIR/nodeI from its certificate. */
static void
cert_node_id(const char *dir, unsigned i, char hex[129])
{
    char path[1024];
    X509 *x;

    snprintf(path, sizeof path, "%s/node%u/conf/node.crt", dir, i);
    assert_int_equal(pki_load_cert(path, &x), BL_OK);
    assert_int_equal(pki_node_id_hex(x, hex), BL_OK);
    X509_free(x);
}

/* `cert check DIR A B`: exit 0 and "A admits B" or exit 1 and "A refuses B: ...why...". */
static void
assert_check(const char *dir, const char *a, const char *b, bool admitted, const char *why)
{
    char *out, *err, want[64];
    int rc = tu_run(&out, &err, "cert check %s %s %s", dir, a, b);

    assert_int_equal(rc, admitted ? 0 : 1);
    assert_string_equal(err, "");
    snprintf(want, sizeof want, "%s %s %s", a, admitted ? "admits" : "refuses", b);
    if (strncmp(out, want, strlen(want)) != 0 || (why && strstr(out, why) == NULL))
        fail_msg("cert check printed \"%s\", want \"%s ... %s\"", out, want, why ? why : "");
    free(out);
    free(err);
}

/* build_chain.sh's layout: cert/{ca.crt,ca.key}, cert/agencyX/{agency.crt,agency.key}, and
 * per node config.ini and conf/ with the certificates, key, node ID and its groups' files.
 * With -g 2, node3 (agency C) is in group 1 only. Keys are readable by their owner only. */
static void
build_chain_writes_the_build_chain_sh_layout(void **state)
{
    static const char *const node_files[] = { "config.ini", "conf/ca.crt", "conf/agency.crt",
        "conf/node.crt", "conf/node.key", "conf/node.nodeid", "conf/group.1.genesis",
        "conf/group.1.ini" };
    char *dir = build("layout", "-n 4 -g 2"), rel[128], path[1024];
    struct stat st;

    (void)state;
    assert_true(exists(dir, "cert/ca.crt") && exists(dir, "cert/ca.key"));
    for (char a = 'A'; a <= 'C'; a++) {
        snprintf(rel, sizeof rel, "cert/agency%c/agency.key", a);
        assert_true(exists(dir, rel));
        snprintf(rel, sizeof rel, "cert/agency%c/agency.crt", a);
        assert_true(exists(dir, rel));
    }
    assert_false(exists(dir, "cert/agencyD"));
    for (unsigned i = 0; i < 4; i++)
        for (size_t f = 0; f < sizeof node_files / sizeof node_files[0]; f++) {
            snprintf(rel, sizeof rel, "node%u/%s", i, node_files[f]);
            if (!exists(dir, rel))
                fail_msg("%s/%s is missing", dir, rel);
        }
    assert_false(exists(dir, "node4"));
    assert_true(exists(dir, "node2/conf/group.2.genesis") && exists(dir, "node2/conf/group.2.ini"));
    assert_false(exists(dir, "node3/conf/group.2.genesis"));
    snprintf(path, sizeof path, "%s/node0/conf/node.key", dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0077, 0);
    free(dir);
}

/* The files agree with one another: node.nodeid is the node certificate's public key, every
 * node holds the chain's ca.crt and its agency's certificate, config.ini lists every node as
 * a peer on its own port, and each group's genesis names its nodes as sealers, the same file on
 * every member. */
static void
build_chain_files_agree_with_each_other(void **state)
{
    char *dir = build("agree", "-n 4 -g 2"), hex[129], rel[128], *text, *ca, *g2, *g2b;
    config_node_t cfg;
    genesis_t g;
    uint8_t id[64];

    (void)state;
    ca = read_rel(dir, "cert/ca.crt");
    for (unsigned i = 0; i < 4; i++) {
        cert_node_id(dir, i, hex);
        snprintf(rel, sizeof rel, "node%u/conf/node.nodeid", i);
        text = read_rel(dir, rel);
        tu_chomp(text);
        assert_string_equal(text, hex);
        free(text);
        snprintf(rel, sizeof rel, "node%u/conf/ca.crt", i);
        text = read_rel(dir, rel);
        assert_string_equal(text, ca);
        free(text);
        snprintf(rel, sizeof rel, "%s/node%u/config.ini", dir, i);
        assert_int_equal(config_node_load(rel, &cfg), BL_OK);
        assert_int_equal(cfg.listen_port, 30300 + i);
        assert_int_equal(cfg.npeers, 4);
        assert_false(cfg.sm_crypto);
        config_node_free(&cfg);
    }
    free(ca);
    /* node2 is agency B's: its agency.crt is cert/agencyB/agency.crt */
    text = read_rel(dir, "node2/conf/agency.crt");
    ca = read_rel(dir, "cert/agencyB/agency.crt");
    assert_string_equal(text, ca);
    free(text);
    free(ca);
    snprintf(rel, sizeof rel, "%s/node0/conf/group.2.genesis", dir);
    assert_int_equal(config_genesis_load(rel, &g), BL_OK);
    assert_int_equal(g.group_id, 2);
    assert_string_equal(g.consensus_type, "pbft");
    assert_int_equal(g.nsealers, 3); /* A's node0, node1 and B's node2 */
    cert_node_id(dir, 2, hex);
    tu_hex_fixed(hex, id, 64);
    assert_memory_equal(g.sealers[2], id, 64);
    genesis_free(&g);
    g2 = read_rel(dir, "node0/conf/group.2.genesis");
    g2b = read_rel(dir, "node2/conf/group.2.genesis");
    assert_string_equal(g2, g2b);
    free(g2);
    free(g2b);
    snprintf(rel, sizeof rel, "%s/node3/conf/group.1.genesis", dir);
    assert_int_equal(config_genesis_load(rel, &g), BL_OK);
    assert_int_equal(g.nsealers, 4);
    genesis_free(&g);
    free(dir);
}

/* Block 0 of node I's group G, built from its group.G.genesis. */
static void
genesis_hash(const char *dir, unsigned i, unsigned group, const suite_t *suite,
             uint8_t hash[32])
{
    char path[1024];
    genesis_t g;
    block_t b;

    snprintf(path, sizeof path, "%s/node%u/conf/group.%u.genesis", dir, i, group);
    assert_int_equal(config_genesis_load(path, &g), BL_OK);
    assert_int_equal(genesis_block(suite, &g, &b), BL_OK);
    block_hash(suite, &b, hash);
    block_free(&b);
    genesis_free(&g);
}

/* The genesis file is the same on every member, so every member builds the same block 0 (§1.10:
 * the genesis mark in extraData holds the group's founding description); groups differ. */
static void
every_member_of_a_group_builds_the_same_genesis_block(void **state)
{
    char *dir = build("block0", "-n 4 -g 2");
    uint8_t first[32], h[32];

    (void)state;
    genesis_hash(dir, 0, 1, suite_ecdsa(), first);
    for (unsigned i = 1; i < 4; i++) {
        genesis_hash(dir, i, 1, suite_ecdsa(), h);
        assert_memory_equal(h, first, 32);
    }
    genesis_hash(dir, 0, 2, suite_ecdsa(), first);
    genesis_hash(dir, 2, 2, suite_ecdsa(), h);
    assert_memory_equal(h, first, 32);
    genesis_hash(dir, 0, 1, suite_ecdsa(), h);
    assert_memory_not_equal(h, first, 32);
    free(dir);
}

/* Every node's certificate chains to the chain CA through its agency: each node admits each
 * other node. */
static void
every_node_admits_every_other_node_of_the_chain(void **state)
{
    char *dir = build("admit", "-n 4"), a[16], b[16];

    (void)state;
    for (unsigned i = 0; i < 4; i++)
        for (unsigned j = 0; j < 4; j++) {
            snprintf(a, sizeof a, "node%u", i);
            snprintf(b, sizeof b, "node%u", j);
            assert_check(dir, a, b, true, "chains to");
        }
    free(dir);
}

/* Only nodes of the same chain CA connect: a node copied in from another chain is refused, and
 * the answer says why. */
static void
node_of_another_chain_is_refused_with_the_reason(void **state)
{
    char *ours = build("ours", "-n 2"), *theirs = build("theirs", "-n 2"), cmd[2048];

    (void)state;
    snprintf(cmd, sizeof cmd, "cp -r %s/node1 %s/node9", theirs, ours);
    assert_int_equal(system(cmd), 0);
    assert_check(ours, "node0", "node9", false, "certificate not issued by this chain's CA");
    assert_check(ours, "node9", "node0", false, "certificate not issued by this chain's CA");
    free(ours);
    free(theirs);
}

/* cert revoke adds crl.N=<node ID> to every config.ini: the revoked node is refused by the
 * others, the rest still admit each other, and revoking twice adds nothing. */
static void
revoked_node_is_refused_by_every_node(void **state)
{
    char *dir = build("revoke", "-n 4"), hex[129], *out, *again, rel[1024];
    config_node_t cfg;

    (void)state;
    cert_node_id(dir, 3, hex);
    out = tu_run_ok("cert revoke %s %s", dir, hex);
    assert_non_null(strstr(out, "blacklist of all 4 nodes"));
    again = tu_run_ok("cert revoke %s 0x%s", dir, hex);
    for (unsigned i = 0; i < 4; i++) {
        snprintf(rel, sizeof rel, "%s/node%u/config.ini", dir, i);
        assert_int_equal(config_node_load(rel, &cfg), BL_OK);
        assert_int_equal(cfg.nblack, 1);
        config_node_free(&cfg);
    }
    assert_check(dir, "node0", "node3", false, "is on the blacklist (crl.0)");
    assert_check(dir, "node2", "node3", false, "is on the blacklist (crl.0)");
    assert_check(dir, "node0", "node1", true, NULL);
    free(out);
    free(again);
    free(dir);
}

/* Add cal.N / crl.N entries to one node's config.ini, as an operator edits it. */
static void
add_entry(const char *dir, const char *node, const char *section, const char *key,
          const char *hex)
{
    char path[1024];
    config_ini_t ini;

    snprintf(path, sizeof path, "%s/%s/config.ini", dir, node);
    assert_int_equal(config_ini_load(&ini, path), BL_OK);
    config_ini_set(&ini, section, key, hex);
    assert_int_equal(config_ini_save(&ini, path), BL_OK);
    config_ini_free(&ini);
}

/* A non-empty whitelist admits only its nodes; a node on both lists is refused (the blacklist
 * wins). */
static void
whitelist_admits_only_its_nodes_and_blacklist_wins(void **state)
{
    char *dir = build("lists", "-n 4"), one[129], two[129];

    (void)state;
    cert_node_id(dir, 1, one);
    cert_node_id(dir, 2, two);
    add_entry(dir, "node0", "certificate_whitelist", "cal.0", one);
    assert_check(dir, "node0", "node1", true, "is on the whitelist");
    assert_check(dir, "node0", "node2", false, "is not on the whitelist");
    assert_check(dir, "node3", "node2", true, NULL); /* node3's whitelist is empty */
    add_entry(dir, "node0", "certificate_whitelist", "cal.1", two);
    assert_check(dir, "node0", "node2", true, NULL);
    add_entry(dir, "node0", "certificate_blacklist", "crl.0", two);
    assert_check(dir, "node0", "node2", false, "is on the blacklist (crl.0)");
    free(dir);
}

/* cert renew: a new node.crt (the file changes) from the same node.key, so node.nodeid and the
 * node ID in the certificate are unchanged, and the node is still admitted. */
static void
renewed_certificate_keeps_the_node_id_and_is_admitted(void **state)
{
    char *dir = build("renew", "-n 3"), before[129], after[129], *old_crt, *new_crt, *out;

    (void)state;
    cert_node_id(dir, 2, before);
    old_crt = read_rel(dir, "node2/conf/node.crt");
    out = tu_run_ok("cert renew %s node2", dir);
    assert_non_null(strstr(out, before));
    new_crt = read_rel(dir, "node2/conf/node.crt");
    assert_string_not_equal(old_crt, new_crt);
    cert_node_id(dir, 2, after);
    assert_string_equal(before, after);
    assert_check(dir, "node0", "node2", true, NULL);
    free(old_crt);
    free(new_crt);
    free(out);
    free(dir);
}

/* --sm: SM2 node keys, sm_crypto=true in config.ini; --consensus and --storage reach the
 * genesis and group ini; the nodes admit each other. */
static void
sm_chain_has_sm2_keys_and_the_chosen_consensus_and_storage(void **state)
{
    char *dir = build("sm", "--sm -n 2 --consensus raft --storage sqlite"), path[1024];
    keypair_t kp;
    config_node_t cfg;
    config_group_t grp;
    genesis_t g;

    (void)state;
    snprintf(path, sizeof path, "%s/node1/conf/node.key", dir);
    assert_int_equal(keypair_load_pem(&kp, path), BL_OK);
    assert_int_equal(kp.suite->kind, SUITE_SM);
    snprintf(path, sizeof path, "%s/node1/config.ini", dir);
    assert_int_equal(config_node_load(path, &cfg), BL_OK);
    assert_true(cfg.sm_crypto);
    config_node_free(&cfg);
    snprintf(path, sizeof path, "%s/node1/conf/group.1.genesis", dir);
    assert_int_equal(config_genesis_load(path, &g), BL_OK);
    assert_string_equal(g.consensus_type, "raft");
    genesis_free(&g);
    snprintf(path, sizeof path, "%s/node1/conf/group.1.ini", dir);
    assert_int_equal(config_group_load(path, &grp), BL_OK);
    assert_string_equal(grp.storage_type, "sqlite");
    assert_check(dir, "node0", "node1", true, NULL);
    assert_check(dir, "node1", "node0", true, NULL);
    free(dir);
}

/* --consensus pbft,raft: each group its own consensus (one node can run PBFT in group 1 and
 * Raft in group 2 at once); the last word goes on for later groups. */
static void
consensus_list_gives_each_group_its_own_engine(void **state)
{
    char *dir = build("list", "-n 4 -g 3 --agencies 4 --consensus pbft,raft"), path[1024];
    const char *want[] = { "pbft", "raft", "raft" };

    (void)state;
    for (unsigned g = 1; g <= 3; g++) {
        genesis_t gen;

        snprintf(path, sizeof path, "%s/node0/conf/group.%u.genesis", dir, g);
        assert_int_equal(config_genesis_load(path, &gen), BL_OK);
        assert_string_equal(gen.consensus_type, want[g - 1]);
        genesis_free(&gen);
    }
    tu_run_bad("not 'pbft,pow'", "build-chain --consensus pbft,pow -o %s/y", tu_dir);
    tu_run_bad("not 'pbft,'", "build-chain --consensus pbft, -o %s/y", tu_dir);
    free(dir);
}

/* Bad input exits 2 with one line: numbers out of range, unknown words, more agencies than
 * nodes, a non-empty output directory (left untouched), bad node IDs and missing nodes. */
static void
bad_input_is_refused_with_exit_2(void **state)
{
    char *dir = build("bad", "-n 2"), *before, *after;

    (void)state;
    tu_run_bad("from 1 to 64, not '0'", "build-chain -n 0 -o %s/x", tu_dir);
    tu_run_bad("from 1 to 64, not '65'", "build-chain -n 65 -o %s/x", tu_dir);
    tu_run_bad("from 1 to 16, not 'two'", "build-chain -g two -o %s/x", tu_dir);
    tu_run_bad("every agency needs a node", "build-chain -n 2 --agencies 3 -o %s/x", tu_dir);
    tu_run_bad("--consensus wants pbft|raft|solo, not 'pow'", "build-chain --consensus pow "
               "-o %s/x", tu_dir);
    tu_run_bad("--storage wants", "build-chain --storage mysql -o %s/x", tu_dir);
    tu_run_bad("unexpected argument", "build-chain -o %s/x extra", tu_dir);
    tu_run_bad("unknown or incomplete option", "build-chain --bogus");
    assert_false(exists(tu_dir, "x"));
    before = read_rel(dir, "node0/conf/node.crt");
    tu_run_bad("not an empty directory", "build-chain -n 2 -o %s", dir);
    after = read_rel(dir, "node0/conf/node.crt");
    assert_string_equal(before, after);
    tu_run_bad("128 hex digits", "cert revoke %s 1234", dir);
    tu_run_bad("no nodeI/config.ini", "cert revoke %s/cert %0128d", dir, 0);
    tu_run_bad("nodeX/config.ini", "cert renew %s nodeX", dir);
    tu_run_bad("nodeX/config.ini", "cert check %s node0 nodeX", dir);
    tu_run_bad("usage", "cert check %s node0", dir);
    free(before);
    free(after);
    free(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(build_chain_writes_the_build_chain_sh_layout),
        cmocka_unit_test(build_chain_files_agree_with_each_other),
        cmocka_unit_test(every_member_of_a_group_builds_the_same_genesis_block),
        cmocka_unit_test(every_node_admits_every_other_node_of_the_chain),
        cmocka_unit_test(node_of_another_chain_is_refused_with_the_reason),
        cmocka_unit_test(revoked_node_is_refused_by_every_node),
        cmocka_unit_test(whitelist_admits_only_its_nodes_and_blacklist_wins),
        cmocka_unit_test(renewed_certificate_keeps_the_node_id_and_is_admitted),
        cmocka_unit_test(sm_chain_has_sm2_keys_and_the_chosen_consensus_and_storage),
        cmocka_unit_test(consensus_list_gives_each_group_its_own_engine),
        cmocka_unit_test(bad_input_is_refused_with_exit_2),
    };

    return cmocka_run_group_tests_name("build_chain", tests, tu_setup_dir, tu_teardown_dir);
}
