/*
 * xsfuzz stand-in for libxengnttab.so.1: the C daemon maps an introduced
 * domain's ring page with a grant; it gets a private zero page (an empty ring
 * forever, like xc_map_foreign_range in xenctrl.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

void *xengnttab_open(void *logger, unsigned int flags)
{
    (void)logger; (void)flags;
    return calloc(1, 16);
}

int xengnttab_close(void *h) { free(h); return 0; }

int xengnttab_set_max_grants(void *h, uint32_t count) { (void)h; (void)count; return 0; }

void *xengnttab_map_grant_ref(void *h, uint32_t domid, uint32_t ref, int prot)
{
    (void)h; (void)domid; (void)ref; (void)prot;
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

int xengnttab_unmap(void *h, void *start, uint32_t count)
{
    (void)h;
    return munmap(start, (size_t)count * 4096);
}
