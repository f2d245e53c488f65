/* Huawei Ascend backend: DCMI (libdcmi.so, the Ascend driver's management
 * library), loaded at run time.
 *
 * Our own declarations (dcmi_api.h), no Ascend header. Each entry point is
 * looked up by its newest name first, then the older ones
 * (dcmi_get_device_pcie_info_v2, then dcmi_get_device_pcie_info). DCMI
 * numbers devices by card (an NPU ID, as npu-smi's -i) and chip within the
 * card (npu-smi's -c). Only dcmi_init and the card and chip lists are
 * required; every other function is optional: a missing function, an old
 * driver or an error return makes that member null with the reason
 * (dcmi_facts.h), never a failure of the audit.
 *
 * The library can be named with --vendor-library dcmi=PATH or
 * CHIPAUDIT_DCMI_LIBRARY (the test suite points it at tests/fake-dcmi). */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/util.h"
#include "vendor/dcmi_api.h"
#include "vendor/dcmi_facts.h"
#include "vendor/dcmi_runtime.h"
#include "vendor/vendor.h"

struct dcmi_lib {
	void *dl;
	int (*init)(void);
	int (*card_list)(int *, int *, int);
	int (*id_in_card)(int, int *, int *, int *);
	int (*num_in_card)(int, int *);
	int (*logic_id)(int *, int, int);
	int (*pcie_v2)(int, int, struct dcmi_pcie_info_all *);
	int (*pcie_v1)(int, int, struct dcmi_pcie_info *);
	int (*chip_v2)(int, int, struct dcmi_chip_info_v2 *);
	int (*chip_v1)(int, int, struct dcmi_chip_info *);
	int (*elabel_device)(int, int, struct dcmi_elabel_info *);
	int (*elabel_card)(int, struct dcmi_elabel_info *);
	int (*die)(int, int, int, struct dcmi_die_id *);
	int (*health)(int, int, unsigned *);
	int (*errorcode_v2)(int, int, int *, unsigned *, unsigned);
	int (*errorcode_v1)(int, int, int *, unsigned *, int *);
	int (*errorcode_string)(int, int, unsigned, unsigned char *, int);
	int (*power)(int, int, int *);
	int (*temperature)(int, int, int *);
	int (*frequency)(int, int, int, unsigned *);
	int (*aicore_info)(int, int, struct dcmi_aicore_info *);
	int (*ecc)(int, int, int, struct dcmi_ecc_info *);
	int (*multi_util)(int, int, struct dcmi_multi_utilization_info *);
	int (*util)(int, int, int, unsigned *);
	int (*processes)(int, int, struct dcmi_proc_mem_info *, int *);
	int (*network_health)(int, int, int *);
	int (*device_ip)(int, int, int, int, struct dcmi_ip_addr *, struct dcmi_ip_addr *);
	int (*device_info)(int, int, int, unsigned, void *, unsigned *);
	int (*driver_version)(char *, unsigned);
	int (*version)(int, int, char *, unsigned, int *);
	int (*dcmi_version)(char *, unsigned);
};

struct symbol {
	size_t offset;
	bool required;
	const char *names[3];      /* newest first */
};

#define SYM(member, req, ...) { offsetof(struct dcmi_lib, member), req, { __VA_ARGS__ } }
static const struct symbol symbols[] = {
	SYM(init, true, "dcmi_init"),
	/* the same prototype under its older name */
	SYM(card_list, true, "dcmi_get_card_list", "dcmi_get_card_num_list"),
	SYM(id_in_card, false, "dcmi_get_device_id_in_card"),
	SYM(num_in_card, false, "dcmi_get_device_num_in_card"),
	SYM(logic_id, false, "dcmi_get_device_logic_id"),
	SYM(pcie_v2, false, "dcmi_get_device_pcie_info_v2"),
	SYM(pcie_v1, false, "dcmi_get_device_pcie_info"),
	SYM(chip_v2, false, "dcmi_get_device_chip_info_v2"),
	SYM(chip_v1, false, "dcmi_get_device_chip_info"),
	SYM(elabel_device, false, "dcmi_get_device_elabel_info"),
	SYM(elabel_card, false, "dcmi_get_card_elabel_v2"),
	SYM(die, false, "dcmi_get_device_die_v2"),
	SYM(health, false, "dcmi_get_device_health"),
	SYM(errorcode_v2, false, "dcmi_get_device_errorcode_v2"),
	SYM(errorcode_v1, false, "dcmi_get_device_errorcode"),
	SYM(errorcode_string, false, "dcmi_get_device_errorcode_string"),
	SYM(power, false, "dcmi_get_device_power_info"),
	SYM(temperature, false, "dcmi_get_device_temperature"),
	SYM(frequency, false, "dcmi_get_device_frequency"),
	SYM(aicore_info, false, "dcmi_get_device_aicore_info"),
	SYM(ecc, false, "dcmi_get_device_ecc_info"),
	SYM(multi_util, false, "dcmi_get_device_multi_utilization_rate"),
	SYM(util, false, "dcmi_get_device_utilization_rate"),
	SYM(processes, false, "dcmi_get_device_resource_info"),
	SYM(network_health, false, "dcmi_get_device_network_health"),
	SYM(device_ip, false, "dcmi_get_device_ip"),
	SYM(device_info, false, "dcmi_get_device_info"),
	SYM(driver_version, false, "dcmi_get_driver_version"),
	SYM(version, false, "dcmi_get_version"),
	SYM(dcmi_version, false, "dcmi_get_dcmi_version"),
};

