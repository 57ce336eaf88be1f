/*
 * world.c — a running chain for the visualizer (world.h).
 *
 * Three parts: making the cluster (keys from the seed, a chain CA and one agency per node with
 * real certificates, the groups' genesis blocks), driving it (the simulator or the threads
 * driver behind one set of functions), and the client that loads it (signed DagTransfer
 * transfers between a hundred users per group, so that some transactions conflict and the
 * DAG view has edges to show).
 */
#include "world.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"
#include "base/rng.h"
#include "ledger/genesis.h"
#include "ledger/status.h"
#include "ledger/tx.h"
#include "net/sim.h"
#include "net/threads.h"
#include "node/cluster.h"
#include "node/group.h"
#include "pki/pki.h"

#define WORLD_LOG_EVENTS (1u << 18)
#define WORLD_GENESIS_TIME 1700000000000LL
#define WORLD_CERT_DAYS 3650
#define WORLD_USERS 100            /* DagTransfer accounts per group */
#define WORLD_USER_BALANCE "1000000000"
#define WORLD_SLICE_MS 50          /* the simulator runs in slices; the load is sent per slice */
#define WORLD_MAX_PER_SLICE 2000   /* a rate the nodes cannot take is clipped, not queued */
#define WORLD_BLOCK_LIMIT_AHEAD 500

struct world {
    world_opts_t o;
    const suite_t *suite;
    keypair_t keys[WORLD_MAX_NODES];
    uint8_t ids[WORLD_MAX_NODES][64];
    char names[WORLD_MAX_NODES][4];
    genesis_t genesis[WORLD_MAX_GROUPS];
    char consensus[WORLD_MAX_GROUPS][16];
    bool hosts[WORLD_MAX_NODES][WORLD_MAX_GROUPS];
    genesis_t hosted[WORLD_MAX_NODES][WORLD_MAX_GROUPS];
    node_config_t configs[WORLD_MAX_NODES];
    byz_mode_t modes[WORLD_MAX_NODES];
    byz_cluster_t byz;
    pki_entity_t ca, agency[WORLD_MAX_NODES];
    X509 *certs[WORLD_MAX_NODES];
    /* Each node its own copy of the chain CA's certificate: OpenSSL caches things inside an
     * X509 while verifying against it, so node threads must not share one. */
    X509 *ca_copy[WORLD_MAX_NODES];

    evlog_t *log;
    sim_t *sim;
    threads_t *threads;
    char *data_dir;                 /* RocksDB disks (threads driver), removed at close */

    bool up[WORLD_MAX_NODES];
    bool isolated[WORLD_MAX_NODES];
    bool paused;
    double speed;

    /* the client */
    keypair_t client;
    bl_rng_t rng;
    uint64_t nonce;
    unsigned rate;
    double owed[WORLD_MAX_GROUPS];  /* transactions the rate owes, with the fraction kept */
    uint64_t load_clock;            /* world_now when the load was last paid */
    bool users_added[WORLD_MAX_GROUPS];
    int64_t tip[WORLD_MAX_GROUPS];  /* the group's height as last seen: for blockLimit */
    uint64_t sent[WORLD_MAX_GROUPS];
    unsigned next_entry;            /* members take turns receiving the load */

    cluster_t *cluster;             /* world_open_dir: the directory's nodes (configs point in) */
};

world_opts_t
world_default_opts(void)
{
    return (world_opts_t){ .nodes = 4, .groups = 2, .consensus = "pbft,raft",
                           .storage = "memory", .sim = false, .seed = 1, .rate = 200 };
}

/* ---- making the cluster ---- */

static int
check_opts(const world_opts_t *o)
{
    if (o->nodes < 1 || o->nodes > WORLD_MAX_NODES)
        return bl_fail(BL_E_RANGE, "--nodes is 1..%d, not %u", WORLD_MAX_NODES, o->nodes);
    if (o->groups < 1 || o->groups > WORLD_MAX_GROUPS)
        return bl_fail(BL_E_RANGE, "--groups is 1..%d, not %u", WORLD_MAX_GROUPS, o->groups);
    if (strcmp(o->storage, "memory") != 0 && strcmp(o->storage, "rocksdb") != 0)
        return bl_fail(BL_E_INVALID, "--storage is memory or rocksdb, not '%s'", o->storage);
    if (strcmp(o->storage, "rocksdb") == 0 && o->sim)
        return bl_fail(BL_E_INVALID, "--storage rocksdb needs the threads driver (the "
                       "simulator keeps its disks in memory so that runs replay)");
    return BL_OK;
}

