/* The subset of AMD SMI (libamd_smi.so, ROCm) that chipaudit uses, declared
 * here so that no amdsmi.h is needed at build time: the library is loaded
 * with dlopen at run time.
 *
 * Types, values and layouts are copied from ROCm/amdsmi's
 * include/amd_smi/amdsmi.h at commit 0ceca28f (2024-10-23, library version
 * 24.7.0.0, after tag rocm-6.2.2); the static assertions at the end pin
 * the sizes and offsets measured by compiling that header on x86_64 and
 * aarch64 (LP64). Only what is called is here.
 *
 * AMD SMI's structures carry no version field and have changed between
 * releases: ROCm 6.1 (library 24.5) had a 64-byte market name and a smaller
 * board record (the *_v245 layouts below, from tag rocm-6.1.2); since ROCm
 * 6.2 (24.6) they only grew at the end (amdsmi_asic_info_t 448 -> 456 bytes,
 * amdsmi_gpu_metrics_t 424 -> 1832 bytes from rocm-6.2.0 to 0ceca28f).
 * The backend picks the layout from amdsmi_get_lib_version and passes
 * every structure in a buffer with room to spare (AMDSMI_SLACK), so that a
 * newer library writing a longer record cannot overrun it. */
#ifndef CHIPAUDIT_AMDSMI_API_H
#define CHIPAUDIT_AMDSMI_API_H

#include <stddef.h>
#include <stdint.h>

typedef uint32_t amdsmi_status_t;
typedef void *amdsmi_processor_handle;
typedef void *amdsmi_socket_handle;

/* amdsmi_status_t */
enum {
	AMDSMI_STATUS_SUCCESS = 0,
	AMDSMI_STATUS_INVAL = 1,
	AMDSMI_STATUS_NOT_SUPPORTED = 2,
	AMDSMI_STATUS_NOT_YET_IMPLEMENTED = 3,
	AMDSMI_STATUS_FAIL_LOAD_MODULE = 4,
	AMDSMI_STATUS_FAIL_LOAD_SYMBOL = 5,
	AMDSMI_STATUS_DRM_ERROR = 6,
	AMDSMI_STATUS_API_FAILED = 7,
	AMDSMI_STATUS_TIMEOUT = 8,
	AMDSMI_STATUS_RETRY = 9,
	AMDSMI_STATUS_NO_PERM = 10,
	AMDSMI_STATUS_INTERRUPT = 11,
	AMDSMI_STATUS_IO = 12,
	AMDSMI_STATUS_ADDRESS_FAULT = 13,
	AMDSMI_STATUS_FILE_ERROR = 14,
	AMDSMI_STATUS_OUT_OF_RESOURCES = 15,
	AMDSMI_STATUS_INTERNAL_EXCEPTION = 16,
	AMDSMI_STATUS_INPUT_OUT_OF_BOUNDS = 17,
	AMDSMI_STATUS_INIT_ERROR = 18,
	AMDSMI_STATUS_REFCOUNT_OVERFLOW = 19,
	AMDSMI_STATUS_BUSY = 30,
	AMDSMI_STATUS_NOT_FOUND = 31,
	AMDSMI_STATUS_NOT_INIT = 32,
	AMDSMI_STATUS_NO_SLOT = 33,
	AMDSMI_STATUS_DRIVER_NOT_LOADED = 34,
	AMDSMI_STATUS_NO_DATA = 40,
	AMDSMI_STATUS_INSUFFICIENT_SIZE = 41,
	AMDSMI_STATUS_UNEXPECTED_SIZE = 42,
	AMDSMI_STATUS_UNEXPECTED_DATA = 43,
	AMDSMI_STATUS_AMDGPU_RESTART_ERR = 54,
	AMDSMI_STATUS_SETTING_UNAVAILABLE = 55,
};
#define AMDSMI_STATUS_MAP_ERROR 0xFFFFFFFEu
#define AMDSMI_STATUS_UNKNOWN_ERROR 0xFFFFFFFFu

/* amdsmi_init_flags_t */
#define AMDSMI_INIT_AMD_GPUS (1ULL << 1)

/* processor_type_t */
enum { AMDSMI_PROCESSOR_TYPE_AMD_GPU = 1 };

/* amdsmi_clk_type_t (24.5 spelled them CLK_TYPE_*, same values) */
enum { AMDSMI_CLK_TYPE_GFX = 0, AMDSMI_CLK_TYPE_MEM = 4 };

