/*
 * mptutil.c — see mptutil.h.
 */
#include "mptutil.h"

#include "testutil.h"

#include "base/error.h"
#include "crypto/suite.h"

mpt_t *
tu_empty_trie(kv_t *kv, mpt_keys_t keys)
{
    mpt_t *t;

    assert_int_equal(mpt_open(kv, suite_ecdsa(), NULL, keys, &t), BL_OK);
    return t;
}

void
tu_trie_put(mpt_t *t, const char *key, const char *value)
{
    assert_int_equal(mpt_put(t, tu_str(key), tu_str(value)), BL_OK);
}
