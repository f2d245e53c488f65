/* SPDM 1.1 GET_MEASUREMENTS, as an NVIDIA GPU's attestation report holds it
 * (nvmlDeviceGetConfComputeGpuAttestationReport): the 37-byte request the
 * verifier sent, then the GPU's signed response.
 *
 *   request:  version, code 0xE0, param1, param2, nonce[32], slot id
 *   response: version, code 0x60, param1, param2, number of blocks,
 *             measurement record length (3 bytes LE), measurement record,
 *             nonce[32], opaque length (2 bytes LE), opaque data,
 *             signature (96 bytes: ECDSA P-384 r || s)
 *
 * The record is a run of DMTF measurement blocks (index, specification,
 * size, then value type, value size, value); NVIDIA's opaque data is a run
 * of type(2)/size(2)/value TLVs (driver version, VBIOS version, chip and
 * project ids, ...). The signature covers request || response without the
 * signature, as NVIDIA's local verifier checks it. All integers little
 * endian (DSP0274 1.1). Pure: bytes in, a description out or one error. */
#ifndef CHIPAUDIT_SPDM_H
#define CHIPAUDIT_SPDM_H

#include <stddef.h>
#include <stdint.h>

#define SPDM_REQUEST_LEN 37
#define SPDM_NONCE_LEN 32
#define SPDM_SIGNATURE_LEN 96
#define SPDM_GET_MEASUREMENTS 0xE0
#define SPDM_MEASUREMENTS 0x60
#define SPDM_MAX_BLOCKS 255
#define SPDM_MAX_OPAQUE 64

/* NVIDIA's opaque field types (the local verifier's OPAQUE_DATA_TYPES). */
enum spdm_opaque_type {
	SPDM_OPAQUE_DRIVER_VERSION = 3,
	SPDM_OPAQUE_VBIOS_VERSION = 6,
	SPDM_OPAQUE_MSRSCNT = 12,
	SPDM_OPAQUE_CHIP_SKU = 15,
	SPDM_OPAQUE_PROJECT = 17,
	SPDM_OPAQUE_PROJECT_SKU = 18,
	SPDM_OPAQUE_FWID = 20,
};

struct spdm_block {
	uint8_t index;
	uint8_t spec;             /* 1: DMTF */
	uint8_t value_type;       /* DMTF value type (bit 7: raw bit stream) */
	uint16_t value_size;
	const uint8_t *value;     /* points into the parsed buffer */
};

struct spdm_opaque_field {
	uint16_t type;
	uint16_t size;
	const uint8_t *value;
};

struct spdm_report {
	/* request */
	uint8_t req_version, req_param1, req_param2, req_slot;
	const uint8_t *req_nonce;
	/* response */
	uint8_t version, param1, param2;
	size_t nblocks;
	struct spdm_block blocks[SPDM_MAX_BLOCKS];
	const uint8_t *nonce;
	size_t nopaque;
	struct spdm_opaque_field opaque[SPDM_MAX_OPAQUE];
	const uint8_t *signature;
	size_t signed_len;        /* bytes from the report's start the signature covers */
};

/* Parse the report DATA (LEN bytes: request then response, nothing after).
 * Returns 0 or CA_ERR_DATA with "offset N: problem" in err. The report's
 * pointers point into DATA, which must outlive it. */
int spdm_parse_report(const uint8_t *data, size_t len, struct spdm_report *rep, char *err, size_t errlen);

/* The opaque field of TYPE, or NULL. */
const struct spdm_opaque_field *spdm_opaque_find(const struct spdm_report *rep, uint16_t type);

/* Name of an opaque field type ("driver_version"), or NULL when unknown. */
const char *spdm_opaque_name(uint16_t type);

/* A printable string field (driver or VBIOS version) into out, NUL cut;
 * "" when absent, non-printable bytes as '?'. */
void spdm_opaque_string(const struct spdm_report *rep, uint16_t type, char *out, size_t outlen);

/* The VBIOS version field (8 bytes) as NVIDIA writes it in RIMs and
 * nvidia-smi, "96.00.9F.00.01"; "" when absent or of another size. */
void spdm_vbios_version(const struct spdm_report *rep, char *out, size_t outlen);

/* NVIDIA's hex text of a report (the samples, nvidia tools' output) into
 * bytes: hex digits with optional whitespace and an optional 0x. Returns 0
 * or CA_ERR_DATA naming the offset of the first bad character. */
int spdm_hex_decode(const char *text, size_t len, uint8_t *out, size_t outcap, size_t *outlen,
		    char *err, size_t errlen);

#endif
