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

static const struct gpu_tree_device h20 = {
	.root_bus = "pci0000:00", .address = "0000:18:00.0", .vendor = "0x10de\n", .device = "0x2329\n",
	.class = "0x030200\n",
};

static void put_id(const char *dir, const char *name, const char *value)
{
	char path[512];

	if (!value)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	scratch_put(root, path, value, strlen(value));
}

static void setup(const struct gpu_tree_device *dev, const char *name, const char *relpath)
{
	char dir[512], devdir[256], link_at[256], link_to[256], err[512];
	const char *slash = strrchr(relpath, '/');

	snprintf(root, sizeof(root), "/tmp/chipaudit-fuzz-%s-%d", name, (int)getpid());
	snprintf(devdir, sizeof(devdir), "sys/devices/%s/%s", dev->root_bus, dev->address);
	snprintf(link_at, sizeof(link_at), "sys/bus/pci/devices/%s", dev->address);
	snprintf(link_to, sizeof(link_to), "../../../devices/%s/%s", dev->root_bus, dev->address);
	scratch_mkdirs(root, devdir);
	scratch_mkdirs(root, "sys/bus/pci/devices");
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - relpath) : 0, relpath);
	scratch_mkdirs(root, dir);
	scratch_link(root, link_to, link_at);
	put_id(devdir, "vendor", dev->vendor);
	put_id(devdir, "device", dev->device);
	put_id(devdir, "subsystem_vendor", dev->subsystem_vendor);
	put_id(devdir, "subsystem_device", dev->subsystem_device);
	put_id(devdir, "class", dev->class);
	if (accdb_load(&db, err, sizeof(err)) != 0)
		abort();
}

void gpu_tree_run(const char *name, const char *relpath, const uint8_t *data, size_t size)
{
	gpu_tree_run_with(&h20, name, relpath, data, size);
}

void gpu_tree_run_with(const struct gpu_tree_device *dev, const char *name, const char *relpath, const uint8_t *data,
		       size_t size)
{
	char err[1024];
	struct sysroot sr;
	json_t *facts;

	if (root[0] == '\0')
		setup(dev, name, relpath);
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
