/*
 * LD_PRELOAD shim that lets Debian's xenstore daemons run unprivileged-ish in
 * a private folder ($XSFUZZ_RUNDIR), several at once:
 *
 *  - setrlimit is clamped to the hard limit: oxenstored asks for 1048576
 *    open files and exits on EPERM otherwise.
 *  - hard-coded system paths are redirected into $XSFUZZ_RUNDIR:
 *      /var/run/xenstored/... and /run/xenstored/...   -> $RUN/...
 *          (oxenstored's socket and its live-update database)
 *      /var/run/xenstored.pid, /run/xenstored.pid      -> $RUN/xenstored.pid
 *      /proc/xen/xsd_kva, /proc/xen/xsd_port           -> $RUN/xsd_kva, xsd_port
 *          (dom0's ring page and event channel: the C daemon reads these)
 *      /var/lib/xenstored/..., /var/log/xen/...        -> $RUN/lib/..., $RUN/log/...
 *    Only the calls these daemons use for such paths are wrapped; with
 *    XSFUZZ_SHIM_VERBOSE=1 every redirection is logged to stderr.
 *  - with XSFUZZ_PARENT=PID (xsfuzz sets it), the daemon dies with its parent
 *    (PR_SET_PDEATHSIG), so that no daemon outlives a SIGKILLed xsfuzz, and
 *    one that starts after its parent died exits at once.
 *  - forkserver.c: the fork server of `xsfuzz afl --daemon`.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* Whether pid has exited: gone, or a zombie its parent has not reaped yet. */
static int exited(pid_t pid)
{
    char path[64], stat[512];
    if (kill(pid, 0) < 0 && errno == ESRCH)
        return 1;
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(stat, 1, sizeof(stat) - 1, f);
    fclose(f);
    stat[n] = '\0';
    const char *state = strrchr(stat, ')');     /* "pid (comm) S ...": comm may hold spaces */
    return state && (state[2] == 'Z' || state[2] == 'X');
}

/* XSFUZZ_PARENT is xsfuzz's pid. The shim is also preloaded into the sandbox script's helpers
 * (cat), whose parent is the script: only a direct child of xsfuzz (the daemon) takes the flag, and
 * anything started after xsfuzz died exits. The flag survives a live update's execve. Two races are
 * closed: xsfuzz dying between the parent check and the prctl (the flag would never fire), and a
 * daemon exec'd by a sandbox script that outlived a killed xsfuzz, whose zombie answers kill(0). */
