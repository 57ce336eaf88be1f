/*
 * demo_cmd.h — `bcoslab demo` and `bcoslab export` (demo_cmd.c): the live views of a running
 * chain, and pictures of it as DOT, SVG or PNG files.
 */
#ifndef BL_APP_DEMO_CMD_H
#define BL_APP_DEMO_CMD_H

extern const char demo_help[];
extern const char export_help[];

int demo_main(int argc, char **argv);
int export_main(int argc, char **argv);

#endif