/* Group k's word of the consensus list ("pbft,raft": group 1 PBFT, the rest Raft). */
static int
pick_consensus(const char *list, unsigned k, char out[16])
{
    const char *p = list;

    for (unsigned i = 0; i < k && strchr(p, ',') != NULL; i++)
        p = strchr(p, ',') + 1;
    snprintf(out, 16, "%.*s", (int)strcspn(p, ","), p);
    if (strcmp(out, "pbft") != 0 && strcmp(out, "raft") != 0 && strcmp(out, "solo") != 0)
        return bl_fail(BL_E_INVALID, "--consensus wants pbft, raft or solo (or a list like "
                       "pbft,raft), not '%s'", list);
    return BL_OK;
}

static int
compare_keys(const void *a, const void *b)
{
    return memcmp(((const keypair_t *)a)->pub, ((const keypair_t *)b)->pub, 64);
}

/* Keys from the seed, sorted by node ID so that A is the first sealer everywhere (sealer lists
 * are kept in ID order) and the names read in the order the protocols use. */
static int
make_keys(world_t *w)
{
    for (unsigned i = 0; i < w->o.nodes; i++) {
        uint8_t priv[32];
        bl_rng_t r;

        bl_rng_seed(&r, w->o.seed * 131 + i + 1);
        bl_rng_bytes(&r, priv, sizeof priv);
        priv[0] = 0x01; /* well below the curve order, never zero */
        if (keypair_from_priv(&w->keys[i], w->suite, priv) != BL_OK)
            return bl_fail(BL_E_INVALID, "cannot make node key %u", i);
    }
    qsort(w->keys, w->o.nodes, sizeof w->keys[0], compare_keys);
    for (unsigned i = 0; i < w->o.nodes; i++) {
        memcpy(w->ids[i], w->keys[i].pub, 64);
        snprintf(w->names[i], sizeof w->names[i], "%c", 'A' + i);
    }
    return BL_OK;
}

/* The chain CA, one agency per node (agency A runs node A, ...), each node's certificate. */
static int
make_certs(world_t *w)
{
    int rc = pki_make_ca(w->suite, "bcoslab demo chain", WORLD_CERT_DAYS, &w->ca);

    for (unsigned i = 0; i < w->o.nodes && rc == BL_OK; i++) {
        char agency[16], node[16];

        snprintf(agency, sizeof agency, "agency%s", w->names[i]);
        snprintf(node, sizeof node, "node%s", w->names[i]);
        rc = pki_make_agency(&w->ca, agency, WORLD_CERT_DAYS, &w->agency[i]);
        if (rc == BL_OK)
            rc = pki_issue(&w->agency[i], &w->keys[i], node, PKI_NODE, WORLD_CERT_DAYS,
                           &w->certs[i]);
        if (rc == BL_OK && (w->ca_copy[i] = X509_dup(w->ca.cert)) == NULL)
            rc = bl_fail(BL_E_INVALID, "cannot copy the chain CA's certificate");
    }
    return rc;
}

static int
make_groups(world_t *w)
{
    for (unsigned k = 0; k < w->o.groups; k++) {
        genesis_t *g = &w->genesis[k];
        int rc = pick_consensus(w->o.consensus, k, w->consensus[k]);

        if (rc != BL_OK)
            return rc;
        genesis_init(g, (int)k + 1);
        memcpy(g->consensus_type, w->consensus[k], sizeof g->consensus_type);
        g->timestamp = WORLD_GENESIS_TIME;
        for (unsigned i = 0; i < w->o.nodes; i++) {
            w->hosts[i][k] = k == 0 || i < 2;
            if (w->hosts[i][k])
                genesis_add_sealer(g, w->ids[i]);
        }
    }
    return BL_OK;
}

static void
make_configs(world_t *w)
{
    for (unsigned i = 0; i < w->o.nodes; i++) {
        size_t n = 0;

        for (unsigned k = 0; k < w->o.groups; k++)
            if (w->hosts[i][k])
                w->hosted[i][n++] = w->genesis[k];
        w->configs[i] = (node_config_t){
            .suite = w->suite, .key = w->keys[i], .node_ids = (const uint8_t(*)[64])w->ids,
            .chain_id = 1, .groups = w->hosted[i], .ngroups = n,
            .cert = w->certs[i], .agency_cert = w->agency[i].cert,
            .policy = { .chain_ca = w->ca_copy[i] } };
    }
    w->byz = (byz_cluster_t){ .configs = w->configs, .modes = w->modes };
}

