#include "parse/spdm.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"

/* A cursor over the report: every read checks the bytes left first, so a
 * truncated or lying length is refused at the offset where it lies. */
struct reader {
	const uint8_t *data;
	size_t len, off;
	char *err;
	size_t errlen;
};

static int fail(struct reader *r, size_t off, const char *what)
{
	snprintf(r->err, r->errlen, "offset %zu: %s", off, what);
	return CA_ERR_DATA;
}

static int take(struct reader *r, size_t n, const char *what, const uint8_t **out)
{
	char msg[160];

	if (r->len - r->off < n) {
		snprintf(msg, sizeof(msg), "truncated %s (%zu bytes needed, %zu left)", what, n, r->len - r->off);
		return fail(r, r->off, msg);
	}
	*out = r->data + r->off;
	r->off += n;
	return 0;
}

static uint32_t le(const uint8_t *p, size_t n)
{
	uint32_t v = 0;

	for (size_t i = n; i > 0; i--)
		v = (v << 8) | p[i - 1];
	return v;
}

static int parse_request(struct reader *r, struct spdm_report *rep)
{
	const uint8_t *p;
	int rc = take(r, SPDM_REQUEST_LEN, "GET_MEASUREMENTS request", &p);

	if (rc)
		return rc;
	if (p[0] < 0x10 || p[0] > 0x1f)
		return fail(r, 0, "request: not an SPDM 1.x version byte");
	if (p[1] != SPDM_GET_MEASUREMENTS)
		return fail(r, 1, "request: not GET_MEASUREMENTS (code 0xE0)");
	if (!(p[2] & 1))
		return fail(r, 2, "request: no signature requested (param1 bit 0 clear)");
	rep->req_version = p[0];
	rep->req_param1 = p[2];
	rep->req_param2 = p[3];
	rep->req_nonce = p + 4;
	rep->req_slot = p[36];
	return 0;
}

/* One DMTF measurement block: index, specification, size, then the DMTF
 * measurement (value type, value size, value) filling exactly that size. */
static int parse_block(struct reader *r, size_t end, struct spdm_block *b)
{
	size_t at = r->off;
	const uint8_t *p;
	size_t size;
	int rc;

	if (end - r->off < 4)
		return fail(r, at, "measurement block header runs past the record");
	rc = take(r, 4, "measurement block header", &p);
	if (rc)
		return rc;
	b->index = p[0];
	b->spec = p[1];
	size = le(p + 2, 2);
	if (b->index == 0 || b->index == 0xff)
		return fail(r, at, "measurement block index 0 or 255 is reserved");
	if (b->spec != 1)
		return fail(r, at + 1, "measurement block specification is not DMTF (1)");
	if (size < 3 || size > end - r->off)
		return fail(r, at + 2, "measurement block size runs past the record");
	rc = take(r, 3, "DMTF measurement header", &p);
	if (rc)
		return rc;
	b->value_type = p[0];
	b->value_size = (uint16_t)le(p + 1, 2);
	if ((size_t)b->value_size + 3 != size)
		return fail(r, at + 5, "DMTF value size disagrees with the block size");
	return take(r, b->value_size, "DMTF measurement value", &b->value);
}

static int parse_record(struct reader *r, struct spdm_report *rep, size_t nblocks, size_t reclen)
{
	size_t end = r->off + reclen;

	if (reclen > r->len - r->off)
		return fail(r, 5 + SPDM_REQUEST_LEN, "measurement record length runs past the report");
	for (size_t i = 0; i < nblocks; i++) {
		size_t at = r->off;
		int rc = parse_block(r, end, &rep->blocks[i]);

		if (rc)
			return rc;
		for (size_t j = 0; j < i; j++)
			if (rep->blocks[j].index == rep->blocks[i].index)
				return fail(r, at, "measurement block index repeated");
	}
	if (r->off != end)
		return fail(r, r->off, "measurement record holds bytes after its last block");
	rep->nblocks = nblocks;
	return 0;
}

/* NVIDIA's opaque data: type(2) size(2) value TLVs filling it exactly. */
static int parse_opaque(struct reader *r, struct spdm_report *rep, size_t len)
{
	size_t end = r->off + len;

	while (r->off < end) {
		size_t at = r->off;
		struct spdm_opaque_field *f;
		const uint8_t *p;
		int rc;

		if (end - r->off < 4)
			return fail(r, at, "opaque field header runs past the opaque data");
		if (rep->nopaque == SPDM_MAX_OPAQUE)
			return fail(r, at, "more opaque fields than the parser keeps (64)");
		f = &rep->opaque[rep->nopaque++];
		rc = take(r, 4, "opaque field header", &p);
		if (rc)
			return rc;
		f->type = (uint16_t)le(p, 2);
		f->size = (uint16_t)le(p + 2, 2);
		if (f->size > end - r->off)
			return fail(r, at + 2, "opaque field size runs past the opaque data");
		rc = take(r, f->size, "opaque field value", &f->value);
		if (rc)
			return rc;
	}
	return 0;
}

