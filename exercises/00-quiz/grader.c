/*
 * grader.c — exercise 00: the nine homework questions (questions.md), graded from answers.txt.
 *
 * The answer key is not in this file, nor anywhere in the project: only the Keccak-256 hash of
 * each right answer is. To grade a question we bring the student's answer to one standard
 * form (normalize_letters below), hash it the same way, and compare the two hashes. A hash
 * cannot be run backwards, so reading this file does not give the answers away — although,
 * with five options per question, anyone patient could hash all 32 possible answers and see
 * which one matches. The key is there to keep a student honest, not to stop a determined one.
 *
 * The hashed text is "bcoslab-quiz/q<N>/<letters>", for example "bcoslab-quiz/q4/ac". Putting
 * the question's number in it makes the nine hashes differ even when two answers are the same
 * letters, so one right answer does not reveal another.
 *
 * The answers file is read from grade_dir() (BL_EX_DIR, else this folder); tests/grading/
 * 00-quiz.txt holds the right answers, for the self-check that proves this grader passes them.
 */
#include "grade.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "crypto/keccak.h"

#define NQUESTIONS 9
#define POINTS_EACH 10
#define ANSWER_MAX 64

/* keccak256("bcoslab-quiz/q<N>/<right letters>"), N = 1..9, as lowercase hex. */
static const char *const key_hash[NQUESTIONS] = {
    "1291afb9ff6daca661660f67154fabaad69bf0f37bab2b3080f013f2d5bd9696",
    "9f48b9c55bbd77ae0a56290b00180cebd62baafb66b2a78d4a38d5cdae79b6bc",
    "50db6dce901bd1b75febb249900d06a3d6402a7bf2df82bfda95a1ea5e2271ec",
    "4a8e3720b3c05036e7772a417988e462dcc59624fc934c8f82b8054e54c51a15",
    "c20335b30814e14d8e3ed12eb1fbfcad01609c6c0c0c7be864fdcb2709f8f1ab",
    "4a44a1bc933a22cf5d933fda2d015ccd17e77b9017733ff680afd2d9327b9c9a",
    "f497738b583f3fb2c966ea7ff8bd44dc23d72b93ef4d6266e9b1e680297af0b5",
    "30d59da9242fa595db0e22f69a5ffa4c6b540c896f56fe5fb26aff6594094d77",
    "467380d60f24e596d17600d0023efbe9a00085c9556f79882553c3ef0e188e08",
};

/* The student's answers, by question (index 0 is q1); an empty string if the line is missing
 * or blank. Read once, by the first test that needs them. */
static char answers[NQUESTIONS][ANSWER_MAX];
static int answers_read;        /* 0 not yet, 1 read, -1 the file could not be opened */
static char answers_path[1024];

/* The standard form of an answer: the letters a-z only, lowercase, each once, sorted.
 * "C, a", "ac" and " A C A " all become "ac"; anything that is not a letter is ignored. */
static void normalize_letters(const char *in, char out[ANSWER_MAX])
{
    int seen[26] = { 0 };
    size_t n = 0;

    for (const char *p = in; *p; p++) {
        int c = tolower((unsigned char)*p);
        if (c >= 'a' && c <= 'z')
            seen[c - 'a'] = 1;
    }
    for (int i = 0; i < 26 && n + 1 < ANSWER_MAX; i++)
        if (seen[i])
            out[n++] = (char)('a' + i);
    out[n] = '\0';
}

/* One line of answers.txt: "q<N> = <answer>", or a comment (#...), or blank. */
static void take_line(const char *line)
{
    const char *p = line;
    char *end;

    while (isspace((unsigned char)*p))
        p++;
    if (*p != 'q' && *p != 'Q')
        return;
    long q = strtol(p + 1, &end, 10);
    if (end == p + 1 || q < 1 || q > NQUESTIONS)
        return;
    p = end;
    while (isspace((unsigned char)*p))
        p++;
    if (*p != '=')
        return;
    normalize_letters(p + 1, answers[q - 1]);
}

static void read_answers(void)
{
    char line[512];
    FILE *f;

    if (answers_read)
        return;
    snprintf(answers_path, sizeof answers_path, "%s/answers.txt", grade_dir());
    f = fopen(answers_path, "r");
    if (!f) {
        answers_read = -1;
        return;
    }
    while (fgets(line, sizeof line, f)) {
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';       /* a comment runs to the end of the line */
        take_line(line);
    }
    fclose(f);
    answers_read = 1;
}

/* Does the normalized answer to question q (1-based) hash to the key? */
static int answer_is_right(int q, const char *letters)
{
    char text[ANSWER_MAX + 32], hex[65];
    uint8_t digest[32];

    snprintf(text, sizeof text, "bcoslab-quiz/q%d/%s", q, letters);
    keccak256(text, strlen(text), digest);
    bl_hex_encode(digest, sizeof digest, hex);
    return strcmp(hex, key_hash[q - 1]) == 0;
}

static void grade_question(int q)
{
    read_answers();
    if (answers_read < 0)
        fail_msg("cannot open %s: copy the answers file back from git, or set BL_EX_DIR to "
                 "the folder that holds answers.txt", answers_path);
    const char *letters = answers[q - 1];
    if (letters[0] == '\0')
        fail_msg("q%d has no answer yet: write the letters you choose on the line "
                 "'q%d = ' of %s (questions.md, lesson README)", q, q, answers_path);
    if (!answer_is_right(q, letters))
        fail_msg("q%d = %s is not right: every true statement, and only those, must be "
                 "chosen; read the lesson again (questions.md names it)", q, letters);
}

static void q1_what_a_consortium_chain_is(void **state) { (void)state; grade_question(1); }
static void q2_consortium_versus_public(void **state) { (void)state; grade_question(2); }
static void q3_two_consortium_platforms(void **state) { (void)state; grade_question(3); }
static void q4_architecture_of_2_0(void **state) { (void)state; grade_question(4); }
static void q5_groups_and_their_advantages(void **state) { (void)state; grade_question(5); }
static void q6_execution_efficiency_and_tps(void **state) { (void)state; grade_question(6); }
static void q7_mpt_versus_amdb(void **state) { (void)state; grade_question(7); }
static void q8_security_solutions(void **state) { (void)state; grade_question(8); }
static void q9_other_fields(void **state) { (void)state; grade_question(9); }

int main(void)
{
    static const grade_test_t tests[] = {
        { "q1_what_a_consortium_chain_is", q1_what_a_consortium_chain_is, POINTS_EACH },
        { "q2_consortium_versus_public", q2_consortium_versus_public, POINTS_EACH },
        { "q3_two_consortium_platforms", q3_two_consortium_platforms, POINTS_EACH },
        { "q4_architecture_of_2_0", q4_architecture_of_2_0, POINTS_EACH },
        { "q5_groups_and_their_advantages", q5_groups_and_their_advantages, POINTS_EACH },
        { "q6_execution_efficiency_and_tps", q6_execution_efficiency_and_tps, POINTS_EACH },
        { "q7_mpt_versus_amdb", q7_mpt_versus_amdb, POINTS_EACH },
        { "q8_security_solutions", q8_security_solutions, POINTS_EACH },
        { "q9_other_fields", q9_other_fields, POINTS_EACH },
    };

    return grade_run("00-quiz", tests, sizeof tests / sizeof tests[0]);
}
