#include "gpu_tree.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/accdb.h"
#include "core/check.h"
#include "core/facts.h"
#include "core/sysroot.h"

static char root[64];
static struct accdb db;

/* mkdir -p of the directory holding PATH's last component too */
static void mkdirs(const char *path)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(buf, 0755);
		*p = '/';
	}
	mkdir(buf, 0755);
}

static void put(const char *rel, const void *data, size_t size)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	if (f == NULL)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
}

static void setup(const char *name, const char *relpath)
{
	char path[512], err[512];
	const char *slash = strrchr(relpath, '/');

	snprintf(root, sizeof(root), "/tmp/chipaudit-fuzz-%s-%d", name, (int)getpid());
	snprintf(path, sizeof(path), "%s/sys/devices/pci0000:00/0000:18:00.0", root);
	mkdirs(path);
	snprintf(path, sizeof(path), "%s/sys/bus/pci/devices", root);
	mkdirs(path);
	snprintf(path, sizeof(path), "%s/%.*s", root, slash ? (int)(slash - relpath) : 0, relpath);
	mkdirs(path);
	snprintf(path, sizeof(path), "%s/sys/bus/pci/devices/0000:18:00.0", root);
	if (symlink("../../../devices/pci0000:00/0000:18:00.0", path) && errno != EEXIST)
		abort();
	put("sys/devices/pci0000:00/0000:18:00.0/vendor", "0x10de\n", 7);
	put("sys/devices/pci0000:00/0000:18:00.0/device", "0x2329\n", 7);
	put("sys/devices/pci0000:00/0000:18:00.0/class", "0x030200\n", 9);
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
	put(relpath, data, size);
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
