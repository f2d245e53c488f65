#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <openssl/x509.h>

#include "cmd/exit.h"
#include "core/accdb.h"
#include "core/check.h"
#include "probe/facts.h"
#include "core/json.h"
#include "core/util.h"
#include "evidence/chain.h"
#include "evidence/diff.h"
#include "evidence/history.h"
#include "parse/jscan.h"
#include "probe/shapes.h"
#include "evidence/sign.h"

static char *temp_dir(void)
{
	char *dir = xstrdup("/tmp/chipaudit-evidence-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return dir;
}

static void remove_tree(const char *dir)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

/* --- the scanner ------------------------------------------------------ */

static int scan(const char *text, struct jscan_member *want, size_t n, char *err)
{
	return jscan_object(text, strlen(text), want, n, err, 256);
}

static void test_jscan_members(void **state)
{
	struct jscan_member want[] = { { .key = "sequence" }, { .key = "nonce" }, { .key = "host" }, { .key = "absent" } };
	const char *text = "{\"a\": [1, {\"sequence\": 9}], \"sequence\" : 12 , \"n\\u006fnce\": \"ab\\\"c\","
			   " \"host\": {\"time\": \"t\", \"x\": [true, false, null, -0.5e+3]}}";
	char err[256];
	(void)state;
	assert_int_equal(scan(text, want, 4, err), 0);
	assert_int_equal(want[0].len, 2);
	assert_memory_equal(want[0].value, "12", 2);
	assert_int_equal(want[1].len, 7);
	assert_memory_equal(want[1].value, "\"ab\\\"c\"", 7);
	assert_memory_equal(want[2].value, "{\"time\"", 7);
	assert_int_equal(want[2].value[want[2].len - 1], '}');
	assert_null(want[3].value);
}

/* jscan_value makes the common forms itself; each must be what jansson
 * makes of the same text, type included. */
static void test_jscan_value(void **state)
{
	static const char *const texts[] = {
		"null", "0", "-0", "12", "-7", "123456789012345678", "-123456789012345678",
		"1234567890123456789", "1.5", "-2e3", "\"\"", "\"sha256:ab\"", "\"caf\\u00e9\"", "\"a\\u0062\"",
		"\"\xc3\xa9t\xc3\xa9\"", "true", "[1,2]", "{\"time\":\"t\"}",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		json_error_t e1, e2;
		json_t *mine = jscan_value(texts[i], strlen(texts[i]), &e1);
		json_t *theirs = json_loadb(texts[i], strlen(texts[i]), JSON_DECODE_ANY, &e2);
		assert_non_null(mine);
		assert_non_null(theirs);
		assert_int_equal(json_typeof(mine), json_typeof(theirs));
		assert_true(json_equal(mine, theirs));
		json_decref(mine);
		json_decref(theirs);
	}
}

static void test_jscan_rejects(void **state)
{
	static const struct { const char *text, *problem; } bad[] = {
		{ "", "expected a JSON object" },
		{ "[]", "expected a JSON object" },
		{ "{\"a\":1,}", "expected a string as object key" },
		{ "{\"a\":01}", "expected ',' or '}'" },
		{ "{\"a\":1.}", "invalid number" },
		{ "{\"a\":-}", "invalid number" },
		{ "{\"a\":tru}", "invalid token" },
		{ "{\"a\":\"\x01\"}", "control character" },
		{ "{\"a\":\"\xc0\xaf\"}", "invalid UTF-8" },
		{ "{\"a\":\"\xed\xa0\x80\"}", "invalid UTF-8" },
		{ "{\"a\":\"\\x\"}", "invalid escape" },
		{ "{\"a\":\"\\u0000\"}", "\\u0000" },
		{ "{\"a\":\"\\ud800\"}", "high surrogate" },
		{ "{\"a\":\"\\udc00\"}", "lone low surrogate" },
		{ "{\"a\":1} x", "end of file expected" },
		{ "{\"a\":[1}", "expected ',' or ']'" },
		{ "{\"a\":1", "premature end" },
		{ "{\"sequence\":1,\"sequence\":2}", "duplicate object key 'sequence'" },
	};
	struct jscan_member want[] = { { .key = "sequence" } };
	char err[256];
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (scan(bad[i].text, want, 1, err) != -1 || strstr(err, bad[i].problem) == NULL)
			fail_msg("'%s': got '%s', wanted '%s'", bad[i].text, err, bad[i].problem);
		assert_null(want[0].value);
	}
	/* A duplicate at any depth, of any key, wanted or not, is refused: jq and
	 * Python read the last value, jansson refuses, so a verified report
	 * could say two things. Integers beyond 64 bits and reals beyond a
	 * double are refused as jansson refuses them. */
	static const struct { const char *text, *problem; } twice[] = {
		{ "{\"x\":1,\"x\":2}", "duplicate object key 'x'" },
		{ "{\"f\":[{\"status\":\"fail\",\"status\":\"pass\"}]}", "duplicate object key 'status'" },
		{ "{\"a\":{\"b\":1,\"\\u0062\":2}}", "duplicate object key 'b'" },
		{ "{\"a\":1e400}", "real number overflow" },
		{ "{\"a\":-1.5e309}", "real number overflow" },
		{ "{\"a\":9223372036854775808}", "integer too big" },
		{ "{\"a\":-9223372036854775809}", "integer too big" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(twice); i++)
		if (scan(twice[i].text, want, 1, err) != -1 || strstr(err, twice[i].problem) == NULL)
			fail_msg("'%s': got '%s', wanted '%s'", twice[i].text, err, twice[i].problem);
	/* the same keys in different objects, and the limits themselves, are fine */
	assert_int_equal(scan("{\"a\":{\"x\":1},\"b\":{\"x\":1},\"x\":[{\"x\":1},{\"x\":2}]}", want, 1, err), 0);
	assert_int_equal(scan("{\"a\":-9223372036854775808,\"b\":9223372036854775807,\"c\":1e308,\"d\":1e-400}", want, 1, err), 0);
}

/* An object of many keys goes through the hash table: a duplicate far apart
 * is found, and distinct keys are not taken for duplicates. */
static void test_jscan_many_keys(void **state)
{
	struct jscan_member want[] = { { .key = "sequence" } };
	char err[256], *text = malloc(200000);
	size_t n = 0;
	(void)state;

	n += (size_t)sprintf(text + n, "{");
	for (int i = 0; i < 10000; i++)
		n += (size_t)sprintf(text + n, "%s\"k%d\":%d", i ? "," : "", i, i);
	sprintf(text + n, "}");
	assert_int_equal(scan(text, want, 1, err), 0);
	sprintf(text + n, ",\"k17\":0}");
	assert_int_equal(scan(text, want, 1, err), -1);
	assert_non_null(strstr(err, "duplicate object key 'k17'"));
	free(text);
}

/* The scanner passes over plain string bytes in blocks: a byte that needs
 * attention (the closing quote, an escape, a control character, UTF-8, good
 * or bad) at every offset of strings up to three blocks long, in a text
 * whose end falls at every offset of a block, is judged as jansson judges it. */
static void test_jscan_blocks(void **state)
{
	static const char *const special[] = { "\"", "\\n", "\\\"", "\\x", "\\u00e9", "\\u12", "\x01", "\x1f", "\x7f", "\xc3\xa9",
					       "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xc3", "\xff", "\xed\xa0\x80" };
	struct jscan_member want[] = { { .key = "a" } };
	char text[128], err[256];
	(void)state;
	for (size_t k = 0; k < ARRAY_SIZE(special); k++)
		for (size_t before = 0; before < 48; before++)
			for (size_t after = 0; after < 17; after++) {
				json_error_t jerr;
				json_t *j;
				int n = snprintf(text, sizeof(text), "{\"a\":\"%.*s%s%.*s\"}", (int)before,
						 "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP", special[k], (int)after,
						 "qrstuvwxyz+-*/=_~");
				bool ok = scan(text, want, 1, err) == 0;
				j = json_loadb(text, (size_t)n, JSON_REJECT_DUPLICATES, &jerr);
				if (ok != (j != NULL))
					fail_msg("'%s': scanner %s, jansson %s", text, ok ? "accepts" : err, j ? "accepts" : jerr.text);
				if (ok)
					assert_int_equal(want[0].len, (size_t)n - 6);
				json_decref(j);
			}
}

static void test_jscan_depth(void **state)
{
	size_t depth = JSCAN_MAX_DEPTH + 1;
	char *text = xmalloc(2 * depth + 16), err[256];
	struct jscan_member want[] = { { .key = "a" } };
	size_t n = 0;
	(void)state;
	/* {"a": [[[...]]]}: the object is level 1, so 2047 arrays fit and 2048 do not */
	for (size_t inner = JSCAN_MAX_DEPTH - 1; inner <= JSCAN_MAX_DEPTH; inner++) {
		n = (size_t)sprintf(text, "{\"a\":");
		memset(text + n, '[', inner);
		memset(text + n + inner, ']', inner);
		n += 2 * inner;
		text[n++] = '}';
		assert_int_equal(jscan_object(text, n, want, 1, err, sizeof(err)), inner == JSCAN_MAX_DEPTH - 1 ? 0 : -1);
	}
	assert_non_null(strstr(err, "maximum parsing depth"));
	free(text);
}

/* --- signatures ------------------------------------------------------- */

static void test_sign_every_byte(void **state)
{
	char *dir = temp_dir(), err[512], *msg;
	struct hostkey key, pub, other;
	unsigned char sig[SIGNATURE_LEN];
	size_t len;
	(void)state;
	assert_int_equal(hostkey_generate(dir, false, &key, err, sizeof(err)), 0);
	/* a second keygen keeps the key; --force replaces it */
	assert_int_equal(hostkey_generate(dir, false, &other, err, sizeof(err)), EXIT_CANTCREAT);
	assert_non_null(strstr(err, "exists already"));
	assert_int_equal(hostkey_load_private(dir, &pub, err, sizeof(err)), 0);
	assert_string_equal(pub.fingerprint, key.fingerprint);
	hostkey_free(&pub);
	msg = xasprintf("{\"schema_version\": 1, \"padding\": \"%0*d\"}\n", 4000, 7);
	len = strlen(msg);
	assert_int_equal(ed25519_sign(key.pkey, msg, len, sig), 0);
	assert_true(ed25519_verify(key.pkey, NULL, msg, len, sig));
	/* Any byte changed, anywhere: the signature fails; a context reused
	 * across good and bad messages (as verify's threads do) judges each. */
	{
		struct ed25519_verifier v = { 0 };
		for (size_t i = 0; i < len; i++) {
			msg[i] ^= 0x01;
			if (ed25519_verify(key.pkey, &v, msg, len, sig))
				fail_msg("flipping byte %zu went unnoticed", i);
			msg[i] ^= 0x01;
			if (i % 97 == 0 && !ed25519_verify(key.pkey, &v, msg, len, sig))
				fail_msg("the intact message refused after byte %zu was tried", i);
		}
		for (size_t i = 0; i < SIGNATURE_LEN * 8; i++) {
			sig[i / 8] ^= (unsigned char)(1u << (i % 8));
			if (ed25519_verify(key.pkey, &v, msg, len, sig))
				fail_msg("flipping signature bit %zu went unnoticed", i);
			sig[i / 8] ^= (unsigned char)(1u << (i % 8));
		}
		assert_true(ed25519_verify(key.pkey, &v, msg, len, sig));
		assert_true(ed25519_verify(key.pkey, &v, msg, len, sig));
		assert_false(ed25519_verify(key.pkey, &v, msg, len - 1, sig));
		assert_true(ed25519_verify(key.pkey, &v, msg, len, sig));
		ed25519_verifier_free(&v);
	}
	/* Another key does not verify it. */
	assert_int_equal(hostkey_generate(dir, true, &other, err, sizeof(err)), 0);
	assert_string_not_equal(other.fingerprint, key.fingerprint);
	assert_false(ed25519_verify(other.pkey, NULL, msg, len, sig));
	/* One context, the key changed under it: each key is its own. */
	{
		struct ed25519_verifier v = { 0 };
		assert_true(ed25519_verify(key.pkey, &v, msg, len, sig));
		assert_false(ed25519_verify(other.pkey, &v, msg, len, sig));
		assert_true(ed25519_verify(key.pkey, &v, msg, len, sig));
		assert_false(ed25519_verify(other.pkey, &v, msg, len, sig));
		ed25519_verifier_free(&v);
	}
	hostkey_free(&other);
	hostkey_free(&key);
	free(msg);
	remove_tree(dir);
	free(dir);
}

static void test_key_files(void **state)
{
	char *dir = temp_dir(), err[512], *path;
	struct hostkey key;
	struct stat st;
	FILE *f;
	(void)state;
	assert_int_equal(hostkey_generate(dir, false, &key, err, sizeof(err)), 0);
	/* the direct RFC 8410 fingerprint is OpenSSL's DER SubjectPublicKeyInfo hashed */
	{
		unsigned char *der = NULL;
		int n = i2d_PUBKEY(key.pkey, &der);
		char sha[SHA256_HEX_LEN + 1];
		assert_true(n > 0);
		sha256_hex(der, (size_t)n, sha);
		assert_string_equal(key.fingerprint + 7, sha);
		OPENSSL_free(der);
	}
	hostkey_free(&key);
	path = xasprintf("%s/%s", dir, HOSTKEY_PRIVATE);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* a private key others can read is refused */
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(hostkey_load_private(dir, &key, err, sizeof(err)), EXIT_CONFIG);
	assert_non_null(strstr(err, "too open"));
	free(path);
	/* a public key that is not PEM, or not Ed25519 */
	path = xasprintf("%s/garbage.pem", dir);
	f = fopen(path, "w");
	fputs("-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----\n", f);
	fclose(f);
	assert_int_equal(hostkey_load_public(path, &key, err, sizeof(err)), EXIT_DATAERR);
	assert_non_null(strstr(err, "not a PEM public key"));
	assert_int_equal(hostkey_load_public("/nonexistent/key.pem", &key, err, sizeof(err)), EXIT_NOINPUT);
	free(path);
	/* a signature file of the wrong length */
	path = xasprintf("%s/short.sig", dir);
	f = fopen(path, "w");
	fputs("short", f);
	fclose(f);
	{
		unsigned char sig[SIGNATURE_LEN];
		assert_int_equal(signature_read(path, sig, err, sizeof(err)), EXIT_DATAERR);
		assert_non_null(strstr(err, "5 bytes, expected 64"));
	}
	free(path);
	remove_tree(dir);
	free(dir);
}

/* --- the chain -------------------------------------------------------- */

static void test_chain_follows(void **state)
{
	struct chain_link a = { .host_id = "h", .fingerprint = "k", .sequence = 4 };
	struct chain_link b = { .host_id = "h", .fingerprint = "k", .sequence = 5 };
	char msg[512];
	(void)state;
	memset(a.sha256, 'a', SHA256_HEX_LEN);
	memset(b.sha256, 'b', SHA256_HEX_LEN);
	b.previous_sha256 = a.sha256;
	assert_int_equal(chain_follows(&a, &b, msg, sizeof(msg)), CHAIN_OK);
	assert_int_equal(chain_follows(&a, &a, msg, sizeof(msg)), CHAIN_REPLAYED);
	assert_int_equal(chain_follows(&b, &a, msg, sizeof(msg)), CHAIN_REORDERED);
	b.sequence = 7;
	assert_int_equal(chain_follows(&a, &b, msg, sizeof(msg)), CHAIN_MISSING);
	assert_non_null(strstr(msg, "reports 5 to 6 are missing"));
	b.sequence = 5;
	b.previous_sha256 = "0000000000000000000000000000000000000000000000000000000000000000";
	assert_int_equal(chain_follows(&a, &b, msg, sizeof(msg)), CHAIN_BROKEN);
	assert_non_null(strstr(msg, "link is broken"));
	b.previous_sha256 = a.sha256;
	b.sequence = 4;
	assert_int_equal(chain_follows(&a, &b, msg, sizeof(msg)), CHAIN_BROKEN);
	assert_non_null(strstr(msg, "forked"));
	b.sequence = 5;
	b.fingerprint = "other";
	assert_int_equal(chain_follows(&a, &b, msg, sizeof(msg)), CHAIN_BROKEN);
	b.fingerprint = "k";
	b.host_id = NULL;
	assert_int_equal(chain_follows(&a, &b, msg, sizeof(msg)), CHAIN_BROKEN);
	b.host_id = "h";
	b.sequence = 0;
	assert_int_equal(chain_follows(&a, &b, msg, sizeof(msg)), CHAIN_BROKEN);
	assert_non_null(strstr(msg, "not chained"));
}

static void test_evidence_members(void **state)
{
	char err[512], nonce[NONCE_MAX_HEX + 1];
	json_t *r;
	(void)state;
	assert_int_equal(nonce_parse("00AAbbCC", nonce), 0);
	assert_string_equal(nonce, "00aabbcc");
	assert_int_equal(nonce_parse("0011223", nonce), -1);
	assert_int_equal(nonce_parse("0011223g", nonce), -1);
	r = json_pack("{s:s, s:i, s:n}", "public_key_fingerprint", "sha256:00", "sequence", 1, "previous_sha256");
	assert_int_equal(evidence_validate_members(r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "public_key_fingerprint"));
	json_object_del(r, "public_key_fingerprint");
	assert_int_equal(evidence_validate_members(r, err, sizeof(err)), 0);
	jset_int(r, "sequence", 2);
	assert_int_equal(evidence_validate_members(r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "missing for sequence 2"));
	jset_int(r, "sequence", 0);
	assert_int_equal(evidence_validate_members(r, err, sizeof(err)), -1);
	jset_str(r, "nonce", "ABCDEF0123");
	jset_int(r, "sequence", 1);
	assert_int_equal(evidence_validate_members(r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "lowercase"));
	json_decref(r);
}

/* Reports of schema 1 (one subject per finding) are read in the form of 2;
 * a newer schema, and findings without subjects, are refused by name. */
static void test_report_versions(void **state)
{
	static const char v1[] = "{\"schema_version\":1,\"tool_version\":\"0.1.0\",\"host\":{\"time\":\"t\"},"
		"\"accelerators\":[],\"findings\":[{\"check\":\"host.inventory\",\"status\":\"pass\","
		"\"subject\":\"host\",\"message\":\"m\"}],\"summary\":{\"worst\":\"pass\"}}";
	static const struct { const char *from, *to, *error; } bad[] = {
		{ "\"schema_version\":1", "\"schema_version\":3", "r.json: report.schema_version: 3 is not supported (this build reads 1 to 2)" },
		{ "\"subject\":\"host\"", "\"subjects\":[\"host\"]", "r.json: report.findings[0].subject: missing" },
		/* a version 1 finding in a report that says it is version 2 */
		{ "\"schema_version\":1", "\"schema_version\":2", "r.json: report.findings[0].subjects: missing" },
	};
	static const struct { const char *subjects, *error; } bad2[] = {
		{ "[]", "r.json: report.findings[0].subjects: expected 1 to 65536 subjects, found 0" },
		{ "[\"host\",7]", "r.json: report.findings[0].subjects[1]: expected a string" },
		{ "[\"\"]", "r.json: report.findings[0].subjects[0]: empty" },
		{ "[\"0000:18:00.0\",\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"]", "r.json: report.findings[0].subjects[1]: string longer than 64 bytes" },
		{ "\"host\"", "r.json: report.findings[0].subjects: expected an array" },
	};
	char err[1024];
	json_t *r = report_parse(v1, strlen(v1), "r.json", err, sizeof(err)), *f, *again;
	(void)state;
	assert_non_null(r);
	f = json_array_get(jarr(r, "findings"), 0);
	assert_null(json_object_get(f, "subject"));
	assert_int_equal(json_array_size(jarr(f, "subjects")), 1);
	assert_string_equal(json_string_value(json_array_get(jarr(f, "subjects"), 0)), "host");
	assert_true(json_integer_value(json_object_get(r, "schema_version")) == 2);
	/* validated a second time (a baseline already parsed), its new form
	 * holds: refused only because it carries no facts */
	again = baseline_from_document(r, "r.json", err, sizeof(err));
	assert_null(again);
	assert_non_null(strstr(err, "carries no facts"));
	json_decref(r);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char *text = xstrdup(v1), *at = strstr(text, bad[i].from), *edited;
		assert_non_null(at);
		*at = '\0';
		edited = xasprintf("%s%s%s", text, bad[i].to, at + strlen(bad[i].from));
		assert_null(report_parse(edited, strlen(edited), "r.json", err, sizeof(err)));
		assert_string_equal(err, bad[i].error);
		free(edited);
		free(text);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad2); i++) {
		char *text = xasprintf("{\"schema_version\":2,\"tool_version\":\"0.1.0\",\"host\":{\"time\":\"t\"},"
				       "\"accelerators\":[],\"findings\":[{\"check\":\"c.d\",\"status\":\"pass\","
				       "\"subjects\":%s,\"message\":\"m\"}],\"summary\":{\"worst\":\"pass\"}}", bad2[i].subjects);
		assert_null(report_parse(text, strlen(text), "r.json", err, sizeof(err)));
		assert_string_equal(err, bad2[i].error);
		free(text);
	}
}

