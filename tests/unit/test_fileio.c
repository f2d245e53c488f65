/* core/fileio.c: hashing files through the sysroot. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/fileio.h"
#include "core/json.h"
#include "parse/kernelinfo.h"
#include "parse/modsig.h"
#include "parse/pcicfg.h"
#include "core/sysroot.h"
#include "checks/trustdb.h"
#include "core/util.h"

static void test_filehash(void **state)
{
	struct sysroot sr;
	char err[256], tmpl[] = "/tmp/chipaudit-hash-XXXXXX";
	struct filehash h;
	int fd;
	(void)state;

	fd = mkstemp(tmpl);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "abc", 3), 3);
	close(fd);
	assert_int_equal(sysroot_open(&sr, "/", err, sizeof(err)), 0);
	assert_int_equal(filehash_sha256(&sr, tmpl, 2, &h, err, sizeof(err)), 0);
	assert_string_equal(h.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(h.size, 3);
	assert_int_equal(h.tail_len, 2);
	assert_memory_equal(h.tail, "bc", 2);
	filehash_free(&h);
	assert_int_equal(filehash_sha256(&sr, "/tmp", 0, &h, err, sizeof(err)), -1);
	assert_string_equal(err, "not a regular file");
	assert_int_equal(filehash_sha256(&sr, "/nonexistent/x", 0, &h, err, sizeof(err)), -1);
	assert_string_equal(err, "No such file or directory");
	sysroot_close(&sr);
	unlink(tmpl);
	assert_string_equal(filehash_compression("a.ko.zst"), "zst");
	assert_string_equal(filehash_compression("a.ko.xz"), "xz");
	assert_null(filehash_compression("a.ko"));
}

/* --- kernel text formats ----------------------------------------------------- */

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filehash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
