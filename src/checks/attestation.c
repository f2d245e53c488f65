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
#include <strings.h>
#include <time.h>

#include "checks/attest_x509.h"
#include "checks/attestation.h"
#include "checks/attestation_rim.h"
#include "checks/attestation_verify.h"
#include "core/base64.h"
#include "core/check.h"
#include "core/json.h"
#include "core/util.h"

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

/* A report signed and fresh must also be of the driver and VBIOS the GPU
 * runs, as NVML reports them (NVIDIA's verifier compares the same two): a
 * report whose opaque data names other versions was not made by the running
 * driver. attestation.signature fails then, naming both; its measurements
 * are still compared, since the GPU signed them for the nonce sent. A
 * version NVML did not give is said, not assumed to match. */
static void check_versions(const json_t *facts, const json_t *acc, struct attest_result *res)
{
	const char *driver = jstr(jobj(facts, "nvml"), "driver_version"),
		   *vbios = jstr(jobj(jobj(acc, "vendor_library"), "nvml"), "vbios_version");
	char was[sizeof(res->signature.message)];

	if (!res->parsed || (res->signature.status != STATUS_PASS && res->signature.status != STATUS_WARN))
		return;
	snprintf(was, sizeof(was), "%s", res->signature.message);
	if (driver && *res->driver_version && strcasecmp(driver, res->driver_version) != 0)
		attest_step_set(&res->signature, STATUS_FAIL, "the report names driver %s, but NVML reports driver %s "
				"loaded: it is not the running driver's report", res->driver_version, driver);
	else if (vbios && *res->vbios_version && strcasecmp(vbios, res->vbios_version) != 0)
		attest_step_set(&res->signature, STATUS_FAIL, "the report names VBIOS %s, but NVML reports VBIOS %s on "
				"this GPU: it is not this GPU's running firmware's report", res->vbios_version, vbios);
	else if (driver && vbios && *res->driver_version && *res->vbios_version)
		attest_step_set(&res->signature, res->signature.status, "%s, of driver %s and VBIOS %s as NVML reports",
				was, res->driver_version, res->vbios_version);
	else
		attest_step_set(&res->signature, res->signature.status, "%s; its driver and VBIOS versions not compared "
				"with the running ones (%s)", was,
				!*res->driver_version || !*res->vbios_version ? "the report does not name both"
									      : "NVML did not report both");
}

/* Verify ACC's report, chain and nonce into RES, and judge it against the
 * RIMs into RIMS. *REPORT: the report's bytes, which RES points into (the
 * caller frees them after RES). -1 with WHY when the facts hold something
 * that is not base64 (a facts file from elsewhere). */
static int verify_gpu(const json_t *facts, const json_t *acc, time_t at, struct rim_set *rim_set,
		      struct attest_result *res, struct rim_outcome *rims, unsigned char **report, char *why,
		      size_t whylen)
{
	const json_t *cc = jobj(jobj(jobj(acc, "vendor_library"), "nvml"), CC);
	const char *report_b64 = jstr(jobj(cc, "attestation"), "report"),
		   *nonce_b64 = jstr(jobj(cc, "attestation"), "nonce"),
		   *chain_b64 = jstr(jobj(cc, "certificates"), "attestation_chain");
	unsigned char *chain = NULL, *nonce = NULL;
	size_t report_len, chain_len, nonce_len = 0;
	struct attest_evidence ev = { 0 };
	int rc = -1;

	*report = NULL;
	if (decode(report_b64, ATTEST_REPORT_MAX, report, &report_len) != 0)
		snprintf(why, whylen, "nvml." CC ".attestation.report: not base64 of at most %d bytes", ATTEST_REPORT_MAX);
	else if (decode(chain_b64, ATTEST_CHAIN_MAX, &chain, &chain_len) != 0)
		snprintf(why, whylen, "nvml." CC ".certificates.attestation_chain: not base64 of at most %d bytes",
			 ATTEST_CHAIN_MAX);
	else if (nonce_b64 && (decode(nonce_b64, SPDM_NONCE_LEN, &nonce, &nonce_len) != 0 || nonce_len != SPDM_NONCE_LEN))
		snprintf(why, whylen, "nvml." CC ".attestation.nonce: not base64 of %d bytes", SPDM_NONCE_LEN);
	else
		rc = 0;
	if (rc == 0) {
		ev.report = *report;
		ev.report_len = report_len;
		ev.chain = (const char *)chain;
		ev.chain_len = chain_len;
		ev.nonce = nonce; /* NULL: the facts do not say which nonce was sent */
		ev.at = at;
		attest_verify(&ev, res);
		rim_judge(rim_set, res, at, rims);
		check_versions(facts, acc, res);
	}
	free(chain);
	free(nonce);
	return rc;
}

/* One GPU's attestation. */
struct gpu_attestation {
	const char *subject;
	const char *skip;          /* why there is nothing to verify, or NULL */
	bool malformed;            /* the facts' evidence is not base64: WHY says */
	char why[512];
	unsigned char *report;     /* the report's bytes: RES points into them */
	struct attest_result res;
	struct rim_outcome rims;
};