/* --- history ---------------------------------------------------------- */

static void append(struct history *h, int64_t seq, const char *body, char *prev_sha, char sha[65])
{
	struct history_row row = { 0 };
	char err[512];

	row.host_id = "h";
	row.sequence = seq;
	row.body = (char *)body;
	row.body_len = strlen(body);
	sha256_hex(body, row.body_len, row.sha256);
	row.previous_sha256 = prev_sha;
	row.time = "2025-11-29T08:00:00Z";
	row.worst = "pass";
	assert_int_equal(history_append(h, &row, err, sizeof(err)), 0);
	memcpy(sha, row.sha256, 65);
}

static void count_problem(const char *msg, void *arg)
{
	(void)msg;
	(*(int *)arg)++;
}

static void test_history(void **state)
{
	char *dir = temp_dir(), err[512], sha1[65], sha2[65], *path;
	struct history *h;
	struct history_row row;
	int problems = 0;
	FILE *f;
	(void)state;
	assert_int_equal(history_open(dir, false, &h, err, sizeof(err)), EXIT_NOINPUT);
	assert_int_equal(history_open(dir, true, &h, err, sizeof(err)), 0);
	assert_int_equal(history_chain_head(h, "h", NULL, &row, err, sizeof(err)), 0);
	append(h, 1, "{\"r\":1}\n", NULL, sha1);
	append(h, 2, "{\"r\":2}\n", sha1, sha2);
	assert_int_equal(history_chain_head(h, "h", NULL, &row, err, sizeof(err)), 1);
	assert_int_equal(row.sequence, 2);
	assert_string_equal(row.sha256, sha2);
	assert_string_equal(row.previous_sha256, sha1);
	assert_null(row.fingerprint);
	assert_int_equal(row.body_len, 8);
	history_row_free(&row);
	assert_int_equal(history_by_sha256(h, "0123", &row, err, sizeof(err)), EXIT_USAGE);
	assert_int_equal(history_by_sha256(h, sha1, &row, err, sizeof(err)), 1);
	assert_int_equal(row.sequence, 1);
	history_row_free(&row);
	/* the same place in the chain twice is refused by the database itself */
	{
		struct history_row dup = { .host_id = "h", .sequence = 2, .body = "x", .body_len = 1, .worst = "pass" };
		sha256_hex("x", 1, dup.sha256);
		assert_int_not_equal(history_append(h, &dup, err, sizeof(err)), 0);
		assert_non_null(strstr(err, "UNIQUE"));
	}
	assert_int_equal(history_check(h, count_problem, &problems, err, sizeof(err)), 0);
	history_close(h);
	/* garbage in place of the database */
	path = xasprintf("%s/%s", dir, HISTORY_FILE);
	unlink(path);
	f = fopen(path, "w");
	for (int i = 0; i < 4096; i++)
		fputc((i * 7919) & 0xff, f);
	fclose(f);
	assert_int_equal(history_open(dir, true, &h, err, sizeof(err)), EXIT_DATAERR);
	assert_non_null(strstr(err, "not a chipaudit history database"));
	free(path);
	remove_tree(dir);
	free(dir);
}

