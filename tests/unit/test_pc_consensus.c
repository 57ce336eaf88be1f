/*
 * test_pc_consensus.c — the Consensus precompiled contract (exec/pc_consensus.c) and the
 * accessor the node reads its group's members with (pc_consensus_members).
 *
 * Pins down fisco-2x-facts §4 and §7.1 (addSealer / addObserver / remove, node IDs of 128 hex
 * digits, the last sealer stays — FISCO's libprecompiled/ConsensusPrecompiled.cpp and
 * Common.h codes -51100 and -51101), §6.2 (changes apply from the next block), and the order
 * of the sealer list (sorted, as ConsensusEngineBase::updateConsensusNodeList sorts it).
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcutil.h"

#include "base/error.h"
#include "exec/pc_system.h"
#include "exec/precompiled.h"
#include "ledger/status.h"

#define CONSENSUS 0x1003
#define ADD_SEALER "addSealer(string)"
#define ADD_OBSERVER "addObserver(string)"
#define REMOVE "remove(string)"

/* A node ID made of one byte repeated: "0a0a...0a" (128 digits) for n = 10. */
static const char *
node(uint8_t n)
{
    static char ids[4][PC_NODE_ID_HEX + 1];
    static int next;
    char *id = ids[next++ % 4];

    for (int i = 0; i < PC_NODE_ID_HEX / 2; i++)
        snprintf(id + 2 * i, 3, "%02x", n);
    return id;
}

static int64_t
call(pcu_chain_t *ch, const char *method, const char *id)
{
    uint8_t admin[20];

    pcu_account(admin, 0xad);
    return pcu_call_int(ch, admin, CONSENSUS, method, id, NULL);
}

/* Fail unless the members in force at `number` are `sealers` and `observers`, written as the
 * bytes of their node IDs ("1,2"; "" for none). */
static void
assert_members(pcu_chain_t *ch, int64_t number, const char *sealers, const char *observers)
{
    pc_node_list_t lists[2];
    const char *want[2] = { sealers, observers };

    pc_node_list_init(&lists[0]);
    pc_node_list_init(&lists[1]);
    assert_int_equal(pc_consensus_members(ch->db, number, &lists[0], &lists[1]), BL_OK);
    for (int k = 0; k < 2; k++) {
        char got[64] = "";
        for (size_t i = 0; i < lists[k].count; i++) {
            unsigned b;
            sscanf(lists[k].ids[i], "%2x", &b);
            snprintf(got + strlen(got), sizeof got - strlen(got), "%s%u", i ? "," : "", b);
        }
        if (strcmp(got, want[k]) != 0)
            fail_msg("%s at block %lld: got \"%s\", want \"%s\"", k ? "observers" : "sealers",
                     (long long)number, got, want[k]);
        pc_node_list_free(&lists[k]);
    }
}

/* How many rows _sys_consensus_ holds. */
static size_t
row_count(pcu_chain_t *ch)
{
    table_t *t;
    entries_t rows;
    size_t n;

    entries_init(&rows);
    assert_int_equal(amdb_open_table(ch->db, AMDB_SYS_CONSENSUS, &t), BL_OK);
    assert_int_equal(table_select(t, "node", NULL, &rows), BL_OK);
    n = rows.count;
    entries_free(&rows);
    return n;
}

/* A chain at block `number` whose genesis made nodes 1 and 2 sealers. */
static void
open_two_sealers(pcu_chain_t *ch, const suite_t *suite, int64_t number)
{
    pcu_open(ch, suite, number);
    assert_int_equal(pc_consensus_genesis(ch->db, node(1), PC_NODE_SEALER), BL_OK);
    assert_int_equal(pc_consensus_genesis(ch->db, node(2), PC_NODE_SEALER), BL_OK);
}

/* §6.2/§7.1: a node added in block N is a member from N + 1, not at N. */
static void
consensus_add_sealer_and_observer_take_effect_from_the_next_block(void **state)
{
    pcu_chain_t ch;

    (void)state;
    open_two_sealers(&ch, suite_ecdsa(), 5);
    assert_int_equal(call(&ch, ADD_SEALER, node(3)), 1);
    assert_int_equal(call(&ch, ADD_OBSERVER, node(4)), 1);
    assert_members(&ch, 5, "1,2", "");
    assert_members(&ch, 6, "1,2,3", "4");
    pcu_next_block(&ch);
    assert_members(&ch, 6, "1,2,3", "4");
    pcu_close(&ch);
}

/* The sealer list is sorted by node ID whatever the order of the rows: FISCO's PBFT sorts it
 * so that every node gives each sealer the same index (ConsensusEngineBase.cpp). */
