/* What an audit does with its report once judged: find its place in the
 * host's chain, judge drift against the previous report, add the evidence
 * members, sign the exact bytes, write them and store them in history.
 *
 * The whole step runs inside one write transaction of the history, so two
 * audits at once cannot take the same sequence number. The report file and
 * its signatures are written to temporary files before the transaction
 * commits and renamed into place after it: if the commit fails, they are
 * removed and whatever was at -o before stays as it was, so no report exists
 * that history does not hold. Only the temporary files this run created are
 * ever removed; an existing device or pipe given as -o is written to once
 * history holds the report. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/check.h"
#include "core/json.h"
#include "core/output.h"
#include "report/report.h"
#include "core/util.h"
#include "evidence/chain.h"
#include "checks/drift.h"
#include "evidence/dsse.h"
#include "evidence/history.h"
#include "evidence/record.h"
#include "evidence/sign.h"
#include "evidence/state.h"

struct recording {
	const char *dir;
	bool dir_chosen;
	struct hostkey key;          /* private when signing, else the public key when there is one */
	const char *fingerprint;
	struct history *h;
	bool in_transaction;
	struct history_row head;     /* the chain's last report */
	bool have_head;
	char nonce[NONCE_MAX_HEX + 1];
	char *text;
	size_t len;
	unsigned char sig[SIGNATURE_LEN];
	char *sig_path;               /* FILE.sig, when signing the whole report */
	char *envelope, *env_path;    /* FILE.intoto.jsonl, when signing a Statement */
	size_t envelope_len;
	const char *output;
	struct output report_file, sig_file, env_file;
	bool staged_report, staged_sig, staged_env;
};

static int load_key(struct recording *r, bool sign)
{
	char err[1024], *pubpath;
	int rc = 0;

	if (sign) {
		rc = hostkey_load_private(r->dir, &r->key, err, sizeof(err));
	} else {
		/* Not signing: the public key still names the host, when there is one. */
		pubpath = state_path(r->dir, HOSTKEY_PUBLIC);
		if (access(pubpath, F_OK) == 0)
			rc = hostkey_load_public(pubpath, &r->key, err, sizeof(err));
		free(pubpath);
	}
	if (rc != 0) {
		error_msg("%s", err);
		return rc;
	}
	r->fingerprint = r->key.pkey ? r->key.fingerprint : NULL;
	return 0;
}

static int open_history(struct recording *r, bool sign)
{
	char err[1024];
	int rc = history_open(r->dir, true, &r->h, err, sizeof(err));

	/* Unprivileged, on the default state directory: the audit still runs,
	 * and says what it did not keep. A directory the user chose must work. */
	if (rc == CA_ERR_CANTCREAT && !r->dir_chosen && !sign) {
		note_msg("history not kept: %s (run as root, or give --state DIR; --no-history silences this)", err);
		return 0;
	}
	if (rc != 0)
		error_msg("%s", err);
	return rc;
}

/* The facts of the host's latest (or first) stored report, for the drift
 * checks. 0 with *facts NULL when there is none, or it carries no facts. */
static int stored_facts(struct recording *r, const char *host_id, bool first, int64_t *id,
			json_t **facts, char **name)
{
	struct history_row row;
	char err[1024], where[96];
	json_t *doc;
	int found = history_host_report(r->h, host_id, first, &row, err, sizeof(err));

	*facts = NULL;
	if (found != 1) {
		if (found > 1)
			error_msg("%s", err);
		return found > 1 ? found : 0;
	}
	snprintf(where, sizeof(where), "%s #%lld", history_path(r->h), (long long)row.id);
	doc = report_parse(row.body, row.body_len, where, err, sizeof(err));
	if (doc == NULL) {
		error_msg("%s (audit with --no-history, or move the history aside)", err);
		history_row_free(&row);
		return CA_ERR_DATA;
	}
	if (report_facts(doc)) {
		*facts = json_incref(json_object_get(doc, "facts"));
		*name = xasprintf("the %s report (history #%lld, %s)", first ? "first" : "previous",
				  (long long)row.id, row.time ? row.time : "?");
		*id = row.id;
	}
	json_decref(doc);
	history_row_free(&row);
	return 0;
}

/* Set the baseline (and reference) from history unless the command line
 * gave one. */
