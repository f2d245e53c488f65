/* The collector's decisions about one report that need no database: parsing
 * the request, and judging the report against the key and chain head read
 * from the database (request.h). */
#include "collector/request.h"

#include <inttypes.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/util.h"

void refuse(struct refusal *why, int http, const char *kind, const char *fmt, ...)
{
	va_list ap;

	why->http = http;
	why->kind = kind;
	va_start(ap, fmt);
	vsnprintf(why->reason, sizeof(why->reason), fmt, ap);
	va_end(ap);
}

/* --- keys */

/* The fixed DER form of an Ed25519 SubjectPublicKeyInfo (RFC 8410): the
 * only form of key the collector enrols. */
static const unsigned char ed25519_spki_prefix[12] = {
	0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
};

EVP_PKEY *collector_pubkey_der(const unsigned char *der, size_t len)
{
	if (len != sizeof(ed25519_spki_prefix) + 32 || memcmp(der, ed25519_spki_prefix, sizeof(ed25519_spki_prefix)) != 0)
		return NULL;
	return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, der + sizeof(ed25519_spki_prefix), 32);
}

EVP_PKEY *collector_pubkey_pem(const char *pem, size_t len)
{
	BIO *bio = len <= 1u << 16 ? BIO_new_mem_buf(pem, (int)len) : NULL;
	char *name = NULL, *header = NULL;
	unsigned char *der = NULL;
	long n = 0;
	EVP_PKEY *pkey = NULL;

	if (bio && PEM_read_bio(bio, &name, &header, &der, &n) == 1 && strcmp(name, "PUBLIC KEY") == 0)
		pkey = collector_pubkey_der(der, (size_t)n);
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(der);
	BIO_free(bio);
	ERR_clear_error();
	return pkey;
}

char *collector_pubkey_to_pem(EVP_PKEY *key)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *pem = NULL;
	long n;

	if (bio && PEM_write_bio_PUBKEY(bio, key) == 1 && (n = BIO_get_mem_data(bio, &data)) > 0)
		pem = xstrndup(data, (size_t)n);
	BIO_free(bio);
	return pem;
}

/* --- the request */

static bool is_b64(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/* The signature header: exactly the padded base64 of 64 bytes, in its one
 * canonical spelling. */
static int signature_decode(const char *b64, unsigned char sig[SIGNATURE_LEN], struct refusal *why)
{
	unsigned char raw[SIGNATURE_LEN + 3];
	unsigned char again[SIGNATURE_B64_LEN + 1];
	size_t n;

	if (b64 == NULL) {
		refuse(why, 400, "malformed", "no X-Chipaudit-Signature header");
		return -1;
	}
	n = strlen(b64);
	for (size_t i = 0; i < n && n == SIGNATURE_B64_LEN; i++)
		if (!(is_b64(b64[i]) || (i >= SIGNATURE_B64_LEN - 2 && b64[i] == '='))) {
			n = 0;
			break;
		}
	if (n != SIGNATURE_B64_LEN || b64[n - 2] != '=' || b64[n - 1] != '=' ||
	    EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)n) != SIGNATURE_LEN + 2) {
		refuse(why, 400, "malformed", "X-Chipaudit-Signature: expected the base64 of a 64-byte Ed25519 signature");
		return -1;
	}
	EVP_EncodeBlock(again, raw, SIGNATURE_LEN);
	if (memcmp(again, b64, SIGNATURE_B64_LEN) != 0) {
		refuse(why, 400, "malformed", "X-Chipaudit-Signature: not canonical base64");
		return -1;
	}
	memcpy(sig, raw, SIGNATURE_LEN);
	return 0;
}

/* A string member the collector stores, or NULL when absent or null. Text
 * columns cannot hold a NUL byte, which JSON can ("\u0000"): such a string
 * is refused rather than cut short. */
