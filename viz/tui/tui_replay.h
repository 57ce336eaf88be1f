/*
 * tui_replay.h — the trace viewer of `bcoslab replay FILE`: a failed run, one event at a time.
 *
 * A simulated test that fails leaves a trace (base/trace.h): its seed and every event of the
 * run. The viewer walks through those events with a cursor, the way a debugger steps through a
 * program. Above the list, a table says what the events up to the cursor add up to for each
 * node: up or down, the height of each group's chain, its PBFT view and phase or its Raft term
 * and role, the messages it sent and lost. Keys jump to the next commit or the next view change,
 * and a filter keeps one node's events, or one kind's.
 *
 * The words it uses for nodes, phases, roles and events (tui_replay_text.c) are shared with
 * `replay --text`.
 */
#ifndef BL_VIZ_TUI_REPLAY_H
#define BL_VIZ_TUI_REPLAY_H

#include <stdbool.h>
#include <stddef.h>

#include "base/trace.h"

/* A node's name as the demo writes it: A, B, C, ... for the first 26, then N26, N27, ... */
void tui_replay_node_name(int node, char out[8]);
/* "idle", "prepared", "signed", "committed", "view-change" (pbft_phase_t, consensus/pbft.h) */
const char *tui_replay_phase_name(int phase);
/* "follower", "candidate", "leader" ("" before any Raft event) */
const char *tui_replay_role_name(trace_raft_role_t role);
/* "up", "down", "stopped"; a node never started is "not yet", or "?" if the trace lost its
 * first events (it may have started before them). */
const char *tui_replay_status_name(trace_node_status_t status, bool trace_lost_events);
/* What one node's group looks like: "h2 v3 signed", "h5 t4 leader", "h1"; "" if the node never
 * said anything about the group. */
void tui_replay_member_text(const trace_member_t *m, char *buf, size_t len);
/* The event in one plain sentence: "node C committed block 5 (3 txs) of group 1". */
void tui_replay_explain(const ev_t *ev, char *buf, size_t len);

/* Show trace (read from path) in the terminal until q. Returns BL_OK, or BL_E_INVALID (with a
 * message) if there is no terminal to draw on. */
int tui_replay_run(const trace_t *trace, const char *path);

#endif
