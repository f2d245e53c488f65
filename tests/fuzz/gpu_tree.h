/* A scratch --root tree holding one NVIDIA H20 on the PCI bus, for fuzz
 * targets whose input is one file of a captured tree (the kernel log, the
 * NVML capture): the input is written there, the real probe gathers, and
 * whatever it accepts must validate as facts and be judged without a crash. */
#ifndef CHIPAUDIT_FUZZ_GPU_TREE_H
#define CHIPAUDIT_FUZZ_GPU_TREE_H

#include <stddef.h>
#include <stdint.h>

/* Write DATA to RELPATH (e.g. "dev/kmsg") under the tree named NAME, gather,
 * validate and judge. The tree is made on the first call. */
void gpu_tree_run(const char *name, const char *relpath, const uint8_t *data, size_t size);

#endif
