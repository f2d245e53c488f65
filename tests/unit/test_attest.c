/* checks/attestation_verify.c on NVIDIA's published Hopper attestation
 * report and its certificate chain (nvtrust's samples,
 * tests/data/nvtrust/SOURCES): the genuine sample passes each step it can
 * (its certificates run to 9999, so they are valid today; before the
 * provisioner's certificate began, 2022-03-01, they are not); every
 * single-byte change of the report and of each certificate fails at the
 * step that covers it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "checks/attestation_rim.h"
#include "checks/attestation_verify.h"
#include "core/fileio.h"
#include "core/util.h"

#define SAMPLES FIXTURES "/../data/nvtrust/"
/* The nonce nvtrust's verifier sent for the sample (the request's bytes 4-35). */
#define SAMPLE_NONCE "931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb"
#define NOV_2026 ((time_t)1795000000)   /* 2026-11-18 */
#define JAN_2022 ((time_t)1641000000)   /* 2022-01-01, before the provisioner ICA and identity certificates */

static uint8_t report[8192];
static size_t report_len;
static char *chain;
static size_t chain_len;
static uint8_t nonce[SPDM_NONCE_LEN];
static struct attest_result res;   /* large: the report's blocks */

static void load_samples(void)
{
	char *text = NULL, err[256];
	size_t len = 0;

	if (report_len)
		return;
	assert_int_equal(read_file_bounded(SAMPLES "hopperAttestationReport.txt", 1 << 20, &text, &len, err,
					   sizeof(err)), 0);
	assert_int_equal(spdm_hex_decode(text, len, report, sizeof(report), &report_len, err, sizeof(err)), 0);
	free(text);
	assert_int_equal(read_file_bounded(SAMPLES "hopperCertChain.txt", 1 << 20, &chain, &chain_len, err,
					   sizeof(err)), 0);
	assert_int_equal(spdm_hex_decode(SAMPLE_NONCE, strlen(SAMPLE_NONCE), nonce, sizeof(nonce), &len, err,
					 sizeof(err)), 0);
	assert_int_equal(len, SPDM_NONCE_LEN);
}

static struct attest_evidence evidence(const uint8_t *rep, size_t rep_len, const char *certs, size_t certs_len)
{
	return (struct attest_evidence){ .report = rep, .report_len = rep_len, .chain = certs, .chain_len = certs_len,
					 .nonce = nonce, .at = NOV_2026 };
}

static void test_genuine(void **state)
{
	struct attest_evidence ev;
	(void)state;

	load_samples();
	ev = evidence(report, report_len, chain, chain_len);
	attest_verify(&ev, &res);
	assert_true(res.parsed);
	assert_true(res.chain_read);
	assert_int_equal(res.signature.status, STATUS_PASS);
	assert_non_null(strstr(res.signature.message, "answers the nonce sent"));
	assert_int_equal(res.chain.status, STATUS_PASS);
	assert_non_null(strstr(res.chain.message, "5 certificates from"));
	assert_int_equal(res.revocation.status, STATUS_SKIP);
	assert_non_null(strstr(res.revocation.message, "revocation not checked"));
	assert_string_equal(res.driver_version, "550.90.07");
	assert_string_equal(res.vbios_version, "96.00.9F.00.01");
	assert_non_null(strstr(res.leaf_subject, "GH100 A01 GSP FMC LF"));
}

static void test_no_nonce(void **state)
{
	struct attest_evidence ev;
	(void)state;

	load_samples();
	ev = evidence(report, report_len, chain, chain_len);
	ev.nonce = NULL;
	attest_verify(&ev, &res);
	assert_int_equal(res.signature.status, STATUS_WARN);
	assert_non_null(strstr(res.signature.message, "nonce sent is not known"));
}

static void test_other_nonce(void **state)
{
	uint8_t other[SPDM_NONCE_LEN];
	struct attest_evidence ev;
	(void)state;

	load_samples();
	memcpy(other, nonce, sizeof(other));
	other[31] ^= 1;
	ev = evidence(report, report_len, chain, chain_len);
	ev.nonce = other;
	attest_verify(&ev, &res);
	assert_int_equal(res.signature.status, STATUS_FAIL);
	assert_non_null(strstr(res.signature.message, "not the one sent"));
}

static void test_not_yet_valid(void **state)
{
	struct attest_evidence ev;
	(void)state;

	load_samples();
	ev = evidence(report, report_len, chain, chain_len);
	ev.at = JAN_2022;
	attest_verify(&ev, &res);
	assert_int_equal(res.signature.status, STATUS_PASS);
	assert_int_equal(res.chain.status, STATUS_FAIL);
	assert_non_null(strstr(res.chain.message, "not yet valid"));
	assert_int_equal(res.revocation.status, STATUS_SKIP);
}

/* The leaf alone: the chain step fails at once, the signature is checked. */
static size_t leaf_pem(char **leaf)
{
	const char *end = strstr(chain, "-----END CERTIFICATE-----");

	assert_non_null(end);
	*leaf = chain;
	return (size_t)(end - chain) + strlen("-----END CERTIFICATE-----\n");
}

/* Every byte of the report changed, one at a time, two ways: the signature
 * step fails, saying the signature does not verify or the report is
 * malformed. */
