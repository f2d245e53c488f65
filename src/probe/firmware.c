/* The firmware section: every file in the firmware directories of each
 * accelerator driver (probe/drivers.c), hashed. NVIDIA keeps the GSP
 * images of each release in /lib/firmware/nvidia/<driver version>/; AMD and
 * Habana keep theirs in per-driver directories of linux-firmware. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"
#include "core/json.h"
#include "core/util.h"
#include "probe/drivers.h"
#include "probe/probe.h"

/* Files hashed per directory; linux-firmware's amdgpu/ holds about 700. */
#define FIRMWARE_FILES_MAX 4096

static char *expand(const char *pattern, const char *version)
{
	const char *at = strstr(pattern, "{version}");

	if (at == NULL)
		return xstrdup(pattern);
	if (!driver_version_safe(version))
		return NULL;
	return xasprintf("%.*s%s%s", (int)(at - pattern), pattern, version, at + strlen("{version}"));
}

static json_t *file_entry(struct probe_ctx *ctx, const char *path)
{
	struct filehash h;
	char err[256];
	json_t *f;

	if (filehash_sha256(ctx->sysroot, path, 0, &h, err, sizeof(err)) != 0) {
		if (errno == EINVAL && strcmp(err, "not a regular file") == 0)
			return NULL;   /* a subdirectory */
		probe_limitation(ctx, path, "%s: firmware file not hashed", err);
		return json_pack("{s:s, s:n, s:n, s:s}", "path", path, "size", "sha256", "error", err);
	}
	f = json_pack("{s:s, s:I, s:s, s:n}", "path", path, "size", (json_int_t)h.size, "sha256", h.sha256, "error");
	filehash_free(&h);
	return f;
}

static json_t *directory_json(struct probe_ctx *ctx, const char *driver, const char *dir)
{
	json_t *d = json_object(), *files = json_array();
	char **names = NULL;
	size_t count = 0;

	jset_str(d, "driver", driver);
	jset_str(d, "directory", dir);
	probe_record_path_links(ctx, dir);
	if (sysroot_list_dir(ctx->sysroot, dir, &names, &count) != 0) {
		jset_bool(d, "exists", false);
		if (errno != ENOENT)
			probe_limitation(ctx, dir, "%s", sysroot_strerror(ctx->sysroot, errno));
		json_object_set_new(d, "files", files);
		return d;
	}
	jset_bool(d, "exists", true);
	if (count > FIRMWARE_FILES_MAX)
		probe_limitation(ctx, dir, "%zu entries: only the first %d hashed", count, FIRMWARE_FILES_MAX);
	for (size_t i = 0; i < count && i < FIRMWARE_FILES_MAX; i++) {
		char *path = path_join(dir, names[i]);
		json_t *f = file_entry(ctx, path);
		if (f)
			json_array_append_new(files, f);
		free(path);
	}
	json_object_set_new(d, "files", files);
	sysroot_free_names(names);
	return d;
}

int probe_firmware(struct probe_ctx *ctx)
{
	json_t *list = json_array(), *drv;
	size_t i;

	json_object_set_new(ctx->facts, "firmware", list);
	json_array_foreach(jarr(ctx->facts, "drivers"), i, drv) {
		const struct driver_info *info = driver_info_by_name(jstr(drv, "name"));
		for (size_t k = 0; info && k < ARRAY_SIZE(info->firmware_dirs) && info->firmware_dirs[k]; k++) {
			char *dir = expand(info->firmware_dirs[k], jstr(drv, "version"));
			if (dir == NULL) {
				probe_limitation(ctx, info->firmware_dirs[k], "driver %s version unknown: firmware not examined",
						 info->name);
				continue;
			}
			json_array_append_new(list, directory_json(ctx, info->name, dir));
			free(dir);
		}
	}
	return ctx->failed ? -1 : 0;
}

int validate_firmware(const json_t *list, const json_t *facts, char *err, size_t errlen)
{
	size_t i, j;
	json_t *d, *f;

	(void)facts;
	if (!json_is_array(list)) {
		snprintf(err, errlen, "firmware: expected an array");
		return -1;
	}
	json_array_foreach(list, i, d) {
		char where[64];
		snprintf(where, sizeof(where), "firmware[%zu]", i);
		if (!json_is_object(d)) {
			snprintf(err, errlen, "%s: expected an object", where);
			return -1;
		}
		if (jv_string(d, "driver", JV_REQUIRED, 256, where, err, errlen) ||
		    jv_string(d, "directory", JV_REQUIRED, 4096, where, err, errlen) ||
		    jv_boolean(d, "exists", JV_REQUIRED, where, err, errlen) ||
		    jv_array(d, "files", JV_REQUIRED, where, err, errlen))
			return -1;
		json_array_foreach(jarr(d, "files"), j, f) {
			char sub[96];
			snprintf(sub, sizeof(sub), "%s.files[%zu]", where, j);
			if (!json_is_object(f)) {
				snprintf(err, errlen, "%s: expected an object", sub);
				return -1;
			}
			if (jv_string(f, "path", JV_REQUIRED, 4096, sub, err, errlen) ||
			    jv_integer(f, "size", JV_REQUIRED | JV_NULLABLE, 0, INT64_MAX, sub, err, errlen) ||
			    jv_hex(f, "sha256", JV_REQUIRED | JV_NULLABLE, 64, sub, err, errlen) ||
			    jv_string(f, "error", JV_REQUIRED | JV_NULLABLE, 512, sub, err, errlen))
				return -1;
			if (jstr(f, "sha256") == NULL && jstr(f, "error") == NULL) {
				snprintf(err, errlen, "%s: neither sha256 nor error", sub);
				return -1;
			}
		}
	}
	return 0;
}
