/* Backdoor exposure, software: are the accelerator's kernel modules and
 * firmware the known-good ones, and does its driver carry published
 * vulnerabilities?
 *
 * Facts: modules (per module: loaded, flags, signature, sha256 of the
 * file), firmware (sha256 of each file in the driver's firmware
 * directories), drivers (version). Data: data/bulletins.json and the golden
 * manifests (data/manifests/, --manifest FILE); formats in docs/backdoor.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/attestation.h"
#include "checks/backdoor.h"
#include "core/json.h"
#include "parse/kernelinfo.h"
#include "core/util.h"

static const struct trustdb *trust_data(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	char err[512];
	const struct trustdb *db = backdoor_trustdb(err, sizeof(err));

	(void)ctx;
	if (db == NULL)
		finding_add(out, check, STATUS_ERROR, "host", NULL, "Correct the data file, or drop --data-dir.", "%s", err);
	return db;
}

static json_t *manifest_evidence(enum manifest_verdict v, const json_t *expected, const char *origin)
{
	static const char *const names[] = { "unlisted", "match", "mismatch" };

	if (v == MANIFEST_UNLISTED)
		return json_pack("{s:s}", "verdict", names[v]);
	return json_pack("{s:s, s:s, s:s, s:O}", "verdict", names[v], "manifest", origin, "expected_sha256",
			 jstr(expected, "sha256"), "expected_size", json_object_get(expected, "size") ? json_object_get(expected, "size") : json_null());
}

/* --- backdoor.module.integrity ------------------------------------------ */

struct module_view {
	const char *name, *flags, *signer, *key_id, *malformed;
	const json_t *file, *sig;
	bool loaded_known, loaded, builtin, signed_, kernel_checks;
};

static void module_view(const json_t *m, const json_t *kernel, struct module_view *v)
{
	const json_t *loaded = json_object_get(m, "loaded");

	memset(v, 0, sizeof(*v));
	v->name = jstr(m, "name");
	v->flags = jstr(m, "flags") ? jstr(m, "flags") : (jstr(m, "taint") ? jstr(m, "taint") : "");
	v->loaded_known = json_is_boolean(loaded);
	v->loaded = json_is_true(loaded);
	jbool(m, "builtin", &v->builtin);
	v->file = jobj(m, "file");
	v->sig = jobj(v->file, "signature");
	jbool(v->sig, "present", &v->signed_);
	v->malformed = jstr(v->sig, "malformed");
	v->signer = jstr(v->sig, "signer");
	v->key_id = jstr(v->sig, "key_id");
	/* the kernel verifies signatures (and sets E when it cannot) only when
	 * built with module signing, which sig_enforce's presence shows */
	v->kernel_checks = json_is_boolean(json_object_get(kernel, "sig_enforce"));
}