static void
consensus_members_are_sorted_by_node_id(void **state)
{
    pcu_chain_t ch;

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    assert_int_equal(pc_consensus_genesis(ch.db, node(9), PC_NODE_SEALER), BL_OK);
    assert_int_equal(pc_consensus_genesis(ch.db, node(3), PC_NODE_SEALER), BL_OK);
    assert_int_equal(pc_consensus_genesis(ch.db, node(7), PC_NODE_OBSERVER), BL_OK);
    assert_int_equal(pc_consensus_genesis(ch.db, node(5), PC_NODE_SEALER), BL_OK);
    assert_int_equal(pc_consensus_genesis(ch.db, node(6), PC_NODE_OBSERVER), BL_OK);
    assert_members(&ch, 0, "3,5,9", "6,7");
    assert_int_equal(pc_consensus_genesis(ch.db, "00", PC_NODE_SEALER), BL_E_INVALID);
    assert_int_equal(pc_consensus_genesis(ch.db, node(8), "leader"), BL_E_INVALID);
    pcu_close(&ch);
}

/* §6.2: a sealer demoted or removed in block N still counts at N — block N is decided by the
 * members in force when it began — and is an observer / gone from N + 1. */
static void
consensus_demote_and_remove_take_effect_from_the_next_block(void **state)
{
    pcu_chain_t ch;

    (void)state;
    open_two_sealers(&ch, suite_ecdsa(), 3);
    assert_int_equal(pc_consensus_genesis(ch.db, node(3), PC_NODE_SEALER), BL_OK);
    assert_int_equal(call(&ch, ADD_OBSERVER, node(2)), 1);
    assert_int_equal(call(&ch, REMOVE, node(3)), 1);
    assert_members(&ch, 3, "1,2,3", "");
    assert_members(&ch, 4, "1", "2");
    pcu_next_block(&ch);
    assert_int_equal(call(&ch, REMOVE, node(2)), 1);
    assert_members(&ch, 4, "1", "2");
    assert_members(&ch, 5, "1", "");
    pcu_next_block(&ch); /* block 5 */
    assert_int_equal(call(&ch, ADD_SEALER, node(3)), 1); /* a removed node may come back */
    assert_members(&ch, 5, "1", "");
    assert_members(&ch, 6, "1,3", "");
    pcu_close(&ch);
}

/* §7.1 [S:ConsensusPrecompiled.cpp checkIsLastSealer]: neither remove nor addObserver may
 * take the group's last sealer: -51101, and nothing changes. */
static void
consensus_remove_last_sealer_is_refused_with_51101(void **state)
{
    pcu_chain_t ch;
    size_t rows;

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 1);
    assert_int_equal(pc_consensus_genesis(ch.db, node(1), PC_NODE_SEALER), BL_OK);
    assert_int_equal(pc_consensus_genesis(ch.db, node(2), PC_NODE_OBSERVER), BL_OK);
    rows = row_count(&ch);
    assert_int_equal(call(&ch, REMOVE, node(1)), CODE_LAST_SEALER);
    assert_int_equal(call(&ch, ADD_OBSERVER, node(1)), CODE_LAST_SEALER);
    assert_int_equal(row_count(&ch), rows);
    assert_int_equal(call(&ch, REMOVE, node(2)), 1); /* an observer may go */
    assert_members(&ch, 2, "1", "");
    pcu_close(&ch);
}

/* FISCO counts every sealer row, this block's included: once node 2 is a sealer-to-be,
 * node 1 may leave; then node 2 is the last one and may not. */
static void
consensus_last_sealer_check_counts_changes_of_this_block(void **state)
{
    pcu_chain_t ch;

    (void)state;
    pcu_open(&ch, suite_ecdsa(), 2);
    assert_int_equal(pc_consensus_genesis(ch.db, node(1), PC_NODE_SEALER), BL_OK);
    assert_int_equal(call(&ch, ADD_SEALER, node(2)), 1);
    assert_int_equal(call(&ch, REMOVE, node(1)), 1);
    assert_int_equal(call(&ch, REMOVE, node(2)), CODE_LAST_SEALER);
    assert_members(&ch, 2, "1", "");
    assert_members(&ch, 3, "2", "");
    pcu_close(&ch);
}

/* §7.1 [S:ConsensusPrecompiled.cpp]: a node ID is lowercased, then must be 128 characters
 * (-51100); bcoslab also wants hex digits, since no other ID can name a node. */
