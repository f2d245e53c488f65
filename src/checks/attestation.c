/* The attestation family: the GPU's own signed attestation, as NVML gave it
 * to the audit (accelerators[].vendor_library.nvml.confidential_computing:
 * the SPDM report for the nonce chipaudit sent, and the attestation
 * certificate chain), verified offline by attestation_verify.c. A GPU without a report
 * (confidential computing off, an older driver, another vendor) is a skip
 * that says what would give one: unknown is never a pass. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checks/attestation_verify.h"
#include "core/base64.h"
#include "core/check.h"
#include "core/json.h"
#include "core/util.h"

enum attest_step_index { STEP_SIGNATURE, STEP_CHAIN, STEP_REVOCATION };

#define CC "confidential_computing"

/* Base64 text S into *out (caller frees), at most MAX bytes; -1 when it is
 * not base64 or too long. */
static int decode(const char *s, size_t max, unsigned char **out, size_t *len)
{
	size_t n = strlen(s);

	if (n > 4 * ((max + 2) / 3) || base64_decode(s, n, out, len) != 0)
		return -1;
	if (*len > max) {
		free(*out);
		return -1;
	}
	return 0;
}

/* The time certificates must be valid at: when the facts were gathered
 * (host.time), so that a snapshot is judged as of its day; now without. */
static time_t facts_time(const json_t *facts)
{
	const char *t = jstr(jobj(facts, "host"), "time");
	struct tm tm = { 0 };
	char *end;

	if (t && (end = strptime(t, "%Y-%m-%dT%H:%M:%SZ", &tm)) && *end == '\0')
		return timegm(&tm);
	return time(NULL);
}

/* Why ACC has no report to verify, or NULL when it has one. */
static const char *no_report(const json_t *acc, char *buf, size_t len)
{
	const json_t *nvml = jobj(jobj(acc, "vendor_library"), "nvml"), *cc = jobj(nvml, CC),
		     *why = jobj(nvml, "unavailable");

	if (!json_is_object(nvml))
		return "no NVML facts for this accelerator: the attestation report is read through NVML, on NVIDIA "
		       "Hopper and later GPUs";
	if (!json_is_true(json_object_get(jobj(jobj(acc, "runtime"), CC), "on")))
		return "confidential computing is off on this GPU, so it gives no attestation report: enable CC mode "
		       "(NVIDIA's gpu-admin-tools, driver 535 or later; docs/attestation.md)";
	if (jstr(jobj(cc, "attestation"), "report") == NULL) {
		const char *reason = jstr(why, CC ".attestation.report");
		snprintf(buf, len, "NVML gave no attestation report: %s", reason ? reason : "not collected");
		return buf;
	}
	if (jstr(jobj(cc, "certificates"), "attestation_chain") == NULL) {
		const char *reason = jstr(why, CC ".certificates.attestation_chain");
		snprintf(buf, len, "NVML gave no attestation certificate chain: %s", reason ? reason : "not collected");
		return buf;
	}
	return NULL;
}

/* Verify ACC's report, chain and nonce into RES. -1 with WHY when the facts
 * hold something that is not base64 (a facts file from elsewhere). */
static int verify_gpu(const json_t *acc, time_t at, struct attest_result *res, char *why, size_t whylen)
{
	const json_t *cc = jobj(jobj(jobj(acc, "vendor_library"), "nvml"), CC);
	const char *report_b64 = jstr(jobj(cc, "attestation"), "report"),
		   *nonce_b64 = jstr(jobj(cc, "attestation"), "nonce"),
		   *chain_b64 = jstr(jobj(cc, "certificates"), "attestation_chain");
	unsigned char *report = NULL, *chain = NULL, *nonce = NULL;
	size_t report_len, chain_len, nonce_len = 0;
	struct attest_evidence ev = { 0 };
	int rc = -1;

	if (decode(report_b64, ATTEST_REPORT_MAX, &report, &report_len) != 0)
		snprintf(why, whylen, "nvml." CC ".attestation.report: not base64 of at most %d bytes", ATTEST_REPORT_MAX);
	else if (decode(chain_b64, ATTEST_CHAIN_MAX, &chain, &chain_len) != 0)
		snprintf(why, whylen, "nvml." CC ".certificates.attestation_chain: not base64 of at most %d bytes",
			 ATTEST_CHAIN_MAX);
	else if (nonce_b64 && (decode(nonce_b64, SPDM_NONCE_LEN, &nonce, &nonce_len) != 0 || nonce_len != SPDM_NONCE_LEN))
		snprintf(why, whylen, "nvml." CC ".attestation.nonce: not base64 of %d bytes", SPDM_NONCE_LEN);
	else
		rc = 0;
	if (rc == 0) {
		ev.report = report;
		ev.report_len = report_len;
		ev.chain = (const char *)chain;
		ev.chain_len = chain_len;
		ev.nonce = nonce; /* NULL: the facts do not say which nonce was sent */
		ev.at = at;
		attest_verify(&ev, res);
	}
	free(report);
	free(chain);
	free(nonce);
	return rc;
}

