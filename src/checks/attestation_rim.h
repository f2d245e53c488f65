/* Golden values of a GPU's attestation: NVIDIA's Reference Integrity
 * Manifests (parse/rim.h) for the driver and the VBIOS, given as files or a
 * directory mirrored from NVIDIA's RIM service (--rim PATH). Each RIM is
 * verified offline (its XML signature by xmlsec with its signer's key, the
 * signer's chain to NVIDIA's RIM root pinned in data/attestation-roots.json),
 * then every active index of the two RIMs is compared with the report's
 * measurement of the same index, as NVIDIA's local verifier does
 * (nvtrust, verifier.py). docs/attestation.md. */
#ifndef CHIPAUDIT_ATTESTATION_RIM_H
#define CHIPAUDIT_ATTESTATION_RIM_H

#include <jansson.h>
#include <stddef.h>
#include <time.h>

#include "checks/attestation_verify.h"
#include "parse/rim.h"

struct rim_set;

/* Add PATH to *SET (created on first use): a RIM file, kept whatever its
 * version, or a directory whose regular files named *.swidtag or *.xml are
 * RIMs, chosen by version. 0, or an exit status with err naming the file
 * and the problem (a file that is not a RIM is an input error, 65; one that
 * is a RIM but not genuine is judged, not refused). */
int rim_set_add(struct rim_set **set, const char *path, char *err, size_t errlen);
void rim_set_free(struct rim_set *set);
size_t rim_set_count(const struct rim_set *set);

/* Whether RIM (read from NAME) is genuine at AT: its signer's chain (its
 * KeyInfo certificates, signer first) to the pinned RIM root, valid at AT,
 * then its XML signature with the signer's key. OUT: pass, fail naming the
 * certificate or the signature, or error (xmlsec or the root unavailable). */
void rim_genuine(const struct rim *rim, const char *name, time_t at, struct attest_step *out);

/* What the RIMs say of one GPU's verified report. */
struct rim_outcome {
	struct attest_step rim;            /* attestation.rim: the RIMs chosen are genuine and for this GPU */
	struct attest_step measurements;   /* attestation.firmware_measurements */
	json_t *evidence;                  /* the RIMs chosen, and indices matched, differing, not covered */
};

/* Judge RES (a report verified at AT by attest_verify) against SET (NULL:
 * no RIMs given). Each RIM is verified once per time and kept in SET. The
 * caller releases out->evidence. */
void rim_judge(struct rim_set *set, const struct attest_result *res, time_t at, struct rim_outcome *out);

#endif
