/* The backdoor area's parsers: configuration space, module signature
 * trailers, /proc/modules, taint, lockdown, the command line, driver
 * versions, bulletins and manifests, and file hashing. */
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
#include "core/kernelinfo.h"
#include "core/modsig.h"
#include "core/pcicfg.h"
#include "core/sysroot.h"
#include "core/trustdb.h"
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

static json_t *parse(const char *text)
{
	char err[256];
	json_t *v = json_parse_strict(text, strlen(text), "test", err, sizeof(err));
	assert_non_null(v);
	return v;
}

static void expect_bulletins_error(const char *text, const char *want)
{
	json_t *doc = parse(text);
	char err[512];
	assert_int_equal(bulletins_validate(doc, err, sizeof(err)), -1);
	assert_string_equal(err, want);
	json_decref(doc);
}

#define BULLETIN_HEAD "{\"schema\":\"chipaudit-bulletins/1\",\"updated\":\"2026-01-01\",\"bulletins\":[{\"id\":\"X\",\"vendor\":\"NVIDIA\"," \
	"\"driver\":\"nvidia\",\"title\":\"t\",\"date\":\"2025-10-09\",\"source\":\"https://example.invalid/a\","

static void test_bulletins(void **state)
{
	json_t *doc;
	char err[512];
	(void)state;

	doc = parse(BULLETIN_HEAD "\"cves\":[{\"id\":\"CVE-2025-23280\",\"cvss\":7.0}],"
		    "\"branches\":[{\"branch\":\"R580\",\"first_fixed\":\"580.95.05\",\"cves\":[\"CVE-2025-23280\"]},"
		    "{\"branch\":\"R470\",\"first_fixed\":null,\"cves\":[\"CVE-2025-23280\"]}]}]}");
	assert_int_equal(bulletins_validate(doc, err, sizeof(err)), 0);
	json_decref(doc);
	expect_bulletins_error(BULLETIN_HEAD "\"cves\":[{\"id\":\"CVE-2025-1\",\"cvss\":7}],\"branches\":[]}]}",
			       "bulletins[0].cves[0].id: \"CVE-2025-1\" is not a CVE id (CVE-YYYY-NNNN)");
	expect_bulletins_error(BULLETIN_HEAD "\"cves\":[{\"id\":\"CVE-2025-1111\",\"cvss\":11}],\"branches\":[]}]}",
			       "bulletins[0].cves[0].cvss: 11 out of range [0, 10]");
	expect_bulletins_error(BULLETIN_HEAD "\"cves\":[{\"id\":\"CVE-2025-1111\",\"cvss\":1}],"
			       "\"branches\":[{\"branch\":\"R580\",\"first_fixed\":\"570.1\",\"cves\":[\"CVE-2025-1111\"]}]}]}",
			       "bulletins[0].branches[0].first_fixed: \"570.1\" is not a version of branch R580");
	expect_bulletins_error(BULLETIN_HEAD "\"cves\":[{\"id\":\"CVE-2025-1111\",\"cvss\":1}],"
			       "\"branches\":[{\"branch\":\"580\",\"first_fixed\":null,\"cves\":[\"CVE-2025-1111\"]}]}]}",
			       "bulletins[0].branches[0].branch: \"580\" is not a branch (R followed by its number)");
	expect_bulletins_error(BULLETIN_HEAD "\"cves\":[{\"id\":\"CVE-2025-1111\",\"cvss\":1}],"
			       "\"branches\":[{\"branch\":\"R580\",\"first_fixed\":null,\"cves\":[\"CVE-2025-2222\"]}]}]}",
			       "bulletins[0].branches[0].cves[0]: CVE-2025-2222 is not among the bulletin's cves");
	expect_bulletins_error("{\"schema\":\"chipaudit-bulletins/2\",\"updated\":\"2026-01-01\",\"bulletins\":[]}",
			       "schema: \"chipaudit-bulletins/2\" is not chipaudit-bulletins/1");
}

#define MANIFEST_HEAD "{\"schema\":\"chipaudit-manifest/1\",\"driver\":\"nvidia\",\"version\":\"580.95.05\",\"source\":\"s\",\"files\":"
#define SHA_A "1111111111111111111111111111111111111111111111111111111111111111"
#define SHA_B "2222222222222222222222222222222222222222222222222222222222222222"