/* --- drift and diff --------------------------------------------------- */

static json_t *load_fixture(const char *path)
{
	char err[512];
	int rc;
	json_t *doc = json_load_path(path, err, sizeof(err), &rc);

	if (doc == NULL)
		fail_msg("%s", err);
	return doc;
}

/* The device user of the spyware fixture whose command is COMMAND (a new
 * reference). */
static json_t *spyware_device_user(const char *command)
{
	json_t *facts = load_fixture(FIXTURES "/spyware/expected-facts.json"), *p, *found = NULL;
	size_t i;

	json_array_foreach(jarr(jobj(facts, "processes"), "device_users"), i, p)
		if (found == NULL && jstr(p, "command") && strcmp(jstr(p, "command"), command) == 0)
			found = json_incref(p);
	json_decref(facts);
	if (found == NULL)
		fail_msg("no device user %s in the spyware fixture", command);
	return found;
}

/* Facts as the merged probes write them: the h20x8 fixture's (modules,
 * firmware and drivers from the backdoor probes, NVML limits from its
 * captured NVML answers, its device users), its first GPU measured as the
 * capability area writes it (tests/fixtures/measured/h20-healthy.json), and
 * the spyware fixture's training job among the device users (peers on its
 * network over IPv4 and IPv6, and on loopback). */
