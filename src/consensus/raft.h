/*
 * raft.h — the pieces of the Raft engine (raft.c) that live in their own files: the four
 * messages and their RLP form (raft_msg.c), the log with what it keeps on disk (raft_log.c),
 * and the two rules a node answers its peers by (raft_rules.c), which exercises 09 and 10
 * replace through hooks.
 *
 * The engine itself is reached only through raft_ops (consensus.h); raft.c's header comment
 * explains the protocol. These declarations are here so that each file stays short and the
 * tests can build and break messages of their own.
 */
#ifndef BL_CONSENSUS_RAFT_H
#define BL_CONSENSUS_RAFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"
#include "storage/kv.h"

/* Packet types of module MODULE_RAFT (the same numbers as FISCO's RaftPacketType). */
enum {
    RAFT_REQUEST_VOTE = 0,
    RAFT_VOTE_RESPONSE = 1,
    RAFT_APPEND_ENTRIES = 2,
    RAFT_APPEND_RESPONSE = 3,
};

/* The most entries one AppendEntries carries (each is a whole block). */
#define RAFT_MAX_BATCH 8

/* ---- messages (raft_msg.c): every one an RLP list of unsigned integers, AppendEntries with a
 * list of [term, block] entries at its end ---- */

typedef struct {
    uint64_t term;
    uint64_t last_index, last_term; /* the candidate's log, for the up-to-date rule */
} raft_vote_req_t;

typedef struct {
    uint64_t term;
    bool granted;
} raft_vote_resp_t;

typedef struct {
    uint64_t term;
    bl_span_t block; /* an encoded block (ledger/block.h), or empty for a no-op entry */
} raft_entry_view_t;

typedef struct {
    uint64_t term;
    uint64_t prev_index, prev_term;
    uint64_t commit;
    size_t nentries;
    raft_entry_view_t entries[RAFT_MAX_BATCH]; /* point into the decoded message */
} raft_append_t;

typedef struct {
    uint64_t term;
    bool success;
    uint64_t match;          /* success: the last index now known to match the leader's */
    uint64_t conflict_term;  /* failure: the term at prev_index (0: the log is too short) */
    uint64_t conflict_index; /* failure: first index of conflict_term, or last index + 1 */
} raft_append_resp_t;

void raft_encode_vote_req(const raft_vote_req_t *m, bl_buf_t *out);
void raft_encode_vote_resp(const raft_vote_resp_t *m, bl_buf_t *out);
void raft_encode_append(const raft_append_t *m, bl_buf_t *out);
void raft_encode_append_resp(const raft_append_resp_t *m, bl_buf_t *out);
/* Each decoder checks the whole body: BL_E_RLP / BL_E_FORMAT / BL_E_RANGE on anything else,
 * with *m then unspecified. A decoded append points into body. */
int raft_decode_vote_req(bl_span_t body, raft_vote_req_t *m);
int raft_decode_vote_resp(bl_span_t body, raft_vote_resp_t *m);
int raft_decode_append(bl_span_t body, raft_append_t *m);
int raft_decode_append_resp(bl_span_t body, raft_append_resp_t *m);

/* ---- the log (raft_log.c) ----
 *
 * Entries 1 .. last, each a term and an encoded block (empty: a no-op). On disk (the node's
 * disk "group<G>.raft"): key "meta" -> RLP [currentTerm, votedFor + 1] (0: nobody), and key
 * "e" + 8-byte big-endian index -> RLP [term, block]. Every change is one atomic kv batch. */

typedef struct {
    uint64_t term;
    bl_buf_t block;
} raft_entry_t;

typedef struct {
    kv_t *disk;        /* borrowed; NULL: nothing is persisted */
    uint64_t term;     /* currentTerm */
    int voted_for;     /* cluster index, -1 for nobody */
    raft_entry_t *entries; /* entries[i] is index i + 1 */
    size_t count, cap;
} raft_log_t;

/* Load what disk holds (an empty disk is a fresh node). */
int raft_log_open(raft_log_t *log, kv_t *disk);
void raft_log_free(raft_log_t *log);
uint64_t raft_log_last(const raft_log_t *log);
/* Term of entry index (0 for index 0 or beyond the end). */
uint64_t raft_log_term_at(const raft_log_t *log, uint64_t index);
const raft_entry_t *raft_log_at(const raft_log_t *log, uint64_t index);
/* Persist currentTerm and votedFor. */
int raft_log_set_vote(raft_log_t *log, uint64_t term, int voted_for);
/* Drop entries from index on (index >= 1), then append n entries, all in one write. */
int raft_log_replace(raft_log_t *log, uint64_t index, const raft_entry_view_t *entries,
                     size_t n);
/* The first index holding term (0 if none). */
uint64_t raft_log_first_of_term(const raft_log_t *log, uint64_t term);
/* The last index holding term (0 if none). */
uint64_t raft_log_last_of_term(const raft_log_t *log, uint64_t term);

/* ---- the two rules a node answers by (raft_rules.c) ----
 *
 * Granting a vote and accepting entries are the two decisions the Raft paper's Figure 2 spells
 * out for a receiver. Each is a plain function over plain structs, reached through a hook:
 * exercise 09 replaces raft_vote_rule with the student's function, exercise 10 replaces
 * raft_append_rule, and every node of a simulated cluster then decides with it. Set a hook
 * only while no cluster runs; the built-in rules are the ones the engine uses otherwise. */

/* A RequestVote as the node asked sees it (§5.2, §5.4.1). */
typedef struct {
    uint64_t current_term;  /* the voter's currentTerm */
    int voted_for;          /* whom it voted for in current_term, -1 for nobody */
    uint64_t last_index;    /* the voter's last log entry: its index (0: empty log) */
    uint64_t last_term;     /* and its term (0: empty log) */
    int candidate;          /* who asks (a cluster index, >= 0) */
    raft_vote_req_t req;    /* the candidate's term and last log entry */
} raft_vote_question_t;

/* The voter's answer, and its persistent state afterwards. */
typedef struct {
    bool granted;
    uint64_t term;          /* currentTerm after the request (it never goes down) */
    int voted_for;          /* votedFor after the request, -1 for nobody */
} raft_vote_answer_t;

typedef raft_vote_answer_t (*raft_vote_rule_fn)(const raft_vote_question_t *q);
extern raft_vote_rule_fn raft_vote_rule;
raft_vote_answer_t raft_vote_rule_builtin(const raft_vote_question_t *q);

/* A follower's log as a plain array: entries[i] is index i + 1, count entries in all, room for
 * cap (count + the request's entries: enough for any correct append). */
typedef struct {
    raft_entry_view_t *entries;
    size_t count, cap;
} raft_plain_log_t;

/* The AppendEntries receiver (§5.3), once the request's term is known to be the current one:
 * true if the log holds req->prev_index with req->prev_term, and then the log ends up holding
 * req's entries after it (a conflicting suffix deleted, entries already there kept) and
 * *commit is raised to min(req->commit, the index of the last new entry). The engine writes
 * whatever the rule did to the log to disk. */
typedef bool (*raft_append_rule_fn)(raft_plain_log_t *log, uint64_t *commit,
                                    const raft_append_t *req);
extern raft_append_rule_fn raft_append_rule;
bool raft_append_rule_builtin(raft_plain_log_t *log, uint64_t *commit, const raft_append_t *req);

#endif