static void module_finding(const struct check *check, const struct judge_ctx *ctx, const struct trustdb *db,
			   const json_t *m, struct findings *out)
{
	struct module_view v;
	enum manifest_verdict verdict = MANIFEST_UNLISTED;
	const json_t *expected = NULL;
	const char *origin = NULL, *sha = NULL;
	json_int_t size = 0;
	json_t *ev;
	char signer[320];

	module_view(m, jobj(ctx->facts, "kernel"), &v);
	sha = jstr(v.file, "sha256");
	jint(v.file, "size", &size);
	if (sha)
		verdict = backdoor_manifest_lookup(ctx, db, jstr(m, "driver"), jstr(v.file, "path"), sha, (uint64_t)size,
						   &expected, &origin);
	/* What the verdict rests on; the module's other facts (refcount,
	 * users, srcversion) are in facts.modules of the same report. */
	ev = json_pack("{s:s, s:O?, s:O?, s:s, s:O?, s:o}", "module", v.name, "loaded", json_object_get(m, "loaded"),
		       "builtin", json_object_get(m, "builtin"), "flags", v.flags, "file", v.file, "manifest",
		       manifest_evidence(verdict, expected, origin));
	snprintf(signer, sizeof(signer), "%s%s%s%s", v.signer ? v.signer : "an unnamed key", v.key_id ? " (key " : "",
		 v.key_id ? v.key_id : "", v.key_id ? ")" : "");

	if (verdict == MANIFEST_MISMATCH) {
		finding_add(out, check, STATUS_FAIL, "host", ev,
			    "Reinstall the driver package from its vendor and compare again; keep the modified file for analysis.",
			    "Module %s: %s differs from the golden manifest %s", v.name, jstr(v.file, "path"), origin);
	} else if (v.malformed) {
		finding_add(out, check, STATUS_FAIL, "host", ev,
			    "Reinstall the module from its vendor; a signature trailer that does not parse was not written by sign-file.",
			    "Module %s: its signature trailer is malformed (%s)", v.name, v.malformed);
	} else if (v.loaded && strchr(v.flags, 'F')) {
		finding_add(out, check, STATUS_WARN, "host", ev, "Reboot and load the module normally, after finding who forced it.",
			    "Module %s was force-loaded (flag F): version checks were bypassed", v.name);
	} else if (v.loaded && strchr(v.flags, 'E')) {
		finding_add(out, check, STATUS_WARN, "host", ev,
			    "Sign the module with a key the kernel trusts (DKMS can sign with the MOK key) and enforce signatures.",
			    "Module %s is loaded without a signature the kernel could verify (flag E)%s", v.name,
			    v.file && v.sig && !v.signed_ ? "; its file carries none" : "");
	} else if (v.builtin) {
		finding_add(out, check, STATUS_PASS, "host", ev, NULL, "Module %s is built into the kernel image", v.name);
	} else if (v.file == NULL || sha == NULL) {
		finding_add(out, check, v.loaded ? STATUS_WARN : STATUS_SKIP, "host", ev,
			    v.loaded ? "Find where the loaded module came from (modinfo NAME; depmod -a if modules.dep is stale)." : NULL,
			    "Module %s%s: its file %s", v.name, v.loaded ? " is loaded" : "",
			    v.file ? "could not be hashed (see evidence)" : "is not in modules.dep");
	} else if (v.sig == NULL) {
		finding_add(out, check, STATUS_SKIP, "host", ev, NULL,
			    "Module %s: its signature could not be examined (see the probe's limitations)", v.name);
	} else if (!v.signed_) {
		finding_add(out, check, STATUS_WARN, "host", ev,
			    "Install the vendor's signed build, or sign the module with a key enrolled in the machine owner keyring.",
			    "Module %s is not signed%s", v.name, v.loaded ? " and is loaded" : "");
	} else if (v.loaded && v.kernel_checks) {
		finding_add(out, check, STATUS_PASS, "host", ev, NULL,
			    "Module %s is loaded, signed by %s and accepted by the kernel's signature check%s", v.name, signer,
			    verdict == MANIFEST_MATCH ? "; matches the golden manifest" : "");
	} else {
		finding_add(out, check, STATUS_PASS, "host", ev, NULL, "Module %s%s is signed by %s%s", v.name,
			    v.loaded ? "" : (v.loaded_known ? " (not loaded)" : " (load state unknown)"), signer,
			    verdict == MANIFEST_MATCH ? "; matches the golden manifest" : "");
	}
}

static void evaluate_modules(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	const json_t *list;
	const struct trustdb *db;
	size_t i;
	json_t *m;

	if (!backdoor_need_section(check, ctx, out, "modules", false))
		return;
	list = jarr(jobj(ctx->facts, "modules"), "list");
	if (json_array_size(list) == 0) {
		finding_add(out, check, STATUS_SKIP, "host", NULL, NULL,
			    json_array_size(jarr(ctx->facts, "drivers")) == 0 ? "No accelerator driver to examine"
									      : "No module of the accelerator drivers is loaded or installed "
										"(or the module lists were not readable)");
		return;
	}
	if ((db = trust_data(check, ctx, out)) == NULL)
		return;
	json_array_foreach(list, i, m)
		module_finding(check, ctx, db, m, out);
}

/* --- backdoor.firmware.integrity ----------------------------------------- */

