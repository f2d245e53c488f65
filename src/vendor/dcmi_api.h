/* The subset of Huawei's DCMI (libdcmi.so, the Ascend driver's management
 * library) that chipaudit calls, declared here so that no Ascend header is
 * needed at build time: the library is loaded with dlopen at run time.
 *
 * Structures, enumerations and prototypes follow dcmi_interface_api.h as
 * Huawei publishes it in Ascend/mind-cluster
 * (component/ascend-common/devmanager/dcmi/dcmi_interface_api.h, last
 * changed in commit 9d4acd8e, read at 22bb3d98 of 2026-08-21), and, for the
 * calls that header leaves out (dcmi_get_driver_version, dcmi_get_version,
 * dcmi_get_card_num_list, dcmi_get_device_elabel_info,
 * dcmi_get_device_pcie_info, dcmi_get_device_aicore_info,
 * dcmi_get_device_errorcode_string), Huawei's DCMI API reference
 * (hiascend.com: "Atlas 200I A2 ... re/api" 25.2.0/26.0.RC1 and "HDK
 * 26.1.0 A2 DCMI"). Where the two disagree on an integer's signedness
 * (dcmi_get_dcmi_version's length) the reference is followed; the ABI is the
 * same. Only what is called is here. The static assertions at the end pin
 * the layouts the library writes into. */
#ifndef CHIPAUDIT_DCMI_API_H
#define CHIPAUDIT_DCMI_API_H

/* Return codes (the reference's "返回码" table). */
enum {
	DCMI_OK = 0,
	DCMI_ERR_INVALID_PARAMETER = -8001,
	DCMI_ERR_OPER_NOT_PERMITTED = -8002,
	DCMI_ERR_MEM_OPERATE_FAIL = -8003,
	DCMI_ERR_SECURE_FUN_FAIL = -8004,
	DCMI_ERR_INNER_ERR = -8005,
	DCMI_ERR_TIME_OUT = -8006,
	DCMI_ERR_INVALID_DEVICE_ID = -8007,
	DCMI_ERR_DEVICE_NOT_EXIST = -8008,
	DCMI_ERR_IOCTL_FAIL = -8009,
	DCMI_ERR_SEND_MSG_FAIL = -8010,
	DCMI_ERR_RECV_MSG_FAIL = -8011,
	DCMI_ERR_NOT_READY = -8012,
	DCMI_ERR_NOT_SUPPORT_IN_CONTAINER = -8013,
	DCMI_ERR_FILE_OPERATE_FAIL = -8014,
	DCMI_ERR_RESET_FAIL = -8015,
	DCMI_ERR_ABORT_OPERATE = -8016,
	DCMI_ERR_IS_UPGRADING = -8017,
	DCMI_ERR_RESOURCE_OCCUPIED = -8020,
	DCMI_ERR_PARTITION_NOT_RIGHT = -8022,
	DCMI_ERR_CONFIG_INFO_NOT_EXIST = -8023,
	DCMI_ERR_NOT_SUPPORT = -8255,
};

#define DCMI_MAX_CARDS 64            /* MAX_CARD_NUM: cards one host holds */
#define DCMI_MAX_CHIPS_PER_CARD 4    /* HiAIMaxDeviceNum (mind-cluster) */
#define DCMI_MAX_CHIP_NAME_LEN 32
#define DCMI_ELABEL_LEN 256
#define DCMI_DIE_ID_COUNT 5
#define DCMI_ERROR_CODE_MAX 128      /* "错误码数量，取值范围：0~128" */
#define DCMI_ERROR_INFO_LEN 48       /* dcmi_get_device_errorcode_string's buffer */
#define DCMI_MAX_PROCESSES 32        /* "进程个数，最多32个" */
#define DCMI_VERSION_LEN 64          /* driver version: "大小为64Byte" */
#define DCMI_VDEV_MAX 32             /* DCMI_SOC_SPLIT_MAX */
#define DCMI_VDEV_RES_NAME_LEN 16
#define DCMI_VDEV_FOR_RESERVE 32
#define DCMI_VDEV_SIZE 20

/* dcmi_get_device_health: the device's overall health. */
#define DCMI_HEALTH_OK 0u
#define DCMI_HEALTH_MINOR 1u         /* 一般告警, npu-smi "Warning" */
#define DCMI_HEALTH_MAJOR 2u         /* 重要告警, "Alarm" */
#define DCMI_HEALTH_CRITICAL 3u      /* 紧急告警, "Critical" */
#define DCMI_HEALTH_ABSENT 0xffffffffu /* 该设备不存在, "UNKNOWN" */

/* enum dcmi_freq_type */
enum { DCMI_FREQ_DDR = 1, DCMI_FREQ_CTRLCPU = 2, DCMI_FREQ_HBM = 6, DCMI_FREQ_AICORE_CURRENT = 7,
       DCMI_FREQ_AICORE_MAX = 9, DCMI_FREQ_VECTORCORE_CURRENT = 12 };
