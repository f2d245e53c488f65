/* The subset of Habana's HLML (libhlml.so, the Gaudi driver's management
 * library) that chipaudit calls, declared here so that no Habana header is
 * needed at build time: the library is loaded with dlopen at run time.
 *
 * Types, enumerations and prototypes follow hlml.h as Habana publishes it
 * (SPDX MIT) in HabanaAI/gohlml, commit f74c164924eca847e80c9af0e0fd5732a778d4a5
 * (row replacement, memory error counter, hlml_get_hlml_version), whose
 * older revision 551f20e99b5d5611d494791f218527c87c61867b lacks those calls
 * (the "old library" the fallbacks serve). hlml_get_driver_version,
 * hlml_get_serial_number, hlml_get_firmware_fit_version and
 * hlml_get_fw_os_version come from the same file at gohlml commit
 * 6b97ee06a9085d017395b3a5cb29477419aa6a07 (2024-02-28, prototypes as
 * declared here; that revision still has no process list and no power
 * limit in force, only the default); they are looked up with dlsym and may
 * be absent. Only what is called is here. The static assertions pin the
 * layouts the library writes into, unchanged in that revision. */
#ifndef CHIPAUDIT_HLML_API_H
#define CHIPAUDIT_HLML_API_H

#include <stdint.h>

#define HLML_PCI_DOMAIN_LEN 5
#define HLML_PCI_ADDR_LEN (HLML_PCI_DOMAIN_LEN + 10)
#define HLML_PCI_LINK_INFO_LEN 10
#define HLML_FIELD_MAX_SIZE 32
#define HLML_DEVICE_ROW_RPL_MAX 32
#define HLML_VERSION_LEN 128          /* our buffer; the calls take its length */

#define HLML_CLOCKS_THROTTLE_REASON_POWER (1u << 0)
#define HLML_CLOCKS_THROTTLE_REASON_THERMAL (1u << 1)

typedef enum hlml_return {
	HLML_SUCCESS = 0,
	HLML_ERROR_UNINITIALIZED = 1,
	HLML_ERROR_INVALID_ARGUMENT = 2,
	HLML_ERROR_NOT_SUPPORTED = 3,
	HLML_ERROR_ALREADY_INITIALIZED = 5,
	HLML_ERROR_NOT_FOUND = 6,
	HLML_ERROR_INSUFFICIENT_SIZE = 7,
	HLML_ERROR_DRIVER_NOT_LOADED = 9,
	HLML_ERROR_TIMEOUT = 10,
	HLML_ERROR_AIP_IS_LOST = 15,
	HLML_ERROR_MEMORY = 20,
	HLML_ERROR_NO_DATA = 21,
	HLML_ERROR_UNKNOWN = 49,
} hlml_return_t;

typedef struct hlml_pci_cap {
	char link_speed[HLML_PCI_LINK_INFO_LEN];
	char link_width[HLML_PCI_LINK_INFO_LEN];
} hlml_pci_cap_t;

/* pci_device_id: the 16-bit device id above the 16-bit vendor id. */
typedef struct hlml_pci_info {
	unsigned int bus;
	char bus_id[HLML_PCI_ADDR_LEN];
	unsigned int device;
	unsigned int domain;
	unsigned int pci_device_id;
	hlml_pci_cap_t caps;
} hlml_pci_info_t;

typedef enum hlml_clock_type {
	HLML_CLOCK_SOC = 0,
	HLML_CLOCK_IC = 1,
	HLML_CLOCK_MME = 2,
	HLML_CLOCK_TPC = 3,
} hlml_clock_type_t;

typedef enum hlml_temperature_sensors {
	HLML_TEMPERATURE_ON_AIP = 0,
	HLML_TEMPERATURE_ON_BOARD = 1,
} hlml_temperature_sensors_t;

typedef enum hlml_enable_state {
	HLML_FEATURE_DISABLED = 0,
	HLML_FEATURE_ENABLED = 1
} hlml_enable_state_t;

typedef enum hlml_memory_error_type {
	HLML_MEMORY_ERROR_TYPE_CORRECTED = 0,
	HLML_MEMORY_ERROR_TYPE_UNCORRECTED = 1,
} hlml_memory_error_type_t;

typedef enum hlml_memory_location_type {
	HLML_MEMORY_LOCATION_SRAM = 0,
	HLML_MEMORY_LOCATION_DRAM = 1,
} hlml_memory_location_type_t;

typedef enum hlml_ecc_counter_type {
	HLML_VOLATILE_ECC = 0,
	HLML_AGGREGATE_ECC = 1,
} hlml_ecc_counter_type_t;

typedef enum hlml_row_replacement_cause {
	HLML_ROW_REPLACEMENT_CAUSE_MULTIPLE_SINGLE_BIT_ECC_ERRORS = 0,
	HLML_ROW_REPLACEMENT_CAUSE_DOUBLE_BIT_ECC_ERROR = 1,
} hlml_row_replacement_cause_t;

typedef struct hlml_row_address {
	uint8_t hbm_idx;
	uint8_t pc;
	uint8_t sid;
	uint8_t bank_idx;
	uint16_t row_addr;
} hlml_row_address_t;

typedef void *hlml_device_t;

_Static_assert(sizeof(hlml_pci_cap_t) == 20, "hlml_pci_cap layout");
_Static_assert(sizeof(hlml_pci_info_t) == 52, "hlml_pci_info layout");
_Static_assert(sizeof(hlml_row_address_t) == 6, "hlml_row_address layout");
_Static_assert(sizeof(hlml_return_t) == 4 && sizeof(hlml_enable_state_t) == 4, "enums are ints");
_Static_assert(HLML_ERROR_AIP_IS_LOST == 15 && HLML_ERROR_UNKNOWN == 49, "hlml_return values");
_Static_assert(HLML_ROW_REPLACEMENT_CAUSE_DOUBLE_BIT_ECC_ERROR == 1 && HLML_MEMORY_LOCATION_DRAM == 1 &&
		       HLML_AGGREGATE_ECC == 1 && HLML_MEMORY_ERROR_TYPE_UNCORRECTED == 1 && HLML_CLOCK_TPC == 3,
	       "hlml enumeration values");

#endif
