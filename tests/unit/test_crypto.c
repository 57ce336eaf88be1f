/*
 * test_crypto.c — the crypto building blocks by their rules: Keccak's streaming interface,
 * ECDSA signing and public-key recovery with the low-s rule, SM2 signing and verification,
 * the two crypto suites, and PEM key files.
 *
 * Pins down fisco-2x-facts §1.1 (address = last 20 bytes of Hash(pubkey); Keccak-256 + secp256k1
 * or SM3 + SM2 per chain), §1.3 and §1.12 (ECDSA r‖s‖v with v ∈ {0,1}; SM2 over
 * SM3(Z_A ‖ hash) with the default ID 1234567812345678 and the public key carried along).
 * The outside answers for the same code are in tests/conformance/.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "base/error.h"
#include "base/u256.h"
#include "crypto/ecdsa.h"
#include "crypto/hash.h"
#include "crypto/keccak.h"
#include "crypto/key.h"
#include "crypto/sm2.h"
#include "crypto/suite.h"

/* The curve orders. */
static const char *const SECP256K1_N =
    "0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141";
static const char *const SM2_N =
    "0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123";

static void
fill(uint8_t *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (uint8_t)(seed >> 16);
    }
}

/* n − k for a curve order n given as text. */
static void
order_minus(const char *order, uint64_t k, uint8_t out[32])
{
    bl_u256_t n, kk, r;

    assert_int_equal(bl_u256_from_str(&n, order), BL_OK);
    bl_u256_from_u64(&kk, k);
    assert_int_equal(bl_u256_sub(&r, &n, &kk), BL_OK);
    memcpy(out, r.be, 32);
}

/* ---------------------------------- Keccak ---------------------------------- */

/* The sponge absorbs 136-byte blocks; feeding it in pieces of any size (1, odd sizes, sizes
 * straddling the block, zero-length updates) must give the one-shot digest. */
static void
keccak_incremental_updates_in_odd_chunks_match_one_shot(void **state)
{
    static const size_t lengths[] = { 0, 1, 135, 136, 137, 271, 272, 273, 1000, 4099 };
    static const size_t chunks[] = { 1, 2, 3, 7, 13, 64, 135, 136, 137, 200 };
    uint8_t msg[4099], one[32], inc[32];
    size_t cases = 0;

    (void)state;
    fill(msg, sizeof msg, 42);
    for (size_t li = 0; li < sizeof lengths / sizeof lengths[0]; li++) {
        size_t len = lengths[li];

        keccak256(msg, len, one);
        for (size_t ci = 0; ci < sizeof chunks / sizeof chunks[0]; ci++) {
            keccak_ctx_t ctx;

            keccak256_init(&ctx);
            for (size_t off = 0; off < len; off += chunks[ci]) {
                size_t k = len - off < chunks[ci] ? len - off : chunks[ci];
                keccak256_update(&ctx, msg + off, k);
                keccak256_update(&ctx, msg + off + k, 0);
            }
            keccak256_final(&ctx, inc);
            assert_memory_equal(one, inc, 32);
            cases++;
        }
        /* and a changing chunk size: 1, 2, 3, ... */
        {
            keccak_ctx_t ctx;
            size_t off = 0, k = 1;

            keccak256_init(&ctx);
            while (off < len) {
                size_t take = len - off < k ? len - off : k;
                keccak256_update(&ctx, msg + off, take);
                off += take;
                k++;
            }
            keccak256_final(&ctx, inc);
            assert_memory_equal(one, inc, 32);
            cases++;
        }
    }
    assert_int_equal(cases, 110);
}

