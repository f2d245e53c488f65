/* libFuzzer target: what the collector decides about a pushed report before
 * and after reading the database (src/collector/request.c), without one.
 * Input: the X-Chipaudit-Signature header's value, a newline, the body (no
 * newline: the body alone, no header). The report is judged against a fixed
 * host key (the corpus is signed with it, so that inputs reach the chain
 * verdicts) and against chain heads before, at and after its sequence.
 * Must never crash, and aborts the run when a verdict breaks its rules:
 * a refusal without its status or incident, rows that are not the JSON the
 * database reads, a report stored that does not follow the head, or the
 * stored report's hash still asked for once given. */
#include <jansson.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The corpus's host key: Ed25519 from the seed 0x01 0x02 ... 0x20. */
static EVP_PKEY *host_key(void)
{
	static EVP_PKEY *pub;
	unsigned char seed[32], raw[32];
	size_t n = sizeof(raw);

	if (!pub) {
		for (int i = 0; i < 32; i++)
			seed[i] = (unsigned char)(i + 1);
		EVP_PKEY *priv = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, sizeof(seed));
		if (!priv || EVP_PKEY_get_raw_public_key(priv, raw, &n) != 1)
			abort();
		pub = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, raw, n);
		EVP_PKEY_free(priv);
	}
	return pub;
}

static void check_refusal(const struct refusal *r, const int *allowed)
{
	bool ok = false;

	for (; *allowed; allowed++)
		ok |= r->http == *allowed;
	if (!ok || !r->kind || !r->reason[0] || strchr(r->reason, '\n'))
		abort();
}

static void check_rows(const char *text, size_t count)
{
	json_t *rows = json_loads(text, 0, NULL);

	if (!json_is_array(rows) || json_array_size(rows) != count)
		abort();
	json_decref(rows);
}

static void judge(const struct parsed_report *p, int64_t head, const char *head_sha)
{
	static const int refused[] = { 401, 403, 409, 422, 0 };
	struct stored_key key = { .host_id = p->link.host_id, .pkey = host_key(), .last_sequence = head,
				  .last_sha256 = head_sha };
	struct refusal why = { 0 };
	enum judgement j = report_judge(p, &key, NULL, NULL, &why);

	if (j == JUDGED_NEED_STORED) {
		if (head == 0 || p->link.sequence > head)
			abort();  /* only a report at or before the head needs what is stored there */
		j = report_judge(p, &key, p->link.sequence == head ? head_sha : "", NULL, &why);
		if (j == JUDGED_NEED_STORED)
			abort();
	}
	if (j == JUDGED_REFUSED)
		check_refusal(&why, refused);
	if (j == JUDGED_STORE && head != 0 &&
	    (p->link.sequence != head + 1 || !p->link.previous_sha256 || strcmp(p->link.previous_sha256, head_sha) != 0))
		abort();
	if (j == JUDGED_STORE_GAP && (p->link.sequence <= head + 1 || strcmp(why.kind, "gap") != 0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int malformed[] = { 400, 413, 0 };
	const uint8_t *nl = memchr(data, '\n', size);
	char *sig = NULL;
	const char *body = (const char *)data;
	size_t len = size;
	struct parsed_report p;
	struct refusal why = { 0 };

	if (nl) {
		sig = strndup((const char *)data, (size_t)(nl - data));
		body = (const char *)nl + 1;
		len = size - (size_t)(nl - data) - 1;
	}
	if (report_request_parse(body, len, sig, 100000, &p, &why) != 0) {
		check_refusal(&why, malformed);
		free(sig);
		return 0;
	}
	if (!p.link.host_id || !p.link.fingerprint || p.link.sequence < 1 || strlen(p.link.sha256) != 64)
		abort();
	check_rows(p.findings_json, p.findings);
	check_rows(p.chips_json, p.chips);
	judge(&p, 0, NULL);
	judge(&p, p.link.sequence - 1, p.link.previous_sha256 ? p.link.previous_sha256 : p.link.sha256);
	judge(&p, p.link.sequence, p.link.sha256);
	judge(&p, p.link.sequence + 1, "0000000000000000000000000000000000000000000000000000000000000000");
	parsed_report_free(&p);
	free(sig);
	return 0;
}
