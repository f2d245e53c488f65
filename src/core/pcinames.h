/* Vendor and device names from pci.ids through libpci (local lookups only:
 * libpci's network lookup is never enabled). */
#ifndef CHIPAUDIT_PCINAMES_H
#define CHIPAUDIT_PCINAMES_H

#include <stdint.h>

/* Malloc'd name, or NULL when pci.ids does not know it. */
char *pcinames_vendor(uint16_t vendor);
char *pcinames_device(uint16_t vendor, uint16_t device);
void pcinames_close(void);

#endif
