/*
 * status.c — names of the transaction status codes, as FISCO's documentation spells them.
 */
#include "ledger/status.h"

#include <stddef.h>

static const struct {
    int code;
    const char *name;
} names[] = {
    { TX_OK, "None" },
    { TX_UNKNOWN, "Unknown" },
    { TX_BAD_RLP, "BadRLP" },
    { TX_INVALID_FORMAT, "InvalidFormat" },
    { TX_OUT_OF_GAS_INTRINSIC, "OutOfGasIntrinsic" },
    { TX_INVALID_SIGNATURE, "InvalidSignature" },
    { TX_INVALID_NONCE, "InvalidNonce" },
    { TX_NOT_ENOUGH_CASH, "NotEnoughCash" },
    { TX_BLOCK_GAS_LIMIT_REACHED, "BlockGasLimitReached" },
    { TX_BAD_INSTRUCTION, "BadInstruction" },
    { TX_BAD_JUMP_DESTINATION, "BadJumpDestination" },
    { TX_OUT_OF_GAS, "OutOfGas" },
    { TX_OUT_OF_STACK, "OutOfStack" },
    { TX_STACK_UNDERFLOW, "StackUnderflow" },
    { TX_NONCE_CHECK_FAIL, "NonceCheckFail" },
    { TX_BLOCK_LIMIT_CHECK_FAIL, "BlockLimitCheckFail" },
    { TX_FILTER_CHECK_FAIL, "FilterCheckFail" },
    { TX_NO_DEPLOY_PERMISSION, "NoDeployPermission" },
    { TX_NO_CALL_PERMISSION, "NoCallPermission" },
    { TX_NO_TX_PERMISSION, "NoTxPermission" },
    { TX_PRECOMPILED_ERROR, "PrecompiledError" },
    { TX_REVERT_INSTRUCTION, "RevertInstruction" },
    { TX_INVALID_ZERO_SIGNATURE_FORMAT, "InvalidZeroSignatureFormat" },
    { TX_ADDRESS_ALREADY_USED, "AddressAlreadyUsed" },
    { TX_PERMISSION_DENIED, "PermissionDenied" },
    { TX_CALL_ADDRESS_ERROR, "CallAddressError" },
    { TX_GAS_OVERFLOW, "GasOverflow" },
    { TX_TXPOOL_IS_FULL, "TxPoolIsFull" },
    { TX_TRANSACTION_REFUSED, "TransactionRefused" },
    { TX_CONTRACT_FROZEN, "ContractFrozen" },
    { TX_ACCOUNT_FROZEN, "AccountFrozen" },
    { TX_ALREADY_KNOWN, "AlreadyKnown" },
    { TX_ALREADY_IN_CHAIN, "AlreadyInChain" },
    { TX_INVALID_CHAIN_ID, "InvalidChainId" },
    { TX_INVALID_GROUP_ID, "InvalidGroupId" },
    { TX_REQUEST_NOT_BELONG_TO_THE_GROUP, "RequestNotBelongToTheGroup" },
    { TX_MALFORMED_TX, "MalformedTx" },
    { TX_OVER_GROUP_MEMORY_LIMIT, "OverGroupMemoryLimit" },
};

const char *
tx_status_name(int status)
{
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (names[i].code == status)
            return names[i].name;
    }
    return "Unknown";
}
