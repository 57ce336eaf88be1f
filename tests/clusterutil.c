/*
 * clusterutil.c — real nodes on the simulator for scenario tests (clusterutil.h).
 */
#include "clusterutil.h"

#include "testutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "ledger/status.h"
#include "ledger/tx.h"
#include "node/group.h"

#define CU_LOG_EVENTS (1u << 18)
#define CU_GENESIS_TIME 1700000000000LL

static int
compare_keys(const void *a, const void *b)
{
    return memcmp(((const keypair_t *)a)->pub, ((const keypair_t *)b)->pub, 64);
}

void
cu_open(cu_cluster_t *c, uint64_t seed, unsigned n)
{
    assert_true(n <= CU_MAX_NODES);
    memset(c, 0, sizeof *c);
    c->seed = seed;
    c->n = n;
    c->suite = suite_ecdsa();
    for (unsigned i = 0; i < n; i++)
        tu_key(&c->keys[i], c->suite, (uint8_t)(0x11 + i));
    /* Nodes in node-ID order: sealer lists are sorted by ID (pc_consensus_members), so node 0
     * is the first sealer of every group it seals in (the one solo lets seal). */
    qsort(c->keys, n, sizeof c->keys[0], compare_keys);
    for (unsigned i = 0; i < n; i++)
        memcpy(c->ids[i], c->keys[i].pub, 64);
    tu_key(&c->client, c->suite, 0x77);
    c->log = evlog_new(CU_LOG_EVENTS);
    c->next_nonce = seed * 1000000;
}

/* "0,2,3" -> a flag per node */
static void
parse_set(const char *list, unsigned n, bool *out)
{
    const char *p = list;

    memset(out, 0, n * sizeof *out);
    while (*p != '\0') {
        char *end;
        unsigned long i = strtoul(p, &end, 10);

        assert_true(end != p && i < n);
        out[i] = true;
        p = *end == ',' ? end + 1 : end;
    }
}

void
cu_group(cu_cluster_t *c, unsigned id, const char *sealers, const char *hosts)
{
    cu_group_with(c, id, sealers, hosts, "solo");
}

void
cu_group_with(cu_cluster_t *c, unsigned id, const char *sealers, const char *hosts,
              const char *consensus)
{
    genesis_t *g = &c->genesis[c->ngroups];
    bool is_sealer[CU_MAX_NODES], is_host[CU_MAX_NODES];

    assert_true(c->ngroups < CU_MAX_GROUPS);
    genesis_init(g, (int)id);
    snprintf(g->consensus_type, sizeof g->consensus_type, "%s", consensus);
    g->timestamp = CU_GENESIS_TIME;
    parse_set(sealers, c->n, is_sealer);
    parse_set(hosts, c->n, is_host);
    for (unsigned i = 0; i < c->n; i++) {
        if (is_sealer[i])
            genesis_add_sealer(g, c->ids[i]);
        c->hosts[i][c->ngroups] = is_host[i];
    }
    c->ngroups++;
}

#define CU_CERT_DAYS 3650

void
cu_pki(cu_cluster_t *c)
{
    c->pki = true;
    assert_int_equal(pki_make_ca(c->suite, "chain", CU_CERT_DAYS, &c->ca), BL_OK);
    assert_int_equal(pki_make_agency(&c->ca, "agencyA", CU_CERT_DAYS, &c->agency), BL_OK);
    assert_int_equal(pki_make_ca(c->suite, "other chain", CU_CERT_DAYS, &c->foreign_ca), BL_OK);
    assert_int_equal(pki_make_agency(&c->foreign_ca, "agencyX", CU_CERT_DAYS,
                                     &c->foreign_agency), BL_OK);
    for (unsigned i = 0; i < c->n; i++) {
        char name[16];

        snprintf(name, sizeof name, "node%u", i);
        assert_int_equal(pki_issue(&c->agency, &c->keys[i], name, PKI_NODE, CU_CERT_DAYS,
                                   &c->certs[i]), BL_OK);
        c->agency_of[i] = c->agency.cert;
    }
}