static int load_baselines(struct recording *r, const char *host_id, struct judge_options *o)
{
	int64_t latest = 0, first = 0;
	json_t *facts;
	char *name = NULL;
	int rc;

	if (o->baseline == NULL) {
		if ((rc = stored_facts(r, host_id, false, &latest, &facts, &name)) != 0)
			return rc;
		if (facts) {
			o->baseline = facts;
			o->baseline_name = name;
		}
	}
	if (o->reference == NULL && o->baseline != NULL) {
		name = NULL;
		if ((rc = stored_facts(r, host_id, true, &first, &facts, &name)) != 0)
			return rc;
		if (facts && first != latest) {
			o->reference = facts;
			o->reference_name = name;
		} else {
			json_decref(facts);
			free(name);
		}
	}
	return 0;
}

/* Open FILE at PATH and, unless it is written directly (a device, a pipe),
 * write DATA to its temporary file now: nothing is in place until publish. */
static int stage(struct output *file, const char *path, const void *data, size_t len)
{
	char err[1024];
	int rc = output_open(file, path, 0644, 0, err, sizeof(err));

	if (rc == 0 && !file->direct && (rc = output_write(file, data, len, err, sizeof(err))) != 0)
		output_abort(file);
	if (rc != 0)
		error_msg("%s", err);
	return rc;
}

static int publish(struct output *file, const void *data, size_t len)
{
	char err[1024];
	int rc = 0;

	if (file->direct)
		rc = output_write(file, data, len, err, sizeof(err));
	if (rc != 0)
		output_abort(file);
	else
		rc = output_commit(file, err, sizeof(err));
	if (rc != 0)
		error_msg("%s", err);
	return rc;
}

static int stage_outputs(struct recording *r)
{
	int rc;

	if (r->output == NULL || strcmp(r->output, "-") == 0)
		return 0;
	if ((rc = stage(&r->report_file, r->output, r->text, r->len)) != 0)
		return rc;
	r->staged_report = true;
	if (r->sig_path) {
		if ((rc = stage(&r->sig_file, r->sig_path, r->sig, SIGNATURE_LEN)) != 0)
			return rc;
		r->staged_sig = true;
	}
	if (r->env_path) {
		if ((rc = stage(&r->env_file, r->env_path, r->envelope, r->envelope_len)) != 0)
			return rc;
		r->staged_env = true;
	}
	return 0;
}

/* After history holds the report: the signatures first, so that a report
 * file in place always has its signatures beside it. */
static int publish_outputs(struct recording *r)
{
	int rc;

	if (r->staged_env) {
		r->staged_env = false;
		if ((rc = publish(&r->env_file, r->envelope, r->envelope_len)) != 0)
			return rc;
	}
	if (r->staged_sig) {
		r->staged_sig = false;
		if ((rc = publish(&r->sig_file, r->sig, SIGNATURE_LEN)) != 0)
			return rc;
	}
	if (r->staged_report) {
		r->staged_report = false;
		return publish(&r->report_file, r->text, r->len);
	}
	return 0;
}

static int sign_text(struct recording *r)
{
	if (ed25519_sign(r->key.pkey, r->text, r->len, r->sig) != 0) {
		error_msg("signing the report with %s failed", r->key.fingerprint);
		return CA_ERR_SOFTWARE;
	}
	/* Verified at once, as a verifier will: a fault while signing must not
	 * leave a report that cannot be verified. */
	if (!ed25519_verify(r->key.pkey, NULL, r->text, r->len, r->sig)) {
		error_msg("the signature just made does not verify with %s", r->key.fingerprint);
		return CA_ERR_SOFTWARE;
	}
	return 0;
}

/* The envelope just made, read back and checked as verify will: parsed,
 * its signature over the PAE, and the subject's digest. */
static int check_envelope(const struct recording *r, const char *sha256)
{
	struct dsse_envelope env;
	struct dsse_statement st;
	unsigned char *pae;
	size_t len;
	char err[1024];
	int rc = CA_ERR_SOFTWARE;

	if (dsse_envelope_parse(r->envelope, r->envelope_len, r->env_path, &env, err, sizeof(err)) != 0) {
		error_msg("the envelope just made cannot be read back: %s", err);
		return rc;
	}
	pae = dsse_pae(env.payload_type, env.payload, env.payload_len, &len);
	if (!ed25519_verify(r->key.pkey, NULL, pae, len, env.sig)) {
		error_msg("the statement just signed does not verify with %s", r->key.fingerprint);
	} else if (dsse_statement_parse(&env, r->env_path, &st, err, sizeof(err)) != 0) {
		error_msg("the statement just made cannot be read back: %s", err);
	} else {
		if (strcmp(st.subject_sha256, sha256) == 0)
			rc = 0;
		else
			error_msg("the statement just made names another report (sha256 %s)", st.subject_sha256);
		dsse_statement_free(&st);
	}
	free(pae);
	dsse_envelope_free(&env);
	return rc;
}

