/*
 * test_util_crypto.c — `bcoslab util keccak256 | sm3 | sha256 | keygen | address | sign |
 * recover`, run as a user would run them.
 *
 * Pins down the util contract of issue #2 (answers on stdout, exit 0; bad input exits 2 with one
 * line on stderr and nothing on stdout; hex with or without 0x) and the crypto facts of
 * fisco-2x-facts §1.1/§1.3/§1.12: address = last 20 bytes of Hash(pubkey), ECDSA signatures
 * r‖s‖v with v the recovery id (27/28 accepted as Ethereum writes it), SM signatures r‖s‖pub.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "crypto/hash.h"
#include "crypto/keccak.h"

#define HASH32 "7b3c5a9f0e1d2c3b4a5968778695a4b3c2d1e0f0123456789abcdef012345678"

/* Bad input to a util command: refused the usual way (tu_run_bad), and the one line names the
 * command ("bcoslab util <command>: ..."). */
static void
assert_bad_input(const char *args)
{
    tu_run_bad("bcoslab util", "%s", args);
}

/* The command succeeds and prints exactly `want` (and a newline). */
static void
assert_prints(const char *args, const char *want)
{
    char *out = tu_run_ok("%s", args);

    assert_string_equal(out, want);
    free(out);
}

static void
assert_hex_len(const char *s, size_t digits)
{
    assert_int_equal(strlen(s), digits);
    for (const char *p = s; *p; p++)
        assert_non_null(strchr("0123456789abcdef", *p));
}

/* keccak256: "" → c5d2…a470 and "abc" → 4e03…6c45 (Keccak-256, not SHA3-256); the input is hex,
 * with or without 0x. */
