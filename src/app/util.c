/*
 * util.c — the table of `bcoslab util` commands. Each command lives with its neighbours in
 * util_crypto.c (hashes, keys, signatures), util_rlp.c, util_abi.c, util_ledger.c
 * (transactions, Merkle roots) and util_demo.c (a small chain, printed).
 */
#include "app/util.h"

#include <stddef.h>

#include "app/cli.h"

static const cli_command_t util_commands[] = {
    { .name = "keccak256", .args = "HEX", .run = util_keccak256,
      .summary = "Keccak-256 digest of the bytes HEX (Ethereum's and FISCO's \"sha3\")" },
    { .name = "sm3", .args = "HEX", .run = util_sm3,
      .summary = "SM3 digest of the bytes HEX (the hash of SM chains)" },
    { .name = "sha256", .args = "HEX", .run = util_sha256,
      .summary = "SHA-256 digest of the bytes HEX" },
    { .name = "rlp-encode", .args = "JSON", .run = util_rlp_encode,
      .summary = "RLP encoding of a value written as in ethereum's RLPTests",
      .help = "JSON strings are their bytes (\"0x..\" is hex), integers are big-endian numbers,\n"
              "\"#123\" is a big integer, arrays are lists.\n"
              "example: bcoslab util rlp-encode '[\"dog\", 1, [\"#1000000000000000000000\"]]'\n" },
    { .name = "rlp-decode", .args = "HEX", .run = util_rlp_decode,
      .summary = "decode RLP into JSON (strings as \"0x..\" hex); invalid RLP is rejected" },
    { .name = "keygen", .args = "[--sm] -o FILE", .run = util_keygen,
      .summary = "new private key (secp256k1, or SM2 with --sm) in a PEM file",
      .help = "Prints the new key's address. The file is PKCS#8 PEM: "
              "`openssl pkey -in FILE -text` shows it.\n" },
    { .name = "address", .args = "[--pub] --key FILE", .run = util_address,
      .summary = "address of a key file (--pub: its 64-byte public key, the node ID)" },
    { .name = "sign", .args = "--key FILE HASH32", .run = util_sign,
      .summary = "sign a 32-byte hash: 65 bytes r|s|v (ECDSA) or 128 bytes r|s|pub (SM)" },
    { .name = "recover", .args = "[--sm] [--pub] HASH32 SIG", .run = util_recover,
      .summary = "the signer's address (--pub: public key) of a signature over HASH32",
      .help = "ECDSA signatures are 65 bytes r|s|v with v = 0/1 or 27/28; SM signatures are\n"
              "128 bytes r|s|pub and are checked against the key they carry.\n" },
    { .name = "tx-build", .args = "--key FILE [OPTIONS]", .run = util_tx_build,
      .summary = "build and sign a FISCO 2.x transaction; print it as raw hex" },
    { .name = "tx-decode", .args = "[--sm] HEX", .run = util_tx_decode,
      .summary = "decode a raw transaction into JSON with every field, its hash and sender" },
    { .name = "merkle-root", .args = "[--sm] HASH32...", .run = util_merkle_root,
      .summary = "FISCO's 16-ary Merkle root (transactionsRoot) of the given hashes" },
    { .name = "abi-encode", .args = "'f(T1,T2,...)' ARGS...", .run = util_abi_encode,
      .summary = "Solidity ABI call data: the function selector, then the arguments" },
    { .name = "abi-decode", .args = "'T1,T2,...' HEX", .run = util_abi_decode,
      .summary = "decode ABI-encoded values into JSON" },
    { .name = "demo-chain", .args = "[--sm] [--blocks N]", .run = util_demo_chain,
      .summary = "build a small chain of signed blocks and print it" },
    { .name = NULL },
};

int
util_main(int argc, char **argv)
{
    return cli_dispatch("util", util_commands, argc - 1, argv + 1);
}
