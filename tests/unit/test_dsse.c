/* src/evidence/dsse.c: the DSSE pre-authentication encoding, base64, the
 * in-toto Statement and its envelope, written and read, and every refusal
 * of the reader. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/evp.h>

#include "core/error.h"
#include "core/json.h"
#include "core/util.h"
#include "core/base64.h"
#include "evidence/dsse.h"

static const char fp[] = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
static const char digest[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
static const char prev[] = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

/* DSSE v1.0's own example (protocol.md, "Test vector" of the PAE). */
static void test_pae_spec_vector(void **state)
{
	static const char want[] = "DSSEv1 29 http://example.com/HelloWorld 11 hello world";
	size_t len;
	unsigned char *pae = dsse_pae("http://example.com/HelloWorld", "hello world", 11, &len);
	(void)state;
	assert_int_equal(len, strlen(want));
	assert_memory_equal(pae, want, len);
	free(pae);
	pae = dsse_pae("t", "", 0, &len);
	assert_int_equal(len, strlen("DSSEv1 1 t 0 "));
	assert_memory_equal(pae, "DSSEv1 1 t 0 ", len);
	free(pae);
}

static void decodes_to(const char *text, const char *want, size_t wantlen)
{
	unsigned char *out;
	size_t len;

	assert_int_equal(base64_decode(text, strlen(text), &out, &len), 0);
	assert_int_equal(len, wantlen);
	assert_memory_equal(out, want, wantlen);
	free(out);
}

