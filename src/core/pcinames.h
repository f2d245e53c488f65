/* Vendor and device names from pci.ids (the pciutils database), read by us:
 * libpci parsed all of its 36,000 lines into a hash table at the first
 * lookup, a quarter of an eight-GPU audit, for two names per GPU. Local
 * file only; udev's hwdb is not consulted (it differs between machines). */
#ifndef CHIPAUDIT_PCINAMES_H
#define CHIPAUDIT_PCINAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Malloc'd name, or NULL when pci.ids does not know it (or there is none). */
char *pcinames_vendor(uint16_t vendor);
char *pcinames_device(uint16_t vendor, uint16_t device);
void pcinames_close(void);

/* The name of VENDOR (DEVICE_TOO false) or of its DEVICE in pci.ids text
 * DATA of LEN bytes, not NUL-terminated; NULL when absent. Lines that do not
 * have the format are skipped. Malloc'd. */
char *pciids_lookup(const char *data, size_t len, uint16_t vendor, bool device_too, uint16_t device);

#endif
