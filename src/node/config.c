/*
 * config.c — reading and writing FISCO-style ini files, and reading typed values out of them
 * (the views of config.ini, group.N.genesis and group.N.ini are in config_views.c).
 *
 * The reader is deliberately strict, like the boost ini parser FISCO uses: a line is a
 * [section], a key=value, a comment (';' or '#' first) or blank; anything else, a key outside
 * any section, a section or key given twice, is an error naming the file and the line. Comments
 * are kept (as entries without a key) and written back; blank lines are not kept: the writer
 * puts one before every section.
 */
#include "node/config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/error.h"

/* ---- the ini file as text ---- */

void
config_ini_init(config_ini_t *ini, const char *file)
{
    memset(ini, 0, sizeof *ini);
    ini->file = bl_xstrdup(file ? file : "(ini)");
}

void
config_ini_free(config_ini_t *ini)
{
    for (size_t i = 0; i < ini->n; i++) {
        config_section_t *s = &ini->sections[i];
        for (size_t j = 0; j < s->n; j++) {
            free(s->entries[j].key);
            free(s->entries[j].value);
        }
        free(s->entries);
        free(s->name);
    }
    free(ini->sections);
    free(ini->file);
    memset(ini, 0, sizeof *ini);
}

static config_section_t *
find_section(const config_ini_t *ini, const char *name)
{
    for (size_t i = 0; i < ini->n; i++)
        if (strcmp(ini->sections[i].name, name) == 0)
            return &ini->sections[i];
    return NULL;
}

const config_section_t *
config_ini_section(const config_ini_t *ini, const char *name)
{
    return find_section(ini, name);
}

static config_section_t *
add_section(config_ini_t *ini, const char *name, int line)
{
    config_section_t *s;

    ini->sections = bl_xrealloc(ini->sections, (ini->n + 1) * sizeof *ini->sections);
    s = &ini->sections[ini->n++];
    memset(s, 0, sizeof *s);
    s->name = bl_xstrdup(name);
    s->line = line;
    return s;
}

static void
add_entry(config_section_t *s, const char *key, const char *value, int line)
{
    config_entry_t *e;

    s->entries = bl_xrealloc(s->entries, (s->n + 1) * sizeof *s->entries);
    e = &s->entries[s->n++];
    e->key = key ? bl_xstrdup(key) : NULL;
    e->value = bl_xstrdup(value);
    e->line = line;
}

const config_entry_t *
config_ini_find(const config_ini_t *ini, const char *section, const char *key)
{
    const config_section_t *s = find_section(ini, section);

    for (size_t i = 0; s && i < s->n; i++)
        if (s->entries[i].key && strcmp(s->entries[i].key, key) == 0)
            return &s->entries[i];
    return NULL;
}

const char *
config_ini_get(const config_ini_t *ini, const char *section, const char *key)
{
    const config_entry_t *e = config_ini_find(ini, section, key);

    return e ? e->value : NULL;
}

void
config_ini_set(config_ini_t *ini, const char *section, const char *key, const char *value)
{
    config_section_t *s = find_section(ini, section);
    config_entry_t *e = (config_entry_t *)config_ini_find(ini, section, key);

    if (e != NULL) {
        free(e->value);
        e->value = bl_xstrdup(value);
        return;
    }
    if (s == NULL)
        s = add_section(ini, section, 0);
    add_entry(s, key, value, 0);
}

void
config_ini_comment(config_ini_t *ini, const char *section, const char *text)
{
    config_section_t *s = find_section(ini, section);

    if (s == NULL)
        s = add_section(ini, section, 0);
    add_entry(s, NULL, text, 0);
}

/* Cut leading and trailing white space, in place. */
static char *
trim(char *s)
{
    char *end;

    while (isspace((unsigned char)*s))
        s++;
    end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1]))
        *--end = '\0';
    return s;
}

