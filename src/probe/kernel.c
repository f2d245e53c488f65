/* Kernel integrity state: taint, lockdown, module signature enforcement,
 * Secure Boot and the command line.
 *
 *   /proc/sys/kernel/tainted                     decimal taint mask
 *   /sys/kernel/security/lockdown                "none [integrity] confidentiality"
 *   /sys/module/module/parameters/sig_enforce    Y or N (absent without CONFIG_MODULE_SIG)
 *   /sys/firmware/efi                            present when booted through UEFI
 *   /sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c
 *                                                4 bytes of attributes, then 1 byte: 1 = on
 *   /proc/cmdline */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "parse/kernelinfo.h"
#include "core/util.h"
#include "probe/probe.h"

#define TAINTED "/proc/sys/kernel/tainted"
#define LOCKDOWN "/sys/kernel/security/lockdown"
#define SECURITYFS "/sys/kernel/security"
#define SIG_ENFORCE "/sys/module/module/parameters/sig_enforce"
#define EFI_DIR "/sys/firmware/efi"
#define EFIVARS "/sys/firmware/efi/efivars"
#define SECUREBOOT EFIVARS "/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"
#define CMDLINE_MAX 65536

static void add_tainted(struct probe_ctx *ctx, json_t *k)
{
	char *line = NULL;
	uint64_t mask;

	jset(k, "tainted", NULL);
	if (sysroot_read_line(ctx->sysroot, TAINTED, &line) != 0) {
		probe_limitation(ctx, TAINTED, "%s", sysroot_strerror(ctx->sysroot, errno));
		return;
	}
	if (parse_u64(line, 10, &mask) != 0 || mask > INT64_MAX)
		probe_fail(ctx, "%s: malformed value \"%.40s\", expected a decimal taint mask", TAINTED, line);
	else
		jset_int(k, "tainted", (json_int_t)mask);
	free(line);
}

/* A kernel without the lockdown LSM has no lockdown file: that is "none".
 * Without securityfs mounted nothing can be said. */
static void add_lockdown(struct probe_ctx *ctx, json_t *k)
{
	char *line = NULL, mode[32];

	jset(k, "lockdown", NULL);
	if (sysroot_read_line(ctx->sysroot, LOCKDOWN, &line) == 0) {
		if (lockdown_active(line, mode, sizeof(mode)) == NULL)
			probe_fail(ctx, "%s: malformed \"%.60s\", expected the active mode in brackets", LOCKDOWN, line);
		else
			jset_str(k, "lockdown", mode);
		free(line);
		return;
	}
	if (errno == ENOENT && sysroot_read_line(ctx->sysroot, SECURITYFS "/lsm", &line) == 0) {
		/* securityfs is mounted and lists the active LSMs */
		if (strstr(line, "lockdown") == NULL)
			jset_str(k, "lockdown", "none");
		else
			probe_limitation(ctx, LOCKDOWN, "missing although the lockdown LSM is active");
		free(line);
		return;
	}
	probe_limitation(ctx, LOCKDOWN, "%s", sysroot_strerror(ctx->sysroot, errno));
}

/* Directory presence through a listing, so snapshots record it. */
static bool dir_present(struct probe_ctx *ctx, const char *path)
{
	char **names = NULL;

	if (sysroot_list_dir(ctx->sysroot, path, &names, NULL) != 0)
		return false;
	sysroot_free_names(names);
	return true;
}

static void add_sig_enforce(struct probe_ctx *ctx, json_t *k)
{
	char *line = NULL;

	jset(k, "sig_enforce", NULL);
	if (sysroot_read_line(ctx->sysroot, SIG_ENFORCE, &line) != 0) {
		probe_limitation(ctx, SIG_ENFORCE, "%s%s", sysroot_strerror(ctx->sysroot, errno),
				 errno == ENOENT ? ": kernel built without module signing, or not captured" : "");
		return;
	}
	if (strcmp(line, "Y") == 0 || strcmp(line, "N") == 0)
		jset_bool(k, "sig_enforce", line[0] == 'Y');
	else
		probe_fail(ctx, "%s: malformed value \"%.40s\", expected Y or N", SIG_ENFORCE, line);
	free(line);
}