static void test_every_report_byte(void **state)
{
	static uint8_t copy[sizeof(report)];
	static const uint8_t flips[] = { 0x01, 0x80 };
	struct attest_evidence ev;
	char *leaf;
	size_t leaf_len, failed = 0;
	(void)state;

	load_samples();
	leaf_len = leaf_pem(&leaf);
	for (size_t f = 0; f < ARRAY_SIZE(flips); f++) {
		for (size_t i = 0; i < report_len; i++) {
			memcpy(copy, report, report_len);
			copy[i] ^= flips[f];
			ev = evidence(copy, report_len, leaf, leaf_len);
			ev.nonce = NULL;   /* the nonce bytes changed must fail by the signature */
			attest_verify(&ev, &res);
			if (res.signature.status != STATUS_FAIL)
				fail_msg("byte %zu ^ 0x%02x: signature step %d: %s", i, flips[f], res.signature.status,
					 res.signature.message);
			if (strstr(res.signature.message, "does not verify") == NULL &&
			    strstr(res.signature.message, "malformed") == NULL)
				fail_msg("byte %zu: %s", i, res.signature.message);
			failed++;
		}
	}
	assert_int_equal(failed, 2 * report_len);
}

/* The chain's certificates as DER. */
static int chain_der(unsigned char *der[8], int len[8])
{
	BIO *bio = BIO_new_mem_buf(chain, (int)chain_len);
	X509 *cert;
	int n = 0;

	while (n < 8 && (cert = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		der[n] = NULL;
		len[n] = i2d_X509(cert, &der[n]);
		assert_true(len[n] > 0);
		X509_free(cert);
		n++;
	}
	BIO_free(bio);
	return n;
}

/* DER certificates as concatenated PEM (a copy of the chain file). */
static size_t as_pem(unsigned char *der[8], const int len[8], int n, char *out, size_t cap)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *mem;
	long got;

	for (int i = 0; i < n; i++)
		assert_true(PEM_write_bio(bio, "CERTIFICATE", "", der[i], len[i]) > 0);
	got = BIO_get_mem_data(bio, &mem);
	assert_true(got > 0 && (size_t)got <= cap);
	memcpy(out, mem, (size_t)got);
	BIO_free(bio);
	return (size_t)got;
}

/* Every byte of every certificate changed: the chain step fails (or the
 * signature step, for the leaf's key), or the certificate is unreadable. */
static void test_every_certificate_byte(void **state)
{
	static char pem[16384];
	unsigned char *der[8];
	int len[8], n;
	struct attest_evidence ev;
	size_t pem_len, caught = 0, total = 0;
	(void)state;

	load_samples();
	n = chain_der(der, len);
	assert_int_equal(n, 5);
	for (int c = 0; c < n; c++) {
		for (int i = 0; i < len[c]; i++, total++) {
			der[c][i] ^= 0x01;
			pem_len = as_pem(der, len, n, pem, sizeof(pem));
			der[c][i] ^= 0x01;
			ev = evidence(report, report_len, pem, pem_len);
			attest_verify(&ev, &res);
			if (!res.chain_read || res.chain.status == STATUS_FAIL ||
			    (c == 0 && res.signature.status == STATUS_FAIL))
				caught++;
			else
				fail_msg("certificate %d byte %d: chain %d (%s), signature %d", c, i, res.chain.status,
					 res.chain.message, res.signature.status);
		}
	}
	assert_int_equal(caught, total);
	for (int c = 0; c < n; c++)
		OPENSSL_free(der[c]);
}

static void test_findings(void **state)
{
	struct rim_outcome rims;
	struct findings out = { 0 };
	struct attest_evidence ev;
	(void)state;

	load_samples();
	ev = evidence(report, report_len, chain, chain_len);
	attest_verify(&ev, &res);
	rim_judge(NULL, &res, ev.at, &rims);
	for (int which = ATTEST_CHECK_SIGNATURE; which < ATTEST_CHECKS; which++)
		attest_finding(&res, &rims, (enum attest_check)which, "sample", ev.at, &out);
	assert_int_equal(out.count, 5);
	assert_string_equal(out.items[0].check->id, "attestation.signature");
	assert_string_equal(out.items[1].check->id, "attestation.certificate_chain");
	assert_string_equal(out.items[2].check->id, "attestation.revocation");
	assert_string_equal(out.items[3].check->id, "attestation.rim");
	assert_string_equal(out.items[4].check->id, "attestation.firmware_measurements");
	assert_int_equal(out.items[2].status, STATUS_SKIP);
	assert_int_equal(out.items[3].status, STATUS_SKIP);
	assert_int_equal(out.items[4].status, STATUS_SKIP);
	assert_null(rims.evidence);
	assert_string_equal(json_string_value(json_object_get(out.items[0].evidence, "nonce")), SAMPLE_NONCE);
	findings_free(&out);
}

static void test_hostile(void **state)
{
	struct attest_evidence ev;
	(void)state;

	load_samples();
	ev = evidence(report, report_len - 1, chain, chain_len);
	attest_verify(&ev, &res);
	assert_false(res.parsed);
	assert_int_equal(res.signature.status, STATUS_FAIL);
	ev = evidence(report, report_len, "not a certificate", 17);
	attest_verify(&ev, &res);
	assert_false(res.chain_read);
	assert_int_equal(res.chain.status, STATUS_FAIL);
	ev = evidence(report, report_len, "", 0);
	attest_verify(&ev, &res);
	assert_false(res.chain_read);
	ev = evidence(report, report_len, chain, chain_len);
	ev.revocation = (const uint8_t *)"junk";
	ev.revocation_len = 4;
	ev.revocation_name = "junk.der";
	attest_verify(&ev, &res);
	assert_false(res.revocation_read);
	assert_int_equal(res.revocation.status, STATUS_ERROR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_genuine),
		cmocka_unit_test(test_no_nonce),
		cmocka_unit_test(test_other_nonce),
		cmocka_unit_test(test_not_yet_valid),
		cmocka_unit_test(test_every_report_byte),
		cmocka_unit_test(test_every_certificate_byte),
		cmocka_unit_test(test_findings),
		cmocka_unit_test(test_hostile),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	free(chain);
	return rc;
}
