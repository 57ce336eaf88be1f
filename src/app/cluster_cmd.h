/*
 * cluster_cmd.h — `bcoslab cluster DIR` (cluster_cmd.c): run a build-chain directory's nodes
 * in this process, on the simulator or on threads.
 */
#ifndef BL_APP_CLUSTER_CMD_H
#define BL_APP_CLUSTER_CMD_H

extern const char cluster_help[];

int cluster_main(int argc, char **argv);

#endif
