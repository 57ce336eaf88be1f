/*
 * entry.c — rows of an AMDB table (Entry), lists of rows (Entries) and table schemas (TableInfo).
 *
 * An entry keeps its fields sorted by name. That costs a little on every set, but it gives
 * every row one canonical shape: two rows with the same fields encode to the same bytes, walk
 * their fields in the same order (which is the order dbHash needs, §6.6), and can be compared
 * field by field without sorting first.
 *
 * The encoding for key-value stores is RLP [id, num, status, [[name, value], ...]], with the
 * fields in that same order. The decoder accepts exactly what the encoder writes and nothing
 * else, so a damaged database is noticed instead of being read as a slightly different row.
 */
#include "storage/entry.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "codec/rlp.h"

/* ---- one row ---- */

void
entry_init(entry_t *e)
{
    memset(e, 0, sizeof *e);
    e->status = ENTRY_NORMAL;
}

void
entry_free(entry_t *e)
{
    for (size_t i = 0; i < e->nfields; i++) {
        free(e->fields[i].name);
        bl_buf_free(&e->fields[i].value);
    }
    free(e->fields);
    entry_init(e);
}

void
entry_copy(entry_t *dst, const entry_t *src)
{
    entry_init(dst);
    dst->id = src->id;
    dst->num = src->num;
    dst->status = src->status;
    if (src->nfields == 0)
        return;
    dst->fields = bl_xcalloc(src->nfields, sizeof *dst->fields);
    dst->cap = src->nfields;
    for (size_t i = 0; i < src->nfields; i++) {
        dst->fields[i].name = bl_xstrdup(src->fields[i].name);
        bl_buf_init(&dst->fields[i].value);
        bl_buf_append(&dst->fields[i].value, src->fields[i].value.data, src->fields[i].value.len);
    }
    dst->nfields = src->nfields;
}

