/* A fake libhlml.so for the test suite, driven by a scenario file
 * (FAKE_HLML_SCENARIO=tests/fake-hlml/scenarios/NAME.json), as
 * tests/fake-dcmi is for DCMI. chipaudit loads it through its real dlopen
 * path (CHIPAUDIT_HLML_LIBRARY or --vendor-library hlml=PATH).
 *
 * Built twice: libfake-hlml.so exports the calls of a current library; with
 * -DFAKE_HLML_OLD, libfake-hlml-old.so exports only those of the older
 * hlml.h (gohlml 551f20e: hlml_device_get_serial, hlml_device_get_total_ecc_errors,
 * no row replacement, no version or firmware calls), to prove the fallbacks.
 *
 * Scenario members: see tests/fake-hlml/README.md. A device member left out
 * makes its call answer HLML_ERROR_NOT_SUPPORTED. */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake-common/scenario.h"
#include "vendor/hlml_api.h"

/* The exported functions are HLML's API, declared in Habana's hlml.h, which
 * this project does not have. */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"

#define EXPORT __attribute__((visibility("default")))
#define MAX_DEVICES 64

static json_t *scenario;
static json_t *devices[MAX_DEVICES];  /* with the scenario's "template" applied */
static size_t device_count;

static const struct { const char *name; hlml_return_t rc; } error_names[] = {
	{ "SUCCESS", HLML_SUCCESS }, { "UNINITIALIZED", HLML_ERROR_UNINITIALIZED },
	{ "INVALID_ARGUMENT", HLML_ERROR_INVALID_ARGUMENT }, { "NOT_SUPPORTED", HLML_ERROR_NOT_SUPPORTED },
	{ "NOT_FOUND", HLML_ERROR_NOT_FOUND }, { "DRIVER_NOT_LOADED", HLML_ERROR_DRIVER_NOT_LOADED },
	{ "TIMEOUT", HLML_ERROR_TIMEOUT }, { "AIP_IS_LOST", HLML_ERROR_AIP_IS_LOST },
	{ "NO_DATA", HLML_ERROR_NO_DATA }, { "UNKNOWN", HLML_ERROR_UNKNOWN }, { "WEIRD", (hlml_return_t)4242 },
};

static hlml_return_t error_code(const char *name)
{
	for (size_t i = 0; i < sizeof(error_names) / sizeof(error_names[0]); i++)
		if (name && strcmp(error_names[i].name, name) == 0)
			return error_names[i].rc;
	return HLML_ERROR_UNKNOWN;
}

EXPORT hlml_return_t hlml_init(void)
{
	const char *init_error;
	hlml_return_t rc;
	bool unset;

	if (scenario)
		return HLML_SUCCESS;
	if ((scenario = fake_scenario_open("FAKE_HLML_SCENARIO", "fake-hlml", &unset)) == NULL)
		return unset ? HLML_ERROR_DRIVER_NOT_LOADED : HLML_ERROR_UNKNOWN;
	init_error = fake_scenario_init_error(scenario);
	if (init_error != NULL && (rc = error_code(init_error)) != HLML_SUCCESS) {
		json_decref(scenario);   /* holds init_error: the code is taken first */
		scenario = NULL;
		return rc;
	}
	device_count = fake_scenario_devices(scenario, devices, MAX_DEVICES);
	return HLML_SUCCESS;
}

EXPORT hlml_return_t hlml_shutdown(void)
{
	for (size_t i = 0; i < device_count; i++)
		json_decref(devices[i]);
	device_count = 0;
	json_decref(scenario);
	scenario = NULL;
	return HLML_SUCCESS;
}

/* Handles are the device's index plus one. */
static const json_t *dev_of(hlml_device_t h)
{
	uintptr_t i = (uintptr_t)h;
	return scenario && i >= 1 && i <= device_count ? devices[i - 1] : NULL;
}

/* The error FN is told to return on D: errors[FN], or errors["*"] for every
 * call but the handle and the PCI information; HLML_SUCCESS otherwise. */
