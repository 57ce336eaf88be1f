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
      .help = "A JSON string is its bytes (\"dog\" is 646f67, \"\\u0000\" is the byte 00).\n"
              "A string that starts with \"0x\" is hex bytes instead (go-ethereum's RLPTests\n"
              "runner takes every string as text, but no RLPTests case starts with 0x, so both\n"
              "read the tests alike); to encode the text \"0x..\" itself, write it in hex.\n"
              "A JSON integer, however large (up to 10000 digits), is a number: big-endian, no\n"
              "leading zero bytes, and 0 is the empty string (80). \"#123\" is the same number\n"
              "written as a string.\n"
              "An array is a list. Negative numbers, fractions, objects, true, false and null\n"
              "are refused. The RLP is printed as lowercase hex without 0x.\n"
              "example: bcoslab util rlp-encode '[\"dog\", 1, [\"#1000000000000000000000\"]]'\n" },
    { .name = "rlp-decode", .args = "HEX", .run = util_rlp_decode,
      .summary = "decode RLP into JSON (strings as \"0x..\" hex); invalid RLP is rejected",
      .help = "HEX may start with 0x. Strings print as \"0x..\" hex and lists as arrays, so the\n"
              "output can be given back to rlp-encode. Decoding is strict: every form that is\n"
              "not the one canonical encoding (a byte below 0x80 wrapped as 81xx, a long form\n"
              "where the short one fits, a length with a leading zero, a length running past\n"
              "the input, bytes after the item) is refused with the offset of the fault.\n"
              "example: bcoslab util rlp-decode c6827a77c10401\n"
              "prints:  [\"0x7a77\", [\"0x04\"], \"0x01\"]\n" },
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
    { .name = "trie-root", .args = "[--secure] [--sm] JSON", .run = util_trie_root,
      .summary = "root hash of a Merkle Patricia Trie (Ethereum's state trie) holding JSON",
      .help = "JSON is written as `in` in ethereum/tests TrieTests: an array of [key, value]\n"
              "pairs applied in order, where a null value deletes the key, or an object\n"
              "{key: value}, whose order does not matter. A key or value starting with 0x is\n"
              "hex; any other string is its own bytes. --secure hashes every key first (the\n"
              "secure trie of Ethereum's accounts); --sm hashes with SM3 instead of Keccak-256.\n"
              "The root is printed as lowercase hex without 0x.\n"
              "example: bcoslab util trie-root '{\"doe\": \"reindeer\", \"dog\": \"puppy\"}'\n" },
    { .name = "trie-proof", .args = "[--secure] [--sm] JSON KEY | --verify ROOT KEY NODE...",
      .run = util_trie_proof,
      .summary = "Merkle proof of KEY in a trie holding JSON; --verify checks one",
      .help = "Without --verify: builds the trie as trie-root does and prints JSON with the\n"
              "root, the key, its value (null when absent) and the proof: the RLP of every\n"
              "node on the key's path, root first, as \"0x..\" hex.\n"
              "With --verify: checks the proof nodes against ROOT alone (no trie needed) and\n"
              "prints the value they prove, in hex, or \"absent\". Instead of ROOT KEY NODE...\n"
              "it accepts one FILE holding what trie-proof printed. A proof that does not\n"
              "verify (a node changed or missing, another root) exits 2.\n"
              "KEY follows the same rule as the JSON: 0x.. is hex, else its bytes. Give\n"
              "--secure and --sm to --verify as they were given when proving.\n"
              "example: bcoslab util trie-proof '{\"dog\": \"puppy\"}' dog > p.json\n"
              "         bcoslab util trie-proof --verify p.json\n" },
    { .name = "abi-encode", .args = "[--sm] 'f(T1,T2,...)' ARGS...", .run = util_abi_encode,
      .summary = "Solidity ABI call data: the function selector, then the arguments",
      .help = "Types: uintN and intN (N = 8..256; uint = uint256), address, bool, bytesN\n"
              "(N = 1..32), bytes, string, T[k], T[] and tuples (T1,T2).\n"
              "Arguments: numbers in decimal or 0x hex (intN may be negative), true/false,\n"
              "address and bytes in hex, strings as they are, arrays and tuples as JSON\n"
              "arrays: '[1,2,3]', '[\"a\",\"b\"]', '[[1,2],[3]]'.\n"
              "The selector is Keccak-256 of the canonical signature; --sm uses SM3 (SM chains).\n"
              "A signature without a name, '(uint256,string)', encodes only the arguments.\n"
              "Put -- before the signature if an argument is exactly -h.\n"
              "example: bcoslab util abi-encode 'userTransfer(string,string,uint256)' "
              "alice bob 10\n" },
    { .name = "abi-decode", .args = "[--sm] 'T1,T2,...' HEX", .run = util_abi_decode,
      .summary = "decode ABI-encoded values into JSON",
      .help = "HEX holds the encoded values, without a selector. Given a signature 'f(T1,...)'\n"
              "instead of a type list, HEX is call data: it must start with f's selector\n"
              "(--sm: the SM3 one), and the arguments after it are decoded.\n"
              "Output: a JSON array, one item per type: numbers as decimal strings, address and\n"
              "bytes as \"0x\" hex, strings as strings, bool as true/false, arrays as arrays.\n"
              "Strict: offsets or lengths out of range, non-zero padding, a bool other than 0\n"
              "or 1, missing or trailing bytes are refused.\n"
              "example: bcoslab util abi-decode 'uint256,string' \"$(bcoslab util abi-encode "
              "'(uint256,string)' 5 hi)\"\n" },
    { .name = "demo-chain", .args = "[--sm] [--blocks N]", .run = util_demo_chain,
      .summary = "build a small chain of signed blocks and print it" },
    { .name = "dag", .args = "[--txs N] [--conflict P] [--serial P] [--seed S] [--dot]",
      .run = util_dag,
      .summary = "generate a block of DagTransfer transfers and print its transaction DAG",
      .help = "N transactions (default 16). Each is a serial barrier (a contract deployment)\n"
              "with chance P% (--serial, default 10), else userTransfer(from, to, 1) at\n"
              "DagTransfer 0x5002. A transfer conflicts with chance P% (--conflict, default\n"
              "30): it sends from the user the previous transfer paid, so it waits for it;\n"
              "other transfers use two new users. Prints each tx's level, in-degree, critical\n"
              "fields and the txs it waits for; --dot prints Graphviz instead.\n"
              "example: bcoslab util dag --txs 40 --dot | dot -Tsvg > dag.svg\n" },
    { .name = NULL },
};

int
util_main(int argc, char **argv)
{
    return cli_dispatch("util", util_commands, argc - 1, argv + 1);
}
