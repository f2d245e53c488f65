#include "checks/attestation_verify.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/attest_x509.h"
#include "checks/attestation_rim.h"
#include "core/data.h"
#include "core/error.h"
#include "core/json.h"
#include "core/util.h"

static void check_nonce(const struct attest_evidence *ev, struct attest_result *res, bool *fresh)
{
	char sent[2 * SPDM_NONCE_LEN + 1], got[2 * SPDM_NONCE_LEN + 1];

	*fresh = false;
	hex_encode(res->report.req_nonce, SPDM_NONCE_LEN, got);
	if (ev->nonce == NULL)
		return;
	hex_encode(ev->nonce, SPDM_NONCE_LEN, sent);
	if (memcmp(ev->nonce, res->report.req_nonce, SPDM_NONCE_LEN) != 0)
		attest_step_set(&res->signature, STATUS_FAIL, "the report answers nonce %s, not the one sent (%s): a replayed "
		     "or substituted report", got, sent);
	else
		*fresh = true;
}

/* ECDSA P-384 over request || response-without-signature, SHA-384, the
 * signature as raw r || s (what NVIDIA's verifier checks). */
static int signature_verifies(X509 *leaf, const struct spdm_report *rep, const uint8_t *data, char *why, size_t whylen)
{
	EVP_PKEY *key = X509_get0_pubkey(leaf);
	ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(rep->signature, 48, NULL), *s = BN_bin2bn(rep->signature + 48, 48, NULL);
	unsigned char *der = NULL;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int derlen, ok = 0;
	char group[32] = "";

	snprintf(why, whylen, "the signature could not be checked (out of memory)");
	if (key != NULL)
		EVP_PKEY_get_group_name(key, group, sizeof(group), NULL);
	if (key == NULL || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC || strcmp(group, "secp384r1") != 0) {
		snprintf(why, whylen, "the leaf certificate's key is not an EC P-384 key");
		goto out;
	}
	if (sig == NULL || r == NULL || s == NULL || md == NULL || !ECDSA_SIG_set0(sig, r, s))
		goto out;
	r = s = NULL;
	derlen = i2d_ECDSA_SIG(sig, &der);
	if (derlen > 0 && EVP_DigestVerifyInit(md, NULL, EVP_sha384(), NULL, key) == 1 &&
	    EVP_DigestVerify(md, der, (size_t)derlen, data, rep->signed_len) == 1)
		ok = 1;
	else
		snprintf(why, whylen, "the signature does not verify with the leaf certificate's key");
out:
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(sig);
	OPENSSL_free(der);
	EVP_MD_CTX_free(md);
	ERR_clear_error();
	return ok;
}

static void verify_signature(const struct attest_evidence *ev, struct attest_result *res, STACK_OF(X509) *certs)
{
	char why[160];
	bool fresh;

	if (!res->parsed)
		return;
	check_nonce(ev, res, &fresh);
	if (res->signature.status == STATUS_FAIL)
		return;
	if (certs == NULL || sk_X509_num(certs) == 0) {
		attest_step_set(&res->signature, STATUS_FAIL, "no certificate in the chain to verify the report's signature with");
		return;
	}
	if (!signature_verifies(sk_X509_value(certs, 0), &res->report, ev->report, why, sizeof(why))) {
		attest_step_set(&res->signature, STATUS_FAIL, "%s (%s): the report is not what the GPU signed", why, res->leaf_subject);
		return;
	}
	if (fresh)
		attest_step_set(&res->signature, STATUS_PASS, "the report is signed by the key of %s and answers the nonce sent",
		     res->leaf_subject);
	else
		attest_step_set(&res->signature, STATUS_WARN, "the report is signed by the key of %s, but its freshness is not "
		     "checked: the nonce sent is not known (a replayed report would pass)", res->leaf_subject);
}

