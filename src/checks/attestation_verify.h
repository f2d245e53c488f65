/* Offline verification of an NVIDIA GPU's attestation: the SPDM
 * GET_MEASUREMENTS report (parse/spdm.h), its signature by the device's
 * attestation key, that key's certificate chain to NVIDIA's device identity
 * root pinned in data/attestation-roots.json, and revocation from a file the
 * user gives. Reads no network: what cannot be checked offline is said so. */
#ifndef CHIPAUDIT_ATTESTATION_VERIFY_H
#define CHIPAUDIT_ATTESTATION_VERIFY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/check.h"
#include "parse/spdm.h"

/* Limits on what is read: a report is ~4 KiB, a chain ~5 KiB of PEM. */
#define ATTEST_REPORT_MAX (64 * 1024)
#define ATTEST_CHAIN_MAX (256 * 1024)

struct attest_evidence {
	const uint8_t *report;
	size_t report_len;
	const char *chain;           /* concatenated PEM, or concatenated DER, leaf first */
	size_t chain_len;
	const uint8_t *nonce;        /* the 32 bytes the requester sent; NULL: not known */
	time_t at;                   /* the time certificates must be valid at */
	const uint8_t *revocation;   /* an OCSP response (DER) or a CRL (PEM or DER); NULL: none */
	size_t revocation_len;
	const char *revocation_name; /* its file name, for messages */
};

/* One step's verdict: pass, fail, warn, skip or error, and why. */
struct attest_step {
	enum status status;
	char message[512];
};

struct attest_result {
	bool parsed;                 /* the report is a well-formed SPDM report */
	bool chain_read;             /* the chain file holds certificates only */
	bool revocation_read;        /* the revocation file is an OCSP response or a CRL (or none given) */
	char report_error[256];      /* why the report is not well formed */
	struct spdm_report report;
	char driver_version[32];
	char vbios_version[32];
	char leaf_subject[256];
	struct attest_step signature;
	struct attest_step chain;
	struct attest_step revocation;
};

/* Verify EV into RES (every step filled). Never fails: a root that cannot
 * be loaded is an error step with its reason. */
void attest_verify(const struct attest_evidence *ev, struct attest_result *res);

/* The attestation check family (src/checks/attestation.c):
 * attestation.signature, attestation.certificate_chain,
 * attestation.revocation, attestation.rim and
 * attestation.firmware_measurements, in that order. In the registry, they judge the
 * report and chain NVML gave for each GPU; `chipaudit attest verify` makes
 * the same findings of evidence given on its command line. */
extern const struct check_family attestation_family;

/* The family's checks, in its order. */
enum attest_check {
	ATTEST_CHECK_SIGNATURE,
	ATTEST_CHECK_CHAIN,
	ATTEST_CHECK_REVOCATION,
	ATTEST_CHECK_RIM,
	ATTEST_CHECK_MEASUREMENTS,
	ATTEST_CHECKS
};

struct rim_outcome;

/* The finding of check WHICH of SUBJECT (the report's file name, or the
 * GPU's PCI address): RES, and what the RIMs say of it (RIMS,
 * checks/attestation_rim.h). */
void attest_finding(const struct attest_result *res, const struct rim_outcome *rims, enum attest_check which,
		    const char *subject, time_t at, struct findings *out);

#endif