static bool file_listed(const json_t *files, const char *path)
{
	size_t i;
	json_t *f;

	json_array_foreach(files, i, f)
		if (strcmp(jstr(f, "path"), path) == 0)
			return true;
	return false;
}

/* Files a manifest for this driver (and version) lists under DIR that the
 * machine does not have. */
static void add_missing(const json_t *manifests, const char *driver, const char *version, const char *dir,
			const json_t *files, json_t *missing)
{
	size_t i, j, n = strlen(dir);
	json_t *item, *f;

	json_array_foreach(manifests, i, item) {
		const json_t *man = jobj(item, "manifest");
		if (!trustdb_manifest_applies(man, driver, version))
			continue;
		json_array_foreach(jarr(man, "files"), j, f) {
			const char *p = jstr(f, "path");
			if (strncmp(p, dir, n) == 0 && p[n] == '/' && !strchr(p + n + 1, '/') && !file_listed(files, p))
				json_array_append_new(missing, json_pack("{s:s, s:s}", "path", p, "manifest", jstr(item, "origin")));
		}
	}
}

static void firmware_finding(const struct check *check, const struct judge_ctx *ctx, const struct trustdb *db,
			     const json_t *d, struct findings *out)
{
	const char *driver = jstr(d, "driver"), *dir = jstr(d, "directory");
	const char *version = backdoor_driver_version(ctx->facts, driver);
	json_t *match = json_array(), *mismatch = json_array(), *unlisted = json_array(), *unhashed = json_array();
	json_t *missing = json_array(), *f, *ev;
	struct firmware_attestation attested = { 0 };
	bool exists = false;
	size_t i, total = json_array_size(jarr(d, "files"));

	jbool(d, "exists", &exists);
	json_array_foreach(jarr(d, "files"), i, f) {
		const json_t *expected = NULL;
		const char *origin = NULL;
		json_int_t size = 0;
		if (jstr(f, "sha256") == NULL) {
			json_array_append_new(unhashed, json_pack("{s:s, s:s?}", "path", jstr(f, "path"), "error", jstr(f, "error")));
			continue;
		}
		jint(f, "size", &size);
		switch (backdoor_manifest_lookup(ctx, db, driver, jstr(f, "path"), jstr(f, "sha256"), (uint64_t)size, &expected,
						 &origin)) {
		case MANIFEST_MATCH:
			json_array_append_new(match, json_pack("{s:s, s:s}", "path", jstr(f, "path"), "manifest", origin));
			break;
		case MANIFEST_MISMATCH:
			json_array_append_new(mismatch, json_pack("{s:s, s:s, s:s, s:s}", "path", jstr(f, "path"), "sha256",
								  jstr(f, "sha256"), "expected_sha256", jstr(expected, "sha256"),
								  "manifest", origin));
			break;
		default:
			json_array_append_new(unlisted, json_pack("{s:s, s:s}", "path", jstr(f, "path"), "sha256", jstr(f, "sha256")));
		}
	}
	add_missing(db->manifests, driver, version, dir, jarr(d, "files"), missing);
	add_missing(ctx->options ? ctx->options->manifests : NULL, driver, version, dir, jarr(d, "files"), missing);
	if (strcmp(driver, "nvidia") == 0)
		attestation_firmware(ctx, &attested);
	ev = json_pack("{s:s, s:s, s:s?, s:I, s:o, s:o, s:o, s:o, s:o}", "driver", driver, "directory", dir,
		       "driver_version", version, "files", (json_int_t)total, "match", match, "mismatch", mismatch,
		       "unverified", unlisted, "unhashed", unhashed, "missing", missing);
	if (attested.gpus > 0)
		json_object_set_new(ev, "attestation", json_pack("{s:I, s:I, s:I}", "gpus", (json_int_t)attested.gpus,
								 "verified", (json_int_t)attested.verified, "differ",
								 (json_int_t)attested.differ));
	if (json_array_size(mismatch) > 0)
		finding_add(out, check, STATUS_FAIL, "host", ev,
			    "Reinstall the driver's firmware package from its vendor; keep the modified files for analysis.",
			    "%zu firmware file%s in %s differ%s from the golden manifest: %s", json_array_size(mismatch),
			    json_array_size(mismatch) == 1 ? "" : "s", dir, json_array_size(mismatch) == 1 ? "s" : "",
			    jstr(json_array_get(mismatch, 0), "path"));
	else if (attested.differ > 0)
		finding_add(out, check, STATUS_FAIL, "host", ev,
			    "Keep the attestation reports; reinstall the driver and VBIOS from NVIDIA and attest again "
			    "(docs/attestation.md).",
			    "%zu of %zu NVIDIA GPU(s) run firmware whose attested measurements differ from NVIDIA's golden "
			    "values (attestation.firmware_measurements, %s first)", attested.differ, attested.gpus,
			    attested.first_differ);
	else if (!exists || total == 0)
		finding_add(out, check, STATUS_SKIP, "host", ev, NULL, "No firmware files in %s%s", dir,
			    exists ? "" : " (the directory does not exist)");
	else if (json_array_size(missing) > 0)
		finding_add(out, check, STATUS_WARN, "host", ev,
			    "Reinstall the driver's firmware package: files its manifest lists are absent.",
			    "%zu firmware file%s the golden manifest lists %s missing from %s", json_array_size(missing),
			    json_array_size(missing) == 1 ? "" : "s", json_array_size(missing) == 1 ? "is" : "are", dir);
	else if ((json_array_size(unlisted) > 0 || json_array_size(unhashed) > 0) && attested.gpus > 0 &&
		 attested.verified == attested.gpus)
		finding_add(out, check, STATUS_PASS, "host", ev, NULL,
			    "The firmware all %zu NVIDIA GPU(s) run is attested: every measurement matches NVIDIA's golden "
			    "values (attestation.firmware_measurements); %zu file(s) in %s no golden manifest lists are "
			    "covered by that", attested.gpus, json_array_size(unlisted) + json_array_size(unhashed), dir);
	else if (json_array_size(unlisted) > 0 || json_array_size(unhashed) > 0)
		finding_add(out, check, STATUS_WARN, "host", ev,
			    "Give a golden manifest for this driver release with --manifest FILE (docs/backdoor.md), made "
			    "from the vendor's package on a trusted machine; NVIDIA GPUs in confidential-computing mode "
			    "attest the firmware they run, checked against NVIDIA's RIMs given with --rim DIR "
			    "(docs/attestation.md).",
			    "%zu of %zu firmware files in %s unverified: no golden manifest lists them%s",
			    json_array_size(unlisted) + json_array_size(unhashed), total, dir,
			    json_array_size(unhashed) ? " or they could not be hashed" : "");
	else
		finding_add(out, check, STATUS_PASS, "host", ev, NULL,
			    "All %zu firmware files in %s match the golden manifest", total, dir);
}

