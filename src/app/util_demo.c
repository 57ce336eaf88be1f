/*
 * util_demo.c — `bcoslab util demo-chain`: a small chain of signed blocks, printed, and what
 * happens when somebody changes one byte of it.
 *
 * This is lesson 1 of the course in one command: "blocks chained by hash". Four consensus
 * nodes A, B, C, D found group 1 with a genesis block. Each following block is packed by the
 * PBFT leader of its height ((view + height) mod n, with view 0), carries a few signed
 * transfers from the accounts alice and bob, names its parent by hash, commits to its
 * transactions with the 16-ary Merkle root, and is signed by n − f = 3 of the 4 sealers, as a
 * PBFT commit would leave it. Every block is encoded to bytes and decoded back with all checks,
 * exactly as a node receiving it would.
 *
 * Then an attacker changes one byte of a transaction in block 1, and the output follows the
 * damage: the transaction's hash changes and its signature no longer names its sender; the
 * header's transactionsRoot no longer matches; recomputing the root changes block 1's hash;
 * block 2 still names the old hash as its parent, and the sealers' signatures cover the old
 * hash only. To hide one byte the attacker would have to rewrite every later block and forge
 * the signatures of n − f sealers.
 *
 * Keys and timestamps are fixed, so the output is the same on every run and a lesson can quote
 * it. Transactions are not executed yet (that comes with the executor): stateRoot, dbHash and
 * receipts are empty, as in a block proposed before execution.
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
#include "codec/abi.h"
#include "crypto/key.h"
#include "ledger/block.h"
#include "ledger/genesis.h"
#include "ledger/tx.h"

#define DEMO_SEALERS 4
#define DEMO_QUORUM 3            /* n − f with f = (n − 1) / 3 = 1 */
#define DEMO_MAX_BLOCKS 20
#define DEMO_TXS_PER_BLOCK 3
#define DEMO_GENESIS_TIME 1700000000000LL /* 2023-11-14, in milliseconds */
#define DEMO_BLOCK_INTERVAL 1000          /* one block a second */
#define DEMO_TRANSFER "userTransfer(string,string,uint256)" /* DagTransfer, at 0x5002 */

static const char *const sealer_names[DEMO_SEALERS] = { "A", "B", "C", "D" };

typedef struct {
    const suite_t *suite;
    keypair_t sealers[DEMO_SEALERS];
    keypair_t alice, bob;
    block_t *blocks;      /* blocks[0] is the genesis block */
    uint8_t (*hashes)[32];
    size_t nblocks;
} demo_t;

/* A key made from a name, so every run shows the same node IDs and addresses. */
static int
named_key(const suite_t *suite, const char *name, keypair_t *kp)
{
    uint8_t priv[32];

    suite->hash(name, strlen(name), priv);
    return keypair_from_priv(kp, suite, priv);
}

/* The first n bytes of a hash as hex, enough to tell hashes apart on screen. */
static const char *
short_hex(const uint8_t *p, size_t n, char *buf)
{
    bl_hex_encode(p, n, buf);
    return buf;
}

static int
demo_keys(demo_t *d)
{
    char name[32];

    for (int i = 0; i < DEMO_SEALERS; i++) {
        snprintf(name, sizeof name, "bcoslab demo node %s", sealer_names[i]);
        if (named_key(d->suite, name, &d->sealers[i]) != BL_OK)
            return BL_E_KEY;
    }
    if (named_key(d->suite, "bcoslab demo account alice", &d->alice) != BL_OK ||
        named_key(d->suite, "bcoslab demo account bob", &d->bob) != BL_OK)
        return BL_E_KEY;
    return BL_OK;
}

static void
demo_add_block(demo_t *d, block_t *b)
{
    d->blocks = bl_xrealloc(d->blocks, (d->nblocks + 1) * sizeof *d->blocks);
    d->hashes = bl_xrealloc(d->hashes, (d->nblocks + 1) * 32);
    d->blocks[d->nblocks] = *b; /* moved */
    block_hash(d->suite, b, d->hashes[d->nblocks]);
    d->nblocks++;
}