static hlml_return_t forced(const json_t *d, const char *fn)
{
	const json_t *errors = json_object_get(d, "errors");
	const char *e = json_string_value(json_object_get(errors, fn));

	if (e == NULL && strcmp(fn, "hlml_device_get_pci_info") != 0 && strcmp(fn, "hlml_device_get_handle_by_index") != 0)
		e = json_string_value(json_object_get(errors, "*"));
	return e ? error_code(e) : HLML_SUCCESS;
}

static hlml_return_t sys_forced(const char *fn)
{
	const char *e = json_string_value(json_object_get(json_object_get(scenario, "errors"), fn));
	return e ? error_code(e) : HLML_SUCCESS;
}

#define DEV(h, fn)                                                   \
	const json_t *d = dev_of(h);                                 \
	hlml_return_t rc_;                                           \
	if (d == NULL)                                               \
		return HLML_ERROR_INVALID_ARGUMENT;                  \
	if ((rc_ = forced(d, fn)) != HLML_SUCCESS)                   \
		return rc_

/* Copy member KEY of D as a string into BUF of LEN bytes; unterminated
 * when the device says "unterminated_strings". */
static hlml_return_t put_string(const json_t *d, const char *key, char *buf, unsigned len)
{
	const char *s = json_string_value(json_object_get(d, key));

	if (s == NULL)
		return HLML_ERROR_NOT_SUPPORTED;
	if (len == 0)
		return HLML_ERROR_INSUFFICIENT_SIZE;
	if (json_is_true(json_object_get(d, "unterminated_strings"))) {
		memset(buf, 'A', len);
		return HLML_SUCCESS;
	}
	snprintf(buf, len, "%s", s);
	return HLML_SUCCESS;
}

static hlml_return_t put_uint(const json_t *d, const char *key, unsigned *out)
{
	const json_t *v = json_object_get(d, key);

	if (!json_is_integer(v))
		return HLML_ERROR_NOT_SUPPORTED;
	*out = (unsigned)json_integer_value(v);
	return HLML_SUCCESS;
}

static hlml_return_t put_u64(const json_t *d, const char *key, unsigned long long *out)
{
	const json_t *v = json_object_get(d, key);

	if (!json_is_integer(v))
		return HLML_ERROR_NOT_SUPPORTED;
	*out = (unsigned long long)json_integer_value(v);
	return HLML_SUCCESS;
}

static unsigned hex(const json_t *d, const char *key)
{
	const char *s = json_string_value(json_object_get(d, key));
	return s ? (unsigned)strtoul(s, NULL, 16) & 0xffffu : 0;
}

EXPORT hlml_return_t hlml_device_get_count(unsigned *count)
{
	hlml_return_t rc;

	if (scenario == NULL)
		return HLML_ERROR_UNINITIALIZED;
	if ((rc = sys_forced("hlml_device_get_count")) != HLML_SUCCESS)
		return rc;
	*count = json_is_integer(json_object_get(scenario, "count"))
			 ? (unsigned)json_integer_value(json_object_get(scenario, "count"))
			 : (unsigned)device_count;
	return HLML_SUCCESS;
}

EXPORT hlml_return_t hlml_device_get_handle_by_index(unsigned index, hlml_device_t *h)
{
	if (scenario == NULL)
		return HLML_ERROR_UNINITIALIZED;
	if (index >= device_count)
		return HLML_ERROR_NOT_FOUND;
	if (forced(devices[index], "hlml_device_get_handle_by_index") != HLML_SUCCESS)
		return forced(devices[index], "hlml_device_get_handle_by_index");
	*h = (hlml_device_t)(uintptr_t)(index + 1);
	return HLML_SUCCESS;
}

EXPORT hlml_return_t hlml_device_get_pci_info(hlml_device_t h, hlml_pci_info_t *pci)
{
	const char *bus_id;
	DEV(h, "hlml_device_get_pci_info");
	bus_id = json_string_value(json_object_get(d, "bus_id"));
	if (bus_id == NULL)
		return HLML_ERROR_NOT_SUPPORTED;
	memset(pci, 0, sizeof(*pci));
	if (json_is_true(json_object_get(d, "unterminated_bus_id")))
		memset(pci->bus_id, '0', sizeof(pci->bus_id));
	else
		snprintf(pci->bus_id, sizeof(pci->bus_id), "%s", bus_id);
	pci->pci_device_id = hex(d, "device_id") << 16 | hex(d, "vendor_id");
	return HLML_SUCCESS;
}