static void evaluate_firmware(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	const json_t *list;
	const struct trustdb *db;
	size_t i;
	json_t *d;

	if (!backdoor_need_section(check, ctx, out, "firmware", false))
		return;
	list = jarr(ctx->facts, "firmware");
	if (json_array_size(list) == 0) {
		finding_add(out, check, STATUS_SKIP, "host", NULL, NULL,
			    json_array_size(jarr(ctx->facts, "drivers")) == 0
				    ? "No accelerator driver to examine"
				    : "No firmware directory known for the accelerator drivers (or their version is unknown)");
		return;
	}
	if ((db = trust_data(check, ctx, out)) == NULL)
		return;
	json_array_foreach(list, i, d)
		firmware_finding(check, ctx, db, d, out);
}

/* --- backdoor.driver.cve ------------------------------------------------- */

static long max_branch(const json_t *b)
{
	long best = -1;
	size_t i;
	json_t *br;

	json_array_foreach(jarr(b, "branches"), i, br) {
		long n = strtol(jstr(br, "branch") + 1, NULL, 10);
		if (n > best)
			best = n;
	}
	return best;
}

static const json_t *branch_entry(const json_t *b, long branch)
{
	size_t i;
	json_t *br;

	json_array_foreach(jarr(b, "branches"), i, br)
		if (strtol(jstr(br, "branch") + 1, NULL, 10) == branch)
			return br;
	return NULL;
}

