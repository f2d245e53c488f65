/* The history of audits: one SQLite database, STATE/history.db.
 *
 * Each report is stored whole (the exact bytes written, and its signatures
 * when signed: the raw signature of FILE.sig, the DSSE envelope of
 * FILE.intoto.jsonl) with the members that index it. The database is in WAL mode
 * with synchronous=FULL: a report is in one transaction, so a crash or
 * SIGKILL leaves either all of it or none of it, and a report the audit said
 * it stored survives a power cut. UNIQUE(host, key, sequence) makes a fork
 * of a host's chain impossible inside one history. */
#ifndef CHIPAUDIT_HISTORY_H
#define CHIPAUDIT_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evidence/sign.h"

#define HISTORY_FILE "history.db"
/* 2: the column envelope. A database of schema 1 is given it when opened
 * with write access; else it reads as if it had it, empty. */
#define HISTORY_SCHEMA_VERSION 2
/* PRAGMA application_id: "CHAU" */
#define HISTORY_APPLICATION_ID 0x43484155
struct history;

struct history_row {
	int64_t id;                 /* order of insertion, never reused */
	char *host_id;              /* machine-id, NULL when unknown */
	char *fingerprint;          /* host key, NULL when there was none */
	int64_t sequence;           /* place in the chain of (host_id, fingerprint), from 1 */
	char sha256[SHA256_HEX_LEN + 1];
	char *previous_sha256;      /* NULL for sequence 1 */
	char *time, *hostname, *nonce, *worst;
	int64_t accelerators;
	char *body;                 /* the report's exact bytes (NUL-terminated copy) */
	size_t body_len;
	unsigned char *signature;   /* FILE.sig's bytes; NULL when not signed so */
	size_t signature_len;
	char *envelope;             /* FILE.intoto.jsonl's bytes; NULL when not signed so */
	size_t envelope_len;
};

/* Open DIR/history.db. With CREATE the directory and database are made when
 * missing; without, a missing database is CA_ERR_NOINPUT. A file that is not a
 * chipaudit history is CA_ERR_DATA. Returns 0 or an error kind (core/error.h), with err. */
int history_open(const char *dir, bool create, struct history **out, char *err, size_t errlen);
void history_close(struct history *h);
const char *history_path(const struct history *h);

/* A write transaction (BEGIN IMMEDIATE: one audit at a time extends a chain). */
int history_begin(struct history *h, char *err, size_t errlen);
int history_commit(struct history *h, char *err, size_t errlen);
void history_rollback(struct history *h);

/* The last report of the chain (host_id, fingerprint): 1 and *row filled,
 * 0 when the chain is empty, or an error kind (core/error.h) with err. */
int history_chain_head(struct history *h, const char *host_id, const char *fingerprint,
		       struct history_row *row, char *err, size_t errlen);
/* The latest (or, with FIRST, the earliest) report of a host, any key. */
int history_host_report(struct history *h, const char *host_id, bool first,
			struct history_row *row, char *err, size_t errlen);
/* The latest report stored, of any host. */
int history_latest(struct history *h, struct history_row *row, char *err, size_t errlen);
/* The report with this id; the one whose sha256 starts with PREFIX (at least
 * 8 hex digits, unique); the one before ROW of the same host. Same returns. */
int history_by_id(struct history *h, int64_t id, struct history_row *row, char *err, size_t errlen);
int history_by_sha256(struct history *h, const char *prefix, struct history_row *row, char *err, size_t errlen);
int history_before(struct history *h, const struct history_row *ref, struct history_row *row, char *err, size_t errlen);
/* Same returns, for a report with this (host, key, sequence). */
int history_by_sequence(struct history *h, const char *host_id, const char *fingerprint, int64_t sequence,
			struct history_row *row, char *err, size_t errlen);

/* Store a report; row->id is set. 0 or an error kind (core/error.h). */
int history_append(struct history *h, struct history_row *row, char *err, size_t errlen);

/* Each report in order of insertion (with HOST_ID, that host's only; at
 * most the LIMIT latest when LIMIT > 0). WITH_BODY loads bodies. The callback
 * returns 0 to go on. Returns 0 or an error kind (core/error.h). */
typedef int (*history_visit)(const struct history_row *row, void *arg);
int history_each(struct history *h, const char *host_id, int64_t limit, bool with_body,
		 history_visit visit, void *arg, char *err, size_t errlen);

/* Check what the database holds: SQLite's integrity_check, each body's
 * sha256, every chain's links, and each stored envelope's Statement against
 * its report (the subject's digest, the predicate's members). PROBLEM is called for each problem found;
 * returns the number of problems, or -1 when the check could not run. */
int history_check(struct history *h, void (*problem)(const char *msg, void *arg), void *arg,
		  char *err, size_t errlen);

void history_row_free(struct history_row *row);

#endif
