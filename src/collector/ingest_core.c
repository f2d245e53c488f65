/* Verify one report and store it in one transaction (ingest_core.h).
 *
 * Nothing of a report is believed before it is verified: it is parsed and
 * checked without the database (request.c), then, inside one transaction,
 * its key and that key's chain head are read and locked (the host's row
 * serialises its chain: one report of a host at a time), the signature and
 * the chain judged, and only then is anything written. A refusal rolls the
 * transaction back and records the incident in a transaction of its own:
 * no half report is ever stored, and a report answered 201 is committed. */
#include "collector/ingest_core.h"

#include <inttypes.h>
#include <openssl/evp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector/db.h"
#include "core/util.h"

/* How long a nonce of GET /v1/nonce stays good. */
#define NONCE_TTL "1 hour"

void ingest_ensure_partitions(PGconn *conn)
{
	static atomic_int ensured;  /* YYYYMM of the last month made sure of */
	time_t now = time(NULL);
	struct tm tm;
	int month;

	gmtime_r(&now, &tm);
	month = (tm.tm_year + 1900) * 100 + tm.tm_mon + 1;
	if (atomic_load(&ensured) == month)
		return;
	/* Next month's too, ahead of time: a row that lands in the DEFAULT
	 * partition would stop that month's partition from being made. */
	if (db_exec(conn, "SELECT ensure_month_partitions(now()), ensure_month_partitions(now() + interval '1 month')",
		    0, NULL, NULL))
		atomic_store(&ensured, month);
}

static void fail_db(PGconn *conn, PGresult *r, struct ingest_outcome *out)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	char msg[256];

	db_error(conn, r, msg, sizeof(msg));
	if (PQstatus(conn) != CONNECTION_OK)
		refuse(&out->r, 503, NULL, "database unavailable: %s", msg);
	else if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0))
		refuse(&out->r, 503, NULL, "busy, try again: %s", msg);
	else
		refuse(&out->r, 500, NULL, "database error: %s", msg);
}

static char *num(char buf[24], int64_t n)
{
	snprintf(buf, 24, "%" PRId64, n);
	return buf;
}

/* Record a refusal as an incident, in a transaction of its own. Forks and
 * reports claiming another host keep their bytes and signature: both are
 * signed by a key the collector knows, and prove what that key's holder did. */
static void record_incident(PGconn *conn, const struct parsed_report *p, const struct refusal *why)
{
	bool keep = why->kind && (strcmp(why->kind, "fork") == 0 || strcmp(why->kind, "wrong-host") == 0) && p->report;
	char seq[24];
	const char *params[8] = { why->kind, p->link.host_id, p->link.fingerprint,
				  p->link.sequence ? num(seq, p->link.sequence) : NULL,
				  p->report ? p->link.sha256 : NULL, why->reason,
				  keep ? p->body : NULL, keep ? (const char *)p->sig : NULL };
	int lengths[8] = { 0, 0, 0, 0, 0, 0, keep ? (int)p->len : 0, keep ? SIGNATURE_LEN : 0 };
	int formats[8] = { 0, 0, 0, 0, 0, 0, 1, 1 };
	PGresult *r = PQexecParams(conn, "INSERT INTO incidents (kind, host_id, key_fingerprint, sequence, sha256, detail, "
				   "body, signature) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", 8, NULL, params, lengths,
				   formats, 0);

	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		char msg[256];
		error_msg("serve: the incident could not be recorded: %s", db_error(conn, r, msg, sizeof(msg)));
	}
	PQclear(r);
}

void ingest_record_refusal(PGconn *conn, const struct refusal *why)
{
	struct parsed_report none = { 0 };

	record_incident(conn, &none, why);
}

struct key_row {
	PGresult *r;  /* holds the strings */
	struct stored_key k;
	bool host_has_reports;  /* hosts.last_report_id is set: the host has current findings */
};

static void key_row_free(struct key_row *kr)
{
	EVP_PKEY_free(kr->k.pkey);
	PQclear(kr->r);
	memset(kr, 0, sizeof(*kr));
}

/* The key the report names and its chain head, its host's row locked: 1
 * found, 0 none, -1 database error (OUT set). */