static json_t *cves_of(const json_t *b, const json_t *ids)
{
	json_t *list = json_array(), *c, *id;
	size_t i, j;

	json_array_foreach(ids, i, id)
		json_array_foreach(jarr(b, "cves"), j, c)
			if (strcmp(jstr(c, "id"), json_string_value(id)) == 0)
				json_array_append(list, c);
	return list;
}

struct cve_tally {
	json_t *affected, *unknown, *fixed, *newer;
	const char *fix;      /* the highest first-fixed version among the affecting bulletins */
	bool unfixed;         /* a bulletin lists the branch with no fix */
	size_t cves;
	const char *worst;    /* the affecting CVE with the highest CVSS score */
	double worst_cvss;
};

static void note_worst(struct cve_tally *t, const json_t *cves)
{
	size_t i;
	json_t *c;

	json_array_foreach(cves, i, c) {
		double score = -1;
		jnum(c, "cvss", &score);
		if (t->worst == NULL || score > t->worst_cvss) {
			t->worst = jstr(c, "id");
			t->worst_cvss = score;
		}
	}
}

static void judge_bulletin(const json_t *b, const char *version, long branch, struct cve_tally *t)
{
	const json_t *br = branch_entry(b, branch);
	const char *fixed;

	if (br == NULL) {
		if (branch > max_branch(b))
			json_array_append_new(t->newer, json_string(jstr(b, "id")));
		else
			json_array_append_new(t->unknown, json_pack("{s:s, s:s, s:s}", "bulletin", jstr(b, "id"), "date",
								     jstr(b, "date"), "source", jstr(b, "source")));
		return;
	}
	fixed = jstr(br, "first_fixed");
	if (fixed && driver_version_compare(version, fixed) >= 0) {
		json_array_append_new(t->fixed, json_string(jstr(b, "id")));
		return;
	}
	json_array_append_new(t->affected,
			      json_pack("{s:s, s:s, s:s, s:s?, s:o}", "bulletin", jstr(b, "id"), "date", jstr(b, "date"),
					"source", jstr(b, "source"), "first_fixed", fixed, "cves", cves_of(b, jarr(br, "cves"))));
	note_worst(t, jarr(json_array_get(t->affected, json_array_size(t->affected) - 1), "cves"));
	t->cves += json_array_size(jarr(br, "cves"));
	if (fixed == NULL)
		t->unfixed = true;
	else if (t->fix == NULL || driver_version_compare(fixed, t->fix) > 0)
		t->fix = fixed;
}

