/*
 * sm2.c — SM2 signatures (GB/T 32918.2) on OpenSSL 3.
 *
 * Signing: with the private key d and the user's ID, compute e = SM3(Z_A ‖ M), pick a random k,
 * (x1, y1) = k·G, r = (e + x1) mod n, s = (1 + d)⁻¹ · (k − r·d) mod n. Verifying recomputes
 * x1 from s·G + (r + s)·P and checks r = (e + x1) mod n. OpenSSL does both; what we write here is
 * Z_A (to show what it is, and to check OpenSSL against the standard's examples) and the
 * conversion between OpenSSL's DER signatures and FISCO's fixed 64-byte r ‖ s.
 */
#include "crypto/sm2.h"

#include <string.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include "base/error.h"
#include "crypto/evpkey.h"
#include "crypto/hash.h"

int
sm2_pubkey_from_priv(const uint8_t priv[32], uint8_t pub[64])
{
    return evpkey_derive_pub("SM2", priv, pub);
}

/* DER ECDSA-Sig-Value → r ‖ s */
static int
der_to_rs(const uint8_t *der, size_t len, uint8_t rs[64])
{
    const unsigned char *p = der;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)len);
    const BIGNUM *r, *s;
    int err = BL_OK;

    if (sig == NULL)
        return bl_fail(BL_E_CRYPTO, "OpenSSL returned an unreadable SM2 signature");
    ECDSA_SIG_get0(sig, &r, &s);
    if (BN_bn2binpad(r, rs, 32) != 32 || BN_bn2binpad(s, rs + 32, 32) != 32)
        err = bl_fail(BL_E_CRYPTO, "SM2 signature values do not fit in 32 bytes");
    ECDSA_SIG_free(sig);
    return err;
}

/* r ‖ s → DER, in a buffer the caller frees with OPENSSL_free */
static int
rs_to_der(const uint8_t rs[64], unsigned char **der, int *len)
{
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(rs, 32, NULL), *s = BN_bin2bn(rs + 32, 32, NULL);

    *der = NULL;
    if (sig == NULL || r == NULL || s == NULL || !ECDSA_SIG_set0(sig, r, s)) {
        BN_free(r);
        BN_free(s);
        ECDSA_SIG_free(sig);
        return bl_fail(BL_E_CRYPTO, "cannot build an SM2 signature object");
    }
    *len = i2d_ECDSA_SIG(sig, der);
    ECDSA_SIG_free(sig);
    return *len > 0 ? BL_OK : bl_fail(BL_E_CRYPTO, "cannot encode the SM2 signature");
}

/* A digest-sign/verify context for SM2 + SM3 with the default ID, as OpenSSL's SM2(7) shows. */
static EVP_MD_CTX *
sm2_md_ctx(EVP_PKEY *pkey, int for_signing)
{
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    int ok;

    if (mctx == NULL || pctx == NULL ||
        EVP_PKEY_CTX_set1_id(pctx, SM2_DEFAULT_ID, strlen(SM2_DEFAULT_ID)) <= 0) {
        EVP_PKEY_CTX_free(pctx);
        EVP_MD_CTX_free(mctx);
        return NULL;
    }
    EVP_MD_CTX_set_pkey_ctx(mctx, pctx);
    ok = for_signing ? EVP_DigestSignInit(mctx, NULL, EVP_sm3(), NULL, pkey)
                     : EVP_DigestVerifyInit(mctx, NULL, EVP_sm3(), NULL, pkey);
    if (ok <= 0) {
        EVP_MD_CTX_free(mctx);
        EVP_PKEY_CTX_free(pctx);
        return NULL;
    }
    return mctx; /* a pkey ctx given with set_pkey_ctx stays ours: see free_md_ctx() */
}

static void
free_md_ctx(EVP_MD_CTX *mctx)
{
    EVP_PKEY_CTX *pctx = EVP_MD_CTX_get_pkey_ctx(mctx);

    EVP_MD_CTX_free(mctx);
    EVP_PKEY_CTX_free(pctx);
}

