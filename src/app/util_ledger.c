/*
 * util_ledger.c — `bcoslab util tx-build`, `tx-decode` and `merkle-root`: the FISCO 2.x
 * transaction and Merkle formats by hand. (demo-chain lives in util_demo.c.)
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <openssl/rand.h>

#include "app/cli.h"
#include "app/util.h"
#include "base/bytes.h"
#include "base/error.h"
#include "crypto/key.h"
#include "ledger/json.h"
#include "ledger/merkle.h"
#include "ledger/tx.h"

/* Print a JSON value on stdout, indented, with a newline. */
static void
print_json(json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

    printf("%s\n", s);
    free(s);
    json_decref(j);
}

static int
parse_number(const char *opt, const char *text, bl_u256_t *out)
{
    if (bl_u256_from_str(out, text) != BL_OK)
        return cli_fail(NULL, "--%s: %s", opt, bl_errmsg());
    return CLI_OK;
}

static int
parse_hex_option(const char *opt, const char *text, bl_buf_t *out)
{
    if (bl_hex_decode(text, out) != BL_OK)
        return cli_fail(NULL, "--%s: %s", opt, bl_errmsg());
    return CLI_OK;
}

/* A 250-bit random nonce, as FISCO's Java SDK makes them. */
static void
random_nonce(bl_u256_t *nonce)
{
    memset(nonce->be, 0, 32);
    RAND_bytes(nonce->be, 32);
    nonce->be[0] &= 0x03;
}

static void
tx_defaults(tx_t *tx)
{
    tx_init(tx);
    random_nonce(&tx->nonce);
    bl_u256_from_u64(&tx->gas_price, TX_DEFAULT_GAS);
    bl_u256_from_u64(&tx->gas, TX_DEFAULT_GAS);
    bl_u256_from_u64(&tx->block_limit, TX_DEFAULT_BLOCK_LIMIT_AHEAD);
    bl_u256_from_u64(&tx->chain_id, 1);
    bl_u256_from_u64(&tx->group_id, 1);
}

static const struct option tx_build_options[] = {
    { "key", required_argument, NULL, 'k' },
    { "nonce", required_argument, NULL, 'n' },
    { "gas-price", required_argument, NULL, 'P' },
    { "gas", required_argument, NULL, 'g' },
    { "block-limit", required_argument, NULL, 'b' },
    { "to", required_argument, NULL, 't' },
    { "value", required_argument, NULL, 'v' },
    { "data", required_argument, NULL, 'd' },
    { "chain-id", required_argument, NULL, 'c' },
    { "group-id", required_argument, NULL, 'G' },
    { "extra", required_argument, NULL, 'e' },
    { NULL, 0, NULL, 0 },
};

/* One option into the transaction; returns CLI_OK or CLI_BAD_INPUT. */
static int
apply_tx_option(tx_t *tx, int opt, const char *arg, const char **key_file)
{
    switch (opt) {
    case 'k': *key_file = arg; return CLI_OK;
    case 'n': return parse_number("nonce", arg, &tx->nonce);
    case 'P': return parse_number("gas-price", arg, &tx->gas_price);
    case 'g': return parse_number("gas", arg, &tx->gas);
    case 'b': return parse_number("block-limit", arg, &tx->block_limit);
    case 'v': return parse_number("value", arg, &tx->value);
    case 'c': return parse_number("chain-id", arg, &tx->chain_id);
    case 'G': return parse_number("group-id", arg, &tx->group_id);
    case 'd': return parse_hex_option("data", arg, &tx->data);
    case 'e': return parse_hex_option("extra", arg, &tx->extra_data);
    case 't':
        if (*arg == '\0') {
            tx->has_to = false; /* contract creation */
            return CLI_OK;
        }
        tx->has_to = true;
        if (bl_hex_decode_fixed(arg, tx->to, 20) != BL_OK)
            return cli_fail(NULL, "--to: an address is 20 bytes: %s", bl_errmsg());
        return CLI_OK;
    default:
        return cli_fail(NULL, "unknown option; see --help");
    }
}

int
util_tx_build(int argc, char **argv)
{
    const char *key_file = NULL;
    keypair_t kp;
    bl_buf_t raw = BL_BUF_INIT;
    tx_t tx;
    int opt, rc = CLI_OK;

    tx_defaults(&tx);
    opterr = 0;
    optind = 1;
    while (rc == CLI_OK && (opt = getopt_long(argc, argv, "", tx_build_options, NULL)) != -1)
        rc = apply_tx_option(&tx, opt, optarg, &key_file);
    if (rc == CLI_OK && optind < argc)
        rc = cli_fail(NULL, "unexpected argument '%s'", argv[optind]);
    if (rc == CLI_OK && key_file == NULL)
        rc = cli_fail(NULL, "--key FILE is required (make one with `bcoslab util keygen`)");
    if (rc == CLI_OK && keypair_load_pem(&kp, key_file) != BL_OK)
        rc = cli_fail(NULL, "%s", bl_errmsg());
    if (rc == CLI_OK && tx_sign(&tx, &kp) != BL_OK)
        rc = cli_fail(NULL, "signing failed: %s", bl_errmsg());
    if (rc == CLI_OK) {
        char *hex;
        tx_encode(kp.suite, &tx, &raw);
        hex = bl_hex_string(raw.data, raw.len);
        printf("%s\n", hex);
        free(hex);
        keypair_clear(&kp);
    }
    bl_buf_free(&raw);
    tx_free(&tx);
    return rc;
}

/* Leading --sm picks the SM suite; returns the index of the first other argument. */
static int
parse_suite_flag(int argc, char **argv, const suite_t **suite)
{
    int i = 1;

    *suite = suite_ecdsa();
    if (i < argc && strcmp(argv[i], "--sm") == 0) {
        *suite = suite_sm();
        i++;
    }
    return i;
}

int
util_tx_decode(int argc, char **argv)
{
    const suite_t *suite;
    int i = parse_suite_flag(argc, argv, &suite);
    bl_buf_t raw = BL_BUF_INIT;
    tx_t tx;
    int rc = CLI_OK;

    if (argc - i != 1)
        return cli_fail(NULL, "expected one raw transaction in hex (usage: tx-decode [--sm] HEX)");
    if (bl_hex_decode(argv[i], &raw) != BL_OK)
        rc = cli_fail(NULL, "%s", bl_errmsg());
    else if (tx_decode(suite, bl_buf_span(&raw), &tx) != BL_OK)
        rc = cli_fail(NULL, "%s", bl_errmsg());
    else {
        print_json(tx_to_json(suite, &tx));
        tx_free(&tx);
    }
    bl_buf_free(&raw);
    return rc;
}

int
util_merkle_root(int argc, char **argv)
{
    const suite_t *suite;
    int first = parse_suite_flag(argc, argv, &suite);
    size_t n = (size_t)(argc - first);
    uint8_t (*hashes)[32] = bl_xcalloc(n, 32), root[32];
    char hex[65];

    for (size_t k = 0; k < n; k++) {
        if (bl_hex_decode_fixed(argv[first + (int)k], hashes[k], 32) != BL_OK) {
            free(hashes);
            return cli_fail(NULL, "hash %zu: %s", k + 1, bl_errmsg());
        }
    }
    merkle_root(suite, (const uint8_t(*)[32])hashes, n, root);
    bl_hex_encode(root, 32, hex);
    printf("%s\n", hex);
    free(hashes);
    return CLI_OK;
}
