#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
