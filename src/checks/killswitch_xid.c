/* killswitch.xid: GPU faults the NVIDIA driver reported in the kernel log
 * (facts.kernel_xids), each judged by data/xids.json, NVIDIA's Xid catalog
 * with the immediate action of each. docs/killswitch.md explains the kinds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/killswitch.h"
#include "core/accdb.h"
#include "core/check.h"
#include "core/data.h"
#include "core/json.h"
#include "core/util.h"
#include "probe/facts.h"

#define SMI "nvidia-smi"

static bool is_nvidia(const json_t *acc)
{
	const char *v = jstr(acc, "vendor_id");
	return v && strcmp(v, "10de") == 0;
}

/* data/xids.json, validated. Each XID names NVIDIA's immediate action; the
 * action gives its kind (docs/killswitch.md). An entry may set its own kind
 * with the reason (kind_why), a kind for GPUs older than Ampere
 * (before_ampere), and rules on the event's text (by_text) that decide the
 * kind where the driver names the severity in the message. */
struct xid_table {
	json_t *doc;
	const json_t *list;
	const json_t *kinds;
	const json_t *actions;
};

static int xid_kind_valid(const struct xid_table *t, const json_t *obj, const char *where, char *err, size_t errlen)
{
	if (jv_string(obj, "kind", JV_REQUIRED, 32, where, err, errlen))
		return -1;
	if (!json_object_get(t->kinds, jstr(obj, "kind"))) {
		snprintf(err, errlen, "%s.kind: \"%s\" is not a kind", where, jstr(obj, "kind"));
		return -1;
	}
	return 0;
}

static int xid_actions_valid(struct xid_table *t, char *err, size_t errlen)
{
	const char *name;
	json_t *a;

	json_object_foreach((json_t *)t->actions, name, a) {
		char where[96];
		snprintf(where, sizeof(where), "xids.json: actions.%.40s", name);
		if (!json_is_object(a)) {
			snprintf(err, errlen, "%s: expected an object", where);
			return -1;
		}
		if (xid_kind_valid(t, a, where, err, errlen) || jv_string(a, "meaning", JV_REQUIRED, 512, where, err, errlen))
			return -1;
	}
	return 0;
}

static int xid_rules_valid(const struct xid_table *t, const json_t *x, const char *where, char *err, size_t errlen)
{
	size_t i;
	json_t *r;

	if (jv_array(x, "by_text", 0, where, err, errlen))
		return -1;
	json_array_foreach(jarr(x, "by_text"), i, r) {
		char rw[80];
		snprintf(rw, sizeof(rw), "%s.by_text[%zu]", where, i);
		if (!json_is_object(r)) {
			snprintf(err, errlen, "%s: expected an object", rw);
			return -1;
		}
		if (jv_string(r, "contains", JV_REQUIRED, 128, rw, err, errlen) || xid_kind_valid(t, r, rw, err, errlen) ||
		    jv_string(r, "why", JV_REQUIRED, 512, rw, err, errlen))
			return -1;
		if (jstr(r, "contains")[0] == '\0') {
			snprintf(err, errlen, "%s.contains: empty", rw);
			return -1;
		}
	}
	return 0;
}

