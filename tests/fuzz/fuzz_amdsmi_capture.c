/* libFuzzer target: the AMD SMI capture a snapshot stores
 * (var/lib/chipaudit-capture/amdsmi.json), read back under --root as hostile
 * input. The input is the file; the tree around it holds one AMD Instinct
 * MI300X on the PCI bus at 0000:41:00.0 for the capture to join. Whatever
 * the probe accepts must validate as facts, and every check must judge it
 * without crashing. */
#include <stddef.h>
#include <stdint.h>

#include "gpu_tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct gpu_tree_device mi300x = {
	.root_bus = "pci0000:40", .address = "0000:41:00.0", .vendor = "0x1002\n", .device = "0x74a1\n",
	.subsystem_vendor = "0x1002\n", .subsystem_device = "0x74a1\n", .class = "0x120000\n",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gpu_tree_run_with(&mi300x, "amdsmi", "var/lib/chipaudit-capture/amdsmi.json", data, size);
	return 0;
}
