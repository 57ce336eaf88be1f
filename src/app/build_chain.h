/*
 * build_chain.h — `bcoslab build-chain` (build_chain.c) and `bcoslab cert` (cert.c): the files
 * of a consortium chain — certificates, keys, config.ini, group genesis and ini files — written
 * and managed the way FISCO BCOS's build_chain.sh and its certificate scripts do.
 */
#ifndef BL_APP_BUILD_CHAIN_H
#define BL_APP_BUILD_CHAIN_H

/* The --help text of build-chain, for main.c's table. */
extern const char build_chain_help[];

int build_chain_main(int argc, char **argv);
int cert_main(int argc, char **argv);

#endif