static int
demo_genesis(demo_t *d)
{
    genesis_t g;
    block_t b;
    int err;

    genesis_init(&g, 1);
    g.timestamp = DEMO_GENESIS_TIME;
    for (int i = 0; i < DEMO_SEALERS; i++)
        genesis_add_sealer(&g, d->sealers[i].pub);
    err = genesis_block(d->suite, &g, &b);
    genesis_free(&g);
    if (err == BL_OK)
        demo_add_block(d, &b);
    return err;
}

/* DagTransfer's userTransfer(from, to, amount): the course's standard workload, sent to the
 * precompiled contract at 0x5002. */
static int
transfer_tx(demo_t *d, int64_t height, int k, tx_t *tx)
{
    const keypair_t *payer = k % 2 == 0 ? &d->alice : &d->bob;
    const char *from = k % 2 == 0 ? "alice" : "bob", *to = k % 2 == 0 ? "bob" : "alice";
    char amount[24];
    const char *args[3] = { from, to, amount };
    int err;

    tx_init(tx);
    snprintf(amount, sizeof amount, "%d", 10 * (k + 1));
    err = abi_encode_call_text(d->suite, DEMO_TRANSFER, args, 3,
                               &tx->data);
    if (err != BL_OK)
        return err;
    bl_u256_from_u64(&tx->nonce, (uint64_t)(height * 100 + k));
    bl_u256_from_u64(&tx->gas_price, TX_DEFAULT_GAS);
    bl_u256_from_u64(&tx->gas, TX_DEFAULT_GAS);
    bl_u256_from_u64(&tx->block_limit, (uint64_t)height + TX_DEFAULT_BLOCK_LIMIT_AHEAD);
    tx->has_to = true;
    memset(tx->to, 0, 20);
    tx->to[18] = 0x50;
    tx->to[19] = 0x02;
    bl_u256_from_u64(&tx->chain_id, 1);
    bl_u256_from_u64(&tx->group_id, 1);
    return tx_sign(tx, payer);
}

/* The first DEMO_QUORUM sealers sign the block hash, as their PBFT CommitReqs would. */
static int
demo_commit_signatures(demo_t *d, block_t *b)
{
    uint8_t hash[32], sig[SUITE_MAX_SIG];
    int err;

    block_hash(d->suite, b, hash);
    for (int i = 0; i < DEMO_QUORUM; i++) {
        if ((err = keypair_sign(&d->sealers[i], hash, sig)) != BL_OK)
            return err;
        block_add_sig(b, (uint64_t)i, sig, d->suite->sig_len);
    }
    return BL_OK;
}

/* Seal the next block on top of the last one. */
static int
demo_seal(demo_t *d)
{
    int64_t height = (int64_t)d->nblocks;
    block_t b;
    tx_t tx;
    int err = BL_OK;

    block_init(&b);
    memcpy(b.header.parent_hash, d->hashes[d->nblocks - 1], 32);
    b.header.number = height;
    b.header.timestamp = DEMO_GENESIS_TIME + height * DEMO_BLOCK_INTERVAL;
    b.header.gas_limit = 0;
    b.header.sealer = (uint64_t)(height % DEMO_SEALERS); /* leader (view + height) % n */
    for (int i = 0; i < DEMO_SEALERS; i++)
        header_add_sealer(&b.header, d->sealers[i].pub);
    for (int k = 0; k < DEMO_TXS_PER_BLOCK && err == BL_OK; k++) {
        if ((err = transfer_tx(d, height, k, &tx)) == BL_OK)
            block_add_tx(&b, &tx);
        tx_free(&tx);
    }
    if (err == BL_OK) {
        block_compute_roots(d->suite, &b);
        err = demo_commit_signatures(d, &b);
    }
    if (err == BL_OK)
        demo_add_block(d, &b);
    else
        block_free(&b);
    return err;
}

