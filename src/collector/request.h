/* What the collector decides about one pushed report before it touches the
 * database, and what it decides once it has read the report's key and chain
 * head from there: pure functions of their inputs, so that the request
 * parser and the verdicts are fuzzed and tested without PostgreSQL.
 *
 * report_request_parse: size, the signature header, the report itself
 * (report_parse: strict JSON, duplicate keys refused, the evidence members
 * validated) and the rows the collector will store from it.
 * report_judge: the signature by the stored key, revocation, the host the
 * key belongs to, and the report's place after the stored chain head
 * (chain_follows, as `chipaudit verify --previous` judges it). */
#ifndef CHIPAUDIT_COLLECTOR_REQUEST_H
#define CHIPAUDIT_COLLECTOR_REQUEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evidence/chain.h"
#include "evidence/sign.h"

#define COLLECTOR_DEFAULT_MAX_BODY (8u << 20)
/* base64 of the 64-byte Ed25519 signature, padded */
#define SIGNATURE_B64_LEN 88

/* A refusal: its HTTP status, the incident it records (incidents.kind, or
 * NULL for none) and a one-line reason for the client and the log. */
struct refusal {
	int http;
	const char *kind;
	char reason[512];
};

/* A verified-to-be report as the collector stores it. Pointers into REPORT
 * stay valid while it does. */
struct parsed_report {
	json_t *report;
	const char *body;  /* the exact bytes, not owned */
	size_t len;
	unsigned char sig[SIGNATURE_LEN];
	struct chain_link link;  /* sha256 of the bytes, host_id, key, sequence, previous */
	const char *nonce, *time, *hostname, *worst;
	json_int_t trust_level;  /* -1: none */
	char *findings_json;     /* [{check_id, subject, status, severity}], one per subject */
	char *chips_json;        /* [{chip_id, uuid, serial, vendor, model, export_class, pci_address}] */
	size_t findings, chips;
};

/* Parse a pushed report: BODY of LEN bytes (at most MAX_BODY), SIG_B64 the
 * X-Chipaudit-Signature header (NULL when absent). 0, or -1 with WHY
 * (400 or 413). */
int report_request_parse(const char *body, size_t len, const char *sig_b64, size_t max_body,
			 struct parsed_report *out, struct refusal *why);
void parsed_report_free(struct parsed_report *p);

/* An Ed25519 public key from PEM (SubjectPublicKeyInfo) text or from its
 * DER bytes; NULL when it is neither. */
EVP_PKEY *collector_pubkey_pem(const char *pem, size_t len);
EVP_PKEY *collector_pubkey_der(const unsigned char *der, size_t len);
/* KEY as PEM text (malloc'd), or NULL. */
char *collector_pubkey_to_pem(EVP_PKEY *key);

/* The stored key a report names and its chain head. */
struct stored_key {
	const char *host_id;         /* the host it was enrolled for */
	EVP_PKEY *pkey;
	bool revoked;
	const char *revoked_reason;  /* may be NULL */
	int64_t last_sequence;       /* 0: no report of this key stored yet */
	const char *last_sha256;     /* NULL when none */
};

/* What report_judge found. */
enum judgement {
	JUDGED_STORE,      /* follows the head directly, or is the key's first */
	JUDGED_STORE_GAP,  /* later than head + 1: stored, with a gap incident (WHY says which) */
	JUDGED_REFUSED,    /* WHY says why */
	JUDGED_NEED_STORED /* at or before the head: call again with the sha256 stored at its sequence */
};

/* Judge P against KEY. STORED_AT_SEQUENCE: the sha256 of the report stored
 * with P's sequence for this key ("" when none), or NULL when not looked up
 * yet. V: a verification context to reuse, or NULL. */
enum judgement report_judge(const struct parsed_report *p, const struct stored_key *key,
			    const char *stored_at_sequence, struct ed25519_verifier *v, struct refusal *why);

void refuse(struct refusal *why, int http, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
