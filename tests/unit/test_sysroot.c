#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/sysroot.h"
#include "core/util.h"

#define H20 FIXTURES "/h20x8/root"

static void test_normalise(void **state)
{
	char *p;
	(void)state;
	p = path_normalise("/sys/bus/pci/devices/../../../devices/pci0000:15");
	assert_string_equal(p, "/sys/devices/pci0000:15");
	free(p);
	p = path_normalise("/../../etc//./passwd/");
	assert_string_equal(p, "/etc/passwd");
	free(p);
	p = path_normalise("/");
	assert_string_equal(p, "/");
	free(p);
}

static void test_read_through_links(void **state)
{
	struct sysroot sr;
	char err[256], *line, *target;
	(void)state;
	assert_int_equal(sysroot_open(&sr, H20, err, sizeof(err)), 0);
	assert_int_equal(sysroot_read_line(&sr, "/sys/bus/pci/devices/0000:18:00.0/vendor", &line), 0);
	assert_string_equal(line, "0x10de");
	free(line);
	assert_int_equal(sysroot_link_basename(&sr, "/sys/bus/pci/devices/0000:18:00.0/driver", &target), 0);
	assert_string_equal(target, "nvidia");
	free(target);
	assert_int_equal(sysroot_resolve_link(&sr, "/sys/bus/pci/devices/0000:18:00.0", &target), 0);
	assert_string_equal(target, "/sys/devices/pci0000:15/0000:15:01.0/0000:16:00.0/0000:17:00.0/0000:18:00.0");
	free(target);
	sysroot_close(&sr);
}

static void test_list_sorted(void **state)
{
	struct sysroot sr;
	char err[256], **names;
	size_t n;
	(void)state;
	assert_int_equal(sysroot_open(&sr, H20, err, sizeof(err)), 0);
	assert_int_equal(sysroot_list_dir(&sr, "/sys/bus/pci/devices", &names, &n), 0);
	assert_true(n > 8);
	for (size_t i = 1; i < n; i++)
		assert_true(strcmp(names[i - 1], names[i]) < 0);
	sysroot_free_names(names);
	assert_int_equal(sysroot_list_dir(&sr, "/nonexistent", &names, &n), -1);
	sysroot_close(&sr);
}

static void test_size_limit(void **state)
{
	char dir[] = "/tmp/chipaudit-sysroot-XXXXXX", path[256], err[256], *data;
	struct sysroot sr;
	FILE *f;
	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/big", dir);
	f = fopen(path, "w");
	for (int i = 0; i < 10000; i++)
		fputs("0123456789", f);
	fclose(f);
	assert_int_equal(sysroot_open(&sr, dir, err, sizeof(err)), 0);
	assert_int_equal(sysroot_read_file_max(&sr, "/big", 1000, &data, NULL), -1);
	assert_int_equal(sysroot_read_file_max(&sr, "/big", 99999, &data, NULL), -1);
	assert_int_equal(sysroot_read_file_max(&sr, "/big", 10, &data, NULL), -1);
	assert_int_equal(sysroot_read_file_max(&sr, "/big", 100000, &data, NULL), 0);
	free(data);
	assert_int_equal(sysroot_read_file(&sr, "/big", &data, NULL), -1);
	assert_int_equal(sysroot_read_file_max(&sr, "/big", 200000, &data, NULL), 0);
	assert_int_equal(strlen(data), 100000);
	free(data);
	sysroot_close(&sr);
	unlink(path);
	rmdir(dir);
}

static void test_escape_blocked(void **state)
{
	char dir[] = "/tmp/chipaudit-sysroot-XXXXXX", link[256], err[256], *data;
	struct sysroot sr;
	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(link, sizeof(link), "%s/escape", dir);
	assert_int_equal(symlink("/etc/hostname", link), 0);
	assert_int_equal(sysroot_open(&sr, dir, err, sizeof(err)), 0);
	/* resolves to DIR/etc/hostname, which does not exist */
	assert_int_equal(sysroot_read_file(&sr, "/escape", &data, NULL), -1);
	assert_int_equal(sysroot_read_file(&sr, "/../../../../etc/hostname", &data, NULL), -1);
	sysroot_close(&sr);
	unlink(link);
	rmdir(dir);
}

