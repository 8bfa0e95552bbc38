/*
 * Part of the LD_PRELOAD shim: a fork server inside a xenstore daemon, for `xsfuzz afl --daemon`.
 *
 * With XSFUZZ_FORKSERVER=1 in its environment, the daemon's first poll() (it is then set up:
 * listening on $RUN/socket, dom0's ring mapped, its event channel bound) does not return. The
 * process becomes a fork server instead: it listens on $RUN/forkserver, accepts one client (xsfuzz),
 * writes 4 zero bytes (ready), and then, for every 4 bytes the client writes:
 *   - puts the run folder back as it was at that first poll (below);
 *   - forks: the child returns from poll() into the daemon's own main loop, a fresh daemon that
 *     never served a request, at the cost of a fork instead of a start (12-35 ms);
 *   - writes the child's pid (4 bytes), waits for the child to exit (xsfuzz kills it), and writes
 *     its wait status (4 bytes).
 * When the client goes away (EOF), the server kills its child and exits.
 *
 * What a child changes that the next child would otherwise see (it shares the folder and the fds):
 *   - dom0's ring page, $RUN/xsd_kva: a shared mapping, so the child's writes reach the file; it is
 *     written back from a copy taken at the first poll;
 *   - the event-channel port counter $RUN/evtchn.next and the ring and port files in $RUN/domu
 *     (dom0's port is published there at start): put back as they were, others removed; the
 *     clients' event sockets $RUN/ev<P> (scripts/real/xenevtchn.c): removed;
 *   - kicks still queued on the daemon's event socket $RUN/evtchn (the fd is shared): read away;
 *   - stdout/stderr ($RUN/daemon.out, one open file for all): emptied, so that a death note is
 *     the last child's own.
 * A child also starts with the errno the daemon had at that first poll, not with what the server's
 * own calls left: the C daemon answers some requests with a leftover errno (allow-list entry 009).
 * The AFL map (__AFL_SHM_ID) is attached before the first poll: every child writes into the same
 * map, and so does a child's live-update re-exec, which attaches it again.
 *
 * The child gets PR_SET_PDEATHSIG: it dies with the server, which dies with xsfuzz (shim.c).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include "idle.h"

#define RING_SIZE 4096

static char run[4096];
static char ring_copy[RING_SIZE];
static int ring_known;
static char next_copy[64];
static ssize_t next_length = -1;      /* -1: there was no evtchn.next */
static int event_fd = -1;
static int errno_at_first_poll;       /* a child starts with it, not with the server's leftovers */
static xsfuzz_poll_fn *next_poll;     /* libc's: the server's own waits are not the daemon's (idle.c) */

/* $RUN/domu at the first poll: few small files (dom0's port). */
#define SAVED_MAX 16
static struct saved { char name[64]; char data[RING_SIZE]; ssize_t length; } saved[SAVED_MAX];
static int saved_count;

static void path(char *out, size_t size, const char *name)
{
    snprintf(out, size, "%s/%s", run, name);
}

static ssize_t read_file(const char *name, char *buffer, size_t size)
{
    char p[4200];
    path(p, sizeof(p), name);
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buffer, size);
    close(fd);
    return n;
}

static void write_file(const char *name, const char *buffer, size_t size, int truncate)
{
    char p[4200];
    path(p, sizeof(p), name);
    int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC | (truncate ? O_TRUNC : 0), 0600);
    if (fd < 0) return;
    if (pwrite(fd, buffer, size, 0) != (ssize_t)size) { /* the child then sees what is there */ }
    close(fd);
}

/* The daemon's event-channel socket: a datagram socket bound at $RUN/evtchn. */
static int find_event_socket(void)
{
    char want[4200];
    path(want, sizeof(want), "evtchn");
    for (int fd = 3; fd < 1024; fd++) {
        struct sockaddr_un a;
        socklen_t length = sizeof(a);
        int type = 0;
        socklen_t type_length = sizeof(type);
        if (getsockname(fd, (struct sockaddr *)&a, &length) < 0 || a.sun_family != AF_UNIX) continue;
        if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_length) < 0 || type != SOCK_DGRAM) continue;
        if (length > offsetof(struct sockaddr_un, sun_path) && strcmp(a.sun_path, want) == 0) return fd;
    }
    return -1;
}

/* Calls back with each file name of $RUN/domu. */
static void each_domu_file(void (*f)(const char *name))
{
    char p[4200];
    path(p, sizeof(p), "domu");
    DIR *d = opendir(p);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) f(e->d_name);
    closedir(d);
}

static void save_domu_file(const char *name)
{
    char relative[128];
    if (saved_count == SAVED_MAX || strlen(name) >= sizeof(saved[0].name)) _exit(76);
    struct saved *s = &saved[saved_count++];
    snprintf(s->name, sizeof(s->name), "%s", name);
    snprintf(relative, sizeof(relative), "domu/%.63s", name);
    s->length = read_file(relative, s->data, sizeof(s->data));
}

static void remove_domu_file(const char *name)
{
    char p[4500];
    snprintf(p, sizeof(p), "%s/domu/%s", run, name);
    unlink(p);
}