/* The Statement naming the report's bytes, its predicate made from the
 * members the report was given (M), signed over its PAE and wrapped in a
 * DSSE envelope: what FILE.intoto.jsonl holds. */
static int sign_statement(struct recording *r, const json_t *report, const struct evidence_members *m)
{
	struct dsse_predicate p = { .m = *m, .time = jstr(jobj(report, "host"), "time") };
	char sha[SHA256_HEX_LEN + 1], *stmt;
	unsigned char *pae, sig[SIGNATURE_LEN];
	const char *name = strrchr(r->output, '/') ? strrchr(r->output, '/') + 1 : r->output;
	size_t slen, plen;
	int rc;

	jint(report, "schema_version", &p.schema_version);
	sha256_hex(r->text, r->len, sha);
	stmt = dsse_statement(name, sha, &p, &slen);
	pae = dsse_pae(DSSE_PAYLOAD_TYPE, stmt, slen, &plen);
	rc = ed25519_sign(r->key.pkey, pae, plen, sig);
	free(pae);
	if (rc != 0) {
		free(stmt);
		error_msg("signing the statement with %s failed", r->key.fingerprint);
		return CA_ERR_SOFTWARE;
	}
	r->envelope = dsse_envelope(stmt, slen, r->key.fingerprint, sig, &r->envelope_len);
	free(stmt);
	r->env_path = xasprintf("%s%s", r->output, DSSE_SUFFIX);
	return check_envelope(r, sha);
}

static int sign_report(struct recording *r, const json_t *report, const struct evidence_members *m,
		       enum sign_format format)
{
	int rc;

	if (format != SIGN_FORMAT_STATEMENT) {
		r->sig_path = xasprintf("%s.sig", r->output);
		if ((rc = sign_text(r)) != 0)
			return rc;
	}
	if (format != SIGN_FORMAT_WHOLE)
		return sign_statement(r, report, m);
	return 0;
}

static int store(struct recording *r, const json_t *report, const struct evidence_members *m)
{
	struct history_row row = { 0 };
	char err[1024];
	const json_t *host = jobj(report, "host");
	json_int_t accs = 0;
	int rc;

	row.host_id = (char *)m->host_id;
	row.fingerprint = (char *)m->fingerprint;
	row.sequence = m->sequence;
	sha256_hex(r->text, r->len, row.sha256);
	row.previous_sha256 = (char *)m->previous_sha256;
	row.time = (char *)jstr(host, "time");
	row.hostname = (char *)jstr(host, "hostname");
	row.nonce = (char *)m->nonce;
	row.worst = (char *)jstr(jobj(report, "summary"), "worst");
	jint(jobj(report, "summary"), "accelerators", &accs);
	row.accelerators = accs;
	row.body = r->text;
	row.body_len = r->len;
	row.signature = r->sig_path ? r->sig : NULL;
	row.signature_len = r->sig_path ? SIGNATURE_LEN : 0;
	row.envelope = r->envelope;
	row.envelope_len = r->envelope_len;
	if ((rc = history_append(r->h, &row, err, sizeof(err))) != 0 ||
	    (rc = history_commit(r->h, err, sizeof(err))) != 0) {
		error_msg("%s", err);
		return rc;
	}
	r->in_transaction = false;
	return 0;
}

/* Nothing half-done stays behind: a report file that history does not hold
 * would break the chain for its verifier. What was at -o is left alone. */
static void recording_free(struct recording *r)
{
	if (r->staged_report)
		output_abort(&r->report_file);
	if (r->staged_sig)
		output_abort(&r->sig_file);
	if (r->staged_env)
		output_abort(&r->env_file);
	if (r->in_transaction)
		history_rollback(r->h);
	if (r->have_head)
		history_row_free(&r->head);
	history_close(r->h);
	hostkey_free(&r->key);
	free(r->text);
	free(r->sig_path);
	free(r->env_path);
	free(r->envelope);
}