static void add_finding(const struct check *check, const struct gpu_attestation *g, enum attest_check which,
			time_t at, struct findings *out)
{
	if (g->skip)
		finding_add(out, check, STATUS_SKIP, g->subject, NULL, NULL, "%s", g->skip);
	else if (g->malformed)
		finding_add(out, check, STATUS_ERROR, g->subject, json_pack("{s:s}", "error", g->why), NULL,
			    "the facts' attestation evidence is malformed: %s", g->why);
	else
		attest_finding(&g->res, &g->rims, which, g->subject, at, out);
}

/* Every GPU of the facts, verified once per judgement: a verification is
 * five ECDSA P-384 checks, a chain and the RIMs, read by the family's five
 * checks and by backdoor.firmware.integrity. */
struct node_attestation {
	size_t count;
	time_t at;
	struct gpu_attestation *gpus;
};

static const char memo_key;   /* its address names the node's attestation in the judge memo */

static void node_attestation_free(void *p)
{
	struct node_attestation *node = p;

	for (size_t i = 0; i < node->count; i++) {
		json_decref(node->gpus[i].rims.evidence);
		free(node->gpus[i].report);
	}
	free(node->gpus);
	free(node);
}

static const struct node_attestation *attestation_of(const struct judge_ctx *ctx)
{
	struct node_attestation *node = judge_memo_get(ctx, &memo_key);
	const json_t *accs = jarr(ctx->facts, "accelerators"), *acc;
	size_t i;

	if (node != NULL)
		return node;
	node = xcalloc(1, sizeof(*node));
	node->count = json_array_size(accs);
	node->gpus = xcalloc(node->count + 1, sizeof(*node->gpus));
	node->at = facts_time(ctx->facts);
	json_array_foreach(accs, i, acc) {
		struct gpu_attestation *g = &node->gpus[i];
		g->subject = jstr(acc, "pci_address") ? jstr(acc, "pci_address") : "?";
		g->skip = no_report(acc, g->why, sizeof(g->why));
		if (g->skip == NULL)
			g->malformed = verify_gpu(ctx->facts, acc, node->at, ctx->options->rims, &g->res, &g->rims,
						  &g->report, g->why, sizeof(g->why)) != 0;
	}
	judge_memo_put(ctx, &memo_key, node, node_attestation_free);
	return node;
}

void attestation_firmware(const struct judge_ctx *ctx, struct firmware_attestation *out)
{
	const struct node_attestation *node = attestation_of(ctx);

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < node->count; i++) {
		const struct gpu_attestation *g = &node->gpus[i];
		if (!json_is_object(jobj(jobj(json_array_get(jarr(ctx->facts, "accelerators"), i), "vendor_library"),
					 "nvml")))
			continue;
		out->gpus++;
		if (g->skip || g->malformed)
			continue;
		if (g->rims.measurements.status == STATUS_PASS)
			out->verified++;
		else if (g->rims.measurements.status == STATUS_FAIL && out->differ++ == 0)
			out->first_differ = g->subject;
	}
}

/* attestation.signature's walk says all the family's findings, check by
 * check (the order the report joins subjects in); the other checks have
 * nothing left to do. */
static void evaluate_all(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	(void)check;
	const struct node_attestation *node = attestation_of(ctx);

	for (int which = ATTEST_CHECK_SIGNATURE; which < ATTEST_CHECKS; which++)
		for (size_t i = 0; i < node->count; i++)
			add_finding(&attestation_family.checks[which], &node->gpus[i], (enum attest_check)which, node->at,
				    out);
}

static void evaluated_with_signature(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	(void)check;
	(void)ctx;
	(void)out;
}

#define NEEDS (NEEDS_GPU | NEEDS_VENDOR_LIBRARY)

static const struct check attestation_checks[] = {
	{ "attestation.signature", "identity",
	  "GPU attestation report signed by the device, fresh, and of the driver and VBIOS running", SEVERITY_CRITICAL,
	  "the SPDM GET_MEASUREMENTS report, its nonce, the leaf certificate's key, NVML's driver and VBIOS versions", NEEDS,
	  evaluate_all },
	{ "attestation.certificate_chain", "identity", "GPU attestation certificate chain ends at NVIDIA's pinned root",
	  SEVERITY_CRITICAL, "the certificate chain, data/attestation-roots.json, the time checked", NEEDS,
	  evaluated_with_signature },
	{ "attestation.revocation", "identity", "GPU attestation certificates not revoked", SEVERITY_HIGH,
	  "the OCSP response or CRL given, the certificate chain", NEEDS, evaluated_with_signature },
	{ "attestation.rim", "identity", "NVIDIA's RIMs for the GPU's driver and VBIOS genuine", SEVERITY_HIGH,
	  "the RIMs given (--rim), their XML signature and chain, data/attestation-roots.json", NEEDS,
	  evaluated_with_signature },
	{ "attestation.firmware_measurements", "backdoor", "GPU firmware measurements match NVIDIA's golden values",
	  SEVERITY_CRITICAL, "the report's measurement blocks, the golden values of the genuine RIMs", NEEDS,
	  evaluated_with_signature },
};

const struct check_family attestation_family = {
	"attestation", attestation_checks, ARRAY_SIZE(attestation_checks),
};
