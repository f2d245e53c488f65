/* Parsers for the kernel's own text formats that the backdoor checks read:
 * /proc/modules lines, module taint flags, the taint mask, the lockdown
 * file, the kernel command line, and driver version strings. Pure
 * functions on strings, so the fuzzers and unit tests drive them directly. */
#ifndef CHIPAUDIT_KERNELINFO_H
#define CHIPAUDIT_KERNELINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* MODULE_NAME_LEN is 64 - sizeof(unsigned long): names are at most 55 bytes. */
#define KMOD_NAME_MAX 55

/* One line of /proc/modules (kernel/module/procfs.c m_show):
 *   "nvidia_uvm 1540096 0 - Live 0xffffffffc0a00000 (POE)"
 *   name size refcount used-by state address [flags]
 * refcount and used-by are "-" without CONFIG_MODULE_UNLOAD; used-by lists
 * "a,b," or "[permanent],"; flags are taint letters and a trailing '+'
 * (loading) or '-' (unloading) in parentheses. */
struct proc_module {
	char name[KMOD_NAME_MAX + 1];
	uint64_t size;
	int64_t refcount;          /* -1 when the kernel does not count */
	char **used_by;            /* NULL-terminated */
	size_t used_by_count;
	char state[16];            /* Live, Loading, Unloading */
	char flags[24];            /* taint letters, "" when none */
};

/* 0, or -1 with err describing the problem (without the file name). */
int proc_modules_parse_line(const char *line, struct proc_module *m, char *err, size_t errlen);
void proc_module_free(struct proc_module *m);

/* Module names compare with '-' and '_' the same (the kernel's convention). */
bool kmod_name_equal(const char *a, const char *b);
bool kmod_name_valid(const char *name);

/* The taint bits (Documentation/admin-guide/tainted-kernels.rst). */
struct taint_flag {
	unsigned bit;
	char letter;
	const char *meaning;
	bool security;   /* one fwupd's HSI counts as "tainted" */
};
extern const struct taint_flag taint_flags[];
extern const size_t taint_flag_count;
/* Letters of the bits set in MASK into out ("POE"); unknown bits as '?'. */
void taint_letters(uint64_t mask, char *out, size_t outlen);
/* Is every character a taint letter the kernel prints (per-module flags)? */
bool taint_letters_valid(const char *s);

/* The active mode of /sys/kernel/security/lockdown ("none [integrity]
 * confidentiality" -> "integrity"). NULL when the line is malformed. */
const char *lockdown_active(const char *line, char *out, size_t outlen);

/* Kernel command line words that shape DMA isolation: iommu=, intel_iommu=,
 * amd_iommu=, iommu.passthrough=, iommu.strict=, pci= (noats) and
 * arm-smmu.disable_bypass=. Returns a NULL-terminated array; free with
 * kernelinfo_free_words. */
char **cmdline_dma_words(const char *cmdline);
void kernelinfo_free_words(char **words);

/* What the command line asks of the IOMMU. */
struct cmdline_iommu {
	bool passthrough;   /* iommu=pt, iommu.passthrough=1, amd_iommu=pt */
	bool disabled;      /* iommu=off, intel_iommu=off, amd_iommu=off */
	bool lazy;          /* iommu.strict=0 */
	bool noats;         /* pci=noats */
};
void cmdline_iommu_interpret(char *const *words, struct cmdline_iommu *out);

/* Driver versions: dot-separated decimal components ("580.95.05").
 * Returns the number of components (1-4) or -1 when malformed. */
int driver_version_parse(const char *s, unsigned long parts[4]);
/* <0, 0, >0 like strcmp; both must parse (callers validate first). */
int driver_version_compare(const char *a, const char *b);
/* "580.95.05" -> 580 (the branch number, "R580"). -1 when malformed. */
long driver_version_branch(const char *s);

#endif
