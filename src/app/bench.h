/*
 * bench.h — `bcoslab bench`: benchmarks, whose numbers go into issue notes (never into timed
 * unit tests).
 */
#ifndef BL_APP_BENCH_H
#define BL_APP_BENCH_H

int bench_main(int argc, char **argv);
/* A monotonic clock in seconds, for timing what a benchmark measures. */
double bench_seconds(void);
int bench_storage(int argc, char **argv);
int bench_pte(int argc, char **argv); /* bench_pte.c */
int bench_tps(int argc, char **argv); /* bench_tps.c */

#endif
