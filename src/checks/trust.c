/* The host trust summary: a ladder in the spirit of fwupd's Host Security
 * ID (HSI), computed from the backdoor findings. Each level names the
 * checks it needs; a level is met when every finding of those checks is a
 * pass (a skip is not: unknown is not pass) and every level below it is
 * met. Runtime problems (a tainted kernel) add "!" as in HSI. The levels and
 * their reasons are documented in docs/backdoor.md. */
#include <stdio.h>
#include <string.h>

#include "checks/backdoor.h"
#include "checks/judge.h"
#include "core/json.h"
#include "core/util.h"

#define TRUST_SCHEME "chipaudit-trust/1"

struct trust_level {
	int level;
	const char *name;
	const char *const *checks;
};

static const char *const level1[] = { "backdoor.iommu.absent", "backdoor.iommu.passthrough", NULL };
static const char *const level2[] = { "backdoor.kernel.secureboot", "backdoor.kernel.sig_enforce",
				      "backdoor.module.integrity", NULL };
static const char *const level3[] = { "backdoor.kernel.lockdown", "backdoor.iommu.shared_group", "backdoor.pci.acs",
				      "backdoor.pci.ats", "backdoor.driver.cve", NULL };
static const char *const level4[] = { "backdoor.firmware.integrity", "backdoor.pci.extra_function", "backdoor.pci.rom",
				      "backdoor.pci.sriov", "backdoor.pci.bar_mismatch", "backdoor.pci.subsystem_unknown",
				      NULL };
static const char *const runtime[] = { "backdoor.kernel.tainted", NULL };

static const struct trust_level levels[] = {
	{ 1, "accelerator DMA confined by the IOMMU", level1 },
	{ 2, "verified boot, kernel and driver modules", level2 },
	{ 3, "isolated and patched: lockdown, own IOMMU group, ACS, no ATS, no known driver CVE", level3 },
	{ 4, "verified accelerator: firmware and PCI layout as known-good", level4 },
};


/* A blocker: a finding of CHECK that is not a pass, and the subjects of
 * which it is said. The next finding of CHECK that says the same thing of
 * another subject joins the last blocker, as findings join in the report. */
static void add_blocker(json_t *blocking, const char *check, const struct finding *x)
{
	json_t *last = json_array_get(blocking, json_array_size(blocking) - 1);

	if (last && str_same(jstr(last, "check"), check) && str_same(jstr(last, "status"), status_name(x->status)) &&
	    str_same(jstr(last, "message"), x->message)) {
		json_array_append_new(jarr(last, "subjects"), json_string(x->subject));
		return;
	}
	json_array_append_new(blocking, json_pack("{s:s, s:[s], s:s, s:s}", "check", check, "subjects", x->subject,
						  "status", status_name(x->status), "message", x->message ? x->message : ""));
}

/* Findings of CHECKS that are not passes (with SKIPS_COUNT false, only
 * warnings, failures and errors: what was found, not what is unknown). */
static json_t *blocking_of(const struct findings *f, const char *const *checks, bool skips_count, bool *met)
{
	json_t *blocking = json_array();

	*met = true;
	for (const char *const *c = checks; *c; c++) {
		bool seen = false;
		for (size_t i = 0; i < f->count; i++) {
			const struct finding *x = &f->items[i];
			if (strcmp(x->check->id, *c) != 0)
				continue;
			seen = true;
			if (x->status != STATUS_PASS && (skips_count || x->status != STATUS_SKIP)) {
				*met = false;
				add_blocker(blocking, *c, x);
			}
		}
		if (!seen && skips_count) {
			*met = false;
			json_array_append_new(blocking, json_pack("{s:s, s:[], s:s, s:s}", "check", *c, "subjects", "status",
								  "skip", "message", "the check did not run"));
		}
	}
	return blocking;
}

json_t *trust_summary(const json_t *facts, const struct findings *findings)
{
	json_t *t = json_object(), *list = json_array(), *issues;
	const char *unread;
	/* an unreadable PCI bus is not "nothing to guard": the ladder is climbed,
	 * and the checks that could not judge keep it at level 0 */
	bool applicable = json_array_size(jarr(facts, "accelerators")) > 0 ||
			  judge_pci_bus(facts, &unread) == PCI_BUS_UNREADABLE;
	int reached = 0;
	bool below = true, met;
	char label[16];

	for (size_t i = 0; i < ARRAY_SIZE(levels); i++) {
		json_t *checks = json_array(), *blocking = blocking_of(findings, levels[i].checks, true, &met);
		for (const char *const *c = levels[i].checks; *c; c++)
			json_array_append_new(checks, json_string(*c));
		if (!applicable) {
			/* nothing to guard: the ladder is not climbed */
			met = false;
			json_array_clear(blocking);
		}
		if (met && below)
			reached = levels[i].level;
		below = below && met;
		json_array_append_new(list, json_pack("{s:i, s:s, s:b, s:o, s:o}", "level", levels[i].level, "name",
						      levels[i].name, "met", met, "checks", checks, "blocking", blocking));
	}
	issues = blocking_of(findings, runtime, false, &met);
	snprintf(label, sizeof(label), "%d%s", reached, json_array_size(issues) ? "!" : "");
	jset_str(t, "scheme", TRUST_SCHEME);
	jset_bool(t, "applicable", applicable);
	jset_int(t, "level", reached);
	jset_int(t, "max_level", (json_int_t)ARRAY_SIZE(levels));
	jset_str(t, "label", label);
	json_object_set_new(t, "runtime_issues", issues);
	json_object_set_new(t, "levels", list);
	return t;
}

void trust_render_text(FILE *out, const json_t *trust, const char *bold, const char *reset)
{
	json_int_t level = 0, max = 0;
	size_t i;
	json_t *l;

	if (trust == NULL)
		return;
	jint(trust, "level", &level);
	jint(trust, "max_level", &max);
	if (json_is_false(json_object_get(trust, "applicable"))) {
		fprintf(out, "%sHost trust%s: not applicable (no accelerator to guard)\n", bold, reset);
		return;
	}
	fprintf(out, "%sHost trust%s: ", bold, reset);
	text_printf(out, "level %s of %lld (a ladder in the spirit of fwupd's HSI; see docs/backdoor.md)\n",
		    jstr(trust, "label"), (long long)max);
	json_array_foreach(jarr(trust, "levels"), i, l) {
		bool met = false;
		size_t n = json_array_size(jarr(l, "blocking"));
		jbool(l, "met", &met);
		text_printf(out, "  %s level %lld: %s", met ? "[x]" : "[ ]", (long long)json_integer_value(json_object_get(l, "level")),
			jstr(l, "name"));
		if (!met)
			text_printf(out, " (blocked by %zu finding%s, first %s)", n, n == 1 ? "" : "s",
				jstr(json_array_get(jarr(l, "blocking"), 0), "check"));
		fputc('\n', out);
	}
	if (json_array_size(jarr(trust, "runtime_issues")) > 0)
		text_printf(out, "  !  runtime: %s\n", jstr(json_array_get(jarr(trust, "runtime_issues"), 0), "message"));
}