/* enum dcmi_device_type (ECC) */
enum { DCMI_DEVICE_TYPE_DDR = 0, DCMI_DEVICE_TYPE_SRAM = 1, DCMI_DEVICE_TYPE_HBM = 2, DCMI_DEVICE_TYPE_NPU = 3 };
/* dcmi_get_device_utilization_rate's input_type */
enum { DCMI_UTILIZATION_AICORE = 2, DCMI_UTILIZATION_NPU = 13 };
/* enum dcmi_port_type, enum dcmi_ip_addr_type, enum dcmi_die_type */
enum { DCMI_VNIC_PORT = 0, DCMI_ROCE_PORT = 1 };
enum { DCMI_IPADDR_TYPE_V4 = 0, DCMI_IPADDR_TYPE_V6 = 1 };
enum { DCMI_NDIE = 0, DCMI_VDIE = 1 };
/* enum dcmi_rdfx_detect_result: the NPU's RoCE network probe. */
enum { DCMI_RDFX_DETECT_OK = 0, DCMI_RDFX_DETECT_SOCK_FAIL = 1, DCMI_RDFX_DETECT_RECV_TIMEOUT = 2,
       DCMI_RDFX_DETECT_UNREACH = 3, DCMI_RDFX_DETECT_TIME_EXCEEDED = 4, DCMI_RDFX_DETECT_FAULT = 5,
       DCMI_RDFX_DETECT_INIT = 6, DCMI_RDFX_DETECT_THREAD_ERR = 7, DCMI_RDFX_DETECT_IP_SET = 8 };
/* dcmi_get_device_info: enum dcmi_main_cmd DCMI_MAIN_CMD_VDEV_MNG and its
 * sub commands (mind-cluster constants.go: VmngSubCmd*). */
enum { DCMI_MAIN_CMD_VDEV_MNG = 52 };
enum { DCMI_VMNG_SUB_CMD_GET_VDEV_RESOURCE = 0, DCMI_VMNG_SUB_CMD_GET_TOTAL_RESOURCE = 1 };

struct dcmi_chip_info {
	unsigned char chip_type[DCMI_MAX_CHIP_NAME_LEN];
	unsigned char chip_name[DCMI_MAX_CHIP_NAME_LEN];
	unsigned char chip_ver[DCMI_MAX_CHIP_NAME_LEN];
	unsigned int aicore_cnt;
};

struct dcmi_chip_info_v2 {
	unsigned char chip_type[DCMI_MAX_CHIP_NAME_LEN];
	unsigned char chip_name[DCMI_MAX_CHIP_NAME_LEN];
	unsigned char chip_ver[DCMI_MAX_CHIP_NAME_LEN];
	unsigned int aicore_cnt;
	unsigned char npu_name[DCMI_MAX_CHIP_NAME_LEN];
};

/* dcmi_get_device_pcie_info_v2 */
struct dcmi_pcie_info_all {
	unsigned int venderid;
	unsigned int subvenderid;
	unsigned int deviceid;
	unsigned int subdeviceid;
	int domain;
	unsigned int bdf_busid;
	unsigned int bdf_deviceid;
	unsigned int bdf_funcid;
	unsigned char reserve[32];
};

/* dcmi_get_device_pcie_info (no domain: the first PCI domain) */
struct dcmi_pcie_info {
	unsigned int deviceid;
	unsigned int venderid;
	unsigned int subvenderid;
	unsigned int subdeviceid;
	unsigned int bdf_deviceid;
	unsigned int bdf_busid;
	unsigned int bdf_funcid;
};

/* dcmi_get_device_ecc_info. Releases before the last two members wrote the
 * first seven only; chipaudit fills those two with DCMI_ECC_UNSET first, so
 * a library that did not write them is told apart from one that wrote 0. */
struct dcmi_ecc_info {
	int enable_flag;
	unsigned int single_bit_error_cnt;          /* since the system started */
	unsigned int double_bit_error_cnt;          /* since the system started */
	unsigned int total_single_bit_error_cnt;    /* over the device's life */
	unsigned int total_double_bit_error_cnt;
	unsigned int single_bit_isolated_pages_cnt;
	unsigned int double_bit_isolated_pages_cnt;
	unsigned int single_bit_next_isolated_pages_cnt;
	unsigned int double_bit_next_isolated_pages_cnt;
};
#define DCMI_ECC_UNSET 0xffffffffu

struct dcmi_elabel_info {
	char product_name[DCMI_ELABEL_LEN];
	char model[DCMI_ELABEL_LEN];
	char manufacturer[DCMI_ELABEL_LEN];
	char manufacturer_date[DCMI_ELABEL_LEN];
	char serial_number[DCMI_ELABEL_LEN];
};

struct dcmi_die_id {
	unsigned int soc_die[DCMI_DIE_ID_COUNT];
};

