/* The accelerator database (data/accelerators.json) and the vendor table
 * (data/vendors.json), loaded and validated into typed structures. */
#ifndef CHIPAUDIT_ACCDB_H
#define CHIPAUDIT_ACCDB_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum precision {
	PREC_FP64, PREC_FP32, PREC_TF32, PREC_BF16, PREC_FP16, PREC_FP8, PREC_INT8, PREC_INT4, PREC_FP4,
	PREC_COUNT
};
extern const char *const precision_names[PREC_COUNT]; /* "fp64", ... */
int precision_from_name(const char *name);             /* -1 when unknown */

/* Unknown figures are NAN (use isnan); unknown booleans are -1. */
struct accel_model {
	const char *name;
	const char **other_names;   /* NULL-terminated */
	/* The name, then each other name, as names compare (no case, spaces,
	 * '-' or '_'): made once, so that looking a name up compares strings only. */
	char **name_keys;           /* NULL-terminated */
	const char *vendor;
	bool has_vendor_id;
	uint16_t vendor_id;
	uint16_t *device_ids;
	size_t device_id_count;
	const char *architecture;   /* NULL when unknown */
	int datacenter;             /* 1, 0, or -1 unknown */
	double compute_units;
	const char *compute_unit_kind;
	double memory_gb;
	double memory_bandwidth_gbs;
	double interconnect_bandwidth_gbs;
	double die_area_mm2;
	double logic_dies;
	double tdp_w;
	double dense_tops[PREC_COUNT];
	const json_t *json;         /* the entry itself, for fields other areas read */
	/* The model whose PCI IDs this one answers on ("variant_of": the Ascend
	 * 910B3 on the 910B's d802); NULL for most. */
	const struct accel_model *variant_of;
	/* The ISO 3166 code of the country where the maker (its "vendor") is
	 * headquartered, from data/vendors.json's "makers"; NULL when unknown. */
	const char *maker_country;
};

struct accel_vendor {
	uint16_t vendor_id;
	const char *name;
	const char **classes;       /* NULL-terminated class prefixes */
	bool database_only;
};

struct accdb {
	json_t *models_json;
	json_t *vendors_json;
	struct accel_model *models;
	size_t model_count;
	struct accel_vendor *vendors;
	size_t vendor_count;
};

/* Load both files from the data layer. err names the file and the problem. */
int accdb_load(struct accdb *db, char *err, size_t errlen);
/* Build from parsed documents (steals both); used by tests and the fuzzer. */
int accdb_from_json(struct accdb *db, json_t *models, json_t *vendors, char *err, size_t errlen);
void accdb_free(struct accdb *db);

const struct accel_model *accdb_by_pci(const struct accdb *db, uint16_t vendor, uint16_t device);
/* The model of an accelerator of the facts (or a report): by its
 * "vendor_id" and "device_id" members, 4 hex digits each. NULL when DB is
 * NULL, an id is missing or malformed, or the model is not in the database. */
const struct accel_model *accdb_for_accelerator(const struct accdb *db, const json_t *acc);
/* Case-insensitive; spaces, '-' and '_' are ignored ("h100sxm" finds "H100 SXM"). */
const struct accel_model *accdb_by_name(const struct accdb *db, const char *name);
/* Up to max models whose names are close to NAME, best first. */
size_t accdb_close_matches(const struct accdb *db, const char *name,
			   const struct accel_model **out, size_t max);
const struct accel_vendor *accdb_vendor(const struct accdb *db, uint16_t vendor);

/* Does a device of this vendor, device and class (0xCCSSPP) count as an
 * accelerator? A model of the database; any vendor's processing accelerator
 * (class 12) or 3D controller (0302); a class data/vendors.json gives its vendor. */
bool accdb_is_accelerator(const struct accdb *db, uint16_t vendor, uint16_t device, uint32_t class_code);

#endif
