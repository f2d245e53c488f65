/* The subset of the NVIDIA Management Library (NVML) that chipaudit uses,
 * declared here so that no nvml.h is needed at build time: the library is
 * loaded with dlopen at run time (as nvtop does).
 *
 * Types, values and structure layouts follow NVIDIA's nvml.h as published
 * with the CUDA toolkit (API version 12, CUDA 12.2, and 13) and the NVML API
 * reference (docs.nvidia.com/deploy/nvml-api). Only what is called is here.
 * Structures are copied by layout; the static assertions at the end pin the
 * sizes the library expects. */
#ifndef CHIPAUDIT_NVML_API_H
#define CHIPAUDIT_NVML_API_H

typedef int nvmlReturn_t;
typedef struct nvmlDevice_st *nvmlDevice_t;

/* nvmlReturn_t */
enum {
	NVML_SUCCESS = 0,
	NVML_ERROR_UNINITIALIZED = 1,
	NVML_ERROR_INVALID_ARGUMENT = 2,
	NVML_ERROR_NOT_SUPPORTED = 3,
	NVML_ERROR_NO_PERMISSION = 4,
	NVML_ERROR_ALREADY_INITIALIZED = 5,
	NVML_ERROR_NOT_FOUND = 6,
	NVML_ERROR_INSUFFICIENT_SIZE = 7,
	NVML_ERROR_INSUFFICIENT_POWER = 8,
	NVML_ERROR_DRIVER_NOT_LOADED = 9,
	NVML_ERROR_TIMEOUT = 10,
	NVML_ERROR_IRQ_ISSUE = 11,
	NVML_ERROR_LIBRARY_NOT_FOUND = 12,
	NVML_ERROR_FUNCTION_NOT_FOUND = 13,
	NVML_ERROR_CORRUPTED_INFOROM = 14,
	NVML_ERROR_GPU_IS_LOST = 15,
	NVML_ERROR_RESET_REQUIRED = 16,
	NVML_ERROR_OPERATING_SYSTEM = 17,
	NVML_ERROR_LIB_RM_VERSION_MISMATCH = 18,
	NVML_ERROR_IN_USE = 19,
	NVML_ERROR_MEMORY = 20,
	NVML_ERROR_NO_DATA = 21,
	NVML_ERROR_VGPU_ECC_NOT_SUPPORTED = 22,
	NVML_ERROR_INSUFFICIENT_RESOURCES = 23,
	NVML_ERROR_FREQ_NOT_SUPPORTED = 24,
	NVML_ERROR_ARGUMENT_VERSION_MISMATCH = 25,
	NVML_ERROR_DEPRECATED = 26,
	NVML_ERROR_NOT_READY = 27,
	NVML_ERROR_GPU_NOT_FOUND = 28,
	NVML_ERROR_INVALID_STATE = 29,
	NVML_ERROR_UNKNOWN = 999,
};

/* nvmlEnableState_t, nvmlClockType_t, nvmlTemperatureSensors_t,
 * nvmlMemoryErrorType_t, nvmlEccCounterType_t, nvmlPageRetirementCause_t,
 * nvmlComputeMode_t, nvmlGpuVirtualizationMode_t, nvmlPerfPolicyType_t,
 * nvmlGpuOperationMode_t: C enums, passed as int. */
enum { NVML_FEATURE_DISABLED = 0, NVML_FEATURE_ENABLED = 1 };
enum { NVML_CLOCK_GRAPHICS = 0, NVML_CLOCK_SM = 1, NVML_CLOCK_MEM = 2, NVML_CLOCK_VIDEO = 3 };
enum { NVML_TEMPERATURE_GPU = 0 };
enum { NVML_MEMORY_ERROR_TYPE_CORRECTED = 0, NVML_MEMORY_ERROR_TYPE_UNCORRECTED = 1 };
enum { NVML_VOLATILE_ECC = 0, NVML_AGGREGATE_ECC = 1 };
enum { NVML_PAGE_RETIREMENT_CAUSE_MULTIPLE_SINGLE_BIT_ECC_ERRORS = 0,
       NVML_PAGE_RETIREMENT_CAUSE_DOUBLE_BIT_ECC_ERROR = 1 };
enum { NVML_COMPUTEMODE_DEFAULT = 0, NVML_COMPUTEMODE_EXCLUSIVE_THREAD = 1,
       NVML_COMPUTEMODE_PROHIBITED = 2, NVML_COMPUTEMODE_EXCLUSIVE_PROCESS = 3 };
enum { NVML_GPU_VIRTUALIZATION_MODE_NONE = 0, NVML_GPU_VIRTUALIZATION_MODE_PASSTHROUGH = 1,
       NVML_GPU_VIRTUALIZATION_MODE_VGPU = 2, NVML_GPU_VIRTUALIZATION_MODE_HOST_VGPU = 3,
       NVML_GPU_VIRTUALIZATION_MODE_HOST_VSGA = 4 };