static void test_recorder(void **state)
{
	struct sysroot sr;
	char err[256], *line;
	const struct recorded *r;
	(void)state;
	assert_int_equal(sysroot_open(&sr, H20, err, sizeof(err)), 0);
	sr.recorder = recorder_new();
	assert_int_equal(sysroot_read_line(&sr, "/sys/bus/pci/devices/0000:18:00.0/vendor", &line), 0);
	free(line);
	/* recorded under its canonical path, with the bytes read */
	assert_int_equal(recorder_count(sr.recorder), 1);
	r = recorder_get(sr.recorder, 0);
	assert_int_equal(r->kind, RECORDED_FILE);
	assert_string_equal(r->path, "/sys/devices/pci0000:15/0000:15:01.0/0000:16:00.0/0000:17:00.0/0000:18:00.0/vendor");
	assert_string_equal(r->data, "0x10de\n");
	recorder_free(sr.recorder);
	sysroot_close(&sr);
}

static void test_recorder_dedupe(void **state)
{
	struct recorder *rec = recorder_new();
	char path[64];
	(void)state;
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < 5000; i++) {
			snprintf(path, sizeof(path), "/proc/%d/cmdline", i);
			recorder_add_file(rec, path, "x", 1);
		}
	/* "//proc/./7/cmdline" is the same path */
	recorder_add_file(rec, "//proc/./7/cmdline", "y", 1);
	assert_int_equal(recorder_count(rec), 5000);
	assert_string_equal(recorder_get(rec, 7)->path, "/proc/7/cmdline");
	assert_string_equal(recorder_get(rec, 7)->data, "x");
	recorder_free(rec);
}

static void test_open_errors(void **state)
{
	struct sysroot sr;
	char err[256];
	(void)state;
	assert_int_equal(sysroot_open(&sr, "/nonexistent-root", err, sizeof(err)), -1);
	assert_string_equal(err, "/nonexistent-root: No such file or directory");
	sysroot_close(&sr);
}


/* A scratch tree under /tmp, removed by rm -rf at the end. */
static void make_dirs(const char *root, const char *rel)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	mkdir(path, 0755);
}

static void put(const char *root, const char *rel, const char *text)
{
	char path[512];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void link_to(const char *root, const char *target, const char *rel)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(symlink(target, path), 0);
}

static void remove_tree(const char *dir)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* What reading PATH gives: its first line, or "errno NAME". */
static char *outcome(const struct sysroot *sr, const char *path)
{
	char *line;
	if (sysroot_read_line(sr, path, &line) == 0)
		return line;
	return xasprintf("errno %d", errno);
}

/* Without openat2 (kernels before 5.6, seccomp answering ENOSYS) the walk
 * one component at a time must give exactly what RESOLVE_IN_ROOT gives:
 * absolute links and ".." stay in the root, loops end in ELOOP. */
