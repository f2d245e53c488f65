/* libFuzzer target: the validating scanner `chipaudit verify` reads reports
 * with, checked against jansson on every input. The scanner must accept
 * exactly what json_parse_strict (jansson with JSON_REJECT_DUPLICATES, no NUL
 * byte) accepts as an object: any difference, either way, is a report that
 * verify and the other commands (or jq and Python) would read differently,
 * and aborts the run. Each wanted member's value, as jscan_value makes it,
 * must be jansson's. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "parse/jscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jscan_member want[] = {
		{ .key = "sequence" }, { .key = "nonce" }, { .key = "host" }, { .key = "public_key_fingerprint" },
		{ .key = "a" }, { .key = "" },
	};
	const size_t n = sizeof(want) / sizeof(want[0]);
	char err[256];
	json_error_t jerr;
	json_t *doc = NULL;
	int rc = jscan_object((const char *)data, size, want, n, err, sizeof(err));

	if (memchr(data, '\0', size) == NULL)
		doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (doc == NULL || !json_is_object(doc)) {
		if (rc == 0)
			abort();  /* accepted what jansson refuses, or a NUL byte, or not an object */
		json_decref(doc);
		return 0;
	}
	if (rc != 0)
		abort();  /* a valid object refused */
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_object_get(doc, want[i].key), *mine;
		if ((v == NULL) != (want[i].value == NULL))
			abort();
		if (v == NULL)
			continue;
		mine = jscan_value(want[i].value, want[i].len, &jerr);
		if (mine == NULL || !json_equal(mine, v) || json_typeof(mine) != json_typeof(v))
			abort();  /* the span is not the member, or not read as jansson reads it */
		json_decref(mine);
	}
	json_decref(doc);
	return 0;
}