static int lock_key(PGconn *conn, const struct parsed_report *p, struct key_row *kr, struct ingest_outcome *out)
{
	const char *params[] = { p->link.fingerprint };
	int64_t seq;

	memset(kr, 0, sizeof(*kr));
	if (!db_exec(conn, "SELECT k.host_id, k.public_key_pem, k.revoked_at IS NOT NULL, k.revoked_reason, "
		     "coalesce(k.last_sequence, 0), k.last_sha256, h.last_report_id IS NOT NULL "
		     "FROM keys k JOIN hosts h ON h.host_id = k.host_id "
		     "WHERE k.fingerprint = $1 FOR UPDATE", 1, params, &kr->r)) {
		fail_db(conn, kr->r, out);
		key_row_free(kr);
		return -1;
	}
	if (PQntuples(kr->r) != 1) {
		key_row_free(kr);
		return 0;
	}
	kr->k.host_id = PQgetvalue(kr->r, 0, 0);
	kr->k.pkey = collector_pubkey_pem(PQgetvalue(kr->r, 0, 1), (size_t)PQgetlength(kr->r, 0, 1));
	kr->k.revoked = strcmp(PQgetvalue(kr->r, 0, 2), "t") == 0;
	kr->k.revoked_reason = PQgetisnull(kr->r, 0, 3) ? NULL : PQgetvalue(kr->r, 0, 3);
	kr->k.last_sequence = parse_i64(PQgetvalue(kr->r, 0, 4), 10, &seq) == 0 ? seq : 0;
	kr->k.last_sha256 = PQgetisnull(kr->r, 0, 5) ? NULL : PQgetvalue(kr->r, 0, 5);
	kr->host_has_reports = strcmp(PQgetvalue(kr->r, 0, 6), "t") == 0;
	if (kr->k.pkey == NULL) {
		refuse(&out->r, 500, NULL, "the stored key %s cannot be read", p->link.fingerprint);
		key_row_free(kr);
		return -1;
	}
	return 1;
}

/* A host the collector does not know yet, claimed by a report whose
 * signature PKEY verifies: 1 made (enrolment ENROLMENT), 0 it exists
 * already, 2 the signature does not verify (OUT says so), -1 database error. */
static int claim_new_host(PGconn *conn, const struct parsed_report *p, EVP_PKEY *pkey, const char *enrolment,
			  struct ed25519_verifier *v, struct ingest_outcome *out)
{
	const char *params[] = { p->link.host_id, p->hostname, enrolment };
	PGresult *r;
	int made;

	if (ed25519_verify(pkey, v, p->body, p->len, p->sig) != 1) {
		refuse(&out->r, 401, "bad-signature", "the signature does not verify with key %s", p->link.fingerprint);
		return 2;
	}
	if (!db_exec(conn, "INSERT INTO hosts (host_id, hostname, enrolment) VALUES ($1, $2, $3) "
		     "ON CONFLICT (host_id) DO NOTHING", 3, params, &r)) {
		fail_db(conn, r, out);
		PQclear(r);
		return -1;
	}
	made = atoi(PQcmdTuples(r));
	PQclear(r);
	return made > 0 ? 1 : 0;
}

/* A key the operator enrolled without a host: bound to the host its first
 * report names, when that host is new. 1 bound, 0 no such key, 2 refused,
 * -1 database error. */
static int bind_pending_key(PGconn *conn, const struct parsed_report *p, struct ed25519_verifier *v,
			    struct ingest_outcome *out)
{
	const char *params[] = { p->link.fingerprint, p->link.host_id };
	PGresult *r;
	EVP_PKEY *pkey;
	int made;

	if (!db_exec(conn, "SELECT public_key_pem FROM keys WHERE fingerprint = $1 AND host_id IS NULL FOR UPDATE",
		     1, params, &r)) {
		fail_db(conn, r, out);
		PQclear(r);
		return -1;
	}
	if (PQntuples(r) != 1) {
		PQclear(r);
		return 0;
	}
	pkey = collector_pubkey_pem(PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0));
	PQclear(r);
	if (!pkey) {
		refuse(&out->r, 500, NULL, "the stored key %s cannot be read", p->link.fingerprint);
		return -1;
	}
	made = claim_new_host(conn, p, pkey, "operator", v, out);
	EVP_PKEY_free(pkey);
	if (made == 0) {
		refuse(&out->r, 403, "wrong-host", "key %s was enrolled without a host, and host %.256s is enrolled "
		       "already with other keys", p->link.fingerprint, p->link.host_id);
		return 2;
	}
	if (made != 1)
		return made;
	if (!db_exec(conn, "UPDATE keys SET host_id = $2 WHERE fingerprint = $1", 2, params, &r)) {
		fail_db(conn, r, out);
		PQclear(r);
		return -1;
	}
	PQclear(r);
	return 1;
}

/* Trust on first use: the report's own key (X-Chipaudit-Public-Key, which
 * must be the key the report names and must verify its signature) is
 * enrolled for a host the collector has never seen. 1 enrolled, or the host
 * exists (its keys decide: a concurrent first report may have enrolled this
 * very key), 2 refused, -1 database error. */