static void test_fallback_contained(void **state)
{
	static const struct { const char *path, *want; } cases[] = {
		{ "/etc/hostname", "inside" },
		{ "/abs", "inside" },                   /* -> /etc/hostname */
		{ "/dotdot", "inside" },                /* -> ../../../../etc/hostname */
		{ "/../../etc/hostname", "inside" },
		{ "/a/b/up/hostname", "inside" },       /* up -> ../../../../../etc */
		{ "/rootlink/../etc/hostname", "inside" }, /* rootlink -> / */
		{ "/sub/rel", "inside" },               /* -> ../etc/hostname */
		{ "/ab/../marker", "in a" },            /* ".." of a link's target: a/b/.. is a */
		{ "/chain0", "inside" },                /* 39 links, then the file */
		{ "/loop1", "errno 40" },               /* loop1 -> loop2 -> loop1: ELOOP */
		{ "/self", "errno 40" },
		{ "/toolong0", "errno 40" },            /* 41 links */
		{ "/etc/hostname/x", "errno 20" },      /* ENOTDIR */
		{ "/missing", "errno 2" },
		{ "/dangling", "errno 2" },             /* -> /nowhere */
		{ "/empty/../etc/hostname", "inside" },
	};
	char dir[] = "/tmp/chipaudit-walk-XXXXXX", err[256], name[32], target[32];
	struct sysroot with, without;
	(void)state;

	assert_non_null(mkdtemp(dir));
	make_dirs(dir, "etc");
	make_dirs(dir, "a/b");
	make_dirs(dir, "sub");
	make_dirs(dir, "empty");
	put(dir, "etc/hostname", "inside\n");
	put(dir, "a/marker", "in a\n");
	link_to(dir, "/etc/hostname", "abs");
	link_to(dir, "../../../../etc/hostname", "dotdot");
	link_to(dir, "../../../../../etc", "a/b/up");
	link_to(dir, "/", "rootlink");
	link_to(dir, "../etc/hostname", "sub/rel");
	link_to(dir, "a/b", "ab");
	link_to(dir, "loop2", "loop1");
	link_to(dir, "loop1", "loop2");
	link_to(dir, "self", "self");
	link_to(dir, "/nowhere", "dangling");
	for (int i = 0; i < 39; i++) {
		snprintf(name, sizeof(name), "chain%d", i);
		snprintf(target, sizeof(target), i == 38 ? "/etc/hostname" : "/chain%d", i + 1);
		link_to(dir, target, name);
	}
	for (int i = 0; i < 41; i++) {
		snprintf(name, sizeof(name), "toolong%d", i);
		snprintf(target, sizeof(target), i == 40 ? "etc/hostname" : "toolong%d", i + 1);
		link_to(dir, target, name);
	}
	assert_int_equal(sysroot_open(&with, dir, err, sizeof(err)), 0);
	assert_int_equal(sysroot_open(&without, dir, err, sizeof(err)), 0);
	sysroot_without_openat2(&without);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *a = outcome(&with, cases[i].path), *b = outcome(&without, cases[i].path);
		if (strcmp(a, cases[i].want) != 0 || strcmp(b, cases[i].want) != 0)
			fail_msg("%s: openat2 gave \"%s\", the walk \"%s\", expected \"%s\"", cases[i].path, a, b,
				 cases[i].want);
		free(a);
		free(b);
	}
	/* listing and links go through the same resolution */
	{
		char **names, *resolved;
		size_t n;
		assert_int_equal(sysroot_list_dir(&without, "/rootlink/a/b/up/..", &names, &n), 0);
		assert_true(n > 5);   /* the tree's root, not the auditor's */
		sysroot_free_names(names);
		assert_int_equal(sysroot_list_dir(&without, "/a/b/up", &names, &n), 0);
		assert_int_equal(n, 1);
		assert_string_equal(names[0], "hostname");
		sysroot_free_names(names);
		assert_int_equal(sysroot_resolve_link(&without, "/a/b/up/../abs", &resolved), 0);
		assert_string_equal(resolved, "/etc/hostname");
		free(resolved);
		assert_true(sysroot_is_dir(&without, "/rootlink"));
		assert_false(sysroot_exists(&without, "/dangling"));
	}
	sysroot_close(&with);
	sysroot_close(&without);
	remove_tree(dir);
}

/* A captured tree's device nodes, FIFOs and sockets are never opened: the
 * read is refused with the reason, and listed among the refusals. */
