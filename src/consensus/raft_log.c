/*
 * raft_log.c — Raft's persistent state: currentTerm, votedFor and the log (raft.h).
 *
 * Figure 2 of the Raft paper calls these three "persistent state on all servers: updated on
 * stable storage before responding to RPCs". A node that forgot its vote could vote twice in
 * one term; one that forgot entries it acknowledged could let a leader count it toward a
 * majority for an entry that then vanishes. So every change here is written to the node's disk
 * (one atomic kv batch) before the function returns, and the engine replies only afterwards.
 *
 * The log is kept whole in memory as well (entries[i] is index i + 1): entries are blocks, and
 * the chains of a course are short. Compaction (snapshots) is left out; the ledger itself is
 * the snapshot a lagging node catches up from, through sync.
 */
#include "consensus/raft.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "codec/rlp.h"

static const char meta_key[] = "meta";

static void
entry_key(uint64_t index, uint8_t key[9])
{
    key[0] = 'e';
    bl_put_be(key + 1, index, 8);
}

static void
encode_entry(uint64_t term, bl_span_t block, bl_buf_t *out)
{
    size_t at = rlp_list_begin(out);

    rlp_put_uint(out, term);
    rlp_put_bytes(out, block.ptr, block.len);
    rlp_list_end(out, at);
}

static void
push_entry(raft_log_t *log, uint64_t term, bl_span_t block)
{
    raft_entry_t *e;

    if (log->count == log->cap) {
        log->cap = log->cap ? log->cap * 2 : 16;
        log->entries = bl_xrealloc(log->entries, log->cap * sizeof *log->entries);
    }
    e = &log->entries[log->count++];
    e->term = term;
    bl_buf_init(&e->block);
    bl_buf_append(&e->block, block.ptr, block.len);
}

/* ---- loading ---- */

static int
load_meta(raft_log_t *log)
{
    bl_buf_t v = BL_BUF_INIT;
    rlp_item_t list, f[2];
    uint64_t term = 0, vote = 0;
    int rc = kv_get(log->disk, bl_span(meta_key, sizeof meta_key - 1), &v);

    if (rc == BL_E_NOTFOUND) {
        rc = BL_OK;
        goto out;
    }
    if (rc == BL_OK)
        rc = rlp_decode(bl_buf_span(&v), &list);
    if (rc == BL_OK)
        rc = rlp_list_exact(&list, f, 2, "raft meta");
    if (rc == BL_OK)
        rc = rlp_get_uint(&f[0], &term);
    if (rc == BL_OK)
        rc = rlp_get_uint(&f[1], &vote);
    if (rc == BL_OK && vote > 1u << 20)
        rc = bl_fail(BL_E_FORMAT, "raft meta: votedFor %llu", (unsigned long long)vote);
    log->term = term;
    log->voted_for = (int)vote - 1;
out:
    bl_buf_free(&v);
    return rc;
}

static int
load_entry(void *arg, bl_span_t key, bl_span_t value)
{
    raft_log_t *log = arg;
    rlp_item_t list, f[2];
    uint64_t term;
    int rc;

    if (key.len != 9 || bl_get_be(key.ptr + 1, 8) != log->count + 1)
        return bl_fail(BL_E_FORMAT, "raft log: entry %zu missing on disk", log->count + 1);
    if ((rc = rlp_decode(value, &list)) != BL_OK ||
        (rc = rlp_list_exact(&list, f, 2, "raft log entry")) != BL_OK ||
        (rc = rlp_get_uint(&f[0], &term)) != BL_OK)
        return rc;
    push_entry(log, term, f[1].payload);
    return 0;
}

int
raft_log_open(raft_log_t *log, kv_t *disk)
{
    int rc;

    memset(log, 0, sizeof *log);
    log->disk = disk;
    log->voted_for = -1;
    if (disk == NULL)
        return BL_OK;
    if ((rc = load_meta(log)) != BL_OK)
        return rc;
    return kv_scan_prefix(disk, bl_span("e", 1), load_entry, log);
}

void
raft_log_free(raft_log_t *log)
{
    for (size_t i = 0; i < log->count; i++)
        bl_buf_free(&log->entries[i].block);
    free(log->entries);
    memset(log, 0, sizeof *log);
}

/* ---- reading ---- */

uint64_t
raft_log_last(const raft_log_t *log)
{
    return log->count;
}

const raft_entry_t *
raft_log_at(const raft_log_t *log, uint64_t index)
{
    return index >= 1 && index <= log->count ? &log->entries[index - 1] : NULL;
}

uint64_t
raft_log_term_at(const raft_log_t *log, uint64_t index)
{
    const raft_entry_t *e = raft_log_at(log, index);

    return e != NULL ? e->term : 0;
}

uint64_t
raft_log_first_of_term(const raft_log_t *log, uint64_t term)
{
    for (size_t i = 0; i < log->count; i++)
        if (log->entries[i].term == term)
            return i + 1;
    return 0;
}

uint64_t
raft_log_last_of_term(const raft_log_t *log, uint64_t term)
{
    for (size_t i = log->count; i > 0; i--)
        if (log->entries[i - 1].term == term)
            return i;
    return 0;
}

/* ---- writing ---- */

int
raft_log_set_vote(raft_log_t *log, uint64_t term, int voted_for)
{
    bl_buf_t v = BL_BUF_INIT;
    size_t at = rlp_list_begin(&v);
    int rc = BL_OK;

    rlp_put_uint(&v, term);
    rlp_put_uint(&v, (uint64_t)(voted_for + 1));
    rlp_list_end(&v, at);
    if (log->disk != NULL)
        rc = kv_put(log->disk, bl_span(meta_key, sizeof meta_key - 1), bl_buf_span(&v));
    if (rc == BL_OK) {
        log->term = term;
        log->voted_for = voted_for;
    }
    bl_buf_free(&v);
    return rc;
}

/* Put the deletes of index.. and the n new entries into batch. */
static void
fill_batch(const raft_log_t *log, uint64_t index, const raft_entry_view_t *entries, size_t n,
           kv_batch_t *batch)
{
    uint8_t key[9];

    for (uint64_t i = index; i <= log->count; i++) {
        entry_key(i, key);
        kv_batch_delete(batch, bl_span(key, sizeof key));
    }
    for (size_t i = 0; i < n; i++) {
        bl_buf_t v = BL_BUF_INIT;

        encode_entry(entries[i].term, entries[i].block, &v);
        entry_key(index + i, key);
        kv_batch_put(batch, bl_span(key, sizeof key), bl_buf_span(&v));
        bl_buf_free(&v);
    }
}

int
raft_log_replace(raft_log_t *log, uint64_t index, const raft_entry_view_t *entries, size_t n)
{
    kv_batch_t batch;
    int rc = BL_OK;

    if (index < 1 || index > log->count + 1)
        return bl_fail(BL_E_RANGE, "raft log: cannot write at %llu after %zu entries",
                       (unsigned long long)index, log->count);
    kv_batch_init(&batch);
    fill_batch(log, index, entries, n, &batch);
    if (log->disk != NULL)
        rc = kv_write(log->disk, &batch);
    if (rc != BL_OK)
        goto out;
    while (log->count >= index)
        bl_buf_free(&log->entries[--log->count].block);
    for (size_t i = 0; i < n; i++)
        push_entry(log, entries[i].term, entries[i].block);
out:
    kv_batch_free(&batch);
    return rc;
}