static void add_secure_boot(struct probe_ctx *ctx, json_t *k)
{
	char *data = NULL;
	size_t len = 0;
	bool efi = dir_present(ctx, EFI_DIR);

	jset_bool(k, "efi", efi);
	jset(k, "secure_boot", NULL);
	if (!efi) {
		/* booted through legacy BIOS (or a VM without UEFI): no Secure Boot */
		jset_bool(k, "secure_boot", false);
		return;
	}
	if (sysroot_read_file_max(ctx->sysroot, SECUREBOOT, 64, &data, &len) != 0) {
		if (errno == ENOENT && dir_present(ctx, EFIVARS))
			jset_bool(k, "secure_boot", false);   /* firmware without Secure Boot */
		else
			probe_limitation(ctx, SECUREBOOT, "%s", sysroot_strerror(ctx->sysroot, errno));
		return;
	}
	if (len != 5 || (data[4] != 0 && data[4] != 1))
		probe_fail(ctx, "%s: %zu bytes, expected 4 bytes of attributes and a value of 0 or 1", SECUREBOOT, len);
	else
		jset_bool(k, "secure_boot", data[4] == 1);
	free(data);
}

static void add_cmdline(struct probe_ctx *ctx, json_t *k)
{
	char *data = NULL;
	size_t len = 0;

	jset(k, "cmdline", NULL);
	if (sysroot_read_file_max(ctx->sysroot, "/proc/cmdline", CMDLINE_MAX, &data, &len) != 0)
		return;   /* the iommu probe has recorded why */
	if (memchr(data, '\0', len))
		probe_fail(ctx, "/proc/cmdline: contains a NUL byte");
	else {
		str_rstrip(data);
		jset_str(k, "cmdline", data);
	}
	free(data);
}

int probe_kernel(struct probe_ctx *ctx)
{
	json_t *k = json_object();

	json_object_set_new(ctx->facts, "kernel", k);
	add_tainted(ctx, k);
	add_lockdown(ctx, k);
	add_sig_enforce(ctx, k);
	add_secure_boot(ctx, k);
	add_cmdline(ctx, k);
	return ctx->failed ? -1 : 0;
}

int validate_kernel(const json_t *k, const json_t *facts, char *err, size_t errlen)
{
	const char *mode;

	(void)facts;
	if (!json_is_object(k)) {
		snprintf(err, errlen, "kernel: expected an object");
		return -1;
	}
	if (jv_integer(k, "tainted", JV_REQUIRED | JV_NULLABLE, 0, INT64_MAX, "kernel", err, errlen) ||
	    jv_string(k, "lockdown", JV_REQUIRED | JV_NULLABLE, 16, "kernel", err, errlen) ||
	    jv_boolean(k, "sig_enforce", JV_REQUIRED | JV_NULLABLE, "kernel", err, errlen) ||
	    jv_boolean(k, "efi", JV_REQUIRED, "kernel", err, errlen) ||
	    jv_boolean(k, "secure_boot", JV_REQUIRED | JV_NULLABLE, "kernel", err, errlen) ||
	    jv_string(k, "cmdline", JV_REQUIRED | JV_NULLABLE, CMDLINE_MAX, "kernel", err, errlen))
		return -1;
	mode = jstr(k, "lockdown");
	if (mode && strcmp(mode, "none") != 0 && strcmp(mode, "integrity") != 0 && strcmp(mode, "confidentiality") != 0) {
		snprintf(err, errlen, "kernel.lockdown: \"%s\" is not none, integrity or confidentiality", mode);
		return -1;
	}
	return 0;
}