static json_t *drift_base(void)
{
	json_t *facts = load_fixture(FIXTURES "/h20x8/expected-facts.json");
	json_t *healthy = load_fixture(FIXTURES "/measured/h20-healthy.json");
	json_t *acc = json_array_get(jarr(facts, "accelerators"), 0);

	json_object_set(acc, "measured", jobj(json_array_get(jarr(healthy, "accelerators"), 0), "measured"));
	json_array_append_new(jarr(jobj(facts, "processes"), "device_users"), spyware_device_user("python3.11"));
	json_decref(healthy);
	return facts;
}

static json_t *first_accelerator(const json_t *facts)
{
	return json_array_get(jarr(facts, "accelerators"), 0);
}

static json_t *module_file(const json_t *facts, size_t i)
{
	return jobj(json_array_get(jarr(jobj(facts, "modules"), "list"), i), "file");
}

static json_t *firmware_file(const json_t *facts, size_t i)
{
	return json_array_get(jarr(json_array_get(jarr(facts, "firmware"), 0), "files"), i);
}

static const char *status_of(const struct findings *f, const char *id, const char *subject)
{
	for (size_t i = 0; i < f->count; i++)
		if (strcmp(f->items[i].check->id, id) == 0 && (!subject || strcmp(f->items[i].subject, subject) == 0))
			return status_name(f->items[i].status);
	return "absent";
}

