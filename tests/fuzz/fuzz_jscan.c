/* libFuzzer target: the validating scanner `chipaudit verify` reads reports
 * with, checked against jansson on every input. Whatever jansson accepts as
 * an object the scanner must accept, with the same wanted members; what the
 * scanner accepts and jansson refuses may only be a duplicate key below the
 * ones wanted, or a number too large for jansson (docs/evidence.md). Each
 * wanted member's value, as jscan_value makes it, must be jansson's. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "evidence/jscan.h"

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
	if (doc && json_is_object(doc)) {
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
	} else if (doc) {
		if (rc == 0)
			abort();  /* not an object, yet accepted */
	} else if (rc == 0 && memchr(data, '\0', size) == NULL) {
		if (!strstr(jerr.text, "duplicate") && !strstr(jerr.text, "too big") && !strstr(jerr.text, "overflow"))
			abort();  /* accepted what jansson refuses for another reason */
	}
	json_decref(doc);
	return 0;
}
