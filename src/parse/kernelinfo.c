#include "parse/kernelinfo.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

const struct taint_flag taint_flags[] = {
	{ 0, 'P', "proprietary module loaded", true },
	{ 1, 'F', "module force-loaded", true },
	{ 2, 'S', "kernel running on an out-of-specification system", false },
	{ 3, 'R', "module force-unloaded", true },
	{ 4, 'M', "machine check exception", false },
	{ 5, 'B', "bad page referenced", false },
	{ 6, 'U', "taint requested by userspace", false },
	{ 7, 'D', "kernel died recently (oops or BUG)", false },
	{ 8, 'A', "ACPI table overridden", true },
	{ 9, 'W', "kernel issued a warning", false },
	{ 10, 'C', "staging driver loaded", true },
	{ 11, 'I', "workaround for a platform firmware bug", false },
	{ 12, 'O', "out-of-tree module loaded", true },
	{ 13, 'E', "unsigned module loaded", true },
	{ 14, 'L', "soft lockup occurred", false },
	{ 15, 'K', "kernel live-patched", false },
	{ 16, 'X', "auxiliary taint (distribution-defined)", true },
	{ 17, 'T', "built with the struct randomization plugin", false },
	{ 18, 'N', "in-kernel test run", false },
	{ 19, 'J', "fwctl debug write", false },
};
const size_t taint_flag_count = ARRAY_SIZE(taint_flags);

void taint_letters(uint64_t mask, char *out, size_t outlen)
{
	size_t o = 0;

	for (unsigned bit = 0; bit < 64 && o + 1 < outlen; bit++) {
		if (!(mask & ((uint64_t)1 << bit)))
			continue;
		out[o++] = bit < taint_flag_count ? taint_flags[bit].letter : '?';
	}
	out[o] = '\0';
}

bool taint_letters_valid(const char *s)
{
	for (; *s; s++) {
		bool known = false;
		for (size_t i = 0; i < taint_flag_count; i++)
			known |= taint_flags[i].letter == *s;
		if (!known)
			return false;
	}
	return true;
}

bool kmod_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > KMOD_NAME_MAX)
		return false;
	for (; *name; name++)
		if (!isalnum((unsigned char)*name) && *name != '_' && *name != '-')
			return false;
	return true;
}

bool kmod_name_equal(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char ca = *a == '-' ? '_' : *a, cb = *b == '-' ? '_' : *b;
		if (ca != cb)
			return false;
	}
	return *a == *b;
}

static void free_list(char **list)
{
	if (list == NULL)
		return;
	for (char **p = list; *p; p++)
		free(*p);
	free(list);
}

void proc_module_free(struct proc_module *m)
{
	free_list(m->used_by);
	m->used_by = NULL;
	m->used_by_count = 0;
}

/* "a,b," or "[permanent]," or "-" */
static int parse_used_by(const char *tok, struct proc_module *m, char *err, size_t errlen)
{
	const char *p = tok;

	m->used_by = xcalloc(1, sizeof(char *));
	if (strcmp(tok, "-") == 0)
		return 0;
	while (*p) {
		const char *comma = strchr(p, ',');
		char *name;
		if (comma == NULL) {
			snprintf(err, errlen, "used-by list \"%.40s\" is not comma-terminated", tok);
			return -1;
		}
		name = xstrndup(p, (size_t)(comma - p));
		if (strcmp(name, "[permanent]") != 0 && !kmod_name_valid(name)) {
			snprintf(err, errlen, "used-by entry \"%.40s\" is not a module name", name);
			free(name);
			return -1;
		}
		m->used_by = xreallocarray(m->used_by, m->used_by_count + 2, sizeof(char *));
		m->used_by[m->used_by_count++] = name;
		m->used_by[m->used_by_count] = NULL;
		p = comma + 1;
	}
	return 0;
}