__attribute__((constructor)) static void die_with_parent(void)
{
    int saved = errno;                           /* the daemon's errno is compared (entry 009) */
    const char *given = getenv("XSFUZZ_PARENT");
    if (!given || !*given)
        return;
    pid_t parent = (pid_t)atoi(given);
    if (getppid() == parent) {
        /* A child is re-parented the moment its parent exits: still ours after the prctl, the
         * parent is alive and the flag will fire. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(70);
    } else if (exited(parent)) {
        _exit(70);
    }
    errno = saved;
}

static int clamp(__rlimit_resource_t resource, const struct rlimit *asked)
{
    struct rlimit hard, want = *asked;
    getrlimit(resource, &hard);
    if (want.rlim_max > hard.rlim_max) want.rlim_max = hard.rlim_max;
    if (want.rlim_cur > want.rlim_max) want.rlim_cur = want.rlim_max;
    return prlimit(0, resource, &want, NULL);
}
int setrlimit(__rlimit_resource_t r, const struct rlimit *l) { return clamp(r, l); }
int setrlimit64(__rlimit_resource_t r, const struct rlimit64 *l)
{
    return clamp(r, (const struct rlimit *)l);   /* same layout on x86_64 */
}

struct redirect { const char *from, *to; int subtree; };
static const struct redirect redirects[] = {
    { "/var/run/xenstored.pid", "/xenstored.pid", 0 },
    { "/run/xenstored.pid",     "/xenstored.pid", 0 },
    { "/var/run/xenstored",     "",               1 },
    { "/run/xenstored",         "",               1 },
    { "/proc/xen/xsd_kva",      "/xsd_kva",       0 },
    { "/proc/xen/xsd_port",     "/xsd_port",      0 },
    { "/var/lib/xenstored",     "/lib",           1 },
    { "/var/log/xen",           "/log",           1 },
};

/* Two buffers per thread: rename and the socket calls need two paths. */
static __thread char buffers[2][4096];

static const char *redirect(const char *path, int slot)
{
    const char *run = getenv("XSFUZZ_RUNDIR");
    if (!path || !run || !*run)
        return path;
    for (size_t i = 0; i < sizeof(redirects) / sizeof(redirects[0]); i++) {
        const struct redirect *r = &redirects[i];
        size_t n = strlen(r->from);
        if (strncmp(path, r->from, n) != 0)
            continue;
        if (r->subtree ? path[n] != '\0' && path[n] != '/' : path[n] != '\0')
            continue;
        snprintf(buffers[slot], sizeof(buffers[slot]), "%s%s%s", run, r->to,
                 r->subtree ? path + n : "");
        if (getenv("XSFUZZ_SHIM_VERBOSE"))
            fprintf(stderr, "xsfuzz-shim: %s -> %s\n", path, buffers[slot]);
        return buffers[slot];
    }
    return path;
}

#define NEXT(name) \
    static __typeof__(name) *next_##name; \
    if (!next_##name) next_##name = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

/* open's mode argument only exists with O_CREAT or O_TMPFILE. */
#define MODE(flags) \
    mode_t mode = 0; \
    if ((flags) & (O_CREAT | __O_TMPFILE)) { \
        va_list ap; va_start(ap, flags); mode = (mode_t)va_arg(ap, int); va_end(ap); \
    }

int open(const char *p, int flags, ...) { MODE(flags); NEXT(open); return next_open(redirect(p, 0), flags, mode); }
int open64(const char *p, int flags, ...) { MODE(flags); NEXT(open64); return next_open64(redirect(p, 0), flags, mode); }
int openat(int d, const char *p, int flags, ...) { MODE(flags); NEXT(openat); return next_openat(d, redirect(p, 0), flags, mode); }
int openat64(int d, const char *p, int flags, ...) { MODE(flags); NEXT(openat64); return next_openat64(d, redirect(p, 0), flags, mode); }
int __open_2(const char *p, int flags) { NEXT(open); return next_open(redirect(p, 0), flags, 0); }
int __open64_2(const char *p, int flags) { NEXT(open64); return next_open64(redirect(p, 0), flags, 0); }
FILE *fopen(const char *p, const char *m) { NEXT(fopen); return next_fopen(redirect(p, 0), m); }
FILE *fopen64(const char *p, const char *m) { NEXT(fopen64); return next_fopen64(redirect(p, 0), m); }
int unlink(const char *p) { NEXT(unlink); return next_unlink(redirect(p, 0)); }
int rename(const char *a, const char *b) { NEXT(rename); return next_rename(redirect(a, 0), redirect(b, 1)); }
int mkdir(const char *p, mode_t m) { NEXT(mkdir); return next_mkdir(redirect(p, 0), m); }
int rmdir(const char *p) { NEXT(rmdir); return next_rmdir(redirect(p, 0)); }
int chmod(const char *p, mode_t m) { NEXT(chmod); return next_chmod(redirect(p, 0), m); }
int access(const char *p, int m) { NEXT(access); return next_access(redirect(p, 0), m); }
int stat(const char *p, struct stat *s) { NEXT(stat); return next_stat(redirect(p, 0), s); }
int lstat(const char *p, struct stat *s) { NEXT(lstat); return next_lstat(redirect(p, 0), s); }
int stat64(const char *p, struct stat64 *s) { NEXT(stat64); return next_stat64(redirect(p, 0), s); }
int lstat64(const char *p, struct stat64 *s) { NEXT(lstat64); return next_lstat64(redirect(p, 0), s); }
DIR *opendir(const char *p) { NEXT(opendir); return next_opendir(redirect(p, 0)); }

/* bind/connect on a Unix socket path: the same redirections. */
static const struct sockaddr *redirect_address(const struct sockaddr *a, socklen_t *len,
                                               struct sockaddr_un *out)
{
    if (!a || a->sa_family != AF_UNIX || *len <= offsetof(struct sockaddr_un, sun_path))
        return a;
    const struct sockaddr_un *u = (const struct sockaddr_un *)a;
    char path[sizeof(u->sun_path) + 1];
    size_t n = *len - offsetof(struct sockaddr_un, sun_path);
    if (n > sizeof(u->sun_path)) n = sizeof(u->sun_path);
    memcpy(path, u->sun_path, n);
    path[n] = '\0';
    const char *to = redirect(path, 1);
    if (to == path || strlen(to) >= sizeof(out->sun_path)) {
        if (to != path)
            fprintf(stderr, "xsfuzz-shim: socket path too long: %s\n", to);
        return a;
    }
    memset(out, 0, sizeof(*out));
    out->sun_family = AF_UNIX;
    strcpy(out->sun_path, to);
    *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(to) + 1);
    return (const struct sockaddr *)out;
}

int bind(int fd, const struct sockaddr *a, socklen_t len)
{
    struct sockaddr_un tmp;
    NEXT(bind);
    a = redirect_address(a, &len, &tmp);
    return next_bind(fd, a, len);
}

int connect(int fd, const struct sockaddr *a, socklen_t len)
{
    struct sockaddr_un tmp;
    NEXT(connect);
    a = redirect_address(a, &len, &tmp);
    return next_connect(fd, a, len);
}
