#include "probe/shapes.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/facts.h"
#include "core/json.h"
#include "core/util.h"

bool jpath_num(const json_t *obj, const char *path, double *out)
{
	const json_t *v = jpath(obj, path);

	if (!json_is_number(v))
		return false;
	*out = json_number_value(v);
	return true;
}

const json_t *shape_accelerator(const json_t *facts, const char *addr)
{
	return accelerator_by_address(jarr(facts, "accelerators"), addr);
}

/* accelerators[].nvml as the NVML backend writes it (power in mW, clocks in
 * MHz): the limits an operator, a driver or firmware can lower. */
const struct limit_field shape_limit_fields[] = {
	{ "vendor_library.nvml.power_mw.enforced_limit", "enforced power limit", "W", 0.001 },
	{ "vendor_library.nvml.power_mw.limit", "power management limit", "W", 0.001 },
	{ "vendor_library.nvml.power_mw.max_limit", "highest settable power limit", "W", 0.001 },
	{ "vendor_library.nvml.clocks_mhz.sm.max", "maximum SM clock", "MHz", 1 },
	{ "vendor_library.nvml.clocks_mhz.graphics.max", "maximum graphics clock", "MHz", 1 },
	{ "vendor_library.nvml.clocks_mhz.memory.max", "maximum memory clock", "MHz", 1 },
	{ "vendor_library.nvml.clocks_mhz.sm.application", "SM application clock", "MHz", 1 },
	{ "vendor_library.nvml.clocks_mhz.memory.application", "memory application clock", "MHz", 1 },
};
const size_t shape_limit_field_count = ARRAY_SIZE(shape_limit_fields);

const json_t *shape_measured_tops(const json_t *acc)
{
	const json_t *tops = jpath(acc, "measured.dense_tops");
	return json_is_object(tops) ? tops : NULL;
}

bool shape_measured_approximate(const json_t *acc, const char *precision)
{
	const json_t *approximate = jpath(acc, "measured.approximate");
	return json_is_object(approximate) && json_is_true(json_object_get(approximate, precision));
}

const char *const shape_measured_paths[] = {
	"measured.method", "measured.memory_copy_gbs", "measured.h2d_gbs", "measured.d2h_gbs",
	"measured.allocatable_bytes",
};
const size_t shape_measured_path_count = ARRAY_SIZE(shape_measured_paths);

const char *const shape_accelerator_paths[] = {
	"vendor_id", "device_id", "subsystem_vendor_id", "subsystem_device_id", "revision", "model", "driver",
	"link.max_speed_gts", "link.max_width", "link.current_speed_gts", "link.current_width",
	"vendor_library.nvml.serial", "vendor_library.nvml.uuid", "vendor_library.nvml.vbios_version",
	"vendor_library.nvml.inforom_image_version",
};
const size_t shape_accelerator_path_count = ARRAY_SIZE(shape_accelerator_paths);

const json_t *shape_modules(const json_t *facts)
{
	return jarr(jobj(facts, "modules"), "list");
}

const char *shape_module_name(const json_t *m)
{
	return jstr(m, "name");
}

const char *shape_module_version(const json_t *m)
{
	return jstr(m, "version");
}

const char *shape_module_sha256(const json_t *m)
{
	return jstr(jobj(m, "file"), "sha256");
}

const struct shape_member shape_module_members[] = {
	{ "sha256", "file.sha256" },
	{ "version", "version" },
};
const size_t shape_module_member_count = ARRAY_SIZE(shape_module_members);

const char *shape_kernel_release(const json_t *facts)
{
	const char *release = jstr(jobj(facts, "modules"), "release");
	return release ? release : jstr(jobj(facts, "host"), "kernel");
}

json_t *shape_firmware_files(const json_t *facts)
{
	const json_t *dirs = jarr(facts, "firmware");
	json_t *files, *d, *f;
	size_t i, j;

	if (dirs == NULL)
		return NULL;
	files = json_array();
	json_array_foreach(dirs, i, d)
		json_array_foreach(jarr(d, "files"), j, f)
			json_array_append(files, f);
	return files;
}

const char *shape_firmware_path(const json_t *f)
{
	return jstr(f, "path");
}

const char *shape_firmware_sha256(const json_t *f)
{
	return jstr(f, "sha256");
}

