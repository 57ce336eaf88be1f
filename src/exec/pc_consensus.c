/*
 * pc_consensus.c — the Consensus precompiled contract (0x1003): who are the group's sealers
 * and observers (fisco-2x-facts §4, §7.1).
 *
 * In a consortium chain the members are known. A group's sealers run PBFT (or Raft): they
 * propose, check and sign blocks, and a block needs the signatures of n - f of them. Its
 * observers receive and verify every block but do not vote. Who is which is itself on the
 * chain, in the group's _sys_consensus_ table, and changes only through transactions that
 * every member executes:
 *
 *   addSealer(nodeID)     the node becomes (or stays) a sealer
 *   addObserver(nodeID)   the node becomes (or stays) an observer
 *   remove(nodeID)        the node leaves the group: it no longer receives the group's blocks
 *
 * A node ID is the node's public key, 128 hex digits (lowercased first, as FISCO does);
 * anything else is CODE_INVALID_NODEID (-51100). The group must always keep one sealer:
 * removing or demoting the last one is CODE_LAST_SEALER (-51101) — a group without sealers
 * could never make another block, not even one that adds a sealer back. Removing a node that is
 * not a member changes nothing and answers 0, the number of rows FISCO 2.x's remove deletes
 * (FISCO 3.x answers CODE_NODE_NOT_EXIST, -51103; 2.x has no such code).
 *
 * FISCO 2.x's contract checks only these two things; its manual asks the operator to make
 * sure the node is connected to the group's members before adding it. bcoslab has no network
 * yet, so it checks no connectivity either (the node issue may add a check that the node is
 * known to the group's peers).
 *
 * Rows: key "node", fields type, node_id, enable_num. A change written while block N executes
 * has enable_num = N + 1: block N is sealed, signed and checked by the members in force when
 * it began. FISCO keeps one row per node, updates it in place and deletes it on remove; it can,
 * because it reads membership from committed blocks only (BlockChainImp::getNodeListByType,
 * with a cache per height). bcoslab's table view of block N includes N's own writes, so an
 * in-place update would lose "the members in force at N" exactly while N is being decided.
 * bcoslab therefore appends one row per change — type "removed" records a removal — and a
 * node's role at block h is its row with the greatest enable_num <= h. (A second change of the
 * same node in the same block replaces the first, so each block adds at most one row per node.)
 */
#include "exec/pc_system.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "exec/precompiled.h"

#define SIG_ADD_SEALER "addSealer(string)"
#define SIG_ADD_OBSERVER "addObserver(string)"
#define SIG_REMOVE "remove(string)"

#define KEY_NODE "node"
#define FIELD_TYPE "type"
#define FIELD_NODE_ID "node_id"
#define FIELD_ENABLE "enable_num"
#define TYPE_WORKING_SEALER "wSealer" /* FISCO's rPBFT "working sealer": still a sealer */

typedef enum { ROLE_NONE, ROLE_SEALER, ROLE_OBSERVER, ROLE_REMOVED } role_t;

/* One node's role, as its latest row (up to some block) says. */
typedef struct {
    char id[PC_NODE_ID_HEX + 1];
    role_t role;
    int64_t enable;
} node_state_t;

typedef struct {
    node_state_t *items;
    size_t count;
} node_states_t;

/* ---- node lists ---- */

void
pc_node_list_init(pc_node_list_t *l)
{
    l->ids = NULL;
    l->count = 0;
}

void
pc_node_list_free(pc_node_list_t *l)
{
    free(l->ids);
    pc_node_list_init(l);
}

bool
pc_node_list_find(const pc_node_list_t *l, const char *id, size_t *at)
{
    for (size_t i = 0; i < l->count; i++) {
        if (strcmp(l->ids[i], id) == 0) {
            if (at != NULL)
                *at = i;
            return true;
        }
    }
    return false;
}

static void
node_list_add(pc_node_list_t *l, const char *id)
{
    l->ids = bl_xrealloc(l->ids, (l->count + 1) * sizeof *l->ids);
    memcpy(l->ids[l->count++], id, PC_NODE_ID_HEX + 1);
}

