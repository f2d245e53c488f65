/* A fake libdcmi.so for the test suite, driven by a scenario file
 * (FAKE_DCMI_SCENARIO=tests/fake-dcmi/scenarios/NAME.json), as
 * tests/fake-nvml is for NVML. chipaudit loads it through its real dlopen
 * path (CHIPAUDIT_DCMI_LIBRARY or --vendor-library dcmi=PATH).
 *
 * Built twice: libfake-dcmi.so exports the calls of a current driver; with
 * -DFAKE_DCMI_OLD, libfake-dcmi-old.so exports only the older names and
 * layouts (dcmi_get_card_num_list, dcmi_get_device_pcie_info without the
 * domain, dcmi_get_device_chip_info, dcmi_get_device_errorcode, an ECC
 * record of seven members, ...), to prove the fallbacks.
 *
 * Scenario members: see tests/fake-dcmi/README.md. A member left out makes
 * its call answer -8255 (not supported). */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake-common/scenario.h"
#include "vendor/dcmi_api.h"

/* The exported functions are DCMI's API, declared in Huawei's
 * dcmi_interface_api.h, which this project does not have. */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"

#define EXPORT __attribute__((visibility("default")))
#define MAX_DEVICES 64

static json_t *scenario;
static json_t *devices[MAX_DEVICES];  /* with the scenario's "template" applied */
static size_t device_count;

static const struct { const char *name; int rc; } error_names[] = {
	{ "OK", DCMI_OK }, { "INVALID_PARAMETER", DCMI_ERR_INVALID_PARAMETER },
	{ "NO_PERMISSION", DCMI_ERR_OPER_NOT_PERMITTED }, { "INNER_ERR", DCMI_ERR_INNER_ERR },
	{ "TIME_OUT", DCMI_ERR_TIME_OUT }, { "INVALID_DEVICE_ID", DCMI_ERR_INVALID_DEVICE_ID },
	{ "DEVICE_NOT_EXIST", DCMI_ERR_DEVICE_NOT_EXIST }, { "NOT_READY", DCMI_ERR_NOT_READY },
	{ "NOT_SUPPORT_IN_CONTAINER", DCMI_ERR_NOT_SUPPORT_IN_CONTAINER }, { "NOT_SUPPORT", DCMI_ERR_NOT_SUPPORT },
	{ "WEIRD", -4242 },
};

static int error_code(const char *name)
{
	for (size_t i = 0; i < sizeof(error_names) / sizeof(error_names[0]); i++)
		if (name && strcmp(error_names[i].name, name) == 0)
			return error_names[i].rc;
	return DCMI_ERR_INNER_ERR;
}

/* DCMI has no call that ends a session: the fake lets its scenario go when
 * the library is closed, or LeakSanitizer counts it as leaked. */
__attribute__((destructor)) static void unload(void)
{
	for (size_t i = 0; i < device_count; i++)
		json_decref(devices[i]);
	device_count = 0;
	json_decref(scenario);
	scenario = NULL;
}

EXPORT int dcmi_init(void)
{
	const char *init_error;
	int rc;
	bool unset;

	if (scenario)
		return DCMI_OK;
	if ((scenario = fake_scenario_open("FAKE_DCMI_SCENARIO", "fake-dcmi", &unset)) == NULL)
		return DCMI_ERR_INNER_ERR;
	init_error = fake_scenario_init_error(scenario);
	if (init_error != NULL && (rc = error_code(init_error)) != DCMI_OK) {
		json_decref(scenario);   /* holds init_error: the code is taken first */
		scenario = NULL;
		return rc;
	}
	device_count = fake_scenario_devices(scenario, devices, MAX_DEVICES);
	return DCMI_OK;
}

/* The error system call FN is told to return, or DCMI_OK. */
static int sys_forced(const char *fn)
{
	const char *e = json_string_value(json_object_get(json_object_get(scenario, "errors"), fn));
	return e ? error_code(e) : DCMI_OK;
}

/* The device at CARD, CHIP: "card_id" and "chip_id" of each device (default: its
 * index, chip 0). */
static const json_t *device_at(int card, int chip)
{
	for (size_t i = 0; i < device_count; i++)
		if (fake_num(devices[i], "card_id", (long long)i) == card && fake_num(devices[i], "chip_id", 0) == chip)
			return devices[i];
	return NULL;
}

