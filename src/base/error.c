/*
 * error.c — error names, per-thread detail messages, and allocation that cannot fail.
 *
 * A detail message lives in thread-local storage (like errno) so that node threads reporting
 * errors at the same time do not overwrite each other's sentences.
 */
#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local char last_message[512];

const char *
bl_strerror(int err)
{
    switch (err) {
    case BL_OK:          return "ok";
    case BL_E_INVALID:   return "invalid input";
    case BL_E_HEX:       return "invalid hex";
    case BL_E_RLP:       return "malformed RLP";
    case BL_E_ABI:       return "malformed ABI data";
    case BL_E_JSON:      return "malformed JSON";
    case BL_E_CRYPTO:    return "crypto library error";
    case BL_E_KEY:       return "invalid key";
    case BL_E_SIGNATURE: return "invalid signature";
    case BL_E_RANGE:     return "value out of range";
    case BL_E_FORMAT:    return "invalid format";
    case BL_E_IO:        return "input/output error";
    case BL_E_NOTFOUND:  return "not found";
    case BL_E_DB:        return "database error";
    case BL_E_EXISTS:    return "already exists";
    case BL_E_DENIED:    return "permission denied";
    default:             return "unknown error";
    }
}

int
bl_fail(int err, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(last_message, sizeof last_message, fmt, ap);
    va_end(ap);
    return err;
}

const char *
bl_errmsg(void)
{
    return last_message;
}

static void
out_of_memory(size_t n)
{
    fprintf(stderr, "bcoslab: out of memory (asked for %zu bytes)\n", n);
    abort();
}

void *
bl_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);

    if (p == NULL)
        out_of_memory(n);
    return p;
}

void *
bl_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);

    if (p == NULL)
        out_of_memory(count * size);
    return p;
}

void *
bl_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);

    if (q == NULL)
        out_of_memory(n);
    return q;
}

char *
bl_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;

    return memcpy(bl_xmalloc(n), s, n);
}
