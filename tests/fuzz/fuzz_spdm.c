/* libFuzzer target: SPDM GET_MEASUREMENTS reports (parse/spdm.c), seeded with
 * NVIDIA's Hopper sample. The input is parsed as bytes and as hex text; a
 * parsed report must lie wholly inside the input. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "parse/spdm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_inside(const struct spdm_report *rep, const uint8_t *data, size_t size)
{
	if (rep->signed_len + SPDM_SIGNATURE_LEN != size || rep->signature != data + rep->signed_len)
		abort();
	for (size_t i = 0; i < rep->nblocks; i++)
		if (rep->blocks[i].value < data || rep->blocks[i].value + rep->blocks[i].value_size > data + size)
			abort();
	for (size_t i = 0; i < rep->nopaque; i++)
		if (rep->opaque[i].value < data || rep->opaque[i].value + rep->opaque[i].size > data + size)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct spdm_report rep;
	static uint8_t bytes[65536];
	char err[256], s[64];
	size_t n;

	if (spdm_parse_report(data, size, &rep, err, sizeof(err)) == 0) {
		check_inside(&rep, data, size);
		spdm_vbios_version(&rep, s, sizeof(s));
		spdm_opaque_string(&rep, SPDM_OPAQUE_DRIVER_VERSION, s, sizeof(s));
	}
	if (spdm_hex_decode((const char *)data, size, bytes, sizeof(bytes), &n, err, sizeof(err)) == 0 &&
	    spdm_parse_report(bytes, n, &rep, err, sizeof(err)) == 0)
		check_inside(&rep, bytes, n);
	return 0;
}
