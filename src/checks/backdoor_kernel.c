/* Backdoor exposure, the kernel: can code that was not vetted run in it, or
 * has it? Facts: kernel (taint mask, lockdown mode, sig_enforce, EFI
 * Secure Boot). Taint letters per Documentation/admin-guide/tainted-kernels.rst;
 * the security-relevant set is fwupd HSI's (bits 0,1,3,8,10,12,13,16). */
#include <stdio.h>
#include <string.h>

#include "checks/backdoor.h"
#include "core/json.h"
#include "parse/kernelinfo.h"
#include "core/util.h"

static const json_t *kernel_facts(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	if (!backdoor_need_section(check, ctx, out, "kernel", false))
		return NULL;
	if (json_array_size(jarr(ctx->facts, "accelerators")) == 0) {
		/* the kernel's integrity is judged as the accelerators' guard */
		finding_add(out, check, STATUS_SKIP, "host", NULL, NULL,
			    "No accelerator present: not judged (this check is about what guards the accelerators)");
		return NULL;
	}
	return jobj(ctx->facts, "kernel");
}

static json_t *taint_json(uint64_t mask)
{
	json_t *list = json_array();

	for (size_t i = 0; i < taint_flag_count; i++) {
		const struct taint_flag *t = &taint_flags[i];
		char letter[2] = { t->letter, 0 };
		if (!(mask & ((uint64_t)1 << t->bit)))
			continue;
		json_array_append_new(list, json_pack("{s:i, s:s, s:s}", "bit", (int)t->bit, "letter", letter,
						      "meaning", t->meaning));
	}
	return list;
}

/* The bits of MASK that fwupd's HSI counts as tainted. */
static uint64_t security_bits(uint64_t mask)
{
	uint64_t counted = 0;

	for (size_t i = 0; i < taint_flag_count; i++)
		if (taint_flags[i].security)
			counted |= (uint64_t)1 << taint_flags[i].bit;
	return mask & counted;
}

/* backdoor.kernel.tainted */
static void evaluate_tainted(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	const json_t *k = kernel_facts(check, ctx, out);
	json_int_t mask;
	uint64_t security;
	char letters[72], relevant[72];

	if (k == NULL)
		return;
	if (!jint(k, "tainted", &mask)) {
		finding_add(out, check, STATUS_SKIP, "host", NULL, NULL, "/proc/sys/kernel/tainted not read: taint unknown");
		return;
	}
	taint_letters((uint64_t)mask, letters, sizeof(letters));
	security = security_bits((uint64_t)mask);
	if (security != 0) {
		/* by letter: "flags" beside it says what each means; taint_flags
		 * is indexed by bit, as taint_letters reads it */
		taint_letters(security, relevant, sizeof(relevant));
		finding_add(out, check, STATUS_WARN, "host",
			    json_pack("{s:I, s:s, s:o, s:s}", "tainted", mask, "letters", letters, "flags",
				      taint_json((uint64_t)mask), "security_relevant", relevant),
			    "Find the module or event that tainted the kernel (dmesg | grep -i taint; the flags column of "
			    "/proc/modules) and replace it with a signed, in-tree or vendor-signed one.",
			    "Kernel tainted %s: %s%s", letters, taint_flags[__builtin_ctzll(security)].meaning,
			    __builtin_popcountll(security) > 1 ? ", and more (see evidence)" : "");
		return;
	}
	finding_add(out, check, STATUS_PASS, "host",
		    json_pack("{s:I, s:s, s:o}", "tainted", mask, "letters", letters, "flags", taint_json((uint64_t)mask)),
		    NULL, mask == 0 ? "Kernel not tainted" : "Kernel tainted %s, for reasons that do not bear on code integrity",
		    letters);
}

