/*
 * console_chain.c — the console's questions about the chain itself: blocks, headers,
 * transactions and receipts (fisco-2x-facts §10.1; answers shaped as the JSON-RPC results of
 * §10.2).
 *
 * None of these makes a transaction: all come from the console's read replica of the group
 * (console_replica.c), which holds every block a node has committed. Heights print in
 * decimal, as FISCO's console prints them; inside the JSON, numbers are "0x..." strings, as
 * the RPC answers them.
 */
#include "console/console_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "ledger/json.h"

bool
console_synced(console_t *c, FILE *out)
{
    if (console_sync(c) == BL_OK)
        return true;
    console_error(out, BL_E_NOTFOUND, "%s", bl_errmsg());
    return false;
}

static bool
parse_number(const char *s, int64_t *out)
{
    char *end;
    long long v;

    if (*s == '\0' || *s == '-')
        return false;
    v = strtoll(s, &end, strncmp(s, "0x", 2) == 0 ? 16 : 10);
    *out = v;
    return *end == '\0' && v >= 0;
}

static bool
parse_hash(const char *s, uint8_t out[32])
{
    if (strncmp(s, "0x", 2) == 0)
        s += 2;
    return strlen(s) == 64 && bl_hex_decode_fixed(s, out, 32) == BL_OK;
}

static int
parse_bool(const char *s, bool *out)
{
    if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0) {
        *out = strcmp(s, "true") == 0;
        return BL_OK;
    }
    return BL_E_INVALID;
}

/* ---- blocks ---- */

static int
cmd_block_number(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    (void)argc, (void)argv, (void)rest;
    if (!console_synced(c, out))
        return BL_E_NOTFOUND;
    fprintf(out, "%" PRId64 "\n", console_height(c));
    return BL_OK;
}

/* Block number n of the replica, or an error printed as FISCO's RPC words it. */
static int
load_block(console_t *c, int64_t n, block_t *blk, FILE *out)
{
    block_init(blk);
    if (n > console_height(c))
        return console_error(out, BL_E_NOTFOUND, "block number %" PRId64 " does not exist "
                             "(-40004); the height is %" PRId64, n, console_height(c));
    if (chain_block_at(console_replica(c)->chain, n, blk) != BL_OK)
        return console_error(out, BL_E_NOTFOUND, "cannot read block %" PRId64 ": %s", n,
                             bl_errmsg());
    return BL_OK;
}

/* The number of the block with this hash, or -1. */
static int64_t
number_of_hash(console_t *c, const uint8_t hash[32])
{
    for (int64_t n = console_height(c); n >= 0; n--) {
        uint8_t h[32];

        if (chain_hash_at(console_replica(c)->chain, n, h) == BL_OK && memcmp(h, hash, 32) == 0)
            return n;
    }
    return -1;
}

/* The block named by argv[1] (a number, or a hash when by_hash). */
static int
block_arg(console_t *c, const char *cmd, const char *arg, bool by_hash, int64_t *n, FILE *out)
{
    uint8_t hash[32];

    if (!console_synced(c, out))
        return BL_E_NOTFOUND;
    if (!by_hash) {
        if (!parse_number(arg, n))
            return console_error(out, BL_E_INVALID, "'%s' is not a block number (a "
                                 "non-negative integer); usage: %s", arg, cmd);
        return BL_OK;
    }
    if (!parse_hash(arg, hash))
        return console_error(out, BL_E_INVALID, "'%s' is not a block hash (32 bytes of hex)",
                             arg);
    if ((*n = number_of_hash(c, hash)) < 0)
        return console_error(out, BL_E_NOTFOUND, "block hash %s does not exist (-40003)", arg);
    return BL_OK;
}

