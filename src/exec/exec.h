/*
 * exec.h — the executive: running one transaction against a group's state.
 *
 * A transaction names a receiver and carries ABI call data. The executive looks the receiver
 * up: at FISCO's fixed addresses (0x1000 SystemConfig, 0x1001 TableFactory, 0x1002 CRUD,
 * 0x1003 Consensus, 0x1004 CNS, 0x1005 Permission, 0x1006 ParallelConfig, 0x5002 DagTransfer)
 * live "precompiled contracts": functions written in C that read and write the group's tables.
 * Until the virtual machine arrives, creating a contract or calling any other address ends with
 * FISCO's status codes for those cases. Whatever happens, the transaction gets a receipt: its
 * status (0 for success, ledger/status.h), its output (ABI-encoded), the gas it used, its logs.
 *
 * A call reaches the tables only through exec_table.c, which does two things a precompile must
 * never do by itself:
 *   - it checks write permission: a table listed in _sys_table_access_ may be written only by
 *     the accounts listed there for it (fisco-2x-facts §7.3) — others get BL_E_DENIED;
 *   - in a parallel transaction it keeps the writes aside ("buffered") until the transaction
 *     ends, so that transactions running at the same time on other worker threads never see
 *     each other's half-done work (exec/pte.c explains the rest).
 *
 * A failed transaction leaves no trace in the tables: its writes are reverted (or, buffered,
 * dropped), and only its receipt — and the nonce it used — remain.
 */
#ifndef BL_EXEC_EXEC_H
#define BL_EXEC_EXEC_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"
#include "crypto/suite.h"
#include "ledger/receipt.h"
#include "ledger/tx.h"
#include "storage/amdb.h"
#include "storage/state.h"

/* Gas. FISCO charges no coin, but every transaction declares a gas limit and every receipt
 * says what it used. Our schedule: Ethereum's intrinsic cost (21000, plus 4 per zero and 16
 * per non-zero byte of input), then a fixed price per table operation. */
#define EXEC_GAS_TX 21000u
#define EXEC_GAS_ZERO_BYTE 4u
#define EXEC_GAS_NONZERO_BYTE 16u
#define EXEC_GAS_TABLE_READ 200u
#define EXEC_GAS_TABLE_WRITE 5000u
#define EXEC_GAS_CREATE_TABLE 20000u

/* ---- dynamic objects ----
 *
 * FISCO's table API hands a contract OBJECTS: openTable() returns a Table, table.newEntry()
 * an Entry, table.select() an Entries list, table.newCondition() a Condition. Each is a small
 * precompiled contract of its own, made while the block runs and given a fresh address
 * (0x10001, 0x10002, ... — FISCO's ExecutiveContext::registerPrecompiled counts up from
 * 0x10000). A contract (or, until the virtual machine exists, a test) then calls the object at
 * that address like any other contract: entry.set("name", "alice") is a call to the Entry's
 * address with the selector of set(string,string).
 *
 * The objects belong to the block: every transaction of the block may use an object an earlier
 * one made (the addresses keep counting up), a failed transaction does not take its objects
 * back, and exec_block_destroy frees them all.
 *
 * Threads: objects are made only by calls that run alone — TableFactory and the Table object
 * declare no critical fields, so the transaction DAG never runs them beside another
 * transaction, and exec_register_object refuses a buffered call of a concurrent block. A call
 * that runs alone holds the block's write lock (exec/pte.c), so no worker reads the list while
 * it grows. */
#define EXEC_OBJECT_BASE 0x10000u  /* the first object gets EXEC_OBJECT_BASE + 1 */
#define EXEC_OBJECTS_MAX 1000000u  /* per block: a runaway loop of newEntry() stops here */

struct exec_call;

/* What kind of object (one per kind: Table, Entry, Entries, Condition). */
typedef struct {
    const char *name;
    /* Run a call to an object of this kind: like precompile_t.call, with the object's state. */
    int (*call)(struct exec_call *c, void *state);
    void (*free)(void *state); /* NULL if the state needs no freeing */
} exec_object_class_t;

typedef struct {
    const exec_object_class_t *cls;
    void *state;
} exec_object_t;

/* The block being executed: what every call of every transaction shares. */
typedef struct {
    const suite_t *suite;
    amdb_t *db;       /* the group's tables */
    state_t *state;   /* the world state (accounts), or NULL */
    int64_t number;   /* the block's height */
    int64_t timestamp;
    /* While a parallel executor runs, worker threads share the tables: buffered transactions
     * read under the read lock and publish their writes under the write lock; a transaction
     * that runs alone (a serial barrier of the DAG) holds the write lock throughout. The serial
     * executor sets concurrent = false and no lock is taken. */
    bool concurrent;
    pthread_rwlock_t lock;
    /* The dynamic objects made so far in this block: objects[i] lives at address
     * EXEC_OBJECT_BASE + 1 + i. */
    exec_object_t *objects;
    size_t nobjects;
    size_t objects_cap;
} exec_block_t;

/* Set up / tear down the context of one block (the lock is made here). */
void exec_block_init(exec_block_t *b, const suite_t *suite, amdb_t *db, state_t *state,
                     int64_t number, int64_t timestamp);
void exec_block_destroy(exec_block_t *b);

