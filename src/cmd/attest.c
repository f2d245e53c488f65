/* chipaudit attest verify: an NVIDIA GPU's attestation report and its
 * certificate chain verified offline (checks/attestation_verify.h): the
 * nonce, the report's signature, the chain to NVIDIA's pinned Device
 * Identity CA at a time, and revocation from a file. Printed as an audit's
 * findings are; exits as judge does. docs/attestation.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checks/attestation_rim.h"
#include "checks/attestation_verify.h"
#include "cmd/cmd.h"
#include "core/error.h"
#include "core/fileio.h"
#include "core/util.h"

struct attest_options {
	const char *report, *certs, *nonce, *revocation, *at;
	struct rim_set *rims;
};

static const struct opt_row attest_rows[] = {
	OPT_STRING("report", 0, "FILE", "the attestation report: raw bytes, or hex text as NVIDIA's samples hold it",
	  struct attest_options, report),
	OPT_STRING("certs", 0, "FILE", "the GPU's certificate chain, leaf first: concatenated PEM (or DER)",
	  struct attest_options, certs),
	OPT_STRING("nonce", 0, "HEX", "the 32-byte nonce the verifier sent (64 hex digits); without it the "
	  "report's freshness is not checked", struct attest_options, nonce),
	OPT_STRING("revocation", 0, "FILE", "an OCSP response (DER) or a CRL (PEM or DER) for the chain, fetched "
	  "beforehand; without it revocation is not checked", struct attest_options, revocation),
	OPT_RIM("NVIDIA's driver and VBIOS RIMs (signed SWID tags): a file, used whatever its version, or a directory "
	  "whose RIMs are chosen by the versions the report names (repeatable); without them the measurements "
	  "are not compared with golden values", struct attest_options, rims),
	OPT_STRING("at", 0, "TIME", "check the certificates at TIME (YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or @EPOCH) "
	  "instead of the audit's time", struct attest_options, at),
	OPT_END,
};
static const struct opt_table attest_table = { NULL, attest_rows };

const struct cmd_spec attest_spec = {
	.name = "attest",
	.synopsis = "usage: chipaudit attest verify --report FILE --certs FILE [--nonce HEX] [--revocation FILE]\n"
		    "                               [--rim FILE|DIR] [--at TIME] [--json] [-o FILE] [--format FORMAT]\n",
	.about = "  Verify an NVIDIA GPU's attestation offline: the report's nonce, its signature by\n"
		 "  the GPU's attestation key, that key's chain to NVIDIA's Device Identity CA\n"
		 "  (pinned in data/attestation-roots.json) at a time, revocation from a file, and\n"
		 "  its measurements against the golden values of NVIDIA's signed RIMs.\n",
	.trailer = "Exit: 0 pass/skip only, 1 a warning, 2 a failure; 64-78 usage and input errors.\n",
	.operands = "verify",
	.tables = { &report_table, &attest_table },
};

/* TEXT: YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or @EPOCH, UTC. */
static int parse_time(const char *text, time_t *out)
{
	struct tm tm = { 0 };
	const char *end;
	char *stop;
	long long n;

	if (text[0] == '@') {
		n = strtoll(text + 1, &stop, 10);
		if (stop == text + 1 || *stop != '\0' || n < 0)
			return -1;
		*out = (time_t)n;
		return 0;
	}
	end = strptime(text, "%Y-%m-%d", &tm);
	if (end != NULL && *end == 'T')
		end = strptime(end + 1, "%H:%M:%SZ", &tm);
	if (end == NULL || *end != '\0')
		return -1;
	*out = timegm(&tm);
	return 0;
}

static int read_input(const char *option, const char *path, size_t max, char **data, size_t *len)
{
	char err[1024];
	int rc;

	if (path == NULL)
		return options_usage_error(&attest_spec, "%s FILE is required", option);
	if ((rc = read_file_bounded(path, max, data, len, err, sizeof(err))) != 0) {
		error_msg("%s", err);
		return exit_status(rc);
	}
	if (*len == 0) {
		error_msg("%s: empty file", path);
		return EXIT_DATAERR;
	}
	return 0;
}

/* The report file's bytes: hex text when it begins as hex text does
 * (NVIDIA's samples; a raw report begins with the SPDM version byte, 0x1N),
 * else raw. */
static int report_bytes(const char *path, const char *text, size_t len, uint8_t **out, size_t *outlen)
{
	char err[256];
	bool hex = true;

	for (size_t i = 0; i < len && i < 64 && hex; i++)
		hex = text[i] != '\0' && strchr("0123456789abcdefABCDEFxX \t\r\n", text[i]) != NULL;
	*out = xmalloc(len);
	if (!hex) {
		memcpy(*out, text, len);
		*outlen = len;
		return 0;
	}
	if (spdm_hex_decode(text, len, *out, len, outlen, err, sizeof(err)) != 0) {
		error_msg("%s: %s", path, err);
		return EXIT_DATAERR;
	}
	return 0;
}