static int xid_entry_valid(const struct xid_table *t, const json_t *x, const char *where, char *err, size_t errlen)
{
	const json_t *sources = jobj(t->doc, "sources"), *before = json_object_get(x, "before_ampere");
	const char *action;
	size_t j;
	json_t *s;

	if (!json_is_object(x)) {
		snprintf(err, errlen, "%s: expected an object", where);
		return -1;
	}
	if (jv_integer(x, "xid", JV_REQUIRED, 0, 65535, where, err, errlen) ||
	    jv_string(x, "mnemonic", JV_REQUIRED, 128, where, err, errlen) ||
	    jv_string(x, "meaning", JV_REQUIRED, 512, where, err, errlen) ||
	    jv_string(x, "action", JV_REQUIRED | JV_NULLABLE, 64, where, err, errlen) ||
	    jv_string_array(x, "sources", JV_REQUIRED, 32, where, err, errlen) ||
	    xid_rules_valid(t, x, where, err, errlen))
		return -1;
	action = jstr(x, "action");
	if (action && !json_object_get(t->actions, action)) {
		snprintf(err, errlen, "%s.action: \"%s\" is not an action", where, action);
		return -1;
	}
	/* Without an action, or overriding it, the kind is stated with its reason. */
	if (json_object_get(x, "kind") || action == NULL) {
		if (xid_kind_valid(t, x, where, err, errlen) || jv_string(x, "kind_why", JV_REQUIRED, 512, where, err, errlen))
			return -1;
	}
	if (before) {
		char bw[80];
		snprintf(bw, sizeof(bw), "%s.before_ampere", where);
		if (!json_is_object(before)) {
			snprintf(err, errlen, "%s: expected an object", bw);
			return -1;
		}
		if (jv_string(before, "meaning", JV_REQUIRED, 512, bw, err, errlen) || xid_kind_valid(t, before, bw, err, errlen))
			return -1;
	}
	json_array_foreach(jarr(x, "sources"), j, s) {
		if (!json_object_get(sources, json_string_value(s))) {
			snprintf(err, errlen, "%s.sources: \"%s\" is not defined", where, json_string_value(s));
			return -1;
		}
	}
	return 0;
}

/* Validate DOC as data/xids.json into T, which keeps the reference. On
 * error DOC is released and err names the member. */
static int xid_table_init(struct xid_table *t, json_t *doc, char *err, size_t errlen)
{
	size_t i;
	json_t *x;

	t->doc = doc;
	if (!json_is_object(t->doc) || jv_object(t->doc, "sources", JV_REQUIRED, "xids.json", err, errlen) ||
	    jv_object(t->doc, "kinds", JV_REQUIRED, "xids.json", err, errlen) ||
	    jv_object(t->doc, "actions", JV_REQUIRED, "xids.json", err, errlen) ||
	    jv_array(t->doc, "xids", JV_REQUIRED, "xids.json", err, errlen)) {
		if (!json_is_object(t->doc))
			snprintf(err, errlen, "xids.json: expected an object");
		goto bad;
	}
	t->kinds = jobj(t->doc, "kinds");
	t->actions = jobj(t->doc, "actions");
	t->list = jarr(t->doc, "xids");
	if (xid_actions_valid(t, err, errlen))
		goto bad;
	json_array_foreach(t->list, i, x) {
		char where[48];
		snprintf(where, sizeof(where), "xids.json: xids[%zu]", i);
		if (xid_entry_valid(t, x, where, err, errlen))
			goto bad;
	}
	return 0;
bad:
	json_decref(t->doc);
	t->doc = NULL;
	return -1;
}

static int xid_table_load(struct xid_table *t, char *err, size_t errlen)
{
	json_t *doc = data_load("xids.json", err, errlen);

	return doc ? xid_table_init(t, doc, err, errlen) : -1;
}

static const json_t *xid_entry(const struct xid_table *t, json_int_t xid)
{
	size_t i;
	json_t *x;
	json_int_t v;

	json_array_foreach(t->list, i, x)
		if (jint(x, "xid", &v) && v == xid)
			return x;
	return NULL;
}

/* The catalog of NVIDIA's Xid errors covers Ampere and newer; older GPUs
 * follow the older table. */
enum gpu_generation { GEN_UNKNOWN, GEN_BEFORE_AMPERE, GEN_AMPERE_OR_NEWER };

static enum gpu_generation generation_of(const struct judge_ctx *ctx, const json_t *acc)
{
	static const char *const older[] = { "Kepler", "Maxwell", "Pascal", "Volta", "Turing" };
	const struct accel_model *m = NULL;

	m = accdb_for_accelerator(ctx->accdb, acc);
	if (m == NULL || m->architecture == NULL)
		return GEN_UNKNOWN;
	for (size_t i = 0; i < sizeof(older) / sizeof(older[0]); i++)
		if (strcmp(m->architecture, older[i]) == 0)
			return GEN_BEFORE_AMPERE;
	return GEN_AMPERE_OR_NEWER;
}

