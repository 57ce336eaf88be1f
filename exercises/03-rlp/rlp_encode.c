/*
 * rlp_encode.c — exercise 03: YOUR RLP encoder (see rlp_encode.h and README.md).
 *
 * Replace the body below. `make grade EX=03` grades it.
 */
#include "rlp_encode.h"

#include "grade.h"

void ex_rlp_encode(const ex_rlp_item_t *item, bl_buf_t *out)
{
    (void)item;
    (void)out;
    ex_todo(__func__);
}