static int parse_nonce(const char *text, uint8_t nonce[SPDM_NONCE_LEN])
{
	char err[256];
	size_t len = 0;

	if (strlen(text) != 2 * SPDM_NONCE_LEN ||
	    spdm_hex_decode(text, strlen(text), nonce, SPDM_NONCE_LEN, &len, err, sizeof(err)) != 0 ||
	    len != SPDM_NONCE_LEN)
		return options_usage_error(&attest_spec, "--nonce: expected %d hex digits (32 bytes), got '%s'",
					   2 * SPDM_NONCE_LEN, text);
	return 0;
}

/* Files that are not what they claim are input errors, not findings. */
static int input_error(const struct attest_options *o, const struct attest_result *res)
{
	if (!res->parsed) {
		error_msg("%s: not an SPDM attestation report: %s", o->report, res->report_error);
		return EXIT_DATAERR;
	}
	if (!res->chain_read) {
		error_msg("%s: not a certificate chain (concatenated PEM or DER certificates)", o->certs);
		return EXIT_DATAERR;
	}
	if (!res->revocation_read) {
		error_msg("%s: neither a DER OCSP response nor a CRL", o->revocation);
		return EXIT_DATAERR;
	}
	return 0;
}

static json_t *verify(const struct attest_options *o, struct attest_evidence *ev, int *rc)
{
	static struct attest_result res;   /* large: the report's measurement blocks */
	struct findings findings = { 0 };
	json_t *facts, *report;

	struct rim_outcome rims;

	attest_verify(ev, &res);
	if ((*rc = input_error(o, &res)) != 0)
		return NULL;
	rim_judge(o->rims, &res, ev->at, &rims);
	for (int which = ATTEST_CHECK_SIGNATURE; which < ATTEST_CHECKS; which++)
		attest_finding(&res, &rims, (enum attest_check)which, o->report, ev->at, &findings);
	json_decref(rims.evidence);
	facts = json_object();
	report = report_build(facts, &findings);
	json_decref(facts);
	findings_free(&findings);
	return report;
}

static int run(const struct common_options *co, const struct attest_options *o)
{
	uint8_t nonce[SPDM_NONCE_LEN], *report = NULL;
	struct attest_evidence ev = { .at = audit_clock(), .revocation_name = o->revocation };
	char *text = NULL, *chain = NULL, *revocation = NULL;
	size_t len = 0;
	json_t *result = NULL;
	int rc = 0;

	if (o->at && parse_time(o->at, &ev.at) != 0)
		rc = options_usage_error(&attest_spec, "--at: '%s' is not YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or @EPOCH",
					 o->at);
	if (rc == 0 && o->nonce && (rc = parse_nonce(o->nonce, nonce)) == 0)
		ev.nonce = nonce;
	if (rc == 0 && (rc = read_input("--report", o->report, 2 * ATTEST_REPORT_MAX + 1, &text, &len)) == 0)
		rc = report_bytes(o->report, text, len, &report, &ev.report_len);
	ev.report = report;
	if (rc == 0)
		rc = read_input("--certs", o->certs, ATTEST_CHAIN_MAX, &chain, &ev.chain_len);
	ev.chain = chain;
	if (rc == 0 && o->revocation)
		rc = read_input("--revocation", o->revocation, ATTEST_CHAIN_MAX, &revocation, &ev.revocation_len);
	ev.revocation = (const uint8_t *)revocation;
	if (rc == 0)
		result = verify(o, &ev, &rc);
	rc = finish_report(co, result, &(struct report_view){ .source = o->report }, rc);
	json_decref(result);
	free(text);
	free(report);
	free(chain);
	free(revocation);
	return rc;
}

int cmd_attest(int argc, char **argv)
{
	struct common_options co = { 0 };
	struct attest_options ao = { 0 };
	void *const ctx[] = { &co, &ao };
	struct operands ops;
	int rc = options_parse(&attest_spec, ctx, argc, argv, &ops);

	if (rc == OPTIONS_HELP)
		return 0;
	if (rc == 0 && (ops.n != 1 || strcmp(ops.v[0], "verify") != 0))
		rc = options_usage_error(&attest_spec, "expected the action 'verify'");
	else if (rc == 0 && co.json && co.exit_style == EXIT_STYLE_NAGIOS)
		rc = options_usage_error(&attest_spec, "--json and --exit-style nagios: a monitoring check prints a "
					 "status line; write the JSON report with -o FILE");
	else if (rc == 0)
		rc = report_format_check(&attest_spec, &co);
	rc = rc == 0 ? run(&co, &ao) : finish_report(&co, NULL, NULL, rc);
	options_free(&attest_spec, ctx);
	return rc;
}
