/* The X.509 side of attestation, shared by the GPU's report
 * (attestation_verify.c) and NVIDIA's RIMs (attestation_rim.c): reading a
 * chain, loading a root pinned in data/attestation-roots.json, and
 * verifying a chain to that root at a time. */
#ifndef CHIPAUDIT_ATTEST_X509_H
#define CHIPAUDIT_ATTEST_X509_H

#include <openssl/x509.h>
#include <stddef.h>
#include <time.h>

#include "checks/attestation_verify.h"

/* The certificates of CHAIN (LEN bytes): concatenated PEM, else
 * concatenated DER. Every block must be a certificate: a damaged one is not
 * skipped. NULL when one is not. */
STACK_OF(X509) *attest_read_chain(const char *chain, size_t len);

/* CERT's subject, one line ("/CN=.../O=..."). */
void attest_subject(X509 *cert, char *out, size_t outlen);

/* The pinned root NAME ("device_identity", "rim") of
 * data/attestation-roots.json, checked against its fingerprint, read once
 * per data directory; NULL with err. The caller frees it (X509_free). */
X509 *attest_root(const char *name, char *err, size_t errlen);

/* CERTS (leaf first) verified up to ROOT, the only trust anchor, at AT
 * (every certificate's validity); then the path built must be CERTS, in
 * order, all of them (a copy of the root last, when CERTS carry one): a
 * certificate the path does not use is refused. OUT: pass, or fail naming
 * the certificate (its index, 0 the leaf) and OpenSSL's reason. */
void attest_chain_verify(STACK_OF(X509) *certs, X509 *root, time_t at, struct attest_step *out);

/* Set a step's verdict and message. */
void attest_step_set(struct attest_step *s, enum status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
