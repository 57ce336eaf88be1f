/*
 * key.c — key pairs, fresh or from a private key, and PKCS#8 PEM files.
 */
#include "crypto/key.h"

#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "base/error.h"
#include "crypto/evpkey.h"

static const char *
curve_of(const suite_t *suite)
{
    return suite->kind == SUITE_SM ? "SM2" : "secp256k1";
}

int
keypair_from_priv(keypair_t *kp, const suite_t *suite, const uint8_t priv[32])
{
    int err = suite->pubkey_from_priv(priv, kp->pub);

    if (err != BL_OK)
        return err;
    kp->suite = suite;
    memcpy(kp->priv, priv, 32);
    return BL_OK;
}

int
keypair_generate(keypair_t *kp, const suite_t *suite)
{
    uint8_t priv[32];

    /* a random 256-bit number is a valid scalar except with probability ~2^-128 */
    for (int tries = 0; tries < 16; tries++) {
        if (RAND_bytes(priv, sizeof priv) != 1)
            return bl_fail(BL_E_CRYPTO, "OpenSSL's random generator failed");
        if (keypair_from_priv(kp, suite, priv) == BL_OK) {
            OPENSSL_cleanse(priv, sizeof priv);
            return BL_OK;
        }
    }
    return bl_fail(BL_E_CRYPTO, "could not draw a valid private key");
}

void
keypair_address(const keypair_t *kp, uint8_t addr[20])
{
    suite_address(kp->suite, kp->pub, addr);
}

int
keypair_sign(const keypair_t *kp, const uint8_t hash[32], uint8_t *sig)
{
    return kp->suite->sign(kp->priv, kp->pub, hash, sig);
}

void
keypair_clear(keypair_t *kp)
{
    OPENSSL_cleanse(kp->priv, sizeof kp->priv);
}

int
keypair_save_pem(const keypair_t *kp, const char *path)
{
    EVP_PKEY *pkey = NULL;
    FILE *f = NULL;
    int err;

    if ((err = evpkey_from_raw(curve_of(kp->suite), kp->priv, kp->pub, &pkey)) != BL_OK)
        return err;
    f = fopen(path, "w");
    if (f == NULL)
        err = bl_fail(BL_E_IO, "cannot write %s", path);
    else if (!PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL, NULL))
        err = bl_fail(BL_E_CRYPTO, "OpenSSL could not write the key to %s", path);
    if (f && fclose(f) != 0 && err == BL_OK)
        err = bl_fail(BL_E_IO, "cannot write %s", path);
    EVP_PKEY_free(pkey);
    return err;
}

int
keypair_load_pem(keypair_t *kp, const char *path)
{
    FILE *f = fopen(path, "r");
    EVP_PKEY *pkey = NULL;
    uint8_t priv[32];
    char curve[64];
    int err;

    if (f == NULL)
        return bl_fail(BL_E_IO, "cannot open key file %s", path);
    pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    if (pkey == NULL)
        return bl_fail(BL_E_KEY, "%s is not a PEM private key", path);
    err = evpkey_private_scalar(pkey, priv, curve, sizeof curve);
    EVP_PKEY_free(pkey);
    if (err != BL_OK)
        return err;
    if (strcmp(curve, "SM2") == 0)
        err = keypair_from_priv(kp, suite_sm(), priv);
    else if (strcmp(curve, "secp256k1") == 0)
        err = keypair_from_priv(kp, suite_ecdsa(), priv);
    else
        err = bl_fail(BL_E_KEY, "%s holds a key on curve %s; bcoslab uses secp256k1 or SM2",
                      path, curve);
    OPENSSL_cleanse(priv, sizeof priv);
    return err;
}