static int enrol_first_use(PGconn *conn, const struct ingest_request *req, const struct parsed_report *p,
			   struct ed25519_verifier *v, struct ingest_outcome *out)
{
	unsigned char der[128];
	char fp[FINGERPRINT_LEN + 1], *pem;
	size_t n = strlen(req->pubkey_b64);
	EVP_PKEY *pkey = NULL;
	PGresult *r = NULL;
	int decoded = n <= 120 && n % 4 == 0 ? EVP_DecodeBlock(der, (const unsigned char *)req->pubkey_b64, (int)n) : -1;
	int made;

	/* 44 bytes of SPKI are 60 base64 characters, the last one padding */
	if (decoded == 45 && n == 60 && req->pubkey_b64[59] == '=' && req->pubkey_b64[58] != '=')
		pkey = collector_pubkey_der(der, 44);
	if (pkey == NULL || key_fingerprint(pkey, fp) != 0 || strcmp(fp, p->link.fingerprint) != 0) {
		refuse(&out->r, 401, "unknown-key", "unknown key %s, and X-Chipaudit-Public-Key is not that key",
		       p->link.fingerprint);
		EVP_PKEY_free(pkey);
		return 2;
	}
	made = claim_new_host(conn, p, pkey, "first-use", v, out);
	pem = made == 1 ? collector_pubkey_to_pem(pkey) : NULL;
	EVP_PKEY_free(pkey);
	if (made != 1)
		return made == 0 ? 1 : made;
	{
		const char *params[] = { p->link.fingerprint, p->link.host_id, pem };
		if (!pem || !db_exec(conn, "INSERT INTO keys (fingerprint, host_id, public_key_pem, enrolment) "
				     "VALUES ($1, $2, $3, 'first-use')", 3, params, &r)) {
			fail_db(conn, r, out);
			PQclear(r);
			free(pem);
			return -1;
		}
		PQclear(r);
	}
	free(pem);
	return 1;
}

/* The sha256 stored at P's sequence for its key ("" when none); false on a
 * database error. */
static bool stored_at(PGconn *conn, const struct parsed_report *p, char out_sha[SHA256_HEX_LEN + 1],
		      struct ingest_outcome *out)
{
	char seq[24];
	const char *params[] = { p->link.host_id, p->link.fingerprint, num(seq, p->link.sequence) };
	PGresult *r;

	if (!db_exec(conn, "SELECT sha256 FROM reports WHERE host_id = $1 AND key_fingerprint = $2 AND sequence = $3 "
		     "LIMIT 1", 3, params, &r)) {
		fail_db(conn, r, out);
		PQclear(r);
		return false;
	}
	snprintf(out_sha, SHA256_HEX_LEN + 1, "%s", PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
	PQclear(r);
	return true;
}

/* A nonce this collector issued is good once, within NONCE_TTL; a nonce
 * it did not issue is another verifier's, and only recorded. */
static int use_nonce(PGconn *conn, const struct parsed_report *p, struct ingest_outcome *out)
{
	const char *params[] = { p->nonce };
	PGresult *r;
	int rc = 0;

	if (!p->nonce)
		return 0;
	if (!db_exec(conn, "SELECT used_at IS NOT NULL, issued_at < now() - interval '" NONCE_TTL "' FROM nonces "
		     "WHERE nonce = $1 FOR UPDATE", 1, params, &r)) {
		fail_db(conn, r, out);
		PQclear(r);
		return -1;
	}
	if (PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0) {
		refuse(&out->r, 409, "bad-nonce", "nonce %.32s was used already: replayed", p->nonce);
		rc = 1;
	} else if (PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 1), "t") == 0) {
		refuse(&out->r, 409, "bad-nonce", "nonce %.32s expired (issued more than " NONCE_TTL " ago): stale", p->nonce);
		rc = 1;
	} else if (PQntuples(r) == 1) {
		PQclear(r);
		if (!db_exec(conn, "UPDATE nonces SET used_at = now() WHERE nonce = $1", 1, params, &r)) {
			fail_db(conn, r, out);
			rc = -1;
		}
	}
	PQclear(r);
	return rc;
}

/* The findings are parsed once for both tables. The history gets every row.
 * The current findings get each subject once with its worst status (a
 * subject named twice by one check). */
