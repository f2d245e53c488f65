/* What the attestation family (attestation.c) tells other checks: whether
 * the firmware the host's NVIDIA GPUs run is attested against NVIDIA's
 * golden values. The GPUs are verified once per judgement (judge_memo). */
#ifndef CHIPAUDIT_ATTESTATION_H
#define CHIPAUDIT_ATTESTATION_H

#include <stddef.h>

#include "core/check.h"

struct firmware_attestation {
	size_t gpus;               /* accelerators NVML saw */
	size_t verified;           /* whose report verified and whose every measurement matches its RIM */
	size_t differ;             /* whose verified report has a measurement that differs from its RIM */
	const char *first_differ;  /* the PCI address of the first of those */
};

void attestation_firmware(const struct judge_ctx *ctx, struct firmware_attestation *out);

#endif
