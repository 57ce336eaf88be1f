/*
 * json.h — ledger objects as JSON, in the shape of FISCO BCOS 2.x's JSON-RPC answers.
 *
 * A student who later meets a real FISCO node sees the same names: getBlockByNumber's
 * parentHash, transactionsRoot, sealerList, signatureList; getTransactionByHash's from, input,
 * blockLimit, chainId... As in FISCO's RPC, byte strings are "0x"-prefixed lowercase hex and
 * numbers are "0x" hex quantities without leading zeros ("0x0", "0x1f4").
 */
#ifndef BL_LEDGER_JSON_H
#define BL_LEDGER_JSON_H

#include <stdbool.h>
#include <jansson.h>

#include "base/u256.h"
#include "ledger/block.h"

json_t *json_hex(const uint8_t *p, size_t n);      /* "0x…" */
json_t *json_quantity(uint64_t v);                 /* "0x1f4" */
json_t *json_u256_quantity(const bl_u256_t *v);

json_t *tx_to_json(const suite_t *suite, const tx_t *tx);
json_t *receipt_to_json(const receipt_t *r);
json_t *header_to_json(const suite_t *suite, const header_t *h);
/* with_txs: full transaction objects (true) or just their hashes (false), as in FISCO's RPC */
json_t *block_to_json(const suite_t *suite, const block_t *b, bool with_txs);

#endif
