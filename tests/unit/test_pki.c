/*
 * test_pki.c — the chain CA → agency → node certificates and the admission check.
 *
 * Pins down fisco-2x-facts §8: three levels of X.509 certificates (the chain CA and agencies with
 * basicConstraints CA:true, nodes CA:false); node ID = the 64-byte public key of the node
 * certificate; only nodes of the same chain CA connect; [certificate_blacklist] crl.N refuses a
 * node, a non-empty [certificate_whitelist] cal.N admits only its nodes, and the blacklist wins;
 * renewal signs a new certificate for the same node.key, so the node ID does not change; SM
 * chains use SM2 keys.
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>
#include <openssl/x509v3.h>

#include "base/error.h"
#include "pki/pki.h"

typedef struct {
    pki_entity_t ca, agency, node;
} chain_t;

static void
make_chain(chain_t *c, const suite_t *suite, const char *node_name)
{
    assert_int_equal(pki_make_ca(suite, "chain", 30, &c->ca), BL_OK);
    assert_int_equal(pki_make_agency(&c->ca, "agencyA", 30, &c->agency), BL_OK);
    assert_int_equal(pki_make_node(&c->agency, node_name, 30, &c->node), BL_OK);
}

static void
free_chain(chain_t *c)
{
    pki_entity_free(&c->node);
    pki_entity_free(&c->agency);
    pki_entity_free(&c->ca);
}

static pki_policy_t
open_policy(const chain_t *c)
{
    pki_policy_t p = { .chain_ca = c->ca.cert };

    return p;
}

static void
assert_refused(const pki_policy_t *p, X509 *node, X509 *agency, const char *why)
{
    assert_int_equal(pki_admit(p, node, agency), BL_E_DENIED);
    if (strstr(bl_errmsg(), why) == NULL)
        fail_msg("reason \"%s\" does not say \"%s\"", bl_errmsg(), why);
}

/* The three levels carry FISCO's basicConstraints: the chain CA and the agency may sign (CA:true),
 * the node may not (CA:false); a node's chain verifies up to its chain CA and it is admitted. */
static void
chain_ca_agency_node_certificates_verify_up_to_the_chain_ca(void **state)
{
    chain_t c;
    pki_policy_t p;

    (void)state;
    make_chain(&c, suite_ecdsa(), "node0");
    assert_int_equal(X509_check_ca(c.ca.cert), 1);
    assert_int_equal(X509_check_ca(c.agency.cert), 1);
    assert_int_equal(X509_check_ca(c.node.cert), 0);
    assert_int_equal(X509_check_issued(c.ca.cert, c.agency.cert), X509_V_OK);
    assert_int_equal(X509_check_issued(c.agency.cert, c.node.cert), X509_V_OK);
    p = open_policy(&c);
    assert_int_equal(pki_admit(&p, c.node.cert, c.agency.cert), BL_OK);
    free_chain(&c);
}

/* Node ID = the certificate's public key X‖Y without the 04 prefix: 128 hex digits, equal to the
 * node key's public key (FISCO reads the peer's node ID from its certificate). */
static void
node_id_is_the_public_key_of_the_node_certificate(void **state)
{
    chain_t c;
    uint8_t id[64];
    char hex[129], *want;

    (void)state;
    make_chain(&c, suite_ecdsa(), "node0");
    assert_int_equal(pki_node_id(c.node.cert, id), BL_OK);
    assert_memory_equal(id, c.node.key.pub, 64);
    assert_int_equal(pki_node_id_hex(c.node.cert, hex), BL_OK);
    assert_int_equal(strlen(hex), 128);
    want = bl_hex_string(c.node.key.pub, 64);
    assert_string_equal(hex, want);
    free(want);
    free_chain(&c);
}

/* Only nodes that share the chain CA connect: a node of another chain, with a perfectly valid
 * chain of its own, is refused, and the reason says so. */
static void
certificate_from_another_chains_ca_is_refused_with_the_reason(void **state)
{
    chain_t ours, theirs;
    pki_policy_t p;

    (void)state;
    make_chain(&ours, suite_ecdsa(), "node0");
    make_chain(&theirs, suite_ecdsa(), "node0"); /* same names, different keys */
    p = open_policy(&ours);
    assert_refused(&p, theirs.node.cert, theirs.agency.cert,
                   "certificate not issued by this chain's CA");
    /* our agency cannot vouch for their node either */
    assert_refused(&p, theirs.node.cert, ours.agency.cert,
                   "certificate not issued by this chain's CA");
    free_chain(&theirs);
    free_chain(&ours);
}

/* The agency certificate is part of the chain: a node certificate shown without it does not
 * verify, since the chain CA did not sign it directly. */
