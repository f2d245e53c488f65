/* probe/pkgdb.c merged-/usr folding, probe/procdata.c data tables, sysroot_list_links. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "checks/spyware_policy.h"
#include "core/json.h"
#include "core/sysroot.h"
#include "core/util.h"
#include "parse/rpmheader.h"
#include "probe/pkgdb.h"
#include "probe/procs.h"
#include "probe/sockets.h"

static void test_fold_usr(void **state)
{
	char *p;
	(void)state;
	p = pkgdb_fold_usr("/bin/bash", 9);
	assert_string_equal(p, "/usr/bin/bash");
	free(p);
	p = pkgdb_fold_usr("/lib64/ld-linux-x86-64.so.2", 27);
	assert_string_equal(p, "/usr/lib64/ld-linux-x86-64.so.2");
	free(p);
	p = pkgdb_fold_usr("/usr/bin/python3.11", 19);
	assert_string_equal(p, "/usr/bin/python3.11");
	free(p);
	p = pkgdb_fold_usr("/binary", 7);
	assert_string_equal(p, "/binary");
	free(p);
}

static void test_data_tables(void **state)
{
	static const char *const extra[] = { "/tmp/fake-accel*" };
	struct spy_data d;
	char err[512];
	(void)state;

	assert_int_equal(spy_data_load(&d, extra, 1, err, sizeof(err)), 0);
	assert_true(spy_data_is_device(&d, "/dev/nvidia0"));
	assert_true(spy_data_is_device(&d, "/dev/nvidiactl"));
	assert_true(spy_data_is_device(&d, "/dev/nvidia-caps/nvidia-cap21"));
	assert_true(spy_data_is_device(&d, "/dev/dri/renderD128"));
	assert_true(spy_data_is_device(&d, "/dev/davinci_manager"));
	assert_true(spy_data_is_device(&d, "/dev/accel/accel0"));
	assert_true(spy_data_is_device(&d, "/tmp/fake-accel0"));
	assert_false(spy_data_is_device(&d, "/dev/dri/card0"));
	assert_false(spy_data_is_device(&d, "/dev/null"));
	assert_false(spy_data_is_device(&d, "socket:[123]"));
	assert_false(spy_data_is_device(&d, "/dev/nvidia-caps/x/y"));   /* '*' does not cross '/' */
	assert_string_equal(spy_data_daemon(&d, "nv-hostengine")->name, "nv-hostengine");
	assert_string_equal(spy_data_daemon(&d, "nvidia-persiste")->name, "nvidia-persistenced");
	assert_null(spy_data_daemon(&d, "nvidia-persistenced"));   /* comm is at most 15 bytes */
	spy_data_free(&d);
}

static void expect_data_error(const char *nodes, const char *daemons, const char *want)
{
	char err[512] = "";
	json_t *n = json_loads(nodes, 0, NULL), *dm = json_loads(daemons, 0, NULL);
	struct spy_data d;

	assert_non_null(n);
	assert_non_null(dm);
	assert_int_equal(spy_data_from_json(&d, n, dm, NULL, 0, err, sizeof(err)), -1);
	if (strcmp(err, want) != 0)
		fail_msg("got \"%s\", wanted \"%s\"", err, want);
	json_decref(n);
	json_decref(dm);
}

static void test_data_errors(void **state)
{
	static const char good_daemons[] = "{\"schema\": \"chipaudit-daemons/1\", \"updated\": \"x\", \"sources\": {}, \"daemons\": []}";
	static const char good_nodes[] = "{\"schema\": \"chipaudit-device-nodes/1\", \"updated\": \"x\", \"sources\": {\"S\": {\"title\": \"t\", \"url\": null}}, \"vendors\": []}";
	(void)state;

	expect_data_error("{\"schema\": \"chipaudit-device-nodes/2\", \"updated\": \"x\", \"sources\": {}, \"vendors\": []}", good_daemons,
			  "data/device-nodes.json.schema: \"chipaudit-device-nodes/2\" is not chipaudit-device-nodes/1");
	expect_data_error("{\"schema\": \"chipaudit-device-nodes/1\", \"updated\": \"x\", \"sources\": {\"S\": {\"title\": \"t\", \"url\": null}},"
			  " \"vendors\": [{\"vendor\": \"V\", \"patterns\": [\"/dev/x\"], \"source\": []}]}", good_daemons,
			  "data/device-nodes.json.vendors[0].source: empty: every entry names its source");
	expect_data_error("{\"schema\": \"chipaudit-device-nodes/1\", \"updated\": \"x\", \"sources\": {}, \"vendors\": [], \"extra\": 1}", good_daemons,
			  "data/device-nodes.json.extra: unknown member");
	expect_data_error(good_nodes, "{\"schema\": \"chipaudit-daemons/1\", \"updated\": \"x\", \"sources\": {\"S\": {\"title\": \"t\", \"url\": null}},"
			  " \"daemons\": [{\"name\": \"d\", \"vendor\": \"v\", \"role\": \"r\", \"process_names\": [\"a-very-long-process-name\"],"
			  " \"default_listen\": [], \"source\": [\"S\"]}]}",
			  "data/daemons.json.daemons[0].process_names[0]: string longer than 15 bytes");
	expect_data_error(good_nodes, "{\"schema\": \"chipaudit-daemons/1\", \"updated\": \"x\", \"sources\": {\"S\": {\"title\": \"t\", \"url\": null}},"
			  " \"daemons\": [{\"name\": \"d\", \"vendor\": \"v\", \"role\": \"r\", \"process_names\": [\"d\"],"
			  " \"default_listen\": [{\"protocol\": \"tcp\", \"port\": 70000, \"address\": null}], \"source\": [\"S\"]}]}",
			  "data/daemons.json.daemons[0].default_listen[0].port: 70000 out of range [1, 65535]");
}

static void test_list_links(void **state)
{
	char dir[] = "/tmp/chipaudit-links-XXXXXX", path[256], err[256];
	struct sysroot sr;
	struct sysroot_link *links;
	size_t n, found = 0;
	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/proc/7/fd", dir);
	{
		char cmd[1400];
		snprintf(cmd, sizeof(cmd), "mkdir -p '%s' && ln -s '/dev/nvidia0' '%s/3' && ln -s 'socket:[99]' '%s/4' && touch '%s/5'",
			 path, path, path, path);
		assert_int_equal(system(cmd), 0);
	}
	assert_int_equal(sysroot_open(&sr, dir, err, sizeof(err)), 0);
	sr.recorder = recorder_new();
	assert_int_equal(sysroot_list_links(&sr, "/proc/7/fd", &links, &n), 0);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(links[i].name, "3") == 0 && strcmp(links[i].target, "/dev/nvidia0") == 0)
			found++;
		if (strcmp(links[i].name, "4") == 0 && strcmp(links[i].target, "socket:[99]") == 0)
			found++;
		if (strcmp(links[i].name, "5") == 0 && links[i].target == NULL)
			found++;
	}
	assert_int_equal(found, 3);
	/* the links and the directory are recorded for a snapshot */
	assert_int_equal(recorder_count(sr.recorder), 3);
	sysroot_free_links(links, n);
	assert_int_equal(sysroot_list_links(&sr, "/proc/8/fd", &links, &n), -1);
	recorder_free(sr.recorder);
	sysroot_close(&sr);
	{
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		assert_int_equal(system(cmd), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold_usr),
		cmocka_unit_test(test_data_tables),
		cmocka_unit_test(test_data_errors),
		cmocka_unit_test(test_list_links),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
