/*
 * txpool.c — admission, the pending list and the sealer's view (see txpool.h for the why).
 *
 * What the pool answers, in the order it checks (FISCO's TxPool::import then TxPool::verify;
 * the codes are those of TxPool::notifyReceipt, which turns FISCO's ImportResult into the
 * status a client sees):
 *
 *   not RLP at all                      2     BadRLP. In FISCO the RPC layer refuses such bytes
 *                                             before the pool; BadRLP is the status that says it.
 *   RLP, but not a transaction          10005 MalformedTx (wrong item count, a field of the
 *                                             wrong type or size: FISCO's decoder throws, and
 *                                             the pool's word for an unusable tx is Malformed).
 *   pool full (size >= limit)           28    TxPoolIsFull. FISCO checks this in import(),
 *                                             before verify(), so it comes before the rest.
 *   hash already pending                10000 AlreadyKnown
 *   hash dropped earlier by this pool   10001 AlreadyInChain (FISCO's m_dropped: a tx dropped
 *                                             for an expired blockLimit or age is "treated as
 *                                             already on chain")
 *   nonce in the ledger window          15    NonceCheckFail. FISCO's TransactionNonceCheckFail
 *                                             maps to 15, not to AlreadyInChain: the pool knows
 *                                             only that the NONCE was used, not that this very
 *                                             transaction was. (A nonce of 2^256-1, FISCO's
 *                                             "invalid" value, fails here too.)
 *   blockLimit outside (cur, cur+1000]  16    BlockLimitCheckFail
 *   signature does not verify           10005 MalformedTx: FISCO's verify() catches the failed
 *                                             sender recovery and answers Malformed. (5,
 *                                             InvalidSignature, is the executive's code for a
 *                                             signature checked inside a block, not the pool's.)
 *   nonce of another pending tx         15    NonceCheckFail (FISCO's TxPoolNonceCheckFail)
 *   chainId differs                     10002 InvalidChainId
 *   groupId differs                     10003 InvalidGroupId
 *
 * The transaction is decoded first, but WITHOUT its sender (tx_decode_unverified): the
 * public-key recovery runs only when its turn comes, after the cheap checks, so a replay or a
 * duplicate (every peer forwards what it got) is turned away without one. A signature whose
 * form is wrong (v not 27/28) is remembered and reported in its turn too.
 *
 * What the pool verified it also lends out: txpool_sender gives the sender of a pending tx by
 * its hash, so that consensus need not recover it again from a proposed block (FISCO's PBFT
 * verifies only the txs of a PrepareReq its pool does not hold).
 *
 * FISCO also caps the pool's memory ([tx_pool] memory_limit, OverGroupMemoryLimit 10006) and
 * refuses transactions for a group the node is not a member of (10004); bcoslab's pool counts
 * transactions only, and the node checks membership before it calls the pool.
 */
#include "txpool/txpool.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/hashmap.h"
#include "codec/rlp.h"
#include "ledger/status.h"

typedef struct pool_entry {
    tx_t tx;
    uint64_t import_ms;
    struct pool_entry *prev, *next; /* arrival order */
} pool_entry_t;

/* The nonces of one block of the ledger window. */
typedef struct {
    bool used;
    int64_t number;
    bl_u256_t *nonces;
    size_t count;
} window_slot_t;

struct txpool {
    const suite_t *suite;
    txpool_config_t cfg;
    chain_t *chain;
    int64_t current;        /* the last block the pool knows of */
    bl_map_t by_hash;       /* hash (32 bytes) -> pool_entry_t */
    bl_map_t pending;       /* nonce (32 bytes, big-endian) -> pool_entry_t */
    pool_entry_t *head, *tail;
    bl_map_t ledger;        /* nonce -> how many blocks of the window hold it (a count) */
    window_slot_t *ring;    /* block n's nonces in slot n % ring_size */
    size_t ring_size;       /* block_limit_window + 1: blocks current - window ... current */
    bl_map_t dropped;       /* hashes this pool dropped as invalid -> the pool (a marker) */
};

