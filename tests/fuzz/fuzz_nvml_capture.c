/* libFuzzer target: the NVML capture a snapshot stores
 * (var/lib/chipaudit-capture/nvml.json), read back under --root as hostile
 * input. The input is the file; the tree around it holds one NVIDIA GPU on
 * the PCI bus for the capture to join. Whatever the probe accepts must
 * validate as facts, and every check must judge it without crashing. */
#include <stddef.h>
#include <stdint.h>

#include "gpu_tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gpu_tree_run("nvml", "var/lib/chipaudit-capture/nvml.json", data, size);
	return 0;
}
