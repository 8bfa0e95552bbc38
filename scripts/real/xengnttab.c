/*
 * xsfuzz stand-in for libxengnttab.so.1: the C daemon maps an introduced
 * domain's ring page with a grant (GNTTAB_RESERVED_XENSTORE); it gets the
 * shared file of ring.h, so a client in the sandbox can talk to it as that
 * domain (a private zero page without a run folder).
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "ring.h"

void *xengnttab_open(void *logger, unsigned int flags)
{
    (void)logger; (void)flags;
    return calloc(1, 16);
}

int xengnttab_close(void *h) { free(h); return 0; }

int xengnttab_set_max_grants(void *h, uint32_t count) { (void)h; (void)count; return 0; }

void *xengnttab_map_grant_ref(void *h, uint32_t domid, uint32_t ref, int prot)
{
    (void)h; (void)ref; (void)prot;
    void *p = xsfuzz_map_ring(domid);
    if (p || getenv("XSFUZZ_RUNDIR"))
        return p;
    p = mmap(NULL, XSFUZZ_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

int xengnttab_unmap(void *h, void *start, uint32_t count)
{
    (void)h;
    return munmap(start, (size_t)count * XSFUZZ_PAGE);
}