static int stored_string(const json_t *obj, const char *key, const char *where, const char **out,
			 struct refusal *why)
{
	const json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		refuse(why, 400, "malformed", "%s.%s: expected a string", where, key);
		return -1;
	}
	if (strlen(json_string_value(v)) != json_string_length(v)) {
		refuse(why, 400, "malformed", "%s.%s: contains a NUL character", where, key);
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

/* host.time as the audit writes it: YYYY-MM-DDTHH:MM:SSZ. */
static bool is_report_time(const char *s)
{
	unsigned y, mo, d, h, mi, sec;
	char z, end;

	return s && strlen(s) == 20 &&
	       sscanf(s, "%4u-%2u-%2uT%2u:%2u:%2u%c%c", &y, &mo, &d, &h, &mi, &sec, &z, &end) == 7 && z == 'Z' &&
	       y >= 1970 && y <= 9999 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && sec <= 60 &&
	       strspn(s, "0123456789-T:Z") == 20;
}

static int take_members(struct parsed_report *p, struct refusal *why)
{
	const json_t *r = p->report, *trust = json_object_get(r, "trust");
	json_int_t seq = 0;

	if (stored_string(r, "host_id", "report", &p->link.host_id, why) ||
	    stored_string(r, "public_key_fingerprint", "report", &p->link.fingerprint, why) ||
	    stored_string(r, "previous_sha256", "report", &p->link.previous_sha256, why) ||
	    stored_string(r, "nonce", "report", &p->nonce, why) ||
	    stored_string(jobj(r, "host"), "time", "report.host", &p->time, why) ||
	    stored_string(jobj(r, "host"), "hostname", "report.host", &p->hostname, why) ||
	    stored_string(jobj(r, "summary"), "worst", "report.summary", &p->worst, why))
		return -1;
	jint(r, "sequence", &seq);
	p->link.sequence = seq;
	if (p->link.host_id == NULL || *p->link.host_id == '\0') {
		refuse(why, 400, "malformed", "report.host_id: missing (the audited machine has no machine-id)");
		return -1;
	}
	if (p->link.fingerprint == NULL) {
		refuse(why, 400, "malformed", "report.public_key_fingerprint: missing (an unsigned audit)");
		return -1;
	}
	if (seq == 0) {
		refuse(why, 400, "malformed", "report.sequence: missing (audited with --no-history): the collector keeps chains");
		return -1;
	}
	if (!is_report_time(p->time)) {
		refuse(why, 400, "malformed", "report.host.time: expected YYYY-MM-DDTHH:MM:SSZ");
		return -1;
	}
	p->trust_level = -1;
	if (trust && !json_is_null(trust)) {
		const json_t *level = json_object_get(trust, "level");
		if (!json_is_object(trust) || (level && !json_is_null(level) &&
					       (!json_is_integer(level) || json_integer_value(level) < 0 ||
						json_integer_value(level) > 1000))) {
			refuse(why, 400, "malformed", "report.trust.level: expected a small whole number or null");
			return -1;
		}
		if (json_is_integer(level))
			p->trust_level = json_integer_value(level);
	}
	return 0;
}

/* One row per (finding, subject). */
static int take_findings(struct parsed_report *p, struct refusal *why)
{
	json_t *rows = json_array(), *f;
	size_t i;

	json_array_foreach(json_object_get(p->report, "findings"), i, f) {
		const char *check, *status, *severity;
		char where[48];
		json_t *s;
		size_t j;

		snprintf(where, sizeof(where), "report.findings[%zu]", i);
		if (stored_string(f, "check", where, &check, why) || stored_string(f, "status", where, &status, why) ||
		    stored_string(f, "severity", where, &severity, why)) {
			json_decref(rows);
			return -1;
		}
		json_array_foreach(json_object_get(f, "subjects"), j, s) {
			if (strlen(json_string_value(s)) != json_string_length(s)) {
				refuse(why, 400, "malformed", "%s.subjects[%zu]: contains a NUL character", where, j);
				json_decref(rows);
				return -1;
			}
			json_array_append_new(rows, json_pack("{s:s,s:O,s:s,s:s?}", "check_id", check, "subject", s,
							      "status", status, "severity", severity));
		}
	}
	p->findings = json_array_size(rows);
	p->findings_json = json_dumps(rows, JSON_COMPACT);
	json_decref(rows);
	return 0;
}

/* The export class of each accelerator: export.classification's ECCN for
 * the subjects it names. */
static const char *export_class(const json_t *report, const char *pci)
{
	const json_t *f, *s;
	size_t i, j;

	json_array_foreach(json_object_get(report, "findings"), i, f) {
		const char *check = jstr(f, "check"), *eccn;
		if (!check || strcmp(check, "export.classification") != 0)
			continue;
		eccn = jstr(jobj(f, "evidence"), "eccn");
		json_array_foreach(json_object_get(f, "subjects"), j, s)
			if (eccn && strlen(eccn) == json_string_length(json_object_get(jobj(f, "evidence"), "eccn")) &&
			    strcmp(json_string_value(s), pci) == 0)
				return eccn;
	}
	return NULL;
}

/* Where an accelerator's UUID and serial are: the vendor-neutral runtime
 * record (runtime.identity), else the vendor library's view as reports of
 * schema 2 wrote it before that record (vendor_library.nvml), else as the
 * first ones did (nvml). NULL when none is an object. */
static const json_t *chip_identity(const json_t *a)
{
	const json_t *id = jobj(jobj(a, "runtime"), "identity");

	if (!json_is_object(id))
		id = jobj(jobj(a, "vendor_library"), "nvml");
	if (!json_is_object(id))
		id = jobj(a, "nvml");
	return json_is_object(id) ? id : NULL;
}

/* Accelerators by NVML UUID, else vendor and serial, else host and PCI
 * address (docs/fleet.md). */
static int take_chips(struct parsed_report *p, struct refusal *why)
{
	json_t *rows = json_array(), *a, *seen = json_object();
	size_t i;
	int rc = 0;

	json_array_foreach(json_object_get(p->report, "accelerators"), i, a) {
		const char *pci, *vendor, *model, *uuid = NULL, *serial = NULL;
		const json_t *identity = chip_identity(a);
		char where[48], *chip_id;

		snprintf(where, sizeof(where), "report.accelerators[%zu]", i);
		if (!json_is_object(a)) {
			refuse(why, 400, "malformed", "%s: expected an object", where);
			rc = -1;
			break;
		}
		if (stored_string(a, "pci_address", where, &pci, why) || stored_string(a, "vendor", where, &vendor, why) ||
		    stored_string(a, "model", where, &model, why) ||
		    (identity && (stored_string(identity, "uuid", where, &uuid, why) ||
				  stored_string(identity, "serial", where, &serial, why)))) {
			rc = -1;
			break;
		}
		if (pci == NULL || !pci_address_valid(pci)) {
			refuse(why, 400, "malformed", "%s.pci_address: expected a PCI address", where);
			rc = -1;
			break;
		}
		if (uuid && *uuid)
			chip_id = xstrdup(uuid);
		else if (serial && *serial)
			chip_id = xasprintf("serial:%s/%s", vendor ? vendor : "", serial);
		else
			chip_id = xasprintf("pci:%s/%s", p->link.host_id, pci);
		if (json_object_get(seen, chip_id)) {
			refuse(why, 400, "malformed", "%s: accelerator %.80s listed twice", where, chip_id);
			free(chip_id);
			rc = -1;
			break;
		}
		json_object_set_new(seen, chip_id, json_true());
		json_array_append_new(rows, json_pack("{s:s,s:s?,s:s?,s:s?,s:s?,s:s?,s:s}", "chip_id", chip_id,
						      "uuid", uuid && *uuid ? uuid : NULL, "serial", serial,
						      "vendor", vendor, "model", model,
						      "export_class", export_class(p->report, pci), "pci_address", pci));
		free(chip_id);
	}
	if (rc == 0) {
		p->chips = json_array_size(rows);
		p->chips_json = json_dumps(rows, JSON_COMPACT);
	}
	json_decref(seen);
	json_decref(rows);
	return rc;
}

int report_request_parse(const char *body, size_t len, const char *sig_b64, size_t max_body,
			 struct parsed_report *out, struct refusal *why)
{
	char err[1024];

	memset(out, 0, sizeof(*out));
	if (len > max_body) {
		refuse(why, 413, "malformed", "the report is %zu bytes, more than the %zu this collector takes", len, max_body);
		return -1;
	}
	if (signature_decode(sig_b64, out->sig, why) != 0)
		return -1;
	out->report = report_parse(body, len, "report", err, sizeof(err));
	if (out->report == NULL) {
		refuse(why, 400, "malformed", "%s", err);
		return -1;
	}
	out->body = body;
	out->len = len;
	sha256_hex(body, len, out->link.sha256);
	if (take_members(out, why) || take_findings(out, why) || take_chips(out, why)) {
		parsed_report_free(out);
		return -1;
	}
	return 0;
}

void parsed_report_free(struct parsed_report *p)
{
	json_decref(p->report);
	free(p->findings_json);
	free(p->chips_json);
	memset(p, 0, sizeof(*p));
}

/* --- the verdict */

enum judgement report_judge(const struct parsed_report *p, const struct stored_key *key,
			    const char *stored_at_sequence, struct ed25519_verifier *v, struct refusal *why)
{
	struct chain_link head = { 0 };
	char msg[512];

	if (ed25519_verify(key->pkey, v, p->body, p->len, p->sig) != 1) {
		refuse(why, 401, "bad-signature", "the signature does not verify with key %s", p->link.fingerprint);
		return JUDGED_REFUSED;
	}
	if (key->revoked) {
		refuse(why, 403, "revoked-key", "key %s was revoked%s%.200s", p->link.fingerprint,
		       key->revoked_reason ? ": " : "", key->revoked_reason ? key->revoked_reason : "");
		return JUDGED_REFUSED;
	}
	if (strcmp(key->host_id, p->link.host_id) != 0) {
		refuse(why, 403, "wrong-host", "signed by the key of host %.256s, but claims host %.256s",
		       key->host_id, p->link.host_id);
		return JUDGED_REFUSED;
	}
	if (key->last_sequence == 0)
		return JUDGED_STORE;  /* the first report of this key the collector sees starts its chain here */
	snprintf(head.sha256, sizeof(head.sha256), "%s", key->last_sha256 ? key->last_sha256 : "");
	head.host_id = p->link.host_id;
	head.fingerprint = p->link.fingerprint;
	head.sequence = key->last_sequence;
	switch (chain_follows(&head, &p->link, msg, sizeof(msg))) {
	case CHAIN_OK:
		return JUDGED_STORE;
	case CHAIN_MISSING:
		refuse(why, 201, "gap", "%s", msg);
		return JUDGED_STORE_GAP;
	case CHAIN_REPLAYED:
		refuse(why, 409, "replay", "replayed: sequence %" PRId64 " is stored already", p->link.sequence);
		return JUDGED_REFUSED;
	default:
		break;
	}
	/* At or before the head: the same bytes stored there are a replay,
	 * other bytes a fork, nothing stored (a gap) a report out of order. */
	if (p->link.sequence <= key->last_sequence && stored_at_sequence == NULL)
		return JUDGED_NEED_STORED;
	if (p->link.sequence <= key->last_sequence && strcmp(stored_at_sequence, p->link.sha256) == 0)
		refuse(why, 409, "replay", "replayed: sequence %" PRId64 " is stored already", p->link.sequence);
	else if (p->link.sequence <= key->last_sequence && *stored_at_sequence)
		refuse(why, 422, "fork", "fork: sequence %" PRId64 " already stored with other bytes", p->link.sequence);
	else if (p->link.sequence < key->last_sequence)
		refuse(why, 409, "reorder", "reordered: sequence %" PRId64 " is older than the stored sequence %" PRId64,
		       p->link.sequence, key->last_sequence);
	else
		refuse(why, 422, "fork", "fork: %s", msg);  /* follows another report than the one stored */
	return JUDGED_REFUSED;
}