const struct shape_member shape_firmware_members[] = {
	{ "sha256", "sha256" },
};
const size_t shape_firmware_member_count = ARRAY_SIZE(shape_firmware_members);

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "NAME VERSION" appended to ITEMS unless already there. */
static void add_version(char **items, size_t *n, const char *name, const char *version)
{
	char *item = xasprintf("%s %s", name, version);

	for (size_t i = 0; i < *n; i++)
		if (strcmp(items[i], item) == 0) {
			free(item);
			return;
		}
	items[(*n)++] = item;
}

/* NVML's driver version is the loaded nvidia kernel driver's
 * (nvmlSystemGetDriverVersion): the same driver as drivers[] "nvidia", so it
 * is named "nvidia" and counted once, and used only where drivers[] does not
 * know that driver's version. */
static bool has_driver_version(const json_t *drivers, const char *name)
{
	size_t i;
	json_t *d;

	json_array_foreach(drivers, i, d)
		if (jstr(d, "name") && strcmp(jstr(d, "name"), name) == 0 && jstr(d, "version"))
			return true;
	return false;
}

char *shape_driver_versions(const json_t *facts)
{
	const json_t *drivers = jarr(facts, "drivers"), *nvml_version = jpath(facts, "nvml.driver_version");
	size_t i, n = 0, total = 1;
	char **items = xcalloc(json_array_size(drivers) + 1, sizeof(*items)), *out;
	json_t *d;

	json_array_foreach(drivers, i, d)
		if (jstr(d, "name") && jstr(d, "version"))
			add_version(items, &n, jstr(d, "name"), jstr(d, "version"));
	if (json_is_string(nvml_version) && !has_driver_version(drivers, "nvidia"))
		add_version(items, &n, "nvidia", json_string_value(nvml_version));
	if (n == 0) {
		free(items);
		return NULL;
	}
	qsort(items, n, sizeof(*items), cmp_str);
	for (i = 0; i < n; i++)
		total += strlen(items[i]) + 2;
	out = xcalloc(1, total);
	for (i = 0; i < n; i++) {
		if (i)
			strcat(out, ", ");
		strcat(out, items[i]);
		free(items[i]);
	}
	free(items);
	return out;
}

const json_t *shape_processes(const json_t *facts)
{
	return jarr(jobj(facts, "processes"), "device_users");
}

bool shape_is_device_user(const json_t *proc)
{
	return json_array_size(jarr(proc, "devices")) > 0;
}

const char *shape_process_identity(const json_t *proc)
{
	return jstr(proc, "exe") ? jstr(proc, "exe") : jstr(proc, "command");
}

/* Not a peer on the network: loopback, unspecified, or no address at all. */
static bool local_only(const char *addr)
{
	unsigned char b[16];

	if (inet_pton(AF_INET, addr, b) == 1)
		return b[0] == 127 || (b[0] | b[1] | b[2] | b[3]) == 0;
	if (inet_pton(AF_INET6, addr, b) == 1) {
		static const unsigned char zero[16], loop[16] = { [15] = 1 };
		static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };
		if (memcmp(b, zero, 16) == 0 || memcmp(b, loop, 16) == 0)
			return true;
		return memcmp(b, mapped, 12) == 0 && (b[12] == 127 || (b[12] | b[13] | b[14] | b[15]) == 0);
	}
	return true;  /* not an address this code can judge: not counted as a peer */
}

json_t *shape_network_peers(const json_t *proc)
{
	json_t *peers = json_array(), *s;
	size_t i;

	json_array_foreach(jarr(proc, "sockets"), i, s) {
		const char *addr = jstr(s, "remote_address");
		json_int_t port = 0;
		char *peer;
		bool dup = false;
		size_t j;
		json_t *have;

		if (addr == NULL || local_only(addr) || !jint(s, "remote_port", &port) || port <= 0)
			continue;
		peer = strchr(addr, ':') ? xasprintf("[%s]:%lld", addr, (long long)port)
					 : xasprintf("%s:%lld", addr, (long long)port);
		json_array_foreach(peers, j, have)
			dup = dup || strcmp(json_string_value(have), peer) == 0;
		if (!dup)
			json_array_append_new(peers, json_string(peer));
		free(peer);
	}
	return peers;
}

const json_t *shape_find_named(const json_t *list, const char *(*name_of)(const json_t *), const char *name)
{
	size_t i;
	json_t *item;

	json_array_foreach(list, i, item)
		if (name_of(item) && strcmp(name_of(item), name) == 0)
			return item;
	return NULL;
}
