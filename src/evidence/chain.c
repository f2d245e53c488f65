#include "evidence/chain.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "probe/facts.h"
#include "probe/probe.h"
#include "core/fileio.h"
#include "core/json.h"
#include "report/report.h"
#include "core/util.h"

int nonce_parse(const char *in, char *out)
{
	size_t n = strlen(in);

	if (n < NONCE_MIN_HEX || n > NONCE_MAX_HEX)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)in[i]))
			return -1;
		out[i] = (char)tolower((unsigned char)in[i]);
	}
	out[n] = '\0';
	return 0;
}

/* Members a report carries at its top level with the same value as in its
 * facts: its "facts" member leaves them out, and report_parse puts them back,
 * so that they are written (and hashed, and signed) once. The accelerators
 * alone were an eighth of an eight-GPU report. */
static const char *const shared_members[] = { "host", "accelerators", "limitations" };

/* The facts of a report as it reads them: FACTS less the shared members. */
static json_t *facts_for_report(const json_t *facts)
{
	json_t *copy = json_copy((json_t *)facts);  /* shallow: serialised, then freed */

	for (size_t i = 0; i < ARRAY_SIZE(shared_members); i++)
		json_object_del(copy, shared_members[i]);
	return copy;
}

/* Put the shared members back into REPORT's facts. A report whose facts
 * carry one of them itself is refused: one value, in one place. */
static int restore_shared_members(json_t *report, char *err, size_t errlen)
{
	json_t *facts = json_object_get(report, "facts");

	if (!json_is_object(facts))
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(shared_members); i++) {
		json_t *v = json_object_get(report, shared_members[i]), *own = json_object_get(facts, shared_members[i]);
		if (own != NULL && own == v)
			continue;  /* put back already: this report was read before */
		if (own != NULL) {
			snprintf(err, errlen, "report.facts.%s: not allowed here (the report carries it once, at its top level)",
				 shared_members[i]);
			return -1;
		}
		if (v != NULL)
			json_object_set(facts, shared_members[i], v);
	}
	return 0;
}

void evidence_add_members(json_t *report, const struct evidence_members *m, const json_t *facts)
{
	jset_str(report, "host_id", m->host_id);
	jset_str(report, "public_key_fingerprint", m->fingerprint);
	jset_str(report, "nonce", m->nonce);
	if (m->sequence > 0)
		jset_int(report, "sequence", (json_int_t)m->sequence);
	else
		jset(report, "sequence", NULL);
	jset_str(report, "previous_sha256", m->previous_sha256);
	json_object_set_new(report, "facts", facts_for_report(facts));
}

static int validate_fingerprint(const json_t *report, char *err, size_t errlen)
{
	const json_t *v = json_object_get(report, "public_key_fingerprint");
	const char *s;

	if (v == NULL || json_is_null(v))
		return 0;
	s = json_string_value(v);
	if (s == NULL || json_string_length(v) != FINGERPRINT_LEN || strncmp(s, "sha256:", 7) != 0 ||
	    !is_hex_string(s + 7, SHA256_HEX_LEN)) {
		snprintf(err, errlen, "public_key_fingerprint: expected \"sha256:\" and 64 lowercase hex digits");
		return -1;
	}
	return 0;
}

static int validate_nonce(const json_t *report, char *err, size_t errlen)
{
	const json_t *v = json_object_get(report, "nonce");
	char norm[NONCE_MAX_HEX + 1];
	const char *s;

	if (v == NULL || json_is_null(v))
		return 0;
	s = json_string_value(v);
	if (s == NULL || strlen(s) != json_string_length(v) || nonce_parse(s, norm) != 0 || strcmp(norm, s) != 0) {
		snprintf(err, errlen, "nonce: expected %d to %d lowercase hex digits", NONCE_MIN_HEX, NONCE_MAX_HEX);
		return -1;
	}
	return 0;
}