/* One GPU's attestation, verified once for the three checks. */
struct gpu_attestation {
	const char *subject;
	const char *skip;          /* why there is nothing to verify, or NULL */
	bool malformed;            /* the facts' evidence is not base64: WHY says */
	char why[512];
	struct attest_result res;
};

static const struct attest_step *step_of(const struct attest_result *res, enum attest_step_index which)
{
	return which == STEP_SIGNATURE ? &res->signature : which == STEP_CHAIN ? &res->chain : &res->revocation;
}

static void add_step(const struct check *check, const struct gpu_attestation *g, enum attest_step_index which,
		     struct findings *out)
{
	const struct attest_step *step = step_of(&g->res, which);

	if (g->skip)
		finding_add(out, check, STATUS_SKIP, g->subject, NULL, NULL, "%s", g->skip);
	else if (g->malformed)
		finding_add(out, check, STATUS_ERROR, g->subject, json_pack("{s:s}", "error", g->why), NULL,
			    "the facts' attestation evidence is malformed: %s", g->why);
	else
		finding_add(out, check, step->status, g->subject, json_pack("{s:s, s:s, s:s}", "driver_version",
			    g->res.driver_version, "vbios_version", g->res.vbios_version, "leaf", g->res.leaf_subject),
			    step->status == STATUS_PASS ? NULL : "see docs/attestation.md: what each step needs and how to "
			    "give revocation data offline (chipaudit attest verify --revocation FILE)", "%s", step->message);
}

/* attestation.signature's walk verifies each GPU once and says all three
 * checks' findings, check by check (the order the report joins subjects
 * in): a verification is three ECDSA P-384 checks and a chain, not to be
 * repeated per check. The other two checks have nothing left to do. */
static void evaluate_all(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	(void)check;
	const json_t *accs = jarr(ctx->facts, "accelerators"), *acc;
	size_t n = json_array_size(accs), i;
	struct gpu_attestation *g = xcalloc(n + 1, sizeof(*g));
	time_t at = facts_time(ctx->facts);

	json_array_foreach(accs, i, acc) {
		g[i].subject = jstr(acc, "pci_address") ? jstr(acc, "pci_address") : "?";
		g[i].skip = no_report(acc, g[i].why, sizeof(g[i].why));
		if (g[i].skip == NULL)
			g[i].malformed = verify_gpu(acc, at, &g[i].res, g[i].why, sizeof(g[i].why)) != 0;
	}
	for (int which = STEP_SIGNATURE; which <= STEP_REVOCATION; which++)
		for (i = 0; i < n; i++)
			add_step(&attestation_family.checks[which], &g[i], (enum attest_step_index)which, out);
	free(g);
}

static void evaluated_with_signature(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	(void)check;
	(void)ctx;
	(void)out;
}

#define NEEDS (NEEDS_GPU | NEEDS_VENDOR_LIBRARY)

static const struct check attestation_checks[] = {
	{ "attestation.signature", "identity", "GPU attestation report signed by the device and fresh",
	  SEVERITY_CRITICAL, "the SPDM GET_MEASUREMENTS report, its nonce, the leaf certificate's key", NEEDS,
	  evaluate_all },
	{ "attestation.certificate_chain", "identity", "GPU attestation certificate chain ends at NVIDIA's pinned root",
	  SEVERITY_CRITICAL, "the certificate chain, data/attestation-roots.json, the time checked", NEEDS,
	  evaluated_with_signature },
	{ "attestation.revocation", "identity", "GPU attestation certificates not revoked", SEVERITY_HIGH,
	  "the OCSP response or CRL given, the certificate chain", NEEDS, evaluated_with_signature },
};

const struct check_family attestation_family = {
	"attestation", attestation_checks, ARRAY_SIZE(attestation_checks),
};