#define FINDINGS_PARSED                                                                                        \
	"WITH x AS MATERIALIZED (SELECT check_id, subject, status, severity FROM json_to_recordset($3::json) "  \
	"AS x(check_id text, subject text, status text, severity text)), "                                       \
	"h AS (INSERT INTO findings (report_id, received_at, host_id, check_id, subject, status, severity) "     \
	"SELECT $1, now(), $2, check_id, subject, status, severity FROM x), "                                     \
	"n AS MATERIALIZED (SELECT DISTINCT ON (check_id, subject) check_id, subject, status FROM x "            \
	"ORDER BY check_id, subject, array_position(ARRAY['fail','error','warn','skip','pass'], status)) "

/* A host's first report: its current findings are all new. */
static const char first_findings_sql[] =
	FINDINGS_PARSED
	"INSERT INTO current_findings (host_id, check_id, subject, status, report_id, received_at) "
	"SELECT $2, check_id, subject, status, $1, now() FROM n";

/* The next ones change the current findings only where they differ from the
 * host's previous ones: a subject no longer reported is deleted, a changed
 * status updated, a new subject inserted, and the others (most of a daily
 * report) left as they are, so a row's report_id and received_at are those
 * of the report that set its status. The host's row, locked since the
 * transaction began, keeps two reports of one host from doing this at once. */
static const char next_findings_sql[] =
	FINDINGS_PARSED ", "
	"o AS MATERIALIZED (SELECT check_id, subject FROM current_findings WHERE host_id = $2), "
	"gone AS (DELETE FROM current_findings c WHERE c.host_id = $2 AND NOT EXISTS "
	"(SELECT 1 FROM n WHERE n.check_id = c.check_id AND n.subject = c.subject)), "
	"changed AS (UPDATE current_findings c SET status = n.status, report_id = $1, received_at = now() FROM n "
	"WHERE c.host_id = $2 AND c.check_id = n.check_id AND c.subject = n.subject AND c.status <> n.status) "
	"INSERT INTO current_findings (host_id, check_id, subject, status, report_id, received_at) "
	"SELECT $2, n.check_id, n.subject, n.status, $1, now() FROM n WHERE NOT EXISTS "
	"(SELECT 1 FROM o WHERE o.check_id = n.check_id AND o.subject = n.subject)";

/* The writes, once everything is verified; FIRST: the host has no report
 * stored yet. */
static bool store(PGconn *conn, const struct parsed_report *p, bool first, struct ingest_outcome *out)
{
	char seq[24], trust[24], id[24];
	const char *rp[12] = { p->link.host_id, p->link.fingerprint, num(seq, p->link.sequence), p->link.sha256,
			       p->link.previous_sha256, p->nonce, p->time, p->hostname,
			       p->trust_level >= 0 ? num(trust, p->trust_level) : NULL, p->worst,
			       p->body, (const char *)p->sig };
	int lengths[12] = { [10] = (int)p->len, [11] = SIGNATURE_LEN };
	int formats[12] = { [10] = 1, [11] = 1 };
	PGresult *r = PQexecParams(conn, "INSERT INTO reports (host_id, key_fingerprint, sequence, sha256, previous_sha256, "
				   "nonce, report_time, hostname, trust_level, worst, body, signature) "
				   "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
				   12, NULL, rp, lengths, formats, 0);

	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		fail_db(conn, r, out);
		PQclear(r);
		return false;
	}
	snprintf(id, sizeof(id), "%s", PQgetvalue(r, 0, 0));
	PQclear(r);

	const char *fp[] = { id, p->link.host_id, p->findings_json };
	const char *cp[] = { p->link.host_id, id, p->chips_json };
	const char *up[] = { p->link.host_id, p->hostname, seq, p->link.sha256, id, rp[8], p->worst };
	const char *kp[] = { p->link.fingerprint, seq, p->link.sha256 };
	bool ok =
		db_exec(conn, first ? first_findings_sql : next_findings_sql, 3, fp, &r) && (PQclear(r), true) &&
		/* in chip order: two hosts' reports naming the same chips lock them in one order */
		db_exec(conn, "INSERT INTO accelerators AS a (chip_id, uuid, serial, vendor, model, export_class, first_seen, "
			"last_seen, last_host_id, last_pci_address, last_report_id) SELECT chip_id, uuid, serial, vendor, "
			"model, export_class, now(), now(), $1, pci_address, $2::bigint FROM json_to_recordset($3::json) AS "
			"x(chip_id text, uuid text, serial text, vendor text, model text, export_class text, pci_address text) "
			"ORDER BY chip_id ON CONFLICT (chip_id) DO UPDATE SET uuid = coalesce(EXCLUDED.uuid, a.uuid), "
			"serial = coalesce(EXCLUDED.serial, a.serial), vendor = EXCLUDED.vendor, model = EXCLUDED.model, "
			"export_class = EXCLUDED.export_class, last_seen = EXCLUDED.last_seen, "
			"last_host_id = EXCLUDED.last_host_id, last_pci_address = EXCLUDED.last_pci_address, "
			"last_report_id = EXCLUDED.last_report_id", 3, cp, &r) && (PQclear(r), true) &&
		db_exec(conn, "INSERT INTO sightings (chip_id, report_id, received_at, host_id, pci_address) SELECT chip_id, "
			"$2::bigint, now(), $1, pci_address FROM json_to_recordset($3::json) AS x(chip_id text, pci_address text)",
			3, cp, &r) && (PQclear(r), true) &&
		db_exec(conn, "UPDATE hosts SET hostname = $2, last_sequence = $3, last_sha256 = $4, last_received_at = now(), "
			"last_report_id = $5, trust_level = $6, worst = $7 WHERE host_id = $1", 7, up, &r) &&
		(PQclear(r), true) &&
		db_exec(conn, "UPDATE keys SET last_sequence = $2, last_sha256 = $3 WHERE fingerprint = $1", 3, kp, &r);

	if (!ok)
		fail_db(conn, r, out);
	PQclear(r);
	return ok;
}