/* amdsmi_temperature_type_t, amdsmi_temperature_metric_t */
enum { AMDSMI_TEMPERATURE_TYPE_HOTSPOT = 1, AMDSMI_TEMPERATURE_TYPE_VRAM = 2 };
enum { AMDSMI_TEMP_CURRENT = 0 };

/* amdsmi_memory_page_status_t */
enum {
	AMDSMI_MEM_PAGE_STATUS_RESERVED = 0,      /* retired: no longer used */
	AMDSMI_MEM_PAGE_STATUS_PENDING = 1,       /* marked bad, retired at the next window */
	AMDSMI_MEM_PAGE_STATUS_UNRESERVABLE = 2,  /* bad and could not be retired */
};

/* amdsmi_xgmi_status_t */
enum { AMDSMI_XGMI_STATUS_NO_ERRORS = 0, AMDSMI_XGMI_STATUS_ERROR = 1, AMDSMI_XGMI_STATUS_MULTIPLE_ERRORS = 2 };

/* amdsmi_accelerator_partition_type_t: 0 invalid, then SPX, DPX, TPX, QPX, CPX */
enum { AMDSMI_ACCELERATOR_PARTITION_SPX = 1, AMDSMI_ACCELERATOR_PARTITION_CPX = 5 };

#define AMDSMI_MAX_STRING_LENGTH 64
#define AMDSMI_NORMAL_STRING_LENGTH 32
#define AMDSMI_256_LENGTH 256
#define AMDSMI_MAX_DATE_LENGTH 32
#define AMDSMI_GPU_UUID_SIZE 38
#define AMDSMI_MAX_ACCELERATOR_PARTITIONS 8
#define AMDSMI_MAX_CP_PROFILE_RESOURCES 32
/* AMD SMI marks an unsupported member with the type's largest value. */
#define AMDSMI_U8_UNSUPPORTED 0xFFu
#define AMDSMI_U16_UNSUPPORTED 0xFFFFu
#define AMDSMI_U32_UNSUPPORTED 0xFFFFFFFFu
#define AMDSMI_U64_UNSUPPORTED 0xFFFFFFFFFFFFFFFFull

/* amdsmi_bdf_t: a union of bit fields over one uint64_t; decoded here by
 * shifts (function 0-2, device 3-7, bus 8-15, domain 16-63), the layout
 * GCC and Clang give the bit fields on little-endian targets. */
typedef struct {
	uint64_t as_uint;
} amdsmi_bdf_t;

typedef struct {
	uint32_t year, major, minor, release;
	const char *build;
} amdsmi_version_t;

/* Since 24.6 (ROCm 6.2). */
typedef struct {
	char market_name[AMDSMI_256_LENGTH];
	uint32_t vendor_id;
	char vendor_name[AMDSMI_MAX_STRING_LENGTH];
	uint32_t subvendor_id;
	uint64_t device_id;
	uint32_t rev_id;
	char asic_serial[AMDSMI_NORMAL_STRING_LENGTH];
	uint32_t oam_id;                   /* 0xFFFF when not supported */
	uint32_t num_of_compute_units;     /* since 24.7 */
	uint64_t target_graphics_version;  /* since 24.7 */
	uint32_t reserved[15];
} amdsmi_asic_info_t;

/* 24.5 (ROCm 6.1), tag rocm-6.1.2. */
typedef struct {
	char market_name[AMDSMI_MAX_STRING_LENGTH];
	uint32_t vendor_id;
	char vendor_name[AMDSMI_MAX_STRING_LENGTH];
	uint32_t subvendor_id;
	uint64_t device_id;
	uint32_t rev_id;
	char asic_serial[AMDSMI_NORMAL_STRING_LENGTH];
	uint16_t oam_id;
	uint16_t reserved[37];
} amdsmi_asic_info_v245_t;

typedef struct {
	char model_number[AMDSMI_256_LENGTH];
	char product_serial[AMDSMI_NORMAL_STRING_LENGTH];
	char fru_id[AMDSMI_NORMAL_STRING_LENGTH];
	char product_name[AMDSMI_256_LENGTH];
	char manufacturer_name[AMDSMI_MAX_STRING_LENGTH];
	uint32_t reserved[32];
} amdsmi_board_info_t;

