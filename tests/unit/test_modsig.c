/* parse/modsig.c: module signature trailers and their PKCS#7. */
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

static void test_modsig_absent_and_broken(void **state)
{
	unsigned char buf[256];
	struct modsig sig;
	(void)state;

	memset(buf, 'x', sizeof(buf));
	modsig_parse(buf, sizeof(buf), &sig);
	assert_false(sig.present);
	modsig_parse(buf, 0, &sig);
	assert_false(sig.present);

	/* the magic with no room for the info block */
	memcpy(buf, MODSIG_MAGIC, MODSIG_MAGIC_LEN);
	modsig_parse(buf, MODSIG_MAGIC_LEN, &sig);
	assert_true(sig.present);
	assert_string_equal(sig.malformed, "the signature trailer is truncated");

	/* sig_len larger than what precedes */
	memset(buf, 0, sizeof(buf));
	buf[200 - MODSIG_INFO_LEN + 2] = 2;
	buf[200 - MODSIG_INFO_LEN + 10] = 0x10;   /* sig_len 0x1000 */
	memcpy(buf + 200, MODSIG_MAGIC, MODSIG_MAGIC_LEN);
	modsig_parse(buf, 228, &sig);
	assert_string_equal(sig.malformed, "sig_len 4096 does not fit the 188 bytes before the trailer");

	/* PKCS#7 id, sig_len fits, but the bytes are not DER */
	buf[200 - MODSIG_INFO_LEN + 10] = 0;
	buf[200 - MODSIG_INFO_LEN + 11] = 100;
	modsig_parse(buf, 228, &sig);
	assert_string_equal(sig.malformed, "the PKCS#7 signature (100 bytes) is not valid DER");

	/* an old X.509 id */
	buf[200 - MODSIG_INFO_LEN + 2] = 1;
	modsig_parse(buf, 228, &sig);
	assert_string_equal(sig.malformed, "id_type 1 (X.509) is not PKCS#7");
}

/* A real signed module from the fixtures: decompress it, then hash it as a
 * plain .ko and read the signer from its tail. */
static void test_modsig_fixture(void **state)
{
	struct sysroot sr;
	char err[256], tmpl[] = "/tmp/chipaudit-ko-XXXXXX";
	unsigned char *tail = NULL;
	size_t tail_len = 0;
	uint64_t image = 0;
	struct modsig sig;
	struct filehash h;
	int fd;
	(void)state;

	assert_int_equal(sysroot_open(&sr, FIXTURES "/backdoor-clean/root", err, sizeof(err)), 0);
	assert_int_equal(filehash_decompressed_tail(&sr, "/lib/modules/6.8.0-49-generic/updates/dkms/nvidia.ko.zst",
						    MODSIG_TAIL_MAX, 1 << 30, &tail, &tail_len, &image, err, sizeof(err)), 0);
	assert_int_equal(tail_len, image);   /* a stand-in smaller than the window */
	modsig_parse(tail, tail_len, &sig);
	assert_true(sig.present);
	assert_string_equal(sig.malformed, "");
	assert_string_equal(sig.signer, "chipaudit test Secure Boot Module Signature key");
	assert_string_equal(sig.key_id, "7ab7bfd21de2649d3668dde5242395a35e9bc0d4");
	assert_string_equal(sig.hash, "sha256");
	sysroot_close(&sr);

	fd = mkstemp(tmpl);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, tail, tail_len), (ssize_t)tail_len);
	close(fd);
	assert_int_equal(sysroot_open(&sr, "/", err, sizeof(err)), 0);
	assert_int_equal(filehash_sha256(&sr, tmpl, MODSIG_TAIL_MAX, &h, err, sizeof(err)), 0);
	assert_int_equal(h.size, tail_len);
	modsig_parse(h.tail, h.tail_len, &sig);
	assert_string_equal(sig.signer, "chipaudit test Secure Boot Module Signature key");
	filehash_free(&h);
	free(tail);
	/* data that is not compressed, asked to be decompressed */
	assert_int_equal(filehash_decompressed_tail(&sr, tmpl, 64, 1 << 20, &tail, &tail_len, &image, err, sizeof(err)), -1);
	assert_string_equal(err, "named as compressed, but not xz, zstd or gzip data");
	assert_null(tail);
	sysroot_close(&sr);
	unlink(tmpl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modsig_absent_and_broken),
		cmocka_unit_test(test_modsig_fixture),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