/* "(POE)", "(OE+)", "(-)" */
static int parse_flags(const char *tok, struct proc_module *m, char *err, size_t errlen)
{
	size_t n = strlen(tok), o = 0;

	if (n < 2 || tok[0] != '(' || tok[n - 1] != ')' || n - 2 >= sizeof(m->flags)) {
		snprintf(err, errlen, "flags \"%.40s\" are not \"(LETTERS)\"", tok);
		return -1;
	}
	for (size_t i = 1; i + 1 < n; i++) {
		char c = tok[i];
		if ((c == '+' || c == '-') && i + 2 == n)
			continue;   /* loading / unloading marker */
		if (!isupper((unsigned char)c)) {
			snprintf(err, errlen, "flags \"%.40s\" hold '%c', not a taint letter", tok, c);
			return -1;
		}
		m->flags[o++] = c;
	}
	m->flags[o] = '\0';
	if (!taint_letters_valid(m->flags)) {
		snprintf(err, errlen, "flags \"%.40s\" hold an unknown taint letter", tok);
		return -1;
	}
	return 0;
}

int proc_modules_parse_line(const char *line, struct proc_module *m, char *err, size_t errlen)
{
	char *copy = xstrdup(line), *save = NULL, *tok[8];
	int ntok = 0, rc = -1;
	uint64_t addr;
	int64_t ref;

	memset(m, 0, sizeof(*m));
	for (char *t = strtok_r(copy, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		if (ntok == 7) {
			snprintf(err, errlen, "more than 7 fields");
			goto out;
		}
		tok[ntok++] = t;
	}
	if (ntok < 6) {
		snprintf(err, errlen, "%d fields, expected 6 or 7 (name size refcount used-by state address [flags])", ntok);
		goto out;
	}
	if (!kmod_name_valid(tok[0])) {
		snprintf(err, errlen, "\"%.60s\" is not a module name", tok[0]);
		goto out;
	}
	snprintf(m->name, sizeof(m->name), "%s", tok[0]);
	if (parse_u64(tok[1], 10, &m->size) != 0) {
		snprintf(err, errlen, "size \"%.40s\" is not a number", tok[1]);
		goto out;
	}
	if (strcmp(tok[2], "-") == 0)
		m->refcount = -1;
	else if (parse_i64(tok[2], 10, &ref) != 0 || ref < 0 || ref > INT32_MAX) {
		snprintf(err, errlen, "refcount \"%.40s\" is not a count", tok[2]);
		goto out;
	} else
		m->refcount = ref;
	if (parse_used_by(tok[3], m, err, errlen) != 0)
		goto out;
	if (strcmp(tok[4], "Live") != 0 && strcmp(tok[4], "Loading") != 0 && strcmp(tok[4], "Unloading") != 0) {
		snprintf(err, errlen, "state \"%.40s\" is not Live, Loading or Unloading", tok[4]);
		goto out;
	}
	snprintf(m->state, sizeof(m->state), "%s", tok[4]);
	if (!str_starts_with(tok[5], "0x") || parse_u64(tok[5], 16, &addr) != 0) {
		snprintf(err, errlen, "address \"%.40s\" is not a hex number", tok[5]);
		goto out;
	}
	if (ntok == 7 && parse_flags(tok[6], m, err, errlen) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0)
		proc_module_free(m);
	free(copy);
	return rc;
}

const char *lockdown_active(const char *line, char *out, size_t outlen)
{
	const char *open = strchr(line, '['), *close;
	size_t n;

	if (open == NULL || (close = strchr(open, ']')) == NULL || strchr(close + 1, '['))
		return NULL;
	n = (size_t)(close - open - 1);
	if (n == 0 || n >= outlen)
		return NULL;
	memcpy(out, open + 1, n);
	out[n] = '\0';
	if (strcmp(out, "none") != 0 && strcmp(out, "integrity") != 0 && strcmp(out, "confidentiality") != 0)
		return NULL;
	return out;
}

static bool dma_word(const char *w)
{
	static const char *const keys[] = {
		"iommu", "intel_iommu", "amd_iommu", "iommu.passthrough", "iommu.strict", "pci",
		"arm-smmu.disable_bypass",
	};
	size_t klen = strcspn(w, "=");

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (strlen(keys[i]) == klen && strncmp(w, keys[i], klen) == 0)
			return true;
	return false;
}

char **cmdline_dma_words(const char *cmdline)
{
	char *copy = xstrdup(cmdline), *save = NULL;
	char **words = xcalloc(1, sizeof(char *));
	size_t n = 0;

	for (char *w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
		if (!dma_word(w))
			continue;
		words = xreallocarray(words, n + 2, sizeof(char *));
		words[n++] = xstrdup(w);
		words[n] = NULL;
	}
	free(copy);
	return words;
}

void kernelinfo_free_words(char **words)
{
	free_list(words);
}

static bool value_true(const char *v)
{
	return strcmp(v, "1") == 0 || strcmp(v, "y") == 0 || strcmp(v, "Y") == 0 || strcmp(v, "on") == 0;
}

static bool list_has(const char *list, const char *item)
{
	size_t n = strlen(item);

	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");
		if (len == n && strncmp(p, item, n) == 0)
			return true;
		p += len;
		if (*p == ',')
			p++;
	}
	return false;
}