static const char *message_of(const struct findings *f, const char *id, const char *subject, const char *status)
{
	for (size_t i = 0; i < f->count; i++)
		if (strcmp(f->items[i].check->id, id) == 0 && strcmp(f->items[i].subject, subject) == 0 &&
		    strcmp(status_name(f->items[i].status), status) == 0)
			return f->items[i].message;
	return "";
}

static void judge_drift(struct judge_ctx *ctx, json_t *facts, struct findings *f)
{
	char err[512];

	if (facts_validate(facts, "facts", err, sizeof(err)) != 0)
		fail_msg("test facts: %s", err);
	ctx->facts = facts;
	findings_free(f);
	*f = (struct findings){ 0 };
	judge_run(ctx, f);
}

static void test_drift(void **state)
{
	struct judge_options o = { 0 };
	struct accdb db;
	struct judge_ctx ctx = { .options = &o, .accdb = &db };
	char err[512], *module_sha, *firmware_sha, *want;
	struct findings f = { 0 };
	json_t *base = drift_base(), *cur = json_deep_copy(base), *ptx = json_deep_copy(base), *changes, *tops, *v;
	const char *precision;
	(void)state;
	assert_int_equal(accdb_load(&db, err, sizeof(err)), 0);
	module_sha = xstrdup(jstr(module_file(base, 0), "sha256"));
	firmware_sha = xstrdup(jstr(firmware_file(base, 0), "sha256"));
	/* now: bf16 down 22.5%, the enforced power limit lowered (400 -> 300 W),
	 * the nvidia module and a GSP firmware file replaced under the same
	 * driver and kernel, and a new device user talking to the network (the
	 * spyware fixture's telemetry daemon) */
	json_object_set_new(jobj(jobj(first_accelerator(cur), "measured"), "dense_tops"), "bf16", json_real(110.0));
	json_object_set_new(jobj(jobj(jobj(first_accelerator(cur), "vendor_library"), "nvml"), "power_mw"), "enforced_limit",
			    json_integer(300000));
	jset_str(module_file(cur, 0), "sha256", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
	jset_str(firmware_file(cur, 0), "sha256", "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd");
	json_array_append_new(jarr(jobj(cur, "processes"), "device_users"), spyware_device_user("gpu-telemetryd"));

	/* the training job's network peers: IPv6 in brackets, loopback and
	 * listening sockets left out */
	{
		json_t *job = json_array_get(jarr(jobj(base, "processes"), "device_users"), 2);
		json_t *peers = shape_network_peers(job);
		char *text = json_to_text(peers, false);
		assert_string_equal(shape_process_identity(job), "/opt/conda/bin/python3.11");
		assert_string_equal(text, "[\"10.42.0.8:40412\",\"10.42.0.8:41235\",\"[fd42::8]:43002\"]");
		free(text);
		json_decref(peers);
	}
	/* no baseline: every drift check skips */
	judge_drift(&ctx, cur, &f);
	assert_string_equal(status_of(&f, "killswitch.drift.performance", "host"), "skip");
	assert_string_equal(status_of(&f, "backdoor.drift.firmware", "host"), "skip");
	o.baseline = base;
	o.baseline_name = "base";
	judge_drift(&ctx, cur, &f);
	assert_string_equal(message_of(&f, "killswitch.drift.performance", "0000:18:00.0", "fail"),
			    "Measured bf16 throughput fell 22.5% (142.0 -> 110.0 TOPS) against base, more than the 10% margin");
	assert_string_equal(message_of(&f, "killswitch.drift.caps", "0000:18:00.0", "warn"),
			    "enforced power limit lowered since base: 400 -> 300 W");
	assert_string_equal(message_of(&f, "backdoor.drift.firmware", "host", "fail"),
			    want = xasprintf("Kernel module nvidia changed (sha256 %.12s... -> bbbbbbbbbbbb...) while its version "
					     "570.124.06 and the kernel did not", module_sha));
	free(want);
	assert_string_equal(message_of(&f, "spyware.drift.new_talker", "host", "warn"),
			    "/usr/local/bin/gpu-telemetryd holds an accelerator and talks to 203.0.113.50:443; it did not in base");
	{
		size_t firmware_fails = 0;
		for (size_t i = 0; i < f.count; i++)
			if (strcmp(f.items[i].check->id, "backdoor.drift.firmware") == 0 && f.items[i].status == STATUS_FAIL &&
			    strstr(f.items[i].message, "Firmware /lib/firmware/nvidia/570.124.06/gsp_ga10x.bin changed") &&
			    strstr(f.items[i].message, "while the driver version (nvidia 570.124.06) did not"))
				firmware_fails++;
		assert_int_equal(firmware_fails, 1);
	}
	/* the baseline judged against itself: no drift; 4 modules and 2 firmware files compared */
	judge_drift(&ctx, base, &f);
	assert_string_equal(status_of(&f, "killswitch.drift.performance", "0000:18:00.0"), "pass");
	assert_string_equal(message_of(&f, "killswitch.drift.caps", "0000:18:00.0", "pass"),
			    "No power or clock limit lowered since base (8 compared)");
	assert_string_equal(message_of(&f, "backdoor.drift.firmware", "host", "pass"),
			    "6 module and firmware digests compared with base: none changed without a driver or kernel update");
	assert_string_equal(message_of(&f, "spyware.drift.new_talker", "host", "pass"),
			    "1 device user talks to the network, none new since base");
	/* PTX lower bounds (cuBLASLt missing now) are not compared with cuBLASLt figures */
	tops = jobj(jobj(first_accelerator(ptx), "measured"), "dense_tops");
	json_object_foreach(tops, precision, v)
		if (json_is_number(v)) {
			json_object_set_new(tops, precision, json_real(json_number_value(v) * 0.6));
			json_object_set_new(jobj(jobj(first_accelerator(ptx), "measured"), "approximate"), precision, json_true());
		}
	jset_str(jobj(first_accelerator(ptx), "measured"), "method", "ptx");
	judge_drift(&ctx, ptx, &f);
	assert_string_equal(status_of(&f, "killswitch.drift.performance", "0000:18:00.0"), "absent");
	assert_string_equal(status_of(&f, "killswitch.drift.performance", "host"), "skip");
	findings_free(&f);
	/* diff of the two sets of facts (as reports without findings) */
	json_object_set_new(base, "findings", json_array());
	json_object_set_new(cur, "findings", json_array());
	changes = report_diff(base, cur);
	{
		char *text = json_to_text(changes, false);
		assert_non_null(strstr(text, "\"what\":\"measured.dense_tops.bf16\",\"from\":142.0,\"to\":110.0"));
		assert_non_null(strstr(text, "\"what\":\"vendor_library.nvml.power_mw.enforced_limit\",\"from\":400000,\"to\":300000"));
		want = xasprintf("\"section\":\"modules\",\"subject\":\"nvidia\",\"what\":\"sha256\",\"from\":\"%s\",\"to\":\"bbbb", module_sha);
		assert_non_null(strstr(text, want));
		free(want);
		want = xasprintf("\"section\":\"firmware\",\"subject\":\"/lib/firmware/nvidia/570.124.06/gsp_ga10x.bin\","
				 "\"what\":\"sha256\",\"from\":\"%s\",\"to\":\"dddd", firmware_sha);
		assert_non_null(strstr(text, want));
		free(want);
		assert_non_null(strstr(text, "\"subject\":\"/usr/local/bin/gpu-telemetryd\",\"what\":\"device user, peers\","
					     "\"from\":null,\"to\":[\"203.0.113.50:443\",\"198.51.100.7:514\"]"));
		assert_null(strstr(text, "\"subject\":\"/opt/conda/bin/python3.11\""));
		assert_null(strstr(text, "\"section\":\"modules\",\"subject\":\"nvidia_uvm\""));
		free(text);
	}
	json_decref(changes);
	free(module_sha);
	free(firmware_sha);
	json_decref(base);
	json_decref(cur);
	json_decref(ptx);
	accdb_free(&db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jscan_members),
		cmocka_unit_test(test_jscan_value),
		cmocka_unit_test(test_jscan_rejects),
		cmocka_unit_test(test_jscan_many_keys),
		cmocka_unit_test(test_jscan_blocks),
		cmocka_unit_test(test_jscan_depth),
		cmocka_unit_test(test_sign_every_byte),
		cmocka_unit_test(test_key_files),
		cmocka_unit_test(test_chain_follows),
		cmocka_unit_test(test_evidence_members),
		cmocka_unit_test(test_report_versions),
		cmocka_unit_test(test_history),
		cmocka_unit_test(test_drift),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
