/* Identity as the driver tells it: do the name and PCI IDs the vendor
 * library gives (accelerators[].runtime.identity) agree with the PCI bus and
 * with the database? A relabelled board, a modified VBIOS or a driver that
 * lies would show here. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/accdb.h"
#include "core/check.h"
#include "core/json.h"
#include "core/util.h"
#include "vendor/runtime.h"
#include "vendor/vendor.h"

/* The first word of a model name that holds a digit: "H100 SXM" -> "H100",
 * "RTX 4090 D" -> "4090", "A100 SXM4 80GB" -> "A100". */
static void key_token(const char *name, char *out, size_t len)
{
	const char *p = name;

	out[0] = '\0';
	while (*p) {
		size_t n = strcspn(p, " -_/");
		bool digit = false;
		for (size_t i = 0; i < n; i++)
			digit |= isdigit((unsigned char)p[i]) != 0;
		if (digit && n < len) {
			memcpy(out, p, n);
			out[n] = '\0';
			return;
		}
		p += n;
		p += strspn(p, " -_/");
	}
}

/* Is one of NAME's words (split on space, '-', '_', '/') TOKEN, ignoring
 * case, or with EXTENDED a longer word that begins with it ("910B1" of
 * "910B": the mark of a variant the database does not know)? */
static bool word_of(const char *name, const char *token, bool extended)
{
	size_t tlen = strlen(token);
	const char *p = name;

	if (tlen == 0)
		return false;
	while (*p) {
		size_t n = strcspn(p, " -_/");
		if ((extended ? n > tlen : n == tlen) && strncasecmp(p, token, tlen) == 0)
			return true;
		p += n;
		p += strspn(p, " -_/");
	}
	return false;
}

static bool differs(const char *a, const char *b)
{
	return a && b && strcmp(a, b) != 0;
}

/* "NAME_member": evidence keys name the library that said it. */
static void put_said(json_t *ev, const struct vendor_backend *b, const char *member, const char *value)
{
	char key[64];

	snprintf(key, sizeof(key), "%s_%s", b->name, member);
	json_object_set_new(ev, key, value ? json_string(value) : json_null());
}

static json_t *identity_evidence(const struct vendor_backend *b, const json_t *acc, const json_t *rt,
				 const struct accel_model *by_id, const struct accel_model *by_name)
{
	json_t *ev = json_object();

	put_said(ev, b, "name", rt_str(rt, "identity.name"));
	put_said(ev, b, "vendor_id", rt_str(rt, "identity.vendor_id"));
	put_said(ev, b, "device_id", rt_str(rt, "identity.device_id"));
	put_said(ev, b, "subsystem_vendor_id", rt_str(rt, "identity.subsystem_vendor_id"));
	put_said(ev, b, "subsystem_device_id", rt_str(rt, "identity.subsystem_device_id"));
	json_object_update_new(ev, json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?}", "pci_vendor_id", jstr(acc, "vendor_id"),
					 "pci_device_id", jstr(acc, "device_id"), "pci_subsystem_vendor_id",
					 jstr(acc, "subsystem_vendor_id"), "pci_subsystem_device_id",
					 jstr(acc, "subsystem_device_id"), "seen_through", jstr(acc, "seen_through"),
					 "model_by_pci_id", by_id ? by_id->name : NULL, "model_by_nvml_name",
					 by_name ? by_name->name : NULL));
	return ev;
}

