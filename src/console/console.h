/*
 * console.h — the bcoslab console: FISCO BCOS's console commands over a chain running in this
 * process.
 *
 * A FISCO operator drives a chain from its console (fisco-2x-facts §10.1): "getBlockNumber",
 * "addSealer <nodeId>", "select * from t_demo where name = fruit". Each command becomes either
 * a question to a node (how high is the chain? who are the sealers?) or a signed transaction
 * that a node puts in a block (add a sealer, insert a row). The console here speaks the same
 * command names, takes the arguments in the same order and prints the same JSON, so what a
 * student learns here works on a real FISCO chain — plus teaching commands (crash, partition,
 * byzantine, step) that only an in-process chain can offer.
 *
 * Nothing here touches the terminal: a line goes in, text comes out on a FILE. The command
 * line (`bcoslab console`, src/app/console_cmd.c) adds line editing; the TUI's `:` prompt
 * calls the same console_run_line.
 */
#ifndef BL_CONSOLE_CONSOLE_H
#define BL_CONSOLE_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "world.h"

typedef struct console console_t;

/* A console attached to a running world (which it does not own: close it after
 * console_free). Starts in group 1 with one account made from seed (so a scripted run is the
 * same every time). NULL if the world has no group the console can read. */
console_t *console_new(world_t *w, uint64_t seed);
void console_free(console_t *c);

/* Run one command line; its answer (or its error, or a usage line) is printed on out.
 * Returns 0, or a negative BL_E_* code when the command failed or was refused — a refused
 * command changes nothing on the chain. An empty line or a "#" comment does nothing. */
int console_run_line(console_t *c, const char *line, FILE *out);
/* Run several commands separated by ';' or newlines (outside quotes). Every command runs;
 * returns the first failure's code, or 0. */
int console_run_script(console_t *c, const char *text, FILE *out);

/* Has a quit/exit command been given? */
bool console_done(const console_t *c);
/* "[group:1]> ", the prompt FISCO's console shows. */
const char *console_prompt(console_t *c);

/* The i-th command name (for tab completion), NULL past the last. */
const char *console_command_name(unsigned i);

#endif