#define MISSING "function not in this DCMI (older driver)"

/* Our own wording of DCMI's return codes (the reference's table), stable
 * across driver releases. */
static const char *error_text(int rc, char *buf, size_t len)
{
	static const struct { int rc; const char *text; } texts[] = {
		{ DCMI_ERR_INVALID_PARAMETER, "invalid parameter" },
		{ DCMI_ERR_OPER_NOT_PERMITTED, "no permission (run as root)" },
		{ DCMI_ERR_MEM_OPERATE_FAIL, "memory operation failed" },
		{ DCMI_ERR_SECURE_FUN_FAIL, "security function failed" },
		{ DCMI_ERR_INNER_ERR, "internal error" },
		{ DCMI_ERR_TIME_OUT, "timed out" },
		{ DCMI_ERR_INVALID_DEVICE_ID, "invalid device id" },
		{ DCMI_ERR_DEVICE_NOT_EXIST, "the device does not exist" },
		{ DCMI_ERR_IOCTL_FAIL, "ioctl failed" },
		{ DCMI_ERR_SEND_MSG_FAIL, "message to the device not sent" },
		{ DCMI_ERR_RECV_MSG_FAIL, "no message from the device" },
		{ DCMI_ERR_NOT_READY, "not ready" },
		{ DCMI_ERR_NOT_SUPPORT_IN_CONTAINER, "not supported in a container" },
		{ DCMI_ERR_FILE_OPERATE_FAIL, "file operation failed" },
		{ DCMI_ERR_RESET_FAIL, "reset failed" },
		{ DCMI_ERR_ABORT_OPERATE, "reset cancelled" },
		{ DCMI_ERR_IS_UPGRADING, "firmware upgrade in progress" },
		{ DCMI_ERR_RESOURCE_OCCUPIED, "device resources occupied" },
		{ DCMI_ERR_PARTITION_NOT_RIGHT, "inconsistent partitions" },
		{ DCMI_ERR_CONFIG_INFO_NOT_EXIST, "configuration not found" },
		{ DCMI_ERR_NOT_SUPPORT, "not supported by this NPU or driver" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(texts); i++)
		if (texts[i].rc == rc)
			return texts[i].text;
	snprintf(buf, len, "DCMI error %d", rc);
	return buf;
}

/* Look every symbol up; a required one missing is the error returned. */
static const char *resolve(struct dcmi_lib *lib, json_t *missing)
{
	for (size_t i = 0; i < ARRAY_SIZE(symbols); i++) {
		const struct symbol *s = &symbols[i];
		void *sym = NULL;
		size_t n;
		for (n = 0; n < ARRAY_SIZE(s->names) && s->names[n]; n++)
			if ((sym = dlsym(lib->dl, s->names[n])) != NULL)
				break;
		if (sym == NULL) {
			if (s->required)
				return s->names[0];
			json_array_append_new(missing, json_string(s->names[0]));
			continue;
		}
		/* POSIX: a data pointer from dlsym converts to a function pointer. */
		memcpy((char *)lib + s->offset, &sym, sizeof(sym));
	}
	if (lib->id_in_card == NULL && lib->num_in_card == NULL)
		return "dcmi_get_device_id_in_card";
	return NULL;
}

struct dev {
	struct dcmi_lib *lib;
	int card, chip;
	json_t *obj;
	bool lost;
};

/* The outcome of one call for PATH: true when it succeeded; otherwise the
 * member is null with the reason. */
static bool ok(struct dev *d, const char *path, int rc)
{
	char buf[32];

	if (rc == DCMI_OK)
		return true;
	if (rc == DCMI_ERR_DEVICE_NOT_EXIST)
		d->lost = true;
	df_unavailable(d->obj, path, error_text(rc, buf, sizeof(buf)));
	return false;
}

static bool have(struct dev *d, bool present, const char *path)
{
	if (!present)
		df_unavailable(d->obj, path, MISSING);
	return present;
}

#define CALL(d, fn, path, ...) (have(d, (d)->lib->fn != NULL, path) && ok(d, path, (d)->lib->fn(__VA_ARGS__)))

/* Null PATHS (NULL-terminated) with the reason FROM has. */
static void same_reason(json_t *obj, const char *from, const char *const *paths)
{
	for (; *paths; paths++)
		df_unavailable(obj, *paths, df_why(obj, from));
}

static void set_hex4(json_t *obj, const char *path, unsigned v)
{
	char buf[16];

	if (v > 0xffff) {
		df_unavailable(obj, path, "malformed value from the library: not a 16-bit PCI ID");
		return;
	}
	snprintf(buf, sizeof(buf), "%04x", v);
	df_set_str(obj, path, buf);
}

static void add_pci_ids(json_t *obj, unsigned vendor, unsigned device, unsigned subvendor, unsigned subdevice)
{
	set_hex4(obj, "pci.vendor_id", vendor);
	set_hex4(obj, "pci.device_id", device);
	set_hex4(obj, "pci.subsystem_vendor_id", subvendor);
	set_hex4(obj, "pci.subsystem_device_id", subdevice);
}

static const char *const chip_paths[] = { "chip.type", "chip.name", "chip.version", "chip.aicore_count", NULL };

static void add_chip(struct dev *d)
{
	struct dcmi_chip_info_v2 v2;
	struct dcmi_chip_info v1;
	int rc;

	memset(&v2, 0, sizeof(v2));
	rc = d->lib->chip_v2 ? d->lib->chip_v2(d->card, d->chip, &v2) : DCMI_ERR_NOT_SUPPORT;
	if (rc == DCMI_ERR_DEVICE_NOT_EXIST)
		d->lost = true;
	if (rc == DCMI_OK) {
		df_set_buffer(d->obj, "chip.type", v2.chip_type, sizeof(v2.chip_type));
		df_set_buffer(d->obj, "chip.name", v2.chip_name, sizeof(v2.chip_name));
		df_set_buffer(d->obj, "chip.version", v2.chip_ver, sizeof(v2.chip_ver));
		df_set_buffer(d->obj, "chip.npu_name", v2.npu_name, sizeof(v2.npu_name));
		df_set_int(d->obj, "chip.aicore_count", v2.aicore_cnt);
		df_set_str(d->obj, "chip.api", "chip_info_v2");
		return;
	}
	/* an older driver, or a chip the second version does not describe */
	memset(&v1, 0, sizeof(v1));
	if (!CALL(d, chip_v1, "chip.name", d->card, d->chip, &v1)) {
		same_reason(d->obj, "chip.name", chip_paths);
		df_unavailable(d->obj, "chip.npu_name", df_why(d->obj, "chip.name"));
		return;
	}
	df_set_buffer(d->obj, "chip.type", v1.chip_type, sizeof(v1.chip_type));
	df_set_buffer(d->obj, "chip.name", v1.chip_name, sizeof(v1.chip_name));
	df_set_buffer(d->obj, "chip.version", v1.chip_ver, sizeof(v1.chip_ver));
	df_set_int(d->obj, "chip.aicore_count", v1.aicore_cnt);
	df_unavailable(d->obj, "chip.npu_name", d->lib->chip_v2 ? "not given by dcmi_get_device_chip_info" : MISSING);
	df_set_str(d->obj, "chip.api", "chip_info");
}

static const char *const elabel_paths[] = { "elabel.product_name", "elabel.model", "elabel.manufacturer",
					    "elabel.serial_number", "elabel.source", NULL };

/* The electronic label (serial number): the chip's own, else its card's. */
static void add_elabel(struct dev *d)
{
	struct dcmi_elabel_info *e = xcalloc(1, sizeof(*e));
	const char *source = "device";
	int rc = d->lib->elabel_device ? d->lib->elabel_device(d->card, d->chip, e) : DCMI_ERR_NOT_SUPPORT;

	if (rc == DCMI_ERR_DEVICE_NOT_EXIST)
		d->lost = true;
	if (rc != DCMI_OK) {
		memset(e, 0, sizeof(*e));
		source = "card";
		if (!CALL(d, elabel_card, "elabel.serial_number", d->card, e)) {
			same_reason(d->obj, "elabel.serial_number", elabel_paths);
			free(e);
			return;
		}
	}
	df_set_buffer(d->obj, "elabel.product_name", e->product_name, sizeof(e->product_name));
	df_set_buffer(d->obj, "elabel.model", e->model, sizeof(e->model));
	df_set_buffer(d->obj, "elabel.manufacturer", e->manufacturer, sizeof(e->manufacturer));
	df_set_buffer(d->obj, "elabel.serial_number", e->serial_number, sizeof(e->serial_number));
	df_set_str(d->obj, "elabel.source", source);
	free(e);
}

/* The VDie ID, which Huawei's tools use as the chip's unique id: five 32-bit
 * words, "3E22C8A4-...", as mind-cluster formats it. */
static void add_die_id(struct dev *d)
{
	struct dcmi_die_id die;
	char buf[48];

	memset(&die, 0, sizeof(die));
	if (!CALL(d, die, "vdie_id", d->card, d->chip, DCMI_VDIE, &die))
		return;
	snprintf(buf, sizeof(buf), "%08X-%08X-%08X-%08X-%08X", die.soc_die[0], die.soc_die[1], die.soc_die[2],
		 die.soc_die[3], die.soc_die[4]);
	df_set_str(d->obj, "vdie_id", buf);
}

static void add_health(struct dev *d)
{
	unsigned health = 0;

	if (!CALL(d, health, "health", d->card, d->chip, &health))
		return;
	if (health == DCMI_HEALTH_ABSENT) {
		df_set_str(d->obj, "health", "absent");
		d->lost = true;
		return;
	}
	df_set_enum(d->obj, "health", dcmi_health_names, health);
}

/* The error text DCMI gives for CODE, when it gives one that reads. */
static json_t *error_code_item(struct dev *d, unsigned code)
{
	unsigned char text[DCMI_ERROR_INFO_LEN + 1];

	memset(text, 0, sizeof(text));
	if (d->lib->errorcode_string &&
	    d->lib->errorcode_string(d->card, d->chip, code, text, DCMI_ERROR_INFO_LEN) == DCMI_OK &&
	    memchr(text, '\0', DCMI_ERROR_INFO_LEN) && str_is_printable((char *)text))
		return json_pack("{s:I, s:s}", "code", (json_int_t)code, "text", (char *)text);
	return json_pack("{s:I, s:n}", "code", (json_int_t)code, "text");
}

static void add_error_codes(struct dev *d)
{
	unsigned codes[DCMI_ERROR_CODE_MAX];
	int count = 0, width = 0, rc;
	const char *api = "errorcode_v2";
	char why[64];
	json_t *list;

	memset(codes, 0, sizeof(codes));
	if (d->lib->errorcode_v2) {
		rc = d->lib->errorcode_v2(d->card, d->chip, &count, codes, DCMI_ERROR_CODE_MAX);
	} else if (d->lib->errorcode_v1) {
		rc = d->lib->errorcode_v1(d->card, d->chip, &count, codes, &width);
		api = "errorcode";
	} else {
		have(d, false, "error_codes");
		return;
	}
	if (!ok(d, "error_codes", rc))
		return;
	if (count < 0 || count > DCMI_ERROR_CODE_MAX) {
		snprintf(why, sizeof(why), "error count %d out of range [0, %d]", count, DCMI_ERROR_CODE_MAX);
		df_unavailable(d->obj, "error_codes", why);
		return;
	}
	list = json_array();
	for (int i = 0; i < count; i++)
		json_array_append_new(list, error_code_item(d, codes[i]));
	df_set_json(d->obj, "error_codes", list);
	df_set_str(d->obj, "error_codes_api", api);
}

static void add_power_and_temperature(struct dev *d)
{
	int v = 0;

	/* tenths of a watt */
	if (CALL(d, power, "power_mw.draw", d->card, d->chip, &v))
		df_set_int(d->obj, "power_mw.draw", (long long)v * 100);
	if (CALL(d, temperature, "temperature_c", d->card, d->chip, &v))
		df_set_int(d->obj, "temperature_c", v);
}

static void add_clocks(struct dev *d)
{
	static const struct { int type; const char *path; } domains[] = {
		{ DCMI_FREQ_AICORE_CURRENT, "clocks_mhz.aicore.current" },
		{ DCMI_FREQ_AICORE_MAX, "clocks_mhz.aicore.rated" },
		{ DCMI_FREQ_HBM, "clocks_mhz.hbm.current" },
	};
	struct dcmi_aicore_info ai;
	unsigned mhz;

	if (d->lib->frequency == NULL && d->lib->aicore_info) {
		memset(&ai, 0, sizeof(ai));
		if (CALL(d, aicore_info, "clocks_mhz.aicore.current", d->card, d->chip, &ai)) {
			df_set_int(d->obj, "clocks_mhz.aicore.current", ai.cur_freq);
			df_set_int(d->obj, "clocks_mhz.aicore.rated", ai.freq);
		} else {
			df_unavailable(d->obj, "clocks_mhz.aicore.rated", df_why(d->obj, "clocks_mhz.aicore.current"));
		}
		df_unavailable(d->obj, "clocks_mhz.hbm.current", MISSING);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(domains); i++)
		if (CALL(d, frequency, domains[i].path, d->card, d->chip, domains[i].type, &mhz))
			df_set_int(d->obj, domains[i].path, mhz);
}

static const char *const ecc_paths[] = {
	"ecc.memory", "ecc.enabled", "ecc.single_bit_errors", "ecc.double_bit_errors", "ecc.total_single_bit_errors",
	"ecc.total_double_bit_errors", "ecc.isolated_pages.single_bit", "ecc.isolated_pages.double_bit",
	"ecc.next_isolated_pages.single_bit", "ecc.next_isolated_pages.double_bit", NULL,
};

/* HBM ECC counters and isolated pages; memory that is not HBM (the 310P's
 * DDR) is asked for as DDR. */
static void add_ecc(struct dev *d)
{
	struct dcmi_ecc_info e;
	const char *memory = "hbm";
	int rc;

	memset(&e, 0, sizeof(e));
	e.single_bit_next_isolated_pages_cnt = e.double_bit_next_isolated_pages_cnt = DCMI_ECC_UNSET;
	if (!have(d, d->lib->ecc != NULL, "ecc.double_bit_errors")) {
		same_reason(d->obj, "ecc.double_bit_errors", ecc_paths);
		return;
	}
	rc = d->lib->ecc(d->card, d->chip, DCMI_DEVICE_TYPE_HBM, &e);
	if (rc == DCMI_ERR_NOT_SUPPORT) {
		memset(&e, 0, sizeof(e));
		e.single_bit_next_isolated_pages_cnt = e.double_bit_next_isolated_pages_cnt = DCMI_ECC_UNSET;
		rc = d->lib->ecc(d->card, d->chip, DCMI_DEVICE_TYPE_DDR, &e);
		memory = "ddr";
	}
	if (!ok(d, "ecc.double_bit_errors", rc)) {
		same_reason(d->obj, "ecc.double_bit_errors", ecc_paths);
		return;
	}
	df_set_str(d->obj, "ecc.memory", memory);
	if (e.enable_flag == 0 || e.enable_flag == 1) {
		df_set_bool(d->obj, "ecc.enabled", e.enable_flag == 1);
	} else {
		char why[64];
		snprintf(why, sizeof(why), "unknown value %d from the library", e.enable_flag);
		df_unavailable(d->obj, "ecc.enabled", why);
	}
	df_set_int(d->obj, "ecc.single_bit_errors", e.single_bit_error_cnt);
	df_set_int(d->obj, "ecc.double_bit_errors", e.double_bit_error_cnt);
	df_set_int(d->obj, "ecc.total_single_bit_errors", e.total_single_bit_error_cnt);
	df_set_int(d->obj, "ecc.total_double_bit_errors", e.total_double_bit_error_cnt);
	df_set_int(d->obj, "ecc.isolated_pages.single_bit", e.single_bit_isolated_pages_cnt);
	df_set_int(d->obj, "ecc.isolated_pages.double_bit", e.double_bit_isolated_pages_cnt);
	if (e.single_bit_next_isolated_pages_cnt == DCMI_ECC_UNSET || e.double_bit_next_isolated_pages_cnt == DCMI_ECC_UNSET) {
		const char *why = "not given by this DCMI (its ECC record ends before the pages to isolate next)";
		df_unavailable(d->obj, "ecc.next_isolated_pages.single_bit", why);
		df_unavailable(d->obj, "ecc.next_isolated_pages.double_bit", why);
		return;
	}
	df_set_int(d->obj, "ecc.next_isolated_pages.single_bit", e.single_bit_next_isolated_pages_cnt);
	df_set_int(d->obj, "ecc.next_isolated_pages.double_bit", e.double_bit_next_isolated_pages_cnt);
}

/* AI Core and NPU utilisation, and the cube and vector units' where the
 * newer call gives them. */
static void add_utilization(struct dev *d)
{
	struct dcmi_multi_utilization_info u;
	const char *why = MISSING;
	char buf[32];
	unsigned rate;
	int rc;

	memset(&u, 0, sizeof(u));
	if (d->lib->multi_util) {
		if ((rc = d->lib->multi_util(d->card, d->chip, &u)) == DCMI_OK) {
			df_set_int(d->obj, "utilization_pct.aicore", u.aicore_util);
			df_set_int(d->obj, "utilization_pct.npu", u.npu_util);
			df_set_int(d->obj, "utilization_pct.cube", u.aic_util);
			df_set_int(d->obj, "utilization_pct.vector", u.aiv_util);
			return;
		}
		if (rc == DCMI_ERR_DEVICE_NOT_EXIST)
			d->lost = true;
		why = error_text(rc, buf, sizeof(buf));
	}
	df_unavailable(d->obj, "utilization_pct.cube", why);
	df_unavailable(d->obj, "utilization_pct.vector", why);
	if (CALL(d, util, "utilization_pct.aicore", d->card, d->chip, DCMI_UTILIZATION_AICORE, &rate))
		df_set_int(d->obj, "utilization_pct.aicore", rate);
	if (CALL(d, util, "utilization_pct.npu", d->card, d->chip, DCMI_UTILIZATION_NPU, &rate))
		df_set_int(d->obj, "utilization_pct.npu", rate);
}

static void add_processes(struct dev *d)
{
	struct dcmi_proc_mem_info procs[DCMI_MAX_PROCESSES];
	int count = 0;
	char why[64];
	json_t *list;

	memset(procs, 0, sizeof(procs));
	if (!CALL(d, processes, "processes", d->card, d->chip, procs, &count))
		return;
	if (count < 0 || count > DCMI_MAX_PROCESSES) {
		snprintf(why, sizeof(why), "process count %d out of range [0, %d]", count, DCMI_MAX_PROCESSES);
		df_unavailable(d->obj, "processes", why);
		return;
	}
	list = json_array();
	for (int i = 0; i < count; i++) {
		if (procs[i].proc_id < 0 || procs[i].proc_id > 4194304 || procs[i].proc_mem_usage > (1UL << 52)) {
			json_decref(list);
			df_unavailable(d->obj, "processes", "malformed value from the library: a process id or size out of range");
			return;
		}
		json_array_append_new(list, json_pack("{s:i, s:I}", "pid", procs[i].proc_id, "memory_bytes",
						      (json_int_t)procs[i].proc_mem_usage));
	}
	df_set_json(d->obj, "processes", list);
}

/* The NPU's own RoCE port (the "NIC" on the chip): the driver's network probe
 * and the port's IPv4 address. A lost chip is not asked: the probe retries,
 * and blocks for long, after a card dropped. */
static void add_network(struct dev *d)
{
	struct dcmi_ip_addr ip, mask;
	int result = 0;
	char buf[16];

	if (d->lost) {
		df_unavailable(d->obj, "network.health", "not asked: the chip is lost");
		df_unavailable(d->obj, "network.roce_ipv4", "not asked: the chip is lost");
		return;
	}
	if (CALL(d, network_health, "network.health", d->card, d->chip, &result))
		df_set_enum(d->obj, "network.health", dcmi_network_names, result);
	memset(&ip, 0, sizeof(ip));
	memset(&mask, 0, sizeof(mask));
	ip.ip_type = DCMI_IPADDR_TYPE_V4;
	if (CALL(d, device_ip, "network.roce_ipv4", d->card, d->chip, DCMI_ROCE_PORT, 0, &ip, &mask)) {
		snprintf(buf, sizeof(buf), "%u.%u.%u.%u", ip.u_addr.ip4[0], ip.u_addr.ip4[1], ip.u_addr.ip4[2],
			 ip.u_addr.ip4[3]);
		df_set_str(d->obj, "network.roce_ipv4", buf);
	}
}

/* The virtual NPUs (vNPU) made on the chip and the template of each. */
static void add_vnpu(struct dev *d)
{
	struct dcmi_soc_total_resource *total = xcalloc(1, sizeof(*total));
	struct dcmi_vdev_query_stru *q = xcalloc(1, sizeof(*q));
	unsigned size = sizeof(*total);
	json_t *list;
	char why[64];

	if (!CALL(d, device_info, "vnpu.count", d->card, d->chip, DCMI_MAIN_CMD_VDEV_MNG,
		  DCMI_VMNG_SUB_CMD_GET_TOTAL_RESOURCE, total, &size)) {
		df_unavailable(d->obj, "vnpu.instances", df_why(d->obj, "vnpu.count"));
		goto out;
	}
	if (total->vdev_num > DCMI_VDEV_MAX) {
		snprintf(why, sizeof(why), "value %u out of range [0, %d]", total->vdev_num, DCMI_VDEV_MAX);
		df_unavailable(d->obj, "vnpu.count", why);
		df_unavailable(d->obj, "vnpu.instances", why);
		goto out;
	}
	df_set_int(d->obj, "vnpu.count", total->vdev_num);
	list = json_array();
	for (unsigned i = 0; i < total->vdev_num; i++) {
		memset(q, 0, sizeof(*q));
		q->vdev_id = total->vdev_id[i];
		size = sizeof(*q);
		if (!ok(d, "vnpu.instances", d->lib->device_info(d->card, d->chip, DCMI_MAIN_CMD_VDEV_MNG,
								 DCMI_VMNG_SUB_CMD_GET_VDEV_RESOURCE, q, &size))) {
			json_decref(list);
			goto out;
		}
		if (!memchr(q->query_info.name, '\0', sizeof(q->query_info.name)) || !str_is_printable(q->query_info.name)) {
			json_decref(list);
			df_unavailable(d->obj, "vnpu.instances", "malformed value from the library: a template name");
			goto out;
		}
		json_array_append_new(list, json_pack("{s:I, s:s}", "vnpu_id", (json_int_t)total->vdev_id[i], "template",
						      q->query_info.name));
	}
	df_set_json(d->obj, "vnpu.instances", list);
out:
	free(total);
	free(q);
}

static json_t *describe_device(struct dcmi_lib *lib, int index, int card, int chip, const char *address,
			       const unsigned ids[4], const char *pci_api)
{
	struct dev d = { .lib = lib, .card = card, .chip = chip, .obj = json_object() };
	int logic = 0;

	jset_int(d.obj, "index", index);
	jset_str(d.obj, "pci_address", address);
	df_set_int(d.obj, "card_id", card);
	df_set_int(d.obj, "chip_id", chip);
	if (CALL(&d, logic_id, "logic_id", &logic, card, chip))
		df_set_int(d.obj, "logic_id", logic);
	add_pci_ids(d.obj, ids[0], ids[1], ids[2], ids[3]);
	df_set_str(d.obj, "pci.api", pci_api);
	add_chip(&d);
	add_elabel(&d);
	add_die_id(&d);
	add_health(&d);
	add_error_codes(&d);
	add_power_and_temperature(&d);
	add_clocks(&d);
	add_ecc(&d);
	add_utilization(&d);
	add_processes(&d);
	add_vnpu(&d);
	add_network(&d);
	jset_bool(d.obj, "lost", d.lost);
	return d.obj;
}

/* A chip DCMI counts but cannot describe, with WHY. CARD and CHIP are
 * left out where unknown (negative). */
static void unreachable(json_t *section, int index, int card, int chip, const char *why)
{
	json_t *list = jarr(section, "unreachable_devices"), *item;

	if (list == NULL) {
		list = json_array();
		json_object_set_new(section, "unreachable_devices", list);
	}
	item = json_pack("{s:i}", "index", index);
	if (card >= 0)
		jset_int(item, "card_id", card);
	if (chip >= 0)
		jset_int(item, "chip_id", chip);
	json_object_set_new(item, "error", json_string_lossy(why));
	json_array_append_new(list, item);
}

/* The same for a call that answered RC. */
static void unreachable_rc(json_t *section, int index, int card, int chip, const char *what, int rc)
{
	char buf[32], *why = xasprintf("%s: %s", what, error_text(rc, buf, sizeof(buf)));

	unreachable(section, index, card, chip, why);
	free(why);
}

/* CARD's chip CHIP: its PCI address and IDs, newest call first. Returns the
 * call's code; *API names the call that answered. */
static int chip_pci(struct dcmi_lib *lib, int card, int chip, char *address, size_t len, unsigned ids[4],
		    const char **api)
{
	struct dcmi_pcie_info_all v2;
	struct dcmi_pcie_info v1;
	long domain;
	unsigned bus, dev, fn;
	int rc = DCMI_ERR_NOT_SUPPORT;

	memset(&v2, 0, sizeof(v2));
	memset(&v1, 0, sizeof(v1));
	if (lib->pcie_v2 && (rc = lib->pcie_v2(card, chip, &v2)) == DCMI_OK) {
		domain = v2.domain, bus = v2.bdf_busid, dev = v2.bdf_deviceid, fn = v2.bdf_funcid;
		ids[0] = v2.venderid, ids[1] = v2.deviceid, ids[2] = v2.subvenderid, ids[3] = v2.subdeviceid;
		*api = "pcie_info_v2";
	} else if (lib->pcie_v1 && (rc = lib->pcie_v1(card, chip, &v1)) == DCMI_OK) {
		domain = 0, bus = v1.bdf_busid, dev = v1.bdf_deviceid, fn = v1.bdf_funcid;
		ids[0] = v1.venderid, ids[1] = v1.deviceid, ids[2] = v1.subvenderid, ids[3] = v1.subdeviceid;
		*api = "pcie_info";
	} else {
		return lib->pcie_v2 || lib->pcie_v1 ? rc : 1;
	}
	if (domain < 0 || domain > 0xffff || bus > 0xff || dev > 0x1f || fn > 7)
		return 2;
	snprintf(address, len, "%04lx:%02x:%02x.%x", domain, bus, dev, fn);
	return DCMI_OK;
}

/* The chips of CARD: dcmi_get_device_id_in_card's device_id_max (the NPU
 * chips are 0 .. max-1), else the older count. */
static int chips_in_card(struct dcmi_lib *lib, int card, int *count)
{
	int mcu = -1, cpu = -1;

	if (lib->id_in_card)
		return lib->id_in_card(card, count, &mcu, &cpu);
	return lib->num_in_card(card, count);
}

static bool address_taken(const json_t *devices, const char *address)
{
	size_t i;
	json_t *other;

	json_array_foreach(devices, i, other)
		if (strcmp(jstr(other, "pci_address"), address) == 0)
			return true;
	return false;
}

static void add_chip_device(struct dcmi_lib *lib, json_t *section, json_t *devices, int *index, int card, int chip)
{
	char address[32];
	unsigned ids[4] = { 0 };
	const char *api = NULL;
	int rc = chip_pci(lib, card, chip, address, sizeof(address), ids, &api);

	if (rc == 1)
		unreachable(section, *index, card, chip, "no PCI address: " MISSING);
	else if (rc == 2)
		unreachable(section, *index, card, chip, "malformed PCI address from the library");
	else if (rc != DCMI_OK)
		unreachable_rc(section, *index, card, chip, "no PCI address", rc);
	else if (address_taken(devices, address))
		unreachable(section, *index, card, chip, "PCI address reported twice");
	else
		json_array_append_new(devices, describe_device(lib, *index, card, chip, address, ids, api));
	(*index)++;
}

static void add_devices(struct dcmi_lib *lib, json_t *section)
{
	json_t *devices = json_array();
	int cards[DCMI_MAX_CARDS], count = 0, index = 0, rc;
	char buf[32], why[64];

	json_object_set_new(section, "devices", devices);
	memset(cards, 0, sizeof(cards));
	rc = lib->card_list(&count, cards, DCMI_MAX_CARDS);
	if (rc != DCMI_OK) {
		df_unavailable(section, "card_count", error_text(rc, buf, sizeof(buf)));
		df_unavailable(section, "device_count", df_why(section, "card_count"));
		return;
	}
	if (count < 0 || count > DCMI_MAX_CARDS) {
		snprintf(why, sizeof(why), "card count %d out of range [0, %d]", count, DCMI_MAX_CARDS);
		df_unavailable(section, "card_count", why);
		df_unavailable(section, "device_count", why);
		return;
	}
	df_set_int(section, "card_count", count);
	for (int i = 0; i < count && index < DCMI_MAX_DEVICES; i++) {
		int chips = 0;
		if (cards[i] < 0) {
			unreachable(section, index++, -1, -1, "negative card id from the library");
			continue;
		}
		if ((rc = chips_in_card(lib, cards[i], &chips)) != DCMI_OK) {
			unreachable_rc(section, index++, cards[i], -1, "no chip count", rc);
			continue;
		}
		if (chips < 0 || chips > DCMI_MAX_CHIPS_PER_CARD) {
			snprintf(why, sizeof(why), "chip count %d out of range [0, %d]", chips, DCMI_MAX_CHIPS_PER_CARD);
			unreachable(section, index++, cards[i], -1, why);
			continue;
		}
		for (int c = 0; c < chips && index < DCMI_MAX_DEVICES; c++)
			add_chip_device(lib, section, devices, &index, cards[i], c);
	}
	df_set_int(section, "device_count", index);
}

static void sys_version(json_t *section, const char *path, bool present, int rc, const char *buf, size_t size)
{
	char why[32];

	if (!present)
		df_unavailable(section, path, MISSING);
	else if (rc != DCMI_OK)
		df_unavailable(section, path, error_text(rc, why, sizeof(why)));
	else
		df_set_buffer(section, path, buf, size);
}

/* The driver's and DCMI's versions. The driver's comes from the first chip
 * when the library has only the older, per-chip call. */
static void add_versions(struct dcmi_lib *lib, json_t *section)
{
	char buf[DCMI_VERSION_LEN + 1];
	const json_t *first = json_array_get(json_object_get(section, "devices"), 0);
	long long card, chip;
	int len = 0, rc = DCMI_ERR_NOT_SUPPORT;

	memset(buf, 0, sizeof(buf));
	if (lib->dcmi_version)
		rc = lib->dcmi_version(buf, DCMI_VERSION_LEN);
	sys_version(section, "dcmi_version", lib->dcmi_version != NULL, rc, buf, DCMI_VERSION_LEN);
	memset(buf, 0, sizeof(buf));
	if (lib->driver_version) {
		rc = lib->driver_version(buf, DCMI_VERSION_LEN);
		sys_version(section, "driver_version", true, rc, buf, DCMI_VERSION_LEN);
	} else if (lib->version && df_int(first, "card_id", &card) && df_int(first, "chip_id", &chip)) {
		rc = lib->version((int)card, (int)chip, buf, DCMI_VERSION_LEN, &len);
		sys_version(section, "driver_version", true, rc, buf, DCMI_VERSION_LEN);
	} else {
		df_unavailable(section, "driver_version", lib->version ? "no chip to ask (dcmi_get_version)" : MISSING);
	}
}

static json_t *unavailable_section(const char *library, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static json_t *unavailable_section(const char *library, const char *fmt, ...)
{
	json_t *s = json_object();
	va_list ap;
	char *reason;

	va_start(ap, fmt);
	reason = xvasprintf(fmt, ap);
	va_end(ap);
	jset_bool(s, "available", false);
	jset_str(s, "library", library);
	json_object_set_new(s, "reason", json_string_lossy(reason));
	json_object_set_new(s, "devices", json_array());
	free(reason);
	return s;
}

static json_t *dcmi_gather(const struct vendor_ctx *ctx)
{
	const char *env = getenv(dcmi_backend.library_env);
	const char *path = ctx && ctx->library ? ctx->library : (env && *env ? env : dcmi_backend.default_library);
	struct dcmi_lib lib;
	json_t *section, *missing, *devices;
	const char *absent;
	char why[32];
	int rc;

	memset(&lib, 0, sizeof(lib));
	lib.dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (lib.dl == NULL) {
		const char *e = dlerror();
		return unavailable_section(path, "%s", e ? e : "cannot be loaded");
	}
	missing = json_array();
	if ((absent = resolve(&lib, missing)) != NULL) {
		json_decref(missing);
		dlclose(lib.dl);
		return unavailable_section(path, "%s: not in the library (not DCMI, or too old)", absent);
	}
	if ((rc = lib.init()) != DCMI_OK) {
		json_decref(missing);
		dlclose(lib.dl);
		return unavailable_section(path, "dcmi_init: %s", error_text(rc, why, sizeof(why)));
	}
	section = json_object();
	jset_bool(section, "available", true);
	jset_str(section, "library", path);
	jset(section, "reason", NULL);
	json_object_set_new(section, "missing_functions", missing);
	add_devices(&lib, section);
	add_versions(&lib, section);
	dlclose(lib.dl);
	/* Devices last: the system members read first in the file. */
	devices = json_incref(json_object_get(section, "devices"));
	json_object_del(section, "devices");
	json_object_set_new(section, "devices", devices);
	return section;
}

const struct vendor_backend dcmi_backend = {
	.name = "dcmi",
	.vendor = "Huawei",
	.pci_vendor_id = 0x19e5,
	.default_library = "libdcmi.so",
	.library_env = "CHIPAUDIT_DCMI_LIBRARY",
	.capture_path = DCMI_CAPTURE_PATH,
	.gather = dcmi_gather,
	.validate_capture = dcmi_validate_capture,
	.validate_device = dcmi_validate_device,
	.validate_system = dcmi_validate_system,
	.describe = dcmi_describe,
	.evidence = dcmi_evidence,
	.remedies = dcmi_remedies,
	.unreachable_remedy = "Check `npu-smi info` (every NPU and chip with its Bus-Id) and the kernel log "
			      "(`dmesg -T | grep -i -e davinci -e devdrv`); `npu-smi info -t health -i ID -c CHIP` "
			      "shows a chip's health and error codes.",
	.power_limit_command = "npu-smi (no power-limit setting is documented for Ascend NPUs)",
	.kernel_driver = "devdrv_device_driver",
	.library_label = "DCMI",
	.device_noun = "NPU",
	.work_unit = "AscendCL context",
	.partitions_label = "vNPU",
};