/* The issuer of CERT among CERTS and ROOT, or NULL. */
static X509 *issuer_of(X509 *cert, STACK_OF(X509) *certs, X509 *root)
{
	for (int i = 0; i < sk_X509_num(certs); i++)
		if (X509_check_issued(sk_X509_value(certs, i), cert) == X509_V_OK)
			return sk_X509_value(certs, i);
	return X509_check_issued(root, cert) == X509_V_OK ? root : NULL;
}

/* Whether AT lies between THIS and NEXT (NEXT NULL: no end). */
static bool current_at(const ASN1_TIME *this, const ASN1_TIME *next, time_t at)
{
	return this != NULL && ASN1_TIME_cmp_time_t(this, at) <= 0 && (next == NULL || ASN1_TIME_cmp_time_t(next, at) >= 0);
}

/* A CRL: signed by the issuer of a certificate of the chain; names it or not. */
static bool check_crl(const struct attest_evidence *ev, struct attest_result *res, X509_CRL *crl,
		      STACK_OF(X509) *certs, X509 *root)
{
	char subject[256];
	int covered = 0;

	for (int i = 0; i < sk_X509_num(certs); i++) {
		X509 *cert = sk_X509_value(certs, i), *issuer = issuer_of(cert, certs, root);
		X509_REVOKED *rev = NULL;

		if (issuer == NULL || X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer)) != 0)
			continue;
		if (X509_CRL_verify(crl, X509_get0_pubkey(issuer)) != 1) {
			attest_step_set(&res->revocation, STATUS_FAIL, "%s: the CRL's signature does not verify with its issuer's key",
			     ev->revocation_name);
			return true;
		}
		attest_subject(cert, subject, sizeof(subject));
		if (X509_CRL_get0_by_cert(crl, &rev, cert) == 1) {
			attest_step_set(&res->revocation, STATUS_FAIL, "%s: certificate %d (%s) is revoked", ev->revocation_name, i,
			     subject);
			return true;
		}
		covered++;
	}
	if (covered > 0 && !current_at(X509_CRL_get0_lastUpdate(crl), X509_CRL_get0_nextUpdate(crl), ev->at))
		attest_step_set(&res->revocation, STATUS_FAIL, "%s: the CRL is not current at the time checked (last update to next "
		     "update): a newer one may list a certificate of the chain", ev->revocation_name);
	else if (covered == 0)
		attest_step_set(&res->revocation, STATUS_SKIP, "revocation not checked: %s is a CRL of no issuer in this chain",
		     ev->revocation_name);
	else
		attest_step_set(&res->revocation, STATUS_PASS, "%s: a CRL signed by its issuer lists none of %d certificate(s) it "
		     "covers", ev->revocation_name, covered);
	return true;
}

static X509_CRL *read_crl(const uint8_t *data, size_t len)
{
	const unsigned char *p = data;
	BIO *bio;
	X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)len);

	if (crl != NULL)
		return crl;
	bio = BIO_new_mem_buf(data, (int)len);
	crl = bio ? PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	return crl;
}

/* The status BASIC gives of LEAF, whichever digest its certificate ids use
 * (the requester chooses: NVIDIA's verifier asks with SHA-384). */
static bool leaf_status(OCSP_BASICRESP *basic, X509 *leaf, X509 *issuer, int *status, int *reason,
			ASN1_GENERALIZEDTIME **revtime, ASN1_GENERALIZEDTIME **thisupd, ASN1_GENERALIZEDTIME **nextupd)
{
	const EVP_MD *digests[] = { EVP_sha384(), EVP_sha256(), EVP_sha512(), EVP_sha1() };
	bool found = false;

	for (size_t i = 0; i < ARRAY_SIZE(digests) && !found; i++) {
		OCSP_CERTID *id = OCSP_cert_to_id(digests[i], leaf, issuer);

		found = id != NULL && OCSP_resp_find_status(basic, id, status, reason, revtime, thisupd, nextupd) == 1;
		OCSP_CERTID_free(id);
	}
	return found;
}

/* An OCSP response: signed for the chain (by the root's hierarchy), and the
 * status of the leaf. */
