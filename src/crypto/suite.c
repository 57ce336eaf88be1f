/*
 * suite.c — the two crypto suites of FISCO BCOS 2.x: ecdsa (Keccak-256 + secp256k1) and
 * sm (SM3 + SM2).
 *
 * A suite's signature is what travels in transactions and block signature lists:
 *   ecdsa: r ‖ s ‖ v, 65 bytes, v the recovery id (0 or 1);
 *   sm:    r ‖ s ‖ public key, 128 bytes — SM2 cannot recover the key, so it is carried along.
 * recover() answers the question every node asks of a signature — who made it? — in the way
 * each suite can.
 */
#include "crypto/suite.h"

#include <string.h>

#include "base/error.h"
#include "crypto/ecdsa.h"
#include "crypto/hash.h"
#include "crypto/keccak.h"
#include "crypto/sm2.h"

static int
ecdsa_suite_sign(const uint8_t priv[32], const uint8_t pub[64], const uint8_t hash[32],
                 uint8_t *sig)
{
    (void)pub;
    return ecdsa_sign(priv, hash, sig);
}

static int
ecdsa_suite_recover(const uint8_t hash[32], const uint8_t *sig, uint8_t pub[64])
{
    return ecdsa_recover(hash, sig, pub);
}

static int
sm_suite_sign(const uint8_t priv[32], const uint8_t pub[64], const uint8_t hash[32],
              uint8_t *sig)
{
    int err = sm2_sign(priv, hash, 32, sig);

    if (err == BL_OK)
        memcpy(sig + 64, pub, 64);
    return err;
}

static int
sm_suite_recover(const uint8_t hash[32], const uint8_t *sig, uint8_t pub[64])
{
    int err = sm2_verify(sig + 64, hash, 32, sig);

    if (err == BL_OK)
        memcpy(pub, sig + 64, 64);
    return err;
}

static const suite_t ecdsa_suite = {
    .kind = SUITE_ECDSA,
    .name = "ecdsa",
    .sig_len = 65,
    .hash = keccak256,
    .pubkey_from_priv = ecdsa_pubkey_from_priv,
    .sign = ecdsa_suite_sign,
    .recover = ecdsa_suite_recover,
};

static const suite_t sm_suite = {
    .kind = SUITE_SM,
    .name = "sm",
    .sig_len = 128,
    .hash = hash_sm3,
    .pubkey_from_priv = sm2_pubkey_from_priv,
    .sign = sm_suite_sign,
    .recover = sm_suite_recover,
};

const suite_t *
suite_ecdsa(void)
{
    return &ecdsa_suite;
}

const suite_t *
suite_sm(void)
{
    return &sm_suite;
}

const suite_t *
suite_by_name(const char *name)
{
    if (strcmp(name, "ecdsa") == 0)
        return &ecdsa_suite;
    if (strcmp(name, "sm") == 0)
        return &sm_suite;
    return NULL;
}

void
suite_address(const suite_t *s, const uint8_t pub[64], uint8_t addr[20])
{
    uint8_t h[32];

    s->hash(pub, 64, h);
    memcpy(addr, h + 12, 20);
}

int
suite_verify(const suite_t *s, const uint8_t pub[64], const uint8_t hash[32],
             const uint8_t *sig)
{
    uint8_t signer[64];
    int err;

    if (s->kind == SUITE_SM && memcmp(sig + 64, pub, 64) != 0)
        return bl_fail(BL_E_SIGNATURE, "the SM signature carries another signer's public key");
    if ((err = s->recover(hash, sig, signer)) != BL_OK)
        return err;
    if (memcmp(signer, pub, 64) != 0)
        return bl_fail(BL_E_SIGNATURE, "the signature was made by another key");
    return BL_OK;
}