static void evaluate_gpu(const struct check *check, const struct judge_ctx *ctx, const struct vendor_backend *b,
			 const json_t *acc, const json_t *rt, struct findings *out)
{
	const char *addr = jstr(acc, "pci_address"), *name = rt_str(rt, "identity.name"), *lib = b->library_label;
	const char *nv_vendor = rt_str(rt, "identity.vendor_id"), *nv_device = rt_str(rt, "identity.device_id");
	const char *nv_sv = rt_str(rt, "identity.subsystem_vendor_id"), *nv_sd = rt_str(rt, "identity.subsystem_device_id");
	size_t vlen = strlen(b->vendor);
	const char *stripped = name && strncmp(name, b->vendor, vlen) == 0 && name[vlen] == ' ' ? name + vlen + 1 : name;
	const struct accel_model *by_id = NULL, *by_name = NULL;
	char token[32] = "", *remedy;
	json_t *ev;

	by_id = accdb_for_accelerator(ctx->accdb, acc);
	if (stripped)
		by_name = accdb_by_name(ctx->accdb, stripped);
	if (by_id)
		key_token(by_id->name, token, sizeof(token));
	ev = identity_evidence(b, acc, rt, by_id, by_name);
	remedy = remedy_at(b->remedies[RT_IDENTITY], addr);
	if (nv_vendor == NULL || nv_device == NULL) {
		/* agreement cannot rest on an ID the library did not give */
		finding_add(out, check, STATUS_SKIP, addr, ev, NULL, "%s's PCI ID unknown: %s", lib,
			    rt_why(rt, nv_vendor == NULL ? "identity.vendor_id" : "identity.device_id"));
	} else if (differs(nv_vendor, jstr(acc, "vendor_id")) || differs(nv_device, jstr(acc, "device_id"))) {
		finding_add(out, check, STATUS_FAIL, addr, ev, remedy,
			    "%s reports PCI ID %s:%s, the PCI bus shows %s:%s", lib, nv_vendor, nv_device,
			    jstr(acc, "vendor_id"), jstr(acc, "device_id"));
	} else if (differs(nv_sv, jstr(acc, "subsystem_vendor_id")) || differs(nv_sd, jstr(acc, "subsystem_device_id"))) {
		finding_add(out, check, STATUS_FAIL, addr, ev, remedy,
			    "%s reports subsystem %s:%s, the PCI bus shows %s:%s", lib, nv_sv, nv_sd,
			    jstr(acc, "subsystem_vendor_id"), jstr(acc, "subsystem_device_id"));
	} else if (name == NULL) {
		finding_add(out, check, STATUS_SKIP, addr, ev, NULL, "PCI IDs agree; %s's name unknown: %s", lib,
			    rt_why(rt, "identity.name"));
	} else if (by_id == NULL) {
		finding_add(out, check, STATUS_SKIP, addr, ev, NULL,
			    "PCI IDs agree; \"%s\" cannot be compared: the PCI ID is not in the database", name);
	} else if ((by_name && by_name != by_id && by_name->variant_of != by_id) ||
		   (by_name == NULL && !word_of(stripped, token, false) && !word_of(stripped, token, true))) {
		finding_add(out, check, STATUS_FAIL, addr, ev, remedy,
			    "%s names this %s \"%s\", its PCI ID %s:%s is the %s", lib, b->device_noun, name, jstr(acc, "vendor_id"),
			    jstr(acc, "device_id"), by_id->name);
	} else if (by_name == NULL && !word_of(stripped, token, false)) {
		/* neither confirmed nor refuted: a variant the database lacks, or a lie */
		finding_add(out, check, STATUS_WARN, addr, ev, remedy,
			    "%s's name \"%s\" is in no entry of the database; it extends \"%s\" of the %s its PCI ID "
			    "%s:%s is, as a variant sharing that ID would, but that cannot be confirmed", lib, name,
			    token, by_id->name, jstr(acc, "vendor_id"), jstr(acc, "device_id"));
	} else if (by_name && by_name != by_id) {
		finding_add(out, check, STATUS_PASS, addr, ev, NULL,
			    "%s's name \"%s\" is the %s, a variant of the %s that answers on its PCI ID %s:%s "
			    "(the database's variant_of)", lib, name, by_name->name, by_id->name, jstr(acc, "vendor_id"),
			    jstr(acc, "device_id"));
	} else {
		finding_add(out, check, STATUS_PASS, addr, ev, NULL,
			    "%s's name \"%s\" and PCI ID %s:%s agree with the %s%s and the database (%s)", lib, name,
			    jstr(acc, "vendor_id"), jstr(acc, "device_id"),
			    strcmp(jstr(acc, "seen_through"), "pci") == 0 ? "PCI bus" : lib,
			    strcmp(jstr(acc, "seen_through"), "pci") == 0 ? "" : "-only listing", by_id->name);
	}
	free(remedy);
}

static void evaluate_mismatch(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	size_t i;
	json_t *acc;

	json_array_foreach(jarr(ctx->facts, "accelerators"), i, acc) {
		const struct vendor_backend *b = vendor_backend_for(jstr(acc, "vendor_id"));
		const json_t *section = b ? jobj(ctx->facts, b->name) : NULL, *rt = jobj(acc, "runtime");
		/* nothing from the driver to compare; the killswitch checks say why */
		if (rt && section && json_is_true(json_object_get(section, "available")))
			evaluate_gpu(check, ctx, b, acc, rt, out);
	}
}

static const struct check identity_driver_checks[] = {
	{ "identity.mismatch", "identity", "Driver's identity agrees with the PCI bus and the database", SEVERITY_HIGH,
	  "accelerators[].runtime.identity, accelerators[].vendor_id, device_id, subsystem_*",
	  NEEDS_GPU | NEEDS_VENDOR_LIBRARY, evaluate_mismatch },
};

const struct check_family identity_driver_family = { "identity-driver", identity_driver_checks,
						     ARRAY_SIZE(identity_driver_checks) };
