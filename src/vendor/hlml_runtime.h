/* HLML's side of the vendor-neutral record (runtime.h). */
#ifndef CHIPAUDIT_VENDOR_HLML_RUNTIME_H
#define CHIPAUDIT_VENDOR_HLML_RUNTIME_H

#include <jansson.h>

#include "vendor/runtime.h"

json_t *hlml_describe(const json_t *section, const json_t *dev);
json_t *hlml_evidence(enum runtime_concern concern, const json_t *section, const json_t *dev);
extern const char *const hlml_remedies[RT_CONCERN_COUNT];

#endif