/* Verify and store inside the open transaction: 1 stored, 0 refused, -1
 * database error. */
static int verify_and_store(PGconn *conn, const struct ingest_request *req, const struct parsed_report *p,
			    struct ed25519_verifier *v, struct ingest_outcome *out)
{
	struct key_row kr;
	char sha[SHA256_HEX_LEN + 1];
	enum judgement j;
	bool first;
	int found = lock_key(conn, p, &kr, out);

	if (found == 0) {
		int e = bind_pending_key(conn, p, v, out);
		if (e == 0 && req->enrolment == ENROL_FIRST_USE && req->pubkey_b64)
			e = enrol_first_use(conn, req, p, v, out);
		if (e == 2)
			return 0;
		if (e < 0)
			return -1;
		if (e == 1)
			found = lock_key(conn, p, &kr, out);
	}
	if (found < 0)
		return -1;
	if (found == 0) {
		refuse(&out->r, 401, "unknown-key", "unknown key %s: not enrolled (chipaudit-collector enroll)%s",
		       p->link.fingerprint, req->enrolment == ENROL_FIRST_USE ? ", and the host is enrolled already" : "");
		return 0;
	}
	first = !kr.host_has_reports;
	j = report_judge(p, &kr.k, NULL, v, &out->r);
	if (j == JUDGED_NEED_STORED) {
		if (!stored_at(conn, p, sha, out)) {
			key_row_free(&kr);
			return -1;
		}
		j = report_judge(p, &kr.k, sha, v, &out->r);
	}
	key_row_free(&kr);
	if (j == JUDGED_REFUSED)
		return 0;
	switch (use_nonce(conn, p, out)) {
	case 1: return 0;
	case -1: return -1;
	}
	if (!store(conn, p, first, out))
		return -1;
	if (j == JUDGED_STORE_GAP)
		record_incident(conn, p, &out->r);  /* inside the transaction: with the report or not at all */
	return 1;
}

void ingest_one(PGconn *conn, const struct ingest_request *req, struct ed25519_verifier *v, struct ingest_outcome *out)
{
	struct parsed_report p;
	PGresult *r;
	int rc;

	memset(out, 0, sizeof(*out));
	if (report_request_parse(req->body, req->len, req->sig_b64, req->max_body, &p, &out->r) != 0) {
		record_incident(conn, &p, &out->r);
		return;
	}
	snprintf(out->host_id, sizeof(out->host_id), "%s", p.link.host_id);
	out->sequence = p.link.sequence;
	ingest_ensure_partitions(conn);
	if (!db_exec(conn, "BEGIN", 0, NULL, &r)) {
		fail_db(conn, r, out);
		PQclear(r);
		parsed_report_free(&p);
		return;
	}
	PQclear(r);
	rc = verify_and_store(conn, req, &p, v, out);
	if (rc == 1) {
		if (db_exec(conn, "COMMIT", 0, NULL, &r) && strcmp(PQcmdStatus(r), "COMMIT") == 0) {
			if (out->r.http != 201)  /* not a gap: a plain store */
				refuse(&out->r, 201, NULL, "stored");
		} else
			fail_db(conn, r, out);
		PQclear(r);
	} else {
		PQclear(PQexec(conn, "ROLLBACK"));
		if (rc == 0)
			record_incident(conn, &p, &out->r);
	}
	parsed_report_free(&p);
}