/* A decoded submission, before it is admitted. */
typedef struct {
    tx_t tx;                /* empty when the signature's form was wrong; no sender yet */
    bool sig_ok;
    char sig_error[400];
    bl_u256_t nonce;
    bl_u256_t block_limit;
    uint8_t hash[32];
} candidate_t;

static int reject(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Record why (for bl_errmsg) and return the status code. */
static int
reject(int status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    bl_fail(BL_E_INVALID, "%s (%s, %d)", msg, tx_status_name(status), status);
    return status;
}

void
txpool_config_init(txpool_config_t *cfg, uint64_t chain_id, uint64_t group_id)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->chain_id = chain_id;
    cfg->group_id = group_id;
    cfg->limit = TXPOOL_INI_LIMIT;
    cfg->expiration_ms = TXPOOL_EXPIRATION_MS;
    cfg->block_limit_window = TXPOOL_BLOCK_LIMIT_WINDOW;
}

/* ---- the ledger nonce window ---- */

/* Count a nonce in (delta +1) or out (-1) of the window. The count lives in the map's value
 * pointer itself: a small integer, not an address. */
static void
ledger_count(txpool_t *p, const bl_u256_t *nonce, int delta)
{
    uintptr_t n = (uintptr_t)bl_map_get(&p->ledger, nonce->be, 32);

    n = delta > 0 ? n + 1 : n - 1;
    if (n == 0)
        bl_map_remove(&p->ledger, nonce->be, 32);
    else
        bl_map_put(&p->ledger, nonce->be, 32, (void *)n);
}

static bool
nonce_on_chain(const txpool_t *p, const bl_u256_t *nonce)
{
    return bl_map_get(&p->ledger, nonce->be, 32) != NULL;
}

static void
slot_clear(txpool_t *p, window_slot_t *s)
{
    for (size_t i = 0; s->used && i < s->count; i++)
        ledger_count(p, &s->nonces[i], -1);
    free(s->nonces);
    memset(s, 0, sizeof *s);
}

/* Block `number` enters the window (taking nonces); the block window+1 below it leaves. */
static void
window_add(txpool_t *p, int64_t number, bl_u256_t *nonces, size_t count)
{
    window_slot_t *s = &p->ring[(size_t)number % p->ring_size];

    slot_clear(p, s);
    s->used = true;
    s->number = number;
    s->nonces = nonces;
    s->count = count;
    for (size_t i = 0; i < count; i++)
        ledger_count(p, &nonces[i], +1);
}

static int
window_load(txpool_t *p, int64_t number)
{
    bl_u256_t *nonces;
    size_t count;
    int rc = chain_nonces_at(p->chain, number, &nonces, &count);

    if (rc == BL_OK)
        window_add(p, number, nonces, count);
    return rc;
}

/* Load blocks from..to (inclusive) from the chain, keeping only the last ring_size. */
static int
window_load_range(txpool_t *p, int64_t from, int64_t to)
{
    int rc = BL_OK;

    if (to - from >= (int64_t)p->ring_size)
        from = to - (int64_t)p->ring_size + 1;
    for (int64_t n = from; n <= to && rc == BL_OK; n++) {
        if ((rc = window_load(p, n)) == BL_OK)
            p->current = n;
    }
    return rc;
}

/* FISCO's isBlockLimitOk: current < blockLimit <= current + window. */
static bool
block_limit_ok(const txpool_t *p, const bl_u256_t *limit)
{
    uint64_t v;

    if (bl_u256_to_u64(limit, &v) != BL_OK || v > (uint64_t)INT64_MAX)
        return false;
    return (int64_t)v > p->current && (int64_t)v <= p->current + p->cfg.block_limit_window;
}

/* ---- the pending transactions ---- */

