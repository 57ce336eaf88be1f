/*
 * tmuxutil.h — driving a terminal program as a person does, for the TUI and console tests:
 * the program runs in a tmux session of its own (a private server, -L, so no user's sessions
 * are touched), keys go in with send-keys and the screen comes back with capture-pane.
 *
 *     tmx_start("bltui", 80, 24, "bcoslab demo --sim", "1 Chain");   waits for "1 Chain"
 *     tmx_keys("Down");  tmx_type("getBlockNumber");  tmx_keys("Enter");
 *     tmx_wait_for("height");                  polls the screen until it shows up
 *     tmx_stop();
 *
 * A program's output is polled with a deadline, never awaited for a fixed time; a check that
 * times out fails the test and prints the screen it last saw.
 */
#ifndef BL_TESTS_TMUXUTIL_H
#define BL_TESTS_TMUXUTIL_H

#define TMX_POLL_MS 100
#define TMX_WAIT_MS 20000

void tmx_pause_ms(unsigned ms);
/* Start `command` (run by the shell: give programs by full path, e.g. from BL_BIN; no double
 * quote in it) in a cols x lines terminal; wait until the screen shows ready. */
void tmx_start(const char *prefix, int cols, int lines, const char *command, const char *ready);
/* Kill the session (and what a failed test left running). */
void tmx_stop(void);
/* The screen as text (caller frees). */
char *tmx_screen(void);
/* Named keys as tmux spells them ("Enter", "Up", "Space", "q"), then a short pause for the
 * program to draw. */
void tmx_keys(const char *keys);
/* Text typed as it is (no single quote in it). */
void tmx_type(const char *text);
/* Wait until the screen contains every string of want (NULL-terminated); returns the screen
 * (caller frees). */
char *tmx_wait_for_all(const char *const *want);
void tmx_wait_for(const char *want);

#endif
