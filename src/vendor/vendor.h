/* Vendor backends: one per vendor library (NVML today; AMD SMI and Ascend
 * DCMI can follow), each behind this struct of function pointers, as nvtop
 * keeps its GPU vendors. A backend loads its library with dlopen, so the
 * binary builds and runs without it, and describes what the library reports
 * as one JSON section of the facts. */
#ifndef CHIPAUDIT_VENDOR_H
#define CHIPAUDIT_VENDOR_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct vendor_ctx {
	const char *library;      /* path or soname to load instead of the default; NULL: default */
};

struct vendor_backend {
	const char *name;         /* "nvml": the facts section it writes */
	const char *vendor;       /* "NVIDIA" */
	uint16_t pci_vendor_id;   /* the accelerators it speaks for */
	const char *default_library;
	const char *library_env;  /* environment variable that overrides the library */
	const char *capture_path; /* where a snapshot keeps the section under --root */
	/* Load the library and describe the system and every device it reports:
	 * {"available": bool, ..., "devices": [...]}. Never fails the audit: a
	 * missing library, an old driver or an error return is a fact with its
	 * reason ({"available": false, "reason": ...}). */
	json_t *(*gather)(const struct vendor_ctx *ctx);
	/* Check a section read back from a capture (hostile input). */
	int (*validate_capture)(const json_t *capture, const char *where, char *err, size_t errlen);
};

extern const struct vendor_backend nvml_backend;

#define CLOCK_REASONS_MAX 8

/* One telemetry sample taken while a phase runs. Unknown values are NAN. */
struct clock_sample {
	double sm_clock_mhz;
	double memory_clock_mhz;
	double power_w;
	/* Clock event (throttle) reasons active at the time, by the telemetry
	 * backend's names ("sw_power_cap", "hw_thermal_slowdown", ...). */
	const char *reasons[CLOCK_REASONS_MAX];
	size_t reason_count;
};

/* NVML as the measurement's telemetry (struct measure_telemetry's sample):
 * open returns NULL with WHY when the library cannot be used. */
struct nvml_telemetry;
struct nvml_telemetry *nvml_telemetry_open(const char *library, char *why, size_t whylen);
int nvml_telemetry_sample(void *ctx, const char *pci_address, struct clock_sample *out);
void nvml_telemetry_close(struct nvml_telemetry *t);

#endif