int evidence_validate_members(const json_t *report, char *err, size_t errlen)
{
	json_int_t seq = 0;
	const json_t *prev;

	if (jv_string(report, "host_id", JV_NULLABLE, HOST_ID_MAX, "report", err, errlen) ||
	    validate_fingerprint(report, err, errlen) || validate_nonce(report, err, errlen) ||
	    jv_integer(report, "sequence", JV_NULLABLE, 1, SEQUENCE_MAX, "report", err, errlen) ||
	    jv_hex(report, "previous_sha256", JV_NULLABLE, SHA256_HEX_LEN, "report", err, errlen))
		return -1;
	jint(report, "sequence", &seq);
	prev = json_object_get(report, "previous_sha256");
	if (seq == 1 && prev && !json_is_null(prev)) {
		snprintf(err, errlen, "report.previous_sha256: the first report of a chain (sequence 1) names no previous report");
		return -1;
	}
	if (seq > 1 && (prev == NULL || json_is_null(prev))) {
		snprintf(err, errlen, "report.previous_sha256: missing for sequence %" JSON_INTEGER_FORMAT, seq);
		return -1;
	}
	if (seq == 0 && prev && !json_is_null(prev)) {
		snprintf(err, errlen, "report.previous_sha256: present without a sequence");
		return -1;
	}
	return 0;
}

#define REPORT_MAX_SUBJECTS 65536

/* A finding's subjects: "subjects", a list of one or more (schema 2), or
 * "subject", one (schema 1), which becomes a list of one so that readers
 * see one form (and the report is then marked as of schema 2). */
static int validate_subjects(json_t *f, json_int_t version, const char *where, char *err, size_t errlen)
{
	const json_t *list = json_object_get(f, "subjects"), *s;
	size_t i;

	if (version == 1) {
		if (jv_string(f, "subject", JV_REQUIRED, 64, where, err, errlen))
			return -1;
		json_object_set_new(f, "subjects", json_pack("[O]", json_object_get(f, "subject")));
		json_object_del(f, "subject");
		return 0;
	}
	if (jv_string_array(f, "subjects", JV_REQUIRED, 64, where, err, errlen))
		return -1;
	if (json_array_size(list) == 0 || json_array_size(list) > REPORT_MAX_SUBJECTS) {
		snprintf(err, errlen, "%s.subjects: expected 1 to %d subjects, found %zu", where, REPORT_MAX_SUBJECTS,
			 json_array_size(list));
		return -1;
	}
	json_array_foreach(list, i, s) {
		if (json_string_length(s) == 0) {
			snprintf(err, errlen, "%s.subjects[%zu]: empty", where, i);
			return -1;
		}
	}
	return 0;
}

/* What diff and drift read from a report besides its facts. */
static int validate_findings(json_t *report, json_int_t version, char *err, size_t errlen)
{
	json_t *list = json_object_get(report, "findings"), *f;
	size_t i;

	if (jv_array(report, "findings", JV_REQUIRED, "report", err, errlen))
		return -1;
	json_array_foreach(list, i, f) {
		char where[48];
		enum status st;
		snprintf(where, sizeof(where), "report.findings[%zu]", i);
		if (!json_is_object(f)) {
			snprintf(err, errlen, "%s: expected an object", where);
			return -1;
		}
		if (jv_string(f, "check", JV_REQUIRED, 128, where, err, errlen) ||
		    jv_string(f, "status", JV_REQUIRED, 16, where, err, errlen) ||
		    validate_subjects(f, version, where, err, errlen) ||
		    jv_string(f, "message", JV_NULLABLE, 65536, where, err, errlen))
			return -1;
		if (status_from_name(jstr(f, "status"), &st) != 0) {
			snprintf(err, errlen, "%s.status: '%s' is not a status", where, jstr(f, "status"));
			return -1;
		}
	}
	return 0;
}

