/*
 * testutil.c — see testutil.h.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/error.h"

static const char *
vectors_dir(void)
{
    const char *d = getenv("BL_VECTORS");

    return d && *d ? d : "../shared/vectors";
}

char *
tu_vector_path(const char *rel)
{
    const char *dir = vectors_dir();
    char *p = bl_xmalloc(strlen(dir) + strlen(rel) + 2);

    sprintf(p, "%s/%s", dir, rel);
    return p;
}

json_t *
tu_load_json(const char *rel)
{
    char *path = tu_vector_path(rel);
    json_error_t jerr;
    json_t *j = json_load_file(path, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);

    if (j == NULL)
        fail_msg("cannot load %s: %s (line %d)", path, jerr.text, jerr.line);
    free(path);
    return j;
}

char *
tu_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    bl_buf_t b = BL_BUF_INIT;
    char chunk[65536];
    size_t n;

    if (f == NULL)
        fail_msg("cannot open %s", path);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        bl_buf_append(&b, chunk, n);
    fclose(f);
    bl_buf_push(&b, 0);
    if (len)
        *len = b.len - 1;
    return (char *)b.data;
}

bl_span_t
tu_str(const char *s)
{
    return bl_span(s, strlen(s));
}

void
tu_hex(const char *hex, bl_buf_t *out)
{
    if (bl_hex_decode(hex, out) != BL_OK)
        fail_msg("bad hex in test data: %s (%.60s)", bl_errmsg(), hex);
}

void
tu_hex_fixed(const char *hex, uint8_t *out, size_t n)
{
    if (bl_hex_decode_fixed(hex, out, n) != BL_OK)
        fail_msg("bad hex in test data: %s (%.60s)", bl_errmsg(), hex);
}

void
tu_assert_hex_eq(const uint8_t *p, size_t n, const char *hex)
{
    bl_buf_t want = BL_BUF_INIT;

    tu_hex(hex, &want);
    if (want.len != n || (n && memcmp(want.data, p, n) != 0)) {
        char *got = bl_hex_string(p, n);
        char *exp = bl_hex_string(want.data, want.len);
        print_error("bytes differ\n  got:      %s\n  expected: %s\n", got, exp);
        free(got);
        free(exp);
        bl_buf_free(&want);
        fail();
    }
    bl_buf_free(&want);
}

void
tu_key(keypair_t *kp, const suite_t *suite, uint8_t byte)
{
    uint8_t priv[32];

    memset(priv, byte, sizeof priv);
    assert_int_equal(keypair_from_priv(kp, suite, priv), BL_OK);
}

kv_t *
tu_memory_kv(void)
{
    kv_t *kv;

    assert_int_equal(kv_open("memory", NULL, &kv), BL_OK);
    return kv;
}

static int
count_pair(void *arg, bl_span_t key, bl_span_t value)
{
    (void)key;
    (void)value;
    ++*(size_t *)arg;
    return 0;
}

size_t
tu_kv_count(kv_t *kv)
{
    size_t n = 0;

    assert_int_equal(kv_scan(kv, tu_str(""), tu_str(""), count_pair, &n), BL_OK);
    return n;
}

static char *
slurp_and_remove(const char *path)
{
    char *s = tu_read_file(path, NULL);

    unlink(path);
    return s;
}

#define ARGS_SIZE 8192 /* the longest command line a test may run */

/* Format ARGS into args (ARGS_SIZE bytes, for the caller's messages) and run `bcoslab ARGS`;
 * as tu_run. */
static int
run_v(char *args, char **out, char **err, const char *fmt, va_list ap)
{
    const char *bin = getenv("BL_BIN");
    char cmd[ARGS_SIZE + 1024]; /* ARGS, the binary's path and the redirections */
    char outpath[] = "/tmp/bl-test-out-XXXXXX", errpath[] = "/tmp/bl-test-err-XXXXXX";
    int fo = mkstemp(outpath), fe = mkstemp(errpath);
    int status;

    if (bin == NULL || fo < 0 || fe < 0)
        fail_msg("BL_BIN is not set or temp files failed; run through make");
    close(fo);
    close(fe);
    vsnprintf(args, ARGS_SIZE, fmt, ap);
    snprintf(cmd, sizeof cmd, "%s %s >%s 2>%s </dev/null", bin, args, outpath, errpath);
    status = system(cmd);
    if (out)
        *out = slurp_and_remove(outpath);
    else
        unlink(outpath);
    if (err)
        *err = slurp_and_remove(errpath);
    else
        unlink(errpath);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int
tu_run(char **out, char **err, const char *fmt, ...)
{
    char args[ARGS_SIZE];
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = run_v(args, out, err, fmt, ap);
    va_end(ap);
    return rc;
}

char *
tu_run_ok(const char *fmt, ...)
{
    char args[ARGS_SIZE], *out, *err;
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = run_v(args, &out, &err, fmt, ap);
    va_end(ap);
    if (rc != 0 || err[0] != '\0')
        fail_msg("`bcoslab %s` exited %d (want 0), stderr: %s", args, rc, err);
    free(err);
    tu_chomp(out);
    return out;
}

void
tu_run_bad(const char *why, const char *fmt, ...)
{
    char args[ARGS_SIZE], *out, *err;
    const char *nl;
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = run_v(args, &out, &err, fmt, ap);
    va_end(ap);
    if (rc != 2)
        fail_msg("`bcoslab %s` exited %d (want 2), stdout: %s, stderr: %s", args, rc, out, err);
    if (out[0] != '\0')
        fail_msg("`bcoslab %s` printed on stdout: %s", args, out);
    nl = strchr(err, '\n');
    if (nl == err || nl == NULL || nl[1] != '\0')
        fail_msg("`bcoslab %s` must print exactly one line on stderr, printed: [%s]", args, err);
    if (why != NULL && strstr(err, why) == NULL)
        fail_msg("`bcoslab %s`: \"%s\" does not say \"%s\"", args, err, why);
    free(out);
    free(err);
}

char *
tu_tempdir(void)
{
    char tmpl[] = "/tmp/bl-test-XXXXXX";

    if (mkdtemp(tmpl) == NULL)
        fail_msg("mkdtemp failed");
    return bl_xstrdup(tmpl);
}

char *tu_dir;

int
tu_setup_dir(void **state)
{
    (void)state;
    tu_dir = tu_tempdir();
    return 0;
}

int
tu_teardown_dir(void **state)
{
    char cmd[512];

    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tu_dir);
    if (system(cmd) != 0)
        return -1;
    free(tu_dir);
    tu_dir = NULL;
    return 0;
}

void
tu_chomp(char *s)
{
    size_t n = strlen(s);

    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
}

void
tu_assert_one_line(const char *err)
{
    const char *nl = strchr(err, '\n');

    if (err[0] == '\0' || (nl != NULL && nl[1] != '\0'))
        fail_msg("expected exactly one line on stderr, got: \"%s\"", err);
}