/* RFC 4648 section 10's vectors, both ways; unpadded and URL-safe read. */
static void test_base64_vectors(void **state)
{
	static const char *const plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	static const char *const coded[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
	static const char *const unpadded[] = { "", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy" };
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(plain); i++) {
		char *text = base64_encode(plain[i], strlen(plain[i]));
		assert_string_equal(text, coded[i]);
		free(text);
		decodes_to(coded[i], plain[i], strlen(plain[i]));
		decodes_to(unpadded[i], plain[i], strlen(plain[i]));
	}
	/* 0xfb 0xff: "+/8=" in the standard alphabet, "-_8" URL-safe */
	{
		char *text = base64_encode("\xfb\xff", 2);
		assert_string_equal(text, "+/8=");
		free(text);
	}
	decodes_to("+/8=", "\xfb\xff", 2);
	decodes_to("-_8=", "\xfb\xff", 2);
	decodes_to("-_8", "\xfb\xff", 2);
}

static void test_base64_refusals(void **state)
{
	static const char *const bad[] = {
		"Z", "Zg=", "Zg===", "=Zg=", "Zg==Zg==", "Z===", "====", "Zm9v\n", " Zm9v", "Zm 9v", "Zm9v*",
		"+_8=",  /* both alphabets in one text */
		"Zh==",  /* bits left over after the last byte */
		"Zm9=",
		"Zm8==",
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		unsigned char *out = NULL;
		size_t len;
		if (base64_decode(bad[i], strlen(bad[i]), &out, &len) != -1)
			fail_msg("accepted '%s'", bad[i]);
		assert_null(out);
	}
}

static struct dsse_predicate sample_predicate(void)
{
	struct dsse_predicate p = {
		.m = { .host_id = "0123456789abcdef0123456789abcdef", .fingerprint = fp, .nonce = "00c0ffee",
		       .sequence = 2, .previous_sha256 = prev },
		.schema_version = 2,
		.time = "2025-11-29T08:00:00Z",
	};
	return p;
}

/* Write a Statement, sign its PAE, wrap it, read it back, verify it. */
static void test_round_trip(void **state)
{
	struct dsse_predicate p = sample_predicate();
	struct dsse_envelope env;
	struct dsse_statement st;
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	unsigned char sig[SIGNATURE_LEN], *pae;
	size_t slen, elen, plen;
	char *stmt, *line, err[512];
	json_int_t n = 0;
	(void)state;
	assert_non_null(key);
	stmt = dsse_statement("report.json", digest, &p, &slen);
	pae = dsse_pae(DSSE_PAYLOAD_TYPE, stmt, slen, &plen);
	assert_int_equal(ed25519_sign(key, pae, plen, sig), 0);
	line = dsse_envelope(stmt, slen, fp, sig, &elen);
	assert_true(elen < DSSE_ENVELOPE_MAX);
	assert_int_equal(line[elen - 1], '\n');
	assert_null(memchr(line, '\n', elen - 1));  /* one line */
	assert_non_null(strstr(line, "{\"payloadType\":\"application/vnd.in-toto+json\",\"payload\":\""));

	assert_int_equal(dsse_envelope_parse(line, elen, "env", &env, err, sizeof(err)), 0);
	assert_string_equal(env.payload_type, DSSE_PAYLOAD_TYPE);
	assert_int_equal(env.payload_len, slen);
	assert_memory_equal(env.payload, stmt, slen);
	assert_memory_equal(env.sig, sig, SIGNATURE_LEN);
	free(pae);
	pae = dsse_pae(env.payload_type, env.payload, env.payload_len, &plen);
	assert_true(ed25519_verify(key, NULL, pae, plen, env.sig));
	pae[plen - 2] ^= 1;
	assert_false(ed25519_verify(key, NULL, pae, plen, env.sig));

	assert_int_equal(dsse_statement_parse(&env, "env", &st, err, sizeof(err)), 0);
	assert_string_equal(st.subject_name, "report.json");
	assert_string_equal(st.subject_sha256, digest);
	assert_string_equal(jstr(st.predicate, "host_id"), p.m.host_id);
	assert_string_equal(jstr(st.predicate, "public_key_fingerprint"), fp);
	assert_string_equal(jstr(st.predicate, "nonce"), "00c0ffee");
	assert_string_equal(jstr(st.predicate, "previous_sha256"), prev);
	assert_string_equal(jstr(st.predicate, "time"), p.time);
	assert_true(jint(st.predicate, "sequence", &n));
	assert_int_equal(n, 2);
	assert_true(jint(st.predicate, "schema_version", &n));
	assert_int_equal(n, 2);
	dsse_statement_free(&st);
	dsse_envelope_free(&env);
	free(pae);
	free(line);
	free(stmt);

	/* the first of a chain, no nonce, unknown host: nulls, not absences */
	p.m.sequence = 1;
	p.m.previous_sha256 = NULL;
	p.m.nonce = NULL;
	p.m.host_id = NULL;
	stmt = dsse_statement("dir/r\xff.json", digest, &p, &slen);
	assert_non_null(strstr(stmt, "\"host_id\":null"));
	assert_non_null(strstr(stmt, "\"previous_sha256\":null,\"nonce\":null"));
	line = dsse_envelope(stmt, slen, NULL, sig, &elen);
	assert_int_equal(dsse_envelope_parse(line, elen, "env", &env, err, sizeof(err)), 0);
	assert_int_equal(dsse_statement_parse(&env, "env", &st, err, sizeof(err)), 0);
	assert_true(json_is_null(json_object_get(st.predicate, "nonce")));
	dsse_statement_free(&st);
	dsse_envelope_free(&env);
	free(line);
	free(stmt);
	EVP_PKEY_free(key);
}

/* An envelope around PAYLOAD, its members as given (NULL: the usual). */
static char *envelope_text(const char *type, const char *payload_b64, const char *sigs)
{
	return xasprintf("{\"payloadType\":\"%s\",\"payload\":\"%s\",\"signatures\":%s}\n",
			 type ? type : DSSE_PAYLOAD_TYPE, payload_b64 ? payload_b64 : "e30=",
			 sigs ? sigs : "[{\"keyid\":\"k\",\"sig\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\"}]");
}

static void refused_envelope(const char *text, size_t len, const char *want)
{
	struct dsse_envelope env;
	char err[512];

	if (dsse_envelope_parse(text, len, "E.intoto.jsonl", &env, err, sizeof(err)) != CA_ERR_DATA)
		fail_msg("accepted: %s", text);
	if (strncmp(err, "E.intoto.jsonl", 14) != 0 || strstr(err, want) == NULL || strchr(err, '\n'))
		fail_msg("for %s: message '%s', expected '%s'", text, err, want);
	assert_null(env.payload);
	assert_null(env.payload_type);
}

static void test_envelope_refusals(void **state)
{
	static const struct { const char *text, *want; } cases[] = {
		{ "", "empty file" },
		{ "{", "E.intoto.jsonl:1:" },
		{ "[]", "expected a JSON object" },
		{ "{\"payloadType\":\"a\",\"payloadType\":\"b\"}", "duplicate" },
		{ "{\"payload\":\"e30=\",\"signatures\":[]}", "envelope.payloadType: missing" },
		{ "{\"payloadType\":\"t\",\"signatures\":[]}", "envelope.payload: missing" },
		{ "{\"payloadType\":\"t\",\"payload\":\"e30=\"}", "envelope.signatures: missing" },
		{ "{\"payloadType\":7,\"payload\":\"e30=\",\"signatures\":[]}", "envelope.payloadType" },
		{ "{\"payloadType\":\"t\",\"payload\":\"e30=\",\"signatures\":{}}", "envelope.signatures" },
		{ "{\"payloadType\":\"t\",\"payload\":\"e30=\",\"signatures\":[],\"extra\":1}", "envelope.extra: unknown member" },
		{ "{\"payloadType\":\"t\",\"payload\":\"e30=\",\"signatures\":[]}", "exactly one signature" },
		{ "{\"payloadType\":\"t\",\"payload\":\"e30=\",\"signatures\":[1]}", "signatures[0]: expected an object" },
		{ "{\"payloadType\":\"t\",\"payload\":\"e30=\",\"signatures\":[{\"keyid\":\"k\"}]}", "signatures[0].sig: missing" },
		{ "{\"payloadType\":\"t\",\"payload\":\"e30=\",\"signatures\":[{\"sig\":\"AA==\",\"cert\":1}]}", "signatures[0].cert: unknown member" },
		{ "{\"payloadType\":\"t\",\"payload\":\"e30=\",\"signatures\":[{\"keyid\":5,\"sig\":\"AA==\"}]}", "signatures[0].keyid" },
		{ "{\"payloadType\":\"t\",\"payload\":\"e30=\",\"signatures\":[{\"sig\":\"AA=\"}]}", "signatures[0].sig: not base64" },
		{ "{\"payloadType\":\"t\",\"payload\":\"e30=\",\"signatures\":[{\"sig\":\"AAAA\"}]}", "3 bytes, expected a 64-byte" },
		{ "{\"payloadType\":\"t\\u0000x\",\"payload\":\"e30=\",\"signatures\":[{\"sig\":\"AA==\"}]}", "\\u0000 is not allowed" },
	};
	char *text;
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		refused_envelope(cases[i].text, strlen(cases[i].text), cases[i].want);
	refused_envelope("{\"a\":1}\0", 8, "NUL");
	/* two signatures, a payload that is not base64 */
	text = envelope_text(NULL, NULL, "[{\"sig\":\"AA==\"},{\"sig\":\"AA==\"}]");
	refused_envelope(text, strlen(text), "exactly one signature");
	free(text);
	text = envelope_text(NULL, "e30", NULL);  /* unpadded is base64 too: this one is read */
	{
		struct dsse_envelope env;
		char err[512];
		assert_int_equal(dsse_envelope_parse(text, strlen(text), "E", &env, err, sizeof(err)), 0);
		assert_int_equal(env.payload_len, 2);
		dsse_envelope_free(&env);
	}
	free(text);
	text = envelope_text(NULL, "e30=!", NULL);
	refused_envelope(text, strlen(text), "envelope.payload: not base64");
	free(text);
	/* larger than any envelope chipaudit writes */
	text = xmalloc(DSSE_ENVELOPE_MAX + 2);
	memset(text, ' ', DSSE_ENVELOPE_MAX + 1);
	text[DSSE_ENVELOPE_MAX + 1] = '\0';
	refused_envelope(text, DSSE_ENVELOPE_MAX + 1, "larger than a DSSE envelope");
	free(text);
}

/* The statement text STMT in an envelope of type TYPE: refused with WANT. */
static void refused_statement(const char *type, const char *stmt, const char *want)
{
	char *b64 = base64_encode(stmt, strlen(stmt)), *text = envelope_text(type, b64, NULL), err[512];
	struct dsse_envelope env;
	struct dsse_statement st;

	assert_int_equal(dsse_envelope_parse(text, strlen(text), "S", &env, err, sizeof(err)), 0);
	if (dsse_statement_parse(&env, "S.intoto.jsonl", &st, err, sizeof(err)) != CA_ERR_DATA)
		fail_msg("accepted: %s", stmt);
	if (strncmp(err, "S.intoto.jsonl: ", 16) != 0 || strstr(err, want) == NULL)
		fail_msg("for %s: message '%s', expected '%s'", stmt, err, want);
	assert_null(st.root);
	dsse_envelope_free(&env);
	free(text);
	free(b64);
}

/* A statement whose predicate is PRED (the inside of its braces). */
static char *statement_with(const char *subjects, const char *pred)
{
	return xasprintf("{\"_type\":\"" INTOTO_STATEMENT_TYPE "\",\"subject\":%s,\"predicateType\":\""
			 CHIPAUDIT_PREDICATE_TYPE "\",\"predicate\":{%s}}", subjects, pred);
}

#define SUBJECT "[{\"name\":\"r.json\",\"digest\":{\"sha256\":\"" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}}]"
#define FP "\"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\""
#define PRED_REST "\"host_id\":\"h\",\"public_key_fingerprint\":" FP ",\"sequence\":1," \
	"\"previous_sha256\":null,\"nonce\":null,\"time\":\"2025-11-29T08:00:00Z\""
#define PRED "\"schema_version\":2," PRED_REST

static void test_statement_refusals(void **state)
{
	static const struct { const char *subjects, *pred, *want; } cases[] = {
		{ "[]", PRED, "expected exactly one subject (the report), found 0" },
		{ "[" "{\"digest\":{\"sha256\":\"" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}},"
		  "{\"digest\":{\"sha256\":\"" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}}]",
		  PRED, "found 2" },
		{ "{}", PRED, "expected exactly one subject" },
		{ "[1]", PRED, "statement.subject[0]: expected an object" },
		{ "[{\"name\":\"r\"}]", PRED, "statement.subject[0].digest: missing" },
		{ "[{\"digest\":{\"sha512\":\"aa\"}}]", PRED, "digest.sha256: expected 64 lowercase hex digits" },
		{ "[{\"digest\":{\"sha256\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}}]", PRED,
		  "digest.sha256: expected 64 lowercase hex digits" },
		{ "[{\"digest\":{\"sha256\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}}]", PRED,
		  "digest.sha256: expected 64" },
		{ "[{\"digest\":{\"sha256\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\\u0000\"}}]",
		  PRED, "\\u0000 is not allowed" },
		{ "[{\"name\":5,\"digest\":{\"sha256\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}}]",
		  PRED, "statement.subject[0].name" },
		{ SUBJECT, PRED_REST, "statement.predicate.schema_version: missing" },
		{ SUBJECT, "\"schema_version\":2,\"public_key_fingerprint\":" FP ",\"sequence\":1,\"previous_sha256\":null,"
		  "\"nonce\":null,\"time\":\"t\"", "statement.predicate.host_id: missing" },
		{ SUBJECT, "\"schema_version\":2,\"host_id\":null,\"sequence\":1,\"previous_sha256\":null,"
		  "\"nonce\":null,\"time\":\"t\"", "statement.predicate.public_key_fingerprint: missing" },
		{ SUBJECT, "\"schema_version\":2,\"host_id\":null,\"public_key_fingerprint\":" FP ",\"previous_sha256\":null,"
		  "\"nonce\":null,\"time\":\"t\"", "statement.predicate.sequence: missing" },
		{ SUBJECT, "\"schema_version\":2,\"host_id\":null,\"public_key_fingerprint\":" FP ",\"sequence\":1,"
		  "\"nonce\":null,\"time\":\"t\"", "statement.predicate.previous_sha256: missing" },
		{ SUBJECT, "\"schema_version\":2,\"host_id\":null,\"public_key_fingerprint\":" FP ",\"sequence\":1,"
		  "\"previous_sha256\":null,\"time\":\"t\"", "statement.predicate.nonce: missing" },
		{ SUBJECT, "\"schema_version\":2,\"host_id\":null,\"public_key_fingerprint\":" FP ",\"sequence\":1,"
		  "\"previous_sha256\":null,\"nonce\":null", "statement.predicate.time: missing" },
		{ SUBJECT, PRED ",\"extra\":1", "statement.predicate.extra: unknown member" },
		{ SUBJECT, "\"schema_version\":99," PRED_REST, "schema_version: 99 is not supported" },
		{ SUBJECT, "\"schema_version\":\"2\"," PRED_REST, "statement.predicate.schema_version" },
		{ SUBJECT, "\"schema_version\":2,\"host_id\":\"h\",\"public_key_fingerprint\":null,\"sequence\":1,"
		  "\"previous_sha256\":null,\"nonce\":null,\"time\":\"t\"", "public_key_fingerprint: null" },
		{ SUBJECT, "\"schema_version\":2,\"host_id\":\"h\",\"public_key_fingerprint\":\"sha256:AB\",\"sequence\":1,"
		  "\"previous_sha256\":null,\"nonce\":null,\"time\":\"t\"", "public_key_fingerprint: expected" },
		{ SUBJECT, "\"schema_version\":2,\"host_id\":\"h\",\"public_key_fingerprint\":" FP ",\"sequence\":2,"
		  "\"previous_sha256\":null,\"nonce\":null,\"time\":\"t\"", "missing for sequence 2" },
		{ SUBJECT, "\"schema_version\":2,\"host_id\":\"h\",\"public_key_fingerprint\":" FP ",\"sequence\":0,"
		  "\"previous_sha256\":null,\"nonce\":null,\"time\":\"t\"", "sequence" },
		{ SUBJECT, "\"schema_version\":2,\"host_id\":\"h\",\"public_key_fingerprint\":" FP ",\"sequence\":1,"
		  "\"previous_sha256\":null,\"nonce\":\"ABCDEF01\",\"time\":\"t\"", "nonce: expected" },
		{ SUBJECT, "\"schema_version\":2,\"host_id\":\"h\",\"public_key_fingerprint\":" FP ",\"sequence\":1,"
		  "\"previous_sha256\":null,\"nonce\":null,\"time\":null", "statement.predicate.time: null" },
	};
	char *stmt;
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		stmt = statement_with(cases[i].subjects, cases[i].pred);
		refused_statement(NULL, stmt, cases[i].want);
		free(stmt);
	}
	stmt = statement_with(SUBJECT, PRED);
	refused_statement("application/json", stmt, "payloadType 'application/json' is not");
	refused_statement("application/vnd.in-toto+jsonx", stmt, "is not \"application/vnd.in-toto+json\"");
	free(stmt);
	refused_statement(NULL, "not json", "statement:1:");
	refused_statement(NULL, "[]", "statement: expected a JSON object");
	refused_statement(NULL, "{\"_type\":\"https://in-toto.io/Statement/v0.1\",\"subject\":" SUBJECT ",\"predicateType\":\""
			  CHIPAUDIT_PREDICATE_TYPE "\",\"predicate\":{" PRED "}}", "statement._type: expected");
	refused_statement(NULL, "{\"_type\":\"" INTOTO_STATEMENT_TYPE "\",\"subject\":" SUBJECT ",\"predicateType\":"
			  "\"https://slsa.dev/provenance/v1\",\"predicate\":{" PRED "}}", "statement.predicateType: expected");
	refused_statement(NULL, "{\"_type\":\"" INTOTO_STATEMENT_TYPE "\",\"subject\":" SUBJECT ",\"predicateType\":\""
			  CHIPAUDIT_PREDICATE_TYPE "\"}", "statement.predicate: missing");
	refused_statement(NULL, "{\"_type\":\"" INTOTO_STATEMENT_TYPE "\",\"subject\":" SUBJECT ",\"predicateType\":\""
			  CHIPAUDIT_PREDICATE_TYPE "\",\"predicate\":{" PRED "},\"x\":1}", "statement.x: unknown member");
	refused_statement(NULL, "{\"_type\":\"" INTOTO_STATEMENT_TYPE "\",\"_type\":\"" INTOTO_STATEMENT_TYPE "\"}",
			  "duplicate");
	/* and the same statement, as it should be, is read */
	{
		char *b64, *text, err[512];
		struct dsse_envelope env;
		struct dsse_statement st;
		stmt = statement_with(SUBJECT, PRED);
		b64 = base64_encode(stmt, strlen(stmt));
		text = envelope_text(NULL, b64, NULL);
		assert_int_equal(dsse_envelope_parse(text, strlen(text), "S", &env, err, sizeof(err)), 0);
		assert_int_equal(dsse_statement_parse(&env, "S", &st, err, sizeof(err)), 0);
		assert_string_equal(st.subject_name, "r.json");
		dsse_statement_free(&st);
		dsse_envelope_free(&env);
		free(text);
		free(b64);
		free(stmt);
	}
}