static void test_refuse_special_files(void **state)
{
	char dir[] = "/tmp/chipaudit-nodes-XXXXXX", err[256], path[512], *data;
	const char *reason;
	struct sysroot sr;
	bool nodes;
	(void)state;

	assert_non_null(mkdtemp(dir));
	make_dirs(dir, "proc");
	snprintf(path, sizeof(path), "%s/proc/fifo", dir);
	assert_int_equal(mkfifo(path, 0644), 0);
	snprintf(path, sizeof(path), "%s/proc/cmdline", dir);
	nodes = mknod(path, S_IFBLK | 0644, makedev(7, 0)) == 0;
	if (nodes) {
		snprintf(path, sizeof(path), "%s/proc/null", dir);
		assert_int_equal(mknod(path, S_IFCHR | 0644, makedev(1, 3)), 0);
	}
	link_to(dir, "/proc/fifo", "via-link");
	for (int walk = 0; walk < 2; walk++) {
		assert_int_equal(sysroot_open(&sr, dir, err, sizeof(err)), 0);
		if (walk)
			sysroot_without_openat2(&sr);
		assert_int_equal(sysroot_read_file(&sr, "/via-link", &data, NULL), -1);
		assert_int_equal(errno, SYSROOT_EREFUSED);
		assert_string_equal(sysroot_strerror(&sr, errno), "not a regular file (FIFO)");
		assert_int_equal(sysroot_open_file(&sr, "/proc/fifo"), -1);
		assert_int_equal(sysroot_open_device(&sr, "/proc/fifo"), -1);
		/* looking is not opening */
		assert_true(sysroot_exists(&sr, "/proc/fifo"));
		if (nodes) {
			assert_int_equal(sysroot_read_file(&sr, "/proc/cmdline", &data, NULL), -1);
			assert_string_equal(sysroot_strerror(&sr, errno), "not a regular file (block device 7:0)");
			/* in a captured tree even sysroot_open_device wants a regular file */
			assert_int_equal(sysroot_open_device(&sr, "/proc/null"), -1);
			assert_string_equal(sysroot_strerror(&sr, errno), "not a regular file (character device 1:3)");
		}
		assert_int_equal(sysroot_refusal_count(&sr), nodes ? 4 : 2);   /* each path once */
		assert_string_equal(sysroot_refusal(&sr, 0, &reason), "/via-link");
		assert_string_equal(reason, "not a regular file (FIFO)");
		/* a later plain error is not mistaken for the refusal */
		assert_int_equal(sysroot_read_file(&sr, "/missing", &data, NULL), -1);
		assert_string_equal(sysroot_strerror(&sr, errno), "No such file or directory");
		sysroot_close(&sr);
	}
	remove_tree(dir);
	/* the live machine: a device only where a probe means to read one */
	assert_int_equal(sysroot_open(&sr, "/", err, sizeof(err)), 0);
	assert_int_equal(sysroot_open_file(&sr, "/dev/null"), -1);
	assert_string_equal(sysroot_strerror(&sr, errno), "not a regular file (character device 1:3)");
	{
		int fd = sysroot_open_device(&sr, "/dev/null");
		assert_true(fd >= 0);
		close(fd);
	}
	sysroot_close(&sr);
	if (!nodes)
		skip();   /* mknod not permitted here: the FIFO cases ran, the device cases did not */
}

/* Sizes are told before reading: a sparse 1 GiB file costs nothing; the
 * budget of a captured tree counts every byte read. */
static void test_size_and_budget(void **state)
{
	char dir[] = "/tmp/chipaudit-budget-XXXXXX", err[256], path[512], *data;
	struct sysroot sr;
	int fd;
	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sparse", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)1 << 30), 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/small", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0644);
	assert_int_equal(ftruncate(fd, 60000), 0);
	close(fd);
	assert_int_equal(sysroot_open(&sr, dir, err, sizeof(err)), 0);
	assert_int_equal(sysroot_read_file_max(&sr, "/sparse", SYSROOT_TABLE_MAX, &data, NULL), -1);
	assert_int_equal(errno, EFBIG);
	assert_string_equal(sysroot_strerror(&sr, errno), "1073741824 bytes, more than the 64 MiB limit for this file");
	sysroot_set_budget(&sr, 100000);
	assert_int_equal(sysroot_read_file_max(&sr, "/small", 65536, &data, NULL), 0);
	free(data);
	assert_int_equal(sysroot_read_file_max(&sr, "/small", 65536, &data, NULL), -1);
	assert_int_equal(errno, EDQUOT);
	assert_string_equal(sysroot_strerror(&sr, errno),
			    "60000 bytes, more than is left of the 100000 bytes read budget of one captured tree");
	assert_int_equal(sysroot_refusal_count(&sr), 2);
	sysroot_close(&sr);
	remove_tree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalise),
		cmocka_unit_test(test_read_through_links),
		cmocka_unit_test(test_list_sorted),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_escape_blocked),
		cmocka_unit_test(test_recorder),
		cmocka_unit_test(test_recorder_dedupe),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_fallback_contained),
		cmocka_unit_test(test_refuse_special_files),
		cmocka_unit_test(test_size_and_budget),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
