/*
 * node.c — one node: admission, routing by group, and the groups themselves (node.h).
 *
 * The Hello. When a node starts it sends every other node a Hello carrying its node
 * certificate and its agency's certificate. A node that receives a Hello checks it
 * (pki_admit: chains to our CA? on the blacklist? off the whitelist?) and that the certificate's
 * node ID is the one this peer is known by; it then admits the peer, or tells it "refused:
 * <reason>" and keeps it out. Until a peer is admitted, nothing it sends is read (except its
 * Hello) and nothing of any group is sent to it: the groups talk through a filtering env that
 * silently skips peers that are not admitted.
 */
#include "node/node.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "codec/rlp.h"
#include "ledger/status.h"
#include "net/frame.h"

#define REASON_MAX 200

enum { NODE_TIMER_HELLO = 1 };

typedef struct {
    bool admitted;
    char refusal[REASON_MAX];    /* why we refused it */
    char refused_by[REASON_MAX]; /* why it refused us */
} peer_t;

struct node {
    const node_config_t *cfg;
    env_t *env;       /* the driver's */
    env_filter_t group_env; /* what the groups get: sends only to admitted peers */
    peer_t *peers;
    group_t **groups;
    size_t ngroups;
};

/* ---- the env the groups get: sends reach admitted peers only ---- */

static void
send_to_admitted(void *owner, unsigned to, const uint8_t *frame, size_t len)
{
    node_t *n = owner;

    if (to < n->env->nnodes && n->peers[to].admitted)
        env_send(n->env, to, frame, len);
}

/* ---- admission ---- */

static void
send_node_packet(node_t *n, unsigned to, unsigned type, const bl_buf_t *body)
{
    frame_send(n->env, to, 0, MODULE_NODE, type, bl_buf_span(body));
}

static void
put_cert(bl_buf_t *body, X509 *cert)
{
    unsigned char *der = NULL;
    int len = cert != NULL ? i2d_X509(cert, &der) : 0;

    rlp_put_bytes(body, der, len > 0 ? (size_t)len : 0);
    OPENSSL_free(der);
}

static void
send_hello(node_t *n, unsigned to, unsigned type)
{
    bl_buf_t body = BL_BUF_INIT;
    size_t list = rlp_list_begin(&body);

    put_cert(&body, n->cfg->cert);
    put_cert(&body, n->cfg->agency_cert);
    rlp_list_end(&body, list);
    send_node_packet(n, to, type, &body);
    bl_buf_free(&body);
}

/* Hello to every peer not admitted yet and not refused (at start, and again on a timer: a
 * Hello can be lost, and a peer that restarts has forgotten us). */
static void
send_hellos(node_t *n)
{
    for (unsigned i = 0; i < n->env->nnodes; i++)
        if (i != n->env->self && !n->peers[i].admitted && n->peers[i].refusal[0] == '\0')
            send_hello(n, i, NODE_HELLO);
    env_set_timer(n->env, env_timer_id(0, MODULE_NODE, NODE_TIMER_HELLO), NODE_HELLO_RETRY_MS);
}

static X509 *
get_cert(const rlp_item_t *item)
{
    const unsigned char *p = item->payload.ptr;

    if (item->is_list || item->payload.len == 0)
        return NULL;
    return d2i_X509(NULL, &p, (long)item->payload.len);
}

/* Check a peer's Hello: 0, or BL_E_DENIED with the reason. */
static int
check_hello(node_t *n, unsigned from, bl_span_t body)
{
    rlp_item_t root, f[2];
    X509 *cert = NULL, *agency = NULL;
    uint8_t id[64];
    int rc;

    if (rlp_decode(body, &root) != BL_OK || rlp_list_exact(&root, f, 2, "Hello") != BL_OK) {
        rc = bl_fail(BL_E_DENIED, "its Hello did not decode");
        goto out;
    }
    cert = get_cert(&f[0]);
    agency = get_cert(&f[1]);
    if (cert == NULL) {
        rc = bl_fail(BL_E_DENIED, "it showed no certificate");
        goto out;
    }
    if ((rc = pki_admit(&n->cfg->policy, cert, agency)) != BL_OK)
        goto out;
    if (pki_node_id(cert, id) != BL_OK || memcmp(id, n->cfg->node_ids[from], 64) != 0)
        rc = bl_fail(BL_E_DENIED, "its certificate is not node %u's", from);
out:
    X509_free(cert);
    X509_free(agency);
    return rc;
}

/* A Hello (type NODE_HELLO asks for ours back; NODE_HELLO_REPLY is that answer). */
static void
on_hello(node_t *n, unsigned from, unsigned type, bl_span_t body)
{
    peer_t *p = &n->peers[from];
    bl_buf_t reply = BL_BUF_INIT;

    if (type == NODE_HELLO)
        send_hello(n, from, NODE_HELLO_REPLY);
    if (n->cfg->policy.chain_ca == NULL || check_hello(n, from, body) == BL_OK) {
        p->admitted = true;
        p->refusal[0] = '\0';
        return;
    }
    p->admitted = false;
    snprintf(p->refusal, sizeof p->refusal, "%s", bl_errmsg());
    env_emit(n->env, EV_PEER_REFUSED, 0, MODULE_NODE, (int)from, 0, 0, NULL);
    rlp_put_string(&reply, p->refusal);
    send_node_packet(n, from, NODE_REFUSED, &reply);
    bl_buf_free(&reply);
}

static void
on_refused(node_t *n, unsigned from, bl_span_t body)
{
    rlp_item_t item;
    size_t len;

    if (rlp_decode(body, &item) != BL_OK || item.is_list)
        return;
    len = item.payload.len < REASON_MAX - 1 ? item.payload.len : REASON_MAX - 1;
    memcpy(n->peers[from].refused_by, item.payload.ptr, len);
    n->peers[from].refused_by[len] = '\0';
}

