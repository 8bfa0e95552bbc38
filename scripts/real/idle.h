/* idle.c: the daemon's idle word in $RUN/idle, for forkserver.c's poll(). */
#ifndef XSFUZZ_IDLE_H
#define XSFUZZ_IDLE_H

#include <poll.h>

typedef int xsfuzz_poll_fn(struct pollfd *, nfds_t, int);

/* poll() through next, counting the daemon idle while it blocks with nothing ready. */
int xsfuzz_idle_poll(xsfuzz_poll_fn *next, struct pollfd *fds, nfds_t n, int timeout);

/* Marks the daemon busy: a fork server's copy is, until its first poll(). */
void xsfuzz_idle_busy(void);

#endif