static void check_ocsp(const struct attest_evidence *ev, struct attest_result *res, OCSP_RESPONSE *resp,
		       STACK_OF(X509) *certs, X509 *root)
{
	OCSP_BASICRESP *basic = OCSP_response_get1_basic(resp);
	X509_STORE *store = X509_STORE_new();
	X509 *leaf = sk_X509_value(certs, 0), *issuer = issuer_of(leaf, certs, root);
	int status = -1, reason;
	ASN1_GENERALIZEDTIME *revtime, *thisupd, *nextupd;
	bool found = basic != NULL && issuer != NULL &&
		     leaf_status(basic, leaf, issuer, &status, &reason, &revtime, &thisupd, &nextupd);

	if (store != NULL)
		X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store), ev->at);
	if (OCSP_response_status(resp) != OCSP_RESPONSE_STATUS_SUCCESSFUL || basic == NULL) {
		attest_step_set(&res->revocation, STATUS_FAIL, "%s: the OCSP responder did not answer successfully",
		     ev->revocation_name);
	} else if (store == NULL || !X509_STORE_add_cert(store, root) ||
		   OCSP_basic_verify(basic, certs, store, 0) != 1) {
		attest_step_set(&res->revocation, STATUS_FAIL, "%s: the OCSP response's signature does not chain to the pinned root",
		     ev->revocation_name);
	} else if (!found) {
		attest_step_set(&res->revocation, STATUS_SKIP, "revocation not checked: %s says nothing of the leaf certificate",
		     ev->revocation_name);
	} else if (!current_at(thisupd, nextupd, ev->at)) {
		attest_step_set(&res->revocation, STATUS_FAIL, "%s: the OCSP response is not current at the time checked (this "
		     "update to next update)", ev->revocation_name);
	} else if (status == V_OCSP_CERTSTATUS_GOOD) {
		attest_step_set(&res->revocation, STATUS_PASS, "%s: the OCSP responder says the leaf certificate is good",
		     ev->revocation_name);
	} else {
		attest_step_set(&res->revocation, STATUS_FAIL, "%s: the OCSP responder says the leaf certificate is %s",
		     ev->revocation_name, OCSP_cert_status_str(status));
	}
	X509_STORE_free(store);
	OCSP_BASICRESP_free(basic);
}

static void verify_revocation(const struct attest_evidence *ev, struct attest_result *res, STACK_OF(X509) *certs,
			      X509 *root)
{
	const unsigned char *p = ev->revocation;
	OCSP_RESPONSE *resp;
	X509_CRL *crl;

	if (ev->revocation == NULL) {
		attest_step_set(&res->revocation, STATUS_SKIP, "revocation not checked: no OCSP response or CRL given "
		     "(--revocation FILE, fetched from NVIDIA's OCSP service on a connected machine)");
		return;
	}
	if ((resp = d2i_OCSP_RESPONSE(NULL, &p, (long)ev->revocation_len)) != NULL) {
		check_ocsp(ev, res, resp, certs, root);
		OCSP_RESPONSE_free(resp);
	} else if ((crl = read_crl(ev->revocation, ev->revocation_len)) != NULL) {
		check_crl(ev, res, crl, certs, root);
		X509_CRL_free(crl);
	} else {
		attest_step_set(&res->revocation, STATUS_ERROR, "%s: neither a DER OCSP response nor a CRL", ev->revocation_name);
		res->revocation_read = false;
	}
	ERR_clear_error();
}

