/* The drivers section: for each driver that serves (or should serve) an
 * accelerator, its module and its version.
 *
 *   /sys/bus/pci/drivers/<driver>/module -> ../../../../module/<module>
 *   /sys/module/<module>/version           MODULE_VERSION, when the module sets one
 *   /proc/driver/nvidia/version            "NVRM version: NVIDIA UNIX ... Kernel Module  580.95.05  ..."
 *
 * Sources for the table: NVIDIA open-gpu-kernel-modules README (the
 * nvidia, nvidia-modeset, nvidia-uvm, nvidia-drm and nvidia-peermem
 * modules; GSP firmware in /lib/firmware/nvidia/<version>/), the
 * linux-firmware tree (amdgpu/, habanalabs/gaudi/, habanalabs/gaudi2/), and
 * the kernel's drivers/gpu/drm/amd/amdxcp and drivers/accel/habanalabs. */
#include "probe/drivers.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "parse/kernelinfo.h"
#include "core/util.h"
#include "probe/probe.h"

static const struct driver_info driver_table[] = {
	{ "nvidia", { 0x10de },
	  { "nvidia", "nvidia_uvm", "nvidia_modeset", "nvidia_drm", "nvidia_peermem" },
	  { "/sys/module/nvidia/version", "/proc/driver/nvidia/version" },
	  { "/lib/firmware/nvidia/{version}" } },
	{ "amdgpu", { 0x1002 },
	  { "amdgpu", "amdxcp" },
	  { "/sys/module/amdgpu/version" },
	  { "/lib/firmware/amdgpu" } },
	{ "habanalabs", { 0x1da3 },
	  { "habanalabs" },
	  { "/sys/module/habanalabs/version" },
	  { "/lib/firmware/habanalabs/gaudi", "/lib/firmware/habanalabs/gaudi2" } },
};

const struct driver_info *driver_info_by_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(driver_table); i++)
		if (strcmp(driver_table[i].name, name) == 0)
			return &driver_table[i];
	return NULL;
}

const struct driver_info *driver_info_by_vendor(uint16_t vendor)
{
	for (size_t i = 0; i < ARRAY_SIZE(driver_table); i++)
		for (const uint16_t *v = driver_table[i].vendor_ids; *v; v++)
			if (*v == vendor)
				return &driver_table[i];
	return NULL;
}

int driver_version_safe(const char *version)
{
	unsigned long parts[4];
	return version && driver_version_parse(version, parts) >= 2;
}

#define VERSION_MAX 64

/* "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  570.124.06  Release Build ..." */
static int nvidia_proc_version(const char *line, char *out, size_t outlen)
{
	char *copy = xstrdup(line), *save = NULL;
	int rc = -1;

	if (!str_starts_with(line, "NVRM version:")) {
		free(copy);
		return -1;
	}
	for (char *t = strtok_r(copy + strlen("NVRM version:"), " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		if (driver_version_safe(t) && strlen(t) < outlen) {
			snprintf(out, outlen, "%s", t);
			rc = 0;
			break;
		}
	}
	free(copy);
	return rc;
}

/* A MODULE_VERSION string: printable, no spaces, at most 64 bytes. */
static bool module_version_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > VERSION_MAX || !str_is_printable(s))
		return false;
	return strpbrk(s, " \t/") == NULL;
}

/* 1 read, 0 absent, -1 malformed (probe failed). */
static int read_version(struct probe_ctx *ctx, const char *path, bool nvidia_proc, char *out, size_t outlen)
{
	char *line = NULL;
	int rc = 1;

	if (sysroot_read_line(ctx->sysroot, path, &line) != 0) {
		if (errno != ENOENT)
			probe_limitation(ctx, path, "%s", sysroot_strerror(ctx->sysroot, errno));
		return 0;
	}
	if (nvidia_proc) {
		if (nvidia_proc_version(line, out, outlen) != 0) {
			probe_fail(ctx, "%s: malformed first line \"%.60s\", expected \"NVRM version: ... VERSION ...\"", path, line);
			rc = -1;
		}
	} else if (!module_version_valid(line) || strlen(line) >= outlen) {
		probe_fail(ctx, "%s: malformed version \"%.60s\"", path, line);
		rc = -1;
	} else {
		snprintf(out, outlen, "%s", line);
	}
	free(line);
	return rc;
}

static void add_version(struct probe_ctx *ctx, const struct driver_info *info, const char *module, json_t *d)
{
	char version[VERSION_MAX + 1];
	char *own = module ? xasprintf("/sys/module/%s/version", module) : NULL;
	const char *files[5] = { NULL };
	size_t n = 0;

	jset(d, "version", NULL);
	jset(d, "version_source", NULL);
	for (size_t i = 0; info && i < ARRAY_SIZE(info->version_files) && info->version_files[i]; i++)
		files[n++] = info->version_files[i];
	if (own)
		files[n++] = own;
	for (size_t i = 0; i < n && !ctx->failed; i++) {
		int rc = read_version(ctx, files[i], str_starts_with(files[i], "/proc/driver/nvidia/"), version, sizeof(version));
		if (rc > 0) {
			jset_str(d, "version", version);
			jset_str(d, "version_source", files[i]);
			break;
		}
	}
	free(own);
}

