/*
 * pki.c — making certificates (chain CA → agency → node), renewing them, PEM files and node IDs.
 *
 * A certificate says "this public key belongs to this name, and these are its rights", signed by
 * an issuer. Its rights are the X.509 v3 extensions we set:
 *   basicConstraints  CA:TRUE for the chain CA and agencies (they may sign certificates; an
 *                     agency only for leaves: pathlen 0), CA:FALSE for a node;
 *   keyUsage          keyCertSign for CAs, digitalSignature for nodes (the TLS handshake);
 *   subject/authority key identifiers, which let a verifier find the issuer of a certificate
 *                     by its key, not only by its name.
 * Signatures use SHA-256 with the secp256k1 key, or SM3 with the SM2 key on an SM chain.
 */
#include "pki/pki.h"

#include <stdio.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "base/bytes.h"
#include "base/error.h"
#include "crypto/evpkey.h"

static const char *
curve_of(const suite_t *suite)
{
    return suite->kind == SUITE_SM ? "SM2" : "secp256k1";
}

/* Our key pair as an OpenSSL key (with its private half). */
static int
key_to_evp(const keypair_t *kp, EVP_PKEY **out)
{
    return evpkey_from_raw(curve_of(kp->suite), kp->priv, kp->pub, out);
}

static const char *
role_name(pki_role_t role)
{
    return role == PKI_CHAIN_CA ? "chain" : role == PKI_AGENCY ? "agency" : "node";
}

/* Subject: CN=name, O=bcoslab, OU=chain|agency|node (build_chain.sh writes O=fisco-bcos). */
static int
set_subject(X509 *x, const char *name, pki_role_t role)
{
    X509_NAME *n = X509_get_subject_name(x);

    if (!X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)name, -1, -1,
                                    0) ||
        !X509_NAME_add_entry_by_txt(n, "O", MBSTRING_UTF8, (const unsigned char *)"bcoslab", -1,
                                    -1, 0) ||
        !X509_NAME_add_entry_by_txt(n, "OU", MBSTRING_UTF8,
                                    (const unsigned char *)role_name(role), -1, -1, 0))
        return bl_fail(BL_E_CRYPTO, "OpenSSL refused the certificate name '%s'", name);
    return BL_OK;
}

/* A random positive 63-bit serial number: two certificates of one issuer never share one. */
static int
set_serial(X509 *x)
{
    uint8_t r[8];
    BIGNUM *bn = NULL;
    int err = BL_OK;

    if (RAND_bytes(r, sizeof r) != 1)
        return bl_fail(BL_E_CRYPTO, "OpenSSL's random generator failed");
    r[0] &= 0x7f;
    r[0] |= 0x01;
    bn = BN_bin2bn(r, sizeof r, NULL);
    if (bn == NULL || BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL)
        err = bl_fail(BL_E_CRYPTO, "OpenSSL could not set the serial number");
    BN_free(bn);
    return err;
}

static int
set_validity(X509 *x, int days)
{
    if (days < 1)
        return bl_fail(BL_E_RANGE, "a certificate must be valid for at least one day, not %d",
                       days);
    if (X509_gmtime_adj(X509_getm_notBefore(x), 0) == NULL ||
        X509_time_adj_ex(X509_getm_notAfter(x), days, 0, NULL) == NULL)
        return bl_fail(BL_E_CRYPTO, "OpenSSL could not set the validity dates");
    return BL_OK;
}

static int
add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
    X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, ctx, nid, value);
    int ok = ext != NULL && X509_add_ext(x, ext, -1);

    X509_EXTENSION_free(ext);
    if (!ok)
        return bl_fail(BL_E_CRYPTO, "OpenSSL refused the extension %s = %s", OBJ_nid2sn(nid),
                       value);
    return BL_OK;
}