int summary_counts_validate(const json_t *summary, char *err, size_t errlen)
{
	static const char *const counts[] = { "accelerators", "pass", "warn", "fail", "skip", "error", "exit_code" };

	for (size_t i = 0; i < ARRAY_SIZE(counts); i++)
		if (jv_integer(summary, counts[i], 0, 0, SEQUENCE_MAX, "report.summary", err, errlen))
			return -1;
	return 0;
}

int report_schema_check(json_int_t version, char *err, size_t errlen)
{
	if (version < REPORT_SCHEMA_OLDEST || version > REPORT_SCHEMA_VERSION) {
		snprintf(err, errlen, "report.schema_version: %" JSON_INTEGER_FORMAT " is not supported (this build reads %d to %d)",
			 version, REPORT_SCHEMA_OLDEST, REPORT_SCHEMA_VERSION);
		return -1;
	}
	return 0;
}

static int validate_report(json_t *report, char *err, size_t errlen)
{
	json_int_t version = 0;
	json_t *facts;
	char sub[512];

	if (!json_is_object(report)) {
		snprintf(err, errlen, "expected a JSON object at the top level");
		return -1;
	}
	if (jv_integer(report, "schema_version", JV_REQUIRED, 0, 1 << 30, "report", err, errlen))
		return -1;
	jint(report, "schema_version", &version);
	if (report_schema_check(version, err, errlen) ||
	    jv_string(report, "tool_version", JV_REQUIRED, 64, "report", err, errlen) ||
	    jv_object(report, "host", JV_REQUIRED, "report", err, errlen) ||
	    jv_string(jobj(report, "host"), "time", JV_REQUIRED, 64, "report.host", err, errlen) ||
	    jv_string(jobj(report, "host"), "hostname", JV_NULLABLE, 256, "report.host", err, errlen) ||
	    jv_array(report, "accelerators", JV_REQUIRED, "report", err, errlen) ||
	    validate_findings(report, version, err, errlen) ||
	    jv_object(report, "summary", JV_REQUIRED, "report", err, errlen) ||
	    jv_string(jobj(report, "summary"), "worst", JV_REQUIRED, 16, "report.summary", err, errlen) ||
	    summary_counts_validate(jobj(report, "summary"), err, errlen) ||
	    evidence_validate_members(report, err, errlen) ||
	    jv_object(report, "facts", 0, "report", err, errlen))
		return -1;
	/* in the form of the version read now, so that reading it again holds */
	if (version != REPORT_SCHEMA_VERSION)
		jset_int(report, "schema_version", REPORT_SCHEMA_VERSION);
	if (restore_shared_members(report, err, errlen) != 0)
		return -1;
	facts = json_object_get(report, "facts");
	if (facts == NULL)
		vendor_values_upgrade(report);
	if (facts && facts_validate(facts, "report.facts", sub, sizeof(sub)) != 0) {
		snprintf(err, errlen, "%s", sub);
		return -1;
	}
	return 0;
}

json_t *report_parse(const char *buf, size_t len, const char *name, char *err, size_t errlen)
{
	json_t *report = json_parse_strict(buf, len, name, err, errlen);
	char sub[640];

	if (report == NULL)
		return NULL;
	if (validate_report(report, sub, sizeof(sub)) != 0) {
		snprintf(err, errlen, "%s: %s", name, sub);
		json_decref(report);
		return NULL;
	}
	return report;
}

json_t *report_load(const char *path, char sha256[SHA256_HEX_LEN + 1], char *err, size_t errlen, int *exit_code)
{
	char *data;
	size_t len;
	json_t *report;

	*exit_code = read_file_bounded(path, REPORT_MAX_BYTES, &data, &len, err, errlen);
	if (*exit_code != 0)
		return NULL;
	if (sha256)
		sha256_hex(data, len, sha256);
	report = report_parse(data, len, strcmp(path, "-") == 0 ? "<stdin>" : path, err, errlen);
	free(data);
	if (report == NULL)
		*exit_code = CA_ERR_DATA;
	return report;
}

