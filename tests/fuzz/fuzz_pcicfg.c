/* libFuzzer target: the configuration space walker (parse/pcicfg.c) on any
 * bytes a device or a captured tree could present. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/pcicfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcicfg_info info;
	char err[128];

	if (size > PCICFG_EXT_SIZE)
		size = PCICFG_EXT_SIZE;
	if (pcicfg_parse(data, size, &info, err, sizeof(err)) == 0) {
		/* what the probe writes must be consistent */
		if (info.ats_present && !info.ext_readable)
			abort();
		if (info.malformed[0] && strlen(info.malformed) >= sizeof(info.malformed))
			abort();
		pcie_port_type_name(info.port_type);
	}
	return 0;
}
