/*
 * testutil.h — helpers shared by the test programs.
 *
 * Every test program is a cmocka program (tests/<area>/test_<topic>.c) with a main() that runs
 * cmocka_run_group_tests(). These helpers find the public conformance vectors in ../shared/vectors
 * (the BL_VECTORS environment variable, set by the Makefile), read JSON and text files, compare
 * bytes against hex, make fixed keys, open and count in-memory key-value stores, and run the
 * bcoslab binary (BL_BIN) for command-line tests.
 *
 * A test never silently skips: a missing vector file is a failure.
 */
#ifndef BL_TESTS_TESTUTIL_H
#define BL_TESTS_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>

#include "base/bytes.h"
#include "crypto/key.h"
#include "storage/kv.h"

/* Absolute path of a file under the vectors directory; the caller frees it. */
char *tu_vector_path(const char *rel);
/* Parse a JSON vector file (fails the test if it cannot). Strings may hold NUL bytes ("\u0000"
 * in RLPTests): read them with json_string_length(), not strlen(). */
json_t *tu_load_json(const char *rel);
/* Whole file into a NUL-terminated buffer (fails the test if it cannot). */
char *tu_read_file(const char *path, size_t *len);

/* The bytes of a C string, without its terminating NUL: tu_str("key") is a 3-byte span. */
bl_span_t tu_str(const char *s);

/* Hex to bytes, failing the test on bad hex. */
void tu_hex(const char *hex, bl_buf_t *out);
/* Hex to exactly n bytes. */
void tu_hex_fixed(const char *hex, uint8_t *out, size_t n);
/* Fail (printing both) unless bytes p[0..n) equal the hex text. */
void tu_assert_hex_eq(const uint8_t *p, size_t n, const char *hex);

/* A fixed key pair of suite whose private key is 32 bytes of `byte`: the same key on every run,
 * and a different one for each byte (fails the test if the key cannot be made). */
void tu_key(keypair_t *kp, const suite_t *suite, uint8_t byte);

/* A fresh, empty in-memory key-value store (fails the test if it cannot); close it with
 * kv_close. */
kv_t *tu_memory_kv(void);
/* How many key-value pairs kv holds (fails the test if the scan fails). */
size_t tu_kv_count(kv_t *kv);

/* Run `bcoslab ARGS` through /bin/sh. *out and *err receive stdout and stderr (caller frees;
 * either pointer may be NULL). Returns the exit status (or -1 if it did not exit normally). */
int tu_run(char **out, char **err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Run `bcoslab ARGS`, which must succeed: exit 0 and nothing on stderr. Returns its stdout
 * without the final newline (caller frees). */
char *tu_run_ok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Run `bcoslab ARGS`, which must be refused the way every command refuses bad input: exit 2,
 * nothing on stdout, and exactly one line on stderr, ending in a newline and containing `why`
 * (NULL: any line). */
void tu_run_bad(const char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A fresh empty directory under /tmp for one test; the caller frees the path. */
char *tu_tempdir(void);

/* Group setup and teardown for programs that need scratch files: tu_dir is a fresh directory
 * while the group runs, removed with its contents afterwards. */
extern char *tu_dir;
int tu_setup_dir(void **state);
int tu_teardown_dir(void **state);

/* Cut trailing newlines off a command's output, in place. */
void tu_chomp(char *s);
/* Fail unless err is exactly one non-empty line (how every command reports bad input). */
void tu_assert_one_line(const char *err);

#endif
