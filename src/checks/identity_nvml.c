/* Identity as the driver tells it: do NVML's name and PCI IDs agree with the
 * PCI bus and with the database? A relabelled board, a modified VBIOS or a
 * driver that lies would show here. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/accdb.h"
#include "core/check.h"
#include "core/json.h"
#include "core/util.h"
#include "vendor/nvml_facts.h"

#define REMEDY \
	"Compare `nvidia-smi -q -i %s` (Product Name, PCI Device Id, Sub System Id) with " \
	"`lspci -nn -v -s %s`: the driver and the PCI configuration space disagree about what this GPU is, " \
	"which a modified VBIOS, a modified driver or a relabelled board would explain."

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

/* Is TOKEN one of NAME's words (split on space, '-', '_', '/'), ignoring case? */
static bool has_word(const char *name, const char *token)
{
	size_t tlen = strlen(token);
	const char *p = name;

	if (tlen == 0)
		return false;
	while (*p) {
		size_t n = strcspn(p, " -_/");
		if (n == tlen && strncasecmp(p, token, n) == 0)
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

static void evaluate_gpu(const struct check *check, const struct judge_ctx *ctx, const json_t *acc,
			 const json_t *dev, struct findings *out)
{
	const char *addr = jstr(acc, "pci_address"), *name = nf_str(dev, "name");
	const char *nv_vendor = nf_str(dev, "pci.vendor_id"), *nv_device = nf_str(dev, "pci.device_id");
	const char *nv_sv = nf_str(dev, "pci.subsystem_vendor_id"), *nv_sd = nf_str(dev, "pci.subsystem_device_id");
	const char *stripped = name && str_starts_with(name, "NVIDIA ") ? name + 7 : name;
	const struct accel_model *by_id = NULL, *by_name = NULL;
	char token[32] = "", *remedy;
	json_t *ev;

	by_id = accdb_for_accelerator(ctx->accdb, acc);
	if (stripped)
		by_name = accdb_by_name(ctx->accdb, stripped);
	if (by_id)
		key_token(by_id->name, token, sizeof(token));
	ev = json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?}",
		       "nvml_name", name, "nvml_vendor_id", nv_vendor, "nvml_device_id", nv_device,
		       "nvml_subsystem_vendor_id", nv_sv, "nvml_subsystem_device_id", nv_sd,
		       "pci_vendor_id", jstr(acc, "vendor_id"), "pci_device_id", jstr(acc, "device_id"),
		       "pci_subsystem_vendor_id", jstr(acc, "subsystem_vendor_id"),
		       "pci_subsystem_device_id", jstr(acc, "subsystem_device_id"), "seen_through", jstr(acc, "seen_through"),
		       "model_by_pci_id", by_id ? by_id->name : NULL, "model_by_nvml_name", by_name ? by_name->name : NULL);
	remedy = xasprintf(REMEDY, addr, addr);
	if (nv_vendor == NULL || nv_device == NULL) {
		/* agreement cannot rest on an ID NVML did not give */
		finding_add(out, check, STATUS_SKIP, addr, ev, NULL, "NVML's PCI ID unknown: %s",
			    nf_why(dev, nv_vendor == NULL ? "pci.vendor_id" : "pci.device_id"));
	} else if (differs(nv_vendor, jstr(acc, "vendor_id")) || differs(nv_device, jstr(acc, "device_id"))) {
		finding_add(out, check, STATUS_FAIL, addr, ev, remedy,
			    "NVML reports PCI ID %s:%s, the PCI bus shows %s:%s", nv_vendor, nv_device,
			    jstr(acc, "vendor_id"), jstr(acc, "device_id"));
	} else if (differs(nv_sv, jstr(acc, "subsystem_vendor_id")) || differs(nv_sd, jstr(acc, "subsystem_device_id"))) {
		finding_add(out, check, STATUS_FAIL, addr, ev, remedy,
			    "NVML reports subsystem %s:%s, the PCI bus shows %s:%s", nv_sv, nv_sd,
			    jstr(acc, "subsystem_vendor_id"), jstr(acc, "subsystem_device_id"));
	} else if (name == NULL) {
		finding_add(out, check, STATUS_SKIP, addr, ev, NULL, "PCI IDs agree; NVML's name unknown: %s",
			    nf_why(dev, "name"));
	} else if (by_id == NULL) {
		finding_add(out, check, STATUS_SKIP, addr, ev, NULL,
			    "PCI IDs agree; \"%s\" cannot be compared: the PCI ID is not in the database", name);
	} else if ((by_name && by_name != by_id) || (by_name == NULL && !has_word(stripped, token))) {
		finding_add(out, check, STATUS_FAIL, addr, ev, remedy,
			    "NVML names this GPU \"%s\", its PCI ID %s:%s is the %s", name, jstr(acc, "vendor_id"),
			    jstr(acc, "device_id"), by_id->name);
	} else {
		finding_add(out, check, STATUS_PASS, addr, ev, NULL,
			    "NVML's name \"%s\" and PCI ID %s:%s agree with the %s and the database (%s)", name,
			    jstr(acc, "vendor_id"), jstr(acc, "device_id"),
			    strcmp(jstr(acc, "seen_through"), "pci") == 0 ? "PCI bus" : "NVML-only listing", by_id->name);
	}
	free(remedy);
}

static void evaluate_mismatch(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	const json_t *nvml = jobj(ctx->facts, "nvml");
	size_t i;
	json_t *acc;

	if (nvml == NULL || !json_is_true(json_object_get(nvml, "available")))
		return;   /* nothing from the driver to compare; killswitch checks say why */
	json_array_foreach(jarr(ctx->facts, "accelerators"), i, acc) {
		const json_t *dev = jobj(acc, "nvml");
		if (dev)
			evaluate_gpu(check, ctx, acc, dev, out);
	}
}

static const struct check identity_nvml_checks[] = {
	{ "identity.mismatch", "identity", "Driver's identity agrees with the PCI bus and the database", SEVERITY_HIGH,
	  "accelerators[].nvml.name, nvml.pci, accelerators[].vendor_id, device_id, subsystem_*",
	  NEEDS_GPU | NEEDS_VENDOR_LIBRARY, evaluate_mismatch },
};

const struct check_family identity_nvml_family = { "identity-nvml", identity_nvml_checks,
						   ARRAY_SIZE(identity_nvml_checks) };