/* One line of text: a section header, a comment, or key=value into *cur. */
static int
parse_line(config_ini_t *ini, char *line, int no, config_section_t **cur)
{
    char *s = trim(line), *eq, *end;

    if (*s == '\0')
        return BL_OK;
    if (*s == ';' || *s == '#') {
        if (*cur == NULL)
            *cur = add_section(ini, "", no);
        add_entry(*cur, NULL, s, no);
        return BL_OK;
    }
    if (*s == '[') {
        end = strchr(s, ']');
        if (end == NULL || end[1] != '\0' || end == s + 1)
            return bl_fail(BL_E_FORMAT, "%s:%d: a section header is [name], not '%s'",
                           ini->file, no, s);
        *end = '\0';
        s = trim(s + 1);
        if (find_section(ini, s) != NULL)
            return bl_fail(BL_E_FORMAT, "%s:%d: section [%s] appears twice (first at line %d)",
                           ini->file, no, s, find_section(ini, s)->line);
        *cur = add_section(ini, s, no);
        return BL_OK;
    }
    eq = strchr(s, '=');
    if (eq == NULL)
        return bl_fail(BL_E_FORMAT, "%s:%d: expected [section], key=value or a ; comment, "
                       "not '%.60s'", ini->file, no, s);
    *eq = '\0';
    s = trim(s);
    if (*s == '\0')
        return bl_fail(BL_E_FORMAT, "%s:%d: a key=value line without a key", ini->file, no);
    if (*cur == NULL || (*cur)->name[0] == '\0')
        return bl_fail(BL_E_FORMAT, "%s:%d: key '%s' comes before any [section]", ini->file,
                       no, s);
    if (config_ini_find(ini, (*cur)->name, s) != NULL)
        return bl_fail(BL_E_FORMAT, "%s:%d: [%s] %s is given twice (first at line %d)",
                       ini->file, no, (*cur)->name, s,
                       config_ini_find(ini, (*cur)->name, s)->line);
    add_entry(*cur, s, trim(eq + 1), no);
    return BL_OK;
}

int
config_ini_parse(config_ini_t *ini, const char *file, const char *text)
{
    config_section_t *cur = NULL;
    char *copy = bl_xstrdup(text), *line = copy, *next;
    int no = 1, err = BL_OK;

    config_ini_init(ini, file);
    for (; line != NULL && err == BL_OK; line = next, no++) {
        next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        err = parse_line(ini, line, no, &cur);
    }
    free(copy);
    if (err != BL_OK)
        config_ini_free(ini);
    return err;
}

static char *
read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    bl_buf_t b = BL_BUF_INIT;
    char chunk[4096];
    size_t n;

    if (f == NULL)
        return NULL;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        bl_buf_append(&b, chunk, n);
    fclose(f);
    bl_buf_push(&b, 0);
    return (char *)b.data;
}

int
config_ini_load(config_ini_t *ini, const char *path)
{
    char *text = read_text(path);
    int err;

    if (text == NULL) {
        config_ini_init(ini, path);
        return bl_fail(BL_E_IO, "cannot read %s", path);
    }
    err = config_ini_parse(ini, path, text);
    if (err != BL_OK)
        config_ini_init(ini, path); /* leave a freeable empty file behind */
    free(text);
    return err;
}

char *
config_ini_format(const config_ini_t *ini)
{
    bl_buf_t b = BL_BUF_INIT;

    for (size_t i = 0; i < ini->n; i++) {
        const config_section_t *s = &ini->sections[i];
        if (s->name[0] != '\0') {
            if (b.len > 0)
                bl_buf_push(&b, '\n');
            bl_buf_append(&b, "[", 1);
            bl_buf_append(&b, s->name, strlen(s->name));
            bl_buf_append(&b, "]\n", 2);
        }
        for (size_t j = 0; j < s->n; j++) {
            const config_entry_t *e = &s->entries[j];
            if (s->name[0] != '\0')
                bl_buf_append(&b, "    ", 4);
            if (e->key) {
                bl_buf_append(&b, e->key, strlen(e->key));
                bl_buf_push(&b, '=');
            }
            bl_buf_append(&b, e->value, strlen(e->value));
            bl_buf_push(&b, '\n');
        }
    }
    bl_buf_push(&b, 0);
    return (char *)b.data;
}

int
config_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    int err = BL_OK;

    if (f == NULL || fputs(text, f) == EOF)
        err = bl_fail(BL_E_IO, "cannot write %s", path);
    if (f != NULL && fclose(f) != 0 && err == BL_OK)
        err = bl_fail(BL_E_IO, "cannot write %s", path);
    return err;
}

int
config_ini_save(const config_ini_t *ini, const char *path)
{
    char *text = config_ini_format(ini);
    int err = config_write_file(path, text);

    free(text);
    return err;
}

/* ---- typed reads ---- */

/* "FILE:LINE: [section] key: " then the complaint. */
int
config_ini_bad_value(const config_ini_t *ini, const char *section, const config_entry_t *e,
                     const char *want)
{
    return bl_fail(BL_E_FORMAT, "%s:%d: [%s] %s: %s, not '%.80s'", ini->file, e->line, section,
                   e->key, want, e->value);
}

