/* libFuzzer target: the DSSE envelope and in-toto Statement `verify` reads
 * (src/evidence/dsse.c), and its base64. A refusal names the file; an envelope read is written again and reads back the same; base64
 * read is written again (standard, padded) and reads back the same bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/base64.h"
#include "evidence/dsse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(const char *err)
{
	if (strncmp(err, "fuzz", 4) != 0)  /* printed escaped, by error_msg */
		abort();
}

/* Decoded bytes encode to a text that decodes to the same bytes. */
static void check_base64(const uint8_t *data, size_t size)
{
	unsigned char *raw, *again;
	size_t len, len2;
	char *text;

	if (base64_decode((const char *)data, size, &raw, &len) != 0)
		return;
	text = base64_encode(raw, len);
	if (base64_decode(text, strlen(text), &again, &len2) != 0 || len2 != len || memcmp(raw, again, len) != 0)
		abort();
	free(again);
	free(text);
	free(raw);
}

/* An envelope that was read, written again, reads back the same. */
static void check_rewrite(const struct dsse_envelope *env)
{
	struct dsse_envelope back;
	char err[512], *line;
	size_t len;

	if (strcmp(env->payload_type, DSSE_PAYLOAD_TYPE) != 0)
		return;  /* the writer writes in-toto's type only */
	line = dsse_envelope(env->payload, env->payload_len, "sha256:fuzz", env->sig, &len);
	if (len > DSSE_ENVELOPE_MAX) {  /* the input's keyid was shorter */
		free(line);
		return;
	}
	if (dsse_envelope_parse(line, len, "fuzz", &back, err, sizeof(err)) != 0 ||
	    back.payload_len != env->payload_len || memcmp(back.payload, env->payload, env->payload_len) != 0 ||
	    memcmp(back.sig, env->sig, SIGNATURE_LEN) != 0)
		abort();
	dsse_envelope_free(&back);
	free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dsse_envelope env;
	struct dsse_statement st;
	char err[512];

	check_base64(data, size);
	if (dsse_envelope_parse((const char *)data, size, "fuzz", &env, err, sizeof(err)) != 0) {
		check_error(err);
		return 0;
	}
	check_rewrite(&env);
	if (dsse_statement_parse(&env, "fuzz", &st, err, sizeof(err)) != 0) {
		check_error(err);
	} else {
		if (strlen(st.subject_sha256) != SHA256_HEX_LEN || !json_is_object(st.predicate))
			abort();
		dsse_statement_free(&st);
	}
	dsse_envelope_free(&env);
	return 0;
}
