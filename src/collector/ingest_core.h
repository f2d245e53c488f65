/* Verify one report and store it, in one transaction: the path that
 * `serve` (POST /v1/reports) and `ingest --files-from` share. */
#ifndef CHIPAUDIT_COLLECTOR_INGEST_CORE_H
#define CHIPAUDIT_COLLECTOR_INGEST_CORE_H

#include <libpq-fe.h>
#include <stdint.h>

#include "collector/request.h"

enum enrolment { ENROL_OPERATOR, ENROL_FIRST_USE };

struct ingest_request {
	const char *body;
	size_t len;
	const char *sig_b64;     /* X-Chipaudit-Signature */
	const char *pubkey_b64;  /* X-Chipaudit-Public-Key (DER SPKI), for first-use enrolment; or NULL */
	size_t max_body;
	enum enrolment enrolment;
};

/* The outcome: http 201 (stored; kind "gap" when reports before it never
 * arrived), 4xx refused (an incident recorded), 500 or 503 when the
 * database failed (nothing stored). The reason is one line. */
struct ingest_outcome {
	struct refusal r;
	char host_id[96];   /* as the report claims it, cut short for the log; "" when unknown */
	int64_t sequence;
};

void ingest_one(PGconn *conn, const struct ingest_request *req, struct ed25519_verifier *v,
		struct ingest_outcome *out);

/* Record a refusal made before the report could be read (WHY: no host, no
 * key) as an incident. */
void ingest_record_refusal(PGconn *conn, const struct refusal *why);

/* Make sure this month's and next month's partitions exist (once a month
 * per process). */
void ingest_ensure_partitions(PGconn *conn);

#endif
