/* The vendor backends. Adding one is a line here (and its own file). */
#include "vendor/vendor.h"

#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/util.h"

const struct vendor_backend *const vendor_backends[] = {
	&nvml_backend,
	&amdsmi_backend,
	&dcmi_backend,
	&hlml_backend,
};
const size_t vendor_backend_count = ARRAY_SIZE(vendor_backends);

const struct vendor_backend *vendor_backend_for(const char *vendor_id)
{
	char id[8];

	if (vendor_id == NULL)
		return NULL;
	for (size_t i = 0; i < vendor_backend_count; i++) {
		snprintf(id, sizeof(id), "%04x", vendor_backends[i]->pci_vendor_id);
		if (strcmp(id, vendor_id) == 0)
			return vendor_backends[i];
	}
	return NULL;
}

const struct vendor_backend *vendor_backend_named(const char *name)
{
	for (size_t i = 0; i < vendor_backend_count; i++)
		if (strcmp(vendor_backends[i]->name, name) == 0)
			return vendor_backends[i];
	return NULL;
}

const json_t *vendor_values(const json_t *acc, const struct vendor_backend *b)
{
	return b ? jobj(jobj(acc, VENDOR_VALUES_MEMBER), b->name) : NULL;
}