static int
show_block(console_t *c, int argc, char **argv, FILE *out, bool by_hash, bool header)
{
    bool flag = false;
    int64_t n;
    block_t blk;
    int rc;

    if (argc == 3 && parse_bool(argv[2], &flag) != BL_OK)
        return console_error(out, BL_E_INVALID, "'%s' is not true or false", argv[2]);
    if ((rc = block_arg(c, argv[0], argv[1], by_hash, &n, out)) != BL_OK)
        return rc;
    if ((rc = load_block(c, n, &blk, out)) != BL_OK)
        return rc;
    if (header) {
        json_t *j = header_to_json(world_suite(c->w), &blk.header);
        uint8_t hash[32];

        block_hash(world_suite(c->w), &blk, hash);
        json_object_set_new(j, "hash", json_hex(hash, 32));
        if (flag) {
            json_t *sigs = json_array();

            for (size_t i = 0; i < blk.nsigs; i++) {
                json_t *s = json_object();

                json_object_set_new(s, "index", json_quantity(blk.sigs[i].index));
                json_object_set_new(s, "signature", json_hex(blk.sigs[i].sig, blk.sigs[i].sig_len));
                json_array_append_new(sigs, s);
            }
            json_object_set_new(j, "signatureList", sigs);
        }
        console_print_json(out, j);
    } else {
        console_print_json(out, block_to_json(world_suite(c->w), &blk, flag));
    }
    block_free(&blk);
    return BL_OK;
}

static int
cmd_block_by_number(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    (void)rest;
    return show_block(c, argc, argv, out, false, false);
}

static int
cmd_block_by_hash(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    (void)rest;
    return show_block(c, argc, argv, out, true, false);
}

static int
cmd_header_by_number(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    (void)rest;
    return show_block(c, argc, argv, out, false, true);
}

static int
cmd_header_by_hash(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    (void)rest;
    return show_block(c, argc, argv, out, true, true);
}

static int
cmd_hash_by_number(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    int64_t n;
    uint8_t hash[32];
    int rc;

    (void)argc, (void)rest;
    if ((rc = block_arg(c, argv[0], argv[1], false, &n, out)) != BL_OK)
        return rc;
    if (n > console_height(c) || chain_hash_at(console_replica(c)->chain, n, hash) != BL_OK)
        return console_error(out, BL_E_NOTFOUND, "block number %" PRId64 " does not exist "
                             "(-40004)", n);
    char *hex = bl_hex_string_0x(hash, 32);

    fprintf(out, "%s\n", hex);
    free(hex);
    return BL_OK;
}

/* ---- transactions and receipts ---- */

/* The block holding the tx named by arg, and its index there. */
static int
find_tx(console_t *c, const char *arg, block_t *blk, uint64_t *index, FILE *out)
{
    uint8_t hash[32];
    int64_t n;

    block_init(blk);
    if (!console_synced(c, out))
        return BL_E_NOTFOUND;
    if (!parse_hash(arg, hash))
        return console_error(out, BL_E_INVALID, "'%s' is not a transaction hash (32 bytes of "
                             "hex)", arg);
    if (chain_tx_location(console_replica(c)->chain, hash, &n, index) != BL_OK) {
        fprintf(out, "This transaction hash doesn't exist.\n");
        return BL_E_NOTFOUND;
    }
    return load_block(c, n, blk, out);
}

/* What FISCO's RPC adds to a tx or receipt: where it is. */
static void
add_location(console_t *c, json_t *j, block_t *blk, uint64_t index)
{
    uint8_t hash[32];

    block_hash(world_suite(c->w), blk, hash);
    json_object_set_new(j, "blockHash", json_hex(hash, 32));
    json_object_set_new(j, "blockNumber", json_quantity((uint64_t)blk->header.number));
    json_object_set_new(j, "transactionIndex", json_quantity(index));
}

static int
cmd_tx_by_hash(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    block_t blk;
    uint64_t index;
    int rc;
    json_t *j;

    (void)argc, (void)rest;
    if ((rc = find_tx(c, argv[1], &blk, &index, out)) != BL_OK)
        goto out;
    j = tx_to_json(world_suite(c->w), &blk.txs[index]);
    add_location(c, j, &blk, index);
    console_print_json(out, j);
out:
    block_free(&blk);
    return rc;
}