static void
node_certificate_without_its_agency_is_refused(void **state)
{
    chain_t c;
    pki_policy_t p;

    (void)state;
    make_chain(&c, suite_ecdsa(), "node0");
    p = open_policy(&c);
    assert_refused(&p, c.node.cert, NULL, "certificate not issued by this chain's CA");
    free_chain(&c);
}

/* A node certificate is CA:false: a certificate it signs (a node pretending to be an agency)
 * does not verify, and a CA certificate shown as a node's is refused. */
static void
node_certificate_cannot_issue_and_ca_cannot_pose_as_node(void **state)
{
    chain_t c;
    pki_entity_t rogue;
    pki_policy_t p;

    (void)state;
    make_chain(&c, suite_ecdsa(), "node0");
    p = open_policy(&c);
    assert_int_equal(pki_make_node(&c.node, "rogue", 30, &rogue), BL_OK);
    assert_int_equal(pki_admit(&p, rogue.cert, c.node.cert), BL_E_DENIED);
    assert_refused(&p, c.agency.cert, NULL, "not a node certificate");
    pki_entity_free(&rogue);
    free_chain(&c);
}

/* [certificate_blacklist] crl.N=<nodeid>: a revoked node is refused although its certificate
 * chains to the CA, and the reason names the entry. */
static void
blacklisted_node_is_refused_naming_the_crl_entry(void **state)
{
    chain_t c;
    pki_policy_t p;
    uint8_t black[2][64];
    char want[64], hex[129];

    (void)state;
    make_chain(&c, suite_ecdsa(), "node0");
    memset(black[0], 0x11, 64);
    memcpy(black[1], c.node.key.pub, 64);
    p = open_policy(&c);
    p.blacklist = (const uint8_t(*)[64])black;
    p.nblack = 2;
    assert_int_equal(pki_node_id_hex(c.node.cert, hex), BL_OK);
    snprintf(want, sizeof want, "node %.8s... is on the blacklist (crl.1)", hex);
    assert_refused(&p, c.node.cert, c.agency.cert, want);
    p.nblack = 1; /* another node revoked: ours is admitted */
    assert_int_equal(pki_admit(&p, c.node.cert, c.agency.cert), BL_OK);
    free_chain(&c);
}

/* [certificate_whitelist] cal.N: empty admits every node of the CA; non-empty admits only the
 * listed node IDs. */
static void
nonempty_whitelist_admits_only_listed_nodes(void **state)
{
    chain_t c;
    pki_policy_t p;
    uint8_t white[1][64];

    (void)state;
    make_chain(&c, suite_ecdsa(), "node0");
    p = open_policy(&c);
    memset(white[0], 0x22, 64);
    p.whitelist = (const uint8_t(*)[64])white;
    p.nwhite = 1;
    assert_refused(&p, c.node.cert, c.agency.cert, "is not on the whitelist");
    memcpy(white[0], c.node.key.pub, 64);
    assert_int_equal(pki_admit(&p, c.node.cert, c.agency.cert), BL_OK);
    free_chain(&c);
}

/* A node on both lists is refused: the blacklist wins over the whitelist. */
static void
blacklist_wins_over_whitelist(void **state)
{
    chain_t c;
    pki_policy_t p;
    uint8_t listed[1][64];

    (void)state;
    make_chain(&c, suite_ecdsa(), "node0");
    memcpy(listed[0], c.node.key.pub, 64);
    p = open_policy(&c);
    p.whitelist = p.blacklist = (const uint8_t(*)[64])listed;
    p.nwhite = p.nblack = 1;
    assert_refused(&p, c.node.cert, c.agency.cert, "blacklist (crl.0)");
    free_chain(&c);
}

/* Renewal re-signs the same node.key through the agency: a new certificate (new serial) with the
 * same node ID, still admitted. */
static void
renewed_certificate_keeps_node_id_and_is_admitted(void **state)
{
    chain_t c;
    pki_policy_t p;
    uint8_t before[64], after[64];
    ASN1_INTEGER *old_serial;
    char name[64];

    (void)state;
    make_chain(&c, suite_ecdsa(), "node2");
    assert_int_equal(pki_node_id(c.node.cert, before), BL_OK);
    old_serial = ASN1_INTEGER_dup(X509_get0_serialNumber(c.node.cert));
    assert_int_equal(pki_renew(&c.agency, &c.node, 60), BL_OK);
    assert_int_equal(pki_node_id(c.node.cert, after), BL_OK);
    assert_memory_equal(before, after, 64);
    assert_int_not_equal(ASN1_INTEGER_cmp(old_serial, X509_get0_serialNumber(c.node.cert)), 0);
    pki_cert_name(c.node.cert, name, sizeof name);
    assert_string_equal(name, "node2");
    p = open_policy(&c);
    assert_int_equal(pki_admit(&p, c.node.cert, c.agency.cert), BL_OK);
    ASN1_INTEGER_free(old_serial);
    free_chain(&c);
}