struct dcmi_aicore_info {
	unsigned int freq;       /* rated, MHz */
	unsigned int cur_freq;   /* current, MHz */
};

struct dcmi_multi_utilization_info {
	unsigned int aic_util;
	unsigned int aiv_util;
	unsigned int aicore_util;
	unsigned int npu_util;
	unsigned int reserved[8];
};

struct dcmi_proc_mem_info {
	int proc_id;                   /* the host's process id */
	unsigned long proc_mem_usage;  /* bytes */
};

struct dcmi_ip_addr {
	union {
		unsigned char ip6[16];
		unsigned char ip4[4];
	} u_addr;
	int ip_type;                   /* enum dcmi_ip_addr_type */
};

/* The virtual NPU (vNPU) resources, DCMI_MAIN_CMD_VDEV_MNG. */
struct dcmi_base_resource {
	unsigned long long token;
	unsigned long long token_max;
	unsigned long long task_timeout;
	unsigned int vfg_id;
	unsigned char vip_mode;
	unsigned char reserved[DCMI_VDEV_FOR_RESERVE - 1];
};

struct dcmi_computing_resource {
	float aic;
	float aiv;
	unsigned short dsa, rtsq, acsq, cdqm, c_core, ffts, sdma, pcie_dma;
	unsigned long long memory_size;
	unsigned int event_id, notify_id, stream_id, model_id;
	unsigned short topic_schedule_aicpu, host_ctrl_cpu, host_aicpu, device_aicpu, topic_ctrl_cpu_slot;
	unsigned int vdev_aicore_utilization;
	unsigned long long vdev_memory_total;
	unsigned long long vdev_memory_free;
	unsigned char reserved[DCMI_VDEV_FOR_RESERVE - DCMI_VDEV_SIZE];
};

struct dcmi_media_resource {
	float jpegd, jpege, vpc, vdec, pngd, venc;
	unsigned char reserved[DCMI_VDEV_FOR_RESERVE];
};

struct dcmi_vdev_query_info {
	char name[DCMI_VDEV_RES_NAME_LEN];   /* the template: "vir02", ... */
	unsigned int status;
	unsigned int is_container_used;
	unsigned int vfid;
	unsigned int vfg_id;
	unsigned long long container_id;
	struct dcmi_base_resource base;
	struct dcmi_computing_resource computing;
	struct dcmi_media_resource media;
};

struct dcmi_vdev_query_stru {
	unsigned int vdev_id;                /* in */
	struct dcmi_vdev_query_info query_info;
};

struct dcmi_soc_total_resource {
	unsigned int vdev_num;
	unsigned int vdev_id[DCMI_VDEV_MAX];
	unsigned int vfg_num;
	unsigned int vfg_bitmap;
	struct dcmi_base_resource base;
	struct dcmi_computing_resource computing;
	struct dcmi_media_resource media;
};

/* Layouts on LP64 (the only ABI the Ascend driver ships for: aarch64 and
 * x86_64). The sizes the header states in comments are pinned as stated. */
_Static_assert(sizeof(struct dcmi_chip_info) == 100, "dcmi_chip_info layout");
_Static_assert(sizeof(struct dcmi_chip_info_v2) == 132, "dcmi_chip_info_v2 layout");
_Static_assert(sizeof(struct dcmi_pcie_info_all) == 64, "dcmi_pcie_info_all: 'the size of dcmi_pcie_info_all is 64'");
_Static_assert(sizeof(struct dcmi_pcie_info) == 28, "dcmi_pcie_info layout");
_Static_assert(sizeof(struct dcmi_ecc_info) == 36, "dcmi_ecc_info layout");
_Static_assert(sizeof(struct dcmi_elabel_info) == 5 * 256, "dcmi_elabel_info layout");
_Static_assert(sizeof(struct dcmi_die_id) == 20, "dcmi_die_id layout");
_Static_assert(sizeof(struct dcmi_aicore_info) == 8, "dcmi_aicore_info layout");
_Static_assert(sizeof(struct dcmi_multi_utilization_info) == 48, "dcmi_multi_utilization_info layout");
_Static_assert(sizeof(struct dcmi_proc_mem_info) == 16, "dcmi_proc_mem_info layout (LP64)");
_Static_assert(sizeof(struct dcmi_ip_addr) == 20, "dcmi_ip_addr layout");
_Static_assert(sizeof(struct dcmi_base_resource) == 64, "dcmi_base_resource layout");
_Static_assert(sizeof(struct dcmi_computing_resource) == 96, "dcmi_computing_resource layout");
_Static_assert(sizeof(struct dcmi_media_resource) == 56, "dcmi_media_resource layout");
_Static_assert(sizeof(struct dcmi_vdev_query_stru) == 264, "dcmi_vdev_query_stru layout");
_Static_assert(sizeof(struct dcmi_soc_total_resource) == 360, "dcmi_soc_total_resource layout");

#endif