EXPORT hlml_return_t hlml_device_get_name(hlml_device_t h, char *buf, unsigned len)
{
	DEV(h, "hlml_device_get_name");
	return put_string(d, "name", buf, len);
}

EXPORT hlml_return_t hlml_device_get_uuid(hlml_device_t h, char *buf, unsigned len)
{
	DEV(h, "hlml_device_get_uuid");
	return put_string(d, "uuid", buf, len);
}

#ifdef FAKE_HLML_OLD
EXPORT hlml_return_t hlml_device_get_serial(hlml_device_t h, char *buf, unsigned len)
{
	DEV(h, "hlml_device_get_serial");
	return put_string(d, "serial", buf, len);
}
#else
EXPORT hlml_return_t hlml_get_serial_number(hlml_device_t h, char *buf, unsigned len)
{
	DEV(h, "hlml_get_serial_number");
	return put_string(d, "serial", buf, len);
}

EXPORT hlml_return_t hlml_get_firmware_fit_version(hlml_device_t h, char *buf, unsigned len)
{
	DEV(h, "hlml_get_firmware_fit_version");
	return put_string(d, "fw_fit", buf, len);
}

EXPORT hlml_return_t hlml_get_fw_os_version(hlml_device_t h, char *buf, unsigned len)
{
	DEV(h, "hlml_get_fw_os_version");
	return put_string(d, "fw_os", buf, len);
}
#endif

EXPORT hlml_return_t hlml_device_get_minor_number(hlml_device_t h, unsigned *v)
{
	DEV(h, "hlml_device_get_minor_number");
	return put_uint(d, "minor", v);
}

EXPORT hlml_return_t hlml_device_get_power_usage(hlml_device_t h, unsigned *v)
{
	DEV(h, "hlml_device_get_power_usage");
	return put_uint(d, "power_mw", v);
}

EXPORT hlml_return_t hlml_device_get_power_management_default_limit(hlml_device_t h, unsigned *v)
{
	DEV(h, "hlml_device_get_power_management_default_limit");
	return put_uint(d, "power_default_mw", v);
}

EXPORT hlml_return_t hlml_device_get_temperature(hlml_device_t h, hlml_temperature_sensors_t s, unsigned *v)
{
	DEV(h, "hlml_device_get_temperature");
	return put_uint(d, s == HLML_TEMPERATURE_ON_AIP ? "temp_aip" : "temp_board", v);
}

EXPORT hlml_return_t hlml_device_get_clock_info(hlml_device_t h, hlml_clock_type_t type, unsigned *v)
{
	DEV(h, "hlml_device_get_clock_info");
	return type == HLML_CLOCK_SOC ? put_uint(d, "soc_mhz", v) : HLML_ERROR_NOT_SUPPORTED;
}

EXPORT hlml_return_t hlml_device_get_max_clock_info(hlml_device_t h, hlml_clock_type_t type, unsigned *v)
{
	DEV(h, "hlml_device_get_max_clock_info");
	return type == HLML_CLOCK_SOC ? put_uint(d, "soc_max_mhz", v) : HLML_ERROR_NOT_SUPPORTED;
}

EXPORT hlml_return_t hlml_device_get_current_clocks_throttle_reasons(hlml_device_t h, unsigned long long *v)
{
	DEV(h, "hlml_device_get_current_clocks_throttle_reasons");
	return put_u64(d, "throttle", v);
}

EXPORT hlml_return_t hlml_device_get_ecc_mode(hlml_device_t h, hlml_enable_state_t *current, hlml_enable_state_t *pending)
{
	unsigned c, p;
	DEV(h, "hlml_device_get_ecc_mode");
	if (put_uint(d, "ecc_mode", &c) != HLML_SUCCESS || put_uint(d, "ecc_pending", &p) != HLML_SUCCESS)
		return HLML_ERROR_NOT_SUPPORTED;
	*current = (hlml_enable_state_t)c;
	*pending = (hlml_enable_state_t)p;
	return HLML_SUCCESS;
}

