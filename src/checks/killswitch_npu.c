/* Kill-switch symptoms only an Ascend NPU reports, through DCMI
 * (src/vendor/dcmi.c): its health with the black-box error codes standing,
 * and the health of its own RoCE port, which the NPUs of a server use to
 * reach each other. The other vendors' accelerators are not their subject:
 * they get no finding here. docs/killswitch.md says what each concludes. */
#include <stdio.h>
#include <string.h>

#include "checks/killswitch.h"
#include "core/check.h"
#include "core/json.h"
#include "core/util.h"
#include "vendor/vendor.h"

#define SMI "npu-smi"

/* Why DCMI gave no value at PATH, or a default. */
static const char *why_unavailable(const struct gpu *npu, const char *path)
{
	const char *why = jstr(jobj(npu->values, "unavailable"), path);
	return why ? why : "not reported";
}

/* "0x80E01801 (HBM multi-bit ECC error), 0x80CB8009" */
static void codes_text(const json_t *codes, char *buf, size_t len)
{
	const json_t *c;
	size_t i, used = 0;

	buf[0] = '\0';
	json_array_foreach(codes, i, c) {
		if (used >= len)
			break;
		used += (size_t)snprintf(buf + used, len - used, "%s0x%08llX%s%s%s", i ? ", " : "",
					 (long long)json_integer_value(json_object_get(c, "code")),
					 jstr(c, "text") ? " (" : "", jstr(c, "text") ? jstr(c, "text") : "",
					 jstr(c, "text") ? ")" : "");
	}
}

static void judge_health(const struct check *check, const struct judge_ctx *ctx, const struct gpu *npu,
			 struct findings *out)
{
	static const char *const remedy = "Read `" SMI " info -t health -i ID -c CHIP` (the evidence's card and chip) "
		"and the codes in Huawei's black-box error code list for the product; reset the chip (`" SMI
		" set -t reset -i ID -c CHIP`) or have it serviced if the alarm stands.";
	const char *health = jstr(npu->values, "health");
	const json_t *codes = json_object_get(npu->values, "error_codes");
	json_t *ev = json_pack("{s:O?, s:O?, s:O?, s:O?}", "health", json_object_get(npu->values, "health"),
			       "error_codes", codes, "card_id", json_object_get(npu->values, "card_id"), "chip_id",
			       json_object_get(npu->values, "chip_id"));
	char list[1024];
	size_t n = json_array_size(codes);

	codes_text(codes, list, sizeof(list));
	if (health == NULL)
		finding_add(out, check, STATUS_SKIP, npu->addr, ev, NULL, "Health unknown: %s",
			    why_unavailable(npu, "health"));
	else if (strcmp(health, "absent") == 0)
		finding_add(out, check, STATUS_SKIP, npu->addr, ev, NULL,
			    "DCMI reports the chip absent: its health cannot be read (see killswitch.device_lost)");
	else if (strcmp(health, "major_alarm") == 0 || strcmp(health, "critical_alarm") == 0)
		finding_add(out, check, STATUS_FAIL, npu->addr, ev, remedy, "Health %s%s%s", health,
			    n ? "; error codes: " : "; no error code given", list);
	else if (strcmp(health, "minor_alarm") == 0 || n > 0)
		finding_add(out, check, STATUS_WARN, npu->addr, ev, remedy, "Health %s%s%s", health,
			    n ? "; error codes standing: " : "", list);
	else if (json_is_array(codes))
		finding_add(out, check, STATUS_PASS, npu->addr, ev, NULL, "Health ok, no error code standing");
	else
		finding_add(out, check, STATUS_WARN, npu->addr, ev, remedy,
			    "Health ok, but the error codes are unknown: %s", why_unavailable(npu, "error_codes"));
}

/* The network health DCMI's detection reports (dcmi_rdfx_detect_result,
 * docs/vendors.md): ok; the detection not running yet; or the port failed. */
static void judge_network(const struct check *check, const struct judge_ctx *ctx, const struct gpu *npu,
			  struct findings *out)
{
	static const char *const remedy = "Check the NPU's RoCE port: `hccn_tool -i ID -net_health -g` and `hccn_tool "
		"-i ID -link -g` (ID: the NPU's logical ID), its cabling and switch port, and its address "
		"(`hccn_tool -i ID -ip -g`); collective traffic between the server's NPUs fails while it is down.";
	const char *h = jstr(jobj(npu->values, "network"), "health");
	json_t *ev = json_pack("{s:O?, s:O?}", "network", json_object_get(npu->values, "network"), "card_id",
			       json_object_get(npu->values, "card_id"));

	if (h == NULL)
		finding_add(out, check, STATUS_SKIP, npu->addr, ev, NULL, "RoCE port health unknown: %s",
			    why_unavailable(npu, "network.health"));
	else if (strcmp(h, "ok") == 0)
		finding_add(out, check, STATUS_PASS, npu->addr, ev, NULL, "RoCE port healthy (detection ok)");
	else if (strcmp(h, "initialising") == 0 || strcmp(h, "ip_not_set") == 0)
		finding_add(out, check, STATUS_WARN, npu->addr, ev, remedy,
			    "RoCE port not checked by DCMI's detection: %s", h);
	else
		finding_add(out, check, STATUS_FAIL, npu->addr, ev, remedy, "RoCE port unhealthy: %s", h);
}

static void evaluate_health(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	killswitch_for_each_gpu(check, ctx, out, &dcmi_backend, judge_health);
}

static void evaluate_network(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	killswitch_for_each_gpu(check, ctx, out, &dcmi_backend, judge_network);
}

static const struct check npu_checks[] = {
	{ "killswitch.npu_health", "killswitch", "Ascend NPU health ok, no error code standing", SEVERITY_HIGH,
	  "vendor_library.dcmi.health, error_codes (npu-smi info -t health)", NEEDS_GPU | NEEDS_VENDOR_LIBRARY,
	  evaluate_health },
	{ "killswitch.npu_network", "killswitch", "Ascend NPU's own RoCE port healthy", SEVERITY_MEDIUM,
	  "vendor_library.dcmi.network.health (hccn_tool -net_health)", NEEDS_GPU | NEEDS_VENDOR_LIBRARY,
	  evaluate_network },
};

const struct check_family killswitch_npu_family = {
	"killswitch_npu", npu_checks, ARRAY_SIZE(npu_checks),
};
