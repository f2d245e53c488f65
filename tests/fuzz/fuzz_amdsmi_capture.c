/* libFuzzer target: the AMD SMI capture a snapshot stores
 * (var/lib/chipaudit-capture/amdsmi.json), read back under --root as hostile
 * input. The input is the file; the tree around it holds one AMD Instinct
 * MI300X on the PCI bus at 0000:41:00.0 for the capture to join. Whatever
 * the probe accepts must validate as facts, and every check must judge it
 * without crashing. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/accdb.h"
#include "core/check.h"
#include "core/sysroot.h"
#include "probe/facts.h"
#include "scratch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAPTURE "var/lib/chipaudit-capture/amdsmi.json"
#define DEV "sys/devices/pci0000:40/0000:41:00.0"

static char root[64];
static struct accdb db;

static void setup(void)
{
	char err[512];

	snprintf(root, sizeof(root), "/tmp/chipaudit-fuzz-amdsmi-%d", (int)getpid());
	scratch_mkdirs(root, DEV);
	scratch_mkdirs(root, "sys/bus/pci/devices");
	scratch_mkdirs(root, "var/lib/chipaudit-capture");
	scratch_link(root, "../../../devices/pci0000:40/0000:41:00.0", "sys/bus/pci/devices/0000:41:00.0");
	scratch_put(root, DEV "/vendor", "0x1002\n", 7);
	scratch_put(root, DEV "/device", "0x74a1\n", 7);
	scratch_put(root, DEV "/subsystem_vendor", "0x1002\n", 7);
	scratch_put(root, DEV "/subsystem_device", "0x74a1\n", 7);
	scratch_put(root, DEV "/class", "0x120000\n", 9);
	if (accdb_load(&db, err, sizeof(err)) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024];
	struct sysroot sr;
	json_t *facts;

	if (root[0] == '\0')
		setup();
	scratch_put(root, CAPTURE, data, size);
	if (sysroot_open(&sr, root, err, sizeof(err)) != 0)
		abort();
	facts = facts_gather(&sr, &db, NULL, err, sizeof(err));
	sysroot_close(&sr);
	if (facts) {
		struct judge_options opts = { 0 };
		struct judge_ctx ctx = { .facts = facts, .accdb = &db, .options = &opts };
		struct findings found = { 0 };
		if (facts_validate(facts, "fuzz", err, sizeof(err)) != 0) {
			fprintf(stderr, "probe produced invalid facts: %s\n", err);
			abort();
		}
		judge_run(&ctx, &found);
		findings_free(&found);
	}
	json_decref(facts);
	return 0;
}