void
cu_pki_foreign(cu_cluster_t *c, unsigned i)
{
    X509_free(c->certs[i]);
    assert_int_equal(pki_issue(&c->foreign_agency, &c->keys[i], "impostor", PKI_NODE,
                               CU_CERT_DAYS, &c->certs[i]), BL_OK);
    c->agency_of[i] = c->foreign_agency.cert;
}

void
cu_pki_revoke(cu_cluster_t *c, unsigned i)
{
    memcpy(c->blacklist[c->nblack++], c->ids[i], 64);
}

void
cu_pki_renew(cu_cluster_t *c, unsigned i)
{
    pki_entity_t node = { .cert = c->certs[i], .key = c->keys[i], .has_key = 1 };

    assert_int_equal(pki_renew(&c->agency, &node, CU_CERT_DAYS), BL_OK);
    c->certs[i] = node.cert;
}

void
cu_start(cu_cluster_t *c)
{
    for (unsigned i = 0; i < c->n; i++) {
        size_t k = 0;

        for (size_t j = 0; j < c->ngroups; j++)
            if (c->hosts[i][j])
                c->hosted[i][k++] = c->genesis[j];
        c->configs[i] = (node_config_t){ .suite = c->suite, .key = c->keys[i],
                                         .node_ids = (const uint8_t(*)[64])c->ids,
                                         .chain_id = 1, .groups = c->hosted[i], .ngroups = k };
        if (c->pki) {
            c->configs[i].cert = c->certs[i];
            c->configs[i].agency_cert = c->agency_of[i];
            c->configs[i].policy = (pki_policy_t){
                .chain_ca = c->ca.cert, .blacklist = (const uint8_t(*)[64])c->blacklist,
                .nblack = c->nblack };
        }
    }
    if (c->byz) {
        c->byz_cluster = (byz_cluster_t){ .configs = c->configs, .modes = c->modes };
        c->sim = sim_new(c->seed, c->n, &byz_endpoint_ops, &c->byz_cluster, c->log);
    } else {
        c->sim = sim_new(c->seed, c->n, &node_endpoint_ops, c->configs, c->log);
    }
    assert_non_null(c->sim);
    if (c->has_start_link)
        assert_int_equal(sim_set_links(c->sim, &c->start_link), BL_OK);
    assert_int_equal(sim_start(c->sim), BL_OK);
}

void
cu_start_byzantine(cu_cluster_t *c, const byz_mode_t *modes)
{
    c->byz = true;
    memcpy(c->modes, modes, c->n * sizeof *modes);
    cu_start(c);
}

void
cu_close(cu_cluster_t *c)
{
    sim_free(c->sim);
    for (size_t j = 0; j < c->ngroups; j++)
        genesis_free(&c->genesis[j]);
    evlog_free(c->log);
    if (c->pki) {
        for (unsigned i = 0; i < c->n; i++)
            X509_free(c->certs[i]);
        pki_entity_free(&c->ca);
        pki_entity_free(&c->agency);
        pki_entity_free(&c->foreign_ca);
        pki_entity_free(&c->foreign_agency);
    }
}

static suite_t counting_suite;
static uint8_t counted_pub[64];
static size_t counted;

static int
counting_recover(const uint8_t hash[32], const uint8_t *sig, uint8_t pub[64])
{
    int rc = suite_ecdsa()->recover(hash, sig, pub);

    if (rc == BL_OK && memcmp(pub, counted_pub, 64) == 0)
        counted++;
    return rc;
}

void
cu_count_client_recoveries(cu_cluster_t *c)
{
    counting_suite = *suite_ecdsa();
    counting_suite.recover = counting_recover;
    c->suite = &counting_suite;
    memcpy(counted_pub, c->client.pub, 64);
    counted = 0;
}

