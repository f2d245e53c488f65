/* The evidence members of a report and the chain they form.
 *
 * An audit adds to its report: host_id (the machine-id), the host key's
 * fingerprint, the verifier's nonce, a sequence number in the chain of
 * (host_id, key), the sha256 of the previous report of that chain (its exact
 * bytes) and the facts the report was judged from. docs/evidence.md has the
 * rules; docs/report.schema.json the members. */
#ifndef CHIPAUDIT_CHAIN_H
#define CHIPAUDIT_CHAIN_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "evidence/sign.h"

#define NONCE_MIN_HEX 8
#define NONCE_MAX_HEX 128
#define HOST_ID_MAX 256
/* The largest sequence number: 2^53. Integers beyond it are read differently
 * by readers that hold numbers as doubles (jq, JavaScript), so a report
 * carrying one could say two things. */
#define SEQUENCE_MAX ((int64_t)1 << 53)

struct evidence_members {
	const char *host_id;          /* machine-id, NULL when unknown */
	const char *fingerprint;      /* host key, NULL when there is none */
	const char *nonce;            /* lowercase hex, NULL when none was given */
	int64_t sequence;             /* 0 when the audit was not recorded in history */
	const char *previous_sha256;  /* NULL for the first of a chain, or when not recorded */
};

/* A verifier's nonce: NONCE_MIN_HEX to NONCE_MAX_HEX hex digits, either
 * case; stored lowercase in out (NONCE_MAX_HEX + 1 bytes). 0 or -1. */
int nonce_parse(const char *in, char *out);

/* Add the members to REPORT, followed by FACTS less the members the report
 * carries itself (host, accelerators, limitations). */
void evidence_add_members(json_t *report, const struct evidence_members *m, const json_t *facts);

/* Validate the evidence members of an untrusted report object (those
 * present: reports from `judge` have none); err = "member: problem". */
int evidence_validate_members(const json_t *report, char *err, size_t errlen);

/* A report summary's counts (those present): whole numbers from 0 to 2^53,
 * which a reader holding numbers as doubles (jq, JavaScript) reads as
 * jansson does. 0, or -1 with err. */
int summary_counts_validate(const json_t *summary, char *err, size_t errlen);

/* 0 when this build reads reports of schema VERSION, else -1 with err. */
int report_schema_check(json_int_t version, char *err, size_t errlen);

/* Parse and validate a report: strict JSON, the members diff and drift read
 * (host, accelerators, findings), the evidence members, and its facts when
 * it carries them. A report of an older schema is given the current form.
 * NULL with err = "NAME: problem". */
json_t *report_parse(const char *buf, size_t len, const char *name, char *err, size_t errlen);
/* The same from PATH; *error is CA_ERR_NOINPUT or CA_ERR_DATA. SHA256
 * (may be NULL) receives the hash of the file's bytes. */
json_t *report_load(const char *path, char sha256[SHA256_HEX_LEN + 1], char *err, size_t errlen, int *error);

/* The facts a report was judged from (its "facts" member, made whole again
 * by report_parse), or NULL. */
const json_t *report_facts(const json_t *report);

/* The facts the drift checks compare with, from DOC: a report's "facts"
 * (made whole: DOC is changed), or DOC itself when it is a facts document.
 * Validated; a new reference, or NULL with err = "NAME: problem". */
json_t *baseline_from_document(json_t *doc, const char *name, char *err, size_t errlen);

/* One report's place in a chain. */
struct chain_link {
	char sha256[SHA256_HEX_LEN + 1];  /* of its exact bytes */
	const char *host_id, *fingerprint;
	int64_t sequence;                 /* 0: not chained */
	const char *previous_sha256;
};

/* Verdicts, in the order they are looked for. */
enum chain_verdict {
	CHAIN_OK,
	CHAIN_REPLAYED,   /* the very report seen before */
	CHAIN_BROKEN,     /* another host or key, unchained, a forked sequence, or the hash link does not hold */
	CHAIN_MISSING,    /* sequence jumps: reports in between were not shown */
	CHAIN_REORDERED,  /* a sequence older than the previous report's */
};

/* Does CUR follow PREV directly? msg says why not. */
enum chain_verdict chain_follows(const struct chain_link *prev, const struct chain_link *cur, char *msg, size_t msglen);

#endif
