#include "evidence/history.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/json.h"
#include "core/util.h"
#include "evidence/chain.h"
#include "evidence/dsse.h"
#include "evidence/state.h"

struct history {
	sqlite3 *db;
	char *path;
};

/* Columns every row query selects, in struct history_row order. */
#define ROW_COLUMNS "id, host_id, key_fingerprint, sequence, sha256, previous_sha256, time, hostname, " \
		    "nonce, worst, accelerators, body, signature, envelope"
#define ROW_COLUMNS_NO_BODY "id, host_id, key_fingerprint, sequence, sha256, previous_sha256, time, hostname, " \
			    "nonce, worst, accelerators, NULL, signature, envelope"

static const char schema_sql[] =
	"CREATE TABLE reports (\n"
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	"  host_id TEXT NOT NULL,           -- machine-id, '' when unknown\n"
	"  key_fingerprint TEXT NOT NULL,   -- 'sha256:...', '' when there was no host key\n"
	"  sequence INTEGER NOT NULL CHECK (sequence >= 1),\n"
	"  sha256 TEXT NOT NULL UNIQUE,\n"
	"  previous_sha256 TEXT,\n"
	"  time TEXT NOT NULL,\n"
	"  hostname TEXT,\n"
	"  nonce TEXT,\n"
	"  worst TEXT NOT NULL,\n"
	"  accelerators INTEGER NOT NULL,\n"
	"  body BLOB NOT NULL,\n"
	"  signature BLOB,                  -- FILE.sig: Ed25519 of body\n"
	"  envelope BLOB,                   -- FILE.intoto.jsonl: DSSE envelope of a Statement naming body\n"
	"  UNIQUE (host_id, key_fingerprint, sequence)\n"
	");\n"
	"CREATE INDEX reports_by_host ON reports (host_id, id);\n";

const char *history_path(const struct history *h)
{
	return h->path;
}

/* The exit code for an SQLite failure: damaged or foreign data is 65, a busy
 * database 75, anything the file system refused 73/74. */
static int exit_for(int code)
{
	switch (code & 0xff) {
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
	case SQLITE_FORMAT:
	case SQLITE_MISMATCH:
		return CA_ERR_DATA;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return CA_ERR_TEMP;
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
	case SQLITE_READONLY:
	case SQLITE_AUTH:
		return CA_ERR_CANTCREAT;
	default:
		return CA_ERR_IO;
	}
}

static int db_error(struct history *h, int code, char *err, size_t errlen)
{
	int ext = h->db ? sqlite3_extended_errcode(h->db) : code;
	const char *msg = h->db ? sqlite3_errmsg(h->db) : sqlite3_errstr(code);

	if ((code & 0xff) == SQLITE_NOTADB)
		snprintf(err, errlen, "%s: not a chipaudit history database (%s)", h->path, msg);
	else if ((code & 0xff) == SQLITE_CORRUPT)
		snprintf(err, errlen, "%s: the database is damaged (%s); move it aside to start a new history", h->path, msg);
	else
		snprintf(err, errlen, "%s: %s", h->path, msg);
	return exit_for(ext ? ext : code);
}

