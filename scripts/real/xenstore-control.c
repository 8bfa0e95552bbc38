/*
 * A stand-in for xenstore-control, for scripts/test-real.sh only. Debian's xenstore-control is a
 * wrapper that needs a running hypervisor (and the xen-utils binary needs libxenctrl), so the shell
 * reproducers that `xsfuzz real --emit-shell` writes cannot call it in the sandbox. This program
 * speaks the same requests through libxenstore (from libxenstore4, which xenstore-utils depends on;
 * XENSTORED_PATH points it at a sandbox daemon's socket):
 *
 *   xenstore-control live-update [-F] [-t SECONDS] BINARY
 *       CONTROL "live-update -f BINARY", then "live-update -s -t SECONDS [-F]" again every second
 *       while the daemon answers BUSY, as the real tool does for a daemon in dom0 (default 60 s)
 *   xenstore-control COMMAND [ARG...]
 *       one CONTROL request; the answer is printed
 *
 * Exit status: 0 on OK, 2 on bad usage, 3 when the daemon refused or failed.
 * libxenstore's header is not installed (it is in libxen-dev), so the three calls are declared here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct xs_handle;
struct xs_handle *xs_open(unsigned long flags);
void xs_close(struct xs_handle *h);
char *xs_control_command(struct xs_handle *h, const char *cmd, void *data, unsigned int len);

/* Arguments as the request wants them: each one followed by its NUL. */
static unsigned int pack(char *buf, unsigned int size, int n, char **args)
{
    unsigned int len = 0;
    for (int i = 0; i < n; i++) {
        size_t l = strlen(args[i]) + 1;
        if (len + l > size) {
            fprintf(stderr, "xenstore-control: arguments too long\n");
            exit(2);
        }
        memcpy(buf + len, args[i], l);
        len += l;
    }
    return len;
}

static char *request(struct xs_handle *xs, const char *cmd, int n, char **args)
{
    char buf[4096];
    unsigned int len = pack(buf, sizeof buf, n, args);
    char *answer = xs_control_command(xs, cmd, buf, len);
    if (!answer)
        fprintf(stderr, "xenstore-control: %s failed: %s\n", cmd, strerror(errno));
    return answer;
}

static int live_update(struct xs_handle *xs, int argc, char **argv)
{
    char *binary = NULL, *timeout = "60";
    int force = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "-F"))
            force = 1;
        else if (!strcmp(argv[i], "-t") && i + 1 < argc)
            timeout = argv[++i];
        else
            binary = argv[i];
    }
    if (!binary) {
        fprintf(stderr, "usage: xenstore-control live-update [-F] [-t SECONDS] BINARY\n");
        return 2;
    }
    char *set[] = { "-f", binary };
    char *answer = request(xs, "live-update", 2, set);
    if (!answer || strcmp(answer, "OK")) {
        fprintf(stderr, "xenstore-control: setting the binary failed: %s\n", answer ? answer : "no answer");
        return 3;
    }
    free(answer);
    char *start[] = { "-s", "-t", timeout, "-F" };
    int seconds = atoi(timeout);
    for (int waited = 0;; waited++) {
        answer = request(xs, "live-update", force ? 4 : 3, start);
        if (!answer || strcmp(answer, "BUSY") || waited >= seconds)
            break;
        free(answer);
        sleep(1);
    }
    if (!answer || strcmp(answer, "OK")) {
        fprintf(stderr, "xenstore-control: starting the live update failed: %s\n", answer ? answer : "no answer");
        return 3;
    }
    free(answer);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: xenstore-control COMMAND [ARG...]\n");
        return 2;
    }
    struct xs_handle *xs = xs_open(0);
    if (!xs) {
        fprintf(stderr, "xenstore-control: cannot connect to xenstored: %s\n", strerror(errno));
        return 3;
    }
    int rc;
    if (!strcmp(argv[1], "live-update")) {
        rc = live_update(xs, argc - 2, argv + 2);
    } else {
        char *answer = request(xs, argv[1], argc - 2, argv + 2);
        if (answer && *answer)
            printf("%s\n", answer);
        rc = answer ? 0 : 3;
        free(answer);
    }
    xs_close(xs);
    return rc;
}
