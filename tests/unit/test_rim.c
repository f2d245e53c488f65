/* parse/rim.c and checks/attestation_rim.c on NVIDIA's published RIMs
 * (nvtrust's samples, tests/data/nvtrust/SOURCES): each parses as the SWID
 * tag it is; each is genuine (its XML signature verifies with its signer's
 * key, the signer's chain ends at NVIDIA's RIM root pinned in data/) while
 * its certificates were valid (2024-06-01) and not after they expired;
 * every single-byte change of a RIM is refused by the parser or fails the
 * verification; hostile documents are refused with the line and the
 * problem. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "checks/attestation_rim.h"
#include "core/error.h"
#include "core/fileio.h"
#include "parse/rim.h"

#define SAMPLES FIXTURES "/../data/nvtrust/"
#define DRIVER_RIM SAMPLES "Driver_RIM_test_no_gpu.swidtag"
#define VBIOS_RIM SAMPLES "1010_0200_882_96005E0001_PROD.swidtag"
#define VBIOS_TEST_RIM SAMPLES "1010_0200_882_96005E0001_test_no_gpu.swidtag"
#define JUN_2024 ((time_t)1717200000)   /* 2024-06-01: every certificate valid */
#define DEC_2026 ((time_t)1796083200)   /* 2026-12-01: the signers' (2025) and L3's (2026-11) expired */

static char *load(const char *path, size_t *len)
{
	char *data = NULL, err[256];

	assert_int_equal(read_file_bounded(path, RIM_MAX_BYTES, &data, len, err, sizeof(err)), 0);
	return data;
}

static struct rim *parse_ok(const char *data, size_t len)
{
	struct rim *rim = NULL;
	char err[256] = "";

	if (rim_parse(data, len, &rim, err, sizeof(err)) != 0)
		fail_msg("refused: %s", err);
	return rim;
}

static void expect_refused(const char *data, const char *message)
{
	struct rim *rim = NULL;
	char err[256] = "";
	int rc = rim_parse(data, strlen(data), &rim, err, sizeof(err));

	if (rc != CA_ERR_DATA || strcmp(err, message) != 0)
		fail_msg("rc %d, '%s'; expected 65, '%s'", rc, err, message);
	assert_null(rim);
}

static void test_samples_parse(void **state)
{
	static const struct {
		const char *path, *version;
		enum rim_kind kind;
		int active;
	} samples[] = {
		{ DRIVER_RIM, "545.00", RIM_DRIVER, 21 },
		{ VBIOS_RIM, "96.00.5E.00.01", RIM_VBIOS, 12 },
		{ VBIOS_TEST_RIM, "96.00.5E.00.01", RIM_VBIOS, 12 },
	};
	(void)state;

	for (size_t s = 0; s < sizeof(samples) / sizeof(samples[0]); s++) {
		size_t len;
		char *data = load(samples[s].path, &len);
		struct rim *rim = parse_ok(data, len);
		int active = 0;

		assert_string_equal(rim->version, samples[s].version);
		assert_string_equal(rim->product, "GH100");
		assert_int_equal(rim->kind, samples[s].kind);
		assert_int_equal(rim->nmeasurements, 64);
		assert_int_equal(rim->ncerts, 4);
		for (size_t i = 0; i < rim->nmeasurements; i++)
			active += rim->measurements[i].active;
		assert_int_equal(active, samples[s].active);
		rim_free(rim);
		free(data);
	}
}

static void test_samples_genuine(void **state)
{
	const char *paths[] = { DRIVER_RIM, VBIOS_RIM, VBIOS_TEST_RIM };
	(void)state;

	for (size_t p = 0; p < 3; p++) {
		struct attest_step step;
		size_t len;
		char *data = load(paths[p], &len);
		struct rim *rim = parse_ok(data, len);

		rim_genuine(rim, "sample", JUN_2024, &step);
		if (step.status != STATUS_PASS)
			fail_msg("%s: %s", paths[p], step.message);
		assert_string_equal(step.message, "signed by /C=US/ST=CA/L=Santa Clara/O=NVIDIA Corporation/CN=HCC RIM L4 "
				    "Signer");
		rim_genuine(rim, "sample", DEC_2026, &step);
		assert_int_equal(step.status, STATUS_FAIL);
		assert_non_null(strstr(step.message, "certificate has expired"));
		rim_free(rim);
		free(data);
	}
}

