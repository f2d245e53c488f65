/* libFuzzer target: the fingerprint rules loader (data/fingerprint.json
 * format), then the judgement on a few figures with whatever validates. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/accdb.h"
#include "core/json.h"
#include "measure/fingerprint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct accdb db;
static int loaded;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct measured_figures figs[] = {
		{ 785.4, false, 132, 139.0 * 1073741824.0 },
		{ 61.3, false, 78, NAN },
		{ 521.7, true, 132, 0 },
		{ NAN, false, NAN, NAN },
	};
	struct fingerprint_rules r;
	struct fingerprint_result res;
	char err[512];
	json_t *doc;

	if (!loaded) {
		if (accdb_load(&db, err, sizeof(err)) != 0)
			abort();
		loaded = 1;
	}
	doc = json_parse_strict((const char *)data, size, "fuzz", err, sizeof(err));
	if (doc == NULL)
		return 0;
	if (fingerprint_rules_from_json(doc, &r, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < sizeof(figs) / sizeof(figs[0]); i++) {
			fingerprint_judge(&db, &r, accdb_by_name(&db, "H20"), &figs[i], &res);
			fingerprint_judge(&db, &r, NULL, &figs[i], &res);
		}
	}
	json_decref(doc);
	return 0;
}
