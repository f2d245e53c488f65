/* What the probe knows of each accelerator driver stack: the kernel modules
 * that make it up, where it states its version, and the firmware it loads.
 * A driver not listed here is still examined through what the kernel says
 * (the bound driver's module and the modules that use it). */
#ifndef CHIPAUDIT_PROBE_DRIVERS_H
#define CHIPAUDIT_PROBE_DRIVERS_H

#include <stdint.h>

struct driver_info {
	const char *name;                 /* the PCI driver name in sysfs */
	uint16_t vendor_ids[4];           /* 0-terminated */
	const char *modules[8];           /* NULL-terminated */
	const char *version_files[3];     /* first readable one wins */
	const char *firmware_dirs[4];     /* "{version}" is replaced by the driver version */
};

const struct driver_info *driver_info_by_name(const char *name);
const struct driver_info *driver_info_by_vendor(uint16_t vendor);

/* A driver version that may be put into a path: digits and dots, as
 * driver_version_parse accepts. */
int driver_version_safe(const char *version);

/* When snapshotting: record every symbolic link among PATH's leading
 * components (merged-/usr systems have /lib -> usr/lib), since the
 * sysroot records files under their canonical paths. */
struct probe_ctx;
void probe_record_path_links(struct probe_ctx *ctx, const char *path);

#endif