int
sm2_sign(const uint8_t priv[32], const uint8_t *msg, size_t len, uint8_t rs[64])
{
    EVP_PKEY *pkey = NULL;
    EVP_MD_CTX *mctx = NULL;
    uint8_t pub[64], der[80];
    size_t derlen = sizeof der;
    int err;

    if ((err = sm2_pubkey_from_priv(priv, pub)) != BL_OK ||
        (err = evpkey_from_raw("SM2", priv, pub, &pkey)) != BL_OK)
        return err;
    mctx = sm2_md_ctx(pkey, 1);
    if (mctx == NULL || EVP_DigestSign(mctx, der, &derlen, msg, len) <= 0)
        err = bl_fail(BL_E_CRYPTO, "OpenSSL SM2 signing failed");
    else
        err = der_to_rs(der, derlen, rs);
    if (mctx)
        free_md_ctx(mctx);
    EVP_PKEY_free(pkey);
    return err;
}

int
sm2_verify(const uint8_t pub[64], const uint8_t *msg, size_t len, const uint8_t rs[64])
{
    EVP_PKEY *pkey = NULL;
    EVP_MD_CTX *mctx = NULL;
    unsigned char *der = NULL;
    int derlen = 0, err;

    if ((err = evpkey_from_raw("SM2", NULL, pub, &pkey)) != BL_OK ||
        (err = rs_to_der(rs, &der, &derlen)) != BL_OK)
        goto out;
    mctx = sm2_md_ctx(pkey, 0);
    if (mctx == NULL)
        err = bl_fail(BL_E_CRYPTO, "OpenSSL cannot set up SM2 verification");
    else if (EVP_DigestVerify(mctx, der, (size_t)derlen, msg, len) != 1)
        err = bl_fail(BL_E_SIGNATURE, "the SM2 signature does not verify with this public key");
out:
    if (mctx)
        free_md_ctx(mctx);
    OPENSSL_free(der);
    EVP_PKEY_free(pkey);
    return err;
}

int
sm2_verify_digest(const uint8_t pub[64], const uint8_t e[32], const uint8_t rs[64])
{
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *pctx = NULL;
    unsigned char *der = NULL;
    int derlen = 0, err;

    if ((err = evpkey_from_raw("SM2", NULL, pub, &pkey)) != BL_OK ||
        (err = rs_to_der(rs, &der, &derlen)) != BL_OK)
        goto out;
    pctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    if (pctx == NULL || EVP_PKEY_verify_init(pctx) <= 0)
        err = bl_fail(BL_E_CRYPTO, "OpenSSL cannot set up SM2 verification");
    else if (EVP_PKEY_verify(pctx, der, (size_t)derlen, e, 32) != 1)
        err = bl_fail(BL_E_SIGNATURE, "the SM2 signature does not verify for this digest");
out:
    EVP_PKEY_CTX_free(pctx);
    OPENSSL_free(der);
    EVP_PKEY_free(pkey);
    return err;
}

/* Append a curve parameter as exactly 32 big-endian bytes. */
static void
put32(uint8_t *buf, size_t *pos, const BIGNUM *v)
{
    BN_bn2binpad(v, buf + *pos, 32);
    *pos += 32;
}

int
sm2_compute_za(const uint8_t pub[64], const char *id, uint8_t za[32])
{
    EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_sm2);
    BIGNUM *p = BN_new(), *a = BN_new(), *b = BN_new(), *gx = BN_new(), *gy = BN_new();
    size_t idlen = strlen(id), pos = 2;
    uint8_t buf[2 + 8192 + 6 * 32];
    int err = BL_OK;

    if (idlen > 8191)
        err = bl_fail(BL_E_RANGE, "SM2 ID is longer than 8191 bytes");
    else if (!g || !p || !a || !b || !gx || !gy || !EC_GROUP_get_curve(g, p, a, b, NULL) ||
             !EC_POINT_get_affine_coordinates(g, EC_GROUP_get0_generator(g), gx, gy, NULL))
        err = bl_fail(BL_E_CRYPTO, "OpenSSL has no SM2 curve parameters");
    if (err == BL_OK) {
        /* ENTL = the ID's length in bits, two bytes big-endian */
        buf[0] = (uint8_t)((idlen * 8) >> 8);
        buf[1] = (uint8_t)(idlen * 8);
        memcpy(buf + pos, id, idlen);
        pos += idlen;
        put32(buf, &pos, a);
        put32(buf, &pos, b);
        put32(buf, &pos, gx);
        put32(buf, &pos, gy);
        memcpy(buf + pos, pub, 64);
        hash_sm3(buf, pos + 64, za);
    }
    BN_free(p);
    BN_free(a);
    BN_free(b);
    BN_free(gx);
    BN_free(gy);
    EC_GROUP_free(g);
    return err;
}
