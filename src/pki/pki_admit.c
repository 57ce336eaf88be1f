/*
 * pki_admit.c — the admission check: may this peer join the network?
 *
 * FISCO BCOS does this in the TLS handshake's verify callback [fisco-2x-facts §8]. First the
 * certificate chain: the peer shows its node certificate and its agency's certificate, and we
 * ask OpenSSL to verify them up to a trust store that holds only our chain's CA. Then the node ID
 * (the public key of the node certificate) against the two lists of config.ini:
 *
 *   on the blacklist ([certificate_blacklist] crl.N)              → refused, whatever else holds;
 *   whitelist ([certificate_whitelist] cal.N) empty               → admitted;
 *   whitelist non-empty and the node ID on it                     → admitted;
 *   whitelist non-empty and the node ID not on it                 → refused.
 */
#include "pki/pki.h"

#include <string.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "base/bytes.h"
#include "base/error.h"

/* The reason OpenSSL gave, in the words a chain operator needs. */
static int
chain_refusal(int code, X509 *node_cert)
{
    char name[128];
    const char *detail = X509_verify_cert_error_string(code);

    pki_cert_name(node_cert, name, sizeof name);
    switch (code) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        return bl_fail(BL_E_DENIED, "certificate not issued by this chain's CA: '%s' does not "
                       "chain up to ca.crt (%s)", name, detail);
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return bl_fail(BL_E_DENIED, "certificate of '%s' is outside its validity dates (%s); "
                       "renew it", name, detail);
    default:
        return bl_fail(BL_E_DENIED, "certificate chain of '%s' does not verify: %s", name,
                       detail);
    }
}

/* Does node_cert, helped by agency_cert, verify up to the chain CA alone? */
static int
verify_chain(X509 *ca, X509 *node_cert, X509 *agency_cert)
{
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    int err = BL_OK, rc;

    if (store == NULL || ctx == NULL || untrusted == NULL || !X509_STORE_add_cert(store, ca) ||
        (agency_cert && !sk_X509_push(untrusted, agency_cert)) ||
        !X509_STORE_CTX_init(ctx, store, node_cert, untrusted)) {
        err = bl_fail(BL_E_CRYPTO, "OpenSSL could not set up certificate verification");
        goto out;
    }
    rc = X509_verify_cert(ctx);
    if (rc != 1)
        err = chain_refusal(X509_STORE_CTX_get_error(ctx), node_cert);
out:
    sk_X509_free(untrusted);
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    return err;
}

/* Index of id in list, or -1. */
static long
find_id(const uint8_t (*list)[64], size_t n, const uint8_t id[64])
{
    for (size_t i = 0; i < n; i++)
        if (memcmp(list[i], id, 64) == 0)
            return (long)i;
    return -1;
}

int
pki_admit(const pki_policy_t *policy, X509 *node_cert, X509 *agency_cert)
{
    uint8_t id[64];
    char hex[129];
    long at;
    int err;

    if (policy->chain_ca == NULL || node_cert == NULL)
        return bl_fail(BL_E_INVALID, "admission needs the chain CA and the peer's certificate");
    if ((err = verify_chain(policy->chain_ca, node_cert, agency_cert)) != BL_OK)
        return err;
    if (X509_check_ca(node_cert) != 0)
        return bl_fail(BL_E_DENIED, "the peer showed a CA certificate, not a node certificate");
    if ((err = pki_node_id(node_cert, id)) != BL_OK)
        return err;
    bl_hex_encode(id, 64, hex);
    at = find_id(policy->blacklist, policy->nblack, id);
    if (at >= 0)
        return bl_fail(BL_E_DENIED, "node %.8s... is on the blacklist (crl.%ld)", hex, at);
    if (policy->nwhite > 0 && find_id(policy->whitelist, policy->nwhite, id) < 0)
        return bl_fail(BL_E_DENIED, "node %.8s... is not on the whitelist (%zu cal.N entries)",
                       hex, policy->nwhite);
    return BL_OK;
}
