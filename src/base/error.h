/*
 * error.h — how bcoslab reports failure.
 *
 * Every function that can fail returns an int: 0 (BL_OK) on success or one of the negative
 * BL_E_* codes below. The code says what kind of thing went wrong; a sentence saying exactly
 * what (which byte, which field, which limit) is kept beside it, per thread, and read back with
 * bl_errmsg(). The idiom at a failure site is one line:
 *
 *     return bl_fail(BL_E_RLP, "list claims %zu bytes but only %zu remain", need, left);
 *
 * and at the top (a command, a test) the caller prints bl_errmsg(). Running out of memory is not
 * an error a caller can act on, so allocation goes through bl_xmalloc() and friends, which stop
 * the program with a message instead of returning NULL.
 */
#ifndef BL_BASE_ERROR_H
#define BL_BASE_ERROR_H

#include <stddef.h>

enum bl_err {
    BL_OK = 0,
    BL_E_INVALID = -1,    /* a bad argument or malformed input in general */
    BL_E_HEX = -2,        /* text that is not valid hexadecimal */
    BL_E_RLP = -3,        /* malformed or non-canonical RLP */
    BL_E_ABI = -4,        /* malformed Solidity ABI data or type signature */
    BL_E_JSON = -5,       /* malformed JSON, or JSON of the wrong shape */
    BL_E_CRYPTO = -6,     /* the crypto library failed */
    BL_E_KEY = -7,        /* a private or public key that is not valid */
    BL_E_SIGNATURE = -8,  /* a signature that is malformed or does not verify */
    BL_E_RANGE = -9,      /* a number or a length outside what the format allows */
    BL_E_FORMAT = -10,    /* bytes that decode but do not form a valid object (tx, block...) */
    BL_E_IO = -11,        /* a file could not be read or written */
    BL_E_NOTFOUND = -12,  /* the thing asked for does not exist */
    BL_E_DB = -13,        /* the database (RocksDB, SQLite) failed or is damaged */
    BL_E_EXISTS = -14,    /* the thing to be created exists already */
    BL_E_DENIED = -15,    /* the caller is not allowed to do this */
    BL_E_LAST = -16
};

/* A short fixed name for a code ("malformed RLP"). */
const char *bl_strerror(int err);

/* Record a detail message for the current thread and return err, for `return bl_fail(...)`. */
int bl_fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The detail message of the last bl_fail() on this thread ("" if none). */
const char *bl_errmsg(void);

/* Allocation that never returns NULL: on exhaustion it prints and aborts. */
void *bl_xmalloc(size_t n);
void *bl_xcalloc(size_t count, size_t size);
void *bl_xrealloc(void *p, size_t n);
char *bl_xstrdup(const char *s);

#endif