/* Encode the block and decode it again with every check a receiving node makes. */
static int
demo_reload(demo_t *d, size_t i, size_t *nbytes)
{
    bl_buf_t raw = BL_BUF_INIT;
    block_t back;
    int err;

    block_encode(d->suite, &d->blocks[i], &raw);
    *nbytes = raw.len;
    err = block_decode(d->suite, bl_buf_span(&raw), &back);
    bl_buf_free(&raw);
    if (err == BL_OK)
        block_free(&back);
    return err;
}

/* How many of the block's signatures verify against the sealers they name, over `hash`. */
static size_t
count_valid_sigs(const demo_t *d, const block_t *b, const uint8_t hash[32])
{
    size_t ok = 0;

    for (size_t i = 0; i < b->nsigs; i++) {
        uint64_t who = b->sigs[i].index;
        if (who < b->header.nsealers &&
            suite_verify(d->suite, b->header.sealer_list[who], hash, b->sigs[i].sig) == BL_OK)
            ok++;
    }
    return ok;
}

static void
print_sealers(const demo_t *d)
{
    char hex[129];
    uint8_t addr[20];

    printf("sealers of group 1 (their node IDs form every header's sealerList):\n");
    for (int i = 0; i < DEMO_SEALERS; i++)
        printf("  %d %s  node ID %.16s...\n", i, sealer_names[i],
               short_hex(d->sealers[i].pub, 64, hex));
    keypair_address(&d->alice, addr);
    printf("accounts: alice 0x%s", short_hex(addr, 20, hex));
    keypair_address(&d->bob, addr);
    printf(", bob 0x%s\n\n", short_hex(addr, 20, hex));
}

static void
print_genesis(const demo_t *d)
{
    const header_t *h = &d->blocks[0].header;
    char hex[65];

    printf("block 0 (genesis)  hash %s\n", short_hex(d->hashes[0], 32, hex));
    printf("    parentHash       %s  (nothing before it)\n",
           short_hex(h->parent_hash, 32, hex));
    /* groupId-sealers-consensus-state-evmFlags-maxTransNum-txGasLimit-timeout: show both ends */
    printf("    extraData[0]     the genesis mark, %zu bytes: \"%.*s...%.*s\"\n",
           h->extra[0].len, 20, (const char *)h->extra[0].data, 32,
           (const char *)h->extra[0].data + h->extra[0].len - 32);
    printf("    timestamp        %lld ms\n\n", (long long)h->timestamp);
}

/* "alice" or "bob", for a sender address. */
static const char *
account_name(const demo_t *d, const uint8_t addr[20])
{
    uint8_t a[20];

    keypair_address(&d->alice, a);
    if (memcmp(a, addr, 20) == 0)
        return "alice";
    keypair_address(&d->bob, a);
    return memcmp(a, addr, 20) == 0 ? "bob" : "someone else";
}

/* "alice pays bob 10", read back from the transaction's ABI call data. */
static void
describe_transfer(const demo_t *d, const tx_t *tx, char *out, size_t cap)
{
    abi_value_t *args;
    char amount[BL_U256_DEC_MAX];

    if (abi_decode_call(d->suite, DEMO_TRANSFER, bl_buf_span(&tx->data), &args) != BL_OK) {
        snprintf(out, cap, "(call data that is not a transfer)");
        return;
    }
    bl_u256_to_dec(&args->items[2]->num, amount);
    snprintf(out, cap, "%.*s pays %.*s %s", (int)args->items[0]->bytes.len,
             (const char *)args->items[0]->bytes.data, (int)args->items[1]->bytes.len,
             (const char *)args->items[1]->bytes.data, amount);
    abi_value_free(args);
}