/* SM chains: SM2 keys, SM3 signatures; the chain verifies, the node ID is the SM2 public key, and
 * an ordinary (secp256k1) chain's node is refused by the SM chain's CA. */
static void
sm_chain_certificates_verify_and_carry_sm2_node_ids(void **state)
{
    chain_t sm, plain;
    pki_policy_t p;
    uint8_t id[64];

    (void)state;
    make_chain(&sm, suite_sm(), "node0");
    make_chain(&plain, suite_ecdsa(), "node0");
    assert_int_equal(sm.node.key.suite->kind, SUITE_SM);
    assert_int_equal(X509_get_signature_nid(sm.node.cert), NID_SM2_with_SM3);
    assert_int_equal(pki_node_id(sm.node.cert, id), BL_OK);
    assert_memory_equal(id, sm.node.key.pub, 64);
    p = open_policy(&sm);
    assert_int_equal(pki_admit(&p, sm.node.cert, sm.agency.cert), BL_OK);
    assert_refused(&p, plain.node.cert, plain.agency.cert, "not issued by this chain's CA");
    free_chain(&plain);
    free_chain(&sm);
}

/* PEM files: a certificate and key written and read back are the same, and a key file that is
 * not the certificate's key is refused. */
static void
pem_files_round_trip_and_mismatched_key_is_refused(const suite_t *suite)
{
    chain_t c;
    pki_entity_t back;
    char crt[512], key[512], other[512];

    make_chain(&c, suite, "node0");
    snprintf(crt, sizeof crt, "%s/%s-node.crt", tu_dir, suite->name);
    snprintf(key, sizeof key, "%s/%s-node.key", tu_dir, suite->name);
    snprintf(other, sizeof other, "%s/%s-agency.key", tu_dir, suite->name);
    assert_int_equal(pki_save(&c.node, crt, key), BL_OK);
    assert_int_equal(pki_save(&c.agency, crt, other), BL_OK);
    assert_int_equal(pki_save(&c.node, crt, NULL), BL_OK);
    assert_int_equal(pki_load(&back, crt, key), BL_OK);
    assert_int_equal(X509_cmp(back.cert, c.node.cert), 0);
    assert_memory_equal(back.key.priv, c.node.key.priv, 32);
    assert_ptr_equal(back.key.suite, suite);
    pki_entity_free(&back);
    assert_int_equal(pki_load(&back, crt, other), BL_E_KEY);
    assert_non_null(strstr(bl_errmsg(), "is not the key of the certificate"));
    assert_int_equal(pki_load(&back, key, NULL), BL_E_FORMAT); /* a key is not a certificate */
    free_chain(&c);
}

static void
pem_files_round_trip_and_mismatched_key_is_refused_ecdsa(void **state)
{
    (void)state;
    pem_files_round_trip_and_mismatched_key_is_refused(suite_ecdsa());
}

static void
pem_files_round_trip_and_mismatched_key_is_refused_sm(void **state)
{
    (void)state;
    pem_files_round_trip_and_mismatched_key_is_refused(suite_sm());
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(chain_ca_agency_node_certificates_verify_up_to_the_chain_ca),
        cmocka_unit_test(node_id_is_the_public_key_of_the_node_certificate),
        cmocka_unit_test(certificate_from_another_chains_ca_is_refused_with_the_reason),
        cmocka_unit_test(node_certificate_without_its_agency_is_refused),
        cmocka_unit_test(node_certificate_cannot_issue_and_ca_cannot_pose_as_node),
        cmocka_unit_test(blacklisted_node_is_refused_naming_the_crl_entry),
        cmocka_unit_test(nonempty_whitelist_admits_only_listed_nodes),
        cmocka_unit_test(blacklist_wins_over_whitelist),
        cmocka_unit_test(renewed_certificate_keeps_node_id_and_is_admitted),
        cmocka_unit_test(sm_chain_certificates_verify_and_carry_sm2_node_ids),
        cmocka_unit_test(pem_files_round_trip_and_mismatched_key_is_refused_ecdsa),
        cmocka_unit_test(pem_files_round_trip_and_mismatched_key_is_refused_sm),
    };

    return cmocka_run_group_tests_name("pki", tests, tu_setup_dir, tu_teardown_dir);
}
