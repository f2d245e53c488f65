#include "pcinames.h"

#include <pci/pci.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>

#include "util.h"

static struct pci_access *pacc;
static int pacc_failed;
static jmp_buf lookup_failed;

/* libpci's error handler must not return (its default exits the process);
 * ours abandons the lookup, which then reports no name. */
__attribute__((noreturn)) static void quiet_error(char *msg, ...)
{
	(void)msg;
	pacc_failed = 1;
	longjmp(lookup_failed, 1);
}

static void quiet_warning(char *msg, ...)
{
	(void)msg;
}

static struct pci_access *access_handle(void)
{
	if (pacc == NULL && !pacc_failed) {
		pacc = pci_alloc();
		if (pacc == NULL) {
			pacc_failed = 1;
			return NULL;
		}
		pacc->error = quiet_error;
		pacc->warning = quiet_warning;
		pacc->debug = quiet_warning;
		/* names from pci.ids only: udev's hwdb differs between machines,
		 * and libpci's use of it leaks a udev handle */
		pci_set_param(pacc, "hwdb.disable", "1");
	}
	return pacc_failed ? NULL : pacc;
}

static char *lookup(int flags, uint16_t vendor, uint16_t device)
{
	struct pci_access *a = access_handle();
	char buf[512];
	char *name;

	if (a == NULL || setjmp(lookup_failed) != 0)
		return NULL;
	name = pci_lookup_name(a, buf, sizeof(buf), flags | PCI_LOOKUP_NO_NUMBERS, vendor, device);
	if (name == NULL || pacc_failed)
		return NULL;
	return xstrdup(name);
}

char *pcinames_vendor(uint16_t vendor)
{
	return lookup(PCI_LOOKUP_VENDOR, vendor, 0);
}

char *pcinames_device(uint16_t vendor, uint16_t device)
{
	return lookup(PCI_LOOKUP_DEVICE, vendor, device);
}

void pcinames_close(void)
{
	if (pacc)
		pci_cleanup(pacc);
	pacc = NULL;
}