static int
start_driver(world_t *w)
{
    int rc = BL_OK;

    if (w->o.sim) {
        w->sim = sim_new(w->o.seed, w->o.nodes, &byz_endpoint_ops, &w->byz, w->log);
        if (w->sim == NULL)
            return BL_E_INVALID;
        return sim_start(w->sim);
    }
    if (strcmp(w->o.storage, "rocksdb") == 0) {
        char tmpl[] = "/tmp/bcoslab-demo-XXXXXX";

        if (mkdtemp(tmpl) == NULL)
            return bl_fail(BL_E_IO, "cannot make a directory for the nodes' RocksDB disks");
        w->data_dir = bl_xstrdup(tmpl);
    }
    rc = threads_new(w->o.nodes, &byz_endpoint_ops, &w->byz, w->log, w->data_dir, w->o.seed,
                     &w->threads);
    if (rc == BL_OK)
        rc = threads_start(w->threads);
    return rc;
}

world_t *
world_open(const world_opts_t *o)
{
    world_t *w;
    uint8_t client[32] = { 0x0c };

    if (check_opts(o) != BL_OK)
        return NULL;
    w = bl_xcalloc(1, sizeof *w);
    w->o = *o;
    w->suite = o->sm ? suite_sm() : suite_ecdsa();
    w->speed = 1.0;
    w->rate = o->rate;
    bl_rng_seed(&w->rng, o->seed ^ 0x5eed);
    memcpy(client + 24, &o->seed, sizeof o->seed);
    w->nonce = o->seed * 1000000000ull;
    w->log = evlog_new(WORLD_LOG_EVENTS);
    if (keypair_from_priv(&w->client, w->suite, client) != BL_OK || make_keys(w) != BL_OK ||
        make_certs(w) != BL_OK || make_groups(w) != BL_OK)
        goto fail;
    make_configs(w);
    if (start_driver(w) != BL_OK)
        goto fail;
    for (unsigned i = 0; i < o->nodes; i++)
        w->up[i] = true;
    return w;
fail:
    world_close(w);
    return NULL;
}

static int
remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

