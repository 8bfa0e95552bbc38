/*
 * xsfuzz stand-in for libxenevtchn.so.1.  A handle is a pipe nobody writes
 * to, so the daemons can poll its fd and no event ever fires.  Local ports
 * are handed out in order; a handle re-opened with xenevtchn_fdopen after a
 * live update starts at 1000 so that it never reuses a port of the old
 * process (the port table is rebuilt from the dumped state).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#define NO_CLOEXEC 1U               /* XENEVTCHN_NO_CLOEXEC */

struct handle { int fd, other_end, next_port; };

static struct handle *make(int fd, int other_end, int first_port)
{
    struct handle *h = calloc(1, sizeof(*h));
    if (h) { h->fd = fd; h->other_end = other_end; h->next_port = first_port; }
    return h;
}

/* The fd must survive oxenstored's re-exec (it asks for NO_CLOEXEC). */
struct handle *xenevtchn_open(void *logger, unsigned int flags)
{
    int p[2];
    (void)logger;
    if (pipe2(p, O_NONBLOCK | ((flags & NO_CLOEXEC) ? 0 : O_CLOEXEC)) < 0)
        return NULL;
    return make(p[0], p[1], 1);
}

struct handle *xenevtchn_fdopen(void *logger, int fd, unsigned int flags)
{
    (void)logger; (void)flags;
    return make(fd, -1, 1000);
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
int xenevtchn_notify(struct handle *h, uint32_t port) { (void)h; (void)port; return 0; }
int xenevtchn_bind_interdomain(struct handle *h, uint32_t domid, uint32_t remote)
{
    (void)domid; (void)remote;
    return h->next_port++;
}
int xenevtchn_bind_virq(struct handle *h, unsigned int virq) { (void)virq; return h->next_port++; }
int xenevtchn_unbind(struct handle *h, uint32_t port) { (void)h; (void)port; return 0; }
int xenevtchn_pending(struct handle *h) { (void)h; errno = EAGAIN; return -1; }
int xenevtchn_unmask(struct handle *h, uint32_t port) { (void)h; (void)port; return 0; }
