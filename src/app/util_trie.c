/*
 * util_trie.c — `bcoslab util trie-root` and `trie-proof`: the Merkle Patricia Trie by hand
 * (storage/mpt.h explains the trie).
 *
 * Both read a trie's contents written as in ethereum/tests TrieTests: an array of [key, value]
 * pairs applied in order, where a null value deletes the key, or an object {key: value}, whose
 * order does not matter. A key or value starting with "0x" is hex; any other string is its own
 * bytes. The trie lives in a memory store for the length of the command.
 *
 *   trie-root  prints the root hash;
 *   trie-proof prints a key's Merkle proof (the nodes on its path) as JSON, and with --verify
 *              checks such a proof against a root without the trie, printing the value it
 *              proves, or "absent".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "app/cli.h"
#include "app/util.h"
#include "base/bytes.h"
#include "base/error.h"
#include "crypto/suite.h"
#include "storage/kv.h"
#include "storage/mpt.h"

typedef struct {
    mpt_keys_t keys;
    const suite_t *suite;
    bool verify;
} trie_opts_t;

/* Leading options (--secure, --sm, and --verify where allowed). *first is set to the index of
 * the first other argument. */
static int
parse_opts(int argc, char **argv, bool allow_verify, trie_opts_t *o, int *first)
{
    int i = 1;

    o->keys = MPT_PLAIN;
    o->suite = suite_ecdsa();
    o->verify = false;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--secure") == 0)
            o->keys = MPT_SECURE;
        else if (strcmp(argv[i], "--sm") == 0)
            o->suite = suite_sm();
        else if (allow_verify && strcmp(argv[i], "--verify") == 0)
            o->verify = true;
        else if (strcmp(argv[i], "--") == 0)
            break;
        else
            return cli_fail(NULL, "unknown option '%s'; see --help", argv[i]);
    }
    *first = i < argc && strcmp(argv[i], "--") == 0 ? i + 1 : i;
    return CLI_OK;
}

/* The TrieTests string rule: "0x..." is hex, anything else its own bytes. */
static int
text_bytes(const char *what, const char *s, size_t len, bl_buf_t *out)
{
    bl_buf_clear(out);
    if (len >= 2 && s[0] == '0' && s[1] == 'x') {
        if (bl_hex_decode(s, out) != BL_OK)
            return cli_fail(NULL, "%s \"%s\": %s", what, s, bl_errmsg());
        return CLI_OK;
    }
    bl_buf_append(out, s, len);
    return CLI_OK;
}

/* Apply one key and its value (a string, or null to delete). */
static int
apply_pair(mpt_t *t, size_t index, const char *k, size_t klen, json_t *v)
{
    bl_buf_t key = BL_BUF_INIT, value = BL_BUF_INIT;
    int rc;

    if (!json_is_string(v) && !json_is_null(v)) {
        rc = cli_fail(NULL, "entry %zu: the value must be a string, or null to delete", index);
        goto out;
    }
    if ((rc = text_bytes("key", k, klen, &key)) != CLI_OK)
        goto out;
    if (json_is_string(v) &&
        (rc = text_bytes("value", json_string_value(v), json_string_length(v), &value)) != CLI_OK)
        goto out;
    /* a null value leaves `value` empty, and putting nothing deletes */
    if (mpt_put(t, bl_buf_span(&key), bl_buf_span(&value)) != BL_OK)
        rc = cli_fail(NULL, "entry %zu: %s", index, bl_errmsg());
out:
    bl_buf_free(&key);
    bl_buf_free(&value);
    return rc;
}

/* Apply the pairs of an array [[key, value], ...], in order. */
static int
apply_array(mpt_t *t, json_t *in)
{
    size_t i;
    json_t *pair, *key;
    int rc = CLI_OK;

    json_array_foreach(in, i, pair) {
        key = json_array_get(pair, 0);
        if (!json_is_array(pair) || json_array_size(pair) != 2 || !json_is_string(key))
            return cli_fail(NULL, "entry %zu: expected a pair [\"key\", \"value\" or null]", i);
        rc = apply_pair(t, i, json_string_value(key), json_string_length(key),
                        json_array_get(pair, 1));
        if (rc != CLI_OK)
            return rc;
    }
    return CLI_OK;
}

