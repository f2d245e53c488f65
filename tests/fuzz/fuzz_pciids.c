/* libFuzzer target: the pci.ids reader (core/pcinames.c). The first four
 * bytes choose the vendor and device looked up; the rest is the file. A name
 * found must lie within the input, hold no line break and be at most 255
 * bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/pcinames.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_name(char *name)
{
	if (name == NULL)
		return;
	if (strlen(name) == 0 || strlen(name) > 255 || strchr(name, '\n'))
		abort();
	free(name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint16_t vendor, device;
	/* not NUL-terminated, as the file is read */
	char *text;

	if (size < 4)
		return 0;
	vendor = (uint16_t)(data[0] << 8 | data[1]);
	device = (uint16_t)(data[2] << 8 | data[3]);
	text = malloc(size - 4 ? size - 4 : 1);
	if (text == NULL)
		return 0;
	memcpy(text, data + 4, size - 4);
	check_name(pciids_lookup(text, size - 4, vendor, false, 0));
	check_name(pciids_lookup(text, size - 4, vendor, true, device));
	free(text);
	return 0;
}
