/* parse/spdm.c: NVIDIA's published Hopper attestation report (nvtrust's
 * samples, tests/data/nvtrust/SOURCES), every truncation of it, and
 * malformations each refused at the offset where they lie. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/error.h"
#include "core/fileio.h"
#include "parse/spdm.h"

#define SAMPLE FIXTURES "/../data/nvtrust/hopperAttestationReport.txt"

static uint8_t report[8192];
static size_t report_len;

static void load_sample(void)
{
	char *text = NULL, err[256];
	size_t len = 0;

	if (report_len)
		return;
	assert_int_equal(read_file_bounded(SAMPLE, 1 << 20, &text, &len, err, sizeof(err)), 0);
	assert_int_equal(spdm_hex_decode(text, len, report, sizeof(report), &report_len, err, sizeof(err)), 0);
	free(text);
}

static void test_sample(void **state)
{
	static struct spdm_report rep;
	char err[256], s[64];
	(void)state;

	load_sample();
	assert_int_equal(report_len, 4117);
	assert_int_equal(spdm_parse_report(report, report_len, &rep, err, sizeof(err)), 0);
	assert_int_equal(rep.req_version, 0x11);
	assert_int_equal(rep.req_param2, 0xff);   /* all measurements */
	assert_int_equal(rep.nblocks, 64);
	for (size_t i = 0; i < rep.nblocks; i++) {
		assert_int_equal(rep.blocks[i].index, i + 1);
		assert_int_equal(rep.blocks[i].value_size, 48);   /* SHA-384 digests */
	}
	assert_int_equal(rep.nonce[0], 0xb4);
	assert_int_equal(rep.nonce[31], 0x85);
	assert_int_equal(rep.signed_len, report_len - SPDM_SIGNATURE_LEN);
	spdm_opaque_string(&rep, SPDM_OPAQUE_DRIVER_VERSION, s, sizeof(s));
	assert_string_equal(s, "550.90.07");
	spdm_vbios_version(&rep, s, sizeof(s));
	assert_string_equal(s, "96.00.9F.00.01");
	spdm_opaque_string(&rep, SPDM_OPAQUE_PROJECT, s, sizeof(s));
	assert_string_equal(s, "1010");
	assert_string_equal(spdm_opaque_name(SPDM_OPAQUE_PROJECT), "project");
	assert_null(spdm_opaque_find(&rep, 0x7777));
}

/* Every prefix of the report is refused, none crashes. */
static void test_truncations(void **state)
{
	static struct spdm_report rep;
	char err[256];
	(void)state;

	load_sample();
	for (size_t n = 0; n < report_len; n++) {
		assert_int_equal(spdm_parse_report(report, n, &rep, err, sizeof(err)), CA_ERR_DATA);
		assert_memory_equal(err, "offset ", 7);
	}
	assert_int_equal(spdm_parse_report(report, 10, &rep, err, sizeof(err)), CA_ERR_DATA);
	assert_string_equal(err, "offset 0: truncated GET_MEASUREMENTS request (37 bytes needed, 10 left)");
	assert_int_equal(spdm_parse_report(report, report_len - 1, &rep, err, sizeof(err)), CA_ERR_DATA);
	assert_string_equal(err, "offset 4021: truncated signature (96 bytes needed, 95 left)");
}

static void expect_error(size_t at, uint8_t value, const char *message)
{
	static uint8_t copy[8192];
	static struct spdm_report rep;
	char err[256];

	memcpy(copy, report, report_len);
	copy[at] = value;
	assert_int_equal(spdm_parse_report(copy, report_len, &rep, err, sizeof(err)), CA_ERR_DATA);
	assert_string_equal(err, message);
}

static void test_malformed(void **state)
{
	static uint8_t longer[8192];
	static struct spdm_report rep;
	char err[256];
	size_t n;
	(void)state;

	load_sample();
	expect_error(1, 0x84, "offset 1: request: not GET_MEASUREMENTS (code 0xE0)");
	expect_error(2, 0x00, "offset 2: request: no signature requested (param1 bit 0 clear)");
	expect_error(37, 0x12, "offset 37: response SPDM version differs from the request's");
	expect_error(38, 0x7f, "offset 38: response: not MEASUREMENTS (code 0x60)");
	expect_error(41, 0, "offset 41: response holds no measurement block");
	expect_error(41, 65, "offset 3565: measurement block header runs past the record");
	expect_error(42, 0xff, "offset 3565: measurement record holds bytes after its last block");
	expect_error(44, 0x10, "offset 42: measurement record length runs past the report");
	expect_error(45, 0, "offset 45: measurement block index 0 or 255 is reserved");
	expect_error(46, 2, "offset 46: measurement block specification is not DMTF (1)");
	expect_error(48, 0xff, "offset 47: measurement block size runs past the record");
	expect_error(50, 49, "offset 50: DMTF value size disagrees with the block size");
	expect_error(45 + 55, 1, "offset 100: measurement block index repeated");
	memcpy(longer, report, report_len);
	longer[report_len] = 0;
	assert_int_equal(spdm_parse_report(longer, report_len + 1, &rep, err, sizeof(err)), CA_ERR_DATA);
	assert_string_equal(err, "offset 4117: bytes after the signature");

	assert_int_equal(spdm_hex_decode("0x11e0 01ff\n", 12, longer, sizeof(longer), &n, err, sizeof(err)), 0);
	assert_int_equal(n, 4);
	assert_int_equal(spdm_hex_decode("11e0g1", 6, longer, sizeof(longer), &n, err, sizeof(err)), CA_ERR_DATA);
	assert_string_equal(err, "offset 4: not a hex digit");
	assert_int_equal(spdm_hex_decode("11e", 3, longer, sizeof(longer), &n, err, sizeof(err)), CA_ERR_DATA);
	assert_string_equal(err, "offset 3: odd number of hex digits");
	assert_int_equal(spdm_hex_decode("112233", 6, longer, 2, &n, err, sizeof(err)), CA_ERR_DATA);
	assert_string_equal(err, "offset 5: more than 2 bytes of hex");
}

/* Every single-byte change of a framing byte is refused or parses to a
 * report of the same shape: the parser never reads past the buffer. */
static void test_byte_sweep(void **state)
{
	static uint8_t copy[8192];
	static struct spdm_report rep;
	char err[256];
	(void)state;

	load_sample();
	for (size_t at = 0; at < report_len; at += 7) {
		memcpy(copy, report, report_len);
		copy[at] ^= 0x5a;
		if (spdm_parse_report(copy, report_len, &rep, err, sizeof(err)) == 0)
			assert_int_equal(rep.signed_len, report_len - SPDM_SIGNATURE_LEN);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_byte_sweep),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
