/* chipaudit verify: check signed reports, as a verifier does.
 *
 * Each report is signed in one of two forms (docs/evidence.md), chosen per
 * report by what lies beside it:
 * - REPORT.intoto.jsonl: a DSSE envelope of an in-toto Statement
 *   (evidence/dsse.h). Its Ed25519 signature over the PAE, then the report's
 *   SHA-256 against the Statement's subject; the evidence members are read
 *   from the Statement's predicate only.
 * - else REPORT.sig: the detached Ed25519 signature over the report's exact
 *   bytes, then its evidence members (read by the scanner in
 *   src/parse/jscan.c, which validates the whole text without building a
 *   tree).
 * Then, in both forms, the key the report names, the verifier's nonce, and
 * its place in the chain: after --previous FILE, after the file before it
 * (--chain), or in this host's history (--history).
 *
 * A batch is verified by a pool of threads, one per processor: the work is
 * the signature and the hashing of each file, independent of the others; the
 * checks that relate files to each other run afterwards, in file order. */
#include <stddef.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "core/fileio.h"
#include "core/json.h"
#include "core/util.h"
#include "evidence/chain.h"
#include "evidence/dsse.h"
#include "evidence/history.h"
#include "parse/jscan.h"
#include "parse/pathlist.h"
#include "evidence/sign.h"
#include "evidence/state.h"

/* Verdicts of verification, between the audit's 0-2 and sysexits' 64-78. */
enum {
	VERIFY_BAD_SIGNATURE = 10,  /* the bytes or the signature were altered */
	VERIFY_WRONG_KEY = 11,      /* signed by, or naming, another key */
	VERIFY_NONCE = 12,          /* not the nonce the verifier asked for: stale */
	VERIFY_CHAIN_BROKEN = 13,   /* another host or key, unchained, forked, or the hash link fails */
	VERIFY_MISSING = 14,        /* reports between the previous one and this one were not shown */
	VERIFY_REORDERED = 15,      /* older than the previous report */
	VERIFY_REPLAYED = 16,       /* a report seen before, or superseded in history */
};

#define MAX_JOBS 256

static const char verify_synopsis[] =
	"usage: chipaudit verify [--pubkey FILE] [--nonce HEX] [--previous FILE] [--chain]\n"
	"                        [--history] [--state DIR] [--sig FILE] [--statements-only | --full]\n"
	"                        [--jobs N] [--json]\n"
	"                        [--files-from FILE] REPORT...\n";

struct item {
	const char *path;
	char *sig_path;       /* REPORT.intoto.jsonl or REPORT.sig, or --sig FILE; NULL: not chosen yet */
	bool statement;       /* signed as a Statement in a DSSE envelope */
	bool report_unread;   /* --statements-only: verified by its Statement alone */
	int code;
	char *message;
	/* what the report says, once its signature holds */
	struct chain_link link;
	char *host_id, *fingerprint, *nonce, *previous_sha256, *time;
};

struct batch {
	struct item *items;
	size_t count;
	atomic_size_t next;
	const struct hostkey *key;
	bool need_hash;
	bool statements_only;  /* a Statement is checked alone: its report is not read */
	bool full;             /* the report parsed whole, its members the Statement's */
};

