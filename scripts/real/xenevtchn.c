/*
 * xsfuzz stand-in for libxenevtchn.so.1: event channels between a daemon and
 * the sandbox's domU clients (paths in ring.h).
 *
 * A handle is a Unix datagram socket bound at $RUN/evtchn: a client kicks
 * port P by sending it the 4 bytes of P, and xenevtchn_pending reads them
 * back, one port per datagram, like the evtchn device's read. The socket is
 * not close-on-exec when the daemon asks so (both do): across a live update
 * the new process re-opens the same fd with xenevtchn_fdopen, and kicks sent
 * meanwhile wait in its queue. xenevtchn_notify(P) sends the 4 bytes to the
 * client's socket $RUN/ev<P>, if one is there: a client that does not listen
 * misses nothing it could not read from the ring itself.
 *
 * Ports are numbered from 1 by a counter in $RUN/evtchn.next, so a re-exec'd
 * daemon never reuses a port of its previous life (the C daemon binds its
 * VIRQ again). xenevtchn_bind_interdomain publishes a domain's port in
 * $RUN/domu/<domid>.port, which is how a client learns which port to kick.
 *
 * Without a run folder (a daemon started by hand) a handle is one end of a
 * socketpair nobody writes to: no event ever fires.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ring.h"

#define NO_CLOEXEC 1U               /* XENEVTCHN_NO_CLOEXEC */

struct handle { int fd, other_end; };

static struct handle *make(int fd, int other_end)
{
    struct handle *h = calloc(1, sizeof(*h));
    if (h) { h->fd = fd; h->other_end = other_end; }
    return h;
}

static int unix_address(struct sockaddr_un *a, const char *name)
{
    memset(a, 0, sizeof(*a));
    a->sun_family = AF_UNIX;
    return xsfuzz_run_path(a->sun_path, sizeof(a->sun_path), name);
}

struct handle *xenevtchn_open(void *logger, unsigned int flags)
{
    (void)logger;
    XSFUZZ_KEEP_ERRNO;
    int type = SOCK_DGRAM | SOCK_NONBLOCK | ((flags & NO_CLOEXEC) ? 0 : SOCK_CLOEXEC);
    struct sockaddr_un a;
    if (!unix_address(&a, "evtchn")) {
        int p[2];
        if (socketpair(AF_UNIX, type, 0, p) < 0)
            return NULL;
        return make(p[0], p[1]);
    }
    int fd = socket(AF_UNIX, type, 0);
    if (fd < 0)
        return NULL;
    unlink(a.sun_path);             /* ENOENT in a fresh run folder */
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return NULL;
    }
    XSFUZZ_PUT_ERRNO_BACK;
    return make(fd, -1);
}

struct handle *xenevtchn_fdopen(void *logger, int fd, unsigned int flags)
{
    (void)logger; (void)flags;
    return make(fd, -1);
}

int xenevtchn_close(struct handle *h)
{
    if (h) {
        close(h->fd);
        if (h->other_end >= 0) close(h->other_end);
        free(h);
    }
    return 0;
}

int xenevtchn_fd(struct handle *h) { return h->fd; }

int xenevtchn_notify(struct handle *h, uint32_t port)
{
    XSFUZZ_KEEP_ERRNO;
    char name[32];
    struct sockaddr_un a;
    snprintf(name, sizeof(name), "ev%u", port);
    if (unix_address(&a, name))
        sendto(h->fd, &port, sizeof(port), MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&a, sizeof(a));
    /* A client that does not listen, or whose queue of kicks is full (EAGAIN), is no error. */
    XSFUZZ_PUT_ERRNO_BACK;
    return 0;
}

/* The next free port (1, 2, ...), remembered in the run folder. */
static int next_port(void)
{
    char path[4096];
    int port = 1;
    if (!xsfuzz_run_path(path, sizeof(path), "evtchn.next"))
        return port;
    FILE *f = fopen(path, "r");
    if (f) {
        if (fscanf(f, "%d", &port) != 1 || port < 1) port = 1;
        fclose(f);
    }
    f = fopen(path, "w");
    if (f) {
        fprintf(f, "%d\n", port + 1);
        fclose(f);
    }
    return port;
}

static void publish_port(uint32_t domid, int port)
{
    char dir[4096], name[64], path[4096], temp[4096 + 8];
    if (!xsfuzz_run_path(dir, sizeof(dir), "domu"))
        return;
    mkdir(dir, 0700);
    snprintf(name, sizeof(name), "domu/%u.port", domid);
    xsfuzz_run_path(path, sizeof(path), name);
    snprintf(temp, sizeof(temp), "%s.new", path);
    FILE *f = fopen(temp, "w");
    if (!f)
        return;
    fprintf(f, "%d\n", port);
    fclose(f);
    rename(temp, path);             /* a client never reads half a number */
}

int xenevtchn_bind_interdomain(struct handle *h, uint32_t domid, uint32_t remote)
{
    (void)h; (void)remote;
    XSFUZZ_KEEP_ERRNO;
    int port = next_port();
    publish_port(domid, port);
    XSFUZZ_PUT_ERRNO_BACK;
    return port;
}

int xenevtchn_bind_virq(struct handle *h, unsigned int virq)
{
    (void)h; (void)virq;
    XSFUZZ_KEEP_ERRNO;
    int port = next_port();
    XSFUZZ_PUT_ERRNO_BACK;
    return port;
}

/* Forgets the published port files that name this port (a released domain). */
int xenevtchn_unbind(struct handle *h, uint32_t port)
{
    char dir[4096], path[4096 + 256];
    (void)h;
    XSFUZZ_KEEP_ERRNO;
    if (!xsfuzz_run_path(dir, sizeof(dir), "domu"))
        return 0;
    DIR *d = opendir(dir);
    if (!d) {
        XSFUZZ_PUT_ERRNO_BACK;
        return 0;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".port") != 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "r");
        unsigned int bound = 0;
        int ok = f && fscanf(f, "%u", &bound) == 1;
        if (f) fclose(f);
        if (ok && bound == port)
            unlink(path);
    }
    closedir(d);
    XSFUZZ_PUT_ERRNO_BACK;
    return 0;
}

/* One kick per datagram; anything that is not a 4-byte port is dropped. */
int xenevtchn_pending(struct handle *h)
{
    uint32_t port;
    for (;;) {
        ssize_t n = recv(h->fd, &port, sizeof(port), MSG_DONTWAIT);
        if (n == (ssize_t)sizeof(port))
            return (int)port;
        if (n < 0)
            return -1;              /* errno is EAGAIN when nothing is pending */
    }
}

int xenevtchn_unmask(struct handle *h, uint32_t port) { (void)h; (void)port; return 0; }