static void
print_block(const demo_t *d, size_t i, size_t nbytes)
{
    const block_t *b = &d->blocks[i];
    const header_t *h = &b->header;
    char hex[65], what[96];
    bool linked = memcmp(h->parent_hash, d->hashes[i - 1], 32) == 0;

    printf("block %zu  packed by sealer %llu (%s), the leader of height %lld: "
           "(view 0 + %lld) %% %d\n", i, (unsigned long long)h->sealer, sealer_names[h->sealer],
           (long long)h->number, (long long)h->number, DEMO_SEALERS);
    printf("    hash             %s\n", short_hex(d->hashes[i], 32, hex));
    printf("    parentHash       %s  %s block %zu\n", short_hex(h->parent_hash, 32, hex),
           linked ? "=" : "!=", i - 1);
    printf("    transactionsRoot %s  (16-ary Merkle root)\n", short_hex(h->tx_root, 32, hex));
    for (size_t k = 0; k < b->ntxs; k++) {
        describe_transfer(d, &b->txs[k], what, sizeof what);
        printf("    tx %zu             %s  %s\n", k, short_hex(b->txs[k].hash, 32, hex),
               what);
    }
    printf("    signatures       %zu of %d sealers (quorum n - f = %d), %zu valid; "
           "%zu bytes encoded\n\n", b->nsigs, DEMO_SEALERS, DEMO_QUORUM,
           count_valid_sigs(d, b, d->hashes[i]), nbytes);
}

/* Step 1 of the attack: the changed transaction itself. Its hash changes, and its signature,
 * made over the original fields, no longer names its sender. */
static void
tamper_show_tx(const demo_t *d, const tx_t *orig, tx_t *forged)
{
    bl_buf_t raw = BL_BUF_INIT;
    tx_t back;
    char hex[65], what[96];

    describe_transfer(d, orig, what, sizeof what);
    printf("    the transfer was    %s, signed by %s\n", what, account_name(d, orig->sender));
    describe_transfer(d, forged, what, sizeof what);
    printf("    the transfer is now %s\n", what);
    tx_encode(d->suite, forged, &raw);
    d->suite->hash(raw.data, raw.len, forged->hash);
    printf("    tx hash was      %s\n", short_hex(orig->hash, 32, hex));
    printf("    tx hash is now   %s\n", short_hex(forged->hash, 32, hex));
    if (tx_decode(d->suite, bl_buf_span(&raw), &back) != BL_OK) {
        printf("    a node decoding it refuses it: %s\n", bl_errmsg());
    } else {
        printf("    its signature, made over the old fields, now names sender 0x%s\n"
               "    (%s, not %s): nobody can change a signed transaction and keep its sender\n",
               short_hex(back.sender, 20, hex), account_name(d, back.sender),
               account_name(d, orig->sender));
        tx_free(&back);
    }
    bl_buf_free(&raw);
}

/* Step 2: the block still carries the old transactionsRoot. */
static void
tamper_show_block(const demo_t *d, const block_t *forged)
{
    bl_buf_t raw = BL_BUF_INIT;
    block_t back;

    block_encode(d->suite, forged, &raw);
    if (block_decode(d->suite, bl_buf_span(&raw), &back) == BL_OK) {
        printf("    (unexpected) the forged block decoded\n");
        block_free(&back);
    } else {
        printf("    block 1 as sent to a node is refused: %s\n", bl_errmsg());
    }
    bl_buf_free(&raw);
}

/* Step 3: recomputing the root changes block 1's hash, and that breaks the chain. */
static void
tamper_show_chain(const demo_t *d, block_t *forged)
{
    uint8_t hash[32];
    char hex[65];

    block_compute_roots(d->suite, forged);
    block_hash(d->suite, forged, hash);
    printf("    the attacker recomputes transactionsRoot, and block 1's hash changes:\n");
    printf("    hash was         %s\n", short_hex(d->hashes[1], 32, hex));
    printf("    hash is now      %s\n", short_hex(hash, 32, hex));
    printf("    commit signatures valid over the new hash: %zu of %zu\n",
           count_valid_sigs(d, forged, hash), forged->nsigs);
    if (d->nblocks > 2)
        printf("    block 2 still names the old hash as its parentHash: the chain breaks there\n");
    printf("    to hide one byte, every later block must be rebuilt and re-signed by\n"
           "    n - f = %d sealers: that is what the hash chain and PBFT protect.\n",
           DEMO_QUORUM);
}

