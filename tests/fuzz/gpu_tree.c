#include "gpu_tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/accdb.h"
#include "core/check.h"
#include "probe/facts.h"
#include "core/sysroot.h"
#include "scratch.h"

static char root[64];
static struct accdb db;

static void setup(const char *name, const char *relpath)
{
	char dir[512], err[512];
	const char *slash = strrchr(relpath, '/');

	snprintf(root, sizeof(root), "/tmp/chipaudit-fuzz-%s-%d", name, (int)getpid());
	scratch_mkdirs(root, "sys/devices/pci0000:00/0000:18:00.0");
	scratch_mkdirs(root, "sys/bus/pci/devices");
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - relpath) : 0, relpath);
	scratch_mkdirs(root, dir);
	scratch_link(root, "../../../devices/pci0000:00/0000:18:00.0", "sys/bus/pci/devices/0000:18:00.0");
	scratch_put(root, "sys/devices/pci0000:00/0000:18:00.0/vendor", "0x10de\n", 7);
	scratch_put(root, "sys/devices/pci0000:00/0000:18:00.0/device", "0x2329\n", 7);
	scratch_put(root, "sys/devices/pci0000:00/0000:18:00.0/class", "0x030200\n", 9);
	if (accdb_load(&db, err, sizeof(err)) != 0)
		abort();
}

void gpu_tree_run(const char *name, const char *relpath, const uint8_t *data, size_t size)
{
	char err[1024];
	struct sysroot sr;
	json_t *facts;

	if (root[0] == '\0')
		setup(name, relpath);
	scratch_put(root, relpath, data, size);
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
}
