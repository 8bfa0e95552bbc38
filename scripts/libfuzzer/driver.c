// libFuzzer driver for a SharpFuzz target (Fuzzer.LibFuzzer.Run), e.g. `xsfuzz libfuzzer`.
//
// Built with `clang -fsanitize=fuzzer` (scripts/libfuzzer/build-driver.sh, .clusterfuzzlite/build.sh),
// so every libFuzzer feature works unchanged: -fork/-jobs, -merge=1, -dict, artifacts, timeouts.
// The .NET target runs in a child process that lives for many inputs; the two speak SharpFuzz's
// protocol (SharpFuzz 2.3.0, PosixFuzzerIpc):
//   - one System V shared memory segment: the 64 KiB AFL-style coverage map the instrumented
//     assemblies write, followed by the input (at most 1 MiB);
//   - environment: __LIBFUZZER_SHM_ID (the segment), __LIBFUZZER_CONTROL_PIPE_ID and
//     __LIBFUZZER_STATUS_PIPE_ID (file descriptor numbers of two pipes);
//   - the child writes a 32-bit 0 on the status pipe when ready; then, per input, the driver writes
//     the input's 32-bit length on the control pipe and the child answers a 32-bit status
//     (0 = ran, anything else = an unhandled exception, after which the child exits).
// After each input the map is copied into libFuzzer's extra counters, which libFuzzer turns into
// coverage features like its own.
//
// Flags (libFuzzer ignores flags that start with "--", and passes them on to -fork/-jobs/-merge
// child processes):
//   --target=PATH      the .NET executable (default: xsfuzz-target/xsfuzz beside this driver, the
//                      layout .clusterfuzzlite/build.sh produces)
//   --target-arg=ARG   one argument for it, repeatable, in order (default: one "libfuzzer")
//
// The child starts at the first input rather than in LLVMFuzzerInitialize, so that the libFuzzer
// processes that only supervise others (-fork, -jobs, the outer -merge process) never start one.
//
// The driver and the target take turns and never run at once, so both are pinned to the CPU the
// driver is on when the target starts (XSFUZZ_NO_PIN=1 leaves them free): otherwise every input
// costs two wake-ups across CPUs, which on a loaded machine was 20 times slower (measured: 500
// executions of one seed took about 21 s unpinned and under 1 s pinned, load average above 50 on
// 2 CPUs).

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAP_SIZE (1 << 16)    // SharpFuzz's map size (Fuzzer.MapSize)
#define DATA_SIZE (1 << 20)   // room for the input after the map
#define CONTROL_FD 198        // descriptor numbers the child sees; any free ones would do
#define STATUS_FD 199
#define MAX_TARGET_ARGS 64

// libFuzzer reads every byte of this section as a coverage counter ("extra counters").
__attribute__((used, section("__libfuzzer_extra_counters"))) uint8_t xs_extra_counters[MAP_SIZE];

static char *target_argv[MAX_TARGET_ARGS + 2];
static int target_argc;
static uint8_t *shared;       // map, then input
static int control_fd = -1;   // driver -> child: input lengths
static int status_fd = -1;    // child -> driver: statuses
static pid_t child;

static void fail(const char *what) {
    fprintf(stderr, "xsfuzz-libfuzzer: %s\n", what);
    exit(1);
}

static void fail_errno(const char *what) {
    fprintf(stderr, "xsfuzz-libfuzzer: %s: %s\n", what, strerror(errno));
    exit(1);
}

static const char *flag_value(const char *arg, const char *name) {
    size_t n = strlen(name);
    return strncmp(arg, name, n) == 0 && arg[n] == '=' ? arg + n + 1 : NULL;
}

// The default target: xsfuzz-target/xsfuzz in the driver's own directory.
static char *default_target(void) {
    static char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 32);
    if (n <= 0) fail_errno("readlink /proc/self/exe");
    path[n] = '\0';
    char *slash = strrchr(path, '/');
    strcpy(slash ? slash + 1 : path, "xsfuzz-target/xsfuzz");
    return path;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    // A dead target shows as EPIPE on the control pipe, which read_status then explains.
    signal(SIGPIPE, SIG_IGN);
    char *path = NULL;
    char *args[MAX_TARGET_ARGS];
    int nargs = 0;
    for (int i = 1; i < *argc; i++) {
        const char *v;
        if ((v = flag_value((*argv)[i], "--target")) != NULL) {
            path = (char *)v;
        } else if ((v = flag_value((*argv)[i], "--target-arg")) != NULL) {
            if (nargs == MAX_TARGET_ARGS) fail("too many --target-arg flags");
            args[nargs++] = (char *)v;
        }
    }
    target_argv[0] = path ? path : default_target();
    if (nargs == 0) args[nargs++] = "libfuzzer";
    for (int i = 0; i < nargs; i++) target_argv[1 + i] = args[i];
    target_argc = nargs + 1;
    target_argv[target_argc] = NULL;
    if (access(target_argv[0], X_OK) != 0) {
        fprintf(stderr, "xsfuzz-libfuzzer: target %s is not an executable (--target=PATH)\n", target_argv[0]);
        exit(1);
    }
    return 0;
}