int evidence_record_audit(json_t **report, const json_t *facts, const struct accdb *db,
			  const struct record_options *keep, struct judge_options *o, const char **output)
{
	struct recording r = { .output = *output };
	struct evidence_members m = { 0 };
	const char *host_id = jstr(jobj(facts, "host"), "machine_id");
	char err[1024];
	int rc;

	if (keep->sign && (*output == NULL || strcmp(*output, "-") == 0)) {
		error_msg("audit: --sign needs -o FILE (the signatures are written to FILE.sig and FILE" DSSE_SUFFIX ")");
		return CA_ERR_USAGE;
	}
	if (keep->nonce && nonce_parse(keep->nonce, r.nonce) != 0) {
		error_msg("audit: --nonce: expected %d to %d hex digits", NONCE_MIN_HEX, NONCE_MAX_HEX);
		return CA_ERR_USAGE;
	}
	r.dir = state_dir(keep->state, &r.dir_chosen);
	if ((rc = load_key(&r, keep->sign)) != 0 ||
	    (!keep->no_history && (rc = open_history(&r, keep->sign)) != 0))
		goto out;
	if (r.h) {
		if ((rc = history_begin(r.h, err, sizeof(err))) != 0) {
			error_msg("%s", err);
			goto out;
		}
		r.in_transaction = true;
		rc = history_chain_head(r.h, host_id, r.fingerprint, &r.head, err, sizeof(err));
		if (rc > 1) {
			error_msg("%s", err);
			goto out;
		}
		r.have_head = rc == 1;
		if ((rc = load_baselines(&r, host_id, o)) != 0)
			goto out;
	}
	/* Judged once, with the drift baseline and reference history gives. */
	*report = judge_facts(facts, db, o);
	m.host_id = host_id;
	m.fingerprint = r.fingerprint;
	m.nonce = keep->nonce ? r.nonce : NULL;
	m.sequence = r.h ? (r.have_head ? r.head.sequence + 1 : 1) : 0;
	m.previous_sha256 = r.have_head ? r.head.sha256 : NULL;
	evidence_add_members(*report, &m, facts);
	/* The bytes emit_report prints: signed, stored and written are the same. */
	r.text = report_serialize(*report, &r.len);
	if (keep->sign && (rc = sign_report(&r, *report, &m, keep->sign_format)) != 0)
		goto out;
	if ((rc = stage_outputs(&r)) != 0)
		goto out;
	if (r.h && (rc = store(&r, *report, &m)) != 0)
		goto out;
	if (r.staged_report)
		*output = NULL;  /* written here: emit_report only prints */
	rc = publish_outputs(&r);
out:
	recording_free(&r);
	return rc;
}

int evidence_option_sign_format(const char *arg, void *target, char *err, size_t errlen)
{
	static const char *const names[] = { [SIGN_FORMAT_WHOLE] = "whole", [SIGN_FORMAT_STATEMENT] = "statement",
					     [SIGN_FORMAT_BOTH] = "both" };

	for (size_t i = SIGN_FORMAT_WHOLE; i < ARRAY_SIZE(names); i++) {
		if (strcmp(arg, names[i]) == 0) {
			*(enum sign_format *)target = (enum sign_format)i;
			return 0;
		}
	}
	snprintf(err, errlen, "--sign-format \"%.64s\": expected whole, statement or both", arg);
	return CA_ERR_USAGE;
}

int evidence_option_drift_margin(const char *arg, void *target, char *err, size_t errlen)
{
	struct judge_options *o = target;
	char *end;
	double pct;

	errno = 0;
	pct = strtod(arg, &end);
	if (errno || end == arg || *end != '\0' || !(pct > 0 && pct < 100)) {
		snprintf(err, errlen, "--drift-margin: '%s' is not a percentage between 0 and 100", arg);
		return CA_ERR_USAGE;
	}
	o->drift_margin = pct / 100;
	return 0;
}

/* --baseline or --reference FILE into *SLOT and *NAME. */
static int drift_document(const char *arg, json_t **slot, char **name, char *err, size_t errlen)
{
	json_t *doc;
	int rc;

	doc = json_load_path(arg, err, errlen, &rc);
	if (doc == NULL)
		return rc;
	json_decref(*slot);
	free(*name);
	*slot = baseline_from_document(doc, arg, err, errlen);
	json_decref(doc);
	if (*slot == NULL) {
		*name = NULL;
		return CA_ERR_DATA;
	}
	*name = xstrdup(arg);
	return 0;
}

int evidence_option_baseline(const char *arg, void *target, char *err, size_t errlen)
{
	struct judge_options *o = target;

	return drift_document(arg, &o->baseline, &o->baseline_name, err, errlen);
}

int evidence_option_reference(const char *arg, void *target, char *err, size_t errlen)
{
	struct judge_options *o = target;

	return drift_document(arg, &o->reference, &o->reference_name, err, errlen);
}

void evidence_options_free(struct judge_options *o)
{
	json_decref(o->baseline);
	json_decref(o->reference);
	free(o->baseline_name);
	free(o->reference_name);
	o->baseline = o->reference = NULL;
	o->baseline_name = o->reference_name = NULL;
}