/* Keep tx (taken over: *tx is left empty) at the end of the arrival order. */
static void
pool_insert(txpool_t *p, tx_t *tx, uint64_t now_ms)
{
    pool_entry_t *e = bl_xcalloc(1, sizeof *e);

    e->tx = *tx;
    tx_init(tx);
    e->import_ms = now_ms;
    e->prev = p->tail;
    if (p->tail != NULL)
        p->tail->next = e;
    else
        p->head = e;
    p->tail = e;
    bl_map_put(&p->by_hash, e->tx.hash, 32, e);
    bl_map_put(&p->pending, e->tx.nonce.be, 32, e);
}

static void
pool_remove(txpool_t *p, pool_entry_t *e)
{
    if (e->prev != NULL)
        e->prev->next = e->next;
    else
        p->head = e->next;
    if (e->next != NULL)
        e->next->prev = e->prev;
    else
        p->tail = e->prev;
    bl_map_remove(&p->by_hash, e->tx.hash, 32);
    if (bl_map_get(&p->pending, e->tx.nonce.be, 32) == e)
        bl_map_remove(&p->pending, e->tx.nonce.be, 32);
    tx_free(&e->tx);
    free(e);
}

/* Drop an invalid transaction and remember its hash, as FISCO's m_dropped does (bounded: the
 * set is emptied when it reaches the pool's limit). */
static void
pool_drop(txpool_t *p, pool_entry_t *e)
{
    if (p->dropped.count >= p->cfg.limit)
        bl_map_clear(&p->dropped, NULL);
    bl_map_put(&p->dropped, e->tx.hash, 32, p);
    pool_remove(p, e);
}

/* ---- the pool ---- */

int
txpool_new(const suite_t *suite, const txpool_config_t *cfg, chain_t *chain, txpool_t **out)
{
    txpool_t *p = bl_xcalloc(1, sizeof *p);
    int64_t current;
    int rc;

    *out = NULL;
    p->suite = suite;
    p->cfg = *cfg;
    p->chain = chain;
    if (p->cfg.limit == 0)
        p->cfg.limit = TXPOOL_DEFAULT_LIMIT;
    if (p->cfg.expiration_ms == 0)
        p->cfg.expiration_ms = TXPOOL_EXPIRATION_MS;
    if (p->cfg.block_limit_window <= 0)
        p->cfg.block_limit_window = TXPOOL_BLOCK_LIMIT_WINDOW;
    bl_map_init(&p->by_hash);
    bl_map_init(&p->pending);
    bl_map_init(&p->ledger);
    bl_map_init(&p->dropped);
    p->ring_size = (size_t)p->cfg.block_limit_window + 1;
    p->ring = bl_xcalloc(p->ring_size, sizeof *p->ring);
    if ((rc = chain_number(chain, &current)) != BL_OK ||
        (rc = window_load_range(p, current - p->cfg.block_limit_window < 0
                                   ? 0 : current - p->cfg.block_limit_window,
                                current)) != BL_OK)
        goto out;
    p->current = current;
    *out = p;
out:
    if (rc != BL_OK)
        txpool_free(p);
    return rc;
}

void
txpool_free(txpool_t *p)
{
    if (p == NULL)
        return;
    while (p->head != NULL)
        pool_remove(p, p->head);
    for (size_t i = 0; i < p->ring_size; i++)
        slot_clear(p, &p->ring[i]);
    free(p->ring);
    bl_map_free(&p->by_hash, NULL);
    bl_map_free(&p->pending, NULL);
    bl_map_free(&p->ledger, NULL);
    bl_map_free(&p->dropped, NULL);
    free(p);
}

size_t
txpool_size(const txpool_t *p)
{
    return p->by_hash.count;
}

int64_t
txpool_current(const txpool_t *p)
{
    return p->current;
}

bool
txpool_contains(const txpool_t *p, const uint8_t hash[32])
{
    return bl_map_get(&p->by_hash, hash, 32) != NULL;
}

int
txpool_get(const txpool_t *p, const uint8_t hash[32], tx_t *out)
{
    const pool_entry_t *e = bl_map_get(&p->by_hash, hash, 32);

    if (e == NULL) {
        tx_init(out);
        return bl_fail(BL_E_NOTFOUND, "the transaction is not in the pool");
    }
    tx_copy(out, &e->tx);
    return BL_OK;
}

