/*
 * abi_call.c — call data: the function selector, then the arguments.
 *
 * A transaction to a contract says which function to run with 4 bytes, the selector, which
 * are the first 4 bytes of the hash of the function's CANONICAL signature: its name, then its
 * argument types in parentheses with no spaces, no parameter names and no aliases ("uint" is
 * written "uint256"). So transfer(address to, uint amount) is hashed as the 25 characters
 * "transfer(address,uint256)", whose Keccak-256 starts with a9 05 9c bb.
 *
 * Two spellings of one function must give the same 4 bytes, so we never hash what the user
 * typed: we parse it and print the tree back (abi_type_format). And the hash is the chain's
 * (suite->hash): Keccak-256, or SM3 on SM chains — which is why FISCO's precompiled contracts
 * answer to different selectors on the two kinds of chain.
 *
 * After the selector come the arguments, encoded as one tuple (abi.c). A signature without a
 * name, "(uint256,string)", has no selector: its "call data" is just the encoded arguments,
 * which is also how a function's return values are encoded.
 */
#include "codec/abi.h"

#include <stdio.h>
#include <string.h>

#include "base/error.h"

int
abi_signature_selector(const suite_t *suite, const abi_signature_t *sig,
                       uint8_t out[ABI_SELECTOR_LEN])
{
    bl_buf_t canon = BL_BUF_INIT;
    uint8_t digest[32];

    if (sig->name[0] == '\0')
        return bl_fail(BL_E_ABI, "a selector needs a function name, as in f(uint256)");
    bl_buf_append(&canon, sig->name, strlen(sig->name));
    abi_type_format(sig->args, &canon);
    suite->hash(canon.data, canon.len, digest);
    memcpy(out, digest, ABI_SELECTOR_LEN);
    bl_buf_free(&canon);
    return BL_OK;
}

int
abi_selector(const suite_t *suite, const char *signature, uint8_t out[ABI_SELECTOR_LEN])
{
    abi_signature_t sig;
    int err = abi_signature_parse(signature, &sig);

    if (err != BL_OK)
        return err;
    err = abi_signature_selector(suite, &sig, out);
    abi_signature_free(&sig);
    return err;
}

/* Selector (when the signature has a name) and arguments into a new buffer, then onto out,
 * so that out is untouched on error. */
static int
encode_parsed_call(const suite_t *suite, const abi_signature_t *sig, const abi_value_t *args,
                   bl_buf_t *out)
{
    uint8_t selector[ABI_SELECTOR_LEN];
    bl_buf_t call = BL_BUF_INIT;
    int err = BL_OK;

    if (sig->name[0] != '\0') {
        if ((err = abi_signature_selector(suite, sig, selector)) != BL_OK)
            goto out;
        bl_buf_append(&call, selector, ABI_SELECTOR_LEN);
    }
    if ((err = abi_encode(sig->args, args, &call)) != BL_OK)
        goto out;
    bl_buf_append(out, call.data, call.len);
out:
    bl_buf_free(&call);
    return err;
}

int
abi_encode_call(const suite_t *suite, const char *signature, const abi_value_t *args,
                bl_buf_t *out)
{
    abi_signature_t sig;
    int err = abi_signature_parse(signature, &sig);

    if (err != BL_OK)
        return err;
    err = encode_parsed_call(suite, &sig, args, out);
    abi_signature_free(&sig);
    return err;
}

/* The argument values from their texts, one per type of the signature. */
static int
arguments_from_text(const abi_signature_t *sig, const char *const *texts, size_t n,
                    abi_value_t **out)
{
    abi_value_t *args;
    char msg[400];

    if (n != sig->args->nitems)
        return bl_fail(BL_E_ABI, "%s(...) takes %zu argument%s, got %zu", sig->name,
                       sig->args->nitems, sig->args->nitems == 1 ? "" : "s", n);
    args = abi_value_list(n);
    for (size_t i = 0; i < n; i++) {
        if (abi_value_from_text(sig->args->items[i], texts[i], &args->items[i]) != BL_OK) {
            snprintf(msg, sizeof msg, "%s", bl_errmsg());
            abi_value_free(args);
            return bl_fail(BL_E_ABI, "argument %zu: %s", i + 1, msg);
        }
    }
    *out = args;
    return BL_OK;
}

int
abi_encode_call_text(const suite_t *suite, const char *signature, const char *const *args,
                     size_t nargs, bl_buf_t *out)
{
    abi_signature_t sig;
    abi_value_t *values = NULL;
    int err = abi_signature_parse(signature, &sig);

    if (err != BL_OK)
        return err;
    if ((err = arguments_from_text(&sig, args, nargs, &values)) == BL_OK)
        err = encode_parsed_call(suite, &sig, values, out);
    abi_value_free(values);
    abi_signature_free(&sig);
    return err;
}

int
abi_decode_call(const suite_t *suite, const char *signature, bl_span_t calldata,
                abi_value_t **args)
{
    abi_signature_t sig;
    uint8_t sel[ABI_SELECTOR_LEN];
    int err = abi_signature_parse(signature, &sig);

    if (err != BL_OK)
        return err;
    if (sig.name[0] == '\0') { /* no name, no selector: all of it is arguments */
        err = abi_decode(sig.args, calldata, args);
        goto out;
    }
    if ((err = abi_signature_selector(suite, &sig, sel)) != BL_OK)
        goto out;
    if (calldata.len < ABI_SELECTOR_LEN) {
        err = bl_fail(BL_E_ABI, "call data of %zu bytes is too short for a 4-byte selector",
                      calldata.len);
        goto out;
    }
    if (memcmp(calldata.ptr, sel, ABI_SELECTOR_LEN) != 0) {
        err = bl_fail(BL_E_ABI, "call data starts with selector %02x%02x%02x%02x, but %s(...) "
                      "has %02x%02x%02x%02x", calldata.ptr[0], calldata.ptr[1], calldata.ptr[2],
                      calldata.ptr[3], sig.name, sel[0], sel[1], sel[2], sel[3]);
        goto out;
    }
    err = abi_decode(sig.args, bl_span(calldata.ptr + ABI_SELECTOR_LEN,
                                       calldata.len - ABI_SELECTOR_LEN), args);
out:
    abi_signature_free(&sig);
    return err;
}
