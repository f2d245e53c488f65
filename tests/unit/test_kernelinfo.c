/* parse/kernelinfo.c: /proc/modules, taint, lockdown, the command line, driver versions. */
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

static void test_proc_modules(void **state)
{
	struct proc_module m;
	char err[160];
	(void)state;

	assert_int_equal(proc_modules_parse_line("nvidia 11616256 2 nvidia_uvm,nvidia_modeset, Live 0xffffffffc0a00000 (POE)",
						 &m, err, sizeof(err)), 0);
	assert_string_equal(m.name, "nvidia");
	assert_int_equal(m.size, 11616256);
	assert_int_equal(m.refcount, 2);
	assert_int_equal(m.used_by_count, 2);
	assert_string_equal(m.used_by[1], "nvidia_modeset");
	assert_string_equal(m.state, "Live");
	assert_string_equal(m.flags, "POE");
	proc_module_free(&m);

	/* no unload support, loading marker, permanent */
	assert_int_equal(proc_modules_parse_line("x 1 - - Loading 0x0 (OE+)", &m, err, sizeof(err)), 0);
	assert_int_equal(m.refcount, -1);
	assert_string_equal(m.flags, "OE");
	proc_module_free(&m);
	assert_int_equal(proc_modules_parse_line("y 1 0 [permanent], Live 0x0", &m, err, sizeof(err)), 0);
	assert_string_equal(m.used_by[0], "[permanent]");
	proc_module_free(&m);

	assert_int_equal(proc_modules_parse_line("", &m, err, sizeof(err)), -1);
	assert_int_equal(proc_modules_parse_line("a b c d e f g h", &m, err, sizeof(err)), -1);
	assert_string_equal(err, "more than 7 fields");
	assert_int_equal(proc_modules_parse_line("a -5 0 - Live 0x0", &m, err, sizeof(err)), -1);
	assert_int_equal(proc_modules_parse_line("a 5 0 b Live 0x0", &m, err, sizeof(err)), -1);
	assert_string_equal(err, "used-by list \"b\" is not comma-terminated");
	assert_int_equal(proc_modules_parse_line("a 5 0 - Live 12", &m, err, sizeof(err)), -1);
	assert_int_equal(proc_modules_parse_line("a 5 0 - Live 0x0 (Z)", &m, err, sizeof(err)), -1);
	assert_string_equal(err, "flags \"(Z)\" hold an unknown taint letter");
	assert_int_equal(proc_modules_parse_line("a/b 5 0 - Live 0x0", &m, err, sizeof(err)), -1);
}

static void test_taint(void **state)
{
	char out[72];
	(void)state;

	taint_letters(0, out, sizeof(out));
	assert_string_equal(out, "");
	taint_letters((1u << 0) | (1u << 12) | (1u << 13), out, sizeof(out));
	assert_string_equal(out, "POE");
	taint_letters((uint64_t)1 << 40, out, sizeof(out));
	assert_string_equal(out, "?");
	assert_true(taint_letters_valid("POE"));
	assert_false(taint_letters_valid("POZ"));
	assert_true(kmod_name_equal("nvidia-uvm", "nvidia_uvm"));
	assert_false(kmod_name_equal("nvidia", "nvidia_uvm"));
}

static void test_lockdown(void **state)
{
	char mode[32];
	(void)state;

	assert_string_equal(lockdown_active("none [integrity] confidentiality", mode, sizeof(mode)), "integrity");
	assert_string_equal(lockdown_active("[none] integrity confidentiality", mode, sizeof(mode)), "none");
	assert_null(lockdown_active("none integrity", mode, sizeof(mode)));
	assert_null(lockdown_active("[none] [integrity]", mode, sizeof(mode)));
	assert_null(lockdown_active("[]", mode, sizeof(mode)));
	assert_null(lockdown_active("[root]", mode, sizeof(mode)));
}

static void test_cmdline(void **state)
{
	char **w = cmdline_dma_words("BOOT_IMAGE=/vmlinuz ro quiet intel_iommu=on iommu=pt pci=realloc,noats iommu.strict=0 iommuX=1");
	struct cmdline_iommu ci;
	(void)state;

	assert_string_equal(w[0], "intel_iommu=on");
	assert_string_equal(w[1], "iommu=pt");
	assert_string_equal(w[2], "pci=realloc,noats");
	assert_string_equal(w[3], "iommu.strict=0");
	assert_null(w[4]);
	cmdline_iommu_interpret(w, &ci);
	assert_true(ci.passthrough);
	assert_false(ci.disabled);
	assert_true(ci.lazy);
	assert_true(ci.noats);
	kernelinfo_free_words(w);

	/* the last word wins */
	w = cmdline_dma_words("iommu.passthrough=1 iommu.passthrough=0 amd_iommu=off");
	cmdline_iommu_interpret(w, &ci);
	assert_false(ci.passthrough);
	assert_true(ci.disabled);
	kernelinfo_free_words(w);
}

static void test_driver_version(void **state)
{
	unsigned long p[4];
	(void)state;

	assert_int_equal(driver_version_parse("580.95.05", p), 3);
	assert_int_equal(p[2], 5);
	assert_int_equal(driver_version_parse("1.2.3.4.5", p), -1);
	assert_int_equal(driver_version_parse("580.", p), -1);
	assert_int_equal(driver_version_parse("580.x", p), -1);
	assert_int_equal(driver_version_parse("", p), -1);
	assert_int_equal(driver_version_parse("12345678901.1", p), -1);
	assert_true(driver_version_compare("535.230.02", "535.247.01") < 0);
	assert_true(driver_version_compare("580.159.03", "580.95.05") > 0);    /* numeric, not text */
	assert_int_equal(driver_version_compare("580.95.05", "580.95.5"), 0);
	assert_int_equal(driver_version_branch("570.124.06"), 570);
	assert_int_equal(driver_version_branch("abc"), -1);
}

/* --- bulletins and manifests ------------------------------------------------- */

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proc_modules),
		cmocka_unit_test(test_taint),
		cmocka_unit_test(test_lockdown),
		cmocka_unit_test(test_cmdline),
		cmocka_unit_test(test_driver_version),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
