#include "probe.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/json.h"
#include "core/util.h"

/* Order matters: accelerators come first so later probes can look at them. */
const struct probe_section probe_sections[] = {
	{ "host", probe_host, validate_host, 1 },
	{ "accelerators", probe_pci, validate_accelerators, 1 },
	/* after accelerators; drivers before modules and firmware, which use it */
	{ "iommu", probe_iommu, validate_iommu, 0 },
	{ "pcie", probe_pcie, validate_pcie, 0 },
	{ "kernel", probe_kernel, validate_kernel, 0 },
	{ "drivers", probe_drivers, validate_drivers, 0 },
	{ "modules", probe_modules, validate_modules, 0 },
	{ "firmware", probe_firmware, validate_firmware, 0 },
	{ "processes", probe_processes, validate_processes, 0 },
	/* no name: one section per vendor library, named after its backend */
	{ NULL, probe_vendors, validate_vendors, 0 },
	{ "kernel_xids", probe_kernel_xids, validate_kernel_xids, 0 },
	{ "measurement", probe_measure, validate_measurement, 0 },
};
const size_t probe_section_count = sizeof(probe_sections) / sizeof(probe_sections[0]);

void probe_limitation(struct probe_ctx *ctx, const char *source, const char *fmt, ...)
{
	json_t *list = jarr(ctx->facts, "limitations");
	json_t *item = json_object();
	va_list ap;
	char *reason;

	if (list == NULL) {
		list = json_array();
		json_object_set_new(ctx->facts, "limitations", list);
	}
	va_start(ap, fmt);
	reason = xvasprintf(fmt, ap);
	va_end(ap);
	jset_str(item, "source", source);
	jset_str(item, "reason", reason);
	free(reason);
	json_array_append_new(list, item);
}

void probe_fail(struct probe_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx->failed)
		return;
	ctx->failed = 1;
	va_start(ap, fmt);
	vsnprintf(ctx->error, sizeof(ctx->error), fmt, ap);
	va_end(ap);
}
