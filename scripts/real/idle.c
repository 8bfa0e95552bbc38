/*
 * Part of the LD_PRELOAD shim: tells xsfuzz when the daemon is idle, so that it only ever wakes a
 * daemon that is waiting for it.
 *
 * A daemon's main loop handles, in one pass, whatever it finds ready. A client that sends its next
 * request (or kicks a ring) the moment it has read the last reply can find the daemon still busy
 * finishing that pass: the request is then taken in the same pass or in the next one, a guest's
 * ring bytes before or after their kick, and the daemon takes other branches (an event with nothing
 * to read, another poll set) depending on who was scheduled first. Those branches are most of the
 * map bytes that vary under `xsfuzz afl --daemon` with two workers on two cores.
 *
 * $RUN/idle holds two 64-bit words, mapped shared by the daemon and xsfuzz (Sandbox/IdleGate.cs):
 *   word 0, bit 0      1 while the daemon is blocked in poll() with nothing ready, 0 while it works;
 *   word 0, bits 1-63  how many times it has gone idle (the file outlives a live update's exec, which
 *                      maps it again, and the copies of a fork server, which share the server's mapping);
 *   word 1             when that blocked poll() times out on its own: CLOCK_MONOTONIC nanoseconds, or
 *                      all ones for no timeout; written before word 0 marks the period idle.
 * poll() first looks without waiting: only when nothing is ready does the daemon count itself idle
 * and block. xsfuzz wakes it (a write, a kick, a connection) only when it is idle and has gone idle
 * again since xsfuzz last woke it. A daemon that is idle after it has read everything xsfuzz sent
 * will not write anything before its timeout, unless xsfuzz wakes it: xsfuzz stops waiting then.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <stdint.h>
#include <time.h>
#include "ring.h"
#include "idle.h"

static volatile uint64_t *word;
static int tried;

static void map_word(void)
{
    XSFUZZ_KEEP_ERRNO;
    char path[4096];
    tried = 1;
    if (!xsfuzz_run_path(path, sizeof(path), "idle"))
        return;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    struct stat st;
    if (fstat(fd, &st) == 0 && (st.st_size >= XSFUZZ_PAGE || ftruncate(fd, XSFUZZ_PAGE) == 0)) {
        void *page = mmap(NULL, XSFUZZ_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (page != MAP_FAILED)
            word = page;
    }
    close(fd);
    XSFUZZ_PUT_ERRNO_BACK;
}

void xsfuzz_idle_busy(void)
{
    if (!tried)
        map_word();
    if (word)
        __atomic_and_fetch(word, ~(uint64_t)1, __ATOMIC_SEQ_CST);
}

int xsfuzz_idle_poll(xsfuzz_poll_fn *next, struct pollfd *fds, nfds_t n, int timeout)
{
    if (!tried)
        map_word();
    if (!word || timeout == 0)
        return next(fds, n, timeout);
    int ready = next(fds, n, 0);
    if (ready != 0)
        return ready;
    uint64_t until = timeout < 0 ? UINT64_MAX : 0;   /* 0: soon (the clock failed) */
    struct timespec now;
    if (timeout > 0 && clock_gettime(CLOCK_MONOTONIC, &now) == 0)
        until = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec + (uint64_t)timeout * 1000000u;
    __atomic_store_n(&word[1], until, __ATOMIC_SEQ_CST);
    uint64_t count = (*word >> 1) + 1;
    __atomic_store_n(word, count << 1 | 1, __ATOMIC_SEQ_CST);
    ready = next(fds, n, timeout);
    xsfuzz_idle_busy();
    return ready;
}