int
config_ini_uint(const config_ini_t *ini, const char *section, const char *key, uint64_t lo,
                uint64_t hi, uint64_t *out)
{
    const config_entry_t *e = config_ini_find(ini, section, key);
    char want[96], *end;
    unsigned long long v;

    if (e == NULL)
        return BL_OK;
    v = strtoull(e->value, &end, 10);
    if (!isdigit((unsigned char)e->value[0]) || *end != '\0' || v < lo || v > hi) {
        snprintf(want, sizeof want, "wants a number from %llu to %llu", (unsigned long long)lo,
                 (unsigned long long)hi);
        return config_ini_bad_value(ini, section, e, want);
    }
    *out = v;
    return BL_OK;
}

int
config_ini_bool(const config_ini_t *ini, const char *section, const char *key, bool *out)
{
    const config_entry_t *e = config_ini_find(ini, section, key);

    if (e == NULL)
        return BL_OK;
    if (strcmp(e->value, "true") == 0 || strcmp(e->value, "1") == 0)
        *out = true;
    else if (strcmp(e->value, "false") == 0 || strcmp(e->value, "0") == 0)
        *out = false;
    else
        return config_ini_bad_value(ini, section, e, "wants true or false");
    return BL_OK;
}

int
config_ini_str(const config_ini_t *ini, const char *section, const char *key, char *out,
               size_t cap)
{
    const config_entry_t *e = config_ini_find(ini, section, key);

    if (e == NULL)
        return BL_OK;
    if (strlen(e->value) >= cap || e->value[0] == '\0')
        return config_ini_bad_value(ini, section, e, "wants a non-empty and shorter value");
    snprintf(out, cap, "%s", e->value);
    return BL_OK;
}

/* Is key PREFIX.N (N decimal digits)? */
bool
config_key_is_numbered(const char *key, const char *prefix)
{
    size_t n = strlen(prefix);

    if (strncmp(key, prefix, n) != 0 || key[n] != '.' || key[n + 1] == '\0')
        return false;
    for (const char *p = key + n + 1; *p; p++)
        if (!isdigit((unsigned char)*p))
            return false;
    return true;
}

int
config_ini_node_ids(const config_ini_t *ini, const char *section, const char *prefix,
                    uint8_t (**ids)[64], size_t *n)
{
    const config_section_t *s = find_section(ini, section);

    *ids = NULL;
    *n = 0;
    for (size_t i = 0; s && i < s->n; i++) {
        const config_entry_t *e = &s->entries[i];
        if (e->key == NULL || !config_key_is_numbered(e->key, prefix))
            continue;
        *ids = bl_xrealloc(*ids, (*n + 1) * 64);
        if (bl_hex_decode_fixed(e->value, (*ids)[*n], 64) != BL_OK) {
            free(*ids);
            *ids = NULL;
            *n = 0;
            return config_ini_bad_value(ini, section, e, "wants a node ID of 128 hex digits");
        }
        (*n)++;
    }
    return BL_OK;
}

/* Write ids as PREFIX.0.. into section. */
void
config_ini_set_node_ids(config_ini_t *ini, const char *section, const char *prefix,
                        const uint8_t (*ids)[64], size_t n)
{
    char key[32], hex[129];

    for (size_t i = 0; i < n; i++) {
        snprintf(key, sizeof key, "%s.%zu", prefix, i);
        bl_hex_encode(ids[i], 64, hex);
        config_ini_set(ini, section, key, hex);
    }
}

void
config_ini_set_uint(config_ini_t *ini, const char *section, const char *key, uint64_t v)
{
    char s[24];

    snprintf(s, sizeof s, "%llu", (unsigned long long)v);
    config_ini_set(ini, section, key, s);
}

/* A string value that must be one of a few words. */
int
config_ini_choice(const config_ini_t *ini, const char *section, const char *key,
                  const char *const *words, char *out, size_t cap)
{
    const config_entry_t *e = config_ini_find(ini, section, key);
    char want[128] = "wants one of:";

    if (e == NULL)
        return BL_OK;
    for (size_t i = 0; words[i]; i++) {
        if (strcmp(e->value, words[i]) == 0) {
            snprintf(out, cap, "%s", e->value);
            return BL_OK;
        }
        strncat(want, " ", sizeof want - strlen(want) - 1);
        strncat(want, words[i], sizeof want - strlen(want) - 1);
    }
    return config_ini_bad_value(ini, section, e, want);
}

