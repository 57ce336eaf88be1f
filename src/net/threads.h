/*
 * threads.h — the threads driver: every node on its own thread, on the real clock.
 *
 * The simulator (net/sim.h) runs a whole cluster on one thread in virtual time, which is what
 * tests and lessons want. A live demo wants the opposite: nodes really running side by side,
 * on every core, as fast as they can. This driver gives each node a thread and a mailbox:
 *
 *     node A's thread                          node B's thread
 *     ---------------                          ---------------
 *     env_send(B, bytes) --copy--> [B's mailbox] --> on_message(B, from A, bytes)
 *
 * A node's thread sleeps until its mailbox has something or its next timer is due, then takes
 * EVERYTHING waiting in the mailbox at once and handles it. Waking a sleeping thread on the
 * other core costs tens of microseconds (about 34 us on the course's 2-core machine, as much as
 * checking a signature), so a node that receives a burst pays for one wake-up, not one per
 * message, and a sender only signals a receiver that is actually asleep.
 *
 * Node code never sees a lock: all calls into one node (messages, timers, threads_call) run on
 * that node's thread, one at a time, exactly as in the simulator.
 */
#ifndef BL_NET_THREADS_H
#define BL_NET_THREADS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/evlog.h"
#include "net/env.h"

typedef struct threads threads_t;

/* A cluster of nnodes nodes made by ops, reporting to log. Disks are in memory, or RocksDB
 * directories under data_dir/node<i>/<name> when data_dir is not NULL; seed seeds each node's
 * random stream (env_random). Nothing runs until threads_start. */
int threads_new(unsigned nnodes, const endpoint_ops_t *ops, void *arg, evlog_t *log,
                const char *data_dir, uint64_t seed, threads_t **out);

/* Start every node's thread; each makes its node (ops->create) on its own thread. */
int threads_start(threads_t *t);

/* Run fn(node, arg) on node i's thread and wait until it has run: the way a client, a test or
 * the TUI talks to a running node. fn gets NULL while node i is down. */
int threads_call(threads_t *t, unsigned i, void (*fn)(void *node, void *arg), void *arg);

/* Crash node i (its volatile state is freed, messages to it are dropped; its disks stay) and
 * start it again. Both return when done. */
void threads_crash(threads_t *t, unsigned i);
void threads_restart(threads_t *t, unsigned i);

/* Pause the whole cluster, or let it go on: while paused its clock stands still, no timer
 * fires and messages wait in the mailboxes; threads_call still runs (a paused picture can be
 * looked at). The time spent paused is left out of the clock, as if it never happened. */
void threads_pause(threads_t *t, bool paused);
/* The cluster's clock in ms (what every node's env_now says). */
uint64_t threads_now(threads_t *t);

/* Cut or restore the link between a and b (both directions). */
void threads_set_link(threads_t *t, unsigned a, unsigned b, bool up);

/* Stop every node (ops->destroy on its own thread), join the threads and free everything. */
void threads_free(threads_t *t);

#endif
