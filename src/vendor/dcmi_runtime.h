/* DCMI's side of the vendor-neutral record (runtime.h). */
#ifndef CHIPAUDIT_VENDOR_DCMI_RUNTIME_H
#define CHIPAUDIT_VENDOR_DCMI_RUNTIME_H

#include <jansson.h>

#include "vendor/runtime.h"

json_t *dcmi_describe(const json_t *section, const json_t *dev);
json_t *dcmi_evidence(enum runtime_concern concern, const json_t *section, const json_t *dev);
extern const char *const dcmi_remedies[RT_CONCERN_COUNT];

#endif