/* Take the block's lock to read or to write, and let it go. A worker holds it for a few
 * microseconds at a time, while putting a thread to sleep and waking it up again costs tens of
 * microseconds (more on a virtual machine): so a thread that finds it taken first tries again
 * for a moment, and only then sleeps. (pthread_rwlock_rdlock sleeps at once: with two workers
 * that made a block of transfers slower than the serial executor — bcoslab bench pte.) */
void exec_lock_read(exec_block_t *b);
void exec_lock_write(exec_block_t *b);
void exec_unlock(exec_block_t *b);

/* One write kept aside by a buffered transaction. */
typedef enum { EXEC_WRITE_INSERT, EXEC_WRITE_UPDATE, EXEC_WRITE_REMOVE } exec_write_kind_t;

typedef struct {
    exec_write_kind_t kind;
    table_t *table;
    char *key;
    entry_t entry;      /* insert and update */
    condition_t cond;   /* update and remove */
    bool has_cond;
} exec_write_t;

/* One call to a contract, as a precompile sees it. */
typedef struct exec_call {
    exec_block_t *block;
    uint8_t origin[20];   /* the account that signed the transaction (tx.origin) */
    uint8_t to[20];       /* the contract called */
    bl_span_t input;      /* the call data: 4-byte selector, then ABI-encoded arguments */
    bl_buf_t output;      /* what the call returns, ABI-encoded */
    uint64_t gas_used;
    int status;           /* TX_OK, or the TX_* code the receipt will carry */
    receipt_t *receipt;   /* for logs */
    bool buffered;        /* keep writes aside until the transaction ends */
    const table_t *allowed; /* the last table this call was found allowed to write */
    exec_write_t *writes;
    size_t nwrites;
    size_t cap;
} exec_call_t;

/* ---- the tables, as a call may use them (exec_table.c) ---- */

/* BL_E_NOTFOUND if there is no such table. */
int exec_open_table(exec_call_t *c, const char *name, table_t **t);
int exec_select(exec_call_t *c, table_t *t, const char *key, const condition_t *cond,
                entries_t *out);
/* Writes check the origin's permission first (BL_E_DENIED, naming the table), then do what the
 * table layer does (amdb.h), or keep the write aside in a buffered call. */
int exec_insert(exec_call_t *c, table_t *t, const char *key, const entry_t *e);
int exec_update(exec_call_t *c, table_t *t, const char *key, const entry_t *e,
                const condition_t *cond, size_t *count);
int exec_remove(exec_call_t *c, table_t *t, const char *key, const condition_t *cond,
                size_t *count);
/* createTable, guarded by the permission on _sys_tables_. BL_E_EXISTS if it exists. */
int exec_create_table(exec_call_t *c, const char *name, const char *key_field,
                      const char *value_fields, table_t **out);
/* May the origin write this table? Only rows of _sys_table_access_ in force at this block
 * (enable_num <= number) count; a table with no such rows may be written by anyone. */
int exec_may_write(exec_call_t *c, const char *table_name, bool *allowed);
/* The decision itself: may `origin` write a table whose _sys_table_access_ rows are `rows`, in
 * block `number`? exec_may_write asks whatever exec_access_rule points to: exec_access_allows,
 * unless exercise 11 (exercises/11-permission-check) has put the student's function there.
 * Set it only while no cluster runs. */
typedef bool (*exec_access_rule_fn)(const entries_t *rows, const uint8_t origin[20],
                                    int64_t number);
extern exec_access_rule_fn exec_access_rule;
bool exec_access_allows(const entries_t *rows, const uint8_t origin[20], int64_t number);

/* ---- dynamic objects (exec.c) ---- */

/* Give `state` (an object of kind cls) the next free address of the block, written to addr;
 * the block frees the state with cls->free when it ends. On failure the state is freed at
 * once: BL_E_RANGE past EXEC_OBJECTS_MAX, BL_E_INVALID in a buffered call of a concurrent
 * block (see above). */
int exec_register_object(exec_call_t *c, const exec_object_class_t *cls, void *state,
                         uint8_t addr[20]);
/* Is addr in the range objects get (EXEC_OBJECT_BASE + 1 and up), whether or not an object
 * lives there yet? A transaction DAG built before the block runs cannot know which objects
 * will exist, so it should let a call to such an address run alone, as FISCO does for a
 * precompile that is not parallel. */
bool exec_is_object_address(const uint8_t addr[20]);
/* The state of the object at addr if it is of kind cls (NULL cls: any kind), or NULL. */
void *exec_object_at(const exec_block_t *b, const uint8_t addr[20],
                     const exec_object_class_t *cls);

/* ---- calls and transactions (exec.c) ---- */

void exec_call_init(exec_call_t *c, exec_block_t *b, const uint8_t origin[20],
                    const uint8_t to[20], bl_span_t input, receipt_t *r);
void exec_call_free(exec_call_t *c);
/* Publish a buffered call's writes to the tables (the caller holds the write lock). */
int exec_call_publish(exec_call_t *c);

/* Ethereum's intrinsic gas of a transaction's input. */
uint64_t exec_intrinsic_gas(bl_span_t input);

/* Run one transaction and fill its receipt (every field but stateRoot, which the block's final
 * root fills later). buffered: the transaction may run beside others (its writes are kept
 * aside and published at the end, under the write lock when b->concurrent). A failure of the
 * transaction itself is a status in the receipt and returns BL_OK; only a broken store returns
 * an error. */
int exec_tx(exec_block_t *b, const tx_t *tx, bool buffered, receipt_t *r);

#endif
