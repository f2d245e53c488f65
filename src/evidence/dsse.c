#include "evidence/dsse.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base64.h"
#include "core/error.h"
#include "core/json.h"
#include "core/util.h"

/* The predicate's members, each required (null where a report may carry null). */
static const char *const predicate_members[] = {
	"schema_version", "host_id", "public_key_fingerprint", "sequence", "previous_sha256", "nonce", "time",
};

unsigned char *dsse_pae(const char *type, const void *body, size_t body_len, size_t *len)
{
	char *head = xasprintf("DSSEv1 %zu %s %zu ", strlen(type), type, body_len);
	size_t n = strlen(head);
	unsigned char *out = xmalloc(n + body_len + 1);

	memcpy(out, head, n);
	if (body_len)
		memcpy(out + n, body, body_len);
	out[n + body_len] = '\0';
	*len = n + body_len;
	free(head);
	return out;
}

/* --- writing ------------------------------------------------------------- */

char *dsse_statement(const char *name, const char *sha256, const struct dsse_predicate *p, size_t *len)
{
	json_t *st = json_object(), *subject = json_object(), *digest = json_object(), *pred = json_object();
	char *text;

	json_object_set_new(subject, "name", json_string_lossy(name));
	jset_str(digest, "sha256", sha256);
	json_object_set_new(subject, "digest", digest);
	jset_str(st, "_type", INTOTO_STATEMENT_TYPE);
	json_object_set_new(st, "subject", json_pack("[o]", subject));
	jset_str(st, "predicateType", CHIPAUDIT_PREDICATE_TYPE);
	jset_int(pred, "schema_version", p->schema_version);
	jset_str(pred, "host_id", p->m.host_id);
	jset_str(pred, "public_key_fingerprint", p->m.fingerprint);
	if (p->m.sequence > 0)
		jset_int(pred, "sequence", (json_int_t)p->m.sequence);
	else
		jset(pred, "sequence", NULL);
	jset_str(pred, "previous_sha256", p->m.previous_sha256);
	jset_str(pred, "nonce", p->m.nonce);
	jset_str(pred, "time", p->time);
	json_object_set_new(st, "predicate", pred);
	text = json_to_text(st, false);
	json_decref(st);
	*len = strlen(text);
	return text;
}

char *dsse_envelope(const void *payload, size_t payload_len, const char *keyid,
		    const unsigned char sig[SIGNATURE_LEN], size_t *len)
{
	json_t *env = json_object(), *one = json_object();
	char *b64 = base64_encode(payload, payload_len), *text;

	jset_str(env, "payloadType", DSSE_PAYLOAD_TYPE);
	jset_str(env, "payload", b64);
	free(b64);
	jset_str(one, "keyid", keyid);
	b64 = base64_encode(sig, SIGNATURE_LEN);
	jset_str(one, "sig", b64);
	free(b64);
	json_object_set_new(env, "signatures", json_pack("[o]", one));
	text = json_to_text_nl(env, false);
	json_decref(env);
	*len = strlen(text);
	return text;
}

/* --- reading ------------------------------------------------------------- */

static int data_error(char *err, size_t errlen, const char *name, const char *problem)
{
	snprintf(err, errlen, "%s: %s", name, problem);
	return CA_ERR_DATA;
}

/* The one signature: {"keyid": hint, "sig": base64 of 64 bytes}. */
static int parse_signature(const json_t *sigs, const char *name, struct dsse_envelope *env, char *err, size_t errlen)
{
	static const char *const allowed[] = { "keyid", "sig" };
	const json_t *one = json_array_get(sigs, 0);
	const char *b64;
	unsigned char *raw;
	size_t rawlen;
	char sub[256];

	if (json_array_size(sigs) != 1)
		return data_error(err, errlen, name, "expected exactly one signature in \"signatures\"");
	if (!json_is_object(one))
		return data_error(err, errlen, name, "signatures[0]: expected an object");
	if (jv_only_members(one, allowed, ARRAY_SIZE(allowed), "signatures[0]", sub, sizeof(sub)) ||
	    jv_string(one, "keyid", JV_NULLABLE, 256, "signatures[0]", sub, sizeof(sub)) ||
	    jv_string(one, "sig", JV_REQUIRED, 1024, "signatures[0]", sub, sizeof(sub)))
		return data_error(err, errlen, name, sub);
	b64 = jstr(one, "sig");
	if (base64_decode(b64, json_string_length(json_object_get(one, "sig")), &raw, &rawlen) != 0)
		return data_error(err, errlen, name, "signatures[0].sig: not base64");
	if (rawlen != SIGNATURE_LEN) {
		free(raw);
		snprintf(sub, sizeof(sub), "signatures[0].sig: %zu bytes, expected a %d-byte Ed25519 signature", rawlen,
			 SIGNATURE_LEN);
		return data_error(err, errlen, name, sub);
	}
	memcpy(env->sig, raw, SIGNATURE_LEN);
	free(raw);
	return 0;
}

