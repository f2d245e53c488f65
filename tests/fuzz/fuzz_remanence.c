/* libFuzzer target: the remanence children's report parser
 * (src/measure/remanence.c), whose input crosses a process boundary. */
#include <stddef.h>
#include <stdint.h>

#include "core/json.h"
#include "measure/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *out = json_object();
	char err[256];

	remanence_parse((const char *)data, size, 0x5a17c0de, out, err, sizeof(err));
	json_decref(out);
	return 0;
}