#define AMDSMI_PRODUCT_NAME_LENGTH_V245 128
typedef struct {
	char model_number[AMDSMI_NORMAL_STRING_LENGTH];
	char product_serial[AMDSMI_NORMAL_STRING_LENGTH];
	char fru_id[AMDSMI_NORMAL_STRING_LENGTH];
	char product_name[AMDSMI_PRODUCT_NAME_LENGTH_V245];
	char manufacturer_name[AMDSMI_NORMAL_STRING_LENGTH];
	uint32_t reserved[32];
} amdsmi_board_info_v245_t;

typedef struct {
	char name[AMDSMI_MAX_STRING_LENGTH];
	char build_date[AMDSMI_MAX_DATE_LENGTH];
	char part_number[AMDSMI_MAX_STRING_LENGTH];
	char version[AMDSMI_NORMAL_STRING_LENGTH];
	uint32_t reserved[16];
} amdsmi_vbios_info_t;

typedef struct {
	char driver_version[AMDSMI_MAX_STRING_LENGTH];
	char driver_date[AMDSMI_MAX_STRING_LENGTH];
	char driver_name[AMDSMI_MAX_STRING_LENGTH];
} amdsmi_driver_info_t;

/* Power caps in microwatts; the library leaves 0 in a member it could not
 * read (amdsmi_get_power_cap_info succeeds when any one was read). */
typedef struct {
	uint64_t power_cap;
	uint64_t default_power_cap;
	uint64_t dpm_cap;
	uint64_t min_power_cap;
	uint64_t max_power_cap;
	uint64_t reserved[3];
} amdsmi_power_cap_info_t;

/* Socket power in watts; 0xFFFF when not read. */
typedef struct {
	uint32_t current_socket_power;
	uint32_t average_socket_power;
	uint32_t gfx_voltage;
	uint32_t soc_voltage;
	uint32_t mem_voltage;
	uint32_t power_limit;
	uint32_t reserved[11];
} amdsmi_power_info_t;

/* MHz. */
typedef struct {
	uint32_t clk;
	uint32_t min_clk;
	uint32_t max_clk;
	uint8_t clk_locked;       /* since 24.6 */
	uint8_t clk_deep_sleep;   /* since 24.6 */
	uint32_t reserved[4];
} amdsmi_clk_info_t;

/* Hz (rocm_smi parses "Mhz" from pp_od_clk_voltage into Hz). */
typedef struct {
	uint64_t lower_bound;
	uint64_t upper_bound;
	uint64_t reserved[2];
} amdsmi_range_t;

typedef struct {
	uint64_t frequency;
	uint64_t voltage;
} amdsmi_od_vddc_point_t;

/* The overdrive table: the soft limits set now (curr_*) and the range the
 * board allows (*_freq_limits). */
typedef struct {
	amdsmi_range_t curr_sclk_range;
	amdsmi_range_t curr_mclk_range;
	amdsmi_range_t sclk_freq_limits;
	amdsmi_range_t mclk_freq_limits;
	amdsmi_od_vddc_point_t curve[3];
	uint32_t num_regions;
} amdsmi_od_volt_freq_data_t;

/* Since 24.7 (amdsmi_get_violation_status). active_*: 1 active, 0 not, 0xFF
 * not supported; per_*: percent of the last interval, UINT64_MAX not supported. */
typedef struct {
	uint64_t reference_timestamp;
	uint64_t violation_timestamp;
	uint64_t acc_counter;
	uint64_t acc_prochot_thrm;
	uint64_t acc_ppt_pwr;
	uint64_t acc_socket_thrm;
	uint64_t acc_vr_thrm;
	uint64_t acc_hbm_thrm;
	uint64_t per_prochot_thrm;
	uint64_t per_ppt_pwr;
	uint64_t per_socket_thrm;
	uint64_t per_vr_thrm;
	uint64_t per_hbm_thrm;
	uint8_t active_prochot_thrm;
	uint8_t active_ppt_pwr;
	uint8_t active_socket_thrm;
	uint8_t active_vr_thrm;
	uint8_t active_hbm_thrm;
	uint64_t reserved[30];
} amdsmi_violation_status_t;

/* The head of amdsmi_gpu_metrics_t, as far as indep_throttle_status (metrics
 * version 1.3); the library writes the whole record (424 bytes in 24.6, 1832
 * in 24.7), so it is read into a buffer of AMDSMI_GPU_METRICS_BUFFER bytes. */