static void restore_domu(void)
{
    char relative[128];
    each_domu_file(remove_domu_file);
    for (int i = 0; i < saved_count; i++) {
        if (saved[i].length < 0) continue;
        snprintf(relative, sizeof(relative), "domu/%.63s", saved[i].name);
        write_file(relative, saved[i].data, (size_t)saved[i].length, 1);
    }
}

static void remove_event_sockets(void)
{
    DIR *d = opendir(run);
    if (!d) return;
    struct dirent *e;
    char p[4500];
    while ((e = readdir(d))) {
        if (e->d_name[0] != 'e' || e->d_name[1] != 'v' || e->d_name[2] < '0' || e->d_name[2] > '9') continue;
        snprintf(p, sizeof(p), "%s/%s", run, e->d_name);
        unlink(p);
    }
    closedir(d);
}

static void snapshot(void)
{
    ring_known = read_file("xsd_kva", ring_copy, RING_SIZE) == RING_SIZE;
    next_length = read_file("evtchn.next", next_copy, sizeof(next_copy));
    event_fd = find_event_socket();
    each_domu_file(save_domu_file);
}

static void restore(void)
{
    if (ring_known) write_file("xsd_kva", ring_copy, RING_SIZE, 0);
    if (next_length >= 0) write_file("evtchn.next", next_copy, (size_t)next_length, 1);
    else {
        char p[4200];
        path(p, sizeof(p), "evtchn.next");
        unlink(p);
    }
    restore_domu();
    remove_event_sockets();
    if (event_fd >= 0) {
        char drop[64];
        while (recv(event_fd, drop, sizeof(drop), MSG_DONTWAIT) >= 0) { }
    }
    /* daemon.out: stdout and stderr are one open file (2>&1), so one offset. */
    if (ftruncate(1, 0) == 0) lseek(1, 0, SEEK_SET);
    xsfuzz_idle_busy();                  /* the last copy may have been killed while idle */
}

static int full_write(int fd, const void *buffer, size_t size)
{
    return write(fd, buffer, size) == (ssize_t)size ? 0 : -1;
}

/* Waits for the child to exit; returns its wait status, or -1 when the client went away. */
static int wait_child(pid_t child, int client)
{
    int pidfd = (int)syscall(SYS_pidfd_open, child, 0);
    for (;;) {
        struct pollfd p[2] = { { client, POLLIN, 0 }, { pidfd, POLLIN, 0 } };
        int n = next_poll(p, pidfd >= 0 ? 2 : 1, pidfd >= 0 ? -1 : 5);
        if (n < 0 && errno != EINTR) return -1;
        if (p[0].revents) {
            char c;
            if (recv(client, &c, 1, MSG_PEEK | MSG_DONTWAIT) <= 0) {
                kill(child, SIGKILL);
                waitpid(child, NULL, 0);
                return -1;
            }
        }
        int status;
        pid_t done = waitpid(child, &status, WNOHANG);
        if (done == child) {
            if (pidfd >= 0) close(pidfd);
            return status;
        }
    }
}

/* Never returns in the server; returns in each child. */
static void serve(void)
{
    const char *r = getenv("XSFUZZ_RUNDIR");
    if (!r || strlen(r) >= sizeof(run) - 32) _exit(71);
    snprintf(run, sizeof(run), "%s", r);
    snapshot();

    struct sockaddr_un a;
    memset(&a, 0, sizeof(a));
    a.sun_family = AF_UNIX;
    if (snprintf(a.sun_path, sizeof(a.sun_path), "%s/forkserver", run) >= (int)sizeof(a.sun_path)) _exit(72);
    int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    unlink(a.sun_path);
    if (listener < 0 || bind(listener, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(listener, 1) < 0) _exit(73);
    int client = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
    if (client < 0) _exit(74);
    close(listener);
    unlink(a.sun_path);
    uint32_t word = 0;
    if (full_write(client, &word, 4) < 0) _exit(0);
    pid_t server = getpid();
    for (;;) {
        ssize_t n = recv(client, &word, 4, MSG_WAITALL);
        if (n != 4) _exit(0);
        restore();
        pid_t child = fork();
        if (child < 0) _exit(75);
        if (child == 0) {
            close(client);
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() != server) _exit(0);
            char id[16];
            snprintf(id, sizeof(id), "%d", (int)server);
            setenv("XSFUZZ_PARENT", id, 1);      /* what shim.c checks again after a re-exec */
            errno = errno_at_first_poll;
            return;
        }
        int32_t out = child;
        if (full_write(client, &out, 4) < 0) { kill(child, SIGKILL); _exit(0); }
        int status = wait_child(child, client);
        if (status == -1) _exit(0);
        out = status;
        if (full_write(client, &out, 4) < 0) _exit(0);
    }
}

int poll(struct pollfd *fds, nfds_t n, int timeout)
{
    static int checked;
    if (!next_poll) next_poll = (xsfuzz_poll_fn *)dlsym(RTLD_NEXT, "poll");
    if (!checked) {
        checked = 1;
        const char *on = getenv("XSFUZZ_FORKSERVER");
        if (on && strcmp(on, "1") == 0) {
            errno_at_first_poll = errno;
            unsetenv("XSFUZZ_FORKSERVER");   /* a child's live-update re-exec runs normally */
            serve();
        }
    }
    return xsfuzz_idle_poll(next_poll, fds, n, timeout);
}