/* The SHA-256 and SM3 wrappers give the standard "abc" answers (FIPS 180-4, GB/T 32905). */
static void
sha256_and_sm3_give_standard_abc_answers(void **state)
{
    uint8_t out[32];

    (void)state;
    hash_sha256("abc", 3, out);
    tu_assert_hex_eq(out, 32, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    hash_sm3("abc", 3, out);
    tu_assert_hex_eq(out, 32, "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
}

/* ---------------------------------- ECDSA ---------------------------------- */

/* Sign → recover gives back the signer's key, with v ∈ {0,1} and a low s; signing is
 * deterministic (RFC 6979): same key and hash, same signature (§1.3). */
static void
ecdsa_sign_then_recover_gives_the_signers_key(void **state)
{
    uint8_t half[32];
    bool seen_v[2] = { false, false };

    (void)state;
    order_minus(SECP256K1_N, 0, half);
    /* n/2 rounded down: shift the big-endian number right by one bit */
    for (int i = 31; i >= 0; i--)
        half[i] = (uint8_t)(half[i] >> 1 | (i > 0 ? half[i - 1] << 7 : 0));
    for (int k = 1; k <= 24; k++) {
        uint8_t priv[32], pub[64], hash[32], sig[65], again[65], got[64];

        fill(priv, 32, (uint32_t)k);
        fill(hash, 32, (uint32_t)(1000 + k));
        assert_int_equal(ecdsa_pubkey_from_priv(priv, pub), BL_OK);
        assert_int_equal(ecdsa_sign(priv, hash, sig), BL_OK);
        assert_true(sig[64] <= 1);
        seen_v[sig[64]] = true;
        assert_true(memcmp(sig + 32, half, 32) <= 0); /* low s */
        assert_int_equal(ecdsa_recover(hash, sig, got), BL_OK);
        assert_memory_equal(got, pub, 64);
        assert_int_equal(ecdsa_verify(pub, hash, sig, false), BL_OK);
        assert_int_equal(ecdsa_sign(priv, hash, again), BL_OK);
        assert_memory_equal(sig, again, 65);
        /* another hash recovers another key (or none) */
        hash[0] ^= 1;
        if (ecdsa_recover(hash, sig, got) == BL_OK)
            assert_memory_not_equal(got, pub, 64);
        assert_int_equal(ecdsa_verify(pub, hash, sig, true), BL_E_SIGNATURE);
    }
    assert_true(seen_v[0] && seen_v[1]);
}

/* Low s is enforced (Ethereum's EIP-2, which FISCO follows): (r, n − s) is a second valid
 * ECDSA signature of the same hash, so ecdsa_recover refuses it (with either v), while
 * textbook verification (allow_high_s = true) accepts it and the chain mode does not. */
static void
ecdsa_recover_rejects_high_s(void **state)
{
    uint8_t priv[32], pub[64], hash[32], sig[65], got[64];
    bl_u256_t n, s, flipped;

    (void)state;
    memset(priv, 0x11, 32);
    fill(hash, 32, 7);
    assert_int_equal(ecdsa_pubkey_from_priv(priv, pub), BL_OK);
    assert_int_equal(ecdsa_sign(priv, hash, sig), BL_OK);
    assert_int_equal(bl_u256_from_str(&n, SECP256K1_N), BL_OK);
    assert_int_equal(bl_u256_from_be(&s, sig + 32, 32), BL_OK);
    assert_int_equal(bl_u256_sub(&flipped, &n, &s), BL_OK);
    memcpy(sig + 32, flipped.be, 32);
    assert_int_equal(ecdsa_recover(hash, sig, got), BL_E_SIGNATURE);
    assert_non_null(strstr(bl_errmsg(), "low s"));
    sig[64] ^= 1;
    assert_int_equal(ecdsa_recover(hash, sig, got), BL_E_SIGNATURE);
    assert_int_equal(ecdsa_verify(pub, hash, sig, true), BL_OK);
    assert_int_equal(ecdsa_verify(pub, hash, sig, false), BL_E_SIGNATURE);
}

/* v is the recovery id 0 or 1 (§1.3: the RLP's 27/28 is converted before recovery); anything
 * else, and r or s of zero or ≥ n, is refused with a message. */
static void
ecdsa_recover_rejects_v_out_of_range_and_bad_r_s(void **state)
{
    static const uint8_t bad_v[] = { 2, 3, 27, 28, 35, 255 };
    uint8_t priv[32], hash[32], sig[65], bad[65], got[64];

    (void)state;
    memset(priv, 0x22, 32);
    fill(hash, 32, 8);
    assert_int_equal(ecdsa_sign(priv, hash, sig), BL_OK);
    for (size_t i = 0; i < sizeof bad_v; i++) {
        memcpy(bad, sig, 65);
        bad[64] = bad_v[i];
        assert_int_equal(ecdsa_recover(hash, bad, got), BL_E_SIGNATURE);
        assert_non_null(strstr(bl_errmsg(), "v"));
    }
    memcpy(bad, sig, 65);
    memset(bad, 0, 32); /* r = 0 */
    assert_int_equal(ecdsa_recover(hash, bad, got), BL_E_SIGNATURE);
    memcpy(bad, sig, 65);
    memset(bad + 32, 0, 32); /* s = 0 */
    assert_int_equal(ecdsa_recover(hash, bad, got), BL_E_SIGNATURE);
    memcpy(bad, sig, 65);
    order_minus(SECP256K1_N, 0, bad); /* r = n */
    assert_int_equal(ecdsa_recover(hash, bad, got), BL_E_SIGNATURE);
    memset(bad, 0xff, 64); /* r, s = 2^256 − 1 */
    assert_int_equal(ecdsa_recover(hash, bad, got), BL_E_SIGNATURE);
    assert_true(strlen(bl_errmsg()) > 0);
}

/* Public keys are parsed from 65-byte 04‖X‖Y and 33-byte compressed forms (SEC 1 §2.3.3); the
 * "hybrid" form 06/07‖X‖Y that libsecp256k1 would also take, and a point off the curve, are
 * refused. */
static void
ecdsa_pubkey_parse_accepts_both_forms_and_refuses_off_curve(void **state)
{
    uint8_t priv[32], pub[64], ser[65], comp[33], got[64];

    (void)state;
    memset(priv, 0x33, 32);
    assert_int_equal(ecdsa_pubkey_from_priv(priv, pub), BL_OK);
    ser[0] = 0x04;
    memcpy(ser + 1, pub, 64);
    assert_int_equal(ecdsa_pubkey_parse(ser, 65, got), BL_OK);
    assert_memory_equal(got, pub, 64);
    comp[0] = (uint8_t)(0x02 | (pub[63] & 1));
    memcpy(comp + 1, pub, 32);
    assert_int_equal(ecdsa_pubkey_parse(comp, 33, got), BL_OK);
    assert_memory_equal(got, pub, 64);
    ser[0] = (uint8_t)(0x06 | (pub[63] & 1)); /* the same point in hybrid form */
    assert_int_equal(ecdsa_pubkey_parse(ser, 65, got), BL_E_KEY);
    ser[0] = 0x04;
    ser[64] ^= 1;
    assert_int_equal(ecdsa_pubkey_parse(ser, 65, got), BL_E_KEY);
    assert_int_equal(ecdsa_pubkey_parse(ser, 64, got), BL_E_KEY);
}

/* ----------------------------------- SM2 ----------------------------------- */

/* SM2 sign → verify succeeds; changing the message, r, s or the key makes it fail. The
 * signature is over e = SM3(Z_A ‖ M) with the default ID 1234567812345678 (§1.12): the same
 * signature verifies as a digest signature for that e. SM2 is randomized: signing twice gives
 * two different signatures, both valid. */
static void
sm2_sign_then_verify_and_tampering_is_rejected(void **state)
{
    uint8_t priv[32], pub[64], other_pub[64], msg[32], rs[64], rs2[64], bad[64], za[32], e[32];
    uint8_t pre[64];

    (void)state;
    memset(priv, 0x44, 32);
    fill(msg, 32, 9);
    assert_int_equal(sm2_pubkey_from_priv(priv, pub), BL_OK);
    assert_int_equal(sm2_sign(priv, msg, 32, rs), BL_OK);
    assert_int_equal(sm2_verify(pub, msg, 32, rs), BL_OK);

    assert_int_equal(sm2_compute_za(pub, SM2_DEFAULT_ID, za), BL_OK);
    memcpy(pre, za, 32);
    memcpy(pre + 32, msg, 32);
    hash_sm3(pre, 64, e);
    assert_int_equal(sm2_verify_digest(pub, e, rs), BL_OK);

    assert_int_equal(sm2_sign(priv, msg, 32, rs2), BL_OK);
    assert_memory_not_equal(rs, rs2, 64);
    assert_int_equal(sm2_verify(pub, msg, 32, rs2), BL_OK);

    msg[0] ^= 1;
    assert_int_equal(sm2_verify(pub, msg, 32, rs), BL_E_SIGNATURE);
    msg[0] ^= 1;
    memcpy(bad, rs, 64);
    bad[0] ^= 0x01;
    assert_int_equal(sm2_verify(pub, msg, 32, bad), BL_E_SIGNATURE);
    memcpy(bad, rs, 64);
    bad[40] ^= 0x80;
    assert_int_equal(sm2_verify(pub, msg, 32, bad), BL_E_SIGNATURE);
    memset(bad, 0, 64);
    assert_int_equal(sm2_verify(pub, msg, 32, bad), BL_E_SIGNATURE);
    priv[0] ^= 1;
    assert_int_equal(sm2_pubkey_from_priv(priv, other_pub), BL_OK);
    assert_int_equal(sm2_verify(other_pub, msg, 32, rs), BL_E_SIGNATURE);
    assert_true(strlen(bl_errmsg()) > 0);
}

/* ---------------------------------- suites ---------------------------------- */

/* Address = the last 20 bytes of Hash(64-byte public key), Keccak-256 on ECDSA chains and SM3
 * on SM chains (§1.1), so one private key has different addresses in the two suites. */
static void
suite_address_is_last_20_bytes_of_hash_of_pubkey(void **state)
{
    keypair_t e, s;
    uint8_t h[32], addr[20];

    (void)state;
    tu_key(&e, suite_ecdsa(), 0x55);
    tu_key(&s, suite_sm(), 0x55);
    keccak256(e.pub, 64, h);
    suite_address(suite_ecdsa(), e.pub, addr);
    assert_memory_equal(addr, h + 12, 20);
    keypair_address(&e, addr);
    assert_memory_equal(addr, h + 12, 20);
    hash_sm3(s.pub, 64, h);
    suite_address(suite_sm(), s.pub, addr);
    assert_memory_equal(addr, h + 12, 20);
    keypair_address(&s, addr);
    assert_memory_equal(addr, h + 12, 20);
    assert_memory_not_equal(e.pub, s.pub, 64);
    assert_ptr_equal(suite_by_name("ecdsa"), suite_ecdsa());
    assert_ptr_equal(suite_by_name("sm"), suite_sm());
    assert_null(suite_by_name("rsa"));
}

/* Suite signatures (§1.3, §1.12): ECDSA 65 bytes r‖s‖v whose recover names the signer; SM
 * 128 bytes r‖s‖pub whose recover checks the signature against the carried key. suite_verify
 * refuses another signer's key and a signature carrying a substituted key. */
static void
suite_sign_and_recover_name_the_signer_in_both_suites(void **state)
{
    const suite_t *suites[2] = { suite_ecdsa(), suite_sm() };

    (void)state;
    assert_int_equal(suite_ecdsa()->sig_len, 65);
    assert_int_equal(suite_sm()->sig_len, 128);
    for (int i = 0; i < 2; i++) {
        const suite_t *su = suites[i];
        keypair_t kp, other;
        uint8_t hash[32], sig[SUITE_MAX_SIG], got[64];

        tu_key(&kp, su, 0x66);
        tu_key(&other, su, 0x67);
        fill(hash, 32, 11);
        assert_int_equal(keypair_sign(&kp, hash, sig), BL_OK);
        if (su->kind == SUITE_SM)
            assert_memory_equal(sig + 64, kp.pub, 64);
        else
            assert_true(sig[64] <= 1);
        assert_int_equal(su->recover(hash, sig, got), BL_OK);
        assert_memory_equal(got, kp.pub, 64);
        assert_int_equal(suite_verify(su, kp.pub, hash, sig), BL_OK);
        assert_int_not_equal(suite_verify(su, other.pub, hash, sig), BL_OK);
        if (su->kind == SUITE_SM) {
            memcpy(sig + 64, other.pub, 64); /* claim another signer */
            assert_int_equal(su->recover(hash, sig, got), BL_E_SIGNATURE);
        }
        hash[3] ^= 1;
        assert_int_not_equal(suite_verify(su, kp.pub, hash, sig), BL_OK);
    }
}

/* --------------------------------- key pairs --------------------------------- */

/* A private key is a scalar 0 < d < n. keypair_from_priv refuses 0, n and anything larger in
 * both suites; secp256k1 accepts n − 1; SM2 accepts up to n − 2 (its signing inverts d + 1,
 * so n − 1 is refused as well). */
static void
keypair_from_priv_rejects_zero_and_at_least_n(void **state)
{
    keypair_t kp;
    uint8_t d[32];

    (void)state;
    memset(d, 0, 32);
    assert_int_equal(keypair_from_priv(&kp, suite_ecdsa(), d), BL_E_KEY);
    assert_true(strlen(bl_errmsg()) > 0);
    assert_int_equal(keypair_from_priv(&kp, suite_sm(), d), BL_E_KEY);
    assert_false(ecdsa_priv_is_valid(d));
    memset(d, 0xff, 32);
    assert_int_equal(keypair_from_priv(&kp, suite_ecdsa(), d), BL_E_KEY);
    assert_int_equal(keypair_from_priv(&kp, suite_sm(), d), BL_E_KEY);

    order_minus(SECP256K1_N, 0, d);
    assert_int_equal(keypair_from_priv(&kp, suite_ecdsa(), d), BL_E_KEY);
    assert_false(ecdsa_priv_is_valid(d));
    order_minus(SECP256K1_N, 1, d);
    assert_int_equal(keypair_from_priv(&kp, suite_ecdsa(), d), BL_OK);
    assert_true(ecdsa_priv_is_valid(d));

    order_minus(SM2_N, 0, d);
    assert_int_equal(keypair_from_priv(&kp, suite_sm(), d), BL_E_KEY);
    order_minus(SM2_N, 1, d);
    assert_int_equal(keypair_from_priv(&kp, suite_sm(), d), BL_E_KEY);
    order_minus(SM2_N, 2, d);
    assert_int_equal(keypair_from_priv(&kp, suite_sm(), d), BL_OK);

    memset(d, 0, 32);
    d[31] = 1;
    assert_int_equal(keypair_from_priv(&kp, suite_ecdsa(), d), BL_OK);
    assert_int_equal(keypair_from_priv(&kp, suite_sm(), d), BL_OK);
}

/* keypair_save_pem writes a PKCS#8 PEM ("BEGIN PRIVATE KEY", as FISCO's tools do) that
 * keypair_load_pem reads back to the same key and the same suite, for both curves; the curve in
 * the file selects the suite (§1.1). Generated keys differ from each other. */
static void
pem_save_then_load_round_trips_both_curves(void **state)
{
    const suite_t *suites[2] = { suite_ecdsa(), suite_sm() };

    (void)state;
    for (int i = 0; i < 2; i++) {
        keypair_t kp, back, second;
        char path[512], *text;

        assert_int_equal(keypair_generate(&kp, suites[i]), BL_OK);
        assert_int_equal(keypair_generate(&second, suites[i]), BL_OK);
        assert_memory_not_equal(kp.priv, second.priv, 32);
        snprintf(path, sizeof path, "%s/%s.pem", tu_dir, suites[i]->name);
        assert_int_equal(keypair_save_pem(&kp, path), BL_OK);
        text = tu_read_file(path, NULL);
        assert_non_null(strstr(text, "-----BEGIN PRIVATE KEY-----"));
        free(text);
        memset(&back, 0, sizeof back);
        assert_int_equal(keypair_load_pem(&back, path), BL_OK);
        assert_ptr_equal(back.suite, suites[i]);
        assert_memory_equal(back.priv, kp.priv, 32);
        assert_memory_equal(back.pub, kp.pub, 64);
        keypair_clear(&back);
        assert_memory_not_equal(back.priv, kp.priv, 32);
    }
}

/* Loading fails with an error naming the file when it is missing, not a PEM key, or a key on a
 * curve bcoslab does not use (P-256 here); writing into a missing directory fails too. */
static void
pem_load_of_missing_garbage_or_foreign_key_fails_clearly(void **state)
{
    keypair_t kp;
    char path[512];
    FILE *f;
    EVP_PKEY *p256;

    (void)state;
    snprintf(path, sizeof path, "%s/nope.pem", tu_dir);
    assert_int_equal(keypair_load_pem(&kp, path), BL_E_IO);
    assert_non_null(strstr(bl_errmsg(), path));

    snprintf(path, sizeof path, "%s/garbage.pem", tu_dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("-----BEGIN PRIVATE KEY-----\nnot base64 at all!\n-----END PRIVATE KEY-----\n", f);
    fclose(f);
    assert_int_equal(keypair_load_pem(&kp, path), BL_E_KEY);
    assert_non_null(strstr(bl_errmsg(), path));
    assert_non_null(strstr(bl_errmsg(), "PEM"));

    snprintf(path, sizeof path, "%s/empty.pem", tu_dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(keypair_load_pem(&kp, path), BL_E_KEY);

    snprintf(path, sizeof path, "%s/p256.pem", tu_dir);
    p256 = EVP_EC_gen("P-256");
    assert_non_null(p256);
    f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(PEM_write_PrivateKey(f, p256, NULL, NULL, 0, NULL, NULL), 1);
    fclose(f);
    EVP_PKEY_free(p256);
    assert_int_equal(keypair_load_pem(&kp, path), BL_E_KEY);
    assert_non_null(strstr(bl_errmsg(), "curve"));

    tu_key(&kp, suite_ecdsa(), 0x77);
    snprintf(path, sizeof path, "%s/no/such/tu_dir/k.pem", tu_dir);
    assert_int_equal(keypair_save_pem(&kp, path), BL_E_IO);
    assert_non_null(strstr(bl_errmsg(), path));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keccak_incremental_updates_in_odd_chunks_match_one_shot),
        cmocka_unit_test(sha256_and_sm3_give_standard_abc_answers),
        cmocka_unit_test(ecdsa_sign_then_recover_gives_the_signers_key),
        cmocka_unit_test(ecdsa_recover_rejects_high_s),
        cmocka_unit_test(ecdsa_recover_rejects_v_out_of_range_and_bad_r_s),
        cmocka_unit_test(ecdsa_pubkey_parse_accepts_both_forms_and_refuses_off_curve),
        cmocka_unit_test(sm2_sign_then_verify_and_tampering_is_rejected),
        cmocka_unit_test(suite_address_is_last_20_bytes_of_hash_of_pubkey),
        cmocka_unit_test(suite_sign_and_recover_name_the_signer_in_both_suites),
        cmocka_unit_test(keypair_from_priv_rejects_zero_and_at_least_n),
        cmocka_unit_test(pem_save_then_load_round_trips_both_curves),
        cmocka_unit_test(pem_load_of_missing_garbage_or_foreign_key_fails_clearly),
    };

    return cmocka_run_group_tests_name("crypto", tests, tu_setup_dir, tu_teardown_dir);
}