static int kind_rank(const char *kind)
{
	if (strcmp(kind, "fault") == 0)
		return 3;
	if (strcmp(kind, "degraded") == 0 || strcmp(kind, "unknown") == 0)
		return 2;
	return 1;
}

/* How one event is judged: its kind, the meaning shown and why. */
struct xid_verdict {
	const char *kind;
	const char *meaning;
	const char *why;       /* the by_text rule that decided, or NULL */
};

static struct xid_verdict xid_judge(const struct xid_table *t, const json_t *x, const char *text,
				    enum gpu_generation gen)
{
	struct xid_verdict v = { "unknown", NULL, NULL };
	const json_t *before;
	size_t i;
	json_t *r;

	if (x == NULL)
		return v;
	before = json_object_get(x, "before_ampere");
	v.meaning = jstr(x, "meaning");
	v.kind = jstr(x, "kind") ? jstr(x, "kind") : jstr(jobj(t->actions, jstr(x, "action")), "kind");
	/* An older GPU follows the older table; a GPU of unknown architecture
	 * takes the graver of the two. */
	if (before && (gen == GEN_BEFORE_AMPERE ||
		       (gen == GEN_UNKNOWN && kind_rank(jstr(before, "kind")) > kind_rank(v.kind)))) {
		v.meaning = jstr(before, "meaning");
		v.kind = jstr(before, "kind");
	}
	json_array_foreach(jarr(x, "by_text"), i, r) {
		if (strstr(text, jstr(r, "contains"))) {
			v.kind = jstr(r, "kind");
			v.why = jstr(r, "why");
			break;
		}
	}
	return v;
}

int xid_catalog_check(const json_t *doc, char *err, size_t errlen)
{
	struct xid_table t = { 0 };

	if (xid_table_init(&t, json_incref((json_t *)doc), err, errlen) != 0)
		return -1;
	json_decref(t.doc);
	return 0;
}

const char *xid_catalog_kind(const json_t *doc, long xid, const char *text, bool before_ampere_gpu)
{
	struct xid_table t = { 0 };
	char err[256];
	const char *kind;

	if (xid_table_init(&t, json_incref((json_t *)doc), err, sizeof(err)) != 0)
		return NULL;
	kind = xid_judge(&t, xid_entry(&t, xid), text, before_ampere_gpu ? GEN_BEFORE_AMPERE : GEN_AMPERE_OR_NEWER).kind;
	json_decref(t.doc);   /* the kinds are strings of DOC, which the caller holds */
	return kind;
}

#define XID_REMEDY \
	"Read them with `dmesg -T | grep -i xid` (or `journalctl -k | grep -i xid`); NVIDIA's Xid catalog " \
	"(docs.nvidia.com/deploy/xid-errors) gives each one's action. A fault needs at least a GPU reset " \
	"(`" SMI " -r -i %s`); if it recurs, the GPU needs replacing."