static const char *ecc_key(hlml_memory_error_type_t type, hlml_ecc_counter_type_t counter)
{
	if (type == HLML_MEMORY_ERROR_TYPE_UNCORRECTED)
		return counter == HLML_AGGREGATE_ECC ? "ecc_uncorrected_aggregate" : "ecc_uncorrected_volatile";
	return counter == HLML_AGGREGATE_ECC ? "ecc_corrected_aggregate" : "ecc_corrected_volatile";
}

EXPORT hlml_return_t hlml_device_get_total_ecc_errors(hlml_device_t h, hlml_memory_error_type_t type,
						      hlml_ecc_counter_type_t counter, unsigned long long *v)
{
	DEV(h, "hlml_device_get_total_ecc_errors");
	return put_u64(d, ecc_key(type, counter), v);
}

#ifndef FAKE_HLML_OLD
EXPORT hlml_return_t hlml_device_get_memory_error_counter(hlml_device_t h, hlml_memory_error_type_t type,
							  hlml_ecc_counter_type_t counter,
							  hlml_memory_location_type_t location, unsigned long long *v)
{
	DEV(h, "hlml_device_get_memory_error_counter");
	if (location != HLML_MEMORY_LOCATION_DRAM)
		return HLML_ERROR_INVALID_ARGUMENT;
	return put_u64(d, ecc_key(type, counter), v);
}

EXPORT hlml_return_t hlml_device_get_replaced_rows(hlml_device_t h, hlml_row_replacement_cause_t cause, unsigned *count,
						   hlml_row_address_t *rows)
{
	unsigned n;
	DEV(h, "hlml_device_get_replaced_rows");
	if (put_uint(d, cause == HLML_ROW_REPLACEMENT_CAUSE_DOUBLE_BIT_ECC_ERROR ? "rows_double_bit" : "rows_single_bit",
		     &n) != HLML_SUCCESS)
		return HLML_ERROR_NOT_SUPPORTED;
	/* a hostile library may claim more rows than the caller's array holds */
	if (!json_is_true(json_object_get(d, "rows_overflow"))) {
		if (n > *count)
			return HLML_ERROR_INSUFFICIENT_SIZE;
		for (unsigned i = 0; i < n; i++)
			rows[i] = (hlml_row_address_t){ .hbm_idx = (uint8_t)(i % 6), .row_addr = (uint16_t)(100 + i) };
	}
	*count = n;
	return HLML_SUCCESS;
}

EXPORT hlml_return_t hlml_device_get_replaced_rows_pending_status(hlml_device_t h, hlml_enable_state_t *pending)
{
	unsigned p;
	DEV(h, "hlml_device_get_replaced_rows_pending_status");
	if (put_uint(d, "rows_pending", &p) != HLML_SUCCESS)
		return HLML_ERROR_NOT_SUPPORTED;
	*pending = (hlml_enable_state_t)p;
	return HLML_SUCCESS;
}

static hlml_return_t sys_string(const char *fn, const char *key, char *buf, unsigned len)
{
	const char *s;
	hlml_return_t rc;

	if (scenario == NULL)
		return HLML_ERROR_UNINITIALIZED;
	if ((rc = sys_forced(fn)) != HLML_SUCCESS)
		return rc;
	if ((s = json_string_value(json_object_get(scenario, key))) == NULL)
		return HLML_ERROR_NOT_SUPPORTED;
	snprintf(buf, len, "%s", s);
	return HLML_SUCCESS;
}

EXPORT hlml_return_t hlml_get_hlml_version(char *buf, unsigned len)
{
	return sys_string("hlml_get_hlml_version", "hlml_version", buf, len);
}

EXPORT hlml_return_t hlml_get_driver_version(char *buf, unsigned len)
{
	return sys_string("hlml_get_driver_version", "driver_version", buf, len);
}
#endif