enum { NVML_PERF_POLICY_POWER = 0, NVML_PERF_POLICY_THERMAL = 1, NVML_PERF_POLICY_SYNC_BOOST = 2,
       NVML_PERF_POLICY_BOARD_LIMIT = 3, NVML_PERF_POLICY_LOW_UTILIZATION = 4,
       NVML_PERF_POLICY_RELIABILITY = 5, NVML_PERF_POLICY_TOTAL_APP_CLOCKS = 10,
       NVML_PERF_POLICY_TOTAL_BASE_CLOCKS = 11 };
enum { NVML_DEVICE_MIG_DISABLE = 0, NVML_DEVICE_MIG_ENABLE = 1 };
/* GPU operation mode (nvmlDeviceGetGpuOperationMode): COMPUTE turns graphics
 * off; LOW_DP cuts double-precision throughput. A change is pending until
 * the next reboot. */
enum { NVML_GOM_ALL_ON = 0, NVML_GOM_COMPUTE = 1, NVML_GOM_LOW_DP = 2 };

/* Clock event reasons (nvmlDeviceGetCurrentClocksEventReasons; formerly
 * ...ClocksThrottleReasons, same bits). */
#define NVML_CLOCKS_EVENT_REASON_GPU_IDLE 0x1ULL
#define NVML_CLOCKS_EVENT_REASON_APPLICATIONS_CLOCKS_SETTING 0x2ULL
#define NVML_CLOCKS_EVENT_REASON_SW_POWER_CAP 0x4ULL
#define NVML_CLOCKS_EVENT_REASON_HW_SLOWDOWN 0x8ULL
#define NVML_CLOCKS_EVENT_REASON_SYNC_BOOST 0x10ULL
#define NVML_CLOCKS_EVENT_REASON_SW_THERMAL_SLOWDOWN 0x20ULL
#define NVML_CLOCKS_EVENT_REASON_HW_THERMAL_SLOWDOWN 0x40ULL
#define NVML_CLOCKS_EVENT_REASON_HW_POWER_BRAKE_SLOWDOWN 0x80ULL
#define NVML_CLOCKS_EVENT_REASON_DISPLAY_CLOCK_SETTING 0x100ULL

/* Confidential computing values. */
enum { NVML_CC_SYSTEM_ENVIRONMENT_UNAVAILABLE = 0, NVML_CC_SYSTEM_ENVIRONMENT_SIM = 1,
       NVML_CC_SYSTEM_ENVIRONMENT_PROD = 2 };
enum { NVML_CC_SYSTEM_FEATURE_DISABLED = 0, NVML_CC_SYSTEM_FEATURE_ENABLED = 1 };
enum { NVML_CC_SYSTEM_CPU_CAPS_NONE = 0, NVML_CC_SYSTEM_CPU_CAPS_AMD_SEV = 1,
       NVML_CC_SYSTEM_CPU_CAPS_INTEL_TDX = 2 };
enum { NVML_CC_SYSTEM_MULTIGPU_NONE = 0, NVML_CC_SYSTEM_MULTIGPU_PROTECTED_PCIE = 1 };
enum { NVML_CC_ACCEPTING_CLIENT_REQUESTS_FALSE = 0, NVML_CC_ACCEPTING_CLIENT_REQUESTS_TRUE = 1 };

/* Buffer sizes (the library writes at most this many bytes, NUL included). */
#define NVML_DEVICE_NAME_V2_BUFFER_SIZE 96
#define NVML_DEVICE_UUID_V2_BUFFER_SIZE 96
#define NVML_DEVICE_SERIAL_BUFFER_SIZE 30
#define NVML_DEVICE_PART_NUMBER_BUFFER_SIZE 80
#define NVML_DEVICE_VBIOS_VERSION_BUFFER_SIZE 32
#define NVML_DEVICE_INFOROM_VERSION_BUFFER_SIZE 16
#define NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE 80
#define NVML_SYSTEM_NVML_VERSION_BUFFER_SIZE 80
#define NVML_GSP_FIRMWARE_VERSION_BUF_SIZE 0x40
#define NVML_DEVICE_PCI_BUS_ID_BUFFER_SIZE 32
#define NVML_DEVICE_PCI_BUS_ID_BUFFER_V2_SIZE 16
#define NVML_NVLINK_MAX_LINKS 18
#define NVML_GRID_LICENSE_BUFFER_SIZE 128
#define NVML_GRID_LICENSE_FEATURE_MAX_COUNT 3
#define NVML_GPU_CERT_CHAIN_SIZE 0x1000
#define NVML_GPU_ATTESTATION_CERT_CHAIN_SIZE 0x1400
#define NVML_CC_GPU_CEC_NONCE_SIZE 0x20
#define NVML_CC_GPU_ATTESTATION_REPORT_SIZE 0x2000
#define NVML_CC_GPU_CEC_ATTESTATION_REPORT_SIZE 0x1000

/* Version field of versioned structures: size | version << 24. */
#define NVML_STRUCT_VERSION(type, ver) ((unsigned int)(sizeof(type) | ((unsigned int)(ver) << 24)))

/* nvmlPciInfo_t as filled by nvmlDeviceGetPciInfo_v3 and _v2. The first
 * version of the call wrote a 16-byte busId first and reserved fields after
 * pciSubSystemId; the numeric members sit at the same offsets in both. */
