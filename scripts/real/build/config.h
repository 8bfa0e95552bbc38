/* XsFuzz's stand-in for the tools/config.h that Xen's configure writes: only what the two xenstore
 * daemons read from it. Debian's configure enables no systemd for them (its binaries link no
 * libsystemd), so HAVE_SYSTEMD stays undefined. Forced into every C file with -include. */
#define INCLUDE_ENDIAN_H <endian.h>