static int
compare_ids(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* ---- reading the table ---- */

/* Lowercase id in place; is it 128 hex digits? */
static bool
normalize_node_id(char *id)
{
    size_t n = 0;

    for (char *p = id; *p != '\0'; p++, n++) {
        *p = (char)tolower((unsigned char)*p);
        if (bl_hex_digit(*p) < 0)
            return false;
    }
    return n == PC_NODE_ID_HEX;
}

static role_t
role_of(const bl_buf_t *type)
{
    static const struct {
        const char *name;
        role_t role;
    } names[] = {
        { PC_NODE_SEALER, ROLE_SEALER },
        { TYPE_WORKING_SEALER, ROLE_SEALER },
        { PC_NODE_OBSERVER, ROLE_OBSERVER },
        { PC_NODE_REMOVED, ROLE_REMOVED },
    };

    for (size_t i = 0; type != NULL && i < sizeof names / sizeof names[0]; i++)
        if (type->len == strlen(names[i].name) &&
            memcmp(type->data, names[i].name, type->len) == 0)
            return names[i].role;
    return ROLE_NONE;
}

/* Read one row of _sys_consensus_ into *s. The rows are written only by this file (checked on
 * the way in), so a row that does not parse means a damaged table: BL_E_FORMAT. */
static int
parse_row(const entry_t *e, node_state_t *s)
{
    const bl_buf_t *id = entry_get(e, FIELD_NODE_ID);
    const bl_buf_t *enable = entry_get(e, FIELD_ENABLE);

    s->role = role_of(entry_get(e, FIELD_TYPE));
    if (id == NULL || id->len != PC_NODE_ID_HEX || enable == NULL || s->role == ROLE_NONE ||
        !pc_sysconfig_parse_int((const char *)enable->data, enable->len, &s->enable))
        return bl_fail(BL_E_FORMAT, "_sys_consensus_ holds a row that is not a membership "
                       "record (type, 128-digit node_id, enable_num)");
    memcpy(s->id, id->data, PC_NODE_ID_HEX);
    s->id[PC_NODE_ID_HEX] = '\0';
    return BL_OK;
}

/* Every node's latest row with enable_num <= upto (the later row on a tie). */
static int
latest_states(const entries_t *rows, int64_t upto, node_states_t *out)
{
    node_state_t s;
    size_t j;
    int rc;

    out->items = bl_xcalloc(rows->count + 1, sizeof *out->items);
    out->count = 0;
    for (size_t i = 0; i < rows->count; i++) {
        if ((rc = parse_row(&rows->items[i], &s)) != BL_OK)
            return rc;
        if (s.enable > upto)
            continue;
        for (j = 0; j < out->count && strcmp(out->items[j].id, s.id) != 0; j++)
            ;
        if (j == out->count)
            out->count++;
        else if (s.enable < out->items[j].enable)
            continue;
        out->items[j] = s;
    }
    return BL_OK;
}

static const node_state_t *
find_state(const node_states_t *states, const char *id)
{
    for (size_t i = 0; i < states->count; i++)
        if (strcmp(states->items[i].id, id) == 0)
            return &states->items[i];
    return NULL;
}

static size_t
count_role(const node_states_t *states, role_t role)
{
    size_t n = 0;

    for (size_t i = 0; i < states->count; i++)
        n += states->items[i].role == role;
    return n;
}

/* ---- what the node reads ---- */

static void
collect(const node_states_t *states, role_t role, pc_node_list_t *out)
{
    if (out == NULL)
        return;
    pc_node_list_free(out);
    for (size_t i = 0; i < states->count; i++)
        if (states->items[i].role == role)
            node_list_add(out, states->items[i].id);
    if (out->count > 1)
        qsort(out->ids, out->count, sizeof *out->ids, compare_ids);
}

int
pc_consensus_members(amdb_t *db, int64_t number, pc_node_list_t *sealers,
                     pc_node_list_t *observers)
{
    table_t *t;
    entries_t rows;
    node_states_t states = { NULL, 0 };
    int rc;

    entries_init(&rows);
    if ((rc = amdb_open_table(db, AMDB_SYS_CONSENSUS, &t)) != BL_OK ||
        (rc = table_select(t, KEY_NODE, NULL, &rows)) != BL_OK ||
        (rc = latest_states(&rows, number, &states)) != BL_OK)
        goto out;
    collect(&states, ROLE_SEALER, sealers);
    collect(&states, ROLE_OBSERVER, observers);
out:
    free(states.items);
    entries_free(&rows);
    return rc;
}

int
pc_consensus_genesis(amdb_t *db, const char *node_id, const char *type)
{
    char id[PC_NODE_ID_HEX + 2];
    table_t *t;
    entry_t e;
    int rc;

    if (strcmp(type, PC_NODE_SEALER) != 0 && strcmp(type, PC_NODE_OBSERVER) != 0)
        return bl_fail(BL_E_INVALID, "a genesis member is a sealer or an observer, not \"%s\"",
                       type);
    if (strlen(node_id) != PC_NODE_ID_HEX || !normalize_node_id(strcpy(id, node_id)))
        return bl_fail(BL_E_INVALID, "a node ID is %d hex digits", PC_NODE_ID_HEX);
    if ((rc = amdb_open_table(db, AMDB_SYS_CONSENSUS, &t)) != BL_OK)
        return rc;
    entry_init(&e);
    entry_set_str(&e, FIELD_TYPE, type);
    entry_set_str(&e, FIELD_NODE_ID, id);
    entry_set_str(&e, FIELD_ENABLE, "0");
    rc = table_insert(t, KEY_NODE, &e);
    entry_free(&e);
    return rc;
}

/* ---- the contract ---- */

/* Record "node id has role `type` from the next block on": replace this block's own earlier
 * change of the node if there is one, else add a row. */
static int
write_role(exec_call_t *c, table_t *t, const char *id, const char *type)
{
    entry_t e;
    condition_t pending;
    entries_t rows;
    char enable[24];
    size_t count = 1;
    int rc;

    entry_init(&e);
    condition_init(&pending);
    entries_init(&rows);
    snprintf(enable, sizeof enable, "%" PRId64, c->block->number + 1);
    entry_set_str(&e, FIELD_TYPE, type);
    entry_set_str(&e, FIELD_NODE_ID, id);
    entry_set_str(&e, FIELD_ENABLE, enable);
    condition_add(&pending, FIELD_NODE_ID, COND_EQ, id);
    condition_add(&pending, FIELD_ENABLE, COND_EQ, enable);
    if ((rc = exec_select(c, t, KEY_NODE, &pending, &rows)) == BL_OK) {
        if (rows.count > 0)
            rc = exec_update(c, t, KEY_NODE, &e, &pending, &count);
        else
            rc = exec_insert(c, t, KEY_NODE, &e);
        rc = pc_write_result(c, rc, (int64_t)count);
    }
    entries_free(&rows);
    condition_free(&pending);
    entry_free(&e);
    return rc;
}

/* Is the change of `id` to `role` allowed, given every node's latest role (pending changes of
 * this block included, as FISCO counts every sealer row)? Sets the answer if not. */
static bool
change_allowed(exec_call_t *c, const node_states_t *latest, const char *id, role_t role)
{
    const node_state_t *now = find_state(latest, id);

    if (role == ROLE_REMOVED && (now == NULL || now->role == ROLE_REMOVED)) {
        precompile_return_int(c, 0); /* not a member: no row removed */
        return false;
    }
    if (role != ROLE_SEALER && now != NULL && now->role == ROLE_SEALER &&
        count_role(latest, ROLE_SEALER) == 1) {
        precompile_return_int(c, CODE_LAST_SEALER);
        return false;
    }
    return true;
}

/* addSealer / addObserver / remove: the node gets `role`, written `type` in its row. */
static int
change_member(exec_call_t *c, const char *signature, role_t role, const char *type)
{
    abi_value_t *args = NULL;
    char *id = NULL;
    table_t *t;
    entries_t rows;
    node_states_t latest = { NULL, 0 };
    int rc;

    entries_init(&rows);
    if (precompile_args(c, signature, &args) != BL_OK ||
        abi_value_cstring(args->items[0], &id) != BL_OK) {
        rc = precompile_fail(c, bl_errmsg());
        goto out;
    }
    if (!normalize_node_id(id)) {
        precompile_return_int(c, CODE_INVALID_NODEID);
        rc = BL_OK;
        goto out;
    }
    if ((rc = exec_open_table(c, AMDB_SYS_CONSENSUS, &t)) != BL_OK ||
        (rc = exec_select(c, t, KEY_NODE, NULL, &rows)) != BL_OK ||
        (rc = latest_states(&rows, INT64_MAX, &latest)) != BL_OK)
        goto out;
    if (change_allowed(c, &latest, id, role))
        rc = write_role(c, t, id, type);
out:
    free(latest.items);
    entries_free(&rows);
    free(id);
    abi_value_free(args);
    return rc;
}

static int
consensus_call(exec_call_t *c)
{
    if (precompile_is(c, SIG_ADD_SEALER))
        return change_member(c, SIG_ADD_SEALER, ROLE_SEALER, PC_NODE_SEALER);
    if (precompile_is(c, SIG_ADD_OBSERVER))
        return change_member(c, SIG_ADD_OBSERVER, ROLE_OBSERVER, PC_NODE_OBSERVER);
    if (precompile_is(c, SIG_REMOVE))
        return change_member(c, SIG_REMOVE, ROLE_REMOVED, PC_NODE_REMOVED);
    return precompile_fail(c, "Consensus has no such method");
}

const precompile_t precompile_consensus = {
    .address = 0x1003,
    .name = "Consensus",
    .call = consensus_call,
    .criticals = NULL, /* membership concerns the whole group: always run alone */
};
