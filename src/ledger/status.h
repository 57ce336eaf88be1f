/*
 * status.h — the status codes of FISCO BCOS 2.x transactions and receipts.
 *
 * A receipt's `status` says how execution ended; the pool answers a rejected submission with one
 * of the 10000-range codes. The numbers are FISCO's, so a student can look any of them up in the
 * FISCO documentation ("交易回执状态").
 */
#ifndef BL_LEDGER_STATUS_H
#define BL_LEDGER_STATUS_H

enum tx_status {
    TX_OK = 0,
    TX_UNKNOWN = 1,
    TX_BAD_RLP = 2,
    TX_INVALID_FORMAT = 3,
    TX_OUT_OF_GAS_INTRINSIC = 4,
    TX_INVALID_SIGNATURE = 5,
    TX_INVALID_NONCE = 6,
    TX_NOT_ENOUGH_CASH = 7,
    TX_BLOCK_GAS_LIMIT_REACHED = 9,
    TX_BAD_INSTRUCTION = 10,
    TX_BAD_JUMP_DESTINATION = 11,
    TX_OUT_OF_GAS = 12,
    TX_OUT_OF_STACK = 13,
    TX_STACK_UNDERFLOW = 14,
    TX_NONCE_CHECK_FAIL = 15,
    TX_BLOCK_LIMIT_CHECK_FAIL = 16,
    TX_FILTER_CHECK_FAIL = 17,
    TX_NO_DEPLOY_PERMISSION = 18,
    TX_NO_CALL_PERMISSION = 19,
    TX_NO_TX_PERMISSION = 20,
    TX_PRECOMPILED_ERROR = 21,
    TX_REVERT_INSTRUCTION = 22,
    TX_INVALID_ZERO_SIGNATURE_FORMAT = 23,
    TX_ADDRESS_ALREADY_USED = 24,
    TX_PERMISSION_DENIED = 25,
    TX_CALL_ADDRESS_ERROR = 26,
    TX_GAS_OVERFLOW = 27,
    TX_TXPOOL_IS_FULL = 28,
    TX_TRANSACTION_REFUSED = 29,
    TX_CONTRACT_FROZEN = 30,
    TX_ACCOUNT_FROZEN = 31,
    TX_ALREADY_KNOWN = 10000,
    TX_ALREADY_IN_CHAIN = 10001,
    TX_INVALID_CHAIN_ID = 10002,
    TX_INVALID_GROUP_ID = 10003,
    TX_REQUEST_NOT_BELONG_TO_THE_GROUP = 10004,
    TX_MALFORMED_TX = 10005,
    TX_OVER_GROUP_MEMORY_LIMIT = 10006,
};

/* FISCO's name for a status code ("BlockLimitCheckFail"), or "Unknown". */
const char *tx_status_name(int status);

#endif
