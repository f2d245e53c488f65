/* libFuzzer target: the HLML capture a snapshot stores
 * (var/lib/chipaudit-capture/hlml.json), read back under --root as hostile
 * input. The input is the file; the tree around it holds one GPU on the PCI
 * bus, so the capture's Gaudi devices are joined as the library's only (seen through
 * hlml) and, at 0000:18:00.0, to that accelerator. Whatever the probe
 * accepts must validate as facts, and every check must judge it without
 * crashing. */
#include <stddef.h>
#include <stdint.h>

#include "gpu_tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gpu_tree_run("hlml", "var/lib/chipaudit-capture/hlml.json", data, size);
	return 0;
}
