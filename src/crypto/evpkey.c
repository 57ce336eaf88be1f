/*
 * evpkey.c — building OpenSSL 3 EVP_PKEYs from raw key bytes and back.
 *
 * OpenSSL 3 describes keys with parameter lists (OSSL_PARAM): a group name, the public point
 * as an uncompressed octet string 04‖X‖Y, and the private scalar as a big number.
 */
#include "crypto/evpkey.h"

#include <string.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "base/error.h"

static int
curve_nid(const char *curve)
{
    return strcmp(curve, "SM2") == 0 ? NID_sm2 : NID_secp256k1;
}

int
evpkey_derive_pub(const char *curve, const uint8_t priv[32], uint8_t pub[64])
{
    EC_GROUP *group = EC_GROUP_new_by_curve_name(curve_nid(curve));
    BIGNUM *d = BN_bin2bn(priv, 32, NULL), *limit = BN_new();
    EC_POINT *p = NULL;
    uint8_t ser[65];
    int err = BL_E_KEY;

    if (group == NULL || d == NULL || limit == NULL)
        goto out;
    /* SM2 wants 1 ≤ d ≤ n − 2 (d + 1 is inverted when signing); we apply it to both curves */
    BN_copy(limit, EC_GROUP_get0_order(group));
    BN_sub_word(limit, 1);
    if (BN_is_zero(d) || BN_cmp(d, limit) >= 0) {
        err = bl_fail(BL_E_KEY, "a %s private key must be between 1 and n-2", curve);
        goto out;
    }
    p = EC_POINT_new(group);
    if (p && EC_POINT_mul(group, p, d, NULL, NULL, NULL) &&
        EC_POINT_point2oct(group, p, POINT_CONVERSION_UNCOMPRESSED, ser, 65, NULL) == 65) {
        memcpy(pub, ser + 1, 64);
        err = BL_OK;
    } else {
        err = bl_fail(BL_E_CRYPTO, "OpenSSL could not compute the %s public key", curve);
    }
out:
    EC_POINT_free(p);
    BN_free(limit);
    BN_clear_free(d);
    EC_GROUP_free(group);
    return err;
}

int
evpkey_from_raw(const char *curve, const uint8_t *priv, const uint8_t pub[64], EVP_PKEY **out)
{
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *pctx = NULL;
    BIGNUM *d = priv ? BN_bin2bn(priv, 32, NULL) : NULL;
    uint8_t ser[65];
    int err = BL_E_KEY;

    *out = NULL;
    ser[0] = 0x04;
    memcpy(ser + 1, pub, 64);
    if (bld == NULL || !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, curve, 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, ser, sizeof ser) ||
        (d && !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d)) ||
        (params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
        goto out;
    pctx = EVP_PKEY_CTX_new_from_name(NULL, strcmp(curve, "SM2") == 0 ? "SM2" : "EC", NULL);
    if (pctx == NULL || EVP_PKEY_fromdata_init(pctx) <= 0 ||
        EVP_PKEY_fromdata(pctx, out, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) <= 0)
        goto out;
    err = BL_OK;
out:
    if (err != BL_OK)
        err = bl_fail(BL_E_KEY, "OpenSSL refused the %s key (is the point on the curve?)", curve);
    EVP_PKEY_CTX_free(pctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_clear_free(d);
    return err;
}

int
evpkey_private_scalar(EVP_PKEY *pkey, uint8_t priv[32], char *curve, size_t cap)
{
    BIGNUM *d = NULL;
    int err = BL_OK;

    if (!EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, curve, cap, NULL))
        return bl_fail(BL_E_KEY, "the key is not an elliptic-curve key");
    if (!EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d) || BN_num_bytes(d) > 32 ||
        BN_bn2binpad(d, priv, 32) != 32)
        err = bl_fail(BL_E_KEY, "the file holds no usable private key");
    BN_clear_free(d);
    return err;
}
