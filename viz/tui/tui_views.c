/*
 * tui_views.c — the chain and groups views.
 *
 * Chain: lesson 1's picture, live. Each block is a car: its number, the start of its hash, how
 * many transactions it carries and which sealer packed it; the coupling between two cars is
 * the child naming its parent's hash. Under the train, every node's tip (a node behind the
 * others is highlighted: it is lagging, down or cut off) and the header of the selected block.
 *
 * Groups: lesson 4's picture. One row per node, one column per group: whether the node is a
 * member (sealer or observer) or never sees the group at all, its height and pool there, and
 * the node's own state (up, down, cut off, Byzantine).
 */
#include <stdio.h>
#include <string.h>

#include "tui/tui_int.h"

#define CAR_W 13   /* a car and its coupling: "┌─────────┐" plus "◀─" */
#define CAR_H 5

int64_t
tui_shown_block(const tui_t *t, bool with_txs)
{
    const model_group_t *g = &t->m.g[t->group];

    if (t->block >= 0)
        return t->block;
    if (!with_txs)
        return g->fetched;
    for (int64_t n = g->fetched; n >= 0 && n > g->fetched - MODEL_BLOCKS; n--) {
        const model_block_t *b = model_block(&t->m, t->group, n);

        if (b != NULL && b->txs > 0)
            return n;
    }
    return g->fetched;
}

static void
draw_car(tui_t *t, const tui_rect_t *r, int y, int x, const model_block_t *b, bool selected)
{
    char hash[12];
    attr_t attr = selected ? tui_attr(t, TUI_LEADER) | A_REVERSE : A_NORMAL;
    const char *sealer = b->sealer >= 0 ? world_node_name(t->w, (unsigned)b->sealer) : "-";

    tui_short_hash(b->hash, hash);
    tui_put(r, y, x, attr, "┌──────────┐");
    tui_put(r, y + 1, x, attr, "│#%-9lld│", (long long)b->number);
    tui_put(r, y + 2, x, attr, "│%-10s│", hash);
    tui_put(r, y + 3, x, attr, b->number == 0 ? "│genesis   │" : "│%3zu tx  %s │", b->txs,
            sealer);
    tui_put(r, y + 4, x, attr, "└──────────┘");
}

/* The train: the newest blocks that fit, oldest on the left, the selected one in view. */
static int
draw_train(tui_t *t, const tui_rect_t *r, int y)
{
    const model_group_t *g = &t->m.g[t->group];
    int fit = (r->w + 2) / (CAR_W + 1);
    int64_t shown = tui_shown_block(t, false);
    int64_t last = shown + fit / 2 > g->fetched || t->block < 0 ? g->fetched : shown + fit / 2;
    int64_t first = last - fit + 1 < 0 ? 0 : last - fit + 1;

    if (fit < 1 || g->fetched < 0) {
        tui_put(r, y, 0, A_NORMAL, "waiting for the first blocks...");
        return y + 1;
    }
    for (int64_t n = first; n <= last; n++) {
        const model_block_t *b = model_block(&t->m, t->group, n);
        int x = (int)(n - first) * (CAR_W + 1);

        if (b == NULL)
            continue;
        if (n > first)
            tui_put(r, y + 2, x - 2, tui_attr(t, TUI_DIM), "◀─");
        draw_car(t, r, y, x, b, n == shown);
    }
    tui_put(r, y + CAR_H, 0, tui_attr(t, TUI_DIM), "◀─ names the parent's hash: change one "
            "byte and every later hash breaks");
    return y + CAR_H + 1;
}

static int
draw_tips(tui_t *t, const tui_rect_t *r, int y)
{
    const model_group_t *g = &t->m.g[t->group];
    int x = tui_put(r, y, 0, A_BOLD, "tips ");

    for (unsigned i = 0; i < t->m.nnodes; i++) {
        const model_member_t *me = &g->m[i];
        attr_t attr;
        const char *state = tui_node_state(t, i, &attr);

        if (!me->member)
            continue;
        if (strcmp(state, "up") == 0)
            attr = me->height < g->top ? tui_attr(t, TUI_WARN) : tui_attr(t, TUI_OK);
        if (i == t->node)
            attr |= A_UNDERLINE;
        x += tui_put(r, y, x, attr, " %s▸#%lld", world_node_name(t->w, i), (long long)me->height);
        if (strcmp(state, "up") != 0)
            x += tui_put(r, y, x, attr, "(%s)", state);
        else if (me->height < g->top)
            x += tui_put(r, y, x, attr, "(-%lld)", (long long)(g->top - me->height));
    }
    return y + 1;
}