/* The module that provides a bound PCI driver. */
static char *driver_module(struct probe_ctx *ctx, const char *driver)
{
	char *path = xasprintf("/sys/bus/pci/drivers/%s/module", driver), *name = NULL;

	if (sysroot_link_basename(ctx->sysroot, path, &name) == 0 && !kmod_name_valid(name)) {
		probe_fail(ctx, "%s: link target \"%.60s\" is not a module name", path, name);
		free(name);
		name = NULL;
	}
	free(path);
	return name;
}

static json_t *find_driver(json_t *list, const char *name)
{
	size_t i;
	json_t *d;

	json_array_foreach(list, i, d)
		if (strcmp(jstr(d, "name"), name) == 0)
			return d;
	return NULL;
}

int probe_drivers(struct probe_ctx *ctx)
{
	json_t *list = json_array(), *acc;
	size_t i;

	json_object_set_new(ctx->facts, "drivers", list);
	json_array_foreach(jarr(ctx->facts, "accelerators"), i, acc) {
		const char *bound = jstr(acc, "driver");
		const struct driver_info *info = NULL;
		uint32_t vendor = 0;
		json_t *d;

		parse_hex_u32(jstr(acc, "vendor_id"), 0xffff, &vendor);
		info = bound ? driver_info_by_name(bound) : driver_info_by_vendor((uint16_t)vendor);
		if (bound == NULL && info == NULL)
			continue;   /* no driver bound, none known for the vendor */
		d = find_driver(list, bound ? bound : info->name);
		if (d == NULL) {
			char *module = bound ? driver_module(ctx, bound) : NULL;
			d = json_object();
			jset_str(d, "name", bound ? bound : info->name);
			jset_bool(d, "known", info != NULL);
			jset_bool(d, "bound", bound != NULL);
			jset_str(d, "module", module);
			json_object_set_new(d, "accelerators", json_array());
			add_version(ctx, info, module, d);
			json_array_append_new(list, d);
			free(module);
		}
		json_array_append_new(jarr(d, "accelerators"), json_string(jstr(acc, "pci_address")));
		if (ctx->failed)
			break;
	}
	return ctx->failed ? -1 : 0;
}

int validate_drivers(const json_t *list, const json_t *facts, char *err, size_t errlen)
{
	size_t i, j;
	json_t *d, *a;

	(void)facts;
	if (!json_is_array(list)) {
		snprintf(err, errlen, "drivers: expected an array");
		return -1;
	}
	json_array_foreach(list, i, d) {
		char where[64];
		snprintf(where, sizeof(where), "drivers[%zu]", i);
		if (!json_is_object(d)) {
			snprintf(err, errlen, "%s: expected an object", where);
			return -1;
		}
		if (jv_string(d, "name", JV_REQUIRED, 256, where, err, errlen) ||
		    jv_boolean(d, "known", JV_REQUIRED, where, err, errlen) ||
		    jv_boolean(d, "bound", JV_REQUIRED, where, err, errlen) ||
		    jv_string(d, "module", JV_REQUIRED | JV_NULLABLE, KMOD_NAME_MAX, where, err, errlen) ||
		    jv_string(d, "version", JV_REQUIRED | JV_NULLABLE, VERSION_MAX, where, err, errlen) ||
		    jv_string(d, "version_source", JV_REQUIRED | JV_NULLABLE, 256, where, err, errlen) ||
		    jv_string_array(d, "accelerators", JV_REQUIRED, 32, where, err, errlen))
			return -1;
		if (jstr(d, "module") && !kmod_name_valid(jstr(d, "module"))) {
			snprintf(err, errlen, "%s.module: \"%s\" is not a module name", where, jstr(d, "module"));
			return -1;
		}
		if (jstr(d, "version") && !module_version_valid(jstr(d, "version"))) {
			snprintf(err, errlen, "%s.version: \"%s\" is not a version", where, jstr(d, "version"));
			return -1;
		}
		json_array_foreach(jarr(d, "accelerators"), j, a) {
			if (!pci_address_valid(json_string_value(a))) {
				snprintf(err, errlen, "%s.accelerators[%zu]: not a PCI address", where, j);
				return -1;
			}
		}
	}
	return 0;
}

void probe_record_path_links(struct probe_ctx *ctx, const char *path)
{
	char *copy;

	if (ctx->sysroot->recorder == NULL)
		return;
	copy = xstrdup(path);
	for (char *p = copy + 1; *p; p++) {
		char *target = NULL;
		if (*p != '/')
			continue;
		*p = '\0';
		if (sysroot_readlink(ctx->sysroot, copy, &target) == 0)
			free(target);
		*p = '/';
	}
	{
		char *target = NULL;
		if (sysroot_readlink(ctx->sysroot, copy, &target) == 0)
			free(target);
	}
	free(copy);
}