bool
txpool_sender(const txpool_t *p, const uint8_t hash[32], uint8_t pub[64], uint8_t addr[20])
{
    const pool_entry_t *e = bl_map_get(&p->by_hash, hash, 32);

    if (e == NULL)
        return false;
    memcpy(pub, e->tx.sender_pub, 64);
    memcpy(addr, e->tx.sender, 20);
    return true;
}

/* ---- admission ---- */

/* Decode raw, without recovering the sender (check_signed does, in its turn). A signature of
 * the wrong form is not an error yet either: the nonce, blockLimit and hash are then read from
 * the RLP directly. */
static int
decode_candidate(const txpool_t *p, bl_span_t raw, candidate_t *c)
{
    rlp_item_t top, items[TX_FIELDS];
    char why[400];
    int rc;

    memset(c, 0, sizeof *c);
    tx_init(&c->tx);
    if (rlp_decode(raw, &top) != BL_OK) {
        snprintf(why, sizeof why, "%s", bl_errmsg());
        return reject(TX_BAD_RLP, "the transaction is not RLP: %s", why);
    }
    rc = tx_decode_unverified(p->suite, raw, &c->tx);
    if (rc == BL_OK) {
        c->sig_ok = true;
        c->nonce = c->tx.nonce;
        c->block_limit = c->tx.block_limit;
        memcpy(c->hash, c->tx.hash, 32);
        return TX_OK;
    }
    snprintf(why, sizeof why, "%s", bl_errmsg());
    if (rc != BL_E_SIGNATURE)
        return reject(TX_MALFORMED_TX, "%s", why);
    /* every field but the signature decoded: the decoder checks the signature last */
    snprintf(c->sig_error, sizeof c->sig_error, "%s", why);
    if (rlp_list_exact(&top, items, TX_FIELDS, "transaction") != BL_OK ||
        rlp_get_u256(&items[0], &c->nonce) != BL_OK ||
        rlp_get_u256(&items[3], &c->block_limit) != BL_OK)
        return reject(TX_MALFORMED_TX, "%s", why);
    p->suite->hash(raw.ptr, raw.len, c->hash);
    return TX_OK;
}

static bool
is_invalid_nonce(const bl_u256_t *nonce)
{
    for (size_t i = 0; i < sizeof nonce->be; i++)
        if (nonce->be[i] != 0xff)
            return false;
    return true;
}

/* The checks before the signature: capacity, hash, ledger nonce, blockLimit. */
static int
check_unsigned(const txpool_t *p, const candidate_t *c)
{
    int64_t limit_end = p->current + p->cfg.block_limit_window;
    char limit[BL_U256_DEC_MAX];

    if (txpool_size(p) >= p->cfg.limit)
        return reject(TX_TXPOOL_IS_FULL, "the pool holds its limit of %zu transactions",
                      p->cfg.limit);
    if (bl_map_get(&p->by_hash, c->hash, 32) != NULL)
        return reject(TX_ALREADY_KNOWN, "the transaction is already in the pool");
    if (bl_map_get(&p->dropped, c->hash, 32) != NULL)
        return reject(TX_ALREADY_IN_CHAIN, "the pool dropped this transaction before");
    if (is_invalid_nonce(&c->nonce) || nonce_on_chain(p, &c->nonce))
        return reject(TX_NONCE_CHECK_FAIL, "the nonce was used in one of the last %lld blocks",
                      (long long)p->cfg.block_limit_window + 1);
    if (!block_limit_ok(p, &c->block_limit)) {
        bl_u256_to_dec(&c->block_limit, limit);
        return reject(TX_BLOCK_LIMIT_CHECK_FAIL, "blockLimit %s is not in (%lld, %lld]: the "
                      "current block is %lld", limit, (long long)p->current,
                      (long long)limit_end, (long long)p->current);
    }
    return TX_OK;
}

/* The checks from the signature on: signature (the sender recovered here, the dear step),
 * pending nonce, chain id, group id. */