/* The error FN is told to return on D: errors[FN], or errors["*"] for every
 * call but the PCI information; DCMI_OK otherwise. */
static int forced(const json_t *d, const char *fn)
{
	const json_t *errors = json_object_get(d, "errors");
	const char *e = json_string_value(json_object_get(errors, fn));

	if (e == NULL && strncmp(fn, "dcmi_get_device_pcie_info", 25) != 0)
		e = json_string_value(json_object_get(errors, "*"));
	return e ? error_code(e) : DCMI_OK;
}

/* Look up the device, apply a forced error for FN, and the member KEY (not
 * supported when absent). */
#define BEGIN(card, chip, fn, key, member)                                   \
	const json_t *d_ = device_at(card, chip);                           \
	const json_t *member;                                                \
	int rc_;                                                             \
	if (scenario == NULL)                                                \
		return DCMI_ERR_NOT_READY;                                   \
	if (d_ == NULL)                                                      \
		return DCMI_ERR_INVALID_DEVICE_ID;                           \
	if ((rc_ = forced(d_, fn)) != DCMI_OK)                               \
		return rc_;                                                  \
	member = json_object_get(d_, key);                                   \
	if (member == NULL)                                                  \
		return DCMI_ERR_NOT_SUPPORT

/* Copy a string member into a buffer of LEN bytes; "unterminated_strings"
 * fills the whole buffer with no NUL. */
static void put_text(const json_t *d, const json_t *v, void *buf, size_t len)
{
	const char *s = json_string_value(v);

	memset(buf, 0, len);
	if (json_is_true(json_object_get(d, "unterminated_strings"))) {
		memset(buf, 'A', len);
		return;
	}
	if (s)
		snprintf(buf, len, "%s", s);
}

/* Cards: the distinct "card_id" of the devices, or "cards" when given. */
static int card_list(int *count, int *list, int len)
{
	const json_t *cards = json_object_get(scenario, "cards");
	int rc, n = 0;

	if (scenario == NULL)
		return DCMI_ERR_NOT_READY;
	if ((rc = sys_forced("dcmi_get_card_list")) != DCMI_OK)
		return rc;
	if (cards) {
		size_t i;
		json_t *c;
		json_array_foreach(cards, i, c)
			if (n < len)
				list[n++] = (int)json_integer_value(c);
		*count = (int)fake_num(scenario, "card_count", (long long)json_array_size(cards));
		return DCMI_OK;
	}
	for (size_t i = 0; i < device_count; i++) {
		int card = (int)fake_num(devices[i], "card_id", (long long)i);
		bool seen = false;
		for (int k = 0; k < n; k++)
			seen |= list[k] == card;
		if (!seen && n < len)
			list[n++] = card;
	}
	*count = (int)fake_num(scenario, "card_count", n);
	return DCMI_OK;
}

static int chips_of(int card, int *count)
{
	const json_t *counts = json_object_get(scenario, "chip_counts");
	char key[16];
	int rc, n = 0;

	if (scenario == NULL)
		return DCMI_ERR_NOT_READY;
	snprintf(key, sizeof(key), "%d", card);
	if ((rc = sys_forced("dcmi_get_device_id_in_card")) != DCMI_OK)
		return rc;
	if (json_object_get(json_object_get(scenario, "card_errors"), key))
		return error_code(json_string_value(json_object_get(json_object_get(scenario, "card_errors"), key)));
	for (size_t i = 0; i < device_count; i++)
		n += fake_num(devices[i], "card_id", (long long)i) == card;
	*count = (int)fake_num(counts, key, n);
	return DCMI_OK;
}

/* "pci": {"domain", "bus", "device", "function", "vendor_id": "19e5",
 * "device_id": "d802", "subsystem_vendor_id", "subsystem_device_id"}. */
static int pci_of(int card, int chip, const char *fn, unsigned ids[4], int *domain, unsigned bdf[3])
{
	BEGIN(card, chip, fn, "pci", p);
	ids[0] = fake_hex(p, "vendor_id");
	ids[1] = fake_hex(p, "device_id");
	ids[2] = fake_hex(p, "subsystem_vendor_id");
	ids[3] = fake_hex(p, "subsystem_device_id");
	*domain = (int)fake_num(p, "domain", 0);
	bdf[0] = (unsigned)fake_num(p, "bus", 0);
	bdf[1] = (unsigned)fake_num(p, "device", 0);
	bdf[2] = (unsigned)fake_num(p, "function", 0);
	return DCMI_OK;
}