void
world_close(world_t *w)
{
    if (w == NULL)
        return;
    if (w->sim != NULL)
        sim_free(w->sim);
    if (w->threads != NULL)
        threads_free(w->threads);
    if (w->data_dir != NULL) {
        nftw(w->data_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        free(w->data_dir);
    }
    for (unsigned k = 0; k < w->o.groups; k++)
        genesis_free(&w->genesis[k]);
    for (unsigned i = 0; i < w->o.nodes; i++) {
        X509_free(w->certs[i]);
        X509_free(w->ca_copy[i]);
        pki_entity_free(&w->agency[i]);
    }
    pki_entity_free(&w->ca);
    evlog_free(w->log);
    if (w->cluster != NULL) {
        cluster_free(w->cluster);
        free(w->cluster);
    }
    free(w);
}

/* ---- what it is ---- */

const world_opts_t *world_opts(const world_t *w) { return &w->o; }
evlog_t *world_log(world_t *w) { return w->log; }
unsigned world_nnodes(const world_t *w) { return w->o.nodes; }
const char *world_node_name(const world_t *w, unsigned i) { return w->names[i]; }
unsigned world_ngroups(const world_t *w) { return w->o.groups; }
unsigned world_group_id(const world_t *w, unsigned k) { (void)w; return k + 1; }
const char *world_consensus(const world_t *w, unsigned k) { return w->consensus[k]; }
bool world_hosts(const world_t *w, unsigned node, unsigned k) { return w->hosts[node][k]; }
const suite_t *world_suite(const world_t *w) { return w->suite; }

int
world_node_of_id(const world_t *w, const uint8_t id[64])
{
    for (unsigned i = 0; i < w->o.nodes; i++)
        if (memcmp(w->ids[i], id, 64) == 0)
            return (int)i;
    return -1;
}

/* ---- looking inside ---- */

typedef struct {
    void (*fn)(node_t *node, void *arg);
    void *arg;
} call_t;

static void
call_inner(void *wrapped, void *arg)
{
    call_t *c = arg;

    c->fn(wrapped != NULL ? byz_inner(wrapped) : NULL, c->arg);
}

void
world_call(world_t *w, unsigned i, void (*fn)(node_t *node, void *arg), void *arg)
{
    call_t c = { fn, arg };

    if (w->sim != NULL)
        call_inner(sim_node(w->sim, i), &c);
    else
        threads_call(w->threads, i, call_inner, &c);
}

/* ---- the client ---- */

typedef struct {
    unsigned group;
    const bl_buf_t *raws;
    size_t n;
    unsigned accepted;
    int64_t height;
} submit_t;

static void
submit_on_node(node_t *node, void *arg)
{
    submit_t *s = arg;
    uint8_t hash[32];

    if (node == NULL)
        return;
    for (size_t i = 0; i < s->n; i++)
        if (node_submit(node, s->group, bl_buf_span(&s->raws[i]), hash) == TX_OK)
            s->accepted++;
    s->height = group_height(node_group(node, s->group));
}

/* One signed DagTransfer call for group k, valid for the next WORLD_BLOCK_LIMIT_AHEAD blocks. */
static void
sign_call(world_t *w, unsigned k, const char *sig, const char *const *args, size_t nargs,
          bl_buf_t *raw)
{
    tx_t tx;

    tx_init(&tx);
    tx_make_precompile_call(&tx, &w->client, 0x5002, sig, args, nargs, w->nonce++, 1, k + 1);
    bl_u256_from_u64(&tx.block_limit, (uint64_t)(w->tip[k] + WORLD_BLOCK_LIMIT_AHEAD));
    tx_sign(&tx, &w->client);
    tx_encode(w->suite, &tx, raw);
    tx_free(&tx);
}

/* The group's first transactions make its users; later ones move money between two of them
 * (two random users: some transactions of a block touch the same user and so conflict). */
static size_t
make_load(world_t *w, unsigned k, unsigned count, bl_buf_t *raws)
{
    size_t n = 0;

    if (!w->users_added[k]) {
        for (unsigned u = 0; u < WORLD_USERS; u++) {
            char name[16];
            const char *args[2] = { name, WORLD_USER_BALANCE };

            snprintf(name, sizeof name, "user%u", u);
            sign_call(w, k, "userAdd(string,uint256)", args, 2, &raws[n++]);
        }
        w->users_added[k] = true;
        return n;
    }
    for (; n < count; n++) {
        char from[16], to[16];
        unsigned a = (unsigned)bl_rng_below(&w->rng, WORLD_USERS);
        unsigned b = (a + 1 + (unsigned)bl_rng_below(&w->rng, WORLD_USERS - 1)) % WORLD_USERS;
        const char *args[3] = { from, to, "1" };

        snprintf(from, sizeof from, "user%u", a);
        snprintf(to, sizeof to, "user%u", b);
        sign_call(w, k, "userTransfer(string,string,uint256)", args, 3, &raws[n]);
    }
    return n;
}

/* A member of group k that is up, taking turns; -1 if none. */
static int
entry_node(world_t *w, unsigned k)
{
    for (unsigned t = 0; t < w->o.nodes; t++) {
        unsigned i = (w->next_entry + t) % w->o.nodes;

        if (w->up[i] && w->hosts[i][k]) {
            w->next_entry = i + 1;
            return (int)i;
        }
    }
    return -1;
}

/* Send count transactions of group k's load to node i (nothing if i < 0). */
static unsigned
send_load_on(world_t *w, unsigned k, int i, unsigned count)
{
    size_t cap = count > WORLD_USERS ? count : WORLD_USERS;
    bl_buf_t *raws;
    submit_t s = { .group = k + 1 };

    if (i < 0 || count == 0)
        return 0;
    raws = bl_xcalloc(cap, sizeof *raws);
    s.raws = raws;
    s.n = make_load(w, k, count, raws);
    world_call(w, (unsigned)i, submit_on_node, &s);
    if (s.height > w->tip[k])
        w->tip[k] = s.height;
    w->sent[k] += s.accepted;
    for (size_t j = 0; j < s.n; j++)
        bl_buf_free(&raws[j]);
    free(raws);
    return s.accepted;
}

static unsigned
send_load(world_t *w, unsigned k, unsigned count)
{
    return send_load_on(w, k, entry_node(w, k), count);
}

unsigned
world_burst(world_t *w, unsigned k)
{
    unsigned accepted = 0;

    for (unsigned g = 0; g < w->o.groups; g++)
        accepted += send_load(w, g, k);
    return accepted;
}

unsigned
world_send(world_t *w, unsigned k, int node, unsigned count)
{
    unsigned accepted = 0;
    int i = node >= 0 ? node : entry_node(w, k);

    if (i >= 0 && (!w->up[i] || !w->hosts[i][k]))
        return 0;
    if (!w->users_added[k])
        accepted += send_load_on(w, k, i, WORLD_USERS); /* opens the users, whatever count */
    return accepted + send_load_on(w, k, i, count);
}

/* Pay what the rate owes for the time since the load was last paid. */
static void
pay_load(world_t *w)
{
    uint64_t now = world_now(w);
    double elapsed = (double)(now - w->load_clock);

    w->load_clock = now;
    for (unsigned k = 0; k < w->o.groups; k++) {
        unsigned due;

        w->owed[k] += elapsed * w->rate / 1000.0;
        due = w->owed[k] > WORLD_MAX_PER_SLICE ? WORLD_MAX_PER_SLICE : (unsigned)w->owed[k];
        w->owed[k] = w->owed[k] > WORLD_MAX_PER_SLICE ? 0 : w->owed[k] - due;
        send_load(w, k, due);
    }
}

void world_set_rate(world_t *w, unsigned per_second) { w->rate = per_second; }
unsigned world_rate(const world_t *w) { return w->rate; }
uint64_t world_sent(const world_t *w, unsigned k) { return w->sent[k]; }

/* ---- time ---- */

uint64_t
world_now(const world_t *w)
{
    return w->sim != NULL ? sim_now(w->sim) : threads_now(w->threads);
}

void
world_advance(world_t *w, uint64_t real_ms)
{
    uint64_t todo;

    if (w->paused)
        return;
    if (w->sim == NULL) {
        pay_load(w);
        return;
    }
    todo = (uint64_t)(real_ms * w->speed + 0.5);
    while (todo > 0) {
        uint64_t slice = todo < WORLD_SLICE_MS ? todo : WORLD_SLICE_MS;

        pay_load(w);
        sim_run_for(w->sim, slice);
        todo -= slice;
    }
}

bool
world_step(world_t *w)
{
    return w->sim != NULL && sim_step(w->sim);
}

void
world_set_paused(world_t *w, bool paused)
{
    w->paused = paused;
    if (w->threads != NULL)
        threads_pause(w->threads, paused);
}
bool world_paused(const world_t *w) { return w->paused; }

void
world_set_speed(world_t *w, double speed)
{
    w->speed = speed < 1.0 / 16 ? 1.0 / 16 : speed > 64 ? 64 : speed;
}

double world_speed(const world_t *w) { return w->speed; }

/* ---- the knobs ---- */

bool world_node_up(const world_t *w, unsigned i) { return w->up[i]; }

void
world_crash(world_t *w, unsigned i)
{
    if (!w->up[i])
        return;
    if (w->sim != NULL)
        sim_crash(w->sim, i);
    else
        threads_crash(w->threads, i);
    w->up[i] = false;
}

void
world_restart(world_t *w, unsigned i)
{
    if (w->up[i])
        return;
    if (w->sim != NULL)
        sim_restart(w->sim, i);
    else
        threads_restart(w->threads, i);
    w->up[i] = true;
}

/* The simulator's partition: every isolated node alone on its own side. */
static void
apply_sim_partition(world_t *w)
{
    unsigned side[WORLD_MAX_NODES];
    bool any = false;

    for (unsigned i = 0; i < w->o.nodes; i++) {
        side[i] = w->isolated[i] ? i + 1 : 0;
        any = any || w->isolated[i];
    }
    if (any)
        sim_partition(w->sim, side);
    else
        sim_heal(w->sim);
}

void
world_isolate(world_t *w, unsigned i, bool isolated)
{
    w->isolated[i] = isolated;
    if (w->sim != NULL) {
        apply_sim_partition(w);
        return;
    }
    for (unsigned j = 0; j < w->o.nodes; j++)
        if (j != i)
            threads_set_link(w->threads, i, j, !isolated && !w->isolated[j]);
}

bool world_isolated(const world_t *w, unsigned i) { return w->isolated[i]; }

static void
set_mode_on_node(void *wrapped, void *arg)
{
    if (wrapped != NULL)
        byz_set_mode(wrapped, *(byz_mode_t *)arg);
}

void
world_set_byzantine(world_t *w, unsigned i, byz_mode_t mode)
{
    w->modes[i] = mode; /* a restarted node is made from this */
    if (w->sim != NULL)
        set_mode_on_node(sim_node(w->sim, i), &mode);
    else
        threads_call(w->threads, i, set_mode_on_node, &mode);
}

byz_mode_t world_byzantine(const world_t *w, unsigned i) { return w->modes[i]; }

/* ---- for the console ---- */

const genesis_t *world_genesis(const world_t *w, unsigned k) { return &w->genesis[k]; }
uint64_t world_chain_id(const world_t *w) { return w->configs[0].chain_id; }
const uint8_t *world_node_id(const world_t *w, unsigned i) { return w->ids[i]; }

int
world_write_trace(const world_t *w, const char *path)
{
    if (w->sim == NULL)
        return bl_fail(BL_E_INVALID, "a trace is kept by the simulator only (use --sim)");
    return sim_write_trace(w->sim, path);
}

/* A deep copy of a genesis (the world frees its own). */
static void
copy_genesis_into(genesis_t *dst, const genesis_t *src)
{
    *dst = *src;
    dst->sealers = NULL;
    dst->nsealers = 0;
    for (size_t j = 0; j < src->nsealers; j++)
        genesis_add_sealer(dst, src->sealers[j]);
}

/* The groups of the directory's nodes: who hosts which, each group's genesis once. */
static int
groups_from_cluster(world_t *w, const cluster_t *cl)
{
    bool seen[WORLD_MAX_GROUPS] = { false };

    for (unsigned i = 0; i < cl->n; i++) {
        for (size_t j = 0; j < cl->configs[i].ngroups; j++) {
            const genesis_t *g = &cl->configs[i].groups[j];
            unsigned k = (unsigned)g->group_id - 1;

            if (g->group_id < 1 || g->group_id > WORLD_MAX_GROUPS)
                return bl_fail(BL_E_RANGE, "group %d: the console runs groups 1..%d",
                               g->group_id, WORLD_MAX_GROUPS);
            w->hosts[i][k] = true;
            if (!seen[k])
                copy_genesis_into(&w->genesis[k], g);
            snprintf(w->consensus[k], sizeof w->consensus[k], "%s", g->consensus_type);
            seen[k] = true;
            if (k + 1 > w->o.groups)
                w->o.groups = k + 1;
        }
    }
    for (unsigned k = 0; k < w->o.groups; k++)
        if (!seen[k])
            return bl_fail(BL_E_INVALID, "groups must be numbered 1..%u; no node hosts group %u",
                           w->o.groups, k + 1);
    return w->o.groups > 0 ? BL_OK : bl_fail(BL_E_INVALID, "no node hosts any group");
}

world_t *
world_open_dir(const char *dir, bool sim, uint64_t seed)
{
    world_t *w = bl_xcalloc(1, sizeof *w);
    uint8_t client[32] = { 0x0c };

    w->cluster = bl_xcalloc(1, sizeof *w->cluster);
    w->log = evlog_new(WORLD_LOG_EVENTS);
    if (cluster_load(dir, w->cluster) != BL_OK) {
        free(w->cluster);
        w->cluster = NULL;
        goto fail;
    }
    if (w->cluster->n > WORLD_MAX_NODES) {
        bl_fail(BL_E_RANGE, "%s has %u nodes; a world runs at most %d", dir, w->cluster->n,
                WORLD_MAX_NODES);
        goto fail;
    }
    w->o = world_default_opts();
    w->o.nodes = w->cluster->n;
    w->o.groups = 0;
    w->o.consensus = "";
    w->o.sim = sim;
    w->o.seed = seed;
    w->o.rate = 0;
    w->suite = w->cluster->suite;
    w->o.sm = w->suite->kind != SUITE_ECDSA;
    w->speed = 1.0;
    bl_rng_seed(&w->rng, seed ^ 0x5eed);
    memcpy(client + 24, &seed, sizeof seed);
    w->nonce = seed * 1000000000ull;
    if (keypair_from_priv(&w->client, w->suite, client) != BL_OK ||
        groups_from_cluster(w, w->cluster) != BL_OK)
        goto fail;
    for (unsigned i = 0; i < w->o.nodes; i++) {
        w->keys[i] = w->cluster->configs[i].key;
        memcpy(w->ids[i], w->cluster->ids[i], 64);
        snprintf(w->names[i], sizeof w->names[i], "%c", 'A' + i);
        w->configs[i] = w->cluster->configs[i];
    }
    w->byz = (byz_cluster_t){ .configs = w->configs, .modes = w->modes };
    if (start_driver(w) != BL_OK)
        goto fail;
    for (unsigned i = 0; i < w->o.nodes; i++)
        w->up[i] = true;
    return w;
fail:
    world_close(w);
    return NULL;
}
