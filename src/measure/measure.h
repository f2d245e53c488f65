/* Measured capability: what each GPU does, not what it claims.
 *
 * measure_run() loads the CUDA driver (src/vendor/cuda.c) and, when present,
 * cuBLASLt (src/vendor/cublaslt.c), and measures every CUDA device: dense
 * matrix-multiply throughput per precision, device copy bandwidth, pinned
 * host<->device bandwidth, allocatable memory, and the cross-tenant memory
 * remanence test (two short-lived processes, src/measure/remanence.c).
 * NVIDIA first; the result is vendor-neutral JSON (docs/measure.md). */
#ifndef CHIPAUDIT_MEASURE_H
#define CHIPAUDIT_MEASURE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "vendor/vendor.h"

enum measure_mode { MEASURE_OFF, MEASURE_QUICK, MEASURE_STANDARD, MEASURE_THOROUGH };

const char *measure_mode_name(enum measure_mode mode);
/* "quick", "standard", "thorough" -> mode; -1 when unknown. */
int measure_mode_from_name(const char *name);

/* The sampling hook. Clocks, power and clock event reasons come from a
 * telemetry backend (NVML: nvml_telemetry_sample in src/vendor/nvml.c), not
 * from the CUDA driver API; without one, measure_options.telemetry is NULL and
 * the facts say "not sampled: no telemetry backend". sample() returns 0 when
 * it filled OUT. */
struct measure_telemetry {
	const char *name;          /* "nvml": recorded in facts */
	void *ctx;
	int (*sample)(void *ctx, const char *pci_address, struct clock_sample *out);
	double interval_s;         /* at most one sample per interval during a phase */
};

/* Progress, for a bar on a terminal: DEVICE of DEVICES, the phase running,
 * and the fraction of that device's phases done (0..1). */
struct measure_progress {
	void *ctx;
	void (*update)(void *ctx, int device, int devices, const char *phase, double fraction);
};

struct measure_options {
	enum measure_mode mode;
	bool skip_remanence;
	const struct measure_telemetry *telemetry;  /* NULL: not sampled */
	const struct measure_progress *progress;    /* NULL: silent */
};

/* Measure every CUDA device. Never fails: returns the facts.measurement
 * object, {"status": "measured"|"unavailable", "reason", ...}, with a
 * "devices" array of {"cuda_ordinal", "pci_address", "name", "measured"}
 * that the probe moves onto facts.accelerators (docs/measure.md). */
json_t *measure_run(const struct measure_options *opts);

/* Validate one facts.accelerators[i].measured object (untrusted input). */
int measure_validate_measured(const json_t *measured, const char *where, char *err, size_t errlen);

#endif