static void
consensus_invalid_node_id_is_refused_with_51100(void **state)
{
    pcu_chain_t ch;
    char id[PC_NODE_ID_HEX + 3];
    size_t rows;

    (void)state;
    open_two_sealers(&ch, suite_ecdsa(), 1);
    rows = row_count(&ch);
    assert_int_equal(call(&ch, ADD_SEALER, ""), CODE_INVALID_NODEID);
    assert_int_equal(call(&ch, ADD_SEALER, "abcd"), CODE_INVALID_NODEID);
    snprintf(id, sizeof id, "0x%s", node(3));
    assert_int_equal(call(&ch, ADD_OBSERVER, id), CODE_INVALID_NODEID);
    snprintf(id, sizeof id, "%.127sg", node(3));
    assert_int_equal(call(&ch, REMOVE, id), CODE_INVALID_NODEID);
    assert_int_equal(row_count(&ch), rows);
    snprintf(id, sizeof id, "%s", node(0xab));
    for (char *p = id; *p; p++)
        *p = (char)(*p == 'a' ? 'A' : *p == 'b' ? 'B' : *p);
    assert_int_equal(call(&ch, ADD_OBSERVER, id), 1); /* upper case is fine */
    assert_members(&ch, 2, "1,2", "171");
    pcu_close(&ch);
}

/* FISCO 2.x removes 0 rows for a node that is not a member and answers 0 (3.x's
 * CODE_NODE_NOT_EXIST does not exist in 2.x); nothing is written. */
static void
consensus_remove_of_a_non_member_answers_0(void **state)
{
    pcu_chain_t ch;
    size_t rows;

    (void)state;
    open_two_sealers(&ch, suite_ecdsa(), 1);
    assert_int_equal(call(&ch, REMOVE, node(1)), 1);
    rows = row_count(&ch);
    assert_int_equal(call(&ch, REMOVE, node(1)), 0); /* removed already */
    assert_int_equal(call(&ch, REMOVE, node(7)), 0); /* never a member */
    assert_int_equal(row_count(&ch), rows);
    pcu_close(&ch);
}

/* Two changes of one node in one block: the later one wins, one row is added. */
static void
consensus_second_change_in_a_block_replaces_the_first(void **state)
{
    pcu_chain_t ch;
    size_t rows;

    (void)state;
    open_two_sealers(&ch, suite_ecdsa(), 4);
    rows = row_count(&ch);
    assert_int_equal(call(&ch, ADD_OBSERVER, node(3)), 1);
    assert_int_equal(call(&ch, ADD_SEALER, node(3)), 1);
    assert_int_equal(row_count(&ch), rows + 1);
    assert_members(&ch, 5, "1,2,3", "");
    pcu_close(&ch);
}

/* precompiled.h: unknown method → status 21, and so is a call whose argument is not a
 * string. */
static void
consensus_unknown_method_fails_with_status_21(void **state)
{
    pcu_chain_t ch;
    uint8_t admin[20];
    receipt_t r;

    (void)state;
    pcu_account(admin, 0xad);
    open_two_sealers(&ch, suite_ecdsa(), 1);
    pcu_call(&ch, admin, CONSENSUS, "addSealer(string,string)", &r, node(3), "x", NULL);
    assert_int_equal(r.status, TX_PRECOMPILED_ERROR);
    receipt_free(&r);
    pcu_call_raw(&ch, admin, CONSENSUS, bl_span("\x12\x34", 2), &r);
    assert_int_equal(r.status, TX_PRECOMPILED_ERROR);
    receipt_free(&r);
    pcu_close(&ch);
}

/* §1.1: an SM chain's selectors are SM3's. */
static void
consensus_sm_chain_uses_sm3_selectors(void **state)
{
    pcu_chain_t ch;

    (void)state;
    open_two_sealers(&ch, suite_sm(), 1);
    assert_int_equal(call(&ch, ADD_SEALER, node(3)), 1);
    assert_int_equal(call(&ch, ADD_OBSERVER, node(1)), 1);
    assert_int_equal(call(&ch, REMOVE, node(2)), 1);
    assert_members(&ch, 2, "3", "1");
    pcu_close(&ch);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(consensus_add_sealer_and_observer_take_effect_from_the_next_block),
        cmocka_unit_test(consensus_members_are_sorted_by_node_id),
        cmocka_unit_test(consensus_demote_and_remove_take_effect_from_the_next_block),
        cmocka_unit_test(consensus_remove_last_sealer_is_refused_with_51101),
        cmocka_unit_test(consensus_last_sealer_check_counts_changes_of_this_block),
        cmocka_unit_test(consensus_invalid_node_id_is_refused_with_51100),
        cmocka_unit_test(consensus_remove_of_a_non_member_answers_0),
        cmocka_unit_test(consensus_second_change_in_a_block_replaces_the_first),
        cmocka_unit_test(consensus_unknown_method_fails_with_status_21),
        cmocka_unit_test(consensus_sm_chain_uses_sm3_selectors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