/* "chip": {"type", "name", "version", "aicore", "npu_name"}. */
static int chip_of(int card, int chip, const char *fn, struct dcmi_chip_info *out, unsigned char *npu_name)
{
	BEGIN(card, chip, fn, "chip", c);
	put_text(d_, json_object_get(c, "type"), out->chip_type, sizeof(out->chip_type));
	put_text(d_, json_object_get(c, "name"), out->chip_name, sizeof(out->chip_name));
	put_text(d_, json_object_get(c, "version"), out->chip_ver, sizeof(out->chip_ver));
	out->aicore_cnt = (unsigned)fake_num(c, "aicore", 0);
	if (npu_name)
		put_text(d_, json_object_get(c, "npu_name"), npu_name, DCMI_MAX_CHIP_NAME_LEN);
	return DCMI_OK;
}

/* "elabel": {"product_name", "model", "manufacturer", "serial_number"}. */
static int elabel_of(int card, int chip, const char *fn, struct dcmi_elabel_info *e)
{
	BEGIN(card, chip, fn, "elabel", l);
	put_text(d_, json_object_get(l, "product_name"), e->product_name, sizeof(e->product_name));
	put_text(d_, json_object_get(l, "model"), e->model, sizeof(e->model));
	put_text(d_, json_object_get(l, "manufacturer"), e->manufacturer, sizeof(e->manufacturer));
	memset(e->manufacturer_date, 0, sizeof(e->manufacturer_date));
	put_text(d_, json_object_get(l, "serial_number"), e->serial_number, sizeof(e->serial_number));
	return DCMI_OK;
}

/* "error_codes": [{"code", "text"}]; "error_count" overrides the count. */
static int error_codes_of(int card, int chip, const char *fn, int *count, unsigned *list, unsigned len)
{
	size_t i;
	json_t *e;

	BEGIN(card, chip, fn, "error_codes", codes);
	json_array_foreach(codes, i, e)
		if (i < len)
			list[i] = (unsigned)fake_num(e, "code", 0);
	*count = (int)fake_num(d_, "error_count", (long long)json_array_size(codes));
	return DCMI_OK;
}

static int ecc_of(int card, int chip, int type, struct dcmi_ecc_info *e, bool with_next)
{
	BEGIN(card, chip, "dcmi_get_device_ecc_info", "ecc", x);
	if (type != (int)fake_num(x, "memory_type", DCMI_DEVICE_TYPE_HBM))
		return DCMI_ERR_NOT_SUPPORT;
	e->enable_flag = (int)fake_num(x, "enabled", 1);
	e->single_bit_error_cnt = (unsigned)fake_num(x, "sbe", 0);
	e->double_bit_error_cnt = (unsigned)fake_num(x, "dbe", 0);
	e->total_single_bit_error_cnt = (unsigned)fake_num(x, "total_sbe", 0);
	e->total_double_bit_error_cnt = (unsigned)fake_num(x, "total_dbe", 0);
	e->single_bit_isolated_pages_cnt = (unsigned)fake_num(x, "isolated_sbe", 0);
	e->double_bit_isolated_pages_cnt = (unsigned)fake_num(x, "isolated_dbe", 0);
	if (with_next) {
		e->single_bit_next_isolated_pages_cnt = (unsigned)fake_num(x, "next_sbe", 0);
		e->double_bit_next_isolated_pages_cnt = (unsigned)fake_num(x, "next_dbe", 0);
	}
	return DCMI_OK;
}

static int version_text(const char *key, const char *fn, char *buf, unsigned len)
{
	const char *s = json_string_value(json_object_get(scenario, key));
	int rc;

	if (scenario == NULL)
		return DCMI_ERR_NOT_READY;
	if ((rc = sys_forced(fn)) != DCMI_OK)
		return rc;
	if (s == NULL)
		return DCMI_ERR_NOT_SUPPORT;
	snprintf(buf, len, "%s", s);
	return DCMI_OK;
}