int dsse_envelope_parse(const char *data, size_t len, const char *name, struct dsse_envelope *env,
			char *err, size_t errlen)
{
	static const char *const allowed[] = { "payloadType", "payload", "signatures" };
	const json_t *payload;
	char sub[256];
	json_t *root;
	int rc;

	memset(env, 0, sizeof(*env));
	if (len > DSSE_ENVELOPE_MAX) {
		snprintf(sub, sizeof(sub), "%zu bytes: larger than a DSSE envelope may be here (%d)", len, DSSE_ENVELOPE_MAX);
		return data_error(err, errlen, name, sub);
	}
	if ((root = json_parse_strict(data, len, name, err, errlen)) == NULL)
		return CA_ERR_DATA;
	if (!json_is_object(root)) {
		json_decref(root);
		return data_error(err, errlen, name, "not a DSSE envelope (expected a JSON object)");
	}
	payload = json_object_get(root, "payload");
	if (jv_only_members(root, allowed, ARRAY_SIZE(allowed), "envelope", sub, sizeof(sub)) ||
	    jv_string(root, "payloadType", JV_REQUIRED, 256, "envelope", sub, sizeof(sub)) ||
	    jv_string(root, "payload", JV_REQUIRED, DSSE_ENVELOPE_MAX, "envelope", sub, sizeof(sub)) ||
	    jv_array(root, "signatures", JV_REQUIRED, "envelope", sub, sizeof(sub))) {
		json_decref(root);
		return data_error(err, errlen, name, sub);
	}
	rc = parse_signature(json_object_get(root, "signatures"), name, env, err, errlen);
	if (rc == 0 && base64_decode(json_string_value(payload), json_string_length(payload), &env->payload,
				     &env->payload_len) != 0)
		rc = data_error(err, errlen, name, "envelope.payload: not base64");
	if (rc == 0)
		env->payload_type = xstrdup(jstr(root, "payloadType"));
	json_decref(root);
	if (rc != 0)
		dsse_envelope_free(env);
	return rc;
}

void dsse_envelope_free(struct dsse_envelope *env)
{
	free(env->payload_type);
	free(env->payload);
	env->payload_type = NULL;
	env->payload = NULL;
}

/* subject: exactly one, {"name": optional, "digest": {"sha256": hex}}. */
static int parse_subject(struct dsse_statement *st, char *err, size_t errlen)
{
	const json_t *list = json_object_get(st->root, "subject"), *one, *sha;

	if (!json_is_array(list) || json_array_size(list) != 1) {
		snprintf(err, errlen, "statement.subject: expected exactly one subject (the report), found %zu",
			 json_is_array(list) ? json_array_size(list) : 0);
		return -1;
	}
	one = json_array_get(list, 0);
	if (!json_is_object(one)) {
		snprintf(err, errlen, "statement.subject[0]: expected an object");
		return -1;
	}
	if (jv_string(one, "name", 0, 4096, "statement.subject[0]", err, errlen) ||
	    jv_object(one, "digest", JV_REQUIRED, "statement.subject[0]", err, errlen))
		return -1;
	sha = json_object_get(json_object_get(one, "digest"), "sha256");
	if (!json_is_string(sha) || !is_hex_string(json_string_value(sha), SHA256_HEX_LEN)) {
		snprintf(err, errlen, "statement.subject[0].digest.sha256: expected 64 lowercase hex digits");
		return -1;
	}
	st->subject_name = jstr(one, "name");
	memcpy(st->subject_sha256, json_string_value(sha), SHA256_HEX_LEN + 1);
	return 0;
}

