/* The vendor-neutral record of an accelerator's runtime state: what the
 * kill-switch and identity checks judge, whatever the vendor.
 *
 * Each vendor backend (vendor.h) describes every accelerator it reports
 * twice: its library's own values, kept as evidence in
 * accelerators[].vendor_library.NAME, and this record, accelerators[].runtime, in
 * one vocabulary for all vendors. A member the library did not give is null,
 * with runtime.unavailable[PATH] = the reason. docs/runtime.md lists the
 * members.
 *
 *   backend                   the backend that wrote it ("nvml")
 *   identity.{name, uuid, serial, vendor_id, device_id,
 *             subsystem_vendor_id, subsystem_device_id}
 *   compute.{gate, mode}      gate: "open", "one_process" or "refused";
 *                             mode: the library's name for the setting
 *   operation_mode.{current, pending}
 *                             {name, fp64_reduced, graphics_off}
 *   drained                   bool
 *   confidential_computing.{on, ready}
 *   lost                      bool: the library reports it gone
 *   power_mw.{enforced_limit, requested_limit, default_limit}
 *   clocks_mhz.{compute, memory}.{set, default}
 *   slowdown                  [reason names, runtime_slowdowns[]]
 *   memory.{repair_failed, repair_pending, retirement_pending,
 *           uncorrectable_errors}
 *   virtualization.{mode, guest, licensed}
 *   partitions.{on, pending, profiles}
 */
#ifndef CHIPAUDIT_VENDOR_RUNTIME_H
#define CHIPAUDIT_VENDOR_RUNTIME_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* What a kill-switch or identity check looks at; a backend names the raw
 * values that evidence each and the commands that inspect and clear it. */
enum runtime_concern {
	RT_IDENTITY,
	RT_COMPUTE,
	RT_OPERATION_MODE,
	RT_DRAIN,
	RT_CONFIDENTIAL_COMPUTING,
	RT_LOST,
	RT_POWER,
	RT_CLOCKS,
	RT_SLOWDOWN,
	RT_MEMORY,
	RT_VIRTUALIZATION,
	RT_PARTITIONS,
	RT_CONCERN_COUNT
};

/* Slowdown reasons, vendor-neutral. */
#define RT_SLOW_IDLE "idle"
#define RT_SLOW_CLOCK_SETTING "clock_setting"
#define RT_SLOW_SOFTWARE_POWER_CAP "software_power_cap"
#define RT_SLOW_HARDWARE_SLOWDOWN "hardware_slowdown"
#define RT_SLOW_SOFTWARE_THERMAL "software_thermal"
#define RT_SLOW_HARDWARE_THERMAL "hardware_thermal"
#define RT_SLOW_HARDWARE_POWER_BRAKE "hardware_power_brake"
extern const char *const runtime_slowdowns[];

/* Reading the record by dotted path: NULL (false) when unknown. */
const json_t *rt_get(const json_t *rt, const char *path);
bool rt_int(const json_t *rt, const char *path, long long *out);
bool rt_bool(const json_t *rt, const char *path, bool *out);
const char *rt_str(const json_t *rt, const char *path);
/* Why PATH is null, or "not reported". */
const char *rt_why(const json_t *rt, const char *path);
/* Is reason NAME in the slowdown list? */
bool rt_slowdown(const json_t *rt, const char *name);

/* Writing it: a value (stolen), or null with the reason when VALUE is NULL. */
void rt_put(json_t *rt, const char *path, json_t *value, const char *why_unknown);

#endif