/* Every byte of the driver RIM changed (xor 0x01): the parser refuses the
 * document, or the verification fails; never genuine. */
static void test_every_byte(void **state)
{
	size_t len, refused = 0, failed = 0;
	char *data = load(DRIVER_RIM, &len), *copy = malloc(len);
	(void)state;

	for (size_t i = 0; i < len; i++) {
		struct rim *rim = NULL;
		struct attest_step step;
		char err[256];

		memcpy(copy, data, len);
		copy[i] ^= 0x01;
		if (rim_parse(copy, len, &rim, err, sizeof(err)) != 0) {
			refused++;
			continue;
		}
		rim_genuine(rim, "changed", JUN_2024, &step);
		if (step.status == STATUS_PASS)
			fail_msg("byte %zu ('%c' to '%c') changed, and the RIM still verifies", i, data[i], copy[i]);
		failed++;
		rim_free(rim);
	}
	print_message("%zu bytes: %zu refused by the parser, %zu fail the verification\n", len, refused, failed);
	assert_int_equal(refused + failed, len);
	free(copy);
	free(data);
}

#define HEAD "<SoftwareIdentity xmlns=\"" RIM_NS_SWID "\" xmlns:s=\"" RIM_NS_SHA384 "\">"
#define META "<Meta colloquialVersion=\"550.90.07\"/>"
#define RES(attrs) "<Payload><Resource type=\"Measurement\" " attrs "/></Payload>"
#define GOOD_RES "index=\"1\" active=\"True\" alternatives=\"1\" size=\"1\" s:Hash0=\"ab\""
#define SIG "<ds:Signature xmlns:ds=\"" RIM_NS_DSIG "\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>AAAA" \
	    "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature>"
#define TAIL "</SoftwareIdentity>"

static void test_shape(void **state)
{
	struct rim *rim;
	(void)state;

	rim = parse_ok(HEAD META RES(GOOD_RES) SIG TAIL, strlen(HEAD META RES(GOOD_RES) SIG TAIL));
	assert_int_equal(rim->kind, RIM_DRIVER);
	assert_int_equal(rim->measurements[0].index, 1);
	assert_int_equal(rim->measurements[0].values[0], 0xab);
	assert_int_equal(rim->cert_len[0], 3);
	assert_non_null(rim_measurement(rim, 1));
	assert_null(rim_measurement(rim, 2));
	rim_free(rim);
}

