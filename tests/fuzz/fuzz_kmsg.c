/* libFuzzer target: the kernel log reader and the XID parser. The input is
 * /dev/kmsg in a captured tree (records "PRIORITY,SEQUENCE,USEC,FLAGS;TEXT"),
 * beside one NVIDIA GPU on the PCI bus. Whatever the probe accepts must
 * validate as facts, and every check must judge it without crashing. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/accdb.h"
#include "core/check.h"
#include "core/facts.h"
#include "core/sysroot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root[64];
static struct accdb db;

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

static void put(const char *rel, const char *text)
{
	char path[512];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	if (f == NULL)
		abort();
	fputs(text, f);
	fclose(f);
}

static void setup(void)
{
	char path[512], err[512];

	snprintf(root, sizeof(root), "/tmp/chipaudit-fuzz-kmsg-%d", (int)getpid());
	snprintf(path, sizeof(path), "%s/sys/devices/pci0000:00/0000:18:00.0", root);
	mkdirs(path);
	snprintf(path, sizeof(path), "%s/sys/bus/pci/devices", root);
	mkdirs(path);
	snprintf(path, sizeof(path), "%s/dev", root);
	mkdirs(path);
	snprintf(path, sizeof(path), "%s/sys/bus/pci/devices/0000:18:00.0", root);
	if (symlink("../../../devices/pci0000:00/0000:18:00.0", path) && errno != EEXIST)
		abort();
	put("sys/devices/pci0000:00/0000:18:00.0/vendor", "0x10de\n");
	put("sys/devices/pci0000:00/0000:18:00.0/device", "0x2329\n");
	put("sys/devices/pci0000:00/0000:18:00.0/class", "0x030200\n");
	if (accdb_load(&db, err, sizeof(err)) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024], path[512];
	struct sysroot sr;
	json_t *facts;
	FILE *f;

	if (root[0] == '\0')
		setup();
	snprintf(path, sizeof(path), "%s/dev/kmsg", root);
	f = fopen(path, "w");
	if (f == NULL)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
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
