/*
 * Where the sandbox keeps a domU's side of xenstore: its ring page and its
 * event channel, as files in the daemon's run folder ($XSFUZZ_RUNDIR):
 *
 *   $RUN/domu/<domid>.ring   the ring page (struct xenstore_domain_interface
 *                            of xs_wire.h, 4096 bytes), mapped MAP_SHARED by
 *                            the daemon and by the client, so both see every
 *                            store at once, as on a granted page
 *   $RUN/domu/<domid>.port   the daemon's local event-channel port for that
 *                            domain, in decimal, written when it binds
 *   $RUN/evtchn              the daemon's event-channel socket (datagrams of
 *                            one 4-byte port each): a client's kick
 *   $RUN/ev<port>            a client's socket, bound by the client: the
 *                            daemon's notification on <port> is sent there
 *   $RUN/evtchn.next         the next free local port, so that a daemon that
 *                            re-execs for a live update never reuses a port
 *
 * Shared by xenctrl.c (oxenstored maps with xc_map_foreign_range),
 * xengnttab.c (the C daemon maps a grant) and xenevtchn.c.
 */
#ifndef XSFUZZ_RING_H
#define XSFUZZ_RING_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define XSFUZZ_PAGE 4096

/*
 * On a host, each call these stand-ins replace is an ioctl or a hypercall that succeeds without
 * touching errno. Their own file and socket work must leave none behind either: the C daemon
 * answers some requests with whatever errno an earlier call left (allow-list entry 009), and a
 * leftover of ours (EEXIST from mkdir, EAGAIN from a guest's full event queue) would be the
 * sandbox's, not the daemon's, and would vary with timing. A stand-in that succeeds puts errno back.
 */
#define XSFUZZ_KEEP_ERRNO int xsfuzz_saved_errno = errno
#define XSFUZZ_PUT_ERRNO_BACK (errno = xsfuzz_saved_errno)

/* "$RUN/<name>" into buf; 0 without a run folder (then there are no domUs). */
static inline int xsfuzz_run_path(char *buf, size_t size, const char *name)
{
    const char *run = getenv("XSFUZZ_RUNDIR");
    if (!run || !*run)
        return 0;
    return snprintf(buf, size, "%s/%s", run, name) < (int)size;
}

/* Maps domid's ring page, creating the file (4096 zero bytes) if needed. */
static inline void *xsfuzz_map_ring(uint32_t domid)
{
    XSFUZZ_KEEP_ERRNO;
    char name[64], path[4096];
    snprintf(name, sizeof(name), "domu/%u.ring", domid);
    if (!xsfuzz_run_path(path, sizeof(path), "domu"))
        return NULL;
    mkdir(path, 0700);              /* EEXIST but the first time */
    xsfuzz_run_path(path, sizeof(path), name);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) < 0 || (st.st_size < XSFUZZ_PAGE && ftruncate(fd, XSFUZZ_PAGE) < 0)) {
        close(fd);
        return NULL;
    }
    void *page = mmap(NULL, XSFUZZ_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (page == MAP_FAILED)
        return NULL;
    XSFUZZ_PUT_ERRNO_BACK;
    return page;
}

#endif
