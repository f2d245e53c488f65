/* libFuzzer target: the accelerator database loader (data/accelerators.json
 * format), which --data-dir lets a user replace. */
#include <stddef.h>
#include <stdint.h>

#include "core/accdb.h"
#include "core/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024];
	struct accdb db;
	json_t *models = json_parse_strict((const char *)data, size, "fuzz", err, sizeof(err));
	json_t *vendors;

	if (models == NULL)
		return 0;
	vendors = json_pack("{s:[{s:s, s:s, s:[s], s:b}]}", "vendors", "vendor_id", "10de", "name", "NVIDIA",
			    "classes", "03", "database_only", 0);
	if (accdb_from_json(&db, models, vendors, err, sizeof(err)) == 0) {
		const struct accel_model *out[4];
		accdb_by_pci(&db, 0x10de, 0x2329);
		accdb_by_name(&db, "H20");
		accdb_close_matches(&db, "h1", out, 4);
		accdb_is_accelerator(&db, 0x10de, 0x2329, 0x030200);
		accdb_free(&db);
	}
	return 0;
}
