/* parse/pcicfg.c: the configuration space walker. */
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

/* --- configuration space -------------------------------------------------- */

static void put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v)
{
	put16(p, v & 0xffff);
	put16(p + 2, v >> 16);
}

/* An endpoint with a PCIe capability at 0x60 and ATS at 0x100, ACS at 0x110. */
static void make_config(unsigned char *cfg, int port_type, bool ats_enabled)
{
	memset(cfg, 0, PCICFG_EXT_SIZE);
	put16(cfg, 0x10de);
	put16(cfg + 2, 0x2329);
	put16(cfg + 6, 0x0010);          /* status: capability list */
	cfg[0x34] = 0x60;
	cfg[0x60] = 0x10;                /* PCI Express */
	put16(cfg + 0x62, 0x0002 | (unsigned)port_type << 4);
	put32(cfg + 0x100, PCI_EXT_CAP_ID_ATS | 1u << 16 | 0x110u << 20);
	put16(cfg + 0x104, 0x0020);
	put16(cfg + 0x106, ats_enabled ? PCI_ATS_CTRL_ENABLE : 0);
	put32(cfg + 0x110, PCI_EXT_CAP_ID_ACS | 1u << 16);
	put16(cfg + 0x114, 0x1f);
	put16(cfg + 0x116, 0x19);   /* SV, CR, UF: no RR */
}

static void test_pcicfg_caps(void **state)
{
	static unsigned char cfg[PCICFG_EXT_SIZE];
	struct pcicfg_info info;
	char err[128];
	(void)state;

	make_config(cfg, PCIE_TYPE_DOWNSTREAM, true);
	assert_int_equal(pcicfg_parse(cfg, sizeof(cfg), &info, err, sizeof(err)), 0);
	assert_string_equal(info.malformed, "");
	assert_true(info.pcie);
	assert_int_equal(info.port_type, PCIE_TYPE_DOWNSTREAM);
	assert_true(info.ats_present);
	assert_true(info.ats_enabled);
	assert_true(info.acs_present);
	assert_int_equal(info.acs_cap, 0x1f);
	assert_int_equal(info.acs_ctrl, 0x19);
	assert_int_not_equal(info.acs_ctrl & ACS_REQUIRED, ACS_REQUIRED);   /* RR missing */
	assert_string_equal(pcie_port_type_name(info.port_type), "switch downstream port");
}

static void test_pcicfg_short(void **state)
{
	static unsigned char cfg[PCICFG_EXT_SIZE];
	struct pcicfg_info info;
	char err[128];
	(void)state;

	make_config(cfg, PCIE_TYPE_ENDPOINT, true);
	/* what an unprivileged read returns: the header only */
	assert_int_equal(pcicfg_parse(cfg, 64, &info, err, sizeof(err)), 0);
	assert_false(info.caps_readable);
	assert_false(info.pcie);
	assert_false(info.ats_present);
	/* 256 bytes: the PCIe capability, no extended ones */
	assert_int_equal(pcicfg_parse(cfg, 256, &info, err, sizeof(err)), 0);
	assert_true(info.pcie);
	assert_false(info.ext_readable);
	assert_false(info.ats_present);
	assert_int_equal(pcicfg_parse(cfg, 63, &info, err, sizeof(err)), -1);
	assert_string_equal(err, "63 bytes, expected at least the 64-byte header");
}

static void test_pcicfg_malformed(void **state)
{
	static unsigned char cfg[PCICFG_EXT_SIZE];
	struct pcicfg_info info;
	char err[128];
	(void)state;

	make_config(cfg, PCIE_TYPE_ENDPOINT, false);
	cfg[0x61] = 0x60;                           /* the capability points at itself */
	assert_int_equal(pcicfg_parse(cfg, sizeof(cfg), &info, err, sizeof(err)), 0);
	assert_string_equal(info.malformed, "capability list loops at 0x60");

	make_config(cfg, PCIE_TYPE_ENDPOINT, false);
	cfg[0x34] = 0x10;                           /* into the header */
	assert_int_equal(pcicfg_parse(cfg, sizeof(cfg), &info, err, sizeof(err)), 0);
	assert_string_equal(info.malformed, "capability pointer 0x10 points into the header");

	make_config(cfg, PCIE_TYPE_ENDPOINT, false);
	put32(cfg + 0x110, PCI_EXT_CAP_ID_ACS | 1u << 16 | 0x100u << 20);   /* back to the first */
	assert_int_equal(pcicfg_parse(cfg, sizeof(cfg), &info, err, sizeof(err)), 0);
	assert_string_equal(info.malformed, "extended capability list loops at 0x100");

	make_config(cfg, PCIE_TYPE_ENDPOINT, false);
	put32(cfg + 0x110, PCI_EXT_CAP_ID_ACS | 1u << 16 | 0x0f0u << 20);   /* below 0x100 */
	assert_int_equal(pcicfg_parse(cfg, sizeof(cfg), &info, err, sizeof(err)), 0);
	assert_string_equal(info.malformed, "extended capability pointer 0x0f0 is outside 0x100-0xff8");

	/* all ones at 0x100: no extended capabilities, not an error */
	make_config(cfg, PCIE_TYPE_ENDPOINT, false);
	put32(cfg + 0x100, 0xffffffffu);
	assert_int_equal(pcicfg_parse(cfg, sizeof(cfg), &info, err, sizeof(err)), 0);
	assert_string_equal(info.malformed, "");
	assert_false(info.ats_present);
}

/* --- module signatures ------------------------------------------------------ */

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcicfg_caps),
		cmocka_unit_test(test_pcicfg_short),
		cmocka_unit_test(test_pcicfg_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