static int exec(struct history *h, const char *sql, char *err, size_t errlen)
{
	int rc = sqlite3_exec(h->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : db_error(h, rc, err, errlen);
}

/* One integer from a PRAGMA or a SELECT. */
static int query_int(struct history *h, const char *sql, int64_t *out, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(h->db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return db_error(h, rc, err, errlen);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		*out = 0;
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? 0 : db_error(h, rc, err, errlen);
}

static int create_schema(struct history *h, char *err, size_t errlen)
{
	char pragmas[128];
	int rc;

	/* WAL is a property of the file, set once, outside any transaction. */
	if ((rc = exec(h, "PRAGMA journal_mode=WAL", err, errlen)) != 0)
		return rc;
	snprintf(pragmas, sizeof(pragmas), "PRAGMA application_id=%d; PRAGMA user_version=%d;",
		 HISTORY_APPLICATION_ID, HISTORY_SCHEMA_VERSION);
	if ((rc = exec(h, "BEGIN IMMEDIATE", err, errlen)) != 0)
		return rc;
	if ((rc = exec(h, schema_sql, err, errlen)) != 0 || (rc = exec(h, pragmas, err, errlen)) != 0 ||
	    (rc = exec(h, "COMMIT", err, errlen)) != 0) {
		sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	return 0;
}

/* Schema 1 to 2: the column envelope, added under the write lock (another
 * process may be doing the same). */
static int migrate_v1(struct history *h, char *err, size_t errlen)
{
	int64_t version = 0;
	int rc;

	if ((rc = exec(h, "BEGIN IMMEDIATE", err, errlen)) != 0)
		return rc;
	if ((rc = query_int(h, "PRAGMA user_version", &version, err, errlen)) == 0 && version == 1)
		rc = exec(h, "ALTER TABLE reports ADD COLUMN envelope BLOB; PRAGMA user_version=2;", err, errlen);
	if (rc == 0)
		rc = exec(h, "COMMIT", err, errlen);
	if (rc != 0)
		sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* A schema 1 database opened read-only reads through a view of this
 * connection's own (temporary: nothing is written to the file) that gives
 * it the column, empty. */
static int read_v1(struct history *h, char *err, size_t errlen)
{
	return exec(h, "CREATE TEMP VIEW reports AS SELECT *, NULL AS envelope FROM main.reports", err, errlen);
}

/* Refuse anything but a chipaudit history this build can read. */
static int check_schema(struct history *h, bool writable, char *err, size_t errlen)
{
	int64_t app = 0, version = 0, objects = 0;
	int rc;

	if ((rc = query_int(h, "PRAGMA application_id", &app, err, errlen)) != 0 ||
	    (rc = query_int(h, "PRAGMA user_version", &version, err, errlen)) != 0 ||
	    (rc = query_int(h, "SELECT count(*) FROM sqlite_master", &objects, err, errlen)) != 0)
		return rc;
	if (app == 0 && version == 0 && objects == 0) {
		if (!writable) {
			snprintf(err, errlen, "%s: an empty database, and read-only: no history", h->path);
			return CA_ERR_NOINPUT;
		}
		/* Someone else may be creating it at this moment: re-check under the lock. */
		rc = create_schema(h, err, errlen);
		if (rc != 0 && query_int(h, "PRAGMA application_id", &app, err, errlen) == 0 && app == HISTORY_APPLICATION_ID)
			return check_schema(h, writable, err, errlen);
		return rc;
	}
	if (app != HISTORY_APPLICATION_ID) {
		snprintf(err, errlen, "%s: not a chipaudit history database (an SQLite database of another application)", h->path);
		return CA_ERR_DATA;
	}
	if (version > HISTORY_SCHEMA_VERSION) {
		snprintf(err, errlen, "%s: written by a newer chipaudit (history schema %" PRId64 ", this build reads %d)",
			 h->path, version, HISTORY_SCHEMA_VERSION);
		return CA_ERR_DATA;
	}
	if (version == 1) {
		if (!writable)
			return read_v1(h, err, errlen);
		rc = migrate_v1(h, err, errlen);
		/* a file it may not write after all (as verify may open it) is read as it is */
		return rc == CA_ERR_CANTCREAT ? read_v1(h, err, errlen) : rc;
	}
	if (version != HISTORY_SCHEMA_VERSION) {
		snprintf(err, errlen, "%s: unknown history schema %" PRId64, h->path, version);
		return CA_ERR_DATA;
	}
	return 0;
}

int history_open(const char *dir, bool create, struct history **out, char *err, size_t errlen)
{
	struct history *h = xcalloc(1, sizeof(*h));
	struct stat st;
	bool writable = true;
	int rc;

	*out = NULL;
	h->path = state_path(dir, HISTORY_FILE);
	if (create && state_ensure(dir, err, errlen) != 0) {
		rc = CA_ERR_CANTCREAT;
		goto fail;
	}
	/* a history anybody may swap could vouch for a forged chain */
	if (!create && state_check(dir, false, err, errlen) != 0 && errno != ENOENT) {
		rc = CA_ERR_CONFIG;
		goto fail;
	}
	if (!create && stat(h->path, &st) != 0) {
		snprintf(err, errlen, "%s: %s (no audit has been recorded in %s)", h->path, strerror(errno), dir);
		rc = CA_ERR_NOINPUT;
		goto fail;
	}
	rc = sqlite3_open_v2(h->path, &h->db, SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0), NULL);
	if (rc != SQLITE_OK && !create) {
		/* A reader without write access to the directory still reads. */
		sqlite3_close(h->db);
		h->db = NULL;
		writable = false;
		rc = sqlite3_open_v2(h->path, &h->db, SQLITE_OPEN_READONLY, NULL);
	}
	if (rc != SQLITE_OK) {
		rc = db_error(h, rc, err, errlen);
		goto fail;
	}
	sqlite3_extended_result_codes(h->db, 1);
	sqlite3_busy_timeout(h->db, 10000);
	/* SQLite opens a file it may not write read-only, silently; an audit
	 * must know now that it cannot record. */
	if (create && sqlite3_db_readonly(h->db, "main") == 1) {
		snprintf(err, errlen, "%s: read-only: %s", h->path, strerror(EACCES));
		rc = CA_ERR_CANTCREAT;
		goto fail;
	}
	if ((rc = check_schema(h, writable, err, errlen)) != 0)
		goto fail;
	/* FULL: the WAL is synced at every commit, so a report the audit said it
	 * stored survives a power cut, not only a crash. It costs one fsync per
	 * audit; docs/evidence.md has the measured figure. */
	if (writable && (rc = exec(h, "PRAGMA synchronous=FULL", err, errlen)) != 0)
		goto fail;
	*out = h;
	return 0;
fail:
	history_close(h);
	return rc;
}

void history_close(struct history *h)
{
	if (h == NULL)
		return;
	sqlite3_close(h->db);
	free(h->path);
	free(h);
}

int history_begin(struct history *h, char *err, size_t errlen)
{
	return exec(h, "BEGIN IMMEDIATE", err, errlen);
}

int history_commit(struct history *h, char *err, size_t errlen)
{
	return exec(h, "COMMIT", err, errlen);
}

void history_rollback(struct history *h)
{
	sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
}

static char *column_text(sqlite3_stmt *st, int i, bool empty_is_null)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	if (t == NULL || (empty_is_null && *t == '\0'))
		return NULL;
	return xstrdup((const char *)t);
}

static void *column_blob(sqlite3_stmt *st, int i, size_t *len)
{
	const void *b = sqlite3_column_blob(st, i);
	int n = sqlite3_column_bytes(st, i);
	char *copy;

	*len = 0;
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NULL;
	copy = xmalloc((size_t)n + 1);
	if (n > 0)
		memcpy(copy, b, (size_t)n);
	copy[n] = '\0';
	*len = (size_t)n;
	return copy;
}

/* A sequence number a report can carry (chain.c) and one more can follow:
 * a database holding another is damaged or forged, and adding one to it
 * would overflow or break the table's CHECK. */
static bool sequence_valid(sqlite3_stmt *st, int i)
{
	int64_t v = sqlite3_column_int64(st, i);

	return sqlite3_column_type(st, i) == SQLITE_INTEGER && v >= 1 && v < SEQUENCE_MAX;
}

/* The corrupt-row error: "PATH: corrupt: report #ID has sequence X ...". */
static int corrupt_sequence(const struct history *h, sqlite3_stmt *st, char *err, size_t errlen)
{
	const unsigned char *text = sqlite3_column_text(st, 3);

	snprintf(err, errlen, "%s: corrupt: report #%lld has sequence '%.40s', not a whole number from 1 to %lld; "
		 "move the database aside", h->path, (long long)sqlite3_column_int64(st, 0),
		 text ? (const char *)text : "NULL", (long long)SEQUENCE_MAX - 1);
	return CA_ERR_DATA;
}

static void read_row(sqlite3_stmt *st, struct history_row *row)
{
	const unsigned char *sha = sqlite3_column_text(st, 4);

	memset(row, 0, sizeof(*row));
	row->id = sqlite3_column_int64(st, 0);
	row->host_id = column_text(st, 1, true);
	row->fingerprint = column_text(st, 2, true);
	row->sequence = sqlite3_column_int64(st, 3);
	snprintf(row->sha256, sizeof(row->sha256), "%s", sha ? (const char *)sha : "");
	row->previous_sha256 = column_text(st, 5, true);
	row->time = column_text(st, 6, false);
	row->hostname = column_text(st, 7, false);
	row->nonce = column_text(st, 8, true);
	row->worst = column_text(st, 9, false);
	row->accelerators = sqlite3_column_int64(st, 10);
	row->body = column_blob(st, 11, &row->body_len);
	row->signature = column_blob(st, 12, &row->signature_len);
	row->envelope = column_blob(st, 13, &row->envelope_len);
}

void history_row_free(struct history_row *row)
{
	free(row->host_id);
	free(row->fingerprint);
	free(row->previous_sha256);
	free(row->time);
	free(row->hostname);
	free(row->nonce);
	free(row->worst);
	free(row->body);
	free(row->signature);
	free(row->envelope);
	memset(row, 0, sizeof(*row));
}

enum bind_kind { B_END, B_TEXT, B_INT };
struct bind {
	enum bind_kind kind;
	const char *text;   /* NULL binds '' (the columns that key a chain are NOT NULL) */
	int64_t value;
};

/* Run a query that selects at most one row of ROW_COLUMNS. */
static int query_row(struct history *h, const char *sql, const struct bind *binds, struct history_row *row,
		     char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(h->db, sql, -1, &st, NULL), found = 0;

	if (rc != SQLITE_OK)
		return db_error(h, rc, err, errlen);
	for (int i = 0; binds && binds[i].kind != B_END; i++) {
		if (binds[i].kind == B_TEXT)
			sqlite3_bind_text(st, i + 1, binds[i].text ? binds[i].text : "", -1, SQLITE_TRANSIENT);
		else
			sqlite3_bind_int64(st, i + 1, binds[i].value);
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && !sequence_valid(st, 3)) {
		rc = corrupt_sequence(h, st, err, errlen);
		sqlite3_finalize(st);
		return rc;
	}
	if (rc == SQLITE_ROW) {
		read_row(st, row);
		found = 1;
		rc = sqlite3_step(st) == SQLITE_ROW ? SQLITE_MISMATCH : SQLITE_DONE;
		if (rc != SQLITE_DONE)
			history_row_free(row);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_MISMATCH) {
		snprintf(err, errlen, "%s: more than one report matches", h->path);
		return CA_ERR_USAGE;
	}
	if (rc != SQLITE_DONE)
		return db_error(h, rc, err, errlen);
	return found;
}

int history_chain_head(struct history *h, const char *host_id, const char *fingerprint,
		       struct history_row *row, char *err, size_t errlen)
{
	const struct bind b[] = { { B_TEXT, host_id, 0 }, { B_TEXT, fingerprint, 0 }, { B_END, NULL, 0 } };
	return query_row(h, "SELECT " ROW_COLUMNS " FROM reports WHERE host_id = ?1 AND key_fingerprint = ?2 "
			 "ORDER BY sequence DESC LIMIT 1", b, row, err, errlen);
}

int history_host_report(struct history *h, const char *host_id, bool first,
			struct history_row *row, char *err, size_t errlen)
{
	const struct bind b[] = { { B_TEXT, host_id, 0 }, { B_END, NULL, 0 } };
	return query_row(h, first ? "SELECT " ROW_COLUMNS " FROM reports WHERE host_id = ?1 ORDER BY id ASC LIMIT 1"
				  : "SELECT " ROW_COLUMNS " FROM reports WHERE host_id = ?1 ORDER BY id DESC LIMIT 1",
			 b, row, err, errlen);
}

int history_latest(struct history *h, struct history_row *row, char *err, size_t errlen)
{
	return query_row(h, "SELECT " ROW_COLUMNS " FROM reports ORDER BY id DESC LIMIT 1", NULL, row, err, errlen);
}

int history_by_id(struct history *h, int64_t id, struct history_row *row, char *err, size_t errlen)
{
	const struct bind b[] = { { B_INT, NULL, id }, { B_END, NULL, 0 } };
	return query_row(h, "SELECT " ROW_COLUMNS " FROM reports WHERE id = ?1", b, row, err, errlen);
}

int history_by_sha256(struct history *h, const char *prefix, struct history_row *row, char *err, size_t errlen)
{
	char *pattern;
	int rc;

	if (strlen(prefix) < 8 || strlen(prefix) > SHA256_HEX_LEN || strspn(prefix, "0123456789abcdef") != strlen(prefix)) {
		snprintf(err, errlen, "'%s': a sha256 prefix is 8 to 64 lowercase hex digits", prefix);
		return CA_ERR_USAGE;
	}
	pattern = xasprintf("%s*", prefix);
	{
		const struct bind b[] = { { B_TEXT, pattern, 0 }, { B_END, NULL, 0 } };
		rc = query_row(h, "SELECT " ROW_COLUMNS " FROM reports WHERE sha256 GLOB ?1", b, row, err, errlen);
	}
	free(pattern);
	return rc;
}

int history_before(struct history *h, const struct history_row *ref, struct history_row *row, char *err, size_t errlen)
{
	const struct bind b[] = { { B_TEXT, ref->host_id, 0 }, { B_INT, NULL, ref->id }, { B_END, NULL, 0 } };
	return query_row(h, "SELECT " ROW_COLUMNS " FROM reports WHERE host_id = ?1 AND id < ?2 ORDER BY id DESC LIMIT 1",
			 b, row, err, errlen);
}

int history_by_sequence(struct history *h, const char *host_id, const char *fingerprint, int64_t sequence,
			struct history_row *row, char *err, size_t errlen)
{
	const struct bind b[] = { { B_TEXT, host_id, 0 }, { B_TEXT, fingerprint, 0 }, { B_INT, NULL, sequence },
				  { B_END, NULL, 0 } };
	return query_row(h, "SELECT " ROW_COLUMNS " FROM reports WHERE host_id = ?1 AND key_fingerprint = ?2 AND sequence = ?3",
			 b, row, err, errlen);
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

int history_append(struct history *h, struct history_row *row, char *err, size_t errlen)
{
	static const char sql[] =
		"INSERT INTO reports (host_id, key_fingerprint, sequence, sha256, previous_sha256, time, hostname, "
		"nonce, worst, accelerators, body, signature, envelope) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(h->db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return db_error(h, rc, err, errlen);
	sqlite3_bind_text(st, 1, row->host_id ? row->host_id : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, row->fingerprint ? row->fingerprint : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, row->sequence);
	sqlite3_bind_text(st, 4, row->sha256, -1, SQLITE_STATIC);
	bind_text_or_null(st, 5, row->previous_sha256);
	sqlite3_bind_text(st, 6, row->time ? row->time : "", -1, SQLITE_STATIC);
	bind_text_or_null(st, 7, row->hostname);
	bind_text_or_null(st, 8, row->nonce);
	sqlite3_bind_text(st, 9, row->worst ? row->worst : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, row->accelerators);
	sqlite3_bind_blob64(st, 11, row->body, row->body_len, SQLITE_STATIC);
	if (row->signature)
		sqlite3_bind_blob(st, 12, row->signature, (int)row->signature_len, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 12);
	if (row->envelope)
		sqlite3_bind_blob(st, 13, row->envelope, (int)row->envelope_len, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 13);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(h, rc, err, errlen);
	row->id = sqlite3_last_insert_rowid(h->db);
	return 0;
}

int history_each(struct history *h, const char *host_id, int64_t limit, bool with_body,
		 history_visit visit, void *arg, char *err, size_t errlen)
{
	char *sql = xasprintf("SELECT * FROM (SELECT %s FROM reports %s ORDER BY id DESC %s) ORDER BY id ASC",
			      with_body ? ROW_COLUMNS : ROW_COLUMNS_NO_BODY,
			      host_id ? "WHERE host_id = ?1" : "", limit > 0 ? "LIMIT ?2" : "");
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(h->db, sql, -1, &st, NULL), stop = 0;

	free(sql);
	if (rc != SQLITE_OK)
		return db_error(h, rc, err, errlen);
	if (host_id)
		sqlite3_bind_text(st, 1, host_id, -1, SQLITE_STATIC);
	if (limit > 0)
		sqlite3_bind_int64(st, 2, limit);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct history_row row;
		if (!sequence_valid(st, 3)) {
			stop = corrupt_sequence(h, st, err, errlen);
			sqlite3_finalize(st);
			return stop;
		}
		read_row(st, &row);
		stop = visit(&row, arg);
		history_row_free(&row);
	}
	sqlite3_finalize(st);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : db_error(h, rc, err, errlen);
}

struct check_state {
	void (*problem)(const char *msg, void *arg);
	void *arg;
	int count;
	bool started;
	/* the previous row of the chain being walked (rows come ordered by chain, sequence) */
	char *host_id, *fingerprint;
	int64_t sequence;
	char sha256[SHA256_HEX_LEN + 1];
};

static void report_problem(struct check_state *cs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report_problem(struct check_state *cs, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	cs->problem(msg, cs->arg);
	free(msg);
	cs->count++;
}

/* The stored envelope's Statement against its report: it names the
 * report's sha256 (SHA), and its predicate holds the report's members. Its
 * signature is verify's to check, with the key. */
static void check_envelope(struct check_state *cs, const struct history_row *row, const char *sha)
{
	struct dsse_envelope env;
	struct dsse_statement st;
	const char *differs;
	char err[512];
	json_t *report;

	if (dsse_envelope_parse(row->envelope, row->envelope_len, "the stored envelope", &env, err, sizeof(err)) != 0) {
		report_problem(cs, "#%" PRId64 ": %s", row->id, err);
		return;
	}
	if (dsse_statement_parse(&env, "the stored envelope", &st, err, sizeof(err)) != 0) {
		report_problem(cs, "#%" PRId64 ": %s", row->id, err);
		dsse_envelope_free(&env);
		return;
	}
	report = json_parse_strict(row->body, row->body_len, "the stored report", err, sizeof(err));
	if (strcmp(st.subject_sha256, sha) != 0)
		report_problem(cs, "#%" PRId64 ": the stored statement names sha256 %s, the report's is %s",
			       row->id, st.subject_sha256, sha);
	else if (report == NULL)
		report_problem(cs, "#%" PRId64 ": %s", row->id, err);
	else if ((differs = dsse_predicate_differs(st.predicate, report)) != NULL)
		report_problem(cs, "#%" PRId64 ": the stored statement's %s is not the report's", row->id, differs);
	json_decref(report);
	dsse_statement_free(&st);
	dsse_envelope_free(&env);
}

static int check_row(const struct history_row *row, void *arg)
{
	struct check_state *cs = arg;
	char sha[SHA256_HEX_LEN + 1];

	sha256_hex(row->body, row->body_len, sha);
	if (strcmp(sha, row->sha256) != 0)
		report_problem(cs, "#%" PRId64 ": the stored report's sha256 is %s, its index says %s: the report was altered",
			       row->id, sha, row->sha256);
	if (row->envelope)
		check_envelope(cs, row, sha);
	if (!cs->started || !str_same(row->host_id, cs->host_id) || !str_same(row->fingerprint, cs->fingerprint)) {
		if (row->sequence != 1)
			report_problem(cs, "#%" PRId64 ": the chain of host %s, key %s starts at sequence %" PRId64 ", not 1",
				       row->id, row->host_id ? row->host_id : "(unknown)",
				       row->fingerprint ? row->fingerprint : "(none)", row->sequence);
	} else if (row->sequence != cs->sequence + 1) {
		report_problem(cs, "#%" PRId64 ": sequence %" PRId64 " follows %" PRId64 ": reports are missing",
			       row->id, row->sequence, cs->sequence);
	} else if (!row->previous_sha256 || strcmp(row->previous_sha256, cs->sha256) != 0) {
		report_problem(cs, "#%" PRId64 ": names previous report %s, but sequence %" PRId64 " has sha256 %s",
			       row->id, row->previous_sha256 ? row->previous_sha256 : "(none)", cs->sequence, cs->sha256);
	}
	free(cs->host_id);
	free(cs->fingerprint);
	cs->host_id = row->host_id ? xstrdup(row->host_id) : NULL;
	cs->fingerprint = row->fingerprint ? xstrdup(row->fingerprint) : NULL;
	cs->sequence = row->sequence;
	cs->started = true;
	memcpy(cs->sha256, sha, sizeof(sha));
	return 0;
}

int history_check(struct history *h, void (*problem)(const char *msg, void *arg), void *arg,
		  char *err, size_t errlen)
{
	struct check_state cs = { .problem = problem, .arg = arg };
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(h->db, "PRAGMA integrity_check", -1, &st, NULL);

	if (rc != SQLITE_OK) {
		db_error(h, rc, err, errlen);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *line = (const char *)sqlite3_column_text(st, 0);
		if (line && strcmp(line, "ok") != 0)
			report_problem(&cs, "integrity_check: %s", line);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		db_error(h, rc, err, errlen);
		return -1;
	}
	rc = sqlite3_prepare_v2(h->db, "SELECT " ROW_COLUMNS " FROM reports ORDER BY host_id, key_fingerprint, sequence",
				-1, &st, NULL);
	if (rc != SQLITE_OK) {
		db_error(h, rc, err, errlen);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct history_row row;
		if (!sequence_valid(st, 3)) {
			corrupt_sequence(h, st, err, errlen);
			report_problem(&cs, "%s", err);
			continue;
		}
		read_row(st, &row);
		check_row(&row, &cs);
		history_row_free(&row);
	}
	sqlite3_finalize(st);
	free(cs.host_id);
	free(cs.fingerprint);
	if (rc != SQLITE_DONE) {
		db_error(h, rc, err, errlen);
		return -1;
	}
	return cs.count;
}
