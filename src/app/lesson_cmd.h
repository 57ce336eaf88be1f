/*
 * lesson_cmd.h — `bcoslab lesson` (lesson_cmd.c): list the lessons, play one in the TUI or as
 * text, check a step script.
 */
#ifndef BL_APP_LESSON_CMD_H
#define BL_APP_LESSON_CMD_H

extern const char lesson_help[];

int lesson_main(int argc, char **argv);

#endif