size_t
cu_client_recoveries(void)
{
    return counted;
}

node_t *
cu_node(cu_cluster_t *c, unsigned i)
{
    void *n = sim_node(c->sim, i);

    return c->byz ? byz_inner(n) : n;
}

int64_t
cu_height(cu_cluster_t *c, unsigned i, unsigned g)
{
    node_t *n = cu_node(c, i);
    group_t *grp;

    if (n == NULL)
        return -1;
    for (size_t j = 0; j < c->ngroups; j++)
        if (c->genesis[j].group_id == (int)g && !c->hosts[i][j])
            return -1; /* not hosted: do not even ask (asking is a refused query) */
    grp = node_group(n, g);
    return grp != NULL ? group_height(grp) : -1;
}

void
cu_tx(cu_cluster_t *c, unsigned g, uint16_t to, const char *sig, const char *const *args,
      size_t nargs, bl_buf_t *raw)
{
    tx_t tx;

    tx_init(&tx);
    assert_int_equal(tx_make_precompile_call(&tx, &c->client, to, sig, args, nargs,
                                             ++c->next_nonce, 1, g), BL_OK);
    tx_encode(c->suite, &tx, raw);
    tx_free(&tx);
}

void
cu_submit_users(cu_cluster_t *c, unsigned i, unsigned g, unsigned k)
{
    for (unsigned j = 0; j < k; j++) {
        char name[32];
        const char *args[2] = { name, "100" };
        bl_buf_t raw = BL_BUF_INIT;
        uint8_t hash[32];
        int status;

        snprintf(name, sizeof name, "u%llu", (unsigned long long)c->next_nonce);
        cu_tx(c, g, 0x5002, "userAdd(string,uint256)", args, 2, &raw);
        status = node_submit(cu_node(c, i), g, bl_buf_span(&raw), hash);
        if (status != TX_OK)
            fail_msg("seed=%llu: node %u refused a tx for group %u: status %d (%s)",
                     (unsigned long long)c->seed, i, g, status, bl_errmsg());
        bl_buf_free(&raw);
    }
}

typedef struct {
    cu_cluster_t *c;
    unsigned g;
    bool nodes[CU_MAX_NODES];
    int64_t h;
} height_goal_t;

static bool
reached(void *arg)
{
    height_goal_t *goal = arg;

    for (unsigned i = 0; i < goal->c->n; i++)
        if (goal->nodes[i] && cu_height(goal->c, i, goal->g) < goal->h)
            return false;
    return true;
}

void
cu_run_until_height(cu_cluster_t *c, unsigned g, const char *nodes, int64_t h,
                    uint64_t limit_ms)
{
    height_goal_t goal = { .c = c, .g = g, .h = h };

    if (nodes != NULL) {
        parse_set(nodes, c->n, goal.nodes);
    } else {
        for (unsigned i = 0; i < c->n; i++)
            goal.nodes[i] = cu_height(c, i, g) >= 0;
    }
    if (!sim_run_until(c->sim, reached, &goal, limit_ms)) {
        char heights[256] = "";

        for (unsigned i = 0; i < c->n; i++)
            snprintf(heights + strlen(heights), sizeof heights - strlen(heights), " %lld",
                     (long long)cu_height(c, i, g));
        cu_fail(c, "group %u did not reach height %lld by t=%llu (heights:%s)", g,
                (long long)h, (unsigned long long)sim_now(c->sim), heights);
    }
}

void
cu_fail(cu_cluster_t *c, const char *fmt, ...)
{
    char path[64], msg[512];
    va_list ap;

    snprintf(path, sizeof path, "cluster-%llu.trace", (unsigned long long)c->seed);
    sim_write_trace(c->sim, path);
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fail_msg("seed=%llu: %s; trace in %s", (unsigned long long)c->seed, msg, path);
}