/* Later words override earlier ones, as the kernel parses them in order. */
void cmdline_iommu_interpret(char *const *words, struct cmdline_iommu *out)
{
	memset(out, 0, sizeof(*out));
	for (char *const *w = words; w && *w; w++) {
		const char *eq = strchr(*w, '='), *v = eq ? eq + 1 : "";
		size_t klen = eq ? (size_t)(eq - *w) : strlen(*w);
		if (klen == 5 && strncmp(*w, "iommu", 5) == 0) {
			if (list_has(v, "pt"))
				out->passthrough = true;
			if (list_has(v, "nopt"))
				out->passthrough = false;
			if (list_has(v, "off"))
				out->disabled = true;
		} else if (klen == 17 && strncmp(*w, "iommu.passthrough", 17) == 0) {
			out->passthrough = value_true(v);
		} else if (klen == 12 && strncmp(*w, "iommu.strict", 12) == 0) {
			out->lazy = !value_true(v);
		} else if ((klen == 11 && strncmp(*w, "intel_iommu", 11) == 0) ||
			   (klen == 9 && strncmp(*w, "amd_iommu", 9) == 0)) {
			if (list_has(v, "off"))
				out->disabled = true;
			if (list_has(v, "on"))
				out->disabled = false;
			if (list_has(v, "pt"))
				out->passthrough = true;
		} else if (klen == 3 && strncmp(*w, "pci", 3) == 0) {
			if (list_has(v, "noats"))
				out->noats = true;
		}
	}
}

int driver_version_parse(const char *s, unsigned long parts[4])
{
	int n = 0;
	const char *p = s;

	if (s == NULL || *s == '\0')
		return -1;
	while (*p) {
		char *end;
		if (n == 4 || !isdigit((unsigned char)*p))
			return -1;
		errno = 0;
		parts[n++] = strtoul(p, &end, 10);
		if (errno || end - p > 9)
			return -1;
		p = end;
		if (*p == '.') {
			p++;
			if (*p == '\0')
				return -1;
		} else if (*p) {
			return -1;
		}
	}
	return n;
}

int driver_version_compare(const char *a, const char *b)
{
	unsigned long pa[4] = { 0 }, pb[4] = { 0 };
	int na = driver_version_parse(a, pa), nb = driver_version_parse(b, pb);

	if (na < 0 || nb < 0)
		return na < 0 ? (nb < 0 ? 0 : -1) : 1;
	for (int i = 0; i < 4; i++)
		if (pa[i] != pb[i])
			return pa[i] < pb[i] ? -1 : 1;
	return 0;
}

long driver_version_branch(const char *s)
{
	unsigned long parts[4];
	return driver_version_parse(s, parts) > 0 ? (long)parts[0] : -1;
}