static void
keccak256_command_gives_known_answers(void **state)
{
    static const char *const cases[][2] = {
        { "util keccak256 ''", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470" },
        { "util keccak256 0x", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470" },
        { "util keccak256 616263",
          "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45" },
        { "util keccak256 0x616263",
          "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45" },
        { "util keccak256 0X616263",
          "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45" },
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_prints(cases[i][0], cases[i][1]);
}

/* sm3 "abc" → 66c7f0f4… (GB/T 32905 example 1) and sha256 "abc" → ba7816bf… (FIPS 180-4). */
static void
sm3_and_sha256_commands_give_known_answers(void **state)
{
    (void)state;
    assert_prints("util sm3 616263",
                  "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
    assert_prints("util sm3 0x616263",
                  "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
    assert_prints("util sha256 616263",
                  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_prints("util sha256 0x616263",
                  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* keygen prints the new key's address; `address` prints the same from the file, `address --pub`
 * the 64-byte public key, and the address is the last 20 bytes of Hash(pub) — Keccak-256 for
 * an ECDSA key, SM3 for an SM key (§1.1). */
static void
keygen_address_and_pub_agree(const char *flag, const char *name,
                             void (*hash)(const void *, size_t, uint8_t *))
{
    char *addr, *again, *pub, want[41];
    uint8_t pubb[64], h[32];

    addr = tu_run_ok("util keygen %s -o %s/%s.pem", flag, tu_dir, name);
    assert_hex_len(addr, 40);
    again = tu_run_ok("util address --key %s/%s.pem", tu_dir, name);
    assert_string_equal(addr, again);
    pub = tu_run_ok("util address --pub --key %s/%s.pem", tu_dir, name);
    assert_hex_len(pub, 128);
    tu_hex_fixed(pub, pubb, 64);
    hash(pubb, 64, h);
    bl_hex_encode(h + 12, 20, want);
    assert_string_equal(addr, want);
    free(addr);
    free(again);
    free(pub);
}

static void
keygen_then_address_is_last_20_bytes_of_hash_of_pub_ecdsa(void **state)
{
    (void)state;
    keygen_address_and_pub_agree("", "addr-ecdsa", keccak256);
}

static void
keygen_then_address_is_last_20_bytes_of_hash_of_pub_sm(void **state)
{
    (void)state;
    keygen_address_and_pub_agree("--sm", "addr-sm", hash_sm3);
}

/* sign → recover gives the signer's address (and with --pub its public key). The signature is
 * 65 bytes r‖s‖v with v the recovery id 0/1; recover also takes v written as 27/28 (§1.3), and
 * the hash with or without 0x. */
static void
sign_then_recover_gives_the_address_ecdsa(void **state)
{
    char args[800], *addr, *pub, *sig, *out;
    unsigned v;

    (void)state;
    addr = tu_run_ok("util keygen -o %s/signer.pem", tu_dir);
    pub = tu_run_ok("util address --pub --key %s/signer.pem", tu_dir);
    sig = tu_run_ok("util sign --key %s/signer.pem %s", tu_dir, HASH32);
    assert_hex_len(sig, 130);
    v = (unsigned)strtoul(sig + 128, NULL, 16);
    assert_true(v <= 1);

    out = tu_run_ok("util recover %s %s", HASH32, sig);
    assert_string_equal(out, addr);
    free(out);
    out = tu_run_ok("util recover 0x%s 0x%s", HASH32, sig);
    assert_string_equal(out, addr);
    free(out);
    out = tu_run_ok("util recover --pub %s %s", HASH32, sig);
    assert_string_equal(out, pub);
    free(out);

    /* v as 27/28 */
    snprintf(sig + 128, 3, "%02x", v + 27);
    out = tu_run_ok("util recover %s %s", HASH32, sig);
    assert_string_equal(out, addr);
    free(out);
    /* the other v names someone else (or nobody) */
    snprintf(sig + 128, 3, "%02x", (v ^ 1) + 27);
    snprintf(args, sizeof args, "util recover %s %s", HASH32, sig);
    {
        char *err;
        int rc = tu_run(&out, &err, "%s", args);
        if (rc == 0)
            assert_null(strstr(out, addr));
        else
            assert_int_equal(rc, 2);
        free(out);
        free(err);
    }
    /* v = 2 or 29 is not a recovery id */
    snprintf(sig + 128, 3, "%02x", 2);
    snprintf(args, sizeof args, "util recover %s %s", HASH32, sig);
    assert_bad_input(args);
    snprintf(sig + 128, 3, "%02x", 29);
    snprintf(args, sizeof args, "util recover %s %s", HASH32, sig);
    assert_bad_input(args);
    free(addr);
    free(pub);
    free(sig);
}

/* --sm: keygen, sign (128 bytes r‖s‖pub, the key carried because SM2 cannot recover it, §1.3)
 * and recover --sm give the SM address; a tampered signature is refused. */
static void
sign_then_recover_gives_the_address_sm(void **state)
{
    char args[1000], *addr, *pub, *sig, *out;

    (void)state;
    addr = tu_run_ok("util keygen --sm -o %s/sm-signer.pem", tu_dir);
    pub = tu_run_ok("util address --pub --key %s/sm-signer.pem", tu_dir);
    sig = tu_run_ok("util sign --key %s/sm-signer.pem %s", tu_dir, HASH32);
    assert_hex_len(sig, 256);
    assert_string_equal(sig + 128, pub);

    out = tu_run_ok("util recover --sm %s %s", HASH32, sig);
    assert_string_equal(out, addr);
    free(out);
    out = tu_run_ok("util recover --sm --pub 0x%s 0x%s", HASH32, sig);
    assert_string_equal(out, pub);
    free(out);

    /* an SM signature is not an ECDSA one */
    snprintf(args, sizeof args, "util recover %s %s", HASH32, sig);
    assert_bad_input(args);
    /* one changed digit of s */
    sig[100] = sig[100] == '0' ? '1' : '0';
    snprintf(args, sizeof args, "util recover --sm %s %s", HASH32, sig);
    assert_bad_input(args);
    free(addr);
    free(pub);
    free(sig);
}

/* Bad input of every kind: exit 2, one line on stderr, nothing on stdout. */
static void
crypto_commands_reject_bad_input_with_exit_2(void **state)
{
    char args[800], sig[140];

    (void)state;
    free(tu_run_ok("util keygen -o %s/bad.pem", tu_dir));

    assert_bad_input("util keccak256 abc");           /* odd number of hex digits */
    assert_bad_input("util keccak256 0xzz");          /* not hex */
    assert_bad_input("util sm3 123");
    assert_bad_input("util sha256 0x1");
    assert_bad_input("util keccak256");               /* no argument */
    assert_bad_input("util keccak256 00 11");         /* two arguments */
    /* wrong signature length: 64 bytes (no v), 66 bytes */
    memset(sig, 'a', 128);
    sig[128] = '\0';
    snprintf(args, sizeof args, "util recover %s %s", HASH32, sig);
    assert_bad_input(args);
    memset(sig, 'a', 132);
    sig[132] = '\0';
    snprintf(args, sizeof args, "util recover %s %s", HASH32, sig);
    assert_bad_input(args);
    snprintf(args, sizeof args, "util recover --sm %s %s", HASH32, "00");
    assert_bad_input(args);
    /* a hash that is not 32 bytes */
    snprintf(args, sizeof args, "util sign --key %s/bad.pem 1234", tu_dir);
    assert_bad_input(args);
    snprintf(args, sizeof args, "util recover 1234 %0130d", 0);
    assert_bad_input(args);
    /* an all-zero r and s is no signature */
    snprintf(args, sizeof args, "util recover %s %0130d", HASH32, 0);
    assert_bad_input(args);
    /* missing or unreadable key files */
    snprintf(args, sizeof args, "util address --key %s/missing.pem", tu_dir);
    assert_bad_input(args);
    snprintf(args, sizeof args, "util sign --key %s/missing.pem %s", tu_dir, HASH32);
    assert_bad_input(args);
    snprintf(args, sizeof args, "util address --key %s", tu_dir); /* a directory */
    assert_bad_input(args);
    assert_bad_input("util address");                 /* no --key */
    assert_bad_input("util keygen");                  /* no -o */
    snprintf(args, sizeof args, "util keygen -o %s/no/such/tu_dir/k.pem", tu_dir);
    assert_bad_input(args);
    assert_bad_input("util recover --bogus 00 00");   /* unknown option */
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keccak256_command_gives_known_answers),
        cmocka_unit_test(sm3_and_sha256_commands_give_known_answers),
        cmocka_unit_test(keygen_then_address_is_last_20_bytes_of_hash_of_pub_ecdsa),
        cmocka_unit_test(keygen_then_address_is_last_20_bytes_of_hash_of_pub_sm),
        cmocka_unit_test(sign_then_recover_gives_the_address_ecdsa),
        cmocka_unit_test(sign_then_recover_gives_the_address_sm),
        cmocka_unit_test(crypto_commands_reject_bad_input_with_exit_2),
    };

    return cmocka_run_group_tests_name("util_crypto", tests, tu_setup_dir, tu_teardown_dir);
}