static int parse_response(struct reader *r, struct spdm_report *rep)
{
	const uint8_t *p;
	size_t nblocks, reclen, opaque_len;
	size_t start = r->off;
	int rc = take(r, 8, "MEASUREMENTS response header", &p);

	if (rc)
		return rc;
	if (p[0] != rep->req_version)
		return fail(r, start, "response SPDM version differs from the request's");
	if (p[1] != SPDM_MEASUREMENTS)
		return fail(r, start + 1, "response: not MEASUREMENTS (code 0x60)");
	rep->version = p[0];
	rep->param1 = p[2];
	rep->param2 = p[3];
	nblocks = p[4];
	reclen = le(p + 5, 3);
	if (nblocks == 0)
		return fail(r, start + 4, "response holds no measurement block");
	rc = parse_record(r, rep, nblocks, reclen);
	if (rc)
		return rc;
	rc = take(r, SPDM_NONCE_LEN, "response nonce", &rep->nonce);
	if (rc)
		return rc;
	rc = take(r, 2, "opaque data length", &p);
	if (rc)
		return rc;
	opaque_len = le(p, 2);
	if (opaque_len > r->len - r->off)
		return fail(r, r->off - 2, "opaque data length runs past the report");
	rc = parse_opaque(r, rep, opaque_len);
	if (rc)
		return rc;
	rep->signed_len = r->off;
	rc = take(r, SPDM_SIGNATURE_LEN, "signature", &rep->signature);
	if (rc)
		return rc;
	if (r->off != r->len)
		return fail(r, r->off, "bytes after the signature");
	return 0;
}

int spdm_parse_report(const uint8_t *data, size_t len, struct spdm_report *rep, char *err, size_t errlen)
{
	struct reader r = { data, len, 0, err, errlen };
	int rc;

	memset(rep, 0, sizeof(*rep));
	rc = parse_request(&r, rep);
	return rc ? rc : parse_response(&r, rep);
}

const struct spdm_opaque_field *spdm_opaque_find(const struct spdm_report *rep, uint16_t type)
{
	for (size_t i = 0; i < rep->nopaque; i++)
		if (rep->opaque[i].type == type)
			return &rep->opaque[i];
	return NULL;
}

const char *spdm_opaque_name(uint16_t type)
{
	static const char *const names[] = {
		[1] = "cert_issuer_name", [2] = "cert_authority_key_identifier",
		[3] = "driver_version", [4] = "gpu_info", [5] = "sku", [6] = "vbios_version",
		[7] = "manufacturer_id", [8] = "tamper_detection", [9] = "smc", [10] = "vpr",
		[11] = "nvdec0_status", [12] = "msrscnt", [13] = "cprinfo", [14] = "board_id",
		[15] = "chip_sku", [16] = "chip_sku_mod", [17] = "project", [18] = "project_sku",
		[19] = "project_sku_mod", [20] = "fwid", [21] = "protected_pcie_status",
		[22] = "switch_pdi", [23] = "floorswept_ports", [24] = "position_id",
		[25] = "lock_switch_status", [32] = "gpu_link_conn", [33] = "sys_enable_status",
		[34] = "opaque_data_version", [35] = "chip_info", [36] = "feature_flag",
	};

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : NULL;
}

void spdm_opaque_string(const struct spdm_report *rep, uint16_t type, char *out, size_t outlen)
{
	const struct spdm_opaque_field *f = spdm_opaque_find(rep, type);
	size_t o = 0;

	if (outlen == 0)
		return;
	for (size_t i = 0; f != NULL && i < f->size && f->value[i] != '\0' && o + 1 < outlen; i++)
		out[o++] = isprint(f->value[i]) ? (char)f->value[i] : '?';
	out[o] = '\0';
}

void spdm_vbios_version(const struct spdm_report *rep, char *out, size_t outlen)
{
	const struct spdm_opaque_field *f = spdm_opaque_find(rep, SPDM_OPAQUE_VBIOS_VERSION);

	if (outlen == 0)
		return;
	out[0] = '\0';
	/* the verifier's format_vbios_version: bytes 3 2 1 0 then 4 */
	if (f != NULL && f->size == 8)
		snprintf(out, outlen, "%02X.%02X.%02X.%02X.%02X", f->value[3], f->value[2], f->value[1],
			 f->value[0], f->value[4]);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int spdm_hex_decode(const char *text, size_t len, uint8_t *out, size_t outcap, size_t *outlen,
		    char *err, size_t errlen)
{
	size_t n = 0, i = 0;
	int hi = -1;

	if (len >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
		i = 2;
	for (; i < len; i++) {
		int v;

		if (isspace((unsigned char)text[i]))
			continue;
		v = hexval(text[i]);
		if (v < 0) {
			snprintf(err, errlen, "offset %zu: not a hex digit", i);
			return CA_ERR_DATA;
		}
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == outcap) {
			snprintf(err, errlen, "offset %zu: more than %zu bytes of hex", i, outcap);
			return CA_ERR_DATA;
		}
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0) {
		snprintf(err, errlen, "offset %zu: odd number of hex digits", len);
		return CA_ERR_DATA;
	}
	*outlen = n;
	return 0;
}
