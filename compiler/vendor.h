/*
 * vendor.h: `rflowc vendor DIR`, a copy of the runtime's sources that a
 * project keeps with its own code (vendor.c).
 */
#ifndef RFLOWC_VENDOR_H
#define RFLOWC_VENDOR_H

/* Copy the runtime into dir, an existing directory (see vendor.c for the layout); the exit
 * status: 0 done, 2 when the sources cannot be found or dir cannot be
 * written (the reason on stderr). */
int vendor_runtime(const char *dir, const char *version);

#endif
