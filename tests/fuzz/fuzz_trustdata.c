/* libFuzzer target: the bulletin and manifest validators (checks/trustdb.c),
 * which --data-dir and --manifest feed with user files. A document that
 * validates is then used as the checks use it. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/json.h"
#include "parse/kernelinfo.h"
#include "checks/trustdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024];
	json_t *doc = json_parse_strict((const char *)data, size, "fuzz", err, sizeof(err));
	struct trustdb db = { 0 };
	const json_t *expected;
	const char *origin;
	size_t i, j;
	json_t *b, *br;

	if (doc == NULL)
		return 0;
	if (bulletins_validate(doc, err, sizeof(err)) == 0) {
		json_array_foreach(json_object_get(doc, "bulletins"), i, b)
			json_array_foreach(json_object_get(b, "branches"), j, br)
				if (jstr(br, "first_fixed"))
					driver_version_compare("535.230.02", jstr(br, "first_fixed"));
	}
	if (manifest_validate(doc, err, sizeof(err)) == 0) {
		trustdb_add_manifest(&db, "fuzz", json_incref(doc));
		json_array_foreach(json_object_get(doc, "files"), i, b)
			trustdb_manifest_lookup(&db, jstr(doc, "driver"), jstr(doc, "version"), jstr(b, "path"),
						"0000000000000000000000000000000000000000000000000000000000000000", 1,
						&expected, &origin);
		trustdb_free(&db);
	}
	json_decref(doc);
	return 0;
}