/* A Statement's predicate against its report's own members. */
static void test_predicate_differs(void **state)
{
	json_t *pred = json_pack("{s:i, s:s, s:n, s:s}", "schema_version", 2, "host_id", "h", "nonce", "time", "t");
	json_t *report = json_pack("{s:i, s:s, s:n, s:{s:s}, s:[]}", "schema_version", 2, "host_id", "h", "nonce",
				   "host", "time", "t", "findings");
	(void)state;
	assert_null(dsse_predicate_differs(pred, report));
	json_object_set_new(report, "nonce", json_string("00c0ffee"));
	assert_string_equal(dsse_predicate_differs(pred, report), "nonce");
	json_object_set_new(report, "nonce", json_null());
	json_object_set_new(json_object_get(report, "host"), "time", json_string("u"));
	assert_string_equal(dsse_predicate_differs(pred, report), "time");
	json_object_del(report, "host");
	assert_string_equal(dsse_predicate_differs(pred, report), "time");
	json_object_set_new(pred, "sequence", json_integer(1));
	json_object_set_new(report, "host", json_pack("{s:s}", "time", "t"));
	assert_string_equal(dsse_predicate_differs(pred, report), "sequence");  /* absent from the report */
	json_decref(pred);
	json_decref(report);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pae_spec_vector),
		cmocka_unit_test(test_base64_vectors),
		cmocka_unit_test(test_base64_refusals),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_envelope_refusals),
		cmocka_unit_test(test_statement_refusals),
		cmocka_unit_test(test_predicate_differs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
