/* checks/trustdb.c: bulletins and manifests, and the shipped data. */
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
		cmocka_unit_test(test_bulletins),
		cmocka_unit_test(test_manifests),
		cmocka_unit_test(test_shipped_data),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
