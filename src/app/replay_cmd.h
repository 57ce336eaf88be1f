/*
 * replay_cmd.h — `bcoslab replay FILE` (replay_cmd.c): open a failed run's trace in the viewer,
 * or sum it up as text.
 */
#ifndef BL_APP_REPLAY_CMD_H
#define BL_APP_REPLAY_CMD_H

extern const char replay_help[];

int replay_main(int argc, char **argv);

#endif