/* The v3 extensions of a role. issuer is the issuing certificate (x itself if self-signed). */
static int
set_extensions(X509 *x, X509 *issuer, pki_role_t role)
{
    X509V3_CTX ctx;
    int err;

    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    if (role == PKI_CHAIN_CA)
        err = add_ext(x, &ctx, NID_basic_constraints, "critical,CA:TRUE");
    else if (role == PKI_AGENCY)
        err = add_ext(x, &ctx, NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
    else
        err = add_ext(x, &ctx, NID_basic_constraints, "critical,CA:FALSE");
    if (err == BL_OK)
        err = add_ext(x, &ctx, NID_key_usage,
                      role == PKI_NODE ? "critical,digitalSignature,keyAgreement"
                                       : "critical,keyCertSign,cRLSign,digitalSignature");
    if (err == BL_OK)
        err = add_ext(x, &ctx, NID_subject_key_identifier, "hash");
    if (err == BL_OK)
        err = add_ext(x, &ctx, NID_authority_key_identifier, "keyid:always");
    return err;
}

int
pki_issue(const pki_entity_t *issuer, const keypair_t *key, const char *name, pki_role_t role,
          int days, X509 **out)
{
    EVP_PKEY *subject_key = NULL, *signing_key = NULL;
    const keypair_t *signer = issuer ? &issuer->key : key;
    X509 *x = X509_new();
    int err = BL_OK;

    *out = NULL;
    if (issuer && (!issuer->has_key || issuer->cert == NULL)) {
        err = bl_fail(BL_E_INVALID, "the issuer of '%s' has no private key to sign with", name);
        goto out;
    }
    if (x == NULL) {
        err = bl_fail(BL_E_CRYPTO, "OpenSSL could not allocate a certificate");
        goto out;
    }
    if ((err = key_to_evp(key, &subject_key)) != BL_OK ||
        (err = key_to_evp(signer, &signing_key)) != BL_OK)
        goto out;
    if (!X509_set_version(x, X509_VERSION_3) || !X509_set_pubkey(x, subject_key)) {
        err = bl_fail(BL_E_CRYPTO, "OpenSSL could not fill in the certificate of '%s'", name);
        goto out;
    }
    if ((err = set_subject(x, name, role)) != BL_OK || (err = set_serial(x)) != BL_OK ||
        (err = set_validity(x, days)) != BL_OK)
        goto out;
    if (!X509_set_issuer_name(x, X509_get_subject_name(issuer ? issuer->cert : x))) {
        err = bl_fail(BL_E_CRYPTO, "OpenSSL could not set the issuer of '%s'", name);
        goto out;
    }
    if ((err = set_extensions(x, issuer ? issuer->cert : x, role)) != BL_OK)
        goto out;
    if (X509_sign(x, signing_key, signer->suite->kind == SUITE_SM ? EVP_sm3() : EVP_sha256())
        <= 0) {
        err = bl_fail(BL_E_CRYPTO, "OpenSSL could not sign the certificate of '%s'", name);
        goto out;
    }
    *out = x;
    x = NULL;
out:
    X509_free(x);
    EVP_PKEY_free(subject_key);
    EVP_PKEY_free(signing_key);
    return err;
}

static int
make_entity(const pki_entity_t *issuer, const suite_t *suite, const char *name,
            pki_role_t role, int days, pki_entity_t *out)
{
    int err;

    memset(out, 0, sizeof *out);
    if ((err = keypair_generate(&out->key, suite)) != BL_OK)
        return err;
    out->has_key = 1;
    err = pki_issue(issuer, &out->key, name, role, days, &out->cert);
    if (err != BL_OK)
        pki_entity_free(out);
    return err;
}

int
pki_make_ca(const suite_t *suite, const char *name, int days, pki_entity_t *out)
{
    return make_entity(NULL, suite, name, PKI_CHAIN_CA, days, out);
}

int
pki_make_agency(const pki_entity_t *ca, const char *name, int days, pki_entity_t *out)
{
    return make_entity(ca, ca->key.suite, name, PKI_AGENCY, days, out);
}

int
pki_make_node(const pki_entity_t *agency, const char *name, int days, pki_entity_t *out)
{
    return make_entity(agency, agency->key.suite, name, PKI_NODE, days, out);
}

int
pki_renew(const pki_entity_t *agency, pki_entity_t *node, int days)
{
    char name[128];
    X509 *fresh = NULL;
    int err;

    if (!node->has_key)
        return bl_fail(BL_E_INVALID, "renewing needs the node's own key (node.key)");
    pki_cert_name(node->cert, name, sizeof name);
    if ((err = pki_issue(agency, &node->key, name, PKI_NODE, days, &fresh)) != BL_OK)
        return err;
    X509_free(node->cert);
    node->cert = fresh;
    return BL_OK;
}

void
pki_entity_free(pki_entity_t *e)
{
    X509_free(e->cert);
    e->cert = NULL;
    keypair_clear(&e->key);
    e->has_key = 0;
}

/* ---- PEM files ---- */

int
pki_save_cert(X509 *cert, const char *path)
{
    FILE *f = fopen(path, "w");
    int err = BL_OK;

    if (f == NULL)
        return bl_fail(BL_E_IO, "cannot write %s", path);
    if (!PEM_write_X509(f, cert))
        err = bl_fail(BL_E_CRYPTO, "OpenSSL could not write the certificate to %s", path);
    if (fclose(f) != 0 && err == BL_OK)
        err = bl_fail(BL_E_IO, "cannot write %s", path);
    return err;
}

int
pki_load_cert(const char *path, X509 **out)
{
    FILE *f = fopen(path, "r");

    *out = NULL;
    if (f == NULL)
        return bl_fail(BL_E_IO, "cannot open certificate file %s", path);
    *out = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    if (*out == NULL)
        return bl_fail(BL_E_FORMAT, "%s is not a PEM certificate", path);
    return BL_OK;
}

int
pki_save(const pki_entity_t *e, const char *cert_path, const char *key_path)
{
    int err = pki_save_cert(e->cert, cert_path);

    if (err == BL_OK && key_path != NULL) {
        if (!e->has_key)
            return bl_fail(BL_E_INVALID, "no private key to write to %s", key_path);
        err = keypair_save_pem(&e->key, key_path);
    }
    return err;
}

/* The key in the file must be the one the certificate names. */
static int
check_key_matches(pki_entity_t *e, const char *cert_path, const char *key_path)
{
    uint8_t id[64];
    int err = pki_node_id(e->cert, id);

    if (err != BL_OK)
        return err;
    if (memcmp(id, e->key.pub, 64) != 0)
        return bl_fail(BL_E_KEY, "%s is not the key of the certificate %s", key_path, cert_path);
    return BL_OK;
}

int
pki_load(pki_entity_t *e, const char *cert_path, const char *key_path)
{
    int err;

    memset(e, 0, sizeof *e);
    if ((err = pki_load_cert(cert_path, &e->cert)) != BL_OK)
        goto out;
    if (key_path == NULL)
        goto out;
    if ((err = keypair_load_pem(&e->key, key_path)) != BL_OK)
        goto out;
    e->has_key = 1;
    err = check_key_matches(e, cert_path, key_path);
out:
    if (err != BL_OK)
        pki_entity_free(e);
    return err;
}

/* ---- node IDs and names ---- */

int
pki_node_id(X509 *cert, uint8_t id[64])
{
    EVP_PKEY *pk = X509_get0_pubkey(cert);
    uint8_t point[65];
    size_t len = 0;

    if (pk == NULL ||
        !EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point,
                                         &len))
        return bl_fail(BL_E_KEY, "the certificate holds no elliptic-curve public key");
    if (len != 65 || point[0] != 0x04)
        return bl_fail(BL_E_KEY, "the certificate's public key is not a 256-bit curve point");
    memcpy(id, point + 1, 64);
    return BL_OK;
}

int
pki_node_id_hex(X509 *cert, char hex[129])
{
    uint8_t id[64];
    int err = pki_node_id(cert, id);

    if (err == BL_OK)
        bl_hex_encode(id, 64, hex);
    return err;
}

void
pki_cert_name(X509 *cert, char *out, size_t cap)
{
    X509_NAME *n = X509_get_subject_name(cert);

    if (cap == 0)
        return;
    out[0] = '\0';
    if (n == NULL || X509_NAME_get_text_by_NID(n, NID_commonName, out, (int)cap) < 0)
        snprintf(out, cap, "(no name)");
}
