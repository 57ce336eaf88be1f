/*
 * genesis.c — the genesis mark and block 0.
 */
#include "ledger/genesis.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

#define MAX_GROUP_ID 32767 /* group IDs must fit the 16 high bits of a protocol ID */

void
genesis_init(genesis_t *g, int group_id)
{
    memset(g, 0, sizeof *g);
    g->group_id = group_id;
    snprintf(g->consensus_type, sizeof g->consensus_type, "pbft");
    snprintf(g->state_type, sizeof g->state_type, "storage");
    g->max_trans_num = GENESIS_MAX_TRANS_NUM;
    g->tx_gas_limit = GENESIS_TX_GAS_LIMIT;
    g->consensus_timeout = GENESIS_CONSENSUS_TIMEOUT;
}

void
genesis_free(genesis_t *g)
{
    free(g->sealers);
    g->sealers = NULL;
    g->nsealers = 0;
}

void
genesis_add_sealer(genesis_t *g, const uint8_t node_id[64])
{
    g->sealers = bl_xrealloc(g->sealers, (g->nsealers + 1) * 64);
    memcpy(g->sealers[g->nsealers++], node_id, 64);
}

char *
genesis_mark(const genesis_t *g)
{
    bl_buf_t s = BL_BUF_INIT;
    char part[160];
    int n;

    n = snprintf(part, sizeof part, "%d-", g->group_id);
    bl_buf_append(&s, part, (size_t)n);
    for (size_t i = 0; i < g->nsealers; i++) {
        bl_hex_encode(g->sealers[i], 64, part);
        bl_buf_append(&s, part, 128);
        bl_buf_push(&s, ',');
    }
    n = snprintf(part, sizeof part, "-%s-%s-%u-%llu-%llu-%llu", g->consensus_type,
                 g->state_type, (unsigned)g->evm_flags, (unsigned long long)g->max_trans_num,
                 (unsigned long long)g->tx_gas_limit, (unsigned long long)g->consensus_timeout);
    bl_buf_append(&s, part, (size_t)n);
    bl_buf_push(&s, '\0');
    return (char *)s.data;
}

static int
check_description(const genesis_t *g)
{
    const char *c = g->consensus_type, *st = g->state_type;

    if (g->group_id < 1 || g->group_id > MAX_GROUP_ID)
        return bl_fail(BL_E_RANGE, "group id %d is outside 1..%d", g->group_id, MAX_GROUP_ID);
    if (strcmp(c, "pbft") != 0 && strcmp(c, "raft") != 0 && strcmp(c, "solo") != 0)
        return bl_fail(BL_E_INVALID, "consensus_type '%s' is not pbft, raft or solo", c);
    if (strcmp(st, "storage") != 0 && strcmp(st, "mpt") != 0)
        return bl_fail(BL_E_INVALID, "state type '%s' is not storage or mpt", st);
    if (g->nsealers == 0)
        return bl_fail(BL_E_INVALID, "a group needs at least one sealer in its genesis");
    if (g->max_trans_num == 0 || g->tx_gas_limit == 0 || g->consensus_timeout == 0)
        return bl_fail(BL_E_RANGE, "max_trans_num, gas_limit and consensus_timeout must be "
                       "positive");
    if (g->timestamp < 0)
        return bl_fail(BL_E_RANGE, "the genesis timestamp cannot be negative");
    return BL_OK;
}

int
genesis_block(const suite_t *suite, const genesis_t *g, block_t *out)
{
    char *mark;
    int err;

    block_init(out);
    if ((err = check_description(g)) != BL_OK)
        return err;
    mark = genesis_mark(g);
    out->header.number = 0;
    out->header.timestamp = g->timestamp;
    header_add_extra(&out->header, mark, strlen(mark));
    block_compute_roots(suite, out);
    free(mark);
    return BL_OK;
}
