/*
 * pki.h — who may join the chain: the chain CA, agency and node certificates, node IDs, and the
 * admission check.
 *
 * A FISCO BCOS consortium is a club with a membership office. The committee that founds the
 * chain holds the chain CA, a self-signed certificate. Each member organisation (an "agency")
 * gets a certificate signed by the chain CA, and signs the certificates of its own nodes. A node
 * is known by its node ID: the 64 bytes X‖Y of its certificate's public key, written as 128 hex
 * digits. When two nodes meet, each checks the other's certificates (FISCO does it inside the
 * TLS handshake):
 *
 *   1. the node certificate, through its agency certificate, chains up to *this* chain's CA —
 *      a certificate of another chain, however valid, is turned away;
 *   2. the node ID is not on the blacklist ([certificate_blacklist] crl.N= in config.ini);
 *   3. if the whitelist ([certificate_whitelist] cal.N=) has any entry, the node ID is on it.
 *      The blacklist wins: a node on both lists is refused.
 *
 * A certificate expires, but the node keeps its key: renewing signs a new certificate for the
 * same key, so the node ID — and the node's place in every group — stays the same.
 *
 * Keys are secp256k1 on an ordinary chain and SM2 on an SM ("guomi") chain; certificates are
 * signed with SHA-256 or SM3. Everything here is OpenSSL 3's X509 API: no ASN.1 by hand.
 */
#ifndef BL_PKI_PKI_H
#define BL_PKI_PKI_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/x509.h>

#include "crypto/key.h"
#include "crypto/suite.h"

#define PKI_DEFAULT_DAYS 36500 /* build_chain.sh's -X default: a hundred years */

typedef enum { PKI_CHAIN_CA, PKI_AGENCY, PKI_NODE } pki_role_t;

/* A certificate and, for the one who holds it, its private key. */
typedef struct {
    X509 *cert;
    keypair_t key;
    int has_key;
} pki_entity_t;

/* The chain CA: a fresh key and a self-signed CA certificate (CN = name). */
int pki_make_ca(const suite_t *suite, const char *name, int days, pki_entity_t *out);
/* An agency: a fresh key and a CA certificate (path length 0) signed by the chain CA. */
int pki_make_agency(const pki_entity_t *ca, const char *name, int days, pki_entity_t *out);
/* A node: a fresh key and a leaf certificate (CA:false) signed by its agency. */
int pki_make_node(const pki_entity_t *agency, const char *name, int days, pki_entity_t *out);
/* The building block of the three: a certificate for key's public key, in the given role,
 * signed by issuer (NULL: self-signed with key itself). */
int pki_issue(const pki_entity_t *issuer, const keypair_t *key, const char *name,
              pki_role_t role, int days, X509 **out);
/* Renew: replace node->cert with a new certificate for the same key (so the same node ID),
 * signed by the agency, with the same name and a new serial number and validity. */
int pki_renew(const pki_entity_t *agency, pki_entity_t *node, int days);

void pki_entity_free(pki_entity_t *e);

/* PEM files. key_path may be NULL in pki_load for a certificate alone. */
int pki_save(const pki_entity_t *e, const char *cert_path, const char *key_path);
int pki_load(pki_entity_t *e, const char *cert_path, const char *key_path);
int pki_save_cert(X509 *cert, const char *path);
int pki_load_cert(const char *path, X509 **out);

/* The node ID: the certificate's public key X‖Y (without the 04 in front). */
int pki_node_id(X509 *cert, uint8_t id[64]);
/* The same as 128 lowercase hex digits and a NUL. */
int pki_node_id_hex(X509 *cert, char hex[129]);
/* The certificate's subject common name (CN), for messages. */
void pki_cert_name(X509 *cert, char *out, size_t cap);

/* What a node knows when it admits a peer: its chain's CA and its two lists of node IDs. */
typedef struct {
    X509 *chain_ca;
    const uint8_t (*blacklist)[64]; /* crl.0, crl.1, ... */
    size_t nblack;
    const uint8_t (*whitelist)[64]; /* cal.0, cal.1, ...; empty: everyone the CA vouches for */
    size_t nwhite;
} pki_policy_t;

/* May the peer that shows node_cert and agency_cert join? 0, or BL_E_DENIED with the reason in
 * bl_errmsg() ("certificate not issued by this chain's CA: ...", "node 1a2b3c4d... is on the
 * blacklist (crl.0)", "node ... is not on the whitelist (3 entries)"). */
int pki_admit(const pki_policy_t *policy, X509 *node_cert, X509 *agency_cert);

#endif
