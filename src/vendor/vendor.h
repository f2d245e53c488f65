/* Vendor backends: one per vendor library (NVML, AMD SMI, Ascend DCMI,
 * Gaudi HLML), each behind this struct of function pointers, as nvtop
 * keeps its GPU vendors. A backend loads its library with dlopen, so the
 * binary builds and runs without it, and describes what the library reports
 * as one JSON section of the facts. */
#ifndef CHIPAUDIT_VENDOR_H
#define CHIPAUDIT_VENDOR_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "vendor/runtime.h"

/* Largest capture of one backend's section accepted (eight GPUs with
 * confidential computing evidence take about 300 KiB). */
#define VENDOR_CAPTURE_MAX (16u * 1024 * 1024)

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
	/* Check one device's values (accelerators[].vendor_library.NAME) and the section
	 * without its devices, as a facts file holds them. */
	int (*validate_device)(const json_t *dev, const char *where, char *err, size_t errlen);
	int (*validate_system)(const json_t *section, const char *where, char *err, size_t errlen);

	/* The vendor-neutral record (runtime.h) of device DEV of SECTION. */
	json_t *(*describe)(const json_t *section, const json_t *dev);
	/* The library's own values that evidence CONCERN, with the reasons of
	 * those it did not give. */
	json_t *(*evidence)(enum runtime_concern concern, const json_t *section, const json_t *dev);
	/* For each concern: how to inspect and clear it with the vendor's tools,
	 * "%s" standing for the accelerator's PCI address (NULL: none). */
	const char *const *remedies;
	/* For a device the library counts but cannot reach (no address). */
	const char *unreachable_remedy;
	/* The command that requests a power limit ("nvidia-smi -pl"). */
	const char *power_limit_command;

	/* How messages name things: "NVML", "GPU", "CUDA context", "MIG"; the
	 * kernel driver its devices are bound to ("nvidia"). */
	const char *kernel_driver;
	const char *library_label;
	const char *device_noun;
	const char *work_unit;
	const char *partitions_label;
};

extern const struct vendor_backend nvml_backend;
extern const struct vendor_backend amdsmi_backend;
extern const struct vendor_backend dcmi_backend;
extern const struct vendor_backend hlml_backend;

/* Where an accelerator keeps each library's own values:
 * accelerators[].vendor_library.NAME ("vendor" is the vendor's name). */
#define VENDOR_VALUES_MEMBER "vendor_library"
/* ACC's values from backend B, or NULL. */
const json_t *vendor_values(const json_t *acc, const struct vendor_backend *b);

/* Every backend, in the order the probe runs them. */
extern const struct vendor_backend *const vendor_backends[];
extern const size_t vendor_backend_count;
/* The backend that speaks for accelerators of PCI vendor VENDOR_ID ("10de"),
 * or the one called NAME ("nvml"); NULL when none. */
const struct vendor_backend *vendor_backend_for(const char *vendor_id);
const struct vendor_backend *vendor_backend_named(const char *name);

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
