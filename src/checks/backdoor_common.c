/* Helpers shared by the backdoor check families. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/backdoor.h"
#include "checks/judge.h"
#include "core/json.h"
#include "core/util.h"

const json_t *backdoor_pcie_entry(const json_t *facts, const char *address)
{
	size_t i;
	json_t *e;

	json_array_foreach(jarr(facts, "pcie"), i, e)
		if (strcmp(jstr(e, "pci_address"), address) == 0)
			return e;
	return NULL;
}

const json_t *backdoor_iommu_group(const json_t *facts, const json_t *acc)
{
	json_int_t want, n;
	size_t i;
	json_t *g;

	if (!jint(acc, "iommu_group", &want))
		return NULL;
	json_array_foreach(jarr(jobj(facts, "iommu"), "groups"), i, g)
		if (jint(g, "group", &n) && n == want)
			return g;
	return NULL;
}

bool backdoor_need_section(const struct check *check, const struct judge_ctx *ctx, struct findings *out,
			   const char *section, bool per_accelerator)
{
	size_t i;
	json_t *acc;

	if (json_object_get(ctx->facts, section) != NULL)
		return true;
	if (!per_accelerator) {
		finding_add(out, check, STATUS_SKIP, "host", NULL, "Gather facts with this version of chipaudit.",
			    "The facts hold no \"%s\" section (gathered by an older probe?): not examined", section);
		return false;
	}
	json_array_foreach(jarr(ctx->facts, "accelerators"), i, acc)
		finding_add(out, check, STATUS_SKIP, jstr(acc, "pci_address"), NULL,
			    "Gather facts with this version of chipaudit.",
			    "The facts hold no \"%s\" section (gathered by an older probe?): not examined", section);
	return false;
}

bool backdoor_need_sysfs(const struct check *check, const json_t *acc, const char *what, struct findings *out)
{
	const char *seen = jstr(acc, "seen_through");

	if (judge_in_sysfs(acc))
		return true;
	finding_add(out, check, STATUS_SKIP, jstr(acc, "pci_address"), json_pack("{s:s?}", "seen_through", seen),
		    "Audit the host itself (not a container), or a snapshot taken there.",
		    "Seen through %s only: sysfs does not show the device, so its %s cannot be examined",
		    seen ? seen : "a vendor library", what);
	return false;
}

static struct {
	bool tried;
	int ok;
	struct trustdb db;
	char err[512];
} cache;

const struct trustdb *backdoor_trustdb(char *err, size_t errlen)
{
	if (!cache.tried) {
		cache.tried = true;
		cache.ok = trustdb_load(&cache.db, cache.err, sizeof(cache.err)) == 0;
		if (!cache.ok) {
			/* said once on stderr too: a broken data file is the operator's to fix */
			error_msg("%s", cache.err);
			trustdb_free(&cache.db);
		}
	}
	if (!cache.ok) {
		snprintf(err, errlen, "%s", cache.err);
		return NULL;
	}
	return &cache.db;
}

void backdoor_trustdb_release(void)
{
	trustdb_free(&cache.db);
	memset(&cache, 0, sizeof(cache));
}

const char *backdoor_driver_version(const json_t *facts, const char *driver)
{
	size_t i;
	json_t *d;

	json_array_foreach(jarr(facts, "drivers"), i, d)
		if (driver && strcmp(jstr(d, "name"), driver) == 0)
			return jstr(d, "version");
	return NULL;
}

enum manifest_verdict backdoor_manifest_lookup(const struct judge_ctx *ctx, const struct trustdb *db,
					       const char *driver, const char *path, const char *sha256, uint64_t size,
					       const json_t **expected, const char **origin)
{
	struct trustdb given = { .bulletins = NULL, .manifests = ctx->options ? ctx->options->manifests : NULL };
	const char *version = backdoor_driver_version(ctx->facts, driver);
	const json_t *e2;
	const char *o2;
	enum manifest_verdict a = trustdb_manifest_lookup(db, driver, version, path, sha256, size, expected, origin);
	enum manifest_verdict b = trustdb_manifest_lookup(&given, driver, version, path, sha256, size, &e2, &o2);

	if (a == MANIFEST_MATCH)
		return a;
	if (b == MANIFEST_MATCH || (a == MANIFEST_UNLISTED && b == MANIFEST_MISMATCH)) {
		*expected = e2;
		*origin = o2;
		return b;
	}
	return a;
}

int backdoor_option_manifest(const char *path, void *target, char *err, size_t errlen)
{
	struct judge_options *judge = target;
	struct trustdb given = { .bulletins = NULL, .manifests = judge->manifests };
	char why[1024];
	int rc;

	if (trustdb_add_manifest_file(&given, path, why, sizeof(why), &rc) != 0) {
		snprintf(err, errlen, "--manifest %s", why);
		return rc;
	}
	judge->manifests = given.manifests;
	return 0;
}

void backdoor_options_free(struct judge_options *judge)
{
	json_decref(judge->manifests);
	judge->manifests = NULL;
	backdoor_trustdb_release();
}
