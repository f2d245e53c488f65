/* libFuzzer target: the kernel text parsers (parse/kernelinfo.c): each line
 * of the input as a /proc/modules line, a lockdown line, a command line and
 * a driver version. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/kernelinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *save = NULL, err[160], mode[32], letters[72];
	struct cmdline_iommu ci;
	unsigned long parts[4];

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct proc_module m;
		char **words;
		if (proc_modules_parse_line(line, &m, err, sizeof(err)) == 0) {
			if (!kmod_name_valid(m.name) || !taint_letters_valid(m.flags))
				abort();
			for (size_t i = 0; i < m.used_by_count; i++)
				if (m.used_by[i] == NULL)
					abort();
			proc_module_free(&m);
		}
		lockdown_active(line, mode, sizeof(mode));
		words = cmdline_dma_words(line);
		cmdline_iommu_interpret(words, &ci);
		kernelinfo_free_words(words);
		if (driver_version_parse(line, parts) > 0)
			driver_version_compare(line, "580.95.05");
		driver_version_branch(line);
	}
	if (size >= 8) {
		uint64_t mask;
		memcpy(&mask, data, sizeof(mask));
		taint_letters(mask, letters, sizeof(letters));
	}
	free(text);
	return 0;
}
