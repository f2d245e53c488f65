/* libFuzzer target: the backdoor probes (iommu, pcie, kernel, drivers,
 * modules, firmware) on hostile files, then every check on what they
 * gathered. The input is a sequence of fields, each a 2-byte little-endian
 * length and that many bytes (a short input leaves the rest empty): the
 * contents of
 * /proc/modules, /proc/sys/kernel/tainted, /sys/kernel/security/lockdown,
 * the sig_enforce parameter, the SecureBoot EFI variable, /proc/cmdline,
 * modules.dep, the accelerator's config space, its module file, the
 * driver's version file and its IOMMU group's type, in a scratch tree with
 * one NVIDIA accelerator bound to the nvidia driver. The probe must either
 * fail with a message or produce facts that validate; the checks must
 * judge them without crashing. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/accdb.h"
#include "core/check.h"
#include "probe/facts.h"
#include "core/sysroot.h"
#include "scratch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BDF "0000:01:00.0"
#define DEV "/sys/devices/pci0000:00/" BDF

static const char *const fields[] = {
	"/proc/modules", "/proc/sys/kernel/tainted", "/sys/kernel/security/lockdown",
	"/sys/module/module/parameters/sig_enforce",
	"/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c", "/proc/cmdline",
	"/lib/modules/6.8.0/modules.dep", DEV "/config", "/lib/modules/6.8.0/nvidia.ko", "/sys/module/nvidia/version",
	"/sys/kernel/iommu_groups/1/type",
};

static char root[64];
static struct accdb db;

static void setup(void)
{
	char err[512];

	snprintf(root, sizeof(root), "/tmp/chipaudit-fuzz-backdoor-%d", (int)getpid());
	scratch_mkdirs(root, DEV);
	scratch_mkdirs(root, "/sys/bus/pci/devices");
	scratch_mkdirs(root, "/sys/bus/pci/drivers/nvidia");
	scratch_mkdirs(root, "/sys/module/nvidia");
	scratch_mkdirs(root, "/sys/module/module/parameters");
	scratch_mkdirs(root, "/sys/kernel/security");
	scratch_mkdirs(root, "/sys/kernel/iommu_groups/1/devices");
	scratch_mkdirs(root, "/sys/class/iommu/dmar0");
	scratch_mkdirs(root, "/sys/firmware/efi/efivars");
	scratch_mkdirs(root, "/proc/sys/kernel");
	scratch_mkdirs(root, "/lib/modules/6.8.0");
	scratch_mkdirs(root, "/lib/firmware/nvidia/580.95.05");
	scratch_put(root, "/proc/sys/kernel/osrelease", "6.8.0\n", 6);
	scratch_put(root, "/sys/kernel/security/lsm", "lockdown,capability", 19);
	scratch_put(root, DEV "/vendor", "0x10de\n", 7);
	scratch_put(root, DEV "/device", "0x2329\n", 7);
	scratch_put(root, DEV "/class", "0x030200\n", 9);
	scratch_put(root, "/lib/firmware/nvidia/580.95.05/gsp_ga10x.bin", "firmware", 8);
	scratch_link(root, "../../../devices/pci0000:00/" BDF, "/sys/bus/pci/devices/" BDF);
	scratch_link(root, "../../../bus/pci/drivers/nvidia", DEV "/driver");
	scratch_link(root, "../../../kernel/iommu_groups/1", DEV "/iommu_group");
	scratch_link(root, "../../../../devices/pci0000:00/" BDF, "/sys/kernel/iommu_groups/1/devices/" BDF);
	scratch_link(root, "../../../../module/nvidia", "/sys/bus/pci/drivers/nvidia/module");
	if (accdb_load(&db, err, sizeof(err)) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct judge_options opts;
	const uint8_t *p = data, *end = data + size;
	struct findings findings = { 0 };
	struct judge_ctx ctx;
	char err[1024];
	struct sysroot sr;
	json_t *facts;

	if (root[0] == '\0')
		setup();
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		size_t n = 0;
		if (end - p >= 2) {
			n = (size_t)p[0] | (size_t)p[1] << 8;
			p += 2;
		}
		if (n > (size_t)(end - p))
			n = (size_t)(end - p);
		scratch_put(root, fields[i], p, n);
		p += n;
	}
	if (sysroot_open(&sr, root, err, sizeof(err)) != 0)
		abort();
	facts = facts_gather(&sr, &db, NULL, err, sizeof(err));
	if (facts) {
		if (facts_validate(facts, "fuzz", err, sizeof(err)) != 0) {
			fprintf(stderr, "probe produced invalid facts: %s\n", err);
			abort();
		}
		ctx = (struct judge_ctx){ .facts = facts, .accdb = &db, .options = &opts };
		judge_run(&ctx, &findings);
		findings_free(&findings);
	}
	json_decref(facts);
	sysroot_close(&sr);
	return 0;
}