// Reads one status. If the target died instead, says how and, for an input, traps so that
// libFuzzer keeps that input as a crash; before the first input that is a set-up failure.
static void read_status(int32_t *status, const char *when, int for_input) {
    ssize_t n;
    do n = read(status_fd, status, sizeof *status);
    while (n < 0 && errno == EINTR);
    if (n == (ssize_t)sizeof *status) return;
    if (n < 0) fail_errno("reading the target's status");
    // The target died without answering: an uncatchable .NET failure (stack overflow, a fatal
    // runtime error), a kill, or a start-up failure.
    int wstatus = 0;
    if (waitpid(child, &wstatus, 0) == child) {
        if (WIFSIGNALED(wstatus))
            fprintf(stderr, "xsfuzz-libfuzzer: the target died of signal %d %s\n", WTERMSIG(wstatus), when);
        else
            fprintf(stderr, "xsfuzz-libfuzzer: the target exited with status %d %s\n", WEXITSTATUS(wstatus), when);
    } else {
        fprintf(stderr, "xsfuzz-libfuzzer: the target closed its status pipe %s\n", when);
    }
    if (!for_input) exit(1);
    __builtin_trap();
}

// Keeps this process, and so the target it forks, on the CPU it runs on now.
static void pin_to_current_cpu(void) {
    const char *no_pin = getenv("XSFUZZ_NO_PIN");
    if (no_pin && *no_pin && strcmp(no_pin, "0") != 0) return;
    int cpu = sched_getcpu();
    if (cpu < 0) return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0)
        fprintf(stderr, "xsfuzz-libfuzzer: could not pin to CPU %d: %s (running unpinned)\n", cpu, strerror(errno));
}

static void start_target(void) {
    pin_to_current_cpu();
    int shm_id = shmget(IPC_PRIVATE, MAP_SIZE + DATA_SIZE, IPC_CREAT | IPC_EXCL | 0600);
    if (shm_id < 0) fail_errno("shmget");
    shared = shmat(shm_id, NULL, 0);
    if (shared == (void *)-1) fail_errno("shmat");

    int control[2], status[2];
    if (pipe2(control, O_CLOEXEC) != 0 || pipe2(status, O_CLOEXEC) != 0) fail_errno("pipe2");

    // Set in this process before fork, so the child only has async-signal-safe work to do.
    char id[16];
    snprintf(id, sizeof id, "%d", shm_id);
    if (setenv("__LIBFUZZER_SHM_ID", id, 1) || setenv("__LIBFUZZER_CONTROL_PIPE_ID", "198", 1) ||
        setenv("__LIBFUZZER_STATUS_PIPE_ID", "199", 1))
        fail_errno("setenv");

    pid_t parent = getpid();
    child = fork();
    if (child < 0) fail_errno("fork");
    if (child == 0) {
        // Die with the driver (libFuzzer ends a timed-out run with _Exit, and -fork kills jobs).
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(1);
        // dup2 leaves the copies without O_CLOEXEC; the originals close at exec.
        if (dup2(control[0], CONTROL_FD) < 0 || dup2(status[1], STATUS_FD) < 0) _exit(126);
        execv(target_argv[0], target_argv);
        _exit(127);
    }
    close(control[0]);
    close(status[1]);
    control_fd = control[1];
    status_fd = status[0];

    int32_t ready;
    read_status(&ready, "before it was ready", 0);
    // The child has attached the segment: mark it for removal now, so that it goes away with the
    // last of the two processes however they end (a timeout's _Exit runs no atexit handler).
    shmctl(shm_id, IPC_RMID, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > DATA_SIZE) {
        fprintf(stderr, "xsfuzz-libfuzzer: an input of %zu bytes is over the 1 MiB the target takes (use -max_len)\n", size);
        exit(1);
    }
    if (child == 0) start_target();

    memset(shared, 0, MAP_SIZE);
    memcpy(shared + MAP_SIZE, data, size);
    int32_t length = (int32_t)size;
    ssize_t n;
    do n = write(control_fd, &length, sizeof length);
    while (n < 0 && errno == EINTR);
    if (n < 0 && errno == EPIPE) {
        int32_t ignored;
        read_status(&ignored, "before this input", 1);   // reports how it died, then traps
    }
    if (n != (ssize_t)sizeof length) fail_errno("writing to the target");

    int32_t status;
    read_status(&status, "while running this input", 1);
    memcpy(xs_extra_counters, shared, MAP_SIZE);
    if (status != 0) {
        // SharpFuzz printed the exception (for xsfuzz: the disagreement report) and the child exits.
        fprintf(stderr, "xsfuzz-libfuzzer: the target reported an unhandled exception (status %d)\n", status);
        __builtin_trap();
    }
    return 0;
}