typedef struct {
	uint16_t structure_size;
	uint8_t format_revision;
	uint8_t content_revision;
	uint16_t temperature_edge, temperature_hotspot, temperature_mem;
	uint16_t temperature_vrgfx, temperature_vrsoc, temperature_vrmem;
	uint16_t average_gfx_activity, average_umc_activity, average_mm_activity;
	uint16_t average_socket_power;
	uint64_t energy_accumulator;
	uint64_t system_clock_counter;
	uint16_t average_clocks[7];
	uint16_t current_clocks[7];
	uint32_t throttle_status;
	uint16_t current_fan_speed;
	uint16_t pcie_link_width;
	uint16_t pcie_link_speed;
	uint32_t gfx_activity_acc;
	uint32_t mem_activity_acc;
	uint16_t temperature_hbm[4];
	uint64_t firmware_timestamp;
	uint16_t voltage_soc, voltage_gfx, voltage_mem;
	uint64_t indep_throttle_status;   /* ASIC-independent SMU_THROTTLER_* bits */
} amdsmi_gpu_metrics_head_t;
#define AMDSMI_GPU_METRICS_SIZE_247 1832
#define AMDSMI_GPU_METRICS_BUFFER (4 * AMDSMI_GPU_METRICS_SIZE_247)

typedef struct {
	uint64_t correctable_count;
	uint64_t uncorrectable_count;
	uint64_t deferred_count;
	uint64_t reserved[5];
} amdsmi_error_count_t;

typedef struct {
	uint64_t page_address;
	uint64_t page_size;
	uint32_t status;          /* amdsmi_memory_page_status_t */
} amdsmi_retired_page_record_t;

typedef struct {
	char name[AMDSMI_NORMAL_STRING_LENGTH];
	uint32_t pid;
	uint64_t mem;
	struct {
		uint64_t gfx;
		uint64_t enc;
		uint32_t reserved[12];
	} engine_usage;
	struct {
		uint64_t gtt_mem;
		uint64_t cpu_mem;
		uint64_t vram_mem;
		uint32_t reserved[10];
	} memory_usage;
	char container_name[AMDSMI_NORMAL_STRING_LENGTH];
	uint32_t reserved[4];
} amdsmi_proc_info_t;

/* Since 24.7. */
typedef struct {
	uint32_t profile_type;    /* amdsmi_accelerator_partition_type_t */
	uint32_t num_partitions;
	uint32_t profile_index;
	uint32_t memory_caps;     /* amdsmi_nps_caps_t */
	uint32_t num_resources;
	uint32_t resources[AMDSMI_MAX_ACCELERATOR_PARTITIONS][AMDSMI_MAX_CP_PROFILE_RESOURCES];
	uint64_t reserved[6];
} amdsmi_accelerator_partition_profile_t;

/* Room left after every structure the library fills. */
#define AMDSMI_SLACK 4096

