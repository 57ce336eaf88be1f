/*
 * raft_msg.c — the four Raft messages as bytes, and back (raft.h).
 *
 * Every message is one RLP list; numbers are RLP unsigned integers (canonical: no leading
 * zero byte). Field by field:
 *
 *   RequestVote     [term, lastLogIndex, lastLogTerm]
 *   VoteResponse    [term, voteGranted (0|1)]
 *   AppendEntries   [term, prevLogIndex, prevLogTerm, leaderCommit, [[term, block], ...]]
 *   AppendResponse  [term, success (0|1), matchIndex, conflictTerm, conflictIndex]
 *
 * The candidate or leader is the sender of the frame: the network layer says who that is, so
 * the body does not repeat it. A decoder accepts a body only if it has exactly this shape;
 * anything else is an error, and the engine drops the message without looking further.
 */
#include "consensus/raft.h"

#include "base/error.h"
#include "codec/rlp.h"

/* The bodies are checked by a fixed item count; an entry is checked here. */
#define RAFT_APPEND_FIELDS 5
#define RAFT_RESP_FIELDS 5

void
raft_encode_vote_req(const raft_vote_req_t *m, bl_buf_t *out)
{
    size_t at = rlp_list_begin(out);

    rlp_put_uint(out, m->term);
    rlp_put_uint(out, m->last_index);
    rlp_put_uint(out, m->last_term);
    rlp_list_end(out, at);
}

void
raft_encode_vote_resp(const raft_vote_resp_t *m, bl_buf_t *out)
{
    size_t at = rlp_list_begin(out);

    rlp_put_uint(out, m->term);
    rlp_put_uint(out, m->granted ? 1 : 0);
    rlp_list_end(out, at);
}

void
raft_encode_append(const raft_append_t *m, bl_buf_t *out)
{
    size_t at = rlp_list_begin(out), list;

    rlp_put_uint(out, m->term);
    rlp_put_uint(out, m->prev_index);
    rlp_put_uint(out, m->prev_term);
    rlp_put_uint(out, m->commit);
    list = rlp_list_begin(out);
    for (size_t i = 0; i < m->nentries; i++) {
        size_t e = rlp_list_begin(out);

        rlp_put_uint(out, m->entries[i].term);
        rlp_put_bytes(out, m->entries[i].block.ptr, m->entries[i].block.len);
        rlp_list_end(out, e);
    }
    rlp_list_end(out, list);
    rlp_list_end(out, at);
}

void
raft_encode_append_resp(const raft_append_resp_t *m, bl_buf_t *out)
{
    size_t at = rlp_list_begin(out);

    rlp_put_uint(out, m->term);
    rlp_put_uint(out, m->success ? 1 : 0);
    rlp_put_uint(out, m->match);
    rlp_put_uint(out, m->conflict_term);
    rlp_put_uint(out, m->conflict_index);
    rlp_list_end(out, at);
}

/* Read n unsigned integers from items into v. */
static int
get_uints(const rlp_item_t *items, size_t n, uint64_t *v)
{
    for (size_t i = 0; i < n; i++) {
        int rc = rlp_get_uint(&items[i], &v[i]);

        if (rc != BL_OK)
            return rc;
    }
    return BL_OK;
}

static int
get_flag(uint64_t v, bool *out)
{
    if (v > 1)
        return bl_fail(BL_E_FORMAT, "raft: a flag must be 0 or 1, not %llu",
                       (unsigned long long)v);
    *out = v == 1;
    return BL_OK;
}

/* Decode body as a list of exactly n integers. */
static int
decode_uints(bl_span_t body, size_t n, uint64_t *v, const char *what)
{
    rlp_item_t list, items[RAFT_RESP_FIELDS];
    int rc;

    if ((rc = rlp_decode(body, &list)) != BL_OK)
        return rc;
    if ((rc = rlp_list_exact(&list, items, n, what)) != BL_OK)
        return rc;
    return get_uints(items, n, v);
}

int
raft_decode_vote_req(bl_span_t body, raft_vote_req_t *m)
{
    uint64_t v[3];
    int rc = decode_uints(body, 3, v, "raft RequestVote");

    if (rc != BL_OK)
        return rc;
    m->term = v[0];
    m->last_index = v[1];
    m->last_term = v[2];
    return BL_OK;
}

int
raft_decode_vote_resp(bl_span_t body, raft_vote_resp_t *m)
{
    uint64_t v[2];
    int rc = decode_uints(body, 2, v, "raft VoteResponse");

    if (rc != BL_OK)
        return rc;
    m->term = v[0];
    return get_flag(v[1], &m->granted);
}

int
raft_decode_append_resp(bl_span_t body, raft_append_resp_t *m)
{
    uint64_t v[RAFT_RESP_FIELDS];
    int rc = decode_uints(body, RAFT_RESP_FIELDS, v, "raft AppendResponse");

    if (rc != BL_OK)
        return rc;
    m->term = v[0];
    m->match = v[2];
    m->conflict_term = v[3];
    m->conflict_index = v[4];
    return get_flag(v[1], &m->success);
}

/* One [term, block] entry; the block must be a byte string (its own checks come later, when
 * it is applied: block_decode). */
static int
decode_entry(const rlp_item_t *item, raft_entry_view_t *e)
{
    rlp_item_t f[2];
    int rc;

    if ((rc = rlp_list_exact(item, f, 2, "raft entry")) != BL_OK)
        return rc;
    if ((rc = rlp_get_uint(&f[0], &e->term)) != BL_OK)
        return rc;
    if (f[1].is_list)
        return bl_fail(BL_E_FORMAT, "raft entry: the block must be a byte string");
    if (e->term == 0)
        return bl_fail(BL_E_FORMAT, "raft entry: term 0 is never an entry's term");
    e->block = f[1].payload;
    return BL_OK;
}

static int
decode_entries(const rlp_item_t *list, raft_append_t *m)
{
    rlp_iter_t it;
    rlp_item_t item;
    int rc;

    if (!list->is_list)
        return bl_fail(BL_E_FORMAT, "raft AppendEntries: entries must be a list");
    m->nentries = 0;
    rlp_iter_init(&it, list);
    while ((rc = rlp_iter_next(&it, &item)) == 1) {
        if (m->nentries == RAFT_MAX_BATCH)
            return bl_fail(BL_E_RANGE, "raft AppendEntries: more than %d entries",
                           RAFT_MAX_BATCH);
        if ((rc = decode_entry(&item, &m->entries[m->nentries])) != BL_OK)
            return rc;
        m->nentries++;
    }
    return rc;
}

int
raft_decode_append(bl_span_t body, raft_append_t *m)
{
    rlp_item_t list, items[RAFT_APPEND_FIELDS];
    uint64_t v[4];
    int rc;

    if ((rc = rlp_decode(body, &list)) != BL_OK)
        return rc;
    if ((rc = rlp_list_exact(&list, items, RAFT_APPEND_FIELDS, "raft AppendEntries")) != BL_OK)
        return rc;
    if ((rc = get_uints(items, 4, v)) != BL_OK)
        return rc;
    m->term = v[0];
    m->prev_index = v[1];
    m->prev_term = v[2];
    m->commit = v[3];
    if (m->prev_index > UINT64_MAX - RAFT_MAX_BATCH)
        return bl_fail(BL_E_RANGE, "raft AppendEntries: prevLogIndex out of range");
    return decode_entries(&items[4], m);
}