static void test_manifests(void **state)
{
	struct trustdb db = { 0 };
	const json_t *expected;
	const char *origin;
	char err[512];
	json_t *doc;
	(void)state;

	doc = parse(MANIFEST_HEAD "[{\"path\":\"/lib/firmware/nvidia/580.95.05/gsp_ga10x.bin\",\"sha256\":\"" SHA_A "\",\"size\":3}]}");
	assert_int_equal(manifest_validate(doc, err, sizeof(err)), 0);
	trustdb_add_manifest(&db, "m.json", doc);
	assert_int_equal(trustdb_manifest_lookup(&db, "nvidia", "580.95.05", "/lib/firmware/nvidia/580.95.05/gsp_ga10x.bin",
						 SHA_A, 3, &expected, &origin), MANIFEST_MATCH);
	assert_string_equal(origin, "m.json");
	assert_int_equal(trustdb_manifest_lookup(&db, "nvidia", "580.95.05", "/lib/firmware/nvidia/580.95.05/gsp_ga10x.bin",
						 SHA_B, 3, &expected, &origin), MANIFEST_MISMATCH);
	assert_string_equal(jstr(expected, "sha256"), SHA_A);
	/* same hash, other size: not the file */
	assert_int_equal(trustdb_manifest_lookup(&db, "nvidia", "580.95.05", "/lib/firmware/nvidia/580.95.05/gsp_ga10x.bin",
						 SHA_A, 4, &expected, &origin), MANIFEST_MISMATCH);
	/* another release or driver: the manifest does not apply */
	assert_int_equal(trustdb_manifest_lookup(&db, "nvidia", "535.230.02", "/lib/firmware/nvidia/580.95.05/gsp_ga10x.bin",
						 SHA_A, 3, &expected, &origin), MANIFEST_UNLISTED);
	assert_int_equal(trustdb_manifest_lookup(&db, "amdgpu", "580.95.05", "/lib/firmware/nvidia/580.95.05/gsp_ga10x.bin",
						 SHA_A, 3, &expected, &origin), MANIFEST_UNLISTED);
	assert_int_equal(trustdb_manifest_lookup(&db, "nvidia", "580.95.05", "/lib/firmware/other.bin", SHA_A, 3,
						 &expected, &origin), MANIFEST_UNLISTED);
	trustdb_free(&db);

	doc = parse(MANIFEST_HEAD "[{\"path\":\"/a/./b\",\"sha256\":\"" SHA_A "\"}]}");
	assert_int_equal(manifest_validate(doc, err, sizeof(err)), -1);
	assert_string_equal(err, "files[0].path: \"/a/./b\" is not an absolute normalised path");
	json_decref(doc);
	doc = parse(MANIFEST_HEAD "[{\"path\":\"/a\",\"sha256\":\"" SHA_A "\"},{\"path\":\"/a\",\"sha256\":\"" SHA_B "\"}]}");
	assert_int_equal(manifest_validate(doc, err, sizeof(err)), -1);
	assert_string_equal(err, "files[1].path: /a listed twice");
	json_decref(doc);
}

/* The shipped data validates. */
static void test_shipped_data(void **state)
{
	struct trustdb db = { 0 };
	char err[512];
	(void)state;

	assert_int_equal(trustdb_load(&db, err, sizeof(err)), 0);
	assert_true(json_array_size(jarr(db.bulletins, "bulletins")) >= 6);
	trustdb_free(&db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcicfg_caps),
		cmocka_unit_test(test_pcicfg_short),
		cmocka_unit_test(test_pcicfg_malformed),
		cmocka_unit_test(test_modsig_absent_and_broken),
		cmocka_unit_test(test_modsig_fixture),
		cmocka_unit_test(test_filehash),
		cmocka_unit_test(test_proc_modules),
		cmocka_unit_test(test_taint),
		cmocka_unit_test(test_lockdown),
		cmocka_unit_test(test_cmdline),
		cmocka_unit_test(test_driver_version),
		cmocka_unit_test(test_bulletins),
		cmocka_unit_test(test_manifests),
		cmocka_unit_test(test_shipped_data),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
