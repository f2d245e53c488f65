/* libFuzzer target: offline attestation verification
 * (checks/attestation_verify.c) of a report and a certificate chain from one
 * input: two bytes (big endian) give the report's length, the report follows,
 * the chain is the rest. Seeded with NVIDIA's Hopper sample and its chain.
 * Every step must end with a verdict and a message, and a pass needs a
 * report that parsed and a chain that was read. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "checks/attestation_verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_step(const struct attest_step *s)
{
	if (s->status >= STATUS_COUNT || s->message[0] == '\0')
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct attest_result res;
	struct attest_evidence ev = { .at = 1764403200 };
	size_t n;

	if (size < 2)
		return 0;
	n = (size_t)data[0] << 8 | data[1];
	if (n > size - 2)
		return 0;
	ev.report = data + 2;
	ev.report_len = n;
	ev.chain = (const char *)data + 2 + n;
	ev.chain_len = size - 2 - n;
	attest_verify(&ev, &res);
	check_step(&res.signature);
	check_step(&res.chain);
	check_step(&res.revocation);
	if ((res.signature.status == STATUS_PASS || res.signature.status == STATUS_WARN) && !res.parsed)
		abort();
	if (res.chain.status == STATUS_PASS && !res.chain_read)
		abort();
	return 0;
}