/* Change one byte of the amount in block 1's first transfer and follow the consequences. */
static void
demo_tamper(const demo_t *d)
{
    block_t forged;
    tx_t *tx;

    printf("tamper: change one byte of block 1, transaction 0 (the transfer amount)\n");
    block_init(&forged);
    header_copy(&forged.header, &d->blocks[1].header);
    for (size_t k = 0; k < d->blocks[1].ntxs; k++)
        block_add_tx(&forged, &d->blocks[1].txs[k]);
    for (size_t k = 0; k < d->blocks[1].nsigs; k++)
        block_add_sig(&forged, d->blocks[1].sigs[k].index, d->blocks[1].sigs[k].sig,
                      d->blocks[1].sigs[k].sig_len);
    tx = &forged.txs[0];
    /* selector (4 bytes), then the head words: offset of from, offset of to, amount */
    tx->data.data[4 + 3 * 32 - 1] ^= 0x01;
    tamper_show_tx(d, &d->blocks[1].txs[0], tx);
    tamper_show_block(d, &forged);
    tamper_show_chain(d, &forged);
    block_free(&forged);
}

static void
demo_free(demo_t *d)
{
    for (size_t i = 0; i < d->nblocks; i++)
        block_free(&d->blocks[i]);
    free(d->blocks);
    free(d->hashes);
    for (int i = 0; i < DEMO_SEALERS; i++)
        keypair_clear(&d->sealers[i]);
    keypair_clear(&d->alice);
    keypair_clear(&d->bob);
}

static const struct option demo_options[] = {
    { "sm", no_argument, NULL, 's' },
    { "blocks", required_argument, NULL, 'b' },
    { NULL, 0, NULL, 0 },
};

static int
parse_demo_flags(int argc, char **argv, const suite_t **suite, int *nblocks)
{
    char *end;
    long v;
    int opt;

    *suite = suite_ecdsa();
    *nblocks = 3;
    opterr = 0;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", demo_options, NULL)) != -1) {
        if (opt == 's') {
            *suite = suite_sm();
        } else if (opt == 'b') {
            v = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || v < 1 || v > DEMO_MAX_BLOCKS)
                return cli_fail(NULL, "--blocks wants a number from 1 to %d, not '%s'",
                                DEMO_MAX_BLOCKS, optarg);
            *nblocks = (int)v;
        } else {
            return cli_fail(NULL, "unknown or incomplete option '%s'; see --help",
                            argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_fail(NULL, "unexpected argument '%s'", argv[optind]);
    return CLI_OK;
}

int
util_demo_chain(int argc, char **argv)
{
    demo_t d;
    const suite_t *suite;
    size_t nbytes;
    int nblocks, rc = parse_demo_flags(argc, argv, &suite, &nblocks);

    if (rc != CLI_OK)
        return rc;
    memset(&d, 0, sizeof d);
    d.suite = suite;
    printf("demo-chain: %d sealers in group 1, crypto suite \"%s\" (%s)\n\n", DEMO_SEALERS,
           suite->name, suite->kind == SUITE_SM ? "SM3 + SM2" : "Keccak-256 + secp256k1");
    if (demo_keys(&d) != BL_OK || demo_genesis(&d) != BL_OK) {
        rc = cli_fail(NULL, "%s", bl_errmsg());
        goto out;
    }
    print_sealers(&d);
    print_genesis(&d);
    for (int i = 1; i <= nblocks; i++) {
        if (demo_seal(&d) != BL_OK || demo_reload(&d, (size_t)i, &nbytes) != BL_OK) {
            rc = cli_fail(NULL, "block %d: %s", i, bl_errmsg());
            goto out;
        }
        print_block(&d, (size_t)i, nbytes);
    }
    demo_tamper(&d);
out:
    demo_free(&d);
    return rc;
}