EXPORT int dcmi_get_device_num_in_card(int card, int *count)
{
	return chips_of(card, count);
}

EXPORT int dcmi_get_device_chip_info(int card, int chip, struct dcmi_chip_info *out)
{
	return chip_of(card, chip, "dcmi_get_device_chip_info", out, NULL);
}

EXPORT int dcmi_get_device_pcie_info(int card, int chip, struct dcmi_pcie_info *out)
{
	unsigned ids[4], bdf[3];
	int domain, rc = pci_of(card, chip, "dcmi_get_device_pcie_info", ids, &domain, bdf);

	if (rc != DCMI_OK)
		return rc;
	out->venderid = ids[0], out->deviceid = ids[1], out->subvenderid = ids[2], out->subdeviceid = ids[3];
	out->bdf_busid = bdf[0], out->bdf_deviceid = bdf[1], out->bdf_funcid = bdf[2];
	return DCMI_OK;
}

EXPORT int dcmi_get_card_elabel_v2(int card, struct dcmi_elabel_info *e)
{
	return elabel_of(card, 0, "dcmi_get_card_elabel_v2", e);
}

EXPORT int dcmi_get_device_health(int card, int chip, unsigned *health)
{
	BEGIN(card, chip, "dcmi_get_device_health", "health", h);
	*health = (unsigned)json_integer_value(h);
	return DCMI_OK;
}

EXPORT int dcmi_get_device_power_info(int card, int chip, int *power)
{
	BEGIN(card, chip, "dcmi_get_device_power_info", "power", p);
	*power = (int)json_integer_value(p);
	return DCMI_OK;
}

EXPORT int dcmi_get_device_temperature(int card, int chip, int *t)
{
	BEGIN(card, chip, "dcmi_get_device_temperature", "temperature", v);
	*t = (int)json_integer_value(v);
	return DCMI_OK;
}

EXPORT int dcmi_get_device_utilization_rate(int card, int chip, int type, unsigned *rate)
{
	BEGIN(card, chip, "dcmi_get_device_utilization_rate", "util", u);
	if (type == DCMI_UTILIZATION_AICORE)
		*rate = (unsigned)fake_num(u, "aicore", 0);
	else if (type == DCMI_UTILIZATION_NPU)
		*rate = (unsigned)fake_num(u, "npu", 0);
	else
		return DCMI_ERR_NOT_SUPPORT;
	return DCMI_OK;
}

EXPORT int dcmi_get_device_resource_info(int card, int chip, struct dcmi_proc_mem_info *procs, int *count)
{
	size_t i;
	json_t *p;

	BEGIN(card, chip, "dcmi_get_device_resource_info", "processes", list);
	json_array_foreach(list, i, p) {
		if (i >= DCMI_MAX_PROCESSES)
			break;
		procs[i].proc_id = (int)fake_num(p, "pid", 0);
		procs[i].proc_mem_usage = (unsigned long)fake_num(p, "memory", 0);
	}
	*count = (int)fake_num(d_, "process_count", (long long)json_array_size(list));
	return DCMI_OK;
}

EXPORT int dcmi_get_device_network_health(int card, int chip, int *result)
{
	BEGIN(card, chip, "dcmi_get_device_network_health", "network", n);
	*result = (int)json_integer_value(n);
	return DCMI_OK;
}

EXPORT int dcmi_get_device_ip(int card, int chip, int port_type, int port, struct dcmi_ip_addr *ip,
			      struct dcmi_ip_addr *mask)
{
	BEGIN(card, chip, "dcmi_get_device_ip", "roce_ip", a);
	if (port_type != DCMI_ROCE_PORT || port != 0 || ip->ip_type != DCMI_IPADDR_TYPE_V4)
		return DCMI_ERR_INVALID_PARAMETER;
	for (size_t i = 0; i < 4; i++)
		ip->u_addr.ip4[i] = (unsigned char)json_integer_value(json_array_get(a, i));
	memset(mask, 0, sizeof(*mask));
	return DCMI_OK;
}

EXPORT int dcmi_get_dcmi_version(char *buf, unsigned len)
{
	return version_text("dcmi_version", "dcmi_get_dcmi_version", buf, len);
}

