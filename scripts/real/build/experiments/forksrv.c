/* EXPERIMENT (see forksrv.py): a fork server inside a xenstore daemon, entered at its first poll() (the
 * daemon is then set up and listening). XSFUZZ_FORKSRV="R,W": writes 4 zero bytes on W once (ready),
 * then for every 4 bytes read on R: fork; the child returns into the daemon's poll loop; the parent
 * writes the child's pid on W, waits for it, writes its wait status. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdint.h>

int poll(struct pollfd *fds, nfds_t n, int timeout)
{
    static int (*real)(struct pollfd *, nfds_t, int);
    if (!real) real = dlsym(RTLD_NEXT, "poll");
    const char *spec = getenv("XSFUZZ_FORKSRV");
    if (spec) {
        int r, w;
        if (sscanf(spec, "%d,%d", &r, &w) != 2) abort();
        unsetenv("XSFUZZ_FORKSRV");   /* the child and its live-update re-exec run normally */
        uint32_t ready = 0;
        if (write(w, &ready, 4) != 4) _exit(0);
        for (;;) {
            uint32_t cmd;
            if (read(r, &cmd, 4) != 4) _exit(0);
            pid_t pid = fork();
            if (pid == 0) { close(r); close(w); break; }
            int32_t p = pid, status = 0;
            if (write(w, &p, 4) != 4) _exit(0);
            waitpid(pid, &status, 0);
            if (write(w, &status, 4) != 4) _exit(0);
        }
    }
    return real(fds, n, timeout);
}
