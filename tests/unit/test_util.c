#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "core/util.h"

static void test_parse_u64(void **state)
{
	uint64_t v;
	(void)state;
	assert_int_equal(parse_u64("42", 10, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(parse_u64(" 7\n", 10, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(parse_u64("", 10, &v), -1);
	assert_int_equal(parse_u64("-1", 10, &v), -1);
	assert_int_equal(parse_u64("12x", 10, &v), -1);
	assert_int_equal(parse_u64("99999999999999999999999", 10, &v), -1);
}

static void test_parse_hex(void **state)
{
	uint32_t v;
	(void)state;
	assert_int_equal(parse_hex_u32("0x10de", 0xffff, &v), 0);
	assert_int_equal(v, 0x10de);
	assert_int_equal(parse_hex_u32("0x10000", 0xffff, &v), -1);
	assert_int_equal(parse_hex_u32("0x", 0xffff, &v), -1);
	assert_int_equal(parse_hex_u32("0x-1", 0xffff, &v), -1);
}

static void test_pci_address(void **state)
{
	(void)state;
	assert_true(pci_address_valid("0000:17:00.0"));
	assert_true(pci_address_valid("10000:e1:1f.7"));
	assert_false(pci_address_valid("0000:17:20.0"));
	assert_false(pci_address_valid("0000:17:00.8"));
	assert_false(pci_address_valid("0000:17:00"));
	assert_false(pci_address_valid("0000:17:00.0 "));
	assert_false(pci_address_valid("0000:1A:00.0"));
	assert_false(pci_address_valid("00:17:00.0"));
	assert_false(pci_address_valid(""));
	assert_false(pci_address_valid("../../etc"));
}

static void test_hex_encode(void **state)
{
	const unsigned char in[] = { 0x00, 0xab, 0xff };
	char out[7];
	(void)state;
	hex_encode(in, 3, out);
	assert_string_equal(out, "00abff");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_u64),
		cmocka_unit_test(test_parse_hex),
		cmocka_unit_test(test_pci_address),
		cmocka_unit_test(test_hex_encode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
