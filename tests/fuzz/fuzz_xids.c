/* libFuzzer target: the XID catalog validator (data/xids.json, which
 * --data-dir replaces with a user file). A catalog that validates is then
 * used as killswitch.xid uses it: its first listed XIDs (each judgement
 * validates the catalog again, so not all of a full one) judged with texts
 * that rules may match, on older and newer GPUs; each verdict must be a kind
 * the catalog defines, or "unknown". */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "checks/killswitch.h"
#include "core/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const texts[] = {
	"", "NETIR_LINK_EVT Fatal XC0 i0 Link 08 (0x004505c6 0x00000000)", "RLW_RXPIPE Nonfatal XC0 i0 Link 13",
	"GPU recovery action changed from 0x0 (None) to 0x2 (Node Reboot Required)",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024];
	json_t *doc = json_parse_strict((const char *)data, size, "fuzz", err, sizeof(err)), *x;
	size_t i, t;

	if (doc == NULL)
		return 0;
	if (xid_catalog_check(doc, err, sizeof(err)) == 0) {
		json_array_foreach(json_object_get(doc, "xids"), i, x) {
			json_int_t xid = 0;
			if (i >= 8)
				break;
			jint(x, "xid", &xid);
			for (t = 0; t < sizeof(texts) / sizeof(texts[0]); t++)
				for (int older = 0; older < 2; older++) {
					const char *kind = xid_catalog_kind(doc, (long)xid, texts[t], older);
					if (kind == NULL || !json_object_get(json_object_get(doc, "kinds"), kind))
						abort();
				}
		}
		if (xid_catalog_kind(doc, 70000, "", false) == NULL)
			abort();
	}
	json_decref(doc);
	return 0;
}