/* Judge the XID events of one address (an accelerator, or the host). */
static void judge_xids(const struct check *check, const struct xid_table *t, const json_t *events,
		       const char *addr, const char *subject, enum gpu_generation gen, struct findings *out)
{
	json_t *list = json_array();
	enum status st = STATUS_PASS;
	const char *worst = NULL;
	size_t i, n = 0;
	json_t *e;

	json_array_foreach(events, i, e) {
		json_int_t xid = 0;
		const json_t *x;
		struct xid_verdict v;
		if (strcmp(jstr(e, "pci_address"), addr) != 0)
			continue;
		jint(e, "xid", &xid);
		x = xid_entry(t, xid);
		v = xid_judge(t, x, jstr(e, "text") ? jstr(e, "text") : "", gen);
		n++;
		if (json_array_size(list) < 20)
			json_array_append_new(list, json_pack("{s:I, s:s, s:s?, s:s?, s:s?, s:O, s:O, s:O}", "xid", xid,
							      "kind", v.kind, "meaning", v.meaning, "action",
							      x ? jstr(x, "action") : NULL, "decided_by", v.why,
							      "boot_usec", json_object_get(e, "boot_usec"),
							      "pid", json_object_get(e, "pid"), "text",
							      json_object_get(e, "text")));
		if (strcmp(v.kind, "fault") == 0 && st < STATUS_FAIL) {
			st = STATUS_FAIL;
			worst = v.meaning;
		} else if (kind_rank(v.kind) == 2 && st < STATUS_WARN) {
			st = STATUS_WARN;
			worst = x ? v.meaning : "an XID not in data/xids.json";
		}
	}
	if (n == 0) {
		json_decref(list);
		if (strcmp(subject, "host") != 0)
			finding_add(out, check, STATUS_PASS, subject, NULL, NULL, "No XID event in the kernel log");
		return;
	}
	{
		char *remedy = st != STATUS_PASS ? remedy_at(XID_REMEDY, addr) : NULL;
		json_t *ev = json_pack("{s:s, s:i, s:o}", "pci_address", addr, "count", (int)n, "events", list);
		if (st == STATUS_PASS)
			finding_add(out, check, st, subject, ev, NULL,
				    "%zu XID event%s raised by applications or informational, none against the GPU", n,
				    n == 1 ? "" : "s");
		else
			finding_add(out, check, st, subject, ev, remedy, "%zu XID event%s since boot%s%s; worst: %s", n,
				    n == 1 ? "" : "s", strcmp(subject, "host") == 0 ? " for " : "",
				    strcmp(subject, "host") == 0 ? addr : "", worst ? worst : "unknown");
		free(remedy);
	}
}

/* Anything to judge: an NVIDIA GPU, or an XID event of any address. */
static bool xids_to_judge(const json_t *facts, const json_t *events)
{
	const json_t *acc;
	size_t i;

	if (json_array_size(events) > 0)
		return true;
	json_array_foreach(jarr(facts, "accelerators"), i, acc)
		if (is_nvidia(acc))
			return true;
	return false;
}

void killswitch_evaluate_xid(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	const json_t *log = jobj(ctx->facts, "kernel_xids"), *events = jarr(log, "events");
	struct xid_table t = { 0 };
	char err[512];
	size_t i;
	json_t *acc, *e;

	/* the table is read (and validated) only when there is something to
	 * look up in it: a machine without NVIDIA GPUs or XIDs gives no finding */
	if (!xids_to_judge(ctx->facts, events))
		return;
	if (xid_table_load(&t, err, sizeof(err)) != 0) {
		finding_add(out, check, STATUS_ERROR, "host", NULL, "Fix or restore data/xids.json.", "%s", err);
		return;
	}
	json_array_foreach(jarr(ctx->facts, "accelerators"), i, acc) {
		const char *addr = jstr(acc, "pci_address");
		if (!is_nvidia(acc))
			continue;
		if (log == NULL)
			finding_add(out, check, STATUS_SKIP, addr, NULL, NULL, "No kernel log facts in this document");
		else if (!json_is_true(json_object_get(log, "readable")))
			finding_add(out, check, STATUS_SKIP, addr, NULL, "Run the audit as root to read /dev/kmsg.",
				    "Kernel log not read: %s", jstr(log, "reason") ? jstr(log, "reason") : "unreadable");
		else
			judge_xids(check, &t, events, addr, addr, generation_of(ctx, acc), out);
	}
	/* XIDs of GPUs that are not listed (a container that sees no PCI bus
	 * and no NVML): judged on the host, once per address. */
	json_array_foreach(events, i, e) {
		const char *addr = jstr(e, "pci_address");
		bool seen = false;
		for (size_t j = 0; j < i; j++)
			seen |= strcmp(jstr(json_array_get(events, j), "pci_address"), addr) == 0;
		if (!seen && !accelerator_by_address(jarr(ctx->facts, "accelerators"), addr))
			judge_xids(check, &t, events, addr, "host", GEN_UNKNOWN, out);
	}
	json_decref(t.doc);
}
