/*
 * tmuxutil.c — a terminal program driven through tmux (tmuxutil.h).
 */
#include "tmuxutil.h"

#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char session[32];

void
tmx_pause_ms(unsigned ms)
{
    struct timespec t = { ms / 1000, (long)(ms % 1000) * 1000000L };

    nanosleep(&t, NULL);
}

char *
tmx_screen(void)
{
    char cmd[256];
    FILE *p;
    char *text = calloc(1, 1 << 16);
    size_t n;

    snprintf(cmd, sizeof cmd, "tmux -L %s capture-pane -p -t %s 2>/dev/null", session, session);
    p = popen(cmd, "r");
    assert_non_null(p);
    n = fread(text, 1, (1 << 16) - 1, p);
    text[n] = '\0';
    pclose(p);
    return text;
}

void
tmx_keys(const char *keys)
{
    char cmd[256];

    snprintf(cmd, sizeof cmd, "tmux -L %s send-keys -t %s %s", session, session, keys);
    assert_int_equal(system(cmd), 0);
    tmx_pause_ms(300); /* a frame or two */
}

void
tmx_type(const char *text)
{
    char cmd[1024];

    snprintf(cmd, sizeof cmd, "tmux -L %s send-keys -t %s -l '%s'", session, session, text);
    assert_int_equal(system(cmd), 0);
    tmx_pause_ms(100);
}

char *
tmx_wait_for_all(const char *const *want)
{
    char *s = NULL;

    for (unsigned waited = 0; waited <= TMX_WAIT_MS; waited += TMX_POLL_MS) {
        bool all = true;

        free(s);
        s = tmx_screen();
        for (size_t i = 0; want[i] != NULL && all; i++)
            all = strstr(s, want[i]) != NULL;
        if (all)
            return s;
        tmx_pause_ms(TMX_POLL_MS);
    }
    fail_msg("the screen never showed \"%s\"...; it shows:\n%s", want[0], s);
    return s;
}

void
tmx_wait_for(const char *want)
{
    const char *list[] = { want, NULL };

    free(tmx_wait_for_all(list));
}

void
tmx_stop(void)
{
    char cmd[256];

    if (session[0] == '\0')
        return;
    snprintf(cmd, sizeof cmd, "tmux -L %s kill-server 2>/dev/null", session);
    (void)system(cmd);
}

void
tmx_start(const char *prefix, int cols, int lines, const char *command, const char *ready)
{
    char cmd[1024];

    snprintf(session, sizeof session, "%s%d", prefix, (int)getpid());
    tmx_stop(); /* what a failed test before this one left running */
    snprintf(cmd, sizeof cmd, "tmux -L %s new-session -d -s %s -x %d -y %d \"%s\"", session,
             session, cols, lines, command);
    /* The previous test's server may still be exiting: then tmux says so; try again. */
    for (int tries = 0; system(cmd) != 0; tries++) {
        assert_true(tries < 20);
        tmx_pause_ms(200);
    }
    tmx_wait_for(ready);
}
