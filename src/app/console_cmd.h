/*
 * console_cmd.h — `bcoslab console` (console_cmd.c): FISCO's console over a chain running in
 * this process.
 */
#ifndef BL_APP_CONSOLE_CMD_H
#define BL_APP_CONSOLE_CMD_H

extern const char console_help[];

int console_main(int argc, char **argv);

#endif
