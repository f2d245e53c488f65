/* A scratch --root tree holding one accelerator on the PCI bus, for fuzz
 * targets whose input is one file of a captured tree (the kernel log, the
 * NVML capture): the input is written there, the real probe gathers, and
 * whatever it accepts must validate as facts and be judged without a crash. */
#ifndef CHIPAUDIT_FUZZ_GPU_TREE_H
#define CHIPAUDIT_FUZZ_GPU_TREE_H

#include <stddef.h>
#include <stdint.h>

/* The accelerator on the tree's PCI bus: the root port's bus "pci0000:BB",
 * its address, and its sysfs IDs as the kernel writes them ("0x10de\n"). */
struct gpu_tree_device {
	const char *root_bus, *address, *vendor, *device, *subsystem_vendor, *subsystem_device, *class;
};

/* Write DATA to RELPATH (e.g. "dev/kmsg") under the tree named NAME, gather,
 * validate and judge. The tree, with an NVIDIA H20 at 0000:18:00.0, is made
 * on the first call. */
void gpu_tree_run(const char *name, const char *relpath, const uint8_t *data, size_t size);
/* The same with DEV on the bus instead of the H20. */
void gpu_tree_run_with(const struct gpu_tree_device *dev, const char *name, const char *relpath, const uint8_t *data,
		       size_t size);

#endif