/* Fill t from the JSON text of a TrieTests `in` value. */
static int
load_input(mpt_t *t, const char *text)
{
    json_error_t jerr;
    json_t *in = json_loads(text, JSON_ALLOW_NUL, &jerr), *v;
    const char *k;
    size_t i = 0;
    int rc = CLI_OK;

    if (in == NULL)
        return cli_fail(NULL, "not valid JSON: %s (column %d)", jerr.text, jerr.column);
    if (json_is_array(in)) {
        rc = apply_array(t, in);
    } else if (json_is_object(in)) {
        json_object_foreach(in, k, v) {
            if ((rc = apply_pair(t, i++, k, strlen(k), v)) != CLI_OK)
                break;
        }
    } else {
        rc = cli_fail(NULL, "expected an array of [key, value] pairs or an object "
                      "{key: value}");
    }
    json_decref(in);
    return rc;
}

/* A memory store and the trie built in it from the JSON text. */
static int
build_trie(const trie_opts_t *o, const char *text, kv_t **kv, mpt_t **t)
{
    int rc;

    *kv = NULL;
    *t = NULL;
    if (kv_open("memory", NULL, kv) != BL_OK)
        return cli_fail(NULL, "%s", bl_errmsg());
    if (mpt_open(*kv, o->suite, NULL, o->keys, t) != BL_OK)
        return cli_fail(NULL, "%s", bl_errmsg());
    if ((rc = load_input(*t, text)) != CLI_OK)
        return rc;
    if (mpt_commit_write(*t) != BL_OK)
        return cli_fail(NULL, "%s", bl_errmsg());
    return CLI_OK;
}

int
util_trie_root(int argc, char **argv)
{
    trie_opts_t o;
    kv_t *kv = NULL;
    mpt_t *t = NULL;
    uint8_t root[MPT_HASH_LEN];
    char hex[2 * MPT_HASH_LEN + 1];
    int first, rc = parse_opts(argc, argv, false, &o, &first);

    if (rc == CLI_OK && argc - first != 1)
        rc = cli_fail(NULL, "expected one argument: the contents in JSON, e.g. "
                      "'[[\"dog\", \"puppy\"]]' or '{\"dog\": \"puppy\"}'");
    if (rc == CLI_OK)
        rc = build_trie(&o, argv[first], &kv, &t);
    if (rc == CLI_OK) {
        mpt_root(t, root);
        bl_hex_encode(root, MPT_HASH_LEN, hex);
        printf("%s\n", hex);
    }
    mpt_close(t);
    if (kv != NULL)
        kv_close(kv);
    return rc;
}

/* ---- trie-proof: making a proof ---- */

static json_t *
hex_json(const uint8_t *p, size_t n)
{
    char *s = bl_hex_string_0x(p, n);
    json_t *j = json_string(s);

    free(s);
    return j;
}

/* Print {"root", "key", "value" (or null), "proof": [node, ...]}. */
static void
print_proof(mpt_t *t, bl_span_t key, const mpt_proof_t *proof)
{
    json_t *j = json_object(), *nodes = json_array();
    bl_buf_t value = BL_BUF_INIT;
    uint8_t root[MPT_HASH_LEN];
    char *text;

    mpt_root(t, root);
    json_object_set_new(j, "root", hex_json(root, MPT_HASH_LEN));
    json_object_set_new(j, "key", hex_json(key.ptr, key.len));
    if (mpt_get(t, key, &value) == BL_OK)
        json_object_set_new(j, "value", hex_json(value.data, value.len));
    else
        json_object_set_new(j, "value", json_null());
    for (size_t i = 0; i < proof->count; i++)
        json_array_append_new(nodes, hex_json(proof->nodes[i].data, proof->nodes[i].len));
    json_object_set_new(j, "proof", nodes);
    text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    printf("%s\n", text);
    free(text);
    json_decref(j);
    bl_buf_free(&value);
}

static int
prove(const trie_opts_t *o, const char *contents, const char *key_text)
{
    kv_t *kv = NULL;
    mpt_t *t = NULL;
    bl_buf_t key = BL_BUF_INIT;
    mpt_proof_t proof;
    int rc;

    mpt_proof_init(&proof);
    rc = build_trie(o, contents, &kv, &t);
    if (rc == CLI_OK)
        rc = text_bytes("KEY", key_text, strlen(key_text), &key);
    if (rc == CLI_OK && mpt_prove(t, bl_buf_span(&key), &proof) != BL_OK)
        rc = cli_fail(NULL, "%s", bl_errmsg());
    if (rc == CLI_OK)
        print_proof(t, bl_buf_span(&key), &proof);
    mpt_proof_free(&proof);
    bl_buf_free(&key);
    mpt_close(t);
    if (kv != NULL)
        kv_close(kv);
    return rc;
}