/* vNPUs: "vnpu": [{"id", "template"}]; "vnpu_count" overrides the count. */
EXPORT int dcmi_get_device_info(int card, int chip, int main_cmd, unsigned sub_cmd, void *buf, unsigned *size)
{
	size_t i;
	json_t *v;

	BEGIN(card, chip, "dcmi_get_device_info", "vnpu", list);
	if (main_cmd != DCMI_MAIN_CMD_VDEV_MNG)
		return DCMI_ERR_NOT_SUPPORT;
	if (sub_cmd == DCMI_VMNG_SUB_CMD_GET_TOTAL_RESOURCE) {
		struct dcmi_soc_total_resource *t = buf;
		if (*size < sizeof(*t))
			return DCMI_ERR_INVALID_PARAMETER;
		memset(t, 0, sizeof(*t));
		json_array_foreach(list, i, v)
			if (i < DCMI_VDEV_MAX)
				t->vdev_id[i] = (unsigned)fake_num(v, "id", 0);
		t->vdev_num = (unsigned)fake_num(d_, "vnpu_count", (long long)json_array_size(list));
		return DCMI_OK;
	}
	if (sub_cmd == DCMI_VMNG_SUB_CMD_GET_VDEV_RESOURCE) {
		struct dcmi_vdev_query_stru *q = buf;
		if (*size < sizeof(*q))
			return DCMI_ERR_INVALID_PARAMETER;
		json_array_foreach(list, i, v) {
			if ((unsigned)fake_num(v, "id", 0) != q->vdev_id)
				continue;
			put_text(d_, json_object_get(v, "template"), q->query_info.name, sizeof(q->query_info.name));
			return DCMI_OK;
		}
		return DCMI_ERR_INVALID_DEVICE_ID;
	}
	return DCMI_ERR_NOT_SUPPORT;
}

#ifdef FAKE_DCMI_OLD

EXPORT int dcmi_get_card_num_list(int *count, int *list, int len)
{
	return card_list(count, list, len);
}

EXPORT int dcmi_get_device_errorcode(int card, int chip, int *count, unsigned *list, int *width)
{
	*width = 4;
	return error_codes_of(card, chip, "dcmi_get_device_errorcode", count, list, DCMI_ERROR_CODE_MAX);
}

EXPORT int dcmi_get_device_aicore_info(int card, int chip, struct dcmi_aicore_info *ai)
{
	BEGIN(card, chip, "dcmi_get_device_aicore_info", "freq", f);
	ai->cur_freq = (unsigned)fake_num(f, "aicore_current", 0);
	ai->freq = (unsigned)fake_num(f, "aicore_max", 0);
	return DCMI_OK;
}

/* The seven-member record of older drivers: nothing written past it. */
EXPORT int dcmi_get_device_ecc_info(int card, int chip, int type, struct dcmi_ecc_info *e)
{
	return ecc_of(card, chip, type, e, false);
}

EXPORT int dcmi_get_version(int card, int chip, char *buf, unsigned len, int *out_len)
{
	int rc;

	if (device_at(card, chip) == NULL)
		return DCMI_ERR_INVALID_DEVICE_ID;
	rc = version_text("driver_version", "dcmi_get_version", buf, len);
	if (rc == DCMI_OK)
		*out_len = (int)strlen(buf);
	return rc;
}

#else

EXPORT int dcmi_get_card_list(int *count, int *list, int len)
{
	return card_list(count, list, len);
}

EXPORT int dcmi_get_device_id_in_card(int card, int *device_id_max, int *mcu_id, int *cpu_id)
{
	*mcu_id = *cpu_id = -1;
	return chips_of(card, device_id_max);
}

EXPORT int dcmi_get_device_logic_id(int *logic, int card, int chip)
{
	BEGIN(card, chip, "dcmi_get_device_logic_id", "logic_id", l);
	*logic = (int)json_integer_value(l);
	return DCMI_OK;
}

EXPORT int dcmi_get_device_pcie_info_v2(int card, int chip, struct dcmi_pcie_info_all *out)
{
	unsigned ids[4], bdf[3];
	int domain, rc = pci_of(card, chip, "dcmi_get_device_pcie_info_v2", ids, &domain, bdf);

	if (rc != DCMI_OK)
		return rc;
	memset(out, 0, sizeof(*out));
	out->venderid = ids[0], out->deviceid = ids[1], out->subvenderid = ids[2], out->subdeviceid = ids[3];
	out->domain = domain, out->bdf_busid = bdf[0], out->bdf_deviceid = bdf[1], out->bdf_funcid = bdf[2];
	return DCMI_OK;
}