/* What cu_wait_committed waits for: node 0 holding every tx of a list. */
typedef struct {
    cu_cluster_t *c;
    unsigned g;
    const uint8_t (*hashes)[32];
    size_t n, nfound;
    bool *found;
    receipt_t *receipts;
    int64_t *numbers;
    int64_t scanned; /* blocks of node 0 already looked through */
} committed_goal_t;

static void
note_block(committed_goal_t *w, const block_t *blk)
{
    for (size_t i = 0; i < blk->ntxs; i++) {
        for (size_t k = 0; k < w->n; k++) {
            if (w->found[k] || memcmp(blk->txs[i].hash, w->hashes[k], 32) != 0)
                continue;
            w->found[k] = true;
            w->nfound++;
            if (w->receipts != NULL)
                receipt_copy(&w->receipts[k], &blk->receipts[i]);
            if (w->numbers != NULL)
                w->numbers[k] = blk->header.number;
        }
    }
}

static bool
all_committed(void *arg)
{
    committed_goal_t *w = arg;
    int64_t h = cu_height(w->c, 0, w->g);

    for (; w->scanned < h; w->scanned++) {
        block_t blk;

        block_init(&blk);
        assert_int_equal(group_block_stored(node_group(cu_node(w->c, 0), w->g), w->scanned + 1,
                                            &blk), BL_OK);
        note_block(w, &blk);
        block_free(&blk);
    }
    return w->nfound == w->n;
}

void
cu_wait_committed(cu_cluster_t *c, unsigned g, const uint8_t (*hashes)[32], size_t n,
                  receipt_t *receipts, int64_t *numbers, uint64_t limit_ms, const char *hint)
{
    committed_goal_t w = { .c = c, .g = g, .hashes = hashes, .n = n, .receipts = receipts,
                           .numbers = numbers };

    w.found = calloc(n ? n : 1, sizeof *w.found);
    assert_non_null(w.found);
    for (size_t i = 0; i < n; i++) {
        if (receipts != NULL)
            receipt_init(&receipts[i]);
        if (numbers != NULL)
            numbers[i] = -1;
    }
    bool done = sim_run_until(c->sim, all_committed, &w, limit_ms);
    free(w.found);
    if (!done)
        cu_fail(c, "only %zu of %zu transactions were committed by t=%llu ms%s%s", w.nfound, n,
                (unsigned long long)sim_now(c->sim), hint ? " " : "", hint ? hint : "");
    cu_run_until_height(c, g, NULL, cu_height(c, 0, g), limit_ms);
}

void
cu_assert_tips_agree(cu_cluster_t *c, unsigned g)
{
    int64_t h = cu_height(c, 0, g);
    uint8_t first[32];

    for (unsigned i = 0; i < c->n; i++) {
        block_t blk;
        uint8_t hash[32];

        if (cu_height(c, i, g) != h)
            cu_fail(c, "node %u is at height %lld of group %u, node 0 at %lld", i,
                    (long long)cu_height(c, i, g), g, (long long)h);
        block_init(&blk);
        assert_int_equal(group_block_stored(node_group(cu_node(c, i), g), h, &blk), BL_OK);
        block_hash(c->suite, &blk, hash);
        block_free(&blk);
        if (i == 0)
            memcpy(first, hash, 32);
        else if (memcmp(first, hash, 32) != 0)
            cu_fail(c, "node %u's block %lld of group %u differs from node 0's", i,
                    (long long)h, g);
    }
}

size_t
cu_count_events(cu_cluster_t *c, ev_kind_t kind, int node)
{
    ev_t batch[1024];
    uint64_t after = 0;
    size_t n, count = 0;

    while ((n = evlog_read(c->log, after, batch, 1024, NULL)) > 0) {
        for (size_t i = 0; i < n; i++)
            if (batch[i].kind == kind && (node < 0 || batch[i].node == node))
                count++;
        after = batch[n - 1].seq;
    }
    return count;
}
