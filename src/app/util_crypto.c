/*
 * util_crypto.c — `bcoslab util` commands for hashes, keys and signatures:
 * keccak256, sm3, sha256, keygen, address, sign, recover.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/cli.h"
#include "app/util.h"
#include "base/bytes.h"
#include "base/error.h"
#include "crypto/ecdsa.h"
#include "crypto/hash.h"
#include "crypto/keccak.h"
#include "crypto/key.h"
#include "crypto/suite.h"

static void
print_hex(const uint8_t *p, size_t n)
{
    char *s = bl_hex_string(p, n);

    printf("%s\n", s);
    free(s);
}

static int
digest_command(int argc, char **argv, void (*hash)(const void *, size_t, uint8_t *))
{
    bl_buf_t in = BL_BUF_INIT;
    uint8_t out[32];

    if (argc != 2)
        return cli_fail(NULL, "expected exactly one argument: the bytes to hash, in hex");
    if (bl_hex_decode(argv[1], &in) != BL_OK)
        return cli_fail(NULL, "%s", bl_errmsg());
    hash(in.data, in.len, out);
    bl_buf_free(&in);
    print_hex(out, 32);
    return CLI_OK;
}

int
util_keccak256(int argc, char **argv)
{
    return digest_command(argc, argv, keccak256);
}

int
util_sm3(int argc, char **argv)
{
    return digest_command(argc, argv, hash_sm3);
}

int
util_sha256(int argc, char **argv)
{
    return digest_command(argc, argv, hash_sha256);
}

/* The flags these commands share: --sm, --pub, --key FILE, -o FILE. */
typedef struct {
    bool sm;
    bool pub;
    const char *key;
    const char *out;
} key_flags_t;

static const struct option key_options[] = {
    { "sm", no_argument, NULL, 's' },
    { "pub", no_argument, NULL, 'p' },
    { "key", required_argument, NULL, 'k' },
    { "out", required_argument, NULL, 'o' },
    { NULL, 0, NULL, 0 },
};

/* Parse flags; on success *first is the index of the first positional argument. */
static int
parse_key_flags(int argc, char **argv, key_flags_t *f, int *first)
{
    int opt;

    memset(f, 0, sizeof *f);
    opterr = 0;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "+o:", key_options, NULL)) != -1) {
        switch (opt) {
        case 's': f->sm = true; break;
        case 'p': f->pub = true; break;
        case 'k': f->key = optarg; break;
        case 'o': f->out = optarg; break;
        default:
            return cli_fail(NULL, "unknown or incomplete option '%s'; see --help",
                            argv[optind - 1]);
        }
    }
    *first = optind;
    return CLI_OK;
}

static void
print_address(const keypair_t *kp)
{
    uint8_t addr[20];

    keypair_address(kp, addr);
    print_hex(addr, 20);
}

int
util_keygen(int argc, char **argv)
{
    key_flags_t f;
    keypair_t kp;
    int first, rc = parse_key_flags(argc, argv, &f, &first);

    if (rc != CLI_OK)
        return rc;
    if (f.out == NULL || first != argc)
        return cli_fail(NULL, "usage: keygen [--sm] -o FILE");
    if (keypair_generate(&kp, f.sm ? suite_sm() : suite_ecdsa()) != BL_OK ||
        keypair_save_pem(&kp, f.out) != BL_OK)
        return cli_fail(NULL, "%s", bl_errmsg());
    print_address(&kp);
    keypair_clear(&kp);
    return CLI_OK;
}

static int
load_key(const key_flags_t *f, keypair_t *kp)
{
    if (f->key == NULL)
        return cli_fail(NULL, "--key FILE is required");
    if (keypair_load_pem(kp, f->key) != BL_OK)
        return cli_fail(NULL, "%s", bl_errmsg());
    return CLI_OK;
}

int
util_address(int argc, char **argv)
{
    key_flags_t f;
    keypair_t kp;
    int first, rc = parse_key_flags(argc, argv, &f, &first);

    if (rc == CLI_OK && first != argc)
        rc = cli_fail(NULL, "unexpected argument '%s'", argv[first]);
    if (rc == CLI_OK)
        rc = load_key(&f, &kp);
    if (rc != CLI_OK)
        return rc;
    if (f.pub)
        print_hex(kp.pub, 64);
    else
        print_address(&kp);
    keypair_clear(&kp);
    return CLI_OK;
}

int
util_sign(int argc, char **argv)
{
    key_flags_t f;
    keypair_t kp;
    uint8_t hash[32], sig[SUITE_MAX_SIG];
    int first, rc = parse_key_flags(argc, argv, &f, &first);

    if (rc == CLI_OK && argc - first != 1)
        rc = cli_fail(NULL, "usage: sign --key FILE HASH32");
    if (rc == CLI_OK && bl_hex_decode_fixed(argv[first], hash, 32) != BL_OK)
        rc = cli_fail(NULL, "the hash: %s", bl_errmsg());
    if (rc == CLI_OK)
        rc = load_key(&f, &kp);
    if (rc != CLI_OK)
        return rc;
    if (keypair_sign(&kp, hash, sig) != BL_OK)
        rc = cli_fail(NULL, "%s", bl_errmsg());
    else
        print_hex(sig, kp.suite->sig_len);
    keypair_clear(&kp);
    return rc;
}

/* Read an ECDSA signature r‖s‖v accepting v as 0/1 (ours) or 27/28 (Ethereum's habit). */
static int
read_ecdsa_sig(const char *hex, uint8_t sig[65])
{
    if (bl_hex_decode_fixed(hex, sig, 65) != BL_OK)
        return cli_fail(NULL, "an ECDSA signature is 65 bytes r|s|v: %s", bl_errmsg());
    if (sig[64] == 27 || sig[64] == 28)
        sig[64] -= 27;
    return CLI_OK;
}

int
util_recover(int argc, char **argv)
{
    key_flags_t f;
    const suite_t *suite;
    uint8_t hash[32], sig[SUITE_MAX_SIG], pub[64], addr[20];
    int first, rc = parse_key_flags(argc, argv, &f, &first);

    if (rc != CLI_OK)
        return rc;
    if (argc - first != 2)
        return cli_fail(NULL, "usage: recover [--sm] [--pub] HASH32 SIG");
    suite = f.sm ? suite_sm() : suite_ecdsa();
    if (bl_hex_decode_fixed(argv[first], hash, 32) != BL_OK)
        return cli_fail(NULL, "the hash: %s", bl_errmsg());
    if (f.sm && bl_hex_decode_fixed(argv[first + 1], sig, 128) != BL_OK)
        return cli_fail(NULL, "an SM signature is 128 bytes r|s|pub: %s", bl_errmsg());
    if (!f.sm && (rc = read_ecdsa_sig(argv[first + 1], sig)) != CLI_OK)
        return rc;
    if (suite->recover(hash, sig, pub) != BL_OK)
        return cli_fail(NULL, "%s", bl_errmsg());
    suite_address(suite, pub, addr);
    if (f.pub)
        print_hex(pub, 64);
    else
        print_hex(addr, 20);
    return CLI_OK;
}
