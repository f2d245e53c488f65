/* libFuzzer target: the kernel log reader and the XID parser. The input is
 * /dev/kmsg in a captured tree (records "PRIORITY,SEQUENCE,USEC,FLAGS;TEXT"),
 * beside one NVIDIA GPU on the PCI bus. Whatever the probe accepts must
 * validate as facts, and every check must judge it without crashing. */
#include <stddef.h>
#include <stdint.h>

#include "gpu_tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gpu_tree_run("kmsg", "dev/kmsg", data, size);
	return 0;
}
