/*
 * json.c — see json.h. Only presentation lives here: nothing in the chain reads this JSON back.
 */
#include "ledger/json.h"

#include <stdio.h>
#include <stdlib.h>

#include "base/bytes.h"
#include "base/error.h"

json_t *
json_hex(const uint8_t *p, size_t n)
{
    char *s = bl_hex_string_0x(p, n);
    json_t *j;

    j = json_string(s);
    free(s);
    return j;
}

json_t *
json_quantity(uint64_t v)
{
    char s[24];

    snprintf(s, sizeof s, "0x%llx", (unsigned long long)v);
    return json_string(s);
}

json_t *
json_u256_quantity(const bl_u256_t *v)
{
    const uint8_t *start;
    size_t n = bl_u256_min_be(v, &start);
    char s[80];

    if (n == 0)
        return json_string("0x0");
    /* the hex of the minimal bytes, without a leading zero nibble */
    bl_hex_encode(start, n, s + 2);
    if (s[2] == '0') {
        s[2] = 'x';
        s[1] = '0';
        return json_string(s + 1);
    }
    s[0] = '0';
    s[1] = 'x';
    return json_string(s);
}

static json_t *
signature_json(const suite_t *suite, const tx_t *tx)
{
    json_t *sig = json_object();

    json_object_set_new(sig, "r", json_hex(tx->sig, 32));
    json_object_set_new(sig, "s", json_hex(tx->sig + 32, 32));
    if (suite->kind == SUITE_ECDSA)
        json_object_set_new(sig, "v", json_quantity(tx->sig[64]));
    else
        json_object_set_new(sig, "v", json_hex(tx->sig + 64, 64));
    json_object_set_new(sig, "signature", json_hex(tx->sig, tx->sig_len));
    return sig;
}

json_t *
tx_to_json(const suite_t *suite, const tx_t *tx)
{
    json_t *j = json_object();

    json_object_set_new(j, "hash", json_hex(tx->hash, 32));
    json_object_set_new(j, "from", json_hex(tx->sender, 20));
    json_object_set_new(j, "to", tx->has_to ? json_hex(tx->to, 20) : json_null());
    json_object_set_new(j, "nonce", json_u256_quantity(&tx->nonce));
    json_object_set_new(j, "gasPrice", json_u256_quantity(&tx->gas_price));
    json_object_set_new(j, "gas", json_u256_quantity(&tx->gas));
    json_object_set_new(j, "blockLimit", json_u256_quantity(&tx->block_limit));
    json_object_set_new(j, "value", json_u256_quantity(&tx->value));
    json_object_set_new(j, "input", json_hex(tx->data.data, tx->data.len));
    json_object_set_new(j, "chainId", json_u256_quantity(&tx->chain_id));
    json_object_set_new(j, "groupId", json_u256_quantity(&tx->group_id));
    json_object_set_new(j, "extraData", json_hex(tx->extra_data.data, tx->extra_data.len));
    json_object_set_new(j, "signature", signature_json(suite, tx));
    return j;
}

static json_t *
log_json(const log_entry_t *log)
{
    json_t *j = json_object(), *topics = json_array();

    for (size_t i = 0; i < log->ntopics; i++)
        json_array_append_new(topics, json_hex(log->topics[i], 32));
    json_object_set_new(j, "address", json_hex(log->address, 20));
    json_object_set_new(j, "topics", topics);
    json_object_set_new(j, "data", json_hex(log->data.data, log->data.len));
    return j;
}

json_t *
receipt_to_json(const receipt_t *r)
{
    json_t *j = json_object(), *logs = json_array();

    for (size_t i = 0; i < r->nlogs; i++)
        json_array_append_new(logs, log_json(&r->logs[i]));
    json_object_set_new(j, "root", json_hex(r->state_root, 32));
    json_object_set_new(j, "gasUsed", json_quantity(r->gas_used));
    json_object_set_new(j, "contractAddress", json_hex(r->contract_address, 20));
    json_object_set_new(j, "logsBloom", json_hex(r->bloom, RECEIPT_BLOOM_BYTES));
    json_object_set_new(j, "status", json_quantity(r->status));
    json_object_set_new(j, "output", json_hex(r->output.data, r->output.len));
    if (r->has_remain_gas)
        json_object_set_new(j, "remainGas", json_quantity(r->remain_gas));
    json_object_set_new(j, "logs", logs);
    return j;
}

json_t *
header_to_json(const suite_t *suite, const header_t *h)
{
    json_t *j = json_object(), *extra = json_array(), *sealers = json_array();
    uint8_t hash[32];

    header_hash(suite, h, hash);
    for (size_t i = 0; i < h->nextra; i++)
        json_array_append_new(extra, json_hex(h->extra[i].data, h->extra[i].len));
    for (size_t i = 0; i < h->nsealers; i++)
        json_array_append_new(sealers, json_hex(h->sealer_list[i], 64));
    json_object_set_new(j, "hash", json_hex(hash, 32));
    json_object_set_new(j, "parentHash", json_hex(h->parent_hash, 32));
    json_object_set_new(j, "stateRoot", json_hex(h->state_root, 32));
    json_object_set_new(j, "transactionsRoot", json_hex(h->tx_root, 32));
    json_object_set_new(j, "receiptsRoot", json_hex(h->receipt_root, 32));
    json_object_set_new(j, "dbHash", json_hex(h->db_hash, 32));
    json_object_set_new(j, "logsBloom", json_hex(h->log_bloom, RECEIPT_BLOOM_BYTES));
    json_object_set_new(j, "number", json_quantity((uint64_t)h->number));
    json_object_set_new(j, "gasLimit", json_quantity(h->gas_limit));
    json_object_set_new(j, "gasUsed", json_quantity(h->gas_used));
    json_object_set_new(j, "timestamp", json_quantity((uint64_t)h->timestamp));
    json_object_set_new(j, "extraData", extra);
    json_object_set_new(j, "sealer", json_quantity(h->sealer));
    json_object_set_new(j, "sealerList", sealers);
    return j;
}

json_t *
block_to_json(const suite_t *suite, const block_t *b, bool with_txs)
{
    json_t *j = header_to_json(suite, &b->header), *txs = json_array(), *sigs = json_array();

    for (size_t i = 0; i < b->ntxs; i++)
        json_array_append_new(txs, with_txs ? tx_to_json(suite, &b->txs[i])
                                            : json_hex(b->txs[i].hash, 32));
    for (size_t i = 0; i < b->nsigs; i++) {
        json_t *s = json_object();
        json_object_set_new(s, "index", json_quantity(b->sigs[i].index));
        json_object_set_new(s, "signature", json_hex(b->sigs[i].sig, b->sigs[i].sig_len));
        json_array_append_new(sigs, s);
    }
    json_object_set_new(j, "transactions", txs);
    json_object_set_new(j, "signatureList", sigs);
    return j;
}
