#include "checks/attestation_rim.h"

#include <dirent.h>
#include <errno.h>
#include <openssl/err.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "checks/attest_x509.h"
#include "core/error.h"
#include "core/fileio.h"
#include "core/json.h"
#include "core/util.h"
#include "core/xml_lib.h"

#define RIM_DIR_MAX 4096   /* RIMs read from one directory */

struct rim_entry {
	char *path;
	bool named;                /* given as a file: used for its GPU whatever its version */
	struct rim *rim;
	bool verified;             /* genuine holds the verdict at verified_at */
	time_t verified_at;
	struct attest_step genuine;
};

struct rim_set {
	struct rim_entry *items;
	size_t count, cap;
};

static int add_file(struct rim_set *set, const char *path, bool named, char *err, size_t errlen)
{
	char *data = NULL, why[512];
	size_t len = 0;
	struct rim *rim = NULL;
	int rc;

	if ((rc = read_file_bounded(path, RIM_MAX_BYTES, &data, &len, why, sizeof(why))) != 0) {
		snprintf(err, errlen, "--rim %s", why);
		return rc;
	}
	rc = rim_parse(data, len, &rim, why, sizeof(why));
	free(data);
	if (rc != 0) {
		/* CA_ERR_CONFIG: libxml2 and xmlsec could not be loaded */
		snprintf(err, errlen, rc == CA_ERR_CONFIG ? "--rim %s: RIMs cannot be read here: %s" : "%s: not a RIM: %s",
			 path, why);
		return rc;
	}
	if (set->count == set->cap) {
		set->cap = set->cap ? 2 * set->cap : 8;
		set->items = xrealloc(set->items, set->cap * sizeof(*set->items));
	}
	set->items[set->count++] = (struct rim_entry){ .path = xstrdup(path), .named = named, .rim = rim };
	return 0;
}

static bool rim_file_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && ((n > 8 && strcmp(name + n - 8, ".swidtag") == 0) ||
				  (n > 4 && strcmp(name + n - 4, ".xml") == 0));
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory's RIMs, in name order (the first of two RIMs of one version wins). */
static int add_directory(struct rim_set *set, const char *dir, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, found = 0;
	int rc = 0;

	if (d == NULL) {
		snprintf(err, errlen, "--rim %s: %s", dir, strerror(errno));
		return CA_ERR_NOINPUT;
	}
	while ((de = readdir(d)) != NULL && rc == 0) {
		if (!rim_file_name(de->d_name))
			continue;
		if (n == RIM_DIR_MAX) {
			snprintf(err, errlen, "--rim %s: more than %d RIM files", dir, RIM_DIR_MAX);
			rc = CA_ERR_DATA;
			break;
		}
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (names != NULL)
		qsort(names, n, sizeof(*names), compare_names);
	for (size_t i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]);
		struct stat st;
		if (rc == 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			rc = add_file(set, path, false, err, errlen);
			found++;
		}
		free(path);
		free(names[i]);
	}
	free(names);
	if (rc == 0 && found == 0) {
		snprintf(err, errlen, "--rim %s: no RIM in the directory (files named *.swidtag or *.xml)", dir);
		rc = CA_ERR_NOINPUT;
	}
	return rc;
}

int rim_set_add(struct rim_set **set, const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (*set == NULL)
		*set = xcalloc(1, sizeof(**set));
	if (stat(path, &st) != 0) {
		snprintf(err, errlen, "--rim %s: %s", path, strerror(errno));
		return CA_ERR_NOINPUT;
	}
	return S_ISDIR(st.st_mode) ? add_directory(*set, path, err, errlen) : add_file(*set, path, true, err, errlen);
}

void rim_set_free(struct rim_set *set)
{
	if (set == NULL)
		return;
	for (size_t i = 0; i < set->count; i++) {
		free(set->items[i].path);
		rim_free(set->items[i].rim);
	}
	free(set->items);
	free(set);
}

size_t rim_set_count(const struct rim_set *set)
{
	return set ? set->count : 0;
}

/* --- a RIM genuine: its XML signature, its signer's chain -------------- */

/* Only what NVIDIA's RIMs use, and what cannot reach outside the document:
 * the whole document (URI=""), canonicalised, enveloped signature removed,
 * digested with SHA-2; signed with ECDSA. No XPath, XSLT or external URI. */