static int
cmd_receipt(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    block_t blk;
    uint64_t index;
    int rc;
    json_t *j;
    const tx_t *tx;

    (void)argc, (void)rest;
    if ((rc = find_tx(c, argv[1], &blk, &index, out)) != BL_OK)
        goto out;
    tx = &blk.txs[index];
    j = receipt_to_json(&blk.receipts[index]);
    add_location(c, j, &blk, index);
    json_object_set_new(j, "transactionHash", json_hex(tx->hash, 32));
    json_object_set_new(j, "from", json_hex(tx->sender, 20));
    json_object_set_new(j, "to", tx->has_to ? json_hex(tx->to, 20) : json_null());
    json_object_set_new(j, "input", json_hex(tx->data.data, tx->data.len));
    console_print_json(out, j);
out:
    block_free(&blk);
    return rc;
}

/* getTransactionByBlock{Number,Hash}AndIndex: the index-th transaction of a block. */
static int
tx_by_index(console_t *c, char **argv, bool by_hash, FILE *out)
{
    int64_t n, index;
    block_t blk;
    json_t *j;
    int rc;

    if ((rc = block_arg(c, argv[0], argv[1], by_hash, &n, out)) != BL_OK)
        return rc;
    if (!parse_number(argv[2], &index))
        return console_error(out, BL_E_INVALID, "'%s' is not a transaction index", argv[2]);
    if ((rc = load_block(c, n, &blk, out)) != BL_OK)
        return rc;
    if ((uint64_t)index >= blk.ntxs) {
        rc = console_error(out, BL_E_RANGE, "transaction index %" PRId64 " is out of range: "
                           "block %" PRId64 " has %zu (-40005)", index, n, blk.ntxs);
    } else {
        j = tx_to_json(world_suite(c->w), &blk.txs[index]);
        add_location(c, j, &blk, (uint64_t)index);
        console_print_json(out, j);
    }
    block_free(&blk);
    return rc;
}

static int
cmd_tx_by_number_index(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    (void)argc, (void)rest;
    return tx_by_index(c, argv, false, out);
}

static int
cmd_tx_by_hash_index(console_t *c, int argc, char **argv, const char *rest, FILE *out)
{
    (void)argc, (void)rest;
    return tx_by_index(c, argv, true, out);
}

const console_cmd_t console_chain_cmds[] = {
    { "getBlockNumber", "", "the group's height", 0, 0, cmd_block_number },
    { "getBlockByNumber", "blockNumber [true|false]", "a block as JSON (true: whole transactions)",
      1, 2, cmd_block_by_number },
    { "getBlockByHash", "blockHash [true|false]", "a block as JSON (true: whole transactions)",
      1, 2, cmd_block_by_hash },
    { "getBlockHeaderByNumber", "blockNumber [true|false]",
      "a block header as JSON (true: with the commit signatures)", 1, 2, cmd_header_by_number },
    { "getBlockHeaderByHash", "blockHash [true|false]",
      "a block header as JSON (true: with the commit signatures)", 1, 2, cmd_header_by_hash },
    { "getBlockHashByNumber", "blockNumber", "a block's hash", 1, 1, cmd_hash_by_number },
    { "getTransactionByHash", "transactionHash", "a transaction as JSON", 1, 1, cmd_tx_by_hash },
    { "getTransactionReceipt", "transactionHash", "a transaction's receipt as JSON", 1, 1,
      cmd_receipt },
    { "getTransactionByBlockNumberAndIndex", "blockNumber transactionIndex",
      "the transaction at an index of a block", 2, 2, cmd_tx_by_number_index },
    { "getTransactionByBlockHashAndIndex", "blockHash transactionIndex",
      "the transaction at an index of a block", 2, 2, cmd_tx_by_hash_index },
    { NULL, NULL, NULL, 0, 0, NULL },
};
