/* libFuzzer target: the PCI discovery parsers on hostile sysfs content.
 * The input is split on NUL bytes into the contents of vendor, device,
 * class, resource, current_link_speed, numa_node, sriov_totalvfs and the
 * iommu_group link target of one device in a scratch tree, which the real
 * probe then reads through --root. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/accdb.h"
#include "core/facts.h"
#include "core/sysroot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const files[] = {
	"vendor", "device", "class", "resource", "current_link_speed", "numa_node", "sriov_totalvfs",
};

static char root[64];
static char devdir[256];
static struct accdb db;

static void setup(void)
{
	char path[512], err[512];

	snprintf(root, sizeof(root), "/tmp/chipaudit-fuzz-sysfs-%d", (int)getpid());
	snprintf(path, sizeof(path), "%s/sys/bus/pci/devices", root);
	snprintf(devdir, sizeof(devdir), "%s/sys/devices/pci0000:00/0000:00:01.0", root);
	if (mkdir(root, 0755) && errno != EEXIST)
		abort();
	for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/sys/devices", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/sys/devices/pci0000:00", root);
	mkdir(path, 0755);
	mkdir(devdir, 0755);
	snprintf(path, sizeof(path), "%s/sys/bus/pci/devices/0000:00:01.0", root);
	if (symlink("../../../devices/pci0000:00/0000:00:01.0", path) && errno != EEXIST)
		abort();
	if (accdb_load(&db, err, sizeof(err)) != 0)
		abort();
}

static void write_field(const char *name, const uint8_t *p, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", devdir, name);
	f = fopen(path, "w");
	if (f == NULL)
		abort();
	fwrite(p, 1, n, f);
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	char err[1024], path[512], target[256];
	struct sysroot sr;
	json_t *facts;
	size_t i;

	if (root[0] == '\0')
		setup();
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const uint8_t *nul = memchr(p, 0, (size_t)(end - p));
		size_t n = nul ? (size_t)(nul - p) : (size_t)(end - p);
		write_field(files[i], p, n);
		p = nul ? nul + 1 : end;
	}
	snprintf(path, sizeof(path), "%s/iommu_group", devdir);
	unlink(path);
	snprintf(target, sizeof(target), "../../../kernel/iommu_groups/%.*s", (int)((end - p) > 32 ? 32 : (end - p)), (const char *)p);
	if (memchr(target, '\0', strlen(target)) == NULL)
		symlink(target, path);
	if (sysroot_open(&sr, root, err, sizeof(err)) != 0)
		abort();
	facts = facts_gather(&sr, &db, NULL, err, sizeof(err));
	if (facts && facts_validate(facts, "fuzz", err, sizeof(err)) != 0) {
		/* the probe must only ever produce facts that validate */
		fprintf(stderr, "probe produced invalid facts: %s\n", err);
		abort();
	}
	json_decref(facts);
	sysroot_close(&sr);
	return 0;
}
