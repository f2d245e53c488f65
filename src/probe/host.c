/* Host identity: name, kernel, OS, machine-id and the time of the audit. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/json.h"
#include "core/util.h"
#include "probe/probe.h"

static void audit_time(char *buf, size_t len)
{
	time_t now = audit_clock();
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void set_line(struct probe_ctx *ctx, json_t *host, const char *key, const char *path)
{
	char *line = NULL;

	if (sysroot_read_line(ctx->sysroot, path, &line) != 0) {
		probe_limitation(ctx, path, "%s", sysroot_strerror(ctx->sysroot, errno));
		jset(host, key, NULL);
		return;
	}
	jset_str(host, key, line);
	free(line);
}

/* PRETTY_NAME from os-release, unquoted. */
static void set_os(struct probe_ctx *ctx, json_t *host)
{
	char *data = NULL, *save = NULL;

	jset(host, "os", NULL);
	if (sysroot_read_file(ctx->sysroot, "/etc/os-release", &data, NULL) != 0 &&
	    sysroot_read_file(ctx->sysroot, "/usr/lib/os-release", &data, NULL) != 0) {
		probe_limitation(ctx, "/etc/os-release", "%s", sysroot_strerror(ctx->sysroot, errno));
		return;
	}
	for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (str_starts_with(line, "PRETTY_NAME=")) {
			char *v = line + strlen("PRETTY_NAME=");
			size_t n = strlen(v);
			if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
				v[n - 1] = '\0';
				v++;
			}
			jset_str(host, "os", v);
			break;
		}
	}
	free(data);
}

int probe_host(struct probe_ctx *ctx)
{
	json_t *host = json_object();
	char when[32];

	json_object_set_new(ctx->facts, "host", host);
	set_line(ctx, host, "hostname", "/proc/sys/kernel/hostname");
	set_line(ctx, host, "kernel", "/proc/sys/kernel/osrelease");
	set_line(ctx, host, "kernel_version", "/proc/sys/kernel/version");
	set_line(ctx, host, "machine_id", "/etc/machine-id");
	set_os(ctx, host);
	audit_time(when, sizeof(when));
	jset_str(host, "time", when);
	return 0;
}

int validate_host(const json_t *host, const json_t *facts, char *err, size_t errlen)
{
	static const char *const keys[] = { "hostname", "kernel", "kernel_version", "machine_id", "os" };

	if (!json_is_object(host)) {
		snprintf(err, errlen, "host: expected an object");
		return -1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (jv_string(host, keys[i], JV_REQUIRED | JV_NULLABLE, 1024, "host", err, errlen))
			return -1;
	return jv_string(host, "time", JV_REQUIRED, 64, "host", err, errlen);
}