EXPORT int dcmi_get_device_chip_info_v2(int card, int chip, struct dcmi_chip_info_v2 *out)
{
	struct dcmi_chip_info v1;
	int rc = chip_of(card, chip, "dcmi_get_device_chip_info_v2", &v1, out->npu_name);

	if (rc == DCMI_OK) {
		memcpy(out->chip_type, v1.chip_type, sizeof(v1.chip_type));
		memcpy(out->chip_name, v1.chip_name, sizeof(v1.chip_name));
		memcpy(out->chip_ver, v1.chip_ver, sizeof(v1.chip_ver));
		out->aicore_cnt = v1.aicore_cnt;
	}
	return rc;
}

EXPORT int dcmi_get_device_elabel_info(int card, int chip, struct dcmi_elabel_info *e)
{
	return elabel_of(card, chip, "dcmi_get_device_elabel_info", e);
}

EXPORT int dcmi_get_device_die_v2(int card, int chip, int type, struct dcmi_die_id *die)
{
	BEGIN(card, chip, "dcmi_get_device_die_v2", "vdie", v);
	if (type != DCMI_VDIE)
		return DCMI_ERR_NOT_SUPPORT;
	for (size_t i = 0; i < DCMI_DIE_ID_COUNT; i++)
		die->soc_die[i] = (unsigned)json_integer_value(json_array_get(v, i));
	return DCMI_OK;
}

EXPORT int dcmi_get_device_errorcode_v2(int card, int chip, int *count, unsigned *list, unsigned len)
{
	return error_codes_of(card, chip, "dcmi_get_device_errorcode_v2", count, list, len);
}

EXPORT int dcmi_get_device_errorcode_string(int card, int chip, unsigned code, unsigned char *info, int len)
{
	size_t i;
	json_t *e;

	BEGIN(card, chip, "dcmi_get_device_errorcode_string", "error_codes", codes);
	json_array_foreach(codes, i, e) {
		if ((unsigned)fake_num(e, "code", 0) != code || json_object_get(e, "text") == NULL)
			continue;
		put_text(d_, json_object_get(e, "text"), info, (size_t)len);
		return DCMI_OK;
	}
	return DCMI_ERR_NOT_SUPPORT;
}

EXPORT int dcmi_get_device_frequency(int card, int chip, int type, unsigned *mhz)
{
	BEGIN(card, chip, "dcmi_get_device_frequency", "freq", f);
	if (type == DCMI_FREQ_AICORE_CURRENT)
		*mhz = (unsigned)fake_num(f, "aicore_current", 0);
	else if (type == DCMI_FREQ_AICORE_MAX)
		*mhz = (unsigned)fake_num(f, "aicore_max", 0);
	else if (type == DCMI_FREQ_HBM && json_object_get(f, "hbm"))
		*mhz = (unsigned)fake_num(f, "hbm", 0);
	else
		return DCMI_ERR_NOT_SUPPORT;
	return DCMI_OK;
}

EXPORT int dcmi_get_device_ecc_info(int card, int chip, int type, struct dcmi_ecc_info *e)
{
	return ecc_of(card, chip, type, e, true);
}

EXPORT int dcmi_get_device_multi_utilization_rate(int card, int chip, struct dcmi_multi_utilization_info *u)
{
	BEGIN(card, chip, "dcmi_get_device_multi_utilization_rate", "util", x);
	memset(u, 0, sizeof(*u));
	u->aic_util = (unsigned)fake_num(x, "cube", 0);
	u->aiv_util = (unsigned)fake_num(x, "vector", 0);
	u->aicore_util = (unsigned)fake_num(x, "aicore", 0);
	u->npu_util = (unsigned)fake_num(x, "npu", 0);
	return DCMI_OK;
}

EXPORT int dcmi_get_driver_version(char *buf, unsigned len)
{
	return version_text("driver_version", "dcmi_get_driver_version", buf, len);
}

#endif
