/*
 * xsfuzz stand-in for libxenctrl.so.4.17: what Debian's oxenstored and C
 * xenstored call when there is no hypervisor.  real-sandbox.sh links it with
 * a generated version script (every xc_* symbol the daemons import, at the
 * version they import it) and generated ENOSYS stubs for the imports not
 * written here; those are never reached on a dom0-socket-only sandbox.
 *
 * Domains: every valid domid (below DOMID_FIRST_RESERVED) exists and runs,
 * as on a host with that many domains, and none ever dies: introduced
 * domains survive the C daemon's check after a live update (oxenstored only
 * checks on VIRQ_DOM_EXC, which never fires here), and a domain can exist
 * before it is introduced, as while a toolstack builds it. A reserved or
 * out-of-range domid does not exist. A domain's ring page is a shared file
 * (ring.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ring.h"

/* Layouts of Xen 4.17's public headers (x86_64): only the leading fields are
 * read by the daemons, the rest must be there so that the sizes match. */
struct arch_domainconfig { uint32_t emulation_flags, misc_flags; };

/* xen_domctl_getdomaininfo == xc_domaininfo_t (oxenstored's xc stubs) */
struct domaininfo {
    uint16_t domain, pad1;
    uint32_t flags;                 /* XEN_DOMINF_* */
    uint64_t tot_pages, max_pages, outstanding_pages, shr_pages, paged_pages,
             shared_info_frame, cpu_time;
    uint32_t nr_online_vcpus, max_vcpu_id, ssidref;
    uint8_t handle[16];
    uint32_t cpupool;
    uint8_t gpaddr_bits, pad2[7];
    struct arch_domainconfig arch_config;
};
#define XEN_DOMINF_running (1U << 5)

/* xc_dominfo_t (the C daemon) */
struct dominfo {
    uint32_t domid, ssidref;
    unsigned int dying:1, crashed:1, shutdown:1, paused:1, blocked:1,
                 running:1, hvm:1, debugged:1, xenstore:1, hap:1;
    unsigned int shutdown_reason;
    unsigned long nr_pages, nr_outstanding_pages, nr_shared_pages,
                  nr_paged_pages, shared_info_frame;
    uint64_t cpu_time;
    unsigned long max_memkb;
    unsigned int nr_online_vcpus, max_vcpu_id;
    uint8_t handle[16];
    unsigned int cpupool;
    uint8_t gpaddr_bits;
    struct arch_domainconfig arch_config;
};

#define DOMID_FIRST_RESERVED 0x7FF0U

struct xc_error { int code; char message[1024]; };
static struct xc_error no_error;

void *xc_interface_open(void *logger, void *dombuild_logger, unsigned flags)
{
    (void)logger; (void)dombuild_logger; (void)flags;
    return calloc(1, 64);           /* opaque to the callers */
}

int xc_interface_close(void *xch) { free(xch); return 0; }

const struct xc_error *xc_get_last_error(void *xch) { (void)xch; return &no_error; }

const char *xc_error_code_to_desc(int code) { (void)code; return "xsfuzz stub"; }

/* oxenstored asks about one domain: (xch, domid, 1, &info) */
int xc_domain_getinfolist(void *xch, uint32_t first, unsigned int max,
                          struct domaininfo *info)
{
    unsigned int n = 0;
    (void)xch;
    for (uint32_t d = first; d < DOMID_FIRST_RESERVED && n < max; d++, n++) {
        memset(&info[n], 0, sizeof(info[n]));
        info[n].domain = (uint16_t)d;
        info[n].flags = XEN_DOMINF_running;
        info[n].nr_online_vcpus = 1;
    }
    return (int)n;
}

/* the C daemon does the same through the older call */
int xc_domain_getinfo(void *xch, uint32_t first, unsigned int max,
                      struct dominfo *info)
{
    unsigned int n = 0;
    (void)xch;
    for (uint32_t d = first; d < DOMID_FIRST_RESERVED && n < max; d++, n++) {
        memset(&info[n], 0, sizeof(info[n]));
        info[n].domid = d;
        info[n].running = 1;
        info[n].nr_online_vcpus = 1;
    }
    return (int)n;
}

/* oxenstored maps an introduced domain's ring page: the shared file of
 * ring.h, so a client in the sandbox can talk to it as that domain (a private
 * zero page, an empty ring forever, without a run folder). */
void *xc_map_foreign_range(void *xch, uint32_t dom, int size, int prot,
                           unsigned long mfn)
{
    (void)xch; (void)prot; (void)mfn;
    if (size != XSFUZZ_PAGE) { errno = EINVAL; return NULL; }
    void *p = xsfuzz_map_ring(dom);
    if (p || getenv("XSFUZZ_RUNDIR"))
        return p;
    p = mmap(NULL, XSFUZZ_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

uint8_t *xc_cpumap_alloc(void *xch) { (void)xch; return calloc(1, 64); }

int xc_get_max_cpus(void *xch) { (void)xch; return 1; }