static void test_hostile(void **state)
{
	struct rim *rim = NULL;
	char err[256];
	(void)state;

	assert_int_equal(rim_parse("", 0, &rim, err, sizeof(err)), CA_ERR_DATA);
	assert_string_equal(err, "empty");
	expect_refused("<a>", "line 1: not well-formed XML: Premature end of data in tag a line 1");
	expect_refused("<!DOCTYPE x [<!ENTITY e \"e\">]>" HEAD META RES(GOOD_RES) SIG TAIL,
		       "a DOCTYPE: a RIM has none, and its entities are not read");
	expect_refused("<!DOCTYPE x SYSTEM \"file:///etc/passwd\">" HEAD META RES(GOOD_RES) SIG TAIL,
		       "a DOCTYPE: a RIM has none, and its entities are not read");
	expect_refused("<SoftwareIdentity/>", "line 1: the root element is SoftwareIdentity, not a SWID tag's "
		       "SoftwareIdentity");
	expect_refused(HEAD RES(GOOD_RES) SIG TAIL, "line 1: no Meta: not a signed RIM");
	expect_refused(HEAD META RES(GOOD_RES) TAIL, "line 1: no Signature: not a signed RIM");
	expect_refused(HEAD META META RES(GOOD_RES) SIG TAIL, "line 1: unexpected element Meta (or one given twice)");
	expect_refused(HEAD META RES(GOOD_RES) RES(GOOD_RES) SIG TAIL,
		       "line 1: unexpected element Payload (or one given twice)");
	expect_refused(HEAD META RES(GOOD_RES) SIG SIG TAIL, "line 1: unexpected element Signature (or one given twice)");
	expect_refused(HEAD "<Meta colloquialVersion=\"\"/>" RES(GOOD_RES) SIG TAIL,
		       "line 1: Meta colloquialVersion: empty or longer than 63 characters");
	expect_refused(HEAD "<Meta colloquialVersion=\"5&#10;5\"/>" RES(GOOD_RES) SIG TAIL,
		       "line 1: Meta colloquialVersion: a character that is not printable ASCII");
	expect_refused(HEAD META RES("index=\"256\" active=\"True\" alternatives=\"1\" size=\"1\" s:Hash0=\"ab\"") SIG TAIL,
		       "line 1: Resource index '256': not a number from 0 to 255");
	expect_refused(HEAD META RES("index=\"-1\" active=\"True\" alternatives=\"1\" size=\"1\" s:Hash0=\"ab\"") SIG TAIL,
		       "line 1: Resource index '-1': not a number from 0 to 255");
	expect_refused(HEAD META RES("index=\"1\" active=\"yes\" alternatives=\"1\" size=\"1\" s:Hash0=\"ab\"") SIG TAIL,
		       "line 1: Resource 1: active is neither True nor False");
	expect_refused(HEAD META RES("index=\"1\" active=\"True\" alternatives=\"0\" size=\"1\"") SIG TAIL,
		       "line 1: Resource alternatives '0': not a number from 1 to 16");
	expect_refused(HEAD META RES("index=\"1\" active=\"True\" alternatives=\"1\" size=\"65\" s:Hash0=\"ab\"") SIG TAIL,
		       "line 1: Resource size '65': not a number from 1 to 64");
	expect_refused(HEAD META RES("index=\"1\" active=\"True\" alternatives=\"1\" size=\"1\" s:Hash0=\"zz\"") SIG TAIL,
		       "line 1: Resource 1: Hash0 is not hex of the size given");
	expect_refused(HEAD META RES("index=\"1\" active=\"True\" alternatives=\"1\" size=\"1\" Hash0=\"ab\"") SIG TAIL,
		       "line 1: Resource 1: Hash0 missing (in the SHA-384 namespace)");
	expect_refused(HEAD META RES(GOOD_RES " s:Hash1=\"ab\"") SIG TAIL,
		       "line 1: Resource 1: Hash1 beyond its 1 alternatives");
	expect_refused(HEAD META RES("index=\"1\" active=\"True\" alternatives=\"1\" size=\"1\" s:Hash0=\"ab\" type=\"x\"")
		       SIG TAIL, "line 1: not well-formed XML: Attribute type redefined");
	expect_refused(HEAD META "<Payload><Resource type=\"Measurement\" " GOOD_RES "/><Resource type=\"Measurement\" "
		       GOOD_RES "/></Payload>" SIG TAIL, "line 1: measurement index 1 given twice");
	expect_refused(HEAD META "<Payload><Resource type=\"File\" " GOOD_RES "/></Payload>" SIG TAIL,
		       "line 1: Resource of type 'File', not Measurement");
	expect_refused(HEAD META "<Payload></Payload>" SIG TAIL, "line 1: no measurement in Payload");
	expect_refused(HEAD META "<Payload><Link/></Payload>" SIG TAIL, "line 1: unexpected element Link in Payload");
	expect_refused(HEAD META RES(GOOD_RES) "<ds:Signature xmlns:ds=\"" RIM_NS_DSIG "\"/>" TAIL,
		       "line 1: Signature without KeyInfo/X509Data/X509Certificate: no signer to verify with");
	expect_refused(HEAD META RES(GOOD_RES) "<ds:Signature xmlns:ds=\"" RIM_NS_DSIG "\"><ds:KeyInfo><ds:X509Data>"
		       "<ds:X509Certificate>%%%</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature>" TAIL,
		       "line 1: X509Certificate 0: not base64 of at most 16384 bytes");
}

/* libxml2 stops at 256 levels of nesting (no XML_PARSE_HUGE): a deep
 * document is refused, not recursed into. */
static void test_deep(void **state)
{
	size_t depth = 100000, n = 0;
	char *doc = malloc(depth * 7 + 1);
	struct rim *rim = NULL;
	char err[256];
	(void)state;

	for (size_t i = 0; i < depth; i++)
		n += (size_t)sprintf(doc + n, "<a>");
	assert_int_equal(rim_parse(doc, n, &rim, err, sizeof(err)), CA_ERR_DATA);
	assert_non_null(strstr(err, "not well-formed XML"));
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples_parse),
		cmocka_unit_test(test_samples_genuine),
		cmocka_unit_test(test_every_byte),
		cmocka_unit_test(test_shape),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_deep),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