static void restrict_transforms(const struct xml_lib *xl, xmlSecDSigCtxPtr ctx)
{
	xmlSecTransformId c14n[] = {
		xl->xmlSecTransformInclC14NGetKlass(), xl->xmlSecTransformInclC14NWithCommentsGetKlass(),
		xl->xmlSecTransformInclC14N11GetKlass(), xl->xmlSecTransformInclC14N11WithCommentsGetKlass(),
		xl->xmlSecTransformExclC14NGetKlass(), xl->xmlSecTransformExclC14NWithCommentsGetKlass(),
	};
	xmlSecTransformId digests[] = {
		xl->xmlSecOpenSSLTransformSha256GetKlass(), xl->xmlSecOpenSSLTransformSha384GetKlass(),
		xl->xmlSecOpenSSLTransformSha512GetKlass(),
	};
	xmlSecTransformId signatures[] = {
		xl->xmlSecOpenSSLTransformEcdsaSha256GetKlass(), xl->xmlSecOpenSSLTransformEcdsaSha384GetKlass(),
		xl->xmlSecOpenSSLTransformEcdsaSha512GetKlass(),
	};

	ctx->enabledReferenceUris = xmlSecTransformUriTypeEmpty;
	xl->xmlSecDSigCtxEnableReferenceTransform(ctx, xl->xmlSecTransformEnvelopedGetKlass());
	for (size_t i = 0; i < ARRAY_SIZE(c14n); i++) {
		xl->xmlSecDSigCtxEnableReferenceTransform(ctx, c14n[i]);
		xl->xmlSecDSigCtxEnableSignatureTransform(ctx, c14n[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(digests); i++)
		xl->xmlSecDSigCtxEnableReferenceTransform(ctx, digests[i]);
	for (size_t i = 0; i < ARRAY_SIZE(signatures); i++)
		xl->xmlSecDSigCtxEnableSignatureTransform(ctx, signatures[i]);
}

/* The XML signature, verified with the key of the RIM's first certificate
 * (its signer; the chain says whose it is). KeyInfo is not otherwise read:
 * no key is looked up or trusted from it. */
static void verify_xml_signature(const struct xml_lib *xl, const struct rim *rim, const char *signer,
				 struct attest_step *out)
{
	xmlSecKeyPtr key = xl->xmlSecOpenSSLAppKeyLoadMemory(rim->certs[0], (xmlSecSize)rim->cert_len[0],
							      xmlSecKeyDataFormatCertDer, NULL, NULL, NULL);
	xmlSecDSigCtxPtr ctx = key ? xl->xmlSecDSigCtxCreate(NULL) : NULL;
	int rc;

	(void)xml_lib_last_error();
	if (ctx == NULL) {
		attest_step_set(out, STATUS_FAIL, "its signer's certificate (%s) holds no key xmlsec can use", signer);
		if (key != NULL)
			xl->xmlSecKeyDestroy(key);
		return;
	}
	ctx->signKey = key; /* the context destroys it */
	restrict_transforms(xl, ctx);
	rc = xl->xmlSecDSigCtxVerify(ctx, rim->signature);
	if (rc < 0)
		attest_step_set(out, STATUS_FAIL, "its XML signature could not be verified: %s", xml_lib_last_error());
	else if (ctx->status != xmlSecDSigStatusSucceeded)
		attest_step_set(out, STATUS_FAIL, "its XML signature does not verify with the key of %s: the RIM is not "
				"what its signer signed", signer);
	else if (xl->xmlSecPtrListGetSize(&ctx->signedInfoReferences) != 1)
		attest_step_set(out, STATUS_FAIL, "its signature has more than one reference, not the whole document alone");
	else
		attest_step_set(out, STATUS_PASS, "signed by %s", signer);
	xl->xmlSecDSigCtxDestroy(ctx);
	ERR_clear_error();
}

static STACK_OF(X509) *certificates(const struct rim *rim)
{
	STACK_OF(X509) *certs = sk_X509_new_null();

	for (size_t i = 0; certs != NULL && i < rim->ncerts; i++) {
		const unsigned char *p = rim->certs[i];
		X509 *cert = d2i_X509(NULL, &p, (long)rim->cert_len[i]);
		if (cert == NULL || p != rim->certs[i] + rim->cert_len[i]) {
			X509_free(cert);
			sk_X509_pop_free(certs, X509_free);
			certs = NULL;
		} else {
			sk_X509_push(certs, cert);
		}
	}
	ERR_clear_error();
	return certs;
}

void rim_genuine(const struct rim *rim, const char *name, time_t at, struct attest_step *out)
{
	char err[256], signer[256];
	const struct xml_lib *xl = xml_lib(err, sizeof(err));
	STACK_OF(X509) *certs = NULL;
	X509 *root = NULL;
	struct attest_step step;

	if (xl == NULL || (root = attest_root("rim", err, sizeof(err))) == NULL) {
		attest_step_set(out, STATUS_ERROR, "%s", err);
	} else if ((certs = certificates(rim)) == NULL) {
		attest_step_set(out, STATUS_FAIL, "%s: a certificate of its KeyInfo is not DER X.509", name);
	} else {
		attest_subject(sk_X509_value(certs, 0), signer, sizeof(signer));
		attest_chain_verify(certs, root, at, &step);
		if (step.status != STATUS_PASS) {
			attest_step_set(out, step.status, "%s: its signer's chain: %s", name, step.message);
		} else {
			verify_xml_signature(xl, rim, signer, &step);
			if (step.status == STATUS_PASS)
				*out = step;
			else
				attest_step_set(out, step.status, "%s: %s", name, step.message);
		}
	}
	sk_X509_pop_free(certs, X509_free);
	X509_free(root);
}

/* E's verdict at AT, verified once per time. */
static void verify_entry(struct rim_entry *e, time_t at)
{
	if (e->verified && e->verified_at == at)
		return;
	e->verified = true;
	e->verified_at = at;
	rim_genuine(e->rim, e->path, at, &e->genuine);
}

/* --- which RIMs, and what they say --------------------------------------- */

/* The RIM of KIND for VERSION: one whose version it is, else the only RIM
 * of that kind given as a file (then *matches is false), else NULL. */
static struct rim_entry *choose(struct rim_set *set, enum rim_kind kind, const char *version, bool *matches)
{
	struct rim_entry *named = NULL;
	int named_count = 0;

	*matches = false;
	for (size_t i = 0; set && i < set->count; i++) {
		struct rim_entry *e = &set->items[i];
		if (e->rim->kind != kind)
			continue;
		if (version[0] && strcasecmp(e->rim->version, version) == 0) {
			*matches = true;
			return e;
		}
		if (e->named && named_count++ == 0)
			named = e;
	}
	return named_count == 1 ? named : NULL;
}

struct chosen {
	enum rim_kind kind;
	const char *gpu_version;   /* what the report says the GPU runs */
	struct rim_entry *entry;   /* NULL: none for this GPU */
	bool version_matches;
};

static json_t *chosen_evidence(const struct chosen *c)
{
	if (c->entry == NULL)
		return json_pack("{s:s, s:n}", "gpu_version", c->gpu_version, "file");
	return json_pack("{s:s, s:s, s:s, s:b, s:b, s:s}", "gpu_version", c->gpu_version, "file", c->entry->path,
			 "version", c->entry->rim->version, "version_matches", c->version_matches, "genuine",
			 c->entry->genuine.status == STATUS_PASS, "verdict", c->entry->genuine.message);
}

/* attestation.rim: both RIMs found, genuine, and of the versions the GPU runs. */
static void judge_rims(const struct chosen c[2], size_t given, struct attest_step *out)
{
	for (int i = 0; i < 2; i++)
		if (c[i].entry && c[i].entry->genuine.status != STATUS_PASS) {
			attest_step_set(out, c[i].entry->genuine.status, "the %s RIM %s: %s", rim_kind_name(c[i].kind),
					c[i].entry->genuine.status == STATUS_ERROR ? "could not be verified" : "is not genuine",
					c[i].entry->genuine.message);
			return;
		}
	for (int i = 0; i < 2; i++)
		if (c[i].entry && !c[i].version_matches) {
			attest_step_set(out, STATUS_FAIL, "%s is the %s RIM of %s, but the GPU runs %s %s", c[i].entry->path,
					rim_kind_name(c[i].kind), c[i].entry->rim->version, rim_kind_name(c[i].kind),
					c[i].gpu_version[0] ? c[i].gpu_version : "(version not in the report)");
			return;
		}
	for (int i = 0; i < 2; i++)
		if (c[i].entry == NULL) {
			attest_step_set(out, STATUS_SKIP, "no %s RIM for %s %s among the %zu RIM(s) given (--rim): mirror it "
					"from NVIDIA's RIM service (docs/attestation.md)", rim_kind_name(c[i].kind),
					rim_kind_name(c[i].kind), c[i].gpu_version[0] ? c[i].gpu_version : "(unknown version)",
					given);
			return;
		}
	attest_step_set(out, STATUS_PASS, "%s (driver %s) and %s (VBIOS %s): XML signatures verified, their signers' "
			"chains end at the pinned RIM root and are valid at the time checked", c[0].entry->path, c[0].entry->rim->version,
			c[1].entry->path, c[1].entry->rim->version);
}

struct comparison {
	const struct spdm_block *measured[RIM_MAX_MEASUREMENTS];   /* by RIM index (SPDM index - 1) */
	size_t nmeasured;
	int golden_count, compared, differing;
	json_t *matched, *differ, *not_covered, *not_compared;
	char first_difference[400];
};

static void index_measurements(const struct spdm_report *rep, struct comparison *cmp)
{
	for (size_t i = 0; i < rep->nblocks; i++) {
		unsigned index = rep->blocks[i].index;
		if (index >= 1 && index <= RIM_MAX_MEASUREMENTS && cmp->measured[index - 1] == NULL) {
			cmp->measured[index - 1] = &rep->blocks[i];
			cmp->nmeasured++;
		}
	}
}

static json_t *hex_json(const uint8_t *v, size_t n)
{
	char hex[2 * RIM_MAX_VALUE + 1];

	hex_encode(v, n, hex);
	return json_string(hex);
}

/* Compare one golden measurement with the report's value of its index. */
static void compare_one(struct comparison *cmp, const struct rim_measurement *g, const char *source)
{
	const struct spdm_block *b = cmp->measured[g->index];
	json_t *golden = json_array();
	bool match = false;

	cmp->compared++;
	for (unsigned a = 0; a < g->nalternatives; a++) {
		const uint8_t *v = g->values + (size_t)a * g->size;
		json_array_append_new(golden, hex_json(v, g->size));
		match |= b != NULL && b->value_size == g->size && memcmp(b->value, v, g->size) == 0;
	}
	if (match) {
		json_array_append_new(cmp->matched, json_integer(g->index));
		json_decref(golden);
		return;
	}
	if (cmp->differing++ == 0) {
		char got[2 * RIM_MAX_VALUE + 1] = "(absent from the report)", want[2 * RIM_MAX_VALUE + 1];
		if (b != NULL && b->value_size <= RIM_MAX_VALUE)
			hex_encode(b->value, b->value_size, got);
		hex_encode(g->values, g->size, want);
		snprintf(cmp->first_difference, sizeof(cmp->first_difference), "index %u (%s RIM): measured %s, golden %s%s",
			 g->index, source, got, want, g->nalternatives > 1 ? " (or another alternative)" : "");
	}
	json_array_append_new(cmp->differ, json_pack("{s:i, s:s, s:o, s:o}", "index", (int)g->index, "rim", source,
						     "measured", b && b->value_size <= RIM_MAX_VALUE
									 ? hex_json(b->value, b->value_size) : json_null(),
						     "golden", golden));
}

/* NVIDIA's verifier leaves index 35 out when NVDEC0 is disabled (opaque
 * field 11 = 0x55): the decoder's firmware is then not loaded. */
static bool nvdec_disabled(const struct spdm_report *rep)
{
	const struct spdm_opaque_field *f = spdm_opaque_find(rep, 11);

	return f != NULL && f->size >= 1 && f->value[0] == 0x55;
}

/* Every active golden index of the genuine RIMs against the report, in
 * index order. */
static int compare_all(const struct chosen c[2], const struct spdm_report *rep, struct comparison *cmp,
		       struct attest_step *out)
{
	const struct rim_measurement *golden[RIM_MAX_MEASUREMENTS] = { NULL };
	const char *source[RIM_MAX_MEASUREMENTS] = { NULL };

	index_measurements(rep, cmp);
	for (int i = 0; i < 2; i++) {
		const struct rim *rim = c[i].entry && c[i].entry->genuine.status == STATUS_PASS ? c[i].entry->rim : NULL;
		for (size_t j = 0; rim && j < rim->nmeasurements; j++) {
			const struct rim_measurement *g = &rim->measurements[j];
			if (!g->active)
				continue;
			if (golden[g->index] != NULL) {
				attest_step_set(out, STATUS_FAIL, "index %u is active in both the driver and the VBIOS RIM: "
						"which golden value holds is not defined", g->index);
				return -1;
			}
			golden[g->index] = g;
			source[g->index] = rim_kind_name(c[i].kind);
			cmp->golden_count++;
		}
	}
	if ((size_t)cmp->golden_count > cmp->nmeasured) {
		attest_step_set(out, STATUS_FAIL, "the RIMs hold %d active golden values, the report only %zu measurements",
				cmp->golden_count, cmp->nmeasured);
		return -1;
	}
	for (unsigned i = 0; i < RIM_MAX_MEASUREMENTS; i++) {
		if (golden[i] == NULL && cmp->measured[i] != NULL)
			json_array_append_new(cmp->not_covered, json_integer(i));
		else if (golden[i] != NULL && i == 35 && nvdec_disabled(rep))
			json_array_append_new(cmp->not_compared, json_integer(i));
		else if (golden[i] != NULL)
			compare_one(cmp, golden[i], source[i]);
	}
	return 0;
}

/* Why the report's measurements cannot be compared, or NULL. */
static const char *not_comparable(const struct attest_result *res)
{
	if (!res->parsed)
		return "the report is malformed (attestation.signature): it has no measurements to compare";
	if (res->signature.status != STATUS_PASS && res->signature.status != STATUS_WARN)
		return "the report's signature did not verify (attestation.signature): its measurements prove nothing";
	if (res->chain.status != STATUS_PASS)
		return "the report's certificate chain did not verify (attestation.certificate_chain): its signer is not "
		       "known to be an NVIDIA GPU";
	return NULL;
}

static void judge_measurements(const struct chosen c[2], const struct attest_result *res, struct comparison *cmp,
			       struct attest_step *out)
{
	const char *why = not_comparable(res);
	bool genuine[2] = { c[0].entry && c[0].entry->genuine.status == STATUS_PASS,
			    c[1].entry && c[1].entry->genuine.status == STATUS_PASS };

	if (why != NULL) {
		attest_step_set(out, STATUS_SKIP, "%s", why);
		return;
	}
	if (!genuine[0] && !genuine[1]) {
		attest_step_set(out, STATUS_SKIP, "no genuine RIM for this GPU (attestation.rim): its measurements have no "
				"golden values to be compared with");
		return;
	}
	if (compare_all(c, &res->report, cmp, out) != 0)
		return;
	if (cmp->differing > 0)
		attest_step_set(out, STATUS_FAIL, "%d of %d measurement(s) differ from NVIDIA's golden values: %s",
				cmp->differing, cmp->compared, cmp->first_difference);
	else if (!genuine[0] || !genuine[1])
		attest_step_set(out, STATUS_SKIP, "the %d measurement(s) the %s RIM covers match its golden values; no "
				"genuine %s RIM, so the rest are not compared", cmp->compared,
				rim_kind_name(genuine[0] ? RIM_DRIVER : RIM_VBIOS),
				rim_kind_name(genuine[0] ? RIM_VBIOS : RIM_DRIVER));
	else
		attest_step_set(out, STATUS_PASS, "all %d active measurement(s) match NVIDIA's golden values (driver RIM "
				"%s, VBIOS RIM %s)%s; %zu measured index(es) no RIM covers", cmp->compared,
				c[0].entry->rim->version, c[1].entry->rim->version,
				json_array_size(cmp->not_compared) ? ", index 35 not compared (NVDEC0 disabled)" : "",
				json_array_size(cmp->not_covered));
}

void rim_judge(struct rim_set *set, const struct attest_result *res, time_t at, struct rim_outcome *out)
{
	struct chosen c[2] = { { RIM_DRIVER, res->driver_version, NULL, false },
			       { RIM_VBIOS, res->vbios_version, NULL, false } };
	struct comparison *cmp;

	out->evidence = NULL;
	if (rim_set_count(set) == 0) {
		attest_step_set(&out->rim, STATUS_SKIP, "RIMs not checked: none given (--rim FILE|DIR: NVIDIA's driver and "
				"VBIOS RIMs, mirrored from its RIM service; docs/attestation.md)");
		attest_step_set(&out->measurements, STATUS_SKIP, "measurements not compared with golden values: no RIM "
				"given (--rim FILE|DIR)");
		return;
	}
	for (int i = 0; i < 2; i++) {
		c[i].entry = choose(set, c[i].kind, c[i].gpu_version, &c[i].version_matches);
		if (c[i].entry != NULL)
			verify_entry(c[i].entry, at);
	}
	judge_rims(c, set->count, &out->rim);
	cmp = xcalloc(1, sizeof(*cmp));
	cmp->matched = json_array();
	cmp->differ = json_array();
	cmp->not_covered = json_array();
	cmp->not_compared = json_array();
	judge_measurements(c, res, cmp, &out->measurements);
	out->evidence = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "driver_rim", chosen_evidence(&c[0]), "vbios_rim",
				  chosen_evidence(&c[1]), "matched", cmp->matched, "differing", cmp->differ,
				  "not_covered", cmp->not_covered, "not_compared", cmp->not_compared);
	free(cmp);
}
