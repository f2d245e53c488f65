/* libFuzzer target: the module signature trailer and its PKCS#7 (parse/modsig.c).
 * The input is the tail of a module image; half the runs get the magic
 * appended so the trailer parser, not only the magic test, is exercised. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/modsig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct modsig sig;
	unsigned char *buf;

	if (size > MODSIG_TAIL_MAX)
		return 0;
	modsig_parse(data, size, &sig);
	buf = malloc(size + MODSIG_MAGIC_LEN);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	memcpy(buf + size, MODSIG_MAGIC, MODSIG_MAGIC_LEN);
	modsig_parse(buf, size + MODSIG_MAGIC_LEN, &sig);
	if (!sig.present || strlen(sig.signer) >= sizeof(sig.signer) || strlen(sig.key_id) >= sizeof(sig.key_id))
		abort();
	free(buf);
	return 0;
}
