/*
 * consensus.c — the engines a group can choose in its genesis (consensus.h).
 */
#include "consensus/consensus.h"

#include <string.h>

static const consensus_ops_t *const engines[] = {
    &solo_ops,
    &pbft_ops,
    &raft_ops,
};

const consensus_ops_t *
consensus_find(const char *name)
{
    for (size_t i = 0; i < sizeof engines / sizeof engines[0]; i++)
        if (strcmp(engines[i]->name, name) == 0)
            return engines[i];
    return NULL;
}