typedef struct {
	char busIdLegacy[NVML_DEVICE_PCI_BUS_ID_BUFFER_V2_SIZE];
	unsigned int domain;
	unsigned int bus;
	unsigned int device;
	unsigned int pciDeviceId;     /* device << 16 | vendor */
	unsigned int pciSubSystemId;  /* subsystem device << 16 | subsystem vendor */
	char busId[NVML_DEVICE_PCI_BUS_ID_BUFFER_SIZE];
} nvmlPciInfo_t;

typedef struct {
	unsigned long long total, free, used;
} nvmlMemory_t;

typedef struct {
	unsigned int version;         /* nvmlMemory_v2 */
	unsigned long long total, reserved, free, used;
} nvmlMemory_v2_t;
#define nvmlMemory_v2 NVML_STRUCT_VERSION(nvmlMemory_v2_t, 2)

typedef struct {
	unsigned long long referenceTime;  /* CPU timestamp, microseconds */
	unsigned long long violationTime;  /* nanoseconds */
} nvmlViolationTime_t;

typedef struct {
	unsigned int max, high, partial, low, none;
} nvmlRowRemapperHistogramValues_t;

typedef struct {
	unsigned int environment;
	unsigned int ccFeature;
	unsigned int devToolsMode;
} nvmlConfComputeSystemState_t;

typedef struct {
	unsigned int version;         /* nvmlSystemConfComputeSettings_v1 */
	unsigned int environment;
	unsigned int ccFeature;
	unsigned int devToolsMode;
	unsigned int multiGpuMode;
} nvmlSystemConfComputeSettings_v1_t;
#define nvmlSystemConfComputeSettings_v1 NVML_STRUCT_VERSION(nvmlSystemConfComputeSettings_v1_t, 1)

typedef struct {
	unsigned int cpuCaps;
	unsigned int gpusCaps;
} nvmlConfComputeSystemCaps_t;

typedef struct {
	unsigned int certChainSize;
	unsigned int attestationCertChainSize;
	unsigned char certChain[NVML_GPU_CERT_CHAIN_SIZE];
	unsigned char attestationCertChain[NVML_GPU_ATTESTATION_CERT_CHAIN_SIZE];
} nvmlConfComputeGpuCertificate_t;

typedef struct {
	unsigned int isCecAttestationReportPresent;
	unsigned int attestationReportSize;
	unsigned int cecAttestationReportSize;
	unsigned char nonce[NVML_CC_GPU_CEC_NONCE_SIZE];                /* in */
	unsigned char attestationReport[NVML_CC_GPU_ATTESTATION_REPORT_SIZE];
	unsigned char cecAttestationReport[NVML_CC_GPU_CEC_ATTESTATION_REPORT_SIZE];
} nvmlConfComputeGpuAttestationReport_t;

/* nvmlDeviceGetGridLicensableFeatures_v4 */
typedef struct {
	unsigned int year;
	unsigned short month, day, hour, min, sec;
	unsigned char status;
} nvmlGridLicenseExpiry_t;

typedef struct {
	int featureCode;              /* nvmlGridLicenseFeatureCode_t */
	unsigned int featureState;    /* non-zero: licensed */
	char licenseInfo[NVML_GRID_LICENSE_BUFFER_SIZE];
	char productName[NVML_GRID_LICENSE_BUFFER_SIZE];
	unsigned int featureEnabled;
	nvmlGridLicenseExpiry_t licenseExpiry;
} nvmlGridLicensableFeature_t;

typedef struct {
	int isGridLicenseSupported;
	unsigned int licensableFeaturesCount;
	nvmlGridLicensableFeature_t gridLicensableFeatures[NVML_GRID_LICENSE_FEATURE_MAX_COUNT];
} nvmlGridLicensableFeatures_t;

/* nvmlGridLicenseFeatureCode_t */
enum { NVML_GRID_LICENSE_FEATURE_CODE_UNKNOWN = 0, NVML_GRID_LICENSE_FEATURE_CODE_VGPU = 1,
       NVML_GRID_LICENSE_FEATURE_CODE_NVIDIA_RTX = 2, NVML_GRID_LICENSE_FEATURE_CODE_GAMING = 3,
       NVML_GRID_LICENSE_FEATURE_CODE_COMPUTE = 4 };

_Static_assert(sizeof(nvmlPciInfo_t) == 68, "nvmlPciInfo_t layout");
_Static_assert(sizeof(nvmlMemory_v2_t) == 40, "nvmlMemory_v2_t layout");
_Static_assert(sizeof(nvmlViolationTime_t) == 16, "nvmlViolationTime_t layout");
_Static_assert(sizeof(nvmlSystemConfComputeSettings_v1_t) == 20, "settings layout");
_Static_assert(sizeof(nvmlConfComputeGpuCertificate_t) == 8 + 0x1000 + 0x1400, "certificate layout");
_Static_assert(sizeof(nvmlConfComputeGpuAttestationReport_t) == 12 + 0x20 + 0x2000 + 0x1000,
	       "attestation report layout");
_Static_assert(sizeof(nvmlGridLicenseExpiry_t) == 16, "license expiry layout");

#endif