const json_t *report_facts(const json_t *report)
{
	return jobj(report, "facts");
}

json_t *baseline_from_document(json_t *doc, const char *name, char *err, size_t errlen)
{
	char sub[640];

	if (!json_is_object(doc)) {
		snprintf(err, errlen, "%s: expected a JSON object at the top level", name);
		return NULL;
	}
	if (json_object_get(doc, "findings") != NULL) {
		/* a report: its facts are the baseline */
		if (validate_report(doc, sub, sizeof(sub)) != 0) {
			snprintf(err, errlen, "%s: %s", name, sub);
			return NULL;
		}
		if (report_facts(doc) == NULL) {
			snprintf(err, errlen, "%s: the report carries no facts (made by `judge`, or an older chipaudit); "
				 "give its facts file instead", name);
			return NULL;
		}
		return json_incref(json_object_get(doc, "facts"));
	}
	if (facts_validate(doc, name, err, errlen) != 0)
		return NULL;
	return json_incref(doc);
}

enum chain_verdict chain_follows(const struct chain_link *prev, const struct chain_link *cur, char *msg, size_t msglen)
{
	if (strcmp(prev->sha256, cur->sha256) == 0) {
		snprintf(msg, msglen, "the same report (sha256 %.16s...) was seen before: replayed", cur->sha256);
		return CHAIN_REPLAYED;
	}
	if (!str_same(prev->host_id, cur->host_id)) {
		snprintf(msg, msglen, "host %s does not follow a report of host %s",
			 cur->host_id ? cur->host_id : "(unknown)", prev->host_id ? prev->host_id : "(unknown)");
		return CHAIN_BROKEN;
	}
	if (!str_same(prev->fingerprint, cur->fingerprint)) {
		snprintf(msg, msglen, "key %s does not follow a report of key %s (a new host key starts a new chain)",
			 cur->fingerprint ? cur->fingerprint : "(none)", prev->fingerprint ? prev->fingerprint : "(none)");
		return CHAIN_BROKEN;
	}
	if (prev->sequence == 0 || cur->sequence == 0) {
		snprintf(msg, msglen, "%s report has no sequence number (audited with --no-history): not chained",
			 cur->sequence == 0 ? "this" : "the previous");
		return CHAIN_BROKEN;
	}
	if (cur->sequence < prev->sequence) {
		snprintf(msg, msglen, "sequence %" PRId64 " comes after sequence %" PRId64 ": out of order (an older report shown as newer)",
			 cur->sequence, prev->sequence);
		return CHAIN_REORDERED;
	}
	if (cur->sequence == prev->sequence) {
		snprintf(msg, msglen, "two different reports carry sequence %" PRId64 ": the chain forked", cur->sequence);
		return CHAIN_BROKEN;
	}
	if (cur->sequence > prev->sequence + 1) {
		if (cur->sequence == prev->sequence + 2)
			snprintf(msg, msglen, "sequence %" PRId64 " follows %" PRId64 ": report %" PRId64 " is missing",
				 cur->sequence, prev->sequence, prev->sequence + 1);
		else
			snprintf(msg, msglen, "sequence %" PRId64 " follows %" PRId64 ": reports %" PRId64 " to %" PRId64 " are missing",
				 cur->sequence, prev->sequence, prev->sequence + 1, cur->sequence - 1);
		return CHAIN_MISSING;
	}
	if (!cur->previous_sha256 || strcmp(cur->previous_sha256, prev->sha256) != 0) {
		snprintf(msg, msglen, "names previous report sha256 %.16s..., but the previous report (sequence %" PRId64 ") has sha256 %.16s...: the link is broken",
			 cur->previous_sha256 ? cur->previous_sha256 : "(none)", prev->sequence, prev->sha256);
		return CHAIN_BROKEN;
	}
	snprintf(msg, msglen, "follows sequence %" PRId64, prev->sequence);
	return CHAIN_OK;
}