/* ---- routing ---- */

static void
drop(node_t *n, unsigned from, const frame_t *f, size_t len, ev_drop_reason_t why)
{
    uint8_t reason[32] = { (uint8_t)why };

    env_emit(n->env, EV_MSG_DROPPED, f != NULL ? frame_group(f->protocol_id) : 0,
             f != NULL ? frame_module(f->protocol_id) : 0, (int)from,
             f != NULL ? f->packet_type : 0, (int64_t)len, reason);
}

static group_t *
find_group(const node_t *n, unsigned id)
{
    for (size_t i = 0; i < n->ngroups; i++)
        if (group_id(n->groups[i]) == id)
            return n->groups[i];
    return NULL;
}

void
node_on_message(node_t *n, unsigned from, const uint8_t *bytes, size_t len)
{
    frame_t f;
    unsigned gid, module;
    group_t *g;

    if (from >= n->env->nnodes || frame_decode(bytes, len, &f) != BL_OK) {
        drop(n, from, NULL, len, EV_DROP_MALFORMED);
        return;
    }
    gid = frame_group(f.protocol_id);
    module = frame_module(f.protocol_id);
    if (gid == 0 && module == MODULE_NODE &&
        (f.packet_type == NODE_HELLO || f.packet_type == NODE_HELLO_REPLY)) {
        on_hello(n, from, f.packet_type, f.body);
    } else if (gid == 0 && module == MODULE_NODE && f.packet_type == NODE_REFUSED) {
        on_refused(n, from, f.body);
    } else if (!n->peers[from].admitted) {
        drop(n, from, &f, len, EV_DROP_UNADMITTED);
    } else if ((g = find_group(n, gid)) == NULL) {
        drop(n, from, &f, len, EV_DROP_NOT_MEMBER);
    } else {
        group_on_message(g, from, module, f.packet_type, f.body);
    }
}

void
node_on_timer(node_t *n, uint32_t id)
{
    group_t *g = find_group(n, env_timer_group(id));

    if (env_timer_group(id) == 0 && env_timer_module(id) == MODULE_NODE)
        send_hellos(n);
    else if (g != NULL)
        group_on_timer(g, env_timer_module(id), env_timer_local(id));
}

/* ---- the node ---- */

static bool
peer_connected(const void *arg, unsigned peer)
{
    return node_admitted(arg, peer);
}

node_t *
node_new(const node_config_t *cfg, env_t *env)
{
    node_t *n = bl_xcalloc(1, sizeof *n);
    group_host_t host;

    n->cfg = cfg;
    n->env = env;
    env_filter_init(&n->group_env, env, send_to_admitted, n);
    n->peers = bl_xcalloc(env->nnodes, sizeof *n->peers);
    n->groups = bl_xcalloc(cfg->ngroups ? cfg->ngroups : 1, sizeof *n->groups);
    host = (group_host_t){ .env = &n->group_env.env, .suite = cfg->suite, .key = &cfg->key,
                           .node_ids = cfg->node_ids, .chain_id = cfg->chain_id,
                           .connected = peer_connected, .connected_arg = n };
    for (size_t i = 0; i < cfg->ngroups; i++) {
        if (group_open(&host, &cfg->groups[i], &n->groups[i]) != BL_OK) {
            node_free(n);
            return NULL;
        }
        n->ngroups++;
    }
    for (unsigned i = 0; i < env->nnodes; i++) /* no CA to check against: admit everyone */
        n->peers[i].admitted = cfg->policy.chain_ca == NULL && i != env->self;
    send_hellos(n);
    for (size_t i = 0; i < n->ngroups; i++)
        group_start(n->groups[i]);
    return n;
}

void
node_free(node_t *n)
{
    if (n == NULL)
        return;
    for (size_t i = 0; i < n->ngroups; i++)
        group_close(n->groups[i]);
    free(n->groups);
    free(n->peers);
    free(n);
}

group_t *
node_group(node_t *n, unsigned id)
{
    group_t *g = find_group(n, id);

    if (g == NULL)
        env_emit(n->env, EV_QUERY_REFUSED, id, 0, -1, 0, 0, NULL);
    return g;
}

bool
node_admitted(const node_t *n, unsigned peer)
{
    return peer < n->env->nnodes && n->peers[peer].admitted;
}

const char *
node_refusal(const node_t *n, unsigned peer)
{
    return peer < n->env->nnodes ? n->peers[peer].refusal : "";
}

const char *
node_refused_by(const node_t *n, unsigned peer)
{
    return peer < n->env->nnodes ? n->peers[peer].refused_by : "";
}

int
node_submit(node_t *n, unsigned group, bl_span_t raw, uint8_t hash[32])
{
    group_t *g = node_group(n, group);

    if (g == NULL)
        return TX_REQUEST_NOT_BELONG_TO_THE_GROUP;
    return group_submit(g, raw, hash);
}

/* ---- the endpoint drivers drive ---- */

static void *
endpoint_create(void *arg, env_t *env)
{
    const node_config_t *configs = arg;

    return node_new(&configs[env->self], env);
}

static void
endpoint_destroy(void *node)
{
    node_free(node);
}

static void
endpoint_on_message(void *node, unsigned from, const uint8_t *bytes, size_t len)
{
    node_on_message(node, from, bytes, len);
}

static void
endpoint_on_timer(void *node, uint32_t id)
{
    node_on_timer(node, id);
}

const endpoint_ops_t node_endpoint_ops = {
    .create = endpoint_create,
    .destroy = endpoint_destroy,
    .on_message = endpoint_on_message,
    .on_timer = endpoint_on_timer,
};