/* backdoor.kernel.lockdown */
static void evaluate_lockdown(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	const json_t *k = kernel_facts(check, ctx, out);
	const char *mode;

	if (k == NULL)
		return;
	mode = jstr(k, "lockdown");
	if (mode == NULL)
		finding_add(out, check, STATUS_SKIP, "host", NULL, "Mount securityfs (/sys/kernel/security) to show it.",
			    "Lockdown mode unknown");
	else if (strcmp(mode, "none") == 0)
		finding_add(out, check, STATUS_WARN, "host", json_pack("{s:s}", "lockdown", mode),
			    "Boot with lockdown=integrity (Secure Boot enables it on most distributions): without it, root "
			    "can patch the running kernel (/dev/mem, kexec of unsigned kernels, unsigned modules).",
			    "Kernel lockdown is off: root can alter the running kernel");
	else
		finding_add(out, check, STATUS_PASS, "host", json_pack("{s:s}", "lockdown", mode), NULL,
			    "Kernel lockdown in %s mode", mode);
}

/* backdoor.kernel.secureboot */
static void evaluate_secureboot(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	const json_t *k = kernel_facts(check, ctx, out);
	bool efi = false, on = false;

	if (k == NULL)
		return;
	jbool(k, "efi", &efi);
	if (!jbool(k, "secure_boot", &on))
		finding_add(out, check, STATUS_SKIP, "host", json_pack("{s:b}", "efi", efi), NULL,
			    "The SecureBoot EFI variable could not be read: Secure Boot state unknown");
	else if (on)
		finding_add(out, check, STATUS_PASS, "host", json_pack("{s:b, s:b}", "efi", 1, "secure_boot", 1), NULL,
			    "UEFI Secure Boot is on");
	else
		finding_add(out, check, STATUS_WARN, "host", json_pack("{s:b, s:b}", "efi", efi, "secure_boot", 0),
			    "Enable UEFI Secure Boot in the firmware setup so that the boot chain and, with lockdown, the "
			    "modules are verified.",
			    efi ? "UEFI Secure Boot is off" : "Not booted through UEFI: no Secure Boot");
}

/* backdoor.kernel.sig_enforce */
static void evaluate_sig_enforce(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	const json_t *k = kernel_facts(check, ctx, out);
	const char *mode;
	bool enforce = false;
	bool by_lockdown;

	if (k == NULL)
		return;
	mode = jstr(k, "lockdown");
	by_lockdown = mode && strcmp(mode, "none") != 0;
	if (!jbool(k, "sig_enforce", &enforce)) {
		finding_add(out, check, STATUS_SKIP, "host", json_pack("{s:s?}", "lockdown", mode), NULL,
			    "module.sig_enforce not read: whether unsigned modules load is unknown");
		return;
	}
	if (enforce || by_lockdown)
		finding_add(out, check, STATUS_PASS, "host", json_pack("{s:b, s:s?}", "sig_enforce", enforce, "lockdown", mode),
			    NULL, enforce ? "Only modules with a valid signature load (module.sig_enforce=Y)"
					  : "Only modules with a valid signature load (enforced by lockdown)");
	else
		finding_add(out, check, STATUS_WARN, "host", json_pack("{s:b, s:s?}", "sig_enforce", 0, "lockdown", mode),
			    "Boot with module.sig_enforce=1 (or lockdown=integrity), after signing the accelerator's "
			    "out-of-tree modules with a key enrolled in the machine owner keyring.",
			    "Unsigned or wrongly signed modules load (they only taint the kernel with E)");
}

static const struct check kernel_checks[] = {
	{ "backdoor.kernel.tainted", "backdoor", "Kernel not tainted by unvetted code", SEVERITY_MEDIUM,
	  "kernel.tainted", 0, evaluate_tainted },
	{ "backdoor.kernel.lockdown", "backdoor", "Kernel lockdown enabled", SEVERITY_MEDIUM,
	  "kernel.lockdown", 0, evaluate_lockdown },
	{ "backdoor.kernel.secureboot", "backdoor", "UEFI Secure Boot on", SEVERITY_MEDIUM,
	  "kernel.efi, kernel.secure_boot", 0, evaluate_secureboot },
	{ "backdoor.kernel.sig_enforce", "backdoor", "Module signatures enforced", SEVERITY_HIGH,
	  "kernel.sig_enforce, kernel.lockdown", 0, evaluate_sig_enforce },
};

const struct check_family backdoor_kernel_family = { "backdoor-kernel", kernel_checks, ARRAY_SIZE(kernel_checks) };