/* The predicate: every member, no other, each valid as in a report. */
static int parse_predicate(struct dsse_statement *st, char *err, size_t errlen)
{
	const json_t *p = json_object_get(st->root, "predicate");
	const char *where = "statement.predicate";
	json_int_t version = 0;
	char sub[256];

	if (jv_object(st->root, "predicate", JV_REQUIRED, "statement", err, errlen) ||
	    jv_only_members(p, predicate_members, ARRAY_SIZE(predicate_members), where, err, errlen))
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(predicate_members); i++) {
		if (json_object_get(p, predicate_members[i]) == NULL) {
			snprintf(err, errlen, "%s.%s: missing", where, predicate_members[i]);
			return -1;
		}
	}
	if (jv_integer(p, "schema_version", JV_REQUIRED, 0, 1 << 30, where, err, errlen) ||
	    jv_string(p, "public_key_fingerprint", JV_REQUIRED, FINGERPRINT_LEN, where, err, errlen) ||
	    jv_string(p, "time", JV_REQUIRED, 64, where, err, errlen))
		return -1;
	jint(p, "schema_version", &version);
	if (report_schema_check(version, sub, sizeof(sub)) != 0 || evidence_validate_members(p, sub, sizeof(sub)) != 0) {
		snprintf(err, errlen, "statement.predicate: %s", sub);
		return -1;
	}
	return 0;
}

static int parse_statement(struct dsse_statement *st, char *err, size_t errlen)
{
	static const char *const allowed[] = { "_type", "subject", "predicateType", "predicate" };
	const char *type;

	if (!json_is_object(st->root)) {
		snprintf(err, errlen, "statement: expected a JSON object");
		return -1;
	}
	if (jv_only_members(st->root, allowed, ARRAY_SIZE(allowed), "statement", err, errlen))
		return -1;
	type = jstr(st->root, "_type");
	if (type == NULL || strcmp(type, INTOTO_STATEMENT_TYPE) != 0) {
		snprintf(err, errlen, "statement._type: expected \"%s\"", INTOTO_STATEMENT_TYPE);
		return -1;
	}
	type = jstr(st->root, "predicateType");
	if (type == NULL || strcmp(type, CHIPAUDIT_PREDICATE_TYPE) != 0) {
		snprintf(err, errlen, "statement.predicateType: expected \"%s\" (not chipaudit's evidence)",
			 CHIPAUDIT_PREDICATE_TYPE);
		return -1;
	}
	if (parse_subject(st, err, errlen) != 0 || parse_predicate(st, err, errlen) != 0)
		return -1;
	st->predicate = json_object_get(st->root, "predicate");
	return 0;
}

int dsse_statement_parse(const struct dsse_envelope *env, const char *name, struct dsse_statement *st,
			 char *err, size_t errlen)
{
	char sub[512];

	memset(st, 0, sizeof(*st));
	if (strcmp(env->payload_type, DSSE_PAYLOAD_TYPE) != 0) {
		snprintf(sub, sizeof(sub), "payloadType '%.64s' is not \"%s\"", env->payload_type, DSSE_PAYLOAD_TYPE);
		return data_error(err, errlen, name, sub);
	}
	if ((st->root = json_parse_strict((const char *)env->payload, env->payload_len, "statement", sub, sizeof(sub))) == NULL)
		return data_error(err, errlen, name, sub);
	if (parse_statement(st, sub, sizeof(sub)) != 0) {
		dsse_statement_free(st);
		return data_error(err, errlen, name, sub);
	}
	return 0;
}

void dsse_statement_free(struct dsse_statement *st)
{
	json_decref(st->root);
	st->root = NULL;
	st->predicate = NULL;
	st->subject_name = NULL;
}

/* A report's copy of a predicate member: the report's time is its host.time. */
static const json_t *report_member(const json_t *report, const char *name)
{
	return strcmp(name, "time") == 0 ? json_object_get(json_object_get(report, "host"), "time")
					 : json_object_get(report, name);
}

const char *dsse_predicate_differs(const json_t *predicate, const json_t *report)
{
	const char *name;
	json_t *v;

	json_object_foreach((json_t *)predicate, name, v) {
		const json_t *mine = report_member(report, name);
		if (mine == NULL || !json_equal(v, (json_t *)mine))
			return name;
	}
	return NULL;
}