static void fail_item(struct item *it, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail_item(struct item *it, int code, const char *fmt, ...)
{
	va_list ap;

	it->code = code;
	free(it->message);
	va_start(ap, fmt);
	it->message = xvasprintf(fmt, ap);
	va_end(ap);
}

enum { M_SCHEMA, M_HOST_ID, M_FINGERPRINT, M_NONCE, M_SEQUENCE, M_PREVIOUS, M_HOST, M_SUMMARY, M_COUNT };

/* The report's host, of which verify needs the time alone: scanned again for
 * that member rather than built whole (jansson's tree of it cost half of what
 * the seven members did). */
static json_t *host_value(const char *text, size_t len, json_error_t *jerr)
{
	struct jscan_member time = { .key = "time" };
	char err[256];
	json_t *host, *v;

	if (len == 0 || text[0] != '{' || jscan_object(text, len, &time, 1, err, sizeof(err)) != 0)
		return jscan_value(text, len, jerr);  /* not an object: jansson says what it is */
	host = json_object();
	if (time.value != NULL) {
		if ((v = jscan_value(time.value, time.len, jerr)) == NULL) {
			json_decref(host);
			return NULL;
		}
		json_object_set_new(host, "time", v);
	}
	return host;
}

/* The evidence members of report bytes, validated as report_parse would:
 * an object of those members alone, or NULL with err. */
static json_t *scan_members(const char *data, size_t len, char *err, size_t errlen)
{
	struct jscan_member want[M_COUNT] = {
		[M_SCHEMA] = { .key = "schema_version" }, [M_HOST_ID] = { .key = "host_id" },
		[M_FINGERPRINT] = { .key = "public_key_fingerprint" }, [M_NONCE] = { .key = "nonce" },
		[M_SEQUENCE] = { .key = "sequence" }, [M_PREVIOUS] = { .key = "previous_sha256" },
		[M_HOST] = { .key = "host" }, [M_SUMMARY] = { .key = "summary" },
	};
	json_t *members = json_object();
	json_int_t version;
	char sub[512];

	if (jscan_object(data, len, want, M_COUNT, sub, sizeof(sub)) != 0) {
		snprintf(err, errlen, "%s", sub);
		json_decref(members);
		return NULL;
	}
	for (size_t i = 0; i < M_COUNT; i++) {
		json_error_t jerr;
		json_t *v;
		if (want[i].value == NULL)
			continue;
		v = i == M_HOST ? host_value(want[i].value, want[i].len, &jerr) : jscan_value(want[i].value, want[i].len, &jerr);
		if (v == NULL) {
			snprintf(err, errlen, "%s: %s", want[i].key, jerr.text);
			json_decref(members);
			return NULL;
		}
		json_object_set_new(members, want[i].key, v);
	}
	if (jv_integer(members, "schema_version", JV_REQUIRED, 0, 1 << 30, "report", err, errlen) ||
	    jv_object(members, "host", JV_REQUIRED, "report", err, errlen) ||
	    jv_string(jobj(members, "host"), "time", JV_REQUIRED, 64, "report.host", err, errlen) ||
	    jv_object(members, "summary", JV_REQUIRED, "report", err, errlen) ||
	    summary_counts_validate(jobj(members, "summary"), err, errlen) ||
	    evidence_validate_members(members, err, errlen)) {
		json_decref(members);
		return NULL;
	}
	jint(members, "schema_version", &version);
	if (report_schema_check(version, err, errlen) != 0) {
		json_decref(members);
		return NULL;
	}
	return members;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* The evidence members M (a report's, or a Statement's predicate) and the
 * report's TIME. */
static void take_members(struct item *it, const json_t *m, const char *time)
{
	json_int_t seq = 0;

	it->host_id = dup_or_null(jstr(m, "host_id"));
	it->fingerprint = dup_or_null(jstr(m, "public_key_fingerprint"));
	it->nonce = dup_or_null(jstr(m, "nonce"));
	it->previous_sha256 = dup_or_null(jstr(m, "previous_sha256"));
	it->time = dup_or_null(time);
	jint(m, "sequence", &seq);
	it->link.sequence = seq;
	it->link.host_id = it->host_id;
	it->link.fingerprint = it->fingerprint;
	it->link.previous_sha256 = it->previous_sha256;
}

/* The key the report names, when its bytes can be read at all. */
static char *claimed_key(const char *data, size_t len)
{
	char err[512];
	json_t *m = scan_members(data, len, err, sizeof(err));
	char *fp = m ? dup_or_null(jstr(m, "public_key_fingerprint")) : NULL;

	json_decref(m);
	return fp;
}

/* --full: the report read whole with the strict parser every other command
 * uses, and, when it was signed by a Statement, its members the PREDICATE's. */
static void check_full(struct item *it, const char *data, size_t len, const json_t *predicate)
{
	char err[1024];
	const char *differs;
	json_t *report = report_parse(data, len, it->path, err, sizeof(err));

	if (report == NULL) {
		fail_item(it, EXIT_DATAERR, "%s (the signature holds, but this is not a well-formed report)", err);
		return;
	}
	if (predicate && (differs = dsse_predicate_differs(predicate, report)) != NULL)
		fail_item(it, EXIT_DATAERR, "%s: its %s is not the one its statement %s signs", it->path, differs,
			  it->sig_path);
	json_decref(report);
}

/* The signature of the report's exact bytes (REPORT.sig). */
static void verify_whole(struct batch *b, struct item *it, struct ed25519_verifier *verifier)
{
	unsigned char sig[SIGNATURE_LEN];
	char err[1024], *data = NULL;
	size_t len;
	json_t *members;
	int rc;

	if ((rc = read_file_bounded(it->path, REPORT_MAX_BYTES, &data, &len, err, sizeof(err))) != 0 ||
	    (rc = signature_read(it->sig_path, sig, err, sizeof(err))) != 0) {
		fail_item(it, rc, "%s", err);
		free(data);
		return;
	}
	if (!ed25519_verify(b->key->pkey, verifier, data, len, sig)) {
		char *claimed = claimed_key(data, len);
		if (claimed && strcmp(claimed, b->key->fingerprint) != 0)
			fail_item(it, VERIFY_WRONG_KEY, "%s: signed by another key: the report names %s, the key given is %s",
				  it->path, claimed, b->key->fingerprint);
		else
			fail_item(it, VERIFY_BAD_SIGNATURE, "%s: the signature %s does not verify with key %s: "
				  "the report or its signature was altered", it->path, it->sig_path, b->key->fingerprint);
		free(claimed);
		free(data);
		return;
	}
	members = scan_members(data, len, err, sizeof(err));
	if (members == NULL) {
		fail_item(it, EXIT_DATAERR, "%s: %s (the signature holds, but this is not a well-formed report)", it->path, err);
		free(data);
		return;
	}
	take_members(it, members, jstr(jobj(members, "host"), "time"));
	json_decref(members);
	if (it->fingerprint == NULL || strcmp(it->fingerprint, b->key->fingerprint) != 0)
		fail_item(it, VERIFY_WRONG_KEY, "%s: the report names key %s, but was verified with key %s",
			  it->path, it->fingerprint ? it->fingerprint : "(none)", b->key->fingerprint);
	if (b->need_hash)
		sha256_hex(data, len, it->link.sha256);
	if (it->code == 0 && b->full)
		check_full(it, data, len, NULL);
	free(data);
}

/* The key an envelope's Statement names, whether or not its signature holds. */
static char *statement_key(const struct dsse_envelope *env, const char *name)
{
	struct dsse_statement st;
	char err[512], *fp;

	if (dsse_statement_parse(env, name, &st, err, sizeof(err)) != 0)
		return NULL;
	fp = dup_or_null(jstr(st.predicate, "public_key_fingerprint"));
	dsse_statement_free(&st);
	return fp;
}

/* The envelope's signature over its PAE: 1 when it holds, else 0 with the
 * item failed (another key, or bytes altered). */
static int envelope_signed(struct batch *b, struct item *it, struct ed25519_verifier *verifier,
			   const struct dsse_envelope *env)
{
	size_t len;
	unsigned char *pae = dsse_pae(env->payload_type, env->payload, env->payload_len, &len);
	int ok = ed25519_verify(b->key->pkey, verifier, pae, len, env->sig);
	char *claimed;

	free(pae);
	if (ok)
		return 1;
	claimed = statement_key(env, it->sig_path);
	if (claimed && strcmp(claimed, b->key->fingerprint) != 0)
		fail_item(it, VERIFY_WRONG_KEY, "%s: signed by another key: the report names %s, the key given is %s "
			  "(in its statement %s)", it->path, claimed, b->key->fingerprint, it->sig_path);
	else
		fail_item(it, VERIFY_BAD_SIGNATURE, "%s: the envelope %s does not verify with key %s: its statement, "
			  "payloadType or signature was altered", it->path, it->sig_path, b->key->fingerprint);
	free(claimed);
	return 0;
}

/* The report hashed: is it the one the Statement names? */
static void check_subject(struct batch *b, struct item *it, const struct dsse_statement *st)
{
	char err[1024], *data = NULL;
	size_t len;
	int rc = read_file_bounded(it->path, REPORT_MAX_BYTES, &data, &len, err, sizeof(err));

	if (rc != 0) {
		fail_item(it, rc, "%s", err);
		return;
	}
	sha256_hex(data, len, it->link.sha256);
	if (strcmp(it->link.sha256, st->subject_sha256) != 0)
		fail_item(it, VERIFY_BAD_SIGNATURE, "%s: its SHA-256 is %.16s..., the statement %s names %.16s...: the "
			  "report was altered, or the statement is another report's", it->path, it->link.sha256,
			  it->sig_path, st->subject_sha256);
	else if (b->full)
		check_full(it, data, len, st->predicate);
	free(data);
}

/* The envelope (REPORT.intoto.jsonl): its signature, the report's digest,
 * and the members, from the Statement alone. */
static void verify_statement(struct batch *b, struct item *it, struct ed25519_verifier *verifier)
{
	struct dsse_envelope env;
	struct dsse_statement st;
	char err[1024], *text;
	size_t len;
	int rc = read_file_bounded(it->sig_path, DSSE_ENVELOPE_MAX, &text, &len, err, sizeof(err));

	if (rc != 0) {
		fail_item(it, rc, "%s", err);
		return;
	}
	rc = dsse_envelope_parse(text, len, it->sig_path, &env, err, sizeof(err));
	free(text);
	if (rc != 0) {
		fail_item(it, rc, "%s", err);
		return;
	}
	if (!envelope_signed(b, it, verifier, &env)) {
		dsse_envelope_free(&env);
		return;
	}
	if (dsse_statement_parse(&env, it->sig_path, &st, err, sizeof(err)) != 0) {
		fail_item(it, EXIT_DATAERR, "%s (the signature holds, but this is not a chipaudit statement)", err);
		dsse_envelope_free(&env);
		return;
	}
	if (b->statements_only) {
		/* the subject is the chain's link: the report's hash, if it is that report */
		memcpy(it->link.sha256, st.subject_sha256, sizeof(it->link.sha256));
		it->report_unread = true;
	} else {
		check_subject(b, it, &st);
	}
	if (it->code == 0) {
		take_members(it, st.predicate, jstr(st.predicate, "time"));
		if (strcmp(it->fingerprint, b->key->fingerprint) != 0)
			fail_item(it, VERIFY_WRONG_KEY, "%s: the report names key %s, but was verified with key %s "
				  "(in its statement %s)", it->path, it->fingerprint, b->key->fingerprint, it->sig_path);
	}
	dsse_statement_free(&st);
	dsse_envelope_free(&env);
}

/* A file given with --sig: an envelope when it is not 64 bytes and begins
 * as a JSON object does; else read as a raw signature (which says what is
 * wrong with it). */
static bool given_envelope(const char *path)
{
	char err[1024], *data;
	size_t len;
	bool envelope;

	if (read_file_bounded(path, DSSE_ENVELOPE_MAX, &data, &len, err, sizeof(err)) != 0)
		return false;
	envelope = len != SIGNATURE_LEN && len > 0 && data[0] == '{';
	free(data);
	return envelope;
}

/* Which form signs the report: REPORT.intoto.jsonl when it exists, else
 * REPORT.sig; a file given with --sig by its content. Then verify it. */
static void verify_one(struct batch *b, struct item *it, struct ed25519_verifier *verifier)
{
	if (it->sig_path == NULL) {
		it->sig_path = xasprintf("%s%s", it->path, DSSE_SUFFIX);
		it->statement = access(it->sig_path, F_OK) == 0;
		if (!it->statement) {
			free(it->sig_path);
			it->sig_path = xasprintf("%s.sig", it->path);
		}
	} else {
		it->statement = given_envelope(it->sig_path);
	}
	if (it->statement)
		verify_statement(b, it, verifier);
	else
		verify_whole(b, it, verifier);
}

static void *worker(void *arg)
{
	struct batch *b = arg;
	struct ed25519_verifier verifier = { 0 };
	size_t i;

	while ((i = atomic_fetch_add(&b->next, 1)) < b->count)
		verify_one(b, &b->items[i], &verifier);
	ed25519_verifier_free(&verifier);
	return NULL;
}

static void run_batch(struct batch *b, long jobs)
{
	pthread_t threads[MAX_JOBS];
	long started = 0;

	if (jobs > (long)b->count)
		jobs = (long)b->count;
	for (long t = 1; t < jobs; t++) {
		if (pthread_create(&threads[started], NULL, worker, b) != 0)
			break;  /* fewer threads: slower, not wrong */
		started++;
	}
	worker(b);
	for (long t = 0; t < started; t++)
		pthread_join(threads[t], NULL);
}

static int verdict_code(enum chain_verdict v)
{
	switch (v) {
	case CHAIN_OK: return 0;
	case CHAIN_REPLAYED: return VERIFY_REPLAYED;
	case CHAIN_MISSING: return VERIFY_MISSING;
	case CHAIN_REORDERED: return VERIFY_REORDERED;
	default: return VERIFY_CHAIN_BROKEN;
	}
}

/* The report given with --previous: read, hashed, its members scanned. Not
 * its signature: it is the report the verifier accepted before. */
static int load_previous(const char *path, struct item *prev)
{
	char err[1024], *data;
	size_t len;
	json_t *m;
	int rc = read_file_bounded(path, REPORT_MAX_BYTES, &data, &len, err, sizeof(err));

	prev->path = path;
	if (rc != 0) {
		error_msg("--previous %s", err);
		return rc;
	}
	sha256_hex(data, len, prev->link.sha256);
	m = scan_members(data, len, err, sizeof(err));
	free(data);
	if (m == NULL) {
		error_msg("--previous %s: %s", path, err);
		return EXIT_DATAERR;
	}
	take_members(prev, m, jstr(jobj(m, "host"), "time"));
	json_decref(m);
	return 0;
}

/* --history: the report must be the latest of its chain in history. */
static void check_history(struct history *h, struct item *it)
{
	struct history_row row, head;
	char err[1024];
	int rc = history_by_sha256(h, it->link.sha256, &row, err, sizeof(err));

	if (rc > 1) {
		fail_item(it, rc, "%s", err);
		return;
	}
	if (rc == 1) {
		if (history_chain_head(h, it->host_id, it->fingerprint, &head, err, sizeof(err)) == 1) {
			if (head.sequence > row.sequence)
				fail_item(it, VERIFY_REPLAYED, "%s: superseded: %s holds sequence %" PRId64 " (#%" PRId64
					  "), newer than this report's %" PRId64 ": replayed",
					  it->path, history_path(h), head.sequence, head.id, row.sequence);
			history_row_free(&head);
		}
		history_row_free(&row);
		return;
	}
	rc = history_by_sequence(h, it->host_id, it->fingerprint, it->link.sequence, &row, err, sizeof(err));
	if (rc == 1) {
		fail_item(it, VERIFY_CHAIN_BROKEN, "%s: %s holds another report with sequence %" PRId64 " (#%" PRId64
			  ", sha256 %.16s...): the chain forked", it->path, history_path(h), row.sequence, row.id, row.sha256);
		history_row_free(&row);
	} else {
		fail_item(it, VERIFY_CHAIN_BROKEN, "%s: not in %s (made on another host, or that history was lost)",
			  it->path, history_path(h));
	}
}

/* Seen reports, by sha256, for replays inside a batch. */
static bool seen_before(struct item *items, size_t upto, const struct item *prev, const char *sha)
{
	if (prev && strcmp(prev->link.sha256, sha) == 0)
		return true;
	for (size_t i = 0; i < upto; i++)
		if (items[i].code == 0 && strcmp(items[i].link.sha256, sha) == 0)
			return true;
	return false;
}

struct verify_opts {
	const char *nonce;      /* normalised */
	bool chain, use_history, json;
	struct item *previous;  /* NULL without --previous */
	struct history *h;
};

/* The checks that relate the report to the verifier's request and to others. */
static void relate(const struct verify_opts *o, struct item *items, size_t i, const struct item *last_good)
{
	struct item *it = &items[i];
	const struct item *prev = (o->chain && last_good) ? last_good : (i == 0 || o->chain ? o->previous : NULL);
	char msg[512];
	enum chain_verdict v;

	if (o->nonce && (it->nonce == NULL || strcmp(it->nonce, o->nonce) != 0)) {
		if (it->nonce == NULL)
			fail_item(it, VERIFY_NONCE, "%s: the report carries no nonce, expected %s: not made for this request",
				  it->path, o->nonce);
		else
			fail_item(it, VERIFY_NONCE, "%s: nonce %s, expected %s: a stale report, made for another request",
				  it->path, it->nonce, o->nonce);
		return;
	}
	if ((o->chain || o->previous) && seen_before(items, i, o->previous, it->link.sha256)) {
		fail_item(it, VERIFY_REPLAYED, "%s: the same report (sha256 %.16s...) was given before: replayed",
			  it->path, it->link.sha256);
		return;
	}
	if (prev) {
		v = chain_follows(&prev->link, &it->link, msg, sizeof(msg));
		if (v != CHAIN_OK) {
			fail_item(it, verdict_code(v), "%s: after %s: %s", it->path, prev->path, msg);
			return;
		}
	}
	if (o->use_history)
		check_history(o->h, it);
}

static json_t *item_json(const struct item *it)
{
	json_t *o = json_object();

	jset_str(o, "file", it->path);
	jset_bool(o, "verified", it->code == 0);
	jset_int(o, "exit_code", it->code);
	jset_str(o, "message", it->message);
	jset_str(o, "signature", it->sig_path);
	jset_str(o, "signature_form", it->statement ? "statement" : "whole");
	jset_bool(o, "report_read", !it->report_unread);
	if (it->code == 0) {
		jset_int(o, "sequence", it->link.sequence);
		jset_str(o, "host_id", it->host_id);
		jset_str(o, "public_key_fingerprint", it->fingerprint);
		jset_str(o, "time", it->time);
		jset_str(o, "nonce", it->nonce);
	}
	return o;
}

static void report_item(const struct verify_opts *o, const struct item *it, json_t *results)
{
	if (o->json) {
		json_array_append_new(results, item_json(it));
		return;
	}
	if (it->code != 0) {
		error_msg("%s", it->message);
		return;
	}
	text_printf(stdout, "%s: verified: ", it->path);
	if (it->link.sequence)
		text_printf(stdout, "sequence %" PRId64 ", ", it->link.sequence);
	else
		text_printf(stdout, "not chained, ");
	text_printf(stdout, "host %s, key %s, %s%s%s\n", it->host_id ? it->host_id : "(unknown)", it->fingerprint,
	       it->time ? it->time : "?", o->nonce ? ", nonce matches" : "",
	       it->report_unread ? ", by its statement alone (the report was not read)"
	       : it->statement ? ", by its statement" : "");
}

static void item_free(struct item *it)
{
	free(it->sig_path);
	free(it->message);
	free(it->host_id);
	free(it->fingerprint);
	free(it->nonce);
	free(it->previous_sha256);
	free(it->time);
}

static int load_key(const char *pubkey, const char *dir, struct hostkey *key)
{
	char err[1024], *path = pubkey ? xstrdup(pubkey) : state_path(dir, HOSTKEY_PUBLIC);
	int rc = hostkey_load_public(path, key, err, sizeof(err));

	if (rc != 0)
		error_msg("%s%s", err, pubkey ? "" : " (give the host's public key with --pubkey FILE)");
	free(path);
	return rc;
}

/* The reports named in PATH ("-": standard input), one per line. */
static int read_files_from(const char *path, struct pathlist *list)
{
	char err[1024], *data = NULL;
	const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
	size_t len;
	int rc = read_file_bounded(path, PATHLIST_MAX_BYTES, &data, &len, err, sizeof(err));

	if (rc == 0) {
		if (pathlist_parse(data, len, name, list, err, sizeof(err)) != 0)
			rc = EXIT_DATAERR;
		free(data);
	}
	if (rc != 0)
		error_msg("--files-from: %s", err);
	return rc;
}

/* What the command line asks of verify. */
struct verify_args {
	struct verify_opts o;
	const char *pubkey, *state, *previous, *sig, *files_from;
	char nonce[NONCE_MAX_HEX + 1];
	bool statements_only, full;
	long jobs;
};

static int set_nonce(const char *value, void *target, char *err, size_t errlen)
{
	struct verify_args *a = target;

	if (nonce_parse(value, a->nonce) != 0) {
		snprintf(err, errlen, "verify: --nonce: expected %d to %d hex digits", NONCE_MIN_HEX, NONCE_MAX_HEX);
		return EXIT_USAGE;
	}
	a->o.nonce = a->nonce;
	return 0;
}

static int set_jobs(const char *value, void *target, char *err, size_t errlen)
{
	uint64_t n;

	if (parse_u64(value, 10, &n) != 0 || n == 0 || n > MAX_JOBS) {
		snprintf(err, errlen, "verify: --jobs: expected 1 to %d", MAX_JOBS);
		return EXIT_USAGE;
	}
	*(long *)target = (long)n;
	return 0;
}

static const struct opt_row verify_rows[] = {
	OPT_STRING("pubkey", 0, "FILE", "the host's public key (PEM); default STATE/host.pub.pem", struct verify_args,
		   pubkey),
	OPT_CALLBACK("nonce", 0, OPT_ARG_REQUIRED, "HEX", "the nonce the verifier gave `audit --nonce`: proves freshness",
		     set_nonce, NULL),
	OPT_STRING("previous", 0, "FILE", "the last report accepted from this host: the (first) report must follow "
		   "it directly", struct verify_args, previous),
	OPT_BOOL("chain", 0, "the reports are consecutive, in the order given", struct verify_args, o.chain),
	OPT_BOOL("history", 0, "the report must be the latest of its host in STATE's history", struct verify_args,
		 o.use_history),
	OPT_STRING("state", 0, "DIR", "the state directory ($CHIPAUDIT_STATE, else /var/lib/chipaudit)",
		   struct verify_args, state),
	OPT_STRING("sig", 0, "FILE", "the signature file, 64 raw bytes or a DSSE envelope (one REPORT only; default "
		   "REPORT.intoto.jsonl when it exists, else REPORT.sig)", struct verify_args, sig),
	{ .long_name = "jobs", .arg = OPT_ARG_REQUIRED, .arg_name = "N", .help = "threads for a batch (default: one "
	  "per processor)", .set = set_jobs, .offset = offsetof(struct verify_args, jobs) },
	OPT_STRING("files-from", 0, "FILE", "also the reports named in FILE, one per line ('-': standard input), after "
		   "those on the command line", struct verify_args, files_from),
	OPT_BOOL("statements-only", 0, "check a report signed by a Statement by its envelope alone, without reading "
		 "the report (its hash is the Statement's word; .sig reports are checked as always)", struct verify_args,
		 statements_only),
	OPT_BOOL("full", 0, "also read each report whole with the strict parser (as diff and history do) and, when "
		 "signed by a Statement, hold its members to the Statement's", struct verify_args, full),
	OPT_BOOL("json", 0, "one JSON array of results", struct verify_args, o.json),
	OPT_END,
};
static const struct opt_table verify_table = { NULL, verify_rows };

const struct cmd_spec verify_spec = {
	.name = "verify",
	.synopsis = verify_synopsis,
	.about = "  Check signed reports: the DSSE envelope REPORT.intoto.jsonl, whose in-toto\n"
		 "  Statement names REPORT's SHA-256, or else the signature REPORT.sig over\n"
		 "  REPORT's exact bytes; the key the report names, the verifier's nonce, and the\n"
		 "  chain of reports.\n",
	.trailer = "Exit (the first failure in file order): 0 verified; 10 bad signature; 11 wrong\n"
		   "key; 12 nonce mismatch; 13 chain broken; 14 a report missing; 15 reordered;\n"
		   "16 replayed; 64 usage; 65 malformed report, signature or key; 66 unreadable.\n",
	.operands = "FILE",
	.tables = { &verify_table },
};

int cmd_verify(int argc, char **argv)
{
	struct verify_args args = { .jobs = sysconf(_SC_NPROCESSORS_ONLN) };
	void *const ctx[] = { &args };
	struct verify_opts *o = &args.o;
	struct operands ops;
	const char *dir;
	struct pathlist listed = { 0 };
	size_t given;
	char err[1024];
	struct item prev = { 0 };
	struct hostkey key = { 0 };
	struct batch b = { 0 };
	const struct item *last_good = NULL;
	json_t *results = NULL;
	long jobs;
	size_t verified = 0;
	bool chosen;
	int rc = options_parse(&verify_spec, ctx, argc, argv, &ops), first_failure = 0;

	if (rc != 0)
		return rc == OPTIONS_HELP ? 0 : rc;
	if (args.files_from && (rc = read_files_from(args.files_from, &listed)) != 0)
		return rc;
	given = (size_t)ops.n;
	if (given + listed.count == 0) {
		pathlist_free(&listed);
		return options_usage_error(&verify_spec, "no report given%s", args.files_from ? " (the list is empty)" : "");
	}
	if (args.sig && given + listed.count != 1) {
		pathlist_free(&listed);
		return options_usage_error(&verify_spec, "--sig goes with one report");
	}
	if (args.full && args.statements_only) {
		pathlist_free(&listed);
		return options_usage_error(&verify_spec, "--full reads the reports, --statements-only does not: one or the other");
	}
	jobs = args.jobs < 1 ? 1 : args.jobs > MAX_JOBS ? MAX_JOBS : args.jobs;
	dir = state_dir(args.state, &chosen);
	if ((rc = load_key(args.pubkey, dir, &key)) != 0)
		return rc;
	if (args.previous) {
		if ((rc = load_previous(args.previous, &prev)) != 0)
			goto out;
		o->previous = &prev;
	}
	if (o->use_history && (rc = history_open(dir, false, &o->h, err, sizeof(err))) != 0) {
		error_msg("%s", err);
		goto out;
	}
	b.count = given + listed.count;
	b.items = xcalloc(b.count, sizeof(*b.items));
	b.key = &key;
	b.need_hash = o->chain || o->previous || o->use_history;
	b.statements_only = args.statements_only;
	b.full = args.full;
	for (size_t i = 0; i < b.count; i++) {
		b.items[i].path = i < given ? ops.v[i] : listed.paths[i - given];
		b.items[i].sig_path = args.sig ? xstrdup(args.sig) : NULL;  /* chosen by its worker */
	}
	run_batch(&b, jobs);
	results = o->json ? json_array() : NULL;
	for (size_t i = 0; i < b.count; i++) {
		struct item *it = &b.items[i];
		if (it->code == 0)
			relate(o, b.items, i, last_good);
		if (it->code == 0) {
			last_good = it;
			verified++;
		} else if (first_failure == 0)
			first_failure = it->code;
		report_item(o, it, results);
	}
	if (o->json)
		rc = print_json(stdout, results);
	else if (b.count > 1)
		text_printf(stdout, "%zu of %zu reports verified\n", verified, b.count);
	if (rc == 0)
		rc = first_failure;
out:
	json_decref(results);
	for (size_t i = 0; i < b.count; i++)
		item_free(&b.items[i]);
	free(b.items);
	item_free(&prev);
	history_close(o->h);
	hostkey_free(&key);
	pathlist_free(&listed);
	return rc;
}