void attest_verify(const struct attest_evidence *ev, struct attest_result *res)
{
	STACK_OF(X509) *certs;
	X509 *root;
	char err[256];

	memset(res, 0, sizeof(*res));
	attest_step_set(&res->signature, STATUS_ERROR, "not examined");
	attest_step_set(&res->chain, STATUS_ERROR, "%s", "");
	attest_step_set(&res->revocation, STATUS_SKIP, "revocation not checked: the chain was not verified");
	res->revocation_read = true;
	if (spdm_parse_report(ev->report, ev->report_len, &res->report, res->report_error,
			      sizeof(res->report_error)) != 0)
		attest_step_set(&res->signature, STATUS_FAIL, "the attestation report is malformed: %s", res->report_error);
	else
		res->parsed = true;
	if (res->parsed) {
		spdm_opaque_string(&res->report, SPDM_OPAQUE_DRIVER_VERSION, res->driver_version,
				   sizeof(res->driver_version));
		spdm_vbios_version(&res->report, res->vbios_version, sizeof(res->vbios_version));
	}
	certs = attest_read_chain(ev->chain, ev->chain_len);
	if (certs == NULL || sk_X509_num(certs) == 0) {
		attest_step_set(&res->chain, STATUS_FAIL, "the certificate chain holds no readable certificate");
		if (res->parsed)
			attest_step_set(&res->signature, STATUS_FAIL, "no certificate to verify the report's signature with");
		sk_X509_pop_free(certs, X509_free);
		return;
	}
	res->chain_read = true;
	attest_subject(sk_X509_value(certs, 0), res->leaf_subject, sizeof(res->leaf_subject));
	verify_signature(ev, res, certs);
	root = attest_root("device_identity", err, sizeof(err));
	if (root == NULL) {
		attest_step_set(&res->chain, STATUS_ERROR, "%s", err);
	} else {
		attest_chain_verify(certs, root, ev->at, &res->chain);
		if (res->chain.status == STATUS_PASS)
			verify_revocation(ev, res, certs, root);
	}
	X509_free(root);
	sk_X509_pop_free(certs, X509_free);
}

/* What the findings show of the report: its versions, nonce and signer. */
static json_t *evidence_of(const struct attest_result *res, time_t at)
{
	char nonce[2 * SPDM_NONCE_LEN + 1], when[32];
	json_t *ev = json_object();
	struct tm tm;

	if (res->parsed) {
		hex_encode(res->report.req_nonce, SPDM_NONCE_LEN, nonce);
		jset_str(ev, "nonce", nonce);
		jset_int(ev, "measurement_blocks", (json_int_t)res->report.nblocks);
		jset_str(ev, "driver_version", res->driver_version);
		jset_str(ev, "vbios_version", res->vbios_version);
	}
	if (res->chain_read)
		jset_str(ev, "leaf_certificate", res->leaf_subject);
	if (gmtime_r(&at, &tm) != NULL && strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) > 0)
		jset_str(ev, "checked_at", when);
	return ev;
}

/* What each check asks of a GPU that fails it. */
static const char *const remedies[] = {
	"attest again with a fresh nonce (--nonce HEX, the one the verifier sent); a report that fails is not the "
	"GPU's answer and none of its measurements can be trusted",
	"obtain the GPU's chain with the report (nvidia-smi conf-compute or NVML); a chain that does not reach "
	"NVIDIA's Device Identity CA is not NVIDIA's",
	"fetch NVIDIA's OCSP response for the chain on a connected machine and give it with --revocation FILE "
	"(docs/attestation.md)",
	"mirror NVIDIA's driver and VBIOS RIMs for the versions the GPU runs and give them with --rim DIR "
	"(docs/attestation.md); a RIM that is not genuine is not NVIDIA's, and its values prove nothing",
	"the GPU runs firmware whose measurements NVIDIA's RIMs do not list: keep the report, update the driver or "
	"VBIOS to a release NVIDIA publishes RIMs for, and investigate a changed measurement as changed firmware",
};

void attest_finding(const struct attest_result *res, const struct rim_outcome *rims, enum attest_check which,
		    const char *subject, time_t at, struct findings *out)
{
	const struct attest_step *steps[] = { &res->signature, &res->chain, &res->revocation, &rims->rim,
					      &rims->measurements };
	json_t *ev = evidence_of(res, at);

	if (which >= ATTEST_CHECK_RIM && rims->evidence != NULL)
		json_object_set(ev, "rims", rims->evidence);
	finding_add(out, &attestation_family.checks[which], steps[which]->status, subject, ev,
		    steps[which]->status == STATUS_PASS ? NULL : remedies[which], "%s", steps[which]->message);
}
