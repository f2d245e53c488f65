/* A report signed as an in-toto Statement in a DSSE envelope.
 *
 * `audit --sign` signs (with --sign-format statement or both) a small in-toto
 * Statement v1 that names the report by the SHA-256 of its exact bytes and
 * carries, as its predicate, every member verify relies on (schema version,
 * host id, key fingerprint, sequence, previous report's hash, nonce, time).
 * The signature is pure Ed25519 over DSSE v1's pre-authentication encoding
 *   PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
 * (LEN in ASCII decimal), and the envelope is one JSON line, the file
 * REPORT.intoto.jsonl:
 *   {"payloadType":"application/vnd.in-toto+json","payload":"<base64>",
 *    "signatures":[{"keyid":"sha256:...","sig":"<base64>"}]}
 * keyid is a hint, never used for a decision. docs/evidence.md has the
 * commands that verify it with openssl, sha256sum, jq and base64.
 *
 * Everything read here is hostile: the envelope is at most DSSE_ENVELOPE_MAX
 * bytes, parsed strictly, and each refusal is one line "NAME: problem". */
#ifndef CHIPAUDIT_DSSE_H
#define CHIPAUDIT_DSSE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "evidence/chain.h"
#include "evidence/sign.h"

#define DSSE_PAYLOAD_TYPE "application/vnd.in-toto+json"
#define INTOTO_STATEMENT_TYPE "https://in-toto.io/Statement/v1"
#define CHIPAUDIT_PREDICATE_TYPE "https://chipaudit.invalid/evidence/v1"
/* The file beside the report: REPORT and this suffix. */
#define DSSE_SUFFIX ".intoto.jsonl"
/* Largest envelope read: chipaudit's are about 0.9 KB. */
#define DSSE_ENVELOPE_MAX 4096

/* PAE(TYPE, BODY); *len receives its length. Caller frees. */
unsigned char *dsse_pae(const char *type, const void *body, size_t body_len, size_t *len);

/* What the Statement's predicate carries besides the evidence members. */
struct dsse_predicate {
	struct evidence_members m;
	json_int_t schema_version;
	const char *time;             /* the report's host.time */
};

/* The Statement (compact JSON, no newline) naming the report NAME (its
 * subject[0].name, informational) by SHA256 (64 lowercase hex digits).
 * Caller frees; *len receives its length. */
char *dsse_statement(const char *name, const char *sha256, const struct dsse_predicate *p, size_t *len);

/* The envelope line (with its newline) for PAYLOAD, signed with SIG by the
 * key KEYID. Caller frees; *len receives its length. */
char *dsse_envelope(const void *payload, size_t payload_len, const char *keyid,
		    const unsigned char sig[SIGNATURE_LEN], size_t *len);

/* An envelope as read: its payloadType and payload are what was signed. */
struct dsse_envelope {
	char *payload_type;
	unsigned char *payload;
	size_t payload_len;
	unsigned char sig[SIGNATURE_LEN];
};

/* Parse envelope bytes (at most DSSE_ENVELOPE_MAX): an object of payloadType,
 * payload (base64) and signatures (one {keyid, sig}, sig the base64 of 64
 * bytes). Any payloadType is read: the signature covers it, so a changed one
 * is a signature that does not verify; dsse_statement_parse refuses one that
 * is not in-toto's. 0, or CA_ERR_DATA with err = "NAME: problem". */
int dsse_envelope_parse(const char *data, size_t len, const char *name, struct dsse_envelope *env,
			char *err, size_t errlen);
void dsse_envelope_free(struct dsse_envelope *env);

/* A Statement as read. predicate holds the members as the report carries
 * them (schema_version, host_id, public_key_fingerprint, nonce, sequence,
 * previous_sha256, time), validated as report_parse validates a report's. */
struct dsse_statement {
	json_t *root;
	const char *subject_name;            /* NULL when absent */
	char subject_sha256[SHA256_HEX_LEN + 1];
	const json_t *predicate;             /* in root */
};

/* Parse the Statement of an envelope: payloadType in-toto's, _type in-toto
 * Statement v1, one subject with a sha256 digest of 64 lowercase hex digits,
 * the chipaudit predicateType, and a predicate with every member and no
 * other. 0, or CA_ERR_DATA with err = "NAME: problem". */
int dsse_statement_parse(const struct dsse_envelope *env, const char *name, struct dsse_statement *st,
			 char *err, size_t errlen);
void dsse_statement_free(struct dsse_statement *st);

/* The first member of PREDICATE (a parsed Statement's) that REPORT (a
 * parsed report) does not carry with the same value (time: its host.time),
 * or NULL when they agree. */
const char *dsse_predicate_differs(const json_t *predicate, const json_t *report);

#endif