/* ---- trie-proof --verify: checking one ---- */

/* The root, the key and the proof's nodes, from the command line or from a JSON file. */
typedef struct {
    uint8_t root[MPT_HASH_LEN];
    bl_buf_t key;
    mpt_proof_t proof;
} proof_input_t;

static int
read_root_and_key(proof_input_t *in, const char *root, const char *key)
{
    if (bl_hex_decode_fixed(root, in->root, MPT_HASH_LEN) != BL_OK)
        return cli_fail(NULL, "ROOT must be a 32-byte hash: %s", bl_errmsg());
    return text_bytes("KEY", key, strlen(key), &in->key);
}

static int
add_node(proof_input_t *in, size_t index, const char *hex)
{
    bl_buf_t node = BL_BUF_INIT;
    int rc = CLI_OK;

    if (bl_hex_decode(hex, &node) != BL_OK)
        rc = cli_fail(NULL, "proof node %zu: %s", index + 1, bl_errmsg());
    else
        mpt_proof_add(&in->proof, bl_buf_span(&node));
    bl_buf_free(&node);
    return rc;
}

/* The JSON that `trie-proof` prints: {"root", "key", "proof": [...]} ("value" is ignored: the
 * proof itself says what the value is). */
static int
read_proof_file(proof_input_t *in, const char *file)
{
    json_error_t jerr;
    json_t *j = json_load_file(file, 0, &jerr), *root, *key, *nodes, *node;
    size_t i;
    int rc = CLI_OK;

    if (j == NULL)
        return cli_fail(NULL, "%s: %s", file, jerr.text);
    root = json_object_get(j, "root");
    key = json_object_get(j, "key");
    nodes = json_object_get(j, "proof");
    if (!json_is_string(root) || !json_is_string(key) || !json_is_array(nodes))
        rc = cli_fail(NULL, "%s: expected {\"root\": \"0x..\", \"key\": \"0x..\", "
                      "\"proof\": [\"0x..\", ...]}", file);
    if (rc == CLI_OK)
        rc = read_root_and_key(in, json_string_value(root), json_string_value(key));
    json_array_foreach(nodes, i, node) {
        if (rc != CLI_OK)
            break;
        if (!json_is_string(node))
            rc = cli_fail(NULL, "%s: proof node %zu is not a hex string", file, i + 1);
        else
            rc = add_node(in, i, json_string_value(node));
    }
    json_decref(j);
    return rc;
}

static int
verify(const trie_opts_t *o, int argc, char **argv)
{
    proof_input_t in = { .key = BL_BUF_INIT };
    bl_buf_t value = BL_BUF_INIT;
    bool present;
    int rc = CLI_OK;

    mpt_proof_init(&in.proof);
    if (argc == 0)
        rc = cli_fail(NULL, "--verify needs ROOT KEY NODE..., or a FILE printed by trie-proof");
    else if (argc == 1)
        rc = read_proof_file(&in, argv[0]);
    else
        rc = read_root_and_key(&in, argv[0], argv[1]);
    for (int i = 2; rc == CLI_OK && i < argc; i++)
        rc = add_node(&in, (size_t)(i - 2), argv[i]);
    if (rc == CLI_OK && mpt_verify_proof(o->suite, o->keys, in.root, bl_buf_span(&in.key),
                                         &in.proof, &value, &present) != BL_OK)
        rc = cli_fail(NULL, "the proof does not verify: %s", bl_errmsg());
    if (rc == CLI_OK && present) {
        char *hex = bl_hex_string(value.data, value.len);
        printf("%s\n", hex);
        free(hex);
    } else if (rc == CLI_OK) {
        printf("absent\n");
    }
    mpt_proof_free(&in.proof);
    bl_buf_free(&in.key);
    bl_buf_free(&value);
    return rc;
}

int
util_trie_proof(int argc, char **argv)
{
    trie_opts_t o;
    int first, rc = parse_opts(argc, argv, true, &o, &first);

    if (rc != CLI_OK)
        return rc;
    if (o.verify)
        return verify(&o, argc - first, argv + first);
    if (argc - first != 2)
        return cli_fail(NULL, "expected two arguments: the contents in JSON and the KEY");
    return prove(&o, argv[first], argv[first + 1]);
}