/* Pinned against amdsmi.h at 0ceca28f (24.7.0.0) and rocm-6.1.2 (24.5.2.0). */
_Static_assert(sizeof(amdsmi_bdf_t) == 8, "amdsmi_bdf_t");
_Static_assert(sizeof(amdsmi_version_t) == 24, "amdsmi_version_t");
_Static_assert(sizeof(amdsmi_asic_info_t) == 456, "amdsmi_asic_info_t (24.7)");
_Static_assert(offsetof(amdsmi_asic_info_t, vendor_id) == 256, "amdsmi_asic_info_t.vendor_id");
_Static_assert(offsetof(amdsmi_asic_info_t, subvendor_id) == 324, "amdsmi_asic_info_t.subvendor_id");
_Static_assert(offsetof(amdsmi_asic_info_t, device_id) == 328, "amdsmi_asic_info_t.device_id");
_Static_assert(offsetof(amdsmi_asic_info_t, asic_serial) == 340, "amdsmi_asic_info_t.asic_serial");
_Static_assert(offsetof(amdsmi_asic_info_t, oam_id) == 372, "amdsmi_asic_info_t.oam_id");
_Static_assert(offsetof(amdsmi_asic_info_t, num_of_compute_units) == 376, "amdsmi_asic_info_t.num_of_compute_units");
_Static_assert(sizeof(amdsmi_asic_info_v245_t) == 256, "amdsmi_asic_info_t (24.5)");
_Static_assert(offsetof(amdsmi_asic_info_v245_t, vendor_id) == 64, "amdsmi_asic_info_t.vendor_id (24.5)");
_Static_assert(offsetof(amdsmi_asic_info_v245_t, device_id) == 136, "amdsmi_asic_info_t.device_id (24.5)");
_Static_assert(offsetof(amdsmi_asic_info_v245_t, oam_id) == 180, "amdsmi_asic_info_t.oam_id (24.5)");
_Static_assert(sizeof(amdsmi_board_info_t) == 768, "amdsmi_board_info_t (24.7)");
_Static_assert(offsetof(amdsmi_board_info_t, product_serial) == 256, "amdsmi_board_info_t.product_serial");
_Static_assert(offsetof(amdsmi_board_info_t, product_name) == 320, "amdsmi_board_info_t.product_name");
_Static_assert(offsetof(amdsmi_board_info_t, manufacturer_name) == 576, "amdsmi_board_info_t.manufacturer_name");
_Static_assert(sizeof(amdsmi_board_info_v245_t) == 384, "amdsmi_board_info_t (24.5)");
_Static_assert(offsetof(amdsmi_board_info_v245_t, product_serial) == 32, "amdsmi_board_info_t.product_serial (24.5)");
_Static_assert(offsetof(amdsmi_board_info_v245_t, manufacturer_name) == 224, "amdsmi_board_info_t.manufacturer_name (24.5)");
_Static_assert(sizeof(amdsmi_vbios_info_t) == 256, "amdsmi_vbios_info_t");
_Static_assert(offsetof(amdsmi_vbios_info_t, version) == 160, "amdsmi_vbios_info_t.version");
_Static_assert(sizeof(amdsmi_driver_info_t) == 192, "amdsmi_driver_info_t");
_Static_assert(sizeof(amdsmi_power_cap_info_t) == 64, "amdsmi_power_cap_info_t");
_Static_assert(sizeof(amdsmi_power_info_t) == 68, "amdsmi_power_info_t");
_Static_assert(sizeof(amdsmi_clk_info_t) == 32, "amdsmi_clk_info_t");
_Static_assert(offsetof(amdsmi_clk_info_t, clk_locked) == 12, "amdsmi_clk_info_t.clk_locked");
_Static_assert(sizeof(amdsmi_od_volt_freq_data_t) == 184, "amdsmi_od_volt_freq_data_t");
_Static_assert(offsetof(amdsmi_od_volt_freq_data_t, sclk_freq_limits) == 64, "amdsmi_od_volt_freq_data_t.sclk_freq_limits");
_Static_assert(offsetof(amdsmi_od_volt_freq_data_t, mclk_freq_limits) == 96, "amdsmi_od_volt_freq_data_t.mclk_freq_limits");
_Static_assert(sizeof(amdsmi_violation_status_t) == 352, "amdsmi_violation_status_t");
_Static_assert(offsetof(amdsmi_violation_status_t, active_prochot_thrm) == 104, "amdsmi_violation_status_t.active_prochot_thrm");
_Static_assert(offsetof(amdsmi_violation_status_t, reserved) == 112, "amdsmi_violation_status_t.reserved");
_Static_assert(offsetof(amdsmi_gpu_metrics_head_t, current_clocks) == 54, "amdsmi_gpu_metrics_t.current_gfxclk");
_Static_assert(offsetof(amdsmi_gpu_metrics_head_t, throttle_status) == 68, "amdsmi_gpu_metrics_t.throttle_status");
_Static_assert(offsetof(amdsmi_gpu_metrics_head_t, indep_throttle_status) == 112, "amdsmi_gpu_metrics_t.indep_throttle_status");
_Static_assert(sizeof(amdsmi_error_count_t) == 64, "amdsmi_error_count_t");
_Static_assert(sizeof(amdsmi_retired_page_record_t) == 24, "amdsmi_retired_page_record_t");
_Static_assert(sizeof(amdsmi_proc_info_t) == 224, "amdsmi_proc_info_t");
_Static_assert(offsetof(amdsmi_proc_info_t, pid) == 32, "amdsmi_proc_info_t.pid");
_Static_assert(offsetof(amdsmi_proc_info_t, memory_usage) == 112, "amdsmi_proc_info_t.memory_usage");
_Static_assert(offsetof(amdsmi_proc_info_t, container_name) == 176, "amdsmi_proc_info_t.container_name");
_Static_assert(sizeof(amdsmi_accelerator_partition_profile_t) == 1096, "amdsmi_accelerator_partition_profile_t");

#endif