/* Binary search for `field`: its index if present (*found = true), else where it would go. */
static size_t
find_field(const entry_t *e, const char *field, bool *found)
{
    size_t lo = 0, hi = e->nfields;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(e->fields[mid].name, field);

        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

void
entry_set(entry_t *e, const char *field, const void *value, size_t len)
{
    bool found;
    size_t at = find_field(e, field, &found);

    if (!found) {
        if (e->nfields == e->cap) {
            e->cap = e->cap ? 2 * e->cap : 4;
            e->fields = bl_xrealloc(e->fields, e->cap * sizeof *e->fields);
        }
        memmove(&e->fields[at + 1], &e->fields[at], (e->nfields - at) * sizeof *e->fields);
        e->fields[at].name = bl_xstrdup(field);
        bl_buf_init(&e->fields[at].value);
        e->nfields++;
    }
    bl_buf_clear(&e->fields[at].value);
    bl_buf_append(&e->fields[at].value, value, len);
}

void
entry_set_str(entry_t *e, const char *field, const char *value)
{
    entry_set(e, field, value, strlen(value));
}

const bl_buf_t *
entry_get(const entry_t *e, const char *field)
{
    bool found;
    size_t at = find_field(e, field, &found);

    return found ? &e->fields[at].value : NULL;
}

bool
entry_field_is(const entry_t *e, const char *field, const char *s)
{
    const bl_buf_t *v = entry_get(e, field);
    size_t n = strlen(s);

    return v != NULL && v->len == n && (n == 0 || memcmp(v->data, s, n) == 0);
}

/* ---- the row as bytes ---- */

void
entry_encode(const entry_t *e, bl_buf_t *out)
{
    size_t row = rlp_list_begin(out), fields;

    rlp_put_uint(out, (uint64_t)e->id);
    rlp_put_uint(out, (uint64_t)e->num);
    rlp_put_uint(out, (uint64_t)e->status);
    fields = rlp_list_begin(out);
    for (size_t i = 0; i < e->nfields; i++) {
        size_t pair = rlp_list_begin(out);

        rlp_put_string(out, e->fields[i].name);
        rlp_put_bytes(out, e->fields[i].value.data, e->fields[i].value.len);
        rlp_list_end(out, pair);
    }
    rlp_list_end(out, fields);
    rlp_list_end(out, row);
}

/* A non-negative int64 from an RLP integer (ids and block numbers are never negative). */
static int
get_int64(const rlp_item_t *item, const char *what, int64_t *v)
{
    uint64_t u;
    int rc = rlp_get_uint(item, &u);

    if (rc < 0)
        return rc; /* rlp_get_uint has said what is wrong with the number */
    if (u > INT64_MAX)
        return bl_fail(BL_E_RANGE, "row %s %llu is out of range", what, (unsigned long long)u);
    *v = (int64_t)u;
    return 0;
}

/* One [name, value] pair; the name must be non-empty text without NUL and sort after prev. */
static int
decode_field(const rlp_item_t *pair_item, const char *prev, entry_t *e)
{
    rlp_item_t pair[2];
    char *name;
    int rc = rlp_list_exact(pair_item, pair, 2, "row field [name, value]");

    if (rc < 0)
        return rc;
    if (pair[0].is_list || pair[1].is_list)
        return bl_fail(BL_E_FORMAT, "row field: name and value must be strings, not lists");
    if (pair[0].payload.len == 0 || memchr(pair[0].payload.ptr, 0, pair[0].payload.len))
        return bl_fail(BL_E_FORMAT, "row field: a name must be non-empty text without NUL");
    name = bl_xmalloc(pair[0].payload.len + 1);
    memcpy(name, pair[0].payload.ptr, pair[0].payload.len);
    name[pair[0].payload.len] = '\0';
    if (prev != NULL && strcmp(prev, name) >= 0) {
        rc = bl_fail(BL_E_FORMAT, "row field \"%s\" is out of order or repeated (after \"%s\")",
                     name, prev);
        free(name);
        return rc;
    }
    entry_set(e, name, pair[1].payload.ptr, pair[1].payload.len);
    free(name);
    return 0;
}

static int
decode_fields(const rlp_item_t *list, entry_t *e)
{
    rlp_iter_t it;
    rlp_item_t pair;
    int rc;

    if (!list->is_list)
        return bl_fail(BL_E_FORMAT, "row fields must be a list");
    rlp_iter_init(&it, list);
    while ((rc = rlp_iter_next(&it, &pair)) == 1) {
        const char *prev = e->nfields ? e->fields[e->nfields - 1].name : NULL;

        rc = decode_field(&pair, prev, e);
        if (rc < 0)
            return rc;
    }
    return rc;
}

int
entry_decode(bl_span_t raw, entry_t *e)
{
    rlp_item_t row, parts[4];
    int64_t status = 0;
    int rc;

    entry_init(e);
    rc = rlp_decode(raw, &row);
    if (rc == 0)
        rc = rlp_list_exact(&row, parts, 4, "row [id, num, status, fields]");
    if (rc == 0)
        rc = get_int64(&parts[0], "_id_", &e->id);
    if (rc == 0)
        rc = get_int64(&parts[1], "_num_", &e->num);
    if (rc == 0)
        rc = get_int64(&parts[2], "_status_", &status);
    if (rc == 0 && status != ENTRY_NORMAL && status != ENTRY_DELETED)
        rc = bl_fail(BL_E_FORMAT, "row _status_ %lld is neither 0 nor 1", (long long)status);
    if (rc == 0) {
        e->status = (entry_status_t)status;
        rc = decode_fields(&parts[3], e);
    }
    if (rc < 0)
        entry_free(e);
    return rc;
}

/* ---- a list of rows ---- */

void
entries_init(entries_t *l)
{
    memset(l, 0, sizeof *l);
}

void
entries_clear(entries_t *l)
{
    for (size_t i = 0; i < l->count; i++)
        entry_free(&l->items[i]);
    l->count = 0;
}

void
entries_free(entries_t *l)
{
    entries_clear(l);
    free(l->items);
    entries_init(l);
}

static entry_t *
entries_slot(entries_t *l)
{
    if (l->count == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 4;
        l->items = bl_xrealloc(l->items, l->cap * sizeof *l->items);
    }
    return &l->items[l->count++];
}

void
entries_add(entries_t *l, const entry_t *e)
{
    entry_copy(entries_slot(l), e);
}

void
entries_take(entries_t *l, entry_t *e)
{
    *entries_slot(l) = *e;
    entry_init(e);
}

/* ---- what a table looks like ---- */

/* Split "a,b,c" into a new array of new strings. Empty pieces are kept as they are; the table
 * layer refuses them before it gets here. An empty list has no fields. */
static void
split_csv(const char *csv, char ***out, size_t *n)
{
    const char *p = csv;

    *out = NULL;
    *n = 0;
    if (csv == NULL || *csv == '\0')
        return;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char *field = bl_xmalloc(len + 1);

        memcpy(field, p, len);
        field[len] = '\0';
        *out = bl_xrealloc(*out, (*n + 1) * sizeof **out);
        (*out)[(*n)++] = field;
        if (comma == NULL)
            break;
        p = comma + 1;
    }
}

void
table_info_init(table_info_t *t, const char *name, const char *key_field,
                const char *value_fields_csv, bool enable_consensus, bool enable_cache)
{
    memset(t, 0, sizeof *t);
    t->name = bl_xstrdup(name);
    t->key_field = bl_xstrdup(key_field);
    split_csv(value_fields_csv, &t->value_fields, &t->nvalue_fields);
    t->enable_consensus = enable_consensus;
    t->enable_cache = enable_cache;
}

void
table_info_free(table_info_t *t)
{
    free(t->name);
    free(t->key_field);
    for (size_t i = 0; i < t->nvalue_fields; i++)
        free(t->value_fields[i]);
    free(t->value_fields);
    memset(t, 0, sizeof *t);
}

void
table_info_copy(table_info_t *dst, const table_info_t *src)
{
    memset(dst, 0, sizeof *dst);
    dst->name = bl_xstrdup(src->name);
    dst->key_field = bl_xstrdup(src->key_field);
    if (src->nvalue_fields > 0)
        dst->value_fields = bl_xcalloc(src->nvalue_fields, sizeof *dst->value_fields);
    for (size_t i = 0; i < src->nvalue_fields; i++)
        dst->value_fields[i] = bl_xstrdup(src->value_fields[i]);
    dst->nvalue_fields = src->nvalue_fields;
    dst->enable_consensus = src->enable_consensus;
    dst->enable_cache = src->enable_cache;
}

bool
table_info_has_field(const table_info_t *t, const char *field)
{
    if (strcmp(t->key_field, field) == 0)
        return true;
    for (size_t i = 0; i < t->nvalue_fields; i++)
        if (strcmp(t->value_fields[i], field) == 0)
            return true;
    return false;
}