static int
check_signed(const txpool_t *p, candidate_t *c)
{
    bl_u256_t want;
    char why[400];

    if (!c->sig_ok)
        return reject(TX_MALFORMED_TX, "%s", c->sig_error);
    if (tx_recover_sender(p->suite, &c->tx) != BL_OK) {
        snprintf(why, sizeof why, "%s", bl_errmsg());
        return reject(TX_MALFORMED_TX, "%s", why);
    }
    if (bl_map_get(&p->pending, c->nonce.be, 32) != NULL)
        return reject(TX_NONCE_CHECK_FAIL, "another pending transaction has the same nonce");
    bl_u256_from_u64(&want, p->cfg.chain_id);
    if (bl_u256_cmp(&c->tx.chain_id, &want) != 0)
        return reject(TX_INVALID_CHAIN_ID, "the transaction is for another chain (this is "
                      "chain %llu)", (unsigned long long)p->cfg.chain_id);
    bl_u256_from_u64(&want, p->cfg.group_id);
    if (bl_u256_cmp(&c->tx.group_id, &want) != 0)
        return reject(TX_INVALID_GROUP_ID, "the transaction is for another group (this is "
                      "group %llu)", (unsigned long long)p->cfg.group_id);
    return TX_OK;
}

int
txpool_submit(txpool_t *p, bl_span_t raw, uint64_t now_ms, uint8_t hash_out[32])
{
    candidate_t c;
    int status = decode_candidate(p, raw, &c);

    if (status != TX_OK)
        goto out;
    if (hash_out != NULL)
        memcpy(hash_out, c.hash, 32);
    if ((status = check_unsigned(p, &c)) != TX_OK || (status = check_signed(p, &c)) != TX_OK)
        goto out;
    pool_insert(p, &c.tx, now_ms);
out:
    tx_free(&c.tx);
    return status;
}

/* ---- blocks ---- */

static bl_u256_t *
block_nonces(const block_t *blk)
{
    bl_u256_t *nonces = bl_xcalloc(blk->ntxs + 1, sizeof *nonces);

    for (size_t i = 0; i < blk->ntxs; i++)
        nonces[i] = blk->txs[i].nonce;
    return nonces;
}

int
txpool_on_commit(txpool_t *p, const block_t *blk)
{
    int64_t n = blk->header.number;
    pool_entry_t *e;
    int rc = BL_OK;

    if (n > p->current) {
        if (n > p->current + 1)
            rc = window_load_range(p, p->current + 1, n - 1);
        if (rc == BL_OK) {
            window_add(p, n, block_nonces(blk), blk->ntxs);
            p->current = n;
        }
    }
    for (size_t i = 0; i < blk->ntxs; i++)
        if ((e = bl_map_get(&p->by_hash, blk->txs[i].hash, 32)) != NULL)
            pool_remove(p, e);
    return rc;
}

/* Can e still go into block current + 1? If not, it leaves the pool (FISCO's
 * topTransactions: an on-chain nonce is skipped, an expired tx becomes invalid). */
static bool
still_valid(txpool_t *p, pool_entry_t *e, uint64_t now_ms)
{
    if (nonce_on_chain(p, &e->tx.nonce)) {
        pool_remove(p, e); /* committed (or a replay of one that was): nothing to remember */
        return false;
    }
    if (!block_limit_ok(p, &e->tx.block_limit) ||
        (now_ms > e->import_ms && now_ms - e->import_ms > p->cfg.expiration_ms)) {
        pool_drop(p, e);
        return false;
    }
    return true;
}

int
txpool_top(txpool_t *p, size_t max, uint64_t now_ms, tx_t **out, size_t *n)
{
    size_t cap = max < txpool_size(p) ? max : txpool_size(p);
    pool_entry_t *e = p->head, *next;

    *out = bl_xcalloc(cap + 1, sizeof **out);
    *n = 0;
    for (; e != NULL && *n < max; e = next) {
        next = e->next;
        if (still_valid(p, e, now_ms))
            tx_copy(&(*out)[(*n)++], &e->tx);
    }
    return BL_OK;
}
