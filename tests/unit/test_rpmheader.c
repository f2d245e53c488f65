/* parse/rpmheader.c: RPM package headers. */
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

static size_t rpm_blob(uint8_t *out, const uint32_t *dirindex, size_t nfiles, const char *name,
		       const char *bases, size_t baselen, const char *dirs, size_t dirlen, uint32_t ndirs)
{
	uint8_t data[512];
	size_t dl = 0, n;
	uint32_t entries[4][4];

#define BE(x) (uint32_t)htonl((uint32_t)(x))
	entries[0][0] = BE(1116); entries[0][1] = BE(4); entries[0][2] = BE(dl); entries[0][3] = BE(nfiles);
	for (size_t i = 0; i < nfiles; i++) {
		uint32_t v = BE(dirindex[i]);
		memcpy(data + dl, &v, 4);
		dl += 4;
	}
	entries[1][0] = BE(1000); entries[1][1] = BE(6); entries[1][2] = BE(dl); entries[1][3] = BE(1);
	memcpy(data + dl, name, strlen(name) + 1);
	dl += strlen(name) + 1;
	entries[2][0] = BE(1117); entries[2][1] = BE(8); entries[2][2] = BE(dl); entries[2][3] = BE(nfiles);
	memcpy(data + dl, bases, baselen);
	dl += baselen;
	entries[3][0] = BE(1118); entries[3][1] = BE(8); entries[3][2] = BE(dl); entries[3][3] = BE(ndirs);
	memcpy(data + dl, dirs, dirlen);
	dl += dirlen;
	n = 0;
	{
		uint32_t il = BE(4), dlen = BE(dl);
		memcpy(out, &il, 4);
		memcpy(out + 4, &dlen, 4);
		n = 8;
	}
	memcpy(out + n, entries, sizeof(entries));
	n += sizeof(entries);
	memcpy(out + n, data, dl);
#undef BE
	return n + dl;
}

struct collected {
	char files[8][128];
	size_t n;
};

static int collect(void *arg, const char *package, const char *dir, const char *base)
{
	struct collected *c = arg;
	if (c->n < 8)
		snprintf(c->files[c->n++], 128, "%s %s%s", package, dir, base);
	return 0;
}

static void test_rpm_header(void **state)
{
	static const uint32_t idx[] = { 0, 1, 0 };
	static const char bases[] = "nv-hostengine\0libdcgm.so.4\0dcgmi";
	static const char dirs[] = "/usr/bin/\0/usr/lib64/";
	uint8_t blob[1024];
	struct collected c = { .n = 0 };
	char err[256];
	size_t n = rpm_blob(blob, idx, 3, "datacenter-gpu-manager-4-core", bases, sizeof(bases), dirs, sizeof(dirs), 2);
	(void)state;

	assert_int_equal(rpm_header_files(blob, n, collect, &c, err, sizeof(err)), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.files[0], "datacenter-gpu-manager-4-core /usr/bin/nv-hostengine");
	assert_string_equal(c.files[1], "datacenter-gpu-manager-4-core /usr/lib64/libdcgm.so.4");
	assert_string_equal(c.files[2], "datacenter-gpu-manager-4-core /usr/bin/dcgmi");
	/* truncated, a directory index past the list, a string running off the end */
	assert_int_equal(rpm_header_files(blob, n - 1, collect, &c, err, sizeof(err)), -1);
	{
		char want[128];
		snprintf(want, sizeof(want), "header claims 4 index entries and %zu data bytes in a %zu-byte blob", n - 72, n - 1);
		assert_string_equal(err, want);
	}
	{
		static const uint32_t bad[] = { 0, 5, 0 };
		size_t m = rpm_blob(blob, bad, 3, "evil", bases, sizeof(bases), dirs, sizeof(dirs), 2);
		assert_int_equal(rpm_header_files(blob, m, collect, &c, err, sizeof(err)), -1);
		assert_string_equal(err, "package evil: file 1 names directory 5 of 2");
	}
	{
		size_t m = rpm_blob(blob, idx, 3, "evil", bases, sizeof(bases), "/usr/bin/", 9, 1);
		assert_int_equal(rpm_header_files(blob, m, collect, &c, err, sizeof(err)), -1);
		assert_string_equal(err, "dirnames: string 0 runs past the data store");
	}
	assert_int_equal(rpm_header_files(blob, 4, collect, &c, err, sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rpm_header),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
