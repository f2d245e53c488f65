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
	/* area: backdoor (issue 4) */
	/* end backdoor */
	/* area: spyware (issue 5) */
	{ "processes", probe_processes, validate_processes, 0 },
	/* end spyware */
	/* area: killswitch (issue 6) */
	/* end killswitch */
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
