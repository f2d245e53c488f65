/* libFuzzer target: NVIDIA's RIMs (parse/rim.c), seeded with nvtrust's
 * sample RIMs. A document the parser accepts is verified as an audit does
 * (checks/attestation_rim.c: the signer's chain, then the XML signature by
 * xmlsec) at a time NVIDIA's sample certificates were valid, so that
 * mutations that keep the chain reach xmlsec's signature processing; a
 * verdict is a pass, a fail or an error, with a message. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checks/attestation_rim.h"
#include "parse/rim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define JUN_2024 ((time_t)1717200000)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rim *rim = NULL;
	struct attest_step step;
	char err[256];

	if (rim_parse((const char *)data, size, &rim, err, sizeof(err)) != 0) {
		if (err[0] == '\0' || strchr(err, '\n') != NULL)
			abort();
		return 0;
	}
	for (size_t i = 0; i < rim->nmeasurements; i++)
		if (rim->measurements[i].index >= RIM_MAX_MEASUREMENTS || rim->measurements[i].nalternatives == 0 ||
		    rim->measurements[i].size == 0 || rim->measurements[i].size > RIM_MAX_VALUE)
			abort();
	if (rim->version[0] == '\0' || rim->ncerts == 0)
		abort();
	rim_genuine(rim, "fuzz", JUN_2024, &step);
	if (step.message[0] == '\0' || (step.status != STATUS_PASS && step.status != STATUS_FAIL &&
					step.status != STATUS_ERROR))
		abort();
	rim_free(rim);
	return 0;
}