static int
hash_line(const tui_rect_t *r, int y, const char *label, const uint8_t hash[32])
{
    char hex[67];

    int room = r->w - 13;

    tui_full_hash(hash, hex);
    if (room < 66 && room > 1)
        tui_put(r, y, 0, A_NORMAL, "%-12s %.*s…", label, room - 1, hex);
    else
        tui_put(r, y, 0, A_NORMAL, "%-12s %s", label, hex);
    return y + 1;
}

static void
draw_header(tui_t *t, const tui_rect_t *r, int y)
{
    const model_block_t *b = model_block(&t->m, t->group, tui_shown_block(t, false));
    unsigned q = model_quorum(&t->m, t->group);

    if (b == NULL || y >= r->h)
        return;
    tui_put(r, y++, 0, tui_attr(t, TUI_TITLE), "block #%lld%s", (long long)b->number,
            t->block < 0 ? " (the tip; ← → to choose another)" : "");
    y = hash_line(r, y, "hash", b->hash);
    y = hash_line(r, y, "parentHash", b->parent);
    y = hash_line(r, y, "stateRoot", b->state_root);
    y = hash_line(r, y, "txsRoot", b->tx_root);
    y = hash_line(r, y, "receiptsRoot", b->receipt_root);
    y = hash_line(r, y, "dbHash", b->db_hash);
    tui_put(r, y++, 0, A_NORMAL, "%-12s %lld   gasUsed %llu   transactions %zu", "timestamp",
            (long long)b->timestamp, (unsigned long long)b->gas_used, b->txs);
    tui_put(r, y++, 0, A_NORMAL, "%-12s %s   signatures %zu (quorum %u)", "sealer",
            b->sealer >= 0 ? world_node_name(t->w, (unsigned)b->sealer) : "-", b->nsigs, q);
}

void
tui_view_chain(tui_t *t, const tui_rect_t *box)
{
    tui_rect_t r = tui_inner(box);
    char title[80];
    int y;
    const model_group_t *g = &t->m.g[t->group];

    snprintf(title, sizeof title, "1 Chain · group %u (%s) · height %lld", g->id, g->consensus,
             (long long)(g->top > g->fetched ? g->top : g->fetched));
    tui_box(t, box, title);
    y = draw_train(t, &r, 0);
    y = draw_tips(t, &r, y);
    draw_header(t, &r, y + 1);
}

/* ---- groups ---- */

static void
draw_cell(tui_t *t, const tui_rect_t *r, int y, int x, unsigned i, unsigned k)
{
    const model_member_t *me = &t->m.g[k].m[i];
    attr_t attr;

    if (!me->member) {
        tui_put(r, y, x, tui_attr(t, TUI_DIM), "—  never sees it");
        return;
    }
    tui_node_state(t, i, &attr);
    if (world_node_up(t->w, i) && me->height < t->m.g[k].top)
        attr = tui_attr(t, TUI_WARN);
    tui_put(r, y, x, attr, "%-8s #%-5lld pool %-4zu", me->role == 2 ? "observer" : "sealer",
            (long long)me->height, me->pool);
}

void
tui_view_groups(tui_t *t, const tui_rect_t *box)
{
    tui_rect_t r = tui_inner(box);
    int col = 14, cell = 27, y = 2;

    tui_box(t, box, "2 Groups · who is in which ledger");
    tui_put(&r, 0, 0, A_BOLD, "node   state");
    for (unsigned k = 0; k < t->m.ngroups; k++)
        tui_put(&r, 0, col + (int)k * cell, k == t->group ? tui_attr(t, TUI_LEADER) : A_BOLD,
                "group %u · %s · %u nodes", t->m.g[k].id, t->m.g[k].consensus,
                model_members(&t->m, k));
    for (unsigned i = 0; i < t->m.nnodes; i++, y++) {
        attr_t attr;
        const char *state = tui_node_state(t, i, &attr);

        tui_put(&r, y, 0, i == t->node ? A_REVERSE | A_BOLD : A_BOLD, "%-4s", world_node_name(
                t->w, i));
        tui_put(&r, y, 7, attr, "%s", state);
        for (unsigned k = 0; k < t->m.ngroups; k++)
            draw_cell(t, &r, y, col + (int)k * cell, i, k);
    }
    y++;
    tui_put(&r, y++, 0, tui_attr(t, TUI_DIM), "Each group is its own ledger, consensus and pool."
            " A node outside a group");
    tui_put(&r, y++, 0, tui_attr(t, TUI_DIM), "never receives its messages, blocks or "
            "transactions (group isolation).");
    tui_put(&r, y + 1, 0, A_NORMAL, "selected: node %s (↑↓)   c crash/restart   p cut off   "
            "b Byzantine", world_node_name(t->w, t->node));
}
