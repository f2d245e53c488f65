/* libFuzzer target: the PCI discovery parsers on hostile sysfs content.
 * The input is split on NUL bytes into the contents of vendor, device,
 * class, resource, current_link_speed, numa_node, sriov_totalvfs and the
 * iommu_group link target of one device in a scratch tree, which the real
 * probe then reads through --root. An optional ninth part sets how: its
 * first byte's bit 0 resolves paths without openat2 (as on kernels before
 * 5.6), bits 1 to 7 make the first seven files FIFOs instead; its second
 * byte's bit 0 takes the link target as given (absolute, "..") rather than
 * under ../../../kernel/iommu_groups/. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/accdb.h"
#include "probe/facts.h"
#include "core/sysroot.h"
#include "scratch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const files[] = {
	"vendor", "device", "class", "resource", "current_link_speed", "numa_node", "sriov_totalvfs",
};

static char root[64];
static char devdir[256];
static struct accdb db;

#define DEV "sys/devices/pci0000:00/0000:00:01.0"

static void setup(void)
{
	char err[512];

	snprintf(root, sizeof(root), "/tmp/chipaudit-fuzz-sysfs-%d", (int)getpid());
	snprintf(devdir, sizeof(devdir), "%s/" DEV, root);
	scratch_mkdirs(root, "sys/bus/pci/devices");
	scratch_mkdirs(root, DEV);
	scratch_link(root, "../../../devices/pci0000:00/0000:00:01.0", "sys/bus/pci/devices/0000:00:01.0");
	if (accdb_load(&db, err, sizeof(err)) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	char err[1024], path[512], target[256];
	const uint8_t *target_in, *mode = NULL;
	size_t i, target_len, mode_len = 0;
	struct sysroot sr;
	json_t *facts;

	if (root[0] == '\0')
		setup();
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const uint8_t *nul = memchr(p, 0, (size_t)(end - p));
		size_t n = nul ? (size_t)(nul - p) : (size_t)(end - p);
		snprintf(path, sizeof(path), "%s/%s", devdir, files[i]);
		unlink(path);   /* the last input may have left a FIFO, which fopen would wait on */
		snprintf(path, sizeof(path), DEV "/%s", files[i]);
		scratch_put(root, path, p, n);
		p = nul ? nul + 1 : end;
	}
	target_in = p;
	target_len = (size_t)(end - p);
	{
		const uint8_t *nul = memchr(p, 0, (size_t)(end - p));
		if (nul) {
			target_len = (size_t)(nul - p);
			mode = nul + 1;
			mode_len = (size_t)(end - mode);
		}
	}
	for (i = 0; mode_len > 0 && i < sizeof(files) / sizeof(files[0]); i++)
		if (mode[0] & (2u << i)) {
			snprintf(path, sizeof(path), DEV "/%s", files[i]);
			scratch_fifo(root, path);
		}
	snprintf(path, sizeof(path), "%s/iommu_group", devdir);
	unlink(path);
	if (mode_len > 1 && (mode[1] & 1))
		snprintf(target, sizeof(target), "%.*s", (int)(target_len > 64 ? 64 : target_len), (const char *)target_in);
	else
		snprintf(target, sizeof(target), "../../../kernel/iommu_groups/%.*s", (int)(target_len > 32 ? 32 : target_len),
			 (const char *)target_in);
	if (target[0] != '\0')
		symlink(target, path);
	if (sysroot_open(&sr, root, err, sizeof(err)) != 0)
		abort();
	if (mode_len > 0 && (mode[0] & 1))
		sysroot_without_openat2(&sr);
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
