/*
 * hash.c — SHA-256 and SM3 through OpenSSL's EVP digest interface.
 *
 * The digest objects are fetched once and kept: fetching an algorithm from OpenSSL 3's provider
 * is far more expensive than hashing the 32 to a few hundred bytes the chain usually hashes.
 */
#include "crypto/hash.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <openssl/evp.h>

static EVP_MD *sha256_md, *sm3_md;
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;

static void
fetch_digests(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
    sm3_md = EVP_MD_fetch(NULL, "SM3", NULL);
    if (sha256_md == NULL || sm3_md == NULL) {
        fprintf(stderr, "bcoslab: OpenSSL has no SHA-256 or SM3 digest\n");
        abort();
    }
}

static void
digest(const EVP_MD *md, const void *data, size_t len, uint8_t out[32])
{
    unsigned int n = 0;

    if (!EVP_Digest(data, len, out, &n, md, NULL) || n != 32) {
        fprintf(stderr, "bcoslab: OpenSSL digest failed\n");
        abort(); /* cannot happen with a fetched digest and valid buffers */
    }
}

void
hash_sha256(const void *data, size_t len, uint8_t out[32])
{
    pthread_once(&fetch_once, fetch_digests);
    digest(sha256_md, data, len, out);
}

void
hash_sm3(const void *data, size_t len, uint8_t out[32])
{
    pthread_once(&fetch_once, fetch_digests);
    digest(sm3_md, data, len, out);
}
