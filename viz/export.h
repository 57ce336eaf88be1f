/*
 * export.h — pictures of a running world, through the Graphviz builders of viz/dot.
 *
 * viz/dot draws plain data; this file gathers that data from a world and its model: the
 * blocks the model read, the members and roles, the event log for a PBFT round, a block read
 * back from a node for its DAG and for a Merkle Patricia Trie of its transactions. The TUI's
 * `e` key and `bcoslab export` both come here.
 */
#ifndef BL_VIZ_EXPORT_H
#define BL_VIZ_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "world.h"

typedef enum {
    EXPORT_CHAIN,   /* group k's blocks and every node's tip */
    EXPORT_DAG,     /* block `number`'s transaction DAG and its schedule on the workers */
    EXPORT_GROUPS,  /* the groups and their members */
    EXPORT_PBFT,    /* the PBFT round for height `number` as a message sequence */
    EXPORT_MPT,     /* block `number`'s transactions in a Merkle Patricia Trie */
} export_kind_t;

/* "chain", "dag", "groups", "pbft", "mpt" -> kind; -1 if none. */
int export_kind_by_name(const char *name);
const char *export_kind_name(export_kind_t kind);

/* Draw kind for group index k (number: a block or height; -1 the newest) into path (.dot,
 * .svg or .png). */
int export_graph(world_t *w, model_t *m, export_kind_t kind, unsigned k, int64_t number,
                 const char *path);

/* The TUI's `e`: the picture of the view on screen (1..6 as in tui_int.h; Raft and Stats draw
 * the groups) as DIR/bcoslab-<kind>-g<group>-<number>.svg, with its .dot beside it. The SVG's
 * path goes to out. */
int export_world_view(world_t *w, model_t *m, unsigned view, unsigned k, int64_t number,
                      const char *dir, char *out, size_t cap);

#endif