static void driver_cve_finding(const struct check *check, const json_t *bulletins, const json_t *d, struct findings *out)
{
	const char *name = jstr(d, "name"), *version = jstr(d, "version");
	struct cve_tally t = { json_array(), json_array(), json_array(), json_array(), NULL, false, 0, NULL, -1 };
	long branch = driver_version_branch(version);
	size_t i, considered = 0;
	json_t *b, *ev;
	char fix[256];

	if (version == NULL || branch < 0) {
		finding_add(out, check, STATUS_SKIP, "host", json_pack("{s:s, s:s?}", "driver", name, "version", version), NULL,
			    version ? "Driver %s version \"%s\" is not in branch form: bulletins not compared"
				    : "Driver %s version unknown: bulletins not compared", name, version);
		goto out;
	}
	json_array_foreach(jarr(bulletins, "bulletins"), i, b) {
		if (strcmp(jstr(b, "driver"), name) != 0)
			continue;
		considered++;
		judge_bulletin(b, version, branch, &t);
	}
	ev = json_pack("{s:s, s:s, s:s?, s:i, s:O, s:O, s:O, s:O}", "driver", name, "version", version, "version_source",
		       jstr(d, "version_source"), "branch", (int)branch, "affected", t.affected, "not_covered", t.unknown,
		       "fixed", t.fixed, "newer_than_bulletin", t.newer);
	if (considered == 0) {
		finding_add(out, check, STATUS_SKIP, "host", ev,
			    "Add the vendor's bulletins for this driver to data/bulletins.json (docs/backdoor.md).",
			    "No security bulletins for driver %s in data/bulletins.json: its exposure is unknown", name);
	} else if (json_array_size(t.affected) > 0) {
		if (t.fix && !t.unfixed && json_array_size(t.unknown) == 0)
			snprintf(fix, sizeof(fix), "Install driver %s or later (branch R%ld).", t.fix, branch);
		else if (t.fix && !t.unfixed)
			snprintf(fix, sizeof(fix), "Install driver %s or later, and move to a branch that %s lists: it does not "
				 "list R%ld.", t.fix, jstr(json_array_get(t.unknown, 0), "bulletin"), branch);
		else
			snprintf(fix, sizeof(fix), "Move to a supported driver branch: a bulletin lists R%ld without a fix.", branch);
		char worst[64];
		if (t.worst_cvss >= 0)
			snprintf(worst, sizeof(worst), "%s, CVSS %.1f", t.worst, t.worst_cvss);
		else
			snprintf(worst, sizeof(worst), "%s", t.worst);
		finding_add(out, check, STATUS_FAIL, "host", ev, fix,
			    "Driver %s %s is affected by %zu CVE%s in %zu bulletin%s (worst: %s); fixed in %s", name, version,
			    t.cves, t.cves == 1 ? "" : "s", json_array_size(t.affected), json_array_size(t.affected) == 1 ? "" : "s",
			    worst, t.unfixed ? "no listed version of this branch" : t.fix);
	} else if (json_array_size(t.unknown) > 0) {
		finding_add(out, check, STATUS_WARN, "host", ev,
			    "Move to a driver branch the vendor still lists in its bulletins (the vendor warns that earlier "
			    "branches might also be affected).",
			    "Driver %s %s: branch R%ld is not covered by %zu bulletin%s (first: %s): its exposure to them is unknown",
			    name, version, branch, json_array_size(t.unknown), json_array_size(t.unknown) == 1 ? "" : "s",
			    jstr(json_array_get(t.unknown, 0), "bulletin"));
	} else {
		finding_add(out, check, STATUS_PASS, "host", ev, NULL,
			    "Driver %s %s is at or above the fix in every bulletin for branch R%ld (%zu bulletin%s)", name, version,
			    branch, considered, considered == 1 ? "" : "s");
	}
out:
	json_decref(t.affected);
	json_decref(t.unknown);
	json_decref(t.fixed);
	json_decref(t.newer);
}

static void evaluate_cve(const struct check *check, const struct judge_ctx *ctx, struct findings *out)
{
	const struct trustdb *db;
	size_t i;
	json_t *d;

	if (!backdoor_need_section(check, ctx, out, "drivers", false))
		return;
	if (json_array_size(jarr(ctx->facts, "drivers")) == 0) {
		finding_add(out, check, STATUS_SKIP, "host", NULL, NULL, "No accelerator driver to examine");
		return;
	}
	if ((db = trust_data(check, ctx, out)) == NULL)
		return;
	json_array_foreach(jarr(ctx->facts, "drivers"), i, d)
		driver_cve_finding(check, db->bulletins, d, out);
}

static const struct check software_checks[] = {
	{ "backdoor.module.integrity", "backdoor", "Accelerator kernel modules signed and known-good", SEVERITY_HIGH,
	  "modules.list[] (flags, signature, sha256), golden manifests", 0, evaluate_modules },
	{ "backdoor.firmware.integrity", "backdoor", "Accelerator firmware files match golden manifests", SEVERITY_HIGH,
	  "firmware[].files[].sha256, golden manifests", 0, evaluate_firmware },
	{ "backdoor.driver.cve", "backdoor", "Driver free of published vulnerabilities", SEVERITY_HIGH,
	  "drivers[].version, data/bulletins.json", 0, evaluate_cve },
};

const struct check_family backdoor_software_family = { "backdoor-software", software_checks,
							ARRAY_SIZE(software_checks) };
